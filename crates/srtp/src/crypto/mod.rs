//! The primitives behind the profiles, each keyed once per session: AES counter mode and
//! HMAC-SHA1 from RustCrypto (SHA-NI, AES-NI), AES-GCM from ring.

pub(crate) mod aes_ctr;
pub(crate) mod gcm;
pub(crate) mod hmac_sha1;

/// Compares two byte strings in time that depends only on their lengths.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}
