//! Two data channel endpoints over two SCTP associations, back to back in memory in virtual
//! time: channels opened in-band and pre-negotiated, every message kind, ordering and partial
//! reliability, the maximum message size, buffered amount, closing by stream reset, 1,000
//! channels opened and closed, and what a hostile peer sends.

use std::time::{Duration, Instant};

use sansrtc_datachannel::wire::{Message as Dcep, OpenRepr, Ppid, Reliability};
use sansrtc_datachannel::{
    ChannelConfig, ChannelId, ChannelState, DataChannels, DtlsRole, Error, Event, MessageKind,
};
use sansrtc_proto::{Protocol, Receive, SansIo};
use sansrtc_sctp::association::{Association, Config};

#[expect(
    clippy::disallowed_methods,
    reason = "an arbitrary origin for virtual time"
)]
fn start() -> Instant {
    Instant::now()
}

fn rx(contents: &[u8]) -> Receive<'_> {
    let addr = "127.0.0.1:5000".parse().unwrap();
    Receive {
        proto: Protocol::Udp,
        source: addr,
        destination: addr,
        contents,
    }
}

struct Pair {
    /// The DTLS client side.
    a: DataChannels,
    /// The DTLS server side.
    b: DataChannels,
    now: Instant,
    events_a: Vec<Event>,
    events_b: Vec<Event>,
    /// Loss: drop the n-th datagram (both ways counted) when this says so.
    drop: Box<dyn FnMut(u64) -> bool>,
    sent: u64,
}

impl Pair {
    fn new(seed: u64) -> Self {
        let now = start();
        let association = |s: u64| {
            let config = Config {
                rng_seed: Some(sansrtc_proto::rng::seed_from_u64(s)),
                ..Config::default()
            };
            Association::new(config, now)
        };
        Self {
            a: DataChannels::new(association(seed), DtlsRole::Client, now),
            b: DataChannels::new(association(seed + 1), DtlsRole::Server, now),
            now,
            events_a: Vec::new(),
            events_b: Vec::new(),
            drop: Box::new(|_| false),
            sent: 0,
        }
    }

    fn pass(&mut self, from_a: bool) -> bool {
        let mut buf = Vec::new();
        let mut moved = false;
        loop {
            let (from, to) = if from_a {
                (&mut self.a, &mut self.b)
            } else {
                (&mut self.b, &mut self.a)
            };
            let Some(t) = from.poll_transmit(self.now, &mut buf) else {
                break;
            };
            moved = true;
            self.sent += 1;
            if !(self.drop)(self.sent) {
                let _ = to.handle_receive(self.now, rx(&buf[..t.size]));
            }
        }
        moved
    }

    fn run(&mut self, limit: Duration, mut done: impl FnMut(&Self) -> bool) -> bool {
        let end = self.now + limit;
        loop {
            while self.pass(true) | self.pass(false) {}
            self.events_a
                .extend(std::iter::from_fn(|| self.a.poll_event()));
            self.events_b
                .extend(std::iter::from_fn(|| self.b.poll_event()));
            if done(self) {
                return true;
            }
            let next = [self.a.poll_timeout(), self.b.poll_timeout()]
                .into_iter()
                .flatten()
                .min();
            let Some(next) = next else { return false };
            if next > end {
                return false;
            }
            self.now = self.now.max(next);
            self.a.handle_timeout(self.now);
            self.b.handle_timeout(self.now);
        }
    }

    fn connect(&mut self) {
        let now = self.now;
        self.a.association_mut().connect(now);
        assert!(self.run(Duration::from_secs(10), |p| {
            p.events_a.contains(&Event::Connected) && p.events_b.contains(&Event::Connected)
        }));
    }
}

fn messages(events: &[Event]) -> Vec<(ChannelId, MessageKind, Vec<u8>)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Message {
                channel,
                kind,
                data,
            } => Some((*channel, *kind, data.clone())),
            _ => None,
        })
        .collect()
}

fn labelled(label: &str) -> ChannelConfig {
    ChannelConfig {
        label: label.to_owned(),
        ..ChannelConfig::default()
    }
}

