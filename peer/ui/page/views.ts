/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The four views, each drawn from the page state (state.ts) into a fresh element: Jobs, Money,
 * Network, Auctions. Text only through textContent (never innerHTML: the feed carries strings
 * from peers). Each job's curves are one uPlot chart kept across redraws (charts.ts).
 */
import { formatUnits, percent, short, tokens } from './format.js'
import { TIMELINE, jobStatus, timelineStep, type JobView, type PageState } from './state.js'
import { curveChart } from './charts.js'

type Child = Node | string | null | undefined | false
type Attrs = Readonly<Record<string, string | number | boolean | undefined>>

export function h (tag: string, attrs: Attrs = {}, ...children: Array<Child | Child[]>): HTMLElement {
  const el = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue
    if (k === 'class') el.className = String(v)
    else el.setAttribute(k, v === true ? '' : String(v))
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue
    el.append(c)
  }
  return el
}

/** A table in a scrolling wrapper (phone width), with a caption for screen readers. */
function table (caption: string, head: readonly string[], rows: ReadonlyArray<ReadonlyArray<Child> | HTMLElement>, empty = 'nothing yet'): HTMLElement {
  const body = rows.length === 0
    ? [h('tr', {}, h('td', { colspan: head.length, class: 'empty' }, empty))]
    : rows.map((r) => r instanceof HTMLElement ? r : h('tr', {}, ...r.map((c) => h('td', {}, c))))
  return h('div', { class: 'scroll' }, h('table', {}, h('caption', {}, caption), h('thead', {}, h('tr', {}, ...head.map((x) => h('th', { scope: 'col' }, x)))), h('tbody', {}, ...body)))
}

const code = (s: string | null | undefined, n = 10): HTMLElement => h('code', { title: s ?? '' }, short(s, n))
const nameOf = (s: PageState, peerId: string): string => s.names.get(peerId) ?? short(peerId, 12)
const dec = (s: PageState): number => s.hello?.decimals ?? 9

// ————————————————————————————— Jobs —————————————————————————————

function timeline (j: JobView): HTMLElement {
  const reached = timelineStep(j)
  const at = reached === undefined ? -1 : TIMELINE.indexOf(reached)
  const status = jobStatus(j)
  return h('ol', { class: 'timeline', 'aria-label': `timeline of ${j.name}` },
    ...TIMELINE.map((step, i) => h('li', { class: i <= at ? 'done' : '', 'aria-current': i === at ? 'step' : undefined }, step)),
    status === 'disputed' || status === 'refunded' || status === 'failed' || status === 'rejected' ? h('li', { class: 'bad', 'aria-current': 'step' }, status) : null)
}

