//! Receiving Opus (RFC 7587), VP8 (RFC 7741) and VP9 (RFC 9628) payloads: descriptor bytes
//! parse to the right fields, frame starts, ends and key frames are recognised (key frames
//! from real libvpx frame headers), frames are rebuilt, and every truncated or inconsistent
//! input is refused with a typed error, leaving the caller's buffer as it was.
//!
//! Descriptor bytes follow the figures of RFC 7741 §4.2 and RFC 9628 §4.2; several are the
//! byte patterns libwebrtc's depacketizer unit tests use, so both implementations read the
//! same inputs.

use sansrtc_media::opus::OpusDepacketizer;
use sansrtc_media::vp8::{PictureId, Vp8Depacketizer, Vp8Descriptor};
use sansrtc_media::vp9::{Vp9Depacketizer, Vp9Descriptor};
use sansrtc_media::{DepacketizeError, Depacketizer};

/// VP8 frame 0 of `output_vp8.ivf` (176x144, libvpx, from webrtc-rs `rtc` 0.21.1
/// `examples/test-data/`), first 24 bytes: frame tag `70 62 00` (P=0), start code
/// `9d 01 2a`, width 176, height 144.
const VP8_KEY_FRAME_START: &str = "7062009d012ab0009000000708858588858488020202b93b";
/// VP8 frame 1 of the same file (an inter frame), first 24 bytes: frame tag P=1.
const VP8_INTER_FRAME_START: &str = "1113001110ac001e9ab6068d35273037f206fab318c7b143";

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// `descriptor` followed by `data`.
fn payload(descriptor: &[u8], data: &[u8]) -> Vec<u8> {
    [descriptor, data].concat()
}

/// Depacketizes into a buffer that already holds a prefix; an error must leave it as it was.
fn depacketize<P: AsRef<[u8]>>(
    depacketizer: &mut dyn Depacketizer,
    payloads: &[P],
) -> Result<Vec<u8>, DepacketizeError> {
    const PREFIX: &[u8] = b"earlier frame";
    let mut frame = PREFIX.to_vec();
    let result = depacketizer.depacketize(&mut payloads.iter().map(AsRef::as_ref), &mut frame);
    match result {
        Ok(()) => {
            assert!(frame.starts_with(PREFIX), "the caller's bytes stay");
            Ok(frame[PREFIX.len()..].to_vec())
        }
        Err(e) => {
            assert_eq!(
                frame, PREFIX,
                "a failed depacketize leaves the frame as it was"
            );
            Err(e)
        }
    }
}

// ---------------------------------------------------------------------------------------
// Opus (RFC 7587 §4.2)

#[test]
fn opus_payload_is_the_opus_packet_and_always_a_whole_keyframe() {
    let d = OpusDepacketizer::new();
    for packet in [&[0xfc_u8, 0xff, 0xfe][..], &[0x78], &[]] {
        assert!(d.is_frame_start(packet));
        assert!(d.is_frame_end(packet, false));
        assert!(d.is_frame_end(packet, true));
        assert!(d.is_keyframe(packet));
    }
    let packet = [0xfc, 0xff, 0xfe, 0x01, 0x02];
    assert_eq!(
        depacketize(&mut OpusDepacketizer::new(), &[packet]),
        Ok(packet.to_vec())
    );
}

#[test]
fn opus_refuses_no_payload_an_empty_payload_and_two_payloads() {
    let mut d = OpusDepacketizer::default();
    let none: [&[u8]; 0] = [];
    assert_eq!(
        depacketize(&mut d, &none),
        Err(DepacketizeError::Incomplete)
    );
    assert_eq!(
        depacketize(&mut d, &[&[][..]]),
        Err(DepacketizeError::Truncated)
    );
    assert_eq!(
        depacketize(&mut d, &[&[0x78][..], &[0x78]]),
        Err(DepacketizeError::Malformed)
    );
}

// ---------------------------------------------------------------------------------------
// VP8 descriptors (RFC 7741 §4.2)

