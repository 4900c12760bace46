// Initial parameters from the spec's seed.
//
// Scheme (documented because a verifier recomputes it): He/Kaiming-uniform for weights, zero biases.
//   For W_l with fan-in f: a = sqrt(6 / f); each entry, in row-major order, is
//   float32((2u − 1) · a) where u = nextUnit() of the stream prngStream(seed, "init", l).
// Only +, −, ×, / and sqrt are used, all correctly rounded IEEE operations, so the values are the
// same on every CPU and JavaScript engine. Velocities start at zero.
import { parameterLayout, type LayerSizes } from './mlp.js'
import { prngStream } from './prng.js'

export function initialParameters(layers: LayerSizes, seed: number): Float32Array[] {
  return parameterLayout(layers).map((p) => {
    const out = new Float32Array(p.size)
    if (p.kind === 'bias') return out
    const fanIn = p.dims[0] as number
    const bound = Math.sqrt(6 / fanIn)
    const rng = prngStream(seed, 'init', p.layer)
    for (let i = 0; i < out.length; i++) out[i] = (2 * rng.nextUnit() - 1) * bound
    return out
  })
}

export function zeroVelocities(layers: LayerSizes): Float32Array[] {
  return parameterLayout(layers).map((p) => new Float32Array(p.size))
}
