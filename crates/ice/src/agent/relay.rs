//! Relayed candidates (RFC 8445 §5.1.1.2 with RFC 8656): one `sansrtc-stun` TURN client per
//! TURN server and local base. Checks, answers and data on a pair whose local candidate is
//! relayed go through the client (a Send indication, or ChannelData once the selected pair
//! has a channel), and what the server relays back over UDP is unwrapped without a copy
//! ([`super::Incoming::Data`]); over a TCP or TLS stream to the server, relayed data comes
//! out of the TURN client's stream decoder and is reported as [`crate::Event::Data`].

use std::net::SocketAddr;
use std::time::Instant;

use sansrtc_proto::{Protocol, Receive, SansIo, Transmit};
use sansrtc_stun::turn::{TurnClient, TurnConfig, TurnEvent};
use sansrtc_stun::wire::is_stun;

use super::{Full, Incoming};
use crate::Error;
use crate::candidate::{Candidate, CandidateKind, Foundation, Transport, priority};
use crate::config::TurnServer;

/// One allocation.
pub(super) struct Relay {
    pub(super) client: TurnClient,
    /// The local address toward the server.
    pub(super) local: SocketAddr,
    pub(super) server: SocketAddr,
    /// The relayed address, once allocated.
    pub(super) relayed: Option<SocketAddr>,
    /// Allocation answered (success or failure).
    pub(super) settled: bool,
}

impl std::fmt::Debug for Relay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Relay")
            .field("local", &self.local)
            .field("server", &self.server)
            .field("relayed", &self.relayed)
            .finish_non_exhaustive()
    }
}

impl Full {
    /// Starts an allocation on `server` from `local`.
    pub(super) fn start_relay(&mut self, now: Instant, server: &TurnServer, local: SocketAddr) {
        let mut config = TurnConfig::new(
            server.server,
            local,
            server.transport.clone(),
            server.username.clone(),
            server.password.clone(),
        );
        config.rng_seed = Some(sansrtc_proto::rng::child_seed(&mut self.rng));
        let Ok(mut client) = TurnClient::new(config, now) else {
            return;
        };
        if client.allocate(now).is_err() {
            return;
        }
        self.relays.push(Relay {
            client,
            local,
            server: server.server,
            relayed: None,
            settled: false,
        });
    }

    /// Whether every allocation has been answered.
    pub(super) fn relays_settled(&self) -> bool {
        self.relays.iter().all(|r| r.settled)
    }

    /// The relay whose relayed address is `base`.
    pub(super) fn relay_of(&self, base: SocketAddr) -> Option<usize> {
        self.relays.iter().position(|r| r.relayed == Some(base))
    }

