//! Floods against the TURN server: unauthenticated requests, forged credentials, bogus
//! ChannelData and Send indications, strangers at relay addresses, quota storms, TCP
//! connection storms. Nothing unauthenticated creates state and every table stays under its
//! cap.

mod turn_server_common;

use sansrtc_proto::{Protocol, Receive, SansIo};
use sansrtc_stun::IntegrityKey;
use sansrtc_stun::turn_server::{Limits, TurnServer, TurnServerEvent};
use sansrtc_stun::wire::{
    Attribute, ChannelNumber, Class, Message, MessageBuilder, Method, TransactionId,
    write_channel_data,
};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;
use turn_server_common::*;

fn source(i: u32) -> SocketAddr {
    SocketAddr::new(
        IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + i)),
        1024 + (i % 60_000) as u16,
    )
}

fn allocate_request(id: u32, signed: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let mut tid = [0u8; 12];
    tid[..4].copy_from_slice(&id.to_be_bytes());
    let mut b = MessageBuilder::new(
        &mut out,
        Class::Request,
        Method::ALLOCATE,
        TransactionId(tid),
    );
    b.add(&Attribute::RequestedTransport(17)).unwrap();
    if signed {
        b.add(&Attribute::Username(USER)).unwrap();
        b.add(&Attribute::Realm(REALM)).unwrap();
        b.add(&Attribute::Nonce("obMatJos2AAAAforged")).unwrap();
        b.add_message_integrity(&IntegrityKey::new(b"guess"))
            .unwrap();
    }
    b.add_fingerprint().unwrap();
    b.finish();
    out
}

fn drain(server: &mut TurnServer, w_now: std::time::Instant) -> usize {
    let mut buf = Vec::new();
    let mut n = 0;
    while let Some(t) = server.poll_transmit(w_now, &mut buf) {
        let m = Message::parse(&buf[..t.size]).unwrap();
        assert_eq!(m.class(), Class::Error);
        n += 1;
    }
    while server.poll_event().is_some() {}
    n
}

#[test]
fn unauthenticated_and_forged_allocates_create_no_state() {
    let mut w = World::new(server_config());
    let listen = sa(LISTEN);
    for i in 0..5000u32 {
        for signed in [false, true] {
            let bytes = allocate_request(i, signed);
            w.server
                .handle_receive(
                    w.now,
                    Receive {
                        proto: Protocol::Udp,
                        source: source(i),
                        destination: listen,
                        contents: &bytes,
                    },
                )
                .unwrap();
        }
        if i % 100 == 99 {
            assert_eq!(drain(&mut w.server, w.now), 200, "a 401 each");
        }
    }
    let stats = w.server.stats();
    assert_eq!(stats.unauthenticated, 10_000);
    assert_eq!(
        (
            stats.allocations,
            stats.cached_responses,
            stats.timers,
            stats.tcp_connections
        ),
        (0, 0, 0, 0)
    );
    assert_eq!(w.server.poll_timeout(), None);
}

#[test]
fn an_undrained_flood_is_capped_at_the_queue_limit() {
    let mut config = server_config();
    config.limits.max_queued_transmits = 64;
    let mut w = World::new(config);
    let mut refused = 0;
    for i in 0..1000u32 {
        let bytes = allocate_request(i, false);
        let r = w.server.handle_receive(
            w.now,
            Receive {
                proto: Protocol::Udp,
                source: source(i),
                destination: sa(LISTEN),
                contents: &bytes,
            },
        );
        refused += u32::from(r.is_err());
    }
    let stats = w.server.stats();
    assert_eq!(stats.queued_transmits, 64);
    assert_eq!(refused, 1000 - 64);
    assert_eq!(stats.dropped_queue_full, 1000 - 64);
}

