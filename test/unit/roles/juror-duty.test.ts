/**
 * The worker's juror duty (peer/roles/worker/juror-duty.ts) alone, on doubles: the chain is a
 * dispute, votes and a clock in memory whose `send` applies commit_vote, reveal_vote and
 * withdraw_vote as the program would (the reveal checked against the commitment); the judgement
 * is a function; the ballot table is a Map. Its rules are table-tested; the duty is run through a
 * round — drawn, committed, a restart, revealed from the kept salt, settled — and through its
 * refusals (evidence it cannot judge, a party, a failed commit retried); unavailable evidence is
 * fetched again with backoff while the commit window leaves time (the timing rule table-tested),
 * then a ballot of its own; a dispute against the node is answered with the evidence it delivered
 * (the same `submitDisputeEvidence` as `cyx dispute evidence`, its refusals table-tested). The
 * same duty on real workers and the embedded ledger: test/e2e/roles/jurors.test.ts.
 */
import assert from 'node:assert/strict'
import { Keypair, type PublicKey, type TransactionInstruction } from '@solana/web3.js'
import { DISPUTE_STATE, NODE_STATUS, SIDE, instructionDiscriminator, type DisputeAccount, type VoteAccount } from '../../../chain/index.js'
import { JUROR, jurorDeposit, toHex, voteCommitment, type Ballot } from '../../../protocols/index.js'
import type { JsonObject } from '../../../storage/index.js'
import type { WorkerEvent } from '../../../peer/roles/index.js'
import {
  EvidenceRefusedError, JurorDuty, ballotStep, commitMarginSeconds, commitWindowOpen, evidenceRefusal, fetchRetryStep, ineligibility, judgedEvidence, lastRetryStart, owesAnswer, retryBackoffSeconds,
  submitDisputeEvidence, type JurorDutyComponents, type KeptBallot
} from '../../../peer/roles/worker/index.js'
import { fetchRoundMs } from '../../../peer/evidence/index.js'
import type { JudgeRequest, JurorFinding } from '../../../peer/roles/juror.js'
import { T, nodeAccountDouble, wallet } from './doubles.js'

const CID_TEXT = 'bafyevidence'
const cidBytes = (s: string): Uint8Array => { const b = new Uint8Array(64); b.set(new TextEncoder().encode(s)); return b }

/** An open dispute in its commit window at t = 1000 (evidence until 1000, commits until 2000, reveals until 3000). */
function disputeDouble (over: Partial<DisputeAccount> = {}): DisputeAccount {
  return {
    escrow: wallet(), client: wallet(), worker: wallet(), voteVault: wallet(), clientEvidence: cidBytes(CID_TEXT), workerEvidence: new Uint8Array(64),
    seed: new Uint8Array(32).fill(7), openedAt: 100n, evidenceDeadline: 1000n, commitDeadline: 2000n, revealDeadline: 3000n, resolvedAt: 0n, seedSlot: 1n,
    // The node's own stake is the whole: 7 × stake / total ≥ 1, drawn in every round.
    totalStaked: 50n * T, bond: 0n, depositsClient: 0n, depositsWorker: 0n, depositsUnavailable: 0n, depositsCommitted: 0n, locked: 0n, pool: 0n, majorityDeposits: 0n,
    committed: 0, revealed: 0, votesClient: 0, votesWorker: 0, votesUnavailable: 0, openVotes: 0, claimant: SIDE.client, state: DISPUTE_STATE.open, winner: SIDE.none, bump: 255, vaultBump: 255,
    round: 0, drawn: 1, ...over
  } as DisputeAccount
}

const is = (ix: TransactionInstruction, name: string): boolean => Buffer.compare(ix.data.subarray(0, 8), instructionDiscriminator(name)) === 0

