//! The client-to-mixer audio level extension (RFC 6464).

use super::{ExtensionKind, ExtensionValue, bad_extension, write_bytes};
use crate::error::{BuildError, ParseError};

/// The audio level of the packet's audio (RFC 6464 §3): voice activity and the level in
/// −dBov, 0 (loudest) to 127 (silence).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AudioLevel {
    /// The V bit: the encoder believes the packet contains voice.
    pub voice_activity: bool,
    /// The level in −dBov, 0..=127.
    pub level: u8,
}

impl ExtensionValue<'_> for AudioLevel {
    const URI: &'static str = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
    const KIND: ExtensionKind = ExtensionKind::AudioLevel;

    fn parse(data: &[u8]) -> Result<Self, ParseError> {
        // One byte; RFC 6464 §3 allows the two-byte form to carry padding after it.
        let Some(&first) = data.first() else {
            return Err(bad_extension());
        };
        Ok(Self {
            voice_activity: first & 0x80 != 0,
            level: first & 0x7f,
        })
    }

    fn encoded_len(&self) -> usize {
        1
    }

    fn write(&self, out: &mut [u8]) -> Result<usize, BuildError> {
        if self.level > 127 {
            return Err(BuildError::TooLarge);
        }
        write_bytes(&[u8::from(self.voice_activity) << 7 | self.level], out)
    }
}
