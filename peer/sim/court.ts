/**
 * What the failure scenarios do on-chain after the job itself, each by the peer that would do it:
 * a keeper's `timeout_refund` once the deadline has passed (and its refusal before), and a dispute
 * carried to its verdict — the worker's answer in the evidence window, jurors who fetch the
 * evidence by CID over bitswap and re-run the spot checks with their own machine before voting
 * with their tokens, `resolve_dispute` after the voting window, `finalize_dispute` (which also pays the
 * claimant's bond to the winner), and the jurors taking their votes back. The windows pass by warping the embedded ledger's clock (the orchestrator's: it holds the
 * ledger). Each party acts through its peer (`SimPeer`): it signs with its own wallet over its own
 * RPC connection, and a juror fetches and re-executes the evidence itself.
 */
import { PublicKey } from '@solana/web3.js'
import { getMint } from '@solana/spl-token'
import {
  CYXWIZ_PROGRAM_ID, SIDE, customErrorFromLogs, decodeDispute, disputePda, errorName, finalizeDispute, resolveDispute, submitEvidence,
  timeoutRefund, vote, voteVaultPda, withdrawVote, type DisputeAccount, type EscrowAccount
} from '../../chain/index.js'
import { PROOF, formatTokens, quorumVotes } from '../../protocols/index.js'
import { readEscrowAccount, tokenAccount } from '../roles/index.js'
import { LocalNetwork } from './network.js'
import type { SimPeer } from './peers.js'

/** The program's error name in a failed transaction (or the start of its message). */
export function programError (err: unknown): string {
  const message = err instanceof Error ? err.message : String(err)
  const logs = (err as { logs?: unknown }).logs
  const code = customErrorFromLogs([message, ...(Array.isArray(logs) ? logs.map(String) : [])]) ??
    (/custom program error: 0x([0-9a-fA-F]+)/.exec(message)?.[1] === undefined ? undefined : parseInt(/custom program error: 0x([0-9a-fA-F]+)/.exec(message)![1]!, 16))
  return code === undefined ? message.slice(0, 200) : (errorName(code) ?? `custom program error ${code}`)
}

export async function readEscrow (net: LocalNetwork, address: PublicKey): Promise<EscrowAccount> {
  return await readEscrowAccount(net.connection, address)
}

async function readDispute (net: LocalNetwork, address: PublicKey): Promise<DisputeAccount> {
  const info = await net.connection.getAccountInfo(address, 'confirmed')
  if (info === null) throw new Error(`no dispute at ${address.toBase58()}`)
  return decodeDispute(info.data)
}

/** Moves the ledger clock to just past `unix` (never backwards); returns the seconds warped. */
export function warpPast (net: LocalNetwork, unix: bigint): number {
  const seconds = Math.max(0, Number(unix) - net.ledger.unixTime + 1)
  net.ledger.warp(seconds)
  return seconds
}

export interface TimeoutReport {
  readonly deadline: number
  /** What the program answered a refund asked before the deadline (its error name). */
  readonly refusedBeforeDeadline: string
  readonly warpedSeconds: number
  readonly refundedBy: string
  readonly signature: string
}

/** A third peer asks for the refund too early (refused), the clock passes the deadline, it asks again. */
export async function refundAfterDeadline (net: LocalNetwork, keeper: SimPeer, escrow: PublicKey, log: (line: string) => void): Promise<TimeoutReport> {
  const e = await readEscrow(net, escrow)
  const ix = (): ReturnType<typeof timeoutRefund> => timeoutRefund({ escrow, worker: e.worker, clientToken: tokenAccount(e.client, net.mint), mint: net.mint })
  let refused: string
  try {
    await keeper.send([ix()])
    refused = 'accepted'
  } catch (err) {
    refused = programError(err)
  }
  log(`  ${keeper.name} asks for timeout_refund before the deadline: ${refused === 'accepted' ? 'ACCEPTED (wrong)' : `refused (${refused})`}`)
  const warped = warpPast(net, e.deadline)
  log(`  ledger clock warped ${warped} s (${(warped / 86_400).toFixed(2)} days) past the escrow's deadline`)
  const signature = await keeper.send([ix()])
  log(`  ${keeper.name} calls timeout_refund: ${signature.slice(0, 16)}…`)
  return { deadline: Number(e.deadline), refusedBeforeDeadline: refused, warpedSeconds: warped, refundedBy: keeper.name, signature }
}

