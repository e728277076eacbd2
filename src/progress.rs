//! Byte counts of a running or finished operation, shared by the container layer
//! ([`crate::format`]), the whole-stream API ([`crate::api`]) and the command line.
//!
//! It sits below both `format` and `api`, so that neither depends on the other for it.

/// How far a long operation has got, for progress reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Uncompressed bytes consumed (compression) or produced (decompression).
    pub raw_bytes: u64,
    /// Compressed bytes produced (compression) or consumed (decompression).
    pub packed_bytes: u64,
}

impl Progress {
    /// Compressed bits per original byte so far (0 before the first byte).
    pub fn bits_per_byte(&self) -> f64 {
        bits_per_byte(self.packed_bytes, self.raw_bytes)
    }
}

/// What a finished operation did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Uncompressed size in bytes.
    pub raw_bytes: u64,
    /// Compressed size in bytes, container included.
    pub packed_bytes: u64,
    /// Threads that coded the stream: more than 1 only when its segments were coded
    /// in parallel (`.nnz` with `-T`/[`crate::CompressOptions::threads`]), else 1.
    pub threads: usize,
}

impl Summary {
    /// The summary of a stream coded on one thread.
    pub fn new(raw_bytes: u64, packed_bytes: u64) -> Self {
        Summary {
            raw_bytes,
            packed_bytes,
            threads: 1,
        }
    }

    /// Compressed bits per original byte, container included (0 for empty input).
    pub fn bits_per_byte(&self) -> f64 {
        bits_per_byte(self.packed_bytes, self.raw_bytes)
    }

    /// Original size divided by compressed size.
    pub fn ratio(&self) -> f64 {
        if self.packed_bytes == 0 {
            0.0
        } else {
            self.raw_bytes as f64 / self.packed_bytes as f64
        }
    }
}

/// Compressed bits per original byte: `packed_bytes * 8 / raw_bytes`, 0 when
/// `raw_bytes` is 0. The compressed size comes first, as in "packed per raw".
///
/// ```
/// assert_eq!(nnzip::progress::bits_per_byte(3, 8), 3.0);
/// assert_eq!(nnzip::progress::bits_per_byte(5, 0), 0.0);
/// ```
pub fn bits_per_byte(packed_bytes: u64, raw_bytes: u64) -> f64 {
    if raw_bytes == 0 {
        0.0
    } else {
        packed_bytes as f64 * 8.0 / raw_bytes as f64
    }
}
