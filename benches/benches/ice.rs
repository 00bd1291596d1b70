//! ICE at scale: our `sansrtc_ice::Agent` against str0m's Sans-IO ICE agent (`IceAgent` of the
//! crate `is` 0.12, str0m's ICE published on its own), both driven the same way in the same run:
//! datagrams moved in memory, virtual time, every timer fired when its agent asks for it, every
//! event drained. Our agents are seeded (`Config::rng_seed`); `is` draws from its own
//! non-cryptographic generator. Memory per connected idle agent is measured by
//! `benches/benches/ice_memory.rs` (dhat's counting allocator would slow these).
//!
//! - `ice/check_answered`: one connectivity check handled and answered: a valid Binding request
//!   (USERNAME, PRIORITY, ICE-CONTROLLING, MESSAGE-INTEGRITY, FINGERPRINT; 1024 prepared, with
//!   distinct transaction ids, identical bytes for both stacks since both agents hold the same
//!   credentials) arrives from the peer on the selected pair of a connected controlled agent,
//!   which is handed the datagram (ours: `handle_receive`; `is`: `StunMessage::parse` +
//!   `handle_packet`, which is how it takes datagrams) and writes its success response (ours:
//!   `poll_transmit` into a reused buffer; `is`: `poll_transmit`, which returns an owned
//!   datagram). The inverse is checks handled per second per core. Measured right after the
//!   connection and after 20 s of idle virtual time (ours is then a compacted idle agent).
//! - `ice/connect_host_pair`: a full connection in memory: both agents constructed, one host
//!   candidate each on 127.0.0.1, credentials and candidates exchanged, checks and nomination
//!   run until both agents have a selected (ours) or nominated (`is`: `NominatedSend`) pair.
//! - `ice/keepalive_idle`: CPU to keep connected, idle agents alive: 10,000 agents in 5,000
//!   separately connected pairs (100 agents in test mode), first idle for one untimed minute
//!   (ours are compacted by then, `Config::compact_after`); one iteration advances every pair
//!   by one second of virtual time, firing each agent's timers when due and moving the consent
//!   checks (ours: RFC 7675, every 4-6 s) or `is`'s keep-alive checks (every 3 s on a
//!   nominated pair) and their responses. The throughput is agent-seconds per second: time per
//!   iteration divided by 10,000 is CPU per agent per second of virtual time. The checks sent
//!   per agent per second are printed.
//! - `ice/remote_candidates_add/N` and `ice/remote_candidates_add_then_1s_of_checks/N`: a
//!   controlling agent with one host candidate and the peer's credentials takes N remote host
//!   candidates (distinct addresses, foundations and priorities; ours with
//!   `max_remote_candidates` and `max_pairs` raised to N, `is` with
//!   `set_max_candidate_pairs(N)`), then, in the second group, runs the first second of checks
//!   (timers fired, every datagram written, none answered). Agent construction and the
//!   candidate list are made outside the timing. The throughput is candidates: a flat time per
//!   candidate across N shows no quadratic work. `is` runs in the second group only (adding
//!   is nearly all of its time), and at N = 10,000 (it scans and sorts its whole check list
//!   for every candidate) it is timed once, outside criterion, and printed.
//!
//! `cargo test --benches` runs each bench once in test mode; there the sizes are small.
use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use is::stun::{StunMessage, StunPacket};
use is::{IceAgent, IceAgentEvent, IceCreds};
use sansrtc_ice::{
    Agent, Candidate, CandidateKind, Config, Credentials, Foundation, LocalAddress, Role,
};
use sansrtc_proto::{Protocol, Receive, SansIo};
use sansrtc_stun::IntegrityKey;
use sansrtc_stun::wire::{Attribute, Class, MessageBuilder, Method, TransactionId};
use std::hint::black_box;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// The controlling agent's host address.
const A: &str = "127.0.0.1:5000";
/// The controlled agent's host address.
const B: &str = "127.0.0.1:6000";
const UFRAG_A: &str = "ufragAAA";
const PWD_A: &str = "passwordAAAAAAAAAAAAAAAA";
const UFRAG_B: &str = "ufragBBB";
const PWD_B: &str = "passwordBBBBBBBBBBBBBBBB";
/// Prepared Binding requests for `ice/check_answered`.
const REQUESTS: usize = 1024;

