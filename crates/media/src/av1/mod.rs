//! AV1 video over RTP: the "RTP Payload Format For AV1" specification of the Alliance for
//! Open Media (aomediacodec.github.io/av1-rtp-spec, v1.0), without the Dependency Descriptor
//! header extension (its Appendix A).
//!
//! Frames are temporal units in the low-overhead bitstream format (AV1 §5.2): OBUs with
//! `obu_has_size_field` set. An RTP payload is the aggregation header (§4.4: `Z|Y|W|N`)
//! followed by OBU elements (§4.5), each an OBU or a fragment of one, preceded by its leb128
//! length except the last when W is 1 to 3. In the payload, OBUs carry no size field (the
//! §4.5 SHOULD); the [`Av1Depacketizer`] puts it back.
//!
//! ```
//! use sansrtc_media::av1::{Av1Depacketizer, Av1Packetizer};
//! use sansrtc_media::{Depacketizer, Packetizer};
//!
//! // A temporal delimiter, a sequence header and a frame, each with its size field.
//! let temporal_unit = [
//!     0x12, 0x00, //
//!     0x0a, 0x03, 0x00, 0x00, 0x00, //
//!     0x32, 0x04, 0x10, 0x00, 0x80, 0x40,
//! ];
//! let mut packetizer = Av1Packetizer::new();
//! let mut payloads = Vec::new();
//! packetizer
//!     .packetize(&temporal_unit, 1200, &mut |p| payloads.push(p.to_vec()))
//!     .unwrap();
//! // N=1 (a new coded video sequence), W=2; the delimiter is not sent.
//! assert_eq!(
//!     payloads,
//!     [[0x28, 0x04, 0x08, 0x00, 0x00, 0x00, 0x30, 0x10, 0x00, 0x80, 0x40]]
//! );
//!
//! let mut depacketizer = Av1Depacketizer::new();
//! assert!(depacketizer.is_frame_start(&payloads[0]));
//! assert!(depacketizer.is_keyframe(&payloads[0]));
//! let mut frame = Vec::new();
//! depacketizer
//!     .depacketize(&mut payloads.iter().map(Vec::as_slice), &mut frame)
//!     .unwrap();
//! assert_eq!(frame, temporal_unit[2..]);
//! ```

mod depacketizer;
mod leb128;
mod obu;
mod packetizer;
#[cfg(test)]
mod tests;

pub use depacketizer::Av1Depacketizer;
pub use packetizer::Av1Packetizer;

/// Aggregation header Z: the first OBU element continues an OBU of the previous packet
/// (§4.4).
const Z_BIT: u8 = 0x80;
/// Aggregation header Y: the last OBU element continues in the next packet (§4.4).
const Y_BIT: u8 = 0x40;
/// Aggregation header W: the number of OBU elements (1 to 3), or 0 when each has a length
/// field (§4.4).
const W_SHIFT: u32 = 4;
/// The largest W: up to three elements, the last one's length can be left out.
const W_MAX: usize = 3;
/// Aggregation header N: the packet is the first of a coded video sequence (§4.4).
const N_BIT: u8 = 0x08;
/// Bytes of the aggregation header.
const AGGREGATION_HEADER_LEN: usize = 1;
