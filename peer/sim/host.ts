/**
 * The peer host: one peer of a `cyx sim` network — its libp2p node (Helia, stores) on its data
 * dir, and its role (worker, client, juror, keeper) — driven by JSON lines (peer/sim/codec.ts).
 * It is the same code in both modes of `cyx sim`: in a child process of the `cyx` binary (the
 * hidden `cyx sim-peer` command, lines over stdin/stdout) or, with `--in-process`, in the `cyx sim`
 * process itself (lines over an in-memory channel). Nothing but lines passes either way.
 *
 * The orchestrator sends `start` with the plan first; the host answers `ready` (peer id, addresses,
 * wallet, and for a worker the unfinished jobs its job book held on disk before the role started),
 * then reports every role event as it happens (`event`: a worker's; `progress`: a submitted job's)
 * and answers commands by id:
 * - `submit`: the client runs a job request (passed to `Client.submit` as it is) to its outcome;
 * - `send`: the peer signs instructions with its own wallet and sends them over its own RPC
 *   connection (the court's verbs: submit_evidence, vote, resolve, withdraw, timeout_refund);
 * - `review`: a juror fetches evidence by CID over bitswap from the peer that holds it (or any
 *   provider) and re-runs spot checks with its own challenge (peer/roles/juror.ts `judgeEvidence`);
 * - `stop`: the role, then the node, stop cleanly; the host answers `stopped`.
 * Role options (`plan.worker`, `plan.client`) and job requests pass through untouched, so options
 * and events the roles gain need no change here.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { logger } from '@libp2p/logger'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { Connection, PublicKey, TransactionInstruction } from '@solana/web3.js'
import { fetchEvidence, verifyEvidence } from '../evidence/index.js'
import { createPeerNode, evidenceFetchComponents, type PeerNode } from '../node/index.js'
import { Client, JobBook, Worker, sendTransaction, walletKeypair, type ClientOptions, type JobRequest, type WorkerOptions } from '../roles/index.js'
import { judgeEvidence, type JurorVerdict } from '../roles/juror.js'
import { decode, encode } from './codec.js'
import { fromHex } from '../../protocols/index.js'

const log = logger('cyx:sim:host')

export type PeerRole = 'worker' | 'client' | 'juror' | 'keeper'

/** Everything a host needs to start its peer. The wallet is `<dir>/wallet.json` (funded by `cyx sim`). */
export interface PeerPlan {
  readonly name: string
  readonly role: PeerRole
  readonly dir: string
  /** The ledger's Solana JSON-RPC. */
  readonly rpc: string
  /** 32 bytes, hex: the libp2p identity (Ed25519) derives from it, so a restart keeps the peer id. */
  readonly peerKeySeed: string
  readonly bootstrap: readonly string[]
  readonly listen?: readonly string[]
  /** `Worker.start` options as they are (pricePerHour, faults …), less node, connection, store, onEvent. */
  readonly worker?: Readonly<Record<string, unknown>>
  /** `Client.start` options as they are (settle, resumeWindowMs …), less node, connection, store. */
  readonly client?: Readonly<Record<string, unknown>>
}

/** A Solana instruction as it travels (keys and program id base58, data bytes). */
export interface InstructionJson {
  readonly programId: string
  readonly keys: ReadonlyArray<{ readonly pubkey: string, readonly isSigner: boolean, readonly isWritable: boolean }>
  readonly data: Uint8Array
}

export const instructionJson = (ix: TransactionInstruction): InstructionJson => ({
  programId: ix.programId.toBase58(),
  keys: ix.keys.map((k) => ({ pubkey: k.pubkey.toBase58(), isSigner: k.isSigner, isWritable: k.isWritable })),
  data: Uint8Array.from(ix.data)
})

export interface ReviewRequest {
  readonly cid: string
  /** Where the evidence is: the holder's multiaddrs (with its peer id). */
  readonly holder: readonly string[]
  readonly challengeSeed: Uint8Array
  readonly checks: number
  readonly timeoutMs: number
}

export interface ReviewResult {
  /** Evidence blocks fetched over bitswap (0 when the fetch failed). */
  readonly blocks: number
  /** The side the re-executed evidence points to, or 'unavailable' (no judgement: the juror does not commit). */
  readonly verdict: JurorVerdict
  readonly segments: readonly number[]
  readonly reasons: readonly string[]
}

/** One libp2p connection of a peer, as the host reports it. */
export interface PeerConnection {
  readonly remotePeer: string
  readonly remoteAddr: string
  readonly relayed: boolean
  readonly direction: string
}

/** What the owner of a peer asks of its role after the fact (the live page's actions). */
export type PeerAction =
  | { readonly kind: 'cancel', readonly jobId: string }
  | { readonly kind: 'rate', readonly jobId: string, readonly stars: number }
  | { readonly kind: 'dispute', readonly jobId: string }
  | { readonly kind: 'control', readonly paused?: boolean, readonly pricePerHour?: bigint }

