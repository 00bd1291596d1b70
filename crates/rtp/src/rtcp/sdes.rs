//! Source description (SDES, PT 202; RFC 3550 §6.5): chunks of SSRC plus items such as the
//! CNAME, each chunk ended by a null item and padded to 32 bits.

use crate::error::{BuildError, ParseError, ParseErrorKind};
use crate::rtcp::header::RawPacket;
use crate::rtcp::packet_type;
use crate::rtcp::wire::{count5, emit_packet, impl_write_to, packet_len, sub, u32_at};

/// An SDES item type (RFC 3550 §6.5, IANA "RTP SDES Item Types"). Unknown types are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SdesItemType {
    /// Canonical end-point identifier, CNAME = 1 (RFC 3550 §6.5.1).
    Cname,
    /// User name, NAME = 2 (RFC 3550 §6.5.2).
    Name,
    /// Electronic mail address, EMAIL = 3 (RFC 3550 §6.5.3).
    Email,
    /// Phone number, PHONE = 4 (RFC 3550 §6.5.4).
    Phone,
    /// Geographic user location, LOC = 5 (RFC 3550 §6.5.5).
    Location,
    /// Application or tool name, TOOL = 6 (RFC 3550 §6.5.6).
    Tool,
    /// Notice or status, NOTE = 7 (RFC 3550 §6.5.7).
    Note,
    /// Private extension, PRIV = 8: a prefix length, prefix and value (RFC 3550 §6.5.8).
    Private,
    /// RtpStreamId = 12 (RFC 8852 §3.1).
    RtpStreamId,
    /// RepairedRtpStreamId = 13 (RFC 8852 §3.2).
    RepairedRtpStreamId,
    /// Media identification, MID = 15 (RFC 8843 §15.2).
    Mid,
    /// Any other type; 0 is the END marker and cannot be an item.
    Unknown(u8),
}

impl From<u8> for SdesItemType {
    fn from(value: u8) -> Self {
        match value {
            1 => Self::Cname,
            2 => Self::Name,
            3 => Self::Email,
            4 => Self::Phone,
            5 => Self::Location,
            6 => Self::Tool,
            7 => Self::Note,
            8 => Self::Private,
            12 => Self::RtpStreamId,
            13 => Self::RepairedRtpStreamId,
            15 => Self::Mid,
            other => Self::Unknown(other),
        }
    }
}

impl From<SdesItemType> for u8 {
    fn from(value: SdesItemType) -> Self {
        match value {
            SdesItemType::Cname => 1,
            SdesItemType::Name => 2,
            SdesItemType::Email => 3,
            SdesItemType::Phone => 4,
            SdesItemType::Location => 5,
            SdesItemType::Tool => 6,
            SdesItemType::Note => 7,
            SdesItemType::Private => 8,
            SdesItemType::RtpStreamId => 12,
            SdesItemType::RepairedRtpStreamId => 13,
            SdesItemType::Mid => 15,
            SdesItemType::Unknown(other) => other,
        }
    }
}

/// One SDES item (RFC 3550 §6.5): its type and up to 255 bytes of text, UTF-8 by the RFC but
/// kept as bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SdesItem<'a> {
    /// The item type.
    pub item_type: SdesItemType,
    /// The item text.
    pub text: &'a [u8],
}

impl<'a> SdesItem<'a> {
    /// The text as `&str`, or `None` when it is not UTF-8 (RFC 3550 §6.5 asks for UTF-8).
    pub fn text_str(&self) -> Option<&'a str> {
        core::str::from_utf8(self.text).ok()
    }

    /// For a PRIV item (RFC 3550 §6.5.8), the prefix and the value string; `None` for other
    /// types or when the prefix length runs past the text.
    pub fn private_parts(&self) -> Option<(&'a [u8], &'a [u8])> {
        if self.item_type != SdesItemType::Private {
            return None;
        }
        let (&len, rest) = self.text.split_first()?;
        let len = usize::from(len);
        Some((rest.get(..len)?, rest.get(len..)?))
    }
}

