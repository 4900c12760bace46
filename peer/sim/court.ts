/**
 * What the failure scenarios do on-chain after the job itself, each by the peer that would do it:
 * a keeper's `timeout_refund` once the deadline has passed (and its refusal before), and a dispute
 * carried to its verdict under the jury design (docs/security.md §5) — the worker's answer in the
 * evidence window, `draw_jury` once the window has closed, each staked juror node the round drew
 * judging the evidence itself (peer/roles/juror.ts: fetched by CID over bitswap, spot checks re-run
 * with its own challenge), committing its side with 10 % of its stake and revealing it after the
 * commit window, `resolve_dispute` after the reveal window (a round without a verdict is redrawn,
 * up to `DISPUTE.maxJuryRounds`), `finalize_dispute` (which also pays out the claimant's bond),
 * and each vote settled back into its juror's stake. The windows pass by warping the embedded
 * ledger's clock (the orchestrator's: it holds the ledger). Each party acts through its peer
 * (`SimPeer`): it signs with its own wallet over its own RPC connection.
 */
import { PublicKey } from '@solana/web3.js'
import {
  CYXWIZ_PROGRAM_ID, DISPUTE_STATE, SIDE, commitVote, customErrorFromLogs, disputePda, drawJury, errorName, fetchDispute, fetchNode, finalizeDispute,
  resolveDispute, revealVote, submitEvidence, timeoutRefund, voteVaultPda, withdrawVote, type DisputeAccount, type EscrowAccount
} from '../../chain/index.js'
import { PROOF, formatTokens, isDrawn, jurorDeposit } from '../../protocols/index.js'
import { readEscrowAccount, tokenAccount } from '../roles/index.js'
import { jurorBallot, type JurorVerdict } from '../roles/juror.js'
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
  const d = await fetchDispute(net.connection, address)
  if (d === undefined) throw new Error(`no dispute at ${address.toBase58()}`)
  return d
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
  /** What its own re-execution found (peer/roles/juror.ts): a side, or 'unavailable'. */
  readonly verdict: JurorVerdict
  readonly segments: readonly number[]
  readonly reasons: readonly string[]
  /** The round it sat in (the one that decided). */
  readonly round: number
  /** The side it committed to and revealed ('unavailable': it could not fetch the evidence;
   * 'abstained' when it fetched but could not judge: no commit, no deposit). */
  readonly side: 'client' | 'worker' | 'unavailable' | 'abstained'
  /** Its deposit (base units): `DISPUTE.jurorRiskBps` of its stake at the commit. */
  readonly deposit: string
  readonly commitSignature: string | null
  readonly revealSignature: string | null
  readonly withdrawSignature: string | null
}

export interface DisputeReport {
  readonly address: string
  readonly claimant: 'client' | 'worker'
  readonly openSignature: string | null
  readonly clientEvidence: string
  readonly workerEvidence: string
  readonly workerEvidenceSignature: string | null
  readonly warpedSeconds: { readonly evidenceWindow: number, readonly commitWindow: number, readonly revealWindow: number }
  readonly jurors: readonly JurorReport[]
  /** The rounds the dispute took (1 when the first jury decided). */
  readonly rounds: number
  /** The deciding round's revealed votes, one per juror. */
  readonly votesClient: number
  readonly votesWorker: number
  /** 'none': the last round ended without a verdict (the terminal rule); 'unavailable': the
   * jury could not fetch the evidence (finding 16). */
  readonly winner: 'client' | 'worker' | 'none' | 'unavailable'
  readonly resolvedBy: string
  readonly resolveSignature: string
  /** `finalize_dispute`, sent at once after the verdict: it moves the tokens. */
  readonly finalizeSignature: string
  /** The vote vault after every vote was settled (0 when the deposits all came back). */
  readonly voteVaultAfter: string
  /** The claimant's bond locked at open_dispute (base units), and who got it at finalize_dispute. */
  readonly bond: string
  readonly bondTo: 'client' | 'worker'
}

const cidText = (b: Uint8Array): string => Buffer.from(b).toString('utf8').replace(/\0+$/, '')

export interface CourtOptions {
  readonly net: LocalNetwork
  readonly escrow: PublicKey
  /** The worker: answers with its evidence, and is where jurors fetch it from. */
  readonly worker: SimPeer
  /** The evidence the worker delivered (it submits it as its own). */
  readonly workerCid: string | undefined
  /** Staked juror nodes (registered before the dispute opened); those a round draws judge and vote. */
  readonly jurors: readonly SimPeer[]
  readonly seed: number
  readonly openSignature: string | null
  readonly log: (line: string) => void
}

const sideName = (v: number): 'client' | 'worker' | 'none' | 'unavailable' => v === SIDE.client ? 'client' : v === SIDE.worker ? 'worker' : v === SIDE.unavailable ? 'unavailable' : 'none'

