//! A small Sans-IO TURN server over UDP, built on our codec, for deterministic tests of the
//! client in virtual time. Real interop is proven against coturn (interop/tests); this fixture
//! exists to make timers, loss and misbehaviour reproducible.

use sansrtc_proto::{Protocol, Receive, SansIo, Transmit};
use sansrtc_stun::credentials::{PasswordPrep, long_term_key};
use sansrtc_stun::wire::{
    Attribute, ChannelData, ChannelNumber, Class, ErrorCode, Message, MessageBuilder, Method,
    TransactionId, attr, password_algorithm, write_channel_data,
};
use sansrtc_stun::{Error, IntegrityKey};
use std::collections::{BTreeMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

pub(crate) const USER: &str = "alice";
pub(crate) const PASSWORD: &str = "wonderland";
pub(crate) const REALM: &str = "sim.example";

/// How the fixture misbehaves, if at all.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Faults {
    /// Rotate the nonce this often (requests with an older one get 438).
    pub(crate) nonce_lifetime: Option<Duration>,
    /// Sign responses to authenticated requests (successes and errors other than 401 and 438)
    /// with the wrong key.
    pub(crate) forge_integrity: bool,
    /// Answer every Refresh with 403 Forbidden.
    pub(crate) refuse_refresh: bool,
}

/// Counters the tests assert on.
#[derive(Debug, Default, Clone)]
pub(crate) struct Seen {
    pub(crate) requests: BTreeMap<&'static str, u32>,
    pub(crate) stale: u32,
    pub(crate) challenges: u32,
    pub(crate) relayed_to_peer: u32,
    /// Permission refreshes that came after the permission had already expired.
    pub(crate) lapsed_permissions: u32,
}

#[derive(Debug)]
struct Allocation {
    client: SocketAddr,
    expires: Instant,
    permissions: BTreeMap<IpAddr, Instant>,
    channels: BTreeMap<u16, (SocketAddr, Instant)>,
}

#[derive(Debug)]
pub(crate) struct TurnServer {
    pub(crate) listen: SocketAddr,
    pub(crate) relay: SocketAddr,
    key: IntegrityKey,
    nonce: (u32, Instant),
    faults: Faults,
    allocation: Option<Allocation>,
    outbox: VecDeque<(SocketAddr, SocketAddr, Vec<u8>)>,
    pub(crate) seen: Seen,
}

fn name(method: Method) -> &'static str {
    match method {
        Method::ALLOCATE => "allocate",
        Method::REFRESH => "refresh",
        Method::CREATE_PERMISSION => "permission",
        Method::CHANNEL_BIND => "channel_bind",
        Method::SEND => "send",
        _ => "other",
    }
}

impl TurnServer {
    pub(crate) fn new(listen: SocketAddr, relay: SocketAddr, faults: Faults, now: Instant) -> Self {
        Self {
            listen,
            relay,
            key: long_term_key(
                USER,
                REALM,
                PASSWORD,
                password_algorithm::MD5,
                PasswordPrep::OpaqueString,
            )
            .unwrap(),
            nonce: (0, now),
            faults,
            allocation: None,
            outbox: VecDeque::new(),
            seen: Seen::default(),
        }
    }

    fn nonce(&self) -> String {
        format!("nonce-{}", self.nonce.0)
    }