#[test]
fn bogus_channel_data_send_and_strangers_are_dropped() {
    let mut w = World::new(server_config());
    // No allocation at all: ChannelData and Send from anyone are refused.
    let mut frame = Vec::new();
    write_channel_data(&mut frame, ChannelNumber::MIN, b"junk", false).unwrap();
    let mut send = Vec::new();
    let mut b = MessageBuilder::new(
        &mut send,
        Class::Indication,
        Method::SEND,
        TransactionId([1; 12]),
    );
    b.add(&Attribute::XorPeerAddress(sa(PEER))).unwrap();
    b.add(&Attribute::Data(b"junk")).unwrap();
    b.finish();
    for i in 0..2000 {
        assert!(w.send_to_server(source(i), sa(LISTEN), &frame).is_err());
        assert!(w.send_to_server(source(i), sa(LISTEN), &send).is_err());
    }
    // With an allocation but no permission or channel: dropped and counted.
    let mut raw = RawClient::new(&mut w, sa(CLIENT), PASSWORD);
    assert_eq!(
        raw.request(
            &mut w,
            Method::ALLOCATE,
            &[Attribute::RequestedTransport(17)]
        ),
        None
    );
    for _ in 0..1000 {
        assert!(w.send_to_server(sa(CLIENT), sa(LISTEN), &frame).is_err());
        assert!(w.send_to_server(sa(CLIENT), sa(LISTEN), &send).is_err());
    }
    for i in 0..5000 {
        assert!(
            w.send_to_server(source(i), sa(RELAY), b"knock knock")
                .is_err()
        );
    }
    let stats = w.server.stats();
    assert_eq!(stats.dropped_unbound_channel, 1000);
    assert_eq!(stats.dropped_no_permission, 1000 + 5000);
    assert_eq!((stats.relayed_to_peers, stats.relayed_to_clients), (0, 0));
    assert_eq!(
        (stats.allocations, stats.permissions, stats.channels),
        (1, 0, 0)
    );
    assert!(w.peers.is_empty());
}

#[test]
fn permission_and_channel_caps_hold() {
    let mut config = server_config();
    config.limits.max_permissions_per_allocation = 8;
    config.limits.max_channels_per_allocation = 4;
    assert_eq!(Limits::default().max_channels_per_allocation, 32);
    let mut w = World::new(config);
    let mut raw = RawClient::new(&mut w, sa(CLIENT), PASSWORD);
    assert_eq!(
        raw.request(
            &mut w,
            Method::ALLOCATE,
            &[Attribute::RequestedTransport(17)]
        ),
        None
    );
    let mut codes = Vec::new();
    for i in 0..20u32 {
        let peer = SocketAddr::new(IpAddr::V4(Ipv4Addr::from(0xc633_6400 + i)), 9);
        codes.push(raw.request(
            &mut w,
            Method::CREATE_PERMISSION,
            &[Attribute::XorPeerAddress(peer)],
        ));
    }
    assert_eq!(codes.iter().filter(|c| c.is_none()).count(), 8);
    assert!(codes[8..].iter().all(|c| *c == Some(508)));
    assert_eq!(w.server.stats().permissions, 8);
    let mut codes = Vec::new();
    for i in 0..10u32 {
        let peer = SocketAddr::new(IpAddr::V4(Ipv4Addr::from(0xc633_6400 + i)), 9);
        let channel = u16::try_from(0x4000 + i).unwrap();
        codes.push(raw.request(
            &mut w,
            Method::CHANNEL_BIND,
            &[
                Attribute::ChannelNumber(channel),
                Attribute::XorPeerAddress(peer),
            ],
        ));
    }
    assert_eq!(codes.iter().filter(|c| c.is_none()).count(), 4);
    assert!(codes[4..].iter().all(|c| *c == Some(508)));
    let stats = w.server.stats();
    assert_eq!((stats.permissions, stats.channels), (8, 4));
}

