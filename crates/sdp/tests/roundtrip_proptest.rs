//! Property tests: an arbitrary typed session description serializes and parses back to an
//! equal value (in lenient and strict mode), and arbitrary text never panics the parser.

use proptest::prelude::*;
use sansrtc_sdp::attributes::{
    Candidate, CandidateType, Direction, Extmap, Fingerprint, Fmtp, FmtpParam, Group, Msid,
    MsidSemantic, Rid, Rtcp, RtcpFb, Rtpmap, Sctpmap, Setup, Simulcast, SimulcastId,
    SimulcastStreams, Ssrc, SsrcGroup, StreamDirection,
};
use sansrtc_sdp::{
    Address, Attribute, Bandwidth, Connection, MediaDescription, MediaKind, Origin, ParseOptions,
    SessionDescription, TimeZoneAdjustment, Timing, TransportProtocol,
};
use std::net::IpAddr;

fn token() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_+-]{1,10}"
}

/// Free text for s=, i=, u=, e=, p=, k= values and verbatim attribute values: no line breaks.
fn text() -> impl Strategy<Value = String> {
    "[ -~]{0,24}"
}

fn ip() -> impl Strategy<Value = IpAddr> {
    prop_oneof![
        any::<[u8; 4]>().prop_map(IpAddr::from),
        any::<[u8; 16]>().prop_map(IpAddr::from)
    ]
}

fn address() -> impl Strategy<Value = Address> {
    prop_oneof![
        ip().prop_map(Address::Ip),
        "[a-z][a-z0-9-]{0,8}(\\.[a-z0-9-]{1,8}){0,2}"
            .prop_filter("not an IP literal", |s| s.parse::<IpAddr>().is_err())
            .prop_map(Address::Fqdn),
    ]
}

fn connection() -> impl Strategy<Value = Connection> {
    (
        address(),
        prop::option::of(any::<u8>()),
        prop::option::of(any::<u32>()),
        any::<bool>(),
    )
        .prop_map(|(address, ttl, count, v4)| {
            let (address_type, ttl, count) = if v4 {
                // IPv4: a count only after a TTL (RFC 8866 §5.7).
                ("IP4", ttl, count.filter(|_| ttl.is_some()))
            } else {
                ("IP6", None, count)
            };
            Connection {
                network_type: "IN".to_owned(),
                address_type: address_type.to_owned(),
                address,
                ttl,
                count,
            }
        })
}

fn bandwidth() -> impl Strategy<Value = Bandwidth> {
    ("[A-Z][A-Z-]{0,5}", any::<u64>()).prop_map(|(kind, value)| Bandwidth { kind, value })
}

fn direction() -> impl Strategy<Value = Direction> {
    prop_oneof![
        Just(Direction::SendRecv),
        Just(Direction::SendOnly),
        Just(Direction::RecvOnly),
        Just(Direction::Inactive)
    ]
}

fn candidate() -> impl Strategy<Value = Candidate> {
    (
        (
            token(),
            1u32..3,
            prop_oneof![Just("udp"), Just("UDP"), Just("tcp")],
            any::<u32>(),
            address(),
            any::<u16>(),
        ),
        prop_oneof![
            Just(CandidateType::Host),
            Just(CandidateType::ServerReflexive),
            Just(CandidateType::PeerReflexive),
            Just(CandidateType::Relay),
            "[a-z]{3,6}"
                .prop_filter("not a known type", |t| !matches!(
                    t.as_str(),
                    "host" | "srflx" | "prflx" | "relay"
                ))
                .prop_map(CandidateType::Other),
        ],
        prop::option::of(address()),
        prop::option::of(any::<u16>()),
        prop::collection::vec(
            (
                "[a-z][a-z-]{0,10}"
                    .prop_filter("not raddr/rport", |n| n != "raddr" && n != "rport"),
                token(),
            ),
            0..4,
        ),
    )
        .prop_map(
            |(
                (foundation, component, transport, priority, address, port),
                kind,
                related_address,
                related_port,
                extensions,
            )| Candidate {
                foundation,
                component,
                transport: transport.into(),
                priority,
                address,
                port,
                kind,
                related_address,
                related_port,
                extensions: extensions
                    .into_iter()
                    .map(|(n, v)| (n.into(), v.into()))
                    .collect(),
            },
        )
}

