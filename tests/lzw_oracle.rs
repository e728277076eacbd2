//! nnzip's `.Z` codec against the real `compress` (Debian package `ncompress`).
//!
//! For every corpus file under 5 MB and a few edge cases:
//! - with default settings (16 bits) nnzip writes exactly the bytes of `compress -c`,
//!   and with `-b 12` too;
//! - `compress -d` decodes nnzip's `-b 9` and `-b 12` output to the original;
//! - nnzip decodes what `compress -b 12` and `compress -b 16` write.
//!
//! `compress -b 9` (ncompress 4.2.4) writes a 512th table entry that its own decoder
//! lacks, so `compress -d` rejects or garbles its output as soon as the 9-bit table
//! fills (ncompress issue 5). For those files nnzip's decoder must agree with
//! `compress -d`: the same bytes when it succeeds, an error when it fails (with the
//! bytes `compress -d` flushed before failing as a prefix of nnzip's). nnzip's own
//! `-b 9` output differs from `compress -b 9` once the table fills, for that reason.
//!
//! `/usr/bin/uncompress` may be gzip's script, so decoding uses `compress -d`. Without
//! `compress`, or without the corpora, these tests print a note and pass, except when
//! `CI` is set (`tests/prereq`), where they fail.

use crate::prereq;

use nnzip::lzw::{compress_bytes, decompress_bytes, LzwError};
use rand::{RngCore, SeedableRng};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const MAX_FILE_LEN: u64 = 5_000_000;

/// The path of ncompress's `compress`, or `None` (and a note) when it is missing.
///
/// Version 4.2 is required: the `-b 9` expectations below are those of 4.2 (5.0 changed
/// the 9-bit format).
fn compress_tool() -> Option<&'static str> {
    let version = Command::new("compress")
        .arg("-V")
        .stdin(Stdio::null())
        .output()
        .map(|o| {
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            );
            text.lines().next().unwrap_or("").to_string()
        });
    let msg = match &version {
        Ok(v) if v.contains("compress") && v.contains("4.2") => return Some("compress"),
        Ok(v) => format!("`compress -V` says {v:?}, expected ncompress 4.2.x"),
        Err(e) => format!("cannot run `compress` ({e}): `apt-get install ncompress`"),
    };
    prereq::missing(&format!("ncompress 4.2 for the oracle test: {msg}"));
    None
}

/// Runs `compress ARGS` with `stdin` from a file; returns (success, stdout).
fn run(tool: &str, args: &[&str], stdin: Option<&Path>) -> (bool, Vec<u8>) {
    let stdin = match stdin {
        Some(p) => Stdio::from(std::fs::File::open(p).expect("open stdin file")),
        None => Stdio::null(),
    };
    let out = Command::new(tool)
        .args(args)
        .stdin(stdin)
        .stderr(Stdio::null())
        .output()
        .expect("run compress");
    (out.status.success(), out.stdout)
}

fn compress_file(tool: &str, path: &Path, bits: u8) -> Vec<u8> {
    let b = bits.to_string();
    let p = path.to_str().expect("utf-8 path");
    let (ok, z) = run(tool, &["-c", "-b", &b, p], None);
    // `compress` exits 2 when the output is not smaller; the data is written anyway.
    assert!(ok || z.len() >= 3, "compress -b {bits} {p} failed");
    z
}

/// `compress -d` of `z`; returns (success, output).
fn tool_decode(tool: &str, z: &[u8], dir: &Path) -> (bool, Vec<u8>) {
    let mut f = tempfile::NamedTempFile::new_in(dir).expect("temp file");
    f.write_all(z).expect("write temp file");
    run(tool, &["-d", "-c"], Some(f.path()))
}

/// Corpus files under 5 MB plus generated edge cases, as (name, path, data).
struct Case {
    name: String,
    path: PathBuf,
    data: Vec<u8>,
}