#[test]
fn allocation_storms_hit_the_quotas_and_caches_stay_bounded() {
    let mut config = server_config();
    config.limits.max_allocations = 50;
    config.limits.max_allocations_per_user = 50;
    config.limits.max_cached_responses = 32;
    let pool: Vec<SocketAddr> = (0..100u16)
        .map(|p| SocketAddr::new(sa(RELAY).ip(), 50_000 + p))
        .collect();
    config = config.relay_pool(pool);
    let mut w = World::new(config);
    let mut outcomes = Vec::new();
    for i in 0..200u32 {
        let mut raw = RawClient::new(&mut w, source(i), PASSWORD);
        outcomes.push(raw.request(
            &mut w,
            Method::ALLOCATE,
            &[Attribute::RequestedTransport(17)],
        ));
    }
    assert_eq!(outcomes.iter().filter(|c| c.is_none()).count(), 50);
    assert!(outcomes[50..].iter().all(|c| *c == Some(508)));
    let stats = w.server.stats();
    assert_eq!(stats.allocations, 50);
    assert!(stats.cached_responses <= 32);
    assert!(stats.timers <= 2 * 50 + 64 + 1);
    // Everything expires in the end, and the pool is whole again.
    w.advance_server(Duration::from_secs(601));
    let stats = w.server.stats();
    assert_eq!((stats.allocations, stats.timers), (0, 0));
}

#[test]
fn refresh_storms_keep_the_timer_heap_small() {
    let mut w = World::new(server_config());
    let mut raw = RawClient::new(&mut w, sa(CLIENT), PASSWORD);
    assert_eq!(
        raw.request(
            &mut w,
            Method::ALLOCATE,
            &[Attribute::RequestedTransport(17), Attribute::Lifetime(3600)]
        ),
        None
    );
    for lifetime in (600..3600).rev() {
        assert_eq!(
            raw.request(&mut w, Method::REFRESH, &[Attribute::Lifetime(lifetime)]),
            None
        );
        assert!(
            w.server.stats().timers <= 2 + 64 + 1,
            "timers: {}",
            w.server.stats().timers
        );
    }
}

#[test]
fn tcp_connection_storms_are_bounded() {
    let mut config = server_config();
    config.limits.max_tcp_connections = 100;
    config.limits.max_tcp_buffered = 1024;
    let mut w = World::new(config);
    let partial = &allocate_request(1, false)[..10];
    let mut refused = 0;
    for i in 0..1000 {
        let r = w.server.handle_receive(
            w.now,
            Receive {
                proto: Protocol::Tcp,
                source: source(i),
                destination: sa(LISTEN),
                contents: partial,
            },
        );
        refused += u32::from(r.is_err());
    }
    assert_eq!(w.server.stats().tcp_connections, 100);
    assert_eq!(refused, 900);
    // Whole frames leave no decoder state behind.
    let whole = allocate_request(2, false);
    for i in 2000..3000 {
        w.server
            .handle_receive(
                w.now,
                Receive {
                    proto: Protocol::Tcp,
                    source: source(i),
                    destination: sa(LISTEN),
                    contents: &whole,
                },
            )
            .unwrap();
        drain(&mut w.server, w.now);
    }
    assert_eq!(w.server.stats().tcp_connections, 100);
    // A frame longer than the buffer limit closes its connection.
    let mut huge = vec![0x40, 0x00, 0x10, 0x00];
    huge.extend(std::iter::repeat_n(0u8, 2000));
    let r = w.server.handle_receive(
        w.now,
        Receive {
            proto: Protocol::Tcp,
            source: source(6000),
            destination: sa(LISTEN),
            contents: &huge,
        },
    );
    assert!(r.is_err());
    assert_eq!(w.server.stats().tcp_connections, 100);
    let mut closed = false;
    while let Some(e) = w.server.poll_event() {
        closed |=
            matches!(e, TurnServerEvent::CloseConnection { client, .. } if client == source(6000));
    }
    assert!(closed);
    // A lost framing closes it too.
    let r = w.server.handle_receive(
        w.now,
        Receive {
            proto: Protocol::Tcp,
            source: source(5000),
            destination: sa(LISTEN),
            contents: &[0xff; 64],
        },
    );
    assert!(r.is_err());
    assert_eq!(w.server.stats().tcp_connections, 100);
    assert!(matches!(
        w.server.poll_event(),
        Some(TurnServerEvent::CloseConnection { client, .. }) if client == source(5000)
    ));
}
