//! Shared harness of the DTLS endpoint fuzz targets: a real peer produces genuine flights,
//! the fuzzer's bytes choose which datagrams reach the endpoint under test and how they are
//! mutated (or replace them with raw bytes), and timers fire at fuzzer-chosen moments.
//!
//! Input layout: a sequence of segments `op(1) len(2, big endian) bytes(len)`:
//! - op 0: deliver `bytes` to the target as a raw datagram;
//! - op 1: deliver the peer's next pending datagram, XOR-ing `bytes` into it from offset
//!   `bytes[0]` (empty `bytes`: unchanged);
//! - op 2: deliver the peer's next pending datagram truncated to `len` bytes;
//! - op 3: advance virtual time by `bytes[0]` × 100 ms and fire timers on both;
//! - op 4: the target's pending datagrams go to the peer (so the handshake progresses).
//!
//! Oracles: no panic; `handle_receive` returning `Err` leaves no new event; exported keys,
//! once both sides are connected, are equal; once the target is connected it stays connected
//! and reports no failure or close (nothing the fuzzer makes carries valid keys, and the
//! genuine peer never closes); one delivered datagram makes the target send at most one
//! flight (RFC 6347 §4.2.4); a server never sends more HelloVerifyRequest bytes than it
//! received (RFC 6347 §4.2.1).

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use sansrtc_dtls::endpoint::{Config, Endpoint, Event, Role};
use sansrtc_dtls::identity::Identity;
use sansrtc_proto::{Protocol, Receive, SansIo};

fn identities() -> &'static (Arc<Identity>, Arc<Identity>) {
    static IDS: OnceLock<(Arc<Identity>, Arc<Identity>)> = OnceLock::new();
    IDS.get_or_init(|| {
        (
            Arc::new(Identity::generate().expect("identity")),
            Arc::new(Identity::generate().expect("identity")),
        )
    })
}

fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    // One real instant as the origin of virtual time (fuzz harnesses may read the clock).
    *EPOCH.get_or_init(Instant::now)
}

fn addr(port: u16) -> std::net::SocketAddr {
    std::net::SocketAddr::from(([127, 0, 0, 1], port))
}

fn drain(endpoint: &mut Endpoint, now: Instant) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut buf = Vec::new();
    while let Some(t) = endpoint.poll_transmit(now, &mut buf) {
        out.push(buf[..t.size].to_vec());
    }
    out
}

/// What the target has received and sent, for the amplification oracles.
#[derive(Default)]
struct Counters {
    received: usize,
    hello_verify_sent: usize,
}

impl Counters {
    /// Counts what the target sends; checks the per-datagram and HelloVerifyRequest bounds.
    fn sent(&mut self, datagrams: &[Vec<u8>], answering_one_datagram: bool) {
        if answering_one_datagram {
            assert!(
                datagrams.len() <= 3,
                "one datagram in, {} out",
                datagrams.len()
            );
        }
        for d in datagrams {
            // Handshake record, handshake type 3 (hello_verify_request).
            if d.first() == Some(&22) && d.get(13) == Some(&3) {
                self.hello_verify_sent += d.len();
            }
        }
        assert!(
            self.hello_verify_sent <= self.received,
            "{} HelloVerifyRequest bytes for {} received",
            self.hello_verify_sent,
            self.received
        );
    }
}

fn deliver(target: &mut Endpoint, now: Instant, datagram: &[u8], counters: &mut Counters) {
    counters.received += datagram.len();
    // Events of earlier steps are consumed first, so anything after is this datagram's.
    while target.poll_event().is_some() {}
    let result = target.handle_receive(
        now,
        Receive {
            proto: Protocol::Udp,
            source: addr(2),
            destination: addr(1),
            contents: datagram,
        },
    );
    if result.is_err() {
        assert!(
            target.poll_event().is_none(),
            "a rejected datagram raises no event"
        );
    }
    let answer = drain(target, now);
    counters.sent(&answer, true);
}

