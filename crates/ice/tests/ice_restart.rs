//! ICE restart during a transfer (RFC 8445 §9): new credentials both ways, new checks, and
//! the old pair carries the data until the new one is selected, without a loss.

mod common;

use std::time::Duration;

use common::{Pair, connected_pair, signal};
use sansrtc_ice::{ConnectionState, Event, Incoming, PairState};
use sansrtc_proto::{Protocol, Receive};

/// Sends one numbered datagram from a to b on a's selected pair; returns whether b took it
/// as data.
fn send(p: &mut Pair, n: u32) -> bool {
    let mut buf = Vec::new();
    let Ok(t) = p.a.write_data(&n.to_be_bytes(), &mut buf) else {
        return false;
    };
    let rx = Receive {
        proto: Protocol::Udp,
        source: t.source,
        destination: t.destination,
        contents: &buf[..t.size],
    };
    p.b.handle_datagram(p.now, rx) == Ok(Incoming::Data(&n.to_be_bytes()))
}

#[test]
fn a_restart_keeps_data_flowing_on_the_old_pair_until_a_new_one_is_selected() {
    let mut p = connected_pair();
    let old_credentials = p.a.local_credentials().clone();
    let mut n = 0;
    for _ in 0..10 {
        assert!(send(&mut p, n));
        n += 1;
        p.run_until(Duration::from_millis(100), |_| false);
    }
    p.events_a.clear();
    p.events_b.clear();
    let t = p.now;
    p.a.restart(t);
    p.b.restart(t);
    assert_ne!(*p.a.local_credentials(), old_credentials);
    // Data keeps going while the new credentials travel.
    for _ in 0..5 {
        assert!(send(&mut p, n), "datagram {n} during the restart");
        n += 1;
        p.run_until(Duration::from_millis(100), |_| false);
    }
    let t = p.now;
    signal(t, &mut p.a, &mut p.b);
    for _ in 0..50 {
        assert!(send(&mut p, n), "datagram {n} after the new credentials");
        n += 1;
        p.run_until(Duration::from_millis(100), |_| false);
    }
    // The new session checked and selected its pair (the same addresses here).
    for (agent, events) in [(&p.a, &p.events_a), (&p.b, &p.events_b)] {
        let path = agent.selected_path().unwrap();
        assert_eq!(
            agent.pair_state(path.local.base, path.remote.address),
            Some(PairState::Succeeded)
        );
        assert!(matches!(agent.state(), ConnectionState::Completed));
        assert!(
            !events
                .iter()
                .any(|e| matches!(e, Event::ConnectionState(ConnectionState::Failed)))
        );
    }
}

/// A restart whose offer is rolled back (JSEP, RFC 8829 §4.1.10.2): our credentials and the
/// peer's come back, the pairs are checked again with them, and the agents stay connected
/// past the consent timeout. A committed restart has nothing left to undo.
#[test]
fn a_rolled_back_restart_restores_both_credentials_and_keeps_consent() {
    let mut p = connected_pair();
    let (ours, theirs) = (
        p.a.local_credentials().clone(),
        p.b.local_credentials().clone(),
    );
    let t = p.now;
    p.a.restart(t);
    assert_ne!(*p.a.local_credentials(), ours);
    p.run_until(Duration::from_secs(1), |_| false);
    assert!(p.a.rollback_restart(p.now));
    assert_eq!(*p.a.local_credentials(), ours);
    assert!(!p.a.rollback_restart(p.now), "nothing more to undo");
    p.events_a.clear();
    p.run_until(Duration::from_secs(40), |_| false);
    for agent in [&p.a, &p.b] {
        assert!(matches!(
            agent.state(),
            ConnectionState::Connected | ConnectionState::Completed
        ));
    }
    assert!(!p.events_a.iter().any(|e| matches!(
        e,
        Event::ConnectionState(ConnectionState::Disconnected | ConnectionState::Failed)
    )));
    assert!(send(&mut p, 1));
    // Committed: it stands.
    let t = p.now;
    p.b.restart(t);
    p.b.commit_restart();
    assert!(!p.b.rollback_restart(t));
    assert_ne!(*p.b.local_credentials(), theirs);
}

#[test]
fn a_restart_with_malformed_credentials_is_refused() {
    let mut p = connected_pair();
    let before = p.a.local_credentials().clone();
    for (ufrag, pwd) in [
        ("abc", "0123456789012345678901"),
        ("abcd", "012345678901234567890"),
        ("ab:d", "0123456789012345678901"),
        ("abcd", "01234567890123456789 1"),
    ] {
        let credentials = sansrtc_ice::Credentials {
            ufrag: ufrag.to_owned(),
            pwd: pwd.to_owned(),
        };
        assert!(p.a.restart_with(p.now, credentials).is_err());
        assert_eq!(*p.a.local_credentials(), before);
    }
    let good = sansrtc_ice::Credentials {
        ufrag: "abcd".to_owned(),
        pwd: "0123456789+/0123456789".to_owned(),
    };
    p.a.restart_with(p.now, good.clone()).unwrap();
    assert_eq!(*p.a.local_credentials(), good);
}
