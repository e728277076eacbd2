//! Order-n contexts: the last `n` bytes, for each configured `n`.

use super::component::{combine, ContextModel, History};

/// Hashes of the last `n` bytes for each order `n` (1..=16).
#[derive(Debug)]
pub struct Orders {
    orders: Vec<u8>,
}

impl Orders {
    /// Contexts of the given orders.
    pub fn new(orders: &[u8]) -> Self {
        Orders {
            orders: orders.to_vec(),
        }
    }
}

impl ContextModel for Orders {
    fn count(&self) -> usize {
        self.orders.len()
    }

    fn hashes(&mut self, hist: &History, out: &mut Vec<u64>) {
        for &o in &self.orders {
            let bytes = if o >= 16 {
                hist.last
            } else {
                hist.last & ((1u128 << (8 * o)) - 1)
            };
            out.push(combine(
                combine(u64::from(o), bytes as u64),
                (bytes >> 64) as u64,
            ));
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
