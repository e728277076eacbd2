//! Range coder throughput: binary decisions at several skews.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use nnzip::coder::{Decoder, Encoder};

fn bits(n: usize, p: u32) -> Vec<(u32, bool)> {
    let mut x = 0x2545_f491_4f6c_dd1du64;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (p, ((x >> 40) as u32 & 0xffff) < p)
        })
        .collect()
}

fn coder(c: &mut Criterion) {
    let mut g = c.benchmark_group("coder");
    for p in [32_768u32, 60_000, 65_000] {
        let data = bits(1 << 20, p);
        g.throughput(Throughput::Bytes((data.len() / 8) as u64));
        g.bench_function(format!("encode_bits_p{p}"), |b| {
            b.iter(|| {
                let mut e = Encoder::new();
                for &(p, bit) in &data {
                    e.encode_bit(p, bit);
                }
                e.finish()
            })
        });
        let mut e = Encoder::new();
        for &(p, bit) in &data {
            e.encode_bit(p, bit);
        }
        let bytes = e.finish();
        g.bench_function(format!("decode_bits_p{p}"), |b| {
            b.iter(|| {
                let mut d = Decoder::new(&bytes).unwrap();
                let mut ones = 0u32;
                for &(p, _) in &data {
                    ones += u32::from(d.decode_bit(p));
                }
                ones
            })
        });
    }
    g.finish();
}

criterion_group!(benches, coder);
criterion_main!(benches);
