//! The library's error type: one enum for every way compression or decompression can
//! fail. Invalid data is kept apart from I/O errors so that callers (and the CLI) can
//! say precisely what went wrong.
//!
//! As in ruzstd, each layer has its own typed error: [`HeaderError`] for a header field
//! out of range, [`TruncatedError`] for where the input ended, [`CorruptError`] for a
//! payload that cannot be valid, and [`ConfigError`] for a setting out of range. Their
//! fields say what was found and what was expected, so callers can match on them
//! instead of on message text.

use std::io;
use std::ops::RangeInclusive;
use std::path::PathBuf;

use crate::lzw::LzwError;

/// Everything that can go wrong in nnzip's library.
///
/// The `Display` text of each variant is a short lower-case phrase without the file
/// name; the CLI prefixes the file it was working on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing failed at the operating-system level.
    #[error("{0}")]
    Io(#[from] io::Error),

    /// The input does not start with the magic of a format nnzip reads.
    #[error("not an nnzip (.nnz) or compress (.Z) file: unknown magic {found:02x?}")]
    BadMagic {
        /// The first bytes that were found instead.
        found: Vec<u8>,
    },

    /// The container was written by a newer (or unknown) format version.
    #[error("unsupported format version {found} (this build reads version {supported})")]
    UnsupportedVersion {
        /// The version number in the file.
        found: u8,
        /// The newest version this build understands.
        supported: u8,
    },

    /// The header names a codec this build does not know.
    #[error("unknown codec id {0}")]
    UnknownCodec(u8),

    /// A header field is outside its documented range.
    #[error("invalid header: {0}")]
    InvalidHeader(HeaderError),

    /// The input ended before the data it announced.
    #[error("truncated input: {0}")]
    Truncated(TruncatedError),

    /// The payload cannot be a valid encoding (it was corrupted or never was valid).
    #[error("corrupt data: {0}")]
    Corrupt(CorruptError),

    /// The decoded data does not match the checksum stored by the encoder.
    #[error("checksum mismatch: stored crc32 {expected:08x}, decoded data has {found:08x}")]
    ChecksumMismatch {
        /// The CRC-32 stored in the file.
        expected: u32,
        /// The CRC-32 of what was decoded.
        found: u32,
    },

    /// The decoded length does not match the length stored by the encoder.
    #[error("length mismatch: stored {expected} bytes, decoded {found}")]
    LengthMismatch {
        /// The length stored in the file.
        expected: u64,
        /// The number of bytes decoded.
        found: u64,
    },

    /// A model or codec setting is out of range.
    #[error("invalid setting: {0}")]
    InvalidConfig(ConfigError),

    /// A `.Z` (LZW) stream is invalid.
    #[error(transparent)]
    Lzw(#[from] crate::lzw::LzwError),

    /// The operation was interrupted (SIGINT/SIGTERM).
    #[error("interrupted")]
    Interrupted,

    /// A worker thread panicked (a bug in nnzip); the run was stopped and nothing
    /// was committed.
    #[error("internal error: a worker thread panicked")]
    WorkerPanicked,
}

// Hand-written rather than `#[from]`: the inner error is the message's detail, not a
// separate cause, so it is not reported again as `source()`.
impl From<HeaderError> for Error {
    fn from(e: HeaderError) -> Self {
        Error::InvalidHeader(e)
    }
}

impl From<TruncatedError> for Error {
    fn from(e: TruncatedError) -> Self {
        Error::Truncated(e)
    }
}

impl From<CorruptError> for Error {
    fn from(e: CorruptError) -> Self {
        Error::Corrupt(e)
    }
}

impl From<ConfigError> for Error {
    fn from(e: ConfigError) -> Self {
        Error::InvalidConfig(e)
    }
}

/// Shorthand for results whose error is [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// Why a header that passed the magic and version checks is invalid
/// ([`Error::InvalidHeader`]).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum HeaderError {
    /// The header's CRC-32 does not match its bytes.
    #[error("header checksum mismatch (stored {stored:08x}, header has {computed:08x})")]
    ChecksumMismatch {
        /// The CRC-32 stored in the header.
        stored: u32,
        /// The CRC-32 of the header bytes as read.
        computed: u32,
    },

    /// Reserved bits of the header's flags byte are set.
    #[error("reserved flag bits {0:#04x} are set")]
    ReservedFlags(u8),

    /// Reserved bits of the encoded model configuration are set.
    #[error("reserved model bits are set")]
    ReservedModelBits,

    /// The model configuration names an activation this build does not know.
    #[error("unknown activation id {0}")]
    UnknownActivation(u8),

    /// The stored model configuration is outside the limits a decoder accepts.
    #[error("{0}")]
    Config(ConfigError),

    /// The segment length is outside the range a reader accepts.
    #[error("segment length {got} outside {expected:?}")]
    SegmentLen {
        /// The stored value.
        got: u32,
        /// The accepted range.
        expected: RangeInclusive<u32>,
    },

    /// The model reads more priming text than a segment holds (so that priming
    /// could take longer than decoding: writers never do it).
    #[error("priming text of {prime} bytes is longer than a segment ({segment} bytes)")]
    PrimeLongerThanSegment {
        /// Bytes of priming text the configuration reads.
        prime: u32,
        /// The segment length.
        segment: u32,
    },
}

