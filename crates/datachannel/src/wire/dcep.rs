//! DCEP messages (RFC 8832 §5): DATA_CHANNEL_OPEN, which opens a channel on an SCTP stream
//! and says how it behaves, and DATA_CHANNEL_ACK, which confirms it. Both travel as SCTP user
//! messages with PPID 50 ([`Ppid::DCEP`]).
//!
//! [`Message::parse`] reads either from a borrowed buffer without allocating (label and
//! protocol are borrowed slices, checked as UTF-8 as RFC 8832 §5.1 requires); [`OpenRepr`]
//! and [`Message::Ack`] write them back into a caller buffer.

use crate::error::{ParseError, ParseErrorKind};

/// Message type of DATA_CHANNEL_OPEN (RFC 8832 §8.2.1).
pub const DATA_CHANNEL_OPEN: u8 = 0x03;
/// Message type of DATA_CHANNEL_ACK (RFC 8832 §8.2.1).
pub const DATA_CHANNEL_ACK: u8 = 0x02;

/// The fixed part of DATA_CHANNEL_OPEN (RFC 8832 §5.1): type, channel type, priority,
/// reliability parameter, label length, protocol length.
pub const OPEN_HEADER_LEN: usize = 12;

/// SCTP payload protocol identifiers of data channels (RFC 8831 §8, RFC 8832 §8.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ppid(pub u32);

impl Ppid {
    /// WebRTC DCEP (RFC 8832 §8.1).
    pub const DCEP: Self = Self(50);
    /// WebRTC String (RFC 8831 §8).
    pub const STRING: Self = Self(51);
    /// WebRTC Binary Partial (deprecated, RFC 8831 §8).
    pub const BINARY_PARTIAL: Self = Self(52);
    /// WebRTC Binary (RFC 8831 §8).
    pub const BINARY: Self = Self(53);
    /// WebRTC String Partial (deprecated, RFC 8831 §8).
    pub const STRING_PARTIAL: Self = Self(54);
    /// WebRTC String Empty: an empty string message, sent as one byte (RFC 8831 §6.6).
    pub const STRING_EMPTY: Self = Self(56);
    /// WebRTC Binary Empty: an empty binary message, sent as one byte (RFC 8831 §6.6).
    pub const BINARY_EMPTY: Self = Self(57);
}

/// How a channel delivers (RFC 8832 §5.1, the Channel Type field): ordered or not, and
/// reliable, limited by retransmissions, or limited by lifetime.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reliability {
    /// Every message arrives (DATA_CHANNEL_RELIABLE).
    Reliable,
    /// A message is retransmitted at most this many times (DATA_CHANNEL_PARTIAL_RELIABLE_REXMIT).
    MaxRetransmits(u32),
    /// A message is retransmitted for at most this many milliseconds
    /// (DATA_CHANNEL_PARTIAL_RELIABLE_TIMED).
    MaxLifetimeMs(u32),
}

/// The channel type byte and reliability parameter of DATA_CHANNEL_OPEN (RFC 8832 §5.1,
/// §8.2.2): bit 7 is "unordered", the low bits the reliability kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChannelType {
    /// Messages may be delivered out of order.
    pub unordered: bool,
    /// Delivery guarantee.
    pub reliability: Reliability,
}

impl ChannelType {
    /// Reads the channel type byte and the reliability parameter.
    ///
    /// # Errors
    /// [`ParseErrorKind::UnknownChannelType`] for a channel type RFC 8832 §8.2.2 does not
    /// define.
    pub fn from_wire(channel_type: u8, parameter: u32) -> Result<Self, ParseErrorKind> {
        let reliability = match channel_type & 0x7f {
            0x00 => Reliability::Reliable,
            0x01 => Reliability::MaxRetransmits(parameter),
            0x02 => Reliability::MaxLifetimeMs(parameter),
            _ => return Err(ParseErrorKind::UnknownChannelType(channel_type)),
        };
        Ok(Self {
            unordered: channel_type & 0x80 != 0,
            reliability,
        })
    }

    /// The channel type byte and reliability parameter (0 for reliable channels, RFC 8832
    /// §5.1).
    pub const fn to_wire(self) -> (u8, u32) {
        let (kind, parameter) = match self.reliability {
            Reliability::Reliable => (0x00, 0),
            Reliability::MaxRetransmits(n) => (0x01, n),
            Reliability::MaxLifetimeMs(ms) => (0x02, ms),
        };
        (kind | if self.unordered { 0x80 } else { 0 }, parameter)
    }
}

/// A DATA_CHANNEL_OPEN message (RFC 8832 §5.1), borrowing label and protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OpenRepr<'a> {
    /// Ordering and reliability.
    pub channel_type: ChannelType,
    /// Priority (RFC 8831 §6.4: 128 below normal, 256 normal, 512 high, 1024 extra high).
    pub priority: u16,
    /// The channel's label (UTF-8, may be empty).
    pub label: &'a str,
    /// The subprotocol (UTF-8, may be empty; an IANA WebSocket subprotocol name).
    pub protocol: &'a str,
}

