//! The codecs a benchmark can run, behind one small trait: nnzip's own codecs through
//! the public whole-stream API (the real end-to-end path, container included), the bare
//! neural core, and external compressors (in [`super::external`]). Tests plug in codecs
//! of their own through the same trait.

use crate::api::{self, Codec};
use crate::error::{CorruptError, Error, Result, TruncatedError};
use crate::model::{ModelConfig, Predictor, Preset};
use crate::neural::{NeuralDecoder, NeuralEncoder};

/// A compressor the benchmark can time and verify. Every method works on whole buffers.
pub trait BenchCodec {
    /// The name shown in the table's codec column, e.g. `nn-fast` or `gzip -9`.
    fn name(&self) -> &str;

    /// Compresses all of `input`.
    ///
    /// # Errors
    /// Whatever makes the codec fail.
    fn compress(&self, input: &[u8]) -> Result<Vec<u8>>;

    /// Decompresses what [`BenchCodec::compress`] produced.
    ///
    /// # Errors
    /// Whatever makes the codec fail, invalid data included.
    fn decompress(&self, packed: &[u8]) -> Result<Vec<u8>>;

    /// Whether the codec runs inside this process, so that this process's peak memory
    /// is its peak memory. External codecs say `false` and report their own peak
    /// through the `*_with_peak` methods.
    fn in_process(&self) -> bool {
        true
    }

    /// [`BenchCodec::compress`], plus the peak memory in bytes of the work where the
    /// codec can measure it itself (a child process); `None` otherwise.
    ///
    /// # Errors
    /// As [`BenchCodec::compress`].
    fn compress_with_peak(&self, input: &[u8]) -> Result<(Vec<u8>, Option<u64>)> {
        Ok((self.compress(input)?, None))
    }

    /// [`BenchCodec::decompress`], plus the peak memory as in
    /// [`BenchCodec::compress_with_peak`].
    ///
    /// # Errors
    /// As [`BenchCodec::decompress`].
    fn decompress_with_peak(&self, packed: &[u8]) -> Result<(Vec<u8>, Option<u64>)> {
        Ok((self.decompress(packed)?, None))
    }

    /// Memory held by the codec's model in bytes for an input of `input_len` bytes,
    /// where it has one.
    ///
    /// # Errors
    /// If the model cannot be built.
    fn model_memory(&self, input_len: u64) -> Result<Option<u64>> {
        let _ = input_len;
        Ok(None)
    }
}

/// An nnzip codec run through [`crate::api::compress`] and [`crate::api::decompress`]:
/// exactly what `nnzip compress` and `nnzip decompress` do, container and checksum
/// included.
#[derive(Debug, Clone)]
pub struct ApiCodec {
    name: String,
    codec: Codec,
}

impl ApiCodec {
    /// `codec` under the table name `name`.
    pub fn new(name: impl Into<String>, codec: Codec) -> Self {
        ApiCodec {
            name: name.into(),
            codec,
        }
    }

    /// The neural codec with preset `p`, named `nn-<preset>`.
    pub fn preset(p: Preset) -> Self {
        Self::new(format!("nn-{}", p.name()), Codec::Neural(p.config()))
    }

    /// nnzip's LZW with 16-bit codes (as `compress` writes it), named `lzw`.
    pub fn lzw() -> Self {
        Self::new("lzw", Codec::Lzw { max_bits: 16 })
    }
}

impl BenchCodec for ApiCodec {
    fn name(&self) -> &str {
        &self.name
    }

    fn compress(&self, input: &[u8]) -> Result<Vec<u8>> {
        // With the length, as `nnzip compress FILE` does: the model's table is
        // fitted to it.
        let mut out = Vec::with_capacity(input.len() / 2 + 64);
        api::compress_with_len(
            input,
            Some(input.len() as u64),
            &mut out,
            &self.codec,
            &mut |_| {},
        )?;
        Ok(out)
    }

    fn decompress(&self, packed: &[u8]) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(packed.len() * 3);
        api::decompress(packed, &mut out, &mut |_| {})?;
        Ok(out)
    }

    fn model_memory(&self, input_len: u64) -> Result<Option<u64>> {
        match &self.codec {
            Codec::Neural(cfg) => Ok(Some(
                Predictor::new(&cfg.fitted(Some(input_len)))?.memory_bytes() as u64,
            )),
            Codec::Lzw { .. } => Ok(None),
        }
    }
}

/// The neural core alone ([`NeuralEncoder`] / [`NeuralDecoder`]) without the container:
/// the packed form is the original length (8 bytes, little endian) followed by one
/// coded chunk. Shows what the model costs apart from the framing, and works before the
/// whole-stream API does.
#[derive(Debug, Clone)]
pub struct CoreCodec {
    name: String,
    cfg: ModelConfig,
}

impl CoreCodec {
    /// The neural core with `cfg`, under the table name `name`.
    pub fn new(name: impl Into<String>, cfg: ModelConfig) -> Self {
        CoreCodec {
            name: name.into(),
            cfg,
        }
    }

    /// The neural core with preset `p`, named `core-<preset>`.
    pub fn preset(p: Preset) -> Self {
        Self::new(format!("core-{}", p.name()), p.config())
    }
}

impl BenchCodec for CoreCodec {
    fn name(&self) -> &str {
        &self.name
    }

    fn compress(&self, input: &[u8]) -> Result<Vec<u8>> {
        let mut out = (input.len() as u64).to_le_bytes().to_vec();
        NeuralEncoder::new(&self.cfg.fitted(Some(input.len() as u64)), input)?
            .encode_chunk(input, &mut out);
        Ok(out)
    }

    fn decompress(&self, packed: &[u8]) -> Result<Vec<u8>> {
        let (len, payload) = packed
            .split_first_chunk::<8>()
            .ok_or(Error::Truncated(TruncatedError::LengthPrefix))?;
        let len = u64::from_le_bytes(*len);
        let len =
            usize::try_from(len).map_err(|_| Error::Corrupt(CorruptError::LengthOverflow(len)))?;
        let mut out = Vec::new();
        NeuralDecoder::new(&self.cfg.fitted(Some(len as u64)))?
            .decode_chunk(payload, len, &mut out)?;
        Ok(out)
    }

    fn model_memory(&self, input_len: u64) -> Result<Option<u64>> {
        Ok(Some(
            Predictor::new(&self.cfg.fitted(Some(input_len)))?.memory_bytes() as u64,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_codec_round_trips() {
        let c = CoreCodec::preset(Preset::Fast);
        let text = b"abracadabra, abracadabra! ".repeat(50);
        let packed = c.compress(&text).unwrap();
        assert!(packed.len() < text.len());
        assert_eq!(c.decompress(&packed).unwrap(), text);
        assert!(c.decompress(&packed[..4]).is_err());
        assert_eq!(c.decompress(&c.compress(b"").unwrap()).unwrap(), b"");
    }
}