fn fmtp_param() -> impl Strategy<Value = FmtpParam> {
    ("[a-z0-9/-]{1,12}", prop::option::of("[A-Za-z0-9.,/-]{0,8}")).prop_map(|(name, value)| {
        FmtpParam {
            name: name.into(),
            value: value.map(Into::into),
        }
    })
}

fn params() -> impl Strategy<Value = Vec<(String, Option<String>)>> {
    prop::collection::vec(("[a-z][a-z-]{0,8}", prop::option::of("[0-9,]{1,6}")), 0..4)
}

fn simulcast() -> impl Strategy<Value = Simulcast> {
    let id = (token(), any::<bool>()).prop_map(|(rid, paused)| SimulcastId { rid, paused });
    let streams = prop::collection::vec(prop::collection::vec(id, 1..3), 1..4);
    let dir = prop_oneof![Just(StreamDirection::Send), Just(StreamDirection::Recv)];
    prop::collection::vec(
        (dir, streams).prop_map(|(direction, streams)| SimulcastStreams { direction, streams }),
        1..3,
    )
    .prop_map(|directions| Simulcast { directions })
}

fn decimal() -> impl Strategy<Value = String> {
    "[0-9]{1,3}(\\.[0-9]{1,2})?"
}

fn attribute() -> impl Strategy<Value = Attribute> {
    let tokens = || prop::collection::vec(token(), 0..4);
    prop_oneof![
        (token(), tokens())
            .prop_map(|(semantics, mids)| Attribute::Group(Group { semantics, mids })),
        (token(), tokens(), any::<bool>()).prop_map(|(semantic, ids, space_after_colon)| {
            Attribute::MsidSemantic(MsidSemantic {
                semantic,
                ids,
                space_after_colon,
            })
        }),
        (token(), prop::option::of(token()))
            .prop_map(|(stream, track)| Attribute::Msid(Msid { stream, track })),
        token().prop_map(Attribute::Mid),
        Just(Attribute::BundleOnly),
        token().prop_map(Attribute::IceUfrag),
        token().prop_map(Attribute::IcePwd),
        tokens().prop_map(Attribute::IceOptions),
        Just(Attribute::IceLite),
        candidate().prop_map(Attribute::Candidate),
        Just(Attribute::EndOfCandidates),
        (token(), "[0-9A-F:]{1,20}").prop_map(|(hash, value)| Attribute::Fingerprint(
            Fingerprint {
                hash: hash.into(),
                value
            }
        )),
        prop_oneof![
            Just(Setup::ActPass),
            Just(Setup::Active),
            Just(Setup::Passive),
            Just(Setup::HoldConn)
        ]
        .prop_map(Attribute::Setup),
        token().prop_map(Attribute::TlsId),
        Just(Attribute::RtcpMux),
        Just(Attribute::RtcpMuxOnly),
        Just(Attribute::RtcpRsize),
        (any::<u16>(), prop::option::of(("IN", "IP[46]", address())))
            .prop_map(|(port, a)| { Attribute::Rtcp(Rtcp { port, address: a }) }),
        direction().prop_map(Attribute::Direction),
        (
            any::<u8>(),
            "[A-Za-z0-9-]{1,12}",
            any::<u32>(),
            prop::option::of(any::<u16>())
        )
            .prop_map(
                |(payload_type, encoding, clock_rate, channels)| Attribute::Rtpmap(Rtpmap {
                    payload_type,
                    encoding: encoding.into(),
                    clock_rate,
                    channels
                })
            ),
        ("[0-9*]{1,3}", prop::collection::vec(fmtp_param(), 0..4))
            .prop_map(|(format, params)| Attribute::Fmtp(Fmtp { format, params })),
        (
            prop::option::of(any::<u8>()),
            "[a-z-]{1,12}",
            prop::option::of("[a-z0-9]{1,6}( [a-z0-9]{1,4})?")
        )
            .prop_map(|(payload_type, kind, params)| Attribute::RtcpFb(RtcpFb {
                payload_type,
                kind: kind.into(),
                params: params.map(Into::into)
            })),
        (
            any::<u16>(),
            prop::option::of(direction()),
            "[a-z]{2,8}:[a-z0-9:/.-]{1,30}",
            prop::option::of("[a-z=]{1,8}")
        )
            .prop_map(
                |(id, direction, uri, attributes)| Attribute::Extmap(Extmap {
                    id,
                    direction,
                    uri: uri.into(),
                    attributes
                })
            ),
        Just(Attribute::ExtmapAllowMixed),
        (any::<u32>(), "[a-z]{1,8}", prop::option::of("[ -~]{0,12}")).prop_map(
            |(ssrc, attribute, value)| Attribute::Ssrc(Ssrc {
                ssrc,
                attribute: attribute.into(),
                value
            })
        ),
        (token(), prop::collection::vec(any::<u32>(), 0..4))
            .prop_map(|(semantics, ssrcs)| Attribute::SsrcGroup(SsrcGroup { semantics, ssrcs })),
        (
            token(),
            prop_oneof![Just(StreamDirection::Send), Just(StreamDirection::Recv)],
            params()
        )
            .prop_map(|(id, direction, params)| Attribute::Rid(Rid {
                id,
                direction,
                params
            })),
        simulcast().prop_map(Attribute::Simulcast),
        decimal().prop_map(Attribute::Ptime),
        decimal().prop_map(Attribute::MaxPtime),
        decimal().prop_map(Attribute::Framerate),
        any::<u16>().prop_map(Attribute::SctpPort),
        any::<u64>().prop_map(Attribute::MaxMessageSize),
        (any::<u16>(), token(), prop::option::of(any::<u32>())).prop_map(
            |(port, protocol, streams)| Attribute::Sctpmap(Sctpmap {
                port,
                protocol,
                streams
            })
        ),
        "[A-Za-z0-9+/]{4,20}".prop_map(Attribute::SctpInit),
        ("[a-z][a-z0-9-]{0,10}", prop::option::of(text()))
            .prop_filter("stays an unknown attribute", |(name, value)| {
                Attribute::parse(name, value.as_deref())
                    == Ok(Attribute::Other {
                        name: name.clone(),
                        value: value.clone(),
                    })
            })
            .prop_map(|(name, value)| Attribute::Other { name, value }),
    ]
}

