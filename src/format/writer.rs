//! [`NnzEncoder`]: writes a complete `.nnz` stream (header, segments of framed chunks,
//! trailer) into any [`Write`], one segment in memory at a time, on the calling thread.
//! ([`crate::parallel`] writes the same bytes with several threads.)

use super::segment::SegmentEncoder;
use super::{Header, CHUNK_LEN, DEFAULT_SEGMENT_LEN, MAX_CHUNK_LEN, TRAILER_LEN};
use crate::error::{ConfigError, Error, Result};
use crate::model::ModelConfig;
use crate::progress::{Progress, Summary};
use std::io::{self, Write};

/// How an encoder cuts its input. The output depends on these (and on the model
/// configuration), never on how the input arrives or how many threads code it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncodeOptions {
    /// Original bytes per segment ([`super::MIN_SEGMENT_LEN`]`..=`
    /// [`super::MAX_SEGMENT_LEN`]); each segment starts a fresh model. Stored in the
    /// header.
    pub segment_len: u32,
    /// Original bytes per chunk inside a segment (`1..=`[`MAX_CHUNK_LEN`]); the coder
    /// is flushed after each chunk, the model carries over.
    pub chunk_len: usize,
}

impl Default for EncodeOptions {
    fn default() -> Self {
        EncodeOptions {
            segment_len: DEFAULT_SEGMENT_LEN,
            chunk_len: CHUNK_LEN,
        }
    }
}

impl EncodeOptions {
    /// Checks both lengths.
    ///
    /// # Errors
    /// [`ConfigError::SegmentLen`] or [`ConfigError::ChunkLen`] for a length out of
    /// range.
    pub fn validate(&self) -> Result<()> {
        super::check_segment_len(u64::from(self.segment_len))?;
        if !(1..=MAX_CHUNK_LEN).contains(&self.chunk_len) {
            return Err(Error::InvalidConfig(ConfigError::ChunkLen {
                got: self.chunk_len,
                max: MAX_CHUNK_LEN,
            }));
        }
        Ok(())
    }

    /// The header of a stream coded with `config`: no more priming text than a
    /// segment holds (whole blocks of [`crate::model::prime::BLOCK`] bytes; readers
    /// refuse more), and the context table fitted to the longest input one model sees
    /// (a segment, or the whole input if it is known to be shorter) and its priming.
    ///
    /// # Errors
    /// As [`EncodeOptions::validate`] and [`Header::new`].
    pub fn header(&self, config: &ModelConfig, original_len: Option<u64>) -> Result<Header> {
        self.validate()?;
        let seg = u64::from(self.segment_len);
        let longest = original_len.map_or(seg, |len| len.min(seg));
        let mut config = config.clone();
        let blocks = self.segment_len as usize / crate::model::prime::BLOCK;
        config.prime = config.prime.min(u8::try_from(blocks).unwrap_or(u8::MAX));
        Header::new(
            &config.fitted(Some(longest)),
            original_len,
            self.segment_len,
        )
    }
}

/// The terminator and trailer that end a stream of `raw_bytes` original bytes whose
/// CRC-32 is `crc`.
pub(crate) fn tail(raw_bytes: u64, crc: u32) -> [u8; 4 + TRAILER_LEN] {
    let mut tail = [0u8; 4 + TRAILER_LEN];
    tail[4..12].copy_from_slice(&raw_bytes.to_le_bytes());
    tail[12..].copy_from_slice(&crc.to_le_bytes());
    tail
}

/// The error when the input's length differs from the one announced in the header.
pub(crate) fn size_changed(declared: u64, found: u64) -> Error {
    Error::Io(io::Error::new(
        io::ErrorKind::InvalidData,
        format!(
            "input changed size while being compressed (expected {declared} bytes, got {found})"
        ),
    ))
}

/// Streaming `.nnz` writer.
///
/// Bytes given through [`Write`] (or [`NnzEncoder::encode`]) are collected until a
/// chunk is full, then coded; a segment is written once it is complete. Chunks and
/// segments are cut at fixed offsets of the input, so the output does not depend on
/// how the input was split into calls. Nothing reaches the inner writer that is not
/// final except the trailer, which [`NnzEncoder::finish`] writes: a stream that was
/// not finished is truncated and every reader rejects it.
#[derive(Debug)]
pub struct NnzEncoder<W: Write> {
    inner: W,
    header: Header,
    opts: EncodeOptions,
    segment: Option<SegmentEncoder>,
    pending: Vec<u8>,
    crc: crc32fast::Hasher,
    declared_len: Option<u64>,
    /// Original bytes coded (in chunks) so far.
    raw_bytes: u64,
    packed_bytes: u64,
}

