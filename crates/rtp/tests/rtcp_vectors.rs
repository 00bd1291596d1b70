//! Every RTCP datagram of the Pion test files and of libwebrtc's fuzzer corpus: each packet
//! parses to the kind and field values an independent parser decoded ("decoded" in the JSON),
//! and re-emitting its Repr gives back the original bytes.
//!
//! Documented exceptions:
//! - Transport-wide feedback whose sender chose other packet chunks than libwebrtc's encoder
//!   (which ours reproduces) re-emits to different bytes carrying the same packets; for those
//!   the test compares the re-parsed Repr instead of bytes (`TWCC_OTHER_CHUNKS`).
//! - Two Pion vectors (`PION_P_BIT_WITHOUT_PADDING`) set the P bit although their deltas run to
//!   the end of the packet: one has a padding count of 0, the other a count of 3 that covers a
//!   receive delta. RFC 3550 §6.4.1 makes both malformed and libwebrtc's parser rejects both;
//!   we assert the error, then clear the P bit and check the contents against "decoded".

use sansrtc_rtp::ParseErrorKind;
use sansrtc_rtp::rtcp::{
    Compound, PacketChunk, PacketStatus, PayloadFeedback, RtcpPacket, RtcpRepr, SdesItemType,
    TransportFeedback, XrBlock, fmt,
};
use serde_json::Value;

const PION: &str = include_str!("vectors/pion-rtcp-packets.json");
const LIBWEBRTC: &str = include_str!("vectors/libwebrtc-rtcp-corpus.json");

/// Vectors whose transport-wide feedback uses chunks libwebrtc's encoder would not choose.
const TWCC_OTHER_CHUNKS: [&str; 3] = [
    "twcc-1bit-vector",
    "twcc-2bit-vector",
    "twcc-2bit-vector-run-length-with-padding",
];

/// Vectors with the P bit set but no valid padding, and the error each must give.
const PION_P_BIT_WITHOUT_PADDING: [(&str, ParseErrorKind); 2] = [
    ("twcc-1bit-vector", ParseErrorKind::Truncated),
    ("twcc-2bit-vector", ParseErrorKind::BadPadding),
];

