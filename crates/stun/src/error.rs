//! Errors of the STUN/TURN crate, classified by who is at fault.
//!
//! - [`ParseError`]: the bytes are not a well-formed STUN message, attribute or ChannelData
//!   frame. `Copy`, allocation-free, and says what and where.
//! - [`EncodeError`]: the caller asked the builder for something the wire format cannot carry.
//! - [`IntegrityError`]: MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 or FINGERPRINT failed.
//! - [`Error`]: what the state machines return for one rejected datagram or command.

/// What was wrong with the bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// Fewer bytes than the header or a length field requires.
    #[error("truncated")]
    Truncated,
    /// The first two bits are not zero or the magic cookie is wrong (RFC 8489 §5): not STUN.
    #[error("not a STUN message")]
    NotStun,
    /// The message length is not a multiple of 4, or does not match the datagram (RFC 8489 §5).
    #[error("bad message length")]
    BadMessageLength,
    /// An attribute's length runs past the end of the message (RFC 8489 §14).
    #[error("attribute runs past the end of the message")]
    AttributeOverrun,
    /// An attribute follows FINGERPRINT, which must be last (RFC 8489 §14.7).
    #[error("attribute after FINGERPRINT")]
    AttributeAfterFingerprint,
    /// An attribute value has the wrong length for its type.
    #[error("attribute value has the wrong length")]
    BadAttributeLength,
    /// An address attribute has an unknown address family (RFC 8489 §14.1).
    #[error("unknown address family")]
    BadAddressFamily,
    /// A text attribute is not valid UTF-8.
    #[error("text is not UTF-8")]
    InvalidUtf8,
    /// ERROR-CODE class is outside 3–6 or the number outside 0–99 (RFC 8489 §14.8).
    #[error("invalid error code")]
    InvalidErrorCode,
    /// A ChannelData channel number is outside 0x4000–0x4FFF (RFC 8656 §12).
    #[error("channel number out of range")]
    BadChannelNumber,
    /// A length or count exceeds a limit this implementation enforces.
    #[error("limit exceeded")]
    TooLong,
}

/// A malformed message, attribute or frame: what was wrong and at which byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[error("{kind} at byte {offset}")]
pub struct ParseError {
    /// What was wrong.
    pub kind: ParseErrorKind,
    /// Offset from the start of the message (or of the attribute value, for typed attribute
    /// parsing) where the problem was found.
    pub offset: usize,
}

impl ParseError {
    pub(crate) const fn new(kind: ParseErrorKind, offset: usize) -> Self {
        Self { kind, offset }
    }
}

/// Why the message builder refused an attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// The value is longer than its attribute allows (RFC 8489 §14 limits, or 65535 bytes).
    #[error("attribute value too long")]
    ValueTooLong,
    /// The message would exceed 65535 bytes of attributes.
    #[error("message too long")]
    MessageTooLong,
    /// Nothing may follow FINGERPRINT (RFC 8489 §14.7).
    #[error("FINGERPRINT must be the last attribute")]
    AfterFingerprint,
    /// Only MESSAGE-INTEGRITY-SHA256 and FINGERPRINT may follow MESSAGE-INTEGRITY, and only
    /// FINGERPRINT may follow MESSAGE-INTEGRITY-SHA256 (RFC 8489 §14.5, §14.6).
    #[error("attribute not allowed after MESSAGE-INTEGRITY")]
    AfterIntegrity,
    /// An ERROR-CODE outside 300–699.
    #[error("invalid error code")]
    InvalidErrorCode,
    /// A channel number outside 0x4000–0x4FFF.
    #[error("channel number out of range")]
    BadChannelNumber,
    /// An ICMP type above 127 or code above 511 (RFC 8656 §18.13 field widths).
    #[error("ICMP type or code out of range")]
    BadIcmp,
    /// The integrity attribute type cannot be added with `add`: use the builder's
    /// `add_message_integrity*` or `add_fingerprint`.
    #[error("integrity attributes are computed by the builder")]
    ComputedAttribute,
}

/// Why an integrity check failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum IntegrityError {
    /// The message has no such attribute.
    #[error("integrity attribute missing")]
    Missing,
    /// The HMAC or CRC does not match.
    #[error("integrity check failed")]
    Mismatch,
}

/// A violation of the STUN or TURN protocol by the peer: valid bytes, illegal move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum ProtocolViolation {
    /// A response whose transaction id matches no outstanding request (RFC 8489 §6.3.3).
    #[error("response to no outstanding request")]
    UnmatchedResponse,
    /// A request or indication arrived where the machine only expects responses.
    #[error("unexpected message class or method")]
    Unexpected,
    /// A success response lacks an attribute the RFC requires (named by its type).
    #[error("required attribute {0:#06x} missing")]
    MissingAttribute(u16),
    /// Data from the server names a peer with no permission installed (RFC 8656 §10.2, §12).
    #[error("data from a peer without permission")]
    NoPermission,
    /// ChannelData on a channel that is not bound (RFC 8656 §12.6).
    #[error("ChannelData on an unbound channel")]
    UnboundChannel,
    /// The response carries comprehension-required attributes we do not understand
    /// (RFC 8489 §6.3.4: it is discarded).
    #[error("unknown comprehension-required attribute {0:#06x}")]
    UnknownRequiredAttribute(u16),
    /// A datagram from an address other than the server's.
    #[error("datagram from an unexpected source")]
    WrongSource,
    /// Bytes on a transport the machine does not use (a TCP segment for a UDP client, or the
    /// reverse).
    #[error("bytes on the wrong transport")]
    WrongTransport,
}

/// Misuse of the API by the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum ApiMisuse {
    /// The command needs an allocation and there is none (yet, or any more).
    #[error("no allocation")]
    NoAllocation,
    /// Sending to a peer with no permission (create one first, RFC 8656 §9).
    #[error("no permission for that peer")]
    NoPermission,
    /// The peer address family differs from the relayed address family.
    #[error("peer address family does not match the allocation")]
    FamilyMismatch,
    /// All 4096 channel numbers are in use.
    #[error("no free channel number")]
    ChannelsExhausted,
    /// Payload too large for one datagram.
    #[error("payload too large")]
    PayloadTooLarge,
}

/// Why a TURN or Binding machine rejected a datagram or a command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The bytes did not parse.
    #[error("malformed: {0}")]
    Malformed(#[from] ParseError),
    /// Valid bytes, illegal move.
    #[error("protocol violation: {0}")]
    Protocol(#[from] ProtocolViolation),
    /// MESSAGE-INTEGRITY or FINGERPRINT failed.
    #[error("authentication failed: {0}")]
    Auth(#[from] IntegrityError),
    /// Encoding failed (a caller-supplied value does not fit the wire format).
    #[error("encoding failed: {0}")]
    Encode(#[from] EncodeError),
    /// The caller used the API wrongly.
    #[error("API misuse: {0}")]
    ApiMisuse(#[from] ApiMisuse),
    /// A bound was hit (queue full, too much buffered stream data).
    #[error("limit reached: {0}")]
    Limit(&'static str),
    /// TLS failed on the connection to the server.
    #[error("TLS: {0}")]
    Tls(String),
    /// The server answered with an error response carrying this ERROR-CODE (RFC 8489 §14.8).
    #[error("server error {0}")]
    Server(u16),
    /// The machine is closed.
    #[error("closed")]
    Closed,
}
