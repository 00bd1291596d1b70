//! Unsigned LEB128 as AV1 uses it (AV1 §4.10.5): at most 8 bytes, values up to 2^32 − 1.

/// Why a leb128 value could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Leb128Error {
    /// The bytes end before the last byte of the value.
    Truncated,
    /// More than 8 bytes, or a value above 2^32 − 1 (AV1 §4.10.5 conformance).
    Overflow,
}

/// The most bytes a leb128 value may take (AV1 §4.10.5).
const MAX_BYTES: usize = 8;

/// Reads a leb128 value from the start of `bytes`: the value and how many bytes it took.
/// Encodings longer than necessary are accepted (AV1 allows them).
pub(super) fn read(bytes: &[u8]) -> Result<(usize, usize), Leb128Error> {
    let mut value: u64 = 0;
    for (i, &byte) in bytes.iter().take(MAX_BYTES).enumerate() {
        value |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            if value > u64::from(u32::MAX) {
                return Err(Leb128Error::Overflow);
            }
            let value = usize::try_from(value).map_err(|_| Leb128Error::Overflow)?;
            return Ok((value, i + 1));
        }
    }
    if bytes.len() >= MAX_BYTES {
        Err(Leb128Error::Overflow)
    } else {
        Err(Leb128Error::Truncated)
    }
}

/// Bytes of the shortest leb128 encoding of `value`.
pub(super) const fn len(value: usize) -> usize {
    let mut len = 1;
    let mut rest = value >> 7;
    while rest != 0 {
        len += 1;
        rest >>= 7;
    }
    len
}

/// Appends the shortest leb128 encoding of `value`.
pub(super) fn write(value: usize, out: &mut Vec<u8>) {
    let mut rest = value;
    loop {
        let byte = (rest & 0x7f) as u8;
        rest >>= 7;
        if rest == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// Writes the shortest leb128 encoding of `value` at the start of `out`, which is exactly
/// [`len`]`(value)` bytes long.
pub(super) fn write_into(value: usize, out: &mut [u8]) {
    let mut rest = value;
    let last = out.len().saturating_sub(1);
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = (rest & 0x7f) as u8 | if i < last { 0x80 } else { 0 };
        rest >>= 7;
    }
}
