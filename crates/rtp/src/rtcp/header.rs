//! The RTCP common header (RFC 3550 §6.4.1) and a checked view of one packet of a compound
//! with its padding removed (RFC 3550 §6.4.1 P bit, RFC 5506 §3.4).

use crate::error::{BuildError, ParseError, ParseErrorKind};
use crate::rtcp::packet::RtcpPacket;
use crate::rtcp::wire::{err, u8_at, u16_at};

/// Length of the common header every RTCP packet starts with (RFC 3550 §6.4.1).
pub const HEADER_LEN: usize = 4;

/// The RTCP version, the same as RTP's (RFC 3550 §6.4.1).
pub(crate) const VERSION: u8 = 2;

/// The first 32 bits of an RTCP packet (RFC 3550 §6.4.1, RFC 4585 §6.1): padding bit, the
/// five-bit count (reception report count, source count, subtype or feedback message type),
/// packet type and length. The version is always 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Header {
    /// The P bit: the packet ends with padding whose last byte counts it.
    pub padding: bool,
    /// The five-bit count field: RC, SC, APP subtype or FMT, depending on the packet type.
    pub count: u8,
    /// The packet type (PT), see [`packet_type`](crate::rtcp::packet_type).
    pub packet_type: u8,
    /// The length field: the packet length in 32-bit words minus one, header and padding
    /// included.
    pub length: u16,
}

impl Header {
    /// Reads the header from the first four bytes of `bytes` (RFC 3550 §6.4.1).
    ///
    /// # Errors
    /// [`ParseErrorKind::Truncated`] for fewer than four bytes (offset: where they end),
    /// [`ParseErrorKind::BadVersion`] when the version is not 2 (offset 0).
    pub fn parse(bytes: &[u8]) -> Result<Self, ParseError> {
        if bytes.len() < HEADER_LEN {
            return Err(err(ParseErrorKind::Truncated, bytes.len()));
        }
        let first = u8_at(bytes, 0);
        if first >> 6 != VERSION {
            return Err(err(ParseErrorKind::BadVersion, 0));
        }
        Ok(Self {
            padding: first & 0x20 != 0,
            count: first & 0x1f,
            packet_type: u8_at(bytes, 1),
            length: u16_at(bytes, 2),
        })
    }

    /// The packet length in bytes that the length field gives: `(length + 1) * 4`.
    pub fn packet_len(&self) -> usize {
        (usize::from(self.length) + 1) * 4
    }

    /// Writes the header to the first four bytes of `buf`.
    ///
    /// # Errors
    /// [`BuildError::TooLarge`] when `count` exceeds 31 or `buf` is shorter than four bytes.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, BuildError> {
        if self.count > 31 {
            return Err(BuildError::TooLarge);
        }
        let Some(out) = buf.get_mut(..HEADER_LEN) else {
            return Err(BuildError::TooLarge);
        };
        let [hi, lo] = self.length.to_be_bytes();
        out.copy_from_slice(&[
            VERSION << 6 | u8::from(self.padding) << 5 | self.count,
            self.packet_type,
            hi,
            lo,
        ]);
        Ok(HEADER_LEN)
    }
}

/// A checked view of one RTCP packet, any type: the header, the body after it with any
/// padding removed, and where the packet sits in its compound (RFC 3550 §6.4.1).
///
/// After construction no accessor panics. Typed views ([`RtcpPacket`]) are built from it with
/// [`parse`](Self::parse); packet types this crate does not know stay in this form, bytes
/// intact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawPacket<'a> {
    bytes: &'a [u8],
    header: Header,
    padding_len: usize,
    offset: usize,
}

impl<'a> RawPacket<'a> {
    /// Checks `bytes` as exactly one RTCP packet (RFC 3550 §6.4.1): version 2, a length field
    /// equal to `bytes.len()`, and when P is set a nonzero padding count that fits in the
    /// packet after its header. Padding is accepted on any packet, as RFC 5506 §3.4 allows;
    /// [`validate_compound`](crate::rtcp::validate_compound) applies the stricter RFC 3550
    /// rule.
    ///
    /// # Errors
    /// [`ParseErrorKind::Truncated`], [`ParseErrorKind::BadVersion`],
    /// [`ParseErrorKind::BadLength`] (the length field does not match the buffer) or
    /// [`ParseErrorKind::BadPadding`].
    pub fn new_checked(bytes: &'a [u8]) -> Result<Self, ParseError> {
        let packet = Self::parse_at(bytes, 0)?;
        if packet.len() != bytes.len() {
            return Err(err(ParseErrorKind::BadLength, 2));
        }
        Ok(packet)
    }

