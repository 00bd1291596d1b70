//! Lists inside chunks that never allocate: fixed-size entries ([`List`]: gap ack blocks and
//! duplicate TSNs of SACK, RFC 9260 §3.3.4; stream entries of FORWARD TSN, RFC 3758 §3.2; stream
//! numbers of RE-CONFIG requests, RFC 6525 §4.1) and TLV sequences ([`TlvList`]: INIT
//! parameters, RFC 9260 §3.2.1; error causes, §3.3.10; RE-CONFIG parameters, RFC 6525 §3.1).
//!
//! A list is either the validated bytes of a parsed chunk, iterated lazily, or a slice the
//! caller built; the two compare equal when their entries do.

use core::fmt;
use core::marker::PhantomData;

use crate::error::ParseError;
use crate::wire::bytes::{Writer, padded, u16_at, u32_at};

/// A fixed-size entry of a [`List`], read from and written to exactly [`LEN`](Self::LEN)
/// bytes.
pub trait WireEntry: Copy {
    /// Bytes per entry on the wire.
    const LEN: usize;
    /// Reads an entry from `bytes` (exactly `LEN` bytes; shorter input reads as zeros).
    fn read(bytes: &[u8]) -> Self;
    /// Writes the entry into `out` (exactly `LEN` bytes; bytes past `out` are dropped).
    fn write(&self, out: &mut [u8]);
}

/// A 16-bit number: a stream identifier (RFC 6525 §4.1), a parameter type (RFC 9260
/// §3.3.10.2), an address type (§3.3.2.1).
impl WireEntry for u16 {
    const LEN: usize = 2;
    fn read(bytes: &[u8]) -> Self {
        u16_at(bytes, 0)
    }
    fn write(&self, out: &mut [u8]) {
        Writer::new(out).u16(*self);
    }
}

/// A 32-bit number: a duplicate TSN (RFC 9260 §3.3.4).
impl WireEntry for u32 {
    const LEN: usize = 4;
    fn read(bytes: &[u8]) -> Self {
        u32_at(bytes, 0)
    }
    fn write(&self, out: &mut [u8]) {
        Writer::new(out).u32(*self);
    }
}

#[derive(Clone, Copy)]
enum Source<'a, T> {
    Wire(&'a [u8]),
    Slice(&'a [T]),
}

/// A list of fixed-size entries: validated wire bytes or a caller's slice. Iterating never
/// allocates or fails.
#[derive(Clone, Copy)]
pub struct List<'a, T> {
    source: Source<'a, T>,
}

impl<'a, T: WireEntry> List<'a, T> {
    /// A list of the caller's entries, to emit.
    pub const fn from_slice(entries: &'a [T]) -> Self {
        Self {
            source: Source::Slice(entries),
        }
    }

    /// A list over wire bytes; a trailing partial entry is ignored (callers check the length
    /// is a whole number of entries first).
    pub(crate) fn from_wire(bytes: &'a [u8]) -> Self {
        let whole = bytes.len() - bytes.len() % T::LEN.max(1);
        Self {
            source: Source::Wire(bytes.get(..whole).unwrap_or(&[])),
        }
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        match self.source {
            Source::Wire(b) => b.len() / T::LEN.max(1),
            Source::Slice(s) => s.len(),
        }
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes the entries take on the wire.
    pub fn wire_len(&self) -> usize {
        self.len().saturating_mul(T::LEN)
    }

    /// The entries, in order.
    pub fn iter(&self) -> ListIter<'a, T> {
        match self.source {
            Source::Wire(b) => ListIter {
                wire: b,
                slice: [].iter(),
            },
            Source::Slice(s) => ListIter {
                wire: &[],
                slice: s.iter(),
            },
        }
    }

    pub(crate) fn write(&self, w: &mut Writer<'_>) {
        for entry in self.iter() {
            w.nested(T::LEN, |out| entry.write(out));
        }
    }
}

impl<T> Default for List<'_, T> {
    fn default() -> Self {
        Self {
            source: Source::Slice(&[]),
        }
    }
}

impl<'a, T: WireEntry> IntoIterator for List<'a, T> {
    type Item = T;
    type IntoIter = ListIter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'a, T: WireEntry> IntoIterator for &List<'a, T> {
    type Item = T;
    type IntoIter = ListIter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<T: WireEntry + PartialEq> PartialEq for List<'_, T> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl<T: WireEntry + Eq> Eq for List<'_, T> {}

impl<T: WireEntry + fmt::Debug> fmt::Debug for List<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Iterator over the entries of a [`List`]. Allocation-free.
#[derive(Debug, Clone)]
pub struct ListIter<'a, T> {
    wire: &'a [u8],
    slice: core::slice::Iter<'a, T>,
}

impl<T: WireEntry> Iterator for ListIter<'_, T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        if let Some(&entry) = self.slice.next() {
            return Some(entry);
        }
        if T::LEN == 0 {
            return None;
        }
        let (entry, rest) = self.wire.split_at_checked(T::LEN)?;
        self.wire = rest;
        Some(T::read(entry))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self
            .slice
            .len()
            .saturating_add(self.wire.len() / T::LEN.max(1));
        (n, Some(n))
    }
}

impl<T: WireEntry> ExactSizeIterator for ListIter<'_, T> {}