#[test]
fn vp8_one_octet_descriptor_reads_s_and_pid() {
    // X=0 R=0 N=0 S=1 PID=0: the first packet of a frame.
    let d = Vp8Descriptor::parse(&[0x10, 0xaa]).unwrap();
    assert!(d.partition_start && d.is_frame_start() && !d.non_reference);
    assert_eq!((d.partition_index, d.len), (0, 1));
    assert_eq!(
        (d.picture_id, d.tl0_pic_idx, d.temporal, d.key_idx),
        (None, None, None, None)
    );
    // S=1 PID=4 (libwebrtc's BasicHeader vector): starts partition 4, not the frame.
    let d = Vp8Descriptor::parse(&[0x14, 0x01, 0x00, 0x00]).unwrap();
    assert_eq!((d.partition_start, d.partition_index), (true, 4));
    assert!(!d.is_frame_start());
}

#[test]
fn vp8_picture_id_in_seven_and_fifteen_bits() {
    // X=1 N=1, I=1, M=0 PictureID 17 (libwebrtc's PictureID vector).
    let d = Vp8Descriptor::parse(&[0xa0, 0x80, 17, 0, 0]).unwrap();
    assert!(d.non_reference);
    assert_eq!((d.picture_id, d.len), (Some(PictureId::Short(17)), 3));
    // M=1: 15 bits, 0x1111.
    let d = Vp8Descriptor::parse(&[0xa0, 0x80, 0x80 | 17, 17, 0]).unwrap();
    assert_eq!((d.picture_id, d.len), (Some(PictureId::Long(0x1111)), 4));
    assert_eq!(PictureId::Long(0x1111).value(), 0x1111);
    assert_eq!(PictureId::Short(127).value(), 127);
}

#[test]
fn vp8_all_extensions_read_in_order() {
    // X=1 S=1; I L T K; M=1 PictureID 4711; TL0PICIDX 42; TID=2 Y=1 KEYIDX=17.
    let bytes = payload(&[0x90, 0xf0, 0x92, 0x67, 42, 0b1011_0001], &[0x9d]);
    let d = Vp8Descriptor::parse(&bytes).unwrap();
    assert_eq!(d.picture_id.map(PictureId::value), Some(4711));
    assert_eq!(d.tl0_pic_idx, Some(42));
    assert_eq!(d.temporal.map(|t| (t.tid, t.layer_sync)), Some((2, true)));
    assert_eq!(d.key_idx, Some(17));
    assert_eq!(d.len, 6);
    // K alone: the T/K octet is there, TID and Y are not meaningful (RFC 7741 §4.2).
    let d = Vp8Descriptor::parse(&[0x80, 0x10, 0b1110_0101, 0xff]).unwrap();
    assert_eq!((d.temporal, d.key_idx, d.len), (None, Some(5), 3));
    // T alone.
    let d = Vp8Descriptor::parse(&[0x80, 0x20, 0b0100_0011, 0xff]).unwrap();
    assert_eq!(d.temporal.map(|t| (t.tid, t.layer_sync)), Some((1, false)));
    assert_eq!(d.key_idx, None);
}

#[test]
fn vp8_reserved_bits_are_ignored() {
    // Both R bits of the first octet and the RSV bits of the X octet set.
    let d = Vp8Descriptor::parse(&[0x80 | 0x40 | 0x08 | 0x10, 0x0f, 0x55]).unwrap();
    assert!(d.is_frame_start());
    assert_eq!((d.picture_id, d.len), (None, 2));
}

#[test]
fn vp8_truncated_descriptors_are_refused() {
    let cases: [&[u8]; 8] = [
        &[],                          // nothing
        &[0x80],                      // X=1, no extension octet
        &[0x90, 0x80],                // I=1, no PictureID
        &[0x90, 0x80, 0x81],          // M=1, no second PictureID octet
        &[0x90, 0x60, 0x01],          // L=1 T=1, TL0PICIDX but no T/K octet
        &[0x90, 0x10],                // K=1, no T/K octet
        &[0x10],                      // a descriptor and no VP8 data
        &[0x90, 0xf0, 0x80, 1, 2, 3], // everything, and no VP8 data
    ];
    for bytes in cases {
        assert_eq!(
            Vp8Descriptor::parse(bytes),
            Err(DepacketizeError::Truncated),
            "{bytes:02x?}"
        );
        let d = Vp8Depacketizer::new();
        assert!(!d.is_frame_start(bytes) && !d.is_keyframe(bytes));
        assert_eq!(
            depacketize(&mut Vp8Depacketizer::new(), &[bytes]),
            Err(DepacketizeError::Truncated)
        );
    }
}

