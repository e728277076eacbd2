//! The range encoder and decoder (see the module docs of [`crate::coder`]).

use crate::error::{CorruptError, Error, Result, TruncatedError};

/// Bits of precision of a binary probability given to [`Encoder::encode_bit`].
pub const PROB_BITS: u32 = 16;
/// The probability scale: a bit probability `p` means `p / PROB_ONE`.
pub const PROB_ONE: u32 = 1 << PROB_BITS;

const TOP: u32 = 1 << 24;
/// Most byte shifts one normalisation makes: two are ever needed (after a bit, the
/// range is at least `2^8`); the rest is margin.
const MAX_SHIFTS: u32 = 4;

/// Range encoder writing into a growable byte buffer.
#[derive(Debug)]
pub struct Encoder {
    low: u64,
    range: u32,
    cache: u8,
    cache_size: u64,
    out: Vec<u8>,
}

impl Default for Encoder {
    fn default() -> Self {
        Self::new()
    }
}

impl Encoder {
    /// A fresh encoder with an empty output buffer.
    pub fn new() -> Self {
        Self::with_buffer(Vec::new())
    }

    /// A fresh encoder that appends to `out` (whose current contents are kept).
    pub fn with_buffer(out: Vec<u8>) -> Self {
        Encoder {
            low: 0,
            range: u32::MAX,
            cache: 0,
            cache_size: 1,
            out,
        }
    }

    fn shift_low(&mut self) {
        if (self.low as u32) < 0xFF00_0000 || (self.low >> 32) != 0 {
            let carry = (self.low >> 32) as u8;
            let mut temp = self.cache;
            loop {
                self.out.push(temp.wrapping_add(carry));
                temp = 0xFF;
                self.cache_size -= 1;
                if self.cache_size == 0 {
                    break;
                }
            }
            self.cache = ((self.low >> 24) & 0xFF) as u8;
        }
        self.cache_size += 1;
        self.low = (self.low & 0x00FF_FFFF) << 8;
    }

    /// Restores `range >= TOP` by shifting out bytes: only the test is inlined into
    /// every bit, the shifts (about one bit in eight) are not.
    #[inline(always)]
    fn normalize(&mut self) {
        if self.range < TOP {
            self.shift_out();
        }
    }

    #[cold]
    #[inline(never)]
    fn shift_out(&mut self) {
        // A coded interval is at least 2^8 wide (the probabilities are clamped), so
        // two shifts always restore `range >= TOP`; the bound of [`MAX_SHIFTS`] turns
        // a broken state into wrong output, which the tests see, instead of a hang.
        for _ in 0..MAX_SHIFTS {
            if self.range >= TOP {
                break;
            }
            self.range <<= 8;
            self.shift_low();
        }
    }

    /// Encodes one bit whose probability of being 1 is `p1 / 65536`.
    ///
    /// `p1` must lie in `1..=65535` (checked in debug builds; release builds clamp).
    #[inline(always)]
    pub fn encode_bit(&mut self, p1: u32, bit: bool) {
        debug_assert!((1..PROB_ONE).contains(&p1));
        let p1 = p1.clamp(1, PROB_ONE - 1);
        let bound = (self.range >> PROB_BITS) * (PROB_ONE - p1);
        if bit {
            self.low += u64::from(bound);
            self.range -= bound;
        } else {
            self.range = bound;
        }
        self.normalize();
    }

    /// Bytes produced so far (excluding the up to 5 bytes `finish` still writes).
    pub fn len(&self) -> usize {
        self.out.len()
    }

    /// Whether nothing has been written to the output yet.
    pub fn is_empty(&self) -> bool {
        self.out.is_empty()
    }

    /// Flushes the coder state and returns the complete output.
    pub fn finish(mut self) -> Vec<u8> {
        for _ in 0..5 {
            self.shift_low();
        }
        self.out
    }
}

/// Range decoder reading from a byte slice.
///
/// Reading past the end of the slice yields zero bytes and is counted; a valid stream
/// never does it, so [`Decoder::finish`] reports it as truncation.
#[derive(Debug)]
pub struct Decoder<'a> {
    code: u32,
    range: u32,
    input: &'a [u8],
    pos: usize,
    overrun: usize,
}

