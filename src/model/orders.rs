//! Order-n contexts: the last `n` bytes, for each configured `n`.

use super::component::{join, ContextModel, History};

/// Hashes of the last `n` bytes for each order `n` (1..=16).
#[derive(Debug)]
pub struct Orders {
    /// Per order, the masks of its bytes in the low and the high 64 bits of
    /// [`History::last`].
    masks: Vec<(u64, u64)>,
}

impl Orders {
    /// Contexts of the given orders.
    pub fn new(orders: &[u8]) -> Self {
        let masks = orders
            .iter()
            .map(|&o| {
                let m = if o >= 16 {
                    u128::MAX
                } else {
                    (1u128 << (8 * o)) - 1
                };
                (m as u64, (m >> 64) as u64)
            })
            .collect();
        Orders { masks }
    }
}

impl ContextModel for Orders {
    fn count(&self) -> usize {
        self.masks.len()
    }

    fn hashes(&mut self, hist: &History, out: &mut Vec<u64>) {
        let (lo, hi) = (hist.last as u64, (hist.last >> 64) as u64);
        for &(mlo, mhi) in &self.masks {
            // The order needs no place in the value: each context is salted with
            // its own index.
            out.push(join(lo & mlo, hi & mhi));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_see_only_their_bytes() {
        let mut m = Orders::new(&[1, 2]);
        let mut a = History::default();
        let mut b = History::default();
        for c in *b"xyz" {
            a.push(c);
        }
        for c in *b"qyz" {
            b.push(c);
        }
        let (mut ha, mut hb) = (Vec::new(), Vec::new());
        m.hashes(&a, &mut ha);
        m.hashes(&b, &mut hb);
        assert_eq!(ha.len(), 2);
        assert_eq!(ha, hb);
        b.push(b'!');
        hb.clear();
        m.hashes(&b, &mut hb);
        assert_ne!(ha[0], hb[0]);
    }
}
