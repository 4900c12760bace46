/**
 * What the page knows, folded from the feed one event at a time (pure: no DOM, unit-tested in
 * test/unit/ui/page-state.test.ts). The views (views.ts) only read it.
 */
import type { UiEvent, NodeStanding } from '../events.js'

type Ev<T extends UiEvent['type']> = Extract<UiEvent, { type: T }>
type Rec = Readonly<Record<string, unknown>>

export interface MetricPoint { readonly epoch: number, readonly loss: number, readonly testAccuracy: number, readonly trainAccuracy: number }
export interface BidView { readonly from: string, readonly price: string, readonly etaSeconds: number }

export interface JobView {
  readonly name: string
  submit: Ev<'submit'> | undefined
  jobId: string | undefined
  /** The client's job states in order (announced, awarded, escrowed, running, delivered, verified, completed …). */
  readonly states: string[]
  workersFound: number | undefined
  readonly bids: BidView[]
  award: { worker: string, price: string, escrow: string } | undefined
  /** One point per epoch (a resumed epoch replaces the earlier one). */
  readonly metrics: MetricPoint[]
  totalEpochs: number | undefined
  readonly checkpoints: Array<{ epoch: number, chainHash: string, cid: string }>
  evidence: { cid: string, blocks: number, bytes: number } | undefined
  anchored: { ok: boolean, root: string, reason?: string } | undefined
  spotCheck: { passed: boolean, verdict: string, segments: readonly number[], reasons: readonly string[] } | undefined
  zk: { verifiedOnChain: boolean, challengeStep: number } | undefined
  reconnects: number
  escrow: Ev<'escrow'> | undefined
  outcome: Ev<'outcome'> | undefined
}

export interface PeerView extends Omit<Ev<'peer'>, 'type' | 'pricePerHour'> {
  /** Base units per hour, as advertised (a worker's `control` event updates it). */
  pricePerHour: string | null
  connections: readonly Ev<'connections'>['connections'][number][] | undefined
  advertised: number | undefined
  registered: { stake: string, signature: string } | undefined
  paused: boolean
}

export interface WorkerJobView {
  decision: { bid: boolean, reason: string } | undefined
  bid: string | undefined
  bidError: string | undefined
  states: string[]
  settled: { how: string, signature: string | undefined } | undefined
  anchored: { checkpoints: number, root: string, signatures: readonly string[] } | undefined
  challenge: number | undefined
}

export interface PageState {
  hello: Ev<'hello'> | undefined
  readonly peers: Map<string, PeerView>
  /** Peer id → name. */
  readonly names: Map<string, string>
  /** By the name the client gave the job. */
  readonly jobs: Map<string, JobView>
  /** Worker name → job id → what the worker did about it. */
  readonly workerJobs: Map<string, Map<string, WorkerJobView>>
  readonly txs: Array<Ev<'tx'>>
  balances: Readonly<Record<string, string>>
  nodes: Readonly<Record<string, NodeStanding>>
  readonly disputes: Map<string, Ev<'dispute'>>
  report: Ev<'report'> | undefined
  readonly actions: Array<Ev<'action'>>
  readonly log: string[]
  end: Ev<'end'> | undefined
}

export function emptyState (): PageState {
  return { hello: undefined, peers: new Map(), names: new Map(), jobs: new Map(), workerJobs: new Map(), txs: [], balances: {}, nodes: {}, disputes: new Map(), report: undefined, actions: [], log: [], end: undefined }
}

function jobOf (s: PageState, name: string): JobView {
  let j = s.jobs.get(name)
  if (j === undefined) {
    j = { name, submit: undefined, jobId: undefined, states: [], workersFound: undefined, bids: [], award: undefined, metrics: [], totalEpochs: undefined, checkpoints: [], evidence: undefined, anchored: undefined, spotCheck: undefined, zk: undefined, reconnects: 0, escrow: undefined, outcome: undefined }
    s.jobs.set(name, j)
  }
  return j
}

function workerJob (s: PageState, worker: string, jobId: string): WorkerJobView {
  let m = s.workerJobs.get(worker)
  if (m === undefined) { m = new Map(); s.workerJobs.set(worker, m) }
  let w = m.get(jobId)
  if (w === undefined) {
    w = { decision: undefined, bid: undefined, bidError: undefined, states: [], settled: undefined, anchored: undefined, challenge: undefined }
    m.set(jobId, w)
  }
  return w
}

