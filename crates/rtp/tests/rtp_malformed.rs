//! Malformed RTP packets and extension data give typed errors, and the builder refuses values
//! that do not fit their fields.

use sansrtc_rtp::rtp::ext::{
    AbsSendTime, AudioLevel, ExtensionKind, ExtensionMap, ExtensionValue, Mid, Rid,
    TransportSequenceNumber, VideoOrientation,
};
use sansrtc_rtp::rtp::{Element, ElementForm, Extensions, RtpHeader, RtpPacket, header_len};
use sansrtc_rtp::{BuildError, ParseErrorKind};

const FIXED: [u8; 12] = [0x80, 0x60, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3];

fn kind(bytes: &[u8]) -> ParseErrorKind {
    RtpPacket::new_checked(bytes).unwrap_err().kind
}

#[test]
fn short_or_wrong_version_packets_are_rejected() {
    assert_eq!(kind(&FIXED[..11]), ParseErrorKind::Truncated);
    let mut v1 = FIXED;
    v1[0] = 0x40;
    assert_eq!(kind(&v1), ParseErrorKind::BadVersion);
}

#[test]
fn csrc_list_past_the_end_is_truncated() {
    let mut bytes = FIXED.to_vec();
    bytes[0] |= 0x02;
    bytes.extend_from_slice(&[0, 0, 0, 9]);
    assert_eq!(kind(&bytes), ParseErrorKind::Truncated);
}

#[test]
fn extension_length_past_the_end_is_bad_length() {
    let mut bytes = FIXED.to_vec();
    bytes[0] |= 0x10;
    bytes.extend_from_slice(&[0xbe, 0xde, 0, 2, 0x10, 0xff, 0, 0]);
    let err = RtpPacket::new_checked(&bytes[..]).unwrap_err();
    assert_eq!((err.kind, err.offset), (ParseErrorKind::BadLength, 14));
    assert_eq!(
        header_len(&bytes).unwrap_err().kind,
        ParseErrorKind::BadLength
    );
    bytes.truncate(14);
    assert_eq!(kind(&bytes), ParseErrorKind::Truncated);
}

#[test]
fn zero_or_oversized_padding_is_bad_padding() {
    let mut bytes = FIXED.to_vec();
    bytes[0] |= 0x20;
    bytes.extend_from_slice(&[1, 2, 0]);
    assert_eq!(kind(&bytes), ParseErrorKind::BadPadding);
    *bytes.last_mut().unwrap() = 4;
    assert_eq!(kind(&bytes), ParseErrorKind::BadPadding);
    *bytes.last_mut().unwrap() = 3;
    let packet = RtpPacket::new_checked(&bytes[..]).unwrap();
    assert!(packet.payload().is_empty());
}

#[test]
fn element_running_past_its_block_is_one_error_then_the_end() {
    let mut bytes = FIXED.to_vec();
    bytes[0] |= 0x10;
    // id 1 with 4 bytes of data, but the block holds only 3 after the header byte.
    bytes.extend_from_slice(&[0xbe, 0xde, 0, 1, 0x13, 1, 2, 3]);
    let packet = RtpPacket::new_checked(&bytes[..]).unwrap();
    let ext = packet.extension().unwrap();
    let items: Vec<_> = ext.elements().collect();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].unwrap_err().kind, ParseErrorKind::BadExtension);
    assert_eq!(ext.validate().unwrap_err().offset, 16);
    assert_eq!(packet.extension_data(1), None);
}

#[test]
fn one_byte_id_15_stops_processing() {
    let mut bytes = FIXED.to_vec();
    bytes[0] |= 0x10;
    bytes.extend_from_slice(&[0xbe, 0xde, 0, 1, 0x10, 7, 0xf0, 0x10]);
    let packet = RtpPacket::new_checked(&bytes[..]).unwrap();
    let ids: Vec<u8> = packet
        .extension()
        .unwrap()
        .elements()
        .map(|e| e.unwrap().id)
        .collect();
    assert_eq!(ids, [1]);
}

