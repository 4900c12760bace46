/**
 * `cyx dispute`: the dispute participants' verbs, for people and for `cyx sim`'s scenarios alike —
 * open a dispute on a job's escrow citing evidence, look at one (fetching the evidence by CID over
 * bitswap and re-running the spot checks locally), vote with tokens, record the verdict after the
 * voting window, appeal it, execute it, and take votes back.
 */
import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Keypair, PublicKey, Transaction, sendAndConfirmTransaction, type Connection, type TransactionInstruction } from '@solana/web3.js'
import { getAssociatedTokenAddressSync } from '@solana/spl-token'
import { parseCommandArgs, UsageError, type Command, type CommandIo } from '../command.js'
import { NODE_OPTIONS, PEER_OPTIONS, connect, dataDir, jsonLine, nodeNetwork, rpcUrl, startNode, tokens } from './peer-common.js'

const USAGE = `Usage: cyx dispute open JOB --evidence CID [--dir DIR] [--keypair PATH] [--rpc URL] [--json]
       cyx dispute show ID [--bootstrap MADDR]... [--bootstrap-file PATH] [--checks K] [--rpc URL] [--json]
       cyx dispute vote ID --side client|worker --amount N [--dir DIR] [--keypair PATH] [--rpc URL] [--json]
       cyx dispute resolve ID [--dir DIR] [--keypair PATH] [--rpc URL] [--json]
       cyx dispute appeal ID [--dir DIR] [--keypair PATH] [--rpc URL] [--json]
       cyx dispute finalize ID [--dir DIR] [--keypair PATH] [--rpc URL] [--json]
       cyx dispute withdraw ID [--dir DIR] [--keypair PATH] [--rpc URL] [--json]

JOB is a job id (64 hex digits) from the job records in DIR (the client's or the worker's), or the
escrow's address. ID is the dispute's address (what "open" prints) or its escrow's.

open      the client or the worker of a funded escrow disputes it (program "open_dispute"),
          citing the evidence CID, and locks the dispute bond (100 CYXWIZ, the Config's
          disputeBond) from its wallet: back to it if it wins, to the other party if it loses.
          The escrow is frozen; the evidence window (24 h) starts, then voting (36 h).
show      the dispute on-chain (each side's claim and evidence, windows, votes, verdict); then
          fetches every cited evidence by CID over bitswap from the --bootstrap peers and re-runs
          K spot checks locally (re-execution, a fresh challenge): what the checks found.
vote      locks N CYXWIZ of the wallet's for one side (voting window; after the evidence window).
resolve   after the voting window: records the verdict (quorum 5 % of the supply; without it the
          respondent wins). Tokens move at "finalize".
appeal    the loser of a recorded first verdict, within the appeal window, deposits the appeal
          deposit and reopens voting (twice the quorum).
finalize  after the appeal window (or a resolved appeal): executes the verdict (refund, payment,
          slashing, reputation) and pays the bond to the winner.
withdraw  a voter takes its locked votes back (once the dispute is resolved).

Options:
  --dir DIR          data dir: wallet, job records (default ~/.cyx)
  --keypair PATH     the wallet (default DIR/wallet.json)
  --rpc URL          Solana JSON-RPC (default http://127.0.0.1:8899)
  --evidence CID     open: the evidence the claim rests on
  --side S           vote: client or worker
  --amount N         vote: CYXWIZ to lock
  --bootstrap MADDR  show: a peer holding the evidence (repeatable)
  --bootstrap-file PATH  show: more such peers, one multiaddr per line (# comments)
  --checks K         show: segments to re-execute per evidence (default 2)
  --json             one JSON object
  -h, --help`

const JOB_ID = /^[0-9a-f]{64}$/

// The on-chain verbs load only the chain client (no libp2p, Helia or onnxruntime): they start fast.
const chainClient = async (): Promise<typeof import('../../../chain/client/index.js')> => await import('../../../chain/client/index.js')
const tokenAccount = (owner: PublicKey, mint: PublicKey): PublicKey => getAssociatedTokenAddressSync(mint, owner)

