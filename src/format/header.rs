//! The fixed 47-byte `.nnz` header: what it holds, how it is written, and the order
//! in which a reader checks it (magic, version, header CRC, codec, flags, model
//! configuration, segment length), all before the model allocates anything.

use super::{
    le_u32, read_full, CODEC_NEURAL, HEADER_LEN, MAGIC, MAX_SEGMENT_LEN, MIN_SEGMENT_LEN,
    UNKNOWN_LEN, VERSION,
};
use crate::error::{ConfigError, Error, HeaderError, Result, Section, TruncatedError};
use crate::model::config::ENCODED_LEN;
use crate::model::ModelConfig;
use std::io::{Read, Write};

/// Offset of the model configuration in the header.
const CONFIG_AT: usize = 7;
/// Offset of the original length.
const LEN_AT: usize = CONFIG_AT + ENCODED_LEN;
/// Offset of the segment length.
const SEGMENT_AT: usize = LEN_AT + 8;
/// Offset of the header CRC-32 (computed over every byte before it).
const CRC_AT: usize = SEGMENT_AT + 4;

const _: () = assert!(CRC_AT + 4 == HEADER_LEN);

/// The fields of a `.nnz` header.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    /// Container version (always [`VERSION`] for a header this build read or wrote).
    pub version: u8,
    /// Codec id ([`CODEC_NEURAL`]).
    pub codec: u8,
    /// Flags byte; every bit is reserved and zero (in versions 1 and 2).
    pub flags: u8,
    /// The model configuration, seed included.
    pub config: ModelConfig,
    /// The original length if it was known when compression started.
    pub original_len: Option<u64>,
    /// Original bytes per segment (every segment but the last holds exactly this
    /// many; each is coded by a fresh model).
    pub segment_len: u32,
}

impl Header {
    /// A header of the current version ([`VERSION`]) for the neural codec.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] if `config` is out of range, `original_len` is the
    /// reserved value [`UNKNOWN_LEN`], `segment_len` is outside
    /// [`MIN_SEGMENT_LEN`]`..=`[`MAX_SEGMENT_LEN`] or shorter than the priming text
    /// the configuration reads.
    pub fn new(config: &ModelConfig, original_len: Option<u64>, segment_len: u32) -> Result<Self> {
        config.validate()?;
        if original_len == Some(UNKNOWN_LEN) {
            return Err(Error::InvalidConfig(ConfigError::ReservedLength));
        }
        check_segment_len(u64::from(segment_len))?;
        if let Some(prime) = prime_longer_than_segment(config, segment_len) {
            return Err(Error::InvalidConfig(ConfigError::PrimeLongerThanSegment {
                prime,
                segment: segment_len,
            }));
        }
        Ok(Header {
            version: VERSION,
            codec: CODEC_NEURAL,
            flags: 0,
            config: config.clone(),
            original_len,
            segment_len,
        })
    }

    /// The header's exact bytes.
    pub fn to_bytes(&self) -> [u8; HEADER_LEN] {
        let mut b = [0u8; HEADER_LEN];
        b[..4].copy_from_slice(&MAGIC);
        b[4] = self.version;
        b[5] = self.codec;
        b[6] = self.flags;
        let mut cfg = Vec::with_capacity(ENCODED_LEN);
        // Writing into a Vec cannot fail.
        let _ = self.config.write_to(&mut cfg);
        b[CONFIG_AT..LEN_AT].copy_from_slice(&cfg);
        b[LEN_AT..SEGMENT_AT]
            .copy_from_slice(&self.original_len.unwrap_or(UNKNOWN_LEN).to_le_bytes());
        b[SEGMENT_AT..CRC_AT].copy_from_slice(&self.segment_len.to_le_bytes());
        let crc = crc32fast::hash(&b[..CRC_AT]);
        b[CRC_AT..].copy_from_slice(&crc.to_le_bytes());
        b
    }

    /// Writes the header.
    ///
    /// # Errors
    /// Any I/O error of `w`.
    pub fn write_to<W: Write + ?Sized>(&self, w: &mut W) -> Result<()> {
        w.write_all(&self.to_bytes())?;
        Ok(())
    }

