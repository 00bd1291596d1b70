//! Our TURN client against our TURN server, in memory and in virtual time: the 401
//! challenge, permissions, Send/Data, channels both ways, refresh, delete, expiry, stale
//! nonces, wrong passwords, quotas, 437, retransmissions, asked-for relays and TCP.

mod turn_server_common;

use sansrtc_proto::{Protocol, Receive, SansIo};
use sansrtc_stun::ProtocolViolation;
use sansrtc_stun::binding::{BindingClient, BindingConfig, BindingEvent};
use sansrtc_stun::turn::{Failure, TurnClient, TurnEvent, TurnTransport};
use sansrtc_stun::turn_server::{DeleteReason, TurnServerEvent};
use sansrtc_stun::wire::{ChannelData, Message};
use std::time::Duration;
use turn_server_common::*;

fn allocated_world() -> (World, std::net::SocketAddr) {
    let mut w = World::new(server_config());
    let c = w.add_client(client_config(CLIENT, PASSWORD));
    assert!(matches!(w.allocate(c), TurnEvent::Allocated { .. }));
    (w, c)
}

fn permit(w: &mut World, c: std::net::SocketAddr) {
    let now = w.now;
    w.client(c).create_permission(now, sa(PEER).ip()).unwrap();
    w.pump();
    assert!(
        w.take_client_events(c)
            .contains(&TurnEvent::PermissionCreated {
                peer: sa(PEER).ip()
            })
    );
}

#[test]
fn allocate_is_challenged_once_then_succeeds() {
    let mut w = World::new(server_config());
    let c = w.add_client(client_config(CLIENT, PASSWORD));
    let event = w.allocate(c);
    assert_eq!(
        event,
        TurnEvent::Allocated {
            relayed: sa(RELAY),
            mapped: Some(sa(CLIENT)),
            lifetime: Duration::from_secs(600),
        }
    );
    let stats = w.server.stats();
    assert_eq!(stats.unauthenticated, 1, "one 401 challenge");
    assert_eq!(stats.allocations, 1);
    assert_eq!(stats.allocations_created, 1);
    let events = w.take_server_events();
    assert!(matches!(
        &events[..],
        [TurnServerEvent::AllocationCreated { username, relay, .. }]
            if username == USER && *relay == sa(RELAY)
    ));
}

#[test]
fn send_and_data_indications_and_channel_data_both_ways() {
    let (mut w, c) = allocated_world();
    let relay = w.client(c).relayed_address().unwrap();
    permit(&mut w, c);

    let now = w.now;
    w.client(c)
        .send_to(now, sa(PEER), b"by indication")
        .unwrap();
    w.pump();
    assert_eq!(
        w.peers.pop().unwrap(),
        Delivered {
            from: relay,
            to: sa(PEER),
            data: b"by indication".to_vec()
        }
    );
    w.send_to_server(sa(PEER), relay, b"back by data").unwrap();
    assert!(w.take_client_events(c).contains(&TurnEvent::Data {
        peer: sa(PEER),
        data: b"back by data".to_vec(),
        channel: None
    }));

    let channel = w.client(c).bind_channel(now, sa(PEER)).unwrap();
    w.pump();
    assert!(w.take_client_events(c).contains(&TurnEvent::ChannelBound {
        peer: sa(PEER),
        channel
    }));
    w.client(c).send_to(now, sa(PEER), b"by channel").unwrap();
    w.pump();
    assert_eq!(w.peers.pop().unwrap().data, b"by channel");
    w.send_to_server(sa(PEER), relay, b"back by channel")
        .unwrap();
    assert!(w.take_client_events(c).contains(&TurnEvent::Data {
        peer: sa(PEER),
        data: b"back by channel".to_vec(),
        channel: Some(channel)
    }));
    let stats = w.server.stats();
    assert_eq!((stats.relayed_to_peers, stats.relayed_to_clients), (2, 2));
    assert_eq!((stats.permissions, stats.channels), (1, 1));
}

#[test]
fn peers_without_permission_are_dropped_and_counted() {
    let (mut w, c) = allocated_world();
    let relay = w.client(c).relayed_address().unwrap();
    let stranger = sa("192.0.2.77:9999");
    assert_eq!(
        w.send_to_server(stranger, relay, b"let me in"),
        Err(ProtocolViolation::NoPermission.into())
    );
    assert!(w.take_client_events(c).is_empty());
    assert_eq!(w.server.stats().dropped_no_permission, 1);
    assert_eq!(w.server.stats().permissions, 0);
}

