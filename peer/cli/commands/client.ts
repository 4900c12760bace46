/** `cyx client`: submit a job and see it through, and the verbs on a job afterwards (peer/roles/client/). */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { CLIENT_MODEL_OPTIONS, CLIENT_MODEL_USAGE, clientModelArgs } from './client-model-args.js'
import { logger } from '@libp2p/logger'
import { PublicKey } from '@solana/web3.js'
import { parseCommandArgs, UsageError, verbCommand, type Command, type CommandIo } from '../command.js'
import { MESH } from '../../../protocols/params.js'
import { NODE_OPTIONS, NODE_USAGE, PEER_OPTIONS, connect, dataDir, jsonLine, multiaddrs, nodeNetwork, rpcUrl, startNode, tokens, type NodeArgs } from './peer-common.js'
import { toHex } from '../../../protocols/hex.js'
import { progressText } from '../../roles/client/progress.js'
import type { ClientJobEvent } from '../../roles/index.js'

const log = logger('cyx:cli:client')


const USAGE = `Usage: cyx client submit (--dataset spirals|mnist|mnist-4x4 | --model FILE --data FILE|DIR) --epochs N --max-price P [--tier optimistic|zk]
                        [--settle complete|window] [--dir DIR] [--keypair PATH] [--rpc URL]
                        [--bootstrap MADDR]... [--listen MADDR]... [--coordinator MADDR] [--failover] [--json]
       cyx client resume JOB [--settle complete|window] [--failover] [--dir DIR] [--keypair PATH] [--rpc URL]
                        [--bootstrap MADDR]... [--json]
       cyx client status JOB [--dir DIR] [--rpc URL] [--json]
       cyx client cancel JOB [--dir DIR] [--keypair PATH] [--rpc URL] [--json]
       cyx client refund JOB [--dir DIR] [--keypair PATH] [--rpc URL] [--json]
       cyx client rate JOB STARS [--dir DIR] [--keypair PATH] [--rpc URL] [--json]

submit  finds workers in the DHT, announces the signed job, collects bids for the bid window,
        escrows the best-scored bid on-chain, sends the dataset, shows live progress, checks the
        weights against their hash, fetches the evidence over bitswap, re-executes spot checks,
        checks the root the worker anchored on-chain against that evidence, and settles:
        optimistic tier: signs complete at once (--settle complete, default) or lets the
        on-chain challenge window run, after which the worker claims (--settle window: exits 0
        at 'verified'); zk tier: waits until the program has verified the worker's Groth16
        proof of the challenged step and paid it. With --json, progress goes to stderr as JSON lines and the result to
        stdout as one JSON object.
resume  sees through a job this client left unfinished (it was stopped or killed after the
        escrow): resumes the session with the same award (the worker continues from its last
        checkpoint), then checks and settles as submit does. Ctrl-C during submit leaves the job
        resumable.
status  the job's record in DIR and its escrow on-chain.
cancel  withdraws a funded job (program "cancel": the worker keeps its pro-rata earnings and
        the cancellation fee, the rest is refunded).
refund  after the escrow's deadline: the whole amount back and the worker slashed — program
        "timeout_refund" (10 %), or "slash_invalid_proof" (25 %) for a zk worker that anchored its
        root but never proved the challenged step. Refused before the deadline.
rate    rates the worker of a completed job, 1..5 stars, once (program "rate_worker").

Options:
  --dir DIR          data dir: wallet, peer key, job records (default ~/.cyx)
  --keypair PATH     the wallet (default DIR/wallet.json)
  --rpc URL          Solana JSON-RPC (default http://127.0.0.1:8899)
${NODE_USAGE}
  --dataset NAME     spirals or mnist (float, optimistic tier) or mnist-4x4 (MNIST 0-3 at 4x4
                     pixels, the step circuit's shape; implies --tier zk)
  --epochs N         1..1000 (zk tier: 1..4 — an epoch is 8 steps, one checkpoint each)
  --tier T           optimistic (default) or zk (exact Q16 training, proved in Groth16)
  --settle S         complete (default) or window (optimistic tier only)
  --max-price P      the most the job may cost, CYXWIZ
  --bid-window S     seconds to collect bids, 1..60 (default 3)
${CLIENT_MODEL_USAGE}
                     The trained model is written to DIR/models/<job id>.onnx.
  --coordinator MADDR  submit: ask this coordinator for candidates first (2 s); if it is
                     unreachable, slow or lies, say so and use the DHT and gossipsub
  --failover         optimistic tier (off by default): when the worker's session is gone and it
                     stalled past the escrow's no-progress timeout (no anchor for 2 h), spot-check
                     the last checkpoint kept here, hand the escrow over on-chain (hand_over: the
                     stalled worker paid for the verified epochs and slashed as for a timeout) and
                     re-auction the rest, which the new worker trains from that checkpoint. Without
                     it the job fails after the resume window and the escrow waits for 'refund'.
                     With --json the 'stalled' and 'handed-over' events go to stderr and the result
                     carries 'failover' (null when there was none).
  -h, --help`

