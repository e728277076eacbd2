//! [`NnzDecoder`]: reads and verifies a `.nnz` stream from any [`Read`], one chunk at
//! a time, checking every length before it reads or allocates for it.

use super::{expect_eof, read_frame, read_trailer, Frame, Header, HEADER_LEN, TRAILER_LEN};
use crate::error::{ChunkFault, CorruptError, Error, Result, TruncatedError};
use crate::neural::NeuralDecoder;
use crate::progress::{Progress, Summary};
use std::io::{self, Read};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// More chunks (or the terminator) to come.
    Chunks,
    /// Trailer verified and end of input checked.
    Done,
    /// An error was returned; the stream cannot be trusted any further.
    Failed,
}

/// Streaming `.nnz` reader.
///
/// [`NnzDecoder::next_chunk`] hands out the original data chunk by chunk;
/// [`Read`] is implemented on top of it. The CRC-32 and the lengths are verified
/// when the trailer is reached, so a caller that streams the output somewhere must
/// treat what it got as unverified until `next_chunk` has returned `Ok(None)` (or
/// `read` has returned `Ok(0)`).
#[derive(Debug)]
pub struct NnzDecoder<R: Read> {
    inner: R,
    header: Header,
    codec: NeuralDecoder,
    packed: Vec<u8>,
    out: Vec<u8>,
    out_pos: usize,
    crc: crc32fast::Hasher,
    raw_bytes: u64,
    packed_bytes: u64,
    state: State,
}

impl<R: Read> NnzDecoder<R> {
    /// Reads and checks the header (see [`Header::read_from`]), then builds the model.
    ///
    /// # Errors
    /// Every header error of [`Header::read_from`], and I/O errors.
    pub fn new(mut inner: R) -> Result<Self> {
        let header = Header::read_from(&mut inner)?;
        let codec = NeuralDecoder::new(&header.config)?;
        Ok(NnzDecoder {
            inner,
            header,
            codec,
            packed: Vec::new(),
            out: Vec::new(),
            out_pos: 0,
            crc: crc32fast::Hasher::new(),
            raw_bytes: 0,
            packed_bytes: HEADER_LEN as u64,
            state: State::Chunks,
        })
    }

    /// The stream's header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// Bytes produced and consumed so far.
    pub fn progress(&self) -> Progress {
        Progress {
            raw_bytes: self.raw_bytes,
            packed_bytes: self.packed_bytes,
        }
    }

    /// Totals; final once [`NnzDecoder::next_chunk`] has returned `Ok(None)`.
    pub fn summary(&self) -> Summary {
        Summary {
            raw_bytes: self.raw_bytes,
            packed_bytes: self.packed_bytes,
        }
    }

    /// The inner reader.
    pub fn into_inner(self) -> R {
        self.inner
    }

    /// Decodes the next chunk and returns its original bytes; `Ok(None)` once the
    /// trailer has been read and verified and the input has ended.
    ///
    /// # Errors
    /// [`Error::Truncated`] if the input ends early; [`Error::Corrupt`] for impossible
    /// lengths, undecodable chunks or trailing data; [`Error::LengthMismatch`] and
    /// [`Error::ChecksumMismatch`] when the trailer disagrees with the data. After an
    /// error every further call fails.
    pub fn next_chunk(&mut self) -> Result<Option<&[u8]>> {
        match self.state {
            State::Done => return Ok(None),
            State::Failed => return Err(Error::Corrupt(CorruptError::AfterError)),
            State::Chunks => {}
        }
        match self.step() {
            Ok(true) => Ok(Some(&self.out)),
            Ok(false) => {
                self.state = State::Done;
                Ok(None)
            }
            Err(e) => {
                self.state = State::Failed;
                Err(e)
            }
        }
    }

    /// Reads one frame; decodes its chunk into `self.out` (true) or verifies the
    /// trailer (false).
    fn step(&mut self) -> Result<bool> {
        self.out.clear();
        self.out_pos = 0;
        let (raw, packed) = match read_frame(&mut self.inner)? {
            Frame::Chunk { raw, packed } => (raw, packed),
            Frame::End => {
                self.packed_bytes += 4;
                self.finish_stream()?;
                return Ok(false);
            }
        };
        let total = self.raw_bytes + u64::from(raw);
        if let Some(declared) = self.header.original_len {
            if total > declared {
                return Err(Error::LengthMismatch {
                    expected: declared,
                    found: total,
                });
            }
        }
        self.packed.clear();
        // Grows with the data actually present: a truncated file never makes the
        // reader allocate what its frame merely claims.
        let got = (&mut self.inner)
            .take(u64::from(packed))
            .read_to_end(&mut self.packed)?;
        if got < packed as usize {
            return Err(Error::Truncated(TruncatedError::Chunk {
                got: got as u64,
                expected: u64::from(packed),
            }));
        }
        // The frame proved every coded byte present: a chunk that still runs short
        // or leaves bytes over was damaged, not cut.
        self.codec
            .decode_chunk(&self.packed, raw as usize, &mut self.out)
            .map_err(|e| {
                let fault = match e {
                    Error::Truncated(t) => ChunkFault::Truncated(t),
                    Error::Corrupt(c) => ChunkFault::Corrupt(Box::new(c)),
                    other => return other,
                };
                Error::Corrupt(CorruptError::Chunk {
                    start: self.raw_bytes,
                    end: total,
                    fault,
                })
            })?;
        self.crc.update(&self.out);
        self.raw_bytes = total;
        self.packed_bytes += 8 + u64::from(packed);
        Ok(true)
    }

    fn finish_stream(&mut self) -> Result<()> {
        let (len, crc) = read_trailer(&mut self.inner)?;
        self.packed_bytes += TRAILER_LEN as u64;
        if len != self.raw_bytes {
            return Err(Error::LengthMismatch {
                expected: len,
                found: self.raw_bytes,
            });
        }
        if let Some(declared) = self.header.original_len {
            if declared != len {
                return Err(Error::LengthMismatch {
                    expected: declared,
                    found: len,
                });
            }
        }
        let found = self.crc.clone().finalize();
        if found != crc {
            return Err(Error::ChecksumMismatch {
                expected: crc,
                found,
            });
        }
        expect_eof(&mut self.inner)
    }
}

impl<R: Read> Read for NnzDecoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        while self.out_pos == self.out.len() {
            match self.next_chunk() {
                Ok(Some(_)) => {}
                Ok(None) => return Ok(0),
                Err(Error::Io(e)) => return Err(e),
                Err(e) => return Err(io::Error::new(io::ErrorKind::InvalidData, e)),
            }
        }
        let n = buf.len().min(self.out.len() - self.out_pos);
        buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        Ok(n)
    }
}