function jobCard (s: PageState, j: JobView, token: string): HTMLElement {
  const d = dec(s)
  const status = jobStatus(j)
  const last = j.metrics[j.metrics.length - 1]
  const sub = j.submit
  const model = j.outcome?.model === true && j.jobId !== undefined
  const facts: Array<[string, Child]> = [
    ['job id', code(j.jobId ?? null, 16)],
    ['dataset', sub === undefined ? '—' : `${sub.datasetId} (${sub.tier} tier${sub.via === 'page' ? ', submitted from this page' : ''})`],
    ['epochs', `${j.metrics.length} of ${sub?.epochs ?? j.totalEpochs ?? '?'}`],
    ['max price', tokens(sub?.maxPrice, d)],
    ['worker', j.award === undefined ? '—' : `${nameOf(s, j.award.worker)} at ${tokens(j.award.price, d)}`],
    ['escrow', j.escrow === undefined ? (j.award === undefined ? '—' : code(j.award.escrow, 12)) : h('span', {}, code(j.escrow.address, 12), ` ${j.escrow.state}, ${tokens(j.escrow.amount, d)}, ${j.escrow.epochsDone}/${j.escrow.epochsTotal} checkpoints anchored`)],
    ['anchored root', j.escrow?.anchoredRoot !== null && j.escrow?.anchoredRoot !== undefined ? code(j.escrow.anchoredRoot, 16) : j.anchored === undefined ? '—' : h('span', {}, code(j.anchored.root, 16), j.anchored.ok ? ' matches the evidence' : ` DOES NOT match: ${j.anchored.reason ?? ''}`)],
    ['evidence', j.evidence === undefined ? '—' : h('span', {}, code(j.evidence.cid, 20), ` ${j.evidence.blocks} blocks, ${j.evidence.bytes} bytes over bitswap`)],
    ['spot checks', j.spotCheck === undefined ? '—' : `${j.spotCheck.passed ? 'passed' : 'FAILED'} (segments ${j.spotCheck.segments.join(', ') || '—'})${j.spotCheck.reasons.length > 0 ? `: ${j.spotCheck.reasons[0] ?? ''}` : ''}`],
    ['proof', sub?.tier === 'zk' ? (j.zk === undefined ? 'zk tier: not yet' : `Groth16 proof of step ${j.zk.challengeStep} ${j.zk.verifiedOnChain ? 'verified on-chain by complete_zk' : 'NOT verified'}`) : 'optimistic tier: spot checks within the challenge window'],
    ['accuracy', last === undefined ? '—' : `test ${percent(last.testAccuracy)}, train ${percent(last.trainAccuracy)}, loss ${last.loss.toFixed(4)}${j.outcome?.testAccuracy !== null && j.outcome?.testAccuracy !== undefined ? `; the returned model measured by the client: ${percent(j.outcome.testAccuracy)}` : ''}`],
    ['model', model ? h('a', { href: `/api/model/${j.jobId ?? ''}?token=${encodeURIComponent(token)}`, download: `${j.jobId ?? 'model'}.onnx` }, 'download the trained ONNX file') : '—']
  ]
  if (j.reconnects > 0) facts.push(['session', `${j.reconnects} reconnect${j.reconnects === 1 ? '' : 's'}`])
  if (j.outcome?.error !== null && j.outcome?.error !== undefined) facts.push(['error', j.outcome.error])
  const checkpoints = table(`checkpoints of ${j.name}`, ['epoch', 'chain hash', 'CID'], j.checkpoints.map((c) => [String(c.epoch), code(c.chainHash, 12), code(c.cid, 16)]))
  return h('article', { class: 'card job', 'data-job': j.name, 'data-status': status, 'data-points': j.metrics.length, tabindex: 0, 'aria-label': `job ${j.name}: ${status}` },
    h('header', {}, h('h3', {}, j.name), h('span', { class: `badge ${status}`, 'data-role': 'status' }, status)),
    timeline(j),
    curveChart(j),
    h('dl', {}, ...facts.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
    h('details', {}, h('summary', {}, `checkpoints (${j.checkpoints.length})`), checkpoints))
}

export function jobsView (s: PageState, token: string): HTMLElement {
  const jobs = [...s.jobs.values()]
  const report = s.report === undefined
    ? null
    : h('section', { class: `report ${s.report.ok ? 'ok' : 'bad'}`, 'aria-label': 'the run\'s checks' },
      h('h3', {}, s.report.ok ? 'The run\'s checks all hold' : 'Some of the run\'s checks FAILED'),
      h('ul', {}, ...s.report.checks.map((c) => h('li', { class: c.ok ? 'ok' : 'bad' }, `${c.ok ? '✓' : '✗'} ${c.name}`))))
  return h('div', {},
    jobs.length === 0 ? h('p', { class: 'empty' }, 'no job yet') : h('div', { class: 'cards' }, ...jobs.map((j) => jobCard(s, j, token))),
    report)
}

// ————————————————————————————— Money —————————————————————————————

const SETTLING = new Set(['complete', 'complete_zk', 'claim_payment', 'timeout_refund', 'resolve_dispute', 'finalize_dispute', 'cancel_escrow'])

export function moneyView (s: PageState): HTMLElement {
  const d = dec(s)
  const balances = Object.entries(s.balances)
  const balanceRows = balances.map(([name, units]) => h('tr', {},
    h('th', { scope: 'row' }, name),
    h('td', { class: 'num', 'data-balance-of': name, 'data-base-units': units }, tokens(units, d)),
    h('td', { class: 'num' }, h('code', {}, units))))
  const escrows = [...s.jobs.values()].filter((j) => j.escrow !== undefined).map((j) => {
    const e = j.escrow!
    return [j.name, code(e.address, 12), e.state, tokens(e.amount, d), e.worker, `${e.epochsDone}/${e.epochsTotal}`]
  })
  const settlements = s.txs.filter((t) => t.instructions.some((i) => SETTLING.has(i)))
  const settlementRows = settlements.map((t) => [t.instructions.filter((i) => SETTLING.has(i)).join(', '), code(t.signature, 16), String(t.slot), `${t.computeUnits} CU`, t.ok ? 'ok' : `failed: ${t.error ?? ''}`])
  const nodes = Object.entries(s.nodes).map(([name, n]) => [name, tokens(n.stake, d), String(n.reputation), n.tier, String(n.jobsCompleted), String(n.jobsFailed), n.status])
  const disputes = [...s.disputes.values()].map((x) => [x.job ?? '—', code(x.address, 12), x.state, `jury ${x.round + 1}`, String(x.voters), x.votesClient, x.votesWorker, x.winner ?? '—'])
  const units = s.txs.reduce((a, t) => a + t.computeUnits, 0)
  const balanceTable = h('div', { class: 'scroll' }, h('table', { id: 'balances' }, h('caption', {}, `token balances (${s.report === undefined ? 'live' : 'as the run ended'}); 1 CYXWIZ = 10^${d} base units`),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'who'), h('th', { scope: 'col' }, 'balance'), h('th', { scope: 'col' }, 'base units'))),
    h('tbody', {}, ...(balanceRows.length === 0 ? [h('tr', {}, h('td', { colspan: 3, class: 'empty' }, 'nothing yet'))] : balanceRows))))
  return h('div', {},
    balanceTable,
    table('escrows', ['job', 'address', 'state', 'amount', 'worker', 'checkpoints'], escrows),
    table('settlements: transactions that paid or refunded', ['instruction', 'signature', 'slot', 'compute units', 'result'], settlementRows),
    table('stake and reputation of each worker (Node accounts)', ['worker', 'stake', 'reputation', 'tier', 'jobs done', 'jobs failed', 'status'], nodes),
    table('disputes, with the jury\'s revealed votes (one per drawn juror)', ['job', 'dispute', 'state', 'round', 'revealed', 'jurors for the client', 'jurors for the worker', 'winner'], disputes, 'no dispute'),
    h('details', {}, h('summary', {}, `every transaction (${s.txs.length}, ${units} compute units)`),
      table('transactions', ['instructions', 'signature', 'slot', 'compute units', 'result'], s.txs.slice().reverse().map((t) => [t.instructions.join(', '), code(t.signature, 16), String(t.slot), `${t.computeUnits} CU`, t.ok ? 'ok' : `failed: ${t.error ?? ''}`]))))
}