/// Runs the harness with the endpoint under test in `role`.
pub fn run(role: Role, data: &[u8]) {
    let (a, b) = identities();
    let peer_role = match role {
        Role::Client => Role::Server,
        Role::Server => Role::Client,
    };
    let mut target_config = Config::new(role, a.clone(), vec![b.fingerprint()]);
    let mut peer_config = Config::new(peer_role, b.clone(), vec![a.fingerprint()]);
    target_config.rng_seed = Some([1; 32]);
    peer_config.rng_seed = Some([2; 32]);
    let mut now = epoch();
    let Ok(mut target) = Endpoint::new(target_config, now, addr(1), addr(2)) else {
        return;
    };
    let Ok(mut peer) = Endpoint::new(peer_config, now, addr(2), addr(1)) else {
        return;
    };
    let mut from_peer: std::collections::VecDeque<Vec<u8>> = drain(&mut peer, now).into();
    let mut rest = data;
    let mut steps = 0;
    let mut counters = Counters::default();
    let mut was_connected = false;
    while let [op, hi, lo, tail @ ..] = rest {
        steps += 1;
        if steps > 64 {
            break;
        }
        let len = usize::from(u16::from_be_bytes([*hi, *lo])).min(tail.len());
        let (bytes, next) = tail.split_at(len);
        rest = next;
        match op % 5 {
            0 => deliver(&mut target, now, bytes, &mut counters),
            1 => {
                if let Some(mut datagram) = from_peer.pop_front() {
                    if let Some((&start, mask)) = bytes.split_first() {
                        for (i, m) in mask.iter().enumerate() {
                            if let Some(b) = datagram.get_mut(usize::from(start) + i) {
                                *b ^= m;
                            }
                        }
                    }
                    deliver(&mut target, now, &datagram, &mut counters);
                }
            }
            2 => {
                if let Some(datagram) = from_peer.pop_front() {
                    deliver(
                        &mut target,
                        now,
                        &datagram[..len.min(datagram.len())],
                        &mut counters,
                    );
                }
            }
            3 => {
                now += Duration::from_millis(100 * u64::from(bytes.first().copied().unwrap_or(10)));
                target.handle_timeout(now);
                counters.sent(&drain(&mut target, now), false);
                peer.handle_timeout(now);
                from_peer.extend(drain(&mut peer, now));
            }
            _ => {
                let sent = drain(&mut target, now);
                counters.sent(&sent, false);
                for datagram in sent {
                    let _ = peer.handle_receive(
                        now,
                        Receive {
                            proto: Protocol::Udp,
                            source: addr(1),
                            destination: addr(2),
                            contents: &datagram,
                        },
                    );
                }
                from_peer.extend(drain(&mut peer, now));
            }
        }
        counters.sent(&drain(&mut target, now), false);
        while let Some(event) = target.poll_event() {
            if let Event::Connected { .. } = event {
                assert!(
                    target.is_connected(),
                    "Connected is reported only when connected"
                );
            }
            if was_connected {
                assert!(
                    !matches!(event, Event::Failed(_) | Event::Closed),
                    "a connected endpoint ended on forged input: {event:?}"
                );
            }
        }
        if was_connected {
            assert!(
                target.is_connected(),
                "nothing without valid keys disconnects"
            );
        }
        was_connected |= target.is_connected();
        while peer.poll_event().is_some() {}
        // Timers never run backwards and never fire in a loop.
        if let Some(deadline) = target.poll_timeout() {
            assert!(deadline + Duration::from_secs(3600) > now);
        }
    }
    if target.is_connected() && peer.is_connected() {
        let (mut x, mut y) = ([0u8; 60], [0u8; 60]);
        target
            .export_keying_material(b"EXTRACTOR-dtls_srtp", None, &mut x)
            .expect("connected");
        peer.export_keying_material(b"EXTRACTOR-dtls_srtp", None, &mut y)
            .expect("connected");
        assert_eq!(x, y, "both ends export the same keys");
    }
}
