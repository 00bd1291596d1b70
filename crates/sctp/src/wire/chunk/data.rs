//! DATA (type 0; RFC 9260 §3.3.1, I bit from RFC 7053) and I-DATA (type 64; RFC 8260 §2.1):
//! user messages, or fragments of them, with their TSN.

use crate::error::ParseError;
use crate::wire::bytes::{Writer, expect_min_len, tail, u16_at, u32_at};
use crate::wire::chunk::{ChunkBody, chunk_type, impl_emit};
use crate::wire::packet::Chunk;

/// DATA and I-DATA flag bits (RFC 9260 §3.3.1, RFC 8260 §2.1).
pub mod data_flags {
    /// E: the last fragment of a user message.
    pub const ENDING: u8 = 0x01;
    /// B: the first fragment of a user message.
    pub const BEGINNING: u8 = 0x02;
    /// U: an unordered message (no stream sequence number or MID ordering).
    pub const UNORDERED: u8 = 0x04;
    /// I: the sender asks for a SACK without delay (RFC 7053 §3, in RFC 9260 §3.3.1).
    pub const IMMEDIATE: u8 = 0x08;
}

fn data_flags(immediate: bool, unordered: bool, beginning: bool, ending: bool) -> u8 {
    (u8::from(immediate) * data_flags::IMMEDIATE)
        | (u8::from(unordered) * data_flags::UNORDERED)
        | (u8::from(beginning) * data_flags::BEGINNING)
        | (u8::from(ending) * data_flags::ENDING)
}

/// A DATA chunk (RFC 9260 §3.3.1), borrowing its user data from the packet. Parsing checks the
/// fixed fields are there (12 bytes); an empty user data field parses (the association answers
/// it with a "No User Data" ABORT, §6.2). The four reserved flag bits are ignored and written
/// as zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct DataRepr<'a> {
    /// I bit: the receiver should send its SACK without delay (RFC 7053 §3).
    pub immediate: bool,
    /// U bit: unordered (RFC 9260 §3.3.1).
    pub unordered: bool,
    /// B bit: first fragment (RFC 9260 §3.3.1).
    pub beginning: bool,
    /// E bit: last fragment (RFC 9260 §3.3.1).
    pub ending: bool,
    /// Transmission Sequence Number (RFC 9260 §3.3.1).
    pub tsn: u32,
    /// Stream Identifier S (RFC 9260 §3.3.1).
    pub stream_id: u16,
    /// Stream Sequence Number n (RFC 9260 §3.3.1).
    pub ssn: u16,
    /// Payload Protocol Identifier (RFC 9260 §3.3.1; WebRTC's values are in RFC 8831 §8).
    pub ppid: u32,
    /// User Data (RFC 9260 §3.3.1).
    pub user_data: &'a [u8],
}

/// Bytes of a DATA chunk's value before the user data (RFC 9260 §3.3.1).
pub const DATA_HEADER_LEN: usize = 12;

impl<'a> DataRepr<'a> {
    /// Reads a DATA chunk (RFC 9260 §3.3.1).
    ///
    /// # Errors
    /// [`BadLength`](crate::ParseErrorKind::BadLength) when the value is shorter than 12 bytes.
    pub fn parse(chunk: &Chunk<'a>) -> Result<Self, ParseError> {
        let v = chunk.value();
        expect_min_len(v, DATA_HEADER_LEN, chunk.value_offset(0))?;
        let f = chunk.flags();
        Ok(Self {
            immediate: f & data_flags::IMMEDIATE != 0,
            unordered: f & data_flags::UNORDERED != 0,
            beginning: f & data_flags::BEGINNING != 0,
            ending: f & data_flags::ENDING != 0,
            tsn: u32_at(v, 0),
            stream_id: u16_at(v, 4),
            ssn: u16_at(v, 6),
            ppid: u32_at(v, 8),
            user_data: tail(v, DATA_HEADER_LEN),
        })
    }
}

impl ChunkBody for DataRepr<'_> {
    const TYPE: u8 = chunk_type::DATA;
    fn flags(&self) -> u8 {
        data_flags(self.immediate, self.unordered, self.beginning, self.ending)
    }
    fn value_len(&self) -> usize {
        DATA_HEADER_LEN.saturating_add(self.user_data.len())
    }
    fn write_value(&self, w: &mut Writer<'_>) {
        w.u32(self.tsn);
        w.u16(self.stream_id);
        w.u16(self.ssn);
        w.u32(self.ppid);
        w.bytes(self.user_data);
    }
}

