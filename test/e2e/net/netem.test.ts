/**
 * The harness's link conditions (test/e2e/net/netns, `setLink`): a userspace netem (netem.py) in a NAT
 * router adds the delay and loss, `tbf` the rate; measured on the wire with UDP probes before any
 * test relies on them, and everything undone by `setLink(host, {})` and at close.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { createInternet } from './netns/index.js'
import { udpEcho, udpRate } from './netns/probe.js'

describe('link conditions: a userspace netem in the NAT router (network namespaces)', function () {
  this.timeout(120_000)

  it('80 ms each way, 1 % loss each way, 20 Mbit/s: measured on the wire; then cleared; all gone at close', async () => {
    const net = await createInternet({ public: ['pub'], natted: ['home'] })
    try {
      const clean = await udpEcho(net, 'home', 'pub', { count: 50, intervalMs: 5 })
      assert.equal(clean.received, clean.sent, 'nothing lost on a clean link')
      assert.ok(clean.medianMs < 20, `a clean round trip is short (${clean.medianMs} ms)`)

      await net.setLink('home', { delayMs: 80, lossPercent: 1, rateMbit: 20 })
      const probed = await udpEcho(net, 'home', 'pub', { count: 1000, intervalMs: 5 })
      const counts = await net.linkCounts('home')
      const flood = await udpRate(net, 'home', 'pub', { mbit: 40, seconds: 2 })
      const lossPercent = 100 * (probed.sent - probed.received) / probed.sent
      console.log(JSON.stringify({ test: 'netem', clean, probed, lossPercent, counts, flood }))
      // Each probe crossed the delay line twice: a round trip of at least 160 ms.
      assert.ok(probed.minMs >= 160, `round trip at least 2 × 80 ms (min ${probed.minMs} ms)`)
      assert.ok(probed.medianMs < 200, `and not much more (median ${probed.medianMs} ms)`)
      // 1 % each way: about 2 % of round trips lost (expected 20 of 1,000; P(< 5 or > 50) < 1e-4).
      assert.ok(lossPercent >= 0.5 && lossPercent <= 5, `round-trip loss about 2 % (${lossPercent} %)`)
      assert.ok(counts.lost > 0 && counts.overflowed === 0 && counts.writeErrors === 0, JSON.stringify(counts))
      // Offered 40 Mbit/s; the link passes about 20 (less the 1 % lost).
      assert.ok(flood.mbit > 15 && flood.mbit < 21, `the flood arrived at about 20 Mbit/s (${flood.mbit.toFixed(1)})`)

      await net.setLink('home', {})
      const cleared = await udpEcho(net, 'home', 'pub', { count: 50, intervalMs: 5 })
      assert.equal(cleared.received, cleared.sent, 'nothing lost once cleared')
      assert.ok(cleared.medianMs < 20, `short again once cleared (${cleared.medianMs} ms)`)
      const router = net.hosts.home!.nat!.ns
      assert.doesNotMatch(execFileSync('ip', ['-n', router, '-6', 'rule', 'show'], { encoding: 'utf8' }), /lookup 100/)
      assert.doesNotMatch(execFileSync('ip', ['-n', router, 'link', 'show'], { encoding: 'utf8' }), /netem0/)

      // Set again, to be undone by close() itself.
      await net.setLink('home', { delayMs: 10 })
      assert.ok((await udpEcho(net, 'home', 'pub', { count: 10, intervalMs: 5 })).minMs >= 20)
    } finally {
      await net.close()
    }
    const left = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    assert.ok(!left.includes(net.tag), `namespaces left behind:\n${left}`)
  })

  it('delay and loss on a public host are refused: they need its NAT router', async () => {
    const net = await createInternet({ public: ['pub'], natted: [] })
    try {
      await assert.rejects(net.setLink('pub', { delayMs: 10 }), /put the host behind NAT/)
    } finally {
      await net.close()
    }
  })
})
