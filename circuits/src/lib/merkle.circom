pragma circom 2.0.0;

// Poseidon Merkle inclusion in the exact shape of protocols/proof/merkle.ts (MerkleTree with
// poseidonMerkle from protocols/proof/poseidon.ts):
//
//   leaf = Poseidon1(value)        (width t = 2)
//   node = Poseidon2(left, right)  (width t = 3)
//   a level with an odd count promotes its last node unchanged to the next level
//
// Leaf and node hashes use Poseidon instances of different widths (different round constants and
// MDS matrices), which is the domain separation that the 0x00/0x01 prefixes give the SHA-256 tree.
// The tree holds leafCount leaves, 1 <= leafCount <= 2^depth; which levels have a sibling is
// derived from leafIndex and leafCount, so a proof cannot be replayed for another position.

include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";

template PoseidonMerkleRoot(depth) {
    signal input leafCount;       // 1 .. 2^depth
    signal input leafIndex;       // 0 .. leafCount - 1
    signal input value;           // the leaf's value (a field element)
    signal input siblings[depth]; // sibling at each level, leaves first; ignored where none exists
    signal output root;

    // Range checks: last = leafCount - 1 and leafIndex both fit in depth bits, leafIndex <= last.
    component lastBits = Num2Bits(depth);
    lastBits.in <== leafCount - 1;
    component indexBits = Num2Bits(depth);
    indexBits.in <== leafIndex;
    component inRange = LessEqThan(depth);
    inRange.in[0] <== leafIndex;
    inRange.in[1] <== leafCount - 1;
    inRange.out === 1;

    // same[d] = 1 iff (leafIndex >> d) == (last >> d): bits d.. of index and last agree.
    signal bitEq[depth];
    signal same[depth + 1];
    same[depth] <== 1;
    for (var d = depth - 1; d >= 0; d--) {
        // 1 - xor(a, b) = 1 - a - b + 2ab
        bitEq[d] <== 1 - indexBits.out[d] - lastBits.out[d] + 2 * indexBits.out[d] * lastBits.out[d];
        same[d] <== same[d + 1] * bitEq[d];
    }

    component leafHash = Poseidon(1);
    leafHash.inputs[0] <== value;

    signal cur[depth + 1];
    signal hasSibling[depth];
    signal left[depth];
    signal right[depth];
    signal promoted[depth];
    component nodeHash[depth];
    cur[0] <== leafHash.out;
    for (var d = 0; d < depth; d++) {
        // At level d the node index is i = leafIndex >> d and the last index is m = last >> d.
        // Its sibling is missing exactly when i == m and i is even (the promoted odd node; this
        // includes every level above the top of a tree smaller than 2^depth).
        hasSibling[d] <== 1 - same[d] * (1 - indexBits.out[d]);
        // bit d of the index set: the node is a right child, its sibling sits on the left.
        left[d] <== cur[d] + indexBits.out[d] * (siblings[d] - cur[d]);
        right[d] <== cur[d] + siblings[d] - left[d];
        nodeHash[d] = Poseidon(2);
        nodeHash[d].inputs[0] <== left[d];
        nodeHash[d].inputs[1] <== right[d];
        promoted[d] <== hasSibling[d] * (nodeHash[d].out - cur[d]);
        cur[d + 1] <== cur[d] + promoted[d];
    }
    root <== cur[depth];
}
