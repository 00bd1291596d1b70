//! Cursor helpers shared by the handshake codecs: a bounds-checked reader over a message body
//! and a bounds-checked writer into a caller buffer, both for the TLS presentation language's
//! integers and length-prefixed vectors (RFC 5246 §4.3, §4.5).
//!
//! Every read checks before it indexes, so no input can make a parser panic; every error names
//! the field and the offset of its first byte (for a vector: of its length prefix), counted
//! from the start of the message body.

use std::marker::PhantomData;

use crate::Error;
use crate::wire::{CipherSuite, ExtensionType, NamedGroup, SignatureScheme, SrtpProfileId};

/// The largest value of a 24-bit length (`uint24`, RFC 5246 §4.4).
pub const MAX_U24: u32 = (1 << 24) - 1;

/// A forward-only reader over `buf`; offsets in errors are `base + position`.
#[derive(Debug, Clone)]
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    base: usize,
}

impl<'a> Reader<'a> {
    /// A reader whose offsets count from the start of `buf`.
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Self::at(buf, 0)
    }

    /// A reader over a sub-slice that starts `base` bytes into the structure being parsed.
    pub(crate) fn at(buf: &'a [u8], base: usize) -> Self {
        Self { buf, pos: 0, base }
    }

    /// The offset of the next byte, counted like error offsets.
    pub(crate) fn offset(&self) -> usize {
        self.base + self.pos
    }

    /// Whether everything was read.
    pub(crate) fn is_empty(&self) -> bool {
        self.pos >= self.buf.len()
    }

    fn malformed(&self, what: &'static str, pos: usize) -> Error {
        Error::Malformed {
            what,
            offset: self.base + pos,
        }
    }

    /// The next `n` bytes.
    pub(crate) fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], Error> {
        let start = self.pos;
        let bytes = start
            .checked_add(n)
            .and_then(|end| self.buf.get(start..end))
            .ok_or_else(|| self.malformed(what, start))?;
        self.pos = start + n;
        Ok(bytes)
    }

    /// A fixed-size array.
    pub(crate) fn array<const N: usize>(
        &mut self,
        what: &'static str,
    ) -> Result<&'a [u8; N], Error> {
        let start = self.pos;
        let bytes = self.take(N, what)?;
        bytes.try_into().map_err(|_| self.malformed(what, start))
    }

    /// A `uint8`.
    pub(crate) fn u8(&mut self, what: &'static str) -> Result<u8, Error> {
        Ok(self.array::<1>(what)?[0])
    }

    /// A `uint16`.
    pub(crate) fn u16(&mut self, what: &'static str) -> Result<u16, Error> {
        Ok(u16::from_be_bytes(*self.array::<2>(what)?))
    }

    /// A `uint24`.
    pub(crate) fn u24(&mut self, what: &'static str) -> Result<u32, Error> {
        let [a, b, c] = *self.array::<3>(what)?;
        Ok(u32::from_be_bytes([0, a, b, c]))
    }

    /// A vector `<min..max>` with a `prefix`-byte length (1, 2 or 3), whose length must also be
    /// a multiple of `unit` (2 for lists of `uint16`). Errors point at the length prefix.
    pub(crate) fn vector(
        &mut self,
        prefix: usize,
        bounds: (usize, usize),
        unit: usize,
        what: &'static str,
    ) -> Result<&'a [u8], Error> {
        let at = self.pos;
        let len = match prefix {
            1 => usize::from(self.u8(what)?),
            2 => usize::from(self.u16(what)?),
            _ => self.u24(what)? as usize,
        };
        if len < bounds.0 || len > bounds.1 || !len.is_multiple_of(unit.max(1)) {
            return Err(self.malformed(what, at));
        }
        self.take(len, what).map_err(|_| self.malformed(what, at))
    }

    /// `opaque x<min..max>` with a one-byte length.
    pub(crate) fn vec8(
        &mut self,
        min: usize,
        max: usize,
        what: &'static str,
    ) -> Result<&'a [u8], Error> {
        self.vector(1, (min, max), 1, what)
    }

    /// `opaque x<min..max>` with a two-byte length.
    pub(crate) fn vec16(
        &mut self,
        min: usize,
        max: usize,
        what: &'static str,
    ) -> Result<&'a [u8], Error> {
        self.vector(2, (min, max), 1, what)
    }

    /// `opaque x<min..max>` with a three-byte length.
    pub(crate) fn vec24(
        &mut self,
        min: usize,
        max: usize,
        what: &'static str,
    ) -> Result<&'a [u8], Error> {
        self.vector(3, (min, max), 1, what)
    }

    /// A list of `uint16` code points `<min..max>` (bytes) with a two-byte length.
    pub(crate) fn u16_list(
        &mut self,
        min: usize,
        max: usize,
        what: &'static str,
    ) -> Result<&'a [u8], Error> {
        self.vector(2, (min, max), 2, what)
    }

    /// Fails with the offset of the first unread byte when anything is left: the structure is
    /// fully specified, so trailing bytes are garbage.
    pub(crate) fn finish(&self, what: &'static str) -> Result<(), Error> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self.malformed(what, self.pos))
        }
    }
}

