//! The 12-byte DTLS handshake header (RFC 6347 §4.2.2): TLS's type and length plus
//! `message_seq`, `fragment_offset` and `fragment_length`, so that a message can be split
//! over several records and put back together.
//!
//! ```text
//! struct {
//!     HandshakeType msg_type;
//!     uint24 length;
//!     uint16 message_seq;
//!     uint24 fragment_offset;
//!     uint24 fragment_length;
//!     ...
//! } Handshake;
//! ```

use std::ops::Range;

use super::codec::{MAX_U24, Reader};
use crate::Error;
use crate::wire::HandshakeType;

/// Bytes of a DTLS handshake header (RFC 6347 §4.2.2).
pub const HANDSHAKE_HEADER_LEN: usize = 12;

/// The largest handshake body the 24-bit length can describe (RFC 5246 §7.4).
pub const MAX_HANDSHAKE_LEN: usize = MAX_U24 as usize;

mod field {
    use std::ops::Range;

    pub(super) const MSG_TYPE: usize = 0;
    pub(super) const LENGTH: Range<usize> = 1..4;
    pub(super) const MESSAGE_SEQ: Range<usize> = 4..6;
    pub(super) const FRAGMENT_OFFSET: Range<usize> = 6..9;
    pub(super) const FRAGMENT_LENGTH: Range<usize> = 9..12;
}

/// A DTLS handshake header (RFC 6347 §4.2.2). The 24-bit fields are held in `u32`s; a parsed
/// header always satisfies `fragment_offset + fragment_length <= length <= 2^24 - 1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HandshakeHeader {
    /// The message type.
    pub msg_type: HandshakeType,
    /// The length of the whole message body, not of this fragment.
    pub length: u32,
    /// The message's sequence number within the handshake (RFC 6347 §4.2.2).
    pub message_seq: u16,
    /// Where this fragment's bytes start in the body.
    pub fragment_offset: u32,
    /// How many body bytes this fragment carries.
    pub fragment_length: u32,
}

impl HandshakeHeader {
    /// The header of a whole message in one piece: `fragment_offset` 0 and
    /// `fragment_length == length`. This is the form that enters the handshake transcript
    /// (RFC 6347 §4.2.6), whatever fragments carried the message.
    pub const fn unfragmented(msg_type: HandshakeType, message_seq: u16, length: u32) -> Self {
        Self {
            msg_type,
            length,
            message_seq,
            fragment_offset: 0,
            fragment_length: length,
        }
    }

    /// Reads a header from the start of `bytes` and checks that the fragment lies within the
    /// message (RFC 6347 §4.2.2).
    ///
    /// # Errors
    /// [`Error::Malformed`] when fewer than [`HANDSHAKE_HEADER_LEN`] bytes are given (at
    /// `bytes.len()`) or when `fragment_offset + fragment_length > length` (at the
    /// `fragment_length` field, offset 9).
    pub fn parse(bytes: &[u8]) -> Result<Self, Error> {
        if bytes.len() < HANDSHAKE_HEADER_LEN {
            return Err(Error::Malformed {
                what: "handshake header",
                offset: bytes.len(),
            });
        }
        let mut r = Reader::new(bytes);
        let header = Self {
            msg_type: HandshakeType(r.u8("handshake header")?),
            length: r.u24("handshake header")?,
            message_seq: r.u16("handshake header")?,
            fragment_offset: r.u24("handshake header")?,
            fragment_length: r.u24("handshake header")?,
        };
        if header.fragment_end() > u64::from(header.length) {
            return Err(Error::Malformed {
                what: "handshake fragment range",
                offset: field::FRAGMENT_LENGTH.start,
            });
        }
        Ok(header)
    }

    /// Checks the header can be written: every 24-bit field fits and the fragment lies within
    /// the message.
    ///
    /// # Errors
    /// [`Error::Malformed`] naming the first bad field and its offset in the header.
    pub fn check(&self) -> Result<(), Error> {
        let fields = [
            (self.length, field::LENGTH.start),
            (self.fragment_offset, field::FRAGMENT_OFFSET.start),
            (self.fragment_length, field::FRAGMENT_LENGTH.start),
        ];
        if let Some(&(_, offset)) = fields.iter().find(|(value, _)| *value > MAX_U24) {
            return Err(Error::Malformed {
                what: "handshake header uint24",
                offset,
            });
        }
        if self.fragment_end() > u64::from(self.length) {
            return Err(Error::Malformed {
                what: "handshake fragment range",
                offset: field::FRAGMENT_LENGTH.start,
            });
        }
        Ok(())
    }

