//! `ModelConfig::memory_estimate` (checked against the 4 GiB limit before a header's
//! model is allocated, and shown by `nnzip bench`) is exactly what the predictor
//! really holds, for every preset, and for the presets fitted to small
//! inputs as the writer fits them.

use nnzip::model::Predictor;
use nnzip::{ModelConfig, Preset};

fn check(what: &str, cfg: &ModelConfig) {
    let model = Predictor::new(cfg).expect("model");
    assert_eq!(
        cfg.memory_estimate(),
        model.memory_bytes() as u64,
        "{what}: estimate against the model's bytes"
    );
}

#[test]
fn memory_estimate_matches_every_preset() {
    for p in Preset::ALL {
        check(p.name(), &p.config());
    }
}

#[test]
fn memory_estimate_matches_fitted_presets() {
    for p in Preset::ALL {
        for len in [0u64, 5000, 1 << 20] {
            let cfg = p.config().fitted(Some(len));
            check(&format!("{} fitted to {len} bytes", p.name()), &cfg);
        }
    }
}

#[test]
fn memory_estimate_matches_without_optional_parts() {
    let mut cfg = Preset::Default.config();
    cfg.match_model = false;
    cfg.apm = false;
    cfg.sparse = false;
    cfg.markup = false;
    cfg.byte_embed = 0;
    cfg.table_bits = 16;
    check(
        "default without match, apm, sparse, markup, embeddings",
        &cfg,
    );
    cfg.layers = 2;
    cfg.hidden = 64;
    check("two layers of 64", &cfg);
}
