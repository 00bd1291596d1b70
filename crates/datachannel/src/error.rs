//! Errors of the data channel crate: `Copy`, allocation-free, saying what and where.

/// What was wrong with the bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// Fewer bytes than the message needs.
    #[error("truncated")]
    Truncated,
    /// More bytes than the message's lengths account for.
    #[error("trailing bytes")]
    TrailingBytes,
    /// A DCEP message type RFC 8832 §8.2.1 does not define.
    #[error("unknown DCEP message type {0:#04x}")]
    UnknownMessageType(u8),
    /// A channel type RFC 8832 §8.2.2 does not define.
    #[error("unknown channel type {0:#04x}")]
    UnknownChannelType(u8),
    /// A label or protocol that is not UTF-8 (RFC 8832 §5.1).
    #[error("label or protocol not UTF-8")]
    NotUtf8,
    /// A label or protocol over 65,535 bytes (its length field is 16 bits).
    #[error("label or protocol too long")]
    TooLong,
}

/// A parse error and the offset in the message where it was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[error("{kind} at byte {offset}")]
pub struct ParseError {
    /// What was wrong.
    pub kind: ParseErrorKind,
    /// Where, from the start of the message.
    pub offset: usize,
}
