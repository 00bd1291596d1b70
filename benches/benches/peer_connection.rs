//! Two `sansrtc::PeerConnection`s back to back in memory (ICE, DTLS 1.2 with AES-128-GCM,
//! SCTP, data channels; no sockets), both on one core, virtual time advanced only when neither
//! has anything to send.
//!
//! - `pc_setup/construct_to_open`: both constructed (with identities made beforehand: key
//!   generation is the operating system's randomness and ECDSA, timed alone as
//!   `pc_setup/identity`), offer and answer, until both see the data channel open.
//! - `pc_setup/offer_to_open`: the same from the offer on (construction outside the timing).
//! - `pc_bulk/16MiB`: 16 MiB (1 MiB in test mode) of 64 KiB messages through one channel of a
//!   connected pair; throughput is user bytes.
//! - `pc_keepalive_idle/10000`: CPU to keep 10,000 connected, idle PeerConnections with an
//!   open data channel alive (5,000 pairs; 100 connections in test mode), after one untimed
//!   idle minute: each iteration is one second of virtual time with every timer fired and every
//!   datagram delivered (ICE consent, SCTP heartbeats); throughput is connections, so the
//!   figure reads as connection-seconds per second.
//!
//! - `pc_bulk/str0m` and `pc_setup/str0m_construct_to_open`: str0m 0.24 (a whole Sans-IO
//!   WebRTC peer, pure-Rust crypto) doing the same, driven the same way: two `Rtc`s with one
//!   host candidate each, an offer with a data channel, every datagram delivered in memory,
//!   virtual time moved to the next timeout when both are idle; its `Channel::write` refuses a
//!   message when its buffer is full, and the loop tries again after the next exchange.
//!
//! - `pc_bulk/rtc` and `pc_setup/rtc_construct_to_open`: webrtc-rs's Sans-IO `rtc` 0.21
//!   (`RTCPeerConnection`, ring crypto) doing the same, driven the same way; the driver and how
//!   it differs are in `peer_connection/rtc.rs`.
//!
//! It also prints, once, the round trips from the answer being applied to an open channel,
//! stepping the two as a network with a one-way delay would.
//!
//! `cargo bench -p sansrtc-benches --bench peer_connection`
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use sansrtc::{ChannelConfig, ChannelId, Config, Event, MessageKind, PeerConnection, SdpType};
use sansrtc_dtls::identity::Identity;
use sansrtc_proto::{Protocol, Receive, SansIo};
use std::hint::black_box;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[expect(
    clippy::disallowed_methods,
    reason = "benches pick a real epoch for virtual time"
)]
fn epoch() -> Instant {
    Instant::now()
}

fn full_run() -> bool {
    std::env::args().any(|a| a == "--bench")
}

const A: &str = "10.0.0.1:5000";
const B: &str = "10.0.0.2:5000";

fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

struct Pair {
    a: PeerConnection,
    b: PeerConnection,
    now: Instant,
    buf: Vec<u8>,
    /// Times virtual time had to move forward while something was still to happen.
    waits: usize,
    /// One-way trips: steps in which datagrams crossed, when stepping (see `lockstep`).
    half_trips: usize,
    /// Deliver only what was sent before the step began (one network one-way delay per
    /// step), to count round trips.
    lockstep: bool,
}

fn identities() -> (Arc<Identity>, Arc<Identity>) {
    (
        Arc::new(Identity::generate().unwrap()),
        Arc::new(Identity::generate().unwrap()),
    )
}

impl Pair {
    fn new(ids: &(Arc<Identity>, Arc<Identity>)) -> Self {
        let now = epoch();
        let config = |seed: u64, id: &Arc<Identity>| Config {
            identity: Some(Arc::clone(id)),
            rng_seed: Some(sansrtc_proto::rng::seed_from_u64(seed)),
            ..Config::default()
        };
        let mut a = PeerConnection::new(config(1, &ids.0), now).unwrap();
        let mut b = PeerConnection::new(config(2, &ids.1), now).unwrap();
        a.add_local_addresses(now, &[sa(A)]);
        b.add_local_addresses(now, &[sa(B)]);
        Self {
            a,
            b,
            now,
            buf: Vec::with_capacity(2048),
            waits: 0,
            half_trips: 0,
            lockstep: false,
        }
    }

