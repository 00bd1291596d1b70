//! Every RFC 5769 test vector decodes, verifies MESSAGE-INTEGRITY and FINGERPRINT, and
//! re-encodes to the same bytes; RFC 8489 Appendix B.1's USERHASH and SHA-256 key check out.

mod common;
use common::{hex, load, reencode};
use sansrtc_stun::credentials::{
    PasswordPrep, long_term_key, long_term_key_bytes, short_term_key, userhash,
};
use sansrtc_stun::wire::{
    Attribute, Class, Message, MessageBuilder, Method, attr, password_algorithm,
};
use sansrtc_stun::{IntegrityKey, ParseErrorKind};
use std::net::SocketAddr;

fn vector(name: &str) -> serde_json::Value {
    load("rfc5769.json")["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == name)
        .unwrap_or_else(|| panic!("no vector {name}"))
        .clone()
}

fn key_of(v: &serde_json::Value) -> IntegrityKey {
    IntegrityKey::new(&hex(v["hmac_key_hex"].as_str().unwrap_or_else(|| {
        panic!("vector {} has no hmac_key_hex", v["name"]);
    })))
}

fn short_term_key_of(v: &serde_json::Value) -> IntegrityKey {
    short_term_key(v["password"].as_str().unwrap(), PasswordPrep::OpaqueString).unwrap()
}

#[test]
fn sample_request_2_1() {
    let v = vector("rfc5769-2.1-sample-request");
    let bytes = hex(v["hex"].as_str().unwrap());
    let m = Message::parse(&bytes).unwrap();
    assert_eq!((m.class(), m.method()), (Class::Request, Method::BINDING));
    assert_eq!(
        m.transaction_id().0.to_vec(),
        hex(v["transaction_id"].as_str().unwrap())
    );
    assert_eq!(m.software(), Some("STUN test client"));
    assert_eq!(m.username(), Some("evtj:h6vY"));
    assert_eq!(
        m.get(attr::PRIORITY),
        Some(Ok(Attribute::Priority(0x6e00_01ff)))
    );
    assert_eq!(
        m.get(attr::ICE_CONTROLLED),
        Some(Ok(Attribute::IceControlled(0x932f_f9b1_5126_3b36)))
    );
    let key = short_term_key_of(&v);
    m.verify_integrity(&key).unwrap();
    m.verify_fingerprint().unwrap();
    assert_eq!(
        m.verify_integrity(&IntegrityKey::new(b"wrong")),
        Err(sansrtc_stun::IntegrityError::Mismatch)
    );
    assert_eq!(reencode(&m, Some(&key)), bytes);
}

fn check_response(name: &str) {
    let v = vector(name);
    let bytes = hex(v["hex"].as_str().unwrap());
    let m = Message::parse(&bytes).unwrap();
    assert_eq!((m.class(), m.method()), (Class::Success, Method::BINDING));
    assert_eq!(m.software(), Some("test vector"));
    let expected: SocketAddr = format!(
        "{}:{}",
        match v["xor_mapped_address"]["family"].as_str().unwrap() {
            "IPv6" => format!("[{}]", v["xor_mapped_address"]["ip"].as_str().unwrap()),
            _ => v["xor_mapped_address"]["ip"].as_str().unwrap().to_owned(),
        },
        v["xor_mapped_address"]["port"]
    )
    .parse()
    .unwrap();
    assert_eq!(m.xor_mapped_address(), Some(expected));
    let key = short_term_key_of(&v);
    m.verify_integrity(&key).unwrap();
    m.verify_fingerprint().unwrap();
    assert_eq!(reencode(&m, Some(&key)), bytes);
}

#[test]
fn ipv4_response_2_2() {
    check_response("rfc5769-2.2-ipv4-response");
}

#[test]
fn ipv6_response_2_3() {
    check_response("rfc5769-2.3-ipv6-response");
}

#[test]
fn long_term_request_2_4() {
    let v = vector("rfc5769-2.4-request-long-term-auth");
    let bytes = hex(v["hex"].as_str().unwrap());
    let m = Message::parse(&bytes).unwrap();
    assert_eq!(m.username(), Some("マトリックス"));
    assert_eq!(m.realm(), Some("example.org"));
    assert_eq!(m.nonce(), v["nonce"].as_str());
    assert!(!m.has_fingerprint());
    // The key from the vector, and the same key derived from the credentials (both the
    // prepared password and SASLprep of the raw one, as RFC 5389 did).
    m.verify_integrity(&key_of(&v)).unwrap();
    let derived = long_term_key(
        "マトリックス",
        "example.org",
        "TheMatrIX",
        password_algorithm::MD5,
        PasswordPrep::OpaqueString,
    )
    .unwrap();
    m.verify_integrity(&derived).unwrap();
    let raw_password = v["password_before_saslprep"].as_str().unwrap();
    let sasl = long_term_key(
        "マトリックス",
        "example.org",
        raw_password,
        password_algorithm::MD5,
        PasswordPrep::SaslPrep,
    )
    .unwrap();
    m.verify_integrity(&sasl).unwrap();
    assert_eq!(reencode(&m, Some(&derived)), bytes);
}

#[test]
fn typed_reencode_of_2_4_is_byte_exact() {
    // Its padding is zeros, so building from typed attributes alone reproduces it.
    let v = vector("rfc5769-2.4-request-long-term-auth");
    let bytes = hex(v["hex"].as_str().unwrap());
    let m = Message::parse(&bytes).unwrap();
    let key = key_of(&v);
    let mut out = Vec::new();
    let mut b = MessageBuilder::new(&mut out, m.class(), m.method(), m.transaction_id());
    for a in m.typed_attributes() {
        match a.unwrap() {
            Attribute::MessageIntegrity(_) => b.add_message_integrity(&key).unwrap(),
            other => b.add(&other).unwrap(),
        };
    }
    b.finish();
    assert_eq!(out, bytes);
}

#[test]
fn rfc8489_b1_userhash_and_sha256_key() {
    let v = load("rfc8489-b1.json");
    let bytes = hex(v["hex"].as_str().unwrap());
    // The printed vector's header length (0x9c) exceeds its attributes (0x88): a strict
    // parser must reject the framing.
    assert_eq!(
        Message::parse(&bytes).unwrap_err().kind,
        ParseErrorKind::Truncated
    );

    // Re-framed with the right length, its attributes parse, and USERHASH is what we compute.
    let mut fixed = bytes.clone();
    fixed[2..4].copy_from_slice(&u16::try_from(bytes.len() - 20).unwrap().to_be_bytes());
    let m = Message::parse(&fixed).unwrap();
    let hash = userhash("マトリックス", "example.org").unwrap();
    assert_eq!(m.get(attr::USERHASH), Some(Ok(Attribute::UserHash(&hash))));
    assert_eq!(m.realm(), Some("example.org"));
    assert_eq!(m.nonce(), v["nonce"].as_str());

    // The printed MESSAGE-INTEGRITY-SHA256 is HMAC-SHA256, keyed with our SHA-256 long-term
    // key, over the 120 bytes before the attribute as printed.
    let key = long_term_key_bytes(
        "マトリックス",
        "example.org",
        "TheMatrIX",
        password_algorithm::SHA256,
        PasswordPrep::OpaqueString,
    )
    .unwrap();
    let mac = ring::hmac::sign(
        &ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &key),
        &bytes[..120],
    );
    assert_eq!(mac.as_ref(), &bytes[124..156]);

    // And a well-framed message with the same attributes, signed by our builder, verifies.
    let mut out = Vec::new();
    let mut b = MessageBuilder::new(
        &mut out,
        Class::Request,
        Method::BINDING,
        m.transaction_id(),
    );
    for raw in m
        .attributes()
        .filter(|a| a.attribute_type != attr::MESSAGE_INTEGRITY_SHA256)
    {
        b.add_verbatim(&raw).unwrap();
    }
    let integrity = IntegrityKey::new(&key);
    b.add_message_integrity_sha256(&integrity).unwrap();
    b.finish();
    Message::parse(&out)
        .unwrap()
        .verify_integrity_sha256(&integrity)
        .unwrap();
}
