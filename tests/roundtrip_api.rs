//! Round trips through the library API for every preset: property-based inputs
//! (empty, one byte, all byte values, long runs, random bytes, text) plus fixed edge
//! cases around the chunk size, streamed and sized, and every chunk size on a small
//! input.

use nnzip::error::ConfigError;
use nnzip::format::{NnzDecoder, NnzEncoder, CHUNK_LEN};
use nnzip::lzw::LzwError;
use nnzip::{compress, compress_bytes, decompress, decompress_bytes, Codec, ModelConfig, Preset};
use proptest::prelude::*;
use std::io::{Read, Write};

fn codec(p: Preset) -> Codec {
    Codec::Neural(p.config())
}

/// A small model, for the many-case tests (no priming text to read first).
fn tiny() -> ModelConfig {
    let mut cfg = Preset::Fast.config();
    cfg.table_bits = 10;
    cfg.prime = 0;
    cfg.hidden = 4;
    cfg
}

fn round_trip(data: &[u8], codec: &Codec) {
    let packed = compress_bytes(data, codec).expect("compress");
    let back = decompress_bytes(&packed).expect("decompress");
    assert_eq!(back.len(), data.len());
    assert!(back == data, "round trip differs");
}

/// Inputs of the kinds that matter to a byte-level model.
fn inputs(max_len: usize) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(Vec::new()),
        any::<u8>().prop_map(|b| vec![b]),
        Just((0..=255u8).collect::<Vec<u8>>()),
        (any::<u8>(), 1..max_len).prop_map(|(b, n)| vec![b; n]),
        prop::collection::vec(any::<u8>(), 0..max_len),
        "[a-z ,.\n]{0,2000}".prop_map(move |s| s.into_bytes().into_iter().take(max_len).collect()),
        prop::collection::vec(prop::sample::select(b"ab".to_vec()), 0..max_len),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn tiny_model_round_trips(data in inputs(5000)) {
        round_trip(&data, &Codec::Neural(tiny()));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn fast_preset_round_trips(data in inputs(4000)) {
        round_trip(&data, &codec(Preset::Fast));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    #[test]
    fn default_preset_round_trips(data in inputs(3000)) {
        round_trip(&data, &codec(Preset::Default));
    }
}

proptest! {
    // The max preset is the slowest model, but its table is fitted to these small
    // inputs, so setup is cheap: 64 cases of up to 1,500 bytes take about 4 s (24 took
    // 1.4 s in the `mutants` profile), and meet each kind of input of `inputs` several
    // times (the 3 cases this test used to run met fewer than half of them). Its three
    // blocks of priming text would take most of the time (about 0.5 s per model):
    // here it reads one, and `fixed_edge_cases_every_preset` runs it as it ships.
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn max_preset_round_trips(data in inputs(1500)) {
        let mut cfg = Preset::Max.config();
        cfg.prime = 1;
        round_trip(&data, &Codec::Neural(cfg));
    }
}

#[test]
fn fixed_edge_cases_every_preset() {
    let all: Vec<u8> = (0..=255u8).collect();
    for p in Preset::ALL {
        let c = codec(p);
        round_trip(b"", &c);
        round_trip(b"x", &c);
        round_trip(&all, &c);
        round_trip(&[0u8; 10_000], &c);
    }
}

#[test]
fn chunk_boundaries_streamed_and_sized() {
    let c = Codec::Neural(tiny());
    for len in [CHUNK_LEN - 1, CHUNK_LEN, CHUNK_LEN + 1, 2 * CHUNK_LEN + 7] {
        let data: Vec<u8> = (0..len)
            .map(|i| (i * 7 % 251) as u8 ^ (i >> 9) as u8)
            .collect();
        round_trip(&data, &c);
        // Streamed (length unknown in the header).
        let mut packed = Vec::new();
        let s = compress(&data[..], &mut packed, &c, &mut |_| {}).unwrap();
        assert_eq!(s.raw_bytes, len as u64);
        let mut back = Vec::new();
        let d = decompress(&packed[..], &mut back, &mut |_| {}).unwrap();
        assert_eq!(back, data);
        assert_eq!(d, s);
    }
}

#[test]
fn every_chunk_length_and_write_pattern() {
    let cfg = tiny();
    let data: Vec<u8> = b"abracadabra, said the wizard; abracadabra! "
        .iter()
        .cycle()
        .take(700)
        .copied()
        .collect();
    for chunk_len in (1..=64).chain([99, 256, 699, 700, 701]) {
        let mut enc = NnzEncoder::with_chunk_len(Vec::new(), &cfg, None, chunk_len).unwrap();
        // Uneven writes, so that the collected chunks straddle the write calls.
        for piece in data.chunks(37) {
            enc.write_all(piece).unwrap();
        }
        let (packed, summary) = enc.finish().unwrap();
        assert_eq!(summary.packed_bytes, packed.len() as u64);
        let mut dec = NnzDecoder::new(&packed[..]).unwrap();
        let mut back = Vec::new();
        // Small reads through the Read adapter.
        let mut buf = [0u8; 13];
        loop {
            let n = dec.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            back.extend_from_slice(&buf[..n]);
        }
        assert_eq!(back, data, "chunk length {chunk_len}");
    }
}

#[test]
fn encode_and_write_mix() {
    let cfg = tiny();
    let mut enc = NnzEncoder::with_chunk_len(Vec::new(), &cfg, Some(30), 8).unwrap();
    enc.write_all(b"hello").unwrap();
    enc.encode(b" wonderful").unwrap();
    enc.write_all(b" world, again!!").unwrap();
    let (packed, _) = enc.finish().unwrap();
    assert_eq!(
        decompress_bytes(&packed).unwrap(),
        b"hello wonderful world, again!!"
    );
}

#[test]
fn announced_length_must_hold() {
    let cfg = tiny();
    let enc = NnzEncoder::new(Vec::new(), &cfg, Some(10)).unwrap();
    assert!(enc.finish().is_err(), "fewer bytes than announced");
    let mut enc = NnzEncoder::new(Vec::new(), &cfg, Some(3)).unwrap();
    assert!(enc.encode(b"four").is_err(), "more bytes than announced");
    let err = nnzip::compress_with_len(
        &b"abc"[..],
        Some(4),
        Vec::new(),
        &Codec::Neural(cfg),
        &mut |_| {},
    )
    .unwrap_err();
    assert!(err.to_string().contains("changed size"), "{err}");
}

#[test]
fn invalid_settings_are_refused_before_writing() {
    let mut cfg = tiny();
    cfg.hidden = 0;
    let mut out = Vec::new();
    assert!(matches!(
        compress(&b"x"[..], &mut out, &Codec::Neural(cfg), &mut |_| {}),
        Err(nnzip::Error::InvalidConfig(ConfigError::Hidden {
            got: 0,
            ..
        }))
    ));
    assert!(out.is_empty());
    assert!(matches!(
        compress_bytes(b"x", &Codec::Lzw { max_bits: 8 }),
        Err(nnzip::Error::InvalidConfig(ConfigError::Lzw(
            LzwError::MaxBits { found: 8 }
        )))
    ));
}

/// A writer over a vector that records every flush, to check that the API flushes
/// through to the caller's writer.
#[derive(Default)]
struct Recording {
    data: Vec<u8>,
    flushed_len: Option<usize>,
}

impl Write for Recording {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.data.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.flushed_len = Some(self.data.len());
        Ok(())
    }
}

