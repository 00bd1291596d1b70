//! Sender report (SR, PT 200; RFC 3550 §6.4.1).

use crate::error::{BuildError, ParseError};
use crate::rtcp::header::RawPacket;
use crate::rtcp::packet_type;
use crate::rtcp::report_block::{REPORT_BLOCK_LEN, ReportBlock, ReportBlocks};
use crate::rtcp::wire::{count5, emit_packet, impl_write_to, packet_len, sub, u32_at, u64_at};

/// Length of the SR body before its report blocks: SSRC and the 20-byte sender info
/// (RFC 3550 §6.4.1).
const SENDER_INFO_END: usize = 24;

/// A checked view of a sender report (RFC 3550 §6.4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SenderReport<'a> {
    raw: RawPacket<'a>,
}

impl<'a> SenderReport<'a> {
    /// Checks `bytes` as exactly one SR packet (RFC 3550 §6.4.1).
    ///
    /// # Errors
    /// As [`RawPacket::new_checked`] and [`from_raw`](Self::from_raw).
    pub fn new_checked(bytes: &'a [u8]) -> Result<Self, ParseError> {
        Self::from_raw(RawPacket::new_checked(bytes)?)
    }

    /// Checks a framed packet as an SR: packet type 200 and a body that holds the sender info
    /// and the RC report blocks (RFC 3550 §6.4.1).
    ///
    /// # Errors
    /// [`WrongType`](crate::ParseErrorKind::WrongType), or
    /// [`BadLength`](crate::ParseErrorKind::BadLength) when the body is too short for RC
    /// blocks.
    pub fn from_raw(raw: RawPacket<'a>) -> Result<Self, ParseError> {
        raw.expect_type(packet_type::SENDER_REPORT)?;
        let blocks = usize::from(raw.count()) * REPORT_BLOCK_LEN;
        if raw.body().len() < SENDER_INFO_END + blocks {
            return Err(raw.length_error());
        }
        Ok(Self { raw })
    }

    /// The framed packet.
    pub fn raw(&self) -> RawPacket<'a> {
        self.raw
    }

    /// SSRC of the sender.
    pub fn ssrc(&self) -> u32 {
        u32_at(self.raw.body(), 0)
    }

    /// NTP timestamp of the report: seconds since 1900 in the high 32 bits, the fraction in
    /// the low 32 bits.
    pub fn ntp_timestamp(&self) -> u64 {
        u64_at(self.raw.body(), 4)
    }

    /// RTP timestamp of the same instant as [`ntp_timestamp`](Self::ntp_timestamp).
    pub fn rtp_timestamp(&self) -> u32 {
        u32_at(self.raw.body(), 12)
    }

    /// Sender's packet count: RTP data packets sent since the start.
    pub fn packet_count(&self) -> u32 {
        u32_at(self.raw.body(), 16)
    }

    /// Sender's octet count: RTP payload octets sent since the start.
    pub fn octet_count(&self) -> u32 {
        u32_at(self.raw.body(), 20)
    }

    /// The reception report count (RC), 0..=31.
    pub fn report_count(&self) -> u8 {
        self.raw.count()
    }

    /// The reception report blocks, RC of them.
    pub fn report_blocks(&self) -> ReportBlocks<'a> {
        let end = SENDER_INFO_END + usize::from(self.raw.count()) * REPORT_BLOCK_LEN;
        ReportBlocks::new(sub(self.raw.body(), SENDER_INFO_END, end))
    }

    /// The profile-specific extension after the report blocks (empty when there is none).
    pub fn profile_extension(&self) -> &'a [u8] {
        let start = SENDER_INFO_END + usize::from(self.raw.count()) * REPORT_BLOCK_LEN;
        self.raw.body().get(start..).unwrap_or(&[])
    }
}

