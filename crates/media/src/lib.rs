//! RTP payload formats for sansrtc, and frame assembly.
//!
//! - [`Packetizer`] and [`Depacketizer`] ([`codec`]): one pair per format: [`opus`]
//!   (RFC 7587), [`vp8`] (RFC 7741), [`vp9`] (RFC 9628), [`h264`] (RFC 6184, packetization
//!   modes 0 and 1) and [`av1`] (the AV1 RTP payload specification).
//! - [`FrameAssembler`]: puts received packets back in order within a bounded window, finds
//!   whole frames (start, end, no gap), and hands each to a depacketizer; a frame that lost a
//!   packet is dropped and counted, never delivered damaged.
//!
//! Sans-IO and allocation-free in steady state: payloads are written into buffers the caller
//! or the assembler keeps and reuses.
#![forbid(unsafe_code)]

pub mod assembler;
pub mod av1;
pub mod codec;
pub mod h264;
pub mod opus;
pub mod vp8;
pub mod vp9;

pub use assembler::{AssembledFrame, AssemblerConfig, AssemblerStats, FrameAssembler, PushError};
pub use codec::{DepacketizeError, Depacketizer, PacketizeError, Packetizer};
