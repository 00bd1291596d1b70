//! Reading RTCP allocates nothing: framing a compound, typing every packet and walking every
//! sub-iterator (report blocks, SDES chunks and items, NACK entries and lost sequence numbers,
//! transport-wide feedback chunks and packets, REMB SSRCs, XR blocks). Emitting into a buffer
//! of the right size allocates nothing either. Counted with dhat's testing mode (one test per
//! binary: dhat's profiler is global).

use sansrtc_rtp::rtcp::{
    Compound, CompoundMode, PayloadFeedback, RtcpPacket, RtcpRepr, TransportFeedback, XrBlock,
    validate_compound,
};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

const DATAGRAMS: [&str; 6] = [
    // RR, SDES, BYE, PLI, RRR, APP (Pion).
    "81c90007902f9e2ebc5e9a4000000000000046e10000011109f3643200024a7981ca000c902f9e2e01267b39633030656239322d316166622d396434392d613437642d3931663634656565363966357d0000000081cb0001902f9e2e81ce0002902f9e2e902f9e2e85cd0002902f9e2e902f9e2e80cc00034baae1ab4e414d4541424344",
    // RR + REMB (libwebrtc corpus).
    "81c9000700000001f2892c59000000000000be37000001d62c1af80c000057288fce0005000000010000000052454d420112a994f2892c59",
    // Transport-wide feedback (libwebrtc corpus).
    "8fcd000716ca50ceae6572570a74000a053f58bb200ae0000400000000001400",
    // NACK + FIR (Pion).
    "81cd0003902f9e2e902f9e2eaaaa555584ce0004000000004bc4fcb41234567842000000",
    // XR with RRTR, DLRR and VoIP metrics (libwebrtc corpus).
    "80cf001112345678040000028b6ea85c87fe5b0205000003dfff2ec6678d4332412c530807000008ae9526ab9fd9925fe82ea55301817c6cf9d97cf6d0e1464462001b5ddfafede4",
    // SR + SDES (libwebrtc corpus).
    "80c80006ae657257dfc3a53f2e830a0ba217b283000046c3012cae5281ca0006ae6572570110484949334d4f6d6d6e694f792b7066700000",
];

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn blocks() -> u64 {
    dhat::HeapStats::get().total_blocks
}

/// Walks everything; returns a checksum and how many packets it saw.
fn walk(datagram: &[u8]) -> (u64, usize) {
    let mut sum = 0u64;
    let mut packets = 0;
    let mut add = |v: u64| sum = sum.wrapping_mul(31).wrapping_add(v);
    for packet in Compound::new(datagram).packets() {
        packets += 1;
        match packet.unwrap() {
            RtcpPacket::SenderReport(sr) => sr.report_blocks().for_each(|b| add(b.jitter.into())),
            RtcpPacket::ReceiverReport(rr) => rr.report_blocks().for_each(|b| add(b.ssrc.into())),
            RtcpPacket::SourceDescription(sdes) => {
                for chunk in sdes.chunks() {
                    chunk
                        .items()
                        .for_each(|i| add(i.text_str().map_or(0, str::len) as u64));
                }
            }
            RtcpPacket::Goodbye(bye) => bye.ssrcs().for_each(|s| add(s.into())),
            RtcpPacket::App(app) => add(app.data().len() as u64),
            RtcpPacket::TransportFeedback(TransportFeedback::Nack(nack)) => {
                nack.lost_sequence_numbers().for_each(|s| add(s.into()));
            }
            RtcpPacket::TransportFeedback(TransportFeedback::TransportCc(twcc)) => {
                twcc.chunks().for_each(|c| add(c.capacity() as u64));
                twcc.packets()
                    .for_each(|p| add(p.delta.unwrap_or(0) as u64));
            }
            RtcpPacket::PayloadFeedback(PayloadFeedback::Remb(remb)) => {
                add(remb.bitrate());
                remb.ssrcs().for_each(|s| add(s.into()));
            }
            RtcpPacket::PayloadFeedback(PayloadFeedback::Fir(fir)) => {
                fir.entries().for_each(|e| add(e.ssrc.into()));
            }
            RtcpPacket::ExtendedReport(xr) => {
                for block in xr.blocks() {
                    match block {
                        XrBlock::ReceiverReferenceTime { ntp_timestamp } => add(ntp_timestamp),
                        XrBlock::Dlrr(subs) => subs.for_each(|s| add(s.last_rr.into())),
                        XrBlock::Other(raw) => add(raw.data.len() as u64),
                        _ => {}
                    }
                }
            }
            other => add(other.raw().len() as u64),
        }
    }
    (sum, packets)
}

fn reading_and_emitting_rtcp_allocates_nothing() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let datagrams: Vec<Vec<u8>> = DATAGRAMS.iter().map(|h| hex(h)).collect();
    let reprs: Vec<Vec<RtcpRepr>> = datagrams
        .iter()
        .map(|d| RtcpRepr::parse_compound(d).unwrap())
        .collect();
    let mut out = vec![0u8; 2048];

    let before = blocks();
    let mut packets = 0;
    let mut checksum = 0u64;
    for _ in 0..200 {
        for datagram in &datagrams {
            assert!(validate_compound(datagram, CompoundMode::ReducedSize).is_ok());
            let (sum, n) = walk(datagram);
            checksum = checksum.wrapping_add(sum);
            packets += n;
        }
    }
    let allocated = blocks() - before;
    dhat::assert_eq!(allocated, 0);
    assert_eq!(packets, 200 * 14);
    assert_ne!(checksum, 0);

    let before = blocks();
    for _ in 0..200 {
        for (datagram, reprs) in datagrams.iter().zip(&reprs) {
            let mut at = 0;
            for repr in reprs {
                at += repr.emit(&mut out[at..]).unwrap();
            }
            assert_eq!(&out[..at], &datagram[..]);
        }
    }
    let allocated = blocks() - before;
    dhat::assert_eq!(allocated, 0);
}

/// One thread only (`harness = false` in Cargo.toml): dhat counts every thread's
/// allocations, and libtest's main thread allocates while a test runs.
fn main() {
    reading_and_emitting_rtcp_allocates_nothing();
    println!("test reading_and_emitting_rtcp_allocates_nothing ... ok");
}
