/**
 * The `cyx` namespace of the private Kademlia DHT: which keys exist, and the validator and selector
 * every DHT server runs on records under them (on PUT from a remote peer and on every GET result).
 *
 * Keys: `/cyx/advert/<peer id, base58>` → the encoded `Signed` envelope of that peer's
 * `CapabilityAdvert`, as `signMessage` produced it.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { wire } from '../../protocols/index.js'

const { Kind, WireError, equalBytes, openSigned } = wire

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

/** The peer id a `cyx` advert key names, as its binary multihash; throws a WireError for any other key. */
function advertKeyPeer (key: Uint8Array): Uint8Array {
  let text: string
  try {
    text = fromUtf8.decode(key)
  } catch {
    throw new WireError('INVALID_FIELD', 'DHT key is not UTF-8', 'key')
  }
  if (!text.startsWith(ADVERT_PREFIX)) throw new WireError('INVALID_FIELD', `unknown key in the ${DHT_NAMESPACE} namespace`, 'key')
  try {
    return peerIdFromString(text.slice(ADVERT_PREFIX.length)).toMultihash().bytes
  } catch {
    throw new WireError('INVALID_FIELD', 'DHT key does not end in a peer id', 'key')
  }
}

/**
 * Opens an advert record: the envelope must be a well-signed, fresh, valid `CapabilityAdvert`
 * (openSigned checks the wallet's Ed25519 signature) and the peer id inside must be the one the key
 * names, so a record cannot be filed under another peer's key.
 */
export function openAdvertRecord (key: Uint8Array, value: Uint8Array, now: number): wire.Opened<wire.CapabilityAdvert> {
  const peer = advertKeyPeer(key)
  const opened = openSigned(value, Kind.CAPABILITY_ADVERT, now)
  if (!equalBytes(opened.message.peerId, peer)) {
    throw new WireError('INVALID_FIELD', 'the advert names another peer than its DHT key', 'peerId')
  }
  return opened
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
