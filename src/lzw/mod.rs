//! LZW exactly as Unix `compress` writes it (`.Z`).
//!
//! The layers, from the inside out:
//!
//! - [`Encoder`] and [`Decoder`]: the codec as state machines over caller-owned
//!   buffers (`encode(inp, out)` returns how much was consumed and produced). They
//!   know nothing of headers or I/O and use fixed tables (about 640 KiB for the encoder,
//!   900 KiB for the decoder), so memory does not grow with the input.
//! - [`Header`]: the 3-byte `.Z` header (magic `1f 9d`, then a flags byte holding the
//!   maximum code width and the block-mode bit).
//! - [`LzwEncoder`] (`impl Write`) and [`LzwDecoder`] (`impl Read`): streams that add
//!   and check the header, plus [`compress_bytes`], [`decompress_bytes`] and
//!   [`decode_all`] for whole buffers and streams.
//!
//! # Compatibility with `compress`
//!
//! With the default settings (16-bit codes, block mode) the output is byte-identical to
//! what ncompress 4.2.4 (`compress -c FILE`) writes: the same code widths, the same
//! padding of the 8-code bit groups whenever the width changes or the table is cleared,
//! and the same adaptive reset (once the table is full, the compression ratio is checked
//! every 10 000 input bytes; when it has dropped, a CLEAR code starts a new table). The
//! decoder follows `compress -d`: codes are read in the same groups, a trailing partial
//! code is ignored as `compress -d` ignores it, and streams without block mode are read
//! too.
//!
//! One exception: `compress -b 9` in ncompress 4.2.4 is broken (it writes a 512th
//! table entry that no decoder has; see ncompress issue 5), and its own `-d` cannot
//! read what it writes once the 9-bit table has filled. [`LzwEncoder`] with
//! `max_bits = 9` writes instead what the decoders of ncompress 4.2.4 and gzip expect:
//! 9-bit codes until the table is full (511 entries), then 10-bit codes. Until the table
//! fills, the output is byte-identical to `compress -b 9`.
//!
//! # Example
//!
//! ```
//! use std::io::{Read, Write};
//! use nnzip::lzw::{compress_bytes, decompress_bytes, LzwDecoder, LzwEncoder, MAGIC};
//!
//! let text = b"TOBEORNOTTOBEORTOBEORNOT".repeat(10);
//!
//! // Streaming: the encoder writes the header itself.
//! let mut enc = LzwEncoder::new(Vec::new(), 16)?;
//! enc.write_all(&text)?;
//! let packed = enc.finish()?;
//! assert_eq!(packed[..2], MAGIC);
//! assert_eq!(packed[2], 0x90); // block mode | 16 bits
//! assert_eq!(packed, compress_bytes(&text, 16));
//!
//! let mut dec = LzwDecoder::new(&packed[..])?;
//! let mut back = Vec::new();
//! dec.read_to_end(&mut back)?;
//! assert_eq!(back, text);
//! assert_eq!(decompress_bytes(&packed)?, text);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod decode;
mod encode;
mod stream;

pub use decode::{DecodeStatus, Decoder};
pub use encode::Encoder;
pub use stream::{compress_bytes, decode_all, decompress_bytes, LzwDecoder, LzwEncoder};

/// The two bytes every `.Z` file starts with.
pub const MAGIC: [u8; 2] = [0x1f, 0x9d];

/// Length in bytes of the `.Z` header (magic and flags byte).
pub const HEADER_LEN: usize = 3;

/// Smallest maximum code width `compress` accepts (`-b 9`).
pub const MIN_BITS: u8 = 9;

/// Largest maximum code width, and `compress`'s default (`-b 16`).
pub const MAX_BITS: u8 = 16;

/// Flags bit: block mode (the CLEAR code 256 resets the table).
const BLOCK_MODE: u8 = 0x80;

/// Flags bits holding the maximum code width.
const BITS_MASK: u8 = 0x1f;

/// The code that tells the decoder to start a new table (block mode only).
const CLEAR: u32 = 256;

