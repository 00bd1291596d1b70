//! The absolute send time extension (webrtc.org abs-send-time).

use super::{ExtensionKind, ExtensionValue, bad_extension, write_bytes};
use crate::error::{BuildError, ParseError};

/// Absolute send time: 24 bits of 6.18 fixed-point seconds, the middle bits of the NTP
/// timestamp when the packet left the sender (webrtc.org
/// `http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AbsSendTime(pub u32);

impl AbsSendTime {
    /// The value for a 64-bit NTP timestamp (32.32 fixed point seconds): bits 14..38.
    pub const fn from_ntp(ntp: u64) -> Self {
        Self(((ntp >> 14) & 0x00ff_ffff) as u32)
    }

    /// The value for a time in microseconds, modulo 64 seconds.
    pub const fn from_micros(micros: u64) -> Self {
        // 2^18 units per second; wraps every 64 s.
        Self((((micros % 64_000_000) << 18) / 1_000_000) as u32)
    }

    /// The time in microseconds, in 0..64 s.
    pub const fn to_micros(self) -> u64 {
        (self.0 as u64 * 1_000_000) >> 18
    }
}

impl ExtensionValue<'_> for AbsSendTime {
    const URI: &'static str = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
    const KIND: ExtensionKind = ExtensionKind::AbsSendTime;

    fn parse(data: &[u8]) -> Result<Self, ParseError> {
        let &[a, b, c] = data else {
            return Err(bad_extension());
        };
        Ok(Self(u32::from_be_bytes([0, a, b, c])))
    }

    fn encoded_len(&self) -> usize {
        3
    }

    fn write(&self, out: &mut [u8]) -> Result<usize, BuildError> {
        if self.0 > 0x00ff_ffff {
            return Err(BuildError::TooLarge);
        }
        write_bytes(&self.0.to_be_bytes()[1..], out)
    }
}