// ————————————————————————————— Network —————————————————————————————

const relayedAddr = (a: string): boolean => a.includes('/p2p-circuit')

export function networkView (s: PageState): HTMLElement {
  const d = dec(s)
  const peers = [...s.peers.values()]
  const rows = peers.map((p) => {
    const n = s.nodes[p.name]
    const conns = p.connections
    return [
      h('strong', {}, p.name), p.role, code(p.peerId, 12),
      h('span', {}, ...p.addrs.map((a) => h('code', { class: 'addr' }, `${a}${relayedAddr(a) ? ' (relayed)' : ''}`))),
      conns === undefined ? '—' : `${conns.length} (${conns.filter((c) => c.relayed).length} relayed, ${conns.filter((c) => !c.relayed).length} direct)`,
      p.pricePerHour === null ? '—' : `${tokens(p.pricePerHour, d)}/h`,
      p.capacity === null ? '—' : `${p.capacity} jobs`,
      n === undefined ? '—' : `${tokens(n.stake, d)}, ${n.tier} (${n.reputation})`,
      p.role !== 'worker' ? '—' : p.advertised === undefined ? 'not yet' : `stored on ${p.advertised} peer${p.advertised === 1 ? '' : 's'}`,
      String(p.pid)
    ]
  })
  const connRows = peers.flatMap((p) => (p.connections ?? []).map((c) => [p.name, nameOf(s, c.remotePeer), h('code', { class: 'addr' }, c.remoteAddr), c.relayed ? 'relayed' : 'direct', c.direction]))
  const h0 = s.hello
  return h('div', {},
    h0 === undefined ? null : h('p', {}, `ledger ${h0.rpc}; program `, code(h0.programId, 12), '; mint ', code(h0.mint, 12)),
    table('peers and their capability adverts', ['peer', 'role', 'peer id', 'addresses', 'connections', 'price', 'capacity', 'stake, tier', 'advert in the DHT', 'process'], rows),
    table('connections: each peer\'s open libp2p connections, through a circuit relay or direct', ['peer', 'to', 'address', 'kind', 'direction'], connRows, s.hello?.mode === 'local' ? 'cyx ui reads the peer\'s dir: it does not see its connections' : 'no connection reported yet'))
}

