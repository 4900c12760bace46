/**
 * `cyx sim-peer`: INTERNAL to `cyx sim` (not listed in `cyx --help`). One peer of a simulated
 * network as its own OS process: reads the line protocol of peer/sim/host.ts on stdin (the plan
 * first), writes its lines on stdout prefixed "@cyx-sim ". It stops cleanly on a `stop` line, on
 * SIGINT or SIGTERM (Ctrl-C reaches every process of the terminal's group), and when its stdin
 * closes (the `cyx sim` that started it is gone), so no peer outlives its simulation.
 */
import { logger } from '@libp2p/logger'
import { createInterface } from 'node:readline'
import { parseCommandArgs, type Command } from '../command.js'

const log = logger('cyx:cli:sim-peer')

export const simPeerCommand: Command = {
  name: 'sim-peer',
  usage: `Usage: cyx sim-peer

Internal to "cyx sim", which starts one such process per peer (client, workers, jurors, keeper)
and drives it over stdin/stdout (peer/sim/host.ts). Not meant to be run by hand.`,
  async run (argv, io) {
    parseCommandArgs(argv, {})
    const { PeerHost } = await import('../../sim/host.js')
    const { LINE_PREFIX } = await import('../../sim/codec.js')
    const host = new PeerHost((line) => { io.out(LINE_PREFIX + line) })
    const stop = (): void => { host.stop().catch((err: unknown) => { log.error('stopping failed: %e', err) }) }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
    const lines = createInterface({ input: process.stdin })
    lines.on('line', (l) => { host.receive(l) })
    lines.on('close', stop)
    await host.done
    lines.close()
    process.off('SIGINT', stop)
    process.off('SIGTERM', stop)
    // Whatever a library left open (a JSON-RPC WebSocket) must not keep a stopped peer alive.
    setTimeout(() => { process.exit(0) }, 1_000).unref()
    return 0
  }
}
