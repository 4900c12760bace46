pragma circom 2.0.0;

// Public statement (docs/proofs.md, "checkpoint_step"): for job `job`, the checkpoints at leaves
// `step` and `step + 1` (0-based) of the Poseidon Merkle tree of `leafCount` leaves whose root is
// `root` commit (C = Poseidon(CHECKPOINT_DOMAIN, hi(H), lo(H), S)) to two integer training states,
// and the second state is EXACTLY one Q16 training step (peer/train/fixed-point.ts, algorithm
// q16-v1) from the first, on batch b = (step + 1) mod 8 of the training data committed by `data`:
// a logistic-regression layer [16 features → 4 classes] (W1 16×4, b1 4; layers [16, 4]), SGD with
// momentum, learning rate LR = 32768 (0.5) and momentum MU = 58982 (⌊0.9·ONE⌋), batches of 8 rows,
// one step per checkpoint. Leaf L is the state after global step L, so leaves k → k + 1 are global
// step k + 1, which reads batch (k + 1) mod 8 (peer/train/schedule.ts, sequential order).
// Public inputs: [job, root, leafCount, step, data].
//
// The data are private: `data` is the root of the Poseidon Merkle tree (lib/merkle.circom) of the
// 8 batch commitments B_b = Poseidon(BATCH_DOMAIN, V(X_b ‖ Y_b)), V the vector commitment below,
// X_b the batch's 8×16 Q16 features (row-major, each in [−2^15, 2^15)) and Y_b its 8 labels
// (each in 0..3): circuits/step.ts `stepDataCommitment`. The program takes `data` from the escrow,
// where the client put it when funding the job; the worker checks it against the data it received.
//
// State vector (the S of poseidon.ts, 136 values): W1 (row-major, [feature][class]), b1, then the
// velocities of W1 and b1 in the same order.

include "circomlib/circuits/poseidon.circom";
include "lib/merkle.circom";
include "lib/fixed.circom";

// S = the Poseidon vector commitment of poseidon.ts (poseidonVectorCommitment).
template VectorCommitment(n) {
    var VECTOR_DOMAIN = 624411521564295357507149203419647692204671681783469270070833;
    var CHUNK = 11;
    var chunks = (n + CHUNK - 1) \ CHUNK;
    signal input in[n];
    signal output out;
    component h[chunks + 1];
    h[0] = Poseidon(2);
    h[0].inputs[0] <== VECTOR_DOMAIN;
    h[0].inputs[1] <== n;
    for (var c = 0; c < chunks; c++) {
        h[c + 1] = Poseidon(CHUNK + 1);
        h[c + 1].inputs[0] <== h[c].out;
        for (var i = 0; i < CHUNK; i++) {
            if (c * CHUNK + i < n) h[c + 1].inputs[i + 1] <== in[c * CHUNK + i];
            else h[c + 1].inputs[i + 1] <== 0;
        }
    }
    out <== h[chunks].out;
}

// C = Poseidon(CHECKPOINT_DOMAIN, hi, lo, S).
template CheckpointCommitment() {
    var CHECKPOINT_DOMAIN = 2681827064364247314673485494334147714895831576265494932137945708066353;
    signal input hi;
    signal input lo;
    signal input state;
    signal output out;
    component h = Poseidon(4);
    h.inputs[0] <== CHECKPOINT_DOMAIN;
    h.inputs[1] <== hi;
    h.inputs[2] <== lo;
    h.inputs[3] <== state;
    out <== h.out;
}

