//! Cross-check of sansrtc-media's Opus (RFC 7587), VP8 (RFC 7741) and VP9 (RFC 9628)
//! payload formats against webrtc-rs's `rtp` crate 0.17.2 (`rtp::codecs::{opus, vp8, vp9}`),
//! an independent implementation, in memory:
//!
//! - our payloads, depacketized by webrtc-rs, give back the frame, and its descriptor fields
//!   match what we sent;
//! - webrtc-rs's payloads (VP8 with and without picture IDs, 7- and 15-bit; VP9 in flexible
//!   mode) go through our depacketizer to the same frame;
//! - hand-built descriptors in every form are read the same way by both (same fields, same
//!   payload offset);
//! - where the two disagree, a test pins the difference and names the RFC rule that decides
//!   it (webrtc-rs is wrong on three P_DIFFs, on SS reserved bits, on short VP8 payloads and
//!   in reusing its VP9 parser; we are stricter on L without T in VP8).

use std::sync::Arc;

use rtp::codecs::opus::{OpusPacket, OpusPayloader};
use rtp::codecs::vp8::{Vp8Packet, Vp8Payloader};
use rtp::codecs::vp9::{Vp9Packet, Vp9Payloader};
use rtp::packetizer::{Depacketizer as RtpDepacketizer, Payloader as RtpPayloader};
use sansrtc_media::opus::{OpusDepacketizer, OpusPacketizer};
use sansrtc_media::vp8::{Vp8Depacketizer, Vp8Descriptor, Vp8Packetizer};
use sansrtc_media::vp9::{Vp9Depacketizer, Vp9Descriptor, Vp9Packetizer};
use sansrtc_media::{DepacketizeError, Depacketizer, Packetizer};

/// VP8 frame 0 of `output_vp8.ivf` (176x144, libvpx, from webrtc-rs `rtc` 0.21.1
/// `examples/test-data/`), first 10 bytes: a key frame's tag, start code and size.
const VP8_KEY_FRAME_START: [u8; 10] = [0x70, 0x62, 0x00, 0x9d, 0x01, 0x2a, 0xb0, 0x00, 0x90, 0x00];
/// VP8 frame 1 of the same file, first 3 bytes: an inter frame's tag.
const VP8_INTER_FRAME_START: [u8; 3] = [0x11, 0x13, 0x00];
/// VP9 frame 0 of `output_vp9.ivf` (same source), first 9 bytes: a profile 0 key frame's
/// uncompressed header up to its size, 176x144.
const VP9_KEY_FRAME_START: [u8; 9] = [0x82, 0x49, 0x83, 0x42, 0x00, 0x0a, 0xf0, 0x08, 0xf6];
/// VP9 frame 1 of the same file, first byte: an inter frame.
const VP9_INTER_FRAME_START: [u8; 1] = [0x86];

/// Pseudo-random bytes from a seed (SplitMix64).
fn bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        out.extend_from_slice(&(z ^ (z >> 31)).to_le_bytes());
    }
    out.truncate(len);
    out
}

/// A frame of `len` bytes starting with `header` (or a prefix of it, when shorter).
fn frame(header: &[u8], len: usize, seed: u64) -> Vec<u8> {
    let mut frame = bytes(len, seed);
    let n = header.len().min(len);
    frame[..n].copy_from_slice(&header[..n]);
    frame
}

/// Frame sizes: tiny, around payload sizes, and large.
const SIZES: [usize; 10] = [1, 9, 10, 100, 1199, 1200, 1201, 2500, 10_000, 60_000];
/// Payload size limits, smallest first.
const MAX_PAYLOADS: [usize; 5] = [14, 100, 500, 1188, 1200];

fn ours(packetizer: &mut dyn Packetizer, frame: &[u8], max_payload: usize) -> Vec<Vec<u8>> {
    let mut payloads = Vec::new();
    packetizer
        .packetize(frame, max_payload, &mut |p| payloads.push(p.to_vec()))
        .unwrap();
    payloads
}

fn our_frame(depacketizer: &mut dyn Depacketizer, payloads: &[Vec<u8>]) -> Vec<u8> {
    let mut frame = Vec::new();
    depacketizer
        .depacketize(&mut payloads.iter().map(Vec::as_slice), &mut frame)
        .unwrap();
    frame
}

