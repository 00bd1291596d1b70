//! Sending Opus (RFC 7587), VP8 (RFC 7741) and VP9 (RFC 9628): the exact descriptor bytes,
//! picture IDs that increment and wrap, payloads split evenly, the VP9 P bit and scalability
//! structure read from real and built frame headers, and every refusal (empty frame, no
//! room, malformed VP9 header) emitting nothing.

use sansrtc_media::opus::{OpusDepacketizer, OpusPacketizer};
use sansrtc_media::vp8::{Vp8Depacketizer, Vp8Packetizer};
use sansrtc_media::vp9::{Vp9Depacketizer, Vp9Descriptor, Vp9Packetizer};
use sansrtc_media::{Depacketizer, PacketizeError, Packetizer};

/// VP8 frame 0 of `output_vp8.ivf` (176x144, libvpx, from webrtc-rs `rtc` 0.21.1
/// `examples/test-data/`), first 24 bytes: a key frame.
const VP8_KEY_FRAME_START: &str = "7062009d012ab0009000000708858588858488020202b93b";
/// VP9 frame 0 of `output_vp9.ivf` (same source): a profile 0 key frame, 176x144.
const VP9_KEY_FRAME_START: &str = "82498342000af008f60438241c184a0001107c86f8ee261d";
/// VP9 frame 1 of the same file: an inter frame.
const VP9_INTER_FRAME_START: &str = "86004092f1414000001870cc8e6400007ee8f1eb27bf4c04";
/// VP9 frame 281 of the same file, a whole 37-byte inter frame.
const VP9_SMALL_INTER_FRAME: &str =
    "86004092ac005000000320000079fe343d1c7cca3f36923c2d1fd62d3d5ae49299c09573e8";

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// Packetizes `frame`; checks the returned count against what was emitted, and that an
/// error emitted nothing.
fn packetize(
    packetizer: &mut dyn Packetizer,
    frame: &[u8],
    max_payload: usize,
) -> Result<Vec<Vec<u8>>, PacketizeError> {
    let mut payloads = Vec::new();
    let result = packetizer.packetize(frame, max_payload, &mut |p| payloads.push(p.to_vec()));
    match result {
        Ok(count) => assert_eq!(count, payloads.len()),
        Err(_) => assert!(payloads.is_empty(), "a refused frame emits nothing"),
    }
    result.map(|_| payloads)
}

fn rebuild(depacketizer: &mut dyn Depacketizer, payloads: &[Vec<u8>]) -> Vec<u8> {
    let mut frame = Vec::new();
    depacketizer
        .depacketize(&mut payloads.iter().map(Vec::as_slice), &mut frame)
        .unwrap();
    frame
}

/// Writes bits most significant first (VP9 bitstream `f(n)`).
#[derive(Default)]
struct Bits(Vec<u8>, usize);

impl Bits {
    fn put(&mut self, n: u32, value: u32) -> &mut Self {
        for i in (0..n).rev() {
            if self.1.is_multiple_of(8) {
                self.0.push(0);
            }
            *self.0.last_mut().unwrap() |= (((value >> i) & 1) as u8) << (7 - self.1 % 8);
            self.1 += 1;
        }
        self
    }
}

/// A VP9 key frame header up to `frame_size()` (VP9 bitstream §6.2), then `tail`.
fn vp9_key_frame(profile: u32, color_space: u32, width: u32, height: u32, tail: usize) -> Vec<u8> {
    let mut b = Bits::default();
    b.put(2, 2).put(1, profile & 1).put(1, profile >> 1);
    if profile == 3 {
        b.put(1, 0);
    }
    b.put(4, 0b0010).put(8, 0x49).put(8, 0x83).put(8, 0x42);
    if profile >= 2 {
        b.put(1, 1);
    }
    b.put(3, color_space);
    match (color_space == 7, profile & 1 == 1) {
        (false, false) => {
            b.put(1, 0);
        }
        (false, true) => {
            b.put(1, 0).put(2, 0b11).put(1, 0);
        }
        (true, true) => {
            b.put(1, 0);
        }
        (true, false) => {}
    }
    b.put(16, width - 1).put(16, height - 1);
    let mut frame = b.0;
    frame.extend((0..tail).map(|i| i as u8));
    frame
}

