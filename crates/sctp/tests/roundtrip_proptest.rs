//! Property tests: arbitrary Reprs of every chunk type, and whole packets of several chunks,
//! round-trip through `emit` → `Packet::new_checked` → `ChunkRepr::parse`; arbitrary bytes
//! never panic a parser, and whatever parses re-emits to bytes that parse equal.

use proptest::collection::vec;
use proptest::prelude::*;
use sansrtc_sctp::wire::{
    AbortRepr, ChecksumMode, Chunk, ChunkRepr, CommonHeader, CookieEchoRepr, DataRepr, ErrorCause,
    ErrorRepr, ForwardTsnRepr, ForwardTsnStream, GapAckBlock, HeartbeatRepr, IDataRepr,
    IForwardTsnRepr, IForwardTsnStream, InitParam, InitRepr, List, NextTsns, Packet, PacketBuilder,
    PadRepr, ReconfigParam, ReconfigRepr, ReconfigResult, SackRepr, ShutdownCompleteRepr,
    ShutdownRepr, TlvList, UnknownChunk,
};

const KNOWN_CHUNKS: [u8; 18] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 14, 64, 130, 132, 192, 194,
];
const KNOWN_PARAMS: [u16; 13] = [
    5, 6, 7, 9, 12, 0x8001, 0x8002, 0x8003, 0x8004, 0x8008, 0xc000, 13, 14,
];

fn leak<T>(v: Vec<T>) -> &'static [T] {
    Vec::leak(v)
}

fn bytes(max: usize) -> impl Strategy<Value = &'static [u8]> {
    vec(any::<u8>(), 0..max).prop_map(leak)
}

fn u16s(max: usize) -> impl Strategy<Value = List<'static, u16>> {
    vec(any::<u16>(), 0..max).prop_map(|v| List::from_slice(leak(v)))
}

fn init_param() -> impl Strategy<Value = InitParam<'static>> {
    prop_oneof![
        any::<[u8; 4]>().prop_map(InitParam::Ipv4Address),
        any::<[u8; 16]>().prop_map(InitParam::Ipv6Address),
        bytes(40).prop_map(InitParam::StateCookie),
        any::<u32>().prop_map(InitParam::CookiePreservative),
        u16s(5).prop_map(InitParam::SupportedAddressTypes),
        any::<u32>().prop_map(|m| InitParam::ZeroChecksumAcceptable {
            error_detection_method: m
        }),
        bytes(36).prop_map(InitParam::Random),
        bytes(6).prop_map(InitParam::ChunkList),
        bytes(6).prop_map(InitParam::RequestedHmacAlgorithm),
        bytes(8).prop_map(InitParam::SupportedExtensions),
        Just(InitParam::ForwardTsnSupported),
        (
            any::<u16>().prop_filter("unknown", |t| !KNOWN_PARAMS.contains(t)),
            bytes(10)
        )
            .prop_map(|(param_type, value)| InitParam::Unknown { param_type, value }),
    ]
}

fn error_cause() -> impl Strategy<Value = ErrorCause<'static>> {
    prop_oneof![
        any::<u16>().prop_map(|stream_id| ErrorCause::InvalidStreamIdentifier { stream_id }),
        u16s(4).prop_map(ErrorCause::MissingMandatoryParameter),
        any::<u32>().prop_map(|staleness_us| ErrorCause::StaleCookie { staleness_us }),
        Just(ErrorCause::OutOfResource),
        bytes(12).prop_map(ErrorCause::UnresolvableAddress),
        bytes(12).prop_map(ErrorCause::UnrecognizedChunkType),
        Just(ErrorCause::InvalidMandatoryParameter),
        bytes(12).prop_map(ErrorCause::UnrecognizedParameters),
        any::<u32>().prop_map(|tsn| ErrorCause::NoUserData { tsn }),
        Just(ErrorCause::CookieReceivedWhileShuttingDown),
        bytes(12).prop_map(ErrorCause::RestartWithNewAddresses),
        bytes(12).prop_map(ErrorCause::UserInitiatedAbort),
        bytes(12).prop_map(ErrorCause::ProtocolViolation),
        (14u16.., bytes(10))
            .prop_map(|(cause_code, value)| ErrorCause::Unknown { cause_code, value }),
    ]
}

