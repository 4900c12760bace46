/**
 * `cyx sim`'s main run, in one process: a local network (peer/sim/network.ts) with N workers at
 * different prices and one client. The client submits a spirals job: the auction on gossipsub and
 * /cyx/bid/1.0.0, the escrow on-chain naming the best-scored bid, the dataset and live metrics over
 * /cyx/job/1.0.0, training with Helia evidence, hash-checked weights, re-execution spot checks and
 * payment 90/10 by the program — all real. Balances before and after must reconcile to the base unit
 * and the token supply (burned included) must not change.
 *
 * Not yet (reported in `notYet`): peers as separate OS processes, evidence fetched over bitswap (the
 * client reads the winner's blockstore in-process), the MNIST job and the zk tier, failure scenarios.
 */
import { PublicKey } from '@solana/web3.js'
import { CYXWIZ_PROGRAM_ID, ESCROW_STATE, decodeEscrow } from '../../chain/index.js'
import { UNITS_PER_TOKEN, formatTokens, reputationTier, settlementSplit } from '../../protocols/index.js'
import { Client, Worker, type ClientJobEvent } from '../roles/index.js'
import { LocalNetwork } from './network.js'

export interface SimOptions {
  readonly workers: number
  readonly epochs: number
  readonly seed: number
  readonly dir?: string
  readonly keep?: boolean
  readonly log: (line: string) => void
}

export interface SimReport {
  readonly scenario: 'honest'
  readonly mode: 'in-process'
  readonly notYet: readonly string[]
  readonly jobs: ReadonlyArray<{
    id: string
    tier: 'optimistic'
    state: string
    worker: string
    amount: string
    bids: ReadonlyArray<{ peer: string, price: string }>
    settlement: { worker: string, platform: string, refund: string }
    training: { epochs: number, testAccuracy: number, finalWeightsHash: string }
    proof: { merkleRoot: string, evidenceCid: string, spotChecks: { passed: number, total: number } }
  }>
  readonly chain: { rpc: string, programId: string, escrow: string, completeSignature: string | null }
  readonly balances: Record<string, { before: string, after: string }>
  readonly supplyConserved: boolean
  readonly ok: boolean
}

const T = UNITS_PER_TOKEN
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

/** Worker i's hourly rate: 50, 75, 100 … CYXWIZ/h in a seed-independent shuffled order. */
function hourlyRate (i: number, n: number): bigint {
  return (50n + 25n * BigInt((i * 7 + 3) % n)) * T
}

