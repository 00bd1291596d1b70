//! Packets out: control chunks first, then a SACK when one is due (bundled with DATA when data
//! goes), then retransmissions, then new DATA within the congestion window and the peer's
//! receiver window (RFC 9260 §6.1, §6.2, §6.10 bundling). One packet per `poll_transmit`,
//! written into the caller's buffer.

use std::time::Instant;

use super::cookie::COOKIE_LEN;
use super::{Association, InFlight, Local, State, features};
use crate::receive::DataTracker;
use crate::send::queue::Fragment;
use crate::wire::{
    AbortRepr, CHUNK_HEADER_LEN, ChecksumMode, ChunkRepr, CommonHeader, CookieEchoRepr,
    DATA_HEADER_LEN, DataRepr, ForwardTsnRepr, GapAckBlock, HeartbeatRepr, IDATA_HEADER_LEN,
    IDataRepr, IForwardTsnRepr, InitParam, InitRepr, List, PacketBuilder, SackRepr,
    ShutdownCompleteRepr, ShutdownRepr, TlvList,
};

/// Gap blocks a SACK carries at most (the rest wait for the next SACK).
const MAX_GAP_BLOCKS: usize = 64;

/// Control chunks waiting to be sent.
#[derive(Debug, Default)]
pub(super) struct Pending {
    pub(super) init: bool,
    /// INIT ACKs to send: the INIT's initiate tag and source port, the tag and initial TSN
    /// we announce, and our signed cookie.
    pub(super) init_acks: Vec<(u32, u16, Local, [u8; COOKIE_LEN])>,
    /// Our HEARTBEAT to send, with its nonce.
    pub(super) heartbeat: Option<[u8; 8]>,
    pub(super) cookie_echo: bool,
    pub(super) cookie_ack: bool,
    pub(super) sack: bool,
    pub(super) heartbeat_acks: Vec<Vec<u8>>,
    pub(super) shutdown: bool,
    pub(super) shutdown_ack: bool,
    pub(super) shutdown_complete: bool,
    pub(super) abort: bool,
    pub(super) forward_tsn: bool,
}

/// Bytes of a DATA or I-DATA chunk before its user data: the chunk header and the fields.
const fn data_overhead(interleaved: bool) -> usize {
    CHUNK_HEADER_LEN
        + if interleaved {
            IDATA_HEADER_LEN
        } else {
            DATA_HEADER_LEN
        }
}

/// Bytes a DATA or I-DATA chunk takes on the wire, padding included.
const fn chunk_size(payload: usize, interleaved: bool) -> usize {
    (data_overhead(interleaved) + payload).div_ceil(4) * 4
}

impl Association {
    fn header(&self, verification_tag: u32) -> CommonHeader {
        CommonHeader {
            source_port: self.config.port,
            destination_port: self.peer_port,
            verification_tag,
        }
    }