fn reconfig_param() -> impl Strategy<Value = ReconfigParam<'static>> {
    prop_oneof![
        (any::<u32>(), any::<u32>(), any::<u32>(), u16s(5)).prop_map(|(a, b, c, s)| {
            ReconfigParam::OutgoingSsnResetRequest {
                request_seq: a,
                response_seq: b,
                senders_last_tsn: c,
                stream_ids: s,
            }
        }),
        (any::<u32>(), u16s(5)).prop_map(|(a, s)| ReconfigParam::IncomingSsnResetRequest {
            request_seq: a,
            stream_ids: s
        }),
        any::<u32>().prop_map(|a| ReconfigParam::SsnTsnResetRequest { request_seq: a }),
        (
            any::<u32>(),
            any::<u32>(),
            proptest::option::of(any::<(u32, u32)>())
        )
            .prop_map(|(a, r, n)| ReconfigParam::Response {
                response_seq: a,
                result: ReconfigResult::from(r),
                next_tsns: n.map(|(s, r)| NextTsns {
                    sender_next_tsn: s,
                    receiver_next_tsn: r
                }),
            }),
        (any::<u32>(), any::<u16>()).prop_map(|(a, n)| ReconfigParam::AddOutgoingStreams {
            request_seq: a,
            new_streams: n
        }),
        (any::<u32>(), any::<u16>()).prop_map(|(a, n)| ReconfigParam::AddIncomingStreams {
            request_seq: a,
            new_streams: n
        }),
        (
            any::<u16>().prop_filter("unknown", |t| !(13..=18).contains(t)),
            bytes(10)
        )
            .prop_map(|(param_type, value)| ReconfigParam::Unknown { param_type, value }),
    ]
}

fn data() -> impl Strategy<Value = ChunkRepr<'static>> {
    (
        any::<[bool; 4]>(),
        any::<u32>(),
        any::<u16>(),
        any::<u16>(),
        any::<u32>(),
        bytes(40),
    )
        .prop_map(|(f, tsn, stream_id, ssn, ppid, user_data)| {
            ChunkRepr::Data(DataRepr {
                immediate: f[0],
                unordered: f[1],
                beginning: f[2],
                ending: f[3],
                tsn,
                stream_id,
                ssn,
                ppid,
                user_data,
            })
        })
}

fn idata() -> impl Strategy<Value = ChunkRepr<'static>> {
    (
        any::<[bool; 4]>(),
        any::<u32>(),
        any::<u16>(),
        any::<u32>(),
        any::<u32>(),
        bytes(40),
    )
        .prop_map(|(f, tsn, stream_id, mid, ppid_or_fsn, user_data)| {
            ChunkRepr::IData(IDataRepr {
                immediate: f[0],
                unordered: f[1],
                beginning: f[2],
                ending: f[3],
                tsn,
                stream_id,
                mid,
                ppid_or_fsn,
                user_data,
            })
        })
}

fn init() -> impl Strategy<Value = InitRepr<'static>> {
    (
        any::<[u32; 3]>(),
        any::<[u16; 2]>(),
        vec(init_param(), 0..6),
    )
        .prop_map(|(a, s, p)| InitRepr {
            initiate_tag: a[0],
            a_rwnd: a[1],
            initial_tsn: a[2],
            outbound_streams: s[0],
            inbound_streams: s[1],
            params: TlvList::from_slice(leak(p)),
        })
}

fn sack() -> impl Strategy<Value = ChunkRepr<'static>> {
    (
        any::<u32>(),
        any::<u32>(),
        vec(any::<(u16, u16)>(), 0..6),
        vec(any::<u32>(), 0..6),
    )
        .prop_map(|(c, a, g, d)| {
            let gaps: Vec<GapAckBlock> = g
                .into_iter()
                .map(|(start, end)| GapAckBlock { start, end })
                .collect();
            ChunkRepr::Sack(SackRepr {
                cumulative_tsn_ack: c,
                a_rwnd: a,
                gap_blocks: List::from_slice(leak(gaps)),
                duplicate_tsns: List::from_slice(leak(d)),
            })
        })
}

