/** Proof-of-compute data: the checkpoint chain, its Merkle tree, and spot-check selection. Pure. */
export * from './checkpoint.js'
export * from './merkle.js'
export * from './spot-check.js'
export * from './poseidon.js'
