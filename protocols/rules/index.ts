/** The protocol's pure rules: money, stake, slashing, reputation, disputes. No I/O. */
export * from './amount.js'
export * from './pricing.js'
export * from './settlement.js'
export * from './stake.js'
export * from './slashing.js'
export * from './reputation.js'
export * from './dispute.js'
export * from './jury.js'
