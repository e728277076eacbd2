//! The neural codec core: runs the [`Predictor`] and the range coder over buffers.
//!
//! Input is coded in chunks. The model carries over from chunk to chunk; the range
//! coder is flushed at the end of each, so that a chunk's payload is self-delimiting and
//! the container can frame it with its lengths (see `FORMAT.md`). This layer reads no
//! header and touches no file.
//!
//! With [`ModelConfig::text_codes`] the encoder chooses the tree the bytes are coded
//! in ([`crate::model::codes`]) from the stream's first bytes and codes its choice as
//! the very first decision of the first chunk, then, for a tree of the stream's own,
//! the tree's description ([`ByteCodes::classes`]), every decision at probability
//! 1/2; the decoder reads them before it builds its model.

use crate::coder::{Decoder, Encoder};
use crate::error::{CorruptError, Error, Result};
use crate::model::codes::ByteCodes;
use crate::model::{ModelConfig, Predictor};
use crate::simd;

/// Probability 1/2, of 65536: the tree choice's and its description's.
const HALF: u32 = 32768;

/// Bits of a weight class in a tree's description (classes `1..=16` as `0..=15`).
const CLASS_BITS: u32 = 4;

/// Codes the tree choice and, for a tree of the stream's own (`classes` given), its
/// description: per byte value, whether the sample held it, and if so its weight
/// class less one in [`CLASS_BITS`] bits. Returns the decisions coded.
fn write_tree(enc: &mut Encoder, classes: Option<&[u8; 256]>) -> u32 {
    enc.encode_bit(HALF, classes.is_some());
    let Some(classes) = classes else {
        return 1;
    };
    let mut decisions = 1;
    for &k in classes {
        enc.encode_bit(HALF, k != 0);
        decisions += 1;
        if k != 0 {
            for i in (0..CLASS_BITS).rev() {
                enc.encode_bit(HALF, (k - 1) >> i & 1 != 0);
            }
            decisions += CLASS_BITS;
        }
    }
    decisions
}

/// The tree a stream's first chunk says its bytes are coded in, read from the start
/// of `payload` (the first chunk's payload, or its first [`TREE_PREFIX_LEN`] bytes)
/// without decoding any byte: for `nnzip info`. Only for a stream whose
/// configuration has [`ModelConfig::text_codes`]; without them the payload starts
/// with the first byte's decisions.
///
/// # Errors
/// [`Error::Corrupt`] if the payload does not start as a range-coded stream, or its
/// tree is too deep ([`CorruptError::TreeTooDeep`]).
pub fn peek_tree(payload: &[u8]) -> Result<ByteCodes> {
    read_tree(&mut Decoder::new(payload)?)
}

/// How many bytes of a first chunk's payload hold its tree, at most: the coder's
/// leading byte and look-ahead, and 1,281 decisions at probability 1/2.
pub const TREE_PREFIX_LEN: usize = 1 + 4 + (1 + 256 * (1 + CLASS_BITS as usize)).div_ceil(8);

/// Reads what [`write_tree`] coded: the tree the stream is coded in.
///
/// # Errors
/// [`CorruptError::TreeTooDeep`] if the description gives a tree with a path longer
/// than [`crate::model::codes::MAX_PATH`].
fn read_tree(dec: &mut Decoder<'_>) -> Result<ByteCodes> {
    if !dec.decode_bit(HALF) {
        return Ok(ByteCodes::plain().clone());
    }
    let mut classes = [0u8; 256];
    for k in &mut classes {
        if dec.decode_bit(HALF) {
            let mut v = 0;
            for _ in 0..CLASS_BITS {
                v = v << 1 | u8::from(dec.decode_bit(HALF));
            }
            *k = v + 1;
        }
    }
    ByteCodes::from_classes(&classes).ok_or(Error::Corrupt(CorruptError::TreeTooDeep))
}

/// Cost in bits of coding a bit of probability `p / 65536`, indexed by `p >> 4`.
fn cost_table() -> &'static [f32; 4096] {
    static TABLE: std::sync::OnceLock<[f32; 4096]> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = [0f32; 4096];
        for (i, v) in t.iter_mut().enumerate() {
            *v = -(((i as f64) + 0.5) / 4096.0).log2() as f32;
        }
        t
    })
}

