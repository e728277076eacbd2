//! # nnzip: a neural "smart zip"
//!
//! nnzip is a lossless compressor in which a small neural network learns the text
//! while it compresses it. Before each bit of the input, an online-trained ReLU MLP
//! over hashed-context inputs predicts the probability that the bit is 1; a range coder
//! spends about `-log2 p` bits on the bit that really came; then the network takes one
//! training step. The decoder runs the very same network from the same seeded weights
//! and so reproduces every probability bit for bit. No model is stored in the file.
//!
//! Beside it, [`lzw`] implements the classic LZW of Unix `compress` (`.Z`) as the
//! baseline to compare against.
//!
//! # Streaming
//!
//! [`Encoder`] compresses whatever is written to it; [`Decoder`] reads `.nnz` or `.Z`
//! and checks the CRC-32 at the end of a `.nnz` stream:
//!
//! ```
//! use std::io::{Read, Write};
//!
//! let mut enc = nnzip::Encoder::new(Vec::new())?;
//! enc.write_all(b"the network learns the text while it compresses it")?;
//! let packed = enc.finish()?;
//!
//! let mut text = Vec::new();
//! nnzip::Decoder::new(&packed[..])?.read_to_end(&mut text)?;
//! assert_eq!(text, b"the network learns the text while it compresses it");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [`compress`] and [`decompress`] do the same from any reader into any writer, with
//! progress reports; [`compress_bytes`] and [`decompress_bytes`] work in memory.
//!
//! # Features
//!
//! `cli` (default) builds the `nnzip` command line and the application code it needs:
//! `bench` (benchmark tables, model-size sweeps, SVG plots) and `fsio` (crash-safe
//! output files), with clap, indicatif, plotters and serde. A library user who wants
//! only the codec sets `default-features = false`.
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod api;
#[cfg(feature = "cli")]
pub mod bench;
mod boxed;
pub mod coder;
pub mod error;
#[cfg(feature = "cli")]
pub mod explain;
pub mod format;
#[cfg(feature = "cli")]
pub mod fsio;
mod ioutil;
pub mod lzw;
pub mod model;
pub mod neural;
pub mod parallel;
pub mod progress;
pub mod simd;
pub mod size;
pub mod stream;

pub use api::{
    compress, compress_bytes, compress_with_len, compress_with_options, decompress,
    decompress_bytes, decompress_with_threads, Codec, CompressOptions,
};
pub use error::{Error, Result};
pub use model::{Activation, ModelConfig, Preset};
pub use progress::{Progress, Summary};
pub use stream::{Decoder, Encoder};
