//! AES-GCM for SRTP and SRTCP (RFC 7714), through ring's `LessSafeKey`: SRTP builds its own
//! unique nonces from SSRC and packet index, which is exactly what that API is for.

use ring::aead::{AES_128_GCM, AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};

/// Bytes of the GCM authentication tag (RFC 7714 §7: 16 octets).
pub(crate) const TAG_LEN: usize = 16;

/// An AES-GCM key with its key schedule and GHASH tables computed once per session.
pub(crate) struct Gcm(LessSafeKey);

impl Gcm {
    /// Keys AES-128-GCM (16-byte key) or AES-256-GCM (32-byte key); `None` otherwise.
    pub(crate) fn new(key: &[u8]) -> Option<Self> {
        let algorithm = match key.len() {
            16 => &AES_128_GCM,
            32 => &AES_256_GCM,
            _ => return None,
        };
        UnboundKey::new(algorithm, key)
            .ok()
            .map(|key| Self(LessSafeKey::new(key)))
    }

    /// Encrypts `data` in place and returns the tag over `aad` and the ciphertext.
    pub(crate) fn seal(
        &self,
        nonce: [u8; 12],
        aad: &[u8],
        data: &mut [u8],
    ) -> Option<[u8; TAG_LEN]> {
        let tag = self
            .0
            .seal_in_place_separate_tag(Nonce::assume_unique_for_key(nonce), Aad::from(aad), data)
            .ok()?;
        let mut out = [0u8; TAG_LEN];
        out.copy_from_slice(tag.as_ref());
        Some(out)
    }

    /// Checks the tag at the end of `data` and decrypts the rest in place; `false` when the
    /// tag does not match.
    pub(crate) fn open(&self, nonce: [u8; 12], aad: &[u8], data: &mut [u8]) -> bool {
        self.0
            .open_in_place(Nonce::assume_unique_for_key(nonce), Aad::from(aad), data)
            .is_ok()
    }
}
