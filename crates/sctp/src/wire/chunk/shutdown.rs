//! SHUTDOWN (type 7; RFC 9260 §3.3.8) and SHUTDOWN COMPLETE (type 14; §3.3.13). SHUTDOWN ACK
//! (type 8; §3.3.9) has no value and is a unit variant of [`ChunkRepr`](crate::wire::ChunkRepr).

use crate::error::ParseError;
use crate::wire::bytes::{Writer, expect_len, u32_at};
use crate::wire::chunk::{ChunkBody, chunk_type, expect_empty, impl_emit};
use crate::wire::packet::Chunk;

/// A SHUTDOWN chunk (RFC 9260 §3.3.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ShutdownRepr {
    /// Cumulative TSN Ack (RFC 9260 §3.3.8).
    pub cumulative_tsn_ack: u32,
}

impl ShutdownRepr {
    /// Reads a SHUTDOWN chunk (RFC 9260 §3.3.8): a value of exactly 4 bytes.
    ///
    /// # Errors
    /// [`BadLength`](crate::ParseErrorKind::BadLength) at the length field otherwise.
    pub fn parse(chunk: &Chunk<'_>) -> Result<Self, ParseError> {
        let v = chunk.value();
        expect_len(v, 4, chunk.offset().saturating_add(2))?;
        Ok(Self {
            cumulative_tsn_ack: u32_at(v, 0),
        })
    }
}

impl ChunkBody for ShutdownRepr {
    const TYPE: u8 = chunk_type::SHUTDOWN;
    fn value_len(&self) -> usize {
        4
    }
    fn write_value(&self, w: &mut Writer<'_>) {
        w.u32(self.cumulative_tsn_ack);
    }
}

impl_emit!(ShutdownRepr, "SHUTDOWN (RFC 9260 §3.3.8)");

/// The T bit of ABORT (RFC 9260 §3.3.7) and SHUTDOWN COMPLETE (§3.3.13).
pub(crate) const T_BIT: u8 = 0x01;

/// A SHUTDOWN COMPLETE chunk (RFC 9260 §3.3.13).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ShutdownCompleteRepr {
    /// T bit: the Verification Tag is the receiver's own, reflected (RFC 9260 §3.3.13,
    /// §8.5.1), rather than the peer's.
    pub tag_reflected: bool,
}

impl ShutdownCompleteRepr {
    /// Reads a SHUTDOWN COMPLETE chunk (RFC 9260 §3.3.13): no value.
    ///
    /// # Errors
    /// [`BadLength`](crate::ParseErrorKind::BadLength) at the length field for a value.
    pub fn parse(chunk: &Chunk<'_>) -> Result<Self, ParseError> {
        expect_empty(chunk)?;
        Ok(Self {
            tag_reflected: chunk.flags() & T_BIT != 0,
        })
    }
}

impl ChunkBody for ShutdownCompleteRepr {
    const TYPE: u8 = chunk_type::SHUTDOWN_COMPLETE;
    fn flags(&self) -> u8 {
        u8::from(self.tag_reflected) * T_BIT
    }
    fn value_len(&self) -> usize {
        0
    }
    fn write_value(&self, _: &mut Writer<'_>) {}
}

impl_emit!(ShutdownCompleteRepr, "SHUTDOWN COMPLETE (RFC 9260 §3.3.13)");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::ChunkRepr;

    /// RFC 9260 §3.3.8, §3.3.9, §3.3.13.
    const SHUTDOWN: [u8; 8] = [7, 0, 0, 8, 0, 0, 1, 0];
    const SHUTDOWN_ACK: [u8; 4] = [8, 0, 0, 4];
    const SHUTDOWN_COMPLETE_T: [u8; 4] = [14, 1, 0, 4];

    #[test]
    fn shutdown_deconstruct() {
        let (chunk, _) = Chunk::frame(&SHUTDOWN, 0).unwrap();
        assert_eq!((chunk.chunk_type(), chunk.length()), (7, 8));
        let (c, _) = Chunk::frame(&SHUTDOWN_COMPLETE_T, 0).unwrap();
        assert_eq!((c.chunk_type(), c.flags()), (14, 1));
    }

    #[test]
    fn shutdown_construct() {
        let mut buf = [0; 8];
        let r = ShutdownRepr {
            cumulative_tsn_ack: 256,
        };
        assert_eq!(r.emit(&mut buf), Ok(8));
        assert_eq!(buf, SHUTDOWN);
        let mut buf = [0; 4];
        let r = ShutdownCompleteRepr {
            tag_reflected: true,
        };
        assert_eq!(r.emit(&mut buf), Ok(4));
        assert_eq!(buf, SHUTDOWN_COMPLETE_T);
    }

    #[test]
    fn shutdown_parse() {
        fn parse(b: &[u8]) -> Result<ChunkRepr<'_>, ParseError> {
            ChunkRepr::parse(&Chunk::frame(b, 0).unwrap().0)
        }
        assert_eq!(
            parse(&SHUTDOWN),
            Ok(ChunkRepr::Shutdown(ShutdownRepr {
                cumulative_tsn_ack: 256
            }))
        );
        assert_eq!(parse(&SHUTDOWN_ACK), Ok(ChunkRepr::ShutdownAck));
        assert_eq!(
            parse(&SHUTDOWN_COMPLETE_T),
            Ok(ChunkRepr::ShutdownComplete(ShutdownCompleteRepr {
                tag_reflected: true
            }))
        );
        assert_eq!(
            parse(&[7, 0, 0, 12, 0, 0, 0, 1, 0, 0, 0, 2]),
            Err(ParseError::new(crate::ParseErrorKind::BadLength, 2))
        );
    }

    #[test]
    fn shutdown_emit() {
        let mut buf = [0xff; 4];
        assert_eq!(ChunkRepr::ShutdownAck.emit(&mut buf), Ok(4));
        assert_eq!(buf, SHUTDOWN_ACK);
        let r = ChunkRepr::Shutdown(ShutdownRepr {
            cumulative_tsn_ack: 256,
        });
        let mut buf = vec![0; r.buffer_len()];
        assert_eq!(r.emit(&mut buf), Ok(8));
        assert_eq!(buf, SHUTDOWN);
    }
}
