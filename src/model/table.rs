//! The hashed context table: where every hashed context model keeps its bit
//! histories, one cache line per lookup.
//!
//! The table is an array of 64-byte buckets, each aligned to a cache line. A bucket
//! holds four 16-byte slots; a slot belongs to one (context, nibble) pair and holds a
//! one-byte checksum and the 15 bit-history states of that nibble's binary tree
//! (node 1 is the nibble's first bit, nodes 2-3 the second, and so on). So a context
//! costs one cache line per nibble, two per byte, however many bits it predicts.
//!
//! A lookup hashes to a bucket and compares checksums in its four slots; on a miss the
//! slot with the least evidence in its first node is cleared and taken. All context
//! models share one table, so the space goes to whichever contexts are busy.
//!
//! Speed: lookups are issued in two passes ([`HashTable::prefetch`] for every context
//! first, then [`HashTable::find`]) so that their memory latencies overlap, and the
//! table asks the kernel for transparent huge pages, so that hundreds of megabytes of
//! random lookups do not also miss the TLB.

use super::state::StateTable;
use crate::boxed::advise_huge_pages;

/// Bytes per slot: a checksum and 15 node states.
pub const SLOT: usize = 16;
/// Bytes per bucket: one cache line.
const BUCKET: usize = 64;
/// Slots per bucket.
const WAYS: usize = BUCKET / SLOT;

/// The shared table of bit-history slots.
#[derive(Debug)]
pub struct HashTable {
    mem: Vec<u8>,
    /// Offset of the first cache-line-aligned byte of `mem`.
    base: usize,
    bits: u32,
}

impl HashTable {
    /// A table of `2^bits` buckets (`2^(bits + 6)` bytes), all slots empty.
    pub fn new(bits: u8) -> Self {
        let bytes = BUCKET << bits;
        // Zeroed memory is an empty table and comes lazily mapped from the allocator.
        let mem = vec![0u8; bytes + BUCKET];
        let base = mem.as_ptr().align_offset(BUCKET).min(BUCKET);
        advise_huge_pages(&mem);
        HashTable {
            mem,
            base,
            bits: u32::from(bits),
        }
    }

    /// The buckets, byte for byte (for tests that compare two tables).
    #[cfg(test)]
    pub(crate) fn buckets(&self) -> &[u8] {
        &self.mem[self.base..self.base + (BUCKET << self.bits)]
    }

    /// The byte offset of the bucket of hash `h`.
    #[inline(always)]
    pub fn bucket_of(&self, h: u64) -> usize {
        self.base + ((h >> (64 - self.bits)) as usize) * BUCKET
    }

    /// Starts loading the bucket at byte offset `b` (from [`HashTable::bucket_of`])
    /// into the cache.
    #[inline(always)]
    pub fn prefetch(&self, b: usize) {
        // No bounds check: a prefetch of any address is harmless, and `b` is a
        // bucket from `bucket_of` anyway.
        prefetch_ptr(self.mem.as_ptr().wrapping_add(b));
    }

    /// The byte offset of the slot of hash `h`, claiming one if it is not there.
    /// The slot's node `j` (1..=15) is at `offset + j`.
    #[inline(always)]
    pub fn find(&mut self, h: u64, states: &StateTable) -> usize {
        self.find_in(self.bucket_of(h), h, states)
    }

    /// [`HashTable::find`] with `h`'s bucket offset `b` already known.
    #[inline(always)]
    pub fn find_in(&mut self, b: usize, h: u64, states: &StateTable) -> usize {
        // The checksum comes from bits the bucket index does not use; never 0, so
        // that an empty slot never matches.
        let chk = (h as u8) | 1;
        let line: &mut [u8; BUCKET] = (&mut self.mem[b..b + BUCKET])
            .try_into()
            .expect("a bucket is BUCKET bytes");
        // Hits first (the common case), without looking at any evidence.
        for w in 0..WAYS {
            if line[w * SLOT] == chk {
                return b + w * SLOT;
            }
        }
        let mut victim = 0;
        let mut least = u8::MAX;
        for w in 0..WAYS {
            let s = &line[w * SLOT..w * SLOT + 2];
            let e = if s[0] == 0 { 0 } else { states.evidence(s[1]) };
            if e < least {
                least = e;
                victim = w;
            }
        }
        let slot = &mut line[victim * SLOT..(victim + 1) * SLOT];
        slot.fill(0);
        slot[0] = chk;
        b + victim * SLOT
    }

    /// The slot of hash `h` if the table holds it, as [`HashTable::find`] would
    /// find it, else `None` (where `find` would clear a slot, i.e. all states 0).
    /// Read-only: nothing is inserted or replaced (for `nnzip explain`).
    pub fn peek(&self, h: u64) -> Option<[u8; SLOT]> {
        let b = self.bucket_of(h);
        let chk = (h as u8) | 1;
        (0..WAYS)
            .map(|w| b + w * SLOT)
            .find(|&off| self.mem[off] == chk)
            .map(|off| self.load(off))
    }