/** The chain in memory: one dispute, this node's votes by round, a clock; `send` applies the juror's instructions. */
function chainDouble (me: Keypair, d: DisputeAccount, o: { verdict?: JurorFinding['verdict'], failSends?: number } = {}) {
  const state = {
    d, now: 1500n, node: nodeAccountDouble({ owner: me.publicKey, stake: 50n * T }), votes: new Map<number, VoteAccount & { opened?: Ballot }>(),
    address: Keypair.generate().publicKey, sent: [] as string[], judged: [] as JudgeRequest[], failSends: o.failSends ?? 0,
    ballots: new Map<string, JsonObject>()
  }
  const c: JurorDutyComponents = {
    wallet: me.publicKey,
    listDisputes: async () => [{ address: state.address, data: state.d }],
    readNode: async () => state.node,
    readVote: async (_dispute: PublicKey, round: number) => state.votes.get(round),
    now: async () => state.now,
    judge: async (r) => {
      state.judged.push(r)
      const verdict = o.verdict ?? 'worker'
      const reasons = verdict === 'unavailable' ? ['no holder served it'] : verdict === 'not-judged' ? ['cannot re-execute on this machine'] : []
      return { cid: r.cid, verdict, blocks: verdict === 'unavailable' ? 0 : 5, segments: verdict === 'worker' || verdict === 'client' ? [0, 1] : [], reasons }
    },
    ballots: {
      get: async (k) => state.ballots.get(k),
      put: async (k, v) => { state.ballots.set(k, v) },
      delete: async (k) => { state.ballots.delete(k) },
      entries: async function * (prefix = '') { for (const e of [...state.ballots].filter(([k]) => k.startsWith(prefix)).sort()) yield e }
    },
    send: async (ixs) => {
      const ix = ixs[0]!
      if (state.failSends > 0) { state.failSends--; throw new Error('RPC unreachable') }
      const round = state.d.round
      if (is(ix, 'commit_vote')) {
        const deposit = jurorDeposit(state.node.stake)
        state.votes.set(round, { dispute: state.address, juror: me.publicKey, commitment: ix.data.slice(8, 40), deposit, side: 0, bump: 255, round, revealed: 0 })
        state.node = { ...state.node, stake: state.node.stake - deposit }
        state.sent.push('commit_vote')
      } else if (is(ix, 'reveal_vote')) {
        const v = state.votes.get(round)!
        const side: Ballot = ix.data[8] === SIDE.client ? 'client' : ix.data[8] === SIDE.unavailable ? 'unavailable' : 'worker'
        // The program's check: the kept salt opens the commitment.
        assert.equal(toHex(voteCommitment(side, ix.data.slice(9, 41), state.address.toBytes(), me.publicKey.toBytes())), toHex(v.commitment), 'the reveal opens the commitment')
        state.votes.set(round, { ...v, revealed: 1, side: SIDE[side], opened: side })
        state.sent.push('reveal_vote')
      } else if (is(ix, 'withdraw_vote')) {
        const v = [...state.votes.values()].find((x) => x.revealed === 1) ?? [...state.votes.values()][0]!
        state.votes.delete(v.round)
        state.node = { ...state.node, stake: state.node.stake + (v.revealed === 1 ? v.deposit : 0n) }
        state.sent.push('withdraw_vote')
      } else if (is(ix, 'submit_evidence')) {
        state.d = { ...state.d, workerEvidence: Uint8Array.from(ix.data.subarray(8, 72)) }
        state.sent.push('submit_evidence')
      } else throw new Error('an instruction the juror does not send')
      return `sig-${state.sent.length}`
    }
  }
  return { state, c }
}

function duty (c: JurorDutyComponents, events: WorkerEvent[], signal = new AbortController().signal): JurorDuty {
  return new JurorDuty(c, { pollMs: 60_000, checks: 2, signal }, (e) => { events.push(e) })
}

const types = (events: WorkerEvent[]): string[] => events.map((e) => e.type)

