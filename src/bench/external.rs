//! External compressors run as child processes on the same bytes: `compress`, `gzip`,
//! `bzip2`, `xz` and `zstd` through stdin and stdout, and the stronger context-mixing,
//! PPM and block-sorting tools `lpaq1`, `mcm`, `zpaq`, 7-Zip's PPMd and `bsc`, which
//! only read and write files, through files in a fresh temporary directory. Where GNU
//! time is installed each child runs under `time -f %M`, which reports the child's own
//! peak resident set size; otherwise their peak memory is left unknown.

use super::codec::BenchCodec;
use crate::error::{Error, Result};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Where one step of an external tool reads its input or writes its output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Io {
    /// Standard input or standard output.
    Pipe,
    /// A file of this name in the step's working directory (a fresh temporary
    /// directory). Names are longer than one letter: `mcm` takes a bare `c`, `d`, `a`,
    /// `e` or `x` for a command.
    File(&'static str),
}

/// One run of an external tool: its arguments and where its data goes in and out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// The arguments, file names included.
    pub args: &'static [&'static str],
    /// Where the tool reads the bytes it is given.
    pub input: Io,
    /// Where the tool writes the bytes it produces.
    pub output: Io,
}

impl Step {
    /// A step that reads stdin and writes stdout.
    pub const fn pipe(args: &'static [&'static str]) -> Self {
        Step {
            args,
            input: Io::Pipe,
            output: Io::Pipe,
        }
    }

    /// A step that reads the file `input` and writes the file `output`.
    pub const fn files(
        args: &'static [&'static str],
        input: &'static str,
        output: &'static str,
    ) -> Self {
        Step {
            args,
            input: Io::File(input),
            output: Io::File(output),
        }
    }
}

/// How to run one external compressor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExternalSpec {
    /// The name used with `--codecs`.
    pub key: &'static str,
    /// The name shown in tables: program and level.
    pub label: &'static str,
    /// Program names to look for on `PATH`, the first found wins.
    pub programs: &'static [&'static str],
    /// How to compress.
    pub compress: Step,
    /// How to decompress what `compress` wrote.
    pub decompress: Step,
}