/// A typed TLV: a parameter (RFC 9260 §3.2.1) or an error cause (§3.3.10) that a [`TlvList`]
/// holds.
pub trait TlvEntry<'a>: Copy {
    /// Types one framed TLV; `offset` is the TLV's first byte in the packet, for errors.
    ///
    /// # Errors
    /// When the value does not fit the layout its type defines.
    fn parse_tlv(tlv_type: u16, value: &'a [u8], offset: usize) -> Result<Self, ParseError>;
    /// The type (or cause code) field.
    fn tlv_type(&self) -> u16;
    /// Length of the value, without header or padding.
    fn value_len(&self) -> usize;
    /// Writes the value into `out` (exactly [`value_len`](Self::value_len) bytes).
    fn write_value(&self, out: &mut [u8]);
}

#[derive(Clone, Copy)]
enum TlvSource<'a, P> {
    Wire { bytes: &'a [u8], base: usize },
    Slice(&'a [P]),
}

/// A TLV sequence: validated wire bytes, typed lazily, or a caller's slice. Iterating never
/// allocates or fails.
#[derive(Clone, Copy)]
pub struct TlvList<'a, P> {
    source: TlvSource<'a, P>,
}

impl<'a, P: TlvEntry<'a>> TlvList<'a, P> {
    /// A list of the caller's entries, to emit.
    pub const fn from_slice(entries: &'a [P]) -> Self {
        Self {
            source: TlvSource::Slice(entries),
        }
    }

    /// Frames and types every TLV of `bytes` (which start at `base` in the packet) once.
    ///
    /// # Errors
    /// The first framing or typing error.
    pub(crate) fn parse(bytes: &'a [u8], base: usize) -> Result<Self, ParseError> {
        for tlv in crate::wire::bytes::TlvIter::new(bytes, base) {
            let tlv = tlv?;
            P::parse_tlv(tlv.tlv_type, tlv.value, tlv.offset)?;
        }
        Ok(Self {
            source: TlvSource::Wire { bytes, base },
        })
    }

    /// The entries, in order.
    pub fn iter(&self) -> TlvListIter<'a, P> {
        match self.source {
            TlvSource::Wire { bytes, base } => TlvListIter {
                wire: crate::wire::bytes::TlvIter::new(bytes, base),
                slice: [].iter(),
                _entry: PhantomData,
            },
            TlvSource::Slice(s) => TlvListIter {
                wire: crate::wire::bytes::TlvIter::new(&[], 0),
                slice: s.iter(),
                _entry: PhantomData,
            },
        }
    }

    /// The number of entries (walks a parsed list).
    pub fn len(&self) -> usize {
        match self.source {
            TlvSource::Slice(s) => s.len(),
            TlvSource::Wire { .. } => self.iter().count(),
        }
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }

    /// Bytes the list takes in a chunk's length: every entry padded to 4 bytes except the last
    /// (RFC 9260 §3.2).
    pub fn wire_len(&self) -> usize {
        let mut total = 0usize;
        let mut last_pad = 0;
        for entry in self.iter() {
            let len = entry.value_len().saturating_add(4);
            total = total.saturating_add(padded(len));
            last_pad = padded(len) - len;
        }
        total - last_pad
    }

    /// Whether every entry fits a 16-bit length field.
    pub(crate) fn fits(&self) -> bool {
        self.iter()
            .all(|e| e.value_len() <= usize::from(u16::MAX) - 4)
    }

    /// Writes every entry, each padded except the last (the chunk's padding covers it).
    pub(crate) fn write(&self, w: &mut Writer<'_>) {
        let mut first = true;
        for entry in self.iter() {
            if !first {
                w.pad();
            }
            first = false;
            let len = entry.value_len();
            w.u16(entry.tlv_type());
            w.u16(u16::try_from(len.saturating_add(4)).unwrap_or(u16::MAX));
            w.nested(len, |out| entry.write_value(out));
        }
    }
}

impl<P> Default for TlvList<'_, P> {
    fn default() -> Self {
        Self {
            source: TlvSource::Slice(&[]),
        }
    }
}

impl<'a, P: TlvEntry<'a>> IntoIterator for TlvList<'a, P> {
    type Item = P;
    type IntoIter = TlvListIter<'a, P>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'a, P: TlvEntry<'a>> IntoIterator for &TlvList<'a, P> {
    type Item = P;
    type IntoIter = TlvListIter<'a, P>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'a, P: TlvEntry<'a> + PartialEq> PartialEq for TlvList<'a, P> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl<'a, P: TlvEntry<'a> + Eq> Eq for TlvList<'a, P> {}

impl<'a, P: TlvEntry<'a> + fmt::Debug> fmt::Debug for TlvList<'a, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Iterator over the entries of a [`TlvList`]. Allocation-free.
#[derive(Debug, Clone)]
pub struct TlvListIter<'a, P> {
    wire: crate::wire::bytes::TlvIter<'a>,
    slice: core::slice::Iter<'a, P>,
    _entry: PhantomData<P>,
}

impl<'a, P: TlvEntry<'a>> Iterator for TlvListIter<'a, P> {
    type Item = P;

    fn next(&mut self) -> Option<P> {
        if let Some(&entry) = self.slice.next() {
            return Some(entry);
        }
        let tlv = self.wire.next()?.ok()?;
        P::parse_tlv(tlv.tlv_type, tlv.value, tlv.offset).ok()
    }
}
