//! Built-in priming text: what a fresh model reads before the first byte of its input,
//! so that it starts out knowing some English instead of nothing.
//!
//! An online model pays for everything it learns from the input itself, and pays most
//! at the start, when every word is new and the network has not yet learned which
//! context to trust. Priming runs the model (predicting and learning, coding nothing)
//! over a fixed text first; the encoder and the decoder do the same, so the files stay
//! lossless, and the input is coded by a model that has already seen English words,
//! spelling, spacing and punctuation, and whose mixers and network have already
//! learned which contexts to trust. How much of the text a model reads, in blocks of
//! [`BLOCK`] bytes, is part of the model configuration stored in every header
//! ([`crate::model::ModelConfig::prime`]). The text is part of the format: once
//! released, it never changes.
//!
//! The text interleaves, in pieces of 16 KiB (two of the first for one of the
//! second), two public-domain works, with CRLF line ends turned into LF:
//! - the proceedings of the Library of Congress *Workshop on Electronic Texts* (1992),
//!   from its introduction on: prose (Project Gutenberg; `lcet10.txt` of the
//!   Canterbury corpus);
//! - *The World Factbook 1992* of the CIA, from its first country entry on: facts,
//!   names and numbers (Project Gutenberg; `world192.txt` of the Canterbury large
//!   corpus).
//!
//! Both are works of the United States government.

/// Bytes per priming block.
pub const BLOCK: usize = 64 << 10;

/// The most blocks a model can read: the whole text.
pub const MAX_BLOCKS: u8 = 3;

/// The whole text's length in KiB.
pub const MAX_KIB: usize = (BLOCK * MAX_BLOCKS as usize) >> 10;

/// The text, [`MAX_BLOCKS`] blocks.
static TEXT: &[u8; BLOCK * MAX_BLOCKS as usize] = include_bytes!("prime_english.txt");

/// The first `blocks` blocks of the text (all of it for more than [`MAX_BLOCKS`],
/// which [`crate::model::ModelConfig::validate`] refuses first).
pub fn text(blocks: u8) -> &'static [u8] {
    &TEXT[..BLOCK * usize::from(blocks.min(MAX_BLOCKS))]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_is_fixed() {
        // Files depend on every byte of it.
        let mut h = 0xcbf2_9ce4_8422_2325u64;
        crate::model::fnv(&mut h, text(MAX_BLOCKS).iter().copied());
        assert_eq!(h, 9_801_402_416_194_513_745);
        assert!(text(0).is_empty());
        assert_eq!(text(1), &TEXT[..BLOCK]);
        assert_eq!(text(MAX_BLOCKS + 1).len(), BLOCK * 3);
        assert!(TEXT.is_ascii());
    }
}
