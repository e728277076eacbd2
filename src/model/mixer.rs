//! The network's first layer: a few linear mixers over all the context models'
//! inputs, each with its weight set chosen by a small context of its own (the
//! partial byte; the match and order state with the last byte's high bits; the last
//! byte), each trained on its own prediction's error.
//!
//! Each mixer is what lpaq and paq call a mixer: a logistic regression on stretched
//! probabilities. Their outputs, in the log-odds domain, are the inputs of the ReLU
//! layer in [`super::mlp`], which decides how far to trust each in which situation.
//!
//! Layout: plain `Vec<f32>`, one row of padded inputs per weight set, processed in
//! blocks of 8 floats in a fixed order (see [`super::mlp`] on determinism).

use super::mlp::{axpy, blocks, blocks_mut, dot, padded};
use super::squash::Tables;

/// The first-layer mixers.
#[derive(Debug)]
pub struct Mixers {
    /// Padded input count.
    ni: usize,
    /// Weight sets per mixer.
    sets: Vec<usize>,
    /// Per mixer: `sets * ni` weights.
    w: Vec<Vec<f32>>,
    /// The inputs of the current prediction (padding stays 0).
    pub x: Vec<f32>,
    /// The selected set of each mixer.
    sel: Vec<usize>,
    /// Each mixer's output (log-odds) and probability (16 bits).
    z: Vec<f32>,
    p: Vec<u32>,
}

impl Mixers {
    /// Mixers over `inputs` inputs, with `sets[k]` weight sets for mixer `k`, every
    /// weight starting at `w0`.
    pub fn new(inputs: usize, sets: &[usize], w0: f32) -> Self {
        let ni = padded(inputs);
        let w = sets
            .iter()
            .map(|&s| {
                let mut v = vec![0f32; s * ni];
                for row in v.chunks_exact_mut(ni) {
                    row[..inputs].fill(w0);
                }
                v
            })
            .collect();
        Mixers {
            ni,
            sets: sets.to_vec(),
            w,
            x: vec![0.0; ni],
            sel: vec![0; sets.len()],
            z: vec![0.0; sets.len()],
            p: vec![32768; sets.len()],
        }
    }

    /// Number of mixers.
    pub fn len(&self) -> usize {
        self.sets.len()
    }

    /// Whether there are no mixers.
    pub fn is_empty(&self) -> bool {
        self.sets.is_empty()
    }

    /// Computes every mixer's output with the weight sets `sel` (one per mixer, each
    /// below that mixer's set count) and writes the outputs to `out`.
    #[inline(always)]
    pub fn forward(&mut self, sel: &[usize], t: &Tables, out: &mut [f32]) {
        let ni = self.ni;
        for k in 0..self.sets.len() {
            let s = sel[k].min(self.sets[k] - 1);
            self.sel[k] = s;
            let z = dot(blocks(&self.w[k][s * ni..(s + 1) * ni]), blocks(&self.x));
            let z = z.clamp(-15.9, 15.9);
            self.z[k] = z;
            self.p[k] = t.squash16((z * 256.0) as i32);
            out[k] = z;
        }
    }

    /// One step of each mixer toward `bit`, on its own error, at rate `lr`.
    #[inline(always)]
    pub fn update(&mut self, bit: u8, lr: f32) {
        let ni = self.ni;
        let target = if bit != 0 { 65536.0 } else { 0.0 };
        for k in 0..self.sets.len() {
            let err = (target - self.p[k] as f32) * (1.0 / 65536.0);
            let s = self.sel[k];
            axpy(
                blocks_mut(&mut self.w[k][s * ni..(s + 1) * ni]),
                lr * err,
                blocks(&self.x),
            );
        }
    }

    /// Number of weights (padding excluded is not tracked: padded count).
    pub fn param_count(&self) -> usize {
        self.w.iter().map(Vec::len).sum()
    }

    /// Bytes held by the weights.
    pub fn memory_bytes(&self) -> usize {
        4 * self.param_count()
    }
}
