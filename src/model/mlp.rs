//! The network's second layer: a small ReLU MLP over the first-layer mixers'
//! outputs ([`super::mixer`]), with a linear skip path, trained online by one SGD
//! step on the code length after every bit.
//!
//! ```text
//!  z (mixer log-odds), 1 ─┬─► W1·z + b1 + E[c0] ─► ReLU ─► [W2·h + b2 ─► ReLU] ─► v[s]·h ─┐
//!                         └─► u[s]·z ────────────────────────────────────────────────────┴─► logit
//! ```
//! The skip path `u·z` starts as the average of the mixers (what a linear final
//! mixer in paq does). The hidden ReLU units learn what such a linear mix cannot:
//! each unit is an `if` that passes its weighted evidence or discards it, so the
//! network can trust one mixer *when* another is confident, and not otherwise. The
//! embedding row `E[c0]` of the partial byte lets units specialise by bit position.
//! Output sets `s` are chosen by the bit position.
//!
//! Layout: plain `Vec<f32>`s (not `ndarray`), because every loop runs over one row at
//! a time in blocks of 8 floats, which the compiler turns into SIMD code; widths are
//! padded to whole blocks and padding stays exactly zero.
//!
//! Determinism: every sum is accumulated in one fixed order in plain `f32` arithmetic
//! (Rust never contracts `a*b+c` into FMA on its own, and never reorders float sums),
//! so every CPU and every `target-cpu` computes bit-identical results.

// Index loops over several arrays at once are deliberate here: the layers are a
// block or two wide, and iterator chains cost more set-up than the arithmetic.
#![allow(clippy::needless_range_loop)]

use super::config::{tanh_approx, Activation};
use rand::RngCore;
use rand_chacha::ChaCha8Rng;

/// Floats per block.
pub const LANES: usize = 8;
/// A block of floats, the unit of the vector loops.
pub type Block = [f32; LANES];

/// Rounds `n` up to whole blocks.
pub fn padded(n: usize) -> usize {
    n.div_ceil(LANES) * LANES
}

/// A slice as blocks of 8 floats (its length is a multiple of 8).
#[inline(always)]
pub fn blocks(s: &[f32]) -> &[Block] {
    s.as_chunks::<LANES>().0
}

/// A mutable slice as blocks of 8 floats.
#[inline(always)]
pub fn blocks_mut(s: &mut [f32]) -> &mut [Block] {
    s.as_chunks_mut::<LANES>().0
}

/// Uniform float in `[-a, a)` from the generator, mapped by our own code (stable
/// across `rand` releases).
fn uniform(rng: &mut ChaCha8Rng, a: f32) -> f32 {
    let u = (rng.next_u32() >> 8) as f32 * (1.0 / 16_777_216.0);
    (2.0 * u - 1.0) * a
}

/// `rows` rows of `cols_padded` floats, uniform in `[-a, a)` on the first `cols`.
fn random_rows(rng: &mut ChaCha8Rng, rows: usize, cols: usize, a: f32) -> Vec<f32> {
    let pc = padded(cols);
    let mut m = vec![0f32; rows * pc];
    for r in 0..rows {
        for c in 0..cols {
            m[r * pc + c] = uniform(rng, a);
        }
    }
    m
}

/// The eight lanes summed in a fixed order: lane `k` with lane `k + 4`, then
/// `k` with `k + 2`, then the last two.
///
/// On x86-64 the sums are SSE instructions on the two halves, in that order, so the
/// lanes stay in registers. The portable version (below) must hide the lanes from
/// the optimiser, which otherwise rearranges the accumulating loop to suit the
/// reduction, and that goes through memory: a vector store read back as scalars,
/// on the critical path of every mixer and network output. The intrinsics took
/// 5.7% off the fast preset's time and 2.8% off the default's (alternating runs on
/// enwik8's first 2 MB) for 1.7% fewer instructions, with the same output.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub fn reduce(acc: Block) -> f32 {
    use std::arch::x86_64::{
        _mm_add_ps, _mm_add_ss, _mm_cvtss_f32, _mm_movehl_ps, _mm_setr_ps, _mm_shuffle_ps,
    };
    // SAFETY: these SSE intrinsics only need SSE, which every x86-64 CPU has.
    #[allow(unsafe_code)]
    unsafe {
        let lo = _mm_setr_ps(acc[0], acc[1], acc[2], acc[3]);
        let hi = _mm_setr_ps(acc[4], acc[5], acc[6], acc[7]);
        let h = _mm_add_ps(lo, hi);
        let q = _mm_add_ps(h, _mm_movehl_ps(h, h));
        _mm_cvtss_f32(_mm_add_ss(q, _mm_shuffle_ps::<1>(q, q)))
    }
}

/// The eight lanes summed in a fixed order, as the x86-64 version.
///
/// `black_box` keeps the optimiser from looking through the reduction into the
/// accumulating loop: otherwise it rearranges the loop's lanes into pairs to suit
/// the reduction, and the loop runs on 2-float vectors instead of 8-float ones
/// (measured on x86-64: 4x more instructions per block). It changes no value.
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
pub fn reduce(acc: Block) -> f32 {
    let acc = std::hint::black_box(acc);
    let h = [
        acc[0] + acc[4],
        acc[1] + acc[5],
        acc[2] + acc[6],
        acc[3] + acc[7],
    ];
    (h[0] + h[2]) + (h[1] + h[3])
}

