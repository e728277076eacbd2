//! The subcommands at work, file by file: choose the input and the output, run the
//! library, commit or discard the output, and say what happened. No codec logic here.

use super::args::{CompressArgs, DecompressArgs, InfoArgs, OutputArgs};
use super::report::{error_message, io_message, stats_line, Bar, Failure};
use nnzip::format::{self, Info, Kind, SegmentTree};
use nnzip::fsio::{self, OutputFile};
use nnzip::{Codec, CompressOptions, Error, Progress, Summary};
use std::cell::{Cell, RefCell};
use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::Instant;

/// How a run of the command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Every file was processed.
    Ok,
    /// At least one file failed (each failure was reported).
    Failed,
    /// Standard output was closed by its reader: stop quietly, like `head` expects.
    BrokenPipe,
}

/// Why one file stopped.
enum Stop {
    Failed(Failure),
    BrokenPipe,
}

impl From<Failure> for Stop {
    fn from(f: Failure) -> Self {
        Stop::Failed(f)
    }
}

const STDIN_NAME: &str = "(stdin)";
const STDOUT_NAME: &str = "(stdout)";

/// Runs `op` for each file, reporting failures; stops at a broken pipe.
fn for_each_file(files: &[PathBuf], mut op: impl FnMut(&Path) -> Result<(), Stop>) -> Status {
    let mut status = Status::Ok;
    for path in files {
        match op(path) {
            Ok(()) => {}
            Err(Stop::Failed(f)) => {
                f.print();
                status = Status::Failed;
            }
            Err(Stop::BrokenPipe) => return Status::BrokenPipe,
        }
    }
    status
}

fn is_stdio(path: &Path) -> bool {
    path.as_os_str() == "-"
}

fn display(path: &Path) -> String {
    if is_stdio(path) {
        STDIN_NAME.into()
    } else {
        path.display().to_string()
    }
}

/// An opened input.
struct Input {
    name: String,
    reader: Box<dyn Read>,
    /// Length, for a regular file.
    len: Option<u64>,
    /// Permission bits to give the output (those of the input file).
    mode: Option<u32>,
    is_stdin: bool,
}

fn open_input(path: &Path) -> Result<Input, Failure> {
    let name = display(path);
    if is_stdio(path) {
        return Ok(Input {
            name,
            reader: Box::new(io::stdin().lock()),
            len: None,
            mode: None,
            is_stdin: true,
        });
    }
    let fail = |e: &io::Error| Failure::new(&name, io_message(e));
    let meta = std::fs::metadata(path).map_err(|e| fail(&e))?;
    if meta.is_dir() {
        return Err(Failure::new(&name, "is a directory"));
    }
    let file = File::open(path).map_err(|e| fail(&e))?;
    #[cfg(unix)]
    let mode = {
        use std::os::unix::fs::PermissionsExt;
        Some(meta.permissions().mode() & 0o777)
    };
    #[cfg(not(unix))]
    let mode = None;
    Ok(Input {
        name,
        reader: Box::new(file),
        len: meta.is_file().then_some(meta.len()),
        mode,
        is_stdin: false,
    })
}

/// Where an output goes.
enum Dest {
    Stdout,
    File(PathBuf),
}

impl Dest {
    fn name(&self) -> String {
        match self {
            Dest::Stdout => STDOUT_NAME.into(),
            Dest::File(p) => p.display().to_string(),
        }
    }
}

/// The destination chosen by `-c`, `-o` or stdin input; `None` means "derive a name".
fn explicit_dest(out: &OutputArgs, input_is_stdin: bool) -> Option<Dest> {
    if out.stdout {
        return Some(Dest::Stdout);
    }
    match &out.output {
        Some(p) if is_stdio(p) => Some(Dest::Stdout),
        Some(p) => Some(Dest::File(p.clone())),
        None if input_is_stdin => Some(Dest::Stdout),
        None => None,
    }
}

/// Records whether an I/O error came from the stream it wraps.
struct Watch<T> {
    inner: T,
    failed: Rc<Cell<bool>>,
}

