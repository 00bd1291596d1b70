//! An independent decoder agrees with ours: a whole DTLS 1.2 handshake between two of our
//! endpoints (with a cookie exchange, mutual certificates, a small MTU that fragments
//! handshake messages, use_srtp) and one application data record each way, recorded to a pcap,
//! is dissected by tshark with no malformed packets or expert warnings, the handshake messages
//! in order, the fragments, the negotiated SRTP profile and the record content types.

use sansrtc_dtls::endpoint::{Config, Endpoint, Event, Role};
use sansrtc_dtls::identity::Identity;
use sansrtc_dtls::wire::SrtpProfileId;
use sansrtc_interop::{TempDir, require_peer};
use sansrtc_netsim::pcap::PcapWriter;
use sansrtc_proto::{Protocol, Receive, SansIo};
use std::net::SocketAddr;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

const CLIENT: &str = "127.0.0.1:50000";
const SERVER: &str = "127.0.0.1:4444";
/// Small enough that the certificates (about 300 bytes with ECDSA P-256) and the flights are
/// fragmented: at 576 every message of the handshake fits a datagram. 256 is the least
/// [`Config`] allows.
const MTU: usize = 256;

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

/// Records every datagram into a pcap, one millisecond apart.
struct Recorder {
    pcap: PcapWriter,
    frames: u64,
    largest: usize,
}

impl Recorder {
    fn record(&mut self, source: SocketAddr, destination: SocketAddr, bytes: &[u8]) {
        self.pcap.add_udp(
            Duration::from_millis(self.frames),
            source,
            destination,
            bytes,
        );
        self.frames += 1;
        self.largest = self.largest.max(bytes.len());
    }
}

/// Moves every datagram `from` has to `to`, recording each; whether any moved.
fn transfer(
    now: Instant,
    from: &mut Endpoint,
    to: &mut Endpoint,
    recorder: &mut Recorder,
    buf: &mut Vec<u8>,
) -> bool {
    let mut moved = false;
    while let Some(t) = from.poll_transmit(now, buf) {
        moved = true;
        recorder.record(t.source, t.destination, &buf[..t.size]);
        let _ = to.handle_receive(
            now,
            Receive {
                proto: Protocol::Udp,
                source: t.source,
                destination: t.destination,
                contents: &buf[..t.size],
            },
        );
    }
    moved
}

/// Moves every datagram between the two until both are quiet, recording each; returns the
/// events of each.
fn pump(
    now: Instant,
    client: &mut Endpoint,
    server: &mut Endpoint,
    recorder: &mut Recorder,
) -> (Vec<Event>, Vec<Event>) {
    let (mut client_events, mut server_events) = (Vec::new(), Vec::new());
    let mut buf = Vec::new();
    for _ in 0..100 {
        let sent = transfer(now, client, server, recorder, &mut buf);
        let answered = transfer(now, server, client, recorder, &mut buf);
        client_events.extend(std::iter::from_fn(|| client.poll_event()));
        server_events.extend(std::iter::from_fn(|| server.poll_event()));
        if !sent && !answered {
            break;
        }
    }
    (client_events, server_events)
}