/// webrtc-rs's depacketizer, a fresh one per payload (its VP9 parser keeps state, see
/// `webrtc_rs_vp9_parser_cannot_be_reused`).
fn their_frame<D: RtpDepacketizer + Default>(payloads: &[Vec<u8>]) -> Vec<u8> {
    let mut frame = Vec::new();
    for payload in payloads {
        let data = D::default().depacketize(&payload.clone().into()).unwrap();
        frame.extend_from_slice(&data);
    }
    frame
}

fn theirs(payloader: &mut dyn RtpPayloader, frame: &[u8], mtu: usize) -> Vec<Vec<u8>> {
    let payloads = payloader.payload(mtu, &frame.to_vec().into()).unwrap();
    payloads.iter().map(|p| p.to_vec()).collect()
}

// ---------------------------------------------------------------------------------------
// Opus

#[test]
fn opus_packets_agree_both_ways() {
    for len in [1, 3, 120, 1200] {
        let packet = bytes(len, len as u64);
        let payloads = ours(&mut OpusPacketizer::new(), &packet, 1200);
        assert_eq!(their_frame::<OpusPacket>(&payloads), packet);
        let payloads = theirs(&mut OpusPayloader, &packet, 1200);
        assert_eq!(payloads.len(), 1);
        assert_eq!(our_frame(&mut OpusDepacketizer::new(), &payloads), packet);
    }
}

// ---------------------------------------------------------------------------------------
// VP8

#[test]
fn vp8_our_payloads_depacketized_by_webrtc_rs_give_the_frame() {
    let mut packetizer = Vp8Packetizer::new(0x1234);
    let d = Vp8Depacketizer::new();
    for (i, len) in SIZES.into_iter().enumerate() {
        for max_payload in MAX_PAYLOADS {
            let header: &[u8] = if i % 2 == 0 {
                &VP8_KEY_FRAME_START
            } else {
                &VP8_INTER_FRAME_START
            };
            let frame = frame(header, len, i as u64);
            let picture_id = packetizer.next_picture_id();
            let payloads = ours(&mut packetizer, &frame, max_payload);
            assert_eq!(their_frame::<Vp8Packet>(&payloads), frame);
            for payload in &payloads {
                let mut parsed = Vp8Packet::default();
                parsed.depacketize(&payload.clone().into()).unwrap();
                assert_eq!((parsed.x, parsed.i, parsed.n, parsed.pid), (1, 1, 0, 0));
                assert_eq!(parsed.picture_id, picture_id);
                assert_eq!(
                    parsed.is_partition_head(&payload.clone().into()),
                    d.is_frame_start(payload)
                );
            }
        }
    }
}

#[test]
fn vp8_webrtc_rs_payloads_depacketized_by_us_give_the_frame() {
    // With picture IDs its payloader starts at 0 and uses 7 bits below 128, 15 bits above:
    // 200 frames cover both.
    for enable_picture_id in [false, true] {
        let mut payloader = Vp8Payloader::default();
        payloader.enable_picture_id = enable_picture_id;
        let d = Vp8Depacketizer::new();
        for n in 0..200 {
            let len = SIZES[n % SIZES.len()];
            let mtu = MAX_PAYLOADS[n % MAX_PAYLOADS.len()];
            let key = n % 3 == 0;
            let frame = frame(
                if key {
                    &VP8_KEY_FRAME_START
                } else {
                    &VP8_INTER_FRAME_START
                },
                len,
                n as u64,
            );
            let payloads = theirs(&mut payloader, &frame, mtu);
            assert_eq!(
                our_frame(&mut Vp8Depacketizer::new(), &payloads),
                frame,
                "frame {n}"
            );
            let starts: Vec<bool> = payloads.iter().map(|p| d.is_frame_start(p)).collect();
            assert!(starts[0] && starts[1..].iter().all(|s| !s));
            if key && len >= 6 {
                assert!(d.is_keyframe(&payloads[0]), "frame {n}");
            }
            if !key {
                assert!(!d.is_keyframe(&payloads[0]));
            }
            if enable_picture_id {
                let id = Vp8Descriptor::parse(&payloads[0])
                    .unwrap()
                    .picture_id
                    .unwrap();
                assert_eq!(id.value(), n as u16);
            }
        }
    }
}