#[expect(
    clippy::disallowed_methods,
    reason = "benches pick a real epoch for virtual time"
)]
fn epoch() -> Instant {
    Instant::now()
}

fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

/// Criterion passes `--bench` when benchmarking; `cargo test --benches` does not (test mode,
/// each bench once): then the sizes are kept small.
fn full_run() -> bool {
    std::env::args().any(|a| a == "--bench")
}

// ---- ours ----

struct Ours {
    a: Agent,
    b: Agent,
    now: Instant,
    buf: Vec<u8>,
}

fn ours_agent(role: Role, address: SocketAddr, seed: u64, now: Instant, fixed: bool) -> Agent {
    let mut config = Config::new(role);
    config.rng_seed = Some(sansrtc_proto::rng::seed_from_u64(seed));
    if fixed {
        let (ufrag, pwd) = match role {
            Role::Controlling => (UFRAG_A, PWD_A),
            Role::Controlled => (UFRAG_B, PWD_B),
        };
        config.credentials = Some(Credentials {
            ufrag: ufrag.to_owned(),
            pwd: pwd.to_owned(),
        });
    }
    let mut agent = Agent::new(config, now);
    agent.add_local_addresses(
        now,
        &[LocalAddress {
            address,
            interface_rank: 0,
        }],
    );
    agent
}

/// Every datagram `from` has, handed to `to`; whether any moved.
fn ours_pass(now: Instant, from: &mut Agent, to: &mut Agent, buf: &mut Vec<u8>) -> bool {
    let mut moved = false;
    while let Some(t) = from.poll_transmit(now, buf) {
        moved = true;
        let rx = Receive {
            proto: t.proto,
            source: t.source,
            destination: t.destination,
            contents: &buf[..t.size],
        };
        let _ = to.handle_receive(now, rx);
    }
    moved
}

impl Ours {
    /// Both agents made, signaled and connected (both have a selected pair).
    fn connect(now: Instant, seed: u64, fixed: bool) -> Self {
        let mut a = ours_agent(Role::Controlling, sa(A), 2 * seed, now, fixed);
        let mut b = ours_agent(Role::Controlled, sa(B), 2 * seed + 1, now, fixed);
        a.set_remote_credentials(now, b.local_credentials().clone());
        b.set_remote_credentials(now, a.local_credentials().clone());
        for c in a.signaled_candidates() {
            b.add_remote_candidate(now, c).unwrap();
        }
        for c in b.signaled_candidates() {
            a.add_remote_candidate(now, c).unwrap();
        }
        let mut pair = Self {
            a,
            b,
            now,
            buf: Vec::with_capacity(1500),
        };
        for _ in 0..1000 {
            pair.exchange();
            if pair.a.selected_path().is_some() && pair.b.selected_path().is_some() {
                return pair;
            }
            let next = [pair.a.poll_timeout(), pair.b.poll_timeout()]
                .into_iter()
                .flatten()
                .min()
                .expect("a connecting agent has a timer");
            pair.fire(next);
        }
        panic!("sansrtc agents did not connect");
    }

    /// Moves datagrams both ways until neither agent has any, and drains events.
    fn exchange(&mut self) {
        loop {
            let ab = ours_pass(self.now, &mut self.a, &mut self.b, &mut self.buf);
            let ba = ours_pass(self.now, &mut self.b, &mut self.a, &mut self.buf);
            if !ab && !ba {
                break;
            }
        }
        while self.a.poll_event().is_some() {}
        while self.b.poll_event().is_some() {}
    }

    /// Advances the clock to `at` and fires the timers that are due.
    fn fire(&mut self, at: Instant) {
        self.now = self.now.max(at);
        if self.a.poll_timeout().is_some_and(|t| t <= self.now) {
            self.a.handle_timeout(self.now);
        }
        if self.b.poll_timeout().is_some_and(|t| t <= self.now) {
            self.b.handle_timeout(self.now);
        }
    }

    /// Runs every timer due up to `until`, moving what they send.
    fn advance(&mut self, until: Instant) {
        loop {
            let next = [self.a.poll_timeout(), self.b.poll_timeout()]
                .into_iter()
                .flatten()
                .min();
            match next {
                Some(t) if t <= until => {
                    self.fire(t);
                    self.exchange();
                }
                _ => break,
            }
        }
        self.now = self.now.max(until);
    }

