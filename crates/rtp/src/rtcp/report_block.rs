//! Reception report blocks of SR and RR packets (RFC 3550 §6.4.1).

use crate::error::{BuildError, ParseError, ParseErrorKind};
use crate::rtcp::wire::{Writer, err, fits_i24, i24_bits, sign_extend_24, u8_at, u24_at, u32_at};

/// Length of one reception report block (RFC 3550 §6.4.1).
pub const REPORT_BLOCK_LEN: usize = 24;

/// The most report blocks (or SSRCs, chunks) a five-bit count field can announce
/// (RFC 3550 §6.4.1 RC, §6.5 SC, §6.6 SC).
pub const MAX_COUNT: usize = 31;

/// The smallest cumulative number of packets lost a report block can carry: the field is a
/// signed 24-bit integer (RFC 3550 §6.4.1).
pub const CUMULATIVE_LOST_MIN: i32 = -(1 << 23);

/// The largest cumulative number of packets lost a report block can carry (RFC 3550 §6.4.1).
pub const CUMULATIVE_LOST_MAX: i32 = (1 << 23) - 1;

/// One reception report block (RFC 3550 §6.4.1): reception statistics about one source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ReportBlock {
    /// SSRC of the source this block reports on (SSRC_n).
    pub ssrc: u32,
    /// Fraction of packets lost since the previous report, as a fixed-point number with the
    /// binary point at the left edge (loss × 256).
    pub fraction_lost: u8,
    /// Cumulative number of packets lost, a signed 24-bit value: negative when duplicates
    /// outnumber losses ([`CUMULATIVE_LOST_MIN`]..=[`CUMULATIVE_LOST_MAX`]).
    pub cumulative_lost: i32,
    /// Extended highest sequence number received: cycles in the high 16 bits.
    pub extended_highest_sequence: u32,
    /// Interarrival jitter, in RTP timestamp units (RFC 3550 §6.4.1, A.8).
    pub jitter: u32,
    /// Last SR timestamp (LSR): the middle 32 bits of the NTP timestamp of the last SR
    /// received from this source, 0 when none was.
    pub last_sender_report: u32,
    /// Delay since last SR (DLSR), in units of 1/65536 seconds.
    pub delay_since_last_sender_report: u32,
}

impl ReportBlock {
    /// Reads a block from the first [`REPORT_BLOCK_LEN`] bytes of `bytes` (RFC 3550 §6.4.1).
    ///
    /// # Errors
    /// [`ParseErrorKind::Truncated`] when `bytes` is shorter than a block.
    pub fn parse(bytes: &[u8]) -> Result<Self, ParseError> {
        if bytes.len() < REPORT_BLOCK_LEN {
            return Err(err(ParseErrorKind::Truncated, bytes.len()));
        }
        Ok(Self::read(bytes))
    }

    /// Reads a block from bytes the caller checked to be at least [`REPORT_BLOCK_LEN`] long.
    pub(crate) fn read(bytes: &[u8]) -> Self {
        Self {
            ssrc: u32_at(bytes, 0),
            fraction_lost: u8_at(bytes, 4),
            cumulative_lost: sign_extend_24(u24_at(bytes, 5)),
            extended_highest_sequence: u32_at(bytes, 8),
            jitter: u32_at(bytes, 12),
            last_sender_report: u32_at(bytes, 16),
            delay_since_last_sender_report: u32_at(bytes, 20),
        }
    }

    /// Clamps a cumulative loss count to the signed 24-bit range of the field, as RFC 3550
    /// §6.4.1 and A.3 ask senders to do.
    pub fn saturating_cumulative_lost(lost: i64) -> i32 {
        // In range after the clamp.
        lost.clamp(
            i64::from(CUMULATIVE_LOST_MIN),
            i64::from(CUMULATIVE_LOST_MAX),
        ) as i32
    }

    /// Fails with [`BuildError::TooLarge`] when `cumulative_lost` does not fit 24 signed bits.
    pub(crate) fn check(&self) -> Result<(), BuildError> {
        if fits_i24(self.cumulative_lost) {
            Ok(())
        } else {
            Err(BuildError::TooLarge)
        }
    }