    /// A copy of the slot at byte offset `off` (from [`HashTable::find`]).
    #[inline(always)]
    pub fn load(&self, off: usize) -> [u8; SLOT] {
        let mut s = [0u8; SLOT];
        s.copy_from_slice(&self.mem[off..off + SLOT]);
        s
    }

    /// Writes a slot back to byte offset `off`.
    #[inline(always)]
    pub fn store(&mut self, off: usize, slot: &[u8; SLOT]) {
        self.mem[off..off + SLOT].copy_from_slice(slot);
    }

    /// Bytes held.
    pub fn memory_bytes(&self) -> usize {
        self.mem.len()
    }
}

/// A hint to the CPU to load the cache line at the start of `s`.
#[inline(always)]
pub(super) fn prefetch<T>(s: &[T]) {
    prefetch_ptr(s.as_ptr());
}

/// Asks the CPU to bring the cache line at `p` into the cache (a hint: it never
/// faults, whatever the address).
#[inline(always)]
fn prefetch_ptr<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: a prefetch is only a hint: it reads nothing the program sees and
        // never faults, whatever the address.
        #[allow(unsafe_code)]
        unsafe {
            _mm_prefetch::<_MM_HINT_T0>(p.cast());
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        std::hint::black_box(p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_found_again_and_aligned() {
        let st = StateTable::new();
        let mut t = HashTable::new(10);
        let h = 0x1234_5678_9abc_def1u64;
        let a = t.find(h, &st);
        let ptr = t.mem.as_ptr() as usize;
        assert_eq!((ptr + t.base) % BUCKET, 0);
        assert_eq!((a - t.base) % SLOT, 0);
        let mut line = t.load(a);
        line[3] = 7;
        line[1] = 20; // evidence in node 1 protects the slot from eviction
        t.store(a, &line);
        assert_eq!(t.find(h, &st), a);
        assert_eq!(t.load(a)[3], 7);
        // Same bucket, other checksums: four fit, the fifth evicts the least used.
        let others: Vec<u64> = (1..=3u64).map(|k| h ^ (k << 1)).collect();
        let slots: Vec<usize> = others.iter().map(|&o| t.find(o, &st)).collect();
        let bucket = |o: usize| (o - t.base) / BUCKET;
        assert!(slots.iter().all(|&s| s != a && bucket(s) == bucket(a)));
        let e = t.find(h ^ (4 << 1), &st);
        assert_ne!(e, a);
        assert_eq!(t.find(h, &st), a);
        assert_eq!(t.load(a)[3], 7);
    }

    #[test]
    fn an_empty_bucket_fills_from_its_first_way_and_ties_evict_the_first() {
        let st = StateTable::new();
        let mut t = HashTable::new(10);
        let h = 0x0abc_0000_0000_0101u64;
        let start = t.bucket_of(h);
        let one = st.next(0, 1);
        // Each new context of the bucket takes the first way with the least evidence:
        // an empty one (way order breaks the tie) while the earlier ones hold one bit.
        let mut ways = Vec::new();
        for k in 0..4u64 {
            let off = t.find(h ^ (k << 1), &st);
            ways.push(off - start);
            let mut s = t.load(off);
            s[1] = one;
            t.store(off, &s);
        }
        assert_eq!(ways, [0, SLOT, 2 * SLOT, 3 * SLOT]);
        // All four hold the same evidence: a fifth context evicts the first way.
        assert_eq!(t.find(h ^ (9 << 1), &st), start);
        assert_eq!(t.find(h ^ (1 << 1), &st), start + SLOT);
        // Way 0 (just claimed) has none: the next newcomer takes it again, not the
        // tied ways after it.
        assert_eq!(t.find(h ^ (11 << 1), &st), start);
    }

    #[test]
    fn peek_sees_what_find_stored_and_inserts_nothing() {
        let st = StateTable::new();
        let mut t = HashTable::new(10);
        let h = 0x5555_0000_0000_0043u64;
        assert_eq!(t.peek(h), None);
        let off = t.find(h, &st);
        let mut s = t.load(off);
        s[5] = 42;
        t.store(off, &s);
        assert_eq!(t.peek(h), Some(s));
        // Another checksum in the same bucket is not there, and peeking does not put
        // it there.
        let other = h ^ 0x10;
        assert_eq!(t.peek(other), None);
        assert_eq!(t.peek(other), None);
        assert_eq!(t.peek(h), Some(s));
        // A context in a later way of the bucket is seen too (way 0 holds evidence,
        // so the newcomer goes to way 1).
        s[1] = st.next(0, 1);
        t.store(off, &s);
        let off2 = t.find(other, &st);
        assert_eq!(off2, off + SLOT);
        let mut s2 = t.load(off2);
        s2[9] = 17;
        t.store(off2, &s2);
        assert_eq!(t.peek(other), Some(s2));
        assert_eq!(t.peek(h), Some(s));
    }
}
