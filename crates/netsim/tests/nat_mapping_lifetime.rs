//! NAT mappings expire after idling for their configured lifetime (RFC 4787 REQ-5), outbound
//! traffic keeps them alive, and inbound traffic does so only when configured (REQ-6).

mod common;
use common::{epoch, ip, sa};
use sansrtc_netsim::{DropReason, NatConfig, NatId, NatKind, Probe, Sim, TraceEvent};
use std::time::Duration;

struct Lab {
    sim: Sim,
    nat: NatId,
    inside: sansrtc_netsim::EndpointId<Probe>,
    server: sansrtc_netsim::EndpointId<Probe>,
}

fn lab(config: NatConfig) -> Lab {
    let mut sim = Sim::new(epoch(), 5);
    let internet = sim.internet();
    let s = sim.add_host(internet, &[ip("198.51.100.1")]);
    let (nat, home) = sim.add_nat(internet, config);
    let h = sim.add_host(home, &[ip("10.0.0.2")]);
    let server = sim.add_endpoint(
        "server",
        s,
        &[sa("198.51.100.1:3478")],
        Probe::echo(sa("198.51.100.1:3478")),
    );
    let inside = sim.add_endpoint(
        "inside",
        h,
        &[sa("10.0.0.2:5000")],
        Probe::new(sa("10.0.0.2:5000")),
    );
    Lab {
        sim,
        nat,
        inside,
        server,
    }
}

fn config(lifetime: Duration) -> NatConfig {
    NatConfig::new(NatKind::PortRestrictedCone, "203.0.113.1".parse().unwrap())
        .mapping_lifetime(lifetime)
}

#[test]
fn idle_mapping_expires_after_its_lifetime() {
    let mut lab = lab(config(Duration::from_secs(30)));
    lab.sim
        .with_endpoint(lab.inside, |p, _| p.send_to(sa("198.51.100.1:3478"), b"1"));
    lab.sim.run_until_idle(Duration::from_secs(1)).unwrap();
    assert_eq!(
        lab.sim.endpoint(lab.inside).received().len(),
        1,
        "the echo came back"
    );
    let mapped = lab.sim.endpoint(lab.server).received()[0].source;
    assert_eq!(lab.sim.nat_mappings(lab.nat), 1);

    // Just before the lifetime ends the mapping still works.
    lab.sim.run_for(Duration::from_secs(29)).unwrap();
    assert_eq!(lab.sim.nat_mappings(lab.nat), 1);
    lab.sim
        .with_endpoint(lab.server, |p, _| p.send_to(mapped, b"2"));
    lab.sim.run_until_idle(Duration::from_secs(1)).unwrap();
    assert_eq!(lab.sim.endpoint(lab.inside).received().len(), 2);

    // Inbound traffic did not refresh it: 30 s after the last outbound datagram it is gone.
    lab.sim.run_for(Duration::from_secs(1)).unwrap();
    assert_eq!(lab.sim.nat_mappings(lab.nat), 0);
    lab.sim
        .with_endpoint(lab.server, |p, _| p.send_to(mapped, b"3"));
    lab.sim.run_until_idle(Duration::from_secs(1)).unwrap();
    assert_eq!(lab.sim.endpoint(lab.inside).received().len(), 2);
    assert_eq!(lab.sim.drop_count(DropReason::NoMapping), 1);
    assert!(
        lab.sim
            .trace()
            .iter()
            .any(|e| matches!(e.event, TraceEvent::NatExpired { .. }))
    );
}

#[test]
fn outbound_keepalives_hold_the_mapping_open() {
    let mut lab = lab(config(Duration::from_secs(30)));
    let start = lab.sim.now();
    lab.sim.with_endpoint(lab.inside, |p, _| {
        for i in 0..10 {
            p.send_at(
                start + Duration::from_secs(20 * i),
                sa("198.51.100.1:3478"),
                b"keepalive",
            );
        }
    });
    lab.sim.run_until_idle(Duration::from_secs(300)).unwrap();
    let seen: Vec<_> = lab
        .sim
        .endpoint(lab.server)
        .received()
        .iter()
        .map(|d| d.source)
        .collect();
    assert_eq!(seen.len(), 10);
    assert!(
        seen.iter().all(|s| *s == seen[0]),
        "one mapping served all keepalives"
    );
    let created = lab
        .sim
        .trace()
        .iter()
        .filter(|e| matches!(e.event, TraceEvent::NatMapped { .. }))
        .count();
    assert_eq!(created, 1);
}

#[test]
fn a_new_mapping_is_made_after_expiry() {
    let mut lab = lab(config(Duration::from_secs(10)));
    lab.sim
        .with_endpoint(lab.inside, |p, _| p.send_to(sa("198.51.100.1:3478"), b"1"));
    lab.sim.run_for(Duration::from_secs(11)).unwrap();
    lab.sim
        .with_endpoint(lab.inside, |p, _| p.send_to(sa("198.51.100.1:3478"), b"2"));
    lab.sim.run_until_idle(Duration::from_secs(1)).unwrap();
    let created = lab
        .sim
        .trace()
        .iter()
        .filter(|e| matches!(e.event, TraceEvent::NatMapped { .. }))
        .count();
    let expired = lab
        .sim
        .trace()
        .iter()
        .filter(|e| matches!(e.event, TraceEvent::NatExpired { .. }))
        .count();
    assert_eq!((created, expired), (2, 1));
    assert_eq!(
        lab.sim.endpoint(lab.inside).received().len(),
        2,
        "both echoes came back"
    );
}

#[test]
fn inbound_refresh_keeps_the_mapping_when_enabled() {
    let mut lab = lab(config(Duration::from_secs(30)).inbound_refresh(true));
    lab.sim
        .with_endpoint(lab.inside, |p, _| p.send_to(sa("198.51.100.1:3478"), b"1"));
    lab.sim.run_until_idle(Duration::from_secs(1)).unwrap();
    let mapped = lab.sim.endpoint(lab.server).received()[0].source;
    let start = lab.sim.now();
    // The server sends every 20 s for 200 s; the inside host never sends again.
    lab.sim.with_endpoint(lab.server, |p, _| {
        for i in 1..=10 {
            p.send_at(start + Duration::from_secs(20 * i), mapped, b"push");
        }
    });
    lab.sim.run_until_idle(Duration::from_secs(300)).unwrap();
    assert_eq!(lab.sim.endpoint(lab.inside).received().len(), 11);
}