fn tshark(path: &std::path::Path, extra: &[&str]) -> String {
    let tshark = require_peer("tshark").expect("checked by the caller");
    let out = Command::new(tshark)
        .args(["-n", "-r"])
        .arg(path)
        .args(["-d", "udp.port==4444,dtls"])
        .args(extra)
        .output()
        .expect("tshark runs");
    assert!(
        out.status.success(),
        "tshark failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The values of `field` in every frame, in order, each frame's occurrences in order.
fn values(path: &std::path::Path, field: &str) -> Vec<String> {
    tshark(
        path,
        &[
            "-T",
            "fields",
            "-E",
            "occurrence=a",
            "-E",
            "aggregator=,",
            "-e",
            field,
        ],
    )
    .lines()
    .flat_map(|l| l.split(',').map(str::to_owned).collect::<Vec<_>>())
    .filter(|v| !v.is_empty())
    .collect()
}

#[test]
fn tshark_decodes_our_dtls_handshake() {
    if require_peer("tshark").is_none() {
        return;
    }
    let client_id = Arc::new(Identity::generate().unwrap());
    let server_id = Arc::new(Identity::generate().unwrap());
    let mut client_config = Config::new(
        Role::Client,
        client_id.clone(),
        vec![server_id.fingerprint()],
    );
    let mut server_config = Config::new(Role::Server, server_id, vec![client_id.fingerprint()]);
    client_config.mtu = MTU;
    server_config.mtu = MTU;
    // The client offers every profile; the server accepts only one, not the client's first.
    server_config.srtp_profiles = vec![SrtpProfileId::AES128_CM_HMAC_SHA1_80];
    assert!(
        server_config.require_cookie,
        "a HelloVerifyRequest is wanted"
    );
    let now = start();
    let mut client = Endpoint::new(client_config, now, addr(CLIENT), addr(SERVER)).unwrap();
    let mut server = Endpoint::new(server_config, now, addr(SERVER), addr(CLIENT)).unwrap();

    let mut recorder = Recorder {
        pcap: PcapWriter::new(),
        frames: 0,
        largest: 0,
    };
    let (client_events, server_events) = pump(now, &mut client, &mut server, &mut recorder);
    let Some(Event::Connected {
        srtp_profile: Some(profile),
        ..
    }) = client_events.first().cloned()
    else {
        panic!("the client did not connect: {client_events:?}");
    };
    assert_eq!(profile, SrtpProfileId::AES128_CM_HMAC_SHA1_80);
    assert!(
        matches!(server_events[..], [Event::Connected { .. }]),
        "{server_events:?}"
    );
    let handshake_frames = recorder.frames;
    client.send_application_data(b"ping").unwrap();
    server.send_application_data(b"pong").unwrap();
    let (client_events, server_events) = pump(now, &mut client, &mut server, &mut recorder);
    assert_eq!(client_events, [Event::ApplicationData(b"pong".to_vec())]);
    assert_eq!(server_events, [Event::ApplicationData(b"ping".to_vec())]);
    assert!(recorder.largest <= MTU, "a datagram over the MTU");

    let dir = TempDir::new("dtls-tshark").unwrap();
    let path = dir.path().join("dtls.pcap");
    recorder.pcap.write_to(&path).unwrap();

    // Every frame is DTLS.
    let protocols = tshark(&path, &["-T", "fields", "-e", "frame.protocols"]);
    let protocols: Vec<&str> = protocols.lines().collect();
    assert_eq!(protocols.len() as u64, recorder.frames);
    for (i, p) in protocols.iter().enumerate() {
        assert!(p.contains(":dtls"), "frame {} is {p}", i + 1);
    }

    let flagged = tshark(
        &path,
        &[
            "-Y",
            "_ws.malformed || _ws.short || _ws.expert.severity >= 6291456",
            "-T",
            "fields",
            "-e",
            "frame.number",
            "-e",
            "_ws.expert.message",
        ],
    );
    assert_eq!(
        flagged.trim(),
        "",
        "tshark flags frames as malformed or warns about them"
    );

    // The handshake messages in order; a fragmented message shows once per fragment.
    let mut types = values(&path, "dtls.handshake.type");
    types.dedup();
    assert_eq!(
        types,
        ["1", "3", "1", "2", "11", "12", "13", "14", "11", "16", "15"],
        "handshake types"
    );
    // Both Finished messages are encrypted: tshark cannot read their type.
    let encrypted = tshark(
        &path,
        &[
            "-Y",
            "dtls.record.content_type == 22 && !dtls.handshake.type",
            "-T",
            "fields",
            "-e",
            "frame.number",
        ],
    );
    assert_eq!(
        encrypted.lines().count(),
        2,
        "two encrypted Finished records: {encrypted}"
    );

    // At least one handshake message spans several records: a fragment shorter than its
    // message, and a fragment at a nonzero offset.
    let fragments = tshark(
        &path,
        &[
            "-T",
            "fields",
            "-E",
            "occurrence=a",
            "-E",
            "aggregator=,",
            "-E",
            "separator=|",
            "-e",
            "dtls.handshake.length",
            "-e",
            "dtls.handshake.fragment_offset",
            "-e",
            "dtls.handshake.fragment_length",
        ],
    );
    let mut fragmented = 0;
    let mut continued = 0;
    for line in fragments.lines() {
        let columns: Vec<Vec<u32>> = line
            .split('|')
            .map(|c| c.split(',').filter_map(|v| v.parse().ok()).collect())
            .collect();
        if let [lengths, offsets, fragment_lengths] = &columns[..] {
            for ((length, offset), fragment) in lengths.iter().zip(offsets).zip(fragment_lengths) {
                assert!(offset + fragment <= *length, "{line}");
                if fragment < length {
                    fragmented += 1;
                }
                if *offset > 0 {
                    continued += 1;
                }
            }
        }
    }
    assert!(
        fragmented >= 2 && continued >= 1,
        "no fragmented handshake message: {fragments}"
    );

    // The client offers its four profiles in both ClientHellos; the server's choice last.
    let profiles = values(&path, "dtls.use_srtp.protection_profile");
    let offered = ["0x0007", "0x0008", "0x0001", "0x0002"];
    assert_eq!(
        profiles,
        [&offered[..], &offered[..], &["0x0001"]].concat(),
        "use_srtp profiles"
    );
    assert_eq!(profiles.last().unwrap(), &format!("{:#06x}", profile.0));

    // Record content types: handshake, change_cipher_spec, and application data each way
    // after the handshake.
    let content_types = values(&path, "dtls.record.content_type");
    assert!(content_types.iter().any(|t| t == "22"), "{content_types:?}");
    assert!(content_types.iter().any(|t| t == "20"), "{content_types:?}");
    assert!(
        !content_types.iter().any(|t| t == "21"),
        "{content_types:?}"
    );
    let application = tshark(
        &path,
        &[
            "-Y",
            "dtls.record.content_type == 23",
            "-T",
            "fields",
            "-e",
            "frame.number",
        ],
    );
    let application: Vec<u64> = application
        .lines()
        .map(|l| l.trim().parse().unwrap())
        .collect();
    assert_eq!(application.len(), 2, "{application:?}");
    assert!(
        application.iter().all(|f| *f > handshake_frames),
        "{application:?}"
    );
}