async function readMint (connection: Connection): Promise<PublicKey> {
  const { CYXWIZ_PROGRAM_ID, configPda, decodeConfig } = await chainClient()
  const info = await connection.getAccountInfo(configPda(CYXWIZ_PROGRAM_ID).address, 'confirmed')
  if (info === null) throw new Error('the cyxwiz program has no Config on this ledger (is it initialised?)')
  return decodeConfig(info.data).mint
}

function address (v: string | undefined, what: string): PublicKey {
  try {
    if (v === undefined) throw new Error('missing')
    return new PublicKey(v)
  } catch {
    throw new UsageError(`${what} must be a base-58 address (got ${v ?? 'nothing'})`)
  }
}

async function wallet (values: { dir?: string, keypair?: string }): Promise<Keypair> {
  const { parseSolanaKeypair } = await import('../../node/identity.js')
  const path = values.keypair ?? join(dataDir(values.dir), 'wallet.json')
  return Keypair.fromSecretKey(parseSolanaKeypair(await readFile(path, 'utf8'), path))
}

const nameOf = (table: Record<string, number>, v: number): string => Object.entries(table).find(([, x]) => x === v)?.[0] ?? String(v)
const cidText = (b: Uint8Array): string => Buffer.from(b).toString('utf8').replace(/\0+$/, '')
const iso = (unix: bigint): string | null => unix === 0n ? null : new Date(Number(unix) * 1000).toISOString()

/** The escrow a JOB names: an address, or the escrow of the job record in DIR (client's or worker's). */
async function escrowOfJob (job: string, dir: string): Promise<PublicKey> {
  if (!JOB_ID.test(job)) return address(job, 'JOB')
  const { openPeerStore } = await import('../../../storage/index.js')
  const { JobBook } = await import('../../roles/index.js')
  const store = await openPeerStore(dir)
  try {
    const c = await JobBook.client(store).get(job)
    if (c?.facts.escrow !== undefined) return new PublicKey(c.facts.escrow)
    const w = await JobBook.worker(store).get(job)
    if (w?.facts.escrow !== undefined) return new PublicKey(Buffer.from(w.facts.escrow, 'hex'))
  } finally {
    await store.close()
  }
  throw new Error(`no job ${job} with an escrow in ${dir}`)
}

interface Located {
  readonly dispute: PublicKey
  readonly data: import('../../../chain/index.js').DisputeAccount
}

/** The dispute ID names: its own address, or its escrow's. */
async function locate (connection: Connection, id: PublicKey): Promise<Located> {
  const { CYXWIZ_PROGRAM_ID, decodeDispute, disputePda } = await chainClient()
  for (const candidate of [id, disputePda(CYXWIZ_PROGRAM_ID, id).address]) {
    const info = await connection.getAccountInfo(candidate, 'confirmed')
    if (info === null || !info.owner.equals(CYXWIZ_PROGRAM_ID)) continue
    try {
      return { dispute: candidate, data: decodeDispute(info.data) }
    } catch { /* not a dispute: try the escrow's */ }
  }
  throw new Error(`no dispute at ${id.toBase58()} (nor for an escrow there)`)
}

async function send (connection: Connection, ix: TransactionInstruction, signer: Keypair): Promise<string> {
  return await sendAndConfirmTransaction(connection, new Transaction().add(ix), [signer], { commitment: 'confirmed' })
}

