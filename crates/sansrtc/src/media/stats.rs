//! The media half of `stats()`: W3C `RTCInboundRtpStreamStats` for each SSRC we receive,
//! `RTCOutboundRtpStreamStats` for each stream we send, and `RTCRemoteInboundRtpStreamStats`
//! from the peer's report blocks about ours, with the browser's names in snake case.

use crate::stats::{InboundRtpStats, OutboundRtpStats, RemoteInboundRtpStats};

use super::Media;
use super::transceiver::{MediaKind, TransceiverId};

fn kind_name(kind: MediaKind) -> &'static str {
    match kind {
        MediaKind::Audio => "audio",
        MediaKind::Video => "video",
    }
}

impl Media {
    /// Inbound streams, by SSRC.
    pub(crate) fn inbound_stats(&self) -> Vec<InboundRtpStats> {
        let mut out: Vec<InboundRtpStats> = self
            .streams
            .iter()
            .filter_map(|(ssrc, stream)| {
                let route = self.routes.get(ssrc)?;
                let t = self.transceivers.get(route.transceiver)?;
                let frames = self
                    .assemblers
                    .get(ssrc)
                    .map(super::codecs::Assembler::stats);
                Some(InboundRtpStats {
                    transceiver: TransceiverId(route.transceiver as u32),
                    kind: kind_name(t.kind),
                    mid: t.mid.clone(),
                    rid: stream.rid,
                    ssrc: *ssrc,
                    packets_received: stream.received,
                    bytes_received: stream.bytes,
                    packets_lost: stream.lost(),
                    jitter: f64::from(stream.jitter()) / f64::from(stream.clock_rate.max(1)),
                    nack_count: stream.nacks_sent,
                    pli_count: stream.plis_sent,
                    fir_count: stream.firs_sent,
                    frames_received: frames.map_or(0, |f| f.frames_delivered),
                    frames_dropped: frames.map_or(0, |f| f.frames_dropped),
                    retransmitted_packets_received: stream.repaired,
                })
            })
            .collect();
        out.sort_by_key(|s| (s.transceiver, s.ssrc));
        out
    }

    /// Outbound streams, one per transceiver that sent.
    pub(crate) fn outbound_stats(&self) -> Vec<OutboundRtpStats> {
        self.transceivers
            .iter()
            .enumerate()
            .flat_map(|(i, t)| t.sends.iter().map(move |s| (i, t, s)))
            .filter(|(_, _, s)| s.packets_sent > 0)
            .map(|(i, t, s)| OutboundRtpStats {
                transceiver: TransceiverId(i as u32),
                kind: kind_name(t.kind),
                mid: t.mid.clone(),
                rid: s.rid,
                ssrc: s.ssrc,
                rtx_ssrc: s.rtx_ssrc,
                packets_sent: s.packets_sent,
                bytes_sent: s.octets_sent,
                retransmitted_packets_sent: s.retransmitted_packets,
                retransmitted_bytes_sent: s.retransmitted_bytes,
                nack_count: s.nacks_received,
                pli_count: s.plis_received,
                fir_count: s.firs_received,
                frames_sent: s.frames_sent,
            })
            .collect()
    }

    /// What the peer reported about our streams.
    pub(crate) fn remote_inbound_stats(&self) -> Vec<RemoteInboundRtpStats> {
        self.transceivers
            .iter()
            .flat_map(|t| t.sends.iter().map(move |s| (t, s)))
            .filter_map(|(t, s)| {
                let (block, rtt) = s.remote_report?;
                let clock_rate = s.last.map_or(90_000, |(_, rate, _)| rate);
                Some(RemoteInboundRtpStats {
                    ssrc: block.ssrc,
                    kind: kind_name(t.kind),
                    packets_lost: i64::from(block.cumulative_lost),
                    fraction_lost: f64::from(block.fraction_lost) / 256.0,
                    jitter: f64::from(block.jitter) / f64::from(clock_rate.max(1)),
                    round_trip_time: rtt.map(|r| r.as_secs_f64()),
                })
            })
            .collect()
    }
}
