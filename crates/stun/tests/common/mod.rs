//! Helpers shared by the STUN integration tests.

use sansrtc_stun::IntegrityKey;
use sansrtc_stun::wire::{Message, MessageBuilder, attr};
use serde_json::Value;

/// Loads a vector file from `tests/vectors/`.
pub(crate) fn load(name: &str) -> Value {
    let path = format!("{}/tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Decodes a lower-case hex string.
pub(crate) fn hex(s: &str) -> Vec<u8> {
    assert!(s.len().is_multiple_of(2), "odd hex length");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex digit"))
        .collect()
}

/// Re-encodes a message: every attribute copied verbatim (padding included); with `key`,
/// MESSAGE-INTEGRITY is recomputed, and FINGERPRINT always is.
pub(crate) fn reencode(message: &Message<'_>, key: Option<&IntegrityKey>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut b = MessageBuilder::new(
        &mut out,
        message.class(),
        message.method(),
        message.transaction_id(),
    );
    for raw in message.attributes() {
        match (raw.attribute_type, key) {
            (attr::MESSAGE_INTEGRITY, Some(key)) => {
                b.add_message_integrity(key).unwrap();
            }
            (attr::FINGERPRINT, _) => {
                b.add_fingerprint().unwrap();
            }
            _ => {
                b.add_verbatim(&raw).unwrap();
            }
        }
    }
    b.finish();
    out
}
