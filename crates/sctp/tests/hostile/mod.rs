//! The harness of the hostile-peer tests (`hostile_peer.rs`, `hostile_sacks.rs`): an
//! established pair, a tap on what the victim answers, and packets crafted as an attacker
//! would.
#![allow(
    dead_code,
    unused_imports,
    reason = "each test file uses part of the harness and of its imports"
)]

pub(crate) use std::collections::BTreeSet;
pub(crate) use std::time::{Duration, Instant};

pub(crate) use sansrtc_proto::{Protocol, Receive, SansIo};
pub(crate) use sansrtc_sctp::association::{Association, Config, Event, State};
pub(crate) use sansrtc_sctp::wire::{
    ChecksumMode, ChunkRepr, CommonHeader, CookieEchoRepr, DataRepr, ForwardTsnRepr,
    ForwardTsnStream, GapAckBlock, HeartbeatRepr, IDataRepr, IForwardTsnRepr, IForwardTsnStream,
    InitParam, InitRepr, List, Packet, PacketBuilder, SackRepr, TlvList, UnknownChunk, chunk_type,
};

#[expect(
    clippy::disallowed_methods,
    reason = "an arbitrary origin for virtual time"
)]
pub(crate) fn start() -> Instant {
    Instant::now()
}

/// The association's default MTU: a correct answer never exceeds it.
pub(crate) const MTU: usize = 1200;
/// The largest datagram a hostile peer can hand over (a 16-bit chunk length plus headers).
pub(crate) const JUMBO: usize = 65_535 + 12;
/// Streams the legitimate messages use, untouched by the floods.
pub(crate) const LEGIT_STREAM: u16 = 9;

pub(crate) fn rx(contents: &[u8]) -> Receive<'_> {
    let addr = "0.0.0.0:5000".parse().unwrap();
    Receive {
        proto: Protocol::Udp,
        source: addr,
        destination: addr,
        contents,
    }
}

/// A deterministic generator (xorshift64*) for flood contents.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    pub(crate) fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }

    /// Random bytes, fewer than `bound` of them.
    pub(crate) fn bytes_below(&mut self, bound: u64) -> Vec<u8> {
        let len = self.below(bound) as usize;
        self.bytes(len)
    }
}

/// What an on-path observer learns from the packets between `a` and `b`.
#[derive(Debug, Default)]
pub(crate) struct Tap {
    /// The verification tag of packets to `a` (a's own tag).
    pub(crate) to_a: u32,
    /// The verification tag of packets to `b`.
    pub(crate) to_b: u32,
    /// The cumulative TSN ack of a's latest SACK: the last of b's TSNs that `a` took in order.
    pub(crate) a_cumulative: Option<u32>,
    /// The COOKIE ECHO packet `b` sent to `a` during the handshake.
    pub(crate) cookie_echo: Option<Vec<u8>>,
}

impl Tap {
    pub(crate) fn observe(&mut self, to_a: bool, datagram: &[u8]) {
        let Ok(packet) = Packet::new_checked(datagram) else {
            return;
        };
        // An INIT ACK carries the tag of the INIT it answers, which may be anyone's.
        let mut init_ack = false;
        for chunk in packet.chunks().flatten() {
            match ChunkRepr::parse(&chunk) {
                Ok(ChunkRepr::CookieEcho(_)) if to_a => self.cookie_echo = Some(datagram.to_vec()),
                Ok(ChunkRepr::Sack(sack)) if !to_a => {
                    self.a_cumulative = Some(sack.cumulative_tsn_ack);
                }
                Ok(ChunkRepr::InitAck(_)) => init_ack = true,
                _ => {}
            }
        }
        if to_a {
            self.to_a = packet.verification_tag();
        } else if !init_ack {
            self.to_b = packet.verification_tag();
        }
    }
}

/// How the victim answered a flood.
#[derive(Debug, Default)]
pub(crate) struct Answers {
    /// Packets of the flood.
    pub(crate) received: usize,
    /// Of which `handle_receive` refused.
    pub(crate) refused: usize,
    /// Packets the victim sent while the flood was fed in.
    pub(crate) sent: usize,
    /// The most packets sent after any one flood packet.
    pub(crate) most_per_packet: usize,
    /// The longest packet sent.
    pub(crate) longest: usize,
    /// Why packets were refused.
    pub(crate) errors: BTreeSet<String>,
    /// Chunk types of everything sent.
    pub(crate) chunk_types: BTreeSet<u8>,
    /// The victim's SACKs: (cumulative TSN ack, a_rwnd, gap blocks, duplicate TSNs).
    pub(crate) sacks: Vec<(u32, u32, usize, usize)>,
}

