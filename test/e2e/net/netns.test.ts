/**
 * The multi-host harness itself (test/e2e/net/netns): a host behind NAT reaches the internet from its
 * router's public address and cannot be dialled, neither at its LAN address nor at its router's;
 * two hosts behind NAT that send to each other at once from fixed ports punch through, as through
 * home routers; everything is deleted at close; without root it refuses with a message saying so.
 */
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { createInterface } from 'node:readline'
import { createInternet } from './netns/index.js'

/** A node one-liner that connects to [argv1]:argv2 and prints "connected" or the error code. */
const DIAL = 'const s = require("node:net").connect({ host: process.argv[1], port: Number(process.argv[2]) });' +
  's.setTimeout(3000, () => { console.log("ETIMEDOUT"); process.exit(0) });' +
  's.on("connect", () => { console.log("connected"); s.end() }); s.on("error", (e) => console.log(e.code))'
/** Binds UDP port argv3, sends to [argv1]:argv2 every 50 ms for argv4 ms, then prints what came back:
 * `{"got":N,"from":"ADDR:PORT"}` (the first sender seen). */
const PUNCH = 'const s = require("node:dgram").createSocket("udp6"); let got = 0; let from = null;' +
  's.on("message", (m, r) => { got++; from ??= r.address + ":" + r.port });' +
  's.bind(Number(process.argv[3]), () => { const t = setInterval(() => s.send("punch", Number(process.argv[2]), process.argv[1]), 50);' +
  'setTimeout(() => { clearInterval(t); console.log(JSON.stringify({ got, from })); s.close() }, Number(process.argv[4])) })'
/** A server that prints each peer's address and port. */
const SERVE = 'require("node:net").createServer((c) => { console.log(c.remoteAddress); c.end() }).listen(Number(process.argv[2]), process.argv[1], () => console.log("listening"))'

describe('the network-namespace harness', function () {
  this.timeout(60_000)

  it('NAT: out through the router\'s public address; nothing dials in; all gone at close', async () => {
    const net = await createInternet({ public: ['pub'], natted: ['home'] })
    try {
      const { pub, home } = net.hosts
      assert.match(pub!.addr, /^3fff:/)
      assert.match(home!.addr, /^fd00:/)
      // The public host serves; the host at home dials it and is seen as its router.
      const server = net.spawn('pub', [process.execPath, '-e', SERVE, pub!.addr, '7000'])
      const seen: string[] = []
      createInterface({ input: server.stdout! }).on('line', (l) => seen.push(l))
      while (!seen.includes('listening')) await new Promise((resolve) => setTimeout(resolve, 20))
      assert.equal(net.exec('home', [process.execPath, '-e', DIAL, pub!.addr, '7000']).trim(), 'connected')
      while (seen.length < 2) await new Promise((resolve) => setTimeout(resolve, 20))
      assert.equal(seen[1], home!.nat!.addr, 'masqueraded behind the router\'s public address')

      // The host at home serves too; from the internet neither its LAN address nor its router's
      // public one reaches it.
      const inside = net.spawn('home', [process.execPath, '-e', SERVE, '::', '7001'])
      const insideLines: string[] = []
      createInterface({ input: inside.stdout! }).on('line', (l) => insideLines.push(l))
      while (!insideLines.includes('listening')) await new Promise((resolve) => setTimeout(resolve, 20))
      assert.equal(net.exec('pub', [process.execPath, '-e', DIAL, home!.addr, '7001']).trim(), 'ENETUNREACH')
      assert.notEqual(net.exec('pub', [process.execPath, '-e', DIAL, home!.nat!.addr, '7001']).trim(), 'connected')
      assert.deepEqual(insideLines, ['listening'], 'no connection reached the host behind NAT')
      assert.ok((net.forwardedBytes('home').pub ?? 0) > 0, 'the router counted what it forwarded to the public host')
    } finally {
      await net.close()
    }
    const left = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    assert.ok(!left.includes(net.tag), `namespaces left behind:\n${left}`)
  })

  it('UDP hole punching: two hosts behind NAT reach each other by sending at once from fixed ports', async () => {
    const net = await createInternet({ public: [], natted: ['a', 'b'] })
    try {
      const { a, b } = net.hosts
      const output = async (host: string, to: string, ms: number): Promise<{ got: number, from: string | null }> => {
        const child = net.spawn(host, [process.execPath, '-e', PUNCH, to, '5000', '5000', String(ms)])
        let out = ''
        child.stdout!.on('data', (d: Buffer) => { out += d.toString() })
        await new Promise((resolve) => child.once('exit', resolve))
        return JSON.parse(out) as { got: number, from: string | null }
      }
      // a starts alone: its first packets reach b's router before b has sent anything, which drops
      // them (the case that used to leave a conntrack entry there and move b's mapping to another
      // port). Then b sends too, and each router lets in the other's packets as answers.
      const fromA = output('a', b!.nat!.addr, 3000)
      await new Promise((resolve) => setTimeout(resolve, 1000))
      const fromB = output('b', a!.nat!.addr, 2000)
      const [atA, atB] = await Promise.all([fromA, fromB])
      assert.ok(atA.got > 0 && atB.got > 0, `both ends received: a ${JSON.stringify(atA)}, b ${JSON.stringify(atB)}`)
      // Each saw the other at its router's public address and the port it sent from (kept by masquerade).
      assert.equal(atA.from, `${b!.nat!.addr}:5000`)
      assert.equal(atB.from, `${a!.nat!.addr}:5000`)
    } finally {
      await net.close()
    }
  })

  it('without root it fails, saying what is needed (it does not skip)', () => {
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--import', 'tsx', '-e',
      'import("./test/e2e/net/netns/index.ts").then((m) => m.createInternet({ public: ["a"], natted: [] })).catch((e) => { console.log(e.message); process.exit(3) })'], { encoding: 'utf8' })
    assert.equal(r.status, 3, r.stderr)
    assert.match(r.stdout, /need root to create network namespaces/)
  })
})
