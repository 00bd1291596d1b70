//! H.264 (RFC 6184) and AV1 (AV1 RTP specification) payloads round-trip: random access units
//! and temporal units, packetized at random payload sizes, depacketize to the input in its
//! normalized form (four-byte start codes; size fields on every OBU, no temporal
//! delimiters), every payload within the size limit and following the packetization rules.
//! Arbitrary payloads never panic a depacketizer and never grow the frame past the bytes
//! they carry plus one start code per NAL unit or one size field per OBU.

use proptest::prelude::*;
use sansrtc_media::av1::{Av1Depacketizer, Av1Packetizer};
use sansrtc_media::h264::{H264Depacketizer, H264Packetizer, PacketizationMode};
use sansrtc_media::{Depacketizer, Packetizer};

/// Deterministic filler bytes (xorshift), cheaper to generate and shrink than a byte vector.
fn filler(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[3]
        })
        .collect()
}

fn packetize(packetizer: &mut dyn Packetizer, frame: &[u8], max_payload: usize) -> Vec<Vec<u8>> {
    let mut payloads = Vec::new();
    let count = packetizer
        .packetize(frame, max_payload, &mut |p| payloads.push(p.to_vec()))
        .expect("a valid frame packetizes");
    assert_eq!(count, payloads.len());
    payloads
}

fn depacketize(depacketizer: &mut dyn Depacketizer, payloads: &[Vec<u8>]) -> Vec<u8> {
    let mut frame = Vec::new();
    depacketizer
        .depacketize(&mut payloads.iter().map(Vec::as_slice), &mut frame)
        .expect("our own payloads depacketize");
    frame
}

// ---------------------------------------------------------------------------------------
// H.264

/// One NAL unit: header (F=0, any NRI, types 1 to 23) and a body with emulation prevention
/// (no `00 00 0x` with x <= 2 inside) that does not end in a zero byte (H.264 §7.4.1).
#[derive(Debug, Clone)]
struct Nal(Vec<u8>);

fn nal(max_len: usize) -> impl Strategy<Value = Nal> {
    let len = prop_oneof![
        4 => 0..64usize,
        3 => 64..1500usize,
        1 => 1500..max_len.max(1501),
    ]
    .prop_map(move |len| len.min(max_len.saturating_sub(1)));
    (0..4u8, 1..=23u8, len, any::<u64>()).prop_map(|(nri, nal_type, len, seed)| {
        let mut bytes = vec![(nri << 5) | nal_type];
        let mut zeros = 0;
        for b in filler(len, seed) {
            if zeros >= 2 && b <= 3 {
                bytes.push(3);
                zeros = 0;
            }
            bytes.push(b);
            zeros = if b == 0 { zeros + 1 } else { 0 };
        }
        if bytes.last() == Some(&0) {
            bytes.push(0x80);
        }
        Nal(bytes)
    })
}

/// How a NAL unit is framed in the Annex B input: a 3- or 4-byte start code, and
/// trailing_zero_8bits after it.
fn framing() -> impl Strategy<Value = (bool, usize)> {
    (
        any::<bool>(),
        prop_oneof![6 => Just(0usize), 1 => 1..4usize],
    )
}

fn access_unit(nals: &[Nal], framing: &[(bool, usize)]) -> (Vec<u8>, Vec<u8>) {
    let (mut input, mut expected) = (Vec::new(), Vec::new());
    for (Nal(nal), &(long, trailing)) in nals.iter().zip(framing.iter().cycle()) {
        input.extend_from_slice(if long { &[0, 0, 0, 1] } else { &[0, 0, 1] });
        input.extend_from_slice(nal);
        input.resize(input.len() + trailing, 0);
        expected.extend_from_slice(&[0, 0, 0, 1]);
        expected.extend_from_slice(nal);
    }
    (input, expected)
}

