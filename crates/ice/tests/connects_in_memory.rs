//! Two full agents on one host connect, carry data both ways, and keep STUN and data apart.

mod common;

use std::time::Duration;

use common::{Pair, addr, agent, connected_pair, signal, start};
use sansrtc_ice::{ConnectionState, Error, Event, Incoming, Role};
use sansrtc_proto::{Protocol, Receive};
use sansrtc_stun::wire::Message;

#[test]
fn two_agents_select_the_same_pair_and_complete() {
    let now = start();
    let mut a = agent(Role::Controlling, "127.0.0.1:5000", now, |_| {});
    let mut b = agent(Role::Controlled, "127.0.0.1:6000", now, |_| {});
    signal(now, &mut a, &mut b);
    let mut p = Pair::new(a, b, now);
    assert!(p.run_until(Duration::from_secs(5), Pair::both_selected));
    let (pa, pb) = (p.a.selected_path().unwrap(), p.b.selected_path().unwrap());
    assert_eq!(pa.local.base, pb.remote.address);
    assert_eq!(pb.local.base, pa.remote.address);
    assert!(
        p.now - now < Duration::from_millis(200),
        "took {:?}",
        p.now - now
    );
    for events in [&p.events_a, &p.events_b] {
        assert!(events.contains(&Event::GatheringComplete));
        assert!(events.contains(&Event::ConnectionState(ConnectionState::Checking)));
        assert!(events.contains(&Event::ConnectionState(ConnectionState::Completed)));
        assert_eq!(
            events
                .iter()
                .filter(|e| matches!(e, Event::SelectedPair { .. }))
                .count(),
            1
        );
    }
}

#[test]
fn data_goes_out_on_the_selected_pair_and_comes_back_borrowed() {
    let mut p = connected_pair();
    let mut buf = Vec::new();
    let t = p.a.write_data(b"hello", &mut buf).unwrap();
    assert_eq!(
        (t.source, t.destination),
        (addr("127.0.0.1:5000"), addr("127.0.0.1:6000"))
    );
    let rx = Receive {
        proto: Protocol::Udp,
        source: t.source,
        destination: t.destination,
        contents: &buf[..t.size],
    };
    assert_eq!(
        p.b.handle_datagram(p.now, rx),
        Ok(Incoming::Data(&b"hello"[..]))
    );
    // Data from an address no pair knows is handed back, not swallowed.
    let stranger = Receive {
        proto: Protocol::Udp,
        source: addr("127.0.0.1:7777"),
        destination: t.destination,
        contents: b"\x80hi",
    };
    assert_eq!(p.b.handle_datagram(p.now, stranger), Err(Error::NotIce));
}

#[test]
fn data_before_any_pair_is_valid_is_refused() {
    let now = start();
    let mut a = agent(Role::Controlling, "127.0.0.1:5000", now, |_| {});
    assert_eq!(a.data_path(), None);
    assert_eq!(
        a.write_data(b"x", &mut Vec::new()).unwrap_err(),
        Error::ApiMisuse("no valid pair")
    );
}

/// RFC 8445 §12.1: an agent may send data on a valid pair before one is selected. The
/// controlled agent's own check succeeded, but every nomination is lost: it has no selected
/// pair, and still sends on its valid pair, which the controlling agent accepts.
#[test]
fn the_controlled_agent_sends_on_a_valid_pair_before_nomination() {
    let now = start();
    let mut a = agent(Role::Controlling, "127.0.0.1:5000", now, |_| {});
    let mut b = agent(Role::Controlled, "127.0.0.1:6000", now, |_| {});
    signal(now, &mut a, &mut b);
    let mut p = Pair::new(a, b, now);
    p.drop = Box::new(|from_a, bytes| {
        from_a
            && Message::parse(bytes)
                .is_ok_and(|m| m.raw(sansrtc_stun::wire::attr::USE_CANDIDATE).is_some())
    });
    assert!(p.run_until(Duration::from_millis(500), |p| p.b.data_path().is_some()));
    assert_eq!(p.b.selected_path(), None, "the nomination was lost");
    let path = p.b.data_path().unwrap();
    let mut buf = Vec::new();
    let t = p.b.write_data(b"early", &mut buf).unwrap();
    assert_eq!(
        (t.source, t.destination),
        (path.local.base, path.remote.address)
    );
    let rx = Receive {
        proto: Protocol::Udp,
        source: t.source,
        destination: t.destination,
        contents: &buf[..t.size],
    };
    assert_eq!(
        p.a.handle_datagram(p.now, rx),
        Ok(Incoming::Data(&b"early"[..]))
    );
}

#[test]
fn checks_do_not_start_before_the_remote_credentials_are_known() {
    let now = start();
    let mut a = agent(Role::Controlling, "127.0.0.1:5000", now, |_| {});
    let b = agent(Role::Controlled, "127.0.0.1:6000", now, |_| {});
    for c in b.local_candidates().to_vec() {
        a.add_remote_candidate(now, c).unwrap();
    }
    let mut p = Pair::new(a, b, now);
    p.run_until(Duration::from_secs(2), |_| false);
    assert_eq!(p.sent.0, 0, "nothing sent without credentials");
}