    /// One step of a network with a one-way delay: everything each side has to send now
    /// crosses at once, and what that triggers waits for the next step.
    fn step(&mut self) -> (bool, bool) {
        let drain = |pc: &mut PeerConnection, now: Instant, buf: &mut Vec<u8>| {
            let mut out = Vec::new();
            while let Some(t) = pc.poll_transmit(now, buf) {
                out.push((t.source, t.destination, buf[..t.size].to_vec()));
            }
            out
        };
        let from_a = drain(&mut self.a, self.now, &mut self.buf);
        let from_b = drain(&mut self.b, self.now, &mut self.buf);
        if std::env::var_os("PC_TRACE").is_some() {
            let show = |v: &Vec<(SocketAddr, SocketAddr, Vec<u8>)>| -> Vec<String> {
                v.iter()
                    .map(|(_, _, d)| {
                        format!("{}:{}:{}", d[0], d.get(13).copied().unwrap_or(0), d.len())
                    })
                    .collect()
            };
            println!(
                "step {}: a {:?} | b {:?}",
                self.half_trips,
                show(&from_a),
                show(&from_b)
            );
        }
        for (to, datagrams) in [(&mut self.b, &from_a), (&mut self.a, &from_b)] {
            for (source, destination, bytes) in datagrams {
                let r = Receive {
                    proto: Protocol::Udp,
                    source: *source,
                    destination: *destination,
                    contents: bytes,
                };
                let _ = to.handle_receive(self.now, r);
            }
        }
        if !(from_a.is_empty() && from_b.is_empty()) {
            self.half_trips += 1;
        }
        (!from_a.is_empty(), !from_b.is_empty())
    }

    /// Moves datagrams both ways until neither has one; returns (a sent, b sent).
    fn exchange(&mut self) -> (bool, bool) {
        if self.lockstep {
            return self.step();
        }
        let mut sent = (false, false);
        loop {
            let mut moved = false;
            while let Some(t) = self.a.poll_transmit(self.now, &mut self.buf) {
                moved = true;
                sent.0 = true;
                let r = Receive {
                    proto: Protocol::Udp,
                    source: t.source,
                    destination: t.destination,
                    contents: &self.buf[..t.size],
                };
                let _ = self.b.handle_receive(self.now, r);
            }
            while let Some(t) = self.b.poll_transmit(self.now, &mut self.buf) {
                moved = true;
                sent.1 = true;
                let r = Receive {
                    proto: Protocol::Udp,
                    source: t.source,
                    destination: t.destination,
                    contents: &self.buf[..t.size],
                };
                let _ = self.a.handle_receive(self.now, r);
            }
            if !moved {
                return sent;
            }
        }
    }

    /// Fires every timer up to `t`, delivering what they send.
    fn advance_to(&mut self, t: Instant) {
        loop {
            self.exchange();
            let next = [self.a.poll_timeout(), self.b.poll_timeout()]
                .into_iter()
                .flatten()
                .min();
            match next {
                Some(next) if next <= t => {
                    self.now = self.now.max(next);
                    self.a.handle_timeout(self.now);
                    self.b.handle_timeout(self.now);
                }
                _ => break,
            }
        }
        self.now = self.now.max(t);
        while self.a.poll_event().is_some() {}
        while self.b.poll_event().is_some() {}
    }

    fn advance(&mut self) {
        let next = [self.a.poll_timeout(), self.b.poll_timeout()]
            .into_iter()
            .flatten()
            .min();
        if let Some(t) = next {
            self.now = self.now.max(t);
        }
        self.waits += 1;
        self.a.handle_timeout(self.now);
        self.b.handle_timeout(self.now);
    }

    /// Offer, answer, and run until the channel is open on both sides.
    fn connect(&mut self) -> (ChannelId, ChannelId) {
        let now = self.now;
        let ours = self.a.create_data_channel(now, ChannelConfig::default());
        let offer = self.a.create_offer().unwrap();
        self.a
            .set_local_description(now, SdpType::Offer, &offer)
            .unwrap();
        self.b
            .set_remote_description(now, SdpType::Offer, &offer)
            .unwrap();
        let answer = self.b.create_answer().unwrap();
        self.b
            .set_local_description(now, SdpType::Answer, &answer)
            .unwrap();
        self.a
            .set_remote_description(now, SdpType::Answer, &answer)
            .unwrap();
        let (mut a_open, mut theirs) = (false, None);
        for _ in 0..10_000 {
            let (x, y) = self.exchange();
            while let Some(e) = self.a.poll_event() {
                a_open |= e == Event::ChannelOpen(ours);
            }
            while let Some(e) = self.b.poll_event() {
                if let Event::DataChannel(id) = e {
                    theirs = Some(id);
                }
            }
            if let (true, Some(theirs)) = (a_open, theirs) {
                return (ours, theirs);
            }
            if !(x || y) {
                self.advance();
            }
        }
        panic!("no channel");
    }

