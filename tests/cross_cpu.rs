//! Files are portable across CPUs: a second `nnzip` is built with
//! `RUSTFLAGS="-C target-cpu=native"` (AVX2, FMA, ... where this CPU has them), and
//! for every preset and for LZW, on a few corpus files, each build decodes what the
//! other wrote, and both write byte-identical files.
//!
//! The other side is this test's own binary (`CARGO_BIN_EXE_nnzip`). Cargo builds it
//! for the default target CPU, the `x86-64` baseline (SSE2 only), unless RUSTFLAGS
//! says otherwise; when RUSTFLAGS is set, an explicit `-C target-cpu=x86-64` build is
//! made as well and takes its place, so that the comparison is baseline against native
//! whatever the environment. The baseline binary runs with `NNZIP_FORCE_BASELINE=1`,
//! so that its hot loop does not switch to its AVX2 copy at run time (`src/simd.rs`):
//! it then computes as on a CPU with SSE2 only, while the native binary uses
//! everything this CPU has (AVX-512 where present). The extra builds go to `cross-cpu-native/` (and
//! `cross-cpu-baseline/`) inside the target directory and are reused by later runs;
//! the first build takes a few minutes.
//!
//! A build that fails skips the tests with a note, except under `CI=true`, where it
//! fails them. Inputs are kept small (the max preset codes about 20 kB/s).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The two binaries to compare: (baseline, native).
struct Builds {
    baseline: PathBuf,
    native: PathBuf,
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The target directory this test binary was built into (`<target>/release/nnzip`).
fn target_dir() -> PathBuf {
    let exe = PathBuf::from(env!("CARGO_BIN_EXE_nnzip"));
    exe.parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| manifest_dir().join("target"))
}

fn env_sets_rustflags() -> bool {
    [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_BUILD_RUSTFLAGS",
    ]
    .iter()
    .any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
}

/// `cargo build --release --bin nnzip` with `-C target-cpu=CPU` (and lighter
/// codegen settings) into
/// `<target>/cross-cpu-DIR`; returns the binary or what went wrong.
fn build(cpu: &str, dir: &str) -> Result<PathBuf, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let target = target_dir().join(dir);
    let out = Command::new(cargo)
        .current_dir(manifest_dir())
        .args([
            "build",
            "--release",
            "--locked",
            "--bin",
            "nnzip",
            "--target-dir",
        ])
        .arg(&target)
        .env("RUSTFLAGS", format!("-C target-cpu={cpu}"))
        // Without the release profile's thin LTO, single codegen unit and debug
        // info: a quicker build (CI's budget), and the code is inlined and split
        // differently from the test's own binary, one more way a build could differ.
        .env("CARGO_PROFILE_RELEASE_LTO", "off")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
        .env("CARGO_PROFILE_RELEASE_DEBUG", "0")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_RUSTFLAGS")
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cargo build with target-cpu={cpu} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let exe = target
        .join("release")
        .join(format!("nnzip{}", std::env::consts::EXE_SUFFIX));
    exe.is_file()
        .then_some(exe)
        .ok_or_else(|| "the build made no nnzip binary".into())
}

/// Builds once for all tests of this file; `None` when the build failed outside CI.
fn builds() -> Option<&'static Builds> {
    static BUILDS: OnceLock<Result<Builds, String>> = OnceLock::new();
    let result = BUILDS.get_or_init(|| {
        let native = build("native", "cross-cpu-native")?;
        let baseline = if env_sets_rustflags() {
            build("x86-64", "cross-cpu-baseline")?
        } else {
            PathBuf::from(env!("CARGO_BIN_EXE_nnzip"))
        };
        Ok(Builds { baseline, native })
    });
    match result {
        Ok(b) => Some(b),
        Err(e) if std::env::var("CI").is_ok_and(|v| v == "true") => panic!("{e}"),
        Err(e) => {
            eprintln!("skipped: {e}");
            None
        }
    }
}

/// A named input: a slice of a corpus file, or `None` if the file is missing.
fn input(rel: &str, offset: usize, len: usize) -> Option<(String, Vec<u8>)> {
    let path = manifest_dir().join(rel);
    let Ok(data) = std::fs::read(&path) else {
        eprintln!("skipped input {}: not found", path.display());
        return None;
    };
    let end = (offset + len).min(data.len());
    Some((
        format!("{rel}[{offset}..{end}]"),
        data[offset.min(end)..end].to_vec(),
    ))
}

/// The inputs: text, Wikipedia XML and a binary file, at most `len` bytes each.
fn inputs(len: usize) -> Vec<(String, Vec<u8>)> {
    [
        input("corpora/alice29.txt", 0, len),
        input("corpora/enwik6", 300_000, len.min(64 << 10)),
        input("../shared/corpora/calgary/geo", 0, len),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Runs `exe args` in `dir`; `baseline` forces the SSE2 path of the hot loop.
fn run(exe: &Path, baseline: bool, args: &[&str], dir: &Path) {
    let mut cmd = Command::new(exe);
    cmd.current_dir(dir).args(args);
    if baseline {
        cmd.env(nnzip::simd::FORCE_BASELINE_ENV, "1");
    } else {
        cmd.env_remove(nnzip::simd::FORCE_BASELINE_ENV);
    }
    let out = cmd.output().expect("run nnzip");
    assert!(
        out.status.success(),
        "{} {args:?} failed: {}",
        exe.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Compresses each input with both builds (`args` name the codec), checks that the
/// files are identical, and decodes each build's file with the other build.
fn cross_check(codec_args: &[&str], suffix: &str, max_len: usize) {
    let Some(b) = builds() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    let ins = inputs(max_len);
    assert!(!ins.is_empty(), "no input found");
    for (name, data) in ins {
        std::fs::write(p.join("in"), &data).expect("write input");
        let mut packed = Vec::new();
        for (side, exe, base) in [
            ("baseline", &b.baseline, true),
            ("native", &b.native, false),
        ] {
            let out = format!("{side}{suffix}");
            let mut args = vec!["compress", "-q", "-f"];
            args.extend_from_slice(codec_args);
            args.extend_from_slice(&["-o", &out, "in"]);
            run(exe, base, &args, p);
            packed.push(std::fs::read(p.join(&out)).expect("read packed"));
        }
        assert!(
            packed[0] == packed[1],
            "{name} {codec_args:?}: the baseline and native builds wrote different files \
             ({} and {} bytes)",
            packed[0].len(),
            packed[1].len()
        );
        for (file, exe, base) in [
            ("baseline", &b.native, false),
            ("native", &b.baseline, true),
        ] {
            let src = format!("{file}{suffix}");
            run(
                exe,
                base,
                &["decompress", "-q", "-f", "-o", "back", &src],
                p,
            );
            let back = std::fs::read(p.join("back")).expect("read decoded");
            assert!(
                back == data,
                "{name} {codec_args:?}: {file}'s file decoded wrong"
            );
        }
    }
}

#[test]
fn fast_preset_across_cpus() {
    cross_check(&["--preset", "fast"], ".nnz", 160 << 10);
}

#[test]
fn default_preset_across_cpus() {
    cross_check(&["--preset", "default"], ".nnz", 64 << 10);
}

#[test]
fn max_preset_across_cpus() {
    cross_check(&["--preset", "max"], ".nnz", 32 << 10);
}

#[test]
fn lzw_across_cpus() {
    cross_check(&["--codec", "lzw"], ".Z", 1 << 20);
    cross_check(&["--codec", "lzw", "--bits", "12"], ".Z", 1 << 20);
}
