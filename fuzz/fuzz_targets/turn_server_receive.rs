//! Fuzzes `TurnServer::handle_receive` over UDP and TCP from clients and peers, optionally
//! after an authenticated Allocate, a permission and a channel binding, interleaved with
//! timers.
//!
//! # Input layout
//!
//! Byte 0, the mode: bit 0 sets up the deep state first (client A at 10.0.0.1:5000 allocates
//! with `alice`/`wonderland` in realm `fuzz.example`, relay 192.0.2.100:49152, then permits
//! 192.0.2.1 and binds channel 0x4000 to 192.0.2.1:7000); bit 1 enables RFC 5766 channel
//! numbers; bit 2 asks the caller for relay addresses (`RelayMode::Ask`, answered at once,
//! with a refusal when bit 3 is also set) instead of the pool.
//!
//! Then segments `[flags, len_hi, len_lo, contents...]` (a short length takes what is left):
//!
//! - `flags & 3`: who sends: 0 client A, 1 client B (10.0.0.2:5000), both to the listening
//!   address 192.0.2.100:3478; 2 the peer 192.0.2.1:7000 and 3 a stranger 192.0.2.2:7000,
//!   both to the relay address 192.0.2.100:49152;
//! - `flags & 4`: the bytes are TCP stream bytes (clients only);
//! - `flags & 8`: re-sign the STUN message in the contents: credentials and integrity
//!   attributes are dropped, then USERNAME, REALM, the newest NONCE the server handed out,
//!   MESSAGE-INTEGRITY with the user's key and FINGERPRINT are appended, so authenticated
//!   paths are reached;
//! - `flags >> 4 = e`: before the bytes, time advances by 2^e ms (`e = 0`: not at all;
//!   `e = 15`: to `poll_timeout()`), then `handle_timeout` runs.
//!
//! # Oracles (beyond "never panics")
//!
//! - A UDP datagram that `handle_receive` rejects changes no allocation, permission or
//!   channel count.
//! - Every cap holds: allocations, permissions and channels per allocation, cached responses,
//!   queued transmits, TCP connections, and the timer heap (at most 2 entries per allocation
//!   plus 65).
//! - Everything the server sends parses: a STUN message or ChannelData frame per UDP
//!   datagram, whole frames on TCP.
//! - No timer livelock: after `handle_timeout(now)`, `poll_timeout()` is later than `now`.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use sansrtc_proto::{Protocol, Receive, SansIo};
use sansrtc_stun::IntegrityKey;
use sansrtc_stun::credentials::{PasswordPrep, long_term_key};
use sansrtc_stun::turn_server::{
    RelayMode, TurnServer, TurnServerConfig, TurnServerEvent, TurnServerStats,
};
use sansrtc_stun::wire::{
    Attribute, Class, Message, MessageBuilder, Method, TransactionId, attr, password_algorithm,
};
use std::net::SocketAddr;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

const REALM: &str = "fuzz.example";
const USER: &str = "alice";
const PASSWORD: &str = "wonderland";

fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

static KEY: LazyLock<IntegrityKey> = LazyLock::new(|| {
    long_term_key(
        USER,
        REALM,
        PASSWORD,
        password_algorithm::MD5,
        PasswordPrep::OpaqueString,
    )
    .unwrap()
});

#[expect(
    clippy::disallowed_methods,
    reason = "one real Instant as the fuzz epoch"
)]
fn epoch() -> Instant {
    Instant::now()
}

static EPOCH: LazyLock<Instant> = LazyLock::new(epoch);

struct Harness {
    server: TurnServer,
    now: Instant,
    nonce: String,
    buf: Vec<u8>,
    answer_relays: bool,
    refuse_relays: bool,
    next_relay: u16,
}

const MAX_ALLOCATIONS: usize = 4;
const MAX_PERMISSIONS: usize = 3;
const MAX_CHANNELS: usize = 2;
const MAX_CACHED: usize = 8;
const MAX_QUEUED: usize = 16;
const MAX_TCP: usize = 3;

