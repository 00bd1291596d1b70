//! Our SCTP association against Google's dcSCTP (the `dcsctp` crate, the Rust successor of
//! Chrome's SCTP), back to back in memory. Both are Sans-IO, so the two are wired directly:
//! each side's packets go to the other, with seeded loss where a test asks for it, and both
//! share one virtual clock. Beside set-up, bulk transfer, partial reliability, shutdown and
//! abort: stream resets both ways (how data channels close), zero checksums negotiated one way
//! and both ways (RFC 9653), and I-DATA when dcSCTP enables message interleaving (RFC 8260).

use std::time::{Duration, Instant};

use dcsctp::api::{
    DcSctpSocket, Message as DcMessage, Options, PpId, SendOptions, SocketEvent, SocketState,
    SocketTime, StreamId,
};
use sansrtc_proto::{Protocol, Receive, SansIo};
use sansrtc_sctp::association::{Association, Config, Event, PartialReliability};
use sansrtc_sctp::wire::{Packet, chunk_type};

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

/// A message as either side saw it: stream, PPID, bytes.
type Delivered = (u16, u32, Vec<u8>);

struct Pair {
    ours: Association,
    theirs: Box<dyn DcSctpSocket>,
    origin: Instant,
    now: Instant,
    /// Messages our association delivered.
    ours_got: Vec<Delivered>,
    /// Messages dcSCTP delivered.
    theirs_got: Vec<Delivered>,
    ours_connected: bool,
    theirs_connected: bool,
    theirs_aborted: Option<String>,
    /// Non-fatal errors dcSCTP reported (an ERROR chunk from us, or a packet it refused).
    theirs_errors: Vec<String>,
    theirs_closed: bool,
    ours_closed: bool,
    /// Seeded loss: drop a packet (either way) when this returns true.
    drop: Box<dyn FnMut() -> bool>,
    /// Packets each way: ours to theirs, theirs to ours.
    packets: (u64, u64),
    /// Of those, the ones with a zero checksum.
    zero_checksums: (u64, u64),
    /// Of those, the ones carrying I-DATA.
    idata: (u64, u64),
    /// Our stream reset events.
    ours_resets: Vec<Event>,
    /// dcSCTP's: streams reset by the peer, and its own resets performed.
    theirs_incoming_resets: Vec<u16>,
    theirs_resets_performed: Vec<u16>,
}

/// Whether a datagram has a zero checksum, and whether it carries I-DATA.
fn inspect(datagram: &[u8]) -> (bool, bool) {
    let zero = datagram.get(8..12) == Some(&[0; 4][..]);
    let idata = Packet::new_checked(datagram).is_ok_and(|p| {
        p.chunks()
            .any(|c| c.is_ok_and(|c| c.chunk_type() == chunk_type::I_DATA))
    });
    (zero, idata)
}

fn dc_options() -> Options {
    Options {
        mtu: 1200,
        max_message_size: 2 << 20,
        ..Options::default()
    }
}

impl Pair {
    fn new(seed: u64) -> Self {
        Self::configured(seed, Config::default(), dc_options())
    }

    /// A pair with these settings for us (seeded from `seed`) and for dcSCTP.
    fn configured(seed: u64, config: Config, options: Options) -> Self {
        let origin = start();
        let config = Config {
            rng_seed: Some(sansrtc_proto::rng::seed_from_u64(seed)),
            max_message_size: 2 << 20,
            ..config
        };
        Self {
            ours: Association::new(config, origin),
            theirs: dcsctp::new_socket("dcsctp", &options),
            origin,
            now: origin,
            ours_got: Vec::new(),
            theirs_got: Vec::new(),
            ours_connected: false,
            theirs_connected: false,
            theirs_aborted: None,
            theirs_errors: Vec::new(),
            theirs_closed: false,
            ours_closed: false,
            drop: Box::new(|| false),
            packets: (0, 0),
            zero_checksums: (0, 0),
            idata: (0, 0),
            ours_resets: Vec::new(),
            theirs_incoming_resets: Vec::new(),
            theirs_resets_performed: Vec::new(),
        }
    }

