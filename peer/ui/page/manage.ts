/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The Manage view: what the owner does after the fact, through the server's actions (the CLI's own
 * verbs behind them: `cyx client cancel|rate`, `cyx dispute open`, `cyx worker pause|resume|price`).
 * - a job: cancel it (funded, not delivered), open a dispute (delivered, optimistic, in its
 *   challenge window), rate its worker (completed) — only what `jobActions` says could succeed is
 *   enabled;
 * - a worker: pause or resume its bidding, set its price per hour.
 * Built once and kept across redraws (a choice or a typed price stays); each redraw refreshes the
 * lists and which buttons apply. The server's answer or refusal is shown as it is.
 */
import { action } from './api.js'
import { tokens } from './format.js'
import { jobActions, jobStatus, type PageState } from './state.js'
import { h } from './views.js'

let view: HTMLElement | undefined
let refresh: (() => void) | undefined

let fields = 0
function field (label: string, input: HTMLElement): HTMLElement {
  const id = `manage-${++fields}`
  input.id = id
  return h('div', { class: 'field' }, h('label', { for: id }, label), input)
}

/** Replaces `select`'s options by `options` (value, text) when they changed, keeping the choice. */
function setOptions (select: HTMLSelectElement, options: ReadonlyArray<readonly [string, string]>): void {
  const now = [...select.options].map((o) => `${o.value}\u0000${o.text}`).join('\u0001')
  const next = options.map(([v, t]) => `${v}\u0000${t}`).join('\u0001')
  if (now === next) return
  const chosen = select.value
  select.replaceChildren(...options.map(([v, t]) => h('option', { value: v }, t)))
  if (options.some(([v]) => v === chosen)) select.value = chosen
}

