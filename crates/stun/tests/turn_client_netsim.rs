//! The TURN client in virtual time on the simulated network, behind a NAT, against a small
//! TURN server fixture: allocation and relaying, an hour of refreshes, keep-alives holding the
//! NAT open, loss, nonce rotation, forged integrity, wrong credentials.

#[path = "turn_sim/server.rs"]
mod server;

use sansrtc_netsim::{EndpointId, LinkConfig, NatConfig, NatKind, Probe, Sim, TraceEvent};
use sansrtc_proto::{Protocol, Receive, SansIo};
use sansrtc_stun::turn::{Failure, TurnClient, TurnConfig, TurnEvent, TurnTransport};
use sansrtc_stun::wire::{Attribute, Class, MessageBuilder, Method, TransactionId};
use sansrtc_stun::{Error, ProtocolViolation};
use server::{Faults, PASSWORD, TurnServer, USER};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

#[expect(
    clippy::disallowed_methods,
    reason = "tests pick one real Instant as the epoch of virtual time"
)]
fn epoch() -> Instant {
    Instant::now()
}

fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

const LISTEN: &str = "198.51.100.1:3478";
const RELAY: &str = "198.51.100.1:49152";
const PEER: &str = "198.51.100.9:7000";
const LOCAL: &str = "10.0.0.2:5000";

struct World {
    sim: Sim,
    client: EndpointId<TurnClient>,
    server: EndpointId<TurnServer>,
}

fn world(
    seed: u64,
    faults: Faults,
    configure: impl FnOnce(&mut TurnConfig),
    link: LinkConfig,
) -> World {
    let t0 = epoch();
    let mut sim = Sim::new(t0, seed);
    let internet = sim.internet();
    let server_host = sim.add_host(internet, &["198.51.100.1".parse().unwrap()]);
    let peer_host = sim.add_host(internet, &["198.51.100.9".parse().unwrap()]);
    let (_, home) = sim.add_nat(
        internet,
        NatConfig::new(NatKind::PortRestrictedCone, "203.0.113.1".parse().unwrap()),
    );
    let client_host = sim.add_host_with_link(home, &["10.0.0.2".parse().unwrap()], link);
    let server = sim.add_endpoint(
        "server",
        server_host,
        &[sa(LISTEN), sa(RELAY)],
        TurnServer::new(sa(LISTEN), sa(RELAY), faults, t0),
    );
    sim.add_endpoint("peer", peer_host, &[sa(PEER)], Probe::echo(sa(PEER)));
    let mut config = TurnConfig::new(sa(LISTEN), sa(LOCAL), TurnTransport::Udp, USER, PASSWORD);
    config.rng_seed = Some(sansrtc_proto::rng::seed_from_u64(seed));
    configure(&mut config);
    let client = sim.add_endpoint(
        "client",
        client_host,
        &[sa(LOCAL)],
        TurnClient::new(config, t0).unwrap(),
    );
    World {
        sim,
        client,
        server,
    }
}

fn default_world(seed: u64) -> World {
    world(
        seed,
        Faults::default(),
        |_| {},
        LinkConfig::ideal().delay(Duration::from_millis(20)),
    )
}

/// Runs until the client emits an event matching `pick`, for at most `budget`.
fn wait_for(w: &mut World, budget: Duration, pick: impl Fn(&TurnEvent) -> bool) -> TurnEvent {
    let client = w.client;
    w.sim
        .run_until(budget, |sim| sim.events(client).iter().any(&pick))
        .unwrap_or_else(|e| panic!("{e}; events: {:?}", w.sim.events(client)));
    let events = w.sim.take_events(client);
    events.into_iter().find(|e| pick(e)).unwrap()
}

fn allocate(w: &mut World) -> TurnEvent {
    w.sim
        .with_endpoint(w.client, |c, now| c.allocate(now))
        .unwrap();
    wait_for(w, Duration::from_secs(60), |e| {
        matches!(
            e,
            TurnEvent::Allocated { .. } | TurnEvent::AllocationFailed(_)
        )
    })
}