/// A float vector (whose length is a multiple of 8) as blocks.
fn to_blocks(v: Vec<f32>) -> Vec<Block> {
    v.as_chunks::<LANES>().0.to_vec()
}

/// Dot product of two block slices in a fixed order: lane-wise partial sums, then
/// [`reduce`].
#[inline(always)]
pub fn dot(a: &[Block], b: &[Block]) -> f32 {
    let mut acc = [0f32; LANES];
    for (x, y) in a.iter().zip(b) {
        let (x, y) = (*x, *y);
        for k in 0..LANES {
            acc[k] += x[k] * y[k];
        }
    }
    reduce(acc)
}

/// `y += a * x`, blockwise.
#[inline(always)]
pub fn axpy(y: &mut [Block], a: f32, x: &[Block]) {
    for (yb, xb) in y.iter_mut().zip(x) {
        let (mut t, s) = (*yb, *xb);
        for k in 0..LANES {
            t[k] += a * s[k];
        }
        *yb = t;
    }
}

/// Errors smaller than this skip the hidden layers' training step: the bit was
/// predicted well and the step would change little (the skip path still learns).
const SKIP_ERROR: f32 = 0.02;

/// The network's shape.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// Number of inputs (a constant 1 for the bias among them).
    pub inputs: usize,
    /// Hidden units per layer.
    pub width: usize,
    /// Hidden layers (1 or 2; 0 asks [`super::head::Head::new`] for a linear
    /// output stage instead of a network).
    pub layers: usize,
    /// Embedding rows that can be added to the first layer.
    pub emb_rows: usize,
    /// Output weight sets (chosen per prediction), for both paths.
    pub out_sets: usize,
    /// Starting weight of the skip path (per input).
    pub skip_init: f32,
    /// How many leading inputs start with [`Shape::skip_init`] on the skip path
    /// (the others start at 0).
    pub skip_inputs: usize,
}

/// Counters behind [`super::ActivationStats`].
#[derive(Debug, Clone, Default)]
pub struct UnitStats {
    /// Number of predictions counted.
    pub predictions: u64,
    /// Per hidden unit (all layers, padding excluded): predictions in which it was
    /// active ([`Activation::is_active`]: non-zero for ReLU).
    pub active: Vec<u64>,
}

/// The piecewise-linear activations, as the layer loops of [`Mlp::forward`] and
/// [`Mlp::backward`] see them (a three-way `match` per lane, which the compiler
/// specialises). Tanh and sigmoid leave these paths at their top for
/// [`Mlp::forward_smooth`] and [`Mlp::backward_smooth`]: with all five activations in
/// the lanes' `match`, the fast preset ran 5-10% more instructions (callgrind).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piecewise {
    Relu,
    Linear,
    LeakyRelu,
}

impl Piecewise {
    /// The loop form of `a` (`Linear` for the smooth ones, which never use it).
    #[inline(always)]
    fn of(a: Activation) -> Self {
        match a {
            Activation::Relu => Piecewise::Relu,
            Activation::LeakyRelu => Piecewise::LeakyRelu,
            Activation::Linear | Activation::Tanh | Activation::Sigmoid => Piecewise::Linear,
        }
    }
}

/// The MLP with its scratch space.
#[derive(Debug)]
pub struct Mlp {
    act: Activation,
    /// `act` for the layer loops (unused for tanh and sigmoid).
    pw: Piecewise,
    shape: Shape,
    /// Padded input count.
    ni: usize,
    /// Padded width.
    nh: usize,
    /// First layer: `inputs` rows of `nh / 8` blocks (row `i` is input `i`'s
    /// weights to every unit).
    w1: Vec<Block>,
    b1: Vec<Block>,
    /// Second layer (if any): `width` rows of `nh / 8` blocks (row `i`: from unit `i`).
    w2: Vec<Block>,
    b2: Vec<Block>,
    /// Embedding rows of `nh / 8` blocks.
    emb: Vec<Block>,
    /// Output weights: a row of `nh / 8` blocks per output set.
    v: Vec<Block>,
    /// Skip weights: a row of `ni` floats per output set.
    u: Vec<f32>,
    /// The inputs of the current prediction (padding stays 0).
    pub x: Vec<f32>,
    pre1: Vec<f32>,
    h1: Vec<f32>,
    pre2: Vec<f32>,
    h2: Vec<f32>,
    d1: Vec<f32>,
    d2: Vec<f32>,
    rows: [usize; 4],
    n_rows: usize,
    set: usize,
    lr: f32,
    fired: Vec<[u32; LANES]>,
    predictions: u64,
    /// Whether the shape takes the single-block path (see [`Mlp::is_small`]).
    small: bool,
    /// Inputs the small path reads: 4 when the network has at most 4 (the presets
    /// have 3 mixers and a bias), else 8. The padding inputs are 0 with weights 0, so
    /// skipping them changes no value (see [`Mlp::forward_small`]).
    small_rows: usize,
}