/// The external compressors a benchmark knows, at their strongest usual settings, all
/// run single-threaded (bsc `-T`, zpaq `-t1`, 7-Zip `-mmt=1`; lpaq1 and mcm are
/// single-threaded). `compress -f` writes its output even where it is larger than the
/// input (it would otherwise exit with status 2). lpaq1 9 takes 0.7 to 1.3 GiB of
/// memory and mcm -x9 1.1 to 1.5 GiB, even on small inputs.
pub const EXTERNAL: [ExternalSpec; 10] = [
    ExternalSpec {
        key: "compress",
        label: "compress",
        programs: &["compress"],
        compress: Step::pipe(&["-c", "-f"]),
        decompress: Step::pipe(&["-d", "-c"]),
    },
    ExternalSpec {
        key: "gzip",
        label: "gzip -9",
        programs: &["gzip"],
        compress: Step::pipe(&["-9", "-c", "-n"]),
        decompress: Step::pipe(&["-d", "-c"]),
    },
    ExternalSpec {
        key: "bzip2",
        label: "bzip2 -9",
        programs: &["bzip2"],
        compress: Step::pipe(&["-9", "-c"]),
        decompress: Step::pipe(&["-d", "-c"]),
    },
    ExternalSpec {
        key: "xz",
        label: "xz -9e",
        programs: &["xz"],
        compress: Step::pipe(&["-9e", "-T1", "-c"]),
        decompress: Step::pipe(&["-d", "-T1", "-c"]),
    },
    ExternalSpec {
        key: "zstd",
        label: "zstd -19",
        programs: &["zstd"],
        compress: Step::pipe(&["-19", "-q", "-c"]),
        decompress: Step::pipe(&["-d", "-q", "-c"]),
    },
    ExternalSpec {
        key: "7z",
        label: "7z PPMd o10",
        programs: &["7zz", "7z"],
        compress: Step::files(
            &[
                "a",
                "-bd",
                "-t7z",
                "-m0=PPMd:o=10:mem=256m",
                "-mmt=1",
                "packed.7z",
                "input",
            ],
            "input",
            "packed.7z",
        ),
        decompress: Step {
            args: &["e", "-bd", "-so", "packed.7z"],
            input: Io::File("packed.7z"),
            output: Io::Pipe,
        },
    },
    ExternalSpec {
        key: "bsc",
        label: "bsc",
        programs: &["bsc"],
        compress: Step::files(&["e", "input", "packed", "-T"], "input", "packed"),
        decompress: Step::files(&["d", "packed", "restored", "-T"], "packed", "restored"),
    },
    ExternalSpec {
        key: "zpaq",
        label: "zpaq -m5",
        programs: &["zpaq"],
        compress: Step::files(
            &["a", "packed.zpaq", "input", "-m5", "-t1"],
            "input",
            "packed.zpaq",
        ),
        decompress: Step::files(
            &["x", "packed.zpaq", "input", "-to", "restored", "-t1"],
            "packed.zpaq",
            "restored",
        ),
    },
    ExternalSpec {
        key: "lpaq1",
        label: "lpaq1 9",
        programs: &["lpaq1"],
        compress: Step::files(&["9", "input", "packed"], "input", "packed"),
        decompress: Step::files(&["d", "packed", "restored"], "packed", "restored"),
    },
    ExternalSpec {
        key: "mcm",
        label: "mcm -x9",
        programs: &["mcm"],
        compress: Step::files(&["-x9", "input", "packed"], "input", "packed"),
        decompress: Step::files(&["d", "packed", "restored"], "packed", "restored"),
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
    /// The compressor of `spec` if one of its programs is on `PATH`; measured with GNU
    /// time where that is installed.
    pub fn find(spec: &ExternalSpec) -> Option<Self> {
        Some(ExternalCodec {
            spec: *spec,
            program: spec.programs.iter().find_map(|p| find_on_path(p))?,
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

    /// Runs `step` of the program in a fresh temporary directory, `input` on its stdin
    /// or in its input file; returns what it wrote to stdout or its output file and,
    /// under GNU time, its peak resident set size in bytes.
    fn run(&self, step: &Step, input: &[u8]) -> Result<(Vec<u8>, Option<u64>)> {
        let what = format!("{} {}", self.program.display(), step.args.join(" "));
        let fail = |m: String| Error::Io(std::io::Error::other(m));
        let dir = tempfile::tempdir()?;
        // GNU time writes its report next to the tool's files, under a name none uses.
        let mem_file = dir.path().join("gnu-time.out");
        let mut cmd = match &self.timer {
            Some(timer) => {
                let mut c = Command::new(timer);
                c.args(["-f", "%M", "-o"]).arg(&mem_file).arg(&self.program);
                c
            }
            None => Command::new(&self.program),
        };
        let stdin = match step.input {
            Io::Pipe => Stdio::piped(),
            Io::File(name) => {
                std::fs::write(dir.path().join(name), input)?;
                Stdio::null()
            }
        };
        cmd.args(step.args)
            .current_dir(dir.path())
            .stdin(stdin)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd
            .spawn()
            .map_err(|e| fail(format!("cannot run {what}: {e}")))?;
        let stdin = child.stdin.take();
        // Feed stdin from another thread while this one drains stdout and stderr, so
        // that neither side can block the other on a full pipe.
        let (output, written) = std::thread::scope(|s| {
            let writer = s.spawn(move || stdin.map_or(Ok(()), |mut p| p.write_all(input)));
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
        let peak = self
            .timer
            .as_ref()
            .and_then(|_| read_peak_kib(&mem_file))
            .map(|k| k * 1024);
        let produced = match step.output {
            Io::Pipe => output.stdout,
            Io::File(name) => std::fs::read(dir.path().join(name))
                .map_err(|e| fail(format!("{what} wrote no {name}: {e}")))?,
        };
        Ok((produced, peak))
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
        self.run(&self.spec.compress, input)
    }

    fn decompress_with_peak(&self, packed: &[u8]) -> Result<(Vec<u8>, Option<u64>)> {
        self.run(&self.spec.decompress, packed)
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

    /// A "compressor" that copies files with `cp`.
    const COPY_FILES: ExternalSpec = ExternalSpec {
        key: "copy-files",
        label: "cp",
        programs: &["cp"],
        compress: Step::files(&["input", "packed"], "input", "packed"),
        decompress: Step::files(&["packed", "restored"], "packed", "restored"),
    };

    /// A "compressor" that copies from a pipe to a file and back with `sh`.
    const COPY_MIXED: ExternalSpec = ExternalSpec {
        key: "copy-mixed",
        label: "sh",
        programs: &["sh"],
        compress: Step {
            args: &["-c", "cat > packed"],
            input: Io::Pipe,
            output: Io::File("packed"),
        },
        decompress: Step {
            args: &["-c", "cat packed"],
            input: Io::File("packed"),
            output: Io::Pipe,
        },
    };

    #[test]
    fn file_steps_round_trip() {
        let text = b"some bytes, some more bytes\n".repeat(1000);
        for spec in [COPY_FILES, COPY_MIXED] {
            let c = ExternalCodec::find(&spec).expect("cp and sh are on PATH");
            let (packed, peak) = c.compress_with_peak(&text).unwrap();
            assert_eq!(packed, text, "{}", spec.key);
            let (restored, peak2) = c.decompress_with_peak(&packed).unwrap();
            assert_eq!(restored, text, "{}", spec.key);
            if gnu_time().is_some() {
                assert!(peak.unwrap() > 0 && peak2.unwrap() > 0);
            }
        }
    }

    #[test]
    fn a_missing_output_file_is_an_error() {
        let spec = ExternalSpec {
            compress: Step::files(&["-c", "true"], "input", "packed"),
            ..COPY_MIXED
        };
        let err = ExternalCodec::find(&spec)
            .unwrap()
            .compress(b"x")
            .unwrap_err()
            .to_string();
        assert!(err.contains("wrote no packed"), "{err}");
    }

    #[test]
    fn the_first_program_found_is_used() {
        let spec = ExternalSpec {
            programs: &["nnzip-no-such-tool", "sh"],
            ..COPY_MIXED
        };
        assert!(ExternalCodec::find(&spec).unwrap().program.ends_with("sh"));
        let spec = ExternalSpec {
            programs: &["nnzip-no-such-tool"],
            ..COPY_MIXED
        };
        assert!(ExternalCodec::find(&spec).is_none());
    }

    #[test]
    fn every_tool_is_a_codec_name_and_names_its_files() {
        for s in EXTERNAL {
            assert!(super::super::CODEC_NAMES.contains(&s.key), "{}", s.key);
            assert!(!s.programs.is_empty(), "{}", s.key);
            for step in [s.compress, s.decompress] {
                for io in [step.input, step.output] {
                    if let Io::File(name) = io {
                        // mcm reads a one-letter argument as a command.
                        assert!(name.len() > 1, "{}: {name}", s.key);
                        assert!(step.args.contains(&name), "{}: {name}", s.key);
                    }
                }
            }
        }
    }
}
