//! The command line's successful paths: round trips through files, `-c`, stdin,
//! `-o`, `-f`, the `-d` shortcut, several files, `-v`, and `info`.

use crate::cli_util;

use cli_util::{dir_with, listing, nnzip, packed, sample_text, FAST};
use std::fs;

#[test]
fn file_round_trip_keeps_the_input() {
    let text = sample_text(50_000);
    let dir = dir_with(&[("a.txt", &text)]);
    let p = dir.path();
    nnzip()
        .current_dir(p)
        .args(["compress", "-q"])
        .args(FAST)
        .arg("a.txt")
        .assert()
        .success()
        .stdout("")
        .stderr("");
    assert_eq!(listing(p), ["a.txt", "a.txt.nnz"]);
    assert_eq!(fs::read(p.join("a.txt")).unwrap(), text);
    let nnz = fs::read(p.join("a.txt.nnz")).unwrap();
    assert!(nnz.len() < text.len() / 3, "{} bytes", nnz.len());

    fs::rename(p.join("a.txt"), p.join("orig.txt")).unwrap();
    nnzip()
        .current_dir(p)
        .args(["decompress", "a.txt.nnz"])
        .assert()
        .success()
        .stdout("")
        .stderr("");
    assert_eq!(fs::read(p.join("a.txt")).unwrap(), text);
    assert_eq!(fs::read(p.join("a.txt.nnz")).unwrap(), nnz, "input kept");
    assert_eq!(listing(p), ["a.txt", "a.txt.nnz", "orig.txt"]);
}

#[test]
fn stdout_and_stdin() {
    let text = sample_text(20_000);
    let dir = dir_with(&[("a.txt", &text)]);
    let p = dir.path();
    let out = nnzip()
        .current_dir(p)
        .args(["compress", "-c"])
        .args(FAST)
        .arg("a.txt")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(listing(p), ["a.txt"]);
    let nnz = out.stdout;
    assert_eq!(nnzip::decompress_bytes(&nnz).unwrap(), text);

    // `-` reads stdin and writes stdout.
    let out = nnzip()
        .args(["compress"])
        .args(FAST)
        .arg("-")
        .write_stdin(text.clone())
        .output()
        .unwrap();
    assert!(out.status.success());
    let streamed = out.stdout;
    assert_eq!(nnzip::decompress_bytes(&streamed).unwrap(), text);

    let out = nnzip()
        .args(["decompress", "-"])
        .write_stdin(streamed)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(out.stdout, text);

    let out = nnzip()
        .current_dir(p)
        .args(["-d", "-c"])
        .write_stdin(nnz.clone())
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(out.stdout, text);
}

#[test]
fn output_option_and_force() {
    let text = sample_text(10_000);
    let dir = dir_with(&[("a.txt", &text), ("taken.nnz", b"old")]);
    let p = dir.path();
    nnzip()
        .current_dir(p)
        .args(["compress", "-o", "x.nnz"])
        .args(FAST)
        .arg("a.txt")
        .assert()
        .success();
    assert_eq!(listing(p), ["a.txt", "taken.nnz", "x.nnz"]);

    // Refused without -f, nothing changed.
    let out = nnzip()
        .current_dir(p)
        .args(["compress", "-o", "taken.nnz"])
        .args(FAST)
        .arg("a.txt")
        .output()
        .unwrap();
    cli_util::assert_failure(&out, "taken.nnz", "already exists (use -f to overwrite)");
    assert_eq!(fs::read(p.join("taken.nnz")).unwrap(), b"old");

    nnzip()
        .current_dir(p)
        .args(["compress", "-f", "-o", "taken.nnz"])
        .args(FAST)
        .arg("a.txt")
        .assert()
        .success();
    assert_eq!(
        nnzip::decompress_bytes(&fs::read(p.join("taken.nnz")).unwrap()).unwrap(),
        text
    );

    nnzip()
        .current_dir(p)
        .args(["d", "-o", "back.txt", "x.nnz"])
        .assert()
        .success();
    assert_eq!(fs::read(p.join("back.txt")).unwrap(), text);
    // Decompression refuses to overwrite too, and obeys -f.
    let out = nnzip()
        .current_dir(p)
        .args(["d", "-o", "back.txt", "taken.nnz"])
        .output()
        .unwrap();
    cli_util::assert_failure(&out, "back.txt", "already exists");
    nnzip()
        .current_dir(p)
        .args(["-d", "-f", "-o", "back.txt", "taken.nnz"])
        .assert()
        .success();
    assert_eq!(listing(p), ["a.txt", "back.txt", "taken.nnz", "x.nnz"]);
}

