//! The LZW encoder of ncompress 4.2.4 (`compress`) as a state machine: input bytes in,
//! code bits out, through caller-owned buffers. It writes no header and does no I/O.
//!
//! What must match `compress` bit for bit, and why it is done this way here:
//!
//! - Codes start at 9 bits. The width grows when the entry just added is `2^n`
//!   (the next code could name it), and stops growing at `max_bits`; the table then
//!   holds `2^max_bits` entries and no more are added.
//! - Codes are written LSB first in groups of 8 codes (`n` bytes). When the width
//!   changes, and after a CLEAR, the rest of the current group is padded with zero bits,
//!   because `compress -d` reads whole groups. The origin of the groups is the first bit
//!   after the header and then the point of the last padding.
//! - Adaptive reset: once the table is full, at the first code boundary at or after
//!   every 10 000th input byte (counted from the previous check), the ratio
//!   `input bytes * 256 / output bytes` (output with header and padding, whole bytes) is
//!   compared with the one of the previous check. If it dropped, CLEAR (256) is written
//!   and a new table starts. Widths and checks are only applied when another input byte
//!   follows, exactly as `compress` does; at the end the last code keeps the width it had.
//!
//! The dictionary is built for the one thing that limits speed: every input byte needs
//! a table lookup, and each lookup costs a memory latency. Strings of two bytes are
//! found in a direct table (`roots`, 128 KiB); longer ones in an open-addressing hash
//! table with linear probing whose 2^17 slots (load at most 1/2) hold only the 16-bit
//! code, checked against the code's key (`prefix << 8 | byte`) in `keys`. The whole
//! dictionary (640 KiB) stays in a core's L2 cache. The hash is of the string's bytes
//! (a multiply-xor chain with a random odd multiplier per encoder), not of its prefix
//! code: the slot for the next byte is then known before the current lookup finishes,
//! and the processor overlaps the lookups of one string (2x faster on long strings).

use super::{check_max_bits, LzwError, CLEAR, HEADER_LEN};
use crate::boxed::boxed_array;

/// First code of a new table (256 is CLEAR).
const FIRST: u32 = 257;
/// Code width at the start and after every CLEAR.
const INIT_BITS: u32 = 9;
/// Input bytes between two ratio checks once the table is full.
const CHECK_GAP: u64 = 10_000;

const HASH_BITS: u32 = 17;
const HASH_LEN: usize = 1 << HASH_BITS;
const HASH_MASK: usize = HASH_LEN - 1;

/// Output room the fast path keeps free at every code boundary: between two of them at
/// most one code (3 bytes), a width-change padding (up to 15 bytes), a CLEAR code and
/// its padding (up to 18 bytes) are written.
const MARGIN: usize = 64;

/// Bytes buffered inside the encoder when the caller's output buffer is small.
const SPILL_LEN: usize = 2 * MARGIN + 32;

/// An LZW encoder producing `compress`-compatible code bits (without the `.Z` header;
/// see [`super::Header`] and [`super::LzwEncoder`] for that).
///
/// Feed input with [`Encoder::encode`], then call [`Encoder::finish`] until it reports
/// that it is done. Memory use is fixed (about 640 KiB).
///
/// ```
/// use nnzip::lzw::{Encoder, Header};
///
/// let mut enc = Encoder::new(16)?;
/// let mut out = Header::new(16)?.to_bytes().to_vec();
/// let mut buf = [0u8; 256];
/// let data = b"abababababababab";
/// let (consumed, written) = enc.encode(data, &mut buf);
/// assert_eq!(consumed, data.len());
/// out.extend_from_slice(&buf[..written]);
/// loop {
///     let (written, done) = enc.finish(&mut buf);
///     out.extend_from_slice(&buf[..written]);
///     if done {
///         break;
///     }
/// }
/// assert_eq!(nnzip::lzw::decompress_bytes(&out)?, data);
/// # Ok::<(), nnzip::lzw::LzwError>(())
/// ```
pub struct Encoder {
    dict: Dict,
    st: State,
    spill: [u8; SPILL_LEN],
    spill_pos: usize,
    spill_len: usize,
}