// ---------------------------------------------------------------------------------------
// Opus (RFC 7587 §4.2)

#[test]
fn opus_packet_goes_out_as_one_unchanged_payload() {
    let packet = [0xfc, 0xff, 0xfe, 0x42];
    let payloads = packetize(&mut OpusPacketizer::new(), &packet, 4).unwrap();
    assert_eq!(payloads, [packet.to_vec()]);
    assert_eq!(rebuild(&mut OpusDepacketizer::new(), &payloads), packet);
}

#[test]
fn opus_refuses_an_empty_packet_and_one_longer_than_max_payload() {
    let mut p = OpusPacketizer::default();
    assert_eq!(
        packetize(&mut p, &[], 1200),
        Err(PacketizeError::EmptyFrame)
    );
    assert_eq!(
        packetize(&mut p, &[1; 1201], 1200),
        Err(PacketizeError::PayloadSizeTooSmall)
    );
    assert_eq!(
        packetize(&mut p, &[1], 0),
        Err(PacketizeError::PayloadSizeTooSmall)
    );
}

// ---------------------------------------------------------------------------------------
// VP8 (RFC 7741 §4.2)

#[test]
fn vp8_descriptor_has_x_i_fifteen_bit_picture_id_and_s_on_the_first_payload() {
    let frame: Vec<u8> = (0..30).collect();
    let payloads = packetize(&mut Vp8Packetizer::new(0x1234), &frame, 14).unwrap();
    assert_eq!(payloads.len(), 3);
    assert_eq!(payloads[0][..4], [0x90, 0x80, 0x92, 0x34]);
    for p in &payloads[1..] {
        assert_eq!(p[..4], [0x80, 0x80, 0x92, 0x34]);
    }
    let d = Vp8Depacketizer::new();
    let starts: Vec<bool> = payloads.iter().map(|p| d.is_frame_start(p)).collect();
    assert_eq!(starts, [true, false, false]);
}

#[test]
fn vp8_picture_id_increments_per_frame_and_wraps_at_fifteen_bits() {
    let mut p = Vp8Packetizer::new(0xfffe);
    assert_eq!(p.next_picture_id(), 0x7ffe);
    let pid = |payload: &[u8]| u16::from_be_bytes([payload[2] & 0x7f, payload[3]]);
    for expected in [0x7ffe, 0x7fff, 0, 1] {
        let payloads = packetize(&mut p, &[1, 2, 3], 100).unwrap();
        assert_eq!(pid(&payloads[0]), expected);
    }
    // A refused frame does not use up a picture ID.
    assert!(packetize(&mut p, &[], 100).is_err());
    assert_eq!(p.next_picture_id(), 2);
    assert_eq!(Vp8Packetizer::default().next_picture_id(), 0);
}

#[test]
fn vp8_payloads_are_split_evenly_not_full_plus_tail() {
    // 2500 bytes, 1196 per payload: 833 + 833 + 834 rather than 1196 + 1196 + 108.
    let frame = vec![7; 2500];
    let payloads = packetize(&mut Vp8Packetizer::new(0), &frame, 1200).unwrap();
    let lens: Vec<usize> = payloads.iter().map(Vec::len).collect();
    assert_eq!(lens, [837, 837, 838]);
    // Exactly full payloads stay full.
    let payloads = packetize(&mut Vp8Packetizer::new(0), &vec![7; 2392], 1200).unwrap();
    assert!(payloads.iter().all(|p| p.len() == 1200));
    assert_eq!(
        rebuild(&mut Vp8Depacketizer::new(), &payloads),
        vec![7; 2392]
    );
}

