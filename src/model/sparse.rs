//! Sparse (skip) contexts: bytes further back with a gap, which catch structure that
//! the contiguous orders split up (columns of tables, fixed-width records, a byte
//! pair with noise between).

use super::component::{ContextModel, History};

/// Three skip contexts: bytes 2-3 back, bytes 3-4 back, and byte 1 with byte 3.
#[derive(Debug, Default)]
pub struct Sparse;

impl ContextModel for Sparse {
    fn count(&self) -> usize {
        3
    }

    fn hashes(&mut self, hist: &History, out: &mut Vec<u64>) {
        let b = |i| u64::from(hist.byte(i));
        // Raw byte pairs: the predictor salts each with its context's index.
        out.push(b(2) | b(3) << 8);
        out.push(b(3) | b(4) << 8);
        out.push(b(1) | b(3) << 8);
    }
}