impl<'a> OpenRepr<'a> {
    /// Bytes [`OpenRepr::emit`] writes.
    pub const fn buffer_len(&self) -> usize {
        OPEN_HEADER_LEN + self.label.len() + self.protocol.len()
    }

    /// Appends the message to `out`.
    ///
    /// # Errors
    /// [`ParseErrorKind::TooLong`] when the label or the protocol is over 65,535 bytes (their
    /// length fields are 16 bits); nothing is written then.
    pub fn emit(&self, out: &mut Vec<u8>) -> Result<(), ParseErrorKind> {
        let (Ok(label_len), Ok(protocol_len)) = (
            u16::try_from(self.label.len()),
            u16::try_from(self.protocol.len()),
        ) else {
            return Err(ParseErrorKind::TooLong);
        };
        let (channel_type, parameter) = self.channel_type.to_wire();
        out.reserve(self.buffer_len());
        out.push(DATA_CHANNEL_OPEN);
        out.push(channel_type);
        out.extend_from_slice(&self.priority.to_be_bytes());
        out.extend_from_slice(&parameter.to_be_bytes());
        out.extend_from_slice(&label_len.to_be_bytes());
        out.extend_from_slice(&protocol_len.to_be_bytes());
        out.extend_from_slice(self.label.as_bytes());
        out.extend_from_slice(self.protocol.as_bytes());
        Ok(())
    }

    fn parse(bytes: &'a [u8]) -> Result<Self, ParseError> {
        let header = bytes.get(..OPEN_HEADER_LEN).ok_or(ParseError {
            kind: ParseErrorKind::Truncated,
            offset: bytes.len(),
        })?;
        let parameter = u32::from_be_bytes([header[4], header[5], header[6], header[7]]);
        let channel_type = ChannelType::from_wire(header[1], parameter)
            .map_err(|kind| ParseError { kind, offset: 1 })?;
        let priority = u16::from_be_bytes([header[2], header[3]]);
        let label_len = usize::from(u16::from_be_bytes([header[8], header[9]]));
        let protocol_len = usize::from(u16::from_be_bytes([header[10], header[11]]));
        let label_end = OPEN_HEADER_LEN + label_len;
        let end = label_end + protocol_len;
        if bytes.len() < end {
            return Err(ParseError {
                kind: ParseErrorKind::Truncated,
                offset: bytes.len(),
            });
        }
        if bytes.len() > end {
            return Err(ParseError {
                kind: ParseErrorKind::TrailingBytes,
                offset: end,
            });
        }
        let text = |range: std::ops::Range<usize>| {
            std::str::from_utf8(&bytes[range.clone()]).map_err(|e| ParseError {
                kind: ParseErrorKind::NotUtf8,
                offset: range.start + e.valid_up_to(),
            })
        };
        Ok(Self {
            channel_type,
            priority,
            label: text(OPEN_HEADER_LEN..label_end)?,
            protocol: text(label_end..end)?,
        })
    }
}

/// A DCEP message (RFC 8832 §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Message<'a> {
    /// DATA_CHANNEL_OPEN.
    Open(OpenRepr<'a>),
    /// DATA_CHANNEL_ACK (RFC 8832 §5.2): the message type alone.
    Ack,
}

impl<'a> Message<'a> {
    /// Reads a DCEP message (the whole SCTP user message of PPID 50).
    ///
    /// # Errors
    /// [`ParseErrorKind::Truncated`], [`ParseErrorKind::TrailingBytes`] (an ACK longer than
    /// one byte, an OPEN longer than its lengths say), [`ParseErrorKind::UnknownMessageType`],
    /// [`ParseErrorKind::UnknownChannelType`], [`ParseErrorKind::NotUtf8`].
    pub fn parse(bytes: &'a [u8]) -> Result<Self, ParseError> {
        match bytes.first() {
            None => Err(ParseError {
                kind: ParseErrorKind::Truncated,
                offset: 0,
            }),
            Some(&DATA_CHANNEL_OPEN) => OpenRepr::parse(bytes).map(Self::Open),
            Some(&DATA_CHANNEL_ACK) if bytes.len() == 1 => Ok(Self::Ack),
            Some(&DATA_CHANNEL_ACK) => Err(ParseError {
                kind: ParseErrorKind::TrailingBytes,
                offset: 1,
            }),
            Some(&other) => Err(ParseError {
                kind: ParseErrorKind::UnknownMessageType(other),
                offset: 0,
            }),
        }
    }

    /// Bytes [`Message::emit`] writes.
    pub const fn buffer_len(&self) -> usize {
        match self {
            Self::Open(open) => open.buffer_len(),
            Self::Ack => 1,
        }
    }

