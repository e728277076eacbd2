//! The public whole-stream API: compress and decompress any reader into any writer,
//! with the container, checksums and codec selection handled. Placeholder signatures:
//! being written.

use crate::error::{Error, Result};
use crate::model::ModelConfig;
use std::io::{Read, Write};

/// Which codec compresses the data.
#[derive(Debug, Clone, PartialEq)]
pub enum Codec {
    /// The neural model with this configuration (`.nnz`).
    Neural(ModelConfig),
    /// LZW as Unix `compress` writes it (`.Z`), with this maximum code width (9..=16).
    Lzw {
        /// Maximum code width in bits.
        max_bits: u8,
    },
}

/// How far a long operation has got, for progress reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Uncompressed bytes consumed (compression) or produced (decompression).
    pub raw_bytes: u64,
    /// Compressed bytes produced (compression) or consumed (decompression).
    pub packed_bytes: u64,
}

/// What a finished operation did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Uncompressed size in bytes.
    pub raw_bytes: u64,
    /// Compressed size in bytes, container included.
    pub packed_bytes: u64,
}

/// Compresses all of `input` into `output` with `codec`.
///
/// # Errors
/// I/O errors of either side, [`Error::InvalidConfig`] for bad settings.
pub fn compress<R: Read, W: Write>(
    _input: R,
    _output: W,
    _codec: &Codec,
    _progress: &mut dyn FnMut(Progress),
) -> Result<Summary> {
    Err(Error::InvalidConfig("not yet implemented".into()))
}

/// Decompresses `input` (`.nnz` or `.Z`, detected from the magic) into `output`.
///
/// # Errors
/// I/O errors, and every kind of invalid-data error of [`Error`].
pub fn decompress<R: Read, W: Write>(
    _input: R,
    _output: W,
    _progress: &mut dyn FnMut(Progress),
) -> Result<Summary> {
    Err(Error::InvalidConfig("not yet implemented".into()))
}