/// Letters that are not RFC 8866 line types.
fn unknown_lines() -> impl Strategy<Value = Vec<(char, String)>> {
    prop::collection::vec(
        (
            prop::sample::select(vec!['d', 'f', 'g', 'h', 'j', 'l', 'n', 'q', 'w', 'x', 'y']),
            text(),
        ),
        0..2,
    )
}

fn media() -> impl Strategy<Value = MediaDescription> {
    (
        (
            prop_oneof![
                Just(MediaKind::Audio),
                Just(MediaKind::Video),
                Just(MediaKind::Application),
                Just(MediaKind::Text),
                "[a-z]{3,6}".prop_map(MediaKind::Other).prop_filter("unknown kind", |k| matches!(k, MediaKind::Other(s) if !matches!(s.as_str(), "audio" | "video" | "text" | "application" | "message" | "image"))),
            ],
            any::<u16>(),
            prop::option::of(any::<u16>()),
            prop_oneof![
                Just(TransportProtocol::UdpTlsRtpSavpf),
                Just(TransportProtocol::UdpDtlsSctp),
                Just(TransportProtocol::DtlsSctp),
                Just(TransportProtocol::RtpAvp),
                "[A-Z]{2,4}/[A-Z]{2,4}/X".prop_map(TransportProtocol::Other),
            ],
            prop::collection::vec("[a-z0-9-]{1,6}", 1..5),
        ),
        prop::option::of(text()),
        prop::collection::vec(connection(), 0..2),
        prop::collection::vec(bandwidth(), 0..2),
        prop::option::of(text()),
        prop::collection::vec(attribute(), 0..10),
        unknown_lines(),
    )
        .prop_map(|((kind, port, port_count, protocol, formats), information, connections, bandwidths, encryption_key, attributes, unknown)| {
            let mut m = MediaDescription::new(kind, port, protocol, formats);
            m.port_count = port_count;
            m.information = information;
            m.connections = connections;
            m.bandwidths = bandwidths;
            m.encryption_key = encryption_key;
            m.attributes = attributes;
            m.unknown_lines = unknown;
            m
        })
}

