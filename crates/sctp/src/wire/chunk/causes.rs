//! ABORT (type 6; RFC 9260 §3.3.7) and ERROR (type 9; §3.3.10) with their error causes
//! (§3.3.10.1–3.3.10.13), iterated lazily. Causes this crate does not know are kept with their
//! code.

use crate::error::{EncodeError, ParseError, ParseErrorKind};
use crate::wire::bytes::{Writer, err, expect_len, tail, u16_at, u32_at};
use crate::wire::chunk::shutdown::T_BIT;
use crate::wire::chunk::{ChunkBody, chunk_type, impl_emit};
use crate::wire::list::{List, TlvEntry, TlvList};
use crate::wire::packet::Chunk;

/// Error cause codes (RFC 9260 §3.3.10).
pub mod cause_code {
    /// Invalid Stream Identifier (RFC 9260 §3.3.10.1).
    pub const INVALID_STREAM_IDENTIFIER: u16 = 1;
    /// Missing Mandatory Parameter (RFC 9260 §3.3.10.2).
    pub const MISSING_MANDATORY_PARAMETER: u16 = 2;
    /// Stale Cookie (RFC 9260 §3.3.10.3).
    pub const STALE_COOKIE: u16 = 3;
    /// Out of Resource (RFC 9260 §3.3.10.4).
    pub const OUT_OF_RESOURCE: u16 = 4;
    /// Unresolvable Address (RFC 9260 §3.3.10.5).
    pub const UNRESOLVABLE_ADDRESS: u16 = 5;
    /// Unrecognized Chunk Type (RFC 9260 §3.3.10.6).
    pub const UNRECOGNIZED_CHUNK_TYPE: u16 = 6;
    /// Invalid Mandatory Parameter (RFC 9260 §3.3.10.7).
    pub const INVALID_MANDATORY_PARAMETER: u16 = 7;
    /// Unrecognized Parameters (RFC 9260 §3.3.10.8).
    pub const UNRECOGNIZED_PARAMETERS: u16 = 8;
    /// No User Data (RFC 9260 §3.3.10.9).
    pub const NO_USER_DATA: u16 = 9;
    /// Cookie Received While Shutting Down (RFC 9260 §3.3.10.10).
    pub const COOKIE_RECEIVED_WHILE_SHUTTING_DOWN: u16 = 10;
    /// Restart of an Association with New Addresses (RFC 9260 §3.3.10.11).
    pub const RESTART_WITH_NEW_ADDRESSES: u16 = 11;
    /// User-Initiated Abort (RFC 9260 §3.3.10.12).
    pub const USER_INITIATED_ABORT: u16 = 12;
    /// Protocol Violation (RFC 9260 §3.3.10.13).
    pub const PROTOCOL_VIOLATION: u16 = 13;
}

