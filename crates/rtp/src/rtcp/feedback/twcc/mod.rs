//! Transport-wide congestion control feedback (RTPFB FMT 15;
//! draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1): per-packet arrival status and
//! receive deltas for a range of transport-wide sequence numbers.

mod chunk;
mod repr;

pub use chunk::{PacketChunk, PacketStatus};
pub use repr::{Reception, TransportCcRepr};

use super::RawFeedback;
use crate::error::{ParseError, ParseErrorKind};
use crate::rtcp::header::RawPacket;
use crate::rtcp::wire::{sign_extend_24, sub, u8_at, u16_at, u24_at};
use crate::rtcp::{fmt, packet_type};

/// Bytes of FCI before the packet chunks: base sequence number, packet status count,
/// reference time and feedback packet count.
const FIXED_LEN: usize = 8;

/// Microseconds per reference time unit (64 ms).
pub(crate) const REFERENCE_TIME_UNIT_US: i64 = 64_000;

/// Microseconds per receive delta unit (250 µs).
pub(crate) const DELTA_UNIT_US: i64 = 250;

/// Where the chunks end and whether receive deltas follow, found by one walk of the FCI.
struct Layout {
    chunks_end: usize,
    has_deltas: bool,
}

/// Walks the chunks of a transport-wide feedback FCI and checks the receive deltas fit.
fn layout(fci: &[u8]) -> Result<Layout, (ParseErrorKind, usize)> {
    if fci.len() < FIXED_LEN {
        return Err((ParseErrorKind::BadLength, fci.len()));
    }
    let count = usize::from(u16_at(fci, 2));
    let mut covered = 0;
    let mut pos = FIXED_LEN;
    let mut delta_bytes = 0;
    while covered < count {
        if fci.len() < pos + 2 {
            // The chunks describe fewer packets than the status count.
            return Err((ParseErrorKind::Truncated, fci.len()));
        }
        let chunk = PacketChunk::from_bits(u16_at(fci, pos));
        let n = chunk.capacity().min(count - covered);
        delta_bytes += chunk.delta_bytes(n);
        covered += n;
        pos += 2;
    }
    let rest = fci.len() - pos;
    if rest >= delta_bytes {
        Ok(Layout {
            chunks_end: pos,
            has_deltas: true,
        })
    } else if rest == 0 {
        // libwebrtc's feedback without timestamps: statuses only.
        Ok(Layout {
            chunks_end: pos,
            has_deltas: false,
        })
    } else {
        Err((ParseErrorKind::Truncated, fci.len()))
    }
}

/// A checked view of transport-wide congestion control feedback
/// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1).
///
/// Construction walks every chunk once and checks that the chunks cover the packet status
/// count and that the receive deltas fit, so [`packets`](Self::packets) never fails. A message
/// whose FCI ends right after its chunks is accepted as feedback without receive deltas, as
/// libwebrtc sends when timestamps are not requested; deltas that are only partly there are
/// an error. Bytes after the last delta are ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransportCc<'a> {
    feedback: RawFeedback<'a>,
    chunks_end: usize,
    has_deltas: bool,
}

impl<'a> TransportCc<'a> {
    /// Checks `bytes` as exactly one transport-wide feedback packet.
    ///
    /// # Errors
    /// As [`RawPacket::new_checked`] and [`from_raw`](Self::from_raw).
    pub fn new_checked(bytes: &'a [u8]) -> Result<Self, ParseError> {
        Self::from_raw(RawPacket::new_checked(bytes)?)
    }

    /// Checks a framed packet as transport-wide feedback: PT 205, FMT 15, the fixed fields,
    /// chunks covering the packet status count and receive deltas that fit
    /// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1).
    ///
    /// # Errors
    /// [`WrongType`](ParseErrorKind::WrongType), [`BadLength`](ParseErrorKind::BadLength) for
    /// an FCI under eight bytes, [`Truncated`](ParseErrorKind::Truncated) when the chunks or
    /// the deltas run out.
    pub fn from_raw(raw: RawPacket<'a>) -> Result<Self, ParseError> {
        let feedback = RawFeedback::typed(raw, packet_type::TRANSPORT_FEEDBACK, fmt::TRANSPORT_CC)?;
        let layout = layout(feedback.fci()).map_err(|(kind, at)| feedback.fci_error(kind, at))?;
        Ok(Self {
            feedback,
            chunks_end: layout.chunks_end,
            has_deltas: layout.has_deltas,
        })
    }

