//! Byte readers and the packet writer every RTCP packet type shares (RFC 3550 §6.4.1 header
//! layout). Readers never panic: a read outside the slice gives 0, which checked views never
//! do because they validate every length first.

use crate::error::{BuildError, ParseError, ParseErrorKind};
use crate::rtcp::header::{HEADER_LEN, VERSION};

/// A big-endian `u16` at `at`, or 0 outside `bytes`.
pub(crate) fn u16_at(bytes: &[u8], at: usize) -> u16 {
    match bytes.get(at..at.saturating_add(2)) {
        Some(&[a, b]) => u16::from_be_bytes([a, b]),
        _ => 0,
    }
}

/// A big-endian 24-bit unsigned value at `at`, or 0 outside `bytes`.
pub(crate) fn u24_at(bytes: &[u8], at: usize) -> u32 {
    match bytes.get(at..at.saturating_add(3)) {
        Some(&[a, b, c]) => u32::from_be_bytes([0, a, b, c]),
        _ => 0,
    }
}

/// A big-endian `u32` at `at`, or 0 outside `bytes`.
pub(crate) fn u32_at(bytes: &[u8], at: usize) -> u32 {
    match bytes.get(at..at.saturating_add(4)) {
        Some(&[a, b, c, d]) => u32::from_be_bytes([a, b, c, d]),
        _ => 0,
    }
}

/// A big-endian `u64` at `at`, or 0 outside `bytes`.
pub(crate) fn u64_at(bytes: &[u8], at: usize) -> u64 {
    match bytes.get(at..at.saturating_add(8)) {
        Some(&[a, b, c, d, e, f, g, h]) => u64::from_be_bytes([a, b, c, d, e, f, g, h]),
        _ => 0,
    }
}

/// The byte at `at`, or 0 outside `bytes`.
pub(crate) fn u8_at(bytes: &[u8], at: usize) -> u8 {
    bytes.get(at).copied().unwrap_or(0)
}

/// `bytes[from..to]`, or an empty slice when the range is outside `bytes`.
pub(crate) fn sub(bytes: &[u8], from: usize, to: usize) -> &[u8] {
    bytes.get(from..to).unwrap_or(&[])
}

/// Sign-extends the low 24 bits of `value` (RFC 3550 §6.4.1 cumulative lost,
/// draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1 reference time).
pub(crate) fn sign_extend_24(value: u32) -> i32 {
    // Shift the 24-bit value to the top and back: an arithmetic shift extends the sign.
    i32::from_be_bytes((value << 8).to_be_bytes()) >> 8
}

/// Whether `value` fits a signed 24-bit field.
pub(crate) fn fits_i24(value: i32) -> bool {
    (-(1 << 23)..(1 << 23)).contains(&value)
}

/// The low 24 bits of a signed value, two's complement (caller checked [`fits_i24`]).
pub(crate) fn i24_bits(value: i32) -> u32 {
    u32::from_be_bytes(value.to_be_bytes()) & 0x00ff_ffff
}

/// A list length as a five-bit count field (RFC 3550 §6.4.1 RC, §6.5 SC, §6.6 SC).
pub(crate) fn count5(len: usize) -> Result<u8, BuildError> {
    match u8::try_from(len) {
        Ok(count) if count <= 31 => Ok(count),
        _ => Err(BuildError::TooLarge),
    }
}

/// A parse error of `kind` at `offset`.
pub(crate) fn err(kind: ParseErrorKind, offset: usize) -> ParseError {
    ParseError::new(kind, offset)
}

/// A bounds-checked big-endian writer over a caller's buffer. Writing past the end sets a flag
/// instead of panicking; [`emit_packet`] turns it into [`BuildError::TooLarge`].
#[derive(Debug)]
pub(crate) struct Writer<'a> {
    buf: &'a mut [u8],
    pos: usize,
    overflow: bool,
}

impl<'a> Writer<'a> {
    pub(crate) fn new(buf: &'a mut [u8]) -> Self {
        Self {
            buf,
            pos: 0,
            overflow: false,
        }
    }

    /// Bytes written so far (including any that did not fit).
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn bytes(&mut self, data: &[u8]) {
        let end = self.pos.saturating_add(data.len());
        match self.buf.get_mut(self.pos..end) {
            Some(dst) => dst.copy_from_slice(data),
            None => self.overflow = true,
        }
        self.pos = end;
    }

    pub(crate) fn u8(&mut self, value: u8) {
        self.bytes(&[value]);
    }

    pub(crate) fn u16(&mut self, value: u16) {
        self.bytes(&value.to_be_bytes());
    }

    /// The low 24 bits of `value`.
    pub(crate) fn u24(&mut self, value: u32) {
        let [_, a, b, c] = value.to_be_bytes();
        self.bytes(&[a, b, c]);
    }

    pub(crate) fn u32(&mut self, value: u32) {
        self.bytes(&value.to_be_bytes());
    }

    pub(crate) fn u64(&mut self, value: u64) {
        self.bytes(&value.to_be_bytes());
    }

