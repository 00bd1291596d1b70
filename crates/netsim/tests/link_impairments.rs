//! Every link impairment behaves as configured, measured over many datagrams: delay, jitter,
//! loss, duplication, reordering, bandwidth with its queue, and MTU.

mod common;
use common::{epoch, ip, sa};
use sansrtc_netsim::{Datagram, Direction, DropReason, HostId, Interface, LinkConfig, Probe, Sim};
use std::time::{Duration, Instant};

const SPACING: Duration = Duration::from_millis(1);

struct Run {
    sim: Sim,
    /// The sending host, whose uplink carries the impairments.
    sender: HostId,
    start: Instant,
    received: Vec<Datagram>,
}

/// Sends `count` datagrams of `size` bytes from A to B, one every `spacing` (all at once when
/// `spacing` is zero), over A's uplink configured as `link`. Each payload starts with its
/// sequence number.
fn send_over(link: LinkConfig, count: u32, size: usize, spacing: Duration, seed: u64) -> Run {
    let mut sim = Sim::new(epoch(), seed);
    let internet = sim.internet();
    let a = sim.add_host(internet, &[ip("198.51.100.1"), ip("2001:db8::1")]);
    let b = sim.add_host(internet, &[ip("198.51.100.2"), ip("2001:db8::2")]);
    sim.set_link(Interface::Host(a), Direction::Up, link);
    let tx = sim.add_endpoint(
        "tx",
        a,
        &[sa("198.51.100.1:1000")],
        Probe::new(sa("198.51.100.1:1000")),
    );
    let rx = sim.add_endpoint(
        "rx",
        b,
        &[sa("198.51.100.2:2000")],
        Probe::new(sa("198.51.100.2:2000")),
    );
    let start = sim.now();
    sim.with_endpoint(tx, |p, _| {
        for seq in 0..count {
            let mut payload = vec![0u8; size.max(4)];
            payload[..4].copy_from_slice(&seq.to_be_bytes());
            p.send_at(start + spacing * seq, sa("198.51.100.2:2000"), &payload);
        }
    });
    sim.run_until_idle(Duration::from_secs(3600)).unwrap();
    let received = sim.endpoint(rx).received().to_vec();
    Run {
        sim,
        sender: a,
        start,
        received,
    }
}

fn seq(d: &Datagram) -> u32 {
    u32::from_be_bytes(d.contents[..4].try_into().unwrap())
}

/// Counts datagrams that arrived after one with a higher sequence number.
fn late_arrivals(received: &[Datagram]) -> usize {
    let mut max = None;
    let mut late = 0;
    for d in received {
        let s = seq(d);
        if max.is_some_and(|m| s < m) {
            late += 1;
        }
        max = max.max(Some(s));
    }
    late
}

/// `observed` lies within `sigmas` standard deviations of a binomial(n, p) mean.
fn within_binomial(observed: usize, n: u32, p: f64, sigmas: f64) -> bool {
    let n = f64::from(n);
    let mean = n * p;
    let sd = (n * p * (1.0 - p)).sqrt();
    (observed as f64 - mean).abs() <= sigmas * sd
}

#[test]
fn delay_is_exact_one_way() {
    let run = send_over(
        LinkConfig::ideal().delay(Duration::from_millis(42)),
        100,
        100,
        SPACING,
        1,
    );
    assert_eq!(run.received.len(), 100);
    for d in &run.received {
        let sent = run.start + SPACING * seq(d);
        assert_eq!(d.at - sent, Duration::from_millis(42));
    }
}

#[test]
fn jitter_spreads_delay_within_bounds_without_reordering() {
    let link = LinkConfig::ideal()
        .delay(Duration::from_millis(20))
        .jitter(Duration::from_millis(10));
    let run = send_over(link, 2000, 100, Duration::from_millis(20), 2);
    assert_eq!(run.received.len(), 2000);
    let delays: Vec<Duration> = run
        .received
        .iter()
        .map(|d| d.at - (run.start + Duration::from_millis(20) * seq(d)))
        .collect();
    let min = *delays.iter().min().unwrap();
    let max = *delays.iter().max().unwrap();
    assert!(
        min >= Duration::from_millis(20) && max <= Duration::from_millis(30),
        "{min:?}..{max:?}"
    );
    assert!(
        max - min > Duration::from_millis(9),
        "jitter should use most of its range: {min:?}..{max:?}"
    );
    let mean = delays.iter().sum::<Duration>() / 2000;
    assert!(
        mean > Duration::from_millis(24) && mean < Duration::from_millis(26),
        "uniform jitter mean {mean:?}"
    );
    assert_eq!(late_arrivals(&run.received), 0);
}

