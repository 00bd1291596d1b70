//! RTCP of a PeerConnection's media: our reports (an SR per stream we send, report blocks for
//! the streams we receive, and an SDES CNAME, RFC 3550 §6.4, §6.5) at the interval of RFC 3550
//! §6.3 with the reduced minimum of §6.2; generic NACKs for missing packets (RFC 4585 §6.2.1);
//! PLI and FIR on request (RFC 4585 §6.3.1, RFC 5104 §4.3.1). And what the peer sends: its
//! SRs (for our LSR and DLSR), report blocks about us (the round trip time), NACKs (answered
//! from the send history), PLI and FIR (surfaced to the application). Every compound that
//! authenticates is also handed to the application as it is.

use std::time::{Duration, Instant};

use sansrtc_rtp::rtcp::{
    Compound, DlrrSubBlock, ExtendedReportRepr, FirEntry, FirRepr, NackRepr, PayloadFeedback,
    PliRepr, ReceiverReportRepr, RtcpPacket, RtcpRepr, SenderReportRepr, SourceDescriptionRepr,
    TransportFeedback, XrBlock, XrBlockRepr,
};

use super::transceiver::TransceiverId;
use super::{KeyframeRequest, Media, MediaError};

/// The session bandwidth the report interval assumes (RFC 3550 §6.2), bits per second.
const SESSION_BANDWIDTH: f64 = 2_000_000.0;

impl Media {
    /// The SSRC our reports and feedback come from: the first transceiver's.
    fn report_ssrc(&self) -> u32 {
        self.transceivers.first().map_or(1, |t| t.send().ssrc)
    }

    /// The RFC 3550 §6.3.1 interval for two members, RTCP at 5% of the session bandwidth,
    /// the reduced minimum of §6.2 (360 / session bandwidth in kbit/s seconds), randomized
    /// over [0.5, 1.5] and divided by e − 3/2.
    pub(super) fn report_interval(&mut self) -> Duration {
        // Two members; RTCP at 5% of the session bandwidth, in bytes per second; C is the
        // average compound size over it, and the interval n × C (the sender/receiver split
        // of §6.3.1 does not apply with one sender among two members).
        let rtcp_bandwidth = SESSION_BANDWIDTH * 0.05 / 8.0;
        let average_size = 120.0;
        let computed = 2.0 * average_size / rtcp_bandwidth;
        let minimum = 360.0 / (SESSION_BANDWIDTH / 1000.0);
        let deterministic = computed.max(minimum);
        let random = 0.5 + f64::from(rand::Rng::next_u32(&mut self.rng)) / f64::from(u32::MAX);
        Duration::from_secs_f64(deterministic * random / (std::f64::consts::E - 1.5))
    }

    /// Sends an SR or RR compound now.
    pub(super) fn send_report(&mut self, now: Instant) {
        let sender = self.report_ssrc();
        let mut blocks: Vec<_> = self
            .streams
            .values_mut()
            .filter_map(|s| s.report_block(now))
            .collect();
        blocks.truncate(31);
        let ntp = self.ntp(now);
        let mut packets = Vec::new();
        for send in self
            .transceivers
            .iter()
            .flat_map(|t| &t.sends)
            .filter(|s| s.packets_sent > 0)
        {
            let rtp_timestamp = send.last.map_or(0, |(timestamp, rate, at)| {
                let elapsed = now.saturating_duration_since(at).as_secs_f64();
                timestamp.wrapping_add((elapsed * f64::from(rate)) as u32)
            });
            packets.push(RtcpRepr::from(SenderReportRepr {
                ssrc: send.ssrc,
                ntp_timestamp: ntp,
                rtp_timestamp,
                packet_count: send.packets_sent as u32,
                octet_count: send.octets_sent as u32,
                reports: if packets.is_empty() {
                    std::mem::take(&mut blocks)
                } else {
                    Vec::new()
                },
                profile_extension: Vec::new(),
            }));
        }
        if packets.is_empty() {
            packets.push(RtcpRepr::from(ReceiverReportRepr {
                ssrc: sender,
                reports: blocks,
                profile_extension: Vec::new(),
            }));
        }
        packets.push(SourceDescriptionRepr::cname(sender, self.cname()).into());
        // RFC 3611 §4.4, §4.5: a receiver reference time, so that a side that only receives
        // measures the round trip too (NACK timing needs it), and DLRR for the peer's.
        let mut blocks = Vec::new();
        if !self.streams.is_empty() {
            blocks.push(XrBlockRepr::ReceiverReferenceTime { ntp_timestamp: ntp });
        }
        if !self.rrtr.is_empty() {
            let dlrr = self
                .rrtr
                .drain(..)
                .map(|(ssrc, last_rr, at)| DlrrSubBlock {
                    ssrc,
                    last_rr,
                    delay_since_last_rr: (now.saturating_duration_since(at).as_secs_f64() * 65536.0)
                        as u32,
                })
                .collect();
            blocks.push(XrBlockRepr::Dlrr(dlrr));
        }
        if !blocks.is_empty() {
            packets.push(RtcpRepr::from(ExtendedReportRepr {
                ssrc: sender,
                blocks,
            }));
        }
        self.send_rtcp(&packets);
    }

