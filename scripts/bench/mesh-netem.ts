/**
 * The mesh bench across a real, impaired link (issue 18: "the dataset and weights paths reach
 * ≥ 90 % of the link rate on the 20 Mbit/s netem link"), the `netem` part of scripts/bench/mesh.ts.
 *
 * Two hosts of the multi-host harness (test/e2e/net/netns: network namespaces; the rate by `tbf`,
 * delay and loss by its userspace netem, netem.py, in the worker's NAT router: these kernels have
 * no netem qdisc) — the `client` public, the `worker` behind NAT on the impaired link, as in
 * test/e2e/net/netem-job.test.ts — each running a cyx peer node (mesh-netem-peer.ts) in its own
 * namespace. Per link condition, fresh namespaces' peers (the connection crosses the link from its
 * first packet), the worker dials the client, then best of `repeats`, the paths interleaved, the
 * SAME payload (derived from one seed by both ends) on each:
 * - `tcp`: a plain TCP socket, worker → client: the link rate as achieved;
 * - `libp2pRaw`: a bare libp2p stream (TCP + Noise + yamux, no framing), worker → client;
 * - `weights`: the weights path, /cyx/job frames (`JobChannel`, `chunkPayload`,
 *   `PayloadAssembler`, the whole checked against its hash), worker → client;
 * - `dataset`: a built-in dataset's path, the same frames client → worker.
 * Each leg is timed from the sender's first write to the receiver holding (and having checked)
 * the last byte, on the machine's one monotonic clock (it includes one one-way delay).
 * Conditions: `rateOnly` (20 Mbit/s each way) and `lossy` (80 ms each way, 1 % loss each way,
 * 20 Mbit/s each way). Reported: MB/s (10^6 bytes), each path's ratio to the configured link rate
 * (20 Mbit/s = 2.5 MB/s) and to the measured raw TCP, the theoretical TCP goodput of the link (the
 * rate less Ethernet, IPv6 and TCP headers per full segment: `tbf` counts the Ethernet header),
 * the Mathis et al. bound for the lossy link (MSS/RTT · √(3/2)/√p, what loss-based congestion
 * control — Reno, and CUBIC at this window — can sustain; BBR, not loss-based, is not bound by it),
 * the congestion control the namespaces use, the packets the delay line dropped and those `tbf`
 * dropped (its queue full), and `targets`: each of the
 * dataset and weights paths ≥ 0.9 of the link rate, per condition.
 *
 * Run with `--netem` (or `CYX_BENCH_NETEM=1`); `--netem-only` runs this part alone. Needs root
 * and `ip netns`: without them the result is `{ skipped: why }` (a bench, not a test; the smoke
 * test requires it to run). `CYX_BENCH_NETEM_MIB` (default 16; a leg ~7 s at 20 Mbit/s),
 * `CYX_BENCH_REPEATS` (default 3), `CYX_BENCH_NETEM_CC` (e.g. `reno`: the congestion control
 * set in both namespaces; a namespace may set only one the machine lists in
 * net.ipv4.tcp_allowed_congestion_control; default: the machine's default, which they inherit).
 * Everything (peers, delay line, namespaces) is torn down at the end, also on failure.
 */