impl Mlp {
    /// A network of `shape`, initialised from `rng`.
    pub fn new(shape: Shape, act: Activation, lr: f32, rng: &mut ChaCha8Rng) -> Self {
        let ni = padded(shape.inputs);
        let nh = padded(shape.width);
        let a1 = (2.0 / shape.inputs as f32).sqrt();
        let mut w1 = to_blocks(random_rows(rng, shape.inputs, shape.width, a1));
        // Zero rows for the padding inputs (always 0): the small path's loops then
        // run over a whole block of inputs, a fixed count the compiler unrolls.
        w1.resize(ni * nh / LANES, [0.0; LANES]);
        let mut b1 = vec![0f32; nh];
        b1[..shape.width].fill(0.1);
        let (w2, b2) = if shape.layers > 1 {
            let a2 = (2.0 / shape.width as f32).sqrt();
            let w2 = to_blocks(random_rows(rng, shape.width, shape.width, a2));
            let mut b2 = vec![0f32; nh];
            b2[..shape.width].fill(0.1);
            (w2, to_blocks(b2))
        } else {
            (Vec::new(), Vec::new())
        };
        let b1 = to_blocks(b1);
        let emb = to_blocks(random_rows(rng, shape.emb_rows, shape.width, 0.05));
        let v = to_blocks(random_rows(rng, shape.out_sets, shape.width, 0.05));
        let mut u = vec![0f32; shape.out_sets * ni];
        for row in u.chunks_exact_mut(ni) {
            row[..shape.skip_inputs].fill(shape.skip_init);
        }
        Mlp {
            act,
            pw: Piecewise::of(act),
            shape,
            ni,
            nh,
            w1,
            b1,
            w2,
            b2,
            emb,
            v,
            u,
            x: vec![0.0; ni],
            pre1: vec![0.0; nh],
            h1: vec![0.0; nh],
            pre2: vec![0.0; nh],
            h2: vec![0.0; nh],
            d1: vec![0.0; nh],
            d2: vec![0.0; nh],
            rows: [0; 4],
            n_rows: 0,
            set: 0,
            lr,
            fired: vec![[0; LANES]; nh / LANES * shape.layers],
            predictions: 0,
            small: nh == LANES && ni == LANES && shape.layers == 1,
            small_rows: if shape.inputs <= LANES / 2 {
                LANES / 2
            } else {
                LANES
            },
        }
    }

    #[inline(always)]
    fn activate(act: Piecewise, x: f32) -> f32 {
        match act {
            Piecewise::Relu => x.max(0.0),
            Piecewise::Linear => x,
            Piecewise::LeakyRelu => {
                if x > 0.0 {
                    x
                } else {
                    x * 0.0625
                }
            }
        }
    }

    #[inline(always)]
    fn derivative(act: Piecewise, pre: f32) -> f32 {
        match act {
            Piecewise::Relu => {
                if pre > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Piecewise::Linear => 1.0,
            Piecewise::LeakyRelu => {
                if pre > 0.0 {
                    1.0
                } else {
                    0.0625
                }
            }
        }
    }

    /// One dense layer over the first `n_in` inputs: `pre += b + Σ_i input[i] * w[i]`,
    /// then the activation. Row `i` of `w` holds input `i`'s weights to every unit,
    /// so each step is a vector operation across the units. Index loops, not
    /// iterator chains: the layers are a block or two wide, and per-call set-up
    /// would cost more than the arithmetic.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn layer(
        act: Piecewise,
        w: &[Block],
        b: &[Block],
        input: &[f32],
        n_in: usize,
        pre: &mut [Block],
        out: &mut [Block],
        fired: &mut [[u32; LANES]],
    ) {
        let nb = pre.len();
        for k in 0..nb {
            let mut acc = pre[k];
            let bk = b[k];
            for l in 0..LANES {
                acc[l] += bk[l];
            }
            for i in 0..n_in {
                let xi = input[i];
                let row = w[i * nb + k];
                for l in 0..LANES {
                    acc[l] += xi * row[l];
                }
            }
            pre[k] = acc;
            let mut o = [0f32; LANES];
            let mut f = fired[k];
            for l in 0..LANES {
                o[l] = Self::activate(act, acc[l]);
                f[l] += u32::from(o[l] != 0.0);
            }
            out[k] = o;
            fired[k] = f;
        }
    }

    /// Computes the log-odds of a 1 from [`Mlp::x`], the embedding `rows` (at most 4)
    /// and the output set `set`.
    #[inline(always)]
    pub fn forward(&mut self, rows: &[usize], set: usize) -> f32 {
        self.predictions += 1;
        self.n_rows = rows.len().min(4);
        // All four, element by element: a copy of a length known only at run time
        // is a call to `memcpy` (for at most 32 bytes, on every bit).
        for (i, d) in self.rows.iter_mut().enumerate() {
            *d = rows.get(i).copied().unwrap_or(0);
        }
        self.set = set;
        if self.act.is_smooth() {
            return self.forward_smooth();
        }
        if self.is_small() {
            return if self.small_rows == LANES {
                self.forward_small::<LANES>()
            } else {
                self.forward_small::<{ LANES / 2 }>()
            };
        }
        let nb = self.nh / LANES;
        let n_in = self.shape.inputs;
        let pre1 = blocks_mut(&mut self.pre1);
        for k in 0..nb {
            let mut acc = [0f32; LANES];
            for &r in &self.rows[..self.n_rows] {
                let e = self.emb[r * nb + k];
                for l in 0..LANES {
                    acc[l] += e[l];
                }
            }
            pre1[k] = acc;
        }
        let (f1, f2) = self.fired.split_at_mut(nb);
        Self::layer(
            self.pw,
            &self.w1,
            &self.b1,
            &self.x,
            n_in,
            pre1,
            blocks_mut(&mut self.h1),
            f1,
        );
        let last = if self.shape.layers > 1 {
            let pre2 = blocks_mut(&mut self.pre2);
            pre2.fill([0.0; LANES]);
            Self::layer(
                self.pw,
                &self.w2,
                &self.b2,
                &self.h1,
                self.shape.width,
                pre2,
                blocks_mut(&mut self.h2),
                f2,
            );
            &self.h2
        } else {
            &self.h1
        };
        let v = &self.v[set * nb..(set + 1) * nb];
        let u = &self.u[set * self.ni..(set + 1) * self.ni];
        dot(blocks(last), v) + dot(blocks(&self.x), blocks(u))
    }

