//! The ICE agent's `handle_receive` with deep state: two real agents (A, the target, and B, its
//! peer) on 127.0.0.1 with signaled credentials and candidates, so checks, responses,
//! nomination and consent all run; the fuzzer interleaves B's genuine datagrams (delivered,
//! mutated or truncated) with raw datagrams from strangers, trickled bogus candidates and
//! timers.
//!
//! Input layout: segments `op(1) len(1) bytes(len)`:
//! - op 0: `bytes` reach A as a datagram from a stranger (port `bytes[0]`) or, if the first
//!   byte is odd, from B's address;
//! - op 1: B's next pending datagram reaches A, XOR-ed with `bytes` from offset `bytes[0]`;
//! - op 2: B's next pending datagram reaches A truncated to `len` bytes;
//! - op 3: advance virtual time by `bytes[0]` × 50 ms and fire both agents' timers;
//! - op 4: A's pending datagrams reach B (so the session progresses);
//! - op 5: a remote candidate at 10.0.0.`bytes[0]`:`bytes[1]` is trickled to A.
//!
//! Oracles: no panic; a datagram from a stranger (which cannot carry B's keys) changes none
//! of A's remote candidates, pairs, role, selected pair or connection state, and a refused
//! datagram emits no event; remote candidates and pairs stay within their limits; a timer is
//! never due in the past for long (no livelock).
#![no_main]

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use sansrtc_ice::{Agent, Candidate, CandidateKind, Config, Foundation, LocalAddress, Role};
use sansrtc_proto::{Protocol, Receive, SansIo};

fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    // One real instant as the origin of virtual time (fuzz harnesses may read the clock).
    *EPOCH.get_or_init(Instant::now)
}

const A: &str = "127.0.0.1:5000";
const B: &str = "127.0.0.1:6000";

fn addr(s: &str) -> SocketAddr {
    s.parse().expect("address")
}

fn agent(role: Role, address: &str, seed: u64, now: Instant) -> Agent {
    let mut config = Config::new(role);
    config.rng_seed = Some(sansrtc_proto::rng::seed_from_u64(seed));
    config.max_remote_candidates = 16;
    config.max_pairs = 16;
    let mut agent = Agent::new(config, now);
    agent.add_local_addresses(
        now,
        &[LocalAddress {
            address: addr(address),
            interface_rank: 0,
        }],
    );
    agent
}

fn drain(agent: &mut Agent, now: Instant) -> Vec<(SocketAddr, SocketAddr, Vec<u8>)> {
    let mut out = Vec::new();
    let mut buf = Vec::new();
    while let Some(t) = agent.poll_transmit(now, &mut buf) {
        out.push((t.source, t.destination, buf[..t.size].to_vec()));
        if out.len() > 10_000 {
            panic!("poll_transmit never ends");
        }
    }
    out
}

/// What a forged datagram must not change.
fn snapshot(
    a: &Agent,
) -> (
    usize,
    usize,
    Role,
    Option<sansrtc_ice::SelectedPath>,
    sansrtc_ice::ConnectionState,
) {
    (
        a.remote_candidates().len(),
        a.pair_count(),
        a.role(),
        a.selected_path(),
        a.state(),
    )
}

fuzz_target!(|data: &[u8]| {
    let mut now = epoch();
    let mut a = agent(Role::Controlling, A, 1, now);
    let mut b = agent(Role::Controlled, B, 2, now);
    a.set_remote_credentials(now, b.local_credentials().clone());
    b.set_remote_credentials(now, a.local_credentials().clone());
    for c in a.signaled_candidates().collect::<Vec<_>>() {
        let _ = b.add_remote_candidate(now, c);
    }
    for c in b.signaled_candidates().collect::<Vec<_>>() {
        let _ = a.add_remote_candidate(now, c);
    }
    while a.poll_event().is_some() {}
    let mut from_b: std::collections::VecDeque<(SocketAddr, SocketAddr, Vec<u8>)> =
        std::collections::VecDeque::new();
    let mut rest = data;
    let mut steps = 0;
    while let [op, len, tail @ ..] = rest {
        steps += 1;
        if steps > 64 {
            break;
        }
        let len = usize::from(*len).min(tail.len());
        let (bytes, next) = tail.split_at(len);
        rest = next;
        match op % 6 {
            0 => {
                let stranger = bytes.first().is_some_and(|b| b % 2 == 0);
                let source = if stranger {
                    SocketAddr::from(([203, 0, 113, 9], 1000 + u16::from(bytes[0])))
                } else {
                    addr(B)
                };
                let before = snapshot(&a);
                let rx = Receive {
                    proto: Protocol::Udp,
                    source,
                    destination: addr(A),
                    contents: bytes,
                };
                let result = a.handle_receive(now, rx);
                if stranger {
                    assert_eq!(
                        snapshot(&a),
                        before,
                        "a stranger's datagram changed the agent"
                    );
                }
                if result.is_err() {
                    assert!(
                        a.poll_event().is_none(),
                        "a refused datagram raised an event"
                    );
                }
            }
            1 | 2 => {
                if let Some((source, destination, mut datagram)) = from_b.pop_front() {
                    if op % 6 == 1 {
                        if let Some((&start, mask)) = bytes.split_first() {
                            for (i, m) in mask.iter().enumerate() {
                                if let Some(b) = datagram.get_mut(usize::from(start) + i) {
                                    *b ^= m;
                                }
                            }
                        }
                    } else {
                        datagram.truncate(len);
                    }
                    let rx = Receive {
                        proto: Protocol::Udp,
                        source,
                        destination,
                        contents: &datagram,
                    };
                    if a.handle_receive(now, rx).is_err() {
                        assert!(
                            a.poll_event().is_none(),
                            "a refused datagram raised an event"
                        );
                    }
                }
            }
            3 => {
                now += Duration::from_millis(50 * u64::from(bytes.first().copied().unwrap_or(1)));
                a.handle_timeout(now);
                b.handle_timeout(now);
                from_b.extend(drain(&mut b, now));
            }
            4 => {
                for (source, destination, datagram) in drain(&mut a, now) {
                    let rx = Receive {
                        proto: Protocol::Udp,
                        source,
                        destination,
                        contents: &datagram,
                    };
                    let _ = b.handle_receive(now, rx);
                }
                from_b.extend(drain(&mut b, now));
            }
            _ => {
                let ip = bytes.first().copied().unwrap_or(1);
                let port = u16::from(bytes.get(1).copied().unwrap_or(1)) + 1;
                let candidate = Candidate::remote(
                    CandidateKind::Host,
                    SocketAddr::from(([10, 0, 0, ip], port)),
                    u32::from(ip) << 8,
                    Foundation::new("9").expect("foundation"),
                    1,
                );
                let _ = a.add_remote_candidate(now, candidate);
            }
        }
        while a.poll_event().is_some() {}
        while b.poll_event().is_some() {}
        assert!(
            a.remote_candidates().len() <= 16,
            "remote candidates beyond the limit"
        );
        assert!(a.pair_count() <= 16, "pairs beyond the limit");
        if a.poll_timeout().is_some_and(|deadline| deadline <= now) {
            // A due timer, fired, moves on: nothing stays due (no busy loop).
            a.handle_timeout(now);
            let _ = drain(&mut a, now);
            assert!(
                a.poll_timeout().is_none_or(|d| d > now),
                "a timer stays due after firing"
            );
        }
    }
});