impl Harness {
    fn new(mode: u8) -> Self {
        let mut config = TurnServerConfig::new(REALM).user(USER, PASSWORD);
        config.rng_seed = Some([mode; 32]);
        config.legacy_channel_numbers = mode & 2 != 0;
        config.relay = if mode & 4 != 0 {
            RelayMode::Ask
        } else {
            RelayMode::Pool(vec![sa("192.0.2.100:49152"), sa("192.0.2.100:49153")])
        };
        config.limits.max_allocations = MAX_ALLOCATIONS;
        config.limits.max_allocations_per_user = 3;
        config.limits.max_permissions_per_allocation = MAX_PERMISSIONS;
        config.limits.max_channels_per_allocation = MAX_CHANNELS;
        config.limits.max_cached_responses = MAX_CACHED;
        config.limits.max_queued_transmits = MAX_QUEUED;
        config.limits.max_tcp_connections = MAX_TCP;
        config.limits.max_tcp_buffered = 512;
        let now = *EPOCH;
        Self {
            server: TurnServer::new(config, now),
            now,
            nonce: String::new(),
            buf: Vec::new(),
            answer_relays: mode & 4 != 0,
            refuse_relays: mode & 8 != 0,
            next_relay: 49152,
        }
    }

    fn check_caps(&self) {
        let s: TurnServerStats = self.server.stats();
        assert!(s.allocations <= MAX_ALLOCATIONS, "{s:?}");
        assert!(s.permissions <= s.allocations * MAX_PERMISSIONS, "{s:?}");
        assert!(s.channels <= s.allocations * MAX_CHANNELS, "{s:?}");
        assert!(s.cached_responses <= MAX_CACHED, "{s:?}");
        assert!(s.queued_transmits <= MAX_QUEUED, "{s:?}");
        assert!(s.tcp_connections <= MAX_TCP, "{s:?}");
        assert!(s.timers <= 2 * s.allocations + 65, "{s:?}");
    }

    /// Drains transmits (checking they parse, and learning nonces) and events (answering
    /// relay requests).
    fn drain(&mut self) {
        loop {
            while let Some(t) = self.server.poll_transmit(self.now, &mut self.buf) {
                let bytes = &self.buf[..t.size];
                match t.proto {
                    Protocol::Udp if t.source == sa("192.0.2.100:3478") => {
                        if bytes.first().is_some_and(|b| (0x40..0x80).contains(b)) {
                            assert!(bytes.len() >= 4);
                        } else {
                            let m = Message::parse(bytes).expect("server sent junk");
                            m.verify_fingerprint().ok();
                            if let Some(nonce) = m.nonce() {
                                self.nonce = nonce.to_owned();
                            }
                        }
                    }
                    Protocol::Udp => {}
                    _ => {
                        // One whole frame per transmit.
                        if bytes[0] < 0x40 {
                            let m = Message::parse(bytes).expect("server sent a partial frame");
                            if let Some(nonce) = m.nonce() {
                                self.nonce = nonce.to_owned();
                            }
                        } else {
                            let len = usize::from(u16::from_be_bytes([bytes[2], bytes[3]]));
                            assert_eq!(bytes.len(), 4 + ((len + 3) & !3));
                        }
                    }
                }
            }
            let mut more = false;
            while let Some(event) = self.server.poll_event() {
                if let TurnServerEvent::RelayRequested(request) = event
                    && self.answer_relays
                {
                    more = true;
                    if self.refuse_relays {
                        self.server
                            .relay_failed(self.now, request.allocation)
                            .unwrap();
                    } else {
                        let relay = SocketAddr::new(sa("192.0.2.100:1").ip(), self.next_relay);
                        self.next_relay = self.next_relay.wrapping_add(1).max(1024);
                        let _ = self
                            .server
                            .relay_allocated(self.now, request.allocation, relay);
                    }
                }
            }
            if !more {
                break;
            }
        }
        self.check_caps();
    }

    fn receive(
        &mut self,
        proto: Protocol,
        source: SocketAddr,
        destination: SocketAddr,
        bytes: &[u8],
    ) {
        let before = self.server.stats();
        let result = self.server.handle_receive(
            self.now,
            Receive {
                proto,
                source,
                destination,
                contents: bytes,
            },
        );
        if result.is_err() && proto == Protocol::Udp {
            let after = self.server.stats();
            assert_eq!(
                (before.allocations, before.permissions, before.channels),
                (after.allocations, after.permissions, after.channels),
                "a rejected datagram changed state: {result:?}"
            );
        }
        self.drain();
    }

