//! WebRTC data channels for sansrtc (RFC 8831) and the Data Channel Establishment Protocol
//! (RFC 8832).
//!
//! - [`DataChannels`]: the Sans-IO data channel layer over an SCTP association
//!   (`sansrtc_sctp::association::Association`, which it owns): channels opened with
//!   DATA_CHANNEL_OPEN/ACK or pre-negotiated, stream ids of our DTLS role's parity, ordered or
//!   unordered, reliable or partially reliable by retransmissions or lifetime, text, binary
//!   and empty messages up to the peer's `a=max-message-size`, buffered amount and its low
//!   threshold, and closing by stream reset both ways (RFC 8831 §6.7).
//! - [`wire`]: DATA_CHANNEL_OPEN and DATA_CHANNEL_ACK, parsed from borrowed bytes without
//!   allocating and written into a caller buffer; channel types; the payload protocol
//!   identifiers of string, binary and empty messages.
#![forbid(unsafe_code)]

mod channel;
mod endpoint;
mod error;
pub mod wire;

pub use channel::{ChannelConfig, ChannelId, ChannelInfo, ChannelState, DtlsRole, MessageKind};
pub use endpoint::{DEFAULT_REMOTE_MAX_MESSAGE_SIZE, DataChannels, Error, Event};
pub use error::{ParseError, ParseErrorKind};