/// A part of an `.nnz` stream that has a fixed length, for [`TruncatedError::Inside`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Section {
    /// The 4-byte magic number.
    Magic,
    /// The fixed-length container header.
    Header,
    /// An 8-byte chunk frame.
    ChunkFrame,
    /// A 16-byte segment frame (or the 4-byte terminator).
    SegmentFrame,
    /// The trailer: original length and CRC-32.
    Trailer,
}

impl std::fmt::Display for Section {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Section::Magic => "magic number",
            Section::Header => "header",
            Section::ChunkFrame => "chunk frame",
            Section::SegmentFrame => "segment frame",
            Section::Trailer => "trailer",
        })
    }
}

/// Where the input ended before the data it announced ([`Error::Truncated`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TruncatedError {
    /// There was no input at all.
    #[error("the input is empty")]
    Empty,

    /// The input ends inside a fixed-length part of the stream.
    #[error("input ends inside the {section} ({got} of {expected} bytes)")]
    Inside {
        /// The part that was being read.
        section: Section,
        /// Bytes of it that were present.
        got: usize,
        /// Its full length.
        expected: usize,
    },

    /// The input ends inside the coded bytes of a chunk.
    #[error("input ends inside a chunk ({got} of {expected} coded bytes)")]
    Chunk {
        /// Coded bytes that were present.
        got: u64,
        /// Coded bytes the chunk's frame announced.
        expected: u64,
    },

    /// The input ends inside the coded bytes of a segment.
    #[error("input ends inside segment {index} ({got} of {expected} coded bytes)")]
    Segment {
        /// The segment's index (0 for the first).
        index: u64,
        /// Coded bytes that were present.
        got: u64,
        /// Coded bytes the segment's frame announced.
        expected: u64,
    },

    /// The encoded model configuration is shorter than its fixed length.
    #[error("header ends inside the model configuration")]
    ModelConfig,

    /// The range decoder needed more coded bytes than the payload holds.
    #[error("coded payload ended {overrun} byte(s) early")]
    Payload {
        /// How many bytes the decoder read past the end of its input.
        overrun: u64,
    },

    /// A benchmark codec's output lacks the 8-byte length before its coded chunk.
    #[error("no length before the coded chunk")]
    LengthPrefix,
}

/// Why a chunk did not decode, for [`CorruptError::Chunk`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChunkFault {
    /// The chunk's coded bytes ran out early.
    #[error("{0}")]
    Truncated(TruncatedError),
    /// The chunk's coded bytes are invalid.
    #[error("{0}")]
    Corrupt(Box<CorruptError>),
}

/// The first place where a round trip's output differs from its input, for
/// [`CorruptError::RoundTrip`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Difference {
    /// A byte differs.
    #[error("decoded byte {at} is {decoded:#04x}, the input has {original:#04x}")]
    Byte {
        /// Its offset.
        at: usize,
        /// The decoded byte.
        decoded: u8,
        /// The input's byte.
        original: u8,
    },
    /// One is a prefix of the other.
    #[error("decoded {decoded} bytes, the input has {original}")]
    Length {
        /// Bytes decoded.
        decoded: usize,
        /// Bytes in the input.
        original: usize,
    },
}

