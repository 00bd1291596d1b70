//! The driver wires each endpoint's timers, transmits and events to the simulated network,
//! reports stalls, applies packet hooks, and drops what cannot be delivered with a reason.

mod common;
use common::{epoch, ip, sa};
use sansrtc_netsim::punch::Rendezvous;
use sansrtc_netsim::{
    DropReason, LinkConfig, Probe, ProbeEvent, Sim, Stalled, TraceEvent, Verdict,
};
use sansrtc_proto::{Receive, SansIo, Transmit};
use std::convert::Infallible;
use std::time::{Duration, Instant};

fn two_hosts(
    seed: u64,
) -> (
    Sim,
    sansrtc_netsim::EndpointId<Probe>,
    sansrtc_netsim::EndpointId<Probe>,
) {
    let mut sim = Sim::new(epoch(), seed);
    let internet = sim.internet();
    let a = sim.add_host(internet, &[ip("198.51.100.1")]);
    let b = sim.add_host_with_link(
        internet,
        &[ip("198.51.100.2")],
        LinkConfig::ideal().delay(Duration::from_millis(5)),
    );
    let tx = sim.add_endpoint(
        "tx",
        a,
        &[sa("198.51.100.1:1")],
        Probe::new(sa("198.51.100.1:1")),
    );
    let rx = sim.add_endpoint(
        "rx",
        b,
        &[sa("198.51.100.2:2")],
        Probe::new(sa("198.51.100.2:2")),
    );
    (sim, tx, rx)
}

#[test]
fn endpoint_timers_fire_at_their_instants() {
    let (mut sim, tx, rx) = two_hosts(1);
    let start = sim.now();
    sim.with_endpoint(tx, |p, _| {
        p.send_at(
            start + Duration::from_millis(2500),
            sa("198.51.100.2:2"),
            b"late",
        );
        p.send_at(
            start + Duration::from_secs(1),
            sa("198.51.100.2:2"),
            b"early",
        );
    });
    sim.run_until_idle(Duration::from_secs(10)).unwrap();
    let got: Vec<(Duration, Vec<u8>)> = sim
        .endpoint(rx)
        .received()
        .iter()
        .map(|d| (d.at - start, d.contents.clone()))
        .collect();
    // Each arrives 5 ms (the receiver's downlink) after its timer.
    assert_eq!(
        got,
        [
            (Duration::from_millis(1005), b"early".to_vec()),
            (Duration::from_millis(2505), b"late".to_vec())
        ]
    );
    let timers = sim
        .trace()
        .iter()
        .filter(|e| matches!(&e.event, TraceEvent::Timer { endpoint } if endpoint == "tx"))
        .count();
    assert_eq!(timers, 2);
}

#[test]
fn events_are_kept_for_the_test_and_recorded_in_the_trace() {
    let (mut sim, tx, rx) = two_hosts(2);
    sim.with_endpoint(tx, |p, _| p.send_to(sa("198.51.100.2:2"), b"x"));
    sim.run_until_idle(Duration::from_secs(1)).unwrap();
    let events = sim.take_events(rx);
    assert_eq!(
        events,
        [ProbeEvent::Received {
            source: sa("198.51.100.1:1"),
            len: 1
        }]
    );
    assert!(
        sim.take_events(rx).is_empty(),
        "taking events empties the list"
    );
    assert!(
        sim.trace()
            .iter()
            .any(|e| matches!(&e.event, TraceEvent::Event { endpoint, .. } if endpoint == "rx"))
    );
}

#[test]
fn run_until_reports_deadline_and_idle() {
    let (mut sim, tx, _rx) = two_hosts(3);
    let start = sim.now();
    sim.with_endpoint(tx, |p, _| {
        p.send_at(start + Duration::from_secs(5), sa("198.51.100.2:2"), b"x")
    });
    assert_eq!(
        sim.run_until(Duration::from_secs(1), |_| false),
        Err(Stalled::Deadline)
    );
    assert_eq!(
        sim.elapsed(),
        Duration::from_secs(1),
        "the clock stops at the end of the budget"
    );
    assert_eq!(
        sim.run_until(Duration::from_secs(10), |_| false),
        Err(Stalled::Idle)
    );
    assert_eq!(sim.elapsed(), Duration::from_millis(5005));
}

/// A broken machine that always wants a timeout right now.
struct Spinner;

impl SansIo for Spinner {
    type Event = ();
    type Error = Infallible;
    fn handle_receive(&mut self, _: Instant, _: Receive<'_>) -> Result<(), Infallible> {
        Ok(())
    }
    fn poll_transmit(&mut self, _: Instant, _: &mut Vec<u8>) -> Option<Transmit> {
        None
    }
    fn poll_event(&mut self) -> Option<()> {
        None
    }
    fn poll_timeout(&self) -> Option<Instant> {
        // The epoch, long past: the driver clamps it to "now", forever.
        Some(epoch_of_spinner())
    }
    fn handle_timeout(&mut self, _: Instant) {}
}

fn epoch_of_spinner() -> Instant {
    use std::sync::OnceLock;
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(epoch)
}

#[test]
fn a_machine_that_never_lets_time_advance_is_reported_as_livelock() {
    let mut sim = Sim::new(epoch_of_spinner(), 4);
    let internet = sim.internet();
    let h = sim.add_host(internet, &[ip("198.51.100.1")]);
    sim.add_endpoint("spinner", h, &[sa("198.51.100.1:1")], Spinner);
    assert_eq!(
        sim.run_until(Duration::from_secs(1), |_| false),
        Err(Stalled::Livelock)
    );
}

