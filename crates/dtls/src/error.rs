//! Errors of the DTLS crate, classified by who is at fault. `Copy`, allocation-free.

use crate::wire::AlertDescription;

/// Why a record, a message or an operation was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Bytes that do not follow the wire format: what and at which offset.
    #[error("malformed {what} at byte {offset}")]
    Malformed {
        /// The structure being read.
        what: &'static str,
        /// Offset from the start of the buffer given to the parser.
        offset: usize,
    },
    /// A record failed authentication (bad MAC or AEAD tag): dropped and counted, not fatal
    /// (RFC 6347 §4.1.2.7).
    #[error("record authentication failed")]
    BadRecordMac,
    /// A record whose sequence number was already received, or is older than the window
    /// (RFC 6347 §4.1.2.6): dropped silently.
    #[error("replayed or too old record")]
    Replay,
    /// A record from an epoch this endpoint has no keys for: dropped (RFC 6347 §4.1).
    #[error("record from epoch {0} without keys")]
    UnknownEpoch(u16),
    /// A plaintext or ciphertext over the limits of RFC 5246 §6.2.
    #[error("record too large")]
    RecordOverflow,
    /// The sequence number space of an epoch is used up (2^48 records): re-handshake.
    #[error("sequence numbers exhausted")]
    SequenceExhausted,
    /// The buffer given for output is too small.
    #[error("output buffer too small")]
    BufferTooSmall,
    /// A message or value the protocol forbids here: the alert that goes with it.
    #[error("protocol violation: {0:?}")]
    Protocol(AlertDescription),
    /// Keys or parameters of the wrong size for the negotiated algorithm.
    #[error("bad key material length")]
    BadKeyLength,
}
