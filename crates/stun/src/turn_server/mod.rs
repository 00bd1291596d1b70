//! A Sans-IO TURN server (RFC 8656) that doubles as a STUN Binding server (RFC 8489).
//!
//! [`TurnServer`] serves allocations to clients over UDP, and over TCP or TLS byte streams
//! that the caller terminates (TLS with rustls, say) and feeds as plaintext:
//!
//! - **Long-term credentials** (RFC 8489 §9.2): users from the configuration, one REALM,
//!   nonces that carry the nonce cookie and security feature bits (`obMatJos2`, offering
//!   SHA-256 keys through PASSWORD-ALGORITHMS and USERHASH), expire after
//!   [`TurnServerConfig::nonce_lifetime`] (then 438 Stale Nonce), and are *stateless*: an
//!   expiry and an HMAC bound to the client's IP address, so unauthenticated requests create
//!   no state at all. MESSAGE-INTEGRITY and MESSAGE-INTEGRITY-SHA256 are both accepted;
//!   responses are signed the way the request was.
//! - **Allocate** (RFC 8656 §7.2) with REQUESTED-TRANSPORT UDP (442 otherwise), LIFETIME
//!   between the default (600 s) and the maximum (3600 s), 437 Allocation Mismatch, quotas
//!   per user (486) and in total (508), REQUESTED-ADDRESS-FAMILY; **Refresh** (§8, LIFETIME 0
//!   deletes); **CreatePermission** (§9, 300 s); **ChannelBind** (§11.2, 600 s, with the
//!   rebinding rules and the 5-minute reservation after expiry); **Send** and **Data**
//!   indications (§10) and **ChannelData** (§12) relayed to and from permitted peers only.
//! - **Retransmissions** of requests get the cached response (RFC 8489 §6.3.1), bounded.
//! - **Binding requests** are answered with XOR-MAPPED-ADDRESS, so one server is both the STUN
//!   and the TURN server of an ICE deployment.
//! - **Bounded memory**: every table has a cap ([`Limits`]); datagrams to a relay address
//!   from peers without a permission are dropped and counted, creating nothing.
//! - **Zero allocation per relayed packet** once buffers are warm (ChannelData and Send/Data
//!   paths); one timer heap for every expiry, so `poll_timeout` is O(1).
//!
//! # Sockets
//!
//! The caller owns every socket. Client-facing datagrams come in with `destination` = the
//! listening address; responses go out from it. Relay addresses come from the caller, as
//! [`RelayMode`] decides: asked for one at a time ([`TurnServerEvent::RelayRequested`],
//! answered with [`TurnServer::relay_allocated`] or [`TurnServer::relay_failed`]), or handed
//! out from a pool of sockets bound in advance. Datagrams from peers come in through
//! `handle_receive` with `destination` = the relay address; datagrams to peers come out of
//! `poll_transmit` with `source` = the relay address. A TCP connection is named by its two
//! ends; tell the server when one closes ([`TurnServer::tcp_closed`]).
//!
//! # Calling contract
//!
//! As for every sansrtc machine: after each `handle_*` call or command, drain
//! `poll_transmit` until `None`, then `poll_event` until `None`, then read `poll_timeout`.
//! Instants must not go backwards (an earlier one is clamped). `handle_timeout` early or twice
//! is harmless.
//!
//! ```no_run
//! use sansrtc_proto::{Protocol, Receive, SansIo};
//! use sansrtc_stun::turn_server::{TurnServer, TurnServerConfig};
//! # #[expect(clippy::disallowed_methods, clippy::disallowed_types, reason = "example I/O loop")]
//! # fn main() -> std::io::Result<()> {
//! use std::time::Instant;
//! let socket = std::net::UdpSocket::bind("0.0.0.0:3478")?;
//! let relay = std::net::UdpSocket::bind("0.0.0.0:49152")?;
//! let config = TurnServerConfig::new("example.org")
//!     .user("alice", "secret")
//!     .relay_pool([relay.local_addr()?]);
//! let mut server = TurnServer::new(config, Instant::now());
//! let (mut inp, mut out) = (vec![0u8; 65536], Vec::new());
//! loop {
//!     let (n, source) = socket.recv_from(&mut inp)?; // (and poll `relay` likewise)
//!     let rx = Receive { proto: Protocol::Udp, source, destination: socket.local_addr()?, contents: &inp[..n] };
//!     let _ = server.handle_receive(Instant::now(), rx);
//!     while let Some(t) = server.poll_transmit(Instant::now(), &mut out) {
//!         let from = if t.source == relay.local_addr()? { &relay } else { &socket };
//!         from.send_to(&out[..t.size], t.destination)?;
//!     }
//!     while let Some(_event) = server.poll_event() {}
//!     if server.poll_timeout().is_some_and(|t| t <= Instant::now()) {
//!         server.handle_timeout(Instant::now());
//!     }
//! }
//! # }
//! ```

mod allocation;
mod auth;
mod config;
mod event;
mod outbox;
mod relay;
mod request;
mod stream;