/** Carries an open dispute through its jury rounds to the verdict and settles every juror's vote. */
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

  // 2. The evidence window passes; the first jury's commit window opens.
  const evidenceWarp = warpPast(net, d0.evidenceDeadline)
  log(`  ledger clock warped ${evidenceWarp} s: the evidence window is closed, the jury's commit window is open`)
  const jurors: JurorReport[] = []
  const settle: Array<{ juror: SimPeer, round: number, index: number }> = []
  const resolver = c.jurors[0] ?? c.worker
  let commitWarp = 0
  let revealWarp = 0
  let resolveSignature = ''
  let d = await readDispute(net, address)
  for (;;) {
    // 3. Anyone draws the round's jury from a slot hash filed after the opening (or the redraw).
    await resolver.send([drawJury({ dispute: address })])
    d = await readDispute(net, address)
    if (d.drawn === 0) throw new Error(`draw_jury did not fix round ${d.round}'s seed (re-armed: the seed slot had left SlotHashes)`)
    const judged = cidText(d.workerEvidence) !== '' ? cidText(d.workerEvidence) : cidText(d.clientEvidence)
    const round = d.round
    // 4. Each drawn juror judges the evidence itself and commits its side (its salt kept to reveal).
    const ballots: Array<{ juror: SimPeer, ballot: ReturnType<typeof jurorBallot>, index: number }> = []
    for (const juror of c.jurors) {
      const node = await fetchNode(net.connection, juror.wallet)
      if (node === undefined) throw new Error(`${juror.name} is not a staked node: a sim juror registers before the dispute opens`)
      if (!isDrawn(d.seed, juror.wallet.toBytes(), node.stake, d.totalStaked, round)) {
        log(`  ${juror.name} was not drawn for round ${round}`)
        continue
      }
      const r = await juror.review({ cid: judged, holder: c.worker.addrs, challengeSeed: LocalNetwork.seedBytes(c.seed, `${juror.name}/challenge/${round}`), checks: PROOF.defaultSpotChecks, timeoutMs: 60_000 })
      const base = { name: juror.name, cid: judged, ...r, round, withdrawSignature: null }
      if (r.verdict === 'not-judged') {
        log(`  ${juror.name} (drawn): could not judge the evidence (${r.reasons[0] ?? ''}): it does not commit`)
        jurors.push({ ...base, side: 'abstained', deposit: '0', commitSignature: null, revealSignature: null })
        continue
      }
      const ballot = jurorBallot(r.verdict, address.toBytes(), juror.wallet.toBytes())
      const commitSignature = await juror.send([commitVote({ juror: juror.wallet, dispute: address, round }, ballot.commitment)])
      const deposit = jurorDeposit(node.stake)
      log(`  ${juror.name} (drawn): fetched ${r.blocks} blocks over bitswap, re-ran segments ${r.segments.join(', ') || '—'}: finds for the ${r.verdict}${r.verdict === 'worker' ? '' : ` (${r.reasons[0] ?? ''})`}; commits with a deposit of ${formatTokens(deposit)} CYXWIZ`)
      jurors.push({ ...base, side: r.verdict, deposit: String(deposit), commitSignature, revealSignature: null })
      ballots.push({ juror, ballot, index: jurors.length - 1 })
      settle.push({ juror, round, index: jurors.length - 1 })
    }
    // 5. The commit window passes; each juror reveals.
    commitWarp += warpPast(net, d.commitDeadline)
    for (const b of ballots) {
      const revealSignature = await b.juror.send([revealVote({ juror: b.juror.wallet, dispute: address, round }, SIDE[b.ballot.side], b.ballot.salt)])
      jurors[b.index] = { ...(jurors[b.index] as JurorReport), revealSignature }
    }
    // 6. The reveal window passes; anyone resolves: a verdict, a redraw, or (last round) no verdict.
    revealWarp += warpPast(net, d.revealDeadline)
    resolveSignature = await resolver.send([resolveDispute({ escrow: c.escrow })])
    d = await readDispute(net, address)
    if (d.state !== DISPUTE_STATE.open) {
      log(`  ${resolver.name} calls resolve_dispute after round ${round}: ${d.votesClient} for the client, ${d.votesWorker} for the worker of ${d.revealed} revealed: ${d.winner === SIDE.none ? 'no verdict (the last round)' : `the ${sideName(d.winner)} wins`}`)
      break
    }
    log(`  ${resolver.name} calls resolve_dispute after round ${round}: ${d.revealed} revealed, no verdict: redrawn as round ${d.round} with twice the jury`)
  }
  const winner = sideName(d.winner)
  const e = await readEscrow(net, c.escrow)
  const finalizeSignature = await resolver.send([finalizeDispute({
    escrow: c.escrow, worker: e.worker, clientToken: tokenAccount(e.client, net.mint), workerToken: tokenAccount(e.worker, net.mint), mint: net.mint
  })])
  const bondTo = winner === 'none' ? claimant : winner === 'unavailable' ? 'client' : winner
  log(`  ${resolver.name} calls finalize_dispute: the verdict is executed, the ${claimant}'s bond of ${formatTokens(d0.bond)} CYXWIZ goes to the ${bondTo}`)

  // 7. Every vote is settled back into its juror's stake (anyone may send it; each juror does).
  for (const s of settle) {
    const withdrawSignature = await s.juror.send([withdrawVote({ juror: s.juror.wallet, dispute: address, round: s.round })])
    jurors[s.index] = { ...(jurors[s.index] as JurorReport), withdrawSignature }
  }
  const voteVault = voteVaultPda(CYXWIZ_PROGRAM_ID, address).address
  const voteVaultAfter = BigInt((await net.connection.getTokenAccountBalance(voteVault, 'confirmed')).value.amount)
  log(`  every vote settled into its juror's stake; the vote vault holds ${formatTokens(voteVaultAfter)}`)
  return {
    address: address.toBase58(),
    claimant,
    openSignature: c.openSignature,
    clientEvidence: cidText(d.clientEvidence),
    workerEvidence: cidText(d.workerEvidence),
    workerEvidenceSignature,
    warpedSeconds: { evidenceWindow: evidenceWarp, commitWindow: commitWarp, revealWindow: revealWarp },
    jurors,
    rounds: d.round + 1,
    votesClient: d.votesClient,
    votesWorker: d.votesWorker,
    winner,
    resolvedBy: resolver.name,
    resolveSignature,
    finalizeSignature,
    voteVaultAfter: String(voteVaultAfter),
    bond: String(d0.bond),
    bondTo
  }
}
