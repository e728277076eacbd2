//! Crash-safe output files: an output appears under its name complete or not at all.
//!
//! [`OutputFile`] writes into a temporary file in the target's directory (so that the
//! final rename never crosses a file system) and renames it over the target only in
//! [`OutputFile::commit`]. Dropping it without a commit (an error, a panic unwinding)
//! deletes the temporary file. [`cleanup_on_signals`] covers the remaining case: on
//! SIGINT, SIGTERM or SIGHUP it deletes every temporary file still pending and exits
//! with status 128 + the signal number (130 for SIGINT, 143 for SIGTERM), as a shell
//! reports a process killed by that signal.
//!
//! A process-wide list of pending temporary files is kept under a mutex. Creating,
//! committing and dropping an [`OutputFile`] hold that lock while they create, rename
//! or delete the file, and the signal handler holds it while it deletes and exits, so
//! a signal can never leave a temporary file behind nor delete a committed output.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Prefix of temporary output files (they live beside the target until committed).
pub const TEMP_PREFIX: &str = ".nnzip-";
/// Suffix of temporary output files.
pub const TEMP_SUFFIX: &str = ".tmp";

static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn pending() -> MutexGuard<'static, Vec<PathBuf>> {
    // The list stays valid even if a thread panicked while holding the lock.
    PENDING.lock().unwrap_or_else(PoisonError::into_inner)
}

/// An output file that becomes visible under its name only when committed.
#[derive(Debug)]
pub struct OutputFile {
    tmp: Option<tempfile::NamedTempFile>,
    target: PathBuf,
    overwrite: bool,
}

impl OutputFile {
    /// Starts writing `target`.
    ///
    /// Unless `overwrite` is set, fails at once with [`io::ErrorKind::AlreadyExists`]
    /// if `target` exists (and again at commit time if it appeared meanwhile). `mode`
    /// gives the Unix permission bits of the new file (the umask still applies; the
    /// default is `0o666`, as for any new file); it is ignored elsewhere.
    ///
    /// # Errors
    /// [`io::ErrorKind::AlreadyExists`] as above; the error of creating a file in
    /// `target`'s directory (missing, not a directory, not writable).
    pub fn create(target: &Path, overwrite: bool, mode: Option<u32>) -> io::Result<Self> {
        if !overwrite && fs::symlink_metadata(target).is_ok() {
            return Err(io::Error::from(io::ErrorKind::AlreadyExists));
        }
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let mut builder = tempfile::Builder::new();
        builder.prefix(TEMP_PREFIX).suffix(TEMP_SUFFIX);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(fs::Permissions::from_mode(mode.unwrap_or(0o666) & 0o7777));
        }
        #[cfg(not(unix))]
        let _ = mode;
        let mut list = pending();
        let tmp = builder.tempfile_in(dir)?;
        list.push(tmp.path().to_path_buf());
        drop(list);
        Ok(OutputFile {
            tmp: Some(tmp),
            target: target.to_path_buf(),
            overwrite,
        })
    }

    /// The name the output will have.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// The temporary file being written (until commit).
    pub fn temp_path(&self) -> Option<&Path> {
        self.tmp.as_ref().map(|t| t.path())
    }

    fn file(&mut self) -> io::Result<&mut tempfile::NamedTempFile> {
        self.tmp
            .as_mut()
            .ok_or_else(|| io::Error::other("output file already committed"))
    }

    /// Flushes the data to disk and renames the temporary file to the target.
    ///
    /// # Errors
    /// The error of syncing or renaming; [`io::ErrorKind::AlreadyExists`] if the
    /// target appeared meanwhile and `overwrite` was not set. The temporary file is
    /// deleted on every error.
    pub fn commit(mut self) -> io::Result<()> {
        self.file()?.as_file().sync_all()?;
        let mut list = pending();
        let Some(tmp) = self.tmp.take() else {
            return Ok(());
        };
        let path = tmp.path().to_path_buf();
        let persisted = if self.overwrite {
            tmp.persist(&self.target)
        } else {
            tmp.persist_noclobber(&self.target)
        };
        // On failure the temporary file comes back inside the error and is deleted
        // when the error is dropped, still under the lock.
        let result = persisted.map(drop).map_err(|e| e.error);
        list.retain(|p| *p != path);
        result
    }
}

