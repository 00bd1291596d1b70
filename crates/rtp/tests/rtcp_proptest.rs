//! Property tests: every RTCP Repr the builders accept emits exactly `buffer_len` bytes that
//! parse back to an equal Repr; a compound of arbitrary packets round-trips; arbitrary,
//! corrupted and truncated bytes never panic the compound iterator or any sub-iterator, and
//! whatever parses re-emits to bytes that parse to the same Repr.

use proptest::prelude::*;
use sansrtc_rtp::BuildError;
use sansrtc_rtp::rtcp::{
    AppRepr, CUMULATIVE_LOST_MAX, CUMULATIVE_LOST_MIN, Compound, CompoundMode, DlrrSubBlock,
    ExtendedReportRepr, FirEntry, FirRepr, GoodbyeRepr, NackPair, NackRepr, PayloadFeedback,
    PliRepr, RapidResyncRequestRepr, RawFeedbackRepr, ReceiverReportRepr, Reception, RembRepr,
    ReportBlock, RtcpPacket, RtcpRepr, SdesChunkRepr, SdesItemRepr, SdesItemType, SenderReportRepr,
    SliEntry, SliRepr, SourceDescriptionRepr, TmmbItem, TmmbRepr, TransportCcRepr,
    TransportFeedback, UnknownRepr, XrBlock, XrBlockRepr, pack_lost_sequence_numbers,
    validate_compound,
};

fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..max)
}

fn report_block() -> impl Strategy<Value = ReportBlock> {
    (
        (
            any::<u32>(),
            any::<u8>(),
            CUMULATIVE_LOST_MIN..=CUMULATIVE_LOST_MAX,
        ),
        (any::<u32>(), any::<u32>(), any::<u32>(), any::<u32>()),
    )
        .prop_map(
            |((ssrc, fraction_lost, cumulative_lost), (ehsn, jitter, lsr, dlsr))| ReportBlock {
                ssrc,
                fraction_lost,
                cumulative_lost,
                extended_highest_sequence: ehsn,
                jitter,
                last_sender_report: lsr,
                delay_since_last_sender_report: dlsr,
            },
        )
}

fn reports() -> impl Strategy<Value = Vec<ReportBlock>> {
    prop_oneof![
        4 => prop::collection::vec(report_block(), 0..4),
        1 => prop::collection::vec(report_block(), 0..=31),
    ]
}

fn sender_report() -> impl Strategy<Value = RtcpRepr> {
    (
        (
            any::<u32>(),
            any::<u64>(),
            any::<u32>(),
            any::<u32>(),
            any::<u32>(),
        ),
        reports(),
        bytes(13),
    )
        .prop_map(|((ssrc, ntp, rtp, packets, octets), reports, ext)| {
            RtcpRepr::SenderReport(SenderReportRepr {
                ssrc,
                ntp_timestamp: ntp,
                rtp_timestamp: rtp,
                packet_count: packets,
                octet_count: octets,
                reports,
                profile_extension: ext,
            })
        })
}

fn receiver_report() -> impl Strategy<Value = RtcpRepr> {
    (any::<u32>(), reports(), bytes(13)).prop_map(|(ssrc, reports, profile_extension)| {
        RtcpRepr::ReceiverReport(ReceiverReportRepr {
            ssrc,
            reports,
            profile_extension,
        })
    })
}

fn sdes() -> impl Strategy<Value = RtcpRepr> {
    let item = (1u8..=255, prop_oneof![4 => bytes(24), 1 => bytes(256)]).prop_map(|(t, text)| {
        SdesItemRepr {
            item_type: SdesItemType::from(t),
            text,
        }
    });
    let chunk = (any::<u32>(), prop::collection::vec(item, 0..4))
        .prop_map(|(ssrc, items)| SdesChunkRepr { ssrc, items });
    prop::collection::vec(chunk, 0..=31)
        .prop_map(|chunks| RtcpRepr::SourceDescription(SourceDescriptionRepr { chunks }))
}

fn bye() -> impl Strategy<Value = RtcpRepr> {
    (
        prop::collection::vec(any::<u32>(), 0..=31),
        prop::option::of(bytes(256)),
    )
        .prop_map(|(ssrcs, reason)| RtcpRepr::Goodbye(GoodbyeRepr { ssrcs, reason }))
}