/// Every way `.Z` data (or an LZW setting) can be invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LzwError {
    /// The input does not start with the `.Z` magic.
    #[error("not a .Z file: expected magic 1f 9d, found {found:02x?}")]
    BadMagic {
        /// The first bytes found instead (at most two).
        found: Vec<u8>,
    },

    /// The input ends inside the 3-byte header.
    #[error("truncated .Z header: {found} of {HEADER_LEN} bytes")]
    TruncatedHeader {
        /// How many header bytes there were.
        found: usize,
    },

    /// The flags byte has reserved bits (0x20, 0x40) set.
    #[error("unsupported .Z flags {flags:#04x}: reserved bits {reserved:#04x} are set")]
    ReservedFlags {
        /// The whole flags byte.
        flags: u8,
        /// The reserved bits that are set.
        reserved: u8,
    },

    /// The maximum code width is outside 9..=16 (in the header, or as a setting).
    #[error("unsupported maximum code width {found} bits (expected {MIN_BITS} to {MAX_BITS})")]
    MaxBits {
        /// The width found.
        found: u8,
    },

    /// The first code of the stream is not a literal byte (it names a table entry that
    /// cannot exist yet, or is the CLEAR code).
    #[error("corrupt .Z data: first code is {code}, expected a literal byte (0..=255)")]
    InvalidFirstCode {
        /// The code read.
        code: u32,
    },

    /// A code names a table entry beyond the next free one.
    #[error(
        "corrupt .Z data: code {code} at input bit {bit_offset} is beyond the next free \
         table entry {next_free}"
    )]
    CodeBeyondTable {
        /// The code read.
        code: u32,
        /// The largest code that would have been valid there.
        next_free: u32,
        /// Offset in bits, from the start of the stream (header included), of the code.
        bit_offset: u64,
    },
}

impl From<LzwError> for std::io::Error {
    /// Wraps the error as [`std::io::ErrorKind::InvalidData`]; recover it with
    /// `err.get_ref().and_then(|e| e.downcast_ref::<LzwError>())`.
    fn from(e: LzwError) -> Self {
        std::io::Error::new(std::io::ErrorKind::InvalidData, e)
    }
}

/// The settings in a `.Z` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Maximum code width in bits (9..=16).
    pub max_bits: u8,
    /// Whether the CLEAR code (256) is in use. `compress` always sets it; streams
    /// without it come from `compress -C` or very old versions.
    pub block_mode: bool,
}

impl Header {
    /// A block-mode header for `max_bits`, as `compress -b max_bits` writes it.
    ///
    /// # Errors
    /// [`LzwError::MaxBits`] unless `max_bits` is in 9..=16.
    pub fn new(max_bits: u8) -> Result<Self, LzwError> {
        check_max_bits(max_bits)?;
        Ok(Header {
            max_bits,
            block_mode: true,
        })
    }

    /// The header's three bytes.
    pub fn to_bytes(self) -> [u8; HEADER_LEN] {
        let mode = if self.block_mode { BLOCK_MODE } else { 0 };
        [MAGIC[0], MAGIC[1], self.max_bits | mode]
    }

    /// Reads a header from the start of `bytes`.
    ///
    /// # Errors
    /// [`LzwError::BadMagic`] (checked first, so that a short non-`.Z` input is called
    /// that), [`LzwError::TruncatedHeader`], [`LzwError::ReservedFlags`],
    /// [`LzwError::MaxBits`].
    pub fn parse(bytes: &[u8]) -> Result<Self, LzwError> {
        let magic_len = bytes.len().min(2);
        if bytes[..magic_len] != MAGIC[..magic_len] {
            return Err(LzwError::BadMagic {
                found: bytes[..magic_len].to_vec(),
            });
        }
        let Some(&flags) = bytes.get(2) else {
            return Err(LzwError::TruncatedHeader { found: bytes.len() });
        };
        let reserved = flags & !(BLOCK_MODE | BITS_MASK);
        if reserved != 0 {
            return Err(LzwError::ReservedFlags { flags, reserved });
        }
        let max_bits = flags & BITS_MASK;
        check_max_bits(max_bits)?;
        Ok(Header {
            max_bits,
            block_mode: flags & BLOCK_MODE != 0,
        })
    }
}

fn check_max_bits(max_bits: u8) -> Result<(), LzwError> {
    if (MIN_BITS..=MAX_BITS).contains(&max_bits) {
        Ok(())
    } else {
        Err(LzwError::MaxBits { found: max_bits })
    }
}

#[cfg(test)]
mod tests;
