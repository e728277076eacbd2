//! The match model: finds the most recent earlier occurrence of the last few bytes
//! and predicts that the text goes on as it did then, with a confidence learned per
//! match length.
//!
//! History is a fixed ring buffer and the index a fixed table, so memory does not
//! grow with the input.

use super::codes::ByteCodes;
use super::component::mix;
use super::squash::Tables;
use super::state::StateMap;
use super::table::prefetch;
use crate::boxed::advise_huge_pages;
use std::sync::Arc;

/// Bytes that must agree before a match is used (and that the index hashes).
const MIN_LEN: usize = 6;
/// How far back a candidate is verified when a match starts.
const VERIFY: usize = 48;
/// Longest match length tracked.
const MAX_LEN: u32 = 65_535;
/// Length buckets told apart by the confidence map and the mixer.
pub const LEN_BUCKETS: usize = 16;
/// An index entry holds a position modulo `2^POS_BITS` (the history is never
/// longer) under a check of 8 more bits of the key's hash, so that a candidate
/// whose check differs, which could not pass the verification, is rejected
/// without reading the history there: on text where no match runs that read is a
/// cache miss at almost every byte.
const POS_BITS: u32 = 24;
/// The position bits of an index entry.
const POS_MASK: u32 = (1 << POS_BITS) - 1;

/// Match model state.
#[derive(Debug)]
pub struct MatchModel {
    buf: Vec<u8>,
    buf_mask: usize,
    index: Vec<u32>,
    index_bits: u32,
    /// Bytes seen so far.
    pos: usize,
    /// The last `MIN_LEN - 1` bytes, the newest in the highest byte (what
    /// [`MatchModel::slot_of`] hashes after the byte to come).
    recent: u64,
    /// Position in history of the byte predicted next (valid when `len > 0`).
    ptr: usize,
    len: u32,
    /// The predicted byte, valid when `len > 0`.
    expected_byte: u8,
    /// The predicted byte's path in `codes`, after a leading 1 bit (for the plain tree
    /// `0x100 | byte`), valid when `len > 0`.
    expected: u32,
    /// The length of that path.
    expected_len: u32,
    /// The tree the bytes are coded in.
    codes: Arc<ByteCodes>,
    /// Probability that the predicted bit comes, per (length bucket, bit, last byte).
    hits: StateMap,
    slot: Option<usize>,
}

/// The length bucket of a match of `len` bytes (0 = no match).
fn bucket(len: u32) -> usize {
    match len {
        0 => 0,
        1..=7 => 1,
        8..=11 => 2,
        12..=15 => 3,
        16..=19 => 4,
        20..=23 => 5,
        24..=27 => 6,
        28..=31 => 7,
        32..=47 => 8,
        48..=63 => 9,
        64..=95 => 10,
        96..=127 => 11,
        128..=255 => 12,
        256..=511 => 13,
        512..=1023 => 14,
        _ => 15,
    }
}

impl MatchModel {
    /// A model with a history of `2^buf_bits` bytes and `2^index_bits` index entries,
    /// for bytes coded as their paths in `codes`.
    pub fn new(buf_bits: u8, index_bits: u8, codes: Arc<ByteCodes>) -> Self {
        debug_assert!(
            u32::from(buf_bits) <= POS_BITS,
            "positions must fit the index"
        );
        // Both are megabytes, allocated zeroed and not yet touched: huge pages.
        let buf = vec![0; 1 << buf_bits];
        let index = vec![0; 1 << index_bits];
        advise_huge_pages(&buf);
        advise_huge_pages(&index);
        MatchModel {
            buf,
            buf_mask: (1 << buf_bits) - 1,
            index,
            index_bits: u32::from(index_bits),
            pos: 0,
            recent: 0,
            ptr: 0,
            len: 0,
            expected_byte: 0,
            expected: 0,
            expected_len: 8,
            codes,
            hits: StateMap::flat(LEN_BUCKETS * 2 * 256, 3 << 10),
            slot: None,
        }
    }