    /// One SGD step on the last forward pass; `err` is `bit - p` (the gradient of
    /// the log-likelihood with respect to the output log-odds).
    #[inline(always)]
    pub fn backward(&mut self, err: f32) {
        let (ni, nb) = (self.ni, self.nh / LANES);
        let set = self.set;
        let g = self.lr * err;
        let small = self.is_small();
        let u = &mut self.u[set * ni..(set + 1) * ni];
        if small {
            // One block, the same step without the general loop's set-up.
            let u: &mut Block = u.try_into().expect("small shape: 8 inputs");
            axpy(
                std::slice::from_mut(u),
                g * SKIP_RATE,
                &blocks(&self.x)[..1],
            );
        } else {
            axpy(blocks_mut(u), g * SKIP_RATE, blocks(&self.x));
        }
        if err.abs() < SKIP_ERROR {
            return;
        }
        if self.act.is_smooth() {
            self.backward_smooth(g);
            return;
        }
        if self.is_small() {
            if self.small_rows == LANES {
                self.backward_small::<LANES>(g);
            } else {
                self.backward_small::<{ LANES / 2 }>(g);
            }
            return;
        }
        let act = self.pw;
        let two = self.shape.layers > 1;
        // Deltas of the last layer, with the output weights before their step.
        {
            let (pre, h, d) = if two {
                (&self.pre2, &self.h2, &mut self.d2)
            } else {
                (&self.pre1, &self.h1, &mut self.d1)
            };
            let (pre, h, d) = (blocks(pre), blocks(h), blocks_mut(d));
            let v = &mut self.v[set * nb..(set + 1) * nb];
            for k in 0..nb {
                let (mut vk, mut dk) = (v[k], [0f32; LANES]);
                for l in 0..LANES {
                    dk[l] = g * vk[l] * Self::derivative(act, pre[k][l]);
                    vk[l] += g * h[k][l];
                }
                v[k] = vk;
                d[k] = dk;
            }
        }
        if two {
            // Deltas of the first layer through the second's weights (before their
            // step), then the second layer's step.
            let d2 = blocks(&self.d2);
            for i in 0..self.shape.width {
                let row = &mut self.w2[i * nb..(i + 1) * nb];
                let back = dot(row, d2);
                self.d1[i] = back * Self::derivative(act, self.pre1[i]);
                let hi = self.h1[i];
                if hi != 0.0 {
                    axpy(row, hi, d2);
                }
            }
            for (b, d) in self.b2.iter_mut().zip(d2) {
                for l in 0..LANES {
                    b[l] += d[l];
                }
            }
        }
        // A closed ReLU unit passed nothing and learns nothing: its delta is 0.
        let d1 = blocks(&self.d1);
        for k in 0..nb {
            let dk = d1[k];
            for i in 0..self.shape.inputs {
                let xi = self.x[i];
                let w = &mut self.w1[i * nb + k];
                for l in 0..LANES {
                    w[l] += xi * dk[l];
                }
            }
            for l in 0..LANES {
                self.b1[k][l] += dk[l];
            }
            for &r in &self.rows[..self.n_rows] {
                let e = &mut self.emb[r * nb + k];
                for l in 0..LANES {
                    e[l] += dk[l];
                }
            }
        }
    }

    /// Whether the network is one layer of at most 8 units over at most 8 inputs
    /// (the presets' shape), which [`Mlp::forward_small`] and
    /// [`Mlp::backward_small`] handle with single blocks. Same operations in the
    /// same order as the general path, so the results are identical; only the loop
    /// overhead goes.
    #[inline(always)]
    fn is_small(&self) -> bool {
        self.small
    }

    /// [`Mlp::forward`] for the small shape, over the first `R` inputs. The others
    /// are padding: input 0 times weight 0 (which never moves: it learns input times
    /// delta, 0), so leaving them out changes no value (at most the sign of a zero
    /// sum, which no later step can tell: a zero stays zero through ReLU, its
    /// derivative and every product).
    #[inline(always)]
    fn forward_small<const R: usize>(&mut self) -> f32 {
        let mut x = [0f32; LANES];
        x.copy_from_slice(&self.x[..LANES]);
        let mut acc = [0f32; LANES];
        for &r in &self.rows[..self.n_rows] {
            let e = self.emb[r];
            for l in 0..LANES {
                acc[l] += e[l];
            }
        }
        let b = self.b1[0];
        for l in 0..LANES {
            acc[l] += b[l];
        }
        let w1: &[Block; LANES] = self.w1.as_slice().try_into().expect("small shape: 8 rows");
        for (&xi, row) in x[..R].iter().zip(w1) {
            for l in 0..LANES {
                acc[l] += xi * row[l];
            }
        }
        let mut h = [0f32; LANES];
        let mut f = self.fired[0];
        for l in 0..LANES {
            h[l] = Self::activate(self.pw, acc[l]);
            f[l] += u32::from(h[l] != 0.0);
        }
        self.fired[0] = f;
        self.pre1[..LANES].copy_from_slice(&acc);
        self.h1[..LANES].copy_from_slice(&h);
        let set = self.set;
        let mut u = [0f32; LANES];
        u.copy_from_slice(&self.u[set * LANES..(set + 1) * LANES]);
        dot(&[h], &self.v[set..set + 1]) + dot(&[x], &[u])
    }

