//! Feedback messages (RFC 4585 §6.1): transport-layer feedback (RTPFB, PT 205) and
//! payload-specific feedback (PSFB, PT 206), their common part, and the typed messages.

mod fir;
mod nack;
mod pli;
mod remb;
mod rrr;
mod sli;
mod tmmb;
mod twcc;

pub use fir::{Fir, FirEntries, FirEntry, FirRepr};
pub use nack::{
    LostSequenceNumbers, Nack, NackPair, NackPairs, NackRepr, pack_lost_sequence_numbers,
};
pub use pli::{Pli, PliRepr};
pub use remb::{Remb, RembRepr};
pub use rrr::{RapidResyncRequest, RapidResyncRequestRepr};
pub use sli::{Sli, SliEntries, SliEntry, SliRepr};
pub use tmmb::{Tmmb, TmmbItem, TmmbItems, TmmbRepr};
pub use twcc::{
    PacketChunk, PacketChunks, PacketFeedback, PacketStatus, Reception, TransportCc,
    TransportCcPackets, TransportCcRepr,
};

use crate::error::{BuildError, ParseError, ParseErrorKind};
use crate::rtcp::header::RawPacket;
use crate::rtcp::wire::{Writer, emit_packet, err, impl_write_to, packet_len, u32_at};
use crate::rtcp::{fmt, packet_type};

/// Length of the common feedback part after the header: SSRC of packet sender and SSRC of
/// media source (RFC 4585 §6.1).
const COMMON_LEN: usize = 8;

/// Offset of the FCI in a feedback message: header and the two SSRCs.
pub(crate) const FCI_START: usize = crate::rtcp::header::HEADER_LEN + COMMON_LEN;

/// A checked view of any feedback message (RFC 4585 §6.1): the common part and the feedback
/// control information (FCI) as bytes. Formats this crate does not type stay in this form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawFeedback<'a> {
    raw: RawPacket<'a>,
}

impl<'a> RawFeedback<'a> {
    /// Checks `bytes` as exactly one RTPFB or PSFB packet (RFC 4585 §6.1).
    ///
    /// # Errors
    /// As [`RawPacket::new_checked`] and [`from_raw`](Self::from_raw).
    pub fn new_checked(bytes: &'a [u8]) -> Result<Self, ParseError> {
        Self::from_raw(RawPacket::new_checked(bytes)?)
    }

    /// Checks a framed packet as feedback: packet type 205 or 206 and a body holding the two
    /// SSRCs (RFC 4585 §6.1).
    ///
    /// # Errors
    /// [`WrongType`](ParseErrorKind::WrongType), or [`BadLength`](ParseErrorKind::BadLength)
    /// for a body under eight bytes.
    pub fn from_raw(raw: RawPacket<'a>) -> Result<Self, ParseError> {
        let pt = raw.packet_type();
        if pt != packet_type::TRANSPORT_FEEDBACK && pt != packet_type::PAYLOAD_FEEDBACK {
            return Err(err(ParseErrorKind::WrongType, raw.offset() + 1));
        }
        if raw.body().len() < COMMON_LEN {
            return Err(raw.length_error());
        }
        Ok(Self { raw })
    }

    /// Checks the packet type and feedback message type of a typed view.
    pub(crate) fn typed(
        raw: RawPacket<'a>,
        packet_type: u8,
        format: u8,
    ) -> Result<Self, ParseError> {
        raw.expect_type(packet_type)?;
        if raw.count() != format {
            return Err(err(ParseErrorKind::WrongType, raw.offset()));
        }
        Self::from_raw(raw)
    }

