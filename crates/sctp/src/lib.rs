//! SCTP for sansrtc: the wire layer of the Stream Control Transmission Protocol as WebRTC data
//! channels use it (RFC 9260 over DTLS, RFC 8261).
//!
//! This crate holds the codec, the association's building blocks, and a first association
//! state machine composing them:
//!
//! - [`association::Association`]: the handshake with a stateless signed cookie, collisions,
//!   verification tags, reliable ordered and unordered messages of any size on any stream,
//!   SACKs (immediate on a gap, else every second packet or 200 ms), T3-rtx and fast
//!   retransmit, congestion and flow control, HEARTBEAT answered, SHUTDOWN and ABORT. Not yet
//!   driven by it: partial reliability, stream reconfiguration, I-DATA, zero checksums, our own
//!   heartbeats, ERROR reporting.
//! - [`wire::Packet`]: a zero-copy view of the common header (RFC 9260 §3.1) and a lazy iterator
//!   over its chunks (RFC 9260 §3.2), [`wire::Chunk`].
//! - [`wire::ChunkRepr`]: every chunk type WebRTC uses, typed, borrowing the packet: DATA,
//!   INIT, INIT ACK, SACK, HEARTBEAT, HEARTBEAT ACK, ABORT, SHUTDOWN, SHUTDOWN ACK, ERROR,
//!   COOKIE ECHO, COOKIE ACK, SHUTDOWN COMPLETE (RFC 9260 §3.3), FORWARD TSN (RFC 3758 §3.2),
//!   I-DATA and I-FORWARD-TSN (RFC 8260 §2), RE-CONFIG (RFC 6525 §3.1), PAD (RFC 4820). Unknown
//!   chunk types, parameters and error causes are kept with their type so the caller can apply
//!   the upper-two-bits rules of RFC 9260 §3.2 and §3.2.1.
//! - [`wire::PacketBuilder`]: writes a packet into a caller's `Vec<u8>`, reusing its capacity,
//!   within an MTU, with the checksum filled in.
//! - [`checksum`]: CRC32c (RFC 9260 §6.8, Appendix A) and the zero checksum of RFC 9653.
//! - [`receive`]: the TSN tracker behind SACKs (cumulative point, gap blocks, duplicates, a
//!   fixed window) and the reassembly of user messages with ordered delivery per stream, for
//!   DATA and I-DATA.
//! - [`send`]: the per-stream send queue (fragmentation, round robin, I-DATA interleaving,
//!   buffered amount and its low threshold, expired unsent messages), the chunks in flight
//!   (SACK processing, HTNA miss indications and fast retransmit, T3-rtx, abandonment for
//!   partial reliability) and congestion control with the RTO estimator.
//! - [`serial`]: serial number arithmetic and unwrapping of TSNs, SSNs and MIDs.
//!
//! # Contract
//!
//! Every length field is validated once, by [`wire::Packet::new_checked`], by the chunk
//! iterator and by [`wire::ChunkRepr::parse`]; afterwards no accessor panics and no iterator
//! (parameters, gap ack blocks, duplicate TSNs, error causes, stream entries, RE-CONFIG
//! parameters) allocates or fails. Parse errors are `Copy` and carry the byte offset in the
//! packet.
//!
//! ```
//! use sansrtc_sctp::wire::{ChecksumMode, ChunkRepr, CommonHeader, DataRepr, Packet, PacketBuilder};
//!
//! let mut datagram = Vec::new();
//! let header = CommonHeader { source_port: 5000, destination_port: 5000, verification_tag: 7 };
//! let mut builder = PacketBuilder::new(&mut datagram, header, 1200)?;
//! builder.push(&ChunkRepr::Data(DataRepr {
//!     tsn: 1,
//!     stream_id: 0,
//!     ssn: 0,
//!     ppid: 51,
//!     user_data: b"hello",
//!     beginning: true,
//!     ending: true,
//!     ..DataRepr::default()
//! }))?;
//! builder.finish(ChecksumMode::Crc32c);
//!
//! let packet = Packet::new_checked(&datagram[..])?;
//! assert!(packet.verify_checksum(false).is_ok());
//! for chunk in packet.chunks() {
//!     if let ChunkRepr::Data(data) = ChunkRepr::parse(&chunk?)? {
//!         assert_eq!(data.user_data, b"hello");
//!     }
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

pub mod association;
pub mod checksum;
mod error;
pub mod receive;
pub mod send;
pub mod serial;
pub mod wire;

pub use error::{ChecksumError, EncodeError, ParseError, ParseErrorKind};
