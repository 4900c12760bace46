/**
 * Wire messages of cyxwiz: protons codecs generated from messages.proto, size bounds, validators
 * and signed envelopes. Untrusted bytes enter only through `openSigned` and `decodeJobMessage`.
 */
export * from './messages.js'
export * from './errors.js'
export * from './signing.js'
export * from './validate.js'
export * from './codec.js'
export * from './coordinator.js'
