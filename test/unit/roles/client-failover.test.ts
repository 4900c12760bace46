/**
 * Failover's client steps alone (issue 21), on doubles (no ledger, no mesh): when the stall rule
 * says the job is due (`stallDue`), and the hand-over itself (`handOverJob`): the kept checkpoint's
 * check decides the epochs paid, the rest is re-announced with a resume point at the remaining
 * amount and estimate, the stalled worker's bids do not count, and `hand_over` names the winner.
 */
import assert from 'node:assert/strict'
import { PublicKey, type TransactionInstruction } from '@solana/web3.js'
import { ESCROW_STATE, TIER, type EscrowAccount } from '../../../chain/index.js'
import { wire } from '../../../protocols/index.js'
import type { BidRound, ReceivedBid } from '../../../peer/node/index.js'
import { handOverJob, stallDue, type FailoverComponents, type FailoverRequest } from '../../../peer/roles/client/failover.js'
import type { ClientJobEvent } from '../../../peer/roles/client/types.js'
import type { TrainingData } from '../../../peer/train/index.js'
import { T, escrowAccountDouble, nodeAccountDouble, peerId, spec, wallet } from './doubles.js'

const NOW_S = 1_700_000_000
const CID = 'bafyreid6vphrrijwk2cura4bbice5iwu3pljkwkh2x3k4ozgwhc7dq3rli'
const H = 7_200