fn cases(dir: &Path) -> Vec<Case> {
    let mut cases = Vec::new();
    let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpora"));
    let mut stack = vec![root.clone()];
    let mut files = Vec::new();
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            match e.metadata() {
                Ok(m) if m.is_dir() => stack.push(p),
                Ok(m) if m.is_file() && m.len() < MAX_FILE_LEN => files.push(p),
                _ => {}
            }
        }
    }
    if files.is_empty() {
        prereq::missing(&format!(
            "the corpora under {}; edge cases only",
            root.display()
        ));
    }
    files.sort();
    for path in files {
        let data = std::fs::read(&path).expect("read corpus file");
        let name = path
            .strip_prefix(&root)
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        cases.push(Case { name, path, data });
    }

    let mut random = vec![0u8; 1 << 20];
    rand_chacha::ChaCha8Rng::seed_from_u64(0x5eed).fill_bytes(&mut random);
    let generated: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("one byte", b"x".to_vec()),
        ("all 256 byte values", (0..=255u8).collect()),
        ("1 MiB of one byte", vec![b'a'; 1 << 20]),
        ("1 MiB of ChaCha8 random", random),
    ];
    for (name, data) in generated {
        let path = dir.join(name.replace(' ', "_"));
        std::fs::write(&path, &data).expect("write edge case");
        cases.push(Case {
            name: name.to_string(),
            path,
            data,
        });
    }
    cases
}

#[test]
fn output_is_identical_to_compress_and_decodes_with_it() {
    let Some(tool) = compress_tool() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let cases = cases(dir.path());
    for c in &cases {
        for bits in [16, 12] {
            let ours = compress_bytes(&c.data, bits);
            let theirs = compress_file(tool, &c.path, bits);
            assert!(
                ours == theirs,
                "{}: -b {bits}: nnzip writes {} bytes, compress {} (first difference at {:?})",
                c.name,
                ours.len(),
                theirs.len(),
                ours.iter().zip(&theirs).position(|(a, b)| a != b)
            );
        }
        for bits in [9, 12] {
            let ours = compress_bytes(&c.data, bits);
            let (ok, back) = tool_decode(tool, &ours, dir.path());
            assert!(
                ok && back == c.data,
                "{}: compress -d fails on nnzip's -b {bits} output",
                c.name
            );
        }
    }
}

#[test]
fn decodes_what_compress_writes() {
    let Some(tool) = compress_tool() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let cases = cases(dir.path());
    let mut broken_nine = 0;
    for c in &cases {
        for bits in [16, 12] {
            let z = compress_file(tool, &c.path, bits);
            let back = decompress_bytes(&z);
            assert!(
                back.as_deref() == Ok(&c.data[..]),
                "{}: nnzip cannot decode compress -b {bits}: {:?}",
                c.name,
                back.err()
            );
        }
        // `compress -b 9` is broken once the table fills: agree with `compress -d`.
        let z = compress_file(tool, &c.path, 9);
        let (tool_ok, tool_out) = tool_decode(tool, &z, dir.path());
        let ours = decompress_bytes(&z);
        if tool_ok && tool_out == c.data {
            assert_eq!(ours.as_deref(), Ok(&c.data[..]), "{}: -b 9", c.name);
            continue;
        }
        broken_nine += 1;
        let mut dec = nnzip::lzw::LzwDecoder::new(&z[..]).expect("valid header");
        let mut partial = Vec::new();
        let res = std::io::Read::read_to_end(&mut dec, &mut partial);
        match (tool_ok, res) {
            (false, Err(e)) => {
                let kind = e.get_ref().and_then(|e| e.downcast_ref::<LzwError>());
                assert!(kind.is_some(), "{}: -b 9: untyped error {e}", c.name);
                assert!(
                    partial.starts_with(&tool_out),
                    "{}: -b 9: compress -d's partial output is not a prefix of nnzip's",
                    c.name
                );
            }
            (true, Ok(_)) => assert_eq!(partial, tool_out, "{}: -b 9 garbled", c.name),
            (tool_ok, res) => panic!(
                "{}: -b 9: compress -d ok={tool_ok}, nnzip {:?}",
                c.name,
                res.map(|_| ())
            ),
        }
    }
    eprintln!(
        "{broken_nine} of {} files: compress -b 9 output is rejected by compress -d too",
        cases.len()
    );
}
