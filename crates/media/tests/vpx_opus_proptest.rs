//! Property tests for Opus (RFC 7587), VP8 (RFC 7741) and VP9 (RFC 9628): any frame from 1
//! byte to 150 KB, split at any `max_payload` from the smallest that fits the descriptor to
//! 1200, comes back byte for byte; no payload exceeds `max_payload`; exactly one payload
//! starts the frame (and, for VP9, exactly one ends it); the split uses as few payloads as
//! possible, evenly sized. Arbitrary payloads never panic a depacketizer, and a refused
//! frame leaves the caller's buffer as it was.

use proptest::prelude::*;
use sansrtc_media::opus::{OpusDepacketizer, OpusPacketizer};
use sansrtc_media::vp8::{Vp8Depacketizer, Vp8Descriptor, Vp8Packetizer};
use sansrtc_media::vp9::{Vp9Depacketizer, Vp9Descriptor, Vp9Packetizer};
use sansrtc_media::{Depacketizer, Packetizer};

/// Payloads packetized into one buffer, with where each ends.
struct Payloads {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl Payloads {
    fn of(packetizer: &mut dyn Packetizer, frame: &[u8], max_payload: usize) -> Self {
        let mut out = Self {
            bytes: Vec::new(),
            ends: Vec::new(),
        };
        let count = packetizer
            .packetize(frame, max_payload, &mut |p| {
                out.bytes.extend_from_slice(p);
                out.ends.push(out.bytes.len());
            })
            .unwrap();
        assert_eq!(count, out.ends.len());
        out
    }

    fn iter(&self) -> impl Iterator<Item = &[u8]> + '_ {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(self.ends.iter().copied())
            .map(|(s, e)| &self.bytes[s..e])
    }

    fn lens(&self) -> Vec<usize> {
        self.iter().map(<[u8]>::len).collect()
    }

    fn rebuild(&self, depacketizer: &mut dyn Depacketizer) -> Vec<u8> {
        let mut frame = Vec::new();
        depacketizer
            .depacketize(&mut self.iter(), &mut frame)
            .unwrap();
        frame
    }
}

/// Pseudo-random bytes from a seed (SplitMix64): 150 KB frames without 150 K strategies.
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

/// Frame sizes: mostly small, often up to 150 KB.
fn frame_len() -> impl Strategy<Value = usize> {
    prop_oneof![3 => 1usize..=3000, 1 => 1usize..=150_000]
}

/// Checks the split uses as few payloads as the capacities allow (`first_cap` data bytes in
/// the first payload, `cap` in the others).
fn assert_minimal(lens: &[usize], data_len: usize, first_cap: usize, cap: usize) {
    let minimal = if data_len <= first_cap {
        1
    } else {
        1 + (data_len - first_cap).div_ceil(cap)
    };
    assert_eq!(lens.len(), minimal, "as few payloads as possible: {lens:?}");
}