    fn respond(
        &mut self,
        to: SocketAddr,
        request: &Message<'_>,
        class: Class,
        attrs: &[Attribute<'_>],
        sign: bool,
    ) {
        let mut out = Vec::new();
        let mut b =
            MessageBuilder::new(&mut out, class, request.method(), request.transaction_id());
        for a in attrs {
            b.add(a).unwrap();
        }
        if sign {
            if self.faults.forge_integrity {
                b.add_message_integrity(&IntegrityKey::new(b"forged"))
                    .unwrap();
            } else {
                b.add_message_integrity(&self.key).unwrap();
            }
        }
        b.add_fingerprint().unwrap();
        b.finish();
        self.outbox.push_back((self.listen, to, out));
    }

    /// An error response. A 401 or 438 means the request's credentials failed, so it is not
    /// signed; any other error answers an authenticated request and is signed with its key, as
    /// RFC 8489 §9.2.4 requires (the client discards it otherwise, §9.2.5).
    fn error(&mut self, to: SocketAddr, request: &Message<'_>, code: u16) {
        let nonce = self.nonce();
        let attrs = [
            Attribute::ErrorCode(ErrorCode::new(code)),
            Attribute::Realm(REALM),
            Attribute::Nonce(&nonce),
        ];
        let sign = !matches!(code, 401 | 438);
        self.respond(to, request, Class::Error, &attrs, sign);
    }

    fn handle_request(&mut self, now: Instant, from: SocketAddr, m: &Message<'_>) {
        *self.seen.requests.entry(name(m.method())).or_default() += 1;
        if let Some(lifetime) = self.faults.nonce_lifetime
            && now >= self.nonce.1 + lifetime
        {
            self.nonce = (self.nonce.0 + 1, now);
        }
        if !m.has_integrity() {
            self.seen.challenges += 1;
            return self.error(from, m, 401);
        }
        if m.verify_integrity(&self.key).is_err() || m.username() != Some(USER) {
            self.seen.challenges += 1;
            return self.error(from, m, 401);
        }
        if m.nonce() != Some(self.nonce().as_str()) {
            self.seen.stale += 1;
            return self.error(from, m, 438);
        }
        let lifetime = m.lifetime().unwrap_or(600).min(3600);
        match m.method() {
            Method::ALLOCATE => {
                self.allocation = Some(Allocation {
                    client: from,
                    expires: now + Duration::from_secs(u64::from(lifetime)),
                    permissions: BTreeMap::new(),
                    channels: BTreeMap::new(),
                });
                let relay = self.relay;
                let attrs = [
                    Attribute::XorRelayedAddress(relay),
                    Attribute::XorMappedAddress(from),
                    Attribute::Lifetime(lifetime),
                ];
                self.respond(from, m, Class::Success, &attrs, true);
            }
            Method::REFRESH if self.faults.refuse_refresh => self.error(from, m, 403),
            Method::REFRESH => {
                match (&mut self.allocation, lifetime) {
                    (None, _) => return self.error(from, m, 437),
                    // A different 5-tuple has no allocation (RFC 8656 §2.2).
                    (Some(a), _) if a.client != from => return self.error(from, m, 437),
                    (Some(_), 0) => self.allocation = None,
                    (Some(a), l) => a.expires = now + Duration::from_secs(u64::from(l)),
                }
                self.respond(
                    from,
                    m,
                    Class::Success,
                    &[Attribute::Lifetime(lifetime)],
                    true,
                );
            }
            Method::CREATE_PERMISSION => {
                let Some(a) = &mut self.allocation else {
                    return self.error(from, m, 437);
                };
                for attribute in m.typed_attributes() {
                    if let Ok(Attribute::XorPeerAddress(peer)) = attribute
                        && let Some(old) = a
                            .permissions
                            .insert(peer.ip(), now + Duration::from_secs(300))
                        && old <= now
                    {
                        self.seen.lapsed_permissions += 1;
                    }
                }
                self.respond(from, m, Class::Success, &[], true);
            }
            Method::CHANNEL_BIND => {
                let Some(a) = &mut self.allocation else {
                    return self.error(from, m, 437);
                };
                let (Some(Ok(Attribute::ChannelNumber(n))), Some(peer)) =
                    (m.get(attr::CHANNEL_NUMBER), m.xor_peer_address())
                else {
                    return self.error(from, m, 400);
                };
                a.channels.insert(n, (peer, now + Duration::from_secs(600)));
                a.permissions
                    .insert(peer.ip(), now + Duration::from_secs(300));
                self.respond(from, m, Class::Success, &[], true);
            }
            _ => self.error(from, m, 400),
        }
    }

    fn permitted(a: &Allocation, now: Instant, peer: IpAddr) -> bool {
        a.permissions.get(&peer).is_some_and(|&t| t > now)
    }

    /// Relays to a peer if the allocation is alive and the permission holds.
    fn relay_out(&mut self, now: Instant, peer: SocketAddr, data: &[u8]) {
        let Some(a) = &self.allocation else { return };
        if a.expires > now && Self::permitted(a, now, peer.ip()) {
            self.seen.relayed_to_peer += 1;
            self.outbox.push_back((self.relay, peer, data.to_vec()));
        }
    }

    /// Whether a live allocation holds.
    pub(crate) fn allocated(&self, now: Instant) -> bool {
        self.allocation.as_ref().is_some_and(|a| a.expires > now)
    }
}

impl SansIo for TurnServer {
    type Event = ();
    type Error = Error;

    fn handle_receive(&mut self, now: Instant, rx: Receive<'_>) -> Result<(), Error> {
        if rx.destination == self.relay {
            // From a peer to the relayed address.
            let Some(a) = &self.allocation else {
                return Ok(());
            };
            if a.expires <= now || !Self::permitted(a, now, rx.source.ip()) {
                return Ok(());
            }
            let client = a.client;
            let channel = a
                .channels
                .iter()
                .find(|(_, (p, t))| *p == rx.source && *t > now)
                .map(|(n, _)| *n);
            let mut out = Vec::new();
            match channel.and_then(ChannelNumber::new) {
                Some(n) => {
                    write_channel_data(&mut out, n, rx.contents, false)?;
                }
                None => {
                    let mut b = MessageBuilder::new(
                        &mut out,
                        Class::Indication,
                        Method::DATA,
                        TransactionId([0xd; 12]),
                    );
                    b.add(&Attribute::XorPeerAddress(rx.source))?;
                    b.add(&Attribute::Data(rx.contents))?;
                    b.finish();
                }
            }
            self.outbox.push_back((self.listen, client, out));
            return Ok(());
        }
        if let Ok(frame) = ChannelData::parse(rx.contents) {
            let peer = self
                .allocation
                .as_ref()
                .and_then(|a| a.channels.get(&frame.channel.value()))
                .map(|(p, _)| *p);
            if let Some(peer) = peer {
                self.relay_out(now, peer, frame.data);
            }
            return Ok(());
        }
        let m = Message::parse(rx.contents)?;
        match (m.class(), m.method()) {
            (Class::Request, _) => self.handle_request(now, rx.source, &m),
            (Class::Indication, Method::SEND) => {
                *self.seen.requests.entry("send").or_default() += 1;
                if let (Some(peer), Some(data)) = (m.xor_peer_address(), m.data()) {
                    self.relay_out(now, peer, data);
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn poll_transmit(&mut self, _now: Instant, buf: &mut Vec<u8>) -> Option<Transmit> {
        let (source, destination, bytes) = self.outbox.pop_front()?;
        buf.clear();
        buf.extend_from_slice(&bytes);
        Some(Transmit {
            proto: Protocol::Udp,
            source,
            destination,
            size: buf.len(),
        })
    }

    fn poll_event(&mut self) -> Option<()> {
        None
    }

    fn poll_timeout(&self) -> Option<Instant> {
        None
    }

    fn handle_timeout(&mut self, _now: Instant) {}
}
