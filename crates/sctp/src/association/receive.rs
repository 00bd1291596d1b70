//! Packets in: verification tags (RFC 9260 §8.5), the handshake (§5.1–5.2), DATA (§6.2),
//! SACK (§6.2.1), HEARTBEAT (§8.3), SHUTDOWN (§9.2), ABORT (§9.1), and the timers.

use std::time::Instant;

use super::cookie::Cookie;
use super::features::Features;
use super::{AbortReason, Association, Error, Event, Local, State};
use crate::receive::{DataTracker, Fragment, Observation};
use crate::send::queue::{MAX_POOLED, MAX_POOLED_CAPACITY};
use crate::wire::{ChunkRepr, InitRepr, Packet, SackRepr, UnrecognizedAction};

/// HEARTBEAT ACKs waiting to go, at most (a flood of HEARTBEATs gets no more).
const MAX_PENDING_HEARTBEAT_ACKS: usize = 4;
/// INIT ACKs waiting to go, at most.
const MAX_PENDING_INIT_ACKS: usize = 4;

/// The unwrapped value of the 32-bit `tsn` nearest to `reference`.
fn near(reference: u64, tsn: u32) -> u64 {
    let low = reference % (1 << 32);
    let forward = (u64::from(tsn) + (1 << 32) - low) % (1 << 32);
    if forward < 1 << 31 {
        reference + forward
    } else {
        reference.saturating_sub((1 << 32) - forward)
    }
}

impl Association {
    pub(super) fn receive_packet(
        &mut self,
        now: Instant,
        packet: &Packet<&[u8]>,
    ) -> Result<(), Error> {
        let tag = packet.verification_tag();
        self.incoming_port = packet.source_port();
        // First pass: the packet's chunks must parse, and its tag must fit them (§8.5).
        let mut has_init = false;
        let mut reflected_ok = false;
        for chunk in packet.chunks() {
            let chunk = chunk.map_err(Error::Malformed)?;
            let repr = ChunkRepr::parse(&chunk).map_err(Error::Malformed)?;
            match repr {
                ChunkRepr::Init(_) => has_init = true,
                ChunkRepr::Abort(a) if a.tag_reflected => {
                    reflected_ok = self.peer.is_some_and(|p| p.tag == tag);
                }
                ChunkRepr::ShutdownComplete(s) if s.tag_reflected => {
                    reflected_ok = self.peer.is_some_and(|p| p.tag == tag);
                }
                // A restart's COOKIE ECHO carries the new tag our INIT ACK announced
                // (§5.2.4); the signed cookie vouches for it.
                ChunkRepr::CookieEcho(echo) if !self.tag_ok(tag) => {
                    reflected_ok |= Cookie::open(echo.cookie, &self.cookie_key)
                        .is_some_and(|c| c.local_tag == tag && c.local_tie_tag == self.local.tag);
                }
                _ => {}
            }
        }
        if has_init {
            // §8.5.1 A: an INIT is alone in its packet, with tag 0.
            if tag != 0 || packet.chunks().count() != 1 {
                return Err(Error::WrongTag);
            }
        } else if !self.tag_ok(tag) && !reflected_ok {
            return Err(Error::WrongTag);
        }
        let mut data_received = false;
        for chunk in packet.chunks() {
            let chunk = chunk.map_err(Error::Malformed)?;
            let repr = ChunkRepr::parse(&chunk).map_err(Error::Malformed)?;
            match repr {
                ChunkRepr::Init(init) => self.receive_init(now, &init),
                ChunkRepr::InitAck(ack) => self.receive_init_ack(now, &ack),
                ChunkRepr::CookieEcho(echo) => self.receive_cookie_echo(now, echo.cookie),
                ChunkRepr::CookieAck if self.state == State::CookieEchoed => self.established(now),
                ChunkRepr::Data(data) => {
                    data_received = true;
                    if !self.interleaved() {
                        self.receive_data(
                            now,
                            &Fragment {
                                tsn: 0,
                                stream: data.stream_id,
                                sequence: u32::from(data.ssn),
                                fsn: 0,
                                ppid: data.ppid,
                                unordered: data.unordered,
                                beginning: data.beginning,
                                end: data.ending,
                                payload: data.user_data,
                            },
                            data.tsn,
                        );
                    }
                }
                ChunkRepr::IData(data) => {
                    data_received = true;
                    if self.interleaved() {
                        self.receive_data(
                            now,
                            &Fragment {
                                tsn: 0,
                                stream: data.stream_id,
                                sequence: data.mid,
                                fsn: data.fsn(),
                                ppid: data.ppid().unwrap_or(0),
                                unordered: data.unordered,
                                beginning: data.beginning,
                                end: data.ending,
                                payload: data.user_data,
                            },
                            data.tsn,
                        );
                    }
                }
                ChunkRepr::Sack(sack) => self.receive_sack(now, &sack),
                ChunkRepr::ForwardTsn(forward) if !self.interleaved() => {
                    self.receive_forward_tsn(&forward);
                }
                ChunkRepr::IForwardTsn(forward) if self.interleaved() => {
                    self.receive_iforward_tsn(&forward);
                }
                ChunkRepr::Reconfig(reconfig) => self.receive_reconfig(now, &reconfig),
                ChunkRepr::HeartbeatAck(ack) => self.receive_heartbeat_ack(now, ack.info),
                ChunkRepr::Heartbeat(heartbeat)
                    if self.pending.heartbeat_acks.len() < MAX_PENDING_HEARTBEAT_ACKS =>
                {
                    self.pending.heartbeat_acks.push(heartbeat.info.to_vec());
                }
                ChunkRepr::Abort(_) => {
                    self.end(Event::Aborted(AbortReason::ByPeer));
                    return Ok(());
                }
                ChunkRepr::Shutdown(shutdown) => {
                    if matches!(self.state, State::Established | State::ShutdownPending) {
                        self.state = State::ShutdownReceived;
                    }
                    let cumulative = shutdown.cumulative_tsn_ack;
                    self.acknowledge(now, cumulative, &[], None);
                    self.progress_shutdown(now);
                }
                ChunkRepr::ShutdownAck => {
                    if matches!(self.state, State::ShutdownSent | State::ShutdownAckSent) {
                        self.pending.shutdown_complete = true;
                        self.end(Event::Closed);
                    }
                }
                ChunkRepr::ShutdownComplete(_) if self.state == State::ShutdownAckSent => {
                    self.end(Event::Closed);
                }
                ChunkRepr::Unknown(unknown) => {
                    // §3.2: the upper two bits say whether to go on with the packet.
                    if matches!(
                        unknown.unrecognized_action(),
                        UnrecognizedAction::Stop | UnrecognizedAction::StopAndReport
                    ) {
                        break;
                    }
                }
                _ => {}
            }
            if self.state == State::Ended {
                break;
            }
        }
        if data_received {
            self.schedule_sack(now);
        }
        self.perform_deferred_reset();
        Ok(())
    }

