//! Scratch prototype for issue 8: the same lean context mixer over two binarizations
//! of a byte, the plain 8-bit tree or a Huffman tree (fewer coded decisions per byte).
//! Every decision hashes (context, node) to its own adaptive counter, so the two
//! differ only in the tree. Round-trips every run (panics if the decoder disagrees).
//!
//! `binarize FILE ORDERS MODE TABLE_BITS`, for example `binarize book1 2,4 huff 22`:
//! - `plain`: the 8-bit tree;
//! - `huff`: a Huffman tree from the file's byte counts (what an encoder could send in
//!   the header); `huff-first:N` from its first N bytes; `huff-from:PATH` from
//!   another file's; `huff-adaptive` from the counts so far, rebuilt at every power of
//!   two from 256 bytes to 64 KiB.
//!
//! `LR` (default 6) sets the mixer's learning rate. Not nnzip's model: orders, a word
//! context, order 0, the match model, one mixer chosen by node and match length, one
//! APM on (node, last byte).
use nnzip::coder::{Decoder, Encoder};
use std::time::Instant;

const N: usize = 12;

fn squash_tab() -> Vec<i32> {
    (0..4096)
        .map(|i| {
            let x = (i as f64 - 2048.0) / 256.0;
            ((4096.0 / (1.0 + (-x).exp())) as i32).clamp(1, 4095)
        })
        .collect()
}
fn stretch_tab(sq: &[i32]) -> Vec<i32> {
    let mut st = vec![2047; 4096];
    let mut pi = 0;
    for x in -2047..=2047i32 {
        let v = sq[(x + 2048) as usize] as usize;
        for j in pi..=v {
            st[j] = x;
        }
        pi = v + 1;
    }
    st
}

/// A binary code for bytes: internal nodes 0.. (root 0); child[node][bit] >= 0 is a
/// node, < 0 is the leaf -1 - byte.
struct Tree {
    child: Vec<[i32; 2]>,
    path: Vec<Vec<(u16, u8)>>,
}
impl Tree {
    fn plain() -> Tree {
        // node = c0 - 1 (c0 in 1..=255)
        let mut child = vec![[0i32; 2]; 255];
        for c0 in 1..256usize {
            for b in 0..2 {
                let n = c0 * 2 + b;
                child[c0 - 1][b] = if n >= 256 {
                    -1 - (n as i32 - 256)
                } else {
                    n as i32 - 1
                };
            }
        }
        Tree::with_paths(child)
    }
    fn with_paths(child: Vec<[i32; 2]>) -> Tree {
        let mut path = vec![Vec::new(); 256];
        fn walk(
            ch: &[[i32; 2]],
            n: usize,
            pre: &mut Vec<(u16, u8)>,
            out: &mut Vec<Vec<(u16, u8)>>,
        ) {
            for b in 0..2 {
                pre.push((n as u16, b as u8));
                let c = ch[n][b];
                if c >= 0 {
                    walk(ch, c as usize, pre, out)
                } else {
                    out[(-1 - c) as usize] = pre.clone();
                }
                pre.pop();
            }
        }
        walk(&child, 0, &mut Vec::new(), &mut path);
        Tree { child, path }
    }
    fn huffman(counts: &[u64; 256]) -> Tree {
        // deterministic: ties by index
        let mut items: Vec<(u64, i32)> = (0..256).map(|b| (counts[b], -1 - b as i32)).collect();
        let mut child: Vec<[i32; 2]> = Vec::new();
        while items.len() > 1 {
            items.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
            let a = items.pop().unwrap();
            let b = items.pop().unwrap();
            child.push([a.1, b.1]);
            items.push((a.0 + b.0, 1_000_000 + child.len() as i32 - 1));
        }
        // renumber so that root is 0
        let m = child.len();
        let map = |x: i32| {
            if x >= 1_000_000 {
                (m - 1 - (x - 1_000_000) as usize) as i32
            } else {
                x
            }
        };
        let mut ch2 = vec![[0i32; 2]; m];
        for (i, c) in child.iter().enumerate() {
            ch2[m - 1 - i] = [map(c[0]), map(c[1])];
        }
        Tree::with_paths(ch2)
    }
}

