//! Fuzzes the STUN message parser (`Message::parse`, `Message::parse_prefix`), every accessor of a
//! parsed message, the three integrity checks, and `ChannelData::parse`.
//!
//! Oracles (beyond "never panics"):
//!
//! - **Verbatim re-encoding is lossless.** Copying every raw attribute of a parsed message into a
//!   new `MessageBuilder` with `add_verbatim` (same class, method and transaction id) reproduces
//!   the input byte for byte, padding and integrity attributes included. A message that breaks
//!   the RFC 8489 §14.5–14.6 ordering rules (an attribute other than MESSAGE-INTEGRITY-SHA256 or
//!   FINGERPRINT after MESSAGE-INTEGRITY, ...) parses, because receivers ignore such attributes,
//!   but the builder refuses it: exactly at the first offending attribute, with `AfterIntegrity`.
//! - **Typed values round-trip.** Every well-formed typed attribute that `MessageBuilder::add`
//!   accepts parses back to an equal `Attribute`.
//! - **Prefix parsing agrees with whole-datagram parsing**, and `is_stun` accepts whatever
//!   `Message::parse` accepts.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use sansrtc_stun::wire::{
    Attribute, ChannelData, Message, MessageBuilder, RawAttribute, attr, is_stun,
};
use sansrtc_stun::{EncodeError, IntegrityKey};
use std::sync::LazyLock;

/// Keys the integrity checks run with: the RFC 5769 §2.1–2.3 short-term password and the
/// RFC 5769 §2.4 long-term (MD5) key, so the seed vectors also reach the success paths.
static KEYS: LazyLock<[IntegrityKey; 2]> = LazyLock::new(|| {
    [
        IntegrityKey::new(b"VOkJxbRl1RmTxUk/WvJxBt"),
        IntegrityKey::new(&[
            0xe8, 0xca, 0x7a, 0xd5, 0x9d, 0x5e, 0xb0, 0x51, 0x8e, 0x31, 0x29, 0x11, 0xd2, 0xda,
            0xb2, 0xa9,
        ]),
    ]
});

fuzz_target!(|data: &[u8]| {
    let _ = ChannelData::parse(data);

    let whole = Message::parse(data);
    match Message::parse_prefix(data) {
        Ok((prefix, used)) => {
            assert!(used <= data.len());
            assert_eq!(prefix.as_bytes(), &data[..used]);
            assert_eq!(prefix.len(), used);
            assert_eq!(
                whole.is_ok(),
                used == data.len(),
                "parse and parse_prefix disagree"
            );
            let again = Message::parse(&data[..used]);
            assert!(again.is_ok(), "a parsed prefix does not parse on its own");
            exercise(&prefix);
        }
        Err(_) => assert!(whole.is_err(), "parse accepts what parse_prefix rejects"),
    }

    if let Ok(message) = whole {
        assert!(is_stun(data), "is_stun rejects a message that parses");
        verbatim_round_trip(&message, data);
        typed_round_trip(&message);
    }
});

/// Calls every accessor; the results only need to exist without panicking.
fn exercise(m: &Message<'_>) {
    let _ = (
        m.len(),
        m.is_empty(),
        m.message_type(),
        m.class().is_response(),
    );
    let _ = (m.method().value(), m.transaction_id().as_bytes());
    let _ = (
        m.has_integrity(),
        m.has_integrity_sha256(),
        m.has_fingerprint(),
    );

    for raw in m.attributes() {
        check_raw_bounds(m, &raw);
        let _ = m.raw(raw.attribute_type);
        let _ = m.get(raw.attribute_type);
    }
    for raw in m.effective_attributes() {
        check_raw_bounds(m, &raw);
    }
    for a in m.typed_attributes().flatten() {
        let _ = (a.attribute_type(), a.value_len());
        walk_lists(&a);
    }
    for t in m.unknown_comprehension_required() {
        assert!(t < 0x8000);
    }

    let _ = (
        m.xor_mapped_address(),
        m.mapped_address(),
        m.xor_relayed_address(),
    );
    let _ = (m.xor_peer_address(), m.error_code(), m.lifetime(), m.data());
    let _ = (m.username(), m.realm(), m.nonce(), m.software());

    for key in KEYS.iter() {
        let _ = m.verify_integrity(key);
        let _ = m.verify_integrity_sha256(key);
    }
    let fingerprint = m.verify_fingerprint();
    assert_eq!(fingerprint.is_ok(), m.has_fingerprint());
}

