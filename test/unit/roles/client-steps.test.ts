/**
 * The client's steps alone, each on doubles of the components it declares (no ledger, no mesh):
 * discover, auction, escrow, session, checks, dispute, settle, and the record read back.
 */
import assert from 'node:assert/strict'
import { PublicKey } from '@solana/web3.js'
import { ESCROW_STATE, TIER, challengeCommitment } from '../../../chain/index.js'
import { ESCROW, MESH, PEER_MEMORY, PROOF, wire, toHex } from '../../../protocols/index.js'
import { JobRefusedError, type JobSessionOptions, type JobSessionResult } from '../../../peer/job/index.js'
import type { BidRound, ReceivedBid } from '../../../peer/node/index.js'
import type { CoordinatorMatch } from '../../../peer/match/index.js'
import { announceOf, bidWindowSeconds, roundCloseInMs, runAuction, type AuctionComponents, type AnnounceTerms } from '../../../peer/roles/client/auction.js'
import { anchoredRootVerdict, checkDelivery, type CheckComponents } from '../../../peer/roles/client/checks.js'
import { discoverWorkers, type DiscoverComponents } from '../../../peer/roles/client/discover.js'
import { disputeClaim, disputes } from '../../../peer/roles/client/dispute.js'
import { escrowTerms } from '../../../peer/roles/client/escrow.js'
import { deliveryFacts, recordedDelivery, resumeFactsOf } from '../../../peer/roles/client/record.js'
import { keepLatest, runSession, type SessionComponents } from '../../../peer/roles/client/session.js'
import { interimMismatch, keepCheckpoints, type InterimSummary, type KeeperComponents } from '../../../peer/roles/client/keeper.js'
import type { EvidenceFetch } from '../../../peer/evidence/index.js'
import { EvidenceError } from '../../../storage/index.js'
import { awaitProof, revealJobChallenge, type SettleComponents } from '../../../peer/roles/client/settle.js'
import { NoEligibleBidError, type ClientJobEvent } from '../../../peer/roles/client/types.js'
import { checkpointCount } from '../../../peer/roles/index.js'
import type { SpotCheckReport } from '../../../peer/roles/index.js'
import { T, escrowAccountDouble, nodeAccountDouble, peerId, spec, wallet } from './doubles.js'

const NOW_S = 1_700_000_000
const collect = (): { events: ClientJobEvent[], emit: (e: ClientJobEvent) => void } => {
  const events: ClientJobEvent[] = []
  return { events, emit: (e) => { events.push(e) } }
}
const delivery = (over: Partial<wire.Delivery> = {}): wire.Delivery => ({
  weightsHash: new Uint8Array(32).fill(2), weightsBytes: 1234n, evidenceCid: 'bafy-evidence', merkleRoot: new Uint8Array(32).fill(3), epochs: 3, finalChainHash: new Uint8Array(32).fill(4), ...over
})

describe('unit: client discover', () => {
  const doubles = (match: CoordinatorMatch | undefined, connected: number, found: number | Error): DiscoverComponents => ({
    matchViaCoordinator: async () => { if (match === undefined) throw new Error('not asked'); return match },
    connectCandidates: async () => connected,
    findWorkers: async () => { if (found instanceof Error) throw found; return Array(found).fill({}) }
  })
  const announce = (): wire.JobAnnounce => announceOf(terms(), NOW_S, 3_000)

  it('without a coordinator, waits for as many workers as the DHT found', async () => {
    const { events, emit } = collect()
    assert.equal(await discoverWorkers(doubles(undefined, 0, 3), { capability: 'cpu', announce }, emit), 3)
    assert.deepEqual(events, [{ type: 'workers', found: 3 }])
  })

  it('a failed DHT search is zero workers found, not a failed job', async () => {
    const { emit } = collect()
    assert.equal(await discoverWorkers(doubles(undefined, 0, new Error('no DHT servers')), { capability: 'cpu', announce }, emit), 0)
  })

  it('a coordinator whose candidates are all unreachable falls back to the DHT, saying so', async () => {
    const { events, emit } = collect()
    const match = { ok: true, coordinator: await peerId(), candidates: [{}, {}] as never, elapsedMs: 5 } as const
    const n = await discoverWorkers(doubles(match, 0, 1), { capability: 'cpu', announce, coordinator: {} as never }, emit)
    assert.equal(n, 1)
    assert.equal(events[0]?.type, 'coordinator')
    assert.equal((events[0] as { cause?: string }).cause, 'unreachable')
  })

  it('a coordinator\'s connected candidates are what the announcement waits for', async () => {
    const { events, emit } = collect()
    const match = { ok: true, coordinator: await peerId(), candidates: [{}, {}] as never, elapsedMs: 5 } as const
    assert.equal(await discoverWorkers(doubles(match, 2, 0), { capability: 'cpu', announce, coordinator: {} as never }, emit), 2)
    assert.deepEqual(events.map((e) => e.type), ['coordinator'])
  })
})