    /// Protects and queues one compound.
    fn send_rtcp(&mut self, packets: &[RtcpRepr]) {
        let mut out = self.buffer();
        out.clear();
        if RtcpRepr::write_compound(packets, &mut out).is_err() {
            self.recycle(out);
            return;
        }
        let Some(srtp) = self.session() else {
            return;
        };
        if srtp.outbound.protect_rtcp(&mut out).is_ok() && self.queue.len() < super::MAX_QUEUED {
            self.queue.push_back(out);
        }
    }

    /// NACKs for the packets missing now.
    pub(super) fn send_nacks(&mut self, now: Instant) {
        let sender = self.report_ssrc();
        let rtt = self.rtt.unwrap_or(Duration::from_millis(100));
        let mut lost = std::mem::take(&mut self.lost);
        let mut packets = Vec::new();
        for stream in self.streams.values_mut() {
            stream.due_nacks(now, rtt, &mut lost);
            if !lost.is_empty() {
                packets.push(RtcpRepr::from(NackRepr::from_lost(
                    sender,
                    stream.ssrc,
                    &lost,
                )));
            }
        }
        self.lost = lost;
        if !packets.is_empty() {
            self.send_rtcp(&packets);
        }
    }

    /// Transport-wide feedback of the arrivals since the last one.
    pub(super) fn send_transport_feedback(&mut self, now: Instant) {
        let sender = self.report_ssrc();
        // Several messages when more arrived than one reports (1,000 each), at most 16.
        for _ in 0..16 {
            let Some(feedback) = self.twcc.build(now, sender) else {
                break;
            };
            self.send_rtcp(&[RtcpRepr::from(feedback)]);
        }
    }

    /// Asks the sender of what transceiver `id` receives for a key frame.
    pub(crate) fn request_keyframe(
        &mut self,
        id: TransceiverId,
        kind: KeyframeRequest,
    ) -> Result<(), MediaError> {
        let index = id.0 as usize;
        if index >= self.transceivers.len() {
            return Err(MediaError::UnknownTransceiver);
        }
        if !self.keyed() {
            return Err(MediaError::NotReady);
        }
        let sender = self.report_ssrc();
        let routes: Vec<u32> = self
            .routes
            .iter()
            .filter(|(_, r)| r.transceiver == index && r.repairs.is_none())
            .map(|(s, _)| *s)
            .collect();
        let mut packets = Vec::new();
        for ssrc in routes {
            let Some(stream) = self.streams.get_mut(&ssrc) else {
                continue;
            };
            packets.push(match kind {
                KeyframeRequest::Pli => {
                    stream.plis_sent += 1;
                    RtcpRepr::from(PliRepr {
                        sender_ssrc: sender,
                        media_ssrc: ssrc,
                    })
                }
                KeyframeRequest::Fir => {
                    stream.firs_sent += 1;
                    stream.fir_sequence = stream.fir_sequence.wrapping_add(1);
                    RtcpRepr::from(FirRepr {
                        sender_ssrc: sender,
                        media_ssrc: 0,
                        entries: vec![FirEntry {
                            ssrc,
                            sequence_number: stream.fir_sequence,
                        }],
                    })
                }
            });
        }
        if !packets.is_empty() {
            self.send_rtcp(&packets);
        }
        Ok(())
    }

