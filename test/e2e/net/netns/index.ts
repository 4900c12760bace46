/**
 * The door of the multi-host harness: a small internet of Linux network namespaces, for tests that
 * need more than one host (issue 18, docs/network.md "The multi-host harness").
 *
 * `createInternet({ public: ['relay', 'chain'], natted: ['worker', 'client'] })` builds:
 * - one namespace `inet` holding a bridge: the internet, a /64 of the IPv6 documentation prefix
 *   3fff::/20 (RFC 9637), which libp2p counts as public (the IPv4 documentation ranges it does not);
 * - a namespace per public host at `3fff:c0::N`, behind its own gateway (`<host>-gw`): a plain
 *   router, no NAT, that answers for the host's address on the bridge (proxy NDP) and forwards;
 *   the host sees the internet as if plugged into the bridge, one hop further;
 * - per host behind NAT, two namespaces: its router (`<host>-nat`, WAN on the bridge, forwarding,
 *   nftables masquerade, a forward filter that lets in only replies to what went out) and the host
 *   itself on its own LAN `fd00:c0:<i>::/64` (a unique local prefix: private to libp2p), with
 *   the router as its default route. Nothing can dial into a host behind NAT: the internet has no
 *   route to a LAN, and the router drops new connections from the WAN, to the LAN and to itself.
 *   Masquerade keeps a host's source port where it is free and the filter lets in only what
 *   answers a packet the host sent (to that address and port): what a home router does, so two
 *   hosts that send to each other at once from fixed ports punch through (UDP hole punching).
 * `setLink(host, conditions)` makes a host's link bad, a public host's as well as one behind NAT:
 * delay, jitter and loss through a userspace netem in its router (the NAT router or the gateway;
 * netem.py on a TUN device, reached by policy routing: these kernels have no netem qdisc), the
 * rate by `tbf` (docs/network.md, "Bad links").
 * Only addresses created inside these namespaces are used; nothing touches the machine's own
 * interfaces. Names carry the process id and a random tag, so parallel runs do not clash, and a
 * later run removes the namespaces of runs whose process is gone.
 *
 * `close()` (also run on process exit, SIGINT and SIGTERM) kills every process left in the
 * namespaces and deletes them. Without root or `ip netns` it throws, saying what is missing:
 * callers fail, they do not skip (CI runs as root).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { getAssociatedTokenAddressSync } from '@solana/spl-token'
import { PublicKey } from '@solana/web3.js'
import type { Proc } from '../../../fixtures/cyx-process.js'
import { within } from '../../../../protocols/index.js'

export interface NetHost {
  /** The name the caller gave. */
  readonly name: string
  /** Its network namespace. */
  readonly ns: string
  /** Its IPv6 address: public (3fff:c0::/64) or on its LAN behind NAT (fd00:c0:<i>::/64). */
  readonly addr: string
  /** The namespace of the router between it and the internet, where its link's delay line runs:
   * its NAT router, or a public host's gateway. */
  readonly router: string
  /** Behind NAT: the router's namespace and public (WAN) address. */
  readonly nat?: { readonly ns: string, readonly addr: string }
}

export interface InternetSpec {
  /** Hosts on the internet itself. */
  readonly public: readonly string[]
  /** Hosts each behind its own NAT. */
  readonly natted: readonly string[]
}

/**
 * Link conditions on one host's link to the internet, each the same in both directions. Delay,
 * jitter and loss are made by a userspace netem (`netem.py` here: the kernels this runs on have no
 * netem qdisc) in the host's router (NAT router or gateway), one queue per direction; the rate is
 * the kernel's `tbf`. A path between two impaired hosts crosses both links.
 */
export interface LinkConditions {
  /** One-way added delay, milliseconds, each direction: the round trip grows by twice this. */
  readonly delayMs?: number
  /** The delay varies uniformly by up to this much, milliseconds (packets are never reordered). */
  readonly jitterMs?: number
  /** Packet loss, percent, each direction (independent per packet). */
  readonly lossPercent?: number
  /** Seed of the loss and jitter generator (default 1). */
  readonly seed?: number
  /** Rate limit, Mbit/s, each direction. */
  readonly rateMbit?: number
}

