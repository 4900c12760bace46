/**
 * Evidence as one file: a CARv1 with the manifest CID as its only root. Jurors and offline verifiers
 * pass these around; any IPFS implementation can import one.
 *
 * Import never trusts the file: the header and every block length are bounded before anything is
 * allocated (blocks are read at the offsets CarIndexer reports, not buffered by the streaming
 * reader), every block is re-hashed against its CID, and the evidence is then walked and validated
 * offline, so an import returns only when the whole bundle is present and sound.
 */
import { logger } from '@libp2p/logger'
import { createReadStream, createWriteStream } from 'node:fs'
import { open, rename, rm, stat } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { CarIndexer, CarWriter } from '@ipld/car'
import { varint } from 'multiformats'
import { CID } from 'multiformats/cid'
import { assertEvidenceCid, bytesEqual, DAG_CBOR_CODE, RAW_CODE, sha256Bytes } from './blocks.js'
import { EvidenceError } from './errors.js'
import { evidenceBlocks, pinEvidence, type EvidenceReader, type EvidenceStore } from './evidence.js'
import { EVIDENCE_LIMITS as L } from './limits.js'

const log = logger('cyx:storage:car')

/** A CAR header holds the version and the roots: one root needs well under this. */
const MAX_CAR_HEADER_BYTES = 64 * 1024

export interface CarSummary {
  readonly root: CID
  readonly blocks: number
  readonly bytes: number
}

/** Writes the evidence `cid` names (validated as it is read) to `path`; atomic via a rename. */
export async function exportCar (reader: EvidenceReader, cid: CID, path: string, options: { signal?: AbortSignal, offline?: boolean } = {}): Promise<CarSummary> {
  const partial = `${path}.partial`
  const { writer, out } = CarWriter.create([cid])
  const written = pipeline(Readable.from(out), createWriteStream(partial))
  let blocks = 0
  try {
    try {
      for await (const block of evidenceBlocks(reader, cid, options)) {
        await writer.put(block)
        blocks++
      }
    } finally {
      await writer.close()
    }
    await written
  } catch (err) {
    await written.catch((e: unknown) => { log.trace('writing the partial CAR failed: %s', e instanceof Error ? e.message : e) })
    await rm(partial, { force: true })
    throw err
  }
  await rename(partial, path)
  return { root: cid, blocks, bytes: (await stat(path)).size }
}

async function readExactly (file: Awaited<ReturnType<typeof open>>, length: number, position: number): Promise<Uint8Array> {
  const buffer = new Uint8Array(length)
  const { bytesRead } = await file.read(buffer, 0, length, position)
  if (bytesRead !== length) throw new EvidenceError('MALFORMED', 'the CAR file ends inside a block', 'car')
  return buffer
}

/**
 * Imports an evidence CAR into the store and returns its root (the evidence CID) once the whole
 * evidence validates offline. Pins it unless `pin` is false.
 */
export async function importCar (store: EvidenceStore, path: string, options: { pin?: boolean } = {}): Promise<CarSummary> {
  const size = (await stat(path)).size
  if (size > L.maxCarBytes) throw new EvidenceError('TOO_LARGE', `CAR of ${size} bytes (at most ${L.maxCarBytes})`, 'car')
  const file = await open(path, 'r')
  let root: CID
  let blocks = 0
  try {
    // The streaming decoder would buffer a header of any declared length: bound it first.
    const head = await readExactly(file, Math.min(16, size), 0)
    let headerLength: number
    try {
      headerLength = varint.decode(head)[0]
    } catch (err) {
      throw new EvidenceError('MALFORMED', 'not a CAR file', 'car', { cause: err })
    }
    if (headerLength > MAX_CAR_HEADER_BYTES) throw new EvidenceError('TOO_LARGE', `CAR header of ${headerLength} bytes`, 'car.header')

    let indexer: CarIndexer
    try {
      indexer = await CarIndexer.fromIterable(createReadStream(path))
    } catch (err) {
      throw new EvidenceError('MALFORMED', 'not a CAR file', 'car', { cause: err })
    }
    const roots = await indexer.getRoots()
    if (roots.length !== 1) throw new EvidenceError('INVALID_FIELD', `${roots.length} roots (evidence has exactly one)`, 'car.roots')
    root = CID.asCID(roots[0]) as CID
    assertEvidenceCid(root, DAG_CBOR_CODE, 'car.roots[0]')

    try {
      for await (const entry of indexer) {
        const field = `car.blocks[${blocks}]`
        if (entry.blockLength > L.maxBlockBytes) throw new EvidenceError('TOO_LARGE', `block of ${entry.blockLength} bytes`, field)
        const cid = CID.asCID(entry.cid) as CID
        assertEvidenceCid(cid, cid.code === RAW_CODE ? RAW_CODE : DAG_CBOR_CODE, field)
        const bytes = await readExactly(file, entry.blockLength, entry.blockOffset)
        if (!bytesEqual(sha256Bytes(bytes), cid.multihash.digest)) throw new EvidenceError('HASH_MISMATCH', `block ${cid.toString()} does not hash to its CID`, field)
        await store.blockstore.put(cid, bytes)
        blocks++
      }
    } catch (err) {
      if (err instanceof EvidenceError) throw err
      throw new EvidenceError('MALFORMED', 'the CAR file is corrupt', 'car', { cause: err })
    }
  } finally {
    await file.close()
  }
  // Complete and sound, or refused: walk the whole evidence without asking the network.
  for await (const _ of evidenceBlocks(store, root, { offline: true })) { /* each block is validated as it is read */ }
  if (options.pin !== false) await pinEvidence(store, root)
  return { root, blocks, bytes: size }
}
