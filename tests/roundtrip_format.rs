//! The container under damage, exhaustively on small streams: every truncation and
//! every single-bit flip either fails with an error or (where the range coder's final
//! bytes have slack) still yields exactly the original. Never a panic, never wrong data.
//! Also: `info` scanning, and `.Z` detection.

use nnzip::error::CorruptError;
use nnzip::format::{
    self, scan_info, EncodeOptions, Info, NnzEncoder, HEADER_LEN, MAGIC, MIN_SEGMENT_LEN,
    SEGMENT_FRAME_LEN, TRAILER_LEN,
};
use nnzip::{compress_bytes, decompress_bytes, Codec, Error, ModelConfig, Preset};
use std::io::Cursor;

fn tiny() -> ModelConfig {
    let mut cfg = Preset::Fast.config();
    cfg.table_bits = 10;
    cfg.prime = 0;
    cfg.hidden = 4;
    cfg
}

/// Two segments (1,024 and 68 bytes) of five chunks (300, 300, 300, 124 | 68) of
/// text in a stream with a known length.
fn stream() -> (Vec<u8>, Vec<u8>) {
    let text = b"It was the best of times, it was the worst of times, it was the age of wisdom."
        .repeat(14);
    assert_eq!(text.len(), 1092);
    let opts = EncodeOptions {
        segment_len: MIN_SEGMENT_LEN,
        chunk_len: 300,
    };
    let mut enc =
        NnzEncoder::with_options(Vec::new(), &tiny(), Some(text.len() as u64), opts).unwrap();
    enc.encode(&text).unwrap();
    (text, enc.finish().unwrap().0)
}

/// Offset of the first chunk frame (after the header and the first segment frame).
const FIRST_CHUNK: usize = HEADER_LEN + SEGMENT_FRAME_LEN;

#[test]
fn every_truncation_fails() {
    let (_, packed) = stream();
    for cut in 0..packed.len() {
        match decompress_bytes(&packed[..cut]) {
            Err(Error::Truncated(_)) => {}
            // A cut inside a chunk's payload is seen by the frame as truncation, a cut
            // at the magic's first byte may not look like a magic yet.
            Err(Error::BadMagic { .. }) if cut == 0 => {}
            other => panic!("cut at {cut}: {other:?}"),
        }
        assert!(
            scan_info(Cursor::new(&packed[..cut])).is_err(),
            "scan cut {cut}"
        );
    }
}

#[test]
fn every_bit_flip_fails_or_changes_nothing() {
    let (text, packed) = stream();
    let mut undetected = 0;
    for at in 0..packed.len() {
        for bit in 0..8 {
            let mut b = packed.clone();
            b[at] ^= 1 << bit;
            match decompress_bytes(&b) {
                Err(_) => {}
                Ok(back) => {
                    assert_eq!(back, text, "flip at byte {at} bit {bit} gave wrong data");
                    undetected += 1;
                }
            }
        }
    }
    // Only slack bits in the coder's final bytes of each of the five chunks may go
    // unnoticed (66 of them when measured; 64 was the bound for three chunks).
    assert!(undetected < 22 * 5, "{undetected} harmless flips");
}

#[test]
fn errors_name_the_damage() {
    let (text, packed) = stream();
    let n = packed.len();
    let mut b = packed.clone();
    b[n - 1] ^= 1;
    assert!(matches!(
        decompress_bytes(&b),
        Err(Error::ChecksumMismatch { expected, found })
            if found == crc32fast::hash(&text) && expected != found
    ));
    let mut b = packed.clone();
    b[n - TRAILER_LEN] ^= 1;
    assert!(matches!(
        decompress_bytes(&b),
        Err(Error::LengthMismatch { .. })
    ));
    let mut b = packed.clone();
    b.push(0);
    assert!(matches!(
        decompress_bytes(&b),
        Err(Error::Corrupt(CorruptError::TrailingData))
    ));
    // A segment frame claiming more bytes than the header's segment length, or far
    // more packed bytes than any segment can need.
    let mut b = packed.clone();
    b[HEADER_LEN..HEADER_LEN + 4].copy_from_slice(&(MIN_SEGMENT_LEN + 1).to_le_bytes());
    assert!(matches!(
        decompress_bytes(&b),
        Err(Error::Corrupt(CorruptError::SegmentTooLong {
            got: 1025,
            max: 1024
        }))
    ));
    let mut b = packed.clone();
    b[HEADER_LEN + 4..HEADER_LEN + 12].copy_from_slice(&u64::MAX.to_le_bytes());
    assert!(matches!(
        decompress_bytes(&b),
        Err(Error::Corrupt(
            CorruptError::ImpossibleSegmentPackedLen { .. }
        ))
    ));
    // A damaged segment CRC names its segment.
    let mut b = packed.clone();
    b[HEADER_LEN + 12] ^= 1;
    assert!(matches!(
        decompress_bytes(&b),
        Err(Error::Corrupt(CorruptError::SegmentChecksum {
            index: 0,
            start: 0,
            end: 1024,
            ..
        }))
    ));
    let Info::Nnz(info) = scan_info(Cursor::new(&packed)).unwrap() else {
        panic!("not nnz")
    };
    let second = info.scan.unwrap().segments[1].offset as usize;
    let mut b = packed.clone();
    b[second + 12] ^= 1;
    for threads in [1, 2] {
        let mut out = Vec::new();
        assert!(matches!(
            nnzip::decompress_with_threads(&b[..], &mut out, threads, &mut |_| {}),
            Err(Error::Corrupt(CorruptError::SegmentChecksum {
                index: 1,
                start: 1024,
                end: 1092,
                ..
            }))
        ));
    }
    // A chunk frame claiming far more packed bytes than any chunk can need.
    let mut b = packed.clone();
    b[FIRST_CHUNK + 4..FIRST_CHUNK + 8].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(matches!(
        decompress_bytes(&b),
        Err(Error::Corrupt(CorruptError::ImpossiblePackedLen {
            packed: u32::MAX,
            ..
        }))
    ));
    // A chunk longer than the format allows.
    let mut b = packed.clone();
    b[FIRST_CHUNK..FIRST_CHUNK + 4].copy_from_slice(&(1u32 << 21).to_le_bytes());
    assert!(matches!(
        decompress_bytes(&b),
        Err(Error::Corrupt(CorruptError::ChunkTooLong {
            got: 0x20_0000,
            ..
        }))
    ));
    let mut b = packed;
    b[..4].copy_from_slice(b"PK\x03\x04");
    assert!(
        matches!(decompress_bytes(&b), Err(Error::BadMagic { found }) if found == b"PK\x03\x04")
    );
}

