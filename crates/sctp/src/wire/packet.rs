//! The SCTP common header (RFC 9260 §3.1) and lazy chunk framing (RFC 9260 §3.2).
//!
//! [`Packet::new_checked`] checks that the 12-byte common header is there; [`Packet::chunks`]
//! then frames one chunk at a time, checking its length field once: at least 4, within the
//! packet, and followed by its padding to a multiple of 4 bytes. The padding bytes themselves
//! are ignored, as RFC 9260 §3.2 asks of receivers. The last chunk of a packet may lack its
//! padding entirely (the packet ends where the chunk does): RFC 9260 requires senders to pad,
//! and every stack we know does, but nothing is lost by accepting the unpadded form. A partial
//! padding (one or two bytes of three) is refused as [`BadPadding`](ParseErrorKind::BadPadding).

use crate::checksum;
use crate::error::{ChecksumError, ParseError, ParseErrorKind};
use crate::wire::bytes::{err, padded, tail, u8_at, u16_at, u32_at};

/// Byte ranges of the common header fields (RFC 9260 §3.1).
pub mod field {
    use core::ops::Range;

    /// Source Port Number.
    pub const SOURCE_PORT: Range<usize> = 0..2;
    /// Destination Port Number.
    pub const DESTINATION_PORT: Range<usize> = 2..4;
    /// Verification Tag.
    pub const VERIFICATION_TAG: Range<usize> = 4..8;
    /// Checksum (CRC32c, little-endian; RFC 9260 Appendix A).
    pub const CHECKSUM: Range<usize> = 8..12;
}

/// Length of the common header (RFC 9260 §3.1).
pub const HEADER_LEN: usize = 12;

/// Length of a chunk header: type, flags, length (RFC 9260 §3.2).
pub const CHUNK_HEADER_LEN: usize = 4;

/// The fields of the common header a sender chooses (RFC 9260 §3.1); the checksum is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct CommonHeader {
    /// Source Port Number (RFC 9260 §3.1).
    pub source_port: u16,
    /// Destination Port Number (RFC 9260 §3.1).
    pub destination_port: u16,
    /// Verification Tag (RFC 9260 §3.1, §8.5).
    pub verification_tag: u32,
}

