//! The `.nnz` container: header, segment and chunk framing, checksums, format
//! detection.
//!
//! This layer turns the buffer-level codec core ([`crate::neural`]) into a stream. The
//! input is cut into *segments* of a fixed size (stored in the header), each coded by
//! a fresh model, so that segments can be coded and decoded independently, on as many
//! threads as there are ([`crate::parallel`]). Inside a segment the model carries over
//! from chunk to chunk. [`NnzEncoder`] writes a header, one frame per segment (its
//! lengths and CRC-32) followed by the segment's framed chunks, and ends with a trailer
//! holding the original length and its CRC-32; [`NnzDecoder`] checks every field
//! before it acts on it. `FORMAT.md` at the crate root documents the layout byte by
//! byte; the constants below are its normative values.
//!
//! Memory is bounded by one segment in and one chunk out (plus the model), whatever
//! the size of the stream: nothing here ever holds a whole file.
//!
//! ```
//! use nnzip::format::{NnzDecoder, NnzEncoder};
//! use nnzip::Preset;
//! use std::io::{Read, Write};
//!
//! let cfg = Preset::Fast.config();
//! let mut enc = NnzEncoder::new(Vec::new(), &cfg, None)?;
//! enc.write_all(b"hello hello hello")?;
//! let (packed, summary) = enc.finish()?;
//! assert_eq!(summary.raw_bytes, 17);
//!
//! let mut dec = NnzDecoder::new(&packed[..])?;
//! let mut back = Vec::new();
//! dec.read_to_end(&mut back)?;
//! assert_eq!(back, b"hello hello hello");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod header;
mod info;
mod reader;
pub(crate) mod segment;
mod writer;

pub use header::{check_segment_len, Header};
pub use info::{read_info, scan_info, Info, NnzInfo, NnzScan, SegmentInfo, SegmentTree, ZInfo};
pub(crate) use reader::check_trailer;
pub use reader::NnzDecoder;
pub(crate) use writer::{size_changed, tail};
pub use writer::{EncodeOptions, NnzEncoder};

pub(crate) use crate::ioutil::read_full;

use crate::error::{CorruptError, Error, Result, Section, TruncatedError};
use std::io::Read;

/// The four bytes every `.nnz` file starts with.
///
/// `0x89` (a non-ASCII byte, as in PNG) catches transfers that strip the eighth bit
/// and keeps the file from being taken for text; it can never be confused with the
/// `.Z` magic `1f 9d`.
pub const MAGIC: [u8; 4] = [0x89, b'N', b'N', b'Z'];

/// The two bytes every `.Z` (Unix `compress`) file starts with ([`crate::lzw::MAGIC`]).
pub use crate::lzw::MAGIC as Z_MAGIC;

/// The container version this build writes, and the only one it reads.
pub const VERSION: u8 = 2;

/// Codec id of the neural model (the only codec of format versions 1 and 2).
pub const CODEC_NEURAL: u8 = 1;

/// Size of the fixed header in bytes, its CRC included.
pub const HEADER_LEN: usize = 47;

/// Size of a segment frame in bytes: original length (u32), coded length (u64) and
/// CRC-32 of the segment's original bytes (u32).
pub const SEGMENT_FRAME_LEN: usize = 16;

/// Smallest segment length a header may declare (1 KiB).
pub const MIN_SEGMENT_LEN: u32 = 1 << 10;

/// Largest segment length a header may declare (1 GiB). A reader holds one segment's
/// coded bytes per thread, so this also bounds what a valid file can make it buffer.
pub const MAX_SEGMENT_LEN: u32 = 1 << 30;

/// Segment length [`NnzEncoder`] and the `nnzip` command use unless told otherwise.
///
/// Each segment starts a fresh model, which costs ratio; more, smaller segments
/// balance the threads better. On a 40 MB dictionary (gcide) 16 MiB segments cost
/// the fast preset of the time 0.70% of the output against one model over the whole
/// file, 8 MiB already 2.0% and 4 MiB 4.6% (README, "Threads and segments", has the
/// table and today's figures, 2.1% for fast and 2.7% for the default): the largest
/// size the threads issue allows, as the cheapest.
pub const DEFAULT_SEGMENT_LEN: u32 = 16 << 20;

