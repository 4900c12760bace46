/**
 * `cyx dispute`: the dispute participants' verbs, for people and for `cyx sim`'s scenarios alike —
 * open a dispute on a job's escrow citing evidence, look at one (fetching the evidence by CID over
 * bitswap and re-running the spot checks locally), answer one with a party's evidence (the
 * worker's answer, through the juror duty's own `submitDisputeEvidence`), draw the round's jury, commit a juror's vote
 * (its salt kept in the data dir) and reveal it, record the verdict (or a redraw) after the reveal
 * window, execute it, and settle a juror's deposit (docs/security.md §5).
 */
import { randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Keypair, PublicKey, Transaction, sendAndConfirmTransaction, type Connection, type TransactionInstruction } from '@solana/web3.js'
import { getAssociatedTokenAddressSync } from '@solana/spl-token'
import { fromHex, toHex } from '../../../protocols/hex.js'
import { parseCommandArgs, UsageError, verbCommand, type Command, type CommandIo } from '../command.js'
import { NODE_OPTIONS, PEER_OPTIONS, connect, dataDir, jsonLine, nodeNetwork, rpcUrl, startNode } from './peer-common.js'

const USAGE = `Usage: cyx dispute open JOB --evidence CID [--dir DIR] [--keypair PATH] [--rpc URL] [--json]
       cyx dispute evidence ID --evidence CID [--dir DIR] [--keypair PATH] [--rpc URL] [--json]
       cyx dispute show ID [--bootstrap MADDR]... [--bootstrap-file PATH] [--checks K] [--rpc URL] [--json]
       cyx dispute draw ID [--dir DIR] [--keypair PATH] [--rpc URL] [--json]
       cyx dispute commit ID --side client|worker|unavailable [--dir DIR] [--keypair PATH] [--rpc URL] [--json]
       cyx dispute reveal ID [--dir DIR] [--keypair PATH] [--rpc URL] [--json]
       cyx dispute resolve ID [--dir DIR] [--keypair PATH] [--rpc URL] [--json]
       cyx dispute finalize ID [--dir DIR] [--keypair PATH] [--rpc URL] [--json]
       cyx dispute withdraw ID [--round R] [--dir DIR] [--keypair PATH] [--rpc URL] [--json]
       cyx dispute close ID [--dir DIR] [--keypair PATH] [--rpc URL] [--json]

JOB is a job id (64 hex digits) from the job records in DIR (the client's or the worker's), or the
escrow's address. ID is the dispute's address (what "open" prints) or its escrow's.

open      the client or the worker of a funded escrow disputes it (program "open_dispute"),
          citing the evidence CID, and locks the dispute bond (100 CYXWIZ, the Config's
          disputeBond) from its wallet: back to it if it wins or if no jury reaches a verdict, to
          the other party if it loses. The escrow is frozen; the evidence window (24 h) starts,
          then the first jury's commit window (24 h) and reveal window (12 h).
evidence  a party cites its evidence within the evidence window (program "submit_evidence"):
          the worker's answer to a dispute against it — the CID of the evidence it delivered,
          which it must serve until the commit window closes (jurors judge the worker's evidence
          when it cited one, else the claimant's; one nobody serves is found "unavailable") — or
          the client replacing its claim's. A "cyx worker" does this by itself unless --no-juror.
show      the dispute on-chain (each side's claim and evidence, round, windows, jury counts,
          verdict); then fetches every cited evidence by CID over bitswap from the --bootstrap
          peers and re-runs K spot checks locally (re-execution, a fresh challenge).
draw      anyone: fixes the current round's jury seed from a slot hash (program "draw_jury").
          Which staked nodes are drawn follows from it; "commit" checks this wallet was.
commit    a drawn juror (a staked node, neither party) commits to a side within the commit
          window and deposits 10 % of its stake (unavailable: it could not fetch the evidence
          after every retry; a majority of it refunds the client and slashes the worker); the side and a fresh salt are kept in
          DIR/disputes/ for "reveal". A juror that does not reveal loses its deposit.
reveal    the juror opens its commitment (the kept side and salt) within the reveal window.
resolve   anyone, after the reveal window: with at least 3 reveals and a strict majority (of client,
          worker or unavailable) records
          the verdict; otherwise the round is redrawn with twice the jury; after the last round
          (4) without a verdict the dispute resolves with no verdict (the status quo: a delivered
          job paid, any other refunded; the bond returned; no slash). Tokens move at "finalize".
finalize  anyone, once resolved: executes the verdict (refund, payment, slashing, reputation)
          and pays out the bond.
withdraw  anyone: settles this wallet's vote of round R (default: the current round) back into
          its stake: a majority revealer's deposit plus its share of the forfeits, a redrawn or
          no-verdict round's revealer its deposit; nothing to a non-revealer.
close     once finalized and every vote settled: closes the dispute (rent to the claimant).

Options:
  --dir DIR          data dir: wallet, job records, kept vote salts (default ~/.cyx)
  --keypair PATH     the wallet (default DIR/wallet.json)
  --rpc URL          Solana JSON-RPC (default http://127.0.0.1:8899)
  --evidence CID     open: the evidence the claim rests on; evidence: the evidence this party cites
  --side S           commit: client, worker or unavailable
  --round R          withdraw: the round of the vote to settle
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
  const { JobBook, escrowFact } = await import('../../roles/index.js')
  const store = await openPeerStore(dir)
  try {
    // Either record's escrow fact, base58 or hex (escrowFact reads both).
    const c = escrowFact((await JobBook.client(store).get(job))?.facts.escrow)
    if (c !== undefined) return c
    const w = escrowFact((await JobBook.worker(store).get(job))?.facts.escrow)
    if (w !== undefined) return w
  } finally {
    await store.close()
  }
  throw new Error(`no job ${job} with an escrow in ${dir}`)
}

interface Located {
  readonly dispute: PublicKey
  readonly data: import('../../../chain/index.js').DisputeAccount
}

/**
 * The dispute ID names: its own address, or its escrow's. An account of the program at ID that is
 * not a dispute (an escrow) is looked past to its dispute; a wrong account there is an error.
 */
async function locate (connection: Connection, id: PublicKey): Promise<Located> {
  const { CYXWIZ_PROGRAM_ID, AccountKindError, disputePda, fetchDispute } = await chainClient()
  let direct: Located['data'] | undefined
  let notADispute: unknown
  try {
    direct = await fetchDispute(connection, id)
  } catch (e) {
    if (!(e instanceof AccountKindError)) throw e
    notADispute = e // an escrow's address, most likely: its dispute is a PDA of it
  }
  if (direct !== undefined) return { dispute: id, data: direct }
  const pda = disputePda(CYXWIZ_PROGRAM_ID, id).address
  const data = await fetchDispute(connection, pda)
  if (data !== undefined) return { dispute: pda, data }
  throw new Error(`no dispute at ${id.toBase58()} (nor for an escrow there)${notADispute === undefined ? '' : `; ${notADispute instanceof Error ? notADispute.message : String(notADispute)}`}`)
}

/** Sends one instruction; a program refusal is rethrown with the program's error name (e.g. VotingNotOpen). */
async function send (connection: Connection, ix: TransactionInstruction, signer: Keypair): Promise<string> {
  try {
    return await sendAndConfirmTransaction(connection, new Transaction().add(ix), [signer], { commitment: 'confirmed' })
  } catch (e) {
    const { customErrorFromLogs, errorName } = await chainClient()
    const message = e instanceof Error ? e.message : String(e)
    const logs = (e as { logs?: unknown }).logs
    const hex = /custom program error: 0x([0-9a-fA-F]+)/.exec(message)?.[1]
    const code = customErrorFromLogs([message, ...(Array.isArray(logs) ? logs.map(String) : [])]) ?? (hex === undefined ? undefined : parseInt(hex, 16))
    if (code === undefined) throw e
    throw new Error(`the program refused it: ${errorName(code) ?? `custom error ${code}`} (${code}); "cyx dispute show ID" says the dispute's state and windows`, { cause: e })
  }
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
    windows: { now: new Date(now * 1000).toISOString(), evidenceUntil: iso(d.evidenceDeadline), commitUntil: iso(d.commitDeadline), revealUntil: iso(d.revealDeadline) },
    /** The current round's jury: whether its seed is drawn, commits, reveals and their sides. */
    jury: { drawn: d.drawn !== 0, committed: d.committed, revealed: d.revealed, forClient: d.votesClient, forWorker: d.votesWorker, unavailable: d.votesUnavailable, pool: d.pool },
    /** The claimant's bond still held in the dispute's vault (0 once finalized). */
    bond: d.bond,
    /** client, worker, unavailable, none (the last round without a verdict), or null while open. */
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

