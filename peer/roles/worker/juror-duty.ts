/**
 * The worker's juror duty (docs/security.md §5): a staked node serves on the juries the sortition
 * draws it for, by itself. Every `pollMs` it reads the program's Dispute accounts and, for each:
 * - a round whose jury is drawn, inside its commit window, that drew this node (`isDrawn`, and the
 *   program's eligibility: active, not unstaking, registered before the opening, neither party):
 *   it judges the evidence the dispute cites (peer/roles/juror.ts `judgeEvidence`: fetched by CID,
 *   spot checks re-run with its own challenge). Evidence no holder served is fetched again at later
 *   polls, with backoff, while the commit window leaves time for another fetch round, a judgement
 *   and the commit (`fetchRetryStep`, bounded by protocols/params.ts `JUROR`): the worker serves
 *   through the commit window, so a passing outage is not its loss. When no retry is left and every
 *   one failed, `unavailable` is a ballot of its own (finding 16); as soon as a fetch succeeds the
 *   juror judges and commits. Fetched evidence this machine cannot re-execute (`not-judged`) →
 *   no commit (no deposit risked on a guess). Otherwise it makes a ballot (`jurorBallot`), **keeps
 *   it in the peer store before sending** `commit_vote` (a commitment whose salt is lost cannot be
 *   revealed: the deposit would be forfeited), then commits;
 * - its kept ballot of the current round, inside the reveal window: `reveal_vote`;
 * - its kept ballot of a round that is over (redrawn, or the dispute resolved): `withdraw_vote`,
 *   its deposit (and any share of the forfeits) back into its stake; then the ballot is forgotten;
 * - a dispute against this node as the worker, in its evidence window, not answered yet: when the
 *   node knows the evidence it delivered for that escrow (`deliveredEvidence`), `submit_evidence`
 *   citing it (`submitDisputeEvidence`, the one path `cyx dispute evidence` takes too) — the jurors
 *   then fetch and judge that, whatever CID the claim cited.
 * A restart keeps every ballot (the store), so the node still reveals and settles what it
 * committed before. A ballot kept but whose commit never landed is sent again while the commit
 * window is open, and forgotten after it. Every step is a worker event; a failed step is reported
 * and tried again at the next poll. Drawing the jury and resolving or finalizing the dispute are
 * anyone's (the parties', `cyx dispute draw|resolve|finalize`): the duty does not send them.
 */
import { logger } from '@libp2p/logger'
import type { PublicKey, TransactionInstruction } from '@solana/web3.js'
import { DISPUTE_STATE, NODE_STATUS, SIDE, commitVote, revealVote, submitEvidence, withdrawVote, type DisputeAccount, type NodeAccount, type VoteAccount } from '../../../chain/index.js'
import { JUROR, fromHex, isDrawn, jurorDeposit, toHex, type Ballot } from '../../../protocols/index.js'
import { FETCH_RETRY, fetchRoundMs } from '../../evidence/index.js'
import type { JsonObject, Table } from '../../../storage/index.js'
import { jurorBallot, type JudgeRequest, type JurorFinding } from '../juror.js'
import type { WorkerEmit } from './types.js'

const log = logger('cyx:worker:juror')

/** A ballot as the peer store keeps it, by `<dispute>/<round>`. */
export interface KeptBallot {
  readonly dispute: string
  readonly round: number
  readonly side: Ballot
  /** The salt, hex: what `reveal_vote` opens the commitment with. */
  readonly salt: string
  readonly deposit: string
  /** `committing`: kept, `commit_vote` not yet confirmed; `committed`; `revealed`. */
  readonly state: 'committing' | 'committed' | 'revealed'
}

export interface JurorDutyComponents {
  /** This node's owner (its wallet): the juror. */
  readonly wallet: PublicKey
  /** Every Dispute account of the program (`fetchDisputes`). */
  listDisputes: () => Promise<ReadonlyArray<{ readonly address: PublicKey, readonly data: DisputeAccount }>>
  /** This node's Node account (its stake, status), or undefined when it is not registered. */
  readNode: () => Promise<NodeAccount | undefined>
  /** This node's `Vote` in `round` of `dispute` (`fetchVote`), or undefined. */
  readVote: (dispute: PublicKey, round: number) => Promise<VoteAccount | undefined>
  /** The chain's clock, unix seconds (the windows are the program's, by its clock). */
  now: () => Promise<bigint>
  /** The juror's judgement (`judgeEvidence` over this node). */
  judge: (r: JudgeRequest) => Promise<JurorFinding>
  /** Where ballots are kept (the peer store's `ballots` table): durable across restarts. */
  readonly ballots: Pick<Table<JsonObject>, 'get' | 'put' | 'delete' | 'entries'>
  /** Sends a transaction signed by the wallet and waits for its confirmation. */
  send: (ixs: TransactionInstruction[]) => Promise<string>
  /** The evidence CID this node delivered for `escrow` as its worker (its job book), if any. */
  deliveredEvidence?: (escrow: PublicKey) => Promise<string | undefined>
}

