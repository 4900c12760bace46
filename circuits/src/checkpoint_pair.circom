pragma circom 2.0.0;

// Public statement: "for job `job`, the checkpoint commitments at leaves `step` and `step + 1`
// (0-based) of the Poseidon Merkle tree of `leafCount` leaves whose root is `root` are the two
// private values commitK and commitK1" — the inclusion half of the challenged-step proof, with the
// public inputs the program recomputes from the escrow: [job, root, leafCount, step].
// It does NOT prove that commitK1's state is one Q16 training step from commitK's: that is
// checkpoint_step.circom (same public inputs), which the zk tier uses; see docs/proofs.md.

include "lib/merkle.circom";

template CheckpointPair(depth) {
    signal input job;
    signal input root;
    signal input leafCount;
    signal input step;
    signal input commitK;
    signal input commitK1;
    signal input siblingsK[depth];
    signal input siblingsK1[depth];

    // Bind the job id into a constraint (a public input used nowhere could be changed freely).
    signal jobSquared;
    jobSquared <== job * job;

    component k = PoseidonMerkleRoot(depth);
    k.leafCount <== leafCount;
    k.leafIndex <== step;
    k.value <== commitK;
    for (var d = 0; d < depth; d++) k.siblings[d] <== siblingsK[d];
    root === k.root;

    // step + 1 <= leafCount - 1 is enforced by the second tree's range check.
    component k1 = PoseidonMerkleRoot(depth);
    k1.leafCount <== leafCount;
    k1.leafIndex <== step + 1;
    k1.value <== commitK1;
    for (var d = 0; d < depth; d++) k1.siblings[d] <== siblingsK1[d];
    root === k1.root;
}

component main { public [job, root, leafCount, step] } = CheckpointPair(5);
