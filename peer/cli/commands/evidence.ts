/**
 * `cyx evidence fetch|pin CID`: a dispute participant, juror or client fetches (and keeps) training
 * evidence by CID from whoever holds it — the peers named with --from, then every provider the DHT
 * names — with retries, progress and an honest outcome: fetched (0), unavailable (3, never a
 * judgement on the work), invalid (1). Optionally exports the evidence as a CAR.
 */
import { resolve } from 'node:path'
import { logger } from '@libp2p/logger'
import { parseCommandArgs, toJson, UsageError, type Command, type CommandIo } from '../command.js'
import { multiaddrs, NODE_OPTIONS } from './peer-common.js'
import { wholeArg } from './train.js'
import { within } from '../../../protocols/race.js'

/** Exit codes: every block fetched / a block invalid / some block unavailable from every holder. */
export const EVIDENCE_EXIT = { fetched: 0, invalid: 1, unavailable: 3 } as const

const DEFAULT_STORE = 'cyx-evidence'
/** How long the fetching peer is given to stop once the answer is known. */
const STOP_BOUND_MS = 10_000
const log = logger('cyx:cli:evidence')

const usage = `Usage: cyx evidence fetch CID [--from MADDR]... [--bootstrap MADDR]... [--store DIR]
                         [--car FILE] [--attempts N] [--timeout S] [--json]
       cyx evidence pin CID   (the same options)

Fetches every block of the evidence CID into the store over bitswap, validating each as it
arrives (bounds, hashes, the manifest, every state against its hash). Each attempt first connects
to the --from peers (e.g. the worker that delivered it), then to every provider the mesh's DHT
names (found through the --bootstrap peers); blocks already fetched are kept between attempts.
"pin" also pins the evidence in the store so garbage collection never drops it.

  --from MADDR       a peer known to hold the evidence (repeatable), with its /p2p/ id
  --bootstrap MADDR  a peer of the mesh to join for the DHT lookup (repeatable)
  --store DIR        the evidence store (a peer store directory; default ./${DEFAULT_STORE})
  --car FILE         also write the evidence as a CAR file (atomic)
  --attempts N       1..20 (default 4), with backoff 1, 2, 4, 8 s between them
  --timeout S        seconds per attempt, 1..3600 (default 30)
  --json             one JSON object: status, blocks, bytes, attempts, peers reached, reasons
  -h, --help

Exit status: 0 fetched (and pinned), 1 the evidence is invalid (its blocks arrived and are bad),
3 unavailable (no holder served every block: not a verdict on the work), 2 bad arguments.`

async function run (argv: string[], io: CommandIo): Promise<number> {
  const [sub, ...rest] = argv
  if (sub !== 'fetch' && sub !== 'pin') throw new UsageError(sub === undefined ? 'say fetch or pin' : `unknown sub-command "${sub}" (fetch or pin)`)
  const { values, positionals } = parseCommandArgs(rest, {
    from: { type: 'string', multiple: true },
    bootstrap: NODE_OPTIONS.bootstrap,
    store: { type: 'string' },
    car: { type: 'string' },
    attempts: { type: 'string' },
    timeout: { type: 'string' },
    json: { type: 'boolean' }
  }, true)
  if (positionals.length !== 1) throw new UsageError(`${sub} takes one CID`)
  const { CID } = await import('multiformats/cid')
  let cid: InstanceType<typeof CID>
  try {
    cid = CID.parse(positionals[0] as string)
  } catch {
    throw new UsageError(`${JSON.stringify(positionals[0])} is not a CID`)
  }
  const from = multiaddrs(values.from, 'from')
  const bootstrap = multiaddrs(values.bootstrap, 'bootstrap')
  const attempts = wholeArg('attempts', values.attempts, 4, 1, 20)
  const timeoutS = wholeArg('timeout', values.timeout, 30, 1, 3600)
  const json = values.json === true
  const store = resolve(values.store ?? DEFAULT_STORE)
  const car = values.car === undefined ? undefined : resolve(values.car)

  const [{ createPeerNode, evidenceFetchComponents }, { fetchEvidence }, storage] = await Promise.all([
    import('../../node/index.js'), import('../../evidence/index.js'), import('../../../storage/index.js')
  ])
  const peerStore = await storage.openPeerStore(store)
  // Keys in memory: this peer only fetches; its blocks live in --store.
  const node = await createPeerNode({ store: peerStore, listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap })
  const abort = new AbortController()
  const interrupt = (): void => { abort.abort(new Error('interrupted')) }
  process.once('SIGINT', interrupt)
  let lastReport = 0
  try {
    if (!json) io.err(`fetching ${cid.toString()} into ${store}…`)
    const result = await fetchEvidence(evidenceFetchComponents(node), cid, {
      holders: from.map((a) => ({ addrs: [a] })),
      attempts,
      attemptTimeoutMs: timeoutS * 1000,
      signal: abort.signal,
      onProgress: ({ blocks, bytes }) => {
        if (json || Date.now() - lastReport < 1000) return
        lastReport = Date.now()
        io.err(`  ${blocks} blocks, ${(bytes / 1e6).toFixed(2)} MB`)
      },
      onRetry: ({ attempt, reason, waitMs }) => { if (!json) io.err(`  attempt ${attempt} failed (${reason}); again in ${waitMs / 1000} s`) }
    })
    let pinned = false
    let carSummary: { path: string, blocks: number, bytes: number } | undefined
    if (result.status === 'fetched') {
      if (sub === 'pin') {
        await storage.pinEvidence(node.helia, cid)
        pinned = true
      }
      if (car !== undefined) {
        const s = await storage.exportCar(node.helia, cid, car, { offline: true })
        carSummary = { path: car, blocks: s.blocks, bytes: s.bytes }
      }
    }
    const report = { ...result, store, pinned, ...(carSummary === undefined ? {} : { car: carSummary }) }
    if (json) io.out(toJson(report))
    else if (result.status === 'fetched') {
      io.out(`fetched ${result.cid}: ${result.blocks} blocks, ${result.bytes} bytes in ${result.attempts} attempt(s)${pinned ? '; pinned' : ''}${carSummary === undefined ? '' : `; CAR ${carSummary.path} (${carSummary.bytes} bytes)`}`)
    } else {
      io.out(`UNAVAILABLE ${result.cid}: no holder served every block after ${result.attempts} attempt(s) (${result.blocks} blocks fetched in the last); this is not a verdict on the work`)
      for (const r of result.reasons.slice(-8)) io.out(`  ${r}`)
    }
    return EVIDENCE_EXIT[result.status]
  } catch (e) {
    if (storage.isEvidenceError(e)) {
      const reason = `the evidence is invalid: ${e.message}`
      if (json) io.out(toJson({ status: 'invalid', cid: cid.toString(), code: e.code, reason, store }))
      else io.out(`INVALID ${cid.toString()}: ${reason}`)
      return EVIDENCE_EXIT.invalid
    }
    throw e
  } finally {
    process.off('SIGINT', interrupt)
    // The answer is known: a peer that is slow to close (a dial or query that does not listen to
    // its abort) must not hold it back past a bound; it is logged and left to the process's exit.
    const stopped = await within(node.stop().then(async () => { await peerStore.close() }), STOP_BOUND_MS, {
      onLate: (late) => { log('the fetching peer stopped %s after the bound', late.kind === 'rejected' ? `with an error (${String(late.error)})` : 'cleanly') }
    })
    if (!stopped.done) log.error('the fetching peer did not stop within %d ms; going on', STOP_BOUND_MS)
  }
}

export const evidenceCommand: Command = { name: 'evidence', usage, run }
