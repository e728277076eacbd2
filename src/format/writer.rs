//! [`NnzEncoder`]: writes a complete `.nnz` stream (header, framed chunks, trailer)
//! into any [`Write`], one chunk in memory at a time.

use super::{max_packed_len, Header, CHUNK_LEN, MAX_CHUNK_LEN, TRAILER_LEN};
use crate::error::{ConfigError, CorruptError, Error, Result};
use crate::model::ModelConfig;
use crate::neural::NeuralEncoder;
use crate::progress::{Progress, Summary};
use std::io::{self, Write};

/// Streaming `.nnz` writer.
///
/// Bytes given through [`Write`] are collected until a chunk is full, then coded;
/// [`NnzEncoder::encode`] codes a buffer straight away. Nothing reaches the inner
/// writer that is not final except the trailer, which [`NnzEncoder::finish`] writes:
/// a stream that was not finished is truncated and every reader rejects it.
#[derive(Debug)]
pub struct NnzEncoder<W: Write> {
    inner: W,
    codec: NeuralEncoder,
    chunk_len: usize,
    pending: Vec<u8>,
    packed: Vec<u8>,
    crc: crc32fast::Hasher,
    declared_len: Option<u64>,
    raw_bytes: u64,
    packed_bytes: u64,
}

impl<W: Write> NnzEncoder<W> {
    /// Writes the header of a stream coded with `config` and returns the encoder.
    ///
    /// `original_len`, if given, is stored in the header, and [`NnzEncoder::finish`]
    /// fails unless exactly that many bytes were written.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for a bad configuration, I/O errors of `inner`.
    pub fn new(inner: W, config: &ModelConfig, original_len: Option<u64>) -> Result<Self> {
        Self::with_chunk_len(inner, config, original_len, CHUNK_LEN)
    }

    /// Like [`NnzEncoder::new`], with chunks of `chunk_len` original bytes
    /// (`1..=MAX_CHUNK_LEN`; the last chunk may be shorter).
    ///
    /// # Errors
    /// As [`NnzEncoder::new`], and [`Error::InvalidConfig`] for a bad `chunk_len`.
    pub fn with_chunk_len(
        mut inner: W,
        config: &ModelConfig,
        original_len: Option<u64>,
        chunk_len: usize,
    ) -> Result<Self> {
        if !(1..=MAX_CHUNK_LEN).contains(&chunk_len) {
            return Err(Error::InvalidConfig(ConfigError::ChunkLen {
                got: chunk_len,
                max: MAX_CHUNK_LEN,
            }));
        }
        let config = &config.fitted(original_len);
        let header = Header::new(config, original_len)?;
        let codec = NeuralEncoder::new(config)?;
        header.write_to(&mut inner)?;
        Ok(NnzEncoder {
            inner,
            codec,
            chunk_len,
            pending: Vec::new(),
            packed: Vec::new(),
            crc: crc32fast::Hasher::new(),
            declared_len: original_len,
            raw_bytes: 0,
            packed_bytes: super::HEADER_LEN as u64,
        })
    }

    /// Codes `data` now, as one or more chunks (after any bytes still collected from
    /// [`Write`] calls, which form a chunk of their own).
    ///
    /// # Errors
    /// I/O errors of the inner writer, and an error if more bytes arrive than the
    /// original length given to [`NnzEncoder::new`].
    pub fn encode(&mut self, data: &[u8]) -> Result<()> {
        self.flush_pending()?;
        for piece in data.chunks(self.chunk_len) {
            self.encode_chunk(piece)?;
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
        self.flush_pending()?;
        if let Some(declared) = self.declared_len {
            if declared != self.raw_bytes {
                return Err(size_changed(declared, self.raw_bytes));
            }
        }
        let mut tail = [0u8; 4 + TRAILER_LEN];
        tail[4..12].copy_from_slice(&self.raw_bytes.to_le_bytes());
        tail[12..].copy_from_slice(&self.crc.clone().finalize().to_le_bytes());
        self.inner.write_all(&tail)?;
        self.inner.flush()?;
        self.packed_bytes += tail.len() as u64;
        let summary = Summary {
            raw_bytes: self.raw_bytes,
            packed_bytes: self.packed_bytes,
        };
        Ok((self.inner, summary))
    }

    fn flush_pending(&mut self) -> Result<()> {
        if !self.pending.is_empty() {
            let pending = std::mem::take(&mut self.pending);
            let r = self.encode_chunk(&pending);
            self.pending = pending;
            self.pending.clear();
            r?;
        }
        Ok(())
    }

    fn encode_chunk(&mut self, data: &[u8]) -> Result<()> {
        debug_assert!(!data.is_empty() && data.len() <= MAX_CHUNK_LEN);
        let raw_total = self.raw_bytes + data.len() as u64;
        if let Some(declared) = self.declared_len {
            if raw_total > declared {
                return Err(size_changed(declared, raw_total));
            }
        }
        self.packed.clear();
        self.codec.encode_chunk(data, &mut self.packed);
        // Both lengths fit in u32: data.len() <= MAX_CHUNK_LEN, and the packed
        // length is checked against a bound far below u32::MAX.
        let raw = data.len() as u32;
        if self.packed.len() as u64 > max_packed_len(raw) {
            return Err(Error::Corrupt(CorruptError::EncodedAboveBound {
                raw,
                packed: self.packed.len(),
            }));
        }
        let mut frame = [0u8; 8];
        frame[..4].copy_from_slice(&raw.to_le_bytes());
        frame[4..].copy_from_slice(&(self.packed.len() as u32).to_le_bytes());
        self.inner.write_all(&frame)?;
        self.inner.write_all(&self.packed)?;
        self.crc.update(data);
        self.raw_bytes = raw_total;
        self.packed_bytes += (frame.len() + self.packed.len()) as u64;
        Ok(())
    }
}

fn size_changed(declared: u64, found: u64) -> Error {
    Error::Io(io::Error::new(
        io::ErrorKind::InvalidData,
        format!(
            "input changed size while being compressed (expected {declared} bytes, got {found})"
        ),
    ))
}

fn to_io(e: Error) -> io::Error {
    match e {
        Error::Io(e) => e,
        other => io::Error::new(io::ErrorKind::InvalidData, other),
    }
}

impl<W: Write> Write for NnzEncoder<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.pending.capacity() == 0 {
            self.pending.reserve_exact(self.chunk_len);
        }
        let room = self.chunk_len - self.pending.len();
        let n = room.min(buf.len());
        self.pending.extend_from_slice(&buf[..n]);
        if self.pending.len() == self.chunk_len {
            self.flush_pending().map_err(to_io)?;
        }
        Ok(n)
    }

    /// Flushes the inner writer. Collected bytes stay collected: coding them now would
    /// end a chunk early and cost ratio without making the stream any more readable.
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
