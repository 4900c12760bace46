// The optimizer's per-step scalars as pure functions of (optimizer spec, LR schedule, global step):
// what the engine feeds the step graph (types.ts, StepFeeds) and a verifier recomputes. Everything is
// computed in float64 here and rounded to float32 once, when fed.
import { StepFeeds, type LrSchedule, type OptimizerKind, type OptimizerSpec } from './types.js'

/** Learning rate of global step `globalStep` (0-based). */
export function lrAt (spec: OptimizerSpec, schedule: LrSchedule, globalStep: number, stepsPerEpoch: number, totalSteps: number): number {
  if (!Number.isSafeInteger(globalStep) || globalStep < 0) throw new Error(`lrAt: bad step ${globalStep}`)
  switch (schedule.kind) {
    case 'constant':
      return spec.learningRate
    case 'step': {
      if (!(stepsPerEpoch >= 1) || !(schedule.stepEpochs >= 1)) throw new Error('lrAt: step schedule needs stepsPerEpoch ≥ 1 and stepEpochs ≥ 1')
      const epoch = Math.floor(globalStep / stepsPerEpoch)
      return spec.learningRate * Math.pow(schedule.gamma, Math.floor(epoch / schedule.stepEpochs))
    }
    case 'cosine': {
      if (!(totalSteps >= 1)) throw new Error('lrAt: cosine schedule needs totalSteps ≥ 1')
      return schedule.minLr + (spec.learningRate - schedule.minLr) * (1 + Math.cos(Math.PI * globalStep / totalSteps)) / 2
    }
  }
}

/** 1 − β^t with t = globalStep + 1 (Adam's bias corrections), in float64. */
export function biasCorrection (beta: number, globalStep: number): number {
  return 1 - Math.pow(beta, globalStep + 1)
}

/** The scalar feeds a step graph of this optimizer kind declares, in order. */
export function scalarFeedNames (kind: OptimizerKind): string[] {
  return kind === 'sgd'
    ? [StepFeeds.lr, StepFeeds.momentum, StepFeeds.weightDecay]
    : kind === 'adam'
      ? [StepFeeds.lr, StepFeeds.weightDecay, StepFeeds.beta1, StepFeeds.beta2, StepFeeds.oneMinusBeta1, StepFeeds.oneMinusBeta2, StepFeeds.epsilon, StepFeeds.biasCorrection1, StepFeeds.biasCorrection2]
      : [StepFeeds.lr, StepFeeds.decayFactor, StepFeeds.beta1, StepFeeds.beta2, StepFeeds.oneMinusBeta1, StepFeeds.oneMinusBeta2, StepFeeds.epsilon, StepFeeds.biasCorrection1, StepFeeds.biasCorrection2]
}

/** Values of the scalar feeds for one global step (float64; the engine rounds them to float32). Keys
 * are a superset of scalarFeedNames(kind): feed only those. */
export function stepScalars (spec: OptimizerSpec, schedule: LrSchedule, globalStep: number, stepsPerEpoch: number, totalSteps: number): Record<string, number> {
  const lr = lrAt(spec, schedule, globalStep, stepsPerEpoch, totalSteps)
  if (spec.kind === 'sgd') {
    return { [StepFeeds.lr]: lr, [StepFeeds.momentum]: spec.momentum, [StepFeeds.weightDecay]: spec.weightDecay }
  }
  return {
    [StepFeeds.lr]: lr,
    [StepFeeds.weightDecay]: spec.weightDecay,
    [StepFeeds.decayFactor]: 1 - lr * spec.weightDecay,
    [StepFeeds.oneMinusBeta1]: 1 - spec.beta1,
    [StepFeeds.oneMinusBeta2]: 1 - spec.beta2,
    [StepFeeds.beta1]: spec.beta1,
    [StepFeeds.beta2]: spec.beta2,
    [StepFeeds.epsilon]: spec.epsilon,
    [StepFeeds.biasCorrection1]: biasCorrection(spec.beta1, globalStep),
    [StepFeeds.biasCorrection2]: biasCorrection(spec.beta2, globalStep)
  }
}