fn check_h264(
    mode: PacketizationMode,
    nals: &[Nal],
    framing: &[(bool, usize)],
    max_payload: usize,
) {
    let (input, expected) = access_unit(nals, framing);
    let payloads = packetize(&mut H264Packetizer::new(mode), &input, max_payload);
    assert!(
        payloads
            .iter()
            .all(|p| !p.is_empty() && p.len() <= max_payload)
    );
    if mode == PacketizationMode::SingleNalUnit {
        assert_eq!(payloads.len(), nals.len(), "one payload per NAL unit");
    }
    let mut depacketizer = H264Depacketizer::new();
    assert!(depacketizer.is_frame_start(&payloads[0]));
    let first_type = nals[0].0[0] & 0x1f;
    let has_key = nals.iter().any(|Nal(n)| matches!(n[0] & 0x1f, 5 | 7));
    let key = depacketizer.is_keyframe(&payloads[0]);
    assert!(!key || has_key, "a key frame holds an IDR slice or an SPS");
    assert!(
        key || !matches!(first_type, 5 | 7),
        "an IDR or SPS first is a key frame"
    );
    assert_eq!(depacketize(&mut depacketizer, &payloads), expected);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn h264_non_interleaved_round_trips(
        nals in prop::collection::vec(nal(100_000), 1..=10),
        framing in prop::collection::vec(framing(), 1..=10),
        max_payload in 3..=1200usize,
    ) {
        check_h264(PacketizationMode::NonInterleaved, &nals, &framing, max_payload);
    }

    #[test]
    fn h264_single_nal_unit_mode_round_trips(
        nals in prop::collection::vec(nal(1200), 1..=10),
        framing in prop::collection::vec(framing(), 1..=10),
        slack in 0..=300usize,
    ) {
        let largest = nals.iter().map(|Nal(n)| n.len()).max().unwrap_or(1);
        check_h264(PacketizationMode::SingleNalUnit, &nals, &framing, largest + slack);
        // Mode 1 at the same size needs no fragments either.
        check_h264(PacketizationMode::NonInterleaved, &nals, &framing, largest + slack);
    }
}

// ---------------------------------------------------------------------------------------
// AV1

/// One OBU: any type but temporal delimiter (2) and tile list (8), with or without an
/// extension header, payload of any size.
#[derive(Debug, Clone)]
struct Obu {
    obu_type: u8,
    extension: Option<u8>,
    payload: Vec<u8>,
}

impl Obu {
    /// In the low-overhead format: obu_has_size_field set, leb128 size.
    fn sized(&self) -> Vec<u8> {
        let ext_flag = if self.extension.is_some() { 0x04 } else { 0 };
        let mut out = vec![(self.obu_type << 3) | ext_flag | 0x02];
        out.extend(self.extension);
        let mut size = self.payload.len();
        loop {
            let byte = (size & 0x7f) as u8;
            size >>= 7;
            out.push(byte | if size > 0 { 0x80 } else { 0 });
            if size == 0 {
                break;
            }
        }
        out.extend_from_slice(&self.payload);
        out
    }
}

fn obu() -> impl Strategy<Value = Obu> {
    let obu_type = (0..16u8).prop_filter("not sent", |t| *t != 2 && *t != 8);
    let len = prop_oneof![4 => 0..40usize, 3 => 40..1500usize, 1 => 1500..30_000usize];
    (obu_type, prop::option::of(any::<u8>()), len, any::<u64>()).prop_map(
        |(obu_type, extension, len, seed)| Obu {
            obu_type,
            extension,
            payload: filler(len, seed),
        },
    )
}

