//! SIGINT and SIGTERM in the middle of a run: the temporary output is deleted, no
//! partial output appears, the input is untouched, and the exit status is 128 + the
//! signal number.
#![cfg(unix)]

use crate::cli_util;
use crate::prereq;

use cli_util::{corpus, listing, sample_text};
use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn send(child: &Child, signal: &str) {
    let ok = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .expect("run kill")
        .success();
    assert!(ok, "kill {signal} failed");
}

/// Waits until a temporary output file shows up in `dir` (the run is under way).
fn wait_for_temp(dir: &Path, limit: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if listing(dir).iter().any(|n| n.starts_with(".nnzip-")) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

/// The case of the brief: a large file with the `max` preset, interrupted after about
/// a second.
#[test]
fn sigint_during_a_large_compression_leaves_nothing() {
    let input = corpus("dict/gcide.dict");
    if !input.exists() {
        // Under CI this fails (`tests/prereq`): the large file is the point of the test.
        prereq::missing(&format!("the corpus file {}", input.display()));
        return;
    }
    let before = std::fs::metadata(&input).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("nnzip"))
        .args(["compress", "-q", "--preset", "max", "-o"])
        .arg(dir.path().join("out.nnz"))
        .arg(&input)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    assert!(wait_for_temp(dir.path(), Duration::from_secs(20)));
    std::thread::sleep(Duration::from_millis(1000));
    send(&child, "-INT");
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
    if status.success() {
        // The machine was fast enough to finish first: then the output is complete.
        assert_eq!(listing(dir.path()), ["out.nnz"]);
    } else {
        assert_eq!(status.code(), Some(130), "{stderr}");
        assert!(listing(dir.path()).is_empty(), "{:?}", listing(dir.path()));
    }
    let after = std::fs::metadata(&input).unwrap();
    assert_eq!(before.len(), after.len());
    assert_eq!(before.modified().unwrap(), after.modified().unwrap());
}

/// Starts compressing from a pipe that is kept open, so that the run is surely still
/// going when the signal arrives, whatever the model's speed.
fn interrupt_a_piped_run(args: &[&str], signal: &str, expect: i32) {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("nnzip"))
        .current_dir(dir.path())
        .args(args)
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(&sample_text(700_000)).unwrap();
    stdin.flush().unwrap();
    assert!(wait_for_temp(dir.path(), Duration::from_secs(20)));
    send(&child, signal);
    let status = child.wait().unwrap();
    drop(stdin);
    assert_eq!(status.code(), Some(expect));
    assert!(listing(dir.path()).is_empty(), "{:?}", listing(dir.path()));
}

#[test]
fn sigterm_while_compressing_from_a_pipe() {
    interrupt_a_piped_run(
        &["compress", "-q", "--preset", "fast", "-o", "out.nnz", "-"],
        "-TERM",
        143,
    );
}

#[test]
fn sigint_while_compressing_from_a_pipe() {
    interrupt_a_piped_run(
        &["compress", "-q", "--preset", "fast", "-o", "out.nnz", "-"],
        "-INT",
        130,
    );
}

#[test]
fn sigterm_while_decompressing_from_a_pipe() {
    // A stream that never ends: a valid header and chunks, then the pipe stays open.
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("nnzip"))
        .current_dir(dir.path())
        .args(["-d", "-q", "-o", "out", "-"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let packed = cli_util::packed(&sample_text(700_000));
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(&packed[..packed.len() - 20]).unwrap();
    stdin.flush().unwrap();
    assert!(wait_for_temp(dir.path(), Duration::from_secs(20)));
    std::thread::sleep(Duration::from_millis(200));
    send(&child, "-TERM");
    let status = child.wait().unwrap();
    drop(stdin);
    assert_eq!(status.code(), Some(143));
    assert!(listing(dir.path()).is_empty(), "{:?}", listing(dir.path()));
}
