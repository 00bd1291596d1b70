//! Structured attribute values: ERROR-CODE, UNKNOWN-ATTRIBUTES, PASSWORD-ALGORITHM(S)
//! (RFC 8489 §14.8, §14.13, §14.11, §14.12) and TURN's ADDRESS-ERROR-CODE and ICMP (RFC 8656
//! §18.12, §18.13).
//!
//! List values borrow their wire bytes after validation (`Wire`) or a caller's slice (`List`),
//! so neither parsing nor building allocates; both compare equal by their items.

use super::address::AddressFamily;
use crate::error::{EncodeError, ParseError, ParseErrorKind};

const fn err(kind: ParseErrorKind, offset: usize) -> ParseError {
    ParseError::new(kind, offset)
}

/// Well-known ERROR-CODE values (RFC 8489 §14.8, RFC 8656 §19, RFC 8445 §7.3.1.1).
pub mod error_code {
    /// 300 Try Alternate.
    pub const TRY_ALTERNATE: u16 = 300;
    /// 400 Bad Request.
    pub const BAD_REQUEST: u16 = 400;
    /// 401 Unauthenticated.
    pub const UNAUTHENTICATED: u16 = 401;
    /// 403 Forbidden.
    pub const FORBIDDEN: u16 = 403;
    /// 420 Unknown Attribute.
    pub const UNKNOWN_ATTRIBUTE: u16 = 420;
    /// 437 Allocation Mismatch.
    pub const ALLOCATION_MISMATCH: u16 = 437;
    /// 438 Stale Nonce.
    pub const STALE_NONCE: u16 = 438;
    /// 440 Address Family not Supported.
    pub const ADDRESS_FAMILY_NOT_SUPPORTED: u16 = 440;
    /// 441 Wrong Credentials.
    pub const WRONG_CREDENTIALS: u16 = 441;
    /// 442 Unsupported Transport Protocol.
    pub const UNSUPPORTED_TRANSPORT_PROTOCOL: u16 = 442;
    /// 443 Peer Address Family Mismatch.
    pub const PEER_ADDRESS_FAMILY_MISMATCH: u16 = 443;
    /// 486 Allocation Quota Reached.
    pub const ALLOCATION_QUOTA_REACHED: u16 = 486;
    /// 487 Role Conflict (ICE).
    pub const ROLE_CONFLICT: u16 = 487;
    /// 500 Server Error.
    pub const SERVER_ERROR: u16 = 500;
    /// 508 Insufficient Capacity.
    pub const INSUFFICIENT_CAPACITY: u16 = 508;

    /// The RFC's suggested reason phrase for a code ("" for codes it does not name).
    pub const fn reason(code: u16) -> &'static str {
        match code {
            TRY_ALTERNATE => "Try Alternate",
            BAD_REQUEST => "Bad Request",
            UNAUTHENTICATED => "Unauthenticated",
            FORBIDDEN => "Forbidden",
            UNKNOWN_ATTRIBUTE => "Unknown Attribute",
            ALLOCATION_MISMATCH => "Allocation Mismatch",
            STALE_NONCE => "Stale Nonce",
            ADDRESS_FAMILY_NOT_SUPPORTED => "Address Family not Supported",
            WRONG_CREDENTIALS => "Wrong Credentials",
            UNSUPPORTED_TRANSPORT_PROTOCOL => "Unsupported Transport Protocol",
            PEER_ADDRESS_FAMILY_MISMATCH => "Peer Address Family Mismatch",
            ALLOCATION_QUOTA_REACHED => "Allocation Quota Reached",
            ROLE_CONFLICT => "Role Conflict",
            SERVER_ERROR => "Server Error",
            INSUFFICIENT_CAPACITY => "Insufficient Capacity",
            _ => "",
        }
    }
}

/// Password algorithm numbers (RFC 8489 §18.5).
pub mod password_algorithm {
    /// MD5, the RFC 5389 long-term key.
    pub const MD5: u16 = 0x0001;
    /// SHA-256.
    pub const SHA256: u16 = 0x0002;
}

/// Splits an error code into its class (hundreds) and number, checking 300–699.
fn class_number(code: u16) -> Result<(u8, u8), EncodeError> {
    if !(300..700).contains(&code) {
        return Err(EncodeError::InvalidErrorCode);
    }
    let class = u8::try_from(code / 100).map_err(|_| EncodeError::InvalidErrorCode)?;
    let number = u8::try_from(code % 100).map_err(|_| EncodeError::InvalidErrorCode)?;
    Ok((class, number))
}