/// The OBU elements of a payload: (starts an OBU, element bytes).
fn elements(payload: &[u8]) -> Vec<(bool, &[u8])> {
    let (z, w) = (payload[0] & 0x80 != 0, usize::from((payload[0] >> 4) & 3));
    let mut rest = &payload[1..];
    let mut out = Vec::new();
    while if w == 0 {
        !rest.is_empty()
    } else {
        out.len() < w
    } {
        let element = if out.len() + 1 == w {
            std::mem::take(&mut rest)
        } else {
            let (mut size, mut shift, mut at) = (0usize, 0, 0);
            loop {
                size |= usize::from(rest[at] & 0x7f) << shift;
                shift += 7;
                at += 1;
                if rest[at - 1] & 0x80 == 0 {
                    break;
                }
            }
            let (element, tail) = rest[at..].split_at(size);
            rest = tail;
            element
        };
        out.push((!(out.is_empty() && z), element));
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn av1_round_trips_without_temporal_delimiters(
        obus in prop::collection::vec(obu(), 1..=8),
        delimiter_at in prop::option::of(0..8usize),
        max_payload in 2..=1200usize,
    ) {
        let mut input = Vec::new();
        for (i, obu) in obus.iter().enumerate() {
            if delimiter_at == Some(i) {
                input.extend_from_slice(&[0x12, 0x00]);
            }
            input.extend(obu.sized());
        }
        let expected: Vec<u8> = obus.iter().flat_map(Obu::sized).collect();
        let payloads = packetize(&mut Av1Packetizer::new(), &input, max_payload);
        prop_assert!(payloads.iter().all(|p| p.len() >= 2 && p.len() <= max_payload));

        let mut depacketizer = Av1Depacketizer::new();
        prop_assert!(depacketizer.is_frame_start(&payloads[0]));
        let new_sequence = obus[0].obu_type == 1;
        prop_assert_eq!(depacketizer.is_keyframe(&payloads[0]), new_sequence);
        prop_assert!(payloads[1..].iter().all(|p| p[0] & 0x08 == 0), "N on the first only");
        prop_assert!(payloads.last().is_some_and(|p| p[0] & 0x40 == 0), "no Y on the last");
        for payload in &payloads {
            // Elements that start an OBU: none with a size field; one layer per packet.
            let mut layers = Vec::new();
            for (starts, element) in elements(payload) {
                if starts {
                    prop_assert_eq!(element[0] & 0x02, 0, "obu_has_size_field cleared");
                    if element[0] & 0x04 != 0 && element.len() > 1 {
                        layers.push(element[1] & 0xf8);
                    }
                }
            }
            layers.dedup();
            prop_assert!(layers.len() <= 1, "OBUs of two layers in one packet");
        }
        prop_assert_eq!(depacketize(&mut depacketizer, &payloads), expected);
    }
}

// ---------------------------------------------------------------------------------------
// Arbitrary payloads

/// The frame grows by at most the payload bytes plus `per_unit` bytes per unit found.
fn check_bounded(
    depacketizer: &mut dyn Depacketizer,
    payloads: &[Vec<u8>],
    units: fn(&[u8]) -> usize,
    per_unit: usize,
) {
    for payload in payloads {
        let _ = depacketizer.is_frame_start(payload);
        let _ = depacketizer.is_keyframe(payload);
    }
    let mut frame = vec![7; 3];
    match depacketizer.depacketize(&mut payloads.iter().map(Vec::as_slice), &mut frame) {
        Ok(()) => {
            let total: usize = payloads.iter().map(Vec::len).sum();
            let out = &frame[3..];
            assert!(out.len() <= total + per_unit * units(out));
        }
        Err(_) => assert_eq!(frame, [7; 3]),
    }
}

/// Start codes in an H.264 frame we wrote: at least one per NAL unit.
fn start_codes(frame: &[u8]) -> usize {
    frame.windows(4).filter(|w| *w == [0, 0, 0, 1]).count()
}

/// OBUs in an AV1 frame we wrote, which must parse as the low-overhead format.
fn sized_obus(frame: &[u8]) -> usize {
    let mut rest = frame;
    let mut count = 0;
    while let [header, tail @ ..] = rest {
        assert_ne!(header & 0x02, 0, "every OBU has its size field");
        let tail = if header & 0x04 != 0 { &tail[1..] } else { tail };
        let (mut size, mut at) = (0usize, 0);
        loop {
            size |= usize::from(tail[at] & 0x7f) << (7 * at);
            at += 1;
            if tail[at - 1] & 0x80 == 0 {
                break;
            }
        }
        rest = &tail[at + size..];
        count += 1;
    }
    count
}

proptest! {
    #[test]
    fn arbitrary_payloads_never_panic_and_stay_bounded(
        payloads in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..40), 1..6),
    ) {
        check_bounded(&mut H264Depacketizer::new(), &payloads, start_codes, 4);
        check_bounded(&mut Av1Depacketizer::new(), &payloads, sized_obus, 8);
    }
}
