//! End-to-end benchmark tables (`nnzip bench`) and model-size sweeps with SVG plots
//! (`nnzip sweep`).
//!
//! `bench` runs every codec on the same bytes, nnzip's own in this process through the
//! public API and the usual compressors as child processes, verifies every round trip
//! and reports sizes, bits per byte, speeds and peak memory. `sweep` runs the neural
//! core over a grid of model sizes and activations and draws what it found.
//!
//! The measuring core works on a list of [`BenchCodec`]s given by the caller, so that
//! it can be tested (and extended) without any tool on `PATH`.

pub mod codec;
pub mod external;
pub mod measure;
pub mod plot;
pub mod sweep;
pub mod table;
pub mod threads;

pub use codec::{ApiCodec, BenchCodec, CoreCodec};
pub use external::ExternalCodec;
pub use sweep::SweepGrid;
pub use table::{BenchReport, BenchRow, SweepBaseline, SweepPoint, SweepReport};

use crate::error::{ConfigError, CorruptError, Difference, Error, Result};
use crate::model::{Activation, Preset};
use indicatif::{ProgressBar, ProgressStyle};
use measure::{timed, MachineInfo};
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How `nnzip bench` prints its results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum OutputFormat {
    /// A Markdown table with the command, machine and date above it.
    #[default]
    Table,
    /// CSV with a header line.
    Csv,
    /// JSON with the rows and their context.
    Json,
}

/// Benchmark nnzip against its LZW and the usual compressors: one row per file and
/// codec (size, bits per byte, ratio, speed both ways, peak memory), every round trip
/// verified. Prints a Markdown table with the command, machine and date.
#[derive(Debug, Clone, clap::Args)]
pub struct BenchArgs {
    /// Files to benchmark.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,

    /// Codecs to run, comma-separated: nn-fast, nn-default, nn-max, lzw (nnzip's own),
    /// core-fast, core-default, core-max (the neural core without container),
    /// compress, gzip, bzip2, xz, zstd, 7z, bsc, zpaq, lpaq1, mcm (external, run as
    /// gzip -9, bzip2 -9, xz -9e, zstd -19, 7-Zip's PPMd order 10 from 7zz or 7z, bsc,
    /// zpaq -m5, lpaq1 9, mcm -x9), or the groups `default`, `all`, `nn`, `external`.
    /// `default` is nn-fast, nn-default, lzw and every external tool found on PATH;
    /// nn-max is left out of it because it is slow and needs much memory (`all` adds
    /// it).
    #[arg(long, value_delimiter = ',', default_value = "default")]
    pub codecs: Vec<String>,

    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,

    /// Also write bench.md, bench.csv, bench.json and bench.svg into this directory.
    /// bench.svg plots bits per byte against compression time as a multiple of xz
    /// -9e's (seconds where xz did not run), one panel per file, every codec labelled.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Run each compression and decompression this many times and report the fastest:
    /// in N rounds, each running every codec once, the order rotated by one each round
    /// (so that the machine's drift falls on every codec alike).
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub repeat: u32,

    /// Instead of the codec table, show how nnzip scales with threads: each file is
    /// compressed and decompressed with every thread count of LIST (e.g. 1,2,4; 0 =
    /// one per core) by the nn presets in --codecs (nn-fast if none), with the wall
    /// times relative to the first count; fails if a count changes the output.
    #[arg(long, value_delimiter = ',', value_name = "LIST")]
    pub threads: Option<Vec<usize>>,

    /// Segment length for --threads, as `compress --segment-size` takes it: bytes, or
    /// with a binary suffix (512K, 8M, 16MiB) [default: 16 MiB].
    #[arg(long, value_name = "SIZE", requires = "threads", value_parser = crate::size::parse_size)]
    pub segment_size: Option<u64>,
}

/// What `--baseline` of `nnzip sweep` compares with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum BaselineChoice {
    /// nnzip's LZW (16-bit codes, as `compress` writes them).
    #[default]
    Lzw,
    /// The external `compress` program.
    Compress,
    /// No baseline.
    None,
}

