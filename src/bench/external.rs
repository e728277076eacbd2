//! External compressors (`compress`, `gzip`, `bzip2`, `xz`, `zstd`) run as child
//! processes on the same bytes, through stdin and stdout. Where GNU time is installed
//! each child runs under `time -f %M`, which reports the child's own peak resident set
//! size; otherwise their peak memory is left unknown.

use super::codec::BenchCodec;
use crate::error::{Error, Result};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// How to run one external compressor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExternalSpec {
    /// The name used with `--codecs` (the program name).
    pub key: &'static str,
    /// The name shown in tables: program and level.
    pub label: &'static str,
    /// Arguments that compress stdin to stdout.
    pub compress_args: &'static [&'static str],
    /// Arguments that decompress stdin to stdout.
    pub decompress_args: &'static [&'static str],
}

/// The external compressors a benchmark knows, at their strongest usual settings.
/// All run single-threaded. `compress -f` writes its output even where it is larger
/// than the input (it would otherwise exit with status 2).
pub const EXTERNAL: [ExternalSpec; 5] = [
    ExternalSpec {
        key: "compress",
        label: "compress",
        compress_args: &["-c", "-f"],
        decompress_args: &["-d", "-c"],
    },
    ExternalSpec {
        key: "gzip",
        label: "gzip -9",
        compress_args: &["-9", "-c", "-n"],
        decompress_args: &["-d", "-c"],
    },
    ExternalSpec {
        key: "bzip2",
        label: "bzip2 -9",
        compress_args: &["-9", "-c"],
        decompress_args: &["-d", "-c"],
    },
    ExternalSpec {
        key: "xz",
        label: "xz -9e",
        compress_args: &["-9e", "-T1", "-c"],
        decompress_args: &["-d", "-T1", "-c"],
    },
    ExternalSpec {
        key: "zstd",
        label: "zstd -19",
        compress_args: &["-19", "-q", "-c"],
        decompress_args: &["-d", "-q", "-c"],
    },
];

/// The spec whose key is `key`.
pub fn spec(key: &str) -> Option<&'static ExternalSpec> {
    EXTERNAL.iter().find(|s| s.key == key)
}