/// The string table: `prefix << 8 | byte` to code.
struct Dict {
    /// Codes of the two-byte strings, indexed by their key; 0 when absent.
    roots: Box<[u16; 1 << 16]>,
    /// Hash slots of the longer strings: their code, 0 when empty.
    slots: Box<[u16; HASH_LEN]>,
    /// The key of each code in `slots`.
    keys: Box<[u32; 1 << 16]>,
    /// Odd multiplier of the hash, drawn at random for every encoder: the output does not
    /// depend on it, and input crafted to pile keys into one probe run cannot be made
    /// in advance.
    hash_mul: u32,
}

impl Dict {
    fn new() -> Self {
        Dict {
            roots: boxed_array(0),
            slots: boxed_array(0),
            keys: boxed_array(0),
            hash_mul: random_odd(),
        }
    }

    fn clear(&mut self) {
        self.roots.fill(0);
        self.slots.fill(0);
    }
}

fn random_odd() -> u32 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u32(0x9e37_79b1);
    (h.finish() >> 32) as u32 | 1
}

/// Everything but the table, so that both can be borrowed at once.
#[derive(Debug)]
struct State {
    max_bits: u32,
    /// Codes below this may be added to the table (`2^max_bits`).
    max_max_code: u32,
    n_bits: u32,
    /// The next code to assign. Counts one past the table when `max_bits` is 9, see
    /// [`State::width_step`].
    free_ent: u32,
    /// When `free_ent` reaches this, the width grows or the table is full.
    ext_code: u32,
    table_full: bool,
    /// Ratio (input/output, 8 fractional bits) at the last check, as `compress` keeps it.
    ratio: i32,
    checkpoint: u64,
    /// Input bytes consumed so far (the current prefix included).
    bytes_in: u64,
    /// The code of the longest prefix matched so far (the pending code).
    ent: u32,
    /// Hash of the string of `ent` (when it is not a single byte), see [`extend`].
    ent_hash: u32,
    started: bool,
    finishing: bool,
    /// Output bits not yet written as whole bytes (fewer than 8 between calls).
    acc: u64,
    acc_bits: u32,
    /// Bytes written so far (whole bytes, header not included).
    bytes_out: u64,
    /// Output position, in bits, where the current 8-code group started.
    group_origin: u64,
}

impl std::fmt::Debug for Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Encoder")
            .field("state", &self.st)
            .finish_non_exhaustive()
    }
}

impl Encoder {
    /// A new encoder with codes of at most `max_bits` bits.
    ///
    /// # Errors
    /// [`LzwError::MaxBits`] unless `max_bits` is in 9..=16.
    pub fn new(max_bits: u8) -> Result<Self, LzwError> {
        check_max_bits(max_bits)?;
        Ok(Encoder {
            dict: Dict::new(),
            st: State {
                max_bits: u32::from(max_bits),
                max_max_code: 1 << max_bits,
                n_bits: INIT_BITS,
                free_ent: FIRST,
                ext_code: (1 << INIT_BITS) + 1,
                table_full: false,
                ratio: 0,
                checkpoint: CHECK_GAP,
                bytes_in: 0,
                ent: 0,
                ent_hash: 0,
                started: false,
                finishing: false,
                acc: 0,
                acc_bits: 0,
                bytes_out: 0,
                group_origin: 0,
            },
            spill: [0; SPILL_LEN],
            spill_pos: 0,
            spill_len: 0,
        })
    }

    /// Input bytes consumed so far.
    pub fn bytes_in(&self) -> u64 {
        self.st.bytes_in
    }

