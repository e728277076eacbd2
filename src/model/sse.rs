//! Secondary estimation after the network: adaptive probability maps that refine the
//! network's probability in small contexts where it is systematically off (order 0,
//! then order 1), each mixed in at three quarters.

use super::apm::Apm;

/// Learning rate (as a shift) of every stage: 1/128 per update.
const RATE: u32 = 7;

/// The SSE chain.
#[derive(Debug)]
pub struct Sse {
    o0: Apm,
    o1: Apm,
}

impl Default for Sse {
    fn default() -> Self {
        Self::new()
    }
}

impl Sse {
    /// Fresh stages that start as the identity.
    pub fn new() -> Self {
        Sse {
            o0: Apm::new(256, RATE),
            o1: Apm::new(65536, RATE),
        }
    }

    /// Refines the 16-bit probability `p`, given the partial byte `c0` and the last
    /// byte `c1`. A chain measured better than an average of more stages (order 2,
    /// match state) on enwik8 and alice29, and costs half the cache misses.
    #[inline(always)]
    pub fn refine(&mut self, p: u32, c0: u32, c1: u8) -> u32 {
        let c0 = c0 as usize;
        let p = (p + 3 * self.o0.refine(p, c0) + 2) >> 2;
        (p + 3 * self.o1.refine(p, c0 | usize::from(c1) << 8) + 2) >> 2
    }

    /// Learns the bit that came, in every stage.
    #[inline(always)]
    pub fn update(&mut self, bit: u8) {
        self.o0.update(bit);
        self.o1.update(bit);
    }

    /// [`Sse::refine`] as a read-only look (for `nnzip explain`): the same value,
    /// nothing remembered for [`Sse::update`].
    pub fn peek(&self, p: u32, c0: u32, c1: u8) -> u32 {
        let c0 = c0 as usize;
        let p = (p + 3 * self.o0.peek(p, c0) + 2) >> 2;
        (p + 3 * self.o1.peek(p, c0 | usize::from(c1) << 8) + 2) >> 2
    }

    /// Bytes held.
    pub fn memory_bytes(&self) -> usize {
        self.o0.memory_bytes() + self.o1.memory_bytes()
    }
}
