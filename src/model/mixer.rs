//! The network's first layer: a few linear mixers over all the context models'
//! inputs, each with its weight set chosen by a small context of its own (the
//! partial byte; the match and order state with the last byte's high bits; the last
//! byte), each trained on its own prediction's error. A [`Bank`] holds three, or
//! (the fast preset) only the second, whose output is then the prediction.
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

/// The first-layer mixers, `M` of them.
///
/// The mixer count is a compile-time constant, so that the per-mixer loops unroll
/// and index fixed arrays without bounds checks.
#[derive(Debug)]
pub struct Mixers<const M: usize> {
    /// Index of each mixer's first weight set in `w`.
    first: [usize; M],
    /// The last weight set of each mixer (a selection is clamped to it).
    last: [usize; M],
    /// Every mixer's weight sets, one after the other.
    w: Vec<Row>,
    /// The selected row of each mixer.
    sel: [usize; M],
    /// Each mixer's probability (16 bits).
    p: [u32; M],
    /// Blocks of each row that can hold a non-zero input (1..=[`ROW_BLOCKS`]): the
    /// row operations skip the rest, which are zero in the inputs and the weights
    /// and would add exact zeros.
    used: usize,
}

impl<const M: usize> Mixers<M> {
    /// Mixers over `inputs` inputs (at most [`MAX_INPUTS`]), with `sets[k]` weight
    /// sets (at least 1) for mixer `k`, every weight starting at `w0`.
    pub fn new(inputs: usize, sets: [usize; M], w0: f32) -> Self {
        assert!(
            inputs <= MAX_INPUTS,
            "a mixer takes at most {MAX_INPUTS} inputs"
        );
        assert!(sets.iter().all(|&s| s > 0), "a mixer needs a weight set");
        let mut row = [[0f32; LANES]; ROW_BLOCKS];
        for i in 0..inputs {
            row[i / LANES][i % LANES] = w0;
        }
        let mut first = [0; M];
        let mut total = 0;
        for (f, &s) in first.iter_mut().zip(&sets) {
            *f = total;
            total += s;
        }
        Mixers {
            first,
            last: sets.map(|s| s - 1),
            w: vec![row; total],
            sel: [0; M],
            p: [32768; M],
            used: inputs.div_ceil(LANES).clamp(1, ROW_BLOCKS),
        }
    }

    /// Number of mixers.
    pub const fn len(&self) -> usize {
        M
    }

    /// Whether there are no mixers.
    pub const fn is_empty(&self) -> bool {
        M == 0
    }

    /// Computes every mixer's output for inputs `x` (unused inputs 0) with the
    /// weight sets `sel` (one per mixer, each below that mixer's set count) and
    /// writes the outputs to `out`.
    #[inline(always)]
    pub fn forward(&mut self, x: &Row, sel: &[usize; M], t: &Tables, out: &mut [f32]) {
        match self.used {
            1 => self.forward_n::<1>(x, sel, t, out),
            2 => self.forward_n::<2>(x, sel, t, out),
            3 => self.forward_n::<3>(x, sel, t, out),
            _ => self.forward_n::<ROW_BLOCKS>(x, sel, t, out),
        }
    }

    /// [`Mixers::forward`] over the first `B` blocks of each row.
    #[inline(always)]
    fn forward_n<const B: usize>(
        &mut self,
        x: &Row,
        sel: &[usize; M],
        t: &Tables,
        out: &mut [f32],
    ) {
        let out = &mut out[..M];
        for k in 0..M {
            let r = self.first[k] + sel[k].min(self.last[k]);
            self.sel[k] = r;
            let z = dot_row::<B>(&self.w[r], x).clamp(-15.9, 15.9);
            self.p[k] = t.squash16((z * 256.0) as i32);
            out[k] = z;
        }
    }

