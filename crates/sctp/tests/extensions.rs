//! The association's extensions between two of our own ends: stream reset (RFC 6525), I-DATA
//! interleaving (RFC 8260), zero checksums (RFC 9653), heartbeats (RFC 9260 §8.3) and peer
//! restarts (RFC 9260 §5.2.4).

use std::time::Duration;

use sansrtc_proto::SansIo;
use sansrtc_sctp::association::{AbortReason, Association, Config, Error, Event, State};
use sansrtc_sctp::wire::{
    ChecksumMode, ChunkRepr, CommonHeader, HeartbeatRepr, Packet, PacketBuilder, chunk_type,
};

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

/// The chunk types of a datagram.
fn chunk_types(datagram: &[u8]) -> Vec<u8> {
    let packet = Packet::new_checked(datagram).unwrap();
    packet.chunks().map(|c| c.unwrap().chunk_type()).collect()
}

fn sent_chunk_types(p: &Pair, from_a: bool) -> Vec<u8> {
    p.packets
        .iter()
        .filter(|(a, _)| *a == from_a)
        .flat_map(|(_, d)| chunk_types(d))
        .collect()
}

fn no_interleaving() -> Config {
    Config {
        interleaving: false,
        ..Config::default()
    }
}

#[test]
fn a_reset_stream_delivers_its_queued_data_first_then_starts_again_at_zero() {
    for (a, b) in [
        (Config::default(), Config::default()),
        (no_interleaving(), Config::default()),
    ] {
        let mut p = Pair::with(40, a, b);
        p.connect();
        for n in 0..3u8 {
            p.a.send(1, 51, false, vec![n; 3000]).unwrap();
        }
        p.a.send(2, 51, false, b"other stream".to_vec()).unwrap();
        let now = p.now;
        p.a.reset_streams(now, &[1]).unwrap();
        assert_eq!(
            p.a.send(1, 51, false, b"too early".to_vec()),
            Err(Error::StreamResetting)
        );
        assert!(p.run(Duration::from_secs(10), |p| {
            p.events_a.contains(&Event::OutgoingStreamsReset(vec![1]))
        }));
        assert!(p.events_b.contains(&Event::IncomingStreamsReset(vec![1])));
        let got = messages(&p.events_b);
        let on_1: Vec<_> = got.iter().filter(|(s, _)| *s == 1).collect();
        assert_eq!(on_1.len(), 3, "everything queued before the reset arrives");
        for (n, (_, data)) in on_1.iter().enumerate() {
            assert_eq!(data, &vec![n as u8; 3000]);
        }
        // The message queued before the reset comes before the reset's event.
        let reset_at = p
            .events_b
            .iter()
            .position(|e| matches!(e, Event::IncomingStreamsReset(_)))
            .unwrap();
        let last_message_at = p
            .events_b
            .iter()
            .rposition(|e| matches!(e, Event::Message(m) if m.stream == 1))
            .unwrap();
        assert!(last_message_at < reset_at);
        // The stream is usable again and its sequence numbers start over on both sides.
        p.a.send(1, 51, false, b"after reset".to_vec()).unwrap();
        p.a.send(1, 51, false, b"and again".to_vec()).unwrap();
        let before = messages(&p.events_b).len();
        assert!(
            p.run(Duration::from_secs(10), |p| messages(&p.events_b).len()
                == before + 2)
        );
        let got = messages(&p.events_b);
        assert_eq!(got[before].1, b"after reset");
        assert_eq!(got[before + 1].1, b"and again");
    }
}

