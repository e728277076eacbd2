//! The command line as gzip, xz and zstd users drive it: nnzip as a filter between
//! pipes, under GNU tar (`tar -I nnzip`, `--use-compress-program`), `-t`, `-l`, `-k`,
//! `--rm`, the level flags, and the generated completions and man page.

use crate::cli_util;

use cli_util::{assert_failure, dir_with, listing, nnzip, packed, sample_text, FAST};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

#[test]
fn pipe_round_trip_without_a_command() {
    let packed = nnzip().args(FAST).write_stdin("hi\n").output().unwrap();
    assert!(packed.status.success(), "{packed:?}");
    assert_eq!(&packed.stdout[..4], &nnzip::format::MAGIC);
    let back = nnzip()
        .arg("-d")
        .write_stdin(packed.stdout)
        .output()
        .unwrap();
    assert!(back.status.success(), "{back:?}");
    assert_eq!(back.stdout, b"hi\n");
    assert!(back.stderr.is_empty());
}

#[test]
fn levels_reach_the_header() {
    let text = sample_text(2_000);
    for (flag, preset) in [
        ("-1", nnzip::Preset::Fast),
        ("--fast", nnzip::Preset::Fast),
        ("-2", nnzip::Preset::Default),
    ] {
        let out = nnzip()
            .arg(flag)
            .write_stdin(text.clone())
            .output()
            .unwrap();
        assert!(out.status.success(), "{flag}: {out:?}");
        let mut dec = nnzip::format::NnzDecoder::new(&out.stdout[..]).unwrap();
        assert_eq!(dec.header().config, preset.config(), "{flag}");
        let mut back = Vec::new();
        std::io::Read::read_to_end(&mut dec, &mut back).unwrap();
        assert_eq!(back, text);
    }
}

/// A directory on `PATH` holding only `nnzip`, so that tar finds it by name.
fn nnzip_on_path() -> (tempfile::TempDir, String) {
    let bin = tempfile::tempdir().unwrap();
    let exe = assert_cmd::cargo::cargo_bin("nnzip");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&exe, bin.path().join("nnzip")).unwrap();
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs = vec![bin.path().to_path_buf()];
    dirs.extend(std::env::split_paths(&path));
    let joined = std::env::join_paths(dirs).unwrap();
    (bin, joined.to_string_lossy().into_owned())
}

/// Every file under `root` (relative path, contents; `None` for a directory), sorted.
fn tree(root: &Path) -> Vec<(PathBuf, Option<Vec<u8>>)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let rel = path.strip_prefix(root).unwrap().to_path_buf();
            if path.is_dir() {
                out.push((rel, None));
                stack.push(path);
            } else {
                out.push((rel, Some(fs::read(&path).unwrap())));
            }
        }
    }
    out.sort();
    out
}