/// A view of one SCTP packet: the common header and the chunks after it (RFC 9260 §3).
///
/// After [`new_checked`](Self::new_checked) succeeds no accessor panics; it is required on
/// untrusted input. Chunks are framed lazily by [`chunks`](Packet::chunks).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Wraps a buffer without checking it. Accessors then read zeros outside the buffer rather
    /// than panic, but use [`new_checked`](Self::new_checked) on untrusted input.
    pub const fn new_unchecked(buffer: T) -> Self {
        Self { buffer }
    }

    /// Wraps a buffer that holds at least the common header.
    ///
    /// # Errors
    /// [`ParseErrorKind::Truncated`] at offset 0 for fewer than 12 bytes.
    pub fn new_checked(buffer: T) -> Result<Self, ParseError> {
        let packet = Self::new_unchecked(buffer);
        packet.check_len()?;
        Ok(packet)
    }

    /// Checks the buffer holds the common header (RFC 9260 §3.1).
    ///
    /// # Errors
    /// [`ParseErrorKind::Truncated`] at offset 0.
    pub fn check_len(&self) -> Result<(), ParseError> {
        if self.buffer.as_ref().len() < HEADER_LEN {
            Err(err(ParseErrorKind::Truncated, 0))
        } else {
            Ok(())
        }
    }

    /// The buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// Source Port Number (RFC 9260 §3.1).
    #[inline]
    pub fn source_port(&self) -> u16 {
        u16_at(self.buffer.as_ref(), field::SOURCE_PORT.start)
    }

    /// Destination Port Number (RFC 9260 §3.1).
    #[inline]
    pub fn destination_port(&self) -> u16 {
        u16_at(self.buffer.as_ref(), field::DESTINATION_PORT.start)
    }

    /// Verification Tag (RFC 9260 §3.1).
    #[inline]
    pub fn verification_tag(&self) -> u32 {
        u32_at(self.buffer.as_ref(), field::VERIFICATION_TAG.start)
    }

    /// The checksum field as a value (read little-endian, RFC 9260 Appendix A).
    #[inline]
    pub fn checksum(&self) -> u32 {
        checksum::stored(self.buffer.as_ref()).unwrap_or(0)
    }

    /// The header fields a sender chooses.
    pub fn header(&self) -> CommonHeader {
        CommonHeader {
            source_port: self.source_port(),
            destination_port: self.destination_port(),
            verification_tag: self.verification_tag(),
        }
    }

    /// Checks the CRC32c (RFC 9260 §6.8); with `accept_zero`, a zero field passes (RFC 9653
    /// §5.3, only when this endpoint announced Zero Checksum Acceptable).
    ///
    /// # Errors
    /// As [`checksum::verify`].
    pub fn verify_checksum(&self, accept_zero: bool) -> Result<(), ChecksumError> {
        checksum::verify(self.buffer.as_ref(), accept_zero)
    }

    /// The bytes after the common header.
    pub fn chunk_bytes(&self) -> &[u8] {
        tail(self.buffer.as_ref(), HEADER_LEN)
    }

    /// The chunks, framed lazily (RFC 9260 §3.2). After the first error the iterator yields it
    /// once and ends. Offsets are from the start of the packet.
    pub fn chunks(&self) -> Chunks<'_> {
        Chunks::new(self.chunk_bytes(), HEADER_LEN)
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> Packet<&'a T> {
    /// The chunks, borrowing the underlying buffer rather than the view.
    pub fn chunks_ref(&self) -> Chunks<'a> {
        Chunks::new(tail(self.buffer.as_ref(), HEADER_LEN), HEADER_LEN)
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    fn put(&mut self, range: core::ops::Range<usize>, bytes: &[u8]) {
        if let Some(dst) = self.buffer.as_mut().get_mut(range) {
            dst.copy_from_slice(bytes);
        }
    }

    /// Sets the Source Port Number (RFC 9260 §3.1).
    pub fn set_source_port(&mut self, value: u16) {
        self.put(field::SOURCE_PORT, &value.to_be_bytes());
    }

    /// Sets the Destination Port Number (RFC 9260 §3.1).
    pub fn set_destination_port(&mut self, value: u16) {
        self.put(field::DESTINATION_PORT, &value.to_be_bytes());
    }

    /// Sets the Verification Tag (RFC 9260 §3.1).
    pub fn set_verification_tag(&mut self, value: u32) {
        self.put(field::VERIFICATION_TAG, &value.to_be_bytes());
    }

    /// Fills the checksum field with the packet's CRC32c (RFC 9260 §6.8); call after every
    /// other change.
    pub fn fill_checksum(&mut self) {
        checksum::write(self.buffer.as_mut());
    }

    /// Sets the checksum field to zero (RFC 9653 §5.2).
    pub fn fill_zero_checksum(&mut self) {
        checksum::write_zero(self.buffer.as_mut());
    }
}

impl<T: AsRef<[u8]>> AsRef<[u8]> for Packet<T> {
    fn as_ref(&self) -> &[u8] {
        self.buffer.as_ref()
    }
}

/// One framed chunk (RFC 9260 §3.2): type, flags and value, borrowing the packet. Type it with
/// [`ChunkRepr::parse`](crate::wire::ChunkRepr::parse).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chunk<'a> {
    chunk_type: u8,
    flags: u8,
    value: &'a [u8],
    offset: usize,
}

