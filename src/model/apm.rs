//! Adaptive probability maps (secondary symbol estimation): refine a probability
//! given a small context by interpolating between 32 learned points along the
//! log-odds axis. Integer arithmetic only.
//!
//! A context's points are one 64-byte row, aligned to a cache line: the maps are
//! megabytes read at random on every bit, so each refinement costs one line from
//! memory (33 points, as lpaq has, spanned two or three).

use super::squash::{squash16, stretch16, Tables};
use crate::boxed::advise_huge_pages;

/// Learned points per context, 128 stretch units (half a unit of log-odds) apart,
/// the first at stretch -2048.
const POINTS: usize = 32;

/// Largest stretch offset (`stretch + 2048`) interpolated: the top of the last
/// interval. Higher ones (probabilities above 0.9994) are refined as this one.
const TOP: i32 = (POINTS as i32 - 1) * 128 - 1;

/// One context's points: exactly one cache line.
#[derive(Debug, Clone, Copy)]
#[repr(C, align(64))]
struct Row([u16; POINTS]);

/// Bytes an [`Apm`] over `contexts` contexts holds (its [`Apm::memory_bytes`]).
pub const fn memory_for(contexts: usize) -> u64 {
    (contexts * std::mem::size_of::<Row>()) as u64
}

/// One APM over `contexts` contexts.
#[derive(Debug)]
pub struct Apm {
    t: Vec<Row>,
    /// Context and point that the last [`Apm::refine`] leaned on most.
    index: (usize, usize),
    rate: u32,
}

impl Apm {
    /// An APM for `contexts` contexts, learning at `1/2^rate`, starting as identity.
    pub fn new(contexts: usize, rate: u32) -> Self {
        let mut row = Row([0; POINTS]);
        for (j, e) in row.0.iter_mut().enumerate() {
            *e = squash16((j as i32 - 16) * 128).clamp(1, 65535) as u16;
        }
        let mut t = Vec::with_capacity(contexts);
        // The larger maps are megabytes read at random: huge pages, before the rows
        // are written.
        advise_huge_pages(t.spare_capacity_mut());
        t.resize(contexts, row);
        Apm {
            t,
            index: (0, 0),
            rate,
        }
    }

    /// The interval of stretch offset `s` and the weight of its upper point.
    #[inline(always)]
    fn interval(s: i32) -> (usize, u32) {
        let s = s.clamp(0, TOP) as u32;
        ((s >> 7) as usize, s & 127)
    }

    /// Row `cx` interpolated in interval `lo` with weight `w` on its upper point.
    #[inline(always)]
    fn interpolate(&self, cx: usize, lo: usize, w: u32) -> u32 {
        let row = &self.t[cx].0;
        (u32::from(row[lo]) * (128 - w) + u32::from(row[lo + 1]) * w) >> 7
    }

    /// The refined 16-bit probability of `p16` (below 65536) in context `cx`, with the
    /// stretch table of `t`.
    #[inline]
    pub fn refine(&mut self, p16: u32, cx: usize, t: &Tables) -> u32 {
        let (lo, w) = Self::interval(t.stretch12(p16 >> 4) + 2048);
        self.index = (cx, lo + (w >> 6) as usize);
        self.interpolate(cx, lo, w)
    }

    /// Asks the CPU to fetch context `cx`'s row ahead of a [`Apm::refine`] in that
    /// context: a large map is otherwise a cache miss on every bit.
    #[inline(always)]
    pub fn prefetch(&self, cx: usize) {
        if let Some(row) = self.t.get(cx..) {
            super::table::prefetch(row);
        }
    }

    /// Learns the bit that came, at the point used by the last [`Apm::refine`].
    #[inline]
    pub fn update(&mut self, bit: u8) {
        let (cx, j) = self.index;
        let t = &mut self.t[cx].0[j];
        let target: i32 = if bit != 0 { 65535 } else { 0 };
        let v = i32::from(*t);
        *t = (v + ((target - v) >> self.rate)).clamp(1, 65535) as u16;
    }

    /// [`Apm::refine`] without remembering the entry for [`Apm::update`]: a
    /// read-only look (for `nnzip explain`), the same value.
    pub fn peek(&self, p16: u32, cx: usize) -> u32 {
        let (lo, w) = Self::interval(stretch16(p16) + 2048);
        self.interpolate(cx, lo, w)
    }

    /// Bytes held.
    pub fn memory_bytes(&self) -> usize {
        self.t.len() * std::mem::size_of::<Row>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::squash::tables;

    #[test]
    fn starts_near_the_identity() {
        let mut a = Apm::new(4, 7);
        for p in [1u32, 100, 4096, 20_000, 32_768, 45_000, 61_440, 65_535] {
            let q = a.refine(p, 2, tables());
            // Interpolation between 32 points of the squash curve: close, not exact.
            assert!(q.abs_diff(p) <= p.min(65_536 - p) / 8 + 40, "{p} -> {q}");
        }
    }

    #[test]
    fn learns_in_its_context_only() {
        let mut a = Apm::new(2, 5);
        let before = (a.refine(30_000, 0, tables()), a.refine(30_000, 1, tables()));
        for _ in 0..200 {
            a.refine(30_000, 1, tables());
            a.update(1);
        }
        assert_eq!(a.refine(30_000, 0, tables()), before.0);
        // Only the nearer of the two interpolation points learns, so the output moves
        // by that point's share of the interpolation.
        let after = a.refine(30_000, 1, tables());
        assert!(after > before.1 + 5_000, "{} -> {after}", before.1);
        for _ in 0..400 {
            a.refine(30_000, 1, tables());
            a.update(0);
        }
        let last = a.refine(30_000, 1, tables());
        assert!(last + 5_000 < before.1, "{} -> {last}", before.1);
    }

    /// The ends of the stretch axis: the least confident inputs sit on the first
    /// point, and the most confident ones (beyond the last interval) are refined as
    /// its top, almost all of the last point; a row is one cache line.
    #[test]
    fn the_ends_of_the_axis_use_the_end_points() {
        assert_eq!(std::mem::size_of::<Row>(), 64);
        assert_eq!(std::mem::align_of::<Row>(), 64);
        let mut a = Apm::new(2, 6);
        let row = a.t[1].0;
        assert_eq!(a.refine(1, 1, tables()), u32::from(row[0]));
        assert_eq!(a.index, (1, 0));
        let top = (u32::from(row[POINTS - 2]) + 127 * u32::from(row[POINTS - 1])) >> 7;
        for p in [65_535, 65_530] {
            assert_eq!(a.refine(p, 1, tables()), top, "{p}");
            assert_eq!(a.peek(p, 1), top, "{p}");
            assert_eq!(a.index, (1, POINTS - 1));
        }
        a.update(0);
        assert!(a.t[1].0[POINTS - 1] < row[POINTS - 1]);
        assert_eq!(a.t[0].0, row, "another context's row is untouched");
    }

    #[test]
    fn fixed_vector() {
        let mut a = Apm::new(3, 6);
        let mut out = Vec::new();
        for i in 0u32..24 {
            let p = (i * 2_731 + 977) % 65_535 + 1;
            out.push(a.refine(p, (i % 3) as usize, tables()));
            a.update((i % 5 < 2) as u8);
        }
        assert_eq!(out, FIXED);
    }

    const FIXED: [u32; 24] = [
        1010, 3806, 6591, 9365, 11922, 14834, 17403, 20238, 23150, 25620, 28379, 30993, 33771,
        36467, 39266, 41905, 44574, 47305, 49992, 52822, 55425, 58256, 61001, 63759,
    ];
}
