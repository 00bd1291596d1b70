//! Unit tests: aggregation header fields, W, fragments over two and three packets, OBU
//! parsing, leb128 and every error path.

use super::leb128::{self, Leb128Error};
use super::{Av1Depacketizer, Av1Packetizer};
use crate::codec::{DepacketizeError, Depacketizer, PacketizeError, Packetizer};

const SEQUENCE_HEADER: u8 = 1;
const TEMPORAL_DELIMITER: u8 = 2;
const FRAME_HEADER: u8 = 3;
const METADATA: u8 = 5;
const FRAME: u8 = 6;
const TILE_LIST: u8 = 8;

/// An OBU in the low-overhead format: header with obu_has_size_field, extension, size.
fn obu(obu_type: u8, extension: Option<u8>, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![(obu_type << 3) | 0x02 | if extension.is_some() { 0x04 } else { 0 }];
    out.extend(extension);
    leb128::write(payload.len(), &mut out);
    out.extend_from_slice(payload);
    out
}

/// The same OBU as an RTP OBU element carries it: no size field.
fn element(obu_type: u8, extension: Option<u8>, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![(obu_type << 3) | if extension.is_some() { 0x04 } else { 0 }];
    out.extend(extension);
    out.extend_from_slice(payload);
    out
}

fn bytes(n: usize, seed: u8) -> Vec<u8> {
    (0..n).map(|i| seed.wrapping_add(i as u8)).collect()
}

fn packetize(frame: &[u8], max_payload: usize) -> Result<Vec<Vec<u8>>, PacketizeError> {
    let mut out = Vec::new();
    let result = Av1Packetizer::new().packetize(frame, max_payload, &mut |p| out.push(p.to_vec()));
    match result {
        Ok(count) => {
            assert_eq!(count, out.len());
            assert!(out.iter().all(|p| p.len() <= max_payload));
            Ok(out)
        }
        Err(e) => {
            assert!(out.is_empty(), "nothing emitted on error");
            Err(e)
        }
    }
}

fn depacketize<P: AsRef<[u8]>>(payloads: &[P]) -> Result<Vec<u8>, DepacketizeError> {
    let mut frame = vec![0xee];
    let result =
        Av1Depacketizer::new().depacketize(&mut payloads.iter().map(AsRef::as_ref), &mut frame);
    match result {
        Ok(()) => Ok(frame[1..].to_vec()),
        Err(e) => {
            assert_eq!(frame, [0xee], "the frame is left as it was on error");
            Err(e)
        }
    }
}

fn round_trip(frame: &[u8], max_payload: usize) -> Vec<Vec<u8>> {
    let payloads = packetize(frame, max_payload).unwrap();
    assert_eq!(
        depacketize(&payloads).unwrap(),
        frame,
        "max_payload {max_payload}"
    );
    payloads
}

#[test]
fn leb128_reads_what_it_writes_and_accepts_padded_encodings() {
    for value in [0, 1, 127, 128, 16_383, 16_384, 1 << 28, u32::MAX as usize] {
        let mut out = Vec::new();
        leb128::write(value, &mut out);
        assert_eq!(out.len(), leb128::len(value));
        assert_eq!(leb128::read(&out), Ok((value, out.len())));
        let mut again = vec![0; out.len()];
        leb128::write_into(value, &mut again);
        assert_eq!(again, out);
    }
    assert_eq!(leb128::read(&[0x80, 0x80, 0x00, 9]), Ok((0, 3)));
    assert_eq!(
        leb128::read(&[0x85, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]),
        Ok((5, 8))
    );
}

#[test]
fn leb128_rejects_nine_bytes_values_over_32_bits_and_cut_values() {
    assert_eq!(leb128::read(&[0x80; 8]), Err(Leb128Error::Overflow));
    assert_eq!(
        leb128::read(&[0xff, 0xff, 0xff, 0xff, 0x10]),
        Err(Leb128Error::Overflow)
    );
    assert_eq!(leb128::read(&[0x80, 0x80]), Err(Leb128Error::Truncated));
    assert_eq!(leb128::read(&[]), Err(Leb128Error::Truncated));
}

#[test]
fn sequence_header_and_frame_share_a_payload_with_w_2_and_n_set() {
    let frame = [
        obu(SEQUENCE_HEADER, None, &bytes(10, 1)),
        obu(FRAME, None, &bytes(40, 9)),
    ]
    .concat();
    let payloads = round_trip(&frame, 1200);
    let mut expected = vec![0b0010_1000, 11];
    expected.extend(element(SEQUENCE_HEADER, None, &bytes(10, 1)));
    expected.extend(element(FRAME, None, &bytes(40, 9)));
    assert_eq!(payloads, [expected]);
}