#[test]
fn jitter_reorders_when_allowed() {
    let link = LinkConfig::ideal()
        .delay(Duration::from_millis(20))
        .jitter(Duration::from_millis(10))
        .jitter_reorders(true);
    let run = send_over(link, 2000, 100, SPACING, 3);
    assert_eq!(run.received.len(), 2000);
    assert!(
        late_arrivals(&run.received) > 500,
        "10 ms of jitter over 1 ms spacing reorders a lot"
    );
}

#[test]
fn loss_rate_matches_configuration() {
    let n = 20_000;
    let run = send_over(LinkConfig::ideal().loss(0.1), n, 100, SPACING, 4);
    let lost = n as usize - run.received.len();
    assert!(within_binomial(lost, n, 0.1, 5.0), "lost {lost} of {n}");
    assert_eq!(run.sim.drop_count(DropReason::Loss), lost as u64);
    let stats = run
        .sim
        .link_stats(Interface::Host(run.sender), Direction::Up);
    assert_eq!(stats.dropped_loss, lost as u64);
}

#[test]
fn total_loss_delivers_nothing_and_zero_loss_everything() {
    assert!(
        send_over(LinkConfig::ideal().loss(1.0), 500, 100, SPACING, 5)
            .received
            .is_empty()
    );
    assert_eq!(
        send_over(LinkConfig::ideal().loss(0.0), 500, 100, SPACING, 5)
            .received
            .len(),
        500
    );
}

#[test]
fn duplication_rate_matches_configuration() {
    let n = 20_000;
    let run = send_over(LinkConfig::ideal().duplicate(0.05), n, 100, SPACING, 6);
    let extra = run.received.len() - n as usize;
    assert!(
        within_binomial(extra, n, 0.05, 5.0),
        "{extra} duplicates of {n}"
    );
    let mut seqs: Vec<u32> = run.received.iter().map(seq).collect();
    seqs.sort_unstable();
    seqs.dedup();
    assert_eq!(
        seqs.len(),
        n as usize,
        "every datagram arrived at least once"
    );
}

#[test]
fn reordering_rate_matches_configuration() {
    let n = 20_000;
    let link = LinkConfig::ideal()
        .delay(Duration::from_millis(10))
        .reorder(0.1, Duration::from_millis(5));
    let run = send_over(link, n, 100, SPACING, 7);
    assert_eq!(run.received.len(), n as usize, "reordering loses nothing");
    let late = late_arrivals(&run.received);
    // A held datagram is overtaken by the next ones unless they were all held too (p^5).
    assert!(
        within_binomial(late, n, 0.1 * (1.0 - 0.1f64.powi(5)), 5.0),
        "{late} late of {n}"
    );
    let reordered = run
        .sim
        .link_stats(Interface::Host(run.sender), Direction::Up)
        .reordered;
    assert!(within_binomial(reordered as usize, n, 0.1, 5.0));
}

#[test]
fn no_impairment_means_no_reordering() {
    let run = send_over(
        LinkConfig::ideal().delay(Duration::from_millis(10)),
        5000,
        100,
        SPACING,
        8,
    );
    assert_eq!(late_arrivals(&run.received), 0);
}