#[test]
fn vp8_first_payload_carries_the_key_frame_header() {
    // 14 bytes leave 10 for data: the whole 10-byte key frame header goes first even
    // though an even split would put 6 there.
    let key = hex(VP8_KEY_FRAME_START);
    let frame = &key[..12];
    let payloads = packetize(&mut Vp8Packetizer::new(0), frame, 14).unwrap();
    let lens: Vec<usize> = payloads.iter().map(Vec::len).collect();
    assert_eq!(lens, [14, 6]);
    assert!(Vp8Depacketizer::new().is_keyframe(&payloads[0]));
    assert_eq!(rebuild(&mut Vp8Depacketizer::new(), &payloads), frame);
}

#[test]
fn vp8_smallest_max_payload_is_descriptor_plus_one() {
    let frame = hex(VP8_KEY_FRAME_START);
    let payloads = packetize(&mut Vp8Packetizer::new(0), &frame, 5).unwrap();
    assert_eq!(payloads.len(), frame.len());
    assert!(payloads.iter().all(|p| p.len() == 5));
    assert_eq!(rebuild(&mut Vp8Depacketizer::new(), &payloads), frame);
    for too_small in [0, 1, 4] {
        assert_eq!(
            packetize(&mut Vp8Packetizer::new(0), &frame, too_small),
            Err(PacketizeError::PayloadSizeTooSmall)
        );
    }
    assert_eq!(
        packetize(&mut Vp8Packetizer::new(0), &[], 1200),
        Err(PacketizeError::EmptyFrame)
    );
}

// ---------------------------------------------------------------------------------------
// VP9 (RFC 9628 §4.2)

#[test]
fn vp9_real_key_frame_gets_p0_and_the_scalability_structure_with_its_size() {
    let frame = hex(VP9_KEY_FRAME_START);
    let payloads = packetize(&mut Vp9Packetizer::new(0x0102), &frame, 1200).unwrap();
    assert_eq!(payloads.len(), 1);
    // I B E V, PictureID 0x0102 in 15 bits, SS: N_S=0 Y=1 G=0, 176x144.
    assert_eq!(
        payloads[0][..8],
        [0x8e, 0x81, 0x02, 0x10, 0x00, 0xb0, 0x00, 0x90]
    );
    assert_eq!(payloads[0][8..], frame);
    let d = Vp9Descriptor::parse(&payloads[0]).unwrap();
    let ss = d.scalability_structure.unwrap();
    assert_eq!(ss.spatial_layers(), 1);
    assert!(ss.picture_group().is_none());
    assert_eq!(ss.resolutions().collect::<Vec<_>>(), [(176, 144)]);
    assert!(Vp9Depacketizer::new().is_keyframe(&payloads[0]));
}

#[test]
fn vp9_real_inter_frame_gets_p1_and_no_scalability_structure() {
    let frame = hex(VP9_INTER_FRAME_START);
    let payloads = packetize(&mut Vp9Packetizer::new(5), &frame, 1200).unwrap();
    assert_eq!(payloads[0][..3], [0xcc, 0x80, 0x05]);
    assert_eq!(payloads[0][3..], frame);
    assert!(!Vp9Depacketizer::new().is_keyframe(&payloads[0]));
    let small = hex(VP9_SMALL_INTER_FRAME);
    let payloads = packetize(&mut Vp9Packetizer::new(5), &small, 10).unwrap();
    assert_eq!(rebuild(&mut Vp9Depacketizer::new(), &payloads), small);
}

