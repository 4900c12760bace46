pragma circom 2.0.0;

// Public statement (docs/proofs.md, "checkpoint_step"): for job `job`, the checkpoints at leaves
// `step` and `step + 1` (0-based) of the Poseidon Merkle tree of `leafCount` leaves whose root is
// `root` commit (C = Poseidon(CHECKPOINT_DOMAIN, hi(H), lo(H), S)) to two integer training states,
// and the second state is EXACTLY one Q16 training step (peer/train/fixed-point.ts, algorithm
// q16-v1) from the first, for the model and data fixed by this circuit: a logistic-regression layer
// [4 features → 3 classes] (W1 4×3, b1 3; layers [4, 3]), SGD with momentum, learning rate
// LR = 32768 (0.5) and momentum MU = 58982 (⌊0.9·ONE⌋), on the full batch of the 4 rows below
// (one step per checkpoint). Same public inputs as checkpoint_pair: [job, root, leafCount, step].
//
// State vector (the S of poseidon.ts, 30 values): W1 (row-major, [feature][class]), b1, then the
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

template CheckpointStep(depth) {
    var F = 4;            // features
    var C = 3;            // classes
    var N = 4;            // batch rows (the whole data set: full-batch steps)
    var LOG_N = 2;
    var P = F * C + C;    // parameters
    var ONE = 65536;
    var LR = 32768;
    var MU = 58982;
    // The data set, Q16 (X = ⌊x·ONE⌋, |x| < 0.5) and labels: circuits/step.ts STEP_DATA_Q16 / STEP_LABELS, identical.
    var X[4][4] = [
        [20000, -5000, 3000, -12000],
        [-8000, 18000, -2500, 7000],
        [1500, -9000, 21000, 4000],
        [16000, 2000, -7000, -15000]
    ];
    var Y[4] = [0, 1, 2, 0];

    signal input job;
    signal input root;
    signal input leafCount;
    signal input step;
    signal input hiK;
    signal input loK;
    signal input hiK1;
    signal input loK1;
    signal input stateK[2 * P];
    signal input stateK1[2 * P];
    signal input siblingsK[depth];
    signal input siblingsK1[depth];

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

    // ---- state k: int32 values (the engine's Int32Array), which bounds everything below ----
    component inRange[2 * P];
    for (var i = 0; i < 2 * P; i++) {
        inRange[i] = Int32Range();
        inRange[i].in <== stateK[i];
    }

    // ---- forward: Z = ⌊X·W / ONE⌋ + b  (|X·W| < 4·2^15·2^31 = 2^48; |Z| < 2^34) ----
    component fwd[N][C];
    signal z[N][C];
    for (var r = 0; r < N; r++) {
        for (var c = 0; c < C; c++) {
            var acc = 0;
            for (var i = 0; i < F; i++) acc += X[r][i] * stateK[i * C + c];
            fwd[r][c] = SignedFloorPow2(16, 49);
            fwd[r][c].in <== acc;
            z[r][c] <== fwd[r][c].out + stateK[F * C + c];
        }
    }

    // ---- softmax per row; G = P − Y ----
    component soft[N];
    signal g[N][C];
    for (var r = 0; r < N; r++) {
        soft[r] = SoftmaxQ16(C, 35);
        for (var c = 0; c < C; c++) soft[r].z[c] <== z[r][c];
        for (var c = 0; c < C; c++) g[r][c] <== soft[r].p[c] - (Y[r] == c ? ONE : 0);
    }

    // ---- gradients: gW = ⌊Xᵀ·G / (ONE·N)⌋ (|Xᵀ·G| <= 4·2^15·2^16 = 2^33), gb = ⌊Σ_rows G / N⌋ ----
    component gw[F][C];
    component gb[C];
    signal grad[P];
    for (var i = 0; i < F; i++) {
        for (var c = 0; c < C; c++) {
            var acc = 0;
            for (var r = 0; r < N; r++) acc += X[r][i] * g[r][c];
            gw[i][c] = SignedFloorPow2(16 + LOG_N, 36);
            gw[i][c].in <== acc;
            grad[i * C + c] <== gw[i][c].out;
        }
    }
    for (var c = 0; c < C; c++) {
        var acc = 0;
        for (var r = 0; r < N; r++) acc += g[r][c];
        gb[c] = SignedFloorPow2(LOG_N, 20);
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

// Depth 5: up to 32 checkpoints per anchored tree.
component main { public [job, root, leafCount, step] } = CheckpointStep(5);
