//! The library's error type: one enum for every way compression or decompression can
//! fail. Invalid data is kept apart from I/O errors so that callers (and the CLI) can
//! say precisely what went wrong.

use std::io;

/// Everything that can go wrong in nnzip's library.
///
/// The `Display` text of each variant is a short lower-case phrase without the file
/// name; the CLI prefixes the file it was working on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing failed at the operating-system level.
    #[error("{0}")]
    Io(#[from] io::Error),

    /// The input does not start with the magic of a format nnzip reads.
    #[error("not an nnzip (.nnz) or compress (.Z) file: unknown magic {found:02x?}")]
    BadMagic {
        /// The first bytes that were found instead.
        found: Vec<u8>,
    },

    /// The container was written by a newer (or unknown) format version.
    #[error("unsupported format version {found} (this build reads version {supported})")]
    UnsupportedVersion {
        /// The version number in the file.
        found: u8,
        /// The newest version this build understands.
        supported: u8,
    },

    /// The header names a codec this build does not know.
    #[error("unknown codec id {0}")]
    UnknownCodec(u8),

    /// A header field is outside its documented range.
    #[error("invalid header: {0}")]
    InvalidHeader(String),

    /// The input ended before the data it announced.
    #[error("truncated input: {0}")]
    Truncated(String),

    /// The payload cannot be a valid encoding (it was corrupted or never was valid).
    #[error("corrupt data: {0}")]
    Corrupt(String),

    /// The decoded data does not match the checksum stored by the encoder.
    #[error("checksum mismatch: stored crc32 {expected:08x}, decoded data has {found:08x}")]
    ChecksumMismatch {
        /// The CRC-32 stored in the file.
        expected: u32,
        /// The CRC-32 of what was decoded.
        found: u32,
    },

    /// The decoded length does not match the length stored by the encoder.
    #[error("length mismatch: stored {expected} bytes, decoded {found}")]
    LengthMismatch {
        /// The length stored in the file.
        expected: u64,
        /// The number of bytes decoded.
        found: u64,
    },

    /// A model or codec setting is out of range.
    #[error("invalid setting: {0}")]
    InvalidConfig(String),

    /// A `.Z` (LZW) stream is invalid.
    #[error(transparent)]
    Lzw(#[from] crate::lzw::LzwError),

    /// The operation was interrupted (SIGINT/SIGTERM).
    #[error("interrupted")]
    Interrupted,
}

/// Shorthand for results whose error is [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
