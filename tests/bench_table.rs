//! `nnzip bench` without any tool on PATH: fake codecs and the neural core, checked for
//! the shape of the Markdown, CSV and JSON output, the consistency of the numbers, and
//! that a broken round trip is an error rather than a row.

use clap::Parser;
use nnzip::bench::external::EXTERNAL;
use nnzip::bench::table::{self, BENCH_COLUMNS, BENCH_CSV_COLUMNS};
use nnzip::bench::{
    bench, resolve_codecs, run_bench_with, BenchArgs, BenchCodec, BenchInput, BenchOptions,
    CodecList, CoreCodec, ExternalCodec, OutputFormat, SweepArgs,
};
use nnzip::error::{CorruptError, Difference};
use nnzip::{Activation, Error, Preset, Result};

/// Stores the input behind a 4-byte header: sizes are known exactly.
struct Store;

impl BenchCodec for Store {
    fn name(&self) -> &str {
        "store"
    }
    fn compress(&self, input: &[u8]) -> Result<Vec<u8>> {
        let mut v = b"STOR".to_vec();
        v.extend_from_slice(input);
        Ok(v)
    }
    fn decompress(&self, packed: &[u8]) -> Result<Vec<u8>> {
        packed
            .strip_prefix(b"STOR")
            .map(<[u8]>::to_vec)
            .ok_or_else(|| Error::BadMagic {
                found: packed[..packed.len().min(4)].to_vec(),
            })
    }
}

/// Compresses like [`Store`] but flips one bit of the middle byte when decompressing.
struct Flipper;

impl BenchCodec for Flipper {
    fn name(&self) -> &str {
        "flipper"
    }
    fn compress(&self, input: &[u8]) -> Result<Vec<u8>> {
        Store.compress(input)
    }
    fn decompress(&self, packed: &[u8]) -> Result<Vec<u8>> {
        let mut v = Store.decompress(packed)?;
        let mid = v.len() / 2;
        if let Some(b) = v.get_mut(mid) {
            *b ^= 0x20;
        }
        Ok(v)
    }
}

/// Fails to decompress at all.
struct Broken;

impl BenchCodec for Broken {
    fn name(&self) -> &str {
        "broken"
    }
    fn compress(&self, input: &[u8]) -> Result<Vec<u8>> {
        Ok(input.to_vec())
    }
    fn decompress(&self, _: &[u8]) -> Result<Vec<u8>> {
        Err(Error::Io(std::io::Error::other("the fake codec gives up")))
    }
}

fn text(n: usize) -> Vec<u8> {
    let words = [
        "the ",
        "model ",
        "learns ",
        "text ",
        "while ",
        "it ",
        "compresses ",
        "it. ",
    ];
    let mut x = 12345u32;
    let mut v = Vec::new();
    while v.len() < n {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        v.extend_from_slice(words[(x >> 16) as usize % words.len()].as_bytes());
    }
    v.truncate(n);
    v
}

fn inputs() -> Vec<BenchInput> {
    vec![
        BenchInput {
            name: "a.txt".into(),
            data: text(20_000),
        },
        BenchInput {
            name: "b, with comma.txt".into(),
            data: text(3_000),
        },
    ]
}

fn codecs() -> CodecList {
    vec![Box::new(Store), Box::new(CoreCodec::preset(Preset::Fast))]
}