const str = (v: unknown): string => typeof v === 'string' ? v : String(v)
const num = (v: unknown): number => typeof v === 'number' ? v : Number(v)
/** The last `max` entries are kept of the long lists (transactions, log). */
const TX_LIMIT = 2_000
const LOG_LIMIT = 500

function clientEvent (j: JobView, e: Rec & { type: string }): void {
  switch (e.type) {
    case 'state':
      j.jobId = str(e.jobId)
      if (j.states[j.states.length - 1] !== e.state) j.states.push(str(e.state))
      break
    case 'workers': j.workersFound = num(e.found); break
    case 'bid': j.bids.push({ from: str(e.from), price: str(e.price), etaSeconds: num(e.etaSeconds) }); break
    case 'award': j.award = { worker: str(e.worker), price: str(e.price), escrow: str(e.escrow) }; break
    case 'metrics': {
      const m = e.metrics as Rec
      const epoch = num(m.epoch)
      j.totalEpochs = num(m.totalEpochs)
      if (epoch <= 0) break
      const p = { epoch, loss: num(m.loss), testAccuracy: num(m.testAccuracy), trainAccuracy: num(m.trainAccuracy) }
      const i = j.metrics.findIndex((x) => x.epoch === epoch)
      if (i >= 0) j.metrics[i] = p
      else { j.metrics.push(p); j.metrics.sort((a, b) => a.epoch - b.epoch) }
      break
    }
    case 'checkpoint': {
      const c = e.checkpoint as Rec
      const cp = { epoch: num(c.epoch), chainHash: str(c.chainHash), cid: str(c.cid) }
      const i = j.checkpoints.findIndex((x) => x.epoch === cp.epoch)
      if (i >= 0) j.checkpoints[i] = cp
      else j.checkpoints.push(cp)
      break
    }
    case 'evidence': j.evidence = { cid: str(e.cid), blocks: num(e.blocks), bytes: num(e.bytes) }; break
    case 'anchored-root': j.anchored = { ok: e.ok === true, root: str(e.root), ...(typeof e.reason === 'string' ? { reason: e.reason } : {}) }; break
    case 'spot-check': {
      const r = e.report as Rec
      j.spotCheck = { passed: r.passed === true, verdict: str(r.verdict), segments: (r.segments as number[] | undefined) ?? [], reasons: (r.reasons as string[] | undefined) ?? [] }
      break
    }
    case 'zk': j.zk = { verifiedOnChain: e.verifiedOnChain === true, challengeStep: num(e.challengeStep) }; break
    case 'reconnecting': j.reconnects++; break
  }
}

function workerEvent (s: PageState, name: string, e: Rec & { type: string }): void {
  const p = s.peers.get(name)
  if (e.type === 'advertised' && p !== undefined) { p.advertised = num(e.storedOn); return }
  if (e.type === 'registered' && p !== undefined) { p.registered = { stake: str(e.stake), signature: str(e.signature) }; return }
  if (e.type === 'control') {
    if (p !== undefined) { p.paused = e.paused === true; p.pricePerHour = str(e.pricePerHour) }
    return
  }
  if (typeof e.jobId !== 'string') return
  const w = workerJob(s, name, e.jobId)
  switch (e.type) {
    case 'bid-decision': {
      const d = e.decision as Rec
      w.decision = { bid: d.bid === true, reason: typeof d.reason === 'string' ? d.reason : '' }
      break
    }
    case 'bid-sent': w.bid = str(e.price); break
    case 'bid-failed': w.bidError = str(e.error); break
    case 'job': w.states.push(str(e.state)); break
    case 'anchored': w.anchored = { checkpoints: num(e.checkpoints), root: str(e.root), signatures: (e.signatures as string[] | undefined) ?? [] }; break
    case 'challenge': w.challenge = num(e.step); break
    case 'settled': w.settled = { how: str(e.how), signature: typeof e.signature === 'string' ? e.signature : undefined }; break
  }
}

