/** `cyx worker`: register and stake if needed, advertise, bid, train, deliver (peer/roles/worker/). */
import { parseCommandArgs, UsageError, type Command, untilSignal } from '../command.js'
import { NODE_OPTIONS, NODE_USAGE, PEER_OPTIONS, connect, dataDir, jsonLine, multiaddrs, nodeNetwork, rpcUrl, startNode, tokens } from './peer-common.js'
import type { CommandIo } from '../command.js'

const CONTROL_VERBS = new Set(['pause', 'resume', 'price'])

/**
 * `cyx worker pause|resume|price P`: the owner's say to the worker running on DIR, through its
 * control file (peer/roles/worker/control.ts); the running worker applies it within a second.
 */
async function controlVerb (verb: string, argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { dir: PEER_OPTIONS.dir, json: PEER_OPTIONS.json }, true)
  const { updateWorkerControl, WorkerControlError } = await import('../../roles/index.js')
  if (verb === 'price' ? positionals.length !== 1 : positionals.length !== 0) throw new UsageError(verb === 'price' ? 'price takes one amount, CYXWIZ per hour (e.g. cyx worker price 80)' : `${verb} takes no argument`)
  const patch = verb === 'price' ? { pricePerHour: tokens(positionals[0]!, 'price') } : { paused: verb === 'pause' }
  const dir = dataDir(values.dir)
  let now
  try {
    now = await updateWorkerControl(dir, patch)
  } catch (e) {
    if (e instanceof WorkerControlError) throw new UsageError(e.message)
    throw e
  }
  io.out(values.json === true
    ? jsonLine({ dir, paused: now.paused, pricePerHour: now.pricePerHour })
    : `cyx worker: ${now.paused ? 'paused: it bids on nothing and takes no new award (running jobs go on)' : 'bidding'}, at ${now.pricePerHour} base units per hour (a running worker on ${dir} applies it within a second)`)
  return 0
}