fn causes() -> impl Strategy<Value = TlvList<'static, ErrorCause<'static>>> {
    vec(error_cause(), 0..5).prop_map(|c| TlvList::from_slice(leak(c)))
}

fn chunk() -> impl Strategy<Value = ChunkRepr<'static>> {
    prop_oneof![
        data(),
        idata(),
        init().prop_map(ChunkRepr::Init),
        init().prop_map(ChunkRepr::InitAck),
        sack(),
        bytes(20).prop_map(|info| ChunkRepr::Heartbeat(HeartbeatRepr { info })),
        bytes(20).prop_map(|info| ChunkRepr::HeartbeatAck(HeartbeatRepr { info })),
        (any::<bool>(), causes()).prop_map(|(t, causes)| ChunkRepr::Abort(AbortRepr {
            tag_reflected: t,
            causes
        })),
        any::<u32>().prop_map(|c| ChunkRepr::Shutdown(ShutdownRepr {
            cumulative_tsn_ack: c
        })),
        Just(ChunkRepr::ShutdownAck),
        causes().prop_map(|causes| ChunkRepr::Error(ErrorRepr { causes })),
        bytes(40).prop_map(|cookie| ChunkRepr::CookieEcho(CookieEchoRepr { cookie })),
        Just(ChunkRepr::CookieAck),
        any::<bool>()
            .prop_map(|t| ChunkRepr::ShutdownComplete(ShutdownCompleteRepr { tag_reflected: t })),
        (any::<u32>(), vec(any::<(u16, u16)>(), 0..5)).prop_map(|(t, s)| {
            let s: Vec<_> = s
                .into_iter()
                .map(|(stream_id, ssn)| ForwardTsnStream { stream_id, ssn })
                .collect();
            ChunkRepr::ForwardTsn(ForwardTsnRepr {
                new_cumulative_tsn: t,
                streams: List::from_slice(leak(s)),
            })
        }),
        (any::<u32>(), vec(any::<(u16, bool, u32)>(), 0..5)).prop_map(|(t, s)| {
            let s: Vec<_> = s
                .into_iter()
                .map(|(stream_id, unordered, mid)| IForwardTsnStream {
                    stream_id,
                    unordered,
                    mid,
                })
                .collect();
            ChunkRepr::IForwardTsn(IForwardTsnRepr {
                new_cumulative_tsn: t,
                streams: List::from_slice(leak(s)),
            })
        }),
        vec(reconfig_param(), 0..3).prop_map(|p| ChunkRepr::Reconfig(ReconfigRepr {
            params: TlvList::from_slice(leak(p))
        })),
        bytes(20).prop_map(|padding| ChunkRepr::Pad(PadRepr { padding })),
        (
            any::<u8>().prop_filter("unknown", |t| !KNOWN_CHUNKS.contains(t)),
            any::<u8>(),
            bytes(20)
        )
            .prop_map(
                |(chunk_type, flags, value)| ChunkRepr::Unknown(UnknownChunk {
                    chunk_type,
                    flags,
                    value
                })
            ),
    ]
}

/// Parses every chunk of a packet; the first error ends it.
fn parse_all(bytes: &[u8]) -> Result<Vec<ChunkRepr<'_>>, sansrtc_sctp::ParseError> {
    let packet = Packet::new_checked(bytes)?;
    packet
        .chunks_ref()
        .map(|c| c.and_then(|c| ChunkRepr::parse(&c)))
        .collect()
}

