//! Two associations back to back in memory: the handshake, messages of every size both ways on
//! ordered and unordered streams, graceful shutdown, abort, and forged packets.

use std::time::Duration;

use sansrtc_proto::SansIo;
use sansrtc_sctp::association::{AbortReason, Config, Event, PartialReliability, State};
use sansrtc_sctp::wire::Packet;

mod common;

use common::{Pair, rx};

fn messages(events: &[Event]) -> Vec<(u16, Vec<u8>)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Message(m) => Some((m.stream, m.data.clone())),
            _ => None,
        })
        .collect()
}

fn payload(n: usize, len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + n * 13) as u8).collect()
}

#[test]
fn the_four_way_handshake_connects_both_sides() {
    let mut p = Pair::new(1);
    p.connect();
    assert_eq!(p.a.state(), State::Established);
}

#[test]
fn both_sides_connecting_at_once_still_connect() {
    let mut p = Pair::new(2);
    let now = p.now;
    p.a.connect(now);
    p.b.connect(now);
    assert!(p.run(Duration::from_secs(10), |p| p.a.is_established()
        && p.b.is_established()));
    let connected = |e: &[Event]| e.iter().filter(|e| **e == Event::Connected).count();
    assert_eq!((connected(&p.events_a), connected(&p.events_b)), (1, 1));
}

#[test]
fn messages_of_every_size_arrive_whole_and_in_order_both_ways() {
    let mut p = Pair::new(3);
    p.connect();
    let sizes = [0usize, 1, 3, 1000, 1183, 1184, 1185, 5000, 65_536, 262_144];
    for (n, &len) in sizes.iter().enumerate() {
        p.a.send(1, 53, false, payload(n, len)).unwrap();
        p.b.send(2, 53, false, payload(n, len)).unwrap();
    }
    assert!(
        p.run(Duration::from_secs(30), |p| messages(&p.events_b).len()
            == sizes.len()
            && messages(&p.events_a).len() == sizes.len())
    );
    let expected: Vec<Vec<u8>> = sizes
        .iter()
        .enumerate()
        .map(|(n, &len)| payload(n, len))
        .collect();
    assert_eq!(
        messages(&p.events_b)
            .into_iter()
            .map(|m| m.1)
            .collect::<Vec<_>>(),
        expected
    );
    assert_eq!(
        messages(&p.events_a)
            .into_iter()
            .map(|m| m.1)
            .collect::<Vec<_>>(),
        expected
    );
}

#[test]
fn a_lossy_path_loses_nothing_on_ordered_streams() {
    for seed in 0..20u64 {
        let mut p = Pair::new(10 + seed);
        p.connect();
        let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        p.drop = Box::new(move |_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % 10 == 0
        });
        let count = 200;
        for n in 0..count {
            p.a.send((n % 3) as u16, 53, false, payload(n, 1 + (n * 997) % 4000))
                .unwrap();
        }
        assert!(
            p.run(Duration::from_secs(3600), |p| messages(&p.events_b).len()
                == count),
            "seed {seed}: {} of {count}, {:?}",
            messages(&p.events_b).len(),
            p.a
        );
        for stream in 0..3u16 {
            let got: Vec<Vec<u8>> = messages(&p.events_b)
                .into_iter()
                .filter(|m| m.0 == stream)
                .map(|m| m.1)
                .collect();
            let sent: Vec<Vec<u8>> = (0..count)
                .filter(|n| n % 3 == usize::from(stream))
                .map(|n| payload(n, 1 + (n * 997) % 4000))
                .collect();
            assert_eq!(got, sent, "seed {seed} stream {stream}");
        }
    }
}

#[test]
fn graceful_shutdown_delivers_everything_then_closes_both_sides() {
    let mut p = Pair::new(4);
    p.connect();
    for n in 0..10 {
        p.a.send(0, 51, false, payload(n, 3000)).unwrap();
    }
    let now = p.now;
    p.a.shutdown(now);
    assert!(p.run(
        Duration::from_secs(30),
        |p| p.events_a.contains(&Event::Closed) && p.events_b.contains(&Event::Closed)
    ));
    assert_eq!(messages(&p.events_b).len(), 10);
    assert_eq!(p.a.state(), State::Ended);
}

#[test]
fn abort_ends_both_sides_at_once() {
    let mut p = Pair::new(5);
    p.connect();
    let now = p.now;
    p.a.abort(now);
    assert!(p.run(Duration::from_secs(1), |p| {
        p.events_b.contains(&Event::Aborted(AbortReason::ByPeer))
    }));
    assert!(p.events_a.contains(&Event::Aborted(AbortReason::ByUser)));
}

