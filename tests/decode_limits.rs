//! Decoding is bounded by the data actually present, whatever a header or frame
//! claims: no allocation sized from a claim, no long computation on data that is not
//! there, no endless loop on a cut stream. (`roundtrip_format.rs` covers every
//! truncation and bit flip of a small stream; these are the large claims.)
//!
//! The allocation tests run the `nnzip` binary under an address-space limit
//! (`ulimit -v`) far below what the claims would need: an attempt to allocate would
//! abort the process instead of the clean one-line error the tests expect.

use crate::cli_util;

use nnzip::error::{ChunkFault, ConfigError, CorruptError, HeaderError, TruncatedError};
use nnzip::format::{
    max_packed_len, max_segment_packed_len, Header, HEADER_LEN, MAX_CHUNK_LEN, MAX_SEGMENT_LEN,
};
use nnzip::{decompress_bytes, Error, ModelConfig, Preset};
use std::io::Write;
use std::process::{Command, Stdio};

/// Address-space limit for the child (KiB): the fast model (at most ~70 MiB, its
/// table of 2^20 buckets included) fits, a model or buffer of a gigabyte does not.
const VMEM_LIMIT_KIB: u64 = 768 << 10;

/// A header for `cfg` with the original length `len`, the largest segment length
/// (so that frames may claim the most) and a valid CRC, even for a configuration
/// that `Header::new` would refuse (so that the reader must refuse it).
fn header(cfg: &ModelConfig, len: Option<u64>) -> Vec<u8> {
    let mut b = Header::new(&Preset::Fast.config(), len, MAX_SEGMENT_LEN)
        .expect("header")
        .to_bytes()
        .to_vec();
    let mut c = Vec::new();
    cfg.write_to(&mut c).expect("encode config");
    b[7..31].copy_from_slice(&c);
    let crc = crc32fast::hash(&b[..43]);
    b[43..47].copy_from_slice(&crc.to_le_bytes());
    assert_eq!(b.len(), HEADER_LEN);
    b
}

/// A segment frame.
fn segment(raw: u32, packed: u64, crc: u32) -> Vec<u8> {
    let mut v = raw.to_le_bytes().to_vec();
    v.extend_from_slice(&packed.to_le_bytes());
    v.extend_from_slice(&crc.to_le_bytes());
    v
}

/// The terminator and the trailer of a stream with no data.
fn empty_end() -> Vec<u8> {
    vec![0; 4 + 12]
}

fn frame(raw: u32, packed: u32) -> Vec<u8> {
    let mut v = raw.to_le_bytes().to_vec();
    v.extend_from_slice(&packed.to_le_bytes());
    v
}

