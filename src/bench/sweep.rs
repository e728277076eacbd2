//! Model-size sweeps: the neural core run over a grid of configurations (hidden width x
//! layers x activation, everything else from a base preset) on one file, recording
//! size, speed, hidden-unit statistics and the learning curve (bits per byte in
//! consecutive windows), next to a baseline compressor measured the same way.

use super::codec::BenchCodec;
use super::measure::{best_of, mb_per_s};
use super::table::{SweepBaseline, SweepPoint};
use crate::error::{ConfigError, CorruptError, Error, Result};
use crate::model::{Activation, ModelConfig, Preset};
use crate::neural::{NeuralDecoder, NeuralEncoder};
use crate::progress::bits_per_byte;
use std::time::Instant;

/// The configurations of a sweep: the base preset with every combination of these
/// values substituted.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepGrid {
    /// Preset that gives every setting not swept.
    pub base: Preset,
    /// Hidden widths.
    pub hidden: Vec<u16>,
    /// Hidden layer counts.
    pub layers: Vec<u8>,
    /// Activations.
    pub activations: Vec<Activation>,
}

impl SweepGrid {
    /// The grid's configurations, ordered by layers, then activation, then width.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] if the grid is empty or a value is out of range.
    pub fn configs(&self) -> Result<Vec<ModelConfig>> {
        if self.hidden.is_empty() || self.layers.is_empty() || self.activations.is_empty() {
            return Err(Error::InvalidConfig(ConfigError::EmptySweepGrid));
        }
        let mut out = Vec::new();
        for &layers in &self.layers {
            for &activation in &self.activations {
                for &hidden in &self.hidden {
                    let mut cfg = self.base.config();
                    cfg.hidden = hidden;
                    cfg.layers = layers;
                    cfg.activation = activation;
                    cfg.validate()?;
                    // Without a hidden layer, width and activation are not used: one
                    // point stands for all of them.
                    if layers == 0 && out.iter().any(|c: &ModelConfig| c.layers == 0) {
                        continue;
                    }
                    out.push(cfg);
                }
            }
        }
        Ok(out)
    }
}

/// A short name of a point, e.g. `h64 x1 relu` (width, layers, activation).
pub fn point_label(p: &SweepPoint) -> String {
    if p.layers == 0 {
        return "no hidden layer".to_string();
    }
    format!("h{} x{} {}", p.hidden, p.layers, p.activation)
}

/// Runs the neural core with `cfg` over `data` in chunks of `window` bytes, one chunk
/// per learning-curve window. `progress` is called with the bytes of each finished
/// window. With `verify`, the result is decoded and compared with `data`.
///
/// # Errors
/// [`Error::InvalidConfig`] for a bad `cfg` or a zero window, [`Error::Corrupt`] if
/// verification fails.
pub fn run_point(
    data: &[u8],
    cfg: &ModelConfig,
    window: usize,
    verify: bool,
    progress: &mut dyn FnMut(u64, &SweepPoint),
) -> Result<SweepPoint> {
    if window == 0 {
        return Err(Error::InvalidConfig(ConfigError::ZeroWindow));
    }
    let cfg = &cfg.fitted(Some(data.len() as u64));
    let mut enc = NeuralEncoder::new(cfg, data)?;
    enc.track_cost(true);
    let mut point = SweepPoint {
        hidden: cfg.hidden,
        layers: cfg.layers,
        activation: cfg.activation.name().into(),
        parameters: enc.model().network_params() as u64,
        memory_bytes: enc.model().memory_bytes() as u64,
        packed_bytes: 0,
        bits_per_byte: 0.0,
        ideal_bits_per_byte: 0.0,
        mb_s: 0.0,
        active_fraction: 0.0,
        dead_units: 0,
        units: 0,
        window_bpc: Vec::new(),
    };
    let mut out = Vec::new();
    let mut ends = Vec::new();
    let mut secs = 0f64;
    let mut done = 0u64;
    for part in data.chunks(window) {
        let before = out.len();
        let t0 = Instant::now();
        enc.encode_chunk(part, &mut out);
        secs += t0.elapsed().as_secs_f64();
        ends.push(out.len());
        point.window_bpc.push(bits_per_byte(
            (out.len() - before) as u64,
            part.len() as u64,
        ));
        point.packed_bytes = out.len() as u64;
        done += part.len() as u64;
        // Running figure for progress reports; the final one is set below.
        point.bits_per_byte = bits_per_byte(out.len() as u64, done);
        progress(part.len() as u64, &point);
    }
    let n = data.len() as u64;
    point.bits_per_byte = bits_per_byte(out.len() as u64, n);
    point.ideal_bits_per_byte = if n == 0 {
        0.0
    } else {
        enc.cost_bits() / n as f64
    };
    point.mb_s = mb_per_s(n, secs);
    let stats = enc.model().activation_stats();
    point.active_fraction = stats.active_fraction;
    point.dead_units = stats.dead_units as u64;
    point.units = stats.units as u64;
    if verify {
        let mut dec = NeuralDecoder::new(cfg)?;
        let mut back = Vec::with_capacity(data.len());
        let mut start = 0;
        for (part, &end) in data.chunks(window).zip(&ends) {
            dec.decode_chunk(&out[start..end], part.len(), &mut back)?;
            start = end;
        }
        if back != data {
            return Err(Error::Corrupt(CorruptError::SweepPoint {
                point: point_label(&point),
            }));
        }
    }
    Ok(point)
}