#[test]
fn vp9_b_on_the_first_payload_e_on_the_last_ss_only_on_the_first() {
    let frame = vp9_key_frame(0, 2, 1280, 720, 100);
    let payloads = packetize(&mut Vp9Packetizer::new(9), &frame, 40).unwrap();
    let d = Vp9Depacketizer::new();
    let flags: Vec<(bool, bool, bool)> = payloads
        .iter()
        .map(|p| {
            let v = Vp9Descriptor::parse(p).unwrap();
            (
                v.begins_frame,
                v.ends_frame,
                v.scalability_structure.is_some(),
            )
        })
        .collect();
    assert_eq!(flags.first(), Some(&(true, false, true)));
    assert_eq!(flags.last(), Some(&(false, true, false)));
    assert!(
        flags[1..flags.len() - 1]
            .iter()
            .all(|f| *f == (false, false, false))
    );
    assert_eq!(
        payloads.iter().filter(|p| d.is_frame_end(p, false)).count(),
        1
    );
    assert!(
        payloads
            .iter()
            .all(|p| !Vp9Descriptor::parse(p).unwrap().inter_picture_predicted)
    );
    assert_eq!(rebuild(&mut Vp9Depacketizer::new(), &payloads), frame);
}

#[test]
fn vp9_even_split_counts_the_longer_first_descriptor() {
    // 2400 bytes of key frame: the first payload has 1192 bytes of room, the others 1197.
    // Three payloads of 804 + 805 + 805 bytes (descriptors included) rather than
    // 1200 + 1200 + 14.
    let mut frame = vp9_key_frame(0, 1, 640, 480, 0);
    frame.resize(2400, 0x55);
    let payloads = packetize(&mut Vp9Packetizer::new(0), &frame, 1200).unwrap();
    let lens: Vec<usize> = payloads.iter().map(Vec::len).collect();
    assert_eq!(lens.iter().sum::<usize>(), 2400 + 8 + 3 + 3);
    assert_eq!(lens, [804, 805, 805]);
}

#[test]
fn vp9_every_profile_and_show_existing_frame() {
    for profile in 0..4 {
        let frame = vp9_key_frame(profile, 2, 320, 240, 5);
        let payloads = packetize(&mut Vp9Packetizer::new(0), &frame, 1200).unwrap();
        let ss = Vp9Descriptor::parse(&payloads[0])
            .unwrap()
            .scalability_structure
            .unwrap();
        assert_eq!(
            ss.resolutions().collect::<Vec<_>>(),
            [(320, 240)],
            "profile {profile}"
        );
    }
    // RGB (color space 7) is allowed in profiles 1 and 3.
    for profile in [1, 3] {
        assert!(
            packetize(
                &mut Vp9Packetizer::new(0),
                &vp9_key_frame(profile, 7, 8, 8, 0),
                100
            )
            .is_ok()
        );
    }
    // show_existing_frame: one byte (frame marker, profile 0, show_existing, index 5).
    let payloads = packetize(&mut Vp9Packetizer::new(0), &[0b1000_1101], 4).unwrap();
    assert_eq!(payloads, [vec![0xcc, 0x80, 0x00, 0b1000_1101]]);
    // Profile 3: reserved bit, show_existing, 3-bit index across two bytes.
    assert!(packetize(&mut Vp9Packetizer::new(0), &[0b1011_0111, 0x80], 5).is_ok());
}

#[test]
fn vp9_key_frame_too_large_for_sixteen_bits_gets_ss_without_resolution() {
    let frame = vp9_key_frame(0, 2, 65536, 720, 4);
    let payloads = packetize(&mut Vp9Packetizer::new(0), &frame, 1200).unwrap();
    let d = Vp9Descriptor::parse(&payloads[0]).unwrap();
    assert!(!d.inter_picture_predicted);
    assert!(!d.scalability_structure.unwrap().has_resolutions());
    assert_eq!(d.len, 4);
    assert_eq!(payloads[0][4..], frame);
}