/** The dispute as data, for show and for the other verbs' answers. */
async function view (connection: Connection, l: Located): Promise<Record<string, unknown>> {
  const { DISPUTE_STATE, SIDE } = await chainClient()
  const d = l.data
  const now = (await connection.getBlockTime(await connection.getSlot('confirmed'))) ?? Math.floor(Date.now() / 1000)
  return {
    dispute: l.dispute.toBase58(),
    escrow: d.escrow.toBase58(),
    client: d.client.toBase58(),
    worker: d.worker.toBase58(),
    claimant: nameOf(SIDE, d.claimant),
    state: nameOf(DISPUTE_STATE, d.state),
    round: d.round,
    claims: {
      client: { evidence: cidText(d.clientEvidence) || null },
      worker: { evidence: cidText(d.workerEvidence) || null }
    },
    windows: { now: new Date(now * 1000).toISOString(), evidenceUntil: iso(d.evidenceDeadline), votingUntil: iso(d.votingDeadline), appealUntil: iso(d.appealDeadline) },
    votes: { forClient: d.forClient, forWorker: d.forWorker, voters: d.voters },
    /** The claimant's bond still held in the dispute's vault (0 once finalized). */
    bond: d.bond,
    winner: d.state === DISPUTE_STATE.open ? null : nameOf(SIDE, d.winner)
  }
}

async function open (argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { ...PEER_OPTIONS, evidence: { type: 'string' } }, true)
  if (positionals.length !== 1) throw new UsageError('open takes one JOB')
  if (values.evidence === undefined) throw new UsageError('--evidence CID is required')
  const { CID } = await import('multiformats/cid')
  try { CID.parse(values.evidence) } catch { throw new UsageError(`--evidence must be a CID (got ${values.evidence})`) }
  const { CYXWIZ_PROGRAM_ID, configPda, decodeConfig, disputePda, openDispute } = await chainClient()
  const escrow = await escrowOfJob(positionals[0] as string, dataDir(values.dir))
  const signer = await wallet(values)
  const connection = connect(rpcUrl(values.rpc))
  const mint = await readMint(connection)
  // The bond is locked from the wallet's CYXWIZ account: say so before the program refuses it.
  const configInfo = await connection.getAccountInfo(configPda(CYXWIZ_PROGRAM_ID).address, 'confirmed')
  const bond = configInfo === null ? 0n : decodeConfig(configInfo.data).params.disputeBond
  const held = await connection.getTokenAccountBalance(tokenAccount(signer.publicKey, mint), 'confirmed').then((r) => BigInt(r.value.amount), () => 0n)
  if (held < bond) {
    const { formatTokens } = await import('../../../protocols/index.js')
    throw new Error(`opening a dispute locks the dispute bond of ${formatTokens(bond)} CYXWIZ; ${signer.publicKey.toBase58()} holds ${formatTokens(held)} (fund the wallet, e.g. cyx faucet on a local chain)`)
  }
  const signature = await send(connection, openDispute({ claimant: signer.publicKey, claimantToken: tokenAccount(signer.publicKey, mint), escrow, mint }, values.evidence), signer)
  const dispute = disputePda(CYXWIZ_PROGRAM_ID, escrow).address
  const v = await view(connection, await locate(connection, dispute))
  if (values.json === true) io.out(jsonLine({ ...v, signature }))
  else io.out(`cyx dispute: opened ${dispute.toBase58()} on escrow ${escrow.toBase58()} as the ${String(v.claimant)}, citing ${values.evidence}; evidence window until ${String((v.windows as { evidenceUntil: string }).evidenceUntil)} (${signature})`)
  return 0
}

interface EvidenceFinding {
  readonly side: string
  readonly cid: string
  readonly blocks: number
  readonly verdict: 'passed' | 'failed' | 'not-judged' | 'unavailable'
  readonly segments: readonly number[]
  readonly segmentCount: number | null
  readonly finalWeightsHash: string | null
  readonly reasons: readonly string[]
}

