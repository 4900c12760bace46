// The door of bring-your-own-model's model room: checking a client's ONNX model (what it is, what it
// costs, whether cyxwiz can train it), the static shape inference that check rests on, and writing
// the trained model back into the client's own bytes.
export {
  checkModel,
  checkIrModel,
  assertModelSupported,
  formatModelReport,
  classifyInitializers,
  typeName,
  ModelCheckError,
  OPTIMIZER_FACTOR,
  DEFAULT_CHECK_BATCH
} from './check.js'
export type { ModelReport, ModelProblem, ProblemKind, TensorSummary, OpUse } from './check.js'
export { inferShapes, inferShapesDetailed, elementCount, ShapeInferenceError } from './shapes.js'
export type { ValueShape, ShapeInference } from './shapes.js'
export { writeTrainedModel, locateInitializers, ModelPatchError } from './patch.js'
export type { InitializerLocation } from './patch.js'
export { ModelDecodeError } from '../onnx/decode.js'
