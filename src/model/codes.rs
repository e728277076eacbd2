//! How a byte becomes binary decisions: the tree whose leaves are the 256 byte values
//! and whose paths are the bits the predictor predicts and the coder codes.
//!
//! The plain tree is the byte's eight bits, most significant first: every byte costs
//! eight predictions. A segment of text may instead be coded in a Huffman tree of its
//! own byte frequencies ([`ByteCodes::own`]): a letter of English text is reached in
//! about four to five decisions, so the per-decision work (every context, the mixers,
//! the network, the SSE chain) runs about 40% less often per byte of text, for a
//! little ratio. [`ByteCodes::suits`] decides per segment from its first bytes, and
//! the tree's description (the weight class of every byte, [`ByteCodes::classes`])
//! opens the segment's payload (see `FORMAT.md`).
//!
//! Either tree numbers its 255 inner nodes `1..=255`, the root `1`: everything the
//! predictor keys by the partial byte (order-0 states, mixer weight sets, SSE rows,
//! table slots) is keyed by the node instead, and the plain tree's node number *is*
//! the partial byte with its leading 1, so the plain tree codes as before.
//!
//! The fixed *text* tree, a Huffman code of the built-in priming text's byte counts
//! ([`super::prime`]), codes nothing: [`ByteCodes::suits`] measures with it how
//! English-like a segment's bytes are.

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

/// The longest path a tree may have: 18 decisions (the fixed text tree's rarest
/// bytes; a segment's own tree is flattened until it fits, [`ByteCodes::own`]).
pub const MAX_PATH: u32 = 18;

/// The largest weight class of a byte in a segment's own tree ([`ByteCodes::classes`]):
/// classes `1..=16` are coded in four bits.
pub const MAX_CLASS: u8 = 16;

/// The most decisions per byte, on average over a segment's first bytes in the fixed
/// text tree, for which [`ByteCodes::suits`] takes a tree of the segment's own: 6 of
/// the plain tree's 8.
///
/// Measured with the fast preset (2026-12-02): English prose averages 4.5 to 5.3
/// decisions per byte in the text tree, Wikipedia XML 5.6, and the text tree costs
/// it 1.6 to 2.8% more bytes for about 20% less time; C source (6.3) and HTML (7.1)
/// lost 4%, binary files (12 to 18) up to 68%.
pub const TEXT_MAX_AVERAGE: u32 = 6;