/** `submit_evidence`: checked (arguments, then party and window, `evidenceRefusal`) before it is sent. */
async function evidence (argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { ...PEER_OPTIONS, evidence: { type: 'string' } }, true)
  if (positionals.length !== 1) throw new UsageError('evidence takes one ID (the dispute\'s address or its escrow\'s)')
  const id = address(positionals[0], 'ID')
  if (values.evidence === undefined) throw new UsageError('--evidence CID is required (a worker cites the evidence CID it delivered for the job)')
  const { CID } = await import('multiformats/cid')
  try { CID.parse(values.evidence) } catch { throw new UsageError(`--evidence must be a CID (got ${values.evidence})`) }
  if (Buffer.byteLength(values.evidence) > 64) throw new UsageError(`--evidence must be a CID of at most 64 characters, as the dispute account keeps it (got ${values.evidence.length})`)
  const cid = values.evidence
  const signer = await wallet(values)
  const connection = connect(rpcUrl(values.rpc))
  const l = await locate(connection, id)
  const { submitDisputeEvidence } = await import('../../roles/index.js')
  const now = BigInt((await connection.getBlockTime(await connection.getSlot('confirmed'))) ?? Math.floor(Date.now() / 1000))
  const signature = await submitDisputeEvidence(async (ixs) => await send(connection, ixs[0] as TransactionInstruction, signer), signer.publicKey, { address: l.dispute, data: l.data }, cid, now)
  const v = await view(connection, await locate(connection, l.dispute))
  const side = l.data.worker.equals(signer.publicKey) ? 'worker' : 'client'
  if (values.json === true) io.out(jsonLine({ ...v, party: side, evidence: cid, signature }))
  else io.out(`cyx dispute: the ${side} ${signer.publicKey.toBase58()} cites ${cid} in ${l.dispute.toBase58()}; serve it until the commit window closes (${String((v.windows as { commitUntil: string }).commitUntil)}) (${signature})`)
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
  io.out(`  now ${w.now}; evidence until ${w.evidenceUntil}; commits until ${w.commitUntil}; reveals until ${w.revealUntil}`)
  const jury = v.jury as { drawn: boolean, committed: number, revealed: number, forClient: number, forWorker: number }
  io.out(`  jury of round ${String(v.round)}: ${jury.drawn ? 'drawn' : 'not drawn yet'}, ${jury.committed} committed, ${jury.revealed} revealed (${jury.forClient} for the client, ${jury.forWorker} for the worker)${v.winner === null ? '' : `; verdict: ${v.winner === 'none' ? 'none (no jury reached one)' : `the ${String(v.winner)}`}`}`)
  for (const f of findings) {
    io.out(`  evidence ${f.cid} (${f.side}): ${f.blocks} blocks over bitswap; re-ran segments ${f.segments.join(', ') || '—'} of ${f.segmentCount ?? '?'}: ${f.verdict.toUpperCase()}`)
    for (const r of f.reasons) io.out(`    ${r}`)
  }
  return 0
}