impl Answers {
    /// At most one answer per packet and none above the MTU.
    pub(crate) fn assert_bounded(&self, label: &str) {
        assert!(
            self.most_per_packet <= 1,
            "{label}: {} answers to one packet",
            self.most_per_packet
        );
        assert!(
            self.sent <= self.received,
            "{label}: {} answers to {} packets",
            self.sent,
            self.received
        );
        assert!(
            self.longest <= MTU,
            "{label}: an answer of {} bytes",
            self.longest
        );
    }
}

pub(crate) struct Pair {
    /// I-DATA was negotiated.
    pub(crate) interleaved: bool,
    pub(crate) a: Association,
    pub(crate) b: Association,
    pub(crate) now: Instant,
    pub(crate) events_a: Vec<Event>,
    pub(crate) events_b: Vec<Event>,
    pub(crate) tap: Tap,
    /// While set, a's packets are kept here instead of reaching `b`.
    pub(crate) hold_a: Option<Vec<Vec<u8>>>,
    pub(crate) buf: Vec<u8>,
    /// Numbers the legitimate messages.
    pub(crate) legit: usize,
}

pub(crate) fn config(seed: u64, interleaving: bool) -> Config {
    Config {
        rng_seed: Some(sansrtc_proto::rng::seed_from_u64(seed)),
        interleaving,
        ..Config::default()
    }
}

/// Both ways of carrying user data: DATA, and I-DATA.
pub(crate) const MODES: [bool; 2] = [false, true];

pub(crate) fn mode(interleaved: bool) -> &'static str {
    if interleaved { "I-DATA" } else { "DATA" }
}

impl Pair {
    /// `b` connects to `a` (so `a` issued the cookie), then one message goes each way so the
    /// tap knows both tags and TSNs. I-DATA is used when `interleaving`.
    pub(crate) fn established(seed: u64, interleaving: bool) -> Self {
        let now = start();
        let mut p = Self {
            interleaved: interleaving,
            a: Association::new(config(seed, interleaving), now),
            b: Association::new(config(seed + 1000, interleaving), now),
            now,
            events_a: Vec::new(),
            events_b: Vec::new(),
            tap: Tap::default(),
            hold_a: None,
            buf: Vec::with_capacity(2048),
            legit: 0,
        };
        p.b.connect(now);
        assert!(p.run(Duration::from_secs(10), |p| p.a.is_established()
            && p.b.is_established()));
        assert!(p.tap.cookie_echo.is_some());
        p.legit_both_ways("before the flood");
        p
    }

    pub(crate) fn pass(&mut self, from_a: bool) -> bool {
        let mut moved = false;
        loop {
            let (from, to) = if from_a {
                (&mut self.a, &mut self.b)
            } else {
                (&mut self.b, &mut self.a)
            };
            let Some(t) = from.poll_transmit(self.now, &mut self.buf) else {
                break;
            };
            moved = true;
            let datagram = &self.buf[..t.size];
            self.tap.observe(!from_a, datagram);
            if from_a && let Some(held) = self.hold_a.as_mut() {
                held.push(datagram.to_vec());
                continue;
            }
            let _ = to.handle_receive(self.now, rx(datagram));
        }
        moved
    }

    pub(crate) fn drain_events(&mut self) {
        self.events_a
            .extend(std::iter::from_fn(|| self.a.poll_event()));
        self.events_b
            .extend(std::iter::from_fn(|| self.b.poll_event()));
    }

    /// Moves packets and fires timers until `done`, for at most `limit` of virtual time.
    pub(crate) fn run(&mut self, limit: Duration, mut done: impl FnMut(&Self) -> bool) -> bool {
        let end = self.now + limit;
        loop {
            for _ in 0..10_000 {
                let a = self.pass(true);
                let b = self.pass(false);
                if !a && !b {
                    break;
                }
            }
            self.drain_events();
            if done(self) {
                return true;
            }
            let next = [self.a.poll_timeout(), self.b.poll_timeout()]
                .into_iter()
                .flatten()
                .min();
            match next {
                Some(next) if next <= end => self.now = self.now.max(next),
                _ => {
                    self.now = end;
                    return false;
                }
            }
            self.a.handle_timeout(self.now);
            self.b.handle_timeout(self.now);
        }
    }