function terms (): AnnounceTerms {
  return { jobId: new Uint8Array(32).fill(1), spec: spec(), maxPrice: 5n * T, estimatedSeconds: 60, priority: wire.Priority.PRIORITY_NORMAL, clientPeerId: new Uint8Array(38).fill(1), clientAddrs: [] }
}

describe('unit: client auction', () => {
  it('the announce\'s bid window is whole seconds, at least 1, at most the cap', () => {
    assert.deepEqual([1, 1_000, 1_001, 3_000, 600_000].map(bidWindowSeconds), [1, 1, 2, 3, MESH.maxAnnounceBidWindowSeconds])
    const a = announceOf(terms(), NOW_S, 3_000)
    assert.equal(a.bidDeadline - a.issuedAt, 3n)
    assert.doesNotThrow(() => wire.validateJobAnnounce(a))
  })

  async function bid (price: bigint, signer: PublicKey): Promise<ReceivedBid> {
    const from = await peerId()
    return { message: { jobId: new Uint8Array(32).fill(1), workerPeerId: from.toMultihash().bytes, price, etaSeconds: 60, stake: 0n, reputation: 0, issuedAt: BigInt(NOW_S) }, signer: signer.toBytes(), from, bytes: new Uint8Array(0), receivedAt: 0 }
  }

  function auctionDoubles (bids: ReceivedBid[], nodes: Map<string, ReturnType<typeof nodeAccountDouble>>, failFirstAnnounce = false): AuctionComponents & { announced: Array<{ minSubscribers?: number, bidDeadline: bigint }>, closeIns: number[] } {
    const announced: Array<{ minSubscribers?: number, bidDeadline: bigint }> = []
    const closeIns: number[] = []
    const round: BidRound = { jobId: new Uint8Array(32), bids, closed: Promise.resolve(bids), onBid: () => {}, closeIn: (ms) => { closeIns.push(ms) }, close: () => {} }
    // Each announce takes 4 s of the node's clock (a wait for subscribers).
    let now = NOW_S
    return {
      announced,
      closeIns,
      openRound: () => round,
      announce: async (a, o) => {
        announced.push({ ...o, bidDeadline: a.bidDeadline })
        now += 4
        if (failFirstAnnounce && announced.length === 1) throw new Error('only 0 of 3 subscribers')
        return { jobId: new Uint8Array(32), recipients: 1, stop: () => {} }
      },
      readNode: async (w) => nodes.get(w.toBase58()),
      clock: () => now
    }
  }

  it('ranks by the chain\'s facts: a bid from a wallet with no Node account loses to a dearer staked one', async () => {
    const unstaked = wallet()
    const staked = wallet()
    const bids = [await bid(1n * T, unstaked), await bid(2n * T, staked)]
    const c = auctionDoubles(bids, new Map([[staked.toBase58(), nodeAccountDouble({ owner: staked })]]))
    const { emit } = collect()
    const r = await runAuction(c, { terms: terms(), windowMs: 1_000, expected: 3 }, emit)
    assert.ok(r.workerWallet.equals(staked))
    assert.equal(r.best.bid.price, 2n * T)
    assert.deepEqual(r.ranking.rejected.map((x) => x.reason), ['not-registered'])
  })

  it('no eligible bid is a NoEligibleBidError carrying the ranking', async () => {
    const c = auctionDoubles([await bid(1n * T, wallet())], new Map())
    const { emit } = collect()
    await assert.rejects(runAuction(c, { terms: terms(), windowMs: 1_000, expected: 1 }, emit), (e: unknown) => e instanceof NoEligibleBidError && e.ranking.rejected.length === 1)
  })

  it('an announcement that cannot reach every worker found settles for one subscriber', async () => {
    const w = wallet()
    const c = auctionDoubles([await bid(1n * T, w)], new Map([[w.toBase58(), nodeAccountDouble({ owner: w })]]), true)
    const { emit } = collect()
    await runAuction(c, { terms: terms(), windowMs: 1_000, expected: 3 }, emit)
    assert.deepEqual(c.announced.map((o) => o.minSubscribers), [3, 1])
  })

  it('keeps the round open for the announce that went out: its whole window from then, plus the receive grace', async () => {
    const w = wallet()
    const c = auctionDoubles([await bid(1n * T, w)], new Map([[w.toBase58(), nodeAccountDouble({ owner: w })]]), true)
    await runAuction(c, { terms: terms(), windowMs: 10_000, expected: 3 }, collect().emit)
    // The first announce (deadline NOW+10) waited 4 s and failed; the second was signed at NOW+4.
    assert.deepEqual(c.announced.map((o) => o.bidDeadline), [BigInt(NOW_S + 10), BigInt(NOW_S + 14)])
    // Published at NOW+8 by the double's clock: 6 s of its window left, plus the grace.
    assert.deepEqual(c.closeIns, [6_000 + MESH.bidReceiveGraceMs])
  })

  for (const [deadline, now, ms, why] of [
    [110, 100, 10_000 + MESH.bidReceiveGraceMs, 'the whole window ahead'],
    [110, 110, MESH.bidReceiveGraceMs, 'at the deadline: the grace only'],
    [110, 115, 0, 'well past it: closes now'],
    [100_000, 100, MESH.maxAnnounceBidWindowSeconds * 1000 + MESH.bidReceiveGraceMs, 'a deadline beyond what an announce may name: capped']
  ] as const) {
    it(`a round closes at the announce's deadline plus the grace: ${why}`, () => {
      assert.equal(roundCloseInMs({ bidDeadline: BigInt(deadline) }, now), ms)
    })
  }
})

