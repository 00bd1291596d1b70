//! DTLS 1.2 wire formats: record headers (RFC 6347 §4.1), alerts (RFC 5246 §7.2), and the code
//! points the handshake negotiates. Views check lengths once in `new_checked`; builders write
//! into caller buffers.

mod alert;
mod codepoints;
pub mod handshake;
pub(crate) mod record;

pub use alert::{Alert, AlertDescription, AlertLevel};
pub use codepoints::{
    CipherSuite, ContentType, ExtensionType, HandshakeType, NamedGroup, ProtocolVersion,
    SignatureScheme, SrtpProfileId,
};
pub use handshake::{Handshake, HandshakeFragment, HandshakeHeader, HandshakeRepr};
pub use record::{RECORD_HEADER_LEN, Record, RecordHeader, Records};