#[test]
fn vp8_every_descriptor_form_reads_the_same_in_both() {
    let forms: [&[u8]; 9] = [
        &[0x10, 1, 2, 3],
        &[0x14, 1, 2, 3],
        &[0xa0, 0x80, 17, 1],
        &[0x90, 0x80, 0x80 | 17, 17, 1],
        &[0x90, 0x60, 42, 0b1010_0000, 1],
        &[0x90, 0x10, 0b0000_0111, 1],
        &[0x90, 0xf0, 0x92, 0x67, 42, 0b1011_0001, 1, 2],
        &[0x88, 0x0f, 0x55, 0x66],
        &[0x80, 0x20, 0xc0, 1],
    ];
    for payload in forms {
        let ours = Vp8Descriptor::parse(payload).unwrap();
        let mut theirs = Vp8Packet::default();
        let data = theirs.depacketize(&payload.to_vec().into()).unwrap();
        assert_eq!(&payload[ours.len..], &data[..], "{payload:02x?}");
        assert_eq!(
            (theirs.n == 1, theirs.s == 1, theirs.pid),
            (
                ours.non_reference,
                ours.partition_start,
                ours.partition_index
            )
        );
        assert_eq!(
            ours.picture_id.map(|p| p.value()),
            (theirs.i == 1).then_some(theirs.picture_id)
        );
        assert_eq!(
            ours.tl0_pic_idx,
            (theirs.l == 1).then_some(theirs.tl0_pic_idx)
        );
        assert_eq!(
            ours.temporal.map(|t| (t.tid, t.layer_sync)),
            (theirs.t == 1).then_some((theirs.tid, theirs.y == 1))
        );
        assert_eq!(ours.key_idx, (theirs.k == 1).then_some(theirs.key_idx));
    }
}

#[test]
fn vp8_disagreements_with_webrtc_rs() {
    // A valid 1-byte descriptor with 1 or 2 bytes of data: webrtc-rs refuses anything under
    // 4 bytes; RFC 7741 §4.2 makes the descriptor 1 octet and requires no minimum payload.
    for payload in [&[0x10, 0xaa][..], &[0x10, 0xaa, 0xbb]] {
        assert!(Vp8Descriptor::parse(payload).is_ok());
        assert!(
            Vp8Packet::default()
                .depacketize(&payload.to_vec().into())
                .is_err()
        );
    }
    // L=1 with T=0: RFC 7741 §4.2 says "the T bit MUST be set to 1" when L=1. webrtc-rs
    // reads it anyway; we refuse the inconsistent descriptor (stricter, by choice).
    let payload = [0x90, 0x40, 42, 1, 2];
    assert_eq!(
        Vp8Descriptor::parse(&payload),
        Err(DepacketizeError::Malformed)
    );
    assert!(
        Vp8Packet::default()
            .depacketize(&payload.to_vec().into())
            .is_ok()
    );
}

// ---------------------------------------------------------------------------------------
// VP9

#[test]
fn vp9_our_payloads_depacketized_by_webrtc_rs_give_the_frame() {
    let mut packetizer = Vp9Packetizer::new(0x7ff0);
    for (i, len) in SIZES.into_iter().enumerate() {
        for max_payload in MAX_PAYLOADS {
            let key = i % 2 == 0;
            let header: &[u8] = if key {
                &VP9_KEY_FRAME_START
            } else {
                &VP9_INTER_FRAME_START
            };
            let frame = frame(header, len.max(header.len()), i as u64);
            let picture_id = packetizer.next_picture_id();
            let payloads = ours(&mut packetizer, &frame, max_payload);
            assert_eq!(their_frame::<Vp9Packet>(&payloads), frame);
            for (n, payload) in payloads.iter().enumerate() {
                let mut parsed = Vp9Packet::default();
                parsed.depacketize(&payload.clone().into()).unwrap();
                assert!(parsed.i && !parsed.l && !parsed.f && !parsed.z);
                assert_eq!(parsed.picture_id, picture_id);
                assert_eq!(
                    (parsed.p, parsed.b, parsed.e),
                    (!key, n == 0, n == payloads.len() - 1)
                );
                assert_eq!(parsed.v, key && n == 0);
                if parsed.v {
                    assert_eq!((parsed.ns, parsed.y, parsed.g), (0, true, false));
                    assert_eq!(
                        (&parsed.width[..], &parsed.height[..]),
                        (&[176][..], &[144][..])
                    );
                }
            }
        }
    }
}