    /// Writes the header into the first [`HANDSHAKE_HEADER_LEN`] bytes of `out`.
    ///
    /// # Errors
    /// As [`check`](Self::check); [`Error::BufferTooSmall`] for a short `out`.
    pub fn emit(&self, out: &mut [u8]) -> Result<(), Error> {
        self.check()?;
        let h = out
            .get_mut(..HANDSHAKE_HEADER_LEN)
            .ok_or(Error::BufferTooSmall)?;
        h.copy_from_slice(&self.to_bytes_unchecked());
        Ok(())
    }

    /// The 12 wire bytes, for headers that passed [`check`](Self::check) (values above
    /// 2^24 - 1 lose their high byte).
    pub fn to_bytes_unchecked(&self) -> [u8; HANDSHAKE_HEADER_LEN] {
        let mut h = [0u8; HANDSHAKE_HEADER_LEN];
        h[field::MSG_TYPE] = self.msg_type.0;
        h[field::LENGTH].copy_from_slice(&self.length.to_be_bytes()[1..]);
        h[field::MESSAGE_SEQ].copy_from_slice(&self.message_seq.to_be_bytes());
        h[field::FRAGMENT_OFFSET].copy_from_slice(&self.fragment_offset.to_be_bytes()[1..]);
        h[field::FRAGMENT_LENGTH].copy_from_slice(&self.fragment_length.to_be_bytes()[1..]);
        h
    }

    /// Whether this fragment is the whole message (offset 0, full length).
    pub const fn is_unfragmented(&self) -> bool {
        self.fragment_offset == 0 && self.fragment_length == self.length
    }

    /// The body bytes this fragment covers, as a range of the message body.
    pub fn fragment_range(&self) -> Range<usize> {
        let start = self.fragment_offset as usize;
        start..start + self.fragment_length as usize
    }

    /// This header with `fragment_offset` 0 and `fragment_length == length`: the transcript
    /// form (RFC 6347 §4.2.6).
    pub const fn to_unfragmented(&self) -> Self {
        Self::unfragmented(self.msg_type, self.message_seq, self.length)
    }

    fn fragment_end(&self) -> u64 {
        u64::from(self.fragment_offset) + u64::from(self.fragment_length)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_round_trips() {
        let header = HandshakeHeader {
            msg_type: HandshakeType::CLIENT_HELLO,
            length: 1413,
            message_seq: 0,
            fragment_offset: 1175,
            fragment_length: 238,
        };
        let mut out = [0u8; HANDSHAKE_HEADER_LEN];
        header.emit(&mut out).unwrap();
        assert_eq!(out, [1, 0, 5, 0x85, 0, 0, 0, 4, 0x97, 0, 0, 0xee]);
        assert_eq!(HandshakeHeader::parse(&out).unwrap(), header);
        assert!(!header.is_unfragmented());
        assert!(header.to_unfragmented().is_unfragmented());
        assert_eq!(header.fragment_range(), 1175..1413);
    }

    #[test]
    fn fragment_past_the_message_is_malformed() {
        let bytes = [1, 0, 0, 10, 0, 0, 0, 0, 6, 0, 0, 5];
        assert_eq!(
            HandshakeHeader::parse(&bytes),
            Err(Error::Malformed {
                what: "handshake fragment range",
                offset: 9
            })
        );
        assert_eq!(
            HandshakeHeader::parse(&bytes[..11]),
            Err(Error::Malformed {
                what: "handshake header",
                offset: 11
            })
        );
    }

    #[test]
    fn values_over_24_bits_are_refused_on_emit() {
        let header = HandshakeHeader::unfragmented(HandshakeType::CERTIFICATE, 1, 1 << 24);
        assert_eq!(
            header.emit(&mut [0; 12]),
            Err(Error::Malformed {
                what: "handshake header uint24",
                offset: 1
            })
        );
        let header = HandshakeHeader::unfragmented(HandshakeType::FINISHED, 1, 12);
        assert_eq!(header.emit(&mut [0; 11]), Err(Error::BufferTooSmall));
    }
}
