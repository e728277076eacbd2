//! Model configuration: every setting that shapes the predictor, its presets, and its
//! fixed binary encoding in the `.nnz` header (so that `decompress` needs no flags).

use crate::error::{ConfigError, Error, HeaderError, Result, TruncatedError};
use crate::model::component::ContextModel;
use crate::model::indirect::Indirect;
use crate::model::markup::Markup;
use crate::model::orders::Orders;
use crate::model::prime;
use crate::model::sparse::Sparse;
use crate::model::word::Words;
use byteorder::{ReadBytesExt, WriteBytesExt, LE};
use std::io::{Read, Write};

/// The non-linearity of the hidden layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Activation {
    /// `max(0, x)`: a unit passes its input or discards it.
    Relu,
    /// The identity: the network collapses to a linear (logistic) mixer.
    Linear,
    /// `max(x/16, x)`: ReLU that never fully closes.
    LeakyRelu,
    /// The hyperbolic tangent, by nnzip's own rational approximation
    /// ([`tanh_approx`]): a unit that saturates at -1 and 1.
    Tanh,
    /// The logistic function `(1 + tanh(x/2)) / 2`, by the same approximation:
    /// a unit that saturates at 0 and 1.
    Sigmoid,
}

impl Activation {
    /// All activations, in id order.
    pub const ALL: [Activation; 5] = [
        Activation::Relu,
        Activation::Linear,
        Activation::LeakyRelu,
        Activation::Tanh,
        Activation::Sigmoid,
    ];

    /// The id stored in the header.
    pub fn id(self) -> u8 {
        match self {
            Activation::Relu => 0,
            Activation::Linear => 1,
            Activation::LeakyRelu => 2,
            Activation::Tanh => 3,
            Activation::Sigmoid => 4,
        }
    }

    /// The activation with header id `id`, if any.
    pub fn from_id(id: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.id() == id)
    }

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Relu => "relu",
            Activation::Linear => "linear",
            Activation::LeakyRelu => "leaky",
            Activation::Tanh => "tanh",
            Activation::Sigmoid => "sigmoid",
        }
    }

    /// Whether this is one of the smooth, saturating activations (tanh, sigmoid),
    /// which the network computes apart from the piecewise-linear ones.
    #[inline(always)]
    pub fn is_smooth(self) -> bool {
        matches!(self, Activation::Tanh | Activation::Sigmoid)
    }

    /// Whether a unit of this activation whose output is `y` counts as *active*
    /// in the statistics ([`crate::model::ActivationStats`]): for ReLU, linear and
    /// leaky ReLU a non-zero output; for tanh and sigmoid an output that is neither
    /// near its resting value nor saturated, i.e. `0.05 < |y| < 0.95` for tanh and
    /// `0.05 < y < 0.95` for sigmoid (so that, as with ReLU, an active unit both
    /// passes a signal and still responds to its input).
    #[inline(always)]
    pub fn is_active(self, y: f32) -> bool {
        match self {
            Activation::Relu | Activation::Linear | Activation::LeakyRelu => y != 0.0,
            Activation::Tanh => {
                let a = y.abs();
                a > 0.05 && a < 0.95
            }
            Activation::Sigmoid => y > 0.05 && y < 0.95,
        }
    }

    /// Parses a command-line name (`relu`, `linear`, `leaky`, `tanh`, `sigmoid`).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.name() == name)
    }
}

/// `tanh(x)` from `+ - * /` only, identical on every CPU: the Padé-style rational
/// `x (27 + x²) / (27 + 9 x²)` for `|x| < 3`, and `±1` beyond (where the rational
/// reaches exactly 1). Its largest error against the true tanh is about 0.02 (near
/// `|x| = 1.9`); what matters for the codec is only that encoder and decoder compute
/// the same value.
#[inline(always)]
pub fn tanh_approx(x: f32) -> f32 {
    if x >= 3.0 {
        1.0
    } else if x <= -3.0 {
        -1.0
    } else {
        let x2 = x * x;
        // Rounding can take the rational a hair past 1 just below |x| = 3.
        (x * (27.0 + x2) / (27.0 + 9.0 * x2)).clamp(-1.0, 1.0)
    }
}

impl std::fmt::Display for Activation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Named starting points for the model size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Preset {
    /// Orders 2 and 4, words and the match model, no SSE, one mixer whose output is the
    /// prediction (no hidden layer), text in a tree of its own
    /// ([`ModelConfig::text_codes`]), 64 KiB of priming: the fastest preset (about
    /// 1.87 bpc on enwik8's first 2 MB).
    Fast,
    /// Orders 2, 3, 4, 6, words, markup, indirect contexts, the match model and SSE,
    /// text in a tree of its own, 128 KiB of priming: the balance of ratio and speed
    /// (about 1.74 bpc on enwik8's first 2 MB), at most 330 MB.
    Default,
    /// Orders 1 to 6, 8 and 12, the default's other contexts with the sparse ones, a
    /// wider network with a last-byte embedding, 192 KiB of priming and a table of up
    /// to 1 GiB for long inputs (1.70 bpc on enwik8's first 2 MB; about 1.1 GB at
    /// most).
    Max,
}