#[test]
fn refresh_then_delete() {
    let (mut w, c) = allocated_world();
    let now = w.now;
    w.client(c)
        .refresh(now, Some(Duration::from_secs(1800)))
        .unwrap();
    w.pump();
    assert!(w.take_client_events(c).contains(&TurnEvent::Refreshed {
        lifetime: Duration::from_secs(1800)
    }));
    // Above the maximum: capped at one hour. Below the default: raised to it.
    w.client(c)
        .refresh(now, Some(Duration::from_secs(86_400)))
        .unwrap();
    w.pump();
    assert!(w.take_client_events(c).contains(&TurnEvent::Refreshed {
        lifetime: Duration::from_secs(3600)
    }));
    w.client(c)
        .refresh(now, Some(Duration::from_secs(5)))
        .unwrap();
    w.pump();
    assert!(w.take_client_events(c).contains(&TurnEvent::Refreshed {
        lifetime: Duration::from_secs(600)
    }));
    w.take_server_events();
    w.client(c).deallocate(now).unwrap();
    w.pump();
    assert!(w.take_client_events(c).contains(&TurnEvent::Deallocated));
    assert_eq!(w.server.stats().allocations, 0);
    assert!(w.take_server_events().iter().any(|e| matches!(
        e,
        TurnServerEvent::AllocationDeleted {
            reason: DeleteReason::Deleted,
            ..
        }
    )));
    assert_eq!(w.server.poll_timeout(), None, "nothing left to time");
}

#[test]
fn allocation_permission_and_channel_expire_in_virtual_time() {
    let (mut w, c) = allocated_world();
    let relay = w.client(c).relayed_address().unwrap();
    permit(&mut w, c);
    let now = w.now;
    w.client(c).bind_channel(now, sa(PEER)).unwrap();
    w.pump();
    // The client falls silent: no refreshes from here on.
    w.clients.clear();
    w.take_server_events();
    w.advance_server(Duration::from_secs(299));
    assert_eq!(w.server.stats().permissions, 1);
    w.advance_server(Duration::from_secs(2));
    assert_eq!(
        w.server.stats().permissions,
        0,
        "permission gone after 300 s"
    );
    assert_eq!(
        w.send_to_server(sa(PEER), relay, b"late"),
        Err(ProtocolViolation::NoPermission.into())
    );
    assert_eq!(w.server.stats().channels, 1, "channel still reserved");
    w.advance_server(Duration::from_secs(300));
    assert_eq!(
        w.server.stats().allocations,
        0,
        "allocation gone after 600 s"
    );
    assert_eq!(w.server.stats().channels, 0);
    assert!(w.take_server_events().iter().any(|e| matches!(
        e,
        TurnServerEvent::AllocationDeleted {
            reason: DeleteReason::Expired,
            relay: Some(r),
            ..
        } if *r == relay
    )));
    assert_eq!(w.server.poll_timeout(), None);
    // Early and repeated timeouts are harmless.
    let now = w.now;
    w.server.handle_timeout(now);
    w.server.handle_timeout(now);
    assert_eq!(w.server.stats().allocations, 0);
}

#[test]
fn an_hour_of_client_refreshes_keeps_everything_alive() {
    let (mut w, c) = allocated_world();
    permit(&mut w, c);
    let now = w.now;
    w.client(c).bind_channel(now, sa(PEER)).unwrap();
    w.pump();
    w.advance(Duration::from_secs(3600));
    let stats = w.server.stats();
    assert_eq!(
        (stats.allocations, stats.permissions, stats.channels),
        (1, 1, 1)
    );
    assert!(stats.stale_nonces >= 1, "nonces expire every 10 minutes");
    let events = w.take_client_events(c);
    assert!(
        !events.iter().any(|e| matches!(
            e,
            TurnEvent::RefreshFailed(_)
                | TurnEvent::Deallocated
                | TurnEvent::PermissionFailed { .. }
        )),
        "{events:?}"
    );
    let relay = w.client(c).relayed_address().unwrap();
    w.send_to_server(sa(PEER), relay, b"still here").unwrap();
    assert!(
        w.take_client_events(c)
            .iter()
            .any(|e| matches!(e, TurnEvent::Data { data, .. } if data == b"still here"))
    );
}

