//! SRTP protection profiles WebRTC uses (RFC 3711, RFC 5764 §4.1.2, RFC 6188, RFC 7714).

use crate::Error;

/// An SRTP protection profile: the cipher, the authentication and the key sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Profile {
    /// AES-128 counter mode with an 80-bit HMAC-SHA1 tag (RFC 3711, RFC 5764
    /// `SRTP_AES128_CM_HMAC_SHA1_80`).
    Aes128CmHmacSha1_80,
    /// AES-128 counter mode with a 32-bit HMAC-SHA1 tag on RTP and 80 bits on RTCP
    /// (RFC 5764 §4.1.2 `SRTP_AES128_CM_HMAC_SHA1_32`).
    Aes128CmHmacSha1_32,
    /// AES-128-GCM with a 16-byte tag (RFC 7714 §14.2 `AEAD_AES_128_GCM`).
    AeadAes128Gcm,
    /// AES-256-GCM with a 16-byte tag (RFC 7714 §14.2 `AEAD_AES_256_GCM`).
    AeadAes256Gcm,
    /// AES-256 counter mode with an 80-bit HMAC-SHA1 tag (RFC 6188 §4
    /// `AES_256_CM_HMAC_SHA1_80`).
    Aes256CmHmacSha1_80,
}

impl Profile {
    /// Every profile.
    pub const ALL: [Self; 5] = [
        Self::Aes128CmHmacSha1_80,
        Self::Aes128CmHmacSha1_32,
        Self::AeadAes128Gcm,
        Self::AeadAes256Gcm,
        Self::Aes256CmHmacSha1_80,
    ];

    /// The profile a DTLS `use_srtp` identifier names (RFC 5764 §4.1.2, RFC 7714 §14.2).
    ///
    /// # Errors
    /// [`Error::UnknownProfile`] for any other value.
    pub const fn from_dtls_id(id: u16) -> Result<Self, Error> {
        match id {
            0x0001 => Ok(Self::Aes128CmHmacSha1_80),
            0x0002 => Ok(Self::Aes128CmHmacSha1_32),
            0x0007 => Ok(Self::AeadAes128Gcm),
            0x0008 => Ok(Self::AeadAes256Gcm),
            other => Err(Error::UnknownProfile(other)),
        }
    }

    /// The DTLS `use_srtp` identifier, if the profile has one. RFC 6188's AES-256 counter
    /// mode has none: it is keyed through SDES (`a=crypto`) only.
    pub const fn dtls_id(self) -> Option<u16> {
        match self {
            Self::Aes128CmHmacSha1_80 => Some(0x0001),
            Self::Aes128CmHmacSha1_32 => Some(0x0002),
            Self::AeadAes128Gcm => Some(0x0007),
            Self::AeadAes256Gcm => Some(0x0008),
            Self::Aes256CmHmacSha1_80 => None,
        }
    }

    /// The crypto-suite name of SDP `a=crypto` (RFC 4568 §6.2, RFC 6188 §6, RFC 7714 §14.1).
    pub const fn sdes_name(self) -> &'static str {
        match self {
            Self::Aes128CmHmacSha1_80 => "AES_CM_128_HMAC_SHA1_80",
            Self::Aes128CmHmacSha1_32 => "AES_CM_128_HMAC_SHA1_32",
            Self::AeadAes128Gcm => "AEAD_AES_128_GCM",
            Self::AeadAes256Gcm => "AEAD_AES_256_GCM",
            Self::Aes256CmHmacSha1_80 => "AES_256_CM_HMAC_SHA1_80",
        }
    }

    /// Whether the profile is an AEAD (RFC 7714) rather than counter mode plus HMAC.
    pub const fn is_aead(self) -> bool {
        matches!(self, Self::AeadAes128Gcm | Self::AeadAes256Gcm)
    }

    /// Master (and session) encryption key length in bytes.
    pub const fn key_len(self) -> usize {
        match self {
            Self::Aes128CmHmacSha1_80 | Self::Aes128CmHmacSha1_32 | Self::AeadAes128Gcm => 16,
            Self::AeadAes256Gcm | Self::Aes256CmHmacSha1_80 => 32,
        }
    }

    /// Master (and session) salt length in bytes: 14 for counter mode, 12 for GCM
    /// (RFC 7714 §12).
    pub const fn salt_len(self) -> usize {
        if self.is_aead() { 12 } else { 14 }
    }

    /// Bytes the authentication tag adds to an SRTP packet.
    pub const fn rtp_tag_len(self) -> usize {
        match self {
            Self::Aes128CmHmacSha1_80 | Self::Aes256CmHmacSha1_80 => 10,
            Self::Aes128CmHmacSha1_32 => 4,
            Self::AeadAes128Gcm | Self::AeadAes256Gcm => 16,
        }
    }

    /// Bytes the authentication tag adds to an SRTCP packet: 80 bits for every HMAC profile,
    /// the `_32` one included (RFC 5764 §4.1.2).
    pub const fn rtcp_tag_len(self) -> usize {
        if self.is_aead() { 16 } else { 10 }
    }

    /// Bytes protection adds to an RTP packet.
    pub const fn rtp_overhead(self) -> usize {
        self.rtp_tag_len()
    }

    /// Bytes protection adds to an RTCP packet: the tag and the E flag + SRTCP index word.
    pub const fn rtcp_overhead(self) -> usize {
        self.rtcp_tag_len() + 4
    }

    /// Length of the HMAC-SHA1 session authentication key (RFC 3711 §8.2: 160 bits); zero for
    /// AEAD profiles.
    pub(crate) const fn auth_key_len(self) -> usize {
        if self.is_aead() { 0 } else { 20 }
    }
}

impl std::fmt::Display for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.sdes_name())
    }
}
