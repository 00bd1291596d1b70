//! Rapid resynchronisation request (RTPFB FMT 5; RFC 6051 §3.4): ask a media sender for an RTCP
//! SR (or RTP header extension) to resynchronise quickly.

use super::{RawFeedback, emit_feedback, feedback_len};
use crate::error::{BuildError, ParseError};
use crate::rtcp::header::RawPacket;
use crate::rtcp::wire::impl_write_to;
use crate::rtcp::{fmt, packet_type};

/// A checked view of a rapid resynchronisation request (RFC 6051 §3.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RapidResyncRequest<'a> {
    feedback: RawFeedback<'a>,
}

impl<'a> RapidResyncRequest<'a> {
    /// Checks `bytes` as exactly one rapid resynchronisation request (RFC 6051 §3.4).
    ///
    /// # Errors
    /// As [`RawPacket::new_checked`] and [`from_raw`](Self::from_raw).
    pub fn new_checked(bytes: &'a [u8]) -> Result<Self, ParseError> {
        Self::from_raw(RawPacket::new_checked(bytes)?)
    }

    /// Checks a framed packet as a rapid resynchronisation request: PT 205 and FMT 5
    /// (RFC 6051 §3.4). It has no FCI; any is ignored.
    ///
    /// # Errors
    /// [`WrongType`](crate::ParseErrorKind::WrongType), or
    /// [`BadLength`](crate::ParseErrorKind::BadLength) for a body under eight bytes.
    pub fn from_raw(raw: RawPacket<'a>) -> Result<Self, ParseError> {
        let feedback = RawFeedback::typed(
            raw,
            packet_type::TRANSPORT_FEEDBACK,
            fmt::RAPID_RESYNC_REQUEST,
        )?;
        Ok(Self { feedback })
    }

    /// The common feedback part.
    pub fn feedback(&self) -> RawFeedback<'a> {
        self.feedback
    }

    /// SSRC of the packet sender.
    pub fn sender_ssrc(&self) -> u32 {
        self.feedback.sender_ssrc()
    }

    /// SSRC of the media source asked to resynchronise.
    pub fn media_ssrc(&self) -> u32 {
        self.feedback.media_ssrc()
    }
}

/// An owned rapid resynchronisation request (RFC 6051 §3.4), to build or to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RapidResyncRequestRepr {
    /// SSRC of the packet sender.
    pub sender_ssrc: u32,
    /// SSRC of the media source.
    pub media_ssrc: u32,
}

impl RapidResyncRequestRepr {
    /// Copies a checked view.
    pub fn parse(view: &RapidResyncRequest<'_>) -> Self {
        Self {
            sender_ssrc: view.sender_ssrc(),
            media_ssrc: view.media_ssrc(),
        }
    }

    /// Length of the packet [`emit`](Self::emit) writes: always 12.
    pub fn buffer_len(&self) -> usize {
        feedback_len(0)
    }

    /// Writes the packet at the start of `buf` and returns its length (RFC 6051 §3.4).
    ///
    /// # Errors
    /// [`BuildError::TooLarge`] for a `buf` under 12 bytes.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, BuildError> {
        let ssrcs = (self.sender_ssrc, self.media_ssrc);
        let format = fmt::RAPID_RESYNC_REQUEST;
        emit_feedback(
            buf,
            packet_type::TRANSPORT_FEEDBACK,
            format,
            ssrcs,
            0,
            |_| (),
        )
    }
}

impl_write_to!(RapidResyncRequestRepr);

impl From<&RapidResyncRequest<'_>> for RapidResyncRequestRepr {
    fn from(view: &RapidResyncRequest<'_>) -> Self {
        Self::parse(view)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rrr_matches_pion_bytes() {
        let bytes = [
            0x85, 0xcd, 0, 2, 0x90, 0x2f, 0x9e, 0x2e, 0x90, 0x2f, 0x9e, 0x2e,
        ];
        let repr = RapidResyncRequestRepr::parse(&RapidResyncRequest::new_checked(&bytes).unwrap());
        assert_eq!(repr.media_ssrc, 0x902f_9e2e);
        let mut out = Vec::new();
        repr.write_to(&mut out).unwrap();
        assert_eq!(out, bytes);
    }
}