/// Why a payload cannot be a valid encoding ([`Error::Corrupt`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CorruptError {
    /// A read was attempted after the stream had already failed.
    #[error("reading past an earlier error in this stream")]
    AfterError,

    /// Bytes follow the end of the compressed stream.
    #[error("trailing garbage after the end of the compressed stream")]
    TrailingData,

    /// A chunk frame announces more original bytes than a chunk may hold.
    #[error("chunk length {got} above the maximum {max}")]
    ChunkTooLong {
        /// The announced length.
        got: u32,
        /// The format's maximum chunk length.
        max: usize,
    },

    /// A chunk frame announces more coded bytes than any chunk of its length needs.
    #[error("packed length {packed} impossible for a chunk of {raw} bytes (at most {max})")]
    ImpossiblePackedLen {
        /// The announced coded length.
        packed: u32,
        /// The announced original length.
        raw: u32,
        /// The largest coded length possible for `raw` bytes.
        max: u64,
    },

    /// A segment frame announces more original bytes than the header's segment length.
    #[error("segment length {got} above the header's segment length {max}")]
    SegmentTooLong {
        /// The announced length.
        got: u32,
        /// The header's segment length.
        max: u32,
    },

    /// A segment frame announces more coded bytes than any segment of its length needs.
    #[error("packed length {packed} impossible for a segment of {raw} bytes (at most {max})")]
    ImpossibleSegmentPackedLen {
        /// The announced coded length.
        packed: u64,
        /// The announced original length.
        raw: u32,
        /// The largest coded length possible for `raw` bytes.
        max: u64,
    },

    /// A segment's chunk frames do not add up to its frame's lengths.
    #[error(
        "segment {index} (original bytes {start}..{end}): its chunks do not fill its frame exactly"
    )]
    SegmentChunks {
        /// The segment's index (0 for the first).
        index: u64,
        /// Offset of the segment's first original byte.
        start: u64,
        /// Offset just past its last original byte, as its frame announces.
        end: u64,
    },

    /// A segment decoded to data whose CRC-32 differs from the one in its frame.
    #[error(
        "segment {index} (original bytes {start}..{end}): checksum mismatch \
         (stored crc32 {expected:08x}, decoded data has {found:08x})"
    )]
    SegmentChecksum {
        /// The segment's index (0 for the first).
        index: u64,
        /// Offset of the segment's first original byte.
        start: u64,
        /// Offset just past its last original byte.
        end: u64,
        /// The CRC-32 stored in the segment frame.
        expected: u32,
        /// The CRC-32 of what was decoded.
        found: u32,
    },

    /// A chunk whose coded bytes were all present did not decode.
    #[error("the chunk holding original bytes {start}..{end} does not decode ({fault})")]
    Chunk {
        /// Offset of the chunk's first original byte.
        start: u64,
        /// Offset just past its last original byte.
        end: u64,
        /// What went wrong inside it.
        fault: ChunkFault,
    },

    /// A segment's description of the tree its bytes are coded in gives a tree
    /// deeper than any writer makes.
    #[error(
        "the segment's byte tree is more than {} decisions deep",
        crate::model::codes::MAX_PATH
    )]
    TreeTooDeep,

    /// Coded bytes are left over after a chunk decoded to its full length.
    #[error("{0} unexpected byte(s) after a coded chunk")]
    TrailingChunkBytes(usize),

    /// A range-coded payload does not start with its zero byte.
    #[error("range coder stream does not start with 0")]
    RangeCoderStart,

    /// The encoder produced a chunk above the format's bound (an internal error).
    #[error(
        "internal error: a chunk of {raw} bytes coded to {packed} bytes, above the format's bound"
    )]
    EncodedAboveBound {
        /// Original bytes in the chunk.
        raw: u32,
        /// Bytes it was coded to.
        packed: usize,
    },

    /// A stored length does not fit in this machine's address space.
    #[error("length {0} does not fit in memory")]
    LengthOverflow(u64),

    /// A benchmark round trip did not give back its input.
    #[error("round trip failed: {codec} on {input}: {difference}")]
    RoundTrip {
        /// The codec's name.
        codec: String,
        /// The input's name.
        input: String,
        /// Where the output first differs.
        difference: Difference,
    },

    /// A sweep baseline's round trip did not give back the sweep input.
    #[error("round trip failed: {codec} on the sweep input")]
    SweepRoundTrip {
        /// The baseline codec's name.
        codec: String,
    },

    /// A sweep point's decoder did not give back the input.
    #[error("sweep point {point}: decoded data differs from the input")]
    SweepPoint {
        /// The point's label, as `point_label` writes it.
        point: String,
    },
}