impl_emit!(DataRepr<'_>, "DATA (RFC 9260 §3.3.1)");

/// An I-DATA chunk (RFC 8260 §2.1), borrowing its user data from the packet: DATA with a
/// 32-bit Message Identifier per stream and a Fragment Sequence Number, so fragments of
/// different messages may interleave. The 16 reserved bits are ignored and written as zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct IDataRepr<'a> {
    /// I bit (RFC 7053 §3; RFC 8260 §2.1).
    pub immediate: bool,
    /// U bit: unordered (RFC 8260 §2.1).
    pub unordered: bool,
    /// B bit: first fragment (RFC 8260 §2.1).
    pub beginning: bool,
    /// E bit: last fragment (RFC 8260 §2.1).
    pub ending: bool,
    /// Transmission Sequence Number (RFC 8260 §2.1).
    pub tsn: u32,
    /// Stream Identifier (RFC 8260 §2.1).
    pub stream_id: u16,
    /// Message Identifier, MID (RFC 8260 §2.1).
    pub mid: u32,
    /// The Payload Protocol Identifier when B is set, otherwise the Fragment Sequence Number
    /// (RFC 8260 §2.1); see [`ppid`](Self::ppid) and [`fsn`](Self::fsn).
    pub ppid_or_fsn: u32,
    /// User Data (RFC 8260 §2.1).
    pub user_data: &'a [u8],
}

/// Bytes of an I-DATA chunk's value before the user data (RFC 8260 §2.1).
pub const IDATA_HEADER_LEN: usize = 16;

impl<'a> IDataRepr<'a> {
    /// Reads an I-DATA chunk (RFC 8260 §2.1).
    ///
    /// # Errors
    /// [`BadLength`](crate::ParseErrorKind::BadLength) when the value is shorter than 16 bytes.
    pub fn parse(chunk: &Chunk<'a>) -> Result<Self, ParseError> {
        let v = chunk.value();
        expect_min_len(v, IDATA_HEADER_LEN, chunk.value_offset(0))?;
        let f = chunk.flags();
        Ok(Self {
            immediate: f & data_flags::IMMEDIATE != 0,
            unordered: f & data_flags::UNORDERED != 0,
            beginning: f & data_flags::BEGINNING != 0,
            ending: f & data_flags::ENDING != 0,
            tsn: u32_at(v, 0),
            stream_id: u16_at(v, 4),
            mid: u32_at(v, 8),
            ppid_or_fsn: u32_at(v, 12),
            user_data: tail(v, IDATA_HEADER_LEN),
        })
    }

    /// The Payload Protocol Identifier: present on the first fragment only (RFC 8260 §2.1).
    pub const fn ppid(&self) -> Option<u32> {
        if self.beginning {
            Some(self.ppid_or_fsn)
        } else {
            None
        }
    }

    /// The Fragment Sequence Number: 0 on the first fragment, carried in the field on the
    /// others (RFC 8260 §2.1).
    pub const fn fsn(&self) -> u32 {
        if self.beginning { 0 } else { self.ppid_or_fsn }
    }
}

impl ChunkBody for IDataRepr<'_> {
    const TYPE: u8 = chunk_type::I_DATA;
    fn flags(&self) -> u8 {
        data_flags(self.immediate, self.unordered, self.beginning, self.ending)
    }
    fn value_len(&self) -> usize {
        IDATA_HEADER_LEN.saturating_add(self.user_data.len())
    }
    fn write_value(&self, w: &mut Writer<'_>) {
        w.u32(self.tsn);
        w.u16(self.stream_id);
        w.u16(0);
        w.u32(self.mid);
        w.u32(self.ppid_or_fsn);
        w.bytes(self.user_data);
    }
}

