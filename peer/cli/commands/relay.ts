/**
 * `cyx relay`: a public peer that others join the mesh through (bootstrap: it serves the DHT and
 * gossip like any peer) and that offers circuit relay v2, so a worker behind NAT holds a
 * reservation on it and is reached through it (docs/network.md). It holds no wallet funds and
 * runs no role.
 */
import { join } from 'node:path'
import { parseCommandArgs, UsageError, type Command, untilSignal } from '../command.js'
import { dataDir, jsonLine, multiaddrs, nodeNetwork } from './peer-common.js'

/** Parses a relay limit flag: a positive whole number, or "none". */
export function relayLimit (v: string | undefined, flag: string, max: number): number | undefined {
  if (v === undefined || v === 'none') return undefined
  const n = Number(v)
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`--${flag} must be a whole number 1..${max} or "none" (got ${v})`)
  return n
}

export const relayCommand: Command = {
  name: 'relay',
  usage: `Usage: cyx relay --listen MADDR [--listen MADDR]... [--announce MADDR]... [--dir DIR]
                 [--bootstrap MADDR]... [--bootstrap-file PATH] [--max-reservations N]
                 [--circuit-mb N|none] [--circuit-seconds N|none] [--json]

Runs a public peer that offers circuit relay v2 and bootstrap: peers join the mesh through it, and
a worker behind NAT holds a reservation on it so clients reach the worker through it (then DCUtR
tries to upgrade to a direct connection). Prints its multiaddrs (give them to others as
--bootstrap) — with --json as one JSON line {"peerId", "addrs"}. Ctrl-C stops.

By default a relayed connection (circuit) has no data or time limit, so the whole job protocol
runs over it when no direct connection can be made; the relay's cost is bounded by how many
peers may hold a reservation. With a limit, relayed connections are "limited": libp2p runs only
identify and DCUtR on them, and a worker behind NAT is reached only when DCUtR upgrades.

Options:
  --listen MADDR       where to listen, e.g. /ip4/0.0.0.0/tcp/4001 (required, repeatable)
  --announce MADDR     an address to advertise besides the listen addresses: the public address
                       the relay is reachable at (repeatable). Until AutoNAT confirms them,
                       libp2p does not advertise public listen addresses by itself
  --dir DIR            data dir: the peer key (a stable peer id), peer store, known peers
                       (default ~/.cyx/relay)
  --bootstrap MADDR    other peers to join (repeatable); --bootstrap-file PATH: one per line
  --max-reservations N peers that may hold a reservation at once (default 64)
  --circuit-mb N       data a relayed connection may carry, MiB (default none)
  --circuit-seconds N  how long a relayed connection may stay open (default none)
  --json               one JSON line when ready
  -h, --help`,
  async run (argv, io) {
    const { values } = parseCommandArgs(argv, {
      dir: { type: 'string' },
      listen: { type: 'string', multiple: true },
      announce: { type: 'string', multiple: true },
      bootstrap: { type: 'string', multiple: true },
      'bootstrap-file': { type: 'string' },
      'max-reservations': { type: 'string' },
      'circuit-mb': { type: 'string' },
      'circuit-seconds': { type: 'string' },
      json: { type: 'boolean' }
    })
    if (multiaddrs(values.listen, 'listen').length === 0) throw new UsageError('--listen is required, e.g. --listen /ip4/0.0.0.0/tcp/4001')
    const network = await nodeNetwork(values)
    const maxReservations = relayLimit(values['max-reservations'] ?? '64', 'max-reservations', 10_000) ?? 64
    const circuitMb = relayLimit(values['circuit-mb'], 'circuit-mb', 1_048_576)
    const circuitSeconds = relayLimit(values['circuit-seconds'], 'circuit-seconds', 2_147_483)
    const relayDir = values.dir ?? join(dataDir(undefined), 'relay')

    const { createPeerNode, knownPeerAddrs, loadKnownPeers, RELAY_DEFAULTS, trackKnownPeers } = await import('../../node/index.js')
    const { mkdir } = await import('node:fs/promises')
    await mkdir(relayDir, { recursive: true })
    const known = knownPeerAddrs((await loadKnownPeers(relayDir)).slice(0, 8)).map(String)
    let node
    try {
      node = await createPeerNode({
        dir: relayDir,
        listen: network.listen,
        bootstrap: [...new Set([...network.bootstrap, ...known])],
        nat: {
          announce: network.announce,
          // The operator names the relay's public address (--announce); AutoNAT's dial-backs from
          // every peer would only disturb their connections to it (NatConfig.autonat).
          autonat: false,
          relayService: {
            ...RELAY_DEFAULTS,
            maxReservations,
            ...(circuitMb === undefined ? {} : { dataBytes: BigInt(circuitMb) * 1_048_576n }),
            ...(circuitSeconds === undefined ? {} : { durationMs: circuitSeconds * 1000 })
          }
        }
      })
    } catch (e) {
      io.err(`cyx relay: cannot start: ${e instanceof Error ? e.message : String(e)} (is the address yours and the port free?)`)
      return 1
    }
    await trackKnownPeers(node, relayDir)
    const addrs = node.multiaddrs().map(String)
    if (values.json === true) io.out(jsonLine({ peerId: node.peerId.toString(), addrs }))
    else io.out(`cyx relay: peer ${node.peerId.toString()} offering circuit relay and bootstrap on\n${addrs.map((a) => `  ${a}`).join('\n')}\nCtrl-C to stop.`)
    await untilSignal()
    await node.stop()
    if (values.json !== true) io.out('cyx relay: stopped')
    return 0
  }
}