fn tar(path_env: &str, dir: &Path, args: &[&str]) -> std::process::Output {
    let out = Command::new("tar")
        .current_dir(dir)
        .env("PATH", path_env)
        .args(args)
        .output()
        .expect("GNU tar runs");
    assert!(
        out.status.success(),
        "tar {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn gnu_tar_creates_lists_and_extracts_through_nnzip() {
    let (_bin, path_env) = nnzip_on_path();
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let src = w.join("src/project");
    fs::create_dir_all(src.join("docs/deep")).unwrap();
    fs::write(src.join("readme.txt"), sample_text(40_000)).unwrap();
    fs::write(src.join("docs/notes.md"), sample_text(3_000)).unwrap();
    fs::write(src.join("docs/deep/empty"), b"").unwrap();
    let binary: Vec<u8> = (0..5_000u32).map(|i| (i * 7919 % 251) as u8).collect();
    fs::write(src.join("data.bin"), &binary).unwrap();
    let want = tree(&src);

    // `-I nnzip` with the default settings, `--use-compress-program` with options.
    for (n, program) in [
        ("plain", "-Innzip".to_string()),
        (
            "options",
            format!("--use-compress-program=nnzip {}", FAST.join(" ")),
        ),
    ] {
        let archive = w.join(format!("{n}.tar.nnz"));
        let archive = archive.to_str().unwrap();
        tar(
            &path_env,
            &w.join("src"),
            &[&program, "-cf", archive, "project"],
        );
        let bytes = fs::read(archive).unwrap();
        assert_eq!(&bytes[..4], &nnzip::format::MAGIC, "{n}: an .nnz stream");

        let listed = tar(&path_env, w, &[&program, "-tf", archive]);
        let mut names: Vec<String> = String::from_utf8(listed.stdout)
            .unwrap()
            .lines()
            .map(|l| l.trim_end_matches('/').to_string())
            .collect();
        names.sort();
        let mut expected: Vec<String> = want
            .iter()
            .map(|(p, _)| format!("project/{}", p.display()))
            .chain(["project".to_string()])
            .collect();
        expected.sort();
        assert_eq!(names, expected, "{n}: listing");

        let out = w.join(format!("out-{n}"));
        fs::create_dir(&out).unwrap();
        tar(
            &path_env,
            w,
            &[&program, "-xf", archive, "-C", out.to_str().unwrap()],
        );
        assert_eq!(tree(&out.join("project")), want, "{n}: extracted tree");
    }
}

#[test]
fn test_flag_checks_and_writes_nothing() {
    let text = sample_text(20_000);
    let good = packed(&text);
    let mut bad = good.clone();
    let last = bad.len() - 1;
    bad[last] ^= 0x40;
    let z = nnzip::lzw::compress_bytes(&text, 16);
    let dir = dir_with(&[("good.nnz", &good), ("bad.nnz", &bad), ("t.Z", &z)]);
    let p = dir.path();
    nnzip()
        .current_dir(p)
        .args(["-t", "good.nnz", "t.Z"])
        .assert()
        .success()
        .stdout("")
        .stderr("");
    let out = nnzip()
        .current_dir(p)
        .args(["-t", "bad.nnz"])
        .output()
        .unwrap();
    assert!(out.stdout.is_empty());
    assert_failure(&out, "bad.nnz", "checksum mismatch");
    assert_eq!(listing(p), ["bad.nnz", "good.nnz", "t.Z"]);
    let out = nnzip()
        .arg("-t")
        .write_stdin(good.clone())
        .output()
        .unwrap();
    assert!(out.status.success() && out.stdout.is_empty(), "{out:?}");
}

#[test]
fn list_flag_is_info() {
    let dir = dir_with(&[("a.nnz", &packed(&sample_text(5_000)))]);
    let run = |args: &[&str]| {
        let out = nnzip().current_dir(dir.path()).args(args).output().unwrap();
        assert!(out.status.success(), "{out:?}");
        out.stdout
    };
    let info = run(&["info", "a.nnz"]);
    assert!(!info.is_empty());
    assert_eq!(run(&["-l", "a.nnz"]), info);
    assert_eq!(run(&["--list", "a.nnz"]), info);
}

#[test]
fn keep_is_accepted_and_rm_removes_verified_inputs_only() {
    let text = sample_text(30_000);
    let dir = dir_with(&[("a.txt", &text), ("b.txt", &text)]);
    let p = dir.path();
    nnzip()
        .current_dir(p)
        .args(["compress", "-k", "-q"])
        .args(FAST)
        .arg("b.txt")
        .assert()
        .success();
    assert_eq!(listing(p), ["a.txt", "b.txt", "b.txt.nnz"]);

    nnzip()
        .current_dir(p)
        .args(["compress", "--rm", "-q"])
        .args(FAST)
        .arg("a.txt")
        .assert()
        .success()
        .stdout("")
        .stderr("");
    assert_eq!(listing(p), ["a.txt.nnz", "b.txt", "b.txt.nnz"]);
    nnzip()
        .current_dir(p)
        .args(["-d", "--rm", "a.txt.nnz"])
        .assert()
        .success()
        .stdout("")
        .stderr("");
    assert_eq!(listing(p), ["a.txt", "b.txt", "b.txt.nnz"]);
    assert_eq!(fs::read(p.join("a.txt")).unwrap(), text);

    // A failed decompression removes nothing.
    let mut bad = fs::read(p.join("b.txt.nnz")).unwrap();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    fs::write(p.join("c.txt.nnz"), &bad).unwrap();
    let out = nnzip()
        .current_dir(p)
        .args(["-d", "--rm", "c.txt.nnz"])
        .output()
        .unwrap();
    assert_failure(&out, "c.txt.nnz", "checksum");
    assert_eq!(listing(p), ["a.txt", "b.txt", "b.txt.nnz", "c.txt.nnz"]);

    // --rm with standard output or input is a usage error.
    for args in [
        &["compress", "--rm", "-c", "a.txt"][..],
        &["compress", "--rm", "-"],
        &["-d", "--rm", "-o", "-", "b.txt.nnz"],
        &["--rm"],
    ] {
        let out = nnzip().current_dir(p).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
    assert_eq!(listing(p), ["a.txt", "b.txt", "b.txt.nnz", "c.txt.nnz"]);
}

#[test]
fn completions_and_man_page() {
    for shell in ["bash", "zsh", "fish"] {
        let out = nnzip().args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}");
        let script = String::from_utf8(out.stdout).unwrap();
        assert!(
            script.contains("nnzip") && script.contains("decompress"),
            "{shell}"
        );
    }
    let out = nnzip().arg("manpage").output().unwrap();
    assert!(out.status.success());
    let man = String::from_utf8(out.stdout).unwrap();
    assert!(
        man.contains(".TH nnzip") || man.contains(".TH NNZIP"),
        "{man}"
    );
}