fn app() -> impl Strategy<Value = RtcpRepr> {
    (0u8..=31, any::<u32>(), any::<[u8; 4]>(), bytes(40)).prop_map(
        |(subtype, ssrc, name, mut data)| {
            // RFC 3550 §6.7: whole words only.
            data.truncate(data.len() / 4 * 4);
            RtcpRepr::App(AppRepr {
                subtype,
                ssrc,
                name,
                data,
            })
        },
    )
}

fn nack() -> impl Strategy<Value = RtcpRepr> {
    let pair = (any::<u16>(), any::<u16>()).prop_map(|(pid, blp)| NackPair { pid, blp });
    (
        any::<u32>(),
        any::<u32>(),
        prop::collection::vec(pair, 0..20),
    )
        .prop_map(|(sender_ssrc, media_ssrc, pairs)| {
            RtcpRepr::Nack(NackRepr {
                sender_ssrc,
                media_ssrc,
                pairs,
            })
        })
}

fn reception() -> impl Strategy<Value = Reception> {
    prop_oneof![
        3 => Just(Reception::NotReceived),
        4 => any::<u8>().prop_map(Reception::SmallDelta),
        2 => any::<i16>().prop_map(Reception::LargeDelta),
        1 => Just(Reception::Reserved),
    ]
}

fn twcc() -> impl Strategy<Value = RtcpRepr> {
    // Runs of equal statuses, so that run-length chunks and vector chunks both appear.
    let runs = prop::collection::vec(
        (reception(), prop_oneof![3 => 1usize..4, 1 => 1usize..40]),
        0..30,
    );
    let packets = runs.prop_map(|runs| {
        runs.into_iter()
            .flat_map(|(r, n)| std::iter::repeat_n(r, n))
            .collect::<Vec<_>>()
    });
    (
        (
            any::<u32>(),
            any::<u32>(),
            any::<u16>(),
            -(1i32 << 23)..(1 << 23),
            any::<u8>(),
        ),
        prop_oneof![
            8 => packets,
            1 => prop::collection::vec(reception(), 0..9000),
            // Runs past the 8191 packets one run-length chunk can hold.
            1 => (reception(), 8000usize..17000, reception()).prop_map(|(a, n, b)| {
                let mut packets = vec![a; n];
                packets.push(b);
                packets
            }),
        ],
        prop::bool::weighted(0.2),
    )
        .prop_map(
            |((sender_ssrc, media_ssrc, base, reference_time, count), packets, omit)| {
                RtcpRepr::TransportCc(TransportCcRepr {
                    sender_ssrc,
                    media_ssrc,
                    base_sequence_number: base,
                    reference_time,
                    feedback_packet_count: count,
                    packets,
                    omit_receive_deltas: omit,
                })
            },
        )
}

/// TMMBR/TMMBN with bit rates the entries can carry exactly.
fn tmmb() -> impl Strategy<Value = RtcpRepr> {
    let item = (any::<u32>(), 0u64..1 << 17, 0u32..=46, 0u16..512).prop_map(
        |(ssrc, mantissa, exponent, overhead)| TmmbItem {
            ssrc,
            bitrate: mantissa << exponent,
            overhead,
        },
    );
    (
        any::<bool>(),
        any::<u32>(),
        any::<u32>(),
        prop::collection::vec(item, 0..5),
    )
        .prop_map(|(notification, sender_ssrc, media_ssrc, items)| {
            RtcpRepr::Tmmb(TmmbRepr {
                notification,
                sender_ssrc,
                media_ssrc,
                items,
            })
        })
}

fn rrr() -> impl Strategy<Value = RtcpRepr> {
    (any::<u32>(), any::<u32>()).prop_map(|(sender_ssrc, media_ssrc)| {
        RtcpRepr::RapidResyncRequest(RapidResyncRequestRepr {
            sender_ssrc,
            media_ssrc,
        })
    })
}

fn pli() -> impl Strategy<Value = RtcpRepr> {
    (any::<u32>(), any::<u32>()).prop_map(|(sender_ssrc, media_ssrc)| {
        RtcpRepr::Pli(PliRepr {
            sender_ssrc,
            media_ssrc,
        })
    })
}

