//! WebRTC data channels for sansrtc (RFC 8831) and the Data Channel Establishment Protocol
//! (RFC 8832).
//!
//! - [`wire`]: DATA_CHANNEL_OPEN and DATA_CHANNEL_ACK, parsed from borrowed bytes without
//!   allocating and written into a caller buffer; channel types (ordered or not; reliable,
//!   limited by retransmissions, or by lifetime); the payload protocol identifiers of string,
//!   binary and empty messages.
//!
//! The channel state machine over an SCTP association is the next step (issue 17); this
//! crate has the codec it will use.
#![forbid(unsafe_code)]

mod error;
pub mod wire;

pub use error::{ParseError, ParseErrorKind};