/** What a host's userspace netem did so far (netem.py's counters). */
export interface LinkCounts {
  /** Packets the router sent into the link's delay line, both directions. */
  readonly received: number
  /** Written back after their delay. */
  readonly forwarded: number
  /** Dropped by the loss draw. */
  readonly lost: number
  /** Dropped because the delay line held its limit of packets. */
  readonly overflowed: number
  readonly writeErrors: number
}

export interface Internet {
  /** The unique prefix of this internet's namespace names. */
  readonly tag: string
  readonly hosts: Readonly<Record<string, NetHost>>
  /** `/ip6/<addr>/tcp/<port>` of a host. */
  maddr: (host: string, port: number) => string
  /** Runs a command in a host's namespace and returns its stdout (throws on a non-zero exit). */
  exec: (host: string, cmd: readonly string[]) => string
  /** Any command as a process in a host's namespace (killed at `close()` if still running); its
   * stdin a pipe with `{ stdin: true }` (a process driven by commands), else ignored. */
  spawn: (host: string, cmd: readonly string[], opts?: { readonly stdin?: boolean }) => ChildProcess
  /** A JSON-RPC call made from a host's namespace (the test process itself is on none of these
   * networks); resolves with the response's `result`, throws its `error`. */
  jsonRpc: (host: string, url: string, method: string, params: readonly unknown[]) => unknown
  /** The CYXWIZ (base units) `owner`'s associated token account of `mint` holds, read from a host. */
  tokenBalance: (host: string, url: string, mint: string, owner: string) => bigint
  /** `cyx ARGS` as a process in a host's namespace (its lines collected, as the process tests do). */
  cyx: (host: string, args: readonly string[], env?: Readonly<Record<string, string>>) => Proc
  /** Bytes a NATed host's router forwarded from the LAN to each other host's public address
   * (nftables counters): which path a connection took, measured on the wire. */
  forwardedBytes: (host: string) => Record<string, number>
  /** Sets (or, with `{}`, clears) the conditions on a host's link to the internet: delay, jitter
   * and loss in its router (netem.py through a TUN device, policy routing), rate by `tbf` on both
   * ends. Any host: public or behind NAT. */
  setLink: (host: string, c: LinkConditions) => Promise<void>
  /** The counters of a host's userspace netem (throws when its link has no delay or loss set). */
  linkCounts: (host: string) => Promise<LinkCounts>
  /** Packets the rate limiter (`tbf`) of a host's link dropped so far: `out` of the host (its
   * link's device), `in` to it (the bridge port facing it); zeros when no rate is set. */
  rateDrops: (host: string) => { out: number, in: number }
  /** Cuts (`false`) or restores (`true`) a host's link to the internet (at the internet's side;
   * the host keeps its addresses and routes). */
  linkUp: (host: string, up: boolean) => void
  close: () => Promise<void>
}

const PREFIX = 'cyxn'
/** The userspace netem (stdlib Python: Node cannot create a TUN device without a native addon). */
const NETEM_PY = fileURLToPath(new URL('./netem.py', import.meta.url))
const PYTHON = '/usr/bin/python3'
/** In a host's router: the TUN device of the delay line, and the routing table that sends the
 * link's forwarded packets into it. */
const NETEM_DEV = 'netem0'
const NETEM_TABLE = '100'
/** How long netem.py may take to create its device. */
const NETEM_START_MS = 10_000
/** The preferences of the two policy rules (from the LAN, from the WAN). */
const NETEM_RULE_PREFS = ['100', '101'] as const

/** A running netem.py. */
interface DelayLine {
  readonly child: ChildProcess
  readonly lines: string[]
  readonly stderr: string[]
  readonly exited: Promise<number | null>
  stopping: boolean
}
const PUBLIC_NET = '3fff:c0::'
/** A public host's gateway on the host's side: its default route. */
const GW_LINK_LOCAL = 'fe80::1'
const lanNet = (i: number): string => `fd00:c0:${(i + 1).toString(16)}::`

function run (cmd: string, args: readonly string[], input?: string): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], ...(input === undefined ? {} : { input }) })
  } catch (e) {
    const err = e as { stderr?: string, message: string }
    throw new Error(`${cmd} ${args.join(' ')}: ${(err.stderr ?? '').trim() || err.message}`)
  }
}

