/**
 * Random operation sequences against the real program (fast-check): create / anchor / complete /
 * cancel / timeout / rate / close / dispute / register / heartbeat / unstake, interleaved with
 * clock warps, each of which may legitimately fail. After every operation:
 * - no token is created or lost: mint supply + burned (Config.total_burned) = everything minted,
 *   and the token accounts of the mint hold exactly the supply;
 * - the stake vault holds Config.total_staked, the sum of the nodes' stakes;
 * - a live escrow's vault holds its amount, a finished one's nothing;
 * and at the end, once every deadline and dispute window has passed and anyone has called
 * timeout_refund / resolve_dispute, every escrow is in a terminal state.
 */
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { TOKEN_PROGRAM_ID } from '@solana/spl-token'
import { PublicKey } from '@solana/web3.js'
import {
  DISPUTE_STATE, ESCROW_STATE, TERMINAL_ESCROW_STATES, anchorProgress, complete, claimPayment, finalizeDispute, submitDelivery, cancel, closeEscrow, disputePda, escrowVaultPda, heartbeat,
  acceptJob, nodePda, openDispute, rateWorker, registerNode, requestUnstake, resolveDispute, timeoutRefund, vaultPda, drawJury, votePda, withdrawStake,
  decodeNode, escrowPda
} from '../../../chain/client/index.js'
import { DISPUTE, ESCROW, PROOF, STAKE_TIERS } from '../../../protocols/index.js'
import type { Keypair, TransactionInstruction } from '@solana/web3.js'
import { TOKEN, World, deliveryArgs, floatRun, hash, program, type Wallet } from '../../fixtures/world.js'
import { Court } from './jury.js'

/** Successful operations by kind, over all runs: the sequences must really exercise each path. */
const succeeded = new Map<string, number>()

type Op =
  | { kind: 'create', client: number, worker: number, amount: bigint, epochs: number, timeout: number }
  | { kind: 'anchor' | 'complete' | 'cancel' | 'timeout' | 'rate' | 'close' | 'dispute' | 'vote' | 'resolve' | 'reveal' | 'finalize' | 'deliver' | 'claim', escrow: number, x: number }
  | { kind: 'register' | 'heartbeat' | 'unstake' | 'withdraw', worker: number }
  | { kind: 'warp', seconds: number }

const op: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('create' as const), client: fc.nat(2), worker: fc.nat(2), amount: fc.bigInt(TOKEN - 1n, 9n * TOKEN), epochs: fc.integer({ min: 1, max: 6 }), timeout: fc.integer({ min: 3_600, max: 86_400 * 7 }) }), weight: 5 },
  { arbitrary: fc.record({ kind: fc.constantFrom('anchor' as const, 'complete' as const, 'cancel' as const, 'timeout' as const, 'rate' as const, 'close' as const, 'dispute' as const, 'vote' as const, 'resolve' as const, 'reveal' as const, 'finalize' as const, 'deliver' as const, 'claim' as const), escrow: fc.nat(20), x: fc.nat(7) }), weight: 8 },
  { arbitrary: fc.record({ kind: fc.constantFrom('register' as const, 'heartbeat' as const, 'heartbeat' as const, 'unstake' as const, 'withdraw' as const), worker: fc.nat(2) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('warp' as const), seconds: fc.integer({ min: 1, max: 86_400 * 5 }) }), weight: 2 }
)

interface Job { key: PublicKey, client: Wallet, worker: Wallet }

/** Juror i's side in a round keyed by x: mostly the worker's, sometimes the client's. */
const jurySide = (i: number, x: number): 'client' | 'worker' => ((i + x) % 3 === 0 ? 'client' : 'worker')

class Sim {
  readonly w = new World().initialize()
  readonly clients = [this.w.wallet(600n), this.w.wallet(600n), this.w.wallet(600n)]
  readonly workers = [this.w.wallet(1_000n), this.w.wallet(1_000n), this.w.wallet(1_000n)]
  /** Staked nodes that are never parties: with the workers' stakes all are drawn in every round (7 × 200 ≥ 1,200). */
  readonly jurors = [this.w.wallet(1_000n), this.w.wallet(1_000n), this.w.wallet(1_000n)]
  readonly jobs: Job[] = []
  readonly registered = new Set<number>()
  nonce = 0n

  constructor () {
    this.workers.forEach((_, i) => this.register(i))
    for (const j of this.jurors) this.w.ledger.mustSend([registerNode({ owner: j.kp.publicKey, ownerToken: j.token }, STAKE_TIERS[1]?.minStake ?? 0n, this.w.pid)], [j.kp])
  }

  register (i: number): void {
    const worker = this.workers[i] as Wallet
    if (this.w.register(worker, STAKE_TIERS[1]?.minStake ?? 0n).ok) this.registered.add(i)
  }

