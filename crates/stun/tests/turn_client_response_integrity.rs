//! RFC 8489 §9.2.5: a response to an authenticated request is acted on only when it carries a
//! valid MESSAGE-INTEGRITY(-SHA256). Apart from 401 and 438 (which carry the new NONCE and
//! cannot be signed with a key the client does not have yet) and 300 (RFC 8489 §10), a response
//! with the integrity attribute absent or wrong is discarded as if never received: the
//! transaction stays outstanding, its retransmissions continue, and `handle_receive` returns
//! `Err(Error::Auth(_))` with nothing changed.

use sansrtc_proto::{Protocol, Receive, SansIo};
use sansrtc_stun::IntegrityKey;
use sansrtc_stun::credentials::{PasswordPrep, long_term_key};
use sansrtc_stun::turn::{Failure, TurnClient, TurnConfig, TurnEvent, TurnTransport};
use sansrtc_stun::wire::{
    Attribute, Class, ErrorCode, Frame, Message, MessageBuilder, Method, StreamDecoder,
    TransactionId, error_code, password_algorithm,
};
use sansrtc_stun::{Error, IntegrityError};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

const SERVER: &str = "198.51.100.1:3478";
const ALTERNATE: &str = "198.51.100.2:3478";
const LOCAL: &str = "10.0.0.2:5000";
const RELAYED: &str = "198.51.100.1:49152";
const PEER: &str = "198.51.100.9:7000";
const USER: &str = "user";
const PASSWORD: &str = "pass";
const REALM: &str = "example.org";
const NONCE: &str = "nonce-1";

fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

#[expect(
    clippy::disallowed_methods,
    reason = "a test needs one real Instant as its epoch"
)]
fn epoch() -> Instant {
    Instant::now()
}

/// How a scripted response is signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sig {
    /// No MESSAGE-INTEGRITY at all.
    Absent,
    /// MESSAGE-INTEGRITY computed with a key that is not the long-term key.
    Wrong,
    /// MESSAGE-INTEGRITY with the long-term key.
    Valid,
}

/// A TURN client and a scripted server that answers its requests by hand.
struct Harness {
    client: TurnClient,
    now: Instant,
    stream: bool,
    out: Vec<u8>,
    decoder: StreamDecoder,
    /// Requests the client sent, oldest first: (method, transaction id).
    sent: Vec<(Method, TransactionId)>,
}

impl Harness {
    fn new(transport: TurnTransport) -> Self {
        let now = epoch();
        let stream = transport.is_stream();
        let mut config = TurnConfig::new(sa(SERVER), sa(LOCAL), transport, USER, PASSWORD);
        config.rng_seed = Some([9; 32]);
        Self {
            client: TurnClient::new(config, now).unwrap(),
            now,
            stream,
            out: Vec::new(),
            decoder: StreamDecoder::new(),
            sent: Vec::new(),
        }
    }

    fn key() -> IntegrityKey {
        long_term_key(
            USER,
            REALM,
            PASSWORD,
            password_algorithm::MD5,
            PasswordPrep::OpaqueString,
        )
        .unwrap()
    }