import type { ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { logger } from '@libp2p/logger'
import type { Internet, LinkConditions } from '../../test/e2e/net/netns/index.js'
import type { NetemPath } from './mesh-netem-peer.js'

const log = logger('cyx:bench:mesh-netem')

/** Asked for on the command line or in the environment. */
export const netemRequested = process.argv.includes('--netem') || process.argv.includes('--netem-only') || process.env.CYX_BENCH_NETEM === '1'
/** This part alone (the smoke test's run, a quick look at the link). */
export const netemOnly = process.argv.includes('--netem-only')

const LINK_MBIT = 20
/** The configured link rate in MB/s (10^6 bytes): 20 Mbit/s = 2.5 MB/s. */
const LINK_MBPS = LINK_MBIT / 8
export const CONDITIONS = {
  rateOnly: { rateMbit: LINK_MBIT },
  lossy: { delayMs: 80, lossPercent: 1, rateMbit: LINK_MBIT, seed: 18 }
} as const satisfies Record<string, LinkConditions>
/** Issue 18: each of the dataset and weights paths at least this share of the link rate. */
export const TARGET_LINK_RATIO = 0.9

const PATHS: readonly NetemPath[] = ['tcp', 'libp2pRaw', 'weights', 'dataset']
const PEER = fileURLToPath(new URL('./mesh-netem-peer.ts', import.meta.url))
const TSX = import.meta.resolve('tsx')
const TCP_PORT = 7200
const P2P_PORT = 7201
/** Per-header bytes on the link: `tbf` shapes whole Ethernet frames (the veth's skb holds the
 * MAC header); a full segment carries MTU − IPv6 − TCP − (timestamps option) payload bytes. */
const ETHERNET = 14
const IPV6 = 40
const TCP = 20
const TCP_TIMESTAMPS = 12
const PEER_START_MS = 120_000
/** The slowest a leg may be before it counts as failed: 50 kB/s (cubic under 1 % loss, 160 ms, ~150). */
const legTimeoutMs = (bytes: number): number => Math.max(120_000, bytes / 50)

type PathFigures = Record<NetemPath, number>

export interface NetemCondition {
  link: LinkConditions
  tcpMBps: number
  libp2pRawMBps: number
  weightsMBps: number
  datasetFramesMBps: number
  /** Each path over the configured link rate (2.5 MB/s). */
  linkRatios: PathFigures
  /** Each path over the measured raw TCP. */
  tcpRatios: PathFigures
  /** The best leg of each path, seconds. */
  seconds: PathFigures
  /** Under loss: what the Mathis bound allows a loss-based TCP (MB/s), and it over the link rate. */
  mathisMBps?: number
  mathisLinkRatio?: number
  /** The delay line's packets in this condition (both directions), when it had delay or loss. */
  delayLine?: { received: number, lost: number, overflowed: number }
  /** Packets the rate limiter (`tbf`, its 100 ms queue full) dropped in this condition, each way. */
  rateDrops: { fromWorker: number, toWorker: number }
}

export interface NetemResult {
  linkMbit: number
  linkMBps: number
  /** The link rate less the headers of a full TCP segment: what TCP could at best deliver. */
  tcpGoodputMBps: number
  tcpGoodputLinkRatio: number
  mtu: number
  mss: number
  /** The sysctl in each namespace (the sender's counts: the worker's for tcp, libp2pRaw, weights). */
  congestionControl: { worker: string, client: string }
  payloadMiB: number
  repeats: number
  directions: Record<NetemPath, string>
  conditions: Record<keyof typeof CONDITIONS, NetemCondition>
  targets: { minLinkRatio: number } & Record<keyof typeof CONDITIONS, Record<'dataset' | 'weights', { ratio: number, pass: boolean }>>
}

const round = (x: number, digits = 3): number => Math.round(x * 10 ** digits) / 10 ** digits

type Event = Record<string, unknown>

/** A peer process in a namespace: its JSON events, commands to it. */
class Peer {
  readonly events: Event[] = []
  readonly stderr: string[] = []
  constructor (readonly name: string, readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (l) => {
      try {
        this.events.push(JSON.parse(l) as Event)
      } catch {
        this.stderr.push(l)
      }
    })
    createInterface({ input: child.stderr! }).on('line', (l) => {
      // With DEBUG=cyx:bench:mesh-netem (and the peers' own DEBUG namespaces): their logs too.
      if (log.enabled) process.stderr.write(`[${name}] ${l}\n`)
      this.stderr.push(l)
      if (this.stderr.length > 40) this.stderr.shift()
    })
  }

  command (c: Event): void { this.child.stdin!.write(JSON.stringify(c) + '\n') }

  get exited (): boolean { return this.child.exitCode !== null || this.child.signalCode !== null }

  /** Asks the peer to stop its node and exit; kills it if it has not within 10 s. */
  async stop (): Promise<void> {
    if (this.exited) return
    const gone = new Promise((resolve) => this.child.once('exit', resolve))
    this.command({ op: 'stop' })
    const timer = setTimeout(() => { this.child.kill('SIGKILL') }, 10_000)
    await gone
    clearTimeout(timer)
  }

  /** Why this peer failed, if it did: an error event after `from`, or its exit. */
  failure (from: number): string | undefined {
    const e = this.events.slice(from).find((x) => x.error !== undefined)
    if (e !== undefined) return `${this.name}: ${String(e.error)}`
    if (this.exited) return `${this.name} exited ${String(this.child.exitCode ?? this.child.signalCode)}: ${this.stderr.slice(-20).join('\n')}`
    return undefined
  }
}