#[test]
fn rows_are_consistent() {
    let rep = bench(&inputs(), &codecs(), &BenchOptions::default()).unwrap();
    assert_eq!(rep.rows.len(), 4);
    let order: Vec<(&str, &str)> = rep
        .rows
        .iter()
        .map(|r| (r.file.as_str(), r.codec.as_str()))
        .collect();
    assert_eq!(
        order,
        [
            ("a.txt", "store"),
            ("a.txt", "core-fast"),
            ("b, with comma.txt", "store"),
            ("b, with comma.txt", "core-fast")
        ]
    );
    for r in &rep.rows {
        let bpc = 8.0 * r.compressed_bytes as f64 / r.original_bytes as f64;
        assert!((r.bits_per_byte - bpc).abs() < 1e-12, "{r:?}");
        let ratio = r.original_bytes as f64 / r.compressed_bytes as f64;
        assert!((r.ratio - ratio).abs() < 1e-12, "{r:?}");
        assert!(r.compress_mb_s > 0.0 && r.decompress_mb_s > 0.0, "{r:?}");
        assert_eq!(r.peak_memory_source, "process");
    }
    assert_eq!(rep.rows[0].compressed_bytes, 20_004);
    assert_eq!(rep.rows[0].model_memory_bytes, None);
    assert!(rep.rows[1].model_memory_bytes.unwrap() > 0);
    assert!(
        rep.rows[1].compressed_bytes < 20_000 / 2,
        "{:?}",
        rep.rows[1]
    );
    assert!(rep.machine.cores >= 1);
    assert!(
        rep.date.ends_with('Z') && rep.date.len() == 20,
        "{}",
        rep.date
    );
}

#[test]
fn markdown_shape() {
    let rep = bench(&inputs(), &codecs(), &BenchOptions::default()).unwrap();
    let md = table::bench_markdown(&rep);
    let first = md.lines().next().unwrap();
    assert!(
        first.starts_with("nnzip bench: `nnzip bench` on "),
        "{first}"
    );
    assert!(first.contains(&rep.machine.cpu) && first.contains(&rep.date));
    let table: Vec<&str> = md.lines().filter(|l| l.starts_with('|')).collect();
    assert_eq!(table.len(), 2 + rep.rows.len(), "{md}");
    let header: Vec<&str> = table[0]
        .trim_matches('|')
        .split(" | ")
        .map(str::trim)
        .collect();
    assert_eq!(header, BENCH_COLUMNS);
    for line in &table[2..] {
        assert_eq!(
            line.matches(" | ").count(),
            BENCH_COLUMNS.len() - 1,
            "{line}"
        );
    }
    assert!(table[2].contains("| store ") && table[2].contains(" 20004 "));
    assert!(md.contains("peak MiB: external tools"), "{md}");
}

#[test]
fn csv_shape() {
    let rep = bench(&inputs(), &codecs(), &BenchOptions::default()).unwrap();
    let csv = table::bench_csv(&rep);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 1 + rep.rows.len());
    assert_eq!(lines[0].split(',').collect::<Vec<_>>(), BENCH_CSV_COLUMNS);
    // The file name with a comma is quoted; all others split plainly.
    assert!(
        lines[3].starts_with("store,\"b, with comma.txt\",3000,3004,"),
        "{}",
        lines[3]
    );
    for line in &lines[1..3] {
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(f.len(), BENCH_CSV_COLUMNS.len(), "{line}");
        let orig: f64 = f[2].parse().unwrap();
        let packed: f64 = f[3].parse().unwrap();
        let bpc: f64 = f[4].parse().unwrap();
        assert!((bpc - 8.0 * packed / orig).abs() < 1e-9, "{line}");
        let col = |name| BENCH_CSV_COLUMNS.iter().position(|c| *c == name).unwrap();
        assert_eq!(f[col("peak_memory_source")], "process");
        // No xz in this run: no time ratios.
        assert_eq!(f[col("compress_vs_xz")], "", "{line}");
        assert_eq!(f[col("decompress_vs_xz")], "", "{line}");
        let secs: f64 = f[col("compress_secs")].parse().unwrap();
        let mb_s: f64 = f[col("compress_mb_s")].parse().unwrap();
        assert!((secs * mb_s * 1e6 / orig - 1.0).abs() < 1e-9, "{line}");
    }
}