describe('unit: client escrow terms', () => {
  it('one anchored leaf per checkpoint, the optimistic tier, the protocol timeout', () => {
    const s = spec({ epochs: 2 })
    const t = escrowTerms({ jobId: new Uint8Array(32).fill(9), spec: s, tier: 'optimistic', amount: 7n, estimatedSeconds: 90 })
    assert.equal(t.epochsTotal, checkpointCount(s))
    assert.equal(t.tier, TIER.optimistic)
    assert.equal(t.circuitId, 0)
    assert.equal(t.timeoutSecs, BigInt(ESCROW.timeoutSeconds))
    assert.equal(t.estimatedSeconds, 90n)
    assert.equal('challengeCommitment' in t, false)
  })

  it('zk: the step circuit, the data commitment and the challenge secret\'s commitment', () => {
    const secret = new Uint8Array(32).fill(5)
    const data = new Uint8Array(32).fill(6)
    const t = escrowTerms({ jobId: new Uint8Array(32).fill(9), spec: spec(), tier: 'zk', amount: 7n, estimatedSeconds: 60, dataCommitment: data, challengeSecret: secret })
    assert.equal(t.tier, TIER.zk)
    assert.equal(t.circuitId, PROOF.stepCircuitId)
    assert.deepEqual(t.dataCommitment, data)
    assert.deepEqual(t.challengeCommitment, challengeCommitment(secret))
  })
})

