//! Typed chunks (RFC 9260 §3.3, RFC 3758 §3.2, RFC 4820, RFC 6525 §3.1, RFC 8260 §2): one file
//! per chunk type, and [`ChunkRepr`], the enum of them all.
//!
//! Every chunk's `…Repr` borrows the packet: byte fields are slices of it and lists (INIT
//! parameters, gap ack blocks, duplicate TSNs, error causes, stream entries, RE-CONFIG
//! parameters) are [`List`](crate::wire::List)s or [`TlvList`](crate::wire::TlvList)s over its
//! validated bytes. `parse` validates every length once and allocates nothing; the Repr is
//! then the zero-copy view. To build, fill the same types from the caller's own slices.
//! `buffer_len` is the padded chunk length and `emit` writes exactly that many bytes.
//!
//! Output is canonical: flags a chunk type does not define and reserved fields are zero, and
//! the last parameter or error cause of a chunk is not padded inside the chunk length (its
//! padding is the chunk's, RFC 9260 §3.2).

mod causes;
mod cookie;
mod data;
mod forward_tsn;
mod heartbeat;
mod init;
mod reconfig;
mod sack;
mod shutdown;

pub use causes::{AbortRepr, ErrorCause, ErrorRepr, cause_code};
pub use cookie::CookieEchoRepr;
pub use data::{DATA_HEADER_LEN, DataRepr, IDATA_HEADER_LEN, IDataRepr, data_flags};
pub use forward_tsn::{ForwardTsnRepr, ForwardTsnStream, IForwardTsnRepr, IForwardTsnStream};
pub use heartbeat::{HEARTBEAT_INFO, HeartbeatRepr};
pub use init::{EDMID_DTLS, INIT_FIXED_LEN, InitParam, InitRepr, param_type};
pub use reconfig::{NextTsns, ReconfigParam, ReconfigRepr, ReconfigResult, reconfig_param_type};
pub use sack::{GapAckBlock, SACK_FIXED_LEN, SackRepr};
pub use shutdown::{ShutdownCompleteRepr, ShutdownRepr};

use crate::error::{EncodeError, ParseError, ParseErrorKind};
use crate::wire::bytes::{Writer, emit_chunk, err, padded};
use crate::wire::packet::{Chunk, UnrecognizedAction};

/// Chunk types (RFC 9260 §3.2, RFC 3758 §3.2, RFC 4820 §3, RFC 4895 §4.1, RFC 5061 §4.1,
/// RFC 6525 §3.1, RFC 8260 §2.1 and §2.3).
pub mod chunk_type {
    /// Payload Data, DATA (RFC 9260 §3.3.1).
    pub const DATA: u8 = 0;
    /// Initiation, INIT (RFC 9260 §3.3.2).
    pub const INIT: u8 = 1;
    /// Initiation Acknowledgement, INIT ACK (RFC 9260 §3.3.3).
    pub const INIT_ACK: u8 = 2;
    /// Selective Acknowledgement, SACK (RFC 9260 §3.3.4).
    pub const SACK: u8 = 3;
    /// Heartbeat Request, HEARTBEAT (RFC 9260 §3.3.5).
    pub const HEARTBEAT: u8 = 4;
    /// Heartbeat Acknowledgement, HEARTBEAT ACK (RFC 9260 §3.3.6).
    pub const HEARTBEAT_ACK: u8 = 5;
    /// Abort, ABORT (RFC 9260 §3.3.7).
    pub const ABORT: u8 = 6;
    /// Shutdown Association, SHUTDOWN (RFC 9260 §3.3.8).
    pub const SHUTDOWN: u8 = 7;
    /// Shutdown Acknowledgement, SHUTDOWN ACK (RFC 9260 §3.3.9).
    pub const SHUTDOWN_ACK: u8 = 8;
    /// Operation Error, ERROR (RFC 9260 §3.3.10).
    pub const ERROR: u8 = 9;
    /// State Cookie, COOKIE ECHO (RFC 9260 §3.3.11).
    pub const COOKIE_ECHO: u8 = 10;
    /// Cookie Acknowledgement, COOKIE ACK (RFC 9260 §3.3.12).
    pub const COOKIE_ACK: u8 = 11;
    /// Shutdown Complete, SHUTDOWN COMPLETE (RFC 9260 §3.3.13).
    pub const SHUTDOWN_COMPLETE: u8 = 14;
    /// Authentication Chunk, AUTH (RFC 4895 §4.1); not typed here.
    pub const AUTH: u8 = 15;
    /// I-DATA (RFC 8260 §2.1).
    pub const I_DATA: u8 = 64;
    /// Address Configuration Acknowledgement, ASCONF-ACK (RFC 5061 §4.1.2); not typed here.
    pub const ASCONF_ACK: u8 = 0x80;
    /// Re-configuration, RE-CONFIG (RFC 6525 §3.1).
    pub const RE_CONFIG: u8 = 130;
    /// Padding, PAD (RFC 4820 §3).
    pub const PAD: u8 = 132;
    /// Forward Cumulative TSN, FORWARD TSN (RFC 3758 §3.2).
    pub const FORWARD_TSN: u8 = 192;
    /// Address Configuration Change, ASCONF (RFC 5061 §4.1.1); not typed here.
    pub const ASCONF: u8 = 0xc1;
    /// I-FORWARD-TSN (RFC 8260 §2.3).
    pub const I_FORWARD_TSN: u8 = 194;
}

