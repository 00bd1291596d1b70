//! Malformed RTCP is refused with the right error kind at the right offset, and builders refuse
//! values their fields cannot hold; nothing panics.

use sansrtc_rtp::rtcp::{
    AppRepr, Compound, CompoundMode, GoodbyeRepr, Header, Nack, PayloadFeedback, RawPacket,
    ReceiverReportRepr, ReportBlock, RtcpPacket, SdesChunkRepr, SenderReportRepr,
    SourceDescription, SourceDescriptionRepr, TransportCc, TransportCcRepr, validate_compound,
};
use sansrtc_rtp::{BuildError, ParseError, ParseErrorKind};

fn first_error(datagram: &[u8]) -> ParseError {
    let mut packets = Compound::new(datagram).packets();
    let error = loop {
        match packets.next() {
            Some(Ok(_)) => continue,
            Some(Err(e)) => break e,
            None => panic!("no error in {datagram:02x?}"),
        }
    };
    assert!(
        packets.next().is_none(),
        "iteration ends after the first error"
    );
    error
}

const RR: [u8; 8] = [0x80, 0xc9, 0, 1, 0, 0, 0, 1];

#[test]
fn truncated_header_is_truncated_at_the_end_of_the_data() {
    assert_eq!(
        first_error(&[0x80, 0xc9, 0]),
        ParseError::new(ParseErrorKind::Truncated, 3)
    );
    let datagram = [&RR[..], &[0x81]].concat();
    assert_eq!(
        first_error(&datagram),
        ParseError::new(ParseErrorKind::Truncated, 9)
    );
    assert_eq!(
        Header::parse(&[0x80]).unwrap_err().kind,
        ParseErrorKind::Truncated
    );
}

#[test]
fn version_other_than_two_is_bad_version() {
    let datagram = [&RR[..], &[0x40, 0xc9, 0, 1, 0, 0, 0, 1]].concat();
    assert_eq!(
        first_error(&datagram),
        ParseError::new(ParseErrorKind::BadVersion, 8)
    );
}

#[test]
fn length_past_the_end_is_bad_length() {
    let datagram = [&RR[..], &[0x80, 0xc9, 0, 2, 0, 0, 0, 1]].concat();
    assert_eq!(
        first_error(&datagram),
        ParseError::new(ParseErrorKind::BadLength, 10)
    );
    assert_eq!(
        validate_compound(&datagram, CompoundMode::Full)
            .unwrap_err()
            .kind,
        ParseErrorKind::BadLength
    );
}

#[test]
fn zero_padding_count_is_bad_padding() {
    let datagram = [0xa0, 0xc9, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0];
    assert_eq!(
        first_error(&datagram),
        ParseError::new(ParseErrorKind::BadPadding, 11)
    );
}

#[test]
fn padding_longer_than_the_packet_is_bad_padding() {
    let datagram = [0xa0, 0xc9, 0, 2, 0, 0, 0, 1, 0, 0, 0, 9];
    assert_eq!(
        first_error(&datagram),
        ParseError::new(ParseErrorKind::BadPadding, 11)
    );
    // P set on a header-only packet: the count byte is the length's low byte, 0.
    assert_eq!(
        first_error(&[0xa0, 0xcb, 0, 0]).kind,
        ParseErrorKind::BadPadding
    );
}

#[test]
fn padding_that_eats_the_report_leaves_a_short_body() {
    // RR with P: 8 bytes of padding leave no room for the SSRC.
    let datagram = [0xa0, 0xc9, 0, 2, 0, 0, 0, 1, 0, 0, 0, 8];
    assert_eq!(
        first_error(&datagram),
        ParseError::new(ParseErrorKind::BadLength, 2)
    );
}

#[test]
fn report_count_beyond_the_body_is_bad_length() {
    // RC = 1 but no report block, as the second packet: the offset is the length field.
    let datagram = [&RR[..], &[0x81, 0xc9, 0, 1, 0, 0, 0, 1]].concat();
    assert_eq!(
        first_error(&datagram),
        ParseError::new(ParseErrorKind::BadLength, 10)
    );
}

