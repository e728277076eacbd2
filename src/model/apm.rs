//! Adaptive probability maps (secondary symbol estimation): refine a probability
//! given a small context by interpolating between 33 learned points along the
//! log-odds axis. Integer arithmetic only.

use super::squash::{squash16, stretch16, Tables};

/// Learned points per context.
const POINTS: usize = 33;

/// Bytes an [`Apm`] over `contexts` contexts holds (its [`Apm::memory_bytes`]).
pub const fn memory_for(contexts: usize) -> u64 {
    (contexts * POINTS * 2) as u64
}

/// One APM over `contexts` contexts.
#[derive(Debug)]
pub struct Apm {
    t: Vec<u16>,
    index: usize,
    rate: u32,
}

impl Apm {
    /// An APM for `contexts` contexts, learning at `1/2^rate`, starting as identity.
    pub fn new(contexts: usize, rate: u32) -> Self {
        let row: Vec<u16> = (0..POINTS as i32)
            .map(|j| squash16((j - 16) * 128).clamp(1, 65535) as u16)
            .collect();
        let mut t = Vec::with_capacity(contexts * POINTS);
        for _ in 0..contexts {
            t.extend_from_slice(&row);
        }
        Apm { t, index: 0, rate }
    }

    /// The refined 16-bit probability of `p16` (below 65536) in context `cx`, with the
    /// stretch table of `t`.
    #[inline]
    pub fn refine(&mut self, p16: u32, cx: usize, t: &Tables) -> u32 {
        let s = (t.stretch12(p16 >> 4) + 2048).clamp(0, 4095) as u32;
        let lo = (s >> 7) as usize;
        let w = s & 127;
        let base = cx * POINTS + lo;
        self.index = base + (w >> 6) as usize;
        (u32::from(self.t[base]) * (128 - w) + u32::from(self.t[base + 1]) * w) >> 7
    }

    /// Asks the CPU to fetch context `cx`'s entries (its 66 bytes span at most three
    /// cache lines) ahead of a [`Apm::refine`] in that context: a large map is
    /// otherwise a cache miss on every bit.
    #[inline(always)]
    pub fn prefetch(&self, cx: usize) {
        let base = cx * POINTS;
        if let Some(row) = self.t.get(base..base + POINTS) {
            super::table::prefetch(row);
            super::table::prefetch(&row[16..]);
            super::table::prefetch(&row[32..]);
        }
    }

    /// Learns the bit that came, at the point used by the last [`Apm::refine`].
    #[inline]
    pub fn update(&mut self, bit: u8) {
        let t = &mut self.t[self.index];
        let target: i32 = if bit != 0 { 65535 } else { 0 };
        let v = i32::from(*t);
        *t = (v + ((target - v) >> self.rate)).clamp(1, 65535) as u16;
    }

    /// [`Apm::refine`] without remembering the entry for [`Apm::update`]: a
    /// read-only look (for `nnzip explain`), the same value.
    pub fn peek(&self, p16: u32, cx: usize) -> u32 {
        let s = (stretch16(p16) + 2048).clamp(0, 4095) as u32;
        let lo = (s >> 7) as usize;
        let w = s & 127;
        let base = cx * POINTS + lo;
        (u32::from(self.t[base]) * (128 - w) + u32::from(self.t[base + 1]) * w) >> 7
    }

    /// Bytes held.
    pub fn memory_bytes(&self) -> usize {
        self.t.len() * 2
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
            // Interpolation between 33 points of the squash curve: close, not exact.
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
