//! The VP9 RTP payload format (RFC 9628): [`Vp9Packetizer`] and [`Vp9Depacketizer`], and the
//! payload descriptor view [`Vp9Descriptor`] with its scalability structure (RFC 9628 §4.2).
//!
//! **Sending** (one spatial and one temporal layer). Non-flexible mode (F=0) without layer
//! indices (L=0): every payload has I=1 with a 15-bit picture ID (M=1) that increments per
//! frame from the value given to [`Vp9Packetizer::new`] (RFC 9628 §4.2: it SHOULD start at a
//! random value; draw it from the caller's seeded RNG). P comes from the frame's
//! uncompressed header (VP9 bitstream §6.2): P=0 on key frames, P=1 on everything else
//! (inter frames, intra-only frames, `show_existing_frame`). B is set on the first payload
//! and E on the last; Z=0.
//!
//! On a key frame the first payload also carries the scalability structure (V=1): N_S=0
//! (one spatial layer), Y=1 with the frame's width and height read from the uncompressed
//! header, and G=0 (no picture group: one temporal layer, RFC 9628 §4.2.1). Receivers learn
//! the resolution before decoding, as RFC 9628 §4.2.1 intends the SS to be sent at the start
//! of key frames. A key frame 65536 pixels wide or high does not fit the 16-bit fields and
//! gets an SS with Y=0.
//!
//! Without layer indices there is no TL0PICIDX; libwebrtc then orders frames by picture ID
//! alone, which is right for one layer.
//!
//! **Splitting.** As for VP8: as few payloads as `max_payload` allows, as equal in size as
//! possible (within one byte, descriptors included), counting the key frame's longer first
//! descriptor (3 + 5 bytes instead of 3) as part of its share. When a payload has less than
//! 12 bytes of room, a key frame's first payload still carries at least one byte of the
//! frame, so the last payload may come out a few bytes short.
//!
//! **Receiving.** Every descriptor form: I (7 or 15 bits), P, L (with TL0PICIDX in
//! non-flexible mode), F (up to three P_DIFFs chained by the N bit), B, E, V (N_S, Y with
//! each layer's resolution, G with the picture group description), Z. A frame here is a
//! *layer frame* (B to E), so [`Vp9Depacketizer::is_frame_end`] reads the E bit rather than
//! the marker, which RFC 9628 §4.1 sets only at the end of the whole picture.

mod descriptor;
mod header;

pub use descriptor::{
    Vp9Descriptor, Vp9Layer, Vp9PictureGroup, Vp9PictureGroupEntry, Vp9Resolutions,
    Vp9ScalabilityStructure,
};

use crate::codec::{DepacketizeError, Depacketizer, PacketizeError, Packetizer};
use crate::vp8::EvenSplit;
use header::FrameKind;

/// Length of the descriptor [`Vp9Packetizer`] writes on every payload: the first octet and a
/// 15-bit picture ID (RFC 9628 §4.2).
const SEND_DESCRIPTOR_LEN: usize = 3;

/// Descriptor first-octet bits (RFC 9628 §4.2).
const I: u8 = 0x80;
const P: u8 = 0x40;
const B: u8 = 0x08;
const E: u8 = 0x04;
const V: u8 = 0x02;

/// Scalability structure bits (RFC 9628 §4.2.1): Y, resolutions present.
const SS_Y: u8 = 0x10;

/// Splits VP9 frames into RTP payloads (RFC 9628 §4): non-flexible mode, a 15-bit picture
/// ID that increments per frame, P from the frame's header, the scalability structure on key
/// frames, and evenly sized payloads (see the [module docs](self)).
#[derive(Debug, Clone, Default)]
pub struct Vp9Packetizer {
    picture_id: u16,
    scratch: Vec<u8>,
}

impl Vp9Packetizer {
    /// A packetizer whose first frame gets picture ID `first_picture_id` (taken modulo 2^15;
    /// RFC 9628 §4.2: it SHOULD be random).
    #[must_use]
    pub const fn new(first_picture_id: u16) -> Self {
        Self {
            picture_id: first_picture_id & 0x7fff,
            scratch: Vec::new(),
        }
    }

    /// The picture ID the next frame will carry (RFC 9628 §4.2).
    #[must_use]
    pub const fn next_picture_id(&self) -> u16 {
        self.picture_id
    }
}

/// The scalability structure sent on a key frame (RFC 9628 §4.2.1), and its length.
fn key_frame_ss(width: u32, height: u32) -> ([u8; 5], usize) {
    match (u16::try_from(width), u16::try_from(height)) {
        (Ok(width), Ok(height)) => {
            let [w0, w1] = width.to_be_bytes();
            let [h0, h1] = height.to_be_bytes();
            ([SS_Y, w0, w1, h0, h1], 5)
        }
        // N_S=0, Y=0, G=0.
        _ => ([0; 5], 1),
    }
}

