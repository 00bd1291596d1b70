//! The VP8 RTP payload format (RFC 7741): [`Vp8Packetizer`] and [`Vp8Depacketizer`], and the
//! payload descriptor view [`Vp8Descriptor`] (RFC 7741 §4.2).
//!
//! **Sending.** Every payload starts with a 4-byte descriptor: X=1, N=0, I=1 with a 15-bit
//! PictureID (M=1) that increments per frame from the value given to
//! [`Vp8Packetizer::new`] (RFC 7741 §4.2 says it SHOULD start at a random value: draw it from
//! the caller's seeded RNG). S=1 on the first payload only and PID=0 on all: the packetizer
//! does not parse the frame's partitions, so it only marks the start of partition 0, which is
//! what the receiver needs to find the frame start (libwebrtc does the same). L, T and K are
//! not sent (one temporal layer).
//!
//! **Splitting.** A frame takes as few payloads as `max_payload` allows, and those payloads
//! are as equal in size as possible (they differ by at most one byte), rather than full
//! payloads followed by a small tail, as libwebrtc and str0m do. The first payload carries
//! at least the first 10 bytes of the frame when it has room for them: the frame tag, and on
//! a key frame the start code and the dimensions (RFC 6386 §9.1), so that
//! [`Vp8Depacketizer::is_keyframe`] and receivers that read the dimensions from the first
//! packet (libwebrtc) see them. An even share is at least that much once a payload has 20
//! bytes of room; below that the first payload may be the larger one.
//!
//! **Receiving.** Every descriptor form is read: X, N, S, PID, I with a 7- or 15-bit
//! PictureID, L (TL0PICIDX), T (TID, Y) and K (KEYIDX). Truncated descriptors, a payload
//! with no VP8 data after its descriptor, and L=1 without T=1 (RFC 7741 §4.2: "the T bit MUST
//! be set to 1") are rejected. Reserved bits are ignored, as RFC 7741 §4.2 requires.

use crate::codec::{DepacketizeError, Depacketizer, PacketizeError, Packetizer};

/// Length of the descriptor [`Vp8Packetizer`] writes: X, I, and a 15-bit PictureID
/// (RFC 7741 §4.2).
const SEND_DESCRIPTOR_LEN: usize = 4;

/// Bytes the first payload of a frame carries when it has room: the 3-byte frame tag, the
/// 3-byte key frame start code and the 4 bytes of width and height (RFC 6386 §9.1).
const FIRST_PAYLOAD_MIN: usize = 10;

/// The key frame start code that follows the frame tag (RFC 6386 §9.1).
const KEY_FRAME_START_CODE: [u8; 3] = [0x9d, 0x01, 0x2a];

/// A picture ID from a VP8 (RFC 7741 §4.2) or VP9 (RFC 9628 §4.2) payload descriptor, in
/// the width the sender chose (the M bit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PictureId {
    /// M=0: a 7-bit picture ID (0..=127).
    Short(u8),
    /// M=1: a 15-bit picture ID (0..=32767).
    Long(u16),
}

impl PictureId {
    /// The picture ID's value (RFC 7741 §4.2, RFC 9628 §4.2).
    #[must_use]
    pub const fn value(self) -> u16 {
        match self {
            Self::Short(v) => v as u16,
            Self::Long(v) => v,
        }
    }

    /// Reads the 1- or 2-byte picture ID field (RFC 7741 §4.2, RFC 9628 §4.2).
    pub(crate) fn read(reader: &mut Reader<'_>) -> Result<Self, DepacketizeError> {
        let first = reader.u8()?;
        if first & 0x80 == 0 {
            Ok(Self::Short(first))
        } else {
            let second = reader.u8()?;
            Ok(Self::Long(u16::from_be_bytes([first & 0x7f, second])))
        }
    }
}

