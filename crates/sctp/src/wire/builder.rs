//! Writing a packet (RFC 9260 §3) into a caller's buffer: the common header, chunks padded to
//! 4 bytes each (§3.2), and the checksum (§6.8, or zero per RFC 9653 §5.2), within an MTU.

use crate::checksum;
use crate::error::EncodeError;
use crate::wire::chunk::ChunkRepr;
use crate::wire::packet::{CommonHeader, HEADER_LEN};

/// The longest chunk, padding included: a 16-bit length (RFC 9260 §3.2) rounded up to 4.
const MAX_CHUNK_LEN: usize = 65536;

/// How [`PacketBuilder::finish`] fills the checksum field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ChecksumMode {
    /// CRC32c (RFC 9260 §6.8).
    #[default]
    Crc32c,
    /// Zero (RFC 9653 §5.2): only toward a peer that announced Zero Checksum Acceptable.
    Zero,
}

/// Builds one SCTP packet at the end of a caller's `Vec<u8>`, reusing its capacity.
///
/// The packet never exceeds the MTU given to [`new`](Self::new): a chunk that would not fit is
/// refused with [`EncodeError::ExceedsMtu`] and nothing of it is written, so the caller can
/// send what is there and put the chunk in the next packet. Dropping the builder without
/// [`finish`](Self::finish) leaves a packet with a zero checksum field.
///
/// ```
/// use sansrtc_sctp::wire::{ChecksumMode, ChunkRepr, CommonHeader, PacketBuilder, ShutdownRepr};
///
/// let mut buf = Vec::with_capacity(1200);
/// let header = CommonHeader { source_port: 5000, destination_port: 5000, verification_tag: 1 };
/// let mut b = PacketBuilder::new(&mut buf, header, 1200)?;
/// b.push(&ChunkRepr::Shutdown(ShutdownRepr { cumulative_tsn_ack: 9 }))?;
/// let len = b.finish(ChecksumMode::Crc32c);
/// assert_eq!(len, 20);
/// # Ok::<(), sansrtc_sctp::EncodeError>(())
/// ```
#[derive(Debug)]
pub struct PacketBuilder<'b> {
    buf: &'b mut Vec<u8>,
    start: usize,
    mtu: usize,
}

impl<'b> PacketBuilder<'b> {
    /// Starts a packet at the end of `buf` (call `buf.clear()` first for a datagram) with the
    /// common header (RFC 9260 §3.1). `mtu` bounds the packet's length.
    ///
    /// # Errors
    /// [`EncodeError::ExceedsMtu`] for an MTU below the 12-byte header; `buf` is unchanged.
    pub fn new(
        buf: &'b mut Vec<u8>,
        header: CommonHeader,
        mtu: usize,
    ) -> Result<Self, EncodeError> {
        if mtu < HEADER_LEN {
            return Err(EncodeError::ExceedsMtu {
                needed: HEADER_LEN,
                mtu,
            });
        }
        let start = buf.len();
        buf.extend_from_slice(&header.source_port.to_be_bytes());
        buf.extend_from_slice(&header.destination_port.to_be_bytes());
        buf.extend_from_slice(&header.verification_tag.to_be_bytes());
        buf.extend_from_slice(&[0; 4]);
        Ok(Self { buf, start, mtu })
    }

    /// Bytes of the packet so far.
    pub fn len(&self) -> usize {
        self.buf.len() - self.start
    }

    /// Whether no chunk has been added.
    pub fn is_empty(&self) -> bool {
        self.len() == HEADER_LEN
    }

    /// Bytes left before the MTU.
    pub fn remaining(&self) -> usize {
        self.mtu.saturating_sub(self.len())
    }

