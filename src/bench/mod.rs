//! End-to-end benchmark tables, model-size sweeps and plots. Placeholder: being written.

use crate::error::Result;

/// Arguments of `nnzip bench`.
#[derive(Debug, Clone, clap::Args)]
pub struct BenchArgs {
    /// Files to benchmark.
    #[arg(required = true)]
    pub files: Vec<std::path::PathBuf>,
}

/// Arguments of `nnzip sweep`.
#[derive(Debug, Clone, clap::Args)]
pub struct SweepArgs {
    /// File to run the sweep on.
    pub file: std::path::PathBuf,
}

/// Runs `nnzip bench`, printing its table to stdout.
///
/// # Errors
/// Any failure to read a file, run a codec or verify a round trip.
pub fn run_bench(_args: &BenchArgs) -> Result<()> {
    Err(crate::Error::InvalidConfig(
        "bench is not yet implemented".into(),
    ))
}

/// Runs `nnzip sweep`, printing its table and writing plots.
///
/// # Errors
/// Any failure to read the file, run a model or write the plots.
pub fn run_sweep(_args: &SweepArgs) -> Result<()> {
    Err(crate::Error::InvalidConfig(
        "sweep is not yet implemented".into(),
    ))
}
