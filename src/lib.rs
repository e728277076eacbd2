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
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod api;
#[cfg(feature = "cli")]
pub mod bench;
pub mod coder;
pub mod error;
pub mod format;
#[cfg(feature = "cli")]
pub mod fsio;
mod ioutil;
pub mod lzw;
pub mod model;
pub mod neural;
pub mod progress;
pub mod simd;
pub mod stream;

pub use api::{compress, compress_bytes, compress_with_len, decompress, decompress_bytes, Codec};
pub use error::{Error, Result};
pub use model::{Activation, ModelConfig, Preset};
pub use progress::{Progress, Summary};
pub use stream::{Decoder, Encoder};
