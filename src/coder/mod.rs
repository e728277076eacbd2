//! Range coder: turns probabilities given as integer frequencies into bits and back.
//!
//! The coder is the classic carry-propagating range coder of LZMA (a 33-bit `low`, a
//! 32-bit `range`, one cached byte plus a count of pending `0xFF` bytes), which keeps
//! the output a single pass with no bit stuffing. It works on in-memory buffers only
//! and knows nothing of headers or models.
//!
//! Contract at the boundary: nnzip codes a byte as eight binary decisions
//! ([`Encoder::encode_bit`]) whose two frequencies `p` and `65536 - p` are both at
//! least 1, so every byte value keeps a non-zero probability and stays codable.

mod range;

pub use range::{Decoder, Encoder, PROB_BITS, PROB_ONE};
