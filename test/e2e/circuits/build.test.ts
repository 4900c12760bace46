/**
 * The incremental circuit build: a second run is a one-line no-op, the manifest matches the r1cs,
 * the domain stays within the CI budget, the setup is labelled development-only, and the setup
 * method is part of the cache key.
 */
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { DEV_SETUP_LABEL, buildCircuits, circuitFiles, circuitSources, circuitsHash, readBuildManifest, readR1csHeader, requiredPower, setupMethod } from '../../../circuits/index.js'

/**
 * Largest domain the test suite may need: 2^16 (checkpoint_step, 56,512 constraints). The direct
 * development setup (the default) takes seconds at that size; the ptau method's development Powers
 * of Tau takes half an hour on 2 cores at 2^16 and twice that at 2^17 (docs/proofs.md).
 */
const CI_MAX_POWER = 16

describe('circuits: build', function () {
  before(async function () {
    this.timeout(20 * 60_000)
    await buildCircuits({ log: () => {} })
  })

  it('is a one-line no-op when nothing changed', async () => {
    const lines: string[] = []
    const m = await buildCircuits({ log: (l) => { lines.push(l) } })
    assert.deepEqual(lines, ['circuits up to date'])
    assert.equal(m.hash, circuitsHash().hash)
  })

  it('builds every circuit in circuits/src and records what it built', () => {
    const m = readBuildManifest()
    assert.ok(m !== null)
    assert.deepEqual(Object.keys(m.circuits).sort(), [...circuitSources().keys()].sort())
    assert.match(m.setup, /DEVELOPMENT-ONLY/)
    assert.equal(m.setup, DEV_SETUP_LABEL)
    for (const [name, info] of Object.entries(m.circuits)) {
      const files = circuitFiles(name)
      for (const f of Object.values(files)) assert.ok(existsSync(f), f)
      const h = readR1csHeader(files.r1cs)
      assert.equal(info.constraints, h.constraints)
      assert.equal(info.power, requiredPower(h))
      assert.ok(2 ** info.power >= h.constraints + h.publicInputs + h.outputs + 1)
      assert.ok(info.power <= CI_MAX_POWER, `${name}: domain 2^${info.power} exceeds the CI budget 2^${CI_MAX_POWER}`)
      if (m.ptau !== null) assert.ok(m.ptau.power >= info.power)
    }
    assert.equal(m.setupMethod, setupMethod())
    assert.equal(m.ptau === null, m.setupMethod === 'direct')
  })

  it('keys the cache by the setup method, so switching methods never reuses the other\'s keys', () => {
    assert.notEqual(circuitsHash('direct').hash, circuitsHash('ptau').hash)
    assert.equal(circuitsHash('direct').hash, circuitsHash('direct').hash)
  })

  it('computes the smallest power snarkjs accepts', () => {
    assert.equal(requiredPower({ constraints: 1452, publicInputs: 4, outputs: 0 }), 11)
    assert.equal(requiredPower({ constraints: 2043, publicInputs: 4, outputs: 0 }), 11)
    assert.equal(requiredPower({ constraints: 2044, publicInputs: 4, outputs: 0 }), 12)
  })
})
