//! The version-2 model configurations: every combination of the eight model flags
//! (word, match, APM, and the newer sparse, markup, indirect, text-codes and
//! one-mixer bits) with no, one and two hidden layers round-trips, and the header carries each flag; the output depends on the
//! configuration alone, never on the environment.

use crate::cli_util;

use nnzip::format::Header;
use nnzip::{compress_bytes, decompress_bytes, Codec, ModelConfig, Preset};
use std::process::{Command, Stdio};

fn small(flags: u8, layers: u8) -> ModelConfig {
    let mut cfg = Preset::Default.config();
    cfg.orders = vec![1, 2, 4];
    cfg.word = flags & 1 != 0;
    cfg.match_model = flags & 2 != 0;
    cfg.apm = flags & 4 != 0;
    cfg.sparse = flags & 8 != 0;
    cfg.markup = flags & 16 != 0;
    cfg.indirect = flags & 32 != 0;
    cfg.text_codes = flags & 64 != 0;
    cfg.single_mixer = flags & 128 != 0;
    cfg.layers = layers;
    cfg.hidden = 4;
    cfg.table_bits = 10;
    cfg.prime = 0;
    cfg
}

#[test]
fn every_flag_combination_round_trips_and_reaches_the_header() {
    let mut text = cli_util::sample_text(1500);
    text.extend_from_slice(b"<page><title>[[Link|x]] {{cite}}</title>\n| a || b |\n&amp;</page>\n");
    for layers in [0, 1, 2] {
        for flags in 0..=255u8 {
            let cfg = small(flags, layers);
            let packed = compress_bytes(&text, &Codec::Neural(cfg.clone()))
                .unwrap_or_else(|e| panic!("flags {flags:08b}, {layers} layers: {e}"));
            let header = Header::read_from(&mut &packed[..]).expect("header");
            assert_eq!(header.config, cfg, "flags {flags:08b}");
            assert_eq!(packed[7 + 2], flags, "flag byte of {flags:08b}");
            let back = decompress_bytes(&packed)
                .unwrap_or_else(|e| panic!("flags {flags:08b}, {layers} layers: {e}"));
            assert!(
                back == text,
                "flags {flags:08b}, {layers} layers: decoded wrong"
            );
        }
    }
}

/// Compresses `data` with the binary from stdin, with `env` set.
fn compress_with_env(data: &[u8], env: &[(&str, &str)]) -> Vec<u8> {
    use std::io::Write;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_nnzip"));
    cmd.args(["compress", "-q", "-c", "--table-bits", "12", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("run nnzip");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(data).expect("write stdin");
    drop(stdin);
    let out = child.wait_with_output().expect("wait");
    assert!(
        out.status.success(),
        "{env:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// A file is defined by its header: no environment variable may change what the
/// model predicts, or a file written with it set would not decode without it.
#[test]
fn the_output_does_not_depend_on_the_environment() {
    let text = cli_util::sample_text(3000);
    let plain = compress_with_env(&text, &[]);
    let mut differ = Vec::new();
    for env in [
        ("NNZIP_TWO", "1"),
        ("NNZIP_NOSPARSE", "1"),
        ("NNZIP_NOMARKUP", "1"),
        ("NNZIP_ORDERS", "1,2"),
        ("NNZIP_NMIX", "2"),
    ] {
        if compress_with_env(&text, &[env]) != plain {
            differ.push(format!("{}={}", env.0, env.1));
        }
    }
    assert!(
        differ.is_empty(),
        "these variables change the compressed bytes (the header does not record them): {differ:?}"
    );
}

/// How much of the priming text only the context statistics read (header byte 17,
/// the configuration's byte 10) reaches the header from the flag, changes the
/// output and round-trips at every split of one block: none, part, all of it, and
/// more than the text, which reads it all for the tables alone too.
#[test]
fn priming_for_the_tables_alone_reaches_the_header_and_round_trips() {
    let text = cli_util::sample_text(2000);
    let mut payloads = Vec::new();
    for kib in [0u8, 16, 64, 192] {
        let mut cfg = small(0b0100_0111, 1);
        (cfg.prime, cfg.prime_tables) = (1, kib);
        let packed = compress_bytes(&text, &Codec::Neural(cfg.clone())).expect("compress");
        assert_eq!(packed[7 + 10], kib);
        assert_eq!(
            Header::read_from(&mut &packed[..]).expect("header").config,
            cfg
        );
        assert!(
            decompress_bytes(&packed).expect("decode") == text,
            "{kib} KiB"
        );
        payloads.push(packed[nnzip::format::HEADER_LEN..].to_vec());
    }
    assert!(payloads[0] != payloads[1] && payloads[1] != payloads[2]);
    assert!(payloads[2] == payloads[3], "the text is one block, 64 KiB");
    let out = Command::new(env!("CARGO_BIN_EXE_nnzip"))
        .args([
            "compress",
            "-q",
            "-c",
            "--prime",
            "1",
            "--prime-tables",
            "48",
            "-",
        ])
        .stdin(Stdio::null())
        .output()
        .expect("run nnzip");
    assert!(out.status.success());
    assert_eq!(out.stdout[7 + 10], 48);
    let out = Command::new(env!("CARGO_BIN_EXE_nnzip"))
        .args(["compress", "-q", "-c", "--prime-tables", "193", "-"])
        .stdin(Stdio::null())
        .output()
        .expect("run nnzip");
    assert_eq!(out.status.code(), Some(2), "a usage error");
}
