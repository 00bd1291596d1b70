//! SDP for WebRTC: a typed, lossless parser and serializer (RFC 8866) with the WebRTC
//! attributes, semantic validation, and the JSEP (RFC 8829) helpers a peer connection or an SFU
//! needs.
//!
//! ```
//! use sansrtc_sdp::{Attribute, SessionDescription};
//!
//! let offer = "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n\
//!              a=group:BUNDLE 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\n\
//!              a=mid:0\r\na=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1\r\n";
//! let sdp: SessionDescription = offer.parse()?;
//! let audio = sdp.media_by_mid("0").unwrap();
//! let opus = &audio.codecs()[0];
//! assert_eq!((opus.name.as_str(), opus.clock_rate, opus.channels), ("opus", 48000, Some(2)));
//! assert_eq!(sdp.to_string(), offer); // canonical input, byte for byte
//! # Ok::<(), sansrtc_sdp::ParseError>(())
//! ```
//!
//! - **Lossless.** Unknown attributes are kept verbatim and in order ([`Attribute::Other`]);
//!   typed values keep the spellings browsers vary on (candidate transport case, `msid-semantic`
//!   spacing). Writing a parsed canonical description gives the same bytes; writing any parsed
//!   description gives a canonical one that parses back to an equal value.
//! - **Bounded.** [`Limits`] caps size, line count, line length and media sections; a
//!   [`ParseError`] names the line number, the line and what was wrong. Nothing panics on input.
//! - **Semantic checks are separate:** [`SessionDescription::validate`] returns a list of
//!   [`Problem`]s (a BUNDLE group naming an unknown mid, a WebRTC section without ICE
//!   credentials, ...).
#![forbid(unsafe_code)]

pub mod attributes;
pub mod codec;
mod emit;
mod error;
mod intern;
pub mod jsep;
mod media;
mod parse;
mod session;
mod validate;
mod write;

pub use attributes::Attribute;
pub use error::{Limits, ParseError, ParseErrorKind, ParseOptions};
pub use media::{MediaDescription, MediaKind, TransportProtocol};
pub use session::{
    Address, Bandwidth, Connection, Origin, SessionDescription, TimeZoneAdjustment, Timing,
};
pub use validate::{Problem, Severity};

impl SessionDescription {
    /// Parses with explicit [`ParseOptions`] (strictness and limits).
    ///
    /// # Errors
    ///
    /// A [`ParseError`] with the line number, the line and what was wrong.
    pub fn parse_with(text: &str, options: &ParseOptions) -> Result<Self, ParseError> {
        parse::parse(text, options)
    }
}

impl std::str::FromStr for SessionDescription {
    type Err = ParseError;

    /// Parses leniently with the default [`Limits`] (see [`ParseOptions`]); CRLF and bare LF
    /// line endings are both accepted.
    fn from_str(text: &str) -> Result<Self, ParseError> {
        parse::parse(text, &ParseOptions::default())
    }
}
