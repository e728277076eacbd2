//! The results of `nnzip bench` and `nnzip sweep` and their renderings: a Markdown
//! table for people, CSV for spreadsheets, JSON (with the run's context) for programs.

use super::measure::MachineInfo;
use crate::progress::bits_per_byte;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

/// How to read a [`BenchReport`]'s columns, stated in every report.
pub const REPORT_NOTES: &str = "bpc = 8 * compressed / original; ratio = original / \
compressed; MB/s = 10^6 original bytes per second, wall clock, best of the runs (external \
tools: the whole process, start-up included). peak MiB: external tools: the child \
process's maximum resident set size (GNU time %M); nnzip rows: this process's peak \
resident set size (VmHWM, reset before each run), which includes the benchmark's own \
copies of input and output; the larger of compression and decompression. model MiB: \
the model's own memory (memory_bytes()). time vs xz -9e, dec vs xz: the row's \
compression (decompression) wall time divided by xz -9e's on the same file in the same \
run, `-` where xz was not run. Every row's round trip was verified.";

/// One codec on one file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenchRow {
    /// Codec name (`nn-fast`, `gzip -9`, ...).
    pub codec: String,
    /// File name as given.
    pub file: String,
    /// Original size in bytes.
    pub original_bytes: u64,
    /// Compressed size in bytes, everything the codec wrote.
    pub compressed_bytes: u64,
    /// Bits per original byte: `8 * compressed / original`.
    pub bits_per_byte: f64,
    /// `original / compressed`.
    pub ratio: f64,
    /// Compression speed in 10^6 original bytes per second.
    pub compress_mb_s: f64,
    /// Decompression speed in 10^6 original bytes per second.
    pub decompress_mb_s: f64,
    /// Compression wall time in seconds (best of the runs).
    pub compress_secs: f64,
    /// Decompression wall time in seconds (best of the runs).
    pub decompress_secs: f64,
    /// Compression time as a multiple of [`REFERENCE_CODEC`]'s on the same file in the
    /// same run; `None` where that codec was not run (see [`fill_vs_reference`]).
    pub compress_vs_xz: Option<f64>,
    /// Decompression time as a multiple of [`REFERENCE_CODEC`]'s, as
    /// [`BenchRow::compress_vs_xz`].
    pub decompress_vs_xz: Option<f64>,
    /// Peak resident memory in bytes, see [`BenchRow::peak_memory_source`].
    pub peak_memory_bytes: Option<u64>,
    /// `child` (the external process's own peak) or `process` (this process's peak).
    pub peak_memory_source: &'static str,
    /// Memory of the codec's model in bytes, where it has one.
    pub model_memory_bytes: Option<u64>,
}

impl BenchRow {
    /// A row with the derived figures (bpc, ratio, speeds) computed from the measured
    /// ones. The times relative to [`REFERENCE_CODEC`] are left `None`:
    /// [`fill_vs_reference`] sets them once all rows of a file are known.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        codec: &str,
        file: &str,
        original: u64,
        compressed: u64,
        compress_secs: f64,
        decompress_secs: f64,
        peak: Option<u64>,
        peak_source: &'static str,
        model_memory: Option<u64>,
    ) -> Self {
        BenchRow {
            codec: codec.into(),
            file: file.into(),
            original_bytes: original,
            compressed_bytes: compressed,
            bits_per_byte: bits_per_byte(compressed, original),
            ratio: if compressed == 0 {
                0.0
            } else {
                original as f64 / compressed as f64
            },
            compress_mb_s: super::measure::mb_per_s(original, compress_secs),
            decompress_mb_s: super::measure::mb_per_s(original, decompress_secs),
            compress_secs,
            decompress_secs,
            compress_vs_xz: None,
            decompress_vs_xz: None,
            peak_memory_bytes: peak,
            peak_memory_source: peak_source,
            model_memory_bytes: model_memory,
        }
    }
}

/// The codec (table name) that times are compared with: `xz -9e`. Absolute speeds on a
/// shared machine drift by tens of percent between runs; the ratio of two times
/// measured in the same run drifts much less.
pub const REFERENCE_CODEC: &str = "xz -9e";

/// `secs` as a multiple of `reference_secs`; `None` unless both are finite and the
/// reference is positive.
pub fn time_ratio(secs: f64, reference_secs: f64) -> Option<f64> {
    (secs.is_finite() && secs >= 0.0 && reference_secs.is_finite() && reference_secs > 0.0)
        .then(|| secs / reference_secs)
}

