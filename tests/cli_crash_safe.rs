//! Crash-safe output, beyond `cli_signals.rs` (signals on piped runs and on a large
//! compression) and `cli_errors.rs` (errors found in the header or in a one-chunk
//! stream): here the failure comes while the output file is already being written.
//!
//! - SIGINT, SIGTERM and SIGHUP while a *file* is being decompressed and compressed
//!   (also over an existing output with `-f`): exit status 128 + signal, no partial
//!   output, no temporary file, the existing output and the input byte for byte as
//!   they were (content and modification time compared before and after).
//! - An error found only at the end of a multi-chunk stream (trailer CRC, or a bad
//!   `.Z` code after a megabyte of output), when most of the output has been written
//!   to the temporary file: the same guarantees.
//! - `nnzip decompress -c f | head -c 10` and `nnzip compress -c f | head -c 10`:
//!   nnzip ends quietly (status 0, nothing on stderr) when its reader goes away.
#![cfg(unix)]

use crate::cli_util;

use cli_util::{listing, packed, sample_text};
use nnzip::{compress_bytes, Codec, Preset};
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime};

fn nnzip_path() -> std::path::PathBuf {
    assert_cmd::cargo::cargo_bin("nnzip")
}

/// A file's content and modification time, to prove it untouched.
fn snapshot(path: &Path) -> (Vec<u8>, SystemTime) {
    let data = fs::read(path).expect("read file");
    let mtime = fs::metadata(path)
        .and_then(|m| m.modified())
        .expect("mtime");
    (data, mtime)
}

/// Waits until a temporary output file shows up in `dir` (the run is under way).
fn wait_for_temp(dir: &Path, limit: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if listing(dir).iter().any(|n| n.starts_with(".nnzip-")) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    false
}

/// A `.nnz` file that takes seconds to decode: 1 MiB coded with the max preset's
/// network (small tables, to keep the test's memory low; the version-2 model decodes
/// about 300 kB/s so, where version 1 took seconds for 64 kB). Made once.
fn slow_nnz() -> &'static (Vec<u8>, Vec<u8>) {
    static FILE: OnceLock<(Vec<u8>, Vec<u8>)> = OnceLock::new();
    FILE.get_or_init(|| {
        let text = sample_text(1 << 20);
        let mut cfg = Preset::Max.config();
        cfg.table_bits = 12;
        let nnz = compress_bytes(&text, &Codec::Neural(cfg)).expect("compress");
        (text, nnz)
    })
}