/// Where one chunk sits in an SDES body: its SSRC, its items' bytes and the next chunk.
struct ChunkBounds {
    ssrc: u32,
    items_start: usize,
    items_end: usize,
    next: usize,
}

/// Reads the chunk at `pos` of an SDES body; an error gives its kind and body offset.
fn read_chunk(body: &[u8], pos: usize) -> Result<ChunkBounds, (ParseErrorKind, usize)> {
    let truncated = (ParseErrorKind::Truncated, body.len());
    if body.len() < pos + 4 {
        return Err(truncated);
    }
    let items_start = pos + 4;
    let mut at = items_start;
    loop {
        let Some(&item_type) = body.get(at) else {
            // No END item before the body ends (RFC 3550 §6.5).
            return Err(truncated);
        };
        if item_type == 0 {
            // The END item and up to three null octets to the next 32-bit boundary; the body
            // may end earlier when RTCP padding follows.
            let next = (at + 1).next_multiple_of(4).min(body.len());
            return Ok(ChunkBounds {
                ssrc: u32_at(body, pos),
                items_start,
                items_end: at,
                next,
            });
        }
        let Some(&len) = body.get(at + 1) else {
            return Err(truncated);
        };
        let end = at + 2 + usize::from(len);
        if end > body.len() {
            return Err(truncated);
        }
        at = end;
    }
}

/// A checked view of an SDES packet (RFC 3550 §6.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceDescription<'a> {
    raw: RawPacket<'a>,
}

impl<'a> SourceDescription<'a> {
    /// Checks `bytes` as exactly one SDES packet (RFC 3550 §6.5).
    ///
    /// # Errors
    /// As [`RawPacket::new_checked`] and [`from_raw`](Self::from_raw).
    pub fn new_checked(bytes: &'a [u8]) -> Result<Self, ParseError> {
        Self::from_raw(RawPacket::new_checked(bytes)?)
    }

    /// Checks a framed packet as SDES: packet type 202 and SC chunks, each a 32-bit SSRC and
    /// items that fit, ended by a null item (RFC 3550 §6.5). Bytes after the SC chunks are
    /// ignored.
    ///
    /// # Errors
    /// [`WrongType`](ParseErrorKind::WrongType), or [`Truncated`](ParseErrorKind::Truncated)
    /// at the chunk or item that runs past the body or lacks its END item.
    pub fn from_raw(raw: RawPacket<'a>) -> Result<Self, ParseError> {
        raw.expect_type(packet_type::SOURCE_DESCRIPTION)?;
        let body = raw.body();
        let mut pos = 0;
        for _ in 0..raw.count() {
            pos = read_chunk(body, pos)
                .map_err(|(kind, at)| raw.body_error(kind, at))?
                .next;
        }
        Ok(Self { raw })
    }

    /// The framed packet.
    pub fn raw(&self) -> RawPacket<'a> {
        self.raw
    }

    /// The source count (SC): how many chunks there are, 0..=31.
    pub fn chunk_count(&self) -> u8 {
        self.raw.count()
    }

    /// The chunks, in order.
    pub fn chunks(&self) -> SdesChunks<'a> {
        SdesChunks {
            body: self.raw.body(),
            pos: 0,
            remaining: self.raw.count(),
        }
    }
}

/// Iterator over the chunks of a [`SourceDescription`] (RFC 3550 §6.5). Allocation-free.
#[derive(Debug, Clone)]
pub struct SdesChunks<'a> {
    body: &'a [u8],
    pos: usize,
    remaining: u8,
}

impl<'a> Iterator for SdesChunks<'a> {
    type Item = SdesChunk<'a>;