/// Sets [`BenchRow::compress_vs_xz`] and [`BenchRow::decompress_vs_xz`] of the rows of
/// one file (`rows` must all come from the same input of the same run) from the
/// [`REFERENCE_CODEC`] row among them; all `None` where there is no such row.
pub fn fill_vs_reference(rows: &mut [BenchRow]) {
    let reference = rows
        .iter()
        .find(|r| r.codec == REFERENCE_CODEC)
        .map(|r| (r.compress_secs, r.decompress_secs));
    for r in rows {
        (r.compress_vs_xz, r.decompress_vs_xz) = match reference {
            Some((c, d)) => (
                time_ratio(r.compress_secs, c),
                time_ratio(r.decompress_secs, d),
            ),
            None => (None, None),
        };
    }
}

/// Everything `nnzip bench` measured, with its context.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenchReport {
    /// The command that produced the report.
    pub command: String,
    /// The machine it ran on.
    pub machine: MachineInfo,
    /// When it ran (UTC).
    pub date: String,
    /// How to read the memory, ratio and speed columns.
    pub notes: String,
    /// One row per file and codec, files in the order given, codecs in the order given.
    pub rows: Vec<BenchRow>,
}

/// Column names of the bench table, the same in Markdown and CSV.
pub const BENCH_COLUMNS: [&str; 12] = [
    "codec",
    "file",
    "original",
    "compressed",
    "bpc",
    "ratio",
    "comp MB/s",
    "decomp MB/s",
    "time vs xz -9e",
    "dec vs xz",
    "peak MiB",
    "model MiB",
];

fn mib(b: Option<u64>) -> String {
    b.map_or_else(|| "-".into(), |b| format!("{:.1}", b as f64 / 1048576.0))
}

fn speed(v: f64) -> String {
    if !v.is_finite() {
        "-".into()
    } else if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.4}")
    }
}

/// A time ratio for the table: `14.4×`, `3.42×`, `0.012×`, `-` where unknown.
fn times(v: Option<f64>) -> String {
    match v {
        Some(v) if v >= 10.0 => format!("{v:.1}×"),
        Some(v) if v >= 0.1 => format!("{v:.2}×"),
        Some(v) => format!("{v:.3}×"),
        None => "-".into(),
    }
}

fn bench_cells(r: &BenchRow) -> [String; 12] {
    [
        r.codec.clone(),
        r.file.clone(),
        r.original_bytes.to_string(),
        r.compressed_bytes.to_string(),
        format!("{:.3}", r.bits_per_byte),
        format!("{:.3}", r.ratio),
        speed(r.compress_mb_s),
        speed(r.decompress_mb_s),
        times(r.compress_vs_xz),
        times(r.decompress_vs_xz),
        mib(r.peak_memory_bytes),
        mib(r.model_memory_bytes),
    ]
}