pub use config::{Limits, RelayMode, TurnServerConfig};
pub use event::{
    AllocationId, DeleteReason, FiveTuple, RelayRequest, TurnServerEvent, TurnServerStats,
};

use crate::error::{ApiMisuse, Error, ProtocolViolation};
use crate::wire::{AddressFamily, Message};
use allocation::Allocations;
use auth::Auth;
use event::EventQueue;
use outbox::{Outbox, ResponseCache};
use sansrtc_proto::rng::{StdRng, from_seed};
use sansrtc_proto::time::MonotonicClock;
use sansrtc_proto::{Protocol, Receive, SansIo, Transmit};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Instant;

/// A Sans-IO TURN server (RFC 8656) and STUN Binding server (RFC 8489). See the
/// [module docs](self).
#[derive(Debug)]
pub struct TurnServer {
    config: TurnServerConfig,
    clock: MonotonicClock,
    rng: StdRng,
    auth: Auth,
    allocations: Allocations,
    /// Free relay addresses in [`RelayMode::Pool`].
    free_relays: Vec<SocketAddr>,
    outbox: Outbox,
    cache: ResponseCache,
    events: EventQueue,
    stats: TurnServerStats,
    tcp: BTreeMap<(SocketAddr, SocketAddr), stream::Framer>,
    scratch: Vec<u8>,
}

impl TurnServer {
    /// A server with no allocations. Long-term keys are derived here, once per user
    /// (RFC 8489 §9.2.2).
    pub fn new(config: TurnServerConfig, now: Instant) -> Self {
        let mut rng = from_seed(config.rng_seed);
        let auth = Auth::new(&config, now, &mut rng);
        let free_relays = match &config.relay {
            RelayMode::Pool(pool) => pool.iter().rev().copied().collect(),
            RelayMode::Ask => Vec::new(),
        };
        let limits = config.limits;
        Self {
            clock: MonotonicClock::new(now),
            rng,
            auth,
            allocations: Allocations::default(),
            free_relays,
            outbox: Outbox::new(limits.max_queued_transmits),
            cache: ResponseCache::new(limits.max_cached_responses),
            events: EventQueue::new(limits.max_queued_events),
            stats: TurnServerStats::default(),
            tcp: BTreeMap::new(),
            scratch: Vec::new(),
            config,
        }
    }

    /// The configuration (RFC 8656 §7.2 defaults and limits).
    pub const fn config(&self) -> &TurnServerConfig {
        &self.config
    }

    /// Counters and current table sizes (RFC 8656 §21.1).
    pub fn stats(&self) -> TurnServerStats {
        TurnServerStats {
            dropped_events: self.events.dropped,
            allocations: self.allocations.len(),
            permissions: self.allocations.permission_count(),
            channels: self.allocations.channel_count(),
            cached_responses: self.cache.len(),
            queued_transmits: self.outbox.len(),
            tcp_connections: self.tcp.len(),
            timers: self.allocations.timer_count(),
            ..self.stats
        }
    }

    /// The relayed transport address of an allocation (RFC 8656 §2.2; `None` while pending
    /// or after it ended).
    pub fn relay_address(&self, allocation: AllocationId) -> Option<SocketAddr> {
        self.allocations.get(allocation).and_then(|a| a.relay)
    }

    /// The allocation on a client 5-tuple (RFC 8656 §2.2).
    pub fn allocation_for(&self, five_tuple: &FiveTuple) -> Option<AllocationId> {
        self.allocations.by_tuple(five_tuple)
    }

    /// Answers a [`TurnServerEvent::RelayRequested`]: the caller bound `relay` (RFC 8656 §7.2
    /// step 8). The client's success response goes out through `poll_transmit`.
    ///
    /// # Errors
    ///
    /// [`ApiMisuse::NoAllocation`] if the allocation is not pending (unknown, already
    /// answered, or timed out), [`ApiMisuse::FamilyMismatch`] if `relay` is not of the
    /// requested family, [`Error::Limit`] if `relay` is already in use. Nothing changes then.
    pub fn relay_allocated(
        &mut self,
        now: Instant,
        allocation: AllocationId,
        relay: SocketAddr,
    ) -> Result<(), Error> {
        let now = self.clock.advance(now);
        let a = self
            .allocations
            .get(allocation)
            .filter(|a| a.relay.is_none())
            .ok_or(ApiMisuse::NoAllocation)?;
        if AddressFamily::of(&relay) != a.family {
            return Err(ApiMisuse::FamilyMismatch.into());
        }
        if !self.allocations.set_relay(allocation, relay) {
            return Err(Error::Limit("relay address already in use"));
        }
        self.activate(now, allocation);
        Ok(())
    }