    /// Reads and checks a header, in this order: magic ([`Error::BadMagic`]), version
    /// ([`Error::UnsupportedVersion`]), header CRC, codec id ([`Error::UnknownCodec`]),
    /// reserved flags, model configuration limits and segment length
    /// ([`Error::InvalidHeader`]).
    /// An early end of input anywhere is [`Error::Truncated`].
    ///
    /// # Errors
    /// As listed above, and I/O errors of `r`.
    pub fn read_from<R: Read + ?Sized>(r: &mut R) -> Result<Self> {
        let mut b = [0u8; HEADER_LEN];
        let n = read_full(r, &mut b[..4])?;
        if b[..n] != MAGIC[..n] {
            return Err(Error::BadMagic {
                found: b[..n].to_vec(),
            });
        }
        if n == 0 {
            return Err(Error::Truncated(TruncatedError::Empty));
        }
        if n < 4 {
            return Err(Error::Truncated(TruncatedError::Inside {
                section: Section::Magic,
                got: n,
                expected: 4,
            }));
        }
        // A cut after the magic counts, like the rest of the header, from its first
        // byte.
        let cut = |got| {
            Error::Truncated(TruncatedError::Inside {
                section: Section::Header,
                got,
                expected: HEADER_LEN,
            })
        };
        if read_full(r, &mut b[4..5])? == 0 {
            return Err(cut(4));
        }
        if b[4] != VERSION {
            return Err(Error::UnsupportedVersion {
                found: b[4],
                supported: VERSION,
            });
        }
        let n = read_full(r, &mut b[5..])?;
        if n < HEADER_LEN - 5 {
            return Err(cut(n + 5));
        }
        Self::parse_checked(&b)
    }

    /// Checks everything after the magic and version of a complete header.
    fn parse_checked(b: &[u8; HEADER_LEN]) -> Result<Self> {
        let mut crc = [0u8; 4];
        crc.copy_from_slice(&b[CRC_AT..]);
        let stored = u32::from_le_bytes(crc);
        let computed = crc32fast::hash(&b[..CRC_AT]);
        if stored != computed {
            return Err(Error::InvalidHeader(HeaderError::ChecksumMismatch {
                stored,
                computed,
            }));
        }
        if b[5] != CODEC_NEURAL {
            return Err(Error::UnknownCodec(b[5]));
        }
        if b[6] != 0 {
            return Err(Error::InvalidHeader(HeaderError::ReservedFlags(b[6])));
        }
        let config = ModelConfig::read_from(&mut &b[CONFIG_AT..LEN_AT])?;
        let mut len = [0u8; 8];
        len.copy_from_slice(&b[LEN_AT..SEGMENT_AT]);
        let len = u64::from_le_bytes(len);
        let segment_len = le_u32(b, SEGMENT_AT);
        if !(MIN_SEGMENT_LEN..=MAX_SEGMENT_LEN).contains(&segment_len) {
            return Err(Error::InvalidHeader(HeaderError::SegmentLen {
                got: segment_len,
                expected: MIN_SEGMENT_LEN..=MAX_SEGMENT_LEN,
            }));
        }
        if let Some(prime) = prime_longer_than_segment(&config, segment_len) {
            return Err(Error::InvalidHeader(HeaderError::PrimeLongerThanSegment {
                prime,
                segment: segment_len,
            }));
        }
        Ok(Header {
            version: b[4],
            codec: b[5],
            flags: b[6],
            config,
            original_len: (len != UNKNOWN_LEN).then_some(len),
            segment_len,
        })
    }
}

/// The length of the priming text `config` reads, if it is longer than a segment of
/// `segment_len` bytes: such a header is refused on writing and on reading. Every
/// segment but the last holds `segment_len` bytes, so a model's priming (done again
/// for every segment) never costs more than its segment: a file of many tiny
/// segments cannot make decoding crawl.
fn prime_longer_than_segment(config: &ModelConfig, segment_len: u32) -> Option<u32> {
    let prime = u32::try_from(config.prime_len()).unwrap_or(u32::MAX);
    (prime > segment_len).then_some(prime)
}

