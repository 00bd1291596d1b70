//! Settings of an [`Agent`](crate::Agent): role, credentials, servers, pacing, limits and the
//! consent timers.

use std::net::SocketAddr;
use std::time::Duration;

use sansrtc_stun::turn::TurnTransport;

use crate::event::Role;

/// ICE credentials (RFC 8445 §5.3): the username fragment and password of one side.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Credentials {
    /// `ice-ufrag`: 4 to 256 ice-chars (RFC 8839 §5.4).
    pub ufrag: String,
    /// `ice-pwd`: 22 to 256 ice-chars.
    pub pwd: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("ufrag", &self.ufrag)
            .finish_non_exhaustive()
    }
}

impl Credentials {
    /// Whether both parts are 4 to 256 (ufrag) and 22 to 256 (password) ice-chars
    /// (`ALPHA / DIGIT / "+" / "/"`, RFC 8839 §5.4).
    pub fn is_valid(&self) -> bool {
        let ice_chars = |s: &str| {
            s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
        };
        (4..=256).contains(&self.ufrag.len())
            && (22..=256).contains(&self.pwd.len())
            && ice_chars(&self.ufrag)
            && ice_chars(&self.pwd)
    }

    /// Fresh random credentials: an 8-character ufrag and a 24-character password (more than
    /// the 24 and 128 bits RFC 8445 §5.3 asks for), from `rng`.
    pub fn random<R: rand::Rng + ?Sized>(rng: &mut R) -> Self {
        const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut pick = |n: usize| -> String {
            (0..n)
                .map(|_| char::from(CHARS[(rng.next_u32() % 64) as usize]))
                .collect()
        };
        let ufrag = pick(8);
        let pwd = pick(24);
        Self { ufrag, pwd }
    }
}

/// A TURN server to gather a relayed candidate from.
#[derive(Debug, Clone)]
pub struct TurnServer {
    /// The server's address.
    pub server: SocketAddr,
    /// UDP, TCP or TLS (the caller opens the TCP connection for the last two).
    pub transport: TurnTransport,
    /// Long-term credentials (RFC 8489 §9.2).
    pub username: String,
    /// Its password.
    pub password: String,
    /// For TCP and TLS: the local end of the caller's connection to the server. For UDP
    /// `None`: one allocation from every host address of the server's family.
    pub local: Option<SocketAddr>,
}

impl TurnServer {
    /// A TURN server over UDP.
    pub fn udp(server: SocketAddr, username: &str, password: &str) -> Self {
        Self {
            server,
            transport: TurnTransport::Udp,
            username: username.to_owned(),
            password: password.to_owned(),
            local: None,
        }
    }
}

/// How the agent runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// The initial role (RFC 8445 §6.1.1: the offerer of a full agent is controlling). A
    /// lite agent is always controlled.
    pub role: Role,
    /// ICE-lite (RFC 8445 §2.5): host candidates only, no checks of its own, always
    /// controlled. For servers with public addresses.
    pub lite: bool,
    /// Our credentials; random when `None`.
    pub credentials: Option<Credentials>,
    /// STUN servers for server-reflexive candidates (RFC 8445 §5.1.1.2).
    pub stun_servers: Vec<SocketAddr>,
    /// TURN servers for relayed candidates (RFC 8445 §5.1.1.2, RFC 8656).
    pub turn_servers: Vec<TurnServer>,
    /// Use relayed candidates only (`iceTransportPolicy: "relay"`): host and
    /// server-reflexive candidates are neither signaled nor paired, and checks arriving on a
    /// host address are not answered, so the peer never learns our addresses.
    pub relay_only: bool,
    /// Ta, the pacing of checks and gathering transactions (RFC 8445 §14.2). Default 50 ms.
    pub ta: Duration,
    /// The first retransmission timeout of a check (RFC 8445 §14.3 asks for at least
    /// 500 ms... the larger of this and `ta` × active pairs is used). Default 500 ms.
    pub check_rto: Duration,
    /// The retransmission timeout never grows beyond this. Default 3 s.
    pub max_check_rto: Duration,
    /// Transmissions of one check before its pair fails (RFC 8489 §6.2.1's Rc). Default 7.
    pub max_check_transmissions: u8,
    /// The most remote candidates kept; more are refused with [`crate::Error::Limit`].
    /// Default 100.
    pub max_remote_candidates: usize,
    /// The most candidate pairs (RFC 8445 §6.1.2.5: limit the check list, 100 by
    /// default); the lowest-priority pairs go first.
    pub max_pairs: usize,
    /// Regular nomination (RFC 8445 §8.1.1): the controlling agent nominates the best valid
    /// pair once no pair of higher priority can still succeed, or this long after the first
    /// pair succeeded. Default 500 ms.
    pub nomination_delay: Duration,
    /// Consent freshness (RFC 7675 §5.1): checks on the selected pair every 0.8 to 1.2 times
    /// this. Default 5 s.
    pub consent_interval: Duration,
    /// Disconnected after this long without a consent response. Default 10 s.
    pub disconnected_after: Duration,
    /// Consent expires (failed) after this long without a response (RFC 7675 §5.1: 30 s).
    pub consent_timeout: Duration,
    /// Once completed and quiet this long, the agent frees every candidate and pair but the
    /// selected one and keeps only what consent and data need (RFC 8445 §8.3); anything new
    /// brings the full state back. `None` keeps everything. Default 10 s.
    pub compact_after: Option<Duration>,
    /// Seed for the agent's randomness (credentials, tie-breaker, transaction ids, consent
    /// jitter); `None` draws from the operating system.
    pub rng_seed: Option<sansrtc_proto::rng::Seed>,
}

impl Config {
    /// Defaults for a full agent in `role`.
    pub fn new(role: Role) -> Self {
        Self {
            role,
            lite: false,
            credentials: None,
            stun_servers: Vec::new(),
            turn_servers: Vec::new(),
            relay_only: false,
            ta: Duration::from_millis(50),
            check_rto: Duration::from_millis(500),
            max_check_rto: Duration::from_secs(3),
            max_check_transmissions: 7,
            max_remote_candidates: 100,
            max_pairs: 100,
            nomination_delay: Duration::from_millis(500),
            consent_interval: Duration::from_secs(5),
            disconnected_after: Duration::from_secs(10),
            consent_timeout: Duration::from_secs(30),
            compact_after: Some(Duration::from_secs(10)),
            rng_seed: None,
        }
    }

    /// Defaults for an ICE-lite agent (always controlled).
    pub fn lite() -> Self {
        Self {
            lite: true,
            ..Self::new(Role::Controlled)
        }
    }
}
