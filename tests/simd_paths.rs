//! The model's hot loop runs either as baseline x86-64 code or as AVX2 code, chosen at
//! run time (`src/simd.rs`). Both must produce the very same `.nnz` bytes, or a file
//! written on one CPU would not decode on another. This test compresses the same inputs
//! with the AVX2 path (when the CPU has it) and with the baseline path forced by
//! `NNZIP_FORCE_BASELINE=1`, for every preset, and compares the outputs byte for byte;
//! it also decodes each output with the other path.

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
