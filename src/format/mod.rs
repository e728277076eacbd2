//! The `.nnz` container: header, chunk framing, trailer checksum, format detection.
//! Placeholder: being written.
