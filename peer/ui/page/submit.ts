/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The Submit view: a job from the page, in three steps — fill in the form (a built-in dataset, or
 * your own ONNX model and data file), "Check and quote" (your model through `cyx model check`'s
 * check, the request through `cyx client submit`'s own checks, the most it can cost against what
 * the client holds and what the workers ask), then "Confirm and submit". The server runs each step
 * with the same roles and checks as the CLI (POST /api/action/NAME); its error is shown as it is.
 * The form is built once and kept across redraws (what was typed stays).
 */
import { action } from './api.js'
import { tokens } from './format.js'
import type { PageState } from './state.js'
import { h } from './views.js'

let form: HTMLElement | undefined

async function base64 (f: File): Promise<string> {
  const bytes = new Uint8Array(await f.arrayBuffer())
  let s = ''
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(s)
}

let fields = 0
/** A labelled field: the label names the input alone (for, id), the hint describes it. */
function field (label: string, input: HTMLElement, hint?: string): HTMLElement {
  const id = `field-${++fields}`
  input.id = id
  if (hint !== undefined) input.setAttribute('aria-describedby', `${id}-hint`)
  return h('div', { class: 'field' }, h('label', { for: id }, label), input, hint === undefined ? null : h('small', { id: `${id}-hint` }, hint))
}

export function submitView (s: PageState, token: string): HTMLElement {
  if (form !== undefined) return form
  const d = (): number => s.hello?.decimals ?? 9
  const dataset = h('select', { name: 'dataset' },
    h('option', { value: 'spirals' }, 'spirals (built-in)'), h('option', { value: 'mnist' }, 'mnist (built-in)'),
    h('option', { value: 'mnist-4x4' }, 'mnist-4x4 (built-in, zk tier)'), h('option', { value: 'own' }, 'my own ONNX model and data')) as HTMLSelectElement
  const tier = h('select', { name: 'tier' }, h('option', { value: '' }, 'as the dataset says'), h('option', { value: 'optimistic' }, 'optimistic'), h('option', { value: 'zk' }, 'zk')) as HTMLSelectElement
  const epochs = h('input', { name: 'epochs', type: 'number', min: 1, max: 1000, value: 2, required: true, inputmode: 'numeric' }) as HTMLInputElement
  const maxPrice = h('input', { name: 'max-price', type: 'text', value: '10', required: true, inputmode: 'decimal' }) as HTMLInputElement
  const model = h('input', { name: 'model', type: 'file', accept: '.onnx' }) as HTMLInputElement
  const data = h('input', { name: 'data', type: 'file', accept: '.npz,.npy,.csv,.idx,.gz' }) as HTMLInputElement
  const own = h('fieldset', { class: 'own', hidden: true }, h('legend', {}, 'your own model'),
    field('ONNX model', model, 'exported with torch.onnx.export in eval mode, opset 13–17'),
    field('data file', data, '.npz (x_train, y_train[, x_test, y_test]), .npy or CSV'))
  dataset.addEventListener('change', () => { own.hidden = dataset.value !== 'own'; invalidate() })
  const checkButton = h('button', { type: 'submit' }, 'Check and quote') as HTMLButtonElement
  const confirmButton = h('button', { type: 'button', disabled: true }, 'Confirm and submit') as HTMLButtonElement
  const result = h('div', { class: 'result', role: 'status', 'aria-live': 'polite' })
  const say = (...lines: Array<string | HTMLElement>): void => { result.replaceChildren(...lines.map((l) => typeof l === 'string' ? h('p', {}, l) : l)) }
  let quoted: Record<string, unknown> | undefined
  function invalidate (): void { quoted = undefined; confirmButton.disabled = true }
  for (const i of [tier, epochs, maxPrice, model, data]) i.addEventListener('input', invalidate)

  const body = async (): Promise<Record<string, unknown>> => {
    const b: Record<string, unknown> = { epochs: epochs.value, 'max-price': maxPrice.value }
    if (tier.value !== '') b.tier = tier.value
    if (dataset.value !== 'own') { b.dataset = dataset.value; return b }
    const m = model.files?.[0]
    const x = data.files?.[0]
    if (m !== undefined) b.model = { name: m.name, base64: await base64(m) }
    if (x !== undefined) b.data = { name: x.name, base64: await base64(x) }
    return b
  }

  const el = h('form', { class: 'submit card', 'aria-label': 'submit a job', novalidate: true },
    h('h3', {}, 'Submit a job'),
    h('p', {}, 'The page checks and quotes first; nothing is announced or escrowed until you confirm.'),
    field('dataset', dataset), field('tier', tier), field('epochs', epochs), field('max price (CYXWIZ)', maxPrice, 'the most the escrow holds; the winning bid may ask less'),
    own, h('div', { class: 'buttons' }, checkButton, confirmButton), result) as HTMLFormElement

  el.addEventListener('submit', (e) => {
    e.preventDefault()
    invalidate()
    checkButton.disabled = true
    say('checking…')
    ;(async () => {
      const b = await body()
      const lines: Array<string | HTMLElement> = []
      if (typeof b.model === 'object') {
        const c = await action(token, 'check', { model: (b.model as { base64: string }).base64 })
        lines.push(h('pre', { class: c.supported === true ? 'ok' : 'bad' }, String(c.text)))
        if (c.supported !== true) { say(...lines, 'cyxwiz cannot train this model (above): nothing was submitted.'); return }
      }
      const q = await action(token, 'quote', b)
      const asks = (q.asks as Array<{ worker: string, pricePerHour: string }> | undefined) ?? []
      lines.push(h('p', { 'data-role': 'quote' }, `${String(q.datasetId)}, ${String(q.tier)} tier, ${String(q.epochs)} epochs: the escrow holds at most ${tokens(String(q.maxPrice), d())} (the winning bid's price), of the client's ${tokens(String(q.clientBalance), d())}.`),
        h('p', {}, `Workers ask ${asks.length === 0 ? 'nothing yet' : asks.map((a) => `${a.worker} ${tokens(a.pricePerHour, d())}/h`).join(', ')}; bids close after ${String(q.bidWindowSeconds)} s.`))
      if (q.affordable !== true) { say(...lines, 'The client cannot afford this max price.'); return }
      quoted = b
      confirmButton.disabled = false
      say(...lines, 'Confirm to announce it.')
    })().catch((err: unknown) => { say(h('p', { class: 'bad', role: 'alert' }, (err as Error).message)) }).finally(() => { checkButton.disabled = false })
  })
  confirmButton.addEventListener('click', () => {
    const b = quoted
    if (b === undefined) return
    confirmButton.disabled = true
    action(token, 'submit', b).then((r) => {
      quoted = undefined
      say(h('p', { 'data-role': 'submitted' }, `Submitted as ${String(r.job)}: follow it on the Jobs and Auctions tabs.`))
    }, (err: unknown) => {
      confirmButton.disabled = false
      say(h('p', { class: 'bad', role: 'alert' }, (err as Error).message))
    })
  })
  form = el
  return el
}