    /// Appends one chunk, padded to a multiple of 4 bytes (RFC 9260 §3.2).
    ///
    /// # Errors
    /// [`EncodeError::ExceedsMtu`] when the chunk does not fit in what remains, or the
    /// chunk's own `emit` error; the packet is then unchanged.
    pub fn push(&mut self, chunk: &ChunkRepr<'_>) -> Result<(), EncodeError> {
        let len = chunk.buffer_len();
        // Refuse an oversized chunk before making room for it (RFC 9260 §3.2: 16-bit length).
        if len > MAX_CHUNK_LEN {
            return Err(EncodeError::TooLong);
        }
        let needed = self.len().saturating_add(len);
        if needed > self.mtu {
            return Err(EncodeError::ExceedsMtu {
                needed,
                mtu: self.mtu,
            });
        }
        let at = self.buf.len();
        let Some(end) = at.checked_add(len) else {
            return Err(EncodeError::TooLong);
        };
        self.buf.resize(end, 0);
        let result = match self.buf.get_mut(at..) {
            Some(out) => chunk.emit(out),
            None => Err(EncodeError::BufferTooShort),
        };
        match result {
            Ok(written) => {
                self.buf.truncate(at + written);
                Ok(())
            }
            Err(e) => {
                self.buf.truncate(at);
                Err(e)
            }
        }
    }

    /// Fills the checksum field and returns the packet's length.
    pub fn finish(self, mode: ChecksumMode) -> usize {
        let len = self.len();
        if let Some(packet) = self.buf.get_mut(self.start..) {
            match mode {
                ChecksumMode::Crc32c => {
                    checksum::write(packet);
                }
                ChecksumMode::Zero => {
                    checksum::write_zero(packet);
                }
            }
        }
        len
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{CookieEchoRepr, Packet};

    const HEADER: CommonHeader = CommonHeader {
        source_port: 1,
        destination_port: 2,
        verification_tag: 3,
    };

    #[test]
    fn a_chunk_past_the_mtu_is_refused_and_nothing_written() {
        let mut buf = vec![0xee];
        let mut b = PacketBuilder::new(&mut buf, HEADER, 32).unwrap();
        let cookie = ChunkRepr::CookieEcho(CookieEchoRepr { cookie: &[7; 16] });
        b.push(&cookie).unwrap();
        assert_eq!(b.len(), 32);
        assert_eq!(b.remaining(), 0);
        assert_eq!(
            b.push(&ChunkRepr::CookieAck),
            Err(EncodeError::ExceedsMtu {
                needed: 36,
                mtu: 32
            })
        );
        assert_eq!(b.finish(ChecksumMode::Crc32c), 32);
        assert_eq!(buf.len(), 33);
        let p = Packet::new_checked(&buf[1..]).unwrap();
        assert!(p.verify_checksum(false).is_ok());
        assert_eq!(p.chunks().count(), 1);
    }

    #[test]
    fn zero_checksum_mode_writes_zero() {
        let mut buf = Vec::new();
        let mut b = PacketBuilder::new(&mut buf, HEADER, 1200).unwrap();
        b.push(&ChunkRepr::CookieAck).unwrap();
        b.finish(ChecksumMode::Zero);
        assert_eq!(buf[8..12], [0; 4]);
        assert!(
            Packet::new_checked(&buf[..])
                .unwrap()
                .verify_checksum(true)
                .is_ok()
        );
    }

    #[test]
    fn an_oversized_chunk_is_refused_before_any_room_is_made() {
        let mut buf = Vec::new();
        let mut b = PacketBuilder::new(&mut buf, HEADER, usize::MAX).unwrap();
        let big = vec![0; 70_000];
        let cookie = ChunkRepr::CookieEcho(CookieEchoRepr { cookie: &big });
        assert_eq!(b.push(&cookie), Err(EncodeError::TooLong));
        assert_eq!(b.len(), 12);
        let max = vec![0; 65_531];
        let cookie = ChunkRepr::CookieEcho(CookieEchoRepr { cookie: &max });
        assert_eq!(b.push(&cookie), Ok(()));
        assert_eq!(b.len(), 12 + 65_536);
    }

    #[test]
    fn mtu_below_the_header_is_refused() {
        let mut buf = Vec::new();
        assert!(PacketBuilder::new(&mut buf, HEADER, 11).is_err());
        assert!(buf.is_empty());
    }
}