    fn bulk(&mut self, channel: ChannelId, total: usize, message: &[u8]) -> usize {
        let (mut sent, mut got) = (0, 0);
        while got < total {
            while sent < total && self.a.buffered_amount(channel) < 1 << 20 {
                self.a
                    .send(self.now, channel, MessageKind::Binary, message.to_vec())
                    .unwrap();
                sent += message.len();
            }
            let (x, y) = self.exchange();
            while let Some(e) = self.b.poll_event() {
                if let Event::ChannelMessage { data, .. } = e {
                    got += data.len();
                    self.b.recycle(data);
                }
            }
            while self.a.poll_event().is_some() {}
            if !(x || y) {
                self.advance();
            }
        }
        got
    }
}

fn setup(c: &mut Criterion) {
    let ids = identities();
    {
        let mut p = Pair::new(&ids);
        p.lockstep = true;
        p.connect();
        println!(
            "offer to open data channel: {} one-way trips = {:.1} round trips (answer already \
             signaled), {} timer waits",
            p.half_trips,
            p.half_trips as f64 / 2.0,
            p.waits - 1
        );
    }
    let mut group = c.benchmark_group("pc_setup");
    group.bench_function("identity", |b| {
        b.iter(|| black_box(Identity::generate().unwrap()));
    });
    group.bench_function("construct_to_open", |b| {
        b.iter(|| {
            let mut p = Pair::new(&ids);
            black_box(p.connect())
        });
    });
    group.bench_function("offer_to_open", |b| {
        b.iter_batched(
            || Pair::new(&ids),
            |mut p| black_box(p.connect()),
            BatchSize::PerIteration,
        );
    });
    group.finish();
}