/// Runs `nnzip args` in `dir`, sends `signal` once the temporary output exists, and
/// checks the outcome: status 128 + signal, and `dir` holds exactly `keep`, each file
/// unchanged.
fn interrupt(dir: &Path, args: &[&str], signal: (&str, i32), keep: &[&str]) {
    let before: Vec<_> = keep.iter().map(|n| snapshot(&dir.join(n))).collect();
    let child = Command::new(nnzip_path())
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn nnzip");
    assert!(wait_for_temp(dir, Duration::from_secs(30)), "no temp file");
    std::thread::sleep(Duration::from_millis(200));
    let sent = Command::new("kill")
        .args([signal.0, &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(sent.success());
    let out = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(signal.1), "{args:?}: {stderr}");
    let mut want: Vec<String> = keep.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(listing(dir), want, "{args:?} left files behind");
    for (name, snap) in keep.iter().zip(&before) {
        assert!(
            snapshot(&dir.join(name)) == *snap,
            "{args:?} changed {name}"
        );
    }
}

const SIGNALS: [(&str, i32); 3] = [("-INT", 130), ("-TERM", 143), ("-HUP", 129)];

#[test]
fn signal_while_decompressing_a_file() {
    let (_, nnz) = slow_nnz();
    for signal in SIGNALS {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path();
        fs::write(p.join("in.nnz"), nnz).expect("write");
        interrupt(p, &["-d", "-q", "in.nnz"], signal, &["in.nnz"]);
        // Over an existing output with -f: the old output stays as it was.
        fs::write(p.join("old"), b"the previous output").expect("write");
        interrupt(
            p,
            &["-d", "-q", "-f", "-o", "old", "in.nnz"],
            signal,
            &["in.nnz", "old"],
        );
    }
}

#[test]
fn signal_while_compressing_a_file() {
    let text = sample_text(1 << 20);
    for signal in SIGNALS {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path();
        fs::write(p.join("in"), &text).expect("write");
        let args = ["compress", "-q", "--preset", "max", "--table-bits", "12"];
        let mut a = args.to_vec();
        a.push("in");
        interrupt(p, &a, signal, &["in"]);
        fs::write(p.join("old.nnz"), b"the previous output").expect("write");
        let mut a = args.to_vec();
        a.extend_from_slice(&["-f", "-o", "old.nnz", "in"]);
        interrupt(p, &a, signal, &["in", "old.nnz"]);
    }
}

/// Runs `nnzip args` in `dir`, expects the one-line failure naming `name`, and that
/// `dir` holds exactly `keep`, unchanged.
fn fails_late(dir: &Path, args: &[&str], name: &str, needle: &str, keep: &[&str]) {
    let before: Vec<_> = keep.iter().map(|n| snapshot(&dir.join(n))).collect();
    let out = cli_util::nnzip()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run nnzip");
    cli_util::assert_failure(&out, name, needle);
    let mut want: Vec<String> = keep.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(listing(dir), want, "{args:?} left files behind");
    for (n, snap) in keep.iter().zip(&before) {
        assert!(snapshot(&dir.join(n)) == *snap, "{args:?} changed {n}");
    }
}

#[test]
fn error_at_the_end_of_a_long_nnz_stream_leaves_nothing() {
    // Three chunks (700 kB): the trailer's CRC is checked after all of them have
    // been written to the temporary file.
    let text = sample_text(700_000);
    let mut nnz = packed(&text);
    let n = nnz.len();
    nnz[n - 1] ^= 0x01;
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    fs::write(p.join("x.nnz"), &nnz).expect("write");
    fails_late(
        p,
        &["-d", "x.nnz"],
        "x.nnz",
        "checksum mismatch",
        &["x.nnz"],
    );
    fs::write(p.join("old"), b"the previous output").expect("write");
    fails_late(
        p,
        &["-d", "-f", "-o", "old", "x.nnz"],
        "x.nnz",
        "checksum mismatch",
        &["old", "x.nnz"],
    );
    // A chunk that does not decode, after two that did.
    let mut nnz = packed(&text);
    let n = nnz.len();
    nnz[n - 16 - 100] ^= 0x40;
    fs::write(p.join("y.nnz"), &nnz).expect("write");
    fails_late(p, &["-d", "y.nnz"], "y.nnz", "", &["old", "x.nnz", "y.nnz"]);
}

#[test]
fn error_late_in_a_z_stream_leaves_nothing() {
    // A megabyte of valid codes (the table is full by then, and every code is two
    // bytes), then CLEAR (256, bytes 00 01) and codes of all ones: once the 8-code
    // group is padded out, a 9-bit code 511 names an entry the new table lacks.
    let text = sample_text(1 << 20);
    let mut z = compress_bytes(&text, &Codec::Lzw { max_bits: 16 }).expect("lzw");
    z.extend_from_slice(&[0x00, 0x01]);
    z.extend_from_slice(&[0xff; 64]);
    assert!(
        nnzip::decompress_bytes(&z).is_err(),
        "the damage went unnoticed"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    fs::write(p.join("x.Z"), &z).expect("write");
    fails_late(p, &["-d", "x.Z"], "x.Z", "corrupt", &["x.Z"]);
    fs::write(p.join("old"), b"the previous output").expect("write");
    fails_late(
        p,
        &["-d", "-f", "-o", "old", "x.Z"],
        "x.Z",
        "corrupt",
        &["old", "x.Z"],
    );
}

/// Runs `"$NNZIP" ARGS FILE | head -c 10` in `dir` under bash; returns nnzip's exit
/// status, its stderr and what head printed.
fn into_head(dir: &Path, args: &str) -> (String, String, Vec<u8>) {
    let script = format!(
        "\"$NNZIP\" {args} 2>nnzip.err | head -c 10 > head.out; echo \"${{PIPESTATUS[0]}}\""
    );
    let out = Command::new("bash")
        .current_dir(dir)
        .env("NNZIP", nnzip_path())
        .args(["-c", &script])
        .output()
        .expect("run bash");
    let status = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let stderr = fs::read_to_string(dir.join("nnzip.err")).expect("stderr file");
    let head = fs::read(dir.join("head.out")).expect("head output");
    (status, stderr, head)
}

#[test]
fn head_ends_the_pipe_quietly() {
    let text = sample_text(1_500_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    fs::write(p.join("t"), &text).expect("write");
    fs::write(p.join("t.nnz"), packed(&text)).expect("write");
    let z = compress_bytes(&text, &Codec::Lzw { max_bits: 16 }).expect("lzw");
    fs::write(p.join("t.Z"), &z).expect("write");
    for (args, want) in [
        ("decompress -c t.nnz", &text[..10]),
        ("-d -c t.Z", &text[..10]),
        ("-d -c - < t.nnz", &text[..10]),
        ("compress --codec lzw -c t", &z[..10]),
    ] {
        let (status, stderr, head) = into_head(p, args);
        assert_eq!(status, "0", "nnzip {args} | head: status; stderr: {stderr}");
        assert_eq!(stderr, "", "nnzip {args} | head: stderr");
        assert_eq!(head, want, "nnzip {args} | head: output");
    }
    // The neural compressor writes slowly: its first chunk's output reaches head
    // only after the whole chunk is coded, and the pipe is gone by the next one.
    let (status, stderr, head) = into_head(p, "compress --preset fast --table-bits 12 -c t");
    assert_eq!(status, "0", "compress | head: stderr: {stderr}");
    assert_eq!(stderr, "");
    assert_eq!(&head[..4], &nnzip::format::MAGIC);
    // Nothing was left beside the inputs.
    assert_eq!(listing(p), ["head.out", "nnzip.err", "t", "t.Z", "t.nnz"]);
}
