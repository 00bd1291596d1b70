//! STUN credentials: short-term and long-term keys, password preparation, USERHASH and the
//! nonce cookie with its security feature bits (RFC 8489 §9, §14.4, §18.1).

use crate::integrity::IntegrityKey;
use crate::wire::password_algorithm;
use md5::{Digest, Md5};
use std::borrow::Cow;
use unicode_normalization::UnicodeNormalization;

/// Why a string could not be prepared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum PrepError {
    /// The string is empty (RFC 8265 §4.2.1: an OpaqueString is not zero length).
    #[error("empty string")]
    Empty,
    /// The string contains a character the profile prohibits: a control character, or for
    /// SASLprep a character of the prohibited-output tables (RFC 4013 §2.3) or a code point
    /// unassigned in Unicode 3.2 (RFC 4013 §2.5, RFC 3454 table A.1).
    #[error("prohibited character {0:?}")]
    Prohibited(char),
    /// SASLprep only: the string breaks the bidirectional rule (RFC 4013 §2.4, RFC 3454 §6).
    /// A string with a right-to-left character (RandALCat) must contain no left-to-right one
    /// (LCat) and must start and end with a right-to-left character.
    #[error("prohibited bidirectional text")]
    Bidi,
}

/// How passwords (and realms) are prepared before hashing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum PasswordPrep {
    /// RFC 8265 OpaqueString, as RFC 8489 §9.2.2 requires (the default).
    #[default]
    OpaqueString,
    /// RFC 4013 SASLprep, as RFC 5389 §15.4 required; some older servers still expect it.
    SaslPrep,
    /// Bytes as given: no preparation.
    None,
}

/// Non-ASCII space characters: Unicode general category Zs other than U+0020, which the
/// OpaqueString profile maps to U+0020 (RFC 8265 §4.2.1).
const fn is_non_ascii_space(c: char) -> bool {
    matches!(
        c,
        '\u{00A0}' | '\u{1680}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}'
    )
}

/// Prepares a string with the RFC 8265 OpaqueString profile (RFC 8265 §4.2.2): non-ASCII
/// spaces become U+0020, then Unicode Normalization Form C; control characters are refused.
/// Printable ASCII is returned borrowed, without copying.
///
/// # Errors
///
/// [`PrepError::Empty`] or [`PrepError::Prohibited`].
pub fn opaque_string(s: &str) -> Result<Cow<'_, str>, PrepError> {
    if s.is_empty() {
        return Err(PrepError::Empty);
    }
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return Ok(Cow::Borrowed(s));
    }
    if let Some(c) = s.chars().find(|c| c.is_control()) {
        return Err(PrepError::Prohibited(c));
    }
    let mapped: String = s
        .chars()
        .map(|c| if is_non_ascii_space(c) { ' ' } else { c })
        .nfc()
        .collect();
    Ok(Cow::Owned(mapped))
}

/// Prepares a string with SASLprep (RFC 4013), the stringprep profile (RFC 3454) of
/// RFC 5389 §15.4 passwords: RFC 3454 table B.1 characters are removed and non-ASCII spaces
/// become U+0020 (RFC 4013 §2.1), then NFKC (§2.2); prohibited output (§2.3: RFC 3454 tables
/// C.1.2, C.2.1–C.9), bidirectional text that breaks RFC 3454 §6 (§2.4) and unassigned code
/// points (§2.5, treated as for stored strings) are refused. Case is preserved. The
/// [`stringprep`] crate does the work; printable ASCII is returned borrowed, without copying.
///
/// # Errors
///
/// [`PrepError::Empty`] (also when everything maps to nothing), [`PrepError::Prohibited`] or
/// [`PrepError::Bidi`].
pub fn saslprep(s: &str) -> Result<Cow<'_, str>, PrepError> {
    match stringprep::saslprep(s) {
        Ok(prepared) if prepared.is_empty() => Err(PrepError::Empty),
        Ok(prepared) => Ok(prepared),
        Err(_) => Err(saslprep_failure(s)),
    }
}

/// Why [`stringprep::saslprep`] refused `s`, which its error type does not say: the first
/// character of the mapped and normalized string (RFC 4013 §2.1–§2.2, with the crate's own
/// tables) that RFC 4013 §2.3 or §2.5 prohibits; when there is none, the string failed the
/// bidirectional rule (§2.4), the only other reason the crate refuses a string.
fn saslprep_failure(s: &str) -> PrepError {
    use stringprep::tables as t;
    s.chars()
        .map(|c| {
            if t::non_ascii_space_character(c) {
                ' '
            } else {
                c
            }
        })
        .filter(|&c| !t::commonly_mapped_to_nothing(c))
        .nfkc()
        .find(|&c| {
            t::non_ascii_space_character(c)
                || t::ascii_control_character(c)
                || t::non_ascii_control_character(c)
                || t::private_use(c)
                || t::non_character_code_point(c)
                || t::surrogate_code(c)
                || t::inappropriate_for_plain_text(c)
                || t::inappropriate_for_canonical_representation(c)
                || t::change_display_properties_or_deprecated(c)
                || t::tagging_character(c)
                || t::unassigned_code_point(c)
        })
        .map_or(PrepError::Bidi, PrepError::Prohibited)
}

