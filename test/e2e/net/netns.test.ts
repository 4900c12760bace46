/**
 * The multi-host harness itself (test/e2e/net/netns): a host behind NAT reaches the internet from its
 * router's public address and cannot be dialled, neither at its LAN address nor at its router's;
 * everything is deleted at close; without root it refuses with a message saying so.
 */
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { createInterface } from 'node:readline'
import { createInternet } from './netns/index.js'

/** A node one-liner that connects to [argv1]:argv2 and prints "connected" or the error code. */
const DIAL = 'const s = require("node:net").connect({ host: process.argv[1], port: Number(process.argv[2]) });' +
  's.setTimeout(3000, () => { console.log("ETIMEDOUT"); process.exit(0) });' +
  's.on("connect", () => { console.log("connected"); s.end() }); s.on("error", (e) => console.log(e.code))'
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

  it('without root it fails, saying what is needed (it does not skip)', () => {
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--import', 'tsx', '-e',
      'import("./test/e2e/net/netns/index.ts").then((m) => m.createInternet({ public: ["a"], natted: [] })).catch((e) => { console.log(e.message); process.exit(3) })'], { encoding: 'utf8' })
    assert.equal(r.status, 3, r.stderr)
    assert.match(r.stdout, /need root to create network namespaces/)
  })
})