/// Sweep model sizes on one file: every combination of --hidden, --layers and
/// --activation (the rest from --preset) codes the file once; prints a table (bpc,
/// speed, parameters, active fraction and dead hidden units) and writes CSV, JSON and
/// SVG plots (bpc vs size, bpc vs speed, learning curve) to --out. Each point takes as
/// long as compressing the file: use --max-bytes for quick looks.
#[derive(Debug, Clone, clap::Args)]
pub struct SweepArgs {
    /// File to run the sweep on.
    pub file: PathBuf,

    /// Hidden widths to try, comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = [16u16, 32, 64, 128, 256])]
    pub hidden: Vec<u16>,

    /// Hidden layer counts to try, comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = [1u8, 2])]
    pub layers: Vec<u8>,

    /// Activations to try, comma-separated (relu, linear, leaky, tanh, sigmoid): relu
    /// against linear shows what the non-linearity buys.
    #[arg(long, value_delimiter = ',', value_parser = parse_activation,
          default_values = ["relu", "linear"])]
    pub activation: Vec<Activation>,

    /// Preset (fast, default, max) that gives every other setting.
    #[arg(long, value_name = "BASE", value_parser = parse_preset, default_value = "default")]
    pub preset: Preset,

    /// Window of the learning curve in bytes.
    #[arg(long, default_value_t = 16_384, value_name = "BYTES")]
    pub window: usize,

    /// Directory for sweep.csv, curve.csv, sweep.json, sweep.md and the SVG plots.
    #[arg(long, value_name = "DIR", default_value = "sweep-out")]
    pub out: PathBuf,

    /// Use only the first BYTES bytes of the file.
    #[arg(long, value_name = "BYTES")]
    pub max_bytes: Option<u64>,

    /// Also decode every configuration's output and compare it with the input.
    #[arg(long)]
    pub verify: bool,

    /// What to compare with.
    #[arg(long, value_enum, default_value_t = BaselineChoice::Lzw)]
    pub baseline: BaselineChoice,

    /// Run nothing: FILE is a sweep.json written earlier; print its table and draw its
    /// plots again into --out.
    #[arg(long)]
    pub replot: bool,
}

fn parse_activation(s: &str) -> std::result::Result<Activation, String> {
    Activation::from_name(s)
        .ok_or_else(|| format!("unknown activation {s:?} (relu, linear, leaky, tanh, sigmoid)"))
}

fn parse_preset(s: &str) -> std::result::Result<Preset, String> {
    Preset::from_name(s).ok_or_else(|| format!("unknown preset {s:?} (fast, default, max)"))
}

/// Codecs to benchmark, in table order.
pub type CodecList = Vec<Box<dyn BenchCodec>>;

/// The codec names `--codecs` accepts one by one, in table order.
pub const CODEC_NAMES: [&str; 17] = [
    "nn-fast",
    "nn-default",
    "nn-max",
    "core-fast",
    "core-default",
    "core-max",
    "lzw",
    "compress",
    "gzip",
    "bzip2",
    "xz",
    "zstd",
    "7z",
    "bsc",
    "zpaq",
    "lpaq1",
    "mcm",
];

