// The float32 engine: the training-step and evaluation graphs of graphs.ts run by onnxruntime, either
// the native Node binding (backend 'native') or the WebAssembly build (backend 'portable', the same
// bits on every CPU). One intra-op thread: fastest on small MLPs on 2 cores, and the thread count is
// part of the determinism profile.
import * as ortNode from 'onnxruntime-node'
import { buildEvaluationModel, buildTrainingStepModel, StepNames } from './graphs.js'
import { parameterLayout, type LayerSizes, type ParameterInfo } from './mlp.js'
import { ONNX_OPSET } from './onnx/graph.js'
import { detectCpuClass, type DeterminismProfile } from './profile.js'
import type { FloatBackend } from './spec.js'
import type { Batch, EvaluationResult, StepResult, TensorValues, TrainingEngine } from './engine.js'

type Ort = typeof ortNode
type Session = ortNode.InferenceSession
type Tensor = ortNode.Tensor

const GRAPH_OPTIMIZATION = 'all' as const

let webModule: Promise<Ort> | undefined

async function runtimeFor(backend: FloatBackend): Promise<Ort> {
  if (backend === 'native') return ortNode
  webModule ??= import('onnxruntime-web').then((m) => {
    const ort = m as unknown as Ort
    // Single-threaded wasm, no proxy worker: deterministic and loadable in plain Node.
    ort.env.wasm.numThreads = 1
    ort.env.wasm.proxy = false
    return ort
  })
  return webModule
}

export function sessionOptions(): ortNode.InferenceSession.SessionOptions {
  return {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: GRAPH_OPTIMIZATION
  }
}

export function floatProfile(backend: FloatBackend, ort: Ort): DeterminismProfile {
  const versions = ort.env.versions as Record<string, string | undefined>
  return {
    numeric: 'float32',
    runtime: backend === 'native' ? 'onnxruntime-node' : 'onnxruntime-web',
    runtimeVersion: (backend === 'native' ? versions.node : versions.web) ?? versions.common ?? 'unknown',
    backend: backend === 'native' ? 'cpu' : 'wasm',
    arch: process.arch,
    cpuClass: backend === 'native' ? detectCpuClass() : 'any',
    intraOpThreads: 1,
    graphOptimization: GRAPH_OPTIMIZATION,
    opset: ONNX_OPSET
  }
}

function asFloat(values: TensorValues, name: string): Float32Array {
  if (!(values instanceof Float32Array)) throw new Error(`${name}: the float32 engine takes Float32Array tensors`)
  return values
}

export class OrtTrainingEngine implements TrainingEngine {
  private readonly layout: ParameterInfo[]
  private readonly scalars: { lr: Tensor; momentum: Tensor }

  private constructor(
    private readonly ort: Ort,
    private readonly stepSession: Session,
    private readonly evalSession: Session,
    readonly layers: LayerSizes,
    learningRate: number,
    momentum: number,
    readonly profile: DeterminismProfile
  ) {
    this.layout = parameterLayout(layers)
    // The spec's numbers as float32 scalars: the rounding to float32 is part of the step's definition.
    this.scalars = {
      lr: new ort.Tensor('float32', Float32Array.of(learningRate), []),
      momentum: new ort.Tensor('float32', Float32Array.of(momentum), [])
    }
  }

  static async create(layers: LayerSizes, optimizer: { learningRate: number; momentum: number }, backend: FloatBackend): Promise<OrtTrainingEngine> {
    const ort = await runtimeFor(backend)
    const options = sessionOptions()
    const stepSession = await ort.InferenceSession.create(buildTrainingStepModel(layers), options)
    const evalSession = await ort.InferenceSession.create(buildEvaluationModel(layers), options)
    return new OrtTrainingEngine(ort, stepSession, evalSession, layers, optimizer.learningRate, optimizer.momentum, floatProfile(backend, ort))
  }

  encodeParameters(parameters: readonly Float32Array[]): TensorValues[] {
    return parameters.map((p) => p.slice())
  }

  decodeParameters(parameters: readonly TensorValues[]): Float32Array[] {
    return parameters.map((p, i) => asFloat(p, this.layout[i]?.name ?? '?').slice())
  }

  zeroVelocities(): TensorValues[] {
    return this.layout.map((p) => new Float32Array(p.size))
  }

  private parameterFeeds(feeds: Record<string, Tensor>, values: readonly TensorValues[], name: (p: string) => string): void {
    if (values.length !== this.layout.length) throw new Error(`expected ${this.layout.length} tensors, got ${values.length}`)
    this.layout.forEach((p, i) => {
      const data = asFloat(values[i] as TensorValues, p.name)
      if (data.length !== p.size) throw new Error(`${p.name}: expected ${p.size} values, got ${data.length}`)
      feeds[name(p.name)] = new this.ort.Tensor('float32', data, p.dims as number[])
    })
  }

  private batchFeeds(feeds: Record<string, Tensor>, batch: Batch): void {
    const inputWidth = this.layers[0] as number
    const classes = this.layers[this.layers.length - 1] as number
    feeds[StepNames.x] = new this.ort.Tensor('float32', batch.features, [batch.rows, inputWidth])
    feeds[StepNames.y] = new this.ort.Tensor('float32', batch.targets, [batch.rows, classes])
  }

  async step(parameters: readonly TensorValues[], velocities: readonly TensorValues[], batch: Batch): Promise<StepResult> {
    const feeds: Record<string, Tensor> = {}
    this.parameterFeeds(feeds, parameters, (n) => n)
    this.parameterFeeds(feeds, velocities, StepNames.velocity)
    this.batchFeeds(feeds, batch)
    feeds[StepNames.learningRate] = this.scalars.lr
    feeds[StepNames.momentum] = this.scalars.momentum
    const out = await this.stepSession.run(feeds)
    const read = stepOutputReader(out)
    return {
      parameters: this.layout.map((p) => read(StepNames.nextParam(p.name))),
      velocities: this.layout.map((p) => read(StepNames.nextVelocity(p.name))),
      loss: read(StepNames.loss)[0] as number,
      correct: read(StepNames.correct)[0] as number
    }
  }

  async evaluate(parameters: readonly TensorValues[], batch: Batch): Promise<EvaluationResult> {
    const feeds: Record<string, Tensor> = {}
    this.parameterFeeds(feeds, parameters, (n) => n)
    this.batchFeeds(feeds, batch)
    const out = await this.evalSession.run(feeds)
    return {
      lossSum: (out[StepNames.lossSum]?.data as Float32Array)[0] as number,
      correct: (out[StepNames.correct]?.data as Float32Array)[0] as number,
      rows: batch.rows
    }
  }

  async close(): Promise<void> {
    await this.stepSession.release()
    await this.evalSession.release()
  }
}

/** Reads a training step's named float output, refusing a step that did not produce it. */
export function stepOutputReader (out: Record<string, { data: unknown }>): (name: string) => Float32Array {
  return (name) => {
    const t = out[name]
    if (t === undefined) throw new Error(`training step produced no ${name}`)
    return t.data as Float32Array
  }
}