#[test]
fn vp9_webrtc_rs_flexible_mode_payloads_depacketized_by_us_give_the_frame() {
    let mut payloader = Vp9Payloader::default();
    payloader.initial_picture_id_fn = Some(Arc::new(|| 0x7ffe));
    let d = Vp9Depacketizer::new();
    for (n, len) in SIZES.into_iter().enumerate() {
        for mtu in MAX_PAYLOADS {
            let frame = bytes(len, n as u64);
            let payloads = theirs(&mut payloader, &frame, mtu);
            assert_eq!(our_frame(&mut Vp9Depacketizer::new(), &payloads), frame);
            assert_eq!(payloads.iter().filter(|p| d.is_frame_start(p)).count(), 1);
            assert_eq!(
                payloads.iter().filter(|p| d.is_frame_end(p, false)).count(),
                1
            );
            assert!(d.is_frame_end(payloads.last().unwrap(), false));
            let first = Vp9Descriptor::parse(&payloads[0]).unwrap();
            assert!(first.flexible_mode && first.begins_frame);
            // webrtc-rs never sets P: every frame reads as a key frame.
            assert!(d.is_keyframe(&payloads[0]));
        }
    }
}

#[test]
fn vp9_every_descriptor_form_reads_the_same_in_both() {
    let forms: [&[u8]; 11] = [
        &[0x0c, 1],
        &[0x80, 0x7f, 1],
        &[0x80, 0xff, 0xff, 1],
        &[0x20, (2 << 5) | (1 << 4) | (1 << 1) | 1, 17, 1],
        &[0xb8, 0x05, (2 << 5) | (1 << 4) | (2 << 1), 1],
        &[0xd8, 0x80, 17, (17 << 1) | 1, 18 << 1, 1],
        &[0xd8, 0x05, 1 << 1, 1],
        &[
            0x0a,
            (1 << 5) | (1 << 3),
            2,
            1 << 4,
            (2 << 5) | (1 << 2),
            33,
            1,
        ],
        &[0x0a, (1 << 5) | (1 << 4), 2, 128, 1, 104, 5, 0, 2, 208, 1],
        &[0x8e, 0x81, 0x02, 0x10, 0x00, 0xb0, 0x00, 0x90, 1],
        &[
            0xfe,
            0x92,
            0x67,
            0x43,
            (1 << 1) | 1,
            2 << 1,
            (1 << 4) | (1 << 3),
            0,
            176,
            0,
            144,
            1,
            0x24,
            5,
            1,
        ],
    ];
    for payload in forms {
        let ours = Vp9Descriptor::parse(payload).unwrap();
        let mut theirs = Vp9Packet::default();
        let data = theirs.depacketize(&payload.to_vec().into()).unwrap();
        assert_eq!(&payload[ours.len..], &data[..], "{payload:02x?}");
        assert_eq!(
            (
                ours.inter_picture_predicted,
                ours.flexible_mode,
                ours.begins_frame,
                ours.ends_frame
            ),
            (theirs.p, theirs.f, theirs.b, theirs.e)
        );
        assert_eq!(ours.not_reference_for_upper_layers, theirs.z);
        assert_eq!(
            ours.picture_id.map(|p| p.value()),
            theirs.i.then_some(theirs.picture_id)
        );
        if let Some(layer) = ours.layer {
            assert!(theirs.l);
            assert_eq!(
                (layer.temporal_id, layer.switching_up),
                (theirs.tid, theirs.u)
            );
            assert_eq!(
                (layer.spatial_id, layer.inter_layer_dependency),
                (theirs.sid, theirs.d)
            );
            assert_eq!(layer.tl0_pic_idx, (!theirs.f).then_some(theirs.tl0picidx));
        } else {
            assert!(!theirs.l);
        }
        assert_eq!(ours.p_diffs(), &theirs.pdiff[..]);
        if let Some(ss) = ours.scalability_structure {
            assert!(theirs.v);
            assert_eq!(
                (ss.spatial_layers(), ss.has_resolutions()),
                (theirs.ns + 1, theirs.y)
            );
            let (widths, heights): (Vec<u16>, Vec<u16>) = ss.resolutions().unzip();
            if theirs.y {
                assert_eq!(
                    (widths, heights),
                    (theirs.width.clone(), theirs.height.clone())
                );
            }
            let group: Vec<_> = ss.picture_group().into_iter().flatten().collect();
            assert_eq!(group.len(), usize::from(theirs.ng));
            for (i, entry) in group.iter().enumerate() {
                assert_eq!(
                    (entry.temporal_id, entry.switching_up),
                    (theirs.pgtid[i], theirs.pgu[i])
                );
                assert_eq!(entry.p_diffs, &theirs.pgpdiff[i][..]);
            }
        } else {
            assert!(!theirs.v);
        }
    }
}