/// How many of a segment's first bytes [`ByteCodes::suits`] and [`ByteCodes::own`]
/// look at. A segment shorter than this keeps the plain tree: its own tree's
/// description (up to 161 bytes) would cost more than the tree saves, and the plain
/// tree codes a little smaller.
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

    /// The fixed text tree: a Huffman code of the priming text's byte counts, the
    /// yardstick of [`ByteCodes::suits`].
    pub fn text() -> &'static ByteCodes {
        static TEXT: OnceLock<ByteCodes> = OnceLock::new();
        TEXT.get_or_init(|| {
            let mut counts = [1u64; 256];
            for &c in super::prime::text(super::prime::MAX_BLOCKS) {
                counts[usize::from(c)] += 1;
            }
            huffman(&counts).expect("the priming text's tree is 18 decisions deep")
        })
    }

    /// Whether a segment whose first bytes are `data` is coded in a tree of its own
    /// ([`ByteCodes::own`]): when there are at least [`SAMPLE_LEN`] of them and they
    /// average at most [`TEXT_MAX_AVERAGE`] decisions per byte in the fixed text tree
    /// (English-like text).
    pub fn suits(data: &[u8]) -> bool {
        let Some(sample) = data.get(..SAMPLE_LEN) else {
            return false;
        };
        let text = ByteCodes::text();
        let decisions: u64 = sample.iter().map(|&b| u64::from(text.path(b).1)).sum();
        decisions <= u64::from(TEXT_MAX_AVERAGE) * sample.len() as u64
    }

    /// The weight class of every byte value in `sample`: 0 for a byte it does not
    /// hold, else `1 + floor(log2(count))`, at most [`MAX_CLASS`]. A tree's description.
    pub fn classes(sample: &[u8]) -> [u8; 256] {
        let mut counts = [0u32; 256];
        for &b in sample {
            counts[usize::from(b)] += 1;
        }
        counts.map(|c| match c {
            0 => 0,
            c => (32 - c.leading_zeros()).min(u32::from(MAX_CLASS)) as u8,
        })
    }

    /// The tree of weight classes `classes`: the Huffman tree ([`huffman`]) in which
    /// byte `b` weighs `2^classes[b]` (1 for class 0). `None` if a class is above
    /// [`MAX_CLASS`] or a path would be longer than [`MAX_PATH`].
    pub fn from_classes(classes: &[u8; 256]) -> Option<ByteCodes> {
        if classes.iter().any(|&k| k > MAX_CLASS) {
            return None;
        }
        huffman(&classes.map(|k| 1u64 << k))
    }

    /// A tree of `data`'s own byte frequencies (over its first [`SAMPLE_LEN`] bytes),
    /// with the weight classes it is built from: [`ByteCodes::classes`], each halved
    /// (rounding up) until no path is longer than [`MAX_PATH`] (at class 1 for every
    /// byte present the tree is at most 9 deep, so this ends).
    pub fn own(data: &[u8]) -> ([u8; 256], ByteCodes) {
        fitted(ByteCodes::classes(&data[..data.len().min(SAMPLE_LEN)]))
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

/// The tree of weight classes `classes`, halved (rounding up) until no path is longer
/// than [`MAX_PATH`], with the classes it took ([`ByteCodes::own`]).
fn fitted(mut classes: [u8; 256]) -> ([u8; 256], ByteCodes) {
    loop {
        if let Some(tree) = ByteCodes::from_classes(&classes) {
            return (classes, tree);
        }
        classes = classes.map(|k| k.div_ceil(2));
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
/// `None` if a path would be longer than [`MAX_PATH`].
pub fn huffman(counts: &[u64; 256]) -> Option<ByteCodes> {
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
        if len >= MAX_PATH {
            return None;
        }
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
    Some(ByteCodes {
        next,
        paths,
        plain: false,
    })
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
        let equal = huffman(&[1; 256]).expect("8 deep");
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
        let s = huffman(&skewed).expect("9 deep");
        check_tree(&s);
        // The heaviest leaf is the root's 1-branch: one decision.
        assert_eq!(s.path(7), (0b11, 1));
        assert_eq!(s.next(1, 1), 256 + 7);
        assert_eq!(s.next(1, 0), 2);
    }

    #[test]
    fn suits_takes_english_and_leaves_binary_short_and_empty_data() {
        let text = super::super::prime::text(1);
        assert!(ByteCodes::suits(text));
        assert!(!ByteCodes::suits(b"the cat sat on the mat"), "too short");
        assert!(!ByteCodes::suits(&text[..SAMPLE_LEN - 1]), "one byte short");
        assert!(ByteCodes::suits(&text[..SAMPLE_LEN]));
        assert!(!ByteCodes::suits(&[]));
        assert!(!ByteCodes::suits(&[0u8; SAMPLE_LEN]));
        let all: Vec<u8> = (0..=255u8).cycle().take(SAMPLE_LEN).collect();
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
        assert!(ByteCodes::suits(&[six; SAMPLE_LEN]));
        assert!(!ByteCodes::suits(&[seven; SAMPLE_LEN]));
        let mut mixed = vec![six; SAMPLE_LEN];
        mixed[SAMPLE_LEN - 1] = seven;
        assert!(!ByteCodes::suits(&mixed));
    }

    #[test]
    fn classes_are_the_log_of_each_count() {
        let mut sample = vec![b'a'; 1];
        sample.extend([b'b'; 2]);
        sample.extend([b'c'; 3]);
        sample.extend([b'd'; 4]);
        sample.extend(vec![b'e'; 1 << 15]);
        sample.extend(vec![b'f'; (1 << 16) - 1]);
        let k = ByteCodes::classes(&sample);
        assert_eq!(
            [b'a', b'b', b'c', b'd', b'e', b'f', b'g', 0].map(|b| k[usize::from(b)]),
            [1, 2, 2, 3, 16, 16, 0, 0]
        );
        assert_eq!(k.iter().filter(|&&c| c != 0).count(), 6);
        let big = vec![b'z'; 1 << 17];
        assert_eq!(ByteCodes::classes(&big)[usize::from(b'z')], MAX_CLASS);
    }

    #[test]
    fn an_own_tree_gives_frequent_bytes_short_paths_and_round_trips_its_classes() {
        let text = super::super::prime::text(1);
        let (classes, own) = ByteCodes::own(text);
        check_tree(&own);
        assert!(!own.is_plain());
        assert_eq!(classes, ByteCodes::classes(&text[..SAMPLE_LEN]));
        assert_eq!(ByteCodes::from_classes(&classes).as_ref(), Some(&own));
        // Under five decisions a byte, within 2% of the fixed text tree, which is
        // built from the exact counts of this text and more.
        let cost = |t: &ByteCodes| text.iter().map(|&b| t.path(b).1).sum::<u32>();
        assert!(cost(&own) < 5 * text.len() as u32);
        assert!(cost(&own) < cost(ByteCodes::text()) * 102 / 100);
        assert!(own.path(b' ').1 <= 3, "{:?}", own.path(b' '));
        // A class above the largest is refused; the largest is taken (one byte at
        // class 16 over 255 absent ones: one decision for it, 9 for the rest).
        let mut bad = classes;
        bad[0] = MAX_CLASS + 1;
        assert_eq!(ByteCodes::from_classes(&bad), None);
        let mut one = [0u8; 256];
        one[usize::from(b'a')] = MAX_CLASS;
        let t = ByteCodes::from_classes(&one).expect("9 deep");
        assert_eq!(t.path(b'a').1, 1);
        assert_eq!((0..=255u8).map(|b| t.path(b).1).max(), Some(9));
    }

    #[test]
    fn an_own_tree_too_deep_is_refused_and_flattened() {
        // Bytes 0..16 at classes 1 to 16 (weights doubling: a chain of one join per
        // class) under 240 bytes of class 16: far deeper than MAX_PATH.
        let classes: [u8; 256] =
            std::array::from_fn(|b| (b as u8).saturating_add(1).min(MAX_CLASS));
        assert_eq!(ByteCodes::from_classes(&classes), None, "too deep");
        let (flat, tree) = fitted(classes);
        check_tree(&tree);
        assert_eq!(ByteCodes::from_classes(&flat).as_ref(), Some(&tree));
        // Halved (rounding up) as often as it took, and no more: one halving less
        // is still too deep.
        let mut halved = classes;
        let mut before = classes;
        while halved != flat {
            assert!(halved.iter().any(|&k| k > 1), "halving ends at class 1");
            before = halved;
            halved = halved.map(|k| k.div_ceil(2));
        }
        assert_ne!(before, flat);
        assert_eq!(ByteCodes::from_classes(&before), None);
        // Every byte present at class 1 (weights 2 and 1): the plain tree's depth.
        let ones = ByteCodes::from_classes(&[1; 256]).expect("balanced");
        assert!((0..=255u8).all(|b| ones.path(b).1 == 8));
        // A tree that fits is kept as it is.
        let text = super::super::prime::text(1);
        let k = ByteCodes::classes(text);
        assert_eq!(fitted(k).0, k);
    }
}
