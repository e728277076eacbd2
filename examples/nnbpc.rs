//! Development tool: bits per byte and speed of the neural codec core on a file.
//! `cargo run --release --example nnbpc -- FILE [fast|default|max]`

use nnzip::neural::{NeuralDecoder, NeuralEncoder};
use nnzip::Preset;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let data = std::fs::read(&args[1]).expect("read input");
    let preset = Preset::from_name(args.get(2).map_or("default", |s| s)).expect("preset");
    let mut cfg = preset.config();
    for kv in args.iter().skip(3) {
        let (k, v) = kv.split_once('=').expect("key=value");
        match k {
            "hidden" => cfg.hidden = v.parse().unwrap(),
            "layers" => cfg.layers = v.parse().unwrap(),
            "lr" => cfg.lr = v.parse().unwrap(),
            "embed" => cfg.byte_embed = v.parse().unwrap(),
            "tb" => cfg.table_bits = v.parse().unwrap(),
            "act" => cfg.activation = nnzip::Activation::from_name(v).unwrap(),
            "apm" => cfg.apm = v == "1",
            "text" => cfg.text_codes = v == "1",
            "orders" => cfg.orders = v.split(',').map(|o| o.parse().unwrap()).collect(),
            _ => panic!("unknown key {k}"),
        }
    }
    let t = Instant::now();
    let mut enc = NeuralEncoder::new(&cfg, &data).unwrap();
    let mut out = Vec::new();
    let mut sizes = Vec::new();
    for chunk in data.chunks(1 << 20) {
        let mut o = Vec::new();
        enc.encode_chunk(chunk, &mut o);
        sizes.push((chunk.len(), o.len()));
        out.extend_from_slice(&o);
    }
    let ct = t.elapsed().as_secs_f64();
    let verify = args.iter().any(|a| a == "verify=1") || std::env::var("VERIFY").is_ok();
    let mut dt = 0.0;
    if verify {
        let t = Instant::now();
        let mut dec = NeuralDecoder::new(&cfg).unwrap();
        let mut back = Vec::new();
        let mut off = 0;
        for (len, plen) in sizes {
            dec.decode_chunk(&out[off..off + plen], len, &mut back)
                .unwrap();
            off += plen;
        }
        dt = t.elapsed().as_secs_f64();
        assert_eq!(back, data);
    }
    let st = enc.model().activation_stats();
    println!(
        "{} {}: {} -> {} bytes, {:.4} bpc, {:.3} MB/s comp, {:.3} MB/s decomp, params {}, mem {:.1} MB, active {:.3} dead {}/{}",
        args[1],
        preset.name(),
        data.len(),
        out.len(),
        8.0 * out.len() as f64 / data.len() as f64,
        data.len() as f64 / ct / 1e6,
        if dt > 0.0 { data.len() as f64 / dt / 1e6 } else { 0.0 },
        enc.model().param_count(),
        enc.model().memory_bytes() as f64 / 1e6,
        st.active_fraction,
        st.dead_units,
        st.units
    );
}