#[test]
fn vp8_every_prefix_of_a_full_descriptor_is_truncated() {
    let full = payload(&[0x90, 0xf0, 0x92, 0x67, 42, 0b1011_0001], &[0x9d]);
    for end in 0..full.len() {
        assert_eq!(
            Vp8Descriptor::parse(&full[..end]),
            Err(DepacketizeError::Truncated)
        );
    }
    assert!(Vp8Descriptor::parse(&full).is_ok());
}

#[test]
fn vp8_tl0picidx_without_tid_is_inconsistent() {
    // L=1 requires T=1 (RFC 7741 §4.2).
    assert_eq!(
        Vp8Descriptor::parse(&[0x90, 0x40, 7, 0xff]),
        Err(DepacketizeError::Malformed)
    );
    assert_eq!(
        Vp8Descriptor::parse(&[0x90, 0xd0, 1, 7, 0, 0xff]),
        Err(DepacketizeError::Malformed)
    );
}

// ---------------------------------------------------------------------------------------
// VP8 frames (RFC 7741 §4.3, §4.5)

#[test]
fn vp8_key_frame_is_recognised_from_a_real_frame_header() {
    let d = Vp8Depacketizer::new();
    let key = hex(VP8_KEY_FRAME_START);
    let inter = hex(VP8_INTER_FRAME_START);
    for descriptor in [
        &[0x10][..],
        &[0x90, 0x80, 0x81, 0x00],
        &[0xb0, 0xe0, 5, 1, 0x20],
    ] {
        assert!(
            d.is_keyframe(&payload(descriptor, &key)),
            "{descriptor:02x?}"
        );
        assert!(!d.is_keyframe(&payload(descriptor, &inter)));
    }
    // Not the frame's first payload: S=0, or S=1 on a later partition.
    assert!(!d.is_keyframe(&payload(&[0x00], &key)));
    assert!(!d.is_keyframe(&payload(&[0x11], &key)));
    // P=0 but no start code: not a key frame.
    let mut broken = key.clone();
    broken[4] = 0x02;
    assert!(!d.is_keyframe(&payload(&[0x10], &broken)));
    // The start code must be in the first payload.
    assert!(!d.is_keyframe(&payload(&[0x10], &key[..5])));
    assert!(d.is_keyframe(&payload(&[0x10], &key[..6])));
}

#[test]
fn vp8_frame_is_the_payloads_without_descriptors() {
    let key = hex(VP8_KEY_FRAME_START);
    let payloads = [
        payload(&[0x90, 0x80, 0x05], &key[..7]),
        payload(&[0x80, 0x80, 0x05], &key[7..15]),
        // A new partition may start inside the frame (S=1, PID=1).
        payload(&[0x11], &key[15..]),
    ];
    assert_eq!(depacketize(&mut Vp8Depacketizer::new(), &payloads), Ok(key));
}

#[test]
fn vp8_frame_must_begin_with_a_start_and_hold_only_one() {
    let mut d = Vp8Depacketizer::new();
    let none: [&[u8]; 0] = [];
    assert_eq!(
        depacketize(&mut d, &none),
        Err(DepacketizeError::Incomplete)
    );
    // First payload not a frame start.
    assert_eq!(
        depacketize(&mut d, &[[0x00, 1], [0x00, 2]]),
        Err(DepacketizeError::Incomplete)
    );
    assert_eq!(
        depacketize(&mut d, &[[0x12, 1], [0x00, 2]]),
        Err(DepacketizeError::Incomplete)
    );
    // A second frame start in the middle.
    assert_eq!(
        depacketize(&mut d, &[[0x10, 1], [0x10, 2]]),
        Err(DepacketizeError::Malformed)
    );
    // A bad descriptor after good ones: nothing is kept.
    let bad: [&[u8]; 3] = [&[0x10, 1, 2], &[0x00, 3], &[0x80]];
    assert_eq!(depacketize(&mut d, &bad), Err(DepacketizeError::Truncated));
}

// ---------------------------------------------------------------------------------------
// VP9 descriptors (RFC 9628 §4.2)

