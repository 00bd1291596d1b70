//! STUN attributes: type codes, the raw type-length-value view, and typed values
//! (RFC 8489 §14, RFC 8656 §18, RFC 8445 §7.1.1–7.1.3).

use super::address::{AddressFamily, address_len, parse_address, write_address};
use super::header::TransactionId;
use super::values::{
    AddressErrorCode, ErrorCode, Icmp, PasswordAlgorithm, PasswordAlgorithms, UnknownAttributes,
};
use crate::error::{EncodeError, ParseError, ParseErrorKind};
use std::net::SocketAddr;

/// Attribute type codes (RFC 8489 §18.3, RFC 8656 §18, RFC 8445 §16.1).
pub mod attr {
    /// MAPPED-ADDRESS (RFC 8489 §14.1).
    pub const MAPPED_ADDRESS: u16 = 0x0001;
    /// USERNAME (RFC 8489 §14.3).
    pub const USERNAME: u16 = 0x0006;
    /// MESSAGE-INTEGRITY (RFC 8489 §14.5).
    pub const MESSAGE_INTEGRITY: u16 = 0x0008;
    /// ERROR-CODE (RFC 8489 §14.8).
    pub const ERROR_CODE: u16 = 0x0009;
    /// UNKNOWN-ATTRIBUTES (RFC 8489 §14.13).
    pub const UNKNOWN_ATTRIBUTES: u16 = 0x000A;
    /// CHANNEL-NUMBER (RFC 8656 §18.1).
    pub const CHANNEL_NUMBER: u16 = 0x000C;
    /// LIFETIME (RFC 8656 §18.2).
    pub const LIFETIME: u16 = 0x000D;
    /// XOR-PEER-ADDRESS (RFC 8656 §18.3).
    pub const XOR_PEER_ADDRESS: u16 = 0x0012;
    /// DATA (RFC 8656 §18.4).
    pub const DATA: u16 = 0x0013;
    /// REALM (RFC 8489 §14.9).
    pub const REALM: u16 = 0x0014;
    /// NONCE (RFC 8489 §14.10).
    pub const NONCE: u16 = 0x0015;
    /// XOR-RELAYED-ADDRESS (RFC 8656 §18.5).
    pub const XOR_RELAYED_ADDRESS: u16 = 0x0016;
    /// REQUESTED-ADDRESS-FAMILY (RFC 8656 §18.6).
    pub const REQUESTED_ADDRESS_FAMILY: u16 = 0x0017;
    /// EVEN-PORT (RFC 8656 §18.7).
    pub const EVEN_PORT: u16 = 0x0018;
    /// REQUESTED-TRANSPORT (RFC 8656 §18.8).
    pub const REQUESTED_TRANSPORT: u16 = 0x0019;
    /// DONT-FRAGMENT (RFC 8656 §18.9).
    pub const DONT_FRAGMENT: u16 = 0x001A;
    /// MESSAGE-INTEGRITY-SHA256 (RFC 8489 §14.6).
    pub const MESSAGE_INTEGRITY_SHA256: u16 = 0x001C;
    /// PASSWORD-ALGORITHM (RFC 8489 §14.12).
    pub const PASSWORD_ALGORITHM: u16 = 0x001D;
    /// USERHASH (RFC 8489 §14.4).
    pub const USERHASH: u16 = 0x001E;
    /// XOR-MAPPED-ADDRESS (RFC 8489 §14.2).
    pub const XOR_MAPPED_ADDRESS: u16 = 0x0020;
    /// RESERVATION-TOKEN (RFC 8656 §18.10).
    pub const RESERVATION_TOKEN: u16 = 0x0022;
    /// PRIORITY (RFC 8445 §7.1.1).
    pub const PRIORITY: u16 = 0x0024;
    /// USE-CANDIDATE (RFC 8445 §7.1.2).
    pub const USE_CANDIDATE: u16 = 0x0025;
    /// ADDITIONAL-ADDRESS-FAMILY (RFC 8656 §18.11).
    pub const ADDITIONAL_ADDRESS_FAMILY: u16 = 0x8000;
    /// ADDRESS-ERROR-CODE (RFC 8656 §18.12).
    pub const ADDRESS_ERROR_CODE: u16 = 0x8001;
    /// PASSWORD-ALGORITHMS (RFC 8489 §14.11).
    pub const PASSWORD_ALGORITHMS: u16 = 0x8002;
    /// ALTERNATE-DOMAIN (RFC 8489 §14.16).
    pub const ALTERNATE_DOMAIN: u16 = 0x8003;
    /// ICMP (RFC 8656 §18.13).
    pub const ICMP: u16 = 0x8004;
    /// SOFTWARE (RFC 8489 §14.14).
    pub const SOFTWARE: u16 = 0x8022;
    /// ALTERNATE-SERVER (RFC 8489 §14.15).
    pub const ALTERNATE_SERVER: u16 = 0x8023;
    /// FINGERPRINT (RFC 8489 §14.7).
    pub const FINGERPRINT: u16 = 0x8028;
    /// ICE-CONTROLLED (RFC 8445 §7.1.3).
    pub const ICE_CONTROLLED: u16 = 0x8029;
    /// ICE-CONTROLLING (RFC 8445 §7.1.3).
    pub const ICE_CONTROLLING: u16 = 0x802A;
}

