//! Unit tests: RFC 6184 payload layouts, Annex B parsing, key frames and every error path.

use super::annexb::{NalUnits, find_start_code};
use super::{H264Depacketizer, H264Packetizer, PacketizationMode};
use crate::codec::{DepacketizeError, Depacketizer, PacketizeError, Packetizer};

fn packetize(
    mode: PacketizationMode,
    frame: &[u8],
    max_payload: usize,
) -> Result<Vec<Vec<u8>>, PacketizeError> {
    let mut out = Vec::new();
    let count = H264Packetizer::new(mode).packetize(frame, max_payload, &mut |p| {
        out.push(p.to_vec());
    });
    match count {
        Ok(count) => {
            assert_eq!(count, out.len(), "the count is the number of payloads");
            Ok(out)
        }
        Err(e) => {
            assert!(out.is_empty(), "nothing emitted on error");
            Err(e)
        }
    }
}

fn depacketize(payloads: &[&[u8]]) -> Result<Vec<u8>, DepacketizeError> {
    let mut frame = vec![0xee];
    let result = H264Depacketizer::new().depacketize(&mut payloads.iter().copied(), &mut frame);
    match result {
        Ok(()) => Ok(frame[1..].to_vec()),
        Err(e) => {
            assert_eq!(frame, [0xee], "the frame is left as it was on error");
            Err(e)
        }
    }
}

/// Annex B with four-byte start codes.
fn annex_b(nal_units: &[&[u8]]) -> Vec<u8> {
    nal_units
        .iter()
        .flat_map(|nal| [&[0, 0, 0, 1][..], nal].concat())
        .collect()
}

const SPS: &[u8] = &[0x67, 0x42, 0xc0, 0x1f, 0xda, 0x01, 0x40, 0x16, 0xe8];
const PPS: &[u8] = &[0x68, 0xce, 0x3c, 0x80];
const IDR: &[u8] = &[0x65, 0x88, 0x84, 0x00, 0x33, 0xff];
const SLICE: &[u8] = &[0x41, 0x9a, 0x02, 0x04];

#[test]
fn start_code_search_finds_three_byte_prefixes_only() {
    assert_eq!(find_start_code(&[0, 0, 1], 0), Some(0));
    assert_eq!(find_start_code(&[0, 0, 0, 1], 0), Some(1));
    assert_eq!(find_start_code(&[5, 0, 0, 0, 0, 1, 7], 0), Some(3));
    assert_eq!(find_start_code(&[0, 0, 2, 0, 0, 3, 0, 1], 0), None);
    assert_eq!(find_start_code(&[0, 1, 0, 0], 0), None);
    assert_eq!(find_start_code(&[0, 0, 1, 9, 0, 0, 1], 1), Some(4));
}

#[test]
fn annex_b_nal_units_drop_start_codes_and_trailing_zeros() {
    let frame = [
        0, 0, 0, 0, 1, 0x67, 1, 2, 0, 0, 0, 0, 1, 0x68, 3, 0, 0, 1, 0, 0, 1, 0x65, 4, 0, 0,
    ];
    let nals: Vec<&[u8]> = NalUnits::new(&frame).unwrap().collect();
    assert_eq!(nals, [&[0x67, 1, 2][..], &[0x68, 3], &[0x65, 4]]);
}

#[test]
fn annex_b_rejects_garbage_before_the_first_start_code() {
    assert_eq!(
        NalUnits::new(&[9, 0, 0, 1, 0x65]).err(),
        Some(PacketizeError::MalformedFrame)
    );
    assert_eq!(
        NalUnits::new(&[0x65, 1, 2]).err(),
        Some(PacketizeError::MalformedFrame)
    );
    assert_eq!(NalUnits::new(&[]).err(), Some(PacketizeError::EmptyFrame));
}

#[test]
fn sps_pps_and_idr_share_one_stap_a_laid_out_per_rfc_6184_5_7_1() {
    let frame = annex_b(&[SPS, PPS, IDR]);
    let payloads = packetize(PacketizationMode::NonInterleaved, &frame, 1200).unwrap();
    let mut expected = vec![0x78]; // F=0, NRI=3 (the largest), type 24
    for nal in [SPS, PPS, IDR] {
        expected.extend_from_slice(&u16::try_from(nal.len()).unwrap().to_be_bytes());
        expected.extend_from_slice(nal);
    }
    assert_eq!(payloads, [expected]);
}