    fn next(&mut self) -> Option<SdesChunk<'a>> {
        if self.remaining == 0 {
            return None;
        }
        // The view checked every chunk; a failure here ends the iteration.
        let Ok(bounds) = read_chunk(self.body, self.pos) else {
            self.remaining = 0;
            return None;
        };
        self.remaining -= 1;
        self.pos = bounds.next;
        Some(SdesChunk {
            ssrc: bounds.ssrc,
            items: sub(self.body, bounds.items_start, bounds.items_end),
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (
            usize::from(self.remaining),
            Some(usize::from(self.remaining)),
        )
    }
}

impl ExactSizeIterator for SdesChunks<'_> {}

/// One SDES chunk (RFC 3550 §6.5): an SSRC or CSRC and its items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SdesChunk<'a> {
    ssrc: u32,
    items: &'a [u8],
}

impl<'a> SdesChunk<'a> {
    /// The SSRC or CSRC the items describe.
    pub fn ssrc(&self) -> u32 {
        self.ssrc
    }

    /// The items, in order, the END item excluded.
    pub fn items(&self) -> SdesItems<'a> {
        SdesItems { bytes: self.items }
    }

    /// The text of the first CNAME item (RFC 3550 §6.5.1).
    pub fn cname(&self) -> Option<&'a [u8]> {
        self.items()
            .find(|i| i.item_type == SdesItemType::Cname)
            .map(|i| i.text)
    }
}

/// Iterator over the items of an [`SdesChunk`] (RFC 3550 §6.5). Allocation-free.
#[derive(Debug, Clone)]
pub struct SdesItems<'a> {
    bytes: &'a [u8],
}

impl<'a> Iterator for SdesItems<'a> {
    type Item = SdesItem<'a>;

    fn next(&mut self) -> Option<SdesItem<'a>> {
        let (&item_type, rest) = self.bytes.split_first()?;
        let (&len, rest) = rest.split_first()?;
        let len = usize::from(len);
        let text = rest.get(..len)?;
        self.bytes = rest.get(len..).unwrap_or(&[]);
        Some(SdesItem {
            item_type: item_type.into(),
            text,
        })
    }
}

/// An owned SDES item (RFC 3550 §6.5).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SdesItemRepr {
    /// The item type; [`SdesItemType::Unknown`]`(0)` is refused (it is the END marker).
    pub item_type: SdesItemType,
    /// The text, at most 255 bytes.
    pub text: Vec<u8>,
}

/// An owned SDES chunk (RFC 3550 §6.5).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct SdesChunkRepr {
    /// The SSRC or CSRC the items describe.
    pub ssrc: u32,
    /// The items, written in order and followed by the END item.
    pub items: Vec<SdesItemRepr>,
}

impl SdesChunkRepr {
    /// Bytes the chunk takes: SSRC, items, END, nulls to 32 bits.
    fn len(&self) -> usize {
        let items: usize = self.items.iter().map(|i| 2 + i.text.len()).sum();
        (4 + items + 1).next_multiple_of(4)
    }
}

/// An owned SDES packet (RFC 3550 §6.5), to build or to keep.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct SourceDescriptionRepr {
    /// Up to 31 chunks.
    pub chunks: Vec<SdesChunkRepr>,
}

impl SourceDescriptionRepr {
    /// An SDES packet with one chunk holding one CNAME item, the one every compound packet
    /// carries (RFC 3550 §6.1, §6.5.1).
    pub fn cname(ssrc: u32, cname: &str) -> Self {
        let item = SdesItemRepr {
            item_type: SdesItemType::Cname,
            text: cname.as_bytes().to_vec(),
        };
        Self {
            chunks: vec![SdesChunkRepr {
                ssrc,
                items: vec![item],
            }],
        }
    }

    /// Copies a checked view.
    pub fn parse(view: &SourceDescription<'_>) -> Self {
        let chunks = view
            .chunks()
            .map(|chunk| SdesChunkRepr {
                ssrc: chunk.ssrc(),
                items: chunk
                    .items()
                    .map(|i| SdesItemRepr {
                        item_type: i.item_type,
                        text: i.text.to_vec(),
                    })
                    .collect(),
            })
            .collect();
        Self { chunks }
    }