    fn lossy(seed: u64, percent: u64) -> Self {
        let mut pair = Self::new(seed);
        let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        pair.drop = Box::new(move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) % 100 < percent
        });
        pair
    }

    fn socket_time(&self) -> SocketTime {
        SocketTime::zero() + (self.now - self.origin)
    }

    /// Moves every packet both ways until neither side has one; returns whether any moved.
    fn exchange(&mut self) -> bool {
        let mut moved = false;
        let mut buf = Vec::new();
        loop {
            let mut round = false;
            while let Some(t) = self.ours.poll_transmit(self.now, &mut buf) {
                round = true;
                self.packets.0 += 1;
                let (zero, idata) = inspect(&buf[..t.size]);
                self.zero_checksums.0 += u64::from(zero);
                self.idata.0 += u64::from(idata);
                if !(self.drop)() {
                    self.theirs.handle_input(&buf[..t.size]);
                }
            }
            while let Some(event) = self.theirs.poll_event() {
                match event {
                    SocketEvent::SendPacket(packet) => {
                        round = true;
                        self.packets.1 += 1;
                        let (zero, idata) = inspect(&packet);
                        self.zero_checksums.1 += u64::from(zero);
                        self.idata.1 += u64::from(idata);
                        if !(self.drop)() {
                            let _ = self.ours.handle_receive(self.now, rx(&packet));
                        }
                    }
                    SocketEvent::OnConnected() => self.theirs_connected = true,
                    SocketEvent::OnAborted(kind, reason) => {
                        self.theirs_aborted = Some(format!("{kind:?}: {reason}"));
                    }
                    SocketEvent::OnClosed() => self.theirs_closed = true,
                    SocketEvent::OnError(kind, reason) => {
                        self.theirs_errors.push(format!("{kind:?}: {reason}"));
                    }
                    SocketEvent::OnIncomingStreamReset(streams) => self
                        .theirs_incoming_resets
                        .extend(streams.iter().map(|s| s.0)),
                    SocketEvent::OnStreamsResetPerformed(streams) => self
                        .theirs_resets_performed
                        .extend(streams.iter().map(|s| s.0)),
                    _ => {}
                }
            }
            while let Some(m) = self.theirs.get_next_message() {
                self.theirs_got.push((m.stream_id.0, m.ppid.0, m.payload));
            }
            while let Some(event) = self.ours.poll_event() {
                match event {
                    Event::Connected => self.ours_connected = true,
                    Event::Message(m) => self.ours_got.push((m.stream, m.ppid, m.data)),
                    Event::Closed | Event::Aborted(_) => self.ours_closed = true,
                    e @ (Event::IncomingStreamsReset(_)
                    | Event::OutgoingStreamsReset(_)
                    | Event::StreamResetFailed(_)) => self.ours_resets.push(e),
                    _ => {}
                }
            }
            if !round {
                return moved;
            }
            moved = true;
        }
    }

    /// Runs until `done` holds or `limit` of virtual time passes.
    fn run(&mut self, limit: Duration, mut done: impl FnMut(&Self) -> bool) -> bool {
        let end = self.now + limit;
        loop {
            self.exchange();
            if done(self) {
                return true;
            }
            let theirs = self.theirs.poll_timeout();
            let theirs = (theirs != SocketTime::infinite_future())
                .then(|| self.origin + (theirs - SocketTime::zero()));
            let Some(next) = [self.ours.poll_timeout(), theirs]
                .into_iter()
                .flatten()
                .min()
            else {
                return false;
            };
            if next > end {
                return false;
            }
            // dcSCTP reports an overdue timer as "now": step at least a millisecond then.
            self.now = next.max(self.now + Duration::from_millis(1));
            self.ours.handle_timeout(self.now);
            let t = self.socket_time();
            self.theirs.advance_time(t);
        }
    }

    fn connected(&self) -> bool {
        self.ours_connected
            && self.theirs_connected
            && self.theirs.state() == SocketState::Connected
            && self.ours.is_established()
    }
}

