//! Building transport-wide feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1)
//! the way libwebrtc does, byte for byte.

use super::chunk::{ChunkEncoder, PacketStatus};
use super::{DELTA_UNIT_US, FIXED_LEN, REFERENCE_TIME_UNIT_US, TransportCc};
use crate::error::BuildError;
use crate::rtcp::feedback::{FCI_START, emit_feedback, feedback_len};
use crate::rtcp::wire::{Writer, fits_i24, i24_bits, impl_write_to};
use crate::rtcp::{fmt, packet_type};

/// What transport-wide feedback says about one packet: its status with the receive delta
/// that status carries (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1.1, §3.1.5).
/// Deltas are in 250 µs units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reception {
    /// Not received.
    NotReceived,
    /// Received with a one-byte delta, 0..=255 units (0 to 63.75 ms).
    SmallDelta(u8),
    /// Received with a two-byte signed delta (negative or above 63.75 ms).
    LargeDelta(i16),
    /// The reserved status symbol; no delta.
    Reserved,
}

impl Reception {
    /// A received packet with a receive delta of `delta` units of 250 µs: the small form for
    /// 0..=255, else the large form; `None` when it does not fit 16 signed bits (libwebrtc then
    /// starts a new feedback message).
    pub fn received(delta: i32) -> Option<Self> {
        if let Ok(small) = u8::try_from(delta) {
            Some(Self::SmallDelta(small))
        } else {
            i16::try_from(delta).ok().map(Self::LargeDelta)
        }
    }

    /// A received packet with a receive delta in microseconds, rounded to the nearest 250 µs
    /// as libwebrtc rounds; `None` when it does not fit.
    pub fn received_us(delta_us: i64) -> Option<Self> {
        let half = DELTA_UNIT_US / 2;
        let rounded = if delta_us < 0 {
            delta_us - half
        } else {
            delta_us + half
        };
        Self::received(i32::try_from(rounded / DELTA_UNIT_US).ok()?)
    }

    /// The status symbol.
    pub fn status(self) -> PacketStatus {
        match self {
            Self::NotReceived => PacketStatus::NotReceived,
            Self::SmallDelta(_) => PacketStatus::ReceivedSmallDelta,
            Self::LargeDelta(_) => PacketStatus::ReceivedLargeDelta,
            Self::Reserved => PacketStatus::Reserved,
        }
    }

    /// The receive delta in 250 µs units, for received packets.
    pub fn delta(self) -> Option<i32> {
        match self {
            Self::SmallDelta(d) => Some(d.into()),
            Self::LargeDelta(d) => Some(d.into()),
            Self::NotReceived | Self::Reserved => None,
        }
    }
}

/// An owned transport-wide feedback message
/// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1), to build or to keep.
///
/// [`emit`](Self::emit) chooses packet chunks exactly as libwebrtc's `TransportFeedback` does
/// (run-length while a run lasts, else seven two-bit or fourteen one-bit symbols) and pads the
/// message to 32 bits with RTCP padding, P bit set, so the bytes match Chrome's. A message
/// parsed from another encoder can come back with different chunks but the same packets.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct TransportCcRepr {
    /// SSRC of the packet sender.
    pub sender_ssrc: u32,
    /// SSRC of the media source.
    pub media_ssrc: u32,
    /// Transport-wide sequence number of `packets[0]`.
    pub base_sequence_number: u16,
    /// Reference time in 64 ms units, a signed 24-bit value.
    pub reference_time: i32,
    /// Feedback packet count, incremented per message sent.
    pub feedback_packet_count: u8,
    /// One entry per packet from the base sequence number on, at most 65535.
    pub packets: Vec<Reception>,
    /// Write statuses only, without receive deltas (libwebrtc's feedback without timestamps).
    /// Parsing such a message gives zero deltas. When no packet is received the bytes are the
    /// same either way, and they parse back with this flag false.
    pub omit_receive_deltas: bool,
}

impl TransportCcRepr {
    /// Copies a checked view.
    pub fn parse(view: &TransportCc<'_>) -> Self {
        Self {
            sender_ssrc: view.sender_ssrc(),
            media_ssrc: view.media_ssrc(),
            base_sequence_number: view.base_sequence_number(),
            reference_time: view.reference_time(),
            feedback_packet_count: view.feedback_packet_count(),
            packets: view.packets().map(|p| p.reception()).collect(),
            omit_receive_deltas: !view.has_receive_deltas(),
        }
    }

    /// The reference time in microseconds.
    pub fn reference_time_us(&self) -> i64 {
        i64::from(self.reference_time) * REFERENCE_TIME_UNIT_US
    }

    /// Chunk count and receive delta bytes, in one pass over the packets.
    fn layout(&self) -> (usize, usize) {
        let (mut chunks, mut deltas) = (0, 0);
        let mut count = |_| chunks += 1;
        let mut encoder = ChunkEncoder::new();
        for packet in &self.packets {
            encoder.push(packet.status().symbol(), &mut count);
            deltas += packet.status().delta_size();
        }
        encoder.finish(&mut count);
        (chunks, if self.omit_receive_deltas { 0 } else { deltas })
    }

    /// Length of the packet [`emit`](Self::emit) writes.
    pub fn buffer_len(&self) -> usize {
        let (chunks, deltas) = self.layout();
        feedback_len(FIXED_LEN + 2 * chunks + deltas)
    }