    fn body_len(&self) -> usize {
        self.chunks.iter().map(SdesChunkRepr::len).sum()
    }

    /// Length of the packet [`emit`](Self::emit) writes.
    pub fn buffer_len(&self) -> usize {
        packet_len(self.body_len())
    }

    /// Writes the packet at the start of `buf` and returns its length (RFC 3550 §6.5).
    ///
    /// # Errors
    /// [`BuildError::TooLarge`] for more than 31 chunks, an item text over 255 bytes, a
    /// packet over the length field's range or a short `buf`; [`BuildError::Reserved`] for
    /// item type 0.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, BuildError> {
        let count = count5(self.chunks.len())?;
        for item in self.chunks.iter().flat_map(|c| &c.items) {
            if u8::from(item.item_type) == 0 {
                return Err(BuildError::Reserved);
            }
            if item.text.len() > 255 {
                return Err(BuildError::TooLarge);
            }
        }
        emit_packet(
            buf,
            count,
            packet_type::SOURCE_DESCRIPTION,
            self.body_len(),
            |w| {
                for chunk in &self.chunks {
                    let start = w.pos();
                    w.u32(chunk.ssrc);
                    for item in &chunk.items {
                        w.u8(item.item_type.into());
                        // At most 255: checked above.
                        w.u8(item.text.len() as u8);
                        w.bytes(&item.text);
                    }
                    // END and the nulls up to the chunk's 32-bit boundary.
                    w.zeros(chunk.len() - (w.pos() - start));
                }
            },
        )
    }
}

impl_write_to!(SourceDescriptionRepr);

impl From<&SourceDescription<'_>> for SourceDescriptionRepr {
    fn from(view: &SourceDescription<'_>) -> Self {
        Self::parse(view)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cname_chunk_pads_to_32_bits() {
        let repr = SourceDescriptionRepr::cname(0x2b7e_c0c5, "LcIfzXonDordSeW6");
        let mut out = Vec::new();
        repr.write_to(&mut out).unwrap();
        let expected = "81ca00062b7ec0c501104c6349667a586f6e446f7264536557360000";
        assert_eq!(
            out.iter().map(|b| format!("{b:02x}")).collect::<String>(),
            expected
        );
        let view = SourceDescription::new_checked(&out).unwrap();
        let chunk = view.chunks().next().unwrap();
        assert_eq!(chunk.cname(), Some(&b"LcIfzXonDordSeW6"[..]));
        assert_eq!(SourceDescriptionRepr::parse(&view), repr);
    }

    #[test]
    fn chunk_without_end_is_truncated() {
        // SC = 1, one CNAME item filling the body exactly, no END.
        let bytes = [0x81, 202, 0, 2, 0, 0, 0, 1, 1, 2, b'a', b'b'];
        let e = SourceDescription::new_checked(&bytes).unwrap_err();
        assert_eq!(e, ParseError::new(ParseErrorKind::Truncated, 12));
    }

    #[test]
    fn private_item_splits_prefix_and_value() {
        let item = SdesItem {
            item_type: SdesItemType::Private,
            text: b"\x03abcvalue",
        };
        assert_eq!(item.private_parts(), Some((&b"abc"[..], &b"value"[..])));
        let bad = SdesItem {
            item_type: SdesItemType::Private,
            text: b"\x09ab",
        };
        assert_eq!(bad.private_parts(), None);
    }

    #[test]
    fn end_item_type_is_reserved() {
        let repr = SourceDescriptionRepr {
            chunks: vec![SdesChunkRepr {
                ssrc: 1,
                items: vec![SdesItemRepr {
                    item_type: SdesItemType::Unknown(0),
                    text: vec![],
                }],
            }],
        };
        assert_eq!(repr.write_to(&mut Vec::new()), Err(BuildError::Reserved));
    }

    #[test]
    fn item_type_codes_round_trip() {
        for code in 0..=255u8 {
            assert_eq!(u8::from(SdesItemType::from(code)), code);
        }
    }
}
