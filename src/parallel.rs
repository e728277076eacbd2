//! The parallel driver: codes the segments of a `.nnz` stream on several threads.
//!
//! Segments are independent (each starts a fresh model, see [`crate::format`]), so
//! the calling thread reads the input one segment at a time and hands each to a pool
//! of scoped worker threads ([`std::thread::scope`], jobs and results over
//! [`std::sync::mpsc`] channels); it writes their results strictly in segment order.
//! The bytes written are exactly those of the sequential [`crate::format::NnzEncoder`]
//! with the same settings, whatever the number of threads.
//!
//! At most `threads` segments are in flight (read and not yet written), so memory
//! is bounded by the models plus a few segment buffers, never by the input: a pipe of
//! any length streams through.
//!
//! Faults end the whole run: an error in any worker, or a panic (caught and turned
//! into [`Error::WorkerPanicked`]), stops the other workers between two chunks and is
//! returned; errors are reported in stream order (the first damaged segment is the
//! one named, as in a sequential run). A signal (SIGINT) ends the process through
//! [`crate::fsio`]'s handler, workers included.

use crate::error::{ConfigError, Error, Result};
use crate::format::segment::{
    decode_segment, encode_segment, read_segment_body, read_segment_frame, SegmentFrame,
};
use crate::format::{EncodeOptions, Header, HEADER_LEN, SEGMENT_FRAME_LEN, TRAILER_LEN};
use crate::model::ModelConfig;
use crate::progress::{Progress, Summary};
use std::cell::Cell;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Mutex};
use std::thread;
use std::time::Duration;

/// How often the calling thread reports progress while it waits for the workers.
const TICK: Duration = Duration::from_millis(200);

/// Memory one thread needs: its model, one segment of original bytes and one of
/// coded bytes (at most the original's size on the text nnzip is made for).
pub fn worker_memory(config: &ModelConfig, segment_len: u32) -> u64 {
    config.memory_estimate() + 2 * u64::from(segment_len)
}

/// Bytes of memory available to new allocations, if the system says (Linux:
/// `MemAvailable` in `/proc/meminfo`).
pub fn available_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

/// Number of logical CPUs (1 if unknown).
pub fn cores() -> usize {
    thread::available_parallelism().map_or(1, usize::from)
}

/// The number of threads to run, decided before any work starts.
///
/// `requested` 0 means every core, as far as `each` bytes per thread fit in the
/// available memory (at least one thread). An explicit request above one thread
/// whose models do not fit is refused ([`ConfigError::TooManyThreads`]); one thread
/// is always allowed (the model's own limit applies). `segments`, when known, caps
/// the request first: more threads than segments would only hold memory.
///
/// # Errors
/// [`ConfigError::TooManyThreads`] as above.
pub fn plan_threads(requested: usize, each: u64, segments: Option<u64>) -> Result<usize> {
    let cap = segments.map_or(usize::MAX, |s| {
        usize::try_from(s.max(1)).unwrap_or(usize::MAX)
    });
    let requested = if requested == 0 {
        0
    } else {
        requested.min(cap)
    };
    let available = available_memory();
    let fit = available.map_or(usize::MAX, |a| {
        usize::try_from(a / each.max(1)).unwrap_or(usize::MAX)
    });
    let n = if requested == 0 {
        cores().min(fit).max(1)
    } else {
        if requested > 1 && requested > fit {
            let available = available.unwrap_or(0);
            return Err(Error::InvalidConfig(ConfigError::TooManyThreads {
                threads: requested,
                each,
                need: each.saturating_mul(requested as u64),
                available,
            }));
        }
        requested
    };
    Ok(n.min(cap))
}