export interface JurorReport {
  readonly name: string
  readonly cid: string
  /** Evidence blocks fetched over bitswap (0 when the fetch failed). */
  readonly blocks: number
  readonly verdict: 'passed' | 'failed' | 'not-judged'
  readonly segments: readonly number[]
  readonly reasons: readonly string[]
  /** The side it voted for, by what it found ('abstained' when it could not judge). */
  readonly side: 'client' | 'worker' | 'abstained'
  readonly amount: string
  readonly voteSignature: string | null
  readonly withdrawSignature: string | null
}

export interface DisputeReport {
  readonly address: string
  readonly claimant: 'client' | 'worker'
  readonly openSignature: string | null
  readonly clientEvidence: string
  readonly workerEvidence: string
  readonly workerEvidenceSignature: string | null
  readonly warpedSeconds: { readonly evidenceWindow: number, readonly votingWindow: number }
  readonly jurors: readonly JurorReport[]
  readonly supply: string
  readonly quorum: string
  readonly forClient: string
  readonly forWorker: string
  readonly winner: 'client' | 'worker'
  readonly resolvedBy: string
  readonly resolveSignature: string
  /** `finalize_dispute`, sent once the appeal window passed without an appeal: it moves the tokens. */
  readonly finalizeSignature: string
  /** The vote vault after every juror withdrew (0 when all votes came back). */
  readonly voteVaultAfter: string
  /** The claimant's bond locked at open_dispute (base units), and who got it at finalize_dispute. */
  readonly bond: string
  readonly bondTo: 'client' | 'worker'
}

const cidText = (b: Uint8Array): string => Buffer.from(b).toString('utf8').replace(/\0+$/, '')

/** A juror's own look at the evidence, in its peer: fetched by CID over bitswap from the holder,
 * then spot checks re-run with the juror's own challenge. */
async function review (juror: SimPeer, cid: string, holder: SimPeer, seed: number): Promise<Pick<JurorReport, 'blocks' | 'verdict' | 'segments' | 'reasons'>> {
  return await juror.review({ cid, holder: holder.addrs, challengeSeed: LocalNetwork.seedBytes(seed, `${juror.name}/challenge`), checks: PROOF.defaultSpotChecks, timeoutMs: 60_000 })
}

export interface CourtOptions {
  readonly net: LocalNetwork
  readonly escrow: PublicKey
  /** The winning worker: answers with its evidence, and is where jurors fetch it from. */
  readonly worker: SimPeer
  /** The evidence the worker delivered (it submits it as its own). */
  readonly workerCid: string | undefined
  readonly jurors: readonly SimPeer[]
  readonly seed: number
  readonly openSignature: string | null
  readonly log: (line: string) => void
}

