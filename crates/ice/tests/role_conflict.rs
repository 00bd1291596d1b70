//! Both agents start in the same role (RFC 8445 §7.3.1.1): the tie-breakers decide, one
//! switches, and both end on the same pair.

mod common;

use std::time::Duration;

use common::{Pair, agent, signal, start};
use sansrtc_ice::{Event, Role};

fn resolves(role: Role) {
    let now = start();
    let mut a = agent(role, "127.0.0.1:5000", now, |_| {});
    let mut b = agent(role, "127.0.0.1:6000", now, |c| {
        c.rng_seed = Some(sansrtc_proto::rng::seed_from_u64(99));
    });
    signal(now, &mut a, &mut b);
    let mut p = Pair::new(a, b, now);
    assert!(
        p.run_until(Duration::from_secs(10), Pair::both_selected),
        "{:?} {:?}",
        p.a,
        p.b
    );
    assert_ne!(p.a.role(), p.b.role(), "exactly one switched");
    let switched = p
        .events_a
        .iter()
        .chain(&p.events_b)
        .filter(|e| matches!(e, Event::RoleChanged(_)))
        .count();
    assert_eq!(switched, 1);
    let (pa, pb) = (p.a.selected_path().unwrap(), p.b.selected_path().unwrap());
    assert_eq!(pa.remote.address, pb.local.base);
    assert_eq!(pb.remote.address, pa.local.base);
}

#[test]
fn both_controlling_resolves_to_one_of_each() {
    resolves(Role::Controlling);
}

#[test]
fn both_controlled_resolves_to_one_of_each() {
    resolves(Role::Controlled);
}
