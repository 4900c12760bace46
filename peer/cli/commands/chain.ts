/** `cyx chain`: the embedded ledger (LiteSVM + the cyxwiz program + SPL) as Solana JSON-RPC (127.0.0.1 unless --host). */
import { existsSync, readFileSync } from 'node:fs'
import { isIP } from 'node:net'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { CYXWIZ_PROGRAM_ID, EmbeddedLedger, LedgerRpcServer, PROGRAM_SO_PATH, assertCurrentLayout, ensureGenesis, type Faucet, type GenesisProgram } from '../../../chain/index.js'
import { parseCommandArgs, untilSignal, UsageError, type Command } from '../command.js'

export const chainCommand: Command = {
  name: 'chain',
  usage: `Usage: cyx chain [--host 127.0.0.1] [--allow-host NAME]... [--port 8899] [--ledger DIR] [--reset]
                 [--genesis] [--dev] [--json]

Runs LiteSVM with the cyxwiz program (loaded by LiteSVM, or with --genesis deployed through the
loader) and the SPL Token, Associated Token and System programs, served as Solana JSON-RPC on
HOST:PORT (WebSocket on PORT and PORT+1), so that peers in other processes — and any
@solana/web3.js Connection or Anchor Program — share one ledger. State is
saved in DIR and survives a restart. Ctrl-C saves and stops.

Options:
  --host ADDR   the IP address to serve on (default 127.0.0.1). Another address lets other hosts
                reach the ledger: requests must then name it (or an --allow-host name) or
                loopback in their Host header, which refuses pages rebinding a DNS name to it
  --allow-host NAME  a host name requests may also name (repeatable), e.g. the DNS name peers use
  --port N      HTTP port (default 8899; 0 picks a free one)
  --ledger DIR  where the ledger lives (default ~/.cyx/ledger)
  --reset       start from an empty ledger
  --genesis     a local network: deploy the program through the BPF upgradeable loader (a buffer,
                its writes, DeployWithMaxDataLen: the ledger holds its ProgramData, the genesis
                admin its upgrade authority; a rebuilt program is upgraded through the loader at
                the next start), create the CYXWIZ mint and the program's Config, each if missing
                (the genesis admin's key stays in DIR/genesis.json)
  --dev         a development network: also serve JSON-RPC "cyx_warp" [seconds] (moves the clock
                forward) and, with --genesis, the faucet "cyx_faucet" [address, base units,
                lamports] (mints CYXWIZ, airdrops SOL; "cyx faucet" calls it). Off by default: any
                program on this machine could otherwise move the clock or print tokens
  --json        print one JSON line {"rpc", "ws", "programId", "ledger", "mint", "faucet", "dev",
                "program"} when ready ("program": with --genesis, what this start did to it:
                deployed, upgraded, unchanged or authority-recorded; null without)
  -h, --help`,
  async run (argv, io) {
    const { values } = parseCommandArgs(argv, {
      host: { type: 'string' },
      'allow-host': { type: 'string', multiple: true },
      port: { type: 'string' },
      ledger: { type: 'string' },
      reset: { type: 'boolean' },
      genesis: { type: 'boolean' },
      dev: { type: 'boolean' },
      json: { type: 'boolean' }
    })
    const port = Number(values.port ?? 8899)
    if (!Number.isInteger(port) || port < 0 || port > 65_534) throw new UsageError(`--port must be 0..65534 (got ${values.port})`)
    const host = values.host ?? '127.0.0.1'
    if (isIP(host) === 0) throw new UsageError(`--host must be an IP address, e.g. 127.0.0.1, 0.0.0.0 or 3fff::1 (got ${host})`)
    const allowHosts = values['allow-host'] ?? []
    for (const h of allowHosts) {
      if (!/^[a-z0-9.-]{1,253}$/i.test(h)) throw new UsageError(`--allow-host must be a host name (got ${h})`)
    }
    const dir = values.ledger ?? join(homedir(), '.cyx', 'ledger')
    if (!existsSync(PROGRAM_SO_PATH)) {
      io.err(`cyx chain: the cyxwiz program is not built (${PROGRAM_SO_PATH}); run "npm run setup" first`)
      return 1
    }
    const genesis = values.genesis === true
    // A genesis deploys the program through the loader (or finds it deployed); without one LiteSVM
    // loads it at every start, with no upgrade authority.
    const ledger = EmbeddedLedger.open({ dir, reset: values.reset === true, programs: genesis ? [] : [{ programId: CYXWIZ_PROGRAM_ID.toBase58(), path: PROGRAM_SO_PATH }] })
    try {
      assertCurrentLayout(ledger)
    } catch (e) {
      ledger.close()
      io.err(`cyx chain: ${e instanceof Error ? e.message : String(e)}`)
      return 1
    }
    let faucet: Faucet | undefined
    let program: GenesisProgram | undefined
    if (genesis) {
      try {
        ;({ faucet, program } = await ensureGenesis(ledger, dir, { elf: new Uint8Array(readFileSync(PROGRAM_SO_PATH)) }))
      } catch (e) {
        ledger.close()
        io.err(`cyx chain: genesis failed: ${e instanceof Error ? e.message : String(e)}`)
        return 1
      }
      if (faucet === undefined) {
        ledger.close()
        io.err(`cyx chain: this ledger has a Config but no genesis file in ${dir}: it was not set up by --genesis (use --reset to start over)`)
        return 1
      }
    }
    const dev = values.dev === true
    // Requests must name this ledger in their Host header: loopback always, the --host address
    // when it is a specific one (an IPv6 one in brackets, as a Host header writes it), and the names
    // given by --allow-host.
    const allowedHosts = [...allowHosts, ...(host === '0.0.0.0' || host === '::' ? [] : [isIP(host) === 6 ? `[${host}]` : host])]
    const server = new LedgerRpcServer(ledger, { dev, allowedHosts, ...(faucet === undefined ? {} : { faucet }) })
    const faucetServed = dev && faucet !== undefined
    let rpc: string
    try {
      const local = await server.listen({ port, host })
      // The URL others use: the --host address (loopback when serving on every interface).
      const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : isIP(host) === 6 ? `[${host}]` : host
      rpc = local.replace('//127.0.0.1:', `//${shown}:`)
    } catch (e) {
      ledger.close()
      io.err(`cyx chain: cannot listen on ${host}:${port}: ${e instanceof Error ? e.message : String(e)} (is another ledger running? try --port)`)
      return 1
    }
    if (faucet !== undefined) {
      // The step circuit's (development) verifying key, so zk-tier escrows can be opened and paid.
      try {
        const { installStepVerifyingKey } = await import('../../roles/index.js')
        const { Connection } = await import('@solana/web3.js')
        await installStepVerifyingKey(new Connection(rpc, 'confirmed'), faucet.admin)
      } catch (e) {
        await server.close()
        io.err(`cyx chain: installing the step circuit's verifying key failed: ${e instanceof Error ? e.message : String(e)} (run "npm run setup" to build the circuits)`)
        return 1
      }
    }
    const ws = rpc.replace(/^http/, 'ws').replace(/:(\d+)$/, (_m, p: string) => `:${Number(p) + 1}`)
    if (values.json === true) io.out(JSON.stringify({ rpc, ws, programId: CYXWIZ_PROGRAM_ID.toBase58(), ledger: dir, mint: faucet?.mint.toBase58() ?? null, faucet: faucetServed, dev, program: program ?? null }))
    else io.out(`cyx chain: Solana JSON-RPC on ${rpc} (WebSocket ${ws}), program ${CYXWIZ_PROGRAM_ID.toBase58()}, ledger ${dir}, slot ${ledger.slot}${program === undefined ? '' : ` (${program})`}${faucet === undefined ? '' : `, CYXWIZ mint ${faucet.mint.toBase58()}`}${faucetServed ? ', faucet cyx_faucet' : ''}${dev ? ', development methods on (cyx_warp)' : ''}. Ctrl-C to stop.`)
    await untilSignal()
    await server.close()
    if (values.json !== true) io.out('cyx chain: ledger saved, stopped')
    return 0
  }
}
