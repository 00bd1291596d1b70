//! The coordination of video orientation extension (3GPP TS 26.114 §7.4.5).

use super::{ExtensionKind, ExtensionValue, bad_extension, write_bytes};
use crate::error::{BuildError, ParseError};

/// Clockwise rotation the receiver applies before display.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Rotation {
    /// No rotation.
    #[default]
    Deg0,
    /// 90°.
    Deg90,
    /// 180°.
    Deg180,
    /// 270°.
    Deg270,
}

/// Video orientation (`urn:3gpp:video-orientation`, 3GPP TS 26.114 §7.4.5): one byte
/// `0 0 0 0 C F R1 R0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct VideoOrientation {
    /// C: the back-facing camera captured the video.
    pub camera_back: bool,
    /// F: the video is flipped horizontally.
    pub flip: bool,
    /// R1 R0: the rotation.
    pub rotation: Rotation,
}

impl ExtensionValue<'_> for VideoOrientation {
    const URI: &'static str = "urn:3gpp:video-orientation";
    const KIND: ExtensionKind = ExtensionKind::VideoOrientation;

    fn parse(data: &[u8]) -> Result<Self, ParseError> {
        let &[byte] = data else {
            return Err(bad_extension());
        };
        let rotation = match byte & 0x03 {
            0 => Rotation::Deg0,
            1 => Rotation::Deg90,
            2 => Rotation::Deg180,
            _ => Rotation::Deg270,
        };
        Ok(Self {
            camera_back: byte & 0x08 != 0,
            flip: byte & 0x04 != 0,
            rotation,
        })
    }

    fn encoded_len(&self) -> usize {
        1
    }

    fn write(&self, out: &mut [u8]) -> Result<usize, BuildError> {
        let byte = u8::from(self.camera_back) << 3 | u8::from(self.flip) << 2 | self.rotation as u8;
        write_bytes(&[byte], out)
    }
}
