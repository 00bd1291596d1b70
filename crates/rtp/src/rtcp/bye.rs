//! Goodbye (BYE, PT 203; RFC 3550 §6.6): sources leaving, with an optional reason.

use crate::error::{BuildError, ParseError};
use crate::rtcp::header::RawPacket;
use crate::rtcp::packet_type;
use crate::rtcp::report_block::Ssrcs;
use crate::rtcp::wire::{count5, emit_packet, impl_write_to, packet_len, sub};

/// A checked view of a BYE packet (RFC 3550 §6.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Goodbye<'a> {
    raw: RawPacket<'a>,
}

impl<'a> Goodbye<'a> {
    /// Checks `bytes` as exactly one BYE packet (RFC 3550 §6.6).
    ///
    /// # Errors
    /// As [`RawPacket::new_checked`] and [`from_raw`](Self::from_raw).
    pub fn new_checked(bytes: &'a [u8]) -> Result<Self, ParseError> {
        Self::from_raw(RawPacket::new_checked(bytes)?)
    }

    /// Checks a framed packet as BYE: packet type 203, SC SSRCs, and when bytes follow them a
    /// reason whose length byte fits (RFC 3550 §6.6). Bytes after the reason (its null
    /// padding) are ignored.
    ///
    /// # Errors
    /// [`WrongType`](crate::ParseErrorKind::WrongType), or
    /// [`BadLength`](crate::ParseErrorKind::BadLength) when the SSRCs or the reason run past
    /// the body.
    pub fn from_raw(raw: RawPacket<'a>) -> Result<Self, ParseError> {
        raw.expect_type(packet_type::GOODBYE)?;
        let body = raw.body();
        let ssrcs_end = 4 * usize::from(raw.count());
        if body.len() < ssrcs_end {
            return Err(raw.length_error());
        }
        if let Some(&len) = body.get(ssrcs_end)
            && ssrcs_end + 1 + usize::from(len) > body.len()
        {
            return Err(raw.length_error());
        }
        Ok(Self { raw })
    }

    /// The framed packet.
    pub fn raw(&self) -> RawPacket<'a> {
        self.raw
    }

    /// The SSRC/CSRCs that leave, SC of them.
    pub fn ssrcs(&self) -> Ssrcs<'a> {
        Ssrcs::new(sub(self.raw.body(), 0, 4 * usize::from(self.raw.count())))
    }

    /// The reason for leaving, when the packet has one (possibly empty).
    pub fn reason(&self) -> Option<&'a [u8]> {
        let at = 4 * usize::from(self.raw.count());
        let body = self.raw.body();
        let len = usize::from(*body.get(at)?);
        body.get(at + 1..at + 1 + len)
    }

    /// The reason as `&str`; `None` when there is none or it is not UTF-8.
    pub fn reason_str(&self) -> Option<&'a str> {
        core::str::from_utf8(self.reason()?).ok()
    }
}

/// An owned BYE packet (RFC 3550 §6.6), to build or to keep.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct GoodbyeRepr {
    /// Up to 31 SSRC/CSRCs.
    pub ssrcs: Vec<u32>,
    /// The reason for leaving, at most 255 bytes; `Some` of an empty reason writes a zero
    /// length byte.
    pub reason: Option<Vec<u8>>,
}

impl GoodbyeRepr {
    /// Copies a checked view.
    pub fn parse(view: &Goodbye<'_>) -> Self {
        Self {
            ssrcs: view.ssrcs().collect(),
            reason: view.reason().map(<[u8]>::to_vec),
        }
    }

    fn body_len(&self) -> usize {
        let reason = self
            .reason
            .as_ref()
            .map_or(0, |r| (1 + r.len()).next_multiple_of(4));
        4 * self.ssrcs.len() + reason
    }

    /// Length of the packet [`emit`](Self::emit) writes.
    pub fn buffer_len(&self) -> usize {
        packet_len(self.body_len())
    }

    /// Writes the packet at the start of `buf` and returns its length (RFC 3550 §6.6): the
    /// reason is padded with null octets to 32 bits.
    ///
    /// # Errors
    /// [`BuildError::TooLarge`] for more than 31 SSRCs, a reason over 255 bytes, or a short
    /// `buf`.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, BuildError> {
        let count = count5(self.ssrcs.len())?;
        let reason_len = match &self.reason {
            Some(r) => Some(u8::try_from(r.len()).map_err(|_| BuildError::TooLarge)?),
            None => None,
        };
        emit_packet(buf, count, packet_type::GOODBYE, self.body_len(), |w| {
            self.ssrcs.iter().for_each(|&s| w.u32(s));
            if let (Some(reason), Some(len)) = (&self.reason, reason_len) {
                w.u8(len);
                w.bytes(reason);
                w.zeros((1 + reason.len()).next_multiple_of(4) - 1 - reason.len());
            }
        })
    }
}

impl_write_to!(GoodbyeRepr);

impl From<&Goodbye<'_>> for GoodbyeRepr {
    fn from(view: &Goodbye<'_>) -> Self {
        Self::parse(view)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ParseErrorKind;

    #[test]
    fn goodbye_with_reason_round_trips() {
        let repr = GoodbyeRepr {
            ssrcs: vec![1, 2],
            reason: Some(b"camera off".to_vec()),
        };
        let mut out = Vec::new();
        repr.write_to(&mut out).unwrap();
        assert_eq!(out.len(), 4 + 8 + 12);
        let view = Goodbye::new_checked(&out).unwrap();
        assert_eq!(view.reason_str(), Some("camera off"));
        assert_eq!(GoodbyeRepr::parse(&view), repr);
    }

    #[test]
    fn empty_reason_is_kept() {
        let repr = GoodbyeRepr {
            ssrcs: vec![9],
            reason: Some(Vec::new()),
        };
        let mut out = Vec::new();
        repr.write_to(&mut out).unwrap();
        assert_eq!(out, [0x81, 203, 0, 2, 0, 0, 0, 9, 0, 0, 0, 0]);
        assert_eq!(
            GoodbyeRepr::parse(&Goodbye::new_checked(&out).unwrap()),
            repr
        );
    }

    #[test]
    fn reason_past_the_body_is_bad_length() {
        let bytes = [0x81, 203, 0, 2, 0, 0, 0, 9, 4, b'a', b'b', b'c'];
        assert_eq!(
            Goodbye::new_checked(&bytes).unwrap_err().kind,
            ParseErrorKind::BadLength
        );
    }
}