describe('unit: client session (finding 12: bounded frames)', () => {
  function sessionDoubles (script: Array<Error | 'deliver'>, frames = 0): SessionComponents & { slept: number[], notes: number[], refreshed: number } {
    let attempt = 0
    const out = { slept: [] as number[], notes: [] as number[], refreshed: 0 }
    return Object.assign(out, {
      runJobSession: async (_w: unknown, o: JobSessionOptions): Promise<JobSessionResult> => {
        const step = script[attempt++]
        for (let i = 0; i < frames; i++) {
          o.onMetrics?.({ epoch: i, loss: 0, trainAccuracy: 0, testAccuracy: 0, elapsedMs: 0 } as unknown as wire.Metrics)
          o.onCheckpoint?.({ epoch: i } as unknown as wire.CheckpointNotice)
        }
        if (step instanceof Error) throw step
        return { delivery: delivery(), weights: new Uint8Array(4), metrics: [], checkpoints: [] }
      },
      signAward: () => new Uint8Array(1),
      isConnected: () => false,
      refreshAddresses: async () => { out.refreshed++ },
      noteAttempt: async (n: number) => { out.notes.push(n) },
      now: () => 0,
      sleep: async (ms: number) => { out.slept.push(ms) }
    })
  }
  const request = async (): Promise<{ worker: Awaited<ReturnType<typeof peerId>>, award: wire.Award, datasetBytes: Uint8Array }> => ({ worker: await peerId(), award: {} as wire.Award, datasetBytes: new Uint8Array(0) })

  it('a session that went away is retried with a fresh award, the worker\'s addresses looked up again', async () => {
    const c = sessionDoubles([new Error('stream reset'), new Error('connection closed'), 'deliver'])
    const { events, emit } = collect()
    const s = await runSession(c, await request(), emit)
    assert.equal(s.delivery.evidenceCid, 'bafy-evidence')
    assert.deepEqual(c.notes, [2, 3])
    assert.equal(c.refreshed, 2)
    assert.deepEqual(events.filter((e) => e.type === 'reconnecting').map((e) => (e as { attempt: number }).attempt), [2, 3])
  })

  it('a refusal or bad bytes end the job at once', async () => {
    for (const e of [new JobRefusedError(wire.ErrorCode.UNAVAILABLE, 'busy'), new wire.WireError('MALFORMED', 'garbage')]) {
      const c = sessionDoubles([e, 'deliver'])
      await assert.rejects(runSession(c, await request(), collect().emit), (x: unknown) => x === e)
      assert.deepEqual(c.notes, [])
    }
  })

  it('keeps only the latest frames of each kind, and emits every one', async () => {
    const c = sessionDoubles(['deliver'], 50)
    const { events, emit } = collect()
    const s = await runSession(c, { ...await request(), maxFrames: 8 }, emit)
    assert.equal(s.metrics.length, 8)
    assert.equal(s.checkpoints.length, 8)
    assert.deepEqual(s.metrics.map((m) => m.epoch), [42, 43, 44, 45, 46, 47, 48, 49])
    assert.equal(events.filter((e) => e.type === 'metrics').length, 50)
  })

  it('keepLatest bounds a list at the default of PEER_MEMORY.maxSessionFrames', () => {
    const kept: number[] = []
    for (let i = 0; i < PEER_MEMORY.maxSessionFrames + 10; i++) keepLatest(kept, i, PEER_MEMORY.maxSessionFrames)
    assert.equal(kept.length, PEER_MEMORY.maxSessionFrames)
    assert.equal(kept[0], 10)
  })
})

