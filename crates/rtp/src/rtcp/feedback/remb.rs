//! Receiver estimated maximum bitrate (REMB; draft-alvestrand-rmcat-remb-03 §2.2): an
//! application layer feedback message (PSFB FMT 15, RFC 4585 §6.4) whose FCI starts with
//! "REMB".

use super::{RawFeedback, emit_feedback, feedback_len};
use crate::error::{BuildError, ParseError, ParseErrorKind};
use crate::rtcp::header::RawPacket;
use crate::rtcp::report_block::Ssrcs;
use crate::rtcp::wire::{impl_write_to, sub, u8_at, u24_at};
use crate::rtcp::{fmt, packet_type};

/// The unique identifier that starts a REMB FCI (draft-alvestrand-rmcat-remb-03 §2.2).
pub(crate) const IDENTIFIER: [u8; 4] = *b"REMB";

/// Whether an application layer feedback FCI is a REMB.
pub(crate) fn is_remb(fci: &[u8]) -> bool {
    fci.starts_with(&IDENTIFIER)
}

/// The exponent and 18-bit mantissa of `bitrate`, smallest exponent first, rounding down
/// (draft-alvestrand-rmcat-remb-03 §2.2).
fn encode_bitrate(bitrate: u64) -> (u8, u32) {
    let bits = 64 - bitrate.leading_zeros();
    let exponent = bits.saturating_sub(18);
    // At most 46 and 18 bits: both fit.
    (exponent as u8, (bitrate >> exponent) as u32)
}

/// A checked view of a REMB message (draft-alvestrand-rmcat-remb-03 §2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Remb<'a> {
    feedback: RawFeedback<'a>,
}

impl<'a> Remb<'a> {
    /// Checks `bytes` as exactly one REMB packet (draft-alvestrand-rmcat-remb-03 §2.2).
    ///
    /// # Errors
    /// As [`RawPacket::new_checked`] and [`from_raw`](Self::from_raw).
    pub fn new_checked(bytes: &'a [u8]) -> Result<Self, ParseError> {
        Self::from_raw(RawPacket::new_checked(bytes)?)
    }

    /// Checks a framed packet as REMB: PT 206, FMT 15, an FCI starting with "REMB", an FCI
    /// length of exactly eight bytes plus four per announced SSRC, and a bitrate that fits 64
    /// bits (draft-alvestrand-rmcat-remb-03 §2.2).
    ///
    /// # Errors
    /// [`WrongType`](ParseErrorKind::WrongType) for another type or an FCI without "REMB",
    /// [`BadLength`](ParseErrorKind::BadLength) when the length disagrees with the SSRC count,
    /// [`InvalidValue`](ParseErrorKind::InvalidValue) when mantissa × 2^exponent overflows.
    pub fn from_raw(raw: RawPacket<'a>) -> Result<Self, ParseError> {
        let feedback =
            RawFeedback::typed(raw, packet_type::PAYLOAD_FEEDBACK, fmt::APPLICATION_LAYER)?;
        let fci = feedback.fci();
        if !is_remb(fci) {
            return Err(feedback.fci_error(ParseErrorKind::WrongType, 0));
        }
        if fci.len() < 8 || fci.len() != 8 + 4 * usize::from(u8_at(fci, 4)) {
            return Err(raw.length_error());
        }
        let view = Self { feedback };
        if view.checked_bitrate().is_none() {
            return Err(feedback.fci_error(ParseErrorKind::InvalidValue, 5));
        }
        Ok(view)
    }

    fn checked_bitrate(&self) -> Option<u64> {
        let (exponent, mantissa) = (u32::from(self.exponent()), u64::from(self.mantissa()));
        let bitrate = mantissa << exponent;
        (bitrate >> exponent == mantissa).then_some(bitrate)
    }

    /// The common feedback part.
    pub fn feedback(&self) -> RawFeedback<'a> {
        self.feedback
    }

    /// SSRC of the packet sender.
    pub fn sender_ssrc(&self) -> u32 {
        self.feedback.sender_ssrc()
    }

    /// SSRC of the media source field (always 0 by the draft).
    pub fn media_ssrc(&self) -> u32 {
        self.feedback.media_ssrc()
    }

    /// The six-bit bitrate exponent (BR Exp).
    pub fn exponent(&self) -> u8 {
        u8_at(self.feedback.fci(), 5) >> 2
    }

    /// The 18-bit bitrate mantissa (BR Mantissa).
    pub fn mantissa(&self) -> u32 {
        u24_at(self.feedback.fci(), 5) & 0x3_ffff
    }

    /// The estimated maximum bitrate in bits per second: mantissa × 2^exponent.
    pub fn bitrate(&self) -> u64 {
        self.checked_bitrate().unwrap_or(u64::MAX)
    }

    /// The SSRCs the estimate applies to.
    pub fn ssrcs(&self) -> Ssrcs<'a> {
        let fci = self.feedback.fci();
        Ssrcs::new(sub(fci, 8, fci.len()))
    }
}

