//! A zero-copy view of an RTP packet (RFC 3550 §5.1).

use crate::error::{ParseError, ParseErrorKind};
use crate::rtp::extension::HeaderExtension;

/// Length of the fixed RTP header, before CSRCs (RFC 3550 §5.1).
pub const FIXED_HEADER_LEN: usize = 12;

/// The first two bits of every RTP and RTCP packet (RFC 3550 §5.1).
pub const VERSION: u8 = 2;

/// A checked view of an RTP packet over any byte buffer.
///
/// [`RtpPacket::new_checked`] validates the version, the CSRC count, the header extension
/// length and the padding once; afterwards no accessor panics. With `T: AsMut<[u8]>` the
/// header fields, the payload and extension elements can be rewritten in place (what an SFU
/// does when it forwards a packet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RtpPacket<T> {
    buffer: T,
    /// Header length including CSRCs and the extension block.
    header_len: usize,
    /// Padding bytes at the end, including the count byte itself (0 when P is clear).
    padding_len: usize,
}

/// Where the payload starts in an RTP packet whose payload may still be encrypted (SRTP):
/// the fixed header, CSRCs and the header extension block are checked, padding is not
/// (it lies inside the encrypted part; RFC 3711 §3.1).
///
/// # Errors
/// [`ParseErrorKind::Truncated`] or [`ParseErrorKind::BadVersion`], or
/// [`ParseErrorKind::BadLength`] when the extension length runs past the packet.
pub fn header_len(packet: &[u8]) -> Result<usize, ParseError> {
    if packet.len() < FIXED_HEADER_LEN {
        return Err(ParseError::new(ParseErrorKind::Truncated, packet.len()));
    }
    let first = packet[0];
    if first >> 6 != VERSION {
        return Err(ParseError::new(ParseErrorKind::BadVersion, 0));
    }
    let csrc_count = usize::from(first & 0x0f);
    let mut len = FIXED_HEADER_LEN + 4 * csrc_count;
    if packet.len() < len {
        return Err(ParseError::new(ParseErrorKind::Truncated, packet.len()));
    }
    if first & 0x10 != 0 {
        let Some(ext_header) = packet.get(len..len + 4) else {
            return Err(ParseError::new(ParseErrorKind::Truncated, packet.len()));
        };
        let words = usize::from(u16::from_be_bytes([ext_header[2], ext_header[3]]));
        let end = len + 4 + 4 * words;
        if end > packet.len() {
            return Err(ParseError::new(ParseErrorKind::BadLength, len + 2));
        }
        len = end;
    }
    Ok(len)
}

impl<T: AsRef<[u8]>> RtpPacket<T> {
    /// Checks `buffer` as an RTP packet (RFC 3550 §5.1): version 2, CSRCs and the header
    /// extension inside the buffer, and when P is set a nonzero padding count that fits after
    /// the header. The header extension's elements are checked lazily, by
    /// [`HeaderExtension::elements`].
    ///
    /// # Errors
    /// [`ParseErrorKind::Truncated`], [`ParseErrorKind::BadVersion`],
    /// [`ParseErrorKind::BadLength`] or [`ParseErrorKind::BadPadding`], with the offset.
    pub fn new_checked(buffer: T) -> Result<Self, ParseError> {
        let bytes = buffer.as_ref();
        let header_len = header_len(bytes)?;
        let padding_len = if bytes[0] & 0x20 != 0 {
            let count = usize::from(bytes[bytes.len() - 1]);
            if count == 0 || header_len + count > bytes.len() {
                return Err(ParseError::new(ParseErrorKind::BadPadding, bytes.len() - 1));
            }
            count
        } else {
            0
        };
        Ok(Self {
            buffer,
            header_len,
            padding_len,
        })
    }