/// A bounds-checked cursor over a payload descriptor; running out of bytes is
/// [`DepacketizeError::Truncated`].
#[derive(Debug)]
pub(crate) struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `data`.
    pub(crate) const fn new(data: &'a [u8]) -> Self {
        Self { data, pos: 0 }
    }

    /// The next byte.
    pub(crate) fn u8(&mut self) -> Result<u8, DepacketizeError> {
        let byte = *self.data.get(self.pos).ok_or(DepacketizeError::Truncated)?;
        self.pos += 1;
        Ok(byte)
    }

    /// Skips `n` bytes, returning them.
    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], DepacketizeError> {
        let end = self.pos.checked_add(n).ok_or(DepacketizeError::Truncated)?;
        let bytes = self
            .data
            .get(self.pos..end)
            .ok_or(DepacketizeError::Truncated)?;
        self.pos = end;
        Ok(bytes)
    }

    /// How many bytes were read.
    pub(crate) const fn position(&self) -> usize {
        self.pos
    }

    /// The bytes read since position `start`.
    pub(crate) fn read_since(&self, start: usize) -> &'a [u8] {
        self.data.get(start..self.pos).unwrap_or_default()
    }

    /// Whether bytes remain after the ones read.
    pub(crate) const fn has_remaining(&self) -> bool {
        self.pos < self.data.len()
    }
}

/// Splits a frame into payload-sized chunks (RFC 7741 §4.1, RFC 9628 §4.1 leave the split to
/// the sender): as few chunks as the capacities allow, with payloads (descriptor included)
/// as equal in size as possible. The first chunk may have less room than the others
/// (`first_cap <= cap`, when its descriptor is longer), and may be asked to carry at least
/// `first_min` bytes. Chunks nearer the end are the ones a byte larger.
///
/// Yields each chunk with whether it is the last. Shared by VP8 and VP9.
#[derive(Debug)]
pub(crate) struct EvenSplit<'a> {
    rest: &'a [u8],
    first_len: usize,
    base: usize,
    larger_from: usize,
    index: usize,
}

impl<'a> EvenSplit<'a> {
    /// Plans the split of `frame`; `None` when a capacity is zero.
    pub(crate) fn new(
        frame: &'a [u8],
        first_cap: usize,
        cap: usize,
        first_min: usize,
    ) -> Option<Self> {
        if first_cap == 0 || cap == 0 {
            return None;
        }
        let len = frame.len();
        if len <= first_cap {
            return Some(Self {
                rest: frame,
                first_len: len,
                base: len,
                larger_from: usize::MAX,
                index: 0,
            });
        }
        // Count the first payload's extra descriptor bytes as data it carries, so every
        // payload has the same capacity `cap`, then share the total out evenly.
        let extra = cap.saturating_sub(first_cap);
        let total = len.checked_add(extra)?;
        let count = total.div_ceil(cap);
        let base = total / count;
        let larger_from = count - total % count;
        let first_virtual = if larger_from == 0 { base + 1 } else { base };
        let first_len = first_virtual
            .saturating_sub(extra)
            .max(first_min.min(first_cap))
            .max(1);
        Some(Self {
            rest: frame,
            first_len,
            base,
            larger_from,
            index: 0,
        })
    }
}

impl<'a> Iterator for EvenSplit<'a> {
    type Item = (&'a [u8], bool);

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let want = if self.index == 0 {
            self.first_len
        } else if self.index >= self.larger_from {
            self.base + 1
        } else {
            self.base
        };
        let (chunk, rest) = self.rest.split_at(want.min(self.rest.len()));
        self.rest = rest;
        self.index += 1;
        Some((chunk, rest.is_empty()))
    }
}

/// TID and Y from the T/K octet of a VP8 payload descriptor (RFC 7741 §4.2), present when
/// T=1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Vp8Temporal {
    /// TID: the temporal layer index (0..=3).
    pub tid: u8,
    /// Y: layer sync; the frame depends only on temporal base layer frames.
    pub layer_sync: bool,
}

