//! Temporary maximum media stream bit rate request and notification (TMMBR, RTPFB FMT 3;
//! TMMBN, RTPFB FMT 4; RFC 5104 §4.2.1, §4.2.2).

use super::{RawFeedback, emit_feedback, feedback_len};
use crate::error::{BuildError, ParseError, ParseErrorKind};
use crate::rtcp::header::RawPacket;
use crate::rtcp::wire::{impl_write_to, u32_at};
use crate::rtcp::{fmt, packet_type};

/// Length of one TMMBR/TMMBN FCI entry (RFC 5104 §4.2.1.1).
const ITEM_LEN: usize = 8;

/// One TMMBR or TMMBN FCI entry (RFC 5104 §4.2.1.1, §4.2.2.1): a bit rate limit for one media
/// sender and the per-packet overhead it was measured with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TmmbItem {
    /// SSRC of the media sender the limit applies to.
    pub ssrc: u32,
    /// Maximum total media bit rate in bits per second (MxTBR). The wire form is a 17-bit
    /// mantissa and a six-bit exponent; building picks the smallest exponent and rounds down,
    /// as libwebrtc does.
    pub bitrate: u64,
    /// Measured overhead in bytes per packet, nine bits (0..=511).
    pub overhead: u16,
}

impl TmmbItem {
    /// Reads an entry; `None` when mantissa × 2^exponent overflows 64 bits.
    fn read(entry: &[u8]) -> Option<Self> {
        let word = u32_at(entry, 4);
        let exponent = word >> 26;
        let mantissa = u64::from((word >> 9) & 0x1_ffff);
        let bitrate = mantissa << exponent;
        (bitrate >> exponent == mantissa).then_some(Self {
            ssrc: u32_at(entry, 0),
            bitrate,
            // Nine bits.
            overhead: (word & 0x1ff) as u16,
        })
    }

    /// The 32-bit word after the SSRC: exponent, mantissa and overhead.
    fn word(&self) -> u32 {
        let bits = 64 - self.bitrate.leading_zeros();
        let exponent = bits.saturating_sub(17);
        // At most 17 bits after the shift.
        let mantissa = (self.bitrate >> exponent) as u32;
        exponent << 26 | mantissa << 9 | u32::from(self.overhead)
    }

    /// The bit rate the entry will carry once rounded to its mantissa and exponent.
    pub fn encoded_bitrate(&self) -> u64 {
        let word = self.word();
        u64::from((word >> 9) & 0x1_ffff) << (word >> 26)
    }
}

/// A checked view of a TMMBR or TMMBN message (RFC 5104 §4.2.1, §4.2.2); they share a layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tmmb<'a> {
    feedback: RawFeedback<'a>,
}

impl<'a> Tmmb<'a> {
    /// Checks `bytes` as exactly one TMMBR or TMMBN packet (RFC 5104 §4.2).
    ///
    /// # Errors
    /// As [`RawPacket::new_checked`] and [`from_raw`](Self::from_raw).
    pub fn new_checked(bytes: &'a [u8]) -> Result<Self, ParseError> {
        Self::from_raw(RawPacket::new_checked(bytes)?)
    }

    /// Checks a framed packet as TMMBR or TMMBN: PT 205, FMT 3 or 4, an FCI of whole 8-byte
    /// entries whose bit rates fit 64 bits (RFC 5104 §4.2.1.1, §4.2.2.1). A TMMBN may have no
    /// entries.
    ///
    /// # Errors
    /// [`WrongType`](ParseErrorKind::WrongType); [`BadLength`](ParseErrorKind::BadLength) for
    /// an FCI that is not a multiple of eight bytes or a body under eight bytes;
    /// [`InvalidValue`](ParseErrorKind::InvalidValue) for a bit rate that overflows.
    pub fn from_raw(raw: RawPacket<'a>) -> Result<Self, ParseError> {
        let format = if raw.count() == fmt::TMMBN {
            fmt::TMMBN
        } else {
            fmt::TMMBR
        };
        let feedback = RawFeedback::typed(raw, packet_type::TRANSPORT_FEEDBACK, format)?;
        let fci = feedback.fci();
        if fci.len() % ITEM_LEN != 0 {
            return Err(
                feedback.fci_error(ParseErrorKind::BadLength, fci.len() - fci.len() % ITEM_LEN)
            );
        }
        for (i, entry) in fci.chunks_exact(ITEM_LEN).enumerate() {
            if TmmbItem::read(entry).is_none() {
                return Err(feedback.fci_error(ParseErrorKind::InvalidValue, i * ITEM_LEN + 4));
            }
        }
        Ok(Self { feedback })
    }

    /// The common feedback part.
    pub fn feedback(&self) -> RawFeedback<'a> {
        self.feedback
    }

    /// Whether this is a notification (TMMBN, FMT 4) rather than a request (TMMBR, FMT 3).
    pub fn is_notification(&self) -> bool {
        self.feedback.format() == fmt::TMMBN
    }

    /// SSRC of the packet sender.
    pub fn sender_ssrc(&self) -> u32 {
        self.feedback.sender_ssrc()
    }

    /// SSRC of the media source field (0 by RFC 5104 §4.2.1.2).
    pub fn media_ssrc(&self) -> u32 {
        self.feedback.media_ssrc()
    }

    /// The entries, in order.
    pub fn items(&self) -> TmmbItems<'a> {
        TmmbItems {
            fci: self.feedback.fci(),
        }
    }
}

