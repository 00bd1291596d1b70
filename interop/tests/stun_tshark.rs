//! An independent decoder agrees with ours: every STUN/TURN attribute kind we encode, written
//! to a pcap (UDP and TCP framing), is dissected by tshark with no malformed packets, no
//! expert warnings, good FINGERPRINTs, and the field values we set.

use sansrtc_interop::{TempDir, require_peer};
use sansrtc_netsim::pcap::PcapWriter;
use sansrtc_proto::Protocol;
use sansrtc_stun::IntegrityKey;
use sansrtc_stun::wire::{
    AddressErrorCode, AddressFamily, Attribute, ChannelNumber, Class, ErrorCode, Icmp,
    MessageBuilder, Method, PasswordAlgorithm, PasswordAlgorithms, TransactionId,
    UnknownAttributes, password_algorithm, write_channel_data,
};
use std::net::SocketAddr;
use std::process::Command;
use std::time::Duration;

const CLIENT: &str = "127.0.0.1:50000";
const SERVER: &str = "127.0.0.1:3478";

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

/// Builds one message from `attributes`, optionally signed, always fingerprinted.
fn message(
    class: Class,
    method: Method,
    tid: u8,
    attributes: &[Attribute<'_>],
    key: Option<&IntegrityKey>,
    sha256: bool,
) -> Vec<u8> {
    let mut out = Vec::new();
    let mut b = MessageBuilder::new(&mut out, class, method, TransactionId([tid; 12]));
    for a in attributes {
        b.add(a).unwrap();
    }
    if let Some(key) = key {
        if sha256 {
            b.add_message_integrity_sha256(key).unwrap();
        } else {
            b.add_message_integrity(key).unwrap();
        }
    }
    b.add_fingerprint().unwrap();
    b.finish();
    out
}

/// tshark field names and the values we expect them to show.
type Expected = Vec<(&'static str, &'static str)>;

/// The messages, one per frame, each with the tshark fields we expect to see.
fn messages() -> Vec<(Vec<u8>, Expected)> {
    let key = IntegrityKey::new(b"password");
    let algorithms = [
        PasswordAlgorithm {
            algorithm: password_algorithm::MD5,
            params: &[],
        },
        PasswordAlgorithm {
            algorithm: password_algorithm::SHA256,
            params: &[],
        },
    ];
    let userhash = [0x11; 32];
    vec![
        (
            message(
                Class::Request,
                Method::BINDING,
                1,
                &[
                    Attribute::Username("ufragA:ufragB"),
                    Attribute::Priority(0x6e00_01ff),
                    Attribute::IceControlling(0x0102_0304_0506_0708),
                    Attribute::UseCandidate,
                    Attribute::Software("sansrtc"),
                ],
                Some(&key),
                false,
            ),
            vec![
                ("stun.att.username", "ufragA:ufragB"),
                ("stun.att.priority", "1845494271"),
                ("stun.att.software", "sansrtc"),
            ],
        ),
        (
            message(
                Class::Success,
                Method::BINDING,
                1,
                &[
                    Attribute::XorMappedAddress(addr("192.0.2.1:32853")),
                    Attribute::MappedAddress(addr("198.51.100.9:4000")),
                ],
                Some(&key),
                false,
            ),
            vec![
                ("stun.att.ipv4", "192.0.2.1,198.51.100.9"),
                ("stun.att.port", "32853,4000"),
            ],
        ),
        (
            message(
                Class::Success,
                Method::BINDING,
                2,
                &[Attribute::XorMappedAddress(addr(
                    "[2001:db8:1234:5678:11:2233:4455:6677]:32853",
                ))],
                None,
                false,
            ),
            vec![
                ("stun.att.ipv6", "2001:db8:1234:5678:11:2233:4455:6677"),
                ("stun.att.port", "32853"),
            ],
        ),
        (
            message(
                Class::Request,
                Method::BINDING,
                3,
                &[Attribute::IceControlled(42), Attribute::Priority(7)],
                None,
                false,
            ),
            vec![
                ("stun.att.tie-breaker", "000000000000002a"),
                ("stun.att.priority", "7"),
            ],
        ),
        (
            message(
                Class::Error,
                Method::ALLOCATE,
                4,
                &[
                    Attribute::ErrorCode(ErrorCode::new(401)),
                    Attribute::Realm("example.org"),
                    Attribute::Nonce("obMatJos2wAAAnonce"),
                    Attribute::PasswordAlgorithms(PasswordAlgorithms::List(&algorithms)),
                    Attribute::UnknownAttributes(UnknownAttributes::List(&[0x7777, 0x0055])),
                    Attribute::AlternateServer(addr("203.0.113.5:3478")),
                    Attribute::AlternateDomain("turn.example.org"),
                    Attribute::Software("sansrtc"),
                ],
                None,
                false,
            ),
            vec![
                ("stun.att.error", "1"),
                ("stun.att.realm", "example.org"),
                ("stun.att.nonce", "obMatJos2wAAAnonce"),
            ],
        ),
        (
            message(
                Class::Request,
                Method::ALLOCATE,
                5,
                &[
                    Attribute::RequestedTransport(17),
                    Attribute::Lifetime(600),
                    Attribute::RequestedAddressFamily(AddressFamily::V4),
                    Attribute::AdditionalAddressFamily(AddressFamily::V6),
                    Attribute::EvenPort(true),
                    Attribute::DontFragment,
                    Attribute::UserHash(&userhash),
                    Attribute::Realm("example.org"),
                    Attribute::Nonce("obMatJos2wAAAnonce"),
                    Attribute::PasswordAlgorithms(PasswordAlgorithms::List(&algorithms)),
                    Attribute::PasswordAlgorithm(algorithms[1]),
                ],
                Some(&key),
                true,
            ),
            vec![
                ("stun.att.lifetime", "600"),
                ("stun.att.transp", "0x11"),
                ("stun.att.even-port.reserve-next", "1"),
            ],
        ),
        (
            message(
                Class::Success,
                Method::ALLOCATE,
                5,
                &[
                    Attribute::XorRelayedAddress(addr("127.0.0.1:49160")),
                    Attribute::XorMappedAddress(addr("127.0.0.1:50000")),
                    Attribute::Lifetime(600),
                    Attribute::ReservationToken(&[1, 2, 3, 4, 5, 6, 7, 8]),
                    Attribute::AddressErrorCode(AddressErrorCode {
                        family: AddressFamily::V6,
                        code: 440,
                        reason: "Address Family not Supported",
                    }),
                ],
                Some(&key),
                false,
            ),
            vec![
                ("stun.att.ipv4", "127.0.0.1,127.0.0.1"),
                ("stun.att.port", "49160,50000"),
                ("stun.att.token", "0102030405060708"),
            ],
        ),
        (
            message(
                Class::Request,
                Method::CHANNEL_BIND,
                6,
                &[
                    Attribute::ChannelNumber(0x4001),
                    Attribute::XorPeerAddress(addr("127.0.0.1:3480")),
                ],
                Some(&key),
                false,
            ),
            vec![
                ("stun.att.channelnum", "0x4001"),
                ("stun.att.ipv4", "127.0.0.1"),
                ("stun.att.port", "3480"),
            ],
        ),
        (
            message(
                Class::Indication,
                Method::SEND,
                7,
                &[
                    Attribute::XorPeerAddress(addr("127.0.0.1:3480")),
                    Attribute::Data(b"hello peer"),
                ],
                None,
                false,
            ),
            vec![("stun.att.ipv4", "127.0.0.1"), ("stun.att.port", "3480")],
        ),
        (
            message(
                Class::Indication,
                Method::DATA,
                8,
                &[
                    Attribute::XorPeerAddress(addr("127.0.0.1:3480")),
                    Attribute::Data(b"hello back"),
                    Attribute::Icmp(Icmp {
                        icmp_type: 0,
                        code: 0,
                        data: 0,
                    }),
                ],
                None,
                false,
            ),
            vec![("stun.att.ipv4", "127.0.0.1")],
        ),
        (
            message(
                Class::Request,
                Method::CREATE_PERMISSION,
                9,
                &[
                    Attribute::XorPeerAddress(addr("127.0.0.1:0")),
                    Attribute::XorPeerAddress(addr("127.0.0.2:0")),
                ],
                Some(&key),
                false,
            ),
            vec![("stun.att.ipv4", "127.0.0.1,127.0.0.2")],
        ),
        (
            message(
                Class::Request,
                Method::REFRESH,
                10,
                &[Attribute::Lifetime(0)],
                Some(&key),
                false,
            ),
            vec![("stun.att.lifetime", "0")],
        ),
    ]
}

fn tshark(path: &std::path::Path, extra: &[&str]) -> String {
    let tshark = require_peer("tshark").expect("checked by the caller");
    let out = Command::new(tshark)
        .args(["-n", "-r"])
        .arg(path)
        .args(["-d", "udp.port==3478,stun", "-d", "tcp.port==3478,stun"])
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

#[test]
fn tshark_decodes_every_attribute_we_encode() {
    if require_peer("tshark").is_none() {
        return;
    }
    let dir = TempDir::new("stun-tshark").unwrap();
    let path = dir.path().join("stun.pcap");
    let mut pcap = PcapWriter::new();
    let expected = messages();
    for (i, (bytes, _)) in expected.iter().enumerate() {
        pcap.add_udp(
            Duration::from_millis(i as u64),
            addr(CLIENT),
            addr(SERVER),
            bytes,
        );
    }
    // ChannelData over UDP, unpadded.
    let mut frame = Vec::new();
    write_channel_data(
        &mut frame,
        ChannelNumber::new(0x4001).unwrap(),
        b"relayed!!",
        false,
    )
    .unwrap();
    pcap.add_udp(
        Duration::from_millis(100),
        addr(CLIENT),
        addr(SERVER),
        &frame,
    );
    // A TCP stream: two messages and a padded ChannelData frame in one segment, then one more.
    let mut stream = expected[0].0.clone();
    write_channel_data(
        &mut stream,
        ChannelNumber::new(0x4002).unwrap(),
        b"odd",
        true,
    )
    .unwrap();
    stream.extend_from_slice(&expected[7].0);
    let (client, server) = (addr("127.0.0.1:50001"), addr(SERVER));
    pcap.add(
        Duration::from_millis(200),
        Protocol::Tcp,
        client,
        server,
        &stream,
    );
    pcap.add(
        Duration::from_millis(201),
        Protocol::Tcp,
        client,
        server,
        &expected[11].0,
    );
    pcap.write_to(&path).unwrap();

    let malformed = tshark(
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
    assert_eq!(
        malformed.trim(),
        "",
        "tshark flags frames as malformed or warns about them"
    );
    let bad_crc = tshark(
        &path,
        &[
            "-Y",
            "stun.att.crc32.status != 1",
            "-T",
            "fields",
            "-e",
            "frame.number",
        ],
    );
    assert_eq!(bad_crc.trim(), "", "tshark finds a bad FINGERPRINT");

    let mut args = vec![
        "-T",
        "fields",
        "-E",
        "occurrence=a",
        "-E",
        "aggregator=,",
        "-E",
        "separator=|",
        "-e",
        "frame.number",
    ];
    let fields: Vec<&str> = {
        let mut names: Vec<&str> = expected
            .iter()
            .flat_map(|(_, f)| f.iter().map(|(n, _)| *n))
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    };
    for f in &fields {
        args.push("-e");
        args.push(f);
    }
    let table = tshark(&path, &args);
    let rows: Vec<Vec<&str>> = table.lines().map(|l| l.split('|').collect()).collect();
    assert_eq!(rows.len(), expected.len() + 3, "{table}");
    for (i, (_, want)) in expected.iter().enumerate() {
        for (name, value) in want {
            let col = 1 + fields.iter().position(|f| f == name).unwrap();
            assert_eq!(rows[i][col], *value, "frame {} field {name}", i + 1);
        }
    }
    // The ChannelData frame and the TCP stream.
    let channels = tshark(
        &path,
        &[
            "-T",
            "fields",
            "-e",
            "stun.channel",
            "-E",
            "occurrence=a",
            "-E",
            "aggregator=,",
        ],
    );
    let channels: Vec<&str> = channels.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(channels, ["0x4001", "0x4002"], "ChannelData channels");
    let tcp_methods = tshark(
        &path,
        &[
            "-Y",
            "tcp",
            "-T",
            "fields",
            "-e",
            "stun.type.method",
            "-E",
            "occurrence=a",
            "-E",
            "aggregator=,",
        ],
    );
    assert!(
        tcp_methods
            .lines()
            .next()
            .unwrap_or("")
            .split(',')
            .filter(|m| !m.is_empty())
            .count()
            >= 2,
        "two STUN messages in the first TCP segment: {tcp_methods}"
    );
}
