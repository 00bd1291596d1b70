//! An independent decoder agrees with ours: RTP packets (CSRCs, one-byte, two-byte and raw
//! header extensions, padding, marker) and RTCP compounds covering every packet type we build,
//! written to a pcap, are dissected by tshark with no malformed packets, no expert warnings,
//! and the field values we set.

use sansrtc_interop::{TempDir, require_peer};
use sansrtc_netsim::pcap::PcapWriter;
use sansrtc_rtp::rtcp::{
    AppRepr, DlrrSubBlock, ExtendedReportRepr, FirEntry, FirRepr, GoodbyeRepr, NackRepr, PliRepr,
    ReceiverReportRepr, Reception, RembRepr, ReportBlock, RtcpRepr, SenderReportRepr, SliEntry,
    SliRepr, SourceDescriptionRepr, TmmbItem, TmmbRepr, TransportCcRepr, XrBlockRepr,
};
use sansrtc_rtp::rtp::{Element, ElementForm, Extensions, RtpHeader};
use std::net::SocketAddr;
use std::process::Command;
use std::time::Duration;

const SENDER_RTP: &str = "127.0.0.1:40000";
const RECEIVER_RTP: &str = "127.0.0.1:5004";
const SENDER_RTCP: &str = "127.0.0.1:40001";
const RECEIVER_RTCP: &str = "127.0.0.1:5005";

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

/// tshark field names and the values we expect them to show (all occurrences, comma-joined).
type Expected = Vec<(&'static str, &'static str)>;

fn rtp(header: &RtpHeader<'_>, payload: &[u8], padding: u8) -> Vec<u8> {
    let mut out = Vec::new();
    header.write_packet(payload, padding, &mut out).unwrap();
    out
}

/// The RTP packets, one per datagram, with the fields tshark should show.
fn rtp_packets() -> Vec<(Vec<u8>, Expected)> {
    vec![
        (
            // One-byte extension elements (audio level, a three-byte element), no marker.
            rtp(
                &RtpHeader {
                    payload_type: 111,
                    sequence_number: 1000,
                    timestamp: 48_000,
                    ssrc: 0x1122_3344,
                    extensions: Extensions::Elements {
                        form: ElementForm::OneByte,
                        elements: &[
                            Element {
                                id: 1,
                                data: &[0x80 | 30],
                            },
                            Element {
                                id: 3,
                                data: &[0xaa, 0xbb, 0xcc],
                            },
                        ],
                    },
                    ..RtpHeader::default()
                },
                b"opus",
                0,
            ),
            vec![
                ("rtp.p_type", "111"),
                ("rtp.seq", "1000"),
                ("rtp.timestamp", "48000"),
                ("rtp.ssrc", "0x11223344"),
                ("rtp.marker", "0"),
                ("rtp.padding", "0"),
                ("rtp.ext", "1"),
                ("rtp.ext.profile", "0xbede"),
                // 1+1 and 1+3 bytes of elements, padded to two words.
                ("rtp.ext.len", "2"),
                ("rtp.ext.rfc5285.id", "1,3"),
                ("rtp.ext.rfc5285.data", "9e,aabbcc"),
            ],
        ),
        (
            // Two CSRCs, a two-byte extension element of 17 bytes, the marker and padding.
            rtp(
                &RtpHeader {
                    marker: true,
                    payload_type: 96,
                    sequence_number: 0xfffe,
                    timestamp: 0xffff_fff0,
                    ssrc: 0xdead_beef,
                    csrcs: &[0xaabb_ccdd, 0x0102_0304],
                    extensions: Extensions::Elements {
                        form: ElementForm::TwoByte,
                        elements: &[Element {
                            id: 20,
                            data: &[0x42; 17],
                        }],
                    },
                },
                &[0x10, 0x20, 0x30],
                4,
            ),
            vec![
                ("rtp.p_type", "96"),
                ("rtp.seq", "65534"),
                ("rtp.timestamp", "4294967280"),
                ("rtp.ssrc", "0xdeadbeef"),
                ("rtp.marker", "1"),
                ("rtp.padding", "1"),
                ("rtp.padding.count", "4"),
                ("rtp.csrc.item", "0xaabbccdd,0x01020304"),
                ("rtp.ext", "1"),
                ("rtp.ext.profile", "0x1000"),
                // 2+17 bytes of element, padded to five words.
                ("rtp.ext.len", "5"),
                ("rtp.ext.rfc5285.id", "20"),
                ("rtp.ext.rfc5285.len", "17"),
                ("rtp.ext.rfc5285.data", "4242424242424242424242424242424242"),
            ],
        ),
        (
            // No extension, a one-byte padding (only the count), PCMU.
            rtp(
                &RtpHeader {
                    payload_type: 0,
                    sequence_number: 0,
                    timestamp: 160,
                    ssrc: 7,
                    ..RtpHeader::default()
                },
                &[0xff; 160],
                1,
            ),
            vec![
                ("rtp.p_type", "0"),
                ("rtp.seq", "0"),
                ("rtp.timestamp", "160"),
                ("rtp.ssrc", "0x00000007"),
                ("rtp.marker", "0"),
                ("rtp.padding", "1"),
                ("rtp.padding.count", "1"),
                ("rtp.ext", "0"),
            ],
        ),
        (
            // A raw RFC 3550 extension block with a profile of its own.
            rtp(
                &RtpHeader {
                    payload_type: 100,
                    sequence_number: 5,
                    timestamp: 90_000,
                    ssrc: 0x0bad_cafe,
                    csrcs: &[9],
                    extensions: Extensions::Raw {
                        profile: 0x1234,
                        data: &[1, 2, 3, 4, 5, 6, 7, 8],
                    },
                    ..RtpHeader::default()
                },
                b"video",
                0,
            ),
            vec![
                ("rtp.p_type", "100"),
                ("rtp.seq", "5"),
                ("rtp.timestamp", "90000"),
                ("rtp.ssrc", "0x0badcafe"),
                ("rtp.csrc.item", "0x00000009"),
                ("rtp.ext.profile", "0x1234"),
                ("rtp.ext.len", "2"),
                ("rtp.hdr_ext", "0x01020304,0x05060708"),
            ],
        ),
    ]
}

