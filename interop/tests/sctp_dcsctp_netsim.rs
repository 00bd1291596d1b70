//! Our SCTP association against Google's dcSCTP (the `dcsctp` crate, Chrome's SCTP) on the
//! simulated network (`sansrtc-netsim`): both are Sans-IO, so each runs as a netsim endpoint,
//! and the path between them has 20 ms one-way delay and, on our access link (both
//! directions), loss, 2% duplication, 5% reordering and jitter that reorders. Set-up either
//! way, bulk transfer on ordered and unordered streams, partial reliability, and stream reset
//! (how data channels close) must all survive it.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use dcsctp::api::{
    DcSctpSocket, Message as DcMessage, Options, PpId, SendOptions, SocketEvent, SocketTime,
    StreamId,
};
use sansrtc_netsim::{EndpointId, LinkConfig, Sim};
use sansrtc_proto::{Protocol, Receive, SansIo, Transmit};
use sansrtc_sctp::association::{self, Association, Config, PartialReliability};

#[expect(
    clippy::disallowed_methods,
    reason = "tests pick one real Instant as the epoch of virtual time"
)]
fn epoch() -> Instant {
    Instant::now()
}

const OURS: &str = "192.0.2.1:5000";
const THEIRS: &str = "192.0.2.2:5000";

fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

/// Our association with the addresses netsim routes by (the DTLS transport below would supply
/// them in WebRTC).
struct Ours {
    association: Association,
}

impl SansIo for Ours {
    type Event = association::Event;
    type Error = association::Error;

    fn handle_receive(&mut self, now: Instant, r: Receive<'_>) -> Result<(), Self::Error> {
        self.association.handle_receive(now, r)
    }

    fn poll_transmit(&mut self, now: Instant, buf: &mut Vec<u8>) -> Option<Transmit> {
        let mut t = self.association.poll_transmit(now, buf)?;
        t.source = sa(OURS);
        t.destination = sa(THEIRS);
        Some(t)
    }

    fn poll_event(&mut self) -> Option<Self::Event> {
        self.association.poll_event()
    }

    fn poll_timeout(&self) -> Option<Instant> {
        self.association.poll_timeout()
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.association.handle_timeout(now);
    }
}

/// What dcSCTP reports, as netsim events.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Theirs {
    Connected,
    Message(u16, Vec<u8>),
    IncomingReset(Vec<u16>),
    ResetPerformed(Vec<u16>),
    Ended(String),
}

/// A dcSCTP socket as a Sans-IO endpoint: its `SendPacket` events become transmits, its
/// clock is advanced to netsim's virtual time on every call.
struct Dc {
    socket: Box<dyn DcSctpSocket>,
    origin: Instant,
    packets: VecDeque<Vec<u8>>,
    events: VecDeque<Theirs>,
}

impl Dc {
    fn new(origin: Instant, options: &Options) -> Self {
        Self {
            socket: dcsctp::new_socket("dcsctp", options),
            origin,
            packets: VecDeque::new(),
            events: VecDeque::new(),
        }
    }

    fn advance(&mut self, now: Instant) {
        self.socket
            .advance_time(SocketTime::zero() + now.saturating_duration_since(self.origin));
    }

    /// Moves dcSCTP's events into packets to send and events to report.
    fn drain(&mut self) {
        while let Some(event) = self.socket.poll_event() {
            match event {
                SocketEvent::SendPacket(p) => self.packets.push_back(p),
                SocketEvent::OnConnected() => self.events.push_back(Theirs::Connected),
                SocketEvent::OnIncomingStreamReset(s) => self
                    .events
                    .push_back(Theirs::IncomingReset(s.iter().map(|s| s.0).collect())),
                SocketEvent::OnStreamsResetPerformed(s) => self
                    .events
                    .push_back(Theirs::ResetPerformed(s.iter().map(|s| s.0).collect())),
                SocketEvent::OnAborted(kind, reason) => self
                    .events
                    .push_back(Theirs::Ended(format!("aborted {kind:?}: {reason}"))),
                SocketEvent::OnError(kind, reason) => self
                    .events
                    .push_back(Theirs::Ended(format!("error {kind:?}: {reason}"))),
                _ => {}
            }
        }
        while let Some(m) = self.socket.get_next_message() {
            self.events
                .push_back(Theirs::Message(m.stream_id.0, m.payload));
        }
    }
}

