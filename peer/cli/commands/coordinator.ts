/**
 * `cyx coordinator`: the optional matchmaker (coordinator/) on a peer node built here, handed to it
 * with the chain reads and the award policy as a `CoordinatorHost` (peer/match); and
 * `cyx coordinator status`.
 */
import { homedir } from 'node:os'
import { join } from 'node:path'
import { parseCommandArgs, UsageError, type Command, type CommandIo, untilSignal } from '../command.js'
import { NODE_OPTIONS, NODE_USAGE, nodeNetwork, startNode } from './peer-common.js'

const DEFAULT_DIR = join(homedir(), '.cyx', 'coordinator')
const DEFAULT_RPC = 'http://127.0.0.1:8899'

const USAGE = `Usage: cyx coordinator [--dir DIR] [--listen MADDR]... [--announce MADDR]... [--rpc URL]
                       [--bootstrap MADDR]... [--bootstrap-file PATH] [--json]
       cyx coordinator status [--dir DIR] [--json]

Serves fast matchmaking for the mesh: indexes signed capability adverts (workers register on
/cyx/coordinator/register/1.0.0, or are found in the DHT) and job announcements, reads stake and
reputation from the ledger (cached), and answers /cyx/match/1.0.0 with a signed ranking of
workers together with their own signed adverts. It holds no funds, signs nothing financial and
needs no on-chain account; clients check every answer and fall back to the mesh without it.
Ctrl-C stops it cleanly.

"status" prints what the coordinator in DIR last reported: peers indexed, jobs matched, match
latency (p50/p95), whether it is running.

Options:
  --dir DIR          data dir: keys, the index (coordinator.db), status.json, known peers
                     (default ~/.cyx/coordinator)
  --rpc URL          Solana JSON-RPC to read stake from (default ${DEFAULT_RPC})
${NODE_USAGE}
  --json             one JSON line when ready (serve) / the status as JSON (status)
  -h, --help`

async function status (argv: string[], io: CommandIo): Promise<number> {
  const { values } = parseCommandArgs(argv, { dir: { type: 'string' }, json: { type: 'boolean' } })
  const dir = values.dir ?? DEFAULT_DIR
  const { readStatus } = await import('../../../coordinator/index.js')
  const s = await readStatus(dir)
  if (s === undefined) {
    io.err(`cyx coordinator status: no coordinator has run in ${dir} (no status.json)`)
    return 1
  }
  if (values.json === true) {
    io.out(JSON.stringify(s))
    return 0
  }
  const ms = (v: number | null): string => (v === null ? '-' : `${v} ms`)
  io.out([
    `coordinator ${s.peerId}: ${s.running ? `running (pid ${s.pid})` : 'stopped'}, last update ${s.updatedAt}`,
    `listening     ${s.addrs.join(', ') || '-'}`,
    `peers indexed ${s.peersIndexed} (${s.peersStaked} with active stake)`,
    `jobs          ${s.jobsSeen} seen, ${s.jobsMatched} matched`,
    `registrations ${s.registrations} accepted, ${s.refused} requests refused`,
    `match latency p50 ${ms(s.matchLatencyMs.p50)}, p95 ${ms(s.matchLatencyMs.p95)} (${s.matchLatencyMs.samples} samples)`
  ].join('\n'))
  return 0
}

async function serve (argv: string[], io: CommandIo): Promise<number> {
  const { values } = parseCommandArgs(argv, {
    dir: { type: 'string' },
    rpc: { type: 'string' },
    ...NODE_OPTIONS,
    json: { type: 'boolean' }
  })
  const dir = values.dir ?? DEFAULT_DIR
  const rpc = values.rpc ?? DEFAULT_RPC
  let rpcUrl: URL
  try {
    rpcUrl = new URL(rpc)
  } catch {
    throw new UsageError(`--rpc must be a URL (got ${rpc})`)
  }
  await nodeNetwork(values) // checks the network flags before anything starts
  const { Connection } = await import('@solana/web3.js')
  const { coordinatorHost } = await import('../../match/index.js')
  const { Coordinator } = await import('../../../coordinator/index.js')

  const connection = new Connection(rpcUrl.toString(), 'confirmed')
  try {
    await connection.getSlot()
  } catch (e) {
    io.err(`cyx coordinator: the ledger at ${rpc} does not answer (${e instanceof Error ? e.message : String(e)}); start one with "cyx chain" or pass --rpc`)
    return 1
  }
  // Clients and workers dial a coordinator: it takes no relay reservation (run it where it can be
  // dialled, with --announce for a public address).
  const node = await startNode({ ...values, dir }, { reserveRelay: false })
  let coordinator
  try {
    coordinator = await Coordinator.start({ host: coordinatorHost(node, { connection }), dir })
  } catch (e) {
    await node.stop()
    throw e
  }
  const addrs = node.multiaddrs().map((a) => a.toString())
  if (values.json === true) io.out(JSON.stringify({ peerId: node.peerId.toString(), addrs, dir, rpc }))
  else io.out(`cyx coordinator: ${node.peerId.toString()} matching on ${addrs.join(', ')} (ledger ${rpc}, index ${dir}). Ctrl-C to stop.`)
  await untilSignal()
  const last = coordinator.status()
  await coordinator.stop()
  await node.stop()
  if (values.json !== true) io.out(`cyx coordinator: stopped (${last.peersIndexed} peers indexed, ${last.jobsMatched} jobs matched)`)
  return 0
}

export const coordinatorCommand: Command = {
  name: 'coordinator',
  usage: USAGE,
  async run (argv, io) {
    if (argv[0] === 'status') return await status(argv.slice(1), io)
    return await serve(argv, io)
  }
}
