pragma circom 2.0.0;

// Exact integer (Q16) arithmetic for circuits: floor division by powers of two, ReLU-style clamps
// and int32 range checks. A signed integer x is the field element x mod r (negatives are r − |x|);
// every template range-checks with one bit decomposition, so no value can wrap around the field.

include "circomlib/circuits/bitify.circom";

// out = ⌊in / 2^k⌋ for a signed in with −2^(n−1) <= in < 2^(n−1) (else unsatisfiable); n − 1 >= k.
// in + 2^(n−1) = Σ bᵢ2ⁱ, so ⌊(in + 2^(n−1)) / 2^k⌋ = Σ_{i>=k} bᵢ2^(i−k) = ⌊in / 2^k⌋ + 2^(n−1−k).
template SignedFloorPow2(k, n) {
    signal input in;
    signal output out;
    component b = Num2Bits(n);
    b.in <== in + 2 ** (n - 1);
    var acc = 0;
    for (var i = k; i < n; i++) acc += b.out[i] * 2 ** (i - k);
    out <== acc - 2 ** (n - 1 - k);
}

// out = ⌊in / 2^k⌋ for 0 <= in < 2^n.
template UnsignedFloorPow2(k, n) {
    signal input in;
    signal output out;
    component b = Num2Bits(n);
    b.in <== in;
    var acc = 0;
    for (var i = k; i < n; i++) acc += b.out[i] * 2 ** (i - k);
    out <== acc;
}

// out = max(in, 0) for −2^(n−1) <= in < 2^(n−1).
template Max0(n) {
    signal input in;
    signal output out;
    component b = Num2Bits(n);
    b.in <== in + 2 ** (n - 1);
    out <== b.out[n - 1] * in;
}

// −2^31 <= in < 2^31.
template Int32Range() {
    signal input in;
    component b = Num2Bits(32);
    b.in <== in + 2 ** 31;
}

// 0 <= in < 2^n.
template URange(n) {
    signal input in;
    component b = Num2Bits(n);
    b.in <== in;
}

// fixed-point.ts's softmax of one row of logits (|z| < 2^(nZ−1)), Q16:
//   D_j = z_j − max z;  E_j = exp_q(D_j) = T⁽⁴⁾, T⁽⁰⁾ = max(0, ONE + ⌊D_j / 16⌋), T⁽ⁱ⁺¹⁾ = ⌊T⁽ⁱ⁾² / ONE⌋;
//   p_j = ⌊E_j · ONE / Σ E⌋.
// The maximum is supplied by the prover and checked: m − z_j >= 0 for all j and Π (m − z_j) = 0.
// The division by Σ E (a signal) uses a prover-supplied quotient and remainder with
// E·ONE = p·S + rem, 0 <= rem < S, 0 <= p < 2^17 (all < 2^18, so the identity holds over the integers).
template SoftmaxQ16(C, nZ) {
    var ONE = 65536;
    signal input z[C];
    signal output p[C];

    signal m;
    var best = z[0];
    // circom compares field elements as signed values in (−r/2, r/2]
    for (var j = 1; j < C; j++) {
        if (z[j] > best) {
            best = z[j];
        }
    }
    m <-- best;
    signal diff[C];
    component diffRange[C];
    for (var j = 0; j < C; j++) {
        diff[j] <== m - z[j];
        diffRange[j] = URange(nZ + 1);
        diffRange[j].in <== diff[j];
    }
    signal prod[C];
    prod[0] <== diff[0];
    for (var j = 1; j < C; j++) prod[j] <== prod[j - 1] * diff[j];
    prod[C - 1] === 0;

    component q16[C];
    component clamp[C];
    component sqDiv[C][4];
    signal t[C][5];
    signal sq[C][4];
    for (var j = 0; j < C; j++) {
        q16[j] = SignedFloorPow2(4, nZ + 2);
        q16[j].in <== 0 - diff[j];
        clamp[j] = Max0(nZ);
        clamp[j].in <== ONE + q16[j].out;
        t[j][0] <== clamp[j].out;                 // 0 .. ONE
        for (var i = 0; i < 4; i++) {
            sq[j][i] <== t[j][i] * t[j][i];       // 0 .. 2^32
            sqDiv[j][i] = UnsignedFloorPow2(16, 33);
            sqDiv[j][i].in <== sq[j][i];
            t[j][i + 1] <== sqDiv[j][i].out;      // 0 .. ONE
        }
    }
    var sum = 0;
    for (var j = 0; j < C; j++) sum += t[j][4];
    signal s;
    s <== sum;                                    // ONE .. C·ONE <= 2^18 for C <= 4
    signal rem[C];
    component remRange[C];
    component remBelow[C];
    component pRange[C];
    for (var j = 0; j < C; j++) {
        p[j] <-- (t[j][4] * ONE) \ s;
        rem[j] <-- (t[j][4] * ONE) % s;
        t[j][4] * ONE === p[j] * s + rem[j];
        remRange[j] = URange(18);
        remRange[j].in <== rem[j];
        remBelow[j] = URange(18);
        remBelow[j].in <== s - 1 - rem[j];
        pRange[j] = URange(17);
        pRange[j].in <== p[j];
    }
}
