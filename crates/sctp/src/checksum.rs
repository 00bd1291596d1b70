//! The SCTP checksum: CRC32c over the whole packet with the checksum field taken as zero
//! (RFC 9260 §6.8, Appendix A), stored in the common header's checksum field (bytes 8..12) as
//! the little-endian encoding of the CRC value, the byte order RFC 3720 Appendix B.4 prints.
//!
//! A zero checksum (RFC 9653) replaces the CRC when the packet is protected by a lower layer
//! (DTLS in WebRTC) and the peer announced in its INIT or INIT ACK that it accepts it
//! ([`ZeroChecksumAcceptable`](crate::wire::InitParam::ZeroChecksumAcceptable), RFC 9653
//! §5.1). The announcement is one-way: [`write_zero`] is only for a peer that announced it, and
//! [`verify`] accepts a zero field only when the caller says it announced acceptance itself.
//!
//! Under `cfg(fuzzing)` [`verify`] always succeeds, so fuzzers reach the parsers behind it.

use crate::error::ChecksumError;

/// Byte range of the checksum field in the common header (RFC 9260 §3.1).
pub const FIELD: core::ops::Range<usize> = 8..12;

const ZEROS: [u8; 4] = [0; 4];

/// The CRC32c of `packet` with its checksum field (bytes 8..12) taken as zero (RFC 9260 §6.8,
/// Appendix A). Of a slice shorter than the common header, the field bytes present are taken
/// as zero.
pub fn compute(packet: &[u8]) -> u32 {
    let head = packet.get(..FIELD.start).unwrap_or(packet);
    let field_len = packet.len().clamp(FIELD.start, FIELD.end) - FIELD.start;
    let zeros = ZEROS.get(..field_len).unwrap_or(&[]);
    let tail = packet.get(FIELD.end..).unwrap_or(&[]);
    let crc = crc32c::crc32c_append(crc32c::crc32c(head), zeros);
    crc32c::crc32c_append(crc, tail)
}

/// The value in the checksum field, read little-endian (RFC 9260 Appendix A); `None` for a
/// packet shorter than the common header.
pub fn stored(packet: &[u8]) -> Option<u32> {
    match packet.get(FIELD) {
        Some(&[a, b, c, d]) => Some(u32::from_le_bytes([a, b, c, d])),
        _ => None,
    }
}

/// Checks the checksum field of `packet` (RFC 9260 §6.8). With `accept_zero`, a field of zero
/// is accepted without computing anything (RFC 9653 §5.3: only when this endpoint announced the
/// Zero Checksum Acceptable parameter to the peer).
///
/// # Errors
/// [`ChecksumError::Truncated`] for fewer than 12 bytes; [`ChecksumError::Mismatch`] when the
/// CRC32c differs.
pub fn verify(packet: &[u8], accept_zero: bool) -> Result<(), ChecksumError> {
    let received = stored(packet).ok_or(ChecksumError::Truncated)?;
    if accept_zero && received == 0 {
        return Ok(());
    }
    let computed = compute(packet);
    if received == computed || cfg!(fuzzing) {
        Ok(())
    } else {
        Err(ChecksumError::Mismatch { received, computed })
    }
}

/// Fills the checksum field of `packet` with its CRC32c (RFC 9260 §6.8). Returns the value, or
/// `None` (writing nothing) for a packet shorter than the common header.
pub fn write(packet: &mut [u8]) -> Option<u32> {
    let crc = compute(packet);
    let field = packet.get_mut(FIELD)?;
    field.copy_from_slice(&crc.to_le_bytes());
    Some(crc)
}

/// Sets the checksum field of `packet` to zero (RFC 9653 §5.2: only toward a peer that
/// announced the Zero Checksum Acceptable parameter). Returns whether the packet had a field
/// to write.
pub fn write_zero(packet: &mut [u8]) -> bool {
    match packet.get_mut(FIELD) {
        Some(field) => {
            field.fill(0);
            true
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_value_of_crc32c() {
        assert_eq!(crc32c::crc32c(b"123456789"), 0xe306_9283);
    }

    #[test]
    fn field_is_taken_as_zero() {
        let mut packet = [0x13, 0x88, 0x13, 0x88, 0, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef];
        let crc = compute(&packet);
        packet[8..12].fill(0);
        assert_eq!(compute(&packet), crc);
        assert_eq!(crc32c::crc32c(&packet), crc);
        assert_eq!(write(&mut packet), Some(crc));
        assert_eq!(verify(&packet, false), Ok(()));
        assert!(write_zero(&mut packet));
        assert!(verify(&packet, true).is_ok());
    }

    #[test]
    fn short_packets_are_refused() {
        assert_eq!(verify(&[0; 11], true), Err(ChecksumError::Truncated));
        assert_eq!(write(&mut [0; 11]), None);
        assert!(!write_zero(&mut [0; 3]));
        assert_eq!(stored(&[0; 4]), None);
    }
}