fn bulk(c: &mut Criterion) {
    let ids = identities();
    let total = if full_run() { 16 << 20 } else { 1 << 20 };
    let message = vec![0x5a; 64 * 1024];
    let mut group = c.benchmark_group("pc_bulk");
    group.throughput(Throughput::Bytes(total as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(5));
    group.bench_function("sansrtc", |b| {
        b.iter_batched(
            || {
                let mut p = Pair::new(&ids);
                let (ours, _) = p.connect();
                (p, ours)
            },
            |(mut p, ours)| assert_eq!(p.bulk(ours, total, &message), total),
            BatchSize::PerIteration,
        );
    });
    group.finish();
}

fn keepalive(c: &mut Criterion) {
    let ids = identities();
    let connections: usize = if full_run() { 10_000 } else { 100 };
    let mut pairs: Vec<Pair> = (0..connections / 2)
        .map(|_| {
            let mut p = Pair::new(&ids);
            p.connect();
            p
        })
        .collect();
    let settled = pairs[0].now + Duration::from_secs(60);
    for p in &mut pairs {
        p.advance_to(settled);
    }
    let mut now = settled;
    let mut group = c.benchmark_group("pc_keepalive_idle");
    group.sample_size(10);
    group.throughput(Throughput::Elements(connections as u64));
    group.bench_function(
        criterion::BenchmarkId::new("sansrtc", connections),
        |bench| {
            bench.iter_custom(|iters| {
                let began = epoch();
                for _ in 0..iters {
                    now += Duration::from_secs(1);
                    for p in &mut pairs {
                        p.advance_to(now);
                    }
                }
                began.elapsed()
            });
        },
    );
    assert!(pairs.iter().all(|p| {
        p.a.connection_state() == sansrtc::ConnectionState::Connected
            && p.b.connection_state() == sansrtc::ConnectionState::Connected
    }));
    group.finish();
}

// ---- str0m ----

/// One str0m peer and what it has put out.
struct Str0mPeer {
    rtc: str0m::Rtc,
    out: Vec<(SocketAddr, SocketAddr, Vec<u8>)>,
    timeout: Instant,
    events: Vec<str0m::Event>,
}

impl Str0mPeer {
    fn new(now: Instant, addr: &str) -> Self {
        let mut rtc = str0m::Rtc::builder().build(now);
        rtc.add_local_candidate(str0m::Candidate::host(sa(addr), "udp").unwrap());
        Self {
            rtc,
            out: Vec::new(),
            timeout: now,
            events: Vec::new(),
        }
    }

    fn drain(&mut self) {
        loop {
            match self.rtc.poll_output().unwrap() {
                str0m::Output::Timeout(t) => {
                    self.timeout = t;
                    return;
                }
                str0m::Output::Transmit(t) => {
                    self.out
                        .push((t.source, t.destination, t.contents.to_vec()));
                }
                str0m::Output::Event(e) => self.events.push(e),
            }
        }
    }

    fn deliver(&mut self, now: Instant, packets: Vec<(SocketAddr, SocketAddr, Vec<u8>)>) {
        for (source, destination, contents) in packets {
            let r = str0m::net::Receive {
                proto: str0m::net::Protocol::Udp,
                source,
                destination,
                contents: contents.as_slice().try_into().unwrap(),
            };
            self.rtc
                .handle_input(str0m::Input::Receive(now, r))
                .unwrap();
            self.drain();
        }
    }
}

struct Str0mPair {
    a: Str0mPeer,
    b: Str0mPeer,
    now: Instant,
}

impl Str0mPair {
    /// Two peers, offer and answer, until the channel is open on both sides.
    fn connect() -> (Self, str0m::channel::ChannelId) {
        let now = epoch();
        let mut a = Str0mPeer::new(now, A);
        let mut b = Str0mPeer::new(now, B);
        let mut change = a.rtc.sdp_api();
        change.add_channel("bulk".into());
        let (offer, pending) = change.apply().unwrap();
        let answer = b.rtc.sdp_api().accept_offer(offer).unwrap();
        a.rtc.sdp_api().accept_answer(pending, answer).unwrap();
        a.drain();
        b.drain();
        let mut p = Self { a, b, now };
        for _ in 0..100_000 {
            let moved = p.exchange();
            let open = p.a.events.iter().find_map(|e| match e {
                str0m::Event::ChannelOpen(id, _) => Some(*id),
                _ => None,
            });
            if let Some(id) = open
                && p.b
                    .events
                    .iter()
                    .any(|e| matches!(e, str0m::Event::ChannelOpen(..)))
            {
                p.a.events.clear();
                p.b.events.clear();
                return (p, id);
            }
            if !moved {
                p.advance();
            }
        }
        panic!("str0m: no channel");
    }

    fn exchange(&mut self) -> bool {
        let from_a = std::mem::take(&mut self.a.out);
        let from_b = std::mem::take(&mut self.b.out);
        let moved = !(from_a.is_empty() && from_b.is_empty());
        self.b.deliver(self.now, from_a);
        self.a.deliver(self.now, from_b);
        moved
    }

    fn advance(&mut self) {
        self.now = self.now.max(self.a.timeout.min(self.b.timeout));
        for p in [&mut self.a, &mut self.b] {
            p.rtc.handle_input(str0m::Input::Timeout(self.now)).unwrap();
            p.drain();
        }
    }

    fn bulk(&mut self, channel: str0m::channel::ChannelId, total: usize, message: &[u8]) -> usize {
        let (mut sent, mut got) = (0, 0);
        while got < total {
            while sent < total {
                let mut c = self.a.rtc.channel(channel).unwrap();
                if !c.write(true, message).unwrap() {
                    break;
                }
                sent += message.len();
            }
            self.a.drain();
            let moved = self.exchange();
            for e in self.b.events.drain(..) {
                if let str0m::Event::ChannelData(d) = e {
                    got += d.data.len();
                }
            }
            self.a.events.clear();
            if !moved {
                self.advance();
            }
        }
        got
    }
}

fn str0m_runs(c: &mut Criterion) {
    let total = if full_run() { 16 << 20 } else { 1 << 20 };
    let message = vec![0x5a; 64 * 1024];
    let mut group = c.benchmark_group("pc_setup");
    group.bench_function("str0m_construct_to_open", |b| {
        b.iter(|| black_box(Str0mPair::connect().1));
    });
    group.bench_function("rtc_construct_to_open", |b| {
        b.iter(|| black_box(rtc_driver::RtcPair::connect().1));
    });
    group.finish();
    let mut group = c.benchmark_group("pc_bulk");
    group.throughput(Throughput::Bytes(total as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(5));
    group.bench_function("str0m", |b| {
        b.iter_batched(
            Str0mPair::connect,
            |(mut p, id)| assert_eq!(p.bulk(id, total, &message), total),
            BatchSize::PerIteration,
        );
    });
    group.bench_function("rtc", |b| {
        b.iter_batched(
            rtc_driver::RtcPair::connect,
            |(mut p, id)| assert_eq!(p.bulk(id, total, &message), total),
            BatchSize::PerIteration,
        );
    });
    group.finish();
}

#[path = "peer_connection/rtc.rs"]
mod rtc_driver;

criterion_group!(benches, setup, bulk, str0m_runs, keepalive);
criterion_main!(benches);
