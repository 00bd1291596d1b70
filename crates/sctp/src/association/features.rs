//! The extensions an association negotiates in INIT and INIT ACK: partial reliability
//! (RFC 3758 §3.1), stream reconfiguration (RFC 6525 §3.1), message interleaving with I-DATA
//! (RFC 8260 §2.2) through the Supported Extensions parameter (RFC 5061 §4.2.7), and zero
//! checksums (RFC 9653 §5.1).

use super::Config;
use crate::wire::{EDMID_DTLS, InitParam, InitRepr, chunk_type};

/// What the peer announced, as far as we use it. Each is a one-way fact about the peer: for
/// the shared extensions (partial reliability, reconfiguration, interleaving) both sides must
/// announce it; the zero checksum is only what the peer accepts (RFC 9653 §5.2), whatever we
/// accept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Features {
    /// FORWARD TSN (and with interleaving, I-FORWARD-TSN) may be sent (RFC 3758 §3.1).
    pub forward_tsn: bool,
    /// RE-CONFIG may be sent (RFC 6525 §3.1).
    pub reconfig: bool,
    /// I-DATA replaces DATA both ways (RFC 8260 §2.2).
    pub interleaving: bool,
    /// The peer accepts packets with a zero checksum: we may send them (not INIT; RFC 9653
    /// §5.2).
    pub zero_checksum: bool,
}

impl Features {
    /// What `init` (an INIT or INIT ACK) announced, met with what we announce.
    pub(crate) fn negotiate(init: &InitRepr<'_>, config: &Config) -> Self {
        let extensions = init.supported_extensions().unwrap_or_default();
        let has = |t: u8| extensions.contains(&t);
        let forward_tsn = init.forward_tsn_supported() || has(chunk_type::FORWARD_TSN);
        Self {
            forward_tsn,
            reconfig: has(chunk_type::RE_CONFIG),
            interleaving: config.interleaving
                && has(chunk_type::I_DATA)
                && (!forward_tsn || has(chunk_type::I_FORWARD_TSN)),
            zero_checksum: init.zero_checksum_acceptable() == Some(EDMID_DTLS),
        }
    }

    /// Packed into a state cookie.
    pub(crate) fn to_bits(self) -> u8 {
        u8::from(self.forward_tsn)
            | u8::from(self.reconfig) << 1
            | u8::from(self.interleaving) << 2
            | u8::from(self.zero_checksum) << 3
    }

    /// Unpacked from a state cookie.
    pub(crate) fn from_bits(bits: u8) -> Self {
        Self {
            forward_tsn: bits & 1 != 0,
            reconfig: bits & 2 != 0,
            interleaving: bits & 4 != 0,
            zero_checksum: bits & 8 != 0,
        }
    }
}

/// The chunk types we list in Supported Extensions.
pub(super) fn supported_extensions(config: &Config) -> &'static [u8] {
    const WITH_INTERLEAVING: [u8; 4] = [
        chunk_type::FORWARD_TSN,
        chunk_type::RE_CONFIG,
        chunk_type::I_DATA,
        chunk_type::I_FORWARD_TSN,
    ];
    if config.interleaving {
        &WITH_INTERLEAVING
    } else {
        &WITH_INTERLEAVING[..2]
    }
}

/// The capability parameters of our INIT and INIT ACK (the cookie comes after them).
pub(super) fn init_params(config: &Config) -> [Option<InitParam<'static>>; 3] {
    [
        Some(InitParam::ForwardTsnSupported),
        Some(InitParam::SupportedExtensions(supported_extensions(config))),
        config
            .zero_checksum
            .then_some(InitParam::ZeroChecksumAcceptable {
                error_detection_method: EDMID_DTLS,
            }),
    ]
}