    fn checks_sent(&self) -> u64 {
        self.a.stats().checks_sent + self.b.stats().checks_sent
    }
}

// ---- is (str0m) ----

struct Str0m {
    a: IceAgent,
    b: IceAgent,
    now: Instant,
    nominated: (bool, bool),
}

fn is_agent(controlling: bool, address: SocketAddr, fixed: bool) -> IceAgent {
    let creds = if fixed {
        let (ufrag, pass) = if controlling {
            (UFRAG_A, PWD_A)
        } else {
            (UFRAG_B, PWD_B)
        };
        IceCreds {
            ufrag: ufrag.to_owned(),
            pass: pass.to_owned(),
        }
    } else {
        IceCreds::new()
    };
    let mut agent = IceAgent::new(creds);
    agent.set_controlling(controlling);
    agent
        .add_local_candidate(is::Candidate::host(address, "udp").unwrap())
        .unwrap();
    agent
}

fn is_pass(now: Instant, from: &mut IceAgent, to: &mut IceAgent) -> bool {
    let mut moved = false;
    while let Some(t) = from.poll_transmit() {
        moved = true;
        let Ok(message) = StunMessage::parse(&t.contents) else {
            continue;
        };
        let packet = StunPacket {
            proto: t.proto,
            source: t.source,
            destination: t.destination,
            message,
        };
        to.handle_packet(now, packet);
    }
    moved
}

fn is_drain(agent: &mut IceAgent, nominated: &mut bool) {
    while let Some(event) = agent.poll_event() {
        if matches!(event, IceAgentEvent::NominatedSend { .. }) {
            *nominated = true;
        }
    }
}

impl Str0m {
    /// Both agents made, signaled and connected (both have emitted `NominatedSend`).
    fn connect(now: Instant, fixed: bool) -> Self {
        let mut a = is_agent(true, sa(A), fixed);
        let mut b = is_agent(false, sa(B), fixed);
        a.set_remote_credentials(b.local_credentials().clone());
        b.set_remote_credentials(a.local_credentials().clone());
        for c in a.local_candidates().collect::<Vec<_>>() {
            b.add_remote_candidate(c);
        }
        for c in b.local_candidates().collect::<Vec<_>>() {
            a.add_remote_candidate(c);
        }
        // `is` has no timer until its first `handle_timeout`.
        a.handle_timeout(now);
        b.handle_timeout(now);
        let mut pair = Self {
            a,
            b,
            now,
            nominated: (false, false),
        };
        for _ in 0..1000 {
            pair.exchange();
            if pair.nominated == (true, true) {
                return pair;
            }
            let next = [pair.a.poll_timeout(), pair.b.poll_timeout()]
                .into_iter()
                .flatten()
                .min()
                .expect("is has a timer after handle_timeout");
            pair.fire(next);
        }
        panic!("is agents did not connect");
    }

    fn exchange(&mut self) {
        loop {
            let ab = is_pass(self.now, &mut self.a, &mut self.b);
            let ba = is_pass(self.now, &mut self.b, &mut self.a);
            if !ab && !ba {
                break;
            }
        }
        is_drain(&mut self.a, &mut self.nominated.0);
        is_drain(&mut self.b, &mut self.nominated.1);
    }

    fn fire(&mut self, at: Instant) {
        self.now = self.now.max(at);
        if self.a.poll_timeout().is_some_and(|t| t <= self.now) {
            self.a.handle_timeout(self.now);
        }
        if self.b.poll_timeout().is_some_and(|t| t <= self.now) {
            self.b.handle_timeout(self.now);
        }
    }

    fn advance(&mut self, until: Instant) {
        loop {
            let next = [self.a.poll_timeout(), self.b.poll_timeout()]
                .into_iter()
                .flatten()
                .min();
            match next {
                Some(t) if t <= until => {
                    self.fire(t);
                    self.exchange();
                }
                _ => break,
            }
        }
        self.now = self.now.max(until);
    }

    fn checks_sent(&self) -> u64 {
        self.a.stats().bind_request_sent + self.b.stats().bind_request_sent
    }
}

// ---- connectivity checks ----