/// A Markdown table; `right` marks the numeric (right-aligned) columns.
fn markdown_table(header: &[&str], right: &[bool], rows: &[Vec<String>]) -> String {
    let esc = |s: &str| s.replace('|', "\\|");
    let mut width: Vec<usize> = header.iter().map(|h| h.len().max(3)).collect();
    for r in rows {
        for (w, c) in width.iter_mut().zip(r) {
            *w = (*w).max(esc(c).chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let mut s = String::from("|");
        for ((c, w), &r) in cells.iter().zip(&width).zip(right) {
            if r {
                let _ = write!(s, " {c:>w$} |");
            } else {
                let _ = write!(s, " {c:<w$} |");
            }
        }
        s.push('\n');
        s
    };
    let mut out = line(header.iter().map(|h| h.to_string()).collect());
    out.push_str(&line(
        width
            .iter()
            .zip(right)
            .map(|(&w, &r)| {
                if r {
                    format!("{}:", "-".repeat(w - 1))
                } else {
                    "-".repeat(w)
                }
            })
            .collect(),
    ));
    for r in rows {
        out.push_str(&line(r.iter().map(|c| esc(c)).collect()));
    }
    out
}

/// One CSV field, quoted where it must be (RFC 4180).
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn csv_line(cells: impl IntoIterator<Item = String>) -> String {
    let mut s = cells
        .into_iter()
        .map(|c| csv_field(&c))
        .collect::<Vec<_>>()
        .join(",");
    s.push('\n');
    s
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(String::new, |v| v.to_string())
}

/// The report as Markdown: a context line, the table, and the notes.
pub fn bench_markdown(rep: &BenchReport) -> String {
    let rows: Vec<Vec<String>> = rep.rows.iter().map(|r| bench_cells(r).to_vec()).collect();
    let mut right = [true; BENCH_COLUMNS.len()];
    right[..2].fill(false);
    format!(
        "nnzip bench: `{}` on {} at {}\n\n{}\n{}\n",
        rep.command,
        rep.machine,
        rep.date,
        markdown_table(&BENCH_COLUMNS, &right, &rows),
        rep.notes
    )
}

/// Column names of the bench CSV (machine-friendly, full precision).
pub const BENCH_CSV_COLUMNS: [&str; 15] = [
    "codec",
    "file",
    "original_bytes",
    "compressed_bytes",
    "bits_per_byte",
    "ratio",
    "compress_mb_s",
    "decompress_mb_s",
    "compress_secs",
    "decompress_secs",
    "compress_vs_xz",
    "decompress_vs_xz",
    "peak_memory_bytes",
    "peak_memory_source",
    "model_memory_bytes",
];

/// The rows as CSV with a header line; numbers at full precision, unknowns empty.
pub fn bench_csv(rep: &BenchReport) -> String {
    let mut out = csv_line(BENCH_CSV_COLUMNS.iter().map(|s| s.to_string()));
    for r in &rep.rows {
        out.push_str(&csv_line([
            r.codec.clone(),
            r.file.clone(),
            r.original_bytes.to_string(),
            r.compressed_bytes.to_string(),
            r.bits_per_byte.to_string(),
            r.ratio.to_string(),
            r.compress_mb_s.to_string(),
            r.decompress_mb_s.to_string(),
            r.compress_secs.to_string(),
            r.decompress_secs.to_string(),
            opt(r.compress_vs_xz),
            opt(r.decompress_vs_xz),
            opt(r.peak_memory_bytes),
            r.peak_memory_source.to_string(),
            opt(r.model_memory_bytes),
        ]));
    }
    out
}

/// The whole report as pretty-printed JSON.
pub fn to_json<T: Serialize>(rep: &T) -> String {
    let mut s = serde_json::to_string_pretty(rep).unwrap_or_else(|e| {
        // Only non-string map keys fail here, and these reports have none.
        format!("{{\"error\": \"{e}\"}}")
    });
    s.push('\n');
    s
}

/// One model configuration of a sweep and what it did on the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepPoint {
    /// Hidden width.
    pub hidden: u16,
    /// Hidden layers.
    pub layers: u8,
    /// Activation name.
    pub activation: String,
    /// Weights of the network (the context statistics in the hash tables excluded:
    /// they are the same for every network size).
    pub parameters: u64,
    /// Model memory in bytes.
    pub memory_bytes: u64,
    /// Coded size in bytes (the neural core's chunk payloads, no container).
    pub packed_bytes: u64,
    /// `8 * packed / original`.
    pub bits_per_byte: f64,
    /// The model's ideal code length (sum of `-log2 p`) per byte, without coder
    /// overhead.
    pub ideal_bits_per_byte: f64,
    /// Compression speed in 10^6 bytes per second (cost tracking on).
    pub mb_s: f64,
    /// Average fraction of hidden units that were non-zero.
    pub active_fraction: f64,
    /// Hidden units that were never non-zero.
    pub dead_units: u64,
    /// Total hidden units.
    pub units: u64,
    /// Bits per byte of each consecutive window of the file (the learning curve).
    pub window_bpc: Vec<f64>,
}

/// The baseline a sweep is compared with (nnzip's LZW, or `compress`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepBaseline {
    /// Codec name.
    pub name: String,
    /// Compressed size of the whole file.
    pub packed_bytes: u64,
    /// `8 * packed / original`.
    pub bits_per_byte: f64,
    /// Compression speed in 10^6 bytes per second.
    pub mb_s: f64,
    /// How the learning curve was measured.
    pub curve_method: String,
    /// Learning curve: (end offset of a segment, bits per byte within it).
    pub curve: Vec<(u64, f64)>,
}