/// A forward-only writer into a caller buffer. Running out of room is
/// [`Error::BufferTooSmall`]; a value that its vector cannot encode (too long, too short) is
/// [`Error::Malformed`] naming the field and the output offset of its length prefix.
#[derive(Debug)]
pub(crate) struct Writer<'a> {
    out: &'a mut [u8],
    pos: usize,
}

impl<'a> Writer<'a> {
    /// A writer at the start of `out`.
    pub(crate) fn new(out: &'a mut [u8]) -> Self {
        Self { out, pos: 0 }
    }

    /// Bytes written so far.
    pub(crate) fn len(&self) -> usize {
        self.pos
    }

    /// Raw bytes.
    pub(crate) fn bytes(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let end = self
            .pos
            .checked_add(bytes.len())
            .ok_or(Error::BufferTooSmall)?;
        self.out
            .get_mut(self.pos..end)
            .ok_or(Error::BufferTooSmall)?
            .copy_from_slice(bytes);
        self.pos = end;
        Ok(())
    }

    /// A `uint8`.
    pub(crate) fn u8(&mut self, value: u8) -> Result<(), Error> {
        self.bytes(&[value])
    }

    /// A `uint16`.
    pub(crate) fn u16(&mut self, value: u16) -> Result<(), Error> {
        self.bytes(&value.to_be_bytes())
    }

    /// A `uint24`; the caller has checked `value <= MAX_U24`.
    pub(crate) fn u24(&mut self, value: u32) -> Result<(), Error> {
        let [_, a, b, c] = value.to_be_bytes();
        self.bytes(&[a, b, c])
    }

    /// A length prefix of `prefix` bytes for a vector of `len` bytes within `<min..max>`.
    pub(crate) fn length(
        &mut self,
        prefix: usize,
        len: usize,
        bounds: (usize, usize),
        what: &'static str,
    ) -> Result<(), Error> {
        let capacity = match prefix {
            1 => 0xff,
            2 => 0xffff,
            _ => MAX_U24 as usize,
        };
        if len < bounds.0 || len > bounds.1 || len > capacity {
            return Err(Error::Malformed {
                what,
                offset: self.pos,
            });
        }
        let value = u32::try_from(len).map_err(|_| Error::Malformed {
            what,
            offset: self.pos,
        })?;
        match prefix {
            1 => self.u8(value as u8),
            2 => self.u16(value as u16),
            _ => self.u24(value),
        }
    }

    /// `opaque x<min..max>` with a one-byte length.
    pub(crate) fn vec8(
        &mut self,
        bytes: &[u8],
        min: usize,
        max: usize,
        what: &'static str,
    ) -> Result<(), Error> {
        self.length(1, bytes.len(), (min, max), what)?;
        self.bytes(bytes)
    }

    /// `opaque x<min..max>` with a two-byte length.
    pub(crate) fn vec16(
        &mut self,
        bytes: &[u8],
        min: usize,
        max: usize,
        what: &'static str,
    ) -> Result<(), Error> {
        self.length(2, bytes.len(), (min, max), what)?;
        self.bytes(bytes)
    }

    /// A list of `uint16` code points with a two-byte length `<min..max>` (bytes).
    pub(crate) fn u16_list<T: Copy + Into<u16>>(
        &mut self,
        items: &[T],
        min: usize,
        max: usize,
        what: &'static str,
    ) -> Result<(), Error> {
        self.length(2, items.len().saturating_mul(2), (min, max), what)?;
        items.iter().try_for_each(|&item| self.u16(item.into()))
    }
}

