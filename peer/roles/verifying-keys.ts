/**
 * The admin's installation of the step circuit's verifying key on a ledger (`["vk",
 * PROOF.stepCircuitId]`), from the circuit build (circuits/build): what a local network's genesis
 * does so that zk-tier escrows can be created and paid. On a real cluster the key comes from the
 * multi-party ceremony (docs/proofs.md) and is set by governance; the development key is marked so.
 */
import type { Connection, Keypair } from '@solana/web3.js'
import { loadVerificationKey, toOnChainVerifyingKey } from '../../circuits/index.js'
import { CYXWIZ_PROGRAM_ID, decodeVerifyingKey, setVerifyingKey, verifyingKeyPda } from '../../chain/index.js'
import { PROOF } from '../../protocols/index.js'
import { sendTransaction } from './chain.js'

/** Installs the step circuit's key unless the ledger already holds exactly it; returns the signatures sent. */
export async function installStepVerifyingKey (connection: Connection, admin: Keypair, programId = CYXWIZ_PROGRAM_ID): Promise<string[]> {
  const key = toOnChainVerifyingKey(loadVerificationKey('checkpoint_step'))
  const info = await connection.getAccountInfo(verifyingKeyPda(programId, PROOF.stepCircuitId).address, 'confirmed')
  if (info !== null) {
    const held = decodeVerifyingKey(info.data)
    if (held.written === held.len && Buffer.from(held.data.subarray(0, held.len)).equals(Buffer.from(key))) return []
  }
  const out: string[] = []
  for (const ix of setVerifyingKey({ admin: admin.publicKey }, PROOF.stepCircuitId, key, undefined, programId)) out.push(await sendTransaction(connection, [ix], [admin]))
  return out
}
