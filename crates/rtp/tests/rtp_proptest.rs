//! Property tests: any header the builder accepts parses back to the same fields, typed
//! extensions round-trip, and arbitrary bytes never panic the view.

use proptest::prelude::*;
use sansrtc_rtp::rtp::ext::{
    AbsSendTime, AudioLevel, ExtensionValue, Mid, RepairedRid, Rid, Rotation,
    TransportSequenceNumber, VideoOrientation,
};
use sansrtc_rtp::rtp::{Element, ElementForm, ExtensionForm, Extensions, RtpHeader, RtpPacket};

#[derive(Debug, Clone)]
struct Case {
    marker: bool,
    payload_type: u8,
    sequence_number: u16,
    timestamp: u32,
    ssrc: u32,
    csrcs: Vec<u32>,
    form: Option<ElementForm>,
    elements: Vec<(u8, Vec<u8>)>,
    payload: Vec<u8>,
    padding: u8,
}

fn case() -> impl Strategy<Value = Case> {
    let one_byte =
        prop::collection::vec((1u8..=14, prop::collection::vec(any::<u8>(), 1..=16)), 0..6)
            .prop_map(|e| (Some(ElementForm::OneByte), e));
    let two_byte =
        prop::collection::vec((1u8..=255, prop::collection::vec(any::<u8>(), 0..40)), 0..6)
            .prop_map(|e| (Some(ElementForm::TwoByte), e));
    let auto = prop::collection::vec((1u8..=20, prop::collection::vec(any::<u8>(), 0..20)), 0..6)
        .prop_map(|e| (Some(ElementForm::Auto), e));
    let none = Just((None, Vec::new()));
    (
        (
            any::<bool>(),
            0u8..=127,
            any::<u16>(),
            any::<u32>(),
            any::<u32>(),
        ),
        prop::collection::vec(any::<u32>(), 0..=15),
        prop_oneof![none, one_byte, two_byte, auto],
        prop::collection::vec(any::<u8>(), 0..300),
        any::<u8>(),
    )
        .prop_map(
            |(
                (marker, payload_type, sequence_number, timestamp, ssrc),
                csrcs,
                (form, elements),
                payload,
                padding,
            )| Case {
                marker,
                payload_type,
                sequence_number,
                timestamp,
                ssrc,
                csrcs,
                form,
                elements,
                payload,
                padding,
            },
        )
}