    fn signed(&self, method: Method, id: u8, attrs: &[Attribute<'_>]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut b = MessageBuilder::new(&mut out, Class::Request, method, TransactionId([id; 12]));
        for a in attrs {
            b.add(a).unwrap();
        }
        b.add(&Attribute::Username(USER)).unwrap();
        b.add(&Attribute::Realm(REALM)).unwrap();
        b.add(&Attribute::Nonce(&self.nonce)).unwrap();
        b.add_message_integrity(&KEY).unwrap();
        b.add_fingerprint().unwrap();
        out
    }

    fn setup(&mut self) {
        let a = sa("10.0.0.1:5000");
        let listen = sa("192.0.2.100:3478");
        let mut first = Vec::new();
        let mut b = MessageBuilder::new(
            &mut first,
            Class::Request,
            Method::ALLOCATE,
            TransactionId([1; 12]),
        );
        b.add(&Attribute::RequestedTransport(17)).unwrap();
        b.finish();
        self.receive(Protocol::Udp, a, listen, &first);
        let allocate = self.signed(Method::ALLOCATE, 2, &[Attribute::RequestedTransport(17)]);
        self.receive(Protocol::Udp, a, listen, &allocate);
        let peer = sa("192.0.2.1:7000");
        let permit = self.signed(
            Method::CREATE_PERMISSION,
            3,
            &[Attribute::XorPeerAddress(peer)],
        );
        self.receive(Protocol::Udp, a, listen, &permit);
        let bind = self.signed(
            Method::CHANNEL_BIND,
            4,
            &[
                Attribute::ChannelNumber(0x4000),
                Attribute::XorPeerAddress(peer),
            ],
        );
        self.receive(Protocol::Udp, a, listen, &bind);
        if !self.refuse_relays {
            let s = self.server.stats();
            assert_eq!(
                (s.allocations, s.permissions, s.channels),
                (1, 1, 1),
                "setup failed"
            );
        }
    }

    /// Re-signs a STUN message with fresh credentials (see the layout).
    fn resign(&self, bytes: &[u8]) -> Option<Vec<u8>> {
        let m = Message::parse(bytes).ok()?;
        let mut out = Vec::new();
        let mut b = MessageBuilder::new(&mut out, m.class(), m.method(), m.transaction_id());
        for raw in m.effective_attributes() {
            if matches!(
                raw.attribute_type,
                attr::USERNAME
                    | attr::USERHASH
                    | attr::REALM
                    | attr::NONCE
                    | attr::MESSAGE_INTEGRITY
                    | attr::MESSAGE_INTEGRITY_SHA256
                    | attr::FINGERPRINT
                    | attr::PASSWORD_ALGORITHM
                    | attr::PASSWORD_ALGORITHMS
            ) {
                continue;
            }
            b.add_verbatim(&raw).ok()?;
        }
        b.add(&Attribute::Username(USER)).ok()?;
        b.add(&Attribute::Realm(REALM)).ok()?;
        b.add(&Attribute::Nonce(&self.nonce)).ok()?;
        b.add_message_integrity(&KEY).ok()?;
        b.add_fingerprint().ok()?;
        Some(out)
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, mut rest)) = data.split_first() else {
        return;
    };
    let mut h = Harness::new(mode);
    if mode & 1 != 0 {
        h.setup();
    }
    let listen = sa("192.0.2.100:3478");
    let relay = sa("192.0.2.100:49152");
    while rest.len() >= 3 {
        let flags = rest[0];
        let len = usize::from(u16::from_be_bytes([rest[1], rest[2]]));
        let end = (3 + len).min(rest.len());
        let contents = &rest[3..end];
        rest = &rest[end..];
        match flags >> 4 {
            0 => {}
            15 => {
                if let Some(at) = h.server.poll_timeout() {
                    h.now = h.now.max(at);
                }
            }
            e => h.now += Duration::from_millis(1 << e),
        }
        h.server.handle_timeout(h.now);
        h.drain();
        if let Some(at) = h.server.poll_timeout() {
            assert!(at > h.now, "timer livelock");
        }
        let resigned = if flags & 8 != 0 {
            h.resign(contents)
        } else {
            None
        };
        let bytes = resigned.as_deref().unwrap_or(contents);
        let (source, destination) = match flags & 3 {
            0 => (sa("10.0.0.1:5000"), listen),
            1 => (sa("10.0.0.2:5000"), listen),
            2 => (sa("192.0.2.1:7000"), relay),
            _ => (sa("192.0.2.2:7000"), relay),
        };
        let proto = if flags & 4 != 0 && flags & 2 == 0 {
            Protocol::Tcp
        } else {
            Protocol::Udp
        };
        h.receive(proto, source, destination, bytes);
    }
});
