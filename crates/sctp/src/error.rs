//! Parse, checksum and encode errors of SCTP packets (RFC 9260 §3). `Copy`, allocation-free,
//! with what and where.

/// What was wrong with the bytes (RFC 9260 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// Fewer bytes than the common header (12 bytes, RFC 9260 §3.1) or a chunk header (4 bytes,
    /// §3.2) needs.
    #[error("truncated")]
    Truncated,
    /// A chunk length below 4 or past the end of the packet (RFC 9260 §3.2).
    #[error("bad chunk length")]
    BadChunkLength,
    /// The padding after a chunk is partly present: only some of the bytes that would bring it
    /// to a multiple of 4 (RFC 9260 §3.2).
    #[error("incomplete chunk padding")]
    BadPadding,
    /// A parameter or error cause length below 4 or past the end of its chunk (RFC 9260
    /// §3.2.1, §3.3.10).
    #[error("bad parameter length")]
    BadParameterLength,
    /// A chunk, parameter or error cause whose length does not fit its type's layout: a fixed
    /// size that differs, a SACK whose gap block and duplicate TSN counts need more or fewer
    /// bytes than there are (RFC 9260 §3.3.4), a list not a whole number of entries.
    #[error("length does not match the layout of the type")]
    BadLength,
    /// A field holds a value its format does not allow (a HEARTBEAT without its Heartbeat Info
    /// parameter, RFC 9260 §3.3.5; a count that disagrees with its list).
    #[error("invalid field value")]
    InvalidValue,
}

/// A malformed packet: what was wrong and at which byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[error("{kind} at byte {offset}")]
pub struct ParseError {
    /// What was wrong.
    pub kind: ParseErrorKind,
    /// Offset from the start of the packet (or of the chunk, for a chunk parsed alone) where it
    /// was found.
    pub offset: usize,
}

impl ParseError {
    /// A new error.
    pub const fn new(kind: ParseErrorKind, offset: usize) -> Self {
        Self { kind, offset }
    }
}

/// The checksum of a packet is wrong (RFC 9260 §6.8, RFC 9653 §5.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum ChecksumError {
    /// The packet is shorter than the common header (RFC 9260 §3.1).
    #[error("packet shorter than the common header")]
    Truncated,
    /// The CRC32c stored in the packet differs from the one computed (RFC 9260 §6.8).
    #[error("CRC32c mismatch: packet says {received:#010x}, computed {computed:#010x}")]
    Mismatch {
        /// The value in the checksum field (read little-endian).
        received: u32,
        /// The CRC32c computed over the packet with the field taken as zero.
        computed: u32,
    },
}

/// Why a chunk or packet could not be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// A chunk, parameter or error cause longer than its 16-bit length field can express
    /// (RFC 9260 §3.2, §3.2.1).
    #[error("value longer than its length field allows")]
    TooLong,
    /// The buffer given to `emit` is shorter than `buffer_len()`.
    #[error("buffer too short")]
    BufferTooShort,
    /// The packet would exceed the MTU the builder was given; nothing was written.
    #[error("packet of {needed} bytes exceeds the MTU of {mtu}")]
    ExceedsMtu {
        /// Length the packet would have had.
        needed: usize,
        /// The limit.
        mtu: usize,
    },
}