#[test]
fn stap_a_nri_is_the_largest_of_its_units() {
    let low = [0x21, 1, 2]; // NRI 1, type 1
    let sei = [0x06, 5, 5]; // NRI 0, type 6
    let payloads = packetize(
        PacketizationMode::NonInterleaved,
        &annex_b(&[&sei, &low]),
        100,
    )
    .unwrap();
    assert_eq!(payloads[0][0], 0x20 | 24);
}

#[test]
fn a_run_that_does_not_fit_is_split_into_stap_a_and_single_nal_unit_packets() {
    // STAP-A of SPS and PPS: 1 + 2 + 9 + 2 + 4 = 18 bytes; the IDR would need 8 more.
    let frame = annex_b(&[SPS, PPS, IDR, SLICE]);
    let payloads = packetize(PacketizationMode::NonInterleaved, &frame, 18).unwrap();
    assert_eq!(payloads.len(), 2);
    assert_eq!(payloads[0][0] & 0x1f, 24);
    assert_eq!(payloads[0].len(), 18);
    // IDR and slice: 1 + 2 + 6 + 2 + 4 = 15 bytes.
    assert_eq!(payloads[1][0] & 0x1f, 24);
    assert_eq!(payloads[1].len(), 15);
    // One byte less: nothing aggregates.
    let payloads = packetize(PacketizationMode::NonInterleaved, &frame, 14).unwrap();
    assert_eq!(payloads, [SPS, PPS, IDR, SLICE]);
}

#[test]
fn fu_a_headers_carry_s_e_and_the_nal_unit_type_per_rfc_6184_5_8() {
    let nal: Vec<u8> = [0x65].into_iter().chain(1..=9).collect();
    let payloads = packetize(PacketizationMode::NonInterleaved, &annex_b(&[&nal]), 5).unwrap();
    assert_eq!(
        payloads,
        [
            vec![0x7c, 0x85, 1, 2, 3], // FU indicator F=0 NRI=3 type 28; S=1, type 5
            vec![0x7c, 0x05, 4, 5, 6], // neither S nor E
            vec![0x7c, 0x45, 7, 8, 9], // E=1
        ]
    );
}

#[test]
fn fu_a_fragments_are_as_even_as_possible() {
    // 10 bytes after the NAL unit header, 3 per FU-A at most: 4 fragments, 3 3 2 2.
    let nal: Vec<u8> = [0x41].into_iter().chain(1..=10).collect();
    let payloads = packetize(PacketizationMode::NonInterleaved, &annex_b(&[&nal]), 5).unwrap();
    let sizes: Vec<usize> = payloads.iter().map(|p| p.len() - 2).collect();
    assert_eq!(sizes, [3, 3, 2, 2]);
    // 2397 bytes after the header at 1200: three fragments of 799, not 1198 + 1198 + 1.
    let nal: Vec<u8> = [0x41]
        .into_iter()
        .chain(std::iter::repeat_n(7, 2397))
        .collect();
    let payloads = packetize(PacketizationMode::NonInterleaved, &annex_b(&[&nal]), 1200).unwrap();
    let sizes: Vec<usize> = payloads.iter().map(Vec::len).collect();
    assert_eq!(sizes, [801, 801, 801]);
}

#[test]
fn a_nal_unit_that_fits_a_payload_exactly_is_not_fragmented() {
    let payloads = packetize(
        PacketizationMode::NonInterleaved,
        &annex_b(&[IDR]),
        IDR.len(),
    )
    .unwrap();
    assert_eq!(payloads, [IDR]);
}

#[test]
fn nal_units_too_long_for_a_size_field_travel_alone() {
    let big: Vec<u8> = [0x41]
        .into_iter()
        .chain(std::iter::repeat_n(7, 70_000))
        .collect();
    let frame = annex_b(&[SPS, &big, PPS]);
    let payloads = packetize(PacketizationMode::NonInterleaved, &frame, 100_000).unwrap();
    assert_eq!(payloads, [SPS, &big[..], PPS]);
}

#[test]
fn single_nal_unit_mode_sends_each_nal_unit_alone() {
    let frame = annex_b(&[SPS, PPS, IDR]);
    let payloads = packetize(PacketizationMode::SingleNalUnit, &frame, 1200).unwrap();
    assert_eq!(payloads, [SPS, PPS, IDR]);
    assert_eq!(
        packetize(PacketizationMode::SingleNalUnit, &frame, SPS.len() - 1),
        Err(PacketizeError::PayloadSizeTooSmall)
    );
}

