//! The 20-byte STUN header (RFC 8489 §5, §6).

use rand::Rng;

/// Length of the STUN header.
pub const HEADER_LEN: usize = 20;

/// The fixed magic cookie in bytes 4–7 of every RFC 5389/8489 message (RFC 8489 §5).
pub const MAGIC_COOKIE: u32 = 0x2112_A442;

/// The class of a message: the C1 and C0 bits of the message type (RFC 8489 §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Class {
    /// A request: expects a response.
    Request,
    /// An indication: no response.
    Indication,
    /// A success response.
    Success,
    /// An error response.
    Error,
}

impl Class {
    const fn bits(self) -> u16 {
        match self {
            Self::Request => 0b00,
            Self::Indication => 0b01,
            Self::Success => 0b10,
            Self::Error => 0b11,
        }
    }

    const fn from_bits(bits: u16) -> Self {
        match bits & 0b11 {
            0b00 => Self::Request,
            0b01 => Self::Indication,
            0b10 => Self::Success,
            _ => Self::Error,
        }
    }

    /// Whether this is a success or error response.
    pub const fn is_response(self) -> bool {
        matches!(self, Self::Success | Self::Error)
    }
}

/// A STUN method: the 12 method bits of the message type (RFC 8489 §5, §18.2; RFC 8656 §17).
///
/// A newtype rather than an enum, so methods this crate does not know (RFC 6062 Connect, ...)
/// pass through unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Method(u16);

impl Method {
    /// Binding (RFC 8489 §18.2).
    pub const BINDING: Self = Self(0x001);
    /// Allocate (RFC 8656 §17).
    pub const ALLOCATE: Self = Self(0x003);
    /// Refresh (RFC 8656 §17).
    pub const REFRESH: Self = Self(0x004);
    /// Send, indication only (RFC 8656 §17).
    pub const SEND: Self = Self(0x006);
    /// Data, indication only (RFC 8656 §17).
    pub const DATA: Self = Self(0x007);
    /// CreatePermission (RFC 8656 §17).
    pub const CREATE_PERMISSION: Self = Self(0x008);
    /// ChannelBind (RFC 8656 §17).
    pub const CHANNEL_BIND: Self = Self(0x009);

    /// A method from its 12-bit value (higher bits are dropped).
    pub const fn new(value: u16) -> Self {
        Self(value & 0x0fff)
    }

    /// The 12-bit method value.
    pub const fn value(self) -> u16 {
        self.0
    }
}

/// Encodes a class and method into the 14-bit message type (RFC 8489 §5, Figure 3): method bits
/// M11–M0 interleaved with class bits C1 and C0.
pub const fn message_type(class: Class, method: Method) -> u16 {
    let m = method.0;
    let c = class.bits();
    (m & 0x000f) | ((m & 0x0070) << 1) | ((m & 0x0f80) << 2) | ((c & 0b01) << 4) | ((c & 0b10) << 7)
}

/// Splits a 14-bit message type into class and method.
pub(crate) const fn split_message_type(t: u16) -> (Class, Method) {
    let m = (t & 0x000f) | ((t & 0x00e0) >> 1) | ((t & 0x3e00) >> 2);
    let c = ((t >> 4) & 0b01) | ((t >> 7) & 0b10);
    (Class::from_bits(c), Method(m))
}

/// The 96-bit transaction id (RFC 8489 §5, §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TransactionId(pub [u8; 12]);

impl TransactionId {
    /// A fresh id drawn from the machine's generator ("uniformly and randomly chosen",
    /// RFC 8489 §5).
    pub fn random<R: Rng + ?Sized>(rng: &mut R) -> Self {
        let mut id = [0u8; 12];
        rng.fill_bytes(&mut id);
        Self(id)
    }

    /// The id's bytes.
    pub const fn as_bytes(&self) -> &[u8; 12] {
        &self.0
    }
}

/// Whether a datagram looks like a STUN message on a port shared with other protocols: first
/// byte 0–3 (RFC 7983 §7), at least a header long, length a multiple of 4 that fits, and the
/// magic cookie (RFC 8489 §5, §7.3).
///
/// This is the cheap demultiplexing check; [`Message::parse`](crate::wire::Message::parse)
/// validates the rest.
pub fn is_stun(datagram: &[u8]) -> bool {
    if datagram.len() < HEADER_LEN || datagram[0] & 0xc0 != 0 {
        return false;
    }
    let length = usize::from(u16::from_be_bytes([datagram[2], datagram[3]]));
    let cookie = u32::from_be_bytes([datagram[4], datagram[5], datagram[6], datagram[7]]);
    length % 4 == 0 && HEADER_LEN + length <= datagram.len() && cookie == MAGIC_COOKIE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_type_matches_rfc_examples() {
        // RFC 8489 §5: Binding request 0x0001, success 0x0101, error 0x0111; indication 0x0011.
        assert_eq!(message_type(Class::Request, Method::BINDING), 0x0001);
        assert_eq!(message_type(Class::Success, Method::BINDING), 0x0101);
        assert_eq!(message_type(Class::Error, Method::BINDING), 0x0111);
        assert_eq!(message_type(Class::Indication, Method::BINDING), 0x0011);
        // RFC 8656: Allocate error 0x0113, Send indication 0x0016, Data indication 0x0017.
        assert_eq!(message_type(Class::Error, Method::ALLOCATE), 0x0113);
        assert_eq!(message_type(Class::Indication, Method::SEND), 0x0016);
        assert_eq!(message_type(Class::Indication, Method::DATA), 0x0017);
    }

    #[test]
    fn every_type_splits_back() {
        for t in 0..0x4000u16 {
            let (class, method) = split_message_type(t);
            assert_eq!(message_type(class, method), t);
        }
    }

    #[test]
    fn stun_detection() {
        let mut m = [0u8; 20];
        m[4..8].copy_from_slice(&MAGIC_COOKIE.to_be_bytes());
        assert!(is_stun(&m));
        m[0] = 0x40;
        assert!(!is_stun(&m), "first two bits must be zero");
        m[0] = 0;
        m[7] ^= 1;
        assert!(!is_stun(&m), "magic cookie");
        m[7] ^= 1;
        m[3] = 4;
        assert!(!is_stun(&m), "length beyond the datagram");
        assert!(!is_stun(&m[..19]));
    }
}