export async function runSimulation (o: SimOptions): Promise<SimReport> {
  const log = o.log
  const net = await LocalNetwork.open({ seed: o.seed, ...(o.dir === undefined ? {} : { dir: o.dir }), keep: o.keep ?? false })
  const workers: Worker[] = []
  let client: Client | undefined
  try {
    log(`ledger: LiteSVM + cyxwiz program ${CYXWIZ_PROGRAM_ID.toBase58()} as Solana JSON-RPC at ${net.rpcUrl}; CYXWIZ mint ${net.mint.toBase58()}`)
    const clientPeer = await net.peer('client', 100n)
    for (let i = 0; i < o.workers; i++) {
      const p = await net.peer(`worker-${i + 1}`, 50n, clientPeer.node.multiaddrs())
      const rate = hourlyRate(i, o.workers)
      workers.push(await Worker.start({ node: p.node, connection: net.connection, store: p.store, pricePerHour: rate }))
      log(`worker-${i + 1} ${p.node.peerId.toString().slice(-8)}: staked 50 CYXWIZ, asks ${formatTokens(rate)} CYXWIZ/h`)
    }
    client = await Client.start({
      node: clientPeer.node,
      connection: net.connection,
      store: clientPeer.store,
      // In-process stand-in for bitswap (see the file comment): the winner's own blockstore.
      evidence: (_d, peer) => workers.find((w) => w.node.peerId.equals(peer))?.evidenceStore
    })

    const names = new Map<string, string>(net.peers.map((p) => [p.node.peerId.toString(), p.name]))
    const before: Record<string, bigint> = { client: await net.tokenBalance(client.wallet) }
    for (const [i, w] of workers.entries()) before[`worker-${i + 1}`] = await net.tokenBalance(w.wallet)
    for (const v of ['platform', 'insurance', 'stake'] as const) before[v] = await net.vaultBalance(v)
    const supplyBefore = await net.supplyWithBurned()

    const onProgress = (e: ClientJobEvent): void => {
      if (e.type === 'bid') log(`  bid from ${names.get(e.from) ?? e.from}: ${formatTokens(e.price)} CYXWIZ, ETA ${e.etaSeconds} s`)
      else if (e.type === 'award') log(`  award → ${names.get(e.worker) ?? e.worker} at ${formatTokens(e.price)} CYXWIZ; escrow ${e.escrow}`)
      else if (e.type === 'metrics' && e.metrics.epoch > 0) log(`  epoch ${e.metrics.epoch}/${e.metrics.totalEpochs}: loss ${e.metrics.loss.toFixed(4)}, test accuracy ${(e.metrics.testAccuracy * 100).toFixed(2)} %`)
      else if (e.type === 'spot-check') log(`  spot checks: ${e.report.passed ? 'passed' : 'FAILED'} (segments ${e.report.segments.join(', ')})`)
      else if (e.type === 'state') log(`  job ${e.state}`)
    }
    log(`client submits a spirals job, ${o.epochs} epochs, max price 10 CYXWIZ`)
    const outcome = await client.submit({ datasetId: 'spirals', epochs: o.epochs, seed: BigInt(o.seed), maxPrice: 10n * T, estimatedSeconds: 60, bidWindowMs: 1_500, onProgress })

    const after: Record<string, bigint> = { client: await net.tokenBalance(client.wallet) }
    for (const [i, w] of workers.entries()) after[`worker-${i + 1}`] = await net.tokenBalance(w.wallet)
    for (const v of ['platform', 'insurance', 'stake'] as const) after[v] = await net.vaultBalance(v)
    const supplyAfter = await net.supplyWithBurned()

    const winnerName = names.get(outcome.winner.peer) ?? outcome.winner.peer
    const escrow = decodeEscrow((await net.connection.getAccountInfo(new PublicKey(outcome.escrow)))?.data ?? new Uint8Array())
    const split = settlementSplit(outcome.winner.price, reputationTier(0).name)
    const expected: Record<string, bigint> = { ...before }
    expected.client = (before.client as bigint) - outcome.winner.price
    expected[winnerName] = (before[winnerName] as bigint) + split.worker
    expected.platform = (before.platform as bigint) + split.platform
    const reconciles = outcome.state === 'completed' && escrow.state === ESCROW_STATE.completed &&
      Object.keys(expected).every((k) => expected[k] === after[k])
    const supplyConserved = supplyBefore === supplyAfter
    const balances: Record<string, { before: string, after: string }> = {}
    for (const k of Object.keys(before)) balances[k] = { before: String(before[k]), after: String(after[k]) }
    const lastMetrics = outcome.session.metrics.at(-1)
    log(`${reconciles ? 'paid' : 'NOT paid'}: ${winnerName} +${formatTokens(split.worker)}, platform +${formatTokens(split.platform)}; balances ${reconciles ? 'reconcile' : 'DO NOT reconcile'}; supply conserved: ${supplyConserved}`)
    return {
      scenario: 'honest',
      mode: 'in-process',
      notYet: ['peers as separate OS processes', 'evidence over bitswap (read in-process from the winner)', 'MNIST job and zk tier', 'scenarios cheat, crash, timeout, dispute'],
      jobs: [{
        id: outcome.jobId,
        tier: 'optimistic',
        state: outcome.state,
        worker: outcome.winner.wallet,
        amount: String(outcome.winner.price),
        bids: outcome.ranking.ranked.map((s) => ({ peer: names.get(s.bid.bidder) ?? s.bid.bidder, price: String(s.bid.price) })),
        settlement: { worker: String((after[winnerName] as bigint) - (before[winnerName] as bigint)), platform: String((after.platform as bigint) - (before.platform as bigint)), refund: '0' },
        training: { epochs: o.epochs, testAccuracy: lastMetrics?.testAccuracy ?? 0, finalWeightsHash: hex(outcome.session.delivery.weightsHash) },
        proof: {
          merkleRoot: hex(outcome.session.delivery.merkleRoot),
          evidenceCid: outcome.session.delivery.evidenceCid,
          // The client's report carries one verdict; on failure no segment is counted as passed.
          spotChecks: { passed: outcome.spotCheck?.passed === true ? outcome.spotCheck.segments.length : 0, total: outcome.spotCheck?.segments.length ?? 0 }
        }
      }],
      chain: { rpc: net.rpcUrl, programId: CYXWIZ_PROGRAM_ID.toBase58(), escrow: outcome.escrow, completeSignature: outcome.completeSignature ?? null },
      balances,
      supplyConserved,
      ok: reconciles && supplyConserved
    }
  } finally {
    await client?.stop()
    await Promise.allSettled(workers.map(async (w) => { await w.stop() }))
    await net.close()
  }
}
