//! The one read loop every layer shares: fill a buffer unless the input ends first.

use std::io::{self, Read};

/// Reads until `buf` is full or the input ends, retrying reads interrupted by a
/// signal; returns the number of bytes read (less than `buf.len()` only at the end of
/// the input).
pub(crate) fn read_full<R: Read + ?Sized>(r: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match r.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}
