//! The network's output stage, which turns the first-layer mixers' log-odds into the
//! log-odds of the next bit: the hidden layers of the [`Mlp`], or, in a model with no
//! hidden layer (`layers = 0`), one more linear mixer.
//!
//! Without a hidden layer the network is two layers of logistic mixing, as paq8 and
//! lpaq mix: the final mixer weighs the first-layer mixers' outputs and a bias with a
//! weight set chosen by the partial byte, and learns from its own error at the
//! first-layer mixers' rate. On the shared corpora that mixes as well as the hidden
//! layer of the fast preset did (ten files 0.5% smaller) for about 15% fewer
//! instructions per bit, which is why the fast preset has no hidden layer.
//!
//! With a single first-layer mixer and no hidden layer there is nothing left to mix:
//! the mixer's log-odds is the output ([`Head::Direct`], lpaq1's shape). A final mixer
//! over one mixer and a bias only added work (and 0.3% to enwik8's first 2 MB).

use super::mixer::{Mixers, Row, ROW_BLOCKS};
use super::mlp::LANES;
use super::mlp::{Mlp, Shape, UnitStats};
use super::squash::Tables;
use super::Activation;
use rand_chacha::ChaCha8Rng;

/// Weight sets of the final linear mixer: one per partial byte.
pub const LINEAR_SETS: usize = 256;

/// Starting weight of the final linear mixer's inputs: an average of the three
/// first-layer mixers (which is also where the network's skip connections start).
const LINEAR_INIT: f32 = 1.0 / 3.0;

/// The output stage.
// One per predictor, made once: the size of the larger variant costs nothing, and a
// box would add a pointer chase to every prediction.
// An explicit one-byte tag: without it the variant is told by a niche in the
// network's fields, which took about 8 instructions per `match` (three per bit).
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
#[repr(u8)]
pub enum Head {
    /// Hidden layers with a non-linearity.
    Mlp(Mlp),
    /// No hidden layer and one first-layer mixer: its log-odds is the output.
    Direct {
        /// The mixer's output, then the bias (unused).
        x: [f32; 2],
    },
    /// No hidden layer: one more linear mixer, over `inputs` inputs.
    Linear {
        /// The mixer.
        mix: Mixers<1>,
        /// Its inputs: the first-layer mixers, the bias, zeros.
        x: Row,
        /// How many inputs there are.
        inputs: usize,
    },
}

impl Head {
    /// The network of `shape` with `layers` hidden layers, or with none the final
    /// linear mixer over `shape.inputs` inputs (the last of them the bias), or with
    /// none and one mixer (`shape.skip_inputs == 1`) no stage at all.
    pub fn new(shape: Shape, act: Activation, lr: f32, rng: &mut ChaCha8Rng) -> Self {
        if shape.layers == 0 && shape.skip_inputs == 1 {
            Head::Direct { x: [0.0; 2] }
        } else if shape.layers == 0 {
            // The bias input is written before each forward step, with the others
            // (see [`Head::inputs`]).
            let mix = Mixers::new(shape.inputs, [LINEAR_SETS], LINEAR_INIT);
            Head::Linear {
                mix,
                x: [[0.0; LANES]; ROW_BLOCKS],
                inputs: shape.inputs,
            }
        } else {
            Head::Mlp(Mlp::new(shape, act, lr, rng))
        }
    }

    /// The inputs, written by the first-layer mixers before each
    /// [`Head::forward`]: one per mixer, then a bias of 1.
    #[inline(always)]
    pub fn inputs(&mut self) -> &mut [f32] {
        match self {
            Head::Mlp(m) => &mut m.x,
            Head::Direct { x } => x,
            Head::Linear { x, .. } => x.as_flattened_mut(),
        }
    }

    /// The log-odds of a 1 for the partial byte `c0`, with embedding `rows` and
    /// output set `set` (the bit's position) of the network.
    #[inline(always)]
    pub fn forward(&mut self, rows: &[usize], c0: u32, set: usize, t: &Tables) -> f32 {
        match self {
            Head::Mlp(m) => m.forward(rows, set),
            Head::Direct { x } => x[0],
            Head::Linear { mix, x, .. } => {
                let mut out = [0f32];
                mix.forward(x, &[c0 as usize], t, &mut out);
                out[0]
            }
        }
    }

