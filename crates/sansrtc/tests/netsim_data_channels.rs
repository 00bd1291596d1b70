//! Two PeerConnections on the simulated network (`sansrtc-netsim`): offer and answer with
//! trickled candidates, or the direct API; ICE, DTLS and SCTP come up, and data channels
//! carry messages both ways, also at 5% loss.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use sansrtc::{
    ChannelConfig, ChannelId, Config, ConnectionState, DtlsRole, Event, IceRole, MessageKind,
    OfferOptions, PeerConnection, RemoteParameters, SdpType, SignalingState, SrtpProfileId,
};
use sansrtc_netsim::{EndpointId, LinkConfig, Sim};

#[expect(
    clippy::disallowed_methods,
    reason = "tests pick one real Instant as the epoch of virtual time"
)]
fn epoch() -> Instant {
    Instant::now()
}

const A: &str = "10.0.0.1:5000";
const B: &str = "10.0.0.2:5000";

fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

struct Net {
    sim: Sim,
    a: EndpointId<PeerConnection>,
    b: EndpointId<PeerConnection>,
    /// Events of each side already looked at for trickling.
    trickled: (usize, usize),
}

fn config(seed: u64) -> Config {
    Config {
        rng_seed: Some(sansrtc_proto::rng::seed_from_u64(seed)),
        ..Config::default()
    }
}

fn net(seed: u64, loss: f64) -> Net {
    net_with(seed, loss, config(seed), config(seed + 100))
}

/// A pair with these settings for `a` and `b`.
fn net_with(seed: u64, loss: f64, a_config: Config, b_config: Config) -> Net {
    let t0 = epoch();
    let mut sim = Sim::new(t0, seed);
    let internet = sim.internet();
    let mut link = LinkConfig::ideal();
    link.delay = Duration::from_millis(10);
    link.loss = loss;
    let a_host = sim.add_host_with_link(internet, &[sa(A).ip()], link.clone());
    let b_host = sim.add_host_with_link(internet, &[sa(B).ip()], link);
    let a = sim.add_endpoint(
        "a",
        a_host,
        &[sa(A)],
        PeerConnection::new(a_config, t0).unwrap(),
    );
    let b = sim.add_endpoint(
        "b",
        b_host,
        &[sa(B)],
        PeerConnection::new(b_config, t0).unwrap(),
    );
    sim.with_endpoint(a, |pc, now| pc.add_local_addresses(now, &[sa(A)]));
    sim.with_endpoint(b, |pc, now| pc.add_local_addresses(now, &[sa(B)]));
    Net {
        sim,
        a,
        b,
        trickled: (0, 0),
    }
}

impl Net {
    /// Passes new local candidates of each side to the other, as a signaling channel would.
    fn trickle(&mut self) {
        for from_a in [true, false] {
            let (from, to) = if from_a {
                (self.a, self.b)
            } else {
                (self.b, self.a)
            };
            let seen = if from_a {
                &mut self.trickled.0
            } else {
                &mut self.trickled.1
            };
            let lines: Vec<String> = self.sim.events(from)[*seen..]
                .iter()
                .filter_map(|e| match e {
                    Event::IceCandidate(c) => Some(PeerConnection::candidate_line(c)),
                    _ => None,
                })
                .collect();
            *seen = self.sim.events(from).len();
            for line in lines {
                self.sim
                    .with_endpoint(to, |pc, now| pc.add_ice_candidate(now, &line).unwrap());
            }
        }
    }

    /// Runs until `done`, trickling every 5 ms of virtual time.
    fn run(
        &mut self,
        limit: Duration,
        done: impl Fn(&Sim, EndpointId<PeerConnection>, EndpointId<PeerConnection>) -> bool,
    ) -> bool {
        let end = self.sim.elapsed() + limit;
        while self.sim.elapsed() < end {
            self.trickle();
            if done(&self.sim, self.a, self.b) {
                return true;
            }
            let _ = self.sim.run_for(Duration::from_millis(5));
        }
        false
    }

    fn offer_answer(&mut self) {
        self.exchange_descriptions(true, OfferOptions::default());
    }

    /// One offer/answer exchange, `a` offering or `b`.
    fn exchange_descriptions(&mut self, a_offers: bool, options: OfferOptions) {
        let (offerer, answerer) = if a_offers {
            (self.a, self.b)
        } else {
            (self.b, self.a)
        };
        let offer = self.sim.with_endpoint(offerer, |pc, now| {
            let offer = pc.create_offer_with(now, options).unwrap();
            pc.set_local_description(now, SdpType::Offer, &offer)
                .unwrap();
            offer
        });
        let answer = self.sim.with_endpoint(answerer, |pc, now| {
            pc.set_remote_description(now, SdpType::Offer, &offer)
                .unwrap();
            let answer = pc.create_answer().unwrap();
            pc.set_local_description(now, SdpType::Answer, &answer)
                .unwrap();
            answer
        });
        self.sim.with_endpoint(offerer, |pc, now| {
            pc.set_remote_description(now, SdpType::Answer, &answer)
                .unwrap();
        });
    }
}

