//! Unit tests of the `.Z` codec: fixed vectors written by `compress`, headers, every
//! error, and the rare code paths (KwKwK, CLEAR, non-block mode, small buffers).

use super::*;
use std::io::{Read, Write};

/// `compress -c` of "TOBEORNOTTOBEORTOBEORNOT" (ncompress 4.2.4.6).
const TOBE_Z: [u8; 21] = [
    0x1f, 0x9d, 0x90, 0x54, 0x9e, 0x08, 0x29, 0xf2, 0x44, 0x8a, 0x93, 0x27, 0x54, 0x02, 0x0e, 0x2c,
    0xa8, 0x90, 0xa0, 0x41, 0x84,
];
/// `compress -c` of "aaaaaaaaaa": the KwKwK case twice.
const A10_Z: [u8; 8] = [0x1f, 0x9d, 0x90, 0x61, 0x02, 0x0a, 0x1c, 0x08];

/// Packs codes LSB first as `compress` does, for hand-made streams.
struct Bits {
    out: Vec<u8>,
    acc: u64,
    n: u32,
    /// Bits since the group origin.
    since_origin: u64,
}

impl Bits {
    fn new(flags: u8) -> Self {
        Bits {
            out: vec![0x1f, 0x9d, flags],
            acc: 0,
            n: 0,
            since_origin: 0,
        }
    }
    fn put(mut self, code: u32, width: u32) -> Self {
        self.acc |= u64::from(code) << self.n;
        self.n += width;
        self.since_origin += u64::from(width);
        while self.n >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
        self
    }
    fn pad(mut self, width: u32) -> Self {
        let group = u64::from(width) * 8;
        let rest = (group - self.since_origin % group) % group;
        for _ in 0..rest {
            self = self.put(0, 1);
        }
        self.since_origin = 0;
        self
    }
    fn done(mut self) -> Vec<u8> {
        if self.n > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }
}

#[test]
fn matches_compress_vectors() {
    assert_eq!(compress_bytes(b"TOBEORNOTTOBEORTOBEORNOT", 16), TOBE_Z);
    assert_eq!(compress_bytes(b"aaaaaaaaaa", 16), A10_Z);
    assert_eq!(compress_bytes(b"", 16), [0x1f, 0x9d, 0x90]);
    let mut b12 = TOBE_Z;
    b12[2] = 0x8c;
    assert_eq!(compress_bytes(b"TOBEORNOTTOBEORTOBEORNOT", 12), b12);
    assert_eq!(
        decompress_bytes(&TOBE_Z).unwrap(),
        b"TOBEORNOTTOBEORTOBEORNOT"
    );
    assert_eq!(decompress_bytes(&A10_Z).unwrap(), b"aaaaaaaaaa");
    assert_eq!(decompress_bytes(&[0x1f, 0x9d, 0x90]).unwrap(), b"");
}

#[test]
fn header_parse_and_errors() {
    assert_eq!(
        Header::parse(&[0x1f, 0x9d, 0x90]),
        Ok(Header {
            max_bits: 16,
            block_mode: true
        })
    );
    assert_eq!(
        Header::parse(&[0x1f, 0x9d, 0x09, 0xff]),
        Ok(Header {
            max_bits: 9,
            block_mode: false
        })
    );
    assert_eq!(
        Header::parse(&[0x1f, 0x8b, 0x08]),
        Err(LzwError::BadMagic {
            found: vec![0x1f, 0x8b]
        })
    );
    assert_eq!(
        Header::parse(b"x"),
        Err(LzwError::BadMagic { found: vec![b'x'] })
    );
    assert_eq!(
        Header::parse(&[]),
        Err(LzwError::TruncatedHeader { found: 0 })
    );
    assert_eq!(
        Header::parse(&[0x1f]),
        Err(LzwError::TruncatedHeader { found: 1 })
    );
    assert_eq!(
        Header::parse(&[0x1f, 0x9d]),
        Err(LzwError::TruncatedHeader { found: 2 })
    );
    assert_eq!(
        Header::parse(&[0x1f, 0x9d, 0xb0]),
        Err(LzwError::ReservedFlags {
            flags: 0xb0,
            reserved: 0x20
        })
    );
    assert_eq!(
        Header::parse(&[0x1f, 0x9d, 0xd0]),
        Err(LzwError::ReservedFlags {
            flags: 0xd0,
            reserved: 0x40
        })
    );
    assert_eq!(
        Header::parse(&[0x1f, 0x9d, 0x91]),
        Err(LzwError::MaxBits { found: 17 })
    );
    assert_eq!(
        Header::parse(&[0x1f, 0x9d, 0x88]),
        Err(LzwError::MaxBits { found: 8 })
    );
    assert_eq!(
        Header::new(12).map(Header::to_bytes),
        Ok([0x1f, 0x9d, 0x8c])
    );
    assert!(Header::new(17).is_err());
    assert!(Encoder::new(8).is_err());
    assert!(matches!(
        LzwEncoder::new(Vec::new(), 17),
        Err(LzwError::MaxBits { found: 17 })
    ));
    // The messages name what was found.
    let msg = LzwError::MaxBits { found: 17 }.to_string();
    assert!(msg.contains("17") && msg.contains("16"), "{msg}");
}