impl<'a> Chunk<'a> {
    /// Frames one chunk at the start of `bytes`, which start at `offset` in the packet. Returns
    /// the chunk and the number of bytes it takes with its padding.
    ///
    /// # Errors
    /// As [`Packet::chunks`]: [`Truncated`](ParseErrorKind::Truncated) for fewer than 4 bytes,
    /// [`BadChunkLength`](ParseErrorKind::BadChunkLength) at the length field,
    /// [`BadPadding`](ParseErrorKind::BadPadding) where the padding starts.
    pub fn frame(bytes: &'a [u8], offset: usize) -> Result<(Self, usize), ParseError> {
        if bytes.len() < CHUNK_HEADER_LEN {
            return Err(err(ParseErrorKind::Truncated, offset));
        }
        let length = usize::from(u16_at(bytes, 2));
        let Some(value) = bytes.get(CHUNK_HEADER_LEN..length) else {
            return Err(err(
                ParseErrorKind::BadChunkLength,
                offset.saturating_add(2),
            ));
        };
        let with_padding = padded(length);
        let taken = if with_padding <= bytes.len() {
            with_padding
        } else if length == bytes.len() {
            length
        } else {
            return Err(err(
                ParseErrorKind::BadPadding,
                offset.saturating_add(length),
            ));
        };
        let chunk = Self {
            chunk_type: u8_at(bytes, 0),
            flags: u8_at(bytes, 1),
            value,
            offset,
        };
        Ok((chunk, taken))
    }

    /// A chunk from its parts, as if found at `offset` (for tests and for typing a chunk
    /// carried elsewhere, e.g. inside an error cause).
    pub const fn from_parts(chunk_type: u8, flags: u8, value: &'a [u8], offset: usize) -> Self {
        Self {
            chunk_type,
            flags,
            value,
            offset,
        }
    }

    /// Chunk Type (RFC 9260 §3.2).
    #[inline]
    pub const fn chunk_type(&self) -> u8 {
        self.chunk_type
    }

    /// Chunk Flags (RFC 9260 §3.2).
    #[inline]
    pub const fn flags(&self) -> u8 {
        self.flags
    }

    /// Chunk Length: header and value, without padding (RFC 9260 §3.2).
    #[inline]
    pub const fn length(&self) -> usize {
        self.value.len() + CHUNK_HEADER_LEN
    }

    /// Chunk Value (RFC 9260 §3.2).
    #[inline]
    pub const fn value(&self) -> &'a [u8] {
        self.value
    }

    /// Offset of the chunk's first byte in the packet.
    #[inline]
    pub const fn offset(&self) -> usize {
        self.offset
    }

    /// Offset in the packet of the byte `at` of the value, for errors.
    pub(crate) const fn value_offset(&self, at: usize) -> usize {
        self.offset
            .saturating_add(CHUNK_HEADER_LEN)
            .saturating_add(at)
    }

    /// What RFC 9260 §3.2 asks of a receiver that does not recognize this chunk type, from its
    /// upper two bits.
    pub const fn unrecognized_action(&self) -> UnrecognizedAction {
        UnrecognizedAction::from_type_bits((self.chunk_type >> 6) & 0b11)
    }
}

/// What a receiver does with a chunk type (RFC 9260 §3.2) or parameter type (§3.2.1) it does
/// not recognize, by the type's upper two bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnrecognizedAction {
    /// `00`: stop processing this packet (or chunk, for a parameter) and discard it; report
    /// nothing.
    Stop,
    /// `01`: stop and discard, and report it: in an ERROR or INIT ACK, "Unrecognized Chunk
    /// Type" or "Unrecognized Parameters".
    StopAndReport,
    /// `10`: skip it and continue.
    Skip,
    /// `11`: skip it, continue, and report it.
    SkipAndReport,
}

impl UnrecognizedAction {
    pub(crate) const fn from_type_bits(bits: u8) -> Self {
        match bits {
            0 => Self::Stop,
            1 => Self::StopAndReport,
            2 => Self::Skip,
            _ => Self::SkipAndReport,
        }
    }

