//! Round trips of the `.Z` codec (random data, runs, every code width), the streams fed
//! in chunks of every size from 1 to 64 bytes, and corrupt input that must never panic.

use nnzip::lzw::{
    compress_bytes, decode_all, decompress_bytes, Decoder, Header, LzwDecoder, LzwEncoder,
    LzwError, HEADER_LEN,
};
use proptest::prelude::*;
use std::io::{self, Read, Write};

/// Text with repeats, long enough to fill the smaller tables.
fn text(len: usize) -> Vec<u8> {
    let words: [&[u8]; 8] = [
        b"lorem ",
        b"ipsum ",
        b"dolor ",
        b"sit ",
        b"amet,\n",
        b"consectetur ",
        b"adipiscing ",
        b"elit. ",
    ];
    let mut x = 0x9e37_79b9u32;
    let mut v = Vec::with_capacity(len + 16);
    while v.len() < len {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        v.extend_from_slice(words[(x % 8) as usize]);
        if x.is_multiple_of(5) {
            v.push((x >> 24) as u8);
        }
    }
    v.truncate(len);
    v
}

/// A reader that hands out at most `step` bytes per call.
struct Trickle<'a> {
    data: &'a [u8],
    step: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.step.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// Decodes through every layer and checks that they agree; never panics by contract.
fn decode_every_way(z: &[u8]) -> Result<Vec<u8>, LzwError> {
    let whole = decompress_bytes(z);
    let mut via_all = Vec::new();
    let all = decode_all(z, &mut via_all);
    let mut via_read = Vec::new();
    let read = LzwDecoder::new(Trickle { data: z, step: 7 }).map(|mut d| {
        let mut buf = [0u8; 13];
        loop {
            match d.read(&mut buf) {
                Ok(0) => return Ok(()),
                Ok(n) => via_read.extend_from_slice(&buf[..n]),
                Err(e) => return Err(e),
            }
        }
    });
    match &whole {
        Ok(v) => {
            assert_eq!(&via_all, v);
            assert_eq!(&via_read, v);
            assert!(all.is_ok());
            assert!(matches!(read, Ok(Ok(()))));
        }
        Err(e) => {
            assert!(
                matches!(&all, Err(nnzip::Error::Lzw(x)) if x == e),
                "{all:?} vs {e:?}"
            );
            match read {
                Err(nnzip::Error::Lzw(x)) => assert_eq!(&x, e),
                Ok(Err(io_err)) => {
                    let x = io_err.get_ref().and_then(|x| x.downcast_ref::<LzwError>());
                    assert_eq!(x, Some(e));
                }
                other => panic!("streams disagree: {e:?} vs {:?}", other.map(|_| ())),
            }
            // Every layer hands out all the output that came before the error.
            assert_eq!(via_all, via_read);
        }
    }
    whole
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_bytes_round_trip(data in proptest::collection::vec(any::<u8>(), 0..4000),
                               bits in 9u8..=16) {
        let z = compress_bytes(&data, bits);
        prop_assert_eq!(decompress_bytes(&z).unwrap(), data);
    }

    #[test]
    fn runs_round_trip(runs in proptest::collection::vec((any::<u8>(), 1usize..400), 0..200),
                       bits in 9u8..=16) {
        let data: Vec<u8> = runs.iter().flat_map(|&(b, n)| std::iter::repeat_n(b, n)).collect();
        let z = compress_bytes(&data, bits);
        prop_assert_eq!(decompress_bytes(&z).unwrap(), data);
    }

    #[test]
    fn small_alphabet_fills_tables(data in proptest::collection::vec(0u8..6, 0..60_000),
                                   bits in 9u8..=16) {
        let z = compress_bytes(&data, bits);
        prop_assert_eq!(decompress_bytes(&z).unwrap(), data);
    }

    #[test]
    fn mutated_streams_never_panic(seed in any::<u64>(), bits in 9u8..=16,
                                   edits in proptest::collection::vec((any::<usize>(), any::<u8>(), 0u8..4), 1..6)) {
        let mut z = compress_bytes(&text(2000 + (seed % 3000) as usize), bits);
        for (pos, val, kind) in edits {
            let at = HEADER_LEN + pos % (z.len() - HEADER_LEN).max(1);
            match kind {
                0 if at < z.len() => z[at] ^= 1 << (val % 8),
                1 if at < z.len() => z[at] = val,
                2 => z.truncate(at.min(z.len())),
                _ => z.insert(at.min(z.len()), val),
            }
        }
        let _ = decode_every_way(&z);
    }

    #[test]
    fn random_bytes_after_magic_never_panic(flags in prop_oneof![
                                                (9u8..=16).prop_map(|b| b | 0x80),
                                                9u8..=16,
                                                any::<u8>(),
                                            ],
                                            body in proptest::collection::vec(any::<u8>(), 0..3000)) {
        let mut z = vec![0x1f, 0x9d, flags];
        z.extend_from_slice(&body);
        let _ = decode_every_way(&z);
    }
}

#[test]
fn truncations_never_panic() {
    for bits in [9, 12, 16] {
        let z = compress_bytes(&text(20_000), bits);
        for len in 0..z.len().min(600) {
            let _ = decode_every_way(&z[..len]);
        }
        for len in (600..z.len()).step_by(97) {
            let out = decode_every_way(&z[..len]).expect("a cut stream decodes a prefix");
            assert!(text(20_000).starts_with(&out));
        }
    }
}

#[test]
fn streams_with_every_chunk_size() {
    let data = text(3000);
    for bits in [9, 16] {
        let whole = compress_bytes(&data, bits);
        for chunk in 1..=64 {
            let mut enc = LzwEncoder::new(Vec::new(), bits).unwrap();
            for piece in data.chunks(chunk) {
                enc.write_all(piece).unwrap();
            }
            let z = enc.finish().unwrap();
            assert_eq!(z, whole, "write chunks of {chunk}");

            let mut dec = LzwDecoder::new(Trickle {
                data: &whole,
                step: chunk,
            })
            .unwrap();
            let mut back = Vec::new();
            let mut buf = vec![0u8; chunk];
            loop {
                let n = dec.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                back.extend_from_slice(&buf[..n]);
            }
            assert_eq!(back, data, "read chunks of {chunk}");
        }
    }
}

#[test]
fn raw_decoder_with_every_input_split() {
    let data = text(5000);
    let z = compress_bytes(&data, 16);
    let header = Header::parse(&z).unwrap();
    for split in HEADER_LEN..z.len() {
        let mut dec = Decoder::new(header);
        let mut out = vec![0u8; data.len() + 16];
        let mut n = 0;
        for part in [&z[HEADER_LEN..split], &z[split..], &[]] {
            let mut inp = part;
            loop {
                let st = dec.decode(inp, &mut out[n..]);
                st.result.unwrap();
                n += st.written;
                inp = &inp[st.consumed..];
                if inp.is_empty() && st.written == 0 {
                    break;
                }
            }
        }
        assert_eq!(&out[..n], &data[..], "split at {split}");
    }
}
