//! H.264 (RFC 6184) and AV1 (AV1 RTP specification) allocate nothing in steady state: once a
//! packetizer's scratch buffer has grown to `max_payload`, packetizing allocates nothing
//! (STAP-A, FU-A, single NAL unit packets; aggregated and fragmented OBU elements);
//! depacketizing into a frame buffer with room allocates nothing, and neither do the frame
//! start and key frame checks. Counted with dhat's testing mode.
//!
//! Its own binary without libtest's harness (`harness = false`): dhat counts every thread's
//! allocations.

use sansrtc_media::av1::{Av1Depacketizer, Av1Packetizer};
use sansrtc_media::h264::{H264Depacketizer, H264Packetizer, PacketizationMode};
use sansrtc_media::{Depacketizer, Packetizer};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

fn blocks() -> u64 {
    dhat::HeapStats::get().total_blocks
}

/// Buffers with room, reused every round.
struct Buffers {
    store: Vec<u8>,
    ends: Vec<usize>,
    out: Vec<u8>,
}

/// Packetizes `frame` into the flat `store`, then depacketizes it back into `out`; returns
/// the payload count and whether the first payload is a key frame.
fn round_trip(
    packetizer: &mut dyn Packetizer,
    depacketizer: &mut dyn Depacketizer,
    frame: &[u8],
    max_payload: usize,
    buffers: &mut Buffers,
) -> (usize, bool) {
    let Buffers { store, ends, out } = buffers;
    store.clear();
    ends.clear();
    out.clear();
    let count = packetizer
        .packetize(frame, max_payload, &mut |p| {
            store.extend_from_slice(p);
            ends.push(store.len());
        })
        .unwrap();
    let payload = |i: usize| &store[if i == 0 { 0 } else { ends[i - 1] }..ends[i]];
    assert!(depacketizer.is_frame_start(payload(0)));
    let key = depacketizer.is_keyframe(payload(0));
    depacketizer
        .depacketize(&mut (0..ends.len()).map(payload), out)
        .unwrap();
    (count, key)
}

/// Annex B with four-byte start codes.
fn annex_b(nal_units: &[&[u8]]) -> Vec<u8> {
    nal_units
        .iter()
        .flat_map(|nal| [&[0, 0, 0, 1][..], nal].concat())
        .collect()
}

/// An OBU with obu_has_size_field and a leb128 size.
fn obu(header: u8, extension: Option<u8>, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![header | 0x02];
    out.extend(extension);
    let mut size = payload.len();
    loop {
        let byte = (size & 0x7f) as u8;
        size >>= 7;
        out.push(byte | if size > 0 { 0x80 } else { 0 });
        if size == 0 {
            break;
        }
    }
    out.extend_from_slice(payload);
    out
}

fn packetizing_and_depacketizing_allocate_nothing_in_steady_state() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let slice: Vec<u8> = [0x65]
        .into_iter()
        .chain((1..=9000).map(|i| (i % 200 + 1) as u8))
        .collect();
    let access_unit = annex_b(&[
        &[0x67, 0x42, 0xc0, 0x1f, 0xda],
        &[0x68, 0xce, 0x3c, 0x80],
        &slice,
        &[0x41, 0x9a, 0x02],
    ]);
    let small_unit = annex_b(&[&[0x41, 0x9a, 0x02, 0x04], &[0x01, 0x9e, 0x10]]);
    let frame_obu: Vec<u8> = (0..9000).map(|i| (i % 251) as u8).collect();
    let temporal_unit = [
        obu(0x10, None, &[]),
        obu(0x08, None, &[0, 0, 0, 1, 2]),
        obu(0x2c, Some(0x08), &[5; 40]),
        obu(0x34, Some(0x08), &frame_obu),
    ]
    .concat();

    let mut buffers = Buffers {
        store: Vec::with_capacity(64 * 1024),
        ends: Vec::with_capacity(256),
        out: Vec::with_capacity(64 * 1024),
    };
    let mut h264_mode1 = H264Packetizer::new(PacketizationMode::NonInterleaved);
    let mut h264_mode0 = H264Packetizer::new(PacketizationMode::SingleNalUnit);
    let mut h264_depacketizer = H264Depacketizer::new();
    let mut av1 = Av1Packetizer::new();
    let mut av1_depacketizer = Av1Depacketizer::new();
    let mut round = |buffers: &mut Buffers| {
        let mut payloads = 0;
        for (frame, max_payload) in [(&access_unit, 1200), (&access_unit, 100)] {
            let (count, key) = round_trip(
                &mut h264_mode1,
                &mut h264_depacketizer,
                frame,
                max_payload,
                buffers,
            );
            assert!(key);
            assert_eq!(buffers.out.len(), access_unit.len());
            payloads += count;
        }
        let (count, key) = round_trip(
            &mut h264_mode0,
            &mut h264_depacketizer,
            &small_unit,
            1200,
            buffers,
        );
        assert!(!key);
        payloads += count;
        for max_payload in [1200, 97, 2] {
            let (count, key) = round_trip(
                &mut av1,
                &mut av1_depacketizer,
                &temporal_unit,
                max_payload,
                buffers,
            );
            assert!(key);
            assert_eq!(buffers.out, temporal_unit[2..]);
            payloads += count;
        }
        payloads
    };
    // Warm up the packetizers' scratch buffers.
    let expected = round(&mut buffers);
    let before = blocks();
    let mut payloads = 0;
    for _ in 0..200 {
        payloads += round(&mut buffers);
    }
    let allocated = blocks() - before;
    dhat::assert_eq!(allocated, 0);
    assert_eq!(payloads, 200 * expected);
}

fn main() {
    packetizing_and_depacketizing_allocate_nothing_in_steady_state();
    println!("packetizing and depacketizing allocate nothing in steady state: ok");
}
