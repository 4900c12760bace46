//! Solana syscalls, declared by hand (no crates), and thin safe wrappers.
//!
//! The upstream BPF backend cannot call library functions: there is no `memcpy`, `memcmp`,
//! `memset` or `__multi3`. Variable-length copies, comparisons and fills go through the
//! `sol_mem*_` syscalls below; 128-bit products through `math::mul_u64`. The linker refuses an
//! object that still references a library call, with a hint.

/// A byte slice as the C ABI of the syscalls sees it (`SolBytes`).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Bytes {
    pub addr: *const u8,
    pub len: u64,
}

impl Bytes {
    #[inline(always)]
    pub const fn of(s: &[u8]) -> Bytes {
        Bytes { addr: s.as_ptr(), len: s.len() as u64 }
    }
}

extern "C" {
    fn sol_log_(message: *const u8, len: u64);
    fn sol_log_64_(a: u64, b: u64, c: u64, d: u64, e: u64);
    fn sol_log_data(data: *const Bytes, len: u64);
    fn sol_log_compute_units_();
    fn sol_memcpy_(dst: *mut u8, src: *const u8, n: u64);
    fn sol_memcmp_(a: *const u8, b: *const u8, n: u64, result: *mut i32);
    fn sol_memset_(dst: *mut u8, c: u8, n: u64);
    fn sol_get_clock_sysvar(out: *mut u8) -> u64;
    fn sol_get_rent_sysvar(out: *mut u8) -> u64;
    pub fn sol_invoke_signed_c(
        instruction: *const u8,
        account_infos: *const u8,
        account_infos_len: u64,
        signers_seeds: *const u8,
        signers_seeds_len: u64,
    ) -> u64;
    fn sol_sha256(vals: *const Bytes, val_len: u64, hash_result: *mut u8) -> u64;
    fn sol_poseidon(parameters: u64, endianness: u64, vals: *const Bytes, val_len: u64, hash_result: *mut u8) -> u64;
    fn sol_alt_bn128_group_op(group_op: u64, input: *const u8, input_size: u64, result: *mut u8) -> u64;
    fn abort() -> !;
}

#[inline(always)]
pub fn log(message: &[u8]) {
    // SAFETY: pointer and length of a live byte slice, only read.
    unsafe { sol_log_(message.as_ptr(), message.len() as u64) }
}

#[inline(always)]
pub fn log_u64s(a: u64, b: u64, c: u64, d: u64, e: u64) {
    // SAFETY: five plain integers; the syscall reads no memory.
    unsafe { sol_log_64_(a, b, c, d, e) }
}

#[inline(always)]
pub fn log_compute_units() {
    // SAFETY: no arguments, no memory touched.
    unsafe { sol_log_compute_units_() }
}

/// `sol_log_data`: the runtime prints each slice base64-encoded after "Program data: ".
#[inline(always)]
pub fn log_data(slices: &[Bytes]) {
    // SAFETY: a live slice of `Bytes`, each the pointer and length of a live byte slice, only read.
    unsafe { sol_log_data(slices.as_ptr(), slices.len() as u64) }
}

/// Copies `src` into the start of `dst`; the lengths must be equal.
#[inline(always)]
pub fn copy(dst: &mut [u8], src: &[u8]) {
    if dst.len() != src.len() {
        fatal(b"copy: length mismatch");
    }
    // SAFETY: `dst` and `src` are live slices of the same length (checked above); `dst` is
    // borrowed mutably and `src` shared, so they cannot overlap.
    unsafe { sol_memcpy_(dst.as_mut_ptr(), src.as_ptr(), src.len() as u64) }
}

/// Raw copy of `n` bytes; the regions must not overlap.
///
/// # Safety
/// `dst` must be valid for `n` bytes of writes and `src` for `n` bytes of reads, and the two
/// regions must not overlap (no alignment is needed).
#[inline(always)]
pub unsafe fn copy_raw(dst: *mut u8, src: *const u8, n: usize) {
    // SAFETY: the caller's contract above is exactly `sol_memcpy_`'s.
    sol_memcpy_(dst, src, n as u64)
}

#[inline(always)]
pub fn equal(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut result: i32 = 0;
    // SAFETY: two live slices of the same length (checked above), only read; `result` is a
    // writable local.
    unsafe { sol_memcmp_(a.as_ptr(), b.as_ptr(), a.len() as u64, &mut result) };
    result == 0
}

#[inline(always)]
pub fn fill(dst: &mut [u8], value: u8) {
    // SAFETY: `dst` is a live, exclusively borrowed slice of `dst.len()` bytes.
    unsafe { sol_memset_(dst.as_mut_ptr(), value, dst.len() as u64) }
}

/// The Clock sysvar.
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct Clock {
    pub slot: u64,
    pub epoch_start_timestamp: i64,
    pub epoch: u64,
    pub leader_schedule_epoch: u64,
    pub unix_timestamp: i64,
}

