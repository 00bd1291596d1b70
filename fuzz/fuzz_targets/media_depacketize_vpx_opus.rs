//! Fuzz the Opus (RFC 7587), VP8 (RFC 7741) and VP9 (RFC 9628) payload formats.
//!
//! Input: a selector byte, then payloads, each prefixed by its length in one byte. The
//! selector picks the format (low two bits), the marker bit (bit 2) and whether the whole
//! input after the selector is also packetized and rebuilt (bit 3, with `max_payload` from
//! the next byte).
//!
//! Checked: nothing panics; a descriptor that parses is shorter than its payload; a rebuilt
//! frame is never longer than the payloads it came from, and a refused one leaves the
//! caller's buffer untouched; a packetized frame comes back byte for byte, in payloads no
//! larger than `max_payload`, with exactly one frame start (and for VP9 one end).
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use sansrtc_media::opus::{OpusDepacketizer, OpusPacketizer};
use sansrtc_media::vp8::{Vp8Depacketizer, Vp8Descriptor, Vp8Packetizer};
use sansrtc_media::vp9::{Vp9Depacketizer, Vp9Descriptor, Vp9Packetizer};
use sansrtc_media::{Depacketizer, Packetizer};

/// Splits `data` into payloads prefixed by a one-byte length (a short last one keeps what
/// is left).
fn split(mut data: &[u8]) -> Vec<&[u8]> {
    let mut payloads = Vec::new();
    while let Some((&len, rest)) = data.split_first() {
        let (payload, rest) = rest.split_at(usize::from(len).min(rest.len()));
        payloads.push(payload);
        data = rest;
    }
    payloads
}

/// Reads every descriptor field and walks the VP9 scalability structure.
fn views(payload: &[u8]) {
    if let Ok(d) = Vp8Descriptor::parse(payload) {
        assert!(d.len < payload.len());
        assert!(d.partition_index < 8);
    }
    if let Ok(d) = Vp9Descriptor::parse(payload) {
        assert!(d.len < payload.len());
        assert!(d.p_diffs().len() <= 3);
        if let Some(ss) = d.scalability_structure {
            let layers = usize::from(ss.spatial_layers());
            let resolutions = ss.resolutions().count();
            assert!(resolutions == layers || resolutions == 0);
            if let Some(group) = ss.picture_group() {
                let n = group.len();
                let mut seen = 0;
                for entry in group {
                    assert!(entry.p_diffs.len() <= 3 && entry.temporal_id < 8);
                    seen += 1;
                }
                assert_eq!(seen, n);
            }
        }
    }
}

/// Packetizes `frame` and rebuilds it.
fn round_trip(
    packetizer: &mut dyn Packetizer,
    depacketizer: &mut dyn Depacketizer,
    frame: &[u8],
    max_payload: usize,
    vp9: bool,
) {
    let mut payloads: Vec<Vec<u8>> = Vec::new();
    let Ok(count) = packetizer.packetize(frame, max_payload, &mut |p| payloads.push(p.to_vec()))
    else {
        assert!(payloads.is_empty(), "a refused frame emits nothing");
        return;
    };
    assert_eq!(count, payloads.len());
    assert!(payloads.iter().all(|p| p.len() <= max_payload));
    let starts = payloads
        .iter()
        .filter(|p| depacketizer.is_frame_start(p))
        .count();
    assert_eq!(starts, 1);
    assert!(depacketizer.is_frame_start(&payloads[0]));
    if vp9 {
        let ends = payloads
            .iter()
            .filter(|p| depacketizer.is_frame_end(p, false))
            .count();
        assert_eq!(ends, 1);
    }
    let mut rebuilt = Vec::new();
    depacketizer
        .depacketize(&mut payloads.iter().map(Vec::as_slice), &mut rebuilt)
        .expect("our own payloads rebuild");
    assert_eq!(rebuilt, frame);
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let marker = selector & 0x04 != 0;
    let payloads = split(rest);
    let total: usize = payloads.iter().map(|p| p.len()).sum();

    let mut opus = OpusDepacketizer::new();
    let mut vp8 = Vp8Depacketizer::new();
    let mut vp9 = Vp9Depacketizer::new();
    let depacketizer: &mut dyn Depacketizer = match selector & 0x03 {
        0 => &mut opus,
        1 | 3 => &mut vp8,
        _ => &mut vp9,
    };
    for payload in &payloads {
        let _ = depacketizer.is_frame_start(payload);
        let _ = depacketizer.is_frame_end(payload, marker);
        let _ = depacketizer.is_keyframe(payload);
        views(payload);
    }
    let prefix = [0x5a_u8; 7];
    let mut frame = prefix.to_vec();
    match depacketizer.depacketize(&mut payloads.iter().copied(), &mut frame) {
        Ok(()) => {
            assert!(frame.starts_with(&prefix));
            assert!(frame.len() - prefix.len() <= total);
        }
        Err(_) => assert_eq!(frame, prefix),
    }

    if selector & 0x08 != 0
        && let Some((&max, frame)) = rest.split_first()
    {
        let max_payload = usize::from(max) * 5;
        let (packetizer, depacketizer, vp9_rules): (&mut dyn Packetizer, &mut dyn Depacketizer, _) =
            match selector & 0x03 {
                0 => (&mut OpusPacketizer::new(), &mut opus, false),
                1 | 3 => (
                    &mut Vp8Packetizer::new(u16::from(max) << 7),
                    &mut vp8,
                    false,
                ),
                _ => (&mut Vp9Packetizer::new(u16::from(max)), &mut vp9, true),
            };
        round_trip(packetizer, depacketizer, frame, max_payload, vp9_rules);
    }
});
