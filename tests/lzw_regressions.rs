//! Saved `.Z` inputs replayed as ordinary tests: every file under `tests/data/lzw/`
//! (fuzzer finds go there too) must decode without a panic, with every decoder layer
//! agreeing; some files also have a known outcome, checked below.

use crate::lzw_layers;
use crate::prereq;

use lzw_layers::decode_all_layers;
use nnzip::lzw::{compress_bytes, LzwError};
use std::path::PathBuf;

fn data_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/lzw"))
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(data_dir().join(name)).expect("test data file")
}

#[test]
fn every_saved_input_replays_without_panic() {
    let mut n = 0;
    for entry in std::fs::read_dir(data_dir()).expect("tests/data/lzw") {
        let path = entry.expect("dir entry").path();
        let z = std::fs::read(&path).expect("read saved input");
        let _ = decode_all_layers(&z);
        n += 1;
    }
    assert!(n > 0, "no saved inputs found");
}

/// `compress -b 9` (ncompress 4.2.4.6) of the first 3000 bytes of alice29.txt: it wrote
/// a 512th table entry, which `compress -d` rejects as corrupt input. So does nnzip.
#[test]
fn ncompress_nine_bit_output_is_rejected_like_compress_does() {
    let z = read("ncompress_b9_alice3000.Z");
    match decode_all_layers(&z) {
        Err(LzwError::CodeBeyondTable { next_free: 512, .. }) => {}
        other => panic!("expected a code beyond entry 512, got {other:?}"),
    }
}

/// nnzip's `-b 9` output once the 511-entry table is full (10-bit codes from then on),
/// checked at the time to decode with `compress -d` and `gzip -d`; the format must not
/// drift.
#[test]
fn nnzip_nine_bit_output_is_stable() {
    let data: Vec<u8> = (0..3000u32).map(|i| (i * 7 % 251) as u8).collect();
    let z = read("nnzip_b9_seq3000.Z");
    assert_eq!(compress_bytes(&data, 9), z);
    assert_eq!(decode_all_layers(&z), Ok(data));
}

/// Past 8 MiB of input, `compress` computes the ratio of its CLEAR check as
/// `bytes_in / (bytes_out >> 8)` (so that `bytes_in << 8` cannot overflow), and its
/// decisions there depend on that rounding. The first 10,000,000 bytes of gcide.dict
/// fill the 16-bit table long before, and must code to exactly what `compress -b 16`
/// (ncompress 4.2.4.6) wrote for them: 3,697,039 bytes with CRC-32 0x58892983 (checked
/// on 2026-12-01; `lzw_oracle` compares with the tool itself where it is installed).
#[test]
fn past_8_mib_the_ratio_check_rounds_as_compress_does() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/corpora/dict/gcide.dict"
    );
    let Ok(all) = std::fs::read(path) else {
        prereq::missing(path);
        return;
    };
    let data = &all[..10_000_000];
    let z = compress_bytes(data, 16);
    assert_eq!(z.len(), 3_697_039);
    assert_eq!(crc32fast::hash(&z), 0x5889_2983);
}
