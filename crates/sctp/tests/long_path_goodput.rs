//! Goodput of one association over a 50 ms round trip (25 ms one-way delay each way) on the
//! simulated network (`sansrtc-netsim`), with the default `Config`: 32 MiB as 64 KiB messages
//! on one ordered stream, from `a` to `b`. The access link runs at 1 Gbit/s with a queue that
//! never overflows, so the path is not the limit: what is measured is the association's own
//! ramp-up (slow start, SACK pacing, windows).
//!
//! Goodput is counted in virtual time: bytes delivered to `b`'s application over the time from
//! the first `send` to the last message delivered, and over the second half of the messages
//! (steady state). Every message is compared whole with what was sent. The same path also
//! checks the steady state against the receive window, the goodput at 1% loss against the
//! bound of loss-based congestion control, and that one packet lost while the window is full
//! of small ordered messages is recovered.
//!
//! The figures are printed:
//! `cargo test --release -p sansrtc-sctp --test long_path_goodput -- --nocapture`.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use sansrtc_netsim::{LinkConfig, Sim};
use sansrtc_proto::{Receive, SansIo, Transmit};
use sansrtc_sctp::association::{Association, Config, Error, Event};
use sansrtc_sctp::wire::{ChunkRepr, Packet};

#[expect(
    clippy::disallowed_methods,
    reason = "tests pick one real Instant as the epoch of virtual time"
)]
fn epoch() -> Instant {
    Instant::now()
}

const A: &str = "192.0.2.1:5000";
const B: &str = "192.0.2.2:5000";
const STREAM: u16 = 1;
const MESSAGE: usize = 64 * 1024;
const TOTAL: usize = 32 << 20;
const MESSAGES: usize = TOTAL / MESSAGE;
/// The project's goodput target on a 50 ms path.
const TARGET_MBPS: f64 = 100.0;

fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

/// Message `n`: a pattern that differs per message and per byte.
fn message(n: usize) -> Vec<u8> {
    (0..MESSAGE)
        .map(|i| (i.wrapping_mul(7) ^ n.wrapping_mul(131)) as u8)
        .collect()
}

/// An association with the addresses the simulator routes by. Messages are checked and
/// recorded here with the virtual time they reached the application (the simulator would
/// otherwise render 32 MiB of message events into its trace); other events pass through.
struct Endpoint {
    association: Association,
    local: SocketAddr,
    peer: SocketAddr,
    now: Instant,
    /// Message `n` as sent.
    expected: fn(usize) -> Vec<u8>,
    /// When each message was delivered.
    delivered: Vec<Instant>,
    /// Messages whose bytes, stream or order differed from what was sent.
    corrupt: usize,
}

impl Endpoint {
    fn new(seed: u64, local: &str, peer: &str, now: Instant) -> Self {
        let config = Config {
            rng_seed: Some(sansrtc_proto::rng::seed_from_u64(seed)),
            ..Config::default()
        };
        Self {
            association: Association::new(config, now),
            local: sa(local),
            peer: sa(peer),
            now,
            expected: message,
            delivered: Vec::new(),
            corrupt: 0,
        }
    }
}

impl SansIo for Endpoint {
    type Event = Event;
    type Error = Error;

    fn handle_receive(&mut self, now: Instant, receive: Receive<'_>) -> Result<(), Error> {
        self.now = now;
        self.association.handle_receive(now, receive)
    }

    fn poll_transmit(&mut self, now: Instant, buf: &mut Vec<u8>) -> Option<Transmit> {
        self.now = now;
        let mut t = self.association.poll_transmit(now, buf)?;
        t.source = self.local;
        t.destination = self.peer;
        Some(t)
    }

    fn poll_event(&mut self) -> Option<Event> {
        while let Some(event) = self.association.poll_event() {
            match event {
                Event::Message(m) => {
                    let n = self.delivered.len();
                    if m.stream != STREAM || m.unordered || m.data != (self.expected)(n) {
                        self.corrupt += 1;
                    }
                    self.delivered.push(self.now);
                }
                other => return Some(other),
            }
        }
        None
    }

    fn poll_timeout(&self) -> Option<Instant> {
        self.association.poll_timeout()
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.now = now;
        self.association.handle_timeout(now);
    }
}

/// What one transfer measured.
struct Goodput {
    /// Mbit/s from the first send to the last delivery.
    overall: f64,
    /// Mbit/s over the second half of the messages.
    second_half: f64,
    /// Virtual time from the first send to the last delivery.
    elapsed: Duration,
    /// DATA packets `a` sent, and packets lost on the link.
    sent: u64,
    lost: u64,
}