/// `count` Binding requests from A to B as A's agent sends them (RFC 8445 §7.2.2), signed with
/// B's password.
fn binding_requests(count: usize) -> Vec<Vec<u8>> {
    let key = IntegrityKey::new(PWD_B.as_bytes());
    let username = format!("{UFRAG_B}:{UFRAG_A}");
    (0..count)
        .map(|i| {
            let mut tid = [0x5a; 12];
            tid[..8].copy_from_slice(&(i as u64).to_be_bytes());
            let mut out = Vec::new();
            let mut m = MessageBuilder::new(
                &mut out,
                Class::Request,
                Method::BINDING,
                TransactionId(tid),
            );
            m.add(&Attribute::Username(&username)).unwrap();
            m.add(&Attribute::Priority(0x7e7f_ffff)).unwrap();
            m.add(&Attribute::IceControlling(0x0123_4567_89ab_cdef))
                .unwrap();
            m.add_message_integrity(&key).unwrap();
            m.add_fingerprint().unwrap();
            m.finish();
            out
        })
        .collect()
}

fn checks(c: &mut Criterion) {
    let requests = binding_requests(REQUESTS);
    let (source, destination) = (sa(A), sa(B));
    let start = epoch();
    let mut out = Vec::with_capacity(1500);
    let mut i = 0;

    let mut group = c.benchmark_group("ice/check_answered");
    group.throughput(Throughput::Elements(1));
    // Right after the connection, and after 20 s of idle virtual time (consent running; ours
    // has compacted its idle agent by then, `Config::compact_after`).
    for (label, idle) in [
        ("just_connected", Duration::ZERO),
        ("idle_20s", Duration::from_secs(20)),
    ] {
        let mut ours = Ours::connect(start, 1, true);
        ours.advance(ours.now + idle);
        assert_eq!(ours.b.is_compact(), !idle.is_zero(), "compacted once idle");
        let now = ours.now;
        // Untimed: every request is accepted and answered with a success response.
        for request in &requests {
            let before = ours.b.stats().checks_received;
            ours.b
                .handle_receive(
                    now,
                    Receive {
                        proto: Protocol::Udp,
                        source,
                        destination,
                        contents: request,
                    },
                )
                .unwrap();
            let t = ours.b.poll_transmit(now, &mut out).unwrap();
            assert_eq!(ours.b.stats().checks_received, before + 1);
            assert_eq!(t.destination, source);
            let response = sansrtc_stun::wire::Message::parse(&out[..t.size]).unwrap();
            assert_eq!(response.class(), Class::Success);
            assert_eq!(response.transaction_id().0, request[8..20]);
        }
        group.bench_function(BenchmarkId::new("sansrtc", label), |bench| {
            bench.iter(|| {
                let request = &requests[i % REQUESTS];
                i += 1;
                ours.b
                    .handle_receive(
                        now,
                        Receive {
                            proto: Protocol::Udp,
                            source,
                            destination,
                            contents: black_box(request),
                        },
                    )
                    .unwrap();
                let t = ours.b.poll_transmit(now, &mut out).unwrap();
                while ours.b.poll_event().is_some() {}
                black_box(t.size)
            });
        });
        drop(ours);

        let mut theirs = Str0m::connect(start, true);
        theirs.advance(theirs.now + idle);
        let now = theirs.now;
        for request in &requests {
            let before = theirs.b.stats().bind_request_recv;
            let message = StunMessage::parse(request).unwrap();
            assert!(theirs.b.handle_packet(
                now,
                StunPacket {
                    proto: is::Protocol::Udp,
                    source,
                    destination,
                    message,
                }
            ));
            let t = theirs.b.poll_transmit().unwrap();
            assert_eq!(theirs.b.stats().bind_request_recv, before + 1);
            assert_eq!(t.destination, source);
            let response = sansrtc_stun::wire::Message::parse(&t.contents).unwrap();
            assert_eq!(response.class(), Class::Success);
            assert_eq!(response.transaction_id().0, request[8..20]);
        }
        let mut nominated = false;
        is_drain(&mut theirs.b, &mut nominated);
        group.bench_function(BenchmarkId::new("is 0.12 (str0m)", label), |bench| {
            bench.iter(|| {
                let request = &requests[i % REQUESTS];
                i += 1;
                let message = StunMessage::parse(black_box(request)).unwrap();
                theirs.b.handle_packet(
                    now,
                    StunPacket {
                        proto: is::Protocol::Udp,
                        source,
                        destination,
                        message,
                    },
                );
                let t = theirs.b.poll_transmit().unwrap();
                while theirs.b.poll_event().is_some() {}
                black_box(t.contents.len())
            });
        });
    }
    group.finish();

    let mut group = c.benchmark_group("ice/connect_host_pair");
    let mut seed = 0;
    group.bench_function("sansrtc", |bench| {
        bench.iter(|| {
            seed += 1;
            black_box(Ours::connect(start, seed, false))
        });
    });
    group.bench_function("is 0.12 (str0m)", |bench| {
        bench.iter(|| black_box(Str0m::connect(start, false)));
    });
    group.finish();
}