/// Checks a segment length given by a user: [`MIN_SEGMENT_LEN`]`..=`[`MAX_SEGMENT_LEN`].
///
/// # Errors
/// [`ConfigError::SegmentLen`] outside that range.
pub fn check_segment_len(len: u64) -> Result<u32> {
    match u32::try_from(len) {
        Ok(v) if (MIN_SEGMENT_LEN..=MAX_SEGMENT_LEN).contains(&v) => Ok(v),
        _ => Err(Error::InvalidConfig(ConfigError::SegmentLen {
            got: len,
            expected: MIN_SEGMENT_LEN..=MAX_SEGMENT_LEN,
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Preset;

    /// Rewrites the header CRC after a test has edited a field.
    fn reseal(b: &mut [u8; HEADER_LEN]) {
        let crc = crc32fast::hash(&b[..CRC_AT]);
        b[CRC_AT..].copy_from_slice(&crc.to_le_bytes());
    }

    fn read(b: &[u8]) -> Result<Header> {
        Header::read_from(&mut &b[..])
    }

    #[test]
    fn round_trip() {
        for len in [None, Some(0), Some(12345), Some(u64::MAX - 1)] {
            let h = Header::new(&Preset::Max.config(), len, 1 << 22).unwrap();
            let b = h.to_bytes();
            assert_eq!(b.len(), HEADER_LEN);
            assert_eq!(read(&b).unwrap(), h);
        }
        assert!(Header::new(&Preset::Fast.config(), Some(u64::MAX), 1 << 22).is_err());
        assert!(Header::new(&Preset::Fast.config(), None, MIN_SEGMENT_LEN - 1).is_err());
        assert!(Header::new(&Preset::Fast.config(), None, MAX_SEGMENT_LEN + 1).is_err());
    }

    #[test]
    fn every_field_is_checked() {
        let good = Header::new(&Preset::Fast.config(), Some(7), 1 << 22)
            .unwrap()
            .to_bytes();

        let mut b = good;
        b[0] = b'P';
        assert!(matches!(read(&b), Err(Error::BadMagic { .. })));

        // Newer versions, and version 1 (never released, no longer read), are refused
        // before anything else of the header is read.
        for v in [0, 1, VERSION + 1, 255] {
            let mut b = good;
            b[4] = v;
            reseal(&mut b);
            assert!(
                matches!(
                    read(&b),
                    Err(Error::UnsupportedVersion { found, supported: VERSION }) if found == v
                ),
                "version {v}"
            );
            assert!(
                matches!(read(&b[..5]), Err(Error::UnsupportedVersion { .. })),
                "version {v}, header cut after the version byte"
            );
        }

        let mut b = good;
        b[5] = 9;
        assert!(matches!(
            read(&b),
            Err(Error::InvalidHeader(HeaderError::ChecksumMismatch { stored, computed }))
                if stored != computed
        ));
        reseal(&mut b);
        assert!(matches!(read(&b), Err(Error::UnknownCodec(9))));

        let mut b = good;
        b[6] = 0x80;
        reseal(&mut b);
        assert!(matches!(
            read(&b),
            Err(Error::InvalidHeader(HeaderError::ReservedFlags(0x80)))
        ));

        let mut b = good;
        b[CONFIG_AT + 3] = 40; // table bits far above the limit
        reseal(&mut b);
        assert!(matches!(
            read(&b),
            Err(Error::InvalidHeader(HeaderError::Config(
                ConfigError::TableBits { got: 40, .. }
            )))
        ));

        for bad in [0, MIN_SEGMENT_LEN - 1, MAX_SEGMENT_LEN + 1, u32::MAX] {
            let mut b = good;
            b[SEGMENT_AT..CRC_AT].copy_from_slice(&bad.to_le_bytes());
            reseal(&mut b);
            assert!(matches!(
                read(&b),
                Err(Error::InvalidHeader(HeaderError::SegmentLen { got, .. })) if got == bad
            ));
        }

        // The fast preset reads one 64 KiB block of priming text: a segment must hold
        // at least that much.
        let block = crate::model::prime::BLOCK as u32;
        let fast = Preset::Fast.config();
        assert!(Header::new(&fast, None, block).is_ok());
        assert!(matches!(
            Header::new(&fast, None, block - 1),
            Err(Error::InvalidConfig(ConfigError::PrimeLongerThanSegment {
                prime: 65_536,
                segment: 65_535
            }))
        ));
        let mut b = good;
        b[SEGMENT_AT..CRC_AT].copy_from_slice(&(block - 1).to_le_bytes());
        reseal(&mut b);
        assert!(matches!(
            read(&b),
            Err(Error::InvalidHeader(HeaderError::PrimeLongerThanSegment {
                prime: 65_536,
                segment: 65_535
            }))
        ));
        b[CONFIG_AT + 9] = 0; // no priming: any segment length
        reseal(&mut b);
        assert_eq!(read(&b).unwrap().segment_len, block - 1);

        for cut in 0..HEADER_LEN {
            assert!(
                matches!(read(&good[..cut]), Err(Error::Truncated(_))),
                "cut at {cut}"
            );
        }
    }

    /// A cut header says where it ends: nothing at all, inside the magic (with how
    /// much of it came), or inside the rest of the header.
    #[test]
    fn a_cut_header_names_the_part_it_ends_in() {
        let good = Header::new(&Preset::Fast.config(), Some(7), 1 << 22)
            .unwrap()
            .to_bytes();
        let section_of = |cut: usize| match read(&good[..cut]) {
            Err(Error::Truncated(TruncatedError::Empty)) => None,
            Err(Error::Truncated(TruncatedError::Inside {
                section,
                got,
                expected,
            })) => {
                assert_eq!(got, cut, "cut at {cut}: bytes present");
                Some((section, expected))
            }
            other => panic!("cut at {cut}: {other:?}"),
        };
        assert_eq!(section_of(0), None);
        for cut in 1..4 {
            assert_eq!(section_of(cut), Some((Section::Magic, 4)), "cut at {cut}");
        }
        for cut in 4..HEADER_LEN {
            assert_eq!(
                section_of(cut),
                Some((Section::Header, HEADER_LEN)),
                "cut at {cut}"
            );
        }
    }
}
