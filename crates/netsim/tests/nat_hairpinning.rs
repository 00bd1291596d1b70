//! Hairpinning (RFC 4787 §6): two hosts behind one NAT reach each other through the NAT's
//! external address when the NAT supports it, and the receiver sees the sender's external
//! address (REQ-9).

mod common;
use common::{epoch, ip, sa};
use sansrtc_netsim::{DropReason, NatConfig, NatKind, Probe, Sim};
use std::time::Duration;

fn run(hairpinning: bool) -> (Sim, Vec<sansrtc_netsim::Datagram>) {
    let mut sim = Sim::new(epoch(), 3);
    let internet = sim.internet();
    let s = sim.add_host(internet, &[ip("198.51.100.1")]);
    let cfg =
        NatConfig::new(NatKind::FullCone, "203.0.113.1".parse().unwrap()).hairpinning(hairpinning);
    let (_, home) = sim.add_nat(internet, cfg);
    let a_host = sim.add_host(home, &[ip("10.0.0.2")]);
    let b_host = sim.add_host(home, &[ip("10.0.0.3")]);
    let server = sim.add_endpoint(
        "server",
        s,
        &[sa("198.51.100.1:3478")],
        Probe::new(sa("198.51.100.1:3478")),
    );
    let a = sim.add_endpoint(
        "a",
        a_host,
        &[sa("10.0.0.2:5000")],
        Probe::new(sa("10.0.0.2:5000")),
    );
    let b = sim.add_endpoint(
        "b",
        b_host,
        &[sa("10.0.0.3:6000")],
        Probe::new(sa("10.0.0.3:6000")),
    );
    // Both learn their external addresses from the server.
    sim.with_endpoint(a, |p, _| p.send_to(sa("198.51.100.1:3478"), b"a"));
    sim.with_endpoint(b, |p, _| p.send_to(sa("198.51.100.1:3478"), b"b"));
    sim.run_until_idle(Duration::from_secs(1)).unwrap();
    let seen = sim.endpoint(server).received().to_vec();
    let (a_ext, b_ext) = (seen[0].source, seen[1].source);
    sim.with_endpoint(a, |p, _| p.send_to(b_ext, b"via the NAT"));
    sim.run_until_idle(Duration::from_secs(1)).unwrap();
    let got = sim.endpoint(b).received().to_vec();
    if let Some(d) = got.first() {
        assert_eq!(
            d.source, a_ext,
            "the hairpinned datagram carries A's external address"
        );
    }
    (sim, got)
}

#[test]
fn hairpinning_on_loops_back_with_external_source() {
    let (_, got) = run(true);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].contents, b"via the NAT");
}

#[test]
fn hairpinning_off_drops() {
    let (sim, got) = run(false);
    assert!(got.is_empty());
    assert_eq!(sim.drop_count(DropReason::HairpinDisabled), 1);
}
