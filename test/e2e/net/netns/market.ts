/**
 * The public side of a market on a netns internet, as the multi-host tests start it: `cyx chain
 * --genesis --host` on host `chain`, `cyx relay` on host `relay`, and funded wallets for the peers
 * that will run, each funded from its own namespace (behind a NAT the RPC is reached through it).
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { firstJson, type Proc } from '../../../fixtures/cyx-process.js'
import type { Internet } from './index.js'

export const RELAY_PORT = 4001
export const RPC_PORT = 8899

export interface Market {
  readonly rpc: string
  readonly mint: string
  /** The relay's multiaddr with its peer id: every peer's bootstrap. */
  readonly relayAddr: string
  /** Each funded host's wallet address. */
  readonly wallets: Record<string, string>
}

/** Starts the ledger and the relay and funds `tokens` (whole CYXWIZ, and 10 SOL) per host; data under `dir`. */
export async function startMarket (net: Internet, dir: string, tokens: ReadonlyArray<readonly [host: string, amount: string]>): Promise<Market> {
  const chain = net.cyx('chain', ['chain', '--genesis', '--dev', '--host', net.hosts.chain!.addr, '--port', String(RPC_PORT), '--ledger', join(dir, 'ledger'), '--json'])
  const { rpc, mint } = await firstJson<{ rpc: string, mint: string }>(chain, (v) => typeof v.rpc === 'string')
  assert.equal(rpc, `http://[${net.hosts.chain!.addr}]:${RPC_PORT}`)
  const relayListen = net.maddr('relay', RELAY_PORT)
  const relay = net.cyx('relay', ['relay', '--listen', relayListen, '--announce', relayListen, '--dir', join(dir, 'relay'), '--json'])
  const { peerId: relayId } = await firstJson<{ peerId: string }>(relay, (v) => typeof v.peerId === 'string')
  const wallets: Record<string, string> = {}
  for (const [host, amount] of tokens) {
    const p = net.cyx(host, ['faucet', '--dir', join(dir, host), '--tokens', amount, '--sol', '10', '--rpc', rpc, '--json'])
    assert.equal(await p.exited, 0, p.stderr.join('\n'))
    await new Promise((resolve) => setImmediate(resolve))
    wallets[host] = (JSON.parse(p.lines.at(-1)!) as { address: string }).address
  }
  return { rpc, mint, relayAddr: `${relayListen}/p2p/${relayId}`, wallets }
}

/** What each named process last said (40 lines of each stream), for a failed or timed-out run. */
export function printLast (procs: ReadonlyArray<readonly [name: string, p: Proc | undefined]>): void {
  for (const [name, p] of procs) {
    if (p === undefined) continue
    console.error(`--- ${name} stdout (last 40) ---\n${p.lines.slice(-40).join('\n')}\n--- ${name} stderr (last 40) ---\n${p.stderr.slice(-40).join('\n')}`)
  }
}
