//! Our SCTP association against usrsctp (the SCTP of Firefox and libdatachannel), through
//! Debian's example programs on 127.0.0.1: each SCTP packet is the whole payload of one UDP
//! datagram, as inside DTLS in WebRTC. See `sansrtc_interop::usrsctp` for what each program
//! does.
//!
//! - `ekr_server` is the server and we connect: handshake, our messages (ordered, unordered,
//!   fragmented) SACKed and reported by usrsctp with the stream, PPID, length and TSN we sent,
//!   a stream reset that usrsctp denies (ekr_server does not enable them) and that we report
//!   as failed, then our graceful shutdown. `ekr_server` never sends user data.
//! - `ekr_client` connects to us: its message (80 bytes on stream 1, PPID 39) reaches us, ours
//!   reaches it, and its graceful shutdown closes us.
//! - `ekr_peer` connects to us, and both connect at once (an INIT collision): lines written to
//!   its stdin come to us as messages, ours are reported by it, and the end of its stdin (its
//!   shutdown) or our shutdown closes both sides.
//!
//! Every wait ends on a condition or a 20 s deadline, and the peer's process group is killed
//! when the test ends; on failure the message carries a tshark decode of everything that
//! crossed the socket and usrsctp's own output.
#![expect(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "interop with a real peer over a loopback UDP socket, on the real clock"
)]

use sansrtc_interop::openssl::free_udp_port;
use sansrtc_interop::usrsctp::{
    EKR_PPID, EKR_SCTP_PORT, ReceivedMessage, UdpLink, UsrsctpProcess, parse_received,
    require_example, wait_udp_bound, wait_udp_queued,
};
use sansrtc_interop::{TempDir, require_peer};
use sansrtc_netsim::pcap::PcapWriter;
use sansrtc_sctp::association::{Association, Config, Event, State};
use sansrtc_sctp::wire::{ChunkRepr, Packet, ReconfigParam, ReconfigResult, chunk_type};
use std::net::{SocketAddr, UdpSocket};
use std::process::Command;
use std::time::{Duration, Instant};

type Link = UdpLink<Association>;

const TIME_LIMIT: Duration = Duration::from_secs(20);

fn deadline() -> Instant {
    Instant::now() + TIME_LIMIT
}