/// LZW through the library: the sizes in the summary and the progress reports are
/// those of the streams, on the way in and out, over several input chunks, and the
/// caller's writer is flushed once everything is in it.
#[test]
fn lzw_through_the_api_reports_true_sizes_and_flushes() {
    let data: Vec<u8> = (0..CHUNK_LEN * 2 + 12_345)
        .map(|i| b"the quick brown fox jumps over the lazy dog\n"[i % 44] ^ (i / 997) as u8)
        .collect();
    let codec = Codec::Lzw { max_bits: 16 };
    let mut out = Recording::default();
    let mut seen = Vec::new();
    let s = compress(&data[..], &mut out, &codec, &mut |p| seen.push(p)).expect("compress");
    assert_eq!(s.raw_bytes, data.len() as u64);
    assert_eq!(s.packed_bytes, out.data.len() as u64);
    assert_eq!(s.threads, 1);
    assert_eq!(out.flushed_len, Some(out.data.len()), "flushed at the end");
    let raws: Vec<u64> = seen.iter().map(|p| p.raw_bytes).collect();
    assert_eq!(
        raws,
        [CHUNK_LEN as u64, 2 * CHUNK_LEN as u64, data.len() as u64],
        "a report per input chunk"
    );
    assert!(seen
        .windows(2)
        .all(|w| w[0].packed_bytes <= w[1].packed_bytes));
    assert!(seen.iter().all(|p| p.packed_bytes <= s.packed_bytes));

    let mut back = Recording::default();
    let mut seen = Vec::new();
    let d = decompress(&out.data[..], &mut back, &mut |p| seen.push(p)).expect("decompress");
    assert!(back.data == data, "LZW round trip differs");
    assert_eq!(d.raw_bytes, data.len() as u64);
    assert_eq!(d.packed_bytes, out.data.len() as u64);
    assert_eq!(back.flushed_len, Some(data.len()), "flushed at the end");
    let last = seen.last().expect("progress reported");
    assert_eq!(last.raw_bytes, data.len() as u64);
    assert!(seen.windows(2).all(|w| w[0].raw_bytes < w[1].raw_bytes));
    assert!(seen.iter().all(|p| p.packed_bytes <= d.packed_bytes));
}