/// Walks every list of a parsed chunk (the iterators must not panic).
fn walk(chunk: &ChunkRepr<'_>) -> usize {
    match chunk {
        ChunkRepr::Init(i) | ChunkRepr::InitAck(i) => i
            .params
            .iter()
            .map(|p| match p {
                InitParam::SupportedAddressTypes(l) => l.iter().count(),
                _ => 1,
            })
            .sum(),
        ChunkRepr::Sack(s) => s.gap_blocks.iter().count() + s.duplicate_tsns.iter().count(),
        ChunkRepr::Abort(AbortRepr { causes, .. }) | ChunkRepr::Error(ErrorRepr { causes }) => {
            causes
                .iter()
                .map(|c| match c {
                    ErrorCause::MissingMandatoryParameter(l) => l.iter().count(),
                    _ => 1,
                })
                .sum()
        }
        ChunkRepr::ForwardTsn(f) => f.streams.iter().count(),
        ChunkRepr::IForwardTsn(f) => f.streams.iter().count(),
        ChunkRepr::Reconfig(r) => r
            .params
            .iter()
            .map(|p| match p {
                ReconfigParam::OutgoingSsnResetRequest { stream_ids, .. }
                | ReconfigParam::IncomingSsnResetRequest { stream_ids, .. } => {
                    stream_ids.iter().count()
                }
                _ => 1,
            })
            .sum(),
        _ => 0,
    }
}

fn emit_packet(header: CommonHeader, chunks: &[ChunkRepr<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut b = PacketBuilder::new(&mut out, header, usize::MAX).unwrap();
    for c in chunks {
        b.push(c).unwrap();
    }
    b.finish(ChecksumMode::Crc32c);
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn every_chunk_type_round_trips(repr in chunk()) {
        let mut buf = vec![0xaa; repr.buffer_len()];
        prop_assert_eq!(repr.emit(&mut buf), Ok(buf.len()));
        prop_assert_eq!(buf.len() % 4, 0);
        let (frame, taken) = Chunk::frame(&buf, 0).unwrap();
        prop_assert_eq!(taken, buf.len());
        prop_assert_eq!(ChunkRepr::parse(&frame), Ok(repr));
    }

    #[test]
    fn packets_of_several_chunks_round_trip(
        header in any::<(u16, u16, u32)>(),
        chunks in vec(chunk(), 0..6),
    ) {
        let header = CommonHeader {
            source_port: header.0,
            destination_port: header.1,
            verification_tag: header.2,
        };
        let bytes = emit_packet(header, &chunks);
        let packet = Packet::new_checked(&bytes[..]).unwrap();
        prop_assert!(packet.verify_checksum(false).is_ok());
        prop_assert_eq!(packet.header(), header);
        prop_assert_eq!(parse_all(&bytes), Ok(chunks));
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_reparse_equal(bytes in vec(any::<u8>(), 0..200)) {
        check_arbitrary(&bytes)?;
    }

    #[test]
    fn framed_arbitrary_chunks_never_panic_and_reparse_equal(
        raw in vec((prop::sample::select(KNOWN_CHUNKS.to_vec()), any::<u8>(), vec(any::<u8>(), 0..40)), 0..5),
    ) {
        // Well-framed chunks of known types with arbitrary values: the typed parsers see them.
        let mut bytes = vec![0x13, 0x88, 0x13, 0x88, 0, 0, 0, 1, 0, 0, 0, 0];
        for (t, f, v) in &raw {
            bytes.extend_from_slice(&[*t, *f]);
            bytes.extend_from_slice(&((v.len() + 4) as u16).to_be_bytes());
            bytes.extend_from_slice(v);
            bytes.resize(bytes.len().next_multiple_of(4), 0);
        }
        check_arbitrary(&bytes)?;
    }
}

fn check_arbitrary(bytes: &[u8]) -> Result<(), TestCaseError> {
    let Ok(packet) = Packet::new_checked(bytes) else {
        return Ok(());
    };
    let _ = packet.verify_checksum(true);
    let mut parsed = Vec::new();
    for chunk in packet.chunks_ref() {
        let Ok(chunk) = chunk else { break };
        let _ = chunk.unrecognized_action();
        if let Ok(repr) = ChunkRepr::parse(&chunk) {
            walk(&repr);
            let mut buf = vec![0; repr.buffer_len()];
            prop_assert_eq!(repr.emit(&mut buf), Ok(buf.len()));
            let (frame, _) = Chunk::frame(&buf, 0).unwrap();
            prop_assert_eq!(ChunkRepr::parse(&frame), Ok(repr));
            parsed.push(repr);
        }
    }
    let again = emit_packet(packet.header(), &parsed);
    prop_assert_eq!(parse_all(&again), Ok(parsed));
    Ok(())
}