#[test]
fn json_shape() {
    let rep = bench(&inputs(), &codecs(), &BenchOptions::default()).unwrap();
    let v: serde_json::Value = serde_json::from_str(&table::to_json(&rep)).unwrap();
    for k in ["command", "machine", "date", "notes", "rows"] {
        assert!(v.get(k).is_some(), "missing {k}");
    }
    assert!(v["machine"]["cpu"].is_string());
    assert!(v["machine"]["cores"].as_u64().unwrap() >= 1);
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 4);
    for r in rows {
        let keys: Vec<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
        let mut expected = BENCH_CSV_COLUMNS.to_vec();
        expected.sort_unstable();
        let mut keys = keys;
        keys.sort_unstable();
        assert_eq!(keys, expected);
        let bpc = r["bits_per_byte"].as_f64().unwrap();
        let orig = r["original_bytes"].as_f64().unwrap();
        let packed = r["compressed_bytes"].as_f64().unwrap();
        assert!((bpc - 8.0 * packed / orig).abs() < 1e-12);
    }
    assert!(rows[0]["model_memory_bytes"].is_null());
    assert!(rows[1]["model_memory_bytes"].as_u64().unwrap() > 0);
}

#[test]
fn a_corrupted_round_trip_is_an_error() {
    let list: CodecList = vec![Box::new(Store), Box::new(Flipper)];
    let err = bench(&inputs(), &list, &BenchOptions::default()).unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Corrupt(CorruptError::RoundTrip {
                codec,
                input,
                difference: Difference::Byte { at: 10000, .. },
            }) if codec == "flipper" && input == "a.txt"
        ),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(msg.contains("round trip failed: flipper on a.txt"), "{msg}");
    assert!(msg.contains("byte 10000"), "{msg}");

    let list: CodecList = vec![Box::new(Broken)];
    let msg = bench(&inputs(), &list, &BenchOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("broken on a.txt: decompression failed"),
        "{msg}"
    );
}

/// Stores like [`Store`] under its own name and logs every call (`name c` for a
/// compression, `name d` for a decompression) to a log shared by several codecs; with
/// `fail_on` set, its decompression of that call number (counting its own
/// decompressions from 1) gives back a byte changed.
struct Logger {
    name: &'static str,
    log: std::rc::Rc<std::cell::RefCell<Vec<String>>>,
    fail_on: Option<usize>,
    decompressions: std::cell::Cell<usize>,
}

impl BenchCodec for Logger {
    fn name(&self) -> &str {
        self.name
    }
    fn compress(&self, input: &[u8]) -> Result<Vec<u8>> {
        self.log.borrow_mut().push(format!("{} c", self.name));
        Store.compress(input)
    }
    fn decompress(&self, packed: &[u8]) -> Result<Vec<u8>> {
        self.log.borrow_mut().push(format!("{} d", self.name));
        let mut v = Store.decompress(packed)?;
        let n = self.decompressions.get() + 1;
        self.decompressions.set(n);
        if self.fail_on == Some(n) {
            v[0] ^= 1;
        }
        Ok(v)
    }
}

fn loggers(
    fail: Option<(usize, usize)>,
) -> (CodecList, std::rc::Rc<std::cell::RefCell<Vec<String>>>) {
    let log = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let list: CodecList = ["x", "y", "z"]
        .into_iter()
        .enumerate()
        .map(|(i, name)| {
            Box::new(Logger {
                name,
                log: log.clone(),
                fail_on: fail.filter(|&(c, _)| c == i).map(|(_, n)| n),
                decompressions: std::cell::Cell::new(0),
            }) as Box<dyn BenchCodec>
        })
        .collect();
    (list, log)
}

/// One small input.
fn one_input() -> Vec<BenchInput> {
    vec![BenchInput {
        name: "a.txt".into(),
        data: text(1_000),
    }]
}

/// Options with `repeat` rounds.
fn rounds(repeat: u32) -> BenchOptions {
    BenchOptions {
        repeat,
        ..BenchOptions::default()
    }
}

