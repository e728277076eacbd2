//! Read-only looks into the [`Predictor`], for `nnzip explain`: what the model would
//! predict for any partial byte, and its most likely next bytes, without changing
//! anything that the coding path reads or writes.
//!
//! The coded path asks for one bit at a time and learns after each. A look instead
//! asks, at the start of a byte, for any node of the byte's bit tree: table lookups
//! for the second nibble use [`super::table::HashTable::peek`] (nothing inserted or
//! evicted), and every stage computes with the `peek` twin of its forward step (same
//! operations in the same order, nothing remembered). So the first bit's look equals
//! [`Predictor::p1`] exactly; deeper looks use the weights as they stand at the start
//! of the byte, while the coded path has by then learned the byte's earlier bits: an
//! approximation (the learning step per bit is small), stated wherever it is shown.
//! Nothing here runs while compressing or decompressing.

use super::mixer::Row;
use super::mlp::LANES;
use super::table::SLOT;
use super::{squash, Activation, ContextMaps, Predictor};
use std::collections::BinaryHeap;

/// Scratch space for looks at one predictor (the second nibble's slots are fetched
/// once per high nibble and byte).
#[derive(Debug, Clone)]
pub struct Peeker {
    lines2: Vec<[u8; SLOT]>,
    /// The partial byte (16..=31) whose second-nibble slots `lines2` holds, 0 if none.
    lines2_for: u32,
    /// `bits_seen` of the predictor when `lines2` was filled.
    lines2_at: u64,
    z: Vec<f32>,
    mix_out: Vec<f32>,
}

/// The most likely next bytes, from [`Peeker::top_bytes`].
#[derive(Debug, Clone, PartialEq)]
pub struct Guesses {
    /// `(byte, probability)`, most likely first.
    pub bytes: Vec<(u8, f64)>,
    /// Whether the search finished: the list is then the exact top of the looks'
    /// distribution; otherwise the best found within the node budget.
    pub complete: bool,
}

impl Predictor {
    /// Whether the predictor stands at the start of a byte (where looks are possible).
    #[inline(always)]
    pub fn at_byte_start(&self) -> bool {
        self.bitpos == 0
    }

    /// The hidden layers' activation.
    pub fn activation(&self) -> Activation {
        self.head.activation()
    }

    /// Hidden units per layer.
    pub fn hidden_width(&self) -> usize {
        self.head.width()
    }

    /// `(pre-activations, outputs)` of hidden layer `layer` (0 or 1) in the last
    /// [`Predictor::p1`]; empty for a layer the network does not have.
    pub fn hidden(&self, layer: usize) -> (&[f32], &[f32]) {
        self.head.hidden(layer)
    }
}

impl Peeker {
    /// Scratch space sized for `p`.
    pub fn new(p: &Predictor) -> Self {
        Peeker {
            lines2: vec![[0; SLOT]; p.slots.len()],
            lines2_for: 0,
            lines2_at: u64::MAX,
            z: vec![0.0; p.head.padded_inputs()],
            mix_out: vec![0.0; p.mixers.len()],
        }
    }