/** Carries an open dispute to its verdict and gives the jurors their tokens back. */
export async function carryDispute (c: CourtOptions): Promise<DisputeReport> {
  const { net, log } = c
  const address = disputePda(CYXWIZ_PROGRAM_ID, c.escrow).address
  const d0 = await readDispute(net, address)
  const claimant = d0.claimant === SIDE.client ? 'client' : 'worker'
  log(`  dispute ${address.toBase58().slice(0, 8)}… opened by the ${claimant}, citing ${cidText(claimant === 'client' ? d0.clientEvidence : d0.workerEvidence)}; its bond of ${formatTokens(d0.bond)} CYXWIZ is locked`)

  // 1. The worker answers within the evidence window with the evidence it delivered.
  let workerEvidenceSignature: string | null = null
  if (c.workerCid !== undefined && claimant === 'client') {
    workerEvidenceSignature = await c.worker.send([submitEvidence({ party: c.worker.wallet, dispute: address }, c.workerCid)])
    log(`  ${c.worker.name} submits its evidence ${c.workerCid}`)
  }

  // 2. The evidence window passes; voting opens.
  const evidenceWarp = warpPast(net, d0.evidenceDeadline)
  log(`  ledger clock warped ${evidenceWarp} s: the evidence window is closed, voting is open`)
  const d1 = await readDispute(net, address)
  const judged = cidText(d1.workerEvidence) !== '' ? cidText(d1.workerEvidence) : cidText(d1.clientEvidence)

  // 3. Each juror reviews the evidence itself and votes its whole balance for the side it found right.
  const jurors: JurorReport[] = []
  for (const juror of c.jurors) {
    const r = await review(juror, judged, c.worker, c.seed)
    const side = r.verdict === 'passed' ? 'worker' : r.verdict === 'failed' ? 'client' : 'abstained'
    const amount = side === 'abstained' ? 0n : await net.tokenBalance(juror.wallet)
    const voteSignature = side === 'abstained'
      ? null
      : await juror.send([vote({ voter: juror.wallet, dispute: address, voterToken: tokenAccount(juror.wallet, net.mint) }, SIDE[side], amount)])
    log(`  ${juror.name}: fetched ${r.blocks} blocks over bitswap, re-ran segments ${r.segments.join(', ') || '—'}: ${r.verdict}${r.verdict === 'passed' ? '' : ` (${r.reasons[0] ?? ''})`} → ${side === 'abstained' ? 'abstains' : `votes ${formatTokens(amount)} CYXWIZ for the ${side}`}`)
    jurors.push({ name: juror.name, cid: judged, ...r, side, amount: String(amount), voteSignature, withdrawSignature: null })
  }

  // 4. The voting window passes; anyone executes the verdict.
  const votingWarp = warpPast(net, d1.votingDeadline)
  log(`  ledger clock warped ${votingWarp} s: voting is closed`)
  const e = await readEscrow(net, c.escrow)
  const supply = (await getMint(net.connection, net.mint, 'confirmed')).supply
  const resolver = c.jurors[0] ?? c.worker
  const resolveSignature = await resolver.send([resolveDispute({
    escrow: c.escrow, worker: e.worker, clientToken: tokenAccount(e.client, net.mint), workerToken: tokenAccount(e.worker, net.mint), mint: net.mint
  })])
  const d2 = await readDispute(net, address)
  const winner = d2.winner === SIDE.client ? 'client' : 'worker'
  const quorum = quorumVotes(supply, false)
  log(`  ${resolver.name} calls resolve_dispute: ${formatTokens(d2.forClient)} for the client, ${formatTokens(d2.forWorker)} for the worker (quorum ${formatTokens(quorum)}): the ${winner} wins`)

  // 4b. Nobody appeals; once the appeal window has passed anyone executes the verdict.
  const appealWarp = warpPast(net, d2.appealDeadline)
  const finalizeSignature = await resolver.send([finalizeDispute({
    escrow: c.escrow, worker: e.worker, clientToken: tokenAccount(e.client, net.mint), workerToken: tokenAccount(e.worker, net.mint)
  })])
  log(`  ledger clock warped ${appealWarp} s past the appeal window; ${resolver.name} calls finalize_dispute: the verdict is executed, the ${claimant}'s bond of ${formatTokens(d0.bond)} CYXWIZ goes to the ${winner}`)

  // 5. Jurors take their votes back.
  for (const [i, juror] of c.jurors.entries()) {
    const j = jurors[i] as JurorReport
    if (j.voteSignature === null) continue
    const withdrawSignature = await juror.send([withdrawVote({ voter: juror.wallet, dispute: address, voterToken: tokenAccount(juror.wallet, net.mint) })])
    jurors[i] = { ...j, withdrawSignature }
  }
  const voteVault = voteVaultPda(CYXWIZ_PROGRAM_ID, address).address
  const voteVaultAfter = BigInt((await net.connection.getTokenAccountBalance(voteVault, 'confirmed')).value.amount)
  log(`  jurors withdrew their votes; the vote vault holds ${formatTokens(voteVaultAfter)}`)
  return {
    address: address.toBase58(),
    claimant,
    openSignature: c.openSignature,
    clientEvidence: cidText(d2.clientEvidence),
    workerEvidence: cidText(d2.workerEvidence),
    workerEvidenceSignature,
    warpedSeconds: { evidenceWindow: evidenceWarp, votingWindow: votingWarp },
    jurors,
    supply: String(supply),
    quorum: String(quorum),
    forClient: String(d2.forClient),
    forWorker: String(d2.forWorker),
    winner,
    resolvedBy: resolver.name,
    resolveSignature,
    finalizeSignature,
    voteVaultAfter: String(voteVaultAfter),
    bond: String(d0.bond),
    bondTo: winner
  }
}
