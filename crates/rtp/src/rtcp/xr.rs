//! Extended reports (XR, PT 207; RFC 3611): report blocks, with the receiver reference time
//! (RFC 3611 §4.4) and DLRR (RFC 3611 §4.5) blocks typed, which give a non-sender its
//! round-trip time; every other block type stays raw.

use crate::error::{BuildError, ParseError, ParseErrorKind};
use crate::rtcp::header::RawPacket;
use crate::rtcp::packet_type;
use crate::rtcp::wire::{
    emit_packet, impl_write_to, packet_len, sub, u8_at, u16_at, u32_at, u64_at,
};

/// Block type of the receiver reference time report block (RFC 3611 §4.4).
pub const BLOCK_TYPE_RECEIVER_REFERENCE_TIME: u8 = 4;

/// Block type of the DLRR report block (RFC 3611 §4.5).
pub const BLOCK_TYPE_DLRR: u8 = 5;

/// One DLRR sub-block (RFC 3611 §4.5): the receiver reference time last received from a
/// receiver and the delay since.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct DlrrSubBlock {
    /// SSRC of the receiver.
    pub ssrc: u32,
    /// Last RR (LRR): the middle 32 bits of the NTP timestamp of its last receiver reference
    /// time block.
    pub last_rr: u32,
    /// Delay since last RR (DLRR), in units of 1/65536 seconds.
    pub delay_since_last_rr: u32,
}

/// A report block as stored in the packet: block type, type-specific byte and contents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RawXrBlock<'a> {
    /// Block type (BT).
    pub block_type: u8,
    /// The type-specific byte.
    pub type_specific: u8,
    /// The block contents after its four-byte header (a multiple of four bytes).
    pub data: &'a [u8],
}

/// One XR report block (RFC 3611 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum XrBlock<'a> {
    /// Receiver reference time, BT 4 (RFC 3611 §4.4): a non-sender's NTP timestamp.
    ReceiverReferenceTime {
        /// The NTP timestamp.
        ntp_timestamp: u64,
    },
    /// DLRR, BT 5 (RFC 3611 §4.5).
    Dlrr(DlrrSubBlocks<'a>),
    /// Any other block type, or a BT 4 or 5 block whose length does not fit its format (kept
    /// raw, as libwebrtc skips it).
    Other(RawXrBlock<'a>),
}

impl<'a> XrBlock<'a> {
    fn from_raw(block: RawXrBlock<'a>) -> Self {
        match block.block_type {
            BLOCK_TYPE_RECEIVER_REFERENCE_TIME if block.data.len() == 8 => {
                Self::ReceiverReferenceTime {
                    ntp_timestamp: u64_at(block.data, 0),
                }
            }
            BLOCK_TYPE_DLRR if block.data.len().is_multiple_of(12) => {
                Self::Dlrr(DlrrSubBlocks { bytes: block.data })
            }
            _ => Self::Other(block),
        }
    }
}

/// Iterator over the sub-blocks of a DLRR block (RFC 3611 §4.5). Allocation-free.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DlrrSubBlocks<'a> {
    bytes: &'a [u8],
}

impl Iterator for DlrrSubBlocks<'_> {
    type Item = DlrrSubBlock;

    fn next(&mut self) -> Option<DlrrSubBlock> {
        let sub_block = self.bytes.get(..12)?;
        self.bytes = self.bytes.get(12..).unwrap_or(&[]);
        Some(DlrrSubBlock {
            ssrc: u32_at(sub_block, 0),
            last_rr: u32_at(sub_block, 4),
            delay_since_last_rr: u32_at(sub_block, 8),
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.bytes.len() / 12, Some(self.bytes.len() / 12))
    }
}

impl ExactSizeIterator for DlrrSubBlocks<'_> {}

/// Reads the block at `pos` of the block list; an error gives its kind and offset.
fn read_block(
    blocks: &[u8],
    pos: usize,
) -> Result<(RawXrBlock<'_>, usize), (ParseErrorKind, usize)> {
    if blocks.len() < pos + 4 {
        return Err((ParseErrorKind::Truncated, blocks.len()));
    }
    let end = pos + 4 + 4 * usize::from(u16_at(blocks, pos + 2));
    if end > blocks.len() {
        return Err((ParseErrorKind::BadLength, pos + 2));
    }
    let block = RawXrBlock {
        block_type: u8_at(blocks, pos),
        type_specific: u8_at(blocks, pos + 1),
        data: sub(blocks, pos + 4, end),
    };
    Ok((block, end))
}

/// A checked view of an XR packet (RFC 3611 §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExtendedReport<'a> {
    raw: RawPacket<'a>,
}

