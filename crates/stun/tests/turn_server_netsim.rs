//! Our TURN client against our TURN server on the simulated network, the client behind a
//! port-restricted NAT, in virtual time: allocation, Send/Data and ChannelData both ways with
//! an echoing peer, an hour of refreshes with nonces expiring every 10 minutes, the allocation
//! expiring once the client vanishes, and a seed sweep under loss.

use sansrtc_netsim::{EndpointId, LinkConfig, NatConfig, NatKind, Probe, Sim};
use sansrtc_stun::turn::{TurnClient, TurnConfig, TurnEvent, TurnTransport};
use sansrtc_stun::turn_server::{DeleteReason, TurnServer, TurnServerConfig, TurnServerEvent};
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
const NAT_IP: &str = "203.0.113.1";

struct World {
    sim: Sim,
    client: EndpointId<TurnClient>,
    server: EndpointId<TurnServer>,
    peer: EndpointId<Probe>,
}

fn world(seed: u64, link: LinkConfig) -> World {
    let t0 = epoch();
    let mut sim = Sim::new(t0, seed);
    let internet = sim.internet();
    let server_host = sim.add_host(internet, &[sa(LISTEN).ip()]);
    let peer_host = sim.add_host(internet, &[sa(PEER).ip()]);
    let (_, home) = sim.add_nat(
        internet,
        NatConfig::new(NatKind::PortRestrictedCone, NAT_IP.parse().unwrap()),
    );
    let client_host = sim.add_host_with_link(home, &[sa(LOCAL).ip()], link);
    let mut config = TurnServerConfig::new("sim.example")
        .user("alice", "wonderland")
        .relay_pool([sa(RELAY)]);
    config.rng_seed = Some(sansrtc_proto::rng::seed_from_u64(seed));
    let server = sim.add_endpoint(
        "server",
        server_host,
        &[sa(LISTEN), sa(RELAY)],
        TurnServer::new(config, t0),
    );
    let peer = sim.add_endpoint("peer", peer_host, &[sa(PEER)], Probe::echo(sa(PEER)));
    let mut config = TurnConfig::new(
        sa(LISTEN),
        sa(LOCAL),
        TurnTransport::Udp,
        "alice",
        "wonderland",
    );
    config.rng_seed = Some(sansrtc_proto::rng::seed_from_u64(seed + 1000));
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
        peer,
    }
}

fn wait_for(w: &mut World, budget: Duration, pick: impl Fn(&TurnEvent) -> bool) -> TurnEvent {
    let client = w.client;
    w.sim
        .run_until(budget, |sim| sim.events(client).iter().any(&pick))
        .unwrap_or_else(|e| panic!("{e}; events: {:?}", w.sim.events(client)));
    let events = w.sim.take_events(client);
    events.into_iter().find(|e| pick(e)).unwrap()
}

fn setup(w: &mut World) -> SocketAddr {
    w.sim
        .with_endpoint(w.client, |c, now| c.allocate(now))
        .unwrap();
    let TurnEvent::Allocated {
        relayed, mapped, ..
    } = wait_for(w, Duration::from_secs(60), |e| {
        matches!(
            e,
            TurnEvent::Allocated { .. } | TurnEvent::AllocationFailed(_)
        )
    })
    else {
        panic!("allocation failed")
    };
    assert_eq!(relayed, sa(RELAY));
    assert_eq!(mapped.map(|m| m.ip()), Some(NAT_IP.parse().unwrap()));
    w.sim
        .with_endpoint(w.client, |c, now| c.create_permission(now, sa(PEER).ip()))
        .unwrap();
    wait_for(w, Duration::from_secs(60), |e| {
        matches!(e, TurnEvent::PermissionCreated { .. })
    });
    relayed
}

fn echo(w: &mut World, data: &[u8]) -> TurnEvent {
    w.sim
        .with_endpoint(w.client, |c, now| c.send_to(now, sa(PEER), data))
        .unwrap();
    wait_for(w, Duration::from_secs(30), |e| {
        matches!(e, TurnEvent::Data { .. })
    })
}