#[test]
fn an_in_band_channel_opens_on_both_sides_with_its_label_and_options() {
    let mut p = Pair::new(1);
    p.connect();
    let config = ChannelConfig {
        label: "chat ✓".to_owned(),
        protocol: "json".to_owned(),
        ordered: false,
        reliability: Reliability::MaxRetransmits(3),
        priority: 512,
        negotiated: None,
    };
    let now = p.now;
    let id = p.a.open(now, config.clone()).unwrap();
    assert_eq!(id.0 % 2, 0, "the DTLS client picks even ids");
    assert!(p.run(Duration::from_secs(5), |p| {
        p.events_b.contains(&Event::ChannelOpen(id))
    }));
    assert!(p.events_a.contains(&Event::ChannelOpen(id)));
    let seen = p.b.channel(id).unwrap();
    assert_eq!(seen.config, config);
    assert!(seen.opened_by_peer);
    assert_eq!(seen.state, ChannelState::Open);
    assert!(!p.a.channel(id).unwrap().opened_by_peer);
}

#[test]
fn text_binary_and_empty_messages_arrive_as_sent_both_ways() {
    let mut p = Pair::new(2);
    p.connect();
    let now = p.now;
    let id = p.a.open(now, labelled("m")).unwrap();
    // As an SDP a=max-message-size:262144 would say.
    p.a.set_remote_max_message_size(262_144);
    p.b.set_remote_max_message_size(262_144);
    assert!(p.run(Duration::from_secs(5), |p| {
        p.events_b.contains(&Event::ChannelOpen(id))
    }));
    let sent = [
        (MessageKind::Text, b"hello".to_vec()),
        (MessageKind::Binary, vec![0, 1, 2, 255]),
        (MessageKind::Text, Vec::new()),
        (MessageKind::Binary, Vec::new()),
        (MessageKind::Binary, vec![7; 200_000]),
        (MessageKind::Text, "ünïcödé".as_bytes().to_vec()),
    ];
    for (kind, data) in &sent {
        p.a.send(now, id, *kind, data.clone()).unwrap();
        p.b.send(now, id, *kind, data.clone()).unwrap();
    }
    assert!(p.run(Duration::from_secs(30), |p| {
        messages(&p.events_a).len() == sent.len() && messages(&p.events_b).len() == sent.len()
    }));
    for got in [messages(&p.events_a), messages(&p.events_b)] {
        let got: Vec<_> = got
            .into_iter()
            .map(|(c, k, d)| {
                assert_eq!(c, id);
                (k, d)
            })
            .collect();
        assert_eq!(got, sent);
    }
}

#[test]
fn channels_created_before_the_association_open_when_it_connects() {
    let mut p = Pair::new(3);
    let now = p.now;
    let first = p.a.open(now, labelled("early 1")).unwrap();
    let second = p.b.open(now, labelled("early 2")).unwrap();
    assert_eq!(p.a.channel(first).unwrap().state, ChannelState::Connecting);
    p.a.send(now, first, MessageKind::Text, b"queued early".to_vec())
        .unwrap();
    p.connect();
    assert!(p.run(Duration::from_secs(5), |p| {
        p.events_a.contains(&Event::ChannelOpen(second))
            && p.events_b.contains(&Event::ChannelOpen(first))
            && !messages(&p.events_b).is_empty()
    }));
    assert!(p.events_a.contains(&Event::ChannelOpen(first)));
    assert!(p.events_b.contains(&Event::ChannelOpen(second)));
    assert_eq!(first.0 % 2, 0);
    assert_eq!(second.0 % 2, 1, "the DTLS server picks odd ids");
    assert_eq!(
        messages(&p.events_b),
        [(first, MessageKind::Text, b"queued early".to_vec())]
    );
}