/// How a chunk's value is written; the `emit` and `buffer_len` of every Repr come from it.
pub(crate) trait ChunkBody {
    const TYPE: u8;
    fn flags(&self) -> u8 {
        0
    }
    fn value_len(&self) -> usize;
    fn write_value(&self, w: &mut Writer<'_>);
    /// Checks that the lists fit their length fields (called before writing).
    fn check(&self) -> Result<(), EncodeError> {
        Ok(())
    }
}

pub(crate) fn emit_body<B: ChunkBody>(body: &B, buf: &mut [u8]) -> Result<usize, EncodeError> {
    body.check()?;
    emit_chunk(buf, B::TYPE, body.flags(), body.value_len(), |w| {
        body.write_value(w)
    })
}

pub(crate) fn body_buffer_len<B: ChunkBody>(body: &B) -> usize {
    padded(body.value_len().saturating_add(4))
}

/// Implements `buffer_len` and `emit` on a Repr from its [`ChunkBody`].
macro_rules! impl_emit {
    ($ty:ty, $what:literal) => {
        impl $ty {
            #[doc = concat!("Length of the ", $what, " chunk [`emit`](Self::emit) writes, padding included.")]
            pub fn buffer_len(&self) -> usize {
                crate::wire::chunk::body_buffer_len(self)
            }

            #[doc = concat!("Writes the ", $what, " chunk at the start of `buf`, padded to a multiple of 4 bytes, and returns its length.")]
            ///
            /// # Errors
            /// [`EncodeError::TooLong`](crate::EncodeError::TooLong) when a length field
            /// overflows, [`EncodeError::BufferTooShort`](crate::EncodeError::BufferTooShort)
            /// when `buf` is shorter than [`buffer_len`](Self::buffer_len).
            pub fn emit(&self, buf: &mut [u8]) -> Result<usize, crate::error::EncodeError> {
                crate::wire::chunk::emit_body(self, buf)
            }
        }
    };
}
pub(crate) use impl_emit;

/// A chunk type with no value (COOKIE ACK, SHUTDOWN ACK): checks the value is empty.
pub(crate) fn expect_empty(chunk: &Chunk<'_>) -> Result<(), ParseError> {
    if chunk.value().is_empty() {
        Ok(())
    } else {
        Err(err(
            ParseErrorKind::BadLength,
            chunk.offset().saturating_add(2),
        ))
    }
}

/// A chunk of a type this crate does not type (RFC 9260 §3.2), kept whole so that the caller
/// can apply the upper-two-bits rule ([`unrecognized_action`](Self::unrecognized_action)) and
/// report it in an "Unrecognized Chunk Type" cause (§3.3.10.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct UnknownChunk<'a> {
    /// Chunk Type. A type this crate knows parses back as its typed form.
    pub chunk_type: u8,
    /// Chunk Flags.
    pub flags: u8,
    /// Chunk Value.
    pub value: &'a [u8],
}