    /// Compresses bytes from `inp` into `out`; returns `(consumed, written)`.
    ///
    /// Consumes all of `inp` unless `out` fills up; makes progress whenever `inp` and
    /// `out` are both non-empty (a small `out` is served from an internal buffer).
    ///
    /// # Panics
    /// If called after [`Encoder::finish`].
    pub fn encode(&mut self, inp: &[u8], out: &mut [u8]) -> (usize, usize) {
        assert!(!self.st.finishing, "Encoder::encode called after finish");
        let mut written = self.drain_spill(out);
        if self.spill_pos < self.spill_len || inp.is_empty() {
            return (0, written);
        }
        let rest = &mut out[written..];
        if rest.len() >= MARGIN {
            let (consumed, w) = self.st.encode_into(&mut self.dict, inp, rest);
            return (consumed, written + w);
        }
        if rest.is_empty() {
            return (0, written);
        }
        let (consumed, w) = self.st.encode_into(&mut self.dict, inp, &mut self.spill);
        self.spill_pos = 0;
        self.spill_len = w;
        written += self.drain_spill(&mut out[written..]);
        (consumed, written)
    }

    /// Ends the stream: writes the last code and the final partial byte into `out`.
    /// Returns `(written, done)`; call again with more room until `done`.
    pub fn finish(&mut self, out: &mut [u8]) -> (usize, bool) {
        if !self.st.finishing {
            self.st.finishing = true;
            // Keep what is still buffered in front of the last bytes.
            let pending = self.spill_len - self.spill_pos;
            self.spill.copy_within(self.spill_pos..self.spill_len, 0);
            let mut o = 0;
            self.st.finish_into(&mut self.spill[pending..], &mut o);
            self.spill_pos = 0;
            self.spill_len = pending + o;
        }
        let written = self.drain_spill(out);
        (written, self.spill_pos == self.spill_len)
    }

    fn drain_spill(&mut self, out: &mut [u8]) -> usize {
        let n = (self.spill_len - self.spill_pos).min(out.len());
        out[..n].copy_from_slice(&self.spill[self.spill_pos..self.spill_pos + n]);
        self.spill_pos += n;
        n
    }
}

impl State {
    /// The fast path; `out` must have at least `MARGIN` bytes.
    fn encode_into(&mut self, dict: &mut Dict, inp: &[u8], out: &mut [u8]) -> (usize, usize) {
        debug_assert!(out.len() >= MARGIN);
        let mut i = 0;
        if !self.started {
            self.started = true;
            self.ent = u32::from(inp[0]);
            self.bytes_in = 1;
            i = 1;
        }
        let mut o = 0;
        let base = self.bytes_in - i as u64;
        let mut ent = self.ent;
        let mut ent_hash = self.ent_hash;
        let mut free_ent = self.free_ent;
        let mut acc = self.acc;
        let mut acc_bits = self.acc_bits;
        let mut n_bits = self.n_bits;
        let mut adding = !self.table_full;
        let mut limit = self.next_event_limit();
        let max_max_code = self.max_max_code;
        let hash_mul = dict.hash_mul;

        // Writes the pending code `ent` (at most 2 whole bytes leave `acc`).
        macro_rules! emit {
            () => {
                acc |= u64::from(ent) << acc_bits;
                acc_bits += n_bits;
                out[o..o + 4].copy_from_slice(&(acc as u32).to_le_bytes());
                let whole = acc_bits >> 3;
                o += whole as usize;
                acc >>= whole * 8;
                acc_bits &= 7;
            };
        }

        while i < inp.len() {
            let c = u32::from(inp[i]);
            if ent < 256 {
                // A code boundary: `compress` applies widths, checks and resets only here.
                if out.len() - o < MARGIN {
                    break;
                }
                if free_ent >= limit || (!adding && base + i as u64 >= self.checkpoint) {
                    self.acc = acc;
                    self.acc_bits = acc_bits;
                    self.free_ent = free_ent;
                    self.bytes_in = base + i as u64;
                    self.boundary(dict, out, &mut o);
                    acc = self.acc;
                    acc_bits = self.acc_bits;
                    free_ent = self.free_ent;
                    n_bits = self.n_bits;
                    adding = !self.table_full;
                    limit = self.next_event_limit();
                }
                i += 1;
                let key = ((ent << 8) | c) as u16;
                let code = dict.roots[usize::from(key)];
                if code != 0 {
                    ent_hash = extend(ent + 1, c, hash_mul);
                    ent = u32::from(code);
                    continue;
                }
                emit!();
                if adding {
                    if free_ent < max_max_code {
                        dict.roots[usize::from(key)] = free_ent as u16;
                    }
                    free_ent += 1;
                }
                ent = c;
                continue;
            }
            i += 1;
            let key = (ent << 8) | c;
            ent_hash = extend(ent_hash, c, hash_mul);
            let mut h = (ent_hash >> (32 - HASH_BITS)) as usize;
            loop {
                let code = dict.slots[h];
                if code == 0 {
                    emit!();
                    if adding {
                        if free_ent < max_max_code {
                            dict.slots[h] = free_ent as u16;
                            dict.keys[free_ent as u16 as usize] = key;
                        }
                        free_ent += 1;
                    }
                    ent = c;
                    break;
                }
                if dict.keys[usize::from(code)] == key {
                    ent = u32::from(code);
                    break;
                }
                h = (h + 1) & HASH_MASK;
            }
        }
        self.ent = ent;
        self.ent_hash = ent_hash;
        self.free_ent = free_ent;
        self.acc = acc;
        self.acc_bits = acc_bits;
        self.bytes_in = base + i as u64;
        self.bytes_out += o as u64;
        (i, o)
    }