    /// Lets `limit` of virtual time pass with both sides running.
    pub(crate) fn settle(&mut self, limit: Duration) {
        self.run(limit, |_| false);
    }

    /// A fresh legitimate message, single-chunk.
    pub(crate) fn next_legit(&mut self) -> Vec<u8> {
        self.legit += 1;
        format!("legitimate message {} {}", self.legit, "x".repeat(200)).into_bytes()
    }

    /// A message from `a` reaches `b` whole.
    pub(crate) fn legit_a_to_b(&mut self, label: &str) {
        let message = self.next_legit();
        self.a
            .send(LEGIT_STREAM, 51, false, message.clone())
            .unwrap_or_else(|e| panic!("{label}: a cannot send: {e}"));
        let arrived = self.run(Duration::from_secs(30), |p| {
            received(&p.events_b).contains(&(LEGIT_STREAM, message.clone()))
                && p.a.unacknowledged_chunks() == 0
        });
        assert!(
            arrived,
            "{label}: a's message did not reach b: {:?}",
            self.a
        );
    }

    /// A message from `b`'s own association reaches `a` whole.
    pub(crate) fn legit_b_to_a(&mut self, label: &str) {
        let message = self.next_legit();
        self.b
            .send(LEGIT_STREAM, 51, false, message.clone())
            .unwrap_or_else(|e| panic!("{label}: b cannot send: {e}"));
        let arrived = self.run(Duration::from_secs(30), |p| {
            received(&p.events_a).contains(&(LEGIT_STREAM, message.clone()))
        });
        assert!(
            arrived,
            "{label}: b's message did not reach a: {:?}",
            self.a
        );
        // And a's SACK for it has gone out (the tap reads a's cumulative TSN ack from it).
        self.run(Duration::from_secs(1), |p| p.b.unacknowledged_chunks() == 0);
    }

    pub(crate) fn legit_both_ways(&mut self, label: &str) {
        self.legit_a_to_b(label);
        self.legit_b_to_a(label);
    }

    /// The peer behaving again after injecting DATA: one whole message at the TSN `a` expects
    /// next (its latest SACK says which), on a fresh stream sequence.
    pub(crate) fn legit_at_next_tsn(&mut self, label: &str, stream: u16) {
        self.settle(Duration::from_millis(500));
        let cumulative = self.tap.a_cumulative.expect("a has sent a SACK");
        let message = self.next_legit();
        let packet = self.craft(&[self.data(
            cumulative.wrapping_add(1),
            stream,
            0,
            (true, true),
            &message,
        )]);
        self.a.handle_receive(self.now, rx(&packet)).unwrap();
        let arrived = self.run(Duration::from_secs(5), |p| {
            received(&p.events_a).contains(&(stream, message.clone()))
        });
        assert!(
            arrived,
            "{label}: a message at the next TSN was not delivered: {:?}",
            self.a
        );
    }

    /// Both ends still established, nothing ended.
    pub(crate) fn assert_established(&self, label: &str) {
        assert_eq!(self.a.state(), State::Established, "{label}: a");
        assert_eq!(self.b.state(), State::Established, "{label}: b");
        assert!(
            self.events_a
                .iter()
                .chain(&self.events_b)
                .all(|e| !matches!(e, Event::Aborted(_) | Event::Closed)),
            "{label}: the association ended"
        );
    }

