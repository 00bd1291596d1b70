//! TURN ChannelData framing (RFC 8656 §12.4, §12.5).

use crate::error::{ParseError, ParseErrorKind};

/// Length of the ChannelData header (channel number and length).
pub const CHANNEL_DATA_HEADER_LEN: usize = 4;

/// A TURN channel number, 0x4000–0x4FFF (RFC 8656 §12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChannelNumber(u16);

impl ChannelNumber {
    /// The lowest channel number.
    pub const MIN: Self = Self(0x4000);
    /// The highest channel number.
    pub const MAX: Self = Self(0x4fff);

    /// A channel number, if `n` is in 0x4000–0x4FFF.
    pub const fn new(n: u16) -> Option<Self> {
        if n >= Self::MIN.0 && n <= Self::MAX.0 {
            Some(Self(n))
        } else {
            None
        }
    }

    /// The number.
    pub const fn value(self) -> u16 {
        self.0
    }
}

const fn padded(len: usize) -> usize {
    (len + 3) & !3
}

/// A ChannelData message: application data relayed on a bound channel (RFC 8656 §12.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChannelData<'a> {
    /// The channel.
    pub channel: ChannelNumber,
    /// The application data, without padding.
    pub data: &'a [u8],
}

impl<'a> ChannelData<'a> {
    fn header(bytes: &[u8]) -> Result<(ChannelNumber, usize), ParseError> {
        if bytes.len() < CHANNEL_DATA_HEADER_LEN {
            return Err(ParseError::new(ParseErrorKind::Truncated, bytes.len()));
        }
        let n = u16::from_be_bytes([bytes[0], bytes[1]]);
        let channel =
            ChannelNumber::new(n).ok_or(ParseError::new(ParseErrorKind::BadChannelNumber, 0))?;
        Ok((
            channel,
            usize::from(u16::from_be_bytes([bytes[2], bytes[3]])),
        ))
    }

    /// Parses a ChannelData message that is a whole UDP datagram. Up to 3 bytes of padding
    /// after the data are accepted and ignored (RFC 8656 §12.5: padding is optional over UDP).
    ///
    /// # Errors
    ///
    /// [`ParseErrorKind::Truncated`] if the datagram is shorter than the length claims (the RFC
    /// says to discard it), [`ParseErrorKind::BadChannelNumber`], or
    /// [`ParseErrorKind::BadMessageLength`] for more trailing bytes than padding.
    pub fn parse(datagram: &'a [u8]) -> Result<Self, ParseError> {
        let (channel, len) = Self::header(datagram)?;
        let end = CHANNEL_DATA_HEADER_LEN + len;
        if datagram.len() < end {
            return Err(ParseError::new(ParseErrorKind::Truncated, datagram.len()));
        }
        if datagram.len() > CHANNEL_DATA_HEADER_LEN + padded(len) {
            return Err(ParseError::new(ParseErrorKind::BadMessageLength, 2));
        }
        Ok(Self {
            channel,
            data: &datagram[CHANNEL_DATA_HEADER_LEN..end],
        })
    }

    /// Parses a ChannelData message at the start of a stream buffer, where padding to 4 bytes
    /// is mandatory (RFC 8656 §12.5); returns it and the bytes it occupies, padding included.
    ///
    /// # Errors
    ///
    /// [`ParseErrorKind::Truncated`] when more bytes are needed, or
    /// [`ParseErrorKind::BadChannelNumber`].
    pub fn parse_prefix(bytes: &'a [u8]) -> Result<(Self, usize), ParseError> {
        let (channel, len) = Self::header(bytes)?;
        let total = CHANNEL_DATA_HEADER_LEN + padded(len);
        if bytes.len() < total {
            return Err(ParseError::new(ParseErrorKind::Truncated, bytes.len()));
        }
        Ok((
            Self {
                channel,
                data: &bytes[CHANNEL_DATA_HEADER_LEN..CHANNEL_DATA_HEADER_LEN + len],
            },
            total,
        ))
    }
}

/// Appends a ChannelData message for `data` to `out`; with `pad` (TCP and TLS), zero-pads it
/// to a multiple of 4 bytes. Returns the bytes written.
///
/// # Errors
///
/// [`EncodeError::ValueTooLong`](crate::EncodeError::ValueTooLong) when `data` exceeds 65535 bytes.
pub fn write_channel_data(
    out: &mut Vec<u8>,
    channel: ChannelNumber,
    data: &[u8],
    pad: bool,
) -> Result<usize, crate::EncodeError> {
    let len = u16::try_from(data.len()).map_err(|_| crate::EncodeError::ValueTooLong)?;
    let before = out.len();
    out.extend_from_slice(&channel.0.to_be_bytes());
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(data);
    if pad {
        out.resize(out.len() + padded(data.len()) - data.len(), 0);
    }
    Ok(out.len() - before)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_number_range() {
        assert_eq!(ChannelNumber::new(0x3fff), None);
        assert_eq!(ChannelNumber::new(0x4000), Some(ChannelNumber::MIN));
        assert_eq!(ChannelNumber::new(0x4fff), Some(ChannelNumber::MAX));
        assert_eq!(ChannelNumber::new(0x5000), None);
    }

    #[test]
    fn udp_padding_is_optional_and_tcp_padding_is_required() {
        let mut out = Vec::new();
        write_channel_data(&mut out, ChannelNumber::MIN, b"abcde", false).unwrap();
        assert_eq!(out.len(), 9);
        assert_eq!(ChannelData::parse(&out).unwrap().data, b"abcde");
        out.clear();
        write_channel_data(&mut out, ChannelNumber::MIN, b"abcde", true).unwrap();
        assert_eq!(out.len(), 12);
        assert_eq!(ChannelData::parse(&out).unwrap().data, b"abcde");
        let (frame, used) = ChannelData::parse_prefix(&out).unwrap();
        assert_eq!((frame.data, used), (&b"abcde"[..], 12));
        assert_eq!(
            ChannelData::parse_prefix(&out[..9]).unwrap_err().kind,
            ParseErrorKind::Truncated
        );
    }

    #[test]
    fn short_or_overlong_datagrams_are_rejected() {
        let frame = [0x40, 0x00, 0x00, 0x05, 1, 2, 3];
        assert_eq!(
            ChannelData::parse(&frame).unwrap_err().kind,
            ParseErrorKind::Truncated
        );
        let frame = [0x40, 0x00, 0x00, 0x01, 1, 0, 0, 0, 0];
        assert_eq!(
            ChannelData::parse(&frame).unwrap_err().kind,
            ParseErrorKind::BadMessageLength
        );
        let frame = [0x50, 0x00, 0x00, 0x00];
        assert_eq!(
            ChannelData::parse(&frame).unwrap_err().kind,
            ParseErrorKind::BadChannelNumber
        );
    }
}
