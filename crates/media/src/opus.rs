//! The Opus RTP payload format (RFC 7587): [`OpusPacketizer`] and [`OpusDepacketizer`].
//!
//! The payload is one Opus packet (RFC 7587 §4.2), with no payload header: an Opus packet is
//! never split across RTP packets, so one frame (an Opus packet, RFC 6716 §3) is one payload.
//! Every payload is therefore a frame start, a frame end and decodable on its own (Opus
//! carries its decoder state in-band; a receiver can join at any packet).

use crate::codec::{DepacketizeError, Depacketizer, PacketizeError, Packetizer};

/// Puts Opus packets into RTP payloads, one each (RFC 7587 §4.2).
#[derive(Debug, Clone, Copy, Default)]
#[non_exhaustive]
pub struct OpusPacketizer {}

impl OpusPacketizer {
    /// An Opus packetizer (RFC 7587 §4.2); it keeps no state.
    #[must_use]
    pub const fn new() -> Self {
        Self {}
    }
}

impl Packetizer for OpusPacketizer {
    /// Emits `frame` (one Opus packet) as the single payload (RFC 7587 §4.2).
    ///
    /// # Errors
    /// [`PacketizeError::EmptyFrame`]; [`PacketizeError::PayloadSizeTooSmall`] when the
    /// packet is longer than `max_payload` (RFC 7587 §4.2 forbids splitting it).
    fn packetize(
        &mut self,
        frame: &[u8],
        max_payload: usize,
        emit: &mut dyn FnMut(&[u8]),
    ) -> Result<usize, PacketizeError> {
        if frame.is_empty() {
            return Err(PacketizeError::EmptyFrame);
        }
        if frame.len() > max_payload {
            return Err(PacketizeError::PayloadSizeTooSmall);
        }
        emit(frame);
        Ok(1)
    }
}

/// Takes Opus packets out of RTP payloads, one each (RFC 7587 §4.2).
#[derive(Debug, Clone, Copy, Default)]
#[non_exhaustive]
pub struct OpusDepacketizer {}

impl OpusDepacketizer {
    /// An Opus depacketizer (RFC 7587 §4.2); it keeps no state.
    #[must_use]
    pub const fn new() -> Self {
        Self {}
    }
}

impl Depacketizer for OpusDepacketizer {
    /// Always: every payload is a whole Opus packet (RFC 7587 §4.2).
    fn is_frame_start(&self, _payload: &[u8]) -> bool {
        true
    }

    /// Always: every payload is a whole Opus packet (RFC 7587 §4.2), whatever the marker
    /// (which RFC 7587 §4.1 uses for talkspurts, not frame ends).
    fn is_frame_end(&self, _payload: &[u8], _marker: bool) -> bool {
        true
    }

    /// Always: an Opus packet needs no earlier packet to be decoded (RFC 6716 §4).
    fn is_keyframe(&self, _payload: &[u8]) -> bool {
        true
    }

    /// Appends the one payload of `payloads` (RFC 7587 §4.2).
    ///
    /// # Errors
    /// [`DepacketizeError::Incomplete`] for no payload, [`DepacketizeError::Truncated`] for
    /// an empty one (an Opus packet has at least its TOC byte, RFC 6716 §3.1), and
    /// [`DepacketizeError::Malformed`] for more than one.
    fn depacketize(
        &mut self,
        payloads: &mut dyn Iterator<Item = &[u8]>,
        frame: &mut Vec<u8>,
    ) -> Result<(), DepacketizeError> {
        let packet = payloads.next().ok_or(DepacketizeError::Incomplete)?;
        if packet.is_empty() {
            return Err(DepacketizeError::Truncated);
        }
        if payloads.next().is_some() {
            return Err(DepacketizeError::Malformed);
        }
        frame.extend_from_slice(packet);
        Ok(())
    }
}