const JOB_ID = /^[0-9a-f]{64}$/

function jobArg (v: string | undefined): string {
  if (v === undefined || !JOB_ID.test(v)) throw new UsageError(`JOB must be a job id: 64 hex digits (got ${v ?? 'nothing'})`)
  return v
}

function settleArg (v: string | undefined): 'complete' | 'window' {
  const settle = v ?? 'complete'
  if (settle !== 'complete' && settle !== 'window') throw new UsageError(`--settle must be complete or window (got ${settle})`)
  return settle
}

/** resume: the job's own record says what it is; only the peer options apply. */
async function resume (argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { ...PEER_OPTIONS, ...NODE_OPTIONS, settle: { type: 'string' }, failover: { type: 'boolean' } }, true)
  const jobId = jobArg(positionals[0])
  if (positionals.length > 1) throw new UsageError('resume takes one JOB')
  return await seeThrough(values, io, { settle: settleArg(values.settle), failover: values.failover === true }, { resume: jobId })
}

/** `--bid-window S`: whole seconds, 1 up to the longest window an announce may name (default 3). */
function bidWindowArg (value: string | undefined): number {
  const s = value === undefined ? MESH.bidWindowSeconds : Number(value)
  if (!Number.isInteger(s) || s < 1 || s > MESH.maxAnnounceBidWindowSeconds) throw new UsageError(`--bid-window must be 1..${MESH.maxAnnounceBidWindowSeconds} seconds (got ${value ?? 'nothing'})`)
  return s
}

/** A job request as `Client.submit` takes it (the client's settle and node options apart). */
export interface SubmitRequest { datasetId: string, tier: 'optimistic' | 'zk', epochs: number, maxPrice: bigint, bidWindowMs: number, clientModel?: Record<string, unknown> }

/** How the job rules (roles' parseJobRequest) name a request's fields on the command line. */
export const flagName = (field: 'dataset' | 'tier' | 'epochs' | 'model'): string => field === 'model' ? '--model/--data' : `--${field}`

/** `submit`'s job flags (and the live page's form, which sends the same names) checked and made a
 * request: one set of checks and errors for both; the dataset, tier and epochs by the roles'
 * `parseJobRequest`, the rules `Client.submit` and `cyx sim` apply too. */
export async function submitRequest (values: { dataset?: string | undefined, epochs?: string | undefined, 'max-price'?: string | undefined, tier?: string | undefined, 'bid-window'?: string | undefined } & Parameters<typeof clientModelArgs>[0]): Promise<SubmitRequest> {
  const own = clientModelArgs(values)
  // The roles load here, not with the CLI: `--help` stays quick.
  const { clientModelRequest, parseJobRequest, JobRequestError } = await import('../../roles/index.js')
  let job
  try {
    job = parseJobRequest({ dataset: values.dataset, tier: values.tier, epochs: values.epochs, clientModel: own !== undefined }, { name: flagName })
  } catch (e) {
    throw e instanceof JobRequestError ? new UsageError(e.message) : e
  }
  if (values['max-price'] === undefined) throw new UsageError('--max-price is required')
  const maxPrice = tokens(values['max-price'], 'max-price')
  const bidWindow = bidWindowArg(values['bid-window'])
  return { datasetId: job.datasetId, tier: job.tier, epochs: job.epochs, maxPrice, bidWindowMs: bidWindow * 1000, ...(own === undefined ? {} : { clientModel: clientModelRequest(own, job.epochs) }) }
}

