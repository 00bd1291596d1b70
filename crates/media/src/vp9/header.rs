//! Just enough of the VP9 uncompressed header (VP9 Bitstream Specification v0.6 §6.2,
//! `uncompressed_header()`) for the packetizer: whether a frame is a key frame, and a key
//! frame's size for the scalability structure (RFC 9628 §4.2.1).

use crate::codec::PacketizeError;

/// `frame_marker`: the first two bits of every VP9 frame (§6.2).
const FRAME_MARKER: u32 = 2;

/// `frame_sync_code` of key frames (§6.2.1).
const SYNC_CODE: [u32; 3] = [0x49, 0x83, 0x42];

/// `color_space` value CS_RGB (§7.2.2).
const CS_RGB: u32 = 7;

/// What the packetizer learns from a frame's uncompressed header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FrameKind {
    /// `frame_type` = KEY_FRAME, with `frame_width_minus_1 + 1` and
    /// `frame_height_minus_1 + 1` (§6.2.3).
    Key { width: u32, height: u32 },
    /// An inter frame, an intra-only frame, or `show_existing_frame` = 1: it needs earlier
    /// frames, so P=1.
    NotKey,
}

/// A most-significant-bit-first reader (§4.9, `f(n)`); running out of bits means the frame
/// is malformed.
struct Bits<'a> {
    data: &'a [u8],
    bit: usize,
}

impl Bits<'_> {
    fn read(&mut self, n: u32) -> Result<u32, PacketizeError> {
        let mut value = 0;
        for _ in 0..n {
            let byte = *self
                .data
                .get(self.bit / 8)
                .ok_or(PacketizeError::MalformedFrame)?;
            let bit = (byte >> (7 - self.bit % 8)) & 1;
            value = (value << 1) | u32::from(bit);
            self.bit += 1;
        }
        Ok(value)
    }

    /// Reads a bit that the specification requires to be zero.
    fn reserved_zero(&mut self) -> Result<(), PacketizeError> {
        match self.read(1)? {
            0 => Ok(()),
            _ => Err(PacketizeError::MalformedFrame),
        }
    }
}

/// Reads the start of `frame`'s uncompressed header: `frame_marker`, the profile (with the
/// reserved bit of profile 3), `show_existing_frame`, `frame_type`, and for key frames the
/// sync code, `color_config()` and `frame_size()` (§6.2).
///
/// # Errors
/// [`PacketizeError::MalformedFrame`] for a wrong frame marker or sync code, a set reserved
/// bit, RGB in profile 0 or 2 (§7.2.2), or a frame too short for the fields read.
pub(crate) fn frame_kind(frame: &[u8]) -> Result<FrameKind, PacketizeError> {
    let mut bits = Bits {
        data: frame,
        bit: 0,
    };
    if bits.read(2)? != FRAME_MARKER {
        return Err(PacketizeError::MalformedFrame);
    }
    let profile_low = bits.read(1)?;
    let profile = (bits.read(1)? << 1) | profile_low;
    if profile == 3 {
        bits.reserved_zero()?;
    }
    if bits.read(1)? == 1 {
        // show_existing_frame: frame_to_show_map_idx, and nothing else.
        bits.read(3)?;
        return Ok(FrameKind::NotKey);
    }
    let frame_type = bits.read(1)?;
    let _show_frame = bits.read(1)?;
    let _error_resilient_mode = bits.read(1)?;
    if frame_type != 0 {
        return Ok(FrameKind::NotKey);
    }
    for expected in SYNC_CODE {
        if bits.read(8)? != expected {
            return Err(PacketizeError::MalformedFrame);
        }
    }
    color_config(&mut bits, profile)?;
    let width = bits.read(16)? + 1;
    let height = bits.read(16)? + 1;
    Ok(FrameKind::Key { width, height })
}

/// Skips `color_config()` (§6.2.2), checking its reserved bit.
fn color_config(bits: &mut Bits<'_>, profile: u32) -> Result<(), PacketizeError> {
    if profile >= 2 {
        let _ten_or_twelve_bit = bits.read(1)?;
    }
    let color_space = bits.read(3)?;
    let has_subsampling_bits = profile == 1 || profile == 3;
    if color_space != CS_RGB {
        let _color_range = bits.read(1)?;
        if has_subsampling_bits {
            let _subsampling_x_y = bits.read(2)?;
            bits.reserved_zero()?;
        }
    } else if has_subsampling_bits {
        bits.reserved_zero()?;
    } else {
        // 4:4:4 (RGB) needs profile 1 or 3.
        return Err(PacketizeError::MalformedFrame);
    }
    Ok(())
}
