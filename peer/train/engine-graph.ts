// The float32 engine of a client's own ONNX model: the step and evaluation graphs that autodiff derives
// from the model (autodiff/step-graph.ts) run by onnxruntime-node with the session options of the MLP
// engine (engine-ort.ts: one intra-op thread, sequential, the same graph optimisation level), so a
// step is one run() and the runtime holds no hidden state.
//
// The TrainingEngine interface is kept: `parameters` are the model's float initializers in
// StepGraph.initializers order (trainable weights AND buffers such as BatchNorm running statistics),
// and `velocities` are the optimizer slots in StepGraph.slots order (sgd: momentum buffers; adam and
// adamw: first then second moments) — the interface's name is historical.
//
// Per-step inputs the engine computes (a verifier recomputes them the same way):
//   • the optimizer scalars of global step s (autodiff/schedule.ts), computed in float64 and rounded
//     to float32 when fed;
//   • Dropout masks: for each Dropout site, the mask of step s is drawn from
//     prngStream(seed, `dropout/${site.node}`, s) (prng.ts): one nextUnit() per mask element in
//     row-major order of the mask shape (batch first), element = 1 when the draw is ≥ ratio, else 0.
// The engine therefore needs the global step: TrainingEngine.step's optional `context` (engine.ts).
import * as ort from 'onnxruntime-node'
import { buildStepGraph } from './autodiff/step-graph.js'
import { scalarFeedNames, stepScalars } from './autodiff/schedule.js'
import { StepFeeds, StepOutputs, type DropoutSite, type LrSchedule, type OptimizerSpec, type StateTensorInfo, type StepGraph, type StepGraphRecipe } from './autodiff/types.js'
import type { IrDim } from './onnx/ir.js'
import { decodeModel } from './onnx/decode.js'
import { floatProfile, sessionOptions, stepOutputReader } from './engine-ort.js'
import type { Batch, EvaluationResult, StepContext, StepResult, TensorValues, TrainingEngine } from './engine.js'
import { prngStream } from './prng.js'
import type { DeterminismProfile } from './profile.js'

type Tensor = ort.Tensor

/** How the run is laid out: what the LR schedule needs. */
export interface RunPlan {
  readonly stepsPerEpoch: number
  readonly totalSteps: number
}

/** Supplies a Dropout mask (float32 0/1 of the site's shape with N = rows) instead of the seed draw. */
export type MaskSource = (site: DropoutSite, globalStep: number, rows: number) => Float32Array

export interface GraphEngineOptions {
  /** Replaces the seed draw of dropout masks (e.g. replaying a PyTorch trace). */
  readonly masks?: MaskSource
}

const size = (dims: readonly number[]): number => dims.reduce((n, d) => n * d, 1)

/** A shape with the batch symbol(s) replaced by `rows`. */
export function concreteShape (shape: readonly IrDim[], rows: number, what: string): number[] {
  return shape.map((d) => {
    if (typeof d === 'number') return d
    if (d === 'N') return rows
    throw new Error(`${what}: dimension ${String(d)} is not fixed`)
  })
}

/** The Dropout mask of one site and global step, drawn from the job's seed (see the header). */
export function dropoutMask (seed: number, site: DropoutSite, globalStep: number, rows: number): Float32Array {
  const n = size(concreteShape(site.shape, rows, `dropout ${site.node}`))
  const rng = prngStream(seed, `dropout/${site.node}`, globalStep)
  const mask = new Float32Array(n)
  for (let i = 0; i < n; i++) mask[i] = rng.nextUnit() >= site.ratio ? 1 : 0
  return mask
}

function asFloat (values: TensorValues, name: string): Float32Array {
  if (!(values instanceof Float32Array)) throw new Error(`${name}: the graph engine takes Float32Array tensors`)
  return values
}

export class GraphTrainingEngine implements TrainingEngine {
  private constructor (
    private readonly stepSession: ort.InferenceSession,
    private readonly evalSession: ort.InferenceSession,
    readonly graph: StepGraph,
    readonly recipe: StepGraphRecipe,
    readonly optimizer: OptimizerSpec,
    readonly schedule: LrSchedule,
    readonly seed: number,
    readonly plan: RunPlan,
    private readonly initial: readonly Float32Array[],
    private readonly options: GraphEngineOptions,
    readonly profile: DeterminismProfile
  ) {}