/// RFC 8832 §6: the opener may send before the DATA_CHANNEL_ACK, so its announced channel
/// opens as soon as the INIT ACK is in and the COOKIE ECHO is about to carry the OPEN; a
/// message sent in answer to that event rides in the same packet, behind the OPEN. A
/// pre-negotiated channel has no OPEN to ride and waits for the association. When that
/// COOKIE ECHO is lost, its retransmission still delivers the OPEN before the message.
#[test]
fn an_announced_channel_opens_when_the_cookie_echo_carries_its_open() {
    for lose_the_first_cookie_echo in [false, true] {
        let mut p = Pair::new(21);
        let now = p.now;
        let announced = p.a.open(now, labelled("announced")).unwrap();
        let mut config = labelled("negotiated");
        config.negotiated = Some(40);
        let negotiated = p.a.open(now, config).unwrap();
        p.a.association_mut().connect(now);
        let mut buf = Vec::new();
        // INIT, then the INIT ACK: a's COOKIE ECHO is due and nothing else has moved.
        let init = p.a.poll_transmit(now, &mut buf).unwrap();
        p.b.handle_receive(now, rx(&buf[..init.size])).unwrap();
        let init_ack = p.b.poll_transmit(now, &mut buf).unwrap();
        p.a.handle_receive(now, rx(&buf[..init_ack.size])).unwrap();
        let opened: Vec<Event> = std::iter::from_fn(|| p.a.poll_event()).collect();
        assert_eq!(opened, [Event::ChannelOpen(announced)]);
        assert_eq!(p.a.channel(announced).unwrap().state, ChannelState::Open);
        assert_eq!(
            p.a.channel(negotiated).unwrap().state,
            ChannelState::Connecting
        );
        p.a.send(now, announced, MessageKind::Text, b"first".to_vec())
            .unwrap();
        let echo = p.a.poll_transmit(now, &mut buf).unwrap();
        if !lose_the_first_cookie_echo {
            p.b.handle_receive(now, rx(&buf[..echo.size])).unwrap();
            let at_b: Vec<Event> = std::iter::from_fn(|| p.b.poll_event()).collect();
            assert_eq!(
                at_b,
                [
                    Event::Connected,
                    Event::ChannelOpen(announced),
                    Event::Message {
                        channel: announced,
                        kind: MessageKind::Text,
                        data: b"first".to_vec(),
                    },
                ],
                "the OPEN and the message rode with the COOKIE ECHO"
            );
            p.events_b = at_b;
        }
        assert!(p.run(Duration::from_secs(10), |p| {
            p.events_a.contains(&Event::ChannelOpen(negotiated))
                && !messages(&p.events_b).is_empty()
        }));
        assert_eq!(
            messages(&p.events_b),
            [(announced, MessageKind::Text, b"first".to_vec())]
        );
        let position = |wanted: &dyn Fn(&Event) -> bool| p.events_b.iter().position(wanted);
        let opened_at = position(&|e| *e == Event::ChannelOpen(announced)).expect("opened");
        let message_at = position(&|e| matches!(e, Event::Message { .. })).expect("delivered");
        assert!(
            opened_at < message_at,
            "the peer learns of the channel before its first message"
        );
        assert!(
            !p.events_a.contains(&Event::ChannelOpen(announced)),
            "announced once only"
        );
    }
}

#[test]
fn a_pre_negotiated_channel_needs_no_dcep() {
    let mut p = Pair::new(4);
    let config = ChannelConfig {
        label: "negotiated".to_owned(),
        negotiated: Some(42),
        ..ChannelConfig::default()
    };
    let now = p.now;
    let a = p.a.open(now, config.clone()).unwrap();
    let b = p.b.open(now, config).unwrap();
    assert_eq!((a, b), (ChannelId(42), ChannelId(42)));
    p.connect();
    assert!(p.events_a.contains(&Event::ChannelOpen(a)));
    let now = p.now;
    p.a.send(now, a, MessageKind::Binary, vec![1, 2, 3])
        .unwrap();
    assert!(p.run(Duration::from_secs(5), |p| {
        !messages(&p.events_b).is_empty()
    }));
    assert_eq!(
        messages(&p.events_b),
        [(b, MessageKind::Binary, vec![1, 2, 3])]
    );
    assert_eq!(p.a.dropped_messages() + p.b.dropped_messages(), 0);
    // The id is taken.
    let again = ChannelConfig {
        negotiated: Some(42),
        ..ChannelConfig::default()
    };
    assert_eq!(p.a.open(now, again), Err(Error::NoStreamAvailable));
}

