//! Hashed context statistics: for each context order, a large table of 64-byte lines,
//! each holding the counters of the 15 nodes of one nibble's binary tree under one
//! context hash (plus a tag to catch most collisions).
//!
//! A line is looked up twice per byte (at bit 0 and bit 4), so each context costs at
//! most two cache misses per byte however many bits are predicted from it.

use super::counter;

/// Counters per line: slot 0 is the tag, slots 1..16 the nibble tree's nodes.
const LINE: usize = 16;

/// One hashed table of counter lines.
#[derive(Debug)]
pub struct HashedTable {
    lines: Vec<u32>,
    mask: usize,
    limit: u32,
}

impl HashedTable {
    /// A table of `2^bits` lines whose counters cap their count at `limit`.
    pub fn new(bits: u8, limit: u32) -> Self {
        let n = 1usize << bits;
        // Tag 0 marks an empty line and counter::INIT is 0: zeroed memory is a fresh
        // table, which the allocator hands out lazily.
        let lines = vec![0u32; n * LINE];
        HashedTable {
            lines,
            mask: n - 1,
            limit,
        }
    }

    /// Two neighbouring lines are candidates; on a miss the one whose first node has
    /// seen fewer updates is reset and taken.
    /// Reads the first word of `h`'s line so that the later [`HashedTable::find`] of
    /// the same hash hits the cache: issuing all tables' reads first lets their
    /// memory latencies overlap.
    #[inline]
    pub fn touch(&self, h: u64) -> u32 {
        self.lines[((h as usize) & self.mask) * LINE]
    }

    /// Finds (or claims) the line for context hash `h` and returns its base index.
    #[inline]
    pub fn find(&mut self, h: u64) -> usize {
        let tag = ((h >> 40) as u32) | 1;
        let i0 = (h as usize) & self.mask;
        let a = i0 * LINE;
        if self.lines[a] == tag {
            return a;
        }
        let b = (i0 ^ 1) * LINE;
        if self.lines[b] == tag {
            return b;
        }
        let victim = if counter::count(self.lines[a + 1]) <= counter::count(self.lines[b + 1]) {
            a
        } else {
            b
        };
        let line = &mut self.lines[victim..victim + LINE];
        line[0] = tag;
        line[1..].fill(counter::INIT);
        victim
    }

    /// The counter at `index` (a line base plus a node in `1..16`).
    #[inline]
    pub fn get(&self, index: usize) -> u32 {
        self.lines[index]
    }

    /// Updates the counter at `index` with `bit`.
    #[inline]
    pub fn update(&mut self, index: usize, bit: u8) {
        counter::update(&mut self.lines[index], bit, self.limit);
    }

    /// Bytes held.
    pub fn memory_bytes(&self) -> usize {
        self.lines.len() * 4
    }

    /// Number of counters (the table's learned parameters).
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether the table is empty (never: it has at least one line).
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

/// Mixes a 64-bit value into a well-spread hash (a multiply-xorshift finaliser).
#[inline]
pub fn mix(mut x: u64) -> u64 {
    x ^= x >> 31;
    x = x.wrapping_mul(0x7fb5_d329_728e_a185);
    x ^= x >> 27;
    x = x.wrapping_mul(0x81da_def4_bc2d_d44d);
    x ^ (x >> 33)
}