    /// One learning step on the last prediction: the network's on `err` (the bit
    /// minus the predicted probability), the final mixer's on `bit` at rate
    /// `mixer_lr`.
    #[inline(always)]
    pub fn learn(&mut self, err: f32, bit: u8, mixer_lr: f32) {
        match self {
            Head::Mlp(m) => m.backward(err),
            Head::Direct { .. } => {}
            Head::Linear { mix, x, .. } => mix.update(x, bit, mixer_lr),
        }
    }

    /// Sets the network's learning rate (the final mixer follows `mixer_lr`).
    pub fn set_lr(&mut self, lr: f32) {
        if let Head::Mlp(m) = self {
            m.set_lr(lr);
        }
    }

    /// Restarts the hidden units' statistics.
    pub fn reset_stats(&mut self) {
        if let Head::Mlp(m) = self {
            m.reset_stats();
        }
    }

    /// The hidden units' statistics (no units without a hidden layer).
    pub fn stats(&self) -> UnitStats {
        match self {
            Head::Mlp(m) => m.stats(),
            Head::Direct { .. } | Head::Linear { .. } => UnitStats {
                predictions: 0,
                active: Vec::new(),
            },
        }
    }

    /// Number of learned weights (without a hidden layer: a weight per input and
    /// weight set; the rows are padded in memory, see [`Head::memory_bytes`]).
    pub fn param_count(&self) -> usize {
        match self {
            Head::Mlp(m) => m.param_count(),
            Head::Direct { .. } => 0,
            Head::Linear { inputs, .. } => LINEAR_SETS * inputs,
        }
    }

    /// Bytes held by the weights.
    pub fn memory_bytes(&self) -> usize {
        match self {
            Head::Mlp(m) => m.memory_bytes(),
            Head::Direct { .. } => 0,
            Head::Linear { mix, .. } => mix.memory_bytes(),
        }
    }

    /// Inputs [`Head::peek`] takes (padded for the network).
    pub fn padded_inputs(&self) -> usize {
        match self {
            Head::Mlp(m) => m.padded_inputs(),
            Head::Direct { x } => x.len(),
            Head::Linear { .. } => super::mixer::MAX_INPUTS,
        }
    }

    /// [`Head::forward`] as a read-only look (for `nnzip explain`): the same value
    /// for inputs `x` (the first-layer mixers' outputs, then a bias of 1), nothing remembered.
    pub fn peek(&self, x: &[f32], rows: &[usize], c0: u32, set: usize) -> f32 {
        match self {
            Head::Mlp(m) => m.peek(x, rows, set),
            Head::Direct { .. } => x[0],
            Head::Linear { mix: m, .. } => {
                let mut row = [[0f32; super::mlp::LANES]; super::mixer::ROW_BLOCKS];
                let n = x.len().min(super::mixer::MAX_INPUTS);
                row.as_flattened_mut()[..n].copy_from_slice(&x[..n]);
                let mut out = [0f32];
                m.peek(&row, &[c0 as usize], &mut out);
                out[0]
            }
        }
    }

    /// The hidden layers' activation ([`Activation::Linear`] without one).
    pub fn activation(&self) -> Activation {
        match self {
            Head::Mlp(m) => m.activation(),
            Head::Direct { .. } | Head::Linear { .. } => Activation::Linear,
        }
    }

    /// Hidden units per layer (0 without a hidden layer).
    pub fn width(&self) -> usize {
        match self {
            Head::Mlp(m) => m.width(),
            Head::Direct { .. } | Head::Linear { .. } => 0,
        }
    }