export interface JurorDutyOptions {
  /** How often the disputes are read, ms. */
  readonly pollMs: number
  /** Segments re-executed per judgement. */
  readonly checks: number
  /** Aborted when the worker stops (a judgement in flight ends). */
  readonly signal: AbortSignal
  /** The evidence fetch's retries (default `FETCH_RETRY`). */
  readonly fetch?: { readonly attempts?: number, readonly attemptTimeoutMs?: number }
}

/** What a juror's retry schedule is measured against: one fetch round's longest duration and the duty's poll interval. */
export interface RetryTiming {
  /** The longest one fetch round takes (`fetchRoundMs` of the fetch options in use), seconds. */
  readonly roundSeconds: number
  /** The duty's poll interval, seconds: a retry due at t is made at the first poll after it. */
  readonly pollSeconds: number
}

/** The wait after the `failures`-th failed fetch round (1-based): `retryFirstSeconds`, doubling, capped at `retryMaxSeconds`. */
export function retryBackoffSeconds (failures: number, p: Pick<typeof JUROR, 'retryFirstSeconds' | 'retryMaxSeconds'> = JUROR): number {
  if (!Number.isInteger(failures) || failures < 1) throw new RangeError(`failures must be a positive integer (got ${failures})`)
  return Math.min(p.retryMaxSeconds, p.retryFirstSeconds * 2 ** Math.min(failures - 1, 30))
}

/**
 * How long before the commit deadline a fetch round must start: the poll that makes it, the round
 * itself, re-executing what it fetched (`judgeSeconds`) and landing the commit (`commitTxSeconds`).
 */
export function commitMarginSeconds (t: RetryTiming, p: Pick<typeof JUROR, 'judgeSeconds' | 'commitTxSeconds'> = JUROR): number {
  return Math.ceil(t.pollSeconds) + Math.ceil(t.roundSeconds) + p.judgeSeconds + p.commitTxSeconds
}

/** The last chain time a fetch round may start in a round whose commits close at `commitDeadline`. */
export function lastRetryStart (commitDeadline: bigint, t: RetryTiming, p: typeof JUROR = JUROR): bigint {
  return commitDeadline - BigInt(commitMarginSeconds(t, p))
}

export type RetryStep =
  /** Fetch again now. */
  | { readonly kind: 'retry' }
  /** Not yet: the next round is due at `until` (chain time). */
  | { readonly kind: 'wait', readonly until: bigint }
  /** No round fits before the commit window closes: every retry failed, vote `unavailable` now. */
  | { readonly kind: 'vote' }

/**
 * A juror's next step after `failures` fetch rounds that found the evidence unavailable, the last
 * ending at `lastFailedAt`, at chain time `now`: the next round is due a backoff after the last
 * (`retryBackoffSeconds`) and is made only if it starts by `lastRetryStart`; otherwise it votes.
 */
export function fetchRetryStep (r: { readonly now: bigint, readonly commitDeadline: bigint, readonly failures: number, readonly lastFailedAt: bigint }, t: RetryTiming, p: typeof JUROR = JUROR): RetryStep {
  const due = r.lastFailedAt + BigInt(retryBackoffSeconds(r.failures, p))
  const start = due > r.now ? due : r.now
  if (start > lastRetryStart(r.commitDeadline, t, p)) return { kind: 'vote' }
  return r.now >= due ? { kind: 'retry' } : { kind: 'wait', until: due }
}

/** What to do with a kept ballot now (a pure rule; see the module header). */
export type BallotStep = 'confirm' | 'reveal' | 'settle' | 'wait'