  /** The worker's float checkpoints for `escrow`, anchored at the final epoch (if `anchor`), then submit_delivery. */
  deliver (escrow: PublicKey, worker: Wallet, x: number, anchor: boolean): void {
    const { w } = this
    const epochs = w.ledger.account(escrow) === null ? 1 : w.escrowAccount(escrow).epochsTotal
    const run = floatRun(epochs, `run${x}`, hash(`w${x}`))
    if (anchor) this.send('anchor', anchorProgress({ worker: worker.kp.publicKey, escrow }, epochs, run.root, w.pid), worker.kp)
    this.send('deliver', submitDelivery({ worker: worker.kp.publicKey, escrow }, deliveryArgs(run), w.pid), worker.kp)
  }

  /** Job `i`, mostly among the live ones (funded or disputed), sometimes any (finished ones test replays). */
  job (i: number): Job | undefined {
    const live = this.jobs.filter((j) => {
      if (this.w.ledger.account(j.key) === null) return false
      const state = this.w.escrowAccount(j.key).state
      return state === ESCROW_STATE.funded || state === ESCROW_STATE.disputed
    })
    const pool = i % 4 !== 0 && live.length > 0 ? live : this.jobs
    return pool.length === 0 ? undefined : pool[i % pool.length]
  }

  /** Sends one instruction; counts it under `kind` when it succeeds. */
  send (kind: string, ix: TransactionInstruction, signer: Keypair): void {
    if (this.w.ledger.send([ix], [signer]).ok) succeeded.set(kind, (succeeded.get(kind) ?? 0) + 1)
  }

  apply (o: Op): void {
    const w = this.w
    const L = w.ledger
    switch (o.kind) {
      case 'warp': L.warp(BigInt(o.seconds)); return
      case 'create': {
        const client = this.clients[o.client] as Wallet
        const worker = this.workers[o.worker] as Wallet
        const nonce = ++this.nonce
        const timeout = BigInt(o.timeout)
        // Half the timeout, capped so that each epoch fits the no-progress timeout (accept_job's rule).
        const half = timeout / 2n + 1n
        const fitting = BigInt(o.epochs * ESCROW.noProgressTimeoutSeconds)
        const args = w.escrowArgs(nonce, o.amount, { timeoutSecs: timeout, estimatedSeconds: half < fitting ? half : fitting, epochsTotal: o.epochs })
        if (L.send([w.createEscrowIx(client, worker.kp.publicKey, args)], [client.kp]).ok) {
          succeeded.set('create', (succeeded.get('create') ?? 0) + 1)
          const key = escrowPda(w.pid, client.kp.publicKey, nonce).address
          this.jobs.push({ key, client, worker })
          // Most offers are accepted at once; a 6-epoch one stays an offer (only the client's cancel ends it).
          if (o.epochs !== 6) this.send('accept', acceptJob({ worker: worker.kp.publicKey, escrow: key }, w.pid), worker.kp)
        }
        return
      }
      case 'register': this.register(o.worker); return
      case 'heartbeat': case 'unstake': case 'withdraw': {
        const worker = this.workers[o.worker] as Wallet
        const owner = worker.kp.publicKey
        const ix = o.kind === 'heartbeat' ? heartbeat({ owner }, w.pid) : o.kind === 'unstake' ? requestUnstake({ owner }, w.pid) : withdrawStake({ owner, ownerToken: worker.token }, w.pid)
        this.send(o.kind, ix, worker.kp)
        return
      }
    }
    const j = this.job(o.escrow)
    if (j === undefined) return
    const { key: escrow, client, worker } = j
    const base = { client: client.kp.publicKey, escrow, worker: worker.kp.publicKey, workerToken: worker.token }
    const dispute = disputePda(w.pid, escrow).address
    switch (o.kind) {
      case 'anchor': this.send(o.kind, anchorProgress({ worker: worker.kp.publicKey, escrow }, o.x, hash(`r${o.x}`), w.pid), worker.kp); return
      case 'complete': {
        // complete pays only a delivered job: mostly the worker delivers just before.
        if (o.x % 4 !== 0) this.deliver(escrow, worker, o.x, true)
        // Mostly the weights the worker delivered (the only ones complete accepts), sometimes others.
        const delivered = L.account(escrow) === null ? hash('weights') : w.escrowAccount(escrow).finalWeightsHash
        this.send(o.kind, complete(base, o.x % 4 === 0 ? hash('weights') : delivered, w.pid), client.kp)
        return
      }
      case 'cancel': this.send(o.kind, cancel({ ...base, clientToken: client.token }, w.pid), client.kp); return
      case 'timeout': this.send(o.kind, timeoutRefund({ escrow, worker: worker.kp.publicKey, clientToken: client.token, mint: w.mint }, w.pid), L.payer); return
      case 'rate': this.send(o.kind, rateWorker(base, 1 + (o.x % 5), w.pid), client.kp); return
      case 'close': this.send(o.kind, closeEscrow({ client: client.kp.publicKey, escrow }, w.pid), client.kp); return
      case 'dispute': {
        const by = o.x % 2 === 0 ? client : worker
        this.send(o.kind, openDispute({ claimant: by.kp.publicKey, claimantToken: by.token, escrow, mint: w.mint }, `cid${o.x}`, w.pid), by.kp)
        return
      }
      case 'vote': {
        // The jury is drawn and each juror commits (a side by its index and x), when the dispute allows it.
        if (L.account(dispute) === null) return
        const court = new Court(w, escrow)
        w.nextSlot()
        this.send('draw_jury', drawJury({ dispute }, w.pid), L.payer)
        this.jurors.forEach((j, i) => this.send(o.kind, court.commitIx(j, jurySide(i, o.x)), j.kp))
        this.sides.set(dispute.toBase58(), o.x)
        this.warpTo(court.d.commitDeadline)
        return
      }
      case 'reveal': {
        if (L.account(dispute) === null) return
        const court = new Court(w, escrow)
        const x = this.sides.get(dispute.toBase58()) ?? 0
        this.jurors.forEach((j, i) => { if (o.x % 4 !== i) this.send(o.kind, court.revealIx(j, jurySide(i, x)), j.kp) })
        this.warpTo(court.d.revealDeadline)
        return
      }
      case 'resolve':
        this.send(o.kind, resolveDispute({ escrow }, w.pid), L.payer)
        this.settle(escrow)
        return
      case 'finalize':
        this.send(o.kind, finalizeDispute({ escrow, worker: worker.kp.publicKey, clientToken: client.token, workerToken: worker.token, mint: w.mint }, w.pid), L.payer)
        return
      case 'deliver':
        // Mostly the worker anchors the root at the final epoch first (submit_delivery checks the
        // final leaf against the anchored root), sometimes it does not.
        this.deliver(escrow, worker, o.x, o.x % 3 !== 0)
        return
      case 'claim': this.send(o.kind, claimPayment({ escrow, worker: worker.kp.publicKey, workerToken: worker.token }, w.pid), worker.kp)
    }
  }