impl<'a> Decoder<'a> {
    /// Starts decoding `input`, which must be the output of [`Encoder::finish`].
    ///
    /// # Errors
    /// [`Error::Corrupt`] if the first byte is not the zero byte every stream starts with.
    pub fn new(input: &'a [u8]) -> Result<Self> {
        let mut d = Decoder {
            code: 0,
            range: u32::MAX,
            input,
            pos: 0,
            overrun: 0,
        };
        if d.next_byte() != 0 {
            return Err(Error::Corrupt(CorruptError::RangeCoderStart));
        }
        for _ in 0..4 {
            d.code = (d.code << 8) | u32::from(d.next_byte());
        }
        Ok(d)
    }

    #[inline]
    fn next_byte(&mut self) -> u8 {
        match self.input.get(self.pos) {
            Some(&b) => {
                self.pos += 1;
                b
            }
            None => {
                self.overrun += 1;
                0
            }
        }
    }

    /// As [`Encoder::normalize`]: the test inlined, the shifts not.
    #[inline(always)]
    fn normalize(&mut self) {
        if self.range < TOP {
            self.shift_in();
        }
    }

    #[cold]
    #[inline(never)]
    fn shift_in(&mut self) {
        // Bounded as in the encoder.
        for _ in 0..MAX_SHIFTS {
            if self.range >= TOP {
                break;
            }
            self.range <<= 8;
            self.code = (self.code << 8) | u32::from(self.next_byte());
        }
    }

    /// Decodes one bit coded by [`Encoder::encode_bit`] with the same `p1`.
    #[inline(always)]
    pub fn decode_bit(&mut self, p1: u32) -> bool {
        let p1 = p1.clamp(1, PROB_ONE - 1);
        let bound = (self.range >> PROB_BITS) * (PROB_ONE - p1);
        let bit = self.code >= bound;
        if bit {
            self.code -= bound;
            self.range -= bound;
        } else {
            self.range = bound;
        }
        self.normalize();
        bit
    }

    /// Whether decoding has already needed bytes beyond the end of the input: the
    /// stream was cut or damaged, and [`Decoder::finish`] will fail. A caller can stop
    /// early instead of decoding on from invented zero bytes.
    #[inline]
    pub fn overran(&self) -> bool {
        self.overrun > 0
    }

