//! Borsh decoding of instruction arguments (little-endian, no padding, in declaration order).

use crate::error::{Error, Result};

pub struct Args<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Args<'a> {
    /// The arguments after the 8-byte discriminator.
    #[inline(always)]
    pub fn new(data: &'a [u8]) -> Self {
        Args { data, pos: 8 }
    }

    /// The next N bytes as an array.
    #[inline(always)]
    pub fn take<const N: usize>(&mut self) -> Result<&'a [u8; N]> {
        let end = self.pos.checked_add(N).ok_or(Error::InstructionDidNotDeserialize)?;
        let s = self.data.get(self.pos..end).ok_or(Error::InstructionDidNotDeserialize)?;
        self.pos = end;
        // SAFETY: `s` has exactly N bytes (the range `pos..pos + N` was in bounds), and
        // `[u8; N]` has alignment 1 and the lifetime of the instruction data `s` borrows.
        Ok(unsafe { &*(s.as_ptr() as *const [u8; N]) })
    }

    #[inline(always)]
    pub fn u8(&mut self) -> Result<u8> {
        Ok(self.take::<1>()?[0])
    }
    #[inline(always)]
    pub fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(*self.take::<4>()?))
    }
    #[inline(always)]
    pub fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(*self.take::<8>()?))
    }
    #[inline(always)]
    pub fn i64(&mut self) -> Result<i64> {
        Ok(i64::from_le_bytes(*self.take::<8>()?))
    }
    #[inline(always)]
    pub fn bytes32(&mut self) -> Result<&'a [u8; 32]> {
        self.take::<32>()
    }
    #[inline(always)]
    pub fn bytes64(&mut self) -> Result<&'a [u8; 64]> {
        self.take::<64>()
    }
    /// `n` raw bytes (a fixed-size struct passed by value).
    #[inline(always)]
    pub fn raw(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.pos.checked_add(n).ok_or(Error::InstructionDidNotDeserialize)?;
        let s = self.data.get(self.pos..end).ok_or(Error::InstructionDidNotDeserialize)?;
        self.pos = end;
        Ok(s)
    }
    /// A Borsh `Vec<u8>`: u32 LE length, then the bytes.
    #[inline(always)]
    pub fn vec_u8(&mut self) -> Result<&'a [u8]> {
        let n = self.u32()? as usize;
        self.raw(n)
    }
    /// A Borsh `Vec<[u8; N]>` as its flat bytes (u32 LE count, then count × N bytes).
    #[inline(always)]
    pub fn vec_of(&mut self, item: u8) -> Result<&'a [u8]> {
        // A u32 count times an item of at most 255 bytes cannot overflow 64 bits.
        let len = self.u32()? as u64 * item as u64;
        self.raw(len as usize)
    }
    /// Whether every byte has been consumed (optional trailing arguments).
    #[inline(always)]
    pub fn is_empty(&self) -> bool {
        self.pos == self.data.len()
    }
    /// Every byte must have been consumed.
    #[inline(always)]
    pub fn finish(self) -> Result {
        if self.pos == self.data.len() { Ok(()) } else { Err(Error::InstructionDidNotDeserialize) }
    }
}