/// The first executable file named `program` in the directories of `PATH`.
pub fn find_on_path(program: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| {
            std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

/// GNU time, if installed (it alone has the `-f %M -o FILE` interface used here).
pub fn gnu_time() -> Option<PathBuf> {
    static FOUND: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    FOUND
        .get_or_init(|| {
            let candidates = [PathBuf::from("/usr/bin/time")]
                .into_iter()
                .chain(find_on_path("time"));
            for c in candidates {
                let gnu = Command::new(&c)
                    .arg("--version")
                    .stdin(Stdio::null())
                    .output()
                    .is_ok_and(|o| {
                        String::from_utf8_lossy(&o.stdout).contains("GNU")
                            || String::from_utf8_lossy(&o.stderr).contains("GNU")
                    });
                if gnu {
                    return Some(c);
                }
            }
            None
        })
        .clone()
}

/// An external compressor found on this machine.
#[derive(Debug, Clone)]
pub struct ExternalCodec {
    spec: ExternalSpec,
    program: PathBuf,
    timer: Option<PathBuf>,
}

impl ExternalCodec {
    /// The compressor of `spec` if its program is on `PATH`; measured with GNU time
    /// where that is installed.
    pub fn find(spec: &ExternalSpec) -> Option<Self> {
        Some(ExternalCodec {
            spec: *spec,
            program: find_on_path(spec.key)?,
            timer: gnu_time(),
        })
    }

    /// The compressor of `spec` run from `program`, under GNU time `timer` if given.
    pub fn with_program(spec: &ExternalSpec, program: PathBuf, timer: Option<PathBuf>) -> Self {
        ExternalCodec {
            spec: *spec,
            program,
            timer,
        }
    }

    /// Runs the program with `args`, `input` on its stdin; returns its stdout and, under
    /// GNU time, its peak resident set size in bytes.
    fn run(&self, args: &[&str], input: &[u8]) -> Result<(Vec<u8>, Option<u64>)> {
        let what = format!("{} {}", self.program.display(), args.join(" "));
        let fail = |m: String| Error::Io(std::io::Error::other(m));
        let mem_file = match &self.timer {
            Some(_) => Some(tempfile::NamedTempFile::new()?),
            None => None,
        };
        let mut cmd = match (&self.timer, &mem_file) {
            (Some(timer), Some(f)) => {
                let mut c = Command::new(timer);
                c.args(["-f", "%M", "-o"]).arg(f.path()).arg(&self.program);
                c
            }
            _ => Command::new(&self.program),
        };
        cmd.args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd
            .spawn()
            .map_err(|e| fail(format!("cannot run {what}: {e}")))?;
        let mut stdin = child
            .stdin
            .take()
            .ok_or_else(|| fail(format!("no stdin pipe to {what}")))?;
        // Feed stdin from another thread while this one drains stdout and stderr, so
        // that neither side can block the other on a full pipe.
        let (output, written) = std::thread::scope(|s| {
            let writer = s.spawn(move || stdin.write_all(input));
            let output = child.wait_with_output();
            (output, writer.join())
        });
        let output = output.map_err(|e| fail(format!("{what}: {e}")))?;
        if !output.status.success() {
            let msg = String::from_utf8_lossy(&output.stderr);
            let msg = msg.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
            return Err(fail(format!("{what} failed ({}): {msg}", output.status)));
        }
        match written {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(fail(format!("writing to {what}: {e}"))),
            Err(_) => return Err(fail(format!("writing to {what}: writer thread panicked"))),
        }
        let peak = mem_file
            .and_then(|f| read_peak_kib(f.path()))
            .map(|k| k * 1024);
        Ok((output.stdout, peak))
    }
}

/// The last line of GNU time's `-f %M` output: the peak RSS in KiB.
fn read_peak_kib(path: &Path) -> Option<u64> {
    let text = std::fs::read_to_string(path).ok()?;
    text.lines().rev().find_map(|l| l.trim().parse().ok())
}

impl BenchCodec for ExternalCodec {
    fn name(&self) -> &str {
        self.spec.label
    }

    fn compress(&self, input: &[u8]) -> Result<Vec<u8>> {
        Ok(self.compress_with_peak(input)?.0)
    }

    fn decompress(&self, packed: &[u8]) -> Result<Vec<u8>> {
        Ok(self.decompress_with_peak(packed)?.0)
    }

    fn in_process(&self) -> bool {
        false
    }

    fn compress_with_peak(&self, input: &[u8]) -> Result<(Vec<u8>, Option<u64>)> {
        self.run(self.spec.compress_args, input)
    }

    fn decompress_with_peak(&self, packed: &[u8]) -> Result<(Vec<u8>, Option<u64>)> {
        self.run(self.spec.decompress_args, packed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_round_trips_when_present() {
        let Some(c) = ExternalCodec::find(spec("gzip").unwrap()) else {
            return;
        };
        let text = b"hello hello hello hello hello".repeat(100);
        let (packed, peak) = c.compress_with_peak(&text).unwrap();
        assert!(packed.len() < text.len());
        assert_eq!(c.decompress(&packed).unwrap(), text);
        if gnu_time().is_some() {
            assert!(peak.unwrap() > 0);
        }
        // Garbage is a clear error, not a row.
        let err = c.decompress(b"not gzip at all").unwrap_err().to_string();
        assert!(err.contains("failed"), "{err}");
    }

    #[test]
    fn a_missing_program_is_an_error() {
        let c = ExternalCodec::with_program(
            spec("gzip").unwrap(),
            PathBuf::from("/nonexistent/gzip"),
            None,
        );
        assert!(c
            .compress(b"x")
            .unwrap_err()
            .to_string()
            .contains("cannot run"));
    }
}