impl<T> Watch<T> {
    fn note<U>(&self, r: io::Result<U>) -> io::Result<U> {
        if let Err(e) = &r {
            if e.kind() != io::ErrorKind::Interrupted {
                self.failed.set(true);
            }
        }
        r
    }
}

impl<R: Read> Read for Watch<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let r = self.inner.read(buf);
        self.note(r)
    }
}

impl<W: Write> Write for Watch<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let r = self.inner.write(buf);
        self.note(r)
    }

    fn flush(&mut self) -> io::Result<()> {
        let r = self.inner.flush();
        self.note(r)
    }
}

/// A library call from a reader into a writer, reporting progress.
type Op<'a> = &'a mut dyn FnMut(
    &mut dyn Read,
    &mut dyn Write,
    &mut dyn FnMut(Progress),
) -> nnzip::Result<Summary>;

/// Runs `op` from `input` into `dest` with crash-safe output, and turns every error
/// into a [`Stop`] naming the side that failed.
fn transfer(
    input: Input,
    dest: &Dest,
    force: bool,
    bar: &Bar,
    compressing: bool,
    op: Op<'_>,
) -> Result<Summary, Stop> {
    let in_failed = Rc::new(Cell::new(false));
    let out_failed = Rc::new(Cell::new(false));
    let mut reader = Watch {
        inner: input.reader,
        failed: Rc::clone(&in_failed),
    };
    let mut progress = |p: Progress| {
        bar.update(
            if compressing {
                p.raw_bytes
            } else {
                p.packed_bytes
            },
            p,
        );
    };
    let classify = |e: Error| -> Stop {
        match e {
            Error::Io(io) if out_failed.get() => {
                if matches!(dest, Dest::Stdout) && io.kind() == io::ErrorKind::BrokenPipe {
                    Stop::BrokenPipe
                } else {
                    Stop::Failed(Failure::new(dest.name(), io_message(&io)))
                }
            }
            other => Stop::Failed(Failure::new(&input.name, error_message(&other))),
        }
    };
    match dest {
        Dest::Stdout => {
            let mut w = BufWriter::with_capacity(
                1 << 16,
                Watch {
                    inner: io::stdout().lock(),
                    failed: Rc::clone(&out_failed),
                },
            );
            op(&mut reader, &mut w, &mut progress).map_err(classify)
        }
        Dest::File(path) => {
            let mut out = OutputFile::create(path, force, input.mode).map_err(|e| {
                let msg = if e.kind() == io::ErrorKind::AlreadyExists {
                    "already exists (use -f to overwrite)".to_string()
                } else {
                    let dir = match path.parent() {
                        Some(p) if !p.as_os_str().is_empty() => p.display().to_string(),
                        _ => ".".to_string(),
                    };
                    format!("cannot create the output in {dir}: {}", io_message(&e))
                };
                Failure::new(dest.name(), msg)
            })?;
            let summary = {
                let mut w = BufWriter::with_capacity(
                    1 << 16,
                    Watch {
                        inner: &mut out,
                        failed: Rc::clone(&out_failed),
                    },
                );
                op(&mut reader, &mut w, &mut progress).map_err(classify)?
            };
            out.commit().map_err(|e| {
                let msg = if e.kind() == io::ErrorKind::AlreadyExists {
                    "already exists (use -f to overwrite)".to_string()
                } else {
                    io_message(&e)
                };
                Failure::new(dest.name(), msg)
            })?;
            Ok(summary)
        }
    }
}

/// Refuses to overwrite the input with its own output.
fn check_not_input(input: &Path, dest: &Dest) -> Result<(), Failure> {
    if let Dest::File(out) = dest {
        if !is_stdio(input) && fsio::same_file(input, out) {
            return Err(Failure::new(
                out.display().to_string(),
                "is the input file itself",
            ));
        }
    }
    Ok(())
}

fn install_signal_cleanup() -> Result<(), Failure> {
    fsio::cleanup_on_signals().map_err(|e| {
        Failure::new(
            "signals",
            format!("cannot install handlers: {}", io_message(&e)),
        )
    })
}

