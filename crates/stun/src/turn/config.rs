//! TURN client configuration.

use crate::credentials::PasswordPrep;
use crate::transaction::TransactionConfig;
use crate::wire::AddressFamily;
use sansrtc_proto::rng::Seed;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// How the client reaches the server (RFC 8656 §3.1).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum TurnTransport {
    /// UDP datagrams.
    Udp,
    /// A TCP connection the caller opened; bytes are framed per RFC 8656 §12.5.
    Tcp,
    /// TLS over a TCP connection the caller opened. The rustls configuration decides which
    /// certificates are trusted and where wall-clock time for validity checks comes from (give
    /// it a `TimeProvider` to keep the whole stack off the system clock).
    Tls {
        /// The rustls client configuration.
        config: Arc<rustls::ClientConfig>,
        /// The name the server's certificate must carry.
        server_name: rustls::pki_types::ServerName<'static>,
    },
}

impl TurnTransport {
    /// Whether the transport is a byte stream (no retransmissions, stream framing).
    pub const fn is_stream(&self) -> bool {
        !matches!(self, Self::Udp)
    }
}

/// Configuration of a [`TurnClient`](super::TurnClient).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TurnConfig {
    /// The TURN server.
    pub server: SocketAddr,
    /// Our local address toward the server (the socket, or the TCP connection's local end).
    pub local: SocketAddr,
    /// Transport to the server.
    pub transport: TurnTransport,
    /// Long-term credential username.
    pub username: String,
    /// Long-term credential password.
    pub password: String,
    /// How the password and realm are prepared before hashing (RFC 8489 §9.2.2).
    pub password_prep: PasswordPrep,
    /// Send USERHASH instead of USERNAME when the server's nonce offers username anonymity
    /// (RFC 8489 §9.2.4).
    pub use_userhash: bool,
    /// LIFETIME to ask for in Allocate and Refresh (`None`: the server's default, 10 minutes).
    pub lifetime: Option<Duration>,
    /// REQUESTED-ADDRESS-FAMILY for the relayed address (`None`: IPv4, the default).
    pub requested_family: Option<AddressFamily>,
    /// Ask the server to set the DF bit toward peers (DONT-FRAGMENT, RFC 8656 §18.9).
    pub dont_fragment: bool,
    /// SOFTWARE to include in requests.
    pub software: Option<String>,
    /// Send a Binding indication to the server when nothing else was sent for this long, so
    /// NAT mappings on the path stay open between refreshes (RFC 8489 §3 keep-alive). `None`
    /// disables it. Default: 15 s over UDP, none over TCP/TLS.
    pub keepalive: Option<Duration>,
    /// Retransmission parameters.
    pub transactions: TransactionConfig,
    /// Seed of the transaction-id generator (`None`: operating-system entropy).
    pub rng_seed: Option<Seed>,
}

impl TurnConfig {
    /// A configuration with the RFC defaults.
    pub fn new(
        server: SocketAddr,
        local: SocketAddr,
        transport: TurnTransport,
        username: impl Into<String>,
        password: impl Into<String>,
    ) -> Self {
        let keepalive_default = (!transport.is_stream()).then_some(Duration::from_secs(15));
        Self {
            server,
            local,
            transport,
            username: username.into(),
            password: password.into(),
            password_prep: PasswordPrep::default(),
            use_userhash: false,
            lifetime: None,
            requested_family: None,
            dont_fragment: false,
            software: None,
            keepalive: keepalive_default,
            transactions: TransactionConfig::default(),
            rng_seed: None,
        }
    }
}
