//! The LZW decoder of `compress -d` (ncompress 4.2.4) as a state machine: code bits in,
//! bytes out, through caller-owned buffers. It reads no header and does no I/O.
//!
//! It reads exactly what `compress -d` reads: 9-bit codes at first, one bit more
//! whenever the table has outgrown the current width (until `max_bits`), the rest of
//! the 8-code group skipped at every width change and after CLEAR, the "KwKwK" code
//! (the entry being defined) accepted, and a partial code at the end of the input
//! ignored. What `compress -d` rejects as corrupt is an error here too: a first code
//! that is not a byte, and a code beyond the next free table entry.
//!
//! Strings are written straight into the caller's buffer. Every entry keeps its length
//! and its first 8 bytes, so most strings take one 8-byte store, and only the bytes
//! beyond the 8th come from walking the prefix chain back to front; codes then do not
//! wait on each other's chain walks (2x faster than walking every string). A string
//! that does not fit is decoded into an internal buffer and handed out over the next
//! calls.

use super::{Header, LzwError, CLEAR, HEADER_LEN};
use crate::boxed::boxed_array;

const TABLE_LEN: usize = 1 << 16;
const INIT_BITS: u32 = 9;
/// `old_code` before the first code.
const NO_CODE: u32 = u32::MAX;
/// The longest string: a chain through every table entry, plus one ("KwKwK").
const PENDING_LEN: usize = TABLE_LEN + 1;

/// What one call of [`Decoder::decode`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct DecodeStatus {
    /// Input bytes consumed.
    pub consumed: usize,
    /// Output bytes written.
    pub written: usize,
    /// `Err` when the data is invalid. The bytes written before the error are valid
    /// output; every later call returns the same error.
    pub result: Result<(), LzwError>,
}

/// An LZW decoder for `compress`'s code bits (without the `.Z` header; see
/// [`super::Header`] and [`super::LzwDecoder`] for that).
///
/// Call [`Decoder::decode`] with input and an output buffer. When the input has ended,
/// keep calling it with empty input until it writes nothing more: the stream is then
/// complete (a trailing partial code is ignored, as `compress -d` does). Memory use is
/// fixed (about 900 KiB).
///
/// ```
/// use nnzip::lzw::{compress_bytes, Decoder, Header, HEADER_LEN};
///
/// let packed = compress_bytes(b"hello hello hello", 16);
/// let mut dec = Decoder::new(Header::parse(&packed)?);
/// let mut out = [0u8; 64];
/// let st = dec.decode(&packed[HEADER_LEN..], &mut out);
/// st.result?;
/// assert_eq!(&out[..st.written], b"hello hello hello");
/// # Ok::<(), nnzip::lzw::LzwError>(())
/// ```
pub struct Decoder {
    prefix: Box<[u16; TABLE_LEN]>,
    suffix: Box<[u8; TABLE_LEN]>,
    /// The first 8 bytes of each entry's string (fewer if shorter), little-endian: most
    /// strings are written with one 8-byte store instead of a walk along the chain, and
    /// consecutive codes no longer wait for each other.
    head: Box<[u64; TABLE_LEN]>,
    /// Length of each entry's string.
    lens: Box<[u16; TABLE_LEN]>,
    pending: Box<[u8]>,
    pending_pos: usize,
    pending_len: usize,
    block_mode: bool,
    max_bits: u32,
    /// Entries below this may be defined (`2^max_bits`).
    max_max_code: u32,
    n_bits: u32,
    /// When `free_ent` exceeds this, the codes grow by one bit.
    max_code: u32,
    free_ent: u32,
    old_code: u32,
    /// First byte of the last string.
    fin_char: u8,
    acc: u64,
    acc_bits: u32,
    /// Input bytes consumed so far (header not included).
    bytes_in: u64,
    /// Input position, in bits, where the current 8-code group started.
    group_origin: u64,
    /// Padding bits still to skip.
    skip: u32,
    error: Option<LzwError>,
}