const inNs = (ns: string, cmd: string, args: readonly string[], input?: string): string => run('ip', ['netns', 'exec', ns, cmd, ...args], input)

/** Throws, saying what to do, when this process cannot build namespaces. */
export function assertCanBuild (): void {
  if (process.platform !== 'linux') throw new Error('the multi-host tests need Linux network namespaces (ip netns); this is ' + process.platform)
  if (process.getuid?.() !== 0) throw new Error('the multi-host tests need root to create network namespaces (ip netns, nftables, tc): run them as root (CI does), e.g. sudo npx mocha test/e2e/net/nat-job.test.ts')
  for (const [tool, pkg] of [['ip', 'iproute2'], ['nft', 'nftables'], ['tc', 'iproute2'], [PYTHON, 'python3']] as const) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' })
    } catch {
      throw new Error(`the multi-host tests need "${tool}" (Debian package ${pkg}): run scripts/setup.sh, which installs it`)
    }
  }
}

/** Our namespaces, by tag. */
function namespaces (): string[] {
  return run('ip', ['netns', 'list']).split('\n').map((l) => l.split(' ')[0] ?? '').filter((n) => n.startsWith(PREFIX))
}

function removeNamespace (ns: string): void {
  // Processes keep a namespace alive after `ip netns del`: end them first.
  let pids: number[] = []
  try {
    pids = run('ip', ['netns', 'pids', ns]).split('\n').filter((l) => l.trim() !== '').map(Number)
  } catch { /* already gone */ }
  for (const pid of pids) {
    try { process.kill(pid, 'SIGKILL') } catch { /* exited meanwhile */ }
  }
  try {
    run('ip', ['netns', 'del', ns])
  } catch (e) {
    if (namespaces().includes(ns)) process.stderr.write(`netns harness: could not delete ${ns}: ${e instanceof Error ? e.message : String(e)}\n`)
  }
}

/** Deletes the namespaces of earlier runs whose process is gone (a run killed with SIGKILL). */
function sweepOrphans (): void {
  for (const ns of namespaces()) {
    const pid = Number(/^cyxn(\d+)-/.exec(ns)?.[1])
    if (!Number.isInteger(pid)) continue
    let alive = true
    try { process.kill(pid, 0) } catch { alive = false }
    if (!alive) removeNamespace(ns)
  }
}