fn local(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

/// Our association on the examples' SCTP port, on a fresh socket, with a free UDP port for
/// the peer (picked while our socket holds its own, so the two differ).
fn link() -> Link {
    let config = Config {
        port: EKR_SCTP_PORT,
        // Plain UDP, no DTLS: zero checksums (RFC 9653) would not be safe.
        zero_checksum: false,
        ..Config::default()
    };
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let peer_udp = free_udp_port().unwrap();
    UdpLink::new(
        Association::new(config, Instant::now()),
        socket,
        local(peer_udp),
    )
    .unwrap()
}

/// Starts example `program` with the UDP addresses (and `extra` arguments), and waits until
/// it has bound its UDP port.
fn spawn(program: &std::path::Path, link: &Link, extra: &[&str]) -> UsrsctpProcess {
    let theirs = link.remote().port().to_string();
    let ours = link.local().port().to_string();
    let mut args = vec!["127.0.0.1", &theirs, "127.0.0.1", &ours];
    args.extend_from_slice(extra);
    let peer = UsrsctpProcess::spawn(program, &args).unwrap();
    assert!(
        wait_udp_bound(link.remote().port(), deadline()),
        "{} never bound UDP {theirs}\n{}",
        program.display(),
        peer.transcript()
    );
    peer
}

/// Every chunk that crossed the socket: (outbound, chunk type, verification tag).
fn chunks(link: &Link) -> Vec<(bool, u8, u32)> {
    let mut out = Vec::new();
    for c in &link.captured {
        let Ok(packet) = Packet::new_checked(&c.bytes[..]) else {
            continue;
        };
        for chunk in packet.chunks().flatten() {
            out.push((c.outbound, chunk.chunk_type(), packet.verification_tag()));
        }
    }
    out
}

/// The DATA chunks we sent that began a message: (TSN, stream, PPID), each TSN once.
fn our_first_fragments(link: &Link) -> Vec<(u32, u16, u32)> {
    let mut out = Vec::new();
    for c in link.captured.iter().filter(|c| c.outbound) {
        let packet = Packet::new_checked(&c.bytes[..]).unwrap();
        for chunk in packet.chunks() {
            if let Ok(ChunkRepr::Data(d)) = ChunkRepr::parse(&chunk.unwrap())
                && d.beginning
                && !out.iter().any(|(tsn, _, _)| *tsn == d.tsn)
            {
                out.push((d.tsn, d.stream_id, d.ppid));
            }
        }
    }
    out
}

/// tshark's reading of every datagram that crossed the socket (or why there is none).
fn decode(link: &Link) -> String {
    let Some(tshark) = require_peer("tshark") else {
        return "(tshark not installed: no decode)".to_owned();
    };
    let dir = TempDir::new("sctp-usrsctp").unwrap();
    let path = dir.path().join("exchange.pcap");
    let mut pcap = PcapWriter::new();
    for (i, c) in link.captured.iter().enumerate() {
        let (source, destination) = if c.outbound {
            (link.local(), c.remote)
        } else {
            (c.remote, link.local())
        };
        pcap.add_udp(
            Duration::from_millis(i as u64),
            source,
            destination,
            &c.bytes,
        );
    }
    pcap.write_to(&path).unwrap();
    let port = format!("udp.port=={},sctp", link.local().port());
    let out = Command::new(tshark)
        .args(["-n", "-r"])
        .arg(&path)
        .args(["-d", &port, "-o", "sctp.checksum:CRC-32C", "-T", "fields"])
        .args(["-E", "occurrence=a", "-E", "aggregator=,"])
        .args([
            "-e",
            "frame.number",
            "-e",
            "udp.srcport",
            "-e",
            "udp.dstport",
        ])
        .args(["-e", "sctp.srcport", "-e", "sctp.dstport"])
        .args(["-e", "sctp.verification_tag", "-e", "sctp.checksum.status"])
        .args(["-e", "_ws.col.Info"])
        .output()
        .expect("tshark runs");
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        text.push_str(&String::from_utf8_lossy(&out.stderr));
    }
    format!("frame, udp src/dst, sctp src/dst, tag, crc ok, chunks:\n{text}")
}

/// Everything known about the exchange, for a failure message.
fn report(link: &Link, peer: &UsrsctpProcess) -> String {
    format!(
        "association: {:?}\nevents: {:?}\nrejected by us: {:?}\n--- tshark ---\n{}\n{}",
        link.machine,
        link.events,
        link.rejected,
        decode(link),
        peer.transcript()
    )
}

/// Runs `link` until `done`; panics with the whole story if the deadline passes first.
fn run(link: &mut Link, peer: &UsrsctpProcess, what: &str, done: impl FnMut(&Link) -> bool) {
    match link.run_until(deadline(), done) {
        Ok(true) => {}
        Ok(false) => panic!(
            "timed out ({TIME_LIMIT:?}) waiting for {what}\n{}",
            report(link, peer)
        ),
        Err(e) => panic!("{what}: {e}\n{}", report(link, peer)),
    }
}

fn connected(link: &Link) -> bool {
    link.events.contains(&Event::Connected) && link.machine.is_established()
}

fn closed(link: &Link) -> bool {
    link.events.contains(&Event::Closed) && link.machine.state() == State::Ended
}

fn messages(link: &Link) -> Vec<(u16, u32, Vec<u8>)> {
    link.events
        .iter()
        .filter_map(|e| match e {
            Event::Message(m) => Some((m.stream, m.ppid, m.data.clone())),
            _ => None,
        })
        .collect()
}

/// All we sent is acknowledged: nothing queued, nothing in flight.
fn drained(link: &Link, streams: &[u16]) -> bool {
    link.machine.unacknowledged_chunks() == 0
        && streams
            .iter()
            .all(|&s| link.machine.buffered_amount(s) == 0)
}