/// Everything `nnzip sweep` measured, with its context.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepReport {
    /// The command that produced the report.
    pub command: String,
    /// The machine it ran on.
    pub machine: MachineInfo,
    /// When it ran (UTC).
    pub date: String,
    /// The input file.
    pub file: String,
    /// Bytes of it that were used.
    pub bytes: u64,
    /// Window size of the learning curves.
    pub window: u64,
    /// The preset the configurations were derived from.
    pub base_preset: String,
    /// One entry per configuration of the grid.
    pub points: Vec<SweepPoint>,
    /// The baseline, where one could be run.
    pub baseline: Option<SweepBaseline>,
}

/// Column names of the sweep table.
pub const SWEEP_COLUMNS: [&str; 9] = [
    "hidden",
    "layers",
    "activation",
    "network weights",
    "memory MiB",
    "bpc",
    "MB/s",
    "active fraction",
    "dead units",
];

/// The sweep as Markdown: a context line and the table, the baseline as a last row.
pub fn sweep_markdown(rep: &SweepReport) -> String {
    let mut rows: Vec<Vec<String>> = rep
        .points
        .iter()
        .map(|p| {
            vec![
                p.hidden.to_string(),
                p.layers.to_string(),
                p.activation.clone(),
                p.parameters.to_string(),
                mib(Some(p.memory_bytes)),
                format!("{:.3}", p.bits_per_byte),
                speed(p.mb_s),
                // A model without hidden units (or without statistics) has nothing to show.
                if p.units == 0 {
                    "-".into()
                } else {
                    format!("{:.3}", p.active_fraction)
                },
                if p.units == 0 {
                    "-".into()
                } else {
                    format!("{}/{}", p.dead_units, p.units)
                },
            ]
        })
        .collect();
    if let Some(b) = &rep.baseline {
        rows.push(vec![
            "-".into(),
            "-".into(),
            b.name.clone(),
            "-".into(),
            "-".into(),
            format!("{:.3}", b.bits_per_byte),
            speed(b.mb_s),
            "-".into(),
            "-".into(),
        ]);
    }
    let right = [true, true, false, true, true, true, true, true, true];
    format!(
        "nnzip sweep: `{}` on {} at {}\n{} ({} bytes), configurations derived from preset {}; \
bpc = 8 * coded payload / original (neural core, no container); MB/s = compression, \
10^6 bytes per second\n\n{}",
        rep.command,
        rep.machine,
        rep.date,
        rep.file,
        rep.bytes,
        rep.base_preset,
        markdown_table(&SWEEP_COLUMNS, &right, &rows)
    )
}

/// Column names of `sweep.csv`.
pub const SWEEP_CSV_COLUMNS: [&str; 13] = [
    "hidden",
    "layers",
    "activation",
    "network_weights",
    "memory_bytes",
    "packed_bytes",
    "bits_per_byte",
    "ideal_bits_per_byte",
    "mb_s",
    "active_fraction",
    "dead_units",
    "units",
    "codec",
];

/// The sweep as CSV: one line per configuration, then the baseline (codec column set,
/// model columns empty).
pub fn sweep_csv(rep: &SweepReport) -> String {
    let mut out = csv_line(SWEEP_CSV_COLUMNS.iter().map(|s| s.to_string()));
    for p in &rep.points {
        out.push_str(&csv_line([
            p.hidden.to_string(),
            p.layers.to_string(),
            p.activation.clone(),
            p.parameters.to_string(),
            p.memory_bytes.to_string(),
            p.packed_bytes.to_string(),
            p.bits_per_byte.to_string(),
            p.ideal_bits_per_byte.to_string(),
            p.mb_s.to_string(),
            p.active_fraction.to_string(),
            p.dead_units.to_string(),
            p.units.to_string(),
            "nn".into(),
        ]));
    }
    if let Some(b) = &rep.baseline {
        let mut cells = vec![String::new(); SWEEP_CSV_COLUMNS.len()];
        cells[5] = b.packed_bytes.to_string();
        cells[6] = b.bits_per_byte.to_string();
        cells[8] = b.mb_s.to_string();
        cells[12] = b.name.clone();
        out.push_str(&csv_line(cells));
    }
    out
}

