//! The primitives behind the profiles, each keyed once per session: AES counter mode and
//! HMAC-SHA1 from RustCrypto (SHA-NI, AES-NI), AES-GCM from ring.

pub(crate) mod aes_ctr;
pub(crate) mod gcm;
pub(crate) mod hmac_sha1;
