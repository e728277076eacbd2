//! What the command line says: the one-line error format, statistics lines and the
//! progress bar (stderr only, and only on a terminal).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use nnzip::{Error, Progress, Summary};
use std::io;
use std::time::Duration;

/// A failure to report as `nnzip: PATH: MESSAGE`.
#[derive(Debug)]
pub struct Failure {
    /// The file the failure concerns (`(stdin)`/`(stdout)` for the streams).
    pub path: String,
    /// What went wrong, in a few words.
    pub msg: String,
}

impl Failure {
    /// A failure about `path`.
    pub fn new(path: impl Into<String>, msg: impl Into<String>) -> Self {
        Failure {
            path: path.into(),
            msg: msg.into(),
        }
    }

    /// Prints the failure as the single line on stderr.
    pub fn print(&self) {
        eprintln!("nnzip: {}: {}", self.path, single_line(&self.msg));
    }
}

/// Keeps a message on one line whatever it contains.
fn single_line(msg: &str) -> String {
    msg.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// An I/O error as a short phrase: the OS text without its " (os error N)" tail.
pub fn io_message(e: &io::Error) -> String {
    let text = e.to_string();
    match text.rfind(" (os error ") {
        Some(i) if text.ends_with(')') => text[..i].to_string(),
        _ => text,
    }
}

/// A library error as a short phrase.
pub fn error_message(e: &Error) -> String {
    match e {
        Error::Io(io) => io_message(io),
        other => other.to_string(),
    }
}

/// A byte rate in MB/s (10^6 bytes per second).
pub fn mb_per_s(bytes: u64, elapsed: Duration) -> f64 {
    let secs = elapsed.as_secs_f64();
    if secs > 0.0 {
        bytes as f64 / secs / 1e6
    } else {
        0.0
    }
}

/// The `-v` line after a file was compressed or decompressed.
pub fn stats_line(
    name: &str,
    dest: &str,
    s: &Summary,
    compressing: bool,
    elapsed: Duration,
) -> String {
    let (from, to) = if compressing {
        (s.raw_bytes, s.packed_bytes)
    } else {
        (s.packed_bytes, s.raw_bytes)
    };
    let threads = if s.threads > 1 {
        format!(" on {} threads", s.threads)
    } else {
        String::new()
    };
    format!(
        "{name}: {from} -> {to} bytes, ratio {:.3}, {:.3} bits per byte, {:.2} MB/s{threads} -> {dest}",
        s.ratio(),
        s.bits_per_byte(),
        mb_per_s(s.raw_bytes, elapsed)
    )
}

/// A progress bar on stderr that clears itself when dropped.
pub struct Bar(Option<ProgressBar>);

impl Bar {
    /// A bar (when `enabled`) over `total` bytes of the input, or a spinner when the
    /// total is unknown.
    pub fn new(enabled: bool, total: Option<u64>, name: &str) -> Self {
        if !enabled {
            return Bar(None);
        }
        let (bar, template) = match total {
            Some(n) => (
                ProgressBar::with_draw_target(Some(n), ProgressDrawTarget::stderr()),
                "{prefix} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {msg} eta {eta}",
            ),
            None => (
                ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
                "{prefix} {spinner} {bytes} {bytes_per_sec} {msg}",
            ),
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_prefix(name.to_string());
        Bar(Some(bar))
    }

    /// Moves the bar to `pos` input bytes and shows the running bits per byte.
    pub fn update(&self, pos: u64, p: Progress) {
        if let Some(bar) = &self.0 {
            bar.set_position(pos);
            bar.set_message(format!("{:.3} bpc", p.bits_per_byte()));
        }
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_error_tail_is_dropped() {
        let e = io::Error::from_raw_os_error(2);
        assert_eq!(io_message(&e), "No such file or directory");
        assert_eq!(single_line("a\nb  c"), "a b c");
    }
}