fn session() -> impl Strategy<Value = SessionDescription> {
    (
        (
            "[A-Za-z0-9_-]{1,8}",
            any::<u64>(),
            any::<u64>(),
            prop_oneof![Just("IP4"), Just("IP6")],
            address(),
        ),
        (
            text(),
            prop::option::of(text()),
            prop::option::of(text()),
            prop::collection::vec(text(), 0..2),
            prop::collection::vec(text(), 0..2),
        ),
        (
            prop::option::of(connection()),
            prop::collection::vec(bandwidth(), 0..2),
        ),
        prop::collection::vec(
            (
                any::<u64>(),
                any::<u64>(),
                prop::collection::vec(prop::collection::vec("[0-9]{1,4}[dhms]?", 3..5), 0..2),
            )
                .prop_map(|(start, stop, repeats)| Timing {
                    start,
                    stop,
                    repeats,
                }),
            1..3,
        ),
        prop::collection::vec(
            (any::<u64>(), "-?[0-9]{1,3}[dhms]?")
                .prop_map(|(time, offset)| TimeZoneAdjustment { time, offset }),
            0..3,
        ),
        prop::option::of(text()),
        prop::collection::vec(attribute(), 0..10),
        unknown_lines(),
        prop::collection::vec(media(), 0..4),
    )
        .prop_map(
            |(
                o,
                (name, information, uri, emails, phones),
                (connection, bandwidths),
                timings,
                time_zones,
                encryption_key,
                attributes,
                unknown,
                media,
            )| {
                let mut s = SessionDescription::new(Origin {
                    username: o.0,
                    session_id: o.1,
                    session_version: o.2,
                    network_type: "IN".to_owned(),
                    address_type: o.3.to_owned(),
                    address: o.4,
                });
                s.session_name = name;
                s.information = information;
                s.uri = uri;
                s.emails = emails;
                s.phones = phones;
                s.connection = connection;
                s.bandwidths = bandwidths;
                s.timings = timings;
                s.time_zones = time_zones;
                s.encryption_key = encryption_key;
                s.attributes = attributes;
                s.unknown_lines = unknown;
                s.media = media;
                s
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn typed_descriptions_round_trip(sdp in session()) {
        let text = sdp.to_string();
        let parsed: SessionDescription = text.parse().map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(&parsed, &sdp);
        prop_assert_eq!(parsed.to_string(), text);
    }

    #[test]
    fn typed_descriptions_are_strictly_valid_grammar(mut sdp in session()) {
        // Strict mode refuses unknown line types; everything else we write is in §5 order.
        sdp.unknown_lines.clear();
        for m in &mut sdp.media {
            m.unknown_lines.clear();
        }
        let text = sdp.to_string();
        let parsed = SessionDescription::parse_with(&text, &ParseOptions::strict()).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(parsed, sdp);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "(?s).{0,400}", lines in prop::collection::vec("[a-z]=[ -~]{0,40}", 0..30)) {
        let _ = text.parse::<SessionDescription>();
        let joined = format!("v=0\r\n{}", lines.join("\r\n"));
        if let Ok(sdp) = joined.parse::<SessionDescription>() {
            let _ = sdp.validate();
            let _ = sdp.bundle_transport();
            let _ = sdp.data_channel();
            for m in &sdp.media {
                let _ = m.codecs();
            }
            prop_assert_eq!(sdp.to_string().parse::<SessionDescription>().ok(), Some(sdp));
        }
        let _ = SessionDescription::parse_with(&joined, &ParseOptions::strict());
    }
}