    /// The common feedback part.
    pub fn feedback(&self) -> RawFeedback<'a> {
        self.feedback
    }

    /// SSRC of the packet sender.
    pub fn sender_ssrc(&self) -> u32 {
        self.feedback.sender_ssrc()
    }

    /// SSRC of the media source (by convention the first media SSRC; the feedback is
    /// transport-wide).
    pub fn media_ssrc(&self) -> u32 {
        self.feedback.media_ssrc()
    }

    /// Transport-wide sequence number of the first packet reported.
    pub fn base_sequence_number(&self) -> u16 {
        u16_at(self.feedback.fci(), 0)
    }

    /// How many packets the message reports, from the base sequence number on.
    pub fn packet_status_count(&self) -> u16 {
        u16_at(self.feedback.fci(), 2)
    }

    /// The reference time: a signed 24-bit count of 64 ms units in the sender's time base.
    pub fn reference_time(&self) -> i32 {
        sign_extend_24(u24_at(self.feedback.fci(), 4))
    }

    /// The reference time in microseconds.
    pub fn reference_time_us(&self) -> i64 {
        i64::from(self.reference_time()) * REFERENCE_TIME_UNIT_US
    }

    /// The feedback packet count: a sequence number of feedback messages, to detect lost
    /// feedback.
    pub fn feedback_packet_count(&self) -> u8 {
        u8_at(self.feedback.fci(), 7)
    }

    /// Whether the message carries receive deltas (false for feedback without timestamps).
    pub fn has_receive_deltas(&self) -> bool {
        self.has_deltas
    }

    /// The packet chunks that describe the status count, in order.
    pub fn chunks(&self) -> PacketChunks<'a> {
        PacketChunks {
            bytes: sub(self.feedback.fci(), FIXED_LEN, self.chunks_end),
        }
    }

    /// The receive delta bytes (empty without receive deltas), trailing bytes included.
    fn deltas(&self) -> &'a [u8] {
        if self.has_deltas {
            self.feedback.fci().get(self.chunks_end..).unwrap_or(&[])
        } else {
            &[]
        }
    }

    /// Every reported packet in sequence order: its sequence number, status and receive
    /// delta.
    pub fn packets(&self) -> TransportCcPackets<'a> {
        TransportCcPackets {
            chunks: self.chunks(),
            deltas: self.deltas(),
            has_deltas: self.has_deltas,
            current: PacketChunk::RunLength {
                status: PacketStatus::NotReceived,
                run_length: 0,
            },
            index: 0,
            capacity: 0,
            remaining: self.packet_status_count(),
            sequence_number: self.base_sequence_number(),
        }
    }
}

/// Iterator over the packet chunks of a [`TransportCc`]
/// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1.2). Allocation-free.
#[derive(Debug, Clone)]
pub struct PacketChunks<'a> {
    bytes: &'a [u8],
}

impl Iterator for PacketChunks<'_> {
    type Item = PacketChunk;

    fn next(&mut self) -> Option<PacketChunk> {
        let word = self.bytes.get(..2)?;
        self.bytes = self.bytes.get(2..).unwrap_or(&[]);
        Some(PacketChunk::from_bits(u16_at(word, 0)))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.bytes.len() / 2, Some(self.bytes.len() / 2))
    }
}

impl ExactSizeIterator for PacketChunks<'_> {}

/// One packet reported by transport-wide feedback
/// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PacketFeedback {
    /// The packet's transport-wide sequence number.
    pub sequence_number: u16,
    /// Whether and how the packet was received.
    pub status: PacketStatus,
    /// The receive delta in 250 µs units: arrival time minus the previous received packet's
    /// (the reference time for the first). `None` for packets not received, reserved
    /// statuses, and feedback without receive deltas.
    pub delta: Option<i32>,
}

impl PacketFeedback {
    /// The receive delta in microseconds.
    pub fn delta_us(&self) -> Option<i64> {
        self.delta.map(|d| i64::from(d) * DELTA_UNIT_US)
    }

    /// The status and delta as a [`Reception`]; a received packet without a delta (feedback
    /// without receive deltas) gets a zero delta.
    pub fn reception(&self) -> Reception {
        let delta = self.delta.unwrap_or(0);
        match self.status {
            PacketStatus::NotReceived => Reception::NotReceived,
            PacketStatus::ReceivedSmallDelta => Reception::SmallDelta(delta.clamp(0, 255) as u8),
            PacketStatus::ReceivedLargeDelta => {
                Reception::LargeDelta(delta.clamp(i16::MIN.into(), i16::MAX.into()) as i16)
            }
            PacketStatus::Reserved => Reception::Reserved,
        }
    }
}