#[test]
fn partially_reliable_unordered_channels_lose_only_what_their_policy_allows() {
    let mut p = Pair::new(5);
    p.connect();
    let now = p.now;
    let reliable = p.a.open(now, labelled("reliable")).unwrap();
    let lossy =
        p.a.open(
            now,
            ChannelConfig {
                ordered: false,
                reliability: Reliability::MaxRetransmits(0),
                ..labelled("lossy")
            },
        )
        .unwrap();
    assert!(p.run(Duration::from_secs(5), |p| {
        p.events_b.contains(&Event::ChannelOpen(lossy))
    }));
    let mut state = 0x1234_5678_9abc_def1u64;
    p.drop = Box::new(move |_| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % 100 < 10
    });
    for n in 0..100u32 {
        let data = n.to_be_bytes().repeat(300);
        p.a.send(now, reliable, MessageKind::Binary, data.clone())
            .unwrap();
        p.a.send(now, lossy, MessageKind::Binary, data).unwrap();
    }
    let on = |p: &Pair, c: ChannelId| {
        messages(&p.events_b)
            .into_iter()
            .filter(|m| m.0 == c)
            .map(|m| m.2)
            .collect::<Vec<_>>()
    };
    assert!(
        p.run(Duration::from_secs(600), |p| on(p, reliable).len() == 100
            && p.a.association().unacknowledged_chunks() == 0)
    );
    let expected: Vec<Vec<u8>> = (0..100u32).map(|n| n.to_be_bytes().repeat(300)).collect();
    assert_eq!(on(&p, reliable), expected, "reliable and ordered");
    let lossy_got = on(&p, lossy);
    assert!(lossy_got.len() < 100, "at 10% loss some were given up");
    let mut unique = lossy_got.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), lossy_got.len(), "each at most once");
    assert!(
        lossy_got.iter().all(|m| expected.contains(m)),
        "only whole messages"
    );
}

#[test]
fn messages_past_the_peers_max_message_size_are_refused() {
    let mut p = Pair::new(6);
    p.connect();
    let now = p.now;
    let id = p.a.open(now, labelled("big")).unwrap();
    assert_eq!(p.a.max_message_size(), 65_536, "RFC 8841 default");
    p.a.set_remote_max_message_size(1000);
    assert_eq!(
        p.a.send(now, id, MessageKind::Binary, vec![0; 1001]),
        Err(Error::MessageTooLarge)
    );
    p.a.send(now, id, MessageKind::Binary, vec![0; 1000])
        .unwrap();
    p.a.set_remote_max_message_size(0);
    assert_eq!(p.a.max_message_size(), p.a.association().max_message_size());
}

#[test]
fn buffered_amount_falls_and_reports_its_low_threshold() {
    let mut p = Pair::new(7);
    p.connect();
    let now = p.now;
    let id = p.a.open(now, labelled("flow")).unwrap();
    p.a.set_buffered_amount_low_threshold(id, 10_000);
    for _ in 0..20 {
        p.a.send(now, id, MessageKind::Binary, vec![1; 10_000])
            .unwrap();
    }
    assert!(p.a.buffered_amount(id) > 100_000);
    assert!(p.run(Duration::from_secs(30), |p| {
        p.events_a.contains(&Event::BufferedAmountLow(id))
    }));
    assert!(
        p.run(Duration::from_secs(30), |p| messages(&p.events_b).len()
            == 20)
    );
    assert_eq!(p.a.buffered_amount(id), 0);
}

#[test]
fn closing_a_channel_closes_it_on_both_sides_and_frees_its_id() {
    let mut p = Pair::new(8);
    p.connect();
    let now = p.now;
    let id = p.a.open(now, labelled("bye")).unwrap();
    p.a.send(now, id, MessageKind::Text, b"last words".to_vec())
        .unwrap();
    p.a.close(now, id).unwrap();
    assert_eq!(
        p.a.send(now, id, MessageKind::Text, b"too late".to_vec()),
        Err(Error::ChannelNotOpen)
    );
    assert!(p.run(Duration::from_secs(10), |p| {
        p.events_a.contains(&Event::ChannelClosed(id))
            && p.events_b.contains(&Event::ChannelClosed(id))
    }));
    assert!(p.events_b.contains(&Event::ChannelClosing(id)));
    assert_eq!(
        messages(&p.events_b),
        [(id, MessageKind::Text, b"last words".to_vec())],
        "what was sent before close arrives"
    );
    assert!(p.a.channel(id).is_none() && p.b.channel(id).is_none());
    // Its id is used again, and the new channel's sequence numbers start over.
    let again = ChannelConfig {
        negotiated: Some(id.0),
        ..ChannelConfig::default()
    };
    p.a.open(p.now, again.clone()).unwrap();
    p.b.open(p.now, again).unwrap();
    let now = p.now;
    p.a.send(now, id, MessageKind::Text, b"reborn".to_vec())
        .unwrap();
    assert!(p.run(Duration::from_secs(5), |p| messages(&p.events_b).len() == 2));
    assert_eq!(messages(&p.events_b)[1].2, b"reborn");
}

