//! The network: a ReLU MLP that turns the context inputs of one bit into the log-odds
//! that the bit is 1, trained online by one SGD step after every bit.
//!
//! ```text
//! x (context log-odds) ─► W0·x + b0 + Σ embeddings ─► act ─► [W1·h + b1 ─► act] ─► v·h + u·x ─► logit
//! ```
//! The first layer also adds learned embedding rows (of the partial byte and of the
//! most recent bytes), which are updated sparsely: only the rows used. The output adds
//! a linear path from the inputs (`u·x`), so that the network starts as a plain
//! logistic mixer and the hidden units learn what a linear mix cannot. Output weights
//! are selected per bit-tree node.
//!
//! Layout: widths are padded to blocks of 8 floats, and every loop works on whole
//! blocks, which the compiler turns into SIMD code. Padding units have zero weights
//! in and out and stay exactly zero forever.
//!
//! Determinism: every sum is accumulated in one fixed order in plain `f32` arithmetic
//! (Rust never contracts `a*b+c` into FMA on its own, and never reorders float sums),
//! so every CPU and every `target-cpu` computes bit-identical results.

use super::config::Activation;
use ndarray::{Array1, Array2};
use rand::RngCore;
use rand_chacha::ChaCha8Rng;

/// Most embedding rows one prediction can use.
pub const MAX_ROWS: usize = 16;

/// Floats per block.
const LANES: usize = 8;
type Block = [f32; LANES];

/// Rounds `n` up to whole blocks.
fn padded(n: usize) -> usize {
    n.div_ceil(LANES) * LANES
}

fn blocks(s: &[f32]) -> &[Block] {
    s.as_chunks::<LANES>().0
}

fn blocks_mut(s: &mut [f32]) -> &mut [Block] {
    s.as_chunks_mut::<LANES>().0
}

/// Uniform float in `[-a, a)` from the generator, mapped by our own code (stable
/// across `rand` releases).
fn uniform(rng: &mut ChaCha8Rng, a: f32) -> f32 {
    let u = (rng.next_u32() >> 8) as f32 * (1.0 / 16_777_216.0);
    (2.0 * u - 1.0) * a
}

/// A `rows x cols_padded` matrix, uniform in `[-a, a)` on the first `cols` columns
/// of the first `rows_used` rows, zero elsewhere.
fn random_matrix(
    rng: &mut ChaCha8Rng,
    rows: usize,
    rows_used: usize,
    cols: usize,
    a: f32,
) -> Array2<f32> {
    let mut m = Array2::zeros((rows, padded(cols)));
    // Row-major order, so the generator's values land in the same places always.
    for ((r, c), v) in m.indexed_iter_mut() {
        if r < rows_used && c < cols {
            *v = uniform(rng, a);
        }
    }
    m
}

/// Errors smaller than this skip the network's training step: the bit was predicted
/// well and the step would change little. Measured on enwik6 (default preset): 21%
/// less CPU time for 0.2% more bits; 0.05 costs 1%.
const SKIP_ERROR: f32 = 0.02;

/// Dot product of two block slices in a fixed order: lane-wise partial sums, then
/// the eight lanes combined as a balanced tree.
#[inline(always)]
fn dot(a: &[Block], b: &[Block]) -> f32 {
    let mut acc = [0f32; LANES];
    for (x, y) in a.iter().zip(b) {
        let (x, y) = (*x, *y);
        for k in 0..LANES {
            acc[k] += x[k] * y[k];
        }
    }
    ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]))
}

/// `y += a * x`, blockwise.
#[inline(always)]
fn axpy(y: &mut [Block], a: f32, x: &[Block]) {
    for (yb, xb) in y.iter_mut().zip(x) {
        let (mut t, s) = (*yb, *xb);
        for k in 0..LANES {
            t[k] += a * s[k];
        }
        *yb = t;
    }
}

/// `y = x`, blockwise (inline, where `copy_from_slice` would call `memcpy`).
#[inline(always)]
fn copy(y: &mut [Block], x: &[Block]) {
    for (yb, xb) in y.iter_mut().zip(x) {
        *yb = *xb;
    }
}

