//! Bit histories: a one-byte state per context slot that summarises the bits seen
//! in that context, and the [`StateMap`] that learns what each state predicts.
//!
//! A state stands for a pair of counts `(n0, n1)` of zeros and ones seen. The counts
//! are *nonstationary*: when a bit comes, the count of the other bit is cut back
//! (above 2 it is halved, plus one), so a context that changes its mind is followed
//! quickly while a context that never has keeps its full run length. The pairs that
//! can be represented are bounded so that they fit one byte (158 states): long runs
//! of one bit (up to 40) are kept exactly, mixed histories only while both counts are
//! small. State 0 is "never seen".
//!
//! What a state *means* (the probability of a 1 after that history) is not fixed: a
//! [`StateMap`] per context model learns it from the bits that follow the state
//! ("indirect" modelling, as in lpaq and zpaq). This holds more evidence per byte of
//! memory than a direct probability counter and adapts per context model.
//!
//! The state machine is generated here by the rule above, not copied from a table.

/// Largest count of one bit kept when the other bit's count is `lo` (index), for
/// `lo` in `0..=5`. Runs (lo = 0) are kept up to 40; mixed histories are coarser.
const LIMIT: [u8; 6] = [40, 20, 12, 8, 6, 5];

/// Number of states the rule generates (checked in the tests).
pub const STATES: usize = 158;

/// Whether the count pair `(a, b)` has a state.
fn valid(a: u8, b: u8) -> bool {
    let (lo, hi) = if a < b { (a, b) } else { (b, a) };
    (lo as usize) < LIMIT.len() && hi <= LIMIT[lo as usize]
}

/// The count of the bit that did not come, after one that did: above 2, halved
/// (plus one), so old evidence against the new bit fades fast.
fn discount(n: u8) -> u8 {
    if n > 2 {
        n / 2 + 1
    } else {
        n
    }
}

/// The state machine: transitions and the counts behind each state.
#[derive(Debug, Clone)]
pub struct StateTable {
    next: [[u8; 2]; 256],
    n0: [u8; 256],
    n1: [u8; 256],
}

impl StateTable {
    /// Generates the table (a few microseconds; deterministic).
    pub fn new() -> Self {
        let mut id = [[u8::MAX; 41]; 41];
        let mut n0 = [0u8; 256];
        let mut n1 = [0u8; 256];
        let mut count = 0usize;
        // Enumerate by total count, then by n1, so that state ids grow with evidence.
        for total in 0..=80u8 {
            for b in 0..=total.min(40) {
                let a = total - b;
                if a <= 40 && valid(a, b) {
                    id[a as usize][b as usize] = count as u8;
                    n0[count] = a;
                    n1[count] = b;
                    count += 1;
                }
            }
        }
        debug_assert_eq!(count, STATES);
        let mut next = [[0u8; 2]; 256];
        for s in 0..count {
            for (bit, to) in next[s].iter_mut().enumerate() {
                let (mut a, mut b) = (n0[s], n1[s]);
                if bit == 1 {
                    b = b.saturating_add(1);
                    a = discount(a);
                } else {
                    a = a.saturating_add(1);
                    b = discount(b);
                }
                // Past the bound the larger count stands still. (Pushing the other
                // count down instead, toward the deterministic states, measured
                // 0.5% worse on enwik8, book1 and alice29: a context that has
                // changed its mind stays a little uncertain.)
                while !valid(a, b) {
                    if a > b {
                        a -= 1;
                    } else {
                        b -= 1;
                    }
                }
                *to = id[a as usize][b as usize];
            }
        }
        StateTable { next, n0, n1 }
    }

    /// The state after `bit` follows state `s`.
    #[inline(always)]
    pub fn next(&self, s: u8, bit: u8) -> u8 {
        self.next[s as usize][bit as usize & 1]
    }

    /// The counts `(n0, n1)` that state `s` stands for.
    pub fn counts(&self, s: u8) -> (u8, u8) {
        (self.n0[s as usize], self.n1[s as usize])
    }

    /// How much evidence state `s` holds (`n0 + n1`): the priority of a slot when a
    /// hash bucket must give one up.
    #[inline(always)]
    pub fn evidence(&self, s: u8) -> u8 {
        self.n0[s as usize] + self.n1[s as usize]
    }
}

impl Default for StateTable {
    fn default() -> Self {
        Self::new()
    }
}

