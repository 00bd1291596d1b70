//! Receiver report (RR, PT 201; RFC 3550 §6.4.2).

use crate::error::{BuildError, ParseError};
use crate::rtcp::header::RawPacket;
use crate::rtcp::packet_type;
use crate::rtcp::report_block::{REPORT_BLOCK_LEN, ReportBlock, ReportBlocks};
use crate::rtcp::wire::{count5, emit_packet, impl_write_to, packet_len, sub, u32_at};

/// A checked view of a receiver report (RFC 3550 §6.4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReceiverReport<'a> {
    raw: RawPacket<'a>,
}

impl<'a> ReceiverReport<'a> {
    /// Checks `bytes` as exactly one RR packet (RFC 3550 §6.4.2).
    ///
    /// # Errors
    /// As [`RawPacket::new_checked`] and [`from_raw`](Self::from_raw).
    pub fn new_checked(bytes: &'a [u8]) -> Result<Self, ParseError> {
        Self::from_raw(RawPacket::new_checked(bytes)?)
    }

    /// Checks a framed packet as an RR: packet type 201 and a body that holds the reporter's
    /// SSRC and RC report blocks (RFC 3550 §6.4.2).
    ///
    /// # Errors
    /// [`WrongType`](crate::ParseErrorKind::WrongType), or
    /// [`BadLength`](crate::ParseErrorKind::BadLength) when the body is too short for RC
    /// blocks.
    pub fn from_raw(raw: RawPacket<'a>) -> Result<Self, ParseError> {
        raw.expect_type(packet_type::RECEIVER_REPORT)?;
        if raw.body().len() < 4 + usize::from(raw.count()) * REPORT_BLOCK_LEN {
            return Err(raw.length_error());
        }
        Ok(Self { raw })
    }

    /// The framed packet.
    pub fn raw(&self) -> RawPacket<'a> {
        self.raw
    }

    /// SSRC of the packet sender (the reporter).
    pub fn ssrc(&self) -> u32 {
        u32_at(self.raw.body(), 0)
    }

    /// The reception report count (RC), 0..=31.
    pub fn report_count(&self) -> u8 {
        self.raw.count()
    }

    /// The reception report blocks, RC of them.
    pub fn report_blocks(&self) -> ReportBlocks<'a> {
        let end = 4 + usize::from(self.raw.count()) * REPORT_BLOCK_LEN;
        ReportBlocks::new(sub(self.raw.body(), 4, end))
    }

    /// The profile-specific extension after the report blocks (empty when there is none).
    pub fn profile_extension(&self) -> &'a [u8] {
        let start = 4 + usize::from(self.raw.count()) * REPORT_BLOCK_LEN;
        self.raw.body().get(start..).unwrap_or(&[])
    }
}

/// An owned receiver report (RFC 3550 §6.4.2), to build or to keep. An empty one (no report
/// blocks) is what a compound packet starts with when there is nothing to report.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct ReceiverReportRepr {
    /// SSRC of the packet sender.
    pub ssrc: u32,
    /// Up to 31 reception report blocks; send more in further RR packets (RFC 3550 §6.1).
    pub reports: Vec<ReportBlock>,
    /// Profile-specific extension; written as is, padded with RTCP padding when it is not a
    /// multiple of four bytes.
    pub profile_extension: Vec<u8>,
}

impl ReceiverReportRepr {
    /// Copies a checked view.
    pub fn parse(view: &ReceiverReport<'_>) -> Self {
        Self {
            ssrc: view.ssrc(),
            reports: view.report_blocks().collect(),
            profile_extension: view.profile_extension().to_vec(),
        }
    }

    fn body_len(&self) -> usize {
        4 + self.reports.len() * REPORT_BLOCK_LEN + self.profile_extension.len()
    }

    /// Length of the packet [`emit`](Self::emit) writes.
    pub fn buffer_len(&self) -> usize {
        packet_len(self.body_len())
    }

    /// Writes the packet at the start of `buf` and returns its length (RFC 3550 §6.4.2).
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
            packet_type::RECEIVER_REPORT,
            self.body_len(),
            |w| {
                w.u32(self.ssrc);
                self.reports.iter().for_each(|r| r.write(w));
                w.bytes(&self.profile_extension);
            },
        )
    }
}

impl_write_to!(ReceiverReportRepr);

impl From<&ReceiverReport<'_>> for ReceiverReportRepr {
    fn from(view: &ReceiverReport<'_>) -> Self {
        Self::parse(view)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_receiver_report_is_eight_bytes() {
        let repr = ReceiverReportRepr {
            ssrc: 0x1ca5_7379,
            ..ReceiverReportRepr::default()
        };
        let mut out = Vec::new();
        repr.write_to(&mut out).unwrap();
        assert_eq!(out, [0x80, 0xc9, 0, 1, 0x1c, 0xa5, 0x73, 0x79]);
        let view = ReceiverReport::new_checked(&out).unwrap();
        assert_eq!(view.report_blocks().len(), 0);
        assert_eq!(ReceiverReportRepr::parse(&view), repr);
    }

    #[test]
    fn receiver_report_rejects_a_sender_report() {
        let sr = [0x80, 200, 0, 1, 0, 0, 0, 1];
        assert_eq!(
            ReceiverReport::new_checked(&sr).unwrap_err().kind,
            crate::ParseErrorKind::WrongType
        );
    }
}