    /// Bytes of input consumed so far.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Ends decoding; fails if the decoder had to read beyond its input.
    ///
    /// # Errors
    /// [`Error::Truncated`] when the stream was shorter than what was decoded from it.
    pub fn finish(self) -> Result<()> {
        if self.overrun > 0 {
            return Err(Error::Truncated(TruncatedError::Payload {
                overrun: self.overrun as u64,
            }));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// Codes a symbol occupying `[cum, cum + freq)` of `2^total_bits`: the multi-symbol
    /// step the library does not use (it codes bytes as bits), kept here to test the
    /// coder's carry handling and its cost against the entropy on wide alphabets.
    fn encode_symbol(enc: &mut Encoder, cum: u32, freq: u32, total_bits: u32) {
        assert!(freq > 0 && total_bits <= 16 && cum + freq <= 1 << total_bits);
        let r = enc.range >> total_bits;
        enc.low += u64::from(r) * u64::from(cum);
        enc.range = r * freq;
        enc.normalize();
    }

    /// The position within `0..2^total_bits` that the next symbol occupies.
    fn decode_target(dec: &Decoder, total_bits: u32) -> u32 {
        let v = dec.code / (dec.range >> total_bits);
        assert!(v >> total_bits == 0, "range coder value outside the total");
        v
    }

    /// Removes the decoded symbol's interval.
    fn decode_consume(dec: &mut Decoder, cum: u32, freq: u32, total_bits: u32) {
        let r = dec.range >> total_bits;
        dec.code = dec.code.wrapping_sub(r * cum);
        dec.range = r * freq;
        dec.normalize();
    }

    /// Codes `symbols` with a static frequency table and decodes them back.
    fn round_trip_freqs(freqs: &[u32], total_bits: u32, symbols: &[usize]) -> usize {
        assert_eq!(freqs.iter().sum::<u32>(), 1 << total_bits);
        let cums: Vec<u32> = freqs
            .iter()
            .scan(0, |acc, &f| {
                let c = *acc;
                *acc += f;
                Some(c)
            })
            .collect();
        let mut enc = Encoder::new();
        for &s in symbols {
            encode_symbol(&mut enc, cums[s], freqs[s], total_bits);
        }
        let bytes = enc.finish();
        let mut dec = Decoder::new(&bytes).unwrap();
        for &s in symbols {
            let v = decode_target(&dec, total_bits);
            let found = cums.iter().rposition(|&c| c <= v).unwrap();
            assert_eq!(found, s);
            decode_consume(&mut dec, cums[found], freqs[found], total_bits);
        }
        assert_eq!(dec.position(), bytes.len());
        dec.finish().unwrap();
        bytes.len()
    }

    fn ideal_bytes(freqs: &[u32], total_bits: u32, symbols: &[usize]) -> f64 {
        let total = f64::from(1u32 << total_bits);
        symbols
            .iter()
            .map(|&s| -(f64::from(freqs[s]) / total).log2())
            .sum::<f64>()
            / 8.0
    }

    #[test]
    fn uniform_bytes_cost_one_byte_each() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let symbols: Vec<usize> = (0..100_000).map(|_| rng.gen_range(0..256)).collect();
        let freqs = vec![1u32 << 8; 256];
        let n = round_trip_freqs(&freqs, 16, &symbols);
        assert!(n <= 100_000 + 6, "{n}");
    }

    #[test]
    fn skewed_distribution_reaches_entropy() {
        let mut freqs = vec![1u32; 256];
        freqs[b'e' as usize] = 30_000;
        freqs[b't' as usize] = 20_000;
        let rest: u32 = freqs.iter().sum();
        freqs[b' ' as usize] += 65_536 - rest;
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let cdf: Vec<u32> = freqs
            .iter()
            .scan(0, |a, &f| {
                *a += f;
                Some(*a)
            })
            .collect();
        let symbols: Vec<usize> = (0..200_000)
            .map(|_| {
                let v = rng.gen_range(0..65_536u32);
                cdf.iter().position(|&c| c > v).unwrap()
            })
            .collect();
        let n = round_trip_freqs(&freqs, 16, &symbols) as f64;
        let ideal = ideal_bytes(&freqs, 16, &symbols);
        assert!(n < ideal * 1.001 + 8.0, "{n} vs ideal {ideal}");
    }

    #[test]
    fn single_symbol_heavy_stream_and_rare_symbols() {
        // One symbol with almost all the mass, the rest at the minimum frequency 1:
        // the long runs of the heavy symbol exercise carry propagation.
        let mut freqs = vec![1u32; 256];
        freqs[0] = 65_536 - 255;
        let mut symbols = vec![0usize; 500_000];
        for (i, s) in symbols.iter_mut().enumerate().step_by(50_021) {
            *s = i % 256;
        }
        symbols.extend(0..256);
        let n = round_trip_freqs(&freqs, 16, &symbols);
        let ideal = ideal_bytes(&freqs, 16, &symbols);
        assert!((n as f64) < ideal * 1.05 + 8.0, "{n} vs {ideal}");
    }

    #[test]
    fn bits_round_trip_with_extreme_probabilities() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let cases: Vec<(u32, bool)> = (0..300_000)
            .map(|i| {
                let p = match i % 5 {
                    0 => 1,
                    1 => PROB_ONE - 1,
                    _ => rng.gen_range(1..PROB_ONE),
                };
                let bit = rng.gen_range(0..PROB_ONE) < p;
                (p, bit)
            })
            .collect();
        let mut enc = Encoder::new();
        for &(p, b) in &cases {
            enc.encode_bit(p, b);
        }
        let bytes = enc.finish();
        let mut dec = Decoder::new(&bytes).unwrap();
        for &(p, b) in &cases {
            assert_eq!(dec.decode_bit(p), b);
        }
        dec.finish().unwrap();
    }

    #[test]
    fn empty_stream_is_five_bytes() {
        let bytes = Encoder::new().finish();
        assert_eq!(bytes.len(), 5);
        Decoder::new(&bytes).unwrap().finish().unwrap();
    }

    /// A fixed test vector: the exact bytes for a fixed sequence of bits and
    /// probabilities (the extremes 1 and 65535 included, coded both ways). The format
    /// depends on every one of them; see "Format version policy" in `FORMAT.md`.
    #[test]
    fn fixed_vector() {
        let mut enc = Encoder::new();
        for (p, bit) in vector() {
            enc.encode_bit(p, bit);
        }
        let bytes = enc.finish();
        assert_eq!(bytes, VECTOR_BYTES, "{bytes:02x?}");
        let mut dec = Decoder::new(&bytes).unwrap();
        for (p, bit) in vector() {
            assert_eq!(dec.decode_bit(p), bit);
        }
        assert!(!dec.overran());
        assert_eq!(dec.position(), bytes.len());
        dec.finish().unwrap();
    }