/// A raw attribute's value and padding lie inside the message, right after its header.
fn check_raw_bounds(m: &Message<'_>, raw: &RawAttribute<'_>) {
    let bytes = m.as_bytes();
    let value_at = raw.offset + 4;
    assert!(value_at + raw.value.len() + raw.padding.len() <= bytes.len());
    assert_eq!(&bytes[value_at..value_at + raw.value.len()], raw.value);
    assert_eq!((raw.value.len() + raw.padding.len()) % 4, 0);
    assert!(raw.padding.len() < 4);
}

fn walk_lists(a: &Attribute<'_>) {
    match a {
        Attribute::PasswordAlgorithms(list) => list.iter().for_each(|p| {
            let _ = (p.algorithm, p.params.len());
        }),
        Attribute::UnknownAttributes(list) => list.iter().for_each(|t| {
            let _ = t;
        }),
        _ => {}
    }
}

/// Re-encodes every attribute with `add_verbatim`; see the module docs.
fn verbatim_round_trip(m: &Message<'_>, input: &[u8]) {
    let mut out = Vec::with_capacity(input.len());
    let mut b = MessageBuilder::new(&mut out, m.class(), m.method(), m.transaction_id());
    let (mut after_mi, mut after_mi_sha256) = (false, false);
    let mut complete = true;
    for raw in m.attributes() {
        let allowed = match raw.attribute_type {
            attr::FINGERPRINT => true,
            attr::MESSAGE_INTEGRITY => !after_mi && !after_mi_sha256,
            attr::MESSAGE_INTEGRITY_SHA256 => !after_mi_sha256,
            _ => !after_mi && !after_mi_sha256,
        };
        let result = b.add_verbatim(&raw).map(|_| ());
        if allowed {
            assert_eq!(
                result,
                Ok(()),
                "add_verbatim refused attribute {:#06x} at offset {}",
                raw.attribute_type,
                raw.offset
            );
        } else {
            assert_eq!(
                result,
                Err(EncodeError::AfterIntegrity),
                "add_verbatim and the ordering rules disagree on attribute {:#06x} at offset {}",
                raw.attribute_type,
                raw.offset
            );
            complete = false;
            break;
        }
        match raw.attribute_type {
            attr::MESSAGE_INTEGRITY => after_mi = true,
            attr::MESSAGE_INTEGRITY_SHA256 => after_mi_sha256 = true,
            _ => {}
        }
    }
    let len = b.finish();
    assert_eq!(len, out.len());
    if complete {
        assert_eq!(out, input, "verbatim re-encoding is not lossless");
    }
}

/// Every typed attribute the builder accepts parses back equal; see the module docs.
fn typed_round_trip(m: &Message<'_>) {
    let mut out = Vec::new();
    for typed in m.typed_attributes() {
        let Ok(a) = typed else { continue };
        if matches!(
            a.attribute_type(),
            attr::MESSAGE_INTEGRITY | attr::MESSAGE_INTEGRITY_SHA256 | attr::FINGERPRINT
        ) {
            continue;
        }
        out.clear();
        let mut b = MessageBuilder::new(&mut out, m.class(), m.method(), m.transaction_id());
        if b.add(&a).is_err() {
            continue;
        }
        b.finish();
        let reparsed = Message::parse(&out).expect("a built message does not parse");
        let back = reparsed
            .typed_attributes()
            .next()
            .expect("the built attribute is missing")
            .expect("the built attribute does not parse");
        assert_eq!(back, a, "typed attribute does not round-trip");
    }
}