  readonly sides = new Map<string, number>()

  warpTo (unix: bigint): void {
    const now = this.w.ledger.unixTime()
    if (now < unix) this.w.ledger.warp(unix - now)
  }

  /** Settles every juror vote of `escrow`'s dispute whose round is over (anyone may). */
  settle (escrow: PublicKey): void {
    const w = this.w
    const dispute = disputePda(w.pid, escrow).address
    if (w.ledger.account(dispute) === null) return
    const court = new Court(w, escrow)
    const d = court.d
    for (let r = 0; r <= d.round; r++) {
      for (const j of this.jurors) {
        if (w.ledger.account(votePda(w.pid, dispute, j.kp.publicKey, r).address) === null) continue
        if (r === d.round && d.state === DISPUTE_STATE.open) continue
        w.ledger.mustSend([court.withdrawIx(j, r)], [w.ledger.payer])
      }
    }
  }

  check (where: string): void {
    const w = this.w
    const c = w.config()
    const supply = w.supply()
    assert.equal(supply + c.totalBurned, w.minted, `${where}: supply + burned ≠ minted`)
    let held = 0n
    for (const { account } of w.ledger.embedded.getProgramAccounts(TOKEN_PROGRAM_ID.toBase58())) {
      if (account.data.length === 165 && new PublicKey(account.data.subarray(0, 32)).equals(w.mint)) {
        held += new DataView(account.data.buffer, account.data.byteOffset).getBigUint64(64, true)
      }
    }
    assert.equal(held, supply, `${where}: token accounts ≠ supply`)
    let stakes = 0n
    for (const i of this.registered) stakes += w.node((this.workers[i] as Wallet).kp.publicKey).stake
    for (const j of this.jurors) stakes += w.node(j.kp.publicKey).stake
    assert.equal(c.totalStaked, stakes, `${where}: total_staked ≠ Σ stakes`)
    assert.equal(w.ledger.tokenBalance(vaultPda(w.pid, 'stake').address), stakes, `${where}: stake vault ≠ Σ stakes`)
    for (const j of this.jobs) {
      if (w.ledger.account(j.key) === null) continue // closed (only finished escrows can be)
      const e = w.escrowAccount(j.key)
      const live = e.state === ESCROW_STATE.funded || e.state === ESCROW_STATE.disputed
      assert.ok(live || TERMINAL_ESCROW_STATES.includes(e.state), `${where}: escrow in unknown state ${e.state}`)
      assert.equal(w.ledger.tokenBalance(escrowVaultPda(w.pid, j.key).address), live ? e.amount : 0n, `${where}: escrow vault`)
    }
  }

