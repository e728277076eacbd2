//! Arbitrary bytes into the `.Z` decoder: it must never panic, and every layer (whole
//! buffer, `Read` stream, raw state machine fed in small pieces) must agree.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nnzip::lzw::{decompress_bytes, Decoder, Header, LzwDecoder, LzwError, HEADER_LEN};
use std::io::Read;

/// Inputs longer than this are only streamed (the output of LZW can grow with the
/// square of the input length).
const WHOLE_MAX: usize = 1 << 13;

fuzz_target!(|data: &[u8]| {
    let whole = (data.len() <= WHOLE_MAX).then(|| decompress_bytes(data));

    let mut streamed = Vec::new();
    let stream_result = LzwDecoder::new(data).map(|mut dec| {
        let mut buf = [0u8; 1000];
        loop {
            match dec.read(&mut buf) {
                Ok(0) => return Ok(()),
                Ok(n) => streamed.extend_from_slice(&buf[..n]),
                Err(e) => {
                    let typed = e.get_ref().and_then(|x| x.downcast_ref::<LzwError>());
                    return Err(typed.cloned().expect("decode errors carry an LzwError"));
                }
            }
        }
    });

    // The raw decoder, with input and output cut into pieces chosen by the data.
    let Ok(header) = Header::parse(data) else {
        assert!(stream_result.is_err());
        return;
    };
    let body = &data[HEADER_LEN..];
    let in_step = 1 + usize::from(body.first().copied().unwrap_or(0) % 17);
    let out_len = 1 + usize::from(body.last().copied().unwrap_or(0) % 61);
    let mut dec = Decoder::new(header);
    let mut raw = Vec::new();
    let mut out = vec![0u8; out_len];
    let mut raw_result = Ok(());
    'feed: for piece in body.chunks(in_step).chain([&[][..]]) {
        let mut inp = piece;
        loop {
            let st = dec.decode(inp, &mut out);
            raw.extend_from_slice(&out[..st.written]);
            inp = &inp[st.consumed..];
            if let Err(e) = st.result {
                raw_result = Err(e);
                break 'feed;
            }
            if inp.is_empty() && st.written == 0 {
                break;
            }
        }
    }

    let stream_result = stream_result.expect("the header parsed");
    assert_eq!(raw_result, stream_result);
    assert_eq!(raw, streamed);
    if let Some(whole) = whole {
        match whole {
            Ok(v) => assert_eq!(v, raw),
            Err(e) => assert_eq!(Err(e), raw_result),
        }
    }
});
