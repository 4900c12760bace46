/** `cyx faucet`: CYXWIZ and SOL from a local development ledger started with `cyx chain --genesis --dev`. */
import { PublicKey } from '@solana/web3.js'
import { parseCommandArgs, UsageError, type Command } from '../command.js'
import { PEER_OPTIONS, dataDir, jsonLine, rpcUrl, tokens } from './peer-common.js'

export const faucetCommand: Command = {
  name: 'faucet',
  usage: `Usage: cyx faucet [ADDRESS] [--dir DIR] [--keypair PATH] [--tokens 100] [--sol 10] [--rpc URL] [--json]

Asks a local ledger started with "cyx chain --genesis --dev" for CYXWIZ (minted to the address's token
account, created if missing) and SOL (airdropped, for fees). Without ADDRESS: the wallet of the
peer in DIR (created there if missing, as "cyx worker" and "cyx client" would). Refused by any
ledger not started with --genesis --dev.

Options:
  --dir DIR        the peer's data dir (default ~/.cyx)
  --keypair PATH   the wallet (default DIR/wallet.json)
  --tokens N       CYXWIZ to mint (default 100; at most 1,000,000)
  --sol N          SOL to airdrop (default 10; at most 100)
  --rpc URL        the ledger (default http://127.0.0.1:8899)
  --json           one JSON line
  -h, --help`,
  async run (argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { ...PEER_OPTIONS, tokens: { type: 'string' }, sol: { type: 'string' } }, true)
    if (positionals.length > 1) throw new UsageError('at most one ADDRESS')
    const units = tokens(values.tokens ?? '100', 'tokens')
    const lamports = tokens(values.sol ?? '10', 'sol')
    let address: string
    if (positionals[0] !== undefined) {
      try {
        address = new PublicKey(positionals[0]).toBase58()
      } catch {
        throw new UsageError(`ADDRESS must be a base-58 public key (got ${positionals[0]})`)
      }
    } else {
      const { loadOrCreateWallet, WALLET_FILE } = await import('../../node/index.js')
      const { join } = await import('node:path')
      const wallet = await loadOrCreateWallet(values.keypair ?? join(dataDir(values.dir), WALLET_FILE))
      address = new PublicKey(wallet.signer.publicKey).toBase58()
    }
    const url = rpcUrl(values.rpc)
    const request = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'cyx_faucet', params: [address, String(units), String(lamports)] }) }
    let res: Response | undefined
    for (let attempt = 1; res === undefined; attempt++) {
      try {
        res = await fetch(url, request)
      } catch (e) {
        // Retry only a refused connection (nothing reached the ledger, so nothing is minted twice),
        // e.g. a ledger still starting on a loaded machine; say what failed otherwise.
        const cause = (e as { cause?: { code?: string, message?: string } }).cause
        if (cause?.code === 'ECONNREFUSED' && attempt < 5) { await new Promise((resolve) => setTimeout(resolve, 500 * attempt)); continue }
        throw new Error(`cannot reach the ledger at ${url}: ${cause?.message ?? (e instanceof Error ? e.message : String(e))}`)
      }
    }
    const body = await res.json() as { result?: { tokenAccount: string, signatures: string[] }, error?: { message: string } }
    if (body.error !== undefined || body.result === undefined) {
      io.err(`cyx faucet: ${body.error?.message ?? 'no answer'}`)
      return 1
    }
    if (values.json === true) io.out(jsonLine({ address, units, lamports, tokenAccount: body.result.tokenAccount, signatures: body.result.signatures }))
    else io.out(`cyx faucet: ${address} received ${values.tokens ?? '100'} CYXWIZ (token account ${body.result.tokenAccount}) and ${values.sol ?? '10'} SOL`)
    return 0
  }
}
