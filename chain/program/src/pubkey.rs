//! 32-byte public keys, aligned to 8 so that comparing two is four 64-bit loads each (the BPF
//! backend splits unaligned loads into bytes).

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
        // Sound: Pubkey is 32 bytes with alignment 8.
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
        unsafe { crate::sys::copy_raw(k.as_mut_ptr(), bytes.as_ptr(), 32) };
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