impl SansIo for Dc {
    type Event = Theirs;
    type Error = std::convert::Infallible;

    fn handle_receive(&mut self, now: Instant, r: Receive<'_>) -> Result<(), Self::Error> {
        self.advance(now);
        self.socket.handle_input(r.contents);
        self.drain();
        Ok(())
    }

    fn poll_transmit(&mut self, now: Instant, buf: &mut Vec<u8>) -> Option<Transmit> {
        self.advance(now);
        self.drain();
        let packet = self.packets.pop_front()?;
        buf.clear();
        buf.extend_from_slice(&packet);
        Some(Transmit {
            proto: Protocol::Udp,
            source: sa(THEIRS),
            destination: sa(OURS),
            size: packet.len(),
        })
    }

    fn poll_event(&mut self) -> Option<Theirs> {
        self.drain();
        self.events.pop_front()
    }

    fn poll_timeout(&self) -> Option<Instant> {
        let t = self.socket.poll_timeout();
        (t != SocketTime::infinite_future()).then(|| self.origin + (t - SocketTime::zero()))
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.advance(now);
        self.drain();
    }
}

fn lossy_link(loss: f64) -> LinkConfig {
    let mut link = LinkConfig::default();
    link.delay = Duration::from_millis(10);
    link.jitter = Duration::from_millis(5);
    link.jitter_reorders = true;
    link.loss = loss;
    link.duplicate = 0.02;
    link.reorder = 0.05;
    link.reorder_delay = Duration::from_millis(15);
    link
}

struct Net {
    sim: Sim,
    ours: EndpointId<Ours>,
    theirs: EndpointId<Dc>,
}

/// The two on a path with `loss` each way; `we_connect` picks who sends the INIT.
fn connected(seed: u64, loss: f64, we_connect: bool) -> Net {
    let t0 = epoch();
    let mut sim = Sim::new(t0, seed);
    let internet = sim.internet();
    let our_host = sim.add_host_with_link(internet, &[sa(OURS).ip()], lossy_link(loss));
    let mut their_link = LinkConfig::ideal();
    their_link.delay = Duration::from_millis(10);
    let their_host = sim.add_host_with_link(internet, &[sa(THEIRS).ip()], their_link);
    let config = Config {
        rng_seed: Some(sansrtc_proto::rng::seed_from_u64(seed)),
        max_message_size: 1 << 20,
        ..Config::default()
    };
    let options = Options {
        mtu: 1200,
        max_message_size: 1 << 20,
        ..Options::default()
    };
    let ours = sim.add_endpoint(
        "ours",
        our_host,
        &[sa(OURS)],
        Ours {
            association: Association::new(config, t0),
        },
    );
    let theirs = sim.add_endpoint("dcsctp", their_host, &[sa(THEIRS)], Dc::new(t0, &options));
    if we_connect {
        sim.with_endpoint(ours, |o, now| o.association.connect(now));
    } else {
        sim.with_endpoint(theirs, |d, now| {
            d.advance(now);
            d.socket.connect();
        });
    }
    let mut net = Net { sim, ours, theirs };
    net.sim
        .run_until(Duration::from_secs(600), |sim| {
            sim.endpoint(ours).association.is_established()
                && sim.events(theirs).contains(&Theirs::Connected)
        })
        .unwrap_or_else(|e| panic!("seed {seed}: no association: {e}"));
    net
}

