//! Real payload formats through the frame assembler with a packet lost in the middle of one
//! frame: that frame is dropped (never delivered short or spliced), every other frame comes
//! out byte for byte, and the frame after the loss says so. Opus, VP8, H.264 and AV1.

use std::time::{Duration, Instant};

use sansrtc_media::av1::{Av1Depacketizer, Av1Packetizer};
use sansrtc_media::h264::{H264Depacketizer, H264Packetizer, PacketizationMode};
use sansrtc_media::opus::{OpusDepacketizer, OpusPacketizer};
use sansrtc_media::vp8::{Vp8Depacketizer, Vp8Packetizer};
use sansrtc_media::{AssemblerConfig, Depacketizer, FrameAssembler, Packetizer};

#[expect(
    clippy::disallowed_methods,
    reason = "an arbitrary origin for virtual time"
)]
fn start() -> Instant {
    Instant::now()
}

/// Bytes with no zero (no H.264 start code can appear inside).
fn body(n: usize, seed: u32) -> Vec<u8> {
    (0..n)
        .map(|i| ((i as u32).wrapping_mul(31).wrapping_add(seed) % 255 + 1) as u8)
        .collect()
}

fn vp8_frame(n: u32) -> Vec<u8> {
    let mut f = body(4000 + 100 * n as usize, n);
    f[0] = if n == 0 { 0x10 } else { 0x11 };
    if n == 0 {
        f[3..6].copy_from_slice(&[0x9d, 0x01, 0x2a]);
    }
    f
}

fn h264_frame(n: u32) -> Vec<u8> {
    let mut f = vec![0, 0, 0, 1, if n == 0 { 0x65 } else { 0x41 }];
    f.extend(body(4000 + 100 * n as usize, n));
    f
}

fn av1_frame(n: u32) -> Vec<u8> {
    // One OBU_FRAME (type 6) with its size field (leb128, two bytes).
    let payload = body(4000 + 100 * n as usize, n);
    let size = payload.len();
    let mut f = vec![
        (6 << 3) | 0x02,
        (size as u8 & 0x7f) | 0x80,
        (size >> 7) as u8,
    ];
    f.extend(payload);
    f
}

fn opus_frame(n: u32) -> Vec<u8> {
    body(80 + n as usize, n)
}

/// Packetizes 20 frames, loses the middle packet of frame 7, and checks what comes out.
fn lose_one_packet_inside_frame_seven(
    name: &str,
    packetizer: &mut dyn Packetizer,
    depacketizer: impl Depacketizer,
    frame: impl Fn(u32) -> Vec<u8>,
) {
    let frames: Vec<Vec<u8>> = (0..20).map(&frame).collect();
    let mut packets: Vec<(u16, u32, bool, Vec<u8>)> = Vec::new();
    let mut sequence = 60_000u16;
    let mut lost = None;
    for (n, f) in frames.iter().enumerate() {
        let mut payloads = Vec::new();
        packetizer
            .packetize(f, 1000, &mut |p| payloads.push(p.to_vec()))
            .unwrap();
        let count = payloads.len();
        for (i, p) in payloads.into_iter().enumerate() {
            if n == 7 && i == count / 2 {
                lost = Some((count, sequence));
            } else {
                packets.push((sequence, n as u32 * 3000, i + 1 == count, p));
            }
            sequence = sequence.wrapping_add(1);
        }
    }
    let (count, _) = lost.unwrap();
    let config = AssemblerConfig {
        startup_delay: Duration::ZERO,
        ..AssemblerConfig::default()
    };
    let mut assembler = FrameAssembler::new(depacketizer, config);
    let t0 = start();
    let mut out = Vec::new();
    let mut buffer = Vec::new();
    for (sequence, timestamp, marker, payload) in &packets {
        assembler
            .push(t0, *sequence, *timestamp, *marker, payload)
            .unwrap();
        while let Some(f) = assembler.pop_frame(t0, &mut buffer) {
            out.push((f.timestamp / 3000, buffer.clone(), f.after_loss));
        }
    }
    let later = t0 + Duration::from_secs(1);
    while let Some(f) = assembler.pop_frame(later, &mut buffer) {
        out.push((f.timestamp / 3000, buffer.clone(), f.after_loss));
    }
    let numbers: Vec<u32> = out.iter().map(|o| o.0).collect();
    let expected: Vec<u32> = (0..20).filter(|&n| n != 7).collect();
    assert_eq!(
        numbers, expected,
        "{name}: frame 7 dropped, the rest in order"
    );
    for (n, data, after_loss) in &out {
        assert_eq!(data, &frames[*n as usize], "{name}: frame {n} whole");
        assert_eq!(*after_loss, *n == 8, "{name}: frame {n} after_loss");
    }
    // A frame counts as dropped when some of it came (an Opus frame is one packet: nothing
    // of it came).
    let dropped = u64::from(count > 1);
    assert_eq!(assembler.stats().frames_dropped, dropped, "{name}");
}

#[test]
fn vp8_frame_that_lost_a_packet_is_dropped_and_the_rest_are_whole() {
    lose_one_packet_inside_frame_seven(
        "VP8",
        &mut Vp8Packetizer::new(100),
        Vp8Depacketizer::default(),
        vp8_frame,
    );
}

#[test]
fn h264_frame_that_lost_a_packet_is_dropped_and_the_rest_are_whole() {
    lose_one_packet_inside_frame_seven(
        "H.264",
        &mut H264Packetizer::new(PacketizationMode::NonInterleaved),
        H264Depacketizer::default(),
        h264_frame,
    );
}

#[test]
fn av1_frame_that_lost_a_packet_is_dropped_and_the_rest_are_whole() {
    lose_one_packet_inside_frame_seven(
        "AV1",
        &mut Av1Packetizer::default(),
        Av1Depacketizer::default(),
        av1_frame,
    );
}

#[test]
fn an_opus_packet_lost_is_one_frame_lost() {
    lose_one_packet_inside_frame_seven(
        "Opus",
        &mut OpusPacketizer::default(),
        OpusDepacketizer::default(),
        opus_frame,
    );
}