/// An owned REMB message (draft-alvestrand-rmcat-remb-03 §2.2), to build or to keep. The
/// media source SSRC is written as 0.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct RembRepr {
    /// SSRC of the packet sender.
    pub sender_ssrc: u32,
    /// The estimated maximum bitrate in bits per second. The message carries an 18-bit
    /// mantissa and a six-bit exponent: [`emit`](Self::emit) picks the smallest exponent and
    /// rounds down, so values above 2^18 may come back smaller.
    pub bitrate: u64,
    /// Up to 255 SSRCs the estimate applies to.
    pub ssrcs: Vec<u32>,
}

impl RembRepr {
    /// Copies a checked view.
    pub fn parse(view: &Remb<'_>) -> Self {
        Self {
            sender_ssrc: view.sender_ssrc(),
            bitrate: view.bitrate(),
            ssrcs: view.ssrcs().collect(),
        }
    }

    /// The bitrate the message will carry once rounded to its mantissa and exponent.
    pub fn encoded_bitrate(&self) -> u64 {
        let (exponent, mantissa) = encode_bitrate(self.bitrate);
        u64::from(mantissa) << exponent
    }

    /// Length of the packet [`emit`](Self::emit) writes.
    pub fn buffer_len(&self) -> usize {
        feedback_len(8 + 4 * self.ssrcs.len())
    }

    /// Writes the packet at the start of `buf` and returns its length
    /// (draft-alvestrand-rmcat-remb-03 §2.2).
    ///
    /// # Errors
    /// [`BuildError::TooLarge`] for more than 255 SSRCs or a short `buf`.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, BuildError> {
        let count = u8::try_from(self.ssrcs.len()).map_err(|_| BuildError::TooLarge)?;
        let (exponent, mantissa) = encode_bitrate(self.bitrate);
        let ssrcs = (self.sender_ssrc, 0);
        let fci_len = 8 + 4 * self.ssrcs.len();
        let format = fmt::APPLICATION_LAYER;
        emit_feedback(
            buf,
            packet_type::PAYLOAD_FEEDBACK,
            format,
            ssrcs,
            fci_len,
            |w| {
                w.bytes(&IDENTIFIER);
                w.u8(count);
                w.u24(u32::from(exponent) << 18 | mantissa);
                self.ssrcs.iter().for_each(|&s| w.u32(s));
            },
        )
    }
}

impl_write_to!(RembRepr);

impl From<&Remb<'_>> for RembRepr {
    fn from(view: &Remb<'_>) -> Self {
        Self::parse(view)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bitrate_uses_smallest_exponent_and_rounds_down() {
        assert_eq!(encode_bitrate(0), (0, 0));
        assert_eq!(encode_bitrate((1 << 18) - 1), (0, (1 << 18) - 1));
        assert_eq!(encode_bitrate(1 << 18), (1, 1 << 17));
        assert_eq!(encode_bitrate(8_927_168), (6, 139_487));
        assert_eq!(encode_bitrate(8_927_169), (6, 139_487));
        assert_eq!(encode_bitrate(u64::MAX), (46, (1 << 18) - 1));
    }

    #[test]
    fn remb_matches_pion_bytes() {
        let bytes = [
            0x8f, 0xce, 0, 5, 0, 0, 0, 1, 0, 0, 0, 0, b'R', b'E', b'M', b'B', 1, 0x1a, 0x20, 0xdf,
            0x48, 0x74, 0xed, 0x16,
        ];
        let view = Remb::new_checked(&bytes).unwrap();
        assert_eq!(view.bitrate(), 8_927_168);
        let repr = RembRepr::parse(&view);
        assert_eq!(repr.ssrcs, [0x4874_ed16]);
        let mut out = Vec::new();
        repr.write_to(&mut out).unwrap();
        assert_eq!(out, bytes);
    }

    #[test]
    fn overflowing_bitrate_is_invalid() {
        let bytes = [
            0x8f, 0xce, 0, 4, 0, 0, 0, 1, 0, 0, 0, 0, b'R', b'E', b'M', b'B', 0, 0xff, 0xff, 0xff,
        ];
        assert_eq!(
            Remb::new_checked(&bytes).unwrap_err().kind,
            ParseErrorKind::InvalidValue
        );
    }

    #[test]
    fn ssrc_count_must_match_length() {
        let bytes = [
            0x8f, 0xce, 0, 4, 0, 0, 0, 1, 0, 0, 0, 0, b'R', b'E', b'M', b'B', 1, 0, 0, 1,
        ];
        assert_eq!(
            Remb::new_checked(&bytes).unwrap_err().kind,
            ParseErrorKind::BadLength
        );
    }
}