/// Checks the payloads (descriptors included) differ in length by at most one byte.
fn assert_even(lens: &[usize]) {
    let (max, min) = (lens.iter().max().unwrap(), lens.iter().min().unwrap());
    assert!(max - min <= 1, "even payloads: {lens:?}");
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

/// What a generated VP9 frame starts with (VP9 bitstream §6.2).
#[derive(Debug, Clone, Copy)]
enum Vp9Kind {
    Key {
        profile: u32,
        width: u32,
        height: u32,
    },
    Inter {
        profile: u32,
    },
    ShowExisting {
        profile: u32,
        index: u32,
    },
}

impl Vp9Kind {
    fn header(self) -> Vec<u8> {
        let mut b = Bits::default();
        let profile = match self {
            Self::Key { profile, .. }
            | Self::Inter { profile }
            | Self::ShowExisting { profile, .. } => profile,
        };
        b.put(2, 2).put(1, profile & 1).put(1, profile >> 1);
        if profile == 3 {
            b.put(1, 0);
        }
        match self {
            Self::ShowExisting { index, .. } => {
                b.put(1, 1).put(3, index);
            }
            Self::Inter { .. } => {
                b.put(4, 0b0110);
            }
            Self::Key { width, height, .. } => {
                b.put(4, 0b0010).put(8, 0x49).put(8, 0x83).put(8, 0x42);
                if profile >= 2 {
                    b.put(1, 0);
                }
                b.put(3, 1).put(1, 0);
                if profile & 1 == 1 {
                    b.put(3, 0b110);
                }
                b.put(16, width - 1).put(16, height - 1);
            }
        }
        b.0
    }
}

fn vp9_kind() -> impl Strategy<Value = Vp9Kind> {
    prop_oneof![
        (0u32..4, 1u32..=65535, 1u32..=65535).prop_map(|(profile, width, height)| Vp9Kind::Key {
            profile,
            width,
            height
        }),
        (0u32..4).prop_map(|profile| Vp9Kind::Inter { profile }),
        (0u32..4, 0u32..8).prop_map(|(profile, index)| Vp9Kind::ShowExisting { profile, index }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn vp8_frames_round_trip_at_any_max_payload(
        len in frame_len(),
        seed in any::<u64>(),
        max_payload in 5usize..=1200,
        first_picture_id in any::<u16>(),
    ) {
        let frame = bytes(len, seed);
        let mut packetizer = Vp8Packetizer::new(first_picture_id);
        let payloads = Payloads::of(&mut packetizer, &frame, max_payload);
        let lens = payloads.lens();
        prop_assert!(lens.iter().all(|&l| l <= max_payload));
        let depacketizer = Vp8Depacketizer::new();
        prop_assert_eq!(payloads.iter().filter(|p| depacketizer.is_frame_start(p)).count(), 1);
        prop_assert!(depacketizer.is_frame_start(payloads.iter().next().unwrap()));
        for p in payloads.iter() {
            let d = Vp8Descriptor::parse(p).unwrap();
            prop_assert_eq!(d.picture_id.map(|id| id.value()), Some(first_picture_id & 0x7fff));
        }
        prop_assert_eq!(packetizer.next_picture_id(), first_picture_id.wrapping_add(1) & 0x7fff);
        let cap = max_payload - 4;
        assert_minimal(&lens, len, cap, cap);
        // The first payload holds the 10-byte frame header when it has room for it; past
        // 20 bytes of room an even share is at least that much.
        prop_assert!(lens[0] >= 14.min(max_payload).min(len + 4));
        if cap >= 20 {
            assert_even(&lens);
        }
        prop_assert_eq!(payloads.rebuild(&mut Vp8Depacketizer::new()), frame);
    }

    #[test]
    fn vp9_frames_round_trip_at_any_max_payload(
        kind in vp9_kind(),
        len in frame_len(),
        seed in any::<u64>(),
        max_payload in 0usize..=1200,
        first_picture_id in any::<u16>(),
    ) {
        let mut frame = kind.header();
        frame.extend_from_slice(&bytes(len, seed));
        let key = matches!(kind, Vp9Kind::Key { .. });
        let first_descriptor = if key { 8 } else { 3 };
        let max_payload = max_payload.max(first_descriptor + 1);
        let payloads = Payloads::of(&mut Vp9Packetizer::new(first_picture_id), &frame, max_payload);
        let lens = payloads.lens();
        prop_assert!(lens.iter().all(|&l| l <= max_payload));
        let d = Vp9Depacketizer::new();
        prop_assert_eq!(payloads.iter().filter(|p| d.is_frame_start(p)).count(), 1);
        prop_assert_eq!(payloads.iter().filter(|p| d.is_frame_end(p, false)).count(), 1);
        let first = payloads.iter().next().unwrap();
        let last = payloads.iter().last().unwrap();
        prop_assert!(d.is_frame_start(first) && d.is_frame_end(last, false));
        prop_assert_eq!(d.is_keyframe(first), key);
        let descriptor = Vp9Descriptor::parse(first).unwrap();
        prop_assert_eq!(descriptor.picture_id.map(|id| id.value()), Some(first_picture_id & 0x7fff));
        if let Vp9Kind::Key { width, height, .. } = kind {
            let ss = descriptor.scalability_structure.unwrap();
            let expected = u16::try_from(width).ok().zip(u16::try_from(height).ok());
            prop_assert_eq!(ss.resolutions().next(), expected);
        } else {
            prop_assert!(descriptor.scalability_structure.is_none());
        }
        let cap = max_payload - 3;
        assert_minimal(&lens, frame.len(), max_payload - first_descriptor, cap);
        // With 12 bytes of room or more, an even share of the first payload also fits its
        // 5 extra bytes of scalability structure.
        if cap >= 12 {
            assert_even(&lens);
        }
        prop_assert_eq!(payloads.rebuild(&mut Vp9Depacketizer::new()), frame);
    }

    #[test]
    fn opus_packets_round_trip_or_are_refused_whole(
        len in 1usize..=1500,
        seed in any::<u64>(),
        max_payload in 1usize..=1500,
    ) {
        let packet = bytes(len, seed);
        let mut emitted = 0;
        let result = OpusPacketizer::new().packetize(&packet, max_payload, &mut |p| {
            emitted += 1;
            assert_eq!(p, &packet[..]);
        });
        prop_assert_eq!(result.is_ok(), len <= max_payload);
        prop_assert_eq!(emitted, usize::from(len <= max_payload));
        let mut frame = Vec::new();
        OpusDepacketizer::new().depacketize(&mut std::iter::once(&packet[..]), &mut frame).unwrap();
        prop_assert_eq!(frame, packet);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_payloads_never_panic_and_never_half_write(
        payloads in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..24), 0..6),
        marker in any::<bool>(),
    ) {
        let total: usize = payloads.iter().map(Vec::len).sum();
        let depacketizers: [&mut dyn Depacketizer; 3] = [
            &mut OpusDepacketizer::new(),
            &mut Vp8Depacketizer::new(),
            &mut Vp9Depacketizer::new(),
        ];
        for depacketizer in depacketizers {
            for p in &payloads {
                let _ = depacketizer.is_frame_start(p);
                let _ = depacketizer.is_frame_end(p, marker);
                let _ = depacketizer.is_keyframe(p);
            }
            let mut frame = vec![0xa5; 3];
            let result = depacketizer.depacketize(&mut payloads.iter().map(Vec::as_slice), &mut frame);
            prop_assert_eq!(&frame[..3], &[0xa5; 3]);
            match result {
                Ok(()) => prop_assert!(frame.len() - 3 <= total),
                Err(_) => prop_assert_eq!(frame.len(), 3),
            }
        }
        for p in &payloads {
            if let Ok(d) = Vp8Descriptor::parse(p) {
                prop_assert!(d.len < p.len());
            }
            if let Ok(d) = Vp9Descriptor::parse(p) {
                prop_assert!(d.len < p.len());
                if let Some(ss) = d.scalability_structure {
                    prop_assert!(ss.resolutions().count() <= usize::from(ss.spatial_layers()));
                    if let Some(group) = ss.picture_group() {
                        let n = group.len();
                        prop_assert_eq!(group.count(), n);
                    }
                }
            }
        }
    }
}