// ————————————————————————————— Auctions —————————————————————————————

export function auctionsView (s: PageState): HTMLElement {
  const d = dec(s)
  const workers = [...s.peers.values()].filter((p) => p.role === 'worker')
  const sections = [...s.jobs.values()].map((j) => {
    const rep = (peerId: string): string => { const n = s.nodes[s.names.get(peerId) ?? '']; return n === undefined ? '—' : `${n.reputation} (${n.tier})` }
    const bids = j.bids.map((b) => h('tr', { class: j.award?.worker === b.from ? 'won' : '' },
      h('td', {}, nameOf(s, b.from)), h('td', { class: 'num' }, tokens(b.price, d)), h('td', { class: 'num' }, `${b.etaSeconds} s`), h('td', {}, rep(b.from)), h('td', {}, j.award?.worker === b.from ? 'awarded' : '')))
    const why = workers.map((w) => {
      const wj = j.jobId === undefined ? undefined : s.workerJobs.get(w.name)?.get(j.jobId)
      const verdict = wj === undefined
        ? 'no word from it: the announcement did not reach it, or it was busy'
        : wj.bidError !== undefined ? `its bid failed: ${wj.bidError}`
          : wj.decision === undefined ? (wj.bid !== undefined ? 'bid' : 'no decision reported')
            : wj.decision.bid ? (wj.bid === undefined ? 'decided to bid' : `bid ${tokens(wj.bid, d)}`) : `did not bid: ${wj.decision.reason}`
      return [w.name, verdict, wj?.states.join(' → ') ?? '—']
    })
    const sub = j.submit
    return h('section', { class: 'card', 'aria-label': `auction of ${j.name}` },
      h('h3', {}, `${j.name}`),
      h('p', {}, `announced with a max price of ${tokens(sub?.maxPrice, d)}, ${sub?.epochs ?? '?'} epochs; ${j.workersFound === undefined ? '' : `${j.workersFound} worker adverts found in the DHT; `}${j.bids.length} bid${j.bids.length === 1 ? '' : 's'}`,
        j.award === undefined ? '' : `; awarded to ${nameOf(s, j.award.worker)} at ${tokens(j.award.price, d)}`),
      h('div', { class: 'scroll' }, h('table', {}, h('caption', {}, `bids on ${j.name}`),
        h('thead', {}, h('tr', {}, ...['worker', 'price', 'ETA', 'reputation', ''].map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, ...(bids.length === 0 ? [h('tr', {}, h('td', { colspan: 5, class: 'empty' }, 'no bid yet'))] : bids)))),
      table(`what each worker did about ${j.name}, and why it did not bid`, ['worker', 'decision', 'its job states'], why))
  })
  return h('div', {}, sections.length === 0 ? h('p', { class: 'empty' }, 'no auction yet') : h('div', { class: 'cards wide' }, ...sections))
}

export { formatUnits }