    /// The probability (in `1..=65535`, of 65536) that the next bit is 1 if the
    /// current byte's bits so far are those of `c0` (the partial byte with a leading
    /// 1, in `1..=255`), as the model stands. `None` unless `p` is at the start of a
    /// byte and codes bytes in the plain tree ([`super::codes`]), or for `c0` out of
    /// range. For `c0 == 1` this is exactly what
    /// [`Predictor::p1`] will return.
    pub fn p1(&mut self, p: &Predictor, c0: u32) -> Option<u32> {
        if !p.at_byte_start() || !p.codes.is_plain() || !(1..=255).contains(&c0) {
            return None;
        }
        let bitpos = 31 - c0.leading_zeros();
        let (lines, nib) = if bitpos < 4 {
            (&p.lines[..], c0 as usize)
        } else {
            let hi = c0 >> (bitpos - 4);
            if self.lines2_for != hi || self.lines2_at != p.bits_seen {
                let salt = super::nibble_salt(hi);
                for (line, &h) in self.lines2.iter_mut().zip(&p.hashes) {
                    *line = p.table.peek(h ^ salt).unwrap_or([0; SLOT]);
                }
                self.lines2_for = hi;
                self.lines2_at = p.bits_seen;
            }
            let low = bitpos - 4;
            (
                &self.lines2[..],
                (1 << low | (c0 & ((1 << low) - 1))) as usize,
            )
        };
        let t = p.squash;
        let rows = p.maps.rows();
        let n = p.slots.len();
        let mut x: Row = [[0.0; LANES]; super::mixer::ROW_BLOCKS];
        let xf = x.as_flattened_mut();
        let mut orders_seen = 0;
        for i in 0..n {
            let s = lines[i][nib];
            if i < p.n_orders {
                orders_seen += usize::from(s != 0);
            }
            xf[i] = t.stretch12(ContextMaps::p12(&rows[i], s)) as f32 * (1.0 / 256.0);
        }
        let mut k = n;
        if p.o0_input {
            let s0 = p.o0[c0 as usize];
            xf[n] = t.stretch12(ContextMaps::p12(&rows[n], s0)) as f32 * (1.0 / 256.0);
            k += 1;
        }
        let c1 = p.hist.byte(1);
        let mut match_state = 0;
        if let Some(m) = &p.matcher {
            match_state = m.state(c0, bitpos);
            let [a, b] = m.peek_inputs(match_state, bitpos, c1, t);
            xf[k] = a;
            xf[k + 1] = b;
            k += 2;
        }
        xf[k] = 1.0;
        let sel = super::mixer_sets(c0, c1, match_state, orders_seen);
        p.mixers.peek(&x, &sel, &mut self.mix_out);
        let m = self.mix_out.len();
        self.z[..m].copy_from_slice(&self.mix_out);
        self.z[m] = 1.0;
        let emb = [c0 as usize, 256 + usize::from(c1)];
        let emb = &emb[..1 + usize::from(p.byte_embed)];
        let logit = p.head.peek(&self.z, emb, c0, bitpos as usize);
        let mut q = t.squash16((logit * squash::LOGIT_SCALE) as i32);
        if let Some(sse) = &p.sse {
            q = sse.peek(q, c0, p.hist.last as u32);
        }
        Some(q.clamp(1, 65535))
    }

