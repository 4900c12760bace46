// Bring-your-own-model training: reverse-mode autodiff of a client's ONNX graph into one training-step
// graph (step-graph.ts), the optimizer scalars and learning-rate schedule (schedule.ts), and the
// contract types the engine (../engine-graph.ts) is written against (types.ts).
export { buildStepGraph, dropoutMaskFeed, UnsupportedModelError } from './step-graph.js'
export { lrAt, biasCorrection, scalarFeedNames, stepScalars } from './schedule.js'
export { inferShapes, ShapeError, type Dim, type Shape } from './shapes.js'
export { SUPPORTED_OPS, STEP_GRAPH_OPS, MIN_OPSET, MAX_OPSET, isSupportedOp } from './supported.js'
export * from './types.js'
