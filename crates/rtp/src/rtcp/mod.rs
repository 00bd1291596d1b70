//! RTCP packets (RFC 3550 §6, RFC 4585, RFC 5104, RFC 5506, RFC 6051, RFC 3611, transport-wide
//! congestion control feedback): zero-copy views, compound iteration and builders.
//!
//! # Reading
//!
//! [`Compound::packets`] walks a datagram lazily and yields one [`RtcpPacket`] per packet: a
//! typed, checked view borrowing the datagram. Construction of each view validates every
//! length and count field once; afterwards no accessor panics and no iterator (report blocks,
//! SDES chunks and items, NACK entries and lost sequence numbers, transport-wide feedback
//! chunks and packets, XR blocks) allocates or fails. Errors are [`ParseError`](crate::ParseError)s with the byte
//! offset in the datagram. [`validate_compound`] adds the compound rules of RFC 3550 §6.1 and
//! A.2, or the relaxed ones of reduced-size RTCP (RFC 5506).
//!
//! Padding (RFC 3550 §6.4.1 P bit) is removed from each packet's body: the count must be
//! nonzero and fit. It is accepted on any packet of a compound, as RFC 5506 allows;
//! [`validate_compound`] insists it be on the last.
//!
//! # Writing
//!
//! Every packet type has an owned `…Repr` with `parse(&view)`, `buffer_len()`,
//! `emit(&mut [u8]) -> Result<usize, BuildError>` and `write_to(&mut Vec<u8>)` (append), and
//! [`RtcpRepr`] gathers them. Output is canonical: reserved fields zero, SDES chunks and BYE
//! reasons null-padded as RFC 3550 asks, and a body that is not a multiple of four bytes
//! (transport-wide feedback, odd APP data) padded with RTCP padding and the P bit, as libwebrtc
//! pads transport-wide feedback. Padding of parsed packets is not kept.
//!
//! ```
//! use sansrtc_rtp::rtcp::{
//!     Compound, NackRepr, PayloadFeedback, ReceiverReportRepr, RtcpPacket, RtcpRepr,
//!     SourceDescriptionRepr, TransportFeedback,
//! };
//!
//! let packets = [
//!     RtcpRepr::from(ReceiverReportRepr { ssrc: 1, ..Default::default() }),
//!     SourceDescriptionRepr::cname(1, "peer@example").into(),
//!     NackRepr::from_lost(1, 0x1234, &[7, 9, 8, 30]).into(),
//! ];
//! let mut datagram = Vec::new();
//! RtcpRepr::write_compound(&packets, &mut datagram).unwrap();
//!
//! for packet in Compound::new(&datagram).packets() {
//!     if let RtcpPacket::TransportFeedback(TransportFeedback::Nack(nack)) = packet.unwrap() {
//!         let lost: Vec<u16> = nack.lost_sequence_numbers().collect();
//!         assert_eq!(lost, [7, 8, 9, 30]);
//!     }
//! }
//! assert_eq!(RtcpRepr::parse_compound(&datagram).unwrap(), packets);
//! ```

mod app;
mod bye;
mod compound;
mod feedback;
mod header;
mod packet;
mod receiver_report;
mod report_block;
mod sdes;
mod sender_report;
mod wire;
mod xr;

pub use app::{App, AppRepr};
pub use bye::{Goodbye, GoodbyeRepr};
pub use compound::{Compound, CompoundMode, Packets, RawPackets, validate_compound};
pub use feedback::{
    Fir, FirEntries, FirEntry, FirRepr, LostSequenceNumbers, Nack, NackPair, NackPairs, NackRepr,
    PacketChunk, PacketChunks, PacketFeedback, PacketStatus, PayloadFeedback, Pli, PliRepr,
    RapidResyncRequest, RapidResyncRequestRepr, RawFeedback, RawFeedbackRepr, Reception, Remb,
    RembRepr, Sli, SliEntries, SliEntry, SliRepr, Tmmb, TmmbItem, TmmbItems, TmmbRepr, TransportCc,
    TransportCcPackets, TransportCcRepr, TransportFeedback, pack_lost_sequence_numbers,
};
pub use header::{HEADER_LEN, Header, RawPacket};
pub use packet::{RtcpPacket, RtcpRepr, UnknownRepr};
pub use receiver_report::{ReceiverReport, ReceiverReportRepr};
pub use report_block::{
    CUMULATIVE_LOST_MAX, CUMULATIVE_LOST_MIN, MAX_COUNT, REPORT_BLOCK_LEN, ReportBlock,
    ReportBlocks, Ssrcs,
};
pub use sdes::{
    SdesChunk, SdesChunkRepr, SdesChunks, SdesItem, SdesItemRepr, SdesItemType, SdesItems,
    SourceDescription, SourceDescriptionRepr,
};
pub use sender_report::{SenderReport, SenderReportRepr};
pub use xr::{
    BLOCK_TYPE_DLRR, BLOCK_TYPE_RECEIVER_REFERENCE_TIME, DlrrSubBlock, DlrrSubBlocks,
    ExtendedReport, ExtendedReportRepr, RawXrBlock, RawXrBlocks, XrBlock, XrBlockRepr, XrBlocks,
};

