//! Each classic NAT kind maps and filters as RFC 4787 says: which outside senders reach an
//! inside host after it sent one datagram out, and when it gets a new external port.

mod common;
use common::{epoch, ip, sa};
use sansrtc_netsim::{DropReason, EndpointId, NatConfig, NatKind, Probe, Sim};
use std::net::SocketAddr;
use std::time::Duration;

struct Lab {
    sim: Sim,
    inside: EndpointId<Probe>,
    s1a: EndpointId<Probe>,
    s1b: EndpointId<Probe>,
    s2: EndpointId<Probe>,
}

/// An inside host 10.0.0.2:5000 behind a NAT of `kind`; on the Internet, server S1 with two
/// ports (198.51.100.1:3478 and :3479) and server S2 (198.51.100.2:3478).
fn lab(kind: NatKind) -> Lab {
    let mut sim = Sim::new(epoch(), 11);
    let internet = sim.internet();
    let s1 = sim.add_host(internet, &[ip("198.51.100.1")]);
    let s2 = sim.add_host(internet, &[ip("198.51.100.2")]);
    let (_, home) = sim.add_nat(
        internet,
        NatConfig::new(kind, "203.0.113.1".parse().unwrap()),
    );
    let h = sim.add_host(home, &[ip("10.0.0.2")]);
    let s1a = sim.add_endpoint(
        "s1a",
        s1,
        &[sa("198.51.100.1:3478")],
        Probe::new(sa("198.51.100.1:3478")),
    );
    let s1b = sim.add_endpoint(
        "s1b",
        s1,
        &[sa("198.51.100.1:3479")],
        Probe::new(sa("198.51.100.1:3479")),
    );
    let s2 = sim.add_endpoint(
        "s2",
        s2,
        &[sa("198.51.100.2:3478")],
        Probe::new(sa("198.51.100.2:3478")),
    );
    let inside = sim.add_endpoint(
        "inside",
        h,
        &[sa("10.0.0.2:5000")],
        Probe::new(sa("10.0.0.2:5000")),
    );
    Lab {
        sim,
        inside,
        s1a,
        s1b,
        s2,
    }
}

/// The inside host sends to S1a; returns its external address as S1a saw it.
fn open_mapping(lab: &mut Lab) -> SocketAddr {
    lab.sim.with_endpoint(lab.inside, |p, _| {
        p.send_to(sa("198.51.100.1:3478"), b"out")
    });
    lab.sim.run_until_idle(Duration::from_secs(1)).unwrap();
    let seen = lab.sim.endpoint(lab.s1a).received();
    assert_eq!(seen.len(), 1, "the outbound datagram reaches S1a");
    assert_eq!(
        seen[0].source.ip(),
        ip("203.0.113.1"),
        "the source is translated"
    );
    seen[0].source
}

/// Sends one datagram from each server to `mapped` and returns which of (S1a, S1b, S2) got in.
fn probe_filtering(lab: &mut Lab, mapped: SocketAddr) -> [bool; 3] {
    let senders = [lab.s1a, lab.s1b, lab.s2];
    let mut reached = [false; 3];
    for (i, sender) in senders.into_iter().enumerate() {
        let before = lab.sim.endpoint(lab.inside).received().len();
        lab.sim
            .with_endpoint(sender, |p, _| p.send_to(mapped, b"in"));
        lab.sim.run_until_idle(Duration::from_secs(1)).unwrap();
        let received = lab.sim.endpoint(lab.inside).received();
        reached[i] = received.len() > before;
        if reached[i] {
            let local = lab.sim.endpoint(sender).local();
            assert_eq!(
                received[before].source, local,
                "the sender's address is not rewritten"
            );
            assert_eq!(received[before].destination, sa("10.0.0.2:5000"));
        }
    }
    reached
}

fn check_filtering(kind: NatKind, expected: [bool; 3]) {
    let mut lab = lab(kind);
    let mapped = open_mapping(&mut lab);
    let reached = probe_filtering(&mut lab, mapped);
    assert_eq!(
        reached, expected,
        "{kind:?}: [same address and port, same address other port, other address]"
    );
    let filtered = expected.iter().filter(|ok| !**ok).count() as u64;
    assert_eq!(lab.sim.drop_count(DropReason::Filtered), filtered);
}

#[test]
fn full_cone_lets_anyone_in() {
    check_filtering(NatKind::FullCone, [true, true, true]);
}

#[test]
fn restricted_cone_admits_only_contacted_addresses() {
    check_filtering(NatKind::RestrictedCone, [true, true, false]);
}

#[test]
fn port_restricted_cone_admits_only_contacted_address_and_port() {
    check_filtering(NatKind::PortRestrictedCone, [true, false, false]);
}

#[test]
fn symmetric_admits_only_contacted_address_and_port() {
    check_filtering(NatKind::Symmetric, [true, false, false]);
}

#[test]
fn unsolicited_datagram_without_mapping_is_dropped() {
    let mut lab = lab(NatKind::FullCone);
    lab.sim
        .with_endpoint(lab.s2, |p, _| p.send_to(sa("203.0.113.1:5000"), b"hello?"));
    lab.sim.run_until_idle(Duration::from_secs(1)).unwrap();
    assert!(lab.sim.endpoint(lab.inside).received().is_empty());
    assert_eq!(lab.sim.drop_count(DropReason::NoMapping), 1);
}

/// Returns the external addresses S1a, S1b and S2 observed for one inside socket.
fn observed_mappings(kind: NatKind) -> [SocketAddr; 3] {
    let mut lab = lab(kind);
    for to in [
        "198.51.100.1:3478",
        "198.51.100.1:3479",
        "198.51.100.2:3478",
    ] {
        lab.sim
            .with_endpoint(lab.inside, |p, _| p.send_to(sa(to), b"out"));
    }
    lab.sim.run_until_idle(Duration::from_secs(1)).unwrap();
    [lab.s1a, lab.s1b, lab.s2].map(|s| lab.sim.endpoint(s).received()[0].source)
}

#[test]
fn cone_kinds_keep_one_external_port_for_every_destination() {
    for kind in [
        NatKind::FullCone,
        NatKind::RestrictedCone,
        NatKind::PortRestrictedCone,
    ] {
        let [a, b, c] = observed_mappings(kind);
        assert_eq!(a, b, "{kind:?}");
        assert_eq!(a, c, "{kind:?}");
    }
}

#[test]
fn symmetric_uses_a_new_external_port_per_destination() {
    let [a, b, c] = observed_mappings(NatKind::Symmetric);
    assert_ne!(a, b);
    assert_ne!(a, c);
    assert_ne!(b, c);
    assert!([a, b, c].iter().all(|m| m.ip() == ip("203.0.113.1")));
}
