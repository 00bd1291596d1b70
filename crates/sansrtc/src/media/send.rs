//! The RTP stream a transceiver sends: sequence numbers, the counters an SR reports (RFC 3550
//! §6.4.1), the RTP-to-wall-clock mapping of the last packet, and a bounded history of the
//! packets sent, so that a NACK (RFC 4585 §6.2.1) is answered by RTX (RFC 4588) or a plain
//! retransmission.

use std::time::Instant;

use sansrtc_rtp::rtp::{Element, Extensions, RtpHeader, RtpPacket};

use super::transceiver::ExtensionIds;

/// One packet kept for retransmission.
#[derive(Debug, Default)]
struct Kept {
    sequence: Option<u16>,
    packet: Vec<u8>,
}

/// What we send on one transceiver.
#[derive(Debug)]
pub(crate) struct SendStream {
    /// Its simulcast layer, if it is one.
    pub(crate) rid: Option<super::transceiver::Rid>,
    pub(crate) ssrc: u32,
    pub(crate) rtx_ssrc: Option<u32>,
    next_sequence: u16,
    next_rtx_sequence: u16,
    pub(crate) packets_sent: u64,
    pub(crate) octets_sent: u64,
    pub(crate) retransmitted_packets: u64,
    pub(crate) retransmitted_bytes: u64,
    pub(crate) nacks_received: u64,
    pub(crate) plis_received: u64,
    pub(crate) firs_received: u64,
    /// Frames sent by the frame API.
    pub(crate) frames_sent: u64,
    /// The peer's last report block about this stream, and the round trip it gave.
    pub(crate) remote_report: Option<(sansrtc_rtp::rtcp::ReportBlock, Option<std::time::Duration>)>,
    /// The RTP timestamp and clock rate of the last packet, and when it went.
    pub(crate) last: Option<(u32, u32, Instant)>,
    history: Vec<Kept>,
    history_len: usize,
}

/// The header fields the application gives for one packet.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Outgoing<'a> {
    pub(crate) payload_type: u8,
    pub(crate) timestamp: u32,
    pub(crate) marker: bool,
    pub(crate) payload: &'a [u8],
    pub(crate) clock_rate: u32,
}

/// Per-packet values of the header extensions we write.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ExtensionValues<'a> {
    pub(crate) ids: ExtensionIds,
    /// The mid, as the extension carries it (at most 16 bytes in the one-byte form).
    pub(crate) mid: &'a [u8],
    /// The simulcast layer's rid (empty without): rtp-stream-id on media packets,
    /// repaired-rtp-stream-id on their retransmissions (RFC 8852).
    pub(crate) rid: &'a [u8],
    pub(crate) transport_sequence: u16,
    /// abs-send-time: seconds since an arbitrary epoch in 6.18 fixed point, 24 bits.
    pub(crate) abs_send_time: u32,
}

