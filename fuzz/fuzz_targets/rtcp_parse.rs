//! Fuzz RTCP: the input is one datagram. Arbitrary bytes never panic `validate_compound`, the
//! framing iterator, the typed iterator, any view accessor or any sub-iterator (report blocks,
//! SDES chunks and items, BYE SSRCs, NACK entries and lost sequence numbers, TMMBR/TMMBN
//! entries, transport-wide feedback chunks and packets, SLI/FIR entries, REMB SSRCs, XR blocks
//! and DLRR sub-blocks).
//!
//! Oracles: every packet that parses re-emits through its Repr into exactly `buffer_len` bytes
//! and those bytes parse to an equal Repr (so, emission being deterministic, they are a fixed
//! point); the transport-wide feedback iterator yields exactly the packet status count; a
//! datagram valid as a full compound is valid as reduced-size too, with the same packet count;
//! the typed iterator agrees with the framing iterator up to its first error.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use sansrtc_rtp::rtcp::{
    Compound, CompoundMode, PayloadFeedback, RtcpPacket, RtcpRepr, TransportFeedback, XrBlock,
    validate_compound,
};

/// A checksum of everything read, so nothing is optimised away.
struct Acc(u64);

impl Acc {
    fn add(&mut self, value: u64) {
        self.0 = self.0.wrapping_mul(31).wrapping_add(value);
    }
}

fn touch(packet: &RtcpPacket<'_>, acc: &mut Acc) {
    let raw = packet.raw();
    acc.add(raw.len() as u64 ^ raw.body().len() as u64 ^ raw.padding_len() as u64);
    acc.add(u64::from(raw.header().length) ^ raw.offset() as u64);
    match packet {
        RtcpPacket::SenderReport(sr) => {
            acc.add(sr.ntp_timestamp() ^ u64::from(sr.ssrc() ^ sr.rtp_timestamp()));
            acc.add(u64::from(
                sr.packet_count() ^ sr.octet_count() ^ u32::from(sr.report_count()),
            ));
            for b in sr.report_blocks() {
                acc.add(
                    u64::from(b.ssrc ^ b.jitter ^ b.last_sender_report) ^ b.cumulative_lost as u64,
                );
            }
            acc.add(sr.profile_extension().len() as u64);
        }
        RtcpPacket::ReceiverReport(rr) => {
            acc.add(u64::from(rr.ssrc()));
            for b in rr.report_blocks() {
                acc.add(u64::from(
                    b.extended_highest_sequence ^ b.delay_since_last_sender_report,
                ));
                acc.add(u64::from(b.fraction_lost));
            }
            acc.add(rr.profile_extension().len() as u64);
        }
        RtcpPacket::SourceDescription(sdes) => {
            assert_eq!(sdes.chunks().len(), usize::from(sdes.chunk_count()));
            for chunk in sdes.chunks() {
                acc.add(u64::from(chunk.ssrc()) ^ chunk.cname().map_or(0, <[u8]>::len) as u64);
                for item in chunk.items() {
                    acc.add(u64::from(u8::from(item.item_type)) ^ item.text.len() as u64);
                    acc.add(item.text_str().map_or(0, str::len) as u64);
                    acc.add(item.private_parts().map_or(0, |(p, v)| p.len() + v.len()) as u64);
                }
            }
        }
        RtcpPacket::Goodbye(bye) => {
            bye.ssrcs().for_each(|s| acc.add(s.into()));
            acc.add(bye.reason().map_or(0, <[u8]>::len) as u64);
            acc.add(bye.reason_str().map_or(0, str::len) as u64);
        }
        RtcpPacket::App(app) => {
            acc.add(u64::from(app.subtype()) ^ u64::from(app.ssrc()) ^ app.data().len() as u64);
            acc.add(u32::from_be_bytes(app.name()).into());
        }
        RtcpPacket::TransportFeedback(fb) => {
            let common = fb.feedback();
            acc.add(
                u64::from(common.sender_ssrc() ^ common.media_ssrc()) ^ common.fci().len() as u64,
            );
            acc.add(u64::from(common.format()) ^ u64::from(common.packet_type()));
            match fb {
                TransportFeedback::Nack(nack) => {
                    nack.pairs()
                        .for_each(|p| acc.add(u64::from(p.pid) ^ u64::from(p.blp)));
                    let lost = nack
                        .lost_sequence_numbers()
                        .inspect(|&s| acc.add(s.into()))
                        .count();
                    assert!(lost >= nack.pairs().len() && lost <= 17 * nack.pairs().len());
                }
                TransportFeedback::Tmmb(tmmb) => {
                    acc.add(u64::from(tmmb.is_notification()));
                    for item in tmmb.items() {
                        acc.add(item.bitrate ^ u64::from(item.overhead) ^ u64::from(item.ssrc));
                    }
                    assert_eq!(tmmb.items().count() * 8, common.fci().len());
                }
                TransportFeedback::RapidResyncRequest(rrr) => {
                    acc.add(u64::from(rrr.sender_ssrc() ^ rrr.media_ssrc()));
                }
                TransportFeedback::TransportCc(twcc) => {
                    acc.add(
                        u64::from(twcc.base_sequence_number()) ^ twcc.reference_time_us() as u64,
                    );
                    acc.add(u64::from(twcc.feedback_packet_count()));
                    for chunk in twcc.chunks() {
                        acc.add(u64::from(chunk.to_bits()) ^ chunk.capacity() as u64);
                    }
                    let mut count = 0usize;
                    for p in twcc.packets() {
                        assert_eq!(
                            p.delta.is_some(),
                            twcc.has_receive_deltas() && p.status.is_received()
                        );
                        acc.add(u64::from(p.sequence_number) ^ p.delta_us().unwrap_or(0) as u64);
                        count += 1;
                    }
                    assert_eq!(count, usize::from(twcc.packet_status_count()));
                }
                _ => {}
            }
        }
        RtcpPacket::PayloadFeedback(fb) => {
            let common = fb.feedback();
            acc.add(
                u64::from(common.sender_ssrc() ^ common.media_ssrc()) ^ common.fci().len() as u64,
            );
            match fb {
                PayloadFeedback::Sli(sli) => {
                    sli.entries().for_each(|e| {
                        acc.add(u64::from(e.first ^ e.number) ^ u64::from(e.picture_id))
                    });
                }
                PayloadFeedback::Fir(fir) => {
                    fir.entries()
                        .for_each(|e| acc.add(u64::from(e.ssrc) ^ u64::from(e.sequence_number)));
                }
                PayloadFeedback::Remb(remb) => {
                    acc.add(
                        remb.bitrate() ^ u64::from(remb.exponent()) ^ u64::from(remb.mantissa()),
                    );
                    remb.ssrcs().for_each(|s| acc.add(s.into()));
                }
                _ => {}
            }
        }
        RtcpPacket::ExtendedReport(xr) => {
            acc.add(xr.ssrc().into());
            assert_eq!(xr.blocks().count(), xr.raw_blocks().count());
            for block in xr.raw_blocks() {
                acc.add(
                    u64::from(block.block_type)
                        ^ u64::from(block.type_specific)
                        ^ block.data.len() as u64,
                );
            }
            for block in xr.blocks() {
                match block {
                    XrBlock::ReceiverReferenceTime { ntp_timestamp } => acc.add(ntp_timestamp),
                    XrBlock::Dlrr(subs) => {
                        subs.for_each(|s| {
                            acc.add(u64::from(s.ssrc ^ s.last_rr ^ s.delay_since_last_rr))
                        });
                    }
                    XrBlock::Other(raw) => acc.add(raw.data.len() as u64),
                    _ => {}
                }
            }
        }
        _ => acc.add(raw.body().len() as u64),
    }
}

