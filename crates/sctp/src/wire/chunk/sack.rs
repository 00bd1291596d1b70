//! SACK (type 3; RFC 9260 §3.3.4): the cumulative TSN acknowledged, the receiver window, gap
//! ack blocks and duplicate TSNs, iterated lazily.

use crate::error::{EncodeError, ParseError, ParseErrorKind};
use crate::wire::bytes::{Writer, err, expect_min_len, tail, u16_at, u32_at};
use crate::wire::chunk::{ChunkBody, chunk_type, impl_emit};
use crate::wire::list::{List, WireEntry};
use crate::wire::packet::Chunk;

/// A Gap Ack Block (RFC 9260 §3.3.4): TSNs `cumulative_tsn_ack + start ..=
/// cumulative_tsn_ack + end` were received.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct GapAckBlock {
    /// Gap Ack Block Start, an offset from the Cumulative TSN Ack.
    pub start: u16,
    /// Gap Ack Block End, an offset from the Cumulative TSN Ack.
    pub end: u16,
}

impl WireEntry for GapAckBlock {
    const LEN: usize = 4;
    fn read(bytes: &[u8]) -> Self {
        Self {
            start: u16_at(bytes, 0),
            end: u16_at(bytes, 2),
        }
    }
    fn write(&self, out: &mut [u8]) {
        let mut w = Writer::new(out);
        w.u16(self.start);
        w.u16(self.end);
    }
}

/// Bytes of a SACK value before the gap ack blocks (RFC 9260 §3.3.4).
pub const SACK_FIXED_LEN: usize = 12;

/// A SACK chunk (RFC 9260 §3.3.4). Parsing checks that the two counts describe exactly the
/// bytes of the chunk; the lists then iterate the packet's bytes without allocating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SackRepr<'a> {
    /// Cumulative TSN Ack (RFC 9260 §3.3.4).
    pub cumulative_tsn_ack: u32,
    /// Advertised Receiver Window Credit, a_rwnd (RFC 9260 §3.3.4).
    pub a_rwnd: u32,
    /// Gap Ack Blocks, at most 65535 (RFC 9260 §3.3.4).
    pub gap_blocks: List<'a, GapAckBlock>,
    /// Duplicate TSNs, at most 65535 (RFC 9260 §3.3.4).
    pub duplicate_tsns: List<'a, u32>,
}

impl<'a> SackRepr<'a> {
    /// Reads a SACK chunk (RFC 9260 §3.3.4).
    ///
    /// # Errors
    /// [`BadLength`](ParseErrorKind::BadLength): at the length field for a value shorter
    /// than 12 bytes; at the Number of Gap Ack Blocks field when the counts need more or fewer
    /// bytes than the chunk holds.
    pub fn parse(chunk: &Chunk<'a>) -> Result<Self, ParseError> {
        let v = chunk.value();
        expect_min_len(v, SACK_FIXED_LEN, chunk.offset().saturating_add(2))?;
        let gaps = usize::from(u16_at(v, 8));
        let dups = usize::from(u16_at(v, 10));
        let gap_len = gaps * GapAckBlock::LEN;
        let needed = SACK_FIXED_LEN + gap_len + dups * 4;
        if needed != v.len() {
            return Err(err(ParseErrorKind::BadLength, chunk.value_offset(8)));
        }
        let lists = tail(v, SACK_FIXED_LEN);
        let (gap_bytes, dup_bytes) = lists.split_at_checked(gap_len).unwrap_or((&[], &[]));
        Ok(Self {
            cumulative_tsn_ack: u32_at(v, 0),
            a_rwnd: u32_at(v, 4),
            gap_blocks: List::from_wire(gap_bytes),
            duplicate_tsns: List::from_wire(dup_bytes),
        })
    }
}

impl ChunkBody for SackRepr<'_> {
    const TYPE: u8 = chunk_type::SACK;
    fn value_len(&self) -> usize {
        SACK_FIXED_LEN
            .saturating_add(self.gap_blocks.wire_len())
            .saturating_add(self.duplicate_tsns.wire_len())
    }
    fn check(&self) -> Result<(), EncodeError> {
        if self.gap_blocks.len() > usize::from(u16::MAX)
            || self.duplicate_tsns.len() > usize::from(u16::MAX)
        {
            return Err(EncodeError::TooLong);
        }
        Ok(())
    }
    fn write_value(&self, w: &mut Writer<'_>) {
        w.u32(self.cumulative_tsn_ack);
        w.u32(self.a_rwnd);
        w.u16(u16::try_from(self.gap_blocks.len()).unwrap_or(u16::MAX));
        w.u16(u16::try_from(self.duplicate_tsns.len()).unwrap_or(u16::MAX));
        self.gap_blocks.write(w);
        self.duplicate_tsns.write(w);
    }
}

impl_emit!(SackRepr<'_>, "SACK (RFC 9260 §3.3.4)");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::ChunkRepr;

    /// RFC 9260 §3.3.4: cumulative TSN 100, a_rwnd 0x10000, gaps 2–3 and 5–5, duplicate 99.
    const SACK: [u8; 28] = [
        3, 0, 0, 28, 0, 0, 0, 100, 0, 1, 0, 0, 0, 2, 0, 1, 0, 2, 0, 3, 0, 5, 0, 5, 0, 0, 0, 99,
    ];
    const GAPS: [GapAckBlock; 2] = [
        GapAckBlock { start: 2, end: 3 },
        GapAckBlock { start: 5, end: 5 },
    ];

    fn repr() -> SackRepr<'static> {
        SackRepr {
            cumulative_tsn_ack: 100,
            a_rwnd: 0x10000,
            gap_blocks: List::from_slice(&GAPS),
            duplicate_tsns: List::from_slice(&[99]),
        }
    }

    #[test]
    fn sack_deconstruct() {
        let (chunk, _) = Chunk::frame(&SACK, 0).unwrap();
        let r = SackRepr::parse(&chunk).unwrap();
        assert_eq!(r.cumulative_tsn_ack, 100);
        assert_eq!(r.gap_blocks.iter().collect::<Vec<_>>(), GAPS);
        assert_eq!(r.duplicate_tsns.iter().collect::<Vec<_>>(), [99]);
    }

    #[test]
    fn sack_construct() {
        let mut buf = [0; 28];
        assert_eq!(repr().emit(&mut buf), Ok(28));
        assert_eq!(buf, SACK);
    }

    #[test]
    fn sack_parse() {
        let (chunk, _) = Chunk::frame(&SACK, 0).unwrap();
        assert_eq!(ChunkRepr::parse(&chunk), Ok(ChunkRepr::Sack(repr())));
    }

    #[test]
    fn sack_emit() {
        let r = ChunkRepr::Sack(repr());
        let mut buf = vec![0; r.buffer_len()];
        assert_eq!(r.emit(&mut buf), Ok(28));
        assert_eq!(buf, SACK);
    }

    #[test]
    fn more_gap_blocks_than_bytes_is_bad_length_at_the_count() {
        let mut bytes = SACK;
        bytes[13] = 3;
        let (chunk, _) = Chunk::frame(&bytes, 12).unwrap();
        assert_eq!(
            SackRepr::parse(&chunk),
            Err(err(ParseErrorKind::BadLength, 12 + 12))
        );
    }
}