#[test]
fn sdes_chunk_without_end_is_truncated() {
    // SC = 1: a CNAME item that fills the body, no END item.
    let sdes = [0x81, 0xca, 0, 2, 0, 0, 0, 1, 1, 2, b'a', b'b'];
    let datagram = [&RR[..], &sdes[..]].concat();
    assert_eq!(
        first_error(&datagram),
        ParseError::new(ParseErrorKind::Truncated, 20)
    );
    // An item whose length runs past the body.
    let sdes = [0x81, 0xca, 0, 2, 0, 0, 0, 1, 1, 9, b'a', 0];
    assert_eq!(
        SourceDescription::new_checked(&sdes).unwrap_err().kind,
        ParseErrorKind::Truncated
    );
    // SC = 2 with one chunk.
    let sdes = [0x82, 0xca, 0, 2, 0, 0, 0, 1, 1, 1, b'a', 0];
    assert_eq!(
        SourceDescription::new_checked(&sdes).unwrap_err().kind,
        ParseErrorKind::Truncated
    );
}

/// Transport-wide feedback: common part, base 100, `count` statuses, then `rest`.
fn twcc(count: u16, rest: &[u8]) -> Vec<u8> {
    let mut body = vec![0, 0, 0, 1, 0, 0, 0, 2, 0, 100];
    body.extend(count.to_be_bytes());
    body.extend([0, 0, 1, 7]);
    body.extend(rest);
    let padded = body.len().next_multiple_of(4);
    let padding = padded - body.len();
    let mut packet = vec![
        if padding > 0 { 0xaf } else { 0x8f },
        0xcd,
        0,
        (padded / 4) as u8,
    ];
    packet.extend(body);
    if padding > 0 {
        packet.extend(vec![0; padding - 1]);
        packet.push(padding as u8);
    }
    packet
}

#[test]
fn twcc_status_count_larger_than_the_chunks_describe_is_truncated() {
    // Run-length chunk of 3 received packets, status count 4.
    let packet = twcc(4, &[0x20, 0x03, 1, 2, 3]);
    assert_eq!(
        TransportCc::new_checked(&packet).unwrap_err().kind,
        ParseErrorKind::Truncated
    );
    assert!(TransportCc::new_checked(&twcc(3, &[0x20, 0x03, 1, 2, 3])).is_ok());
}

#[test]
fn twcc_truncated_deltas_are_truncated() {
    // Three small deltas announced, two present.
    let packet = twcc(3, &[0x20, 0x03, 1, 2]);
    assert_eq!(
        TransportCc::new_checked(&packet).unwrap_err().kind,
        ParseErrorKind::Truncated
    );
    // A large delta cut in half.
    let packet = twcc(1, &[0x40, 0x01, 0xff]);
    assert_eq!(
        TransportCc::new_checked(&packet).unwrap_err().kind,
        ParseErrorKind::Truncated
    );
    // No delta bytes at all is feedback without receive deltas, not an error.
    let packet = twcc(3, &[0x20, 0x03]);
    let view = TransportCc::new_checked(&packet).unwrap();
    assert!(!view.has_receive_deltas());
    assert_eq!(view.packets().count(), 3);
}

#[test]
fn twcc_fci_shorter_than_its_fixed_fields_is_bad_length() {
    let packet = [0x8f, 0xcd, 0, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 100, 0, 1];
    assert_eq!(
        TransportCc::new_checked(&packet).unwrap_err().kind,
        ParseErrorKind::BadLength
    );
}

#[test]
fn nack_with_odd_fci_length_is_bad_length() {
    // Six bytes of FCI (P bit, two bytes of padding).
    let packet = [
        0xa1, 0xcd, 0, 4, 0, 0, 0, 1, 0, 0, 0, 2, 0, 7, 0, 1, 0, 9, 0, 2,
    ];
    let e = Nack::new_checked(&packet).unwrap_err();
    assert_eq!(e, ParseError::new(ParseErrorKind::BadLength, 16));
}

