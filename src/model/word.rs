//! Word contexts: the current word (letters so far, case folded), alone and with the
//! word before it. They carry statistics across the byte orders: after "the " the
//! word context still knows which words came after "of the" elsewhere.

use super::component::{combine, join, ContextModel, History};

/// Word unigram and bigram contexts.
#[derive(Debug, Default)]
pub struct Words {
    /// Hash of the current word's letters so far (0 between words).
    cur: u64,
    /// Hash of the word before it.
    prev: u64,
}

impl Words {
    /// Word contexts before any input.
    pub fn new() -> Self {
        Self::default()
    }
}

/// Whether `c` is part of a word: ASCII letters and digits, and every byte of a
/// multi-byte UTF-8 character.
fn is_word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c >= 0x80
}

impl ContextModel for Words {
    fn count(&self) -> usize {
        2
    }

    fn hashes(&mut self, hist: &History, out: &mut Vec<u64>) {
        let c = hist.byte(1);
        if is_word_byte(c) {
            self.cur = combine(self.cur, u64::from(c.to_ascii_lowercase()));
        } else if self.cur != 0 {
            self.prev = self.cur;
            self.cur = 0;
        }
        // Between words the separator matters ("word, " against "word. ").
        let sep = if self.cur == 0 { u64::from(c) } else { 0 };
        out.push(join(self.cur, sep));
        out.push(join(join(self.cur, self.prev), sep));
    }
}