struct M {
    sq: Vec<i32>,
    st: Vec<i32>,
    rec: Vec<u32>,
    nctx: usize,
    orders: Vec<u32>,
    table: Vec<u32>,
    mask: usize,
    h: [u32; N],
    idx: [usize; N],
    x: [i32; N],
    w: Vec<i32>,
    wsel: usize,
    pr_mix: i32,
    o0: Vec<u32>,
    msm: Vec<u32>,
    midx: usize,
    apm: Vec<u16>,
    aidx: usize,
    hist: Vec<u8>,
    c4: u64,
    wordh: u32,
    mtab: Vec<u32>,
    mptr: usize,
    mlen: u32,
    mok: bool,
    lr: i32,
}
impl M {
    fn new(orders: Vec<u32>, bits: u32) -> M {
        let sq = squash_tab();
        let st = stretch_tab(&sq);
        let nctx = orders.len() + 1;
        let mut w = vec![0i32; 256 * 4 * N];
        for s in 0..256 * 4 {
            for i in 0..nctx + 2 {
                w[s * N + i] = 65536 / 4;
            }
        }
        let mut apm = vec![0u16; 256 * 256 * 33];
        for c in 0..256 * 256 {
            for j in 0..33 {
                apm[c * 33 + j] =
                    (sq[((j as i32 - 16) * 128).clamp(-2047, 2047) as usize + 2048] * 16) as u16;
            }
        }
        M {
            rec: (0..1024)
                .map(|n| (65536.0 / (n as f64 + 1.5)) as u32)
                .collect(),
            sq,
            st,
            nctx,
            orders,
            table: vec![1 << 31; 1 << bits],
            mask: (1 << bits) - 1,
            h: [0; N],
            idx: [0; N],
            x: [0; N],
            w,
            wsel: 0,
            pr_mix: 2048,
            o0: vec![1 << 31; 256],
            msm: vec![1 << 31; 128],
            midx: 0,
            apm,
            aidx: 0,
            hist: Vec::new(),
            c4: 0,
            wordh: 0,
            mtab: vec![0; 1 << 20],
            mptr: 0,
            mlen: 0,
            mok: false,
            lr: std::env::var("LR").map(|v| v.parse().unwrap()).unwrap_or(6),
        }
    }
    fn byte_update(&mut self, c: u8) {
        self.hist.push(c);
        self.c4 = self.c4 << 8 | c as u64;
        let n = self.hist.len();
        if self.mlen > 0 && self.hist[self.mptr] == c {
            self.mlen += 1;
            self.mptr += 1;
        } else {
            self.mlen = 0;
        }
        if n >= 6 {
            let hh =
                ((self.c4 & 0xffff_ffff_ffff).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 44) as usize;
            if self.mlen == 0 {
                let p = self.mtab[hh] as usize;
                if p > 0 {
                    self.mptr = p;
                    self.mlen = 1;
                }
            }
            self.mtab[hh] = n as u32;
        }
        if c.is_ascii_alphabetic() {
            self.wordh = (self.wordh ^ (c | 32) as u32).wrapping_mul(0x0100_0193);
        } else {
            self.wordh = 0;
        }
        for (i, &o) in self.orders.iter().enumerate() {
            let m = if o >= 8 {
                u64::MAX
            } else {
                (1u64 << (8 * o)) - 1
            };
            self.h[i] = (((self.c4 & m).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as u32)
                ^ (i as u32) << 28;
        }
        let k = self.orders.len();
        self.h[k] =
            self.wordh.wrapping_mul(0x2545_F491) ^ (self.c4 as u32 & 0xff) << 24 ^ 0x7000_0000;
        self.mok = self.mlen > 0;
    }
    /// p1 for decision at `node`; `mbit` = the match's bit here if it still agrees.
    fn p(&mut self, node: usize, mbit: Option<u32>) -> u32 {
        for i in 0..self.nctx {
            let j = ((self.h[i] ^ (node as u32 + 1).wrapping_mul(0x2f0b_3c47))
                .wrapping_mul(0x9E37_79B1)
                >> 8) as usize
                & self.mask;
            self.idx[i] = j;
            self.x[i] = self.st[(self.table[j] >> 20) as usize];
        }
        let k = self.nctx;
        self.x[k] = self.st[(self.o0[node] >> 20) as usize];
        self.midx = match mbit {
            Some(b) => (self.mlen.min(31) as usize).max(1) * 2 + b as usize,
            None => 0,
        };
        self.x[k + 1] = if self.midx == 0 {
            0
        } else {
            self.st[(self.msm[self.midx] >> 20) as usize]
        };
        self.x[k + 2] = 256;
        let lb = if mbit.is_none() {
            0
        } else if self.mlen < 16 {
            1
        } else if self.mlen < 32 {
            2
        } else {
            3
        };
        self.wsel = (lb * 256 + node) * N;
        let w = &self.w[self.wsel..self.wsel + N];
        let mut dot = 0i64;
        for i in 0..N {
            dot += self.x[i] as i64 * w[i] as i64;
        }
        self.pr_mix = self.sq[((dot >> 16) as i32).clamp(-2047, 2047) as usize + 2048];
        let s = self.st[self.pr_mix as usize] + 2048;
        let lo = (s >> 7) as usize;
        let wt = s & 127;
        let ctx = (node | (self.c4 as usize & 0xff) << 8) * 33 + lo;
        self.aidx = ctx + (wt >> 6) as usize;
        let pa = (self.apm[ctx] as i32 * (128 - wt) + self.apm[ctx + 1] as i32 * wt) >> 11;
        let pr = (self.pr_mix + 3 * pa) >> 2;
        (pr.clamp(1, 4095) as u32) << 4
    }
    fn upd(rec: &[u32], v: &mut u32, y: u32, limit: u32) {
        let n = *v & 1023;
        let p = (*v >> 10) as i64;
        let np = p + (((((y as i64) << 22) - p) * rec[n as usize] as i64) >> 16);
        *v = ((np as u32) << 10) | if n < limit { n + 1 } else { n };
    }
    fn update(&mut self, node: usize, y: u32) {
        let e = (((y as i32) << 12) - self.pr_mix) * self.lr;
        let w = &mut self.w[self.wsel..self.wsel + N];
        for i in 0..N {
            w[i] += (self.x[i] * e) >> 14;
        }
        for i in 0..self.nctx {
            Self::upd(&self.rec, &mut self.table[self.idx[i]], y, 127);
        }
        Self::upd(&self.rec, &mut self.o0[node], y, 255);
        if self.midx != 0 {
            Self::upd(&self.rec, &mut self.msm[self.midx], y, 1023);
        }
        let g = ((y << 16) + (y << 5) - y - y) as i32;
        let a = &mut self.apm[self.aidx];
        *a = (*a as i32 + ((g - *a as i32) >> 6)) as u16;
    }
}

struct Coding {
    tree: Tree,
    counts: [u64; 256],
    huff: bool,
    n: usize,
    decisions: u64,
}
impl Coding {
    fn new(mode: &str, data: &[u8]) -> Coding {
        let fixed = |src: &[u8]| {
            let mut counts = [1u64; 256];
            for &c in src {
                counts[c as usize] += 1;
            }
            Coding {
                tree: Tree::huffman(&counts),
                counts,
                huff: false,
                n: 0,
                decisions: 0,
            }
        };
        match mode {
            "plain" => Coding {
                tree: Tree::plain(),
                counts: [1; 256],
                huff: false,
                n: 0,
                decisions: 0,
            },
            "huff-adaptive" => Coding {
                tree: Tree::plain(),
                counts: [1; 256],
                huff: true,
                n: 0,
                decisions: 0,
            },
            "huff" => fixed(data),
            m if m.starts_with("huff-first:") => {
                fixed(&data[..data.len().min(m[11..].parse().expect("N"))])
            }
            m if m.starts_with("huff-from:") => fixed(&std::fs::read(&m[10..]).expect("PATH")),
            m => panic!("unknown mode {m}"),
        }
    }
    fn after_byte(&mut self, c: u8) {
        self.counts[c as usize] += 1;
        self.n += 1;
        if self.huff && self.n.is_power_of_two() && self.n >= 256 && self.n <= 65536 {
            self.tree = Tree::huffman(&self.counts);
        }
    }
    fn match_bit(&self, m: &M, node: usize, depth: usize) -> Option<u32> {
        if !m.mok {
            return None;
        }
        let pb = m.hist[m.mptr] as usize;
        let p = &self.tree.path[pb];
        if depth < p.len() && p[depth].0 as usize == node {
            Some(p[depth].1 as u32)
        } else {
            None
        }
    }
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let data = std::fs::read(&a[1]).unwrap();
    let orders: Vec<u32> = a[2].split(',').map(|s| s.parse().unwrap()).collect();
    let mode = a[3].as_str();
    let bits: u32 = a[4].parse().unwrap();
    let t0 = Instant::now();
    let (mut m, mut cd) = (M::new(orders.clone(), bits), Coding::new(mode, &data));
    let mut enc = Encoder::new();
    for &c in &data {
        let path = &cd.tree.path[c as usize];
        let mut agree = true;
        for (d, &(node, b)) in path.iter().enumerate() {
            let mb = if agree {
                cd.match_bit(&m, node as usize, d)
            } else {
                None
            };
            if mb.is_none() {
                agree = false;
            }
            let p = m.p(node as usize, mb);
            enc.encode_bit(p, b != 0);
            m.update(node as usize, b as u32);
        }
        cd.decisions += path.len() as u64;
        m.byte_update(c);
        cd.after_byte(c);
    }
    let out = enc.finish();
    let te = t0.elapsed().as_secs_f64();
    let decisions = cd.decisions;
    let t1 = Instant::now();
    let (mut m, mut cd) = (M::new(orders, bits), Coding::new(mode, &data));
    let mut dec = Decoder::new(&out).unwrap();
    let mut back = Vec::with_capacity(data.len());
    for _ in 0..data.len() {
        let mut node = 0usize;
        let mut d = 0;
        let mut agree = true;
        let c = loop {
            let mb = if agree {
                cd.match_bit(&m, node, d)
            } else {
                None
            };
            if mb.is_none() {
                agree = false;
            }
            let p = m.p(node, mb);
            let y = dec.decode_bit(p) as u32;
            m.update(node, y);
            d += 1;
            let ch = cd.tree.child[node][y as usize];
            if ch < 0 {
                break (-1 - ch) as u8;
            }
            node = ch as usize;
        };
        m.byte_update(c);
        cd.after_byte(c);
        back.push(c);
    }
    let td = t1.elapsed().as_secs_f64();
    assert!(back == data, "round trip failed");
    let depth = cd.tree.path.iter().map(|p| p.len()).max().unwrap();
    println!(
        "maxdepth {depth} {} {} {} B {:.3} bpc {:.2} decisions/byte enc {:.2}s dec {:.2}s",
        a[1].rsplit('/').next().unwrap(),
        a[3],
        out.len(),
        out.len() as f64 * 8.0 / data.len() as f64,
        decisions as f64 / data.len() as f64,
        te,
        td
    );
}
