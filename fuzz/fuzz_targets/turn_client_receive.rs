//! Fuzzes `TurnClient::handle_receive` (UDP and TCP) in deep states, interleaved with commands,
//! `poll_transmit`, `poll_event` and timers.
//!
//! The harness plays the TURN server with the codec to drive the client to a starting state,
//! then feeds the fuzzer's bytes as server datagrams (UDP) or stream chunks (TCP).
//!
//! # Input layout
//!
//! Byte 0, the mode: bit 7 selects TCP (else UDP); `(b & 0x7f) % 5` the starting stage:
//!
//! 0. fresh: no request sent;
//! 1. allocating: the first Allocate (no credentials) is outstanding;
//! 2. allocating with credentials: the server answered 401 (REALM `example.org`, NONCE) and the
//!    authenticated Allocate is outstanding;
//! 3. allocated: Allocate succeeded (MESSAGE-INTEGRITY with the long-term key of
//!    `test`/`example.org`/`test`), relayed address 127.0.0.1:49152, LIFETIME 600;
//! 4. as 3, plus a permission for 127.0.0.1 and channel 0x4000 bound to 127.0.0.1:3480.
//!
//! Then segments, each `[flags, extra, len_hi, len_lo, contents...]` (a short length takes what
//! is left). Per segment, in this order:
//!
//! - `extra >> 3 = e`: time advances by 2^(e-1) ms (`e = 0`: not at all);
//! - flags `0x08`: time jumps to `poll_timeout()` if that is later;
//! - `extra & 7`: a command: 0 none, 1 `refresh`, 2 `deallocate`, 3 `create_permission`
//!   127.0.0.2, 4 `bind_channel` 127.0.0.2:4000, 5 `send_to` 127.0.0.1:3480, 6 `send_to`
//!   127.0.0.2:4000 (the payload is the contents), 7 `remove_permission` 127.0.0.1 then
//!   `allocate`;
//! - the contents go to `handle_receive`, after these rewrites: flags `0x01` copies the
//!   transaction id of the newest request the client sent with the same method (else the newest
//!   request) over bytes 8–20, so responses match; flags `0x02` re-signs the STUN message at
//!   the start of the contents: integrity attributes are dropped, then MESSAGE-INTEGRITY (or
//!   MESSAGE-INTEGRITY-SHA256 when the client's newest authenticated request used it) with the
//!   client's current long-term key, and FINGERPRINT are appended, so success responses to
//!   authenticated requests get past the MAC check the fuzzer cannot forge; flags `0x04` sends
//!   from 127.0.0.1:3479 instead of the server; flags `0x10` labels the bytes with the other
//!   transport protocol.
//!
//! After every step the harness drains `poll_transmit` and `poll_event` and fires due timers,
//! as an event loop would.
//!
//! # Oracles (beyond "never panics")
//!
//! - No timer livelock: after `handle_timeout(now)` and draining, `poll_timeout()` is later than
//!   `now` (else a caller's event loop spins).
//! - Everything the client sends parses (STUN or ChannelData), and over UDP a new authenticated
//!   request verifies with the long-term key for the realm the client learned.
//! - UDP: `handle_receive` returning `Err` changed nothing (`SansIo` contract): no event, nothing
//!   to transmit.
//! - UDP: when `peek_relayed` returns data, `handle_receive` of the same datagram from the
//!   server succeeds and reports the same peer and data.
//! - RFC 8489 §9.2.5, UDP and TCP: a forged response is discarded as if never received. A
//!   forged response is a STUN success or error response, alone in its datagram (UDP) or
//!   alone in its segment and starting at a frame boundary (TCP), whose transaction id is that
//!   of a request the client sent authenticated, which is not a 401, a 438 or an unsigned 300,
//!   and whose integrity verifies with neither of the client's long-term keys (MD5, SHA-256)
//!   for its realm. For it `handle_receive` returns `Err`, no event is raised, nothing is
//!   queued to transmit, and `relayed_address`, `is_closed`, `server`, `realm` and
//!   `poll_timeout` are unchanged.
//!
//! # Seeds
//!
//! `corpus/turn_client_receive/` holds hand-encoded inputs in this layout, named
//! `s<stage>-<udp|tcp>-<what>`. The `*-forged-*` ones answer an authenticated request without
//! MESSAGE-INTEGRITY or with a wrong one (flags `0x01` only), then, where the name says
//! `-then-signed`, again with `RESIGN` so the real answer follows the forgery.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use sansrtc_proto::{Protocol, Receive, SansIo};
use sansrtc_stun::IntegrityKey;
use sansrtc_stun::credentials::{PasswordPrep, long_term_key};
use sansrtc_stun::turn::{TurnClient, TurnConfig, TurnEvent, TurnTransport};
use sansrtc_stun::wire::{
    Attribute, ChannelData, Class, ErrorCode, Frame, Message, MessageBuilder, Method,
    StreamDecoder, TransactionId, attr, error_code, password_algorithm,
};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::LazyLock;
use std::time::{Duration, Instant};