impl std::fmt::Debug for Decoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decoder")
            .field("max_bits", &self.max_bits)
            .field("block_mode", &self.block_mode)
            .field("n_bits", &self.n_bits)
            .field("free_ent", &self.free_ent)
            .field("bytes_in", &self.bytes_in)
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl Decoder {
    /// A decoder for a stream with the settings of `header`.
    pub fn new(header: Header) -> Self {
        let mut suffix = boxed_array::<u8, TABLE_LEN>(0);
        for (c, s) in suffix.iter_mut().take(256).enumerate() {
            *s = c as u8;
        }
        let mut head = boxed_array::<u64, TABLE_LEN>(0);
        for (c, h) in head.iter_mut().take(256).enumerate() {
            *h = c as u64;
        }
        let mut lens = boxed_array::<u16, TABLE_LEN>(0);
        lens[..256].fill(1);
        let block_mode = header.block_mode;
        Decoder {
            prefix: boxed_array(0),
            suffix,
            head,
            lens,
            pending: vec![0; PENDING_LEN].into_boxed_slice(),
            pending_pos: 0,
            pending_len: 0,
            block_mode,
            max_bits: u32::from(header.max_bits),
            max_max_code: 1 << header.max_bits,
            n_bits: INIT_BITS,
            max_code: (1 << INIT_BITS) - 1,
            free_ent: if block_mode { CLEAR + 1 } else { CLEAR },
            old_code: NO_CODE,
            fin_char: 0,
            acc: 0,
            acc_bits: 0,
            bytes_in: 0,
            group_origin: 0,
            skip: 0,
            error: None,
        }
    }

    /// Input bytes consumed so far (the header not included).
    pub fn bytes_in(&self) -> u64 {
        self.bytes_in
    }

    /// Decodes code bits from `inp` into `out`.
    ///
    /// Returns when `out` is full, when `inp` holds no further complete code, or at
    /// invalid data. Makes progress whenever `out` is non-empty and either `inp` is
    /// non-empty or decoded output is still buffered.
    pub fn decode(&mut self, inp: &[u8], out: &mut [u8]) -> DecodeStatus {
        let mut i = 0;
        let mut o = self.drain_pending(out);
        let result = match &self.error {
            Some(e) => Err(e.clone()),
            None if self.pending_pos < self.pending_len => Ok(()),
            None => self.decode_codes(inp, out, &mut i, &mut o),
        };
        self.bytes_in += i as u64;
        if let Err(e) = &result {
            self.error = Some(e.clone());
        }
        DecodeStatus {
            consumed: i,
            written: o,
            result,
        }
    }

    fn drain_pending(&mut self, out: &mut [u8]) -> usize {
        let n = (self.pending_len - self.pending_pos).min(out.len());
        out[..n].copy_from_slice(&self.pending[self.pending_pos..self.pending_pos + n]);
        self.pending_pos += n;
        n
    }

    /// Position of the next unread bit, counted from the end of the header.
    fn bit_pos(&self, i: usize) -> u64 {
        (self.bytes_in + i as u64) * 8 - u64::from(self.acc_bits)
    }

    /// Skips to the end of the current 8-code group, which then starts anew.
    fn pad(&mut self, i: usize) {
        let group = u64::from(self.n_bits) * 8;
        let pos = self.bit_pos(i);
        let used = (pos - self.group_origin) % group;
        let skip = if used == 0 { 0 } else { group - used };
        self.skip = skip as u32;
        self.group_origin = pos + skip;
    }

    /// Drops padding bits; false when the input ran out first.
    fn skip_padding(&mut self, inp: &[u8], i: &mut usize) -> bool {
        let k = self.skip.min(self.acc_bits);
        self.acc >>= k;
        self.acc_bits -= k;
        self.skip -= k;
        if self.skip > 0 {
            // `acc` is empty; its upper bits belonged to the bytes skipped next. What
            // is left is whole bytes: a group ends on a byte boundary (groups are
            // `n_bits` bytes long, counted from the end of the header or an earlier
            // group's end), and so does `acc` (it is refilled a byte at a time).
            debug_assert_eq!(self.skip % 8, 0);
            self.acc = 0;
            while self.skip >= 8 && *i < inp.len() {
                *i += 1;
                self.skip -= 8;
            }
        }
        self.skip == 0
    }

    /// Tops up the bit buffer. The bits above `acc_bits` are always the stream's next
    /// bits (or zero), so reading the same bytes again only ORs in what is there.
    #[inline(always)]
    fn refill(&mut self, inp: &[u8], i: &mut usize) {
        if let Some(word) = inp.get(*i..*i + 8) {
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(word);
            self.acc |= u64::from_le_bytes(bytes) << self.acc_bits;
            *i += ((63 - self.acc_bits) >> 3) as usize;
            self.acc_bits |= 56;
        } else {
            while self.acc_bits <= 56 && *i < inp.len() {
                self.acc |= u64::from(inp[*i]) << self.acc_bits;
                self.acc_bits += 8;
                *i += 1;
            }
        }
    }

    fn decode_codes(
        &mut self,
        inp: &[u8],
        out: &mut [u8],
        i: &mut usize,
        o: &mut usize,
    ) -> Result<(), LzwError> {
        loop {
            if self.free_ent > self.max_code {
                self.pad(*i);
                self.n_bits += 1;
                self.max_code = if self.n_bits == self.max_bits {
                    self.max_max_code
                } else {
                    (1 << self.n_bits) - 1
                };
            }
            if self.skip > 0 && !self.skip_padding(inp, i) {
                return Ok(());
            }
            if self.acc_bits < self.n_bits {
                self.refill(inp, i);
                if self.acc_bits < self.n_bits {
                    return Ok(());
                }
            }
            if *o == out.len() {
                return Ok(());
            }
            let n = self.n_bits;
            let code = (self.acc & ((1 << n) - 1)) as u32;
            self.acc >>= n;
            self.acc_bits -= n;

            if self.old_code == NO_CODE {
                if code >= 256 {
                    return Err(LzwError::InvalidFirstCode { code });
                }
                out[*o] = code as u8;
                *o += 1;
                self.old_code = code;
                self.fin_char = code as u8;
                continue;
            }
            if code == CLEAR && self.block_mode {
                // `compress -d` keeps `old_code`: the next code defines entry 256, which
                // no code can name in block mode.
                self.free_ent = CLEAR;
                self.pad(*i);
                self.n_bits = INIT_BITS;
                self.max_code = (1 << INIT_BITS) - 1;
                continue;
            }

            let old = self.old_code as u16;
            let kwkwk = code == self.free_ent;
            let (start, len, head) = if code < self.free_ent {
                let c = usize::from(code as u16);
                (code as u16, usize::from(self.lens[c]), self.head[c])
            } else if kwkwk {
                // KwKwK: the entry being defined, the last string plus its first byte.
                let len_old = usize::from(self.lens[usize::from(old)]);
                let head = extend_head(self.head[usize::from(old)], len_old, self.fin_char);
                (old, len_old + 1, head)
            } else {
                let bit_offset = HEADER_LEN as u64 * 8 + self.bit_pos(*i) - u64::from(n);
                return Err(LzwError::CodeBeyondTable {
                    code,
                    next_free: self.free_ent,
                    bit_offset,
                });
            };
            let room = out.len() - *o;
            let fits = len <= room;
            if fits && room >= 8 {
                // The head, then (rarely) the rest of the string from the chain.
                let dst = &mut out[*o..];
                dst[..8].copy_from_slice(&head.to_le_bytes());
                if len > 8 {
                    let tail = if kwkwk {
                        dst[len - 1] = self.fin_char;
                        &mut dst[8..len - 1]
                    } else {
                        &mut dst[8..len]
                    };
                    let skip = if kwkwk { 1 } else { 0 };
                    walk_tail(&self.prefix, &self.suffix, start, len - skip, tail);
                }
                *o += len;
            } else {
                let dst = if fits {
                    let dst = &mut out[*o..*o + len];
                    *o += len;
                    dst
                } else {
                    self.pending_pos = 0;
                    self.pending_len = len;
                    &mut self.pending[..len]
                };
                let body_len = if kwkwk {
                    dst[len - 1] = self.fin_char;
                    len - 1
                } else {
                    len
                };
                write_string(&self.prefix, &self.suffix, start, &mut dst[..body_len]);
            }
            self.fin_char = head as u8;

            let e = self.free_ent;
            if e < self.max_max_code {
                let e = e as usize;
                self.prefix[e] = old;
                self.suffix[e] = self.fin_char;
                let len_old = self.lens[usize::from(old)];
                self.head[e] =
                    extend_head(self.head[usize::from(old)], len_old.into(), self.fin_char);
                self.lens[e] = len_old.wrapping_add(1);
                self.free_ent += 1;
            }
            self.old_code = code;

            if !fits {
                *o += self.drain_pending(&mut out[*o..]);
                return Ok(());
            }
        }
    }
}