#[test]
fn a_thousand_channels_open_carry_a_message_and_close() {
    let mut p = Pair::new(9);
    p.connect();
    for round in 0..2 {
        let now = p.now;
        let mut ids = Vec::new();
        for n in 0..1000 {
            // Half opened by each side.
            let side = if n % 2 == 0 { &mut p.a } else { &mut p.b };
            let id = side.open(now, labelled(&format!("c{n}"))).unwrap();
            side.send(now, id, MessageKind::Text, format!("m{n}").into_bytes())
                .unwrap();
            ids.push((n % 2 == 0, id));
        }
        let before = (messages(&p.events_a).len(), messages(&p.events_b).len());
        assert!(p.run(Duration::from_secs(60), |p| {
            messages(&p.events_a).len() == before.0 + 500
                && messages(&p.events_b).len() == before.1 + 500
        }));
        let now = p.now;
        for &(by_a, id) in &ids {
            let side = if by_a { &mut p.a } else { &mut p.b };
            side.close(now, id).unwrap();
        }
        let closed = |events: &[Event]| {
            events
                .iter()
                .filter(|e| matches!(e, Event::ChannelClosed(_)))
                .count()
        };
        assert!(
            p.run(Duration::from_secs(120), |p| closed(&p.events_a)
                == 1000 * (round + 1)
                && closed(&p.events_b) == 1000 * (round + 1)),
            "round {round}: a closed {}, b closed {}",
            closed(&p.events_a),
            closed(&p.events_b)
        );
        assert_eq!(p.a.channel_ids().count(), 0);
        assert_eq!(p.b.channel_ids().count(), 0);
    }
    assert_eq!(p.a.dropped_messages() + p.b.dropped_messages(), 0);
}

#[test]
fn a_hostile_peer_cannot_open_on_our_ids_or_crash_us_with_bad_dcep() {
    let mut p = Pair::new(10);
    p.connect();
    // b's association sends raw DCEP and messages as a hostile peer would.
    let open = |label: &str| {
        let mut m = Vec::new();
        OpenRepr {
            channel_type: ChannelConfig::default().channel_type(),
            priority: 256,
            label,
            protocol: "",
        }
        .emit(&mut m)
        .unwrap();
        m
    };
    let raw = p.b.association_mut();
    // An OPEN on an even id (the client's, a's own parity).
    raw.send(4, Ppid::DCEP.0, false, open("mine")).unwrap();
    // Garbage DCEP, an ACK for a channel never opened, a message on no channel, an unknown PPID.
    raw.send(5, Ppid::DCEP.0, false, vec![0xff, 1, 2]).unwrap();
    raw.send(
        7,
        Ppid::DCEP.0,
        false,
        vec![Dcep::Ack.buffer_len() as u8 + 1],
    )
    .unwrap();
    raw.send(9, Ppid::STRING.0, false, b"nobody".to_vec())
        .unwrap();
    raw.send(11, Ppid::DCEP.0, false, open("fine")).unwrap();
    raw.send(11, 12345, false, b"unknown ppid".to_vec())
        .unwrap();
    assert!(p.run(Duration::from_secs(5), |p| {
        p.events_a.contains(&Event::ChannelOpen(ChannelId(11)))
    }));
    assert!(p.a.channel(ChannelId(4)).is_none());
    assert!(messages(&p.events_a).is_empty());
    assert_eq!(p.a.dropped_messages(), 5);
    // A second OPEN over a live channel changes nothing.
    p.b.association_mut()
        .send(11, Ppid::DCEP.0, false, open("hijack"))
        .unwrap();
    assert!(!p.run(Duration::from_secs(1), |_| false));
    assert_eq!(p.a.channel(ChannelId(11)).unwrap().config.label, "fine");
}
