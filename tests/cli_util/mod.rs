//! Helpers shared by the `cli_*` integration tests: running the binary, fixtures,
//! and the checks every failing run must pass.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

/// Model flags that keep the tests quick and small in memory.
pub const FAST: &[&str] = &["--preset", "fast", "--table-bits", "12", "--prime", "0"];

/// The `nnzip` binary under test.
pub fn nnzip() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("nnzip").expect("binary built")
}

/// Some text with structure, `n` bytes long.
pub fn sample_text(n: usize) -> Vec<u8> {
    let words = [
        "the",
        "network",
        "learns",
        "text",
        "while",
        "it",
        "compresses",
        "every",
        "byte",
        "of",
        "a",
        "file,",
        "and",
        "the",
        "decoder",
        "does",
        "likewise.\n",
    ];
    let mut out = Vec::with_capacity(n + 16);
    let mut x = 12345u32;
    while out.len() < n {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        out.extend_from_slice(words[(x >> 16) as usize % words.len()].as_bytes());
        out.push(b' ');
    }
    out.truncate(n);
    out
}

/// `.nnz` bytes of `data` made with the library (small model).
pub fn packed(data: &[u8]) -> Vec<u8> {
    let mut cfg = nnzip::Preset::Fast.config();
    cfg.table_bits = 12;
    cfg.prime = 0;
    nnzip::compress_bytes(data, &nnzip::Codec::Neural(cfg)).expect("compress")
}

/// Sorted names of the entries of `dir`.
pub fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Asserts the failure convention: status 1, exactly one stderr line
/// `nnzip: <name>...: ...` containing `needle`, no panic text.
pub fn assert_failure(out: &Output, name: &str, needle: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "status; stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line expected: {stderr}");
    assert!(
        lines[0].starts_with(&format!("nnzip: {name}: ")),
        "line should name {name}: {stderr}"
    );
    assert!(
        lines[0].to_lowercase().contains(&needle.to_lowercase()),
        "line should say {needle:?}: {stderr}"
    );
}

/// Decompresses `bad` (as the file `x.nnz`, then from stdin) and checks the failure
/// convention both ways: status 1, one line naming the file (or `(stdin)`) that says
/// `needle`, no output or temporary file left, the input unchanged. Returns the
/// stdin run's stderr.
pub fn decompress_fails(bad: &[u8], needle: &str) -> String {
    let dir = dir_with(&[("x.nnz", bad)]);
    let p = dir.path();
    let out = nnzip()
        .current_dir(p)
        .args(["decompress", "x.nnz"])
        .output()
        .expect("run nnzip decompress");
    assert_failure(&out, "x.nnz", needle);
    assert_eq!(listing(p), ["x.nnz"], "no output or temp file left");
    assert_eq!(
        fs::read(p.join("x.nnz")).expect("input"),
        bad,
        "input unchanged"
    );
    // The same through stdin/stdout gives the same one line, naming stdin.
    let out = nnzip()
        .args(["-d", "-c", "-"])
        .write_stdin(bad.to_vec())
        .output()
        .expect("run nnzip -d -c -");
    assert_failure(&out, "(stdin)", needle);
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A temporary directory with `files` written into it.
pub fn dir_with(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, data) in files {
        fs::write(dir.path().join(name), data).expect("write fixture");
    }
    dir
}

/// Path of a file in the shared corpora (beside the repository).
pub fn corpus(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpora")
        .join(rel)
}
