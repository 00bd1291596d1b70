//! The transport-wide sequence number extension (draft-holmer-rmcat-transport-wide-cc-extensions-01 §2).

use super::{ExtensionKind, ExtensionValue, bad_extension, write_bytes};
use crate::error::{BuildError, ParseError};

/// The transport-wide sequence number: one counter across every RTP stream of a transport,
/// fed back by transport-wide congestion control RTCP
/// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TransportSequenceNumber(pub u16);

impl ExtensionValue<'_> for TransportSequenceNumber {
    const URI: &'static str =
        "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
    const KIND: ExtensionKind = ExtensionKind::TransportSequenceNumber;

    fn parse(data: &[u8]) -> Result<Self, ParseError> {
        let &[a, b] = data else {
            return Err(bad_extension());
        };
        Ok(Self(u16::from_be_bytes([a, b])))
    }

    fn encoded_len(&self) -> usize {
        2
    }

    fn write(&self, out: &mut [u8]) -> Result<usize, BuildError> {
        write_bytes(&self.0.to_be_bytes(), out)
    }
}
