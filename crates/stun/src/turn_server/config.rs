//! TURN server configuration (RFC 8656 §7.2, §8, §9, §11; RFC 8489 §9.2).

use crate::credentials::PasswordPrep;
use sansrtc_proto::rng::Seed;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

/// Where relayed transport addresses come from (RFC 8656 §7.2 step 8: the server allocates a
/// relayed transport address). The caller owns every socket, relay sockets included.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RelayMode {
    /// The server asks: each accepted Allocate emits
    /// [`TurnServerEvent::RelayRequested`](super::TurnServerEvent::RelayRequested); the caller
    /// binds a UDP socket and answers with
    /// [`TurnServer::relay_allocated`](super::TurnServer::relay_allocated) or
    /// [`TurnServer::relay_failed`](super::TurnServer::relay_failed), and only then does the
    /// client get its success response. When an allocation ends, the caller closes the socket
    /// named in [`TurnServerEvent::AllocationDeleted`](super::TurnServerEvent::AllocationDeleted).
    Ask,
    /// The caller bound these UDP sockets in advance; the server hands one out per allocation
    /// and takes it back when the allocation ends. No round trip through the caller.
    Pool(Vec<SocketAddr>),
}

/// Bounds on everything a client, or a flood of clients, can make the server hold
/// (RFC 8656 §7.2 quotas, §21.1 resource exhaustion).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Allocations in all, pending ones included (more: 508 Insufficient Capacity).
    pub max_allocations: usize,
    /// Allocations per user (more: 486 Allocation Quota Reached).
    pub max_allocations_per_user: usize,
    /// Permissions per allocation (more: 508).
    pub max_permissions_per_allocation: usize,
    /// Channel bindings per allocation (more: 508).
    pub max_channels_per_allocation: usize,
    /// Datagrams waiting in `poll_transmit`'s queue (more are dropped and counted).
    pub max_queued_transmits: usize,
    /// Events waiting in `poll_event`'s queue (the oldest is dropped when full).
    pub max_queued_events: usize,
    /// Cached responses for retransmitted requests (RFC 8489 §6.3.1; oldest evicted).
    pub max_cached_responses: usize,
    /// Client TCP (or TLS) connections with decoder state.
    pub max_tcp_connections: usize,
    /// Unconsumed stream bytes per TCP connection: a frame longer than this fails the
    /// connection (RFC 8656 §12.5 frames are at most 65,539 bytes; real ones are far smaller).
    pub max_tcp_buffered: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_allocations: 1024,
            max_allocations_per_user: 16,
            max_permissions_per_allocation: 32,
            max_channels_per_allocation: 32,
            max_queued_transmits: 1024,
            max_queued_events: 1024,
            max_cached_responses: 1024,
            max_tcp_connections: 1024,
            max_tcp_buffered: 16 * 1024,
        }
    }
}

/// Configuration of a [`TurnServer`](super::TurnServer) (RFC 8656, RFC 8489 §9.2).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TurnServerConfig {
    /// The REALM of the long-term credential mechanism (RFC 8489 §9.2).
    pub realm: String,
    /// Users: username to password. Long-term keys (MD5 and SHA-256, RFC 8489 §9.2.2) and
    /// USERHASH values (§14.4) are derived once, at construction.
    pub users: BTreeMap<String, String>,
    /// How passwords and the realm are prepared before hashing (RFC 8489 §9.2.2).
    pub password_prep: PasswordPrep,
    /// Offer SHA-256 keys through PASSWORD-ALGORITHMS (RFC 8489 §9.2.4, nonce feature bit 0).
    pub offer_sha256: bool,
    /// Accept USERHASH in place of USERNAME (RFC 8489 §9.2.4, nonce feature bit 1).
    pub offer_userhash: bool,
    /// SOFTWARE in every response (RFC 8489 §14.14).
    pub software: Option<String>,
    /// Where relay addresses come from.
    pub relay: RelayMode,
    /// Lifetime granted when the client asks for less or nothing (RFC 8656 §7.2: 10 minutes).
    pub default_lifetime: Duration,
    /// Longest lifetime granted (RFC 8656 §7.2: at least 1 hour recommended as the cap).
    pub max_lifetime: Duration,
    /// Permission lifetime (RFC 8656 §9: 300 s).
    pub permission_lifetime: Duration,
    /// Channel binding lifetime (RFC 8656 §11: 10 minutes).
    pub channel_lifetime: Duration,
    /// How long an expired channel number and peer stay reserved (RFC 8656 §11: 5 minutes).
    pub channel_cooldown: Duration,
    /// How long a nonce is valid; after that, requests get 438 Stale Nonce (RFC 8489 §9.2).
    pub nonce_lifetime: Duration,
    /// In [`RelayMode::Ask`], how long the caller has to answer a relay request before the
    /// pending allocation is dropped.
    pub relay_request_timeout: Duration,
    /// How long a response stays cached for retransmissions (RFC 8489 §6.3.1: 40 s is the
    /// recommended transaction lifetime).
    pub response_cache_lifetime: Duration,
    /// Also accept the channel numbers 0x5000–0x7FFF that RFC 5766 §11 allowed and RFC 8656
    /// §12 reserves. Off by default (RFC 8656: 400 Bad Request); clients written for RFC 5766,
    /// coturn's own `turnutils_uclient` among them, pick channels from the whole old range.
    pub legacy_channel_numbers: bool,
    /// Memory bounds.
    pub limits: Limits,
    /// Seed of the nonce secret and of Data indication transaction ids (`None`: OS entropy).
    pub rng_seed: Option<Seed>,
}

impl TurnServerConfig {
    /// A configuration with the RFC defaults (RFC 8656 §7.2 lifetimes, §9 permission and §11
    /// channel lifetimes), no users, and relay addresses asked for.
    pub fn new(realm: impl Into<String>) -> Self {
        Self {
            realm: realm.into(),
            users: BTreeMap::new(),
            password_prep: PasswordPrep::default(),
            offer_sha256: true,
            offer_userhash: true,
            software: Some(concat!("sansrtc-stun ", env!("CARGO_PKG_VERSION")).to_owned()),
            relay: RelayMode::Ask,
            default_lifetime: Duration::from_secs(600),
            max_lifetime: Duration::from_secs(3600),
            permission_lifetime: Duration::from_secs(300),
            channel_lifetime: Duration::from_secs(600),
            channel_cooldown: Duration::from_secs(300),
            nonce_lifetime: Duration::from_secs(600),
            relay_request_timeout: Duration::from_secs(10),
            response_cache_lifetime: Duration::from_secs(40),
            legacy_channel_numbers: false,
            limits: Limits::default(),
            rng_seed: None,
        }
    }

    /// Adds a user (RFC 8489 §9.2: long-term credentials).
    #[must_use]
    pub fn user(mut self, username: impl Into<String>, password: impl Into<String>) -> Self {
        self.users.insert(username.into(), password.into());
        self
    }

    /// Uses a pool of relay addresses the caller has bound ([`RelayMode::Pool`]; RFC 8656
    /// §7.2 step 8).
    #[must_use]
    pub fn relay_pool(mut self, addresses: impl IntoIterator<Item = SocketAddr>) -> Self {
        self.relay = RelayMode::Pool(addresses.into_iter().collect());
        self
    }
}
