//! Writes the cost in bits (f32, little-endian) of each byte of FILE under a preset's
//! predictor, run through the library as the codec runs it (priming included):
//! `bytecost FILE PRESET > FILE.cost`. Input to `lzpsim.py`.
use nnzip::model::Predictor;
use nnzip::Preset;
use std::io::Write;

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let data = std::fs::read(&a[1]).expect("FILE");
    let cfg = Preset::from_name(&a[2]).expect("PRESET").config();
    let mut m = Predictor::new(&cfg).expect("model");
    let mut out = Vec::with_capacity(data.len() * 4);
    for &byte in &data {
        let mut c = 0f64;
        for i in (0..8).rev() {
            let bit = (byte >> i) & 1;
            let p1 = f64::from(m.p1()) / 65536.0;
            let p = if bit != 0 { p1 } else { 1.0 - p1 };
            c -= p.max(1e-9).log2();
            m.update(bit);
        }
        out.extend_from_slice(&(c as f32).to_le_bytes());
    }
    std::io::stdout().write_all(&out).expect("stdout");
}
