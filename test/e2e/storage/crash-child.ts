/**
 * Child process of the crash test: starts a run's evidence, appends `count` checkpoints, then kills
 * itself with SIGKILL, closing nothing. Usage: crash-child.ts <data dir> <run id> <count>
 */
import { createPeerHelia, EvidenceWriter, openPeerStore } from '../../../storage/index.js'
import { fakeRun, INIT } from '../../fixtures/storage.js'

const [dir, runId, count] = process.argv.slice(2)
if (dir === undefined || runId === undefined || !/^\d+$/.test(count ?? '')) {
  console.error('usage: crash-child.ts <data dir> <run id> <count>')
  process.exit(2)
}
const store = await openPeerStore(dir)
const helia = await createPeerHelia(store)
const writer = await EvidenceWriter.begin(helia, INIT, { drafts: store.evidenceDrafts, runId, chunkBytes: 4096 })
for (const c of fakeRun(Number(count))) await writer.appendCheckpoint(c)
process.kill(process.pid, 'SIGKILL')