    /// The hidden layer's step of [`Mlp::backward`] for the small shape, over the
    /// first `R` inputs (as [`Mlp::forward_small`]); `g` is the rate times the error.
    #[inline(always)]
    fn backward_small<const R: usize>(&mut self, g: f32) {
        let act = self.pw;
        let set = self.set;
        let mut pre = [0f32; LANES];
        pre.copy_from_slice(&self.pre1[..LANES]);
        let mut h = [0f32; LANES];
        h.copy_from_slice(&self.h1[..LANES]);
        let mut v = self.v[set];
        let mut d = [0f32; LANES];
        for l in 0..LANES {
            d[l] = g * v[l] * Self::derivative(act, pre[l]);
            v[l] += g * h[l];
        }
        self.v[set] = v;
        let mut x = [0f32; LANES];
        x.copy_from_slice(&self.x[..LANES]);
        let w1: &mut [Block; LANES] = self
            .w1
            .as_mut_slice()
            .try_into()
            .expect("small shape: 8 rows");
        for (&xi, row) in x[..R].iter().zip(w1) {
            let mut w = *row;
            for l in 0..LANES {
                w[l] += xi * d[l];
            }
            *row = w;
        }
        let mut b = self.b1[0];
        for l in 0..LANES {
            b[l] += d[l];
        }
        self.b1[0] = b;
        for &r in &self.rows[..self.n_rows] {
            let mut e = self.emb[r];
            for l in 0..LANES {
                e[l] += d[l];
            }
            self.emb[r] = e;
        }
    }

    /// Sets the learning rate of the following steps.
    pub fn set_lr(&mut self, lr: f32) {
        self.lr = lr;
    }

    /// Forgets the hidden-unit statistics gathered so far (after priming: the
    /// statistics describe the input).
    pub fn reset_stats(&mut self) {
        self.fired.iter_mut().for_each(|f| *f = [0; LANES]);
        self.predictions = 0;
    }

    /// Hidden-unit statistics so far (padding excluded).
    pub fn stats(&self) -> UnitStats {
        UnitStats {
            predictions: self.predictions,
            active: self
                .fired
                .as_flattened()
                .chunks_exact(self.nh)
                .flat_map(|l| l[..self.shape.width].iter().map(|&c| u64::from(c)))
                .collect(),
        }
    }

    /// Number of learned parameters (padding excluded).
    pub fn param_count(&self) -> usize {
        let s = &self.shape;
        let (i, w) = (s.inputs, s.width);
        let hidden = (i + 1) * w + (s.layers - 1) * (w * w + w);
        hidden + s.emb_rows * w + s.out_sets * (w + i)
    }

    /// Bytes held by the weights.
    pub fn memory_bytes(&self) -> usize {
        4 * LANES * (self.w1.len() + self.w2.len() + self.emb.len() + self.v.len())
            + 4 * self.u.len()
    }
}

/// Tanh and sigmoid: the whole forward and backward pass in one general loop (any
/// shape), apart from the piecewise-linear activations' tuned paths. Encoder and
/// decoder both take these, so they agree bit for bit as everywhere else.
impl Mlp {
    /// Tanh, or sigmoid as `(1 + tanh(x/2)) / 2`, by [`tanh_approx`].
    #[inline(always)]
    fn smooth(act: Activation, x: f32) -> f32 {
        if act == Activation::Tanh {
            tanh_approx(x)
        } else {
            0.5 + 0.5 * tanh_approx(0.5 * x)
        }
    }

    /// The derivative of [`Mlp::smooth`] at `pre`, as `1 - t²` and `s (1 - s)`.
    #[inline(always)]
    fn smooth_derivative(act: Activation, pre: f32) -> f32 {
        let y = Self::smooth(act, pre);
        if act == Activation::Tanh {
            1.0 - y * y
        } else {
            y * (1.0 - y)
        }
    }

    /// Any activation, for the read-only [`Mlp::peek`].
    #[inline(always)]
    fn activate_any(act: Activation, x: f32) -> f32 {
        if act.is_smooth() {
            Self::smooth(act, x)
        } else {
            Self::activate(Piecewise::of(act), x)
        }
    }

    /// One layer with a smooth activation: `pre = start + b + Σ_i input[i] * w[i]`
    /// (in the order of [`Mlp::layer`]), `out = smooth(pre)`, activity counted.
    #[allow(clippy::too_many_arguments)]
    fn smooth_layer(
        act: Activation,
        w: &[Block],
        b: &[Block],
        input: &[f32],
        n_in: usize,
        pre: &mut [Block],
        out: &mut [Block],
        fired: &mut [[u32; LANES]],
    ) {
        let nb = pre.len();
        for k in 0..nb {
            let mut acc = pre[k];
            for l in 0..LANES {
                acc[l] += b[k][l];
            }
            for i in 0..n_in {
                let row = w[i * nb + k];
                for l in 0..LANES {
                    acc[l] += input[i] * row[l];
                }
            }
            pre[k] = acc;
            for l in 0..LANES {
                out[k][l] = Self::smooth(act, acc[l]);
                fired[k][l] += u32::from(act.is_active(out[k][l]));
            }
        }
    }