    /// The length bucket of the current match, if its prediction still agrees with
    /// `path`, the byte's first `bitpos` decisions after a leading 1 (for the plain
    /// tree the partial byte), and has decisions left (0 otherwise): a small context
    /// for the mixer.
    #[inline(always)]
    pub fn state(&self, path: u32, bitpos: u32) -> usize {
        if self.len > 0
            && bitpos < self.expected_len
            && (self.expected >> (self.expected_len - bitpos)) == path
        {
            bucket(self.len)
        } else {
            0
        }
    }

    /// The model's two inputs for the next bit, given `b`, the [`MatchModel::state`]
    /// of this bit (computed once by the caller, which also uses it as a context), in
    /// natural log-odds of a 1: the learned confidence of the match, signed by the bit
    /// it predicts, and the match length signed the same way. Both are 0 when there is
    /// no match or it has failed in this byte (`b == 0`).
    #[inline(always)]
    pub fn inputs(&mut self, b: usize, bitpos: u32, c1: u8, t: &Tables) -> [f32; 2] {
        let (slot, x) = self.look(b, bitpos, c1, t);
        self.slot = slot;
        x
    }

    /// [`MatchModel::inputs`] without remembering the slot for
    /// [`MatchModel::update_bit`]: a read-only look (for `nnzip explain`), the same
    /// values.
    pub fn peek_inputs(&self, b: usize, bitpos: u32, c1: u8, t: &Tables) -> [f32; 2] {
        self.look(b, bitpos, c1, t).1
    }

    /// The confidence slot of this bit (none without a match) and the two inputs of
    /// [`MatchModel::inputs`].
    #[inline(always)]
    fn look(&self, b: usize, bitpos: u32, c1: u8, t: &Tables) -> (Option<usize>, [f32; 2]) {
        if b == 0 {
            return (None, [0.0; 2]);
        }
        let bit = (self.expected >> (self.expected_len - 1 - bitpos)) & 1;
        let slot = (b * 2 + bit as usize) * 256 + usize::from(c1);
        let st = t.stretch12(self.hits.p12(slot)) as f32 * (1.0 / 256.0);
        let len = (self.len.min(32) as f32) * (1.0 / 16.0);
        let x = if bit == 1 { [st, len] } else { [-st, -len] };
        (Some(slot), x)
    }

    /// Learns whether the predicted bit came.
    #[inline(always)]
    pub fn update_bit(&mut self, bit: u8) {
        if let Some(slot) = self.slot {
            // The entry learns "the predicted bit came" as a 1.
            let came = u8::from(u32::from(bit) == ((slot >> 8) & 1) as u32);
            self.hits.update(slot, came);
        }
    }

    /// The index slot of the last [`MIN_LEN`] bytes when the newest is `newest` and
    /// the others are `recent` (see [`MatchModel::recent`]), and the check its
    /// entries carry above the position bits: the key is `newest, recent`, newest
    /// byte first, as 8-bit digits.
    #[inline(always)]
    fn slot_of(&self, newest: u8, recent: u64) -> (usize, u32) {
        let h = mix(u64::from(newest) << (8 * (MIN_LEN - 1)) | recent);
        ((h >> (64 - self.index_bits)) as usize, h as u32 & !POS_MASK)
    }

    /// `recent` with byte `c` pushed in as the newest.
    #[inline(always)]
    fn pushed(recent: u64, c: u8) -> u64 {
        recent >> 8 | u64::from(c) << (8 * (MIN_LEN - 2))
    }

    /// Starts fetching the index entry that [`MatchModel::update_byte`] will read
    /// and write if the byte now being coded turns out to be `likely` (a hint: on
    /// a long input the index is a cache miss at every byte otherwise).
    #[inline(always)]
    pub fn prefetch(&self, likely: u8) {
        if self.pos + 1 >= MIN_LEN {
            prefetch(&self.index[self.slot_of(likely, self.recent).0..]);
        }
    }