/// Largest coded length a segment frame may announce for `raw_len` original bytes.
///
/// A segment's coded bytes are its chunk frames and payloads; a chunk of `r` bytes
/// takes at most `8 + 36 r + 16` of them (see [`max_packed_len`]), which is at most
/// `60 r` since every chunk holds at least one byte.
pub const fn max_segment_packed_len(raw_len: u32) -> u64 {
    raw_len as u64 * 60
}

/// Size of the trailer in bytes (original length and CRC-32).
pub const TRAILER_LEN: usize = 12;

/// Value of the header's original-length field when the length was not known in
/// advance (input streamed from a pipe).
pub const UNKNOWN_LEN: u64 = u64::MAX;

/// Number of original bytes per chunk that [`NnzEncoder`] writes by default.
///
/// Small enough for a lively progress bar, large enough that the framing (8 bytes)
/// and the range coder flush (up to 5 bytes) per chunk cost less than 0.01%.
pub const CHUNK_LEN: usize = 1 << 18;

/// Largest number of original bytes in one chunk that a reader accepts.
pub const MAX_CHUNK_LEN: usize = 1 << 20;

/// Largest packed size a chunk of `raw_len` original bytes may have.
///
/// The range coder clamps every bit probability to `1..=65535` out of `65536`, so a
/// coded decision costs at most 16 bits, two bytes. A byte takes at most
/// [`crate::model::codes::MAX_PATH`] (18) decisions (8 in the plain tree), so 36
/// bytes; the tree choice (one decision at probability 1/2) and the flush (up to 5
/// bytes) fit in the 16 added. A packed length above this bound can only come from
/// corruption, and is rejected before anything is allocated for it.
pub const fn max_packed_len(raw_len: u32) -> u64 {
    raw_len as u64 * (2 * crate::model::codes::MAX_PATH as u64) + 16
}

/// The kinds of compressed data that nnzip recognises by their magic number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// An nnzip container (`.nnz`).
    Nnz,
    /// A Unix `compress` stream (`.Z`, LZW).
    Z,
}

impl Kind {
    /// The usual file name suffix, dot included.
    pub fn suffix(self) -> &'static str {
        match self {
            Kind::Nnz => ".nnz",
            Kind::Z => ".Z",
        }
    }
}

/// Recognises the format from the first bytes of a stream (4 are enough).
///
/// Returns `None` when the bytes match no known magic, or are too few to tell.
pub fn detect(first_bytes: &[u8]) -> Option<Kind> {
    if first_bytes.starts_with(&MAGIC) {
        Some(Kind::Nnz)
    } else if first_bytes.starts_with(&Z_MAGIC) {
        Some(Kind::Z)
    } else {
        None
    }
}

/// Fills `buf` exactly, reporting an early end as [`Error::Truncated`] naming `what`.
pub(crate) fn read_exact_or_truncated<R: Read + ?Sized>(
    r: &mut R,
    buf: &mut [u8],
    section: Section,
) -> Result<()> {
    let n = read_full(r, buf)?;
    if n < buf.len() {
        return Err(Error::Truncated(TruncatedError::Inside {
            section,
            got: n,
            expected: buf.len(),
        }));
    }
    Ok(())
}

/// Fails with [`Error::Corrupt`] unless `r` is at its end.
pub(crate) fn expect_eof<R: Read + ?Sized>(r: &mut R) -> Result<()> {
    let mut b = [0u8; 1];
    if read_full(r, &mut b)? != 0 {
        return Err(Error::Corrupt(CorruptError::TrailingData));
    }
    Ok(())
}

/// Reads a little-endian u32 at `at` of a buffer known to be long enough.
pub(crate) fn le_u32(b: &[u8], at: usize) -> u32 {
    let mut v = [0u8; 4];
    v.copy_from_slice(&b[at..at + 4]);
    u32::from_le_bytes(v)
}

/// Reads a little-endian u64 at `at` of a buffer known to be long enough.
pub(crate) fn le_u64(b: &[u8], at: usize) -> u64 {
    let mut v = [0u8; 8];
    v.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(v)
}

