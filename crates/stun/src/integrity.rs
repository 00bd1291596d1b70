//! MESSAGE-INTEGRITY (HMAC-SHA1), MESSAGE-INTEGRITY-SHA256 and FINGERPRINT (RFC 8489 §14.5–14.7).
//!
//! An [`IntegrityKey`] holds the HMAC states *after* the key pads, so checking or computing an
//! integrity attribute costs only the message's own compression rounds: build one per
//! credential, not per message. HMAC-SHA1 uses RustCrypto's SHA-1 (SHA-NI where the CPU has it);
//! HMAC-SHA256 uses `ring`.

use crate::error::IntegrityError;
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

/// XOR constant of FINGERPRINT (RFC 8489 §14.7): "STUN" in ASCII.
pub const FINGERPRINT_XOR: u32 = 0x5354_554e;

/// The key of MESSAGE-INTEGRITY and MESSAGE-INTEGRITY-SHA256, with its HMAC states precomputed.
///
/// Get the key bytes from [`crate::credentials`]: the (prepared) password for short-term
/// credentials, or the MD5/SHA-256 digest for long-term ones.
#[derive(Clone)]
pub struct IntegrityKey {
    sha1: Hmac<Sha1>,
    sha256: ring::hmac::Key,
}

impl std::fmt::Debug for IntegrityKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IntegrityKey(..)")
    }
}

impl IntegrityKey {
    /// A key from raw key bytes (any length; HMAC hashes keys longer than a block).
    pub fn new(key: &[u8]) -> Self {
        let sha1 = match Hmac::<Sha1>::new_from_slice(key) {
            Ok(mac) => mac,
            // HMAC accepts keys of every length; this arm cannot be reached.
            Err(_) => Hmac::<Sha1>::new(&Default::default()),
        };
        Self {
            sha1,
            sha256: ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key),
        }
    }

    /// HMAC-SHA1 over `header` then `body`.
    pub(crate) fn mac_sha1(&self, header: &[u8], body: &[u8]) -> [u8; 20] {
        let mut mac = self.sha1.clone();
        mac.update(header);
        mac.update(body);
        let mut out = [0u8; 20];
        out.copy_from_slice(&mac.finalize().into_bytes());
        out
    }

    /// HMAC-SHA256 over `header` then `body`.
    pub(crate) fn mac_sha256(&self, header: &[u8], body: &[u8]) -> [u8; 32] {
        let mut ctx = ring::hmac::Context::with_key(&self.sha256);
        ctx.update(header);
        ctx.update(body);
        let mut out = [0u8; 32];
        out.copy_from_slice(ctx.sign().as_ref());
        out
    }

    pub(crate) fn verify_sha1(
        &self,
        header: &[u8],
        body: &[u8],
        expected: &[u8],
    ) -> Result<(), IntegrityError> {
        if sansrtc_proto::constant_time::eq(&self.mac_sha1(header, body), expected) {
            Ok(())
        } else {
            Err(IntegrityError::Mismatch)
        }
    }

    pub(crate) fn verify_sha256(
        &self,
        header: &[u8],
        body: &[u8],
        expected: &[u8],
    ) -> Result<(), IntegrityError> {
        let mac = self.mac_sha256(header, body);
        match mac.get(..expected.len()) {
            Some(truncated) if sansrtc_proto::constant_time::eq(truncated, expected) => Ok(()),
            _ => Err(IntegrityError::Mismatch),
        }
    }
}

/// The HMAC input of an integrity attribute at offset `at` whose value is `mac_len` bytes: the
/// header with its length field counting up to the end of that attribute, and the attributes
/// before it (RFC 8489 §14.5, §14.6).
pub(crate) fn integrity_input(message: &[u8], at: usize, mac_len: usize) -> ([u8; 20], &[u8]) {
    let mut header = [0u8; 20];
    header.copy_from_slice(&message[..20]);
    let length = u16::try_from(at + 4 + mac_len - 20).unwrap_or(u16::MAX);
    header[2..4].copy_from_slice(&length.to_be_bytes());
    (header, &message[20..at])
}

/// FINGERPRINT of the message bytes before the attribute (whose header length must already
/// count the FINGERPRINT attribute): CRC-32 XOR 0x5354554e.
pub(crate) fn fingerprint_of(before: &[u8]) -> u32 {
    crc32fast::hash(before) ^ FINGERPRINT_XOR
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_sha1_matches_rfc2202_case_2() {
        // RFC 2202 test case 2: key "Jefe", data "what do ya want for nothing?".
        let key = IntegrityKey::new(b"Jefe");
        let mac = key.mac_sha1(b"what do ya want ", b"for nothing?");
        let expected = [
            0xef, 0xfc, 0xdf, 0x6a, 0xe5, 0xeb, 0x2f, 0xa2, 0xd2, 0x74, 0x16, 0xd5, 0xf1, 0x84,
            0xdf, 0x9c, 0x25, 0x9a, 0x7c, 0x79,
        ];
        assert_eq!(mac, expected);
        assert!(
            key.verify_sha1(b"what do ya want ", b"for nothing?", &expected)
                .is_ok()
        );
        assert_eq!(
            key.verify_sha1(b"what do ya want ", b"for nothing!", &expected),
            Err(IntegrityError::Mismatch)
        );
    }

    #[test]
    fn hmac_sha256_matches_rfc4231_case_2() {
        let key = IntegrityKey::new(b"Jefe");
        let mac = key.mac_sha256(b"what do ya want ", b"for nothing?");
        assert_eq!(mac[..4], [0x5b, 0xdc, 0xc1, 0x46]);
        assert_eq!(mac[28..], [0x64, 0xec, 0x38, 0x43]);
        assert!(
            key.verify_sha256(b"what do ya want ", b"for nothing?", &mac[..16])
                .is_ok()
        );
        assert_eq!(
            key.verify_sha256(b"what do ya want ", b"for nothing?", &[0; 16]),
            Err(IntegrityError::Mismatch)
        );
    }
}