/// Iterator over the entries of a [`Tmmb`] (RFC 5104 §4.2.1.1). Allocation-free.
#[derive(Debug, Clone)]
pub struct TmmbItems<'a> {
    fci: &'a [u8],
}

impl Iterator for TmmbItems<'_> {
    type Item = TmmbItem;

    fn next(&mut self) -> Option<TmmbItem> {
        let entry = self.fci.get(..ITEM_LEN)?;
        self.fci = self.fci.get(ITEM_LEN..).unwrap_or(&[]);
        // Checked by the view; an overflowing entry ends the iteration.
        TmmbItem::read(entry)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.fci.len() / ITEM_LEN, Some(self.fci.len() / ITEM_LEN))
    }
}

impl ExactSizeIterator for TmmbItems<'_> {}

/// An owned TMMBR or TMMBN message (RFC 5104 §4.2.1, §4.2.2), to build or to keep.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct TmmbRepr {
    /// A notification (TMMBN) rather than a request (TMMBR).
    pub notification: bool,
    /// SSRC of the packet sender.
    pub sender_ssrc: u32,
    /// SSRC of the media source field: 0 by RFC 5104, kept for what others send.
    pub media_ssrc: u32,
    /// The entries, written in order.
    pub items: Vec<TmmbItem>,
}

impl TmmbRepr {
    /// Copies a checked view.
    pub fn parse(view: &Tmmb<'_>) -> Self {
        Self {
            notification: view.is_notification(),
            sender_ssrc: view.sender_ssrc(),
            media_ssrc: view.media_ssrc(),
            items: view.items().collect(),
        }
    }

    /// Length of the packet [`emit`](Self::emit) writes.
    pub fn buffer_len(&self) -> usize {
        feedback_len(ITEM_LEN * self.items.len())
    }

    /// Writes the packet at the start of `buf` and returns its length (RFC 5104 §4.2).
    ///
    /// # Errors
    /// [`BuildError::TooLarge`] for an overhead above 511, a packet over the length field's
    /// range or a short `buf`.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, BuildError> {
        if self.items.iter().any(|i| i.overhead > 0x1ff) {
            return Err(BuildError::TooLarge);
        }
        let format = if self.notification {
            fmt::TMMBN
        } else {
            fmt::TMMBR
        };
        let ssrcs = (self.sender_ssrc, self.media_ssrc);
        let fci_len = ITEM_LEN * self.items.len();
        emit_feedback(
            buf,
            packet_type::TRANSPORT_FEEDBACK,
            format,
            ssrcs,
            fci_len,
            |w| {
                for item in &self.items {
                    w.u32(item.ssrc);
                    w.u32(item.word());
                }
            },
        )
    }
}

impl_write_to!(TmmbRepr);

impl From<&Tmmb<'_>> for TmmbRepr {
    fn from(view: &Tmmb<'_>) -> Self {
        Self::parse(view)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tmmbr_bitrate_and_overhead_pack_like_libwebrtc() {
        let item = TmmbItem {
            ssrc: 0x1234_5678,
            bitrate: 312_000,
            overhead: 60,
        };
        // 312000 needs 19 bits: exponent 2, mantissa 78000.
        assert_eq!(item.word(), 2 << 26 | 78_000 << 9 | 60);
        let repr = TmmbRepr {
            notification: false,
            sender_ssrc: 1,
            media_ssrc: 0,
            items: vec![item],
        };
        let mut out = Vec::new();
        repr.write_to(&mut out).unwrap();
        assert_eq!(out[0], 0x83);
        let view = Tmmb::new_checked(&out).unwrap();
        assert!(!view.is_notification());
        assert_eq!(TmmbRepr::parse(&view), repr);
    }

    #[test]
    fn empty_tmmbn_round_trips_and_overflow_is_invalid() {
        let repr = TmmbRepr {
            notification: true,
            sender_ssrc: 7,
            ..TmmbRepr::default()
        };
        let mut out = Vec::new();
        repr.write_to(&mut out).unwrap();
        assert_eq!(out, [0x84, 205, 0, 2, 0, 0, 0, 7, 0, 0, 0, 0]);
        assert_eq!(TmmbRepr::parse(&Tmmb::new_checked(&out).unwrap()), repr);
        let overflow = [
            0x83, 205, 0, 4, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0xff, 0xfe, 0,
        ];
        assert_eq!(
            Tmmb::new_checked(&overflow).unwrap_err(),
            ParseError::new(ParseErrorKind::InvalidValue, 16)
        );
        let wide = TmmbRepr {
            items: vec![TmmbItem {
                overhead: 512,
                ..TmmbItem::default()
            }],
            ..repr
        };
        assert_eq!(wide.write_to(&mut out), Err(BuildError::TooLarge));
    }
}