impl Packetizer for Vp9Packetizer {
    /// Splits one VP9 frame (RFC 9628 §4.1); `max_payload` must leave room for the 3-byte
    /// descriptor (8 bytes on a key frame's first payload) and one byte.
    ///
    /// # Errors
    /// Also [`PacketizeError::MalformedFrame`] when the frame does not start with a valid
    /// uncompressed header (wrong frame marker or sync code, a reserved bit set, or too short
    /// for the fields read).
    fn packetize(
        &mut self,
        frame: &[u8],
        max_payload: usize,
        emit: &mut dyn FnMut(&[u8]),
    ) -> Result<usize, PacketizeError> {
        if frame.is_empty() {
            return Err(PacketizeError::EmptyFrame);
        }
        let (predicted, ss, ss_len) = match header::frame_kind(frame)? {
            FrameKind::Key { width, height } => {
                let (ss, len) = key_frame_ss(width, height);
                (0, ss, len)
            }
            FrameKind::NotKey => (P, [0; 5], 0),
        };
        let cap = max_payload.saturating_sub(SEND_DESCRIPTOR_LEN);
        let first_cap = cap.saturating_sub(ss_len);
        let chunks =
            EvenSplit::new(frame, first_cap, cap, 1).ok_or(PacketizeError::PayloadSizeTooSmall)?;
        let [high, low] = (0x8000 | self.picture_id).to_be_bytes();
        let mut count = 0;
        for (chunk, last) in chunks {
            let mut octet = I | predicted;
            if count == 0 {
                octet |= B;
                if ss_len > 0 {
                    octet |= V;
                }
            }
            if last {
                octet |= E;
            }
            self.scratch.clear();
            self.scratch.extend_from_slice(&[octet, high, low]);
            if count == 0 {
                self.scratch
                    .extend_from_slice(ss.get(..ss_len).unwrap_or_default());
            }
            self.scratch.extend_from_slice(chunk);
            emit(&self.scratch);
            count += 1;
        }
        self.picture_id = (self.picture_id + 1) & 0x7fff;
        Ok(count)
    }
}

/// Rebuilds VP9 layer frames from RTP payloads (RFC 9628 §4): reads every descriptor form
/// and concatenates the VP9 data after the descriptors, from the payload with B=1 to the one
/// with E=1.
#[derive(Debug, Clone, Copy, Default)]
#[non_exhaustive]
pub struct Vp9Depacketizer {}

impl Vp9Depacketizer {
    /// A VP9 depacketizer (RFC 9628 §4); it keeps no state between frames.
    #[must_use]
    pub const fn new() -> Self {
        Self {}
    }
}

impl Depacketizer for Vp9Depacketizer {
    /// B=1 in a valid descriptor: the payload starts a layer frame (RFC 9628 §4.2).
    fn is_frame_start(&self, payload: &[u8]) -> bool {
        Vp9Descriptor::parse(payload).is_ok_and(|d| d.begins_frame)
    }

    /// E=1 in a valid descriptor: the payload ends a layer frame (RFC 9628 §4.2). The marker
    /// bit is not consulted: it ends the whole picture, after its last spatial layer.
    fn is_frame_end(&self, payload: &[u8], _marker: bool) -> bool {
        Vp9Descriptor::parse(payload).is_ok_and(|d| d.ends_frame)
    }

    /// P=0 and B=1 on spatial layer 0 (or without layer indices) in a valid descriptor
    /// (RFC 9628 §4.2).
    fn is_keyframe(&self, payload: &[u8]) -> bool {
        Vp9Descriptor::parse(payload).is_ok_and(|d| d.is_keyframe_start())
    }

    /// Concatenates the VP9 data of one layer frame's `payloads` (RFC 9628 §4.1): the first
    /// must have B=1 and the last E=1 ([`DepacketizeError::Incomplete`] otherwise), no other
    /// may have B or E ([`DepacketizeError::Malformed`]), and every descriptor must be
    /// valid.
    fn depacketize(
        &mut self,
        payloads: &mut dyn Iterator<Item = &[u8]>,
        frame: &mut Vec<u8>,
    ) -> Result<(), DepacketizeError> {
        crate::codec::append_or_restore(frame, |frame| append_layer_frame(payloads, frame))
    }
}

/// Appends the VP9 data of one layer frame's payloads to `frame`; on error `frame` may hold
/// part of it.
fn append_layer_frame(
    payloads: &mut dyn Iterator<Item = &[u8]>,
    frame: &mut Vec<u8>,
) -> Result<(), DepacketizeError> {
    let mut first = true;
    let mut ended = false;
    for payload in payloads {
        let descriptor = Vp9Descriptor::parse(payload)?;
        if ended {
            return Err(DepacketizeError::Malformed);
        }
        match (first, descriptor.begins_frame) {
            (true, false) => return Err(DepacketizeError::Incomplete),
            (false, true) => return Err(DepacketizeError::Malformed),
            _ => {}
        }
        frame.extend_from_slice(payload.get(descriptor.len..).unwrap_or_default());
        first = false;
        ended = descriptor.ends_frame;
    }
    if !ended {
        return Err(DepacketizeError::Incomplete);
    }
    Ok(())
}