impl Write for OutputFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file()?.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file()?.flush()
    }
}

impl Drop for OutputFile {
    fn drop(&mut self) {
        if let Some(tmp) = self.tmp.take() {
            let mut list = pending();
            let path = tmp.path().to_path_buf();
            // Deleting before unlisting: a signal in between finds the file listed.
            drop(tmp);
            list.retain(|p| *p != path);
        }
    }
}

/// Whether `a` and `b` name the same existing file (following symlinks).
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (fs::metadata(a), fs::metadata(b)) {
        #[cfg(unix)]
        (Ok(ma), Ok(mb)) => {
            use std::os::unix::fs::MetadataExt;
            ma.dev() == mb.dev() && ma.ino() == mb.ino()
        }
        #[cfg(not(unix))]
        (Ok(_), Ok(_)) => match (fs::canonicalize(a), fs::canonicalize(b)) {
            (Ok(ca), Ok(cb)) => ca == cb,
            _ => false,
        },
        _ => false,
    }
}

/// Deletes every pending temporary file and exits with `code`, holding the lock so
/// that no output is created or committed meanwhile.
fn remove_pending_and_exit(code: i32) -> ! {
    let list = pending();
    for path in list.iter() {
        let _ = fs::remove_file(path);
    }
    std::process::exit(code)
}

/// Installs the handler that, on SIGINT, SIGTERM or SIGHUP, deletes the pending
/// temporary files and exits with 128 + the signal number. Call it once, early.
///
/// # Errors
/// The error of registering the handler or starting its thread.
pub fn cleanup_on_signals() -> io::Result<()> {
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])?;
        std::thread::Builder::new()
            .name("nnzip-signals".into())
            .spawn(move || {
                if let Some(sig) = signals.forever().next() {
                    remove_pending_and_exit(128 + sig);
                }
            })?;
    }
    #[cfg(not(unix))]
    {
        ctrlc::set_handler(|| remove_pending_and_exit(130)).map_err(io::Error::other)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn commit_renames_and_drop_deletes() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out");
        let mut f = OutputFile::create(&target, false, None).unwrap();
        f.write_all(b"data").unwrap();
        assert_eq!(names(dir.path()).len(), 1);
        assert!(!target.exists());
        f.commit().unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"data");
        assert_eq!(names(dir.path()), ["out"]);

        let err = OutputFile::create(&target, false, None).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);

        let mut f = OutputFile::create(&target, true, None).unwrap();
        f.write_all(b"partial").unwrap();
        drop(f);
        assert_eq!(names(dir.path()), ["out"]);
        assert_eq!(fs::read(&target).unwrap(), b"data");

        let mut f = OutputFile::create(&target, true, None).unwrap();
        f.write_all(b"new").unwrap();
        f.commit().unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"new");
    }

    #[test]
    fn noclobber_holds_at_commit_time() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out");
        let f = OutputFile::create(&target, false, None).unwrap();
        fs::write(&target, b"someone else").unwrap();
        assert_eq!(f.commit().unwrap_err().kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(names(dir.path()), ["out"]);
        assert_eq!(fs::read(&target).unwrap(), b"someone else");
    }

    #[test]
    fn unwritable_places_fail_cleanly() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("file");
        fs::write(&file, b"x").unwrap();
        assert!(OutputFile::create(&file.join("out"), false, None).is_err());
        assert!(OutputFile::create(&dir.path().join("none/out"), false, None).is_err());
        assert_eq!(names(dir.path()), ["file"]);
    }
}
