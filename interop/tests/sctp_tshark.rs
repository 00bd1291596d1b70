//! An independent decoder agrees with ours: a whole SCTP association between two of our
//! associations, in memory and virtual time, captured both ways into a pcap (each packet as the
//! payload of a UDP datagram, as in WebRTC minus DTLS) and dissected by tshark.
//!
//! The exchange has the handshake; messages on several streams, ordered, unordered and one of
//! 5 KiB fragmented over five packets; a lost packet in the middle of a burst (a SACK with a
//! gap block, then the retransmission); a partially reliable message whose packet is lost
//! (abandoned, then FORWARD TSN); a stream reset (RE-CONFIG request and response); HEARTBEAT
//! and HEARTBEAT ACK after a silence; and a graceful shutdown. It is played twice: with DATA
//! and FORWARD TSN, and with I-DATA and I-FORWARD-TSN (RFC 8260) offered by both sides.
//!
//! tshark must find no malformed frame and no warning, a good CRC32c in every frame, exactly
//! the chunk types of the exchange, its retransmission notes exactly where a TSN is sent again,
//! every message reassembled to the length sent, and in every frame the field values our own
//! parser reads from the same bytes: ports, verification tag, chunk types and flags, INIT
//! parameters, (I-)DATA TSN/stream/SSN/MID/FSN/PPID/flags, SACK cumulative TSN, window, gap
//! blocks and duplicates, (I-)FORWARD TSN, RE-CONFIG, SHUTDOWN and HEARTBEAT info. Known
//! inputs are checked too: the streams, U bits and PPIDs we sent, the abandoned stream, the
//! reset stream.

mod sctp_tshark_fields;

use sansrtc_interop::{TempDir, require_peer};
use sansrtc_netsim::pcap::PcapWriter;
use sansrtc_proto::{Protocol, Receive, SansIo};
use sansrtc_sctp::association::{Association, Config, Event, PartialReliability, State};
use sansrtc_sctp::wire::{ChunkRepr, Packet, chunk_type};
use sctp_tshark_fields::{Dissection, FIELDS, InitialTsns, expected, flag, tshark};
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// How long a side stays silent before it sends a HEARTBEAT; the data phases take less.
const HEARTBEAT_INTERVAL: Duration = Duration::from_secs(30);

/// The UDP addresses in the pcap; tshark decodes UDP port 5000 as SCTP.
const CLIENT: &str = "127.0.0.1:50000";
const SERVER: &str = "127.0.0.1:5000";

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

#[expect(
    clippy::disallowed_methods,
    reason = "an arbitrary starting instant for virtual time"
)]
fn start() -> Instant {
    Instant::now()
}

/// One SCTP packet as sent (captured at the sender, so lost packets are in the pcap too).
pub(crate) struct Frame {
    /// Virtual time since the start.
    pub(crate) at: Duration,
    pub(crate) from_client: bool,
    pub(crate) bytes: Vec<u8>,
}

/// Decides whether the network loses a packet: (sent by the client, the packet).
type Loss = Box<dyn FnMut(bool, &Packet<&[u8]>) -> bool>;

struct Pair {
    client: Association,
    server: Association,
    start: Instant,
    now: Instant,
    frames: Vec<Frame>,
    lose: Loss,
    lost: usize,
    client_events: Vec<Event>,
    server_events: Vec<Event>,
    /// Packets an association refused, with the reason.
    rejected: Vec<String>,
    /// The length of every message either side queued.
    sent: Vec<usize>,
}

fn rx(from_client: bool, contents: &[u8]) -> Receive<'_> {
    let (source, destination) = if from_client {
        (addr(CLIENT), addr(SERVER))
    } else {
        (addr(SERVER), addr(CLIENT))
    };
    Receive {
        proto: Protocol::Udp,
        source,
        destination,
        contents,
    }
}

impl Pair {
    /// Two associations, with I-DATA offered by both or by neither.
    fn new(interleaving: bool) -> Self {
        let now = start();
        let config = |seed| Config {
            rng_seed: Some(sansrtc_proto::rng::seed_from_u64(seed)),
            interleaving,
            // The pcap shows SCTP over plain UDP, and tshark 4.0 would call zero checksums
            // (RFC 9653) bad.
            zero_checksum: false,
            heartbeat_interval: Some(HEARTBEAT_INTERVAL),
            ..Config::default()
        };
        Self {
            client: Association::new(config(1), now),
            server: Association::new(config(2), now),
            start: now,
            now,
            frames: Vec::new(),
            lose: Box::new(|_, _| false),
            lost: 0,
            client_events: Vec::new(),
            server_events: Vec::new(),
            rejected: Vec::new(),
            sent: Vec::new(),
        }
    }