#[test]
fn several_files_and_verbose_lines() {
    let a = sample_text(3000);
    let b = b"".to_vec();
    let dir = dir_with(&[("a", &a), ("b", &b)]);
    let p = dir.path();
    let out = nnzip()
        .current_dir(p)
        .args(["compress", "-v"])
        .args(FAST)
        .args(["a", "b"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert!(lines[0].starts_with("a: 3000 -> "), "{stderr}");
    assert!(lines[0].contains("bits per byte") && lines[0].contains("MB/s"));
    assert!(lines[0].ends_with("-> a.nnz"), "{stderr}");
    assert!(lines[1].starts_with("b: 0 -> "), "{stderr}");

    fs::remove_file(p.join("a")).unwrap();
    fs::remove_file(p.join("b")).unwrap();
    nnzip()
        .current_dir(p)
        .args(["-d", "a.nnz", "b.nnz"])
        .assert()
        .success();
    assert_eq!(fs::read(p.join("a")).unwrap(), a);
    assert_eq!(fs::read(p.join("b")).unwrap(), b);

    // One bad file among good ones: the others are done, the status is 1.
    let out = nnzip()
        .current_dir(p)
        .args(["compress", "-q", "-f"])
        .args(FAST)
        .args(["a", "missing", "b"])
        .output()
        .unwrap();
    cli_util::assert_failure(&out, "missing", "No such file or directory");
}

#[test]
fn model_flags_reach_the_header() {
    let text = sample_text(5000);
    let dir = dir_with(&[("a", &text)]);
    let p = dir.path();
    nnzip()
        .current_dir(p)
        .args([
            "compress",
            "--preset",
            "fast",
            "--hidden",
            "6",
            "--layers",
            "2",
            "--activation",
            "leaky",
            "--orders",
            "1,2,5",
            "--no-word",
            "--no-match",
            "--table-bits",
            "11",
            "--byte-embed",
            "3",
            "--lr",
            "0.05",
            "--no-apm",
            "--seed",
            "0xabc",
            "a",
        ])
        .assert()
        .success();
    let nnz = fs::read(p.join("a.nnz")).unwrap();
    let mut dec = nnzip::format::NnzDecoder::new(&nnz[..]).unwrap();
    let cfg = &dec.header().config;
    assert_eq!(cfg.hidden, 6);
    assert_eq!(cfg.layers, 2);
    assert_eq!(cfg.activation, nnzip::Activation::LeakyRelu);
    assert_eq!(cfg.orders, [1, 2, 5]);
    assert!(!cfg.word && !cfg.match_model && !cfg.apm);
    assert_eq!(cfg.table_bits, 11);
    assert_eq!(cfg.byte_embed, 3);
    assert_eq!(cfg.lr, 0.05);
    assert_eq!(cfg.seed, 0xabc);
    let mut back = Vec::new();
    std::io::Read::read_to_end(&mut dec, &mut back).unwrap();
    assert_eq!(back, text);
}

/// The max preset's sparse, markup and indirect contexts (the default has no sparse
/// ones) can be dropped one by one.
#[test]
fn sparse_markup_and_indirect_flags_reach_the_header() {
    let text = sample_text(3000);
    let dir = dir_with(&[("a", &text)]);
    let p = dir.path();
    for (flags, sparse, markup, indirect) in [
        (&[][..], true, true, true),
        (&["--no-sparse"][..], false, true, true),
        (&["--no-markup"][..], true, false, true),
        (&["--no-indirect"][..], true, true, false),
        (
            &["--no-sparse", "--no-markup", "--no-indirect"][..],
            false,
            false,
            false,
        ),
    ] {
        nnzip()
            .current_dir(p)
            .args(["compress", "-f", "--preset", "max", "--prime", "0"])
            .args(flags)
            .arg("a")
            .assert()
            .success();
        let nnz = fs::read(p.join("a.nnz")).unwrap();
        let mut dec = nnzip::format::NnzDecoder::new(&nnz[..]).unwrap();
        let cfg = &dec.header().config;
        assert_eq!(
            (cfg.sparse, cfg.markup, cfg.indirect),
            (sparse, markup, indirect),
            "{flags:?}"
        );
        let mut back = Vec::new();
        std::io::Read::read_to_end(&mut dec, &mut back).unwrap();
        assert_eq!(back, text);
    }
}

/// A file of known length gets a context table fitted to it, or to the priming text
/// the model reads first if that is longer (one 64-byte bucket per byte, rounded up
/// to a power of two, at least 2^10), and the header stores the fitted size; from a
/// pipe the length is unknown and the preset's table is kept.
#[test]
fn the_header_stores_the_table_fitted_to_the_input() {
    let text = sample_text(5000);
    let dir = dir_with(&[("a", &text)]);
    let p = dir.path();
    // fast reads 64 KiB of priming text, default 128 KiB: longer than the file, they
    // need 2^17 and 2^18 buckets.
    for (preset, full, fitted) in [("fast", 20, 17), ("default", 22, 18)] {
        nnzip()
            .current_dir(p)
            .args(["compress", "-f", "-q", "--preset", preset, "a"])
            .assert()
            .success();
        let nnz = fs::read(p.join("a.nnz")).unwrap();
        let cfg = nnzip::format::Header::read_from(&mut &nnz[..])
            .unwrap()
            .config;
        assert_eq!(cfg.table_bits, fitted, "{preset}");
        let mut want = nnzip::Preset::from_name(preset).unwrap().config();
        assert_eq!(want.table_bits, full, "{preset}");
        want.table_bits = fitted;
        assert_eq!(cfg, want, "{preset}: only the table is fitted");
        assert_eq!(nnzip::decompress_bytes(&nnz).unwrap(), text);
        let info = nnzip()
            .current_dir(p)
            .args(["info", "a.nnz"])
            .output()
            .unwrap();
        let info = String::from_utf8_lossy(&info.stdout);
        let model = if preset == "fast" {
            "model:         orders 2,4 +word +match, table 2^17 buckets, one mixer, no hidden layer, apm off"
        } else {
            "model:         orders 2,3,4,6 +word +match +markup +indirect, table 2^18 buckets, 1 hidden layer(s) of 8 relu, 0 byte embedding(s)"
        };
        assert!(info.contains(model), "{model:?} missing in:\n{info}");

        let streamed = nnzip()
            .args(["compress", "-q", "--preset", preset, "-"])
            .write_stdin(text.clone())
            .output()
            .unwrap();
        assert!(streamed.status.success());
        let h = nnzip::format::Header::read_from(&mut &streamed.stdout[..]).unwrap();
        assert_eq!(h.original_len, None);
        assert_eq!(h.config.table_bits, full, "{preset} from a pipe");
    }
    // Tiny inputs stop at the smallest table (without priming; with the default's,
    // at the 2^18 buckets its text needs).
    fs::write(p.join("b"), b"x").unwrap();
    for (args, bits) in [(&["--prime", "0"][..], 10), (&[][..], 18)] {
        nnzip()
            .current_dir(p)
            .args(["compress", "-f", "-q", "b"])
            .args(args)
            .assert()
            .success();
        let nnz = fs::read(p.join("b.nnz")).unwrap();
        let h = nnzip::format::Header::read_from(&mut &nnz[..]).unwrap();
        assert_eq!(h.config.table_bits, bits, "{args:?}");
    }
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["compress", "--hidden", "0", "a"][..],
        &["compress", "--codec", "lzw", "--hidden", "4", "a"],
        &["compress", "--bits", "12", "a"],
        &["compress", "-o", "x", "a", "b"],
        &["compress", "-c", "a", "b"],
        &["compress", "--activation", "softplus", "a"],
        &["compress", "--orders", "2,2", "a"],
        &["frobnicate"],
        &["a.txt"],
    ] {
        let out = nnzip().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    }
}

#[test]
fn info_describes_header_and_trailer() {
    let text = sample_text(30_000);
    let nnz = packed(&text);
    let dir = dir_with(&[("a.nnz", &nnz)]);
    let p = dir.path();
    let out = nnzip()
        .current_dir(p)
        .args(["info", "a.nnz"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let s = String::from_utf8(out.stdout).unwrap();
    let crc = format!("{:08x}", crc32fast::hash(&text));
    for needle in [
        "a.nnz\n",
        "format:        nnzip container (.nnz), version 2",
        "codec:         neural (id 1)",
        "model:         orders 2,4 +word +match, table 2^12 buckets, one mixer, no hidden layer",
        "original size: 30000 bytes",
        &format!("packed size:   {} bytes", nnz.len()),
        "bits per byte",
        "chunks:        1 (largest 30000 bytes)",
        &format!("crc32:         {crc}"),
        // Under 64 KiB: the plain tree.
        &format!("chunks, crc32 {crc}, bytes as 8 bits\n"),
    ] {
        assert!(s.contains(needle), "{needle:?} missing in:\n{s}");
    }

    // 64 KiB of text or more: a tree of its own, with its shortest and longest path.
    fs::write(p.join("long.nnz"), packed(&sample_text(70_000))).unwrap();
    let out = nnzip()
        .current_dir(p)
        .args(["info", "long.nnz"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(
        s.contains(" chunks, crc32 ") && s.contains(", own tree ("),
        "{s}"
    );
    assert!(s.contains(" decisions a byte)\n"), "{s}");

    // From stdin: the header only, the length comes from the header.
    let out = nnzip()
        .args(["info", "-"])
        .write_stdin(nnz.clone())
        .output()
        .unwrap();
    assert!(out.status.success());
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.contains("original size: 30000 bytes"), "{s}");
    assert!(!s.contains("crc32"), "{s}");

    // A streamed file has no length in its header; scanning finds it in the trailer.
    let streamed = nnzip()
        .args(["compress"])
        .args(FAST)
        .arg("-")
        .write_stdin(text.clone())
        .output()
        .unwrap()
        .stdout;
    let out = nnzip()
        .args(["info", "-"])
        .write_stdin(streamed.clone())
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("not in the header (streamed)"));
    fs::write(p.join("s.nnz"), &streamed).unwrap();
    let out = nnzip()
        .current_dir(p)
        .args(["info", "s.nnz"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("original size: 30000 bytes"));

    // A damaged file: one line naming it.
    fs::write(p.join("bad.nnz"), &nnz[..nnz.len() - 3]).unwrap();
    let out = nnzip()
        .current_dir(p)
        .args(["info", "bad.nnz"])
        .output()
        .unwrap();
    cli_util::assert_failure(&out, "bad.nnz", "truncated");
}

#[test]
fn broken_pipe_is_a_quiet_success() {
    let text = sample_text(600_000);
    let nnz = packed(&text);
    let dir = dir_with(&[("a.nnz", &nnz)]);
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("nnzip"))
        .current_dir(dir.path())
        .args(["-d", "-c", "a.nnz"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Read a little, then close the pipe.
    let mut first = [0u8; 16];
    std::io::Read::read_exact(child.stdout.as_mut().unwrap(), &mut first).unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(&first, &text[..16]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

/// The LZW codec is connected: `--codec lzw` writes the `.Z` file the library writes,
/// `info` describes it, and it round trips. (Before the codec was connected this test
/// also accepted a clean refusal; it no longer does.)
#[test]
fn lzw_codec_round_trips() {
    let text = sample_text(20_000);
    let dir = dir_with(&[("a", &text)]);
    let p = dir.path();
    let out = nnzip()
        .current_dir(p)
        .args(["compress", "--codec", "lzw", "--bits", "12", "a"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "nnzip compress --codec lzw failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(listing(p), ["a", "a.Z"]);
    let z = fs::read(p.join("a.Z")).unwrap();
    assert_eq!(&z[..3], &[0x1f, 0x9d, 0x80 | 12]);
    assert!(
        z == nnzip::lzw::compress_bytes(&text, 12),
        "not the library's .Z bytes"
    );
    let info = nnzip()
        .current_dir(p)
        .args(["info", "a.Z"])
        .output()
        .unwrap();
    let s = String::from_utf8_lossy(&info.stdout);
    assert!(
        s.contains("Unix compress (.Z)") && s.contains("12 bits"),
        "{s}"
    );
    fs::remove_file(p.join("a")).unwrap();
    nnzip()
        .current_dir(p)
        .args(["-d", "a.Z"])
        .assert()
        .success();
    assert_eq!(fs::read(p.join("a")).unwrap(), text);
    // A damaged .Z file fails with one line and leaves nothing behind.
    fs::write(p.join("bad.Z"), [0x1f, 0x9d, 0x90, 0xff, 0xff, 0xff]).unwrap();
    let out = nnzip()
        .current_dir(p)
        .args(["-d", "bad.Z"])
        .output()
        .unwrap();
    cli_util::assert_failure(&out, "bad.Z", "");
    assert_eq!(listing(p), ["a", "a.Z", "bad.Z"]);
}

/// `--mixers 1|3` sets the first layer whatever the preset, the header carries it
/// (the decoder needs no flag), and any other count is refused by the parser.
#[test]
fn mixers_flag_reaches_the_header() {
    let text = sample_text(3_000);
    for (preset, mixers, single) in [
        ("fast", "3", false),
        ("fast", "1", true),
        ("default", "1", true),
        ("default", "3", false),
    ] {
        let out = nnzip()
            .args(["compress", "-q", "-c", "--prime", "0", "--preset", preset])
            .args(["--mixers", mixers, "-"])
            .write_stdin(text.clone())
            .output()
            .unwrap();
        assert!(out.status.success(), "{preset} --mixers {mixers}");
        let cfg = nnzip::format::Header::read_from(&mut &out.stdout[..])
            .unwrap()
            .config;
        assert_eq!(cfg.single_mixer, single, "{preset} --mixers {mixers}");
        assert_eq!(nnzip::decompress_bytes(&out.stdout).unwrap(), text);
    }
    let out = nnzip()
        .args(["compress", "-c", "--mixers", "2", "-"])
        .write_stdin("x")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("invalid value '2' for '--mixers <N>'"),
        "{err}"
    );
}