/// An owned sender report (RFC 3550 §6.4.1), to build or to keep.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct SenderReportRepr {
    /// SSRC of the sender.
    pub ssrc: u32,
    /// NTP timestamp: seconds since 1900 (high 32 bits) and fraction (low 32 bits).
    pub ntp_timestamp: u64,
    /// RTP timestamp of the same instant.
    pub rtp_timestamp: u32,
    /// Sender's packet count.
    pub packet_count: u32,
    /// Sender's octet count.
    pub octet_count: u32,
    /// Up to 31 reception report blocks.
    pub reports: Vec<ReportBlock>,
    /// Profile-specific extension (RFC 3550 §6.4.1); written as is, padded with RTCP padding
    /// when it is not a multiple of four bytes.
    pub profile_extension: Vec<u8>,
}

impl SenderReportRepr {
    /// Copies a checked view.
    pub fn parse(view: &SenderReport<'_>) -> Self {
        Self {
            ssrc: view.ssrc(),
            ntp_timestamp: view.ntp_timestamp(),
            rtp_timestamp: view.rtp_timestamp(),
            packet_count: view.packet_count(),
            octet_count: view.octet_count(),
            reports: view.report_blocks().collect(),
            profile_extension: view.profile_extension().to_vec(),
        }
    }

    fn body_len(&self) -> usize {
        SENDER_INFO_END + self.reports.len() * REPORT_BLOCK_LEN + self.profile_extension.len()
    }

    /// Length of the packet [`emit`](Self::emit) writes.
    pub fn buffer_len(&self) -> usize {
        packet_len(self.body_len())
    }

    /// Writes the packet at the start of `buf` and returns its length (RFC 3550 §6.4.1).
    ///
    /// # Errors
    /// [`BuildError::TooLarge`] for more than 31 report blocks, a cumulative loss outside
    /// 24 signed bits, a packet over the length field's range, or a short `buf`.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, BuildError> {
        let count = count5(self.reports.len())?;
        self.reports.iter().try_for_each(ReportBlock::check)?;
        emit_packet(
            buf,
            count,
            packet_type::SENDER_REPORT,
            self.body_len(),
            |w| {
                w.u32(self.ssrc);
                w.u64(self.ntp_timestamp);
                w.u32(self.rtp_timestamp);
                w.u32(self.packet_count);
                w.u32(self.octet_count);
                self.reports.iter().for_each(|r| r.write(w));
                w.bytes(&self.profile_extension);
            },
        )
    }
}

impl_write_to!(SenderReportRepr);

impl From<&SenderReport<'_>> for SenderReportRepr {
    fn from(view: &SenderReport<'_>) -> Self {
        Self::parse(view)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ParseErrorKind;

    #[test]
    fn sender_report_round_trips_with_blocks_and_extension() {
        let repr = SenderReportRepr {
            ssrc: 0x0102_0304,
            ntp_timestamp: 0xdead_beef_0000_0001,
            rtp_timestamp: 7,
            packet_count: 8,
            octet_count: 9,
            reports: vec![ReportBlock {
                ssrc: 5,
                cumulative_lost: -2,
                ..ReportBlock::default()
            }],
            profile_extension: vec![1, 2, 3, 4, 5],
        };
        let mut out = Vec::new();
        repr.write_to(&mut out).unwrap();
        assert_eq!(out.len(), repr.buffer_len());
        assert_eq!(out.len(), 4 + 24 + 24 + 8);
        let view = SenderReport::new_checked(&out).unwrap();
        assert_eq!(SenderReportRepr::parse(&view), repr);
    }

    #[test]
    fn sender_report_count_beyond_body_is_bad_length() {
        let bytes = [
            0x81, 200, 0, 6, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ];
        assert_eq!(
            SenderReport::new_checked(&bytes).unwrap_err().kind,
            ParseErrorKind::BadLength
        );
    }

    #[test]
    fn thirty_two_report_blocks_are_too_large() {
        let repr = SenderReportRepr {
            reports: vec![ReportBlock::default(); 32],
            ..SenderReportRepr::default()
        };
        assert_eq!(repr.write_to(&mut Vec::new()), Err(BuildError::TooLarge));
    }
}