impl Net {
    fn ours_got(&self, stream: u16) -> Vec<Vec<u8>> {
        self.sim
            .events(self.ours)
            .iter()
            .filter_map(|e| match e {
                association::Event::Message(m) if m.stream == stream => Some(m.data.clone()),
                _ => None,
            })
            .collect()
    }

    fn theirs_got(&self, stream: u16) -> Vec<Vec<u8>> {
        self.sim
            .events(self.theirs)
            .iter()
            .filter_map(|e| match e {
                Theirs::Message(s, data) if *s == stream => Some(data.clone()),
                _ => None,
            })
            .collect()
    }

    fn dc_send(&mut self, stream: u16, unordered: bool, data: Vec<u8>, opts: SendOptions) {
        self.sim.with_endpoint(self.theirs, |d, now| {
            d.advance(now);
            d.socket
                .send(
                    DcMessage::new(StreamId(stream), PpId(53), data),
                    &SendOptions { unordered, ..opts },
                )
                .expect("dcSCTP takes the message");
        });
    }

    fn assert_clean(&self) {
        let ended: Vec<&Theirs> = self
            .sim
            .events(self.theirs)
            .iter()
            .filter(|e| matches!(e, Theirs::Ended(_)))
            .collect();
        assert!(ended.is_empty(), "dcSCTP: {ended:?}");
        assert!(self.sim.endpoint(self.ours).association.is_established());
    }
}

fn payload(n: usize, len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 + n * 7 + len) as u8).collect()
}

const SIZES: [usize; 8] = [1, 100, 1199, 1200, 5000, 20_000, 65_536, 300_000];

#[test]
fn bulk_both_ways_through_loss_reordering_and_duplication() {
    for (seed, loss, we_connect) in [(1, 0.0, true), (2, 0.05, false), (3, 0.10, true)] {
        let mut net = connected(seed, loss, we_connect);
        let mut sent_ordered = Vec::new();
        let mut sent_unordered = Vec::new();
        for n in 0..40 {
            let data = payload(n, SIZES[n % SIZES.len()]);
            let unordered = n % 3 == 0;
            let stream = if unordered { 2 } else { 1 };
            net.sim.with_endpoint(net.ours, |o, _| {
                o.association
                    .send(stream, 53, unordered, data.clone())
                    .unwrap();
            });
            net.dc_send(stream, unordered, data.clone(), SendOptions::default());
            if unordered {
                sent_unordered.push(data);
            } else {
                sent_ordered.push(data);
            }
        }
        let total = sent_ordered.len() + sent_unordered.len();
        net.sim
            .run_until(Duration::from_secs(3600), |sim| {
                let ours = sim
                    .events(net.ours)
                    .iter()
                    .filter(|e| matches!(e, association::Event::Message(_)))
                    .count();
                let theirs = sim
                    .events(net.theirs)
                    .iter()
                    .filter(|e| matches!(e, Theirs::Message(..)))
                    .count();
                ours == total && theirs == total
            })
            .unwrap_or_else(|e| panic!("seed {seed} loss {loss}: {e}"));
        for got in [net.ours_got(1), net.theirs_got(1)] {
            assert_eq!(got, sent_ordered, "seed {seed}: ordered, in order, whole");
        }
        for mut got in [net.ours_got(2), net.theirs_got(2)] {
            let mut want = sent_unordered.clone();
            got.sort();
            want.sort();
            assert_eq!(got, want, "seed {seed}: unordered, each exactly once");
        }
        net.assert_clean();
    }
}

