//! Arbitrary bytes into the whole-stream decoder (`.nnz`, and `.Z` by its magic): no
//! panic, no allocation sized by what a header or frame merely claims, and the
//! streaming reader and `info` agree with the whole-buffer call. See
//! [`checks::nnz_decode`]; seed the corpus with `fuzz/seeds/nnz_decode` so that the
//! fuzzer starts past the header CRC.
#![no_main]

#[path = "checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::nnz_decode(data));
