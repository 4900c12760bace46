import { randomBytes } from 'node:crypto'
import { createPeerNode } from './peer/node/index.js'
import { putDataset, fetchDataset, type TensorDataset } from './storage/index.js'
const mib = 24
function ds (): TensorDataset {
  const row = 784; const rows = Math.floor(mib * 1024 * 1024 / row)
  const x = Uint8Array.from(randomBytes(rows * row))
  return { sampleShape: [1, 28, 28], dtype: 'uint8', normalize: 'unit', task: { kind: 'classification', classCount: 10 }, train: { count: rows - 100, x: x.subarray(0, (rows - 100) * row), y: new Int32Array(rows - 100) }, test: { count: 100, x: x.subarray((rows - 100) * row), y: new Int32Array(100) } }
}
const client = await createPeerNode({})
const worker = await createPeerNode({ bootstrap: client.multiaddrs() })
await client.libp2p.dial(worker.peerId)
const out: Record<string, number[]> = {}
for (let r = 0; r < 2; r++) {
  for (const mode of ['plain', 'session']) {
    const ref = await putDataset(client.helia.blockstore, ds())
    const t0 = performance.now()
    const blocks = mode === 'plain' ? worker.helia.blockstore : worker.helia.blockstore.createSession(ref.root, { signal: AbortSignal.timeout(120_000), providers: [client.multiaddrs()] } as any)
    await fetchDataset(blocks as any, ref.root, { expectedSha256: ref.sha256 })
    ;(out[mode] ??= []).push(Math.round(ref.bytes / 1e6 / ((performance.now() - t0) / 1000) * 10) / 10)
  }
}
console.log(JSON.stringify(out))
await Promise.all([client.stop(), worker.stop()])
process.exit(0)