    /// [`Mlp::forward`] for tanh and sigmoid. Padding units compute `smooth(0)`,
    /// which is 0.5 for sigmoid: their output weights stay 0 (their deltas are
    /// multiplied by those weights), so they add nothing.
    #[inline(never)]
    fn forward_smooth(&mut self) -> f32 {
        let nb = self.nh / LANES;
        let act = self.act;
        let pre1 = blocks_mut(&mut self.pre1);
        for k in 0..nb {
            let mut acc = [0f32; LANES];
            for &r in &self.rows[..self.n_rows] {
                let e = self.emb[r * nb + k];
                for l in 0..LANES {
                    acc[l] += e[l];
                }
            }
            pre1[k] = acc;
        }
        let (f1, f2) = self.fired.split_at_mut(nb);
        Self::smooth_layer(
            act,
            &self.w1,
            &self.b1,
            &self.x,
            self.shape.inputs,
            pre1,
            blocks_mut(&mut self.h1),
            f1,
        );
        let last = if self.shape.layers > 1 {
            let pre2 = blocks_mut(&mut self.pre2);
            pre2.fill([0.0; LANES]);
            Self::smooth_layer(
                act,
                &self.w2,
                &self.b2,
                &self.h1,
                self.shape.width,
                pre2,
                blocks_mut(&mut self.h2),
                f2,
            );
            &self.h2
        } else {
            &self.h1
        };
        let set = self.set;
        let v = &self.v[set * nb..(set + 1) * nb];
        let u = &self.u[set * self.ni..(set + 1) * self.ni];
        dot(blocks(last), v) + dot(blocks(&self.x), blocks(u))
    }

    /// The hidden layers' step of [`Mlp::backward`] for tanh and sigmoid; `g` is
    /// the rate times the error.
    #[inline(never)]
    fn backward_smooth(&mut self, g: f32) {
        let (nb, set, act, w) = (self.nh / LANES, self.set, self.act, self.shape.width);
        let two = self.shape.layers > 1;
        {
            let (pre, h, d) = if two {
                (&self.pre2, &self.h2, &mut self.d2)
            } else {
                (&self.pre1, &self.h1, &mut self.d1)
            };
            let v = self.v[set * nb..(set + 1) * nb].as_flattened_mut();
            for i in 0..w {
                d[i] = g * v[i] * Self::smooth_derivative(act, pre[i]);
                v[i] += g * h[i];
            }
        }
        if two {
            let d2 = blocks(&self.d2);
            for i in 0..w {
                let row = &mut self.w2[i * nb..(i + 1) * nb];
                let back = dot(row, d2);
                self.d1[i] = back * Self::smooth_derivative(act, self.pre1[i]);
                axpy(row, self.h1[i], d2);
            }
            for (b, d) in self.b2.iter_mut().zip(d2) {
                for l in 0..LANES {
                    b[l] += d[l];
                }
            }
        }
        let d1 = blocks(&self.d1);
        for k in 0..nb {
            let dk = d1[k];
            for i in 0..self.shape.inputs {
                let xi = self.x[i];
                let wk = &mut self.w1[i * nb + k];
                for l in 0..LANES {
                    wk[l] += xi * dk[l];
                }
            }
            for l in 0..LANES {
                self.b1[k][l] += dk[l];
            }
            for &r in &self.rows[..self.n_rows] {
                let e = &mut self.emb[r * nb + k];
                for l in 0..LANES {
                    e[l] += dk[l];
                }
            }
        }
    }
}

/// Read-only access for `nnzip explain`: nothing here is called while coding.
impl Mlp {
    /// Padded input count: the length [`Mlp::peek`] expects of its inputs.
    pub fn padded_inputs(&self) -> usize {
        self.ni
    }

    /// The activation of the hidden layers.
    pub fn activation(&self) -> Activation {
        self.act
    }

    /// Hidden units per layer.
    pub fn width(&self) -> usize {
        self.shape.width
    }

    /// Inputs and outputs of hidden layer `layer` (0 or 1) in the last
    /// [`Mlp::forward`]: `(pre-activations, outputs)`, padding excluded. Empty for a
    /// layer the network does not have.
    pub fn hidden(&self, layer: usize) -> (&[f32], &[f32]) {
        let w = self.shape.width;
        match layer {
            0 => (&self.pre1[..w], &self.h1[..w]),
            1 if self.shape.layers > 1 => (&self.pre2[..w], &self.h2[..w]),
            _ => (&[], &[]),
        }
    }