export function manageView (s: PageState, token: string): HTMLElement {
  if (view !== undefined) {
    refresh?.()
    return view
  }
  const d = (): number => s.hello?.decimals ?? 9
  const local = (): boolean => s.hello?.mode === 'local'
  const result = h('div', { class: 'result', role: 'status', 'aria-live': 'polite' })
  const say = (text: string, ok: boolean): void => { result.replaceChildren(h('p', { class: ok ? 'ok' : 'bad', ...(ok ? {} : { role: 'alert' }), 'data-role': ok ? 'done' : 'refused' }, text)) }
  const run = (button: HTMLButtonElement, name: string, body: Record<string, unknown>, done: (r: Record<string, unknown>) => string): void => {
    button.disabled = true
    say(`${name}…`, true)
    action(token, name, body).then((r) => { say(done(r), true) }, (err: unknown) => { say((err as Error).message, false) }).finally(() => { button.disabled = false; refresh?.() })
  }

  // ——— a job ———
  const job = h('select', { name: 'job' }) as HTMLSelectElement
  const stars = h('select', { name: 'stars' }, ...[5, 4, 3, 2, 1].map((n) => h('option', { value: n }, `${n} star${n === 1 ? '' : 's'}`))) as HTMLSelectElement
  const cancel = h('button', { type: 'button', 'data-action': 'cancel' }, 'Cancel the job') as HTMLButtonElement
  const dispute = h('button', { type: 'button', 'data-action': 'dispute' }, 'Open a dispute') as HTMLButtonElement
  const rate = h('button', { type: 'button', 'data-action': 'rate' }, 'Rate the worker') as HTMLButtonElement
  const jobNote = h('p', { class: 'hint' })
  const selectedJob = (): { jobId: string, name: string } | undefined => {
    const j = s.jobs.get(job.value)
    return j?.jobId === undefined ? undefined : { jobId: j.jobId, name: j.name }
  }
  cancel.addEventListener('click', () => { const j = selectedJob(); if (j !== undefined) run(cancel, 'cancel', { job: j.jobId }, (r) => `${j.name}: cancelled on-chain (${String(r.signature)})`) })
  dispute.addEventListener('click', () => { const j = selectedJob(); if (j !== undefined) run(dispute, 'dispute', { job: j.jobId }, (r) => `${j.name}: dispute opened, citing ${String(r.evidenceCid)} (${String(r.signature)})`) })
  rate.addEventListener('click', () => { const j = selectedJob(); if (j !== undefined) run(rate, 'rate', { job: j.jobId, stars: Number(stars.value) }, (r) => `${j.name}: rated ${String(r.stars)} stars (${String(r.signature)})`) })
  job.addEventListener('change', () => { refresh?.() })

  // ——— a worker ———
  const worker = h('select', { name: 'worker' }) as HTMLSelectElement
  const pause = h('button', { type: 'button', 'data-action': 'pause' }, 'Pause bidding') as HTMLButtonElement
  const price = h('input', { name: 'price', type: 'text', inputmode: 'decimal', placeholder: 'e.g. 80' }) as HTMLInputElement
  const setPrice = h('button', { type: 'button', 'data-action': 'price' }, 'Set the price') as HTMLButtonElement
  const workerNote = h('p', { class: 'hint' })
  const target = (): Record<string, unknown> => local() ? {} : { worker: worker.value }
  pause.addEventListener('click', () => {
    const p = s.peers.get(worker.value)
    const paused = p?.paused !== true
    run(pause, 'pause', { ...target(), paused }, (r) => `${worker.value}: ${r.paused === true ? 'paused: it bids on nothing and takes no new award' : 'bidding again'}`)
  })
  setPrice.addEventListener('click', () => {
    run(setPrice, 'price', { ...target(), price: price.value.trim() }, (r) => `${worker.value}: now ${tokens(String(r.pricePerHour), d())} per hour`)
  })
  worker.addEventListener('change', () => { refresh?.() })

  refresh = () => {
    const names = s.hello?.actions ?? []
    const jobs = [...s.jobs.values()].filter((j) => j.jobId !== undefined)
    setOptions(job, jobs.map((j) => [j.name, `${j.name} (${jobStatus(j)})`] as const))
    const j = s.jobs.get(job.value)
    const can = j === undefined ? [] : jobActions(j).filter((a) => names.includes(a))
    cancel.disabled = !can.includes('cancel')
    dispute.disabled = !can.includes('dispute')
    rate.disabled = !can.includes('rate')
    stars.disabled = rate.disabled
    jobNote.textContent = jobs.length === 0 ? 'no job with an escrow yet' : can.length === 0 ? 'nothing to do about this job now (cancel: funded and not delivered; dispute: delivered, in its challenge window; rate: completed)' : `you may: ${can.join(', ')}`
    const workers = [...s.peers.values()].filter((p) => p.role.includes('worker'))
    setOptions(worker, workers.map((p) => [p.name, p.name] as const))
    const w = s.peers.get(worker.value)
    pause.textContent = w?.paused === true ? 'Resume bidding' : 'Pause bidding'
    pause.disabled = w === undefined || !names.includes('pause')
    setPrice.disabled = w === undefined || !names.includes('price')
    workerNote.textContent = w === undefined ? 'no worker here' : `${w.name}: ${w.paused ? 'paused' : 'bidding'}${w.pricePerHour === null ? '' : `, at ${tokens(w.pricePerHour, d())} per hour`}`
    workerNote.dataset.paused = String(w?.paused === true)
  }

  view = h('div', { class: 'manage' },
    h('section', { class: 'card', 'aria-label': 'a job' }, h('h3', {}, 'A job'),
      field('job', job), h('div', { class: 'buttons' }, cancel, dispute), h('div', { class: 'buttons' }, field('stars', stars), rate), jobNote),
    h('section', { class: 'card', 'aria-label': 'a worker' }, h('h3', {}, 'A worker'),
      field('worker', worker), h('div', { class: 'buttons' }, pause), h('div', { class: 'buttons' }, field('price per hour (CYXWIZ)', price), setPrice), workerNote),
    result)
  refresh()
  return view
}
