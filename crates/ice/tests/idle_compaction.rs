//! A completed agent that stays quiet compacts itself (RFC 8445 §8.3: all but the selected
//! pair may be freed): consent and data go on as before, forged traffic still changes nothing,
//! and anything that needs more (a restart, a new candidate) brings the full state back.

mod common;

use std::time::Duration;

use common::{Pair, connected_pair, signal};
use sansrtc_ice::{Candidate, CandidateKind, ConnectionState, Error, Foundation, Incoming};
use sansrtc_proto::{Protocol, Receive, SansIo};

fn compact_pair() -> Pair {
    let mut p = connected_pair();
    p.run_until(Duration::from_secs(15), |p| {
        p.a.is_compact() && p.b.is_compact()
    });
    assert!(p.a.is_compact() && p.b.is_compact(), "{:?} {:?}", p.a, p.b);
    p
}

#[test]
fn a_quiet_completed_agent_compacts_and_keeps_consent_and_data_for_an_hour() {
    let mut p = compact_pair();
    let sent = p.a.stats().checks_sent;
    p.run_until(Duration::from_secs(3600), |_| false);
    for agent in [&p.a, &p.b] {
        assert!(agent.is_compact(), "{agent:?}");
        assert_eq!(agent.state(), ConnectionState::Completed);
    }
    let checks = p.a.stats().checks_sent - sent;
    assert!(
        (600..=900).contains(&checks),
        "{checks} consent checks in an hour"
    );
    let mut buf = Vec::new();
    let t = p.a.write_data(b"still here", &mut buf).unwrap();
    let rx = Receive {
        proto: Protocol::Udp,
        source: t.source,
        destination: t.destination,
        contents: &buf[..t.size],
    };
    assert_eq!(
        p.b.handle_datagram(p.now, rx),
        Ok(Incoming::Data(&b"still here"[..]))
    );
    assert!(p.b.is_compact(), "data does not expand it");
}

#[test]
fn a_compact_agent_whose_peer_vanishes_fails_within_30_s() {
    let mut p = compact_pair();
    p.drop = Box::new(|_, _| true);
    let vanished = p.now;
    assert!(p.run_until(Duration::from_secs(60), |p| p.a.state()
        == ConnectionState::Failed));
    let took = p.now - vanished;
    assert!(
        took >= Duration::from_secs(25) && took <= Duration::from_secs(35),
        "{took:?}"
    );
    assert_eq!(
        p.a.write_data(b"x", &mut Vec::new()).unwrap_err(),
        Error::Closed
    );
}

#[test]
fn forged_checks_to_a_compact_agent_change_nothing() {
    let mut p = compact_pair();
    let path = p.b.selected_path().unwrap();
    // A Binding request from the peer's own address but signed with a wrong key.
    let mut forged = Vec::new();
    let mut m = sansrtc_stun::wire::MessageBuilder::new(
        &mut forged,
        sansrtc_stun::wire::Class::Request,
        sansrtc_stun::wire::Method::BINDING,
        sansrtc_stun::wire::TransactionId([3; 12]),
    );
    let username = format!("{}:x", p.b.local_credentials().ufrag);
    m.add(&sansrtc_stun::wire::Attribute::Username(&username))
        .unwrap();
    m.add(&sansrtc_stun::wire::Attribute::UseCandidate).unwrap();
    m.add_message_integrity(&sansrtc_stun::IntegrityKey::new(b"wrong"))
        .unwrap();
    m.add_fingerprint().unwrap();
    for source in [path.remote.address, "203.0.113.5:9".parse().unwrap()] {
        let rx = Receive {
            proto: Protocol::Udp,
            source,
            destination: path.local.base,
            contents: &forged,
        };
        assert_eq!(p.b.handle_receive(p.now, rx), Err(Error::Unauthenticated));
        assert!(p.b.is_compact(), "a forgery does not expand it");
    }
    assert!(p.b.poll_transmit(p.now, &mut Vec::new()).is_none());
}

#[test]
fn a_restart_expands_a_compact_agent_and_reconnects() {
    let mut p = compact_pair();
    let t = p.now;
    let old = p.a.local_credentials().clone();
    p.a.restart(t);
    p.b.restart(t);
    assert!(!p.a.is_compact() && !p.b.is_compact());
    assert_ne!(*p.a.local_credentials(), old);
    signal(t, &mut p.a, &mut p.b);
    assert!(p.run_until(Duration::from_secs(5), |p| {
        p.a.state() == ConnectionState::Completed && p.b.state() == ConnectionState::Completed
    }));
    let path = p.a.selected_path().unwrap();
    assert!(
        p.a.pair_state(path.local.base, path.remote.address)
            .is_some()
    );
}

#[test]
fn a_trickled_candidate_expands_a_compact_agent() {
    let mut p = compact_pair();
    let late = Candidate::remote(
        CandidateKind::Host,
        "127.0.0.1:7000".parse().unwrap(),
        1000,
        Foundation::new("7").unwrap(),
        1,
    );
    let now = p.now;
    p.a.add_remote_candidate(now, late).unwrap();
    assert!(!p.a.is_compact());
    assert_eq!(p.a.remote_candidates().len(), 2);
    // The selected pair carries on.
    let compacted = p.run_until(Duration::from_secs(30), |p| p.a.is_compact());
    assert!(compacted, "{:?} {:?}", p.a, p.a.pairs().collect::<Vec<_>>());
    assert_eq!(p.a.state(), ConnectionState::Completed);
}
