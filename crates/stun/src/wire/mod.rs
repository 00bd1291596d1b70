//! Zero-copy STUN and TURN wire formats.
//!
//! # Contract
//!
//! [`Message::parse`] validates the whole framing once: header, magic cookie, message length,
//! and every attribute's type-length-value bounds and padding. After it succeeds, no accessor
//! panics and attribute iteration is infallible and allocation-free. Typed attribute values
//! ([`Attribute`]) are parsed on demand, each with its own [`ParseError`](crate::ParseError),
//! so one malformed attribute does not hide the others.
//!
//! [`MessageBuilder`] writes messages into a caller's `Vec<u8>` (reusing its capacity), keeps
//! the header length right after every attribute, and computes MESSAGE-INTEGRITY,
//! MESSAGE-INTEGRITY-SHA256 and FINGERPRINT over exactly the bytes RFC 8489 §14.5–14.7 name.
//!
//! [`ChannelData`] is the TURN ChannelData frame (RFC 8656 §12.4) and [`StreamDecoder`] splits a
//! TCP or TLS byte stream into STUN messages and ChannelData frames (RFC 8656 §12.5).
//!
//! Unknown attribute types and methods are kept (`Attribute::Unknown`, [`Method`] is a
//! newtype), so forwarding and re-encoding are lossless.

mod address;
mod attribute;
mod builder;
mod channel_data;
mod header;
mod message;
mod stream;
mod values;

pub use address::AddressFamily;
pub use attribute::{
    Attribute, MAX_TEXT_LEN, MAX_USERNAME_LEN, RawAttribute, attr, is_comprehension_required,
};
pub use builder::MessageBuilder;
pub use channel_data::{CHANNEL_DATA_HEADER_LEN, ChannelData, ChannelNumber, write_channel_data};
pub use header::{Class, HEADER_LEN, MAGIC_COOKIE, Method, TransactionId, is_stun, message_type};
pub use message::{Attributes, Message};
pub use stream::{Frame, MAX_BUFFERED, StreamDecoder};
pub use values::{
    AddressErrorCode, ErrorCode, Icmp, PasswordAlgorithm, PasswordAlgorithms, UnknownAttributes,
    error_code, password_algorithm,
};
