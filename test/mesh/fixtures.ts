/** Builders of valid wire messages and small waiting helpers for the mesh suites. */
import { randomBytes } from 'node:crypto'
import { MESH, wire } from '../../protocols/index.js'
import type { PeerNode } from '../../peer/node/index.js'

const { NumericMode, VerificationTier, Priority, GpuClass } = wire

export const profile = (): wire.DeterminismProfile => ({ runtime: 'onnxruntime-node', runtimeVersion: '1.30.0', backend: 'cpu', cpuClass: 'x86_64-fma' })

export const cpuHardware = (): wire.Hardware => ({ cpuCores: 2, ramGb: 8, gpuClass: GpuClass.GPU_NONE, gpuModel: '', vramGb: 0 })

export function spec (): wire.TrainingSpec {
  return {
    layers: [16, 32, 3],
    mode: NumericMode.FLOAT32,
    fracBits: 0,
    datasetId: 'spirals',
    datasetHash: new Uint8Array(32).fill(1),
    datasetBytes: 1024n,
    epochs: 3,
    batchSize: 32,
    learningRateMicros: 50_000,
    momentumMicros: 900_000,
    seed: 42n,
    tier: VerificationTier.TIER_OPTIMISTIC,
    stepsPerSegment: 0,
    backend: wire.FloatBackend.BACKEND_NATIVE
  }
}

export const newJobId = (): Uint8Array<ArrayBuffer> => Uint8Array.from(randomBytes(32))

/** A job announced by `client`, bids due within the protocol's bid window. */
export function jobAnnounce (client: PeerNode, jobId: Uint8Array<ArrayBuffer> = newJobId()): wire.JobAnnounce {
  const s = spec()
  const now = client.clock()
  return {
    jobId,
    specHash: Uint8Array.from(wire.specHash(s)),
    spec: s,
    maxPrice: 5_000_000_000n,
    estimatedSeconds: 600,
    priority: Priority.PRIORITY_NORMAL,
    clientPeerId: Uint8Array.from(client.peerId.toMultihash().bytes),
    clientAddrs: client.multiaddrs().slice(0, 4).map((a) => Uint8Array.from(a.bytes)),
    issuedAt: BigInt(now),
    bidDeadline: BigInt(now + MESH.bidWindowSeconds)
  }
}

export function bid (worker: PeerNode, jobId: Uint8Array<ArrayBuffer>, price: bigint, over: Partial<wire.Bid> = {}): wire.Bid {
  return {
    jobId,
    workerPeerId: Uint8Array.from(worker.peerId.toMultihash().bytes),
    price,
    etaSeconds: 600,
    stake: 50_000_000_000n,
    reputation: 0,
    issuedAt: BigInt(worker.clock()),
    profile: profile(),
    ...over
  }
}

export const signedBid = (worker: PeerNode, jobId: Uint8Array<ArrayBuffer>, price: bigint, over: Partial<wire.Bid> = {}): Uint8Array =>
  wire.signMessage(wire.Kind.BID, bid(worker, jobId, price, over), worker.wallet)

/** Flips one bit of the signature inside a signed envelope (its last 64 bytes are not always the
 * signature, so re-encode instead of poking at offsets). */
export function withBadSignature (signed: Uint8Array): Uint8Array {
  const env = wire.Signed.decode(signed)
  const signature = Uint8Array.from(env.signature)
  signature[0] = (signature[0] as number) ^ 1
  return wire.Signed.encode({ ...env, signature })
}

export const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

/** Polls `cond` every 20 ms until it holds, failing after `timeoutMs`. */
export async function until (cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(20)
  }
}