#[test]
fn a_reset_waits_for_the_data_sent_before_it_when_that_data_was_lost() {
    let mut p = Pair::new(41);
    p.connect();
    let first = p.sent;
    // The first data packet from a is lost: b sees the reset request before that data.
    p.drop = Box::new(move |n| n == first + 1);
    p.a.send(3, 51, false, b"lost once".to_vec()).unwrap();
    let now = p.now;
    p.a.reset_streams(now, &[3]).unwrap();
    assert!(p.run(Duration::from_secs(30), |p| {
        p.events_a.contains(&Event::OutgoingStreamsReset(vec![3]))
    }));
    let got = messages(&p.events_b);
    assert_eq!(got, vec![(3, b"lost once".to_vec())]);
    let reset_at = p
        .events_b
        .iter()
        .position(|e| *e == Event::IncomingStreamsReset(vec![3]))
        .unwrap();
    let message_at = p
        .events_b
        .iter()
        .position(|e| matches!(e, Event::Message(_)))
        .unwrap();
    assert!(message_at < reset_at, "the stream resets after its data");
}

#[test]
fn both_sides_resetting_the_same_stream_closes_it_both_ways() {
    // How data channels close (RFC 8831 §6.7): each side resets its outgoing stream.
    let mut p = Pair::new(42);
    p.connect();
    let now = p.now;
    p.a.reset_streams(now, &[7]).unwrap();
    p.b.reset_streams(now, &[7]).unwrap();
    assert!(p.run(Duration::from_secs(10), |p| {
        p.events_a.contains(&Event::OutgoingStreamsReset(vec![7]))
            && p.events_b.contains(&Event::OutgoingStreamsReset(vec![7]))
    }));
    assert!(p.events_a.contains(&Event::IncomingStreamsReset(vec![7])));
    assert!(p.events_b.contains(&Event::IncomingStreamsReset(vec![7])));
}

#[test]
fn resets_of_many_streams_are_batched_one_request_at_a_time() {
    let mut p = Pair::new(43);
    p.connect();
    let now = p.now;
    for stream in 0..1000u16 {
        p.a.send(stream, 51, false, vec![1; 10]).unwrap();
        p.a.reset_streams(now, &[stream]).unwrap();
    }
    assert!(p.run(Duration::from_secs(60), |p| {
        p.events_a
            .iter()
            .filter_map(|e| match e {
                Event::OutgoingStreamsReset(s) => Some(s.len()),
                _ => None,
            })
            .sum::<usize>()
            == 1000
    }));
    let incoming: usize = p
        .events_b
        .iter()
        .filter_map(|e| match e {
            Event::IncomingStreamsReset(s) => Some(s.len()),
            _ => None,
        })
        .sum();
    assert_eq!(incoming, 1000);
    assert_eq!(messages(&p.events_b).len(), 1000);
}

#[test]
fn i_data_is_used_only_when_both_sides_offer_it() {
    for (b, expect_idata) in [(Config::default(), true), (no_interleaving(), false)] {
        let mut p = Pair::with(44, Config::default(), b);
        p.record = true;
        p.connect();
        p.a.send(0, 51, false, vec![5; 4000]).unwrap();
        p.b.send(0, 51, true, vec![6; 4000]).unwrap();
        assert!(p.run(Duration::from_secs(10), |p| {
            messages(&p.events_a).len() == 1 && messages(&p.events_b).len() == 1
        }));
        for from_a in [true, false] {
            let types = sent_chunk_types(&p, from_a);
            assert_eq!(types.contains(&chunk_type::I_DATA), expect_idata);
            assert_eq!(types.contains(&chunk_type::DATA), !expect_idata);
        }
    }
}

#[test]
fn with_i_data_a_small_message_overtakes_a_large_one_on_another_stream() {
    for (b, overtakes) in [(Config::default(), true), (no_interleaving(), false)] {
        let mut p = Pair::with(45, Config::default(), b);
        p.connect();
        p.a.send(1, 53, false, vec![1; 200_000]).unwrap();
        p.a.send(2, 51, false, b"small".to_vec()).unwrap();
        assert!(
            p.run(Duration::from_secs(30), |p| messages(&p.events_b).len()
                == 2)
        );
        let order: Vec<u16> = messages(&p.events_b).iter().map(|(s, _)| *s).collect();
        assert_eq!(order == [2, 1], overtakes, "{order:?}");
    }
}

