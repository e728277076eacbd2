//! The interface every hashed context model implements, and the byte history they
//! read.
//!
//! A context model's only job is to say, once per byte, which contexts the next byte
//! is seen in: it pushes one 64-bit value per context, a key that need not be mixed
//! (two different contexts only need different values). Everything after that is
//! shared (see [`super::Predictor`]): the key, mixed once with the context's index
//! ([`salted`]), finds a slot of bit histories in the shared
//! [`super::table::HashTable`], a [`super::state::StateMap`] per context turns the
//! current state into a probability, and the network mixes them. So adding a context
//! model is one small file with one `impl ContextModel` and one line in
//! [`super::config`]'s list of components, and the per-bit loop stays one tight loop.

/// What the context models see: the bytes coded so far.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// The last 16 bytes, most recent in the low byte.
    pub last: u128,
}

impl History {
    /// The byte `i` places back (1 = the last byte), 0 before the start.
    #[inline(always)]
    pub fn byte(&self, i: usize) -> u8 {
        debug_assert!((1..=16).contains(&i));
        (self.last >> (8 * (i - 1))) as u8
    }

    /// Appends a byte.
    #[inline(always)]
    pub fn push(&mut self, c: u8) {
        self.last = self.last << 8 | u128::from(c);
    }
}

/// A source of hashed contexts.
pub trait ContextModel: std::fmt::Debug + Send {
    /// How many hashes [`ContextModel::hashes`] pushes (fixed for the model's life).
    fn count(&self) -> usize;

    /// Learns the byte just appended to `hist` and pushes the keys of the contexts
    /// the next byte is seen in, exactly [`ContextModel::count`] of them. A key need
    /// be neither mixed nor salted per model: the caller mixes it with the context's
    /// index ([`salted`]); [`join`] combines parts cheaply.
    fn hashes(&mut self, hist: &History, out: &mut Vec<u64>);

    /// Bytes of the tables this model allocates beyond its few fields (counted in
    /// [`crate::model::Predictor::memory_bytes`]).
    fn memory_bytes(&self) -> usize {
        0
    }
}

/// A 64-bit finaliser (the multiply-xorshift of splitmix64): every input bit reaches
/// every output bit, so bucket index and checksum can come from different bits.
#[inline(always)]
pub fn mix(mut x: u64) -> u64 {
    x ^= x >> 31;
    x = x.wrapping_mul(0x7fb5_d329_728e_a185);
    x ^= x >> 27;
    x = x.wrapping_mul(0x81da_def4_bc2d_d44d);
    x ^ (x >> 33)
}

/// Combines a hash with one more value, fully mixed: for hashes that are extended
/// byte by byte (a word, a tag), where each step must depend on every earlier one.
#[inline(always)]
pub fn combine(h: u64, v: u64) -> u64 {
    mix(h.wrapping_add(v).wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ h.rotate_left(23))
}

/// Joins two values into one context value, cheaply and unmixed: each side goes
/// through its own odd multiplier (a bijection), so for a fixed `a` different `b`
/// give different values and the other way round. The result is only a key: the
/// predictor mixes every context's value once ([`salted`]) before the table sees it.
#[inline(always)]
pub fn join(a: u64, b: u64) -> u64 {
    a.wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(32) ^ b.wrapping_mul(0xc2b2_ae3d_27d4_eb4f)
}

/// The table hash of context number `i` (0-based, in the order the components push
/// them) with value `v`: one full [`mix`], salted by the index so that equal values
/// of different contexts land in different places.
#[inline(always)]
pub fn salted(v: u64, i: usize) -> u64 {
    mix(v ^ (i as u64 + 1).wrapping_mul(0xd6e8_feb8_6659_fd93))
}