  /** Everything still open runs out: disputes are resolved, funded escrows timed out. */
  finish (): void {
    const w = this.w
    w.ledger.warp(BigInt(86_400 * 7 + DISPUTE.evidenceWindowSeconds + DISPUTE.commitWindowSeconds + DISPUTE.revealWindowSeconds + PROOF.challengeWindowSeconds + 1))
    const L = w.ledger
    // Open disputes: the round under way is resolved (a verdict or a redraw); a redrawn one gets a
    // full round of the three jurors for the worker. Then every vote is settled.
    for (const { key: escrow } of this.jobs) {
      if (L.account(escrow) === null || w.escrowAccount(escrow).state !== ESCROW_STATE.disputed) continue
      const court = new Court(w, escrow)
      if (court.d.state === DISPUTE_STATE.open) {
        this.warpTo(court.d.revealDeadline)
        L.mustSend([court.resolveIx()], [L.payer])
        succeeded.set('resolve', (succeeded.get('resolve') ?? 0) + 1)
      }
      if (court.d.state === DISPUTE_STATE.open) court.round(new Map(this.jurors.map((j) => [j, 'worker' as const])), this.jurors)
      this.settle(escrow)
    }
    for (const { key: escrow, client, worker } of this.jobs) {
      if (L.account(escrow) === null) continue
      const e = w.escrowAccount(escrow)
      const state = e.state
      if (state === ESCROW_STATE.disputed) {
        L.mustSend([finalizeDispute({ escrow, worker: worker.kp.publicKey, clientToken: client.token, workerToken: worker.token, mint: w.mint }, w.pid)], [L.payer])
        succeeded.set('finalize', (succeeded.get('finalize') ?? 0) + 1)
      } else if (state === ESCROW_STATE.funded && e.delivered === 1) {
        L.mustSend([claimPayment({ escrow, worker: worker.kp.publicKey, workerToken: worker.token }, w.pid)], [worker.kp])
        succeeded.set('claim', (succeeded.get('claim') ?? 0) + 1)
      } else if (state === ESCROW_STATE.funded && e.accepted === 0) {
        // An offer never accepted: only its client can end it, in full, with no slash.
        L.mustSend([cancel({ client: client.kp.publicKey, escrow, worker: worker.kp.publicKey, workerToken: worker.token, clientToken: client.token }, w.pid)], [client.kp])
        succeeded.set('cancel', (succeeded.get('cancel') ?? 0) + 1)
      } else if (state === ESCROW_STATE.funded) {
        L.mustSend([timeoutRefund({ escrow, worker: worker.kp.publicKey, clientToken: client.token, mint: w.mint }, w.pid)], [L.payer])
        succeeded.set('timeout', (succeeded.get('timeout') ?? 0) + 1)
      }
    }
    this.check('after finishing')
    // Half of the finished escrows are closed (rent back), which must not move a token either.
    this.jobs.forEach((j, i) => { if (i % 2 === 0) this.send('close', closeEscrow({ client: j.client.kp.publicKey, escrow: j.key }, w.pid), j.client.kp) })
    this.check('after closing')
    for (const j of this.jobs) {
      if (w.ledger.account(j.key) === null) continue
      const state = w.escrowAccount(j.key).state
      assert.ok(TERMINAL_ESCROW_STATES.includes(state), `escrow ends in state ${state}, not a terminal one`)
    }
    for (const i of this.registered) assert.equal(decodeNode(w.ledger.account(nodePda(w.pid, (this.workers[i] as Wallet).kp.publicKey).address)?.data ?? new Uint8Array()).jobsActive, 0)
  }
}

describe('chain/program: random operation sequences (fast-check)', () => {
  before(function () {
    this.timeout(600_000)
    program()
  })

  it('never creates or loses a token, and leaves no escrow outside a terminal state', function () {
    this.timeout(300_000)
    fc.assert(fc.property(fc.array(op, { minLength: 5, maxLength: 30 }), (ops) => {
      const sim = new Sim()
      sim.check('start')
      ops.forEach((o, i) => {
        sim.apply(o)
        sim.check(`after op ${i} (${o.kind})`)
      })
      sim.finish()
    }), { numRuns: 50 })
    console.log(`      successes: ${JSON.stringify(Object.fromEntries(succeeded))}`)
    for (const kind of ['create', 'anchor', 'complete', 'cancel', 'timeout', 'close', 'dispute', 'resolve', 'finalize', 'deliver', 'heartbeat']) {
      assert.ok((succeeded.get(kind) ?? 0) > 0, `no successful ${kind} in any sequence: the generator does not reach it`)
    }
  })
})
