/**
 * The two verification tiers through the roles, on real libp2p peers and the embedded ledger
 * (issue #7): a zk job — trained in the exact Q16 mode on the step circuit's data, its Poseidon root
 * anchored, the challenge drawn by the program, the challenged step proved in Groth16 by the worker
 * and verified by `complete_zk`, which pays — and an optimistic job whose client lets the challenge
 * window run: the worker's `submit_delivery` proves the final checkpoint is the last leaf of the
 * anchored root, the client's spot checks pass, the window is passed by warping the ledger clock and
 * the worker claims its payment.
 */
import assert from 'node:assert/strict'
import { PublicKey } from '@solana/web3.js'
import { ESCROW_STATE, TIER, decodeEscrow, parseEvents, type EscrowAccount } from '../../../chain/index.js'
import { DISPUTE, ESCROW, MESH, PROOF, UNITS_PER_TOKEN, settlementSplit, toHex } from '../../../protocols/index.js'
import { Client, Worker, anchoredCheckpoints, checkpointCount, jobSpec, readNode, zkDataCommitment, type WorkerEvent } from '../../../peer/roles/index.js'
import { loadDatasetById } from '../../../peer/train/index.js'
import { buildCircuits, releaseCurve } from '../../../circuits/index.js'
import { World, type WorldPeer } from '../../fixtures/world.js'

const T = UNITS_PER_TOKEN

async function readEscrow (world: World, address: PublicKey): Promise<EscrowAccount> {
  const info = await world.connection.getAccountInfo(address, 'confirmed')
  assert.ok(info !== null, 'the escrow exists')
  return decodeEscrow(info.data)
}

