//! [`NnzDecoder`]: reads and verifies a `.nnz` stream from any [`Read`], one segment in
//! and one chunk out at a time, on the calling thread, checking every length before
//! it reads or allocates for it. ([`crate::parallel`] decodes segments on several
//! threads.)

use super::segment::{read_segment_body, read_segment_frame, SegmentDecoder};
use super::{expect_eof, read_trailer, Header, HEADER_LEN, SEGMENT_FRAME_LEN, TRAILER_LEN};
use crate::error::{CorruptError, Error, Result};
use crate::progress::{Progress, Summary};
use std::io::{self, Read};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// More segments (or the terminator) to come.
    Segments,
    /// Trailer verified and end of input checked.
    Done,
    /// An error was returned; the stream cannot be trusted any further.
    Failed,
}

/// Streaming `.nnz` reader.
///
/// [`NnzDecoder::next_chunk`] hands out the original data chunk by chunk;
/// [`Read`] is implemented on top of it. A segment's CRC-32 is verified when its last
/// chunk has been decoded, the whole stream's CRC-32 and lengths when the trailer is
/// reached, so a caller that streams the output somewhere must treat what it got as
/// unverified until `next_chunk` has returned `Ok(None)` (or `read` has returned
/// `Ok(0)`).
#[derive(Debug)]
pub struct NnzDecoder<R: Read> {
    inner: R,
    header: Header,
    segment: Option<SegmentDecoder>,
    segments: u64,
    out: Vec<u8>,
    out_pos: usize,
    crc: crc32fast::Hasher,
    raw_bytes: u64,
    packed_bytes: u64,
    state: State,
}

impl<R: Read> NnzDecoder<R> {
    /// Reads and checks the header (see [`Header::read_from`]). A model is built for
    /// each segment as it starts.
    ///
    /// # Errors
    /// Every header error of [`Header::read_from`], and I/O errors.
    pub fn new(mut inner: R) -> Result<Self> {
        let header = Header::read_from(&mut inner)?;
        Ok(Self::with_header(inner, header))
    }

    /// A decoder for the rest of a stream whose header was read (and checked) already.
    pub(crate) fn with_header(inner: R, header: Header) -> Self {
        NnzDecoder {
            inner,
            header,
            segment: None,
            segments: 0,
            out: Vec::new(),
            out_pos: 0,
            crc: crc32fast::Hasher::new(),
            raw_bytes: 0,
            packed_bytes: HEADER_LEN as u64,
            state: State::Segments,
        }
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
        Summary::new(self.raw_bytes, self.packed_bytes)
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
    /// lengths, undecodable chunks, a segment's CRC mismatch or trailing data;
    /// [`Error::LengthMismatch`] and [`Error::ChecksumMismatch`] when the trailer
    /// disagrees with the data. After an error every further call fails.
    pub fn next_chunk(&mut self) -> Result<Option<&[u8]>> {
        match self.state {
            State::Done => return Ok(None),
            State::Failed => return Err(Error::Corrupt(CorruptError::AfterError)),
            State::Segments => {}
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

    /// Decodes the next chunk into `self.out` (true), starting a new segment when
    /// the current one is done, or verifies the trailer (false).
    fn step(&mut self) -> Result<bool> {
        self.out.clear();
        self.out_pos = 0;
        loop {
            if let Some(segment) = &mut self.segment {
                if segment.next_chunk(&mut self.out)? {
                    self.crc.update(&self.out);
                    self.raw_bytes += self.out.len() as u64;
                    return Ok(true);
                }
                self.segment = None;
                self.segments += 1;
            }
            let Some(frame) = read_segment_frame(&mut self.inner, self.header.segment_len)? else {
                self.packed_bytes += 4;
                self.finish_stream()?;
                return Ok(false);
            };
            let total = self.raw_bytes + u64::from(frame.raw);
            if let Some(declared) = self.header.original_len {
                if total > declared {
                    return Err(Error::LengthMismatch {
                        expected: declared,
                        found: total,
                    });
                }
            }
            let mut body = Vec::new();
            read_segment_body(&mut self.inner, &frame, self.segments, &mut body)?;
            self.packed_bytes += SEGMENT_FRAME_LEN as u64 + frame.packed;
            self.segment = Some(SegmentDecoder::new(
                &self.header.config,
                frame,
                body,
                self.segments,
                self.raw_bytes,
            )?);
        }
    }

    fn finish_stream(&mut self) -> Result<()> {
        let crc = self.crc.clone().finalize();
        check_trailer(&mut self.inner, &self.header, self.raw_bytes, crc)?;
        self.packed_bytes += TRAILER_LEN as u64;
        Ok(())
    }
}

/// Reads the trailer after the terminator and checks it against the `raw_bytes`
/// decoded (CRC-32 `crc`) and the header, then that the input ends there.
pub(crate) fn check_trailer<R: Read + ?Sized>(
    r: &mut R,
    header: &Header,
    raw_bytes: u64,
    crc: u32,
) -> Result<()> {
    let (len, stored) = read_trailer(r)?;
    if len != raw_bytes {
        return Err(Error::LengthMismatch {
            expected: len,
            found: raw_bytes,
        });
    }
    if let Some(declared) = header.original_len {
        if declared != len {
            return Err(Error::LengthMismatch {
                expected: declared,
                found: len,
            });
        }
    }
    if stored != crc {
        return Err(Error::ChecksumMismatch {
            expected: stored,
            found: crc,
        });
    }
    expect_eof(r)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Progress counts the original bytes handed out and the container bytes read,
    /// chunk by chunk, and the summary gives the totals at the end.
    #[test]
    fn progress_follows_every_chunk_and_the_summary_the_whole_stream() {
        let text = b"a stream in chunks, read one chunk at a time. ".repeat(30);
        let mut enc = crate::format::small_encoder(None);
        enc.encode(&text).unwrap();
        let packed = enc.finish().unwrap().0;
        let mut dec = NnzDecoder::new(&packed[..]).unwrap();
        assert_eq!(dec.progress().raw_bytes, 0);
        assert_eq!(dec.progress().packed_bytes, HEADER_LEN as u64);
        // A segment is read whole: the packed count moves once per segment (two
        // here), by its frame and body.
        let (mut raw, mut packed_seen) = (0u64, vec![HEADER_LEN as u64]);
        let mut chunks = 0;
        while let Some(chunk) = dec.next_chunk().unwrap() {
            chunks += 1;
            assert!(
                chunks <= 6,
                "two segments of 1,024 and 386 bytes in chunks of 300"
            );
            raw += chunk.len() as u64;
            let p = dec.progress();
            assert_eq!(p.raw_bytes, raw);
            if packed_seen.last() != Some(&p.packed_bytes) {
                packed_seen.push(p.packed_bytes);
            }
        }
        assert_eq!((raw, chunks), (text.len() as u64, 6));
        assert_eq!(packed_seen.len(), 3, "{packed_seen:?}");
        assert!(packed_seen
            .windows(2)
            .all(|w| w[0] + (SEGMENT_FRAME_LEN as u64) < w[1]));
        // Then the end frame (4 bytes) and the trailer.
        assert_eq!(packed_seen[2] + 4 + TRAILER_LEN as u64, packed.len() as u64);
        assert_eq!(
            dec.summary(),
            Summary::new(text.len() as u64, packed.len() as u64)
        );
        assert_eq!(dec.progress().packed_bytes, packed.len() as u64);
    }
}
