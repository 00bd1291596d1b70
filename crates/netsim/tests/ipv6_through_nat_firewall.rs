//! IPv6 crosses a NAT box untranslated, but through the box's filtering: replies get in,
//! strangers do not.

mod common;
use common::{epoch, ip, sa};
use sansrtc_netsim::{DropReason, NatConfig, NatKind, Probe, Sim};
use std::time::Duration;

#[test]
fn ipv6_is_routed_untranslated_and_filtered() {
    let mut sim = Sim::new(epoch(), 1);
    let internet = sim.internet();
    let server = sim.add_host(internet, &[ip("2001:db8:ffff::7")]);
    let stranger = sim.add_host(internet, &[ip("2001:db8:ffff::8")]);
    let (_, home) = sim.add_nat(
        internet,
        NatConfig::new(NatKind::PortRestrictedCone, "203.0.113.1".parse().unwrap()),
    );
    let laptop = sim.add_host(home, &[ip("192.168.1.10"), ip("2001:db8:1::10")]);
    let echo = sim.add_endpoint(
        "echo",
        server,
        &[sa("[2001:db8:ffff::7]:7")],
        Probe::echo(sa("[2001:db8:ffff::7]:7")),
    );
    let intruder = sim.add_endpoint(
        "intruder",
        stranger,
        &[sa("[2001:db8:ffff::8]:9")],
        Probe::new(sa("[2001:db8:ffff::8]:9")),
    );
    let client = sim.add_endpoint(
        "client",
        laptop,
        &[sa("[2001:db8:1::10]:5000")],
        Probe::new(sa("[2001:db8:1::10]:5000")),
    );

    sim.with_endpoint(client, |p, _| p.send_to(sa("[2001:db8:ffff::7]:7"), b"v6"));
    sim.run_until_idle(Duration::from_secs(1)).unwrap();
    assert_eq!(
        sim.endpoint(echo).received()[0].source,
        sa("[2001:db8:1::10]:5000"),
        "no translation"
    );
    assert_eq!(
        sim.endpoint(client).received().len(),
        1,
        "the reply passed the filter"
    );

    sim.with_endpoint(intruder, |p, _| {
        p.send_to(sa("[2001:db8:1::10]:5000"), b"let me in")
    });
    sim.run_until_idle(Duration::from_secs(1)).unwrap();
    assert_eq!(sim.endpoint(client).received().len(), 1);
    assert_eq!(sim.drop_count(DropReason::Filtered), 1);
}