    /// A packet to `a` with its verification tag and a valid checksum.
    pub(crate) fn craft(&self, chunks: &[ChunkRepr<'_>]) -> Vec<u8> {
        craft(self.tap.to_a, chunks, JUMBO)
    }

    /// An ordered DATA chunk, or I-DATA when negotiated: `sequence` is the SSN or the MID,
    /// `(beginning, ending)` the B and E bits (a fragment after the first is FSN 1).
    pub(crate) fn data<'a>(
        &self,
        tsn: u32,
        stream: u16,
        sequence: u32,
        (beginning, ending): (bool, bool),
        payload: &'a [u8],
    ) -> ChunkRepr<'a> {
        if self.interleaved {
            ChunkRepr::IData(IDataRepr {
                tsn,
                stream_id: stream,
                mid: sequence,
                ppid_or_fsn: if beginning { 51 } else { 1 },
                beginning,
                ending,
                user_data: payload,
                ..IDataRepr::default()
            })
        } else {
            ChunkRepr::Data(DataRepr {
                tsn,
                stream_id: stream,
                ssn: sequence as u16,
                ppid: 51,
                beginning,
                ending,
                user_data: payload,
                ..DataRepr::default()
            })
        }
    }

    /// A FORWARD TSN, or I-FORWARD-TSN when I-DATA was negotiated, skipping ordered messages
    /// up to `(stream, sequence)` on each stream named.
    pub(crate) fn forward_tsn(&self, new_cumulative_tsn: u32, skip: &[(u16, u32)]) -> Vec<u8> {
        if self.interleaved {
            let streams: Vec<IForwardTsnStream> = skip
                .iter()
                .map(|&(stream_id, mid)| IForwardTsnStream {
                    stream_id,
                    unordered: false,
                    mid,
                })
                .collect();
            self.craft(&[ChunkRepr::IForwardTsn(IForwardTsnRepr {
                new_cumulative_tsn,
                streams: List::from_slice(&streams),
            })])
        } else {
            let streams: Vec<ForwardTsnStream> = skip
                .iter()
                .map(|&(stream_id, ssn)| ForwardTsnStream {
                    stream_id,
                    ssn: ssn as u16,
                })
                .collect();
            self.craft(&[ChunkRepr::ForwardTsn(ForwardTsnRepr {
                new_cumulative_tsn,
                streams: List::from_slice(&streams),
            })])
        }
    }

    /// Feeds the flood to `a` at the current instant, each answer going on to `b` as it would
    /// on the wire (b's own answers wait for the next `run`).
    pub(crate) fn flood(&mut self, packets: impl IntoIterator<Item = Vec<u8>>) -> Answers {
        // What came before was checked already.
        self.events_a.clear();
        self.events_b.clear();
        let mut answers = Answers::default();
        for packet in packets {
            answers.received += 1;
            if let Err(e) = self.a.handle_receive(self.now, rx(&packet)) {
                answers.refused += 1;
                answers.errors.insert(format!("{e:?}"));
            }
            let mut here = 0;
            while let Some(t) = self.a.poll_transmit(self.now, &mut self.buf) {
                here += 1;
                let datagram = &self.buf[..t.size];
                answers.longest = answers.longest.max(datagram.len());
                note_answer(&mut answers, datagram);
                self.tap.observe(false, datagram);
                let _ = self.b.handle_receive(self.now, rx(datagram));
            }
            answers.sent += here;
            answers.most_per_packet = answers.most_per_packet.max(here);
        }
        self.drain_events();
        answers
    }
}

pub(crate) fn note_answer(answers: &mut Answers, datagram: &[u8]) {
    let packet = Packet::new_checked(datagram).expect("the victim sends valid packets");
    for chunk in packet.chunks() {
        let chunk = chunk.expect("valid chunks");
        answers.chunk_types.insert(chunk.chunk_type());
        if let Ok(ChunkRepr::Sack(sack)) = ChunkRepr::parse(&chunk) {
            answers.sacks.push((
                sack.cumulative_tsn_ack,
                sack.a_rwnd,
                sack.gap_blocks.len(),
                sack.duplicate_tsns.len(),
            ));
        }
    }
}

pub(crate) fn craft(tag: u32, chunks: &[ChunkRepr<'_>], mtu: usize) -> Vec<u8> {
    let mut datagram = Vec::new();
    let header = CommonHeader {
        source_port: 5000,
        destination_port: 5000,
        verification_tag: tag,
    };
    let mut builder = PacketBuilder::new(&mut datagram, header, mtu).unwrap();
    for chunk in chunks {
        builder.push(chunk).unwrap();
    }
    let len = builder.finish(ChecksumMode::Crc32c);
    datagram.truncate(len);
    datagram
}

pub(crate) fn received(events: &[Event]) -> Vec<(u16, Vec<u8>)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Message(m) => Some((m.stream, m.data.clone())),
            _ => None,
        })
        .collect()
}

pub(crate) fn messages(events: &[Event]) -> usize {
    events
        .iter()
        .filter(|e| matches!(e, Event::Message(_)))
        .count()
}

// (a) Unknown chunk types --------------------------------------------------------------------

/// One unknown type per upper-two-bits action (RFC 9260 §3.2): 00 stop, 01 stop and report,
/// 10 skip, 11 skip and report. None is a type this crate knows.
pub(crate) const UNKNOWN: [u8; 4] = [0x3f, 0x7f, 0xbf, 0xff];