  /** Derive the graphs of `modelBytes` and open their sessions. */
  static async create (
    modelBytes: Uint8Array,
    recipe: StepGraphRecipe,
    optimizer: OptimizerSpec,
    schedule: LrSchedule,
    seed: number,
    plan: RunPlan,
    options: GraphEngineOptions = {}
  ): Promise<GraphTrainingEngine> {
    if (recipe.optimizer !== optimizer.kind) throw new Error(`recipe optimizer ${recipe.optimizer} ≠ optimizer spec ${optimizer.kind}`)
    if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`seed must be a non-negative safe integer, got ${seed}`)
    const model = decodeModel(modelBytes)
    const graph = buildStepGraph(model, modelBytes, recipe)
    const byName = new Map(model.initializers.map((t) => [t.name, t]))
    const initial = graph.initializers.map((s) => {
      const v = byName.get(s.name)?.values
      if (!(v instanceof Float32Array)) throw new Error(`initializer ${s.name} has no float32 values`)
      return v.slice()
    })
    const stepSession = await ort.InferenceSession.create(graph.bytes, sessionOptions())
    const evalSession = await ort.InferenceSession.create(graph.evalBytes, sessionOptions())
    return new GraphTrainingEngine(stepSession, evalSession, graph, recipe, optimizer, schedule, seed, plan, initial, options, floatProfile('native', ort))
  }

  /** The model's own initial values of `parameters` (its initializers, in StepGraph.initializers order). */
  initialParameters (): Float32Array[] {
    return this.initial.map((p) => p.slice())
  }

  encodeParameters (parameters: readonly Float32Array[]): TensorValues[] {
    return parameters.map((p) => p.slice())
  }

  decodeParameters (parameters: readonly TensorValues[]): Float32Array[] {
    return parameters.map((p, i) => asFloat(p, this.graph.initializers[i]?.name ?? '?').slice())
  }

  zeroVelocities (): TensorValues[] {
    return this.graph.slots.map((s) => new Float32Array(size(s.dims)))
  }

  private stateFeeds (feeds: Record<string, Tensor>, infos: readonly StateTensorInfo[], values: readonly TensorValues[], what: string): void {
    if (values.length !== infos.length) throw new Error(`expected ${infos.length} ${what} tensors, got ${values.length}`)
    infos.forEach((s, i) => {
      const data = asFloat(values[i] as TensorValues, s.name)
      if (data.length !== size(s.dims)) throw new Error(`${s.name}: expected ${size(s.dims)} values, got ${data.length}`)
      feeds[s.name] = new ort.Tensor('float32', data, [...s.dims])
    })
  }

  private batchFeeds (feeds: Record<string, Tensor>, batch: Batch): void {
    const xDims = concreteShape(this.graph.input.shape, batch.rows, 'model input')
    if (batch.features.length !== size(xDims)) throw new Error(`batch features: expected ${size(xDims)} values for ${batch.rows} rows of [${xDims.slice(1).join('×')}], got ${batch.features.length}`)
    feeds[StepFeeds.x] = new ort.Tensor('float32', batch.features, xDims)
    if (this.recipe.loss === 'ce') {
      if (batch.labels.length !== batch.rows) throw new Error(`batch labels: expected ${batch.rows}, got ${batch.labels.length}`)
      feeds[StepFeeds.y] = new ort.Tensor('int64', BigInt64Array.from(batch.labels, (v) => BigInt(v)), [batch.rows])
    } else {
      const yDims = concreteShape(this.graph.output.shape, batch.rows, 'model output')
      if (batch.targets.length !== size(yDims)) throw new Error(`batch targets: expected ${size(yDims)} values, got ${batch.targets.length}`)
      feeds[StepFeeds.y] = new ort.Tensor('float32', batch.targets, yDims)
    }
  }

  /** The scalar feeds of global step `step` (float32). */
  scalarFeeds (step: number): Record<string, Tensor> {
    const values = stepScalars(this.optimizer, this.schedule, step, this.plan.stepsPerEpoch, this.plan.totalSteps)
    const feeds: Record<string, Tensor> = {}
    for (const name of scalarFeedNames(this.recipe.optimizer)) {
      const v = values[name]
      if (v === undefined) throw new Error(`no value for scalar feed ${name}`)
      feeds[name] = new ort.Tensor('float32', Float32Array.of(v), [])
    }
    return feeds
  }

  async step (parameters: readonly TensorValues[], velocities: readonly TensorValues[], batch: Batch, context?: StepContext): Promise<StepResult> {
    if (context === undefined) throw new Error('the graph engine needs the global step index (step(..., { step }))')
    const feeds: Record<string, Tensor> = this.scalarFeeds(context.step)
    this.stateFeeds(feeds, this.graph.initializers, parameters, 'parameter')
    this.stateFeeds(feeds, this.graph.slots, velocities, 'optimizer slot')
    this.batchFeeds(feeds, batch)
    for (const site of this.graph.dropouts) {
      const dims = concreteShape(site.shape, batch.rows, `dropout ${site.node}`)
      const mask = this.options.masks ? this.options.masks(site, context.step, batch.rows) : dropoutMask(this.seed, site, context.step, batch.rows)
      if (mask.length !== size(dims)) throw new Error(`dropout ${site.node}: mask has ${mask.length} values, expected ${size(dims)}`)
      feeds[site.maskInput] = new ort.Tensor('float32', mask, dims)
    }
    const out = await this.stepSession.run(feeds)
    const read = stepOutputReader(out)
    return {
      parameters: this.graph.initializers.map((s) => read(StepOutputs.next(s.name))),
      velocities: this.graph.slots.map((s) => read(StepOutputs.next(s.name))),
      loss: read(StepOutputs.loss)[0] as number,
      correct: read(StepOutputs.correct)[0] as number
    }
  }

  async evaluate (parameters: readonly TensorValues[], batch: Batch): Promise<EvaluationResult> {
    const feeds: Record<string, Tensor> = {}
    this.stateFeeds(feeds, this.graph.initializers, parameters, 'parameter')
    this.batchFeeds(feeds, batch)
    const out = await this.evalSession.run(feeds)
    const lossSum = out[StepOutputs.lossSum]?.data as Float32Array | undefined
    const correct = out[StepOutputs.correct]?.data as Float32Array | undefined
    if (lossSum === undefined || correct === undefined) throw new Error('evaluation graph produced no loss sum or correct count')
    return { lossSum: lossSum[0] as number, correct: correct[0] as number, rows: batch.rows }
  }

  async close (): Promise<void> {
    await this.stepSession.release()
    await this.evalSession.release()
  }
}
