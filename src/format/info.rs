//! What `nnzip info` shows: the header of a `.nnz` or `.Z` file and, when the input
//! can seek, the facts only the rest of a `.nnz` file holds (its segments, trailer
//! length and CRC, number of chunks, total size), found by walking the segment and
//! chunk frames without decoding.

use super::segment::read_segment_frame;
use super::{expect_eof, read_frame, read_full, read_trailer, Frame, Header, TRAILER_LEN, Z_MAGIC};
use crate::error::{CorruptError, Error, Result, TruncatedError};
use crate::lzw;
use crate::neural;
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
    /// The tree its bytes are coded in, as its first chunk says (under the text
    /// codes, [`crate::model::ModelConfig::text_codes`]; `None` without them, when
    /// every segment is coded in the plain tree, and for a segment without chunks).
    pub tree: Option<SegmentTree>,
}

/// The tree a segment's bytes are coded in ([`crate::model::codes`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SegmentTree {
    /// Each byte as its eight bits.
    Plain,
    /// A Huffman tree of the segment's own byte frequencies.
    Own {
        /// Decisions of the shortest path (the commonest bytes).
        shortest: u32,
        /// Decisions of the longest path.
        longest: u32,
    },
    /// The start of the first chunk's payload is damaged: no tree can be read.
    Unreadable,
}

