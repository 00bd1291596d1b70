//! The zero-copy message view (RFC 8489 §5, §14).

use super::attribute::{Attribute, RawAttribute, attr, is_comprehension_required, is_known};
use super::header::{Class, HEADER_LEN, MAGIC_COOKIE, Method, TransactionId, split_message_type};
use crate::error::{IntegrityError, ParseError, ParseErrorKind};
use crate::integrity::{IntegrityKey, fingerprint_of, integrity_input};
use std::net::SocketAddr;

const fn padded(len: usize) -> usize {
    (len + 3) & !3
}

fn u16_at(bytes: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([bytes[at], bytes[at + 1]])
}

/// A validated STUN message borrowed from a buffer.
///
/// Construct with [`Message::parse`] (a whole datagram) or [`Message::parse_prefix`] (a message
/// at the start of a stream buffer). Framing is checked once; afterwards iteration and lookups
/// cannot fail on framing and never allocate.
///
/// # Attributes after MESSAGE-INTEGRITY
///
/// RFC 8489 §14.5 and §14.6: a receiver ignores every attribute after MESSAGE-INTEGRITY except
/// MESSAGE-INTEGRITY-SHA256 and FINGERPRINT, and every attribute after
/// MESSAGE-INTEGRITY-SHA256 except FINGERPRINT. Integrity attributes of the wrong length (not
/// 20 bytes for MESSAGE-INTEGRITY, 16–32 in steps of 4 for MESSAGE-INTEGRITY-SHA256, 4 for
/// FINGERPRINT) make the message malformed. [`Message::attributes`] yields every attribute
/// (for lossless forwarding); the lookups ([`Message::get`] and the typed getters) and
/// [`Message::effective_attributes`] skip the ignored ones. Attributes after FINGERPRINT make
/// the message malformed (§14.7: FINGERPRINT is last).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Message<'a> {
    bytes: &'a [u8],
    integrity: Option<usize>,
    integrity_sha256: Option<usize>,
    fingerprint: Option<usize>,
}

