//! Malformed lengths give typed errors at the right offset (from the start of the packet):
//! a chunk length below 4, a chunk past the end, partial padding, a SACK whose counts need
//! more bytes than it has, an INIT with a truncated parameter.

use sansrtc_sctp::wire::{ChunkRepr, Packet};
use sansrtc_sctp::{ParseError, ParseErrorKind};

const HEADER: [u8; 12] = [0x13, 0x88, 0x13, 0x88, 0, 0, 0, 1, 0, 0, 0, 0];

fn packet(chunks: &[u8]) -> Vec<u8> {
    [&HEADER[..], chunks].concat()
}

/// The first error of framing and typing every chunk.
fn first_error(bytes: &[u8]) -> Option<ParseError> {
    let p = Packet::new_checked(bytes).ok()?;
    p.chunks_ref()
        .map(|c| c.and_then(|c| ChunkRepr::parse(&c)))
        .find_map(Result::err)
}

fn e(kind: ParseErrorKind, offset: usize) -> Option<ParseError> {
    Some(ParseError::new(kind, offset))
}

#[test]
fn packet_shorter_than_the_common_header() {
    assert_eq!(
        Packet::new_checked(&HEADER[..11]).err(),
        Some(ParseError::new(ParseErrorKind::Truncated, 0))
    );
}

#[test]
fn chunk_length_below_four() {
    let bytes = packet(&[11, 0, 0, 3]);
    assert_eq!(first_error(&bytes), e(ParseErrorKind::BadChunkLength, 14));
}

#[test]
fn chunk_length_past_the_end() {
    // A COOKIE ACK, then a COOKIE ECHO claiming 16 bytes with 8 present.
    let bytes = packet(&[11, 0, 0, 4, 10, 0, 0, 16, 1, 2, 3, 4]);
    assert_eq!(first_error(&bytes), e(ParseErrorKind::BadChunkLength, 18));
}

#[test]
fn a_partial_chunk_header_at_the_end_is_truncated() {
    let bytes = packet(&[11, 0, 0, 4, 10, 0]);
    assert_eq!(first_error(&bytes), e(ParseErrorKind::Truncated, 16));
}

#[test]
fn odd_partial_padding_is_bad_padding() {
    // COOKIE ECHO of length 5 (one cookie byte) followed by 2 of its 3 padding bytes.
    let bytes = packet(&[10, 0, 0, 5, 9, 0, 0]);
    assert_eq!(first_error(&bytes), e(ParseErrorKind::BadPadding, 17));
    // With no padding at all, as the last chunk, it is accepted.
    let bytes = packet(&[10, 0, 0, 5, 9]);
    assert_eq!(first_error(&bytes), None);
    // Not the last: the next chunk is read at the padded offset (its first three bytes taken
    // as padding), which leaves a partial chunk header.
    let bytes = packet(&[10, 0, 0, 5, 9, 11, 0, 0, 4]);
    assert_eq!(first_error(&bytes), e(ParseErrorKind::Truncated, 20));
}

#[test]
fn sack_with_more_gap_blocks_than_bytes() {
    // Two gap blocks announced, one present.
    let bytes = packet(&[3, 0, 0, 20, 0, 0, 0, 1, 0, 0, 1, 0, 0, 2, 0, 0, 0, 1, 0, 2]);
    assert_eq!(first_error(&bytes), e(ParseErrorKind::BadLength, 12 + 12));
    // Shorter than its fixed fields.
    let bytes = packet(&[3, 0, 0, 8, 0, 0, 0, 1]);
    assert_eq!(first_error(&bytes), e(ParseErrorKind::BadLength, 14));
}

#[test]
fn init_with_a_truncated_parameter() {
    // INIT fixed fields, then a State Cookie-like parameter claiming 12 bytes with 4 in the
    // chunk.
    let bytes = packet(&[
        1, 0, 0, 24, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, // fixed
        0x80, 0x08, 0, 12,
    ]);
    assert_eq!(
        first_error(&bytes),
        e(ParseErrorKind::BadParameterLength, 12 + 22)
    );
    // A parameter header cut short: 2 bytes left in the chunk.
    let bytes = packet(&[
        1, 0, 0, 22, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0xc0, 0, 0, 0,
    ]);
    assert_eq!(
        first_error(&bytes),
        e(ParseErrorKind::BadParameterLength, 12 + 20)
    );
    // A parameter length below 4.
    let bytes = packet(&[
        1, 0, 0, 24, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0xc0, 0, 0, 2,
    ]);
    assert_eq!(
        first_error(&bytes),
        e(ParseErrorKind::BadParameterLength, 12 + 22)
    );
    // Shorter than the fixed fields.
    let bytes = packet(&[1, 0, 0, 8, 0, 0, 0, 1]);
    assert_eq!(first_error(&bytes), e(ParseErrorKind::BadLength, 14));
}

#[test]
fn fixed_size_parameters_and_causes_of_the_wrong_size() {
    // Zero Checksum Acceptable with 2 bytes instead of 4.
    let bytes = packet(&[
        1, 0, 0, 26, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0x80, 0x01, 0, 6, 0, 1, 0, 0,
    ]);
    assert_eq!(first_error(&bytes), e(ParseErrorKind::BadLength, 12 + 22));
    // ABORT with a No User Data cause of 2 bytes.
    let bytes = packet(&[6, 0, 0, 10, 0, 9, 0, 6, 0, 1, 0, 0]);
    assert_eq!(first_error(&bytes), e(ParseErrorKind::BadLength, 12 + 6));
}