fn setup_relay(w: &mut World) {
    assert!(matches!(allocate(w), TurnEvent::Allocated { .. }));
    w.sim
        .with_endpoint(w.client, |c, now| c.create_permission(now, sa(PEER).ip()))
        .unwrap();
    wait_for(w, Duration::from_secs(60), |e| {
        matches!(e, TurnEvent::PermissionCreated { .. })
    });
    w.sim
        .with_endpoint(w.client, |c, now| c.bind_channel(now, sa(PEER)))
        .unwrap();
    wait_for(w, Duration::from_secs(60), |e| {
        matches!(e, TurnEvent::ChannelBound { .. })
    });
}

fn echo(w: &mut World, data: &[u8]) -> TurnEvent {
    w.sim
        .with_endpoint(w.client, |c, now| c.send_to(now, sa(PEER), data))
        .unwrap();
    wait_for(w, Duration::from_secs(10), |e| {
        matches!(e, TurnEvent::Data { .. })
    })
}

#[test]
fn allocation_and_relaying_through_a_nat() {
    let mut w = default_world(1);
    let TurnEvent::Allocated {
        relayed,
        mapped,
        lifetime,
    } = allocate(&mut w)
    else {
        panic!()
    };
    assert_eq!(relayed, sa(RELAY));
    assert_eq!(
        mapped.map(|m| m.ip()),
        Some("203.0.113.1".parse().unwrap()),
        "the server saw the NAT"
    );
    assert_eq!(lifetime, Duration::from_secs(600));
    assert_eq!(
        w.sim.endpoint(w.server).seen.challenges,
        1,
        "one 401 challenge"
    );
    assert_eq!(
        w.sim.elapsed(),
        Duration::from_millis(80),
        "two round trips of 40 ms"
    );

    w.sim
        .with_endpoint(w.client, |c, now| c.create_permission(now, sa(PEER).ip()))
        .unwrap();
    wait_for(&mut w, Duration::from_secs(5), |e| {
        matches!(e, TurnEvent::PermissionCreated { .. })
    });
    assert_eq!(
        echo(&mut w, b"indication"),
        TurnEvent::Data {
            peer: sa(PEER),
            data: b"indication".to_vec(),
            channel: None
        }
    );
    let channel = w
        .sim
        .with_endpoint(w.client, |c, now| c.bind_channel(now, sa(PEER)))
        .unwrap();
    wait_for(&mut w, Duration::from_secs(5), |e| {
        matches!(e, TurnEvent::ChannelBound { .. })
    });
    assert_eq!(
        echo(&mut w, b"channel"),
        TurnEvent::Data {
            peer: sa(PEER),
            data: b"channel".to_vec(),
            channel: Some(channel)
        }
    );
}

#[test]
fn an_hour_of_refreshes_keeps_allocation_permission_and_channel() {
    let mut w = default_world(2);
    setup_relay(&mut w);
    let before = w.sim.endpoint(w.server).seen.requests.clone();
    w.sim.run_for(Duration::from_secs(3600)).unwrap();
    let failures: Vec<TurnEvent> = w
        .sim
        .take_events(w.client)
        .into_iter()
        .filter(|e| !matches!(e, TurnEvent::Refreshed { .. }))
        .collect();
    assert!(failures.is_empty(), "{failures:?}");
    let seen = &w.sim.endpoint(w.server).seen.requests;
    let delta = |k: &str| seen.get(k).copied().unwrap_or(0) - before.get(k).copied().unwrap_or(0);
    // Allocation (600 s) and channel (600 s) refreshed at 540 s; the permission (300 s) at
    // 240 s, except that each ChannelBind refreshes it too (RFC 8656 §11), which pushes its
    // next CreatePermission back.
    assert_eq!(delta("refresh"), 6, "3600 / 540 s");
    assert_eq!(delta("channel_bind"), 6, "3600 / 540 s");
    assert!(
        (12..=15).contains(&delta("permission")),
        "permission refreshes: {}",
        delta("permission")
    );
    assert_eq!(
        w.sim.endpoint(w.server).seen.lapsed_permissions,
        0,
        "the permission never lapsed"
    );
    assert!(w.sim.endpoint(w.server).allocated(w.sim.now()));
    assert!(matches!(
        echo(&mut w, b"still here"),
        TurnEvent::Data {
            channel: Some(_),
            ..
        }
    ));
}