describe('unit: the worker\'s juror duty', () => {
  it('ballotStep: what a kept ballot is owed, by the round and the windows', () => {
    const d = { state: DISPUTE_STATE.open as number, round: 1, commitDeadline: 2000n, revealDeadline: 3000n }
    const cases: Array<[string, Partial<typeof d>, bigint, Pick<KeptBallot, 'round' | 'state'>, string]> = [
      ['committed, commit window open', {}, 1500n, { round: 1, state: 'committed' }, 'wait'],
      ['committed, reveal window open', {}, 2000n, { round: 1, state: 'committed' }, 'reveal'],
      ['committed, reveal window closed (missed)', {}, 3000n, { round: 1, state: 'committed' }, 'wait'],
      ['revealed, round still open', {}, 2500n, { round: 1, state: 'revealed' }, 'wait'],
      ['kept, commit not confirmed', {}, 1500n, { round: 1, state: 'committing' }, 'confirm'],
      ['an earlier round (redrawn)', {}, 1500n, { round: 0, state: 'revealed' }, 'settle'],
      ['the dispute resolved', { state: DISPUTE_STATE.resolved }, 9000n, { round: 1, state: 'revealed' }, 'settle'],
      ['the dispute finalized', { state: DISPUTE_STATE.finalized }, 9000n, { round: 1, state: 'committed' }, 'settle']
    ]
    for (const [what, over, now, b, want] of cases) assert.equal(ballotStep({ ...d, ...over }, now, b), want, what)
  })

  it('commitWindowOpen: drawn, evidence window over, before the commit deadline, dispute open', () => {
    const d = { state: DISPUTE_STATE.open as number, drawn: 1, evidenceDeadline: 1000n, commitDeadline: 2000n }
    const cases: Array<[string, Partial<typeof d>, bigint, boolean]> = [
      ['in the window', {}, 1500n, true],
      ['at its opening', {}, 1000n, true],
      ['in the evidence window', {}, 999n, false],
      ['at the commit deadline', {}, 2000n, false],
      ['jury not drawn', { drawn: 0 }, 1500n, false],
      ['resolved', { state: DISPUTE_STATE.resolved }, 1500n, false]
    ]
    for (const [what, over, now, want] of cases) assert.equal(commitWindowOpen({ ...d, ...over }, now), want, what)
  })

  it('ineligibility: the program\'s SelfDealing and NotEligible, said before a transaction', () => {
    const me = wallet()
    const d = disputeDouble()
    const node = nodeAccountDouble({ owner: me })
    assert.equal(ineligibility(d, me, node), undefined)
    assert.equal(ineligibility({ ...d, client: me }, me, node), 'a party to the dispute')
    assert.equal(ineligibility({ ...d, worker: me }, me, node), 'a party to the dispute')
    assert.equal(ineligibility(d, me, undefined), 'not a registered node')
    assert.equal(ineligibility(d, me, { ...node, status: NODE_STATUS.suspended }), 'not an active node')
    assert.equal(ineligibility(d, me, { ...node, unstakeRequested: 1 }), 'unstaking')
    assert.equal(ineligibility(d, me, { ...node, registeredAt: d.openedAt + 1n }), 'registered after the dispute opened')
    assert.equal(ineligibility(d, me, { ...node, stake: 0n }), 'no stake')
  })

  it('judgedEvidence: the worker\'s answer when it gave one, else the claimant\'s', () => {
    assert.equal(judgedEvidence(disputeDouble()), CID_TEXT)
    assert.equal(judgedEvidence(disputeDouble({ workerEvidence: cidBytes('bafyanswer') })), 'bafyanswer')
  })

  it('drawn: judges, keeps the ballot, commits; after a restart reveals from the kept salt; settles once resolved', async () => {
    const me = Keypair.generate()
    const { state, c } = chainDouble(me, disputeDouble())
    const events: WorkerEvent[] = []
    // In the evidence window: nothing.
    state.now = 900n
    await duty(c, events).poll()
    assert.deepEqual(types(events), [])
    // The commit window: judged and committed, the ballot kept.
    state.now = 1500n
    await duty(c, events).poll()
    assert.deepEqual(types(events), ['juror-drawn', 'juror-committed'])
    assert.deepEqual(state.judged.map((r) => [r.cid, r.checks]), [[CID_TEXT, 2]])
    const committed = events[1] as Extract<WorkerEvent, { type: 'juror-committed' }>
    assert.equal(committed.side, 'worker')
    assert.equal(committed.deposit, 5n * T)
    assert.equal(committed.dispute, state.address.toBase58())
    const kept = state.ballots.get(`${state.address.toBase58()}/0`) as unknown as KeptBallot
    assert.equal(kept.state, 'committed')
    assert.equal(kept.side, 'worker')
    // A second poll in the same window: nothing more (no second judgement, no second commit).
    await duty(c, events).poll()
    assert.equal(state.judged.length, 1)
    assert.deepEqual(state.sent, ['commit_vote'])
    // A fresh duty (the worker restarted: only the ballot table survives) in the reveal window.
    state.now = 2100n
    await duty(c, events).poll()
    assert.deepEqual(types(events).slice(2), ['juror-revealed'])
    assert.equal(state.votes.get(0)?.opened, 'worker')
    // Resolved: the vote settled back into the stake; the ballot forgotten.
    state.now = 3100n
    state.d = { ...state.d, state: DISPUTE_STATE.resolved, winner: SIDE.worker }
    await duty(c, events).poll()
    const settled = events.at(-1) as Extract<WorkerEvent, { type: 'juror-settled' }>
    assert.equal(settled.type, 'juror-settled')
    assert.equal(settled.by, 'self')
    assert.equal(settled.returned, 5n * T)
    assert.equal(state.node.stake, 50n * T)
    assert.equal(state.ballots.size, 0)
    assert.deepEqual(state.sent, ['commit_vote', 'reveal_vote', 'withdraw_vote'])
  })

  it('unavailable evidence and no fetch round left before the commit deadline: commits and reveals UNAVAILABLE, its own ballot', async () => {
    const me = Keypair.generate()
    const { state, c } = chainDouble(me, disputeDouble(), { verdict: 'unavailable' })
    const events: WorkerEvent[] = []
    const d = duty(c, events)
    await d.poll()
    assert.deepEqual(types(events), ['juror-drawn', 'juror-committed'])
    assert.equal((events[1] as Extract<WorkerEvent, { type: 'juror-committed' }>).side, 'unavailable')
    state.now = 2100n
    await d.poll()
    assert.equal(state.votes.get(0)?.opened, 'unavailable')
    assert.equal(state.votes.get(0)?.side, SIDE.unavailable)
    assert.deepEqual(state.sent, ['commit_vote', 'reveal_vote'])
  })

  it('fetchRetryStep: retry with doubling backoff while a round, a judgement and the commit still fit before the commit deadline; then vote', () => {
    assert.deepEqual([1, 2, 3, 6, 7, 40].map((n) => retryBackoffSeconds(n)), [60, 120, 240, 1_920, 3_600, 3_600], 'doubling from JUROR.retryFirstSeconds, capped at retryMaxSeconds')
    assert.throws(() => retryBackoffSeconds(0), RangeError)
    const t = { roundSeconds: 135, pollSeconds: 30 }
    // The margin: the poll that makes the round, the round, the judgement and the commit transaction.
    assert.equal(commitMarginSeconds(t), 30 + 135 + JUROR.judgeSeconds + JUROR.commitTxSeconds)
    assert.equal(commitMarginSeconds({ roundSeconds: 4.5, pollSeconds: 0.1 }), 1 + 5 + JUROR.judgeSeconds + JUROR.commitTxSeconds, 'whole seconds, rounded up')
    const D = 100_000n
    const last = lastRetryStart(D, t)
    assert.equal(last, D - BigInt(commitMarginSeconds(t)))
    const cases: Array<[string, { now: bigint, failures: number, lastFailedAt: bigint }, ReturnType<typeof fetchRetryStep>]> = [
      ['just failed, the backoff not over', { now: 10_000n, failures: 1, lastFailedAt: 10_000n }, { kind: 'wait', until: 10_060n }],
      ['the backoff over', { now: 10_060n, failures: 1, lastFailedAt: 10_000n }, { kind: 'retry' }],
      ['a poll late', { now: 10_090n, failures: 1, lastFailedAt: 10_000n }, { kind: 'retry' }],
      ['third failure: 4 minutes', { now: 10_000n, failures: 3, lastFailedAt: 10_000n }, { kind: 'wait', until: 10_240n }],
      ['due exactly at the last start', { now: last - 60n, failures: 1, lastFailedAt: last - 60n }, { kind: 'wait', until: last }],
      ['due one second after the last start', { now: last - 59n, failures: 1, lastFailedAt: last - 59n }, { kind: 'vote' }],
      ['due in time, but the poll came after the last start', { now: last + 1n, failures: 1, lastFailedAt: last - 600n }, { kind: 'vote' }],
      ['capped backoff still fits', { now: last - 3_600n, failures: 20, lastFailedAt: last - 3_600n }, { kind: 'wait', until: last }],
      ['past the commit deadline', { now: D + 1n, failures: 1, lastFailedAt: D }, { kind: 'vote' }]
    ]
    for (const [what, r, want] of cases) assert.deepEqual(fetchRetryStep({ ...r, commitDeadline: D }, t), want, what)
    // Whatever the schedule, a round that starts by the last start ends, is judged and committed before the deadline.
    assert.ok(last + BigInt(t.pollSeconds + t.roundSeconds + JUROR.judgeSeconds + JUROR.commitTxSeconds) <= D)
    // One fetch round by the default schedule: 4 attempts of 30 s, backoffs 1 + 2 + 4 s, 2 s settle grace each.
    assert.equal(fetchRoundMs(), 4 * 30_000 + 7_000 + 4 * 2_000)
    assert.equal(fetchRoundMs(1, 4_000), 6_000)
  })

  it('unavailable evidence with time left in the window: fetched again after the backoff, committed as soon as a fetch succeeds', async () => {
    const me = Keypair.generate()
    const o: { verdict: JurorFinding['verdict'] } = { verdict: 'unavailable' }
    const { state, c } = chainDouble(me, disputeDouble({ commitDeadline: 100_000n, revealDeadline: 200_000n }), o)
    const events: WorkerEvent[] = []
    const d = duty(c, events)
    await d.poll()
    assert.deepEqual(types(events), ['juror-drawn', 'juror-retrying'])
    const first = events[1] as Extract<WorkerEvent, { type: 'juror-retrying' }>
    assert.deepEqual([first.failures, first.retryAt], [1, 1500n + 60n])
    assert.equal(first.lastRetryAt, lastRetryStart(100_000n, { roundSeconds: fetchRoundMs() / 1000, pollSeconds: 60 }))
    await d.poll() // the backoff is not over: not fetched again
    assert.equal(state.judged.length, 1)
    state.now = first.retryAt
    await d.poll()
    assert.equal(state.judged.length, 2)
    assert.deepEqual(types(events).slice(2), ['juror-retrying'])
    assert.deepEqual([(events[2] as Extract<WorkerEvent, { type: 'juror-retrying' }>).failures, (events[2] as Extract<WorkerEvent, { type: 'juror-retrying' }>).retryAt], [2, first.retryAt + 120n])
    // The holder is back: the next round fetches it, judges and commits at once.
    o.verdict = 'worker'
    state.now += 120n
    await d.poll()
    assert.equal(state.judged.length, 3)
    assert.deepEqual(types(events).slice(3), ['juror-committed'])
    assert.equal((events[3] as Extract<WorkerEvent, { type: 'juror-committed' }>).side, 'worker')
    assert.deepEqual(state.sent, ['commit_vote'])
    await d.poll()
    assert.equal(state.judged.length, 3, 'judged no more once committed')
  })

  it('unavailable in every round: votes UNAVAILABLE once no round fits before the commit deadline, without fetching again', async () => {
    const me = Keypair.generate()
    const { state, c } = chainDouble(me, disputeDouble({ commitDeadline: 100_000n, revealDeadline: 200_000n }), { verdict: 'unavailable' })
    const events: WorkerEvent[] = []
    const d = duty(c, events)
    await d.poll()
    const retrying = events[1] as Extract<WorkerEvent, { type: 'juror-retrying' }>
    state.now = retrying.lastRetryAt + 1n
    await d.poll()
    assert.equal(state.judged.length, 1, 'no round left: not fetched again')
    assert.deepEqual(types(events), ['juror-drawn', 'juror-retrying', 'juror-committed'])
    assert.equal((events[2] as Extract<WorkerEvent, { type: 'juror-committed' }>).side, 'unavailable')
    assert.ok(state.now < 100_000n, 'committed inside the commit window')
    assert.deepEqual(state.sent, ['commit_vote'])
  })

  it('fetched evidence this machine cannot re-execute (not judged): abstains — no ballot, no commit — and does not judge the round again', async () => {
    const me = Keypair.generate()
    const { state, c } = chainDouble(me, disputeDouble(), { verdict: 'not-judged' })
    const events: WorkerEvent[] = []
    const d = duty(c, events)
    await d.poll()
    await d.poll()
    assert.deepEqual(types(events), ['juror-drawn', 'juror-abstained'])
    assert.equal((events[1] as Extract<WorkerEvent, { type: 'juror-abstained' }>).reason, 'cannot re-execute on this machine')
    assert.equal(state.judged.length, 1)
    assert.deepEqual(state.sent, [])
    assert.equal(state.ballots.size, 0)
  })

  it('owesAnswer: the worker of an open dispute, in the evidence window, not answered yet', () => {
    const me = Keypair.generate().publicKey
    const d = disputeDouble({ worker: me })
    assert.equal(owesAnswer(d, me, 999n), true)
    assert.equal(owesAnswer(d, me, 1000n), false, 'the evidence window closed')
    assert.equal(owesAnswer(d, wallet(), 500n), false, 'not its dispute')
    assert.equal(owesAnswer({ ...d, workerEvidence: cidBytes('bafy-answer') }, me, 500n), false, 'answered already')
    assert.equal(owesAnswer({ ...d, state: DISPUTE_STATE.resolved }, me, 500n), false)
  })

  it('evidenceRefusal: the program\'s submit_evidence checks, said before a transaction', async () => {
    const me = Keypair.generate().publicKey
    const d = disputeDouble({ worker: me })
    const cases: Array<[string, Partial<DisputeAccount>, PublicKey, bigint, RegExp | undefined]> = [
      ['the worker in the evidence window', {}, me, 999n, undefined],
      ['the client in the evidence window', {}, d.client, 500n, undefined],
      ['a stranger', {}, wallet(), 500n, /is not a party to the dispute: only its client .* or its worker/],
      ['the window closed', {}, me, 1000n, /the evidence window closed at 1970-01-01T00:16:40\.000Z/],
      ['resolved', { state: DISPUTE_STATE.resolved }, me, 500n, /no longer open/]
    ]
    for (const [what, over, party, now, want] of cases) {
      const r = evidenceRefusal({ ...d, ...over }, party, now)
      if (want === undefined) assert.equal(r, undefined, what)
      else assert.match(r ?? '', want, what)
    }
    // Refused: nothing is sent.
    let sent = 0
    const send = async (): Promise<string> => { sent++; return 'sig' }
    await assert.rejects(submitDisputeEvidence(send, wallet(), { address: wallet(), data: d }, 'bafy', 500n), EvidenceRefusedError)
    assert.equal(sent, 0)
    assert.equal(await submitDisputeEvidence(send, me, { address: wallet(), data: d }, 'bafy', 500n), 'sig')
  })

  it('a dispute against this node: answered once with the evidence it delivered (submit_evidence), which the jurors then judge', async () => {
    const me = Keypair.generate()
    const { state, c } = chainDouble(me, disputeDouble({ worker: me.publicKey }))
    state.now = 500n
    const asked: string[] = []
    const events: WorkerEvent[] = []
    const d = duty({ ...c, deliveredEvidence: async (escrow) => { asked.push(escrow.toBase58()); return 'bafy-delivered' } }, events)
    await d.poll()
    await d.poll()
    assert.deepEqual(types(events), ['dispute-answered'])
    assert.equal((events[0] as Extract<WorkerEvent, { type: 'dispute-answered' }>).cid, 'bafy-delivered')
    assert.deepEqual(state.sent, ['submit_evidence'])
    assert.deepEqual(asked, [state.d.escrow.toBase58()])
    assert.equal(judgedEvidence(state.d), 'bafy-delivered')
  })

  it('a dispute against this node whose evidence it does not know: not answered (and not asked again)', async () => {
    const me = Keypair.generate()
    const { state, c } = chainDouble(me, disputeDouble({ worker: me.publicKey }))
    state.now = 500n
    let asked = 0
    const events: WorkerEvent[] = []
    const d = duty({ ...c, deliveredEvidence: async () => { asked++; return undefined } }, events)
    await d.poll()
    await d.poll()
    assert.deepEqual(types(events), [])
    assert.equal(asked, 1)
    assert.deepEqual(state.sent, [])
  })

  it('a party to the dispute, a node not drawn, an unregistered node: no judgement', async () => {
    const me = Keypair.generate()
    for (const over of [{ worker: me.publicKey }, { client: me.publicKey }, { totalStaked: 10n ** 18n }]) {
      const { state, c } = chainDouble(me, disputeDouble(over))
      const events: WorkerEvent[] = []
      await duty(c, events).poll()
      assert.deepEqual(types(events), [], JSON.stringify(Object.keys(over)))
      assert.equal(state.judged.length, 0)
    }
    const { state, c } = chainDouble(me, disputeDouble())
    await duty({ ...c, readNode: async () => undefined }, []).poll()
    assert.equal(state.judged.length, 0)
  })

  it('a commit that fails is kept and sent again at the next poll with the same ballot', async () => {
    const me = Keypair.generate()
    const { state, c } = chainDouble(me, disputeDouble(), { failSends: 1 })
    const events: WorkerEvent[] = []
    await duty(c, events).poll()
    assert.deepEqual(types(events), ['juror-drawn', 'juror-failed'])
    assert.equal((events[1] as Extract<WorkerEvent, { type: 'juror-failed' }>).step, 'commit')
    const kept = state.ballots.get(`${state.address.toBase58()}/0`) as unknown as KeptBallot
    assert.equal(kept.state, 'committing')
    await duty(c, events).poll()
    assert.deepEqual(types(events).slice(2), ['juror-committed'])
    assert.equal(state.judged.length, 1, 'judged once')
    const again = state.ballots.get(`${state.address.toBase58()}/0`) as unknown as KeptBallot
    assert.equal(again.salt, kept.salt, 'the kept salt, not a new one')
    // The vote's commitment is the kept ballot's.
    assert.equal(toHex(state.votes.get(0)!.commitment), toHex(voteCommitment('worker', Buffer.from(kept.salt, 'hex'), state.address.toBytes(), me.publicKey.toBytes())))
  })

  it('a kept ballot whose commit landed before a restart is confirmed, not sent again; one whose window closed is forgotten', async () => {
    const me = Keypair.generate()
    const { state, c } = chainDouble(me, disputeDouble())
    await duty(c, []).poll()
    const key = `${state.address.toBase58()}/0`
    state.ballots.set(key, { ...state.ballots.get(key)!, state: 'committing' })
    await duty(c, []).poll()
    assert.equal((state.ballots.get(key) as unknown as KeptBallot).state, 'committed')
    assert.deepEqual(state.sent, ['commit_vote'])
    // Kept, never landed, and the commit window passed: nothing to reveal or settle.
    state.votes.clear()
    state.ballots.set(key, { ...state.ballots.get(key)!, state: 'committing' })
    state.now = 2100n
    await duty(c, []).poll()
    assert.equal(state.ballots.size, 0)
    assert.deepEqual(state.sent, ['commit_vote'])
  })

  it('a vote settled by someone else: the ballot is forgotten and said so', async () => {
    const me = Keypair.generate()
    const { state, c } = chainDouble(me, disputeDouble())
    const events: WorkerEvent[] = []
    await duty(c, events).poll()
    state.votes.clear()
    state.d = { ...state.d, state: DISPUTE_STATE.finalized }
    await duty(c, events).poll()
    const last = events.at(-1) as Extract<WorkerEvent, { type: 'juror-settled' }>
    assert.deepEqual([last.type, last.by, last.returned], ['juror-settled', 'another', null])
    assert.equal(state.ballots.size, 0)
  })
})