/// Whether an attribute type is comprehension-required (0x0000–0x7FFF, RFC 8489 §14): a
/// receiver that does not understand it must not process the message as if it were absent.
pub const fn is_comprehension_required(attribute_type: u16) -> bool {
    attribute_type < 0x8000
}

/// Whether this crate parses an attribute type into a typed [`Attribute`] variant.
pub(crate) const fn is_known(t: u16) -> bool {
    matches!(
        t,
        attr::MAPPED_ADDRESS
            | attr::USERNAME
            | attr::MESSAGE_INTEGRITY
            | attr::ERROR_CODE
            | attr::UNKNOWN_ATTRIBUTES
            | attr::CHANNEL_NUMBER
            | attr::LIFETIME
            | attr::XOR_PEER_ADDRESS
            | attr::DATA
            | attr::REALM
            | attr::NONCE
            | attr::XOR_RELAYED_ADDRESS
            | attr::REQUESTED_ADDRESS_FAMILY
            | attr::EVEN_PORT
            | attr::REQUESTED_TRANSPORT
            | attr::DONT_FRAGMENT
            | attr::MESSAGE_INTEGRITY_SHA256
            | attr::PASSWORD_ALGORITHM
            | attr::USERHASH
            | attr::XOR_MAPPED_ADDRESS
            | attr::RESERVATION_TOKEN
            | attr::PRIORITY
            | attr::USE_CANDIDATE
            | attr::ADDITIONAL_ADDRESS_FAMILY
            | attr::ADDRESS_ERROR_CODE
            | attr::PASSWORD_ALGORITHMS
            | attr::ALTERNATE_DOMAIN
            | attr::ICMP
            | attr::SOFTWARE
            | attr::ALTERNATE_SERVER
            | attr::FINGERPRINT
            | attr::ICE_CONTROLLED
            | attr::ICE_CONTROLLING
    )
}

/// One attribute as it sits in a message: its type and its (unpadded) value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RawAttribute<'a> {
    /// Attribute type.
    pub attribute_type: u16,
    /// Offset of the attribute's header from the start of the message.
    pub offset: usize,
    /// The value, without padding.
    pub value: &'a [u8],
    /// The padding bytes after the value, as received (RFC 8489 §14: their content is
    /// arbitrary; MESSAGE-INTEGRITY covers them, so lossless forwarding keeps them).
    pub padding: &'a [u8],
}

/// Longest USERNAME in bytes (RFC 8489 §14.3: fewer than 509 bytes).
pub const MAX_USERNAME_LEN: usize = 508;
/// Longest REALM, NONCE, SOFTWARE or reason phrase in bytes (RFC 8489 §14.8–14.10, §14.14:
/// fewer than 128 characters, at most 763 bytes).
pub const MAX_TEXT_LEN: usize = 763;