/// The VP8 payload descriptor at the start of every VP8 RTP payload (RFC 7741 §4.2).
///
/// ```text
///       0 1 2 3 4 5 6 7
///      +-+-+-+-+-+-+-+-+
///      |X|R|N|S|R| PID | (REQUIRED)
///      +-+-+-+-+-+-+-+-+
/// X:   |I|L|T|K| RSV   | (OPTIONAL)
///      +-+-+-+-+-+-+-+-+
/// I:   |M| PictureID   | (OPTIONAL, 1 or 2 octets)
///      +-+-+-+-+-+-+-+-+
/// L:   |   TL0PICIDX   | (OPTIONAL)
///      +-+-+-+-+-+-+-+-+
/// T/K: |TID|Y| KEYIDX  | (OPTIONAL)
///      +-+-+-+-+-+-+-+-+
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Vp8Descriptor {
    /// N: a non-reference frame, which can be discarded without affecting others.
    pub non_reference: bool,
    /// S: the payload's first byte starts a VP8 partition.
    pub partition_start: bool,
    /// PID: the index (0..=7) of the partition the payload's first byte belongs to.
    pub partition_index: u8,
    /// I: the picture ID, 7 or 15 bits.
    pub picture_id: Option<PictureId>,
    /// L: TL0PICIDX, the running index of temporal base layer frames.
    pub tl0_pic_idx: Option<u8>,
    /// T: the temporal layer index and the layer sync bit.
    pub temporal: Option<Vp8Temporal>,
    /// K: KEYIDX, the temporal key frame index (0..=31).
    pub key_idx: Option<u8>,
    /// Length of the descriptor in bytes; the VP8 payload follows.
    pub len: usize,
}

impl Vp8Descriptor {
    /// Reads the descriptor at the start of `payload` (RFC 7741 §4.2).
    ///
    /// # Errors
    /// [`DepacketizeError::Truncated`] when the payload ends inside the descriptor or no VP8
    /// data follows it; [`DepacketizeError::Malformed`] when L=1 without T=1.
    pub fn parse(payload: &[u8]) -> Result<Self, DepacketizeError> {
        let mut reader = Reader::new(payload);
        let first = reader.u8()?;
        let mut descriptor = Self {
            non_reference: first & 0x20 != 0,
            partition_start: first & 0x10 != 0,
            partition_index: first & 0x07,
            picture_id: None,
            tl0_pic_idx: None,
            temporal: None,
            key_idx: None,
            len: 1,
        };
        if first & 0x80 != 0 {
            let extension = reader.u8()?;
            let (i, l, t, k) = (
                extension & 0x80 != 0,
                extension & 0x40 != 0,
                extension & 0x20 != 0,
                extension & 0x10 != 0,
            );
            if l && !t {
                return Err(DepacketizeError::Malformed);
            }
            if i {
                descriptor.picture_id = Some(PictureId::read(&mut reader)?);
            }
            if l {
                descriptor.tl0_pic_idx = Some(reader.u8()?);
            }
            if t || k {
                let byte = reader.u8()?;
                if t {
                    descriptor.temporal = Some(Vp8Temporal {
                        tid: byte >> 6,
                        layer_sync: byte & 0x20 != 0,
                    });
                }
                if k {
                    descriptor.key_idx = Some(byte & 0x1f);
                }
            }
        }
        if !reader.has_remaining() {
            return Err(DepacketizeError::Truncated);
        }
        descriptor.len = reader.position();
        Ok(descriptor)
    }

    /// Whether the payload begins a frame: S=1 and PID=0 (RFC 7741 §4.2, §4.5).
    #[must_use]
    pub const fn is_frame_start(&self) -> bool {
        self.partition_start && self.partition_index == 0
    }
}

/// Whether `vp8` (a frame's first bytes) is a key frame: P=0 in the frame tag of the VP8
/// payload header (RFC 7741 §4.3), followed by the start code `9d 01 2a` (RFC 6386 §9.1).
fn starts_key_frame(vp8: &[u8]) -> bool {
    matches!(vp8, [tag, _, _, code @ .., ] if tag & 0x01 == 0 && code.starts_with(&KEY_FRAME_START_CODE))
}

/// Splits VP8 frames into RTP payloads (RFC 7741 §4): a 4-byte descriptor with a 15-bit
/// PictureID that increments per frame, S=1 on the first payload, and evenly sized
/// payloads (see the [module docs](self)).
#[derive(Debug, Clone, Default)]
pub struct Vp8Packetizer {
    picture_id: u16,
    scratch: Vec<u8>,
}

impl Vp8Packetizer {
    /// A packetizer whose first frame gets PictureID `first_picture_id` (taken modulo 2^15;
    /// RFC 7741 §4.2: it SHOULD be random).
    #[must_use]
    pub const fn new(first_picture_id: u16) -> Self {
        Self {
            picture_id: first_picture_id & 0x7fff,
            scratch: Vec::new(),
        }
    }

