//! RTP and RTCP packets for sansrtc: zero-copy views and builders.
//!
//! - [`rtp`]: the RTP fixed header, CSRCs, padding and marker (RFC 3550 §5.1), and header
//!   extensions in the one-byte and two-byte forms (RFC 8285) with typed readers for the
//!   extensions WebRTC uses.
//! - [`rtcp`]: compound and reduced-size RTCP (RFC 3550 §6, RFC 5506): SR, RR, SDES, BYE and
//!   APP; generic NACK, PLI, SLI, FIR and REMB feedback (RFC 4585, RFC 5104); transport-wide
//!   congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01); XR
//!   receiver reference time and DLRR blocks (RFC 3611). Unknown packet types are kept raw.
//!
//! # Contract
//!
//! `new_checked` validates every length field once; after it succeeds no accessor panics, and
//! iteration over CSRCs, extensions, report blocks, chunks or compound packets allocates
//! nothing. Builders write into a caller's `Vec<u8>`, reusing its capacity.
#![forbid(unsafe_code)]

mod error;
pub mod rtcp;
pub mod rtp;

pub use error::{BuildError, ParseError, ParseErrorKind};