    /// The last code and the final partial byte; `out` needs room for 20 bytes.
    fn finish_into(&mut self, out: &mut [u8], o: &mut usize) {
        if self.started {
            if self.max_bits == INIT_BITS && !self.table_full && self.free_ent >= self.ext_code {
                // The widening of the 9-bit mode must come before the last code too: the
                // decoder widens before reading it (see `width_step`).
                self.width_step(out, o);
            }
            self.put_code(out, o, self.ent, self.n_bits);
        }
        if self.acc_bits > 0 {
            out[*o] = self.acc as u8;
            *o += 1;
            self.acc = 0;
            self.acc_bits = 0;
        }
        self.bytes_out += *o as u64;
    }

    /// The value of `free_ent` at which [`State::boundary`] has work to do (apart from
    /// ratio checks): `ext_code`, or never once the table is full.
    fn next_event_limit(&self) -> u32 {
        if self.table_full {
            u32::MAX
        } else {
            self.ext_code
        }
    }

    /// What `compress` does at a code boundary before it reads the next byte: widen
    /// the codes or close the table, then the ratio check (and perhaps a CLEAR).
    fn boundary(&mut self, dict: &mut Dict, out: &mut [u8], o: &mut usize) {
        if !self.table_full && self.free_ent >= self.ext_code {
            self.width_step(out, o);
        }
        if self.table_full && self.bytes_in >= self.checkpoint {
            self.checkpoint = self.bytes_in + CHECK_GAP;
            let bytes_in = self.bytes_in as i64;
            let bytes_out = ((HEADER_LEN as u64 * 8 + self.bits_out(*o)) >> 3) as i64;
            let rat: i64 = if bytes_in > 0x007f_ffff {
                // `compress` avoids the overflow of `bytes_in << 8` this way.
                match bytes_out >> 8 {
                    0 => 0x7fff_ffff,
                    d => bytes_in / d,
                }
            } else {
                (bytes_in << 8) / bytes_out
            };
            if rat >= i64::from(self.ratio) {
                // Truncation as in `compress`, which keeps the ratio in an `int`.
                self.ratio = rat as i32;
            } else {
                self.ratio = 0;
                dict.clear();
                self.put_code(out, o, CLEAR, self.n_bits);
                self.pad(out, o);
                self.n_bits = INIT_BITS;
                self.ext_code = (1 << INIT_BITS) + 1;
                self.free_ent = FIRST;
                self.table_full = false;
            }
        }
    }

