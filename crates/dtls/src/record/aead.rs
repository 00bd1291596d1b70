//! AEAD record protection (RFC 5246 §6.2.3.3): AES-GCM with a 4-byte implicit salt and an
//! 8-byte explicit nonce (RFC 5288 §3), and ChaCha20-Poly1305 with a 12-byte IV XORed with the
//! sequence number (RFC 7905 §2). The additional data is `epoch || sequence || type ||
//! version || plaintext length` (RFC 6347 §4.1.2.1).

use ring::aead::{
    AES_128_GCM, AES_256_GCM, Aad, CHACHA20_POLY1305, LessSafeKey, Nonce, UnboundKey,
};

use crate::Error;
use crate::wire::RecordHeader;

/// Bytes of every AEAD tag here.
pub(crate) const TAG_LEN: usize = 16;

/// Which AEAD a cipher suite uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AeadAlgorithm {
    /// AES-128-GCM.
    Aes128Gcm,
    /// AES-256-GCM.
    Aes256Gcm,
    /// ChaCha20-Poly1305.
    ChaCha20Poly1305,
}

impl AeadAlgorithm {
    /// Key bytes.
    pub const fn key_len(self) -> usize {
        match self {
            Self::Aes128Gcm => 16,
            Self::Aes256Gcm | Self::ChaCha20Poly1305 => 32,
        }
    }

    /// Implicit IV bytes from the key block: 4 for GCM, 12 for ChaCha20-Poly1305.
    pub const fn fixed_iv_len(self) -> usize {
        match self {
            Self::Aes128Gcm | Self::Aes256Gcm => 4,
            Self::ChaCha20Poly1305 => 12,
        }
    }

    /// Bytes sent before the ciphertext: the 8-byte explicit nonce for GCM, none for ChaCha.
    pub const fn explicit_nonce_len(self) -> usize {
        match self {
            Self::Aes128Gcm | Self::Aes256Gcm => 8,
            Self::ChaCha20Poly1305 => 0,
        }
    }

    /// Bytes protection adds to a record fragment.
    pub const fn overhead(self) -> usize {
        self.explicit_nonce_len() + TAG_LEN
    }
}

/// One direction's record key: the AEAD key and its implicit IV.
pub struct RecordKey {
    algorithm: AeadAlgorithm,
    key: LessSafeKey,
    iv: [u8; 12],
}

impl std::fmt::Debug for RecordKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordKey")
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

fn additional_data(header: &RecordHeader, plaintext_len: usize) -> [u8; 13] {
    let mut aad = [0u8; 13];
    aad[..8].copy_from_slice(&header.epoch_and_sequence());
    aad[8] = header.content_type.0;
    aad[9..11].copy_from_slice(&header.version.0.to_be_bytes());
    // Plaintext lengths are at most 2^14: checked by the callers.
    aad[11..13].copy_from_slice(&(plaintext_len as u16).to_be_bytes());
    aad
}

impl RecordKey {
    /// A key from the key block.
    ///
    /// # Errors
    /// [`Error::BadKeyLength`] when the key or IV has the wrong length for `algorithm`.
    pub fn new(algorithm: AeadAlgorithm, key: &[u8], fixed_iv: &[u8]) -> Result<Self, Error> {
        if key.len() != algorithm.key_len() || fixed_iv.len() != algorithm.fixed_iv_len() {
            return Err(Error::BadKeyLength);
        }
        let ring_algorithm = match algorithm {
            AeadAlgorithm::Aes128Gcm => &AES_128_GCM,
            AeadAlgorithm::Aes256Gcm => &AES_256_GCM,
            AeadAlgorithm::ChaCha20Poly1305 => &CHACHA20_POLY1305,
        };
        let key = UnboundKey::new(ring_algorithm, key).map_err(|_| Error::BadKeyLength)?;
        let mut iv = [0u8; 12];
        iv[..fixed_iv.len()].copy_from_slice(fixed_iv);
        Ok(Self {
            algorithm,
            key: LessSafeKey::new(key),
            iv,
        })
    }

    /// The algorithm.
    pub fn algorithm(&self) -> AeadAlgorithm {
        self.algorithm
    }

    fn nonce(&self, header: &RecordHeader) -> [u8; 12] {
        let sequence = header.epoch_and_sequence();
        let mut nonce = self.iv;
        match self.algorithm {
            // salt || explicit nonce, the explicit part being epoch || sequence.
            AeadAlgorithm::Aes128Gcm | AeadAlgorithm::Aes256Gcm => {
                nonce[4..].copy_from_slice(&sequence);
            }
            // The IV XOR the left-padded sequence number.
            AeadAlgorithm::ChaCha20Poly1305 => {
                for (byte, s) in nonce[4..].iter_mut().zip(sequence) {
                    *byte ^= s;
                }
            }
        }
        nonce
    }

    /// Protects `fragment[explicit..explicit + plaintext_len]` in place, where `explicit` is
    /// [`AeadAlgorithm::explicit_nonce_len`]: writes the explicit nonce before it and the tag
    /// after it. `fragment` is exactly `plaintext_len + overhead` bytes; `header.length` is
    /// ignored (the additional data uses `plaintext_len`).
    pub(crate) fn seal(&self, header: &RecordHeader, fragment: &mut [u8], plaintext_len: usize) {
        let explicit = self.algorithm.explicit_nonce_len();
        let nonce = self.nonce(header);
        fragment[..explicit].copy_from_slice(&nonce[4..4 + explicit]);
        let aad = additional_data(header, plaintext_len);
        let (body, tag_out) = fragment[explicit..].split_at_mut(plaintext_len);
        if let Ok(tag) = self.key.seal_in_place_separate_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(aad),
            body,
        ) {
            tag_out.copy_from_slice(tag.as_ref());
        }
    }

    /// Authenticates and decrypts a protected fragment in place; returns where the plaintext
    /// lies in `fragment`.
    ///
    /// # Errors
    /// [`Error::BadRecordMac`] when it is too short or the tag does not match.
    pub(crate) fn open(
        &self,
        header: &RecordHeader,
        fragment: &mut [u8],
    ) -> Result<std::ops::Range<usize>, Error> {
        let explicit = self.algorithm.explicit_nonce_len();
        if fragment.len() < explicit + TAG_LEN {
            return Err(Error::BadRecordMac);
        }
        let plaintext_len = fragment.len() - explicit - TAG_LEN;
        let mut nonce = self.nonce(header);
        // For GCM the explicit nonce is whatever the sender chose (RFC 5288 §3).
        nonce[4..4 + explicit].copy_from_slice(&fragment[..explicit]);
        let aad = additional_data(header, plaintext_len);
        self.key
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(aad),
                &mut fragment[explicit..],
            )
            .map_err(|_| Error::BadRecordMac)?;
        Ok(explicit..explicit + plaintext_len)
    }
}