impl<'a> Message<'a> {
    /// Parses a whole datagram as one STUN message; trailing bytes are an error.
    ///
    /// # Errors
    ///
    /// A [`ParseError`] naming what was wrong and where.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, ParseError> {
        let (message, used) = Self::parse_prefix(bytes)?;
        if used != bytes.len() {
            return Err(ParseError::new(ParseErrorKind::BadMessageLength, 2));
        }
        Ok(message)
    }

    /// Parses the STUN message at the start of `bytes` and returns it with its length; bytes
    /// after it are left alone (stream framing, RFC 8656 §12.5).
    ///
    /// # Errors
    ///
    /// [`ParseErrorKind::Truncated`] when `bytes` holds less than the whole message (a stream
    /// decoder waits for more), or another [`ParseError`].
    pub fn parse_prefix(bytes: &'a [u8]) -> Result<(Self, usize), ParseError> {
        if bytes.len() < HEADER_LEN {
            if bytes.first().is_some_and(|b| b & 0xc0 != 0) {
                return Err(ParseError::new(ParseErrorKind::NotStun, 0));
            }
            return Err(ParseError::new(ParseErrorKind::Truncated, bytes.len()));
        }
        if bytes[0] & 0xc0 != 0 {
            return Err(ParseError::new(ParseErrorKind::NotStun, 0));
        }
        if u32::from_be_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]) != MAGIC_COOKIE {
            return Err(ParseError::new(ParseErrorKind::NotStun, 4));
        }
        let length = usize::from(u16_at(bytes, 2));
        if length % 4 != 0 {
            return Err(ParseError::new(ParseErrorKind::BadMessageLength, 2));
        }
        let end = HEADER_LEN + length;
        if bytes.len() < end {
            return Err(ParseError::new(ParseErrorKind::Truncated, bytes.len()));
        }
        let bytes = &bytes[..end];
        let mut message = Self {
            bytes,
            integrity: None,
            integrity_sha256: None,
            fingerprint: None,
        };
        let mut at = HEADER_LEN;
        while at < end {
            if message.fingerprint.is_some() {
                return Err(ParseError::new(
                    ParseErrorKind::AttributeAfterFingerprint,
                    at,
                ));
            }
            if at + 4 > end {
                return Err(ParseError::new(ParseErrorKind::AttributeOverrun, at));
            }
            let attribute_type = u16_at(bytes, at);
            let len = usize::from(u16_at(bytes, at + 2));
            if at + 4 + padded(len) > end {
                return Err(ParseError::new(ParseErrorKind::AttributeOverrun, at + 2));
            }
            // The integrity attributes have fixed lengths (RFC 8489 §14.5–14.7); checking them
            // here lets the verifiers slice their values without further checks.
            let bad_length = match attribute_type {
                attr::MESSAGE_INTEGRITY => len != 20,
                attr::MESSAGE_INTEGRITY_SHA256 => {
                    !(16..=32).contains(&len) || !len.is_multiple_of(4)
                }
                attr::FINGERPRINT => len != 4,
                _ => false,
            };
            if bad_length {
                return Err(ParseError::new(ParseErrorKind::BadAttributeLength, at + 2));
            }
            match attribute_type {
                attr::MESSAGE_INTEGRITY
                    if message.integrity.is_none() && message.integrity_sha256.is_none() =>
                {
                    message.integrity = Some(at);
                }
                attr::MESSAGE_INTEGRITY_SHA256 if message.integrity_sha256.is_none() => {
                    message.integrity_sha256 = Some(at);
                }
                attr::FINGERPRINT => message.fingerprint = Some(at),
                _ => {}
            }
            at += 4 + padded(len);
        }
        Ok((message, end))
    }

    /// The whole message.
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Length of the whole message, header included.
    pub const fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether the message has no attributes.
    pub const fn is_empty(&self) -> bool {
        self.bytes.len() == HEADER_LEN
    }

    /// The 14-bit message type.
    pub fn message_type(&self) -> u16 {
        u16_at(self.bytes, 0)
    }

    /// The class (request, indication, success or error response).
    pub fn class(&self) -> Class {
        split_message_type(self.message_type()).0
    }

    /// The method.
    pub fn method(&self) -> Method {
        split_message_type(self.message_type()).1
    }

    /// The transaction id.
    pub fn transaction_id(&self) -> TransactionId {
        let mut id = [0u8; 12];
        id.copy_from_slice(&self.bytes[8..HEADER_LEN]);
        TransactionId(id)
    }

    /// Every attribute in order, including ones a receiver must ignore.
    pub fn attributes(&self) -> Attributes<'a> {
        Attributes {
            bytes: self.bytes,
            at: HEADER_LEN,
            after_integrity: false,
            after_integrity_sha256: false,
            effective_only: false,
        }
    }

    /// The attributes a receiver processes: everything up to MESSAGE-INTEGRITY, then only
    /// MESSAGE-INTEGRITY-SHA256 and FINGERPRINT (RFC 8489 §14.5, §14.6).
    pub fn effective_attributes(&self) -> Attributes<'a> {
        Attributes {
            effective_only: true,
            ..self.attributes()
        }
    }

    /// The first effective attribute of a type, raw.
    pub fn raw(&self, attribute_type: u16) -> Option<RawAttribute<'a>> {
        self.effective_attributes()
            .find(|a| a.attribute_type == attribute_type)
    }

    /// The first effective attribute of a type, typed; `Some(Err(_))` if its value is
    /// malformed.
    pub fn get(&self, attribute_type: u16) -> Option<Result<Attribute<'a>, ParseError>> {
        let tid = self.transaction_id();
        self.raw(attribute_type).map(|raw| {
            Attribute::parse(raw, &tid)
                .map_err(|e| ParseError::new(e.kind, raw.offset + 4 + e.offset))
        })
    }

    /// Every effective attribute, typed.
    pub fn typed_attributes(&self) -> impl Iterator<Item = Result<Attribute<'a>, ParseError>> + 'a {
        let tid = self.transaction_id();
        self.effective_attributes().map(move |raw| {
            Attribute::parse(raw, &tid)
                .map_err(|e| ParseError::new(e.kind, raw.offset + 4 + e.offset))
        })
    }

    /// Comprehension-required attribute types (0x0000–0x7FFF) among the effective attributes
    /// that this crate does not understand (RFC 8489 §6.3.1: a server answers 420 listing
    /// them; §6.3.4: a client discards such a response).
    pub fn unknown_comprehension_required(&self) -> impl Iterator<Item = u16> + 'a {
        self.effective_attributes()
            .map(|a| a.attribute_type)
            .filter(|&t| is_comprehension_required(t) && !is_known(t))
    }

    fn typed<T>(
        &self,
        attribute_type: u16,
        pick: impl FnOnce(Attribute<'a>) -> Option<T>,
    ) -> Option<T> {
        self.get(attribute_type)?.ok().and_then(pick)
    }

    /// XOR-MAPPED-ADDRESS, if present and well formed.
    pub fn xor_mapped_address(&self) -> Option<SocketAddr> {
        self.typed(attr::XOR_MAPPED_ADDRESS, |a| match a {
            Attribute::XorMappedAddress(addr) => Some(addr),
            _ => None,
        })
    }

    /// MAPPED-ADDRESS, if present and well formed.
    pub fn mapped_address(&self) -> Option<SocketAddr> {
        self.typed(attr::MAPPED_ADDRESS, |a| match a {
            Attribute::MappedAddress(addr) => Some(addr),
            _ => None,
        })
    }

    /// XOR-RELAYED-ADDRESS, if present and well formed.
    pub fn xor_relayed_address(&self) -> Option<SocketAddr> {
        self.typed(attr::XOR_RELAYED_ADDRESS, |a| match a {
            Attribute::XorRelayedAddress(addr) => Some(addr),
            _ => None,
        })
    }

    /// XOR-PEER-ADDRESS, if present and well formed.
    pub fn xor_peer_address(&self) -> Option<SocketAddr> {
        self.typed(attr::XOR_PEER_ADDRESS, |a| match a {
            Attribute::XorPeerAddress(addr) => Some(addr),
            _ => None,
        })
    }

    /// ERROR-CODE's code and reason, if present and well formed.
    pub fn error_code(&self) -> Option<super::ErrorCode<'a>> {
        self.typed(attr::ERROR_CODE, |a| match a {
            Attribute::ErrorCode(e) => Some(e),
            _ => None,
        })
    }

    fn text(&self, attribute_type: u16) -> Option<&'a str> {
        self.typed(attribute_type, |a| match a {
            Attribute::Username(s)
            | Attribute::Realm(s)
            | Attribute::Nonce(s)
            | Attribute::Software(s) => Some(s),
            _ => None,
        })
    }

    /// USERNAME, if present and UTF-8.
    pub fn username(&self) -> Option<&'a str> {
        self.text(attr::USERNAME)
    }

    /// REALM, if present and UTF-8.
    pub fn realm(&self) -> Option<&'a str> {
        self.text(attr::REALM)
    }

    /// NONCE, if present and UTF-8.
    pub fn nonce(&self) -> Option<&'a str> {
        self.text(attr::NONCE)
    }

    /// SOFTWARE, if present and UTF-8.
    pub fn software(&self) -> Option<&'a str> {
        self.text(attr::SOFTWARE)
    }

    /// LIFETIME in seconds, if present and well formed.
    pub fn lifetime(&self) -> Option<u32> {
        self.typed(attr::LIFETIME, |a| match a {
            Attribute::Lifetime(s) => Some(s),
            _ => None,
        })
    }

    /// DATA, if present.
    pub fn data(&self) -> Option<&'a [u8]> {
        self.raw(attr::DATA).map(|a| a.value)
    }

    /// Whether the message carries MESSAGE-INTEGRITY.
    pub const fn has_integrity(&self) -> bool {
        self.integrity.is_some()
    }

    /// Whether the message carries MESSAGE-INTEGRITY-SHA256.
    pub const fn has_integrity_sha256(&self) -> bool {
        self.integrity_sha256.is_some()
    }

    /// Whether the message carries FINGERPRINT.
    pub const fn has_fingerprint(&self) -> bool {
        self.fingerprint.is_some()
    }

    /// Checks MESSAGE-INTEGRITY (HMAC-SHA1) with `key` (RFC 8489 §14.5): the HMAC covers the
    /// message up to the attribute, with the header length counting up to its end.
    ///
    /// # Errors
    ///
    /// [`IntegrityError::Missing`] or [`IntegrityError::Mismatch`].
    pub fn verify_integrity(&self, key: &IntegrityKey) -> Result<(), IntegrityError> {
        let at = self.integrity.ok_or(IntegrityError::Missing)?;
        let (header, body) = integrity_input(self.bytes, at, 20);
        let expected = &self.bytes[at + 4..at + 24];
        key.verify_sha1(&header, body, expected)
    }

    /// Checks MESSAGE-INTEGRITY-SHA256 with `key` (RFC 8489 §14.6), truncated to the length
    /// the attribute carries.
    ///
    /// # Errors
    ///
    /// [`IntegrityError::Missing`] or [`IntegrityError::Mismatch`].
    pub fn verify_integrity_sha256(&self, key: &IntegrityKey) -> Result<(), IntegrityError> {
        let at = self.integrity_sha256.ok_or(IntegrityError::Missing)?;
        let mac_len = usize::from(u16_at(self.bytes, at + 2));
        if !(16..=32).contains(&mac_len) {
            return Err(IntegrityError::Mismatch);
        }
        let (header, body) = integrity_input(self.bytes, at, mac_len);
        key.verify_sha256(&header, body, &self.bytes[at + 4..at + 4 + mac_len])
    }

    /// Checks FINGERPRINT (RFC 8489 §14.7): CRC-32 of the message up to the attribute, XOR
    /// 0x5354554e.
    ///
    /// # Errors
    ///
    /// [`IntegrityError::Missing`] or [`IntegrityError::Mismatch`].
    pub fn verify_fingerprint(&self) -> Result<(), IntegrityError> {
        let at = self.fingerprint.ok_or(IntegrityError::Missing)?;
        let value = &self.bytes[at + 4..at + 8];
        let carried = u32::from_be_bytes([value[0], value[1], value[2], value[3]]);
        if cfg!(fuzzing)
            || usize::from(u16_at(self.bytes, at + 2)) == 4
                && fingerprint_of(&self.bytes[..at]) == carried
        {
            Ok(())
        } else {
            Err(IntegrityError::Mismatch)
        }
    }
}