impl Preset {
    /// All presets, fastest first.
    pub const ALL: [Preset; 3] = [Preset::Fast, Preset::Default, Preset::Max];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Preset::Fast => "fast",
            Preset::Default => "default",
            Preset::Max => "max",
        }
    }

    /// Parses a command-line name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The configuration this preset stands for.
    pub fn config(self) -> ModelConfig {
        match self {
            Preset::Fast => ModelConfig {
                // Orders 2 and 4 only: against 2, 3, 4, 6 they cost +1.8% on enwik8's
                // first 2 MB (456,816 against 448,828 bytes) for 12% fewer
                // instructions per bit.
                orders: vec![2, 4],
                word: true,
                match_model: true,
                sparse: false,
                markup: false,
                indirect: false,
                table_bits: 20,
                // No hidden layer: a final linear mixer mixes as well as a hidden
                // layer of 4 did (ten files of shared/corpora 0.5% smaller) for 15%
                // fewer instructions per bit. The width is for `--layers 1`.
                hidden: 4,
                layers: 0,
                // One mixer, whose output is the prediction: 15% fewer instructions
                // per bit for 1.1% more bytes on enwik8's first 2 MB (alice29 +1.1%,
                // book1 +0.5%, bible +0.8%).
                single_mixer: true,
                activation: Activation::Relu,
                byte_embed: 0,
                lr: 0.001,
                apm: false,
                // Text in about five decisions per byte instead of eight: 21% less
                // time on enwik8's first 2 MB for 2.0% more bytes (see the README).
                text_codes: true,
                prime: 1,
                // The lean predictor learns the text whole in about the time the
                // context statistics alone would take.
                prime_tables: 0,
                seed: DEFAULT_SEED,
            },
            Preset::Default => ModelConfig {
                // No hashed order 1: the direct order-0 map, order 2 and the order-1
                // SSE stage cover it. Orders 5 and 8, the sparse contexts and the byte
                // embedding went for speed (14.5% fewer instructions per bit; +0.8%
                // on enwik8's first 2 MB, +1.3% on ten files of shared/corpora): of
                // the default's parts they bought the fewest bytes per instruction.
                orders: vec![2, 3, 4, 6],
                word: true,
                match_model: true,
                sparse: false,
                markup: true,
                indirect: true,
                table_bits: 22,
                hidden: 8,
                layers: 1,
                single_mixer: false,
                activation: Activation::Relu,
                byte_embed: 0,
                lr: 0.001,
                apm: true,
                // 27% less time on enwik8's first 2 MB for 1.3% more bytes (all of
                // shared/corpora +1.1%): still fewer than lpaq1's, now in less time.
                text_codes: true,
                prime: 2,
                // The context statistics alone read the first 112 KiB, the whole
                // model the last 16: 50% of priming's instructions saved (3% of the
                // time on enwik8's first 2 MB, half the fixed time per file) for
                // +0.05% on enwik8's first 2 MB, +0.15% on the files of
                // shared/corpora (geometric mean; all tables-only: +0.3%).
                prime_tables: 112,
                seed: DEFAULT_SEED,
            },
            Preset::Max => ModelConfig {
                orders: vec![1, 2, 3, 4, 5, 6, 8, 12],
                word: true,
                match_model: true,
                sparse: true,
                markup: true,
                indirect: true,
                table_bits: 24,
                hidden: 16,
                layers: 1,
                single_mixer: false,
                activation: Activation::Relu,
                byte_embed: 1,
                lr: 0.001,
                apm: true,
                text_codes: false,
                prime: 3,
                // Every byte counts more than time here: the whole model reads the
                // text (a tables-only pass would cost 0.06% on enwik8's first 2 MB
                // and 0.5% on alice29).
                prime_tables: 0,
                seed: DEFAULT_SEED,
            },
        }
    }
}

/// log2 of the most context-table buckets per input byte that
/// [`ModelConfig::fitted`] keeps: one bucket (four slots) per byte, rounded up. On
/// enwik8's first 2 MB, 4 buckets per byte saved 0.05% of the output and cost 20%
/// more time, mostly the kernel zeroing the pages.
pub const TABLE_BUCKETS_PER_BYTE_LOG2: u8 = 0;

/// The most hashed contexts any valid configuration has: every order, two word
/// contexts, three sparse, two markup, three indirect.
pub const MAX_CONTEXTS: usize = limits::MAX_ORDER as usize + 2 + 3 + 2 + 3;

// Every configuration's inputs fit one mixer row (a context each, order 0, two from
// the match model, a bias), so `Mixers::new` can never be asked for more.
const _: () = assert!(MAX_CONTEXTS + 4 <= crate::model::mixer::MAX_INPUTS);

/// The seed used unless the user picks another.
pub const DEFAULT_SEED: u64 = 0x6e6e_7a69_7000_0001;

/// Limits checked before any allocation, on the command line and in headers alike.
pub mod limits {
    /// Largest context order.
    pub const MAX_ORDER: u8 = 16;
    /// Smallest and largest log2 of context-table cache lines.
    pub const TABLE_BITS: std::ops::RangeInclusive<u8> = 10..=24;
    /// Hidden width range.
    pub const HIDDEN: std::ops::RangeInclusive<u16> = 1..=1024;
    /// Hidden layer count range (0: no hidden layer, see
    /// [`crate::model::head`]).
    pub const LAYERS: std::ops::RangeInclusive<u8> = 0..=2;
    /// Largest number of recent bytes with their own embedding.
    pub const MAX_BYTE_EMBED: u8 = 8;
    /// Most memory a model may ask for (checked before anything is allocated, so
    /// that a crafted header cannot make the decoder exhaust memory): 4 GiB.
    pub const MAX_MODEL_BYTES: u64 = 4 << 30;
}