#[test]
fn stale_nonce_gets_438_then_the_retry_succeeds() {
    let mut config = server_config();
    config.nonce_lifetime = Duration::from_secs(30);
    let mut w = World::new(config);
    let c = w.add_client(client_config(CLIENT, PASSWORD));
    assert!(matches!(w.allocate(c), TurnEvent::Allocated { .. }));
    w.now += Duration::from_secs(60);
    let now = w.now;
    w.client(c).refresh(now, None).unwrap();
    w.pump();
    assert!(
        w.take_client_events(c)
            .iter()
            .any(|e| matches!(e, TurnEvent::Refreshed { .. }))
    );
    assert_eq!(w.server.stats().stale_nonces, 1);
}

#[test]
fn wrong_password_is_refused_with_401_and_the_client_gives_up() {
    let mut w = World::new(server_config());
    let c = w.add_client(client_config(CLIENT, "not the password"));
    assert_eq!(
        w.allocate(c),
        TurnEvent::AllocationFailed(Failure::Unauthenticated)
    );
    let stats = w.server.stats();
    assert_eq!(stats.unauthenticated, 2, "challenge, then the wrong MAC");
    assert_eq!(stats.allocations, 0);
    assert_eq!(
        stats.cached_responses, 0,
        "nothing kept for an unauthenticated client"
    );
}

#[test]
fn quotas_per_user_and_in_total() {
    let mut config = server_config();
    config.limits.max_allocations_per_user = 1;
    let mut w = World::new(config);
    let a = w.add_client(client_config("203.0.113.5:5000", PASSWORD));
    let b = w.add_client(client_config("203.0.113.6:5000", PASSWORD));
    assert!(matches!(w.allocate(a), TurnEvent::Allocated { .. }));
    assert!(matches!(
        w.allocate(b),
        TurnEvent::AllocationFailed(Failure::Server { code: 486, .. })
    ));

    let mut config = server_config();
    config.limits.max_allocations = 1;
    let mut w = World::new(config);
    let a = w.add_client(client_config("203.0.113.5:5000", PASSWORD));
    let mut bob = client_config("203.0.113.6:5000", "builder");
    bob.username = "bob".into();
    let b = w.add_client(bob);
    assert!(matches!(w.allocate(a), TurnEvent::Allocated { .. }));
    assert!(matches!(
        w.allocate(b),
        TurnEvent::AllocationFailed(Failure::Server { code: 508, .. })
    ));
    assert_eq!(w.server.stats().quota_refusals, 1);

    // An exhausted relay pool is 508 as well.
    let mut config = server_config();
    config = config.relay_pool([sa(RELAY)]);
    let mut w = World::new(config);
    let a = w.add_client(client_config("203.0.113.5:5000", PASSWORD));
    let mut bob = client_config("203.0.113.6:5000", "builder");
    bob.username = "bob".into();
    let b = w.add_client(bob);
    assert!(matches!(w.allocate(a), TurnEvent::Allocated { .. }));
    assert!(matches!(
        w.allocate(b),
        TurnEvent::AllocationFailed(Failure::Server { code: 508, .. })
    ));
}

#[test]
fn second_allocate_on_the_same_five_tuple_gets_437() {
    let (mut w, c) = allocated_world();
    // A second client machine on the same address: a new transaction on the same 5-tuple.
    let mut again = client_config(CLIENT, PASSWORD);
    again.rng_seed = Some([9; 32]);
    w.clients.insert(c, TurnClient::new(again, w.now).unwrap());
    assert!(matches!(
        w.allocate(c),
        TurnEvent::AllocationFailed(Failure::Server { code: 437, .. })
    ));
    assert_eq!(w.server.stats().allocations, 1);
}

#[test]
fn retransmitted_allocate_gets_the_cached_response() {
    let mut w = World::new(server_config());
    let mut raw = RawClient::new(&mut w, sa(CLIENT), PASSWORD);
    let request = raw.build(
        sansrtc_stun::wire::Method::ALLOCATE,
        &[sansrtc_stun::wire::Attribute::RequestedTransport(17)],
        true,
    );
    let first = raw.exchange(&mut w, &request);
    let second = raw.exchange(&mut w, &request);
    assert_eq!(first, second, "same bytes for a retransmission");
    let m = Message::parse(&first).unwrap();
    assert!(m.error_code().is_none());
    assert_eq!(w.server.stats().allocations, 1);
    assert_eq!(w.server.stats().cached_answers, 1);
}

