/** `cyx ui`: the live page for the local peer (its data dir and the chain it uses; docs/ui.md). */
import { parseCommandArgs, UsageError, type Command, untilSignal } from '../command.js'
import { connect, dataDir, rpcUrl } from './peer-common.js'

export const uiCommand: Command = {
  name: 'ui',
  usage: `Usage: cyx ui [--port N] [--dir DIR] [--rpc URL]

Serves a live page for the local peer on 127.0.0.1 and prints its address, with a random token,
on stderr: ui: http://127.0.0.1:PORT/#token=… (open it in a browser on this machine).
The page shows the client's jobs (state timeline, escrow on-chain, anchored root), the worker's
jobs, the wallet's CYXWIZ balance and the worker's stake and reputation, read from the peer's data
dir and the chain every 2 s while it is open (the peer store is opened for one read at a time, so a
running "cyx client" or "cyx worker" on the same dir is not held up).
Actions from the page are the CLI's verbs on the same dir: cancel, rate and dispute a client job
(signed with DIR's wallet, as "cyx client cancel|rate" and "cyx dispute open" do), and pause,
resume or price the worker running on DIR (as "cyx worker pause|resume|price" do). Submitting a
job from the page needs the peer running inside the page's process: "cyx sim --ui" offers it in a
simulated network. Ctrl-C stops it.

Options:
  --port N    the page's port (default: any free one)
  --dir DIR   the peer's data dir (default ~/.cyx)
  --rpc URL   the Solana JSON-RPC the peer uses (default http://127.0.0.1:8899)
  -h, --help`,
  async run (argv, io) {
    const { values } = parseCommandArgs(argv, { port: { type: 'string' }, dir: { type: 'string' }, rpc: { type: 'string' } })
    const port = values.port === undefined ? 0 : Number(values.port)
    if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError(`--port must be a whole number 0..65535 (got ${values.port ?? ''})`)
    const dir = dataDir(values.dir)
    const rpc = rpcUrl(values.rpc)
    const { existsSync } = await import('node:fs')
    if (!existsSync(dir)) throw new UsageError(`${dir} does not exist: give the data dir of a peer (--dir), as "cyx client" or "cyx worker" used it`)
    const { LocalUiSource, UiFeed, UiServer } = await import('../../ui/index.js')
    const feed = new UiFeed()
    const source = new LocalUiSource(feed, { dir, rpc, connection: connect(rpc) })
    await source.start()
    const server = await UiServer.start({ feed, port, actions: source.actions })
    io.err(`ui: ${server.url}`)
    try {
      const sig = await untilSignal()
      io.err(`cyx ui: ${sig}: stopped`)
    } finally {
      source.stop()
      await server.close()
    }
    return 0
  }
}
