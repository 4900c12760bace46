// The three ONNX graphs of an MLP job, written by hand (see onnx/proto.ts for why):
//   • the training step: forward, hand-derived backward, SGD-with-momentum update, in ONE graph, so a
//     step is one InferenceSession.run and the runtime holds no hidden optimizer state;
//   • evaluation: forward only, weights as inputs, returns summed loss and correct count;
//   • inference export: forward only, weights baked in as initializers, the file a client receives.
//
// Maths (batch of n rows, one-hot targets Y, layers l = 1..L):
//   z_l = h_{l-1}·W_l + b_l,  h_0 = x,  h_l = relu(z_l) for l < L,  logits = z_L
//   loss = −(1/n) Σ_rows Σ_classes Y ⊙ logsoftmax(logits)
//   ∂loss/∂z_L = (softmax(logits) − Y) / n
//   ∂W_l = h_{l-1}ᵀ·∂z_l,  ∂b_l = Σ_rows ∂z_l,  ∂h_{l-1} = ∂z_l·W_lᵀ,  ∂z_{l-1} = ∂h_{l-1} ⊙ [z_{l-1} > 0]
//   (the ReLU derivative at exactly 0 is taken as 0)
//   v' = momentum·v + g,  p' = p − lr·v'          (PyTorch's SGD momentum convention, no dampening)
import { GraphBuilder, attr } from './onnx/graph.js'
import { OnnxDataType } from './onnx/proto.js'
import { parameterLayout, type LayerSizes } from './mlp.js'

/** Graph value names shared by the graphs and the engines that feed them. */
export const StepNames = {
  x: 'x',
  y: 'y_onehot',
  learningRate: 'lr',
  momentum: 'momentum',
  loss: 'loss',
  correct: 'correct',
  lossSum: 'loss_sum',
  logits: 'logits',
  probabilities: 'probabilities',
  velocity: (param: string) => `v_${param}`,
  nextParam: (param: string) => `${param}_next`,
  nextVelocity: (param: string) => `v_${param}_next`
} as const

const BATCH = 'N'

interface Forward {
  /** z_l for l = 1..L (index l-1). */
  preActivations: string[]
  /** h_l for l = 0..L-1. */
  activations: string[]
  logits: string
}

function forward(g: GraphBuilder, layers: LayerSizes, x: string, param: (name: string) => string): Forward {
  const preActivations: string[] = []
  const activations: string[] = [x]
  const depth = layers.length - 1
  let h = x
  for (let l = 1; l <= depth; l++) {
    const z = g.op('Gemm', [h, param(`W${l}`), param(`b${l}`)], {}, l === depth ? StepNames.logits : `z${l}`)
    preActivations.push(z)
    if (l < depth) {
      h = g.op('Relu', [z], {}, `h${l}`)
      activations.push(h)
    }
  }
  return { preActivations, activations, logits: preActivations[depth - 1] as string }
}

/** Σ over the batch of the per-row cross-entropy, and the number of rows whose argmax is the target. */
function lossAndCorrect(g: GraphBuilder, logits: string, y: string): { logProbs: string; ceSum: string; correct: string } {
  const logProbs = g.op('LogSoftmax', [logits], { axis: attr.int(1) }, 'log_probs')
  const picked = g.op('Mul', [y, logProbs])
  const negSum = g.op('ReduceSum', [picked], { keepdims: attr.int(0) }) // no axes input: all axes
  const ceSum = g.op('Neg', [negSum], {}, 'ce_sum')
  const predicted = g.op('ArgMax', [logits], { axis: attr.int(1), keepdims: attr.int(0) }, 'predicted')
  const target = g.op('ArgMax', [y], { axis: attr.int(1), keepdims: attr.int(0) }, 'target')
  const hits = g.op('Cast', [g.op('Equal', [predicted, target])], { to: attr.int(OnnxDataType.FLOAT) })
  const correct = g.op('ReduceSum', [hits], { keepdims: attr.int(0) }, StepNames.correct)
  return { logProbs, ceSum, correct }
}

/**
 * One SGD-with-momentum training step as an ONNX model.
 * Inputs: every parameter (W1, b1, ...), its velocity (v_W1, ...), x [N, d0], y_onehot [N, C],
 * lr [] and momentum [] (float32 scalars). Outputs: W1_next, ..., v_W1_next, ..., loss [] (mean
 * cross-entropy of the batch, before the update), correct [] (rows predicted right, as float).
 * N is symbolic, so a short last batch uses the same model.
 */
