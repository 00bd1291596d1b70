//! One RTCP packet of any type: the typed view ([`RtcpPacket`]) and the owned form
//! ([`RtcpRepr`]) (RFC 3550 §6.4–§6.7, RFC 4585 §6, RFC 3611).

use crate::error::{BuildError, ParseError};
use crate::rtcp::app::{App, AppRepr};
use crate::rtcp::bye::{Goodbye, GoodbyeRepr};
use crate::rtcp::compound::Compound;
use crate::rtcp::feedback::{
    FirRepr, NackRepr, PayloadFeedback, PliRepr, RapidResyncRequestRepr, RawFeedbackRepr, RembRepr,
    SliRepr, TmmbRepr, TransportCcRepr, TransportFeedback,
};
use crate::rtcp::header::RawPacket;
use crate::rtcp::packet_type;
use crate::rtcp::receiver_report::{ReceiverReport, ReceiverReportRepr};
use crate::rtcp::sdes::{SourceDescription, SourceDescriptionRepr};
use crate::rtcp::sender_report::{SenderReport, SenderReportRepr};
use crate::rtcp::wire::{emit_packet, impl_write_to, packet_len};
use crate::rtcp::xr::{ExtendedReport, ExtendedReportRepr};

/// A checked, typed view of one RTCP packet, by packet type (RFC 3550 §12.1, RFC 4585 §6.1,
/// RFC 3611 §2). Packet types this crate does not know are kept raw, bytes intact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RtcpPacket<'a> {
    /// Sender report, PT 200 (RFC 3550 §6.4.1).
    SenderReport(SenderReport<'a>),
    /// Receiver report, PT 201 (RFC 3550 §6.4.2).
    ReceiverReport(ReceiverReport<'a>),
    /// Source description, PT 202 (RFC 3550 §6.5).
    SourceDescription(SourceDescription<'a>),
    /// Goodbye, PT 203 (RFC 3550 §6.6).
    Goodbye(Goodbye<'a>),
    /// Application-defined, PT 204 (RFC 3550 §6.7).
    App(App<'a>),
    /// Transport-layer feedback, PT 205 (RFC 4585 §6.2).
    TransportFeedback(TransportFeedback<'a>),
    /// Payload-specific feedback, PT 206 (RFC 4585 §6.3).
    PayloadFeedback(PayloadFeedback<'a>),
    /// Extended report, PT 207 (RFC 3611 §2).
    ExtendedReport(ExtendedReport<'a>),
    /// Any other packet type, raw.
    Unknown(RawPacket<'a>),
}

impl<'a> RtcpPacket<'a> {
    /// Checks `bytes` as exactly one RTCP packet and types it.
    ///
    /// # Errors
    /// As [`RawPacket::new_checked`] and [`parse`](Self::parse).
    pub fn new_checked(bytes: &'a [u8]) -> Result<Self, ParseError> {
        Self::parse(RawPacket::new_checked(bytes)?)
    }

    /// Types a framed packet by its packet type (and feedback format) and checks its
    /// contents.
    ///
    /// # Errors
    /// As the typed view's `from_raw`, with offsets into the compound.
    pub fn parse(raw: RawPacket<'a>) -> Result<Self, ParseError> {
        Ok(match raw.packet_type() {
            packet_type::SENDER_REPORT => Self::SenderReport(SenderReport::from_raw(raw)?),
            packet_type::RECEIVER_REPORT => Self::ReceiverReport(ReceiverReport::from_raw(raw)?),
            packet_type::SOURCE_DESCRIPTION => {
                Self::SourceDescription(SourceDescription::from_raw(raw)?)
            }
            packet_type::GOODBYE => Self::Goodbye(Goodbye::from_raw(raw)?),
            packet_type::APP => Self::App(App::from_raw(raw)?),
            packet_type::TRANSPORT_FEEDBACK => {
                Self::TransportFeedback(TransportFeedback::from_raw(raw)?)
            }
            packet_type::PAYLOAD_FEEDBACK => Self::PayloadFeedback(PayloadFeedback::from_raw(raw)?),
            packet_type::EXTENDED_REPORT => Self::ExtendedReport(ExtendedReport::from_raw(raw)?),
            _ => Self::Unknown(raw),
        })
    }

    /// The framed packet, whatever its type.
    pub fn raw(&self) -> RawPacket<'a> {
        match self {
            Self::SenderReport(p) => p.raw(),
            Self::ReceiverReport(p) => p.raw(),
            Self::SourceDescription(p) => p.raw(),
            Self::Goodbye(p) => p.raw(),
            Self::App(p) => p.raw(),
            Self::TransportFeedback(p) => p.feedback().raw(),
            Self::PayloadFeedback(p) => p.feedback().raw(),
            Self::ExtendedReport(p) => p.raw(),
            Self::Unknown(p) => *p,
        }
    }
}

/// An owned packet of a type this crate does not know (RFC 3550 §6.4.1 header and body).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct UnknownRepr {
    /// The packet type. A known type parses back as its typed form.
    pub packet_type: u8,
    /// The five-bit count field, 0..=31.
    pub count: u8,
    /// The body after the header; padded with RTCP padding when it is not a multiple of four
    /// bytes.
    pub body: Vec<u8>,
}

impl UnknownRepr {
    /// Copies a framed packet (its padding is dropped).
    pub fn parse(raw: &RawPacket<'_>) -> Self {
        Self {
            packet_type: raw.packet_type(),
            count: raw.count(),
            body: raw.body().to_vec(),
        }
    }

    /// Length of the packet [`emit`](Self::emit) writes.
    pub fn buffer_len(&self) -> usize {
        packet_len(self.body.len())
    }

    /// Writes the packet at the start of `buf` and returns its length (RFC 3550 §6.4.1).
    ///
    /// # Errors
    /// [`BuildError::TooLarge`] for a count above 31, a packet over the length field's range
    /// or a short `buf`.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, BuildError> {
        emit_packet(buf, self.count, self.packet_type, self.body.len(), |w| {
            w.bytes(&self.body)
        })
    }
}

impl_write_to!(UnknownRepr);

/// An owned RTCP packet of any type, to build or to keep (RFC 3550 §6, RFC 4585 §6,
/// RFC 5104 §4.2–§4.3, RFC 6051 §3.4, RFC 3611, draft-alvestrand-rmcat-remb-03,
/// draft-holmer-rmcat-transport-wide-cc-extensions-01). Feedback messages are flattened to
/// one variant per format.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RtcpRepr {
    /// Sender report (RFC 3550 §6.4.1).
    SenderReport(SenderReportRepr),
    /// Receiver report (RFC 3550 §6.4.2).
    ReceiverReport(ReceiverReportRepr),
    /// Source description (RFC 3550 §6.5).
    SourceDescription(SourceDescriptionRepr),
    /// Goodbye (RFC 3550 §6.6).
    Goodbye(GoodbyeRepr),
    /// Application-defined (RFC 3550 §6.7).
    App(AppRepr),
    /// Generic NACK (RFC 4585 §6.2.1).
    Nack(NackRepr),
    /// TMMBR or TMMBN (RFC 5104 §4.2.1, §4.2.2).
    Tmmb(TmmbRepr),
    /// Rapid resynchronisation request (RFC 6051 §3.4).
    RapidResyncRequest(RapidResyncRequestRepr),
    /// Transport-wide congestion control feedback
    /// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1).
    TransportCc(TransportCcRepr),
    /// Picture loss indication (RFC 4585 §6.3.1).
    Pli(PliRepr),
    /// Slice loss indication (RFC 4585 §6.3.2).
    Sli(SliRepr),
    /// Full intra request (RFC 5104 §4.3.1).
    Fir(FirRepr),
    /// Receiver estimated maximum bitrate (draft-alvestrand-rmcat-remb-03 §2.2).
    Remb(RembRepr),
    /// Any other feedback message, FCI raw (RFC 4585 §6.1).
    OtherFeedback(RawFeedbackRepr),
    /// Extended report (RFC 3611 §2).
    ExtendedReport(ExtendedReportRepr),
    /// Any other packet type, body raw.
    Unknown(UnknownRepr),
}

impl RtcpRepr {
    /// Copies a checked view.
    pub fn parse(packet: &RtcpPacket<'_>) -> Self {
        match packet {
            RtcpPacket::SenderReport(p) => Self::SenderReport(SenderReportRepr::parse(p)),
            RtcpPacket::ReceiverReport(p) => Self::ReceiverReport(ReceiverReportRepr::parse(p)),
            RtcpPacket::SourceDescription(p) => {
                Self::SourceDescription(SourceDescriptionRepr::parse(p))
            }
            RtcpPacket::Goodbye(p) => Self::Goodbye(GoodbyeRepr::parse(p)),
            RtcpPacket::App(p) => Self::App(AppRepr::parse(p)),
            RtcpPacket::TransportFeedback(f) => match f {
                TransportFeedback::Nack(p) => Self::Nack(NackRepr::parse(p)),
                TransportFeedback::Tmmb(p) => Self::Tmmb(TmmbRepr::parse(p)),
                TransportFeedback::RapidResyncRequest(p) => {
                    Self::RapidResyncRequest(RapidResyncRequestRepr::parse(p))
                }
                TransportFeedback::TransportCc(p) => Self::TransportCc(TransportCcRepr::parse(p)),
                TransportFeedback::Other(p) => Self::OtherFeedback(RawFeedbackRepr::parse(p)),
            },
            RtcpPacket::PayloadFeedback(f) => match f {
                PayloadFeedback::Pli(p) => Self::Pli(PliRepr::parse(p)),
                PayloadFeedback::Sli(p) => Self::Sli(SliRepr::parse(p)),
                PayloadFeedback::Fir(p) => Self::Fir(FirRepr::parse(p)),
                PayloadFeedback::Remb(p) => Self::Remb(RembRepr::parse(p)),
                PayloadFeedback::Other(p) => Self::OtherFeedback(RawFeedbackRepr::parse(p)),
            },
            RtcpPacket::ExtendedReport(p) => Self::ExtendedReport(ExtendedReportRepr::parse(p)),
            RtcpPacket::Unknown(p) => Self::Unknown(UnknownRepr::parse(p)),
        }
    }

    /// Parses every packet of a compound (or reduced-size) datagram into owned form.
    ///
    /// # Errors
    /// The first error of [`Compound::packets`].
    pub fn parse_compound(datagram: &[u8]) -> Result<Vec<Self>, ParseError> {
        Compound::new(datagram)
            .packets()
            .map(|p| p.map(|p| Self::parse(&p)))
            .collect()
    }

    /// Length of the packet [`emit`](Self::emit) writes.
    pub fn buffer_len(&self) -> usize {
        match self {
            Self::SenderReport(r) => r.buffer_len(),
            Self::ReceiverReport(r) => r.buffer_len(),
            Self::SourceDescription(r) => r.buffer_len(),
            Self::Goodbye(r) => r.buffer_len(),
            Self::App(r) => r.buffer_len(),
            Self::Nack(r) => r.buffer_len(),
            Self::Tmmb(r) => r.buffer_len(),
            Self::RapidResyncRequest(r) => r.buffer_len(),
            Self::TransportCc(r) => r.buffer_len(),
            Self::Pli(r) => r.buffer_len(),
            Self::Sli(r) => r.buffer_len(),
            Self::Fir(r) => r.buffer_len(),
            Self::Remb(r) => r.buffer_len(),
            Self::OtherFeedback(r) => r.buffer_len(),
            Self::ExtendedReport(r) => r.buffer_len(),
            Self::Unknown(r) => r.buffer_len(),
        }
    }

    /// Writes the packet at the start of `buf` and returns its length.
    ///
    /// # Errors
    /// As the variant's `emit`.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, BuildError> {
        match self {
            Self::SenderReport(r) => r.emit(buf),
            Self::ReceiverReport(r) => r.emit(buf),
            Self::SourceDescription(r) => r.emit(buf),
            Self::Goodbye(r) => r.emit(buf),
            Self::App(r) => r.emit(buf),
            Self::Nack(r) => r.emit(buf),
            Self::Tmmb(r) => r.emit(buf),
            Self::RapidResyncRequest(r) => r.emit(buf),
            Self::TransportCc(r) => r.emit(buf),
            Self::Pli(r) => r.emit(buf),
            Self::Sli(r) => r.emit(buf),
            Self::Fir(r) => r.emit(buf),
            Self::Remb(r) => r.emit(buf),
            Self::OtherFeedback(r) => r.emit(buf),
            Self::ExtendedReport(r) => r.emit(buf),
            Self::Unknown(r) => r.emit(buf),
        }
    }

    /// Appends `packets` to `out` as one compound datagram, in order (RFC 3550 §6.1: start
    /// with an SR or RR and include an SDES CNAME unless sending reduced-size RTCP,
    /// RFC 5506). Reuses `out`'s capacity.
    ///
    /// # Errors
    /// The first packet's error; `out` is then unchanged.
    pub fn write_compound(packets: &[Self], out: &mut Vec<u8>) -> Result<(), BuildError> {
        let start = out.len();
        out.reserve(packets.iter().map(Self::buffer_len).sum());
        for packet in packets {
            if let Err(e) = packet.write_to(out) {
                out.truncate(start);
                return Err(e);
            }
        }
        Ok(())
    }
}

impl_write_to!(RtcpRepr);

macro_rules! impl_from_repr {
    ($($variant:ident($ty:ty)),* $(,)?) => {
        $(impl From<$ty> for RtcpRepr {
            fn from(repr: $ty) -> Self {
                Self::$variant(repr)
            }
        })*
    };
}

impl_from_repr!(
    SenderReport(SenderReportRepr),
    ReceiverReport(ReceiverReportRepr),
    SourceDescription(SourceDescriptionRepr),
    Goodbye(GoodbyeRepr),
    App(AppRepr),
    Nack(NackRepr),
    Tmmb(TmmbRepr),
    RapidResyncRequest(RapidResyncRequestRepr),
    TransportCc(TransportCcRepr),
    Pli(PliRepr),
    Sli(SliRepr),
    Fir(FirRepr),
    Remb(RembRepr),
    OtherFeedback(RawFeedbackRepr),
    ExtendedReport(ExtendedReportRepr),
    Unknown(UnknownRepr),
);