#[test]
fn bandwidth_serializes_at_the_configured_rate() {
    // 1 Mbit/s; 972 payload bytes + 8 UDP + 20 IPv4 = 1000 bytes = 8 ms per datagram.
    let link = LinkConfig::ideal().bandwidth(1_000_000, 1_000_000);
    let run = send_over(link, 200, 972, Duration::ZERO, 9);
    assert_eq!(run.received.len(), 200);
    for (k, d) in run.received.iter().enumerate() {
        assert_eq!(d.at - run.start, Duration::from_millis(8) * (k as u32 + 1));
    }
    let elapsed = run.received.last().unwrap().at - run.start;
    let bits = 200.0 * 1000.0 * 8.0;
    let rate = bits / elapsed.as_secs_f64();
    assert!((rate - 1_000_000.0).abs() < 1.0, "measured {rate} bit/s");
}

#[test]
fn bandwidth_queue_overflow_drops_the_tail() {
    // A 10,000-byte queue holds ten 1000-byte datagrams; a burst of 200 loses 190.
    let link = LinkConfig::ideal().bandwidth(1_000_000, 10_000);
    let run = send_over(link, 200, 972, Duration::ZERO, 10);
    assert_eq!(run.received.len(), 10);
    assert_eq!(run.sim.drop_count(DropReason::QueueFull), 190);
    let seqs: Vec<u32> = run.received.iter().map(seq).collect();
    assert_eq!(
        seqs,
        (0..10).collect::<Vec<_>>(),
        "tail drop keeps the head"
    );
}

#[test]
fn sustained_overload_is_clamped_to_the_link_rate() {
    // Offer 2 Mbit/s (one 1000-byte datagram every 4 ms) to a 1 Mbit/s link for 4 s.
    let link = LinkConfig::ideal().bandwidth(1_000_000, 20_000);
    let run = send_over(link, 1000, 972, Duration::from_millis(4), 11);
    let first = run.received.first().unwrap().at;
    let last = run.received.last().unwrap().at;
    let bits = (run.received.len() - 1) as f64 * 8000.0;
    let rate = bits / (last - first).as_secs_f64();
    assert!(
        (rate - 1_000_000.0).abs() < 10_000.0,
        "delivered {rate} bit/s"
    );
    let dropped = run.sim.drop_count(DropReason::QueueFull) as usize;
    assert_eq!(dropped + run.received.len(), 1000);
    assert!(
        (480..=520).contains(&dropped),
        "about half is dropped: {dropped}"
    );
}

#[test]
fn datagrams_over_the_mtu_are_dropped() {
    // IPv4: 20 + 8 bytes of headers, so 1252 payload bytes fill an MTU of 1280 exactly.
    let fits = send_over(LinkConfig::ideal().mtu(1280), 10, 1252, SPACING, 12);
    assert_eq!(fits.received.len(), 10);
    let over = send_over(LinkConfig::ideal().mtu(1280), 10, 1253, SPACING, 12);
    assert!(over.received.is_empty());
    assert_eq!(over.sim.drop_count(DropReason::Mtu), 10);
}

#[test]
fn ipv6_headers_count_against_the_mtu() {
    let mut sim = Sim::new(epoch(), 13);
    let internet = sim.internet();
    let a = sim.add_host(internet, &[ip("2001:db8::1")]);
    let b = sim.add_host(internet, &[ip("2001:db8::2")]);
    sim.set_link(
        Interface::Host(a),
        Direction::Up,
        LinkConfig::ideal().mtu(1280),
    );
    let tx = sim.add_endpoint(
        "tx",
        a,
        &[sa("[2001:db8::1]:1")],
        Probe::new(sa("[2001:db8::1]:1")),
    );
    let rx = sim.add_endpoint(
        "rx",
        b,
        &[sa("[2001:db8::2]:2")],
        Probe::new(sa("[2001:db8::2]:2")),
    );
    // 40 + 8 bytes of headers: 1232 payload bytes fit, 1233 do not.
    sim.with_endpoint(tx, |p, _| {
        p.send_to(sa("[2001:db8::2]:2"), &[0; 1232]);
        p.send_to(sa("[2001:db8::2]:2"), &[0; 1233]);
    });
    sim.run_until_idle(Duration::from_secs(1)).unwrap();
    let got: Vec<usize> = sim
        .endpoint(rx)
        .received()
        .iter()
        .map(|d| d.contents.len())
        .collect();
    assert_eq!(got, [1232]);
    assert_eq!(sim.drop_count(DropReason::Mtu), 1);
}