fn sli() -> impl Strategy<Value = RtcpRepr> {
    let entry =
        (0u16..1 << 13, 0u16..1 << 13, 0u8..1 << 6).prop_map(|(first, number, picture_id)| {
            SliEntry {
                first,
                number,
                picture_id,
            }
        });
    (
        any::<u32>(),
        any::<u32>(),
        prop::collection::vec(entry, 0..6),
    )
        .prop_map(|(sender_ssrc, media_ssrc, entries)| {
            RtcpRepr::Sli(SliRepr {
                sender_ssrc,
                media_ssrc,
                entries,
            })
        })
}

fn fir() -> impl Strategy<Value = RtcpRepr> {
    let entry = (any::<u32>(), any::<u8>()).prop_map(|(ssrc, sequence_number)| FirEntry {
        ssrc,
        sequence_number,
    });
    (
        any::<u32>(),
        any::<u32>(),
        prop::collection::vec(entry, 0..6),
    )
        .prop_map(|(sender_ssrc, media_ssrc, entries)| {
            RtcpRepr::Fir(FirRepr {
                sender_ssrc,
                media_ssrc,
                entries,
            })
        })
}

/// REMB with a bitrate the message can carry exactly.
fn remb() -> impl Strategy<Value = RtcpRepr> {
    (
        any::<u32>(),
        0u64..1 << 18,
        0u32..=46,
        prop::collection::vec(any::<u32>(), 0..8),
    )
        .prop_map(|(sender_ssrc, mantissa, exponent, ssrcs)| {
            RtcpRepr::Remb(RembRepr {
                sender_ssrc,
                bitrate: mantissa << exponent,
                ssrcs,
            })
        })
}

/// Feedback of formats this crate does not type.
fn raw_feedback() -> impl Strategy<Value = RtcpRepr> {
    let rtpfb = (
        Just(205u8),
        (0u8..=31).prop_filter("typed", |f| ![1, 3, 4, 5, 15].contains(f)),
        bytes(24),
    );
    let psfb = (
        Just(206u8),
        (0u8..=31).prop_filter("typed", |f| ![1, 2, 4, 15].contains(f)),
        bytes(24),
    );
    let afb = (
        Just(206u8),
        Just(15u8),
        bytes(24).prop_filter("REMB", |d| !d.starts_with(b"REMB")),
    );
    (prop_oneof![rtpfb, psfb, afb], any::<u32>(), any::<u32>()).prop_map(
        |((packet_type, format, fci), sender_ssrc, media_ssrc)| {
            RtcpRepr::OtherFeedback(RawFeedbackRepr {
                packet_type,
                format,
                sender_ssrc,
                media_ssrc,
                fci,
            })
        },
    )
}

fn xr() -> impl Strategy<Value = RtcpRepr> {
    let sub = (any::<u32>(), any::<u32>(), any::<u32>()).prop_map(
        |(ssrc, last_rr, delay_since_last_rr)| DlrrSubBlock {
            ssrc,
            last_rr,
            delay_since_last_rr,
        },
    );
    let block = prop_oneof![
        any::<u64>().prop_map(|ntp_timestamp| XrBlockRepr::ReceiverReferenceTime { ntp_timestamp }),
        prop::collection::vec(sub, 0..4).prop_map(XrBlockRepr::Dlrr),
        (
            any::<u8>().prop_filter("typed", |t| *t != 4 && *t != 5),
            any::<u8>(),
            prop::collection::vec(any::<[u8; 4]>(), 0..5),
        )
            .prop_map(|(block_type, type_specific, words)| XrBlockRepr::Other {
                block_type,
                type_specific,
                data: words.concat(),
            }),
    ];
    (any::<u32>(), prop::collection::vec(block, 0..5))
        .prop_map(|(ssrc, blocks)| RtcpRepr::ExtendedReport(ExtendedReportRepr { ssrc, blocks }))
}

