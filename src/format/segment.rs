//! Segments: the independent units of a `.nnz` stream.
//!
//! A segment is coded by a model that starts fresh from the header's configuration,
//! so it can be coded or decoded without any other segment. Its 16-byte frame gives
//! its original length, its coded length (which lets a reader skip to the next
//! segment without decoding this one) and the CRC-32 of its original bytes (checked
//! as soon as the segment is decoded, before any of it is handed on by the parallel
//! driver). Inside, the segment is a run of chunk frames as in [`super::read_frame`]:
//! the model carries over from chunk to chunk, the coder is flushed at each.
//!
//! Both the sequential [`super::NnzEncoder`]/[`super::NnzDecoder`] and the threads of
//! [`crate::parallel`] code segments with the types here, so they write and accept the
//! very same bytes.

use super::{
    le_u32, le_u64, max_packed_len, max_segment_packed_len, read_exact_or_truncated, read_frame,
    Frame, SEGMENT_FRAME_LEN,
};
use crate::error::{ChunkFault, CorruptError, Error, Result, Section, TruncatedError};
use crate::model::ModelConfig;
use crate::neural::{NeuralDecoder, NeuralEncoder};
use std::io::Read;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// A segment's frame: what precedes its coded bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SegmentFrame {
    /// Original bytes in the segment (at least 1).
    pub raw: u32,
    /// Coded bytes (chunk frames and payloads) that follow the frame.
    pub packed: u64,
    /// CRC-32 of the segment's original bytes.
    pub crc: u32,
}

impl SegmentFrame {
    /// The frame's exact bytes.
    pub fn to_bytes(self) -> [u8; SEGMENT_FRAME_LEN] {
        let mut b = [0u8; SEGMENT_FRAME_LEN];
        b[..4].copy_from_slice(&self.raw.to_le_bytes());
        b[4..12].copy_from_slice(&self.packed.to_le_bytes());
        b[12..].copy_from_slice(&self.crc.to_le_bytes());
        b
    }
}

/// Reads and checks a segment frame; `Ok(None)` for the terminator (a length of 0).
///
/// The original length must be at most the header's `segment_len`, and the coded
/// length within [`max_segment_packed_len`], before anything is read for them.
pub(crate) fn read_segment_frame<R: Read + ?Sized>(
    r: &mut R,
    segment_len: u32,
) -> Result<Option<SegmentFrame>> {
    let mut b = [0u8; SEGMENT_FRAME_LEN];
    read_exact_or_truncated(r, &mut b[..4], Section::SegmentFrame)?;
    let raw = le_u32(&b, 0);
    if raw == 0 {
        return Ok(None);
    }
    if raw > segment_len {
        return Err(Error::Corrupt(CorruptError::SegmentTooLong {
            got: raw,
            max: segment_len,
        }));
    }
    read_exact_or_truncated(r, &mut b[4..], Section::SegmentFrame)?;
    let packed = le_u64(&b, 4);
    let max = max_segment_packed_len(raw);
    if packed > max {
        return Err(Error::Corrupt(CorruptError::ImpossibleSegmentPackedLen {
            packed,
            raw,
            max,
        }));
    }
    Ok(Some(SegmentFrame {
        raw,
        packed,
        crc: le_u32(&b, 12),
    }))
}

/// Reads segment `index`'s coded bytes into `buf` (cleared first). The buffer grows
/// with the bytes actually present: a frame cannot make the reader allocate what it
/// merely claims.
pub(crate) fn read_segment_body<R: Read + ?Sized>(
    r: &mut R,
    frame: &SegmentFrame,
    index: u64,
    buf: &mut Vec<u8>,
) -> Result<()> {
    buf.clear();
    let got = r.take(frame.packed).read_to_end(buf)? as u64;
    if got < frame.packed {
        return Err(Error::Truncated(TruncatedError::Segment {
            index,
            got,
            expected: frame.packed,
        }));
    }
    Ok(())
}

/// Codes one segment chunk by chunk with a fresh model.
#[derive(Debug)]
pub(crate) struct SegmentEncoder {
    codec: NeuralEncoder,
    body: Vec<u8>,
    scratch: Vec<u8>,
    crc: crc32fast::Hasher,
    raw: u32,
}