export function buildTrainingStepModel(layers: LayerSizes): Uint8Array {
  const params = parameterLayout(layers)
  const g = new GraphBuilder('cyxwiz_mlp_train_step')
  for (const p of params) g.input(p.name, p.dims)
  for (const p of params) g.input(StepNames.velocity(p.name), p.dims)
  const inputWidth = layers[0] as number
  const classes = layers[layers.length - 1] as number
  const x = g.input(StepNames.x, [BATCH, inputWidth])
  const y = g.input(StepNames.y, [BATCH, classes])
  const lr = g.input(StepNames.learningRate, [])
  const momentum = g.input(StepNames.momentum, [])

  const zero = g.floatConstant('zero', [0], [])
  const axisRows = g.int64Constant('axis_rows', [0], [1])
  const index0 = g.int64Constant('index0', [0], [])

  const fwd = forward(g, layers, x, (n) => n)
  const { logProbs, ceSum, correct } = lossAndCorrect(g, fwd.logits, y)

  // 1/n as a scalar from the runtime batch size, so the last (short) batch averages correctly.
  const rows = g.op('Cast', [g.op('Gather', [g.op('Shape', [x]), index0], { axis: attr.int(0) })], { to: attr.int(OnnxDataType.FLOAT) }, 'rows')
  const invRows = g.op('Reciprocal', [rows], {}, 'inv_rows')
  g.op('Mul', [ceSum, invRows], {}, StepNames.loss)

  // ∂loss/∂logits = (softmax − Y)/n
  const probs = g.op('Exp', [logProbs], {}, 'probs')
  let dz = g.op('Mul', [g.op('Sub', [probs, y]), invRows], {}, `dz${layers.length - 1}`)

  const grads = new Map<string, string>()
  for (let l = layers.length - 1; l >= 1; l--) {
    const hPrev = fwd.activations[l - 1] as string
    grads.set(`W${l}`, g.op('Gemm', [hPrev, dz], { transA: attr.int(1) }, `grad_W${l}`))
    grads.set(`b${l}`, g.op('ReduceSum', [dz, axisRows], { keepdims: attr.int(0) }, `grad_b${l}`))
    if (l > 1) {
      const dh = g.op('Gemm', [dz, `W${l}`], { transB: attr.int(1) }, `dh${l - 1}`)
      const active = g.op('Greater', [fwd.preActivations[l - 2] as string, zero], {}, `active${l - 1}`)
      dz = g.op('Where', [active, dh, zero], {}, `dz${l - 1}`)
    }
  }

  for (const p of params) {
    const grad = grads.get(p.name) as string
    const v = g.op('Mul', [StepNames.velocity(p.name), momentum])
    const vNext = g.op('Add', [v, grad], {}, StepNames.nextVelocity(p.name))
    g.op('Sub', [p.name, g.op('Mul', [vNext, lr])], {}, StepNames.nextParam(p.name))
  }

  for (const p of params) g.output(StepNames.nextParam(p.name), p.dims)
  for (const p of params) g.output(StepNames.nextVelocity(p.name), p.dims)
  g.output(StepNames.loss, [])
  g.output(correct, [])
  return g.toModelBytes({ docString: `cyxwiz MLP training step, layers ${layers.join('-')}` })
}

/**
 * Forward-only evaluation with the parameters as inputs (so one session serves every checkpoint).
 * Outputs: loss_sum [] (Σ of per-row cross-entropy), correct [].
 */
export function buildEvaluationModel(layers: LayerSizes): Uint8Array {
  const params = parameterLayout(layers)
  const g = new GraphBuilder('cyxwiz_mlp_evaluate')
  for (const p of params) g.input(p.name, p.dims)
  const x = g.input(StepNames.x, [BATCH, layers[0] as number])
  const y = g.input(StepNames.y, [BATCH, layers[layers.length - 1] as number])
  const fwd = forward(g, layers, x, (n) => n)
  const { ceSum, correct } = lossAndCorrect(g, fwd.logits, y)
  g.op('Identity', [ceSum], {}, StepNames.lossSum)
  g.output(StepNames.lossSum, [])
  g.output(correct, [])
  return g.toModelBytes({ docString: `cyxwiz MLP evaluation, layers ${layers.join('-')}` })
}

/**
 * The trained model as a standard inference ONNX file: input x [N, d0]; outputs logits [N, C] and
 * probabilities [N, C] (softmax). The weights are initializers, so the file stands alone.
 */
export function buildInferenceModel(
  layers: LayerSizes,
  weights: readonly Float32Array[],
  metadata: Record<string, string> = {}
): Uint8Array {
  const params = parameterLayout(layers)
  if (weights.length !== params.length) throw new Error(`expected ${params.length} parameter tensors, got ${weights.length}`)
  const g = new GraphBuilder('cyxwiz_mlp_inference')
  const x = g.input(StepNames.x, [BATCH, layers[0] as number])
  params.forEach((p, i) => {
    const w = weights[i] as Float32Array
    if (w.length !== p.size) throw new Error(`${p.name}: expected ${p.size} values, got ${w.length}`)
    g.floatConstant(p.name, w, p.dims)
  })
  const fwd = forward(g, layers, x, (n) => n)
  g.op('Softmax', [fwd.logits], { axis: attr.int(1) }, StepNames.probabilities)
  const classes = layers[layers.length - 1] as number
  g.output(StepNames.logits, [BATCH, classes])
  g.output(StepNames.probabilities, [BATCH, classes])
  return g.toModelBytes({ docString: `cyxwiz MLP inference, layers ${layers.join('-')}`, metadata })
}