    /// The table has reached `ext_code`: the codes grow by one bit, or the table is full.
    fn width_step(&mut self, out: &mut [u8], o: &mut usize) {
        if self.n_bits < self.max_bits {
            self.pad(out, o);
            self.n_bits += 1;
            self.ext_code = if self.n_bits < self.max_bits {
                (1 << self.n_bits) + 1
            } else {
                1 << self.n_bits
            };
        } else {
            if self.max_bits == INIT_BITS {
                // With `-b 9` the decoders of ncompress 4.2 and gzip still widen the codes
                // to 10 bits when their table (511 entries) is full, one code after the
                // last entry. ncompress 4.2's own encoder adds a 512th entry instead and
                // stays at 9 bits, which nothing decodes; we follow the decoders.
                self.pad(out, o);
                self.n_bits = INIT_BITS + 1;
            }
            self.table_full = true;
        }
    }

    /// Output bits so far, given `o` bytes written in the current call.
    fn bits_out(&self, o: usize) -> u64 {
        (self.bytes_out + o as u64) * 8 + u64::from(self.acc_bits)
    }

    fn put_code(&mut self, out: &mut [u8], o: &mut usize, code: u32, n_bits: u32) {
        self.acc |= u64::from(code) << self.acc_bits;
        self.acc_bits += n_bits;
        self.flush_whole_bytes(out, o);
    }

    fn flush_whole_bytes(&mut self, out: &mut [u8], o: &mut usize) {
        while self.acc_bits >= 8 {
            out[*o] = self.acc as u8;
            *o += 1;
            self.acc >>= 8;
            self.acc_bits -= 8;
        }
    }

    /// Zero bits up to the end of the current 8-code group, which then starts anew.
    fn pad(&mut self, out: &mut [u8], o: &mut usize) {
        let group = u64::from(self.n_bits) * 8;
        let used = (self.bits_out(*o) - self.group_origin) % group;
        if used != 0 {
            self.acc_bits += (group - used) as u32;
            self.flush_whole_bytes(out, o);
        }
        self.group_origin = self.bits_out(*o);
    }
}