#[test]
fn zero_checksums_go_only_to_a_peer_that_accepts_them() {
    let no_zero = Config {
        zero_checksum: false,
        ..Config::default()
    };
    for (a, b) in [
        (Config::default(), Config::default()),
        (no_zero.clone(), no_zero.clone()),
        (no_zero, Config::default()),
    ] {
        let (a_accepts, b_accepts) = (a.zero_checksum, b.zero_checksum);
        let mut p = Pair::with(46, a, b);
        p.record = true;
        p.connect();
        p.a.send(0, 51, false, vec![1; 100]).unwrap();
        p.b.send(0, 51, false, vec![2; 100]).unwrap();
        assert!(p.run(Duration::from_secs(5), |p| {
            messages(&p.events_a).len() == 1 && messages(&p.events_b).len() == 1
        }));
        for (from_a, datagram) in &p.packets {
            let zero = datagram[8..12] == [0; 4];
            let receiver_accepts = if *from_a { b_accepts } else { a_accepts };
            if chunk_types(datagram).contains(&chunk_type::INIT) {
                assert!(!zero, "an INIT always has a CRC32c");
            }
            if zero {
                assert!(
                    receiver_accepts,
                    "zero checksum to a peer that did not accept it"
                );
            } else {
                let packet = Packet::new_checked(&datagram[..]).unwrap();
                assert!(packet.verify_checksum(false).is_ok());
            }
        }
        let zeros_from = |side: bool| {
            p.packets
                .iter()
                .filter(|(from_a, d)| *from_a == side && d[8..12] == [0; 4])
                .count()
        };
        assert_eq!(zeros_from(true) > 0, b_accepts);
        assert_eq!(zeros_from(false) > 0, a_accepts);
    }
}

#[test]
fn an_idle_association_exchanges_heartbeats_and_stays_up() {
    let mut p = Pair::new(47);
    p.record = true;
    p.connect();
    let t0 = p.now;
    assert!(!p.run(Duration::from_secs(100), |_| false));
    assert!(p.now >= t0 + Duration::from_secs(90));
    assert!(p.a.is_established() && p.b.is_established());
    let heartbeats = sent_chunk_types(&p, true)
        .iter()
        .filter(|&&t| t == chunk_type::HEARTBEAT)
        .count();
    let acks = sent_chunk_types(&p, false)
        .iter()
        .filter(|&&t| t == chunk_type::HEARTBEAT_ACK)
        .count();
    // One per 30 s of silence, not more.
    assert!((2..=4).contains(&heartbeats), "{heartbeats} heartbeats");
    assert_eq!(acks, heartbeats);
}

#[test]
fn a_peer_that_never_answers_heartbeats_is_given_up() {
    let mut p = Pair::new(48);
    p.connect();
    p.drop = Box::new(|_| true);
    assert!(p.run(Duration::from_secs(3600), |p| {
        p.events_a
            .contains(&Event::Aborted(AbortReason::PeerUnreachable))
    }));
}

#[test]
fn a_forged_heartbeat_ack_does_not_keep_a_dead_peer_alive() {
    let mut p = Pair::new(49);
    p.record = true;
    p.connect();
    // The tag b's packets carry is the one a accepts.
    let a_tag = p
        .packets
        .iter()
        .rev()
        .find(|(from_a, _)| !from_a)
        .map(|(_, d)| Packet::new_checked(&d[..]).unwrap().verification_tag())
        .unwrap();
    // b is gone; an attacker answers a's heartbeats with the nonce one bit off.
    let mut buf = Vec::new();
    let deadline = p.now + Duration::from_secs(3600);
    let mut forged_sent = 0;
    while p.a.state() != State::Ended && p.now < deadline {
        let Some(next) = p.a.poll_timeout() else {
            break;
        };
        p.now = next;
        p.a.handle_timeout(next);
        while let Some(t) = p.a.poll_transmit(p.now, &mut buf) {
            let packet = Packet::new_checked(&buf[..t.size]).unwrap();
            let mut infos = Vec::new();
            for chunk in packet.chunks() {
                if let Ok(ChunkRepr::Heartbeat(hb)) = ChunkRepr::parse(&chunk.unwrap()) {
                    infos.push(hb.info.to_vec());
                }
            }
            for mut info in infos {
                info[0] ^= 1;
                let forged = heartbeat_ack(a_tag, &info);
                p.a.handle_receive(p.now, rx(&forged)).unwrap();
                forged_sent += 1;
            }
        }
    }
    assert!(forged_sent > 0);
    assert_eq!(p.a.state(), State::Ended);
    assert!(
        std::iter::from_fn(|| p.a.poll_event())
            .any(|e| e == Event::Aborted(AbortReason::PeerUnreachable))
    );
}