/// Compresses successive chunks of one stream with one learning model.
#[derive(Debug)]
pub struct NeuralEncoder {
    model: Predictor,
    /// What the first chunk still has to code before its bytes, under
    /// [`ModelConfig::text_codes`]: the tree choice, with the weight classes of a tree
    /// of the stream's own ([`write_tree`]).
    preamble: Option<Option<[u8; 256]>>,
    track_cost: bool,
    cost_bits: f64,
}

impl NeuralEncoder {
    /// A new encoder whose model starts from the initial weights of `cfg`, for a
    /// stream whose first bytes are `first` (under [`ModelConfig::text_codes`] they
    /// choose the tree, [`ByteCodes::suits`], and are the sample of a tree of the
    /// stream's own; pass the first chunk, or all of the input).
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] if `cfg` is out of range.
    pub fn new(cfg: &ModelConfig, first: &[u8]) -> Result<Self> {
        let own = (cfg.text_codes && ByteCodes::suits(first)).then(|| ByteCodes::own(first));
        let (classes, codes) = match own {
            Some((classes, tree)) => (Some(classes), tree),
            None => (None, ByteCodes::plain().clone()),
        };
        Ok(NeuralEncoder {
            model: Predictor::with_codes(cfg, codes)?,
            preamble: cfg.text_codes.then_some(classes),
            track_cost: false,
            cost_bits: 0.0,
        })
    }

    /// Turns on the per-bit ideal code length accounting read by
    /// [`NeuralEncoder::cost_bits`] (a small slowdown; off by default).
    pub fn track_cost(&mut self, on: bool) {
        self.track_cost = on;
    }

    /// Sum of `-log2 p(bit)` over all bits coded so far while tracking was on: the
    /// model's code length without any coder overhead.
    pub fn cost_bits(&self) -> f64 {
        self.cost_bits
    }

    /// The model (for its statistics).
    pub fn model(&self) -> &Predictor {
        &self.model
    }

    /// Codes `input` and appends the chunk's self-delimiting payload to `out`.
    pub fn encode_chunk(&mut self, input: &[u8], out: &mut Vec<u8>) {
        let mut enc = Encoder::with_buffer(std::mem::take(out));
        if let Some(classes) = self.preamble.take() {
            let decisions = write_tree(&mut enc, classes.as_ref());
            if self.track_cost {
                self.cost_bits += f64::from(decisions);
            }
        }
        let (model, track) = (&mut self.model, self.track_cost);
        let cost = simd::dispatch(
            #[inline(always)]
            || {
                if model.is_lean() {
                    encode_bytes::<true>(model, &mut enc, input, track)
                } else {
                    encode_bytes::<false>(model, &mut enc, input, track)
                }
            },
        );
        self.cost_bits += cost;
        *out = enc.finish();
    }
}

/// The encoder's inner loop; returns the ideal code length if `track` is set. `LEAN`
/// only for a model that [`Predictor::is_lean`].
#[inline(always)]
fn encode_bytes<const LEAN: bool>(
    model: &mut Predictor,
    enc: &mut Encoder,
    input: &[u8],
    track: bool,
) -> f64 {
    let costs = cost_table();
    let mut cost = 0f64;
    // A copy (3 KB a chunk): the model is borrowed mutably below, and a table of
    // its own is cheaper to index at every byte than the model's shared one (fast,
    // 200 kB of enwik8: 641 M instructions against 657 M through `Arc::clone`).
    let codes = model.codes().clone();
    for &byte in input {
        let (path, len) = codes.path(byte);
        for i in (0..len).rev() {
            let bit = (path >> i) as u8 & 1;
            let p1 = model.p1_as::<LEAN>();
            if track {
                let p = if bit != 0 { p1 } else { 65536 - p1 };
                cost += f64::from(costs[(p >> 4).min(4095) as usize]);
            }
            enc.encode_bit(p1, bit != 0);
            model.update_as::<LEAN>(bit);
        }
    }
    cost
}

/// The decoder's inner loop. Stops early, with fewer than `len` bytes, once the
/// decoder has read past the end of its input. `LEAN` only for a model that
/// [`Predictor::is_lean`].
#[inline(always)]
fn decode_bytes<const LEAN: bool>(
    model: &mut Predictor,
    dec: &mut Decoder<'_>,
    len: usize,
    out: &mut Vec<u8>,
) {
    for _ in 0..len {
        loop {
            let bit = u8::from(dec.decode_bit(model.p1_as::<LEAN>()));
            model.update_as::<LEAN>(bit);
            if model.at_byte_start() {
                break;
            }
        }
        out.push(model.last_byte());
        // A valid chunk never reads past its payload; once the decoder has, the chunk
        // is lost (`Decoder::finish` fails), and decoding the rest of `len` (up to
        // 1 MiB, many seconds with a large model) from invented zero bytes would only
        // waste time.
        if dec.overran() {
            break;
        }
    }
}