describe('unit: client checks', () => {
  const report: SpotCheckReport = { passed: true, verdict: 'passed', segments: [1], reasons: [] } as unknown as SpotCheckReport
  const root = new Uint8Array(32).fill(8)
  function checkDoubles (o: { fetch?: Error | 'unavailable', escrow?: Partial<ReturnType<typeof escrowAccountDouble>> }): CheckComponents & { spotChecked: number } {
    const out = { spotChecked: 0 }
    return Object.assign(out, {
      fetchEvidence: async (cid: string): Promise<EvidenceFetch> => {
        if (o.fetch instanceof Error) throw o.fetch
        if (o.fetch === 'unavailable') return { status: 'unavailable', cid, blocks: 1, bytes: 10, attempts: 4, reached: [], reasons: ['attempt 4: block bafy… is not available'] }
        return { status: 'fetched', cid, blocks: 2, bytes: 15, attempts: 1, reached: ['worker'] }
      },
      anchoredCheckpoints: async () => ({ root, leaves: [] }) as never,
      readEscrow: async () => escrowAccountDouble({ epochsDone: 3, epochsTotal: 3, progressRoot: root, delivered: 1, finalWeightsHash: delivery().weightsHash, ...o.escrow }),
      spotCheck: async () => { out.spotChecked++; return report }
    })
  }
  const req = async (): Promise<Parameters<typeof checkDelivery>[1]> => ({ delivery: delivery(), worker: await peerId(), spec: spec(), dataset: {} as never, tier: 'optimistic', escrow: wallet() })

  it('evidence fetched, spot-checked and matching the chain passes', async () => {
    const c = checkDoubles({})
    const { events, emit } = collect()
    const r = await checkDelivery(c, await req(), emit)
    assert.equal(r.passed, true)
    assert.deepEqual(events.map((e) => e.type), ['evidence', 'anchored-root'])
    const { ms, ...evidence } = events[0] as Extract<ClientJobEvent, { type: 'evidence' }>
    assert.deepEqual(evidence, { type: 'evidence', cid: 'bafy-evidence', blocks: 2, bytes: 15 })
    assert.ok(Number.isInteger(ms) && ms >= 0, 'the fetch is timed')
  })

  it('evidence nobody serves is "unavailable", not "failed": no pass, no verdict on the work, nothing re-executed', async () => {
    for (const fetch of ['unavailable', new Error('timed out')] as const) {
      const c = checkDoubles({ fetch })
      const r = await checkDelivery(c, await req(), collect().emit)
      assert.equal(r.passed, false)
      assert.equal(r.verdict, 'unavailable')
      assert.match(r.reasons[0]!, /could not be fetched \(unavailable, not a verdict on the work\)/)
      assert.equal(c.spotChecked, 0)
    }
  })

  it('blocks that arrive and are invalid fail the check', async () => {
    const c = checkDoubles({ fetch: new EvidenceError('HASH_MISMATCH', 'chunk does not hash to its CID') })
    const r = await checkDelivery(c, await req(), collect().emit)
    assert.equal(r.passed, false)
    assert.equal(r.verdict, 'failed')
    assert.match(r.reasons[0]!, /the evidence is invalid: chunk does not hash/)
    assert.equal(c.spotChecked, 0)
  })

  it('a root on-chain other than the evidence\'s fails a passing spot check', async () => {
    const r = await checkDelivery(checkDoubles({ escrow: { progressRoot: new Uint8Array(32) } }), await req(), collect().emit)
    assert.equal(r.passed, false)
    assert.match(r.reasons.at(-1)!, /root anchored on-chain/)
  })

  it('anchoredRootVerdict, table', () => {
    const good = { epochsDone: 3, epochsTotal: 3, progressRoot: root, delivered: 1, finalWeightsHash: delivery().weightsHash }
    const cases: Array<[string, Partial<typeof good>, 'optimistic' | 'zk', boolean]> = [
      ['all anchored and delivered', {}, 'optimistic', true],
      ['not every epoch anchored', { epochsDone: 2 }, 'optimistic', false],
      ['another root', { progressRoot: new Uint8Array(32) }, 'zk', false],
      ['optimistic, not delivered on-chain', { delivered: 0 }, 'optimistic', false],
      ['optimistic, other weights on-chain', { finalWeightsHash: new Uint8Array(32) }, 'optimistic', false],
      ['zk needs no on-chain delivery', { delivered: 0 }, 'zk', true]
    ]
    for (const [what, over, tier, ok] of cases) assert.equal(anchoredRootVerdict({ ...good, ...over }, root, delivery(), tier).ok, ok, what)
  })
})