impl UnknownChunk<'_> {
    /// What RFC 9260 §3.2 asks of a receiver, from the type's upper two bits.
    pub const fn unrecognized_action(&self) -> UnrecognizedAction {
        UnrecognizedAction::from_type_bits((self.chunk_type >> 6) & 0b11)
    }

    /// Length of the chunk [`emit`](Self::emit) writes, padding included.
    pub fn buffer_len(&self) -> usize {
        padded(self.value.len().saturating_add(4))
    }

    /// Writes the chunk at the start of `buf`, padded, and returns its length.
    ///
    /// # Errors
    /// As [`DataRepr::emit`].
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, EncodeError> {
        emit_chunk(buf, self.chunk_type, self.flags, self.value.len(), |w| {
            w.bytes(self.value)
        })
    }
}

/// A PAD chunk (RFC 4820 §3): padding bytes a receiver ignores, used for path MTU probing.
/// They are kept so a packet re-emits byte for byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PadRepr<'a> {
    /// Padding Data (RFC 4820 §3), ignored by receivers; written as given.
    pub padding: &'a [u8],
}

impl ChunkBody for PadRepr<'_> {
    const TYPE: u8 = chunk_type::PAD;
    fn value_len(&self) -> usize {
        self.padding.len()
    }
    fn write_value(&self, w: &mut Writer<'_>) {
        w.bytes(self.padding);
    }
}