fn unknown() -> impl Strategy<Value = RtcpRepr> {
    (
        any::<u8>().prop_filter("known", |t| !(200..=207).contains(t)),
        0u8..=31,
        bytes(40),
    )
        .prop_map(|(packet_type, count, body)| {
            RtcpRepr::Unknown(UnknownRepr {
                packet_type,
                count,
                body,
            })
        })
}

fn repr() -> impl Strategy<Value = RtcpRepr> {
    prop_oneof![
        sender_report(),
        receiver_report(),
        sdes(),
        bye(),
        app(),
        nack(),
        tmmb(),
        rrr(),
        twcc(),
        pli(),
        sli(),
        fir(),
        remb(),
        raw_feedback(),
        xr(),
        unknown(),
    ]
}

/// What parsing `repr`'s bytes must give: feedback without receive deltas comes back with zero
/// deltas, and the flag is moot when no packet has a delta.
fn expected(repr: &RtcpRepr) -> RtcpRepr {
    let mut repr = repr.clone();
    if let RtcpRepr::TransportCc(t) = &mut repr {
        if t.omit_receive_deltas {
            for p in &mut t.packets {
                *p = match *p {
                    Reception::SmallDelta(_) => Reception::SmallDelta(0),
                    Reception::LargeDelta(_) => Reception::LargeDelta(0),
                    other => other,
                };
            }
        }
        if !t.packets.iter().any(|p| p.delta().is_some()) {
            t.omit_receive_deltas = false;
        }
    }
    repr
}

/// A checksum of everything read, so nothing is optimised away.
#[derive(Default)]
struct Acc(u64);

impl Acc {
    fn add(&mut self, value: u64) {
        self.0 = self.0.wrapping_mul(31).wrapping_add(value);
    }

    fn all(&mut self, values: impl Iterator<Item = u64>) {
        values.for_each(|v| self.add(v));
    }
}

