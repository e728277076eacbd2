//! The public whole-stream API: compress and decompress any reader into any writer,
//! with the container, checksums and codec selection handled.
//!
//! [`compress`] writes a `.nnz` container ([`crate::format`]) for [`Codec::Neural`] or a
//! `.Z` stream for [`Codec::Lzw`]; [`decompress`] recognises either from its magic.
//! Both stream: memory stays at a segment in and a segment out per thread (plus a
//! model per thread), whatever the size of the input. [`compress_with_options`] and
//! [`decompress_with_threads`] spread the segments of a `.nnz` stream over several
//! threads ([`crate::parallel`]); the output is the same for every thread count.
//! [`compress_bytes`] and [`decompress_bytes`] are the in-memory shorthands.
//!
//! ```
//! use nnzip::{compress_bytes, decompress_bytes, Codec, Preset};
//!
//! let text = b"to be or not to be, that is the question. ".repeat(100);
//! let packed = compress_bytes(&text, &Codec::Neural(Preset::Fast.config()))?;
//! assert!(packed.len() < text.len() / 3);
//! assert_eq!(decompress_bytes(&packed)?, text);
//! # Ok::<(), nnzip::Error>(())
//! ```

use crate::error::{ConfigError, Error, Result};
use crate::format::{self, EncodeOptions, Header, Kind, NnzDecoder, NnzEncoder, CHUNK_LEN};
use crate::ioutil::read_full;
use crate::lzw::{self, LzwDecoder, LzwEncoder};
use crate::model::ModelConfig;
pub use crate::progress::{Progress, Summary};
use std::cell::Cell;
use std::io::{self, Read, Write};
use std::rc::Rc;

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

/// The range of LZW code widths ([`Codec::Lzw`]'s `max_bits`):
/// [`lzw::MIN_BITS`]`..=`[`lzw::MAX_BITS`].
pub const LZW_BITS: std::ops::RangeInclusive<u8> = lzw::MIN_BITS..=lzw::MAX_BITS;

impl Codec {
    /// The container this codec writes.
    pub fn kind(&self) -> Kind {
        match self {
            Codec::Neural(_) => Kind::Nnz,
            Codec::Lzw { .. } => Kind::Z,
        }
    }

    /// Checks the settings.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming the setting out of range.
    pub fn validate(&self) -> Result<()> {
        match self {
            Codec::Neural(cfg) => cfg.validate(),
            Codec::Lzw { max_bits } => lzw::Header::new(*max_bits)
                .map(drop)
                .map_err(|e| Error::InvalidConfig(ConfigError::Lzw(e))),
        }
    }
}

/// Settings of [`compress_with_options`] beyond the codec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CompressOptions {
    /// Threads: `0` = one per core as far as their models fit in the available memory,
    /// `1` (the default) = the calling thread only. The output does not depend on it.
    pub threads: usize,
    /// How a `.nnz` stream is cut into segments and chunks (the segment length is
    /// stored in the header).
    pub encode: EncodeOptions,
}

impl Default for CompressOptions {
    fn default() -> Self {
        CompressOptions {
            threads: 1,
            encode: EncodeOptions::default(),
        }
    }
}

/// Number of segments of `segment_len` bytes in `len` bytes, if the length is known.
fn segment_count(len: Option<u64>, segment_len: u32) -> Option<u64> {
    len.map(|l| l.div_ceil(u64::from(segment_len)))
}

/// Compresses all of `input` into `output` with `codec`.
///
/// The original length is not known in advance, so a `.nnz` header records it as
/// unknown (the trailer has it); see [`compress_with_len`]. `progress` is called after
/// every chunk. `output` is flushed at the end.
///
/// # Errors
/// I/O errors of either side, [`Error::InvalidConfig`] for bad settings.
pub fn compress<R: Read, W: Write>(
    input: R,
    output: W,
    codec: &Codec,
    progress: &mut dyn FnMut(Progress),
) -> Result<Summary> {
    compress_with_len(input, None, output, codec, progress)
}