/// Every setting of the neural model. Stored in full in each `.nnz` header.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelConfig {
    /// Orders (in bytes) of the hashed contexts, each in `1..=16`, distinct.
    pub orders: Vec<u8>,
    /// Whether a word context (hash of the current and previous word) is an input.
    pub word: bool,
    /// Whether the match model (prediction from the longest earlier repeat) is an input.
    pub match_model: bool,
    /// Whether the sparse (skip) contexts are inputs.
    pub sparse: bool,
    /// Whether the markup (XML/wiki state) and column contexts are inputs.
    pub markup: bool,
    /// Whether the indirect contexts (the bytes that followed the last one and two
    /// bytes before) are inputs.
    pub indirect: bool,
    /// log2 of the number of 64-byte buckets of the hashed context table that all
    /// context models share.
    pub table_bits: u8,
    /// Width of each hidden layer.
    pub hidden: u16,
    /// Number of hidden layers. With none, the first-layer mixers' outputs are mixed
    /// by one more linear mixer ([`crate::model::head`]) and `hidden`,
    /// `activation`, `byte_embed` and `lr` are not used.
    pub layers: u8,
    /// Whether the first layer is one mixer (its weight set chosen by the order or
    /// match depth with the last byte's high bits) instead of three
    /// ([`crate::model::mixer::Bank`]). With no hidden layer, that mixer's output is
    /// the prediction.
    pub single_mixer: bool,
    /// Non-linearity of the hidden layers.
    pub activation: Activation,
    /// Number of most recent bytes that have a learned embedding of their own (the
    /// network uses one: 0 or more than 0).
    pub byte_embed: u8,
    /// Learning rate of the network's online SGD.
    pub lr: f32,
    /// Whether the adaptive probability maps (SSE) refine the network's output.
    pub apm: bool,
    /// Whether a segment whose first bytes look like English text is coded in a
    /// Huffman tree of its own byte frequencies ([`crate::model::codes`]: fewer
    /// decisions per byte, so faster, for a little ratio); other segments, and every
    /// segment without it, in the plain tree of eight bits.
    pub text_codes: bool,
    /// How much of the built-in English text the model reads before its input, in
    /// blocks of 64 KiB ([`crate::model::prime`]): 0 (none) to 3.
    pub prime: u8,
    /// How much of the start of the priming text, in KiB (0 to 192, at most all of
    /// it), only the context statistics learn: the tables' states, the state maps,
    /// the order-0 map and the match model's history, with nothing predicted and the
    /// mixers, the network and the SSE stages left as they are. Such a pass takes
    /// less than half the time of a whole model's, and keeps most of what priming is
    /// worth; the rest of the text is read as input would be.
    pub prime_tables: u8,
    /// Seed of the weight initialisation.
    pub seed: u64,
}

impl Default for ModelConfig {
    fn default() -> Self {
        Preset::Default.config()
    }
}

/// Size of [`ModelConfig`]'s binary encoding in bytes.
pub const ENCODED_LEN: usize = 24;

impl ModelConfig {
    /// Checks every field against [`limits`].
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming the first field out of range.
    pub fn validate(&self) -> Result<()> {
        let bad = |e: ConfigError| Err(Error::InvalidConfig(e));
        if self.context_count() == 0 {
            return bad(ConfigError::NoContext);
        }
        let mut seen = [false; limits::MAX_ORDER as usize + 1];
        for &o in &self.orders {
            if o == 0 || o > limits::MAX_ORDER {
                return bad(ConfigError::Order {
                    got: o,
                    max: limits::MAX_ORDER,
                });
            }
            if std::mem::replace(&mut seen[o as usize], true) {
                return bad(ConfigError::DuplicateOrder(o));
            }
        }
        if !limits::TABLE_BITS.contains(&self.table_bits) {
            return bad(ConfigError::TableBits {
                got: self.table_bits,
                expected: limits::TABLE_BITS,
            });
        }
        if !limits::HIDDEN.contains(&self.hidden) {
            return bad(ConfigError::Hidden {
                got: self.hidden,
                expected: limits::HIDDEN,
            });
        }
        if !limits::LAYERS.contains(&self.layers) {
            return bad(ConfigError::Layers {
                got: self.layers,
                expected: limits::LAYERS,
            });
        }
        if self.byte_embed > limits::MAX_BYTE_EMBED {
            return bad(ConfigError::ByteEmbed {
                got: self.byte_embed,
                max: limits::MAX_BYTE_EMBED,
            });
        }
        if self.prime > prime::MAX_BLOCKS {
            return bad(ConfigError::Prime {
                got: self.prime,
                max: prime::MAX_BLOCKS,
            });
        }
        if usize::from(self.prime_tables) > prime::MAX_KIB {
            return bad(ConfigError::PrimeTables {
                got: self.prime_tables,
                max: prime::MAX_KIB,
            });
        }
        if !(self.lr.is_finite() && self.lr > 0.0 && self.lr <= 1.0) {
            return bad(ConfigError::LearningRate(self.lr));
        }
        let need = self.memory_estimate();
        if need > limits::MAX_MODEL_BYTES {
            return bad(ConfigError::ModelTooLarge {
                need,
                limit: limits::MAX_MODEL_BYTES,
            });
        }
        Ok(())
    }