async function show (argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { rpc: PEER_OPTIONS.rpc, json: PEER_OPTIONS.json, bootstrap: NODE_OPTIONS.bootstrap, 'bootstrap-file': NODE_OPTIONS['bootstrap-file'], checks: { type: 'string' } }, true)
  if (positionals.length !== 1) throw new UsageError('show takes one ID')
  const id = address(positionals[0], 'ID')
  const checks = values.checks === undefined ? 2 : Number(values.checks)
  if (!Number.isInteger(checks) || checks < 1 || checks > 64) throw new UsageError('--checks must be 1..64')
  await nodeNetwork(values) // checks the network flags before anything starts
  const connection = connect(rpcUrl(values.rpc))
  const located = await locate(connection, id)
  const v = await view(connection, located)
  const claims = v.claims as Record<'client' | 'worker', { evidence: string | null }>
  const cited = new Map<string, string[]>()
  for (const side of ['client', 'worker'] as const) {
    const cid = claims[side].evidence
    if (cid !== null) cited.set(cid, [...(cited.get(cid) ?? []), side])
  }
  const findings: EvidenceFinding[] = []
  if (cited.size > 0) {
    // A throwaway peer (keys in memory, a temporary store): fetches by CID from any provider the
    // DHT names (with retries, peer/evidence fetchEvidence), checks here. Evidence nobody serves is
    // "unavailable", not judged; blocks that arrive invalid fail it.
    const { evidenceFetchComponents } = await import('../../node/index.js')
    const { isEvidenceError } = await import('../../../storage/index.js')
    const { verifyEvidence, fetchEvidence } = await import('../../evidence/index.js')
    const { CID } = await import('multiformats/cid')
    const node = await startNode(values, { reserveRelay: false, throwaway: true })
    try {
      for (const [cid, sides] of cited) {
        let blocks = 0
        // A finding without a re-execution: the evidence never arrived whole, or arrived invalid.
        const unjudged = (verdict: 'failed' | 'unavailable', reason: string): EvidenceFinding =>
          ({ side: sides.join('+'), cid, blocks, verdict, segments: [], segmentCount: null, finalWeightsHash: null, reasons: [reason] })
        try {
          const got = await fetchEvidence(evidenceFetchComponents(node), CID.parse(cid), { attempts: 3 })
          blocks = got.blocks
          if (got.status === 'unavailable') {
            findings.push(unjudged('unavailable', `the evidence is unavailable (no verdict on the work): ${got.reasons.at(-1) ?? ''}`))
            continue
          }
        } catch (e) {
          const invalid = isEvidenceError(e) && e.code !== 'NOT_FOUND'
          findings.push(unjudged(invalid ? 'failed' : 'unavailable', `${invalid ? 'the evidence is invalid' : 'could not fetch the evidence'}: ${e instanceof Error ? e.message : String(e)}`))
          continue
        }
        const r = await verifyEvidence({ cid, peer: { helia: node.helia }, challengeSeed: Uint8Array.from(randomBytes(32)), checks })
        findings.push({ side: sides.join('+'), cid, blocks, verdict: r.verdict, segments: r.selected, segmentCount: r.segmentCount, finalWeightsHash: r.finalWeights.hash, reasons: r.reasons.slice(0, 8) })
      }
    } finally {
      await node.stop()
    }
  }
  if (values.json === true) {
    io.out(jsonLine({ ...v, findings }))
    return 0
  }
  io.out(`dispute ${String(v.dispute)} on escrow ${String(v.escrow)}: ${String(v.state)} (round ${String(v.round)}), opened by the ${String(v.claimant)}`)
  io.out(`  client ${String(v.client)} claims: ${claims.client.evidence ?? '(no evidence)'}`)
  io.out(`  worker ${String(v.worker)} claims: ${claims.worker.evidence ?? '(no evidence)'}`)
  const w = v.windows as Record<string, string | null>
  io.out(`  now ${w.now}; evidence until ${w.evidenceUntil}; voting until ${w.votingUntil}${w.appealUntil === null ? '' : `; appeal until ${w.appealUntil}`}`)
  const votes = v.votes as { forClient: bigint, forWorker: bigint, voters: number }
  io.out(`  votes: ${votes.forClient} base units for the client, ${votes.forWorker} for the worker (${votes.voters} voters)${v.winner === null ? '' : `; verdict: the ${String(v.winner)}`}`)
  for (const f of findings) {
    io.out(`  evidence ${f.cid} (${f.side}): ${f.blocks} blocks over bitswap; re-ran segments ${f.segments.join(', ') || '—'} of ${f.segmentCount ?? '?'}: ${f.verdict.toUpperCase()}`)
    for (const r of f.reasons) io.out(`    ${r}`)
  }
  return 0
}

