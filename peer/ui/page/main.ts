/// <reference lib="dom" />
/**
 * The page (first cut): it reads the token from the address's fragment, subscribes to the feed over
 * Server-Sent Events and lists each event as it arrives. The views (network, auctions, jobs with
 * curves, money) and the actions are not built yet (docs/ui.md).
 */
import './style.css'
import type { UiEvent } from '../events.js'

const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? ''
const status = document.getElementById('status') as HTMLElement
const list = document.getElementById('events') as HTMLOListElement

const source = new EventSource(`/api/events?token=${encodeURIComponent(token)}`)
source.onopen = () => { status.textContent = 'live' }
source.onerror = () => { status.textContent = token === '' ? 'no token in the address: open the page at the address cyx printed' : 'disconnected (retrying)' }
source.onmessage = (m: MessageEvent<string>) => {
  const e = JSON.parse(m.data) as UiEvent
  const li = document.createElement('li')
  li.dataset.type = e.type
  li.textContent = m.data
  list.append(li)
}