/// Decompresses `input` with the binary under the address-space limit; returns
/// (exit status, stderr).
#[cfg(unix)]
fn decompress_limited(input: &[u8]) -> (Option<i32>, String) {
    let script = format!("ulimit -v {VMEM_LIMIT_KIB}; exec \"$NNZIP\" -d -c - > /dev/null");
    let mut child = Command::new("bash")
        .args(["-c", &script])
        .env("NNZIP", assert_cmd::cargo::cargo_bin("nnzip"))
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn bash");
    let mut stdin = child.stdin.take().expect("stdin");
    // The reader may stop early and close the pipe: a failed write is fine.
    let _ = stdin.write_all(input);
    drop(stdin);
    let out = child.wait_with_output().expect("wait");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The limit itself lets a normal file through (else the tests below prove nothing).
#[cfg(unix)]
#[test]
fn the_memory_limit_admits_the_fast_preset() {
    let text = cli_util::sample_text(50_000);
    let nnz = nnzip::compress_bytes(&text, &nnzip::Codec::Neural(Preset::Fast.config()))
        .expect("compress");
    let (status, stderr) = decompress_limited(&nnz);
    assert_eq!(status, Some(0), "{stderr}");
    // And under the same limit the binary cannot build a valid model of 1 GiB (one
    // table of 2^24 buckets of 64 bytes): the limit really binds. (The reader builds
    // the model the header describes; only the writer fits the table to the input.)
    let mut big = Preset::Fast.config();
    big.table_bits = 24;
    big.orders = vec![2, 3];
    big.word = false;
    assert!(big.validate().is_ok());
    assert!(big.memory_estimate() > 1 << 30);
    // A model is built when its segment starts: give it a one-byte segment.
    let nnz = header(&big, None);
    let one = [segment(1, 9, 0), frame(1, 1), vec![0]].concat();
    let (status, stderr) = decompress_limited(&[nnz, one, empty_end()].concat());
    assert_ne!(status, Some(0), "a 2 GiB model fitted under the limit");
    assert!(stderr.contains("memory allocation"), "{stderr}");
}

/// The largest model a header can describe within the limits: every order and
/// context, a 2^24-bucket table, the widest and deepest network. Since version 2 all
/// contexts share one table, so it stays near 1 GiB, below the 4 GiB limit
/// (`limits::MAX_MODEL_BYTES`, which remains as a backstop).
#[test]
fn the_largest_valid_model_is_within_the_memory_limit() {
    let mut cfg = Preset::Max.config();
    cfg.orders = (1..=16).collect();
    cfg.word = true;
    cfg.match_model = true;
    cfg.sparse = true;
    cfg.markup = true;
    cfg.apm = true;
    cfg.table_bits = 24;
    cfg.hidden = 1024;
    cfg.layers = 2;
    cfg.byte_embed = 8;
    assert!(cfg.validate().is_ok());
    let est = cfg.memory_estimate();
    assert!(
        est > 1 << 30 && est < nnzip::model::config::limits::MAX_MODEL_BYTES,
        "{est}"
    );
}

/// Headers asking for models beyond the limits (a table of 2^25 buckets = 2 GiB, a
/// third hidden layer as version 1 allowed, a network of 65535 units) are refused
/// by the header check with one line, before anything is allocated.
#[cfg(unix)]
#[test]
fn a_header_asking_for_a_huge_model_is_refused_before_allocating() {
    /// Whether a refusal is the one a case expects.
    type IsExpected = fn(&ConfigError) -> bool;
    let mut table = Preset::Max.config();
    table.orders = (1..=16).collect();
    table.table_bits = 25;
    let mut layers = Preset::Max.config();
    layers.hidden = 1024;
    layers.layers = 3;
    let mut wide = Preset::Max.config();
    wide.hidden = u16::MAX;
    let cases: [(ModelConfig, &str, IsExpected); 3] = [
        (table, "table bits 25", |e| {
            matches!(e, ConfigError::TableBits { got: 25, .. })
        }),
        (layers, "layer count 3", |e| {
            matches!(e, ConfigError::Layers { got: 3, .. })
        }),
        (wide, "hidden width 65535", |e| {
            matches!(e, ConfigError::Hidden { got: 65535, .. })
        }),
    ];
    for (cfg, needle, expected) in cases {
        assert!(cfg.validate().is_err(), "{needle}");
        let b = [header(&cfg, None), empty_end()].concat();
        let r = decompress_bytes(&b);
        assert!(
            matches!(&r, Err(Error::InvalidHeader(HeaderError::Config(e))) if expected(e)),
            "in process: {needle}: {r:?}"
        );
        assert!(
            r.unwrap_err().to_string().contains(needle),
            "in process: {needle}"
        );
        let (status, stderr) = decompress_limited(&b);
        assert_eq!(status, Some(1), "{stderr}");
        assert!(
            stderr.contains("invalid header") && stderr.contains(needle),
            "{stderr}"
        );
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
}

/// A header claiming an original length of 2^64 - 2 bytes, and a segment (or a chunk
/// inside one) claiming the largest raw and packed lengths, with almost nothing
/// behind them.
#[cfg(unix)]
#[test]
fn length_claims_are_not_allocated() {
    let cfg = Preset::Fast.config();
    let raw = MAX_CHUNK_LEN as u32;
    let packed = max_packed_len(raw) as u32;
    for len in [Some(u64::MAX - 1), None] {
        // Cut inside the claimed segment: truncated, before any decoding.
        let seg_raw = MAX_SEGMENT_LEN;
        let b = [
            header(&cfg, len),
            segment(seg_raw, max_segment_packed_len(seg_raw), 0),
            vec![7; 100],
        ]
        .concat();
        assert!(
            matches!(decompress_bytes(&b), Err(Error::Truncated(_))),
            "{len:?}"
        );
        let (status, stderr) = decompress_limited(&b);
        assert_eq!(status, Some(1), "{stderr}");
        assert!(stderr.contains("truncated"), "{stderr}");
        // A complete small segment whose chunk claims the most: damage, refused
        // before decoding or allocating for the claim.
        let b = [
            header(&cfg, len),
            segment(raw, 108, 0),
            frame(raw, packed),
            vec![7; 100],
            empty_end(),
        ]
        .concat();
        assert!(
            matches!(
                decompress_bytes(&b),
                Err(Error::Corrupt(CorruptError::SegmentChunks { index: 0, .. }))
            ),
            "{len:?}"
        );
        let (status, stderr) = decompress_limited(&b);
        assert_eq!(status, Some(1), "{stderr}");
        assert!(stderr.contains("corrupt"), "{stderr}");
        // An empty stream that claims a huge original length.
        let b = [header(&cfg, len), empty_end()].concat();
        let r = decompress_bytes(&b);
        match len {
            Some(_) => assert!(matches!(r, Err(Error::LengthMismatch { .. })), "{r:?}"),
            None => assert_eq!(r.expect("empty stream"), b""),
        }
    }
}

/// A chunk that claims a megabyte but holds a single coded byte must fail as soon as
/// the decoder runs out of coded bytes, not after decoding a megabyte of invented
/// data (28 s with the max preset before this was fixed). The error reports how far
/// the decoder read past the payload: a few bytes, not the hundreds a full decode of
/// the claimed length reads.
#[test]
fn a_megabyte_claim_on_a_tiny_payload_stops_at_once() {
    for preset in Preset::ALL {
        for payload in [
            &[0u8][..],
            &[0, 0, 0, 0, 0],
            &[0, 0x55, 0xaa, 0x12, 0x34, 0x56],
        ] {
            let b = [
                header(&preset.config(), None),
                segment(MAX_CHUNK_LEN as u32, 8 + payload.len() as u64, 0),
                frame(MAX_CHUNK_LEN as u32, payload.len() as u32),
                payload.to_vec(),
                empty_end(),
            ]
            .concat();
            match decompress_bytes(&b) {
                Err(Error::Corrupt(CorruptError::Chunk {
                    fault: ChunkFault::Truncated(TruncatedError::Payload { overrun: over }),
                    ..
                })) => {
                    assert!(over <= 16, "{preset:?}: read {over} bytes past the payload");
                }
                other => panic!("{preset:?} {payload:?}: {other:?}"),
            }
        }
    }
}

/// A stream cut anywhere in a multi-chunk file ends with an error, and the whole
/// sweep (one decode per cut point) finishes: no cut makes the reader wait or loop.
#[test]
fn every_cut_of_a_multichunk_stream_ends() {
    let mut cfg = Preset::Fast.config();
    cfg.table_bits = 10;
    cfg.prime = 0;
    let text = cli_util::sample_text(3000);
    let mut enc =
        nnzip::format::NnzEncoder::with_chunk_len(Vec::new(), &cfg, None, 700).expect("encoder");
    enc.encode(&text).expect("encode");
    let nnz = enc.finish().expect("finish").0;
    for cut in HEADER_LEN..nnz.len() {
        assert!(
            matches!(decompress_bytes(&nnz[..cut]), Err(Error::Truncated(_))),
            "cut at {cut}"
        );
    }
    let z = nnzip::compress_bytes(&text, &nnzip::Codec::Lzw { max_bits: 9 }).expect("lzw");
    for cut in 3..z.len() {
        // A cut .Z stream decodes to a prefix of the original (the format has no
        // length): never more, never different.
        let back = decompress_bytes(&z[..cut]).expect("prefix decodes");
        assert!(text.starts_with(&back), "cut at {cut}");
    }
}