/// Count limit of a [`StateMap`] entry: the step size falls as `1/(n + 1.5)` until
/// here, then stays, so that a state's meaning can still drift. 1023 (the most the
/// 10-bit count holds) measured best on enwik6 and book1 against 127 and 255.
pub const STATEMAP_LIMIT: u32 = 1023;

/// 1 if the count `n` (at most [`STATEMAP_LIMIT`]) may still grow, else 0: the sign
/// bit of `n - LIMIT`, without a compare.
#[inline(always)]
fn below_limit(n: u32) -> u32 {
    n.wrapping_sub(STATEMAP_LIMIT) >> 31
}

/// `2^16 * 2 / (2n + 3)`: the step size of an entry updated `n` times.
fn reciprocal(n: u32) -> u32 {
    (2 * 65536 / (2 * n + 3)).max(1)
}

/// Learns the probability of a 1 after each state of one context model.
///
/// An entry is a 22-bit probability in the high bits and a 10-bit update count in
/// the low bits. Integer arithmetic only.
#[derive(Debug, Clone)]
pub struct StateMap {
    t: Vec<u32>,
    recip: Vec<u32>,
}

impl StateMap {
    /// A map of `contexts * 256` entries, each state starting from what its counts
    /// say: `(n1 + 1/2) / (n0 + n1 + 1)`.
    pub fn new(contexts: usize, states: &StateTable) -> Self {
        let mut t = vec![0u32; contexts * 256];
        for (i, e) in t.iter_mut().enumerate() {
            let (n0, n1) = states.counts((i & 255) as u8);
            let (n0, n1) = (u64::from(n0), u64::from(n1));
            let p = ((2 * n1 + 1) << 22) / (2 * (n0 + n1) + 2);
            *e = (p.min((1 << 22) - 1) as u32) << 10;
        }
        StateMap {
            t,
            recip: (0..=STATEMAP_LIMIT).map(reciprocal).collect(),
        }
    }

    /// A map of `n` entries that all start at probability `p12 / 4096`.
    pub fn flat(n: usize, p12: u32) -> Self {
        StateMap {
            t: vec![p12.min(4095) << 20; n],
            recip: (0..=STATEMAP_LIMIT).map(reciprocal).collect(),
        }
    }

    /// The probability of a 1 in entry `i`, as 12 bits.
    #[inline(always)]
    pub fn p12(&self, i: usize) -> u32 {
        self.t[i] >> 20
    }

    /// Learns `bit` in entry `i`.
    #[inline(always)]
    pub fn update(&mut self, i: usize, bit: u8) {
        let e = self.t[i];
        let n = e & 1023;
        let p = i64::from(e >> 10);
        let target = if bit != 0 { (1i64 << 22) - 1 } else { 0 };
        // The step is below the distance to the target, so `p` stays in range.
        let step = ((target - p) * i64::from(self.recip[n as usize])) >> 16;
        let p = (p + step) as u32;
        self.t[i] = p << 10 | (n + below_limit(n));
    }

    /// Bytes held.
    pub fn memory_bytes(&self) -> usize {
        self.t.len() * 4 + self.recip.len() * 4
    }
}

/// One [`StateMap`] of 256 entries per context model, each row indexed by a state
/// (so a state, being a byte, needs no bounds check).
#[derive(Debug, Clone)]
pub struct ContextMaps {
    rows: Vec<[u32; 256]>,
    recip: Box<[u32; STATEMAP_LIMIT as usize + 1]>,
}

impl ContextMaps {
    /// `n` maps, each state starting from what its counts say (as [`StateMap::new`]).
    pub fn new(n: usize, states: &StateTable) -> Self {
        let first = StateMap::new(1, states);
        let mut row = [0u32; 256];
        row.copy_from_slice(&first.t);
        let mut recip = Box::new([0u32; STATEMAP_LIMIT as usize + 1]);
        for (n, r) in recip.iter_mut().enumerate() {
            *r = reciprocal(n as u32);
        }
        ContextMaps {
            rows: vec![row; n],
            recip,
        }
    }

    /// The rows, one per context model.
    #[inline(always)]
    pub fn rows(&self) -> &[[u32; 256]] {
        &self.rows
    }

    /// The probability of a 1 after state `s` in row `row`, as 12 bits.
    #[inline(always)]
    pub fn p12(row: &[u32; 256], s: u8) -> u32 {
        row[usize::from(s)] >> 20
    }