    /// Appends a whole byte to the history and updates the match.
    pub fn update_byte(&mut self, c: u8) {
        self.buf[self.pos & self.buf_mask] = c;
        self.pos += 1;
        let before = self.recent;
        self.recent = Self::pushed(before, c);
        if self.len > 0 && c == self.expected_byte {
            self.len = (self.len + 1).min(MAX_LEN);
            self.ptr += 1;
        } else {
            self.len = 0;
        }
        if self.pos < MIN_LEN {
            return;
        }
        let (slot, check) = self.slot_of(c, before);
        if self.len == 0 {
            // Positions are stored modulo 2^POS_BITS; the distance back is what
            // counts (an entry older than that is taken for a nearer one, which the
            // verification then judges like any other).
            let stored = self.index[slot];
            let dist = ((self.pos as u32).wrapping_sub(stored) & POS_MASK) as usize;
            let cand = self.pos - dist.min(self.pos);
            if stored != 0
                && stored & !POS_MASK == check
                && cand > 0
                && dist < self.buf.len() - VERIFY
            {
                let mut n = 0;
                while n < VERIFY
                    && n < cand
                    && self.buf[(cand - 1 - n) & self.buf_mask]
                        == self.buf[(self.pos - 1 - n) & self.buf_mask]
                {
                    n += 1;
                }
                if n >= MIN_LEN {
                    self.len = n as u32;
                    self.ptr = cand;
                }
            }
        }
        self.index[slot] = check | (self.pos as u32 & POS_MASK);
        if self.len > 0 {
            self.expected_byte = self.buf[self.ptr & self.buf_mask];
            (self.expected, self.expected_len) = self.codes.path(self.expected_byte);
        }
    }

