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

use super::mlp::{reduce, Block, LANES};
use super::squash::Tables;

/// Blocks of 8 inputs per row: at most 32 inputs, so that every row operation is a
/// fixed-length loop the compiler unrolls completely (at 3 blocks per row, loop
/// set-up cost more than the arithmetic). Unused inputs stay 0.
pub const ROW_BLOCKS: usize = 4;

/// Most inputs a mixer takes.
pub const MAX_INPUTS: usize = ROW_BLOCKS * LANES;

/// One weight set, or the inputs.
pub type Row = [Block; ROW_BLOCKS];

/// Mixer errors smaller than this skip that mixer's training step: the bit was
/// predicted well and the step would change little.
const SKIP_ERROR: f32 = 1.0 / 256.0;

/// The first-layer mixers.
#[derive(Debug)]
pub struct Mixers {
    /// Index of each mixer's first weight set in `w`.
    first: Vec<usize>,
    /// Weight sets per mixer.
    sets: Vec<usize>,
    /// Every mixer's weight sets, one after the other.
    w: Vec<Row>,
    /// The inputs of the current prediction (unused inputs stay 0).
    pub x: Row,
    /// The selected row of each mixer.
    sel: Vec<usize>,
    /// Each mixer's probability (16 bits).
    p: Vec<u32>,
}

impl Mixers {
    /// Mixers over `inputs` inputs (at most [`MAX_INPUTS`]), with `sets[k]` weight
    /// sets for mixer `k`, every weight starting at `w0`.
    pub fn new(inputs: usize, sets: &[usize], w0: f32) -> Self {
        assert!(
            inputs <= MAX_INPUTS,
            "a mixer takes at most {MAX_INPUTS} inputs"
        );
        let mut row = [[0f32; LANES]; ROW_BLOCKS];
        for i in 0..inputs {
            row[i / LANES][i % LANES] = w0;
        }
        let mut first = Vec::with_capacity(sets.len());
        let mut total = 0;
        for &s in sets {
            first.push(total);
            total += s;
        }
        Mixers {
            first,
            sets: sets.to_vec(),
            w: vec![row; total],
            x: [[0.0; LANES]; ROW_BLOCKS],
            sel: vec![0; sets.len()],
            p: vec![32768; sets.len()],
        }
    }

    /// Sets input `i` (below [`MAX_INPUTS`]).
    #[inline(always)]
    pub fn set(&mut self, i: usize, v: f32) {
        self.x[i / LANES][i % LANES] = v;
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
        for k in 0..self.sets.len() {
            let r = self.first[k] + sel[k].min(self.sets[k] - 1);
            self.sel[k] = r;
            let z = dot_row(&self.w[r], &self.x).clamp(-15.9, 15.9);
            self.p[k] = t.squash16((z * 256.0) as i32);
            out[k] = z;
        }
    }

    /// One step of each mixer toward `bit`, on its own error, at rate `lr`.
    #[inline(always)]
    pub fn update(&mut self, bit: u8, lr: f32) {
        let target = if bit != 0 { 65536.0 } else { 0.0 };
        // Copies in registers: with `w` and `x` both behind `self`, the compiler
        // would otherwise fear they overlap and update one float at a time.
        let x = self.x;
        for k in 0..self.sets.len() {
            let err = (target - self.p[k] as f32) * (1.0 / 65536.0);
            if err.abs() < SKIP_ERROR {
                continue;
            }
            let a = lr * err;
            let mut w = self.w[self.sel[k]];
            for (wb, xb) in w.iter_mut().zip(&x) {
                for l in 0..LANES {
                    wb[l] += a * xb[l];
                }
            }
            self.w[self.sel[k]] = w;
        }
    }

    /// Number of weights.
    pub fn param_count(&self) -> usize {
        self.w.len() * MAX_INPUTS
    }

    /// Bytes held by the weights.
    pub fn memory_bytes(&self) -> usize {
        4 * self.param_count()
    }
}

impl Mixers {
    /// [`Mixers::forward`] as a read-only look (for `nnzip explain`): the
    /// log-odds of every mixer for inputs `x` and weight sets `sel`, the same values,
    /// nothing remembered for [`Mixers::update`].
    pub fn peek(&self, x: &Row, sel: &[usize], out: &mut [f32]) {
        for k in 0..self.sets.len() {
            let r = self.first[k] + sel[k].min(self.sets[k] - 1);
            out[k] = dot_row(&self.w[r], x).clamp(-15.9, 15.9);
        }
    }
}

/// `w·x` over a whole row, lane-wise in a fixed order, then [`reduce`].
#[inline(always)]
fn dot_row(w: &Row, x: &Row) -> f32 {
    let mut acc = [0f32; LANES];
    for (wb, xb) in w.iter().zip(x) {
        for l in 0..LANES {
            acc[l] += wb[l] * xb[l];
        }
    }
    reduce(acc)
}