    /// The `k` most likely next bytes under the looks' distribution (the product of
    /// [`Peeker::p1`] along each byte's path), by best-first search of the bit tree,
    /// which is exact because a path's probability only shrinks as it grows. At most
    /// `max_looks` nodes are looked at; [`Guesses::complete`] says whether that was
    /// enough. Empty unless `p` is at the start of a byte.
    pub fn top_bytes(&mut self, p: &Predictor, k: usize, max_looks: usize) -> Guesses {
        let mut out = Vec::with_capacity(k);
        let mut heap = BinaryHeap::new();
        // Non-negative floats order as their bit patterns.
        heap.push((1f64.to_bits(), 1u32));
        let mut looks = 0;
        while let Some((bits, c0)) = heap.pop() {
            let prob = f64::from_bits(bits);
            if c0 >= 256 {
                out.push(((c0 - 256) as u8, prob));
                if out.len() == k {
                    return Guesses {
                        bytes: out,
                        complete: true,
                    };
                }
                continue;
            }
            if looks == max_looks {
                break;
            }
            looks += 1;
            let Some(q) = self.p1(p, c0) else { break };
            let p1 = f64::from(q) / 65536.0;
            heap.push(((prob * (1.0 - p1)).to_bits(), c0 << 1));
            heap.push(((prob * p1).to_bits(), c0 << 1 | 1));
        }
        Guesses {
            bytes: out,
            complete: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fnv;
    use crate::model::Preset;

    fn run(cfg: &crate::ModelConfig, text: &[u8], look: bool) -> Vec<u32> {
        let mut p = Predictor::new(cfg).unwrap();
        let mut peek = Peeker::new(&p);
        let mut probs = Vec::new();
        for &c in text {
            let first = if look {
                let g = peek.top_bytes(&p, 3, 300);
                assert!(g.complete && g.bytes.len() == 3);
                assert!(g.bytes[0].1 >= g.bytes[1].1 && g.bytes[1].1 >= g.bytes[2].1);
                for c0 in 1..256 {
                    assert!(peek.p1(&p, c0).is_some());
                }
                peek.p1(&p, 1)
            } else {
                None
            };
            for i in (0..8).rev() {
                let q = p.p1();
                if i == 7 {
                    if let Some(f) = first {
                        assert_eq!(f, q, "the first bit's look is exact");
                    }
                }
                probs.push(q);
                p.update((c >> i) & 1);
                if i > 0 {
                    assert_eq!(peek.p1(&p, 1), None, "no looks inside a byte");
                }
            }
        }
        probs
    }

    #[test]
    fn looks_change_nothing_and_the_first_is_exact() {
        let text = b"the cat sat on the mat; the cat sat on the hat. ".repeat(8);
        // fast has no hidden layer (its output stage is a linear mixer): the others
        // give it one.
        let mut smooth = Preset::Fast.config();
        (smooth.activation, smooth.layers) = (crate::Activation::Sigmoid, 1);
        let mut two = Preset::Fast.config();
        (two.activation, two.layers, two.hidden) = (crate::Activation::Tanh, 2, 12);
        for cfg in [
            Preset::Fast.config(),
            Preset::Default.config().fitted(Some(400)),
            smooth,
            two,
        ] {
            assert_eq!(run(&cfg, &text, true), run(&cfg, &text, false));
        }
    }

    #[test]
    fn a_learned_byte_is_the_first_guess() {
        let text = b"abcabcabcabcabcabcabcabcabcabcabcabcabcabcabcabcabcab";
        let cfg = Preset::Fast.config();
        let mut p = Predictor::new(&cfg).unwrap();
        for &c in text.iter() {
            for i in (0..8).rev() {
                p.p1();
                p.update((c >> i) & 1);
            }
        }
        let g = Peeker::new(&p).top_bytes(&p, 3, 100);
        assert_eq!(g.bytes[0].0, b'c');
        assert!(g.bytes[0].1 > 0.5, "{:?}", g.bytes);
    }

    /// Codes `c` with `p`, bit by bit.
    fn code(p: &mut Predictor, c: u8) {
        for i in (0..8).rev() {
            p.p1();
            p.update((c >> i) & 1);
        }
    }

    /// Text with repeats, markup and digits, so that every context kind has learned
    /// something when the looks are taken.
    fn text() -> Vec<u8> {
        b"<b>the cat</b> sat on the mat; <b>the cat</b> sat on the hat. 0123 0123\n".repeat(3)
    }

    /// Every look (all 255 nodes of the bit tree) at the start of every fourth byte
    /// of a text, for four configurations (with and without a hidden layer, the
    /// matcher's inputs, the byte embedding and the SSE stages), hashed into fixed
    /// vectors: only the first look equals a coded prediction, so nothing else pins
    /// the deeper ones down (the second nibble's table lookups, the input order, the
    /// mixer selection, the bit position given to the network). A peeker kept across
    /// bytes, whose second-nibble slots are cached per high nibble and byte, must
    /// see what a fresh one sees: the first look of each byte is at the high nibble
    /// of the previous byte's last look, so a cache that ignored the byte would be
    /// stale. Partial bytes out of `1..=255` have no look.
    #[test]
    fn looks_follow_fixed_vectors_and_the_cache_is_never_stale() {
        let mut fast = Preset::Fast.config();
        (fast.layers, fast.byte_embed) = (1, 1);
        let mut three = Preset::Fast.config();
        three.single_mixer = false;
        let configs = [
            Preset::Fast.config(),
            fast,
            Preset::Default.config().fitted(Some(400)),
            Preset::Max.config().fitted(Some(400)),
            three,
        ];
        let text = text();
        let mut got = Vec::new();
        for cfg in configs {
            let mut p = Predictor::new(&cfg).unwrap();
            let mut kept = Peeker::new(&p);
            let mut h = 0xcbf2_9ce4_8422_2325u64;
            for (i, &c) in text.iter().enumerate() {
                if i % 4 == 0 {
                    let mut fresh = Peeker::new(&p);
                    for c0 in std::iter::once(255).chain(1..256) {
                        let q = kept.p1(&p, c0).expect("a look at the start of a byte");
                        assert_eq!(Some(q), fresh.p1(&p, c0), "byte {i}, node {c0}");
                        fnv(&mut h, q.to_le_bytes());
                    }
                    assert_eq!(kept.p1(&p, 0), None);
                    assert_eq!(kept.p1(&p, 256), None);
                }
                code(&mut p, c);
            }
            got.push(h);
        }
        assert_eq!(got, LOOKS.to_vec());
    }

    /// Per configuration of the test above, in its order.
    const LOOKS: [u64; 5] = [
        14432106703958595882,
        11021146682124269240,
        15300134525135579615,
        18334505228396824416,
        // fast with three mixers and a final linear mixer: what fast was.
        16897747009812061379,
    ];

    /// `top_bytes` is the exact top of the looks' distribution: each byte's
    /// probability is the product of the looks along its path (computed here node
    /// by node in the same order, so the same floats), most likely first; a search
    /// of all 255 nodes returns all 256 bytes, and a budget of fewer looks than a
    /// path has (8) finds none and says so.
    #[test]
    fn top_bytes_are_the_most_likely_paths_within_the_budget() {
        let cfg = Preset::Default.config().fitted(Some(400));
        let mut p = Predictor::new(&cfg).unwrap();
        let mut peek = Peeker::new(&p);
        for (i, &c) in text().iter().enumerate() {
            if i % 16 == 5 {
                let mut all: Vec<(u8, f64)> = (0..=255u8)
                    .map(|b| {
                        let (mut prob, mut c0) = (1f64, 1u32);
                        for k in (0..8).rev() {
                            let bit = u32::from(b >> k & 1);
                            let q = f64::from(peek.p1(&p, c0).unwrap()) / 65536.0;
                            prob *= if bit == 1 { q } else { 1.0 - q };
                            c0 = c0 << 1 | bit;
                        }
                        (b, prob)
                    })
                    .collect();
                all.sort_by(|a, b| b.1.total_cmp(&a.1));
                let g = peek.top_bytes(&p, 5, 1000);
                assert!(g.complete);
                let probs = |v: &[(u8, f64)]| v.iter().map(|b| b.1).collect::<Vec<_>>();
                assert_eq!(probs(&g.bytes), probs(&all[..5]), "byte {i}");
                // Ties aside, the same bytes.
                for (j, (b, q)) in g.bytes.iter().enumerate() {
                    if all.iter().filter(|a| a.1 == *q).count() == 1 {
                        assert_eq!(*b, all[j].0, "byte {i}, rank {j}");
                    }
                }
                let every = peek.top_bytes(&p, 256, 255);
                assert!(every.complete);
                assert_eq!(probs(&every.bytes), probs(&all));
                let none = peek.top_bytes(&p, 1, 7);
                assert_eq!(
                    none,
                    Guesses {
                        bytes: Vec::new(),
                        complete: false
                    }
                );
            }
            code(&mut p, c);
        }
    }

    /// What `nnzip explain` shows of the network: its activation and width, and the
    /// last prediction's hidden layers (one entry per unit, the outputs the
    /// activation of the pre-activations; nothing for a layer it does not have);
    /// and whether the predictor stands at the start of a byte.
    #[test]
    fn reports_the_network_it_runs() {
        use crate::model::config::tanh_approx;
        use crate::Activation;
        for (act, layers, width) in [
            (Activation::Relu, 1, 4),
            (Activation::Tanh, 2, 12),
            (Activation::Sigmoid, 1, 8),
        ] {
            let mut cfg = Preset::Fast.config();
            (cfg.activation, cfg.layers, cfg.hidden) = (act, layers, width as u16);
            let mut p = Predictor::new(&cfg).unwrap();
            for &c in b"abcab" {
                code(&mut p, c);
            }
            assert!(p.at_byte_start());
            p.p1();
            assert_eq!(p.activation(), act);
            assert_eq!(p.hidden_width(), width);
            for layer in 0..3 {
                let (pre, out) = p.hidden(layer);
                let n = if layer < usize::from(layers) {
                    width
                } else {
                    0
                };
                assert_eq!((pre.len(), out.len()), (n, n), "{act:?} layer {layer}");
                for (&a, &y) in pre.iter().zip(out) {
                    let want = match act {
                        Activation::Tanh => tanh_approx(a),
                        Activation::Sigmoid => 0.5 + 0.5 * tanh_approx(0.5 * a),
                        _ => a.max(0.0),
                    };
                    assert_eq!(y, want, "{act:?} layer {layer}");
                }
                assert!(n == 0 || pre.iter().any(|&a| a != 0.0));
            }
            p.update(1);
            assert!(!p.at_byte_start());
        }
    }
}
