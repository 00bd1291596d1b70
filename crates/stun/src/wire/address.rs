//! Address attribute values: MAPPED-ADDRESS and ALTERNATE-SERVER (RFC 8489 §14.1, §14.15), and
//! the XOR-obfuscated XOR-MAPPED-ADDRESS, XOR-PEER-ADDRESS and XOR-RELAYED-ADDRESS
//! (RFC 8489 §14.2, RFC 8656 §18.3, §18.5).

use super::header::{MAGIC_COOKIE, TransactionId};
use crate::error::{ParseError, ParseErrorKind};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// An IP address family as STUN and TURN encode it (RFC 8489 §14.1; RFC 8656 §18.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AddressFamily {
    /// 0x01.
    V4,
    /// 0x02.
    V6,
}

impl AddressFamily {
    /// The wire value.
    pub const fn to_byte(self) -> u8 {
        match self {
            Self::V4 => 0x01,
            Self::V6 => 0x02,
        }
    }

    /// Parses the wire value.
    pub const fn from_byte(b: u8) -> Option<Self> {
        match b {
            0x01 => Some(Self::V4),
            0x02 => Some(Self::V6),
            _ => None,
        }
    }

    /// The family of an address.
    pub const fn of(addr: &SocketAddr) -> Self {
        match addr {
            SocketAddr::V4(_) => Self::V4,
            SocketAddr::V6(_) => Self::V6,
        }
    }
}

/// Encoded length of an address value.
pub(crate) const fn address_len(addr: &SocketAddr) -> usize {
    match addr {
        SocketAddr::V4(_) => 8,
        SocketAddr::V6(_) => 20,
    }
}

const fn malformed(kind: ParseErrorKind) -> ParseError {
    ParseError::new(kind, 0)
}

/// Parses an address value; with `xor`, undoes the XOR with the cookie and transaction id.
pub(crate) fn parse_address(
    value: &[u8],
    xor: Option<&TransactionId>,
) -> Result<SocketAddr, ParseError> {
    if value.len() < 4 {
        return Err(malformed(ParseErrorKind::BadAttributeLength));
    }
    let family =
        AddressFamily::from_byte(value[1]).ok_or(malformed(ParseErrorKind::BadAddressFamily))?;
    let cookie = MAGIC_COOKIE.to_be_bytes();
    let mut port = u16::from_be_bytes([value[2], value[3]]);
    if xor.is_some() {
        port ^= u16::from_be_bytes([cookie[0], cookie[1]]);
    }
    let ip = match family {
        AddressFamily::V4 => {
            let bytes: [u8; 4] = value
                .get(4..8)
                .filter(|_| value.len() == 8)
                .and_then(|b| b.try_into().ok())
                .ok_or(malformed(ParseErrorKind::BadAttributeLength))?;
            let mut ip = u32::from_be_bytes(bytes);
            if xor.is_some() {
                ip ^= MAGIC_COOKIE;
            }
            IpAddr::V4(Ipv4Addr::from(ip))
        }
        AddressFamily::V6 => {
            let mut bytes: [u8; 16] = value
                .get(4..20)
                .filter(|_| value.len() == 20)
                .and_then(|b| b.try_into().ok())
                .ok_or(malformed(ParseErrorKind::BadAttributeLength))?;
            if let Some(tid) = xor {
                for (b, k) in bytes.iter_mut().zip(cookie.iter().chain(tid.0.iter())) {
                    *b ^= k;
                }
            }
            IpAddr::V6(Ipv6Addr::from(bytes))
        }
    };
    Ok(SocketAddr::new(ip, port))
}

/// Appends an address value (8 or 20 bytes); with `xor`, XORs it with the cookie and
/// transaction id.
pub(crate) fn write_address(out: &mut Vec<u8>, addr: &SocketAddr, xor: Option<&TransactionId>) {
    let cookie = MAGIC_COOKIE.to_be_bytes();
    let mut port = addr.port();
    if xor.is_some() {
        port ^= u16::from_be_bytes([cookie[0], cookie[1]]);
    }
    out.push(0);
    out.push(AddressFamily::of(addr).to_byte());
    out.extend_from_slice(&port.to_be_bytes());
    match addr.ip() {
        IpAddr::V4(ip) => {
            let mut bits = u32::from(ip);
            if xor.is_some() {
                bits ^= MAGIC_COOKIE;
            }
            out.extend_from_slice(&bits.to_be_bytes());
        }
        IpAddr::V6(ip) => {
            let mut bytes = ip.octets();
            if let Some(tid) = xor {
                for (b, k) in bytes.iter_mut().zip(cookie.iter().chain(tid.0.iter())) {
                    *b ^= k;
                }
            }
            out.extend_from_slice(&bytes);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xor_round_trip_both_families() {
        let tid = TransactionId([
            0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae,
        ]);
        for addr in [
            "192.0.2.1:32853",
            "[2001:db8:1234:5678:11:2233:4455:6677]:32853",
        ] {
            let addr: SocketAddr = addr.parse().unwrap();
            for xor in [None, Some(&tid)] {
                let mut out = Vec::new();
                write_address(&mut out, &addr, xor);
                assert_eq!(out.len(), address_len(&addr));
                assert_eq!(parse_address(&out, xor).unwrap(), addr);
            }
        }
    }

    #[test]
    fn rfc5769_ipv4_xor_value() {
        // RFC 5769 §2.2: XOR-MAPPED-ADDRESS value 0001 a147 e112a643 is 192.0.2.1:32853.
        let tid = TransactionId([0; 12]);
        let value = [0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43];
        assert_eq!(
            parse_address(&value, Some(&tid)).unwrap(),
            "192.0.2.1:32853".parse().unwrap()
        );
    }

    #[test]
    fn bad_family_and_lengths_are_errors() {
        assert_eq!(
            parse_address(&[0, 3, 0, 0, 1, 2, 3, 4], None)
                .unwrap_err()
                .kind,
            ParseErrorKind::BadAddressFamily
        );
        assert_eq!(
            parse_address(&[0, 1, 0, 0, 1, 2, 3], None)
                .unwrap_err()
                .kind,
            ParseErrorKind::BadAttributeLength
        );
        assert_eq!(
            parse_address(&[0, 2, 0, 0, 1, 2, 3, 4], None)
                .unwrap_err()
                .kind,
            ParseErrorKind::BadAttributeLength
        );
        assert_eq!(
            parse_address(&[0, 1], None).unwrap_err().kind,
            ParseErrorKind::BadAttributeLength
        );
    }
}