impl_emit!(PadRepr<'_>, "PAD (RFC 4820 §3)");

/// Any chunk, typed, borrowing the packet (RFC 9260 §3.3, RFC 3758 §3.2, RFC 4820 §3,
/// RFC 6525 §3.1, RFC 8260 §2.1 and §2.3). Flags a type does not define are ignored when read
/// and zero when written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChunkRepr<'a> {
    /// DATA (RFC 9260 §3.3.1).
    Data(DataRepr<'a>),
    /// INIT (RFC 9260 §3.3.2).
    Init(InitRepr<'a>),
    /// INIT ACK (RFC 9260 §3.3.3).
    InitAck(InitRepr<'a>),
    /// SACK (RFC 9260 §3.3.4).
    Sack(SackRepr<'a>),
    /// HEARTBEAT (RFC 9260 §3.3.5).
    Heartbeat(HeartbeatRepr<'a>),
    /// HEARTBEAT ACK (RFC 9260 §3.3.6).
    HeartbeatAck(HeartbeatRepr<'a>),
    /// ABORT (RFC 9260 §3.3.7).
    Abort(AbortRepr<'a>),
    /// SHUTDOWN (RFC 9260 §3.3.8).
    Shutdown(ShutdownRepr),
    /// SHUTDOWN ACK (RFC 9260 §3.3.9): no value.
    ShutdownAck,
    /// ERROR (RFC 9260 §3.3.10).
    Error(ErrorRepr<'a>),
    /// COOKIE ECHO (RFC 9260 §3.3.11).
    CookieEcho(CookieEchoRepr<'a>),
    /// COOKIE ACK (RFC 9260 §3.3.12): no value.
    CookieAck,
    /// SHUTDOWN COMPLETE (RFC 9260 §3.3.13).
    ShutdownComplete(ShutdownCompleteRepr),
    /// I-DATA (RFC 8260 §2.1).
    IData(IDataRepr<'a>),
    /// FORWARD TSN (RFC 3758 §3.2).
    ForwardTsn(ForwardTsnRepr<'a>),
    /// I-FORWARD-TSN (RFC 8260 §2.3).
    IForwardTsn(IForwardTsnRepr<'a>),
    /// RE-CONFIG (RFC 6525 §3.1).
    Reconfig(ReconfigRepr<'a>),
    /// PAD (RFC 4820 §3): to be ignored.
    Pad(PadRepr<'a>),
    /// Any other chunk type (RFC 9260 §3.2), kept whole.
    Unknown(UnknownChunk<'a>),
}

impl<'a> ChunkRepr<'a> {
    /// Types a framed chunk by its type and validates its value once.
    ///
    /// # Errors
    /// The typed chunk's parse error, with its offset in the packet.
    pub fn parse(chunk: &Chunk<'a>) -> Result<Self, ParseError> {
        Ok(match chunk.chunk_type() {
            chunk_type::DATA => Self::Data(DataRepr::parse(chunk)?),
            chunk_type::INIT => Self::Init(InitRepr::parse(chunk)?),
            chunk_type::INIT_ACK => Self::InitAck(InitRepr::parse(chunk)?),
            chunk_type::SACK => Self::Sack(SackRepr::parse(chunk)?),
            chunk_type::HEARTBEAT => Self::Heartbeat(HeartbeatRepr::parse(chunk)?),
            chunk_type::HEARTBEAT_ACK => Self::HeartbeatAck(HeartbeatRepr::parse(chunk)?),
            chunk_type::ABORT => Self::Abort(AbortRepr::parse(chunk)?),
            chunk_type::SHUTDOWN => Self::Shutdown(ShutdownRepr::parse(chunk)?),
            chunk_type::SHUTDOWN_ACK => {
                expect_empty(chunk)?;
                Self::ShutdownAck
            }
            chunk_type::ERROR => Self::Error(ErrorRepr::parse(chunk)?),
            chunk_type::COOKIE_ECHO => Self::CookieEcho(CookieEchoRepr::parse(chunk)),
            chunk_type::COOKIE_ACK => {
                expect_empty(chunk)?;
                Self::CookieAck
            }
            chunk_type::SHUTDOWN_COMPLETE => {
                Self::ShutdownComplete(ShutdownCompleteRepr::parse(chunk)?)
            }
            chunk_type::I_DATA => Self::IData(IDataRepr::parse(chunk)?),
            chunk_type::FORWARD_TSN => Self::ForwardTsn(ForwardTsnRepr::parse(chunk)?),
            chunk_type::I_FORWARD_TSN => Self::IForwardTsn(IForwardTsnRepr::parse(chunk)?),
            chunk_type::RE_CONFIG => Self::Reconfig(ReconfigRepr::parse(chunk)?),
            chunk_type::PAD => Self::Pad(PadRepr {
                padding: chunk.value(),
            }),
            _ => Self::Unknown(UnknownChunk {
                chunk_type: chunk.chunk_type(),
                flags: chunk.flags(),
                value: chunk.value(),
            }),
        })
    }

    /// The chunk type this writes (RFC 9260 §3.2).
    pub fn chunk_type(&self) -> u8 {
        match self {
            Self::Data(_) => chunk_type::DATA,
            Self::Init(_) => chunk_type::INIT,
            Self::InitAck(_) => chunk_type::INIT_ACK,
            Self::Sack(_) => chunk_type::SACK,
            Self::Heartbeat(_) => chunk_type::HEARTBEAT,
            Self::HeartbeatAck(_) => chunk_type::HEARTBEAT_ACK,
            Self::Abort(_) => chunk_type::ABORT,
            Self::Shutdown(_) => chunk_type::SHUTDOWN,
            Self::ShutdownAck => chunk_type::SHUTDOWN_ACK,
            Self::Error(_) => chunk_type::ERROR,
            Self::CookieEcho(_) => chunk_type::COOKIE_ECHO,
            Self::CookieAck => chunk_type::COOKIE_ACK,
            Self::ShutdownComplete(_) => chunk_type::SHUTDOWN_COMPLETE,
            Self::IData(_) => chunk_type::I_DATA,
            Self::ForwardTsn(_) => chunk_type::FORWARD_TSN,
            Self::IForwardTsn(_) => chunk_type::I_FORWARD_TSN,
            Self::Reconfig(_) => chunk_type::RE_CONFIG,
            Self::Pad(_) => chunk_type::PAD,
            Self::Unknown(u) => u.chunk_type,
        }
    }

    /// Length of the chunk [`emit`](Self::emit) writes, padding included.
    pub fn buffer_len(&self) -> usize {
        match self {
            Self::Data(r) => r.buffer_len(),
            Self::Init(r) | Self::InitAck(r) => r.buffer_len(),
            Self::Sack(r) => r.buffer_len(),
            Self::Heartbeat(r) | Self::HeartbeatAck(r) => r.buffer_len(),
            Self::Abort(r) => r.buffer_len(),
            Self::Shutdown(r) => r.buffer_len(),
            Self::ShutdownAck | Self::CookieAck => 4,
            Self::Error(r) => r.buffer_len(),
            Self::CookieEcho(r) => r.buffer_len(),
            Self::ShutdownComplete(r) => r.buffer_len(),
            Self::IData(r) => r.buffer_len(),
            Self::ForwardTsn(r) => r.buffer_len(),
            Self::IForwardTsn(r) => r.buffer_len(),
            Self::Reconfig(r) => r.buffer_len(),
            Self::Pad(r) => r.buffer_len(),
            Self::Unknown(r) => r.buffer_len(),
        }
    }

    /// Writes the chunk at the start of `buf`, padded to a multiple of 4 bytes, and returns
    /// its length.
    ///
    /// # Errors
    /// As the variant's `emit`.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, EncodeError> {
        match self {
            Self::Data(r) => r.emit(buf),
            Self::Init(r) => r.emit_as(chunk_type::INIT, buf),
            Self::InitAck(r) => r.emit_as(chunk_type::INIT_ACK, buf),
            Self::Sack(r) => r.emit(buf),
            Self::Heartbeat(r) => r.emit_as(chunk_type::HEARTBEAT, buf),
            Self::HeartbeatAck(r) => r.emit_as(chunk_type::HEARTBEAT_ACK, buf),
            Self::Abort(r) => r.emit(buf),
            Self::Shutdown(r) => r.emit(buf),
            Self::ShutdownAck => emit_chunk(buf, chunk_type::SHUTDOWN_ACK, 0, 0, |_| ()),
            Self::Error(r) => r.emit(buf),
            Self::CookieEcho(r) => r.emit(buf),
            Self::CookieAck => emit_chunk(buf, chunk_type::COOKIE_ACK, 0, 0, |_| ()),
            Self::ShutdownComplete(r) => r.emit(buf),
            Self::IData(r) => r.emit(buf),
            Self::ForwardTsn(r) => r.emit(buf),
            Self::IForwardTsn(r) => r.emit(buf),
            Self::Reconfig(r) => r.emit(buf),
            Self::Pad(r) => r.emit(buf),
            Self::Unknown(r) => r.emit(buf),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4820 §3: a PAD chunk of 5 padding bytes; then an unknown chunk type 0xc7 (upper
    /// bits 11: skip and report, RFC 9260 §3.2) with flags 3 and 2 value bytes.
    const PAD: [u8; 12] = [132, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0];
    const UNKNOWN: [u8; 8] = [0xc7, 3, 0, 6, 1, 2, 0, 0];

    #[test]
    fn pad_and_unknown_deconstruct() {
        let (pad, taken) = Chunk::frame(&PAD, 0).unwrap();
        assert_eq!(
            (pad.chunk_type(), pad.length(), taken),
            (chunk_type::PAD, 9, 12)
        );
        let (unknown, _) = Chunk::frame(&UNKNOWN, 0).unwrap();
        assert_eq!(
            unknown.unrecognized_action(),
            UnrecognizedAction::SkipAndReport
        );
    }

    #[test]
    fn pad_and_unknown_construct() {
        let mut buf = [0xff; 12];
        assert_eq!(PadRepr { padding: &[0; 5] }.emit(&mut buf), Ok(12));
        assert_eq!(buf, PAD);
        let mut buf = [0xff; 8];
        let u = UnknownChunk {
            chunk_type: 0xc7,
            flags: 3,
            value: &[1, 2],
        };
        assert_eq!(u.emit(&mut buf), Ok(8));
        assert_eq!(buf, UNKNOWN);
    }

    #[test]
    fn pad_and_unknown_parse() {
        let (pad, _) = Chunk::frame(&PAD, 0).unwrap();
        assert_eq!(
            ChunkRepr::parse(&pad),
            Ok(ChunkRepr::Pad(PadRepr { padding: &[0; 5] }))
        );
        let (unknown, _) = Chunk::frame(&UNKNOWN, 0).unwrap();
        let ChunkRepr::Unknown(u) = ChunkRepr::parse(&unknown).unwrap() else {
            panic!("not unknown");
        };
        assert_eq!((u.chunk_type, u.flags, u.value), (0xc7, 3, &[1, 2][..]));
        assert_eq!(u.unrecognized_action(), UnrecognizedAction::SkipAndReport);
    }

    #[test]
    fn pad_and_unknown_emit() {
        for (repr, bytes) in [
            (ChunkRepr::Pad(PadRepr { padding: &[0; 5] }), &PAD[..]),
            (
                ChunkRepr::Unknown(UnknownChunk {
                    chunk_type: 0xc7,
                    flags: 3,
                    value: &[1, 2],
                }),
                &UNKNOWN[..],
            ),
        ] {
            let mut buf = vec![0; repr.buffer_len()];
            assert_eq!(repr.emit(&mut buf), Ok(bytes.len()));
            assert_eq!(buf, bytes);
            assert_eq!(repr.chunk_type(), bytes[0]);
        }
    }
}
