//! Consent freshness (RFC 7675): checks on the selected pair every 4 to 6 s keep it; when the
//! peer vanishes the agent is disconnected, then failed 30 s after the last answer, and sends
//! no more data.

mod common;

use std::time::Duration;

use common::connected_pair;
use sansrtc_ice::{ConnectionState, Error, Event};

#[test]
fn consent_checks_keep_an_idle_pair_alive_for_an_hour() {
    let mut p = connected_pair();
    let (sent_before, t0) = (p.a.stats().checks_sent, p.now);
    p.run_until(Duration::from_secs(3600), |_| false);
    for agent in [&p.a, &p.b] {
        assert!(
            matches!(
                agent.state(),
                ConnectionState::Completed | ConnectionState::Connected
            ),
            "{:?}",
            agent.state()
        );
    }
    // One check every 4-6 s: 600 to 900 in an hour, not more.
    let checks = p.a.stats().checks_sent - sent_before;
    assert!(
        (600..=900).contains(&checks),
        "{checks} checks in {:?}",
        p.now - t0
    );
}

#[test]
fn a_vanished_peer_is_disconnected_then_failed_within_30_s() {
    let mut p = connected_pair();
    // The peer vanishes: nothing from b reaches a any more, and b stops.
    p.drop = Box::new(|_, _| true);
    let vanished = p.now;
    assert!(p.run_until(Duration::from_secs(60), |p| p.a.state()
        == ConnectionState::Failed));
    let took = p.now - vanished;
    assert!(
        took >= Duration::from_secs(25) && took <= Duration::from_secs(35),
        "failed after {took:?}"
    );
    assert!(
        p.events_a
            .contains(&Event::ConnectionState(ConnectionState::Disconnected))
    );
    assert_eq!(
        p.a.write_data(b"x", &mut Vec::new()).unwrap_err(),
        Error::Closed
    );
}

#[test]
fn a_pair_that_comes_back_before_30_s_reconnects() {
    let mut p = connected_pair();
    p.drop = Box::new(|_, _| true);
    assert!(p.run_until(Duration::from_secs(30), |p| p.a.state()
        == ConnectionState::Disconnected));
    p.drop = Box::new(|_, _| false);
    assert!(p.run_until(Duration::from_secs(10), |p| matches!(
        p.a.state(),
        ConnectionState::Connected | ConnectionState::Completed
    )));
}