#[test]
fn temporal_delimiters_and_tile_lists_are_not_sent() {
    let frame = [
        obu(TEMPORAL_DELIMITER, None, &[]),
        obu(FRAME, None, &bytes(5, 3)),
        obu(TILE_LIST, None, &bytes(4, 1)),
    ]
    .concat();
    let payloads = packetize(&frame, 1200).unwrap();
    assert_eq!(
        payloads,
        [[&[0b0001_0000][..], &element(FRAME, None, &bytes(5, 3))].concat()]
    );
    assert_eq!(
        depacketize(&payloads).unwrap(),
        obu(FRAME, None, &bytes(5, 3))
    );
    assert_eq!(
        packetize(&obu(TEMPORAL_DELIMITER, None, &[]), 1200),
        Err(PacketizeError::EmptyFrame)
    );
}

#[test]
fn w_counts_up_to_three_elements_then_every_element_has_a_length() {
    for count in 1..=5u8 {
        let obus: Vec<Vec<u8>> = (0..count)
            .map(|i| obu(METADATA, None, &bytes(3, i)))
            .collect();
        let frame = obus.concat();
        let payloads = round_trip(&frame, 1200);
        assert_eq!(payloads.len(), 1);
        let w = (payloads[0][0] >> 4) & 3;
        let expected_w = if count <= 3 { count } else { 0 };
        assert_eq!(w, expected_w, "{count} OBUs");
        // Elements of 4 bytes, each with a one-byte length except the last when W > 0.
        let lengths = usize::from(count) - usize::from(w > 0);
        assert_eq!(payloads[0].len(), 1 + 4 * usize::from(count) + lengths);
        assert_eq!(payloads[0][0] & 0x08, 0, "no sequence header: N=0");
    }
}

#[test]
fn an_obu_fragmented_over_two_packets_sets_y_then_z() {
    let frame = obu(FRAME, None, &bytes(30, 0));
    let payloads = round_trip(&frame, 20);
    let element = element(FRAME, None, &bytes(30, 0));
    assert_eq!(
        payloads,
        [
            [&[0b0101_0000][..], &element[..19]].concat(), // Y=1, W=1
            [&[0b1001_0000][..], &element[19..]].concat(), // Z=1, W=1
        ]
    );
}

#[test]
fn an_obu_fragmented_over_three_packets_has_a_middle_with_z_and_y() {
    let frame = obu(FRAME, Some(0b0010_1000), &bytes(40, 7));
    let payloads = round_trip(&frame, 16);
    assert_eq!(payloads.len(), 3);
    let headers: Vec<u8> = payloads.iter().map(|p| p[0]).collect();
    assert_eq!(headers, [0b0101_0000, 0b1101_0000, 0b1001_0000]);
    let joined: Vec<u8> = payloads.iter().flat_map(|p| p[1..].to_vec()).collect();
    assert_eq!(joined, element(FRAME, Some(0b0010_1000), &bytes(40, 7)));
}

#[test]
fn an_obu_that_does_not_fit_the_rest_of_a_payload_starts_there_as_a_fragment() {
    let frame = [
        obu(SEQUENCE_HEADER, None, &bytes(5, 0)),
        obu(FRAME, None, &bytes(30, 1)),
    ]
    .concat();
    let payloads = round_trip(&frame, 20);
    // Sequence header (length 6, element 6 bytes), then 12 bytes of the frame OBU.
    assert_eq!(payloads[0][0], 0b0110_1000, "Y=1, W=2, N=1");
    assert_eq!(payloads[0][1], 6);
    assert_eq!(payloads[0].len(), 20);
    assert_eq!(payloads[1][0], 0b1001_0000, "Z=1, W=1, N only on the first");
}

#[test]
fn fragments_with_w_0_carry_their_length() {
    // Three small OBUs, then a fourth that only partly fits: W=0, the fragment has a length.
    let frame = [
        obu(METADATA, None, &bytes(2, 0)),
        obu(METADATA, None, &bytes(2, 1)),
        obu(METADATA, None, &bytes(2, 2)),
        obu(FRAME, None, &bytes(50, 3)),
    ]
    .concat();
    let payloads = round_trip(&frame, 24);
    assert_eq!(payloads[0][0], 0b0100_0000, "Y=1, W=0");
    assert_eq!(payloads[0].len(), 24);
    assert_eq!(payloads[0][13], 24 - 14, "the fragment's length");
}

#[test]
fn obus_of_different_layers_never_share_a_packet() {
    // temporal_id 0; spatial_id 0 and 1.
    let (base, enhancement) = (Some(0), Some(0b0000_1000));
    let frame = [
        obu(SEQUENCE_HEADER, None, &bytes(4, 0)),
        obu(FRAME_HEADER, base, &bytes(4, 1)),
        obu(FRAME, base, &bytes(4, 2)),
        obu(METADATA, None, &bytes(2, 3)),
        obu(FRAME, enhancement, &bytes(4, 4)),
    ]
    .concat();
    let payloads = round_trip(&frame, 1200);
    let counts: Vec<u8> = payloads.iter().map(|p| (p[0] >> 4) & 3).collect();
    // The metadata OBU has no extension: it SHOULD open a packet, not follow layer 0's.
    assert_eq!(counts, [3, 2], "[SH FH(0,0) FR(0,0)] [MD FR(0,1)]");
}

