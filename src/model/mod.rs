//! The predictor: context models that keep bit histories, and an online-trained ReLU
//! network that mixes what they predict into the probability of each next bit.
//!
//! A byte is predicted as binary decisions, the path to its leaf in a tree over the
//! 256 byte values ([`codes`]): its eight bits, most significant first, or with
//! [`ModelConfig::text_codes`] on English text about five decisions of a Huffman
//! tree of the text's own byte frequencies. Below, "bit" is one decision and
//! "partial byte" the tree's node. For each bit:
//!
//! 1. every context model's slot (found once per nibble in the shared
//!    [`table::HashTable`]) holds a bit-history [`state`] for this node of the byte's
//!    binary tree; a [`state::StateMap`] per context turns it into a probability;
//! 2. three [`mixer`]s (weight sets chosen by small contexts of their own; one in the
//!    fast preset) each mix the contexts' stretched probabilities, the order-0 map's
//!    (only in the plain tree), the [`matcher`]'s two inputs and a bias; the [`head`]
//!    takes their log-odds and outputs the log-odds of a 1: the [`mlp`], with learned
//!    embeddings of the partial byte and the last byte, or, in a model without a
//!    hidden layer, one more linear mixer, or with a single mixer (the fast preset)
//!    nothing: its output is the prediction;
//! 3. the [`sse`] chain refines that probability in small contexts;
//! 4. once the bit is known, the network and the mixers learn, and in one pass over
//!    the contexts every state moves on, every map learns and (within a slot) the next
//!    bit's states and probabilities are read.
//!
//! Encoder and decoder call [`Predictor::p1`] then [`Predictor::update`] for every bit,
//! in the same order, and so hold bit-identical state at every step.
//!
//! The context models are components behind one small trait
//! ([`component::ContextModel`]): each says once per byte which contexts the next
//! byte is seen in, and all the per-bit work is shared. Which components are on is
//! part of the [`ModelConfig`] stored in every file's header.

pub mod apm;
pub mod codes;
pub mod component;
pub mod config;
pub mod head;
pub mod indirect;
pub mod markup;
pub mod matcher;
pub mod mixer;
pub mod mlp;
pub mod orders;
pub mod peek;
pub mod prime;
pub mod sparse;
pub mod squash;
pub mod sse;
pub mod state;
pub mod table;
pub mod word;

pub use config::{Activation, ModelConfig, Preset};

use crate::error::Result;
use codes::ByteCodes;
use component::{salted, ContextModel, History};
use head::Head;
use matcher::MatchModel;
use mixer::Bank;
use mlp::Shape;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use sse::Sse;
use state::{ContextMaps, StateTable};
use std::sync::Arc;
use table::HashTable;

/// Statistics of the hidden units, for showing what the non-linearity does.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ActivationStats {
    /// Average fraction of hidden units that were active, over all predictions
    /// ([`Activation::is_active`]: a non-zero output for ReLU, linear and leaky ReLU;
    /// outside the near-zero and saturated bands for tanh and sigmoid).
    pub active_fraction: f64,
    /// Hidden units that were never active.
    pub dead_units: usize,
    /// Total hidden units.
    pub units: usize,
}

/// Weight sets of the first-layer mixers: by the partial byte; by the order/match
/// depth (16) and the last byte's high nibble (16); by the last byte.
const MIXER_SETS: [usize; 3] = [256, 256, 256];

/// Starting weight of every mixer input: small, so the first predictions are timid.
const MIXER_INIT: f32 = 0.1;

/// Learning rate of the first-layer mixers (before the schedule's factor): 0.002
/// measured best on enwik8 and alice29 among 0.001, 0.0015, 0.002, 0.003 and 0.004.
const MIXER_LR: f32 = 0.002;

/// How much faster than the configured rate the first bytes learn: 3 measured best
/// on enwik8 and alice29 among 2, 3, 5 and 15.
const LR_BOOST: f64 = 3.0;

/// The learning-rate schedule: `1 + LR_BOOST/(1 + t)` times the configured rate, with
/// `t` in units of 16 KB, so the first kilobytes learn fast and the rate settles at
/// the configured one. Computed in `f64` from integers with `+ - * /` only, hence
/// identical everywhere.
fn lr_factor(bits_seen: u64) -> f32 {
    let t = bits_seen as f64 / (8.0 * 16_384.0);
    (1.0 + LR_BOOST / (1.0 + t)) as f32
}

/// The length of a run of contexts: `N` when it is not 0 (a copy of the loop
/// compiled for that count, which unrolls and needs no bounds checks), else `len`.
#[inline(always)]
fn fixed_len<const N: usize>(len: usize) -> usize {
    if N == 0 {
        len
    } else {
        N
    }
}

/// The context counts (order contexts, all contexts) of each preset, which have
/// loops compiled for them: index `i` is shape `i + 1` in [`shape_of`].
const SHAPES: [(usize, usize); 3] = [(2, 4), (4, 11), (8, 18)];

/// The shape of `k` order contexts among `n`: 1 + its index in [`SHAPES`], or 0
/// (any counts).
fn shape_of(k: usize, n: usize) -> u8 {
    SHAPES
        .iter()
        .position(|&s| s == (k, n))
        .map_or(0, |i| i as u8 + 1)
}

/// Calls `$f::<K, N>($args)` with `(K, N)` the counts of shape `$shape` (from
/// [`shape_of`], told once when the predictor is built: a match on a small integer
/// costs less per bit than one on the counts), or `K = N = 0` for shape 0. With
/// `lean L` first, and `L` true, the counts of shape 1 without a match (the lean
/// predictor's, [`Predictor::is_lean`]).
macro_rules! by_count {
    (lean $lean:expr, $shape:expr, $f:ident($($a:expr),* $(,)?)) => {
        if $lean {
            $f::<{ SHAPES[0].0 }, { SHAPES[0].1 }>($($a),*)
        } else {
            by_count!($shape, $f($($a),*))
        }
    };
    ($shape:expr, $f:ident($($a:expr),* $(,)?)) => {
        match $shape {
            1 => $f::<{ SHAPES[0].0 }, { SHAPES[0].1 }>($($a),*),
            2 => $f::<{ SHAPES[1].0 }, { SHAPES[1].1 }>($($a),*),
            3 => $f::<{ SHAPES[2].0 }, { SHAPES[2].1 }>($($a),*),
            _ => $f::<0, 0>($($a),*),
        }
    };
}