/// Turns `--codecs` names into codecs. Group names expand in place; external tools a
/// group names but PATH lacks are skipped and returned as the second value.
///
/// # Errors
/// [`Error::InvalidConfig`] for an unknown name, an explicitly named tool missing from
/// PATH, or an empty selection.
pub fn resolve_codecs(names: &[String]) -> Result<(CodecList, Vec<String>)> {
    let externals: Vec<&str> = external::EXTERNAL.iter().map(|s| s.key).collect();
    let mut wanted: Vec<(String, bool)> = Vec::new(); // (name, explicitly named)
    for n in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        let group: Option<Vec<&str>> = match n {
            "default" => Some([&["nn-fast", "nn-default", "lzw"][..], &externals].concat()),
            "all" => Some([&["nn-fast", "nn-default", "nn-max", "lzw"][..], &externals].concat()),
            "nn" => Some(vec!["nn-fast", "nn-default", "nn-max"]),
            "external" => Some(externals.clone()),
            _ => None,
        };
        match group {
            Some(g) => wanted.extend(g.into_iter().map(|n| (n.to_string(), false))),
            None if CODEC_NAMES.contains(&n) => wanted.push((n.to_string(), true)),
            None => {
                return Err(Error::InvalidConfig(ConfigError::UnknownBenchCodec {
                    name: n.to_string(),
                    known: CODEC_NAMES.iter().map(|c| c.to_string()).collect(),
                }))
            }
        }
    }
    let mut seen = Vec::new();
    let mut codecs: CodecList = Vec::new();
    let mut skipped = Vec::new();
    for (name, explicit) in wanted {
        if seen.contains(&name) {
            continue;
        }
        seen.push(name.clone());
        if let Some(p) = name.strip_prefix("nn-").and_then(Preset::from_name) {
            codecs.push(Box::new(ApiCodec::preset(p)));
        } else if let Some(p) = name.strip_prefix("core-").and_then(Preset::from_name) {
            codecs.push(Box::new(CoreCodec::preset(p)));
        } else if name == "lzw" {
            codecs.push(Box::new(ApiCodec::lzw()));
        } else if let Some(spec) = external::spec(&name) {
            match ExternalCodec::find(spec) {
                Some(c) => codecs.push(Box::new(c)),
                None if explicit => {
                    return Err(Error::InvalidConfig(ConfigError::CodecNotFound(name)))
                }
                None => skipped.push(name),
            }
        }
    }
    if codecs.is_empty() {
        return Err(Error::InvalidConfig(ConfigError::NoCodec));
    }
    Ok((codecs, skipped))
}

/// One input of a benchmark: a name for the table and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BenchInput {
    /// Name shown in the file column.
    pub name: String,
    /// The bytes to compress.
    pub data: Vec<u8>,
}

/// Settings of [`bench()`] that are not the inputs and codecs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BenchOptions {
    /// Rounds of runs (every codec once per round); each codec's fastest counts.
    pub repeat: u32,
    /// The command line recorded in the report.
    pub command: String,
    /// Whether to draw a progress bar on stderr.
    pub progress: bool,
}

impl Default for BenchOptions {
    fn default() -> Self {
        BenchOptions {
            repeat: 1,
            command: "nnzip bench".into(),
            progress: false,
        }
    }
}

fn progress_bar(len: u64, show: bool, template: &str) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::new(len);
    if let Ok(style) = ProgressStyle::with_template(template) {
        pb.set_style(style.progress_chars("=> "));
    }
    pb.enable_steady_tick(Duration::from_millis(200));
    pb
}

/// Wraps a codec's failure with the codec, file and direction it happened in.
fn context(codec: &str, file: &str, what: &str, e: Error) -> Error {
    Error::Io(std::io::Error::other(format!(
        "{codec} on {file}: {what} failed: {e}"
    )))
}

/// The first difference of the input `a` and the decoded `b`.
fn first_difference(a: &[u8], b: &[u8]) -> Difference {
    match a.iter().zip(b).position(|(x, y)| x != y) {
        Some(at) => Difference::Byte {
            at,
            decoded: b[at],
            original: a[at],
        },
        None => Difference::Length {
            decoded: b.len(),
            original: a.len(),
        },
    }
}

/// One compression and decompression of one input by one codec.
struct Run {
    /// Compressed length.
    packed_len: u64,
    /// Wall time of the compression and of the decompression, seconds.
    secs: (f64, f64),
    /// The larger peak memory of the two, where known.
    peak: Option<u64>,
}

impl Run {
    /// Keeps the faster time of each direction and the larger peak of `self` and
    /// `other` (the same codec on the same input, so the same output).
    fn absorb(&mut self, other: Run) {
        self.secs = (self.secs.0.min(other.secs.0), self.secs.1.min(other.secs.1));
        self.peak = larger_peak(self.peak, other.peak);
    }
}

