// The op sets of bring-your-own-model, in one place: what a client's forward graph may use (each
// with a gradient rule in rules/), and what the derived training-step graph itself may contain (the
// tests' float64 reference evaluator implements exactly this second set).

/** Forward ops a client's model may contain (default ONNX domain, opset 13–17). */
export const SUPPORTED_OPS = [
  'Gemm', 'MatMul', 'Add', 'Sub', 'Mul', 'Div',
  'Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Softmax', 'LogSoftmax',
  'Conv', 'MaxPool', 'AveragePool', 'GlobalAveragePool', 'Pad',
  'Flatten', 'Reshape', 'Transpose', 'Concat', 'Identity', 'Constant',
  'BatchNormalization', 'Dropout'
] as const
export type SupportedOp = (typeof SUPPORTED_OPS)[number]

export const MIN_OPSET = 13
export const MAX_OPSET = 17

/**
 * Every op the derived step and evaluation graphs may use (forward, loss, backward, optimizer). A
 * gradient rule that needs another op must add it here and to the reference evaluator.
 */
export const STEP_GRAPH_OPS = [
  ...SUPPORTED_OPS,
  'Neg', 'Exp', 'Log', 'Sqrt', 'Reciprocal', 'Pow', 'Abs', 'Sign',
  'ReduceSum', 'ReduceMean', 'ReduceMax', 'ArgMax',
  'Equal', 'Greater', 'Less', 'Not', 'And', 'Where', 'Cast',
  'Shape', 'Gather', 'Slice', 'Unsqueeze', 'Squeeze', 'Expand', 'Tile', 'ConstantOfShape', 'Range',
  'ConvTranspose', 'MaxUnpool', 'ScatterElements', 'GatherElements', 'OneHot', 'Max', 'Min', 'Clip'
] as const

export function isSupportedOp (opType: string, domain = ''): opType is SupportedOp {
  return domain === '' && (SUPPORTED_OPS as readonly string[]).includes(opType)
}