    /// Whether I-DATA was negotiated (RFC 8260 §2.2): then DATA and FORWARD TSN are ignored,
    /// and the other way round.
    pub(super) fn interleaved(&self) -> bool {
        self.peer.is_some_and(|p| p.features.interleaving)
    }

    /// The peer's INIT (§5.1 B, §5.2.1, §5.2.2): answered statelessly with an INIT ACK
    /// carrying a signed cookie, whatever our state (a collision or a restart is settled when
    /// the cookie comes back).
    fn receive_init(&mut self, now: Instant, init: &InitRepr<'_>) {
        if self.state == State::Ended || init.initiate_tag == 0 {
            return;
        }
        if self.pending.init_acks.len() >= MAX_PENDING_INIT_ACKS {
            return;
        }
        let expires = now.saturating_duration_since(self.epoch) + self.config.cookie_lifetime;
        // Before establishment our INIT ACK repeats our tag (§5.2.1); after, it offers a new
        // one with the current tags as tie-tags, for a restart (§5.2.2).
        let (local, tie) = match (self.state, self.peer) {
            (State::Closed | State::CookieWait | State::CookieEchoed, _) | (_, None) => {
                (self.local, (0, 0))
            }
            (_, Some(peer)) => {
                let random = self.derive(b"restart");
                let tag = u32::from_be_bytes([random[0], random[1], random[2], random[3]]).max(1);
                let initial_tsn = u32::from_be_bytes([random[4], random[5], random[6], random[7]]);
                (Local { tag, initial_tsn }, (self.local.tag, peer.tag))
            }
        };
        let cookie = Cookie {
            peer_tag: init.initiate_tag,
            peer_initial_tsn: init.initial_tsn,
            peer_rwnd: init.a_rwnd,
            peer_outbound_streams: init.outbound_streams,
            peer_inbound_streams: init.inbound_streams,
            expires_ms: u64::try_from(expires.as_millis()).unwrap_or(u64::MAX),
            features: Features::negotiate(init, &self.config).to_bits(),
            local_tag: local.tag,
            local_initial_tsn: local.initial_tsn,
            local_tie_tag: tie.0,
            peer_tie_tag: tie.1,
        };
        self.pending.init_acks.push((
            init.initiate_tag,
            self.incoming_port,
            local,
            cookie.seal(&self.cookie_key),
        ));
    }