export type HostCommand =
  | { readonly cmd: 'start', readonly plan: PeerPlan }
  | { readonly cmd: 'submit', readonly id: number, readonly job: Readonly<Record<string, unknown>> }
  | { readonly cmd: 'send', readonly id: number, readonly instructions: readonly InstructionJson[] }
  | ({ readonly cmd: 'review', readonly id: number } & ReviewRequest)
  /** The peer's libp2p connections now (the live page's Network view). */
  | { readonly cmd: 'connections', readonly id: number }
  /** The client's cancel, rate or dispute, or the worker's pause/price (the same role methods the CLI's verbs use). */
  | { readonly cmd: 'act', readonly id: number, readonly action: PeerAction }
  | { readonly cmd: 'stop' }

export type HostMessage =
  | { readonly type: 'ready', readonly peerId: string, readonly addrs: readonly string[], readonly wallet: string, readonly pid: number, readonly unfinished: ReadonlyArray<{ readonly jobId: string, readonly state: string }> }
  | { readonly type: 'event', readonly event: unknown }
  | { readonly type: 'progress', readonly id: number, readonly event: unknown }
  | { readonly type: 'reply', readonly id: number, readonly ok: true, readonly value: unknown }
  | { readonly type: 'reply', readonly id: number, readonly ok: false, readonly error: Error }
  /** The peer could not start (the start command's failure). */
  | { readonly type: 'failed', readonly error: Error }
  | { readonly type: 'stopped' }