#[test]
fn vp9_first_octet_bits() {
    // I:0 P:0 L:0 F:0 B:1 E:1 V:0 Z:0 (libwebrtc's ParseBasicHeader vector).
    let d = Vp9Descriptor::parse(&[0x0c, 0, 0, 0]).unwrap();
    assert!(d.begins_frame && d.ends_frame);
    assert!(!d.inter_picture_predicted && !d.flexible_mode && !d.not_reference_for_upper_layers);
    assert_eq!(
        (d.picture_id, d.layer, d.scalability_structure, d.len),
        (None, None, None, 1)
    );
    assert!(d.p_diffs().is_empty());
    // P:1 E:1, then Z:1 E:1.
    let d = Vp9Descriptor::parse(&[0x44, 0]).unwrap();
    assert!(d.inter_picture_predicted && d.ends_frame && !d.begins_frame);
    let d = Vp9Descriptor::parse(&[0x05, 0]).unwrap();
    assert!(d.not_reference_for_upper_layers && d.ends_frame);
}

#[test]
fn vp9_picture_id_in_seven_and_fifteen_bits() {
    let d = Vp9Descriptor::parse(&[0x80, 0x7f, 0]).unwrap();
    assert_eq!((d.picture_id, d.len), (Some(PictureId::Short(127)), 2));
    let d = Vp9Descriptor::parse(&[0x80, 0xff, 0xff, 0]).unwrap();
    assert_eq!((d.picture_id, d.len), (Some(PictureId::Long(0x7fff)), 3));
}

#[test]
fn vp9_layer_indices_carry_tl0picidx_only_in_non_flexible_mode() {
    // Non-flexible: T:2 U:1 S:1 D:1, TL0PICIDX 17 (libwebrtc's vector).
    let d = Vp9Descriptor::parse(&[0x20, (2 << 5) | (1 << 4) | (1 << 1) | 1, 17, 0]).unwrap();
    let layer = d.layer.unwrap();
    assert_eq!((layer.temporal_id, layer.switching_up), (2, true));
    assert_eq!((layer.spatial_id, layer.inter_layer_dependency), (1, true));
    assert_eq!((layer.tl0_pic_idx, d.len), (Some(17), 3));
    // Flexible (I=1 so F counts): T:2 U:1 S:0 D:0 and no TL0PICIDX.
    let d = Vp9Descriptor::parse(&[0xb8, 0x05, (2 << 5) | (1 << 4), 0]).unwrap();
    assert!(d.flexible_mode && d.begins_frame);
    let layer = d.layer.unwrap();
    assert_eq!(
        (layer.temporal_id, layer.spatial_id, layer.tl0_pic_idx),
        (2, 0, None)
    );
    assert_eq!(d.len, 3);
}

#[test]
fn vp9_flexible_bit_without_picture_id_is_ignored() {
    // RFC 9628 §4.2: F MUST be 0 when I=0 "and ignored by receivers": L then has its
    // TL0PICIDX, as in non-flexible mode. (libwebrtc reads this as flexible, 2 bytes.)
    let d = Vp9Descriptor::parse(&[0x38, 2 << 5, 9, 0]).unwrap();
    assert!(!d.flexible_mode);
    assert_eq!((d.layer.unwrap().tl0_pic_idx, d.len), (Some(9), 3));
    // P=1 with F ignored: no reference indices are read.
    let d = Vp9Descriptor::parse(&[0x58, 3 << 1, 0]).unwrap();
    assert!(d.p_diffs().is_empty());
    assert_eq!(d.len, 1);
}

#[test]
fn vp9_flexible_mode_reads_up_to_three_p_diffs() {
    // I:1 P:1 F:1 B:1, PictureID 17 in 15 bits, P_DIFF 17 (N), 18 (N), 127 (libwebrtc's
    // ParseRefIdx vector).
    let d =
        Vp9Descriptor::parse(&[0xd8, 0x80, 17, (17 << 1) | 1, (18 << 1) | 1, 127 << 1, 0]).unwrap();
    assert_eq!(d.picture_id, Some(PictureId::Long(17)));
    assert_eq!((d.p_diffs(), d.len), (&[17, 18, 127][..], 6));
    let d = Vp9Descriptor::parse(&[0xd8, 0x05, 1 << 1, 0]).unwrap();
    assert_eq!((d.p_diffs(), d.len), (&[1][..], 3));
    // P=0 in flexible mode: no P_DIFF.
    let d = Vp9Descriptor::parse(&[0x98, 0x05, 0x02, 0]).unwrap();
    assert_eq!((d.p_diffs(), d.len), (&[][..], 2));
}

