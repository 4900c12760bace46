/**
 * The predicted class of one row of logits: the index of the row's largest value, the first one on
 * a tie (every engine, the fixed-point one included, and every evaluation count a hit this way).
 */
export function rowArgMax (values: ArrayLike<number>, row: number, width: number): number {
  const base = row * width
  let best = 0
  for (let c = 1; c < width; c++) if ((values[base + c] as number) > (values[base + best] as number)) best = c
  return best
}