    /// The framed packet.
    pub fn raw(&self) -> RawPacket<'a> {
        self.raw
    }

    /// The packet type: 205 (RTPFB) or 206 (PSFB).
    pub fn packet_type(&self) -> u8 {
        self.raw.packet_type()
    }

    /// The feedback message type (FMT), see [`crate::rtcp::fmt`].
    pub fn format(&self) -> u8 {
        self.raw.count()
    }

    /// SSRC of the packet sender.
    pub fn sender_ssrc(&self) -> u32 {
        u32_at(self.raw.body(), 0)
    }

    /// SSRC of the media source the feedback is about.
    pub fn media_ssrc(&self) -> u32 {
        u32_at(self.raw.body(), 4)
    }

    /// The feedback control information.
    pub fn fci(&self) -> &'a [u8] {
        self.raw.body().get(COMMON_LEN..).unwrap_or(&[])
    }

    /// An error at byte `at` of the FCI, as an offset into the compound.
    pub(crate) fn fci_error(&self, kind: ParseErrorKind, at: usize) -> ParseError {
        self.raw.body_error(kind, COMMON_LEN + at)
    }
}

/// Writes a feedback message: header, the two SSRCs and `fci_len` bytes of FCI from `fci`.
pub(crate) fn emit_feedback(
    buf: &mut [u8],
    packet_type: u8,
    format: u8,
    ssrcs: (u32, u32),
    fci_len: usize,
    fci: impl FnOnce(&mut Writer<'_>),
) -> Result<usize, BuildError> {
    emit_packet(buf, format, packet_type, COMMON_LEN + fci_len, |w| {
        w.u32(ssrcs.0);
        w.u32(ssrcs.1);
        fci(w);
    })
}

/// Length of a feedback message with `fci_len` bytes of FCI.
pub(crate) fn feedback_len(fci_len: usize) -> usize {
    packet_len(COMMON_LEN + fci_len)
}

/// An owned feedback message of any format (RFC 4585 §6.1), FCI as bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct RawFeedbackRepr {
    /// The packet type: 205 (RTPFB) or 206 (PSFB).
    pub packet_type: u8,
    /// The feedback message type, 0..=31.
    pub format: u8,
    /// SSRC of the packet sender.
    pub sender_ssrc: u32,
    /// SSRC of the media source.
    pub media_ssrc: u32,
    /// The FCI; padded with RTCP padding when it is not a multiple of four bytes.
    pub fci: Vec<u8>,
}

impl RawFeedbackRepr {
    /// Copies a checked view.
    pub fn parse(view: &RawFeedback<'_>) -> Self {
        Self {
            packet_type: view.packet_type(),
            format: view.format(),
            sender_ssrc: view.sender_ssrc(),
            media_ssrc: view.media_ssrc(),
            fci: view.fci().to_vec(),
        }
    }

    /// Length of the packet [`emit`](Self::emit) writes.
    pub fn buffer_len(&self) -> usize {
        feedback_len(self.fci.len())
    }

    /// Writes the packet at the start of `buf` and returns its length (RFC 4585 §6.1).
    ///
    /// # Errors
    /// [`BuildError::TooLarge`] for a format above 31, a packet over the length field's
    /// range or a short `buf`.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, BuildError> {
        let ssrcs = (self.sender_ssrc, self.media_ssrc);
        emit_feedback(
            buf,
            self.packet_type,
            self.format,
            ssrcs,
            self.fci.len(),
            |w| {
                w.bytes(&self.fci);
            },
        )
    }
}

impl_write_to!(RawFeedbackRepr);

impl From<&RawFeedback<'_>> for RawFeedbackRepr {
    fn from(view: &RawFeedback<'_>) -> Self {
        Self::parse(view)
    }
}

