/** The live page's room (issue 19, first cut): the feed, the guarded HTTP + SSE server, the page bundle. */
export { UiFeed } from './feed.js'
export type { FeedEntry } from './feed.js'
export { UiServer, ActionError, MAX_ACTION_BYTES } from './server.js'
export type { UiActions, UiServerOptions } from './server.js'
export { CONTENT_SECURITY_POLICY, hostAllowed, originAllowed, tokenMatches, requestToken, newToken } from './guard.js'
export { plain } from './events.js'
export type { ActionName, ConnectionView, NodeStanding, Plain, UiEvent } from './events.js'