fn compound(packets: &[RtcpRepr]) -> Vec<u8> {
    let mut out = Vec::new();
    RtcpRepr::write_compound(packets, &mut out).unwrap();
    out
}

const SSRC: u32 = 0x5eed_0001;
const MEDIA: u32 = 0x1122_3344;

fn receiver_report() -> RtcpRepr {
    ReceiverReportRepr {
        ssrc: SSRC,
        reports: vec![ReportBlock {
            ssrc: MEDIA,
            fraction_lost: 25,
            cumulative_lost: -3,
            extended_highest_sequence: 0x0001_03e8,
            jitter: 77,
            last_sender_report: 0x1234_5678,
            delay_since_last_sender_report: 65_536,
        }],
        ..ReceiverReportRepr::default()
    }
    .into()
}

fn cname() -> RtcpRepr {
    SourceDescriptionRepr::cname(SSRC, "sansrtc@example").into()
}

/// The RTCP compounds, one per datagram, with the fields tshark should show.
fn rtcp_compounds() -> Vec<(Vec<u8>, Expected)> {
    vec![
        (
            compound(&[
                SenderReportRepr {
                    ssrc: MEDIA,
                    ntp_timestamp: 0xe000_0000_8000_0000,
                    rtp_timestamp: 48_000,
                    packet_count: 50,
                    octet_count: 8_000,
                    reports: vec![ReportBlock {
                        ssrc: 0x0bad_cafe,
                        fraction_lost: 0,
                        cumulative_lost: 12,
                        extended_highest_sequence: 5,
                        jitter: 3,
                        last_sender_report: 0,
                        delay_since_last_sender_report: 0,
                    }],
                    ..SenderReportRepr::default()
                }
                .into(),
                SourceDescriptionRepr::cname(MEDIA, "sender@example").into(),
            ]),
            vec![
                ("rtcp.pt", "200,202"),
                ("rtcp.senderssrc", "0x11223344"),
                ("rtcp.timestamp.rtp", "48000"),
                ("rtcp.sender.packetcount", "50"),
                ("rtcp.sender.octetcount", "8000"),
                // The report block's source, then the SDES chunk's.
                ("rtcp.ssrc.identifier", "0x0badcafe,0x11223344"),
                ("rtcp.ssrc.cum_nr", "12"),
                ("rtcp.ssrc.jitter", "3"),
                ("rtcp.sdes.text", "sender@example"),
            ],
        ),
        (
            compound(&[
                receiver_report(),
                cname(),
                GoodbyeRepr {
                    ssrcs: vec![SSRC, 0x0000_0042],
                    reason: Some(b"done".to_vec()),
                }
                .into(),
            ]),
            vec![
                ("rtcp.pt", "201,202,203"),
                ("rtcp.senderssrc", "0x5eed0001"),
                // Report block, SDES chunk, then the two BYE sources.
                (
                    "rtcp.ssrc.identifier",
                    "0x11223344,0x5eed0001,0x5eed0001,0x00000042",
                ),
                ("rtcp.ssrc.fraction", "25"),
                ("rtcp.ssrc.cum_nr", "-3"),
                ("rtcp.ssrc.jitter", "77"),
                ("rtcp.ssrc.lsr", "305419896"),
                ("rtcp.ssrc.dlsr", "65536"),
                // tshark shows the BYE reason as SDES text too.
                ("rtcp.sdes.text", "sansrtc@example,done"),
                ("rtcp.sdes.type", "1,0"),
            ],
        ),
        (
            compound(&[
                receiver_report(),
                cname(),
                // Four bytes of data: RFC 3550 §6.7 wants APP data in whole words, and our builder
                // refuses anything else (it used to pad odd data, which tshark 4.0 misread as a
                // truncated packet).
                AppRepr {
                    subtype: 3,
                    ssrc: SSRC,
                    name: *b"TEST",
                    data: b"data".to_vec(),
                }
                .into(),
            ]),
            vec![
                ("rtcp.pt", "201,202,204"),
                ("rtcp.padding", "0,0,0"),
                ("rtcp.app.subtype", "3"),
                ("rtcp.app.name", "TEST"),
                ("rtcp.app.data_str", "data"),
            ],
        ),
        (
            compound(&[
                receiver_report(),
                cname(),
                NackRepr::from_lost(SSRC, MEDIA, &[1000, 1002, 1016, 1100]).into(),
            ]),
            vec![
                ("rtcp.pt", "201,202,205"),
                ("rtcp.rtpfb.fmt", "1"),
                // The two PIDs, with the lost packets tshark reads from the first mask.
                ("rtcp.rtpfb.nack_pid", "1000,1002,1016,1100"),
                // 1002 and 1016: bits 1 and 15 of the mask after 1000.
                ("rtcp.rtpfb.nack_blp", "0x8002,0x0000"),
            ],
        ),
        (
            compound(&[
                receiver_report(),
                cname(),
                PliRepr {
                    sender_ssrc: SSRC,
                    media_ssrc: MEDIA,
                }
                .into(),
                FirRepr {
                    sender_ssrc: SSRC,
                    media_ssrc: 0,
                    entries: vec![FirEntry {
                        ssrc: MEDIA,
                        sequence_number: 9,
                    }],
                }
                .into(),
                SliRepr {
                    sender_ssrc: SSRC,
                    media_ssrc: MEDIA,
                    entries: vec![SliEntry {
                        first: 10,
                        number: 20,
                        picture_id: 30,
                    }],
                }
                .into(),
            ]),
            vec![
                ("rtcp.pt", "201,202,206,206,206"),
                ("rtcp.psfb.fmt", "1,4,2"),
                ("rtcp.psfb.fir.fci.ssrc", "0x11223344"),
                ("rtcp.psfb.fir.fci.csn", "9"),
                ("rtcp.psfb.fir.sli.first", "10"),
                ("rtcp.psfb.fir.sli.number", "20"),
                ("rtcp.psfb.fir.sli.picture_id", "30"),
            ],
        ),
        (
            compound(&[
                receiver_report(),
                cname(),
                RembRepr {
                    sender_ssrc: SSRC,
                    // 300000 = 150000 << 1: exact in an 18-bit mantissa.
                    bitrate: 300_000,
                    ssrcs: vec![MEDIA, 0x0bad_cafe],
                }
                .into(),
            ]),
            vec![
                ("rtcp.pt", "201,202,206"),
                ("rtcp.psfb.fmt", "15"),
                ("rtcp.psfb.remb.identifier", "REMB"),
                ("rtcp.psfb.remb.fci.number_ssrcs", "2"),
                ("rtcp.psfb.remb.fci.br_exp", "1"),
                ("rtcp.psfb.remb.fci.br_mantissa", "150000"),
                ("rtcp.psfb.remb.fci.ssrc", "0x11223344,0x0badcafe"),
            ],
        ),
        (
            compound(&[
                receiver_report(),
                cname(),
                TmmbRepr {
                    notification: false,
                    sender_ssrc: SSRC,
                    media_ssrc: 0,
                    items: vec![TmmbItem {
                        ssrc: MEDIA,
                        bitrate: 256_000,
                        overhead: 40,
                    }],
                }
                .into(),
                TransportCcRepr {
                    sender_ssrc: SSRC,
                    media_ssrc: MEDIA,
                    base_sequence_number: 300,
                    reference_time: 1234,
                    feedback_packet_count: 7,
                    packets: vec![
                        Reception::SmallDelta(4),
                        Reception::NotReceived,
                        Reception::SmallDelta(200),
                        Reception::LargeDelta(-8),
                    ],
                    omit_receive_deltas: false,
                }
                .into(),
            ]),
            vec![
                ("rtcp.pt", "201,202,205,205"),
                ("rtcp.rtpfb.fmt", "3,15"),
                // 22 bytes of body: two bytes of RTCP padding on the last packet.
                ("rtcp.padding", "0,0,0,1"),
                ("rtcp.rtpfb.transportcc.baseseq", "300"),
                ("rtcp.rtpfb.transportcc.statuscount", "4"),
                ("rtcp.rtpfb.transportcc.reftime", "1234"),
                ("rtcp.rtpfb.transportcc.pktcount", "7"),
                ("rtcp.rtpfb.tmmbr.fci.ssrc", "0x11223344"),
                ("rtcp.rtpfb.tmmbr.fci.measuredoverhead", "40"),
            ],
        ),
        (
            compound(&[
                receiver_report(),
                cname(),
                ExtendedReportRepr {
                    ssrc: SSRC,
                    blocks: vec![
                        XrBlockRepr::ReceiverReferenceTime {
                            ntp_timestamp: 0xe000_0000_0000_0000,
                        },
                        XrBlockRepr::Dlrr(vec![DlrrSubBlock {
                            ssrc: MEDIA,
                            last_rr: 0x0102_0304,
                            delay_since_last_rr: 0x0000_8000,
                        }]),
                    ],
                }
                .into(),
            ]),
            vec![
                ("rtcp.pt", "201,202,207"),
                ("rtcp.xr.bt", "4,5"),
                ("rtcp.xr.lrr", "16909060"),
                ("rtcp.xr.dlrr", "32768"),
            ],
        ),
    ]
}