// ---- idle agents ----

fn keepalive(c: &mut Criterion) {
    let agents: usize = if full_run() { 10_000 } else { 100 };
    let pairs = agents / 2;
    let start = epoch();
    let mut group = c.benchmark_group("ice/keepalive_idle");
    group.sample_size(10);
    group.throughput(Throughput::Elements(agents as u64));

    // Connected, then one minute idle untimed so every agent is in its steady state.
    let mut ours: Vec<Ours> = (0..pairs)
        .map(|i| Ours::connect(start, i as u64 + 1, false))
        .collect();
    let settled = start + Duration::from_secs(60);
    for pair in &mut ours {
        pair.advance(settled);
    }
    assert!(
        ours.iter().all(|p| p.a.is_compact() && p.b.is_compact()),
        "every idle sansrtc agent is compacted"
    );
    let mut now = settled;
    let mut seconds = 0u64;
    let sent_before: u64 = ours.iter().map(Ours::checks_sent).sum();
    group.bench_function(BenchmarkId::new("sansrtc", agents), |bench| {
        bench.iter_custom(|iters| {
            let began = epoch();
            for _ in 0..iters {
                now += Duration::from_secs(1);
                seconds += 1;
                for pair in &mut ours {
                    pair.advance(now);
                }
            }
            began.elapsed()
        });
    });
    let sent: u64 = ours.iter().map(Ours::checks_sent).sum::<u64>() - sent_before;
    let connected = ours
        .iter()
        .all(|p| p.a.selected_path().is_some() && p.b.selected_path().is_some());
    assert!(connected, "every sansrtc agent stays connected");
    assert!(ours.iter().all(|p| p.a.is_compact() && p.b.is_compact()));
    eprintln!(
        "sansrtc: {:.3} checks sent per agent per second over {seconds} s of virtual time",
        sent as f64 / agents as f64 / seconds.max(1) as f64
    );
    drop(ours);

    let mut theirs: Vec<Str0m> = (0..pairs).map(|_| Str0m::connect(start, false)).collect();
    for pair in &mut theirs {
        pair.advance(settled);
    }
    let mut now = settled;
    let mut seconds = 0u64;
    let sent_before: u64 = theirs.iter().map(Str0m::checks_sent).sum();
    group.bench_function(BenchmarkId::new("is 0.12 (str0m)", agents), |bench| {
        bench.iter_custom(|iters| {
            let began = epoch();
            for _ in 0..iters {
                now += Duration::from_secs(1);
                seconds += 1;
                for pair in &mut theirs {
                    pair.advance(now);
                }
            }
            began.elapsed()
        });
    });
    let sent: u64 = theirs.iter().map(Str0m::checks_sent).sum::<u64>() - sent_before;
    let connected = theirs
        .iter()
        .all(|p| p.a.state().is_connected() && p.b.state().is_connected());
    assert!(connected, "every is agent stays connected");
    eprintln!(
        "is: {:.3} checks sent per agent per second over {seconds} s of virtual time",
        sent as f64 / agents as f64 / seconds.max(1) as f64
    );
    group.finish();
}

// ---- many remote candidates ----

/// The i-th remote host candidate: distinct address (in 10.0.0.0/8) and foundation.
fn remote_address(i: usize) -> SocketAddr {
    let i = i as u32 + 1;
    SocketAddr::from(([10, (i >> 16) as u8, (i >> 8) as u8, i as u8], 40_000))
}

