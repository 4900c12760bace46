/**
 * The juror role's decision (peer/roles/juror.ts) from each outcome of the evidence fetch and of
 * the re-execution. The network fetch and the re-execution are test doubles here (the network is
 * outside this unit; the real fetch and spot checks run in the sim's cheat and dispute scenarios,
 * test/e2e/sim/sim-scenarios.test.ts). The ballot is the real commitment the program checks.
 */
import assert from 'node:assert/strict'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { voteCommitment } from '../../../protocols/index.js'
import { EvidenceError } from '../../../storage/index.js'
import { judgeEvidence, jurorBallot, sideOf, type JurorComponents } from '../../../peer/roles/juror.js'
import type { EvidenceFetch } from '../../../peer/evidence/index.js'

const cid = CID.createV1(0x71, await sha256.digest(new TextEncoder().encode('evidence'))).toString()

/** Test doubles: a fetch that answers `fetch`, a re-execution that answers `verdict`; both record their calls. */
function doubles (fetch: () => Promise<EvidenceFetch>, verdict: 'passed' | 'failed' | 'not-judged'): JurorComponents & { verified: number } {
  const c = {
    verified: 0,
    fetchEvidence: async () => await fetch(),
    verify: async (_cid: string, _seed: Uint8Array, checks: number) => {
      c.verified++
      return { verdict, selected: Array.from({ length: checks }, (_, i) => i), reasons: verdict === 'failed' ? ['segment 1 does not re-execute'] : [] }
    }
  }
  return c
}

const fetched: EvidenceFetch = { status: 'fetched', cid, blocks: 7, bytes: 700, attempts: 1, reached: ['holder'] }
const unavailable: EvidenceFetch = { status: 'unavailable', cid, blocks: 2, bytes: 200, attempts: 3, reached: [], reasons: ['no holder served every block'] }

describe('roles: the juror judges the evidence itself', () => {
  it('maps a re-execution of fetched evidence: passed → worker, failed → client, not judged here → no ballot (never unavailable)', () => {
    assert.equal(sideOf('passed'), 'worker')
    assert.equal(sideOf('failed'), 'client')
    assert.equal(sideOf('not-judged'), 'not-judged')
  })

  const cases: Array<[string, () => Promise<EvidenceFetch>, 'passed' | 'failed' | 'not-judged', string, number, boolean]> = [
    ['fetched, every segment re-executes', async () => fetched, 'passed', 'worker', 7, true],
    ['fetched, a segment does not re-execute', async () => fetched, 'failed', 'client', 7, true],
    ['fetched, this machine cannot judge', async () => fetched, 'not-judged', 'not-judged', 7, true],
    ['no holder served it after every attempt', async () => unavailable, 'passed', 'unavailable', 2, false],
    ['blocks arrived that do not hash to their CID', async () => { throw new EvidenceError('HASH_MISMATCH', 'block 3 does not hash to its CID') }, 'passed', 'client', 0, false],
    ['a block was not found in time', async () => { throw new EvidenceError('NOT_FOUND', 'block 3 not found') }, 'passed', 'unavailable', 0, false],
    ['the fetch failed otherwise', async () => { throw new Error('connection reset') }, 'passed', 'unavailable', 0, false]
  ]
  for (const [name, fetch, verify, want, blocks, reExecuted] of cases) {
    it(`${name}: ${want}`, async () => {
      const c = doubles(fetch, verify)
      const f = await judgeEvidence(c, { cid, checks: 2, challengeSeed: new Uint8Array(32).fill(9) })
      assert.equal(f.verdict, want)
      assert.equal(f.blocks, blocks)
      assert.equal(c.verified, reExecuted ? 1 : 0, 'segments re-executed only from evidence fetched whole')
      assert.equal(f.segments.length, reExecuted ? 2 : 0)
      assert.ok(f.reasons.length > 0 || want === 'worker', 'every finding but a pass says why')
    })
  }

  it('a claim citing no valid CID is not judged (no ballot: nothing a worker could serve), and nothing is fetched', async () => {
    let fetches = 0
    const c = doubles(async () => { fetches++; return fetched }, 'passed')
    const f = await judgeEvidence(c, { cid: 'not-a-cid', checks: 2 })
    assert.equal(f.verdict, 'not-judged')
    assert.equal(fetches, 0)
  })

  it('a ballot is the commitment the program checks, with a fresh 32-byte salt each time', () => {
    const dispute = new Uint8Array(32).fill(1)
    const juror = new Uint8Array(32).fill(2)
    const a = jurorBallot('worker', dispute, juror)
    const b = jurorBallot('worker', dispute, juror)
    assert.equal(a.salt.length, 32)
    assert.notDeepEqual(a.salt, b.salt)
    assert.deepEqual(a.commitment, voteCommitment('worker', a.salt, dispute, juror))
    assert.notDeepEqual(a.commitment, voteCommitment('client', a.salt, dispute, juror))
    assert.throws(() => jurorBallot('client', dispute, juror, new Uint8Array(31)), RangeError)
  })
})
