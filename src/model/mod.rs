//! The predictor: an online-trained ReLU MLP that gives the probability of each next
//! bit of the text, over inputs built from hashed contexts and the recent bytes.
//!
//! A byte is predicted as eight binary decisions, most significant bit first (a binary
//! tree of 255 nodes of which eight are visited per byte). For each bit:
//!
//! 1. every context (order 0, order 1, hashed orders 2.., the word context, the match
//!    model) contributes its learned statistic for this node of the tree, as log-odds;
//! 2. the [`mlp`] maps those inputs, plus learned embeddings of the partial byte and
//!    of the last bytes, to the log-odds of a 1;
//! 3. optionally two adaptive probability maps ([`apm`]) refine the probability;
//! 4. after the bit is known, everything takes one learning step.
//!
//! Encoder and decoder call [`Predictor::p1`] then [`Predictor::update`] for every bit,
//! in the same order, and so hold bit-identical state at every step.

pub mod apm;
pub mod config;
pub mod context;
pub mod counter;
pub mod matcher;
pub mod mlp;
pub mod squash;

pub use config::{Activation, ModelConfig, Preset};

use crate::error::Result;
use apm::Apm;
use context::{mix, HashedTable};
use matcher::MatchModel;
use mlp::Mlp;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Statistics of the hidden units, for showing what the non-linearity does.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ActivationStats {
    /// Average fraction of hidden units with a non-zero output, over all predictions.
    pub active_fraction: f64,
    /// Hidden units that were never non-zero.
    pub dead_units: usize,
    /// Total hidden units.
    pub units: usize,
}

/// Weight rows per input: inputs are told apart by how much evidence they have.
const VARIANTS: usize = 6;

/// Which weight row a counter's input uses: by its update count.
#[inline]
fn confidence(c: u32) -> usize {
    match counter::count(c) {
        0 => 0,
        1 => 1,
        2 => 2,
        3..=5 => 3,
        6..=20 => 4,
        _ => 5,
    }
}

/// A counter's probability as network input: log-odds in natural units.
#[inline]
fn stretch_input(c: u32) -> f32 {
    squash::stretch12(counter::p12(c)) as f32 * (1.0 / 256.0)
}

/// Count limit of the hashed context counters: low, so that they keep adapting
/// (measured on enwik6: 8 beats 3, 5, 15, 30, 127 and 1023).
const HASHED_LIMIT: u32 = 8;

/// The learning-rate schedule: three times the configured rate at the start, decaying
/// as `1/(1 + t)` with `t` in units of 50 KB, to half the configured rate. Computed
/// in `f64` from integers with `+ - * /` only, hence identical everywhere.
fn lr_factor(bits_seen: u64) -> f32 {
    let t = bits_seen as f64 / (8.0 * 50_000.0);
    (3.0 / (1.0 + t)).max(0.5) as f32
}
/// Count limit of the direct order-0/1 counters.
const DIRECT_LIMIT: u32 = 1023;

/// The next-bit predictor.
#[derive(Debug)]
pub struct Predictor {
    mlp: Mlp,
    o0: Vec<u32>,
    o1: Option<Vec<u32>>,
    /// Hashed context orders (order 1 is direct and not among them).
    orders: Vec<u8>,
    tables: Vec<HashedTable>,
    /// Per hashed table (and the word context last): the byte-level context hash.
    hashes: Vec<u64>,
    /// Per hashed table: the hash of the second nibble's line.
    nibble_hashes: Vec<u64>,
    /// Per hashed table: the base index of the current nibble's line.
    lines: Vec<usize>,
    word: bool,
    word_hash: u64,
    prev_word: u64,
    matcher: Option<MatchModel>,
    apm1: Option<Apm>,
    apm2: Option<Apm>,
    byte_embed: usize,
    /// Partial byte with a leading 1 bit (1..=255).
    c0: u32,
    bitpos: u32,
    /// Partial nibble with a leading 1 bit (1..=15).
    nib: usize,
    /// The last 16 bytes, most recent in the low byte.
    hist: u128,
    p_mlp: u32,
    base_lr: f32,
    bits_seen: u64,
}

