// The optimizer update of one trainable tensor, emitted into the step graph with the hyper-parameters
// as scalar feeds (formulas: types.ts, OptimizerSpec):
//   sgd:   g += wd·p;  buf' = momentum·buf + g;  p' = p − lr·buf'
//   adam:  g += wd·p;  m' = β1·m + (1−β1)·g;  v' = β2·v + (1−β2)·g²;
//          p' = p − (lr/bc1)·m' / (sqrt(v')/sqrt(bc2) + ε)
//   adamw: p ← p·(1 − lr·wd), then adam without the wd term
// with bc1 = 1 − β1^t, bc2 = 1 − β2^t, 1 − β1, 1 − β2 and (adamw) 1 − lr·wd fed by the engine, all
// computed in float64 and rounded once (schedule.ts), as PyTorch's Python-float arithmetic does.
import type { Emitter } from './emit.js'
import { StepFeeds, type OptimizerKind } from './types.js'

/** Slot names of a trainable tensor, in the order StepGraph.slots lists their families. */
export function slotNames (kind: OptimizerKind, param: string): string[] {
  return kind === 'sgd' ? [`momentum/${param}`] : [`m/${param}`, `v/${param}`]
}

export interface Update {
  readonly param: string
  /** By slot name. */
  readonly slots: Record<string, string>
}

/** Shared scalar expressions (1 − β1, …), emitted once per graph. */
export class OptimizerEmitter {
  private shared: Record<string, string> | undefined

  constructor (private readonly e: Emitter, readonly kind: OptimizerKind) {}

  private common (): Record<string, string> {
    if (this.shared) return this.shared
    const e = this.e
    if (this.kind === 'sgd') this.shared = {}
    else {
      this.shared = {
        oneMinusB1: StepFeeds.oneMinusBeta1,
        oneMinusB2: StepFeeds.oneMinusBeta2,
        stepSize: e.op('Div', [StepFeeds.lr, StepFeeds.biasCorrection1]),
        sqrtBc2: e.op('Sqrt', [StepFeeds.biasCorrection2]),
        ...(this.kind === 'adamw' ? { decay: StepFeeds.decayFactor } : {})
      }
    }
    return this.shared
  }

  /** Emit p' and the slots' next values under the given output names. */
  update (param: string, grad: string, nextName: (name: string) => string): void {
    const e = this.e
    const c = this.common()
    if (this.kind === 'sgd') {
      const [buf] = slotNames('sgd', param) as [string]
      const g = e.op('Add', [grad, e.op('Mul', [StepFeeds.weightDecay, param])])
      const next = e.op('Add', [e.op('Mul', [StepFeeds.momentum, buf]), g], {}, nextName(buf))
      e.op('Sub', [param, e.op('Mul', [StepFeeds.lr, next])], {}, nextName(param))
      return
    }
    const [m, v] = slotNames(this.kind, param) as [string, string]
    const base = this.kind === 'adamw' ? e.op('Mul', [param, c.decay as string]) : param
    const g = this.kind === 'adam' ? e.op('Add', [grad, e.op('Mul', [StepFeeds.weightDecay, param])]) : grad
    const mNext = e.op('Add', [e.op('Mul', [StepFeeds.beta1, m]), e.op('Mul', [c.oneMinusB1 as string, g])], {}, nextName(m))
    const vNext = e.op('Add', [e.op('Mul', [StepFeeds.beta2, v]), e.op('Mul', [c.oneMinusB2 as string, e.op('Mul', [g, g])])], {}, nextName(v))
    const denom = e.op('Add', [e.op('Div', [e.op('Sqrt', [vNext]), c.sqrtBc2 as string]), StepFeeds.epsilon])
    e.op('Sub', [base, e.op('Mul', [c.stepSize as string, e.op('Div', [mNext, denom])])], {}, nextName(param))
  }

  /** A trainable tensor no gradient reaches: it and its slots pass through unchanged (PyTorch skips it). */
  passThrough (param: string, nextName: (name: string) => string): void {
    for (const name of [param, ...slotNames(this.kind, param)]) this.e.op('Identity', [name], {}, nextName(name))
  }
}
