//! A full agent and an ICE-lite agent (RFC 8445 §2.5): the lite one answers checks and sends
//! none of its own, the full one controls and nominates, both select the pair.

mod common;

use std::time::Duration;

use common::{Pair, agent, signal, start};
use sansrtc_ice::{Config, ConnectionState, Role};

#[test]
fn a_full_agent_connects_to_a_lite_one_and_the_lite_one_sends_no_checks() {
    let now = start();
    let mut full = agent(Role::Controlled, "127.0.0.1:5000", now, |_| {});
    let mut lite = agent(Role::Controlled, "127.0.0.1:6000", now, |c| {
        *c = Config::lite()
    });
    assert!(lite.is_lite());
    full.set_remote_lite(now, true);
    signal(now, &mut full, &mut lite);
    let mut p = Pair::new(full, lite, now);
    assert!(
        p.run_until(Duration::from_secs(10), Pair::both_selected),
        "{:?} {:?}",
        p.a,
        p.b
    );
    // A lite peer never controls: the full agent took the controlling role.
    assert_eq!(p.a.role(), Role::Controlling);
    assert_eq!(p.b.role(), Role::Controlled);
    assert_eq!(p.b.stats().checks_sent, 0, "a lite agent sends no checks");
    assert_eq!(p.b.state(), ConnectionState::Completed);
}
