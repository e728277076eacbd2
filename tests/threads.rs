//! `-T/--threads` and segments (issue 9): the output never depends on the number of
//! threads; any thread count decodes what any other wrote; damage inside any segment
//! ends the run with one line and writes nothing; a signal stops every worker and
//! leaves nothing behind; a request whose models cannot fit is refused up front.

use crate::cli_util;

use cli_util::{assert_failure, dir_with, listing, nnzip, sample_text};
use nnzip::format::{scan_info, EncodeOptions, Info, NnzEncoder};
use nnzip::{Codec, CompressOptions, Error, ModelConfig, Preset, Summary};
use std::io::Cursor;

/// A small model, so that many segments stay quick to code (no priming text to
/// read before each).
fn small() -> ModelConfig {
    let mut cfg = Preset::Fast.config();
    cfg.table_bits = 12;
    cfg.prime = 0;
    cfg
}

/// Segments of 8 KiB, chunks of 3,000 bytes.
fn opts(threads: usize) -> CompressOptions {
    CompressOptions {
        threads,
        encode: EncodeOptions {
            segment_len: 8 << 10,
            chunk_len: 3000,
        },
    }
}

/// The stream and its summary.
fn compress_summary(data: &[u8], len: Option<u64>, threads: usize) -> (Vec<u8>, Summary) {
    let mut out = Vec::new();
    let s = nnzip::compress_with_options(
        data,
        len,
        &mut out,
        &Codec::Neural(small()),
        &opts(threads),
        &mut |_| {},
    )
    .expect("compress");
    (out, s)
}

fn compress(data: &[u8], len: Option<u64>, threads: usize) -> Vec<u8> {
    compress_summary(data, len, threads).0
}

fn decompress(packed: &[u8], threads: usize) -> nnzip::Result<Vec<u8>> {
    let mut out = Vec::new();
    nnzip::decompress_with_threads(packed, &mut out, threads, &mut |_| {})?;
    Ok(out)
}

/// Every segment's model reads the priming text before its segment, on whichever
/// thread codes it: the output is the same for every thread count and decodes with
/// any, and each segment is coded as a lone file of its bytes would be.
#[test]
fn every_segment_is_primed_the_same_on_any_thread() {
    let mut cfg = Preset::Fast.config();
    cfg.table_bits = 12;
    assert_eq!(cfg.prime, 1);
    let seg = nnzip::model::prime::BLOCK as u32;
    let text = sample_text(2 * seg as usize + 5000);
    let run = |data: &[u8], threads| {
        let mut out = Vec::new();
        let opts = CompressOptions {
            threads,
            encode: EncodeOptions {
                segment_len: seg,
                chunk_len: 1 << 20,
            },
        };
        let len = Some(data.len() as u64);
        nnzip::compress_with_options(
            data,
            len,
            &mut out,
            &Codec::Neural(cfg.clone()),
            &opts,
            &mut |_| {},
        )
        .expect("compress");
        out
    };
    let one = run(&text, 1);
    assert_eq!(run(&text, 2), one);
    assert_eq!(run(&text, 3), one);
    for threads in [1, 2] {
        assert_eq!(decompress(&one, threads).unwrap(), text, "-T{threads}");
    }
    let h = nnzip::format::Header::read_from(&mut &one[..]).unwrap();
    assert_eq!(h.config.prime, 1, "one block fits a 64 KiB segment");
    // The last segment's chunks are those of a lone file of its 5000 bytes with the
    // same settings: a primed fresh model, nothing carried over.
    let chunks = |f: &[u8], i: usize| {
        let Info::Nnz(info) = scan_info(Cursor::new(f)).unwrap() else {
            panic!("not nnz")
        };
        let seg = &info.scan.unwrap().segments[i];
        let at = seg.offset as usize + 16;
        f[at..at + seg.packed_len as usize].to_vec()
    };
    let lone = run(&text[2 * seg as usize..], 1);
    assert_eq!(chunks(&one, 2), chunks(&lone, 0));
    assert_ne!(chunks(&one, 0), chunks(&one, 1));
}