/// Iterator over a message's attributes; see [`Message::attributes`].
#[derive(Debug, Clone)]
pub struct Attributes<'a> {
    bytes: &'a [u8],
    at: usize,
    after_integrity: bool,
    after_integrity_sha256: bool,
    effective_only: bool,
}

impl<'a> Iterator for Attributes<'a> {
    type Item = RawAttribute<'a>;

    fn next(&mut self) -> Option<RawAttribute<'a>> {
        loop {
            let header = self.bytes.get(self.at..self.at + 4)?;
            let attribute_type = u16::from_be_bytes([header[0], header[1]]);
            let len = usize::from(u16::from_be_bytes([header[2], header[3]]));
            let offset = self.at;
            let value = self.bytes.get(offset + 4..offset + 4 + len)?;
            let padding = self.bytes.get(offset + 4 + len..offset + 4 + padded(len))?;
            self.at = offset + 4 + padded(len);
            let ignored = (self.after_integrity_sha256 && attribute_type != attr::FINGERPRINT)
                || (self.after_integrity
                    && !matches!(
                        attribute_type,
                        attr::MESSAGE_INTEGRITY_SHA256 | attr::FINGERPRINT
                    ));
            match attribute_type {
                attr::MESSAGE_INTEGRITY => self.after_integrity = true,
                attr::MESSAGE_INTEGRITY_SHA256 => self.after_integrity_sha256 = true,
                _ => {}
            }
            if ignored && self.effective_only {
                continue;
            }
            return Some(RawAttribute {
                attribute_type,
                offset,
                value,
                padding,
            });
        }
    }
}