    /// An RTCP compound from the peer (`buffer` holds it, protected).
    pub(super) fn handle_rtcp(&mut self, now: Instant, mut buffer: Vec<u8>) {
        let Some(srtp) = self.session() else {
            return;
        };
        let Ok(len) = srtp.inbound.unprotect_rtcp(&mut buffer) else {
            self.dropped += 1;
            self.recycle(buffer);
            return;
        };
        buffer.truncate(len);
        let mut retransmit: Vec<(usize, usize, u16)> = Vec::new();
        let mut keyframes: Vec<(usize, KeyframeRequest)> = Vec::new();
        let ntp_now = self.ntp(now);
        for packet in Compound::new(&buffer).packets() {
            let Ok(packet) = packet else {
                break;
            };
            match packet {
                RtcpPacket::SenderReport(sr) => {
                    if let Some(stream) = self.streams.get_mut(&sr.ssrc()) {
                        stream.on_sender_report(now, sr.ntp_timestamp());
                    }
                    self.report_blocks(ntp_now, sr.report_blocks());
                }
                RtcpPacket::ReceiverReport(rr) => self.report_blocks(ntp_now, rr.report_blocks()),
                RtcpPacket::ExtendedReport(xr) => {
                    let us = self.report_ssrc();
                    for block in xr.blocks() {
                        match block {
                            XrBlock::ReceiverReferenceTime { ntp_timestamp } => {
                                self.rrtr.retain(|(s, _, _)| *s != xr.ssrc());
                                if self.rrtr.len() < 16 {
                                    self.rrtr
                                        .push((xr.ssrc(), (ntp_timestamp >> 16) as u32, now));
                                }
                            }
                            XrBlock::Dlrr(subs) => {
                                for sub in subs.filter(|s| s.ssrc == us && s.last_rr != 0) {
                                    let rtt = ((ntp_now >> 16) as u32)
                                        .wrapping_sub(sub.last_rr)
                                        .wrapping_sub(sub.delay_since_last_rr);
                                    if rtt < 60 << 16 {
                                        self.rtt =
                                            Some(Duration::from_secs_f64(f64::from(rtt) / 65536.0));
                                    }
                                }
                            }
                            _ => {}
                        }
                    }
                }
                RtcpPacket::TransportFeedback(TransportFeedback::Nack(nack)) => {
                    if let Some((index, layer)) = self.sender_index(nack.media_ssrc()) {
                        self.transceivers[index].sends[layer].nacks_received += 1;
                        retransmit.extend(nack.lost_sequence_numbers().map(|s| (index, layer, s)));
                    }
                }
                RtcpPacket::PayloadFeedback(PayloadFeedback::Pli(pli)) => {
                    if let Some((index, layer)) = self.sender_index(pli.media_ssrc()) {
                        self.transceivers[index].sends[layer].plis_received += 1;
                        keyframes.push((index, KeyframeRequest::Pli));
                    }
                }
                RtcpPacket::PayloadFeedback(PayloadFeedback::Fir(fir)) => {
                    for entry in fir.entries() {
                        if let Some((index, layer)) = self.sender_index(entry.ssrc) {
                            self.transceivers[index].sends[layer].firs_received += 1;
                            keyframes.push((index, KeyframeRequest::Fir));
                        }
                    }
                }
                _ => {}
            }
        }
        retransmit.truncate(1024);
        for (index, layer, sequence) in retransmit {
            self.retransmit(now, index, layer, sequence);
        }
        for (index, kind) in keyframes {
            self.events.push_back(crate::Event::KeyframeRequested {
                transceiver: TransceiverId(index as u32),
                kind,
            });
        }
        self.events.push_back(crate::Event::Rtcp(buffer));
    }

    /// The transceiver and layer that send `ssrc` (or its RTX).
    fn sender_index(&self, ssrc: u32) -> Option<(usize, usize)> {
        self.transceivers.iter().enumerate().find_map(|(i, t)| {
            t.sends
                .iter()
                .position(|s| s.ssrc == ssrc || s.rtx_ssrc == Some(ssrc))
                .map(|layer| (i, layer))
        })
    }

    /// Report blocks about our streams: the round trip time (RFC 3550 §6.4.1: arrival minus
    /// LSR minus DLSR, in 1/65536 s).
    fn report_blocks(&mut self, ntp_now: u64, blocks: sansrtc_rtp::rtcp::ReportBlocks<'_>) {
        let now_middle = (ntp_now >> 16) as u32;
        for block in blocks {
            let Some((index, layer)) = self.sender_index(block.ssrc) else {
                continue;
            };
            let rtt = now_middle
                .wrapping_sub(block.last_sender_report)
                .wrapping_sub(block.delay_since_last_sender_report);
            // A value past a minute is a clock jump or a forged block, not a round trip.
            let rtt = (block.last_sender_report != 0 && rtt < 60 << 16)
                .then(|| Duration::from_secs_f64(f64::from(rtt) / 65536.0));
            if rtt.is_some() {
                self.rtt = rtt;
            }
            self.transceivers[index].sends[layer].remote_report = Some((block, rtt));
        }
    }

    /// Answers a NACK for `sequence` of transceiver `index`'s stream `layer`.
    fn retransmit(&mut self, now: Instant, index: usize, layer: usize, sequence: u16) {
        let t = &self.transceivers[index];
        let ids = t.extensions;
        let (mid, mid_len) = super::transceiver::mid_bytes(t);
        let layer_rid = t.sends[layer].rid;
        let rid: &[u8] = layer_rid.as_ref().map_or(&[], |r| r.as_str().as_bytes());
        let values = self.extension_values(ids, &mid[..mid_len], rid, now);
        let mut out = self.buffer();
        let t = &mut self.transceivers[index];
        let (send, codecs) = (&mut t.sends[layer], &t.codecs);
        let rtx_type = |payload_type: u8| {
            codecs
                .iter()
                .find(|c| c.payload_type == payload_type)
                .and_then(|c| c.rtx_payload_type)
        };
        if send.write_retransmission(sequence, rtx_type, &values, &mut out) {
            let _ = self.queue_rtp(out);
        } else {
            self.recycle(out);
        }
    }
}