    /// The INIT ACK to our INIT (§5.1 C): the peer's parameters and the cookie to echo.
    fn receive_init_ack(&mut self, now: Instant, ack: &InitRepr<'_>) {
        if self.state != State::CookieWait || ack.initiate_tag == 0 {
            return;
        }
        let Some(cookie) = ack.state_cookie() else {
            return;
        };
        let features = Features::negotiate(ack, &self.config);
        self.take_peer(ack.initiate_tag, ack.a_rwnd, features, ack.initial_tsn);
        self.cookie = Some(cookie.to_vec());
        self.state = State::CookieEchoed;
        self.pending.cookie_echo = true;
        self.timers.control = Some(now + self.rto.rto());
        self.timers.control_transmissions = 1;
    }

    pub(super) fn established(&mut self, now: Instant) {
        self.state = State::Established;
        self.start_heartbeats(now);
        self.cookie = None;
        self.pending.cookie_echo = false;
        self.timers.control = None;
        self.timers.control_transmissions = 0;
        self.events.push_back(Event::Connected);
    }

    /// One DATA or I-DATA chunk (§6.2), as a fragment whose `tsn` is still to be unwrapped:
    /// refused unobserved when there is no room or it must wait for a deferred stream reset
    /// (the peer sends it again), otherwise counted by the tracker and, when new, put to
    /// reassembly.
    fn receive_data(&mut self, now: Instant, fragment: &Fragment<'_>, wire_tsn: u32) {
        // DATA is taken until our SHUTDOWN ACK: a peer may still be sending what it queued
        // before its SHUTDOWN (dcSCTP does), and dropping it would lose the user's messages.
        if !matches!(
            self.state,
            State::Established
                | State::ShutdownPending
                | State::ShutdownSent
                | State::ShutdownReceived
        ) {
            return;
        }
        let Some(tracker) = self.tracker.as_mut() else {
            return;
        };
        let tsn = tracker.unwrapped(wire_tsn);
        // The window bounds what is held, bookkeeping included (which the sender's flight does
        // not count); the chunk that fills the first gap may go past it, up to as much again:
        // it is what lets held messages be delivered, and refusing it when out-of-order data
        // fills the window would deadlock (RFC 9260 §6.2).
        let fills_gap = tsn == tracker.unwrapped(tracker.cumulative_tsn()) + 1;
        let limit = if fills_gap {
            reassembly_limit(self.config.receive_window)
        } else {
            self.config.receive_window
        };
        if self.reassembly.held() + fragment.payload.len() > limit
            || self.reconfig.holds(fragment.stream, tsn)
        {
            self.pending.sack = true;
            return;
        }
        match tracker.observe(wire_tsn) {
            Observation::New => {
                self.last_heard = now;
                let _ = self.reassembly.insert(&Fragment { tsn, ..*fragment });
            }
            Observation::Duplicate | Observation::OutOfWindow => self.pending.sack = true,
        }
    }

    /// After a packet with DATA (§6.2): a SACK at once on a gap or a duplicate, or every
    /// second packet; otherwise within the delayed-ack time.
    fn schedule_sack(&mut self, now: Instant) {
        self.unacked_packets += 1;
        let gaps = self.tracker.as_ref().is_some_and(DataTracker::has_gaps);
        if gaps || self.unacked_packets >= 2 || self.pending.sack {
            self.pending.sack = true;
            self.timers.ack = None;
        } else if self.timers.ack.is_none() {
            self.timers.ack = Some(now + self.config.delayed_ack);
        }
    }

    fn receive_sack(&mut self, now: Instant, sack: &SackRepr<'_>) {
        let cumulative = sack.cumulative_tsn_ack;
        let gaps: Vec<(u16, u16)> = sack.gap_blocks.iter().map(|g| (g.start, g.end)).collect();
        self.acknowledge(now, cumulative, &gaps, Some(sack.a_rwnd as usize));
    }

