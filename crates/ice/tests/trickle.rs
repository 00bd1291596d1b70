//! Trickle ICE (RFC 8838): candidates may come late and the agent waits for them; it fails
//! only once the peer has said end-of-candidates and every pair has failed.

mod common;

use std::time::Duration;

use common::{Pair, addr, agent, start};
use sansrtc_ice::{Candidate, CandidateKind, ConnectionState, Foundation, Role};
use sansrtc_proto::SansIo;

#[test]
fn candidates_trickled_two_seconds_late_still_connect() {
    let now = start();
    let mut a = agent(Role::Controlling, "127.0.0.1:5000", now, |_| {});
    let mut b = agent(Role::Controlled, "127.0.0.1:6000", now, |_| {});
    a.set_remote_credentials(now, b.local_credentials().clone());
    b.set_remote_credentials(now, a.local_credentials().clone());
    let late_for_a: Vec<Candidate> = b.local_candidates().to_vec();
    let late_for_b: Vec<Candidate> = a.local_candidates().to_vec();
    let mut p = Pair::new(a, b, now);
    assert!(!p.run_until(Duration::from_secs(2), Pair::both_selected));
    assert_eq!(
        p.a.state(),
        ConnectionState::Checking,
        "no candidates yet is not a failure"
    );
    let t = p.now;
    for c in late_for_a {
        p.a.add_remote_candidate(t, c).unwrap();
    }
    for c in late_for_b {
        p.b.add_remote_candidate(t, c).unwrap();
    }
    assert!(p.run_until(Duration::from_secs(5), Pair::both_selected));
}

/// A candidate nobody answers at.
fn dead_candidate() -> Candidate {
    Candidate::remote(
        CandidateKind::Host,
        addr("127.0.0.1:9"),
        2_130_706_431,
        Foundation::new("1").unwrap(),
        1,
    )
}

#[test]
fn end_of_candidates_with_no_working_pair_fails_instead_of_hanging() {
    let now = start();
    let mut a = agent(Role::Controlling, "127.0.0.1:5000", now, |_| {});
    let b = agent(Role::Controlled, "127.0.0.1:6000", now, |_| {});
    a.set_remote_credentials(now, b.local_credentials().clone());
    let dead = dead_candidate();
    a.add_remote_candidate(now, dead).unwrap();
    a.end_of_remote_candidates(now);
    let mut p = Pair::new(a, b, now);
    p.drop = Box::new(|_, _| true);
    assert!(p.run_until(Duration::from_secs(60), |p| p.a.state()
        == ConnectionState::Failed));
    assert!(
        p.now - now < Duration::from_secs(20),
        "failed after {:?}",
        p.now - now
    );
    assert_eq!(p.a.poll_timeout(), None, "nothing left to do");
}

#[test]
fn without_end_of_candidates_a_failed_check_list_keeps_waiting() {
    let now = start();
    let mut a = agent(Role::Controlling, "127.0.0.1:5000", now, |_| {});
    let b = agent(Role::Controlled, "127.0.0.1:6000", now, |_| {});
    a.set_remote_credentials(now, b.local_credentials().clone());
    let dead = dead_candidate();
    a.add_remote_candidate(now, dead).unwrap();
    let mut p = Pair::new(a, b, now);
    p.drop = Box::new(|_, _| true);
    p.run_until(Duration::from_secs(60), |_| false);
    assert_eq!(p.a.state(), ConnectionState::Checking);
}

#[test]
fn an_mdns_candidate_is_handed_to_the_caller_and_connects_once_resolved() {
    let now = start();
    let mut a = agent(Role::Controlling, "127.0.0.1:5000", now, |_| {});
    let mut b = agent(Role::Controlled, "127.0.0.1:6000", now, |_| {});
    a.set_remote_credentials(now, b.local_credentials().clone());
    b.set_remote_credentials(now, a.local_credentials().clone());
    for c in a.signaled_candidates().collect::<Vec<_>>() {
        b.add_remote_candidate(now, c).unwrap();
    }
    // b's host candidate arrives as `<uuid>.local`, as browsers send it.
    let real = b.signaled_candidates().next().unwrap();
    let name = "1f4712db-ea17-4bcf-a596-105139dfd8bf.local";
    a.add_remote_mdns_candidate(
        now,
        name,
        real.address.port(),
        real.kind,
        real.priority,
        real.foundation,
    )
    .unwrap();
    let asked: Vec<_> = std::iter::from_fn(|| a.poll_event())
        .filter(|e| matches!(e, sansrtc_ice::Event::ResolveMdns(_)))
        .collect();
    assert_eq!(asked, [sansrtc_ice::Event::ResolveMdns(name.to_owned())]);
    assert!(
        a.remote_candidates().is_empty(),
        "nothing paired before it resolves"
    );
    a.resolved_mdns(now, name, real.address.ip()).unwrap();
    assert_eq!(a.remote_candidates()[0].address, real.address);
    let mut p = Pair::new(a, b, now);
    assert!(p.run_until(Duration::from_secs(5), Pair::both_selected));
}