    /// Records a packet and hands it to the other side unless the network loses it.
    fn send(&mut self, from_client: bool, bytes: &[u8]) {
        self.frames.push(Frame {
            at: self.now - self.start,
            from_client,
            bytes: bytes.to_vec(),
        });
        let packet = Packet::new_checked(bytes).expect("we send well-formed packets");
        if (self.lose)(from_client, &packet) {
            self.lost += 1;
            return;
        }
        let to = if from_client {
            &mut self.server
        } else {
            &mut self.client
        };
        if let Err(e) = to.handle_receive(self.now, rx(from_client, bytes)) {
            self.rejected.push(format!("{e:?}"));
        }
    }

    /// Moves packets both ways until neither side has one.
    fn exchange(&mut self) {
        let mut buf = Vec::new();
        loop {
            let mut moved = false;
            while let Some(t) = self.client.poll_transmit(self.now, &mut buf) {
                moved = true;
                let bytes = buf[..t.size].to_vec();
                self.send(true, &bytes);
            }
            while let Some(t) = self.server.poll_transmit(self.now, &mut buf) {
                moved = true;
                let bytes = buf[..t.size].to_vec();
                self.send(false, &bytes);
            }
            self.client_events
                .extend(std::iter::from_fn(|| self.client.poll_event()));
            self.server_events
                .extend(std::iter::from_fn(|| self.server.poll_event()));
            if !moved {
                return;
            }
        }
    }

    /// Runs until `done` holds, jumping from timer to timer, or `limit` of virtual time passes.
    fn run(&mut self, limit: Duration, mut done: impl FnMut(&Self) -> bool) -> bool {
        let end = self.now + limit;
        loop {
            self.exchange();
            if done(self) {
                return true;
            }
            let Some(next) = [self.client.poll_timeout(), self.server.poll_timeout()]
                .into_iter()
                .flatten()
                .min()
            else {
                return false;
            };
            if next > end {
                return false;
            }
            self.now = next.max(self.now);
            self.client.handle_timeout(self.now);
            self.server.handle_timeout(self.now);
        }
    }
}

fn messages(events: &[Event]) -> Vec<(u16, u32, bool, Vec<u8>)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Message(m) => Some((m.stream, m.ppid, m.unordered, m.data.clone())),
            _ => None,
        })
        .collect()
}

fn payload(seed: usize, len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + seed * 13 + len) as u8).collect()
}

/// The DATA or I-DATA chunks of a packet: (stream, SSN or MID), the message's number on its
/// stream either way.
fn data_chunks(packet: &Packet<&[u8]>) -> Vec<(u16, u32)> {
    packet
        .chunks()
        .filter_map(|c| match ChunkRepr::parse(&c.ok()?) {
            Ok(ChunkRepr::Data(d)) => Some((d.stream_id, u32::from(d.ssn))),
            Ok(ChunkRepr::IData(d)) => Some((d.stream_id, d.mid)),
            _ => None,
        })
        .collect()
}

/// Whether some frame carries a chunk of type `t`.
fn has_chunk(frames: &[Frame], t: u8) -> bool {
    frames.iter().any(|f| {
        Packet::new_checked(&f.bytes[..])
            .unwrap()
            .chunks()
            .any(|c| c.is_ok_and(|c| c.chunk_type() == t))
    })
}