    /// Writes the packet at the start of `buf` and returns its length
    /// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1).
    ///
    /// # Errors
    /// [`BuildError::TooLarge`] for more than 65535 packets, a reference time outside 24
    /// signed bits, a packet over the length field's range or a short `buf`.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, BuildError> {
        let count = u16::try_from(self.packets.len()).map_err(|_| BuildError::TooLarge)?;
        if !fits_i24(self.reference_time) {
            return Err(BuildError::TooLarge);
        }
        // The chunks go straight into the buffer, after the header, the SSRCs and the fixed
        // fields; their number is known once they are written.
        let Some(chunk_area) = buf.get_mut(FCI_START + FIXED_LEN..) else {
            return Err(BuildError::TooLarge);
        };
        let mut w = Writer::new(chunk_area);
        let mut encoder = ChunkEncoder::new();
        let mut sink = |chunk: u16| w.u16(chunk);
        for packet in &self.packets {
            encoder.push(packet.status().symbol(), &mut sink);
        }
        encoder.finish(&mut sink);
        let chunks_len = w.pos();
        let delta_len = self.layout_deltas();
        let fci_len = FIXED_LEN + chunks_len + delta_len;
        let ssrcs = (self.sender_ssrc, self.media_ssrc);
        let format = fmt::TRANSPORT_CC;
        emit_feedback(
            buf,
            packet_type::TRANSPORT_FEEDBACK,
            format,
            ssrcs,
            fci_len,
            |w| {
                w.u16(self.base_sequence_number);
                w.u16(count);
                w.u24(i24_bits(self.reference_time));
                w.u8(self.feedback_packet_count);
                // Already in place.
                w.skip(chunks_len);
                if !self.omit_receive_deltas {
                    for packet in &self.packets {
                        match *packet {
                            Reception::SmallDelta(d) => w.u8(d),
                            Reception::LargeDelta(d) => w.bytes(&d.to_be_bytes()),
                            Reception::NotReceived | Reception::Reserved => {}
                        }
                    }
                }
            },
        )
    }

    /// Receive delta bytes.
    fn layout_deltas(&self) -> usize {
        if self.omit_receive_deltas {
            0
        } else {
            self.packets.iter().map(|p| p.status().delta_size()).sum()
        }
    }
}

impl_write_to!(TransportCcRepr);

impl From<&TransportCc<'_>> for TransportCcRepr {
    fn from(view: &TransportCc<'_>) -> Self {
        Self::parse(view)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn received_picks_the_delta_form() {
        assert_eq!(Reception::received(0), Some(Reception::SmallDelta(0)));
        assert_eq!(Reception::received(255), Some(Reception::SmallDelta(255)));
        assert_eq!(Reception::received(256), Some(Reception::LargeDelta(256)));
        assert_eq!(Reception::received(-1), Some(Reception::LargeDelta(-1)));
        assert_eq!(Reception::received(40_000), None);
        assert_eq!(
            Reception::received_us(52_000),
            Some(Reception::SmallDelta(208))
        );
        assert_eq!(
            Reception::received_us(-125),
            Some(Reception::LargeDelta(-1))
        );
        assert_eq!(Reception::received_us(124), Some(Reception::SmallDelta(0)));
    }

    #[test]
    fn single_packet_feedback_is_padded_like_libwebrtc() {
        let repr = TransportCcRepr {
            sender_ssrc: 0xfa17_fa17,
            media_ssrc: 0x4303_2fa0,
            base_sequence_number: 153,
            reference_time: 4_057_090,
            feedback_packet_count: 23,
            packets: vec![Reception::SmallDelta(148)],
            omit_receive_deltas: false,
        };
        let mut out = Vec::new();
        repr.write_to(&mut out).unwrap();
        let expected = [
            0xaf, 0xcd, 0, 5, 0xfa, 0x17, 0xfa, 0x17, 0x43, 0x03, 0x2f, 0xa0, 0, 0x99, 0, 1, 0x3d,
            0xe8, 0x02, 0x17, 0x20, 0x01, 0x94, 0x01,
        ];
        assert_eq!(out, expected);
        assert_eq!(
            TransportCcRepr::parse(&TransportCc::new_checked(&out).unwrap()),
            repr
        );
    }

    #[test]
    fn feedback_without_deltas_round_trips() {
        let repr = TransportCcRepr {
            packets: vec![
                Reception::SmallDelta(0),
                Reception::NotReceived,
                Reception::LargeDelta(0),
            ],
            omit_receive_deltas: true,
            ..TransportCcRepr::default()
        };
        let mut out = Vec::new();
        repr.write_to(&mut out).unwrap();
        assert_eq!(out.len(), 4 + 8 + 8 + 2 + 2);
        assert_eq!(
            TransportCcRepr::parse(&TransportCc::new_checked(&out).unwrap()),
            repr
        );
    }

    #[test]
    fn reference_time_out_of_range_is_too_large() {
        let repr = TransportCcRepr {
            reference_time: 1 << 23,
            ..TransportCcRepr::default()
        };
        assert_eq!(repr.write_to(&mut Vec::new()), Err(BuildError::TooLarge));
    }
}