/// A well-formed HEARTBEAT ACK carrying `info`, under verification tag `tag`.
fn heartbeat_ack(tag: u32, info: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let header = CommonHeader {
        source_port: 5000,
        destination_port: 5000,
        verification_tag: tag,
    };
    let mut builder = PacketBuilder::new(&mut out, header, 1200).unwrap();
    builder
        .push(&ChunkRepr::HeartbeatAck(HeartbeatRepr { info }))
        .unwrap();
    builder.finish(ChecksumMode::Crc32c);
    out
}

#[test]
fn a_peer_restart_starts_both_sides_afresh() {
    let mut p = Pair::new(50);
    p.connect();
    p.a.send(1, 51, false, b"before".to_vec()).unwrap();
    assert!(p.run(Duration::from_secs(5), |p| messages(&p.events_b).len() == 1));
    // b loses its state; a new association at the same place connects to a.
    let config = Config {
        rng_seed: Some(sansrtc_proto::rng::seed_from_u64(5050)),
        ..Config::default()
    };
    p.b = Association::new(config, p.now);
    p.events_b.clear();
    let now = p.now;
    p.b.connect(now);
    assert!(p.run(Duration::from_secs(10), |p| p.b.is_established()
        && p.events_a.contains(&Event::Restarted)));
    assert!(p.a.is_established());
    // Both sides start from sequence number 0 and new TSNs.
    p.a.send(1, 51, false, b"after a".to_vec()).unwrap();
    p.b.send(1, 51, false, b"after b".to_vec()).unwrap();
    assert!(p.run(Duration::from_secs(5), |p| {
        messages(&p.events_b).len() == 1 && messages(&p.events_a).len() == 1
    }));
    assert_eq!(messages(&p.events_b), vec![(1, b"after a".to_vec())]);
    assert_eq!(messages(&p.events_a), vec![(1, b"after b".to_vec())]);
}

#[test]
fn a_replayed_cookie_echo_neither_restarts_nor_resets_anything() {
    let mut p = Pair::new(51);
    p.record = true;
    p.connect();
    // a's original COOKIE ECHO (a connected: it echoed b's cookie), replayed to b later.
    let echo = p
        .packets
        .iter()
        .find(|(from_a, d)| *from_a && chunk_types(d).contains(&chunk_type::COOKIE_ECHO))
        .map(|(_, d)| d.clone())
        .unwrap();
    p.a.send(1, 51, false, b"one".to_vec()).unwrap();
    assert!(p.run(Duration::from_secs(5), |p| messages(&p.events_b).len() == 1));
    p.events_b.clear();
    for _ in 0..10 {
        let _ = p.b.handle_receive(p.now, rx(&echo));
    }
    let events: Vec<Event> = std::iter::from_fn(|| p.b.poll_event()).collect();
    assert!(!events.contains(&Event::Restarted));
    assert!(!events.contains(&Event::Connected));
    // The association goes on where it was: the next message on the stream is delivered.
    p.a.send(1, 51, false, b"two".to_vec()).unwrap();
    assert!(p.run(Duration::from_secs(5), |p| messages(&p.events_b).len() == 1));
    assert_eq!(messages(&p.events_b), vec![(1, b"two".to_vec())]);
}
