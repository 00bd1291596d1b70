//! HMAC-SHA1 (RFC 2104) for SRTP authentication (RFC 3711 §4.2.1), with the inner and outer
//! hash states after the key pads computed once per session.

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

/// A keyed HMAC-SHA1. Cloning the precomputed state per packet costs a copy of two SHA-1
/// states, not two compression rounds.
#[derive(Clone)]
pub(crate) struct HmacSha1(Hmac<Sha1>);

impl HmacSha1 {
    /// Keys HMAC-SHA1 with `key` (any length).
    pub(crate) fn new(key: &[u8]) -> Self {
        match Hmac::<Sha1>::new_from_slice(key) {
            Ok(mac) => Self(mac),
            // HMAC accepts keys of every length; this arm cannot be reached.
            Err(_) => Self(Hmac::<Sha1>::new(&Default::default())),
        }
    }

    /// The 20-byte HMAC of `data` followed by `trailer` (the ROC for SRTP, RFC 3711 §4.2).
    pub(crate) fn tag(&self, data: &[u8], trailer: &[u8]) -> [u8; 20] {
        let mut mac = self.0.clone();
        mac.update(data);
        mac.update(trailer);
        mac.finalize().into_bytes().into()
    }
}