fn mbps(bytes: usize, over: Duration) -> f64 {
    bytes as f64 * 8.0 / over.as_secs_f64() / 1e6
}

/// 32 MiB from `a` to `b` over 25 ms each way, `loss` on each direction of `a`'s link.
fn transfer(seed: u64, loss: f64) -> Goodput {
    let t0 = epoch();
    let mut sim = Sim::new(t0, seed);
    sim.keep_trace(false);
    let internet = sim.internet();
    // 1 Gbit/s with a 64 MiB queue: more than the whole transfer, so the link never drops and
    // never limits below the target.
    let link = LinkConfig::ideal()
        .delay(Duration::from_millis(25))
        .bandwidth(1_000_000_000, 64 << 20)
        .loss(loss);
    let a_host = sim.add_host_with_link(internet, &[sa(A).ip()], link);
    let b_host = sim.add_host(internet, &[sa(B).ip()]);
    let a = sim.add_endpoint("a", a_host, &[sa(A)], Endpoint::new(seed, A, B, t0));
    let b = sim.add_endpoint(
        "b",
        b_host,
        &[sa(B)],
        Endpoint::new(seed ^ 0xffff, B, A, t0),
    );
    sim.with_endpoint(a, |e, now| e.association.connect(now));
    sim.run_until(Duration::from_secs(60), |sim| {
        sim.endpoint(a).association.is_established() && sim.endpoint(b).association.is_established()
    })
    .expect("the handshake completes");
    let first_send = sim.with_endpoint(a, |e, now| {
        for n in 0..MESSAGES {
            e.association.send(STREAM, 53, false, message(n)).unwrap();
        }
        now
    });
    sim.run_until(Duration::from_secs(600), |sim| {
        sim.endpoint(b).delivered.len() == MESSAGES
    })
    .unwrap_or_else(|e| {
        panic!(
            "loss {loss}: {e}: {} of {MESSAGES} messages; {:?}",
            sim.endpoint(b).delivered.len(),
            sim.endpoint(a).association
        )
    });
    let receiver = sim.endpoint(b);
    assert_eq!(receiver.corrupt, 0, "every message arrives whole, in order");
    assert!(
        sim.events(a)
            .iter()
            .chain(sim.events(b))
            .all(|e| !matches!(e, Event::Aborted(_) | Event::Closed)),
        "the association stays up"
    );
    let last = receiver.delivered[MESSAGES - 1];
    let middle = receiver.delivered[MESSAGES / 2 - 1];
    let elapsed = last - first_send;
    let a_up = sansrtc_netsim::Interface::Host(a_host);
    let stats = sim.link_stats(a_up, sansrtc_netsim::Direction::Up);
    Goodput {
        overall: mbps(TOTAL, elapsed),
        second_half: mbps(TOTAL - TOTAL / 2, last - middle),
        elapsed,
        sent: stats.offered,
        lost: stats.dropped_loss,
    }
}

fn report(label: &str, g: &Goodput) {
    println!(
        "{label}: 32 MiB as 64 KiB messages over 50 ms RTT: {:.1} Mbit/s overall ({:?}), \
         {:.1} Mbit/s over the second half; {} packets sent by a, {} lost",
        g.overall, g.elapsed, g.second_half, g.sent, g.lost
    );
}

#[test]
fn a_50_ms_path_without_loss_reaches_100_mbit_per_second() {
    let g = transfer(1, 0.0);
    report("no loss", &g);
    assert_eq!(g.lost, 0);
    assert!(
        g.second_half >= TARGET_MBPS,
        "steady state {:.1} Mbit/s, target {TARGET_MBPS}",
        g.second_half
    );
    assert!(
        g.overall >= TARGET_MBPS,
        "overall {:.1} Mbit/s, target {TARGET_MBPS}",
        g.overall
    );
}

/// Once slow start is over, what limits a long fat path is the peer's receive window: the
/// sender keeps up to `Config::receive_window` (4 MiB) in flight, so the steady state reaches
/// most of `receive_window / RTT` (671 Mbit/s at 50 ms; the 1 Gbit/s link's queue adds some
/// delay). Counting the flight against the peer's window twice would cap it at half.
#[test]
fn a_50_ms_path_keeps_the_whole_receive_window_in_flight() {
    let g = transfer(3, 0.0);
    let window_rate = mbps(Config::default().receive_window, Duration::from_millis(50));
    println!(
        "steady state {:.1} Mbit/s; receive window / RTT = {window_rate:.1} Mbit/s",
        g.second_half
    );
    assert!(
        g.second_half >= 0.75 * window_rate,
        "steady state {:.1} Mbit/s is under 75% of receive_window / RTT ({window_rate:.1})",
        g.second_half
    );
}