#[test]
fn packetize_rejects_what_rtp_cannot_carry() {
    use PacketizationMode::NonInterleaved as Mode;
    assert_eq!(packetize(Mode, &[], 1200), Err(PacketizeError::EmptyFrame));
    assert_eq!(
        packetize(Mode, IDR, 1200),
        Err(PacketizeError::MalformedFrame)
    );
    assert_eq!(
        packetize(Mode, &[0, 0, 1, 0, 0, 0, 1], 1200),
        Err(PacketizeError::MalformedFrame),
        "start codes without NAL units"
    );
    for header in [0x80 | 0x65, 0x00, 0x18, 0x1c, 0x1f] {
        assert_eq!(
            packetize(Mode, &annex_b(&[SPS, &[header, 1, 2]]), 1200),
            Err(PacketizeError::MalformedFrame),
            "header {header:#04x}"
        );
    }
    assert_eq!(
        packetize(Mode, &annex_b(&[&[0x65, 1, 2]]), 2),
        Err(PacketizeError::PayloadSizeTooSmall),
        "an FU-A needs three bytes"
    );
    assert_eq!(
        packetize(Mode, &annex_b(&[&[0x0b]]), 0),
        Err(PacketizeError::PayloadSizeTooSmall)
    );
    assert_eq!(packetize(Mode, &annex_b(&[&[0x0b]]), 1).unwrap(), [[0x0b]]);
}

#[test]
fn modes_map_to_fmtp_values() {
    assert_eq!(
        PacketizationMode::from_fmtp(0),
        Some(PacketizationMode::SingleNalUnit)
    );
    assert_eq!(
        PacketizationMode::from_fmtp(1),
        Some(PacketizationMode::NonInterleaved)
    );
    assert_eq!(PacketizationMode::from_fmtp(2), None);
    assert_eq!(PacketizationMode::NonInterleaved.fmtp_value(), 1);
    assert_eq!(
        H264Packetizer::default().mode(),
        PacketizationMode::NonInterleaved
    );
}

#[test]
fn depacketize_writes_four_byte_start_codes_for_every_structure() {
    let stap = [&[0x78, 0, 9][..], SPS, &[0, 4], PPS].concat();
    let fu = [
        [0x7c, 0x85, 0x88, 0x84].as_slice(),
        &[0x7c, 0x05, 0x00],
        &[0x7c, 0x45, 0x33, 0xff],
    ];
    let payloads: Vec<&[u8]> = [&stap[..], fu[0], fu[1], fu[2], SLICE].into();
    assert_eq!(
        depacketize(&payloads).unwrap(),
        annex_b(&[SPS, PPS, IDR, SLICE])
    );
}

#[test]
fn depacketize_ignores_reserved_types() {
    let stap = [&[0x78, 0, 2, 0x1e, 1, 0, 4][..], PPS].concat();
    let fu = [[0x7c, 0x80, 1].as_slice(), &[0x7c, 0x40, 2]]; // fragmented type 0
    let payloads: Vec<&[u8]> = [&[0x00, 1][..], &[0x1f, 2], &stap, fu[0], fu[1], SLICE].into();
    assert_eq!(depacketize(&payloads).unwrap(), annex_b(&[PPS, SLICE]));
}

#[test]
fn depacketize_refuses_the_interleaved_mode() {
    for header in [25, 26, 27, 29] {
        assert_eq!(
            depacketize(&[&[header, 0, 1, 2, 3, 4, 5]]),
            Err(DepacketizeError::Unsupported)
        );
    }
}

#[test]
fn depacketize_rejects_broken_fragmentation_as_incomplete() {
    let start: &[u8] = &[0x7c, 0x85, 1];
    let middle: &[u8] = &[0x7c, 0x05, 2];
    let end: &[u8] = &[0x7c, 0x45, 3];
    let incomplete = Err(DepacketizeError::Incomplete);
    assert_eq!(depacketize(&[middle, end]), incomplete, "no start");
    assert_eq!(depacketize(&[end]), incomplete, "no start");
    assert_eq!(depacketize(&[start, middle]), incomplete, "no end");
    assert_eq!(depacketize(&[start, SLICE]), incomplete, "end lost");
    assert_eq!(depacketize(&[start, start, end]), incomplete, "start twice");
    assert_eq!(
        depacketize(&[start, &[0x7c, 0x41, 3]]),
        incomplete,
        "type change"
    );
    assert!(depacketize(&[start, middle, end]).is_ok());
    assert!(
        depacketize(&[start, &[0x7c, 0x45]]).is_ok(),
        "an FU payload may be empty"
    );
}

