//! H.264 video over RTP (RFC 6184), packetization modes 0 (single NAL unit) and 1
//! (non-interleaved).
//!
//! Frames are access units in the Annex B byte stream format (H.264 Annex B): each NAL unit
//! follows a `00 00 01` or `00 00 00 01` start code; zero bytes before a start code
//! (`trailing_zero_8bits`, and the leading zero of a four-byte start code) belong to no NAL
//! unit. The [`H264Packetizer`] sends each NAL unit as a single NAL unit packet (RFC 6184
//! §5.6), aggregates runs of small ones into STAP-A packets (§5.7.1) and fragments large ones
//! into FU-A packets (§5.8). The [`H264Depacketizer`] takes the three payload structures of
//! the non-interleaved mode and writes every NAL unit after a four-byte start code.
//!
//! ```
//! use sansrtc_media::h264::{H264Depacketizer, H264Packetizer, PacketizationMode};
//! use sansrtc_media::{Depacketizer, Packetizer};
//!
//! // SPS, PPS and an IDR slice, with three- and four-byte start codes.
//! let access_unit = [
//!     0, 0, 0, 1, 0x67, 0x42, 0xc0, 0x1f, //
//!     0, 0, 1, 0x68, 0xce, 0x3c, 0x80, //
//!     0, 0, 1, 0x65, 0x88, 0x84, 0x21, 0xa0,
//! ];
//! let mut packetizer = H264Packetizer::new(PacketizationMode::NonInterleaved);
//! let mut payloads = Vec::new();
//! packetizer
//!     .packetize(&access_unit, 1200, &mut |p| payloads.push(p.to_vec()))
//!     .unwrap();
//! assert_eq!(payloads.len(), 1, "one STAP-A");
//!
//! let mut depacketizer = H264Depacketizer::new();
//! assert!(depacketizer.is_frame_start(&payloads[0]));
//! assert!(depacketizer.is_keyframe(&payloads[0]));
//! let mut frame = Vec::new();
//! depacketizer
//!     .depacketize(&mut payloads.iter().map(Vec::as_slice), &mut frame)
//!     .unwrap();
//! assert_eq!(frame[..8], [0, 0, 0, 1, 0x67, 0x42, 0xc0, 0x1f]);
//! assert_eq!(frame.len(), access_unit.len() + 2, "four-byte start codes");
//! ```

mod annexb;
mod depacketizer;
mod packetizer;
#[cfg(test)]
mod tests;

pub use depacketizer::H264Depacketizer;
pub use packetizer::{H264Packetizer, PacketizationMode};

/// The NAL unit header's forbidden_zero_bit, F (RFC 6184 §5.3).
const F_BIT: u8 = 0x80;
/// The NAL unit header's nal_ref_idc, NRI (RFC 6184 §5.3).
const NRI_MASK: u8 = 0x60;
/// The NAL unit header's nal_unit_type, Type (RFC 6184 §5.3).
const TYPE_MASK: u8 = 0x1f;

/// Coded slice of an IDR picture (H.264 Table 7-1).
const NAL_IDR: u8 = 5;
/// Sequence parameter set (H.264 Table 7-1).
const NAL_SPS: u8 = 7;
/// Single-time aggregation packet without DON (RFC 6184 Table 3).
const STAP_A: u8 = 24;
/// Single-time aggregation packet with DON (interleaved mode only).
const STAP_B: u8 = 25;
/// Multi-time aggregation packet, 16-bit timestamp offsets (interleaved mode only).
const MTAP16: u8 = 26;
/// Multi-time aggregation packet, 24-bit timestamp offsets (interleaved mode only).
const MTAP24: u8 = 27;
/// Fragmentation unit without DON (RFC 6184 §5.8).
const FU_A: u8 = 28;
/// Fragmentation unit with DON (interleaved mode only).
const FU_B: u8 = 29;

/// The FU header's Start bit (RFC 6184 §5.8).
const FU_S_BIT: u8 = 0x80;
/// The FU header's End bit (RFC 6184 §5.8).
const FU_E_BIT: u8 = 0x40;

/// Bytes of a STAP-A header (the NAL unit header of type 24).
const STAP_A_HEADER_LEN: usize = 1;
/// Bytes of an aggregation unit's NALU size field in a STAP-A (RFC 6184 §5.7.1).
const STAP_A_SIZE_LEN: usize = 2;
/// Bytes of an FU-A's FU indicator and FU header (RFC 6184 §5.8).
const FU_A_HEADER_LEN: usize = 2;

/// The start code written before every depacketized NAL unit.
const START_CODE: [u8; 4] = [0, 0, 0, 1];

/// Whether a NAL unit of this type can travel in RTP: types 1 to 23 (RFC 6184 Table 3). Types
/// 0, 30 and 31 are reserved and MUST be ignored by receivers (§5.4); 24 to 29 name the
/// payload structures and are not NAL units of H.264 bitstreams.
const fn is_nal_unit_type(nal_type: u8) -> bool {
    matches!(nal_type, 1..=23)
}

/// Whether a NAL unit of this type (1 to 23) starts a key frame: an IDR slice or an SPS.
const fn is_key_nal_type(nal_type: u8) -> bool {
    nal_type == NAL_IDR || nal_type == NAL_SPS
}