#[test]
fn a_sequence_header_inside_a_temporal_unit_starts_a_packet_without_n() {
    let frame = [
        obu(FRAME, Some(0), &bytes(4, 0)),
        obu(SEQUENCE_HEADER, None, &bytes(4, 1)),
        obu(FRAME, Some(8), &bytes(4, 2)),
    ]
    .concat();
    let payloads = round_trip(&frame, 1200);
    let headers: Vec<u8> = payloads.iter().map(|p| p[0]).collect();
    assert_eq!(headers, [0b0001_0000, 0b0010_0000]);
}

#[test]
fn an_obu_without_size_field_runs_to_the_end_of_the_temporal_unit() {
    let frame = [
        obu(FRAME_HEADER, None, &bytes(3, 0)),
        element(FRAME, None, &bytes(9, 1)),
    ]
    .concat();
    let payloads = packetize(&frame, 1200).unwrap();
    let expected = [
        obu(FRAME_HEADER, None, &bytes(3, 0)),
        obu(FRAME, None, &bytes(9, 1)),
    ]
    .concat();
    assert_eq!(depacketize(&payloads).unwrap(), expected);
}

#[test]
fn the_smallest_payload_carries_one_byte_per_packet() {
    let frame = [
        obu(SEQUENCE_HEADER, None, &[1]),
        obu(FRAME, Some(0x20), &[2, 3]),
    ]
    .concat();
    let payloads = round_trip(&frame, 2);
    assert_eq!(payloads.len(), 2 + 4);
    assert_eq!(
        packetize(&frame, 1),
        Err(PacketizeError::PayloadSizeTooSmall)
    );
}

#[test]
fn packetize_rejects_malformed_temporal_units() {
    let malformed = Err(PacketizeError::MalformedFrame);
    assert_eq!(packetize(&[], 1200), Err(PacketizeError::EmptyFrame));
    assert_eq!(
        packetize(&[0x80 | 0x32, 0], 1200),
        malformed,
        "forbidden bit"
    );
    assert_eq!(
        packetize(&[0x36], 1200),
        malformed,
        "extension flag, no extension"
    );
    assert_eq!(packetize(&[0x32], 1200), malformed, "size field missing");
    assert_eq!(
        packetize(&[0x32, 5, 1, 2], 1200),
        malformed,
        "size past the end"
    );
    assert_eq!(
        packetize(
            &[0x32, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0],
            1200
        ),
        malformed,
        "nine-byte leb128"
    );
    assert_eq!(
        packetize(&[0x32, 0xff, 0xff, 0xff, 0xff, 0x1f], 1200),
        malformed,
        "over 2^32 - 1"
    );
    let good = obu(FRAME, None, &[1]);
    assert_eq!(
        packetize(&[&good[..], &[0x32, 9]].concat(), 1200),
        malformed,
        "a bad OBU after a good one"
    );
}

#[test]
fn depacketize_rebuilds_fragments_split_inside_the_header() {
    // Header byte, then extension byte and payload, in two packets.
    let whole = element(FRAME, Some(0x48), &bytes(5, 1));
    let payloads = [
        [&[0b0101_0000][..], &whole[..1]].concat(),
        [&[0b1001_0000][..], &whole[1..]].concat(),
    ];
    assert_eq!(
        depacketize(&payloads).unwrap(),
        obu(FRAME, Some(0x48), &bytes(5, 1))
    );
}

#[test]
fn depacketize_keeps_obus_sent_with_their_size_field() {
    let sized = obu(FRAME, None, &bytes(5, 1));
    let payload = [&[0b0001_0000][..], &sized].concat();
    assert_eq!(depacketize(&[&payload]).unwrap(), sized);
    let payloads = [
        [&[0b0101_0000][..], &sized[..3]].concat(),
        [&[0b1001_0000][..], &sized[3..]].concat(),
    ];
    assert_eq!(depacketize(&payloads).unwrap(), sized);
    let wrong = [&[0b0001_0000][..], &sized, &[0]].concat();
    assert_eq!(
        depacketize(&[&wrong]),
        Err(DepacketizeError::Malformed),
        "size disagrees"
    );
}