    /// [`Mlp::forward`] as a read-only look: the log-odds of a 1 for inputs `x`
    /// ([`Mlp::padded_inputs`] floats, padding 0), embedding `rows` and output set
    /// `set`, computed by the same operations in the same order (so the same value),
    /// without touching the scratch space, the statistics or anything `backward`
    /// reads.
    pub fn peek(&self, x: &[f32], rows: &[usize], set: usize) -> f32 {
        let nb = self.nh / LANES;
        let rows = &rows[..rows.len().min(4)];
        let mut h1 = vec![[0f32; LANES]; nb];
        for k in 0..nb {
            let mut acc = [0f32; LANES];
            for &r in rows {
                let e = self.emb[r * nb + k];
                for l in 0..LANES {
                    acc[l] += e[l];
                }
            }
            let bk = self.b1[k];
            for l in 0..LANES {
                acc[l] += bk[l];
            }
            for i in 0..self.shape.inputs {
                let row = self.w1[i * nb + k];
                for l in 0..LANES {
                    acc[l] += x[i] * row[l];
                }
            }
            for l in 0..LANES {
                h1[k][l] = Self::activate_any(self.act, acc[l]);
            }
        }
        let last = if self.shape.layers > 1 {
            let input = h1.as_flattened();
            let mut h2 = vec![[0f32; LANES]; nb];
            for k in 0..nb {
                let mut acc = [0f32; LANES];
                let bk = self.b2[k];
                for l in 0..LANES {
                    acc[l] += bk[l];
                }
                for i in 0..self.shape.width {
                    let row = self.w2[i * nb + k];
                    for l in 0..LANES {
                        acc[l] += input[i] * row[l];
                    }
                }
                for l in 0..LANES {
                    h2[k][l] = Self::activate_any(self.act, acc[l]);
                }
            }
            h2
        } else {
            h1
        };
        let v = &self.v[set * nb..(set + 1) * nb];
        let u = &self.u[set * self.ni..(set + 1) * self.ni];
        dot(&last, v) + dot(blocks(&x[..self.ni]), blocks(u))
    }
}

