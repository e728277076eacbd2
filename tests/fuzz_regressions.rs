//! Saved fuzzer inputs replayed as ordinary tests, so that every crash the fuzzers
//! ever found (`fuzz/README.md`) stays fixed.
//!
//! `tests/data/fuzz/<target>/` holds the inputs of each target; each is run through
//! the very check the fuzz target runs (`fuzz/fuzz_targets/checks.rs`, included
//! below), and a panic names the file. `lzw_decode` inputs get the same all-layers
//! check as `tests/lzw_regressions.rs`.
//!
//! Inputs saved before format version 2 are version-1 files, which this build no
//! longer reads (FORMAT.md, "Version history"): they are still replayed (they must not
//! panic) and must fail with `Error::UnsupportedVersion { found: 1, .. }`; each has a
//! copy ported to the current version (`…-v2.nnz`: the version byte changed, the
//! segment length 1 GiB added and the header CRC re-sealed; the version-1 chunks, as
//! found, wrapped in one segment that claims 1 GiB and holds exactly them), so that
//! the decoder path the fuzzer found stays covered.
//!
//! The ignored test [`write_fuzz_seeds`] (re)writes the seed corpora under
//! `fuzz/seeds/`: `NNZIP_WRITE_FUZZ_SEEDS=1 cargo test --release --test
//! fuzz_regressions -- --ignored`.

#[path = "../fuzz/fuzz_targets/checks.rs"]
mod checks;
mod lzw_layers;

use nnzip::format::{NnzEncoder, HEADER_LEN, MAGIC, SEGMENT_FRAME_LEN, VERSION};
use nnzip::{compress_bytes, decompress_bytes, Codec, Error, ModelConfig, Preset};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The saved inputs of one fuzz target, sorted by name.
fn saved(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = root().join("tests/data/fuzz").join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        // No crash saved for this target yet (git keeps no empty directory).
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.is_file() && p.file_name().is_some_and(|n| n != "README.md"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let data = std::fs::read(&p).expect("read saved input");
            (p, data)
        })
        .collect()
}

/// Runs `check` on every saved input of `target`; fails naming every input that
/// panicked.
fn replay(target: &str, check: fn(&[u8])) -> usize {
    let inputs = saved(target);
    let failed: Vec<String> = inputs
        .iter()
        .filter(|(_, data)| catch_unwind(AssertUnwindSafe(|| check(data))).is_err())
        .map(|(p, _)| p.display().to_string())
        .collect();
    assert!(
        failed.is_empty(),
        "{target}: these inputs fail: {failed:#?}"
    );
    inputs.len()
}

#[test]
fn nnz_decode_inputs_replay() {
    replay("nnz_decode", checks::nnz_decode);
}

/// Saved `.nnz` inputs of an older format version fail with a clear error naming their
/// version, and each has a ported copy of the current version (see the module docs).
#[test]
fn old_version_inputs_are_refused_and_ported() {
    let inputs = saved("nnz_decode");
    let old: Vec<&(PathBuf, Vec<u8>)> = inputs
        .iter()
        .filter(|(_, d)| d.starts_with(&MAGIC) && d.get(4).is_some_and(|&v| v < VERSION))
        .collect();
    for (path, data) in &old {
        let v = data[4];
        let err = decompress_bytes(data).expect_err("an old version must be refused");
        assert!(
            matches!(err, Error::UnsupportedVersion { found, supported: VERSION } if found == v),
            "{}: {err:?}",
            path.display()
        );
        assert_eq!(
            err.to_string(),
            format!("unsupported format version {v} (this build reads version {VERSION})")
        );
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("file name");
        let ported = path.with_file_name(format!("{stem}-v{VERSION}.nnz"));
        let new = std::fs::read(&ported)
            .unwrap_or_else(|e| panic!("{}: no ported copy: {e}", ported.display()));
        assert_eq!(new[4], VERSION, "{}", ported.display());
        assert_eq!(
            new[5..39],
            data[5..39],
            "{}: only the version byte changes",
            ported.display()
        );
        assert_eq!(
            new[HEADER_LEN + SEGMENT_FRAME_LEN..],
            data[43..],
            "{}: only the header changes, and the chunks are wrapped in a segment",
            ported.display()
        );
        assert!(
            !matches!(
                decompress_bytes(&new),
                Err(Error::UnsupportedVersion { .. } | Error::InvalidHeader(_))
            ),
            "{}: the port must reach the chunk decoder",
            ported.display()
        );
    }
}