/// Runs `work` over the jobs `next_job` produces, on `threads` scoped threads, and
/// hands the results to `deliver` in job order, calling `tick` every [`TICK`] and
/// after each result.
///
/// `next_job` and `deliver` run on the calling thread; at most `threads` jobs are
/// in flight. The first error in job order (from `next_job`, a worker or `deliver`)
/// ends the run: workers are told to stop through the flag passed to `work`, and the
/// error is returned once they have. A panic in `work` becomes
/// [`Error::WorkerPanicked`].
pub(crate) fn run_ordered<J: Send, O: Send>(
    threads: usize,
    next_job: &mut dyn FnMut() -> Result<Option<J>>,
    work: &(dyn Fn(J, &AtomicBool) -> Result<O> + Sync),
    deliver: &mut dyn FnMut(O) -> Result<()>,
    tick: &mut dyn FnMut(),
) -> Result<()> {
    let threads = threads.max(1);
    let stop = AtomicBool::new(false);
    let (job_tx, job_rx) = mpsc::channel::<(u64, J)>();
    let job_rx = Mutex::new(job_rx);
    let (res_tx, res_rx) = mpsc::channel::<(u64, Result<O>)>();
    thread::scope(|s| {
        for i in 0..threads {
            let res_tx = res_tx.clone();
            let (job_rx, stop) = (&job_rx, &stop);
            let spawned = thread::Builder::new()
                .name(format!("nnzip-worker-{i}"))
                .spawn_scoped(s, move || loop {
                    let job = match job_rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    let Ok((index, job)) = job else { return };
                    let result = if stop.load(Ordering::Relaxed) {
                        Err(Error::Interrupted)
                    } else {
                        panic::catch_unwind(AssertUnwindSafe(|| work(job, stop)))
                            .unwrap_or(Err(Error::WorkerPanicked))
                    };
                    if res_tx.send((index, result)).is_err() {
                        return;
                    }
                });
            if let Err(e) = spawned {
                // Dropping the job sender on return lets the workers already started end.
                return Err(Error::Io(e));
            }
        }
        drop(res_tx);
        let result = drive(threads, &job_tx, &res_rx, next_job, deliver, tick);
        if result.is_err() {
            stop.store(true, Ordering::Relaxed);
        }
        drop(job_tx);
        result
    })
}