impl SegmentEncoder {
    /// A segment coded with a model fresh from `cfg`, whose first chunk is `first`.
    pub fn new(cfg: &ModelConfig, first: &[u8]) -> Result<Self> {
        Ok(SegmentEncoder {
            codec: NeuralEncoder::new(cfg, first)?,
            body: Vec::new(),
            scratch: Vec::new(),
            crc: crc32fast::Hasher::new(),
            raw: 0,
        })
    }

    /// Original bytes coded so far.
    pub fn raw_len(&self) -> u32 {
        self.raw
    }

    /// Codes `data` (1..=[`super::MAX_CHUNK_LEN`] bytes) as the segment's next chunk.
    ///
    /// # Errors
    /// [`CorruptError::EncodedAboveBound`] if the coder broke the format's bound (a
    /// bug; never written).
    pub fn push_chunk(&mut self, data: &[u8]) -> Result<()> {
        debug_assert!(!data.is_empty() && data.len() <= super::MAX_CHUNK_LEN);
        self.scratch.clear();
        self.codec.encode_chunk(data, &mut self.scratch);
        // data.len() <= MAX_CHUNK_LEN, and the packed length is checked against a
        // bound far below u32::MAX: both fit in u32.
        let raw = data.len() as u32;
        if self.scratch.len() as u64 > max_packed_len(raw) {
            return Err(Error::Corrupt(CorruptError::EncodedAboveBound {
                raw,
                packed: self.scratch.len(),
            }));
        }
        self.body.extend_from_slice(&raw.to_le_bytes());
        self.body
            .extend_from_slice(&(self.scratch.len() as u32).to_le_bytes());
        self.body.extend_from_slice(&self.scratch);
        self.crc.update(data);
        self.raw += raw;
        Ok(())
    }

    /// The segment's frame and coded bytes, as one buffer ready to be written.
    pub fn finish(self) -> Vec<u8> {
        let frame = SegmentFrame {
            raw: self.raw,
            packed: self.body.len() as u64,
            crc: self.crc.finalize(),
        };
        let mut out = Vec::with_capacity(SEGMENT_FRAME_LEN + self.body.len());
        out.extend_from_slice(&frame.to_bytes());
        out.extend_from_slice(&self.body);
        out
    }
}

/// Codes `data` (1..=`segment_len` bytes) as one segment in chunks of `chunk_len`,
/// returning its frame and coded bytes. Adds the bytes coded to `done` after each
/// chunk, and stops with [`Error::Interrupted`] between chunks once `stop` is set.
pub(crate) fn encode_segment(
    cfg: &ModelConfig,
    chunk_len: usize,
    data: &[u8],
    stop: &AtomicBool,
    done: &AtomicU64,
) -> Result<Vec<u8>> {
    let mut enc = SegmentEncoder::new(cfg, &data[..data.len().min(chunk_len)])?;
    for piece in data.chunks(chunk_len) {
        if stop.load(Ordering::Relaxed) {
            return Err(Error::Interrupted);
        }
        enc.push_chunk(piece)?;
        done.fetch_add(piece.len() as u64, Ordering::Relaxed);
    }
    Ok(enc.finish())
}

/// Decodes one segment chunk by chunk with a fresh model, checking that its chunks
/// fill its frame exactly and that the decoded bytes match its CRC-32.
#[derive(Debug)]
pub(crate) struct SegmentDecoder {
    codec: NeuralDecoder,
    frame: SegmentFrame,
    body: Vec<u8>,
    pos: usize,
    raw: u64,
    crc: crc32fast::Hasher,
    index: u64,
    start: u64,
}

impl SegmentDecoder {
    /// A decoder for segment `index` (whose first original byte is at offset `start`
    /// of the stream) with frame `frame` and coded bytes `body` (complete).
    pub fn new(
        cfg: &ModelConfig,
        frame: SegmentFrame,
        body: Vec<u8>,
        index: u64,
        start: u64,
    ) -> Result<Self> {
        debug_assert_eq!(body.len() as u64, frame.packed);
        Ok(SegmentDecoder {
            codec: NeuralDecoder::new(cfg)?,
            frame,
            body,
            pos: 0,
            raw: 0,
            crc: crc32fast::Hasher::new(),
            index,
            start,
        })
    }