    /// A datagram from a TURN server: relayed data is unwrapped in place (a check, a
    /// response, or application data from a peer); anything else is the client's.
    pub(super) fn relay_receive<'a>(
        &mut self,
        now: Instant,
        index: usize,
        receive: Receive<'a>,
    ) -> Result<Incoming<'a>, Error> {
        let relay = &self.relays[index];
        if receive.proto == Protocol::Udp
            && let Some((peer, payload)) = relay.client.peek_relayed(receive.contents)
            && let Some(relayed) = relay.relayed
        {
            return self.relayed_payload(now, peer, relayed, payload);
        }
        let result = self.relays[index].client.handle_receive(now, receive);
        self.relay_events(now, index);
        match result {
            Ok(()) => Ok(Incoming::Stun),
            Err(_) => Err(Error::NotIce),
        }
    }

    /// What a peer sent us through the relay.
    fn relayed_payload<'a>(
        &mut self,
        now: Instant,
        peer: SocketAddr,
        relayed: SocketAddr,
        payload: &'a [u8],
    ) -> Result<Incoming<'a>, Error> {
        let inner = Receive {
            proto: Protocol::Udp,
            source: peer,
            destination: relayed,
            contents: payload,
        };
        if is_stun(payload) {
            self.handle_stun(now, inner)?;
            Ok(Incoming::Stun)
        } else if self.is_known_path(relayed, peer) {
            Ok(Incoming::Data(payload))
        } else {
            Err(Error::NotIce)
        }
    }

    /// Acts on what a TURN client reported.
    pub(super) fn relay_events(&mut self, now: Instant, index: usize) {
        while let Some(event) = self.relays[index].client.poll_event() {
            match event {
                TurnEvent::Allocated {
                    relayed, mapped, ..
                } => {
                    let relay = &mut self.relays[index];
                    relay.relayed = Some(relayed);
                    relay.settled = true;
                    let server_ip = relay.server.ip();
                    let local = relay.local;
                    let base_priority = self
                        .locals
                        .iter()
                        .find(|c| c.kind == CandidateKind::Host && c.base == local)
                        .map_or(65535 << 8, |c| c.priority);
                    let candidate = Candidate {
                        kind: CandidateKind::Relayed,
                        transport: Transport::Udp,
                        address: relayed,
                        base: relayed,
                        related: mapped,
                        priority: priority(
                            CandidateKind::Relayed,
                            super::local_preference(base_priority),
                            1,
                        ),
                        foundation: Foundation::derive(
                            CandidateKind::Relayed,
                            local.ip(),
                            Some(server_ip),
                            Transport::Udp,
                        ),
                        component: 1,
                    };
                    self.add_local_candidate(candidate);
                    self.check_gathering_complete();
                    self.schedule_checks(now);
                }
                TurnEvent::AllocationFailed(_) | TurnEvent::Closed(_) | TurnEvent::Deallocated => {
                    self.relays[index].settled = true;
                    self.check_gathering_complete();
                }
                TurnEvent::PermissionCreated { peer } => {
                    // Checks waiting for the permission go now rather than at their next
                    // retransmission.
                    let Some(relayed) = self.relays[index].relayed else {
                        continue;
                    };
                    self.checks.expedite(relayed, peer, now);
                }
                TurnEvent::Data { peer, data, .. } => {
                    if let Some(relayed) = self.relays[index].relayed
                        && let Ok(Incoming::Data(bytes)) =
                            self.relayed_payload(now, peer, relayed, &data)
                    {
                        self.events.push_back(crate::Event::Data(bytes.to_vec()));
                    }
                }
                _ => {}
            }
        }
    }

    /// Asks the relay of a new pair for a permission to its remote address (RFC 8656 §9).
    pub(super) fn permit(&mut self, now: Instant, base: SocketAddr, remote: SocketAddr) {
        if let Some(index) = self.relay_of(base) {
            let _ = self.relays[index]
                .client
                .create_permission(now, remote.ip());
        }
    }

    /// Binds a channel for the selected pair when its local candidate is relayed (4 bytes of
    /// framing per datagram instead of 36, RFC 8656 §12).
    pub(super) fn bind_selected_channel(&mut self, now: Instant) {
        if let Some(path) = self.selected
            && let Some(index) = self.relay_of(path.local.base)
        {
            let _ = self.relays[index]
                .client
                .bind_channel(now, path.remote.address);
        }
    }

    /// Hands `bytes` to the relay of `base` for `to`, then writes the relay's next datagram.
    pub(super) fn send_via_relay(
        &mut self,
        now: Instant,
        index: usize,
        to: SocketAddr,
        bytes: &[u8],
        buf: &mut Vec<u8>,
    ) -> Option<Transmit> {
        let relay = &mut self.relays[index];
        relay.client.send_to(now, to, bytes).ok()?;
        relay.client.poll_transmit(now, buf)
    }

    /// The next datagram any TURN client has to send.
    pub(super) fn poll_relays(&mut self, now: Instant, buf: &mut Vec<u8>) -> Option<Transmit> {
        for index in 0..self.relays.len() {
            if let Some(transmit) = self.relays[index].client.poll_transmit(now, buf) {
                return Some(transmit);
            }
            self.relay_events(now, index);
        }
        None
    }

    /// Fires the TURN clients' timers.
    pub(super) fn relay_timeouts(&mut self, now: Instant) {
        for index in 0..self.relays.len() {
            let relay = &mut self.relays[index].client;
            if relay.poll_timeout().is_some_and(|t| t <= now) {
                relay.handle_timeout(now);
            }
            self.relay_events(now, index);
        }
    }

    /// The earliest timer of the TURN clients.
    pub(super) fn relays_deadline(&self) -> Option<Instant> {
        self.relays
            .iter()
            .filter_map(|r| r.client.poll_timeout())
            .min()
    }
}
