//! The model's hot loop runs either as baseline x86-64 code or as AVX2 code, chosen at
//! run time (`src/simd.rs`). Both must produce the very same `.nnz` bytes, or a file
//! written on one CPU would not decode on another. This test compresses the same inputs
//! with the AVX2 path (when the CPU has it) and with the baseline path forced by
//! `NNZIP_FORCE_BASELINE=1`, for every preset, and compares the outputs byte for byte;
//! it also decodes each output with the other path.
//!
//! A comparison of a path with itself would pass too, so the test also checks which
//! path runs: in this process (the variable unset) the AVX2 copy must run whenever the
//! CPU has AVX2 (`nnzip::simd::avx2_runs` counts its runs), and a child process of
//! this test with `NNZIP_FORCE_BASELINE=1` must run the baseline only.

use std::path::Path;
use std::process::Command;

fn nnzip(args: &[&str], force_baseline: bool, stdin: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_nnzip"));
    cmd.args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    if force_baseline {
        cmd.env("NNZIP_FORCE_BASELINE", "1");
    } else {
        cmd.env_remove("NNZIP_FORCE_BASELINE");
    }
    let mut child = cmd.spawn().expect("run nnzip");
    let mut input = child.stdin.take().expect("stdin");
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || input.write_all(&data));
    let out = child.wait_with_output().expect("wait for nnzip");
    writer.join().expect("writer thread").expect("write stdin");
    assert!(
        out.status.success(),
        "nnzip {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn inputs() -> Vec<(&'static str, Vec<u8>)> {
    let alice = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("corpora/alice29.txt"))
        .expect("corpora/alice29.txt ships with nnzip");
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let noise: Vec<u8> = (0..4096)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 56) as u8
        })
        .collect();
    vec![
        ("text", alice[..48 * 1024].to_vec()),
        ("all bytes", (0..=255u8).cycle().take(8192).collect()),
        ("noise", noise),
    ]
}

#[test]
fn avx2_and_baseline_paths_write_identical_files() {
    for preset in ["fast", "default", "max"] {
        for (name, data) in inputs() {
            // The max preset is slow: a prefix is enough to exercise every layer.
            let data = if preset == "max" {
                &data[..data.len().min(6000)]
            } else {
                &data[..]
            };
            let args = ["compress", "-q", "-c", "--preset", preset, "-"];
            let fast_path = nnzip(&args, false, data);
            let base_path = nnzip(&args, true, data);
            assert!(
                fast_path == base_path,
                "preset {preset}, input {name}: the AVX2 and baseline paths disagree"
            );
            let back = nnzip(&["decompress", "-q", "-c", "-"], true, &fast_path);
            assert!(
                back == data,
                "preset {preset}, input {name}: cross-path decode differs"
            );
        }
    }
}

/// Whether this CPU can run the AVX2 copy of the hot loop.
fn cpu_has_avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Compresses and decompresses a little text in this process; returns how many runs of
/// the AVX2 copy that took.
fn avx2_runs_of_a_round_trip() -> u64 {
    let mut cfg = nnzip::Preset::Fast.config();
    cfg.table_bits = 12;
    cfg.prime = 0;
    let data = &inputs()[0].1[..4000];
    let before = nnzip::simd::avx2_runs();
    let packed = nnzip::compress_bytes(data, &nnzip::Codec::Neural(cfg)).expect("compress");
    assert_eq!(nnzip::decompress_bytes(&packed).expect("decompress"), data);
    nnzip::simd::avx2_runs() - before
}

/// Where the CPU has AVX2 (and the baseline is not forced), the AVX2 copy is what runs:
/// once per coded chunk, compressing and decompressing.
#[test]
fn the_avx2_path_runs_where_the_cpu_has_it() {
    let forced = std::env::var_os(nnzip::simd::FORCE_BASELINE_ENV).is_some_and(|v| v == "1");
    let runs = avx2_runs_of_a_round_trip();
    if cpu_has_avx2() && !forced {
        assert_eq!(nnzip::simd::active_path(), "avx2");
        assert!(runs >= 2, "the AVX2 copy ran {runs} times for two chunks");
    } else {
        eprintln!("note: no AVX2 on this CPU (or the baseline is forced): baseline only");
        assert_eq!(nnzip::simd::active_path(), "baseline");
        assert_eq!(runs, 0);
    }
}

/// `NNZIP_FORCE_BASELINE=1` keeps the baseline path: checked in a child process (the
/// choice is made once per process), which runs [`forced_baseline_child`].
#[test]
fn forcing_the_baseline_keeps_avx2_off() {
    let exe = std::env::current_exe().expect("test binary");
    let out = Command::new(exe)
        .args([
            "--exact",
            "simd_paths::forced_baseline_child",
            "--ignored",
            "--nocapture",
        ])
        .env(nnzip::simd::FORCE_BASELINE_ENV, "1")
        .output()
        .expect("run the test binary");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Run by [`forcing_the_baseline_keeps_avx2_off`] with the baseline forced.
#[test]
#[ignore = "run by forcing_the_baseline_keeps_avx2_off in a child process"]
fn forced_baseline_child() {
    assert_eq!(
        std::env::var_os(nnzip::simd::FORCE_BASELINE_ENV).as_deref(),
        Some(std::ffi::OsStr::new("1")),
        "run by forcing_the_baseline_keeps_avx2_off only"
    );
    assert_eq!(nnzip::simd::active_path(), "baseline");
    assert_eq!(avx2_runs_of_a_round_trip(), 0);
}
