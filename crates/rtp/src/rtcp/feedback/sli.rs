//! Slice loss indication (SLI, PSFB FMT 2; RFC 4585 §6.3.2).

use super::{RawFeedback, emit_feedback, feedback_len};
use crate::error::{BuildError, ParseError, ParseErrorKind};
use crate::rtcp::header::RawPacket;
use crate::rtcp::wire::{impl_write_to, u32_at};
use crate::rtcp::{fmt, packet_type};

/// One SLI FCI entry (RFC 4585 §6.3.2): a run of lost macroblocks in one picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SliEntry {
    /// Address of the first lost macroblock, 13 bits.
    pub first: u16,
    /// Number of lost macroblocks, 13 bits.
    pub number: u16,
    /// The six least significant bits of the codec-specific picture identifier.
    pub picture_id: u8,
}

impl SliEntry {
    fn from_word(word: u32) -> Self {
        // Each field is masked to its width, so the casts keep every bit.
        Self {
            first: (word >> 19) as u16,
            number: ((word >> 6) & 0x1fff) as u16,
            picture_id: (word & 0x3f) as u8,
        }
    }

    fn to_word(self) -> u32 {
        u32::from(self.first) << 19 | u32::from(self.number) << 6 | u32::from(self.picture_id)
    }

    fn fits(self) -> bool {
        self.first < 1 << 13 && self.number < 1 << 13 && self.picture_id < 1 << 6
    }
}

/// A checked view of a slice loss indication (RFC 4585 §6.3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sli<'a> {
    feedback: RawFeedback<'a>,
}

impl<'a> Sli<'a> {
    /// Checks `bytes` as exactly one SLI packet (RFC 4585 §6.3.2).
    ///
    /// # Errors
    /// As [`RawPacket::new_checked`] and [`from_raw`](Self::from_raw).
    pub fn new_checked(bytes: &'a [u8]) -> Result<Self, ParseError> {
        Self::from_raw(RawPacket::new_checked(bytes)?)
    }

    /// Checks a framed packet as an SLI: PT 206, FMT 2 and an FCI of whole 32-bit entries
    /// (RFC 4585 §6.3.2).
    ///
    /// # Errors
    /// [`WrongType`](ParseErrorKind::WrongType), or [`BadLength`](ParseErrorKind::BadLength)
    /// for an FCI that is not a multiple of four bytes or a body under eight bytes.
    pub fn from_raw(raw: RawPacket<'a>) -> Result<Self, ParseError> {
        let feedback = RawFeedback::typed(raw, packet_type::PAYLOAD_FEEDBACK, fmt::SLI)?;
        let fci = feedback.fci();
        if fci.len() % 4 != 0 {
            return Err(feedback.fci_error(ParseErrorKind::BadLength, fci.len() - fci.len() % 4));
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

    /// SSRC of the media source.
    pub fn media_ssrc(&self) -> u32 {
        self.feedback.media_ssrc()
    }

    /// The entries, in order.
    pub fn entries(&self) -> SliEntries<'a> {
        SliEntries {
            fci: self.feedback.fci(),
        }
    }
}

/// Iterator over the entries of an [`Sli`] (RFC 4585 §6.3.2). Allocation-free.
#[derive(Debug, Clone)]
pub struct SliEntries<'a> {
    fci: &'a [u8],
}

impl Iterator for SliEntries<'_> {
    type Item = SliEntry;

    fn next(&mut self) -> Option<SliEntry> {
        let word = self.fci.get(..4)?;
        self.fci = self.fci.get(4..).unwrap_or(&[]);
        Some(SliEntry::from_word(u32_at(word, 0)))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.fci.len() / 4, Some(self.fci.len() / 4))
    }
}

impl ExactSizeIterator for SliEntries<'_> {}

/// An owned slice loss indication (RFC 4585 §6.3.2), to build or to keep.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct SliRepr {
    /// SSRC of the packet sender.
    pub sender_ssrc: u32,
    /// SSRC of the media source.
    pub media_ssrc: u32,
    /// The entries, written in order.
    pub entries: Vec<SliEntry>,
}

impl SliRepr {
    /// Copies a checked view.
    pub fn parse(view: &Sli<'_>) -> Self {
        Self {
            sender_ssrc: view.sender_ssrc(),
            media_ssrc: view.media_ssrc(),
            entries: view.entries().collect(),
        }
    }

    /// Length of the packet [`emit`](Self::emit) writes.
    pub fn buffer_len(&self) -> usize {
        feedback_len(4 * self.entries.len())
    }

    /// Writes the packet at the start of `buf` and returns its length (RFC 4585 §6.3.2).
    ///
    /// # Errors
    /// [`BuildError::TooLarge`] when a field exceeds its width (13, 13 and 6 bits), for a
    /// packet over the length field's range or a short `buf`.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, BuildError> {
        if !self.entries.iter().all(|e| e.fits()) {
            return Err(BuildError::TooLarge);
        }
        let ssrcs = (self.sender_ssrc, self.media_ssrc);
        let fci_len = 4 * self.entries.len();
        emit_feedback(
            buf,
            packet_type::PAYLOAD_FEEDBACK,
            fmt::SLI,
            ssrcs,
            fci_len,
            |w| {
                self.entries.iter().for_each(|e| w.u32(e.to_word()));
            },
        )
    }
}

impl_write_to!(SliRepr);

impl From<&Sli<'_>> for SliRepr {
    fn from(view: &Sli<'_>) -> Self {
        Self::parse(view)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sli_fields_pack_into_13_13_6_bits() {
        let repr = SliRepr {
            sender_ssrc: 1,
            media_ssrc: 2,
            entries: vec![SliEntry {
                first: 0x1fff,
                number: 1,
                picture_id: 0x3f,
            }],
        };
        let mut out = Vec::new();
        repr.write_to(&mut out).unwrap();
        assert_eq!(&out[12..], &[0xff, 0xf8, 0x00, 0x7f]);
        assert_eq!(SliRepr::parse(&Sli::new_checked(&out).unwrap()), repr);
        let wide = SliRepr {
            entries: vec![SliEntry {
                first: 1 << 13,
                ..SliEntry::default()
            }],
            ..repr
        };
        assert_eq!(wide.write_to(&mut out), Err(BuildError::TooLarge));
    }
}
