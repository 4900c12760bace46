/**
 * Job facts as the job book stores them (peer/roles/jobs.ts, worker/facts.ts): written in one place,
 * read in one place, and an escrow read the same from either encoding a record holds (base58 in the
 * client's records, hex in the worker's).
 */
import assert from 'node:assert/strict'
import { Keypair } from '@solana/web3.js'
import { toHex } from '../../../protocols/index.js'
import { escrowFact, workerFactsOf, workerFactsRecord } from '../../../peer/roles/index.js'

describe('roles: job facts', () => {
  const escrow = Keypair.generate().publicKey

  it('reads an escrow from base58 and from hex as the same key', () => {
    assert.ok(escrowFact(escrow.toBase58())!.equals(escrow))
    assert.ok(escrowFact(toHex(escrow.toBytes()))!.equals(escrow))
    assert.ok(escrowFact(toHex(escrow.toBytes()).toUpperCase())!.equals(escrow))
  })

  const malformed: Array<[string, string | undefined]> = [
    ['absent', undefined],
    ['empty', ''],
    ['hex one byte short', 'ab'.repeat(31)],
    ['hex with a bad digit', 'g' + 'a'.repeat(63)],
    ['base58 with a character outside the alphabet (0)', '0' + escrow.toBase58().slice(1)],
    ['base58 too long for 32 bytes', escrow.toBase58() + escrow.toBase58().slice(0, 8)],
    ['words', 'the escrow']
  ]
  for (const [what, text] of malformed) {
    it(`reads a malformed escrow (${what}) as absent`, () => { assert.equal(escrowFact(text), undefined) })
  }

  it('writes what it reads back: a worker record round-trips', () => {
    const client = new Uint8Array(32).fill(7)
    const weightsHash = new Uint8Array(32).fill(9)
    const written = workerFactsRecord({ client, from: '12D3KooWpeer', escrow, amount: 5_000_000n, clientAddrs: ['/ip4/127.0.0.1/tcp/1', '/ip4/127.0.0.1/tcp/2'], tier: 'zk', evidenceCid: 'bafy', weightsHash, root: new Uint8Array(32).fill(1) })
    // The stored form: strings, the escrow in base58 as the client's records hold it.
    assert.equal(written.escrow, escrow.toBase58())
    assert.equal(written.amount, '5000000')
    assert.equal(written.clientAddrs, '/ip4/127.0.0.1/tcp/1 /ip4/127.0.0.1/tcp/2')
    assert.equal(written.root, '01'.repeat(32))
    const read = workerFactsOf(written)
    assert.equal(read.client, toHex(client))
    assert.equal(read.from, '12D3KooWpeer')
    assert.ok(read.escrow!.equals(escrow))
    assert.equal(read.amount, 5_000_000n)
    assert.deepEqual(read.clientAddrs, ['/ip4/127.0.0.1/tcp/1', '/ip4/127.0.0.1/tcp/2'])
    assert.equal(read.tier, 'zk')
    assert.equal(read.evidenceCid, 'bafy')
    assert.deepEqual(read.weightsHash, weightsHash)
  })

  it('reads a worker record written before the switch (escrow as hex) the same, with no migration', () => {
    const base58Record = workerFactsRecord({ escrow, amount: 1n })
    const hexRecord = { ...base58Record, escrow: toHex(escrow.toBytes()) }
    assert.ok(workerFactsOf(base58Record).escrow!.equals(workerFactsOf(hexRecord).escrow!))
  })

  it('writes only the facts given (a later step adds to the record)', () => {
    assert.deepEqual(workerFactsRecord({}), {})
    assert.deepEqual(Object.keys(workerFactsRecord({ tier: 'optimistic', evidenceCid: 'bafy' })), ['tier', 'evidenceCid'])
  })
})
