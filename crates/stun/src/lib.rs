//! STUN and TURN for sansrtc: a zero-copy message codec and Sans-IO state machines.
//!
//! - [`wire`]: STUN messages (RFC 8489, compatible with RFC 5389) with every attribute of
//!   RFC 8489 §14, RFC 8656 §18 and the ICE attributes of RFC 8445; ChannelData framing and a
//!   TCP/TLS stream decoder (RFC 8656 §12).
//! - [`IntegrityKey`] and [`credentials`]: MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 and
//!   FINGERPRINT; short-term and long-term keys (MD5 and SHA-256), OpaqueString (RFC 8265) and
//!   SASLprep (RFC 4013, complete with the bidirectional rule and unassigned code points, by the
//!   `stringprep` crate; [`credentials::PrepError::Bidi`] reports a bidirectional-rule
//!   failure), USERHASH, and the nonce cookie (RFC 8489 §9).
//! - [`transaction`]: request retransmission and response matching (RFC 8489 §6.2).
//! - [`binding`]: a Binding client for server-reflexive discovery and a tiny Binding server.
//! - [`turn`]: a TURN client over UDP, TCP and TLS (RFC 8656). A response to an authenticated
//!   request without valid integrity is discarded (RFC 8489 §9.2.5): `handle_receive` returns
//!   [`Error::Auth`] and nothing changes.
//! - [`turn_server`]: a Sans-IO TURN server (RFC 8656) for clients over UDP, TCP and TLS, with
//!   long-term credentials and expiring nonces (RFC 8489 §9.2), quotas, bounded memory and a
//!   zero-allocation relay path; it answers Binding requests too.
//!
//! Nothing here performs I/O, reads the clock or uses a global random number generator: the
//! state machines take `now` and an injected seed, and every datagram goes in through
//! `handle_receive` and out through `poll_transmit` (see `sansrtc_proto::SansIo`).
#![forbid(unsafe_code)]

pub mod binding;
pub mod credentials;
mod error;
mod integrity;
pub mod transaction;
pub mod turn;
pub mod turn_server;
pub mod wire;

pub use error::{
    ApiMisuse, EncodeError, Error, IntegrityError, ParseError, ParseErrorKind, ProtocolViolation,
};
pub use integrity::{FINGERPRINT_XOR, IntegrityKey};
