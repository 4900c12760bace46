/**
 * The live page's feed: what the server tells the page, one typed event at a time, as JSON. Token
 * amounts travel as decimal strings of base units (never numbers: the page shows them exactly),
 * bytes as hex. The page (peer/ui/page) imports these types and nothing else from the server side.
 */
import { toHex } from '../../protocols/index.js'

/** A value as it crosses JSON: bigints as decimal strings, bytes as hex. */
export type Plain<T> = T extends bigint ? string
  : T extends Uint8Array ? string
    : T extends ReadonlyArray<infer U> ? ReadonlyArray<Plain<U>>
      : T extends object ? { readonly [K in keyof T]: Plain<T[K]> }
        : T

/** `v` as JSON-safe data: bigints to decimal strings, bytes to hex, errors to their message. */
export function plain (v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString()
  if (v instanceof Uint8Array) return toHex(v)
  if (v instanceof Error) return { error: v.message }
  if (Array.isArray(v)) return v.map(plain)
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(v)) if (typeof x !== 'function' && x !== undefined) out[k] = plain(x)
    return out
  }
  return v
}

/** A worker's on-chain standing as the page shows it. */
export interface NodeStanding {
  readonly stake: string
  readonly reputation: number
  readonly tier: string
  readonly jobsCompleted: number
  readonly jobsFailed: number
  readonly status: string
}

/** One connection of a peer's libp2p node. */
export interface ConnectionView {
  readonly remotePeer: string
  readonly remoteAddr: string
  /** Through a circuit relay, or direct. */
  readonly relayed: boolean
  readonly direction: string
}

export type UiEvent =
  /** First, once: what the page looks at. */
  | { readonly type: 'hello', readonly mode: 'sim' | 'local', readonly title: string, readonly rpc: string, readonly programId: string, readonly mint: string, /** Token amounts are base units; 10^decimals of them make one CYXWIZ. */ readonly decimals: number, readonly actions: readonly ActionName[] }
  /** A peer started (again, after a restart: same name, new addresses). */
  | { readonly type: 'peer', readonly name: string, readonly role: string, readonly peerId: string, readonly addrs: readonly string[], readonly wallet: string, readonly pid: number, readonly pricePerHour: string | null, readonly capacity: number | null }
  /** A peer's libp2p connections now (sent when they change). */
  | { readonly type: 'connections', readonly name: string, readonly connections: readonly ConnectionView[] }
  /** One of a worker role's own events (WorkerEvent, plain): registered, advertised, bid-decision … */
  | { readonly type: 'worker', readonly name: string, readonly event: { readonly type: string, readonly jobId?: string } & Readonly<Record<string, unknown>> }
  /** A job the client submits, under a name for the page. */
  | { readonly type: 'submit', readonly job: string, readonly datasetId: string, readonly tier: string, readonly epochs: number, readonly maxPrice: string, readonly via: 'run' | 'page' }
  /** One of the client's events for that job (ClientJobEvent, plain): state, bid, award, metrics … */
  | { readonly type: 'job', readonly job: string, readonly event: { readonly type: string } & Readonly<Record<string, unknown>> }
  /** How a submitted job ended for the client. */
  | { readonly type: 'outcome', readonly job: string, readonly jobId: string | null, readonly state: string, readonly error: string | null, readonly model: boolean, readonly testAccuracy: number | null }
  /** A transaction the ledger processed: the program's instructions by name, compute units. */
  | { readonly type: 'tx', readonly signature: string, readonly slot: number, readonly instructions: readonly string[], readonly computeUnits: number, readonly ok: boolean, readonly error: string | null }
  /** Every known token balance (peers' wallets and the program's vaults), base units. */
  | { readonly type: 'balances', readonly balances: Readonly<Record<string, string>> }
  /** The workers' Node accounts. */
  | { readonly type: 'nodes', readonly nodes: Readonly<Record<string, NodeStanding>> }
  /** A job's escrow on-chain. */
  | { readonly type: 'escrow', readonly job: string, readonly address: string, readonly state: string, readonly amount: string, readonly worker: string, readonly epochsDone: number, readonly epochsTotal: number, readonly anchoredRoot: string | null }
  /** A dispute on-chain. */
  | { readonly type: 'dispute', readonly address: string, readonly escrow: string, readonly state: string, readonly votesClient: string, readonly votesWorker: string, readonly voters: number, readonly round: number, readonly winner: 'client' | 'worker' | 'none' | 'unavailable' | null, readonly job?: string }
  /** The run's report (sim): its checks and the balances it reconciled. */
  | { readonly type: 'report', readonly ok: boolean, readonly checks: ReadonlyArray<{ readonly name: string, readonly ok: boolean }>, readonly balances: Readonly<Record<string, string>> }
  /** A line of the run's log. */
  | { readonly type: 'log', readonly line: string }
  /** An action taken from the page, and how it went. */
  | { readonly type: 'action', readonly action: ActionName, readonly ok: boolean, readonly message: string }
  /** The run is over; the page stays as it is. */
  | { readonly type: 'end', readonly lingerSeconds: number }

/** What the page may ask for (POST /api/action/NAME). */
export type ActionName = 'check' | 'quote' | 'submit' | 'cancel' | 'rate' | 'dispute' | 'pause' | 'price'