/// Decompresses successive chunks written by [`NeuralEncoder`].
#[derive(Debug)]
pub struct NeuralDecoder {
    /// The model, once built: at once, or under [`ModelConfig::text_codes`] when the
    /// first chunk has said which tree ([`read_tree`]).
    model: Option<Predictor>,
    cfg: ModelConfig,
}

impl NeuralDecoder {
    /// A new decoder whose model starts from the initial weights of `cfg`.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] if `cfg` is out of range.
    pub fn new(cfg: &ModelConfig) -> Result<Self> {
        cfg.validate()?;
        let model = if cfg.text_codes {
            None
        } else {
            Some(Predictor::new(cfg)?)
        };
        Ok(NeuralDecoder {
            model,
            cfg: cfg.clone(),
        })
    }

    /// Decodes a chunk of `len` original bytes from `payload`, appending them to `out`.
    ///
    /// # Errors
    /// [`Error::Truncated`] if `payload` is shorter than the coded chunk,
    /// [`Error::Corrupt`] if bytes are left over after it.
    pub fn decode_chunk(&mut self, payload: &[u8], len: usize, out: &mut Vec<u8>) -> Result<()> {
        let mut dec = Decoder::new(payload)?;
        out.reserve(len);
        let model = match &mut self.model {
            Some(m) => m,
            None => {
                let codes = read_tree(&mut dec)?;
                self.model.insert(Predictor::with_codes(&self.cfg, codes)?)
            }
        };
        simd::dispatch(
            #[inline(always)]
            || {
                if model.is_lean() {
                    decode_bytes::<true>(model, &mut dec, len, out);
                } else {
                    decode_bytes::<false>(model, &mut dec, len, out);
                }
            },
        );
        let used = dec.position();
        dec.finish()?;
        if used != payload.len() {
            return Err(Error::Corrupt(CorruptError::TrailingChunkBytes(
                payload.len() - used,
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Preset;

    #[test]
    fn chunks_round_trip() {
        let text = b"the quick brown fox jumps over the lazy dog. ".repeat(200);
        let cfg = Preset::Fast.config();
        let mut enc = NeuralEncoder::new(&cfg, &text).unwrap();
        let mut chunks = Vec::new();
        for part in text.chunks(1000) {
            let mut out = Vec::new();
            enc.encode_chunk(part, &mut out);
            chunks.push((part.len(), out));
        }
        let mut dec = NeuralDecoder::new(&cfg).unwrap();
        let mut back = Vec::new();
        for (len, payload) in &chunks {
            dec.decode_chunk(payload, *len, &mut back).unwrap();
        }
        assert_eq!(back, text);
        let total: usize = chunks.iter().map(|c| c.1.len()).sum();
        assert!(total < text.len() / 4, "{total}");
    }

    /// A chunk's payload with bytes after the coded ones is refused, with their count.
    #[test]
    fn bytes_after_a_chunk_are_counted_and_refused() {
        let cfg = Preset::Fast.config();
        let text = b"a chunk of text, coded and then padded";
        let mut payload = Vec::new();
        NeuralEncoder::new(&cfg, text)
            .unwrap()
            .encode_chunk(text, &mut payload);
        for extra in [1usize, 5] {
            let mut padded = payload.clone();
            padded.extend(std::iter::repeat_n(0x55, extra));
            let mut out = Vec::new();
            let got = NeuralDecoder::new(&cfg)
                .unwrap()
                .decode_chunk(&padded, text.len(), &mut out);
            assert!(
                matches!(got, Err(Error::Corrupt(CorruptError::TrailingChunkBytes(n))) if n == extra),
                "{extra} extra bytes: {got:?}"
            );
        }
    }

    /// Entry `i` of the cost table is the code length of the middle of its bucket of
    /// probabilities, `(i + 0.5) / 4096`.
    #[test]
    fn cost_table_holds_the_code_length_of_each_bucket_middle() {
        let t = cost_table();
        assert_eq!(t[0], 13.0); // -log2(1/8192)
        assert_eq!(t[2047], (4096.0f64 / 2047.5).log2() as f32);
        assert_eq!(t[4095], (4096.0f64 / 4095.5).log2() as f32);
        assert!(t.windows(2).all(|w| w[0] > w[1]), "falls as p grows");
    }

    /// The tracked code length is the coder's output less its small flush overhead,
    /// counted only while tracking is on, and tracking changes no output byte.
    #[test]
    fn tracked_cost_matches_the_payload() {
        let text = b"It was the best of times, it was the worst of times. ".repeat(40);
        let cfg = Preset::Fast.config();
        let (mut on, mut off) = (
            NeuralEncoder::new(&cfg, &text).unwrap(),
            NeuralEncoder::new(&cfg, &text).unwrap(),
        );
        on.track_cost(true);
        let mut packed = 0;
        for part in text.chunks(500) {
            let (mut a, mut b) = (Vec::new(), Vec::new());
            on.encode_chunk(part, &mut a);
            off.encode_chunk(part, &mut b);
            assert_eq!(a, b);
            packed += a.len();
        }
        assert_eq!(off.cost_bits(), 0.0);
        // Each of the 5 chunks' flush adds at most a few bytes to the ideal length.
        let ideal = on.cost_bits() / 8.0;
        assert!(
            ideal > packed as f64 - 5.0 * 5.0 && ideal < packed as f64,
            "ideal {ideal:.1} bytes, payload {packed}"
        );
        // The tree choice, coded first at p = 1/2, costs exactly one bit: all that an
        // empty first chunk costs.
        let mut choice = NeuralEncoder::new(&cfg, &text).unwrap();
        choice.track_cost(true);
        choice.encode_chunk(b"", &mut Vec::new());
        assert_eq!(choice.cost_bits(), 1.0);
        // Tracking can be turned off again: the count stops there.
        on.track_cost(false);
        let before = on.cost_bits();
        on.encode_chunk(b"more text", &mut Vec::new());
        assert_eq!(on.cost_bits(), before);
    }

    /// Codes `data` in chunks of `chunk` with `cfg`; returns the payloads and the
    /// encoder's model tree (plain or not).
    fn encode_all(cfg: &ModelConfig, data: &[u8], chunk: usize) -> (Vec<Vec<u8>>, bool) {
        let mut enc = NeuralEncoder::new(cfg, &data[..data.len().min(chunk)]).unwrap();
        let payloads = data
            .chunks(chunk)
            .map(|part| {
                let mut out = Vec::new();
                enc.encode_chunk(part, &mut out);
                out
            })
            .collect();
        (payloads, enc.model().codes().is_plain())
    }

    fn decode_all(cfg: &ModelConfig, payloads: &[Vec<u8>], data: &[u8], chunk: usize) -> Vec<u8> {
        let mut dec = NeuralDecoder::new(cfg).unwrap();
        let mut back = Vec::new();
        for (payload, part) in payloads.iter().zip(data.chunks(chunk)) {
            dec.decode_chunk(payload, part.len(), &mut back).unwrap();
        }
        back
    }

    /// With text codes on, text is coded in a tree of its own and binary data in the
    /// plain one, both round trip, and the tree takes fewer decisions for little more
    /// output; with them off the plain tree codes text too.
    #[test]
    fn text_codes_choose_the_tree_by_the_data_and_round_trip() {
        // Text the fast preset's priming (the first block) has not read.
        let text = crate::model::prime::text(3)[70_000..140_000].to_vec();
        let binary: Vec<u8> = (0..70_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
            .collect();
        let fast = Preset::Fast.config().fitted(Some(70_000));
        assert!(fast.text_codes);
        let mut plain_cfg = fast.clone();
        plain_cfg.text_codes = false;
        for (data, tree) in [(&text, true), (&binary, false)] {
            let (payloads, plain) = encode_all(&fast, data, 65_536);
            assert_eq!(plain, !tree);
            assert_eq!(&decode_all(&fast, &payloads, data, 65_536), data);
            let (plain_payloads, plain) = encode_all(&plain_cfg, data, 65_536);
            assert!(plain);
            assert_eq!(&decode_all(&plain_cfg, &plain_payloads, data, 65_536), data);
            let (a, b) = (
                payloads.iter().map(Vec::len).sum::<usize>(),
                plain_payloads.iter().map(Vec::len).sum::<usize>(),
            );
            if tree {
                // Priming helps the text either way; the tree costs a little.
                assert!(a > b && a < b + b / 20, "own tree {a}, plain {b}");
            } else {
                // The same model and tree: only the coded choice differs.
                assert!(a.abs_diff(b) <= 1, "{a} against {b}");
            }
        }
    }

    /// The choice and the tree's description come first, before the first chunk's
    /// bytes, and cost one bit each (an empty first chunk costs nothing else): a
    /// decoder whose config says nothing of them reads them as data, and a flipped
    /// first bit of the payload turns the tree round, so neither gives the text back.
    #[test]
    fn the_tree_is_coded_and_read_first() {
        let text = crate::model::prime::text(2)[65_536..131_072].to_vec();
        let fast = Preset::Fast.config().fitted(Some(text.len() as u64));
        let (payloads, plain) = encode_all(&fast, &text, text.len());
        assert!(!plain);
        let present = ByteCodes::classes(&text)
            .iter()
            .filter(|&&k| k != 0)
            .count();
        let mut first = NeuralEncoder::new(&fast, &text).unwrap();
        first.track_cost(true);
        first.encode_chunk(b"", &mut Vec::new());
        assert_eq!(first.cost_bits(), (1 + 256 + 4 * present) as f64);
        let mut other = fast.clone();
        other.text_codes = false;
        let mut back = Vec::new();
        let got =
            NeuralDecoder::new(&other)
                .unwrap()
                .decode_chunk(&payloads[0], text.len(), &mut back);
        assert!(got.is_err() || back != text);
        let mut flipped = payloads[0].clone();
        flipped[1] ^= 0x80;
        let mut back = Vec::new();
        let got = NeuralDecoder::new(&fast)
            .unwrap()
            .decode_chunk(&flipped, text.len(), &mut back);
        assert!(got.is_err() || back != text);
        assert_eq!(decode_all(&fast, &payloads, &text, text.len()), text);
    }

    /// The longest description (every byte value present) fits in
    /// [`TREE_PREFIX_LEN`] bytes, which `nnzip info` reads, with room to spare: the
    /// tree read from that prefix is the tree, down to the last class bit.
    #[test]
    fn the_longest_tree_fits_the_prefix() {
        // Every class 16 (bits 1111), so that the last decisions are ones, which the
        // zeros a decoder reads past its input cannot stand in for; then the same
        // with the last byte's class 15.
        for last in [16u8, 15] {
            let mut classes = [16u8; 256];
            classes[255] = last;
            let mut enc = Encoder::with_buffer(Vec::new());
            assert_eq!(write_tree(&mut enc, Some(&classes)), 1 + 256 * 5);
            let payload = enc.finish();
            let tree = ByteCodes::from_classes(&classes).expect("a flat tree");
            assert!(payload.len() <= TREE_PREFIX_LEN, "{}", payload.len());
            let mut padded = payload.clone();
            padded.resize(TREE_PREFIX_LEN + 8, 0xff);
            assert_eq!(peek_tree(&padded[..TREE_PREFIX_LEN]).unwrap(), tree);
            // The shortest prefix that gives the tree: the encoder's 165 bytes are
            // more than the decoder needs (162 here).
            let need = (0..=TREE_PREFIX_LEN)
                .find(|&n| peek_tree(&padded[..n]).ok().as_ref() == Some(&tree));
            assert!(need.is_some_and(|n| n <= payload.len()), "{need:?}");
        }
    }

    /// A description whose tree is deeper than any writer makes is refused.
    #[test]
    fn a_tree_too_deep_is_refused() {
        // Bytes 0..16 at weight classes 1 to 16 under 240 bytes of class 16: a chain
        // of 16 joins (see the codes' flattening test).
        let classes: [u8; 256] = std::array::from_fn(|b| (b as u8).saturating_add(1).min(16));
        assert!(ByteCodes::from_classes(&classes).is_none());
        let mut enc = Encoder::with_buffer(Vec::new());
        write_tree(&mut enc, Some(&classes));
        let payload = enc.finish();
        let cfg = Preset::Fast.config();
        let got = NeuralDecoder::new(&cfg)
            .unwrap()
            .decode_chunk(&payload, 0, &mut Vec::new());
        assert!(
            matches!(got, Err(Error::Corrupt(CorruptError::TreeTooDeep))),
            "{got:?}"
        );
        // The same description with every class halved (rounding up) decodes.
        let mut enc = Encoder::with_buffer(Vec::new());
        write_tree(&mut enc, Some(&classes.map(|k| k.div_ceil(2))));
        let payload = enc.finish();
        assert!(NeuralDecoder::new(&cfg)
            .unwrap()
            .decode_chunk(&payload, 0, &mut Vec::new())
            .is_ok());
    }
}