    /// A cumulative TSN ack and gap blocks, from a SACK or a SHUTDOWN (§6.2.1).
    pub(super) fn acknowledge(
        &mut self,
        now: Instant,
        cumulative: u32,
        gaps: &[(u16, u16)],
        a_rwnd: Option<usize>,
    ) {
        let cum = near(self.outstanding.cumulative(), cumulative);
        if cum < self.outstanding.cumulative() {
            return;
        }
        let flight_before = self.outstanding.flight_size();
        let (outstanding, pool) = (&mut self.outstanding, &mut self.pool);
        let acked = outstanding.on_sack(
            cum,
            gaps.iter()
                .map(|&(s, e)| (cum + u64::from(s), cum + u64::from(e))),
            |_, sent| {
                let buffer = sent.payload.fragment.payload;
                if pool.len() < MAX_POOLED && buffer.capacity() <= MAX_POOLED_CAPACITY {
                    pool.push(buffer);
                }
            },
        );
        // One timed chunk per round trip (§6.3.1 C4), measured when it is first acknowledged,
        // cumulatively or by a gap block; the timing was dropped if anything was sent again
        // meanwhile (Karn, C5), so a chunk acknowledged only once a hole below it filled never
        // gives a sample inflated by the recovery.
        if let Some((tsn, sent_at)) = self.rtt_probe {
            let in_gap = gaps
                .iter()
                .any(|&(s, e)| (cum + u64::from(s)..=cum + u64::from(e)).contains(&tsn));
            if tsn <= cum || in_gap {
                self.rto.measure(now.saturating_duration_since(sent_at));
                self.rtt_probe = None;
            }
        }
        if acked.fast_retransmits > 0 {
            self.rtt_probe = None;
        }
        if let (Some(peer), Some(a_rwnd)) = (self.peer.as_mut(), a_rwnd) {
            peer.rwnd = a_rwnd.saturating_sub(self.outstanding.flight_size());
        }
        let limited = self.queue.is_empty();
        self.congestion.on_ack(
            acked.bytes,
            acked.cumulative_advanced,
            cum,
            flight_before,
            limited,
        );
        if acked.fast_retransmits > 0 {
            self.congestion
                .on_fast_retransmit(self.outstanding.next_tsn().saturating_sub(1));
        }
        if acked.cumulative_advanced {
            self.last_heard = now;
            self.errors = 0;
            self.timers.t3 = (!self.outstanding.is_empty()).then(|| now + self.rto.rto());
        }
        let forward_pending = self.outstanding.advanced_point() > self.outstanding.cumulative();
        if self.outstanding.flight_size() == 0
            && self.outstanding.next_retransmission().is_none()
            && !forward_pending
        {
            self.timers.t3 = None;
        } else if self.timers.t3.is_none() {
            self.timers.t3 = Some(now + self.rto.rto());
        }
        // A FORWARD TSN that the cumulative ack has not reached goes again (RFC 3758 §3.5 C3).
        if self.outstanding.advanced_point() > self.outstanding.cumulative() {
            self.pending.forward_tsn = true;
        }
        self.progress_shutdown(now);
    }

    /// Every timer that is due.
    pub(super) fn timeouts(&mut self, now: Instant) {
        if self.state == State::Ended {
            return;
        }
        self.reconfig_timeout(now);
        self.heartbeat_timeout(now);
        if self.state == State::Ended {
            return;
        }
        if self.timers.ack.is_some_and(|t| now >= t) {
            self.timers.ack = None;
            self.pending.sack = true;
        }
        if self.timers.control.is_some_and(|t| now >= t) {
            self.timers.control_transmissions += 1;
            if self.timers.control_transmissions > self.config.max_init_transmissions {
                let reason = match self.state {
                    State::CookieWait | State::CookieEchoed => AbortReason::HandshakeTimeout,
                    _ => AbortReason::PeerUnreachable,
                };
                self.end(Event::Aborted(reason));
                return;
            }
            self.rto.back_off();
            self.timers.control = Some(now + self.rto.rto());
            match self.state {
                State::CookieWait => self.pending.init = true,
                State::CookieEchoed => self.pending.cookie_echo = true,
                State::ShutdownSent => self.pending.shutdown = true,
                State::ShutdownAckSent => self.pending.shutdown_ack = true,
                _ => self.timers.control = None,
            }
        }
        if self.timers.t3.is_some_and(|t| now >= t) {
            self.errors += 1;
            if self.errors > self.config.max_retransmissions {
                self.end(Event::Aborted(AbortReason::PeerUnreachable));
                return;
            }
            self.outstanding.on_t3_expiry();
            self.rtt_probe = None;
            self.abandon(now);
            if self.outstanding.advanced_point() > self.outstanding.cumulative() {
                // The FORWARD TSN may have been lost (RFC 3758 §3.5 C3).
                self.pending.forward_tsn = true;
            }
            self.congestion.on_t3_expiry();
            self.rto.back_off();
            self.timers.t3 = Some(now + self.rto.rto());
        }
    }
}

/// The most the reassembly holds: the receive window, and as much again for the chunks that
/// fill the first gap (see `receive_data`).
pub(super) fn reassembly_limit(receive_window: usize) -> usize {
    receive_window.saturating_mul(2)
}

/// The tracker's window in TSNs for a receive window in bytes (a TSN carries at least one
/// byte; the gap-block offsets are 16 bits).
pub(super) fn window(receive_window: usize) -> usize {
    receive_window.clamp(1024, 65_536)
}