/// A model, codec, container or benchmark setting out of range
/// ([`Error::InvalidConfig`]).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The model has no context at all.
    #[error("the model needs at least one context")]
    NoContext,

    /// A context order is outside `1..=max`.
    #[error("context order {got} is outside 1..={max}")]
    Order {
        /// The order given.
        got: u8,
        /// The largest order allowed.
        max: u8,
    },

    /// A context order appears twice.
    #[error("context order {0} is given twice")]
    DuplicateOrder(u8),

    /// The context table size is outside its range.
    #[error("table bits {got} outside {expected:?}")]
    TableBits {
        /// The value given.
        got: u8,
        /// The allowed range.
        expected: RangeInclusive<u8>,
    },

    /// The network's hidden width is outside its range.
    #[error("hidden width {got} outside {expected:?}")]
    Hidden {
        /// The value given.
        got: u16,
        /// The allowed range.
        expected: RangeInclusive<u16>,
    },

    /// The network's layer count is outside its range.
    #[error("layer count {got} outside {expected:?}")]
    Layers {
        /// The value given.
        got: u8,
        /// The allowed range.
        expected: RangeInclusive<u8>,
    },

    /// Too many byte embeddings.
    #[error("byte embeddings {got} above {max}")]
    ByteEmbed {
        /// The value given.
        got: u8,
        /// The largest value allowed.
        max: u8,
    },

    /// More priming blocks than the built-in text has.
    #[error("priming blocks {got} above {max}")]
    Prime {
        /// The value given.
        got: u8,
        /// The largest value allowed.
        max: u8,
    },

    /// More of the priming text for the context statistics alone than it has.
    #[error("priming KiB for the tables alone {got} above {max}")]
    PrimeTables {
        /// The value given.
        got: u8,
        /// The largest value allowed.
        max: usize,
    },

    /// The model would read more priming text than a segment holds.
    #[error("priming text of {prime} bytes is longer than a segment ({segment} bytes): use fewer --prime blocks or longer segments")]
    PrimeLongerThanSegment {
        /// Bytes of priming text the configuration reads.
        prime: u32,
        /// The segment length.
        segment: u32,
    },

    /// The learning rate is not in (0, 1].
    #[error("learning rate {0} outside (0, 1]")]
    LearningRate(f32),

    /// The model would allocate more than the memory limit.
    #[error(
        "the model would need {} MiB, above the limit of {} MiB (use fewer orders or fewer table bits)",
        .need >> 20,
        .limit >> 20
    )]
    ModelTooLarge {
        /// Bytes the model would need.
        need: u64,
        /// The limit in bytes.
        limit: u64,
    },

    /// The segment length is outside the range the format allows.
    #[error("segment size {got} bytes outside {}..={} bytes", .expected.start(), .expected.end())]
    SegmentLen {
        /// The value given.
        got: u64,
        /// The allowed range.
        expected: RangeInclusive<u32>,
    },

    /// The requested threads' models and buffers do not fit in the available memory.
    #[error(
        "{threads} threads need {} MiB ({} MiB each for a model and its buffers), but only {} MiB of memory is available; use fewer threads (-T)",
        .need >> 20,
        .each >> 20,
        .available >> 20
    )]
    TooManyThreads {
        /// Threads requested.
        threads: usize,
        /// Bytes one thread needs.
        each: u64,
        /// Bytes all of them need.
        need: u64,
        /// Bytes of memory available.
        available: u64,
    },

    /// The original length 2^64-1 is reserved for "unknown".
    #[error("an original length of 2^64-1 bytes cannot be stored")]
    ReservedLength,

    /// A container chunk length is outside `1..=max`.
    #[error("chunk length {got} outside 1..={max}")]
    ChunkLen {
        /// The value given.
        got: usize,
        /// The largest chunk length.
        max: usize,
    },

    /// An LZW setting is out of range.
    #[error("{0}")]
    Lzw(LzwError),

    /// A benchmark codec name is not known.
    #[error("unknown codec {name:?}; known: {}, default, all, nn, external", .known.join(", "))]
    UnknownBenchCodec {
        /// The name given.
        name: String,
        /// The codec names that are known.
        known: Vec<String>,
    },

    /// An external benchmark codec asked for by name is not installed.
    #[error("{0} was not found on PATH")]
    CodecNotFound(String),

    /// The benchmark was left with no codec to run.
    #[error("no codec to run")]
    NoCodec,

    /// A sweep grid has no width, no layer count or no activation.
    #[error("the sweep grid needs at least one width, layer count and activation")]
    EmptySweepGrid,

    /// A sweep window of 0 bytes.
    #[error("the window must be at least 1 byte")]
    ZeroWindow,

    /// A file given to replot is not a sweep report.
    #[error("{}: not a sweep.json: {reason}", .path.display())]
    NotSweepJson {
        /// The file.
        path: PathBuf,
        /// Why it could not be read as one.
        reason: String,
    },
}
