/**
 * The incremental circuit build: a second run is a one-line no-op, the manifest matches the r1cs,
 * the Powers-of-Tau power stays within the CI budget, and the setup is labelled development-only.
 */
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { DEV_SETUP_LABEL, buildCircuits, circuitFiles, circuitSources, circuitsHash, readBuildManifest, readR1csHeader, requiredPower } from '../../circuits/index.js'

/**
 * Largest Powers of Tau the test suite may need: 2^16 (checkpoint_step, 56,512 constraints). Its
 * development ptau is generated once per machine (docs/proofs.md, "Build, keys and cache": minutes on
 * 2 cores); 2^17 would double that and is not budgeted for CI's 90 minutes.
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
      assert.ok(m.ptau.power >= info.power)
    }
    assert.ok(m.ptau.power <= CI_MAX_POWER, `Powers of Tau 2^${m.ptau.power} exceeds the CI budget 2^${CI_MAX_POWER}`)
  })

  it('computes the smallest power snarkjs accepts', () => {
    assert.equal(requiredPower({ constraints: 1452, publicInputs: 4, outputs: 0 }), 11)
    assert.equal(requiredPower({ constraints: 2043, publicInputs: 4, outputs: 0 }), 11)
    assert.equal(requiredPower({ constraints: 2044, publicInputs: 4, outputs: 0 }), 12)
  })
})