pub fn clock() -> Clock {
    let mut c = Clock::default();
    // SAFETY: `c` is a local `repr(C)` Clock of the sysvar's exact size (40 bytes) and layout,
    // all plain integers; the syscall writes only it.
    unsafe { sol_get_clock_sysvar(&mut c as *mut Clock as *mut u8) };
    c
}

/// The Rent sysvar as laid out by the runtime (`exemption_threshold` is an f64 we never do
/// arithmetic on: BPF has no floating point, so its bit pattern is matched instead).
#[repr(C)]
#[derive(Clone, Copy, Default)]
struct Rent {
    lamports_per_byte_year: u64,
    exemption_threshold_bits: u64,
    burn_percent: u8,
    _pad: [u8; 7],
}

/// Bytes every account is charged for on top of its data (`ACCOUNT_STORAGE_OVERHEAD`).
const ACCOUNT_STORAGE_OVERHEAD: u64 = 128;
const F64_ONE: u64 = 0x3ff0_0000_0000_0000;
const F64_TWO: u64 = 0x4000_0000_0000_0000;

/// The rent-exempt minimum balance for `data_len` bytes, from the Rent sysvar.
pub fn rent_exempt_minimum(data_len: u64) -> Option<u64> {
    let mut r = Rent::default();
    // SAFETY: `r` is a local `repr(C)` Rent of the sysvar's size and layout (the f64 kept as
    // its bits), all plain integers; the syscall writes only it.
    unsafe { sol_get_rent_sysvar(&mut r as *mut Rent as *mut u8) };
    let years: u64 = match r.exemption_threshold_bits {
        F64_TWO => 2,
        F64_ONE => 1,
        _ => return None,
    };
    let bytes = data_len.checked_add(ACCOUNT_STORAGE_OVERHEAD)?;
    let per_year = crate::math::mul(bytes, r.lamports_per_byte_year).ok()?;
    crate::math::mul(per_year, years).ok()
}

/// SHA-256 of the concatenated slices.
pub fn sha256(slices: &[Bytes]) -> [u8; 32] {
    let mut out = [0u8; 32];
    // SAFETY: a live slice of `Bytes` over live byte slices, only read; `out` is a writable
    // local of the 32 bytes the syscall writes.
    unsafe { sol_sha256(slices.as_ptr(), slices.len() as u64, out.as_mut_ptr()) };
    out
}

/// circomlib's Poseidon over BN254 (x^5), big-endian 32-byte inputs, 1..=12 of them. `None` when
/// an input is not a canonical field element (>= r) or the count is out of range.
pub fn poseidon(inputs: &[Bytes]) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    // parameters 0 = Bn254X5, endianness 0 = big-endian.
    // SAFETY: as `sha256`: inputs only read, 32 bytes written to the local `out`.
    let rc = unsafe { sol_poseidon(0, 0, inputs.as_ptr(), inputs.len() as u64, out.as_mut_ptr()) };
    if rc == 0 { Some(out) } else { None }
}

/// alt_bn128 operations of `sol_alt_bn128_group_op` (big-endian encodings, EIP-196/197).
pub const BN128_ADD: u64 = 0;
pub const BN128_MUL: u64 = 2;
pub const BN128_PAIRING: u64 = 3;

/// One `sol_alt_bn128_group_op` on G1 (`BN128_ADD`, `BN128_MUL`), whose result is a 64-byte
/// point; false when the syscall refuses the input (a point off the curve, a coordinate not below
/// q, a wrong length).
#[inline(always)]
pub fn bn128(op: u64, input: &[u8], result: &mut [u8; 64]) -> bool {
    // SAFETY: `input` is a live slice, read for at most its length; the syscall writes at most
    // 64 bytes (the largest result of any op) into `result`, which has exactly 64.
    unsafe { sol_alt_bn128_group_op(op, input.as_ptr(), input.len() as u64, result.as_mut_ptr()) == 0 }
}

/// The pairing check (`BN128_PAIRING`): `result` gets 32 bytes, big-endian 1 when the product of
/// the pairings is one; false when the syscall refuses the input.
#[inline(always)]
pub fn bn128_pairing(input: &[u8], result: &mut [u8; 32]) -> bool {
    // SAFETY: `input` is a live slice, read for at most its length; a pairing writes exactly 32
    // bytes into `result`, which has 32.
    unsafe { sol_alt_bn128_group_op(BN128_PAIRING, input.as_ptr(), input.len() as u64, result.as_mut_ptr()) == 0 }
}

/// Logs `message` and aborts the transaction. Used only for broken invariants.
#[inline(never)]
pub fn fatal(message: &[u8]) -> ! {
    log(message);
    // SAFETY: `abort` takes nothing and ends the program; it is the intended end here.
    unsafe { abort() }
}