#[test]
fn keepalives_hold_the_nat_mapping_and_their_absence_loses_the_allocation() {
    // With the default 15 s keep-alive the 2-minute NAT mapping survives to the refresh.
    let mut w = default_world(3);
    setup_relay(&mut w);
    w.sim.run_for(Duration::from_secs(1200)).unwrap();
    assert!(
        !w.sim
            .take_events(w.client)
            .iter()
            .any(|e| matches!(e, TurnEvent::RefreshFailed(_)))
    );
    let keepalives = w
        .sim
        .trace()
        .iter()
        .filter(|e| matches!(&e.event, TraceEvent::Sent { endpoint, packet } if endpoint == "client" && packet.contents.get(..2) == Some(&[0x00, 0x11])))
        .count();
    assert!(keepalives > 50, "Binding indications sent: {keepalives}");

    // Without keep-alives the mapping expires, the refresh leaves from a new port, and the
    // server has no allocation for that 5-tuple (437).
    let mut w = world(
        3,
        Faults::default(),
        |c| c.keepalive = None,
        LinkConfig::ideal().delay(Duration::from_millis(20)),
    );
    assert!(matches!(allocate(&mut w), TurnEvent::Allocated { .. }));
    let failed = wait_for(&mut w, Duration::from_secs(700), |e| {
        matches!(e, TurnEvent::RefreshFailed(_))
    });
    assert!(
        matches!(
            failed,
            TurnEvent::RefreshFailed(Failure::Server { code: 437, .. })
        ),
        "{failed:?}"
    );
    wait_for(&mut w, Duration::from_secs(120), |e| {
        matches!(e, TurnEvent::Deallocated)
    });
    assert!(w.sim.endpoint(w.client).is_closed());
}

#[test]
fn allocation_completes_under_loss_by_retransmission() {
    let mut retransmitted = 0;
    for seed in 0..30 {
        let link = LinkConfig::ideal()
            .delay(Duration::from_millis(20))
            .loss(0.15);
        let mut w = world(seed, Faults::default(), |_| {}, link);
        assert!(
            matches!(allocate(&mut w), TurnEvent::Allocated { .. }),
            "seed {seed}"
        );
        if w.sim.endpoint(w.server).seen.requests["allocate"] > 2 {
            retransmitted += 1;
        }
    }
    assert!(retransmitted > 0, "some seed needed a retransmission");
}

#[test]
fn nonce_rotation_is_followed_with_438_retries() {
    let faults = Faults {
        nonce_lifetime: Some(Duration::from_secs(100)),
        ..Faults::default()
    };
    let mut w = world(
        4,
        faults,
        |_| {},
        LinkConfig::ideal().delay(Duration::from_millis(20)),
    );
    setup_relay(&mut w);
    w.sim.run_for(Duration::from_secs(1800)).unwrap();
    assert!(
        w.sim.endpoint(w.server).seen.stale > 5,
        "the server rotated nonces"
    );
    let events = w.sim.take_events(w.client);
    assert!(
        !events.iter().any(|e| matches!(
            e,
            TurnEvent::RefreshFailed(_)
                | TurnEvent::PermissionFailed { .. }
                | TurnEvent::ChannelBindFailed { .. }
        )),
        "{events:?}"
    );
    assert!(matches!(
        echo(&mut w, b"after rotations"),
        TurnEvent::Data { .. }
    ));
}

#[test]
fn forged_integrity_is_rejected_and_allocation_times_out() {
    let faults = Faults {
        forge_integrity: true,
        ..Faults::default()
    };
    let mut w = world(
        5,
        faults,
        |_| {},
        LinkConfig::ideal().delay(Duration::from_millis(20)),
    );
    assert_eq!(
        allocate(&mut w),
        TurnEvent::AllocationFailed(Failure::TimedOut)
    );
    let rejected = w
        .sim
        .trace()
        .iter()
        .filter(|e| matches!(&e.event, TraceEvent::Rejected { endpoint, error, .. } if endpoint == "client" && error.contains("Auth")))
        .count();
    assert_eq!(
        rejected, 7,
        "each of the 7 answered retransmissions was refused"
    );
}

