/**
 * The harness's link conditions (test/e2e/net/netns, `setLink`): a userspace netem (netem.py) in a
 * host's router adds the delay, jitter and loss, `tbf` the rate; on a host behind NAT (in its NAT
 * router) and on a public host (in its gateway), and on both ends of a path at once. Measured on
 * the wire with UDP probes before any test relies on them, and everything undone by
 * `setLink(host, {})` and at close.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { createInternet } from './netns/index.js'
import { udpEcho, udpRate } from './netns/probe.js'

const lossOf = (p: { sent: number, received: number }): number => 100 * (p.sent - p.received) / p.sent

describe('link conditions: a userspace netem in each host\'s router (network namespaces)', function () {
  this.timeout(120_000)

  it('80 ms each way, 1 % loss each way, 20 Mbit/s behind NAT: measured on the wire; then cleared; all gone at close', async () => {
    const net = await createInternet({ public: ['pub'], natted: ['home'] })
    try {
      const clean = await udpEcho(net, 'home', 'pub', { count: 50, intervalMs: 5 })
      assert.equal(clean.received, clean.sent, 'nothing lost on a clean link')
      assert.ok(clean.medianMs < 20, `a clean round trip is short (${clean.medianMs} ms)`)

      await net.setLink('home', { delayMs: 80, lossPercent: 1, rateMbit: 20 })
      const probed = await udpEcho(net, 'home', 'pub', { count: 1000, intervalMs: 5 })
      const counts = await net.linkCounts('home')
      const flood = await udpRate(net, 'home', 'pub', { mbit: 40, seconds: 2 })
      const lossPercent = lossOf(probed)
      console.log(JSON.stringify({ test: 'netem', clean, probed, lossPercent, counts, flood }))
      // Each probe crossed the delay line twice: a round trip of at least 160 ms.
      assert.ok(probed.minMs >= 160, `round trip at least 2 × 80 ms (min ${probed.minMs} ms)`)
      assert.ok(probed.medianMs < 200, `and not much more (median ${probed.medianMs} ms)`)
      assert.equal(probed.reordered, 0, 'a link does not reorder')
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

  it('a public host\'s link too: 40 ms and 0.5 % loss on each end of a path add up (160 ms, about 2 %); a clean host sees one link; cleared', async () => {
    const net = await createInternet({ public: ['pub', 'other'], natted: ['home'] })
    try {
      await net.setLink('pub', { delayMs: 40, lossPercent: 0.5, rateMbit: 20, seed: 2 })
      await net.setLink('home', { delayMs: 40, lossPercent: 0.5, seed: 3 })
      const both = await udpEcho(net, 'home', 'pub', { count: 1000, intervalMs: 5 })
      const one = await udpEcho(net, 'other', 'pub', { count: 100, intervalMs: 5 })
      const flood = await udpRate(net, 'other', 'pub', { mbit: 40, seconds: 2 })
      const counts = { pub: await net.linkCounts('pub'), home: await net.linkCounts('home') }
      console.log(JSON.stringify({ test: 'netem-public', both, bothLossPercent: lossOf(both), one, counts, flood }))
      // home → pub crosses both delay lines each way: 4 × 40 ms.
      assert.ok(both.minMs >= 160, `round trip across both links at least 4 × 40 ms (min ${both.minMs} ms)`)
      assert.ok(both.medianMs < 200, `and not much more (median ${both.medianMs} ms)`)
      assert.equal(both.reordered, 0)
      // 0.5 % on each of 4 crossings: about 2 % of round trips lost (expected 20 of 1,000).
      assert.ok(lossOf(both) >= 0.5 && lossOf(both) <= 5, `round-trip loss about 2 % (${lossOf(both)} %)`)
      assert.ok(counts.pub.lost > 0 && counts.home.lost > 0, JSON.stringify(counts))
      // other → pub crosses only pub's link: 2 × 40 ms.
      assert.ok(one.minMs >= 80 && one.medianMs < 120, `one link: about 80 ms (min ${one.minMs}, median ${one.medianMs})`)
      // The public host's rate limit holds too (less the 0.5 % lost).
      assert.ok(flood.mbit > 15 && flood.mbit < 21, `the flood into the public host arrived at about 20 Mbit/s (${flood.mbit.toFixed(1)})`)

      await net.setLink('pub', {})
      const cleared = await udpEcho(net, 'other', 'pub', { count: 50, intervalMs: 5 })
      assert.equal(cleared.received, cleared.sent, 'nothing lost once cleared')
      assert.ok(cleared.medianMs < 20, `short again once cleared (${cleared.medianMs} ms)`)
      const gateway = net.hosts.pub!.router
      assert.doesNotMatch(execFileSync('ip', ['-n', gateway, '-6', 'rule', 'show'], { encoding: 'utf8' }), /lookup 100/)
      assert.doesNotMatch(execFileSync('ip', ['-n', gateway, 'link', 'show'], { encoding: 'utf8' }), /netem0/)
    } finally {
      await net.close()
    }
    const left = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    assert.ok(!left.includes(net.tag), `namespaces left behind:\n${left}`)
  })

  it('jitter: ±10 ms on 40 ms spreads the round trips over 60–100 ms, and nothing is reordered', async () => {
    const net = await createInternet({ public: ['pub'], natted: ['home'] })
    try {
      // Probes 25 ms apart, more than the 20 ms a jittered packet can be held back by the one
      // before it going the same way: each crossing's delay is its own draw, 30..50 ms.
      await net.setLink('home', { delayMs: 40 })
      const steady = await udpEcho(net, 'home', 'pub', { count: 60, intervalMs: 25 })
      await net.setLink('home', { delayMs: 40, jitterMs: 10, seed: 7 })
      const jittered = await udpEcho(net, 'home', 'pub', { count: 200, intervalMs: 25 })
      const spread = { steady: steady.p95Ms - steady.p05Ms, jittered: jittered.p95Ms - jittered.p05Ms }
      console.log(JSON.stringify({ test: 'netem-jitter', steady, jittered, spreadMs: spread }))
      assert.equal(jittered.received, jittered.sent)
      assert.equal(jittered.reordered, 0, 'jitter never reorders a direction')
      // Two crossings of 40 ± 10 ms: never under 60 ms; the 5th to 95th percentile of their sum
      // spans about 27 ms (a triangular distribution on 60..100 ms), against about nothing without.
      assert.ok(jittered.minMs >= 60, `never faster than 2 × 30 ms (min ${jittered.minMs} ms)`)
      assert.ok(jittered.p95Ms < 115, `95 % within 2 × 50 ms and a little (p95 ${jittered.p95Ms} ms)`)
      assert.ok(spread.jittered >= 15 && spread.jittered <= 50, `the jitter spreads the round trips (p05..p95: ${spread.jittered.toFixed(1)} ms)`)
      assert.ok(spread.jittered >= spread.steady + 10, `more than the steady link's spread (${spread.steady.toFixed(1)} ms)`)
    } finally {
      await net.close()
    }
  })
})