/// The larger of two peak memories, or the one that is known.
fn larger_peak(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

/// Compresses `data` with `codec`, decompresses the result and checks that it gives
/// `data` back, timing both directions.
fn run_once(codec: &dyn BenchCodec, file: &str, data: &[u8], pb: &ProgressBar) -> Result<Run> {
    let name = codec.name();
    pb.set_message(format!("{name} compressing {file}"));
    let peak_known = codec.in_process() && measure::reset_peak_rss();
    let ((packed, child_c), csecs) = timed(|| codec.compress_with_peak(data))
        .map_err(|e| context(name, file, "compression", e))?;
    let peak_c = if codec.in_process() {
        measure::peak_rss_bytes().filter(|_| peak_known)
    } else {
        child_c
    };
    pb.set_message(format!("{name} decompressing {file}"));
    let peak_known = codec.in_process() && measure::reset_peak_rss();
    let ((unpacked, child_d), dsecs) = timed(|| codec.decompress_with_peak(&packed))
        .map_err(|e| context(name, file, "decompression", e))?;
    let peak_d = if codec.in_process() {
        measure::peak_rss_bytes().filter(|_| peak_known)
    } else {
        child_d
    };
    if unpacked != data {
        return Err(Error::Corrupt(CorruptError::RoundTrip {
            codec: name.to_string(),
            input: file.to_string(),
            difference: first_difference(data, &unpacked),
        }));
    }
    Ok(Run {
        packed_len: packed.len() as u64,
        secs: (csecs, dsecs),
        peak: larger_peak(peak_c, peak_d),
    })
}

/// The order in which round `round` (from 0) runs `n` codecs: all of them, starting
/// `round` places further along than round 0 and wrapping around, so that no codec
/// always runs right after the same one.
fn round_order(round: usize, n: usize) -> impl Iterator<Item = usize> {
    (0..n).map(move |k| (k + round) % n.max(1))
}

/// Runs every codec on every input: compression, decompression, round-trip check.
///
/// With `repeat` above 1 the runs are interleaved: each round runs every codec once
/// (compression, then decompression), the order rotated by one codec each round, and
/// a row keeps its codec's fastest time of each direction over the rounds. This
/// machine's speed drifts by 30% and more within minutes; in rounds the drift falls on
/// every codec alike instead of on whichever ran during a slow phase, which keeps the
/// times relative to `xz -9e` steadier.
///
/// # Errors
/// The first failure of a codec, and [`Error::Corrupt`] for the first round trip that
/// does not give back the input (in any round): a failed round trip is never a row.
pub fn bench(
    inputs: &[BenchInput],
    codecs: &[Box<dyn BenchCodec>],
    opts: &BenchOptions,
) -> Result<BenchReport> {
    let rounds = opts.repeat.max(1) as usize;
    let pb = progress_bar(
        (inputs.len() * codecs.len() * rounds) as u64,
        opts.progress,
        "{spinner} [{elapsed_precise}] [{bar:30}] {pos}/{len} {wide_msg}",
    );
    let mut rows = Vec::new();
    for input in inputs {
        let first_row = rows.len();
        let file = input.name.as_str();
        let data = &input.data[..];
        let mut model_mem = Vec::with_capacity(codecs.len());
        for codec in codecs {
            let mem = codec
                .model_memory(data.len() as u64)
                .map_err(|e| context(codec.name(), file, "building the model", e))?;
            model_mem.push(mem);
        }
        let mut measure = |i: usize| {
            run_once(codecs[i].as_ref(), file, data, &pb)
                .inspect(|_| pb.inc(1))
                .inspect_err(|_| pb.finish_and_clear())
        };
        // Round 0 in the codecs' order, then the other rounds rotated.
        let mut best = (0..codecs.len())
            .map(&mut measure)
            .collect::<Result<Vec<Run>>>()?;
        for round in 1..rounds {
            for i in round_order(round, codecs.len()) {
                best[i].absorb(measure(i)?);
            }
        }
        for ((codec, run), mem) in codecs.iter().zip(best).zip(model_mem) {
            rows.push(BenchRow::new(
                codec.name(),
                file,
                data.len() as u64,
                run.packed_len,
                run.secs.0,
                run.secs.1,
                run.peak,
                if codec.in_process() {
                    "process"
                } else {
                    "child"
                },
                mem,
            ));
        }
        table::fill_vs_reference(&mut rows[first_row..]);
    }
    pb.finish_and_clear();
    Ok(BenchReport {
        command: opts.command.clone(),
        machine: MachineInfo::current(),
        date: measure::utc_now(),
        notes: table::REPORT_NOTES.into(),
        rows,
    })
}

/// Reads a file, naming it in the error.
fn read_file(path: &Path, limit: Option<u64>) -> Result<Vec<u8>> {
    let with_path = |e: std::io::Error| {
        Error::Io(std::io::Error::new(
            e.kind(),
            format!("{}: {e}", path.display()),
        ))
    };
    let f = std::fs::File::open(path).map_err(with_path)?;
    let mut data = Vec::new();
    f.take(limit.unwrap_or(u64::MAX))
        .read_to_end(&mut data)
        .map_err(with_path)?;
    Ok(data)
}

/// Writes `text` to `dir/name`, naming the file in the error.
fn write_file(dir: &Path, name: &str, text: &str) -> Result<PathBuf> {
    let p = dir.join(name);
    std::fs::write(&p, text).map_err(|e| {
        Error::Io(std::io::Error::new(
            e.kind(),
            format!("{}: {e}", p.display()),
        ))
    })?;
    Ok(p)
}

fn create_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| {
        Error::Io(std::io::Error::new(
            e.kind(),
            format!("{}: {e}", dir.display()),
        ))
    })
}

