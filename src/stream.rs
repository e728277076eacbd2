//! [`Encoder`] and [`Decoder`]: compression as a [`Write`] and decompression as a
//! [`Read`], the way `flate2` and the `zstd` crate offer them.
//!
//! [`Encoder`] writes a `.nnz` container (or a `.Z` stream for [`Codec::Lzw`]) into any
//! writer; call [`Encoder::finish`] at the end, or the stream is incomplete and every
//! reader rejects it. [`Decoder`] recognises `.nnz` or `.Z` from the magic number and
//! hands out the original bytes. A `.nnz` stream's CRC-32 and length are checked when
//! the end is reached: a damaged stream makes [`Read::read`] fail with an
//! [`io::Error`] of kind [`io::ErrorKind::InvalidData`] whose inner error is this
//! crate's [`Error`] (I/O errors of the underlying reader pass through unchanged).
//!
//! ```
//! use nnzip::{Codec, Decoder, Encoder, Preset};
//! use std::io::{Read, Write};
//!
//! let mut enc = Encoder::with_codec(Vec::new(), &Codec::Neural(Preset::Fast.config()))?;
//! enc.write_all(b"a streaming round trip, a streaming round trip")?;
//! let packed = enc.finish()?;
//!
//! let mut text = String::new();
//! Decoder::new(&packed[..])?.read_to_string(&mut text)?;
//! assert_eq!(text, "a streaming round trip, a streaming round trip");
//!
//! // A damaged checksum is reported at the end of the stream, as nnzip's own error.
//! let mut damaged = packed.clone();
//! let last = damaged.len() - 1;
//! damaged[last] ^= 1;
//! let err = Decoder::new(&damaged[..])?.read_to_end(&mut Vec::new()).unwrap_err();
//! assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
//! let inner = err.get_ref().and_then(|e| e.downcast_ref::<nnzip::Error>());
//! assert!(matches!(inner, Some(nnzip::Error::ChecksumMismatch { .. })));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::api::Codec;
use crate::error::{Error, Result};
use crate::format::{self, Kind, NnzDecoder, NnzEncoder};
use crate::ioutil::read_full;
use crate::lzw::{LzwDecoder, LzwEncoder};
use crate::model::Preset;
use std::io::{self, Chain, Cursor, Read, Write};

/// Compresses everything written to it into `W`.
///
/// Bytes are coded a chunk at a time (256 KiB for `.nnz`) on the calling thread, and a
/// segment's coded bytes are held until the segment is complete (16 MiB of input by
/// default), so memory does not grow with the stream. [`Write::flush`] flushes `W` but
/// does not end a chunk early. ([`crate::compress_with_options`] uses several threads.)
///
/// ```
/// use std::io::Write;
/// let mut enc = nnzip::Encoder::new(Vec::new())?;
/// enc.write_all(b"hello, hello, hello")?;
/// let packed: Vec<u8> = enc.finish()?;
/// assert_eq!(nnzip::decompress_bytes(&packed)?, b"hello, hello, hello");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Encoder<W: Write> {
    inner: EncoderKind<W>,
}

#[derive(Debug)]
enum EncoderKind<W: Write> {
    Nnz(Box<NnzEncoder<W>>),
    Lzw(Box<LzwEncoder<W>>),
}

impl<W: Write> Encoder<W> {
    /// An encoder with the default preset ([`Preset::Default`]); writes the `.nnz`
    /// header to `inner` at once.
    ///
    /// # Errors
    /// I/O errors of `inner`.
    pub fn new(inner: W) -> Result<Self> {
        Self::with_codec(inner, &Codec::Neural(Preset::Default.config()))
    }

    /// An encoder with `codec`: a `.nnz` container for [`Codec::Neural`], a `.Z`
    /// stream for [`Codec::Lzw`]. Writes the header to `inner` at once.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for settings out of range; I/O errors of `inner`.
    pub fn with_codec(inner: W, codec: &Codec) -> Result<Self> {
        codec.validate()?;
        let inner = match codec {
            Codec::Neural(cfg) => EncoderKind::Nnz(Box::new(NnzEncoder::new(inner, cfg, None)?)),
            Codec::Lzw { max_bits } => {
                EncoderKind::Lzw(Box::new(LzwEncoder::new(inner, *max_bits)?))
            }
        };
        Ok(Encoder { inner })
    }