impl SegmentTree {
    /// The tree coded at the start of a first chunk's `payload` (or its first
    /// [`neural::TREE_PREFIX_LEN`] bytes).
    fn of(payload: &[u8]) -> SegmentTree {
        match neural::peek_tree(payload) {
            Ok(t) if t.is_plain() => SegmentTree::Plain,
            Ok(t) => {
                let lens = (0..=255u8).map(|b| t.path(b).1);
                SegmentTree::Own {
                    shortest: lens.clone().min().unwrap_or(0),
                    longest: lens.max().unwrap_or(0),
                }
            }
            Err(_) => SegmentTree::Unreadable,
        }
    }
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
                    tree: None,
                };
                let text_codes = nnz.header.config.text_codes;
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
                    if text_codes && seg.chunks == 0 {
                        let mut head = vec![0u8; (packed as usize).min(neural::TREE_PREFIX_LEN)];
                        r.read_exact(&mut head)?;
                        seg.tree = Some(SegmentTree::of(&head));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Section;
    use crate::format::{HEADER_LEN, SEGMENT_FRAME_LEN};
    use std::io::Cursor;

    /// A `.nnz` stream of two segments (1,024 and 100 bytes; chunks of 300) and its
    /// scan.
    fn two_segments() -> (Vec<u8>, NnzScan) {
        let text: Vec<u8> = (0..1124u32)
            .map(|i| b"abcde fghij\n"[(i % 12) as usize])
            .collect();
        let mut enc = crate::format::small_encoder(None);
        enc.encode(&text).unwrap();
        let packed = enc.finish().unwrap().0;
        let Info::Nnz(NnzInfo {
            scan: Some(scan), ..
        }) = scan_info(Cursor::new(&packed)).unwrap()
        else {
            panic!("a .nnz stream")
        };
        (packed, scan)
    }

    /// `bytes` after `skip` bytes of something else, with the reader positioned at them.
    fn at_offset(skip: usize, bytes: &[u8]) -> Cursor<Vec<u8>> {
        let mut v = vec![0xAA; skip];
        v.extend_from_slice(bytes);
        let mut c = Cursor::new(v);
        c.set_position(skip as u64);
        c
    }

    #[test]
    fn a_z_stream_is_described_by_its_header_and_size() {
        let z = lzw::compress_bytes(b"to be or not to be, that is the question", 12);
        let expected = ZInfo {
            max_bits: 12,
            block_mode: true,
            packed_len: None,
        };
        assert_eq!(read_info(&z[..]).unwrap(), Info::Z(expected));
        // Sizes count from where the stream starts, not from the start of the input.
        for skip in [0, 7] {
            assert_eq!(
                scan_info(at_offset(skip, &z)).unwrap(),
                Info::Z(ZInfo {
                    packed_len: Some(z.len() as u64),
                    ..expected
                }),
                "stream at {skip}"
            );
        }
        // A `.Z` header cut short is the LZW codec's error, not a wrong magic.
        assert!(matches!(read_info(&z[..2]), Err(Error::Lzw(_))));
    }

    #[test]
    fn each_segment_shows_its_tree() {
        // Two segments of English text (64 KiB, then 16 KiB), a chunk each: the
        // first in a tree of its own, the second too short for one.
        let text = &crate::model::prime::text(3)[65_536..65_536 + 80 * 1024];
        let mut cfg = crate::model::Preset::Fast.config();
        cfg.table_bits = 10;
        cfg.prime = 0;
        let opts = crate::format::EncodeOptions {
            segment_len: 64 << 10,
            chunk_len: 64 << 10,
        };
        let mut enc =
            crate::format::NnzEncoder::with_options(Vec::new(), &cfg, None, opts).unwrap();
        enc.encode(text).unwrap();
        let packed = enc.finish().unwrap().0;
        let scan = |bytes: &[u8]| match scan_info(Cursor::new(bytes)) {
            Ok(Info::Nnz(NnzInfo { scan: Some(s), .. })) => s,
            other => panic!("{other:?}"),
        };
        let trees: Vec<_> = scan(&packed).segments.iter().map(|s| s.tree).collect();
        let Some(SegmentTree::Own { shortest, longest }) = trees[0] else {
            panic!("{trees:?}");
        };
        assert!(
            (1..=3).contains(&shortest) && (9..=18).contains(&longest),
            "{trees:?}"
        );
        assert_eq!(trees[1], Some(SegmentTree::Plain));
        // A damaged first payload byte (the coder's leading 0): unreadable, and the
        // walk goes on.
        let first_payload = HEADER_LEN + SEGMENT_FRAME_LEN + 8;
        let mut bad = packed.clone();
        bad[first_payload] ^= 0x40;
        let trees: Vec<_> = scan(&bad).segments.iter().map(|s| s.tree).collect();
        assert_eq!(
            trees,
            [Some(SegmentTree::Unreadable), Some(SegmentTree::Plain)]
        );
        // Short segments under the text codes show their plain tree; without the text
        // codes there is no tree to show.
        let (_, plain) = two_segments();
        assert!(plain.segments.iter().all(|s| s.tree.is_some()));
        cfg.text_codes = false;
        let mut enc =
            crate::format::NnzEncoder::with_options(Vec::new(), &cfg, None, opts).unwrap();
        enc.encode(text).unwrap();
        let packed = enc.finish().unwrap().0;
        assert!(scan(&packed).segments.iter().all(|s| s.tree.is_none()));
    }

    #[test]
    fn offsets_and_sizes_count_from_the_start_of_the_stream() {
        let (packed, scan) = two_segments();
        assert_eq!(scan.segments.len(), 2);
        assert_eq!(scan.segments[0].offset, HEADER_LEN as u64);
        assert_eq!(
            scan.segments[1].offset,
            (HEADER_LEN + SEGMENT_FRAME_LEN) as u64 + scan.segments[0].packed_len
        );
        assert_eq!(scan.packed_len, packed.len() as u64);
        let Info::Nnz(NnzInfo {
            scan: Some(moved), ..
        }) = scan_info(at_offset(5, &packed)).unwrap()
        else {
            panic!("a .nnz stream")
        };
        assert_eq!(moved, scan);
    }

    #[test]
    fn a_cut_segment_body_reports_the_bytes_present() {
        let (packed, scan) = two_segments();
        let seg = scan.segments[1];
        let body = seg.offset as usize + SEGMENT_FRAME_LEN;
        for present in [0, 10, seg.packed_len as usize - 1] {
            let got = scan_info(Cursor::new(&packed[..body + present]));
            assert!(
                matches!(
                    got,
                    Err(Error::Truncated(TruncatedError::Segment { index: 1, got, expected }))
                        if got == present as u64 && expected == seg.packed_len
                ),
                "{present} bytes of the body: {got:?}"
            );
        }
        // A body that is all there, with nothing after it, ends in the end frame.
        let whole = body + seg.packed_len as usize;
        assert!(matches!(
            scan_info(Cursor::new(&packed[..whole])),
            Err(Error::Truncated(TruncatedError::Inside {
                section: Section::SegmentFrame,
                got: 0,
                ..
            }))
        ));
    }

    #[test]
    fn a_segment_body_ending_inside_a_chunk_frame_is_corrupt() {
        let (packed, scan) = two_segments();
        // The last segment's length claims 3 bytes fewer than one chunk frame, and the
        // input ends there: the walk must stop at the claimed end, not read past it.
        let seg = scan.segments[1];
        let frame = seg.offset as usize;
        let mut b = packed[..frame + SEGMENT_FRAME_LEN + 3].to_vec();
        b[frame + 4..frame + 12].copy_from_slice(&3u64.to_le_bytes());
        let second = |b: &[u8]| {
            matches!(
                scan_info(Cursor::new(b)),
                Err(Error::Corrupt(CorruptError::SegmentChunks {
                    index: 1,
                    start: 1024,
                    end: 1124,
                }))
            )
        };
        assert!(second(&b), "{:?}", scan_info(Cursor::new(&b)));

        // With exactly a chunk frame's 8 bytes left, the frame is read (and here
        // refused for its own reason) rather than taken for a short body.
        let mut b = packed.clone();
        b[frame + 4..frame + 12].copy_from_slice(&8u64.to_le_bytes());
        let chunk = frame + SEGMENT_FRAME_LEN;
        b[chunk..chunk + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(
            matches!(
                scan_info(Cursor::new(&b)),
                Err(Error::Corrupt(CorruptError::ChunkTooLong {
                    got: u32::MAX,
                    ..
                }))
            ),
            "{:?}",
            scan_info(Cursor::new(&b))
        );
        // A chunk frame whose payload runs past the segment's end.
        let mut b = packed.clone();
        b[frame + 4..frame + 12].copy_from_slice(&9u64.to_le_bytes());
        assert!(second(&b), "{:?}", scan_info(Cursor::new(&b)));
    }
}
