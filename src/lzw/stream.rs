//! `.Z` files as streams: the header plus the codec, over `Read` and `Write`, and the
//! whole-buffer helpers built on them.

use super::{Decoder, Encoder, Header, LzwError, HEADER_LEN};
use crate::error::{Error, Result};
use crate::ioutil::read_full;
use std::io::{self, Read, Write};

/// Size of the internal input and output buffers of the streams.
const BUF_LEN: usize = 64 * 1024;

/// Compresses everything written to it into `.Z` data written to `W`, header included.
///
/// Call [`LzwEncoder::finish`] at the end: it writes the last code and hands `W` back.
/// Dropping the encoder without `finish` leaves an incomplete stream. [`Write::flush`]
/// passes on the complete bytes so far, but cannot end the stream early (the last code
/// is known only at the end).
///
/// ```
/// use std::io::Write;
/// let mut enc = nnzip::lzw::LzwEncoder::new(Vec::new(), 16)?;
/// enc.write_all(b"to be or not to be")?;
/// let z = enc.finish()?;
/// assert_eq!(nnzip::lzw::decompress_bytes(&z)?, b"to be or not to be");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct LzwEncoder<W: Write> {
    inner: W,
    enc: Encoder,
    buf: Box<[u8]>,
    buf_len: usize,
}

impl<W: Write> LzwEncoder<W> {
    /// An encoder writing `.Z` data with codes of at most `max_bits` bits (16 is the
    /// default of `compress`) to `inner`.
    ///
    /// # Errors
    /// [`LzwError::MaxBits`] unless `max_bits` is in 9..=16.
    pub fn new(inner: W, max_bits: u8) -> std::result::Result<Self, LzwError> {
        let header = Header::new(max_bits)?;
        let mut buf = vec![0u8; BUF_LEN].into_boxed_slice();
        buf[..HEADER_LEN].copy_from_slice(&header.to_bytes());
        Ok(LzwEncoder {
            inner,
            enc: Encoder::new(max_bits)?,
            buf,
            buf_len: HEADER_LEN,
        })
    }

    /// The underlying writer.
    pub fn get_ref(&self) -> &W {
        &self.inner
    }

    /// Uncompressed bytes accepted so far.
    pub fn bytes_in(&self) -> u64 {
        self.enc.bytes_in()
    }

    /// Writes the end of the stream and returns the underlying writer (flushed).
    ///
    /// # Errors
    /// I/O errors of the underlying writer.
    pub fn finish(mut self) -> io::Result<W> {
        loop {
            let (written, done) = self.enc.finish(&mut self.buf[self.buf_len..]);
            self.buf_len += written;
            if done {
                break;
            }
            self.flush_buf()?;
        }
        self.flush_buf()?;
        self.inner.flush()?;
        Ok(self.inner)
    }

    fn flush_buf(&mut self) -> io::Result<()> {
        self.inner.write_all(&self.buf[..self.buf_len])?;
        self.buf_len = 0;
        Ok(())
    }
}

impl<W: Write> Write for LzwEncoder<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if data.is_empty() {
            return Ok(0);
        }
        loop {
            // Flush before consuming, so that an error leaves `data` unconsumed.
            if BUF_LEN - self.buf_len < BUF_LEN / 4 {
                self.flush_buf()?;
            }
            let (consumed, written) = self.enc.encode(data, &mut self.buf[self.buf_len..]);
            self.buf_len += written;
            if consumed > 0 {
                return Ok(consumed);
            }
            self.flush_buf()?;
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        self.flush_buf()?;
        self.inner.flush()
    }
}

/// Decompresses `.Z` data read from `R`.
///
/// [`LzwDecoder::new`] reads and checks the header. Invalid data later on makes
/// [`Read::read`] fail with an [`io::Error`] of kind `InvalidData` that wraps the
/// [`LzwError`]: get it back with
/// `err.get_ref().and_then(|e| e.downcast_ref::<LzwError>())`.
///
/// ```
/// use std::io::Read;
/// let z = nnzip::lzw::compress_bytes(b"abcabcabcabc", 12);
/// let mut dec = nnzip::lzw::LzwDecoder::new(&z[..])?;
/// assert_eq!(dec.header().max_bits, 12);
/// let mut text = String::new();
/// dec.read_to_string(&mut text)?;
/// assert_eq!(text, "abcabcabcabc");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct LzwDecoder<R: Read> {
    inner: R,
    dec: Decoder,
    header: Header,
    buf: Box<[u8]>,
    pos: usize,
    len: usize,
    eof: bool,
}

impl<R: Read> LzwDecoder<R> {
    /// Reads the header from `inner` and gets ready to decode.
    ///
    /// # Errors
    /// [`Error::Lzw`] for a bad or truncated header, [`Error::Io`] if reading fails.
    pub fn new(mut inner: R) -> Result<Self> {
        let header = read_header(&mut inner)?;
        Ok(LzwDecoder {
            inner,
            dec: Decoder::new(header),
            header,
            buf: vec![0u8; BUF_LEN].into_boxed_slice(),
            pos: 0,
            len: 0,
            eof: false,
        })
    }