    /// Appends the message to `out`.
    ///
    /// # Errors
    /// As [`OpenRepr::emit`].
    pub fn emit(&self, out: &mut Vec<u8>) -> Result<(), ParseErrorKind> {
        match self {
            Self::Open(open) => open.emit(out),
            Self::Ack => {
                out.push(DATA_CHANNEL_ACK);
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A DATA_CHANNEL_OPEN as Chrome sends it for `createDataChannel("chat")`: reliable,
    /// ordered, priority 256, label "chat", no protocol.
    const CHROME_OPEN: [u8; 16] = [
        0x03, 0x00, 0x01, 0x00, 0, 0, 0, 0, 0x00, 0x04, 0x00, 0x00, b'c', b'h', b'a', b't',
    ];

    #[test]
    fn deconstruct_a_chrome_open() {
        let Message::Open(open) = Message::parse(&CHROME_OPEN).unwrap() else {
            panic!("not an open");
        };
        assert_eq!(
            open,
            OpenRepr {
                channel_type: ChannelType {
                    unordered: false,
                    reliability: Reliability::Reliable
                },
                priority: 256,
                label: "chat",
                protocol: "",
            }
        );
    }

    #[test]
    fn construct_emits_the_same_bytes() {
        let Message::Open(open) = Message::parse(&CHROME_OPEN).unwrap() else {
            panic!("not an open");
        };
        let mut out = Vec::new();
        Message::Open(open).emit(&mut out).unwrap();
        assert_eq!(out, CHROME_OPEN);
        assert_eq!(open.buffer_len(), CHROME_OPEN.len());
    }

    #[test]
    fn every_channel_type_round_trips() {
        for unordered in [false, true] {
            for reliability in [
                Reliability::Reliable,
                Reliability::MaxRetransmits(0),
                Reliability::MaxRetransmits(7),
                Reliability::MaxLifetimeMs(3000),
            ] {
                let t = ChannelType {
                    unordered,
                    reliability,
                };
                let (byte, parameter) = t.to_wire();
                assert_eq!(ChannelType::from_wire(byte, parameter), Ok(t));
            }
        }
        // RFC 8832 §8.2.2's values.
        assert_eq!(
            ChannelType {
                unordered: true,
                reliability: Reliability::MaxLifetimeMs(1)
            }
            .to_wire()
            .0,
            0x82
        );
        assert_eq!(
            ChannelType::from_wire(0x03, 0),
            Err(ParseErrorKind::UnknownChannelType(0x03))
        );
    }

    /// Found by the `dcep_parse` fuzzer: a reliable channel with a non-zero reliability
    /// parameter. RFC 8832 §5.1: the receiver ignores it; it is sent as 0.
    #[test]
    fn a_reliable_channel_ignores_its_reliability_parameter() {
        let bytes = [0x03, 0x00, 0x00, 0x00, 0x01, 0x03, 0x82, 0x02, 0, 0, 0, 0];
        let message = Message::parse(&bytes).unwrap();
        let Message::Open(open) = message else {
            panic!("not an open");
        };
        assert_eq!(open.channel_type.reliability, Reliability::Reliable);
        let mut out = Vec::new();
        message.emit(&mut out).unwrap();
        assert_eq!(out[4..8], [0, 0, 0, 0]);
        assert_eq!(Message::parse(&out), Ok(message));
    }

    #[test]
    fn ack_is_one_byte() {
        assert_eq!(Message::parse(&[0x02]), Ok(Message::Ack));
        assert_eq!(
            Message::parse(&[0x02, 0]).unwrap_err().kind,
            ParseErrorKind::TrailingBytes
        );
        let mut out = Vec::new();
        Message::Ack.emit(&mut out).unwrap();
        assert_eq!(out, [0x02]);
    }

    #[test]
    fn malformed_opens_are_refused_where_they_break() {
        assert_eq!(
            Message::parse(&CHROME_OPEN[..15]).unwrap_err(),
            ParseError {
                kind: ParseErrorKind::Truncated,
                offset: 15
            }
        );
        assert_eq!(
            Message::parse(&CHROME_OPEN[..5]).unwrap_err().kind,
            ParseErrorKind::Truncated
        );
        let mut long = CHROME_OPEN.to_vec();
        long.push(0);
        assert_eq!(
            Message::parse(&long).unwrap_err(),
            ParseError {
                kind: ParseErrorKind::TrailingBytes,
                offset: 16
            }
        );
        let mut bad_utf8 = CHROME_OPEN;
        bad_utf8[13] = 0xff;
        assert_eq!(
            Message::parse(&bad_utf8).unwrap_err(),
            ParseError {
                kind: ParseErrorKind::NotUtf8,
                offset: 13
            }
        );
        assert_eq!(
            Message::parse(&[0x04]).unwrap_err().kind,
            ParseErrorKind::UnknownMessageType(0x04)
        );
        assert_eq!(
            Message::parse(&[]).unwrap_err().kind,
            ParseErrorKind::Truncated
        );
    }
}
