//! An in-memory world for the TURN server tests: one server, TURN clients and raw peers,
//! moved between by a pump in virtual time (no sockets, no sleeps).

#![allow(dead_code, reason = "each test binary uses part of the harness")]

use sansrtc_proto::{Protocol, Receive, SansIo};
use sansrtc_stun::IntegrityKey;
use sansrtc_stun::credentials::{PasswordPrep, long_term_key};
use sansrtc_stun::turn::{TurnClient, TurnConfig, TurnEvent, TurnTransport};
use sansrtc_stun::turn_server::{TurnServer, TurnServerConfig, TurnServerEvent};
use sansrtc_stun::wire::{
    Attribute, Class, Message, MessageBuilder, Method, TransactionId, password_algorithm,
};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

pub(crate) const REALM: &str = "turn.example";
pub(crate) const USER: &str = "alice";
pub(crate) const PASSWORD: &str = "wonderland";
pub(crate) const LISTEN: &str = "198.51.100.1:3478";
pub(crate) const RELAY: &str = "198.51.100.1:49152";
pub(crate) const RELAY2: &str = "198.51.100.1:49153";
pub(crate) const PEER: &str = "198.51.100.9:7000";
pub(crate) const CLIENT: &str = "203.0.113.5:5000";

pub(crate) fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

#[expect(
    clippy::disallowed_methods,
    reason = "tests pick one real Instant as the epoch of virtual time"
)]
pub(crate) fn epoch() -> Instant {
    Instant::now()
}

pub(crate) fn server_config() -> TurnServerConfig {
    let mut config = TurnServerConfig::new(REALM)
        .user(USER, PASSWORD)
        .user("bob", "builder")
        .relay_pool([sa(RELAY), sa(RELAY2)]);
    config.rng_seed = Some([7; 32]);
    config
}

pub(crate) fn client_config(local: &str, password: &str) -> TurnConfig {
    let mut config = TurnConfig::new(sa(LISTEN), sa(local), TurnTransport::Udp, USER, password);
    config.rng_seed = Some(sansrtc_proto::rng::seed_from_u64(u64::from(
        sa(local).port(),
    )));
    config
}

/// A datagram a peer received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Delivered {
    pub(crate) from: SocketAddr,
    pub(crate) to: SocketAddr,
    pub(crate) data: Vec<u8>,
}

pub(crate) struct World {
    pub(crate) now: Instant,
    pub(crate) server: TurnServer,
    pub(crate) clients: BTreeMap<SocketAddr, TurnClient>,
    pub(crate) client_events: BTreeMap<SocketAddr, Vec<TurnEvent>>,
    pub(crate) server_events: Vec<TurnServerEvent>,
    /// Datagrams the server sent to anything that is not a client.
    pub(crate) peers: Vec<Delivered>,
    /// Raw datagrams the server sent to addresses registered with `raw`.
    pub(crate) raw: BTreeMap<SocketAddr, Vec<Vec<u8>>>,
    buf: Vec<u8>,
}

impl World {
    pub(crate) fn new(config: TurnServerConfig) -> Self {
        let now = epoch();
        Self {
            now,
            server: TurnServer::new(config, now),
            clients: BTreeMap::new(),
            client_events: BTreeMap::new(),
            server_events: Vec::new(),
            peers: Vec::new(),
            raw: BTreeMap::new(),
            buf: Vec::with_capacity(2048),
        }
    }

    pub(crate) fn add_client(&mut self, config: TurnConfig) -> SocketAddr {
        let local = config.local;
        self.clients
            .insert(local, TurnClient::new(config, self.now).unwrap());
        local
    }

    pub(crate) fn client(&mut self, at: SocketAddr) -> &mut TurnClient {
        self.clients.get_mut(&at).unwrap()
    }

    /// Registers an address whose datagrams from the server are kept raw.
    pub(crate) fn add_raw(&mut self, at: SocketAddr) {
        self.raw.entry(at).or_default();
    }

    /// Feeds a datagram to the server from `from` to `to`.
    pub(crate) fn send_to_server(
        &mut self,
        from: SocketAddr,
        to: SocketAddr,
        data: &[u8],
    ) -> Result<(), sansrtc_stun::Error> {
        let r = self.server.handle_receive(
            self.now,
            Receive {
                proto: Protocol::Udp,
                source: from,
                destination: to,
                contents: data,
            },
        );
        self.pump();
        r
    }

    /// Moves datagrams until nobody has anything to send.
    pub(crate) fn pump(&mut self) {
        for _ in 0..10_000 {
            let mut moved = false;
            let locals: Vec<SocketAddr> = self.clients.keys().copied().collect();
            for local in locals {
                while let Some(t) = self
                    .clients
                    .get_mut(&local)
                    .unwrap()
                    .poll_transmit(self.now, &mut self.buf)
                {
                    moved = true;
                    let _ = self.server.handle_receive(
                        self.now,
                        Receive {
                            proto: t.proto,
                            source: t.source,
                            destination: t.destination,
                            contents: &self.buf[..t.size],
                        },
                    );
                }
            }
            while let Some(t) = self.server.poll_transmit(self.now, &mut self.buf) {
                moved = true;
                let contents = self.buf[..t.size].to_vec();
                if let Some(client) = self.clients.get_mut(&t.destination) {
                    let _ = client.handle_receive(
                        self.now,
                        Receive {
                            proto: t.proto,
                            source: t.source,
                            destination: t.destination,
                            contents: &contents,
                        },
                    );
                } else if let Some(inbox) = self.raw.get_mut(&t.destination) {
                    inbox.push(contents);
                } else {
                    self.peers.push(Delivered {
                        from: t.source,
                        to: t.destination,
                        data: contents,
                    });
                }
            }
            for (local, client) in &mut self.clients {
                while let Some(e) = client.poll_event() {
                    self.client_events.entry(*local).or_default().push(e);
                }
            }
            while let Some(e) = self.server.poll_event() {
                self.server_events.push(e);
            }
            if !moved {
                return;
            }
        }
        panic!("the pump never settled");
    }