async function castVote (argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { ...PEER_OPTIONS, side: { type: 'string' }, amount: { type: 'string' } }, true)
  if (positionals.length !== 1) throw new UsageError('vote takes one ID')
  if (values.side !== 'client' && values.side !== 'worker') throw new UsageError('--side must be client or worker')
  if (values.amount === undefined) throw new UsageError('--amount N is required')
  const amount = tokens(values.amount, 'amount')
  const { SIDE, vote } = await chainClient()
  const connection = connect(rpcUrl(values.rpc))
  const l = await locate(connection, address(positionals[0], 'ID'))
  const signer = await wallet(values)
  const mint = await readMint(connection)
  const signature = await send(connection, vote({ voter: signer.publicKey, dispute: l.dispute, voterToken: tokenAccount(signer.publicKey, mint) }, SIDE[values.side], amount), signer)
  const v = await view(connection, await locate(connection, l.dispute))
  if (values.json === true) io.out(jsonLine({ ...v, voter: signer.publicKey.toBase58(), side: values.side, amount, signature }))
  else io.out(`cyx dispute: ${signer.publicKey.toBase58()} locked ${values.amount} CYXWIZ for the ${values.side} on ${l.dispute.toBase58()} (${signature})`)
  return 0
}

/** resolve, appeal, finalize, withdraw: one instruction about the dispute, signed by the wallet. */
async function act (verb: 'resolve' | 'appeal' | 'finalize' | 'withdraw', argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, PEER_OPTIONS, true)
  if (positionals.length !== 1) throw new UsageError(`${verb} takes one ID`)
  const chain = await chainClient()
  const connection = connect(rpcUrl(values.rpc))
  const l = await locate(connection, address(positionals[0], 'ID'))
  const signer = await wallet(values)
  const mint = await readMint(connection)
  const d = l.data
  const ix = verb === 'resolve'
    ? chain.resolveDispute({ escrow: d.escrow, dispute: l.dispute, mint })
    : verb === 'appeal'
      ? chain.appeal({ appellant: signer.publicKey, dispute: l.dispute, appellantToken: tokenAccount(signer.publicKey, mint) })
      : verb === 'finalize'
        ? chain.finalizeDispute({ escrow: d.escrow, dispute: l.dispute, worker: d.worker, clientToken: tokenAccount(d.client, mint), workerToken: tokenAccount(d.worker, mint), mint })
        : chain.withdrawVote({ voter: signer.publicKey, dispute: l.dispute, voterToken: tokenAccount(signer.publicKey, mint) })
  const signature = await send(connection, ix, signer)
  const v = await view(connection, await locate(connection, l.dispute))
  if (values.json === true) io.out(jsonLine({ ...v, signature }))
  else io.out(`cyx dispute: ${verb} ${l.dispute.toBase58()}: now ${String(v.state)}${v.winner === null ? '' : `, verdict: the ${String(v.winner)}`} (${signature})`)
  return 0
}

export const disputeCommand: Command = {
  name: 'dispute',
  usage: USAGE,
  async run (argv, io) {
    const [verb, ...rest] = argv
    switch (verb) {
      case 'open': return await open(rest, io)
      case 'show': return await show(rest, io)
      case 'vote': return await castVote(rest, io)
      case 'resolve': case 'appeal': case 'finalize': case 'withdraw': return await act(verb, rest, io)
      default: throw new UsageError(verb === undefined ? 'a verb is required: open, show, vote, resolve, appeal, finalize or withdraw' : `unknown verb "${verb}"`)
    }
  }
}
