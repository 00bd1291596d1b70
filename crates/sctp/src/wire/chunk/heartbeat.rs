//! HEARTBEAT (type 4; RFC 9260 §3.3.5) and HEARTBEAT ACK (type 5; §3.3.6): one Heartbeat Info
//! parameter (type 1) whose contents only the sender reads.

use crate::error::{EncodeError, ParseError, ParseErrorKind};
use crate::wire::bytes::{emit_chunk, err, padded, u16_at};
use crate::wire::packet::Chunk;

/// The Heartbeat Info parameter type (RFC 9260 §3.3.5).
pub const HEARTBEAT_INFO: u16 = 1;

/// A HEARTBEAT or HEARTBEAT ACK chunk (RFC 9260 §3.3.5–3.3.6): the sender-specific
/// information of its Heartbeat Info parameter, raw. An ACK echoes the request's parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct HeartbeatRepr<'a> {
    /// Sender-Specific Heartbeat Info: the value of the Heartbeat Info parameter (RFC 9260
    /// §3.3.5).
    pub info: &'a [u8],
}

impl<'a> HeartbeatRepr<'a> {
    /// Reads a HEARTBEAT or HEARTBEAT ACK chunk (RFC 9260 §3.3.5–3.3.6). The parameter may be
    /// followed by its own padding inside the chunk length.
    ///
    /// # Errors
    /// [`InvalidValue`](ParseErrorKind::InvalidValue) at the value when the first parameter is
    /// not Heartbeat Info; [`BadParameterLength`](ParseErrorKind::BadParameterLength) at its
    /// length field when it is shorter than 4 bytes or runs past the chunk;
    /// [`BadLength`](ParseErrorKind::BadLength) when other bytes follow it.
    pub fn parse(chunk: &Chunk<'a>) -> Result<Self, ParseError> {
        let v = chunk.value();
        if v.len() < 4 || u16_at(v, 0) != HEARTBEAT_INFO {
            return Err(err(ParseErrorKind::InvalidValue, chunk.value_offset(0)));
        }
        let len = usize::from(u16_at(v, 2));
        let Some(info) = v.get(4..len) else {
            return Err(err(
                ParseErrorKind::BadParameterLength,
                chunk.value_offset(2),
            ));
        };
        if v.len() != len && v.len() != padded(len) {
            return Err(err(
                ParseErrorKind::BadLength,
                chunk.offset().saturating_add(2),
            ));
        }
        Ok(Self { info })
    }

    fn value_len(&self) -> usize {
        self.info.len().saturating_add(4)
    }

    /// Length of the chunk [`emit_as`](Self::emit_as) writes, padding included.
    pub fn buffer_len(&self) -> usize {
        padded(self.value_len().saturating_add(4))
    }

    /// Writes the chunk as HEARTBEAT or HEARTBEAT ACK (`chunk_type` 4 or 5, RFC 9260
    /// §3.3.5–3.3.6) at the start of `buf`, padded, and returns its length.
    ///
    /// # Errors
    /// [`EncodeError::TooLong`] when the info overflows the parameter length,
    /// [`EncodeError::BufferTooShort`] for a short `buf`.
    pub fn emit_as(&self, chunk_type: u8, buf: &mut [u8]) -> Result<usize, EncodeError> {
        let param_len = u16::try_from(self.value_len()).map_err(|_| EncodeError::TooLong)?;
        emit_chunk(buf, chunk_type, 0, self.value_len(), |w| {
            w.u16(HEARTBEAT_INFO);
            w.u16(param_len);
            w.bytes(self.info);
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{ChunkRepr, chunk_type};

    /// RFC 9260 §3.3.5: Heartbeat Info of 3 bytes.
    const HEARTBEAT: [u8; 12] = [4, 0, 0, 11, 0, 1, 0, 7, 9, 8, 7, 0];

    #[test]
    fn heartbeat_deconstruct() {
        let (chunk, taken) = Chunk::frame(&HEARTBEAT, 0).unwrap();
        assert_eq!((chunk.chunk_type(), chunk.length(), taken), (4, 11, 12));
        assert_eq!(HeartbeatRepr::parse(&chunk).unwrap().info, &[9, 8, 7]);
    }

    #[test]
    fn heartbeat_construct() {
        let mut buf = [0xff; 12];
        let r = HeartbeatRepr { info: &[9, 8, 7] };
        assert_eq!(r.emit_as(chunk_type::HEARTBEAT, &mut buf), Ok(12));
        assert_eq!(buf, HEARTBEAT);
    }

    #[test]
    fn heartbeat_parse() {
        let (chunk, _) = Chunk::frame(&HEARTBEAT, 0).unwrap();
        assert_eq!(
            ChunkRepr::parse(&chunk),
            Ok(ChunkRepr::Heartbeat(HeartbeatRepr { info: &[9, 8, 7] }))
        );
        // The parameter's padding inside the chunk length is accepted too.
        let padded_inside = [5, 0, 0, 12, 0, 1, 0, 7, 9, 8, 7, 0];
        let (chunk, _) = Chunk::frame(&padded_inside, 0).unwrap();
        assert_eq!(
            ChunkRepr::parse(&chunk),
            Ok(ChunkRepr::HeartbeatAck(HeartbeatRepr { info: &[9, 8, 7] }))
        );
    }

    #[test]
    fn heartbeat_emit() {
        let r = ChunkRepr::HeartbeatAck(HeartbeatRepr { info: &[9, 8, 7] });
        let mut buf = vec![0; r.buffer_len()];
        assert_eq!(r.emit(&mut buf), Ok(12));
        assert_eq!(buf[0], chunk_type::HEARTBEAT_ACK);
        assert_eq!(buf[1..], HEARTBEAT[1..]);
    }

    #[test]
    fn heartbeat_without_info_is_invalid() {
        let bytes = [4, 0, 0, 8, 0, 2, 0, 4];
        let (chunk, _) = Chunk::frame(&bytes, 12).unwrap();
        assert_eq!(
            HeartbeatRepr::parse(&chunk),
            Err(err(ParseErrorKind::InvalidValue, 16))
        );
    }
}
