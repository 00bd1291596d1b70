//! INIT (type 1; RFC 9260 §3.3.2) and INIT ACK (type 2; §3.3.3) with their parameters: the
//! RFC 9260 ones (§3.3.2.1, §3.3.3.1), Forward-TSN-Supported (RFC 3758 §3.1), Supported
//! Extensions (RFC 5061 §4.2.7), Zero Checksum Acceptable (RFC 9653 §5.1) and the AUTH ones
//! (RFC 4895 §3, kept raw). Unknown parameters keep their type for §3.2.1's upper-two-bits
//! rule.

use crate::error::{EncodeError, ParseError, ParseErrorKind};
use crate::wire::bytes::{
    Writer, emit_chunk, err, expect_len, expect_min_len, padded, tail, u16_at, u32_at,
};
use crate::wire::list::{List, TlvEntry, TlvList};
use crate::wire::packet::{Chunk, UnrecognizedAction};

/// Parameter types of INIT and INIT ACK (RFC 9260 §3.3.2.1, §3.3.3.1, RFC 3758 §3.1,
/// RFC 4895 §3, RFC 5061 §4.2.7, RFC 9653 §5.1).
pub mod param_type {
    /// IPv4 Address (RFC 9260 §3.3.2.1).
    pub const IPV4_ADDRESS: u16 = 5;
    /// IPv6 Address (RFC 9260 §3.3.2.1).
    pub const IPV6_ADDRESS: u16 = 6;
    /// State Cookie (RFC 9260 §3.3.3.1).
    pub const STATE_COOKIE: u16 = 7;
    /// Unrecognized Parameter, in INIT ACK (RFC 9260 §3.3.3.1); kept as unknown.
    pub const UNRECOGNIZED_PARAMETER: u16 = 8;
    /// Cookie Preservative (RFC 9260 §3.3.2.1).
    pub const COOKIE_PRESERVATIVE: u16 = 9;
    /// Host Name Address, deprecated (RFC 9260 §3.3.2.1); kept as unknown.
    pub const HOST_NAME_ADDRESS: u16 = 11;
    /// Supported Address Types (RFC 9260 §3.3.2.1).
    pub const SUPPORTED_ADDRESS_TYPES: u16 = 12;
    /// Zero Checksum Acceptable (RFC 9653 §5.1).
    pub const ZERO_CHECKSUM_ACCEPTABLE: u16 = 0x8001;
    /// Random (RFC 4895 §3.1).
    pub const RANDOM: u16 = 0x8002;
    /// Chunk List (RFC 4895 §3.2).
    pub const CHUNK_LIST: u16 = 0x8003;
    /// Requested HMAC Algorithm (RFC 4895 §3.3).
    pub const REQUESTED_HMAC_ALGORITHM: u16 = 0x8004;
    /// Supported Extensions (RFC 5061 §4.2.7).
    pub const SUPPORTED_EXTENSIONS: u16 = 0x8008;
    /// Forward-TSN-Supported (RFC 3758 §3.1).
    pub const FORWARD_TSN_SUPPORTED: u16 = 0xc000;
}

