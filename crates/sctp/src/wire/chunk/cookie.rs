//! COOKIE ECHO (type 10; RFC 9260 §3.3.11). COOKIE ACK (type 11; §3.3.12) has no value and is
//! a unit variant of [`ChunkRepr`](crate::wire::ChunkRepr).

use crate::wire::bytes::Writer;
use crate::wire::chunk::{ChunkBody, chunk_type, impl_emit};
use crate::wire::packet::Chunk;

/// A COOKIE ECHO chunk (RFC 9260 §3.3.11): the State Cookie of the INIT ACK, echoed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct CookieEchoRepr<'a> {
    /// Cookie (RFC 9260 §3.3.11): the State Cookie parameter's value, as received.
    pub cookie: &'a [u8],
}

impl<'a> CookieEchoRepr<'a> {
    /// Reads a COOKIE ECHO chunk (RFC 9260 §3.3.11); any value is a cookie.
    pub fn parse(chunk: &Chunk<'a>) -> Self {
        Self {
            cookie: chunk.value(),
        }
    }
}

impl ChunkBody for CookieEchoRepr<'_> {
    const TYPE: u8 = chunk_type::COOKIE_ECHO;
    fn value_len(&self) -> usize {
        self.cookie.len()
    }
    fn write_value(&self, w: &mut Writer<'_>) {
        w.bytes(self.cookie);
    }
}

impl_emit!(CookieEchoRepr<'_>, "COOKIE ECHO (RFC 9260 §3.3.11)");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::ChunkRepr;
    use crate::{ParseError, ParseErrorKind};

    /// RFC 9260 §3.3.11: a 5-byte cookie, then a COOKIE ACK (§3.3.12).
    const COOKIE_ECHO: [u8; 12] = [10, 0, 0, 9, 1, 2, 3, 4, 5, 0, 0, 0];
    const COOKIE_ACK: [u8; 4] = [11, 0, 0, 4];

    #[test]
    fn cookie_deconstruct() {
        let (chunk, taken) = Chunk::frame(&COOKIE_ECHO, 0).unwrap();
        assert_eq!((chunk.chunk_type(), chunk.length(), taken), (10, 9, 12));
        assert_eq!(CookieEchoRepr::parse(&chunk).cookie, &[1, 2, 3, 4, 5]);
        let (ack, _) = Chunk::frame(&COOKIE_ACK, 0).unwrap();
        assert_eq!(ack.chunk_type(), chunk_type::COOKIE_ACK);
    }

    #[test]
    fn cookie_construct() {
        let mut buf = [0xff; 12];
        let r = CookieEchoRepr {
            cookie: &[1, 2, 3, 4, 5],
        };
        assert_eq!(r.emit(&mut buf), Ok(12));
        assert_eq!(buf, COOKIE_ECHO);
    }

    #[test]
    fn cookie_parse() {
        let (chunk, _) = Chunk::frame(&COOKIE_ECHO, 0).unwrap();
        assert_eq!(
            ChunkRepr::parse(&chunk),
            Ok(ChunkRepr::CookieEcho(CookieEchoRepr {
                cookie: &[1, 2, 3, 4, 5]
            }))
        );
        let (ack, _) = Chunk::frame(&COOKIE_ACK, 0).unwrap();
        assert_eq!(ChunkRepr::parse(&ack), Ok(ChunkRepr::CookieAck));
        let (long_ack, _) = Chunk::frame(&[11, 0, 0, 8, 0, 0, 0, 0], 12).unwrap();
        assert_eq!(
            ChunkRepr::parse(&long_ack),
            Err(ParseError::new(ParseErrorKind::BadLength, 14))
        );
    }

    #[test]
    fn cookie_emit() {
        let mut buf = [0xff; 4];
        assert_eq!(ChunkRepr::CookieAck.emit(&mut buf), Ok(4));
        assert_eq!(buf, COOKIE_ACK);
        let r = ChunkRepr::CookieEcho(CookieEchoRepr {
            cookie: &[1, 2, 3, 4, 5],
        });
        let mut buf = vec![0; r.buffer_len()];
        assert_eq!(r.emit(&mut buf), Ok(12));
        assert_eq!(buf, COOKIE_ECHO);
    }
}