#[test]
fn binding_requests_are_answered() {
    let mut w = World::new(server_config());
    let local = sa("203.0.113.8:4000");
    w.add_raw(local);
    let mut client = BindingClient::new(BindingConfig::new(sa(LISTEN), local), w.now);
    client.start(w.now);
    let mut buf = Vec::new();
    let t = client.poll_transmit(w.now, &mut buf).unwrap();
    w.send_to_server(local, sa(LISTEN), &buf[..t.size]).unwrap();
    let response = w.raw.get_mut(&local).unwrap().pop().unwrap();
    client
        .handle_receive(
            w.now,
            Receive {
                proto: Protocol::Udp,
                source: sa(LISTEN),
                destination: local,
                contents: &response,
            },
        )
        .unwrap();
    assert_eq!(
        client.poll_event(),
        Some(BindingEvent::Mapped { address: local })
    );
    assert_eq!(w.server.stats().binding_requests, 1);
    assert_eq!(w.server.stats().allocations, 0);
}

#[test]
fn relay_addresses_asked_of_the_caller() {
    let mut config = server_config();
    config.relay = sansrtc_stun::turn_server::RelayMode::Ask;
    let mut w = World::new(config);
    let c = w.add_client(client_config(CLIENT, PASSWORD));
    let now = w.now;
    w.client(c).allocate(now).unwrap();
    w.pump();
    let events = w.take_server_events();
    let [TurnServerEvent::RelayRequested(request)] = &events[..] else {
        panic!("{events:?}")
    };
    assert!(
        w.take_client_events(c).is_empty(),
        "no answer before the relay"
    );
    let chosen = sa("198.51.100.1:61000");
    w.server
        .relay_allocated(now, request.allocation, sa("[2001:db8::1]:5"))
        .unwrap_err();
    w.server
        .relay_allocated(now, request.allocation, chosen)
        .unwrap();
    w.pump();
    assert!(
        w.take_client_events(c)
            .iter()
            .any(|e| matches!(e, TurnEvent::Allocated { relayed, .. } if *relayed == chosen))
    );
    assert!(
        w.server
            .relay_allocated(now, request.allocation, chosen)
            .is_err()
    );
    w.take_server_events();

    // A refused relay is 508 for the client.
    let d = w.add_client(client_config("203.0.113.9:5000", PASSWORD));
    w.client(d).allocate(now).unwrap();
    w.pump();
    let events = w.take_server_events();
    let [TurnServerEvent::RelayRequested(request)] = &events[..] else {
        panic!("{events:?}")
    };
    w.server.relay_failed(now, request.allocation).unwrap();
    w.pump();
    assert!(w.take_client_events(d).iter().any(|e| matches!(
        e,
        TurnEvent::AllocationFailed(Failure::Server { code: 508, .. })
    )));

    // An unanswered request times out and the pending allocation is dropped.
    let e = w.add_client(client_config("203.0.113.10:5000", PASSWORD));
    w.client(e).allocate(now).unwrap();
    w.pump();
    assert_eq!(w.server.stats().allocations, 2);
    w.advance_server(Duration::from_secs(11));
    assert_eq!(w.server.stats().allocations, 1);
    assert!(w.take_server_events().iter().any(|e| matches!(
        e,
        TurnServerEvent::AllocationDeleted {
            reason: DeleteReason::RelayUnavailable,
            ..
        }
    )));
}

#[test]
fn client_over_tcp() {
    let mut w = World::new(server_config());
    let mut config = client_config(CLIENT, PASSWORD);
    config.transport = TurnTransport::Tcp;
    config.keepalive = None;
    let c = w.add_client(config);
    assert!(matches!(w.allocate(c), TurnEvent::Allocated { .. }));
    permit(&mut w, c);
    let now = w.now;
    let channel = w.client(c).bind_channel(now, sa(PEER)).unwrap();
    w.pump();
    w.client(c).send_to(now, sa(PEER), b"over tcp").unwrap();
    w.pump();
    assert_eq!(w.peers.pop().unwrap().data, b"over tcp");
    let relay = w.client(c).relayed_address().unwrap();
    w.send_to_server(sa(PEER), relay, b"odd").unwrap();
    assert!(w.take_client_events(c).contains(&TurnEvent::Data {
        peer: sa(PEER),
        data: b"odd".to_vec(),
        channel: Some(channel)
    }));
    assert_eq!(w.server.stats().tcp_connections, 1);
    let now = w.now;
    w.server.tcp_closed(now, sa(CLIENT), sa(LISTEN));
    assert_eq!(w.server.stats().allocations, 0);
    assert_eq!(w.server.stats().tcp_connections, 0);
}

