//! Word contexts: the current word (letters so far, case folded) with the one or two
//! words before it. They carry statistics across the byte orders: after "the " the
//! word context still knows which words came after "of the" elsewhere.

use super::component::{combine, join, ContextModel, History};

/// Word unigram, bigram and (optionally) trigram contexts.
#[derive(Debug)]
pub struct Words {
    trigram: bool,
    cur: u64,
    prev: [u64; 2],
}

impl Words {
    /// Word contexts; with `trigram`, one more over the two previous words.
    pub fn new(trigram: bool) -> Self {
        Words {
            trigram,
            cur: 0,
            prev: [0; 2],
        }
    }
}

/// Whether `c` is part of a word: ASCII letters and digits, and every byte of a
/// multi-byte UTF-8 character.
fn is_word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c >= 0x80
}

impl ContextModel for Words {
    fn count(&self) -> usize {
        2 + usize::from(self.trigram)
    }

    fn hashes(&mut self, hist: &History, out: &mut Vec<u64>) {
        let c = hist.byte(1);
        if is_word_byte(c) {
            self.cur = combine(self.cur, u64::from(c.to_ascii_lowercase()));
        } else if self.cur != 0 {
            self.prev = [self.cur, self.prev[0]];
            self.cur = 0;
        }
        // Between words the separator matters ("word, " against "word. ").
        let sep = if self.cur == 0 { u64::from(c) } else { 0 };
        out.push(join(self.cur, sep));
        let bigram = join(self.cur, self.prev[0]);
        out.push(join(bigram, sep));
        if self.trigram {
            out.push(join(join(bigram, self.prev[1]), sep));
        }
    }
}