impl<'a> ExtendedReport<'a> {
    /// Checks `bytes` as exactly one XR packet (RFC 3611 §2).
    ///
    /// # Errors
    /// As [`RawPacket::new_checked`] and [`from_raw`](Self::from_raw).
    pub fn new_checked(bytes: &'a [u8]) -> Result<Self, ParseError> {
        Self::from_raw(RawPacket::new_checked(bytes)?)
    }

    /// Checks a framed packet as XR: packet type 207, the sender's SSRC, and report blocks
    /// whose headers and lengths fit the body exactly (RFC 3611 §2, §3).
    ///
    /// # Errors
    /// [`WrongType`](ParseErrorKind::WrongType); [`BadLength`](ParseErrorKind::BadLength) for
    /// a body under four bytes or a block length past the end;
    /// [`Truncated`](ParseErrorKind::Truncated) for a partial block header.
    pub fn from_raw(raw: RawPacket<'a>) -> Result<Self, ParseError> {
        raw.expect_type(packet_type::EXTENDED_REPORT)?;
        let Some(blocks) = raw.body().get(4..) else {
            return Err(raw.length_error());
        };
        let mut pos = 0;
        while pos < blocks.len() {
            pos = read_block(blocks, pos)
                .map_err(|(kind, at)| raw.body_error(kind, 4 + at))?
                .1;
        }
        Ok(Self { raw })
    }

    /// The framed packet.
    pub fn raw(&self) -> RawPacket<'a> {
        self.raw
    }

    /// SSRC of the packet sender.
    pub fn ssrc(&self) -> u32 {
        u32_at(self.raw.body(), 0)
    }

    /// The report blocks, in order, typed where this crate knows the type.
    pub fn blocks(&self) -> XrBlocks<'a> {
        XrBlocks {
            raw: self.raw_blocks(),
        }
    }

    /// The report blocks, in order, all raw.
    pub fn raw_blocks(&self) -> RawXrBlocks<'a> {
        RawXrBlocks {
            bytes: self.raw.body().get(4..).unwrap_or(&[]),
            pos: 0,
        }
    }
}

/// Iterator over the raw report blocks of an [`ExtendedReport`] (RFC 3611 §3).
/// Allocation-free.
#[derive(Debug, Clone)]
pub struct RawXrBlocks<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Iterator for RawXrBlocks<'a> {
    type Item = RawXrBlock<'a>;

    fn next(&mut self) -> Option<RawXrBlock<'a>> {
        // The view checked every block; a failure here ends the iteration.
        let (block, next) = read_block(self.bytes, self.pos).ok()?;
        self.pos = next;
        Some(block)
    }
}

/// Iterator over the typed report blocks of an [`ExtendedReport`] (RFC 3611 §3).
/// Allocation-free.
#[derive(Debug, Clone)]
pub struct XrBlocks<'a> {
    raw: RawXrBlocks<'a>,
}

impl<'a> Iterator for XrBlocks<'a> {
    type Item = XrBlock<'a>;

    fn next(&mut self) -> Option<XrBlock<'a>> {
        self.raw.next().map(XrBlock::from_raw)
    }
}

/// An owned XR report block (RFC 3611 §3).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum XrBlockRepr {
    /// Receiver reference time, BT 4 (RFC 3611 §4.4).
    ReceiverReferenceTime {
        /// The NTP timestamp.
        ntp_timestamp: u64,
    },
    /// DLRR, BT 5 (RFC 3611 §4.5).
    Dlrr(Vec<DlrrSubBlock>),
    /// Any other block: block type, type-specific byte and contents (a multiple of four
    /// bytes). A BT 4 block of 8 bytes or a BT 5 block of a multiple of 12 bytes parses back
    /// as the typed variant.
    Other {
        /// Block type (BT).
        block_type: u8,
        /// The type-specific byte.
        type_specific: u8,
        /// The contents after the block header.
        data: Vec<u8>,
    },
}

impl XrBlockRepr {
    /// Copies a typed block.
    pub fn parse(block: &XrBlock<'_>) -> Self {
        match *block {
            XrBlock::ReceiverReferenceTime { ntp_timestamp } => {
                Self::ReceiverReferenceTime { ntp_timestamp }
            }
            XrBlock::Dlrr(sub_blocks) => Self::Dlrr(sub_blocks.collect()),
            XrBlock::Other(raw) => Self::Other {
                block_type: raw.block_type,
                type_specific: raw.type_specific,
                data: raw.data.to_vec(),
            },
        }
    }

    /// Bytes of contents after the block header.
    fn data_len(&self) -> usize {
        match self {
            Self::ReceiverReferenceTime { .. } => 8,
            Self::Dlrr(sub_blocks) => 12 * sub_blocks.len(),
            Self::Other { data, .. } => data.len(),
        }
    }
}