impl<W: Write> NnzEncoder<W> {
    /// Writes the header of a stream coded with `config` and the default
    /// [`EncodeOptions`] and returns the encoder.
    ///
    /// `original_len`, if given, is stored in the header, and [`NnzEncoder::finish`]
    /// fails unless exactly that many bytes were written.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for a bad configuration, I/O errors of `inner`.
    pub fn new(inner: W, config: &ModelConfig, original_len: Option<u64>) -> Result<Self> {
        Self::with_options(inner, config, original_len, EncodeOptions::default())
    }

    /// Like [`NnzEncoder::new`], with chunks of `chunk_len` original bytes
    /// (`1..=MAX_CHUNK_LEN`; the last chunk of a segment may be shorter).
    ///
    /// # Errors
    /// As [`NnzEncoder::new`], and [`Error::InvalidConfig`] for a bad `chunk_len`.
    pub fn with_chunk_len(
        inner: W,
        config: &ModelConfig,
        original_len: Option<u64>,
        chunk_len: usize,
    ) -> Result<Self> {
        let opts = EncodeOptions {
            chunk_len,
            ..EncodeOptions::default()
        };
        Self::with_options(inner, config, original_len, opts)
    }

    /// Like [`NnzEncoder::new`], with segments and chunks as `opts` says.
    ///
    /// # Errors
    /// As [`NnzEncoder::new`], and [`Error::InvalidConfig`] for lengths out of range.
    pub fn with_options(
        mut inner: W,
        config: &ModelConfig,
        original_len: Option<u64>,
        opts: EncodeOptions,
    ) -> Result<Self> {
        let header = opts.header(config, original_len)?;
        header.write_to(&mut inner)?;
        Ok(NnzEncoder {
            inner,
            header,
            opts,
            segment: None,
            pending: Vec::new(),
            crc: crc32fast::Hasher::new(),
            declared_len: original_len,
            raw_bytes: 0,
            packed_bytes: super::HEADER_LEN as u64,
        })
    }

    /// The header written at the start.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// Takes all of `data`, coding every chunk it completes.
    ///
    /// # Errors
    /// I/O errors of the inner writer, and an error if more bytes arrive than the
    /// original length given to [`NnzEncoder::new`].
    pub fn encode(&mut self, mut data: &[u8]) -> Result<()> {
        while !data.is_empty() {
            let n = self.push(data)?;
            data = &data[n..];
        }
        Ok(())
    }

    /// Bytes consumed and produced so far (the header counts as produced).
    pub fn progress(&self) -> Progress {
        Progress {
            raw_bytes: self.raw_bytes + self.pending.len() as u64,
            packed_bytes: self.packed_bytes,
        }
    }

    /// The inner writer.
    pub fn get_ref(&self) -> &W {
        &self.inner
    }

    /// Codes what is left, writes the terminator and the trailer, flushes the inner
    /// writer and returns it with the totals.
    ///
    /// # Errors
    /// I/O errors, and an error if the number of bytes written differs from the
    /// original length announced in the header.
    pub fn finish(mut self) -> Result<(W, Summary)> {
        self.code_pending()?;
        self.write_segment()?;
        if let Some(declared) = self.declared_len {
            if declared != self.raw_bytes {
                return Err(size_changed(declared, self.raw_bytes));
            }
        }
        let tail = tail(self.raw_bytes, self.crc.clone().finalize());
        self.inner.write_all(&tail)?;
        self.inner.flush()?;
        self.packed_bytes += tail.len() as u64;
        let summary = Summary::new(self.raw_bytes, self.packed_bytes);
        Ok((self.inner, summary))
    }

    /// Length of the chunk being collected: a full chunk, or what is left of the
    /// segment.
    fn chunk_target(&self) -> usize {
        let in_segment = self.segment.as_ref().map_or(0, |s| s.raw_len());
        let left = (self.opts.segment_len - in_segment) as usize;
        self.opts.chunk_len.min(left)
    }

    /// Collects bytes of `data` up to the end of the current chunk, coding it when
    /// full; returns how many were taken (at least one if `data` is not empty).
    fn push(&mut self, data: &[u8]) -> Result<usize> {
        let target = self.chunk_target();
        if self.pending.capacity() < target {
            self.pending.reserve_exact(target - self.pending.len());
        }
        let n = (target - self.pending.len()).min(data.len());
        let total = self.raw_bytes + (self.pending.len() + n) as u64;
        if let Some(declared) = self.declared_len {
            if total > declared {
                return Err(size_changed(declared, total));
            }
        }
        self.pending.extend_from_slice(&data[..n]);
        if self.pending.len() == target {
            self.code_pending()?;
        }
        Ok(n)
    }