proptest! {
    #[test]
    fn built_packets_parse_back_to_the_same_fields(case in case()) {
        let elements: Vec<Element<'_>> =
            case.elements.iter().map(|(id, data)| Element { id: *id, data }).collect();
        let header = RtpHeader {
            marker: case.marker,
            payload_type: case.payload_type,
            sequence_number: case.sequence_number,
            timestamp: case.timestamp,
            ssrc: case.ssrc,
            csrcs: &case.csrcs,
            extensions: match case.form {
                None => Extensions::None,
                Some(form) => Extensions::Elements { form, elements: &elements },
            },
        };
        let mut out = Vec::new();
        header.write_packet(&case.payload, case.padding, &mut out).unwrap();
        let packet = RtpPacket::new_checked(&out[..]).unwrap();
        prop_assert_eq!(packet.marker(), case.marker);
        prop_assert_eq!(packet.payload_type(), case.payload_type);
        prop_assert_eq!(packet.sequence_number(), case.sequence_number);
        prop_assert_eq!(packet.timestamp(), case.timestamp);
        prop_assert_eq!(packet.ssrc(), case.ssrc);
        prop_assert_eq!(packet.csrcs().collect::<Vec<_>>(), case.csrcs.clone());
        prop_assert_eq!(packet.payload(), &case.payload[..]);
        prop_assert_eq!(packet.padding_len(), usize::from(case.padding));
        prop_assert_eq!(packet.header_len(), header.header_len().unwrap());
        prop_assert_eq!(sansrtc_rtp::rtp::header_len(&out).unwrap(), packet.header_len());
        match packet.extension() {
            None => prop_assert!(case.form.is_none()),
            Some(ext) => {
                let parsed: Vec<Element<'_>> = ext.elements().map(Result::unwrap).collect();
                prop_assert_eq!(&parsed, &elements);
                let one_byte = elements.iter().all(|e| e.id <= 14 && (1..=16).contains(&e.data.len()));
                let expected_form = match case.form {
                    Some(ElementForm::OneByte) => ExtensionForm::OneByte,
                    Some(ElementForm::Auto) if one_byte => ExtensionForm::OneByte,
                    _ => ExtensionForm::TwoByte { app_bits: 0 },
                };
                prop_assert_eq!(ext.form(), expected_form);
                for element in &elements {
                    // The first element with an id wins.
                    let first = elements.iter().find(|e| e.id == element.id).unwrap();
                    prop_assert_eq!(packet.extension_data(element.id), Some(first.data));
                }
            }
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic_the_view(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = sansrtc_rtp::rtp::header_len(&bytes);
        if let Ok(packet) = RtpPacket::new_checked(&bytes[..]) {
            prop_assert!(packet.header_len() + packet.padding_len() <= bytes.len());
            let _ = packet.csrcs().count();
            let _ = packet.payload().len();
            if let Some(ext) = packet.extension() {
                for element in ext.elements() {
                    let _ = element.map(|e| e.data.len());
                }
                let _ = ext.validate();
                for id in 0..=255 {
                    let _ = packet.extension_data(id);
                }
            }
        }
    }

    #[test]
    fn rewriting_fields_in_place_changes_only_those_fields(
        seq in any::<u16>(), ts in any::<u32>(), ssrc in any::<u32>(), pt in 0u8..=127,
        twcc in any::<u16>(),
    ) {
        let elements = [Element { id: 3, data: &[0, 0] }, Element { id: 5, data: b"video" }];
        let header = RtpHeader {
            payload_type: 96,
            extensions: Extensions::Elements { form: ElementForm::Auto, elements: &elements },
            ..RtpHeader::default()
        };
        let mut out = Vec::new();
        header.write_packet(b"frame", 3, &mut out).unwrap();
        let mut packet = RtpPacket::new_checked(&mut out[..]).unwrap();
        packet.set_sequence_number(seq);
        packet.set_timestamp(ts);
        packet.set_ssrc(ssrc);
        packet.set_payload_type(pt);
        packet.set_marker(true);
        TransportSequenceNumber(twcc).write(packet.extension_data_mut(3).unwrap()).unwrap();
        let packet = RtpPacket::new_checked(&out[..]).unwrap();
        prop_assert_eq!((packet.sequence_number(), packet.timestamp(), packet.ssrc()), (seq, ts, ssrc));
        prop_assert_eq!((packet.payload_type(), packet.marker()), (pt, true));
        prop_assert_eq!(TransportSequenceNumber::parse(packet.extension_data(3).unwrap()).unwrap().0, twcc);
        prop_assert_eq!(packet.extension_data(5), Some(&b"video"[..]));
        prop_assert_eq!(packet.payload(), b"frame");
    }

    #[test]
    fn typed_extensions_round_trip(
        abs in 0u32..=0x00ff_ffff, seq in any::<u16>(), vad in any::<bool>(), level in 0u8..=127,
        mid in "[ -~]{1,16}", rid in "[A-Za-z0-9_-]{1,16}", camera_back in any::<bool>(),
        flip in any::<bool>(), rotation in 0u8..4,
    ) {
        fn round_trip<'a, T: ExtensionValue<'a> + PartialEq + std::fmt::Debug>(value: &T, buf: &'a mut [u8; 256]) -> Result<(), TestCaseError> {
            let len = value.write(&mut buf[..]).unwrap();
            prop_assert_eq!(len, value.encoded_len());
            let parsed = T::parse(&buf[..len]).unwrap();
            prop_assert_eq!(&parsed, value);
            Ok(())
        }
        round_trip(&AbsSendTime(abs), &mut [0; 256])?;
        round_trip(&TransportSequenceNumber(seq), &mut [0; 256])?;
        round_trip(&AudioLevel { voice_activity: vad, level }, &mut [0; 256])?;
        round_trip(&Mid(&mid), &mut [0; 256])?;
        round_trip(&Rid(&rid), &mut [0; 256])?;
        round_trip(&RepairedRid(&rid), &mut [0; 256])?;
        let rotation = [Rotation::Deg0, Rotation::Deg90, Rotation::Deg180, Rotation::Deg270][usize::from(rotation)];
        round_trip(&VideoOrientation { camera_back, flip, rotation }, &mut [0; 256])?;
    }
}