    /// Advances virtual time in steps no larger than `step`, firing every timer.
    pub(crate) fn advance(&mut self, by: Duration) {
        let end = self.now + by;
        loop {
            let next = self
                .clients
                .values()
                .filter_map(SansIo::poll_timeout)
                .chain(self.server.poll_timeout())
                .filter(|t| *t <= end)
                .min();
            let Some(next) = next else { break };
            self.now = next.max(self.now);
            for client in self.clients.values_mut() {
                client.handle_timeout(self.now);
            }
            self.server.handle_timeout(self.now);
            self.pump();
        }
        self.now = end;
        for client in self.clients.values_mut() {
            client.handle_timeout(self.now);
        }
        self.server.handle_timeout(self.now);
        self.pump();
    }

    /// Advances only the server (the clients are gone or frozen).
    pub(crate) fn advance_server(&mut self, by: Duration) {
        self.now += by;
        self.server.handle_timeout(self.now);
        self.pump_server_only();
    }

    fn pump_server_only(&mut self) {
        while let Some(t) = self.server.poll_transmit(self.now, &mut self.buf) {
            self.peers.push(Delivered {
                from: t.source,
                to: t.destination,
                data: self.buf[..t.size].to_vec(),
            });
        }
        while let Some(e) = self.server.poll_event() {
            self.server_events.push(e);
        }
    }

    pub(crate) fn take_client_events(&mut self, at: SocketAddr) -> Vec<TurnEvent> {
        self.client_events.remove(&at).unwrap_or_default()
    }

    pub(crate) fn take_server_events(&mut self) -> Vec<TurnServerEvent> {
        std::mem::take(&mut self.server_events)
    }

    /// Allocates for a client and returns its first allocation event.
    pub(crate) fn allocate(&mut self, at: SocketAddr) -> TurnEvent {
        let now = self.now;
        self.client(at).allocate(now).unwrap();
        self.pump();
        self.take_client_events(at)
            .into_iter()
            .find(|e| {
                matches!(
                    e,
                    TurnEvent::Allocated { .. } | TurnEvent::AllocationFailed(_)
                )
            })
            .expect("an allocation outcome")
    }
}

/// A hand-driven client: builds requests with long-term credentials learned from a 401, for
/// the cases our TurnClient never produces.
pub(crate) struct RawClient {
    pub(crate) local: SocketAddr,
    pub(crate) nonce: String,
    pub(crate) key: IntegrityKey,
    pub(crate) next_id: u32,
}

impl RawClient {
    /// Learns a nonce with an unauthenticated Allocate.
    pub(crate) fn new(world: &mut World, local: SocketAddr, password: &str) -> Self {
        world.add_raw(local);
        let mut raw = Self {
            local,
            nonce: String::new(),
            key: long_term_key(
                USER,
                REALM,
                password,
                password_algorithm::MD5,
                PasswordPrep::OpaqueString,
            )
            .unwrap(),
            next_id: 0,
        };
        let request = raw.build(
            Method::ALLOCATE,
            &[Attribute::RequestedTransport(17)],
            false,
        );
        let response = raw.exchange(world, &request);
        let m = Message::parse(&response).unwrap();
        assert_eq!(m.error_code().unwrap().code, 401);
        raw.nonce = m.nonce().unwrap().to_owned();
        raw
    }

    pub(crate) fn build(&mut self, method: Method, attrs: &[Attribute<'_>], sign: bool) -> Vec<u8> {
        self.next_id += 1;
        let mut out = Vec::new();
        let mut tid = [0u8; 12];
        tid[..4].copy_from_slice(&self.next_id.to_be_bytes());
        tid[4..8].copy_from_slice(&u32::from(self.local.port()).to_be_bytes());
        let mut b = MessageBuilder::new(&mut out, Class::Request, method, TransactionId(tid));
        for a in attrs {
            b.add(a).unwrap();
        }
        if sign {
            b.add(&Attribute::Username(USER)).unwrap();
            b.add(&Attribute::Realm(REALM)).unwrap();
            b.add(&Attribute::Nonce(&self.nonce)).unwrap();
            b.add_message_integrity(&self.key).unwrap();
        }
        b.add_fingerprint().unwrap();
        b.finish();
        out
    }

    /// Sends bytes to the server's listening address and returns its one answer.
    pub(crate) fn exchange(&self, world: &mut World, request: &[u8]) -> Vec<u8> {
        world
            .send_to_server(self.local, sa(LISTEN), request)
            .unwrap();
        let inbox = world.raw.get_mut(&self.local).unwrap();
        assert_eq!(inbox.len(), 1, "one answer");
        inbox.pop().unwrap()
    }

    /// A signed request; returns the response's error code (`None` for success).
    pub(crate) fn request(
        &mut self,
        world: &mut World,
        method: Method,
        attrs: &[Attribute<'_>],
    ) -> Option<u16> {
        let request = self.build(method, attrs, true);
        let response = self.exchange(world, &request);
        let m = Message::parse(&response).unwrap();
        m.verify_fingerprint().unwrap();
        if m.error_code()
            .is_none_or(|e| e.code != 401 && e.code != 438)
        {
            m.verify_integrity(&self.key).unwrap();
        }
        m.error_code().map(|e| e.code)
    }
}