    /// The PictureID the next frame will carry (RFC 7741 §4.2).
    #[must_use]
    pub const fn next_picture_id(&self) -> u16 {
        self.picture_id
    }
}

impl Packetizer for Vp8Packetizer {
    /// Splits one VP8 frame (RFC 7741 §4.1); `max_payload` must leave room for the 4-byte
    /// descriptor and one byte.
    fn packetize(
        &mut self,
        frame: &[u8],
        max_payload: usize,
        emit: &mut dyn FnMut(&[u8]),
    ) -> Result<usize, PacketizeError> {
        if frame.is_empty() {
            return Err(PacketizeError::EmptyFrame);
        }
        let cap = max_payload.saturating_sub(SEND_DESCRIPTOR_LEN);
        let chunks = EvenSplit::new(frame, cap, cap, FIRST_PAYLOAD_MIN)
            .ok_or(PacketizeError::PayloadSizeTooSmall)?;
        let [high, low] = (0x8000 | self.picture_id).to_be_bytes();
        let mut count = 0;
        for (chunk, _last) in chunks {
            let start = if count == 0 { 0x10 } else { 0x00 };
            self.scratch.clear();
            self.scratch
                .extend_from_slice(&[0x80 | start, 0x80, high, low]);
            self.scratch.extend_from_slice(chunk);
            emit(&self.scratch);
            count += 1;
        }
        self.picture_id = (self.picture_id + 1) & 0x7fff;
        Ok(count)
    }
}

/// Rebuilds VP8 frames from RTP payloads (RFC 7741 §4): reads every descriptor form and
/// concatenates the VP8 data after the descriptors.
#[derive(Debug, Clone, Copy, Default)]
#[non_exhaustive]
pub struct Vp8Depacketizer {}

impl Vp8Depacketizer {
    /// A VP8 depacketizer (RFC 7741 §4); it keeps no state between frames.
    #[must_use]
    pub const fn new() -> Self {
        Self {}
    }
}

impl Depacketizer for Vp8Depacketizer {
    /// S=1 and PID=0 in a valid descriptor (RFC 7741 §4.2).
    fn is_frame_start(&self, payload: &[u8]) -> bool {
        Vp8Descriptor::parse(payload).is_ok_and(|d| d.is_frame_start())
    }

    /// A frame start whose VP8 payload header has P=0 and the key frame start code after the
    /// 3-byte frame tag (RFC 7741 §4.3, RFC 6386 §9.1); the first payload must hold those
    /// 6 bytes.
    fn is_keyframe(&self, payload: &[u8]) -> bool {
        Vp8Descriptor::parse(payload).is_ok_and(|d| {
            d.is_frame_start() && starts_key_frame(payload.get(d.len..).unwrap_or_default())
        })
    }

    /// Concatenates the VP8 data of `payloads` (RFC 7741 §4.5): the first must start the
    /// frame ([`DepacketizeError::Incomplete`] otherwise), no later one may start another
    /// ([`DepacketizeError::Malformed`]), and every descriptor must be valid.
    fn depacketize(
        &mut self,
        payloads: &mut dyn Iterator<Item = &[u8]>,
        frame: &mut Vec<u8>,
    ) -> Result<(), DepacketizeError> {
        crate::codec::append_or_restore(frame, |frame| append_frame(payloads, frame))
    }
}

/// Appends the VP8 data of one frame's payloads to `frame`; on error `frame` may hold part
/// of it.
fn append_frame(
    payloads: &mut dyn Iterator<Item = &[u8]>,
    frame: &mut Vec<u8>,
) -> Result<(), DepacketizeError> {
    let mut first = true;
    for payload in payloads {
        let descriptor = Vp8Descriptor::parse(payload)?;
        match (first, descriptor.is_frame_start()) {
            (true, false) => return Err(DepacketizeError::Incomplete),
            (false, true) => return Err(DepacketizeError::Malformed),
            _ => {}
        }
        frame.extend_from_slice(payload.get(descriptor.len..).unwrap_or_default());
        first = false;
    }
    if first {
        return Err(DepacketizeError::Incomplete);
    }
    Ok(())
}