/// Learning rate of the skip path relative to the hidden layers'. The skip path
/// starts as the mixers' average, which is close to right; 0.05 measured best on
/// enwik8 and alice29 among 0.05, 0.1, 0.2, 0.25 and 0.5.
const SKIP_RATE: f32 = 0.05;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fnv;
    use rand::SeedableRng;

    fn net(act: Activation) -> Mlp {
        let shape = Shape {
            inputs: 3,
            width: 4,
            layers: 1,
            emb_rows: 2,
            out_sets: 1,
            skip_init: 0.3,
            skip_inputs: 3,
        };
        Mlp::new(shape, act, 0.05, &mut ChaCha8Rng::seed_from_u64(7))
    }

    #[test]
    fn learns_a_function_a_linear_mix_cannot() {
        // XOR of two signs: no linear mix of the inputs predicts it.
        let cases = [
            ([1.0, 1.0], 0u8),
            ([1.0, -1.0], 1),
            ([-1.0, 1.0], 1),
            ([-1.0, -1.0], 0),
        ];
        let mut loss = [0f64; 2];
        for (k, act) in [Activation::Relu, Activation::Linear]
            .into_iter()
            .enumerate()
        {
            let mut m = net(act);
            for step in 0..20_000 {
                let (x, y) = cases[step % 4];
                m.x[..3].copy_from_slice(&[x[0], x[1], 1.0]);
                let logit = m.forward(&[0], 0);
                let p = 1.0 / (1.0 + (-logit).exp());
                if step >= 19_000 {
                    loss[k] -= f64::from(if y == 1 { p } else { 1.0 - p }).ln();
                }
                m.backward(f32::from(y) - p);
            }
        }
        assert!(
            loss[0] < 0.3 * loss[1],
            "relu {} linear {}",
            loss[0],
            loss[1]
        );
    }

    #[test]
    fn fixed_vector() {
        let mut m = net(Activation::Relu);
        m.x[..3].copy_from_slice(&[0.5, -1.0, 1.0]);
        let a = m.forward(&[1], 0);
        m.backward(0.7);
        let b = m.forward(&[1], 0);
        // The exact values pin the arithmetic: any change that alters the network's
        // output alters every file, on encoder and decoder alike.
        assert_eq!((a.to_bits(), b.to_bits()), (1_043_620_218, 1_046_767_312));
        assert!(b > a);
    }

    /// One shape per path of the layer loops: the small one over 4 input rows and
    /// over 8 ([`Mlp::forward_small`]), the general loops with one hidden layer
    /// wider than a block and with two layers.
    fn shapes() -> [Shape; 4] {
        let shape = |inputs, width, layers| Shape {
            inputs,
            width,
            layers,
            emb_rows: 5,
            out_sets: 3,
            skip_init: 0.3,
            skip_inputs: inputs - 1,
        };
        [
            shape(3, 4, 1),
            shape(7, 8, 1),
            shape(11, 12, 1),
            shape(5, 12, 2),
        ]
    }

    /// Trains a network of `shape` and `act` on a fixed stream of inputs, embedding
    /// rows (one to four), output sets and errors (one step in seven below
    /// [`SKIP_ERROR`]), and hashes every output and every hidden pre-activation and
    /// output, then the activity counts. Checks on the way that [`Mlp::peek`] gives
    /// the forward pass's value bit for bit and that [`Mlp::hidden`] has one entry
    /// per unit of each layer the network has.
    fn trace(shape: Shape, act: Activation) -> u64 {
        let mut m = Mlp::new(shape, act, 0.02, &mut ChaCha8Rng::seed_from_u64(11));
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let mut h = 0xcbf2_9ce4_8422_2325u64;
        let mut x = vec![0f32; m.padded_inputs()];
        for step in 0..300 {
            for xi in &mut x[..shape.inputs - 1] {
                *xi = uniform(&mut rng, 3.0);
            }
            x[shape.inputs - 1] = 1.0;
            m.x.copy_from_slice(&x);
            let all = [step % 5, (step / 2) % 5, (step / 3) % 5, (step / 5) % 5];
            let rows = &all[..1 + step % 4];
            let set = step % shape.out_sets;
            let logit = m.forward(rows, set);
            assert_eq!(
                m.peek(&x, rows, set).to_bits(),
                logit.to_bits(),
                "step {step}"
            );
            fnv(&mut h, logit.to_bits().to_le_bytes());
            for layer in 0..3 {
                let (pre, out) = m.hidden(layer);
                let n = if layer < shape.layers { shape.width } else { 0 };
                assert_eq!((pre.len(), out.len()), (n, n), "layer {layer}");
                for v in pre.iter().chain(out) {
                    fnv(&mut h, v.to_bits().to_le_bytes());
                }
            }
            // A target the inputs decide non-linearly, and a prediction from the
            // logit by plain arithmetic (no `exp`, whose last bit may vary by platform).
            let bit = f32::from(u8::from(x[0] * x[1] > 0.0));
            let p = 0.5 + (logit * 0.1).clamp(-0.45, 0.45);
            let err = if step % 7 == 3 { 0.01 } else { bit - p };
            m.backward(err);
        }
        let s = m.stats();
        fnv(&mut h, (s.predictions as u32).to_le_bytes());
        assert_eq!(s.active.len(), shape.width * shape.layers);
        for a in s.active {
            fnv(&mut h, (a as u32).to_le_bytes());
        }
        h
    }

    /// Every path of the network (the small shapes, the general one- and two-layer
    /// loops, the smooth activations' own loops), forward and backward, under every
    /// activation, against fixed vectors: a change to any of them changes every file
    /// on encoder and decoder alike, which round trips cannot see, and the presets'
    /// fixed vectors exercise only ReLU in one layer.
    #[test]
    fn every_path_and_activation_follows_fixed_vectors() {
        let mut got = Vec::new();
        for shape in shapes() {
            for act in Activation::ALL {
                got.push(trace(shape, act));
            }
        }
        assert_eq!(got, TRACES.to_vec());
    }

    /// Per shape of [`shapes`], per activation of [`Activation::ALL`].
    const TRACES: [u64; 20] = [
        16627221860562537565,
        17155245487363449423,
        6518222658004278458,
        4135090402577398638,
        6055795740908155864,
        2778590514120838937,
        16620320354010976372,
        124314526509106407,
        2666286816914740549,
        9425083963985112710,
        11576376673921172840,
        10545554922168889384,
        1017317076497472903,
        14988433224067757531,
        11848710506805637630,
        4968180167357137575,
        17826062986328002315,
        14138444693811761489,
        5321021484127039103,
        11138178828925296178,
    ];

    /// The learned parameters are counted without padding (worked out by hand per
    /// shape: first layer and biases, second layer and biases, embedding rows, then
    /// per output set the hidden and skip weights), and the weights' memory is the
    /// bytes of their vectors.
    #[test]
    fn counts_parameters_and_weight_bytes() {
        // (3+1)*4 + 5*4 + 3*(4+3); (7+1)*8 + 5*8 + 3*(8+7); (11+1)*12 + 5*12 + 3*(12+11);
        // (5+1)*12 + (12*12+12) + 5*12 + 3*(12+5).
        let params = [57, 149, 273, 339];
        for (shape, want) in shapes().into_iter().zip(params) {
            let m = Mlp::new(
                shape,
                Activation::Relu,
                0.02,
                &mut ChaCha8Rng::seed_from_u64(1),
            );
            assert_eq!(m.param_count(), want);
            let bytes = std::mem::size_of_val(&m.w1[..])
                + std::mem::size_of_val(&m.w2[..])
                + std::mem::size_of_val(&m.emb[..])
                + std::mem::size_of_val(&m.v[..])
                + std::mem::size_of_val(&m.u[..]);
            assert_eq!(m.memory_bytes(), bytes);
        }
    }

    /// A unit whose pre-activation is exactly 0 takes the slope of the closed side:
    /// a ReLU unit that passed nothing learns nothing (its delta is 0), a leaky one
    /// learns at 1/16, the slope its output had there; a linear one at 1. (The
    /// comparison is `pre > 0`, as in [`Mlp::activate`]; with `>=` a closed ReLU unit
    /// would learn, and every file would change wherever a sum comes out at 0.)
    #[test]
    fn a_unit_at_exactly_zero_learns_at_its_closed_slope() {
        for (act, slope) in [
            (Activation::Relu, 0.0),
            (Activation::LeakyRelu, 0.0625),
            (Activation::Linear, 1.0),
        ] {
            let mut m = net(act);
            // No bias, no inputs, no embedding row: every pre-activation is 0.
            m.b1 = vec![[0.0; LANES]];
            m.x.fill(0.0);
            m.forward(&[], 0);
            assert!(m.hidden(0).0.iter().all(|&p| p == 0.0));
            let v = m.v[0];
            let err = 0.5;
            m.backward(err);
            let g = m.lr * err;
            for l in 0..4 {
                assert_eq!(m.b1[0][l], g * v[l] * slope, "{act:?} unit {l}");
            }
        }
    }
}
