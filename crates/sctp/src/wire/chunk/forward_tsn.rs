//! FORWARD TSN (type 192; RFC 3758 §3.2) and I-FORWARD-TSN (type 194; RFC 8260 §2.3): move the
//! receiver's cumulative TSN past abandoned messages, with the streams they touched.

use crate::error::{ParseError, ParseErrorKind};
use crate::wire::bytes::{Writer, err, tail, u16_at, u32_at};
use crate::wire::chunk::{ChunkBody, chunk_type, impl_emit};
use crate::wire::list::{List, WireEntry};
use crate::wire::packet::Chunk;

/// A stream entry of FORWARD TSN (RFC 3758 §3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ForwardTsnStream {
    /// Stream-N: a stream with skipped ordered messages.
    pub stream_id: u16,
    /// Stream Sequence-N: the largest SSN skipped on that stream.
    pub ssn: u16,
}

impl WireEntry for ForwardTsnStream {
    const LEN: usize = 4;
    fn read(bytes: &[u8]) -> Self {
        Self {
            stream_id: u16_at(bytes, 0),
            ssn: u16_at(bytes, 2),
        }
    }
    fn write(&self, out: &mut [u8]) {
        let mut w = Writer::new(out);
        w.u16(self.stream_id);
        w.u16(self.ssn);
    }
}

/// A stream entry of I-FORWARD-TSN (RFC 8260 §2.3.1). The 15 reserved bits are ignored and
/// written as zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct IForwardTsnStream {
    /// Stream Identifier.
    pub stream_id: u16,
    /// U bit: the skipped message was unordered.
    pub unordered: bool,
    /// Message Identifier: the largest MID skipped.
    pub mid: u32,
}

impl WireEntry for IForwardTsnStream {
    const LEN: usize = 8;
    fn read(bytes: &[u8]) -> Self {
        Self {
            stream_id: u16_at(bytes, 0),
            unordered: u16_at(bytes, 2) & 1 != 0,
            mid: u32_at(bytes, 4),
        }
    }
    fn write(&self, out: &mut [u8]) {
        let mut w = Writer::new(out);
        w.u16(self.stream_id);
        w.u16(u16::from(self.unordered));
        w.u32(self.mid);
    }
}

/// Checks a value of a 4-byte TSN followed by whole entries of `entry_len` bytes.
fn check_entries(chunk: &Chunk<'_>, entry_len: usize) -> Result<(), ParseError> {
    let v = chunk.value();
    if v.len() < 4 || !(v.len() - 4).is_multiple_of(entry_len) {
        return Err(err(
            ParseErrorKind::BadLength,
            chunk.offset().saturating_add(2),
        ));
    }
    Ok(())
}

/// A FORWARD TSN chunk (RFC 3758 §3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ForwardTsnRepr<'a> {
    /// New Cumulative TSN (RFC 3758 §3.2).
    pub new_cumulative_tsn: u32,
    /// The streams and largest SSNs skipped (RFC 3758 §3.2).
    pub streams: List<'a, ForwardTsnStream>,
}

impl<'a> ForwardTsnRepr<'a> {
    /// Reads a FORWARD TSN chunk (RFC 3758 §3.2).
    ///
    /// # Errors
    /// [`BadLength`](ParseErrorKind::BadLength) at the length field unless the value is 4
    /// bytes plus whole 4-byte entries.
    pub fn parse(chunk: &Chunk<'a>) -> Result<Self, ParseError> {
        check_entries(chunk, ForwardTsnStream::LEN)?;
        let v = chunk.value();
        Ok(Self {
            new_cumulative_tsn: u32_at(v, 0),
            streams: List::from_wire(tail(v, 4)),
        })
    }
}

impl ChunkBody for ForwardTsnRepr<'_> {
    const TYPE: u8 = chunk_type::FORWARD_TSN;
    fn value_len(&self) -> usize {
        self.streams.wire_len().saturating_add(4)
    }
    fn write_value(&self, w: &mut Writer<'_>) {
        w.u32(self.new_cumulative_tsn);
        self.streams.write(w);
    }
}

impl_emit!(ForwardTsnRepr<'_>, "FORWARD TSN (RFC 3758 §3.2)");

/// An I-FORWARD-TSN chunk (RFC 8260 §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IForwardTsnRepr<'a> {
    /// New Cumulative TSN (RFC 8260 §2.3).
    pub new_cumulative_tsn: u32,
    /// The streams, U bits and largest MIDs skipped (RFC 8260 §2.3.1).
    pub streams: List<'a, IForwardTsnStream>,
}

