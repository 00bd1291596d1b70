use super::*;
use crate::config::NatKind;
use rand::SeedableRng;
use std::net::Ipv4Addr;
use std::time::Duration;

#[expect(
    clippy::disallowed_methods,
    reason = "a unit test needs one real Instant as the origin of virtual time"
)]
fn origin() -> Instant {
    Instant::now()
}

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

fn nat(kind: NatKind) -> Nat {
    Nat::new(
        NatConfig::new(kind, Ipv4Addr::new(203, 0, 113, 1)),
        StdRng::seed_from_u64(1),
    )
}

#[test]
fn endpoint_independent_mapping_reuses_the_port() {
    let t = origin();
    let mut n = nat(NatKind::PortRestrictedCone);
    let inside = addr("10.0.0.2:5000");
    let a = n
        .outbound(t, Protocol::Udp, inside, addr("198.51.100.1:1"))
        .unwrap();
    let b = n
        .outbound(t, Protocol::Udp, inside, addr("198.51.100.2:2"))
        .unwrap();
    assert_eq!(a, b);
    assert_eq!(a.ip(), IpAddr::V4(Ipv4Addr::new(203, 0, 113, 1)));
}

#[test]
fn symmetric_mapping_gives_a_port_per_destination() {
    let t = origin();
    let mut n = nat(NatKind::Symmetric);
    let inside = addr("10.0.0.2:5000");
    let a = n
        .outbound(t, Protocol::Udp, inside, addr("198.51.100.1:1"))
        .unwrap();
    let b = n
        .outbound(t, Protocol::Udp, inside, addr("198.51.100.1:2"))
        .unwrap();
    let again = n
        .outbound(t, Protocol::Udp, inside, addr("198.51.100.1:1"))
        .unwrap();
    assert_ne!(a, b);
    assert_eq!(a, again);
}

#[test]
fn address_dependent_mapping_shares_a_port_per_remote_ip() {
    let t = origin();
    let mut n = Nat::new(
        NatConfig::new(NatKind::FullCone, Ipv4Addr::new(203, 0, 113, 1))
            .mapping(MappingBehavior::AddressDependent),
        StdRng::seed_from_u64(1),
    );
    let inside = addr("10.0.0.2:5000");
    let a = n
        .outbound(t, Protocol::Udp, inside, addr("198.51.100.1:1"))
        .unwrap();
    let b = n
        .outbound(t, Protocol::Udp, inside, addr("198.51.100.1:2"))
        .unwrap();
    let c = n
        .outbound(t, Protocol::Udp, inside, addr("198.51.100.9:1"))
        .unwrap();
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn udp_and_tcp_mappings_are_separate() {
    let t = origin();
    let mut n = nat(NatKind::FullCone);
    let inside = addr("10.0.0.2:5000");
    let remote = addr("198.51.100.1:1");
    let udp = n.outbound(t, Protocol::Udp, inside, remote).unwrap();
    assert_eq!(
        n.inbound(t, Protocol::Tcp, remote, udp),
        Err(DropReason::NoMapping)
    );
    assert_eq!(n.inbound(t, Protocol::Udp, remote, udp), Ok(inside));
}

#[test]
fn idle_mapping_expires_and_outbound_traffic_keeps_it_alive() {
    let t = origin();
    let mut n = nat(NatKind::FullCone);
    let inside = addr("10.0.0.2:5000");
    let remote = addr("198.51.100.1:1");
    let ext = n.outbound(t, Protocol::Udp, inside, remote).unwrap();
    let t1 = t + Duration::from_secs(100);
    n.outbound(t1, Protocol::Udp, inside, remote).unwrap();
    // 100 s after the refresh, 200 s after creation: still alive (lifetime 120 s).
    let t2 = t1 + Duration::from_secs(100);
    assert_eq!(n.inbound(t2, Protocol::Udp, remote, ext), Ok(inside));
    // Inbound does not refresh by default: 120 s after the last outbound it is gone.
    let t3 = t1 + Duration::from_secs(120);
    assert_eq!(
        n.inbound(t3, Protocol::Udp, remote, ext),
        Err(DropReason::NoMapping)
    );
    assert!(
        n.take_notes()
            .any(|note| matches!(note, NatNote::Expired { .. }))
    );
    assert_eq!(n.live_mappings(t3), 0);
}

#[test]
fn inbound_refresh_keeps_mapping_alive_when_enabled() {
    let t = origin();
    let mut n = Nat::new(
        NatConfig::new(NatKind::FullCone, Ipv4Addr::new(203, 0, 113, 1)).inbound_refresh(true),
        StdRng::seed_from_u64(1),
    );
    let inside = addr("10.0.0.2:5000");
    let remote = addr("198.51.100.1:1");
    let ext = n.outbound(t, Protocol::Udp, inside, remote).unwrap();
    for i in 1..=5 {
        let now = t + Duration::from_secs(100 * i);
        assert_eq!(n.inbound(now, Protocol::Udp, remote, ext), Ok(inside));
    }
}

#[test]
fn preserving_allocation_keeps_the_inside_port_when_free() {
    let t = origin();
    let mut n = Nat::new(
        NatConfig::new(NatKind::Symmetric, Ipv4Addr::new(203, 0, 113, 1))
            .port_allocation(PortAllocation::Preserve),
        StdRng::seed_from_u64(1),
    );
    let a = n
        .outbound(
            t,
            Protocol::Udp,
            addr("10.0.0.2:5000"),
            addr("198.51.100.1:1"),
        )
        .unwrap();
    let b = n
        .outbound(
            t,
            Protocol::Udp,
            addr("10.0.0.2:5000"),
            addr("198.51.100.1:2"),
        )
        .unwrap();
    assert_eq!(a.port(), 5000);
    assert_eq!(b.port(), 5001);
}

#[test]
fn sequential_allocation_counts_up() {
    let t = origin();
    let mut n = Nat::new(
        NatConfig::new(NatKind::FullCone, Ipv4Addr::new(203, 0, 113, 1))
            .port_allocation(PortAllocation::Sequential { first: 40000 }),
        StdRng::seed_from_u64(1),
    );
    let remote = addr("198.51.100.1:1");
    let ports: Vec<u16> = (0..3)
        .map(|i| {
            let inside = SocketAddr::new("10.0.0.2".parse().unwrap(), 6000 + i);
            n.outbound(t, Protocol::Udp, inside, remote).unwrap().port()
        })
        .collect();
    assert_eq!(ports, [40000, 40001, 40002]);
}

#[test]
fn ipv6_crosses_untranslated_but_filtered() {
    let t = origin();
    let mut n = nat(NatKind::PortRestrictedCone);
    let inside = addr("[2001:db8:1::2]:5000");
    let remote = addr("[2001:db8:2::9]:7000");
    let ext = n.outbound(t, Protocol::Udp, inside, remote).unwrap();
    assert_eq!(ext, inside);
    assert_eq!(n.inbound(t, Protocol::Udp, remote, inside), Ok(inside));
    let stranger = addr("[2001:db8:2::9]:7001");
    assert_eq!(
        n.inbound(t, Protocol::Udp, stranger, inside),
        Err(DropReason::Filtered)
    );
}