#[test]
#[should_panic(expected = "maximum code width 8")]
fn compress_bytes_rejects_bad_width() {
    let _ = compress_bytes(b"x", 8);
}

#[test]
fn invalid_first_codes() {
    for code in [256, 257, 300, 511] {
        let z = Bits::new(0x90).put(code, 9).done();
        assert_eq!(
            decompress_bytes(&z),
            Err(LzwError::InvalidFirstCode { code }),
            "first code {code}"
        );
    }
}

#[test]
fn code_beyond_table() {
    let z = Bits::new(0x90).put(97, 9).put(300, 9).done();
    assert_eq!(
        decompress_bytes(&z),
        Err(LzwError::CodeBeyondTable {
            code: 300,
            next_free: 257,
            bit_offset: 24 + 9
        })
    );
    // After a CLEAR the next free entry is 256 again (as in `compress -d`).
    let z = Bits::new(0x90)
        .put(97, 9)
        .put(98, 9)
        .put(256, 9)
        .pad(9)
        .put(257, 9)
        .done();
    assert!(matches!(
        decompress_bytes(&z),
        Err(LzwError::CodeBeyondTable {
            code: 257,
            next_free: 256,
            ..
        })
    ));
}

#[test]
fn kwkwk_and_clear_with_padding() {
    // "a", then entry 257 = "aa" used as it is being defined.
    let z = Bits::new(0x90).put(97, 9).put(257, 9).done();
    assert_eq!(decompress_bytes(&z).unwrap(), b"aaa");
    // CLEAR is followed by zero bits up to the end of its 8-code group.
    let z = Bits::new(0x90)
        .put(97, 9)
        .put(98, 9)
        .put(256, 9)
        .pad(9)
        .put(99, 9)
        .put(258, 9)
        .put(99, 9)
        .done();
    // After CLEAR, "c" defines the unused entry 256: 257 is next, 258 is beyond.
    assert!(decompress_bytes(&z).is_err());
    let z = Bits::new(0x90)
        .put(97, 9)
        .put(98, 9)
        .put(256, 9)
        .pad(9)
        .put(99, 9)
        .put(100, 9)
        .put(257, 9)
        .done();
    assert_eq!(decompress_bytes(&z).unwrap(), b"abcdcd");
}

#[test]
fn non_block_mode_streams_decode() {
    // Without block mode, 256 is an ordinary entry, the first one defined.
    let z = Bits::new(0x10).put(97, 9).put(256, 9).put(256, 9).done();
    assert_eq!(decompress_bytes(&z).unwrap(), b"aaaaa");
}

#[test]
fn trailing_partial_code_is_ignored() {
    let text = b"a partial last code is ignored, as compress -d ignores it";
    let z = compress_bytes(text, 16);
    let mut dropped_one = z.clone();
    dropped_one.pop();
    let out = decompress_bytes(&dropped_one).unwrap();
    assert!(text.starts_with(&out) && out.len() < text.len());
    // A header alone is an empty stream; a header cut short is an error.
    assert_eq!(decompress_bytes(&z[..3]).unwrap(), b"");
    assert_eq!(
        decompress_bytes(&z[..2]),
        Err(LzwError::TruncatedHeader { found: 2 })
    );
}

#[test]
fn errors_are_sticky() {
    let z = Bits::new(0x90).put(97, 9).put(400, 9).put(98, 9).done();
    let mut dec = Decoder::new(Header::parse(&z).unwrap());
    let mut out = [0u8; 16];
    let st = dec.decode(&z[3..], &mut out);
    assert_eq!(st.written, 1);
    assert!(st.result.is_err());
    let again = dec.decode(&z[3..], &mut out);
    assert_eq!((again.consumed, again.written), (0, 0));
    assert_eq!(again.result, st.result);
}

fn sample(len: usize) -> Vec<u8> {
    // Text-like with repeats, then noise, so that the table fills and gets cleared.
    let mut x = 0x1234_5678u32;
    let words: [&[u8]; 6] = [b"the ", b"quick ", b"brown ", b"fox ", b"jumps\n", b"over "];
    let mut v = Vec::with_capacity(len);
    while v.len() < len {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        if v.len() < len / 2 {
            v.extend_from_slice(words[(x % 6) as usize]);
        } else {
            v.push((x >> 24) as u8);
        }
    }
    v.truncate(len);
    v
}