fn prepare(s: &str, prep: PasswordPrep) -> Result<Cow<'_, str>, PrepError> {
    match prep {
        PasswordPrep::OpaqueString => opaque_string(s),
        PasswordPrep::SaslPrep => saslprep(s),
        PasswordPrep::None => Ok(Cow::Borrowed(s)),
    }
}

/// The MESSAGE-INTEGRITY key of short-term credentials (RFC 8489 §9.1.1): the prepared password
/// (ICE uses these, with the ice-pwd as password).
///
/// # Errors
///
/// When the password cannot be prepared.
pub fn short_term_key(password: &str, prep: PasswordPrep) -> Result<IntegrityKey, PrepError> {
    Ok(IntegrityKey::new(prepare(password, prep)?.as_bytes()))
}

/// The bytes of a long-term key (RFC 8489 §9.2.2):
/// `H(username ":" prep(realm) ":" prep(password))` with H = MD5 (16 bytes) or SHA-256 (32
/// bytes) as `algorithm` ([`password_algorithm`]) says. Unknown algorithms fall back to MD5,
/// the RFC 5389 key.
///
/// # Errors
///
/// When the realm or password cannot be prepared.
pub fn long_term_key_bytes(
    username: &str,
    realm: &str,
    password: &str,
    algorithm: u16,
    prep: PasswordPrep,
) -> Result<Vec<u8>, PrepError> {
    let realm = prepare(realm, prep)?;
    let password = prepare(password, prep)?;
    let parts: [&[u8]; 5] = [
        username.as_bytes(),
        b":",
        realm.as_bytes(),
        b":",
        password.as_bytes(),
    ];
    Ok(if algorithm == password_algorithm::SHA256 {
        let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
        for p in parts {
            ctx.update(p);
        }
        ctx.finish().as_ref().to_vec()
    } else {
        let mut md5 = Md5::new();
        for p in parts {
            md5.update(p);
        }
        md5.finalize().to_vec()
    })
}

/// The MESSAGE-INTEGRITY(-SHA256) key of long-term credentials (RFC 8489 §9.2.2).
///
/// # Errors
///
/// When the realm or password cannot be prepared.
pub fn long_term_key(
    username: &str,
    realm: &str,
    password: &str,
    algorithm: u16,
    prep: PasswordPrep,
) -> Result<IntegrityKey, PrepError> {
    Ok(IntegrityKey::new(&long_term_key_bytes(
        username, realm, password, algorithm, prep,
    )?))
}

/// USERHASH (RFC 8489 §14.4): `SHA-256(OpaqueString(username) ":" OpaqueString(realm))`.
///
/// # Errors
///
/// When the username or realm cannot be prepared.
pub fn userhash(username: &str, realm: &str) -> Result<[u8; 32], PrepError> {
    let username = opaque_string(username)?;
    let realm = opaque_string(realm)?;
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    ctx.update(username.as_bytes());
    ctx.update(b":");
    ctx.update(realm.as_bytes());
    let mut out = [0u8; 32];
    out.copy_from_slice(ctx.finish().as_ref());
    Ok(out)
}

/// The nonce cookie that announces security features (RFC 8489 §9.2).
pub const NONCE_COOKIE: &str = "obMatJos2";

/// The 24-bit security feature set a server announces in its nonce (RFC 8489 §9.2, §18.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SecurityFeatures(pub u32);

impl SecurityFeatures {
    /// Bit 0 (the most significant of the 24): password algorithms (RFC 8489 §9.2.4).
    pub const PASSWORD_ALGORITHMS: u32 = 1 << 23;
    /// Bit 1: username anonymity, USERHASH (RFC 8489 §9.2.4).
    pub const USERNAME_ANONYMITY: u32 = 1 << 22;

    /// Whether the server offers PASSWORD-ALGORITHMS negotiation.
    pub const fn password_algorithms(self) -> bool {
        self.0 & Self::PASSWORD_ALGORITHMS != 0
    }

    /// Whether the server offers USERHASH.
    pub const fn username_anonymity(self) -> bool {
        self.0 & Self::USERNAME_ANONYMITY != 0
    }

    /// Reads the feature set from a nonce that starts with the nonce cookie: the 4 characters
    /// after it are the base64 of the 24 bits. `None` if the nonce has no cookie.
    pub fn from_nonce(nonce: &str) -> Option<Self> {
        let encoded = nonce.strip_prefix(NONCE_COOKIE)?.get(..4)?;
        let mut bits = 0u32;
        for c in encoded.bytes() {
            bits = (bits << 6) | u32::from(base64_value(c)?);
        }
        Some(Self(bits))
    }

    /// The 4 characters that follow the nonce cookie for this feature set.
    pub fn encode(self) -> [u8; 4] {
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let bits = self.0 & 0x00ff_ffff;
        [18, 12, 6, 0].map(|shift| ALPHABET[usize::try_from((bits >> shift) & 0x3f).unwrap_or(0)])
    }
}

const fn base64_value(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
