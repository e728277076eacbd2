//! Throughput of the neural model: one id per preset, each iteration codes the same
//! 64 KB of text (16 KB for `max`) with a model that has already learned from it once
//! (steady state: prediction, coding and the training step, without the allocation of
//! the model).
//!
//! Text: the first 64 KB of `../shared/corpora/enwik/enwik6` where present, else of a
//! shipped sample in `corpora/`, else generated words.

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use nnzip::neural::NeuralEncoder;
use nnzip::Preset;
use std::path::Path;
use std::time::Duration;

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
        (Preset::Fast, SAMPLE, 4),
        (Preset::Default, SAMPLE, 6),
        (Preset::Max, SAMPLE / 4, 10),
    ] {
        let text = &text[..len.min(text.len())];
        let mut enc = match NeuralEncoder::new(&preset.config()) {
            Ok(e) => e,
            Err(e) => panic!("preset {} does not build: {e}", preset.name()),
        };
        let mut out = Vec::with_capacity(text.len());
        enc.encode_chunk(text, &mut out);
        g.throughput(Throughput::Bytes(text.len() as u64))
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