fn code_from(class_byte: u8, number: u8, offset: usize) -> Result<u16, ParseError> {
    let class = class_byte & 0x07;
    if !(3..=6).contains(&class) || number > 99 {
        return Err(err(ParseErrorKind::InvalidErrorCode, offset));
    }
    Ok(u16::from(class) * 100 + u16::from(number))
}

fn text(bytes: &[u8], offset: usize) -> Result<&str, ParseError> {
    std::str::from_utf8(bytes)
        .map_err(|e| err(ParseErrorKind::InvalidUtf8, offset + e.valid_up_to()))
}

/// An ERROR-CODE value: a code in 300–699 and a reason phrase (RFC 8489 §14.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ErrorCode<'a> {
    /// The code, e.g. 401.
    pub code: u16,
    /// The reason phrase.
    pub reason: &'a str,
}

impl<'a> ErrorCode<'a> {
    /// An error code with the RFC's reason phrase for it.
    pub const fn new(code: u16) -> Self {
        Self {
            code,
            reason: error_code::reason(code),
        }
    }

    pub(crate) fn parse(value: &'a [u8]) -> Result<Self, ParseError> {
        if value.len() < 4 {
            return Err(err(ParseErrorKind::BadAttributeLength, 0));
        }
        let code = code_from(value[2], value[3], 2)?;
        Ok(Self {
            code,
            reason: text(&value[4..], 4)?,
        })
    }

    pub(crate) fn value_len(&self) -> usize {
        4 + self.reason.len()
    }

    pub(crate) fn write(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let (class, number) = class_number(self.code)?;
        out.extend_from_slice(&[0, 0, class, number]);
        out.extend_from_slice(self.reason.as_bytes());
        Ok(())
    }
}

/// An ADDRESS-ERROR-CODE value: which address family an Allocate could not serve, and why
/// (RFC 8656 §18.12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AddressErrorCode<'a> {
    /// The family that failed.
    pub family: AddressFamily,
    /// The error code, 300–699.
    pub code: u16,
    /// The reason phrase.
    pub reason: &'a str,
}

impl<'a> AddressErrorCode<'a> {
    pub(crate) fn parse(value: &'a [u8]) -> Result<Self, ParseError> {
        if value.len() < 4 {
            return Err(err(ParseErrorKind::BadAttributeLength, 0));
        }
        let family =
            AddressFamily::from_byte(value[0]).ok_or(err(ParseErrorKind::BadAddressFamily, 0))?;
        Ok(Self {
            family,
            code: code_from(value[2], value[3], 2)?,
            reason: text(&value[4..], 4)?,
        })
    }

    pub(crate) fn value_len(&self) -> usize {
        4 + self.reason.len()
    }

    pub(crate) fn write(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let (class, number) = class_number(self.code)?;
        out.extend_from_slice(&[self.family.to_byte(), 0, class, number]);
        out.extend_from_slice(self.reason.as_bytes());
        Ok(())
    }
}

/// An ICMP value: why the server dropped a datagram to the peer (RFC 8656 §18.13). The type
/// is 7 bits wide and the code 9 bits, as the RFC's figure lays them out after 16 reserved bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Icmp {
    /// ICMP (v4 or v6) type, 0–127.
    pub icmp_type: u8,
    /// ICMP code, 0–511.
    pub code: u16,
    /// Error data (the next-hop MTU for "packet too big", else zero).
    pub data: u32,
}

impl Icmp {
    pub(crate) fn parse(value: &[u8]) -> Result<Self, ParseError> {
        let v: [u8; 8] = value
            .try_into()
            .map_err(|_| err(ParseErrorKind::BadAttributeLength, 0))?;
        let bits = u16::from_be_bytes([v[2], v[3]]);
        Ok(Self {
            icmp_type: u8::try_from(bits >> 9).unwrap_or(0),
            code: bits & 0x01ff,
            data: u32::from_be_bytes([v[4], v[5], v[6], v[7]]),
        })
    }

    pub(crate) fn write(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        if self.icmp_type > 127 || self.code > 511 {
            return Err(EncodeError::BadIcmp);
        }
        let bits = (u16::from(self.icmp_type) << 9) | self.code;
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(&bits.to_be_bytes());
        out.extend_from_slice(&self.data.to_be_bytes());
        Ok(())
    }
}