fn hex(s: &str) -> Vec<u8> {
    assert!(s.len().is_multiple_of(2), "odd hex length");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// A number given as a JSON number or a "0x…" string.
fn num(v: &Value) -> u64 {
    match v {
        Value::Number(n) => n.as_u64().unwrap_or_else(|| panic!("not unsigned: {n}")),
        Value::String(s) => {
            u64::from_str_radix(s.trim_start_matches("0x"), 16).unwrap_or_else(|_| panic!("{s}"))
        }
        other => panic!("not a number: {other}"),
    }
}

fn int(v: &Value) -> i64 {
    v.as_i64().unwrap_or_else(|| num(v) as i64)
}

fn list(v: &Value) -> &Vec<Value> {
    v.as_array().unwrap_or_else(|| panic!("not a list: {v}"))
}

/// What one file's check covered.
#[derive(Debug, Default)]
struct Tally {
    datagrams: usize,
    packets: usize,
    byte_exact: usize,
    repr_equal: usize,
    malformed: usize,
}

fn check_common(packet: &RtcpPacket<'_>, d: &Value) {
    let raw = packet.raw();
    assert_eq!(d["version"], 2);
    assert_eq!(raw.has_padding(), d["padding"].as_bool().unwrap());
    assert_eq!(u64::from(raw.count()), num(&d["count_or_fmt"]));
    assert_eq!(u64::from(raw.packet_type()), num(&d["packet_type"]));
    assert_eq!(u64::from(raw.header().length), num(&d["length_words"]));
}

fn check_report_blocks(blocks: impl Iterator<Item = sansrtc_rtp::rtcp::ReportBlock>, d: &Value) {
    let blocks: Vec<_> = blocks.collect();
    let want = list(&d["report_blocks"]);
    assert_eq!(blocks.len(), want.len());
    for (b, w) in blocks.iter().zip(want) {
        assert_eq!(u64::from(b.ssrc), num(&w["ssrc"]));
        assert_eq!(u64::from(b.fraction_lost), num(&w["fraction_lost"]));
        assert_eq!(i64::from(b.cumulative_lost), int(&w["cumulative_lost"]));
        assert_eq!(
            u64::from(b.extended_highest_sequence),
            num(&w["ext_highest_seq"])
        );
        assert_eq!(u64::from(b.jitter), num(&w["jitter"]));
        assert_eq!(u64::from(b.last_sender_report), num(&w["lsr"]));
        assert_eq!(u64::from(b.delay_since_last_sender_report), num(&w["dlsr"]));
    }
}

fn check_twcc(view: &sansrtc_rtp::rtcp::TransportCc<'_>, t: &Value) {
    assert_eq!(
        u64::from(view.base_sequence_number()),
        num(&t["base_sequence_number"])
    );
    assert_eq!(
        u64::from(view.packet_status_count()),
        num(&t["packet_status_count"])
    );
    assert_eq!(
        i64::from(view.reference_time()),
        int(&t["reference_time_64ms_units"])
    );
    assert_eq!(
        u64::from(view.feedback_packet_count()),
        num(&t["feedback_packet_count"])
    );
    let chunks: Vec<PacketChunk> = view.chunks().collect();
    let want_chunks = list(&t["packet_chunks"]);
    assert_eq!(chunks.len(), want_chunks.len());
    for (chunk, want) in chunks.iter().zip(want_chunks) {
        match (chunk, want["type"].as_str().unwrap()) {
            (PacketChunk::RunLength { status, run_length }, "run_length") => {
                assert_eq!(u64::from(status.symbol()), num(&want["status"]));
                assert_eq!(u64::from(*run_length), num(&want["run_length"]));
            }
            (
                PacketChunk::OneBitVector { .. } | PacketChunk::TwoBitVector { .. },
                "status_vector",
            ) => {
                let size = if matches!(chunk, PacketChunk::OneBitVector { .. }) {
                    1
                } else {
                    2
                };
                assert_eq!(size, num(&want["symbol_size"]));
                let symbols: Vec<u64> = (0..chunk.capacity())
                    .map(|i| u64::from(chunk.status(i).unwrap().symbol()))
                    .collect();
                let want: Vec<u64> = list(&want["symbols"]).iter().map(num).collect();
                assert_eq!(symbols, want);
            }
            (chunk, kind) => panic!("chunk {chunk:?} decoded as {kind}"),
        }
    }
    let statuses: Vec<u64> = view
        .packets()
        .map(|p| u64::from(p.status.symbol()))
        .collect();
    let want: Vec<u64> = list(&t["statuses"]).iter().map(num).collect();
    assert_eq!(statuses, want);
    let deltas: Vec<i64> = view
        .packets()
        .filter_map(|p| p.delta)
        .map(i64::from)
        .collect();
    let want: Vec<i64> = list(&t["recv_deltas_250us_units"])
        .iter()
        .map(int)
        .collect();
    assert_eq!(deltas, want);
    // Sequence numbers count up from the base, wrapping.
    for (i, p) in view.packets().enumerate() {
        assert_eq!(
            p.sequence_number,
            view.base_sequence_number().wrapping_add(i as u16)
        );
        assert_eq!(p.delta.is_some(), p.status.is_received());
    }
}

fn check_fields(packet: &RtcpPacket<'_>, d: &Value) {
    check_common(packet, d);
    let kind = d["kind"].as_str().unwrap();
    match (packet, kind) {
        (RtcpPacket::SenderReport(sr), "SR") => {
            assert_eq!(u64::from(sr.ssrc()), num(&d["ssrc"]));
            assert_eq!(sr.ntp_timestamp(), num(&d["ntp_timestamp"]));
            assert_eq!(u64::from(sr.rtp_timestamp()), num(&d["rtp_timestamp"]));
            assert_eq!(u64::from(sr.packet_count()), num(&d["packet_count"]));
            assert_eq!(u64::from(sr.octet_count()), num(&d["octet_count"]));
            check_report_blocks(sr.report_blocks(), d);
        }
        (RtcpPacket::ReceiverReport(rr), "RR") => {
            assert_eq!(u64::from(rr.ssrc()), num(&d["ssrc"]));
            check_report_blocks(rr.report_blocks(), d);
        }
        (RtcpPacket::SourceDescription(sdes), "SDES") => {
            let want = list(&d["chunks"]);
            assert_eq!(sdes.chunks().len(), want.len());
            for (chunk, w) in sdes.chunks().zip(want) {
                assert_eq!(u64::from(chunk.ssrc()), num(&w["ssrc"]));
                let items: Vec<_> = chunk.items().collect();
                let want_items = list(&w["items"]);
                assert_eq!(items.len(), want_items.len());
                for (item, wi) in items.iter().zip(want_items) {
                    assert_eq!(u64::from(u8::from(item.item_type)), num(&wi["type"]));
                    assert_eq!(item.text_str(), wi["text"].as_str());
                }
                if want_items.iter().any(|i| i["type"] == 1) {
                    assert_eq!(
                        chunk.cname(),
                        items
                            .iter()
                            .find(|i| i.item_type == SdesItemType::Cname)
                            .map(|i| i.text)
                    );
                }
            }
        }
        (RtcpPacket::Goodbye(bye), "BYE") => {
            let ssrcs: Vec<u64> = bye.ssrcs().map(u64::from).collect();
            let want: Vec<u64> = list(&d["ssrcs"]).iter().map(num).collect();
            assert_eq!(ssrcs, want);
            assert_eq!(bye.reason_str(), d.get("reason").and_then(Value::as_str));
        }
        (RtcpPacket::App(app), "APP") => {
            assert_eq!(u64::from(app.subtype()), num(&d["subtype"]));
            assert_eq!(u64::from(app.ssrc()), num(&d["ssrc"]));
            assert_eq!(&app.name(), d["name"].as_str().unwrap().as_bytes());
            assert_eq!(app.data(), hex(d["data_hex"].as_str().unwrap()));
        }
        (RtcpPacket::PayloadFeedback(PayloadFeedback::Pli(pli)), "PLI") => {
            assert_eq!(u64::from(pli.sender_ssrc()), num(&d["sender_ssrc"]));
            assert_eq!(u64::from(pli.media_ssrc()), num(&d["media_ssrc"]));
        }
        (RtcpPacket::PayloadFeedback(PayloadFeedback::Fir(fir)), "FIR") => {
            assert_eq!(u64::from(fir.sender_ssrc()), num(&d["sender_ssrc"]));
            assert_eq!(u64::from(fir.media_ssrc()), num(&d["media_ssrc"]));
            let entries: Vec<(u64, u64)> = fir
                .entries()
                .map(|e| (e.ssrc.into(), e.sequence_number.into()))
                .collect();
            let want: Vec<(u64, u64)> = list(&d["entries"])
                .iter()
                .map(|e| (num(&e["ssrc"]), num(&e["seq_nr"])))
                .collect();
            assert_eq!(entries, want);
        }
        (RtcpPacket::PayloadFeedback(PayloadFeedback::Remb(remb)), "REMB") => {
            assert_eq!(u64::from(remb.sender_ssrc()), num(&d["sender_ssrc"]));
            assert_eq!(u64::from(remb.media_ssrc()), num(&d["media_ssrc"]));
            assert_eq!(remb.ssrcs().len() as u64, num(&d["num_ssrcs"]));
            assert_eq!(u64::from(remb.exponent()), num(&d["br_exp"]));
            assert_eq!(u64::from(remb.mantissa()), num(&d["br_mantissa"]));
            assert_eq!(remb.bitrate(), num(&d["bitrate_bps"]));
            let ssrcs: Vec<u64> = remb.ssrcs().map(u64::from).collect();
            let want: Vec<u64> = list(&d["ssrcs"]).iter().map(num).collect();
            assert_eq!(ssrcs, want);
        }
        (RtcpPacket::TransportFeedback(TransportFeedback::Nack(nack)), "Generic NACK") => {
            assert_eq!(u64::from(nack.sender_ssrc()), num(&d["sender_ssrc"]));
            assert_eq!(u64::from(nack.media_ssrc()), num(&d["media_ssrc"]));
            let want = list(&d["nacks"]);
            assert_eq!(nack.pairs().len(), want.len());
            let mut all_lost = Vec::new();
            for (pair, w) in nack.pairs().zip(want) {
                assert_eq!(u64::from(pair.pid), num(&w["pid"]));
                assert_eq!(u64::from(pair.blp), num(&w["blp"]));
                let lost: Vec<u64> = pair.lost_sequence_numbers().map(u64::from).collect();
                let want_lost: Vec<u64> = list(&w["lost_seqs"]).iter().map(num).collect();
                assert_eq!(lost, want_lost);
                all_lost.extend(want_lost);
            }
            let lost: Vec<u64> = nack.lost_sequence_numbers().map(u64::from).collect();
            assert_eq!(lost, all_lost);
        }
        (
            RtcpPacket::TransportFeedback(TransportFeedback::TransportCc(twcc)),
            "transport-cc (TWCC)",
        ) => {
            assert_eq!(u64::from(twcc.sender_ssrc()), num(&d["sender_ssrc"]));
            assert_eq!(u64::from(twcc.media_ssrc()), num(&d["media_ssrc"]));
            check_twcc(twcc, &d["twcc"]);
        }
        (
            RtcpPacket::TransportFeedback(TransportFeedback::RapidResyncRequest(rrr)),
            "RRR (rapid resync request)",
        ) => {
            assert_eq!(rrr.feedback().format(), fmt::RAPID_RESYNC_REQUEST);
            assert_eq!(u64::from(rrr.sender_ssrc()), num(&d["sender_ssrc"]));
            assert_eq!(u64::from(rrr.media_ssrc()), num(&d["media_ssrc"]));
            assert!(rrr.feedback().fci().is_empty());
        }
        (RtcpPacket::ExtendedReport(xr), "XR") => {
            assert_eq!(u64::from(xr.ssrc()), num(&d["ssrc"]));
            let mut blocks = Vec::new();
            for block in xr.raw_blocks() {
                blocks.extend([block.block_type, block.type_specific]);
                blocks.extend(((block.data.len() / 4) as u16).to_be_bytes());
                blocks.extend(block.data);
            }
            assert_eq!(blocks, hex(d["blocks_hex"].as_str().unwrap()));
            // The typed blocks agree with the raw ones.
            for (typed, raw) in xr.blocks().zip(xr.raw_blocks()) {
                match typed {
                    XrBlock::ReceiverReferenceTime { ntp_timestamp } => {
                        assert_eq!(raw.block_type, 4);
                        assert_eq!(ntp_timestamp.to_be_bytes(), raw.data);
                    }
                    XrBlock::Dlrr(subs) => {
                        assert_eq!(raw.block_type, 5);
                        assert_eq!(subs.len() * 12, raw.data.len());
                        for (s, bytes) in subs.zip(raw.data.chunks(12)) {
                            assert_eq!(s.ssrc.to_be_bytes(), bytes[..4]);
                            assert_eq!(s.delay_since_last_rr.to_be_bytes(), bytes[8..]);
                        }
                    }
                    XrBlock::Other(other) => assert_eq!(other, raw),
                    other => panic!("unexpected block {other:?}"),
                }
            }
        }
        (packet, kind) => panic!("{kind} parsed as {packet:?}"),
    }
}

/// Re-emits `packet` and checks the bytes (or, for `repr_only`, the re-parsed Repr).
fn check_reemit(packet: &RtcpPacket<'_>, repr_only: bool, tally: &mut Tally) {
    let repr = RtcpRepr::parse(packet);
    let mut out = Vec::new();
    repr.write_to(&mut out).unwrap();
    assert_eq!(out.len(), repr.buffer_len());
    let again = RtcpPacket::new_checked(&out).unwrap();
    assert_eq!(RtcpRepr::parse(&again), repr);
    if repr_only {
        tally.repr_equal += 1;
    } else {
        assert_eq!(out, packet.raw().as_bytes(), "re-emitted {repr:?}");
        tally.byte_exact += 1;
    }
}

fn is_malformed(item: &Value) -> bool {
    item.get("malformed")
        .and_then(Value::as_bool)
        .unwrap_or(false)
        || item.get("error").is_some_and(|e| !e.is_null())
}

fn check_file(json: &str) -> Tally {
    let file: Value = serde_json::from_str(json).unwrap();
    let mut tally = Tally::default();
    for item in list(&file["packets"]) {
        let name = item["name"].as_str().unwrap();
        let mut bytes = hex(item["hex"].as_str().unwrap());
        if let Some(len) = item.get("len") {
            assert_eq!(bytes.len() as u64, num(len), "{name}");
        }
        tally.datagrams += 1;
        if is_malformed(item) {
            assert!(
                Compound::new(&bytes).packets().any(|p| p.is_err()),
                "{name} must not parse"
            );
            tally.malformed += 1;
            continue;
        }
        if let Some(&(_, kind)) = PION_P_BIT_WITHOUT_PADDING.iter().find(|(n, _)| *n == name) {
            let first = Compound::new(&bytes).packets().next().unwrap();
            assert_eq!(first.unwrap_err().kind, kind, "{name}");
            tally.malformed += 1;
            bytes[0] &= !0x20;
        }
        let decoded = list(&item["decoded"]);
        let packets: Vec<RtcpPacket<'_>> = Compound::new(&bytes)
            .packets()
            .map(|p| p.unwrap_or_else(|e| panic!("{name}: {e}")))
            .collect();
        assert_eq!(packets.len(), decoded.len(), "{name}");
        let mut reemitted = Vec::new();
        for (packet, d) in packets.iter().zip(decoded) {
            let mut d = d.clone();
            if PION_P_BIT_WITHOUT_PADDING.iter().any(|(n, _)| *n == name) {
                d["padding"] = Value::Bool(false);
            }
            check_fields(packet, &d);
            check_reemit(packet, TWCC_OTHER_CHUNKS.contains(&name), &mut tally);
            RtcpRepr::parse(packet).write_to(&mut reemitted).unwrap();
            tally.packets += 1;
        }
        if !TWCC_OTHER_CHUNKS.contains(&name) {
            assert_eq!(
                reemitted, bytes,
                "{name}: the datagram re-emits byte for byte"
            );
        }
    }
    tally
}

#[test]
fn pion_packets_decode_as_pion_says_and_reemit() {
    let tally = check_file(PION);
    assert_eq!(tally.datagrams, 14, "{tally:?}");
    assert_eq!(tally.packets, 20, "{tally:?}");
    assert_eq!(tally.byte_exact, 17, "{tally:?}");
    assert_eq!(tally.repr_equal, 3, "{tally:?}");
    assert_eq!(tally.malformed, 2, "{tally:?}");
}

#[test]
fn libwebrtc_corpus_decodes_and_reemits_byte_for_byte() {
    let tally = check_file(LIBWEBRTC);
    assert_eq!(tally.datagrams, 9, "{tally:?}");
    assert_eq!(tally.packets, 13, "{tally:?}");
    assert_eq!(tally.byte_exact, 13, "{tally:?}");
    assert_eq!(tally.repr_equal + tally.malformed, 0, "{tally:?}");
}

#[test]
fn every_vector_is_a_valid_compound_or_reduced_size_datagram() {
    use sansrtc_rtp::rtcp::{CompoundMode, validate_compound};
    let mut full = 0;
    for json in [PION, LIBWEBRTC] {
        let file: Value = serde_json::from_str(json).unwrap();
        for item in list(&file["packets"]) {
            let name = item["name"].as_str().unwrap();
            let bytes = hex(item["hex"].as_str().unwrap());
            let decoded = list(&item["decoded"]);
            if PION_P_BIT_WITHOUT_PADDING.iter().any(|(n, _)| *n == name) {
                assert!(validate_compound(&bytes, CompoundMode::ReducedSize).is_err());
                continue;
            }
            assert_eq!(
                validate_compound(&bytes, CompoundMode::ReducedSize),
                Ok(decoded.len()),
                "{name}"
            );
            let first = num(&decoded[0]["packet_type"]);
            let full_ok = validate_compound(&bytes, CompoundMode::Full);
            if first == 200 || first == 201 {
                assert_eq!(full_ok, Ok(decoded.len()), "{name}");
                full += 1;
            } else {
                assert_eq!(
                    full_ok.unwrap_err().kind,
                    ParseErrorKind::WrongType,
                    "{name}"
                );
            }
        }
    }
    assert_eq!(full, 8);
}

#[test]
fn twcc_vectors_statuses_are_consistent() {
    // Each TWCC vector's packets: the status symbols agree with `PacketStatus` helpers.
    let bytes = hex("afcd00079b74f61f9371dcbc853c000963f916b3d55200309baa6aaa7b010901");
    let Some(Ok(RtcpPacket::TransportFeedback(TransportFeedback::TransportCc(twcc)))) =
        Compound::new(&bytes).packets().next()
    else {
        panic!("not transport-wide feedback");
    };
    let statuses: Vec<PacketStatus> = twcc.packets().map(|p| p.status).collect();
    assert_eq!(statuses.len(), 9);
    assert_eq!(statuses.iter().filter(|s| s.is_received()).count(), 6);
    assert_eq!(twcc.packets().last().unwrap().sequence_number, 34116);
    let us: Vec<i64> = twcc.packets().filter_map(|p| p.delta_us()).collect();
    assert_eq!(us, [38_750, 42_500, 26_500, 42_500, 30_750, 66_250]);
}