    /// The settings read from the header.
    pub fn header(&self) -> Header {
        self.header
    }

    /// Compressed bytes consumed so far, header included.
    pub fn bytes_in(&self) -> u64 {
        HEADER_LEN as u64 + self.dec.bytes_in()
    }

    /// The underlying reader.
    pub fn get_ref(&self) -> &R {
        &self.inner
    }

    /// Like [`Read::read`], but keeps the error types apart: invalid data is
    /// [`Error::Lzw`], never wrapped in an [`io::Error`]. Returns 0 only at the
    /// end of the stream.
    pub(crate) fn read_typed(&mut self, out: &mut [u8]) -> Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        loop {
            if self.pos == self.len && !self.eof {
                self.pos = 0;
                self.len = read_full(&mut self.inner, &mut self.buf)?;
                self.eof = self.len == 0;
            }
            let st = self.dec.decode(&self.buf[self.pos..self.len], out);
            self.pos += st.consumed;
            if st.written > 0 {
                return Ok(st.written);
            }
            st.result?;
            if self.eof && self.pos == self.len {
                return Ok(0);
            }
        }
    }
}

impl<R: Read> Read for LzwDecoder<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        self.read_typed(out).map_err(|e| match e {
            Error::Io(e) => e,
            Error::Lzw(e) => e.into(),
            other => io::Error::other(other),
        })
    }
}

fn read_header<R: Read>(r: &mut R) -> Result<Header> {
    let mut head = [0u8; HEADER_LEN];
    let n = read_full(r, &mut head)?;
    Ok(Header::parse(&head[..n])?)
}

/// Decompresses a whole `.Z` stream from `r` into `w`; returns the number of bytes
/// written.
///
/// # Errors
/// [`Error::Lzw`] for invalid data, [`Error::Io`] if reading or writing fails.
pub fn decode_all<R: Read, W: Write>(mut r: R, mut w: W) -> Result<u64> {
    let header = read_header(&mut r)?;
    let mut dec = Decoder::new(header);
    let mut inp = vec![0u8; BUF_LEN];
    let mut out = vec![0u8; BUF_LEN];
    let (mut pos, mut len, mut eof) = (0, 0, false);
    let mut total = 0u64;
    loop {
        if pos == len && !eof {
            pos = 0;
            len = read_full(&mut r, &mut inp)?;
            eof = len == 0;
        }
        let st = dec.decode(&inp[pos..len], &mut out);
        pos += st.consumed;
        w.write_all(&out[..st.written])?;
        total += st.written as u64;
        st.result?;
        if st.written == 0 && eof && pos == len {
            return Ok(total);
        }
    }
}

/// Compresses `data` into a complete `.Z` stream (header included), as
/// `compress -b max_bits` does.
///
/// # Panics
/// Unless `max_bits` is in 9..=16 (use [`LzwEncoder::new`] to get an error instead).
pub fn compress_bytes(data: &[u8], max_bits: u8) -> Vec<u8> {
    let header = match Header::new(max_bits) {
        Ok(h) => h,
        Err(e) => panic!("compress_bytes: {e}"),
    };
    let mut enc = match Encoder::new(max_bits) {
        Ok(enc) => enc,
        Err(e) => panic!("compress_bytes: {e}"),
    };
    let mut out = Vec::with_capacity(data.len() / 2 + 64);
    out.extend_from_slice(&header.to_bytes());
    let mut rest = data;
    let chunk = BUF_LEN.max(data.len() / 2);
    while !rest.is_empty() {
        let len = out.len();
        out.resize(len + chunk, 0);
        let (consumed, written) = enc.encode(rest, &mut out[len..]);
        out.truncate(len + written);
        rest = &rest[consumed..];
    }
    loop {
        let len = out.len();
        out.resize(len + 64, 0);
        let (written, done) = enc.finish(&mut out[len..]);
        out.truncate(len + written);
        if done {
            return out;
        }
    }
}

/// Decompresses a complete `.Z` stream held in memory.
///
/// # Errors
/// Every [`LzwError`] of the header and the data.
pub fn decompress_bytes(data: &[u8]) -> std::result::Result<Vec<u8>, LzwError> {
    let header = Header::parse(data)?;
    let mut dec = Decoder::new(header);
    let mut rest = &data[HEADER_LEN..];
    let mut out = Vec::with_capacity(data.len().saturating_mul(3).min(1 << 26));
    loop {
        let len = out.len();
        out.resize(len + BUF_LEN.max(len / 2), 0);
        let st = dec.decode(rest, &mut out[len..]);
        out.truncate(len + st.written);
        rest = &rest[st.consumed..];
        st.result?;
        if st.written == 0 && rest.is_empty() {
            return Ok(out);
        }
    }
}