#[test]
fn output_is_identical_for_every_thread_count() {
    // 8 KiB segments: several full ones and a short last one; also the exact
    // multiple, one byte, and nothing.
    for n in [70_001, 5 * 8192, 1, 0] {
        let text = sample_text(n);
        for len in [Some(n as u64), None] {
            let one = compress(&text, len, 1);
            for threads in [2, 3, 8, 0] {
                assert_eq!(compress(&text, len, threads), one, "{n} bytes, -T{threads}");
            }
            // The sequential Write interface, fed in odd pieces, writes the same.
            let mut enc =
                NnzEncoder::with_options(Vec::new(), &small(), len, opts(1).encode).unwrap();
            for piece in text.chunks(977) {
                std::io::Write::write_all(&mut enc, piece).unwrap();
            }
            assert_eq!(enc.finish().unwrap().0, one, "{n} bytes through Write");
        }
    }
}

#[test]
fn any_thread_count_decodes_any_other() {
    let text = sample_text(60_000);
    for enc_threads in [1, 3] {
        let packed = compress(&text, None, enc_threads);
        let Info::Nnz(info) = scan_info(Cursor::new(&packed)).unwrap() else {
            panic!("not nnz")
        };
        assert_eq!(info.scan.unwrap().segments.len(), 8);
        for dec_threads in [1, 2, 4, 0] {
            assert_eq!(
                decompress(&packed, dec_threads).unwrap(),
                text,
                "-T{enc_threads} decoded with -T{dec_threads}"
            );
        }
    }
}

