//! 32-byte public keys, aligned to 8 so that comparing two is four 64-bit loads each (the BPF
//! backend splits unaligned loads into bytes), and program-derived addresses (the two PDA
//! syscalls live here, with the type they produce; `sys` holds the rest and knows no keys).

use crate::sys::{self, Bytes};

extern "C" {
    fn sol_create_program_address(seeds: *const Bytes, seeds_len: u64, program_id: *const u8, out: *mut u8) -> u64;
    fn sol_try_find_program_address(
        seeds: *const Bytes,
        seeds_len: u64,
        program_id: *const u8,
        out: *mut u8,
        bump: *mut u8,
    ) -> u64;
}

#[repr(C, align(8))]
#[derive(Clone, Copy)]
pub struct Pubkey(pub [u8; 32]);

impl Pubkey {
    pub const ZERO: Pubkey = Pubkey([0; 32]);

    #[inline(always)]
    pub const fn new(bytes: [u8; 32]) -> Pubkey {
        Pubkey(bytes)
    }

    #[inline(always)]
    fn words(&self) -> &[u64; 4] {
        // SAFETY: `Pubkey` is `repr(C, align(8))` around 32 bytes, so `self` points to 32 readable
        // bytes aligned to 8, which is exactly a valid `[u64; 4]` (every bit pattern is a u64);
        // the returned borrow has `self`'s lifetime and is shared, like `self`.
        unsafe { &*(self as *const Pubkey as *const [u64; 4]) }
    }

    #[inline(always)]
    pub fn as_ptr(&self) -> *const u8 {
        self.0.as_ptr()
    }

    #[inline(always)]
    pub fn as_mut_ptr(&mut self) -> *mut u8 {
        self.0.as_mut_ptr()
    }

    #[inline(always)]
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    #[inline(always)]
    pub fn is_zero(&self) -> bool {
        let w = self.words();
        (w[0] | w[1] | w[2] | w[3]) == 0
    }

    /// Reads a key from any (possibly unaligned) position, e.g. instruction data.
    #[inline(always)]
    pub fn read(bytes: &[u8; 32]) -> Pubkey {
        let mut k = Pubkey::ZERO;
        // SAFETY: `k` is a local 32-byte key and `bytes` a distinct borrowed 32-byte array, so
        // both regions are 32 bytes long, valid, and cannot overlap; `sol_memcpy_` needs no
        // alignment.
        unsafe { sys::copy_raw(k.as_mut_ptr(), bytes.as_ptr(), 32) };
        k
    }
}

impl PartialEq for Pubkey {
    #[inline(always)]
    fn eq(&self, other: &Pubkey) -> bool {
        let a = self.words();
        let b = other.words();
        ((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3])) == 0
    }
}

impl Eq for Pubkey {}

/// The System program.
pub const SYSTEM_PROGRAM_ID: Pubkey = Pubkey([0; 32]);

/// The BPF upgradeable loader (loader v3), `BPFLoaderUpgradeab1e11111111111111111111111`.
pub const BPF_LOADER_UPGRADEABLE_ID: Pubkey = Pubkey([
    2, 168, 246, 145, 78, 136, 161, 176, 226, 16, 21, 62, 247, 99, 174, 43, 0, 194, 185, 61, 22, 193, 36, 210, 192, 83,
    122, 16, 4, 128, 0, 0,
]);

/// The SPL Token program, `TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA`.
pub const TOKEN_PROGRAM_ID: Pubkey = Pubkey([
    6, 221, 246, 225, 215, 101, 161, 147, 217, 203, 225, 70, 206, 235, 121, 172, 28, 180, 133, 237, 95, 91, 55, 145,
    58, 140, 245, 133, 126, 255, 0, 169,
]);

/// `create_program_address(seeds, program_id)`; `None` when the result lies on the curve.
pub fn create_program_address(seeds: &[Bytes], program_id: &Pubkey) -> Option<Pubkey> {
    let mut out = Pubkey::ZERO;
    // SAFETY: `seeds` is a live slice of `Bytes` (each a pointer and length of a live byte
    // slice), `program_id` points to 32 readable bytes and `out` to 32 writable ones, as the
    // syscall requires; it writes nothing else.
    let rc = unsafe {
        sol_create_program_address(seeds.as_ptr(), seeds.len() as u64, program_id.as_ptr(), out.as_mut_ptr())
    };
    if rc == 0 { Some(out) } else { None }
}

/// `find_program_address(seeds, program_id)`: the address and its canonical bump.
pub fn find_program_address(seeds: &[Bytes], program_id: &Pubkey) -> Option<(Pubkey, u8)> {
    let mut out = Pubkey::ZERO;
    let mut bump: u8 = 0;
    // SAFETY: as `create_program_address`; `bump` is a writable local byte.
    let rc = unsafe {
        sol_try_find_program_address(seeds.as_ptr(), seeds.len() as u64, program_id.as_ptr(), out.as_mut_ptr(), &mut bump)
    };
    if rc == 0 { Some((out, bump)) } else { None }
}