fn payload(n: usize, len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + n * 13 + len) as u8).collect()
}

fn dc_send(pair: &mut Pair, stream: u16, unordered: bool, data: Vec<u8>, opts: SendOptions) {
    let message = DcMessage::new(StreamId(stream), PpId(53), data);
    pair.theirs
        .send(message, &SendOptions { unordered, ..opts })
        .expect("dcSCTP accepts the message");
}

#[test]
fn we_connect_to_dcsctp() {
    let mut p = Pair::new(1);
    p.ours.connect(p.now);
    assert!(
        p.run(Duration::from_secs(5), Pair::connected),
        "{:?}",
        p.ours
    );
    assert!(p.theirs_aborted.is_none());
}

#[test]
fn dcsctp_connects_to_us() {
    let mut p = Pair::new(2);
    p.theirs.connect();
    assert!(
        p.run(Duration::from_secs(5), Pair::connected),
        "{:?}",
        p.ours
    );
    assert!(p.theirs_aborted.is_none());
}

#[test]
fn both_connecting_at_once_still_connect() {
    let mut p = Pair::new(3);
    p.ours.connect(p.now);
    p.theirs.connect();
    assert!(
        p.run(Duration::from_secs(10), Pair::connected),
        "{:?}",
        p.ours
    );
    assert!(p.theirs_aborted.is_none());
}

/// Messages of many sizes on ordered and unordered streams, both ways at once.
fn bulk_both_ways(p: &mut Pair, count: usize) {
    if !p.connected() {
        p.ours.connect(p.now);
    }
    assert!(
        p.run(Duration::from_secs(30), Pair::connected),
        "{:?}",
        p.ours
    );
    let sizes = [0usize, 1, 100, 1100, 1200, 1201, 5000, 65_536, 200_000];
    let mut expected_ours = Vec::new();
    let mut expected_theirs = Vec::new();
    for n in 0..count {
        let len = sizes[n % sizes.len()];
        let (stream, unordered) = if n % 3 == 0 { (2, true) } else { (1, false) };
        // dcSCTP, like browsers, sends an empty message as one byte with an "empty" PPID;
        // SCTP itself cannot carry zero bytes, so both sides skip them here.
        let len = len.max(1);
        let data = payload(n, len);
        p.ours.send(stream, 53, unordered, data.clone()).unwrap();
        expected_theirs.push((stream, 53, data.clone()));
        dc_send(p, stream, unordered, data.clone(), SendOptions::default());
        expected_ours.push((stream, 53, data));
    }
    let total = expected_ours.len();
    assert!(
        p.run(Duration::from_secs(600), |p| p.ours_got.len() == total
            && p.theirs_got.len() == total),
        "ours got {} of {total}, dcSCTP got {} of {total}; {:?}; dcSCTP aborted: {:?}",
        p.ours_got.len(),
        p.theirs_got.len(),
        p.ours,
        p.theirs_aborted
    );
    for (got, expected) in [
        (&p.ours_got, &expected_ours),
        (&p.theirs_got, &expected_theirs),
    ] {
        // Ordered stream: exactly in order. Unordered: exactly once each.
        let ordered = |v: &Vec<Delivered>| -> Vec<Delivered> {
            v.iter().filter(|m| m.0 == 1).cloned().collect()
        };
        assert_eq!(ordered(got), ordered(expected));
        let mut unordered_got: Vec<Delivered> = got.iter().filter(|m| m.0 == 2).cloned().collect();
        let mut unordered_expected: Vec<Delivered> =
            expected.iter().filter(|m| m.0 == 2).cloned().collect();
        unordered_got.sort();
        unordered_expected.sort();
        assert_eq!(unordered_got, unordered_expected);
    }
    assert!(p.theirs_aborted.is_none());
    assert_eq!(
        p.theirs_errors,
        Vec::<String>::new(),
        "dcSCTP found nothing to complain of"
    );
}

#[test]
fn messages_of_every_size_go_both_ways_in_order() {
    let mut p = Pair::new(4);
    bulk_both_ways(&mut p, 60);
}

