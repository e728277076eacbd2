//! Round trip of every file under 2 MB in `../shared/corpora` with the `fast` preset
//! (two worker threads), and for each kind of corpus (text, binary, multilingual) a
//! truncated and a bit-flipped `.nnz` that must fail with an error, not a panic.
//! Without the corpora the tests pass with a note, except when `CI` is set
//! (`tests/prereq`), where they fail.

use crate::prereq;

use nnzip::{compress_bytes, decompress_bytes, Codec, Error, Preset};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

const LIMIT: u64 = 2_000_000;

fn corpora() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora")
}

fn files_under(dir: &Path, out: &mut Vec<(PathBuf, u64)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        let Ok(meta) = e.metadata() else { continue };
        if meta.is_dir() {
            files_under(&path, out);
        } else if meta.len() < LIMIT
            && !matches!(
                path.file_name().and_then(|n| n.to_str()),
                Some("MANIFEST.md" | "SHA256SUMS")
            )
        {
            out.push((path, meta.len()));
        }
    }
}

#[test]
fn every_small_corpus_file_round_trips_with_fast() {
    let root = corpora();
    let mut files = Vec::new();
    files_under(&root, &mut files);
    if files.is_empty() {
        prereq::missing(&format!("the corpora under {}", root.display()));
        return;
    }
    // Sorted by size: `pop` hands out the largest first, so that the two workers
    // finish at about the same time.
    files.sort_by_key(|f| f.1);
    let queue = Mutex::new(files.clone());
    let results = Mutex::new(Vec::new());
    let codec = Codec::Neural(Preset::Fast.config());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let next = queue.lock().unwrap_or_else(|e| e.into_inner()).pop();
                let Some((path, _)) = next else { break };
                let data = std::fs::read(&path).expect("read corpus file");
                let packed = compress_bytes(&data, &codec).expect("compress");
                let back = decompress_bytes(&packed).expect("decompress");
                let ok = back == data;
                results.lock().unwrap_or_else(|e| e.into_inner()).push((
                    path,
                    data.len(),
                    packed.len(),
                    ok,
                ));
            });
        }
    });
    let results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    assert_eq!(results.len(), files.len());
    let mut raw = 0;
    let mut packed = 0;
    for (path, r, p, ok) in &results {
        assert!(ok, "{} does not round trip", path.display());
        raw += r;
        packed += p;
    }
    eprintln!(
        "{} files, {raw} -> {packed} bytes ({:.3} bpc)",
        results.len(),
        packed as f64 * 8.0 / raw as f64
    );
}

/// One file of each kind of corpus.
const KINDS: [(&str, &str); 3] = [
    ("text", "canterbury/alice29.txt"),
    ("binary", "calgary/obj2"),
    ("multilingual", "multilingual/ag_kokoro.txt"),
];

#[test]
fn damaged_files_of_each_kind_fail_cleanly() {
    let codec = Codec::Neural(Preset::Fast.config());
    for (kind, rel) in KINDS {
        let path = corpora().join(rel);
        let Ok(data) = std::fs::read(&path) else {
            prereq::missing(&format!("the {kind} corpus file {}", path.display()));
            continue;
        };
        let packed = compress_bytes(&data, &codec).unwrap();
        let n = packed.len();
        for cut in [n / 3, n / 2, n - 1] {
            let r = decompress_bytes(&packed[..cut]);
            assert!(
                matches!(r, Err(Error::Truncated(_))),
                "{kind} cut {cut}: {r:?}"
            );
        }
        for at in [60, n / 4, n / 2, 3 * n / 4] {
            let mut b = packed.clone();
            b[at] ^= 0x20;
            let r = decompress_bytes(&b);
            assert!(
                matches!(
                    r,
                    Err(Error::Corrupt(_)
                        | Error::ChecksumMismatch { .. }
                        | Error::LengthMismatch { .. }
                        | Error::Truncated(_))
                ),
                "{kind} flip at {at}: {:?}",
                r.map(|v| v.len())
            );
        }
    }
}