fn show_bar(out: &OutputArgs) -> bool {
    !out.quiet && io::stderr().is_terminal()
}

/// `nnzip compress`.
pub fn compress(args: &CompressArgs, codec: &Codec, options: &CompressOptions) -> Status {
    if let Err(f) = install_signal_cleanup() {
        f.print();
        return Status::Failed;
    }
    let suffix = codec.kind().suffix();
    for_each_file(&args.files, |path| {
        let input = open_input(path)?;
        let dest = match explicit_dest(&args.out, input.is_stdin) {
            Some(d) => d,
            None => {
                if path.as_os_str().to_string_lossy().ends_with(suffix) && !args.out.force {
                    return Err(Failure::new(
                        &input.name,
                        format!("already has the {suffix} suffix, left alone (use -f to compress it anyway)"),
                    )
                    .into());
                }
                let mut name = path.as_os_str().to_owned();
                name.push(suffix);
                Dest::File(PathBuf::from(name))
            }
        };
        check_not_input(path, &dest)?;
        if matches!(dest, Dest::Stdout) && !args.out.force && io::stdout().is_terminal() {
            return Err(Failure::new(
                STDOUT_NAME,
                "compressed data not written to a terminal (use -f to force)",
            )
            .into());
        }
        let bar = Bar::new(show_bar(&args.out), input.len, &input.name);
        let name = input.name.clone();
        let len = input.len;
        let start = Instant::now();
        let (input, seen) = hashing(input);
        let summary = transfer(input, &dest, args.out.force, &bar, true, &mut |r, w, p| {
            nnzip::compress_with_options(r, len, w, codec, options, p)
        })?;
        drop(bar);
        if args.out.verbose {
            eprintln!(
                "{}",
                stats_line(&name, &dest.name(), &summary, true, start.elapsed())
            );
        }
        if args.out.rm {
            let (crc, len) = seen.borrow().clone().finish();
            verify_compressed(&dest, crc, len)?;
            remove_input(path, &name)?;
        }
        Ok(())
    })
}

/// The CRC-32 and length of what passed through a reader.
#[derive(Clone, Default)]
struct Seen {
    crc: crc32fast::Hasher,
    len: u64,
}

impl Seen {
    fn update(&mut self, data: &[u8]) {
        self.crc.update(data);
        self.len += data.len() as u64;
    }

    fn finish(self) -> (u32, u64) {
        (self.crc.finalize(), self.len)
    }
}

/// Records the CRC-32 and length of everything read from `R`.
struct Hashing<R> {
    inner: R,
    seen: Rc<RefCell<Seen>>,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.seen.borrow_mut().update(&buf[..n]);
        Ok(n)
    }
}

/// Records the CRC-32 and length of everything written to it, and drops the bytes.
struct HashingSink(Seen);

impl Write for HashingSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The input, with what is read from it recorded for `--rm`'s verification.
fn hashing(input: Input) -> (Input, Rc<RefCell<Seen>>) {
    let seen = Rc::new(RefCell::new(Seen::default()));
    let reader = Box::new(Hashing {
        inner: input.reader,
        seen: Rc::clone(&seen),
    });
    (Input { reader, ..input }, seen)
}

/// `--rm` after compression: decodes the committed output and checks that it gives
/// back the `len` bytes of CRC-32 `crc` that were read from the input.
fn verify_compressed(dest: &Dest, crc: u32, len: u64) -> Result<(), Failure> {
    let Dest::File(path) = dest else {
        return Err(Failure::new(dest.name(), "--rm needs an output file"));
    };
    let name = path.display().to_string();
    let fail = |m: String| Failure::new(&name, format!("{m}; the input was kept"));
    let file = File::open(path).map_err(|e| fail(io_message(&e)))?;
    let mut sink = HashingSink(Seen::default());
    nnzip::decompress(io::BufReader::new(file), &mut sink, &mut |_| {})
        .map_err(|e| fail(format!("does not verify: {}", error_message(&e))))?;
    let (found_crc, found_len) = sink.0.finish();
    if (found_crc, found_len) != (crc, len) {
        return Err(fail(format!(
            "does not verify: it decodes to {found_len} bytes of crc32 {found_crc:08x}, \
             the input had {len} bytes of crc32 {crc:08x}"
        )));
    }
    Ok(())
}

