// Which rows each step reads, and how steps group into segments. Pure functions of the spec and the
// training-row count, so a verifier can locate and re-execute any one segment on its own.
//
// Data order: epoch e (0-based) visits the training rows in the order permutation(trainCount,
// prngStream(seed, "order", e)); step k of the epoch takes positions [k·B, min((k+1)·B, trainCount))
// of it, so the last batch of an epoch may be short. Under the 'sequential' order (the zk tier) the
// permutation is the identity: step k of every epoch reads rows [k·B, (k+1)·B) as stored. Global step s is step s mod S_e of epoch
// ⌊s / S_e⌋, with S_e = ⌈trainCount / B⌉ steps per epoch.
import { permutation, prngStream } from './prng.js'
import { stepsPerEpoch, type DataOrderKind, type TrainingSpec } from './spec.js'

/** A contiguous range of global steps: the unit a checkpoint covers and a verifier re-executes. */
export interface Segment {
  /** 1-based: segment E turns checkpoint W_{E−1} (W_0 = initial weights) into W_E. */
  readonly index: number
  /** Global step index of the first step (0-based). */
  readonly firstStep: number
  readonly stepCount: number
}

export interface Schedule {
  readonly stepsPerEpoch: number
  readonly totalSteps: number
  readonly segments: readonly Segment[]
}

export function trainingSchedule(spec: TrainingSpec, trainCount: number): Schedule {
  if (trainCount < 1) throw new Error('no training rows')
  const perEpoch = stepsPerEpoch(spec, trainCount)
  const totalSteps = perEpoch * spec.epochs
  const size = spec.segmentSteps === 0 ? perEpoch : spec.segmentSteps
  const segments: Segment[] = []
  for (let first = 0, index = 1; first < totalSteps; first += size, index++) {
    segments.push({ index, firstStep: first, stepCount: Math.min(size, totalSteps - first) })
  }
  return { stepsPerEpoch: perEpoch, totalSteps, segments }
}

/** Row order of one epoch, memoised for the epoch being walked (a segment rarely spans more than two). */
export class DataOrder {
  private epoch = -1
  private order: Uint32Array = new Uint32Array(0)

  constructor(
    private readonly seed: number,
    private readonly trainCount: number,
    private readonly batchSize: number,
    private readonly perEpoch: number,
    private readonly kind: DataOrderKind = 'shuffled'
  ) {}

  epochOrder(epoch: number): Uint32Array {
    if (epoch !== this.epoch) {
      this.order = this.kind === 'sequential'
        ? Uint32Array.from({ length: this.trainCount }, (_, i) => i)
        : permutation(this.trainCount, prngStream(this.seed, 'order', epoch))
      this.epoch = epoch
    }
    return this.order
  }

  /** Row indices read by global step `step`. */
  rowsOfStep(step: number): Uint32Array {
    const epoch = Math.floor(step / this.perEpoch)
    const k = step % this.perEpoch
    const start = k * this.batchSize
    return this.epochOrder(epoch).subarray(start, Math.min(start + this.batchSize, this.trainCount))
  }
}
