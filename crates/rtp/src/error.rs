//! Parse and build errors of RTP and RTCP packets. `Copy`, allocation-free, with what and where.

/// What was wrong with the bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// Fewer bytes than a header or length field requires.
    #[error("truncated")]
    Truncated,
    /// The version field is not 2 (RFC 3550 §5.1, §6.4.1).
    #[error("RTP/RTCP version is not 2")]
    BadVersion,
    /// A length field is inconsistent with the data (RFC 3550 §6.4.1 length, a CSRC count or
    /// extension length that runs past the packet, padding longer than the payload).
    #[error("bad length")]
    BadLength,
    /// The padding count is zero or larger than the space after the header (RFC 3550 §5.1).
    #[error("bad padding")]
    BadPadding,
    /// A header extension element is malformed (RFC 8285 §4.2, §4.3).
    #[error("bad header extension")]
    BadExtension,
    /// A field holds a value its format does not allow.
    #[error("invalid field value")]
    InvalidValue,
    /// Not the packet type (or feedback format) the caller asked for.
    #[error("wrong packet type")]
    WrongType,
}

/// A malformed packet: what was wrong and at which byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[error("{kind} at byte {offset}")]
pub struct ParseError {
    /// What was wrong.
    pub kind: ParseErrorKind,
    /// Offset from the start of the packet (or compound) where it was found.
    pub offset: usize,
}

impl ParseError {
    /// A new error.
    pub const fn new(kind: ParseErrorKind, offset: usize) -> Self {
        Self { kind, offset }
    }
}

/// Why a packet could not be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A value does not fit its field (more than 15 CSRCs, an extension id outside the form's
    /// range, an element longer than the form allows, a packet longer than the length field
    /// can express, more than 31 report blocks, ...).
    #[error("value does not fit its field")]
    TooLarge,
    /// A value the format reserves (extension id 0 or 15 in the one-byte form, RFC 8285 §4.2).
    #[error("reserved value")]
    Reserved,
}