#[test]
fn hook_can_drop_delay_duplicate_and_rewrite() {
    let (mut sim, tx, rx) = two_hosts(5);
    let start = sim.now();
    let mut n = 0;
    sim.set_hook(move |ctx| {
        n += 1;
        match n {
            1 => Verdict::Drop,
            2 => Verdict::Delay(Duration::from_millis(100)),
            3 => Verdict::Duplicate,
            _ => {
                ctx.packet.contents = b"rewritten".to_vec();
                Verdict::Deliver
            }
        }
    });
    sim.with_endpoint(tx, |p, _| {
        for m in [&b"one"[..], b"two", b"three", b"four"] {
            p.send_to(sa("198.51.100.2:2"), m);
        }
    });
    sim.run_until_idle(Duration::from_secs(1)).unwrap();
    let got: Vec<(Duration, &[u8])> = sim
        .endpoint(rx)
        .received()
        .iter()
        .map(|d| (d.at - start, d.contents.as_slice()))
        .collect();
    let ms = Duration::from_millis;
    assert_eq!(
        got,
        [
            (ms(5), &b"three"[..]),
            (ms(5), b"three"),
            (ms(5), b"rewritten"),
            (ms(105), b"two")
        ]
    );
    assert_eq!(sim.drop_count(DropReason::Hook), 1);
}

#[test]
fn sending_from_an_address_the_host_does_not_own_is_dropped() {
    let (mut sim, tx, rx) = two_hosts(6);
    sim.with_endpoint(tx, |p, _| {
        p.send_from(sa("192.0.2.99:1"), sa("198.51.100.2:2"), b"spoofed")
    });
    sim.run_until_idle(Duration::from_secs(1)).unwrap();
    assert!(sim.endpoint(rx).received().is_empty());
    assert_eq!(sim.drop_count(DropReason::BadSource), 1);
}

#[test]
fn datagram_to_an_unbound_port_is_dropped() {
    let (mut sim, tx, _) = two_hosts(7);
    sim.with_endpoint(tx, |p, _| {
        p.send_to(sa("198.51.100.2:9999"), b"nobody home")
    });
    sim.run_until_idle(Duration::from_secs(1)).unwrap();
    assert_eq!(sim.drop_count(DropReason::NoSocket), 1);
}

#[test]
fn datagram_to_an_unknown_address_has_no_route() {
    let (mut sim, tx, _) = two_hosts(8);
    sim.with_endpoint(tx, |p, _| {
        p.send_to(sa("10.9.9.9:1"), b"private address, no realm")
    });
    sim.run_until_idle(Duration::from_secs(1)).unwrap();
    assert_eq!(sim.drop_count(DropReason::NoRoute), 1);
}

#[test]
fn wildcard_binding_receives_on_every_port_and_exact_binding_wins() {
    let mut sim = Sim::new(epoch(), 9);
    let internet = sim.internet();
    let a = sim.add_host(internet, &[ip("198.51.100.1")]);
    let b = sim.add_host(internet, &[ip("198.51.100.2")]);
    let tx = sim.add_endpoint(
        "tx",
        a,
        &[sa("198.51.100.1:1")],
        Probe::new(sa("198.51.100.1:1")),
    );
    let any = sim.add_endpoint(
        "any",
        b,
        &[sa("0.0.0.0:0")],
        Probe::new(sa("198.51.100.2:2")),
    );
    let exact = sim.add_endpoint(
        "exact",
        b,
        &[sa("198.51.100.2:53")],
        Probe::new(sa("198.51.100.2:53")),
    );
    sim.with_endpoint(tx, |p, _| {
        p.send_to(sa("198.51.100.2:53"), b"dns");
        p.send_to(sa("198.51.100.2:40000"), b"other");
    });
    sim.run_until_idle(Duration::from_secs(1)).unwrap();
    assert_eq!(sim.endpoint(exact).received().len(), 1);
    assert_eq!(sim.endpoint(any).received()[0].contents, b"other");
}

#[test]
fn rejected_datagrams_are_traced_with_the_endpoint_error() {
    let (mut sim, tx, _) = two_hosts(10);
    let internet = sim.internet();
    let s = sim.add_host(internet, &[ip("198.51.100.3")]);
    sim.add_endpoint(
        "rendezvous",
        s,
        &[sa("198.51.100.3:3478")],
        Rendezvous::new(sa("198.51.100.3:3478")),
    );
    sim.with_endpoint(tx, |p, _| p.send_to(sa("198.51.100.3:3478"), b"garbage"));
    sim.run_until_idle(Duration::from_secs(1)).unwrap();
    let rejected = sim.trace().iter().find_map(|e| match &e.event {
        TraceEvent::Rejected {
            endpoint, error, ..
        } => Some((endpoint.clone(), error.clone())),
        _ => None,
    });
    assert_eq!(
        rejected,
        Some(("rendezvous".to_owned(), "UnknownMessage".to_owned()))
    );
    assert_eq!(sim.delivered_count(), 0);
}

#[test]
fn pcap_capture_records_sent_and_delivered_datagrams() {
    let (mut sim, tx, _) = two_hosts(11);
    sim.capture_pcap();
    sim.with_endpoint(tx, |p, _| p.send_to(sa("198.51.100.2:2"), b"captured"));
    sim.run_until_idle(Duration::from_secs(1)).unwrap();
    let pcap = sim.pcap().unwrap().as_bytes();
    // Global header, then two records (sent, delivered) of 16 + 20 + 8 + 8 bytes.
    assert_eq!(pcap.len(), 24 + 2 * (16 + 36));
    assert_eq!(&pcap[pcap.len() - 8..], b"captured");
}
