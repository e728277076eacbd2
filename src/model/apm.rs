//! Adaptive probability maps (secondary symbol estimation): refine a probability
//! given a small context by interpolating between 33 learned points along the
//! log-odds axis. Integer arithmetic only.

use super::squash::{squash16, stretch16};

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
        let row: Vec<u16> = (0..33)
            .map(|j| squash16((j - 16) * 128).clamp(1, 65535) as u16)
            .collect();
        let mut t = Vec::with_capacity(contexts * 33);
        for _ in 0..contexts {
            t.extend_from_slice(&row);
        }
        Apm { t, index: 0, rate }
    }

    /// The refined 16-bit probability of `p16` in context `cx`.
    #[inline]
    pub fn refine(&mut self, p16: u32, cx: usize) -> u32 {
        let s = (stretch16(p16) + 2048).clamp(0, 4095) as u32;
        let lo = (s >> 7) as usize;
        let w = s & 127;
        let base = cx * 33 + lo;
        self.index = base + (w >> 6) as usize;
        (u32::from(self.t[base]) * (128 - w) + u32::from(self.t[base + 1]) * w) >> 7
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
        let base = cx * 33 + lo;
        (u32::from(self.t[base]) * (128 - w) + u32::from(self.t[base + 1]) * w) >> 7
    }

    /// Bytes held.
    pub fn memory_bytes(&self) -> usize {
        self.t.len() * 2
    }
}
