//! Every way the command line can fail: each run must exit with status 1, print one
//! `nnzip: FILE: problem` line and no panic, leave no output or temporary file, and
//! leave its input byte for byte as it was.

use crate::cli_util;

use cli_util::{
    assert_failure, decompress_fails, dir_with, listing, nnzip, packed, sample_text, FAST,
};
use std::fs;
use std::path::Path;

fn good() -> (Vec<u8>, Vec<u8>) {
    let text = sample_text(40_000);
    let nnz = packed(&text);
    (text, nnz)
}

/// Offsets in a one-segment, one-chunk stream: the header, the segment frame, the
/// chunk frame.
const HEADER: usize = 47;
const SEGMENT: usize = 16;
const FRAME: usize = 8;

fn reseal_header(b: &mut [u8]) {
    let crc = crc32fast::hash(&b[..43]);
    b[43..47].copy_from_slice(&crc.to_le_bytes());
}

#[test]
fn missing_input() {
    let dir = dir_with(&[]);
    let out = nnzip()
        .current_dir(dir.path())
        .args(["compress", "missing.txt"])
        .output()
        .unwrap();
    assert_failure(&out, "missing.txt", "No such file or directory");
    assert!(listing(dir.path()).is_empty());
    let out = nnzip()
        .current_dir(dir.path())
        .args(["decompress", "missing.txt.nnz"])
        .output()
        .unwrap();
    assert_failure(&out, "missing.txt.nnz", "No such file or directory");
}

#[test]
fn directory_input() {
    let dir = dir_with(&[]);
    fs::create_dir(dir.path().join("sub")).unwrap();
    let out = nnzip()
        .current_dir(dir.path())
        .args(["compress", "sub"])
        .output()
        .unwrap();
    assert_failure(&out, "sub", "is a directory");
    assert_eq!(listing(dir.path()), ["sub"]);
}

#[test]
fn existing_output_is_refused() {
    let text = sample_text(1000);
    let dir = dir_with(&[("a.txt", &text), ("a.txt.nnz", b"precious")]);
    let p = dir.path();
    let out = nnzip()
        .current_dir(p)
        .args(["compress"])
        .args(FAST)
        .arg("a.txt")
        .output()
        .unwrap();
    assert_failure(&out, "a.txt.nnz", "already exists (use -f to overwrite)");
    assert_eq!(fs::read(p.join("a.txt.nnz")).unwrap(), b"precious");
    assert_eq!(fs::read(p.join("a.txt")).unwrap(), text);
    assert_eq!(listing(p), ["a.txt", "a.txt.nnz"]);
}

#[test]
fn output_must_not_be_the_input() {
    let text = sample_text(1000);
    let dir = dir_with(&[("a.txt", &text)]);
    let p = dir.path();
    let out = nnzip()
        .current_dir(p)
        .args(["compress", "-f", "-o", "a.txt"])
        .args(FAST)
        .arg("a.txt")
        .output()
        .unwrap();
    assert_failure(&out, "a.txt", "is the input file itself");
    assert_eq!(fs::read(p.join("a.txt")).unwrap(), text);
    assert_eq!(listing(p), ["a.txt"]);
}

#[test]
fn unwritable_output_directory() {
    let text = sample_text(1000);
    let dir = dir_with(&[("a.txt", &text), ("plain", b"a file, not a directory")]);
    let p = dir.path();
    for (target, needle) in [
        ("plain/a.nnz", "Not a directory"),
        ("nowhere/a.nnz", "No such file or directory"),
        (
            "/proc/nnzip-test-output.nnz",
            "cannot create the output in /proc",
        ),
    ] {
        let out = nnzip()
            .current_dir(p)
            .args(["compress", "-o", target])
            .args(FAST)
            .arg("a.txt")
            .output()
            .unwrap();
        assert_failure(&out, target, needle);
        assert_eq!(listing(p), ["a.txt", "plain"], "{target}");
        assert_eq!(fs::read(p.join("a.txt")).unwrap(), text);
    }
    assert!(!Path::new("/proc/nnzip-test-output.nnz").exists());
}

#[test]
fn unknown_suffix_is_refused() {
    let (_, nnz) = good();
    let dir = dir_with(&[("x.bin", &nnz)]);
    let out = nnzip()
        .current_dir(dir.path())
        .args(["decompress", "x.bin"])
        .output()
        .unwrap();
    assert_failure(&out, "x.bin", "unknown suffix");
    assert_eq!(listing(dir.path()), ["x.bin"]);
    // With -o it works.
    nnzip()
        .current_dir(dir.path())
        .args(["decompress", "-o", "x", "x.bin"])
        .assert()
        .success();
}

#[test]
fn compressing_a_compressed_name_is_refused() {
    let dir = dir_with(&[("x.nnz", b"data")]);
    let out = nnzip()
        .current_dir(dir.path())
        .args(["compress", "x.nnz"])
        .output()
        .unwrap();
    assert_failure(&out, "x.nnz", "already has the .nnz suffix");
    assert_eq!(listing(dir.path()), ["x.nnz"]);
}

#[test]
fn wrong_magic() {
    let stderr = decompress_fails(b"just some text, not compressed\n", "not an nnzip");
    assert!(stderr.contains("unknown magic"), "{stderr}");
    decompress_fails(b"", "empty");
    // gzip's magic is not ours either.
    decompress_fails(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0], "unknown magic");
}