#[test]
fn large_claims_do_not_allocate() {
    // A header followed by a frame that claims a 1 MiB segment of 40 MiB, then
    // nothing: the reader must fail on the missing data, not reserve what the frame
    // claims.
    let mut b = nnzip::format::Header::new(&tiny(), None, 1 << 20)
        .unwrap()
        .to_bytes()
        .to_vec();
    b.extend_from_slice(&(1u32 << 20).to_le_bytes());
    b.extend_from_slice(&(40u64 << 20).to_le_bytes());
    b.extend_from_slice(&[0u8; 14]);
    assert!(matches!(decompress_bytes(&b), Err(Error::Truncated(_))));
}

#[test]
fn scan_reports_trailer_facts() {
    let (text, packed) = stream();
    let Info::Nnz(info) = scan_info(Cursor::new(&packed)).unwrap() else {
        panic!("not nnz")
    };
    assert_eq!(info.header.config, tiny());
    assert_eq!(info.header.original_len, Some(text.len() as u64));
    let scan = info.scan.unwrap();
    assert_eq!(scan.chunks, 5);
    assert_eq!(scan.max_chunk_len, 300);
    assert_eq!(info.header.segment_len, MIN_SEGMENT_LEN);
    let segs: Vec<_> = scan
        .segments
        .iter()
        .map(|s| (s.start, s.raw_len, s.chunks, s.crc32))
        .collect();
    assert_eq!(
        segs,
        [
            (0, 1024, 4, crc32fast::hash(&text[..1024])),
            (1024, 68, 1, crc32fast::hash(&text[1024..]))
        ]
    );
    assert_eq!(scan.segments[0].offset, HEADER_LEN as u64);
    assert_eq!(scan.original_len, text.len() as u64);
    assert_eq!(scan.crc32, crc32fast::hash(&text));
    assert_eq!(scan.packed_len, packed.len() as u64);
    // Header only from a plain reader.
    let Info::Nnz(info) = format::read_info(&packed[..]).unwrap() else {
        panic!("not nnz")
    };
    assert!(info.scan.is_none());
}

#[test]
fn z_files_are_recognised() {
    let z = [0x1f, 0x9d, 0x90, 1, 2, 3];
    assert_eq!(format::detect(&z), Some(format::Kind::Z));
    let Info::Z(info) = scan_info(Cursor::new(&z)).unwrap() else {
        panic!("not .Z")
    };
    assert_eq!(
        (info.max_bits, info.block_mode, info.packed_len),
        (16, true, Some(6))
    );
    assert!(
        format::read_info(&[0x1f, 0x9d, 0x11][..]).is_err(),
        "17 bits"
    );
    assert!(
        format::read_info(&[0x1f, 0x9d][..]).is_err(),
        "no flags byte"
    );
    assert_eq!(format::detect(&MAGIC), Some(format::Kind::Nnz));
    // `.Z` data goes to the LZW codec (an LZW error or, once merged, a result), never
    // to the `.nnz` reader.
    let r = decompress_bytes(&z);
    assert!(!matches!(r, Err(Error::BadMagic { .. })), "{r:?}");
}

#[test]
fn empty_input_is_a_valid_stream() {
    let packed = compress_bytes(b"", &Codec::Neural(tiny())).unwrap();
    assert_eq!(packed.len(), HEADER_LEN + 4 + TRAILER_LEN);
    assert_eq!(decompress_bytes(&packed).unwrap(), b"");
}