#[test]
fn messages_go_both_ways_through_loss() {
    for seed in 0..5 {
        let mut p = Pair::lossy(100 + seed, 5);
        bulk_both_ways(&mut p, 40);
        assert!(p.packets.0 > 100 && p.packets.1 > 100);
    }
}

#[test]
fn a_megabyte_each_way_on_an_ordered_stream() {
    let mut p = Pair::new(5);
    p.ours.connect(p.now);
    assert!(p.run(Duration::from_secs(5), Pair::connected));
    let data = payload(9, 1 << 20);
    p.ours.send(7, 51, false, data.clone()).unwrap();
    dc_send(&mut p, 7, false, data.clone(), SendOptions::default());
    assert!(p.run(Duration::from_secs(60), |p| !p.ours_got.is_empty()
        && !p.theirs_got.is_empty()));
    assert_eq!(p.theirs_got, [(7, 51, data.clone())]);
    assert_eq!(p.ours_got, [(7, 53, data)]);
}

#[test]
fn partial_reliability_both_ways_under_loss() {
    for seed in 0..3 {
        let mut p = Pair::new(200 + seed);
        p.ours.connect(p.now);
        assert!(p.run(Duration::from_secs(5), Pair::connected));
        let mut state = (seed + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        p.drop = Box::new(move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) % 100 < 15
        });
        let now = p.now;
        for n in 0..60 {
            // A reliable ordered stream beside a stream that gives up after no retransmission.
            p.ours.send(1, 53, false, payload(n, 300)).unwrap();
            p.ours
                .send_with(
                    now,
                    3,
                    53,
                    n % 2 == 0,
                    payload(n, 3000),
                    PartialReliability::MaxRetransmits(0),
                )
                .unwrap();
            dc_send(&mut p, 1, false, payload(n, 300), SendOptions::default());
            dc_send(
                &mut p,
                3,
                n % 2 == 0,
                payload(n, 3000),
                SendOptions {
                    max_retransmissions: Some(0),
                    ..SendOptions::default()
                },
            );
        }
        let reliable = |v: &Vec<Delivered>| v.iter().filter(|m| m.0 == 1).count();
        assert!(
            p.run(Duration::from_secs(3600), |p| reliable(&p.ours_got) == 60
                && reliable(&p.theirs_got) == 60),
            "seed {seed}: ours {} dcSCTP {}; {:?}",
            reliable(&p.ours_got),
            reliable(&p.theirs_got),
            p.ours
        );
        let sent: Vec<Vec<u8>> = (0..60).map(|n| payload(n, 3000)).collect();
        for got in [&p.ours_got, &p.theirs_got] {
            let reliable_data: Vec<Vec<u8>> = got
                .iter()
                .filter(|m| m.0 == 1)
                .map(|m| m.2.clone())
                .collect();
            assert_eq!(
                reliable_data,
                (0..60).map(|n| payload(n, 300)).collect::<Vec<_>>()
            );
            let partial: Vec<&Vec<u8>> = got.iter().filter(|m| m.0 == 3).map(|m| &m.2).collect();
            assert!(
                partial.iter().all(|m| sent.contains(m)),
                "only whole messages"
            );
            assert!(
                partial.len() < 60,
                "seed {seed}: at 15% loss some were abandoned"
            );
        }
        // Both senders drain: FORWARD TSNs were understood both ways.
        assert!(
            p.run(Duration::from_secs(600), |p| p.ours.unacknowledged_chunks()
                == 0),
            "{:?}",
            p.ours
        );
        assert!(p.theirs_aborted.is_none());
        assert_eq!(p.theirs_errors, Vec::<String>::new());
    }
}

#[test]
fn graceful_shutdown_from_our_side_closes_dcsctp() {
    let mut p = Pair::new(6);
    p.theirs.connect();
    assert!(p.run(Duration::from_secs(5), Pair::connected));
    p.ours.send(1, 53, false, payload(1, 10_000)).unwrap();
    p.ours.shutdown(p.now);
    assert!(p.run(Duration::from_secs(30), |p| p.theirs_closed
        && p.ours_closed));
    assert_eq!(p.theirs_got, [(1, 53, payload(1, 10_000))]);
}

