//! The SRTP key derivation of RFC 3711 §4.3 (AES-CM PRF, key derivation rate 0, as RFC 5764
//! §4.2 requires), and its AES-256 form (RFC 6188 §5.1).

use crate::MasterKey;
use crate::crypto::aes_ctr::AesCtr;

/// Key derivation labels (RFC 3711 §4.3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Label {
    RtpEncryption = 0x00,
    RtpAuthentication = 0x01,
    RtpSalt = 0x02,
    RtcpEncryption = 0x03,
    RtcpAuthentication = 0x04,
    RtcpSalt = 0x05,
}

/// Fills `out` with the session key for `label`: the AES-CM keystream under the master key
/// from the counter block `(master_salt XOR (label << 48)) << 16` (RFC 3711 §4.3.1, r = 0).
pub(crate) fn derive(master: &MasterKey, label: Label, out: &mut [u8]) {
    let mut iv = [0u8; 16];
    iv[..14].copy_from_slice(&master.salt_field());
    // key_id = label || r (48 zero bits) is right-aligned in the 112-bit salt: the label
    // lands on byte 7.
    iv[7] ^= label as u8;
    out.fill(0);
    // MasterKey::new admits only 16- and 32-byte keys, which AesCtr::new always accepts.
    if let Some(prf) = AesCtr::new(master.key()) {
        prf.apply(&iv, out);
    }
}
