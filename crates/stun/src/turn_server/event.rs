//! What the TURN server reports: events, identifiers and counters (RFC 8656 §7–§12).

use crate::wire::AddressFamily;
use sansrtc_proto::Protocol;
use std::net::SocketAddr;
use std::time::Duration;

/// An allocation's identity inside one server, stable for its whole life (RFC 8656 §2:
/// an allocation is identified by its 5-tuple; this id also names pending ones).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AllocationId(pub(crate) u64);

impl AllocationId {
    /// The id as a number, for logs and maps (RFC 8656 §2.2).
    pub const fn value(self) -> u64 {
        self.0
    }
}

/// The client's 5-tuple (RFC 8656 §2): transport, the client's address as the server sees
/// it, and the server address it talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FiveTuple {
    /// UDP, or TCP for TCP and TLS connections.
    pub proto: Protocol,
    /// The client's address (server-reflexive when it is behind a NAT).
    pub client: SocketAddr,
    /// The server's listening address the client reached.
    pub server: SocketAddr,
}

/// Why an allocation ended (RFC 8656 §7, §8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeleteReason {
    /// Its lifetime ran out without a Refresh (RFC 8656 §7).
    Expired,
    /// The client sent a Refresh with LIFETIME 0 (RFC 8656 §8).
    Deleted,
    /// Its TCP connection closed or lost framing (RFC 8656 §3.1).
    ConnectionClosed,
    /// The caller refused or never answered the relay request.
    RelayUnavailable,
}

/// A relay address the server needs, in [`RelayMode::Ask`](super::RelayMode::Ask)
/// (RFC 8656 §7.2 step 8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RelayRequest {
    /// Answer with this id.
    pub allocation: AllocationId,
    /// The address family the client asked for (REQUESTED-ADDRESS-FAMILY, RFC 8656 §18.6).
    pub family: AddressFamily,
    /// The client.
    pub five_tuple: FiveTuple,
}

/// Events of a [`TurnServer`](super::TurnServer) (RFC 8656 §7–§12).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TurnServerEvent {
    /// Bind a UDP socket of this family and answer with
    /// [`TurnServer::relay_allocated`](super::TurnServer::relay_allocated) or
    /// [`TurnServer::relay_failed`](super::TurnServer::relay_failed) (RFC 8656 §7.2 step 8).
    RelayRequested(RelayRequest),
    /// An allocation exists and the client got its success response (RFC 8656 §7.2).
    AllocationCreated {
        /// Its id.
        allocation: AllocationId,
        /// The client.
        five_tuple: FiveTuple,
        /// The relayed transport address.
        relay: SocketAddr,
        /// The user that owns it.
        username: String,
        /// Granted lifetime.
        lifetime: Duration,
    },
    /// A Refresh extended an allocation (RFC 8656 §8).
    AllocationRefreshed {
        /// Its id.
        allocation: AllocationId,
        /// Granted lifetime.
        lifetime: Duration,
    },
    /// An allocation is gone: close its relay socket (in [`RelayMode::Ask`](super::RelayMode::Ask)).
    AllocationDeleted {
        /// Its id.
        allocation: AllocationId,
        /// The relayed transport address it had, if it got one.
        relay: Option<SocketAddr>,
        /// Why.
        reason: DeleteReason,
    },
    /// A channel is bound (or rebound) to a peer (RFC 8656 §11.2).
    ChannelBound {
        /// The allocation.
        allocation: AllocationId,
        /// The channel number: 0x4000–0x4FFF, or up to 0x7FFF with
        /// [`TurnServerConfig::legacy_channel_numbers`](super::TurnServerConfig::legacy_channel_numbers).
        channel: u16,
        /// The peer.
        peer: SocketAddr,
    },
    /// A TCP connection lost its framing or sent a frame over the buffer limit: close it
    /// (RFC 8656 §12.5). Its allocation, if any, is deleted.
    CloseConnection {
        /// The connection's client side.
        client: SocketAddr,
        /// The connection's server side.
        server: SocketAddr,
    },
}

/// Counters and table sizes (RFC 8656 §21.1: an operator watches for resource exhaustion).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TurnServerStats {
    /// Requests answered (from the cache or fresh).
    pub requests: u64,
    /// Binding requests answered (RFC 8489 STUN server role).
    pub binding_requests: u64,
    /// 401 responses sent.
    pub unauthenticated: u64,
    /// 438 Stale Nonce responses sent.
    pub stale_nonces: u64,
    /// Retransmitted requests answered from the response cache.
    pub cached_answers: u64,
    /// Allocate requests refused by a quota (486 or 508).
    pub quota_refusals: u64,
    /// Allocations created.
    pub allocations_created: u64,
    /// Allocations that ended.
    pub allocations_deleted: u64,
    /// Datagrams relayed from clients to peers.
    pub relayed_to_peers: u64,
    /// Datagrams relayed from peers to clients.
    pub relayed_to_clients: u64,
    /// Datagrams dropped because no permission covers the peer (RFC 8656 §10.2, §10.3).
    pub dropped_no_permission: u64,
    /// ChannelData dropped because the channel is not bound (RFC 8656 §12.6).
    pub dropped_unbound_channel: u64,
    /// Datagrams dropped because the transmit queue was full.
    pub dropped_queue_full: u64,
    /// Events dropped because the event queue was full.
    pub dropped_events: u64,
    /// Live allocations, pending ones included.
    pub allocations: usize,
    /// Live permissions over all allocations.
    pub permissions: usize,
    /// Live channel bindings over all allocations (cooling-down ones included).
    pub channels: usize,
    /// Responses in the retransmission cache.
    pub cached_responses: usize,
    /// Datagrams waiting in the transmit queue.
    pub queued_transmits: usize,
    /// TCP connections with decoder state.
    pub tcp_connections: usize,
    /// Entries in the timer heap.
    pub timers: usize,
}

/// The bounded event queue: when full, the oldest event is dropped and counted.
#[derive(Debug)]
pub(crate) struct EventQueue {
    queue: std::collections::VecDeque<TurnServerEvent>,
    max: usize,
    pub(crate) dropped: u64,
}

impl EventQueue {
    pub(crate) fn new(max: usize) -> Self {
        Self {
            queue: std::collections::VecDeque::new(),
            max: max.max(1),
            dropped: 0,
        }
    }

    pub(crate) fn push(&mut self, event: TurnServerEvent) {
        if self.queue.len() >= self.max {
            self.queue.pop_front();
            self.dropped += 1;
        }
        self.queue.push_back(event);
    }

    pub(crate) fn pop(&mut self) -> Option<TurnServerEvent> {
        self.queue.pop_front()
    }
}