/// What every test requires at the end: no packet refused by us, no ABORT or ERROR either
/// way, no abort reported, and SACKs from usrsctp.
fn assert_clean(link: &Link, peer: &UsrsctpProcess) {
    // Shown with `--nocapture`.
    eprintln!("{}", decode(link));
    let chunks = chunks(link);
    let story = || report(link, peer);
    assert!(
        chunks
            .iter()
            .any(|&(out, t, _)| !out && t == chunk_type::SACK),
        "no SACK from usrsctp\n{}",
        story()
    );
    assert_eq!(link.rejected, Vec::<String>::new(), "{}", story());
    assert_eq!(link.machine.refused_packets(), 0, "{}", story());
    assert!(
        !chunks
            .iter()
            .any(|&(_, t, _)| t == chunk_type::ABORT || t == chunk_type::ERROR),
        "an ABORT or ERROR crossed\n{}",
        story()
    );
    assert!(
        !link.events.iter().any(|e| matches!(e, Event::Aborted(_))),
        "{}",
        story()
    );
}

fn payload(seed: usize, len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + seed * 13 + len) as u8).collect()
}

/// Our test messages: (stream, PPID, unordered, bytes). A short text, an unordered binary
/// message, one fragmented over five packets, and a one-byte message behind it on the ordered
/// stream.
fn our_messages() -> Vec<(u16, u32, bool, Vec<u8>)> {
    vec![
        (1, 51, false, b"hello usrsctp".to_vec()),
        (2, 53, true, payload(1, 1000)),
        (3, 53, false, payload(2, 5000)),
        (1, 51, false, vec![0x42]),
    ]
}

/// Queues [`our_messages`].
fn send_ours(link: &mut Link) {
    for (stream, ppid, unordered, data) in our_messages() {
        link.machine.send(stream, ppid, unordered, data).unwrap();
    }
}

/// Waits until usrsctp reports every one of [`our_messages`], then checks what it reports:
/// length, stream, PPID, our SCTP port, SSNs on the ordered stream, and the TSN of the first
/// fragment we sent.
fn assert_usrsctp_got_ours(link: &Link, peer: &UsrsctpProcess) {
    let sent = our_messages();
    let out = peer
        .wait_for_stdout(deadline(), "our messages", |out| {
            parse_received(out).len() >= sent.len()
        })
        .unwrap_or_else(|e| panic!("{e}\n{}", report(link, peer)));
    let got: Vec<ReceivedMessage> = parse_received(&out);
    assert_eq!(got.len(), sent.len(), "{}", report(link, peer));
    let mut got_keys: Vec<(u16, u32, usize)> =
        got.iter().map(|m| (m.stream, m.ppid, m.length)).collect();
    let mut sent_keys: Vec<(u16, u32, usize)> =
        sent.iter().map(|(s, p, _, d)| (*s, *p, d.len())).collect();
    // The ordered stream 1 in order; the rest as a set.
    let ordered = |v: &[(u16, u32, usize)]| -> Vec<(u16, u32, usize)> {
        v.iter().filter(|k| k.0 == 1).copied().collect()
    };
    assert_eq!(ordered(&got_keys), ordered(&sent_keys));
    got_keys.sort_unstable();
    sent_keys.sort_unstable();
    assert_eq!(got_keys, sent_keys, "{}", report(link, peer));
    assert!(got.iter().all(|m| m.port == EKR_SCTP_PORT));
    // usrsctp reports the TSN of each message's first fragment: the TSNs we sent.
    let mut ours = our_first_fragments(link);
    let mut theirs: Vec<(u32, u16, u32)> = got.iter().map(|m| (m.tsn, m.stream, m.ppid)).collect();
    ours.sort_unstable();
    theirs.sort_unstable();
    assert_eq!(theirs, ours, "{}", report(link, peer));
    // Ordered messages on stream 1 carry SSNs 0, 1.
    let ssns: Vec<u16> = got
        .iter()
        .filter(|m| m.stream == 1)
        .map(|m| m.ssn)
        .collect();
    assert_eq!(ssns, [0, 1]);
}

