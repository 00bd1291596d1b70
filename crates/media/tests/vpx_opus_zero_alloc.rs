//! Opus (RFC 7587), VP8 (RFC 7741) and VP9 (RFC 9628) allocate nothing in steady state:
//! once a packetizer's scratch buffer has grown to `max_payload`, packetizing allocates
//! nothing; depacketizing into a frame buffer with room allocates nothing, and neither do
//! the frame start / end / key frame checks or the descriptor views (SS iterators included).
//! Counted with dhat's testing mode.
//!
//! Its own binary without libtest's harness (`harness = false`): dhat counts every thread's
//! allocations.

use sansrtc_media::opus::{OpusDepacketizer, OpusPacketizer};
use sansrtc_media::vp8::{Vp8Depacketizer, Vp8Descriptor, Vp8Packetizer};
use sansrtc_media::vp9::{Vp9Depacketizer, Vp9Descriptor, Vp9Packetizer};
use sansrtc_media::{Depacketizer, Packetizer};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

/// VP9 frame 0 of `output_vp9.ivf` (176x144, libvpx, from webrtc-rs `rtc` 0.21.1
/// `examples/test-data/`), first 24 bytes: a key frame.
const VP9_KEY_FRAME_START: [u8; 24] = [
    0x82, 0x49, 0x83, 0x42, 0x00, 0x0a, 0xf0, 0x08, 0xf6, 0x04, 0x38, 0x24, 0x1c, 0x18, 0x4a, 0x00,
    0x01, 0x10, 0x7c, 0x86, 0xf8, 0xee, 0x26, 0x1d,
];

fn blocks() -> u64 {
    dhat::HeapStats::get().total_blocks
}

/// Packetizes `frame` into `store` (a flat buffer with room) and records payload ends in
/// `ends` (with room), then depacketizes back into `out` (with room).
fn round_trip(
    packetizer: &mut dyn Packetizer,
    depacketizer: &mut dyn Depacketizer,
    frame: &[u8],
    max_payload: usize,
    store: &mut Vec<u8>,
    ends: &mut Vec<usize>,
    out: &mut Vec<u8>,
) {
    store.clear();
    ends.clear();
    packetizer
        .packetize(frame, max_payload, &mut |p| {
            store.extend_from_slice(p);
            ends.push(store.len());
        })
        .unwrap();
    let mut start = 0;
    for &end in ends.iter() {
        let payload = &store[start..end];
        assert!(payload.len() <= max_payload);
        let _ = depacketizer.is_frame_start(payload);
        let _ = depacketizer.is_frame_end(payload, end == store.len());
        let _ = depacketizer.is_keyframe(payload);
        if let Ok(d) = Vp8Descriptor::parse(payload) {
            assert!(d.len < payload.len());
        }
        if let Ok(d) = Vp9Descriptor::parse(payload)
            && let Some(ss) = d.scalability_structure
        {
            assert!(ss.resolutions().count() <= 8);
            assert!(ss.picture_group().is_none_or(|g| g.count() <= 255));
        }
        start = end;
    }
    out.clear();
    let mut starts = std::iter::once(0).chain(ends.iter().copied());
    let mut payloads = ends.iter().map(|&end| &store[starts.next().unwrap()..end]);
    depacketizer.depacketize(&mut payloads, out).unwrap();
    assert_eq!(out, frame);
}

fn packetizing_and_depacketizing_allocate_nothing_in_steady_state() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let mut vp8_frame: Vec<u8> = (0..20_000u32).map(|i| (i * 7) as u8).collect();
    vp8_frame[..6].copy_from_slice(&[0x70, 0x62, 0x00, 0x9d, 0x01, 0x2a]);
    let mut vp9_frame = VP9_KEY_FRAME_START.to_vec();
    vp9_frame.resize(20_000, 0x5a);
    let mut vp9_inter = vp9_frame.clone();
    vp9_inter[0] = 0x86;
    let opus_frame = [0xfc_u8; 300];

    let mut vp8 = (Vp8Packetizer::new(1), Vp8Depacketizer::new());
    let mut vp9 = (Vp9Packetizer::new(1), Vp9Depacketizer::new());
    let mut opus = (OpusPacketizer::new(), OpusDepacketizer::new());
    let mut store = Vec::with_capacity(64 * 1024);
    let mut ends = Vec::with_capacity(4096);
    let mut out = Vec::with_capacity(64 * 1024);

    let mut all = |store: &mut Vec<u8>, ends: &mut Vec<usize>, out: &mut Vec<u8>| {
        for max_payload in [1200, 500, 37] {
            round_trip(
                &mut vp8.0,
                &mut vp8.1,
                &vp8_frame,
                max_payload,
                store,
                ends,
                out,
            );
            round_trip(
                &mut vp9.0,
                &mut vp9.1,
                &vp9_frame,
                max_payload,
                store,
                ends,
                out,
            );
            round_trip(
                &mut vp9.0,
                &mut vp9.1,
                &vp9_inter,
                max_payload,
                store,
                ends,
                out,
            );
        }
        round_trip(
            &mut opus.0,
            &mut opus.1,
            &opus_frame,
            1200,
            store,
            ends,
            out,
        );
    };
    // Warm up: the packetizers' scratch buffers grow to 1200 bytes.
    all(&mut store, &mut ends, &mut out);

    let before = blocks();
    for _ in 0..50 {
        all(&mut store, &mut ends, &mut out);
    }
    let allocated = blocks() - before;
    dhat::assert_eq!(allocated, 0);
}

fn main() {
    packetizing_and_depacketizing_allocate_nothing_in_steady_state();
    println!("packetizing and depacketizing allocate nothing in steady state: ok");
}
