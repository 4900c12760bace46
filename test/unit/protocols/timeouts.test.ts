import assert from 'node:assert/strict'
import { COORDINATOR, MESH, NETWORK, PROOF, TIMEOUTS, networkWaitMs, protocolTimeouts, rpcCallMs, type NetworkAssumptions, type ProtocolTimeouts } from '../../../protocols/index.js'

/** A network whose terms are easy to add up by hand. */
const plain: NetworkAssumptions = { worstRttMs: 100, lossRecoveryMs: 0, busyPeerMs: 0, minBytesPerSecond: 1_000, rpcCallRoundTrips: 2, rpcEndpointMs: 50, dialRoundTrips: 3, marginFactor: 1 }

const names = Object.keys(TIMEOUTS) as Array<keyof ProtocolTimeouts>

describe('network timeouts (protocols/params.ts)', () => {
  it('a wait adds round trips, bytes at the floor rate, RPC calls, one loss recovery and one busy spell, times the margin', () => {
    const cases: Array<[string, Parameters<typeof networkWaitMs>[0], NetworkAssumptions, number]> = [
      ['nothing', {}, plain, 0],
      ['one round trip', { roundTrips: 1 }, plain, 100],
      ['one way', { roundTrips: 0.5 }, plain, 50],
      ['2,500 bytes at 1,000 B/s', { bytes: 2_500 }, plain, 2_500],
      ['one RPC call: 2 round trips + the endpoint', { rpcCalls: 1 }, plain, 250],
      ['all three', { roundTrips: 2, bytes: 1_000, rpcCalls: 2 }, plain, 200 + 1_000 + 500],
      ['loss recovery and a busy peer, once per wait', { roundTrips: 1 }, { ...plain, lossRecoveryMs: 300, busyPeerMs: 70 }, 470],
      ['the margin multiplies everything', { roundTrips: 1, bytes: 10 }, { ...plain, lossRecoveryMs: 5, marginFactor: 2 }, 2 * (100 + 10 + 5)],
      ['rounded up to a whole ms', { bytes: 1 }, { ...plain, minBytesPerSecond: 3_000 }, 1],
      ['defaults: one round trip', { roundTrips: 1 }, NETWORK, 2 * (160 + 3_000 + 2_000)]
    ]
    for (const [name, w, net, ms] of cases) assert.equal(networkWaitMs(w, net), ms, name)
  })

  it('the RPC round-trip budget is its round trips at the worst RTT plus the endpoint', () => {
    assert.equal(rpcCallMs(plain), 250)
    assert.equal(rpcCallMs(NETWORK), 4 * 160 + 2_000)
  })

  it('derives each protocol timeout for the default assumptions', () => {
    const expected: ProtocolTimeouts = {
      dialMs: 11_920, // 2 × (6 × 160 + 5,000)
      dhtLookupMs: 14_480, // 2 × (2 × 7 × 160 + 5,000)
      identifyMs: 10_903, // 2 × (2 × 160 + 8 KiB at 62.5 kB/s + 5,000)
      bidFrameMs: 10_685, // 2 × (80 + 16 KiB at 62.5 kB/s + 5,000)
      bidReceiptMs: 10_320,
      bidSendMs: 13_085,
      clientFundsReadMs: 15_280, // 2 × (2,640 + 5,000)
      jobDialMs: 12_240,
      awardMs: 10_845,
      acceptMs: 42_000, // 2 × (160 + 6 × 2,640 + 5,000)
      jobIdleMs: 33_582, // 15,000 + 2 × (80 + 263,168 B at 62.5 kB/s + 5,000)
      lingerMs: 18_742,
      coordinatorRequestMs: 10_693,
      coordinatorAnswerMs: 27_639,
      coordinatorRegisterMs: 13_625,
      coordinatorMatchMs: 40_971
    }
    assert.deepEqual(TIMEOUTS, expected)
    assert.deepEqual(protocolTimeouts(), expected)
  })

  it('no timeout is shorter than the constant it replaced (localhost as lenient as before, or more)', () => {
    const before: Partial<Record<keyof ProtocolTimeouts, number>> = {
      dialMs: 5_000, // a worker dialling a client back (connectCandidates had 2,000)
      dhtLookupMs: 5_000, // the client's DHT search (its address refresh had 3,000)
      identifyMs: 10_000,
      bidFrameMs: 5_000,
      bidReceiptMs: 5_000,
      bidSendMs: 10_000,
      clientFundsReadMs: 5_000,
      jobDialMs: 10_000,
      awardMs: 10_000,
      acceptMs: 30_000,
      jobIdleMs: 3 * PROOF.metricsIntervalSeconds * 1000,
      lingerMs: 5_000,
      coordinatorRequestMs: 5_000,
      coordinatorAnswerMs: 5_000,
      coordinatorRegisterMs: 5_000,
      coordinatorMatchMs: 2_000
    }
    for (const name of names) {
      const old = before[name]
      assert.ok(old !== undefined, `${name} has its former value`)
      assert.ok(TIMEOUTS[name] >= old, `${name}: ${TIMEOUTS[name]} ms < ${old} ms`)
    }
  })

  it('every timeout grows with the round-trip time assumed, and with the loss recovery and the margin', () => {
    for (const change of [{ worstRttMs: 2 * NETWORK.worstRttMs }, { lossRecoveryMs: NETWORK.lossRecoveryMs + 1_000 }, { busyPeerMs: NETWORK.busyPeerMs + 1_000 }, { marginFactor: 3 }]) {
      const slower = protocolTimeouts({ ...NETWORK, ...change })
      for (const name of names) assert.ok(slower[name] > TIMEOUTS[name], `${name} with ${JSON.stringify(change)}: ${slower[name]} ms, not above ${TIMEOUTS[name]} ms`)
    }
  })

  it('the waits for a frame grow as the floor rate falls; the others do not depend on it', () => {
    const sized: ReadonlyArray<keyof ProtocolTimeouts> = ['identifyMs', 'bidFrameMs', 'bidSendMs', 'awardMs', 'jobIdleMs', 'lingerMs', 'coordinatorRequestMs', 'coordinatorAnswerMs', 'coordinatorRegisterMs', 'coordinatorMatchMs']
    const slower = protocolTimeouts({ ...NETWORK, minBytesPerSecond: NETWORK.minBytesPerSecond / 2 })
    for (const name of names) {
      if (sized.includes(name)) assert.ok(slower[name] > TIMEOUTS[name], `${name} grows at half the floor rate`)
      else assert.equal(slower[name], TIMEOUTS[name], `${name} does not depend on the floor rate`)
    }
    // The largest frames dominate their waits: a job frame, a match answer at the floor rate.
    assert.ok(TIMEOUTS.lingerMs >= 2 * (MESH.maxJobFrameBytes * 1000) / NETWORK.minBytesPerSecond)
    assert.ok(TIMEOUTS.coordinatorAnswerMs >= 2 * (COORDINATOR.maxMatchFrameBytes * 1000) / NETWORK.minBytesPerSecond)
  })

  it('only the ledger waits grow with the RPC budget', () => {
    const slower = protocolTimeouts({ ...NETWORK, rpcEndpointMs: NETWORK.rpcEndpointMs + 1_000 })
    for (const name of names) {
      if (name === 'clientFundsReadMs' || name === 'acceptMs' || name === 'coordinatorMatchMs') assert.ok(slower[name] > TIMEOUTS[name], `${name} grows with the RPC budget`)
      else assert.equal(slower[name], TIMEOUTS[name], `${name} makes no RPC call`)
    }
  })

  it('the job stream tolerates three missed metrics intervals and then one frame\'s crossing', () => {
    const interval = PROOF.metricsIntervalSeconds * 1000
    assert.equal(TIMEOUTS.jobIdleMs, 3 * interval + networkWaitMs({ roundTrips: 0.5, bytes: MESH.maxJobFrameBytes }))
    const slow = protocolTimeouts({ ...NETWORK, worstRttMs: 1_000 })
    assert.equal(slow.jobIdleMs - TIMEOUTS.jobIdleMs, NETWORK.marginFactor * 0.5 * (1_000 - NETWORK.worstRttMs))
  })
})
