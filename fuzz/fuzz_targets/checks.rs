//! The properties the fuzz targets check, shared with `tests/fuzz_regressions.rs`
//! (which includes this file with `#[path]`), so that a saved input is replayed by
//! `cargo test` exactly as the fuzzer ran it. Every check panics on a violation.
#![allow(dead_code)]

use nnzip::format::{
    scan_info, NnzDecoder, NnzEncoder, CHUNK_LEN, HEADER_LEN, MAGIC, SEGMENT_FRAME_LEN, VERSION,
};
use nnzip::{compress_bytes, decompress_bytes, Codec, Error, ModelConfig, Preset};
use std::io::{Cursor, Read};

/// Offset of the model configuration and of the header CRC (see FORMAT.md).
const CONFIG_AT: usize = 7;
const CONFIG_LEN: usize = 24;
const CRC_AT: usize = 43;

/// Largest model (bytes of `memory_estimate`) and widest network that
/// [`nnz_decode`] builds for a re-sealed header: bigger ones would make one
/// execution take seconds or hundreds of megabytes.
const RESEAL_MAX_BYTES: u64 = 4 << 20;
const RESEAL_MAX_HIDDEN: u16 = 16;

/// Most original bytes one execution decodes. A few dozen coded bytes can stand for a
/// megabyte of well-predicted data (a "compression bomb", legitimate but slow to
/// decode, and a model that has learnt a pattern decodes even garbage into long
/// predictable runs); a stream whose segment frames claim more is cut before the
/// frame that crosses the budget, so that executions stay fast and the fuzzer reports
/// no such input as a timeout. The cut stream takes the same code paths.
pub const DECODE_BUDGET: u64 = 4 << 10;

/// Where to cut a `.nnz` stream so that its segment frames claim at most
/// [`DECODE_BUDGET`] original bytes: the offset of the first frame that crosses it.
pub fn budget_cut(data: &[u8]) -> Option<usize> {
    let word = |at: usize| -> Option<u64> {
        let b = data.get(at..at.checked_add(4)?)?;
        Some(u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]])))
    };
    let (mut at, mut total) = (HEADER_LEN, 0u64);
    while let (Some(raw), Some(lo), Some(hi)) = (
        word(at),
        word(at.saturating_add(4)),
        word(at.saturating_add(8)),
    ) {
        if raw == 0 {
            return None;
        }
        total += raw;
        if total > DECODE_BUDGET {
            return Some(at);
        }
        let packed = usize::try_from(lo | hi << 32).unwrap_or(usize::MAX);
        at = at.saturating_add(SEGMENT_FRAME_LEN).saturating_add(packed);
    }
    None
}

/// Decodes `data`, cut to the decode budget; see [`decode_uncut`].
fn decode_agreeing(data: &[u8]) {
    decode_uncut(&data[..budget_cut(data).unwrap_or(data.len())]);
}

/// Like [`nnz_decode`]'s first step, without the decode budget: the whole stream, up to
/// a megabyte per frame. For replaying saved inputs (`tests/fuzz_regressions.rs`),
/// whose frames beyond the budget are what they were saved for; too slow for fuzzing.
pub fn nnz_decode_whole(data: &[u8]) {
    decode_uncut(data);
}

/// Decodes `data` whole, streamed and on two threads; they must agree, and `info`'s
/// frame walk must accept whatever the decoder accepts. Never panics on any input by
/// contract.
fn decode_uncut(data: &[u8]) {
    if !data.starts_with(&MAGIC) {
        let _ = decompress_bytes(data);
        return;
    }
    let whole = decompress_bytes(data);
    let step = 1 + usize::from(data.last().copied().unwrap_or(0) % 97);
    let mut buf = vec![0u8; step];
    let mut streamed = Vec::new();
    let result = NnzDecoder::new(data).and_then(|mut dec| loop {
        match dec.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => streamed.extend_from_slice(&buf[..n]),
            Err(e) => return Err(Error::Io(e)),
        }
    });
    match (&whole, result) {
        (Ok(v), Ok(())) => assert_eq!(v, &streamed, "whole and streamed output differ"),
        (Err(_), Err(_)) => {}
        (w, r) => panic!("whole {w:?} and streamed {r:?} disagree"),
    }
    let mut threaded = Vec::new();
    let parallel = nnzip::decompress_with_threads(data, &mut threaded, 2, &mut |_| {});
    match (&whole, parallel) {
        (Ok(v), Ok(_)) => assert_eq!(v, &threaded, "one and two threads differ"),
        (Err(_), Err(_)) => {}
        (w, p) => panic!("one thread {w:?} and two {p:?} disagree"),
    }
    let scan = scan_info(Cursor::new(data));
    if whole.is_ok() {
        assert!(
            scan.is_ok(),
            "info rejects a stream the decoder accepts: {scan:?}"
        );
    }
}

/// Target `nnz_decode`: arbitrary bytes into the decoders, then the same bytes with
/// the header CRC re-sealed (mutated headers almost never pass the CRC; re-sealing
/// takes the fuzzer through the configuration checks into models no seed has).
pub fn nnz_decode(data: &[u8]) {
    decode_agreeing(data);
    if data.len() < HEADER_LEN || !data.starts_with(&MAGIC) || data[4] != VERSION {
        return;
    }
    let Ok(cfg) = ModelConfig::read_from(&mut &data[CONFIG_AT..CONFIG_AT + CONFIG_LEN]) else {
        return;
    };
    let crc = crc32fast::hash(&data[..CRC_AT]).to_le_bytes();
    if data[CRC_AT..HEADER_LEN] == crc
        || cfg.memory_estimate() > RESEAL_MAX_BYTES
        || cfg.hidden > RESEAL_MAX_HIDDEN
    {
        return;
    }
    let mut sealed = data.to_vec();
    sealed[CRC_AT..HEADER_LEN].copy_from_slice(&crc);
    decode_agreeing(&sealed);
}

/// The fast preset with a 2^12-bucket table instead of 2^20 and no priming text: the
/// same code paths, far less memory and time to set up per execution.
pub fn small_fast() -> ModelConfig {
    let mut cfg = Preset::Fast.config();
    cfg.table_bits = 12;
    cfg.prime = 0;
    cfg
}

/// Target `roundtrip`: `data` through the neural codec (one chunk, and for half of
/// the inputs small chunks of a length the data picks) and through LZW (at a code
/// width the data picks) must come back unchanged.
pub fn roundtrip(data: &[u8]) {
    let first = data.first().copied().unwrap_or(0);
    let last = data.last().copied().unwrap_or(0);

    let cfg = small_fast();
    let packed = compress_bytes(data, &Codec::Neural(cfg.clone())).expect("compress");
    assert_eq!(decompress_bytes(&packed).expect("decompress"), data);

    if last & 1 == 1 && data.len() > 1 {
        let chunk = 1 + usize::from(last >> 1) % CHUNK_LEN;
        let mut enc = NnzEncoder::with_chunk_len(Vec::new(), &cfg, None, chunk).expect("encoder");
        enc.encode(data).expect("encode");
        let (packed, summary) = enc.finish().expect("finish");
        assert_eq!(summary.raw_bytes, data.len() as u64);
        assert_eq!(decompress_bytes(&packed).expect("decompress chunks"), data);
    }

    let max_bits = 9 + first % 8;
    let z = compress_bytes(data, &Codec::Lzw { max_bits }).expect("lzw compress");
    assert_eq!(decompress_bytes(&z).expect("lzw decompress"), data);
}