    /// The container this encoder writes.
    pub fn kind(&self) -> Kind {
        match self.inner {
            EncoderKind::Nnz(_) => Kind::Nnz,
            EncoderKind::Lzw(_) => Kind::Z,
        }
    }

    /// The underlying writer.
    pub fn get_ref(&self) -> &W {
        match &self.inner {
            EncoderKind::Nnz(e) => e.get_ref(),
            EncoderKind::Lzw(e) => e.get_ref(),
        }
    }

    /// Codes what is left, ends the stream (for `.nnz`: terminator, length and
    /// CRC-32), flushes the underlying writer and returns it.
    ///
    /// # Errors
    /// I/O errors of the underlying writer.
    pub fn finish(self) -> Result<W> {
        match self.inner {
            EncoderKind::Nnz(e) => Ok(e.finish()?.0),
            EncoderKind::Lzw(e) => Ok(e.finish()?),
        }
    }
}

impl<W: Write> Write for Encoder<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.inner {
            EncoderKind::Nnz(e) => e.write(buf),
            EncoderKind::Lzw(e) => e.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.inner {
            EncoderKind::Nnz(e) => e.flush(),
            EncoderKind::Lzw(e) => e.flush(),
        }
    }
}

/// The input with the bytes read for format detection put back in front.
type Rewound<R> = Chain<Cursor<Vec<u8>>, R>;

/// Decompresses a `.nnz` or `.Z` stream read from `R` (the format is recognised by its
/// magic number).
///
/// For `.nnz` the CRC-32 and the length are verified when the end of the stream is
/// reached: [`Read::read`] returns `Ok(0)` only after they matched. Until then the
/// bytes handed out are unverified, as with any streaming decoder.
///
/// ```
/// use std::io::Read;
/// let z = nnzip::compress_bytes(b"abcabcabc", &nnzip::Codec::Lzw { max_bits: 16 })?;
/// let mut dec = nnzip::Decoder::new(&z[..])?;
/// assert_eq!(dec.kind(), nnzip::format::Kind::Z);
/// let mut back = Vec::new();
/// dec.read_to_end(&mut back)?;
/// assert_eq!(back, b"abcabcabc");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Decoder<R: Read> {
    inner: DecoderKind<R>,
}

#[derive(Debug)]
enum DecoderKind<R: Read> {
    Nnz(Box<NnzDecoder<Rewound<R>>>),
    Lzw(Box<LzwDecoder<Rewound<R>>>),
}

impl<R: Read> Decoder<R> {
    /// Reads the magic number and the header of the stream (and, for `.nnz`, builds
    /// the model it names).
    ///
    /// # Errors
    /// [`Error::BadMagic`] if the input is neither `.nnz` nor `.Z`, every header error
    /// of [`format::Header::read_from`] and [`crate::lzw::Header::parse`], and I/O
    /// errors.
    pub fn new(mut inner: R) -> Result<Self> {
        let mut head = [0u8; 4];
        let n = read_full(&mut inner, &mut head)?;
        let rewound = Cursor::new(head[..n].to_vec()).chain(inner);
        let inner = match format::detect(&head[..n]) {
            Some(Kind::Z) => DecoderKind::Lzw(Box::new(LzwDecoder::new(rewound)?)),
            _ => DecoderKind::Nnz(Box::new(NnzDecoder::new(rewound)?)),
        };
        Ok(Decoder { inner })
    }

    /// The format of the stream.
    pub fn kind(&self) -> Kind {
        match self.inner {
            DecoderKind::Nnz(_) => Kind::Nnz,
            DecoderKind::Lzw(_) => Kind::Z,
        }
    }
}

impl<R: Read> Read for Decoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match &mut self.inner {
            DecoderKind::Nnz(d) => d.read(buf),
            DecoderKind::Lzw(d) => d.read_typed(buf).map_err(|e| match e {
                Error::Io(e) => e,
                other => io::Error::new(io::ErrorKind::InvalidData, other),
            }),
        }
    }
}