/// Plays the whole exchange, with DATA and FORWARD TSN or with I-DATA and I-FORWARD-TSN;
/// returns the pair with its frames.
fn play(interleaving: bool) -> Pair {
    let mut p = Pair::new(interleaving);

    // The handshake.
    p.client.connect(p.now);
    assert!(
        p.run(Duration::from_secs(5), |p| p.client.is_established()
            && p.server.is_established()),
        "handshake: {:?} {:?}",
        p.client,
        p.server
    );

    // Messages on several streams, both ways.
    let client_sent = [
        (0, 51, false, b"hello tshark".to_vec()),
        (1, 53, true, payload(1, 300)),
        (2, 53, false, payload(2, 5 * 1024)),
    ];
    for (stream, ppid, unordered, data) in client_sent.clone() {
        p.sent.push(data.len());
        p.client.send(stream, ppid, unordered, data).unwrap();
    }
    p.sent.push(b"hello back".len());
    p.server.send(3, 51, false, b"hello back".to_vec()).unwrap();
    assert!(p.run(Duration::from_secs(5), |p| {
        messages(&p.server_events).len() == 3
            && messages(&p.client_events).len() == 1
            && p.client.unacknowledged_chunks() == 0
            && p.server.unacknowledged_chunks() == 0
    }));
    let mut got = messages(&p.server_events);
    got.sort();
    assert_eq!(got, client_sent);
    assert_eq!(
        messages(&p.client_events),
        [(3, 51, false, b"hello back".to_vec())]
    );

    // A burst of four one-packet messages on stream 4; the second packet is lost once, so the
    // server acknowledges the third and fourth in a gap block, and the client retransmits.
    let mut lost_once = false;
    p.lose = Box::new(move |from_client, packet| {
        let hit = from_client && !lost_once && data_chunks(packet).contains(&(4, 1));
        lost_once |= hit;
        hit
    });
    for n in 0..4 {
        p.sent.push(1100);
        p.client.send(4, 53, false, payload(10 + n, 1100)).unwrap();
    }
    assert!(p.run(Duration::from_secs(30), |p| {
        messages(&p.server_events).len() == 7 && p.client.unacknowledged_chunks() == 0
    }));
    assert_eq!(p.lost, 1);
    let on_4: Vec<Vec<u8>> = messages(&p.server_events)
        .into_iter()
        .filter(|m| m.0 == 4)
        .map(|m| m.3)
        .collect();
    assert_eq!(
        on_4,
        (0..4).map(|n| payload(10 + n, 1100)).collect::<Vec<_>>()
    );

    // A message that is never retransmitted, on stream 5, and a reliable one after it on
    // stream 6; every packet with stream 5 in it is lost, so the first is abandoned and the
    // client sends FORWARD TSN (or I-FORWARD-TSN).
    p.lose = Box::new(|from_client, packet| {
        from_client && data_chunks(packet).iter().any(|&(s, _)| s == 5)
    });
    p.client
        .send_with(
            p.now,
            5,
            51,
            false,
            payload(20, 1000),
            PartialReliability::MaxRetransmits(0),
        )
        .unwrap();
    p.client.send(6, 51, false, payload(21, 1000)).unwrap();
    p.sent.extend([1000, 1000]);
    assert!(p.run(Duration::from_secs(30), |p| {
        messages(&p.server_events).len() == 8 && p.client.unacknowledged_chunks() == 0
    }));
    assert!(p.lost >= 2);
    assert_eq!(
        messages(&p.server_events).last(),
        Some(&(6, 51, false, payload(21, 1000)))
    );
    assert!(!messages(&p.server_events).iter().any(|m| m.0 == 5));
    p.lose = Box::new(|_, _| false);

    // The client resets its outgoing stream 0 (how a data channel closes, RFC 8831 §6.7):
    // RE-CONFIG with an Outgoing SSN Reset Request, and the server's response. Stream 0 then
    // starts again at sequence number 0.
    p.client.reset_streams(p.now, &[0]).unwrap();
    assert!(p.run(Duration::from_secs(5), |p| {
        p.client_events
            .contains(&Event::OutgoingStreamsReset(vec![0]))
    }));
    assert!(
        p.server_events
            .contains(&Event::IncomingStreamsReset(vec![0]))
    );
    p.client
        .send(0, 51, false, b"after reset".to_vec())
        .unwrap();
    p.sent.push(b"after reset".len());
    assert!(p.run(Duration::from_secs(5), |p| {
        messages(&p.server_events).len() == 9 && p.client.unacknowledged_chunks() == 0
    }));
    let on_0: Vec<u32> = p
        .frames
        .iter()
        .filter(|f| f.from_client)
        .flat_map(|f| data_chunks(&Packet::new_checked(&f.bytes[..]).unwrap()))
        .filter(|&(stream, _)| stream == 0)
        .map(|(_, n)| n)
        .collect();
    assert!(
        on_0.len() >= 2 && on_0.iter().all(|&n| n == 0),
        "stream 0 starts again at 0 after the reset: {on_0:?}"
    );

    // Silence: the associations probe each other with HEARTBEATs, which are answered.
    assert!(p.run(HEARTBEAT_INTERVAL * 2, |p| has_chunk(
        &p.frames,
        chunk_type::HEARTBEAT_ACK
    )));

    // Graceful shutdown from the client.
    p.client.shutdown(p.now);
    assert!(p.run(Duration::from_secs(5), |p| {
        p.client.state() == State::Ended && p.server.state() == State::Ended
    }));
    assert!(p.client_events.contains(&Event::Closed));
    assert!(p.server_events.contains(&Event::Closed));
    assert_eq!(p.rejected, Vec::<String>::new());
    assert_eq!(p.client.refused_packets() + p.server.refused_packets(), 0);
    p
}

