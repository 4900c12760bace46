/**
 * The embedded ledger as the six calls a deployment makes (chain/loader `DeployRpc`), in process:
 * the same transactions `cyx program deploy` sends over JSON-RPC, without HTTP in between, so a
 * local network's genesis (`cyx chain --genesis`, `cyx sim`) deploys the program through the real
 * loader at little cost. A transaction that executes and fails throws, as a preflight would.
 */
import { PublicKey, type AccountInfo } from '@solana/web3.js'
import type { DeployRpc } from '../loader/deploy.js'
import { LedgerError, type EmbeddedLedger } from './ledger.js'

export function ledgerDeployRpc (ledger: EmbeddedLedger): DeployRpc {
  return {
    getAccountInfo: async (key): Promise<AccountInfo<Buffer> | null> => {
      const a = ledger.getAccount(key.toBase58())
      return a === null ? null : { lamports: Number(a.lamports), owner: new PublicKey(a.owner), data: Buffer.from(a.data), executable: a.executable }
    },
    getMinimumBalanceForRentExemption: async (bytes) => Number(ledger.minimumBalanceForRentExemption(bytes)),
    getBalance: async (key) => Number(ledger.getAccount(key.toBase58())?.lamports ?? 0n),
    getLatestBlockhash: async () => ledger.latestBlockhash(),
    sendRawTransaction: async (raw) => {
      const r = ledger.send(raw)
      if (r.err !== null) throw new LedgerError(`transaction ${r.signature} failed: ${JSON.stringify(r.err)}\n${r.logs.join('\n')}`)
      return r.signature
    },
    confirmTransaction: async ({ signature }) => {
      const r = ledger.getTransaction(signature)
      if (r === undefined) throw new LedgerError(`transaction ${signature} is not on this ledger`)
      return { context: { slot: r.slot }, value: { err: r.err } }
    }
  }
}