#[test]
fn wrong_password_fails_with_unauthenticated() {
    let mut w = world(
        6,
        Faults::default(),
        |c| c.password = "wrong".to_owned(),
        LinkConfig::ideal(),
    );
    assert_eq!(
        allocate(&mut w),
        TurnEvent::AllocationFailed(Failure::Unauthenticated)
    );
    assert!(w.sim.endpoint(w.client).is_closed());
}

#[test]
fn data_from_a_peer_without_permission_is_refused() {
    let mut w = default_world(7);
    assert!(matches!(allocate(&mut w), TurnEvent::Allocated { .. }));
    let mut bytes = Vec::new();
    let mut b = MessageBuilder::new(
        &mut bytes,
        Class::Indication,
        Method::DATA,
        TransactionId([1; 12]),
    );
    b.add(&Attribute::XorPeerAddress(sa("192.0.2.66:1")))
        .unwrap();
    b.add(&Attribute::Data(b"sneaky")).unwrap();
    b.finish();
    let result = w.sim.with_endpoint(w.client, |c, now| {
        c.handle_receive(
            now,
            Receive {
                proto: Protocol::Udp,
                source: sa(LISTEN),
                destination: sa(LOCAL),
                contents: &bytes,
            },
        )
    });
    assert_eq!(
        result,
        Err(Error::Protocol(ProtocolViolation::NoPermission))
    );
    let from_stranger = w.sim.with_endpoint(w.client, |c, now| {
        c.handle_receive(
            now,
            Receive {
                proto: Protocol::Udp,
                source: sa("192.0.2.1:3478"),
                destination: sa(LOCAL),
                contents: &bytes,
            },
        )
    });
    assert_eq!(
        from_stranger,
        Err(Error::Protocol(ProtocolViolation::WrongSource))
    );
    assert!(
        w.sim
            .take_events(w.client)
            .iter()
            .all(|e| !matches!(e, TurnEvent::Data { .. }))
    );
}

#[test]
fn early_and_repeated_timeouts_are_harmless() {
    let mut w = default_world(8);
    setup_relay(&mut w);
    let next = w.sim.endpoint(w.client).poll_timeout().unwrap();
    let transmits = w.sim.with_endpoint(w.client, |c, now| {
        c.handle_timeout(now);
        c.handle_timeout(now);
        let mut buf = Vec::new();
        let mut n = 0;
        while c.poll_transmit(now, &mut buf).is_some() {
            n += 1;
        }
        n
    });
    assert_eq!(transmits, 0, "nothing was due");
    assert_eq!(w.sim.endpoint(w.client).poll_timeout(), Some(next));
}

#[test]
fn deallocate_releases_the_allocation() {
    let mut w = default_world(9);
    setup_relay(&mut w);
    w.sim
        .with_endpoint(w.client, |c, now| c.deallocate(now))
        .unwrap();
    assert_eq!(
        wait_for(&mut w, Duration::from_secs(5), |e| matches!(
            e,
            TurnEvent::Deallocated
        )),
        TurnEvent::Deallocated
    );
    assert!(!w.sim.endpoint(w.server).allocated(w.sim.now()));
    assert_eq!(
        w.sim.endpoint(w.client).poll_timeout(),
        None,
        "a closed client has no timers"
    );
    assert!(
        w.sim
            .with_endpoint(w.client, |c, now| c.send_to(now, sa(PEER), b"x"))
            .is_err()
    );
}

#[test]
fn refused_refreshes_are_retried_with_backoff_until_expiry() {
    let faults = Faults {
        refuse_refresh: true,
        ..Faults::default()
    };
    let mut w = world(
        10,
        faults,
        |_| {},
        LinkConfig::ideal().delay(Duration::from_millis(20)),
    );
    assert!(matches!(allocate(&mut w), TurnEvent::Allocated { .. }));
    wait_for(&mut w, Duration::from_secs(700), |e| {
        matches!(e, TurnEvent::Deallocated)
    });
    let refreshes = w.sim.endpoint(w.server).seen.requests["refresh"];
    // First attempt at 540 s, then one every 10 s until the 600 s lifetime ends.
    assert_eq!(refreshes, 6, "refresh attempts");
    assert_eq!(
        w.sim.elapsed().as_secs(),
        600,
        "the allocation expired at its lifetime"
    );
}
