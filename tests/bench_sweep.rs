//! `nnzip sweep` on a small generated file with a fake baseline: the table, the CSV and
//! JSON files, the learning curves and the three SVG plots.

use nnzip::bench::sweep::run_baseline;
use nnzip::bench::table::{SWEEP_COLUMNS, SWEEP_CSV_COLUMNS};
use nnzip::bench::{run_sweep_with, BaselineChoice, BenchCodec, SweepArgs};
use nnzip::error::ConfigError;
use nnzip::{Activation, Error, Preset, Result};

/// Stores the input behind a 3-byte header (like `.Z`'s magic and flags).
struct Store;

impl BenchCodec for Store {
    fn name(&self) -> &str {
        "store"
    }
    fn compress(&self, input: &[u8]) -> Result<Vec<u8>> {
        let mut v = b"STO".to_vec();
        v.extend_from_slice(input);
        Ok(v)
    }
    fn decompress(&self, packed: &[u8]) -> Result<Vec<u8>> {
        packed
            .strip_prefix(b"STO")
            .map(<[u8]>::to_vec)
            .ok_or_else(|| Error::BadMagic {
                found: packed[..packed.len().min(3)].to_vec(),
            })
    }
}

fn text(n: usize) -> Vec<u8> {
    let words = ["alpha ", "beta ", "gamma ", "delta ", "epsilon ", "zeta. "];
    let mut x = 7u32;
    let mut v = Vec::new();
    while v.len() < n {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        v.extend_from_slice(words[(x >> 16) as usize % words.len()].as_bytes());
    }
    v.truncate(n);
    v
}