    /// Moves past `count` bytes already in place.
    pub(crate) fn skip(&mut self, count: usize) {
        let end = self.pos.saturating_add(count);
        if end > self.buf.len() {
            self.overflow = true;
        }
        self.pos = end;
    }

    pub(crate) fn zeros(&mut self, count: usize) {
        let end = self.pos.saturating_add(count);
        match self.buf.get_mut(self.pos..end) {
            Some(dst) => dst.fill(0),
            None => self.overflow = true,
        }
        self.pos = end;
    }
}

/// Length of a whole packet whose body (after the 4-byte header) is `body_len` bytes: the
/// header, the body, and padding to a 32-bit boundary (RFC 3550 §6.4.1).
pub(crate) fn packet_len(body_len: usize) -> usize {
    HEADER_LEN.saturating_add(body_len).next_multiple_of(4)
}

/// Writes one RTCP packet at the start of `buf`: the common header (RFC 3550 §6.4.1), the body
/// written by `body` (exactly `body_len` bytes), and when the body is not a multiple of four
/// bytes, RTCP padding with the P bit set and the count in the last byte, as libwebrtc pads
/// transport-wide feedback. Returns the packet length.
pub(crate) fn emit_packet(
    buf: &mut [u8],
    count: u8,
    packet_type: u8,
    body_len: usize,
    body: impl FnOnce(&mut Writer<'_>),
) -> Result<usize, BuildError> {
    if count > 31 {
        return Err(BuildError::TooLarge);
    }
    let unpadded = HEADER_LEN.saturating_add(body_len);
    let total = packet_len(body_len);
    let length = u16::try_from(total / 4 - 1).map_err(|_| BuildError::TooLarge)?;
    let Some(out) = buf.get_mut(..total) else {
        return Err(BuildError::TooLarge);
    };
    let padding = total - unpadded;
    let mut w = Writer::new(out);
    w.u8(VERSION << 6 | u8::from(padding > 0) << 5 | count);
    w.u8(packet_type);
    w.u16(length);
    body(&mut w);
    debug_assert_eq!(w.pos(), unpadded, "a body writer wrote the wrong length");
    if w.overflow || w.pos() != unpadded {
        return Err(BuildError::TooLarge);
    }
    if padding > 0 {
        w.zeros(padding - 1);
        // At most 3: the body is padded to the next multiple of four.
        w.u8(padding as u8);
    }
    Ok(total)
}

/// Appends a packet of `len` bytes written by `emit` to `out`; on error `out` is unchanged.
pub(crate) fn append(
    out: &mut Vec<u8>,
    len: usize,
    emit: impl FnOnce(&mut [u8]) -> Result<usize, BuildError>,
) -> Result<(), BuildError> {
    let start = out.len();
    out.resize(start.saturating_add(len), 0);
    match emit(&mut out[start..]) {
        Ok(written) => {
            out.truncate(start + written);
            Ok(())
        }
        Err(e) => {
            out.truncate(start);
            Err(e)
        }
    }
}

/// Implements `write_to` on a Repr from its `buffer_len` and `emit`.
macro_rules! impl_write_to {
    ($ty:ty) => {
        impl $ty {
            /// Appends the packet to `out`, reusing its capacity (the same bytes as
            /// [`emit`](Self::emit)).
            ///
            /// # Errors
            /// As [`emit`](Self::emit); `out` is then unchanged.
            pub fn write_to(&self, out: &mut Vec<u8>) -> Result<(), crate::error::BuildError> {
                crate::rtcp::wire::append(out, self.buffer_len(), |buf| self.emit(buf))
            }
        }
    };
}
pub(crate) use impl_write_to;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_extension_of_24_bit_values() {
        assert_eq!(sign_extend_24(0x00_7f_ff_ff), (1 << 23) - 1);
        assert_eq!(sign_extend_24(0x00_80_00_00), -(1 << 23));
        assert_eq!(sign_extend_24(0x00_ff_ff_ff), -1);
        assert_eq!(sign_extend_24(0xff_00_00_01), 1);
        assert_eq!(i24_bits(-1), 0x00ff_ffff);
        assert!(fits_i24(-(1 << 23)) && !fits_i24(1 << 23));
    }

    #[test]
    fn readers_outside_the_slice_give_zero() {
        let b = [1, 2, 3];
        assert_eq!(u16_at(&b, 2), 0);
        assert_eq!(u32_at(&b, usize::MAX), 0);
        assert_eq!(u8_at(&b, 3), 0);
        assert_eq!(sub(&b, 2, 9), &[] as &[u8]);
    }

    #[test]
    fn emit_packet_pads_with_the_p_bit_and_refuses_short_buffers() {
        let mut buf = [0xaa; 8];
        let len = emit_packet(&mut buf, 1, 205, 1, |w| w.u8(9)).unwrap();
        assert_eq!(len, 8);
        assert_eq!(buf, [0xa1, 205, 0, 1, 9, 0, 0, 3]);
        assert_eq!(
            emit_packet(&mut buf[..7], 1, 205, 1, |w| w.u8(9)),
            Err(BuildError::TooLarge)
        );
        assert_eq!(
            emit_packet(&mut buf, 32, 205, 0, |_| ()),
            Err(BuildError::TooLarge)
        );
    }
}
