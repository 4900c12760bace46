/**
 * The feed: every event the page is told, in order, kept so that a page opened late (or
 * reconnecting: Server-Sent Events' Last-Event-ID) replays what it missed, then live. Bounded: past
 * `limit` events the oldest log lines go first, then the oldest events of any kind.
 */
import { logger } from '@libp2p/logger'
import type { UiEvent } from './events.js'

const log = logger('cyx:ui:feed')

export interface FeedEntry {
  /** 1, 2, 3 … in order; the SSE event id. */
  readonly id: number
  readonly event: UiEvent
}

export class UiFeed {
  readonly #entries: FeedEntry[] = []
  readonly #listeners = new Set<(e: FeedEntry) => void>()
  readonly #limit: number
  #next = 1

  constructor (limit = 50_000) {
    this.#limit = limit
  }

  push (event: UiEvent): void {
    const entry = { id: this.#next++, event }
    this.#entries.push(entry)
    if (this.#entries.length > this.#limit) {
      const i = this.#entries.findIndex((e) => e.event.type === 'log')
      this.#entries.splice(i >= 0 ? i : 0, 1)
    }
    for (const fn of this.#listeners) {
      try {
        fn(entry)
      } catch (err) {
        log.error('a feed listener failed: %e', err)
      }
    }
  }

  /** Every entry after `afterId` (0: all). */
  since (afterId = 0): readonly FeedEntry[] {
    return this.#entries.filter((e) => e.id > afterId)
  }

  /** The last event of `type`, if any. */
  last<T extends UiEvent['type']> (type: T): Extract<UiEvent, { type: T }> | undefined {
    for (let i = this.#entries.length - 1; i >= 0; i--) {
      const e = this.#entries[i]!.event
      if (e.type === type) return e as Extract<UiEvent, { type: T }>
    }
    return undefined
  }

  subscribe (fn: (e: FeedEntry) => void): () => void {
    this.#listeners.add(fn)
    return () => { this.#listeners.delete(fn) }
  }
}