// One batch's commitment: Poseidon(BATCH_DOMAIN, V(X ‖ Y)); also range-checks X and one-hot encodes Y.
template BatchCommitment(N, F, C) {
    var BATCH_DOMAIN = 2439107506110528733451425249126467637177486467119738484273;
    signal input x[N][F];
    signal input y[N];
    signal output out;
    signal output onehot[N][C];

    // |X| <= 2^15: the bit widths of the step below depend on it.
    component xRange[N][F];
    component v = VectorCommitment(N * F + N);
    for (var r = 0; r < N; r++) {
        for (var i = 0; i < F; i++) {
            xRange[r][i] = Num2Bits(16);
            xRange[r][i].in <== x[r][i] + 32768;
            v.in[r * F + i] <== x[r][i];
        }
        v.in[N * F + r] <== y[r];
    }
    // Y in 0..C−1: exactly one of the C equalities holds.
    component eq[N][C];
    for (var r = 0; r < N; r++) {
        var hits = 0;
        for (var c = 0; c < C; c++) {
            eq[r][c] = IsEqual();
            eq[r][c].in[0] <== y[r];
            eq[r][c].in[1] <== c;
            onehot[r][c] <== eq[r][c].out;
            hits += eq[r][c].out;
        }
        hits === 1;
    }
    component h = Poseidon(2);
    h.inputs[0] <== BATCH_DOMAIN;
    h.inputs[1] <== v.out;
    out <== h.out;
}