#[test]
fn vp9_fourth_p_diff_is_malformed() {
    // N=1 on the third P_DIFF (libwebrtc's TooManyRefPics vector).
    let too_many = [
        0xd8,
        0x7f,
        (3 << 1) | 1,
        (3 << 1) | 1,
        (3 << 1) | 1,
        3 << 1,
        0,
    ];
    assert_eq!(
        Vp9Descriptor::parse(&too_many),
        Err(DepacketizeError::Malformed)
    );
    assert_eq!(
        Vp9Descriptor::parse(&too_many[..5]),
        Err(DepacketizeError::Malformed)
    );
}

#[test]
fn vp9_scalability_structure_with_picture_group() {
    // I:0 B:1 V:1; N_S=1 Y=0 G=1; N_G=2: T:0 U:1 R:0, then T:2 U:0 R:1 P_DIFF 33
    // (libwebrtc's ParseSsData vector).
    let bytes = [
        0x0a,
        (1 << 5) | (1 << 3),
        2,
        1 << 4,
        (2 << 5) | (1 << 2),
        33,
        0xee,
    ];
    let d = Vp9Descriptor::parse(&bytes).unwrap();
    assert_eq!(d.len, 6);
    let ss = d.scalability_structure.unwrap();
    assert_eq!((ss.spatial_layers(), ss.has_resolutions()), (2, false));
    assert_eq!(ss.resolutions().count(), 0);
    let group: Vec<_> = ss
        .picture_group()
        .unwrap()
        .map(|e| (e.temporal_id, e.switching_up, e.p_diffs.to_vec()))
        .collect();
    assert_eq!(group, [(0, true, vec![]), (2, false, vec![33])]);
    assert_eq!(ss.picture_group().unwrap().len(), 2);
}

#[test]
fn vp9_scalability_structure_with_resolutions() {
    // N_S=1 Y=1 G=0: 640x360 and 1280x720 (libwebrtc's ParseResolution vector), reserved
    // bits set (ignored).
    let bytes = [
        0x0a,
        (1 << 5) | (1 << 4) | 0x07,
        2,
        128,
        1,
        104,
        5,
        0,
        2,
        208,
        0xee,
    ];
    let d = Vp9Descriptor::parse(&bytes).unwrap();
    let ss = d.scalability_structure.unwrap();
    assert_eq!(
        ss.resolutions().collect::<Vec<_>>(),
        [(640, 360), (1280, 720)]
    );
    assert_eq!(ss.resolutions().len(), 2);
    assert!(ss.picture_group().is_none());
    assert_eq!(d.len, 10);
    // G=1 with N_G=0: a picture group with no pictures.
    let d = Vp9Descriptor::parse(&[0x0a, 1 << 3, 0, 0xee]).unwrap();
    assert_eq!(
        d.scalability_structure
            .unwrap()
            .picture_group()
            .unwrap()
            .count(),
        0
    );
}

#[test]
fn vp9_scalability_structure_running_past_the_payload_is_truncated() {
    let cases: [&[u8]; 6] = [
        &[0x0a],                                 // V=1, no SS octet
        &[0x0a, (1 << 5) | (1 << 4), 2, 128, 1], // two resolutions, half of one
        &[0x0a, 0xe0 | (1 << 4), 0, 1, 0, 1],    // eight layers, one resolution
        &[0x0a, 1 << 3],                         // G=1, no N_G
        &[0x0a, 1 << 3, 3, 0, 0],                // N_G=3, two entries
        &[0x0a, 1 << 3, 1, 3 << 2, 1, 2],        // R=3, two P_DIFFs
    ];
    for bytes in cases {
        assert_eq!(
            Vp9Descriptor::parse(bytes),
            Err(DepacketizeError::Truncated),
            "{bytes:02x?}"
        );
        let d = Vp9Depacketizer::new();
        assert!(!d.is_frame_start(bytes) && !d.is_frame_end(bytes, true) && !d.is_keyframe(bytes));
    }
}

