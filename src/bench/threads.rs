//! `nnzip bench --threads 1,2,...`: how compression and decompression scale with
//! threads. Each file is coded once per thread count with each nn preset asked for,
//! timed end to end in memory, and the outputs are checked to be byte-identical
//! across thread counts (the format promises it) and to decode to the input.

use super::read_file;
use crate::api::{compress_with_options, decompress_with_threads, Codec, CompressOptions};
use crate::error::{CorruptError, Error, Result};
use crate::format::EncodeOptions;
use crate::model::Preset;
use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

/// One measured thread count.
#[derive(Debug, Clone, PartialEq)]
pub struct ThreadRow {
    /// The file.
    pub file: String,
    /// The preset.
    pub preset: Preset,
    /// Threads asked for (0 = as many as cores and memory allow).
    pub threads: usize,
    /// Compressed size in bytes.
    pub packed: usize,
    /// Compression wall time in seconds.
    pub compress_s: f64,
    /// Decompression wall time in seconds.
    pub decompress_s: f64,
}

/// The presets named by `codecs` (`nn-fast`, `nn-default`, `nn-max`); nn-fast if none.
pub fn presets(codecs: &[String]) -> Vec<Preset> {
    let found: Vec<Preset> = Preset::ALL
        .into_iter()
        .filter(|p| codecs.iter().any(|c| *c == format!("nn-{}", p.name())))
        .collect();
    if found.is_empty() {
        vec![Preset::Fast]
    } else {
        found
    }
}

/// Measures every file with every preset at every thread count.
///
/// # Errors
/// I/O errors reading a file; [`Error::Corrupt`] if a thread count changes the output
/// or a round trip fails; every error of the codec.
pub fn measure(
    files: &[PathBuf],
    presets: &[Preset],
    counts: &[usize],
    segment_len: u32,
) -> Result<Vec<ThreadRow>> {
    let mut rows = Vec::new();
    for path in files {
        let name = path.display().to_string();
        let data = read_file(path, None)?;
        for &preset in presets {
            let codec = Codec::Neural(preset.config());
            let mut first: Option<Vec<u8>> = None;
            for &threads in counts {
                let opts = CompressOptions {
                    threads,
                    encode: EncodeOptions {
                        segment_len,
                        ..EncodeOptions::default()
                    },
                };
                let mut packed = Vec::new();
                let t = Instant::now();
                let len = Some(data.len() as u64);
                compress_with_options(&data[..], len, &mut packed, &codec, &opts, &mut |_| {})?;
                let compress_s = t.elapsed().as_secs_f64();
                let mut back = Vec::with_capacity(data.len());
                let t = Instant::now();
                decompress_with_threads(&packed[..], &mut back, threads, &mut |_| {})?;
                let decompress_s = t.elapsed().as_secs_f64();
                let label = format!("nn-{} -T{threads}", preset.name());
                if back != data || first.as_ref().is_some_and(|f| *f != packed) {
                    return Err(Error::Corrupt(CorruptError::SweepRoundTrip {
                        codec: label,
                    }));
                }
                rows.push(ThreadRow {
                    file: name.clone(),
                    preset,
                    threads,
                    packed: packed.len(),
                    compress_s,
                    decompress_s,
                });
                first.get_or_insert(packed);
            }
        }
    }
    Ok(rows)
}

/// The rows as a Markdown table; times also relative to the first thread count of
/// the same file and preset.
pub fn markdown(rows: &[ThreadRow]) -> String {
    let mut s = String::from(
        "| file | preset | threads | bytes | compress s | vs first | decompress s | vs first |\n\
         | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n",
    );
    let mut base: Option<&ThreadRow> = None;
    for r in rows {
        if base.is_none_or(|b| b.file != r.file || b.preset != r.preset) {
            base = Some(r);
        }
        let b = base.unwrap_or(r);
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {:.2} | {:.2}x | {:.2} | {:.2}x |",
            r.file,
            r.preset.name(),
            r.threads,
            r.packed,
            r.compress_s,
            r.compress_s / b.compress_s.max(1e-9),
            r.decompress_s,
            r.decompress_s / b.decompress_s.max(1e-9),
        );
    }
    s
}

/// `nnzip bench --threads`: measures and prints the table.
///
/// # Errors
/// As [`measure`], and errors writing `out`.
pub fn run(
    files: &[PathBuf],
    codecs: &[String],
    counts: &[usize],
    segment_len: u32,
    out: &mut dyn Write,
) -> Result<()> {
    let rows = measure(files, &presets(codecs), counts, segment_len)?;
    out.write_all(markdown(&rows).as_bytes())?;
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaling_rows_are_identical_in_size() {
        let dir = std::env::temp_dir().join(format!("nnzip-bench-threads-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("in.txt");
        std::fs::write(
            &f,
            b"segments and threads, threads and segments. ".repeat(300),
        )
        .unwrap();
        let rows = measure(&[f], &[Preset::Fast], &[1, 2], 4096).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].packed, rows[1].packed);
        let table = markdown(&rows);
        assert!(table.contains("| fast | 2 |"), "{table}");
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(presets(&["nn-max".into(), "lzw".into()]), [Preset::Max]);
        assert_eq!(presets(&[]), [Preset::Fast]);
    }
}
