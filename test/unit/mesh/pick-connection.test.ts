/**
 * `pickConnection` (peer/node/streams.ts): which of a peer's connections our streams go on. Pure,
 * on the facts it reads (status, limits, remote address, opening time), table-tested.
 */
import assert from 'node:assert/strict'
import { multiaddr } from '@multiformats/multiaddr'
import { pickConnection, type ConnectionFacts } from '../../../peer/node/index.js'

const DIRECT = '/ip6/3fff:c0::1/tcp/4002'
const RELAYED = '/ip6/3fff:c0::2/tcp/4001/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN/p2p-circuit'

interface Fake extends ConnectionFacts { readonly name: string }
const conn = (name: string, open: number, o: { addr?: string, status?: ConnectionFacts['status'], limited?: boolean } = {}): Fake => ({
  name,
  status: o.status ?? 'open',
  limits: o.limited === true ? { bytes: 1n << 17n, seconds: 120 } : undefined,
  remoteAddr: multiaddr(o.addr ?? DIRECT),
  timeline: { open }
})

describe('unit: pickConnection, the connection our streams go on', () => {
  const table: Array<[string, Fake[], string | undefined]> = [
    ['none: to be dialled', [], undefined],
    ['the one open', [conn('a', 1)], 'a'],
    // An AutoNAT v2 dial-back (or a simultaneous dial's loser) is always the younger: libp2p's
    // own choice alternates between it and the older one.
    ['two direct: the oldest, in either order', [conn('dialback', 20), conn('kept', 10)], 'kept'],
    ['three direct: the oldest', [conn('b', 20), conn('a', 10), conn('c', 30)], 'a'],
    ['a closing or closed one is skipped', [conn('old', 1, { status: 'closing' }), conn('gone', 2, { status: 'closed' }), conn('new', 3)], 'new'],
    ['direct before relayed, however old the relayed one', [conn('relayed', 1, { addr: RELAYED }), conn('direct', 9)], 'direct'],
    ['a relayed one without limits when none is direct', [conn('relayed', 1, { addr: RELAYED })], 'relayed'],
    ['a limited one never: none of our protocols runs on it', [conn('limited', 1, { addr: RELAYED, limited: true })], undefined],
    ['limited skipped, the unlimited taken', [conn('limited', 1, { limited: true }), conn('free', 5)], 'free']
  ]
  for (const [what, conns, expected] of table) {
    it(what, () => {
      assert.equal(pickConnection(conns)?.name, expected)
      assert.equal(pickConnection([...conns].reverse())?.name, expected, 'whatever the list order')
    })
  }

  it('does not reorder the list it is given (libp2p sorts its own list in place)', () => {
    const conns = [conn('b', 20), conn('a', 10)]
    pickConnection(conns)
    assert.deepEqual(conns.map((c) => c.name), ['b', 'a'])
  })
})