async function until<V> (probe: () => V | undefined, ms: number, what: string): Promise<V> {
  const end = Date.now() + ms
  for (;;) {
    const v = probe()
    if (v !== undefined) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** One executed `anchor_progress` (its ProgressAnchored event) and what it cost. */
interface AnchorTx { readonly escrow: string, readonly epoch: number, readonly root: string, readonly computeUnits: number }

/**
 * The worker anchors per epoch (the no-progress timeout): intermediate anchors went out while it
 * trained, each at a later epoch before the final one, one transaction each (the `anchored` event
 * counts them), and the final anchor is the last, at the final epoch with the settled root.
 */
function assertAnchoredPerEpoch (anchors: readonly AnchorTx[], events: readonly WorkerEvent[], jobId: string, escrow: EscrowAccount, address: string): void {
  const mine = anchors.filter((a) => a.escrow === address)
  const epochs = mine.map((a) => a.epoch)
  const progress = events.filter((e): e is Extract<WorkerEvent, { type: 'progress-anchored' }> => e.type === 'progress-anchored' && e.jobId === jobId)
  const anchored = events.find((e): e is Extract<WorkerEvent, { type: 'anchored' }> => e.type === 'anchored' && e.jobId === jobId)
  assert.ok(mine.length >= 2, `at least one anchor while training, then the final one (epochs anchored: ${epochs.join(', ')})`)
  assert.ok(epochs.every((e, i) => i === 0 || e > (epochs[i - 1] as number)), `epochs only move forward: ${epochs.join(', ')}`)
  assert.equal(epochs.at(-1), escrow.epochsTotal, 'the final anchor is the last')
  assert.equal(mine.at(-1)?.root, toHex(escrow.progressRoot))
  assert.deepEqual(progress.map((e) => e.epoch), epochs.slice(0, -1), 'each intermediate anchor is reported by the worker')
  assert.equal(anchored?.progressAnchors, mine.length - 1, 'the anchored event counts the job\'s intermediate anchors')
}

describe('roles: the zk and optimistic tiers, paid by the program', function () {
  this.timeout(180_000)
  let world: World
  let clientPeer: WorldPeer
  let workerPeer: WorldPeer
  let client: Client
  let worker: Worker
  const events: WorkerEvent[] = []
  const anchors: AnchorTx[] = []

  before(async function () {
    this.timeout(30 * 60_000)
    await buildCircuits({ log: () => {} })
    world = await World.open()
    world.ledger.embedded.onTransaction((r) => {
      if (r.err !== null) return
      for (const e of parseEvents(r.logs)) {
        if (e.name === 'ProgressAnchored') anchors.push({ escrow: (e.data.escrow as PublicKey).toBase58(), epoch: Number(e.data.epoch), root: toHex(e.data.merkleRoot as Uint8Array), computeUnits: r.computeUnits })
      }
    })
    // Enough for the jobs and a dispute's bond (issue 15 finding 5).
    clientPeer = await world.peer(100n + DISPUTE.disputeBond / UNITS_PER_TOKEN)
    workerPeer = await world.peer(50n, clientPeer.node.multiaddrs())
    worker = await Worker.start({ node: workerPeer.node, connection: world.connection, store: workerPeer.store, pricePerHour: 60n * T, settlementPollMs: 100, onEvent: (e) => { events.push(e) } })
    client = await Client.start({ node: clientPeer.node, connection: world.connection, store: clientPeer.store, settle: 'window' })
  })

  after(async () => {
    const byEscrow = new Map<string, number[]>()
    for (const a of anchors) byEscrow.set(a.escrow, [...(byEscrow.get(a.escrow) ?? []), a.epoch])
    const cu = anchors.map((a) => a.computeUnits)
    console.log(`      anchor_progress per job (epochs): ${[...byEscrow.values()].map((e) => e.join(' ')).join(' | ')}; ${Math.min(...cu)}–${Math.max(...cu)} CU each`)
    await client?.stop()
    await worker?.stop()
    await world?.close()
    await releaseCurve()
  })

  it('a zk job: the challenged step is proved in Groth16, verified on-chain by complete_zk, and paid 90/10', async () => {
    const before = await world.balance(worker.wallet)
    const outcome = await client.submit({ datasetId: 'mnist-4x4', tier: 'zk', epochs: 1, seed: 11n, maxPrice: 10n * T, estimatedSeconds: 60, bidWindowMs: 1_000 })
    assert.equal(outcome.tier, 'zk')
    assert.equal(outcome.state, 'completed')
    assert.equal(outcome.spotCheck?.passed, true)
    assert.equal(outcome.zk?.verifiedOnChain, true)
    const escrow = await readEscrow(world, new PublicKey(outcome.escrow))
    assert.equal(escrow.tier, TIER.zk)
    assert.equal(escrow.circuitId, PROOF.stepCircuitId)
    // The private batches' commitment: the client's, recomputed from the dataset the spec names.
    assert.equal(toHex(escrow.dataCommitment), toHex(zkDataCommitment(loadDatasetById('mnist-4x4'))))
    assert.equal(escrow.state, ESCROW_STATE.completed)
    assert.equal(escrow.challenged, 1)
    assert.equal(escrow.challengeStep, outcome.zk?.challengeStep)
    // The anchored root is the Poseidon root of the delivered evidence's checkpoint commitments.
    const cps = await anchoredCheckpoints(clientPeer.node.helia, outcome.session.delivery.evidenceCid, 'zk')
    assert.equal(cps.leaves.length, 8)
    assert.equal(toHex(escrow.progressRoot), toHex(cps.root))
    assertAnchoredPerEpoch(anchors, events, outcome.jobId, escrow, outcome.escrow)
    const settled = await until(() => events.find((e): e is Extract<WorkerEvent, { type: 'settled' }> => e.type === 'settled' && e.jobId === outcome.jobId), 10_000, 'the worker\'s settlement')
    assert.equal(settled.how, 'proved')
    assert.equal(settled.challengeStep, escrow.challengeStep)
    const split = settlementSplit(escrow.amount, 'Bronze')
    assert.equal(await world.balance(worker.wallet), before + split.worker)
    const node = await readNode(world.connection, worker.wallet)
    assert.equal(node?.proofsValid, 1)
    assert.equal((await worker.jobs.get(outcome.jobId))?.state, 'settled')
  })

  it('an optimistic job: delivered on-chain with its last-leaf proof, spot-checked, claimed by the worker once the warped window passed', async () => {
    const before = await world.balance(worker.wallet)
    const dataset = loadDatasetById('spirals')
    const outcome = await client.submit({ datasetId: 'spirals', epochs: 2, stepsPerSegment: 20, seed: 5n, maxPrice: 10n * T, estimatedSeconds: 60, bidWindowMs: 1_000 })
    assert.equal(outcome.tier, 'optimistic')
    // The client's window mode: checks passed, nothing signed; the window runs on-chain.
    assert.equal(outcome.state, 'verified')
    assert.equal(outcome.completeSignature, undefined)
    const address = new PublicKey(outcome.escrow)
    let escrow = await readEscrow(world, address)
    assert.equal(escrow.epochsTotal, checkpointCount(jobSpec(dataset, { epochs: 2, stepsPerSegment: 20, seed: 5n }).spec))
    assert.equal(escrow.epochsDone, escrow.epochsTotal)
    assert.equal(escrow.delivered, 1)
    assert.equal(toHex(escrow.finalWeightsHash), toHex(outcome.session.delivery.weightsHash))
    const cps = await anchoredCheckpoints(clientPeer.node.helia, outcome.session.delivery.evidenceCid, 'optimistic')
    assert.equal(toHex(escrow.progressRoot), toHex(cps.root))
    assertAnchoredPerEpoch(anchors, events, outcome.jobId, escrow, outcome.escrow)
    // Within the window the worker cannot claim: it is still funded a moment later.
    await new Promise((resolve) => setTimeout(resolve, 500))
    assert.equal((await readEscrow(world, address)).state, ESCROW_STATE.funded)
    assert.equal(await world.balance(worker.wallet), before)
    world.ledger.embedded.warp(PROOF.challengeWindowSeconds + 5)
    const settled = await until(() => events.find((e): e is Extract<WorkerEvent, { type: 'settled' }> => e.type === 'settled' && e.jobId === outcome.jobId), 20_000, 'the worker\'s claim')
    assert.equal(settled.how, 'claimed')
    escrow = await readEscrow(world, address)
    assert.equal(escrow.state, ESCROW_STATE.completed)
    assert.equal(await world.balance(worker.wallet), before + settlementSplit(escrow.amount, 'Bronze').worker)
  })

  it('the worker heartbeats on-chain once per interval (its uptime counters move)', async () => {
    const hbPeer = await world.peer(50n, clientPeer.node.multiaddrs())
    const hbEvents: WorkerEvent[] = []
    const w = await Worker.start({ node: hbPeer.node, connection: world.connection, store: hbPeer.store, pricePerHour: 900n * T, heartbeatMs: 200, onEvent: (e) => { hbEvents.push(e) } })
    try {
      const before = await readNode(world.connection, w.wallet)
      // Sooner than the interval by the ledger's clock: refused by the program.
      await until(() => hbEvents.find((e) => e.type === 'heartbeat-failed'), 10_000, 'a refused early heartbeat')
      world.ledger.embedded.warp(Number(ESCROW.heartbeatIntervalSeconds) + 1)
      await until(() => hbEvents.find((e) => e.type === 'heartbeat'), 10_000, 'a heartbeat')
      const after = await readNode(world.connection, w.wallet)
      assert.ok(after !== undefined && before !== undefined)
      assert.ok(after.lastHeartbeat > before.lastHeartbeat, 'the heartbeat time moved')
    } finally {
      await w.stop()
    }
  })

  it('an optimistic job with fabricated segments: the spot check fails within the window, the client disputes, and the window passing pays nothing', async () => {
    const cheatPeer = await world.peer(50n, clientPeer.node.multiaddrs())
    const cheatEvents: WorkerEvent[] = []
    // The only bidder at half the honest worker's price: it wins.
    await worker.stop()
    const cheat = await Worker.start({ node: cheatPeer.node, connection: world.connection, store: cheatPeer.store, pricePerHour: 30n * T, settlementPollMs: 100, faults: { fabricateSegments: { honest: 1 } }, onEvent: (e) => { cheatEvents.push(e) } })
    try {
      // The announcement goes to the subscribers the client knows: wait until the new worker is one.
      await until(() => clientPeer.node.libp2p.services.pubsub.getSubscribers(MESH.jobsTopic).some((p) => p.equals(cheatPeer.node.peerId)) ? true : undefined, 10_000, 'the new worker subscribed to job announcements')
      const clientBefore = await world.balance(client.wallet)
      const outcome = await client.submit({ datasetId: 'spirals', epochs: 3, seed: 6n, maxPrice: 10n * T, estimatedSeconds: 60, bidWindowMs: 1_000 })
      assert.equal(outcome.winner.wallet, cheat.wallet.toBase58())
      assert.equal(outcome.state, 'rejected')
      assert.equal(outcome.spotCheck?.passed, false)
      assert.ok(outcome.disputeSignature !== undefined, 'the client disputed within the window')
      const address = new PublicKey(outcome.escrow)
      assert.equal((await readEscrow(world, address)).state, ESCROW_STATE.disputed)
      world.ledger.embedded.warp(PROOF.challengeWindowSeconds + 5)
      const settled = await until(() => cheatEvents.find((e): e is Extract<WorkerEvent, { type: 'settled' }> => e.type === 'settled' && e.jobId === outcome.jobId), 20_000, 'the cheater\'s settlement to end')
      assert.equal(settled.how, 'ended')
      assert.equal(settled.escrowState, ESCROW_STATE.disputed)
      assert.equal(await world.balance(cheat.wallet), 0n, 'the cheater was not paid')
      assert.equal(await world.balance(client.wallet), clientBefore - outcome.winner.price - DISPUTE.disputeBond, 'the price sits in escrow and the bond in the dispute until the court decides')
    } finally {
      await cheat.stop()
    }
  })
})