/// A transport-layer feedback message (RTPFB, PT 205; RFC 4585 §6.2), by format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportFeedback<'a> {
    /// Generic NACK, FMT 1 (RFC 4585 §6.2.1).
    Nack(Nack<'a>),
    /// TMMBR (FMT 3) or TMMBN (FMT 4) (RFC 5104 §4.2.1, §4.2.2).
    Tmmb(Tmmb<'a>),
    /// Rapid resynchronisation request, FMT 5 (RFC 6051 §3.4).
    RapidResyncRequest(RapidResyncRequest<'a>),
    /// Transport-wide congestion control feedback, FMT 15
    /// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1).
    TransportCc(TransportCc<'a>),
    /// Any other format, FCI as bytes.
    Other(RawFeedback<'a>),
}

impl<'a> TransportFeedback<'a> {
    /// Checks a framed RTPFB packet and types it by its FMT (RFC 4585 §6.2).
    ///
    /// # Errors
    /// [`WrongType`](ParseErrorKind::WrongType) for another packet type; else as the typed
    /// view's `from_raw`.
    pub fn from_raw(raw: RawPacket<'a>) -> Result<Self, ParseError> {
        raw.expect_type(packet_type::TRANSPORT_FEEDBACK)?;
        Ok(match raw.count() {
            fmt::NACK => Self::Nack(Nack::from_raw(raw)?),
            fmt::TMMBR | fmt::TMMBN => Self::Tmmb(Tmmb::from_raw(raw)?),
            fmt::RAPID_RESYNC_REQUEST => {
                Self::RapidResyncRequest(RapidResyncRequest::from_raw(raw)?)
            }
            fmt::TRANSPORT_CC => Self::TransportCc(TransportCc::from_raw(raw)?),
            _ => Self::Other(RawFeedback::from_raw(raw)?),
        })
    }

    /// The common part and FCI as bytes, whatever the format.
    pub fn feedback(&self) -> RawFeedback<'a> {
        match self {
            Self::Nack(v) => v.feedback(),
            Self::Tmmb(v) => v.feedback(),
            Self::RapidResyncRequest(v) => v.feedback(),
            Self::TransportCc(v) => v.feedback(),
            Self::Other(v) => *v,
        }
    }
}

/// A payload-specific feedback message (PSFB, PT 206; RFC 4585 §6.3), by format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PayloadFeedback<'a> {
    /// Picture loss indication, FMT 1 (RFC 4585 §6.3.1).
    Pli(Pli<'a>),
    /// Slice loss indication, FMT 2 (RFC 4585 §6.3.2).
    Sli(Sli<'a>),
    /// Full intra request, FMT 4 (RFC 5104 §4.3.1).
    Fir(Fir<'a>),
    /// Receiver estimated maximum bitrate: an application layer feedback message (FMT 15)
    /// whose FCI starts with "REMB" (draft-alvestrand-rmcat-remb-03 §2.2).
    Remb(Remb<'a>),
    /// Any other format, including application layer feedback that is not REMB, FCI as
    /// bytes.
    Other(RawFeedback<'a>),
}

impl<'a> PayloadFeedback<'a> {
    /// Checks a framed PSFB packet and types it by its FMT and, for FMT 15, the "REMB"
    /// identifier (RFC 4585 §6.3, draft-alvestrand-rmcat-remb-03 §2.2).
    ///
    /// # Errors
    /// [`WrongType`](ParseErrorKind::WrongType) for another packet type; else as the typed
    /// view's `from_raw`.
    pub fn from_raw(raw: RawPacket<'a>) -> Result<Self, ParseError> {
        raw.expect_type(packet_type::PAYLOAD_FEEDBACK)?;
        Ok(match raw.count() {
            fmt::PLI => Self::Pli(Pli::from_raw(raw)?),
            fmt::SLI => Self::Sli(Sli::from_raw(raw)?),
            fmt::FIR => Self::Fir(Fir::from_raw(raw)?),
            fmt::APPLICATION_LAYER => {
                let feedback = RawFeedback::from_raw(raw)?;
                if remb::is_remb(feedback.fci()) {
                    Self::Remb(Remb::from_raw(raw)?)
                } else {
                    Self::Other(feedback)
                }
            }
            _ => Self::Other(RawFeedback::from_raw(raw)?),
        })
    }

    /// The common part and FCI as bytes, whatever the format.
    pub fn feedback(&self) -> RawFeedback<'a> {
        match self {
            Self::Pli(v) => v.feedback(),
            Self::Sli(v) => v.feedback(),
            Self::Fir(v) => v.feedback(),
            Self::Remb(v) => v.feedback(),
            Self::Other(v) => *v,
        }
    }
}