    /// One step of each mixer toward `bit`, on its own error, at rate `lr`; `x` are
    /// the inputs of the last [`Mixers::forward`].
    #[inline(always)]
    pub fn update(&mut self, x: &Row, bit: u8, lr: f32) {
        match self.used {
            1 => self.update_n::<1>(x, bit, lr),
            2 => self.update_n::<2>(x, bit, lr),
            3 => self.update_n::<3>(x, bit, lr),
            _ => self.update_n::<ROW_BLOCKS>(x, bit, lr),
        }
    }

    /// [`Mixers::update`] over the first `B` blocks of each row.
    #[inline(always)]
    fn update_n<const B: usize>(&mut self, x: &Row, bit: u8, lr: f32) {
        let target = if bit != 0 { 65536.0 } else { 0.0 };
        // A copy in registers: the compiler would otherwise fear that `x` and the
        // weights overlap and update one float at a time.
        let x = *x;
        for k in 0..M {
            let err = (target - self.p[k] as f32) * (1.0 / 65536.0);
            if err.abs() < SKIP_ERROR {
                continue;
            }
            let a = lr * err;
            let mut w = self.w[self.sel[k]];
            for (wb, xb) in w[..B].iter_mut().zip(&x[..B]) {
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

/// Which of the three selections a [`Bank`] of one mixer keeps: the order/match depth
/// with the last byte's high bits. Alone, it mixed best of the three (enwik8's first 2 MB in the
/// fast preset: 467,750 bytes, against 471,381 for the partial byte's and 470,172 for
/// the last byte's).
pub const SINGLE: usize = 1;

/// The first layer: three mixers, or one, over one shared row of inputs.
///
/// The mixers are an enum of the two fixed counts rather than a count known only at
/// run time, so that each variant's loops keep their fixed length (see [`Mixers`]);
/// choosing the variant costs one predictable branch per call, and the inputs, kept
/// outside the enum, none.
#[derive(Debug)]
pub struct Bank {
    /// The inputs of the current prediction (unused inputs stay 0), shared by the
    /// mixers.
    pub x: Row,
    mixers: Layer,
}

/// The mixers of a [`Bank`].
#[derive(Debug)]
#[repr(u8)]
enum Layer {
    /// Three mixers, one per selection.
    Three(Mixers<3>),
    /// One mixer, on selection [`SINGLE`].
    One(Mixers<1>),
}

impl Bank {
    /// A first layer over `inputs` inputs: one mixer if `single` (with
    /// `sets[SINGLE]` weight sets), else three (mixer `k` with `sets[k]`), every
    /// weight starting at `w0`.
    pub fn new(single: bool, inputs: usize, sets: [usize; 3], w0: f32) -> Self {
        let mixers = if single {
            Layer::One(Mixers::new(inputs, [sets[SINGLE]], w0))
        } else {
            Layer::Three(Mixers::new(inputs, sets, w0))
        };
        Bank {
            x: [[0.0; LANES]; ROW_BLOCKS],
            mixers,
        }
    }

    /// Number of mixers.
    pub const fn len(&self) -> usize {
        match self.mixers {
            Layer::Three(_) => 3,
            Layer::One(_) => 1,
        }
    }

    /// Whether there are no mixers (never).
    pub const fn is_empty(&self) -> bool {
        false
    }

    /// [`Mixers::forward`] with the three selections `sel` (the one mixer takes
    /// `sel[SINGLE]`).
    #[inline(always)]
    pub fn forward(&mut self, sel: &[usize; 3], t: &Tables, out: &mut [f32]) {
        match &mut self.mixers {
            Layer::Three(m) => m.forward(&self.x, sel, t, out),
            Layer::One(m) => m.forward(&self.x, &[sel[SINGLE]], t, out),
        }
    }

    /// Whether this is one mixer over one block of inputs: what
    /// [`Bank::forward_lean`] and [`Bank::update_lean`] take.
    pub fn lean(&self) -> bool {
        matches!(&self.mixers, Layer::One(m) if m.used == 1)
    }

    /// [`Bank::forward`] of a [`Bank::lean`] bank with selection `sel` (the one
    /// mixer's), without the checks of its shape: the one mixer's log-odds.
    #[inline(always)]
    pub fn forward_lean(&mut self, sel: usize, t: &Tables) -> f32 {
        let mut z = [0f32];
        if let Layer::One(m) = &mut self.mixers {
            m.forward_n::<1>(&self.x, &[sel], t, &mut z);
        }
        z[0]
    }

    /// [`Bank::update`] of a [`Bank::lean`] bank.
    #[inline(always)]
    pub fn update_lean(&mut self, bit: u8, lr: f32) {
        if let Layer::One(m) = &mut self.mixers {
            m.update_n::<1>(&self.x, bit, lr);
        }
    }

    /// [`Mixers::update`].
    #[inline(always)]
    pub fn update(&mut self, bit: u8, lr: f32) {
        match &mut self.mixers {
            Layer::Three(m) => m.update(&self.x, bit, lr),
            Layer::One(m) => m.update(&self.x, bit, lr),
        }
    }

    /// [`Mixers::peek`] with the three selections `sel`.
    pub fn peek(&self, x: &Row, sel: &[usize; 3], out: &mut [f32]) {
        match &self.mixers {
            Layer::Three(m) => m.peek(x, sel, out),
            Layer::One(m) => m.peek(x, &[sel[SINGLE]], out),
        }
    }

    /// Number of weights.
    pub fn param_count(&self) -> usize {
        match &self.mixers {
            Layer::Three(m) => m.param_count(),
            Layer::One(m) => m.param_count(),
        }
    }

    /// Bytes held by the weights.
    pub fn memory_bytes(&self) -> usize {
        4 * self.param_count()
    }
}

impl<const M: usize> Mixers<M> {
    /// [`Mixers::forward`] as a read-only look (for `nnzip explain`): the
    /// log-odds of every mixer for inputs `x` and weight sets `sel`, the same values,
    /// nothing remembered for [`Mixers::update`].
    pub fn peek(&self, x: &Row, sel: &[usize; M], out: &mut [f32]) {
        for k in 0..M {
            let r = self.first[k] + sel[k].min(self.last[k]);
            // All blocks: the unused ones add exact zeros, as in `forward`.
            out[k] = dot_row::<ROW_BLOCKS>(&self.w[r], x).clamp(-15.9, 15.9);
        }
    }
}

/// `w·x` over the first `B` blocks of a row, lane-wise in a fixed order, then
/// [`reduce`].
#[inline(always)]
fn dot_row<const B: usize>(w: &Row, x: &Row) -> f32 {
    let mut acc = [0f32; LANES];
    for (wb, xb) in w[..B].iter().zip(&x[..B]) {
        for l in 0..LANES {
            acc[l] += wb[l] * xb[l];
        }
    }
    reduce(acc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::squash::tables;

    /// Two inputs: input 0 tells the bit (+2 for a 1, -2 for a 0), input 1 says the
    /// opposite half of the time. Bits follow a fixed pattern.
    fn train(m: &mut Mixers<2>, steps: u32, out: &mut Vec<f32>) {
        let t = tables();
        let mut x: Row = [[0.0; LANES]; ROW_BLOCKS];
        for i in 0..steps {
            let bit = u8::from((i * 7) % 11 < 5);
            let s = if bit == 1 { 2.0 } else { -2.0 };
            x[0][0] = s;
            x[0][1] = if i % 2 == 0 { s } else { -s };
            let mut z = [0f32; 2];
            m.forward(&x, &[(i % 3) as usize, 0], t, &mut z);
            out.extend_from_slice(&z);
            m.update(&x, bit, 0.02);
        }
    }

    #[test]
    fn counts_its_mixers() {
        let m = Mixers::new(10, [4, 4, 4], 0.1);
        assert_eq!((m.len(), m.is_empty()), (3, false));
        let none = Mixers::<0>::new(10, [], 0.1);
        assert_eq!((none.len(), none.is_empty()), (0, true));
    }

    #[test]
    fn learns_to_trust_the_input_that_tells_the_bit() {
        let mut m = Mixers::new(2, [3, 1], 0.1);
        let mut z = Vec::new();
        train(&mut m, 3000, &mut z);
        // Every weight set of mixer 0 and the single one of mixer 1 end confident and
        // right: the last step's bit is a 1 iff (2999 * 7) % 11 < 5.
        let bit = (2999 * 7) % 11 < 5;
        let (a, b) = (z[z.len() - 2], z[z.len() - 1]);
        assert_eq!(a > 4.0, bit, "{a}");
        assert_eq!(b > 4.0, bit, "{b}");
        assert!(a.abs() > 4.0 && b.abs() > 4.0, "{a} {b}");
        for r in 0..4 {
            assert!(m.w[r][0][0] > 1.0, "set {r}: {:?}", m.w[r][0]);
            assert!(
                m.w[r][0][1].abs() < m.w[r][0][0] / 4.0,
                "set {r}: {:?}",
                m.w[r][0]
            );
        }
        // Padding weights never move.
        assert!(m
            .w
            .iter()
            .all(|row| row.as_flattened()[2..].iter().all(|&w| w == 0.0)));
    }

    #[test]
    fn selection_is_clamped_to_the_sets() {
        let t = tables();
        let mut m = Mixers::new(1, [2], 0.5);
        let mut x: Row = [[0.0; LANES]; ROW_BLOCKS];
        x[0][0] = 1.0;
        let mut z = [0f32];
        m.forward(&x, &[99], t, &mut z);
        assert_eq!(m.sel, [1]);
        assert_eq!(z, [0.5]);
    }

    #[test]
    fn fixed_vector() {
        let mut m = Mixers::new(2, [3, 1], 0.1);
        let mut z = Vec::new();
        train(&mut m, 12, &mut z);
        let bits: Vec<u32> = z.iter().map(|v| v.to_bits()).collect();
        assert_eq!(bits, FIXED);
    }

    /// One mixer takes the selection [`SINGLE`] of the three and computes what a
    /// lone [`Mixers`] with that selection computes; three compute what three do.
    #[test]
    fn a_bank_of_one_uses_the_depth_selection() {
        let t = tables();
        let sets = [5, 7, 9];
        let mut one = Bank::new(true, 3, sets, 0.2);
        let mut three = Bank::new(false, 3, sets, 0.2);
        let mut lone = Mixers::new(3, [sets[SINGLE]], 0.2);
        let mut trio = Mixers::new(3, sets, 0.2);
        assert_eq!((one.len(), three.len()), (1, 3));
        assert_eq!(one.param_count(), sets[SINGLE] * MAX_INPUTS);
        assert_eq!(three.param_count(), 21 * MAX_INPUTS);
        assert!(!one.is_empty());
        for i in 0..50u32 {
            let bit = u8::from(i % 3 == 0);
            let mut x: Row = [[0.0; LANES]; ROW_BLOCKS];
            x[0][..3].copy_from_slice(&[i as f32 / 25.0 - 1.0, 1.0, -0.5]);
            let sel = [i as usize % 5, i as usize % 7, i as usize % 9];
            one.x = x;
            three.x = x;
            let (mut a, mut b, mut c, mut d) = ([0f32; 1], [0f32; 1], [0f32; 3], [0f32; 3]);
            one.forward(&sel, t, &mut a);
            lone.forward(&x, &[sel[SINGLE]], t, &mut b);
            three.forward(&sel, t, &mut c);
            trio.forward(&x, &sel, t, &mut d);
            assert_eq!((a, c), (b, d), "step {i}");
            let mut peeked = [0f32; 1];
            one.peek(&x, &sel, &mut peeked);
            assert_eq!(peeked, a);
            one.update(bit, 0.05);
            lone.update(&x, bit, 0.05);
            three.update(bit, 0.05);
            trio.update(&x, bit, 0.05);
        }
    }

    const FIXED: [u32; 24] = [
        1053609165, 1053609165, 0, 0, 1053609165, 1055765709, 0, 3181631244, 3201092813,
        3204887019, 0, 1042326652, 3203249357, 3205885747, 3181631244, 3194760396, 1055765709,
        1059364331, 3181631244, 3197786439, 1055765708, 1060290723, 1034147596, 1052586474,
    ];
}