fn remote_candidates(c: &mut Criterion) {
    let sizes: &[usize] = if full_run() {
        &[100, 1_000, 10_000]
    } else {
        &[100, 1_000]
    };
    let start = epoch();
    let local = LocalAddress {
        address: sa("10.255.255.254:5000"),
        interface_rank: 0,
    };
    let remote_credentials = Credentials {
        ufrag: UFRAG_B.to_owned(),
        pwd: PWD_B.to_owned(),
    };
    let end = start + Duration::from_secs(1);
    for (name, with_checks) in [
        ("ice/remote_candidates_add", false),
        ("ice/remote_candidates_add_then_1s_of_checks", true),
    ] {
        let mut group = c.benchmark_group(name);
        group.sample_size(10);
        for &n in sizes {
            group.throughput(Throughput::Elements(n as u64));
            let ours: Vec<Candidate> = (0..n)
                .map(|i| {
                    Candidate::remote(
                        CandidateKind::Host,
                        remote_address(i),
                        // Distinct priorities, highest first as a browser lists them.
                        2_130_706_431 - i as u32,
                        Foundation::new(&i.to_string()).unwrap(),
                        1,
                    )
                })
                .collect();
            let ours_setup = || {
                let mut config = Config::new(Role::Controlling);
                config.rng_seed = Some(sansrtc_proto::rng::seed_from_u64(n as u64));
                config.max_remote_candidates = n;
                config.max_pairs = n;
                let mut agent = Agent::new(config, start);
                agent.add_local_addresses(start, &[local]);
                agent.set_remote_credentials(start, remote_credentials.clone());
                while agent.poll_event().is_some() {}
                agent
            };
            let ours_run = |mut agent: Agent| {
                for &candidate in &ours {
                    agent.add_remote_candidate(start, candidate).unwrap();
                }
                if with_checks {
                    let mut buf = Vec::with_capacity(1500);
                    let mut now = start;
                    while let Some(t) = agent.poll_timeout().filter(|&t| t <= end) {
                        now = now.max(t);
                        agent.handle_timeout(now);
                        while let Some(t) = agent.poll_transmit(now, &mut buf) {
                            black_box(t.size);
                        }
                        while agent.poll_event().is_some() {}
                    }
                }
                agent
            };
            let agent = ours_run(ours_setup());
            assert_eq!(agent.pair_count(), n);
            drop(agent);
            group.bench_function(BenchmarkId::new("sansrtc", n), |bench| {
                bench.iter_batched(ours_setup, ours_run, BatchSize::PerIteration);
            });

            let theirs: Vec<is::Candidate> = (0..n)
                .map(|i| is::Candidate::host(remote_address(i), "udp").unwrap())
                .collect();
            let is_setup = || {
                let mut agent = IceAgent::new(IceCreds::new());
                agent.set_controlling(true);
                agent.set_max_candidate_pairs(n);
                agent
                    .add_local_candidate(is::Candidate::host(local.address, "udp").unwrap())
                    .unwrap();
                agent.set_remote_credentials(IceCreds {
                    ufrag: UFRAG_B.to_owned(),
                    pass: PWD_B.to_owned(),
                });
                (agent, theirs.clone())
            };
            let is_run = |(mut agent, candidates): (IceAgent, Vec<is::Candidate>)| {
                for candidate in candidates {
                    agent.add_remote_candidate(candidate);
                }
                if with_checks {
                    let mut now = start;
                    agent.handle_timeout(now);
                    loop {
                        while let Some(t) = agent.poll_transmit() {
                            black_box(t.contents.len());
                        }
                        while agent.poll_event().is_some() {}
                        match agent.poll_timeout().filter(|&t| t <= end) {
                            Some(t) => {
                                now = now.max(t);
                                agent.handle_timeout(now);
                            }
                            None => break,
                        }
                    }
                }
                agent
            };
            if n <= 1_000 && with_checks {
                group.bench_function(BenchmarkId::new("is 0.12 (str0m)", n), |bench| {
                    bench.iter_batched(is_setup, is_run, BatchSize::PerIteration);
                });
            } else if with_checks {
                // One run, timed once: criterion's ten samples would take a minute.
                let input = is_setup();
                let began = epoch();
                let agent = is_run(input);
                let took = began.elapsed();
                assert_eq!(agent.remote_candidates().count(), n);
                drop(agent);
                eprintln!(
                    "{name}/is 0.12 (str0m)/{n}: one run, {:.3} s, {:.1} µs per candidate",
                    took.as_secs_f64(),
                    took.as_secs_f64() * 1e6 / n as f64
                );
            }
        }
        group.finish();
    }
}

criterion_group!(benches, checks, keepalive, remote_candidates);
criterion_main!(benches);