    /// Drains `poll_transmit`, recording every request; returns how many were sent.
    fn pump(&mut self) -> usize {
        let mut n = 0;
        while let Some(t) = self.client.poll_transmit(self.now, &mut self.out) {
            let bytes = self.out[..t.size].to_vec();
            let mut record = |m: &Message<'_>| {
                if m.class() == Class::Request {
                    self.sent.push((m.method(), m.transaction_id()));
                    n += 1;
                }
            };
            if self.stream {
                self.decoder.push(&bytes).unwrap();
                while let Some(frame) = self.decoder.next_frame() {
                    if let Ok(Frame::Stun(m)) = frame {
                        record(&m);
                    }
                }
            } else if let Ok(m) = Message::parse(&bytes) {
                record(&m);
            }
        }
        n
    }

    fn newest(&self, method: Method) -> TransactionId {
        self.sent
            .iter()
            .rev()
            .find(|(m, _)| *m == method)
            .map(|(_, tid)| *tid)
            .unwrap_or_else(|| panic!("no {method:?} request sent"))
    }

    fn events(&mut self) -> Vec<TurnEvent> {
        std::iter::from_fn(|| self.client.poll_event()).collect()
    }

    fn deliver(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let proto = if self.stream {
            Protocol::Tcp
        } else {
            Protocol::Udp
        };
        self.client.handle_receive(
            self.now,
            Receive {
                proto,
                source: self.client.server(),
                destination: sa(LOCAL),
                contents: bytes,
            },
        )
    }

    /// Answers the newest `method` request with a response of `class`.
    fn answer(
        &mut self,
        class: Class,
        method: Method,
        attrs: &[Attribute<'_>],
        sig: Sig,
    ) -> Result<(), Error> {
        let tid = self.newest(method);
        let mut bytes = Vec::new();
        let mut b = MessageBuilder::new(&mut bytes, class, method, tid);
        for a in attrs {
            b.add(a).unwrap();
        }
        let key = match sig {
            Sig::Absent => None,
            Sig::Wrong => Some(IntegrityKey::new(b"forged")),
            Sig::Valid => Some(Self::key()),
        };
        if let Some(key) = key {
            b.add_message_integrity(&key).unwrap();
        }
        b.add_fingerprint().unwrap();
        b.finish();
        let result = self.deliver(&bytes);
        self.pump();
        result
    }

    fn error(&mut self, method: Method, code: u16, sig: Sig) -> Result<(), Error> {
        let attrs = [
            Attribute::ErrorCode(ErrorCode::new(code)),
            Attribute::Realm(REALM),
            Attribute::Nonce(NONCE),
        ];
        self.answer(Class::Error, method, &attrs, sig)
    }

    /// Sends the first Allocate, answers it with a 401 and leaves the authenticated Allocate
    /// outstanding.
    fn challenged(transport: TurnTransport) -> Self {
        let mut h = Self::new(transport);
        h.client.allocate(h.now).unwrap();
        h.pump();
        h.error(Method::ALLOCATE, error_code::UNAUTHENTICATED, Sig::Absent)
            .unwrap();
        assert_eq!(h.sent.len(), 2, "the authenticated Allocate was sent");
        h
    }

    fn allocated(transport: TurnTransport) -> Self {
        let mut h = Self::challenged(transport);
        let attrs = [
            Attribute::XorRelayedAddress(sa(RELAYED)),
            Attribute::Lifetime(600),
        ];
        h.answer(Class::Success, Method::ALLOCATE, &attrs, Sig::Valid)
            .unwrap();
        assert!(matches!(
            h.events().as_slice(),
            [TurnEvent::Allocated { .. }]
        ));
        h
    }

    /// Asserts that a forged response changed nothing observable.
    fn assert_discarded(&mut self, result: Result<(), Error>, sig: Sig, what: &str) {
        let expected = match sig {
            Sig::Absent => IntegrityError::Missing,
            Sig::Wrong => IntegrityError::Mismatch,
            Sig::Valid => unreachable!("a validly signed response is not forged"),
        };
        assert_eq!(result, Err(Error::Auth(expected)), "{what} ({sig:?})");
        assert_eq!(self.events(), [], "{what} ({sig:?}) raised an event");
        assert!(
            !self.client.is_closed(),
            "{what} ({sig:?}) closed the client"
        );
    }

    /// Fires the next timer; returns how many requests went out.
    fn retransmit(&mut self) -> usize {
        self.now = self.client.poll_timeout().expect("a timer is pending");
        self.client.handle_timeout(self.now);
        self.pump()
    }
}

#[test]
fn unauthenticated_403_to_authenticated_allocate_is_discarded() {
    for transport in [TurnTransport::Udp, TurnTransport::Tcp] {
        let mut h = Harness::challenged(transport.clone());
        for sig in [Sig::Absent, Sig::Wrong] {
            let r = h.error(Method::ALLOCATE, error_code::FORBIDDEN, sig);
            h.assert_discarded(r, sig, "403 to Allocate");
            assert_eq!(h.client.relayed_address(), None);
        }
        if !transport.is_stream() {
            // The transaction is still outstanding: the same request is retransmitted.
            let tid = h.newest(Method::ALLOCATE);
            assert_eq!(h.retransmit(), 1);
            assert_eq!(
                h.newest(Method::ALLOCATE),
                tid,
                "a retransmission, not a retry"
            );
        }
        let attrs = [
            Attribute::XorRelayedAddress(sa(RELAYED)),
            Attribute::Lifetime(600),
        ];
        h.answer(Class::Success, Method::ALLOCATE, &attrs, Sig::Valid)
            .unwrap();
        assert!(
            matches!(h.events().as_slice(), [TurnEvent::Allocated { relayed, .. }] if *relayed == sa(RELAYED)),
            "{transport:?}"
        );
    }
}

#[test]
fn authenticated_403_to_allocate_still_fails_it() {
    let mut h = Harness::challenged(TurnTransport::Udp);
    h.error(Method::ALLOCATE, error_code::FORBIDDEN, Sig::Valid)
        .unwrap();
    assert!(matches!(
        h.events().as_slice(),
        [TurnEvent::AllocationFailed(Failure::Server {
            code: 403,
            ..
        })]
    ));
    assert!(h.client.is_closed());
}

#[test]
fn unauthenticated_486_to_refresh_is_discarded() {
    let mut h = Harness::allocated(TurnTransport::Udp);
    h.client.refresh(h.now, None).unwrap();
    h.pump();
    for sig in [Sig::Absent, Sig::Wrong] {
        let r = h.error(Method::REFRESH, error_code::ALLOCATION_QUOTA_REACHED, sig);
        h.assert_discarded(r, sig, "486 to Refresh");
    }
    // The real answer still counts.
    h.answer(
        Class::Success,
        Method::REFRESH,
        &[Attribute::Lifetime(300)],
        Sig::Valid,
    )
    .unwrap();
    assert_eq!(
        h.events(),
        [TurnEvent::Refreshed {
            lifetime: Duration::from_secs(300)
        }]
    );

    // And a signed 486 is a real failure.
    h.client.refresh(h.now, None).unwrap();
    h.pump();
    h.error(
        Method::REFRESH,
        error_code::ALLOCATION_QUOTA_REACHED,
        Sig::Valid,
    )
    .unwrap();
    assert!(matches!(
        h.events().as_slice(),
        [TurnEvent::RefreshFailed(Failure::Server { code: 486, .. })]
    ));
}

