//! The binary's helpers: argument grammar, per-file runs and reporting. The codec
//! logic lives in the library; this module only decides names and says what happened.

pub mod args;
pub mod report;
pub mod run;