export async function createInternet (spec: InternetSpec): Promise<Internet> {
  assertCanBuild()
  const names = [...spec.public, ...spec.natted]
  for (const n of names) if (!/^[a-z][a-z0-9]{0,11}$/.test(n)) throw new Error(`host name ${n}: 1..12 lowercase letters and digits`)
  if (new Set(names).size !== names.length) throw new Error('host names must be distinct')
  if (names.length > 200) throw new Error('at most 200 hosts')
  sweepOrphans()

  const tag = `${PREFIX}${process.pid}-${randomBytes(3).toString('hex')}`
  const made: string[] = []
  const procs: Array<Pick<Proc, 'child' | 'exited'>> = []
  let closed = false
  const closeSync = (): void => {
    if (closed) return
    closed = true
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL')
    for (const ns of made.reverse()) removeNamespace(ns)
  }
  const onSignal = (sig: NodeJS.Signals): void => {
    closeSync()
    process.exit(sig === 'SIGINT' ? 130 : 143)
  }
  const onExit = (): void => { closeSync() }
  process.once('exit', onExit)
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)

  const hosts: Record<string, NetHost> = {}
  /** A host's link to the internet: its router's namespace and WAN device, the bridge port facing
   * it, the host's side of the link (its LAN behind NAT, its address behind a gateway), NAT or not. */
  const linkOf: Record<string, { ns: string, dev: string, inet: string, port: string, inside: string, nat: boolean }> = {}
  /** Per host, what `setLink` set on its link: the delay line (netem.py) running, `tbf` or not. */
  const shaped = new Map<string, { delayLine?: DelayLine, tbf: boolean }>()
  const addNs = (name: string): string => {
    const ns = `${tag}-${name}`
    run('ip', ['netns', 'add', ns])
    made.push(ns)
    inNs(ns, 'ip', ['link', 'set', 'lo', 'up'])
    return ns
  }
  /** A veth pair: `a` in namespace `nsA`, `b` in `nsB` (names are per namespace, so short). */
  const veth = (nsA: string, a: string, nsB: string, b: string): void => {
    run('ip', ['-n', nsA, 'link', 'add', a, 'type', 'veth', 'peer', 'name', b, 'netns', nsB])
    run('ip', ['-n', nsA, 'link', 'set', a, 'up'])
    run('ip', ['-n', nsB, 'link', 'set', b, 'up'])
  }
  // nodad: usable at once (duplicate address detection would hold an address tentative ~1 s).
  const addr6 = (ns: string, dev: string, a: string, plen = 64): void => { run('ip', ['-n', ns, '-6', 'addr', 'add', `${a}/${plen}`, 'dev', dev, 'nodad']) }

  try {
    const inet = addNs('inet')
    run('ip', ['-n', inet, 'link', 'add', 'br0', 'type', 'bridge'])
    run('ip', ['-n', inet, 'link', 'set', 'br0', 'up'])
    let port = 0
    const plug = (ns: string, dev: string): string => {
      const p = `p${port++}`
      veth(inet, p, ns, dev)
      run('ip', ['-n', inet, 'link', 'set', p, 'master', 'br0'])
      return p
    }

    spec.public.forEach((name, i) => {
      // The gateway: forwarding, and no duplicate address detection (its WAN has only its link-local
      // address, which must be usable at once to resolve neighbours on the bridge).
      const gw = addNs(`${name}-gw`)
      inNs(gw, 'sysctl', ['-qw', 'net.ipv6.conf.all.forwarding=1', 'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0'])
      const p = plug(gw, 'wan')
      const ns = addNs(name)
      veth(gw, 'lan', ns, 'eth0')
      const addr = `${PUBLIC_NET}${(i + 1).toString(16)}`
      // The host holds its public address alone (/128) and reaches everything through the gateway,
      // which routes the internet's /64 to the bridge, the host's address to the LAN, and answers
      // the bridge's neighbour solicitations for it (at once: no proxy delay).
      addr6(gw, 'lan', GW_LINK_LOCAL)
      addr6(ns, 'eth0', addr, 128)
      run('ip', ['-n', ns, '-6', 'route', 'add', 'default', 'via', GW_LINK_LOCAL, 'dev', 'eth0'])
      inNs(gw, 'sysctl', ['-qw', 'net.ipv6.conf.wan.proxy_ndp=1', 'net.ipv6.neigh.wan.proxy_delay=0'])
      run('ip', ['-n', gw, '-6', 'route', 'add', `${PUBLIC_NET}/64`, 'dev', 'wan'])
      run('ip', ['-n', gw, '-6', 'route', 'add', `${addr}/128`, 'dev', 'lan'])
      run('ip', ['-n', gw, '-6', 'neigh', 'add', 'proxy', addr, 'dev', 'wan'])
      hosts[name] = { name, ns, addr, router: gw }
      linkOf[name] = { ns: gw, dev: 'wan', inet, port: p, inside: `${addr}/128`, nat: false }
    })

    const publicAddrs = (): Record<string, string> => Object.fromEntries(Object.values(hosts).map((h) => [h.name, h.nat?.addr ?? h.addr]))
    spec.natted.forEach((name, i) => {
      const router = addNs(`${name}-nat`)
      const p = plug(router, 'wan')
      const wan = `${PUBLIC_NET}${(0x100 + i).toString(16)}`
      addr6(router, 'wan', wan)
      const ns = addNs(name)
      veth(router, 'lan', ns, 'eth0')
      const lan = lanNet(i)
      addr6(router, 'lan', `${lan}1`)
      addr6(ns, 'eth0', `${lan}2`)
      run('ip', ['-n', ns, '-6', 'route', 'add', 'default', 'via', `${lan}1`])
      inNs(router, 'sysctl', ['-qw', 'net.ipv6.conf.all.forwarding=1'])
      hosts[name] = { name, ns, addr: `${lan}2`, router, nat: { ns: router, addr: wan } }
      linkOf[name] = { ns: router, dev: 'wan', inet, port: p, inside: `${lan}/64`, nat: true }
    })

    // The NAT rules, once every public address is known (the counters name each destination).
    for (const name of spec.natted) {
      const h = hosts[name]!
      const counters = Object.entries(publicAddrs()).filter(([n]) => n !== name)
        .map(([n, a]) => `    oifname "wan" ip6 daddr ${a} counter comment "to:${n}"`).join('\n')
      inNs(h.nat!.ns, 'nft', ['-f', '-'], `table inet cyxnat {
  chain forward {
    type filter hook forward priority filter; policy drop;
${counters}
    iifname "lan" oifname "wan" accept
    iifname "wan" oifname "lan" ct state established,related accept
    # With a delay line (setLink): every packet crosses the router twice, through ${NETEM_DEV}.
    # Out: lan -> ${NETEM_DEV} untracked, then ${NETEM_DEV} -> wan tracked and masqueraded.
    # In: wan -> ${NETEM_DEV} de-masqueraded and checked to be a reply, then -> lan untracked.
    iifname "lan" oifname "${NETEM_DEV}" accept
    iifname "${NETEM_DEV}" oifname "wan" accept
    iifname "wan" oifname "${NETEM_DEV}" ct state established,related accept
    iifname "${NETEM_DEV}" oifname "lan" ct state untracked accept
  }
  chain postrouting {
    type nat hook postrouting priority srcnat;
    oifname "wan" masquerade
  }
  # Unsolicited TCP and UDP from the internet to the router itself are dropped before connection
  # tracking confirms them, as a home router's input firewall does. Accepted (and answered with a
  # reset or port-unreachable), such a packet left a conntrack entry on the router's public port,
  # and the host's own packet to that peer from the same port was then masqueraded to another
  # port: a hole punch (both sides sending at once, one arriving first) never met.
  chain input {
    type filter hook input priority filter; policy accept;
    iifname "wan" meta l4proto { tcp, udp } ct state new drop
  }
}
`)
    }
  } catch (e) {
    closeSync()
    process.off('exit', onExit)
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    throw e
  }

  /** Starts netem.py in a router's namespace and waits until its TUN device exists. */
  const startDelayLine = async (ns: string, inside: string, c: LinkConditions): Promise<DelayLine> => {
    const child = spawn('ip', ['netns', 'exec', ns, PYTHON, NETEM_PY, '--dev', NETEM_DEV, '--inside', inside,
      '--delay-ms', String(c.delayMs ?? 0), '--jitter-ms', String(c.jitterMs ?? 0),
      '--loss', String((c.lossPercent ?? 0) / 100), '--seed', String(c.seed ?? 1)], { stdio: ['ignore', 'pipe', 'pipe'] })
    const line: DelayLine = { child, lines: [], stderr: [], stopping: false, exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) }
    procs.push(line)
    createInterface({ input: child.stdout! }).on('line', (l) => line.lines.push(l))
    createInterface({ input: child.stderr! }).on('line', (l) => line.stderr.push(l))
    void line.exited.then((code) => {
      // Its link is dead from then on (fail closed): say why where the test's output shows it.
      if (!line.stopping) process.stderr.write(`netns harness: the delay line in ${ns} exited ${String(code)}: ${line.stderr.join('\n')}\n`)
    })
    const end = Date.now() + NETEM_START_MS
    while (!line.lines.some((l) => l.startsWith('{"ready"'))) {
      if (child.exitCode !== null || Date.now() > end) {
        line.stopping = true
        child.kill('SIGKILL')
        throw new Error(`netem.py did not start in ${ns} (exit ${String(child.exitCode)}): ${line.stderr.join('\n')}`)
      }
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    return line
  }

  /** Undoes what `setLink` set on a host's link: routing first, so nothing more enters the delay
   * line, then the line itself (SIGTERM; killed if it has not ended within 5 s), then the qdiscs. */
  const clearLink = async (name: string): Promise<void> => {
    const state = shaped.get(name)
    if (state === undefined) return
    shaped.delete(name)
    const { ns, dev, inet, port, nat } = linkOf[name]!
    const line = state.delayLine
    if (line !== undefined) {
      for (const pref of NETEM_RULE_PREFS) inNs(ns, 'ip', ['-6', 'rule', 'del', 'pref', pref])
      inNs(ns, 'ip', ['-6', 'route', 'flush', 'table', NETEM_TABLE])
      if (nat) inNs(ns, 'nft', ['delete', 'table', 'inet', 'cyxnetem'])
      line.stopping = true
      line.child.kill('SIGTERM')
      if (!(await within(line.exited, 5_000)).done) line.child.kill('SIGKILL')
    }
    if (state.tbf) {
      inNs(ns, 'tc', ['qdisc', 'del', 'dev', dev, 'root'])
      inNs(inet, 'tc', ['qdisc', 'del', 'dev', port, 'root'])
    }
  }

  const host = (name: string): NetHost => {
    const h = hosts[name]
    if (h === undefined) throw new Error(`no host ${name} in this internet (${Object.keys(hosts).join(', ')})`)
    return h
  }
  const jsonRpc = (name: string, url: string, method: string, params: readonly unknown[]): unknown => {
    const script = 'fetch(process.argv[1], { method: "POST", headers: { "content-type": "application/json" }, body: process.argv[2] })' +
      '.then((r) => r.text()).then((t) => { process.stdout.write(t) }, (e) => { console.error(String(e)); process.exit(1) })'
    const res = JSON.parse(inNs(host(name).ns, process.execPath, ['-e', script, url, JSON.stringify({ jsonrpc: '2.0', id: 1, method, params })])) as { result?: unknown, error?: { message: string } }
    if (res.error !== undefined) throw new Error(`${method}: ${res.error.message}`)
    return res.result
  }

  return {
    tag,
    hosts,
    maddr: (name, port) => `/ip6/${host(name).addr}/tcp/${port}`,
    exec: (name, cmd) => inNs(host(name).ns, cmd[0]!, cmd.slice(1)),
    spawn: (name, cmd, opts) => {
      const child = spawn('ip', ['netns', 'exec', host(name).ns, ...cmd], { stdio: [opts?.stdin === true ? 'pipe' : 'ignore', 'pipe', 'pipe'] })
      procs.push({ child, exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) })
      return child
    },
    jsonRpc,
    tokenBalance (name, url, mint, owner) {
      const ata = getAssociatedTokenAddressSync(new PublicKey(mint), new PublicKey(owner)).toBase58()
      return BigInt((jsonRpc(name, url, 'getTokenAccountBalance', [ata]) as { value: { amount: string } }).value.amount)
    },
    cyx: (name, args, env) => {
      const child = spawn('ip', ['netns', 'exec', host(name).ns, process.execPath, 'peer/cli/cyx.mjs', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } })
      const p: Proc = { child, lines: [], stderr: [], exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) }
      createInterface({ input: child.stdout! }).on('line', (l) => p.lines.push(l))
      createInterface({ input: child.stderr! }).on('line', (l) => p.stderr.push(l))
      procs.push(p)
      return p
    },
    forwardedBytes: (name) => {
      const nat = host(name).nat
      if (nat === undefined) throw new Error(`${name} is not behind NAT`)
      const listed = JSON.parse(inNs(nat.ns, 'nft', ['-j', 'list', 'chain', 'inet', 'cyxnat', 'forward'])) as { nftables: Array<{ rule?: { comment?: string, expr: Array<{ counter?: { bytes: number } }> } }> }
      const out: Record<string, number> = {}
      for (const item of listed.nftables) {
        const to = item.rule?.comment?.startsWith('to:') === true ? item.rule.comment.slice(3) : undefined
        const counter = item.rule?.expr.find((x) => x.counter !== undefined)?.counter
        if (to !== undefined && counter !== undefined) out[to] = counter.bytes
      }
      return out
    },
    setLink: async (name, c) => {
      const h = host(name)
      await clearLink(h.name)
      const { ns, dev, inet, port, inside, nat } = linkOf[h.name]!
      const delayed = (c.delayMs ?? 0) > 0 || (c.jitterMs ?? 0) > 0 || (c.lossPercent ?? 0) > 0
      const state: { delayLine?: DelayLine, tbf: boolean } = { tbf: false }
      shaped.set(h.name, state)
      if (delayed) {
        state.delayLine = await startDelayLine(ns, inside, c)
        // Before the first packet enters the device: the LAN side's passes are untracked, so the
        // NAT router's connection tracking (and masquerade) sees each connection once, on the WAN
        // side. A gateway tracks nothing.
        if (nat) {
          inNs(ns, 'nft', ['-f', '-'], `table inet cyxnetem {
  chain prerouting {
    type filter hook prerouting priority raw; policy accept;
    iifname "lan" notrack
    iifname "${NETEM_DEV}" ip6 daddr ${inside} notrack
  }
}
`)
        }
        inNs(ns, 'ip', ['link', 'set', NETEM_DEV, 'up'])
        inNs(ns, 'ip', ['-6', 'route', 'add', 'default', 'dev', NETEM_DEV, 'table', NETEM_TABLE])
        // Fail closed: if the program dies its device and route go, and the link is dead, not clean.
        inNs(ns, 'ip', ['-6', 'route', 'add', 'unreachable', 'default', 'metric', '4096', 'table', NETEM_TABLE])
        // What the router forwards from either side goes into the delay line; what comes back out
        // of it (in from NETEM_DEV) follows the main table to its destination. The router's own
        // addresses are in the local table, looked up before these rules.
        inNs(ns, 'ip', ['-6', 'rule', 'add', 'iif', 'lan', 'lookup', NETEM_TABLE, 'pref', NETEM_RULE_PREFS[0]])
        inNs(ns, 'ip', ['-6', 'rule', 'add', 'iif', 'wan', 'lookup', NETEM_TABLE, 'pref', NETEM_RULE_PREFS[1]])
      }
      if (c.rateMbit !== undefined) {
        // Egress on the host's link, and on the bridge port facing it for the other direction.
        const tbf = ['root', 'tbf', 'rate', `${c.rateMbit}mbit`, 'burst', '32kb', 'latency', '100ms']
        state.tbf = true
        inNs(ns, 'tc', ['qdisc', 'add', 'dev', dev, ...tbf])
        inNs(inet, 'tc', ['qdisc', 'add', 'dev', port, ...tbf])
      }
    },
    linkCounts: async (name) => {
      const line = shaped.get(host(name).name)?.delayLine
      if (line === undefined) throw new Error(`${name}: its link has no delay or loss set`)
      const seen = line.lines.length
      line.child.kill('SIGUSR1')
      const end = Date.now() + NETEM_START_MS
      for (;;) {
        for (const l of line.lines.slice(seen)) {
          const v = JSON.parse(l) as { counts?: LinkCounts }
          if (v.counts !== undefined) return v.counts
        }
        if (line.child.exitCode !== null || Date.now() > end) throw new Error(`${name}: the delay line did not report (exit ${String(line.child.exitCode)}): ${line.stderr.join('\n')}`)
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    },
    rateDrops: (name) => {
      const { ns, dev, inet, port } = linkOf[host(name).name]!
      const drops = (n: string, d: string): number => (JSON.parse(inNs(n, 'tc', ['-s', '-j', 'qdisc', 'show', 'dev', d])) as Array<{ kind: string, drops?: number }>)
        .filter((q) => q.kind === 'tbf').reduce((sum, q) => sum + (q.drops ?? 0), 0)
      return { out: drops(ns, dev), in: drops(inet, port) }
    },
    linkUp: (name, up) => {
      // The cut is made at the internet's side (the bridge port facing the host), as a cable pulled
      // at the switch: the host sees no carrier but keeps its addresses and routes. Setting the
      // host's own interface down instead would flush its IPv6 addresses and routes for good
      // (keep_addr_on_down is 0), so the link would never really come back.
      const { inet, port } = linkOf[host(name).name]!
      inNs(inet, 'ip', ['link', 'set', port, up ? 'up' : 'down'])
    },
    close: async () => {
      for (const name of [...shaped.keys()]) {
        try {
          await clearLink(name)
        } catch (e) {
          // The namespaces go below all the same, and everything in them.
          process.stderr.write(`netns harness: clearing ${name}'s link failed: ${e instanceof Error ? e.message : String(e)}\n`)
        }
      }
      // Ctrl-C first, so peers stop as a user's would; whatever is left is killed.
      const alive = procs.filter((p) => p.child.exitCode === null)
      for (const p of alive) p.child.kill('SIGINT')
      await within(Promise.all(alive.map(async (p) => await p.exited)), 5_000)
      closeSync()
      process.off('exit', onExit)
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    }
  }
}