    /// Codes the collected bytes as a chunk; writes the segment if that completes it.
    fn code_pending(&mut self) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let raw_total = self.raw_bytes + self.pending.len() as u64;
        if let Some(declared) = self.declared_len {
            if raw_total > declared {
                return Err(size_changed(declared, raw_total));
            }
        }
        let segment = match &mut self.segment {
            Some(s) => s,
            None => self
                .segment
                .insert(SegmentEncoder::new(&self.header.config, &self.pending)?),
        };
        segment.push_chunk(&self.pending)?;
        self.crc.update(&self.pending);
        self.raw_bytes = raw_total;
        self.pending.clear();
        if segment.raw_len() == self.opts.segment_len {
            self.write_segment()?;
        }
        Ok(())
    }

    /// Writes the current segment, if any (its model is dropped).
    fn write_segment(&mut self) -> Result<()> {
        if let Some(segment) = self.segment.take() {
            let bytes = segment.finish();
            self.inner.write_all(&bytes)?;
            self.packed_bytes += bytes.len() as u64;
        }
        Ok(())
    }
}

fn to_io(e: Error) -> io::Error {
    match e {
        Error::Io(e) => e,
        other => io::Error::new(io::ErrorKind::InvalidData, other),
    }
}

impl<W: Write> Write for NnzEncoder<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        self.push(buf).map_err(to_io)
    }

    /// Flushes the inner writer. Collected bytes stay collected: coding them now would
    /// end a chunk early, cost ratio and make the output depend on the calls.
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::{MAX_SEGMENT_LEN, MIN_SEGMENT_LEN};
    use std::io::Cursor;

    /// A model never reads more priming text than a segment holds: the header drops
    /// whole blocks until it fits, and changes nothing else but the fitted table.
    #[test]
    fn priming_is_cut_to_the_segment_length() {
        let block = crate::model::prime::BLOCK as u32;
        let max = crate::model::Preset::Max.config();
        assert_eq!(max.prime, 3);
        for (segment_len, blocks) in [
            (MIN_SEGMENT_LEN, 0),
            (block - 1, 0),
            (block, 1),
            (3 * block - 1, 2),
            (3 * block, 3),
            (MAX_SEGMENT_LEN, 3),
        ] {
            let opts = EncodeOptions {
                segment_len,
                ..EncodeOptions::default()
            };
            let h = opts.header(&max, None).unwrap();
            assert_eq!(h.config.prime, blocks, "segments of {segment_len}");
            let mut want = max.clone();
            want.prime = blocks;
            want.table_bits = h.config.table_bits;
            assert_eq!(h.config, want, "segments of {segment_len}");
        }
    }

    /// Progress counts every byte given (coded or waiting) and every byte written;
    /// the summary, the whole stream.
    #[test]
    fn progress_and_summary_count_what_was_given_and_written() {
        let text = b"given in pieces, coded in chunks. ".repeat(40);
        let mut enc = crate::format::small_encoder(Some(text.len() as u64));
        let mut given = 0u64;
        for piece in text.chunks(250) {
            enc.encode(piece).unwrap();
            given += piece.len() as u64;
            let p = enc.progress();
            assert_eq!(p.raw_bytes, given);
            assert_eq!(p.packed_bytes, enc.get_ref().len() as u64);
        }
        let (out, summary) = enc.finish().unwrap();
        assert_eq!(summary, Summary::new(text.len() as u64, out.len() as u64));
        // Pieces of 250 bytes still make chunks of 300: 1,360 bytes in two segments
        // (1,024 = 300 + 300 + 300 + 124, then 300 + 36).
        let Ok(crate::format::Info::Nnz(info)) = crate::format::scan_info(Cursor::new(&out)) else {
            panic!("a .nnz stream")
        };
        let scan = info.scan.expect("scanned");
        assert_eq!((scan.chunks, scan.max_chunk_len), (6, 300));
    }

    /// Bytes beyond the announced length are refused as they arrive, whatever the
    /// pieces.
    #[test]
    fn bytes_beyond_the_announced_length_are_refused() {
        let mut enc = crate::format::small_encoder(Some(600));
        enc.encode(&[b'a'; 250]).unwrap();
        enc.encode(&[b'b'; 250]).unwrap();
        assert!(enc.encode(&[b'c'; 101]).is_err());
    }

    #[test]
    fn options_out_of_range_are_refused() {
        let ok = |segment_len, chunk_len| {
            EncodeOptions {
                segment_len,
                chunk_len,
            }
            .validate()
        };
        for (s, c) in [
            (MIN_SEGMENT_LEN, 1),
            (MAX_SEGMENT_LEN, MAX_CHUNK_LEN),
            (DEFAULT_SEGMENT_LEN, CHUNK_LEN),
        ] {
            assert!(ok(s, c).is_ok(), "{s} {c}");
        }
        for s in [0, MIN_SEGMENT_LEN - 1, MAX_SEGMENT_LEN + 1] {
            assert!(matches!(
                ok(s, CHUNK_LEN),
                Err(Error::InvalidConfig(ConfigError::SegmentLen { got, .. })) if got == u64::from(s)
            ));
        }
        for c in [0, MAX_CHUNK_LEN + 1] {
            assert!(matches!(
                ok(DEFAULT_SEGMENT_LEN, c),
                Err(Error::InvalidConfig(ConfigError::ChunkLen { got, .. })) if got == c
            ));
        }
    }
}