#[test]
fn sweep_writes_tables_and_plots() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("in.txt");
    std::fs::write(&file, text(30_000)).unwrap();
    let out = dir.path().join("out");
    let args = SweepArgs {
        file: file.clone(),
        hidden: vec![4, 16],
        layers: vec![1],
        activation: vec![Activation::Relu, Activation::Linear],
        preset: Preset::Fast,
        window: 4096,
        out: out.clone(),
        max_bytes: Some(20_000),
        verify: true,
        baseline: BaselineChoice::Lzw,
        replot: false,
    };
    let mut stdout = Vec::new();
    let rep = run_sweep_with(&args, Some(&Store), &mut stdout).unwrap();

    assert_eq!(rep.bytes, 20_000);
    assert_eq!(rep.points.len(), 4);
    let windows = 20_000usize.div_ceil(4096);
    for p in &rep.points {
        assert_eq!(p.window_bpc.len(), windows);
        assert!(
            (p.bits_per_byte - 8.0 * p.packed_bytes as f64 / 20_000.0).abs() < 1e-12,
            "{p:?}"
        );
        assert!(p.bits_per_byte < 5.0, "{p:?}");
    }
    let b = rep.baseline.as_ref().unwrap();
    assert_eq!(b.packed_bytes, 20_003);
    // The header cancels out of the prefix differences: storing costs 8 bits a byte.
    assert!(
        b.curve.iter().all(|&(_, v)| (v - 8.0).abs() < 1e-12),
        "{:?}",
        b.curve
    );
    assert_eq!(b.curve.last().unwrap().0, 20_000);

    let md = String::from_utf8(stdout).unwrap();
    assert!(md.starts_with("nnzip sweep: "), "{md}");
    let table: Vec<&str> = md.lines().filter(|l| l.starts_with('|')).collect();
    assert_eq!(table.len(), 2 + 4 + 1, "{md}");
    let header: Vec<&str> = table[0]
        .trim_matches('|')
        .split(" | ")
        .map(str::trim)
        .collect();
    assert_eq!(header, SWEEP_COLUMNS);
    assert!(table.last().unwrap().contains("store"));

    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0].split(',').collect::<Vec<_>>(), SWEEP_CSV_COLUMNS);
    assert_eq!(lines.len(), 1 + 4 + 1);
    assert!(lines[1].starts_with("4,1,relu,"), "{}", lines[1]);
    assert!(lines[3].starts_with("4,1,linear,"), "{}", lines[3]);
    for l in &lines[1..] {
        assert_eq!(l.split(',').count(), SWEEP_CSV_COLUMNS.len(), "{l}");
    }

    let curve = std::fs::read_to_string(out.join("curve.csv")).unwrap();
    assert_eq!(curve.lines().count(), 1 + 4 * windows + b.curve.len());
    assert!(curve
        .lines()
        .nth(1)
        .unwrap()
        .starts_with("h4 x1 relu,4096,"));

    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("sweep.json")).unwrap()).unwrap();
    assert_eq!(json["points"].as_array().unwrap().len(), 4);
    assert_eq!(json["base_preset"], "fast");
    assert!(json["baseline"]["curve_method"].is_string());

    for (name, words) in [
        (
            "bpc_vs_size.svg",
            &["model size", "network weights", "bits per byte", "store"][..],
        ),
        (
            "bpc_vs_speed.svg",
            &["compression speed", "MB/s", "frontier", "store"][..],
        ),
        (
            "learning_curve.svg",
            &[
                "Learning curve",
                "position in the file",
                "h16 x1 relu",
                "store",
            ][..],
        ),
    ] {
        let svg = std::fs::read_to_string(out.join(name)).unwrap();
        assert!(svg.starts_with("<svg"), "{name}");
        assert!(svg.trim_end().ends_with("</svg>"), "{name}");
        for w in words {
            assert!(svg.contains(w), "{name} lacks {w:?}");
        }
    }
    assert!(std::fs::read_to_string(out.join("sweep.md")).unwrap() == md);

    // --replot redraws everything from sweep.json without running a model.
    let again = dir.path().join("again");
    let replot = SweepArgs {
        file: out.join("sweep.json"),
        out: again.clone(),
        replot: true,
        ..args
    };
    let mut stdout = Vec::new();
    let rep2 = run_sweep_with(&replot, None, &mut stdout).unwrap();
    assert_eq!(rep2, rep);
    assert_eq!(String::from_utf8(stdout).unwrap(), md);
    for name in [
        "sweep.csv",
        "curve.csv",
        "bpc_vs_size.svg",
        "bpc_vs_speed.svg",
        "learning_curve.svg",
    ] {
        assert_eq!(
            std::fs::read(out.join(name)).unwrap(),
            std::fs::read(again.join(name)).unwrap(),
            "{name}"
        );
    }
    let not_json = SweepArgs {
        file: file.clone(),
        ..replot
    };
    let msg = run_sweep_with(&not_json, None, &mut Vec::new())
        .unwrap_err()
        .to_string();
    assert!(msg.contains("not a sweep.json"), "{msg}");
}

#[test]
fn sweep_rejects_bad_settings() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("in.txt");
    std::fs::write(&file, text(1000)).unwrap();
    let base = SweepArgs {
        file,
        hidden: vec![4],
        layers: vec![1],
        activation: vec![Activation::Relu],
        preset: Preset::Fast,
        window: 0,
        out: dir.path().join("o"),
        max_bytes: None,
        verify: false,
        baseline: BaselineChoice::None,
        replot: false,
    };
    let mut sink = Vec::new();
    assert!(
        run_sweep_with(&base, None, &mut sink).is_err(),
        "zero window"
    );
    let bad = SweepArgs {
        window: 100,
        hidden: vec![0],
        ..base.clone()
    };
    assert!(matches!(
        run_sweep_with(&bad, None, &mut sink),
        Err(Error::InvalidConfig(ConfigError::Hidden { got: 0, .. }))
    ));
    let bad = SweepArgs {
        window: 100,
        layers: vec![],
        ..base
    };
    assert!(run_sweep_with(&bad, None, &mut sink).is_err());
}

#[test]
fn baseline_segments_are_merged() {
    let data = text(40_000);
    let b = run_baseline(&Store, &data, 1000, 8).unwrap();
    assert_eq!(b.curve.len(), 8);
    assert_eq!(b.curve[0].0, 5000);
    assert_eq!(b.curve.last().unwrap().0, 40_000);
    assert!((b.bits_per_byte - 8.0 * 40_003.0 / 40_000.0).abs() < 1e-12);
}
