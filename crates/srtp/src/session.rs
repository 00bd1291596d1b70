//! Both directions of a DTLS-SRTP session: the outbound context keyed with our write key and
//! the inbound one keyed with the peer's (RFC 5764 §4.2).

use crate::{Config, Context, DtlsSrtpKeys, Error, Profile, Role};

/// An SRTP session for one transport: protects with the local key, unprotects with the
/// remote one.
#[derive(Debug)]
pub struct Session {
    /// Protects what this endpoint sends.
    pub outbound: Context,
    /// Unprotects what the peer sends.
    pub inbound: Context,
}

impl Session {
    /// Keys a session from the output of the DTLS exporter (label `EXTRACTOR-dtls_srtp`,
    /// [`crate::keying_material_len`] bytes) for the negotiated `profile`, as the DTLS `role`
    /// this endpoint played.
    ///
    /// # Errors
    /// [`Error::BadKeyLength`] when `material` has the wrong length.
    pub fn from_dtls(
        profile: Profile,
        material: &[u8],
        role: Role,
        config: Config,
    ) -> Result<Self, Error> {
        let keys = DtlsSrtpKeys::split(profile, material)?;
        Ok(Self {
            outbound: Context::new(keys.local(role), config)?,
            inbound: Context::new(keys.remote(role), config)?,
        })
    }
}