    /// The underlying buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// The whole packet as bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.buffer.as_ref()
    }

    fn byte(&self, index: usize) -> u8 {
        self.buffer.as_ref()[index]
    }

    fn u16_at(&self, index: usize) -> u16 {
        let b = self.buffer.as_ref();
        u16::from_be_bytes([b[index], b[index + 1]])
    }

    fn u32_at(&self, index: usize) -> u32 {
        let b = self.buffer.as_ref();
        u32::from_be_bytes([b[index], b[index + 1], b[index + 2], b[index + 3]])
    }

    /// The version field; always 2 for a checked packet.
    pub fn version(&self) -> u8 {
        self.byte(0) >> 6
    }

    /// Whether the P (padding) bit is set.
    pub fn has_padding(&self) -> bool {
        self.byte(0) & 0x20 != 0
    }

    /// Whether the X (extension) bit is set.
    pub fn has_extension(&self) -> bool {
        self.byte(0) & 0x10 != 0
    }

    /// The CSRC count (CC), 0..=15.
    pub fn csrc_count(&self) -> u8 {
        self.byte(0) & 0x0f
    }

    /// The marker bit (M): for video, the last packet of a frame.
    pub fn marker(&self) -> bool {
        self.byte(1) & 0x80 != 0
    }

    /// The payload type (PT), 0..=127.
    pub fn payload_type(&self) -> u8 {
        self.byte(1) & 0x7f
    }

    /// The sequence number.
    pub fn sequence_number(&self) -> u16 {
        self.u16_at(2)
    }

    /// The RTP timestamp.
    pub fn timestamp(&self) -> u32 {
        self.u32_at(4)
    }

    /// The synchronization source (SSRC).
    pub fn ssrc(&self) -> u32 {
        self.u32_at(8)
    }

    /// The contributing sources, in order.
    pub fn csrcs(&self) -> impl ExactSizeIterator<Item = u32> + '_ {
        let count = usize::from(self.csrc_count());
        self.buffer.as_ref()[FIXED_HEADER_LEN..FIXED_HEADER_LEN + 4 * count]
            .chunks_exact(4)
            .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
    }

    /// The header extension block, when X is set.
    pub fn extension(&self) -> Option<HeaderExtension<'_>> {
        if !self.has_extension() {
            return None;
        }
        let start = FIXED_HEADER_LEN + 4 * usize::from(self.csrc_count());
        let bytes = self.buffer.as_ref();
        let profile = u16::from_be_bytes([bytes[start], bytes[start + 1]]);
        Some(HeaderExtension::new(
            profile,
            &bytes[start + 4..self.header_len],
            start + 4,
        ))
    }

    /// The data of the RFC 8285 header extension element with local identifier `id`, if the
    /// packet has one-byte or two-byte extensions and one of them has this id. Malformed
    /// extension blocks yield `None`; use [`extension`](Self::extension) to see the error.
    pub fn extension_data(&self, id: u8) -> Option<&[u8]> {
        self.extension()?.find(id)
    }

    /// Length of the header: fixed part, CSRCs and the extension block.
    pub fn header_len(&self) -> usize {
        self.header_len
    }

    /// Bytes of padding at the end, including the count byte (0 without padding).
    pub fn padding_len(&self) -> usize {
        self.padding_len
    }

    /// The payload: after the header, before any padding.
    pub fn payload(&self) -> &[u8] {
        let bytes = self.buffer.as_ref();
        &bytes[self.header_len..bytes.len() - self.padding_len]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> RtpPacket<T> {
    /// Sets or clears the marker bit.
    pub fn set_marker(&mut self, marker: bool) {
        let b = &mut self.buffer.as_mut()[1];
        *b = (*b & 0x7f) | if marker { 0x80 } else { 0 };
    }

    /// Sets the payload type; only the low 7 bits are used.
    pub fn set_payload_type(&mut self, payload_type: u8) {
        let b = &mut self.buffer.as_mut()[1];
        *b = (*b & 0x80) | (payload_type & 0x7f);
    }

    /// Sets the sequence number.
    pub fn set_sequence_number(&mut self, sequence_number: u16) {
        self.buffer.as_mut()[2..4].copy_from_slice(&sequence_number.to_be_bytes());
    }

    /// Sets the RTP timestamp.
    pub fn set_timestamp(&mut self, timestamp: u32) {
        self.buffer.as_mut()[4..8].copy_from_slice(&timestamp.to_be_bytes());
    }

    /// Sets the SSRC.
    pub fn set_ssrc(&mut self, ssrc: u32) {
        self.buffer.as_mut()[8..12].copy_from_slice(&ssrc.to_be_bytes());
    }

    /// The payload, writable in place.
    pub fn payload_mut(&mut self) -> &mut [u8] {
        let (start, padding) = (self.header_len, self.padding_len);
        let bytes = self.buffer.as_mut();
        let end = bytes.len() - padding;
        &mut bytes[start..end]
    }

    /// The data of the header extension element `id`, writable in place (to rewrite a
    /// transport-wide sequence number or abs-send-time when forwarding). `None` when the
    /// packet has no such element or its extension block is malformed.
    pub fn extension_data_mut(&mut self, id: u8) -> Option<&mut [u8]> {
        let ext = self.extension()?;
        let base = ext.offset();
        let (start, len) = ext.locate(id)?;
        let from = base + start;
        Some(&mut self.buffer.as_mut()[from..from + len])
    }
}