export function ballotStep (d: Pick<DisputeAccount, 'state' | 'round' | 'commitDeadline' | 'revealDeadline'>, now: bigint, b: Pick<KeptBallot, 'round' | 'state'>): BallotStep {
  // Its round is over: redrawn (a later round), or the dispute resolved (or finalized).
  if (b.round < d.round || d.state !== DISPUTE_STATE.open) return 'settle'
  if (b.round > d.round) return 'wait' // cannot happen on-chain; left alone
  if (b.state === 'committing') return 'confirm'
  if (b.state === 'committed' && now >= d.commitDeadline && now < d.revealDeadline) return 'reveal'
  return 'wait'
}

/** Whether the round's commit window is open now (the jury drawn, the evidence window over). */
export function commitWindowOpen (d: Pick<DisputeAccount, 'state' | 'drawn' | 'evidenceDeadline' | 'commitDeadline'>, now: bigint): boolean {
  return d.state === DISPUTE_STATE.open && d.drawn !== 0 && now >= d.evidenceDeadline && now < d.commitDeadline
}

/** Why this node may not sit on the dispute's jury (the program's `SelfDealing`/`NotEligible`), or undefined when it may. */
export function ineligibility (d: Pick<DisputeAccount, 'client' | 'worker' | 'openedAt'>, wallet: PublicKey, node: Pick<NodeAccount, 'status' | 'unstakeRequested' | 'registeredAt' | 'stake'> | undefined): string | undefined {
  if (d.client.equals(wallet) || d.worker.equals(wallet)) return 'a party to the dispute'
  if (node === undefined) return 'not a registered node'
  if (node.status !== NODE_STATUS.active) return 'not an active node'
  if (node.unstakeRequested !== 0) return 'unstaking'
  if (node.registeredAt > d.openedAt) return 'registered after the dispute opened'
  if (node.stake === 0n) return 'no stake'
  return undefined
}

/**
 * Why `party` may not cite evidence in the dispute now — the program's `submit_evidence` checks
 * (InvalidDisputeState, NotAParty, EvidenceWindowClosed), said before a transaction, with what to
 * do instead — or undefined when it may.
 */
export function evidenceRefusal (d: Pick<DisputeAccount, 'state' | 'client' | 'worker' | 'evidenceDeadline'>, party: PublicKey, now: bigint): string | undefined {
  if (d.state !== DISPUTE_STATE.open) return 'the dispute is no longer open: its verdict is recorded, evidence cannot change it'
  if (!d.client.equals(party) && !d.worker.equals(party)) return `${party.toBase58()} is not a party to the dispute: only its client (${d.client.toBase58()}) or its worker (${d.worker.toBase58()}) cites evidence (use that wallet, --keypair or --dir)`
  if (now >= d.evidenceDeadline) return `the evidence window closed at ${new Date(Number(d.evidenceDeadline) * 1000).toISOString()}: the jurors judge the evidence cited by then`
  return undefined
}

/** Whether `wallet`, the dispute's worker, still has to answer it: open, in its evidence window, no answer on-chain yet. */
export function owesAnswer (d: Pick<DisputeAccount, 'state' | 'client' | 'worker' | 'workerEvidence' | 'evidenceDeadline'>, wallet: PublicKey, now: bigint): boolean {
  return d.worker.equals(wallet) && evidenceRefusal(d, wallet, now) === undefined && d.workerEvidence.every((b) => b === 0)
}

/** A `submit_evidence` refused before it was sent (`evidenceRefusal`). */
export class EvidenceRefusedError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'EvidenceRefusedError'
  }
}

/**
 * `party` cites `cid` as its evidence in the dispute at `dispute` (`submit_evidence`: the worker's
 * answer, or a client replacing its claim's evidence). The one path for the juror duty's answer
 * and `cyx dispute evidence`: refused with `EvidenceRefusedError` before anything is sent when the
 * program would refuse it (`evidenceRefusal` at the chain's `now`); otherwise sent and confirmed by
 * `send`. Returns the signature.
 */
export async function submitDisputeEvidence (send: (ixs: TransactionInstruction[]) => Promise<string>, party: PublicKey, dispute: { readonly address: PublicKey, readonly data: DisputeAccount }, cid: string, now: bigint): Promise<string> {
  const refusal = evidenceRefusal(dispute.data, party, now)
  if (refusal !== undefined) throw new EvidenceRefusedError(refusal)
  return await send([submitEvidence({ party, dispute: dispute.address }, cid)])
}