#[test]
fn we_connect_to_ekr_server_send_and_shut_down() {
    let Some(program) = require_example("ekr_server") else {
        return;
    };
    let mut link = link();
    let peer = spawn(&program, &link, &[]);
    // ekr_server binds its UDP socket a moment before it listens on SCTP port 5001, and an
    // INIT in between is answered with an ABORT: give it that moment. (Nothing it prints
    // tells when it listens.)
    std::thread::sleep(Duration::from_millis(200));
    link.machine.connect(Instant::now());
    run(&mut link, &peer, "the handshake", connected);

    send_ours(&mut link);
    run(&mut link, &peer, "usrsctp to SACK our messages", |l| {
        drained(l, &[1, 2, 3])
    });
    assert_usrsctp_got_ours(&link, &peer);

    // A stream reset (RFC 6525, how a data channel closes). ekr_server does not enable stream
    // resets (SCTP_ENABLE_STREAM_RESET), so usrsctp answers "Denied": we must report the
    // failure and keep the stream as it was, its SSNs going on from 2.
    link.machine.reset_streams(Instant::now(), &[1]).unwrap();
    run(
        &mut link,
        &peer,
        "usrsctp to answer our reset of stream 1",
        |l| l.events.contains(&Event::StreamResetFailed(vec![1])),
    );
    let denied = link
        .captured
        .iter()
        .filter(|c| !c.outbound)
        .flat_map(|c| {
            let packet = Packet::new_checked(&c.bytes[..]).unwrap();
            packet
                .chunks()
                .filter_map(|chunk| match ChunkRepr::parse(&chunk.ok()?).ok()? {
                    ChunkRepr::Reconfig(r) => Some(r.params.iter().any(|p| {
                        matches!(
                            p,
                            ReconfigParam::Response {
                                result: ReconfigResult::Denied,
                                ..
                            }
                        )
                    })),
                    _ => None,
                })
                .collect::<Vec<_>>()
        })
        .collect::<Vec<bool>>();
    assert_eq!(denied, [true], "{}", report(&link, &peer));
    link.machine
        .send(1, 51, false, b"after reset".to_vec())
        .unwrap();
    run(&mut link, &peer, "usrsctp to SACK it", |l| drained(l, &[1]));
    let n = our_messages().len() + 1;
    let out = peer
        .wait_for_stdout(deadline(), "the message after the reset", |o| {
            parse_received(o).len() == n
        })
        .unwrap_or_else(|e| panic!("{e}\n{}", report(&link, &peer)));
    let after = parse_received(&out)[n - 1];
    assert_eq!(
        (after.stream, after.ssn, after.ppid, after.length),
        (1, 2, 51, 11),
        "{}",
        report(&link, &peer)
    );

    link.machine.shutdown(Instant::now());
    run(&mut link, &peer, "our shutdown to complete", closed);
    let types: Vec<(bool, u8)> = chunks(&link).iter().map(|&(o, t, _)| (o, t)).collect();
    let tail = &types[types.len() - 3..];
    assert_eq!(
        tail,
        [
            (true, chunk_type::SHUTDOWN),
            (false, chunk_type::SHUTDOWN_ACK),
            (true, chunk_type::SHUTDOWN_COMPLETE)
        ],
        "{}",
        report(&link, &peer)
    );
    assert!(messages(&link).is_empty(), "ekr_server sends no data");
    assert_clean(&link, &peer);
}

/// ekr_client connects to us from an ephemeral SCTP port, sends 80 bytes on stream 1 and shuts
/// down; we check its message, ours reaching it, our answers going to its port, and the
/// shutdown closing us.
#[test]
fn ekr_client_connects_to_us_and_data_goes_both_ways() {
    let Some(program) = require_example("ekr_client") else {
        return;
    };
    let mut link = link();
    let peer = spawn(&program, &link, &[]);
    run(&mut link, &peer, "the handshake", connected);
    send_ours(&mut link);
    run(
        &mut link,
        &peer,
        "ekr_client's message, our messages acknowledged, and its shutdown",
        |l| !messages(l).is_empty() && drained(l, &[1, 2, 3]) && closed(l),
    );
    assert_eq!(
        messages(&link),
        [(1, EKR_PPID, vec![b'A'; 80])],
        "{}",
        report(&link, &peer)
    );
    assert_usrsctp_got_ours(&link, &peer);
    assert_clean(&link, &peer);
}