/// Learning curves as CSV in long form: `series,end_offset,bits_per_byte`.
pub fn curve_csv(rep: &SweepReport) -> String {
    let mut out = csv_line(["series", "end_offset", "bits_per_byte"].map(String::from));
    for p in &rep.points {
        let name = super::sweep::point_label(p);
        let mut end = 0u64;
        for &bpc in &p.window_bpc {
            end = (end + rep.window).min(rep.bytes);
            out.push_str(&csv_line([name.clone(), end.to_string(), bpc.to_string()]));
        }
    }
    if let Some(b) = &rep.baseline {
        for &(end, bpc) in &b.curve {
            out.push_str(&csv_line([
                b.name.clone(),
                end.to_string(),
                bpc.to_string(),
            ]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(codec: &str, csecs: f64, dsecs: f64) -> BenchRow {
        BenchRow::new(codec, "f", 1000, 400, csecs, dsecs, None, "process", None)
    }

    /// The "time vs xz -9e" and "dec vs xz" cells of each body row of a Markdown table.
    fn ratio_cells(md: &str) -> Vec<[String; 2]> {
        let at = |name| BENCH_COLUMNS.iter().position(|c| *c == name).unwrap() + 1;
        let (c, d) = (at("time vs xz -9e"), at("dec vs xz"));
        md.lines()
            .filter(|l| l.starts_with('|'))
            .skip(2)
            .map(|l| {
                let cells: Vec<&str> = l.split('|').map(str::trim).collect();
                [cells[c].to_string(), cells[d].to_string()]
            })
            .collect()
    }

    #[test]
    fn time_ratio_cells() {
        assert_eq!(times(Some(14.44)), "14.4×");
        assert_eq!(times(Some(3.416)), "3.42×");
        assert_eq!(times(Some(0.01234)), "0.012×");
        assert_eq!(times(None), "-");
    }

    #[test]
    fn reference_is_the_xz_row() {
        let xz = super::super::external::spec("xz").unwrap();
        assert_eq!(xz.label, REFERENCE_CODEC);
    }

    #[test]
    fn time_ratios_against_xz() {
        assert_eq!(time_ratio(3.0, 1.5), Some(2.0));
        assert_eq!(time_ratio(0.0, 1.5), Some(0.0));
        assert_eq!(time_ratio(1.0, 0.0), None);
        assert_eq!(time_ratio(f64::NAN, 1.0), None);
        assert_eq!(time_ratio(1.0, f64::INFINITY), None);

        let mut rows = vec![
            row("nn-fast", 4.0, 5.0),
            row(REFERENCE_CODEC, 2.0, 0.5),
            row("gzip -9", 0.5, 0.25),
        ];
        fill_vs_reference(&mut rows);
        let c: Vec<Option<f64>> = rows.iter().map(|r| r.compress_vs_xz).collect();
        let d: Vec<Option<f64>> = rows.iter().map(|r| r.decompress_vs_xz).collect();
        assert_eq!(c, [Some(2.0), Some(1.0), Some(0.25)]);
        assert_eq!(d, [Some(10.0), Some(1.0), Some(0.5)]);
        let md = bench_markdown(&BenchReport {
            command: "c".into(),
            machine: MachineInfo {
                cpu: "cpu".into(),
                cores: 1,
            },
            date: "d".into(),
            notes: String::new(),
            rows: rows.clone(),
        });
        assert_eq!(
            ratio_cells(&md),
            [["2.00×", "10.0×"], ["1.00×", "1.00×"], ["0.25×", "0.50×"]]
        );

        // Without the reference every ratio is unknown, also ones set earlier.
        rows.remove(1);
        fill_vs_reference(&mut rows);
        assert!(rows
            .iter()
            .all(|r| r.compress_vs_xz.is_none() && r.decompress_vs_xz.is_none()));
        let rep = BenchReport {
            command: "c".into(),
            machine: MachineInfo {
                cpu: "cpu".into(),
                cores: 1,
            },
            date: "d".into(),
            notes: String::new(),
            rows,
        };
        assert_eq!(ratio_cells(&bench_markdown(&rep)), [["-", "-"], ["-", "-"]]);
        let csv = bench_csv(&rep);
        assert!(csv.lines().nth(1).unwrap().contains(",4,5,,,"), "{csv}");
    }

    #[test]
    fn csv_quotes_only_when_needed() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }

    #[test]
    fn markdown_escapes_pipes_and_aligns() {
        let t = markdown_table(
            &["a", "n"],
            &[false, true],
            &[vec!["x|y".into(), "7".into()]],
        );
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[1].ends_with("--: |"), "{t}");
        assert!(lines[2].contains("x\\|y"), "{t}");
        let w: Vec<usize> = lines.iter().map(|l| l.chars().count()).collect();
        assert!(w.iter().all(|&x| x == w[0]), "{t}");
    }
}