/// An owned XR packet (RFC 3611 §2), to build or to keep.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct ExtendedReportRepr {
    /// SSRC of the packet sender.
    pub ssrc: u32,
    /// The report blocks, written in order.
    pub blocks: Vec<XrBlockRepr>,
}

impl ExtendedReportRepr {
    /// Copies a checked view.
    pub fn parse(view: &ExtendedReport<'_>) -> Self {
        Self {
            ssrc: view.ssrc(),
            blocks: view.blocks().map(|b| XrBlockRepr::parse(&b)).collect(),
        }
    }

    fn body_len(&self) -> usize {
        4 + self.blocks.iter().map(|b| 4 + b.data_len()).sum::<usize>()
    }

    /// Length of the packet [`emit`](Self::emit) writes.
    pub fn buffer_len(&self) -> usize {
        packet_len(self.body_len())
    }

    /// Writes the packet at the start of `buf` and returns its length (RFC 3611 §2).
    ///
    /// # Errors
    /// [`BuildError::TooLarge`] for raw block contents that are not a multiple of four bytes,
    /// a block or packet over its length field's range, or a short `buf`.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, BuildError> {
        for block in &self.blocks {
            let len = block.data_len();
            if len % 4 != 0 || len / 4 > usize::from(u16::MAX) {
                return Err(BuildError::TooLarge);
            }
        }
        emit_packet(buf, 0, packet_type::EXTENDED_REPORT, self.body_len(), |w| {
            w.u32(self.ssrc);
            for block in &self.blocks {
                // At most 65535: checked above.
                let words = (block.data_len() / 4) as u16;
                match block {
                    XrBlockRepr::ReceiverReferenceTime { ntp_timestamp } => {
                        w.bytes(&[BLOCK_TYPE_RECEIVER_REFERENCE_TIME, 0]);
                        w.u16(words);
                        w.u64(*ntp_timestamp);
                    }
                    XrBlockRepr::Dlrr(sub_blocks) => {
                        w.bytes(&[BLOCK_TYPE_DLRR, 0]);
                        w.u16(words);
                        for s in sub_blocks {
                            w.u32(s.ssrc);
                            w.u32(s.last_rr);
                            w.u32(s.delay_since_last_rr);
                        }
                    }
                    XrBlockRepr::Other {
                        block_type,
                        type_specific,
                        data,
                    } => {
                        w.bytes(&[*block_type, *type_specific]);
                        w.u16(words);
                        w.bytes(data);
                    }
                }
            }
        })
    }
}

impl_write_to!(ExtendedReportRepr);

impl From<&ExtendedReport<'_>> for ExtendedReportRepr {
    fn from(view: &ExtendedReport<'_>) -> Self {
        Self::parse(view)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rrtr_and_dlrr_round_trip() {
        let repr = ExtendedReportRepr {
            ssrc: 0x1234_5678,
            blocks: vec![
                XrBlockRepr::ReceiverReferenceTime {
                    ntp_timestamp: 0x8b6e_a85c_87fe_5b02,
                },
                XrBlockRepr::Dlrr(vec![DlrrSubBlock {
                    ssrc: 1,
                    last_rr: 2,
                    delay_since_last_rr: 3,
                }]),
                XrBlockRepr::Other {
                    block_type: 7,
                    type_specific: 9,
                    data: vec![1, 2, 3, 4],
                },
            ],
        };
        let mut out = Vec::new();
        repr.write_to(&mut out).unwrap();
        assert_eq!(out.len(), 8 + 12 + 16 + 8);
        assert_eq!(
            ExtendedReportRepr::parse(&ExtendedReport::new_checked(&out).unwrap()),
            repr
        );
    }

    #[test]
    fn block_length_past_the_end_is_bad_length() {
        let bytes = [0x80, 207, 0, 2, 0, 0, 0, 1, 4, 0, 0, 2];
        let e = ExtendedReport::new_checked(&bytes).unwrap_err();
        assert_eq!(e, ParseError::new(ParseErrorKind::BadLength, 10));
    }

    #[test]
    fn misshapen_rrtr_stays_raw() {
        let bytes = [0x80, 207, 0, 3, 0, 0, 0, 1, 4, 0, 0, 1, 1, 2, 3, 4];
        let view = ExtendedReport::new_checked(&bytes).unwrap();
        assert!(matches!(
            view.blocks().next(),
            Some(XrBlock::Other(RawXrBlock { block_type: 4, .. }))
        ));
    }

    #[test]
    fn unaligned_raw_block_is_too_large() {
        let repr = ExtendedReportRepr {
            ssrc: 1,
            blocks: vec![XrBlockRepr::Other {
                block_type: 9,
                type_specific: 0,
                data: vec![1],
            }],
        };
        assert_eq!(repr.write_to(&mut Vec::new()), Err(BuildError::TooLarge));
    }
}
