//! What the benchmark measures besides sizes: wall-clock time, peak memory (of this
//! process, read from `/proc/self/status`), and the description of the machine and date
//! that every report carries so that figures can be compared across runs.

use serde::{Deserialize, Serialize};
use std::time::Instant;

/// The machine a report was measured on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MachineInfo {
    /// CPU model name from `/proc/cpuinfo` (`unknown` elsewhere).
    pub cpu: String,
    /// Logical cores available to this process.
    pub cores: usize,
}

impl MachineInfo {
    /// Describes the machine this process runs on.
    pub fn current() -> Self {
        let cpu = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("model name"))
                    .and_then(|l| l.split_once(':'))
                    .map(|(_, v)| v.trim().to_string())
            })
            .unwrap_or_else(|| "unknown".into());
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        MachineInfo { cpu, cores }
    }
}

impl std::fmt::Display for MachineInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}, {} core(s)", self.cpu, self.cores)
    }
}

/// The current time in UTC as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn utc_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format_utc(secs)
}

/// Formats seconds since the Unix epoch as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn format_utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// Proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// The command line of this process, arguments with spaces quoted.
pub fn command_line() -> String {
    let mut args = std::env::args();
    let prog = args
        .next()
        .map(|p| {
            std::path::Path::new(&p)
                .file_name()
                .map_or(p.clone(), |f| f.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "nnzip".into());
    std::iter::once(prog)
        .chain(args.map(|a| {
            if a.is_empty() || a.contains(char::is_whitespace) {
                format!("'{a}'")
            } else {
                a
            }
        }))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Resets this process's peak resident set size (`VmHWM`) to its current size, so that
/// the next [`peak_rss_bytes`] reports the peak of what runs in between. Returns `false`
/// where the kernel does not allow it (then peaks cannot be told apart per run).
pub fn reset_peak_rss() -> bool {
    // Writing "5" to clear_refs resets the high-water mark (Linux 4.0 and later).
    std::fs::write("/proc/self/clear_refs", b"5").is_ok()
}

/// This process's peak resident set size (`VmHWM`) in bytes, where Linux reports it.
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line
        .trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}

/// Runs `f` once and returns its result with its wall-clock time in seconds.
///
/// # Errors
/// The error of `f`.
pub fn timed<T, E>(f: impl FnOnce() -> Result<T, E>) -> Result<(T, f64), E> {
    let t0 = Instant::now();
    let value = f()?;
    Ok((value, t0.elapsed().as_secs_f64()))
}

/// Runs `f` `repeat` times (at least once) and returns its last result with the
/// shortest wall-clock time in seconds: the least disturbed run is the best estimate of
/// what the code itself costs.
///
/// # Errors
/// The first error of `f`.
pub fn best_of<T, E>(repeat: u32, mut f: impl FnMut() -> Result<T, E>) -> Result<(T, f64), E> {
    let (mut value, mut best) = timed(&mut f)?;
    for _ in 1..repeat {
        let (v, secs) = timed(&mut f)?;
        value = v;
        best = best.min(secs);
    }
    Ok((value, best))
}

/// Speed in MB/s (10^6 bytes per second) of processing `bytes` in `secs`; 0 where
/// there is nothing to measure (no bytes or no time), so that reports stay finite.
pub fn mb_per_s(bytes: u64, secs: f64) -> f64 {
    if bytes > 0 && secs > 0.0 {
        bytes as f64 / secs / 1e6
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(format_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(format_utc(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(format_utc(4_107_542_399), "2100-02-28T23:59:59Z");
    }

    #[test]
    fn peak_rss_is_read() {
        if std::path::Path::new("/proc/self/status").exists() {
            let p = peak_rss_bytes().unwrap();
            assert!(p > 0);
        }
    }

    #[test]
    fn best_of_keeps_the_last_value() {
        let mut n = 0;
        let (v, t) = best_of::<_, ()>(3, || {
            n += 1;
            Ok(n)
        })
        .unwrap();
        assert_eq!(v, 3);
        assert!(t >= 0.0);
    }
}