    /// The bits and probabilities of [`fixed_vector`].
    fn vector() -> impl Iterator<Item = (u32, bool)> {
        const PROBS: [u32; 8] = [
            1,
            PROB_ONE - 1,
            32_768,
            2,
            PROB_ONE - 2,
            100,
            40_000,
            65_000,
        ];
        (0..120u32).map(|i| {
            let p = PROBS[(i % 8) as usize];
            let bit = match i % 7 {
                0 | 3 => true,
                1 => false,
                _ => (i * 37 + 11) % 13 < 6,
            };
            (p, bit)
        })
    }

    /// The output of [`vector`], from the coder of format version 2.
    const VECTOR_BYTES: &[u8] = &[
        0x00, 0xff, 0xfe, 0x00, 0x01, 0xff, 0x7f, 0xfe, 0x3e, 0x36, 0x9d, 0xd1, 0x96, 0x63, 0x68,
        0x6c, 0xd0, 0xdc, 0x86, 0x2a, 0x43, 0x4c, 0x42, 0x29, 0xbe, 0xa2, 0x82, 0x9c, 0xd4, 0x70,
        0x01, 0x33, 0x08, 0x86, 0x04, 0x30, 0xd8, 0x00, 0x2a, 0x87, 0xaa, 0xf0, 0x43, 0x09, 0x55,
        0xbd, 0xc5, 0x6a, 0x99, 0xdd, 0x1e, 0x79, 0xff, 0xff, 0xb1, 0xcd, 0x20, 0xbe, 0x00, 0x01,
        0xfe, 0x50, 0x95, 0x0f, 0xb5, 0x9f, 0x64, 0x48, 0x94, 0x20, 0x2c, 0x2a, 0xfc, 0xe1, 0xd3,
        0x1d, 0xad, 0xf8, 0x64, 0xc8,
    ];

    /// Code length of `n` bits, all `bit`, all with probability `p1`, in bytes.
    fn coded_len(p1: u32, bit: bool, n: usize) -> usize {
        let mut enc = Encoder::new();
        for _ in 0..n {
            enc.encode_bit(p1, bit);
        }
        enc.finish().len()
    }

    /// The extreme probabilities cost what they say: a near-certain bit about
    /// 2^-16 * 1.44 bits, the unlikely one 16 bits. A coder that clamped harder than
    /// `1..=65535` (say to 32..=65504) would still round trip, but pay 30 times more for
    /// the near-certain bits and less for the unlikely ones.
    #[test]
    fn extreme_probabilities_cost_what_they_claim() {
        // 200,000 near-certain bits: 5 and 8 bytes with the flush (22 and 29 if the
        // clamp were 32..=65504).
        assert!(coded_len(PROB_ONE - 1, true, 200_000) <= 10);
        assert!(coded_len(1, false, 200_000) <= 10);
        // 1,000 unlikely bits: 16 bits each, 2,000 bytes plus the flush (about 1,350
        // if the clamp were 32..=65504).
        for (p1, bit) in [(1, true), (PROB_ONE - 1, false)] {
            let n = coded_len(p1, bit, 1000);
            assert!((2000..=2006).contains(&n), "p1 {p1}, bit {bit}: {n} bytes");
        }
    }

    /// Out-of-range probabilities are a programming error (a debug assertion); release
    /// builds clamp them to `1..=65535`, in the encoder and the decoder alike.
    #[test]
    #[cfg(not(debug_assertions))]
    fn release_builds_clamp_out_of_range_probabilities() {
        for (wild, tame) in [(0, 1), (PROB_ONE, PROB_ONE - 1), (u32::MAX, PROB_ONE - 1)] {
            let bits: Vec<bool> = (0..500).map(|i| i % 3 == 0).collect();
            let code = |p: u32| {
                let mut enc = Encoder::new();
                for &b in &bits {
                    enc.encode_bit(p, b);
                }
                enc.finish()
            };
            let bytes = code(tame);
            assert_eq!(code(wild), bytes, "p {wild}");
            let mut dec = Decoder::new(&bytes).unwrap();
            for &b in &bits {
                assert_eq!(dec.decode_bit(wild), b, "p {wild}");
            }
            dec.finish().unwrap();
        }
    }