#[test]
fn graceful_shutdown_from_dcsctp_closes_us() {
    let mut p = Pair::new(7);
    p.ours.connect(p.now);
    assert!(p.run(Duration::from_secs(5), Pair::connected));
    dc_send(&mut p, 1, false, payload(2, 10_000), SendOptions::default());
    // dcSCTP's shutdown waits for what is in flight only, and drops what it has not sent
    // yet: let the message leave first.
    p.exchange();
    p.theirs.shutdown();
    assert!(
        p.run(Duration::from_secs(30), |p| p.theirs_closed
            && p.ours_closed),
        "{:?} {:?} closed: ours {} theirs {}; got {}",
        p.ours,
        p.theirs.state(),
        p.ours_closed,
        p.theirs_closed,
        p.ours_got.len()
    );
    assert_eq!(p.ours_got, [(1, 53, payload(2, 10_000))]);
}

#[test]
fn an_abort_from_dcsctp_ends_our_association() {
    let mut p = Pair::new(8);
    p.ours.connect(p.now);
    assert!(p.run(Duration::from_secs(5), Pair::connected));
    p.theirs.close();
    p.run(Duration::from_secs(1), |p| p.ours_closed);
    assert!(p.ours_closed);
    assert_eq!(p.ours.state(), sansrtc_sctp::association::State::Ended);
}

/// Closing a data channel both ways (RFC 8831 §6.7) with dcSCTP: each side resets its outgoing
/// stream, the other learns of it; then the stream id is used again from sequence number 0.
fn reset_both_ways(p: &mut Pair) {
    for n in 0..5 {
        p.ours.send(1, 53, false, payload(n, 2000)).unwrap();
        dc_send(p, 1, false, payload(n, 2000), SendOptions::default());
    }
    let now = p.now;
    p.ours.reset_streams(now, &[1]).unwrap();
    assert!(
        p.run(Duration::from_secs(60), |p| p
            .ours_resets
            .contains(&Event::OutgoingStreamsReset(vec![1]))
            && p.theirs_incoming_resets == [1]),
        "{:?} {:?}",
        p.ours_resets,
        p.theirs_incoming_resets
    );
    // dcSCTP answers by resetting its side (as a browser closing the channel does).
    p.theirs.reset_streams(&[StreamId(1)]).unwrap();
    assert!(
        p.run(Duration::from_secs(60), |p| p
            .ours_resets
            .contains(&Event::IncomingStreamsReset(vec![1]))
            && p.theirs_resets_performed == [1]),
        "{:?}",
        p.ours_resets
    );
    let before = |v: &Vec<Delivered>| v.iter().filter(|m| m.0 == 1).count();
    assert_eq!(
        before(&p.theirs_got),
        5,
        "our queued messages went before the reset"
    );
    assert_eq!(before(&p.ours_got), 5);
    // The stream again, both ways, from sequence number 0.
    p.ours.send(1, 51, false, b"reopened".to_vec()).unwrap();
    dc_send(
        p,
        1,
        false,
        b"reopened too".to_vec(),
        SendOptions::default(),
    );
    assert!(
        p.run(Duration::from_secs(60), |p| before(&p.theirs_got) == 6
            && before(&p.ours_got) == 6)
    );
    assert_eq!(p.theirs_got.last().unwrap().2, b"reopened");
    assert_eq!(p.ours_got.last().unwrap().2, b"reopened too");
    assert!(p.theirs_aborted.is_none());
    assert_eq!(p.theirs_errors, Vec::<String>::new());
}

#[test]
fn stream_reset_both_ways_with_dcsctp() {
    let mut p = Pair::new(300);
    p.ours.connect(p.now);
    assert!(p.run(Duration::from_secs(5), Pair::connected));
    reset_both_ways(&mut p);
}

#[test]
fn stream_reset_both_ways_with_dcsctp_through_loss() {
    for seed in 0..3 {
        let mut p = Pair::lossy(310 + seed, 10);
        p.ours.connect(p.now);
        assert!(p.run(Duration::from_secs(120), Pair::connected));
        reset_both_ways(&mut p);
    }
}

