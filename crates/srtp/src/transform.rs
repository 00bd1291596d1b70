//! The per-session transforms: a profile's session keys, derived once (RFC 3711 §4.3), and the
//! per-packet encryption and authentication built on them (RFC 3711 §3.3, §3.4, §4.1.1,
//! §4.2.1; RFC 7714 §8, §9).

use crate::crypto::aes_ctr::AesCtr;
use crate::crypto::gcm::{self, Gcm};
use crate::crypto::hmac_sha1::HmacSha1;
use crate::kdf::{Label, derive};
use crate::{Error, MasterKey};
use sansrtc_proto::constant_time;

/// Session keys and primitives for one of RTP or RTCP in one direction.
#[expect(
    clippy::large_enum_variant,
    reason = "two per context, never moved per packet; inline avoids a pointer chase per packet"
)]
pub(crate) enum Transform {
    /// AES counter mode with HMAC-SHA1 (RFC 3711 §4.1.1, §4.2.1; RFC 6188).
    CounterMode {
        ctr: AesCtr,
        auth: HmacSha1,
        salt: [u8; 14],
        tag_len: usize,
    },
    /// AES-GCM (RFC 7714).
    Gcm { gcm: Gcm, salt: [u8; 12] },
}

/// Which of RTP and RTCP a transform protects: picks the derivation labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Rtp,
    Rtcp,
}

impl Transform {
    /// Derives the session keys of `kind` from `master` (RFC 3711 §4.3; RFC 7714 §11 for GCM).
    ///
    /// # Errors
    /// [`Error::BadKeyLength`] if the primitives refuse the key (a [`MasterKey`] always has a
    /// length they accept).
    pub(crate) fn new(master: &MasterKey, kind: Kind) -> Result<Self, Error> {
        let profile = master.profile();
        let (enc, auth, salt) = match kind {
            Kind::Rtp => (
                Label::RtpEncryption,
                Label::RtpAuthentication,
                Label::RtpSalt,
            ),
            Kind::Rtcp => (
                Label::RtcpEncryption,
                Label::RtcpAuthentication,
                Label::RtcpSalt,
            ),
        };
        let mut key = [0u8; 32];
        let key = &mut key[..profile.key_len()];
        derive(master, enc, key);
        let transform = if profile.is_aead() {
            let mut session_salt = [0u8; 12];
            derive(master, salt, &mut session_salt);
            // Profile key lengths are 16 or 32 bytes, which Gcm::new accepts.
            Gcm::new(key).map(|gcm| Self::Gcm {
                gcm,
                salt: session_salt,
            })
        } else {
            let mut session_salt = [0u8; 14];
            derive(master, salt, &mut session_salt);
            let mut auth_key = [0u8; 20];
            derive(master, auth, &mut auth_key[..profile.auth_key_len()]);
            let tag_len = match kind {
                Kind::Rtp => profile.rtp_tag_len(),
                Kind::Rtcp => profile.rtcp_tag_len(),
            };
            AesCtr::new(key).map(|ctr| Self::CounterMode {
                ctr,
                auth: HmacSha1::new(&auth_key),
                salt: session_salt,
                tag_len,
            })
        };
        key.fill(0);
        transform.ok_or(Error::BadKeyLength)
    }

    /// Bytes of the authentication tag.
    pub(crate) fn tag_len(&self) -> usize {
        match self {
            Self::CounterMode { tag_len, .. } => *tag_len,
            Self::Gcm { .. } => gcm::TAG_LEN,
        }
    }

    /// Encrypts `packet[header_len..len]` and writes the tag at `packet[len..]`, which has
    /// exactly [`tag_len`](Self::tag_len) bytes. `index` is the 48-bit SRTP packet index.
    pub(crate) fn protect_rtp(&self, packet: &mut [u8], header_len: usize, ssrc: u32, index: u64) {
        let len = packet.len() - self.tag_len();
        match self {
            Self::CounterMode {
                ctr,
                auth,
                salt,
                tag_len,
            } => {
                ctr.apply(
                    &counter_block(salt, ssrc, index),
                    &mut packet[header_len..len],
                );
                let roc = ((index >> 16) as u32).to_be_bytes();
                let (data, tag) = packet.split_at_mut(len);
                tag.copy_from_slice(&auth.tag(data, &roc)[..*tag_len]);
            }
            Self::Gcm { gcm, salt } => {
                let (header, rest) = packet.split_at_mut(header_len);
                let (body, tag_out) = rest.split_at_mut(len - header_len);
                if let Some(tag) = gcm.seal(rtp_nonce(salt, ssrc, index), header, body) {
                    tag_out.copy_from_slice(&tag);
                }
            }
        }
    }