/// Reads each context's state for node `nib` of its slot and puts its stretched
/// probability into `x`; returns how many of the first `orders` states were seen
/// (the order contexts come first).
#[inline(always)]
fn context_inputs<const K: usize, const N: usize>(
    lines: &[[u8; table::SLOT]],
    rows: &[[u32; 256]],
    x: &mut [f32],
    (nib, orders): (usize, usize),
    t: &squash::Tables,
) -> usize {
    // Indexed over one length, so that one counter walks all three arrays.
    let n = fixed_len::<N>(lines.len());
    let (lines, rows, x) = (&lines[..n], &rows[..n], &mut x[..n]);
    for i in 0..n {
        let s = lines[i][nib & 15];
        x[i] = t.stretch12f(ContextMaps::p12(&rows[i], s));
    }
    seen_in(&lines[..fixed_len::<K>(orders).min(n)], nib & 15)
}

/// How many of `lines` have seen node `nib` (a non-zero state).
#[inline(always)]
fn seen_in(lines: &[[u8; table::SLOT]], nib: usize) -> usize {
    lines.iter().map(|l| usize::from(l[nib] != 0)).sum()
}

/// Moves each context's state at node `nib` on by `bit`, teaches its map what
/// followed, and, when the next bit's node `next_nib` is in the same slot, reads that
/// node's state and stretched probability as [`context_inputs`] would (one pass over
/// the contexts instead of two); returns how many of the first `orders` next states
/// were seen.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn learn_contexts<const K: usize, const N: usize>(
    lines: &mut [[u8; table::SLOT]],
    rows: &mut [[u32; 256]],
    x: &mut [f32],
    (nib, next_nib): (usize, Option<usize>),
    orders: usize,
    bit: u8,
    states: &StateTable,
    recip: &[u32; state::STATEMAP_LIMIT as usize + 1],
    t: &squash::Tables,
) -> usize {
    // The state of node `nib` is still in the slot: it is what the bit was
    // predicted from, and is only replaced here.
    let n = fixed_len::<N>(lines.len());
    let (lines, rows, x) = (&mut lines[..n], &mut rows[..n], &mut x[..n]);
    match next_nib {
        Some(next) => {
            let next = next & 15;
            for i in 0..n {
                let s = lines[i][nib];
                lines[i][nib] = states.next(s, bit);
                ContextMaps::learn(&mut rows[i], s, bit, recip);
                let s = lines[i][next];
                x[i] = t.stretch12f(ContextMaps::p12(&rows[i], s));
            }
            seen_in(&lines[..fixed_len::<K>(orders).min(n)], next)
        }
        None => {
            for i in 0..n {
                let s = lines[i][nib];
                lines[i][nib] = states.next(s, bit);
                ContextMaps::learn(&mut rows[i], s, bit, recip);
            }
            0
        }
    }
}

/// The weight set of each first-layer mixer: the partial byte `c0`; how many orders
/// know this context (`orders_seen`), or, while a match holds, how long it is
/// (`match_state`), with the last byte's high bits (as lpaq); the last byte `c1`.
#[inline(always)]
fn mixer_sets(c0: u32, c1: u8, match_state: usize, orders_seen: usize) -> [usize; 3] {
    let depth = if match_state > 0 {
        8 + match_state / 2
    } else {
        orders_seen.min(7)
    };
    [
        c0 as usize,
        depth * 16 + usize::from(c1 >> 4),
        usize::from(c1),
    ]
}