    /// `(pre-activations, outputs)` of hidden layer `layer` in the last prediction;
    /// empty for a layer the network does not have.
    pub fn hidden(&self, layer: usize) -> (&[f32], &[f32]) {
        match self {
            Head::Mlp(m) => m.hidden(layer),
            Head::Direct { .. } | Head::Linear { .. } => (&[], &[]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::squash::tables;
    use rand::SeedableRng;

    fn linear() -> Head {
        let shape = Shape {
            inputs: 4,
            width: 4,
            layers: 0,
            emb_rows: 256,
            out_sets: 8,
            skip_init: 1.0 / 3.0,
            skip_inputs: 3,
        };
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        Head::new(shape, Activation::Relu, 0.001, &mut rng)
    }

    /// Runs the first-layer mixers `mix` into `head` as the predictor does, then
    /// `head` for partial byte `c0`.
    fn run(head: &mut Head, (mix, x): &mut (Mixers<3>, Row), c0: u32) -> f32 {
        let t = tables();
        let z = head.inputs();
        mix.forward(x, &[0; 3], t, z);
        z[3] = 1.0;
        head.forward(&[], c0, 0, t)
    }

    /// Three first-layer mixers (one weight set each) over two inputs and a bias.
    fn first(a: f32, b: f32) -> (Mixers<3>, Row) {
        let mut x: Row = [[0.0; LANES]; ROW_BLOCKS];
        x[0][..3].copy_from_slice(&[a, b, 1.0]);
        (Mixers::new(3, [1, 1, 1], 0.3), x)
    }

    /// The final mixer starts as the average of the first layer's outputs, peeks
    /// what it predicts, learns in the weight set of its partial byte only, and
    /// follows a fixed vector (which pins the weight set, the rate and the inputs'
    /// order).
    #[test]
    fn a_linear_head_averages_peeks_what_it_predicts_and_learns() {
        let mut head = linear();
        assert_eq!((head.width(), head.activation()), (0, Activation::Linear));
        assert_eq!(head.hidden(0), (&[][..], &[][..]));
        assert_eq!(head.param_count(), 256 * 4);
        assert_eq!(
            head.memory_bytes(),
            256 * 4 * super::super::mixer::MAX_INPUTS
        );
        assert!(head.stats().active.is_empty());
        let mut mix = first(2.0, -1.0);
        // Each first-layer mixer: 0.3 * (2 - 1 + 1) = 0.6; their average with the
        // bias: (3 * 0.6 + 1) / 3.
        let z0 = run(&mut head, &mut mix, 5);
        assert!((z0 - (1.8 + 1.0) / 3.0).abs() < 1e-6, "{z0}");
        let mut logits = Vec::new();
        for step in 0..40 {
            let mut mix = first(2.0, -1.0);
            let z = run(&mut head, &mut mix, 5);
            let mut out = [0f32; 3];
            mix.0.peek(&mix.1, &[0; 3], &mut out);
            let x = [out[0], out[1], out[2], 1.0];
            assert_eq!(head.peek(&x, &[], 5, 0), z, "step {step}");
            logits.push(z);
            // The bit that came is always 0: the head learns to say so.
            head.learn(0.0, 0, 0.02);
        }
        assert!(logits[39] < logits[0] - 0.5, "{logits:?}");
        // Another partial byte's weight set has not moved.
        let mut mix = first(2.0, -1.0);
        assert_eq!(run(&mut head, &mut mix, 6), z0);
        let q: Vec<i32> = logits.iter().step_by(8).map(|z| (z * 1e4) as i32).collect();
        assert_eq!(q, FIXED);
    }

    const FIXED: [i32; 5] = [9333, 7017, 4866, 2877, 1043];

    /// With one first-layer mixer and no hidden layer there is no stage: the
    /// mixer's log-odds is the output, as it is, and nothing learns here.
    #[test]
    fn a_single_mixer_without_a_hidden_layer_is_the_output() {
        let shape = Shape {
            inputs: 2,
            width: 4,
            layers: 0,
            emb_rows: 256,
            out_sets: 8,
            skip_init: 1.0,
            skip_inputs: 1,
        };
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut head = Head::new(shape, Activation::Relu, 0.001, &mut rng);
        assert!(matches!(head, Head::Direct { .. }));
        assert_eq!((head.param_count(), head.memory_bytes()), (0, 0));
        assert_eq!((head.width(), head.activation()), (0, Activation::Linear));
        let t = tables();
        for z in [-3.25f32, 0.0, 0.5, 7.0] {
            head.inputs()[..2].copy_from_slice(&[z, 1.0]);
            assert_eq!(head.forward(&[], 9, 0, t), z);
            assert_eq!(head.peek(&[z, 1.0], &[], 9, 0), z);
            head.learn(1.0, 1, 0.5);
            assert_eq!(head.forward(&[], 9, 0, t), z, "learning changed nothing");
        }
    }
}
