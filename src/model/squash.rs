//! The logistic functions between probabilities and the network's log-odds domain,
//! computed without the platform's libm so that every CPU gets the same tables.
//!
//! `stretch(p) = ln(p / (1 - p))` and its inverse `squash(x) = 1 / (1 + e^-x)`. Both
//! are tables built at start-up from [`exp_det`], which uses only `+ - * /` (exactly
//! rounded by IEEE 754 on every platform), so the tables are bit-identical everywhere.

use std::sync::OnceLock;

/// `e^x` from basic arithmetic only: `x = k ln 2 + r`, a Taylor series for `e^r`,
/// then exact scaling by powers of two. Deterministic on every IEEE 754 machine.
pub fn exp_det(x: f64) -> f64 {
    const LN2: f64 = std::f64::consts::LN_2;
    let x = x.clamp(-700.0, 700.0);
    let k = (x / LN2).round();
    let r = x - k * LN2;
    let mut term = 1.0f64;
    let mut sum = 1.0f64;
    for i in 1..=24 {
        term = term * r / f64::from(i);
        sum += term;
    }
    let mut scale = 1.0f64;
    let (step, n) = if k >= 0.0 {
        (2.0, k as i32)
    } else {
        (0.5, (-k) as i32)
    };
    for _ in 0..n {
        scale *= step;
    }
    sum * scale
}

/// Resolution of the log-odds domain of [`squash16`]: `1/256`.
pub const LOGIT_SCALE: f32 = 256.0;
/// Largest |log-odds| (in 1/256 units) that [`squash16`] distinguishes: ±12.
pub const LOGIT_LIMIT: i32 = 12 * 256;
/// Entries of the squash table: one per log-odds step in `-LOGIT_LIMIT..=LOGIT_LIMIT`.
const SQUASH_LEN: usize = 2 * LOGIT_LIMIT as usize + 1;

/// The squash and stretch tables. Hold the `&'static` reference from [`tables`] in
/// hot code rather than calling the free functions, which look the tables up on
/// every call.
#[derive(Debug)]
pub struct Tables {
    /// A fixed-size array, so that a clamped index needs no bounds check.
    squash16: Box<[u16; SQUASH_LEN]>,
    stretch12: Box<[i16; 4096]>,
    /// `stretch12` divided by 256 (exactly: a power of two), as the networks take it.
    stretch12f: Box<[f32; 4096]>,
}

impl Tables {
    /// `65536 / (1 + e^-(x/256))`, for `x` in 1/256 units of log-odds; within `1..=65535`.
    #[inline(always)]
    pub fn squash16(&self, x: i32) -> u32 {
        u32::from(self.squash16[(x.clamp(-LOGIT_LIMIT, LOGIT_LIMIT) + LOGIT_LIMIT) as usize])
    }

    /// `ln(p / (1 - p))` in 1/256 units for a 12-bit probability `p12 = p * 4096`,
    /// which must be below 4096 (higher bits are ignored).
    #[inline(always)]
    pub fn stretch12(&self, p12: u32) -> i32 {
        i32::from(self.stretch12[(p12 as usize) & 4095])
    }

    /// [`Tables::stretch12`] in natural log-odds units, as `f32`: bit-identical to
    /// `stretch12(p12) as f32 / 256.0`, without the conversion.
    #[inline(always)]
    pub fn stretch12f(&self, p12: u32) -> f32 {
        self.stretch12f[(p12 as usize) & 4095]
    }
}

/// The tables, built on first use.
pub fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| {
        let mut squash16 = Box::new([0u16; SQUASH_LEN]);
        for (i, v) in (-LOGIT_LIMIT..=LOGIT_LIMIT).zip(squash16.iter_mut()) {
            let p = 65536.0 / (1.0 + exp_det(-f64::from(i) / 256.0));
            *v = (p.round() as i64).clamp(1, 65535) as u16;
        }
        // stretch of a 12-bit probability, in 1/256 units of log-odds (within ±2047):
        // the inverse of squash, found by search so that it is exactly monotone.
        let mut stretch12 = Box::new([0i16; 4096]);
        let mut i = -2047i32;
        for (p, s) in stretch12.iter_mut().enumerate() {
            let target = (p as u32) * 16 + 8;
            while i < 2047 && u32::from(squash16[(i + LOGIT_LIMIT) as usize]) < target {
                i += 1;
            }
            *s = i as i16;
        }
        let mut stretch12f = Box::new([0f32; 4096]);
        for (f, &s) in stretch12f.iter_mut().zip(stretch12.iter()) {
            *f = f32::from(s) * (1.0 / 256.0);
        }
        Tables {
            squash16,
            stretch12,
            stretch12f,
        }
    })
}

/// Forces the tables to be built (so that timing does not include it).
pub fn init() {
    tables();
}

/// `65536 / (1 + e^-(x/256))`, for `x` in 1/256 units of log-odds; within `1..=65535`.
#[inline]
pub fn squash16(x: i32) -> u32 {
    let t = &tables().squash16;
    u32::from(t[(x.clamp(-LOGIT_LIMIT, LOGIT_LIMIT) + LOGIT_LIMIT) as usize])
}

/// `ln(p / (1 - p))` in 1/256 units for a 12-bit probability `p12 = p * 4096`.
#[inline]
pub fn stretch12(p12: u32) -> i32 {
    i32::from(tables().stretch12[(p12 as usize).min(4095)])
}

/// `ln(p / (1 - p))` in 1/256 units for a 16-bit probability.
#[inline]
pub fn stretch16(p16: u32) -> i32 {
    stretch12(p16 >> 4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_matches_std_closely() {
        for i in -400..400 {
            let x = f64::from(i) / 17.0;
            let rel = (exp_det(x) - x.exp()).abs() / x.exp();
            assert!(rel < 1e-13, "{x}: {rel}");
        }
    }

    #[test]
    fn squash_and_stretch_are_inverse_and_monotone() {
        let mut last = 0;
        for x in -LOGIT_LIMIT..=LOGIT_LIMIT {
            let p = squash16(x);
            assert!(p >= last);
            last = p;
        }
        assert_eq!(squash16(0), 32768);
        for p in (64..4032).step_by(7) {
            let s = stretch12(p);
            let back = squash16(s) >> 4;
            // One step of 1/256 in log-odds moves p by up to 4096 / 1024 = 4 units.
            assert!((back as i32 - p as i32).abs() <= 4, "{p} -> {s} -> {back}");
        }
    }
}