/// The threads that really code a stream: as many as asked for, but never more than
/// it has segments (a length known up front caps them; `-T0` means one per core), and
/// one on the sequential path. `Summary::threads` reports the path that ran.
#[test]
fn threads_run_as_planned_and_never_exceed_the_segments() {
    let run = |data: &[u8], len: Option<u64>, threads: usize| {
        let (out, s) = compress_summary(data, len, threads);
        let mut back = Vec::new();
        let d = nnzip::decompress_with_threads(&out[..], &mut back, threads, &mut |_| {})
            .expect("decompress");
        assert_eq!(back, data);
        (s.threads, d.threads)
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let three = sample_text(3 * 8192);
    let one = sample_text(8192);
    assert_eq!(run(&three, Some(3 * 8192), 1), (1, 1));
    assert_eq!(run(&three, Some(3 * 8192), 2), (2, 2));
    // Three segments: a fourth thread would have nothing to do.
    assert_eq!(run(&three, Some(3 * 8192), 4), (3, 3));
    // One segment, length known: one thread, whatever was asked.
    assert_eq!(run(&one, Some(8192), 2), (1, 1));
    assert_eq!(run(&one, Some(8192), 0), (1, 1));
    // Three segments, -T0: every core, up to three.
    let auto = run(&three, Some(3 * 8192), 0);
    assert_eq!(auto.0, cores.clamp(1, 3), "-T0 on {cores} cores");
    // Streamed (length unknown): the encoder cannot cap by segments; the decoder
    // reads no count either, so both run what was asked.
    assert_eq!(run(&three, None, 2), (2, 2));
}

/// The command line: -T1 and -T2 write the same file, from a file and from a pipe,
/// and `info` lists the segments.
#[test]
fn cli_threads_write_identical_files_and_info_lists_segments() {
    let text = sample_text(40_000);
    let dir = dir_with(&[("in.txt", &text)]);
    let mut outs = Vec::new();
    for t in ["1", "2"] {
        let out = format!("t{t}.nnz");
        nnzip()
            .current_dir(dir.path())
            .args(["compress", "-q", "-1", "--segment-size", "8K", "-T", t])
            .args(["-o", &out, "in.txt"])
            .assert()
            .success();
        outs.push(std::fs::read(dir.path().join(out)).unwrap());
        let piped = nnzip()
            .args(["-1", "--segment-size", "8KiB", "--threads", t])
            .write_stdin(text.clone())
            .output()
            .unwrap();
        assert!(piped.status.success());
        outs.push(piped.stdout);
    }
    assert_eq!(outs[0], outs[2], "file: -T1 and -T2 differ");
    assert_eq!(outs[1], outs[3], "pipe: -T1 and -T2 differ");
    for t in ["1", "2"] {
        let back = nnzip()
            .current_dir(dir.path())
            .args(["-d", "-c", "-T", t, "t2.nnz"])
            .output()
            .unwrap();
        assert!(back.status.success());
        assert_eq!(back.stdout, text);
    }
    let info = nnzip()
        .current_dir(dir.path())
        .args(["info", "t1.nnz"])
        .output()
        .unwrap();
    let info = String::from_utf8(info.stdout).unwrap();
    assert!(info.contains("segment size:  8192 bytes"), "{info}");
    assert!(info.contains("segments:      5"), "{info}");
    assert!(info.contains("#4"), "{info}");
    assert!(info.contains("bytes 32768..40000"), "{info}");
}

/// Cuts and bit flips inside every segment: one line, status 1, no output file and
/// no temporary file, with one thread and with several.
#[test]
fn damage_in_any_segment_writes_nothing() {
    let text = sample_text(50_000);
    let packed = compress(&text, Some(text.len() as u64), 2);
    let Info::Nnz(info) = scan_info(Cursor::new(&packed)).unwrap() else {
        panic!("not nnz")
    };
    let segments = info.scan.unwrap().segments;
    assert_eq!(segments.len(), 7);
    for (i, seg) in segments.iter().enumerate() {
        let body = seg.offset as usize + 16;
        let mid = body + seg.packed_len as usize / 2;
        let mut flipped = packed.clone();
        flipped[mid] ^= 0x20;
        let mut crc = packed.clone();
        crc[seg.offset as usize + 12] ^= 1;
        let cut = packed[..mid].to_vec();
        for (what, bad, needle) in [
            ("flip", flipped, "corrupt data"),
            ("crc", crc, &format!("segment {i}")),
            ("cut", cut, "truncated"),
        ] {
            for t in ["1", "2", "4"] {
                let dir = dir_with(&[("x.nnz", &bad)]);
                let out = nnzip()
                    .current_dir(dir.path())
                    .args(["-d", "-T", t, "x.nnz"])
                    .output()
                    .unwrap();
                assert_failure(&out, "x.nnz", needle);
                assert_eq!(
                    listing(dir.path()),
                    ["x.nnz"],
                    "segment {i} {what} -T{t}: something was left behind"
                );
            }
            // The library reports the same in process, for every thread count.
            for t in [1, 2, 3] {
                assert!(decompress(&bad, t).is_err(), "segment {i} {what} -T{t}");
            }
        }
    }
}

/// An error in one worker ends the run (no hang, no output) even while other
/// workers are busy with later segments: damage in the first of many segments.
#[test]
fn a_worker_error_ends_the_run() {
    let text = sample_text(200_000);
    let mut packed = compress(&text, None, 2);
    packed[63 + 40] ^= 0x08;
    let start = std::time::Instant::now();
    let r = decompress(&packed, 2);
    assert!(
        matches!(r, Err(Error::Corrupt(_))),
        "the first segment's damage is the error: {r:?}"
    );
    // Every worker stops: the whole file takes far longer than one segment.
    assert!(start.elapsed() < std::time::Duration::from_secs(60));
}

/// More threads than memory allows: one line, status 1, before anything is written
/// (here from a pipe, whose length, and so number of segments, is unknown).
#[test]
fn threads_that_cannot_fit_are_refused_up_front() {
    if nnzip::parallel::available_memory().is_none() {
        eprintln!("skipped: available memory unknown on this system");
        return;
    }
    let out = nnzip()
        .args(["compress", "--preset", "max", "-T", "1024", "-"])
        .write_stdin(sample_text(1000))
        .output()
        .unwrap();
    assert_failure(&out, "(stdin)", "use fewer threads");
    assert!(out.stdout.is_empty(), "nothing written");
    // A file too short for more than one segment needs one thread only: accepted.
    let dir = dir_with(&[("in.txt", &sample_text(1000))]);
    nnzip()
        .current_dir(dir.path())
        .args(["compress", "-q", "-1", "-T", "1024", "in.txt"])
        .assert()
        .success();
}

/// SIGINT while two workers are coding: status 130 and nothing left behind.
#[cfg(unix)]
#[test]
fn sigint_while_workers_run_leaves_nothing() {
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};
    let dir = dir_with(&[("in.txt", &sample_text(3_000_000))]);
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("nnzip"))
        .current_dir(dir.path())
        .args(["compress", "-q", "-1", "-T", "2", "--segment-size", "256K"])
        .args(["-o", "out.nnz", "in.txt"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(20)
        && !listing(dir.path()).iter().any(|n| n.starts_with(".nnzip-"))
    {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(500));
    let ok = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok);
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
    if status.success() {
        // Finished before the signal: then the output is complete.
        assert_eq!(listing(dir.path()), ["in.txt", "out.nnz"]);
    } else {
        assert_eq!(status.code(), Some(130), "{stderr}");
        assert_eq!(listing(dir.path()), ["in.txt"]);
    }
}
