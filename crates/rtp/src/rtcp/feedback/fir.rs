//! Full intra request (FIR, PSFB FMT 4; RFC 5104 §4.3.1).

use super::{RawFeedback, emit_feedback, feedback_len};
use crate::error::{BuildError, ParseError, ParseErrorKind};
use crate::rtcp::header::RawPacket;
use crate::rtcp::wire::{impl_write_to, u8_at, u32_at};
use crate::rtcp::{fmt, packet_type};

/// One FIR FCI entry (RFC 5104 §4.3.1.1): the media sender asked for a decoder refresh point
/// and the request's sequence number. The three reserved bytes are written as zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct FirEntry {
    /// SSRC of the media sender that should send a decoder refresh point.
    pub ssrc: u32,
    /// Command sequence number, incremented per new request (RFC 5104 §4.3.1.1).
    pub sequence_number: u8,
}

/// A checked view of a full intra request (RFC 5104 §4.3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fir<'a> {
    feedback: RawFeedback<'a>,
}

impl<'a> Fir<'a> {
    /// Checks `bytes` as exactly one FIR packet (RFC 5104 §4.3.1).
    ///
    /// # Errors
    /// As [`RawPacket::new_checked`] and [`from_raw`](Self::from_raw).
    pub fn new_checked(bytes: &'a [u8]) -> Result<Self, ParseError> {
        Self::from_raw(RawPacket::new_checked(bytes)?)
    }

    /// Checks a framed packet as a FIR: PT 206, FMT 4 and an FCI of whole 8-byte entries
    /// (RFC 5104 §4.3.1.1). The media source SSRC of the common part is kept as sent (the RFC
    /// says it is unused and zero).
    ///
    /// # Errors
    /// [`WrongType`](ParseErrorKind::WrongType), or [`BadLength`](ParseErrorKind::BadLength)
    /// for an FCI that is not a multiple of eight bytes or a body under eight bytes.
    pub fn from_raw(raw: RawPacket<'a>) -> Result<Self, ParseError> {
        let feedback = RawFeedback::typed(raw, packet_type::PAYLOAD_FEEDBACK, fmt::FIR)?;
        let fci = feedback.fci();
        if fci.len() % 8 != 0 {
            return Err(feedback.fci_error(ParseErrorKind::BadLength, fci.len() - fci.len() % 8));
        }
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

    /// SSRC of the media source field (unused by FIR, normally 0).
    pub fn media_ssrc(&self) -> u32 {
        self.feedback.media_ssrc()
    }

    /// The entries, in order.
    pub fn entries(&self) -> FirEntries<'a> {
        FirEntries {
            fci: self.feedback.fci(),
        }
    }
}

/// Iterator over the entries of a [`Fir`] (RFC 5104 §4.3.1.1). Allocation-free.
#[derive(Debug, Clone)]
pub struct FirEntries<'a> {
    fci: &'a [u8],
}

impl Iterator for FirEntries<'_> {
    type Item = FirEntry;

    fn next(&mut self) -> Option<FirEntry> {
        let entry = self.fci.get(..8)?;
        self.fci = self.fci.get(8..).unwrap_or(&[]);
        Some(FirEntry {
            ssrc: u32_at(entry, 0),
            sequence_number: u8_at(entry, 4),
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.fci.len() / 8, Some(self.fci.len() / 8))
    }
}

impl ExactSizeIterator for FirEntries<'_> {}

/// An owned full intra request (RFC 5104 §4.3.1), to build or to keep.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct FirRepr {
    /// SSRC of the packet sender.
    pub sender_ssrc: u32,
    /// SSRC of the media source field: 0 by RFC 5104 §4.3.1.2, kept for what others send.
    pub media_ssrc: u32,
    /// The entries, written in order.
    pub entries: Vec<FirEntry>,
}

impl FirRepr {
    /// Copies a checked view.
    pub fn parse(view: &Fir<'_>) -> Self {
        Self {
            sender_ssrc: view.sender_ssrc(),
            media_ssrc: view.media_ssrc(),
            entries: view.entries().collect(),
        }
    }

    /// Length of the packet [`emit`](Self::emit) writes.
    pub fn buffer_len(&self) -> usize {
        feedback_len(8 * self.entries.len())
    }

    /// Writes the packet at the start of `buf` and returns its length (RFC 5104 §4.3.1).
    ///
    /// # Errors
    /// [`BuildError::TooLarge`] for a packet over the length field's range or a short `buf`.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, BuildError> {
        let ssrcs = (self.sender_ssrc, self.media_ssrc);
        let fci_len = 8 * self.entries.len();
        emit_feedback(
            buf,
            packet_type::PAYLOAD_FEEDBACK,
            fmt::FIR,
            ssrcs,
            fci_len,
            |w| {
                for entry in &self.entries {
                    w.u32(entry.ssrc);
                    w.u8(entry.sequence_number);
                    w.zeros(3);
                }
            },
        )
    }
}

impl_write_to!(FirRepr);

impl From<&Fir<'_>> for FirRepr {
    fn from(view: &Fir<'_>) -> Self {
        Self::parse(view)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fir_matches_pion_bytes() {
        let bytes = [
            0x84, 0xce, 0, 4, 0, 0, 0, 0, 0x4b, 0xc4, 0xfc, 0xb4, 0x12, 0x34, 0x56, 0x78, 0x42, 0,
            0, 0,
        ];
        let view = Fir::new_checked(&bytes).unwrap();
        let repr = FirRepr::parse(&view);
        assert_eq!(
            repr.entries,
            [FirEntry {
                ssrc: 0x1234_5678,
                sequence_number: 0x42
            }]
        );
        let mut out = Vec::new();
        repr.write_to(&mut out).unwrap();
        assert_eq!(out, bytes);
    }

    #[test]
    fn fir_fci_of_partial_entry_is_bad_length() {
        let bytes = [0x84, 0xce, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4];
        assert_eq!(
            Fir::new_checked(&bytes).unwrap_err().kind,
            ParseErrorKind::BadLength
        );
    }
}
