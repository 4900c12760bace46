/**
 * Reading what the chain says about workers' wallets (`ChainFacts`, declared by coordinator/):
 * their Node accounts, through any Solana JSON-RPC (`Connection`), one batched
 * `getMultipleAccounts` per 100 wallets, so a coordinator or a client checks many workers in one
 * round trip. Reads only: nothing here signs or sends a transaction.
 */
import { PublicKey, type Connection } from '@solana/web3.js'
import { CYXWIZ_PROGRAM_ID, NODE_STATUS, decodeNode, nodePda } from '../../chain/index.js'
import type { ChainFacts, ChainFactsReader } from '../../coordinator/index.js'
import { toHex } from '../../protocols/index.js'

/** Largest batch `getMultipleAccounts` takes on Solana clusters. */
const BATCH = 100

/** Reads the Node accounts of `wallets` (32-byte public keys); the result is keyed by wallet hex. */
export async function readChainFacts (connection: Connection, wallets: readonly Uint8Array[], programId: PublicKey = CYXWIZ_PROGRAM_ID, now = Math.floor(Date.now() / 1000)): Promise<Map<string, ChainFacts>> {
  const out = new Map<string, ChainFacts>()
  const unique = [...new Map(wallets.map((w) => [toHex(w), w])).values()]
  for (let i = 0; i < unique.length; i += BATCH) {
    const batch = unique.slice(i, i + BATCH)
    const infos = await connection.getMultipleAccountsInfo(batch.map((w) => nodePda(programId, new PublicKey(w)).address), 'confirmed')
    batch.forEach((w, j) => {
      const info = infos[j]
      let facts: ChainFacts = { registered: false, stake: 0n, reputation: 0, active: false, readAt: now }
      if (info != null && info.owner.equals(programId)) {
        try {
          const n = decodeNode(info.data)
          facts = {
            registered: true,
            stake: n.stake,
            reputation: n.reputation,
            active: n.status === NODE_STATUS.active && Number(n.suspendedUntil) <= now && n.unstakeRequested === 0,
            readAt: now
          }
        } catch {
          // not a Node account: as good as none
        }
      }
      out.set(toHex(w), facts)
    })
  }
  return out
}

/** `readChainFacts` through `connection`, as the coordinator's cache takes it. */
export function chainFactsReader (connection: Connection, programId: PublicKey = CYXWIZ_PROGRAM_ID): ChainFactsReader {
  return async (wallets, now) => await readChainFacts(connection, wallets, programId, now)
}