#[test]
fn zero_checksums_are_sent_only_to_the_side_that_accepts_them() {
    let dtls = dcsctp::api::ZeroChecksumAlternateErrorDetectionMethod(1);
    let none = dcsctp::api::ZeroChecksumAlternateErrorDetectionMethod(0);
    // dcSCTP announces that it accepts zero checksums in its INIT whenever configured to, but
    // in its INIT ACK only when our INIT announced it too; and it sends zeros only when both
    // sides announced. We send zeros exactly when dcSCTP announced (RFC 9653 §5.2, one way).
    for (ours_accept, theirs_accept, theirs_connects) in [
        (true, true, false),
        (true, false, false),
        (false, true, false),
        (false, false, false),
        (false, true, true),
        (true, false, true),
    ] {
        let config = Config {
            zero_checksum: ours_accept,
            ..Config::default()
        };
        let options = Options {
            zero_checksum_alternate_error_detection_method: if theirs_accept { dtls } else { none },
            ..dc_options()
        };
        let mut p = Pair::configured(320, config, options);
        if theirs_connects {
            p.theirs.connect();
            assert!(p.run(Duration::from_secs(5), Pair::connected));
        }
        bulk_both_ways(&mut p, 20);
        let theirs_announced = theirs_accept && (theirs_connects || ours_accept);
        assert_eq!(
            p.zero_checksums.0 > 0,
            theirs_announced,
            "ours -> dcSCTP, we accept {ours_accept}, dcSCTP accepts {theirs_accept}, \
             dcSCTP connects {theirs_connects}"
        );
        assert_eq!(
            p.zero_checksums.1 > 0,
            ours_accept && theirs_accept,
            "dcSCTP -> ours, we accept {ours_accept}, dcSCTP accepts {theirs_accept}"
        );
        let metrics = p.theirs.get_metrics().unwrap();
        assert_eq!(metrics.uses_zero_checksum, ours_accept && theirs_accept);
    }
}

#[test]
fn i_data_with_dcsctp_when_it_enables_interleaving() {
    for interleaving in [true, false] {
        let options = Options {
            enable_message_interleaving: interleaving,
            ..dc_options()
        };
        let mut p = Pair::configured(330, Config::default(), options);
        bulk_both_ways(&mut p, 30);
        assert_eq!(
            p.theirs.get_metrics().unwrap().uses_message_interleaving,
            interleaving
        );
        assert_eq!(p.idata.0 > 0, interleaving);
        assert_eq!(p.idata.1 > 0, interleaving);
    }
}

#[test]
fn i_data_with_dcsctp_through_loss_and_partial_reliability() {
    let options = Options {
        enable_message_interleaving: true,
        ..dc_options()
    };
    for seed in 0..3 {
        let mut p = Pair::configured(340 + seed, Config::default(), options.clone());
        let mut state = (seed + 7).wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        p.drop = Box::new(move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) % 100 < 5
        });
        bulk_both_ways(&mut p, 30);
        let now = p.now;
        for n in 0..30 {
            p.ours
                .send_with(
                    now,
                    3,
                    53,
                    n % 2 == 0,
                    payload(n, 3000),
                    PartialReliability::MaxRetransmits(0),
                )
                .unwrap();
        }
        assert!(
            p.run(Duration::from_secs(600), |p| p.ours.unacknowledged_chunks()
                == 0),
            "I-FORWARD-TSN understood: {:?}",
            p.ours
        );
        let partial: Vec<&Vec<u8>> = p
            .theirs_got
            .iter()
            .filter(|m| m.0 == 3)
            .map(|m| &m.2)
            .collect();
        let sent: Vec<Vec<u8>> = (0..30).map(|n| payload(n, 3000)).collect();
        assert!(
            partial.iter().all(|m| sent.contains(m)),
            "only whole messages"
        );
        assert!(p.theirs_aborted.is_none());
        assert_eq!(p.theirs_errors, Vec::<String>::new());
    }
}