fn messages(events: &[Event], channel: ChannelId) -> Vec<(MessageKind, Vec<u8>)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::ChannelMessage {
                channel: c,
                kind,
                data,
            } if *c == channel => Some((*kind, data.clone())),
            _ => None,
        })
        .collect()
}

fn incoming(events: &[Event]) -> Option<ChannelId> {
    events.iter().find_map(|e| match e {
        Event::DataChannel(id) => Some(*id),
        _ => None,
    })
}

/// Opens a channel from a, waits for it on b, and echoes messages both ways.
fn exchange(net: &mut Net, label: &str) {
    let before_b = net.sim.events(net.b).len();
    let ours = net.sim.with_endpoint(net.a, |pc, now| {
        pc.create_data_channel(
            now,
            ChannelConfig {
                label: label.to_owned(),
                ..ChannelConfig::default()
            },
        )
    });
    assert!(
        net.run(Duration::from_secs(60), |sim, a, b| {
            sim.events(a).contains(&Event::ChannelOpen(ours))
                && incoming(&sim.events(b)[before_b..]).is_some()
        }),
        "channel open: a {:?} b {:?}",
        net.sim.endpoint(net.a),
        net.sim.endpoint(net.b)
    );
    let theirs = net.sim.events(net.b)[before_b..]
        .iter()
        .find_map(|e| match e {
            Event::DataChannel(id) => Some(*id),
            _ => None,
        })
        .unwrap();
    assert_eq!(
        net.sim
            .endpoint(net.b)
            .channel(theirs)
            .unwrap()
            .config
            .label,
        label
    );
    let sent: Vec<(MessageKind, Vec<u8>)> = (0..20)
        .map(|n| {
            if n % 2 == 0 {
                (MessageKind::Text, format!("text {n}").into_bytes())
            } else {
                (MessageKind::Binary, vec![n as u8; 100 + n * 5000])
            }
        })
        .collect();
    for (kind, data) in &sent {
        net.sim.with_endpoint(net.a, |pc, now| {
            pc.send(now, ours, *kind, data.clone()).unwrap()
        });
        net.sim.with_endpoint(net.b, |pc, now| {
            pc.send(now, theirs, *kind, data.clone()).unwrap()
        });
    }
    assert!(net.run(Duration::from_secs(120), |sim, a, b| {
        messages(sim.events(b), theirs).len() == sent.len()
            && messages(sim.events(a), ours).len() == sent.len()
    }));
    assert_eq!(messages(net.sim.events(net.b), theirs), sent);
    assert_eq!(messages(net.sim.events(net.a), ours), sent);
}

#[test]
fn offer_and_answer_with_trickle_connect_and_carry_data_both_ways() {
    let mut net = net(1, 0.0);
    net.offer_answer();
    exchange(&mut net, "chat");
    for id in [net.a, net.b] {
        assert_eq!(
            net.sim.endpoint(id).connection_state(),
            ConnectionState::Connected
        );
    }
    // Statistics as getStats() would give them.
    let stats = net.sim.endpoint(net.a).stats();
    assert_eq!(stats.transport.dtls_state, "connected");
    assert_eq!(stats.transport.tls_version, Some("FEFD"));
    assert_eq!(stats.transport.dtls_role, Some("server"));
    assert_eq!(stats.transport.ice_role, "controlling");
    assert!(stats.transport.packets_sent > 20 && stats.transport.bytes_received > 100_000);
    let selected = stats.transport.selected_candidate_pair.unwrap();
    assert!(stats.candidate_pairs[selected].nominated);
    assert_eq!(stats.peer_connection.data_channels_opened, 1);
    let chat = &stats.data_channels[0];
    assert_eq!((chat.label.as_str(), chat.state), ("chat", "open"));
    assert_eq!((chat.messages_sent, chat.messages_received), (20, 20));
    assert_eq!(chat.bytes_sent, chat.bytes_received);
    // The answerer took the DTLS client role (a=setup:active), the offerer the server role.
    assert_eq!(
        net.sim.endpoint(net.a).negotiated().unwrap().dtls_role,
        DtlsRole::Server
    );
    assert_eq!(
        net.sim.endpoint(net.b).negotiated().unwrap().dtls_role,
        DtlsRole::Client
    );
}

#[test]
fn the_direct_api_connects_without_sdp() {
    let mut net = net(2, 0.0);
    direct(&mut net, DtlsRole::Client);
    exchange(&mut net, "direct");
}