    /// The packet that starts at `offset` in `datagram`; errors carry offsets into `datagram`.
    pub(crate) fn parse_at(datagram: &'a [u8], offset: usize) -> Result<Self, ParseError> {
        let rest = datagram.get(offset..).unwrap_or(&[]);
        let header = Header::parse(rest).map_err(|e| err(e.kind, offset + e.offset))?;
        let len = header.packet_len();
        let Some(bytes) = rest.get(..len) else {
            return Err(err(ParseErrorKind::BadLength, offset + 2));
        };
        let padding_len = if header.padding {
            let count = usize::from(u8_at(bytes, len - 1));
            if count == 0 || count > len - HEADER_LEN {
                return Err(err(ParseErrorKind::BadPadding, offset + len - 1));
            }
            count
        } else {
            0
        };
        Ok(Self {
            bytes,
            header,
            padding_len,
            offset,
        })
    }

    /// Parses the packet into its typed view ([`RtcpPacket::parse`]).
    ///
    /// # Errors
    /// As [`RtcpPacket::parse`].
    pub fn parse(&self) -> Result<RtcpPacket<'a>, ParseError> {
        RtcpPacket::parse(*self)
    }

    /// The common header.
    pub fn header(&self) -> Header {
        self.header
    }

    /// The P bit.
    pub fn has_padding(&self) -> bool {
        self.header.padding
    }

    /// The five-bit count field (RC, SC, subtype or FMT).
    pub fn count(&self) -> u8 {
        self.header.count
    }

    /// The packet type (PT).
    pub fn packet_type(&self) -> u8 {
        self.header.packet_type
    }

    /// The whole packet: header, body and padding.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Length of the whole packet in bytes (a multiple of four).
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Always false: a packet has at least its header. Here for symmetry with [`len`](Self::len).
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The body: after the four-byte header, before any padding.
    pub fn body(&self) -> &'a [u8] {
        let end = self.bytes.len().saturating_sub(self.padding_len);
        self.bytes.get(HEADER_LEN..end).unwrap_or(&[])
    }

    /// Bytes of padding at the end, the count byte included (0 when P is clear).
    pub fn padding_len(&self) -> usize {
        self.padding_len
    }

    /// Offset of the packet's first byte in the compound it was read from (0 for
    /// [`new_checked`](Self::new_checked)).
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// An error of `kind` at byte `at` of the body, as an offset into the compound.
    pub(crate) fn body_error(&self, kind: ParseErrorKind, at: usize) -> ParseError {
        err(kind, self.offset + HEADER_LEN + at)
    }

    /// An error of `kind` pointing at the length field (the body does not fit what the count
    /// or content says).
    pub(crate) fn length_error(&self) -> ParseError {
        err(ParseErrorKind::BadLength, self.offset + 2)
    }

    /// Fails with [`ParseErrorKind::WrongType`] unless the packet type is `packet_type`.
    pub(crate) fn expect_type(&self, packet_type: u8) -> Result<(), ParseError> {
        if self.header.packet_type == packet_type {
            Ok(())
        } else {
            Err(err(ParseErrorKind::WrongType, self.offset + 1))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_round_trips() {
        let header = Header {
            padding: true,
            count: 31,
            packet_type: 205,
            length: 0x1234,
        };
        let mut buf = [0; 4];
        assert_eq!(header.emit(&mut buf), Ok(4));
        assert_eq!(buf, [0xbf, 205, 0x12, 0x34]);
        assert_eq!(Header::parse(&buf), Ok(header));
        assert_eq!(header.packet_len(), 0x1235 * 4);
    }

    #[test]
    fn header_rejects_other_versions_and_short_input() {
        assert_eq!(
            Header::parse(&[0x40, 200, 0, 0]).unwrap_err().kind,
            ParseErrorKind::BadVersion
        );
        assert_eq!(
            Header::parse(&[0x80, 200, 0]),
            Err(err(ParseErrorKind::Truncated, 3))
        );
    }

    #[test]
    fn raw_packet_strips_padding() {
        let bytes = [0xa0, 204, 0, 2, 1, 2, 3, 4, 9, 0, 0, 3];
        let raw = RawPacket::new_checked(&bytes).unwrap();
        assert_eq!(raw.body(), &[1, 2, 3, 4, 9]);
        assert_eq!(raw.padding_len(), 3);
    }

    #[test]
    fn raw_packet_rejects_bad_padding_and_lengths() {
        let zero = [0xa0, 204, 0, 1, 1, 2, 3, 0];
        assert_eq!(
            RawPacket::new_checked(&zero),
            Err(err(ParseErrorKind::BadPadding, 7))
        );
        let long = [0xa0, 204, 0, 1, 1, 2, 3, 5];
        assert_eq!(
            RawPacket::new_checked(&long),
            Err(err(ParseErrorKind::BadPadding, 7))
        );
        let past = [0x80, 204, 0, 2, 1, 2, 3, 4];
        assert_eq!(
            RawPacket::new_checked(&past),
            Err(err(ParseErrorKind::BadLength, 2))
        );
        let short = [0x80, 204, 0, 0, 1, 2, 3, 4];
        assert_eq!(
            RawPacket::new_checked(&short),
            Err(err(ParseErrorKind::BadLength, 2))
        );
    }
}