#[test]
fn depacketize_ignores_temporal_delimiters_and_tile_lists() {
    let td = element(TEMPORAL_DELIMITER, None, &[]);
    let tl = element(TILE_LIST, None, &bytes(30, 0));
    let fr = element(FRAME, None, &bytes(3, 0));
    let payloads = [
        [&[0b0110_0000, 1][..], &td, &tl[..10]].concat(),
        [&[0b1010_0000, 21][..], &tl[10..], &fr].concat(),
    ];
    assert_eq!(
        depacketize(&payloads).unwrap(),
        obu(FRAME, None, &bytes(3, 0))
    );
}

#[test]
fn depacketize_rejects_lost_fragments_as_incomplete() {
    let incomplete = Err(DepacketizeError::Incomplete);
    let start = [0b0101_0000, 0x30, 1];
    let middle = [0b1101_0000, 2];
    let end = [0b1001_0000, 3];
    let whole = [0b0001_0000, 0x30, 1];
    assert_eq!(depacketize(&[&end[..]]), incomplete, "Z=1 first");
    assert_eq!(depacketize(&[&start[..]]), incomplete, "dangling Y=1");
    assert_eq!(
        depacketize(&[&start[..], &middle]),
        incomplete,
        "dangling Y=1"
    );
    assert_eq!(
        depacketize(&[&start[..], &whole]),
        incomplete,
        "Y=1 then Z=0"
    );
    assert_eq!(
        depacketize(&[&whole[..], &end]),
        incomplete,
        "Z=1 after Y=0"
    );
    assert_eq!(
        depacketize(&[&start[..], &middle, &end]).unwrap(),
        [0x32, 3, 1, 2, 3]
    );
}

#[test]
fn depacketize_rejects_malformed_and_truncated_payloads() {
    let malformed = Err(DepacketizeError::Malformed);
    let truncated = Err(DepacketizeError::Truncated);
    let empty: [&[u8]; 1] = [&[]];
    assert_eq!(depacketize(&empty), truncated, "empty payload");
    assert_eq!(
        depacketize(&[[0b0000_0000]]),
        malformed,
        "W=0 without elements"
    );
    assert_eq!(
        depacketize(&[[0b0001_0000]]),
        malformed,
        "W=1 with an empty OBU"
    );
    assert_eq!(
        depacketize(&[[0b0011_0000, 1, 0x30]]),
        truncated,
        "W=3, one element"
    );
    assert_eq!(
        depacketize(&[[0b0010_0000, 5, 0x30]]),
        truncated,
        "length past the end"
    );
    assert_eq!(
        depacketize(&[[0b0000_0000, 2, 0x30]]),
        truncated,
        "W=0 length past the end"
    );
    assert_eq!(
        depacketize(&[[0b0000_0000, 1, 0x30, 0x80]]),
        truncated,
        "cut length field"
    );
    let overflow = [&[0b0010_0000][..], &[0x80; 8], &[0, 0x30]].concat();
    assert_eq!(depacketize(&[overflow]), malformed, "nine-byte leb128");
    assert_eq!(
        depacketize(&[[0b0001_0000, 0xb0, 1]]),
        malformed,
        "forbidden bit"
    );
    assert_eq!(
        depacketize(&[[0b0001_0000, 0x34]]),
        truncated,
        "extension missing"
    );
    assert_eq!(
        depacketize(&[[0b0010_0000, 0, 0x30]]),
        malformed,
        "empty first element"
    );
    let bad_size = [
        0b0001_0000,
        0x32,
        0xff,
        0xff,
        0xff,
        0xff,
        0xff,
        0xff,
        0xff,
        0x7f,
    ];
    assert_eq!(
        depacketize(&[bad_size]),
        malformed,
        "own size over 2^32 - 1"
    );
}

#[test]
fn frame_starts_have_z_0_and_keyframes_n_1() {
    let d = Av1Depacketizer::new();
    assert!(d.is_frame_start(&[0b0001_0000, 0x30]));
    assert!(!d.is_frame_start(&[0b1001_0000, 0x30]));
    assert!(!d.is_frame_start(&[]));
    assert!(d.is_keyframe(&[0b0001_1000, 0x08]));
    assert!(!d.is_keyframe(&[0b0001_0000, 0x30]));
    assert!(!d.is_keyframe(&[]));
}

#[test]
fn the_packetizer_reuses_its_scratch_buffer() {
    let frame = [
        obu(SEQUENCE_HEADER, None, &bytes(12, 0)),
        obu(FRAME, None, &bytes(5000, 1)),
    ]
    .concat();
    let mut packetizer = Av1Packetizer::new();
    let mut sink = |_: &[u8]| {};
    packetizer.packetize(&frame, 1200, &mut sink).unwrap();
    let (ptr, capacity) = (packetizer.scratch.as_ptr(), packetizer.scratch.capacity());
    for _ in 0..100 {
        packetizer.packetize(&frame, 1200, &mut sink).unwrap();
    }
    assert_eq!(packetizer.scratch.as_ptr(), ptr);
    assert_eq!(packetizer.scratch.capacity(), capacity);
}