/// The hash of a string with `byte` appended, from the hash of the string. Strings are
/// hashed by content (a single byte `b` counts as `b + 1`), not by their prefix code:
/// the slot to probe for the next input byte then depends on the input alone, not on
/// the outcome of the lookup before it, and the processor can overlap the lookups.
#[inline(always)]
fn extend(hash: u32, byte: u32, mul: u32) -> u32 {
    (hash ^ byte).wrapping_mul(mul)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hash slot where the lookup of the three-byte string `a b c` starts, as
    /// [`State::encode_into`] computes it.
    fn home(a: u8, b: u8, c: u8, mul: u32) -> usize {
        let pair = extend(u32::from(a) + 1, u32::from(b), mul);
        (extend(pair, u32::from(c), mul) >> (32 - HASH_BITS)) as usize
    }

    /// The linear probing of the hash table must wrap from the last slot to the first
    /// (`HASH_MASK`). With a fixed multiplier, the input is made of 400 three-byte
    /// strings whose lookups all start in the last 16 slots, each written three times
    /// (`abcabcabc` puts `abc` in the table); their probe runs must go on at slot 0.
    /// The output does not depend on the multiplier: it must equal that of an encoder
    /// with a random one. A mask off by one (`HASH_LEN + 1` or `HASH_LEN / 1`) makes the
    /// probe after the last slot index 2^17, out of the table: a panic.
    #[test]
    fn hash_probes_wrap_from_the_last_slot_to_the_first() {
        let mul = 0x9e37_79b1;
        let mut data = Vec::new();
        let mut found = 0;
        'search: for a in 0..=255u8 {
            for b in 0..=255u8 {
                for c in 0..=255u8 {
                    if a != b && b != c && a != c && home(a, b, c, mul) >= HASH_LEN - 16 {
                        data.extend_from_slice(&[a, b, c].repeat(3));
                        found += 1;
                        if found == 400 {
                            break 'search;
                        }
                    }
                }
            }
        }
        assert_eq!(found, 400);

        let mut enc = Encoder::new(16).unwrap();
        enc.dict.hash_mul = mul;
        let mut out = vec![0u8; data.len() * 2 + 64];
        let (consumed, mut n) = enc.encode(&data, &mut out);
        assert_eq!(consumed, data.len());
        loop {
            let (w, done) = enc.finish(&mut out[n..]);
            n += w;
            if done {
                break;
            }
        }
        let reference = super::super::compress_bytes(&data, 16);
        assert_eq!(out[..n], reference[HEADER_LEN..]);

        // The run did wrap: slot 0 holds a string whose lookup starts at the end.
        let mut pair_of = vec![(0u8, 0u8); 1 << 16];
        for (key, &code) in enc.dict.roots.iter().enumerate() {
            if code != 0 {
                pair_of[usize::from(code)] = ((key >> 8) as u8, key as u8);
            }
        }
        let code = usize::from(enc.dict.slots[0]);
        assert_ne!(code, 0, "slot 0 is empty");
        let key = enc.dict.keys[code];
        let (a, b) = pair_of[(key >> 8) as usize];
        assert!(home(a, b, key as u8, mul) >= HASH_LEN - 16, "key {key:#x}");
    }

    /// Each encoder draws its own odd hash multiplier (odd, so that multiplying is a
    /// bijection of the 32-bit words; drawn, so that input cannot be crafted in
    /// advance to pile its strings into one probe run). The output never depends on
    /// it (`hash_probes_wrap_from_the_last_slot_to_the_first`), so only the draw can
    /// show that: a constant multiplier (0, 1, or the low bit cleared or lost) fails.
    #[test]
    fn every_encoder_draws_its_own_odd_hash_multiplier() {
        let muls: Vec<u32> = (0..32).map(|_| Dict::new().hash_mul).collect();
        assert!(muls.iter().all(|m| m % 2 == 1), "{muls:x?}");
        let mut distinct = muls.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert!(distinct.len() > 16, "{muls:x?}");
    }

    /// Empty input is no input: `encode(&[], out)` consumes and writes nothing, even
    /// on a fresh encoder (which has no first byte to start from yet), whatever the
    /// size of `out` (the fast path and the spill buffer), and the stream that follows
    /// is unchanged. (`spill_pos < spill_len || inp.is_empty()` → `&&` let empty input
    /// through to `encode_into`, which reads the first byte: a panic.)
    #[test]
    fn empty_input_is_consumed_as_nothing() {
        let data = b"empty input changes nothing";
        for out_len in [1, MARGIN - 1, MARGIN, 256] {
            let mut enc = Encoder::new(16).unwrap();
            let mut buf = vec![0u8; out_len];
            assert_eq!(enc.encode(&[], &mut buf), (0, 0), "fresh, out {out_len}");
            let mut z = Vec::new();
            let mut rest = &data[..];
            while !rest.is_empty() {
                let (c, w) = enc.encode(rest, &mut buf);
                z.extend_from_slice(&buf[..w]);
                rest = &rest[c..];
                let (c, w) = enc.encode(&[], &mut buf);
                assert_eq!(c, 0, "out {out_len}");
                z.extend_from_slice(&buf[..w]);
            }
            loop {
                let (w, done) = enc.finish(&mut buf);
                z.extend_from_slice(&buf[..w]);
                if done {
                    break;
                }
            }
            let reference = super::super::compress_bytes(data, 16);
            assert_eq!(z, reference[HEADER_LEN..], "out {out_len}");
        }
    }
}
