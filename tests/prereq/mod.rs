//! What a test needs from outside the repository (the shared corpora beside it, the
//! real `compress`), and what happens when it is missing: on a developer's machine the
//! test prints a note and passes; in CI (the environment variable `CI` set, as
//! `.ci/run` does) it fails, so that a test never passes there without having checked
//! anything.
#![allow(dead_code)]

/// Whether missing prerequisites fail the tests: `CI` is set to anything but the empty
/// string, `0` or `false`.
pub fn required() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false"))
}

/// Reports that `what` is missing: panics under CI (see [`required`]), else prints a
/// note; the caller then returns without checking anything.
pub fn missing(what: &str) {
    assert!(!required(), "CI is set, and this test needs {what}");
    eprintln!("note: skipped, missing {what} (this fails when CI is set)");
}
