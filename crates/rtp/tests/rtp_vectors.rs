//! RTP packets from libwebrtc's fuzzer seed corpus decode to the fields an independent
//! decoder wrote beside them, and valid ones rebuild byte for byte.

use sansrtc_rtp::ParseErrorKind;
use sansrtc_rtp::rtp::{Element, ElementForm, Extensions, RtpHeader, RtpPacket};
use serde_json::Value;

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn number(v: &Value) -> u64 {
    match v {
        Value::Number(n) => n.as_u64().unwrap(),
        Value::String(s) => u64::from_str_radix(s.trim_start_matches("0x"), 16).unwrap(),
        other => panic!("not a number: {other}"),
    }
}

#[test]
fn libwebrtc_corpus_decodes_as_the_independent_decoder_says() {
    let text = include_str!("vectors/libwebrtc-rtp-corpus.json");
    let corpus: Value = serde_json::from_str(text).unwrap();
    let (mut valid, mut rejected, mut exact) = (0, 0, 0);
    for item in corpus["packets"].as_array().unwrap() {
        let name = item["name"].as_str().unwrap();
        let bytes = hex(item["hex"].as_str().unwrap());
        let want = &item["decoded"];
        if want.get("error").is_some() {
            let err = RtpPacket::new_checked(&bytes[..]).expect_err(name);
            assert!(
                matches!(
                    err.kind,
                    ParseErrorKind::BadVersion | ParseErrorKind::Truncated
                ),
                "{name}: {err}"
            );
            rejected += 1;
            continue;
        }
        let packet = RtpPacket::new_checked(&bytes[..]).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            packet.as_bytes().len() as u64,
            number(&want["len"]),
            "{name}"
        );
        assert_eq!(
            packet.has_padding(),
            want["padding"].as_bool().unwrap(),
            "{name}"
        );
        assert_eq!(
            packet.has_extension(),
            want["extension"].as_bool().unwrap(),
            "{name}"
        );
        assert_eq!(
            u64::from(packet.marker()),
            u64::from(want["marker"].as_bool().unwrap())
        );
        assert_eq!(
            u64::from(packet.payload_type()),
            number(&want["payload_type"]),
            "{name}"
        );
        assert_eq!(
            u64::from(packet.sequence_number()),
            number(&want["sequence_number"])
        );
        assert_eq!(
            u64::from(packet.timestamp()),
            number(&want["timestamp"]),
            "{name}"
        );
        assert_eq!(u64::from(packet.ssrc()), number(&want["ssrc"]), "{name}");
        let csrcs: Vec<u64> = want["csrcs"]
            .as_array()
            .unwrap()
            .iter()
            .map(number)
            .collect();
        assert_eq!(
            packet.csrcs().map(u64::from).collect::<Vec<_>>(),
            csrcs,
            "{name}"
        );
        assert_eq!(
            packet.payload(),
            hex(want["payload_hex"].as_str().unwrap()),
            "{name}"
        );
        assert_eq!(
            packet.padding_len() as u64,
            number(&want["padding_len"]),
            "{name}"
        );
        let mut elements = Vec::new();
        if let Some(ext) = packet.extension() {
            assert_eq!(
                u64::from(ext.profile()),
                number(&want["extension_profile"]),
                "{name}"
            );
            assert_eq!(
                ext.data().len() as u64,
                4 * number(&want["extension_length_words"])
            );
            let expected = want["one_byte_extensions"].as_array().unwrap();
            elements = ext.elements().collect::<Result<Vec<_>, _>>().unwrap();
            assert_eq!(elements.len(), expected.len(), "{name}");
            for (got, want) in elements.iter().zip(expected) {
                assert_eq!(u64::from(got.id), number(&want["id"]), "{name}");
                assert_eq!(got.data, hex(want["data"].as_str().unwrap()), "{name}");
            }
        }
        // Rebuild from the decoded fields; the corpus pads with zeros before the count byte.
        let csrcs: Vec<u32> = packet.csrcs().collect();
        let header = RtpHeader {
            marker: packet.marker(),
            payload_type: packet.payload_type(),
            sequence_number: packet.sequence_number(),
            timestamp: packet.timestamp(),
            ssrc: packet.ssrc(),
            csrcs: &csrcs,
            extensions: if packet.has_extension() {
                Extensions::Elements {
                    form: ElementForm::OneByte,
                    elements: &elements,
                }
            } else {
                Extensions::None
            },
        };
        let mut rebuilt = Vec::new();
        header
            .write_packet(packet.payload(), packet.padding_len() as u8, &mut rebuilt)
            .unwrap();
        let padding = &bytes[bytes.len() - packet.padding_len()..];
        if padding.len() <= 1 || padding[..padding.len() - 1].iter().all(|&b| b == 0) {
            assert_eq!(rebuilt, bytes, "{name} rebuilds byte for byte");
            exact += 1;
        } else {
            // Padding content is arbitrary (RFC 3550 §5.1): compare everything else.
            let keep = bytes.len() - packet.padding_len();
            assert_eq!(rebuilt[..keep], bytes[..keep], "{name}");
            assert_eq!(rebuilt.last(), bytes.last(), "{name}");
        }
        valid += 1;
    }
    assert_eq!((valid, rejected, exact), (3, 1, 2));
}

#[test]
fn two_byte_extensions_with_padding_between_elements_decode() {
    // RFC 8285 §4.3 example layout: profile 0x1000 | appbits 5, three elements with a
    // padding byte between the second and the third, one of them empty.
    let bytes = hex(concat!(
        "90", "60", "0001", "00000002", "00000003", // fixed header, X set
        "1005", "0003", // two-byte form, app bits 5, 3 words
        "0102", "aabb", // id 1, two bytes
        "1000", "00", // id 16, empty; one padding byte
        "ff01", "cc", "0000", // id 255, one byte; padding
        "dead"  // payload
    ));
    let packet = RtpPacket::new_checked(&bytes[..]).unwrap();
    let ext = packet.extension().unwrap();
    assert_eq!(
        ext.form(),
        sansrtc_rtp::rtp::ExtensionForm::TwoByte { app_bits: 5 }
    );
    let elements: Vec<Element<'_>> = ext.elements().map(Result::unwrap).collect();
    assert_eq!(
        elements,
        [
            Element {
                id: 1,
                data: &[0xaa, 0xbb]
            },
            Element { id: 16, data: &[] },
            Element {
                id: 255,
                data: &[0xcc]
            },
        ]
    );
    assert_eq!(packet.extension_data(255), Some(&[0xcc][..]));
    assert_eq!(packet.payload(), [0xde, 0xad]);
}
