//! What `nnzip info` shows: the header of a `.nnz` or `.Z` file and, when the input
//! can seek, the facts only the rest of a `.nnz` file holds (its segments, trailer
//! length and CRC, number of chunks, total size), found by walking the segment and
//! chunk frames without decoding.

use super::segment::read_segment_frame;
use super::{expect_eof, read_frame, read_full, read_trailer, Frame, Header, TRAILER_LEN, Z_MAGIC};
use crate::error::{CorruptError, Error, Result, TruncatedError};
use crate::lzw;
use std::io::{Read, Seek, SeekFrom};

/// Header facts of a compressed file.
#[derive(Debug, Clone, PartialEq)]
pub enum Info {
    /// An nnzip container.
    Nnz(NnzInfo),
    /// A Unix `compress` stream.
    Z(ZInfo),
}

/// Facts about a `.nnz` file.
#[derive(Debug, Clone, PartialEq)]
pub struct NnzInfo {
    /// The checked header.
    pub header: Header,
    /// Facts from the chunk frames and the trailer (only from [`scan_info`]).
    pub scan: Option<NnzScan>,
}

/// What a walk over a `.nnz` file's frames finds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NnzScan {
    /// The segments, in order.
    pub segments: Vec<SegmentInfo>,
    /// Number of chunks in all segments.
    pub chunks: u64,
    /// Original bytes in the largest chunk.
    pub max_chunk_len: u32,
    /// Original length, from the trailer (checked against the frames).
    pub original_len: u64,
    /// CRC-32 of the original data, from the trailer (not verified: that needs
    /// decoding).
    pub crc32: u32,
    /// Size of the whole `.nnz` stream in bytes.
    pub packed_len: u64,
}

/// One segment, as its frame describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmentInfo {
    /// Offset of the segment's frame in the `.nnz` stream.
    pub offset: u64,
    /// Offset of the segment's first original byte in the original data.
    pub start: u64,
    /// Original bytes in the segment.
    pub raw_len: u32,
    /// Coded bytes after the segment's frame (its chunk frames and payloads).
    pub packed_len: u64,
    /// CRC-32 of the segment's original bytes, from its frame (not verified).
    pub crc32: u32,
    /// Number of chunks in the segment.
    pub chunks: u32,
}

/// Facts about a `.Z` file, from its 3-byte header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZInfo {
    /// Largest LZW code width in bits.
    pub max_bits: u8,
    /// Whether the CLEAR code resets the dictionary (block mode, always set by
    /// modern `compress`).
    pub block_mode: bool,
    /// Size of the file in bytes (only from [`scan_info`]).
    pub packed_len: Option<u64>,
}

/// Reads the header of a `.nnz` or `.Z` stream (the rest of the input is not read).
///
/// # Errors
/// Every header error of [`Header::read_from`] for a `.nnz` stream, and of
/// [`lzw::Header::parse`] (as [`Error::Lzw`]) for a `.Z` stream.
pub fn read_info<R: Read>(mut r: R) -> Result<Info> {
    let mut head = [0u8; lzw::HEADER_LEN];
    let n = read_full(&mut r, &mut head[..1])?;
    // The two magics differ in their first byte.
    if n > 0 && head[0] == Z_MAGIC[0] {
        let n = 1 + read_full(&mut r, &mut head[1..])?;
        let header = lzw::Header::parse(&head[..n])?;
        return Ok(Info::Z(ZInfo {
            max_bits: header.max_bits,
            block_mode: header.block_mode,
            packed_len: None,
        }));
    }
    let header = Header::read_from(&mut (&head[..n]).chain(r))?;
    Ok(Info::Nnz(NnzInfo { header, scan: None }))
}

/// Like [`read_info`], and for a `.nnz` file also walks the segment and chunk frames
/// (seeking over the coded bytes) to the trailer, checking the framing and the
/// lengths.
///
/// # Errors
/// As [`read_info`], and [`Error::Truncated`], [`Error::Corrupt`] or
/// [`Error::LengthMismatch`] for a damaged frame structure.
pub fn scan_info<R: Read + Seek>(mut r: R) -> Result<Info> {
    let start = r.stream_position()?;
    let end = r.seek(SeekFrom::End(0))?;
    r.seek(SeekFrom::Start(start))?;
    let mut info = read_info(&mut r)?;
    match &mut info {
        Info::Z(z) => z.packed_len = Some(end - start),
        Info::Nnz(nnz) => {
            let mut scan = NnzScan {
                segments: Vec::new(),
                chunks: 0,
                max_chunk_len: 0,
                original_len: 0,
                crc32: 0,
                packed_len: 0,
            };
            let segment_len = nnz.header.segment_len;
            let mut raw_total = 0u64;
            loop {
                let offset = r.stream_position()? - start;
                let Some(frame) = read_segment_frame(&mut r, segment_len)? else {
                    break;
                };
                let index = scan.segments.len() as u64;
                let body_at = r.stream_position()?;
                let body_end = body_at.saturating_add(frame.packed);
                if body_end > end {
                    return Err(Error::Truncated(TruncatedError::Segment {
                        index,
                        got: end - body_at,
                        expected: frame.packed,
                    }));
                }
                let layout = || {
                    Error::Corrupt(CorruptError::SegmentChunks {
                        index,
                        start: raw_total,
                        end: raw_total + u64::from(frame.raw),
                    })
                };
                // Walk the segment's chunk frames, seeking over their payloads.
                let mut seg = SegmentInfo {
                    offset,
                    start: raw_total,
                    raw_len: frame.raw,
                    packed_len: frame.packed,
                    crc32: frame.crc,
                    chunks: 0,
                };
                let mut raw_in = 0u64;
                while r.stream_position()? < body_end {
                    if body_end - r.stream_position()? < 8 {
                        return Err(layout());
                    }
                    let Frame::Chunk { raw, packed } = read_frame(&mut r)? else {
                        return Err(layout());
                    };
                    let pos = r.stream_position()?;
                    if pos + u64::from(packed) > body_end {
                        return Err(layout());
                    }
                    r.seek(SeekFrom::Start(pos + u64::from(packed)))?;
                    seg.chunks += 1;
                    raw_in += u64::from(raw);
                    scan.max_chunk_len = scan.max_chunk_len.max(raw);
                }
                if raw_in != u64::from(frame.raw) {
                    return Err(layout());
                }
                scan.chunks += u64::from(seg.chunks);
                raw_total += u64::from(frame.raw);
                scan.segments.push(seg);
            }
            let (len, crc) = read_trailer(&mut r)?;
            if len != raw_total {
                return Err(Error::LengthMismatch {
                    expected: len,
                    found: raw_total,
                });
            }
            if let Some(declared) = nnz.header.original_len {
                if declared != len {
                    return Err(Error::LengthMismatch {
                        expected: declared,
                        found: len,
                    });
                }
            }
            expect_eof(&mut r)?;
            scan.original_len = len;
            scan.crc32 = crc;
            scan.packed_len = end - start;
            debug_assert!(scan.packed_len >= TRAILER_LEN as u64);
            nnz.scan = Some(scan);
        }
    }
    Ok(info)
}