#[test]
fn roundtrip_inputs_replay() {
    replay("roundtrip", checks::roundtrip);
}

/// Every layer of the `.Z` decoder must agree on each saved input, as in the
/// `lzw_decode` target (the same check as `tests/lzw_regressions.rs`).
fn lzw_all_layers(z: &[u8]) {
    let _ = lzw_layers::decode_all_layers(z);
}

#[test]
fn lzw_decode_inputs_replay() {
    replay("lzw_decode", lzw_all_layers);
}

/// The seed corpora of the fuzz targets: small valid streams of every preset (with
/// a 2^10-bucket table, so that each execution is quick), in one and in several chunks,
/// with the original length known and unknown, plus `.Z` streams of every code width.
/// They are tiny because an instrumented build decodes only a few kB/s with the
/// larger presets.
fn seeds() -> Vec<(&'static str, String, Vec<u8>)> {
    let alice = std::fs::read(root().join("corpora/alice29.txt")).expect("corpora/alice29.txt");
    let text = |len: usize| alice[1000..1000 + len].to_vec();
    let mut out = Vec::new();
    for preset in Preset::ALL {
        let mut cfg: ModelConfig = preset.config();
        cfg.table_bits = 10;
        let mut inputs = vec![
            ("empty", Vec::new()),
            ("byte", b"A".to_vec()),
            ("text40", text(40)),
        ];
        if preset == Preset::Fast {
            inputs.push(("seq", (0..=255u8).collect()));
            inputs.push(("text300", text(300)));
        }
        for (name, data) in &inputs {
            let packed = compress_bytes(data, &Codec::Neural(cfg.clone())).expect("compress");
            out.push((
                "nnz_decode",
                format!("{}-{name}.nnz", preset.name()),
                packed,
            ));
        }
        if preset != Preset::Max {
            // Several chunks, original length unknown (as from a pipe).
            let mut enc = NnzEncoder::with_chunk_len(Vec::new(), &cfg, None, 40).expect("encoder");
            enc.encode(&text(100)).expect("encode");
            let packed = enc.finish().expect("finish").0;
            out.push((
                "nnz_decode",
                format!("{}-chunks.nnz", preset.name()),
                packed,
            ));
        }
    }
    for bits in [9u8, 12, 16] {
        let z = compress_bytes(&text(2000), &Codec::Lzw { max_bits: bits }).expect("lzw");
        out.push(("nnz_decode", format!("lzw{bits}.Z"), z));
    }
    for (name, data) in [
        ("empty", Vec::new()),
        ("byte", b"A".to_vec()),
        ("seq", (0..=255u8).collect()),
        ("text300", text(300)),
        ("text1000", text(1000)),
    ] {
        out.push(("roundtrip", format!("{name}.txt"), data));
    }
    out
}

/// Rewrites `fuzz/seeds/` (see the module docs). Ignored: it writes into the tree.
#[test]
#[ignore = "writes the fuzz seed corpora; run with NNZIP_WRITE_FUZZ_SEEDS=1"]
fn write_fuzz_seeds() {
    if std::env::var_os("NNZIP_WRITE_FUZZ_SEEDS").is_none() {
        eprintln!("set NNZIP_WRITE_FUZZ_SEEDS=1 to write fuzz/seeds/");
        return;
    }
    for (target, name, data) in seeds() {
        let dir = root().join("fuzz/seeds").join(target);
        std::fs::create_dir_all(&dir).expect("create seed dir");
        std::fs::write(dir.join(name), data).expect("write seed");
    }
}

/// The checked-in seeds are what [`seeds`] makes (the format has not drifted under
/// them), and each passes its target's check.
#[test]
fn seeds_are_current_and_pass() {
    for (target, name, data) in seeds() {
        let path = root().join("fuzz/seeds").join(target).join(&name);
        let saved = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(
            saved == data,
            "{} is stale: rewrite the seeds",
            path.display()
        );
        match target {
            "nnz_decode" => {
                checks::nnz_decode(&data);
                assert!(
                    nnzip::decompress_bytes(&data).is_ok(),
                    "{name} must be valid"
                );
            }
            _ => checks::roundtrip(&data),
        }
    }
}