/** Where a juror keeps the side and salt of its commitment until it reveals. */
const saltPath = (dir: string, dispute: PublicKey, juror: PublicKey, round: number): string =>
  join(dir, 'disputes', `${dispute.toBase58()}.${juror.toBase58()}.${round}.json`)

async function commit (argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { ...PEER_OPTIONS, side: { type: 'string' } }, true)
  if (positionals.length !== 1) throw new UsageError('commit takes one ID')
  if (values.side !== 'client' && values.side !== 'worker' && values.side !== 'unavailable') throw new UsageError('--side must be client, worker or unavailable')
  const { commitVote, fetchNode } = await chainClient()
  const { isDrawn, voteCommitment } = await import('../../../protocols/index.js')
  const connection = connect(rpcUrl(values.rpc))
  const l = await locate(connection, address(positionals[0], 'ID'))
  const signer = await wallet(values)
  const d = l.data
  if (d.drawn === 0) throw new Error(`round ${d.round}'s jury is not drawn yet: run "cyx dispute draw ${l.dispute.toBase58()}" first`)
  const node = await fetchNode(connection, signer.publicKey)
  if (node === undefined) throw new Error(`${signer.publicKey.toBase58()} is not a staked node: only staked nodes sit on a jury (register with cyx worker)`)
  if (!isDrawn(d.seed, signer.publicKey.toBytes(), node.stake, d.totalStaked, d.round)) throw new Error(`${signer.publicKey.toBase58()} was not drawn for round ${d.round} of ${l.dispute.toBase58()}`)
  const salt = Uint8Array.from(randomBytes(32))
  const file = saltPath(dataDir(values.dir), l.dispute, signer.publicKey, d.round)
  // Kept before the commit is sent: a commitment whose salt is lost cannot be revealed (the deposit would be forfeited).
  await mkdir(join(dataDir(values.dir), 'disputes'), { recursive: true })
  await writeFile(file, JSON.stringify({ dispute: l.dispute.toBase58(), juror: signer.publicKey.toBase58(), round: d.round, side: values.side, salt: toHex(salt) }) + '\n', { mode: 0o600 })
  const commitment = voteCommitment(values.side, salt, l.dispute.toBytes(), signer.publicKey.toBytes())
  const signature = await send(connection, commitVote({ juror: signer.publicKey, dispute: l.dispute, round: d.round }, commitment), signer)
  const v = await view(connection, await locate(connection, l.dispute))
  if (values.json === true) io.out(jsonLine({ ...v, juror: signer.publicKey.toBase58(), side: values.side, saltFile: file, signature }))
  else io.out(`cyx dispute: ${signer.publicKey.toBase58()} committed to a side in round ${d.round} of ${l.dispute.toBase58()}; its salt is kept in ${file} for "reveal" (${signature})`)
  return 0
}