#[test]
fn round_trips_every_width_through_table_resets() {
    let data = sample(400_000);
    for bits in MIN_BITS..=MAX_BITS {
        let z = compress_bytes(&data, bits);
        assert_eq!(z[2], 0x80 | bits);
        assert_eq!(decompress_bytes(&z).unwrap(), data, "max_bits {bits}");
    }
}

#[test]
fn nine_bit_mode_widens_to_ten_bits_when_full() {
    // 300 distinct pairs fill the 511-entry table; later codes must be 10 bits wide.
    let data: Vec<u8> = (0..3000u32).map(|i| (i * 7 % 251) as u8).collect();
    let z = compress_bytes(&data, 9);
    assert_eq!(decompress_bytes(&z).unwrap(), data);
    // Ends exactly where the widening is due: the last code must be widened too.
    for len in 250..300 {
        let z = compress_bytes(&data[..len], 9);
        assert_eq!(decompress_bytes(&z).unwrap(), &data[..len], "len {len}");
    }
}

#[test]
fn small_buffers_give_the_same_bytes() {
    let data = sample(30_000);
    let whole = compress_bytes(&data, 16);
    for out_len in [1, 2, 3, 7, 63, 64, 65, 200] {
        let mut enc = Encoder::new(16).unwrap();
        let mut z = Header::new(16).unwrap().to_bytes().to_vec();
        let mut buf = vec![0u8; out_len];
        let mut rest = &data[..];
        while !rest.is_empty() {
            let (c, w) = enc.encode(rest, &mut buf);
            z.extend_from_slice(&buf[..w]);
            rest = &rest[c..];
        }
        loop {
            let (w, done) = enc.finish(&mut buf);
            z.extend_from_slice(&buf[..w]);
            if done {
                break;
            }
        }
        assert_eq!(z, whole, "encoder output buffer {out_len}");

        let mut dec = Decoder::new(Header::parse(&whole).unwrap());
        let mut back = Vec::new();
        let mut rest = &whole[3..];
        loop {
            let st = dec.decode(rest, &mut buf);
            st.result.unwrap();
            back.extend_from_slice(&buf[..st.written]);
            rest = &rest[st.consumed..];
            if st.written == 0 && rest.is_empty() {
                break;
            }
        }
        assert_eq!(back, data, "decoder output buffer {out_len}");
    }
}