    /// Answers a [`TurnServerEvent::RelayRequested`] with a refusal: the client gets 508
    /// Insufficient Capacity (RFC 8656 §7.2) and the pending allocation is dropped.
    ///
    /// # Errors
    ///
    /// [`ApiMisuse::NoAllocation`] if the allocation is not pending.
    pub fn relay_failed(&mut self, now: Instant, allocation: AllocationId) -> Result<(), Error> {
        let now = self.clock.advance(now);
        let a = self
            .allocations
            .get(allocation)
            .filter(|a| a.relay.is_none())
            .ok_or(ApiMisuse::NoAllocation)?;
        let (tuple, tid, signer) = (a.five_tuple, a.request, a.signer);
        self.delete(allocation, DeleteReason::RelayUnavailable);
        self.answer(
            now,
            tuple,
            crate::wire::Method::ALLOCATE,
            tid,
            Some(signer),
            &request::Answer::Error(crate::wire::error_code::INSUFFICIENT_CAPACITY),
        );
        Ok(())
    }

    /// The caller's TCP (or TLS) connection from `client` to `server` closed: its decoder
    /// state and its allocation, if any, are dropped (RFC 8656 §3.1).
    pub fn tcp_closed(&mut self, now: Instant, client: SocketAddr, server: SocketAddr) {
        self.clock.advance(now);
        self.tcp.remove(&(client, server));
        let tuple = FiveTuple {
            proto: Protocol::Tcp,
            client,
            server,
        };
        if let Some(id) = self.allocations.by_tuple(&tuple) {
            self.delete(id, DeleteReason::ConnectionClosed);
        }
    }

    /// Removes an allocation, returns its relay address to the pool and reports it.
    fn delete(&mut self, id: AllocationId, reason: DeleteReason) {
        if let Some(a) = self.allocations.remove(id) {
            Self::deleted(
                &mut self.free_relays,
                &self.config.relay,
                &mut self.events,
                &mut self.stats,
                id,
                a.relay,
                reason,
            );
        }
    }

    fn deleted(
        free_relays: &mut Vec<SocketAddr>,
        mode: &RelayMode,
        events: &mut EventQueue,
        stats: &mut TurnServerStats,
        id: AllocationId,
        relay: Option<SocketAddr>,
        reason: DeleteReason,
    ) {
        if let (RelayMode::Pool(_), Some(relay)) = (mode, relay) {
            free_relays.push(relay);
        }
        stats.allocations_deleted += 1;
        events.push(TurnServerEvent::AllocationDeleted {
            allocation: id,
            relay,
            reason,
        });
    }

    /// One UDP datagram on a client-facing address.
    fn handle_datagram(
        &mut self,
        now: Instant,
        tuple: FiveTuple,
        datagram: &[u8],
    ) -> Result<(), Error> {
        match datagram.first() {
            Some(0x40..=0x7f) => {
                let (channel, data) = relay::parse_frame(datagram)?;
                self.channel_data_from_client(now, tuple, channel, data)
            }
            _ => {
                let message = Message::parse(datagram)?;
                self.handle_message(now, tuple, &message)
            }
        }
    }
}

impl SansIo for TurnServer {
    type Event = TurnServerEvent;
    type Error = Error;

    /// Feeds one datagram, or a run of TCP stream bytes. `Err` means it was rejected and no
    /// allocation, permission or channel changed (counters may move).
    fn handle_receive(&mut self, now: Instant, rx: Receive<'_>) -> Result<(), Error> {
        let now = self.clock.advance(now);
        if let Some(id) = self.allocations.by_relay(&rx.destination) {
            if rx.proto != Protocol::Udp {
                return Err(ProtocolViolation::WrongTransport.into());
            }
            return self.peer_datagram(now, id, rx.source, rx.contents);
        }
        let tuple = FiveTuple {
            proto: rx.proto,
            client: rx.source,
            server: rx.destination,
        };
        match rx.proto {
            Protocol::Udp => self.handle_datagram(now, tuple, rx.contents),
            _ => self.handle_stream(now, tuple, rx.contents),
        }
    }

    /// The next datagram: a response, a relayed datagram to a peer (`source` = a relay
    /// address) or to a client. Changed by every `handle_*` call and command.
    fn poll_transmit(&mut self, now: Instant, buf: &mut Vec<u8>) -> Option<Transmit> {
        self.clock.advance(now);
        self.outbox.pop(buf)
    }

    fn poll_event(&mut self) -> Option<TurnServerEvent> {
        self.events.pop()
    }

    /// The earliest expiry of an allocation, permission, channel or pending relay request;
    /// `None` without allocations.
    fn poll_timeout(&self) -> Option<Instant> {
        self.allocations.next_deadline()
    }

    fn handle_timeout(&mut self, now: Instant) {
        let now = self.clock.advance(now);
        let Self {
            allocations,
            free_relays,
            config,
            events,
            stats,
            ..
        } = self;
        allocations.expire(now, &mut |id, a| {
            let reason = if a.relay.is_some() {
                DeleteReason::Expired
            } else {
                DeleteReason::RelayUnavailable
            };
            Self::deleted(
                free_relays,
                &config.relay,
                events,
                stats,
                id,
                a.relay,
                reason,
            );
        });
    }
}
