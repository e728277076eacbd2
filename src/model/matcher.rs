//! The match model: finds the most recent earlier occurrence of the current context
//! and predicts that the text goes on as it did then, with a confidence learned per
//! match length.
//!
//! History is a fixed ring buffer and the index a fixed table, so memory does not
//! grow with the input.

use super::{context::mix, counter};

/// Bytes of context that must agree before a match is used.
const MIN_LEN: usize = 6;
/// Longest match length tracked.
const MAX_LEN: u32 = 65_535;

/// Match model state.
#[derive(Debug)]
pub struct MatchModel {
    buf: Vec<u8>,
    buf_mask: usize,
    index: Vec<u32>,
    index_mask: usize,
    /// Bytes seen so far.
    pos: usize,
    /// Position in history of the byte predicted next (valid when `len > 0`).
    ptr: usize,
    len: u32,
    expected: u32,
    counters: Vec<u32>,
    slot: usize,
}

impl MatchModel {
    /// A model with a history of `2^buf_bits` bytes and `2^index_bits` index entries.
    pub fn new(buf_bits: u8, index_bits: u8) -> Self {
        MatchModel {
            buf: vec![0; 1 << buf_bits],
            buf_mask: (1 << buf_bits) - 1,
            index: vec![0; 1 << index_bits],
            index_mask: (1 << index_bits) - 1,
            pos: 0,
            ptr: 0,
            len: 0,
            expected: 0,
            counters: vec![counter::INIT; 64 * 2],
            slot: usize::MAX,
        }
    }

    fn bucket(len: u32) -> usize {
        if len < 16 {
            len as usize
        } else {
            (16 + ((len - 16) >> 2)).min(31) as usize
        }
    }

    /// The current match length in bytes (0: no match).
    pub fn match_len(&self) -> u32 {
        self.len
    }

    /// The predicted next byte with a leading 1 bit (`0x100 | byte`), if matching.
    pub fn expected(&self) -> Option<u32> {
        (self.len > 0).then_some(self.expected | 0x100)
    }

    /// The input for the next bit given the partial byte `c0` (with its leading 1):
    /// the learned log-odds of the predicted bit, in 1/256 units (0 with no match).
    #[inline]
    pub fn predict(&mut self, c0: u32, bitpos: u32) -> i32 {
        self.slot = usize::MAX;
        if self.len == 0 {
            return 0;
        }
        let e = self.expected | 0x100;
        if e >> (8 - bitpos) != c0 {
            return 0;
        }
        let bit = ((e >> (7 - bitpos)) & 1) as usize;
        self.slot = Self::bucket(self.len) * 2 + bit;
        let p = counter::p12(self.counters[self.slot]);
        super::squash::stretch12(p)
    }

    /// Learns whether the predicted bit came.
    #[inline]
    pub fn update_bit(&mut self, bit: u8) {
        if self.slot != usize::MAX {
            counter::update(&mut self.counters[self.slot], bit, 1023);
        }
    }

    /// Appends a whole byte to the history and updates the match.
    pub fn update_byte(&mut self, c: u8) {
        self.buf[self.pos & self.buf_mask] = c;
        self.pos += 1;
        if self.len > 0 && u32::from(c) == self.expected {
            self.len = (self.len + 1).min(MAX_LEN);
            self.ptr += 1;
        } else {
            self.len = 0;
        }
        if self.pos < MIN_LEN {
            return;
        }
        let mut h = 0u64;
        for k in 1..=MIN_LEN {
            h = (h << 8) | u64::from(self.buf[(self.pos - k) & self.buf_mask]);
        }
        let slot = (mix(h) as usize) & self.index_mask;
        if self.len == 0 {
            let cand = self.index[slot] as usize;
            if cand > 0 && self.pos - cand < self.buf.len() - 1 {
                let mut n = 0;
                while n < 32
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
        self.index[slot] = self.pos as u32;
        if self.len > 0 {
            self.expected = u32::from(self.buf[self.ptr & self.buf_mask]);
        }
    }

    /// Bytes held.
    pub fn memory_bytes(&self) -> usize {
        self.buf.len() + self.index.len() * 4 + self.counters.len() * 4
    }
}