impl Predictor {
    /// Builds a predictor with freshly initialised weights for `cfg`.
    ///
    /// # Errors
    /// [`crate::Error::InvalidConfig`] if `cfg` is out of range.
    pub fn new(cfg: &ModelConfig) -> Result<Self> {
        cfg.validate()?;
        squash::init();
        counter::init();
        let has_o1 = cfg.orders.contains(&1);
        let orders: Vec<u8> = cfg.orders.iter().copied().filter(|&o| o != 1).collect();
        let mut tables: Vec<HashedTable> = orders
            .iter()
            .map(|_| HashedTable::new(cfg.table_bits, HASHED_LIMIT))
            .collect();
        if cfg.word {
            tables.push(HashedTable::new(cfg.table_bits, HASHED_LIMIT));
        }
        let inputs = 1 + usize::from(has_o1) + tables.len() + usize::from(cfg.match_model);
        let byte_embed = usize::from(cfg.byte_embed);
        let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
        let mlp = Mlp::new(
            inputs,
            VARIANTS,
            usize::from(cfg.hidden),
            usize::from(cfg.layers),
            cfg.activation,
            256 * (1 + byte_embed),
            256,
            cfg.lr,
            &mut rng,
        );
        let n = tables.len();
        let match_bits = (cfg.table_bits + 2).min(24);
        Ok(Predictor {
            mlp,
            o0: vec![counter::INIT; 256],
            o1: has_o1.then(|| vec![counter::INIT; 65536]),
            orders,
            tables,
            hashes: vec![0; n],
            nibble_hashes: vec![0; n],
            lines: vec![0; n],
            word: cfg.word,
            word_hash: 0,
            prev_word: 0,
            matcher: cfg
                .match_model
                .then(|| MatchModel::new(match_bits, match_bits - 2)),
            apm1: cfg.apm.then(|| Apm::new(256, 7)),
            apm2: cfg.apm.then(|| Apm::new(65536, 7)),
            byte_embed,
            c0: 1,
            bitpos: 0,
            nib: 1,
            hist: 0,
            p_mlp: 32768,
            base_lr: cfg.lr,
            bits_seen: 0,
        }
        .with_first_lines())
    }

    fn with_first_lines(mut self) -> Self {
        self.start_byte();
        self
    }

    /// Computes the context hashes of a new byte and looks up their first lines.
    fn start_byte(&mut self) {
        for (i, &o) in self.orders.iter().enumerate() {
            let mask = if o >= 16 {
                u128::MAX
            } else {
                (1u128 << (8 * o)) - 1
            };
            let h = self.hist & mask;
            self.hashes[i] = mix(mix(h as u64 ^ u64::from(o) << 56) ^ (h >> 64) as u64);
        }
        if self.word {
            let i = self.orders.len();
            self.hashes[i] = mix(self.word_hash ^ mix(self.prev_word).rotate_left(17) ^ 0x5757);
        }
        let mut touched = 0u32;
        for (t, &h) in self.tables.iter().zip(&self.hashes) {
            touched = touched.wrapping_add(t.touch(h));
        }
        std::hint::black_box(touched);
        for (i, t) in self.tables.iter_mut().enumerate() {
            self.lines[i] = t.find(self.hashes[i]);
        }
    }

    /// Looks up the lines of the second nibble, once its first bits are known.
    fn start_second_nibble(&mut self) {
        let c0 = u64::from(self.c0).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let mut touched = 0u32;
        for (i, t) in self.tables.iter().enumerate() {
            self.nibble_hashes[i] = mix(self.hashes[i] ^ c0);
            touched = touched.wrapping_add(t.touch(self.nibble_hashes[i]));
        }
        std::hint::black_box(touched);
        for (i, t) in self.tables.iter_mut().enumerate() {
            self.lines[i] = t.find(self.nibble_hashes[i]);
        }
    }

    /// Probability that the next bit is 1, scaled to `1..=65535`.
    #[inline(always)]
    pub fn p1(&mut self) -> u32 {
        let c0 = self.c0 as usize;
        let c1 = (self.hist & 0xff) as usize;
        let scale = 1.0 / 256.0;
        {
            let mlp = &mut self.mlp;
            let mut k = 0;
            mlp.set_input(k, confidence(self.o0[c0]), stretch_input(self.o0[c0]));
            k += 1;
            if let Some(o1) = &self.o1 {
                let c = o1[c1 << 8 | c0];
                mlp.set_input(k, confidence(c), stretch_input(c));
                k += 1;
            }
            for (t, &line) in self.tables.iter().zip(&self.lines) {
                let c = t.get(line + self.nib);
                mlp.set_input(k, confidence(c), stretch_input(c));
                k += 1;
            }
            if let Some(m) = &mut self.matcher {
                let st = m.predict(self.c0, self.bitpos);
                let len = m.match_len().min(15) as usize;
                mlp.set_input(k, if st == 0 { 0 } else { 1 + len / 4 }, st as f32 * scale);
            }
        }
        let mut rows = [0usize; mlp::MAX_ROWS];
        rows[0] = c0;
        for (k, r) in rows[1..=self.byte_embed].iter_mut().enumerate() {
            *r = 256 * (k + 1) + ((self.hist >> (8 * k)) & 0xff) as usize;
        }
        let logit = self.mlp.forward(&rows[..=self.byte_embed], c0);
        let li = (logit * squash::LOGIT_SCALE) as i32;
        self.p_mlp = squash::squash16(li);
        let mut p = self.p_mlp;
        if let (Some(a1), Some(a2)) = (&mut self.apm1, &mut self.apm2) {
            let r1 = a1.refine(p, c0);
            let r2 = a2.refine(p, c0 | c1 << 8);
            p = (2 * p + r1 + r2) >> 2;
        }
        p.clamp(1, 65535)
    }

