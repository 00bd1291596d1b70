//! Typed header extensions WebRTC negotiates with `a=extmap` (RFC 8285 §5), and the map from
//! negotiated local identifiers to extension kinds.
//!
//! ```
//! use sansrtc_rtp::rtp::ext::{AudioLevel, ExtensionKind, ExtensionMap};
//! use sansrtc_rtp::rtp::RtpPacket;
//!
//! let mut map = ExtensionMap::new();
//! map.insert_uri(1, "urn:ietf:params:rtp-hdrext:ssrc-audio-level");
//! assert_eq!(map.kind(1), Some(ExtensionKind::AudioLevel));
//!
//! let bytes = [0x90, 0x6f, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xbe, 0xde, 0, 1, 0x10, 0x9e, 0, 0];
//! let packet = RtpPacket::new_checked(&bytes[..]).unwrap();
//! let level: AudioLevel = map.read(&packet.extension().unwrap()).unwrap().unwrap();
//! assert_eq!(level, AudioLevel { voice_activity: true, level: 30 });
//! ```

mod abs_send_time;
mod audio_level;
mod map;
mod sdes;
mod transport_cc;
mod video_orientation;

pub use abs_send_time::AbsSendTime;
pub use audio_level::AudioLevel;
pub use map::ExtensionMap;
pub use sdes::{Mid, RepairedRid, Rid};
pub use transport_cc::TransportSequenceNumber;
pub use video_orientation::{Rotation, VideoOrientation};

use crate::error::{BuildError, ParseError};

/// The header extensions this crate reads and writes, by the URI `a=extmap` names them with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ExtensionKind {
    /// [`AbsSendTime`].
    AbsSendTime,
    /// [`TransportSequenceNumber`].
    TransportSequenceNumber,
    /// [`AudioLevel`].
    AudioLevel,
    /// [`Mid`].
    Mid,
    /// [`Rid`].
    Rid,
    /// [`RepairedRid`].
    RepairedRid,
    /// [`VideoOrientation`].
    VideoOrientation,
}

impl ExtensionKind {
    /// Every kind, in declaration order.
    pub const ALL: [Self; 7] = [
        Self::AbsSendTime,
        Self::TransportSequenceNumber,
        Self::AudioLevel,
        Self::Mid,
        Self::Rid,
        Self::RepairedRid,
        Self::VideoOrientation,
    ];

    /// The URI of the extension, as in `a=extmap`.
    pub const fn uri(self) -> &'static str {
        match self {
            Self::AbsSendTime => AbsSendTime::URI,
            Self::TransportSequenceNumber => TransportSequenceNumber::URI,
            Self::AudioLevel => AudioLevel::URI,
            Self::Mid => Mid::URI,
            Self::Rid => Rid::URI,
            Self::RepairedRid => RepairedRid::URI,
            Self::VideoOrientation => VideoOrientation::URI,
        }
    }

    /// The kind an `a=extmap` URI names, if this crate knows it.
    pub fn from_uri(uri: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.uri() == uri)
    }
}

/// A typed header extension value: how its element data is read and written.
pub trait ExtensionValue<'a>: Sized {
    /// The URI `a=extmap` names the extension with.
    const URI: &'static str;
    /// Which kind this is.
    const KIND: ExtensionKind;

    /// Reads the value from an element's data.
    ///
    /// # Errors
    /// [`crate::ParseErrorKind::BadExtension`] when the data has the wrong length or an
    /// invalid value.
    fn parse(data: &'a [u8]) -> Result<Self, ParseError>;

    /// Bytes [`write`](Self::write) produces.
    fn encoded_len(&self) -> usize;

    /// Writes the value's element data into the start of `out` and returns its length.
    ///
    /// # Errors
    /// [`BuildError::TooLarge`] when `out` is too short or the value does not fit.
    fn write(&self, out: &mut [u8]) -> Result<usize, BuildError>;
}

/// The error every extension reader returns for data it cannot read.
pub(crate) fn bad_extension() -> ParseError {
    ParseError::new(crate::ParseErrorKind::BadExtension, 0)
}

/// Copies `bytes` to the start of `out`, or fails when it does not fit.
pub(crate) fn write_bytes(bytes: &[u8], out: &mut [u8]) -> Result<usize, BuildError> {
    let slot = out.get_mut(..bytes.len()).ok_or(BuildError::TooLarge)?;
    slot.copy_from_slice(bytes);
    Ok(bytes.len())
}
