//! Markup and layout contexts for XML and wiki text: what construct the text is in
//! (a tag, a `[[link]]`, a `{{template}}`, an `&entity;`), which tag came last, and
//! the byte above in the previous line (tables, lists and indentation line up).

use super::component::{combine, join, ContextModel, History};

/// Longest line remembered for the "byte above" context.
const LINE_MAX: usize = 256;

/// Markup state and column contexts.
#[derive(Debug)]
pub struct Markup {
    in_tag: bool,
    link: u8,
    template: u8,
    entity: bool,
    /// Hash of the name of the tag being read or last read.
    tag: u64,
    reading_tag: bool,
    /// The current and the previous line (up to [`LINE_MAX`] bytes each).
    line: Vec<u8>,
    above: Vec<u8>,
}

impl Markup {
    /// A fresh state (outside every construct, at the start of a line).
    pub fn new() -> Self {
        Markup {
            in_tag: false,
            link: 0,
            template: 0,
            entity: false,
            tag: 0,
            reading_tag: false,
            line: Vec::with_capacity(LINE_MAX),
            above: Vec::with_capacity(LINE_MAX),
        }
    }

    fn learn(&mut self, c: u8, prev: u8) {
        match c {
            b'<' => {
                self.in_tag = true;
                self.reading_tag = true;
                self.tag = 0;
            }
            b'>' => {
                self.in_tag = false;
                self.reading_tag = false;
            }
            b'[' if prev == b'[' => self.link = self.link.saturating_add(1).min(3),
            b']' if prev == b']' => self.link = self.link.saturating_sub(1),
            b'{' if prev == b'{' => self.template = self.template.saturating_add(1).min(3),
            b'}' if prev == b'}' => self.template = self.template.saturating_sub(1),
            b'&' => self.entity = true,
            b';' => self.entity = false,
            _ => {}
        }
        if self.reading_tag && c != b'<' {
            if c.is_ascii_alphanumeric() || c == b'/' {
                self.tag = combine(self.tag, u64::from(c));
            } else {
                self.reading_tag = false;
            }
        }
        if c == b'\n' {
            std::mem::swap(&mut self.line, &mut self.above);
            self.line.clear();
            self.entity = false;
        } else if self.line.len() < LINE_MAX {
            self.line.push(c);
        }
    }
}

impl Default for Markup {
    fn default() -> Self {
        Self::new()
    }
}

impl ContextModel for Markup {
    fn count(&self) -> usize {
        2
    }

    fn hashes(&mut self, hist: &History, out: &mut Vec<u64>) {
        let c = hist.byte(1);
        self.learn(c, hist.byte(2));
        let state = u64::from(self.in_tag)
            | u64::from(self.entity) << 1
            | u64::from(self.link) << 2
            | u64::from(self.template) << 4;
        out.push(join(self.tag, state | u64::from(c) << 8));
        let col = self.line.len();
        let above = self.above.get(col).copied().map_or(0x100, u64::from);
        let first = self.line.first().copied().map_or(0x100, u64::from);
        out.push(above | u64::from(c) << 9 | first << 17 | (col.min(31) as u64) << 26);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracks_tags_links_and_lines() {
        let mut m = Markup::new();
        let mut h = History::default();
        let mut out = Vec::new();
        for &c in b"<title>A [[b" {
            h.push(c);
            out.clear();
            m.hashes(&h, &mut out);
        }
        assert!(!m.in_tag && m.link == 1 && m.tag != 0);
        for &c in b"]]\nxy" {
            h.push(c);
            out.clear();
            m.hashes(&h, &mut out);
        }
        assert_eq!(m.link, 0);
        assert_eq!(m.above, b"<title>A [[b]]");
        assert_eq!(m.line, b"xy");
        assert_eq!(out.len(), 2);
    }

    #[test]
    fn a_long_line_is_remembered_up_to_its_limit() {
        let mut m = Markup::new();
        let mut h = History::default();
        let mut out = Vec::new();
        for i in 0..LINE_MAX + 10 {
            h.push(b'a' + (i % 26) as u8);
            out.clear();
            m.hashes(&h, &mut out);
        }
        assert_eq!(m.line.len(), LINE_MAX);
        h.push(b'\n');
        m.hashes(&h, &mut out);
        assert_eq!(m.above.len(), LINE_MAX);
        assert!(m.line.is_empty());
    }
}