#[test]
fn forged_packets_with_the_wrong_tag_or_checksum_change_nothing() {
    // b does not accept zero checksums, so a's packets carry a CRC32c.
    let no_zero = Config {
        zero_checksum: false,
        ..Config::default()
    };
    let mut p = Pair::with(6, Config::default(), no_zero);
    p.record = true;
    p.connect();
    // Zero checksums go one way only (RFC 9653 §5.2): from b, to a that accepts them.
    for (from_a, packet) in &p.packets {
        let zero = packet[8..12] == [0; 4];
        let packet = Packet::new_checked(&packet[..]).unwrap();
        if *from_a {
            assert!(packet.verify_checksum(false).is_ok());
        } else {
            assert!(zero || packet.verify_checksum(false).is_ok());
        }
    }
    assert!(
        p.packets
            .iter()
            .any(|(from_a, d)| !from_a && d[8..12] == [0; 4])
    );
    // A real packet of a, then tampered copies.
    p.a.send(0, 51, false, b"real".to_vec()).unwrap();
    let mut buf = Vec::new();
    let t = p.a.poll_transmit(p.now, &mut buf).unwrap();
    let real = buf[..t.size].to_vec();
    let mut wrong_tag = real.clone();
    wrong_tag[4] ^= 1;
    let mut wrong_sum = real.clone();
    wrong_sum[20] ^= 1;
    for forged in [&wrong_tag, &wrong_sum] {
        assert!(p.b.handle_receive(p.now, rx(forged)).is_err());
    }
    assert_eq!(p.b.refused_packets(), 2);
    assert!(p.b.poll_event().is_none());
    p.b.handle_receive(p.now, rx(&real)).unwrap();
    assert!(matches!(p.b.poll_event(), Some(Event::Message(m)) if m.data == b"real"));
}

#[test]
fn an_unanswered_init_gives_up() {
    let mut p = Pair::new(7);
    p.drop = Box::new(|_| true);
    let now = p.now;
    p.a.connect(now);
    assert!(p.run(Duration::from_secs(3600), |p| {
        p.events_a
            .contains(&Event::Aborted(AbortReason::HandshakeTimeout))
    }));
}

/// Partial reliability (RFC 3758): messages limited to zero retransmissions are abandoned when
/// lost and the peer is told with FORWARD TSN; reliable messages on other streams all arrive, in
/// order, and nothing stays stuck in flight.
#[test]
fn abandoned_messages_are_skipped_and_reliable_ones_still_arrive() {
    for seed in 0..10u64 {
        let mut p = Pair::new(100 + seed);
        p.connect();
        let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        p.drop = Box::new(move |_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % 5 == 0
        });
        let now = p.now;
        for n in 0..100 {
            p.a.send(0, 53, false, payload(n, 500)).unwrap();
            let unordered = n % 2 == 0;
            p.a.send_with(
                now,
                5,
                53,
                unordered,
                payload(n, 2500),
                PartialReliability::MaxRetransmits(0),
            )
            .unwrap();
        }
        assert!(
            p.run(Duration::from_secs(3600), |p| messages(&p.events_b)
                .iter()
                .filter(|m| m.0 == 0)
                .count()
                == 100),
            "seed {seed}: {:?} {:?}",
            p.a,
            p.b
        );
        let reliable: Vec<Vec<u8>> = messages(&p.events_b)
            .into_iter()
            .filter(|m| m.0 == 0)
            .map(|m| m.1)
            .collect();
        assert_eq!(
            reliable,
            (0..100).map(|n| payload(n, 500)).collect::<Vec<_>>()
        );
        let partial: Vec<Vec<u8>> = messages(&p.events_b)
            .into_iter()
            .filter(|m| m.0 == 5)
            .map(|m| m.1)
            .collect();
        let sent: Vec<Vec<u8>> = (0..100).map(|n| payload(n, 2500)).collect();
        assert!(
            partial.iter().all(|m| sent.contains(m)),
            "only whole messages that were sent"
        );
        assert!(
            partial.len() < 100,
            "seed {seed}: at 20% loss some were abandoned"
        );
        // Nothing stays in flight: the sender drains.
        assert!(
            p.run(Duration::from_secs(600), |p| p.a.unacknowledged_chunks()
                == 0),
            "{:?}",
            p.a
        );
    }
}

#[test]
fn messages_past_their_lifetime_are_abandoned_while_the_peer_is_away() {
    let mut p = Pair::new(200);
    p.connect();
    p.drop = Box::new(|_| true);
    let now = p.now;
    for n in 0..5 {
        p.a.send_with(
            now,
            1,
            53,
            false,
            payload(n, 100),
            PartialReliability::Lifetime(Duration::from_millis(300)),
        )
        .unwrap();
    }
    p.run(Duration::from_secs(3), |_| false);
    p.drop = Box::new(|_| false);
    p.a.send(1, 53, false, b"after".to_vec()).unwrap();
    assert!(p.run(Duration::from_secs(60), |p| {
        messages(&p.events_b).iter().any(|m| m.1 == b"after")
    }));
    assert!(
        messages(&p.events_b).iter().all(|m| m.1 == b"after"),
        "the expired ones were not delivered"
    );
}