    fn layout_error(&self) -> Error {
        Error::Corrupt(CorruptError::SegmentChunks {
            index: self.index,
            start: self.start,
            end: self.start + u64::from(self.frame.raw),
        })
    }

    /// Decodes the next chunk, appending its bytes to `out`; `Ok(false)` once the
    /// segment is complete and its CRC-32 verified.
    ///
    /// # Errors
    /// [`CorruptError::SegmentChunks`] if the chunk frames do not fill the segment
    /// exactly, [`CorruptError::Chunk`] for a chunk that does not decode,
    /// [`CorruptError::SegmentChecksum`] for a CRC mismatch.
    pub fn next_chunk(&mut self, out: &mut Vec<u8>) -> Result<bool> {
        if self.raw == u64::from(self.frame.raw) {
            if self.pos != self.body.len() {
                return Err(self.layout_error());
            }
            let found = self.crc.clone().finalize();
            if found != self.frame.crc {
                return Err(Error::Corrupt(CorruptError::SegmentChecksum {
                    index: self.index,
                    start: self.start,
                    end: self.start + self.raw,
                    expected: self.frame.crc,
                    found,
                }));
            }
            return Ok(false);
        }
        let mut rest = &self.body[self.pos..];
        let (raw, packed) = match read_frame(&mut rest) {
            Ok(Frame::Chunk { raw, packed }) => (raw, packed),
            // The segment's bytes were all present: a frame cut short or a
            // terminator here is damage inside the segment.
            Ok(Frame::End) | Err(Error::Truncated(_)) => return Err(self.layout_error()),
            Err(e) => return Err(e),
        };
        if self.raw + u64::from(raw) > u64::from(self.frame.raw) || rest.len() < packed as usize {
            return Err(self.layout_error());
        }
        let payload = &rest[..packed as usize];
        let chunk_start = self.start + self.raw;
        let chunk_end = chunk_start + u64::from(raw);
        let before = out.len();
        self.codec
            .decode_chunk(payload, raw as usize, out)
            .map_err(|e| {
                let fault = match e {
                    Error::Truncated(t) => ChunkFault::Truncated(t),
                    Error::Corrupt(c) => ChunkFault::Corrupt(Box::new(c)),
                    other => return other,
                };
                Error::Corrupt(CorruptError::Chunk {
                    start: chunk_start,
                    end: chunk_end,
                    fault,
                })
            })?;
        self.crc.update(&out[before..]);
        self.raw += u64::from(raw);
        self.pos += 8 + packed as usize;
        Ok(true)
    }
}