#[test]
fn channel_bind_rules() {
    use sansrtc_stun::wire::{Attribute, Method};
    let mut w = World::new(server_config());
    let mut raw = RawClient::new(&mut w, sa(CLIENT), PASSWORD);
    let no_allocation = raw.request(
        &mut w,
        Method::CHANNEL_BIND,
        &[
            Attribute::ChannelNumber(0x4000),
            Attribute::XorPeerAddress(sa(PEER)),
        ],
    );
    assert_eq!(no_allocation, Some(437));
    assert_eq!(
        raw.request(
            &mut w,
            Method::ALLOCATE,
            &[Attribute::RequestedTransport(6)]
        ),
        Some(442)
    );
    assert_eq!(raw.request(&mut w, Method::ALLOCATE, &[]), Some(400));
    assert_eq!(
        raw.request(
            &mut w,
            Method::ALLOCATE,
            &[Attribute::RequestedTransport(17)]
        ),
        None
    );
    let bind = |raw: &mut RawClient, w: &mut World, n: u16, peer: &str| {
        raw.request(
            w,
            Method::CHANNEL_BIND,
            &[
                Attribute::ChannelNumber(n),
                Attribute::XorPeerAddress(sa(peer)),
            ],
        )
    };
    assert_eq!(bind(&mut raw, &mut w, 0x4000, PEER), None);
    assert_eq!(bind(&mut raw, &mut w, 0x4000, PEER), None, "refresh");
    assert_eq!(
        bind(&mut raw, &mut w, 0x4000, "198.51.100.9:7001"),
        Some(400)
    );
    assert_eq!(bind(&mut raw, &mut w, 0x4001, PEER), Some(400));
    let out_of_range = Attribute::Unknown {
        attribute_type: sansrtc_stun::wire::attr::CHANNEL_NUMBER,
        value: &[0x3f, 0xff, 0, 0],
    };
    assert_eq!(
        raw.request(
            &mut w,
            Method::CHANNEL_BIND,
            &[
                out_of_range,
                Attribute::XorPeerAddress(sa("198.51.100.9:7001")),
            ]
        ),
        Some(400)
    );
    assert_eq!(
        bind(&mut raw, &mut w, 0x4001, "[2001:db8::9]:7001"),
        Some(443)
    );
    assert_eq!(bind(&mut raw, &mut w, 0x4001, "198.51.100.9:7001"), None);
    // ChannelData on the bound channel reaches the peer.
    let mut frame = Vec::new();
    sansrtc_stun::wire::write_channel_data(
        &mut frame,
        sansrtc_stun::wire::ChannelNumber::new(0x4001).unwrap(),
        b"x",
        false,
    )
    .unwrap();
    w.send_to_server(sa(CLIENT), sa(LISTEN), &frame).unwrap();
    assert_eq!(w.peers.pop().unwrap().to, sa("198.51.100.9:7001"));
    assert!(ChannelData::parse(&frame).is_ok());
}

#[test]
fn users_of_sha256_keys_and_userhash() {
    let mut w = World::new(server_config());
    let mut config = client_config(CLIENT, PASSWORD);
    config.use_userhash = true;
    let c = w.add_client(config);
    assert!(matches!(w.allocate(c), TurnEvent::Allocated { .. }));
    permit(&mut w, c);
}

#[test]
fn a_server_without_sha256_offers_md5_only() {
    let mut config = server_config();
    config.offer_sha256 = false;
    config.offer_userhash = false;
    let mut w = World::new(config);
    let c = w.add_client(client_config(CLIENT, PASSWORD));
    assert!(matches!(w.allocate(c), TurnEvent::Allocated { .. }));
}

#[test]
fn same_seeds_same_nonces_and_events() {
    let run = || {
        let (mut w, c) = allocated_world();
        permit(&mut w, c);
        let relay = w.client(c).relayed_address().unwrap();
        w.send_to_server(sa(PEER), relay, b"data").unwrap();
        let mut raw = RawClient::new(&mut w, sa("203.0.113.77:1"), PASSWORD);
        raw.next_id = 0;
        (w.take_client_events(c), w.take_server_events(), raw.nonce)
    };
    assert_eq!(run(), run());
}