#[test]
fn builder_refuses_values_that_do_not_fit() {
    let csrcs = [0u32; 16];
    let too_many = RtpHeader {
        csrcs: &csrcs,
        ..RtpHeader::default()
    };
    assert_eq!(too_many.header_len(), Err(BuildError::TooLarge));
    let bad_pt = RtpHeader {
        payload_type: 128,
        ..RtpHeader::default()
    };
    assert_eq!(bad_pt.header_len(), Err(BuildError::TooLarge));
    let with = |form, elements| RtpHeader {
        extensions: Extensions::Elements { form, elements },
        ..RtpHeader::default()
    };
    let id0 = [Element { id: 0, data: &[1] }];
    assert_eq!(
        with(ElementForm::TwoByte, &id0).header_len(),
        Err(BuildError::Reserved)
    );
    let id15 = [Element { id: 15, data: &[1] }];
    assert_eq!(
        with(ElementForm::OneByte, &id15).header_len(),
        Err(BuildError::Reserved)
    );
    assert!(
        with(ElementForm::Auto, &id15).header_len().is_ok(),
        "two-byte form holds id 15"
    );
    let long = [Element {
        id: 1,
        data: &[0; 17],
    }];
    assert_eq!(
        with(ElementForm::OneByte, &long).header_len(),
        Err(BuildError::TooLarge)
    );
    let empty = [Element { id: 1, data: &[] }];
    assert_eq!(
        with(ElementForm::OneByte, &empty).header_len(),
        Err(BuildError::TooLarge)
    );
    let huge = [Element {
        id: 1,
        data: &[0; 256],
    }];
    assert_eq!(
        with(ElementForm::TwoByte, &huge).header_len(),
        Err(BuildError::TooLarge)
    );
    let raw = RtpHeader {
        extensions: Extensions::Raw {
            profile: 0x1234,
            data: &[1, 2, 3],
        },
        ..RtpHeader::default()
    };
    assert_eq!(raw.header_len(), Err(BuildError::TooLarge));
    let fine = RtpHeader::default();
    assert_eq!(fine.emit(&mut [0; 11]), Err(BuildError::TooLarge));
    assert_eq!(fine.emit(&mut [0; 12]), Ok(12));
}

#[test]
fn typed_extensions_reject_wrong_lengths_and_values() {
    assert!(AbsSendTime::parse(&[1, 2]).is_err());
    assert!(TransportSequenceNumber::parse(&[1, 2, 3]).is_err());
    assert!(AudioLevel::parse(&[]).is_err());
    assert!(VideoOrientation::parse(&[1, 2]).is_err());
    assert!(Mid::parse(&[0xff, 0xfe]).is_err(), "not UTF-8");
    assert!(Mid::parse(&[0, 0]).is_err(), "empty after trailing zeros");
    assert_eq!(Mid::parse(b"a\0").unwrap(), Mid("a"));
    assert!(
        Rid::parse(b"h i").is_err(),
        "rid-id allows letters, digits, - and _"
    );
    assert_eq!(
        AbsSendTime(1 << 24).write(&mut [0; 3]),
        Err(BuildError::TooLarge)
    );
    assert_eq!(
        AudioLevel {
            voice_activity: false,
            level: 128
        }
        .write(&mut [0; 1]),
        Err(BuildError::TooLarge)
    );
    assert_eq!(
        TransportSequenceNumber(1).write(&mut [0; 1]),
        Err(BuildError::TooLarge)
    );
}

#[test]
fn abs_send_time_converts_ntp_and_microseconds() {
    // 1.5 s in NTP 32.32 is 0x1_8000_0000; in 6.18 that is 0x06_0000.
    assert_eq!(AbsSendTime::from_ntp(0x1_8000_0000), AbsSendTime(0x06_0000));
    assert_eq!(AbsSendTime::from_micros(1_500_000), AbsSendTime(0x06_0000));
    assert_eq!(AbsSendTime(0x06_0000).to_micros(), 1_500_000);
    assert_eq!(
        AbsSendTime::from_micros(65_500_000),
        AbsSendTime::from_micros(1_500_000)
    );
}

#[test]
fn extension_map_follows_extmap_uris() {
    let mut map = ExtensionMap::new();
    assert_eq!(
        map.insert_uri(3, TransportSequenceNumber::URI),
        Some(ExtensionKind::TransportSequenceNumber)
    );
    assert_eq!(map.insert_uri(4, "urn:example:unknown"), None);
    assert_eq!(map.kind(4), None);
    map.insert(0, ExtensionKind::Mid);
    assert_eq!(map.kind(0), None, "id 0 is padding, never an extension");
    assert_eq!(map.id(ExtensionKind::TransportSequenceNumber), Some(3));
    map.remove(3);
    assert_eq!(map.id(ExtensionKind::TransportSequenceNumber), None);
    for kind in ExtensionKind::ALL {
        assert_eq!(ExtensionKind::from_uri(kind.uri()), Some(kind));
    }
}

#[test]
fn extension_map_reverse_lookup_follows_inserts_and_removals() {
    let mut map = ExtensionMap::new();
    map.insert(9, ExtensionKind::Mid);
    map.insert(4, ExtensionKind::Mid);
    assert_eq!(map.id(ExtensionKind::Mid), Some(4), "the lowest id wins");
    map.insert(4, ExtensionKind::Rid);
    assert_eq!(map.id(ExtensionKind::Mid), Some(9), "4 now stands for rid");
    assert_eq!(map.id(ExtensionKind::Rid), Some(4));
    map.remove(9);
    assert_eq!(map.id(ExtensionKind::Mid), None);
}