/// The calling thread's loop of [`run_ordered`].
fn drive<J, O>(
    max_in_flight: usize,
    job_tx: &mpsc::Sender<(u64, J)>,
    res_rx: &mpsc::Receiver<(u64, Result<O>)>,
    next_job: &mut dyn FnMut() -> Result<Option<J>>,
    deliver: &mut dyn FnMut(O) -> Result<()>,
    tick: &mut dyn FnMut(),
) -> Result<()> {
    let (mut read, mut written) = (0u64, 0u64);
    let mut eof = false;
    let mut done: BTreeMap<u64, Result<O>> = BTreeMap::new();
    loop {
        while let Some(result) = done.remove(&written) {
            deliver(result?)?;
            written += 1;
        }
        while !eof && read - written < max_in_flight as u64 {
            match next_job() {
                Ok(Some(job)) => {
                    job_tx
                        .send((read, job))
                        .map_err(|_| Error::WorkerPanicked)?;
                }
                Ok(None) => {
                    eof = true;
                    break;
                }
                // Reported when its turn comes, after the jobs before it.
                Err(e) => {
                    done.insert(read, Err(e));
                    eof = true;
                }
            }
            read += 1;
        }
        while let Some(result) = done.remove(&written) {
            deliver(result?)?;
            written += 1;
        }
        if eof && written == read {
            return Ok(());
        }
        match res_rx.recv_timeout(TICK) {
            Ok((index, result)) => {
                done.insert(index, result);
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => return Err(Error::WorkerPanicked),
        }
        tick();
    }
}

/// Compresses `input` into a `.nnz` stream on `threads` threads; the output is
/// byte for byte that of [`crate::format::NnzEncoder::with_options`] with the same
/// `config`, `original_len` and `opts`.
///
/// # Errors
/// As [`crate::compress_with_len`]; [`Error::WorkerPanicked`] if a worker panicked.
pub fn compress<R: Read, W: Write>(
    mut input: R,
    original_len: Option<u64>,
    mut output: W,
    config: &ModelConfig,
    opts: EncodeOptions,
    threads: usize,
    progress: &mut dyn FnMut(Progress),
) -> Result<Summary> {
    let header = opts.header(config, original_len)?;
    header.write_to(&mut output)?;
    let done = AtomicU64::new(0);
    let packed = Cell::new(HEADER_LEN as u64);
    let mut crc = crc32fast::Hasher::new();
    let mut raw_bytes = 0u64;
    let segment_len = u64::from(opts.segment_len);
    let mut next_job = || -> Result<Option<Vec<u8>>> {
        let mut buf = Vec::new();
        (&mut input).take(segment_len).read_to_end(&mut buf)?;
        if buf.is_empty() {
            return Ok(None);
        }
        raw_bytes += buf.len() as u64;
        if let Some(declared) = original_len {
            if raw_bytes > declared {
                return Err(crate::format::size_changed(declared, raw_bytes));
            }
        }
        crc.update(&buf);
        Ok(Some(buf))
    };
    let cfg = &header.config;
    let work =
        |data: Vec<u8>, stop: &AtomicBool| encode_segment(cfg, opts.chunk_len, &data, stop, &done);
    let mut deliver = |bytes: Vec<u8>| -> Result<()> {
        output.write_all(&bytes)?;
        packed.set(packed.get() + bytes.len() as u64);
        Ok(())
    };
    let mut tick = || {
        progress(Progress {
            raw_bytes: done.load(Ordering::Relaxed),
            packed_bytes: packed.get(),
        })
    };
    run_ordered(threads, &mut next_job, &work, &mut deliver, &mut tick)?;
    if let Some(declared) = original_len {
        if declared != raw_bytes {
            return Err(crate::format::size_changed(declared, raw_bytes));
        }
    }
    let tail = crate::format::tail(raw_bytes, crc.finalize());
    output.write_all(&tail)?;
    output.flush()?;
    Ok(Summary {
        raw_bytes,
        packed_bytes: packed.get() + tail.len() as u64,
        threads,
    })
}

/// A segment to decode: its frame, coded bytes, index and first original offset.
type DecodeJob = (SegmentFrame, Vec<u8>, u64, u64);

/// Decompresses the segments of a `.nnz` stream whose header has been read from
/// `input` already, on `threads` threads. Each segment is verified against its
/// CRC-32 before any of it is written; the trailer is verified at the end.
///
/// # Errors
/// As [`crate::decompress`]; [`Error::WorkerPanicked`] if a worker panicked.
pub fn decompress<R: Read, W: Write>(
    mut input: R,
    header: &Header,
    mut output: W,
    threads: usize,
    progress: &mut dyn FnMut(Progress),
) -> Result<Summary> {
    let done = AtomicU64::new(0);
    let packed = Cell::new(HEADER_LEN as u64);
    let mut index = 0u64;
    let mut raw_read = 0u64;
    let mut next_job = || -> Result<Option<DecodeJob>> {
        let Some(frame) = read_segment_frame(&mut input, header.segment_len)? else {
            packed.set(packed.get() + 4);
            return Ok(None);
        };
        let end = raw_read + u64::from(frame.raw);
        if let Some(declared) = header.original_len {
            if end > declared {
                return Err(Error::LengthMismatch {
                    expected: declared,
                    found: end,
                });
            }
        }
        let mut body = Vec::new();
        read_segment_body(&mut input, &frame, index, &mut body)?;
        packed.set(packed.get() + SEGMENT_FRAME_LEN as u64 + frame.packed);
        let job = (frame, body, index, raw_read);
        index += 1;
        raw_read = end;
        Ok(Some(job))
    };
    let cfg = &header.config;
    let work = |(frame, body, index, start): DecodeJob, stop: &AtomicBool| {
        decode_segment(cfg, frame, body, index, start, stop, &done)
    };
    let mut crc = crc32fast::Hasher::new();
    let mut raw_bytes = 0u64;
    let mut deliver = |data: Vec<u8>| -> Result<()> {
        output.write_all(&data)?;
        crc.update(&data);
        raw_bytes += data.len() as u64;
        Ok(())
    };
    let mut tick = || {
        progress(Progress {
            raw_bytes: done.load(Ordering::Relaxed),
            packed_bytes: packed.get(),
        })
    };
    run_ordered(threads, &mut next_job, &work, &mut deliver, &mut tick)?;
    crate::format::check_trailer(&mut input, header, raw_bytes, crc.finalize())?;
    output.flush()?;
    Ok(Summary {
        raw_bytes,
        packed_bytes: packed.get() + TRAILER_LEN as u64,
        threads,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs 0..jobs through `run_ordered` with `work`; returns what was delivered.
    fn run(
        threads: usize,
        jobs: u64,
        work: &(dyn Fn(u64, &AtomicBool) -> Result<u64> + Sync),
    ) -> (Result<()>, Vec<u64>) {
        let mut next = 0u64;
        let mut next_job = || {
            next += 1;
            Ok((next <= jobs).then_some(next - 1))
        };
        let mut got = Vec::new();
        let mut deliver = |o: u64| {
            got.push(o);
            Ok(())
        };
        let r = run_ordered(threads, &mut next_job, work, &mut deliver, &mut || {});
        (r, got)
    }

    #[test]
    fn results_come_in_order_whatever_the_timing() {
        for threads in [1, 2, 3, 8] {
            let (r, got) = run(threads, 20, &|j, _| {
                // Later jobs finish first.
                thread::sleep(Duration::from_millis(20 - j));
                Ok(j * 10)
            });
            r.unwrap();
            assert_eq!(got, (0..20).map(|j| j * 10).collect::<Vec<_>>());
        }
        let (r, got) = run(2, 0, &|j, _| Ok(j));
        r.unwrap();
        assert!(got.is_empty());
    }

    #[test]
    fn a_worker_error_ends_the_run_in_stream_order() {
        let (r, got) = run(3, 50, &|j, stop| {
            if j == 7 || j == 9 {
                return Err(Error::Corrupt(crate::error::CorruptError::SegmentChunks {
                    index: j,
                    start: 0,
                    end: 0,
                }));
            }
            // Slow jobs notice the stop flag.
            for _ in 0..100 {
                if stop.load(Ordering::Relaxed) {
                    return Err(Error::Interrupted);
                }
                thread::sleep(Duration::from_millis(1));
            }
            Ok(j)
        });
        assert!(matches!(
            r,
            Err(Error::Corrupt(crate::error::CorruptError::SegmentChunks {
                index: 7,
                ..
            }))
        ));
        assert_eq!(got, (0..7).collect::<Vec<_>>());
    }

    #[test]
    fn a_worker_panic_ends_the_run() {
        let (r, got) = run(2, 10, &|j, _| {
            assert!(j != 4, "injected panic in job {j}");
            Ok(j)
        });
        assert!(matches!(r, Err(Error::WorkerPanicked)), "{r:?}");
        assert_eq!(got, (0..4).collect::<Vec<_>>());
    }

    #[test]
    fn a_reader_error_comes_after_the_jobs_before_it() {
        let mut next = 0u64;
        let mut next_job = || {
            next += 1;
            if next == 4 {
                Err(Error::Interrupted)
            } else {
                Ok(Some(next))
            }
        };
        let mut got = Vec::new();
        let mut deliver = |o: u64| {
            got.push(o);
            Ok(())
        };
        let r = run_ordered(2, &mut next_job, &|j, _| Ok(j), &mut deliver, &mut || {});
        assert!(matches!(r, Err(Error::Interrupted)));
        assert_eq!(got, [1, 2, 3]);
    }

    #[test]
    fn thread_plans() {
        assert_eq!(plan_threads(3, 1, None).unwrap(), 3);
        assert_eq!(plan_threads(3, 1, Some(2)).unwrap(), 2);
        assert!(plan_threads(0, 1, None).unwrap() >= 1);
        assert_eq!(plan_threads(0, 1, Some(1)).unwrap(), 1);
        if available_memory().is_some() {
            assert!(matches!(
                plan_threads(2, u64::MAX / 4, None),
                Err(Error::InvalidConfig(ConfigError::TooManyThreads {
                    threads: 2,
                    ..
                }))
            ));
            assert_eq!(plan_threads(0, u64::MAX / 4, None).unwrap(), 1);
        }
        assert_eq!(plan_threads(1, u64::MAX, None).unwrap(), 1);
        assert_eq!(plan_threads(1000, u64::MAX / 4, Some(1)).unwrap(), 1);
    }
}