    /// Whether processing continues after this item.
    pub const fn skips(self) -> bool {
        matches!(self, Self::Skip | Self::SkipAndReport)
    }

    /// Whether the item is reported to the sender.
    pub const fn reports(self) -> bool {
        matches!(self, Self::StopAndReport | Self::SkipAndReport)
    }
}

/// Lazy iterator over the chunks of a packet (RFC 9260 §3.2). Allocation-free.
#[derive(Debug, Clone)]
pub struct Chunks<'a> {
    bytes: &'a [u8],
    pos: usize,
    base: usize,
    done: bool,
}

impl<'a> Chunks<'a> {
    /// The chunks of `bytes` (the packet after its common header), which start at `base` in the
    /// packet.
    pub const fn new(bytes: &'a [u8], base: usize) -> Self {
        Self {
            bytes,
            pos: 0,
            base,
            done: false,
        }
    }
}

impl<'a> Iterator for Chunks<'a> {
    type Item = Result<Chunk<'a>, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done || self.pos >= self.bytes.len() {
            return None;
        }
        let offset = self.base.saturating_add(self.pos);
        match Chunk::frame(tail(self.bytes, self.pos), offset) {
            Ok((chunk, taken)) => {
                self.pos = self.pos.saturating_add(taken);
                Some(Ok(chunk))
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER_ONLY: [u8; 12] = [0x13, 0x88, 0x13, 0x88, 0, 0, 0, 0, 0x06, 0xa9, 0x00, 0xe1];

    #[test]
    fn deconstruct_header() {
        let p = Packet::new_checked(&HEADER_ONLY[..]).unwrap();
        assert_eq!(p.source_port(), 5000);
        assert_eq!(p.destination_port(), 5000);
        assert_eq!(p.verification_tag(), 0);
        assert_eq!(p.checksum(), 0xe100_a906);
        assert!(p.verify_checksum(false).is_ok());
        assert_eq!(p.chunks().count(), 0);
    }

    #[test]
    fn construct_header() {
        let mut bytes = [0u8; 12];
        let mut p = Packet::new_unchecked(&mut bytes[..]);
        p.set_source_port(5000);
        p.set_destination_port(5000);
        p.set_verification_tag(0);
        p.fill_checksum();
        assert_eq!(bytes, HEADER_ONLY);
    }

    #[test]
    fn short_header_is_truncated() {
        assert_eq!(
            Packet::new_checked(&HEADER_ONLY[..11]),
            Err(err(ParseErrorKind::Truncated, 0))
        );
    }

    #[test]
    fn unpadded_last_chunk_is_accepted_but_partial_padding_is_not() {
        let mut bytes = HEADER_ONLY.to_vec();
        bytes.extend_from_slice(&[0x0a, 0, 0, 5, 0xee]);
        let p = Packet::new_checked(&bytes[..]).unwrap();
        let chunks: Vec<_> = p.chunks().collect();
        assert_eq!(chunks.len(), 1);
        assert_eq!(chunks[0].unwrap().value(), &[0xee]);
        bytes.push(0);
        let p = Packet::new_checked(&bytes[..]).unwrap();
        assert_eq!(
            p.chunks().next(),
            Some(Err(err(ParseErrorKind::BadPadding, 17)))
        );
    }

    #[test]
    fn unrecognized_action_from_upper_bits() {
        let c = |t| Chunk::from_parts(t, 0, &[], 0).unrecognized_action();
        assert_eq!(c(0x3f), UnrecognizedAction::Stop);
        assert_eq!(c(0x40), UnrecognizedAction::StopAndReport);
        assert_eq!(c(0x84), UnrecognizedAction::Skip);
        assert_eq!(c(0xc1), UnrecognizedAction::SkipAndReport);
        assert!(c(0xc1).skips() && c(0xc1).reports() && !c(0x40).skips());
    }
}