#[test]
fn tshark_decodes_an_association_with_data_and_forward_tsn() {
    if require_peer("tshark").is_none() {
        return;
    }
    check(false);
}

#[test]
fn tshark_decodes_an_association_with_i_data_and_i_forward_tsn() {
    if require_peer("tshark").is_none() {
        return;
    }
    check(true);
}

/// Plays the exchange and checks tshark's reading of it.
fn check(interleaving: bool) {
    let p = play(interleaving);
    let dir = TempDir::new("sctp-tshark").unwrap();
    let path = dir.path().join("sctp.pcap");
    let mut pcap = PcapWriter::new();
    for (i, f) in p.frames.iter().enumerate() {
        let (source, destination) = if f.from_client {
            (addr(CLIENT), addr(SERVER))
        } else {
            (addr(SERVER), addr(CLIENT))
        };
        // Virtual time, plus a microsecond per frame to keep them apart.
        pcap.add_udp(
            f.at + Duration::from_micros(i as u64),
            source,
            destination,
            &f.bytes,
        );
    }
    pcap.write_to(&path).unwrap();
    let d = Dissection::of(&path);
    if let Some(keep) = std::env::var_os("SCTP_TSHARK_KEEP") {
        let mut keep = std::path::PathBuf::from(keep);
        keep.set_extension(if interleaving { "idata.pcap" } else { "pcap" });
        std::fs::copy(&path, keep).unwrap();
    }

    // Every frame is SCTP, none malformed, every CRC32c good.
    let rows = d.table(&["frame.protocols", "_ws.malformed", "sctp.checksum.status"]);
    assert_eq!(rows.len(), p.frames.len());
    for (i, row) in rows.iter().enumerate() {
        assert!(
            row[0].starts_with("raw:ip:udp:sctp"),
            "frame {}: {row:?}",
            i + 1
        );
        assert_eq!(row[1], "", "frame {} is malformed", i + 1);
        assert_eq!(row[2], "1", "frame {}: checksum status", i + 1);
    }
    let flagged = tshark(
        &path,
        &[
            "-Y",
            "_ws.malformed || _ws.expert.severity >= 6291456",
            "-T",
            "fields",
            "-e",
            "frame.number",
        ],
    );
    assert_eq!(flagged.trim(), "", "tshark warns about frames");
    // tshark's own TSN analysis notes a retransmission exactly where a side sends a TSN it
    // sent before, and notes nothing else.
    let notes: Vec<(usize, String)> = d
        .table(&["frame.number", "_ws.expert.message"])
        .into_iter()
        .filter(|row| !row[1].is_empty())
        .map(|row| (row[0].parse().unwrap(), row[1].clone()))
        .collect();
    let mut sent: BTreeSet<(bool, u32)> = BTreeSet::new();
    let mut retransmissions = Vec::new();
    for (i, f) in p.frames.iter().enumerate() {
        let packet = Packet::new_checked(&f.bytes[..]).unwrap();
        let mut again = false;
        for chunk in packet.chunks() {
            match ChunkRepr::parse(&chunk.unwrap()) {
                Ok(ChunkRepr::Data(d)) => again |= !sent.insert((f.from_client, d.tsn)),
                Ok(ChunkRepr::IData(d)) => again |= !sent.insert((f.from_client, d.tsn)),
                _ => {}
            }
        }
        if again {
            retransmissions.push((i + 1, "Retransmitted TSN".to_owned()));
        }
    }
    assert!(
        !retransmissions.is_empty(),
        "the lost packet was retransmitted"
    );
    assert_eq!(notes, retransmissions);

    // Every chunk type of the exchange, with DATA or I-DATA only.
    let seen: BTreeSet<u8> = d
        .table(&["sctp.chunk_type"])
        .iter()
        .flat_map(|row| {
            row[0]
                .split(',')
                .map(|t| t.parse::<u8>().unwrap())
                .collect::<Vec<_>>()
        })
        .collect();
    let (used, unused, forward_sid) = if interleaving {
        (
            [chunk_type::I_DATA, chunk_type::I_FORWARD_TSN],
            [chunk_type::DATA, chunk_type::FORWARD_TSN],
            "sctp.i_forward_tsn_sid",
        )
    } else {
        (
            [chunk_type::DATA, chunk_type::FORWARD_TSN],
            [chunk_type::I_DATA, chunk_type::I_FORWARD_TSN],
            "sctp.forward_tsn_sid",
        )
    };
    let mut wanted = vec![
        chunk_type::INIT,
        chunk_type::INIT_ACK,
        chunk_type::COOKIE_ECHO,
        chunk_type::COOKIE_ACK,
        chunk_type::SACK,
        chunk_type::RE_CONFIG,
        chunk_type::HEARTBEAT,
        chunk_type::HEARTBEAT_ACK,
        chunk_type::SHUTDOWN,
        chunk_type::SHUTDOWN_ACK,
        chunk_type::SHUTDOWN_COMPLETE,
    ];
    wanted.extend(used);
    let wanted: BTreeSet<u8> = wanted.into_iter().collect();
    assert_eq!(seen, wanted, "chunk types");
    assert!(unused.iter().all(|t| !seen.contains(t)));

    // Field by field, frame by frame: tshark reads what our parser reads.
    let rows = d.table(FIELDS);
    assert_eq!(rows.len(), p.frames.len());
    let initial = InitialTsns::of(&p.frames);
    for (i, (row, frame)) in rows.iter().zip(&p.frames).enumerate() {
        let want = expected(frame, &initial);
        for (j, field) in FIELDS.iter().enumerate() {
            assert_eq!(row[j], want[j], "frame {} field {field}", i + 1);
        }
    }

    // And what we know we sent: the streams and U bits of the (I-)DATA chunks, the PPIDs, a
    // gap block, the (I-)FORWARD TSN for stream 5, the reset of stream 0 with success.
    let split = |s: &str| -> Vec<String> {
        s.split(',')
            .filter(|x| !x.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let rows = d.table(&[
        "sctp.data_sid",
        "sctp.data_u_bit",
        "sctp.data_payload_proto_id",
    ]);
    let mut streams: BTreeSet<(String, String)> = BTreeSet::new();
    let mut ppids: BTreeSet<String> = BTreeSet::new();
    for row in &rows {
        let (sids, us) = (split(&row[0]), split(&row[1]));
        assert_eq!(sids.len(), us.len());
        streams.extend(sids.into_iter().zip(us));
        ppids.extend(split(&row[2]));
    }
    let known: BTreeSet<(String, String)> = [
        (0, false),
        (1, true),
        (2, false),
        (3, false),
        (4, false),
        (5, false),
        (6, false),
    ]
    .into_iter()
    .map(|(s, u): (u16, bool)| (format!("0x{s:04x}"), flag(u)))
    .collect();
    assert_eq!(streams, known);
    assert_eq!(ppids, BTreeSet::from(["51".to_owned(), "53".to_owned()]));
    let sacks = d.table(&["sctp.sack_gap_block_start", "sctp.sack_gap_block_end"]);
    assert!(
        sacks.iter().any(|r| !r[0].is_empty() && !r[1].is_empty()),
        "a SACK with a gap block"
    );
    let abandoned = d.table(&[forward_sid]);
    assert!(
        abandoned.iter().any(|r| split(&r[0]) == ["5"]),
        "{forward_sid} 5"
    );
    let reset = d.table(&[
        "sctp.parameter_reconfig_sid",
        "sctp.parameter_reconfig_response_result",
    ]);
    assert!(reset.iter().any(|r| r[0] == "0" && r[1].is_empty()));
    assert!(reset.iter().any(|r| r[0].is_empty() && r[1] == "1"));

    // tshark reassembles every message from its fragments (the first transmission of each)
    // to the length that was sent, the 5 KiB one from five frames.
    let rows = d.table(&["data.len", "sctp.fragment"]);
    let mut reassembled: Vec<usize> = rows
        .iter()
        .flat_map(|r| {
            r[0].split(',')
                .filter(|x| !x.is_empty())
                .map(|x| x.parse::<usize>().unwrap())
                .collect::<Vec<_>>()
        })
        .collect();
    let mut sent = p.sent.clone();
    reassembled.sort_unstable();
    sent.sort_unstable();
    assert_eq!(reassembled, sent);
    let big = rows.iter().find(|r| r[0] == "5120").unwrap();
    assert_eq!(big[1].split(',').count(), 5, "{big:?}");
}
