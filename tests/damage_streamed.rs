//! Damage to `.nnz` files made from a pipe: their header records the original length
//! as unknown, so the trailer's length field is the only record of it, and nothing but
//! the reader's own check stands between a wrong trailer and a silent success.
//!
//! The tests locate what they damage by behaviour and by the library's public facts,
//! not by hard-coded offsets, so that they survive small changes of the container's
//! layout: the trailer is the last [`TRAILER_LEN`] bytes, and its length field is found
//! by searching those bytes for the little-endian original length (which `info`
//! reports, from the trailer). Every damaged file must fail with an error: through the
//! whole-buffer call, the streaming reader, and the command line (exit status 1, one
//! line, no output file, input unchanged).

use crate::cli_util;

use cli_util::{assert_failure, decompress_fails, dir_with, nnzip, sample_text, FAST};
use nnzip::format::{read_info, scan_info, Info, NnzEncoder, TRAILER_LEN};
use nnzip::{compress, decompress_bytes, Codec, Decoder, Encoder, Error, ModelConfig, Preset};
use std::io::{Cursor, Read, Write};

/// Bytes before the trailer whose damage is also checked: the end-of-chunks marker and
/// the last payload bytes.
const BEFORE_TRAILER: usize = 20;

/// A small model, quick to set up for every decode (no priming text to read first).
fn small() -> ModelConfig {
    let mut cfg = Preset::Fast.config();
    cfg.table_bits = 12;
    cfg.prime = 0;
    cfg
}

/// The test input: a few thousand bytes of text.
fn text() -> Vec<u8> {
    sample_text(3_000)
}

/// The ways a library user makes a stream of unknown length: [`compress`] from a
/// reader, the `impl Write` [`Encoder`], and [`NnzEncoder`] with small chunks.
fn streamed_files(data: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
    let codec = Codec::Neural(small());
    let mut from_reader = Vec::new();
    compress(data, &mut from_reader, &codec, &mut |_| {}).expect("compress");
    let mut writer = Encoder::with_codec(Vec::new(), &codec).expect("encoder");
    writer.write_all(data).expect("write");
    let from_writer = writer.finish().expect("finish");
    let mut chunked = NnzEncoder::with_chunk_len(Vec::new(), &small(), None, 700).expect("enc");
    chunked.encode(data).expect("encode");
    let (chunked, _) = chunked.finish().expect("finish");
    vec![
        ("compress()", from_reader),
        ("Encoder", from_writer),
        ("NnzEncoder, 700-byte chunks", chunked),
    ]
}

/// Asserts that `file`'s header leaves the length unknown and that `info` reports the
/// trailer's facts for `data`.
fn assert_streamed(file: &[u8], data: &[u8], what: &str) {
    let Ok(Info::Nnz(head)) = read_info(file) else {
        panic!("{what}: not a .nnz file");
    };
    assert_eq!(head.header.original_len, None, "{what}: length in header");
    let Ok(Info::Nnz(info)) = scan_info(Cursor::new(file)) else {
        panic!("{what}: scan fails");
    };
    let scan = info.scan.expect("scan facts");
    assert_eq!(scan.original_len, data.len() as u64, "{what}");
    assert_eq!(scan.crc32, crc32fast::hash(data), "{what}");
}

/// Where the trailer's length field starts: the one place in the trailer that holds
/// the original length as a little-endian u64.
fn length_field(file: &[u8], len: u64) -> usize {
    let trailer = file.len() - TRAILER_LEN;
    let needle = len.to_le_bytes();
    let hits: Vec<usize> = (trailer..=file.len() - needle.len())
        .filter(|&at| file[at..at + needle.len()] == needle)
        .collect();
    assert_eq!(hits.len(), 1, "the trailer holds the length exactly once");
    hits[0]
}

/// Decodes `file` with the streaming reader in small reads.
fn stream_decode(file: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut dec = Decoder::new(file).map_err(std::io::Error::other)?;
    let mut out = Vec::new();
    let mut buf = [0u8; 100];
    loop {
        match dec.read(&mut buf)? {
            0 => return Ok(out),
            n => out.extend_from_slice(&buf[..n]),
        }
    }
}

/// `file` must be refused by both library readers; returns the whole-buffer error.
fn refused(file: &[u8], what: &str) -> Error {
    let streamed = stream_decode(file);
    assert!(streamed.is_err(), "{what}: the streaming reader accepts it");
    match decompress_bytes(file) {
        Err(e) => e,
        Ok(d) => panic!("{what}: decodes to {} bytes without complaint", d.len()),
    }
}