/// `y += x`, blockwise.
#[inline(always)]
fn add(y: &mut [Block], x: &[Block]) {
    for (yb, xb) in y.iter_mut().zip(x) {
        let (mut t, s) = (*yb, *xb);
        for k in 0..LANES {
            t[k] += s[k];
        }
        *yb = t;
    }
}

/// One hidden layer's weights and the values of its last forward pass.
#[derive(Debug)]
struct Layer {
    /// `inputs x width` (padded), row-major: row `i` holds input `i`'s weight to
    /// every unit.
    w: Array2<f32>,
    b: Array1<f32>,
    pre: Vec<f32>,
    out: Vec<f32>,
    delta: Vec<f32>,
}

/// Counters behind [`super::ActivationStats`].
#[derive(Debug, Clone, Default)]
pub struct UnitStats {
    /// Number of predictions counted.
    pub predictions: u64,
    /// Per hidden unit (all layers, padding excluded): predictions in which it was
    /// non-zero.
    pub active: Vec<u64>,
}

/// The MLP with its scratch space.
#[derive(Debug)]
pub struct Mlp {
    act: Activation,
    width: usize,
    layers: Vec<Layer>,
    /// Embedding rows added to the first layer's pre-activation.
    emb: Array2<f32>,
    /// Output weights from the last hidden layer, one row per output set.
    v: Array2<f32>,
    /// Output weights straight from the inputs, one row per output set.
    u: Array2<f32>,
    /// Rows of the first layer (and of `u`) per input: an input's row is chosen by
    /// how much evidence its context has seen, so trust can depend on it.
    variants: usize,
    x: Vec<f32>,
    /// The row used by each input in the current prediction.
    xrow: Vec<usize>,
    rows: [usize; MAX_ROWS],
    n_rows: usize,
    set: usize,
    lr: f32,
    lr_skip: f32,
    /// Per padded unit of every layer: count of non-zero outputs (u32 for SIMD).
    fired: Vec<u32>,
    predictions: u64,
}