/// Transport-wide feedback reporting thousands of packets from a few bytes. Such a message is
/// walked but not round-tripped: the round trip of 65535 statuses takes ~20 ms under coverage
/// instrumentation and the fuzzer keeps many such inputs, which would cut the execution rate
/// tenfold. The property tests round-trip long runs (past the 8191-packet run-length limit).
fn is_huge_twcc(packet: &RtcpPacket<'_>) -> bool {
    matches!(packet, RtcpPacket::TransportFeedback(TransportFeedback::TransportCc(t)) if t.packet_status_count() > 4096)
}

/// Re-emits a parsed packet and checks the round trip. Emission is deterministic, so equal
/// Reprs also make the bytes a fixed point.
fn reemit(packet: &RtcpPacket<'_>) {
    let repr = RtcpRepr::parse(packet);
    let len = repr.buffer_len();
    let mut out = vec![0u8; len];
    assert_eq!(
        repr.emit(&mut out),
        Ok(len),
        "a parsed packet re-emits: {repr:?}"
    );
    let again = RtcpPacket::new_checked(&out).expect("a re-emitted packet parses");
    assert_eq!(RtcpRepr::parse(&again), repr);
    if len <= 64 {
        let mut appended = vec![0xa5];
        repr.write_to(&mut appended)
            .expect("write_to agrees with emit");
        assert_eq!(appended[1..], out[..]);
    }
}

fuzz_target!(|data: &[u8]| {
    let full = validate_compound(data, CompoundMode::Full);
    let reduced = validate_compound(data, CompoundMode::ReducedSize);
    if let Ok(count) = full {
        assert_eq!(reduced, Ok(count));
    }
    let compound = Compound::new(data);
    let framed: Vec<_> = compound.raw_packets().collect();
    let mut acc = Acc(0);
    let mut typed = 0;
    for packet in compound.packets() {
        let Ok(packet) = packet else { break };
        let raw = framed[typed].as_ref().expect("typed packets are framed");
        assert_eq!(packet.raw(), *raw);
        touch(&packet, &mut acc);
        if !is_huge_twcc(&packet) {
            reemit(&packet);
        }
        typed += 1;
    }
    if let Ok(count) = reduced {
        assert_eq!(typed, count);
    }
    // Packets after a typed error still frame, and each types or fails on its own.
    for raw in framed.iter().skip(typed).flatten() {
        if let Ok(packet) = raw.parse() {
            touch(&packet, &mut acc);
        }
    }
    std::hint::black_box(acc.0);
});
