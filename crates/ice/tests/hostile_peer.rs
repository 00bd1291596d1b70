//! What a hostile peer or an off-path attacker can do: flood remote candidates (bounded),
//! send forged checks and responses (dropped, counted, nothing changes, nothing answered).

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::{Pair, addr, agent, signal, start};
use sansrtc_ice::{Candidate, CandidateKind, Error, Foundation, Role};
use sansrtc_proto::{Protocol, Receive, SansIo};
use sansrtc_stun::IntegrityKey;
use sansrtc_stun::wire::{Attribute, Class, MessageBuilder, Method, TransactionId};

fn bogus(i: u32) -> Candidate {
    let ip = std::net::Ipv4Addr::from(0x0a00_0000 + i);
    Candidate::remote(
        CandidateKind::Host,
        SocketAddr::from((ip, 4000)),
        1000 + i,
        Foundation::new(&i.to_string()).unwrap(),
        1,
    )
}

#[test]
fn a_flood_of_remote_candidates_stays_within_the_limits() {
    let now = start();
    let mut a = agent(Role::Controlling, "127.0.0.1:5000", now, |_| {});
    let b = agent(Role::Controlled, "127.0.0.1:6000", now, |_| {});
    a.set_remote_credentials(now, b.local_credentials().clone());
    let mut refused = 0;
    for i in 0..100_000 {
        if a.add_remote_candidate(now, bogus(i)) == Err(Error::Limit("remote candidates")) {
            refused += 1;
        }
    }
    assert_eq!(a.remote_candidates().len(), 100);
    assert_eq!(refused, 100_000 - 100);
    assert!(a.pair_count() <= 100);
    // Checks are paced by Ta: a minute of them to 100 dead addresses is bounded too.
    let mut p = Pair::new(a, b, now);
    p.drop = Box::new(|_, _| true);
    p.run_until(Duration::from_secs(60), |_| false);
    assert!(p.sent.0 <= 100 * 7 + 60 * 20, "{} datagrams", p.sent.0);
}

#[test]
fn ten_thousand_candidates_with_raised_limits_cost_linear_work() {
    let now = start();
    let mut a = agent(Role::Controlling, "127.0.0.1:5000", now, |c| {
        c.max_remote_candidates = 10_000;
        c.max_pairs = 10_000;
    });
    let b = agent(Role::Controlled, "127.0.0.1:6000", now, |_| {});
    a.set_remote_credentials(now, b.local_credentials().clone());
    for i in 0..10_000 {
        a.add_remote_candidate(now, bogus(i)).unwrap();
    }
    assert_eq!(a.pair_count(), 10_000);
}

/// A check signed with a key that is not ours.
fn forged_check(to_ufrag: &str, key: &[u8], tie_breaker: u64) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut b = MessageBuilder::new(
        &mut buf,
        Class::Request,
        Method::BINDING,
        TransactionId([7; 12]),
    );
    b.add(&Attribute::Username(&format!("{to_ufrag}:evil")))
        .unwrap();
    b.add(&Attribute::Priority(0x7e00_00ff)).unwrap();
    b.add(&Attribute::IceControlling(tie_breaker)).unwrap();
    b.add(&Attribute::UseCandidate).unwrap();
    b.add_message_integrity(&IntegrityKey::new(key)).unwrap();
    b.add_fingerprint().unwrap();
    buf
}

#[test]
fn forged_checks_change_nothing_and_get_no_answer() {
    let now = start();
    let mut a = agent(Role::Controlled, "127.0.0.1:5000", now, |_| {});
    let ufrag = a.local_credentials().ufrag.clone();
    let before = (a.remote_candidates().len(), a.pair_count(), a.role());
    for (i, forged) in [
        forged_check(&ufrag, b"not the password at all!", u64::MAX),
        forged_check(
            "someone-else",
            a.local_credentials().pwd.as_bytes(),
            u64::MAX,
        ),
    ]
    .iter()
    .enumerate()
    {
        let rx = Receive {
            proto: Protocol::Udp,
            source: addr(&format!("203.0.113.9:{}", 1000 + i)),
            destination: addr("127.0.0.1:5000"),
            contents: forged,
        };
        assert_eq!(a.handle_receive(now, rx), Err(Error::Unauthenticated));
    }
    assert_eq!(
        (a.remote_candidates().len(), a.pair_count(), a.role()),
        before
    );
    assert!(
        a.poll_transmit(now, &mut Vec::new()).is_none(),
        "no answer to a forgery"
    );
    assert!(
        std::iter::from_fn(|| a.poll_event())
            .all(|e| !matches!(e, sansrtc_ice::Event::RoleChanged(_)))
    );
    assert_eq!(a.stats().unauthenticated, 2);
}

#[test]
fn forged_responses_to_our_checks_are_refused() {
    let now = start();
    let mut a = agent(Role::Controlling, "127.0.0.1:5000", now, |_| {});
    let mut b = agent(Role::Controlled, "127.0.0.1:6000", now, |_| {});
    signal(now, &mut a, &mut b);
    a.handle_timeout(now);
    let mut buf = Vec::new();
    let check = a.poll_transmit(now, &mut buf).unwrap();
    let tid = TransactionId(buf[8..20].try_into().unwrap());
    // A success response with the right transaction id, signed with a wrong key.
    let mut forged = Vec::new();
    let mut m = MessageBuilder::new(&mut forged, Class::Success, Method::BINDING, tid);
    m.add(&Attribute::XorMappedAddress(check.source)).unwrap();
    m.add_message_integrity(&IntegrityKey::new(b"guess"))
        .unwrap();
    m.add_fingerprint().unwrap();
    let rx = Receive {
        proto: Protocol::Udp,
        source: check.destination,
        destination: check.source,
        contents: &forged,
    };
    assert_eq!(a.handle_receive(now, rx), Err(Error::Unauthenticated));
    assert!(a.selected_path().is_none());
    // A genuine exchange still works afterwards.
    let mut p = Pair::new(a, b, now);
    assert!(p.run_until(Duration::from_secs(10), Pair::both_selected));
}
