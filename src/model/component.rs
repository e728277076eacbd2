//! The interface every hashed context model implements, and the byte history they
//! read.
//!
//! A context model's only job is to say, once per byte, which contexts the next byte
//! is seen in: it pushes one 64-bit hash per context. Everything after that is shared
//! (see [`super::Predictor`]): the hash finds a slot of bit histories in the shared
//! [`super::table::HashTable`], a [`super::state::StateMap`] per context turns the
//! current state into a probability, and the network mixes them. So adding a context
//! model is one small file with one `impl ContextModel` and one line in
//! [`super::config`]'s list of components, and the per-bit loop stays one tight loop.

/// What the context models see: the bytes coded so far.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// The last 16 bytes, most recent in the low byte.
    pub last: u128,
    /// Bytes seen so far.
    pub pos: u64,
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
        self.pos += 1;
    }
}

/// A source of hashed contexts.
pub trait ContextModel: std::fmt::Debug + Send {
    /// How many hashes [`ContextModel::hashes`] pushes (fixed for the model's life).
    fn count(&self) -> usize;

    /// Learns the byte just appended to `hist` and pushes the hashes of the contexts
    /// the next byte is seen in, exactly [`ContextModel::count`] of them. A hash need
    /// not be salted per model: the caller salts it with the context's index.
    fn hashes(&mut self, hist: &History, out: &mut Vec<u64>);
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

/// Combines a hash with one more value.
#[inline(always)]
pub fn combine(h: u64, v: u64) -> u64 {
    mix(h.wrapping_add(v).wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ h.rotate_left(23))
}