/// `--rm` after decompression: the decoder checked the CRC-32 before the output was
/// committed; checks that the file in place has the length that was decoded.
fn verify_decompressed(dest: &Dest, summary: &Summary) -> Result<(), Failure> {
    let Dest::File(path) = dest else {
        return Err(Failure::new(dest.name(), "--rm needs an output file"));
    };
    let name = path.display().to_string();
    let meta = std::fs::metadata(path)
        .map_err(|e| Failure::new(&name, format!("{}; the input was kept", io_message(&e))))?;
    if meta.len() != summary.raw_bytes {
        return Err(Failure::new(
            &name,
            format!(
                "holds {} bytes, {} were decoded; the input was kept",
                meta.len(),
                summary.raw_bytes
            ),
        ));
    }
    Ok(())
}

/// `--rm`: removes the input once its output is verified.
fn remove_input(path: &Path, name: &str) -> Result<(), Failure> {
    std::fs::remove_file(path).map_err(|e| {
        Failure::new(
            name,
            format!(
                "output written, but the input cannot be removed: {}",
                io_message(&e)
            ),
        )
    })
}

/// The output name of a compressed file: its name without `.nnz` or `.Z`.
fn decompressed_name(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?.to_str()?;
    [Kind::Nnz.suffix(), Kind::Z.suffix()]
        .iter()
        .find_map(|s| name.strip_suffix(s).filter(|stem| !stem.is_empty()))
        .map(|stem| path.with_file_name(stem))
}

/// `nnzip decompress` and `nnzip -d`.
pub fn decompress(args: &DecompressArgs) -> Status {
    if let Err(f) = install_signal_cleanup() {
        f.print();
        return Status::Failed;
    }
    for_each_file(&args.files, |path| {
        let input = open_input(path)?;
        if input.is_stdin && !args.out.force && io::stdin().is_terminal() {
            return Err(Failure::new(
                STDIN_NAME,
                "compressed data not read from a terminal (use -f to force)",
            )
            .into());
        }
        let dest = match explicit_dest(&args.out, input.is_stdin) {
            Some(d) => d,
            None => Dest::File(decompressed_name(path).ok_or_else(|| {
                Failure::new(
                    &input.name,
                    "unknown suffix, not .nnz or .Z (use -o or -c to name the output)",
                )
            })?),
        };
        check_not_input(path, &dest)?;
        let bar = Bar::new(show_bar(&args.out), input.len, &input.name);
        let name = input.name.clone();
        let start = Instant::now();
        let summary = transfer(input, &dest, args.out.force, &bar, false, &mut |r, w, p| {
            nnzip::decompress_with_threads(r, w, args.threads.requested(), p)
        })?;
        drop(bar);
        if args.out.verbose {
            eprintln!(
                "{}",
                stats_line(&name, &dest.name(), &summary, false, start.elapsed())
            );
        }
        if args.out.rm {
            verify_decompressed(&dest, &summary)?;
            remove_input(path, &name)?;
        }
        Ok(())
    })
}

/// `nnzip -t`: decodes each file, checks its checksum (`.nnz`; a `.Z` stream has none,
/// so it is checked for being decodable) and writes nothing.
pub fn test(files: &[PathBuf], out: &OutputArgs, threads: usize) -> Status {
    for_each_file(files, |path| {
        let input = open_input(path)?;
        if input.is_stdin && !out.force && io::stdin().is_terminal() {
            return Err(Failure::new(
                STDIN_NAME,
                "compressed data not read from a terminal (use -f to force)",
            )
            .into());
        }
        let bar = Bar::new(show_bar(out), input.len, &input.name);
        let name = input.name;
        let mut reader = io::BufReader::with_capacity(1 << 16, input.reader);
        let summary = nnzip::decompress_with_threads(&mut reader, io::sink(), threads, &mut |p| {
            bar.update(p.packed_bytes, p)
        })
        .map_err(|e| Failure::new(&name, error_message(&e)))?;
        drop(bar);
        if out.verbose {
            eprintln!("{name}: OK ({} bytes)", summary.raw_bytes);
        }
        Ok(())
    })
}

