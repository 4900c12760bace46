/** The job state machines persist in the peer database, and the dataset codec is strict. */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { wire, toHex } from '../../../protocols/index.js'
import { decodeDataset, encodeDataset } from '../../../peer/job/index.js'
import { IllegalTransitionError, JobBook } from '../../../peer/roles/index.js'
import { generateSpirals } from '../../../peer/train/index.js'
import { openPeerStore } from '../../../storage/index.js'

describe('roles: job state machines in level', () => {
  let dir: string
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'cyx-jobs-')) })
  after(async () => { await rm(dir, { recursive: true, force: true }) })

  it('a reopened store knows where each job was, and only legal transitions happen', async () => {
    let store = await openPeerStore(dir)
    let book = JobBook.worker(store)
    await book.open('a', 'accepted', { amount: '1000000000' })
    await book.transition('a', 'training')
    await book.open('b', 'accepted')
    await book.transition('b', 'failed', {}, 'the client went away')
    await assert.rejects(book.transition('b', 'training'), IllegalTransitionError)
    await assert.rejects(book.transition('a', 'accepted'), IllegalTransitionError)
    await assert.rejects(book.open('a', 'accepted'), /already has a worker record/)
    await store.close()

    store = await openPeerStore(dir)
    book = JobBook.worker(store)
    const a = await book.get('a')
    assert.equal(a?.state, 'training')
    assert.equal(a?.facts.amount, '1000000000')
    assert.equal((await book.get('b'))?.error, 'the client went away')
    assert.deepEqual((await book.unfinished()).map((r) => r.jobId), ['a'])
    // Client and worker records of the same job id do not collide.
    assert.equal(await JobBook.client(store).get('a'), undefined)
    await store.close()
  })
})

describe('job protocol: the dataset as it travels', () => {
  const spirals = generateSpirals()

  it('is the canonical encoding: its SHA-256 is the content hash, and it decodes to the same dataset', () => {
    const bytes = encodeDataset(spirals)
    assert.equal(toHex(wire.sha256(bytes)), spirals.contentHash)
    const back = decodeDataset('spirals', bytes)
    assert.equal(back.contentHash, spirals.contentHash)
    assert.equal(back.train.count, spirals.train.count)
  })

  it('refuses truncated, mislabelled or foreign bytes with a WireError', () => {
    const bytes = encodeDataset(spirals)
    const isMalformed = (e: unknown): boolean => wire.isWireError(e) && e.code === 'MALFORMED'
    assert.throws(() => decodeDataset('spirals', bytes.subarray(0, bytes.byteLength - 1)), isMalformed)
    assert.throws(() => decodeDataset('spirals', new Uint8Array(64)), isMalformed)
    const badLabel = Uint8Array.from(bytes)
    badLabel[badLabel.byteLength - 1] = 200
    assert.throws(() => decodeDataset('spirals', badLabel), isMalformed)
    const huge = Uint8Array.from(bytes)
    new DataView(huge.buffer).setUint32(18 + 8, 0xffff_ffff, true) // train row count
    assert.throws(() => decodeDataset('spirals', huge), isMalformed)
  })
})
