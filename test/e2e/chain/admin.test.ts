/**
 * Issue 15, finding 15 (admin): the admin role moves in two steps (`propose_admin`,
 * `accept_admin`); each escrow settles under the parameters in force when it was created
 * (`Escrow.terms`), whatever `update_config` does later; the platform and insurance vaults are
 * withdrawable by the governance key only (`withdraw_treasury`, `set_governance`). Each attack is
 * run as a fresh wallet (or the wrong key) would, and asserted to fail with no balance moved.
 * docs/security.md, finding 15.
 */
import assert from 'node:assert/strict'
import { Keypair, PublicKey, SystemProgram } from '@solana/web3.js'
import {
  acceptAdmin, claimPayment, configPda, escrowVaultPda, parseEvents, proposeAdmin, setGovernance, timeoutRefund, updateConfig, vaultPda,
  withdrawTreasury, type ConfigParams
} from '../../../chain/client/index.js'
import { STAKE_TIERS } from '../../../protocols/index.js'
import { TOKEN, World, expectError, program, record, withAccount, type Wallet } from '../../fixtures/world.js'

const minStake = STAKE_TIERS[0]?.minStake ?? 0n
const PLATFORM = (w: World): PublicKey => vaultPda(w.pid, 'platform').address
const INSURANCE = (w: World): PublicKey => vaultPda(w.pid, 'insurance').address

/** Every balance an attack could move: the given token accounts, the program's vaults, the supply. */
function balances (w: World, accounts: readonly PublicKey[]): bigint[] {
  const vaults = (['platform', 'insurance', 'stake'] as const).map((k) => vaultPda(w.pid, k).address)
  return [...accounts, ...vaults].map((a) => w.ledger.tokenBalance(a)).concat([w.supply()])
}

const update = (w: World, admin: Keypair, params: ConfigParams): ReturnType<World['ledger']['send']> =>
  w.ledger.send([updateConfig({ admin: admin.publicKey }, params, w.pid)], [admin])