/// `SANSRTC_FUZZ_TRACE=1` prints what the harness does, for reproducing a crash by hand.
static TRACE: LazyLock<bool> = LazyLock::new(|| std::env::var_os("SANSRTC_FUZZ_TRACE").is_some());

macro_rules! trace {
    ($($arg:tt)*) => {
        if *TRACE {
            eprintln!($($arg)*);
        }
    };
}

const fn addr(last: u8, port: u16) -> SocketAddr {
    SocketAddr::new(IpAddr::V4(Ipv4Addr::new(127, 0, 0, last)), port)
}

const SERVER: SocketAddr = addr(1, 3478);
const OTHER: SocketAddr = addr(1, 3479);
const LOCAL: SocketAddr = addr(1, 50000);
const RELAYED: SocketAddr = addr(1, 49152);
const PEER: SocketAddr = addr(1, 3480);
const PEER2: SocketAddr = addr(2, 4000);
const USER: &str = "test";
const PASSWORD: &str = "test";
const REALM: &str = "example.org";
const NONCE: &str = "f//499k954d6OL34oL9FSTvy64sA";

const PATCH_TID: u8 = 0x01;
const RESIGN: u8 = 0x02;
const OTHER_SOURCE: u8 = 0x04;
const FIRE_TIMERS: u8 = 0x08;
const OTHER_PROTO: u8 = 0x10;

/// A request the client transmitted.
#[derive(Debug, Clone, Copy)]
struct Sent {
    method: u16,
    tid: TransactionId,
    authenticated: bool,
    sha256: bool,
}

struct Harness {
    client: TurnClient,
    stream: bool,
    now: Instant,
    out: Vec<u8>,
    /// Splits the client's TCP output into frames.
    sent_stream: StreamDecoder,
    /// Requests seen, newest last (the last 32).
    requests: Vec<Sent>,
    /// Events seen (the first 64; cleared before each UDP datagram).
    events: Vec<TurnEvent>,
    /// Splits the stream the client received (TCP), to know where its frames start.
    received: StreamDecoder,
    /// Whether `received` lost track of the client's decoder (then the TCP oracle is off).
    received_lost: bool,
}

/// What the client shows through its getters, for the forged-response oracle.
#[derive(Debug, PartialEq, Eq)]
struct Observed {
    relayed: Option<SocketAddr>,
    closed: bool,
    server: SocketAddr,
    realm: Option<String>,
    timeout: Option<Instant>,
}

/// The method bits of a 14-bit message type (RFC 8489 §5, Figure 3).
const fn method_of(message_type: u16) -> u16 {
    (message_type & 0x000f) | ((message_type & 0x00e0) >> 1) | ((message_type & 0x3e00) >> 2)
}

/// The long-term key the client derives for `realm`.
fn key_for(realm: &str, sha256: bool) -> Option<IntegrityKey> {
    let algorithm = if sha256 {
        password_algorithm::SHA256
    } else {
        password_algorithm::MD5
    };
    long_term_key(USER, realm, PASSWORD, algorithm, PasswordPrep::OpaqueString).ok()
}