impl Mlp {
    /// A network with `inputs` inputs (each with `variants` weight rows to choose
    /// from), `layers` hidden layers of `width` units, `emb_rows` embedding rows and
    /// `sets` output sets, initialised from `rng`.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        inputs: usize,
        variants: usize,
        width: usize,
        layers: usize,
        act: Activation,
        emb_rows: usize,
        sets: usize,
        lr: f32,
        rng: &mut ChaCha8Rng,
    ) -> Self {
        let pw = padded(width);
        let in_rows = inputs * variants;
        let mut ls = Vec::with_capacity(layers);
        for l in 0..layers {
            let (rows, fan_in) = if l == 0 {
                (in_rows, inputs)
            } else {
                (pw, width)
            };
            let a = (1.0 / fan_in as f32).sqrt();
            let mut b = Array1::zeros(pw);
            b.iter_mut().take(width).for_each(|v| *v = 0.1);
            ls.push(Layer {
                w: random_matrix(rng, rows, rows, width, a),
                b,
                pre: vec![0.0; pw],
                out: vec![0.0; pw],
                delta: vec![0.0; pw],
            });
        }
        let emb = random_matrix(rng, emb_rows.max(1), emb_rows, width, 0.05);
        let v = random_matrix(rng, sets, sets, width, 0.05);
        let u = Array2::from_elem((sets, in_rows), 0.3);
        Mlp {
            act,
            width,
            layers: ls,
            emb,
            v,
            u,
            variants,
            x: vec![0.0; inputs],
            xrow: (0..inputs).map(|i| i * variants).collect(),
            rows: [0; MAX_ROWS],
            n_rows: 0,
            set: 0,
            lr,
            lr_skip: lr * 0.1,
            fired: vec![0; pw * layers],
            predictions: 0,
        }
    }

    /// Sets input `i` to `value`, using its weight row `variant` (below `variants`).
    #[inline(always)]
    pub fn set_input(&mut self, i: usize, variant: usize, value: f32) {
        self.x[i] = value;
        self.xrow[i] = i * self.variants + variant.min(self.variants - 1);
    }

    #[inline(always)]
    fn activate(act: Activation, x: f32) -> f32 {
        match act {
            Activation::Relu => x.max(0.0),
            Activation::Linear => x,
            Activation::LeakyRelu => {
                if x > 0.0 {
                    x
                } else {
                    x * 0.0625
                }
            }
        }
    }

    #[inline(always)]
    fn derivative(act: Activation, pre: f32) -> f32 {
        match act {
            Activation::Relu => {
                if pre > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Activation::Linear => 1.0,
            Activation::LeakyRelu => {
                if pre > 0.0 {
                    1.0
                } else {
                    0.0625
                }
            }
        }
    }

    /// Applies the activation to a layer and counts its non-zero outputs.
    #[inline(always)]
    fn activate_layer(act: Activation, l: &mut Layer, fired: &mut [u32]) {
        for ((o, p), f) in blocks_mut(&mut l.out)
            .iter_mut()
            .zip(blocks(&l.pre))
            .zip(fired.as_chunks_mut::<LANES>().0)
        {
            let (p, mut ob, mut fb) = (*p, *o, *f);
            for k in 0..LANES {
                ob[k] = Self::activate(act, p[k]);
                fb[k] += u32::from(ob[k] != 0.0);
            }
            *o = ob;
            *f = fb;
        }
    }

    /// Computes the log-odds of a 1 from the inputs, the embedding `rows` and the
    /// output `set`.
    #[inline(always)]
    pub fn forward(&mut self, rows: &[usize], set: usize) -> f32 {
        self.n_rows = rows.len().min(MAX_ROWS);
        for (d, &r) in self.rows.iter_mut().zip(rows) {
            *d = r;
        }
        self.set = set;
        self.predictions += 1;
        let act = self.act;
        let pw = self.layers[0].pre.len();
        let (first, rest) = self.layers.split_at_mut(1);
        let l0 = &mut first[0];
        copy(
            blocks_mut(&mut l0.pre),
            blocks(l0.b.as_slice().unwrap_or(&[])),
        );
        let w = l0.w.as_slice().unwrap_or(&[]);
        for (&xi, &r) in self.x.iter().zip(&self.xrow) {
            axpy(
                blocks_mut(&mut l0.pre),
                xi,
                blocks(&w[r * pw..(r + 1) * pw]),
            );
        }
        let emb = self.emb.as_slice().unwrap_or(&[]);
        for &r in &self.rows[..self.n_rows] {
            add(blocks_mut(&mut l0.pre), blocks(&emb[r * pw..(r + 1) * pw]));
        }
        Self::activate_layer(act, l0, &mut self.fired[..pw]);
        let mut prev: &[f32] = &l0.out;
        for (i, l) in rest.iter_mut().enumerate() {
            copy(
                blocks_mut(&mut l.pre),
                blocks(l.b.as_slice().unwrap_or(&[])),
            );
            let w = l.w.as_slice().unwrap_or(&[]);
            for (&a, wr) in prev[..self.width].iter().zip(w.chunks_exact(pw)) {
                axpy(blocks_mut(&mut l.pre), a, blocks(wr));
            }
            let f = &mut self.fired[(i + 1) * pw..(i + 2) * pw];
            Self::activate_layer(act, l, f);
            prev = &l.out;
        }
        let v = &self.v.as_slice().unwrap_or(&[])[set * pw..(set + 1) * pw];
        let in_rows = self.u.ncols();
        let u = &self.u.as_slice().unwrap_or(&[])[set * in_rows..(set + 1) * in_rows];
        let mut skip = 0f32;
        for (&xi, &r) in self.x.iter().zip(&self.xrow) {
            skip += xi * u[r];
        }
        dot(blocks(prev), blocks(v)) + skip
    }

    /// One SGD step on the last forward pass; `err` is `bit - p` (the gradient of
    /// the log-likelihood with respect to the output log-odds).
    #[inline(always)]
    pub fn backward(&mut self, err: f32) {
        if err.abs() < SKIP_ERROR {
            return;
        }
        let act = self.act;
        let set = self.set;
        let lr = self.lr;
        let n = self.layers.len();
        let pw = self.layers[0].pre.len();
        let in_rows = self.u.ncols();
        // Output layer: delta of the last hidden layer uses the weights before the step.
        {
            let last = &mut self.layers[n - 1];
            let v = &mut self.v.as_slice_mut().unwrap_or(&mut [])[set * pw..(set + 1) * pw];
            let g = lr * err;
            for (((d, p), vv), a) in blocks_mut(&mut last.delta)
                .iter_mut()
                .zip(blocks(&last.pre))
                .zip(blocks_mut(v))
                .zip(blocks(&last.out))
            {
                let (p, a, mut db, mut vb) = (*p, *a, *d, *vv);
                for k in 0..LANES {
                    db[k] = err * vb[k] * Self::derivative(act, p[k]);
                    vb[k] += g * a[k];
                }
                *d = db;
                *vv = vb;
            }
            let u =
                &mut self.u.as_slice_mut().unwrap_or(&mut [])[set * in_rows..(set + 1) * in_rows];
            let ls = self.lr_skip * err;
            for (&xi, &r) in self.x.iter().zip(&self.xrow) {
                u[r] += ls * xi;
            }
        }
        // Hidden layers, last to second.
        for l in (1..n).rev() {
            let (lo, hi) = self.layers.split_at_mut(l);
            let below = &mut lo[l - 1];
            let cur = &mut hi[0];
            let w = cur.w.as_slice_mut().unwrap_or(&mut []);
            for (k, wr) in w.chunks_exact_mut(pw).enumerate() {
                let s = dot(blocks(wr), blocks(&cur.delta));
                axpy(blocks_mut(wr), lr * below.out[k], blocks(&cur.delta));
                below.delta[k] = s * Self::derivative(act, below.pre[k]);
            }
            axpy(
                blocks_mut(cur.b.as_slice_mut().unwrap_or(&mut [])),
                lr,
                blocks(&cur.delta),
            );
        }
        // First layer, its embeddings and bias: scale the delta by the rate once.
        let l0 = &mut self.layers[0];
        for d in blocks_mut(&mut l0.delta) {
            let mut t = *d;
            for x in t.iter_mut() {
                *x *= lr;
            }
            *d = t;
        }
        let delta = blocks(&l0.delta);
        let w = l0.w.as_slice_mut().unwrap_or(&mut []);
        for (&xi, &r) in self.x.iter().zip(&self.xrow) {
            axpy(blocks_mut(&mut w[r * pw..(r + 1) * pw]), xi, delta);
        }
        let emb = self.emb.as_slice_mut().unwrap_or(&mut []);
        for &r in &self.rows[..self.n_rows] {
            add(blocks_mut(&mut emb[r * pw..(r + 1) * pw]), delta);
        }
        add(blocks_mut(l0.b.as_slice_mut().unwrap_or(&mut [])), delta);
    }

    /// Sets the learning rate of the following steps.
    pub fn set_lr(&mut self, lr: f32) {
        self.lr = lr;
        self.lr_skip = lr * 0.1;
    }

    /// Hidden-unit statistics so far (padding units excluded).
    pub fn stats(&self) -> UnitStats {
        let pw = self.layers[0].pre.len();
        UnitStats {
            predictions: self.predictions,
            active: self
                .fired
                .chunks_exact(pw)
                .flat_map(|l| l[..self.width].iter().map(|&c| u64::from(c)))
                .collect(),
        }
    }

    /// Number of learned parameters (padding excluded).
    pub fn param_count(&self) -> usize {
        let w = self.width;
        let first = self.u.ncols() * w + w;
        let hidden = (self.layers.len() - 1) * (w * w + w);
        first + hidden + self.emb.nrows() * w + self.v.nrows() * w + self.u.len()
    }
}