describe('unit: client keeps checkpoints as they arrive', () => {
  const specHash = new Uint8Array(32).fill(1)
  const head = (epoch: number): Uint8Array<ArrayBuffer> => new Uint8Array(32).fill(100 + epoch)
  const notice = (epoch: number, cid = `bafy-cp${epoch}`): wire.CheckpointNotice => ({ epoch, chainHash: head(epoch), merkleRoot: new Uint8Array(32), cid })
  /** A worker whose blocks arrive when the test says (each fetch waits for `release`). */
  function keeperDoubles (o: { lie?: (cid: string) => Partial<InterimSummary>, unavailable?: Set<string> } = {}): KeeperComponents & { fetched: string[], pins: Set<string>, provided: string[], release: () => void } {
    const waiting: Array<() => void> = []
    const out = { fetched: [] as string[], pins: new Set<string>(), provided: [] as string[], release: () => { for (const w of waiting.splice(0)) w() } }
    return Object.assign(out, {
      fetchEvidence: async (cid: string): Promise<EvidenceFetch> => {
        out.fetched.push(cid)
        await new Promise<void>((resolve) => waiting.push(resolve))
        if (o.unavailable?.has(cid) === true) return { status: 'unavailable', cid, blocks: 0, bytes: 0, attempts: 1, reached: [], reasons: ['gone'] }
        return { status: 'fetched', cid, blocks: 3, bytes: 300, attempts: 1, reached: ['worker'] }
      },
      readInterim: async (cid: string): Promise<InterimSummary> => {
        const epoch = Number(cid.replace('bafy-cp', ''))
        return { specHash, checkpoints: epoch, head: head(epoch), ...o.lie?.(cid) }
      },
      pin: async (cid: string) => { out.pins.add(cid) },
      unpin: async (cid: string) => { out.pins.delete(cid) },
      provide: async (cid: string) => { out.provided.push(cid) }
    })
  }
  const tick = async (): Promise<void> => { for (let i = 0; i < 20; i++) await Promise.resolve() }

  it('latest wins: notices arriving during a fetch replace each other; one pin at a time, the newest', async () => {
    const c = keeperDoubles()
    const { events, emit } = collect()
    const k = keepCheckpoints(c, { worker: await peerId(), specHash, intervalMs: 0 }, emit)
    k.offer(notice(1))
    k.offer(notice(2))
    k.offer(notice(3))
    await tick()
    c.release() // checkpoint 1 arrives; 3 is next, 2 is skipped (3 covers it)
    await tick()
    c.release()
    const { kept, failures } = await k.settle()
    assert.deepEqual(c.fetched, ['bafy-cp1', 'bafy-cp3'])
    assert.deepEqual([...c.pins], ['bafy-cp3'])
    assert.deepEqual(c.provided, ['bafy-cp1', 'bafy-cp3'])
    assert.deepEqual(kept, { epoch: 3, cid: 'bafy-cp3', blocks: 3, bytes: 300 })
    assert.equal(failures, 0)
    assert.deepEqual(events.filter((e) => e.type === 'checkpoint-kept').map((e) => (e as { epoch: number }).epoch), [1, 3])
  })

  it('a manifest that is not the notice\'s, or blocks nobody serves, are counted and never pinned', async () => {
    const c = keeperDoubles({ lie: (cid) => cid === 'bafy-cp2' ? { head: new Uint8Array(32) } : {}, unavailable: new Set(['bafy-cp3']) })
    const k = keepCheckpoints(c, { worker: await peerId(), specHash, intervalMs: 0 }, collect().emit)
    for (const n of [1, 2, 3]) {
      k.offer(notice(n))
      await tick()
      c.release()
      await tick()
    }
    const { kept, failures } = await k.settle()
    assert.equal(failures, 2)
    assert.deepEqual(kept?.epoch, 1)
    assert.deepEqual([...c.pins], ['bafy-cp1'])
  })

  it('a notice without a CID, an older one, or one after settle is ignored', async () => {
    const c = keeperDoubles()
    const k = keepCheckpoints(c, { worker: await peerId(), specHash, intervalMs: 0 }, collect().emit)
    k.offer(notice(1, ''))
    k.offer(notice(2))
    await tick()
    c.release()
    await tick()
    k.offer(notice(1))
    await tick()
    assert.deepEqual(await k.settle(), { kept: { epoch: 2, cid: 'bafy-cp2', blocks: 3, bytes: 300 }, failures: 0 })
    k.offer(notice(5))
    assert.deepEqual(c.fetched, ['bafy-cp2'])
  })

  it('settle lets the fetch under way finish (an abort would cancel the bitswap wants the check shares) and keeps it', async () => {
    const c = keeperDoubles()
    const k = keepCheckpoints(c, { worker: await peerId(), specHash, intervalMs: 0 }, collect().emit)
    k.offer(notice(1))
    await tick()
    const settled = k.settle()
    let done = false
    void settled.then(() => { done = true })
    await tick()
    assert.equal(done, false, 'settle waits for the fetch under way')
    c.release()
    assert.deepEqual(await settled, { kept: { epoch: 1, cid: 'bafy-cp1', blocks: 3, bytes: 300 }, failures: 0 })
  })

  it('keeps at most one fetch per interval; settle ends the pause at once and drops what waits', async () => {
    const c = keeperDoubles()
    const k = keepCheckpoints(c, { worker: await peerId(), specHash, intervalMs: 3_600_000 }, collect().emit)
    k.offer(notice(1))
    await tick()
    k.offer(notice(2))
    c.release()
    await tick()
    // Checkpoint 2 waits for the interval (an hour here); settle does not.
    assert.deepEqual(c.fetched, ['bafy-cp1'])
    assert.deepEqual((await k.settle()).kept?.epoch, 1)
    assert.deepEqual(c.fetched, ['bafy-cp1'])
  })

  it('interimMismatch, table', () => {
    const good: InterimSummary = { specHash, checkpoints: 4, head: head(4) }
    const cases: Array<[string, Partial<InterimSummary>, RegExp | undefined]> = [
      ['the notice\'s manifest', {}, undefined],
      ['another spec', { specHash: new Uint8Array(32) }, /another spec/],
      ['fewer checkpoints', { checkpoints: 3 }, /covers 3 checkpoints, the notice says 4/],
      ['another head', { head: head(3) }, /chain head/]
    ]
    for (const [what, over, expected] of cases) {
      const m = interimMismatch({ ...good, ...over }, notice(4), specHash)
      if (expected === undefined) assert.equal(m, undefined, what)
      else assert.match(m ?? '', expected, what)
    }
  })
})