/// Decodes the `.Z` stream `z`, handing the decoder its code bytes in pieces of
/// `step` bytes; returns the output and the decoder (for its counts).
fn decode_in_pieces(z: &[u8], step: usize, out_len: usize) -> (Vec<u8>, Decoder) {
    let mut dec = Decoder::new(Header::parse(z).unwrap());
    let mut out = vec![0u8; out_len];
    let mut n = 0;
    for piece in z[HEADER_LEN..].chunks(step) {
        let mut inp = piece;
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
    out.truncate(n);
    (out, dec)
}

#[test]
fn decoder_input_one_byte_at_a_time() {
    let data = sample(20_000);
    let z = compress_bytes(&data, 16);
    let (out, dec) = decode_in_pieces(&z, 1, 100_000);
    assert_eq!(out, data);
    // Every byte after the header was taken, and counted.
    assert_eq!(dec.bytes_in(), (z.len() - HEADER_LEN) as u64);
}

/// Input in pieces of every small size, so that pieces end inside the padding that
/// follows each change of code width.
#[test]
fn decoder_input_in_pieces_of_every_small_size() {
    let data = sample(30_000);
    for bits in [12, 16] {
        let z = compress_bytes(&data, bits);
        for step in 2..=17 {
            let (out, _) = decode_in_pieces(&z, step, data.len() + 1);
            assert_eq!(out, data, "{bits} bits, pieces of {step}");
        }
    }
}

#[test]
fn streams_and_typed_errors() {
    let data = sample(50_000);
    let mut enc = LzwEncoder::new(Vec::new(), 16).unwrap();
    enc.write_all(&data).unwrap();
    assert_eq!(enc.bytes_in(), data.len() as u64);
    let z = enc.finish().unwrap();
    assert_eq!(z, compress_bytes(&data, 16));

    let mut back = Vec::new();
    assert_eq!(decode_all(&z[..], &mut back).unwrap(), data.len() as u64);
    assert_eq!(back, data);
    let mut dec = LzwDecoder::new(&z[..]).unwrap();
    let mut back = Vec::new();
    dec.read_to_end(&mut back).unwrap();
    assert_eq!((back.len(), dec.bytes_in()), (data.len(), z.len() as u64));

    let bad = Bits::new(0x90).put(97, 9).put(300, 9).done();
    let mut dec = LzwDecoder::new(&bad[..]).unwrap();
    let mut sink = Vec::new();
    let err = dec.read_to_end(&mut sink).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
    let inner = err.get_ref().and_then(|e| e.downcast_ref::<LzwError>());
    assert!(matches!(inner, Some(LzwError::CodeBeyondTable { .. })));
    assert_eq!(sink, b"a");

    match decode_all(&bad[..], &mut Vec::new()) {
        Err(crate::Error::Lzw(LzwError::CodeBeyondTable { code: 300, .. })) => {}
        other => panic!("unexpected {other:?}"),
    }
    match LzwDecoder::new(&b"\x1f"[..]) {
        Err(crate::Error::Lzw(LzwError::TruncatedHeader { found: 1 })) => {}
        other => panic!("unexpected {:?}", other.map(|_| ())),
    }
}

#[test]
fn flush_hands_the_codes_so_far_to_the_writer() {
    let data = sample(20_000);
    let mut enc = LzwEncoder::new(Vec::new(), 16).unwrap();
    enc.write_all(&data).unwrap();
    // Everything is still in the 64 KiB buffer until a flush.
    assert!(enc.get_ref().is_empty());
    enc.flush().unwrap();
    let flushed = enc.get_ref().len();
    let z = enc.finish().unwrap();
    // All but the last code and partial byte, which only `finish` writes.
    assert!(
        flushed > 3 && flushed + 4 >= z.len(),
        "{flushed} of {}",
        z.len()
    );
    assert_eq!(z, compress_bytes(&data, 16));
}

#[test]
fn decode_all_keeps_its_input_while_the_output_waits() {
    // 1 MiB of one byte: codes that fit one read expand to sixteen output buffers, so
    // most of the input must wait in the buffer while output is written.
    let data = vec![b'a'; 1 << 20];
    let z = compress_bytes(&data, 16);
    assert!(z.len() < 16 << 10, "{}", z.len());
    let mut back = Vec::new();
    assert_eq!(decode_all(&z[..], &mut back).unwrap(), data.len() as u64);
    assert_eq!(back, data);
}

/// A hand-made 9-bit stream: exactly 65,536 bytes of `a` (one `decode_all` output
/// buffer, from about 600 input bytes), then a run of CLEAR codes, each padded to its
/// 9-byte group, that goes on past input byte 65,536 (the end of the streams' first
/// input buffer), then a last `b`. Decoding the CLEAR run writes nothing.
fn a_block_then_clears_past_the_first_input_buffer() -> Vec<u8> {
    let mut z = Bits::new(0x90);
    let mut left = 1usize << 16;
    while left > 0 {
        // `a`, then the codes 257, 258, ... each naming the entry being defined (KwKwK):
        // `aa`, `aaa`, ..., so k codes write (k + 1)(k + 2) / 2 bytes. At most 250 of
        // them, so that the codes stay 9 bits wide; CLEAR starts the next block.
        let mut k = 250;
        while (k + 1) * (k + 2) / 2 > left {
            k -= 1;
        }
        z = z.put(97, 9);
        for j in 0..k {
            z = z.put(257 + j as u32, 9);
        }
        left -= (k + 1) * (k + 2) / 2;
        z = z.put(CLEAR, 9).pad(9);
    }
    let clears = (1 << 16) / 9 + 200;
    for _ in 0..clears {
        z = z.put(CLEAR, 9).pad(9);
    }
    let z = z.put(98, 9).done();
    assert!(
        z.len() > (1 << 16) + 1000 && z.len() < (1 << 16) + 4000,
        "{}",
        z.len()
    );
    z
}

/// A decode call can consume the rest of an input buffer and write nothing (here a
/// run of CLEAR codes that crosses the buffer's end). That is not the end of the
/// stream: `decode_all` and `LzwDecoder` must read more input and go on, and return
/// 0 / stop only once the input has ended. (Each end test with `&&` turned into `||`
/// stops at the first such call, losing the last `b`.)
#[test]
fn a_read_that_only_consumes_input_is_not_the_end() {
    let z = a_block_then_clears_past_the_first_input_buffer();
    let mut want = vec![b'a'; 1 << 16];
    want.push(b'b');
    assert_eq!(decompress_bytes(&z).unwrap(), want);

    let mut back = Vec::new();
    assert_eq!(decode_all(&z[..], &mut back).unwrap(), want.len() as u64);
    assert_eq!(back, want);

    // Reads of one `decode_all`-sized buffer each: the first one fills it, the second
    // meets the CLEAR run and must not report the end.
    let mut dec = LzwDecoder::new(&z[..]).unwrap();
    let mut buf = vec![0u8; 1 << 16];
    let mut back = Vec::new();
    let mut sizes = Vec::new();
    loop {
        let n = dec.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        sizes.push(n);
        back.extend_from_slice(&buf[..n]);
    }
    assert_eq!(sizes, [1 << 16, 1]);
    assert_eq!(back, want);
    assert_eq!(dec.bytes_in(), z.len() as u64);
}