#[test]
fn partial_reliability_both_ways_through_loss() {
    let mut net = connected(10, 0.10, true);
    let sent: Vec<Vec<u8>> = (0..60).map(|n| payload(n, 2500)).collect();
    for (n, data) in sent.iter().enumerate() {
        net.sim.with_endpoint(net.ours, |o, now| {
            o.association.send(1, 53, false, payload(n, 200)).unwrap();
            o.association
                .send_with(
                    now,
                    3,
                    53,
                    n % 2 == 0,
                    data.clone(),
                    PartialReliability::MaxRetransmits(0),
                )
                .unwrap();
        });
        net.dc_send(1, false, payload(n, 200), SendOptions::default());
        net.dc_send(
            3,
            n % 2 == 0,
            data.clone(),
            SendOptions {
                max_retransmissions: Some(0),
                ..SendOptions::default()
            },
        );
    }
    let reliable: Vec<Vec<u8>> = (0..60).map(|n| payload(n, 200)).collect();
    net.sim
        .run_until(Duration::from_secs(3600), |sim| {
            let theirs = sim
                .events(net.theirs)
                .iter()
                .filter(|e| matches!(e, Theirs::Message(1, _)))
                .count();
            let ours = sim
                .events(net.ours)
                .iter()
                .filter(|e| matches!(e, association::Event::Message(m) if m.stream == 1))
                .count();
            theirs == 60
                && ours == 60
                && sim.endpoint(net.ours).association.unacknowledged_chunks() == 0
        })
        .unwrap();
    assert_eq!(net.ours_got(1), reliable);
    assert_eq!(net.theirs_got(1), reliable);
    for got in [net.ours_got(3), net.theirs_got(3)] {
        assert!(got.len() < 60, "at 10% loss some were given up");
        assert!(
            got.iter().all(|m| sent.contains(m)),
            "only whole sent messages"
        );
        let mut unique = got.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), got.len(), "each at most once");
    }
    net.assert_clean();
}

#[test]
fn a_stream_reset_both_ways_through_loss() {
    for seed in 20..23 {
        let mut net = connected(seed, 0.10, seed % 2 == 0);
        for n in 0..5 {
            net.sim.with_endpoint(net.ours, |o, _| {
                o.association.send(4, 53, false, payload(n, 3000)).unwrap();
            });
            net.dc_send(4, false, payload(n, 3000), SendOptions::default());
        }
        net.sim.with_endpoint(net.ours, |o, now| {
            o.association.reset_streams(now, &[4]).unwrap();
        });
        net.sim
            .run_until(Duration::from_secs(600), |sim| {
                sim.events(net.theirs)
                    .contains(&Theirs::IncomingReset(vec![4]))
            })
            .unwrap_or_else(|e| panic!("seed {seed}: dcSCTP saw no reset: {e}"));
        net.sim.with_endpoint(net.theirs, |d, now| {
            d.advance(now);
            d.socket.reset_streams(&[StreamId(4)]).unwrap();
        });
        net.sim
            .run_until(Duration::from_secs(600), |sim| {
                sim.events(net.ours)
                    .contains(&association::Event::IncomingStreamsReset(vec![4]))
                    && sim
                        .events(net.theirs)
                        .contains(&Theirs::ResetPerformed(vec![4]))
                    && sim
                        .events(net.ours)
                        .contains(&association::Event::OutgoingStreamsReset(vec![4]))
            })
            .unwrap_or_else(|e| panic!("seed {seed}: resets not done: {e}"));
        let before: Vec<Vec<u8>> = (0..5).map(|n| payload(n, 3000)).collect();
        assert_eq!(
            net.theirs_got(4),
            before,
            "seed {seed}: our data before the reset"
        );
        // The stream again, from sequence number 0, both ways.
        net.sim.with_endpoint(net.ours, |o, _| {
            o.association.send(4, 53, false, b"again".to_vec()).unwrap();
        });
        net.dc_send(4, false, b"again too".to_vec(), SendOptions::default());
        net.sim
            .run_until(Duration::from_secs(600), |sim| {
                sim.events(net.theirs)
                    .contains(&Theirs::Message(4, b"again".to_vec()))
                    && sim.events(net.ours).iter().any(
                        |e| matches!(e, association::Event::Message(m) if m.data == b"again too"),
                    )
            })
            .unwrap_or_else(|e| panic!("seed {seed}: stream not usable again: {e}"));
        net.assert_clean();
    }
}
