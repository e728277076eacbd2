//! nnzip's end-to-end tests, as one test binary: each module below is one file of
//! `tests/` (the CLI, the container and its damage, golden files, LZW against
//! `compress`, cross-CPU decoding, threads, the real corpora...).
//!
//! One binary instead of one per file: every integration test binary links the whole
//! library with the release profile's link-time optimisation, and two dozen of them
//! took seven of the ten minutes CI spent compiling. Run one file's tests with its
//! module as the filter, e.g. `cargo test --release --test suite -- golden::`.

// Helpers shared by several files.
mod cli_util;
mod lzw_layers;
mod prereq;

// Tests of the application code (`nnzip::bench`, the `explain` page) need the `cli`
// feature; the binary that the other CLI tests run needs it too.
#[cfg(feature = "cli")]
mod bench_sweep;
#[cfg(feature = "cli")]
mod bench_table;
#[cfg(feature = "cli")]
mod cli_explain;

mod cli_basic;
mod cli_crash_safe;
mod cli_ecosystem;
mod cli_errors;
mod cli_signals;
mod cross_cpu;
mod damage_streamed;
mod decode_limits;
mod fuzz_regressions;
mod golden;
mod lzw_oracle;
mod lzw_regressions;
mod lzw_roundtrip;
mod model_configs;
mod model_memory;
mod roundtrip_api;
mod roundtrip_corpora;
mod roundtrip_format;
mod simd_paths;
mod stream_api;
mod threads;