async function reveal (argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, PEER_OPTIONS, true)
  if (positionals.length !== 1) throw new UsageError('reveal takes one ID')
  const { SIDE, revealVote } = await chainClient()
  const connection = connect(rpcUrl(values.rpc))
  const l = await locate(connection, address(positionals[0], 'ID'))
  const signer = await wallet(values)
  const file = saltPath(dataDir(values.dir), l.dispute, signer.publicKey, l.data.round)
  let kept: { side: 'client' | 'worker' | 'unavailable', salt: string }
  try {
    kept = JSON.parse(await readFile(file, 'utf8')) as typeof kept
  } catch (e) {
    throw new Error(`no commitment of ${signer.publicKey.toBase58()} for round ${l.data.round} kept in ${file} (commit with the same --dir first): ${e instanceof Error ? e.message : String(e)}`)
  }
  const signature = await send(connection, revealVote({ juror: signer.publicKey, dispute: l.dispute, round: l.data.round }, SIDE[kept.side], fromHex(kept.salt, { what: 'kept salt', bytes: 32 })), signer)
  const v = await view(connection, await locate(connection, l.dispute))
  if (values.json === true) io.out(jsonLine({ ...v, juror: signer.publicKey.toBase58(), side: kept.side, signature }))
  else io.out(`cyx dispute: ${signer.publicKey.toBase58()} revealed its vote for the ${kept.side} in round ${l.data.round} of ${l.dispute.toBase58()} (${signature})`)
  return 0
}

/** draw, resolve, finalize, withdraw, close: one instruction about the dispute, signed by the wallet. */
async function act (verb: 'draw' | 'resolve' | 'finalize' | 'withdraw' | 'close', argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { ...PEER_OPTIONS, round: { type: 'string' } }, true)
  if (positionals.length !== 1) throw new UsageError(`${verb} takes one ID`)
  if (values.round !== undefined && verb !== 'withdraw') throw new UsageError('--round is for withdraw')
  const round = values.round === undefined ? undefined : Number(values.round)
  if (round !== undefined && (!Number.isInteger(round) || round < 0 || round > 255)) throw new UsageError('--round must be 0..255')
  const chain = await chainClient()
  const connection = connect(rpcUrl(values.rpc))
  const l = await locate(connection, address(positionals[0], 'ID'))
  const signer = await wallet(values)
  const mint = await readMint(connection)
  const d = l.data
  const ix = verb === 'draw'
    ? chain.drawJury({ dispute: l.dispute })
    : verb === 'resolve'
      ? chain.resolveDispute({ escrow: d.escrow, dispute: l.dispute })
      : verb === 'finalize'
        ? chain.finalizeDispute({ escrow: d.escrow, dispute: l.dispute, worker: d.worker, clientToken: tokenAccount(d.client, mint), workerToken: tokenAccount(d.worker, mint), mint })
        : verb === 'withdraw'
          ? chain.withdrawVote({ juror: signer.publicKey, dispute: l.dispute, round: round ?? d.round })
          : chain.closeDispute({ claimant: d.claimant === chain.SIDE.client ? d.client : d.worker, dispute: l.dispute })
  const signature = await send(connection, ix, signer)
  const after = await locate(connection, l.dispute).catch((e: unknown) => {
    if (verb === 'close') return undefined // closed: no account left to show
    throw e
  })
  if (after === undefined) {
    if (values.json === true) io.out(jsonLine({ dispute: l.dispute.toBase58(), state: 'closed', signature }))
    else io.out(`cyx dispute: closed ${l.dispute.toBase58()} (${signature})`)
    return 0
  }
  const v = await view(connection, after)
  if (values.json === true) io.out(jsonLine({ ...v, signature }))
  else io.out(`cyx dispute: ${verb} ${l.dispute.toBase58()}: now ${String(v.state)} (round ${String(v.round)})${v.winner === null ? '' : `, verdict: ${String(v.winner)}`} (${signature})`)
  return 0
}

export const disputeCommand: Command = verbCommand('dispute', USAGE, {
  open,
  evidence,
  show,
  draw: async (argv, io) => await act('draw', argv, io),
  commit,
  reveal,
  resolve: async (argv, io) => await act('resolve', argv, io),
  finalize: async (argv, io) => await act('finalize', argv, io),
  withdraw: async (argv, io) => await act('withdraw', argv, io),
  close: async (argv, io) => await act('close', argv, io)
})