export const workerCommand: Command = {
  name: 'worker',
  usage: `Usage: cyx worker [--dir DIR] [--keypair PATH] [--rpc URL] [--bootstrap MADDR]... [--listen MADDR]...
                  [--announce MADDR]... [--no-relay] [--price TOKENS_PER_HOUR] [--capacity N] [--coordinator MADDR]
                  [--no-juror] [--json]
       cyx worker pause|resume [--dir DIR] [--json]
       cyx worker price TOKENS_PER_HOUR [--dir DIR] [--json]

Runs a worker: registers its node on-chain and stakes on first start (the lowest tier's minimum,
from the wallet's CYXWIZ), files its signed capability advert in the private DHT, bids on announced
jobs by policy, checks each award's escrow on-chain, trains with evidence (served over bitswap) and
delivers. Before delivering it anchors the Poseidon root of its checkpoints on-chain; then it
settles in the background: optimistic jobs are claimed once the challenge window has passed
undisputed (unless the client paid at once), zk jobs are paid by proving the challenged step in
Groth16 (complete_zk). It heartbeats on-chain every interval. A job interrupted by a restart
resumes from its last checkpoint when its client comes back, and a delivered one is settled at the
next start. Prints one line per event; Ctrl-C stops cleanly.

As a staked node it is also a juror (docs/security.md §5), unless --no-juror: every 30 s it reads
the program's disputes and, for a round whose drawn jury includes it (never one it is a party to),
fetches the cited evidence by CID, re-runs spot checks with its own challenge and commits the side
they support within the commit window (10 % of its stake as a deposit; its side and salt kept in
DIR first, so a restart still reveals), reveals it in the reveal window, and settles the vote back
into its stake once the round is over. Evidence nobody serves is fetched again with backoff
until the commit window is about to close, then voted "unavailable" if every retry failed;
evidence it fetched but cannot re-execute here: no commit, no deposit risked. A dispute against
this worker is answered with the evidence it delivered (submit_evidence); with --no-juror, answer
it with "cyx dispute evidence ID --evidence CID". Drawing the jury, resolving and finalizing are
anyone's ("cyx dispute draw|resolve|finalize").

pause, resume and price tell the worker running on DIR (through DIR/worker-control.json, which
it reads every second and writes afresh at each start): a paused worker bids on nothing and takes
no award it did not bid on (bids already sent stand; running jobs go on and are settled); a new
price holds from the next bid and is advertised at once. The live page (cyx ui) does the same.

Options:
  --dir DIR          data dir: wallet, peer key, databases, evidence (default ~/.cyx)
  --keypair PATH     the wallet (Solana CLI JSON; default DIR/wallet.json, created if missing)
  --rpc URL          Solana JSON-RPC (default http://127.0.0.1:8899, e.g. "cyx chain")
${NODE_USAGE}
  --no-relay         take no relay reservation: for a worker reachable at its --listen or
                     --announce addresses (a public host). By default a worker holds a slot on a
                     relay among its peers, so clients reach it behind NAT
  --price N          the worker's rate, CYXWIZ per hour (default 100)
  --capacity N       jobs run at once, bids still open included (1..16, default 1)
  --coordinator MADDR  an optional coordinator to register the advert with after each
                     publish/refresh (the DHT advert stands regardless)
  --no-juror         never sit on a dispute jury nor answer a dispute by itself (the juror
                     duty is on by default)
  --json             JSON lines instead of text (the first: {"event":"ready", peerId, addrs, wallet})
  -h, --help`,
  async run (argv, io) {
    if (argv[0] !== undefined && CONTROL_VERBS.has(argv[0])) return await controlVerb(argv[0], argv.slice(1), io)
    const { values } = parseCommandArgs(argv, { ...PEER_OPTIONS, ...NODE_OPTIONS, price: { type: 'string' }, capacity: { type: 'string' }, coordinator: { type: 'string' }, 'no-relay': { type: 'boolean' }, 'no-juror': { type: 'boolean' } })
    const price = tokens(values.price ?? '100', 'price')
    const capacity = values.capacity === undefined ? 1 : Number(values.capacity)
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 16) throw new UsageError(`--capacity must be a whole number 1..16 (got ${values.capacity ?? ''})`)
    await nodeNetwork(values) // checks the network flags before anything starts
    const coordinator = multiaddrs(values.coordinator === undefined ? undefined : [values.coordinator], 'coordinator')[0]
    const connection = connect(rpcUrl(values.rpc))
    const json = values.json === true
    const say = (event: string, fields: Record<string, unknown>, text: string): void => { io.out(json ? jsonLine({ event, ...fields }) : `cyx worker: ${text}`) }

    const { Worker } = await import('../../roles/index.js')
    const { multiaddr } = await import('@multiformats/multiaddr')
    // Ctrl-C from here on stops cleanly: one during start-up (registration, staking, the first
    // advert) is kept, start-up finishes, and the worker stops at once; a second one quits as
    // Node does by default (untilSignal listens for the first only).
    let ready = false
    const failed = new AbortController() // start-up failed: the handler goes, the error is thrown
    const signalled = untilSignal({ signal: failed.signal })
    void signalled.then((sig) => { if (!ready) say('stopping', { signal: sig }, `${sig}: stopping once start-up is done (again to quit now)`) })
    // A worker may sit behind NAT: it holds a relay reservation so clients can reach it, unless it
    // says it is reachable (--no-relay).
    const node = await startNode(values, { reserveRelay: values['no-relay'] !== true }).catch((e: unknown) => { failed.abort(); throw e })
    let worker
    try {
      worker = await Worker.start({
        node,
        connection,
        store: node.store,
        pricePerHour: price,
        capacity,
        juror: values['no-juror'] !== true,
        ...(coordinator === undefined ? {} : { coordinator: multiaddr(coordinator) }),
        onEvent: (e) => {
          switch (e.type) {
            case 'registered': say(e.type, { stake: e.stake, signature: e.signature }, `registered and staked ${e.stake} base units (${e.signature})`); break
            case 'advertised': say(e.type, { storedOn: e.storedOn, relayed: e.relayed }, `advert filed in the DHT (${e.storedOn} remote copies${e.relayed ? ', with a relayed address' : ''})`); break
            case 'dataset-received': say(e.type, { jobId: e.jobId, bytes: e.bytes, ms: e.ms }, `job ${e.jobId.slice(0, 12)}…: dataset received (${e.bytes} bytes in ${e.ms} ms)`); break
            case 'advert-failed': say(e.type, { error: e.error }, `advert not filed yet: ${e.error} (retried when a peer connects)`); break
            case 'coordinator': if (e.result === 'registered') say(e.type, { result: e.result, indexedUntil: e.indexedUntil }, `registered with the coordinator until ${new Date(Number(e.indexedUntil) * 1000).toISOString()}`)
            else say(e.type, { result: e.result, error: e.error }, `coordinator registration failed: ${e.error} (the DHT advert stands)`); break
            case 'bid-decision': if (!e.decision.bid) say(e.type, { jobId: e.jobId, bid: false, reason: e.decision.reason }, `job ${e.jobId.slice(0, 12)}…: no bid (${e.decision.reason})`); break
            case 'bid-sent': say(e.type, { jobId: e.jobId, price: e.price }, `job ${e.jobId.slice(0, 12)}…: bid ${e.price} base units`); break
            case 'bid-failed': say(e.type, { jobId: e.jobId, error: e.error }, `job ${e.jobId.slice(0, 12)}…: bid failed: ${e.error}`); break
            case 'job': say(e.type, { jobId: e.jobId, state: e.state, ...(e.error === undefined ? {} : { error: e.error }) }, `job ${e.jobId.slice(0, 12)}…: ${e.state}${e.error === undefined ? '' : ` (${e.error})`}`); break
            case 'resumable': say(e.type, { jobId: e.jobId, state: e.state }, `job ${e.jobId.slice(0, 12)}…: unfinished (${e.state}), waiting for its client to come back`); break
            case 'resumed': say(e.type, { jobId: e.jobId, state: e.state }, `job ${e.jobId.slice(0, 12)}…: resumed from its last checkpoint`); break
            case 'progress-anchored': say(e.type, { jobId: e.jobId, epoch: e.epoch, signature: e.signature, transactions: e.transactions }, `job ${e.jobId.slice(0, 12)}…: checkpoint ${e.epoch} anchored on-chain (${e.signature})`); break
            case 'progress-anchor-failed': say(e.type, { jobId: e.jobId, epoch: e.epoch, error: e.error }, `job ${e.jobId.slice(0, 12)}…: anchoring checkpoint ${e.epoch} failed: ${e.error} (tried again)`); break
            case 'anchored': say(e.type, { jobId: e.jobId, tier: e.tier, checkpoints: e.checkpoints, root: e.root, signatures: e.signatures, progressAnchors: e.progressAnchors }, `job ${e.jobId.slice(0, 12)}…: root of ${e.checkpoints} checkpoints anchored on-chain${e.tier === 'optimistic' ? ', delivery submitted (the challenge window runs)' : ''} (${e.progressAnchors} progress anchors while training)`); break
            case 'challenge': say(e.type, { jobId: e.jobId, step: e.step }, `job ${e.jobId.slice(0, 12)}…: the program challenged step ${e.step}; proving it in Groth16`); break
            case 'settled': say(e.type, { jobId: e.jobId, how: e.how, signature: e.signature ?? null, challengeStep: e.challengeStep ?? null, proveSeconds: e.proveSeconds ?? null, escrowState: e.escrowState ?? null }, `job ${e.jobId.slice(0, 12)}…: ${e.how === 'proved' ? `proof verified on-chain and paid (${e.signature ?? ''})` : e.how === 'claimed' ? `window passed, payment claimed (${e.signature ?? ''})` : `escrow ended (state ${e.escrowState ?? '?'})`}`); break
            case 'settlement-failed': say(e.type, { jobId: e.jobId, error: e.error }, `job ${e.jobId.slice(0, 12)}…: settlement failed: ${e.error} (tried again later, and at the next start)`); break
            case 'heartbeat': say(e.type, { signature: e.signature }, `heartbeat on-chain (${e.signature})`); break
            case 'heartbeat-failed': say(e.type, { error: e.error }, `heartbeat not accepted: ${e.error} (tried again next interval)`); break
            case 'interrupted': say(e.type, { jobId: e.jobId, error: e.error }, `job ${e.jobId.slice(0, 12)}…: interrupted (${e.error}); resumable`); break
            case 'control': say(e.type, { paused: e.paused, pricePerHour: e.pricePerHour }, `${e.paused ? 'paused: no bids, no new awards' : 'bidding'} at ${e.pricePerHour} base units per hour`); break
            case 'redelivered': say(e.type, { jobId: e.jobId }, `job ${e.jobId.slice(0, 12)}…: delivered again (the first delivery never reached the client)`); break
            case 'juror-drawn': say(e.type, { dispute: e.dispute, round: e.round, cid: e.cid }, `dispute ${e.dispute.slice(0, 8)}… round ${e.round}: drawn for the jury; judging the evidence ${e.cid}`); break
            case 'juror-retrying': say(e.type, { dispute: e.dispute, round: e.round, cid: e.cid, failures: e.failures, retryAt: new Date(Number(e.retryAt) * 1000).toISOString(), lastRetryAt: new Date(Number(e.lastRetryAt) * 1000).toISOString(), reason: e.reason }, `dispute ${e.dispute.slice(0, 8)}… round ${e.round}: the evidence ${e.cid} is unavailable (fetch round ${e.failures}: ${e.reason}); fetching again at ${new Date(Number(e.retryAt) * 1000).toISOString()}, voting unavailable if nothing arrives by ${new Date(Number(e.lastRetryAt) * 1000).toISOString()}`); break
            case 'juror-abstained': say(e.type, { dispute: e.dispute, round: e.round, cid: e.cid, reason: e.reason }, `dispute ${e.dispute.slice(0, 8)}… round ${e.round}: no judgement (${e.reason}); not committing`); break
            case 'juror-committed': say(e.type, { dispute: e.dispute, round: e.round, side: e.side, deposit: e.deposit, segments: e.segments, signature: e.signature }, `dispute ${e.dispute.slice(0, 8)}… round ${e.round}: re-ran segments ${e.segments.join(', ')}, committed for the ${e.side} with a deposit of ${e.deposit} base units (${e.signature})`); break
            case 'juror-revealed': say(e.type, { dispute: e.dispute, round: e.round, side: e.side, signature: e.signature }, `dispute ${e.dispute.slice(0, 8)}… round ${e.round}: revealed its vote for the ${e.side} (${e.signature})`); break
            case 'juror-settled': say(e.type, { dispute: e.dispute, round: e.round, by: e.by, returned: e.returned, signature: e.signature }, `dispute ${e.dispute.slice(0, 8)}… round ${e.round}: vote settled${e.by === 'self' ? `, ${String(e.returned)} base units back into the stake (${e.signature ?? ''})` : ' by another'}`); break
            case 'dispute-answered': say(e.type, { dispute: e.dispute, cid: e.cid, signature: e.signature }, `dispute ${e.dispute.slice(0, 8)}… against this worker: answered with the delivered evidence ${e.cid} (${e.signature}); keep serving it through the commit window`); break
            case 'dispute-answer-failed': say(e.type, { dispute: e.dispute, error: e.error }, `dispute ${e.dispute.slice(0, 8)}… against this worker: answering failed: ${e.error} (tried again at the next poll)`); break
            case 'juror-failed': say(e.type, { dispute: e.dispute ?? null, round: e.round ?? null, step: e.step, error: e.error }, `${e.dispute === undefined ? 'juror' : `dispute ${e.dispute.slice(0, 8)}… round ${String(e.round)}`}: ${e.step} failed: ${e.error} (tried again at the next poll)`); break
          }
        }
      })
    } catch (e) {
      failed.abort()
      await node.stop()
      throw e
    }
    // The owner's remote control (cyx worker pause|resume|price, the live page): written afresh
    // from this start's flags, then watched.
    const { watchWorkerControl, writeWorkerControl } = await import('../../roles/index.js')
    const dir = dataDir(values.dir)
    await writeWorkerControl(dir, worker.control)
    const started = worker
    const unwatch = watchWorkerControl(dir, (c) => {
      if (c.paused === started.control.paused && c.pricePerHour === started.control.pricePerHour) return
      started.setControl(c).catch((e: unknown) => { say('control-failed', { error: e instanceof Error ? e.message : String(e) }, `the control file was not applied: ${e instanceof Error ? e.message : String(e)}`) })
    })
    const addrs = node.multiaddrs().map(String)
    say('ready', { peerId: node.peerId.toString(), addrs, wallet: worker.wallet.toBase58(), price }, `${node.peerId.toString()} on ${addrs.join(' ')}, wallet ${worker.wallet.toBase58()}, ${values.price ?? '100'} CYXWIZ/h. Ctrl-C to stop.`)
    ready = true
    const signal = await signalled
    unwatch()
    await worker.stop()
    await node.stop()
    say('stopped', { signal }, `stopped (${signal})`)
    return 0
  }
}