#[test]
fn tmmbr_with_a_partial_entry_is_bad_length() {
    // Twelve bytes of FCI: one entry and a half.
    let packet = [
        0x83, 0xcd, 0, 5, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 9, 0x04, 0, 0x20, 0x28, 0, 0, 0, 9,
    ];
    let e = RtcpPacket::new_checked(&packet).unwrap_err();
    assert_eq!(e, ParseError::new(ParseErrorKind::BadLength, 20));
}

#[test]
fn application_feedback_without_remb_magic_is_raw_feedback() {
    let packet = [
        0x8f, 0xce, 0, 4, 0, 0, 0, 1, 0, 0, 0, 0, b'L', b'N', b'T', b'F', 1, 2, 3, 4,
    ];
    let Ok(RtcpPacket::PayloadFeedback(PayloadFeedback::Other(raw))) =
        RtcpPacket::new_checked(&packet)
    else {
        panic!("not raw application layer feedback");
    };
    assert_eq!(raw.format(), 15);
    assert_eq!(raw.fci(), b"LNTF\x01\x02\x03\x04");
}

#[test]
fn remb_with_wrong_ssrc_count_or_overflowing_bitrate_is_refused() {
    let count_mismatch = [
        0x8f, 0xce, 0, 5, 0, 0, 0, 1, 0, 0, 0, 0, b'R', b'E', b'M', b'B', 2, 0, 0, 1, 0, 0, 0, 9,
    ];
    assert_eq!(
        RtcpPacket::new_checked(&count_mismatch).unwrap_err().kind,
        ParseErrorKind::BadLength
    );
    let overflow = [
        0x8f, 0xce, 0, 4, 0, 0, 0, 1, 0, 0, 0, 0, b'R', b'E', b'M', b'B', 0, 0xfc, 0, 2,
    ];
    assert_eq!(
        RtcpPacket::new_checked(&overflow).unwrap_err(),
        ParseError::new(ParseErrorKind::InvalidValue, 17)
    );
}

#[test]
fn xr_block_length_past_the_end_is_bad_length() {
    let xr = [0x80, 0xcf, 0, 3, 0, 0, 0, 1, 5, 0, 0, 3, 0, 0, 0, 0];
    let datagram = [&RR[..], &xr[..]].concat();
    assert_eq!(
        first_error(&datagram),
        ParseError::new(ParseErrorKind::BadLength, 18)
    );
    // A partial block header.
    let xr = [0xa0, 0xcf, 0, 2, 0, 0, 0, 1, 5, 0, 0, 2];
    assert_eq!(
        RtcpPacket::new_checked(&xr).unwrap_err().kind,
        ParseErrorKind::Truncated
    );
}

#[test]
fn bye_reason_past_the_body_is_bad_length() {
    let bye = [0x81, 0xcb, 0, 2, 0, 0, 0, 1, 9, b'b', b'y', b'e'];
    assert_eq!(
        RtcpPacket::new_checked(&bye).unwrap_err().kind,
        ParseErrorKind::BadLength
    );
    let short = [0x82, 0xcb, 0, 1, 0, 0, 0, 1];
    assert_eq!(
        RtcpPacket::new_checked(&short).unwrap_err().kind,
        ParseErrorKind::BadLength
    );
}

#[test]
fn short_app_and_feedback_bodies_are_bad_length() {
    for packet in [
        [0x80, 0xcc, 0, 1, 0, 0, 0, 1],
        [0x81, 0xce, 0, 1, 0, 0, 0, 1],
        [0x81, 0xcd, 0, 1, 0, 0, 0, 1],
        [0x80, 0xc8, 0, 1, 0, 0, 0, 1],
    ] {
        assert_eq!(
            RtcpPacket::new_checked(&packet).unwrap_err().kind,
            ParseErrorKind::BadLength
        );
    }
}

