//! The NAT matrix on `sansrtc-netsim`: two agents, each with no NAT or behind a full cone,
//! restricted cone, port-restricted cone or symmetric NAT (25 pairs), with our TURN server
//! (STUN too) on the simulated Internet. Every pair connects; the path is direct wherever
//! hole punching works and relayed only where both sides are symmetric or symmetric meets
//! port-restricted. The same at 5% loss and 100 ms RTT. Then two peers behind one NAT (with
//! and without hairpinning), IPv6-only and dual-stack peers.
//!
//! `cargo test -p sansrtc-ice --test nat_matrix -- --nocapture` prints the matrix recorded in
//! `docs/ice.md`.

mod common;

use std::time::Duration;

use common::start;
use common::world::{Impairment, PLACES, Place, Scenario, needs_relay};

fn matrix(impairment: Impairment, seeds: u64, budget: Duration) {
    println!("| A \\ B | {} |", PLACES.map(Place::name).join(" | "));
    println!("|---|{}", "---|".repeat(PLACES.len()));
    for a in PLACES {
        let mut row = Vec::new();
        for b in PLACES {
            let mut worst = Duration::ZERO;
            let mut checks = 0;
            let mut path = "";
            for seed in 1..=seeds {
                let outcome = Scenario {
                    impairment,
                    seed,
                    ..Scenario::new(a, b)
                }
                .run(start());
                assert!(outcome.connected, "{a:?} x {b:?} seed {seed}: {outcome:?}");
                assert_eq!(
                    outcome.relayed,
                    needs_relay(a, b),
                    "{a:?} x {b:?} seed {seed}: {outcome:?}"
                );
                assert!(
                    outcome.time <= budget,
                    "{a:?} x {b:?} seed {seed}: {outcome:?}"
                );
                worst = worst.max(outcome.time);
                checks = checks.max(outcome.checks);
                path = if outcome.relayed { "relay" } else { "direct" };
            }
            row.push(format!("{path} {} ms, {checks} checks", worst.as_millis()));
        }
        println!("| {} | {} |", a.name(), row.join(" | "));
    }
}

#[test]
fn every_pair_of_nat_kinds_connects_directly_where_it_can_and_through_turn_where_it_must() {
    matrix(common::world::CLEAN, 1, Duration::from_secs(2));
}

#[test]
fn the_matrix_holds_at_five_percent_loss_and_100_ms_rtt() {
    let lossy = Impairment {
        one_way: Duration::from_millis(25),
        loss: 0.05,
    };
    matrix(lossy, 3, Duration::from_secs(10));
}

#[test]
fn two_peers_behind_one_nat_connect_with_and_without_hairpinning() {
    for hairpin in [true, false] {
        let outcome = Scenario {
            shared_nat: Some(hairpin),
            ..Scenario::new(Place::Public, Place::Public)
        }
        .run(start());
        assert!(outcome.connected, "hairpinning {hairpin}: {outcome:?}");
        assert!(!outcome.relayed, "a LAN path exists: {outcome:?}");
    }
}

#[test]
fn ipv6_only_peers_connect() {
    for (a, b) in [
        (Place::Public, Place::Public),
        (
            Place::Nat(sansrtc_netsim::NatKind::PortRestrictedCone),
            Place::Public,
        ),
    ] {
        let outcome = Scenario {
            ipv6: true,
            ipv4: false,
            ..Scenario::new(a, b)
        }
        .run(start());
        assert!(outcome.connected, "{a:?} x {b:?}: {outcome:?}");
    }
}

#[test]
fn dual_stack_peers_connect() {
    let outcome = Scenario {
        ipv6: true,
        ..Scenario::new(
            Place::Nat(sansrtc_netsim::NatKind::Symmetric),
            Place::Public,
        )
    }
    .run(start());
    assert!(outcome.connected, "{outcome:?}");
    assert!(!outcome.relayed);
}

#[test]
fn relay_only_agents_connect_through_turn_and_never_reveal_a_host_address() {
    let outcome = Scenario {
        relay_only: true,
        ..Scenario::new(Place::Public, Place::Nat(sansrtc_netsim::NatKind::FullCone))
    }
    .run(start());
    assert!(outcome.connected, "{outcome:?}");
    assert_eq!(
        outcome.kinds,
        Some((
            sansrtc_ice::CandidateKind::Relayed,
            sansrtc_ice::CandidateKind::Relayed
        ))
    );
}