impl<'a> IForwardTsnRepr<'a> {
    /// Reads an I-FORWARD-TSN chunk (RFC 8260 §2.3).
    ///
    /// # Errors
    /// [`BadLength`](ParseErrorKind::BadLength) at the length field unless the value is 4
    /// bytes plus whole 8-byte entries.
    pub fn parse(chunk: &Chunk<'a>) -> Result<Self, ParseError> {
        check_entries(chunk, IForwardTsnStream::LEN)?;
        let v = chunk.value();
        Ok(Self {
            new_cumulative_tsn: u32_at(v, 0),
            streams: List::from_wire(tail(v, 4)),
        })
    }
}

impl ChunkBody for IForwardTsnRepr<'_> {
    const TYPE: u8 = chunk_type::I_FORWARD_TSN;
    fn value_len(&self) -> usize {
        self.streams.wire_len().saturating_add(4)
    }
    fn write_value(&self, w: &mut Writer<'_>) {
        w.u32(self.new_cumulative_tsn);
        self.streams.write(w);
    }
}

impl_emit!(IForwardTsnRepr<'_>, "I-FORWARD-TSN (RFC 8260 §2.3)");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::ChunkRepr;

    /// RFC 3758 §3.2: new cumulative TSN 3, stream 1 SSN 2, stream 4 SSN 5.
    const FORWARD_TSN: [u8; 16] = [192, 0, 0, 16, 0, 0, 0, 3, 0, 1, 0, 2, 0, 4, 0, 5];
    const STREAMS: [ForwardTsnStream; 2] = [
        ForwardTsnStream {
            stream_id: 1,
            ssn: 2,
        },
        ForwardTsnStream {
            stream_id: 4,
            ssn: 5,
        },
    ];
    /// RFC 8260 §2.3: new cumulative TSN 9, stream 2 unordered MID 7.
    const I_FORWARD_TSN: [u8; 16] = [194, 0, 0, 16, 0, 0, 0, 9, 0, 2, 0, 1, 0, 0, 0, 7];
    const ISTREAMS: [IForwardTsnStream; 1] = [IForwardTsnStream {
        stream_id: 2,
        unordered: true,
        mid: 7,
    }];

    fn fwd() -> ForwardTsnRepr<'static> {
        ForwardTsnRepr {
            new_cumulative_tsn: 3,
            streams: List::from_slice(&STREAMS),
        }
    }

    fn ifwd() -> IForwardTsnRepr<'static> {
        IForwardTsnRepr {
            new_cumulative_tsn: 9,
            streams: List::from_slice(&ISTREAMS),
        }
    }

    #[test]
    fn forward_tsn_deconstruct() {
        let (chunk, _) = Chunk::frame(&FORWARD_TSN, 0).unwrap();
        let r = ForwardTsnRepr::parse(&chunk).unwrap();
        assert_eq!(r.streams.iter().collect::<Vec<_>>(), STREAMS);
        let (chunk, _) = Chunk::frame(&I_FORWARD_TSN, 0).unwrap();
        let r = IForwardTsnRepr::parse(&chunk).unwrap();
        assert_eq!(r.streams.iter().collect::<Vec<_>>(), ISTREAMS);
    }

    #[test]
    fn forward_tsn_construct() {
        let mut buf = [0; 16];
        assert_eq!(fwd().emit(&mut buf), Ok(16));
        assert_eq!(buf, FORWARD_TSN);
        assert_eq!(ifwd().emit(&mut buf), Ok(16));
        assert_eq!(buf, I_FORWARD_TSN);
    }

    #[test]
    fn forward_tsn_parse() {
        let (chunk, _) = Chunk::frame(&FORWARD_TSN, 0).unwrap();
        assert_eq!(ChunkRepr::parse(&chunk), Ok(ChunkRepr::ForwardTsn(fwd())));
        let (chunk, _) = Chunk::frame(&I_FORWARD_TSN, 0).unwrap();
        assert_eq!(ChunkRepr::parse(&chunk), Ok(ChunkRepr::IForwardTsn(ifwd())));
    }

    #[test]
    fn forward_tsn_emit() {
        for (r, bytes) in [
            (ChunkRepr::ForwardTsn(fwd()), FORWARD_TSN),
            (ChunkRepr::IForwardTsn(ifwd()), I_FORWARD_TSN),
        ] {
            let mut buf = vec![0; r.buffer_len()];
            assert_eq!(r.emit(&mut buf), Ok(16));
            assert_eq!(buf, bytes);
        }
    }

    #[test]
    fn partial_stream_entry_is_bad_length() {
        let bytes = [194, 0, 0, 12, 0, 0, 0, 9, 0, 2, 0, 1];
        let (chunk, _) = Chunk::frame(&bytes, 12).unwrap();
        assert_eq!(
            IForwardTsnRepr::parse(&chunk),
            Err(err(ParseErrorKind::BadLength, 14))
        );
    }
}