/// Reads every field and walks every iterator of a packet.
fn touch(packet: &RtcpPacket<'_>, acc: &mut Acc) {
    let raw = packet.raw();
    acc.all(
        [raw.len(), raw.body().len(), raw.padding_len(), raw.offset()]
            .into_iter()
            .map(|v| v as u64),
    );
    match packet {
        RtcpPacket::SenderReport(sr) => {
            acc.add(sr.ntp_timestamp());
            acc.all(
                [
                    sr.ssrc(),
                    sr.rtp_timestamp(),
                    sr.packet_count(),
                    sr.octet_count(),
                ]
                .into_iter()
                .map(u64::from),
            );
            acc.all(
                sr.report_blocks()
                    .map(|b| u64::from(b.jitter) ^ b.cumulative_lost as u64),
            );
            acc.add(sr.profile_extension().len() as u64);
        }
        RtcpPacket::ReceiverReport(rr) => {
            acc.add(rr.ssrc().into());
            acc.all(
                rr.report_blocks()
                    .map(|b| u64::from(b.ssrc) ^ u64::from(b.fraction_lost)),
            );
            acc.add(rr.profile_extension().len() as u64);
        }
        RtcpPacket::SourceDescription(sdes) => {
            for chunk in sdes.chunks() {
                acc.add(chunk.ssrc().into());
                acc.add(chunk.cname().map_or(0, <[u8]>::len) as u64);
                for item in chunk.items() {
                    acc.add(u8::from(item.item_type).into());
                    acc.add(item.text.len() as u64);
                    acc.add(item.text_str().map_or(0, str::len) as u64);
                    acc.add(item.private_parts().map_or(0, |(p, v)| p.len() + v.len()) as u64);
                }
            }
        }
        RtcpPacket::Goodbye(bye) => {
            acc.all(bye.ssrcs().map(u64::from));
            acc.add(bye.reason().map_or(0, <[u8]>::len) as u64);
            acc.add(bye.reason_str().map_or(0, str::len) as u64);
        }
        RtcpPacket::App(app) => {
            acc.all(
                [
                    app.subtype().into(),
                    app.ssrc().into(),
                    app.data().len() as u64,
                ]
                .into_iter(),
            );
            acc.add(u32::from_be_bytes(app.name()).into());
        }
        RtcpPacket::TransportFeedback(fb) => {
            let common = fb.feedback();
            acc.all(
                [common.sender_ssrc(), common.media_ssrc()]
                    .into_iter()
                    .map(u64::from),
            );
            acc.add(common.fci().len() as u64);
            match fb {
                TransportFeedback::Nack(nack) => {
                    acc.all(nack.pairs().map(|p| u64::from(p.blp)));
                    acc.all(nack.lost_sequence_numbers().map(u64::from));
                }
                TransportFeedback::Tmmb(tmmb) => {
                    acc.add(u64::from(tmmb.is_notification()));
                    acc.all(tmmb.items().map(|i| i.bitrate ^ u64::from(i.overhead)));
                    assert_eq!(tmmb.items().count() * 8, common.fci().len());
                }
                TransportFeedback::TransportCc(twcc) => {
                    acc.add(twcc.base_sequence_number().into());
                    acc.add(twcc.reference_time_us() as u64);
                    acc.add(twcc.feedback_packet_count().into());
                    acc.all(twcc.chunks().map(|c| c.capacity() as u64));
                    let mut count = 0u64;
                    for p in twcc.packets() {
                        acc.add(p.sequence_number.into());
                        acc.add(p.delta_us().unwrap_or(0) as u64);
                        assert_eq!(
                            p.delta.is_some(),
                            twcc.has_receive_deltas() && p.status.is_received()
                        );
                        count += 1;
                    }
                    assert_eq!(count, u64::from(twcc.packet_status_count()));
                }
                _ => {}
            }
        }
        RtcpPacket::PayloadFeedback(fb) => {
            let common = fb.feedback();
            acc.all(
                [common.sender_ssrc(), common.media_ssrc()]
                    .into_iter()
                    .map(u64::from),
            );
            acc.add(common.fci().len() as u64);
            match fb {
                PayloadFeedback::Sli(sli) => acc.all(
                    sli.entries()
                        .map(|e| u64::from(e.first) ^ u64::from(e.number)),
                ),
                PayloadFeedback::Fir(fir) => acc.all(fir.entries().map(|e| u64::from(e.ssrc))),
                PayloadFeedback::Remb(remb) => {
                    acc.add(remb.bitrate());
                    acc.all(remb.ssrcs().map(u64::from));
                }
                _ => {}
            }
        }
        RtcpPacket::ExtendedReport(xr) => {
            acc.add(xr.ssrc().into());
            acc.all(xr.raw_blocks().map(|b| b.data.len() as u64));
            for block in xr.blocks() {
                match block {
                    XrBlock::ReceiverReferenceTime { ntp_timestamp } => acc.add(ntp_timestamp),
                    XrBlock::Dlrr(subs) => acc.all(subs.map(|s| u64::from(s.last_rr))),
                    XrBlock::Other(raw) => acc.add(raw.data.len() as u64),
                    _ => {}
                }
            }
        }
        _ => {}
    }
}