    /// Writes the block (caller ran [`check`](Self::check)).
    pub(crate) fn write(&self, w: &mut Writer<'_>) {
        w.u32(self.ssrc);
        w.u8(self.fraction_lost);
        w.u24(i24_bits(self.cumulative_lost));
        w.u32(self.extended_highest_sequence);
        w.u32(self.jitter);
        w.u32(self.last_sender_report);
        w.u32(self.delay_since_last_sender_report);
    }

    /// Writes the block to the first [`REPORT_BLOCK_LEN`] bytes of `buf` (RFC 3550 §6.4.1).
    ///
    /// # Errors
    /// [`BuildError::TooLarge`] when `cumulative_lost` does not fit 24 signed bits or `buf` is
    /// shorter than a block.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, BuildError> {
        self.check()?;
        let Some(out) = buf.get_mut(..REPORT_BLOCK_LEN) else {
            return Err(BuildError::TooLarge);
        };
        self.write(&mut Writer::new(out));
        Ok(REPORT_BLOCK_LEN)
    }
}

/// Iterator over the report blocks of an SR or RR (RFC 3550 §6.4.1), from
/// [`SenderReport::report_blocks`](crate::rtcp::SenderReport::report_blocks) or
/// [`ReceiverReport::report_blocks`](crate::rtcp::ReceiverReport::report_blocks).
/// Allocation-free.
#[derive(Debug, Clone)]
pub struct ReportBlocks<'a> {
    bytes: &'a [u8],
}

impl<'a> ReportBlocks<'a> {
    /// Blocks in `bytes`, a multiple of [`REPORT_BLOCK_LEN`] (a partial tail is ignored).
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Self { bytes }
    }
}

impl Iterator for ReportBlocks<'_> {
    type Item = ReportBlock;

    fn next(&mut self) -> Option<ReportBlock> {
        let block = self.bytes.get(..REPORT_BLOCK_LEN)?;
        self.bytes = self.bytes.get(REPORT_BLOCK_LEN..).unwrap_or(&[]);
        Some(ReportBlock::read(block))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.bytes.len() / REPORT_BLOCK_LEN;
        (n, Some(n))
    }
}

impl ExactSizeIterator for ReportBlocks<'_> {}

/// Parses a list of 32-bit SSRCs (BYE, REMB): an iterator over them, allocation-free
/// (RFC 3550 §6.6, draft-alvestrand-rmcat-remb-03 §2.2).
#[derive(Debug, Clone)]
pub struct Ssrcs<'a> {
    bytes: &'a [u8],
}

impl<'a> Ssrcs<'a> {
    /// SSRCs in `bytes`, a multiple of four (a partial tail is ignored).
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Self { bytes }
    }
}

impl Iterator for Ssrcs<'_> {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        let word = self.bytes.get(..4)?;
        self.bytes = self.bytes.get(4..).unwrap_or(&[]);
        Some(u32_at(word, 0))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.bytes.len() / 4;
        (n, Some(n))
    }
}

impl ExactSizeIterator for Ssrcs<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_cumulative_lost_round_trips() {
        let block = ReportBlock {
            ssrc: 1,
            cumulative_lost: -5,
            ..ReportBlock::default()
        };
        let mut buf = [0; REPORT_BLOCK_LEN];
        assert_eq!(block.emit(&mut buf), Ok(REPORT_BLOCK_LEN));
        assert_eq!(&buf[4..8], &[0, 0xff, 0xff, 0xfb]);
        assert_eq!(ReportBlock::parse(&buf), Ok(block));
    }

    #[test]
    fn cumulative_lost_out_of_range_is_too_large() {
        let mut buf = [0; REPORT_BLOCK_LEN];
        for lost in [CUMULATIVE_LOST_MAX + 1, CUMULATIVE_LOST_MIN - 1] {
            let block = ReportBlock {
                cumulative_lost: lost,
                ..ReportBlock::default()
            };
            assert_eq!(block.emit(&mut buf), Err(BuildError::TooLarge));
        }
        assert_eq!(
            ReportBlock::saturating_cumulative_lost(i64::MIN),
            CUMULATIVE_LOST_MIN
        );
        assert_eq!(
            ReportBlock::saturating_cumulative_lost(1 << 40),
            CUMULATIVE_LOST_MAX
        );
    }
}
