/**
 * The two keys a peer holds, persisted in its data dir:
 * - the libp2p identity (`peer.key`, the protobuf encoding libp2p uses), whose public half is the
 *   peer id other nodes dial and which Noise authenticates;
 * - the wallet (`wallet.json`, Solana CLI format: a JSON array of the 64 secret-key bytes,
 *   seed ‖ public key), which signs every cyxwiz message and owns stake and escrow on-chain.
 * They are separate on purpose: the wallet can be reused from the Solana CLI (`--keypair`) and
 * never touches libp2p, and a peer id can be rotated without moving funds.
 */
import { generateKeyPairSync } from 'node:crypto'
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { wire } from '../../protocols/index.js'

export const PEER_KEY_FILE = 'peer.key'
export const WALLET_FILE = 'wallet.json'

/** Secrets are readable by their owner only. */
const SECRET_MODE = 0o600

async function exists (path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw e
  }
}

/**
 * Writes a secret so that it is never visible half-written or readable by others: a temporary file
 * created exclusively with mode 0600 (a umask can only narrow it) in the same directory, then
 * renamed over the target.
 */
export async function writeSecret (path: string, data: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 })
  const tmp = `${path}.${process.pid}.tmp`
  await writeFile(tmp, data, { mode: SECRET_MODE, flag: 'wx' })
  await rename(tmp, path)
}

/** Loads `<dir>/peer.key`, or creates an Ed25519 identity there if it is missing. */
export async function loadOrCreatePeerKey (dir: string): Promise<PrivateKey> {
  const path = join(dir, PEER_KEY_FILE)
  if (await exists(path)) {
    const bytes = await readFile(path)
    try {
      return privateKeyFromProtobuf(new Uint8Array(bytes))
    } catch (e) {
      throw new Error(`${path} is not a libp2p private key: ${e instanceof Error ? e.message : String(e)}`)
    }
  }
  const key = await generateKeyPair('Ed25519')
  await writeSecret(path, privateKeyToProtobuf(key))
  return key
}

/** A new Solana-style secret key: the 32-byte Ed25519 seed followed by the 32-byte public key. */
export function newWalletSecretKey (): Uint8Array {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  const seed = Buffer.from(privateKey.export({ format: 'jwk' }).d as string, 'base64url')
  const pub = Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url')
  return new Uint8Array(Buffer.concat([seed, pub]))
}

/** Parses a Solana CLI keypair file: a JSON array of exactly 64 byte values. */
export function parseSolanaKeypair (text: string, source = 'keypair'): Uint8Array {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new Error(`${source} is not JSON; a Solana keypair file is an array of 64 numbers`)
  }
  if (!Array.isArray(value) || value.length !== 64 || !value.every((n) => Number.isInteger(n) && n >= 0 && n <= 255)) {
    throw new Error(`${source} must be a JSON array of 64 numbers 0..255 (Solana CLI format)`)
  }
  return Uint8Array.from(value as number[])
}

export interface LoadedWallet {
  readonly signer: wire.WalletSigner
  /** Where the keypair lives; undefined for an in-memory wallet. */
  readonly path: string | undefined
  /** True when this call generated the keypair. */
  readonly created: boolean
}

/**
 * Loads the wallet from `path` (Solana CLI JSON), creating a fresh keypair there if the file is
 * missing. Without a path the wallet lives in memory only (tests, throwaway peers).
 */
export async function loadOrCreateWallet (path: string | undefined): Promise<LoadedWallet> {
  if (path === undefined) return { signer: wire.walletSignerFromSecretKey(newWalletSecretKey()), path, created: true }
  if (await exists(path)) {
    const secret = parseSolanaKeypair(await readFile(path, 'utf8'), path)
    return { signer: wire.walletSignerFromSecretKey(secret), path, created: false }
  }
  const secret = newWalletSecretKey()
  await writeSecret(path, JSON.stringify(Array.from(secret)))
  return { signer: wire.walletSignerFromSecretKey(secret), path, created: true }
}