#[test]
fn repeated_runs_go_in_rounds_of_every_codec_the_order_rotated() {
    let (list, log) = loggers(None);
    let (one, opts) = (one_input(), rounds(3));
    let rep = bench(&one, &list, &opts).unwrap();
    let calls: Vec<String> = log.borrow().clone();
    let expected: Vec<String> = ["x", "y", "z", "y", "z", "x", "z", "x", "y"]
        .iter()
        .flat_map(|c| [format!("{c} c"), format!("{c} d")])
        .collect();
    assert_eq!(calls, expected);
    // One row per codec, in the order the codecs were given, whatever the rounds.
    let names: Vec<&str> = rep.rows.iter().map(|r| r.codec.as_str()).collect();
    assert_eq!(names, ["x", "y", "z"]);
    assert!(rep.rows.iter().all(|r| r.compressed_bytes == 1_004));

    // One round without repeats, and a repeat of 0 counts as 1.
    for repeat in [0, 1] {
        let (list, log) = loggers(None);
        bench(&one, &list, &rounds(repeat)).unwrap();
        assert_eq!(log.borrow().len(), 6, "repeat {repeat}");
    }
}

#[test]
fn a_round_trip_that_fails_in_a_later_round_is_an_error() {
    let (one, opts) = (one_input(), rounds(3));
    // y's second decompression, in round 2.
    let (list, log) = loggers(Some((1, 2)));
    let err = bench(&one, &list, &opts).unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Corrupt(CorruptError::RoundTrip {
                codec,
                difference: Difference::Byte { at: 0, .. },
                ..
            }) if codec == "y"
        ),
        "{err:?}"
    );
    // Nothing ran after it.
    assert_eq!(log.borrow().last().map(String::as_str), Some("y d"));
    assert_eq!(log.borrow().len(), 8);
}

fn args(
    files: Vec<std::path::PathBuf>,
    format: OutputFormat,
    out: Option<std::path::PathBuf>,
) -> BenchArgs {
    BenchArgs {
        files,
        codecs: vec![],
        format,
        out,
        repeat: 2,
        threads: None,
        segment_size: None,
    }
}

#[test]
fn run_bench_writes_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("in.txt");
    std::fs::write(&f, text(5000)).unwrap();
    let out_dir = dir.path().join("report");
    let list: CodecList = vec![Box::new(Store)];
    for format in [OutputFormat::Table, OutputFormat::Csv, OutputFormat::Json] {
        let mut stdout = Vec::new();
        let rep = run_bench_with(
            &args(vec![f.clone()], format, Some(out_dir.clone())),
            &list,
            &mut stdout,
        )
        .unwrap();
        let s = String::from_utf8(stdout).unwrap();
        match format {
            OutputFormat::Table => assert_eq!(s, table::bench_markdown(&rep)),
            OutputFormat::Csv => assert_eq!(s, table::bench_csv(&rep)),
            OutputFormat::Json => assert_eq!(s, table::to_json(&rep)),
        }
    }
    for name in ["bench.md", "bench.csv", "bench.json"] {
        let s = std::fs::read_to_string(out_dir.join(name)).unwrap();
        assert!(s.contains("5004"), "{name}: {s}");
    }
}

#[test]
fn run_bench_fails_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("in.txt");
    std::fs::write(&f, text(5000)).unwrap();
    let out_dir = dir.path().join("report");
    let list: CodecList = vec![Box::new(Store), Box::new(Flipper)];
    let mut stdout = Vec::new();
    let err = run_bench_with(
        &args(vec![f], OutputFormat::Table, Some(out_dir.clone())),
        &list,
        &mut stdout,
    );
    assert!(
        matches!(err, Err(Error::Corrupt(CorruptError::RoundTrip { .. }))),
        "{err:?}"
    );
    assert!(stdout.is_empty(), "no table after a failed round trip");
    assert!(
        !out_dir.exists(),
        "no report files after a failed round trip"
    );

    let missing = dir.path().join("missing.txt");
    let msg = run_bench_with(
        &args(vec![missing], OutputFormat::Table, None),
        &list,
        &mut stdout,
    )
    .unwrap_err()
    .to_string();
    assert!(msg.contains("missing.txt"), "{msg}");
}

