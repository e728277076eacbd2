//! Time per coded bit of the neural model: one id per preset (`model_step/encode_fast`,
//! `…_default`, `…_max`), each iteration codes the same 64 KB of text (16 KB for `max`)
//! with a model that has already learned from it once (steady state: prediction,
//! coding and the training step of every bit, without the allocation of the model).
//! The model is the preset's as configured (its full table, as for a large input or a
//! pipe; the writer would fit the table of a 64 KB file down to 2^16 buckets).
//!
//! **Reading it in ns per bit.** The throughput is set in elements = coded bits (8 per
//! input byte), so criterion's `thrpt:` line is in bits per second: ns per bit is
//! `1000 / (Melem/s)`. Before each id the bench also prints one timed pass as
//! `model bench: PRESET: N ns/bit`.
//!
//! Quick: `cargo bench --bench model` takes about half a minute; one preset:
//! `cargo bench --bench model -- encode_fast`.
//!
//! Text: the first 64 KB of `../shared/corpora/enwik/enwik6` where present, else of a
//! shipped sample in `corpora/`, else generated words.

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use nnzip::neural::NeuralEncoder;
use nnzip::Preset;
use std::path::Path;
use std::time::{Duration, Instant};

const SAMPLE: usize = 64 * 1024;

fn sample_text() -> (String, Vec<u8>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut candidates = vec![root.join("../shared/corpora/enwik/enwik6")];
    if let Ok(dir) = std::fs::read_dir(root.join("corpora")) {
        let mut shipped: Vec<_> = dir.filter_map(|e| e.ok().map(|e| e.path())).collect();
        shipped.sort();
        candidates.extend(shipped);
    }
    for p in candidates {
        if let Ok(mut data) = std::fs::read(&p) {
            if data.len() >= SAMPLE / 4 {
                data.truncate(SAMPLE);
                return (p.display().to_string(), data);
            }
        }
    }
    let words = [
        "the ",
        "network ",
        "learns ",
        "text ",
        "while ",
        "it ",
        "compresses ",
        "it. ",
    ];
    let mut x = 1u32;
    let mut v = Vec::with_capacity(SAMPLE);
    while v.len() < SAMPLE {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        v.extend_from_slice(words[(x >> 16) as usize % words.len()].as_bytes());
    }
    v.truncate(SAMPLE);
    ("generated words".into(), v)
}

fn model(c: &mut Criterion) {
    let (source, text) = sample_text();
    eprintln!("model bench: up to {} bytes of {source}", text.len());
    let mut g = c.benchmark_group("model_step");
    g.sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1));
    // The max preset is some 10x slower: a quarter of the text keeps its run short.
    for (preset, len, secs) in [
        (Preset::Fast, SAMPLE, 3),
        (Preset::Default, SAMPLE, 4),
        (Preset::Max, SAMPLE / 4, 4),
    ] {
        let text = &text[..len.min(text.len())];
        let mut enc = match NeuralEncoder::new(&preset.config(), text) {
            Ok(e) => e,
            Err(e) => panic!("preset {} does not build: {e}", preset.name()),
        };
        let mut out = Vec::with_capacity(text.len());
        enc.encode_chunk(text, &mut out);
        let bits = 8 * text.len() as u64;
        let start = Instant::now();
        out.clear();
        enc.encode_chunk(text, &mut out);
        let secs_pass = start.elapsed().as_secs_f64();
        eprintln!(
            "model bench: {}: {:.1} ns/bit ({bits} bits in {secs_pass:.3} s)",
            preset.name(),
            secs_pass * 1e9 / bits as f64,
        );
        g.throughput(Throughput::Elements(bits))
            .measurement_time(Duration::from_secs(secs));
        g.bench_function(format!("encode_{}", preset.name()), |b| {
            b.iter(|| {
                out.clear();
                enc.encode_chunk(text, &mut out);
                out.len()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, model);
criterion_main!(benches);
