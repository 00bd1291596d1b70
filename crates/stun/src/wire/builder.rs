//! Writing messages into a caller's buffer (RFC 8489 §5, §14).

use super::attribute::{Attribute, attr};
use super::header::{Class, HEADER_LEN, MAGIC_COOKIE, Method, TransactionId, message_type};
use crate::error::EncodeError;
use crate::integrity::{IntegrityKey, fingerprint_of, integrity_input};

/// Builds one STUN message at the end of a caller's `Vec<u8>`.
///
/// The header's length field is kept right after every call, so the bytes are a valid message
/// at any point. MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 and FINGERPRINT are computed over
/// exactly the bytes RFC 8489 §14.5–14.7 name, and the ordering rules are enforced: only
/// MESSAGE-INTEGRITY-SHA256 and FINGERPRINT may follow MESSAGE-INTEGRITY, and nothing may
/// follow FINGERPRINT.
///
/// ```
/// use sansrtc_stun::wire::{Attribute, Class, Message, MessageBuilder, Method, TransactionId};
/// use sansrtc_stun::IntegrityKey;
///
/// let key = IntegrityKey::new(b"password");
/// let mut buf = Vec::new();
/// let mut b = MessageBuilder::new(&mut buf, Class::Request, Method::BINDING, TransactionId([7; 12]));
/// b.add(&Attribute::Username("alice:bob"))?;
/// b.add(&Attribute::Priority(0x6e00_01ff))?;
/// b.add_message_integrity(&key)?;
/// b.add_fingerprint()?;
/// let len = b.finish();
///
/// let m = Message::parse(&buf[..len])?;
/// assert_eq!(m.username(), Some("alice:bob"));
/// m.verify_integrity(&key)?;
/// m.verify_fingerprint()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct MessageBuilder<'b> {
    buf: &'b mut Vec<u8>,
    start: usize,
    tid: TransactionId,
    after_integrity: bool,
    after_integrity_sha256: bool,
    finished_with_fingerprint: bool,
}

const fn padding(len: usize) -> usize {
    (4 - len % 4) % 4
}

impl<'b> MessageBuilder<'b> {
    /// Starts a message at the end of `buf` (call `buf.clear()` first for a datagram).
    pub fn new(buf: &'b mut Vec<u8>, class: Class, method: Method, tid: TransactionId) -> Self {
        let start = buf.len();
        buf.extend_from_slice(&message_type(class, method).to_be_bytes());
        buf.extend_from_slice(&[0, 0]);
        buf.extend_from_slice(&MAGIC_COOKIE.to_be_bytes());
        buf.extend_from_slice(&tid.0);
        Self {
            buf,
            start,
            tid,
            after_integrity: false,
            after_integrity_sha256: false,
            finished_with_fingerprint: false,
        }
    }

    /// The transaction id this message carries.
    pub const fn transaction_id(&self) -> TransactionId {
        self.tid
    }

    /// Bytes of the message so far.
    pub fn len(&self) -> usize {
        self.buf.len() - self.start
    }

    /// Whether only the header has been written.
    pub fn is_empty(&self) -> bool {
        self.len() == HEADER_LEN
    }

    fn check_order(&self, attribute_type: u16) -> Result<(), EncodeError> {
        if self.finished_with_fingerprint {
            return Err(EncodeError::AfterFingerprint);
        }
        let allowed_after = match attribute_type {
            attr::FINGERPRINT => true,
            attr::MESSAGE_INTEGRITY_SHA256 => !self.after_integrity_sha256,
            _ => false,
        };
        if (self.after_integrity || self.after_integrity_sha256) && !allowed_after {
            return Err(EncodeError::AfterIntegrity);
        }
        Ok(())
    }

    fn set_length(&mut self) -> Result<(), EncodeError> {
        let length =
            u16::try_from(self.len() - HEADER_LEN).map_err(|_| EncodeError::MessageTooLong)?;
        self.buf[self.start + 2..self.start + 4].copy_from_slice(&length.to_be_bytes());
        Ok(())
    }

    /// Writes an attribute header and reserves room for a value of `len` bytes plus padding;
    /// returns the offset of the value in `buf`.
    fn begin(&mut self, attribute_type: u16, len: usize) -> Result<usize, EncodeError> {
        let value_len = u16::try_from(len).map_err(|_| EncodeError::ValueTooLong)?;
        if self.len() - HEADER_LEN + 4 + len + padding(len) > usize::from(u16::MAX) {
            return Err(EncodeError::MessageTooLong);
        }
        self.buf.extend_from_slice(&attribute_type.to_be_bytes());
        self.buf.extend_from_slice(&value_len.to_be_bytes());
        Ok(self.buf.len())
    }

    fn pad(&mut self, len: usize) -> Result<(), EncodeError> {
        self.buf.resize(self.buf.len() + padding(len), 0);
        self.set_length()
    }

    /// Appends a typed attribute.
    ///
    /// # Errors
    ///
    /// [`EncodeError`] when the value breaks an RFC limit or the ordering rules, or when it is
    /// an integrity attribute (use the dedicated methods). The message is unchanged then.
    pub fn add(&mut self, attribute: &Attribute<'_>) -> Result<&mut Self, EncodeError> {
        let attribute_type = attribute.attribute_type();
        if matches!(
            attribute_type,
            attr::MESSAGE_INTEGRITY | attr::MESSAGE_INTEGRITY_SHA256 | attr::FINGERPRINT
        ) {
            return Err(EncodeError::ComputedAttribute);
        }
        self.check_order(attribute_type)?;
        attribute.check()?;
        let len = attribute.value_len();
        let mark = self.buf.len();
        let value_at = self.begin(attribute_type, len)?;
        if let Err(e) = attribute.write_value(self.buf, &self.tid) {
            self.buf.truncate(mark);
            return Err(e);
        }
        debug_assert_eq!(self.buf.len() - value_at, len);
        self.pad(len)?;
        Ok(self)
    }