    /// Applies the network settings a user gave. A width or an activation given for a
    /// configuration with no hidden layer (the fast preset's) gives it one, unless
    /// `layers` is given too: asked for 8 hidden units, the user means to have them.
    pub fn set_network(
        &mut self,
        hidden: Option<u16>,
        layers: Option<u8>,
        activation: Option<Activation>,
    ) {
        if let Some(h) = hidden {
            self.hidden = h;
        }
        if let Some(a) = activation {
            self.activation = a;
        }
        match layers {
            Some(l) => self.layers = l,
            None if self.layers == 0 && (hidden.is_some() || activation.is_some()) => {
                self.layers = 1;
            }
            None => {}
        }
    }

    /// Bytes the model allocates for this configuration, as
    /// [`crate::model::Predictor::memory_bytes`] counts them (exact to within a few
    /// hundred bytes of per-prediction buffers): the shared context table, the state
    /// maps, the match model, the APMs, the first-layer mixers and the network.
    pub fn memory_estimate(&self) -> u64 {
        use crate::model::mlp::padded;
        let contexts = self.context_count() as u64;
        // The table: 2^table_bits buckets of 64 bytes, plus one for alignment.
        let table = (64u64 << self.table_bits) + 64;
        // One state map row (256 u32) per context and one for order 0, and the
        // reciprocal table (STATEMAP_LIMIT + 1 u32).
        let recip = 4 * (u64::from(crate::model::state::STATEMAP_LIMIT) + 1);
        let maps = 1024 * (contexts + 1) + recip;
        let match_bits = u32::from(self.table_bits.saturating_add(2).clamp(16, 24));
        let matcher = if self.match_model {
            // History buffer, index of u32, and the hit map (a u32 per length bucket,
            // expected bit and partial byte) with its reciprocal table.
            let hits = 4 * (crate::model::matcher::LEN_BUCKETS as u64 * 2 * 256) + recip;
            (1u64 << match_bits) + 4 * (1u64 << (match_bits - 2)) + hits
        } else {
            0
        };
        let indirect = if self.indirect {
            crate::model::indirect::MEMORY_BYTES
        } else {
            0
        };
        let apm = if self.apm {
            crate::model::sse::MEMORY_BYTES
        } else {
            0
        };
        // First-layer mixers: one fixed-width row of inputs per weight set.
        let (sets, count) = if self.single_mixer {
            (super::MIXER_SETS[super::mixer::SINGLE], 1)
        } else {
            (super::MIXER_SETS.iter().sum(), super::MIXER_SETS.len())
        };
        let mixers = 4 * (sets * super::mixer::MAX_INPUTS) as u64;
        // The network: the mixers' outputs and a bias in; padded width; first layer,
        // second layer (width rows), embeddings, 8 output rows, 8 skip rows.
        let net_inputs = count + 1;
        let h = padded(usize::from(self.hidden)) as u64;
        let width = u64::from(self.hidden);
        let emb = 256 * (1 + u64::from(self.byte_embed > 0));
        let second = if self.layers > 1 { width * h } else { 0 };
        // The first layer has a row per input padded to a whole block (zero rows).
        let net = if self.layers == 0 && self.single_mixer {
            // Nothing after the one mixer.
            0
        } else if self.layers == 0 {
            // The final linear mixer: one padded row per weight set.
            4 * (super::head::LINEAR_SETS * super::mixer::MAX_INPUTS) as u64
        } else {
            4 * (padded(net_inputs) as u64 * h + second + emb * h + 8 * h)
                + 4 * 8 * padded(net_inputs) as u64
        };
        table + maps + matcher + indirect + apm + mixers + net
    }

    /// This configuration with the context table no larger than an input of `len`
    /// bytes, or the priming text if that is longer, can use (when the length is
    /// known): at most
    /// [`TABLE_BUCKETS_PER_BYTE_LOG2`] buckets per input byte, rounded up to a power
    /// of two. A smaller table costs no ratio there, and a large one costs time:
    /// every page it touches must be zeroed by the kernel, and random lookups in it
    /// miss the TLB. Idempotent, and never grows the table.
    pub fn fitted(&self, len: Option<u64>) -> ModelConfig {
        let mut cfg = self.clone();
        if let Some(len) = len {
            // The priming text goes through the same table first: the table is sized
            // for the longer of the two. (Not for their sum: on enwik8's first 2 MB
            // with the default's 128 KiB of priming that would double the table to
            // 256 MiB, for 0.1% of the output.)
            let len = len.max(self.prime_len() as u64);
            let need = 64 - len.max(1).leading_zeros() as u8 + TABLE_BUCKETS_PER_BYTE_LOG2;
            cfg.table_bits = cfg.table_bits.min(need.max(*limits::TABLE_BITS.start()));
        }
        cfg
    }

    /// Bytes of the built-in text the model reads before its input
    /// ([`ModelConfig::prime`] blocks of [`prime::BLOCK`]).
    pub fn prime_len(&self) -> usize {
        prime::text(self.prime).len()
    }

    /// Bytes at the start of the priming text that only the context statistics
    /// learn ([`ModelConfig::prime_tables`], at most the whole text).
    pub fn prime_tables_len(&self) -> usize {
        (usize::from(self.prime_tables) << 10).min(self.prime_len())
    }