#[test]
fn depacketize_rejects_malformed_and_truncated_payloads() {
    let malformed = Err(DepacketizeError::Malformed);
    let truncated = Err(DepacketizeError::Truncated);
    assert_eq!(depacketize(&[&[]]), truncated, "empty payload");
    assert_eq!(depacketize(&[&[0xe5, 1]]), malformed, "F bit");
    assert_eq!(
        depacketize(&[&[0xf8, 0, 1, 0x65]]),
        malformed,
        "F bit on a STAP-A"
    );
    assert_eq!(depacketize(&[&[0x78]]), malformed, "STAP-A without units");
    assert_eq!(depacketize(&[&[0x78, 0, 0]]), malformed, "empty unit");
    assert_eq!(
        depacketize(&[&[0x78, 0, 1, 0xe5]]),
        malformed,
        "F bit in a unit"
    );
    assert_eq!(
        depacketize(&[&[0x78, 0, 1, 0x78]]),
        malformed,
        "nested STAP-A"
    );
    assert_eq!(
        depacketize(&[&[0x78, 0, 1, 0x65, 0]]),
        truncated,
        "size cut short"
    );
    assert_eq!(
        depacketize(&[&[0x78, 0, 3, 0x65, 1]]),
        truncated,
        "unit past the end"
    );
    assert_eq!(depacketize(&[&[0x7c]]), truncated, "FU-A without FU header");
    assert_eq!(
        depacketize(&[&[0x7c, 0xc5, 1]]),
        malformed,
        "S and E together"
    );
    assert_eq!(
        depacketize(&[&[0x7c, 0x9c, 1]]),
        malformed,
        "fragmented FU-A"
    );
    assert_eq!(
        depacketize(&[&[0xfc, 0x85, 1]]),
        malformed,
        "F bit on an FU indicator"
    );
}

#[test]
fn frame_starts_are_single_nal_units_stap_a_and_first_fragments() {
    let d = H264Depacketizer::new();
    assert!(d.is_frame_start(SLICE));
    assert!(d.is_frame_start(&[0x78, 0, 1, 0x41]));
    assert!(d.is_frame_start(&[0x7c, 0x81, 1]));
    assert!(!d.is_frame_start(&[0x7c, 0x01, 1]));
    assert!(!d.is_frame_start(&[0x7c]));
    assert!(!d.is_frame_start(&[]));
    assert!(!d.is_frame_start(&[0x1e, 1]), "reserved");
    assert!(!d.is_frame_start(&[0x19, 1]), "STAP-B");
    assert!(!d.is_frame_start(&[0xc1, 1]), "F bit");
}

#[test]
fn keyframes_hold_an_idr_slice_or_an_sps_anywhere_in_the_first_payload() {
    let d = H264Depacketizer::new();
    assert!(d.is_keyframe(IDR));
    assert!(d.is_keyframe(SPS));
    assert!(!d.is_keyframe(PPS));
    assert!(!d.is_keyframe(SLICE));
    assert!(!d.is_keyframe(&[]));
    let stap = [&[0x78, 0, 6][..], &[0x06, 1, 2, 3, 4, 5], &[0, 6], IDR].concat();
    assert!(d.is_keyframe(&stap), "IDR second in a STAP-A");
    assert!(!d.is_keyframe(&[0x78, 0, 4, 0x41, 1, 2, 3]));
    assert!(!d.is_keyframe(&[0x78, 0, 9, 0x65]), "unit past the end");
    assert!(d.is_keyframe(&[0x7c, 0x85, 1]));
    assert!(!d.is_keyframe(&[0x7c, 0x05, 1]), "not the first fragment");
    assert!(!d.is_keyframe(&[0x7c, 0x81, 1]));
}

#[test]
fn the_packetizer_reuses_its_scratch_buffer() {
    let big: Vec<u8> = [0x65]
        .into_iter()
        .chain(std::iter::repeat_n(9, 5000))
        .collect();
    let frame = annex_b(&[SPS, PPS, &big, SLICE, SLICE]);
    let mut packetizer = H264Packetizer::default();
    let mut sink = |_: &[u8]| {};
    packetizer.packetize(&frame, 1200, &mut sink).unwrap();
    let (ptr, capacity) = (packetizer.scratch.as_ptr(), packetizer.scratch.capacity());
    for _ in 0..100 {
        packetizer.packetize(&frame, 1200, &mut sink).unwrap();
    }
    assert_eq!(packetizer.scratch.as_ptr(), ptr);
    assert_eq!(packetizer.scratch.capacity(), capacity);
}
