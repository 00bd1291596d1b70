//! Byte readers, the chunk writer and the TLV framing every chunk type shares (RFC 9260 §3.2,
//! §3.2.1). Readers never panic: a read outside the slice gives 0, which checked views never
//! do because they validate every length first.

use crate::error::{EncodeError, ParseError, ParseErrorKind};

/// A big-endian `u16` at `at`, or 0 outside `bytes`.
pub(crate) fn u16_at(bytes: &[u8], at: usize) -> u16 {
    match bytes.get(at..at.saturating_add(2)) {
        Some(&[a, b]) => u16::from_be_bytes([a, b]),
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

/// The byte at `at`, or 0 outside `bytes`.
pub(crate) fn u8_at(bytes: &[u8], at: usize) -> u8 {
    bytes.get(at).copied().unwrap_or(0)
}

/// `bytes[from..]`, or an empty slice when `from` is past the end.
pub(crate) fn tail(bytes: &[u8], from: usize) -> &[u8] {
    bytes.get(from..).unwrap_or(&[])
}

/// `len` rounded up to a multiple of 4 (RFC 9260 §3.2 padding), saturating.
pub(crate) const fn padded(len: usize) -> usize {
    match len.checked_next_multiple_of(4) {
        Some(p) => p,
        None => usize::MAX,
    }
}

/// A parse error of `kind` at `offset`.
pub(crate) const fn err(kind: ParseErrorKind, offset: usize) -> ParseError {
    ParseError::new(kind, offset)
}

/// Checks that a fixed-layout value is exactly `len` bytes.
pub(crate) fn expect_len(value: &[u8], len: usize, offset: usize) -> Result<(), ParseError> {
    if value.len() == len {
        Ok(())
    } else {
        Err(err(ParseErrorKind::BadLength, offset))
    }
}

/// Checks that a value is at least `len` bytes.
pub(crate) fn expect_min_len(value: &[u8], len: usize, offset: usize) -> Result<(), ParseError> {
    if value.len() >= len {
        Ok(())
    } else {
        Err(err(ParseErrorKind::BadLength, offset))
    }
}

/// A bounds-checked big-endian writer over a caller's buffer. Writing past the end sets a flag
/// instead of panicking.
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

    /// Whether every write fit.
    pub(crate) fn ok(&self) -> bool {
        !self.overflow
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

    pub(crate) fn u32(&mut self, value: u32) {
        self.bytes(&value.to_be_bytes());
    }

    pub(crate) fn zeros(&mut self, count: usize) {
        let end = self.pos.saturating_add(count);
        match self.buf.get_mut(self.pos..end) {
            Some(dst) => dst.fill(0),
            None => self.overflow = true,
        }
        self.pos = end;
    }

    /// Zeros up to the next multiple of 4 from the start of the buffer.
    pub(crate) fn pad(&mut self) {
        self.zeros(padded(self.pos) - self.pos);
    }

    /// A sub-writer over the next `len` bytes, written by `f`; the position moves past them.
    pub(crate) fn nested(&mut self, len: usize, f: impl FnOnce(&mut [u8])) {
        let end = self.pos.saturating_add(len);
        match self.buf.get_mut(self.pos..end) {
            Some(dst) => f(dst),
            None => self.overflow = true,
        }
        self.pos = end;
    }
}

/// The length field of a chunk whose value is `value_len` bytes (RFC 9260 §3.2).
pub(crate) fn chunk_length(value_len: usize) -> Result<u16, EncodeError> {
    value_len
        .checked_add(4)
        .and_then(|l| u16::try_from(l).ok())
        .ok_or(EncodeError::TooLong)
}

/// Writes one chunk at the start of `buf` (RFC 9260 §3.2): type, flags, length, the value
/// written by `value` (exactly `value_len` bytes) and zero padding to a multiple of 4. Returns
/// the padded length.
pub(crate) fn emit_chunk(
    buf: &mut [u8],
    chunk_type: u8,
    flags: u8,
    value_len: usize,
    value: impl FnOnce(&mut Writer<'_>),
) -> Result<usize, EncodeError> {
    let length = chunk_length(value_len)?;
    let unpadded = usize::from(length);
    let total = padded(unpadded);
    let Some(out) = buf.get_mut(..total) else {
        return Err(EncodeError::BufferTooShort);
    };
    let mut w = Writer::new(out);
    w.u8(chunk_type);
    w.u8(flags);
    w.u16(length);
    value(&mut w);
    debug_assert_eq!(w.pos(), unpadded, "a chunk writer wrote the wrong length");
    if !w.ok() || w.pos() != unpadded {
        return Err(EncodeError::BufferTooShort);
    }
    w.pad();
    Ok(total)
}

/// One framed TLV: a parameter (RFC 9260 §3.2.1) or an error cause (§3.3.10).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RawTlv<'a> {
    pub(crate) tlv_type: u16,
    pub(crate) value: &'a [u8],
    /// Offset of the TLV's first byte in the packet.
    pub(crate) offset: usize,
}

/// Lazy framing of a TLV sequence (RFC 9260 §3.2.1): each TLV's length is at least 4 and fits;
/// padding to 4 bytes follows every TLV but the last, whose padding the enclosing chunk's
/// length leaves out (§3.2). After the first error the iterator ends.
#[derive(Debug, Clone)]
pub(crate) struct TlvIter<'a> {
    bytes: &'a [u8],
    pos: usize,
    base: usize,
    done: bool,
}

impl<'a> TlvIter<'a> {
    /// TLVs in `bytes`, which start at `base` in the packet.
    pub(crate) fn new(bytes: &'a [u8], base: usize) -> Self {
        Self {
            bytes,
            pos: 0,
            base,
            done: false,
        }
    }

    fn frame(&mut self) -> Result<RawTlv<'a>, ParseError> {
        let at = self.base.saturating_add(self.pos);
        let rest = tail(self.bytes, self.pos);
        if rest.len() < 4 {
            return Err(err(ParseErrorKind::BadParameterLength, at));
        }
        let length = usize::from(u16_at(rest, 2));
        let Some(value) = rest.get(4..length) else {
            return Err(err(
                ParseErrorKind::BadParameterLength,
                at.saturating_add(2),
            ));
        };
        let next = padded(length);
        if next > rest.len() && length != rest.len() {
            return Err(err(ParseErrorKind::BadPadding, at.saturating_add(length)));
        }
        self.pos = self.pos.saturating_add(next.min(rest.len()));
        Ok(RawTlv {
            tlv_type: u16_at(rest, 0),
            value,
            offset: at,
        })
    }
}