const SUBMIT_OPTIONS = { ...PEER_OPTIONS, ...NODE_OPTIONS, ...CLIENT_MODEL_OPTIONS, dataset: { type: 'string' }, epochs: { type: 'string' }, 'max-price': { type: 'string' }, tier: { type: 'string' }, settle: { type: 'string' }, 'bid-window': { type: 'string' }, coordinator: { type: 'string' }, failover: { type: 'boolean' } } as const

/** What the client role is started with (`Client.start`'s options, the node and chain apart). */
export interface ClientRunOptions { readonly settle: 'complete' | 'window', readonly failover: boolean }

/** `submit`'s arguments checked: the request, and the client's options (`--failover` is the optimistic tier's: `hand_over` refuses a zk escrow). */
export async function parseSubmit (argv: string[]): Promise<{ values: ReturnType<typeof parseCommandArgs<typeof SUBMIT_OPTIONS>>['values'], request: SubmitRequest, client: ClientRunOptions }> {
  const { values } = parseCommandArgs(argv, SUBMIT_OPTIONS)
  const settle = settleArg(values.settle)
  const request = await submitRequest(values)
  const failover = values.failover === true
  if (failover && request.tier !== 'optimistic') throw new UsageError('--failover is for the optimistic tier (the program does not hand a zk escrow over; a stalled zk worker is refunded by \'cyx client refund\')')
  return { values, request, client: { settle, failover } }
}

/** The options `Client.start` gets from the command line (as `cyx sim --scenario failover` sets `failover: true`). */
export function clientStartOptions (o: ClientRunOptions): { settle: 'complete' | 'window', failover?: true } {
  return { settle: o.settle, ...(o.failover ? { failover: true as const } : {}) }
}

/** One client event as a progress line: its JSON fields and its text (the roles' `progressText`,
 * which `cyx sim` shares); undefined: not shown (checkpoint notices, the epoch-0 metrics). */
export function describeEvent (e: ClientJobEvent): { fields: Record<string, unknown>, text: string } | undefined {
  const fields = eventFields(e)
  const text = fields === undefined ? undefined : progressText(e)
  return fields === undefined || text === undefined ? undefined : { fields, text }
}

/** An event's facts for the --json progress lines (amounts as bigints, written as base-unit strings). */
function eventFields (e: ClientJobEvent): Record<string, unknown> | undefined {
  switch (e.type) {
    case 'state': return { state: e.state, jobId: e.jobId }
    case 'workers': return { found: e.found }
    case 'coordinator': return e.result === 'matched'
      ? { result: e.result, candidates: e.candidates, connected: e.connected, elapsedMs: e.elapsedMs }
      : { result: e.result, cause: e.cause, reason: e.reason, elapsedMs: e.elapsedMs }
    case 'bid': return { from: e.from, price: e.price, etaSeconds: e.etaSeconds }
    case 'award': return { worker: e.worker, price: e.price, escrow: e.escrow }
    case 'metrics': return { epoch: e.metrics.epoch, totalEpochs: e.metrics.totalEpochs, loss: e.metrics.loss, testAccuracy: e.metrics.testAccuracy }
    case 'checkpoint': return undefined
    case 'checkpoint-kept': return { epoch: e.epoch, cid: e.cid, blocks: e.blocks, bytes: e.bytes }
    case 'reconnecting': return { attempt: e.attempt, error: e.error }
    case 'weights': return { bytes: e.bytes, ms: e.ms }
    case 'evidence': return { cid: e.cid, blocks: e.blocks, bytes: e.bytes, ms: e.ms }
    case 'anchored-root': return { ok: e.ok, root: e.root, reason: e.reason ?? null }
    case 'zk': return { verifiedOnChain: e.verifiedOnChain, challengeStep: e.challengeStep, escrowState: e.escrowState }
    case 'spot-check': return { passed: e.report.passed, verdict: e.report.verdict, segments: e.report.segments, reasons: e.report.reasons }
    case 'stalled': return { worker: e.worker, kept: e.kept, checkpointPassed: e.checkpointPassed, verifiedEpochs: e.verifiedEpochs, remaining: e.remaining }
    case 'handed-over': return { from: e.from, to: e.to, verifiedEpochs: e.verifiedEpochs, firstWorker: e.firstWorker, platform: e.platform, remaining: e.remaining, signature: e.signature }
  }
}

