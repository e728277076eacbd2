//! Arbitrary bytes through the neural codec (fast preset, small tables) and LZW and
//! back: the output must equal the input. See [`checks::roundtrip`].
#![no_main]

#[path = "checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::roundtrip(data));