    /// Authenticates and decrypts an SRTP packet in place (`packet` includes the tag) and
    /// returns whether the tag matched. On a mismatch the packet is left as it came (counter
    /// mode) or its payload is unspecified (GCM).
    pub(crate) fn unprotect_rtp(
        &self,
        packet: &mut [u8],
        header_len: usize,
        ssrc: u32,
        index: u64,
    ) -> bool {
        let len = packet.len() - self.tag_len();
        match self {
            Self::CounterMode {
                ctr,
                auth,
                salt,
                tag_len,
            } => {
                // Check the tag before decrypting: a forged packet costs no AES work and is
                // left as it came.
                let roc = ((index >> 16) as u32).to_be_bytes();
                let (data, tag) = packet.split_at(len);
                if !constant_time::eq(&auth.tag(data, &roc)[..*tag_len], tag) {
                    return false;
                }
                ctr.apply(
                    &counter_block(salt, ssrc, index),
                    &mut packet[header_len..len],
                );
                true
            }
            Self::Gcm { gcm, salt } => {
                let (header, body) = packet.split_at_mut(header_len);
                gcm.open(rtp_nonce(salt, ssrc, index), header, body)
            }
        }
    }

    /// Protects an RTCP packet of `len` bytes in `packet` (which has room for
    /// [`crate::Profile::rtcp_overhead`] more) with SRTCP index `index` and the E flag `encrypt`
    /// (RFC 3711 §3.4; RFC 7714 §9). Returns the protected length.
    pub(crate) fn protect_rtcp(
        &self,
        packet: &mut [u8],
        len: usize,
        ssrc: u32,
        index: u32,
        encrypt: bool,
    ) -> usize {
        let trailer = (index | u32::from(encrypt) << 31).to_be_bytes();
        match self {
            Self::CounterMode {
                ctr,
                auth,
                salt,
                tag_len,
            } => {
                if encrypt {
                    ctr.apply(
                        &counter_block(salt, ssrc, u64::from(index)),
                        &mut packet[8..len],
                    );
                }
                packet[len..len + 4].copy_from_slice(&trailer);
                let (data, tag) = packet.split_at_mut(len + 4);
                tag[..*tag_len].copy_from_slice(&auth.tag(data, &[])[..*tag_len]);
                len + 4 + tag_len
            }
            Self::Gcm { gcm, salt } => {
                let nonce = rtcp_nonce(salt, ssrc, index);
                if encrypt {
                    // AAD: the first 8 bytes and the E flag + index word (RFC 7714 §9.2).
                    let mut aad = [0u8; 12];
                    aad[..8].copy_from_slice(&packet[..8]);
                    aad[8..].copy_from_slice(&trailer);
                    let (body, out) = packet[8..].split_at_mut(len - 8);
                    if let Some(tag) = gcm.seal(nonce, &aad, body) {
                        out[..gcm::TAG_LEN].copy_from_slice(&tag);
                    }
                } else {
                    // AAD: the whole packet and the trailer; nothing is encrypted (§9.3).
                    packet[len..len + 4].copy_from_slice(&trailer);
                    if let Some(tag) = gcm.seal(nonce, &packet[..len + 4], &mut []) {
                        packet[len..len + gcm::TAG_LEN].copy_from_slice(&tag);
                    }
                }
                packet[len + gcm::TAG_LEN..len + gcm::TAG_LEN + 4].copy_from_slice(&trailer);
                len + gcm::TAG_LEN + 4
            }
        }
    }

    /// Where the E flag + SRTCP index word sits in a protected packet of `len` bytes.
    pub(crate) fn rtcp_trailer_at(&self, len: usize) -> usize {
        match self {
            Self::CounterMode { tag_len, .. } => len - tag_len - 4,
            Self::Gcm { .. } => len - 4,
        }
    }

