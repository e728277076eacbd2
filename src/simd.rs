//! Runtime choice of the widest vector instructions the CPU has, for the model's hot
//! loop, with bit-identical results on every path.
//!
//! The hot loop is compiled twice: once for the baseline target (SSE2 on x86-64) and,
//! on x86-64, once more with AVX2 enabled, chosen at run time. Both copies perform the
//! same IEEE 754 operations in the same order: the network's arithmetic is written as
//! lane-wise operations on blocks of 8 floats plus reductions in a fixed order, and
//! Rust never fuses `a*b+c` into FMA or reorders float sums on its own, so only the
//! instruction width differs. The golden-file and cross-CPU tests check this.

/// Environment variable that, when set to `1`, keeps the baseline code path even on
/// CPUs with AVX2: for tests that compare both paths on one machine.
pub const FORCE_BASELINE_ENV: &str = "NNZIP_FORCE_BASELINE";

/// Calls of [`dispatch`] that ran the AVX2 copy, in this process: lets tests check
/// that the path [`active_path`] names is the one that runs.
static AVX2_RUNS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How many times [`dispatch`] has run its closure through the AVX2 copy in this
/// process (one call codes a whole chunk, so counting costs nothing measurable). Stays
/// 0 on the baseline path and on CPUs without AVX2.
pub fn avx2_runs() -> u64 {
    AVX2_RUNS.load(std::sync::atomic::Ordering::Relaxed)
}

/// Whether the AVX2 path is used (detected once).
#[cfg(target_arch = "x86_64")]
fn use_avx2() -> bool {
    static USE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *USE.get_or_init(|| {
        std::env::var_os(FORCE_BASELINE_ENV).is_none_or(|v| v != "1")
            && std::arch::is_x86_feature_detected!("avx2")
    })
}

/// The instruction set the hot loop runs with on this machine, e.g. for reports.
pub fn active_path() -> &'static str {
    #[cfg(target_arch = "x86_64")]
    {
        if use_avx2() {
            return "avx2";
        }
    }
    "baseline"
}

/// Runs `f` in a context compiled for the best instruction set available.
#[inline(always)]
pub fn dispatch<T>(f: impl FnOnce() -> T) -> T {
    #[cfg(target_arch = "x86_64")]
    {
        if use_avx2() {
            AVX2_RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            // SAFETY: `with_avx2` only requires AVX2, which was detected just above.
            #[allow(unsafe_code)]
            return unsafe { with_avx2(f) };
        }
    }
    f()
}

/// `f`, with everything inlined into it compiled for AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
fn with_avx2<T>(f: impl FnOnce() -> T) -> T {
    f()
}