/// The loss-based congestion control of RFC 9260 §7.2 (NewReno-like AIMD) cannot beat the
/// Mathis et al. bound, about `MSS / RTT * 1.22 / sqrt(p)`: at 1% loss, 50 ms and 1,172-byte
/// payloads that is 2.3 Mbit/s (1.6 with a SACK every second packet), whatever the link rate.
/// The test asserts that the association gets at least half of the lower figure and loses
/// nothing; the figure is printed.
#[test]
fn a_50_ms_path_with_one_percent_loss_delivers_everything_at_the_aimd_bound() {
    let g = transfer(2, 0.01);
    report("1% loss each way", &g);
    let mss_bits = 1172.0 * 8.0;
    let mathis = mss_bits / 0.050 * (3.0f64 / 4.0).sqrt() / 0.01f64.sqrt() / 1e6;
    println!("Mathis bound with delayed SACKs at 1% loss, 50 ms: {mathis:.1} Mbit/s");
    assert!(g.lost > 0, "the link lost packets");
    assert!(
        g.overall >= mathis / 2.0,
        "{:.2} Mbit/s, under half the AIMD bound of {mathis:.2}",
        g.overall
    );
}

/// Messages of the recovery test: `BIG` of 64 KiB, then 100-byte ones.
fn big_then_small(n: usize) -> Vec<u8> {
    if n < BIG {
        message(n)
    } else {
        let mut m = vec![(n % 251) as u8; 100];
        m[..8].copy_from_slice(&(n as u64).to_be_bytes());
        m
    }
}

const BIG: usize = 1024;
const SMALL: usize = 200_000;
/// Which of a's packets of small messages is lost: by then cwnd has grown with the large
/// ones, and thousands of small messages are in flight behind it.
const LOST: u64 = 2_000;

/// Whether a datagram carries a 100-byte message.
fn carries_small_messages(datagram: &[u8]) -> bool {
    let Ok(packet) = Packet::new_checked(datagram) else {
        return false;
    };
    packet
        .chunks()
        .flatten()
        .any(|chunk| match ChunkRepr::parse(&chunk) {
            Ok(ChunkRepr::Data(d)) => d.user_data.len() == 100,
            Ok(ChunkRepr::IData(d)) => d.user_data.len() == 100,
            _ => false,
        })
}

/// One packet lost while the window is full of small ordered messages: the receiver holds
/// thousands of them behind the hole, and must still take the retransmission that fills it
/// (refusing it because the window is full would deadlock the association).
#[test]
fn a_loss_among_a_window_of_small_ordered_messages_is_recovered() {
    let t0 = epoch();
    let mut sim = Sim::new(t0, 4);
    sim.keep_trace(false);
    let internet = sim.internet();
    let link = LinkConfig::ideal().delay(Duration::from_millis(25));
    let a_host = sim.add_host_with_link(internet, &[sa(A).ip()], link);
    let b_host = sim.add_host(internet, &[sa(B).ip()]);
    let a = sim.add_endpoint("a", a_host, &[sa(A)], Endpoint::new(4, A, B, t0));
    let mut receiver = Endpoint::new(5, B, A, t0);
    receiver.expected = big_then_small;
    let b = sim.add_endpoint("b", b_host, &[sa(B)], receiver);
    sim.with_endpoint(a, |e, now| e.association.connect(now));
    sim.run_until(Duration::from_secs(60), |sim| {
        sim.endpoint(a).association.is_established() && sim.endpoint(b).association.is_established()
    })
    .expect("the handshake completes");
    let mut small = 0u64;
    sim.set_hook(move |ctx| {
        if ctx.endpoint == "a" && carries_small_messages(&ctx.packet.contents) {
            small += 1;
            if small == LOST {
                return sansrtc_netsim::Verdict::Drop;
            }
        }
        sansrtc_netsim::Verdict::Deliver
    });
    sim.with_endpoint(a, |e, _| {
        for n in 0..BIG + SMALL {
            e.association
                .send(STREAM, 53, false, big_then_small(n))
                .unwrap();
        }
    });
    let done = sim.run_until(Duration::from_secs(120), |sim| {
        sim.endpoint(b).delivered.len() == BIG + SMALL
    });
    let receiver = sim.endpoint(b);
    assert!(
        done.is_ok(),
        "{done:?}: {} of {} delivered; a {:?}; b {:?}",
        receiver.delivered.len(),
        BIG + SMALL,
        sim.endpoint(a).association,
        receiver.association
    );
    assert_eq!(receiver.corrupt, 0, "every message whole and in order");
}
