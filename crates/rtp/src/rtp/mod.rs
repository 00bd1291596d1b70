//! RTP packets (RFC 3550 §5): a zero-copy view ([`RtpPacket`]), a header builder
//! ([`RtpHeader`]), RFC 8285 header extensions ([`HeaderExtension`]) and typed readers and
//! writers for the extensions WebRTC negotiates ([`ext`]).

pub mod ext;
mod extension;
mod header;
mod packet;
mod sequence;

pub use extension::{
    Element, Elements, ExtensionForm, HeaderExtension, ONE_BYTE_PROFILE, TWO_BYTE_PROFILE,
};
pub use header::{ElementForm, Extensions, RtpHeader};
pub use packet::{FIXED_HEADER_LEN, RtpPacket, VERSION, header_len};
pub use sequence::extend_sequence;