async function submit (argv: string[], io: CommandIo): Promise<number> {
  const { values, request, client } = await parseSubmit(argv)
  return await seeThrough(values, io, client, { submit: request })
}

/** Runs a client node for one job — a new one (`submit`) or a recorded one (`resume`) — with live progress. */
async function seeThrough (
  values: NodeArgs & { rpc?: string, coordinator?: string, json?: boolean },
  io: CommandIo, run: ClientRunOptions,
  job: { submit: { datasetId: string, tier: 'optimistic' | 'zk', epochs: number, maxPrice: bigint, bidWindowMs: number, clientModel?: Record<string, unknown> } } | { resume: string }
): Promise<number> {
  const { settle } = run
  await nodeNetwork(values) // checks the network flags before anything starts
  const coordinator = multiaddrs(values.coordinator === undefined ? undefined : [values.coordinator], 'coordinator')[0]
  const json = values.json === true
  const progress = (event: string, fields: Record<string, unknown>, text: string): void => {
    if (json) io.err(jsonLine({ event, ...fields }))
    else io.out(`cyx client: ${text}`)
  }

  const { Client } = await import('../../roles/index.js')
  const { multiaddr } = await import('@multiformats/multiaddr')
  const node = await startNode(values, { reserveRelay: false })
  const abort = new AbortController()
  const onSignal = (): void => { abort.abort(new Error('interrupted')) }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  let client
  try {
    client = await Client.start({ node, connection: connect(rpcUrl(values.rpc)), store: node.store, ...clientStartOptions(run), ...(coordinator === undefined ? {} : { coordinator: multiaddr(coordinator) }) })
    progress('ready', { peerId: node.peerId.toString(), wallet: client.wallet.toBase58() }, `${node.peerId.toString()}, wallet ${client.wallet.toBase58()}`)
    const onProgress = (e: import('../../roles/index.js').ClientJobEvent): void => {
      const d = describeEvent(e)
      if (d !== undefined) progress(e.type, d.fields, d.text)
    }
    const outcome = 'resume' in job
      ? await client.resume(job.resume, { signal: abort.signal, onProgress })
      : await client.submit({ ...job.submit, signal: abort.signal, onProgress } as import('../../roles/index.js').JobRequest)
    // A client model: its own file with the trained weights, next to the job records.
    let modelFile: string | null = null
    if (outcome.trainedModel !== undefined) {
      const models = join(dataDir(values.dir), 'models')
      await mkdir(models, { recursive: true })
      modelFile = join(models, `${outcome.jobId}.onnx`)
      await writeFile(modelFile, outcome.trainedModel.bytes)
    }
    const result = {
      jobId: outcome.jobId,
      state: outcome.state,
      worker: outcome.winner,
      escrow: outcome.escrow,
      weightsHash: toHex(outcome.session.delivery.weightsHash),
      evidenceCid: outcome.session.delivery.evidenceCid,
      testAccuracy: outcome.trainedModel?.testAccuracy ?? outcome.session.metrics.at(-1)?.testAccuracy ?? null,
      modelFile,
      spotCheck: outcome.spotCheck ?? null,
      completeSignature: outcome.completeSignature ?? null,
      tier: outcome.tier,
      zk: outcome.zk ?? null,
      failover: outcome.failover ?? null
    }
    if (json) io.out(jsonLine(result))
    else io.out(`cyx client: job ${outcome.jobId} ${outcome.state}; weights ${result.weightsHash}; evidence ${result.evidenceCid}${outcome.failover === undefined ? '' : `; handed over from ${outcome.failover.from} at epoch ${outcome.failover.resumedFromEpoch}`}${outcome.completeSignature === undefined ? '' : `; paid (${outcome.completeSignature})`}${modelFile === null ? '' : `\ncyx client: trained model ${modelFile} (test accuracy ${((result.testAccuracy ?? 0) * 100).toFixed(2)} %, measured here)`}`)
    return outcome.state === 'completed' || (settle === 'window' && outcome.state === 'verified') ? 0 : 1
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    await client?.stop()
    await node.stop()
  }
}