/// Writes `header` with our extensions, then `payload`, into `out`.
fn write(
    header: RtpHeader<'_>,
    extensions: &ExtensionValues<'_>,
    repair: bool,
    prefix: &[u8],
    payload: &[u8],
    out: &mut Vec<u8>,
) {
    let twcc = extensions.transport_sequence.to_be_bytes();
    let abs = extensions.abs_send_time.to_be_bytes();
    let mut elements: [Element<'_>; 4] = [Element { id: 0, data: &[] }; 4];
    let mut n = 0;
    let ids = extensions.ids;
    let mut add = |id: Option<u8>, data| {
        if let Some(id) = id
            && n < elements.len()
        {
            elements[n] = Element { id, data };
            n += 1;
        }
    };
    if !extensions.mid.is_empty() && extensions.mid.len() <= 16 {
        add(ids.mid, extensions.mid);
    }
    if !extensions.rid.is_empty() {
        add(
            if repair { ids.repaired_rid } else { ids.rid },
            extensions.rid,
        );
    }
    add(ids.transport_cc, &twcc[..]);
    add(ids.abs_send_time, &abs[1..]);
    let header = RtpHeader {
        extensions: if n == 0 {
            Extensions::None
        } else {
            Extensions::Elements {
                form: sansrtc_rtp::rtp::ElementForm::Auto,
                elements: &elements[..n],
            }
        },
        ..header
    };
    // Ids come from the SDP (1 to 255 after parsing); one that does not fit is dropped.
    if header.write_packet(&[], 0, out).is_err() {
        let plain = RtpHeader {
            extensions: Extensions::None,
            ..header
        };
        let _ = plain.write_packet(&[], 0, out);
    }
    out.extend_from_slice(prefix);
    out.extend_from_slice(payload);
}

impl SendStream {
    /// A stream with these SSRCs, a random first sequence number (RFC 3550 §5.1) and room for
    /// `history_len` packets to retransmit.
    pub(crate) fn new(
        ssrc: u32,
        rtx_ssrc: Option<u32>,
        first_sequence: u16,
        history_len: usize,
    ) -> Self {
        Self {
            rid: None,
            ssrc,
            rtx_ssrc,
            next_sequence: first_sequence,
            next_rtx_sequence: first_sequence.wrapping_add(0x5555),
            packets_sent: 0,
            octets_sent: 0,
            retransmitted_packets: 0,
            retransmitted_bytes: 0,
            nacks_received: 0,
            plis_received: 0,
            firs_received: 0,
            frames_sent: 0,
            remote_report: None,
            last: None,
            history: Vec::new(),
            history_len,
        }
    }

    /// Writes the next packet of this stream into `out` and keeps a copy for
    /// retransmission. Returns its sequence number.
    pub(crate) fn write_packet(
        &mut self,
        now: Instant,
        packet: Outgoing<'_>,
        extensions: &ExtensionValues<'_>,
        out: &mut Vec<u8>,
    ) -> u16 {
        let sequence = self.next_sequence;
        self.next_sequence = sequence.wrapping_add(1);
        let header = RtpHeader {
            marker: packet.marker,
            payload_type: packet.payload_type,
            sequence_number: sequence,
            timestamp: packet.timestamp,
            ssrc: self.ssrc,
            ..RtpHeader::default()
        };
        write(header, extensions, false, &[], packet.payload, out);
        self.packets_sent += 1;
        self.octets_sent += packet.payload.len() as u64;
        self.last = Some((packet.timestamp, packet.clock_rate, now));
        if self.history_len > 0 {
            if self.history.len() < self.history_len {
                self.history.resize_with(self.history_len, Kept::default);
            }
            let kept = &mut self.history[usize::from(sequence) % self.history_len];
            kept.sequence = Some(sequence);
            kept.packet.clear();
            kept.packet.extend_from_slice(out);
        }
        sequence
    }

    /// Writes the retransmission of packet `sequence` into `out`, if it is still kept: on the
    /// RTX stream with `rtx_payload_type` (RFC 4588 §4: the original sequence number, then
    /// the original payload), or as it was when there is no RTX.
    pub(crate) fn write_retransmission(
        &mut self,
        sequence: u16,
        rtx_payload_type: impl Fn(u8) -> Option<u8>,
        extensions: &ExtensionValues<'_>,
        out: &mut Vec<u8>,
    ) -> bool {
        if self.history_len == 0 || self.history.is_empty() {
            return false;
        }
        let kept = &self.history[usize::from(sequence) % self.history_len];
        if kept.sequence != Some(sequence) {
            return false;
        }
        let Ok(original) = RtpPacket::new_checked(kept.packet.as_slice()) else {
            return false;
        };
        let rtx = self.rtx_ssrc.zip(rtx_payload_type(original.payload_type()));
        match rtx {
            Some((rtx_ssrc, rtx_payload_type)) => {
                let rtx_sequence = self.next_rtx_sequence;
                self.next_rtx_sequence = rtx_sequence.wrapping_add(1);
                let header = RtpHeader {
                    marker: original.marker(),
                    payload_type: rtx_payload_type,
                    sequence_number: rtx_sequence,
                    timestamp: original.timestamp(),
                    ssrc: rtx_ssrc,
                    ..RtpHeader::default()
                };
                write(
                    header,
                    extensions,
                    true,
                    &sequence.to_be_bytes(),
                    original.payload(),
                    out,
                );
            }
            None => {
                out.clear();
                out.extend_from_slice(&kept.packet);
            }
        }
        self.retransmitted_packets += 1;
        self.retransmitted_bytes += out.len() as u64;
        true
    }
}
