//! `.Z` (LZW) encode and decode throughput on 2 MB of Wikipedia XML
//! (`../shared/corpora/enwik/enwik8_head2M`), or on generated text when the corpus is
//! absent.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use nnzip::lzw::{compress_bytes, decompress_bytes};

fn input() -> (String, Vec<u8>) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/corpora/enwik/enwik8_head2M"
    );
    if let Ok(data) = std::fs::read(path) {
        return ("enwik8_head2M".into(), data);
    }
    let words = [
        "the ",
        "of ",
        "compress ",
        "table ",
        "code ",
        "and ",
        "LZW ",
        "\n",
    ];
    let mut x = 0x2545_f491u32;
    let mut text = String::with_capacity(2_000_000);
    while text.len() < 2_000_000 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        text.push_str(words[(x % 8) as usize]);
    }
    ("generated_text_2M".into(), text.into_bytes())
}

fn lzw(c: &mut Criterion) {
    let (name, data) = input();
    let packed = compress_bytes(&data, 16);
    let mut g = c.benchmark_group("lzw");
    g.sample_size(20);
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.bench_with_input(BenchmarkId::new("encode", &name), &data, |b, d| {
        b.iter(|| compress_bytes(d, 16))
    });
    g.bench_with_input(BenchmarkId::new("decode", &name), &packed, |b, z| {
        b.iter(|| decompress_bytes(z))
    });
    g.finish();
}

criterion_group!(benches, lzw);
criterion_main!(benches);