#[test]
fn vp9_malformed_frame_headers_are_refused() {
    let key = vp9_key_frame(0, 2, 64, 64, 4);
    let mut bad_marker = key.clone();
    bad_marker[0] ^= 0xc0;
    let mut bad_sync = key.clone();
    bad_sync[2] ^= 0x01;
    let mut profile3_reserved = vp9_key_frame(3, 2, 64, 64, 4);
    profile3_reserved[0] |= 0x08;
    let cases: [(&str, Vec<u8>); 7] = [
        ("frame marker", bad_marker),
        ("sync code", bad_sync),
        ("profile 3 reserved bit", profile3_reserved),
        ("RGB in profile 0", vp9_key_frame(0, 7, 64, 64, 4)),
        ("key frame cut before its size", key[..8].to_vec()),
        ("profile 3 show_existing cut", vec![0b1011_0111]),
        ("frame marker only", vec![0b1000_0000]),
    ];
    for (what, frame) in cases {
        assert_eq!(
            packetize(&mut Vp9Packetizer::new(0), &frame, 1200),
            Err(PacketizeError::MalformedFrame),
            "{what}"
        );
    }
    // The subsampling reserved bit of profile 1.
    let mut profile1 = vp9_key_frame(1, 2, 64, 64, 4);
    profile1[4] |= 0x02;
    assert_eq!(
        packetize(&mut Vp9Packetizer::new(0), &profile1, 1200),
        Err(PacketizeError::MalformedFrame)
    );
}

#[test]
fn vp9_smallest_max_payload_is_the_descriptor_plus_one() {
    let key = hex(VP9_KEY_FRAME_START);
    let payloads = packetize(&mut Vp9Packetizer::new(0), &key, 9).unwrap();
    assert_eq!(payloads[0].len(), 9);
    assert_eq!(rebuild(&mut Vp9Depacketizer::new(), &payloads), key);
    assert_eq!(
        packetize(&mut Vp9Packetizer::new(0), &key, 8),
        Err(PacketizeError::PayloadSizeTooSmall)
    );
    let inter = hex(VP9_INTER_FRAME_START);
    assert_eq!(
        packetize(&mut Vp9Packetizer::new(0), &inter, 4)
            .unwrap()
            .len(),
        inter.len()
    );
    assert_eq!(
        packetize(&mut Vp9Packetizer::new(0), &inter, 3),
        Err(PacketizeError::PayloadSizeTooSmall)
    );
    assert_eq!(
        packetize(&mut Vp9Packetizer::new(0), &[], 1200),
        Err(PacketizeError::EmptyFrame)
    );
}

#[test]
fn vp9_picture_id_increments_per_frame_and_wraps() {
    let mut p = Vp9Packetizer::new(0x7fff);
    let inter = hex(VP9_INTER_FRAME_START);
    for expected in [[0xff, 0xff], [0x80, 0x00], [0x80, 0x01]] {
        assert_eq!(packetize(&mut p, &inter, 1200).unwrap()[0][1..3], expected);
    }
    assert!(packetize(&mut p, &[0x00], 1200).is_err());
    assert_eq!(p.next_picture_id(), 2);
}

#[test]
fn vp8_and_vp9_real_key_frames_split_at_every_size_come_back_whole() {
    let vp8 = hex(VP8_KEY_FRAME_START);
    let vp9 = hex(VP9_KEY_FRAME_START);
    for max_payload in 5..40 {
        let payloads = packetize(&mut Vp8Packetizer::new(0), &vp8, max_payload).unwrap();
        assert!(payloads.iter().all(|p| p.len() <= max_payload));
        assert_eq!(rebuild(&mut Vp8Depacketizer::new(), &payloads), vp8);
        assert_eq!(
            Vp8Depacketizer::new().is_keyframe(&payloads[0]),
            max_payload >= 10
        );
    }
    for max_payload in 9..40 {
        let payloads = packetize(&mut Vp9Packetizer::new(0), &vp9, max_payload).unwrap();
        assert!(payloads.iter().all(|p| p.len() <= max_payload));
        assert_eq!(rebuild(&mut Vp9Depacketizer::new(), &payloads), vp9);
        assert!(Vp9Depacketizer::new().is_keyframe(&payloads[0]));
    }
}
