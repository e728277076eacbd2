//! `nnzip::Encoder` (`impl Write`) and `nnzip::Decoder` (`impl Read`): round trips with
//! writes and reads of every small size, both codecs, and the errors a damaged stream
//! gives (nnzip's own error inside an `io::Error` of kind `InvalidData`).

use nnzip::error::ConfigError;
use nnzip::format::Kind;
use nnzip::{Codec, Decoder, Encoder, Error, Preset};
use std::io::{self, Read, Write};

fn fast() -> Codec {
    let mut cfg = Preset::Fast.config();
    cfg.table_bits = 12;
    cfg.prime = 0;
    Codec::Neural(cfg)
}

fn text(n: usize) -> Vec<u8> {
    let mut x = 7u32;
    (0..n)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            b"abcdefgh ,.\n"[(x >> 16) as usize % 12]
        })
        .collect()
}

/// Writes `data` in pieces of `step` bytes and returns the finished stream.
fn encode(codec: &Codec, data: &[u8], step: usize) -> Vec<u8> {
    let mut enc = Encoder::with_codec(Vec::new(), codec).unwrap();
    assert_eq!(enc.kind(), codec.kind());
    for piece in data.chunks(step) {
        enc.write_all(piece).unwrap();
    }
    enc.flush().unwrap();
    enc.finish().unwrap()
}

/// Reads a stream back with reads of `step` bytes.
fn decode(packed: &[u8], step: usize) -> io::Result<Vec<u8>> {
    let mut dec = Decoder::new(packed).map_err(io::Error::other)?;
    let mut out = Vec::new();
    let mut buf = vec![0u8; step];
    loop {
        let n = dec.read(&mut buf)?;
        if n == 0 {
            return Ok(out);
        }
        out.extend_from_slice(&buf[..n]);
    }
}

#[test]
fn round_trips_at_every_small_step_for_both_codecs() {
    let data = text(3_000);
    for codec in [fast(), Codec::Lzw { max_bits: 12 }] {
        let whole = encode(&codec, &data, data.len());
        assert_eq!(nnzip::decompress_bytes(&whole).unwrap(), data);
        for step in [1, 2, 3, 7, 64, 1000] {
            let packed = encode(&codec, &data, step);
            assert_eq!(
                decode(&packed, step).unwrap(),
                data,
                "{codec:?} step {step}"
            );
        }
        assert_eq!(
            Decoder::new(&whole[..]).unwrap().kind(),
            codec.kind(),
            "{codec:?}"
        );
    }
}

#[test]
fn default_encoder_and_empty_streams() {
    let packed = Encoder::new(Vec::new()).unwrap().finish().unwrap();
    let dec = Decoder::new(&packed[..]).unwrap();
    assert_eq!(dec.kind(), Kind::Nnz);
    assert_eq!(decode(&packed, 10).unwrap(), b"");
    let z = encode(&Codec::Lzw { max_bits: 16 }, b"", 1);
    assert_eq!(decode(&z, 10).unwrap(), b"");
}

fn inner(e: &io::Error) -> Option<&Error> {
    e.get_ref().and_then(|i| i.downcast_ref::<Error>())
}

#[test]
fn damage_is_nnzips_error_inside_invalid_data() {
    let data = text(5_000);
    let packed = encode(&fast(), &data, 100);

    let mut bad_crc = packed.clone();
    let last = bad_crc.len() - 1;
    bad_crc[last] ^= 0x10;
    let e = decode(&bad_crc, 4096).unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::InvalidData);
    assert!(
        matches!(inner(&e), Some(Error::ChecksumMismatch { .. })),
        "{e:?}"
    );

    let cut = &packed[..packed.len() - 5];
    let e = decode(cut, 4096).unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::InvalidData);
    assert!(matches!(inner(&e), Some(Error::Truncated(_))), "{e:?}");

    let z = encode(&Codec::Lzw { max_bits: 16 }, &data, 100);
    let mut bad_z = z[..3].to_vec();
    bad_z.extend_from_slice(&[0xff, 0xff, 0xff, 0xff]);
    let e = decode(&bad_z, 4096).unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::InvalidData);
    assert!(matches!(inner(&e), Some(Error::Lzw(_))), "{e:?}");

    assert!(matches!(
        Decoder::new(&b"PK\x03\x04 not ours"[..]),
        Err(Error::BadMagic { .. })
    ));
    assert!(matches!(
        Encoder::with_codec(Vec::new(), &Codec::Lzw { max_bits: 17 }),
        Err(Error::InvalidConfig(ConfigError::Lzw(_)))
    ));
}

/// `Encoder::flush` reaches the caller's writer, for both codecs.
#[test]
fn flush_reaches_the_inner_writer() {
    /// A writer that counts its flushes.
    #[derive(Default)]
    struct Counted {
        data: Vec<u8>,
        flushes: usize,
    }
    impl Write for Counted {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.data.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            self.flushes += 1;
            Ok(())
        }
    }
    for codec in [fast(), Codec::Lzw { max_bits: 16 }] {
        let mut enc = Encoder::with_codec(Counted::default(), &codec).unwrap();
        enc.write_all(&text(5000)).unwrap();
        let before = enc.get_ref().flushes;
        enc.flush().unwrap();
        assert_eq!(enc.get_ref().flushes, before + 1, "{:?}", codec.kind());
        let packed = enc.finish().unwrap().data;
        assert_eq!(decode(&packed, 4096).unwrap(), text(5000));
    }
}