    /// The rows to learn in, with the step sizes by count, for
    /// [`ContextMaps::learn`].
    #[inline(always)]
    pub fn rows_mut(&mut self) -> (&mut [[u32; 256]], &[u32; STATEMAP_LIMIT as usize + 1]) {
        (&mut self.rows, &self.recip)
    }

    /// Learns that `bit` followed state `s` in `row` (`recip` from
    /// [`ContextMaps::rows_mut`]).
    #[inline(always)]
    pub fn learn(row: &mut [u32; 256], s: u8, bit: u8, recip: &[u32; STATEMAP_LIMIT as usize + 1]) {
        let target = if bit != 0 { (1i64 << 22) - 1 } else { 0 };
        let e = &mut row[usize::from(s)];
        let n = *e & 1023;
        let p = i64::from(*e >> 10);
        // The step is below the distance to the target, so `p` stays in range.
        let step = ((target - p) * i64::from(recip[n as usize])) >> 16;
        *e = ((p + step) as u32) << 10 | (n + below_limit(n));
    }

    /// Bytes held.
    pub fn memory_bytes(&self) -> usize {
        self.rows.len() * 1024 + self.recip.len() * 4
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_generates_a_closed_machine() {
        let st = StateTable::new();
        assert_eq!(st.counts(0), (0, 0));
        let mut seen = 0;
        for s in 0..STATES as u8 {
            for bit in 0..2 {
                let n = st.next(s, bit);
                assert!((n as usize) < STATES);
                seen += 1;
            }
        }
        assert_eq!(seen, 2 * STATES);
        // Fixed vectors: a run of ones, then a zero that halves it.
        let mut s = 0u8;
        for _ in 0..10 {
            s = st.next(s, 1);
        }
        assert_eq!(st.counts(s), (0, 10));
        s = st.next(s, 0);
        assert_eq!(st.counts(s), (1, 6));
        // A long run after mixed evidence saturates at the bound for its other count.
        for _ in 0..100 {
            s = st.next(s, 0);
        }
        assert_eq!(st.counts(s), (12, 2));
        // A pure run saturates at 40.
        let mut r = 0u8;
        for _ in 0..100 {
            r = st.next(r, 1);
        }
        assert_eq!(st.counts(r), (0, 40));
    }

    #[test]
    fn state_map_learns_toward_the_bits() {
        let st = StateTable::new();
        let mut m = StateMap::new(1, &st);
        assert_eq!(m.p12(0), 2048);
        for _ in 0..50 {
            m.update(3, 1);
        }
        assert!(m.p12(3) > 4000, "{}", m.p12(3));
        for _ in 0..50 {
            m.update(3, 0);
        }
        assert!(m.p12(3) < 2048, "{}", m.p12(3));
    }

    /// The probabilities after each step of a fixed bit sequence of 1,100 steps on
    /// one entry (past the count limit of 1,023), summed with position weights, and
    /// the last one: fixed vectors of [`StateMap::update`] and [`ContextMaps::learn`]
    /// (which must agree), catching a changed step size, target or count limit.
    #[test]
    fn state_maps_follow_fixed_vectors_past_the_count_limit() {
        let bit = |i: u64| u8::from((i * 7) % 11 < 5 || i > 1_050);
        let st = StateTable::new();
        let mut m = StateMap::new(1, &st);
        let mut c = ContextMaps::new(1, &st);
        let (mut sum, mut last) = (0u64, 0);
        for i in 0..1_100u64 {
            m.update(7, bit(i));
            let (rows, recip) = c.rows_mut();
            ContextMaps::learn(&mut rows[0], 7, bit(i), recip);
            last = m.p12(7);
            assert_eq!(last, ContextMaps::p12(&c.rows()[0], 7), "step {i}");
            sum += (i + 1) * u64::from(last);
        }
        assert_eq!((sum, last), (1_129_723_397, 1965));
        // The count stays at its limit; the entry's probability keeps its bits.
        assert_eq!(c.rows()[0][7] & 1023, STATEMAP_LIMIT);
        // A long run of ones drives the full 22-bit probability to where the target
        // (just below 1) and the step size leave it, to the last bit: a target off by
        // one or two shows here long before it shows in 12 bits.
        for _ in 0..20_000 {
            m.update(7, 1);
            let (rows, recip) = c.rows_mut();
            ContextMaps::learn(&mut rows[0], 7, 1, recip);
        }
        assert_eq!(m.t[7], c.rows()[0][7]);
        assert_eq!(m.t[7] >> 10, 4_193_263);
    }
}