    /// Number of hashed contexts the components push per byte (at most
    /// [`MAX_CONTEXTS`]).
    pub fn context_count(&self) -> usize {
        self.orders.len()
            + if self.word { 2 } else { 0 }
            + if self.sparse { 3 } else { 0 }
            + if self.markup { 2 } else { 0 }
            + if self.indirect { 3 } else { 0 }
    }

    /// The context models this configuration turns on, in input order.
    pub fn components(&self) -> Vec<Box<dyn ContextModel>> {
        let mut v: Vec<Box<dyn ContextModel>> = Vec::new();
        if !self.orders.is_empty() {
            v.push(Box::new(Orders::new(&self.orders)));
        }
        if self.word {
            v.push(Box::new(Words::new()));
        }
        if self.sparse {
            v.push(Box::new(Sparse));
        }
        if self.markup {
            v.push(Box::new(Markup::new()));
        }
        if self.indirect {
            v.push(Box::new(Indirect::new()));
        }
        v
    }

    /// Writes the fixed-size binary encoding ([`ENCODED_LEN`] bytes, little endian).
    ///
    /// # Errors
    /// Any I/O error of `w`.
    pub fn write_to<W: Write>(&self, w: &mut W) -> std::io::Result<()> {
        let mut mask = 0u16;
        for &o in &self.orders {
            mask |= 1 << (o - 1);
        }
        let flags = u8::from(self.word)
            | u8::from(self.match_model) << 1
            | u8::from(self.apm) << 2
            | u8::from(self.sparse) << 3
            | u8::from(self.markup) << 4
            | u8::from(self.indirect) << 5
            | u8::from(self.text_codes) << 6
            | u8::from(self.single_mixer) << 7;
        w.write_u16::<LE>(mask)?;
        w.write_u8(flags)?;
        w.write_u8(self.table_bits)?;
        w.write_u16::<LE>(self.hidden)?;
        w.write_u8(self.layers)?;
        w.write_u8(self.activation.id())?;
        w.write_u8(self.byte_embed)?;
        w.write_u8(self.prime)?;
        w.write_u8(self.prime_tables)?;
        w.write_u8(0)?; // reserved, must be zero
        w.write_u32::<LE>(self.lr.to_bits())?;
        w.write_u64::<LE>(self.seed)?;
        Ok(())
    }

    /// Reads and validates the encoding written by [`ModelConfig::write_to`].
    ///
    /// # Errors
    /// [`Error::Truncated`] if `r` ends early, [`Error::InvalidHeader`] for reserved
    /// bits that are set, unknown ids or values outside [`limits`].
    pub fn read_from<R: Read>(r: &mut R) -> Result<Self> {
        let mut b = [0u8; ENCODED_LEN];
        r.read_exact(&mut b).map_err(|e| match e.kind() {
            std::io::ErrorKind::UnexpectedEof => Error::Truncated(TruncatedError::ModelConfig),
            _ => Error::Io(e),
        })?;
        let mut c = &b[..];
        let mask = c.read_u16::<LE>()?;
        let flags = c.read_u8()?;
        let table_bits = c.read_u8()?;
        let hidden = c.read_u16::<LE>()?;
        let layers = c.read_u8()?;
        let act = c.read_u8()?;
        let byte_embed = c.read_u8()?;
        let prime = c.read_u8()?;
        let prime_tables = c.read_u8()?;
        let reserved = c.read_u8()?;
        let lr = f32::from_bits(c.read_u32::<LE>()?);
        let seed = c.read_u64::<LE>()?;
        if reserved != 0 {
            return Err(Error::InvalidHeader(HeaderError::ReservedModelBits));
        }
        let activation = Activation::from_id(act)
            .ok_or(Error::InvalidHeader(HeaderError::UnknownActivation(act)))?;
        let cfg = ModelConfig {
            orders: (1..=16u8).filter(|o| mask & (1 << (o - 1)) != 0).collect(),
            word: flags & 1 != 0,
            match_model: flags & 2 != 0,
            apm: flags & 4 != 0,
            prime,
            prime_tables,
            sparse: flags & 8 != 0,
            markup: flags & 16 != 0,
            indirect: flags & 32 != 0,
            text_codes: flags & 64 != 0,
            single_mixer: flags & 128 != 0,
            table_bits,
            hidden,
            layers,
            activation,
            byte_embed,
            lr,
            seed,
        };
        cfg.validate().map_err(|e| match e {
            Error::InvalidConfig(c) => Error::InvalidHeader(HeaderError::Config(c)),
            other => other,
        })?;
        Ok(cfg)
    }

