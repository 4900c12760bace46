// The gradient rule of every supported forward op (SUPPORTED_OPS), by op type.
import type { SupportedOp } from '../supported.js'
import { gemm, matmul } from './linear.js'
import { add, sub, mul, div } from './elementwise.js'
import { relu, leakyRelu, sigmoid, tanh, softmax, logSoftmax } from './activations.js'
import { conv } from './conv.js'
import { maxPool, averagePool, globalAveragePool } from './pool.js'
import { reshapeLike, transpose, concat, pad, identity, constant } from './layout.js'
import { batchNormalization } from './normalization.js'
import { dropout } from './dropout.js'
import type { GradientRule } from './types.js'

export const RULES: Readonly<Record<SupportedOp, GradientRule>> = {
  Gemm: gemm,
  MatMul: matmul,
  Add: add,
  Sub: sub,
  Mul: mul,
  Div: div,
  Relu: relu,
  LeakyRelu: leakyRelu,
  Sigmoid: sigmoid,
  Tanh: tanh,
  Softmax: softmax,
  LogSoftmax: logSoftmax,
  Conv: conv,
  MaxPool: maxPool,
  AveragePool: averagePool,
  GlobalAveragePool: globalAveragePool,
  Pad: pad,
  Flatten: reshapeLike,
  Reshape: reshapeLike,
  Transpose: transpose,
  Concat: concat,
  Identity: identity,
  Constant: constant,
  BatchNormalization: batchNormalization,
  Dropout: dropout
}

export { BATCHNORM_BUFFER_SLOTS } from './normalization.js'
export { dropoutRatio } from './dropout.js'
export type { GradientRule, RuleContext, Mode } from './types.js'