/// Like [`compress`], for an input whose length is known in advance (a file): the
/// `.nnz` header records it, and compression fails if `input` turns out to hold a
/// different number of bytes (say, a file that changed while it was read).
///
/// # Errors
/// As [`compress`], and an [`Error::Io`] of kind `InvalidData` if the input's length
/// differs from `original_len`.
pub fn compress_with_len<R: Read, W: Write>(
    input: R,
    original_len: Option<u64>,
    output: W,
    codec: &Codec,
    progress: &mut dyn FnMut(Progress),
) -> Result<Summary> {
    let opts = CompressOptions::default();
    compress_with_options(input, original_len, output, codec, &opts, progress)
}

/// Like [`compress_with_len`], with the threads and the segment length of `opts`
/// (for [`Codec::Neural`]; LZW runs on the calling thread). The number of threads is
/// decided, and checked against the available memory, before anything is written.
///
/// # Errors
/// As [`compress_with_len`]; [`ConfigError::TooManyThreads`] if the requested threads'
/// models do not fit in memory, [`ConfigError::SegmentLen`] for a segment length out
/// of range, [`Error::WorkerPanicked`] if a worker thread panicked.
pub fn compress_with_options<R: Read, W: Write>(
    mut input: R,
    original_len: Option<u64>,
    output: W,
    codec: &Codec,
    opts: &CompressOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<Summary> {
    codec.validate()?;
    let cfg = match codec {
        Codec::Lzw { max_bits } => return lzw_compress(input, output, *max_bits, progress),
        Codec::Neural(cfg) => cfg,
    };
    let header = opts.encode.header(cfg, original_len)?;
    let segment_len = opts.encode.segment_len;
    let each = crate::parallel::worker_memory(&header.config, segment_len);
    let segments = segment_count(original_len, segment_len);
    let threads = crate::parallel::plan_threads(opts.threads, each, segments)?;
    if threads > 1 {
        return crate::parallel::compress(
            input,
            original_len,
            output,
            cfg,
            opts.encode,
            threads,
            progress,
        );
    }
    let mut enc = NnzEncoder::with_options(output, cfg, original_len, opts.encode)?;
    let mut buf = vec![0u8; CHUNK_LEN];
    loop {
        let n = read_full(&mut input, &mut buf)?;
        if n == 0 {
            break;
        }
        enc.encode(&buf[..n])?;
        progress(enc.progress());
    }
    let (_, summary) = enc.finish()?;
    Ok(summary)
}

/// Decompresses `input` (`.nnz` or `.Z`, detected from the magic) into `output`.
///
/// `progress` is called after every chunk. Output is written as it is decoded: the
/// CRC-32 and the lengths are verified at the end, so on an error `output` may hold
/// data that must be discarded (the CLI writes to a temporary file for this reason).
/// `output` is flushed at the end.
///
/// # Errors
/// I/O errors, and every kind of invalid-data error of [`Error`].
pub fn decompress<R: Read, W: Write>(
    input: R,
    output: W,
    progress: &mut dyn FnMut(Progress),
) -> Result<Summary> {
    decompress_with_threads(input, output, 1, progress)
}

/// Like [`decompress`], decoding the segments of a `.nnz` stream on `threads` threads
/// (`0` = one per core as far as their models fit in the available memory; `.Z`
/// streams are decoded on the calling thread). With more than one thread, each
/// segment is verified against its CRC-32 before any of it is written. The number of
/// threads is decided, and checked against the memory the header's model needs,
/// right after the header is read, before any decoding.
///
/// # Errors
/// As [`decompress`]; [`ConfigError::TooManyThreads`] if the requested threads' models
/// do not fit in memory, [`Error::WorkerPanicked`] if a worker thread panicked.
pub fn decompress_with_threads<R: Read, W: Write>(
    mut input: R,
    mut output: W,
    threads: usize,
    progress: &mut dyn FnMut(Progress),
) -> Result<Summary> {
    let mut head = [0u8; 4];
    let n = read_full(&mut input, &mut head)?;
    let mut input = (&head[..n]).chain(input);
    if format::detect(&head[..n]) == Some(Kind::Z) {
        return lzw_decompress(input, output, progress);
    }
    let header = Header::read_from(&mut input)?;
    let each = crate::parallel::worker_memory(&header.config, header.segment_len);
    let segments = segment_count(header.original_len, header.segment_len);
    let threads = crate::parallel::plan_threads(threads, each, segments)?;
    if threads > 1 {
        return crate::parallel::decompress(input, &header, output, threads, progress);
    }
    let mut dec = NnzDecoder::with_header(input, header);
    while let Some(chunk) = dec.next_chunk()? {
        output.write_all(chunk)?;
        progress(dec.progress());
    }
    output.flush()?;
    Ok(dec.summary())
}

/// Compresses a buffer in memory (the header records its length).
///
/// # Errors
/// [`Error::InvalidConfig`] for bad settings.
pub fn compress_bytes(data: &[u8], codec: &Codec) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    compress_with_len(data, Some(data.len() as u64), &mut out, codec, &mut |_| {})?;
    Ok(out)
}

