//! How a byte becomes binary decisions: the tree whose leaves are the 256 byte values
//! and whose paths are the bits the predictor predicts and the coder codes.
//!
//! The plain tree is the byte's eight bits, most significant first: every byte costs
//! eight predictions. The *text* tree is a Huffman code of English byte frequencies:
//! a letter of English text is reached in about four to five decisions, so the
//! per-decision work (every context, the mixers, the network, the SSE chain) runs
//! about 40% less often per byte of text, for a little ratio. Bytes that English
//! rarely uses get long paths (up to 18 decisions), so data that is not English
//! text keeps the plain tree: [`ByteCodes::suits`] decides per segment from the
//! segment's first bytes (see `FORMAT.md`).
//!
//! Either tree numbers its 255 inner nodes `1..=255`, the root `1`: everything the
//! predictor keys by the partial byte (order-0 states, mixer weight sets, SSE rows,
//! table slots) is keyed by the node instead, and the plain tree's node number *is*
//! the partial byte with its leading 1, so the plain tree codes as before.
//!
//! The text tree is part of the format: it is built from the byte counts of the
//! whole built-in priming text ([`super::prime`], which never changes once
//! released), each plus one, by the fixed procedure of [`huffman`].

use std::sync::OnceLock;

/// A binary tree over the 256 byte values, with each byte's path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ByteCodes {
    /// Per inner node (1..=255; entry 0 unused) and bit: the next inner node, or
    /// `256 + byte` at a leaf.
    next: [[u16; 2]; 256],
    /// Per byte: its path as bits after a leading 1, and the path's length.
    paths: [(u32, u32); 256],
    /// Whether this is the plain tree (the byte's eight bits).
    plain: bool,
}

/// The longest path either tree has: 18 decisions (the text tree's rarest bytes).
pub const MAX_PATH: u32 = 18;

/// The most decisions per byte, on average over a segment's first bytes, for which
/// [`ByteCodes::suits`] takes the text tree: 6 of the plain tree's 8.
///
/// Measured with the fast preset (2026-12-02): English prose averages 4.5 to 5.3
/// decisions per byte in the text tree, Wikipedia XML 5.6, and the text tree costs
/// it 1.6 to 2.8% more bytes for about 20% less time; C source (6.3) and HTML (7.1)
/// lost 4%, binary files (12 to 18) up to 68%.
pub const TEXT_MAX_AVERAGE: u32 = 6;

/// How many of a segment's first bytes [`ByteCodes::suits`] looks at.
pub const SAMPLE_LEN: usize = 64 << 10;

impl ByteCodes {
    /// The plain tree: a byte's eight bits, most significant first.
    pub fn plain() -> &'static ByteCodes {
        static PLAIN: OnceLock<ByteCodes> = OnceLock::new();
        PLAIN.get_or_init(|| ByteCodes {
            next: std::array::from_fn(|c0| [(c0 << 1) as u16, (c0 << 1 | 1) as u16]),
            paths: std::array::from_fn(|b| (b as u32 | 0x100, 8)),
            plain: true,
        })
    }

    /// The text tree: a Huffman code of the priming text's byte counts.
    pub fn text() -> &'static ByteCodes {
        static TEXT: OnceLock<ByteCodes> = OnceLock::new();
        TEXT.get_or_init(|| {
            let mut counts = [1u64; 256];
            for &c in super::prime::text(super::prime::MAX_BLOCKS) {
                counts[usize::from(c)] += 1;
            }
            huffman(&counts)
        })
    }

    /// The tree a segment flagged `text` is coded in.
    pub fn chosen(text: bool) -> &'static ByteCodes {
        if text {
            ByteCodes::text()
        } else {
            ByteCodes::plain()
        }
    }

    /// Whether a segment whose first bytes are `data` is coded in the text tree:
    /// when its first [`SAMPLE_LEN`] bytes average at most [`TEXT_MAX_AVERAGE`]
    /// decisions per byte in it. An empty sample keeps the plain tree.
    pub fn suits(data: &[u8]) -> bool {
        let sample = &data[..data.len().min(SAMPLE_LEN)];
        let text = ByteCodes::text();
        let decisions: u64 = sample.iter().map(|&b| u64::from(text.path(b).1)).sum();
        !sample.is_empty() && decisions <= u64::from(TEXT_MAX_AVERAGE) * sample.len() as u64
    }

    /// Whether this is the plain tree.
    #[inline(always)]
    pub fn is_plain(&self) -> bool {
        self.plain
    }

    /// The path of `byte`: its bits after a leading 1, and how many there are (code
    /// them from bit `len - 1` down to bit 0).
    #[inline(always)]
    pub fn path(&self, byte: u8) -> (u32, u32) {
        self.paths[usize::from(byte)]
    }

    /// The node after inner node `node` (1..=255) on `bit`: another inner node, or
    /// `256 + byte` at a leaf.
    #[inline(always)]
    pub fn next(&self, node: u32, bit: u8) -> u32 {
        u32::from(self.next[node as usize & 0xff][usize::from(bit & 1)])
    }
}