/// A lazy iterator over a validated list of two-byte code points (cipher suites, named
/// groups, signature schemes, SRTP profiles: RFC 5246 §7.4.1.2, RFC 8422 §5.1.1,
/// RFC 5246 §7.4.1.4.1, RFC 5764 §4.1.1). Never allocates; an odd trailing byte (which the
/// parsers reject before building one) is ignored.
#[derive(Clone)]
pub struct CodePoints<'a, T> {
    bytes: &'a [u8],
    _item: PhantomData<fn() -> T>,
}

impl<'a, T> CodePoints<'a, T> {
    /// A list over `bytes`, two per item, big-endian.
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Self {
            bytes,
            _item: PhantomData,
        }
    }

    /// The list's bytes as on the wire, without its length prefix.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }
}

impl<T: From<u16> + std::fmt::Debug> std::fmt::Debug for CodePoints<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(Self::new(self.bytes)).finish()
    }
}

impl<T: From<u16>> PartialEq for CodePoints<'_, T> {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes
    }
}

impl<T: From<u16>> Eq for CodePoints<'_, T> {}

impl<T: From<u16>> Iterator for CodePoints<'_, T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        let (&[a, b], rest) = self.bytes.split_first_chunk::<2>()?;
        self.bytes = rest;
        Some(T::from(u16::from_be_bytes([a, b])))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let len = self.bytes.len() / 2;
        (len, Some(len))
    }
}

impl<T: From<u16>> ExactSizeIterator for CodePoints<'_, T> {}

macro_rules! wire_u16 {
    ($($name:ident),*) => {$(
        impl From<u16> for $name {
            fn from(value: u16) -> Self {
                Self(value)
            }
        }

        impl From<$name> for u16 {
            fn from(value: $name) -> Self {
                value.0
            }
        }
    )*};
}

wire_u16!(
    CipherSuite,
    NamedGroup,
    SignatureScheme,
    SrtpProfileId,
    ExtensionType
);

/// A lazy iterator over a validated list of length-prefixed opaque items: the DER
/// certificates of a Certificate message (`ASN.1Cert<1..2^24-1>`, RFC 5246 §7.4.2) or the
/// DistinguishedNames of a CertificateRequest (`<1..2^16-1>`, RFC 5246 §7.4.4). Never
/// allocates.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OpaqueList<'a> {
    rest: &'a [u8],
    prefix: usize,
}

impl<'a> OpaqueList<'a> {
    /// Checks that `bytes` is exactly a sequence of items with a `prefix`-byte length each,
    /// every one at least one byte; errors are offset by `base`.
    pub(crate) fn check(
        bytes: &'a [u8],
        prefix: usize,
        base: usize,
        what: &'static str,
    ) -> Result<Self, Error> {
        let mut r = Reader::at(bytes, base);
        while !r.is_empty() {
            r.vector(prefix, (1, usize::MAX), 1, what)?;
        }
        Ok(Self {
            rest: bytes,
            prefix,
        })
    }

    /// The list's bytes as on the wire, without its own length prefix.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.rest
    }
}

impl<'a> Iterator for OpaqueList<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let (len, rest) = self.rest.split_at_checked(self.prefix)?;
        let len = len.iter().fold(0usize, |acc, &b| acc << 8 | usize::from(b));
        let (item, rest) = rest.split_at_checked(len)?;
        self.rest = rest;
        Some(item)
    }
}

impl std::iter::FusedIterator for OpaqueList<'_> {}

/// Bytes of a list of opaque items, each with a `prefix`-byte length.
pub(crate) fn opaque_list_len(items: &[&[u8]], prefix: usize) -> usize {
    items.iter().map(|item| prefix + item.len()).sum()
}

/// Writes a list of opaque items inside a vector of `outer` length bytes `<min..max>`; each
/// item gets an `inner`-byte length and must be `<1..inner max>`.
pub(crate) fn write_opaque_list(
    w: &mut Writer<'_>,
    items: &[&[u8]],
    (outer, inner): (usize, usize),
    (min, max): (usize, usize),
    what: &'static str,
) -> Result<(), Error> {
    w.length(outer, opaque_list_len(items, inner), (min, max), what)?;
    items.iter().try_for_each(|item| {
        w.length(inner, item.len(), (1, usize::MAX), what)?;
        w.bytes(item)
    })
}
