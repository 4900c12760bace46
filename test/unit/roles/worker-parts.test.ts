/**
 * The worker's job runner and settler alone, on doubles of their components (a job book in memory,
 * the chain as plain functions): the award's acceptance rules, recovery after a restart, and the
 * settlement's retry loop.
 */
import assert from 'node:assert/strict'
import { ESCROW_STATE } from '../../../chain/index.js'
import { PublicKey } from '@solana/web3.js'
import { wire, toHex } from '../../../protocols/index.js'
import { JobRefusal } from '../../../peer/job/index.js'
import { JobBook, JobRunner, Settler, settledFacts, type RunnerComponents, type SettlerComponents, type WorkerEvent, type WorkerJobState } from '../../../peer/roles/index.js'
import { ProgressAnchors } from '../../../peer/roles/worker/progress.js'
import { JobReplacedError, assertStillWorker } from '../../../peer/roles/settlement.js'
import { T, escrowAccountDouble, peerId, profile, recorder, spec, wallet } from './doubles.js'

function award (over: Partial<wire.Award> = {}): wire.Award {
  const s = spec()
  return { jobId: new Uint8Array(32).fill(1), worker: new Uint8Array(32), escrow: Uint8Array.from(wallet().toBytes()), amount: 2n * T, specHash: Uint8Array.from(wire.specHash(s)), spec: s, issuedAt: 1n, ...over }
}

function runnerOnDoubles (o: { bid?: bigint, running?: number, escrow?: Parameters<typeof escrowAccountDouble>[0], funded?: boolean, worker?: PublicKey } = {}): { runner: JobRunner, c: RunnerComponents & { sent: unknown[], dialled: string[][], settled: string[] }, events: WorkerEvent[] } {
  const events: WorkerEvent[] = []
  const me = wallet()
  const jobs = JobBook.worker()
  const sent: unknown[] = []
  const dialled: string[][] = []
  const settled: string[] = []
  const c = {
    sent, dialled, settled,
    wallet: me,
    jobs,
    checkEscrow: async () => escrowAccountDouble({ worker: me, ...o.escrow }),
    readEscrow: async () => (o.funded ?? true) ? escrowAccountDouble({ accepted: 1, worker: o.worker ?? me }) : escrowAccountDouble({ state: ESCROW_STATE.cancelled, worker: o.worker ?? me }),
    send: async (ixs: unknown[]) => { sent.push(...ixs); return 'sig' },
    profile: () => profile(),
    running: () => o.running ?? 0,
    awarded: () => o.bid,
    runStopped: async () => {},
    addressesOf: async () => ['/ip4/127.0.0.1/tcp/4001'],
    dial: (addrs: readonly string[]) => { dialled.push([...addrs]) },
    anchoredCheckpoints: async () => { throw new Error('not used') },
    anchorFinalRoot: async () => undefined,
    anchorProgress: async () => undefined,
    progressRootAt: (h: Uint8Array) => h,
    submitDelivery: async () => undefined,
    settle: (jobId: string) => { settled.push(jobId) },
    stopping: () => false,
    sleep: async () => {}
  } satisfies RunnerComponents & Record<string, unknown>
  return { runner: new JobRunner(c, (e) => { events.push(e) }, 1), c, events }
}