/// What a context's hash is XORed with to find its slot for the nibble whose
/// earlier bits are `c0` (0 for a byte's first nibble; the high nibble with its
/// leading 1 for the second). The predictor and [`peek`] must find the same slots.
#[inline(always)]
fn nibble_salt(c0: u32) -> u64 {
    u64::from(c0).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// Whether a predictor coding bytes in `codes` takes the order-0 map as an input:
/// only in the plain tree. A tree built from the segment's own byte frequencies
/// ([`ByteCodes::own`]) makes every decision about even odds under those
/// frequencies, which is what an order-0 map learns; there the input cost time and
/// bought little.
fn order0_input(codes: &ByteCodes) -> bool {
    codes.is_plain()
}

/// The next-bit predictor.
#[derive(Debug)]
pub struct Predictor {
    states: StateTable,
    squash: &'static squash::Tables,
    models: Vec<Box<dyn ContextModel>>,
    table: HashTable,
    /// Per context: the byte-level hash, salted with the context's index.
    hashes: Vec<u64>,
    /// Per context: the byte offset of the current nibble's slot.
    slots: Vec<usize>,
    /// Per context: the byte offset of the next nibble's bucket, as last fetched.
    buckets: Vec<usize>,
    /// Per context: the current nibble's slot, worked on here and written back to
    /// the table when the nibble ends (so the bits touch no table memory).
    lines: Vec<[u8; table::SLOT]>,
    /// One map per context (256 entries each), then one for order 0.
    maps: ContextMaps,
    /// Order-0 states, one per node of the byte tree.
    o0: [u8; 256],
    /// Whether the order-0 map is an input ([`order0_input`]).
    o0_input: bool,
    matcher: Option<MatchModel>,
    match_state: usize,
    sse: Option<Sse>,
    mixers: Bank,
    head: Head,
    /// Whether `head` is [`Head::Direct`] (the one mixer's output is the
    /// prediction), told once here rather than by a `match` at every bit.
    direct: bool,
    byte_embed: bool,
    hist: History,
    /// The tree bytes are coded in ([`codes`]).
    codes: Arc<ByteCodes>,
    /// The current inner node of that tree (1..=255): for the plain tree, the partial
    /// byte with a leading 1 bit.
    c0: u32,
    /// The byte's decisions so far after a leading 1 bit (the match model compares
    /// its prediction with them; for the plain tree equal to `c0`).
    path: u32,
    /// Decisions made in the current byte.
    bitpos: u32,
    /// Partial nibble with a leading 1 bit (1..=15): the node within a slot.
    nib: usize,
    /// The network's probability of a 1 for the bit being coded, before SSE (the
    /// MLP learns from its error).
    p_net: u32,
    /// How many order contexts have seen the next bit's context (read with their
    /// states, after each bit).
    orders_seen: usize,
    base_lr: f32,
    mixer_lr: f32,
    bits_seen: u64,
    n_orders: usize,
    /// The context counts' shape ([`shape_of`]).
    shape: u8,
    /// The node whose buckets [`Predictor::p1`] last started fetching for the next
    /// slot (0: none yet).
    prefetched: u32,
    /// Whether this is the lean predictor ([`Predictor::is_lean`]).
    lean: bool,
}

impl Predictor {
    /// Builds a predictor with freshly initialised weights for `cfg`, coding bytes as
    /// their eight bits ([`ByteCodes::plain`]).
    ///
    /// # Errors
    /// [`crate::Error::InvalidConfig`] if `cfg` is out of range.
    pub fn new(cfg: &ModelConfig) -> Result<Self> {
        Predictor::with_codes(cfg, ByteCodes::plain().clone())
    }

    /// Builds a predictor with freshly initialised weights for `cfg` that codes each
    /// byte as its path in `codes` (the priming text too).
    ///
    /// # Errors
    /// [`crate::Error::InvalidConfig`] if `cfg` is out of range.
    pub fn with_codes(cfg: &ModelConfig, codes: ByteCodes) -> Result<Self> {
        cfg.validate()?;
        let codes = Arc::new(codes);
        let states = StateTable::new();
        let models = cfg.components();
        let n: usize = models.iter().map(|m| m.count()).sum();
        let o0_input = order0_input(&codes);
        let inputs = n + usize::from(o0_input) + if cfg.match_model { 2 } else { 0 } + 1;
        let mixers = Bank::new(cfg.single_mixer, inputs, MIXER_SETS, MIXER_INIT);
        let shape = Shape {
            inputs: mixers.len() + 1,
            width: usize::from(cfg.hidden),
            layers: usize::from(cfg.layers),
            emb_rows: 256 * (1 + usize::from(cfg.byte_embed > 0)),
            out_sets: 8,
            skip_init: 1.0 / mixers.len() as f32,
            skip_inputs: mixers.len(),
        };
        let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
        let head = Head::new(shape, cfg.activation, cfg.lr, &mut rng);
        let match_bits = cfg.table_bits.saturating_add(2).clamp(16, 24);
        let mut p = Predictor {
            squash: squash::tables(),
            table: HashTable::new(cfg.table_bits),
            hashes: vec![0; n],
            slots: vec![0; n],
            buckets: vec![0; n],
            lines: vec![[0; table::SLOT]; n],
            maps: ContextMaps::new(n + 1, &states),
            o0: [0; 256],
            o0_input,
            matcher: cfg
                .match_model
                .then(|| MatchModel::new(match_bits, match_bits - 2, Arc::clone(&codes))),
            match_state: 0,
            sse: cfg.apm.then(Sse::new),
            mixers,
            direct: matches!(head, Head::Direct { .. }),
            head,
            byte_embed: cfg.byte_embed > 0,
            hist: History::default(),
            codes,
            c0: 1,
            path: 1,
            bitpos: 0,
            nib: 1,
            p_net: 32768,
            orders_seen: 0,
            base_lr: cfg.lr,
            mixer_lr: MIXER_LR * lr_factor(0),
            bits_seen: 0,
            n_orders: cfg.orders.len(),
            shape: shape_of(cfg.orders.len(), n),
            prefetched: 0,
            lean: false,
            models,
            states,
        };
        p.lean = p.direct && p.sse.is_none() && p.shape == 1 && p.mixers.lean();
        p.hash_byte();
        p.prefetch_buckets(0);
        p.settle_slots::<false>(0);
        p.prime(prime::text(cfg.prime), cfg.prime_tables_len());
        Ok(p)
    }

    /// The tree this predictor codes bytes in.
    pub fn codes(&self) -> &ByteCodes {
        &self.codes
    }

    /// The last whole byte learned (0 before the first).
    #[inline(always)]
    pub fn last_byte(&self) -> u8 {
        self.hist.byte(1)
    }

    /// Reads `text`: its first `tables_only` bytes (at most all) for the context
    /// statistics alone ([`Predictor::learn_text`] without `MIX`), the rest as if it
    /// were input (predicting and learning every bit, coding nothing); then restarts
    /// the learning-rate schedule and the hidden units' statistics: the model keeps
    /// what the text taught it, and still adapts to the input as fast as a fresh one (without
    /// the restart, binary files lost more to priming: kennedy.xls +1.7% instead of
    /// +0.2%, for the same gain on text).
    fn prime(&mut self, text: &[u8], tables_only: usize) {
        if text.is_empty() {
            return;
        }
        let (counted, learned) = text.split_at(tables_only.min(text.len()));
        if self.lean {
            self.learn_text::<true, false>(counted);
            self.learn_text::<true, true>(learned);
        } else {
            self.learn_text::<false, false>(counted);
            self.learn_text::<false, true>(learned);
        }
        self.bits_seen = 0;
        self.head.reset_stats();
        let f = lr_factor(0);
        self.head.set_lr(self.base_lr * f);
        self.mixer_lr = MIXER_LR * f;
    }

    /// Learns every decision of `text`: with `MIX`, as if coding it (predicting with
    /// [`Predictor::p1_as`] and learning with [`Predictor::update_as`], both with
    /// `LEAN`); without, only the context statistics learn it (the tables' states and
    /// state maps, the order-0 map and the match model's history): nothing predicts,
    /// and the mixers, the network and the SSE stages learn nothing.
    fn learn_text<const LEAN: bool, const MIX: bool>(&mut self, text: &[u8]) {
        if text.is_empty() {
            return;
        }
        let codes = Arc::clone(&self.codes);
        for &c in text {
            let (path, len) = codes.path(c);
            for k in (0..len).rev() {
                if MIX {
                    self.p1_as::<LEAN>();
                }
                self.learn_as::<LEAN, MIX>((path >> k) as u8 & 1);
            }
        }
        if !MIX {
            // The next prediction's inputs, which the steps without `MIX` skip.
            self.gather::<LEAN>();
        }
    }

    /// Whether this is the *lean* predictor: the fast preset's shape (one mixer over
    /// one block of inputs whose output is the prediction, no SSE, the context counts
    /// of shape 1), whose coding loops call [`Predictor::p1_as`] and
    /// [`Predictor::update_as`] with `LEAN` true: the same arithmetic in the same
    /// order, with the checks for what the lean predictor lacks compiled out.
    #[inline(always)]
    pub fn is_lean(&self) -> bool {
        self.lean
    }

    /// Asks every context model for its hashes of the next byte's contexts.
    fn hash_byte(&mut self) {
        self.hashes.clear();
        for m in &mut self.models {
            m.hashes(&self.hist, &mut self.hashes);
        }
        for (i, h) in self.hashes.iter_mut().enumerate() {
            *h = salted(*h, i);
        }
    }

    /// Starts fetching every context's bucket for the nibble whose earlier bits are
    /// `c0` (0 for a byte's first nibble), all at once so that the misses overlap.
    /// Only a hint: called early, with a guess or with the bits just known, so that
    /// the lines are on their way while other work runs before
    /// [`Predictor::settle_slots`] needs them.
    ///
    /// Remembers the buckets for [`Predictor::settle_slots`], which always follows
    /// a call for the nibble it settles (a wrong guess is fetched again).
    #[inline(never)]
    fn prefetch_buckets(&mut self, c0: u32) {
        let salt = nibble_salt(c0);
        for (b, &h) in self.buckets.iter_mut().zip(&self.hashes) {
            *b = self.table.bucket_of(h ^ salt);
            self.table.prefetch(*b);
        }
    }

    /// Writes the finished nibble's slots back to the table.
    #[inline(always)]
    fn store_lines(&mut self) {
        for (&slot, line) in self.slots.iter().zip(&self.lines) {
            self.table.store(slot, line);
        }
    }

    /// Finds (or makes) each context's slot for the nibble whose earlier bits are
    /// `c0`, in the buckets [`Predictor::prefetch_buckets`] last fetched (for `c0`),
    /// loads it and reads the nibble's first states ([`Predictor::gather`]).
    #[inline(always)]
    fn settle_slots<const LEAN: bool>(&mut self, c0: u32) {
        self.find_slots(c0);
        self.gather::<LEAN>();
    }

    /// The first half of [`Predictor::settle_slots`]: finds and loads the slots.
    #[inline(always)]
    fn find_slots(&mut self, c0: u32) {
        let salt = nibble_salt(c0);
        let hashes = self.hashes.iter().zip(&self.buckets);
        for ((slot, line), (&h, &b)) in self.slots.iter_mut().zip(&mut self.lines).zip(hashes) {
            let h = h ^ salt;
            debug_assert_eq!(b, self.table.bucket_of(h));
            *slot = self.table.find_in(b, h, &self.states);
            *line = self.table.load(*slot);
        }
    }

    /// Reads every context's state for the next bit and its stretched probability
    /// into the mixers' inputs (at the end of [`Predictor::settle_slots`]; within a
    /// slot, [`learn_contexts`] does it while it learns).
    #[inline(always)]
    fn gather<const LEAN: bool>(&mut self) {
        let t = self.squash;
        let n = self.lines.len();
        let x = self.mixers.x.as_flattened_mut();
        let nib = self.nib & 15;
        let rows = &self.maps.rows()[..n];
        // The order contexts come first: count how many have seen this context.
        let k = self.n_orders;
        let lines = &self.lines[..n];
        let shape = self.shape;
        self.orders_seen = by_count!(
            lean LEAN,
            shape,
            context_inputs(lines, rows, &mut x[..n], (nib, k), t)
        );
    }

    /// Probability that the next bit is 1, scaled to `1..=65535`.
    #[inline(always)]
    pub fn p1(&mut self) -> u32 {
        self.p1_as::<false>()
    }

    /// [`Predictor::p1`]; with `LEAN` (only for a predictor that
    /// [`Predictor::is_lean`]) compiled for the lean predictor.
    #[inline(always)]
    pub fn p1_as<const LEAN: bool>(&mut self) -> u32 {
        debug_assert!(!LEAN || self.lean);
        let c0 = self.c0;
        let t = self.squash;
        let n = self.lines.len();
        let x = self.mixers.x.as_flattened_mut();
        let rows = self.maps.rows();
        let orders_seen = self.orders_seen;
        let mut k = n;
        if self.o0_input {
            let s0 = self.o0[c0 as usize];
            x[n] = t.stretch12f(ContextMaps::p12(&rows[n], s0));
            k += 1;
        }
        let c1 = self.hist.byte(1);
        self.match_state = 0;
        if let Some(m) = &mut self.matcher {
            self.match_state = m.state(self.path, self.bitpos);
            let [a, b] = m.inputs(self.match_state, self.bitpos, c1, t);
            x[k] = a;
            x[k + 1] = b;
            k += 2;
        }
        x[k] = 1.0;
        let sel = mixer_sets(c0, c1, self.match_state, orders_seen);
        let logit = if LEAN {
            self.mixers.forward_lean(sel[mixer::SINGLE], t)
        } else if self.direct {
            // One mixer and nothing after it ([`Head::Direct`]), without the
            // head's dispatch (three matches per bit cost 2% of the fast preset's
            // instructions).
            let mut z = [0f32];
            self.mixers.forward(&sel, t, &mut z);
            z[0]
        } else {
            let z = self.head.inputs();
            self.mixers.forward(&sel, t, z);
            z[self.mixers.len()] = 1.0;
            let rows = [c0 as usize, 256 + usize::from(c1)];
            let rows = &rows[..1 + usize::from(self.byte_embed)];
            // Past the plain tree's depth the decisions share the last output set.
            self.head.forward(rows, c0, self.bitpos.min(7) as usize, t)
        };
        let li = (logit * squash::LOGIT_SCALE) as i32;
        self.p_net = t.squash16(li);
        let mut p = self.p_net;
        if let (false, Some(sse)) = (LEAN, &mut self.sse) {
            p = sse.refine(p, c0, self.hist.last as u32, t);
        }
        // Memory the next steps need, fetched for the likelier value of this bit.
        let likely = self.codes.next(c0, u8::from(p >= 32768));
        if likely >= 256 {
            self.prefetched = 0;
            if let Some(m) = &self.matcher {
                m.prefetch(likely as u8);
            }
        } else if self.bitpos & 3 == 3 {
            self.prefetch_buckets(likely);
            self.prefetched = likely;
        }
        p.clamp(1, 65535)
    }

    /// Learns the bit that actually came (`bit` is 0 or 1) and moves to the next one.
    #[inline(always)]
    pub fn update(&mut self, bit: u8) {
        self.update_as::<false>(bit);
    }

    /// [`Predictor::update`]; with `LEAN` (only for a predictor that
    /// [`Predictor::is_lean`]) compiled for the lean predictor.
    #[inline(always)]
    pub fn update_as<const LEAN: bool>(&mut self, bit: u8) {
        self.learn_as::<LEAN, true>(bit);
    }

    /// [`Predictor::update_as`] with `MIX`; without, only the context statistics
    /// learn the bit (see [`Predictor::learn_text`]), with no prediction before it.
    #[inline(always)]
    fn learn_as<const LEAN: bool, const MIX: bool>(&mut self, bit: u8) {
        // Within a nibble the network and the mixers learn first: the mixers' inputs
        // are about to be replaced by the next bit's. At the end of a nibble they
        // learn while the next nibble's buckets are on their way from memory.
        // The node after this bit, `256 + byte` at a leaf (for the plain tree, the
        // partial byte with this bit; at a byte's end, the whole byte above its
        // leading 1). Slots hold four decisions: a new one is due at a leaf and after
        // every fourth decision.
        let next_c0 = self.codes.next(self.c0, bit);
        let leaf = next_c0 >= 256;
        let boundary = leaf || self.bitpos & 3 == 3;
        if let (false, true, Some(sse)) = (LEAN, MIX, &self.sse) {
            // The next bit's SSE entries are known now: fetch them while the rest of
            // the update and the next prediction run.
            let last = self.hist.last as u32;
            let next = if leaf {
                (1, last << 8 | (next_c0 & 0xff))
            } else {
                (next_c0, last)
            };
            sse.prefetch(next.0, next.1);
        }
        // The next nibble's buckets are known at a nibble's last bit: fetch them
        // before this bit's learning, which does not need them. At a byte's end
        // that takes the next byte's context hashes (the history is not read
        // again before the next prediction).
        if leaf {
            let c = next_c0 as u8;
            if let Some(m) = &self.matcher {
                m.prefetch(c);
            }
            self.hist.push(c);
            self.hash_byte();
            self.prefetch_buckets(0);
        } else if boundary {
            // Unless the guess in `p1` was right and they are on their way (without
            // `MIX` nothing guessed: `prefetched` stays 0, which no node is).
            if next_c0 != self.prefetched {
                self.prefetch_buckets(next_c0);
            }
        } else if MIX {
            self.learn_mix::<LEAN>(bit);
        }
        let nib = self.nib & 15;
        let (rows, recip) = self.maps.rows_mut();
        let next = &self.states;
        let n = self.lines.len();
        let k = self.n_orders;
        // Within a nibble the next bit's node is in the same slots: read it now.
        let next_nib = (!boundary).then_some(self.nib << 1 | usize::from(bit));
        let x = self.mixers.x.as_flattened_mut();
        let (lines, ctx_rows) = (&mut self.lines[..n], &mut rows[..n]);
        let t = self.squash;
        let nibs = (nib, next_nib);
        self.orders_seen = by_count!(
            lean LEAN,
            self.shape,
            learn_contexts(lines, ctx_rows, &mut x[..n], nibs, k, bit, next, recip, t)
        );
        if self.o0_input {
            let c0 = self.c0 as usize;
            let s0 = self.o0[c0];
            if let Some(row) = rows.last_mut() {
                ContextMaps::learn(row, s0, bit, recip);
            }
            self.o0[c0] = next.next(s0, bit);
        }
        if let (true, Some(m)) = (MIX, &mut self.matcher) {
            m.update_bit(bit);
        }
        if let (false, true, Some(sse)) = (LEAN, MIX, &mut self.sse) {
            sse.update(bit);
        }
        self.c0 = next_c0;
        self.path = self.path << 1 | u32::from(bit);
        self.nib = self.nib << 1 | usize::from(bit);
        self.bitpos += 1;
        // Neither the match model's byte step nor the network's needs the buckets
        // on their way.
        if leaf {
            let c = (self.c0 & 0xff) as u8;
            self.c0 = 1;
            self.path = 1;
            self.nib = 1;
            self.bitpos = 0;
            if let Some(m) = &mut self.matcher {
                m.update_byte(c);
            }
            self.next_nibble::<LEAN, MIX>(bit, 0);
        } else if self.bitpos & 3 == 0 {
            self.nib = 1;
            self.next_nibble::<LEAN, MIX>(bit, self.c0);
        }
        // After the network's step. In the plain tree the bit that reaches a multiple
        // of 1024 is the last of a byte, whose step comes late (above) and uses the
        // old rate; in a text segment's own tree it may fall anywhere in a byte.
        if !MIX {
            return;
        }
        self.bits_seen += 1;
        if self.bits_seen & 1023 == 0 {
            let f = lr_factor(self.bits_seen);
            self.head.set_lr(self.base_lr * f);
            self.mixer_lr = MIXER_LR * f;
        }
    }

    /// At a nibble's end (of the nibble whose last bit was `bit`): the mixers' and the
    /// network's step with `MIX` (see [`Predictor::learn_as`]), then the slots written
    /// back and the next nibble's (whose earlier bits are `c0`) settled.
    #[inline(always)]
    fn next_nibble<const LEAN: bool, const MIX: bool>(&mut self, bit: u8, c0: u32) {
        if MIX {
            self.learn_mix::<LEAN>(bit);
        }
        self.store_lines();
        self.find_slots(c0);
        if MIX {
            self.gather::<LEAN>();
        }
    }

    /// One learning step of the network and the mixers on `bit`, the bit just
    /// predicted (before the mixers' inputs are replaced by the next bit's).
    #[inline(always)]
    fn learn_mix<const LEAN: bool>(&mut self, bit: u8) {
        if LEAN {
            self.mixers.update_lean(bit, self.mixer_lr);
            return;
        }
        if !self.direct {
            let err = f32::from(bit) - self.p_net as f32 * (1.0 / 65536.0);
            self.head.learn(err, bit, self.mixer_lr);
        }
        self.mixers.update(bit, self.mixer_lr);
    }

    /// Hidden-unit statistics since the start.
    pub fn activation_stats(&self) -> ActivationStats {
        let s = self.head.stats();
        let units = s.active.len();
        let sum: u64 = s.active.iter().sum();
        ActivationStats {
            active_fraction: if s.predictions == 0 || units == 0 {
                0.0
            } else {
                sum as f64 / (s.predictions as f64 * units as f64)
            },
            dead_units: s.active.iter().filter(|&&c| c == 0).count(),
            units,
        }
    }

    /// Number of learned parameters: network and mixer weights, and one per context
    /// slot state and state-map entry.
    pub fn param_count(&self) -> usize {
        self.head.param_count()
            + self.mixers.param_count()
            + self.table.memory_bytes()
            + self.maps.memory_bytes() / 4
    }

    /// Number of weights of the network alone (without the context statistics).
    pub fn network_params(&self) -> usize {
        self.head.param_count()
    }

    /// Bytes of memory held by the model.
    pub fn memory_bytes(&self) -> usize {
        self.head.memory_bytes()
            + self.table.memory_bytes()
            + self.maps.memory_bytes()
            + self.mixers.memory_bytes()
            + self.matcher.as_ref().map_or(0, MatchModel::memory_bytes)
            + self.sse.as_ref().map_or(0, Sse::memory_bytes)
            + self.models.iter().map(|m| m.memory_bytes()).sum::<usize>()
    }
}

/// FNV-1a over `bytes`, continuing from `h`: the model's tests hash long runs of
/// outputs into the single numbers of their fixed vectors.
#[cfg(test)]
pub(crate) fn fnv(h: &mut u64, bytes: impl IntoIterator<Item = u8>) {
    for b in bytes {
        *h = (*h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::config::Preset;

    /// Text with words, markup, numbers and repeats, for the fixed vectors.
    fn sample() -> Vec<u8> {
        let mut t = Vec::new();
        for i in 0..12 {
            t.extend_from_slice(
                format!(
                    "<page><title>Item {i}</title>\n[[Link|the {i}th]] {{{{cite|year=19{i:02}}}}} \
                     the quick brown fox &amp; the lazy dog\n</page>\n"
                )
                .as_bytes(),
            );
        }
        t
    }

    /// Codes `text` with `cfg`: the FNV hash of every probability and the total code
    /// length in bits (from the probabilities).
    fn run(cfg: &ModelConfig, text: &[u8]) -> (u64, f64) {
        let mut p = Predictor::new(cfg).expect("valid preset");
        let (mut h, mut bits) = (0xcbf2_9ce4_8422_2325u64, 0f64);
        for &c in text {
            for k in (0..8).rev() {
                let bit = (c >> k) & 1;
                let q = p.p1();
                assert!((1..=65535).contains(&q));
                fnv(&mut h, u64::from(q).to_le_bytes());
                let pb = if bit == 1 { q } else { 65536 - q };
                bits -= (f64::from(pb) / 65536.0).log2();
                p.update(bit);
            }
        }
        (h, bits)
    }

    /// The lean predictor is the fast preset's shape only, and its compiled-out
    /// checks change nothing: the same probabilities, bit for bit, through both
    /// entry points, across slot and byte boundaries. (The golden files, written
    /// before the lean path, check its priming and coding too.)
    #[test]
    fn the_lean_path_is_the_fast_preset_and_predicts_the_same() {
        let text = sample();
        let fast = Preset::Fast.config().fitted(Some(text.len() as u64));
        let lean = |cfg: &ModelConfig| Predictor::new(cfg).expect("valid").is_lean();
        assert!(lean(&fast));
        assert!(!lean(&Preset::Default.config()));
        assert!(!lean(&Preset::Max.config()));
        for change in [
            |c: &mut ModelConfig| c.single_mixer = false,
            |c: &mut ModelConfig| c.apm = true,
            |c: &mut ModelConfig| c.orders = vec![2, 3, 4],
            |c: &mut ModelConfig| c.sparse = true,
        ] {
            let mut other = fast.clone();
            change(&mut other);
            assert!(!lean(&other), "{other:?}");
        }
        let mut a = Predictor::new(&fast).expect("valid");
        let mut b = Predictor::new(&fast).expect("valid");
        lean_predicts_as_general(&mut a, &mut b, &text);
    }

    /// Codes `text` in `a`'s tree through the general entry points of `a` and the
    /// lean ones of `b` (a predictor of the same settings and tree), asserting the
    /// same probability at every decision.
    fn lean_predicts_as_general(a: &mut Predictor, b: &mut Predictor, text: &[u8]) {
        assert!(b.is_lean());
        let codes = a.codes().clone();
        for &c in text {
            let (path, len) = codes.path(c);
            for k in (0..len).rev() {
                let bit = (path >> k) as u8 & 1;
                assert_eq!(a.p1(), b.p1_as::<true>());
                a.update(bit);
                b.update_as::<true>(bit);
            }
        }
    }

    /// In a tree of the text's own frequencies the order-0 map is no input: its
    /// states never move and the mixer has one input fewer. The lean loop still
    /// predicts as the general one does there.
    #[test]
    fn an_own_tree_takes_no_order0_input() {
        let text = sample();
        let fast = Preset::Fast.config().fitted(Some(text.len() as u64));
        let own = ByteCodes::own(&text).1;
        assert!(!own.is_plain());
        let mut a = Predictor::with_codes(&fast, own.clone()).expect("valid");
        let mut b = Predictor::with_codes(&fast, own).expect("valid");
        let plain = Predictor::new(&fast).expect("valid");
        assert!(!a.o0_input && plain.o0_input);
        // Priming moved the plain tree's order-0 states, not the own tree's.
        assert!(plain.o0.iter().any(|&s| s != 0));
        assert!(a.o0.iter().all(|&s| s == 0));
        lean_predicts_as_general(&mut a, &mut b, &text);
        assert!(a.o0.iter().all(|&s| s == 0));
        // The input after the contexts is the match model's, not order 0's.
        let n = a.lines.len();
        let x = a.mixers.x.as_flattened();
        assert_eq!(x[n + 2], 1.0, "the bias follows the two match inputs");
    }

    #[test]
    fn every_preset_learns_the_sample() {
        let text = sample();
        for preset in Preset::ALL {
            let cfg = preset.config().fitted(Some(text.len() as u64));
            let (_, bits) = run(&cfg, &text);
            let bpc = bits / text.len() as f64;
            // Twelve near-repeats: far below 8 bits per byte, and well below the
            // ~2.5 bpc of a first pass over such text.
            assert!(bpc < 1.6, "{preset:?}: {bpc:.3} bpc");
        }
    }

    #[test]
    fn priming_teaches_english_and_restarts_the_schedule() {
        // A paragraph that is not in the priming text.
        let text = b"The river rose through the night, and by morning the lower fields \
            were under water. Nobody in the village could remember a flood like it; the \
            old people said their grandparents had spoken of one, long before the bridge \
            was built, when the mill still stood on the far bank.";
        let mut cfg = Preset::Fast.config().fitted(Some(text.len() as u64));
        let bpc = |cfg: &ModelConfig| run(cfg, text).1 / text.len() as f64;
        let primed = bpc(&cfg);
        cfg.prime = 0;
        let fresh = bpc(&cfg.fitted(Some(text.len() as u64)));
        assert!(
            primed < 0.8 * fresh,
            "primed {primed:.3}, fresh {fresh:.3} bpc"
        );
        // The input's first bits learn at the boosted rate again, and the unit
        // statistics count the input only.
        // (fast with a hidden layer, so that there are unit statistics to restart)
        let mut one = Preset::Fast.config();
        one.layers = 1;
        let p = Predictor::new(&one.fitted(Some(1))).expect("valid");
        assert_eq!(p.bits_seen, 0);
        assert_eq!(p.mixer_lr, MIXER_LR * lr_factor(0));
        assert_eq!(p.head.stats().predictions, 0);
    }

    /// Each preset's context counts have their own compiled loops; other counts
    /// take the loop for any count.
    #[test]
    fn every_preset_has_a_compiled_shape() {
        let shapes: Vec<u8> = Preset::ALL
            .iter()
            .map(|p| {
                let c = p.config();
                shape_of(c.orders.len(), c.context_count())
            })
            .collect();
        assert_eq!(shapes, [1, 2, 3]);
        assert_eq!(shape_of(2, 5), 0);
        assert_eq!(shape_of(4, 4), 0);
    }

    /// The context loops compiled for a fixed count compute what the loop for any
    /// count computes, over all the contexts.
    #[test]
    fn fixed_count_context_loops_match_the_general_one() {
        let states = StateTable::new();
        let t = squash::tables();
        let mut maps = ContextMaps::new(5, &states);
        let mut lines = [[0u8; table::SLOT]; 4];
        for (i, l) in lines.iter_mut().enumerate() {
            for (j, s) in l.iter_mut().enumerate() {
                *s = (i * 37 + j * 11) as u8;
            }
        }
        let (mut a, mut b) = (lines, lines);
        let (rows, recip) = maps.rows_mut();
        let (mut ra, mut rb) = (rows[..4].to_vec(), rows[..4].to_vec());
        let (mut xa, mut xb) = ([0f32; 4], [0f32; 4]);
        for (step, nibs) in [(1, Some(2)), (2, Some(5)), (5, None), (1, Some(3))]
            .into_iter()
            .enumerate()
        {
            let bit = (step % 2) as u8;
            let sa =
                learn_contexts::<0, 0>(&mut a, &mut ra, &mut xa, nibs, 2, bit, &states, recip, t);
            let sb =
                learn_contexts::<2, 4>(&mut b, &mut rb, &mut xb, nibs, 2, bit, &states, recip, t);
            assert_eq!((sa, a, xa), (sb, b, xb), "step {step}");
            assert_eq!(ra, rb, "step {step}");
            let ga = context_inputs::<0, 0>(&a, &ra, &mut xa, (3, 2), t);
            let gb = context_inputs::<2, 4>(&b, &rb, &mut xb, (3, 2), t);
            assert_eq!((ga, xa), (gb, xb), "step {step}");
            // Only the first `orders` contexts (the order contexts) are counted.
            for orders in 0..=4 {
                let first = a[..orders].iter().filter(|l| l[3] != 0).count();
                let mut x = xa;
                assert_eq!(
                    context_inputs::<0, 0>(&a, &ra, &mut x, (3, orders), t),
                    first
                );
            }
        }
        // Every context took part: the states moved and the inputs are not all 0.
        assert_ne!(a, lines);
        assert!(xa.iter().all(|&v| v != 0.0), "{xa:?}");
    }

    /// Priming for the context statistics alone leaves them exactly as priming the
    /// whole model does (nothing in them depends on a prediction), and everything
    /// else as in a fresh model; the next prediction is neither model's. A split
    /// pass is the two in turn: the same tables, and mixers and a network that learned.
    #[test]
    fn priming_the_tables_alone_teaches_them_what_the_whole_pass_does() {
        let mut cfg = Preset::Default.config().fitted(Some(1000));
        cfg.prime = 1;
        let primed = |prime_tables: u8| {
            let cfg = ModelConfig {
                prime_tables,
                ..cfg.clone()
            };
            Predictor::new(&cfg).expect("valid")
        };
        let (mut whole, mut tables, mut split) = (primed(0), primed(64), primed(48));
        let mut fresh = Predictor::new(&ModelConfig { prime: 0, ..cfg }).expect("valid");
        // Priming ends at the start of the learning-rate schedule, where a fresh
        // network starts at the configured rate (for its first 1024 bits).
        fresh.head.set_lr(fresh.base_lr * lr_factor(0));
        assert_eq!(tables.table.buckets(), whole.table.buckets());
        assert_eq!(split.table.buckets(), whole.table.buckets());
        assert_ne!(tables.table.buckets(), fresh.table.buckets());
        assert_eq!(tables.maps.rows(), whole.maps.rows());
        assert_ne!(tables.maps.rows(), fresh.maps.rows());
        assert_eq!(tables.o0, whole.o0);
        assert_ne!(tables.o0, fresh.o0);
        // The weights and the rest of the mixers, the network and the SSE stages
        // (without the mixers' inputs, which read the tables), hashed.
        let learned = |p: &mut Predictor| {
            let x = std::mem::take(&mut p.mixers.x);
            let mut h = 0xcbf2_9ce4_8422_2325u64;
            fnv(
                &mut h,
                format!("{:?} {:?} {:?}", p.mixers, p.head, p.sse).bytes(),
            );
            p.mixers.x = x;
            h
        };
        let [w, t, s, f] = [&mut whole, &mut tables, &mut split, &mut fresh].map(learned);
        assert!(t == f && w != f && s != f && s != w, "{w} {t} {s} {f}");
        let p = [&mut whole, &mut tables, &mut split, &mut fresh].map(|p| p.p1());
        assert!(p[1] != p[0] && p[1] != p[3] && p[2] != p[0], "{p:?}");
    }

    #[test]
    fn fixed_vectors_per_preset() {
        let text = sample();
        let got: Vec<u64> = Preset::ALL
            .iter()
            .map(|p| run(&p.config().fitted(Some(text.len() as u64)), &text).0)
            .collect();
        assert_eq!(got, FIXED_PREDICTIONS.to_vec());
        // fast with three mixers and a final linear mixer (what fast was) predicts
        // as it did.
        let three = ModelConfig {
            single_mixer: false,
            ..Preset::Fast.config().fitted(Some(text.len() as u64))
        };
        assert_eq!(run(&three, &text).0, 7066191092902885773);
    }

    #[test]
    fn fixed_context_hashes() {
        let text = sample();
        let cfg = Preset::Max.config();
        let mut got = Vec::new();
        for mut m in cfg.components() {
            let (mut hist, mut h, mut out) =
                (History::default(), 0xcbf2_9ce4_8422_2325u64, Vec::new());
            for &c in &text {
                hist.push(c);
                out.clear();
                m.hashes(&hist, &mut out);
                assert_eq!(out.len(), m.count());
                for &v in &out {
                    fnv(&mut h, v.to_le_bytes());
                }
            }
            got.push(h);
        }
        assert_eq!(got, FIXED_HASHES.to_vec());
    }

    #[test]
    fn counts_parameters_and_active_units() {
        // fast without priming, its table fitted to a tiny input: 2^10 buckets.
        let mut cfg = Preset::Fast.config();
        cfg.prime = 0;
        let cfg = cfg.fitted(Some(1));
        assert_eq!(cfg.table_bits, 10);
        let code = |p: &mut Predictor| {
            for &c in b"abracadabra, abracadabra" {
                for k in (0..8).rev() {
                    p.p1();
                    p.update((c >> k) & 1);
                }
            }
        };
        // Its network has no hidden layer and one first-layer mixer, whose output is
        // the prediction: no weights after the mixer's 256 rows of 32, and no units.
        assert_eq!(cfg.layers, 0);
        assert!(cfg.single_mixer);
        let mut p = Predictor::new(&cfg).expect("valid");
        assert_eq!(p.network_params(), 0);
        let table = (64 << 10) + 64;
        assert_eq!(p.param_count(), 256 * 32 + table + 5 * 256 + 1024);
        code(&mut p);
        assert_eq!(p.activation_stats(), ActivationStats::default());
        // With three mixers the output stage is one more mixer, a weight per input
        // (3 mixers and a bias) and partial byte, and there are still no units.
        let mut cfg = cfg.clone();
        cfg.single_mixer = false;
        let mut p = Predictor::new(&cfg).expect("valid");
        assert_eq!(p.network_params(), 256 * 4);
        let expected = p.network_params() + 768 * 32 + table + 5 * 256 + 1024;
        assert_eq!(p.param_count(), expected);
        code(&mut p);
        assert_eq!(p.activation_stats(), ActivationStats::default());
        // With one hidden layer of fast's width:
        let mut cfg = cfg.clone();
        cfg.layers = 1;
        let mut p = Predictor::new(&cfg).expect("valid");
        // The network: 4 units over 3 mixers and a bias (5 x 4 with the unit biases),
        // 256 embedding rows of 4, and 8 output sets of 4 unit and 4 skip weights.
        assert_eq!(p.network_params(), 5 * 4 + 256 * 4 + 8 * (4 + 4));
        // With the mixers' 768 weight rows of 32, the table's bytes (64 per bucket and
        // one bucket of alignment slack) and the state maps (4 contexts and order 0, 256
        // entries each, and the 1,024 step sizes).
        let expected = p.network_params() + 768 * 32 + table + 5 * 256 + 1024;
        assert_eq!(p.param_count(), expected);
        // Before any prediction, no unit has been active.
        assert_eq!(
            p.activation_stats(),
            ActivationStats {
                active_fraction: 0.0,
                dead_units: 4,
                units: 4
            }
        );
        code(&mut p);
        let s = p.head.stats();
        assert_eq!(s.predictions, 24 * 8);
        let fired: u64 = s.active.iter().sum();
        let got = p.activation_stats();
        assert_eq!(got.units, 4);
        assert_eq!(got.active_fraction, fired as f64 / (192.0 * 4.0));
        assert!(
            got.active_fraction > 0.0 && got.active_fraction < 1.0,
            "{got:?}"
        );
        assert_eq!(got.dead_units, s.active.iter().filter(|&&c| c == 0).count());
        // A linear unit is never exactly 0: all active, none dead.
        let mut linear = cfg.clone();
        linear.activation = Activation::Linear;
        let mut p = Predictor::new(&linear).expect("valid");
        code(&mut p);
        let got = p.activation_stats();
        assert_eq!((got.active_fraction, got.dead_units), (1.0, 0));
    }

    const FIXED_PREDICTIONS: [u64; 3] = [
        15899480026483279864,
        16968552312013517464,
        4327751728124481185,
    ];
    const FIXED_HASHES: [u64; 5] = [
        12633546995243359331,
        14222845905961363161,
        13650525832357696732,
        4107602241402641031,
        4976120839282238384,
    ];
}
