//! The predictor: an online-trained ReLU MLP that gives the probability of each next
//! bit of the text, over inputs built from hashed contexts and the recent bytes.
//!
//! A byte is predicted as eight binary decisions, most significant bit first (a binary
//! tree of 255 nodes of which eight are visited per byte). Encoder and decoder call
//! [`Predictor::p1`] then [`Predictor::update`] for every bit, in the same order, and
//! so hold bit-identical weights at every step.

pub mod config;

pub use config::{Activation, ModelConfig, Preset};

use crate::error::Result;

/// Statistics of the hidden units, for showing what the non-linearity does.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ActivationStats {
    /// Average fraction of hidden units with a non-zero output, over all predictions.
    pub active_fraction: f64,
    /// Hidden units that were never non-zero.
    pub dead_units: usize,
    /// Total hidden units.
    pub units: usize,
}

/// The next-bit predictor (placeholder: adaptive order-1 bit counters).
#[derive(Debug)]
pub struct Predictor {
    probs: Vec<u16>,
    c0: usize,
    c1: usize,
}

impl Predictor {
    /// Builds a predictor with freshly initialised weights for `cfg`.
    ///
    /// # Errors
    /// [`crate::Error::InvalidConfig`] if `cfg` is out of range.
    pub fn new(cfg: &ModelConfig) -> Result<Self> {
        cfg.validate()?;
        Ok(Predictor {
            probs: vec![32768; 256 * 256],
            c0: 1,
            c1: 0,
        })
    }

    /// Probability that the next bit is 1, scaled to `1..=65535`.
    #[inline]
    pub fn p1(&mut self) -> u32 {
        u32::from(self.probs[self.c1 << 8 | self.c0]).clamp(1, 65535)
    }

    /// Learns the bit that actually came (`bit` is 0 or 1) and moves to the next one.
    #[inline]
    pub fn update(&mut self, bit: u8) {
        let p = &mut self.probs[self.c1 << 8 | self.c0];
        if bit != 0 {
            *p += (65535 - *p) >> 4;
        } else {
            *p -= *p >> 4;
        }
        self.c0 = self.c0 << 1 | usize::from(bit);
        if self.c0 >= 256 {
            self.c1 = self.c0 & 255;
            self.c0 = 1;
        }
    }

    /// Hidden-unit statistics since the start.
    pub fn activation_stats(&self) -> ActivationStats {
        ActivationStats::default()
    }

    /// Number of learned parameters (network weights and table entries).
    pub fn param_count(&self) -> usize {
        self.probs.len()
    }

    /// Bytes of memory held by the model.
    pub fn memory_bytes(&self) -> usize {
        self.probs.len() * 2
    }
}
