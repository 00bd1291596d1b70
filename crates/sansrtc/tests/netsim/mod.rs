//! What the PeerConnection tests on the simulated network share: two connections on
//! `sansrtc-netsim` with a 10 ms link, a signaling channel that trickles candidates, offer
//! and answer (or the direct API), and a data channel exchange checked both ways.

#![allow(
    dead_code,
    reason = "each test crate that includes this module uses a part of it"
)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use sansrtc::{
    ChannelConfig, ChannelId, Config, DtlsRole, Event, IceRole, MessageKind, OfferOptions,
    PeerConnection, RemoteParameters, SdpType,
};
use sansrtc_netsim::{EndpointId, LinkConfig, Sim};

#[expect(
    clippy::disallowed_methods,
    reason = "tests pick one real Instant as the epoch of virtual time"
)]
pub(crate) fn epoch() -> Instant {
    Instant::now()
}

pub(crate) const A: &str = "10.0.0.1:5000";
pub(crate) const B: &str = "10.0.0.2:5000";

pub(crate) fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

pub(crate) struct Net {
    pub(crate) sim: Sim,
    pub(crate) a: EndpointId<PeerConnection>,
    pub(crate) b: EndpointId<PeerConnection>,
    /// Events of each side already looked at for trickling.
    pub(crate) trickled: (usize, usize),
}

pub(crate) fn config(seed: u64) -> Config {
    Config {
        rng_seed: Some(sansrtc_proto::rng::seed_from_u64(seed)),
        ..Config::default()
    }
}

pub(crate) fn net(seed: u64, loss: f64) -> Net {
    net_with(seed, loss, config(seed), config(seed + 100))
}

/// A pair with these settings for `a` and `b`.
pub(crate) fn net_with(seed: u64, loss: f64, a_config: Config, b_config: Config) -> Net {
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
    pub(crate) fn trickle(&mut self) {
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
    pub(crate) fn run(
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

    pub(crate) fn offer_answer(&mut self) {
        self.exchange_descriptions(true, OfferOptions::default());
    }

    /// One offer/answer exchange, `a` offering or `b`.
    pub(crate) fn exchange_descriptions(&mut self, a_offers: bool, options: OfferOptions) {
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

pub(crate) fn messages(events: &[Event], channel: ChannelId) -> Vec<(MessageKind, Vec<u8>)> {
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

pub(crate) fn incoming(events: &[Event]) -> Option<ChannelId> {
    events.iter().find_map(|e| match e {
        Event::DataChannel(id) => Some(*id),
        _ => None,
    })
}

/// Opens a channel from a, waits for it on b, and echoes messages both ways.
pub(crate) fn exchange(net: &mut Net, label: &str) {
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

/// Connects `net` with the direct API, `a` taking `a_role` in DTLS.
pub(crate) fn direct(net: &mut Net, a_role: DtlsRole) {
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