fn tshark(path: &std::path::Path, extra: &[&str]) -> String {
    let tshark = require_peer("tshark").expect("checked by the caller");
    let out = Command::new(tshark)
        .args(["-n", "-r"])
        .arg(path)
        .args(["-d", "udp.port==5004,rtp", "-d", "udp.port==5005,rtcp"])
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

/// Asserts that each frame shows the expected values, all occurrences comma-joined.
fn compare(path: &std::path::Path, expected: &[(Vec<u8>, Expected)], first_frame: usize) {
    let mut fields: Vec<&str> = expected
        .iter()
        .flat_map(|(_, f)| f.iter().map(|(n, _)| *n))
        .collect();
    fields.sort_unstable();
    fields.dedup();
    let filter = format!(
        "frame.number >= {first_frame} && frame.number < {}",
        first_frame + expected.len()
    );
    let mut args = vec![
        "-Y",
        &filter,
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
    for f in &fields {
        args.push("-e");
        args.push(f);
    }
    let table = tshark(path, &args);
    let rows: Vec<Vec<&str>> = table.lines().map(|l| l.split('|').collect()).collect();
    assert_eq!(rows.len(), expected.len(), "{table}");
    for (i, (_, want)) in expected.iter().enumerate() {
        for (name, value) in want {
            let col = 1 + fields.iter().position(|f| f == name).unwrap();
            assert_eq!(
                rows[i][col],
                *value,
                "frame {} field {name}",
                first_frame + i
            );
        }
    }
}

#[test]
fn tshark_decodes_the_rtp_and_rtcp_we_build() {
    if require_peer("tshark").is_none() {
        return;
    }
    let dir = TempDir::new("rtp-rtcp-tshark").unwrap();
    let path = dir.path().join("rtp-rtcp.pcap");
    let rtp = rtp_packets();
    let rtcp = rtcp_compounds();
    let mut pcap = PcapWriter::new();
    for (i, (bytes, _)) in rtp.iter().enumerate() {
        pcap.add_udp(
            Duration::from_millis(i as u64),
            addr(SENDER_RTP),
            addr(RECEIVER_RTP),
            bytes,
        );
    }
    for (i, (bytes, _)) in rtcp.iter().enumerate() {
        pcap.add_udp(
            Duration::from_millis(100 + i as u64),
            addr(SENDER_RTCP),
            addr(RECEIVER_RTCP),
            bytes,
        );
    }
    pcap.write_to(&path).unwrap();

    // Every frame is dissected as what we meant.
    let protocols = tshark(&path, &["-T", "fields", "-e", "frame.protocols"]);
    let protocols: Vec<&str> = protocols.lines().collect();
    assert_eq!(protocols.len(), rtp.len() + rtcp.len(), "{protocols:?}");
    for (i, p) in protocols.iter().enumerate() {
        let want = if i < rtp.len() { ":rtp" } else { ":rtcp" };
        assert!(p.contains(want), "frame {} is {p}", i + 1);
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
    // RTCP length fields agree with the packets' sizes.
    let bad_length = tshark(
        &path,
        &[
            "-Y",
            "rtcp.length_check == 0",
            "-T",
            "fields",
            "-e",
            "frame.number",
        ],
    );
    assert_eq!(bad_length.trim(), "", "tshark finds a bad RTCP length");

    compare(&path, &rtp, 1);
    compare(&path, &rtcp, rtp.len() + 1);
}