    /// Appends an attribute from its raw type and value (unknown or pre-encoded attributes).
    ///
    /// # Errors
    ///
    /// As [`MessageBuilder::add`].
    pub fn add_raw(&mut self, attribute_type: u16, value: &[u8]) -> Result<&mut Self, EncodeError> {
        self.add(&Attribute::Unknown {
            attribute_type,
            value,
        })
    }

    /// Appends an attribute exactly as it was received, padding bytes included, for lossless
    /// forwarding (padding of the wrong size is replaced by zeros). Integrity attributes are
    /// copied as they are, not recomputed, and the ordering rules still apply.
    ///
    /// # Errors
    ///
    /// As [`MessageBuilder::add`], except that integrity attributes are accepted.
    pub fn add_verbatim(
        &mut self,
        raw: &super::RawAttribute<'_>,
    ) -> Result<&mut Self, EncodeError> {
        let attribute_type = raw.attribute_type;
        let computed = matches!(
            attribute_type,
            attr::MESSAGE_INTEGRITY | attr::MESSAGE_INTEGRITY_SHA256 | attr::FINGERPRINT
        );
        if computed {
            if attribute_type == attr::MESSAGE_INTEGRITY && self.after_integrity {
                return Err(EncodeError::AfterIntegrity);
            }
            self.check_order(attribute_type)?;
            self.begin(attribute_type, raw.value.len())?;
            self.buf.extend_from_slice(raw.value);
            match attribute_type {
                attr::MESSAGE_INTEGRITY => self.after_integrity = true,
                attr::MESSAGE_INTEGRITY_SHA256 => self.after_integrity_sha256 = true,
                _ => self.finished_with_fingerprint = true,
            }
            self.pad(raw.value.len())?;
        } else {
            self.add_raw(attribute_type, raw.value)?;
        }
        if raw.padding.len() == padding(raw.value.len()) {
            let end = self.buf.len();
            self.buf[end - raw.padding.len()..].copy_from_slice(raw.padding);
        }
        Ok(self)
    }

    /// Appends MESSAGE-INTEGRITY: HMAC-SHA1 over the message so far, with the header length
    /// counting the attribute (RFC 8489 §14.5).
    ///
    /// # Errors
    ///
    /// [`EncodeError::AfterIntegrity`] or [`EncodeError::AfterFingerprint`] if out of order.
    pub fn add_message_integrity(&mut self, key: &IntegrityKey) -> Result<&mut Self, EncodeError> {
        if self.after_integrity {
            return Err(EncodeError::AfterIntegrity);
        }
        self.check_order(attr::MESSAGE_INTEGRITY)?;
        let at = self.buf.len() - self.start;
        let value_at = self.begin(attr::MESSAGE_INTEGRITY, 20)?;
        let mac = {
            let message = &self.buf[self.start..];
            let (header, body) = integrity_input(message, at, 20);
            key.mac_sha1(&header, body)
        };
        debug_assert_eq!(value_at, self.buf.len());
        self.buf.extend_from_slice(&mac);
        self.after_integrity = true;
        self.pad(20)?;
        Ok(self)
    }

    /// Appends MESSAGE-INTEGRITY-SHA256 with the full 32-byte HMAC-SHA256 (RFC 8489 §14.6).
    ///
    /// # Errors
    ///
    /// [`EncodeError::AfterIntegrity`] or [`EncodeError::AfterFingerprint`] if out of order.
    pub fn add_message_integrity_sha256(
        &mut self,
        key: &IntegrityKey,
    ) -> Result<&mut Self, EncodeError> {
        self.check_order(attr::MESSAGE_INTEGRITY_SHA256)?;
        let at = self.buf.len() - self.start;
        self.begin(attr::MESSAGE_INTEGRITY_SHA256, 32)?;
        let mac = {
            let message = &self.buf[self.start..];
            let (header, body) = integrity_input(message, at, 32);
            key.mac_sha256(&header, body)
        };
        self.buf.extend_from_slice(&mac);
        self.after_integrity_sha256 = true;
        self.pad(32)?;
        Ok(self)
    }

    /// Appends FINGERPRINT, which must be last (RFC 8489 §14.7).
    ///
    /// # Errors
    ///
    /// [`EncodeError::AfterFingerprint`] if there already is one.
    pub fn add_fingerprint(&mut self) -> Result<&mut Self, EncodeError> {
        self.check_order(attr::FINGERPRINT)?;
        self.begin(attr::FINGERPRINT, 4)?;
        self.set_length_including(4)?;
        let crc = fingerprint_of(&self.buf[self.start..self.buf.len() - 4]);
        self.buf.extend_from_slice(&crc.to_be_bytes());
        self.finished_with_fingerprint = true;
        self.set_length()?;
        Ok(self)
    }

    /// Sets the header length as if `extra` more value bytes were already written.
    fn set_length_including(&mut self, extra: usize) -> Result<(), EncodeError> {
        let length = u16::try_from(self.len() + extra - HEADER_LEN)
            .map_err(|_| EncodeError::MessageTooLong)?;
        self.buf[self.start + 2..self.start + 4].copy_from_slice(&length.to_be_bytes());
        Ok(())
    }

    /// Finishes the message and returns its length (it starts where `new` found the end of
    /// the buffer).
    pub fn finish(self) -> usize {
        self.len()
    }
}