    /// Bytes held.
    pub fn memory_bytes(&self) -> usize {
        self.buf.len() + self.index.len() * 4 + self.hits.memory_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::squash::tables;

    /// The plain tree, as a model holds it.
    fn plain() -> Arc<ByteCodes> {
        Arc::new(ByteCodes::plain().clone())
    }

    /// Feeds `text` bit by bit (each byte as its path in the model's tree); returns,
    /// per byte, the match state at its first bit and the inputs of every decision.
    fn feed(m: &mut MatchModel, text: &[u8]) -> (Vec<usize>, Vec<[f32; 2]>) {
        let t = tables();
        let (mut states, mut inputs) = (Vec::new(), Vec::new());
        let mut c1 = 0u8;
        for &c in text {
            let (code, len) = m.codes.path(c);
            let mut path = 1u32;
            for bitpos in 0..len {
                let b = m.state(path, bitpos);
                if bitpos == 0 {
                    states.push(b);
                }
                inputs.push(m.inputs(b, bitpos, c1, t));
                let bit = ((code >> (len - 1 - bitpos)) & 1) as u8;
                m.update_bit(bit);
                path = path << 1 | u32::from(bit);
            }
            m.update_byte(c);
            c1 = c;
        }
        (states, inputs)
    }

    #[test]
    fn in_a_tree_a_match_predicts_the_paths_bits() {
        let codes = ByteCodes::text();
        let mut m = MatchModel::new(16, 14, Arc::new(codes.clone()));
        let text = b"the quick brown fox jumps over the lazy dog; the quick brown fox jumps";
        let (states, inputs) = feed(&mut m, text);
        let second = 45;
        assert!(states[..second + MIN_LEN].iter().all(|&s| s == 0));
        assert!(states[second + MIN_LEN + 1..].iter().all(|&s| s > 0));
        // Every decision of every byte once the match holds is predicted right, and
        // the inputs run out with the byte's path.
        let mut at = 0;
        for (i, &c) in text.iter().enumerate() {
            let (code, len) = codes.path(c);
            for k in 0..len {
                let bit = (code >> (len - 1 - k)) & 1;
                let [_, l] = inputs[at];
                if i > second + MIN_LEN {
                    assert_eq!(l > 0.0, bit == 1, "byte {i}, decision {k}");
                }
                at += 1;
            }
        }
        assert_eq!(at, inputs.len());
        assert!(
            text.iter()
                .map(|&c| codes.path(c).1 as usize)
                .sum::<usize>()
                < 8 * text.len()
        );
        // A path that left the prediction, or one longer than the prediction's, is no
        // match. (The prediction now is the space that followed "jumps" the first
        // time.)
        assert_eq!(m.expected_byte, b' ');
        let (code, len) = codes.path(m.expected_byte);
        assert!(m.state(code >> len, 0) > 0);
        assert!(m.state(code >> (len - 1), 1) > 0);
        assert_eq!(
            m.state(code >> (len - 1) ^ 1, 1),
            0,
            "first decision flipped"
        );
        assert_eq!(m.state(code, len), 0, "past the predicted path");
    }

    #[test]
    fn finds_a_repeat_and_predicts_its_bits() {
        let mut m = MatchModel::new(16, 14, plain());
        let text = b"the quick brown fox jumps over the lazy dog; the quick brown fox jumps";
        let (states, inputs) = feed(&mut m, text);
        let second = 45; // "the quick brown fox jumps" again
        assert!(
            states[..second + MIN_LEN].iter().all(|&s| s == 0),
            "{states:?}"
        );
        // After MIN_LEN bytes of the repeat agree, the match holds and grows.
        for (i, &s) in states.iter().enumerate().skip(second + MIN_LEN + 1) {
            assert!(s > 0, "byte {i}: {states:?}");
        }
        assert!(m.len as usize >= text.len() - second);
        // Each input is signed by the bit the match predicts, which is the real one.
        for i in (second + MIN_LEN + 1) * 8..text.len() * 8 {
            let bit = (text[i / 8] >> (7 - i % 8)) & 1;
            let [_, len] = inputs[i];
            assert_eq!(len > 0.0, bit == 1, "bit {i}");
        }
    }

    #[test]
    fn an_entry_is_a_candidate_only_under_its_own_check() {
        let text = b"the quick brown fox jumps over the lazy dog; the quick brown fox";
        let second = 45;
        let head = &text[..second + MIN_LEN - 1];
        // The repeat's first six bytes, the key whose entry starts the match.
        let mut m = MatchModel::new(16, 14, plain());
        feed(&mut m, head);
        let (slot, check) = m.slot_of(text[second + MIN_LEN - 1], m.recent);
        assert_ne!(check, 0);
        assert_eq!(m.index[slot], check | MIN_LEN as u32);
        feed(&mut m, &text[second + MIN_LEN - 1..]);
        assert!(m.len > 0, "the entry under its check starts the match");
        // The same entry under another check is taken for another key's: no match,
        // though the position and the history are those of the real one.
        let mut m = MatchModel::new(16, 14, plain());
        feed(&mut m, head);
        m.index[slot] ^= 1 << POS_BITS;
        feed(&mut m, &text[second + MIN_LEN - 1..second + MIN_LEN]);
        assert_eq!(m.len, 0, "another check is no candidate");
    }

    #[test]
    fn positions_wrap_at_the_index_width() {
        // The first "abcdef" ends just below 2^24, its repeat 21 bytes later just
        // above: stored modulo 2^24, the distance still comes out right.
        let mut m = MatchModel::new(16, 14, plain());
        m.pos = (1 << POS_BITS) - 8;
        feed(&mut m, b"abcdefghijklmnopqrst abcdefgh");
        assert!(m.len > 0);
        assert_eq!(m.ptr, 1 << POS_BITS, "two bytes into the match at 2^24 - 2");
    }

    #[test]
    fn a_wrong_guess_ends_the_match_for_the_byte() {
        let mut m = MatchModel::new(16, 14, plain());
        feed(&mut m, b"abcdefghij abcdefgh");
        assert!(m.len > 0);
        let expected = (m.expected & 0xff) as u8;
        assert_eq!(expected, b'i');
        // 'i' is 0x69; 'x' (0x78) differs at the fourth bit from the top.
        let c0 = 0b1_0111;
        assert_eq!(m.state(c0, 4), 0);
        assert!(m.state(0b1_0110, 4) > 0);
        feed(&mut m, b"x");
        assert_eq!(m.len, 0);
    }

    /// `n` bytes from a fixed generator: no six of them repeat within the text.
    fn noise(n: usize) -> Vec<u8> {
        let mut x = 0x2545_f491u32;
        (0..n)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                (x >> 23) as u8
            })
            .collect()
    }

    /// Feeds whole bytes only (the bits' learning does not move the match).
    fn feed_bytes(m: &mut MatchModel, text: &[u8]) {
        for &c in text {
            m.update_byte(c);
        }
    }

    /// A new match is checked back over at most `VERIFY` bytes, however far the
    /// text agrees.
    #[test]
    fn a_new_match_is_verified_back_at_most_verify_bytes() {
        let a = noise(100);
        let mut m = MatchModel::new(16, 12, plain());
        feed_bytes(&mut m, &a);
        feed_bytes(&mut m, &a[..60]);
        assert_eq!(m.len, 60);
        // Lose the match: the next byte looks it up again, and the 61 bytes that
        // agree are checked only as far back as VERIFY.
        m.len = 0;
        feed_bytes(&mut m, &a[60..61]);
        assert_eq!(m.len, VERIFY as u32);
        assert_eq!(m.ptr, 61);
    }

    /// A candidate is used only while it is well inside the history buffer: at least
    /// `VERIFY` bytes short of its length back.
    #[test]
    fn candidates_too_far_back_for_the_buffer_are_not_used() {
        // 128 bytes of history: a repeat at distance below 128 - 48 = 80 is found.
        for (dist, found) in [
            (20, true),
            (70, true),
            (79, true),
            (80, false),
            (100, false),
        ] {
            let a = noise(dist);
            let mut m = MatchModel::new(7, 10, plain());
            feed_bytes(&mut m, &a);
            feed_bytes(&mut m, &a[..MIN_LEN + 4]);
            assert_eq!(m.len > 0, found, "repeat at distance {dist}: len {}", m.len);
        }
    }

    /// Every length falls in its bucket, at both ends of each.
    #[test]
    fn lengths_fall_in_their_buckets() {
        let edges = [
            (0, 0, 0),
            (1, 7, 1),
            (8, 11, 2),
            (12, 15, 3),
            (16, 19, 4),
            (20, 23, 5),
            (24, 27, 6),
            (28, 31, 7),
            (32, 47, 8),
            (48, 63, 9),
            (64, 95, 10),
            (96, 127, 11),
            (128, 255, 12),
            (256, 511, 13),
            (512, 1023, 14),
            (1024, u32::MAX, 15),
        ];
        for (lo, hi, b) in edges {
            assert_eq!((bucket(lo), bucket(hi)), (b, b), "{lo}..={hi}");
        }
        assert_eq!(LEN_BUCKETS, 16);
    }

    #[test]
    fn fixed_vector() {
        let mut m = MatchModel::new(16, 12, plain());
        let text = b"abracadabra abracadabra abracadabra!";
        let (states, inputs) = feed(&mut m, text);
        let sum: f64 = inputs
            .iter()
            .map(|[a, b]| f64::from(*a) * 3.0 + f64::from(*b))
            .sum();
        assert_eq!(states, FIXED_STATES.to_vec());
        assert_eq!(sum.to_bits(), FIXED_SUM, "{sum}");
    }

    const FIXED_STATES: [usize; 36] = [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4,
        4, 4, 5, 5, 5, 5,
    ];
    const FIXED_SUM: u64 = 13_869_826_124_780_929_024;
}