template CheckpointStep(depth, F, C, N, LOG_N, LOG_F, dataDepth) {
    var P = F * C + C;    // parameters
    var ONE = 65536;
    var LR = 32768;
    var MU = 58982;
    var BATCHES = 2 ** dataDepth;

    signal input job;
    signal input root;
    signal input leafCount;
    signal input step;
    signal input data;
    signal input hiK;
    signal input loK;
    signal input hiK1;
    signal input loK1;
    signal input stateK[2 * P];
    signal input stateK1[2 * P];
    signal input siblingsK[depth];
    signal input siblingsK1[depth];
    // The batch of global step `step + 1`, and its path in the data tree.
    signal input x[N][F];
    signal input y[N];
    signal input siblingsData[dataDepth];

    // Bind the job id into a constraint (a public input used nowhere could be changed freely).
    signal jobSquared;
    jobSquared <== job * job;

    // ---- the two checkpoints are leaves `step` and `step + 1` of the anchored root ----
    component sK = VectorCommitment(2 * P);
    component sK1 = VectorCommitment(2 * P);
    for (var i = 0; i < 2 * P; i++) {
        sK.in[i] <== stateK[i];
        sK1.in[i] <== stateK1[i];
    }
    component cK = CheckpointCommitment();
    cK.hi <== hiK;
    cK.lo <== loK;
    cK.state <== sK.out;
    component cK1 = CheckpointCommitment();
    cK1.hi <== hiK1;
    cK1.lo <== loK1;
    cK1.state <== sK1.out;

    component k = PoseidonMerkleRoot(depth);
    k.leafCount <== leafCount;
    k.leafIndex <== step;
    k.value <== cK.out;
    for (var d = 0; d < depth; d++) k.siblings[d] <== siblingsK[d];
    root === k.root;
    // step + 1 <= leafCount - 1 is enforced by the second tree's range check.
    component k1 = PoseidonMerkleRoot(depth);
    k1.leafCount <== leafCount;
    k1.leafIndex <== step + 1;
    k1.value <== cK1.out;
    for (var d = 0; d < depth; d++) k1.siblings[d] <== siblingsK1[d];
    root === k1.root;

    // ---- the batch is leaf (step + 1) mod BATCHES of the data tree `data` ----
    // step + 1 < 2^depth (the tree above), so its low dataDepth bits are the batch index.
    component stepBits = Num2Bits(depth + 1);
    stepBits.in <== step + 1;
    var batchIndex = 0;
    for (var d = 0; d < dataDepth; d++) batchIndex += stepBits.out[d] * 2 ** d;
    component batch = BatchCommitment(N, F, C);
    for (var r = 0; r < N; r++) {
        for (var i = 0; i < F; i++) batch.x[r][i] <== x[r][i];
        batch.y[r] <== y[r];
    }
    component dataTree = PoseidonMerkleRoot(dataDepth);
    dataTree.leafCount <== BATCHES;
    dataTree.leafIndex <== batchIndex;
    dataTree.value <== batch.out;
    for (var d = 0; d < dataDepth; d++) dataTree.siblings[d] <== siblingsData[d];
    data === dataTree.root;

    // ---- state k: int32 values (the engine's Int32Array), which bounds everything below ----
    component inRange[2 * P];
    for (var i = 0; i < 2 * P; i++) {
        inRange[i] = Int32Range();
        inRange[i].in <== stateK[i];
    }

    // ---- forward: Z = ⌊X·W / ONE⌋ + b  (|X·W| <= F·2^15·2^31 = 2^(46+LOG_F); |Z| < 2^(32+LOG_F)) ----
    component fwd[N][C];
    signal xw[N][C][F];
    signal z[N][C];
    for (var r = 0; r < N; r++) {
        for (var c = 0; c < C; c++) {
            var acc = 0;
            for (var i = 0; i < F; i++) {
                xw[r][c][i] <== x[r][i] * stateK[i * C + c];
                acc += xw[r][c][i];
            }
            fwd[r][c] = SignedFloorPow2(16, 47 + LOG_F);
            fwd[r][c].in <== acc;
            z[r][c] <== fwd[r][c].out + stateK[F * C + c];
        }
    }

    // ---- softmax per row; G = P − onehot(Y) ----
    component soft[N];
    signal g[N][C];
    for (var r = 0; r < N; r++) {
        soft[r] = SoftmaxQ16(C, 33 + LOG_F);
        for (var c = 0; c < C; c++) soft[r].z[c] <== z[r][c];
        for (var c = 0; c < C; c++) g[r][c] <== soft[r].p[c] - ONE * batch.onehot[r][c];
    }

    // ---- gradients: gW = ⌊Xᵀ·G / (ONE·N)⌋ (|Xᵀ·G| <= N·2^15·2^16 = 2^(31+LOG_N)), gb = ⌊Σ_rows G / N⌋ ----
    component gw[F][C];
    component gb[C];
    signal xg[F][C][N];
    signal grad[P];
    for (var i = 0; i < F; i++) {
        for (var c = 0; c < C; c++) {
            var acc = 0;
            for (var r = 0; r < N; r++) {
                xg[i][c][r] <== x[r][i] * g[r][c];
                acc += xg[i][c][r];
            }
            gw[i][c] = SignedFloorPow2(16 + LOG_N, 34 + LOG_N);
            gw[i][c].in <== acc;
            grad[i * C + c] <== gw[i][c].out;
        }
    }
    for (var c = 0; c < C; c++) {
        var acc = 0;
        for (var r = 0; r < N; r++) acc += g[r][c];
        gb[c] = SignedFloorPow2(LOG_N, 18 + LOG_N);
        gb[c].in <== acc;
        grad[F * C + c] <== gb[c].out;
    }

    // ---- update: V' = ⌊MU·V / ONE⌋ + g;  W' = W − ⌊LR·V' / ONE⌋; both int32; state k+1 = (W', V') ----
    component vDiv[P];
    component wDiv[P];
    component vRange[P];
    component wRange[P];
    signal vNext[P];
    signal wNext[P];
    for (var i = 0; i < P; i++) {
        vDiv[i] = SignedFloorPow2(16, 48);
        vDiv[i].in <== MU * stateK[P + i];
        vNext[i] <== vDiv[i].out + grad[i];
        vRange[i] = Int32Range();
        vRange[i].in <== vNext[i];
        wDiv[i] = SignedFloorPow2(16, 48);
        wDiv[i].in <== LR * vNext[i];
        wNext[i] <== stateK[i] - wDiv[i].out;
        wRange[i] = Int32Range();
        wRange[i].in <== wNext[i];
        stateK1[i] === wNext[i];
        stateK1[P + i] === vNext[i];
    }
}

// Depth 5: up to 32 checkpoints per anchored tree. 16 features, 4 classes, batches of 8 rows
// (LOG_N = 3, LOG_F = 4), 8 batches in the data tree (depth 3). circuits/step.ts mirrors these.
component main { public [job, root, leafCount, step, data] } = CheckpointStep(5, 16, 4, 8, 3, 4, 3);