#[test]
fn unauthenticated_437_to_deallocate_is_discarded() {
    let mut h = Harness::allocated(TurnTransport::Udp);
    h.client.deallocate(h.now).unwrap();
    h.pump();
    for sig in [Sig::Absent, Sig::Wrong] {
        let r = h.error(Method::REFRESH, error_code::ALLOCATION_MISMATCH, sig);
        h.assert_discarded(r, sig, "437 to Refresh(0)");
    }
    let tid = h.newest(Method::REFRESH);
    assert_eq!(h.retransmit(), 1, "the Refresh(0) is retransmitted");
    assert_eq!(h.newest(Method::REFRESH), tid);
    h.error(Method::REFRESH, error_code::ALLOCATION_MISMATCH, Sig::Valid)
        .unwrap();
    assert_eq!(h.events(), [TurnEvent::Deallocated]);
    assert!(h.client.is_closed());
}

#[test]
fn unauthenticated_responses_to_every_authenticated_request_are_discarded() {
    let mut h = Harness::allocated(TurnTransport::Udp);
    let peer = sa(PEER);
    h.client.create_permission(h.now, peer.ip()).unwrap();
    h.client.bind_channel(h.now, peer).unwrap();
    h.client.refresh(h.now, None).unwrap();
    h.pump();
    for method in [
        Method::CREATE_PERMISSION,
        Method::CHANNEL_BIND,
        Method::REFRESH,
    ] {
        for sig in [Sig::Absent, Sig::Wrong] {
            for code in [
                error_code::BAD_REQUEST,
                error_code::FORBIDDEN,
                error_code::ALLOCATION_MISMATCH,
                error_code::INSUFFICIENT_CAPACITY,
                error_code::SERVER_ERROR,
            ] {
                let r = h.error(method, code, sig);
                h.assert_discarded(r, sig, &format!("{code} to {method:?}"));
            }
            let r = h.answer(Class::Success, method, &[], sig);
            h.assert_discarded(r, sig, &format!("success to {method:?}"));
        }
    }
    // Nothing was finished: the real successes still complete all three.
    for method in [
        Method::CREATE_PERMISSION,
        Method::CHANNEL_BIND,
        Method::REFRESH,
    ] {
        h.answer(Class::Success, method, &[], Sig::Valid).unwrap();
    }
    let events = h.events();
    assert!(
        events.contains(&TurnEvent::PermissionCreated { peer: peer.ip() }),
        "{events:?}"
    );
    assert!(
        events
            .iter()
            .any(|e| matches!(e, TurnEvent::ChannelBound { peer: p, .. } if *p == peer)),
        "{events:?}"
    );
    assert!(
        events
            .iter()
            .any(|e| matches!(e, TurnEvent::Refreshed { .. })),
        "{events:?}"
    );
}

#[test]
fn unauthenticated_401_and_438_to_authenticated_requests_are_still_handled() {
    // 438 without integrity: retried with the new nonce (a new transaction).
    let mut h = Harness::challenged(TurnTransport::Udp);
    let first = h.newest(Method::ALLOCATE);
    h.answer(
        Class::Error,
        Method::ALLOCATE,
        &[
            Attribute::ErrorCode(ErrorCode::new(error_code::STALE_NONCE)),
            Attribute::Realm(REALM),
            Attribute::Nonce("nonce-2"),
        ],
        Sig::Absent,
    )
    .unwrap();
    assert_ne!(h.newest(Method::ALLOCATE), first, "retried after 438");
    assert_eq!(h.events(), []);

    // 401 without integrity to an authenticated Refresh with an unchanged nonce: the
    // credentials are wrong.
    let mut h = Harness::allocated(TurnTransport::Udp);
    h.client.refresh(h.now, None).unwrap();
    h.pump();
    h.error(Method::REFRESH, error_code::UNAUTHENTICATED, Sig::Absent)
        .unwrap();
    assert_eq!(
        h.events(),
        [TurnEvent::RefreshFailed(Failure::Unauthenticated)]
    );
}

#[test]
fn unauthenticated_300_to_authenticated_allocate_still_redirects() {
    let mut h = Harness::challenged(TurnTransport::Udp);
    h.answer(
        Class::Error,
        Method::ALLOCATE,
        &[
            Attribute::ErrorCode(ErrorCode::new(error_code::TRY_ALTERNATE)),
            Attribute::AlternateServer(sa(ALTERNATE)),
        ],
        Sig::Absent,
    )
    .unwrap();
    assert_eq!(h.client.server(), sa(ALTERNATE));
    assert_eq!(h.events(), []);
    assert_eq!(h.sent.len(), 3, "a fresh Allocate went to the alternate");
}