export class PeerHost {
  readonly #write: (line: string) => void
  #plan: PeerPlan | undefined
  #node: PeerNode | undefined
  #connection: Connection | undefined
  #worker: Worker | undefined
  #client: Client | undefined
  #started: Promise<void> | undefined
  #stopping: Promise<void> | undefined
  #resolveDone!: () => void
  /** Resolves once the peer has stopped (or failed to start). */
  readonly done = new Promise<void>((resolve) => { this.#resolveDone = resolve })

  constructor (write: (line: string) => void) {
    this.#write = write
  }

  #send (m: HostMessage): void {
    try {
      this.#write(encode(m))
    } catch {
      // the orchestrator is gone: nothing to tell
    }
  }

  /** One line from the orchestrator. */
  receive (line: string): void {
    let c: HostCommand
    try {
      c = decode<HostCommand>(line)
    } catch {
      return
    }
    if (c.cmd === 'start') {
      this.#plan = c.plan
      this.#started ??= this.#start(c.plan).catch((error: unknown) => {
        this.#send({ type: 'failed', error: error instanceof Error ? error : new Error(String(error)) })
        // Not awaited: stop waits for this very promise.
        this.stop().catch((err: unknown) => { log.error('stopping after a failed start failed: %e', err) })
      })
      return
    }
    if (c.cmd === 'stop') {
      this.stop().catch((err: unknown) => { log.error('stopping failed: %e', err) })
      return
    }
    const id = c.id
    const work = (async (): Promise<unknown> => {
      await this.#started
      if (this.#stopping !== undefined) throw new Error(`${this.#plan?.name ?? 'the peer'} is stopping`)
      if (c.cmd === 'submit') return await this.#submit(id, c.job)
      if (c.cmd === 'send') return await this.#sendInstructions(c.instructions)
      if (c.cmd === 'connections') return this.#connections()
      if (c.cmd === 'act') return await this.#act(c.action)
      return await this.#review(c)
    })()
    work.then(
      (value) => { this.#send({ type: 'reply', id, ok: true, value }) },
      (error: unknown) => { this.#send({ type: 'reply', id, ok: false, error: error instanceof Error ? error : new Error(String(error)) }) }
    )
  }

  async #act (a: PeerAction): Promise<unknown> {
    const name = this.#plan?.name ?? 'this peer'
    if (a.kind === 'control') {
      if (this.#worker === undefined) throw new Error(`${name} is not a worker`)
      return await this.#worker.setControl(a)
    }
    const client = this.#client
    if (client === undefined) throw new Error(`${name} is not a client`)
    if (a.kind === 'cancel') return await client.cancel(a.jobId)
    if (a.kind === 'rate') return await client.rate(a.jobId, a.stars)
    return await client.dispute(a.jobId)
  }

  /** Each open connection: the remote peer and address, through a circuit relay or direct. */
  #connections (): PeerConnection[] {
    return (this.#node?.libp2p.getConnections() ?? []).map((c) => ({
      remotePeer: c.remotePeer.toString(),
      remoteAddr: c.remoteAddr.toString(),
      relayed: c.remoteAddr.toString().includes('/p2p-circuit'),
      direction: c.direction
    }))
  }

  async #start (plan: PeerPlan): Promise<void> {
    this.#connection = new Connection(plan.rpc, 'confirmed')
    const privateKey = await generateKeyPairFromSeed('Ed25519', fromHex(plan.peerKeySeed, { what: 'peer key seed', bytes: 32 }))
    const node = await createPeerNode({ dir: plan.dir, privateKey, listen: plan.listen ?? ['/ip4/127.0.0.1/tcp/0'], bootstrap: plan.bootstrap })
    this.#node = node
    let unfinished: Array<{ jobId: string, state: string }> = []
    if (plan.role === 'worker') {
      // What this peer finds on disk before its role starts again (a restart after a crash).
      unfinished = (await JobBook.worker(node.store).unfinished()).map((r) => ({ jobId: r.jobId, state: r.state }))
      this.#worker = await Worker.start({
        ...(plan.worker as unknown as Omit<WorkerOptions, 'node' | 'connection' | 'store'>),
        node,
        connection: this.#connection,
        store: node.store,
        onEvent: (event) => { this.#send({ type: 'event', event }) }
      })
    } else if (plan.role === 'client') {
      this.#client = await Client.start({ ...(plan.client as Partial<ClientOptions>), node, connection: this.#connection, store: node.store })
    }
    const wallet = (await walletKeypair(node)).publicKey.toBase58()
    this.#send({ type: 'ready', peerId: node.peerId.toString(), addrs: node.multiaddrs().map(String), wallet, pid: process.pid, unfinished })
  }

  async #submit (id: number, job: Readonly<Record<string, unknown>>): Promise<unknown> {
    if (this.#client === undefined) throw new Error(`${this.#plan?.name ?? 'this peer'} is not a client`)
    // `modelOutDir` (the sim's): where the client writes a client model's trained file, <job id>.onnx.
    const { modelOutDir, ...request } = job as Record<string, unknown>
    const outcome = await this.#client.submit({ ...(request as unknown as JobRequest), onProgress: (event) => { this.#send({ type: 'progress', id, event }) } })
    // The weights themselves stay with the client (the outcome keeps their hash).
    const { weights: _weights, ...session } = outcome.session
    if (outcome.trainedModel === undefined) return { ...outcome, session }
    const { bytes, ...measured } = outcome.trainedModel
    let file: string | null = null
    if (typeof modelOutDir === 'string') {
      await mkdir(modelOutDir, { recursive: true })
      file = join(modelOutDir, `${outcome.jobId}.onnx`)
      await writeFile(file, bytes)
    }
    return { ...outcome, session, trainedModel: { ...measured, file } }
  }

  async #sendInstructions (instructions: readonly InstructionJson[]): Promise<string> {
    const keypair = await walletKeypair(this.#node as PeerNode)
    const ixs = instructions.map((i) => new TransactionInstruction({
      programId: new PublicKey(i.programId),
      keys: i.keys.map((k) => ({ pubkey: new PublicKey(k.pubkey), isSigner: k.isSigner, isWritable: k.isWritable })),
      data: Buffer.from(i.data)
    }))
    // A connection per command, as a short-lived `cyx dispute` process would use: web3.js refuses to
    // re-sign an identical transaction on the connection that sent it until the blockhash moves,
    // and the embedded ledger moves it only when a transaction is processed (a keeper's refund
    // asked again after a refusal and a clock warp is exactly such a transaction).
    return await sendTransaction(new Connection((this.#plan as PeerPlan).rpc, 'confirmed'), ixs, [keypair])
  }

  /** A juror's own look at the evidence: fetched by CID over bitswap, then spot checks re-run here. */
  /** The juror role's finding (peer/roles/juror.ts): the evidence fetched by CID from the holder or any provider, re-run here. */
  async #review (r: ReviewRequest): Promise<ReviewResult> {
    const node = this.#node as PeerNode
    const f = await judgeEvidence({
      fetchEvidence: async (cid, o) => await fetchEvidence(evidenceFetchComponents(node), cid, o),
      verify: async (cid, challengeSeed, checks) => await verifyEvidence({ cid, peer: { helia: node.helia }, challengeSeed, checks })
    }, { cid: r.cid, holders: [{ addrs: r.holder }], challengeSeed: r.challengeSeed, checks: r.checks, attempts: 3, signal: AbortSignal.timeout(r.timeoutMs) })
    return { blocks: f.blocks, verdict: f.verdict, segments: f.segments, reasons: f.reasons }
  }

  /** Stops the role, then the node (its stores close); answers `stopped`. Idempotent. */
  async stop (): Promise<void> {
    this.#stopping ??= (async () => {
      await this.#started?.catch((err: unknown) => { log.trace('the start failed (reported already): %e', err) })
      await this.#client?.stop().catch((err: unknown) => { log.error('stopping the client failed: %e', err) })
      await this.#worker?.stop().catch((err: unknown) => { log.error('stopping the worker failed: %e', err) })
      await this.#node?.stop().catch((err: unknown) => { log.error('stopping the node failed: %e', err) })
      this.#send({ type: 'stopped' })
      this.#resolveDone()
    })()
    await this.#stopping
  }
}