    /// Authenticates and, when E is set, decrypts an SRTCP packet in place. Returns the RTCP
    /// length, or `None` when the tag does not match (the packet is then left as it came for
    /// counter mode and E = 0 GCM, unspecified for E = 1 GCM).
    pub(crate) fn unprotect_rtcp(
        &self,
        packet: &mut [u8],
        ssrc: u32,
        index: u32,
        encrypted: bool,
    ) -> Option<usize> {
        let len = packet.len();
        let trailer_at = self.rtcp_trailer_at(len);
        match self {
            Self::CounterMode {
                ctr,
                auth,
                salt,
                tag_len,
            } => {
                let (data, tag) = packet.split_at(len - tag_len);
                if !constant_time::eq(&auth.tag(data, &[])[..*tag_len], tag) {
                    return None;
                }
                if encrypted {
                    ctr.apply(
                        &counter_block(salt, ssrc, u64::from(index)),
                        &mut packet[8..trailer_at],
                    );
                }
                Some(trailer_at)
            }
            Self::Gcm { gcm, salt } => {
                let nonce = rtcp_nonce(salt, ssrc, index);
                let rtcp_len = trailer_at - gcm::TAG_LEN;
                if encrypted {
                    let mut aad = [0u8; 12];
                    aad[..8].copy_from_slice(&packet[..8]);
                    aad[8..].copy_from_slice(&packet[trailer_at..]);
                    gcm.open(nonce, &aad, &mut packet[8..trailer_at])
                        .then_some(rtcp_len)
                } else {
                    // Move the trailer before the tag so that packet || trailer is one AAD
                    // slice, and move it back when the tag is wrong.
                    packet[rtcp_len..].rotate_right(4);
                    let (aad, tag) = packet.split_at_mut(rtcp_len + 4);
                    if gcm.open(nonce, aad, tag) {
                        Some(rtcp_len)
                    } else {
                        packet[rtcp_len..].rotate_left(4);
                        None
                    }
                }
            }
        }
    }
}

/// The AES-CM counter block (RFC 3711 §4.1.1): `(salt << 16) XOR (SSRC << 64) XOR
/// (index << 16)`.
fn counter_block(salt: &[u8; 14], ssrc: u32, index: u64) -> [u8; 16] {
    let mut iv = [0u8; 16];
    iv[..14].copy_from_slice(salt);
    for (byte, s) in iv[4..8].iter_mut().zip(ssrc.to_be_bytes()) {
        *byte ^= s;
    }
    for (byte, i) in iv[8..14].iter_mut().zip(&index.to_be_bytes()[2..]) {
        *byte ^= i;
    }
    iv
}

/// The SRTP GCM nonce (RFC 7714 §8.1): `00 00 || SSRC || ROC || SEQ`, XOR the salt.
fn rtp_nonce(salt: &[u8; 12], ssrc: u32, index: u64) -> [u8; 12] {
    let mut nonce = [0u8; 12];
    nonce[2..6].copy_from_slice(&ssrc.to_be_bytes());
    nonce[6..12].copy_from_slice(&index.to_be_bytes()[2..]);
    for (byte, s) in nonce.iter_mut().zip(salt) {
        *byte ^= s;
    }
    nonce
}

/// The SRTCP GCM nonce (RFC 7714 §9.1): `00 00 || SSRC || 00 00 || 0 || SRTCP index`, XOR the
/// salt.
fn rtcp_nonce(salt: &[u8; 12], ssrc: u32, index: u32) -> [u8; 12] {
    let mut nonce = [0u8; 12];
    nonce[2..6].copy_from_slice(&ssrc.to_be_bytes());
    nonce[8..12].copy_from_slice(&(index & 0x7fff_ffff).to_be_bytes());
    for (byte, s) in nonce.iter_mut().zip(salt) {
        *byte ^= s;
    }
    nonce
}

#[cfg(test)]
impl Transform {
    /// A transform from session keys directly, for the RFC vectors that give those.
    pub(crate) fn from_session_keys(
        key: &[u8],
        salt: &[u8],
        auth_key: Option<&[u8]>,
        tag_len: usize,
    ) -> Self {
        match auth_key {
            Some(auth_key) => Self::CounterMode {
                ctr: AesCtr::new(key).unwrap(),
                auth: HmacSha1::new(auth_key),
                salt: salt.try_into().unwrap(),
                tag_len,
            },
            None => Self::Gcm {
                gcm: Gcm::new(key).unwrap(),
                salt: salt.try_into().unwrap(),
            },
        }
    }
}