/** The job's record from the store in DIR (closed again at once, so a running submit is not blocked long). */
async function record (dir: string, jobId: string): Promise<import('../../roles/index.js').JobRecord<import('../../roles/index.js').ClientJobState>> {
  const { openPeerStore } = await import('../../../storage/index.js')
  const { JobBook } = await import('../../roles/index.js')
  const store = await openPeerStore(dir)
  try {
    const r = await JobBook.client(store).get(jobId)
    if (r === undefined) throw new Error(`no job ${jobId} in ${dir}`)
    return r
  } finally {
    await store.close()
  }
}

async function status (argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, PEER_OPTIONS, true)
  const jobId = jobArg(positionals[0])
  if (positionals.length > 1) throw new UsageError('status takes one JOB')
  const r = await record(dataDir(values.dir), jobId)
  let escrow: Record<string, unknown> | null = null
  if (r.facts.escrow !== undefined) {
    const { ESCROW_STATE, fetchEscrow } = await import('../../../chain/index.js')
    try {
      const e = await fetchEscrow(connect(rpcUrl(values.rpc)), new PublicKey(r.facts.escrow))
      const name = e === undefined ? 'closed' : Object.entries(ESCROW_STATE).find(([, v]) => v === e.state)?.[0] ?? String(e.state)
      escrow = { address: r.facts.escrow, state: name, ...(e === undefined ? {} : { amount: e.amount, worker: e.worker.toBase58() }) }
    } catch (err) {
      // The record is still worth showing without the chain (the ledger down, another RPC).
      escrow = { address: r.facts.escrow, error: `could not read the escrow: ${err instanceof Error ? err.message : String(err)}` }
    }
  }
  if (values.json === true) io.out(jsonLine({ ...r, escrow }))
  else {
    io.out(`job ${jobId}: ${r.state} (updated ${new Date(r.updatedAt).toISOString()})${r.error === undefined ? '' : `, error: ${r.error}`}`)
    for (const [k, v] of Object.entries(r.facts)) io.out(`  ${k}: ${v}`)
    if (escrow !== null) io.out(`  escrow on-chain: ${String(escrow.state)}, ${String(escrow.amount)} base units`)
  }
  return 0
}

/** Signs one instruction about the job's escrow with the wallet in DIR (or --keypair). */
async function onEscrow (values: { dir?: string, keypair?: string, rpc?: string }, jobId: string, build: (a: { client: PublicKey, escrow: PublicKey, worker: PublicKey, mint: PublicKey }) => import('@solana/web3.js').TransactionInstruction): Promise<{ signature: string, record: Awaited<ReturnType<typeof record>> }> {
  const dir = dataDir(values.dir)
  const r = await record(dir, jobId)
  if (r.facts.escrow === undefined || r.facts.workerWallet === undefined) throw new Error(`job ${jobId} has no escrow (state ${r.state})`)
  const { join } = await import('node:path')
  const { readFile } = await import('node:fs/promises')
  const { Keypair } = await import('@solana/web3.js')
  const { parseSolanaKeypair, WALLET_FILE } = await import('../../node/index.js')
  const { readConfig, sendTransaction } = await import('../../roles/index.js')
  const path = values.keypair ?? join(dir, WALLET_FILE)
  const keypair = Keypair.fromSecretKey(parseSolanaKeypair(await readFile(path, 'utf8'), path))
  const connection = connect(rpcUrl(values.rpc))
  const config = await readConfig(connection)
  const ix = build({ client: keypair.publicKey, escrow: new PublicKey(r.facts.escrow), worker: new PublicKey(r.facts.workerWallet), mint: config.mint })
  return { signature: await sendTransaction(connection, [ix], [keypair]), record: r }
}

/** The client's after-the-fact actions (peer/roles/client/actions.ts) on DIR's wallet and records. */
async function clientActions (values: { dir?: string, keypair?: string, rpc?: string }): Promise<import('../../roles/index.js').ClientActionComponents> {
  const { dirActionComponents } = await import('../../roles/index.js')
  return await dirActionComponents(dataDir(values.dir), connect(rpcUrl(values.rpc)), values.keypair)
}

