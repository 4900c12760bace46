pragma circom 2.0.0;

// Public statement: "the checkpoint commitment `commitment` is leaf number `leafIndex` (0-based)
// of the Poseidon Merkle tree of `leafCount` leaves whose root is `root`".
// The commitment itself is defined in protocols/proof/poseidon.ts (checkpointCommitment).

include "lib/merkle.circom";

template CheckpointInclusion(depth) {
    signal input root;
    signal input leafCount;
    signal input leafIndex;
    signal input commitment;
    signal input siblings[depth];

    component tree = PoseidonMerkleRoot(depth);
    tree.leafCount <== leafCount;
    tree.leafIndex <== leafIndex;
    tree.value <== commitment;
    for (var d = 0; d < depth; d++) tree.siblings[d] <== siblings[d];
    root === tree.root;
}

// Depth 5: up to 32 checkpoints per anchored tree.
component main { public [root, leafCount, leafIndex, commitment] } = CheckpointInclusion(5);