/// The head of a string of `len` bytes whose head is `head`, with `byte` appended.
#[inline(always)]
fn extend_head(head: u64, len: usize, byte: u8) -> u64 {
    if len < 8 {
        head | u64::from(byte) << (8 * len)
    } else {
        head
    }
}

/// Writes bytes 8.. of the string of `code`, which is `len` bytes long, into `tail`
/// (`len - 8` bytes), last byte first.
#[inline(always)]
fn walk_tail(
    prefix: &[u16; TABLE_LEN],
    suffix: &[u8; TABLE_LEN],
    mut code: u16,
    len: usize,
    tail: &mut [u8],
) {
    debug_assert_eq!(tail.len() + 8, len);
    for b in tail.iter_mut().rev() {
        *b = suffix[usize::from(code)];
        code = prefix[usize::from(code)];
    }
}

/// Writes the string of `code` into `dst` (exactly its length), last byte first.
#[inline(always)]
fn write_string(
    prefix: &[u16; TABLE_LEN],
    suffix: &[u8; TABLE_LEN],
    mut code: u16,
    dst: &mut [u8],
) {
    if let Some((first, rest)) = dst.split_first_mut() {
        for b in rest.iter_mut().rev() {
            *b = suffix[usize::from(code)];
            code = prefix[usize::from(code)];
        }
        *first = suffix[usize::from(code)];
    }
}
