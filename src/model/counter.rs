//! Adaptive bit-probability counters: the statistics kept for each context.
//!
//! A counter is one `u32`: a 22-bit probability that the next bit is 1 in the high
//! bits and a 10-bit count of updates in the low bits. The step size is `1/(n + 1.5)`
//! until `n` reaches a limit, so a fresh context learns its statistics as fast as a
//! frequency count and an old one keeps adapting. All arithmetic is integer.

use std::sync::OnceLock;

/// A fresh counter: probability one half, count zero. Stored values are XORed with
/// `FLIP` so that a fresh counter is all zero bits and a new table can come from
/// zeroed (lazily mapped) memory.
pub const INIT: u32 = 0;
/// The bit pattern that stored counters are XORed with.
const FLIP: u32 = 1 << 31;

fn reciprocals() -> &'static [u32; 1024] {
    static R: OnceLock<[u32; 1024]> = OnceLock::new();
    R.get_or_init(|| {
        let mut r = [0u32; 1024];
        for (n, v) in r.iter_mut().enumerate() {
            *v = (2 * 65536 / (2 * n as u32 + 3)).max(1);
        }
        r
    })
}

/// Forces the reciprocal table to be built.
pub fn init() {
    reciprocals();
}

/// The counter's probability of a 1, as 12 bits.
#[inline]
pub fn p12(c: u32) -> u32 {
    (c ^ FLIP) >> 20
}

/// The counter's probability of a 1, as 16 bits.
#[inline]
pub fn p16(c: u32) -> u32 {
    (c ^ FLIP) >> 16
}

/// The number of updates the counter has seen (saturating at its limit).
#[inline]
pub fn count(c: u32) -> u32 {
    c & 1023
}

/// Moves counter `c` towards `bit`; `limit` (below 1024) caps the count.
#[inline]
pub fn update(c: &mut u32, bit: u8, limit: u32) {
    let n = *c & 1023;
    let p = ((*c ^ FLIP) >> 10) as i64;
    let target = if bit != 0 { (1i64 << 22) - 1 } else { 0 };
    let step = i64::from(reciprocals()[n as usize]);
    let p = (p + (((target - p) * step) >> 16)).clamp(0, (1 << 22) - 1);
    *c = (((p as u32) << 10) | if n < limit { n + 1 } else { n }) ^ FLIP;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_update_moves_most_of_the_way() {
        let mut c = INIT;
        update(&mut c, 1, 255);
        assert!(p16(c) > 54_000, "{}", p16(c));
        assert_eq!(count(c), 1);
        for _ in 0..2000 {
            update(&mut c, 0, 255);
        }
        assert!(p16(c) < 200);
        assert_eq!(count(c), 255);
    }
}