    /// A one-line human description, e.g. for `nnzip info`.
    pub fn describe(&self) -> String {
        let orders: Vec<String> = self.orders.iter().map(|o| o.to_string()).collect();
        let hidden = match (self.layers, self.single_mixer) {
            (0, true) => "no hidden layer".to_string(),
            (0, false) => "no hidden layer (a linear output mixer)".to_string(),
            _ => format!(
                "{} hidden layer(s) of {} {}, {} byte embedding(s), lr {}",
                self.layers, self.hidden, self.activation, self.byte_embed, self.lr
            ),
        };
        let network = if self.single_mixer {
            format!("one mixer, {hidden}")
        } else {
            hidden
        };
        format!(
            "orders {}{}{}{}{}{}, table 2^{} buckets, {}, apm {}, {}, primed on {} KiB{}, seed {:#x}",
            orders.join(","),
            if self.word { " +word" } else { "" },
            if self.match_model { " +match" } else { "" },
            if self.sparse { " +sparse" } else { "" },
            if self.markup { " +markup" } else { "" },
            if self.indirect { " +indirect" } else { "" },
            self.table_bits,
            network,
            if self.apm { "on" } else { "off" },
            if self.text_codes {
                "text in its own tree"
            } else {
                "bytes as 8 bits"
            },
            self.prime_len() >> 10,
            match self.prime_tables_len() >> 10 {
                0 => String::new(),
                k if k << 10 == self.prime_len() => " (for the tables alone)".to_string(),
                k => format!(" (the first {k} KiB for the tables alone)"),
            },
            self.seed
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tanh_approx_is_close_odd_monotone_and_bounded() {
        let mut prev = -1.0f32;
        for i in -500..=500 {
            let x = i as f32 / 100.0;
            let y = tanh_approx(x);
            assert!((y - x.tanh()).abs() < 0.025, "{x}: {y} vs {}", x.tanh());
            assert_eq!(tanh_approx(-x), -y);
            assert!(
                y >= prev - 1e-6 && (-1.0..=1.0).contains(&y),
                "{x}: {y} after {prev}"
            );
            prev = y;
        }
        assert_eq!(tanh_approx(3.0), 1.0);
    }

    #[test]
    fn activation_ids_and_names_round_trip() {
        for a in Activation::ALL {
            assert_eq!(Activation::from_id(a.id()), Some(a));
            assert_eq!(Activation::from_name(a.name()), Some(a));
        }
        assert!(Activation::Relu.is_active(0.1) && !Activation::Relu.is_active(0.0));
        assert!(Activation::Tanh.is_active(-0.5) && !Activation::Tanh.is_active(0.99));
        assert!(!Activation::Sigmoid.is_active(0.01) && Activation::Sigmoid.is_active(0.5));
    }

    /// A width or an activation alone gives a model without a hidden layer one; an
    /// explicit layer count wins; nothing given changes nothing.
    #[test]
    fn network_flags_give_the_fast_preset_a_hidden_layer_when_they_need_one() {
        let fast = Preset::Fast.config();
        assert_eq!(fast.layers, 0);
        let set = |mut c: ModelConfig, h, l, a| {
            c.set_network(h, l, a);
            c
        };
        let c = set(fast.clone(), Some(8), None, None);
        assert_eq!((c.layers, c.hidden, c.activation), (1, 8, fast.activation));
        let c = set(fast.clone(), None, None, Some(Activation::Tanh));
        assert_eq!((c.layers, c.hidden, c.activation), (1, 4, Activation::Tanh));
        let c = set(fast.clone(), Some(8), Some(0), None);
        assert_eq!((c.layers, c.hidden), (0, 8));
        let c = set(fast.clone(), None, Some(2), None);
        assert_eq!(c.layers, 2);
        assert_eq!(set(fast.clone(), None, None, None), fast);
        let default = Preset::Default.config();
        let c = set(default.clone(), Some(16), None, None);
        assert_eq!((c.layers, c.hidden), (1, 16));
        let c = set(default.clone(), None, Some(0), None);
        assert_eq!(c.layers, 0);
        // Without a hidden layer the description names none, nor its settings.
        assert!(fast
            .describe()
            .contains(", one mixer, no hidden layer, apm off"));
        let three = ModelConfig {
            single_mixer: false,
            ..fast.clone()
        };
        assert!(three
            .describe()
            .contains(", no hidden layer (a linear output mixer), apm off"));
        let c = set(fast.clone(), Some(8), None, None);
        assert!(c
            .describe()
            .contains(", one mixer, 1 hidden layer(s) of 8 relu"));
        assert!(!fast.describe().contains("relu") && !fast.describe().contains("lr "));
    }

    #[test]
    fn activation_names_are_the_command_line_ones_and_display_as_them() {
        let names = Activation::ALL.map(|a| a.to_string());
        assert_eq!(names, ["relu", "linear", "leaky", "tanh", "sigmoid"]);
        for a in Activation::ALL {
            assert_eq!(Activation::from_name(&a.to_string()), Some(a));
            assert_eq!(Activation::from_id(a.id()), Some(a));
        }
        assert_eq!(Activation::from_name("ReLU"), None);
        assert_eq!(Activation::from_id(5), None);
    }

    #[test]
    fn preset_names_are_the_command_line_ones_and_round_trip() {
        assert_eq!(Preset::ALL.map(Preset::name), ["fast", "default", "max"]);
        for p in Preset::ALL {
            assert_eq!(Preset::from_name(p.name()), Some(p));
        }
        assert_eq!(Preset::from_name("xyzzy"), None);
        assert_eq!(Preset::from_name("Fast"), None);
    }

    /// The bands of [`Activation::is_active`] are open: their edges count as idle.
    #[test]
    fn activity_bands_exclude_their_edges() {
        for y in [0.05f32, 0.95, -0.05, -0.95, 0.0, 1.0, -1.0] {
            assert!(!Activation::Tanh.is_active(y), "tanh {y}");
        }
        for y in [0.051f32, 0.949, -0.051, -0.949] {
            assert!(Activation::Tanh.is_active(y), "tanh {y}");
        }
        for y in [0.05f32, 0.95, 0.0, 1.0, -0.5] {
            assert!(!Activation::Sigmoid.is_active(y), "sigmoid {y}");
        }
        for y in [0.051f32, 0.949] {
            assert!(Activation::Sigmoid.is_active(y), "sigmoid {y}");
        }
        for a in [Activation::Relu, Activation::Linear, Activation::LeakyRelu] {
            assert!(
                !a.is_active(0.0) && a.is_active(-1e-30) && a.is_active(7.0),
                "{a:?}"
            );
        }
    }

    #[test]
    fn presets_are_valid_and_round_trip() {
        for p in Preset::ALL {
            let cfg = p.config();
            cfg.validate().unwrap();
            let mut buf = Vec::new();
            cfg.write_to(&mut buf).unwrap();
            assert_eq!(buf.len(), ENCODED_LEN);
            assert_eq!(ModelConfig::read_from(&mut &buf[..]).unwrap(), cfg);
        }
    }

    #[test]
    fn memory_estimate_is_checked_and_matches_the_model() {
        // The largest configuration the limits allow stays under the memory cap...
        let mut cfg = Preset::Max.config();
        cfg.orders = (1..=16).collect();
        cfg.table_bits = *limits::TABLE_BITS.end();
        cfg.hidden = *limits::HIDDEN.end();
        cfg.layers = *limits::LAYERS.end();
        cfg.validate().unwrap();
        assert!(cfg.memory_estimate() < limits::MAX_MODEL_BYTES);
        // ...and one step past a limit is refused before anything is allocated.
        cfg.table_bits += 1;
        assert!(matches!(
            cfg.validate(),
            Err(Error::InvalidConfig(ConfigError::TableBits { got: 25, .. }))
        ));
        // The byte embedding and a second hidden layer count too (max has the one,
        // no preset the other): a small model, so that the model area's mutation
        // runs can afford it.
        let mut two = Preset::Fast.config();
        two.layers = 2;
        two.hidden = 16;
        two.byte_embed = 1;
        two.prime = 0;
        let checked = [
            ("fast", Preset::Fast.config()),
            ("default", Preset::Default.config()),
            ("embedding, two layers", two.fitted(Some(1))),
        ];
        for (what, cfg) in checked {
            let model = crate::model::Predictor::new(&cfg).unwrap();
            assert_eq!(cfg.memory_estimate(), model.memory_bytes() as u64, "{what}");
        }
        assert!(Preset::Max.config().memory_estimate() < 2_000_000_000);
        assert!(Preset::Default.config().memory_estimate() < 1_000_000_000);
    }

    #[test]
    fn validate_takes_each_limit_and_refuses_one_past_it() {
        let ok = |f: &dyn Fn(&mut ModelConfig)| {
            let mut c = Preset::Fast.config();
            f(&mut c);
            c.validate()
        };
        // Orders 1 to 16, each once; the two ends of the range pass, 0 and 17 do not
        // (and neither reaches past the table of orders seen).
        assert!(ok(&|c| c.orders = vec![1, limits::MAX_ORDER]).is_ok());
        for o in [0, limits::MAX_ORDER + 1, u8::MAX] {
            assert!(
                matches!(
                    ok(&|c| c.orders = vec![2, o]),
                    Err(Error::InvalidConfig(ConfigError::Order { got, max: 16 })) if got == o
                ),
                "{o}"
            );
        }
        assert!(matches!(
            ok(&|c| c.orders = vec![4, 2, 4]),
            Err(Error::InvalidConfig(ConfigError::DuplicateOrder(4)))
        ));
        assert!(ok(&|c| c.byte_embed = limits::MAX_BYTE_EMBED).is_ok());
        assert!(matches!(
            ok(&|c| c.byte_embed = limits::MAX_BYTE_EMBED + 1),
            Err(Error::InvalidConfig(ConfigError::ByteEmbed {
                got: 9,
                max: 8
            }))
        ));
        for lr in [1.0, 0.5, 1e-9] {
            assert!(ok(&|c| c.lr = lr).is_ok(), "{lr}");
        }
        for lr in [0.0, -0.001, 1.001, f32::NAN, f32::INFINITY] {
            assert!(
                matches!(
                    ok(&|c| c.lr = lr),
                    Err(Error::InvalidConfig(ConfigError::LearningRate(_)))
                ),
                "{lr}"
            );
        }
        for layers in [0, 1, 2] {
            assert!(ok(&|c| c.layers = layers).is_ok(), "{layers}");
        }
        for layers in [3, u8::MAX] {
            assert!(
                matches!(
                    ok(&|c| c.layers = layers),
                    Err(Error::InvalidConfig(ConfigError::Layers { .. }))
                ),
                "{layers}"
            );
        }
    }

    #[test]
    fn bad_fields_are_rejected() {
        let mut buf = Vec::new();
        Preset::Fast.config().write_to(&mut buf).unwrap();
        let mut b = buf.clone();
        b[4] = 0;
        b[5] = 0; // hidden 0
        assert!(matches!(
            ModelConfig::read_from(&mut &b[..]),
            Err(Error::InvalidHeader(HeaderError::Config(
                ConfigError::Hidden { got: 0, .. }
            )))
        ));
        let mut b = buf.clone();
        b[7] = 9; // unknown activation
        assert!(matches!(
            ModelConfig::read_from(&mut &b[..]),
            Err(Error::InvalidHeader(HeaderError::UnknownActivation(9)))
        ));
        assert!(matches!(
            ModelConfig::read_from(&mut &buf[..10]),
            Err(Error::Truncated(TruncatedError::ModelConfig))
        ));
        // Byte 9 is the priming length: 0..=3 blocks; byte 10 how many KiB of it the
        // tables alone read, 0..=192; byte 11 is reserved.
        assert_eq!(buf[9], 1, "fast reads one block");
        assert_eq!(buf[10], 0, "fast reads it whole");
        let mut b = buf.clone();
        b[10] = 192;
        assert_eq!(
            ModelConfig::read_from(&mut &b[..]).unwrap().prime_tables,
            192
        );
        b[10] = 193;
        assert!(matches!(
            ModelConfig::read_from(&mut &b[..]),
            Err(Error::InvalidHeader(HeaderError::Config(
                ConfigError::PrimeTables { got: 193, max: 192 }
            )))
        ));
        let mut b = buf.clone();
        b[9] = 0;
        assert_eq!(ModelConfig::read_from(&mut &b[..]).unwrap().prime, 0);
        b[9] = prime::MAX_BLOCKS + 1;
        assert!(matches!(
            ModelConfig::read_from(&mut &b[..]),
            Err(Error::InvalidHeader(HeaderError::Config(
                ConfigError::Prime { got: 4, max: 3 }
            )))
        ));
        let mut b = buf.clone();
        b[11] = 1;
        assert!(matches!(
            ModelConfig::read_from(&mut &b[..]),
            Err(Error::InvalidHeader(HeaderError::ReservedModelBits))
        ));
    }

    #[test]
    fn the_table_is_fitted_to_the_input_and_the_priming_text() {
        let mut cfg = Preset::Default.config();
        cfg.prime = 0;
        // 1000 bytes: the smallest table; 2^20 bytes: 2^20 buckets.
        assert_eq!(cfg.fitted(Some(1000)).table_bits, 10);
        assert_eq!(cfg.fitted(Some(1 << 20)).table_bits, 21);
        assert_eq!(cfg.fitted(Some((1 << 20) - 1)).table_bits, 20);
        assert_eq!(cfg.fitted(None).table_bits, cfg.table_bits);
        // Two blocks of priming (2^17 bytes) go through the table too: it is sized
        // for the longer of the input and the priming text.
        cfg.prime = 2;
        assert_eq!(cfg.fitted(Some(0)).table_bits, 18);
        assert_eq!(cfg.fitted(Some((1 << 18) - 1)).table_bits, 18);
        assert_eq!(cfg.fitted(Some(1 << 18)).table_bits, 19);
        // Never above the configured size, and idempotent.
        assert_eq!(cfg.fitted(Some(u64::MAX)).table_bits, cfg.table_bits);
        let once = cfg.fitted(Some(5000));
        assert_eq!(once.fitted(Some(5000)), once);
    }

    #[test]
    fn each_flag_bit_is_one_component_and_the_rest_are_reserved() {
        let mut buf = Vec::new();
        Preset::Fast.config().write_to(&mut buf).unwrap();
        assert_eq!(
            buf[2], 0b1100_0011,
            "fast: word, match, text codes and one mixer only"
        );
        let mut b = buf.clone();
        b[2] |= 1 << 5;
        let cfg = ModelConfig::read_from(&mut &b[..]).unwrap();
        assert!(cfg.indirect && !cfg.sparse && !cfg.markup && cfg.text_codes);
        // Bit 6 is the text codes and nothing else: no context, the same memory.
        b[2] &= !(1 << 6);
        let plain = ModelConfig::read_from(&mut &b[..]).unwrap();
        assert!(!plain.text_codes);
        assert_eq!(plain.context_count(), cfg.context_count());
        assert_eq!(plain.memory_estimate(), cfg.memory_estimate());
        assert_eq!(
            ModelConfig {
                text_codes: true,
                ..plain.clone()
            },
            cfg
        );
        assert_eq!(
            cfg.context_count(),
            Preset::Fast.config().context_count() + 3
        );
        // Every order and every component: the most contexts a file can ask for, and
        // a model of them builds (its inputs fit one mixer row).
        let mut all = Preset::Max.config().fitted(Some(1));
        all.orders = (1..=limits::MAX_ORDER).collect();
        (all.word, all.sparse, all.markup, all.indirect) = (true, true, true, true);
        all.prime = 0;
        all.validate().expect("every order and component is valid");
        assert_eq!(all.context_count(), MAX_CONTEXTS);
        assert!(crate::model::Predictor::new(&all).is_ok());
        // Bit 7 is the single mixer: the same contexts, the memory of two mixers'
        // weight sets fewer plus the final mixer's.
        let mut b = buf.clone();
        b[2] &= !(1 << 7);
        let three = ModelConfig::read_from(&mut &b[..]).unwrap();
        assert!(!three.single_mixer);
        assert_eq!(
            ModelConfig {
                single_mixer: true,
                ..three.clone()
            },
            Preset::Fast.config()
        );
        let row = 4 * crate::model::mixer::MAX_INPUTS as u64;
        assert_eq!(
            three.memory_estimate() - Preset::Fast.config().memory_estimate(),
            (512 + crate::model::head::LINEAR_SETS as u64) * row
        );
        // The reserved byte after the priming settings must be zero.
        let mut b = buf.clone();
        b[11] = 1;
        assert!(matches!(
            ModelConfig::read_from(&mut &b[..]),
            Err(Error::InvalidHeader(HeaderError::ReservedModelBits))
        ));
    }
}