#[test]
fn a_connection_survives_five_percent_loss() {
    for seed in 10..13 {
        let mut net = net(seed, 0.05);
        net.offer_answer();
        exchange(&mut net, "lossy");
    }
}

#[test]
fn renegotiation_and_ice_restarts_from_either_side_keep_channels_working() {
    let mut net = net(20, 0.0);
    net.offer_answer();
    exchange(&mut net, "first");
    // A second offer/answer on the same transport, then a channel opened after it.
    net.exchange_descriptions(true, OfferOptions::default());
    exchange(&mut net, "after renegotiation");
    // ICE restarts, offered by b and then by a: new credentials, and data still flows.
    for a_offers in [false, true] {
        let before = (
            net.sim.endpoint(net.a).local_parameters().ice,
            net.sim.endpoint(net.b).local_parameters().ice,
        );
        net.exchange_descriptions(a_offers, OfferOptions::ice_restart());
        let after = (
            net.sim.endpoint(net.a).local_parameters().ice,
            net.sim.endpoint(net.b).local_parameters().ice,
        );
        assert_ne!(before.0, after.0, "a has new ICE credentials");
        assert_ne!(before.1, after.1, "b has new ICE credentials");
        for id in [net.a, net.b] {
            assert_eq!(
                net.sim.endpoint(id).signaling_state(),
                SignalingState::Stable
            );
        }
        exchange(&mut net, "after restart");
        let connected = net.run(Duration::from_secs(10), |sim, a, b| {
            [a, b].iter().all(|&id| {
                sim.events(id)
                    .iter()
                    .rev()
                    .find_map(|e| match e {
                        Event::IceConnectionState(s) => Some(*s),
                        _ => None,
                    })
                    .is_some_and(|s| {
                        matches!(
                            s,
                            sansrtc_ice::ConnectionState::Connected
                                | sansrtc_ice::ConnectionState::Completed
                        )
                    })
            })
        });
        assert!(connected, "ICE connected again after the restart");
    }
}

/// Connects `net` with the direct API, `a` taking `a_role` in DTLS.
fn direct(net: &mut Net, a_role: DtlsRole) {
    let a_params = net.sim.endpoint(net.a).local_parameters();
    let b_params = net.sim.endpoint(net.b).local_parameters();
    let remote = |p: sansrtc::LocalParameters| RemoteParameters {
        ice: p.ice,
        fingerprints: vec![p.fingerprint],
        max_message_size: 262_144,
    };
    let b_role = match a_role {
        DtlsRole::Client => DtlsRole::Server,
        DtlsRole::Server => DtlsRole::Client,
    };
    net.sim.with_endpoint(net.a, |pc, now| {
        pc.set_remote_parameters(now, remote(b_params), IceRole::Controlling, a_role);
    });
    net.sim.with_endpoint(net.b, |pc, now| {
        pc.set_remote_parameters(now, remote(a_params), IceRole::Controlled, b_role);
    });
}

#[test]
fn each_srtp_profile_is_negotiated_in_each_dtls_role() {
    let profiles = [
        SrtpProfileId::AEAD_AES_128_GCM,
        SrtpProfileId::AEAD_AES_256_GCM,
        SrtpProfileId::AES128_CM_HMAC_SHA1_80,
    ];
    for (n, profile) in profiles.into_iter().enumerate() {
        for a_role in [DtlsRole::Client, DtlsRole::Server] {
            let seed = 40 + n as u64 * 2 + u64::from(a_role == DtlsRole::Server);
            // `a` offers only this profile; `b` has the default list.
            let a_config = Config {
                srtp_profiles: vec![profile],
                ..config(seed)
            };
            let mut net = net_with(seed, 0.0, a_config, config(seed + 100));
            direct(&mut net, a_role);
            exchange(&mut net, "srtp");
            for (id, role) in [
                (net.a, a_role),
                (
                    net.b,
                    if a_role == DtlsRole::Client {
                        DtlsRole::Server
                    } else {
                        DtlsRole::Client
                    },
                ),
            ] {
                let negotiated = net.sim.endpoint(id).negotiated().unwrap();
                assert_eq!(
                    negotiated.srtp_profile,
                    Some(profile),
                    "{profile:?} {a_role:?}"
                );
                assert_eq!(negotiated.dtls_role, role);
            }
        }
    }
    // Two defaults: our first preference.
    let mut net = net(50, 0.0);
    net.offer_answer();
    exchange(&mut net, "default");
    assert_eq!(
        net.sim.endpoint(net.a).negotiated().unwrap().srtp_profile,
        Some(SrtpProfileId::AEAD_AES_128_GCM)
    );
}