/// Decodes segment `index` (frame `frame`, coded bytes `body`, first original byte
/// at `start`) into a new buffer, verified against the frame's CRC-32. Adds the bytes
/// decoded to `done` after each chunk, and stops with [`Error::Interrupted`] between
/// chunks once `stop` is set.
pub(crate) fn decode_segment(
    cfg: &ModelConfig,
    frame: SegmentFrame,
    body: Vec<u8>,
    index: u64,
    start: u64,
    stop: &AtomicBool,
    done: &AtomicU64,
) -> Result<Vec<u8>> {
    let mut dec = SegmentDecoder::new(cfg, frame, body, index, start)?;
    let mut out = Vec::new();
    loop {
        if stop.load(Ordering::Relaxed) {
            return Err(Error::Interrupted);
        }
        let before = out.len();
        if !dec.next_chunk(&mut out)? {
            return Ok(out);
        }
        done.fetch_add((out.len() - before) as u64, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Preset;

    #[test]
    fn a_segment_round_trips_and_its_damage_is_named() {
        let cfg = Preset::Fast.config().fitted(Some(4096));
        let data = b"segment after segment, chunk after chunk. ".repeat(60);
        let stop = AtomicBool::new(false);
        let done = AtomicU64::new(0);
        let coded = encode_segment(&cfg, 1000, &data, &stop, &done).unwrap();
        assert_eq!(done.load(Ordering::Relaxed), data.len() as u64);
        let frame = read_segment_frame(&mut &coded[..], 1 << 20)
            .unwrap()
            .unwrap();
        assert_eq!(frame.raw as usize, data.len());
        assert_eq!(frame.crc, crc32fast::hash(&data));
        let body = coded[SEGMENT_FRAME_LEN..].to_vec();
        let decoded = AtomicU64::new(0);
        let back = decode_segment(&cfg, frame, body.clone(), 3, 100, &stop, &decoded).unwrap();
        assert_eq!(back, data);
        assert_eq!(decoded.load(Ordering::Relaxed), data.len() as u64);

        let bad_crc = SegmentFrame {
            crc: frame.crc ^ 1,
            ..frame
        };
        assert!(matches!(
            decode_segment(&cfg, bad_crc, body.clone(), 3, 100, &stop, &done),
            Err(Error::Corrupt(CorruptError::SegmentChecksum {
                index: 3,
                start: 100,
                ..
            }))
        ));
        let short = SegmentFrame {
            raw: frame.raw - 1,
            ..frame
        };
        // Found at the last chunk (1000 + 1000 + 580 bytes), after two were decoded;
        // the error names the segment's original bytes.
        let decoded = AtomicU64::new(0);
        assert!(matches!(
            decode_segment(&cfg, short, body.clone(), 2, 500, &stop, &decoded),
            Err(Error::Corrupt(CorruptError::SegmentChunks { index: 2, start: 500, end }))
                if end == 500 + u64::from(frame.raw) - 1
        ));
        assert_eq!(decoded.load(Ordering::Relaxed), 2000);
        // A first chunk longer than the whole segment is refused before it is decoded.
        let shorter = SegmentFrame { raw: 999, ..frame };
        let decoded = AtomicU64::new(0);
        assert!(matches!(
            decode_segment(&cfg, shorter, body.clone(), 0, 0, &stop, &decoded),
            Err(Error::Corrupt(CorruptError::SegmentChunks { end: 999, .. }))
        ));
        assert_eq!(decoded.load(Ordering::Relaxed), 0);
        // The second chunk's payload one byte short: that chunk is named, by its
        // original bytes (the segment's start + 1000 .. + 2000).
        let mut short_chunk = body.clone();
        let p1 = u32::from_le_bytes(body[4..8].try_into().unwrap()) as usize;
        let at = 8 + p1 + 4;
        let p2 = u32::from_le_bytes(body[at..at + 4].try_into().unwrap());
        short_chunk[at..at + 4].copy_from_slice(&(p2 - 1).to_le_bytes());
        let got = decode_segment(&cfg, frame, short_chunk, 3, 100, &stop, &done);
        assert!(
            matches!(
                got,
                Err(Error::Corrupt(CorruptError::Chunk {
                    start: 1100,
                    end: 2100,
                    ..
                }))
            ),
            "{got:?}"
        );
        let mut cut = body.clone();
        cut.truncate(body.len() - 1);
        let cut_frame = SegmentFrame {
            packed: cut.len() as u64,
            ..frame
        };
        assert!(decode_segment(&cfg, cut_frame, cut, 0, 0, &stop, &done).is_err());

        stop.store(true, Ordering::Relaxed);
        assert!(matches!(
            decode_segment(&cfg, frame, body, 0, 0, &stop, &done),
            Err(Error::Interrupted)
        ));
    }

    #[test]
    fn frames_are_bounded() {
        let f = |raw: u32, packed: u64| {
            let mut v = raw.to_le_bytes().to_vec();
            v.extend_from_slice(&packed.to_le_bytes());
            v.extend_from_slice(&[0; 4]);
            read_segment_frame(&mut &v[..], 1000)
        };
        assert!(f(1000, 60_000).unwrap().is_some());
        assert!(f(10, 600).unwrap().is_some());
        assert!(matches!(
            f(1001, 5),
            Err(Error::Corrupt(CorruptError::SegmentTooLong {
                got: 1001,
                max: 1000
            }))
        ));
        assert!(matches!(
            f(10, 601),
            Err(Error::Corrupt(
                CorruptError::ImpossibleSegmentPackedLen { .. }
            ))
        ));
        assert!(f(0, 0).unwrap().is_none());
    }
}