/// A Huffman tree for byte counts `counts` (each at least 1), built by a fixed
/// procedure, so that every build makes the same tree:
///
/// 1. The items are the 256 leaves, leaf `b` with weight `counts[b]` and id `b`.
/// 2. While more than one item is left, the two items of least weight are joined
///    (of equal weights, the smaller id counts as less): a new inner item with id
///    256, 257, ... in order of making and the sum of their weights, whose 0-branch
///    is the lesser of the two and whose 1-branch the other.
/// 3. The inner items are numbered from the root (the last made) as 1, then
///    breadth-first, the 0-branch before the 1-branch.
///
/// # Panics
/// If a path would be longer than 31 bits (weights this skewed are never passed:
/// the text tree's longest path is [`MAX_PATH`]).
pub fn huffman(counts: &[u64; 256]) -> ByteCodes {
    // (weight, id): leaves 0..=255, inner items 256.. in order of making.
    let mut items: Vec<(u64, u32)> = (0..256u32).map(|b| (counts[b as usize], b)).collect();
    let mut kids: Vec<[u32; 2]> = Vec::with_capacity(255);
    while items.len() > 1 {
        // Heaviest first, so the two least are at the end.
        items.sort_unstable_by(|a, b| b.cmp(a));
        let (Some(lo), Some(hi)) = (items.pop(), items.pop()) else {
            unreachable!("at least two items");
        };
        kids.push([lo.1, hi.1]);
        items.push((lo.0 + hi.0, 255 + kids.len() as u32));
    }
    let mut next = [[0u16; 2]; 256];
    let mut paths = [(0u32, 0u32); 256];
    // Breadth-first from the root: (inner item index, its node number, path, length).
    let mut queue = std::collections::VecDeque::from([(kids.len() - 1, 1u16, 1u32, 0u32)]);
    let mut numbered = 1u16;
    while let Some((k, node, path, len)) = queue.pop_front() {
        assert!(len < 31, "a Huffman path longer than 31 bits");
        for bit in 0..2 {
            let id = kids[k][bit];
            let child_path = path << 1 | bit as u32;
            if id < 256 {
                next[usize::from(node)][bit] = 256 + id as u16;
                paths[id as usize] = (child_path, len + 1);
            } else {
                numbered += 1;
                next[usize::from(node)][bit] = numbered;
                queue.push_back(((id - 256) as usize, numbered, child_path, len + 1));
            }
        }
    }
    ByteCodes {
        next,
        paths,
        plain: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Walks `codes` from the root along `byte`'s path and returns the leaf reached
    /// and every inner node passed.
    fn walk(codes: &ByteCodes, byte: u8) -> (u32, Vec<u32>) {
        let (path, len) = codes.path(byte);
        assert_eq!(path >> len, 1, "leading 1 of {byte}");
        let mut node = 1;
        let mut seen = Vec::new();
        for k in (0..len).rev() {
            assert!((1..=255).contains(&node), "inner node {node} of {byte}");
            seen.push(node);
            node = codes.next(node, (path >> k) as u8 & 1);
        }
        (node, seen)
    }

    fn check_tree(codes: &ByteCodes) {
        let mut inner = std::collections::BTreeSet::new();
        // Kraft: the leaves' 2^-len sum to exactly 1 (a complete prefix code), in
        // units of 2^-31.
        let mut kraft = 0u64;
        for b in 0..=255u8 {
            let (leaf, seen) = walk(codes, b);
            assert_eq!(leaf, 256 + u32::from(b), "path of {b} ends at its leaf");
            assert!(codes.path(b).1 <= MAX_PATH);
            kraft += 1u64 << (31 - codes.path(b).1);
            inner.extend(seen);
        }
        assert_eq!(kraft, 1 << 31);
        assert_eq!(inner.len(), 255, "every inner node 1..=255 is on some path");
    }

    #[test]
    fn the_plain_tree_is_the_bits_of_the_byte() {
        let p = ByteCodes::plain();
        check_tree(p);
        assert!(p.is_plain());
        for c0 in 1..=255u32 {
            for bit in 0..2u8 {
                let want = c0 << 1 | u32::from(bit);
                let want = if want >= 256 {
                    256 + (want & 0xff)
                } else {
                    want
                };
                assert_eq!(p.next(c0, bit), want);
            }
        }
        assert_eq!(p.path(0x41), (0x141, 8));
    }

    #[test]
    fn the_text_tree_is_a_complete_code_with_short_paths_for_english() {
        let t = ByteCodes::text();
        check_tree(t);
        assert!(!t.is_plain());
        // The space and 'e' are the commonest bytes of English: the shortest paths.
        let shortest = (0..=255u8).map(|b| t.path(b).1).min();
        assert_eq!(shortest, Some(t.path(b' ').1));
        assert!(
            t.path(b' ').1 <= 3 && t.path(b'e').1 <= 4,
            "{:?}",
            t.path(b'e')
        );
        assert_eq!((0..=255u8).map(|b| t.path(b).1).max(), Some(MAX_PATH));
        // Bytes the text never has (every byte above 127) share the longest paths.
        assert!(t.path(0x80).1 >= 16 && t.path(0).1 >= 16);
    }

    #[test]
    fn the_text_tree_is_fixed() {
        // Files depend on it: any change to the procedure or the priming text shows.
        let t = ByteCodes::text();
        let mut h = 0xcbf2_9ce4_8422_2325u64;
        let bytes = (0..=255u8).flat_map(|b| {
            let (p, l) = t.path(b);
            p.to_le_bytes().into_iter().chain([l as u8])
        });
        crate::model::fnv(&mut h, bytes);
        let nodes = (1..=255u32).flat_map(|n| {
            [t.next(n, 0), t.next(n, 1)]
                .into_iter()
                .flat_map(|x| (x as u16).to_le_bytes())
        });
        crate::model::fnv(&mut h, nodes);
        assert_eq!(h, 10_387_578_575_665_995_372, "text tree hash");
        assert_eq!(
            [b' ', b'e', b't', b'a', b'\n', b'Z', 0].map(|b| t.path(b)),
            [
                (14, 3),
                (31, 4),
                (26, 4),
                (25, 4),
                (121, 6),
                (31679, 14),
                (318_180, 18)
            ]
        );
    }

    #[test]
    fn huffman_breaks_ties_by_id_and_numbers_breadth_first() {
        // 256 equal weights: the tie rule (smaller id first) decides every join, and
        // the result is the plain tree's shape, with byte b at path b and the inner
        // nodes numbered as the plain tree's partial bytes.
        let equal = huffman(&[1; 256]);
        check_tree(&equal);
        for b in 0..=255u8 {
            assert_eq!(equal.path(b).1, 8);
            assert_eq!(equal.path(b), ByteCodes::plain().path(b));
        }
        for node in 1..=255u32 {
            for bit in 0..2u8 {
                assert_eq!(equal.next(node, bit), ByteCodes::plain().next(node, bit));
            }
        }
        assert_eq!(equal.path(0), (0x100, 8));
        assert_eq!(equal.path(255), (0x1ff, 8));
        assert!(!equal.is_plain());
        // One leaf far heavier than the rest together.
        let mut skewed = [1000u64; 256];
        skewed[7] = 1 << 40;
        let s = huffman(&skewed);
        check_tree(&s);
        // The heaviest leaf is the root's 1-branch: one decision.
        assert_eq!(s.path(7), (0b11, 1));
        assert_eq!(s.next(1, 1), 256 + 7);
        assert_eq!(s.next(1, 0), 2);
    }

    #[test]
    fn suits_takes_english_and_leaves_binary_and_empty_data() {
        let text = super::super::prime::text(1);
        assert!(ByteCodes::suits(text));
        assert!(ByteCodes::suits(b"the cat sat on the mat"));
        assert!(!ByteCodes::suits(&[]));
        assert!(!ByteCodes::suits(&[0u8; 1000]));
        let all: Vec<u8> = (0..=255u8).collect();
        assert!(!ByteCodes::suits(&all));
        // Only the first SAMPLE_LEN bytes count.
        let mut v = text[..SAMPLE_LEN].to_vec();
        v.extend(std::iter::repeat_n(0u8, 1 << 20));
        assert!(ByteCodes::suits(&v));
        // At the bound: exactly TEXT_MAX_AVERAGE decisions per byte is text, one
        // more is not.
        let t = ByteCodes::text();
        let six = (0..=255u8).find(|&b| t.path(b).1 == TEXT_MAX_AVERAGE);
        let seven = (0..=255u8).find(|&b| t.path(b).1 == TEXT_MAX_AVERAGE + 1);
        let (Some(six), Some(seven)) = (six, seven) else {
            panic!("the text tree has paths of 6 and 7");
        };
        assert!(ByteCodes::suits(&[six; 100]));
        assert!(!ByteCodes::suits(&[seven; 100]));
        assert!(!ByteCodes::suits(&[six, six, six, seven]));
    }
}