    /// `with_buffer` appends after what the buffer holds; `len` counts it.
    #[test]
    fn with_buffer_appends() {
        let mut enc = Encoder::with_buffer(b"head".to_vec());
        assert_eq!(enc.len(), 4);
        assert!(!enc.is_empty());
        assert!(Encoder::default().is_empty());
        for i in 0..3000u32 {
            enc.encode_bit(1 + i * 21 % 65_000, i % 5 == 0);
        }
        assert!(enc.len() > 4);
        let bytes = enc.finish();
        assert_eq!(&bytes[..4], b"head");
        let mut plain = Encoder::default();
        for i in 0..3000u32 {
            plain.encode_bit(1 + i * 21 % 65_000, i % 5 == 0);
        }
        assert_eq!(bytes[4..], plain.finish());
    }

    /// A top byte of `0xFF` is held back (counted in `cache_size`): a carry may still
    /// turn it into `0x00` and add one to the byte before it. Written at once, the
    /// carry could no longer reach the byte before.
    #[test]
    fn a_top_byte_of_ff_waits_for_a_possible_carry() {
        let mut enc = Encoder::new();
        enc.low = 0xFF00_0000;
        enc.shift_low();
        assert!(enc.out.is_empty(), "{:02x?}", enc.out);
        assert_eq!(enc.cache_size, 2);
        enc.low = 1 << 32;
        enc.shift_low();
        assert_eq!(enc.out, [0x01, 0x00]);
    }

    /// A range of exactly `TOP` (2^24) is normalised already: the encoder and the
    /// decoder shift only below it, and must agree on that bound exactly, or the
    /// decoder falls out of step the rare time the range lands on 2^24.
    #[test]
    fn a_range_of_exactly_top_is_not_shifted() {
        let mut enc = Encoder::new();
        enc.range = TOP;
        enc.normalize();
        assert_eq!((enc.range, enc.cache_size), (TOP, 1));
        assert!(enc.out.is_empty());
        enc.range = TOP - 1;
        enc.normalize();
        assert_eq!((enc.range, enc.len()), ((TOP - 1) << 8, 1));
        let bytes = [0u8; 7];
        let mut dec = Decoder::new(&bytes).unwrap();
        dec.range = TOP;
        dec.normalize();
        assert_eq!((dec.range, dec.position()), (TOP, 5));
        dec.range = TOP - 1;
        dec.normalize();
        assert_eq!((dec.range, dec.position()), ((TOP - 1) << 8, 6));
    }

    /// A stream must start with the zero byte the encoder always writes first.
    #[test]
    fn nonzero_first_byte_is_corrupt() {
        let mut bytes = Encoder::new().finish();
        bytes[0] = 1;
        assert!(matches!(
            Decoder::new(&bytes),
            Err(Error::Corrupt(CorruptError::RangeCoderStart))
        ));
        assert!(matches!(
            Decoder::new(&[]).map(Decoder::finish),
            Ok(Err(Error::Truncated(_)))
        ));
    }

    /// `overran` turns true exactly when decoding needs a byte the input lacks, and
    /// `finish` then reports how many were missing.
    #[test]
    fn overran_reports_reading_past_the_end() {
        let mut enc = Encoder::new();
        for i in 0..2000u32 {
            enc.encode_bit(20_000, i % 4 == 0);
        }
        let bytes = enc.finish();
        let mut dec = Decoder::new(&bytes).unwrap();
        for i in 0..2000u32 {
            assert_eq!(dec.decode_bit(20_000), i % 4 == 0);
            assert!(!dec.overran(), "bit {i}");
        }
        assert_eq!(dec.position(), bytes.len());
        let mut extra = 0;
        while !dec.overran() {
            dec.decode_bit(20_000);
            extra += 1;
            assert!(extra < 100, "never overran");
        }
        match dec.finish() {
            Err(Error::Truncated(TruncatedError::Payload { overrun })) => {
                assert_eq!(overrun, 1);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn truncated_stream_is_detected() {
        let mut enc = Encoder::new();
        for i in 0..10_000u32 {
            enc.encode_bit(32_768, i % 3 == 0);
        }
        let bytes = enc.finish();
        let cut = &bytes[..bytes.len() - 3];
        let mut dec = Decoder::new(cut).unwrap();
        for _ in 0..10_000 {
            dec.decode_bit(32_768);
        }
        assert!(matches!(dec.finish(), Err(Error::Truncated(_))));
    }
}