#[test]
fn relaying_through_a_nat_by_indication_and_by_channel() {
    let mut w = world(1, LinkConfig::ideal().delay(Duration::from_millis(20)));
    setup(&mut w);
    assert_eq!(
        echo(&mut w, b"indication"),
        TurnEvent::Data {
            peer: sa(PEER),
            data: b"indication".to_vec(),
            channel: None
        }
    );
    assert_eq!(
        w.sim.endpoint(w.peer).received()[0].source,
        sa(RELAY),
        "the peer sees the relay address"
    );
    let channel = w
        .sim
        .with_endpoint(w.client, |c, now| c.bind_channel(now, sa(PEER)))
        .unwrap();
    wait_for(&mut w, Duration::from_secs(10), |e| {
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
    let stats = w.sim.endpoint(w.server).stats();
    assert_eq!((stats.relayed_to_peers, stats.relayed_to_clients), (2, 2));
    assert_eq!(stats.unauthenticated, 1);
}

#[test]
fn an_hour_of_refreshes_with_expiring_nonces() {
    let mut w = world(2, LinkConfig::ideal().delay(Duration::from_millis(20)));
    setup(&mut w);
    w.sim
        .with_endpoint(w.client, |c, now| c.bind_channel(now, sa(PEER)))
        .unwrap();
    w.sim.run_for(Duration::from_secs(3600)).unwrap();
    let failures: Vec<TurnEvent> = w
        .sim
        .take_events(w.client)
        .into_iter()
        .filter(|e| {
            matches!(
                e,
                TurnEvent::RefreshFailed(_)
                    | TurnEvent::PermissionFailed { .. }
                    | TurnEvent::ChannelBindFailed { .. }
                    | TurnEvent::Deallocated
            )
        })
        .collect();
    assert!(failures.is_empty(), "{failures:?}");
    let stats = w.sim.endpoint(w.server).stats();
    assert!(
        stats.stale_nonces >= 3,
        "stale nonces: {}",
        stats.stale_nonces
    );
    assert_eq!(
        (stats.allocations, stats.permissions, stats.channels),
        (1, 1, 1)
    );
    assert!(matches!(
        echo(&mut w, b"still here"),
        TurnEvent::Data {
            channel: Some(_),
            ..
        }
    ));
}

#[test]
fn the_allocation_expires_when_the_client_vanishes() {
    let mut w = world(3, LinkConfig::ideal().delay(Duration::from_millis(20)));
    setup(&mut w);
    // Cut the client off: its refreshes never arrive.
    w.sim.set_hook(|ctx| {
        if ctx.endpoint == "client" {
            sansrtc_netsim::Verdict::Drop
        } else {
            sansrtc_netsim::Verdict::Deliver
        }
    });
    w.sim.run_for(Duration::from_secs(601)).unwrap();
    let stats = w.sim.endpoint(w.server).stats();
    assert_eq!(stats.allocations, 0);
    assert_eq!(stats.permissions, 0);
    let deleted = w
        .sim
        .take_events(w.server)
        .into_iter()
        .filter(|e| {
            matches!(
                e,
                TurnServerEvent::AllocationDeleted {
                    reason: DeleteReason::Expired,
                    ..
                }
            )
        })
        .count();
    assert_eq!(deleted, 1);
}

#[test]
fn seed_sweep_under_loss() {
    for seed in 0..20 {
        let link = LinkConfig::ideal()
            .delay(Duration::from_millis(30))
            .loss(0.1);
        let mut w = world(100 + seed, link);
        setup(&mut w);
        w.sim
            .with_endpoint(w.client, |c, now| c.bind_channel(now, sa(PEER)))
            .unwrap();
        wait_for(&mut w, Duration::from_secs(60), |e| {
            matches!(e, TurnEvent::ChannelBound { .. })
        });
        let stats = w.sim.endpoint(w.server).stats();
        assert_eq!(stats.allocations, 1, "seed {seed}");
        assert_eq!(stats.channels, 1, "seed {seed}");
    }
}
