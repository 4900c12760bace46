/**
 * The language every cyxwiz peer speaks: parameters, pure rules, wire messages and proof data.
 * Pure: nothing here does I/O. Other rooms import this room only through this file.
 */
export * from './params.js'
export * from './hex.js'
export * from './race.js'
export * from './rules/index.js'
export * as wire from './wire/index.js'
export * from './proof/index.js'