/// `nnzip info`.
pub fn info(args: &InfoArgs) -> Status {
    let stdout = io::stdout();
    let mut first = true;
    for_each_file(&args.files, |path| {
        let name = display(path);
        let info = if is_stdio(path) {
            format::read_info(io::stdin().lock())
        } else {
            File::open(path)
                .map_err(Error::Io)
                .and_then(|f| format::scan_info(io::BufReader::new(f)))
        }
        .map_err(|e| Failure::new(&name, error_message(&e)))?;
        let mut text = String::new();
        if !std::mem::take(&mut first) {
            text.push('\n');
        }
        text.push_str(&describe(&name, &info));
        let mut out = stdout.lock();
        match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Err(Stop::BrokenPipe),
            Err(e) => Err(Failure::new(STDOUT_NAME, io_message(&e)).into()),
        }
    })
}

/// The text `nnzip info` prints for one file.
fn describe(name: &str, info: &Info) -> String {
    let mut s = format!("{name}\n");
    let mut line = |k: &str, v: String| s.push_str(&format!("  {k:<15}{v}\n"));
    match info {
        Info::Nnz(nnz) => {
            let h = &nnz.header;
            line(
                "format:",
                format!("nnzip container (.nnz), version {}", h.version),
            );
            line("codec:", format!("neural (id {})", h.codec));
            line("model:", h.config.describe());
            line("segment size:", format!("{} bytes", h.segment_len));
            let original = nnz.scan.as_ref().map(|s| s.original_len).or(h.original_len);
            match original {
                Some(n) => line("original size:", format!("{n} bytes")),
                None => line("original size:", "not in the header (streamed)".into()),
            }
            if let Some(scan) = &nnz.scan {
                line("packed size:", format!("{} bytes", scan.packed_len));
                let summary = Summary::new(scan.original_len, scan.packed_len);
                line(
                    "ratio:",
                    format!(
                        "{:.3} ({:.3} bits per byte)",
                        summary.ratio(),
                        summary.bits_per_byte()
                    ),
                );
                line(
                    "chunks:",
                    format!("{} (largest {} bytes)", scan.chunks, scan.max_chunk_len),
                );
                line("crc32:", format!("{:08x}", scan.crc32));
                line("segments:", format!("{}", scan.segments.len()));
                for (i, seg) in scan.segments.iter().enumerate() {
                    let tree = match seg.tree {
                        None => String::new(),
                        Some(SegmentTree::Plain) => ", bytes as 8 bits".into(),
                        Some(SegmentTree::Own { shortest, longest }) => {
                            format!(", own tree ({shortest} to {longest} decisions a byte)")
                        }
                        Some(SegmentTree::Unreadable) => ", tree unreadable (damaged)".into(),
                    };
                    s.push_str(&format!(
                        "    #{i:<4} at {:>12}: bytes {}..{} -> {} coded, {} chunks, crc32 {:08x}{tree}\n",
                        seg.offset,
                        seg.start,
                        seg.start + u64::from(seg.raw_len),
                        seg.packed_len,
                        seg.chunks,
                        seg.crc32
                    ));
                }
            }
        }
        Info::Z(z) => {
            line("format:", "Unix compress (.Z), LZW".into());
            line("max code width:", format!("{} bits", z.max_bits));
            line(
                "block mode:",
                if z.block_mode { "yes" } else { "no" }.into(),
            );
            if let Some(n) = z.packed_len {
                line("packed size:", format!("{n} bytes"));
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffixes_are_stripped() {
        let p = |s: &str| decompressed_name(Path::new(s));
        assert_eq!(p("a/b.txt.nnz"), Some(PathBuf::from("a/b.txt")));
        assert_eq!(p("b.Z"), Some(PathBuf::from("b")));
        assert_eq!(p(".nnz"), None);
        assert_eq!(p("b.txt"), None);
        assert_eq!(p("b.z"), None);
    }
}