#[test]
fn single_packet_view_refuses_trailing_bytes_and_other_types() {
    let datagram = [&RR[..], &RR[..]].concat();
    assert_eq!(
        RawPacket::new_checked(&datagram).unwrap_err(),
        ParseError::new(ParseErrorKind::BadLength, 2)
    );
    assert_eq!(
        SourceDescription::new_checked(&RR).unwrap_err(),
        ParseError::new(ParseErrorKind::WrongType, 1)
    );
    assert_eq!(
        Nack::new_checked(&[0x85, 0xcd, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2])
            .unwrap_err()
            .kind,
        ParseErrorKind::WrongType
    );
}

#[test]
fn more_than_31_report_blocks_chunks_or_sources_is_too_large() {
    let blocks = vec![ReportBlock::default(); 32];
    let sr = SenderReportRepr {
        reports: blocks.clone(),
        ..SenderReportRepr::default()
    };
    assert_eq!(sr.write_to(&mut Vec::new()), Err(BuildError::TooLarge));
    let rr = ReceiverReportRepr {
        reports: blocks,
        ..ReceiverReportRepr::default()
    };
    assert_eq!(rr.write_to(&mut Vec::new()), Err(BuildError::TooLarge));
    let sdes = SourceDescriptionRepr {
        chunks: vec![SdesChunkRepr::default(); 32],
    };
    assert_eq!(sdes.write_to(&mut Vec::new()), Err(BuildError::TooLarge));
    let bye = GoodbyeRepr {
        ssrcs: vec![1; 32],
        reason: None,
    };
    assert_eq!(bye.write_to(&mut Vec::new()), Err(BuildError::TooLarge));
    // 31 is fine.
    let rr = ReceiverReportRepr {
        reports: vec![ReportBlock::default(); 31],
        ..ReceiverReportRepr::default()
    };
    let mut out = Vec::new();
    rr.write_to(&mut out).unwrap();
    assert_eq!(out[0] & 0x1f, 31);
}

#[test]
fn signed_24_bit_overflow_is_too_large() {
    for lost in [1 << 23, -(1 << 23) - 1, i32::MAX, i32::MIN] {
        let block = ReportBlock {
            cumulative_lost: lost,
            ..ReportBlock::default()
        };
        let rr = ReceiverReportRepr {
            reports: vec![block],
            ..ReceiverReportRepr::default()
        };
        assert_eq!(rr.write_to(&mut Vec::new()), Err(BuildError::TooLarge));
        let twcc = TransportCcRepr {
            reference_time: lost,
            ..TransportCcRepr::default()
        };
        assert_eq!(twcc.write_to(&mut Vec::new()), Err(BuildError::TooLarge));
    }
    for lost in [(1 << 23) - 1, -(1 << 23)] {
        let block = ReportBlock {
            cumulative_lost: lost,
            ..ReportBlock::default()
        };
        let rr = ReceiverReportRepr {
            reports: vec![block],
            ..ReceiverReportRepr::default()
        };
        assert!(rr.write_to(&mut Vec::new()).is_ok());
    }
}

#[test]
fn oversized_fields_and_short_buffers_are_too_large() {
    let app = AppRepr {
        subtype: 32,
        ..AppRepr::default()
    };
    assert_eq!(app.write_to(&mut Vec::new()), Err(BuildError::TooLarge));
    let bye = GoodbyeRepr {
        ssrcs: vec![],
        reason: Some(vec![b'x'; 256]),
    };
    assert_eq!(bye.write_to(&mut Vec::new()), Err(BuildError::TooLarge));
    // A body over the 16-bit length field.
    let app = AppRepr {
        data: vec![0; 4 * 65536],
        ..AppRepr::default()
    };
    assert_eq!(app.write_to(&mut Vec::new()), Err(BuildError::TooLarge));
    // Every byte short of buffer_len is refused, and the Vec is left as it was.
    let rr = ReceiverReportRepr {
        ssrc: 1,
        reports: vec![ReportBlock::default()],
        ..Default::default()
    };
    let len = rr.buffer_len();
    for short in 0..len {
        assert_eq!(rr.emit(&mut vec![0; short]), Err(BuildError::TooLarge));
    }
    let mut out = vec![9];
    assert_eq!(bye.write_to(&mut out), Err(BuildError::TooLarge));
    assert_eq!(out, [9]);
}