impl_emit!(IDataRepr<'_>, "I-DATA (RFC 8260 §2.1)");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::ChunkRepr;
    use crate::{EncodeError, ParseErrorKind};

    /// RFC 9260 §3.3.1 layout: U, B, E set; TSN 0x01020304, stream 5, SSN 6, PPID 51, "abcde".
    const DATA: [u8; 24] = [
        0, 0x07, 0, 21, 1, 2, 3, 4, 0, 5, 0, 6, 0, 0, 0, 51, b'a', b'b', b'c', b'd', b'e', 0, 0, 0,
    ];

    fn repr() -> DataRepr<'static> {
        DataRepr {
            unordered: true,
            beginning: true,
            ending: true,
            tsn: 0x0102_0304,
            stream_id: 5,
            ssn: 6,
            ppid: 51,
            user_data: b"abcde",
            ..DataRepr::default()
        }
    }

    #[test]
    fn data_deconstruct() {
        let (chunk, taken) = Chunk::frame(&DATA, 0).unwrap();
        assert_eq!(taken, 24);
        assert_eq!(chunk.chunk_type(), chunk_type::DATA);
        assert_eq!(chunk.flags(), 0x07);
        assert_eq!(chunk.length(), 21);
        assert_eq!(&chunk.value()[12..], b"abcde");
    }

    #[test]
    fn data_construct() {
        let mut buf = [0xff; 24];
        assert_eq!(repr().emit(&mut buf), Ok(24));
        assert_eq!(buf, DATA);
    }

    #[test]
    fn data_parse() {
        let (chunk, _) = Chunk::frame(&DATA, 0).unwrap();
        assert_eq!(ChunkRepr::parse(&chunk), Ok(ChunkRepr::Data(repr())));
    }

    #[test]
    fn data_emit() {
        let r = ChunkRepr::Data(repr());
        assert_eq!(r.buffer_len(), 24);
        let mut buf = vec![0; r.buffer_len()];
        assert_eq!(r.emit(&mut buf), Ok(24));
        assert_eq!(buf, DATA);
        assert_eq!(r.emit(&mut buf[..23]), Err(EncodeError::BufferTooShort));
    }

    #[test]
    fn data_shorter_than_its_fixed_fields_is_bad_length() {
        let bytes = [0, 3, 0, 15, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0];
        let (chunk, _) = Chunk::frame(&bytes, 12).unwrap();
        assert_eq!(
            DataRepr::parse(&chunk),
            Err(ParseError::new(ParseErrorKind::BadLength, 16))
        );
    }

    /// RFC 8260 §2.1 layout: B set, TSN 7, stream 1, MID 9, PPID 53, "xy".
    const IDATA: [u8; 24] = [
        64, 0x02, 0, 22, 0, 0, 0, 7, 0, 1, 0, 0, 0, 0, 0, 9, 0, 0, 0, 53, b'x', b'y', 0, 0,
    ];

    fn irepr() -> IDataRepr<'static> {
        IDataRepr {
            beginning: true,
            tsn: 7,
            stream_id: 1,
            mid: 9,
            ppid_or_fsn: 53,
            user_data: b"xy",
            ..IDataRepr::default()
        }
    }

    #[test]
    fn idata_deconstruct() {
        let (chunk, _) = Chunk::frame(&IDATA, 0).unwrap();
        assert_eq!(chunk.chunk_type(), chunk_type::I_DATA);
        assert_eq!(chunk.length(), 22);
        let r = IDataRepr::parse(&chunk).unwrap();
        assert_eq!(r.ppid(), Some(53));
        assert_eq!(r.fsn(), 0);
    }

    #[test]
    fn idata_construct() {
        let mut buf = [0xff; 24];
        assert_eq!(irepr().emit(&mut buf), Ok(24));
        assert_eq!(buf, IDATA);
    }

    #[test]
    fn idata_parse() {
        let (chunk, _) = Chunk::frame(&IDATA, 0).unwrap();
        assert_eq!(ChunkRepr::parse(&chunk), Ok(ChunkRepr::IData(irepr())));
        let middle = IDataRepr {
            beginning: false,
            ..irepr()
        };
        assert_eq!((middle.ppid(), middle.fsn()), (None, 53));
    }

    #[test]
    fn idata_emit() {
        let r = ChunkRepr::IData(irepr());
        let mut buf = vec![0; r.buffer_len()];
        assert_eq!(r.emit(&mut buf), Ok(24));
        assert_eq!(buf, IDATA);
    }
}