/** Folds one event into the state. */
export function apply (s: PageState, e: UiEvent): void {
  switch (e.type) {
    case 'hello': s.hello = e; break
    case 'peer': {
      const { type: _t, ...rest } = e
      const old = s.peers.get(e.name)
      s.peers.set(e.name, { ...rest, connections: old?.connections, advertised: old?.advertised, registered: old?.registered, paused: old?.paused ?? false })
      s.names.set(e.peerId, e.name)
      break
    }
    case 'connections': { const p = s.peers.get(e.name); if (p !== undefined) p.connections = e.connections; break }
    case 'worker': workerEvent(s, e.name, e.event); break
    case 'submit': jobOf(s, e.job).submit = e; break
    case 'job': clientEvent(jobOf(s, e.job), e.event); break
    case 'outcome': { const j = jobOf(s, e.job); j.outcome = e; if (e.jobId !== null) j.jobId = e.jobId; break }
    case 'tx': s.txs.push(e); if (s.txs.length > TX_LIMIT) s.txs.shift(); break
    case 'balances': s.balances = e.balances; break
    case 'nodes': s.nodes = e.nodes; break
    case 'escrow': jobOf(s, e.job).escrow = e; break
    case 'dispute': s.disputes.set(e.address, e); break
    case 'report': s.report = e; s.balances = { ...s.balances, ...e.balances }; break
    case 'log': s.log.push(e.line); if (s.log.length > LOG_LIMIT) s.log.shift(); break
    case 'action': s.actions.push(e); break
    case 'end': s.end = e; break
  }
}

/** The steps of a job's timeline, in order. */
export const TIMELINE = ['announced', 'escrowed', 'training', 'delivered', 'verified', 'paid'] as const

/**
 * Where a job stands, for its badge: `paid` once its escrow paid the worker (completed, or a verdict
 * for the worker), `refunded`, `disputed`, `failed`, or its last step on the timeline.
 */
export function jobStatus (j: JobView): string {
  const escrow = j.escrow?.state
  if (escrow === 'completed' || escrow === 'resolvedForWorker') return 'paid'
  if (escrow === 'timedOut' || escrow === 'resolvedForClient' || escrow === 'cancelled' || escrow === 'proofFailed') return 'refunded'
  if (escrow === 'disputed') return 'disputed'
  const last = j.states[j.states.length - 1]
  if (j.outcome?.error !== undefined && j.outcome.error !== null) return 'failed'
  if (last === 'rejected' || last === 'failed' || last === 'cancelled') return last
  return timelineStep(j) ?? 'submitted'
}

/** The furthest step of TIMELINE the job reached (paid only by its escrow). */
export function timelineStep (j: JobView): (typeof TIMELINE)[number] | undefined {
  const escrow = j.escrow?.state
  if (escrow === 'completed' || escrow === 'resolvedForWorker') return 'paid'
  const has = (x: string): boolean => j.states.includes(x)
  if (has('verified') || has('completed')) return 'verified'
  if (has('delivered')) return 'delivered'
  if (has('running') || j.metrics.length > 0) return 'training'
  if (has('escrowed') || j.escrow !== undefined) return 'escrowed'
  if (has('announced') || has('awarded')) return 'announced'
  return undefined
}

/** What the client may still do about a job, by its escrow and its record. */
export type JobAction = 'cancel' | 'rate' | 'dispute'

/**
 * The after-the-fact actions that make sense for `j` now: cancel a funded job that was not
 * delivered; dispute a delivered optimistic job whose escrow is still funded (its challenge
 * window); rate the worker of a completed one. The program decides in the end (a rating is refused
 * twice, a dispute past its window): this only offers what could succeed.
 */
export function jobActions (j: JobView): JobAction[] {
  if (j.jobId === undefined || j.escrow === undefined) return []
  const delivered = j.states.some((x) => x === 'delivered' || x === 'verified' || x === 'completed' || x === 'rejected')
  const funded = j.escrow.state === 'funded'
  const out: JobAction[] = []
  if (funded && !delivered) out.push('cancel')
  if (funded && delivered && (j.submit?.tier ?? 'optimistic') === 'optimistic') out.push('dispute')
  if (j.escrow.state === 'completed') out.push('rate')
  return out
}