describe('unit: client failover (issue 21)', () => {
  describe('stallDue: the escrow\'s own no-progress rule at the ledger\'s clock', () => {
    const escrow = wallet()
    const at = (e: Partial<EscrowAccount>, now: number): Pick<FailoverComponents, 'readEscrow' | 'chainNow'> => ({
      readEscrow: async () => escrowAccountDouble({ accepted: 1, acceptedAt: 1_000n, lastProgressAt: 5_000n, epochsDone: 2, epochsTotal: 4, ...e }),
      chainNow: async () => now
    })
    it('due only past max(accepted, last progress) + the escrow\'s timeout, before the final anchor and the delivery, on the optimistic tier', async () => {
      assert.equal(await stallDue(at({}, 5_000 + H + 1), escrow), true)
      assert.equal(await stallDue(at({}, 5_000 + H), escrow), false)
      assert.equal(await stallDue(at({ delivered: 1 }, 5_000 + H + 1), escrow), false)
      assert.equal(await stallDue(at({ epochsDone: 4 }, 5_000 + H + 1), escrow), false)
      assert.equal(await stallDue(at({ tier: TIER.zk }, 5_000 + H + 1), escrow), false)
      assert.equal(await stallDue(at({ accepted: 0 }, 5_000 + H + 1), escrow), false)
    })
    it('an escrow no longer funded ends the wait', async () => {
      await assert.rejects(stallDue(at({ state: ESCROW_STATE.timedOut }, 5_000 + H + 1), escrow), /no longer funded/)
    })
  })

  describe('handOverJob', () => {
    const escrowAddress = wallet()
    const stalled = wallet()
    async function bid (price: bigint, signer: PublicKey): Promise<ReceivedBid> {
      const from = await peerId()
      return { message: { jobId: new Uint8Array(32).fill(1), workerPeerId: from.toMultihash().bytes, price, etaSeconds: 60, stake: 0n, reputation: 0, issuedAt: BigInt(NOW_S) }, signer: signer.toBytes(), from, bytes: new Uint8Array(0), receivedAt: 0 }
    }
    async function doubles (o: { check: boolean | 'throws', after?: Partial<EscrowAccount> }): Promise<{ c: FailoverComponents, r: FailoverRequest, sent: TransactionInstruction[], announced: wire.JobAnnounce[], checked: string[], other: PublicKey, events: ClientJobEvent[] }> {
      const other = wallet()
      const stalledBid = await bid(1n * T / 2n, stalled) // cheaper, and still ignored
      const otherBid = await bid(1n * T, other)
      const bids = [stalledBid, otherBid]
      const before = escrowAccountDouble({ amount: 2n * T, accepted: 1, epochsDone: 2, epochsTotal: 4, estimatedSeconds: 144n, worker: stalled, handovers: 0 })
      const sent: TransactionInstruction[] = []
      const announced: wire.JobAnnounce[] = []
      const checked: string[] = []
      let handedOver = false
      const c: FailoverComponents = {
        wallet: wallet(),
        openRound: () => ({ jobId: new Uint8Array(32), bids, closed: Promise.resolve(bids), onBid: () => {}, closeIn: () => {}, close: () => {} }) satisfies BidRound,
        announce: async (a) => { announced.push(a); return { jobId: a.jobId, recipients: 2, stop: () => {} } },
        readNode: async (w) => nodeAccountDouble({ owner: w }),
        clock: () => NOW_S,
        readEscrow: async () => handedOver ? escrowAccountDouble({ ...before, amount: 1n * T, worker: other, epochsBase: 2, handovers: 1, accepted: 0, ...o.after }) : before,
        readConfig: async () => ({ mint: wallet() }) as never,
        send: async (ixs) => { sent.push(...ixs); handedOver = true; return 'sig-hand-over' },
        chainNow: async () => NOW_S,
        verifyInterim: async (cid) => {
          checked.push(cid)
          if (o.check === 'throws') throw new Error('blocks missing')
          return { passed: o.check, reasons: o.check ? [] : ['segment 2 does not re-execute'] }
        }
      }
      const r: FailoverRequest = {
        jobId: '01'.repeat(32),
        terms: { jobId: new Uint8Array(32).fill(1), spec: spec({ epochs: 4 }), priority: wire.Priority.PRIORITY_NORMAL, clientPeerId: new Uint8Array(38).fill(1), clientAddrs: [] },
        dataset: {} as TrainingData,
        escrow: escrowAddress,
        stalledWallet: stalled,
        stalledPeer: stalledBid.from.toString(),
        kept: { epoch: 2, cid: CID, blocks: 7, bytes: 1000 },
        spotChecks: 2,
        windowMs: 1_000
      }
      const events: ClientJobEvent[] = []
      return { c, r, sent, announced, checked, other, events }
    }
    const handOverArgs = (ix: TransactionInstruction): { verified: number, newWorker: PublicKey } => ({ verified: ix.data.readUInt32LE(8), newWorker: new PublicKey(ix.data.subarray(12, 44)) })

    it('a kept checkpoint that passes its spot check is paid for; the rest is re-auctioned from it without the stalled worker', async () => {
      const d = await doubles({ check: true })
      const out = await handOverJob(d.c, d.r, (e) => { d.events.push(e) })
      assert.deepEqual(d.checked, [CID])
      assert.equal(out.verifiedEpochs, 2)
      assert.deepEqual(out.split, { worker: 9n * T / 10n, platform: T / 10n, remaining: 1n * T })
      const [a] = d.announced
      assert.deepEqual(a?.resume, { handover: 1, epoch: 2, checkpointCid: CID })
      assert.equal(a?.maxPrice, 1n * T, 'the escrow\'s remaining amount')
      assert.equal(a?.estimatedSeconds, 72, 'the remaining half of the estimate')
      assert.doesNotThrow(() => wire.validateJobAnnounce(a!))
      assert.ok(out.auction.workerWallet.equals(d.other), 'the stalled worker\'s cheaper bid does not count')
      assert.equal(d.sent.length, 1)
      const args = handOverArgs(d.sent[0]!)
      assert.equal(args.verified, 2)
      assert.ok(args.newWorker.equals(d.other))
      assert.deepEqual(d.events.map((e) => e.type), ['stalled', 'handed-over'])
    })

    it('a checkpoint that fails (or cannot run) its check counts as not done: 0 epochs paid, the rest from scratch', async () => {
      for (const check of [false, 'throws'] as const) {
        const d = await doubles({ check, after: { amount: 2n * T, epochsBase: 0 } })
        const out = await handOverJob(d.c, d.r, () => {})
        assert.equal(out.verifiedEpochs, 0)
        assert.equal(out.split.worker + out.split.platform, 0n)
        assert.deepEqual(d.announced[0]?.resume, { handover: 1, epoch: 0, checkpointCid: '' })
        assert.equal(d.announced[0]?.maxPrice, 2n * T)
        assert.equal(handOverArgs(d.sent[0]!).verified, 0)
      }
    })

    it('nothing kept: nothing checked, nothing paid', async () => {
      const d = await doubles({ check: true, after: { amount: 2n * T, epochsBase: 0 } })
      const out = await handOverJob(d.c, { ...d.r, kept: undefined }, () => {})
      assert.deepEqual(d.checked, [])
      assert.equal(out.verifiedEpochs, 0)
    })

    it('an escrow that does not read back as handed over to the winner for the rest is an error', async () => {
      const d = await doubles({ check: true, after: { amount: 2n * T } })
      await assert.rejects(handOverJob(d.c, d.r, () => {}), /after hand_over the escrow holds/)
    })
  })
})