/// One password algorithm and its parameters (RFC 8489 §14.11, §14.12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PasswordAlgorithm<'a> {
    /// Algorithm number ([`password_algorithm`]).
    pub algorithm: u16,
    /// Algorithm parameters (empty for MD5 and SHA-256).
    pub params: &'a [u8],
}

const fn padded(len: usize) -> usize {
    (len + 3) & !3
}

impl<'a> PasswordAlgorithm<'a> {
    /// Parses one entry at the start of `bytes`; returns it and the padded length consumed.
    fn parse_entry(bytes: &'a [u8], offset: usize) -> Result<(Self, usize), ParseError> {
        if bytes.len() < 4 {
            return Err(err(ParseErrorKind::BadAttributeLength, offset));
        }
        let algorithm = u16::from_be_bytes([bytes[0], bytes[1]]);
        let len = usize::from(u16::from_be_bytes([bytes[2], bytes[3]]));
        let params = bytes
            .get(4..4 + len)
            .ok_or_else(|| err(ParseErrorKind::AttributeOverrun, offset + 2))?;
        let consumed = (4 + padded(len)).min(bytes.len());
        Ok((Self { algorithm, params }, consumed))
    }

    /// Parses a PASSWORD-ALGORITHM value (exactly one entry).
    pub(crate) fn parse(value: &'a [u8]) -> Result<Self, ParseError> {
        let (alg, consumed) = Self::parse_entry(value, 0)?;
        if consumed != value.len() && 4 + alg.params.len() != value.len() {
            return Err(err(ParseErrorKind::BadAttributeLength, 0));
        }
        Ok(alg)
    }

    pub(crate) fn value_len(&self) -> usize {
        4 + self.params.len()
    }

    fn entry_len(&self) -> usize {
        4 + padded(self.params.len())
    }

    pub(crate) fn write(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let len = u16::try_from(self.params.len()).map_err(|_| EncodeError::ValueTooLong)?;
        out.extend_from_slice(&self.algorithm.to_be_bytes());
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(self.params);
        Ok(())
    }

    fn write_padded(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        self.write(out)?;
        out.resize(out.len() + padded(self.params.len()) - self.params.len(), 0);
        Ok(())
    }
}

/// A PASSWORD-ALGORITHMS list (RFC 8489 §14.11).
#[derive(Debug, Clone, Copy, Eq, Hash)]
pub enum PasswordAlgorithms<'a> {
    /// Validated wire bytes.
    Wire(&'a [u8]),
    /// A caller's list, for building.
    List(&'a [PasswordAlgorithm<'a>]),
}

impl<'a> PasswordAlgorithms<'a> {
    pub(crate) fn parse(value: &'a [u8]) -> Result<Self, ParseError> {
        let mut at = 0;
        while at < value.len() {
            let (_, consumed) = PasswordAlgorithm::parse_entry(&value[at..], at)?;
            at += consumed;
        }
        Ok(Self::Wire(value))
    }