/** The first event of `peer` after `from` that `match` accepts; fails on either peer's failure or after `ms`. */
async function until (peer: Peer, from: number, match: (e: Event) => boolean, ms: number, others: readonly Peer[] = []): Promise<Event> {
  const end = Date.now() + ms
  const marks = others.map((o) => o.events.length)
  for (;;) {
    const hit = peer.events.slice(from).find(match)
    if (hit !== undefined) return hit
    const why = peer.failure(from) ?? others.map((o, i) => o.failure(marks[i]!)).find((x) => x !== undefined)
    if (why !== undefined) throw new Error(why)
    if (Date.now() > end) throw new Error(`${peer.name}: nothing after ${ms} ms; stderr ends: ${peer.stderr.slice(-10).join('\n')}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

async function startPeer (net: Internet, host: string, bytes: number, seed: string): Promise<{ peer: Peer, peerId: string }> {
  const child = net.spawn(host, [process.execPath, '--import', TSX, PEER, net.hosts[host]!.addr, String(TCP_PORT), String(P2P_PORT), String(bytes), seed], { stdin: true })
  const peer = new Peer(host, child)
  const ready = await until(peer, 0, (e) => e.ready !== undefined, PEER_START_MS)
  return { peer, peerId: (ready.ready as { peerId: string }).peerId }
}

/** One leg: `from` sends the payload over `path`; seconds from its first write to `to` holding all of it. */
async function leg (from: Peer, to: Peer, path: NetemPath, target: Event, bytes: number): Promise<number> {
  const [markFrom, markTo] = [from.events.length, to.events.length]
  from.command({ op: 'send', path, ...target })
  const sent = await until(from, markFrom, (e) => e.sent === path, legTimeoutMs(bytes), [to])
  const received = await until(to, markTo, (e) => e.received === path, 10_000, [from])
  if (received.bytes !== bytes) throw new Error(`${path}: ${String(received.bytes)} of ${bytes} bytes arrived`)
  return ((received.t1 as number) - (sent.t0 as number)) / 1000
}

/** One condition on fresh peers: best of `repeats` per path, in seconds. */
async function measure (net: Internet, link: LinkConditions, bytes: number, repeats: number): Promise<{ best: PathFigures, delayLine?: NetemCondition['delayLine'], rateDrops: NetemCondition['rateDrops'] }> {
  await net.setLink('worker', link)
  const before = link.delayMs !== undefined ? await net.linkCounts('worker') : undefined
  const dropsBefore = net.rateDrops('worker')
  const seed = randomBytes(8).toString('hex')
  const [client, worker] = await Promise.all([startPeer(net, 'client', bytes, seed), startPeer(net, 'worker', bytes, seed)])
  try {
    const mark = worker.peer.events.length
    worker.peer.command({ op: 'dial', addr: `${net.maddr('client', P2P_PORT)}/p2p/${client.peerId}` })
    await until(worker.peer, mark, (e) => e.dialed === client.peerId, 60_000)
    const best: PathFigures = { tcp: Infinity, libp2pRaw: Infinity, weights: Infinity, dataset: Infinity }
    const toClient = { host: net.hosts.client!.addr, port: TCP_PORT, peer: client.peerId }
    for (let r = 0; r < repeats; r++) {
      for (const path of PATHS) {
        const s = path === 'dataset'
          ? await leg(client.peer, worker.peer, path, { peer: worker.peerId }, bytes)
          : await leg(worker.peer, client.peer, path, toClient, bytes)
        log('%s %o: %s s', path, link, s.toFixed(2))
        best[path] = Math.min(best[path], s)
      }
    }
    let delayLine: NetemCondition['delayLine']
    if (before !== undefined) {
      const c = await net.linkCounts('worker')
      delayLine = { received: c.received - before.received, lost: c.lost - before.lost, overflowed: c.overflowed - before.overflowed }
    }
    const drops = net.rateDrops('worker')
    const rateDrops = { fromWorker: drops.out - dropsBefore.out, toWorker: drops.in - dropsBefore.in }
    return { best, rateDrops, ...(delayLine === undefined ? {} : { delayLine }) }
  } finally {
    // Gone before the next condition's peers take the same ports (killed if not within 10 s).
    await Promise.all([client.peer, worker.peer].map(async (p) => { await p.stop() }))
  }
}

/** The `netem` part of the mesh bench (see the header): its figures, or why it could not run. */
export async function meshNetem (o: { smoke: boolean }): Promise<NetemResult | { skipped: string }> {
  // Loaded only when asked for: the harness pulls in the Solana libraries.
  const { assertCanBuild, createInternet } = await import('../../test/e2e/net/netns/index.js')
  let net: Internet
  try {
    assertCanBuild()
    net = await createInternet({ public: ['client'], natted: ['worker'] })
  } catch (e) {
    return { skipped: e instanceof Error ? e.message : String(e) }
  }
  try {
    const payloadMiB = o.smoke ? 0.25 : Number(process.env.CYX_BENCH_NETEM_MIB ?? 16)
    const repeats = o.smoke ? 1 : Number(process.env.CYX_BENCH_REPEATS ?? 3)
    const bytes = Math.round(payloadMiB * 1024 * 1024)
    const cc = process.env.CYX_BENCH_NETEM_CC
    if (cc !== undefined) for (const h of ['client', 'worker']) net.exec(h, ['sysctl', '-qw', `net.ipv4.tcp_congestion_control=${cc}`])
    const sysctl = (h: string, key: string): string => net.exec(h, ['cat', `/proc/sys/net/ipv4/${key}`]).trim()
    const mtu = Number(net.exec('worker', ['cat', '/sys/class/net/eth0/mtu']).trim())
    const mss = mtu - IPV6 - TCP - (sysctl('worker', 'tcp_timestamps') === '0' ? 0 : TCP_TIMESTAMPS)
    const tcpGoodput = LINK_MBPS * mss / (mtu + ETHERNET)

    const conditions = {} as Record<keyof typeof CONDITIONS, NetemCondition>
    for (const [name, link] of Object.entries(CONDITIONS) as Array<[keyof typeof CONDITIONS, LinkConditions]>) {
      const { best, delayLine, rateDrops } = await measure(net, link, bytes, repeats)
      const MBps = Object.fromEntries(PATHS.map((p) => [p, round(bytes / 1e6 / best[p])])) as PathFigures
      const c: NetemCondition = {
        link,
        tcpMBps: MBps.tcp,
        libp2pRawMBps: MBps.libp2pRaw,
        weightsMBps: MBps.weights,
        datasetFramesMBps: MBps.dataset,
        linkRatios: Object.fromEntries(PATHS.map((p) => [p, round(MBps[p] / LINK_MBPS)])) as PathFigures,
        tcpRatios: Object.fromEntries(PATHS.map((p) => [p, round(MBps[p] / MBps.tcp)])) as PathFigures,
        seconds: Object.fromEntries(PATHS.map((p) => [p, round(best[p], 2)])) as PathFigures,
        ...(delayLine === undefined ? {} : { delayLine }),
        rateDrops
      }
      if (link.lossPercent !== undefined && link.delayMs !== undefined) {
        const mathis = mathisMBps(mss, 2 * link.delayMs / 1000, link.lossPercent / 100)
        c.mathisMBps = round(mathis)
        c.mathisLinkRatio = round(mathis / LINK_MBPS)
      }
      conditions[name] = c
    }
    const target = (c: NetemCondition): Record<'dataset' | 'weights', { ratio: number, pass: boolean }> => ({
      dataset: { ratio: c.linkRatios.dataset, pass: c.linkRatios.dataset >= TARGET_LINK_RATIO },
      weights: { ratio: c.linkRatios.weights, pass: c.linkRatios.weights >= TARGET_LINK_RATIO }
    })
    return {
      linkMbit: LINK_MBIT,
      linkMBps: LINK_MBPS,
      tcpGoodputMBps: round(tcpGoodput),
      tcpGoodputLinkRatio: round(tcpGoodput / LINK_MBPS),
      mtu,
      mss,
      congestionControl: { worker: sysctl('worker', 'tcp_congestion_control'), client: sysctl('client', 'tcp_congestion_control') },
      payloadMiB,
      repeats,
      directions: { tcp: 'worker → client', libp2pRaw: 'worker → client', weights: 'worker → client', dataset: 'client → worker' },
      conditions,
      targets: { minLinkRatio: TARGET_LINK_RATIO, rateOnly: target(conditions.rateOnly), lossy: target(conditions.lossy) }
    }
  } finally {
    await net.close()
  }
}

/** Mathis et al. (1997): the steady-state throughput of a loss-based TCP, bytes/s → MB/s. */
export function mathisMBps (mssBytes: number, rttSeconds: number, lossProbability: number): number {
  return mssBytes / rttSeconds * Math.sqrt(1.5) / Math.sqrt(lossProbability) / 1e6
}
