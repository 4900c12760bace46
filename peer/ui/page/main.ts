/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The page: it reads the token from the address's fragment, subscribes to the feed over
 * Server-Sent Events (the browser resumes with Last-Event-ID by itself; no polling), folds each
 * event into the page state and redraws the open view once per animation frame.
 * The views as tabs (arrow keys move between them, as in any tab list): Jobs, Money, Network,
 * Auctions, and Submit and Manage where the server offers them.
 */
import './style.css'
import type { UiEvent } from '../events.js'
import { apply, emptyState } from './state.js'
import { auctionsView, jobsView, moneyView, networkView } from './views.js'
import { submitView } from './submit.js'
import { manageView } from './manage.js'

const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? ''
const status = document.getElementById('status') as HTMLElement
const state = emptyState()

const VIEWS = {
  jobs: () => jobsView(state, token),
  money: () => moneyView(state),
  network: () => networkView(state),
  auctions: () => auctionsView(state),
  submit: () => submitView(state, token),
  manage: () => manageView(state, token)
} as const
type ViewName = keyof typeof VIEWS
let current: ViewName = 'jobs'

const allTabs = [...document.querySelectorAll<HTMLButtonElement>('[role="tab"]')]
const visibleTabs = (): HTMLButtonElement[] => allTabs.filter((t) => !t.hidden)
const panel = document.getElementById('panel') as HTMLElement

function select (name: ViewName, focus: boolean): void {
  current = name
  for (const t of allTabs) {
    const on = t.dataset.view === name
    t.setAttribute('aria-selected', String(on))
    t.tabIndex = on ? 0 : -1
    if (on && focus) t.focus()
  }
  panel.setAttribute('aria-labelledby', `tab-${name}`)
  panel.dataset.view = name
  draw()
}

for (const t of allTabs) {
  t.addEventListener('click', () => { select(t.dataset.view as ViewName, false) })
  t.addEventListener('keydown', (e) => {
    const tabs = visibleTabs()
    const i = tabs.indexOf(t)
    const n = tabs.length
    const to = e.key === 'ArrowRight' ? (i + 1) % n : e.key === 'ArrowLeft' ? (i - 1 + n) % n : e.key === 'Home' ? 0 : e.key === 'End' ? n - 1 : -1
    if (to < 0) return
    e.preventDefault()
    select(tabs[to]!.dataset.view as ViewName, true)
  })
}

function draw (): void {
  const scrollY = window.scrollY
  // Keep what was open (details) and focused across the redraw.
  const open = new Set([...panel.querySelectorAll('details[open] > summary')].map((s) => s.textContent?.replace(/\s*\(.*$/, '')))
  const focused = document.activeElement instanceof HTMLElement && panel.contains(document.activeElement) ? document.activeElement.dataset.job : undefined
  const view = VIEWS[current]()
  if (panel.firstElementChild !== view) panel.replaceChildren(view)
  for (const s of panel.querySelectorAll('details > summary')) if (open.has(s.textContent?.replace(/\s*\(.*$/, ''))) (s.parentElement as HTMLDetailsElement).open = true
  if (focused !== undefined) panel.querySelector<HTMLElement>(`[data-job="${CSS.escape(focused)}"]`)?.focus({ preventScroll: true })
  window.scrollTo(0, scrollY)
  const h = state.hello
  const submitTab = document.getElementById('tab-submit') as HTMLButtonElement
  submitTab.hidden = h?.actions.includes('submit') !== true
  const manageTab = document.getElementById('tab-manage') as HTMLButtonElement
  manageTab.hidden = h?.actions.some((a) => a === 'cancel' || a === 'pause') !== true
  status.textContent = `${h === undefined ? '' : `${h.title}: `}${state.end !== undefined ? `the run is over${state.end.lingerSeconds > 0 ? ` (this page stays up ${state.end.lingerSeconds} s)` : ''}` : connected ? 'live' : 'connecting…'}`
  document.body.dataset.ended = String(state.end !== undefined)
}

let pending = false
const redraw = (): void => {
  if (pending) return
  pending = true
  requestAnimationFrame(() => { pending = false; draw() })
}

let connected = false
const source = new EventSource(`/api/events?token=${encodeURIComponent(token)}`)
source.onopen = () => { connected = true; redraw() }
source.onerror = () => {
  connected = false
  status.textContent = token === '' ? 'no token in the address: open the page at the address cyx printed' : state.end !== undefined ? 'the run is over and its page has closed' : 'disconnected (retrying)'
}
source.onmessage = (m: MessageEvent<string>) => {
  apply(state, JSON.parse(m.data) as UiEvent)
  redraw()
}
select('jobs', false)
