//! AES in counter mode as SRTP uses it (RFC 3711 §4.1.1, RFC 6188 §3): a 128-bit counter block
//! built from salt, SSRC and packet index, incremented per 16-byte block.

use aes::cipher::{InnerIvInit, KeyInit, StreamCipher, StreamCipherCoreWrapper};
use aes::{Aes128, Aes256};
use ctr::CtrCore;
use ctr::flavors::Ctr32BE;

/// An expanded AES key (128 or 256 bits): the key schedule is computed once, per session.
#[derive(Clone)]
#[expect(
    clippy::large_enum_variant,
    reason = "two per context, never moved per packet; inline keeps the key schedule beside the state"
)]
pub(crate) enum AesCtr {
    Aes128(Aes128),
    Aes256(Aes256),
}

/// Counter mode over a borrowed, already expanded key. The low 16 bits of every SRTP counter
/// block start at zero and a packet has fewer than 2^16 blocks, so a 32-bit counter never
/// carries into the bits above it and equals RFC 3711's 128-bit addition.
type Ctr<'a, C> = StreamCipherCoreWrapper<CtrCore<&'a C, Ctr32BE>>;

impl AesCtr {
    /// Expands `key`: 16 bytes for AES-128, 32 for AES-256; `None` for other lengths.
    pub(crate) fn new(key: &[u8]) -> Option<Self> {
        match key.len() {
            16 => Aes128::new_from_slice(key).ok().map(Self::Aes128),
            32 => Aes256::new_from_slice(key).ok().map(Self::Aes256),
            _ => None,
        }
    }

    /// XORs the keystream that starts at counter block `iv` into `data`.
    pub(crate) fn apply(&self, iv: &[u8; 16], data: &mut [u8]) {
        let iv = (*iv).into();
        match self {
            Self::Aes128(aes) => {
                Ctr::<'_, Aes128>::from_core(CtrCore::inner_iv_init(aes, &iv)).apply_keystream(data)
            }
            Self::Aes256(aes) => {
                Ctr::<'_, Aes256>::from_core(CtrCore::inner_iv_init(aes, &iv)).apply_keystream(data)
            }
        }
    }
}
