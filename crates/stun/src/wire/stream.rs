//! Splitting a TCP or TLS byte stream into STUN messages and ChannelData frames
//! (RFC 8656 §12.5: STUN messages are self-delimiting, ChannelData is padded to 4 bytes).

use super::channel_data::{CHANNEL_DATA_HEADER_LEN, ChannelData};
use super::header::HEADER_LEN;
use super::message::Message;
use crate::error::{ParseError, ParseErrorKind};

/// Most bytes a decoder holds unconsumed: two of the largest frames.
pub const MAX_BUFFERED: usize = 2 * (HEADER_LEN + 65_535 + 3);

/// One frame from a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frame<'a> {
    /// A STUN message.
    Stun(Message<'a>),
    /// A ChannelData message.
    ChannelData(ChannelData<'a>),
}

/// A buffering decoder for a STUN/TURN byte stream.
///
/// [`push`](Self::push) what the socket (or TLS layer) delivered, then call
/// [`next_frame`](Self::next_frame) until it returns `None`. A frame whose bytes are malformed
/// but whose length is known is reported as an error and skipped; a first byte that is neither
/// STUN (0–3 in the top bits) nor ChannelData (0x40–0x4F) means the stream has lost framing:
/// that error is returned once, then the decoder yields nothing more and
/// [`is_failed`](Self::is_failed) is true (close the connection).
#[derive(Debug, Clone, Default)]
pub struct StreamDecoder {
    buf: Vec<u8>,
    start: usize,
    failed: bool,
}

const fn padded(len: usize) -> usize {
    (len + 3) & !3
}

impl StreamDecoder {
    /// An empty decoder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether the stream lost framing (see the type's docs).
    pub const fn is_failed(&self) -> bool {
        self.failed
    }

    /// Bytes buffered and not yet returned as frames.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.start
    }

    /// Appends stream bytes.
    ///
    /// # Errors
    ///
    /// [`ParseErrorKind::TooLong`] if more than [`MAX_BUFFERED`] bytes would wait unconsumed
    /// (drain frames between pushes); nothing is appended then.
    pub fn push(&mut self, bytes: &[u8]) -> Result<(), ParseError> {
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        if self.buf.len() + bytes.len() > MAX_BUFFERED {
            return Err(ParseError::new(ParseErrorKind::TooLong, self.buf.len()));
        }
        self.buf.extend_from_slice(bytes);
        Ok(())
    }

    /// Length of the frame at the start of the unconsumed bytes, if its header is complete.
    fn frame_len(&self, avail: &[u8]) -> Result<Option<usize>, ParseError> {
        let Some(&first) = avail.first() else {
            return Ok(None);
        };
        let header = |n: usize| avail.get(..n);
        match first {
            0x00..=0x3f => {
                Ok(header(4).map(|h| HEADER_LEN + usize::from(u16::from_be_bytes([h[2], h[3]]))))
            }
            0x40..=0x4f => Ok(header(CHANNEL_DATA_HEADER_LEN).map(|h| {
                CHANNEL_DATA_HEADER_LEN + padded(usize::from(u16::from_be_bytes([h[2], h[3]])))
            })),
            _ => Err(ParseError::new(ParseErrorKind::NotStun, 0)),
        }
    }

    /// The next complete frame, `Some(Err(_))` for a malformed one, or `None` when more bytes
    /// are needed.
    pub fn next_frame(&mut self) -> Option<Result<Frame<'_>, ParseError>> {
        if self.failed {
            return None;
        }
        let start = self.start;
        let avail = &self.buf[start..];
        let total = match self.frame_len(avail) {
            Ok(Some(total)) if avail.len() >= total => total,
            Ok(_) => return None,
            Err(err) => {
                self.failed = true;
                return Some(Err(err));
            }
        };
        self.start += total;
        let bytes = &self.buf[start..start + total];
        Some(if bytes[0] & 0xc0 == 0 {
            Message::parse(bytes).map(Frame::Stun)
        } else {
            ChannelData::parse_prefix(bytes).map(|(frame, _)| Frame::ChannelData(frame))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{
        ChannelNumber, Class, MessageBuilder, Method, TransactionId, write_channel_data,
    };

    fn stream() -> Vec<u8> {
        let mut out = Vec::new();
        MessageBuilder::new(
            &mut out,
            Class::Request,
            Method::BINDING,
            TransactionId([1; 12]),
        )
        .finish();
        write_channel_data(&mut out, ChannelNumber::MIN, b"hello", true).unwrap();
        MessageBuilder::new(
            &mut out,
            Class::Indication,
            Method::SEND,
            TransactionId([2; 12]),
        )
        .finish();
        out
    }

    fn kinds(decoder: &mut StreamDecoder) -> Vec<String> {
        let mut kinds = Vec::new();
        while let Some(frame) = decoder.next_frame() {
            kinds.push(match frame {
                Ok(Frame::Stun(m)) => format!("stun {:?}", m.method()),
                Ok(Frame::ChannelData(c)) => format!("data {}", String::from_utf8_lossy(c.data)),
                Err(e) => format!("error {:?}", e.kind),
            });
        }
        kinds
    }

    #[test]
    fn frames_split_across_any_chunking() {
        let bytes = stream();
        for chunk in 1..=bytes.len() {
            let mut decoder = StreamDecoder::new();
            let mut seen = Vec::new();
            for piece in bytes.chunks(chunk) {
                decoder.push(piece).unwrap();
                seen.extend(kinds(&mut decoder));
            }
            assert_eq!(
                seen,
                ["stun Method(1)", "data hello", "stun Method(6)"],
                "chunk size {chunk}"
            );
            assert_eq!(decoder.buffered(), 0);
        }
    }

    #[test]
    fn garbage_first_byte_fails_the_stream_for_good() {
        let mut decoder = StreamDecoder::new();
        decoder.push(&[0x80, 0, 0, 0]).unwrap();
        assert_eq!(
            kinds(&mut decoder),
            ["error NotStun"],
            "the error is reported once"
        );
        assert!(decoder.is_failed());
        decoder.push(&stream()).unwrap();
        assert!(
            decoder.next_frame().is_none(),
            "nothing after losing framing"
        );
    }

    #[test]
    fn malformed_message_with_known_length_is_skipped() {
        let mut bytes = vec![0x00, 0x01, 0x00, 0x04, 0x21, 0x12, 0xa4, 0x42];
        bytes.extend_from_slice(&[0; 12]);
        bytes.extend_from_slice(&[0x00, 0x06, 0x00, 0x09]); // attribute overruns the message
        bytes.extend(stream());
        let mut decoder = StreamDecoder::new();
        decoder.push(&bytes).unwrap();
        let seen = kinds(&mut decoder);
        assert_eq!(seen[0], "error AttributeOverrun");
        assert_eq!(
            &seen[1..],
            ["stun Method(1)", "data hello", "stun Method(6)"]
        );
    }

    #[test]
    fn buffer_is_bounded() {
        let mut decoder = StreamDecoder::new();
        decoder.push(&[0x00, 0x01, 0xff, 0xfc]).unwrap();
        let big = vec![0u8; MAX_BUFFERED];
        assert_eq!(
            decoder.push(&big).unwrap_err().kind,
            ParseErrorKind::TooLong
        );
    }
}