/// A fixed server response for the setup (encoding it cannot fail).
fn response(
    class: Class,
    method: Method,
    tid: TransactionId,
    attrs: &[Attribute<'_>],
    key: Option<&IntegrityKey>,
) -> Vec<u8> {
    let mut out = Vec::new();
    let mut b = MessageBuilder::new(&mut out, class, method, tid);
    for a in attrs {
        b.add(a).expect("harness setup: encoding a fixed response");
    }
    if let Some(key) = key {
        b.add_message_integrity(key)
            .expect("harness setup: MESSAGE-INTEGRITY");
    }
    b.add_fingerprint().expect("harness setup: FINGERPRINT");
    b.finish();
    out
}

impl Harness {
    fn new(stream: bool, now: Instant) -> Self {
        let transport = if stream {
            TurnTransport::Tcp
        } else {
            TurnTransport::Udp
        };
        let mut config = TurnConfig::new(SERVER, LOCAL, transport, USER, PASSWORD);
        config.rng_seed = Some([0x5a; 32]);
        let client = TurnClient::new(config, now).expect("harness setup: TurnClient::new");
        Self {
            client,
            stream,
            now,
            out: Vec::new(),
            sent_stream: StreamDecoder::new(),
            requests: Vec::new(),
            events: Vec::new(),
            received: StreamDecoder::new(),
            received_lost: false,
        }
    }

    fn observe(&self) -> Observed {
        Observed {
            relayed: self.client.relayed_address(),
            closed: self.client.is_closed(),
            server: self.client.server(),
            realm: self.client.realm().map(str::to_owned),
            timeout: self.client.poll_timeout(),
        }
    }

    /// Whether `bytes` is exactly one response the client must discard (RFC 8489 §9.2.5; see
    /// the oracles in the module docs).
    fn forged_response(&self, bytes: &[u8]) -> bool {
        let Ok(m) = Message::parse(bytes) else {
            return false;
        };
        if !matches!(m.class(), Class::Success | Class::Error) {
            return false;
        }
        let tid = m.transaction_id();
        if !self
            .requests
            .iter()
            .any(|r| r.tid == tid && r.authenticated)
        {
            return false;
        }
        let signed = m.has_integrity() || m.has_integrity_sha256();
        if m.class() == Class::Error {
            match m.error_code().map(|e| e.code) {
                Some(error_code::UNAUTHENTICATED | error_code::STALE_NONCE) => return false,
                Some(error_code::TRY_ALTERNATE) if !signed => return false,
                _ => {}
            }
        }
        let Some(realm) = self.client.realm() else {
            return false;
        };
        let (Some(md5), Some(sha256)) = (key_for(realm, false), key_for(realm, true)) else {
            return false;
        };
        m.verify_integrity(&md5).is_err() && m.verify_integrity_sha256(&sha256).is_err()
    }

    /// Checks the forged-response oracle after `handle_receive` returned `ok`.
    fn check_discarded(&mut self, ok: bool, before: &Observed) {
        assert!(
            !ok,
            "oracle: a response to an authenticated request without valid integrity was \
             accepted"
        );
        assert!(
            self.client.poll_event().is_none(),
            "oracle: a forged response raised an event"
        );
        assert!(
            self.client.poll_transmit(self.now, &mut self.out).is_none(),
            "oracle: a forged response queued a transmission"
        );
        assert_eq!(
            &self.observe(),
            before,
            "oracle: a forged response changed the client's state"
        );
    }

    fn proto(&self) -> Protocol {
        if self.stream {
            Protocol::Tcp
        } else {
            Protocol::Udp
        }
    }

    /// Records one STUN message or ChannelData frame the client sent.
    fn record(requests: &mut Vec<Sent>, frame: Frame<'_>, check_mac: Option<&str>) {
        let Frame::Stun(m) = frame else { return };
        if m.class() != Class::Request {
            return;
        }
        let sent = Sent {
            method: m.method().value(),
            tid: m.transaction_id(),
            authenticated: m.has_integrity() || m.has_integrity_sha256(),
            sha256: m.has_integrity_sha256(),
        };
        let new = !requests.iter().any(|r| r.tid == sent.tid);
        if new
            && sent.authenticated
            && let Some(realm) = check_mac
            && let Some(key) = key_for(realm, sent.sha256)
        {
            let verified = if sent.sha256 {
                m.verify_integrity_sha256(&key)
            } else {
                m.verify_integrity(&key)
            };
            assert_eq!(
                verified,
                Ok(()),
                "oracle: a new authenticated request does not verify with the long-term key \
                 for realm {realm:?}"
            );
        }
        if new {
            if requests.len() == 32 {
                requests.remove(0);
            }
            requests.push(sent);
        }
    }

    /// Drains `poll_transmit`, checking and recording what the client sends.
    fn pump(&mut self) {
        for _ in 0..4096 {
            let Some(tx) = self.client.poll_transmit(self.now, &mut self.out) else {
                return;
            };
            assert!(
                tx.size <= self.out.len(),
                "oracle: Transmit.size beyond the buffer"
            );
            let bytes = &self.out[..tx.size];
            trace!("  sent {} bytes over {:?}", bytes.len(), tx.proto);
            if self.stream {
                if self.sent_stream.push(bytes).is_err() {
                    self.sent_stream = StreamDecoder::new();
                    continue;
                }
                while let Some(frame) = self.sent_stream.next_frame() {
                    let frame = frame.expect("oracle: the client sent a malformed stream frame");
                    Self::record(&mut self.requests, frame, None);
                }
            } else if bytes.first().is_some_and(|b| (0x40..=0x4f).contains(b)) {
                assert!(
                    ChannelData::parse(bytes).is_ok(),
                    "oracle: the client sent malformed ChannelData"
                );
            } else {
                let m = Message::parse(bytes).expect("oracle: the client sent a malformed message");
                let realm = self.client.realm().map(str::to_owned);
                Self::record(&mut self.requests, Frame::Stun(m), realm.as_deref());
            }
        }
        panic!("oracle: poll_transmit never runs dry");
    }

    fn drain_events(&mut self) {
        for _ in 0..65536 {
            match self.client.poll_event() {
                Some(e) => {
                    trace!("  event {e:?}");
                    if self.events.len() < 64 {
                        self.events.push(e);
                    }
                }
                None => return,
            }
        }
        panic!("oracle: poll_event never runs dry");
    }

    /// What an event loop does after every call: transmit, take events, fire due timers.
    fn drive(&mut self) {
        for _ in 0..64 {
            self.pump();
            self.drain_events();
            match self.client.poll_timeout() {
                Some(t) if t <= self.now => {
                    trace!("  handle_timeout");
                    self.client.handle_timeout(self.now);
                }
                _ => return,
            }
        }
        panic!(
            "oracle: timer livelock: poll_timeout() stays at or before now after \
             handle_timeout(now); events: {:?}",
            self.events
        );
    }

    fn advance(&mut self, d: Duration) {
        self.now += d;
    }

    fn receive(&mut self, contents: &[u8], source: SocketAddr, proto: Protocol) -> bool {
        let rx = Receive {
            proto,
            source,
            destination: LOCAL,
            contents,
        };
        let result = self.client.handle_receive(self.now, rx);
        trace!(
            "  handle_receive({} bytes from {source}, {proto:?}): {result:?}",
            contents.len()
        );
        result.is_ok()
    }

    fn newest(&self, method: Method) -> Option<Sent> {
        self.requests
            .iter()
            .rev()
            .find(|r| r.method == method.value())
            .copied()
    }

    /// Answers the newest request of `method` as the server would, during setup.
    fn answer(&mut self, class: Class, method: Method, attrs: &[Attribute<'_>], signed: bool) {
        let sent = self
            .newest(method)
            .expect("harness setup: the client did not send the request");
        let key = key_for(REALM, false).expect("harness setup: long-term key");
        let bytes = response(class, method, sent.tid, attrs, signed.then_some(&key));
        let ok = self.receive(&bytes, SERVER, self.proto());
        assert!(
            ok,
            "harness setup: the client rejected the server's {method:?} response"
        );
        self.drive();
    }

    /// Drives the client to `stage` (see the module docs).
    fn setup(&mut self, stage: u8) {
        trace!("setup: stage {stage}, stream {}", self.stream);
        if stage == 0 {
            return;
        }
        self.client
            .allocate(self.now)
            .expect("harness setup: allocate");
        self.drive();
        if stage == 1 {
            return;
        }
        self.advance(Duration::from_millis(20));
        let unauthenticated = ErrorCode::new(error_code::UNAUTHENTICATED);
        self.answer(
            Class::Error,
            Method::ALLOCATE,
            &[
                Attribute::ErrorCode(unauthenticated),
                Attribute::Realm(REALM),
                Attribute::Nonce(NONCE),
            ],
            false,
        );
        if stage == 2 {
            return;
        }
        self.advance(Duration::from_millis(20));
        self.answer(
            Class::Success,
            Method::ALLOCATE,
            &[
                Attribute::XorRelayedAddress(RELAYED),
                Attribute::XorMappedAddress(LOCAL),
                Attribute::Lifetime(600),
            ],
            true,
        );
        assert_eq!(
            self.client.relayed_address(),
            Some(RELAYED),
            "harness setup: no allocation; events: {:?}",
            self.events
        );
        if stage == 3 {
            return;
        }
        self.advance(Duration::from_millis(20));
        self.client
            .create_permission(self.now, PEER.ip())
            .expect("harness setup: create_permission");
        self.drive();
        self.answer(Class::Success, Method::CREATE_PERMISSION, &[], true);
        self.advance(Duration::from_millis(20));
        self.client
            .bind_channel(self.now, PEER)
            .expect("harness setup: bind_channel");
        self.drive();
        self.answer(Class::Success, Method::CHANNEL_BIND, &[], true);
        assert!(
            self.events
                .iter()
                .any(|e| matches!(e, TurnEvent::ChannelBound { peer, .. } if *peer == PEER)),
            "harness setup: channel not bound; events: {:?}",
            self.events
        );
    }

    /// Runs the command `n` (see the module docs); errors are legitimate answers.
    fn command(&mut self, n: u8, payload: &[u8]) {
        let now = self.now;
        let c = &mut self.client;
        let result = match n {
            1 => c.refresh(now, None),
            2 => c.deallocate(now),
            3 => c.create_permission(now, PEER2.ip()),
            4 => c.bind_channel(now, PEER2).map(|_| ()),
            5 => c.send_to(now, PEER, payload),
            6 => c.send_to(now, PEER2, payload),
            7 => {
                c.remove_permission(PEER.ip());
                c.allocate(now)
            }
            _ => return,
        };
        trace!("  command {n}: {result:?}");
    }

    /// Applies the `PATCH_TID` and `RESIGN` rewrites to a segment.
    fn rewrite(&self, flags: u8, contents: &[u8]) -> Vec<u8> {
        let mut bytes = contents.to_vec();
        if flags & PATCH_TID != 0 && bytes.len() >= 20 {
            let method = method_of(u16::from_be_bytes([bytes[0], bytes[1]]));
            let sent = self
                .requests
                .iter()
                .rev()
                .find(|r| r.method == method)
                .or(self.requests.last());
            if let Some(sent) = sent {
                bytes[8..20].copy_from_slice(&sent.tid.0);
            }
        }
        if flags & RESIGN != 0
            && let Ok((m, used)) = Message::parse_prefix(&bytes)
        {
            let sha256 = self
                .requests
                .iter()
                .rev()
                .find(|r| r.authenticated)
                .is_some_and(|r| r.sha256);
            let realm = self.client.realm().unwrap_or(REALM);
            if let Some(key) = key_for(realm, sha256) {
                let mut out = Vec::with_capacity(bytes.len() + 64);
                let mut b =
                    MessageBuilder::new(&mut out, m.class(), m.method(), m.transaction_id());
                for raw in m.attributes() {
                    if !matches!(
                        raw.attribute_type,
                        attr::MESSAGE_INTEGRITY
                            | attr::MESSAGE_INTEGRITY_SHA256
                            | attr::FINGERPRINT
                    ) {
                        let _ = b.add_verbatim(&raw);
                    }
                }
                let _ = if sha256 {
                    b.add_message_integrity_sha256(&key)
                } else {
                    b.add_message_integrity(&key)
                };
                let _ = b.add_fingerprint();
                b.finish();
                out.extend_from_slice(&bytes[used..]);
                return out;
            }
        }
        bytes
    }

    /// Feeds one segment (see the module docs).
    fn segment(&mut self, flags: u8, extra: u8, contents: &[u8]) {
        trace!(
            "segment: flags {flags:#04x} extra {extra:#04x}, {} bytes",
            contents.len()
        );
        let e = extra >> 3;
        if e > 0 {
            self.advance(Duration::from_millis(1 << (e - 1)));
        }
        if flags & FIRE_TIMERS != 0
            && let Some(t) = self.client.poll_timeout()
            && t > self.now
        {
            self.now = t;
        }
        self.drive();
        self.command(extra & 7, contents);
        self.drive();

        let bytes = self.rewrite(flags, contents);
        let source = if flags & OTHER_SOURCE != 0 {
            OTHER
        } else {
            self.client.server()
        };
        let proto = match (self.stream, flags & OTHER_PROTO != 0) {
            (false, false) | (true, true) => Protocol::Udp,
            _ => Protocol::Tcp,
        };
        if self.stream {
            // The client's decoder consumes the bytes only in these conditions; `received`
            // mirrors it to know whether these bytes start at a frame boundary.
            let consumed = !self.client.is_closed()
                && source == self.client.server()
                && proto == Protocol::Tcp;
            let at_boundary = !self.received_lost && self.received.buffered() == 0;
            let forged = (at_boundary || !consumed) && self.forged_response(&bytes);
            let before = self.observe();
            let ok = self.receive(&bytes, source, proto);
            if forged {
                self.check_discarded(ok, &before);
            }
            if consumed && !self.received_lost {
                if self.received.push(&bytes).is_err() {
                    self.received_lost = true;
                }
                while self.received.next_frame().is_some() {}
            }
            self.drive();
            return;
        }

        let peeked = self
            .client
            .peek_relayed(&bytes)
            .map(|(peer, data)| (peer, data.to_vec()));
        let was_closed = self.client.is_closed();
        self.events.clear();
        let forged = self.forged_response(&bytes);
        let before = self.observe();
        let ok = self.receive(&bytes, source, proto);
        if forged {
            self.check_discarded(ok, &before);
        }
        if !ok {
            assert!(
                self.client.poll_event().is_none(),
                "oracle: handle_receive returned Err but emitted an event"
            );
            assert!(
                self.client.poll_transmit(self.now, &mut self.out).is_none(),
                "oracle: handle_receive returned Err but queued a transmission"
            );
        }
        if let Some((peer, data)) = peeked
            && source == self.client.server()
            && proto == Protocol::Udp
            && !was_closed
        {
            assert!(
                ok,
                "oracle: peek_relayed found data that handle_receive rejects"
            );
            self.drain_events();
            let delivered = self.events.first().is_some_and(
                |e| matches!(e, TurnEvent::Data { peer: p, data: d, .. } if *p == peer && *d == data),
            );
            assert!(
                delivered,
                "oracle: handle_receive did not deliver what peek_relayed found; events: {:?}",
                self.events
            );
        }
        self.drive();
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, mut rest)) = data.split_first() else {
        return;
    };
    #[expect(
        clippy::disallowed_methods,
        reason = "a fuzz target needs one real Instant as the origin of virtual time"
    )]
    let t0 = Instant::now();
    let mut h = Harness::new(mode & 0x80 != 0, t0);
    h.setup((mode & 0x7f) % 5);
    while let [flags, extra, hi, lo, tail @ ..] = rest {
        let len = usize::from(u16::from_be_bytes([*hi, *lo])).min(tail.len());
        let (contents, next) = tail.split_at(len);
        h.segment(*flags, *extra, contents);
        rest = next;
    }
});