    /// Our INIT or INIT ACK (§3.3.2) announcing `local` with `params`.
    fn init_repr<'a>(&self, local: Local, params: &'a [InitParam<'a>]) -> InitRepr<'a> {
        InitRepr {
            initiate_tag: local.tag,
            a_rwnd: u32::try_from(self.config.receive_window).unwrap_or(u32::MAX),
            outbound_streams: self.config.streams,
            inbound_streams: self.config.streams,
            initial_tsn: local.initial_tsn,
            params: TlvList::from_slice(params),
        }
    }

    /// Writes the next packet into `buf`; its length, or `None` when nothing is due.
    pub(super) fn write_packet(&mut self, now: Instant, buf: &mut Vec<u8>) -> Option<usize> {
        buf.clear();
        // Packets that stand alone.
        if let Some((peer_tag, peer_port, local, cookie)) = self.pending.init_acks.pop() {
            let mut params: Vec<InitParam<'_>> = features::init_params(&self.config)
                .into_iter()
                .flatten()
                .collect();
            params.push(InitParam::StateCookie(&cookie));
            let chunk = ChunkRepr::InitAck(self.init_repr(local, &params));
            let header = CommonHeader {
                destination_port: peer_port,
                ..self.header(peer_tag)
            };
            return self.single(buf, header, &chunk);
        }
        if std::mem::take(&mut self.pending.init) {
            let params: Vec<InitParam<'_>> = features::init_params(&self.config)
                .into_iter()
                .flatten()
                .collect();
            let chunk = ChunkRepr::Init(self.init_repr(self.local, &params));
            return self.single(buf, self.header(0), &chunk);
        }
        if std::mem::take(&mut self.pending.abort) {
            // With the peer's tag if known, otherwise ours reflected (§8.5.1 B).
            let (tag, reflected) = match self.peer {
                Some(peer) => (peer.tag, false),
                None => (self.local.tag, true),
            };
            let chunk = ChunkRepr::Abort(AbortRepr {
                tag_reflected: reflected,
                causes: TlvList::default(),
            });
            return self.single(buf, self.header(tag), &chunk);
        }
        let peer = self.peer?;
        if std::mem::take(&mut self.pending.shutdown_complete) {
            let chunk = ChunkRepr::ShutdownComplete(ShutdownCompleteRepr {
                tag_reflected: false,
            });
            return self.single(buf, self.header(peer.tag), &chunk);
        }
        let header = self.header(peer.tag);
        let mtu = self.config.mtu;
        let cookie = self.cookie.take();
        let echo = std::mem::take(&mut self.pending.cookie_echo);
        let mut builder = PacketBuilder::new(buf, header, mtu).ok()?;
        let mut any = false;
        if echo && let Some(cookie) = &cookie {
            any |= builder
                .push(&ChunkRepr::CookieEcho(CookieEchoRepr { cookie }))
                .is_ok();
        }
        self.cookie = cookie;
        if std::mem::take(&mut self.pending.cookie_ack) {
            any |= builder.push(&ChunkRepr::CookieAck).is_ok();
        }
        if std::mem::take(&mut self.pending.shutdown_ack) {
            any |= builder.push(&ChunkRepr::ShutdownAck).is_ok();
        }
        if std::mem::take(&mut self.pending.shutdown) {
            let cumulative = self.tracker.as_ref().map_or(0, DataTracker::cumulative_tsn);
            any |= builder
                .push(&ChunkRepr::Shutdown(ShutdownRepr {
                    cumulative_tsn_ack: cumulative,
                }))
                .is_ok();
        }
        while let Some(info) = self.pending.heartbeat_acks.pop() {
            any |= builder
                .push(&ChunkRepr::HeartbeatAck(HeartbeatRepr { info: &info }))
                .is_ok();
        }
        if let Some(nonce) = self.pending.heartbeat.take() {
            any |= builder
                .push(&ChunkRepr::Heartbeat(HeartbeatRepr { info: &nonce }))
                .is_ok();
        }
        // A SACK when due, or bundled whenever the delayed-ack timer runs and data goes.
        // DATA may ride with the COOKIE ECHO (RFC 9260 §5.1 D), which saves the user's first
        // messages a round trip; otherwise it waits for the association.
        let data_ready = (matches!(
            self.state,
            State::Established | State::ShutdownPending | State::ShutdownReceived
        ) || (echo && self.state == State::CookieEchoed))
            && (self.outstanding.next_retransmission().is_some() || !self.queue.is_empty());
        if (self.pending.sack || (data_ready && self.timers.ack.is_some()))
            && let Some(tracker) = self.tracker.as_mut()
        {
            let blocks: Vec<GapAckBlock> = tracker
                .gap_blocks(MAX_GAP_BLOCKS)
                .map(|(start, end)| GapAckBlock { start, end })
                .collect();
            let duplicates: Vec<u32> = tracker.take_duplicates().collect();
            let free = self
                .config
                .receive_window
                .saturating_sub(self.reassembly.held());
            let sack = SackRepr {
                cumulative_tsn_ack: tracker.cumulative_tsn(),
                a_rwnd: u32::try_from(free).unwrap_or(u32::MAX),
                gap_blocks: List::from_slice(&blocks),
                duplicate_tsns: List::from_slice(&duplicates),
            };
            if builder.push(&ChunkRepr::Sack(sack)).is_ok() {
                any = true;
                self.pending.sack = false;
                self.timers.ack = None;
                self.unacked_packets = 0;
            }
        }
        if matches!(
            self.state,
            State::Established | State::ShutdownPending | State::ShutdownReceived
        ) {
            self.start_reset_request(now);
            while self.reconfig.has_output()
                && self.next_reconfig(|chunk| builder.push(&ChunkRepr::Reconfig(*chunk)).is_ok())
            {
                any = true;
            }
        }
        if std::mem::take(&mut self.pending.forward_tsn) {
            if self.interleaved() {
                if let Some((new_cumulative_tsn, streams)) = self.iforward_tsn_fields() {
                    any |= builder
                        .push(&ChunkRepr::IForwardTsn(IForwardTsnRepr {
                            new_cumulative_tsn,
                            streams: List::from_slice(&streams),
                        }))
                        .is_ok();
                }
            } else if let Some((new_cumulative_tsn, streams)) = self.forward_tsn_fields() {
                any |= builder
                    .push(&ChunkRepr::ForwardTsn(ForwardTsnRepr {
                        new_cumulative_tsn,
                        streams: List::from_slice(&streams),
                    }))
                    .is_ok();
            }
        }
        if data_ready {
            self.abandon(now);
            any |= self.push_data(now, &mut builder);
        }
        if !any {
            buf.clear();
            return None;
        }
        Some(builder.finish(self.checksum_mode()))
    }

    /// A packet of one chunk, with a CRC32c (INIT must have one, RFC 9653 §5.2; the others
    /// go before or after the peer's features are known).
    fn single(
        &self,
        buf: &mut Vec<u8>,
        header: CommonHeader,
        chunk: &ChunkRepr<'_>,
    ) -> Option<usize> {
        let mut builder = PacketBuilder::new(buf, header, self.config.mtu).ok()?;
        builder.push(chunk).ok()?;
        Some(builder.finish(ChecksumMode::Crc32c))
    }

    /// Retransmissions, then new DATA, while the windows allow (§6.1 A, B; §7.2). Returns
    /// whether any went into the packet.
    fn push_data(&mut self, now: Instant, builder: &mut PacketBuilder<'_>) -> bool {
        let mut any = false;
        let interleaved = self.interleaved();
        let cwnd = self.congestion.cwnd();
        // Retransmissions first (§6.3.3 E3, §7.2.4).
        while let Some((tsn, sent)) = self.outstanding.next_retransmission() {
            let size = sent.size;
            if builder.remaining() < size
                || self.outstanding.flight_size() + size > cwnd.max(self.config.mtu)
            {
                return any;
            }
            let f = &sent.payload.fragment;
            if builder.push(&data_chunk(tsn, f, interleaved)).is_err() {
                return any;
            }
            self.outstanding.retransmitted(tsn);
            any = true;
            if self.timers.t3.is_none() {
                self.timers.t3 = Some(now + self.rto.rto());
            }
        }
        // New data: at least one packet when nothing flies (§6.1 rule B, zero window probe).
        // The most user data one packet carries in one chunk.
        let packet_room = self
            .config
            .mtu
            .saturating_sub(crate::wire::HEADER_LEN + data_overhead(interleaved))
            & !3;
        let mut bundled = false;
        loop {
            let flight = self.outstanding.flight_size();
            let room = builder
                .remaining()
                .saturating_sub(data_overhead(interleaved))
                & !3;
            if room == 0 || self.queue.is_empty() {
                return any;
            }
            // A message that fits a packet whole is not split to fill this one's tail: it
            // starts the next packet (fewer chunks, and the receiver reassembles nothing).
            if bundled
                && self
                    .queue
                    .peek_remaining()
                    .is_some_and(|left| left > room && left <= packet_room)
            {
                return any;
            }
            // §6.1 B: new data may go while less than cwnd is in flight (so up to cwnd plus
            // one packet less a byte), never past what the peer's window has left (rule A),
            // and one chunk when nothing is in flight (a zero window probe). Within cwnd a
            // message is not cut to fit cwnd's remainder.
            let rwnd_left = self.peer.map_or(0, |p| p.rwnd);
            // No runt chunk while data flies (sender-side silly window avoidance, RFC 1122
            // §4.2.3.4): wait until the peer's window takes a whole fragment, or the rest of
            // the message.
            let wanted = self
                .queue
                .peek_remaining()
                .map_or(1, |left| left.clamp(1, packet_room));
            if flight > 0 && (flight >= cwnd || rwnd_left < chunk_size(wanted, interleaved)) {
                return any;
            }
            let room = if flight == 0 {
                room
            } else {
                room.min(rwnd_left.saturating_sub(data_overhead(interleaved)).max(1))
            };
            let pool = &mut self.pool;
            let Some(fragment) = self.queue.next_fragment(now, room, pool, |_| {}) else {
                return any;
            };
            let size = chunk_size(fragment.payload.len(), interleaved);
            let tsn = self.outstanding.next_tsn();
            if self.rtt_probe.is_none() {
                self.rtt_probe = Some((tsn, now));
            }
            if builder
                .push(&data_chunk(tsn, &fragment, interleaved))
                .is_err()
            {
                // Cannot happen (room was measured); should it, the fragment goes as a
                // retransmission under the T3 timer.
                self.outstanding.push(size, InFlight { fragment });
                self.outstanding.mark_for_retransmit(tsn);
                if self.timers.t3.is_none() {
                    self.timers.t3 = Some(now + self.rto.rto());
                }
                return any;
            }
            self.outstanding.push(size, InFlight { fragment });
            if let Some(peer) = self.peer.as_mut() {
                peer.rwnd = peer.rwnd.saturating_sub(size);
            }
            bundled = true;
            if self.timers.t3.is_none() {
                self.timers.t3 = Some(now + self.rto.rto());
            }
            any = true;
        }
    }
}

/// The DATA or I-DATA chunk of a queued fragment under `tsn`.
fn data_chunk(tsn: u64, f: &Fragment, interleaved: bool) -> ChunkRepr<'_> {
    // The wire carries the low 32 bits.
    let tsn = (tsn % (1 << 32)) as u32;
    if interleaved {
        ChunkRepr::IData(IDataRepr {
            immediate: false,
            unordered: f.unordered,
            beginning: f.beginning,
            ending: f.end,
            tsn,
            stream_id: f.stream,
            mid: f.sequence,
            ppid_or_fsn: if f.beginning { f.ppid } else { f.fsn },
            user_data: &f.payload,
        })
    } else {
        ChunkRepr::Data(DataRepr {
            immediate: false,
            unordered: f.unordered,
            beginning: f.beginning,
            ending: f.end,
            tsn,
            stream_id: f.stream,
            ssn: (f.sequence & 0xffff) as u16,
            ppid: f.ppid,
            user_data: &f.payload,
        })
    }
}