async function cancelJob (argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, PEER_OPTIONS, true)
  const jobId = jobArg(positionals[0])
  if (positionals.length > 1) throw new UsageError('cancel takes one JOB')
  const { cancelJob: cancel } = await import('../../roles/index.js')
  const { signature } = await cancel(await clientActions(values), jobId)
  io.out(values.json === true ? jsonLine({ jobId, state: 'cancelled', signature }) : `job ${jobId}: cancelled on-chain (${signature})`)
  return 0
}

async function refund (argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, PEER_OPTIONS, true)
  const jobId = jobArg(positionals[0])
  if (positionals.length > 1) throw new UsageError('refund takes one JOB')
  const { ESCROW_STATE, TIER, cancel, fetchEscrow, slashInvalidProof, timeoutRefund } = await import('../../../chain/index.js')
  const { tokenAccount, JobBook } = await import('../../roles/index.js')
  const r = await record(dataDir(values.dir), jobId)
  if (r.facts.escrow === undefined) throw new Error(`job ${jobId} has no escrow (state ${r.state})`)
  const connection = connect(rpcUrl(values.rpc))
  const e = await fetchEscrow(connection, new PublicKey(r.facts.escrow))
  if (e === undefined) throw new Error(`the escrow ${r.facts.escrow} is gone (closed)`)
  if (e.state !== ESCROW_STATE.funded) throw new Error(`the escrow is no longer funded (state ${e.state}): nothing to refund`)
  // A zk worker that anchored its final root and then did not prove its drawn challenge is slashed
  // as an invalid proof (25 %); a zk escrow whose challenge was never drawn is refunded without a
  // slash (`timeout_refund`); any other funded escrow past its deadline is an ordinary timeout (10 %).
  // An offer the worker never accepted (`accept_job`) is the client's to withdraw in full, with no
  // slash, at any time: `cancel`.
  const offer = e.accepted === 0
  const invalidProof = !offer && e.tier === TIER.zk && e.epochsDone === e.epochsTotal && e.challenged !== 0
  const { signature } = await onEscrow(values, jobId, (a) => {
    const accounts = { escrow: a.escrow, worker: a.worker, clientToken: tokenAccount(a.client, a.mint), mint: a.mint }
    if (offer) return cancel({ client: a.client, escrow: a.escrow, worker: a.worker, workerToken: tokenAccount(a.worker, a.mint), clientToken: accounts.clientToken })
    return invalidProof ? slashInvalidProof(accounts) : timeoutRefund(accounts)
  })
  const { openPeerStore } = await import('../../../storage/index.js')
  const store = await openPeerStore(dataDir(values.dir))
  try {
    const book = JobBook.client(store)
    await book.note(jobId, { refundSignature: signature })
    await book.transition(jobId, 'failed', {}, offer ? 'withdrawn: the worker never accepted the escrow' : invalidProof ? 'refunded: the worker did not prove the challenged step by the deadline' : 'refunded: the deadline passed').catch((err: unknown) => { log.error('recording the refund failed: %e', err) })
  } finally {
    await store.close()
  }
  const how = offer ? 'cancel' : invalidProof ? 'slash_invalid_proof' : 'timeout_refund'
  io.out(values.json === true ? jsonLine({ jobId, refunded: true, instruction: how, signature }) : `job ${jobId}: refunded on-chain by ${how} (${signature})`)
  return 0
}

async function rate (argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, PEER_OPTIONS, true)
  const jobId = jobArg(positionals[0])
  const stars = Number(positionals[1])
  if (positionals.length !== 2 || !Number.isInteger(stars) || stars < 1 || stars > 5) throw new UsageError('rate takes JOB and STARS, a whole number 1..5')
  const { rateJob } = await import('../../roles/index.js')
  const { signature } = await rateJob(await clientActions(values), jobId, stars)
  io.out(values.json === true ? jsonLine({ jobId, stars, signature }) : `job ${jobId}: rated ${stars} stars (${signature})`)
  return 0
}

export const clientCommand: Command = verbCommand('client', USAGE, {
  submit,
  resume,
  status,
  cancel: cancelJob,
  refund,
  rate
})