describe('chain/admin: two-step handover, per-escrow terms, treasury withdrawal (issue 15, finding 15)', () => {
  before(function () {
    this.timeout(600_000)
    program()
  })

  describe('the admin role moves in two steps', () => {
    it('a stranger can neither propose nor accept; the admin keeps the role until the proposed key signs; proposing again or the zero key cancels', () => {
      const w = new World().initialize()
      const stranger = w.ledger.fundedKeypair()
      const typo = Keypair.generate() // a key nobody will ever sign with
      const next = w.ledger.fundedKeypair()
      const worker = w.worker(minStake)
      const before = balances(w, [worker.token])

      // A fresh wallet: proposes itself, accepts with nothing proposed, accepts someone else's proposal.
      expectError(w.ledger.send([proposeAdmin({ admin: stranger.publicKey }, stranger.publicKey, w.pid)], [stranger]), 'Unauthorized')
      expectError(w.ledger.send([acceptAdmin({ newAdmin: stranger.publicKey }, w.pid)], [stranger]), 'NoPendingAdmin')
      expectError(w.ledger.send([withAccount(proposeAdmin({ admin: w.admin.publicKey }, stranger.publicKey, w.pid), 0, w.admin.publicKey, { isSigner: false })], [stranger]), 'AccountNotSigner')

      // The admin mistypes: the typo key is pending, the role has not moved.
      const proposed = record('propose_admin', w.ledger.send([proposeAdmin({ admin: w.admin.publicKey }, typo.publicKey, w.pid)], [w.admin]))
      assert.deepEqual(parseEvents(proposed.logs).map((e) => e.name), ['AdminProposed'])
      assert.ok(w.config().pendingAdmin.equals(typo.publicKey))
      assert.ok(w.config().admin.equals(w.admin.publicKey))
      expectError(w.ledger.send([acceptAdmin({ newAdmin: stranger.publicKey }, w.pid)], [stranger]), 'Unauthorized')
      // Proposing again replaces it; the first proposal is dead.
      w.ledger.mustSend([proposeAdmin({ admin: w.admin.publicKey }, next.publicKey, w.pid)], [w.admin])
      assert.ok(w.config().pendingAdmin.equals(next.publicKey))

      // Until `next` accepts, the admin alone has the role.
      const params = { ...w.params, jobsPerWalletPerDay: 7 }
      expectError(update(w, next, params), 'Unauthorized')
      expectError(w.ledger.send([proposeAdmin({ admin: next.publicKey }, stranger.publicKey, w.pid)], [next]), 'Unauthorized')
      record('update_config', update(w, w.admin, params))
      assert.equal(w.config().params.jobsPerWalletPerDay, 7)

      // The zero key withdraws the proposal: `next` can no longer accept.
      w.ledger.mustSend([proposeAdmin({ admin: w.admin.publicKey }, PublicKey.default, w.pid)], [w.admin])
      expectError(w.ledger.send([acceptAdmin({ newAdmin: next.publicKey }, w.pid)], [next]), 'NoPendingAdmin')

      // Proposed again, `next` accepts: it is the admin, the old one is not, nothing is pending.
      w.ledger.mustSend([proposeAdmin({ admin: w.admin.publicKey }, next.publicKey, w.pid)], [w.admin])
      const accepted = record('accept_admin', w.ledger.send([acceptAdmin({ newAdmin: next.publicKey }, w.pid)], [next]))
      const ev = parseEvents(accepted.logs)
      assert.deepEqual(ev.map((e) => e.name), ['AdminAccepted'])
      assert.ok((ev[0]?.data.previous as PublicKey).equals(w.admin.publicKey))
      assert.ok((ev[0]?.data.admin as PublicKey).equals(next.publicKey))
      const c = w.config()
      assert.ok(c.admin.equals(next.publicKey))
      assert.ok(c.pendingAdmin.equals(PublicKey.default))
      expectError(update(w, w.admin, w.params), 'Unauthorized')
      expectError(w.ledger.send([proposeAdmin({ admin: w.admin.publicKey }, w.admin.publicKey, w.pid)], [w.admin]), 'Unauthorized')
      expectError(w.ledger.send([acceptAdmin({ newAdmin: next.publicKey }, w.pid)], [next]), 'NoPendingAdmin')
      w.ledger.mustSend([updateConfig({ admin: next.publicKey }, w.params, w.pid)], [next])
      // The admin role never carried the treasury: the governance key is still the first admin's.
      assert.ok(w.config().governance.equals(w.admin.publicKey))
      assert.deepEqual(balances(w, [worker.token]), before, 'no token moved')
    })
  })

  describe('each escrow keeps the parameters it was created under', () => {
    it('an escrow created before a fee change settles at the old fee, to the base unit; one created after at the new fee', () => {
      const w = new World().initialize()
      const worker = w.worker(minStake)
      const client = w.wallet(100n)
      const amount = 7n * TOKEN + 3n // not a multiple of 10,000: the floor matters
      const old = w.escrow(client, worker, 1n, amount)
      assert.deepEqual(w.escrowAccount(old).terms, w.params, 'the escrow holds a copy of Config\'s parameters')
      const raised = { ...w.params, platformFeeBps: 2_500, diamondPlatformFeeBps: 2_000 }
      record('update_config', update(w, w.admin, raised))
      assert.deepEqual(w.escrowAccount(old).terms, w.params, 'update_config did not touch it')
      const fresh = w.escrow(client, worker, 2n, amount)
      assert.deepEqual(w.escrowAccount(fresh).terms, raised)

      const pay = (escrow: PublicKey): { worker: bigint, platform: bigint } => {
        const b = [w.ledger.tokenBalance(worker.token), w.ledger.tokenBalance(PLATFORM(w))]
        w.deliver(worker, escrow)
        w.ledger.mustSend([w.completeIx(client, worker, escrow)], [client.kp])
        return { worker: w.ledger.tokenBalance(worker.token) - (b[0] ?? 0n), platform: w.ledger.tokenBalance(PLATFORM(w)) - (b[1] ?? 0n) }
      }
      const oldFee = amount * BigInt(w.params.platformFeeBps) / 10_000n
      assert.deepEqual(pay(old), { worker: amount - oldFee, platform: oldFee }, 'the old escrow pays the fee it was created under')
      const newFee = amount * 2_500n / 10_000n
      assert.deepEqual(pay(fresh), { worker: amount - newFee, platform: newFee })
      assert.equal(oldFee, 700_000_000n)
      assert.equal(newFee, 1_750_000_000n)
    })

    it('a slash rate or a window changed after creation does not apply to the escrow: the old timeout slash, the old challenge window', () => {
      const w = new World().initialize()
      const worker = w.worker(minStake)
      const client = w.wallet(100n)
      const timeout = 3_600n
      const slow = w.escrow(client, worker, 1n, TOKEN, { timeoutSecs: timeout, estimatedSeconds: 600n })
      const delivered = w.escrow(client, worker, 2n, TOKEN)
      w.deliver(worker, delivered)
      // The admin then doubles the timeout slash and shortens the challenge window to a second.
      record('update_config', update(w, w.admin, { ...w.params, timeoutSlashBps: w.params.timeoutSlashBps * 2, challengeWindowSecs: 1n }))

      // The delivered job: a second later the claim is still refused (its own window is the old one)…
      w.ledger.warp(2n)
      const claim = claimPayment({ escrow: delivered, worker: worker.kp.publicKey, workerToken: worker.token }, w.pid)
      expectError(w.ledger.send([claim], [worker.kp]), 'ChallengeWindowOpen')
      // …and goes through once the old window has passed.
      w.ledger.warp(w.params.challengeWindowSecs)
      w.ledger.mustSend([claim], [worker.kp])

      // The slow job times out: slashed at the rate in force when it was created.
      w.ledger.warp(timeout)
      const { stake, adjustment } = w.node(worker.kp.publicKey)
      w.ledger.mustSend([timeoutRefund({ escrow: slow, worker: worker.kp.publicKey, clientToken: client.token, mint: w.mint }, w.pid)], [w.ledger.payer])
      assert.equal(stake - w.node(worker.kp.publicKey).stake, stake * BigInt(w.params.timeoutSlashBps) / 10_000n)
      assert.equal(w.node(worker.kp.publicKey).adjustment - adjustment, w.params.penaltyTimeout)
    })
  })

  describe('the treasury: only the governance key withdraws, to its own account', () => {
    /** A world whose platform and insurance vaults hold tokens (minted in as collected fees would be). */
    function funded (): { w: World, gov: Wallet, stranger: Wallet } {
      const w = new World().initialize()
      w.mintTo(PLATFORM(w), 50n * TOKEN)
      w.mintTo(INSURANCE(w), 20n * TOKEN)
      return { w, gov: w.wallet(0n), stranger: w.wallet(0n) }
    }

    it('a fresh wallet cannot take the governance key nor withdraw; the governance key moves only with both signatures', () => {
      const { w, gov, stranger } = funded()
      const before = balances(w, [gov.token, stranger.token])
      const take = (g: Wallet, to = g.token): ReturnType<World['ledger']['send']> =>
        w.ledger.send([withdrawTreasury({ governance: g.kp.publicKey, destination: to }, TOKEN, w.pid)], [g.kp])
      expectError(take(stranger), 'Unauthorized')
      const accomplice = w.ledger.fundedKeypair()
      expectError(w.ledger.send([setGovernance({ governance: stranger.kp.publicKey, newGovernance: accomplice.publicKey }, w.pid)], [stranger.kp, accomplice]), 'Unauthorized')
      // The governance key (the admin at first) cannot hand it to a key that does not sign.
      const half = withAccount(setGovernance({ governance: w.admin.publicKey, newGovernance: gov.kp.publicKey }, w.pid), 1, gov.kp.publicKey, { isSigner: false })
      expectError(w.ledger.send([half], [w.admin]), 'AccountNotSigner')
      // A Config of its own making (same bytes, governance = the stranger), not owned by the program.
      const real = w.ledger.account(configPda(w.pid).address)
      assert.ok(real)
      const forged = new Uint8Array(real.data)
      forged.set(stranger.kp.publicKey.toBytes(), 8 + 6 * 32) // Config.governance
      const fake = Keypair.generate().publicKey
      w.ledger.setAccount(fake, { ...real, data: forged, owner: SystemProgram.programId })
      expectError(w.ledger.send([withdrawTreasury({ governance: stranger.kp.publicKey, destination: stranger.token, config: fake }, TOKEN, w.pid)], [stranger.kp]), 'AccountOwnedByWrongProgram')
      assert.deepEqual(balances(w, [gov.token, stranger.token]), before, 'no token moved')

      const moved = record('set_governance', w.ledger.send([setGovernance({ governance: w.admin.publicKey, newGovernance: gov.kp.publicKey }, w.pid)], [w.admin, gov.kp]))
      assert.deepEqual(parseEvents(moved.logs).map((e) => e.name), ['GovernanceChanged'])
      assert.ok(w.config().governance.equals(gov.kp.publicKey))
      assert.ok(w.config().admin.equals(w.admin.publicKey), 'the admin role did not move')
      // The admin, no longer the governance key, cannot withdraw nor take the key back.
      const adminToken = w.ledger.createTokenAccount(w.mint, w.admin.publicKey)
      expectError(w.ledger.send([withdrawTreasury({ governance: w.admin.publicKey, destination: adminToken }, TOKEN, w.pid)], [w.admin]), 'Unauthorized')
      const adminSecond = w.ledger.fundedKeypair()
      expectError(w.ledger.send([setGovernance({ governance: w.admin.publicKey, newGovernance: adminSecond.publicKey }, w.pid)], [w.admin, adminSecond]), 'Unauthorized')
      assert.equal(w.ledger.tokenBalance(adminToken), 0n)
      assert.deepEqual(balances(w, [gov.token, stranger.token]), before, 'no token moved')
    })

    it('governance withdraws only from the platform and insurance vaults, only to its own CYXWIZ account, at most the balance; exactly the amount moves', () => {
      const { w, gov, stranger } = funded()
      w.ledger.mustSend([setGovernance({ governance: w.admin.publicKey, newGovernance: gov.kp.publicKey }, w.pid)], [w.admin, gov.kp])
      const worker = w.worker(minStake)
      const client = w.wallet(10n)
      const escrow = w.escrow(client, worker, 1n, TOKEN)
      const otherMint = w.ledger.createMint(w.mintAuthority.publicKey, 9)
      const govOtherMint = w.ledger.createTokenAccount(otherMint, gov.kp.publicKey)
      const before = balances(w, [gov.token, stranger.token, worker.token, escrowVaultPda(w.pid, escrow).address])
      const send = (a: Partial<Parameters<typeof withdrawTreasury>[0]>, amount: bigint): ReturnType<World['ledger']['send']> =>
        w.ledger.send([withdrawTreasury({ governance: gov.kp.publicKey, destination: gov.token, ...a }, amount, w.pid)], [gov.kp])

      expectError(send({ destination: stranger.token }, TOKEN), 'ConstraintTokenOwner')
      expectError(send({ destination: govOtherMint }, TOKEN), 'ConstraintTokenMint')
      expectError(send({ vault: vaultPda(w.pid, 'stake').address }, TOKEN), 'NotATreasuryVault')
      expectError(send({ vault: escrowVaultPda(w.pid, escrow).address }, TOKEN), 'NotATreasuryVault')
      expectError(send({}, 0n), 'ZeroAmount')
      expectError(send({}, 50n * TOKEN + 1n), 'InsufficientTreasury')
      expectError(send({ from: 'insurance' }, 20n * TOKEN + 1n), 'InsufficientTreasury')
      assert.deepEqual(balances(w, [gov.token, stranger.token, worker.token, escrowVaultPda(w.pid, escrow).address]), before, 'no token moved')

      const res = record('withdraw_treasury', send({}, 12n * TOKEN + 5n))
      const ev = parseEvents(res.logs)
      assert.deepEqual(ev.map((e) => e.name), ['TreasuryWithdrawn'])
      assert.equal(ev[0]?.data.amount, 12n * TOKEN + 5n)
      assert.equal(ev[0]?.data.remaining, 38n * TOKEN - 5n)
      w.ledger.mustSend([withdrawTreasury({ governance: gov.kp.publicKey, destination: gov.token, from: 'insurance' }, 20n * TOKEN, w.pid)], [gov.kp])
      assert.equal(w.ledger.tokenBalance(gov.token), 32n * TOKEN + 5n)
      assert.equal(w.ledger.tokenBalance(PLATFORM(w)), 38n * TOKEN - 5n)
      assert.equal(w.ledger.tokenBalance(INSURANCE(w)), 0n)
      assert.equal(w.ledger.tokenBalance(vaultPda(w.pid, 'stake').address), minStake, 'stakes untouched')
      assert.equal(w.ledger.tokenBalance(escrowVaultPda(w.pid, escrow).address), TOKEN, 'the escrow untouched')
      assert.equal(w.supply(), w.minted, 'nothing minted or burned')
      // The job still settles in full after the withdrawals.
      w.deliver(worker, escrow)
      w.ledger.mustSend([w.completeIx(client, worker, escrow)], [client.kp])
      assert.equal(w.ledger.tokenBalance(escrowVaultPda(w.pid, escrow).address), 0n)
    })
  })
})