impl<'a> Iterator for TlvIter<'a> {
    type Item = Result<RawTlv<'a>, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done || self.pos >= self.bytes.len() {
            return None;
        }
        let item = self.frame();
        if item.is_err() {
            self.done = true;
        }
        Some(item)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readers_outside_the_slice_give_zero() {
        let b = [1, 2, 3];
        assert_eq!(u16_at(&b, 2), 0);
        assert_eq!(u32_at(&b, usize::MAX), 0);
        assert_eq!(u8_at(&b, 3), 0);
        assert_eq!(tail(&b, 9), &[] as &[u8]);
        assert_eq!(padded(usize::MAX), usize::MAX);
    }

    #[test]
    fn tlv_framing_accepts_a_last_tlv_without_padding() {
        let bytes = [0, 1, 0, 5, 9, 0, 0, 0, 0, 2, 0, 5, 7];
        let tlvs: Vec<_> = TlvIter::new(&bytes, 100).collect();
        assert_eq!(tlvs.len(), 2);
        assert_eq!(tlvs[1].unwrap().value, &[7]);
        assert_eq!(tlvs[1].unwrap().offset, 108);
        // Partial padding after the last TLV.
        let bytes = [0, 1, 0, 5, 9, 0];
        assert_eq!(
            TlvIter::new(&bytes, 0).next(),
            Some(Err(err(ParseErrorKind::BadPadding, 5)))
        );
        // Length below 4, and past the end.
        for bytes in [[0, 1, 0, 3], [0, 1, 0, 8]] {
            assert_eq!(
                TlvIter::new(&bytes, 4).next(),
                Some(Err(err(ParseErrorKind::BadParameterLength, 6)))
            );
        }
    }

    #[test]
    fn emit_chunk_pads_and_refuses_short_buffers() {
        let mut buf = [0xaa; 8];
        assert_eq!(emit_chunk(&mut buf, 7, 1, 1, |w| w.u8(9)), Ok(8));
        assert_eq!(buf, [7, 1, 0, 5, 9, 0, 0, 0]);
        assert_eq!(
            emit_chunk(&mut buf[..7], 7, 1, 1, |w| w.u8(9)),
            Err(EncodeError::BufferTooShort)
        );
        assert_eq!(chunk_length(65532), Err(EncodeError::TooLong));
    }
}
