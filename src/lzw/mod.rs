//! LZW exactly as Unix `compress` writes it (`.Z`). Placeholder: being written.

/// Errors of the `.Z` decoder.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LzwError {
    /// The stream is not valid `.Z` data.
    #[error("invalid .Z data: {0}")]
    Invalid(String),
}
