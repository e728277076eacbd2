//! Indirect contexts: what followed the last byte, and the last two bytes, the
//! previous times they were seen, used as contexts of their own (as paq8's indirect
//! model does).
//!
//! An order-1 or order-2 context says "after `e`"; an indirect one says "after `e`,
//! where last time `e` was followed by `x` and before that by `y`". Where a context
//! keeps being followed by the same few bytes (tags, table rows, spreadsheet cells,
//! common words) that pins the next byte down much better than the order alone, at
//! the cost of two small tables (129 KiB).

use super::component::{ContextModel, History};
use crate::boxed::boxed_array;

/// Bytes of the two history tables: 256 `u32` and 65,536 `u16`.
pub const MEMORY_BYTES: u64 = 256 * 4 + 65_536 * 2;

/// Per order-1 and order-2 context, the bytes that followed it most recently.
#[derive(Debug)]
pub struct Indirect {
    /// By the byte before: the bytes that followed it, most recent in the low byte.
    after1: Box<[u32; 256]>,
    /// By the two bytes before: the two bytes that followed them, most recent low.
    after2: Box<[u16; 65_536]>,
}

impl Indirect {
    /// Empty histories (every context "followed by zero bytes").
    pub fn new() -> Self {
        Indirect {
            after1: boxed_array(0),
            after2: boxed_array(0),
        }
    }
}

impl Default for Indirect {
    fn default() -> Self {
        Self::new()
    }
}

/// Tags that keep the three contexts' hashes apart from each other (and from the
/// plain orders, which the component index salts apart anyway).
const TAG_O1: u64 = 1 << 40;
const TAG_O2: u64 = 2 << 40;
const TAG_PREV: u64 = 3 << 40;

impl ContextModel for Indirect {
    fn count(&self) -> usize {
        3
    }

    fn memory_bytes(&self) -> usize {
        MEMORY_BYTES as usize
    }

    fn hashes(&mut self, hist: &History, out: &mut Vec<u64>) {
        let (c1, c2, c3) = (hist.byte(1), hist.byte(2), hist.byte(3));
        // Record the byte that just came as what followed its one- and two-byte
        // contexts.
        let r1 = &mut self.after1[usize::from(c2)];
        *r1 = *r1 << 8 | u32::from(c1);
        let r2 = &mut self.after2[usize::from(c3) << 8 | usize::from(c2)];
        *r2 = *r2 << 8 | u16::from(c1);
        // Then read what followed the context the next byte is in.
        let f1 = self.after1[usize::from(c1)];
        let o2 = u64::from(c2) << 8 | u64::from(c1);
        let f2 = self.after2[o2 as usize];
        out.push(TAG_O1 | u64::from(f1 & 0xffff) << 8 | u64::from(c1));
        out.push(TAG_O2 | u64::from(f2) << 16 | o2);
        out.push(TAG_PREV | u64::from(f1 & 0xff00));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &[u8]) -> (Indirect, Vec<u64>) {
        let mut m = Indirect::new();
        let mut h = History::default();
        let mut out = Vec::new();
        for &c in text {
            h.push(c);
            out.clear();
            m.hashes(&h, &mut out);
        }
        (m, out)
    }

    #[test]
    fn remembers_what_followed_each_context() {
        // "ab" then "ac" then "a": after 'a' came 'b', then 'c'.
        let (m, out) = run(b"abxacxa");
        assert_eq!(
            m.after1[usize::from(b'a')] & 0xffff,
            u32::from(b'b') << 8 | u32::from(b'c')
        );
        assert_eq!(
            m.after1[usize::from(b'x')] & 0xffff,
            u32::from(b'a') << 8 | u32::from(b'a')
        );
        assert_eq!(
            m.after2[usize::from(b'a') << 8 | usize::from(b'b')],
            u16::from(b'x')
        );
        assert_eq!(out.len(), m.count());
        // The next byte follows "xa": order 1 'a' with followers "bc", order 2 "xa"
        // followed once by 'c', and the follower before last of 'a', 'b'.
        let f1 = u64::from(b'b') << 8 | u64::from(b'c');
        assert_eq!(out[0], TAG_O1 | f1 << 8 | u64::from(b'a'));
        let o2 = u64::from(b'x') << 8 | u64::from(b'a');
        assert_eq!(out[1], TAG_O2 | u64::from(b'c') << 16 | o2);
        assert_eq!(out[2], TAG_PREV | u64::from(b'b') << 8);
    }

    #[test]
    fn contexts_differ_by_what_followed_not_only_by_the_last_bytes() {
        // Both end in "xa", but 'a' was followed by different bytes before.
        let (_, p) = run(b"abacxa");
        let (_, q) = run(b"aqacxa");
        assert_ne!(p[0], q[0]);
        assert_ne!(p[2], q[2]);
        // Order 2 "xa" was never followed by anything in either: the same context.
        assert_eq!(p[1], q[1]);
        // Three distinct contexts.
        assert!(p[0] != p[1] && p[1] != p[2] && p[0] != p[2]);
    }

    /// The memory the model reports (and the configuration's estimate adds up) is
    /// the bytes of its two tables.
    #[test]
    fn memory_is_the_bytes_of_the_two_tables() {
        let m = Indirect::new();
        let bytes = std::mem::size_of_val(&*m.after1) + std::mem::size_of_val(&*m.after2);
        assert_eq!(MEMORY_BYTES, bytes as u64);
        assert_eq!(m.memory_bytes(), bytes);
    }
}