#[test]
fn vp9_truncated_descriptors_are_refused() {
    let cases: [&[u8]; 7] = [
        &[],                 // nothing
        &[0x80],             // I=1, no picture ID
        &[0x80, 0x80],       // M=1, one octet of two
        &[0x20],             // L=1, no layer octet
        &[0x20, 0x40],       // non-flexible L=1, no TL0PICIDX
        &[0xd0, 0x01, 0x03], // P_DIFF with N=1 and no next one
        &[0x8c, 0x01],       // a descriptor and no VP9 data
    ];
    for bytes in cases {
        assert_eq!(
            Vp9Descriptor::parse(bytes),
            Err(DepacketizeError::Truncated),
            "{bytes:02x?}"
        );
    }
    let full = [
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
        0xee,
    ];
    assert!(Vp9Descriptor::parse(&full).is_ok());
    for end in 0..full.len() {
        assert_eq!(
            Vp9Descriptor::parse(&full[..end]),
            Err(DepacketizeError::Truncated),
            "{end}"
        );
    }
}

#[test]
fn vp9_inter_layer_dependency_on_the_base_layer_is_malformed() {
    // D=1 with SID=0 (RFC 9628 §4.2: D MUST be zero on spatial layer 0).
    assert_eq!(
        Vp9Descriptor::parse(&[0x28, 0x01, 0, 0]),
        Err(DepacketizeError::Malformed)
    );
}

// ---------------------------------------------------------------------------------------
// VP9 layer frames (RFC 9628 §4.1)

#[test]
fn vp9_frame_boundaries_come_from_b_and_e_not_the_marker() {
    let d = Vp9Depacketizer::new();
    assert!(d.is_frame_start(&[0x08, 0]) && !d.is_frame_start(&[0x04, 0]));
    assert!(d.is_frame_end(&[0x04, 0], false));
    assert!(!d.is_frame_end(&[0x08, 0], true));
}

#[test]
fn vp9_key_frame_is_p0_and_b1_on_the_base_layer() {
    let d = Vp9Depacketizer::new();
    assert!(d.is_keyframe(&[0x08, 0])); // libwebrtc's ParseFirstPacketInKeyFrame
    assert!(!d.is_keyframe(&[0x44, 0])); // P=1
    assert!(!d.is_keyframe(&[0x00, 0])); // not B
    assert!(d.is_keyframe(&[0x28, 0x00, 0, 0])); // L with SID=0
    assert!(!d.is_keyframe(&[0x28, 0x02, 0, 0])); // SID=1
    assert!(d.is_keyframe(&[0x8a, 0x80, 0x01, 0x10, 0, 176, 0, 144, 0x82]));
}

#[test]
fn vp9_layer_frame_is_the_payloads_from_b_to_e() {
    let frame: Vec<u8> = (0..40).collect();
    let payloads = [
        payload(&[0x8a, 0x80, 0x01, 0x10, 0, 176, 0, 144], &frame[..10]),
        payload(&[0x80, 0x80, 0x01], &frame[10..30]),
        payload(&[0x84, 0x80, 0x01], &frame[30..]),
    ];
    assert_eq!(
        depacketize(&mut Vp9Depacketizer::new(), &payloads),
        Ok(frame)
    );
    assert_eq!(
        depacketize(&mut Vp9Depacketizer::new(), &[[0x0c, 7]]),
        Ok(vec![7])
    );
}

#[test]
fn vp9_layer_frame_needs_b_first_e_last_and_neither_in_between() {
    let mut d = Vp9Depacketizer::new();
    let none: [&[u8]; 0] = [];
    assert_eq!(
        depacketize(&mut d, &none),
        Err(DepacketizeError::Incomplete)
    );
    assert_eq!(
        depacketize(&mut d, &[[0x00, 1], [0x04, 2]]),
        Err(DepacketizeError::Incomplete)
    );
    assert_eq!(
        depacketize(&mut d, &[[0x08, 1], [0x00, 2]]),
        Err(DepacketizeError::Incomplete)
    );
    assert_eq!(
        depacketize(&mut d, &[[0x08, 1], [0x08, 2], [0x04, 3]]),
        Err(DepacketizeError::Malformed)
    );
    assert_eq!(
        depacketize(&mut d, &[[0x08, 1], [0x04, 2], [0x04, 3]]),
        Err(DepacketizeError::Malformed)
    );
    assert_eq!(
        depacketize(&mut d, &[[0x0c, 1], [0x00, 2]]),
        Err(DepacketizeError::Malformed)
    );
    let bad: [&[u8]; 2] = [&[0x08, 1, 2, 3], &[0x84]];
    assert_eq!(depacketize(&mut d, &bad), Err(DepacketizeError::Truncated));
}
