/**
 * Ed25519 signatures by wallets (a Solana keypair is an Ed25519 keypair), with node:crypto.
 * Every signature is domain-separated: it covers "cyxwiz/v1/" ‖ kind ‖ 0x00 ‖ body, so a
 * signature made for one kind of message (or another protocol) never verifies as another.
 */
import { createPrivateKey, createPublicKey, sign as edSign, verify as edVerify, type KeyObject } from 'node:crypto'

export interface WalletSigner {
  /** 32-byte Ed25519 public key: the wallet's address bytes. */
  readonly publicKey: Uint8Array
  sign (data: Uint8Array): Uint8Array
}

const b64url = (b: Uint8Array): string => Buffer.from(b).toString('base64url')

/** A signer from a Solana CLI secret key: 64 bytes, the 32-byte seed followed by the public key. */
export function walletSignerFromSecretKey (secretKey: Uint8Array): WalletSigner {
  if (secretKey.byteLength !== 64) throw new Error(`a wallet secret key is 64 bytes (got ${secretKey.byteLength})`)
  const seed = secretKey.subarray(0, 32)
  const publicKey = Uint8Array.from(secretKey.subarray(32))
  const key: KeyObject = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: b64url(seed), x: b64url(publicKey) }, format: 'jwk' })
  // The secret key carries its public half; check they belong together rather than trust it.
  const derived = createPublicKey(key).export({ format: 'jwk' }).x
  if (derived !== b64url(publicKey)) throw new Error('wallet secret key is inconsistent: its public half does not match its seed')
  return { publicKey, sign: (data) => new Uint8Array(edSign(null, data, key)) }
}

/** True when `signature` is `publicKey`'s Ed25519 signature of `data`; false for any malformed input. */
export function verifySignature (publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.byteLength !== 32 || signature.byteLength !== 64) return false
  try {
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: b64url(publicKey) }, format: 'jwk' })
    return edVerify(null, data, key, signature)
  } catch {
    return false
  }
}

/** The bytes a signature of kind `kind` covers. */
export function signingDomain (kind: string, body: Uint8Array): Uint8Array {
  const prefix = new TextEncoder().encode(`cyxwiz/v1/${kind}\u0000`)
  const out = new Uint8Array(prefix.byteLength + body.byteLength)
  out.set(prefix, 0)
  out.set(body, prefix.byteLength)
  return out
}
