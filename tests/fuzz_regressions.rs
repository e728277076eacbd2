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
//! Each replay also runs the target's seed corpus (`fuzz/seeds/<target>/`, written by
//! [`seeds`]) and asserts how many inputs it ran: the seeds that [`seeds`] lists plus
//! the files it found, and never zero, so that a replay cannot pass by finding no
//! inputs. A saved input must also reach the code it was saved for: the `nnz_decode`
//! check cuts a stream before the frame whose claims pass 4 KiB (so that fuzzing stays
//! fast), and a saved `slow-*` input was saved for the frame beyond that cut; so every
//! saved `nnz_decode` input is replayed a second time whole
//! ([`checks::nnz_decode_whole`]), and a `slow-*` one must then fail inside its
//! large chunk, having read at most a few bytes past the payload (the decoder's early
//! stop; see `tests/decode_limits.rs`).
//!
//! The ignored test [`write_fuzz_seeds`] (re)writes the seed corpora under
//! `fuzz/seeds/`: `NNZIP_WRITE_FUZZ_SEEDS=1 cargo test --release --test suite --
//! --ignored fuzz_regressions::`.

#[path = "../fuzz/fuzz_targets/checks.rs"]
mod checks;
use crate::lzw_layers;

use nnzip::error::{ChunkFault, CorruptError, TruncatedError};
use nnzip::format::{NnzEncoder, HEADER_LEN, MAGIC, SEGMENT_FRAME_LEN, VERSION};
use nnzip::{compress_bytes, decompress_bytes, Codec, Error, ModelConfig, Preset};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The files of `dir`, sorted by name, with their contents; none when `dir` does not
/// exist (git keeps no empty directory).
fn files_in(dir: &std::path::Path) -> Vec<(PathBuf, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
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

/// The saved inputs of one fuzz target (`tests/data/fuzz/<target>/`), sorted by name.
fn saved(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    files_in(&root().join("tests/data/fuzz").join(target))
}

/// The checked-in seeds of one fuzz target (`fuzz/seeds/<target>/`), sorted by name.
fn checked_in_seeds(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    files_in(&root().join("fuzz/seeds").join(target))
}

/// Runs `check` on every saved input and every seed of `target`; fails naming every
/// input that panicked. Returns how many inputs ran, which must be at least the
/// number of seeds [`seeds`] makes for the target, and more than zero.
fn replay(target: &str, check: fn(&[u8])) -> usize {
    let inputs: Vec<(PathBuf, Vec<u8>)> = saved(target)
        .into_iter()
        .chain(checked_in_seeds(target))
        .collect();
    let mut ran = 0;
    let failed: Vec<String> = inputs
        .iter()
        .filter(|(_, data)| {
            ran += 1;
            catch_unwind(AssertUnwindSafe(|| check(data))).is_err()
        })
        .map(|(p, _)| p.display().to_string())
        .collect();
    assert!(
        failed.is_empty(),
        "{target}: these inputs fail: {failed:#?}"
    );
    let seeds = seeds().iter().filter(|(t, _, _)| *t == target).count();
    assert!(
        ran > 0 && ran >= seeds,
        "{target}: ran {ran} inputs, but it has {seeds} seeds"
    );
    ran
}

/// `nnz_decode` as the fuzzer runs it, then once more without the decode budget.
fn nnz_decode_twice(data: &[u8]) {
    checks::nnz_decode(data);
    checks::nnz_decode_whole(data);
}

#[test]
fn nnz_decode_inputs_replay() {
    let ran = replay("nnz_decode", nnz_decode_twice);
    assert_eq!(
        ran,
        saved("nnz_decode").len() + checked_in_seeds("nnz_decode").len()
    );
    assert!(ran > seeds().len() / 2, "{ran}");
}

/// Saved inputs named `slow-*` were saved for a frame that claims more than the fuzz
/// check's decode budget: replayed whole, the current-version ones must reach that
/// frame and fail there at once, a few bytes past its payload (without the decoder's
/// early stop they decode a megabyte from invented zero bytes, then fail).
///
/// Ports of older-version files (`…-v2.nnz`, see the module docs) are exempt: their
/// chunks were coded by an older model, so an earlier chunk may fail first under the
/// current one (the port of `slow-garbage-chunk-claims-1MiB.nnz` fails in its first,
/// 40-byte chunk). `slow-first-chunk-claims-1MiB-on-40-zero-bytes.nnz` keeps that
/// case reachable: the same 1 MiB claim on the same 40 zero bytes, as the first frame.
#[test]
fn slow_inputs_reach_their_frame_and_stop_early() {
    let inputs = saved("nnz_decode");
    let stem = |p: &PathBuf| -> String {
        p.file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string()
    };
    let port_suffix = format!("-v{VERSION}");
    let is_port = |p: &PathBuf| {
        stem(p)
            .strip_suffix(&port_suffix)
            .is_some_and(|orig| inputs.iter().any(|(q, _)| stem(q) == orig))
    };
    let slow: Vec<&(PathBuf, Vec<u8>)> = inputs
        .iter()
        .filter(|(p, d)| stem(p).starts_with("slow-") && d.get(4) == Some(&VERSION) && !is_port(p))
        .collect();
    assert!(
        !slow.is_empty(),
        "no slow input of the current version saved"
    );
    for (path, data) in &slow {
        assert!(
            checks::budget_cut(data).is_some(),
            "{}: within the fuzz budget, not a slow input",
            path.display()
        );
        match decompress_bytes(data) {
            Err(Error::Corrupt(CorruptError::Chunk {
                end,
                fault: ChunkFault::Truncated(TruncatedError::Payload { overrun }),
                ..
            })) => {
                assert!(
                    overrun <= 16,
                    "{}: read {overrun} bytes past the payload",
                    path.display()
                );
                assert!(
                    end > checks::DECODE_BUDGET,
                    "{}: the failing chunk ends at {end}, within the budget",
                    path.display()
                );
            }
            other => panic!("{}: {:?}", path.display(), other.map(|d| d.len())),
        }
    }
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
    let ran = replay("roundtrip", checks::roundtrip);
    assert_eq!(
        ran,
        saved("roundtrip").len() + checked_in_seeds("roundtrip").len()
    );
}

/// Every layer of the `.Z` decoder must agree on each saved input, as in the
/// `lzw_decode` target (the same check as `tests/lzw_regressions.rs`).
fn lzw_all_layers(z: &[u8]) {
    let _ = lzw_layers::decode_all_layers(z);
}

#[test]
fn lzw_decode_inputs_replay() {
    let ran = replay("lzw_decode", lzw_all_layers);
    assert_eq!(
        ran,
        saved("lzw_decode").len() + checked_in_seeds("lzw_decode").len()
    );
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
            // 64 KiB of text, the least that is coded in a tree of its own (its
            // description opens the payload); repeated, so the seed stays small.
            let tree: Vec<u8> = text(2000).iter().copied().cycle().take(64 << 10).collect();
            inputs.push(("tree", tree));
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
    // `.Z` streams for `lzw_decode`: every width (the 9-bit table fills and widens),
    // the KwKwK case, a cut stream and one whose first code is not a literal.
    for bits in [9u8, 12, 16] {
        let z = nnzip::lzw::compress_bytes(&text(2000), bits);
        out.push(("lzw_decode", format!("text2000-b{bits}.Z"), z));
    }
    let kwkwk = nnzip::lzw::compress_bytes(&[b'a'; 300], 16);
    out.push(("lzw_decode", "kwkwk.Z".to_string(), kwkwk.clone()));
    out.push((
        "lzw_decode",
        "cut.Z".to_string(),
        kwkwk[..kwkwk.len() - 2].to_vec(),
    ));
    out.push((
        "lzw_decode",
        "bad-first-code.Z".to_string(),
        vec![0x1f, 0x9d, 0x90, 0xff, 0xff],
    ));
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
            "lzw_decode" => lzw_all_layers(&data),
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