/// A typed attribute value.
///
/// Borrowed slices point into the message being parsed, or into the caller's data when
/// building, so neither direction allocates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Attribute<'a> {
    /// MAPPED-ADDRESS (RFC 8489 §14.1).
    MappedAddress(SocketAddr),
    /// XOR-MAPPED-ADDRESS (RFC 8489 §14.2).
    XorMappedAddress(SocketAddr),
    /// USERNAME (RFC 8489 §14.3).
    Username(&'a str),
    /// USERHASH: SHA-256 of the username and realm (RFC 8489 §14.4).
    UserHash(&'a [u8; 32]),
    /// MESSAGE-INTEGRITY, the HMAC-SHA1 as found in a message (RFC 8489 §14.5). Built with
    /// [`MessageBuilder::add_message_integrity`](crate::wire::MessageBuilder::add_message_integrity).
    MessageIntegrity(&'a [u8; 20]),
    /// MESSAGE-INTEGRITY-SHA256, 16 to 32 bytes (RFC 8489 §14.6).
    MessageIntegritySha256(&'a [u8]),
    /// FINGERPRINT, the CRC-32 as found in a message (RFC 8489 §14.7).
    Fingerprint(u32),
    /// ERROR-CODE (RFC 8489 §14.8).
    ErrorCode(ErrorCode<'a>),
    /// REALM (RFC 8489 §14.9).
    Realm(&'a str),
    /// NONCE (RFC 8489 §14.10).
    Nonce(&'a str),
    /// PASSWORD-ALGORITHMS (RFC 8489 §14.11).
    PasswordAlgorithms(PasswordAlgorithms<'a>),
    /// PASSWORD-ALGORITHM (RFC 8489 §14.12).
    PasswordAlgorithm(PasswordAlgorithm<'a>),
    /// UNKNOWN-ATTRIBUTES (RFC 8489 §14.13).
    UnknownAttributes(UnknownAttributes<'a>),
    /// SOFTWARE (RFC 8489 §14.14).
    Software(&'a str),
    /// ALTERNATE-SERVER (RFC 8489 §14.15).
    AlternateServer(SocketAddr),
    /// ALTERNATE-DOMAIN (RFC 8489 §14.16).
    AlternateDomain(&'a str),
    /// CHANNEL-NUMBER (RFC 8656 §18.1).
    ChannelNumber(u16),
    /// LIFETIME in seconds (RFC 8656 §18.2).
    Lifetime(u32),
    /// XOR-PEER-ADDRESS (RFC 8656 §18.3).
    XorPeerAddress(SocketAddr),
    /// DATA (RFC 8656 §18.4).
    Data(&'a [u8]),
    /// XOR-RELAYED-ADDRESS (RFC 8656 §18.5).
    XorRelayedAddress(SocketAddr),
    /// REQUESTED-ADDRESS-FAMILY (RFC 8656 §18.6).
    RequestedAddressFamily(AddressFamily),
    /// EVEN-PORT; `true` asks to reserve the next-higher port too (RFC 8656 §18.7).
    EvenPort(bool),
    /// REQUESTED-TRANSPORT: an IP protocol number, 17 for UDP (RFC 8656 §18.8).
    RequestedTransport(u8),
    /// DONT-FRAGMENT (RFC 8656 §18.9).
    DontFragment,
    /// RESERVATION-TOKEN (RFC 8656 §18.10).
    ReservationToken(&'a [u8; 8]),
    /// ADDITIONAL-ADDRESS-FAMILY (RFC 8656 §18.11).
    AdditionalAddressFamily(AddressFamily),
    /// ADDRESS-ERROR-CODE (RFC 8656 §18.12).
    AddressErrorCode(AddressErrorCode<'a>),
    /// ICMP (RFC 8656 §18.13).
    Icmp(Icmp),
    /// PRIORITY (RFC 8445 §7.1.1).
    Priority(u32),
    /// USE-CANDIDATE (RFC 8445 §7.1.2).
    UseCandidate,
    /// ICE-CONTROLLED with its tie-breaker (RFC 8445 §7.1.3).
    IceControlled(u64),
    /// ICE-CONTROLLING with its tie-breaker (RFC 8445 §7.1.3).
    IceControlling(u64),
    /// Any other attribute, kept verbatim.
    Unknown {
        /// Attribute type.
        attribute_type: u16,
        /// Value without padding.
        value: &'a [u8],
    },
}

fn bad_len() -> ParseError {
    ParseError::new(ParseErrorKind::BadAttributeLength, 0)
}

fn fixed<const N: usize>(value: &[u8]) -> Result<&[u8; N], ParseError> {
    value.try_into().map_err(|_| bad_len())
}

fn text(value: &[u8]) -> Result<&str, ParseError> {
    std::str::from_utf8(value)
        .map_err(|e| ParseError::new(ParseErrorKind::InvalidUtf8, e.valid_up_to()))
}

fn family_word(value: &[u8]) -> Result<AddressFamily, ParseError> {
    let v = fixed::<4>(value)?;
    AddressFamily::from_byte(v[0]).ok_or(ParseError::new(ParseErrorKind::BadAddressFamily, 0))
}

impl<'a> Attribute<'a> {
    /// Parses a raw attribute into its typed value. `tid` un-XORs IPv6 XOR addresses.
    ///
    /// Errors carry offsets relative to the start of the value.
    pub fn parse(raw: RawAttribute<'a>, tid: &TransactionId) -> Result<Self, ParseError> {
        let v = raw.value;
        Ok(match raw.attribute_type {
            attr::MAPPED_ADDRESS => Self::MappedAddress(parse_address(v, None)?),
            attr::XOR_MAPPED_ADDRESS => Self::XorMappedAddress(parse_address(v, Some(tid))?),
            attr::USERNAME => Self::Username(text(v)?),
            attr::USERHASH => Self::UserHash(fixed::<32>(v)?),
            attr::MESSAGE_INTEGRITY => Self::MessageIntegrity(fixed::<20>(v)?),
            attr::MESSAGE_INTEGRITY_SHA256 => {
                if !(16..=32).contains(&v.len()) || !v.len().is_multiple_of(4) {
                    return Err(bad_len());
                }
                Self::MessageIntegritySha256(v)
            }
            attr::FINGERPRINT => Self::Fingerprint(u32::from_be_bytes(*fixed::<4>(v)?)),
            attr::ERROR_CODE => Self::ErrorCode(ErrorCode::parse(v)?),
            attr::REALM => Self::Realm(text(v)?),
            attr::NONCE => Self::Nonce(text(v)?),
            attr::PASSWORD_ALGORITHMS => Self::PasswordAlgorithms(PasswordAlgorithms::parse(v)?),
            attr::PASSWORD_ALGORITHM => Self::PasswordAlgorithm(PasswordAlgorithm::parse(v)?),
            attr::UNKNOWN_ATTRIBUTES => Self::UnknownAttributes(UnknownAttributes::parse(v)?),
            attr::SOFTWARE => Self::Software(text(v)?),
            attr::ALTERNATE_SERVER => Self::AlternateServer(parse_address(v, None)?),
            attr::ALTERNATE_DOMAIN => Self::AlternateDomain(text(v)?),
            attr::CHANNEL_NUMBER => {
                let b = fixed::<4>(v)?;
                Self::ChannelNumber(u16::from_be_bytes([b[0], b[1]]))
            }
            attr::LIFETIME => Self::Lifetime(u32::from_be_bytes(*fixed::<4>(v)?)),
            attr::XOR_PEER_ADDRESS => Self::XorPeerAddress(parse_address(v, Some(tid))?),
            attr::DATA => Self::Data(v),
            attr::XOR_RELAYED_ADDRESS => Self::XorRelayedAddress(parse_address(v, Some(tid))?),
            attr::REQUESTED_ADDRESS_FAMILY => Self::RequestedAddressFamily(family_word(v)?),
            attr::EVEN_PORT => Self::EvenPort(fixed::<1>(v)?[0] & 0x80 != 0),
            attr::REQUESTED_TRANSPORT => Self::RequestedTransport(fixed::<4>(v)?[0]),
            attr::DONT_FRAGMENT => {
                fixed::<0>(v)?;
                Self::DontFragment
            }
            attr::RESERVATION_TOKEN => Self::ReservationToken(fixed::<8>(v)?),
            attr::ADDITIONAL_ADDRESS_FAMILY => Self::AdditionalAddressFamily(family_word(v)?),
            attr::ADDRESS_ERROR_CODE => Self::AddressErrorCode(AddressErrorCode::parse(v)?),
            attr::ICMP => Self::Icmp(Icmp::parse(v)?),
            attr::PRIORITY => Self::Priority(u32::from_be_bytes(*fixed::<4>(v)?)),
            attr::USE_CANDIDATE => {
                fixed::<0>(v)?;
                Self::UseCandidate
            }
            attr::ICE_CONTROLLED => Self::IceControlled(u64::from_be_bytes(*fixed::<8>(v)?)),
            attr::ICE_CONTROLLING => Self::IceControlling(u64::from_be_bytes(*fixed::<8>(v)?)),
            attribute_type => Self::Unknown {
                attribute_type,
                value: v,
            },
        })
    }

    /// The attribute type code.
    pub const fn attribute_type(&self) -> u16 {
        match self {
            Self::MappedAddress(_) => attr::MAPPED_ADDRESS,
            Self::XorMappedAddress(_) => attr::XOR_MAPPED_ADDRESS,
            Self::Username(_) => attr::USERNAME,
            Self::UserHash(_) => attr::USERHASH,
            Self::MessageIntegrity(_) => attr::MESSAGE_INTEGRITY,
            Self::MessageIntegritySha256(_) => attr::MESSAGE_INTEGRITY_SHA256,
            Self::Fingerprint(_) => attr::FINGERPRINT,
            Self::ErrorCode(_) => attr::ERROR_CODE,
            Self::Realm(_) => attr::REALM,
            Self::Nonce(_) => attr::NONCE,
            Self::PasswordAlgorithms(_) => attr::PASSWORD_ALGORITHMS,
            Self::PasswordAlgorithm(_) => attr::PASSWORD_ALGORITHM,
            Self::UnknownAttributes(_) => attr::UNKNOWN_ATTRIBUTES,
            Self::Software(_) => attr::SOFTWARE,
            Self::AlternateServer(_) => attr::ALTERNATE_SERVER,
            Self::AlternateDomain(_) => attr::ALTERNATE_DOMAIN,
            Self::ChannelNumber(_) => attr::CHANNEL_NUMBER,
            Self::Lifetime(_) => attr::LIFETIME,
            Self::XorPeerAddress(_) => attr::XOR_PEER_ADDRESS,
            Self::Data(_) => attr::DATA,
            Self::XorRelayedAddress(_) => attr::XOR_RELAYED_ADDRESS,
            Self::RequestedAddressFamily(_) => attr::REQUESTED_ADDRESS_FAMILY,
            Self::EvenPort(_) => attr::EVEN_PORT,
            Self::RequestedTransport(_) => attr::REQUESTED_TRANSPORT,
            Self::DontFragment => attr::DONT_FRAGMENT,
            Self::ReservationToken(_) => attr::RESERVATION_TOKEN,
            Self::AdditionalAddressFamily(_) => attr::ADDITIONAL_ADDRESS_FAMILY,
            Self::AddressErrorCode(_) => attr::ADDRESS_ERROR_CODE,
            Self::Icmp(_) => attr::ICMP,
            Self::Priority(_) => attr::PRIORITY,
            Self::UseCandidate => attr::USE_CANDIDATE,
            Self::IceControlled(_) => attr::ICE_CONTROLLED,
            Self::IceControlling(_) => attr::ICE_CONTROLLING,
            Self::Unknown { attribute_type, .. } => *attribute_type,
        }
    }

    /// Length of the encoded value, without padding.
    pub fn value_len(&self) -> usize {
        match self {
            Self::MappedAddress(a)
            | Self::XorMappedAddress(a)
            | Self::AlternateServer(a)
            | Self::XorPeerAddress(a)
            | Self::XorRelayedAddress(a) => address_len(a),
            Self::Username(s)
            | Self::Realm(s)
            | Self::Nonce(s)
            | Self::Software(s)
            | Self::AlternateDomain(s) => s.len(),
            Self::UserHash(_) => 32,
            Self::MessageIntegrity(_) => 20,
            Self::MessageIntegritySha256(v) | Self::Data(v) | Self::Unknown { value: v, .. } => {
                v.len()
            }
            Self::Fingerprint(_)
            | Self::ChannelNumber(_)
            | Self::Lifetime(_)
            | Self::RequestedAddressFamily(_)
            | Self::RequestedTransport(_)
            | Self::AdditionalAddressFamily(_)
            | Self::Priority(_) => 4,
            Self::ErrorCode(e) => e.value_len(),
            Self::AddressErrorCode(e) => e.value_len(),
            Self::PasswordAlgorithms(p) => p.value_len(),
            Self::PasswordAlgorithm(p) => p.value_len(),
            Self::UnknownAttributes(u) => u.value_len(),
            Self::EvenPort(_) => 1,
            Self::DontFragment | Self::UseCandidate => 0,
            Self::ReservationToken(_)
            | Self::Icmp(_)
            | Self::IceControlled(_)
            | Self::IceControlling(_) => 8,
        }
    }

    /// Checks the RFC's length limits for text values and channel numbers.
    pub(crate) fn check(&self) -> Result<(), EncodeError> {
        let too_long = match self {
            Self::Username(s) => s.len() > MAX_USERNAME_LEN,
            Self::Realm(s) | Self::Nonce(s) | Self::Software(s) | Self::AlternateDomain(s) => {
                s.len() > MAX_TEXT_LEN || s.chars().count() >= 128
            }
            Self::ErrorCode(e) => e.reason.len() > MAX_TEXT_LEN,
            Self::AddressErrorCode(e) => e.reason.len() > MAX_TEXT_LEN,
            Self::MessageIntegritySha256(v) => {
                !(16..=32).contains(&v.len()) || !v.len().is_multiple_of(4)
            }
            _ => false,
        };
        if too_long {
            return Err(EncodeError::ValueTooLong);
        }
        if let Self::ChannelNumber(n) = self
            && !(0x4000..=0x4fff).contains(n)
        {
            return Err(EncodeError::BadChannelNumber);
        }
        if self.value_len() > usize::from(u16::MAX) {
            return Err(EncodeError::ValueTooLong);
        }
        Ok(())
    }

    /// Appends the encoded value (without padding).
    pub(crate) fn write_value(
        &self,
        out: &mut Vec<u8>,
        tid: &TransactionId,
    ) -> Result<(), EncodeError> {
        match self {
            Self::MappedAddress(a) | Self::AlternateServer(a) => write_address(out, a, None),
            Self::XorMappedAddress(a) | Self::XorPeerAddress(a) | Self::XorRelayedAddress(a) => {
                write_address(out, a, Some(tid));
            }
            Self::Username(s)
            | Self::Realm(s)
            | Self::Nonce(s)
            | Self::Software(s)
            | Self::AlternateDomain(s) => {
                out.extend_from_slice(s.as_bytes());
            }
            Self::UserHash(h) => out.extend_from_slice(&h[..]),
            Self::MessageIntegrity(h) => out.extend_from_slice(&h[..]),
            Self::MessageIntegritySha256(v) | Self::Data(v) | Self::Unknown { value: v, .. } => {
                out.extend_from_slice(v)
            }
            Self::Fingerprint(n) | Self::Lifetime(n) | Self::Priority(n) => {
                out.extend_from_slice(&n.to_be_bytes())
            }
            Self::ErrorCode(e) => e.write(out)?,
            Self::AddressErrorCode(e) => e.write(out)?,
            Self::PasswordAlgorithms(p) => p.write(out)?,
            Self::PasswordAlgorithm(p) => p.write(out)?,
            Self::UnknownAttributes(u) => u.write(out),
            Self::ChannelNumber(n) => {
                out.extend_from_slice(&n.to_be_bytes());
                out.extend_from_slice(&[0, 0]);
            }
            Self::RequestedAddressFamily(f) | Self::AdditionalAddressFamily(f) => {
                out.extend_from_slice(&[f.to_byte(), 0, 0, 0])
            }
            Self::EvenPort(reserve) => out.push(if *reserve { 0x80 } else { 0 }),
            Self::RequestedTransport(p) => out.extend_from_slice(&[*p, 0, 0, 0]),
            Self::DontFragment | Self::UseCandidate => {}
            Self::ReservationToken(t) => out.extend_from_slice(&t[..]),
            Self::Icmp(i) => i.write(out)?,
            Self::IceControlled(t) | Self::IceControlling(t) => {
                out.extend_from_slice(&t.to_be_bytes())
            }
        }
        Ok(())
    }
}