/// What the reader learns from a chunk's 8-byte frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Frame {
    /// A chunk of `raw` original bytes coded in `packed` bytes follows.
    Chunk {
        /// Original bytes in the chunk.
        raw: u32,
        /// Coded bytes that follow the frame.
        packed: u32,
    },
    /// The terminator: the trailer follows.
    End,
}

/// Reads and checks one chunk frame (or the terminator).
pub(crate) fn read_frame<R: Read + ?Sized>(r: &mut R) -> Result<Frame> {
    let mut b = [0u8; 4];
    read_exact_or_truncated(r, &mut b, Section::ChunkFrame)?;
    let raw = u32::from_le_bytes(b);
    if raw == 0 {
        return Ok(Frame::End);
    }
    if raw as usize > MAX_CHUNK_LEN {
        return Err(Error::Corrupt(CorruptError::ChunkTooLong {
            got: raw,
            max: MAX_CHUNK_LEN,
        }));
    }
    read_exact_or_truncated(r, &mut b, Section::ChunkFrame)?;
    let packed = u32::from_le_bytes(b);
    if u64::from(packed) > max_packed_len(raw) {
        return Err(Error::Corrupt(CorruptError::ImpossiblePackedLen {
            packed,
            raw,
            max: max_packed_len(raw),
        }));
    }
    Ok(Frame::Chunk { raw, packed })
}

/// Reads the trailer: original length and CRC-32.
pub(crate) fn read_trailer<R: Read + ?Sized>(r: &mut R) -> Result<(u64, u32)> {
    let mut b = [0u8; TRAILER_LEN];
    read_exact_or_truncated(r, &mut b, Section::Trailer)?;
    let mut len = [0u8; 8];
    len.copy_from_slice(&b[..8]);
    let mut crc = [0u8; 4];
    crc.copy_from_slice(&b[8..]);
    Ok((u64::from_le_bytes(len), u32::from_le_bytes(crc)))
}

/// For the container's unit tests: an encoder with a small model (the fast preset,
/// a 2^10-bucket table, no priming), the smallest segments (1,024 bytes) and chunks of 300 bytes,
/// so that a kilobyte or two of text makes several chunks and segments.
#[cfg(test)]
pub(crate) fn small_encoder(original_len: Option<u64>) -> NnzEncoder<Vec<u8>> {
    let mut cfg = crate::model::Preset::Fast.config();
    cfg.table_bits = 10;
    cfg.prime = 0;
    let opts = EncodeOptions {
        segment_len: MIN_SEGMENT_LEN,
        chunk_len: 300,
    };
    NnzEncoder::with_options(Vec::new(), &cfg, original_len, opts).expect("valid options")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detect_magics() {
        assert_eq!(detect(&MAGIC), Some(Kind::Nnz));
        assert_eq!(detect(&[0x1f, 0x9d, 0x90]), Some(Kind::Z));
        assert_eq!(detect(&[0x1f, 0x8b, 8, 0]), None);
        assert_eq!(detect(&MAGIC[..3]), None);
        assert_eq!(detect(b""), None);
    }

    #[test]
    fn frames_are_bounded() {
        let frame = |raw: u32, packed: u32| {
            let mut v = raw.to_le_bytes().to_vec();
            v.extend_from_slice(&packed.to_le_bytes());
            read_frame(&mut &v[..])
        };
        assert_eq!(
            frame(10, 376).unwrap(),
            Frame::Chunk {
                raw: 10,
                packed: 376
            }
        );
        assert!(matches!(
            frame(10, 377),
            Err(Error::Corrupt(CorruptError::ImpossiblePackedLen {
                packed: 377,
                raw: 10,
                max: 376
            }))
        ));
        assert!(matches!(
            frame(MAX_CHUNK_LEN as u32 + 1, 5),
            Err(Error::Corrupt(CorruptError::ChunkTooLong { got, .. }))
                if got as usize == MAX_CHUNK_LEN + 1
        ));
        assert_eq!(frame(0, 0).unwrap(), Frame::End);
        assert!(matches!(
            read_frame(&mut &[1u8, 0, 0][..]),
            Err(Error::Truncated(TruncatedError::Inside {
                section: Section::ChunkFrame,
                got: 3,
                expected: 4
            }))
        ));
    }
}