/// `nnzip bench` with the codecs given: reads the files, measures, prints the report in
/// `args.format` to `out` and, with `args.out`, writes it into that directory.
///
/// # Errors
/// Any failure to read a file, run a codec, verify a round trip or write the output.
pub fn run_bench_with(
    args: &BenchArgs,
    codecs: &[Box<dyn BenchCodec>],
    out: &mut dyn Write,
) -> Result<BenchReport> {
    let inputs = args
        .files
        .iter()
        .map(|p| {
            Ok(BenchInput {
                name: p.display().to_string(),
                data: read_file(p, None)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let opts = BenchOptions {
        repeat: args.repeat,
        command: measure::command_line(),
        progress: std::io::stderr().is_terminal(),
    };
    let report = bench(&inputs, codecs, &opts)?;
    let text = match args.format {
        OutputFormat::Table => table::bench_markdown(&report),
        OutputFormat::Csv => table::bench_csv(&report),
        OutputFormat::Json => table::to_json(&report),
    };
    out.write_all(text.as_bytes())?;
    out.flush()?;
    if let Some(dir) = &args.out {
        create_dir(dir)?;
        write_file(dir, "bench.md", &table::bench_markdown(&report))?;
        write_file(dir, "bench.csv", &table::bench_csv(&report))?;
        write_file(dir, "bench.json", &table::to_json(&report))?;
        plot::bench_plot(&report, &dir.join("bench.svg"))?;
    }
    Ok(report)
}

/// Runs `nnzip bench`, printing its table to stdout.
///
/// # Errors
/// Any failure to read a file, run a codec or verify a round trip.
pub fn run_bench(args: &BenchArgs) -> Result<()> {
    if let Some(counts) = &args.threads {
        let segment_len = crate::format::check_segment_len(
            args.segment_size
                .unwrap_or(u64::from(crate::format::DEFAULT_SEGMENT_LEN)),
        )?;
        return threads::run(
            &args.files,
            &args.codecs,
            counts,
            segment_len,
            &mut std::io::stdout().lock(),
        );
    }
    let (codecs, skipped) = resolve_codecs(&args.codecs)?;
    for s in skipped {
        eprintln!("nnzip bench: {s} is not on PATH, skipped");
    }
    run_bench_with(args, &codecs, &mut std::io::stdout().lock()).map(|_| ())
}

/// The baseline `choice` asks for; `None` (with a note on stderr) if it is the
/// external `compress` and that is not on `PATH`.
fn pick_baseline(choice: BaselineChoice) -> Option<Box<dyn BenchCodec>> {
    match choice {
        BaselineChoice::None => None,
        BaselineChoice::Lzw => Some(Box::new(ApiCodec::lzw())),
        BaselineChoice::Compress => {
            let c = external::spec("compress")
                .and_then(ExternalCodec::find)
                .map(|c| Box::new(c) as Box<dyn BenchCodec>);
            if c.is_none() {
                eprintln!("nnzip sweep: compress is not on PATH; no baseline");
            }
            c
        }
    }
}

/// `nnzip sweep` with the baseline given: runs the grid, prints the table to `out` and
/// writes the CSV, JSON, Markdown and SVG files into `args.out`.
///
/// # Errors
/// Any failure to read the file, run a model or the baseline, or write the outputs.
pub fn run_sweep_with(
    args: &SweepArgs,
    baseline: Option<&dyn BenchCodec>,
    out: &mut dyn Write,
) -> Result<SweepReport> {
    if args.replot {
        let text = std::fs::read_to_string(&args.file).map_err(|e| {
            Error::Io(std::io::Error::new(
                e.kind(),
                format!("{}: {e}", args.file.display()),
            ))
        })?;
        let report: SweepReport = serde_json::from_str(&text).map_err(|e| {
            Error::InvalidConfig(ConfigError::NotSweepJson {
                path: args.file.clone(),
                reason: e.to_string(),
            })
        })?;
        write_sweep(&report, &args.out, out)?;
        return Ok(report);
    }
    if args.window == 0 {
        return Err(Error::InvalidConfig(ConfigError::ZeroWindow));
    }
    let grid = SweepGrid {
        base: args.preset,
        hidden: args.hidden.clone(),
        layers: args.layers.clone(),
        activations: args.activation.clone(),
    };
    let configs = grid.configs()?;
    let data = read_file(&args.file, args.max_bytes)?;
    let n = data.len() as u64;
    let show = std::io::stderr().is_terminal();
    let pb = progress_bar(
        n * configs.len() as u64,
        show,
        "{spinner} [{elapsed_precise}] [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {wide_msg}",
    );
    let mut points = Vec::with_capacity(configs.len());
    for (i, cfg) in configs.iter().enumerate() {
        let point = sweep::run_point(&data, cfg, args.window, args.verify, &mut |bytes, p| {
            pb.inc(bytes);
            pb.set_message(format!(
                "{}/{} {}: {:.3} bpc",
                i + 1,
                configs.len(),
                sweep::point_label(p),
                p.bits_per_byte
            ));
        })?;
        points.push(point);
    }
    let baseline = match baseline {
        Some(c) => {
            pb.set_message(format!("baseline {}", c.name()));
            Some(sweep::run_baseline(c, &data, args.window, 64)?)
        }
        None => None,
    };
    pb.finish_and_clear();
    let report = SweepReport {
        command: measure::command_line(),
        machine: MachineInfo::current(),
        date: measure::utc_now(),
        file: args.file.display().to_string(),
        bytes: n,
        window: args.window as u64,
        base_preset: args.preset.name().into(),
        points,
        baseline,
    };
    write_sweep(&report, &args.out, out)?;
    Ok(report)
}

/// Prints a sweep's table to `out` and writes its files into `dir`.
fn write_sweep(report: &SweepReport, dir: &Path, out: &mut dyn Write) -> Result<()> {
    let md = table::sweep_markdown(report);
    out.write_all(md.as_bytes())?;
    out.flush()?;
    create_dir(dir)?;
    write_file(dir, "sweep.md", &md)?;
    write_file(dir, "sweep.csv", &table::sweep_csv(report))?;
    write_file(dir, "curve.csv", &table::curve_csv(report))?;
    write_file(dir, "sweep.json", &table::to_json(report))?;
    plot::bpc_vs_size(report, &dir.join("bpc_vs_size.svg"))?;
    plot::bpc_vs_speed(report, &dir.join("bpc_vs_speed.svg"))?;
    plot::learning_curve(report, &dir.join("learning_curve.svg"))?;
    Ok(())
}

/// Runs `nnzip sweep`, printing its table and writing plots.
///
/// # Errors
/// Any failure to read the file, run a model or write the plots.
pub fn run_sweep(args: &SweepArgs) -> Result<()> {
    let baseline = if args.replot {
        None
    } else {
        pick_baseline(args.baseline)
    };
    run_sweep_with(args, baseline.as_deref(), &mut std::io::stdout().lock())?;
    eprintln!(
        "nnzip sweep: wrote sweep.csv, curve.csv, sweep.json, sweep.md, bpc_vs_size.svg, \
bpc_vs_speed.svg and learning_curve.svg to {}",
        args.out.display()
    );
    Ok(())
}
