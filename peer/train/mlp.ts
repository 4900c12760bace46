// The model family jobs may ask for: a multilayer perceptron with ReLU hidden layers and a softmax
// output. This file fixes the parameter layout (names, shapes, order) that every other part (graphs,
// initialisation, snapshots, the fixed-point step) agrees on.

/** One parameter tensor of the model, in the canonical order. */
export interface ParameterInfo {
  /** `W1`, `b1`, `W2`, ... (1-based layer index). */
  readonly name: string
  /** [fanIn, fanOut] for weights (row-major, x·W), [fanOut] for biases. */
  readonly dims: readonly number[]
  readonly size: number
  readonly layer: number
  readonly kind: 'weight' | 'bias'
}

/** Layer sizes including input and output, e.g. [784, 64, 10]. */
export type LayerSizes = readonly number[]

export function validateLayers(layers: LayerSizes): void {
  if (!Array.isArray(layers) || layers.length < 2) throw new Error('an MLP needs at least an input and an output layer')
  for (const n of layers) {
    if (!Number.isSafeInteger(n) || n < 1 || n > 1 << 16) throw new Error(`invalid layer size ${String(n)}`)
  }
  if ((layers[layers.length - 1] ?? 0) < 2) throw new Error('the output layer needs at least 2 classes')
}

/** Canonical parameter order: W1, b1, W2, b2, ... Snapshots, hashes and graphs all use it. */
export function parameterLayout(layers: LayerSizes): ParameterInfo[] {
  validateLayers(layers)
  const out: ParameterInfo[] = []
  for (let l = 1; l < layers.length; l++) {
    const fanIn = layers[l - 1] as number
    const fanOut = layers[l] as number
    out.push({ name: `W${l}`, dims: [fanIn, fanOut], size: fanIn * fanOut, layer: l, kind: 'weight' })
    out.push({ name: `b${l}`, dims: [fanOut], size: fanOut, layer: l, kind: 'bias' })
  }
  return out
}

export function parameterCount(layers: LayerSizes): number {
  return parameterLayout(layers).reduce((n, p) => n + p.size, 0)
}