#[test]
fn codec_names_resolve() {
    let names = |list: &[&str]| {
        let list: Vec<String> = list.iter().map(|s| s.to_string()).collect();
        resolve_codecs(&list)
            .map(|(c, _)| c.iter().map(|c| c.name().to_string()).collect::<Vec<_>>())
    };
    let default = names(&["default"]).unwrap();
    assert_eq!(default[..3], ["nn-fast", "nn-default", "lzw"]);
    assert!(!default.contains(&"nn-max".to_string()));
    assert!(names(&["all"]).unwrap().contains(&"nn-max".to_string()));
    assert_eq!(
        names(&["core-fast", "core-fast", "nn-max"]).unwrap(),
        ["core-fast", "nn-max"]
    );
    assert_eq!(names(&["nn"]).unwrap(), ["nn-fast", "nn-default", "nn-max"]);
    assert!(names(&["gzipp"])
        .unwrap_err()
        .to_string()
        .contains("unknown codec"));
    assert!(names(&[]).is_err());
}

/// Every external tool on PATH gives a verified row that beats storing; every one
/// missing is named as skipped, and naming it explicitly is an error.
#[test]
fn external_tools_on_path_give_rows() {
    let input = [BenchInput {
        name: "a.txt".into(),
        data: text(20_000),
    }];
    let (_, skipped) = resolve_codecs(&["lzw".to_string(), "external".to_string()]).unwrap();
    for spec in &EXTERNAL {
        let Some(codec) = ExternalCodec::find(spec) else {
            eprintln!(
                "skipping {}: none of {:?} is on PATH",
                spec.key, spec.programs
            );
            assert!(skipped.iter().any(|s| s == spec.key), "{}", spec.key);
            let err = match resolve_codecs(&[spec.key.to_string()]) {
                Ok(_) => panic!("{} resolved without being on PATH", spec.key),
                Err(e) => e.to_string(),
            };
            assert!(err.contains("not found on PATH"), "{err}");
            continue;
        };
        let codecs: CodecList = vec![Box::new(codec)];
        let rep = bench(&input, &codecs, &BenchOptions::default())
            .unwrap_or_else(|e| panic!("{}: {e}", spec.key));
        let r = &rep.rows[0];
        assert_eq!(r.codec, spec.label);
        assert!(r.compressed_bytes < 20_000 / 2, "{r:?}");
        assert_eq!(r.peak_memory_source, "child");
        eprintln!("{}: {} bytes", spec.label, r.compressed_bytes);
    }
}

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(clap::Subcommand)]
enum Cmd {
    Bench(BenchArgs),
    Sweep(SweepArgs),
}

#[test]
fn command_line_flags() {
    let cli = Cli::try_parse_from([
        "nnzip",
        "bench",
        "x",
        "y",
        "--codecs",
        "core-fast,gzip",
        "--format",
        "csv",
        "--out",
        "d",
    ])
    .unwrap();
    let Cmd::Bench(b) = cli.cmd else {
        panic!("not bench")
    };
    assert_eq!(b.files.len(), 2);
    assert_eq!(b.codecs, ["core-fast", "gzip"]);
    assert_eq!(b.format, OutputFormat::Csv);
    assert_eq!(b.out.as_deref(), Some(std::path::Path::new("d")));
    assert_eq!(b.repeat, 1);

    let Cmd::Bench(b) = Cli::try_parse_from(["nnzip", "bench", "x"]).unwrap().cmd else {
        panic!()
    };
    assert_eq!(b.codecs, ["default"]);
    assert_eq!(b.format, OutputFormat::Table);
    assert!(
        Cli::try_parse_from(["nnzip", "bench"]).is_err(),
        "a file is required"
    );

    let Cmd::Sweep(s) = Cli::try_parse_from(["nnzip", "sweep", "f"]).unwrap().cmd else {
        panic!()
    };
    assert_eq!(s.hidden, [16, 32, 64, 128, 256]);
    assert_eq!(s.layers, [1, 2]);
    assert_eq!(s.activation, [Activation::Relu, Activation::Linear]);
    assert_eq!(s.preset, Preset::Default);
    assert_eq!(s.window, 16_384);
    assert_eq!(s.out, std::path::PathBuf::from("sweep-out"));

    let Cmd::Sweep(s) = Cli::try_parse_from([
        "nnzip",
        "sweep",
        "f",
        "--hidden",
        "8,24",
        "--layers",
        "2",
        "--activation",
        "leaky",
        "--preset",
        "fast",
        "--window",
        "100",
        "--out",
        "o",
        "--max-bytes",
        "1000",
    ])
    .unwrap()
    .cmd
    else {
        panic!()
    };
    assert_eq!(
        (s.hidden, s.layers, s.activation),
        (vec![8, 24], vec![2], vec![Activation::LeakyRelu])
    );
    assert_eq!(
        (s.preset, s.window, s.max_bytes),
        (Preset::Fast, 100, Some(1000))
    );
    assert!(Cli::try_parse_from(["nnzip", "sweep", "f", "--activation", "softplus"]).is_err());
    let Cmd::Sweep(s) =
        Cli::try_parse_from(["nnzip", "sweep", "f", "--activation", "tanh,sigmoid"])
            .unwrap()
            .cmd
    else {
        panic!()
    };
    assert_eq!(s.activation, vec![Activation::Tanh, Activation::Sigmoid]);
}

