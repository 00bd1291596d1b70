//! Two PeerConnections behind symmetric NATs on the simulated network, where no direct path
//! can work: with our TURN server (also their STUN server) on the simulated Internet, they
//! gather relayed candidates, connect through the relay, and a data channel carries messages
//! both ways.

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use sansrtc::{
    CandidateKind, ChannelConfig, Config, ConnectionState, Event, MessageKind, PeerConnection,
    SdpType,
};
use sansrtc_ice::TurnServer;
use sansrtc_netsim::{EndpointId, LinkConfig, NatConfig, NatKind, Sim};
use sansrtc_stun::turn_server::{TurnServer as Server, TurnServerConfig};

#[expect(
    clippy::disallowed_methods,
    reason = "tests pick one real Instant as the epoch of virtual time"
)]
fn epoch() -> Instant {
    Instant::now()
}

const SERVER: &str = "198.51.100.1:3478";
const USER: &str = "user";
const PASS: &str = "secret";

#[test]
fn peers_behind_symmetric_nats_connect_through_the_turn_server() {
    let t0 = epoch();
    let mut sim = Sim::new(t0, 7);
    let internet = sim.internet();
    let server: SocketAddr = SERVER.parse().unwrap();
    let server_host = sim.add_host(internet, &[server.ip()]);
    let pool: Vec<SocketAddr> = (0..8)
        .map(|i| SocketAddr::new(server.ip(), 49152 + i))
        .collect();
    let mut server_config = TurnServerConfig::new("sansrtc.test")
        .user(USER, PASS)
        .relay_pool(pool.clone());
    server_config.rng_seed = Some(sansrtc_proto::rng::seed_from_u64(77));
    let mut bindings = vec![server];
    bindings.extend(&pool);
    sim.add_endpoint(
        "turn",
        server_host,
        &bindings,
        Server::new(server_config, t0),
    );

    let mut peers: Vec<EndpointId<PeerConnection>> = Vec::new();
    for n in 1..=2u8 {
        let (_, realm) = sim.add_nat(
            internet,
            NatConfig::new(
                NatKind::Symmetric,
                format!("203.0.113.{n}").parse().unwrap(),
            ),
        );
        let local = SocketAddr::new("192.168.1.10".parse::<IpAddr>().unwrap(), 5000);
        let host = sim.add_host_with_link(
            realm,
            &[local.ip()],
            LinkConfig::ideal().delay(Duration::from_millis(10)),
        );
        let config = Config {
            stun_servers: vec![server],
            turn_servers: vec![TurnServer::udp(server, USER, PASS)],
            rng_seed: Some(sansrtc_proto::rng::seed_from_u64(u64::from(n))),
            ..Config::default()
        };
        let mut pc = PeerConnection::new(config, t0).unwrap();
        pc.add_local_addresses(t0, &[local]);
        peers.push(sim.add_endpoint(if n == 1 { "a" } else { "b" }, host, &[local], pc));
    }
    let (a, b) = (peers[0], peers[1]);
    // Gather everything first, then offer and answer with every candidate inside.
    sim.run_until(Duration::from_secs(30), |sim| {
        [a, b]
            .iter()
            .all(|&x| sim.events(x).contains(&Event::IceGatheringComplete))
    })
    .expect("gathering completes");
    for id in [a, b] {
        assert!(
            sim.events(id)
                .iter()
                .any(|e| matches!(e, Event::IceCandidate(c) if c.kind == CandidateKind::Relayed)),
            "a relayed candidate was gathered"
        );
    }
    let channel = sim.with_endpoint(a, |pc, now| {
        pc.create_data_channel(now, ChannelConfig::default())
    });
    let offer = sim.with_endpoint(a, |pc, now| {
        let offer = pc.create_offer().unwrap();
        pc.set_local_description(now, SdpType::Offer, &offer)
            .unwrap();
        offer
    });
    assert!(offer.contains("typ relay"), "{offer}");
    let answer = sim.with_endpoint(b, |pc, now| {
        pc.set_remote_description(now, SdpType::Offer, &offer)
            .unwrap();
        let answer = pc.create_answer().unwrap();
        pc.set_local_description(now, SdpType::Answer, &answer)
            .unwrap();
        answer
    });
    sim.with_endpoint(a, |pc, now| {
        pc.set_remote_description(now, SdpType::Answer, &answer)
            .unwrap();
        pc.end_of_remote_candidates(now);
    });
    sim.with_endpoint(b, |pc, now| pc.end_of_remote_candidates(now));
    sim.run_until(Duration::from_secs(60), |sim| {
        sim.events(a).contains(&Event::ChannelOpen(channel))
            && sim
                .events(b)
                .iter()
                .any(|e| matches!(e, Event::DataChannel(_)))
    })
    .unwrap_or_else(|e| {
        panic!(
            "no channel: {e}: {:?} {:?}",
            sim.endpoint(a),
            sim.endpoint(b)
        )
    });
    let theirs = sim
        .events(b)
        .iter()
        .find_map(|e| match e {
            Event::DataChannel(id) => Some(*id),
            _ => None,
        })
        .unwrap();
    sim.with_endpoint(a, |pc, now| {
        pc.send(
            now,
            channel,
            MessageKind::Text,
            b"through the relay".to_vec(),
        )
        .unwrap();
    });
    sim.with_endpoint(b, |pc, now| {
        pc.send(now, theirs, MessageKind::Binary, vec![7; 50_000])
            .unwrap();
    });
    let got = |events: &[Event]| {
        events
            .iter()
            .filter_map(|e| match e {
                Event::ChannelMessage { data, .. } => Some(data.clone()),
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    sim.run_until(Duration::from_secs(30), |sim| {
        !got(sim.events(a)).is_empty() && !got(sim.events(b)).is_empty()
    })
    .expect("messages both ways");
    assert_eq!(got(sim.events(b)), [b"through the relay".to_vec()]);
    assert_eq!(got(sim.events(a)), [vec![7; 50_000]]);
    for id in [a, b] {
        assert_eq!(
            sim.endpoint(id).connection_state(),
            ConnectionState::Connected
        );
    }
}
