//! Picture loss indication (PLI, PSFB FMT 1; RFC 4585 §6.3.1).

use super::{RawFeedback, emit_feedback, feedback_len};
use crate::error::{BuildError, ParseError};
use crate::rtcp::header::RawPacket;
use crate::rtcp::wire::impl_write_to;
use crate::rtcp::{fmt, packet_type};

/// A checked view of a picture loss indication (RFC 4585 §6.3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pli<'a> {
    feedback: RawFeedback<'a>,
}

impl<'a> Pli<'a> {
    /// Checks `bytes` as exactly one PLI packet (RFC 4585 §6.3.1).
    ///
    /// # Errors
    /// As [`RawPacket::new_checked`] and [`from_raw`](Self::from_raw).
    pub fn new_checked(bytes: &'a [u8]) -> Result<Self, ParseError> {
        Self::from_raw(RawPacket::new_checked(bytes)?)
    }

    /// Checks a framed packet as a PLI: PT 206 and FMT 1 (RFC 4585 §6.3.1). The RFC forbids
    /// FCI here; like libwebrtc, any FCI is ignored rather than refused.
    ///
    /// # Errors
    /// [`WrongType`](crate::ParseErrorKind::WrongType), or
    /// [`BadLength`](crate::ParseErrorKind::BadLength) for a body under eight bytes.
    pub fn from_raw(raw: RawPacket<'a>) -> Result<Self, ParseError> {
        let feedback = RawFeedback::typed(raw, packet_type::PAYLOAD_FEEDBACK, fmt::PLI)?;
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

    /// SSRC of the media source that needs a new picture.
    pub fn media_ssrc(&self) -> u32 {
        self.feedback.media_ssrc()
    }
}

/// An owned picture loss indication (RFC 4585 §6.3.1), to build or to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PliRepr {
    /// SSRC of the packet sender.
    pub sender_ssrc: u32,
    /// SSRC of the media source.
    pub media_ssrc: u32,
}

impl PliRepr {
    /// Copies a checked view.
    pub fn parse(view: &Pli<'_>) -> Self {
        Self {
            sender_ssrc: view.sender_ssrc(),
            media_ssrc: view.media_ssrc(),
        }
    }

    /// Length of the packet [`emit`](Self::emit) writes: always 12.
    pub fn buffer_len(&self) -> usize {
        feedback_len(0)
    }

    /// Writes the packet at the start of `buf` and returns its length (RFC 4585 §6.3.1).
    ///
    /// # Errors
    /// [`BuildError::TooLarge`] for a `buf` under 12 bytes.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, BuildError> {
        let ssrcs = (self.sender_ssrc, self.media_ssrc);
        emit_feedback(
            buf,
            packet_type::PAYLOAD_FEEDBACK,
            fmt::PLI,
            ssrcs,
            0,
            |_| (),
        )
    }
}

impl_write_to!(PliRepr);

impl From<&Pli<'_>> for PliRepr {
    fn from(view: &Pli<'_>) -> Self {
        Self::parse(view)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pli_matches_pion_bytes() {
        let bytes = [0x81, 0xce, 0, 2, 0, 0, 0, 0, 0x4b, 0xc4, 0xfc, 0xb4];
        let view = Pli::new_checked(&bytes).unwrap();
        let repr = PliRepr::parse(&view);
        assert_eq!(
            repr,
            PliRepr {
                sender_ssrc: 0,
                media_ssrc: 0x4bc4_fcb4
            }
        );
        let mut out = Vec::new();
        repr.write_to(&mut out).unwrap();
        assert_eq!(out, bytes);
    }
}