#[test]
fn streamed_files_have_no_length_in_the_header() {
    let data = text();
    for (what, file) in streamed_files(&data) {
        assert_streamed(&file, &data, what);
        assert_eq!(decompress_bytes(&file).expect(what), data);
        assert_eq!(stream_decode(&file).expect(what), data);
    }
}

/// A wrong length in the trailer of a streamed file is a length mismatch, whatever the
/// wrong value, although the data and its CRC are intact.
#[test]
fn a_wrong_trailer_length_is_refused() {
    let data = text();
    let len = data.len() as u64;
    for (what, file) in streamed_files(&data) {
        let at = length_field(&file, len);
        let mut wrong: Vec<u64> = vec![0, len - 1, len + 1, len * 2, u64::MAX];
        wrong.extend((0..64).map(|bit| len ^ (1 << bit)));
        for value in wrong {
            let mut b = file.clone();
            b[at..at + 8].copy_from_slice(&value.to_le_bytes());
            let err = refused(&b, &format!("{what}, trailer length {value}"));
            assert!(
                matches!(err, Error::LengthMismatch { .. }),
                "{what}, trailer length {value}: {err:?}"
            );
        }
    }
}

/// Every bit of the trailer matters: each flip fails. Just before it (the end of the
/// chunks and the last coded bytes) a flip fails or, in the range coder's slack bits,
/// changes nothing; it never yields other data.
#[test]
fn every_flip_in_the_tail_fails() {
    let data = text();
    for (what, file) in streamed_files(&data) {
        let n = file.len();
        for at in n - TRAILER_LEN - BEFORE_TRAILER..n {
            for bit in 0..8 {
                let mut b = file.clone();
                b[at] ^= 1 << bit;
                let what = format!("{what}: flip at {} from the end, bit {bit}", n - at);
                if at >= n - TRAILER_LEN {
                    refused(&b, &what);
                } else if let Ok(back) = decompress_bytes(&b) {
                    assert_eq!(back, data, "{what}: wrong data");
                }
            }
        }
    }
}

/// Cutting any of the last bytes is truncation; a byte more is trailing garbage.
#[test]
fn every_cut_of_the_tail_fails() {
    let data = text();
    for (what, file) in streamed_files(&data) {
        let n = file.len();
        for cut in n - TRAILER_LEN - BEFORE_TRAILER..n {
            let err = refused(&file[..cut], &format!("{what}: cut to {cut} of {n}"));
            assert!(
                matches!(err, Error::Truncated(_)),
                "{what} cut {cut}: {err:?}"
            );
        }
        let mut longer = file.clone();
        longer.push(0);
        refused(&longer, &format!("{what}: one byte appended"));
    }
}

/// Decompresses `bad` as a file and from stdin; both must fail by the convention of
/// `tests/cli_errors.rs` (status 1, one line with `needle`, nothing left behind), and
/// so must `nnzip -t`.
fn cli_refuses(bad: &[u8], needle: &str) {
    decompress_fails(bad, needle);
    let dir = dir_with(&[("x.nnz", bad)]);
    let out = nnzip()
        .current_dir(dir.path())
        .args(["-t", "x.nnz"])
        .output()
        .expect("run nnzip -t");
    assert_failure(&out, "x.nnz", needle);
}

/// `cat f | nnzip compress > x.nnz`, then damage to the trailer: every byte of it, and
/// a length field off by one.
#[test]
fn cli_refuses_a_damaged_trailer_of_a_piped_file() {
    let data = text();
    let out = nnzip()
        .args(["compress", "-q", "-c"])
        .args(FAST)
        .arg("-")
        .write_stdin(data.clone())
        .output()
        .expect("run nnzip compress");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let file = out.stdout;
    assert_streamed(&file, &data, "nnzip compress -");
    let n = file.len();
    let at = length_field(&file, data.len() as u64);
    let mut b = file.clone();
    b[at..at + 8].copy_from_slice(&(data.len() as u64 + 1).to_le_bytes());
    cli_refuses(&b, "length mismatch");
    b[at..at + 8].copy_from_slice(&(data.len() as u64 - 1).to_le_bytes());
    cli_refuses(&b, "length mismatch");
    for at in n - TRAILER_LEN..n {
        let mut b = file.clone();
        b[at] ^= 0x01;
        cli_refuses(&b, "");
    }
}