/// Walks a datagram as a receiver would; everything that parses must re-emit to bytes that
/// parse to the same Repr.
fn walk(datagram: &[u8]) {
    let _ = validate_compound(datagram, CompoundMode::Full);
    let _ = validate_compound(datagram, CompoundMode::ReducedSize);
    for raw in Compound::new(datagram).raw_packets() {
        let Ok(raw) = raw else { break };
        let _ = raw.parse();
    }
    let mut acc = Acc::default();
    for packet in Compound::new(datagram).packets() {
        let Ok(packet) = packet else { break };
        touch(&packet, &mut acc);
        let repr = RtcpRepr::parse(&packet);
        let mut out = Vec::new();
        repr.write_to(&mut out).expect("a parsed packet re-emits");
        assert_eq!(out.len(), repr.buffer_len());
        let again = RtcpPacket::new_checked(&out).expect("a re-emitted packet parses");
        assert_eq!(RtcpRepr::parse(&again), repr);
    }
    std::hint::black_box(acc.0);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn every_repr_round_trips_through_its_bytes(repr in repr()) {
        let len = repr.buffer_len();
        let mut buf = vec![0xee; len];
        prop_assert_eq!(repr.emit(&mut buf), Ok(len));
        prop_assert_eq!(len % 4, 0);
        let packet = RtcpPacket::new_checked(&buf).unwrap();
        prop_assert_eq!(RtcpRepr::parse(&packet), expected(&repr));
        prop_assert!(!buf.is_empty());
        prop_assert_eq!(repr.emit(&mut buf[..len - 1]), Err(BuildError::TooLarge));
        walk(&buf);
    }

    #[test]
    fn a_compound_of_arbitrary_packets_round_trips(packets in prop::collection::vec(repr(), 1..6)) {
        let mut datagram = vec![0x55];
        RtcpRepr::write_compound(&packets, &mut datagram).unwrap();
        let datagram = &datagram[1..];
        let want: Vec<RtcpRepr> = packets.iter().map(expected).collect();
        prop_assert_eq!(RtcpRepr::parse_compound(datagram).unwrap(), want);
        let padded_inside = Compound::new(datagram)
            .raw_packets()
            .take(packets.len() - 1)
            .any(|p| p.unwrap().has_padding());
        let reduced = validate_compound(datagram, CompoundMode::ReducedSize);
        if padded_inside {
            prop_assert!(reduced.is_err());
        } else {
            prop_assert_eq!(reduced, Ok(packets.len()));
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(datagram in bytes(600)) {
        walk(&datagram);
    }

    #[test]
    fn rtcp_looking_bytes_never_panic(
        first in (0x80u8..=0xbf),
        packet_type in 200u8..=207,
        body in bytes(120),
    ) {
        let words = body.len() / 4;
        let mut datagram = vec![first, packet_type, 0, words as u8];
        datagram.extend(&body[..words * 4]);
        walk(&datagram);
    }

    #[test]
    fn corrupted_and_truncated_compounds_never_panic(
        packets in prop::collection::vec(repr(), 1..4),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut datagram = Vec::new();
        RtcpRepr::write_compound(&packets, &mut datagram).unwrap();
        walk(&datagram[..cut.index(datagram.len() + 1)]);
        for (at, xor) in flips {
            let i = at.index(datagram.len());
            datagram[i] ^= xor;
        }
        walk(&datagram);
    }

    #[test]
    fn remb_rounds_an_arbitrary_bitrate_down_to_what_it_can_carry(bitrate in any::<u64>()) {
        let repr = RembRepr { sender_ssrc: 1, bitrate, ssrcs: vec![2] };
        let mut out = Vec::new();
        repr.write_to(&mut out).unwrap();
        let Ok(RtcpPacket::PayloadFeedback(PayloadFeedback::Remb(view))) = RtcpPacket::new_checked(&out) else {
            panic!("not a REMB");
        };
        prop_assert_eq!(view.bitrate(), repr.encoded_bitrate());
        prop_assert!(view.bitrate() <= bitrate);
        // The smallest exponent: the loss is below one step of the mantissa.
        prop_assert!(bitrate - view.bitrate() < 1u64 << view.exponent());
        prop_assert!(view.exponent() == 0 || view.mantissa() >= 1 << 17);
    }

    #[test]
    fn packed_nacks_report_exactly_the_lost_set(lost in prop::collection::vec(any::<u16>(), 0..60), base in any::<u16>()) {
        // Clustered around `base` so that entries share BLP bits and cross the wrap.
        let lost: Vec<u16> = lost.iter().map(|l| base.wrapping_add(l % 200)).collect();
        let repr = NackRepr::from_lost(1, 2, &lost);
        let mut out = Vec::new();
        repr.write_to(&mut out).unwrap();
        let Ok(RtcpPacket::TransportFeedback(TransportFeedback::Nack(view))) = RtcpPacket::new_checked(&out) else {
            panic!("not a NACK");
        };
        let mut got: Vec<u16> = view.lost_sequence_numbers().collect();
        let mut want = lost.clone();
        want.sort_unstable();
        want.dedup();
        let reported = got.len();
        got.sort_unstable();
        got.dedup();
        prop_assert_eq!(reported, got.len(), "no sequence number is reported twice");
        prop_assert_eq!(got, want);
        // Minimal: no two consecutive entries could merge.
        let pairs = pack_lost_sequence_numbers(&lost);
        for w in pairs.windows(2) {
            prop_assert!(w[1].pid.wrapping_sub(w[0].pid) > 16);
        }
    }
}
