/**
 * The `cyx` namespace of the private Kademlia DHT: which keys exist, and the validator and selector
 * every DHT server runs on records under them (on PUT from a remote peer and on every GET result).
 *
 * Keys: `/cyx/advert/<peer id, base58>` → an encoded `AdvertRecord`: the `Signed` envelope of that
 * peer's `CapabilityAdvert` (signed by its wallet, as `signMessage` produced it), countersigned by
 * the peer's own libp2p key. The wallet signature binds the advert to the wallet; the peer
 * signature, checked against the public key inside the key's peer id, binds it to the peer: a
 * record filed under another peer's id fails it whatever wallet signed the advert.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { MESH, wire } from '../../protocols/index.js'

const { Kind, WireError, equalBytes, openSigned, signingDomain, verifySignature } = wire

/** Largest advert record: a signed advert at its bound, the 64-byte peer signature and framing. */
export const MAX_ADVERT_RECORD_BYTES = MESH.maxSignedMessageBytes + 96
/** The domain the peer key's countersignature covers (not a wallet `Kind`: another key, another name). */
export const ADVERT_RECORD_DOMAIN = 'ADVERT_RECORD'

export const DHT_NAMESPACE = 'cyx'
const ADVERT_PREFIX = `/${DHT_NAMESPACE}/advert/`

/** Unix seconds; a parameter so tests can move time. */
export type Clock = () => number
export const systemClock: Clock = () => Math.floor(Date.now() / 1000)

const utf8 = new TextEncoder()
const fromUtf8 = new TextDecoder('utf-8', { fatal: true })

/** The DHT key of a peer's capability advert. */
export function advertKey (peerId: string): Uint8Array {
  return utf8.encode(`${ADVERT_PREFIX}${peerId}`)
}

/** The peer id a `cyx` advert key names; throws a WireError for any other key. */
function advertKeyPeer (key: Uint8Array): ReturnType<typeof peerIdFromString> {
  let text: string
  try {
    text = fromUtf8.decode(key)
  } catch {
    throw new WireError('INVALID_FIELD', 'DHT key is not UTF-8', 'key')
  }
  if (!text.startsWith(ADVERT_PREFIX)) throw new WireError('INVALID_FIELD', `unknown key in the ${DHT_NAMESPACE} namespace`, 'key')
  try {
    return peerIdFromString(text.slice(ADVERT_PREFIX.length))
  } catch {
    throw new WireError('INVALID_FIELD', 'DHT key does not end in a peer id', 'key')
  }
}

/** The bytes the peer key countersigns: the encoded wallet-signed advert, domain-separated. */
export function advertRecordSigningBytes (signedAdvert: Uint8Array): Uint8Array {
  return signingDomain(ADVERT_RECORD_DOMAIN, signedAdvert)
}

/** The DHT value for a wallet-signed advert and the peer key's signature of `advertRecordSigningBytes`. */
export function encodeAdvertRecord (signedAdvert: Uint8Array, peerSignature: Uint8Array): Uint8Array {
  return wire.AdvertRecord.encode({ advert: wire.Signed.decode(signedAdvert), peerSignature: Uint8Array.from(peerSignature) })
}

export interface OpenedAdvertRecord extends wire.Opened<wire.CapabilityAdvert> {
  /** The wallet-signed advert envelope inside the record, as `signMessage` produced it. */
  readonly signedAdvert: Uint8Array
}

/**
 * Opens an advert record: bounded and decoded; the peer signature must verify under the Ed25519
 * key of the peer id the DHT key names; the envelope inside must be a well-signed, fresh, valid
 * `CapabilityAdvert` (openSigned checks the wallet's signature) naming that same peer id.
 */
export function openAdvertRecord (key: Uint8Array, value: Uint8Array, now: number): OpenedAdvertRecord {
  const peer = advertKeyPeer(key)
  if (value.byteLength > MAX_ADVERT_RECORD_BYTES) throw new WireError('TOO_LARGE', `advert record of ${value.byteLength} bytes (at most ${MAX_ADVERT_RECORD_BYTES})`, 'record')
  let record: wire.AdvertRecord
  try {
    record = wire.AdvertRecord.decode(value)
  } catch (e) {
    throw new WireError('MALFORMED', `not an advert record: ${e instanceof Error ? e.message : String(e)}`, 'record')
  }
  if (record.advert === undefined) throw new WireError('INVALID_FIELD', 'the record carries no advert', 'advert')
  const signedAdvert = wire.Signed.encode(record.advert)
  const publicKey = peer.publicKey
  if (publicKey === undefined || publicKey.type !== 'Ed25519') throw new WireError('INVALID_FIELD', 'advert keys name Ed25519 peer ids (their key is inside)', 'key')
  if (!verifySignature(publicKey.raw, advertRecordSigningBytes(signedAdvert), record.peerSignature)) {
    throw new WireError('BAD_SIGNATURE', 'the record is not signed by the peer its DHT key names', 'peerSignature')
  }
  const opened = openSigned(signedAdvert, Kind.CAPABILITY_ADVERT, now)
  if (!equalBytes(opened.message.peerId, peer.toMultihash().bytes)) {
    throw new WireError('INVALID_FIELD', 'the advert names another peer than its DHT key', 'peerId')
  }
  return { ...opened, signedAdvert }
}

/** kad-dht validator for the `cyx` namespace: throws (a WireError) to refuse a record. */
export function cyxRecordValidator (clock: Clock): (key: Uint8Array, value: Uint8Array) => void {
  return (key, value) => { openAdvertRecord(key, value, clock()) }
}

/**
 * kad-dht selector for the `cyx` namespace: the newest valid advert wins (highest `issuedAt`; a tie
 * keeps the first seen). Invalid records lose to any valid one; kad-dht validates before selecting,
 * so they only reach here when all are invalid, and then index 0 is as good as any.
 */
export function cyxRecordSelector (clock: Clock): (key: Uint8Array, records: Uint8Array[]) => number {
  return (key, records) => {
    const now = clock()
    let best = 0
    let bestIssued = -1n
    records.forEach((r, i) => {
      try {
        const issued = openAdvertRecord(key, r, now).message.issuedAt
        if (issued > bestIssued) {
          best = i
          bestIssued = issued
        }
      } catch {
        // not a candidate
      }
    })
    return best
  }
}