/** The evidence a juror judges: the worker's answer when it gave one, else the claimant's. */
export function judgedEvidence (d: Pick<DisputeAccount, 'clientEvidence' | 'workerEvidence'>): string {
  const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8').replace(/\0+$/, '')
  return text(d.workerEvidence) !== '' ? text(d.workerEvidence) : text(d.clientEvidence)
}

const ballotKey = (dispute: string, round: number): string => `${dispute}/${round}`
const message = (e: unknown): string => e instanceof Error ? e.message : String(e)

export class JurorDuty {
  readonly #c: JurorDutyComponents
  readonly #o: JurorDutyOptions
  readonly #emit: WorkerEmit
  /** Rounds already judged by this process (`<dispute>/<round>`): an abstention is not judged twice. */
  readonly #judged = new Set<string>()
  /** Rounds whose evidence was unavailable so far, by `<dispute>/<round>`: failed fetch rounds, the last one's end (chain time) and finding. */
  readonly #retries = new Map<string, { failures: number, lastFailedAt: bigint, finding: JurorFinding }>()
  /** Disputes against this node answered (or being answered) by this process. */
  readonly #answered = new Set<string>()
  #timer: ReturnType<typeof setInterval> | undefined
  #tick: Promise<void> | undefined

  constructor (c: JurorDutyComponents, o: JurorDutyOptions, emit: WorkerEmit) {
    this.#c = c
    this.#o = o
    this.#emit = emit
  }