/// One INIT or INIT ACK parameter (RFC 9260 §3.2.1), borrowing the packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum InitParam<'a> {
    /// IPv4 Address, type 5 (RFC 9260 §3.3.2.1), raw.
    Ipv4Address([u8; 4]),
    /// IPv6 Address, type 6 (RFC 9260 §3.3.2.1), raw.
    Ipv6Address([u8; 16]),
    /// State Cookie, type 7 (RFC 9260 §3.3.3.1): opaque to the receiver of the INIT ACK.
    StateCookie(&'a [u8]),
    /// Cookie Preservative, type 9 (RFC 9260 §3.3.2.1): suggested cookie life-span increment
    /// in milliseconds.
    CookiePreservative(u32),
    /// Supported Address Types, type 12 (RFC 9260 §3.3.2.1): address parameter types.
    SupportedAddressTypes(List<'a, u16>),
    /// Zero Checksum Acceptable, type 0x8001 (RFC 9653 §5.1): the sender accepts packets with
    /// a zero checksum when protected by the error detection method identified (1: DTLS,
    /// RFC 9653 §6).
    ZeroChecksumAcceptable {
        /// Error Detection Method Identifier, EDMID (RFC 9653 §5.1).
        error_detection_method: u32,
    },
    /// Random, type 0x8002 (RFC 4895 §3.1), raw.
    Random(&'a [u8]),
    /// Chunk List, type 0x8003 (RFC 4895 §3.2): chunk types to authenticate, raw.
    ChunkList(&'a [u8]),
    /// Requested HMAC Algorithm, type 0x8004 (RFC 4895 §3.3): HMAC identifiers, raw.
    RequestedHmacAlgorithm(&'a [u8]),
    /// Supported Extensions, type 0x8008 (RFC 5061 §4.2.7): chunk types the sender supports.
    SupportedExtensions(&'a [u8]),
    /// Forward-TSN-Supported, type 0xC000 (RFC 3758 §3.1): partial reliability.
    ForwardTsnSupported,
    /// Any other parameter (RFC 9260 §3.2.1), kept with its type. A type this crate knows
    /// parses back as its typed form.
    Unknown {
        /// Parameter Type.
        param_type: u16,
        /// Parameter Value.
        value: &'a [u8],
    },
}

impl InitParam<'_> {
    /// What RFC 9260 §3.2.1 asks of a receiver that does not recognize this parameter, from
    /// its type's upper two bits (meaningful for [`Unknown`](Self::Unknown) ones).
    pub fn unrecognized_action(&self) -> UnrecognizedAction {
        let bits = self.tlv_type() >> 14;
        UnrecognizedAction::from_type_bits(u8::try_from(bits).unwrap_or(0))
    }
}

/// The Error Detection Method Identifier of DTLS (RFC 9653 §6, RFC 8261).
pub const EDMID_DTLS: u32 = 1;

impl<'a> TlvEntry<'a> for InitParam<'a> {
    fn parse_tlv(tlv_type: u16, value: &'a [u8], offset: usize) -> Result<Self, ParseError> {
        let at = offset.saturating_add(2);
        Ok(match tlv_type {
            param_type::IPV4_ADDRESS => {
                let addr: [u8; 4] = value
                    .try_into()
                    .map_err(|_| err(ParseErrorKind::BadLength, at))?;
                Self::Ipv4Address(addr)
            }
            param_type::IPV6_ADDRESS => {
                let addr: [u8; 16] = value
                    .try_into()
                    .map_err(|_| err(ParseErrorKind::BadLength, at))?;
                Self::Ipv6Address(addr)
            }
            param_type::STATE_COOKIE => Self::StateCookie(value),
            param_type::COOKIE_PRESERVATIVE => {
                expect_len(value, 4, at)?;
                Self::CookiePreservative(u32_at(value, 0))
            }
            param_type::SUPPORTED_ADDRESS_TYPES => {
                if !value.len().is_multiple_of(2) {
                    return Err(err(ParseErrorKind::BadLength, at));
                }
                Self::SupportedAddressTypes(List::from_wire(value))
            }
            param_type::ZERO_CHECKSUM_ACCEPTABLE => {
                expect_len(value, 4, at)?;
                Self::ZeroChecksumAcceptable {
                    error_detection_method: u32_at(value, 0),
                }
            }
            param_type::RANDOM => Self::Random(value),
            param_type::CHUNK_LIST => Self::ChunkList(value),
            param_type::REQUESTED_HMAC_ALGORITHM => Self::RequestedHmacAlgorithm(value),
            param_type::SUPPORTED_EXTENSIONS => Self::SupportedExtensions(value),
            param_type::FORWARD_TSN_SUPPORTED => {
                expect_len(value, 0, at)?;
                Self::ForwardTsnSupported
            }
            param_type => Self::Unknown { param_type, value },
        })
    }

    fn tlv_type(&self) -> u16 {
        match self {
            Self::Ipv4Address(_) => param_type::IPV4_ADDRESS,
            Self::Ipv6Address(_) => param_type::IPV6_ADDRESS,
            Self::StateCookie(_) => param_type::STATE_COOKIE,
            Self::CookiePreservative(_) => param_type::COOKIE_PRESERVATIVE,
            Self::SupportedAddressTypes(_) => param_type::SUPPORTED_ADDRESS_TYPES,
            Self::ZeroChecksumAcceptable { .. } => param_type::ZERO_CHECKSUM_ACCEPTABLE,
            Self::Random(_) => param_type::RANDOM,
            Self::ChunkList(_) => param_type::CHUNK_LIST,
            Self::RequestedHmacAlgorithm(_) => param_type::REQUESTED_HMAC_ALGORITHM,
            Self::SupportedExtensions(_) => param_type::SUPPORTED_EXTENSIONS,
            Self::ForwardTsnSupported => param_type::FORWARD_TSN_SUPPORTED,
            Self::Unknown { param_type, .. } => *param_type,
        }
    }

    fn value_len(&self) -> usize {
        match self {
            Self::Ipv4Address(_) => 4,
            Self::Ipv6Address(_) => 16,
            Self::CookiePreservative(_) | Self::ZeroChecksumAcceptable { .. } => 4,
            Self::SupportedAddressTypes(l) => l.wire_len(),
            Self::ForwardTsnSupported => 0,
            Self::StateCookie(v)
            | Self::Random(v)
            | Self::ChunkList(v)
            | Self::RequestedHmacAlgorithm(v)
            | Self::SupportedExtensions(v)
            | Self::Unknown { value: v, .. } => v.len(),
        }
    }

    fn write_value(&self, out: &mut [u8]) {
        let mut w = Writer::new(out);
        match self {
            Self::Ipv4Address(a) => w.bytes(a),
            Self::Ipv6Address(a) => w.bytes(a),
            Self::CookiePreservative(v) => w.u32(*v),
            Self::ZeroChecksumAcceptable {
                error_detection_method,
            } => w.u32(*error_detection_method),
            Self::SupportedAddressTypes(l) => l.write(&mut w),
            Self::ForwardTsnSupported => {}
            Self::StateCookie(v)
            | Self::Random(v)
            | Self::ChunkList(v)
            | Self::RequestedHmacAlgorithm(v)
            | Self::SupportedExtensions(v)
            | Self::Unknown { value: v, .. } => w.bytes(v),
        }
    }
}

/// Bytes of an INIT or INIT ACK value before the parameters (RFC 9260 §3.3.2).
pub const INIT_FIXED_LEN: usize = 16;

/// An INIT (RFC 9260 §3.3.2) or INIT ACK (§3.3.3) chunk; the two share a layout.
///
/// The rules on values (a zero Initiate Tag, zero stream counts, the mandatory State Cookie of
/// an INIT ACK) are the association's to apply; parsing checks lengths only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct InitRepr<'a> {
    /// Initiate Tag (RFC 9260 §3.3.2).
    pub initiate_tag: u32,
    /// Advertised Receiver Window Credit, a_rwnd (RFC 9260 §3.3.2).
    pub a_rwnd: u32,
    /// Number of Outbound Streams, OS (RFC 9260 §3.3.2).
    pub outbound_streams: u16,
    /// Number of Inbound Streams, MIS (RFC 9260 §3.3.2).
    pub inbound_streams: u16,
    /// Initial TSN, I-TSN (RFC 9260 §3.3.2).
    pub initial_tsn: u32,
    /// Optional and variable-length parameters (RFC 9260 §3.3.2.1, §3.3.3.1).
    pub params: TlvList<'a, InitParam<'a>>,
}

impl<'a> InitRepr<'a> {
    /// Reads an INIT or INIT ACK chunk (RFC 9260 §3.3.2, §3.3.3) and every parameter once.
    ///
    /// # Errors
    /// [`BadLength`](ParseErrorKind::BadLength) for a value shorter than 16 bytes or a
    /// parameter whose value does not fit its type;
    /// [`BadParameterLength`](ParseErrorKind::BadParameterLength) for a parameter length
    /// below 4 or past the chunk (a truncated parameter);
    /// [`BadPadding`](ParseErrorKind::BadPadding) for a partial padding between parameters.
    pub fn parse(chunk: &Chunk<'a>) -> Result<Self, ParseError> {
        let v = chunk.value();
        expect_min_len(v, INIT_FIXED_LEN, chunk.offset().saturating_add(2))?;
        Ok(Self {
            initiate_tag: u32_at(v, 0),
            a_rwnd: u32_at(v, 4),
            outbound_streams: u16_at(v, 8),
            inbound_streams: u16_at(v, 10),
            initial_tsn: u32_at(v, 12),
            params: TlvList::parse(tail(v, INIT_FIXED_LEN), chunk.value_offset(INIT_FIXED_LEN))?,
        })
    }

    /// The State Cookie parameter, if any (RFC 9260 §3.3.3.1).
    pub fn state_cookie(&self) -> Option<&'a [u8]> {
        self.params.iter().find_map(|p| match p {
            InitParam::StateCookie(c) => Some(c),
            _ => None,
        })
    }

    /// Whether the sender announced Forward-TSN-Supported (RFC 3758 §3.1).
    pub fn forward_tsn_supported(&self) -> bool {
        self.params
            .iter()
            .any(|p| matches!(p, InitParam::ForwardTsnSupported))
    }

    /// The chunk types of the Supported Extensions parameter, if any (RFC 5061 §4.2.7).
    pub fn supported_extensions(&self) -> Option<&'a [u8]> {
        self.params.iter().find_map(|p| match p {
            InitParam::SupportedExtensions(t) => Some(t),
            _ => None,
        })
    }

    /// The Error Detection Method Identifier of a Zero Checksum Acceptable parameter, if any
    /// (RFC 9653 §5.1).
    pub fn zero_checksum_acceptable(&self) -> Option<u32> {
        self.params.iter().find_map(|p| match p {
            InitParam::ZeroChecksumAcceptable {
                error_detection_method,
            } => Some(error_detection_method),
            _ => None,
        })
    }

    fn value_len(&self) -> usize {
        INIT_FIXED_LEN.saturating_add(self.params.wire_len())
    }

    /// Length of the chunk [`emit_as`](Self::emit_as) writes, padding included.
    pub fn buffer_len(&self) -> usize {
        padded(self.value_len().saturating_add(4))
    }

    /// Writes the chunk as INIT or INIT ACK (`chunk_type` 1 or 2, RFC 9260 §3.3.2–3.3.3) at
    /// the start of `buf`, padded, and returns its length.
    ///
    /// # Errors
    /// [`EncodeError::TooLong`] when a parameter or the chunk overflows its length field,
    /// [`EncodeError::BufferTooShort`] when `buf` is shorter than
    /// [`buffer_len`](Self::buffer_len).
    pub fn emit_as(&self, chunk_type: u8, buf: &mut [u8]) -> Result<usize, EncodeError> {
        if !self.params.fits() {
            return Err(EncodeError::TooLong);
        }
        emit_chunk(buf, chunk_type, 0, self.value_len(), |w| {
            w.u32(self.initiate_tag);
            w.u32(self.a_rwnd);
            w.u16(self.outbound_streams);
            w.u16(self.inbound_streams);
            w.u32(self.initial_tsn);
            self.params.write(w);
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{ChunkRepr, chunk_type};

    /// RFC 9260 §3.3.2: tag 0x01020304, a_rwnd 65536, OS 10, MIS 20, I-TSN 7; Forward-TSN-
    /// Supported, Supported Extensions [0x82, 0xc0] (padded), Zero Checksum Acceptable (DTLS).
    const INIT: [u8; 48] = [
        1, 0, 0, 46, 1, 2, 3, 4, 0, 1, 0, 0, 0, 10, 0, 20, 0, 0, 0, 7, // fixed
        0xc0, 0, 0, 4, // Forward-TSN-Supported
        0x80, 0x08, 0, 6, 0x82, 0xc0, 0, 0, // Supported Extensions
        0x80, 0x01, 0, 8, 0, 0, 0, 1, // Zero Checksum Acceptable
        0x80, 0x02, 0, 6, 0xaa, 0xbb, 0, 0, // Random, last: padding outside the length
    ];

    const PARAMS: [InitParam<'static>; 4] = [
        InitParam::ForwardTsnSupported,
        InitParam::SupportedExtensions(&[0x82, 0xc0]),
        InitParam::ZeroChecksumAcceptable {
            error_detection_method: EDMID_DTLS,
        },
        InitParam::Random(&[0xaa, 0xbb]),
    ];

    fn repr() -> InitRepr<'static> {
        InitRepr {
            initiate_tag: 0x0102_0304,
            a_rwnd: 65536,
            outbound_streams: 10,
            inbound_streams: 20,
            initial_tsn: 7,
            params: TlvList::from_slice(&PARAMS),
        }
    }

    #[test]
    fn init_deconstruct() {
        let (chunk, taken) = Chunk::frame(&INIT, 0).unwrap();
        assert_eq!((chunk.chunk_type(), chunk.length(), taken), (1, 46, 48));
        let r = InitRepr::parse(&chunk).unwrap();
        assert!(r.forward_tsn_supported());
        assert_eq!(r.supported_extensions(), Some(&[0x82, 0xc0][..]));
        assert_eq!(r.zero_checksum_acceptable(), Some(EDMID_DTLS));
        assert_eq!(r.state_cookie(), None);
        assert_eq!(r.params.len(), 4);
    }

    #[test]
    fn init_construct() {
        let mut buf = [0xff; 48];
        assert_eq!(repr().emit_as(chunk_type::INIT, &mut buf), Ok(48));
        assert_eq!(buf, INIT);
    }

    #[test]
    fn init_parse() {
        let (chunk, _) = Chunk::frame(&INIT, 0).unwrap();
        assert_eq!(ChunkRepr::parse(&chunk), Ok(ChunkRepr::Init(repr())));
    }

    #[test]
    fn init_emit() {
        let r = ChunkRepr::InitAck(repr());
        let mut buf = vec![0; r.buffer_len()];
        assert_eq!(r.emit(&mut buf), Ok(48));
        assert_eq!(buf[0], chunk_type::INIT_ACK);
        assert_eq!(buf[1..], INIT[1..]);
    }

    /// RFC 9260 §3.3.3: an INIT ACK with IPv4 and IPv6 addresses, a Cookie Preservative,
    /// Supported Address Types (IPv4, IPv6) and a 3-byte State Cookie.
    const INIT_ACK: [u8; 72] = [
        2, 0, 0, 71, 0, 0, 0, 9, 0, 0, 0x10, 0, 0, 1, 0, 1, 0, 0, 0, 1, //
        0, 5, 0, 8, 192, 0, 2, 1, //
        0, 6, 0, 20, 0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, //
        0, 9, 0, 8, 0, 0, 0x03, 0xe8, //
        0, 12, 0, 8, 0, 5, 0, 6, //
        0, 7, 0, 7, 0xc0, 0x0c, 0x1e, 0,
    ];

    #[test]
    fn init_ack_with_rfc9260_parameters() {
        let v6 = [0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
        let params = [
            InitParam::Ipv4Address([192, 0, 2, 1]),
            InitParam::Ipv6Address(v6),
            InitParam::CookiePreservative(1000),
            InitParam::SupportedAddressTypes(List::from_slice(&[5, 6])),
            InitParam::StateCookie(&[0xc0, 0x0c, 0x1e]),
        ];
        let repr = InitRepr {
            initiate_tag: 9,
            a_rwnd: 0x1000,
            outbound_streams: 1,
            inbound_streams: 1,
            initial_tsn: 1,
            params: TlvList::from_slice(&params),
        };
        let (chunk, taken) = Chunk::frame(&INIT_ACK, 0).unwrap();
        assert_eq!((chunk.length(), taken), (71, 72));
        let parsed = ChunkRepr::parse(&chunk).unwrap();
        assert_eq!(parsed, ChunkRepr::InitAck(repr));
        let ChunkRepr::InitAck(parsed) = parsed else {
            unreachable!()
        };
        assert_eq!(parsed.state_cookie(), Some(&[0xc0, 0x0c, 0x1e][..]));
        let mut buf = [0; 72];
        assert_eq!(repr.emit_as(chunk_type::INIT_ACK, &mut buf), Ok(72));
        assert_eq!(buf, INIT_ACK);
    }

    #[test]
    fn truncated_parameter_is_bad_parameter_length_at_its_length_field() {
        let mut bytes = INIT;
        bytes[43] = 9; // Random claims 9 bytes; 8 are left.
        let (chunk, _) = Chunk::frame(&bytes, 12).unwrap();
        assert_eq!(
            InitRepr::parse(&chunk),
            Err(err(ParseErrorKind::BadParameterLength, 12 + 42))
        );
    }

    #[test]
    fn unknown_parameter_keeps_its_type_and_action() {
        let p = InitParam::parse_tlv(0x8123, &[1], 0).unwrap();
        assert_eq!(
            p,
            InitParam::Unknown {
                param_type: 0x8123,
                value: &[1]
            }
        );
        assert_eq!(p.unrecognized_action(), UnrecognizedAction::Skip);
        assert_eq!(
            InitParam::parse_tlv(param_type::IPV4_ADDRESS, &[1, 2, 3], 40),
            Err(err(ParseErrorKind::BadLength, 42))
        );
    }
}