describe('unit: worker job runner', () => {
  it('accepts an award at its bid: accept_job on-chain, the record opened', async () => {
    const { runner, c, events } = runnerOnDoubles({ bid: 2n * T })
    const a = award()
    const job = await runner.accept(a, new Uint8Array(32).fill(5), await peerId())
    assert.equal(job.jobId, toHex(a.jobId))
    assert.equal(c.sent.length, 1, 'accept_job sent')
    const r = await c.jobs.get(job.jobId)
    assert.equal(r?.state, 'accepted')
    assert.equal(r?.facts.escrow, new PublicKey(a.escrow).toBase58())
    assert.equal(r?.facts.clientAddrs, '/ip4/127.0.0.1/tcp/4001')
    assert.deepEqual(events.map((e) => e.type), ['job'])
  })

  it('refuses when busy, and an escrow whose timeout does not cover its estimate', async () => {
    const busy = runnerOnDoubles({ bid: 2n * T, running: 1 })
    await assert.rejects(busy.runner.accept(award(), new Uint8Array(32), await peerId()), (e: unknown) => e instanceof JobRefusal && /busy/.test(e.message))
    const short = runnerOnDoubles({ bid: 2n * T, escrow: { deadline: 30n, createdAt: 0n, estimatedSeconds: 60n } })
    await assert.rejects(short.runner.accept(award(), new Uint8Array(32), await peerId()), /shorter than the job's estimate/)
    assert.equal(short.c.sent.length, 0, 'nothing signed')
  })

  it('refuses an escrow whose estimated epoch is longer than its no-progress timeout (accept_job would too)', async () => {
    // 3 epochs of 2 h 1 s (rounded up) against the 2 h timeout; the deadline covers the estimate.
    const coarse = runnerOnDoubles({ bid: 2n * T, escrow: { deadline: 86_400n, createdAt: 0n, estimatedSeconds: 3n * 7_200n + 1n, epochsTotal: 3 } })
    await assert.rejects(coarse.runner.accept(award(), new Uint8Array(32), await peerId()), /estimated at 7201 s, longer than the escrow's no-progress timeout \(7200 s\)/)
    assert.equal(coarse.c.sent.length, 0, 'nothing signed')
    const fine = runnerOnDoubles({ bid: 2n * T, escrow: { deadline: 86_400n, createdAt: 0n, estimatedSeconds: 3n * 7_200n, epochsTotal: 3 } })
    await fine.runner.accept(award(), new Uint8Array(32), await peerId())
    assert.equal(fine.c.sent.length, 1, 'exactly the timeout per epoch: accepted')
  })

  it('the same award again resumes the job; another client\'s is refused', async () => {
    const { runner, events } = runnerOnDoubles({ bid: 2n * T, escrow: { accepted: 1 } })
    const a = award()
    const client = new Uint8Array(32).fill(5)
    await runner.accept(a, client, await peerId())
    await runner.accept(a, client, await peerId())
    assert.deepEqual(events.map((e) => e.type), ['job', 'resumed'])
    await assert.rejects(runner.accept(a, new Uint8Array(32).fill(6), await peerId()), /already awarded/)
  })

  it('a delivered job asked again resumes (the delivery goes out again); a settled or failed one is refused', async () => {
    const { runner, c, events } = runnerOnDoubles({ bid: 2n * T, escrow: { accepted: 1 } })
    const a = award()
    const client = new Uint8Array(32).fill(5)
    const { jobId } = await runner.accept(a, client, await peerId())
    await c.jobs.transition(jobId, 'training')
    await c.jobs.transition(jobId, 'delivered')
    await runner.accept(a, client, await peerId())
    assert.deepEqual(events.map((e) => [e.type, 'state' in e ? e.state : undefined]), [['job', 'accepted'], ['resumed', 'delivered']])
    await c.jobs.transition(jobId, 'settled')
    await assert.rejects(runner.accept(a, client, await peerId()), /already awarded/)
  })

  it('recovery: an unfunded escrow fails the job, a delivered one is settled, others dial their client back', async () => {
    const funded = runnerOnDoubles({ funded: true })
    const jobs = funded.c.jobs
    await jobs.open('a', 'accepted', { escrow: toHex(wallet().toBytes()), clientAddrs: '/ip4/10.0.0.1/tcp/1 /ip4/10.0.0.2/tcp/2' })
    await jobs.open('b', 'accepted', { escrow: toHex(wallet().toBytes()) })
    await jobs.transition('b', 'training')
    await jobs.transition('b', 'delivered')
    await funded.runner.recover(async (id, s) => { await jobs.transition(id, s) })
    assert.deepEqual(funded.c.settled, ['b'])
    assert.deepEqual(funded.c.dialled, [['/ip4/10.0.0.1/tcp/1', '/ip4/10.0.0.2/tcp/2']])
    const gone = runnerOnDoubles({ funded: false })
    await gone.c.jobs.open('c', 'accepted', { escrow: toHex(wallet().toBytes()) })
    const failed: string[] = []
    await gone.runner.recover(async (id, s) => { failed.push(`${id}:${s}`) })
    assert.deepEqual(failed, ['c:failed'])
  })
})

describe('unit: worker, failover (issue 21)', () => {
  const resume = { handover: 1, epoch: 2, checkpointCid: 'bafyreid6vphrrijwk2cura4bbice5iwu3pljkwkh2x3k4ozgwhc7dq3rli' }
  it('takes a handed-over escrow only at the hand-over and epoch the chain says, and no plain award for one', async () => {
    const handed = { accepted: 0, epochsBase: 2, handovers: 1 }
    const ok = runnerOnDoubles({ bid: 1n * T, escrow: handed })
    await ok.runner.accept(award({ amount: 2n * T, resume }), new Uint8Array(32).fill(5), await peerId())
    assert.equal(ok.c.sent.length, 1, 'accept_job sent')
    for (const [what, a] of [
      ['another epoch', award({ resume: { ...resume, epoch: 1 } })],
      ['another hand-over', award({ resume: { ...resume, handover: 2 } })],
      ['no resume point', award()]
    ] as const) {
      const r = runnerOnDoubles({ bid: 1n * T, escrow: handed })
      await assert.rejects(r.runner.accept(a, new Uint8Array(32).fill(5), await peerId()), (e: unknown) => e instanceof JobRefusal && /handed over 1 times and resumes after epoch 2/.test(e.message), what)
      assert.equal(r.c.sent.length, 0, `${what}: nothing signed`)
    }
    const fresh = runnerOnDoubles({ bid: 1n * T })
    await assert.rejects(fresh.runner.accept(award({ resume }), new Uint8Array(32).fill(5), await peerId()), /handed over 0 times/)
  })

  it('a replaced worker coming back learns it at recovery: the job fails as replaced, nothing is dialled or retried', async () => {
    const other = wallet()
    const { runner, c, events } = runnerOnDoubles({ worker: other })
    await c.jobs.open('a', 'accepted', { escrow: toHex(wallet().toBytes()), clientAddrs: '/ip4/10.0.0.1/tcp/1' })
    await c.jobs.transition('a', 'training')
    const failed: Array<[string, string, string | undefined]> = []
    await runner.recover(async (id, s, error) => { failed.push([id, s, error]) })
    assert.equal(failed.length, 1)
    assert.equal(failed[0]?.[1], 'failed')
    assert.match(failed[0]?.[2] ?? '', /^replaced: the client handed escrow .* over to worker /)
    assert.deepEqual(c.dialled, [])
    assert.deepEqual(events.map((e) => e.type === 'replaced' ? [e.type, e.by] : e.type), [['replaced', other.toBase58()]])
  })

  it('a replaced worker\'s progress anchors stop at the first refusal, without retries', async () => {
    const events: WorkerEvent[] = []
    const calls: number[] = []
    const p = new ProgressAnchors({
      anchorProgress: async (e, epoch) => { calls.push(epoch); throw new JobReplacedError(e.toBase58(), 'someone-else') },
      rootAt: (x) => x
    }, (e) => { events.push(e) }, { retryMs: 1 })
    p.checkpoint('j', wallet(), 3, new Uint8Array(32))
    await new Promise((resolve) => setTimeout(resolve, 20))
    p.checkpoint('j', wallet(), 4, new Uint8Array(32))
    await new Promise((resolve) => setTimeout(resolve, 20))
    assert.deepEqual(calls, [3], 'no retry, and no later checkpoint anchored')
    assert.deepEqual(events.map((e) => e.type), ['replaced'])
    assert.equal(await p.finish('j'), 0)
  })

  it('the escrow naming another worker is a JobReplacedError for its anchors and delivery', () => {
    const me = wallet()
    const escrow = wallet()
    assert.doesNotThrow(() => { assertStillWorker({ state: ESCROW_STATE.funded, worker: me }, escrow, me) })
    assert.throws(() => { assertStillWorker({ state: ESCROW_STATE.funded, worker: wallet() }, escrow, me) }, JobReplacedError)
    // A settled escrow names whoever was paid: nothing to refuse there.
    assert.doesNotThrow(() => { assertStillWorker({ state: ESCROW_STATE.completed, worker: wallet() }, escrow, me) })
  })
})

describe('unit: worker progress anchors (the no-progress timeout)', () => {
  const escrow = wallet()
  const h = (n: number): Uint8Array => new Uint8Array(32).fill(n)
  /** A chain whose anchors resolve when the test says so. */
  function chainDouble (): { anchorProgress: ProgressAnchorsComponents['anchorProgress'], calls: number[], release: (outcome?: Error) => void, inFlight: () => number } {
    const calls: number[] = []
    const waiting: Array<(outcome?: Error) => void> = []
    return {
      calls,
      anchorProgress: async (_e, epoch) => {
        calls.push(epoch)
        const outcome = await new Promise<Error | undefined>((resolve) => { waiting.push(resolve) })
        if (outcome !== undefined) throw outcome
        return `sig-${epoch}`
      },
      release: (outcome) => { waiting.shift()?.(outcome) },
      inFlight: () => waiting.length
    }
  }
  type ProgressAnchorsComponents = ConstructorParameters<typeof ProgressAnchors>[0]
  const tick = async (): Promise<void> => { await new Promise((resolve) => setImmediate(resolve)) }

  it('anchors each checkpoint in the background, one at a time, only the latest of those that came meanwhile', async () => {
    const chain = chainDouble()
    const events: WorkerEvent[] = []
    const roots: string[] = []
    const p = new ProgressAnchors({ anchorProgress: chain.anchorProgress, rootAt: (x) => { roots.push(toHex(x)); return x } }, (e) => { events.push(e) })
    p.checkpoint('j', escrow, 1, h(1))
    await tick()
    assert.deepEqual(chain.calls, [1], 'the first checkpoint goes out at once')
    p.checkpoint('j', escrow, 2, h(2))
    p.checkpoint('j', escrow, 3, h(3))
    await tick()
    assert.equal(chain.inFlight(), 1, 'serialized: one anchor in flight')
    chain.release()
    await tick()
    assert.deepEqual(chain.calls, [1, 3], 'checkpoint 2 superseded by 3')
    assert.deepEqual(roots, [toHex(h(1)), toHex(h(3))], 'each anchor\'s root from its own checkpoint')
    chain.release()
    await tick()
    assert.equal(await p.finish('j'), 2)
    assert.deepEqual(events.map((e) => e.type === 'progress-anchored' ? [e.epoch, e.transactions] : e.type), [[1, 1], [3, 2]])
  })

  it('a failed anchor is logged, reported and tried again; a newer checkpoint replaces it', async () => {
    const chain = chainDouble()
    const events: WorkerEvent[] = []
    const p = new ProgressAnchors({ anchorProgress: chain.anchorProgress, rootAt: (x) => x }, (e) => { events.push(e) }, { retryMs: 1 })
    p.checkpoint('j', escrow, 1, h(1))
    await tick()
    chain.release(new Error('rpc down'))
    await new Promise((resolve) => setTimeout(resolve, 20))
    assert.deepEqual(chain.calls, [1, 1], 'the same epoch again after the pause')
    chain.release(new Error('rpc down'))
    p.checkpoint('j', escrow, 2, h(2))
    await new Promise((resolve) => setTimeout(resolve, 20))
    assert.deepEqual(chain.calls, [1, 1, 2], 'then the newer checkpoint instead')
    chain.release()
    await tick()
    assert.equal(await p.finish('j'), 1)
    assert.deepEqual(events.map((e) => [e.type, 'epoch' in e ? e.epoch : undefined]), [['progress-anchor-failed', 1], ['progress-anchor-failed', 1], ['progress-anchored', 2]])
  })

  it('finish drops what is pending, waits for the anchor in flight, and ignores later checkpoints', async () => {
    const chain = chainDouble()
    const p = new ProgressAnchors({ anchorProgress: chain.anchorProgress, rootAt: (x) => x }, () => {})
    p.checkpoint('j', escrow, 1, h(1))
    await tick()
    p.checkpoint('j', escrow, 2, h(2))
    let finished: number | undefined
    const done = p.finish('j').then((n) => { finished = n })
    await tick()
    assert.equal(finished, undefined, 'the anchor in flight is waited for')
    chain.release()
    await done
    assert.equal(finished, 1)
    assert.deepEqual(chain.calls, [1], 'checkpoint 2 was dropped: the final anchor supersedes it')
    assert.equal(await p.finish('j'), 0)
    assert.deepEqual(p.inFlight(), [])
  })
})

describe('unit: worker settler', () => {
  async function settlerOnDoubles (outcomes: Array<Error | 'claimed'>): Promise<{ settler: Settler, events: WorkerEvent[], later: Array<{ fn: () => void, ms: number }>, jobs: JobBook<WorkerJobState> }> {
    const jobs = JobBook.worker()
    await jobs.open('j', 'accepted', { escrow: toHex(wallet().toBytes()), tier: 'optimistic' })
    await jobs.transition('j', 'training')
    await jobs.transition('j', 'delivered')
    const events: WorkerEvent[] = []
    const later: Array<{ fn: () => void, ms: number }> = []
    let i = 0
    const c: SettlerComponents = {
      jobs,
      anchoredCheckpoints: async () => { throw new Error('not used') },
      proveAndComplete: async () => { throw new Error('not used') },
      claimAfterWindow: recorder(async () => {
        const o = outcomes[i++]!
        if (o instanceof Error) throw o
        return { how: 'claimed' as const, signature: 'claim-sig' }
      }),
      transition: async (id, s) => { await jobs.transition(id, s) },
      refresh: async () => {},
      later: (fn, ms) => { later.push({ fn, ms }) }
    }
    return { settler: new Settler(c, { pollMs: 10, tries: 3, retryMs: 1_000, signal: new AbortController().signal }, (e) => { events.push(e) }, new Map()), events, later, jobs }
  }
  const settleAll = async (s: Settler): Promise<void> => { await Promise.all(s.inFlight()) }

  it('a failed settlement is retried after 1×, 2× the pause, then given up', async () => {
    const { settler, events, later } = await settlerOnDoubles([new Error('rpc down'), new Error('rpc down'), new Error('rpc down'), 'claimed'])
    settler.settle('j')
    await settleAll(settler)
    assert.deepEqual(later.map((l) => l.ms), [1_000])
    later[0]!.fn()
    await settleAll(settler)
    assert.deepEqual(later.map((l) => l.ms), [1_000, 2_000])
    later[1]!.fn()
    await settleAll(settler)
    assert.equal(later.length, 2, 'no fourth try')
    assert.deepEqual(events.map((e) => e.type), ['settlement-failed', 'settlement-failed', 'settlement-failed'])
  })

  it('a settled job is recorded with how it was paid', async () => {
    const { settler, events, jobs } = await settlerOnDoubles(['claimed'])
    settler.settle('j')
    settler.settle('j') // one settlement per job
    await settleAll(settler)
    const r = await jobs.get('j')
    assert.equal(r?.state, 'settled')
    assert.equal(r?.facts.settledBy, 'claimed')
    assert.equal(r?.facts.settleSignature, 'claim-sig')
    assert.deepEqual(events.map((e) => e.type), ['settled'])
  })

  it('settledFacts, table', () => {
    assert.deepEqual(settledFacts({ how: 'ended', escrowState: 3 }), { settledBy: 'ended', escrowState: '3' })
    assert.deepEqual(settledFacts({ how: 'proved', signature: 's', challengeStep: 4 }), { settledBy: 'proved', settleSignature: 's', challengeStep: '4' })
  })
})