#[test]
fn vp9_three_p_diffs_are_valid_and_webrtc_rs_refuses_them() {
    // RFC 9628 §4.2: "P_DIFF ... up to 3 times"; libwebrtc accepts three and refuses a
    // fourth. webrtc-rs errors as soon as it holds three.
    let payload = [0xd8, 0x05, (1 << 1) | 1, (2 << 1) | 1, 3 << 1, 0xaa];
    let d = Vp9Descriptor::parse(&payload).unwrap();
    assert_eq!((d.p_diffs(), d.len), (&[1, 2, 3][..], 5));
    assert!(
        Vp9Packet::default()
            .depacketize(&payload.to_vec().into())
            .is_err()
    );
}

#[test]
fn vp9_ss_reserved_bits_are_ignored_and_webrtc_rs_reads_them_as_g() {
    // SS octet N_S=0 Y=1 G=0 with the three reserved bits set: RFC 9628 §4.2.1 says they
    // "MUST be ignored by the receiver". webrtc-rs tests (octet >> 1) & 7 for G, takes the
    // first data byte for N_G and returns the frame from the wrong offset.
    let payload = [0x0a, 0x10 | 0x07, 0, 176, 0, 144, 0x00, 0xaa, 0xbb];
    let d = Vp9Descriptor::parse(&payload).unwrap();
    assert!(d.scalability_structure.unwrap().picture_group().is_none());
    assert_eq!(&payload[d.len..], [0x00, 0xaa, 0xbb]);
    let mut theirs = Vp9Packet::default();
    let data = theirs.depacketize(&payload.to_vec().into()).unwrap();
    assert!(theirs.g);
    assert_eq!(&data[..], [0xaa, 0xbb]);
}

#[test]
fn webrtc_rs_vp9_parser_cannot_be_reused() {
    // webrtc-rs's Vp9Packet keeps the P_DIFFs of earlier payloads: the third flexible-mode
    // payload with one P_DIFF fails. Ours keeps no state between payloads.
    let payload = [0xd8, 0x05, 1 << 1, 0xaa];
    let mut theirs = Vp9Packet::default();
    assert!(theirs.depacketize(&payload.to_vec().into()).is_ok());
    assert!(theirs.depacketize(&payload.to_vec().into()).is_ok());
    assert!(theirs.depacketize(&payload.to_vec().into()).is_err());
    let mut ours = Vp9Depacketizer::new();
    for _ in 0..3 {
        let mut frame = Vec::new();
        let single = [0xdc, 0x05, 1 << 1, 0xaa];
        ours.depacketize(&mut std::iter::once(&single[..]), &mut frame)
            .unwrap();
        assert_eq!(frame, [0xaa]);
    }
}

#[test]
fn vp9_flexible_bit_without_picture_id_differs_from_webrtc_rs() {
    // I=0 P=1 F=1: RFC 9628 §4.2 says F "MUST also be set to zero and ignored by
    // receivers" when I=0, so we read no P_DIFF; webrtc-rs (and libwebrtc, which then
    // refuses the payload) treat it as flexible mode. A sender breaking that MUST gets its
    // frame misread by one of the two; we follow the RFC text.
    let payload = [0x5c, 3 << 1, 0xaa];
    let d = Vp9Descriptor::parse(&payload).unwrap();
    assert!(!d.flexible_mode && d.p_diffs().is_empty());
    assert_eq!(d.len, 1);
    let mut theirs = Vp9Packet::default();
    let data = theirs.depacketize(&payload.to_vec().into()).unwrap();
    assert_eq!(&data[..], [0xaa]);
}
