//! The payload format of a negotiated codec (sansrtc-media): a packetizer for the frame API's
//! sending side, and a frame assembler with the matching depacketizer for its receiving side.

use std::time::Instant;

use sansrtc_media::{
    AssembledFrame, AssemblerConfig, DepacketizeError, Depacketizer, FrameAssembler,
    PacketizeError, Packetizer, av1, h264, opus, vp8, vp9,
};

use super::transceiver::NegotiatedCodec;

/// Any depacketizer, boxed.
pub(crate) struct AnyDepacketizer(Box<dyn Depacketizer + Send>);

impl std::fmt::Debug for AnyDepacketizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AnyDepacketizer")
    }
}

impl Depacketizer for AnyDepacketizer {
    fn is_frame_start(&self, payload: &[u8]) -> bool {
        self.0.is_frame_start(payload)
    }
    fn is_frame_end(&self, payload: &[u8], marker: bool) -> bool {
        self.0.is_frame_end(payload, marker)
    }
    fn is_keyframe(&self, payload: &[u8]) -> bool {
        self.0.is_keyframe(payload)
    }
    fn depacketize(
        &mut self,
        payloads: &mut dyn Iterator<Item = &[u8]>,
        frame: &mut Vec<u8>,
    ) -> Result<(), DepacketizeError> {
        self.0.depacketize(payloads, frame)
    }
}

/// The frame assembler of one received stream.
#[derive(Debug)]
pub(crate) struct Assembler(FrameAssembler<AnyDepacketizer>);

impl Assembler {
    /// An assembler for `codec`, if sansrtc-media reads it.
    pub(crate) fn for_codec(codec: &NegotiatedCodec) -> Option<Self> {
        let depacketizer: Box<dyn Depacketizer + Send> =
            match codec.name.to_ascii_lowercase().as_str() {
                "opus" => Box::new(opus::OpusDepacketizer::default()),
                "vp8" => Box::new(vp8::Vp8Depacketizer::default()),
                "vp9" => Box::new(vp9::Vp9Depacketizer::default()),
                "h264" => Box::new(h264::H264Depacketizer::default()),
                "av1" => Box::new(av1::Av1Depacketizer::default()),
                _ => return None,
            };
        Some(Self(FrameAssembler::new(
            AnyDepacketizer(depacketizer),
            AssemblerConfig::default(),
        )))
    }

    pub(crate) fn push(
        &mut self,
        now: Instant,
        sequence: u16,
        timestamp: u32,
        marker: bool,
        payload: &[u8],
    ) -> Result<(), sansrtc_media::PushError> {
        self.0.push(now, sequence, timestamp, marker, payload)
    }

    pub(crate) fn pop_frame(
        &mut self,
        now: Instant,
        frame: &mut Vec<u8>,
    ) -> Option<AssembledFrame> {
        self.0.pop_frame(now, frame)
    }

    pub(crate) fn stats(&self) -> sansrtc_media::AssemblerStats {
        self.0.stats()
    }
}

/// The packetizer of one sending codec.
pub(crate) struct FramePacketizer(Box<dyn Packetizer + Send>);

impl std::fmt::Debug for FramePacketizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FramePacketizer")
    }
}

impl FramePacketizer {
    /// A packetizer for `codec` (`seed` picks the first VP8/VP9 picture id), if
    /// sansrtc-media writes it.
    pub(crate) fn for_codec(codec: &NegotiatedCodec, seed: u32) -> Option<Self> {
        let picture_id = (seed & 0x7fff) as u16;
        let packetizer: Box<dyn Packetizer + Send> = match codec.name.to_ascii_lowercase().as_str()
        {
            "opus" => Box::new(opus::OpusPacketizer::default()),
            "vp8" => Box::new(vp8::Vp8Packetizer::new(picture_id)),
            "vp9" => Box::new(vp9::Vp9Packetizer::new(picture_id)),
            "h264" => Box::new(h264::H264Packetizer::new(
                h264::PacketizationMode::from_fmtp(codec.packetization_mode)?,
            )),
            "av1" => Box::new(av1::Av1Packetizer::default()),
            _ => return None,
        };
        Some(Self(packetizer))
    }

    pub(crate) fn packetize(
        &mut self,
        frame: &[u8],
        max_payload: usize,
        emit: &mut dyn FnMut(&[u8]),
    ) -> Result<usize, PacketizeError> {
        self.0.packetize(frame, max_payload, emit)
    }
}