/// RTCP packet types (RFC 3550 §12.1, RFC 4585 §6.1, RFC 3611 §2).
pub mod packet_type {
    /// Sender report, SR (RFC 3550 §6.4.1).
    pub const SENDER_REPORT: u8 = 200;
    /// Receiver report, RR (RFC 3550 §6.4.2).
    pub const RECEIVER_REPORT: u8 = 201;
    /// Source description, SDES (RFC 3550 §6.5).
    pub const SOURCE_DESCRIPTION: u8 = 202;
    /// Goodbye, BYE (RFC 3550 §6.6).
    pub const GOODBYE: u8 = 203;
    /// Application-defined, APP (RFC 3550 §6.7).
    pub const APP: u8 = 204;
    /// Transport-layer feedback, RTPFB (RFC 4585 §6.1).
    pub const TRANSPORT_FEEDBACK: u8 = 205;
    /// Payload-specific feedback, PSFB (RFC 4585 §6.1).
    pub const PAYLOAD_FEEDBACK: u8 = 206;
    /// Extended report, XR (RFC 3611 §2).
    pub const EXTENDED_REPORT: u8 = 207;
}

/// Feedback message types, the FMT field of RTPFB and PSFB packets (RFC 4585 §6.2, §6.3,
/// RFC 5104 §4.2, §4.3, RFC 6051 §3.4, draft-holmer-rmcat-transport-wide-cc-extensions-01
/// §3.1).
pub mod fmt {
    /// RTPFB: generic NACK (RFC 4585 §6.2.1).
    pub const NACK: u8 = 1;
    /// RTPFB: temporary maximum media stream bit rate request, TMMBR (RFC 5104 §4.2.1).
    pub const TMMBR: u8 = 3;
    /// RTPFB: temporary maximum media stream bit rate notification, TMMBN (RFC 5104 §4.2.2).
    pub const TMMBN: u8 = 4;
    /// RTPFB: rapid resynchronisation request (RFC 6051 §3.4).
    pub const RAPID_RESYNC_REQUEST: u8 = 5;
    /// RTPFB: transport-wide congestion control feedback
    /// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1).
    pub const TRANSPORT_CC: u8 = 15;
    /// PSFB: picture loss indication, PLI (RFC 4585 §6.3.1).
    pub const PLI: u8 = 1;
    /// PSFB: slice loss indication, SLI (RFC 4585 §6.3.2).
    pub const SLI: u8 = 2;
    /// PSFB: reference picture selection indication, RPSI (RFC 4585 §6.3.3).
    pub const RPSI: u8 = 3;
    /// PSFB: full intra request, FIR (RFC 5104 §4.3.1).
    pub const FIR: u8 = 4;
    /// PSFB: application layer feedback, AFB (RFC 4585 §6.4); REMB is one.
    pub const APPLICATION_LAYER: u8 = 15;
}

/// Whether a datagram that RTP and RTCP share (RFC 5761 §4) is RTCP: version 2 and a second
/// byte (RTCP packet type, or RTP marker and payload type) in 192..=223.
pub fn is_rtcp(datagram: &[u8]) -> bool {
    match datagram {
        [first, second, ..] => first >> 6 == 2 && (192..=223).contains(second),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rtcp_is_told_from_rtp_by_the_second_byte() {
        assert!(is_rtcp(&[0x80, 200, 0, 1]));
        assert!(is_rtcp(&[0x81, 223]));
        assert!(!is_rtcp(&[0x80, 0x6f]));
        assert!(!is_rtcp(&[0x80, 0xe0]));
        assert!(!is_rtcp(&[0x40, 200]));
        assert!(!is_rtcp(&[0x80]));
    }
}