    /// The algorithms, in order.
    pub fn iter(&self) -> impl Iterator<Item = PasswordAlgorithm<'a>> + 'a {
        let (wire, list): (&'a [u8], &'a [PasswordAlgorithm<'a>]) = match *self {
            Self::Wire(w) => (w, &[]),
            Self::List(l) => (&[], l),
        };
        let mut at = 0;
        let from_wire = std::iter::from_fn(move || {
            let (alg, consumed) = PasswordAlgorithm::parse_entry(wire.get(at..)?, at).ok()?;
            at += consumed;
            Some(alg)
        });
        from_wire.chain(list.iter().copied())
    }

    pub(crate) fn value_len(&self) -> usize {
        match self {
            Self::Wire(w) => w.len(),
            Self::List(l) => l.iter().map(PasswordAlgorithm::entry_len).sum(),
        }
    }

    pub(crate) fn write(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        match self {
            Self::Wire(w) => out.extend_from_slice(w),
            Self::List(l) => {
                for alg in *l {
                    alg.write_padded(out)?;
                }
            }
        }
        Ok(())
    }
}

impl PartialEq for PasswordAlgorithms<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

/// An UNKNOWN-ATTRIBUTES list of 16-bit attribute types (RFC 8489 §14.13).
#[derive(Debug, Clone, Copy, Eq, Hash)]
pub enum UnknownAttributes<'a> {
    /// Validated wire bytes (an even length).
    Wire(&'a [u8]),
    /// A caller's list, for building.
    List(&'a [u16]),
}

impl<'a> UnknownAttributes<'a> {
    pub(crate) fn parse(value: &'a [u8]) -> Result<Self, ParseError> {
        if !value.len().is_multiple_of(2) {
            return Err(err(ParseErrorKind::BadAttributeLength, 0));
        }
        Ok(Self::Wire(value))
    }

    /// The attribute types, in order.
    pub fn iter(&self) -> impl Iterator<Item = u16> + 'a {
        let (wire, list): (&'a [u8], &'a [u16]) = match *self {
            Self::Wire(w) => (w, &[]),
            Self::List(l) => (&[], l),
        };
        wire.chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .chain(list.iter().copied())
    }

    pub(crate) fn value_len(&self) -> usize {
        match self {
            Self::Wire(w) => w.len(),
            Self::List(l) => 2 * l.len(),
        }
    }

    pub(crate) fn write(&self, out: &mut Vec<u8>) {
        for t in self.iter() {
            out.extend_from_slice(&t.to_be_bytes());
        }
    }
}

impl PartialEq for UnknownAttributes<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_code_parses_class_and_number() {
        let v = [0, 0, 4, 1, b'U', b'n'];
        assert_eq!(
            ErrorCode::parse(&v).unwrap(),
            ErrorCode {
                code: 401,
                reason: "Un"
            }
        );
        assert_eq!(
            ErrorCode::parse(&[0, 0, 2, 0]).unwrap_err().kind,
            ParseErrorKind::InvalidErrorCode
        );
        assert_eq!(
            ErrorCode::parse(&[0, 0, 4, 100]).unwrap_err().kind,
            ParseErrorKind::InvalidErrorCode
        );
        assert_eq!(
            ErrorCode::parse(&[0, 0, 4]).unwrap_err().kind,
            ParseErrorKind::BadAttributeLength
        );
        let mut out = Vec::new();
        assert_eq!(
            ErrorCode::new(299).write(&mut out),
            Err(EncodeError::InvalidErrorCode)
        );
        assert_eq!(
            ErrorCode::new(700).write(&mut out),
            Err(EncodeError::InvalidErrorCode)
        );
    }

    #[test]
    fn icmp_field_widths_follow_the_rfc_figure() {
        let icmp = Icmp {
            icmp_type: 3,
            code: 4,
            data: 1400,
        };
        let mut out = Vec::new();
        icmp.write(&mut out).unwrap();
        assert_eq!(out, [0, 0, 0x06, 0x04, 0, 0, 0x05, 0x78]);
        assert_eq!(Icmp::parse(&out).unwrap(), icmp);
        assert_eq!(
            Icmp {
                icmp_type: 128,
                code: 0,
                data: 0
            }
            .write(&mut out),
            Err(EncodeError::BadIcmp)
        );
    }

    #[test]
    fn password_algorithms_wire_and_list_agree() {
        let list = [
            PasswordAlgorithm {
                algorithm: password_algorithm::MD5,
                params: &[],
            },
            PasswordAlgorithm {
                algorithm: 0x7777,
                params: &[1, 2, 3],
            },
        ];
        let built = PasswordAlgorithms::List(&list);
        let mut out = Vec::new();
        built.write(&mut out).unwrap();
        assert_eq!(out.len(), built.value_len());
        assert_eq!(out, [0, 1, 0, 0, 0x77, 0x77, 0, 3, 1, 2, 3, 0]);
        let parsed = PasswordAlgorithms::parse(&out).unwrap();
        assert_eq!(parsed, built);
        assert_eq!(
            PasswordAlgorithms::parse(&[0, 1, 0, 9, 1])
                .unwrap_err()
                .kind,
            ParseErrorKind::AttributeOverrun
        );
    }

    #[test]
    fn unknown_attributes_list() {
        let parsed = UnknownAttributes::parse(&[0x00, 0x1f, 0x7f, 0xff]).unwrap();
        assert_eq!(parsed.iter().collect::<Vec<_>>(), [0x001f, 0x7fff]);
        assert_eq!(parsed, UnknownAttributes::List(&[0x001f, 0x7fff]));
        assert!(UnknownAttributes::parse(&[0]).is_err());
    }
}