/// Iterator over the packets of a [`TransportCc`], in sequence order. Allocation-free; on a
/// checked view it yields exactly the packet status count.
#[derive(Debug, Clone)]
pub struct TransportCcPackets<'a> {
    chunks: PacketChunks<'a>,
    deltas: &'a [u8],
    has_deltas: bool,
    /// The chunk being read, the next index in it and its capacity.
    current: PacketChunk,
    index: usize,
    capacity: usize,
    remaining: u16,
    sequence_number: u16,
}

impl TransportCcPackets<'_> {
    /// The receive delta of a packet with `status`, or `Err` when the bytes run out (which a
    /// checked view rules out).
    fn read_delta(&mut self, status: PacketStatus) -> Result<Option<i32>, ()> {
        if !self.has_deltas {
            return Ok(None);
        }
        match status.delta_size() {
            1 => {
                let (&small, rest) = self.deltas.split_first().ok_or(())?;
                self.deltas = rest;
                Ok(Some(i32::from(small)))
            }
            2 => {
                let (&[hi, lo], rest) = self.deltas.split_first_chunk().ok_or(())?;
                self.deltas = rest;
                Ok(Some(i32::from(i16::from_be_bytes([hi, lo]))))
            }
            _ => Ok(None),
        }
    }
}

impl Iterator for TransportCcPackets<'_> {
    type Item = PacketFeedback;

    fn next(&mut self) -> Option<PacketFeedback> {
        if self.remaining == 0 {
            return None;
        }
        while self.index >= self.capacity {
            let Some(chunk) = self.chunks.next() else {
                // Cannot happen on a checked view: the chunks cover the count.
                self.remaining = 0;
                return None;
            };
            self.current = chunk;
            self.index = 0;
            self.capacity = chunk.capacity();
        }
        let status = match self.current {
            PacketChunk::RunLength { status, .. } => status,
            // index < capacity: 14 or 7.
            PacketChunk::OneBitVector { symbols } => {
                PacketStatus::from_symbol(((symbols >> (13 - self.index)) & 1) as u8)
            }
            PacketChunk::TwoBitVector { symbols } => {
                PacketStatus::from_symbol((symbols >> (2 * (6 - self.index))) as u8)
            }
        };
        self.index += 1;
        let Ok(delta) = self.read_delta(status) else {
            self.remaining = 0;
            return None;
        };
        let sequence_number = self.sequence_number;
        self.sequence_number = sequence_number.wrapping_add(1);
        self.remaining -= 1;
        Some(PacketFeedback {
            sequence_number,
            status,
            delta,
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        // Exact on a checked view, whose chunks and deltas cover the count.
        (
            usize::from(self.remaining),
            Some(usize::from(self.remaining)),
        )
    }
}

impl ExactSizeIterator for TransportCcPackets<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn libwebrtc_feedback_decodes() {
        let bytes = hex("8fcd000716ca50ceae6572570a74000a053f58bb200ae0000400000000001400");
        let view = TransportCc::new_checked(&bytes).unwrap();
        assert_eq!(view.base_sequence_number(), 2676);
        assert_eq!(view.packet_status_count(), 10);
        assert_eq!(view.reference_time(), 343_896);
        assert_eq!(view.feedback_packet_count(), 187);
        let deltas: Vec<Option<i32>> = view.packets().map(|p| p.delta).collect();
        let expected = [224, 0, 4, 0, 0, 0, 0, 0, 20, 0].map(Some);
        assert_eq!(deltas, expected);
        assert_eq!(view.packets().last().unwrap().sequence_number, 2685);
    }

    #[test]
    fn negative_reference_time_sign_extends() {
        let bytes = hex("8fcd000516ca50ceae6572570a740001ffff010120010000");
        let view = TransportCc::new_checked(&bytes).unwrap();
        assert_eq!(view.reference_time(), -255);
        assert_eq!(view.reference_time_us(), -255 * 64_000);
    }

    #[test]
    fn chunks_short_of_the_status_count_are_truncated() {
        // Status count 20, one run-length chunk of 10, then nothing.
        let bytes = hex("8fcd000516ca50ceae6572570a740014053f58bb200a0000");
        let e = TransportCc::new_checked(&bytes).unwrap_err();
        assert_eq!(e.kind, ParseErrorKind::Truncated);
    }

    #[test]
    fn feedback_without_deltas_is_accepted() {
        // Two received packets, run-length chunk, then two bytes of RTCP padding.
        let bytes = hex("afcd000516ca50ceae6572570a740002053f58bb20020002");
        let view = TransportCc::new_checked(&bytes).unwrap();
        assert!(!view.has_receive_deltas());
        let packets: Vec<PacketFeedback> = view.packets().collect();
        assert_eq!(packets.len(), 2);
        assert!(
            packets
                .iter()
                .all(|p| p.delta.is_none() && p.status.is_received())
        );
    }
}