/// One error cause (RFC 9260 §3.3.10), borrowing the packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorCause<'a> {
    /// Invalid Stream Identifier (RFC 9260 §3.3.10.1); the reserved field is written as zero.
    InvalidStreamIdentifier {
        /// Stream Identifier of the DATA chunk that named it.
        stream_id: u16,
    },
    /// Missing Mandatory Parameter (RFC 9260 §3.3.10.2): the missing parameter types. The
    /// count field must agree with the list.
    MissingMandatoryParameter(List<'a, u16>),
    /// Stale Cookie (RFC 9260 §3.3.10.3).
    StaleCookie {
        /// Measure of Staleness, in microseconds.
        staleness_us: u32,
    },
    /// Out of Resource (RFC 9260 §3.3.10.4).
    OutOfResource,
    /// Unresolvable Address (RFC 9260 §3.3.10.5): the address parameter, raw.
    UnresolvableAddress(&'a [u8]),
    /// Unrecognized Chunk Type (RFC 9260 §3.3.10.6): the whole chunk, raw.
    UnrecognizedChunkType(&'a [u8]),
    /// Invalid Mandatory Parameter (RFC 9260 §3.3.10.7).
    InvalidMandatoryParameter,
    /// Unrecognized Parameters (RFC 9260 §3.3.10.8): the parameters, raw.
    UnrecognizedParameters(&'a [u8]),
    /// No User Data (RFC 9260 §3.3.10.9).
    NoUserData {
        /// TSN of the DATA chunk without user data.
        tsn: u32,
    },
    /// Cookie Received While Shutting Down (RFC 9260 §3.3.10.10).
    CookieReceivedWhileShuttingDown,
    /// Restart of an Association with New Addresses (RFC 9260 §3.3.10.11): the new address
    /// parameters, raw.
    RestartWithNewAddresses(&'a [u8]),
    /// User-Initiated Abort (RFC 9260 §3.3.10.12): the upper layer's reason, raw.
    UserInitiatedAbort(&'a [u8]),
    /// Protocol Violation (RFC 9260 §3.3.10.13): additional information, raw.
    ProtocolViolation(&'a [u8]),
    /// Any other cause (RFC 9260 §3.3.10), kept with its code. A code this crate knows parses
    /// back as its typed form.
    Unknown {
        /// Cause Code.
        cause_code: u16,
        /// Cause-Specific Information.
        value: &'a [u8],
    },
}

impl<'a> TlvEntry<'a> for ErrorCause<'a> {
    fn parse_tlv(code: u16, value: &'a [u8], offset: usize) -> Result<Self, ParseError> {
        let at = offset.saturating_add(2);
        Ok(match code {
            cause_code::INVALID_STREAM_IDENTIFIER => {
                expect_len(value, 4, at)?;
                Self::InvalidStreamIdentifier {
                    stream_id: u16_at(value, 0),
                }
            }
            cause_code::MISSING_MANDATORY_PARAMETER => {
                let list = tail(value, 4);
                if value.len() < 4 || !list.len().is_multiple_of(2) {
                    return Err(err(ParseErrorKind::BadLength, at));
                }
                if usize::try_from(u32_at(value, 0)).ok() != Some(list.len() / 2) {
                    return Err(err(ParseErrorKind::InvalidValue, offset.saturating_add(4)));
                }
                Self::MissingMandatoryParameter(List::from_wire(list))
            }
            cause_code::STALE_COOKIE => {
                expect_len(value, 4, at)?;
                Self::StaleCookie {
                    staleness_us: u32_at(value, 0),
                }
            }
            cause_code::OUT_OF_RESOURCE => {
                expect_len(value, 0, at)?;
                Self::OutOfResource
            }
            cause_code::UNRESOLVABLE_ADDRESS => Self::UnresolvableAddress(value),
            cause_code::UNRECOGNIZED_CHUNK_TYPE => Self::UnrecognizedChunkType(value),
            cause_code::INVALID_MANDATORY_PARAMETER => {
                expect_len(value, 0, at)?;
                Self::InvalidMandatoryParameter
            }
            cause_code::UNRECOGNIZED_PARAMETERS => Self::UnrecognizedParameters(value),
            cause_code::NO_USER_DATA => {
                expect_len(value, 4, at)?;
                Self::NoUserData {
                    tsn: u32_at(value, 0),
                }
            }
            cause_code::COOKIE_RECEIVED_WHILE_SHUTTING_DOWN => {
                expect_len(value, 0, at)?;
                Self::CookieReceivedWhileShuttingDown
            }
            cause_code::RESTART_WITH_NEW_ADDRESSES => Self::RestartWithNewAddresses(value),
            cause_code::USER_INITIATED_ABORT => Self::UserInitiatedAbort(value),
            cause_code::PROTOCOL_VIOLATION => Self::ProtocolViolation(value),
            cause_code => Self::Unknown { cause_code, value },
        })
    }

    fn tlv_type(&self) -> u16 {
        match self {
            Self::InvalidStreamIdentifier { .. } => cause_code::INVALID_STREAM_IDENTIFIER,
            Self::MissingMandatoryParameter(_) => cause_code::MISSING_MANDATORY_PARAMETER,
            Self::StaleCookie { .. } => cause_code::STALE_COOKIE,
            Self::OutOfResource => cause_code::OUT_OF_RESOURCE,
            Self::UnresolvableAddress(_) => cause_code::UNRESOLVABLE_ADDRESS,
            Self::UnrecognizedChunkType(_) => cause_code::UNRECOGNIZED_CHUNK_TYPE,
            Self::InvalidMandatoryParameter => cause_code::INVALID_MANDATORY_PARAMETER,
            Self::UnrecognizedParameters(_) => cause_code::UNRECOGNIZED_PARAMETERS,
            Self::NoUserData { .. } => cause_code::NO_USER_DATA,
            Self::CookieReceivedWhileShuttingDown => {
                cause_code::COOKIE_RECEIVED_WHILE_SHUTTING_DOWN
            }
            Self::RestartWithNewAddresses(_) => cause_code::RESTART_WITH_NEW_ADDRESSES,
            Self::UserInitiatedAbort(_) => cause_code::USER_INITIATED_ABORT,
            Self::ProtocolViolation(_) => cause_code::PROTOCOL_VIOLATION,
            Self::Unknown { cause_code, .. } => *cause_code,
        }
    }

    fn value_len(&self) -> usize {
        match self {
            Self::InvalidStreamIdentifier { .. }
            | Self::StaleCookie { .. }
            | Self::NoUserData { .. } => 4,
            Self::MissingMandatoryParameter(l) => l.wire_len().saturating_add(4),
            Self::OutOfResource
            | Self::InvalidMandatoryParameter
            | Self::CookieReceivedWhileShuttingDown => 0,
            Self::UnresolvableAddress(v)
            | Self::UnrecognizedChunkType(v)
            | Self::UnrecognizedParameters(v)
            | Self::RestartWithNewAddresses(v)
            | Self::UserInitiatedAbort(v)
            | Self::ProtocolViolation(v)
            | Self::Unknown { value: v, .. } => v.len(),
        }
    }

    fn write_value(&self, out: &mut [u8]) {
        let mut w = Writer::new(out);
        match self {
            Self::InvalidStreamIdentifier { stream_id } => {
                w.u16(*stream_id);
                w.u16(0);
            }
            Self::MissingMandatoryParameter(l) => {
                w.u32(u32::try_from(l.len()).unwrap_or(u32::MAX));
                l.write(&mut w);
            }
            Self::StaleCookie { staleness_us } => w.u32(*staleness_us),
            Self::NoUserData { tsn } => w.u32(*tsn),
            Self::OutOfResource
            | Self::InvalidMandatoryParameter
            | Self::CookieReceivedWhileShuttingDown => {}
            Self::UnresolvableAddress(v)
            | Self::UnrecognizedChunkType(v)
            | Self::UnrecognizedParameters(v)
            | Self::RestartWithNewAddresses(v)
            | Self::UserInitiatedAbort(v)
            | Self::ProtocolViolation(v)
            | Self::Unknown { value: v, .. } => w.bytes(v),
        }
    }
}

/// An ABORT chunk (RFC 9260 §3.3.7): the T bit and zero or more error causes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AbortRepr<'a> {
    /// T bit: the Verification Tag is the receiver's own, reflected (RFC 9260 §3.3.7, §8.5.1).
    pub tag_reflected: bool,
    /// Error causes (RFC 9260 §3.3.10).
    pub causes: TlvList<'a, ErrorCause<'a>>,
}

impl<'a> AbortRepr<'a> {
    /// Reads an ABORT chunk (RFC 9260 §3.3.7) and every cause once.
    ///
    /// # Errors
    /// As [`ErrorRepr::parse`].
    pub fn parse(chunk: &Chunk<'a>) -> Result<Self, ParseError> {
        Ok(Self {
            tag_reflected: chunk.flags() & T_BIT != 0,
            causes: TlvList::parse(chunk.value(), chunk.value_offset(0))?,
        })
    }
}

impl ChunkBody for AbortRepr<'_> {
    const TYPE: u8 = chunk_type::ABORT;
    fn flags(&self) -> u8 {
        u8::from(self.tag_reflected) * T_BIT
    }
    fn value_len(&self) -> usize {
        self.causes.wire_len()
    }
    fn check(&self) -> Result<(), EncodeError> {
        if self.causes.fits() {
            Ok(())
        } else {
            Err(EncodeError::TooLong)
        }
    }
    fn write_value(&self, w: &mut Writer<'_>) {
        self.causes.write(w);
    }
}

impl_emit!(AbortRepr<'_>, "ABORT (RFC 9260 §3.3.7)");

/// An ERROR chunk (RFC 9260 §3.3.10): one or more error causes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ErrorRepr<'a> {
    /// Error causes (RFC 9260 §3.3.10).
    pub causes: TlvList<'a, ErrorCause<'a>>,
}

impl<'a> ErrorRepr<'a> {
    /// Reads an ERROR chunk (RFC 9260 §3.3.10) and every cause once.
    ///
    /// # Errors
    /// [`BadParameterLength`](ParseErrorKind::BadParameterLength) for a cause length below 4
    /// or past the chunk, [`BadPadding`](ParseErrorKind::BadPadding) for a partial padding
    /// between causes, [`BadLength`](ParseErrorKind::BadLength) or
    /// [`InvalidValue`](ParseErrorKind::InvalidValue) for a cause that does not fit its code's
    /// layout.
    pub fn parse(chunk: &Chunk<'a>) -> Result<Self, ParseError> {
        Ok(Self {
            causes: TlvList::parse(chunk.value(), chunk.value_offset(0))?,
        })
    }
}

impl ChunkBody for ErrorRepr<'_> {
    const TYPE: u8 = chunk_type::ERROR;
    fn value_len(&self) -> usize {
        self.causes.wire_len()
    }
    fn check(&self) -> Result<(), EncodeError> {
        if self.causes.fits() {
            Ok(())
        } else {
            Err(EncodeError::TooLong)
        }
    }
    fn write_value(&self, w: &mut Writer<'_>) {
        self.causes.write(w);
    }
}

impl_emit!(ErrorRepr<'_>, "ERROR (RFC 9260 §3.3.10)");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::ChunkRepr;

    /// RFC 9260 §3.3.7 with T set: User-Initiated Abort "bye" (§3.3.10.12, padded), then No
    /// User Data TSN 5 (§3.3.10.9).
    const ABORT: [u8; 20] = [
        6, 1, 0, 20, 0, 12, 0, 7, b'b', b'y', b'e', 0, 0, 9, 0, 8, 0, 0, 0, 5,
    ];
    const CAUSES: [ErrorCause<'static>; 2] = [
        ErrorCause::UserInitiatedAbort(b"bye"),
        ErrorCause::NoUserData { tsn: 5 },
    ];

    /// RFC 9260 §3.3.10: Missing Mandatory Parameter (State Cookie, type 7), then Invalid
    /// Stream Identifier 3 (§3.3.10.1).
    const ERROR: [u8; 24] = [
        9, 0, 0, 24, 0, 2, 0, 10, 0, 0, 0, 1, 0, 7, 0, 0, 0, 1, 0, 8, 0, 3, 0, 0,
    ];

    fn abort() -> AbortRepr<'static> {
        AbortRepr {
            tag_reflected: true,
            causes: TlvList::from_slice(&CAUSES),
        }
    }

    #[test]
    fn abort_deconstruct() {
        let (chunk, _) = Chunk::frame(&ABORT, 0).unwrap();
        assert_eq!(
            (chunk.chunk_type(), chunk.flags(), chunk.length()),
            (6, 1, 20)
        );
        let r = AbortRepr::parse(&chunk).unwrap();
        assert_eq!(r.causes.iter().collect::<Vec<_>>(), CAUSES);
    }

    #[test]
    fn abort_construct() {
        let mut buf = [0xff; 20];
        assert_eq!(abort().emit(&mut buf), Ok(20));
        assert_eq!(buf, ABORT);
    }

    #[test]
    fn abort_parse() {
        let (chunk, _) = Chunk::frame(&ABORT, 0).unwrap();
        assert_eq!(ChunkRepr::parse(&chunk), Ok(ChunkRepr::Abort(abort())));
    }

    #[test]
    fn abort_emit() {
        let r = ChunkRepr::Abort(abort());
        let mut buf = vec![0; r.buffer_len()];
        assert_eq!(r.emit(&mut buf), Ok(20));
        assert_eq!(buf, ABORT);
    }

    const ERROR_CAUSES: [ErrorCause<'static>; 2] = [
        ErrorCause::MissingMandatoryParameter(List::from_slice(&[7])),
        ErrorCause::InvalidStreamIdentifier { stream_id: 3 },
    ];

    fn error() -> ErrorRepr<'static> {
        ErrorRepr {
            causes: TlvList::from_slice(&ERROR_CAUSES),
        }
    }

    #[test]
    fn error_deconstruct() {
        let (chunk, taken) = Chunk::frame(&ERROR, 0).unwrap();
        assert_eq!((chunk.chunk_type(), chunk.length(), taken), (9, 24, 24));
        let r = ErrorRepr::parse(&chunk).unwrap();
        let causes: Vec<_> = r.causes.iter().collect();
        assert_eq!(causes, ERROR_CAUSES);
        let ErrorCause::MissingMandatoryParameter(missing) = causes[0] else {
            panic!("not a missing parameter");
        };
        assert_eq!(missing.iter().collect::<Vec<_>>(), [7]);
    }

    #[test]
    fn error_construct() {
        let mut buf = [0xff; 24];
        assert_eq!(error().emit(&mut buf), Ok(24));
        assert_eq!(buf, ERROR);
    }

    #[test]
    fn error_parse() {
        let (chunk, _) = Chunk::frame(&ERROR, 0).unwrap();
        assert_eq!(ChunkRepr::parse(&chunk), Ok(ChunkRepr::Error(error())));
    }

    #[test]
    fn error_emit() {
        let r = ChunkRepr::Error(error());
        let mut buf = vec![0; r.buffer_len()];
        assert_eq!(r.emit(&mut buf), Ok(24));
        assert_eq!(buf, ERROR);
    }

    #[test]
    fn every_cause_round_trips() {
        let causes = [
            ErrorCause::StaleCookie { staleness_us: 9 },
            ErrorCause::OutOfResource,
            ErrorCause::UnresolvableAddress(&[0, 5, 0, 8, 1, 2, 3, 4]),
            ErrorCause::UnrecognizedChunkType(&[0xc7, 0, 0, 4]),
            ErrorCause::InvalidMandatoryParameter,
            ErrorCause::UnrecognizedParameters(&[0x80, 0x33, 0, 5, 1]),
            ErrorCause::CookieReceivedWhileShuttingDown,
            ErrorCause::RestartWithNewAddresses(&[0, 5, 0, 8, 10, 0, 0, 1]),
            ErrorCause::ProtocolViolation(b"bad TSN"),
            ErrorCause::Unknown {
                cause_code: 105,
                value: &[0, 1],
            },
        ];
        let r = ChunkRepr::Error(ErrorRepr {
            causes: TlvList::from_slice(&causes),
        });
        let mut buf = vec![0; r.buffer_len()];
        r.emit(&mut buf).unwrap();
        let (chunk, _) = Chunk::frame(&buf, 0).unwrap();
        assert_eq!(ChunkRepr::parse(&chunk), Ok(r));
    }

    #[test]
    fn missing_parameter_count_must_match_its_list() {
        let mut bytes = ERROR;
        bytes[11] = 2;
        let (chunk, _) = Chunk::frame(&bytes, 12).unwrap();
        assert_eq!(
            ErrorRepr::parse(&chunk),
            Err(err(ParseErrorKind::InvalidValue, 12 + 8))
        );
    }
}