    /// Learns the bit that actually came (`bit` is 0 or 1) and moves to the next one.
    #[inline(always)]
    pub fn update(&mut self, bit: u8) {
        let c0 = self.c0 as usize;
        let c1 = (self.hist & 0xff) as usize;
        let err = f32::from(bit) - self.p_mlp as f32 * (1.0 / 65536.0);
        self.mlp.backward(err);
        counter::update(&mut self.o0[c0], bit, DIRECT_LIMIT);
        if let Some(o1) = &mut self.o1 {
            counter::update(&mut o1[c1 << 8 | c0], bit, DIRECT_LIMIT);
        }
        for (t, &line) in self.tables.iter_mut().zip(&self.lines) {
            t.update(line + self.nib, bit);
        }
        if let Some(m) = &mut self.matcher {
            m.update_bit(bit);
        }
        if let (Some(a1), Some(a2)) = (&mut self.apm1, &mut self.apm2) {
            a1.update(bit);
            a2.update(bit);
        }
        self.bits_seen += 1;
        if self.bits_seen & 4095 == 0 {
            self.mlp.set_lr(self.base_lr * lr_factor(self.bits_seen));
        }
        self.c0 = self.c0 << 1 | u32::from(bit);
        self.nib = self.nib << 1 | usize::from(bit);
        self.bitpos += 1;
        if self.bitpos == 4 {
            self.nib = 1;
            self.start_second_nibble();
        } else if self.bitpos == 8 {
            let c = (self.c0 & 0xff) as u8;
            self.end_byte(c);
        }
    }

    fn end_byte(&mut self, c: u8) {
        self.hist = self.hist << 8 | u128::from(c);
        self.c0 = 1;
        self.nib = 1;
        self.bitpos = 0;
        if self.word {
            let l = c.to_ascii_lowercase();
            if l.is_ascii_alphanumeric() || c >= 0x80 {
                self.word_hash = (self.word_hash ^ u64::from(l)).wrapping_mul(0x100_0000_01b3);
            } else if self.word_hash != 0 {
                self.prev_word = self.word_hash;
                self.word_hash = 0;
            }
        }
        if let Some(m) = &mut self.matcher {
            m.update_byte(c);
        }
        self.start_byte();
    }

    /// Hidden-unit statistics since the start.
    pub fn activation_stats(&self) -> ActivationStats {
        let s = self.mlp.stats();
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

    /// Number of learned parameters (network weights and context statistics).
    pub fn param_count(&self) -> usize {
        self.mlp.param_count()
            + self.o0.len()
            + self.o1.as_ref().map_or(0, Vec::len)
            + self.tables.iter().map(HashedTable::len).sum::<usize>()
    }

    /// Number of weights of the network alone (without the context statistics).
    pub fn network_params(&self) -> usize {
        self.mlp.param_count()
    }

    /// Bytes of memory held by the model.
    pub fn memory_bytes(&self) -> usize {
        self.mlp.param_count() * 4
            + (self.o0.len() + self.o1.as_ref().map_or(0, Vec::len)) * 4
            + self
                .tables
                .iter()
                .map(HashedTable::memory_bytes)
                .sum::<usize>()
            + self.matcher.as_ref().map_or(0, MatchModel::memory_bytes)
            + self.apm1.as_ref().map_or(0, Apm::memory_bytes)
            + self.apm2.as_ref().map_or(0, Apm::memory_bytes)
    }

    /// The learning rate configured (the schedule starts there).
    pub fn base_lr(&self) -> f32 {
        self.base_lr
    }
}
