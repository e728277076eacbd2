//! Shared by the `.Z` replay tests (`lzw_regressions.rs`, `fuzz_regressions.rs`):
//! decode one input through every layer of the LZW decoder and check that they agree.

use nnzip::lzw::{decompress_bytes, Decoder, Header, LzwDecoder, LzwError};
use std::io::Read;

/// Decodes `z` with the whole-buffer helper, the `Read` stream and the raw decoder
/// fed one byte at a time into a 5-byte buffer; all must agree.
pub fn decode_all_layers(z: &[u8]) -> Result<Vec<u8>, LzwError> {
    let whole = decompress_bytes(z);

    let mut streamed = Vec::new();
    let stream = LzwDecoder::new(z).map(|mut d| {
        d.read_to_end(&mut streamed).map_err(|e| {
            e.get_ref()
                .and_then(|x| x.downcast_ref::<LzwError>())
                .cloned()
        })
    });

    let mut raw = Vec::new();
    let raw_result = Header::parse(z).and_then(|h| {
        let mut dec = Decoder::new(h);
        let mut out = [0u8; 5];
        for piece in z[3..].chunks(1).chain([&[][..]]) {
            let mut inp = piece;
            loop {
                let st = dec.decode(inp, &mut out);
                raw.extend_from_slice(&out[..st.written]);
                inp = &inp[st.consumed..];
                st.result.clone()?;
                if inp.is_empty() && st.written == 0 {
                    break;
                }
            }
        }
        Ok(())
    });

    match &whole {
        Ok(v) => {
            assert_eq!(&raw, v);
            assert_eq!(&streamed, v);
            assert!(matches!(stream, Ok(Ok(_))));
            assert_eq!(raw_result, Ok(()));
        }
        Err(e) => {
            assert_eq!(raw_result.as_ref(), Err(e));
            if let Ok(res) = stream {
                assert_eq!(res.err().flatten().as_ref(), Some(e));
                assert_eq!(streamed, raw);
            }
        }
    }
    whole
}