  /** Polls every `pollMs` (the first poll now). */
  start (): void {
    if (this.#timer !== undefined) return
    this.#timer = setInterval(() => { void this.poll() }, Math.max(50, this.#o.pollMs))
    this.#timer.unref()
    void this.poll()
  }

  /** Stops polling and waits for the poll in flight. */
  async stop (): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer)
    this.#timer = undefined
    await this.#tick
  }

  /** One pass over the disputes (a pass already running is joined, not doubled). Never throws. */
  async poll (): Promise<void> {
    this.#tick ??= this.#pass().catch((e: unknown) => {
      this.#emit({ type: 'juror-failed', step: 'watch', error: message(e) })
    }).finally(() => { this.#tick = undefined })
    await this.#tick
  }

  async #pass (): Promise<void> {
    if (this.#o.signal.aborted) return
    const c = this.#c
    const disputes = await c.listDisputes()
    const now = await c.now()
    const node = await c.readNode()
    const byAddress = new Map(disputes.map((d) => [d.address.toBase58(), d]))
    // Kept ballots first: reveals and settlements are owed; a closed dispute's are done.
    const kept: Array<[string, JsonObject]> = []
    for await (const entry of c.ballots.entries()) kept.push(entry)
    for (const [key, value] of kept) {
      if (this.#o.signal.aborted) return
      const b = value as unknown as KeptBallot
      const d = byAddress.get(b.dispute)
      if (d === undefined) {
        // Closed: `close_dispute` needs every vote settled, so there is nothing left to do.
        log('dispute %s is closed; forgetting the ballot of round %d', b.dispute, b.round)
        await c.ballots.delete(key)
        continue
      }
      await this.#step(key, b, d.address, d.data, now)
    }
    await this.#answer(disputes, now)
    if (node === undefined) return
    const open = new Set<string>()
    for (const { address, data } of disputes) {
      if (this.#o.signal.aborted) return
      if (!commitWindowOpen(data, now)) continue
      const key = ballotKey(address.toBase58(), data.round)
      open.add(key)
      if (this.#judged.has(key) || await c.ballots.get(key) !== undefined) continue
      const retry = this.#retries.get(key)
      if (retry !== undefined) {
        // Drawn and eligible already: fetch again when due, or vote if no round fits any more.
        const step = fetchRetryStep({ now, commitDeadline: data.commitDeadline, failures: retry.failures, lastFailedAt: retry.lastFailedAt }, this.#timing())
        if (step.kind === 'wait') continue
        if (step.kind === 'vote') {
          this.#judged.add(key)
          this.#retries.delete(key)
          await this.#ballot(address, data, node, retry.finding)
          continue
        }
      } else {
        if (ineligibility(data, c.wallet, node) !== undefined) continue
        if (!isDrawn(data.seed, c.wallet.toBytes(), node.stake, data.totalStaked, data.round)) continue
        if (await c.readVote(address, data.round) !== undefined) {
          // Committed otherwise (by hand, `cyx dispute commit`): its salt is not ours to reveal.
          this.#judged.add(key)
          log('a vote of this node in round %d of %s exists already; not committing again', data.round, address.toBase58())
          continue
        }
      }
      await this.#serve(address, data, node, retry)
    }
    // A round whose commit window closed (or that was redrawn) is retried no more.
    for (const key of this.#retries.keys()) if (!open.has(key)) this.#retries.delete(key)
  }

  /** The fetch options in use against the duty's poll: what a retry must leave time for (`fetchRetryStep`). */
  #timing (): RetryTiming {
    const f = this.#o.fetch
    return { roundSeconds: fetchRoundMs(f?.attempts ?? FETCH_RETRY.attempts, f?.attemptTimeoutMs ?? FETCH_RETRY.attemptTimeoutMs) / 1000, pollSeconds: Math.max(50, this.#o.pollMs) / 1000 }
  }

  /** Answers each dispute against this node that still needs it (`owesAnswer`) with the evidence it delivered. */
  async #answer (disputes: ReadonlyArray<{ readonly address: PublicKey, readonly data: DisputeAccount }>, now: bigint): Promise<void> {
    const c = this.#c
    if (c.deliveredEvidence === undefined) return
    for (const { address, data } of disputes) {
      if (this.#o.signal.aborted) return
      const dispute = address.toBase58()
      if (this.#answered.has(dispute) || !owesAnswer(data, c.wallet, now)) continue
      const cid = await c.deliveredEvidence(data.escrow)
      if (cid === undefined) {
        log('dispute %s: no evidence of escrow %s in the job book; not answering', dispute, data.escrow.toBase58())
        this.#answered.add(dispute)
        continue
      }
      try {
        const signature = await submitDisputeEvidence(c.send, c.wallet, { address, data }, cid, now)
        this.#answered.add(dispute)
        this.#emit({ type: 'dispute-answered', dispute, cid, signature })
      } catch (e) {
        // Tried again at the next poll while the evidence window is open.
        this.#emit({ type: 'dispute-answer-failed', dispute, error: message(e) })
      }
    }
  }

  /**
   * Judges a round this node was drawn for (again, after `retry` failed rounds) and commits the side
   * it found; evidence still unavailable is retried later while a round fits (`fetchRetryStep`).
   */
  async #serve (address: PublicKey, d: DisputeAccount, node: NodeAccount, retry?: { failures: number }): Promise<void> {
    const c = this.#c
    const dispute = address.toBase58()
    const round = d.round
    const key = ballotKey(dispute, round)
    const cid = judgedEvidence(d)
    if (retry === undefined) this.#emit({ type: 'juror-drawn', dispute, round, cid })
    let finding: JurorFinding
    try {
      const f = this.#o.fetch
      finding = await c.judge({
        cid, checks: this.#o.checks, signal: this.#o.signal,
        ...(f?.attempts === undefined ? {} : { attempts: f.attempts }), ...(f?.attemptTimeoutMs === undefined ? {} : { attemptTimeoutMs: f.attemptTimeoutMs })
      })
    } catch (e) {
      if (this.#o.signal.aborted) return
      // Judged again at the next poll (a kept retry schedule stands).
      this.#emit({ type: 'juror-failed', dispute, round, step: 'judge', error: message(e) })
      return
    }
    if (finding.verdict === 'unavailable') {
      const failures = (retry?.failures ?? 0) + 1
      const lastFailedAt = await c.now()
      const timing = this.#timing()
      const step = fetchRetryStep({ now: lastFailedAt, commitDeadline: d.commitDeadline, failures, lastFailedAt }, timing)
      if (step.kind !== 'vote') {
        this.#retries.set(key, { failures, lastFailedAt, finding })
        this.#emit({ type: 'juror-retrying', dispute, round, cid, failures, retryAt: step.kind === 'wait' ? step.until : lastFailedAt, lastRetryAt: lastRetryStart(d.commitDeadline, timing), reason: finding.reasons[0] ?? 'the evidence is unavailable' })
        return
      }
      this.#retries.delete(key)
      finding = { ...finding, reasons: [`${failures} fetch round(s) found it unavailable; no round left before the commit window closes`, ...finding.reasons] }
    }
    this.#judged.add(key)
    this.#retries.delete(key)
    await this.#ballot(address, d, node, finding)
  }

  /** Keeps and commits the ballot `finding` points to (an abstention: none). */
  async #ballot (address: PublicKey, d: DisputeAccount, node: NodeAccount, finding: JurorFinding): Promise<void> {
    const c = this.#c
    const dispute = address.toBase58()
    const round = d.round
    if (finding.verdict === 'not-judged') {
      this.#emit({ type: 'juror-abstained', dispute, round, cid: finding.cid, reason: finding.reasons[0] ?? 'no judgement on this machine' })
      return
    }
    const ballot = jurorBallot(finding.verdict, address.toBytes(), c.wallet.toBytes())
    const kept: KeptBallot = { dispute, round, side: ballot.side, salt: toHex(ballot.salt), deposit: String(jurorDeposit(node.stake)), state: 'committing' }
    // Kept before the commit is sent (see the module header).
    await c.ballots.put(ballotKey(dispute, round), kept as unknown as JsonObject)
    await this.#commit(ballotKey(dispute, round), kept, address, finding.segments)
  }

  async #commit (key: string, b: KeptBallot, address: PublicKey, segments: readonly number[]): Promise<void> {
    const c = this.#c
    try {
      const commitment = jurorBallot(b.side, address.toBytes(), c.wallet.toBytes(), fromHex(b.salt, { what: 'kept salt', bytes: 32 })).commitment
      const signature = await c.send([commitVote({ juror: c.wallet, dispute: address, round: b.round }, commitment)])
      await c.ballots.put(key, { ...b, state: 'committed' } as unknown as JsonObject)
      this.#emit({ type: 'juror-committed', dispute: b.dispute, round: b.round, side: b.side, deposit: BigInt(b.deposit), segments, signature })
    } catch (e) {
      // Kept as `committing`: the next poll sends it again if the window is still open.
      this.#emit({ type: 'juror-failed', dispute: b.dispute, round: b.round, step: 'commit', error: message(e) })
    }
  }

  /** What a kept ballot is owed now (`ballotStep`). */
  async #step (key: string, b: KeptBallot, address: PublicKey, d: DisputeAccount, now: bigint): Promise<void> {
    const c = this.#c
    const step = ballotStep(d, now, b)
    if (step === 'wait') return
    if (step === 'confirm') {
      // Kept, then the process stopped (or the send failed) before the commit was confirmed.
      if (await c.readVote(address, b.round) !== undefined) {
        await c.ballots.put(key, { ...b, state: 'committed' } as unknown as JsonObject)
        log('the commit of round %d of %s had landed; kept as committed', b.round, b.dispute)
      } else if (commitWindowOpen(d, now)) {
        await this.#commit(key, b, address, [])
      } else {
        log('the commit window of round %d of %s closed before the commit landed; forgetting the ballot', b.round, b.dispute)
        await c.ballots.delete(key)
      }
      return
    }
    if (step === 'reveal') {
      try {
        const signature = await c.send([revealVote({ juror: c.wallet, dispute: address, round: b.round }, SIDE[b.side], fromHex(b.salt, { what: 'kept salt', bytes: 32 }))])
        await c.ballots.put(key, { ...b, state: 'revealed' } as unknown as JsonObject)
        this.#emit({ type: 'juror-revealed', dispute: b.dispute, round: b.round, side: b.side, signature })
      } catch (e) {
        this.#emit({ type: 'juror-failed', dispute: b.dispute, round: b.round, step: 'reveal', error: message(e) })
      }
      return
    }
    // settle
    if (b.state === 'committing' && await c.readVote(address, b.round) === undefined) {
      await c.ballots.delete(key) // never committed: nothing to settle
      return
    }
    if (await c.readVote(address, b.round) === undefined) {
      // Settled by someone else (withdraw_vote is anyone's): the tokens are in the stake already.
      await c.ballots.delete(key)
      this.#emit({ type: 'juror-settled', dispute: b.dispute, round: b.round, by: 'another', returned: null, signature: null })
      return
    }
    try {
      const before = (await c.readNode())?.stake ?? 0n
      const signature = await c.send([withdrawVote({ juror: c.wallet, dispute: address, round: b.round })])
      const after = (await c.readNode())?.stake ?? 0n
      await c.ballots.delete(key)
      this.#emit({ type: 'juror-settled', dispute: b.dispute, round: b.round, by: 'self', returned: after - before, signature })
    } catch (e) {
      this.#emit({ type: 'juror-failed', dispute: b.dispute, round: b.round, step: 'settle', error: message(e) })
    }
  }
}
