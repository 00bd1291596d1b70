//! Real messages from browsers, coturn and libwebrtc's fuzzer seeds: every well-formed one
//! parses, its typed attributes decode, its FINGERPRINT checks, and it re-encodes to the same
//! bytes; every malformed one is refused with an error.

mod common;
use common::{hex, load, reencode};
use sansrtc_stun::wire::{Attribute, ChannelData, Class, Message, Method, attr};

fn messages(file: &str) -> Vec<serde_json::Value> {
    load(file)["messages"].as_array().unwrap().clone()
}

/// Parses, decodes every attribute, checks FINGERPRINT, re-encodes; returns the message bytes.
fn check_well_formed(hex_str: &str) -> Vec<u8> {
    let bytes = hex(hex_str);
    let m = Message::parse(&bytes).unwrap_or_else(|e| panic!("{hex_str}: {e}"));
    for a in m.typed_attributes() {
        a.unwrap_or_else(|e| panic!("{hex_str}: {e}"));
    }
    if m.has_fingerprint() {
        m.verify_fingerprint().unwrap();
    }
    assert_eq!(reencode(&m, None), bytes, "re-encoding {hex_str}");
    bytes
}

#[test]
fn browser_binding_requests() {
    let all = messages("browsers-binding-requests.json");
    assert!(all.len() >= 10);
    for m in all {
        let bytes = check_well_formed(m["hex"].as_str().unwrap());
        let parsed = Message::parse(&bytes).unwrap();
        assert_eq!(
            (parsed.class(), parsed.method()),
            (Class::Request, Method::BINDING)
        );
    }
}

#[test]
fn chrome_binding_request_with_origin() {
    let v = load("chrome-binding-request-origin.json");
    let hex_str = v["hex"]
        .as_str()
        .or_else(|| v["messages"][0]["hex"].as_str())
        .unwrap();
    let bytes = check_well_formed(hex_str);
    let m = Message::parse(&bytes).unwrap();
    // ORIGIN (0x802F) is comprehension-optional and unknown to us: kept verbatim.
    let origin = m.raw(0x802f).expect("ORIGIN attribute");
    assert_eq!(origin.value, b"http://localhost:3000/");
    assert_eq!(m.unknown_comprehension_required().count(), 0);
}

#[test]
fn chrome_156_ice_checks() {
    let all = messages("chrome-156-ice-connectivity-checks.json");
    for v in &all {
        let bytes = check_well_formed(v["hex"].as_str().unwrap());
        let m = Message::parse(&bytes).unwrap();
        assert!(m.has_fingerprint());
        match m.class() {
            Class::Request => {
                assert!(
                    m.username().is_some_and(|u| u.contains(':')),
                    "ICE username is ufrag:ufrag"
                );
                assert!(matches!(
                    m.get(attr::PRIORITY),
                    Some(Ok(Attribute::Priority(_)))
                ));
                assert!(m.has_integrity());
                // GOOG-NETWORK-INFO (0xC057) is unknown and optional.
                assert_eq!(m.unknown_comprehension_required().count(), 0);
            }
            Class::Success => assert!(m.xor_mapped_address().is_some()),
            other => panic!("unexpected class {other:?}"),
        }
    }
}

#[test]
fn libwebrtc_fuzzer_seeds() {
    for v in messages("libwebrtc-fuzz-seeds.json") {
        let hex_str = v["hex"].as_str().unwrap();
        if v["well_formed"].as_bool() == Some(false) {
            assert!(
                Message::parse(&hex(hex_str)).is_err(),
                "{} must be refused",
                v["name"]
            );
        } else {
            check_well_formed(hex_str);
        }
    }
}

#[test]
fn chrome_coturn_allocate_exchange() {
    let all = messages("chrome-coturn-allocate.json");
    let parsed: Vec<Vec<u8>> = all
        .iter()
        .map(|v| check_well_formed(v["hex"].as_str().unwrap()))
        .collect();
    let request = Message::parse(&parsed[0]).unwrap();
    assert_eq!(
        (request.class(), request.method()),
        (Class::Request, Method::ALLOCATE)
    );
    assert_eq!(
        request.get(attr::REQUESTED_TRANSPORT),
        Some(Ok(Attribute::RequestedTransport(17)))
    );
    let challenge = Message::parse(&parsed[1]).unwrap();
    assert_eq!(
        (challenge.class(), challenge.method()),
        (Class::Error, Method::ALLOCATE)
    );
    assert_eq!(
        challenge.error_code().map(|e| (e.code, e.reason)),
        Some((401, "Unauthorized"))
    );
    assert_eq!(challenge.realm(), Some("a1.cydev.ru"));
    assert_eq!(challenge.nonce(), Some("5a0209b5cb806106"));
    let retry = Message::parse(&parsed[2]).unwrap();
    assert!(retry.has_integrity());
    assert_eq!(retry.realm(), Some("a1.cydev.ru"));
    let success = Message::parse(&parsed[3]).unwrap();
    assert_eq!(success.class(), Class::Success);
    assert_eq!(
        success.xor_relayed_address().map(|a| a.ip().to_string()),
        Some("10.8.22.83".to_owned())
    );
    assert_eq!(
        success.xor_mapped_address().map(|a| a.ip().to_string()),
        Some("213.141.156.236".to_owned())
    );
    assert_eq!(success.lifetime(), Some(600));
}

#[test]
fn chrome_channel_data() {
    let v = load("chrome-channeldata.json");
    let bytes = hex(v["messages"][0]["hex"].as_str().unwrap());
    let frame = ChannelData::parse(&bytes).unwrap();
    assert_eq!(frame.channel.value(), 0x4000);
    assert_eq!(frame.data.len(), 100);
    // It carries a STUN Binding request through the relay.
    let inner = Message::parse(frame.data).unwrap();
    assert_eq!(inner.method(), Method::BINDING);
    inner.verify_fingerprint().unwrap();
}