#[test]
fn unknown_version() {
    let (_, mut nnz) = good();
    assert_eq!(nnz[4], 2);
    nnz[4] = 3;
    reseal_header(&mut nnz);
    decompress_fails(
        &nnz,
        "unsupported format version 3 (this build reads version 2)",
    );
    nnz[4] = 0xff;
    decompress_fails(&nnz, "unsupported format version 255");
}

/// Version 1 was never released and is no longer read (FORMAT.md, "Version
/// history"): a real version-1 file fails with one line naming version 1, by file
/// name and from stdin, and `info` refuses it the same way.
#[test]
fn version_1_files_are_refused_with_one_line() {
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/v1");
    for name in ["fast-alice16k.nnz", "default-empty.nnz", "max-byte.nnz"] {
        let v1 = fs::read(golden.join(name)).unwrap();
        assert_eq!(v1[4], 1, "{name}");
        let stderr = decompress_fails(
            &v1,
            "unsupported format version 1 (this build reads version 2)",
        );
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
    let dir = dir_with(&[("old.nnz", &fs::read(golden.join("fast-byte.nnz")).unwrap())]);
    let out = nnzip()
        .current_dir(dir.path())
        .args(["info", "old.nnz"])
        .output()
        .unwrap();
    assert_failure(&out, "old.nnz", "unsupported format version 1");
}

#[test]
fn unknown_codec_and_reserved_flags() {
    let (_, nnz) = good();
    let mut b = nnz.clone();
    b[5] = 7;
    reseal_header(&mut b);
    decompress_fails(&b, "unknown codec id 7");
    let mut b = nnz.clone();
    b[6] = 1;
    reseal_header(&mut b);
    decompress_fails(&b, "reserved flag bits");
}

#[test]
fn truncated_at_several_points() {
    let (_, nnz) = good();
    let n = nnz.len();
    for cut in [
        1,
        3,
        4,
        10,
        HEADER - 1,
        HEADER,
        HEADER + 3,
        HEADER + FRAME,
        HEADER + FRAME + 100,
        n - 16,
        n - 12,
        n - 5,
        n - 1,
    ] {
        decompress_fails(&nnz[..cut], "truncated");
    }
}

#[test]
fn flipped_bits_in_header_payload_trailer() {
    let (_, nnz) = good();
    let n = nnz.len();
    // Header fields: all caught by the header checksum (or the magic/version check).
    for (at, needle) in [
        (0, "unknown magic"),
        (4, "unsupported format version"),
        (6, "header checksum"),
        (10, "header checksum"),
        (20, "header checksum"),
        (35, "header checksum"),
        (41, "header checksum"),
        (45, "header checksum"),
    ] {
        let mut b = nnz.clone();
        b[at] ^= 0x04;
        decompress_fails(&b, needle);
    }
    // Segment frame: a length that does not fit.
    let mut b = nnz.clone();
    b[HEADER + 4] ^= 0x01; // packed length off by one
    decompress_fails(&b, "");
    // Chunk frame: a length that does not fit.
    let mut b = nnz.clone();
    b[HEADER + SEGMENT + 4] ^= 0x01; // packed length off by one
    decompress_fails(&b, "");
    // Payload: the chunk fails to decode or the CRC disagrees; either way an error.
    for at in [
        HEADER + SEGMENT + FRAME + 2,
        HEADER + SEGMENT + FRAME + 500,
        (HEADER + SEGMENT + FRAME + n - 16) / 2,
    ] {
        let mut b = nnz.clone();
        b[at] ^= 0x10;
        let stderr = decompress_fails(&b, "");
        assert!(
            stderr.contains("corrupt data") || stderr.contains("checksum mismatch"),
            "{stderr}"
        );
    }
    // Trailer: length and CRC.
    let mut b = nnz.clone();
    b[n - 12] ^= 0x01;
    decompress_fails(&b, "length mismatch");
    let mut b = nnz.clone();
    b[n - 1] ^= 0x80;
    decompress_fails(&b, "checksum mismatch");
}

#[test]
fn checksum_mismatch_from_edited_crc() {
    let (text, mut nnz) = good();
    let n = nnz.len();
    let wrong = crc32fast::hash(&text) ^ 0xdead_beef;
    nnz[n - 4..].copy_from_slice(&wrong.to_le_bytes());
    let stderr = decompress_fails(&nnz, "checksum mismatch");
    assert!(stderr.contains(&format!("{wrong:08x}")), "{stderr}");
}

#[test]
fn trailing_garbage() {
    let (_, mut nnz) = good();
    nnz.extend_from_slice(b"extra");
    decompress_fails(&nnz, "trailing garbage");
    // Two streams back to back are not one stream.
    let (_, one) = good();
    let mut two = one.clone();
    two.extend_from_slice(&one);
    decompress_fails(&two, "trailing garbage");
}

#[test]
fn header_length_disagrees_with_trailer() {
    let (_, mut nnz) = good();
    // Header says one byte more than the data holds.
    let len = u64::from_le_bytes(nnz[31..39].try_into().unwrap());
    nnz[31..39].copy_from_slice(&(len + 1).to_le_bytes());
    reseal_header(&mut nnz);
    decompress_fails(&nnz, "length mismatch");
    // And one byte less: caught as soon as the chunk exceeds it.
    nnz[31..39].copy_from_slice(&(len - 1).to_le_bytes());
    reseal_header(&mut nnz);
    decompress_fails(&nnz, "length mismatch");
}

#[test]
fn bad_model_config_in_header() {
    let (_, mut nnz) = good();
    nnz[7 + 3] = 30; // table bits beyond the limit: refused before allocating
    reseal_header(&mut nnz);
    decompress_fails(&nnz, "invalid header");
}
