/**
 * Measurements of a link in the multi-host harness (test/e2e/net/netns), made by small Node programs
 * in the hosts' namespaces: the round trip and loss of UDP probes, and the rate a UDP flood gets
 * through. They show that `setLink`'s conditions are real on the wire before a test relies on them.
 */
import type { ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import type { Internet } from './index.js'

/** Echoes every datagram back to its sender; prints "listening". */
const ECHO = 'const s = require("node:dgram").createSocket("udp6"); s.on("message", (m, r) => s.send(m, r.port, r.address));' +
  's.bind(Number(process.argv[2]), process.argv[1], () => console.log("listening"))'
/** Sends argv3 numbered probes to [argv1]:argv2, one every argv4 ms; 2 s after the last prints
 * what came back as JSON: sent, received, the round trips' min, 5th percentile, median, 95th
 * percentile and max (ms), and how many replies arrived after a later-numbered one (reordered). */
const PING = 'const [host, port, n, every] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3]), Number(process.argv[4])];' +
  'const s = require("node:dgram").createSocket("udp6"); const sent = new Map(); const rtt = []; let highest = -1, reordered = 0;' +
  's.on("message", (m) => { const k = m.readUInt32BE(0); const t = sent.get(k); if (t !== undefined) { rtt.push(performance.now() - t); sent.delete(k);' +
  ' if (k < highest) reordered++; else highest = k } });' +
  'let i = 0; const timer = setInterval(() => { const b = Buffer.alloc(64); b.writeUInt32BE(i); sent.set(i, performance.now()); s.send(b, port, host);' +
  ' if (++i === n) { clearInterval(timer); setTimeout(() => { rtt.sort((a, b) => a - b); const q = (f) => rtt[Math.min(rtt.length - 1, Math.floor(f * rtt.length))];' +
  ' console.log(JSON.stringify({ sent: n, received: rtt.length, minMs: rtt[0], p05Ms: q(0.05), medianMs: rtt[rtt.length >> 1], p95Ms: q(0.95), maxMs: rtt.at(-1), reordered })); s.close() }, 2000) } }, every)'
/** Counts the bytes of the datagrams it receives; 1 s after the last prints bytes and the span
 * from the first to the last arrival (ms) as JSON. */
const SINK = 'const s = require("node:dgram").createSocket("udp6"); let bytes = 0, first, last, timer;' +
  's.on("message", (m) => { const now = performance.now(); first ??= now; last = now; bytes += m.length; clearTimeout(timer);' +
  ' timer = setTimeout(() => { console.log(JSON.stringify({ bytes, spanMs: last - first })); s.close() }, 1000) });' +
  's.bind(Number(process.argv[2]), process.argv[1], () => console.log("listening"))'
/** Sends 1,200-byte datagrams to [argv1]:argv2 at argv3 Mbit/s for argv4 seconds, paced each ms. */
const FLOOD = 'const [host, port, mbit, seconds] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3]), Number(process.argv[4])];' +
  'const s = require("node:dgram").createSocket("udp6"); const b = Buffer.alloc(1200); const start = performance.now(); let sent = 0;' +
  'const timer = setInterval(() => { const t = performance.now() - start; if (t >= seconds * 1000) { clearInterval(timer); s.close(); return }' +
  ' while (sent * 8 < mbit * 1000 * t) { s.send(b, port, host); sent += b.length } }, 1)'

/** Runs a command in a host and resolves with its stdout once it exits 0 (rejects otherwise). */
async function output (net: Internet, host: string, cmd: readonly string[]): Promise<string> {
  const child = net.spawn(host, cmd)
  let out = ''
  let err = ''
  child.stdout!.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr!.on('data', (d: Buffer) => { err += d.toString() })
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  if (code !== 0) throw new Error(`${cmd.join(' ')} in ${host} exited ${String(code)}: ${err}`)
  return out
}

/** Starts a server program in `host` on its address and `port`; resolves once it listens. */
async function serve (net: Internet, host: string, script: string, port: number): Promise<{ lines: string[], child: ChildProcess }> {
  const child = net.spawn(host, [process.execPath, '-e', script, net.hosts[host]!.addr, String(port)])
  const lines: string[] = []
  createInterface({ input: child.stdout! }).on('line', (l) => lines.push(l))
  while (!lines.includes('listening')) {
    if (child.exitCode !== null) throw new Error(`the server in ${host} exited ${String(child.exitCode)}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return { lines, child }
}

export interface EchoResult {
  sent: number
  received: number
  minMs: number
  p05Ms: number
  medianMs: number
  p95Ms: number
  maxMs: number
  /** Replies that arrived after a reply to a later probe. */
  reordered: number
}

/** `count` UDP probes from `from` to `to` and back, one every `intervalMs`. */
export async function udpEcho (net: Internet, from: string, to: string, o: { count: number, intervalMs: number, port?: number }): Promise<EchoResult> {
  const port = o.port ?? 7100
  const server = await serve(net, to, ECHO, port)
  try {
    const out = await output(net, from, [process.execPath, '-e', PING, net.hosts[to]!.addr, String(port), String(o.count), String(o.intervalMs)])
    return JSON.parse(out.trim()) as EchoResult
  } finally {
    server.child.kill()
  }
}

export interface RateResult { bytes: number, spanMs: number, mbit: number }

/** A UDP flood from `from` to `to` at `mbit` Mbit/s for `seconds`: what arrived, and at what rate. */
export async function udpRate (net: Internet, from: string, to: string, o: { mbit: number, seconds: number, port?: number }): Promise<RateResult> {
  const port = o.port ?? 7101
  const sink = await serve(net, to, SINK, port)
  await output(net, from, [process.execPath, '-e', FLOOD, net.hosts[to]!.addr, String(port), String(o.mbit), String(o.seconds)])
  const end = Date.now() + 5_000
  while (sink.lines.length < 2) {
    if (Date.now() > end) throw new Error(`the sink in ${to} reported nothing: no datagram arrived`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  const r = JSON.parse(sink.lines[1]!) as { bytes: number, spanMs: number }
  return { ...r, mbit: r.bytes * 8 / (r.spanMs * 1000) }
}