describe('unit: client dispute rule', () => {
  it('disputes, table', () => {
    const cases: Array<[Parameters<typeof disputes>[0], boolean, 'optimistic' | 'zk', boolean]> = [
      ['complete', true, 'optimistic', false],
      ['complete', false, 'optimistic', true],
      ['window', false, 'optimistic', true],
      ['none', false, 'optimistic', false],
      ['dispute', true, 'optimistic', true],
      ['complete', false, 'zk', false],
      ['dispute', true, 'zk', true]
    ]
    for (const [settle, passed, tier, expected] of cases) assert.equal(disputes(settle, passed, tier), expected, `${settle} ${String(passed)} ${tier}`)
  })

  it('disputeClaim: unavailable evidence is disputed (not left for the claim window to pay), and says so', () => {
    const unavailable = { passed: false, verdict: 'unavailable' as const, reasons: ['no holder served it'] }
    const claim = disputeClaim('complete', unavailable, 'optimistic')
    assert.ok(claim !== undefined)
    assert.match(claim, /unavailable after every retry \(no holder served it\): the worker must serve it to the drawn jurors/)
    assert.match(disputeClaim('window', { passed: false, verdict: 'failed', reasons: ['segment 2 differs'] }, 'optimistic') ?? '', /failed the client's check: segment 2 differs/)
    assert.match(disputeClaim('dispute', { passed: true, verdict: 'passed', reasons: [] }, 'optimistic') ?? '', /by choice/)
    assert.equal(disputeClaim('none', unavailable, 'optimistic'), undefined)
    assert.equal(disputeClaim('complete', unavailable, 'zk'), undefined, 'zk: the proof settles it')
    assert.equal(disputeClaim('complete', { passed: true, verdict: 'passed', reasons: [] }, 'optimistic'), undefined)
  })
})

describe('unit: client settle', () => {
  function settleDoubles (states: number[], reveal?: () => Promise<string | undefined>): SettleComponents & { slept: number[] } {
    let i = 0
    let t = 0
    const out = { slept: [] as number[] }
    return Object.assign(out, {
      wallet: wallet(),
      readConfig: async () => { throw new Error('not used') },
      send: async () => 'sig',
      readEscrow: async () => escrowAccountDouble({ state: states[Math.min(i++, states.length - 1)]!, challengeStep: 17 }),
      revealChallenge: reveal ?? (async () => 'reveal-sig'),
      now: () => t,
      sleep: async (ms: number) => { out.slept.push(ms); t += ms }
    })
  }

  it('awaitProof: verified when the escrow completes', async () => {
    const c = settleDoubles([ESCROW_STATE.funded, ESCROW_STATE.funded, ESCROW_STATE.completed])
    assert.deepEqual(await awaitProof(c, wallet(), 10_000, undefined), { verifiedOnChain: true, challengeStep: 17, escrowState: ESCROW_STATE.completed })
  })

  it('awaitProof: a worker that never proves is an error after the timeout', async () => {
    await assert.rejects(awaitProof(settleDoubles([ESCROW_STATE.funded]), wallet(), 2_000, undefined), /did not prove the challenged step in time/)
  })

  it('revealJobChallenge: three tries, then the fallback is left to the worker', async () => {
    let tries = 0
    const c = settleDoubles([], async () => { tries++; throw new Error('rpc down') })
    assert.equal(await revealJobChallenge(c, 'job', wallet(), new Uint8Array(32)), undefined)
    assert.equal(tries, 3)
    assert.equal(await revealJobChallenge(settleDoubles([]), 'job', wallet(), new Uint8Array(32)), 'reveal-sig')
    assert.equal(await revealJobChallenge(settleDoubles([]), 'job', wallet(), undefined), undefined)
  })
})

describe('unit: client record', () => {
  it('a delivery written to the record reads back the same', () => {
    const d = delivery()
    assert.deepEqual(recordedDelivery('job', deliveryFacts(d)), d)
    assert.throws(() => recordedDelivery('job', { ...deliveryFacts(d), evidenceCid: undefined as never }), /lacks evidenceCid/)
  })

  it('resume facts: the spec must hash to the recorded hash', async () => {
    const s = spec()
    const worker = (await peerId()).toString()
    const w = wallet()
    const facts = { spec: toHex(wire.TrainingSpec.encode(s)), specHash: toHex(wire.specHash(s)), escrow: w.toBase58(), worker, workerWallet: w.toBase58(), price: '5', datasetId: 'spirals', etaSeconds: '60' }
    const f = resumeFactsOf('job', facts)
    assert.ok(f.escrow.equals(new PublicKey(w.toBase58())))
    assert.equal(f.winner.price, 5n)
    assert.equal(f.worker.toString(), worker)
    assert.throws(() => resumeFactsOf('job', { ...facts, specHash: '00' }), /does not hash/)
    assert.throws(() => resumeFactsOf('job', { ...facts, escrow: undefined as never }), /older client/)
  })
})
