//! The SCTP wire format (RFC 9260 §3): zero-copy views, typed chunks and a packet builder.
//!
//! # Guarantee
//!
//! [`Packet::new_checked`] is required on untrusted input; after it succeeds no accessor
//! panics. [`Packet::chunks`] frames chunks lazily, each length field checked once, and
//! [`ChunkRepr::parse`] validates a chunk's value once (every parameter, error cause, gap
//! block count and stream entry). After that, every accessor and every list iterator is
//! infallible and allocation-free. Errors are [`ParseError`](crate::ParseError)s with the byte
//! offset in the packet.
//!
//! Writing goes through [`PacketBuilder`], which appends a packet to a caller's `Vec<u8>`, or
//! through each Repr's `emit` into a slice of `buffer_len()` bytes.

mod builder;
pub(crate) mod bytes;
mod chunk;
mod list;
mod packet;

pub use builder::{ChecksumMode, PacketBuilder};
pub use chunk::{
    AbortRepr, ChunkRepr, CookieEchoRepr, DATA_HEADER_LEN, DataRepr, EDMID_DTLS, ErrorCause,
    ErrorRepr, ForwardTsnRepr, ForwardTsnStream, GapAckBlock, HEARTBEAT_INFO, HeartbeatRepr,
    IDATA_HEADER_LEN, IDataRepr, IForwardTsnRepr, IForwardTsnStream, INIT_FIXED_LEN, InitParam,
    InitRepr, NextTsns, PadRepr, ReconfigParam, ReconfigRepr, ReconfigResult, SACK_FIXED_LEN,
    SackRepr, ShutdownCompleteRepr, ShutdownRepr, UnknownChunk, cause_code, chunk_type, data_flags,
    param_type, reconfig_param_type,
};
pub use list::{List, ListIter, TlvEntry, TlvList, TlvListIter, WireEntry};
pub use packet::{
    CHUNK_HEADER_LEN, Chunk, Chunks, CommonHeader, HEADER_LEN, Packet, UnrecognizedAction, field,
};