/// `--out` draws bench.svg: one panel per file, every codec's label on it, the time axis
/// relative to xz -9e where xz is on PATH and in seconds where it is not.
#[test]
fn run_bench_draws_the_plot() {
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<std::path::PathBuf> = ["first.txt", "second.txt"]
        .iter()
        .map(|n| {
            let f = dir.path().join(n);
            std::fs::write(&f, text(8000)).unwrap();
            f
        })
        .collect();
    let out_dir = dir.path().join("report");
    let mut list: CodecList = vec![
        Box::new(Store),
        Box::new(CoreCodec::preset(Preset::Fast)),
        Box::new(nnzip::bench::ApiCodec::lzw()),
    ];
    let xz = nnzip::bench::external::spec("xz").and_then(ExternalCodec::find);
    let with_xz = xz.is_some();
    list.extend(xz.map(|c| Box::new(c) as Box<dyn BenchCodec>));
    for spec in EXTERNAL
        .iter()
        .filter(|s| s.key == "gzip" || s.key == "bzip2")
    {
        if let Some(c) = ExternalCodec::find(spec) {
            list.push(Box::new(c));
        }
    }
    let rep = run_bench_with(
        &args(files, OutputFormat::Table, Some(out_dir.clone())),
        &list,
        &mut Vec::new(),
    )
    .unwrap();
    let svg = std::fs::read_to_string(out_dir.join("bench.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    // The contents of the text elements (none of the names needs escaping).
    let texts: Vec<&str> = svg
        .split("<text")
        .skip(1)
        .filter_map(|t| t.split_once('>')?.1.split_once("</text>"))
        .map(|(t, _)| t.trim())
        .collect();
    let count = |s: &str| texts.iter().filter(|t| **t == s).count();
    for c in &list {
        assert_eq!(count(c.name()), 2, "{} once per panel: {texts:?}", c.name());
    }
    for f in ["first.txt", "second.txt"] {
        let caption = format!("Bits per byte vs compression time: {f} (8000 bytes)");
        assert_eq!(count(&caption), 1, "{caption}: {texts:?}");
    }
    for r in &rep.rows {
        assert_eq!(r.compress_vs_xz.is_some(), with_xz, "{r:?}");
        assert_eq!(r.decompress_vs_xz.is_some(), with_xz, "{r:?}");
        if r.codec == "xz -9e" {
            assert_eq!(r.compress_vs_xz, Some(1.0));
        }
    }
    let axis = if with_xz {
        "compression time as a multiple of xz -9e, same run (log scale)"
    } else {
        "compression time in seconds (log scale; xz -9e was not run)"
    };
    assert_eq!(count(axis), 2, "{axis}: {texts:?}");
}