/// Decompresses a `.nnz` or `.Z` buffer in memory.
///
/// # Errors
/// Every kind of invalid-data error of [`Error`].
pub fn decompress_bytes(data: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    decompress(data, &mut out, &mut |_| {})?;
    Ok(out)
}

/// Counts the bytes that pass through a reader or writer into a shared cell, so that
/// the count stays readable while a codec owns the stream.
struct Counting<T> {
    inner: T,
    count: Rc<Cell<u64>>,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

fn lzw_compress<R: Read, W: Write>(
    mut input: R,
    output: W,
    max_bits: u8,
    progress: &mut dyn FnMut(Progress),
) -> Result<Summary> {
    let packed = Rc::new(Cell::new(0u64));
    let out = Counting {
        inner: output,
        count: Rc::clone(&packed),
    };
    let mut enc = LzwEncoder::new(out, max_bits)?;
    let mut buf = vec![0u8; CHUNK_LEN];
    let mut raw = 0u64;
    loop {
        let n = read_full(&mut input, &mut buf)?;
        if n == 0 {
            break;
        }
        enc.write_all(&buf[..n])?;
        raw += n as u64;
        progress(Progress {
            raw_bytes: raw,
            packed_bytes: packed.get(),
        });
    }
    let mut out = enc.finish()?;
    out.flush()?;
    Ok(Summary::new(raw, packed.get()))
}

fn lzw_decompress<R: Read, W: Write>(
    input: R,
    mut output: W,
    progress: &mut dyn FnMut(Progress),
) -> Result<Summary> {
    let packed = Rc::new(Cell::new(0u64));
    let input = Counting {
        inner: input,
        count: Rc::clone(&packed),
    };
    let mut dec = LzwDecoder::new(input)?;
    let mut buf = vec![0u8; CHUNK_LEN];
    let mut raw = 0u64;
    loop {
        let n = dec.read_typed(&mut buf)?;
        if n == 0 {
            break;
        }
        output.write_all(&buf[..n])?;
        raw += n as u64;
        progress(Progress {
            raw_bytes: raw,
            packed_bytes: packed.get(),
        });
    }
    output.flush()?;
    Ok(Summary::new(raw, packed.get()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Preset;

    #[test]
    fn lzw_round_trips_and_rejects_bad_widths() {
        let data = b"abcabcabcabc".to_vec();
        let z = compress_bytes(&data, &Codec::Lzw { max_bits: 16 }).unwrap();
        assert_eq!(decompress_bytes(&z).unwrap(), data);
        assert!(matches!(
            compress_bytes(&data, &Codec::Lzw { max_bits: 17 }),
            Err(Error::InvalidConfig(ConfigError::Lzw(
                lzw::LzwError::MaxBits { found: 17 }
            )))
        ));
    }

    #[test]
    fn progress_is_called_per_chunk_and_totals_match() {
        let data: Vec<u8> = (0..CHUNK_LEN * 2 + 100).map(|i| (i % 7) as u8).collect();
        let codec = Codec::Neural(Preset::Fast.config());
        let mut calls = Vec::new();
        let mut packed = Vec::new();
        let s = compress(&data[..], &mut packed, &codec, &mut |p| calls.push(p)).unwrap();
        assert_eq!(calls.len(), 3);
        assert_eq!(calls[2].raw_bytes, data.len() as u64);
        assert_eq!(s.raw_bytes, data.len() as u64);
        assert_eq!(s.packed_bytes, packed.len() as u64);
        let mut calls = 0;
        let mut back = Vec::new();
        let d = decompress(&packed[..], &mut back, &mut |_| calls += 1).unwrap();
        assert_eq!(calls, 3);
        assert_eq!(back, data);
        assert_eq!(d, s);
    }
}