#[test]
fn ekr_peer_connects_to_us_and_data_goes_both_ways() {
    let Some(program) = require_example("ekr_peer") else {
        return;
    };
    let mut link = link();
    let port = EKR_SCTP_PORT.to_string();
    let mut peer = spawn(&program, &link, &[&port, &port]);
    run(&mut link, &peer, "the handshake", connected);
    peer.wait_for_stdout(deadline(), "SCTP_COMM_UP", |o| o.contains("SCTP_COMM_UP"))
        .unwrap();

    let lines = ["first line", "second, longer line from usrsctp", "3"];
    for line in lines {
        peer.send_line(line).unwrap();
    }
    send_ours(&mut link);
    run(
        &mut link,
        &peer,
        "ekr_peer's lines and our messages acknowledged",
        |l| messages(l).len() == lines.len() && drained(l, &[1, 2, 3]),
    );
    let expected: Vec<(u16, u32, Vec<u8>)> = lines
        .iter()
        .map(|l| (1, EKR_PPID, format!("{l}\n").into_bytes()))
        .collect();
    assert_eq!(messages(&link), expected, "{}", report(&link, &peer));
    assert_usrsctp_got_ours(&link, &peer);

    // The end of its stdin makes ekr_peer shut down.
    peer.close_stdin();
    run(&mut link, &peer, "ekr_peer's shutdown", closed);
    let exit = peer.wait_exit(deadline());
    assert!(
        exit.is_some_and(|s| s.success()),
        "ekr_peer exit {exit:?}\n{}",
        report(&link, &peer)
    );
    let types: Vec<(bool, u8)> = chunks(&link).iter().map(|&(o, t, _)| (o, t)).collect();
    assert!(types.ends_with(&[
        (false, chunk_type::SHUTDOWN),
        (true, chunk_type::SHUTDOWN_ACK),
        (false, chunk_type::SHUTDOWN_COMPLETE)
    ]));
    assert_clean(&link, &peer);
}

#[test]
fn we_and_ekr_peer_connect_at_once_then_we_shut_down() {
    let Some(program) = require_example("ekr_peer") else {
        return;
    };
    let mut link = link();
    let port = EKR_SCTP_PORT.to_string();
    // ekr_peer connects as soon as it starts. Once its INIT waits, unread, in our socket, we
    // connect too: our INIT goes out before we read theirs, so each side gets the other's INIT
    // in COOKIE WAIT (RFC 9260 §5.2.1), every time.
    let mut peer = spawn(&program, &link, &[&port, &port]);
    assert!(
        wait_udp_queued(link.local().port(), deadline()),
        "no INIT from ekr_peer\n{}",
        peer.transcript()
    );
    link.machine.connect(Instant::now());
    run(&mut link, &peer, "the handshake", connected);
    peer.wait_for_stdout(deadline(), "SCTP_COMM_UP", |o| o.contains("SCTP_COMM_UP"))
        .unwrap();
    let inits: Vec<bool> = chunks(&link)
        .iter()
        .filter(|&&(_, t, _)| t == chunk_type::INIT)
        .map(|&(out, _, _)| out)
        .collect();
    assert!(
        inits.contains(&true) && inits.contains(&false),
        "INITs both ways\n{}",
        report(&link, &peer)
    );

    peer.send_line("across the collision").unwrap();
    send_ours(&mut link);
    run(&mut link, &peer, "data both ways", |l| {
        messages(l).len() == 1 && drained(l, &[1, 2, 3])
    });
    assert_eq!(
        messages(&link),
        [(1, EKR_PPID, b"across the collision\n".to_vec())]
    );
    assert_usrsctp_got_ours(&link, &peer);

    link.machine.shutdown(Instant::now());
    run(&mut link, &peer, "our shutdown to complete", closed);
    peer.wait_for_stdout(deadline(), "SCTP_SHUTDOWN_COMP", |o| {
        o.contains("SCTP_SHUTDOWN_COMP")
    })
    .unwrap_or_else(|e| panic!("{e}\n{}", report(&link, &peer)));
    peer.close_stdin();
    let exit = peer.wait_exit(deadline());
    assert!(
        exit.is_some(),
        "ekr_peer did not exit\n{}",
        report(&link, &peer)
    );
    assert_clean(&link, &peer);
}