/// Measures `codec` on `data` as a sweep's baseline: size and speed of the whole file
/// (round trip verified), and a learning curve from the compressed sizes of growing
/// prefixes: a segment's bits per byte is `8 * (size(prefix up to its end) - size(prefix
/// up to its start)) / its length`, with the size of an empty input as the start. The
/// segments are whole windows, merged so that there are at most `max_segments`.
///
/// # Errors
/// Any error of the codec, [`Error::Corrupt`] if its round trip fails.
pub fn run_baseline(
    codec: &dyn BenchCodec,
    data: &[u8],
    window: usize,
    max_segments: usize,
) -> Result<SweepBaseline> {
    let window = window.max(1);
    let (packed, secs) = best_of(1, || codec.compress(data))?;
    if codec.decompress(&packed)? != data {
        return Err(Error::Corrupt(CorruptError::SweepRoundTrip {
            codec: codec.name().to_string(),
        }));
    }
    let windows = data.len().div_ceil(window);
    let per_segment = windows.div_ceil(max_segments.max(1)).max(1);
    let step = per_segment * window;
    let mut curve = Vec::new();
    let mut prev_size = codec.compress(&[])?.len();
    let mut prev_end = 0usize;
    while prev_end < data.len() {
        let end = (prev_end + step).min(data.len());
        let size = if end == data.len() {
            packed.len()
        } else {
            codec.compress(&data[..end])?.len()
        };
        curve.push((
            end as u64,
            8.0 * (size as f64 - prev_size as f64) / (end - prev_end) as f64,
        ));
        prev_size = size;
        prev_end = end;
    }
    Ok(SweepBaseline {
        name: codec.name().into(),
        packed_bytes: packed.len() as u64,
        bits_per_byte: bits_per_byte(packed.len() as u64, data.len() as u64),
        mb_s: mb_per_s(data.len() as u64, secs),
        curve_method: format!(
            "8 x growth of the compressed size of prefixes, per {step}-byte segment"
        ),
        curve,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_order_and_validation() {
        let g = SweepGrid {
            base: Preset::Fast,
            hidden: vec![4, 8],
            layers: vec![1, 2],
            activations: vec![Activation::Relu, Activation::Linear],
        };
        let c = g.configs().unwrap();
        assert_eq!(c.len(), 8);
        assert_eq!(
            (c[0].hidden, c[0].layers, c[0].activation),
            (4, 1, Activation::Relu)
        );
        assert_eq!(
            (c[1].hidden, c[1].layers, c[1].activation),
            (8, 1, Activation::Relu)
        );
        assert_eq!(c[2].activation, Activation::Linear);
        assert_eq!(c[4].layers, 2);
        let bad = SweepGrid {
            hidden: vec![0],
            ..g.clone()
        };
        assert!(bad.configs().is_err());
        // No hidden layer is one point, whatever the widths and activations.
        let with_none = SweepGrid {
            layers: vec![0, 1],
            ..g.clone()
        };
        let c = with_none.configs().unwrap();
        assert_eq!(c.len(), 1 + 4);
        assert_eq!(c.iter().filter(|c| c.layers == 0).count(), 1);
        let empty = SweepGrid {
            layers: vec![],
            ..g
        };
        assert!(empty.configs().is_err());
    }

    #[test]
    fn point_windows_add_up() {
        let mut text = b"to be or not to be, that is the question. ".repeat(120);
        // Whole windows only: a short last one would carry the coder's flush alone.
        text.truncate(5000);
        let cfg = Preset::Fast.config();
        let mut calls = 0;
        let p = run_point(&text, &cfg, 1000, true, &mut |_, _| calls += 1).unwrap();
        let windows = text.len().div_ceil(1000);
        assert_eq!(calls, windows);
        assert_eq!(p.window_bpc.len(), windows);
        let total_bits: f64 = text
            .chunks(1000)
            .zip(&p.window_bpc)
            .map(|(c, b)| b * c.len() as f64)
            .sum();
        assert!((total_bits - 8.0 * p.packed_bytes as f64).abs() < 1e-6);
        assert!((p.bits_per_byte - 8.0 * p.packed_bytes as f64 / text.len() as f64).abs() < 1e-12);
        assert!(p.window_bpc.last().unwrap() < &p.window_bpc[0]);
    }
}
