//! The VP9 payload descriptor (RFC 9628 §4.2) and its scalability structure (RFC 9628
//! §4.2.1), read without allocating: the scalability structure stays a view over the
//! payload, walked by iterators.

use crate::codec::DepacketizeError;
use crate::vp8::{PictureId, Reader};

/// Most reference indices (P_DIFF) one flexible-mode descriptor carries (RFC 9628 §4.2).
const MAX_P_DIFFS: usize = 3;

/// Layer indices of a VP9 payload descriptor (RFC 9628 §4.2), present when L=1.
///
/// ```text
///      +-+-+-+-+-+-+-+-+
/// L:   | TID |U| SID |D|
///      +-+-+-+-+-+-+-+-+
///      |   TL0PICIDX   |  (non-flexible mode only)
///      +-+-+-+-+-+-+-+-+
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Vp9Layer {
    /// TID: the temporal layer index (0..=7).
    pub temporal_id: u8,
    /// U: a switching up point to a higher temporal layer.
    pub switching_up: bool,
    /// SID: the spatial layer index (0..=7).
    pub spatial_id: u8,
    /// D: the layer frame depends on the lower spatial layer frame of the same picture.
    pub inter_layer_dependency: bool,
    /// TL0PICIDX: the running index of temporal base layer pictures; present in
    /// non-flexible mode only.
    pub tl0_pic_idx: Option<u8>,
}

/// The scalability structure (SS) of a VP9 payload descriptor (RFC 9628 §4.2.1), present
/// when V=1: the number of spatial layers, optionally each layer's resolution, and optionally
/// the picture group (PG) description. A view over the validated payload bytes.
///
/// ```text
///      +-+-+-+-+-+-+-+-+
/// V:   | N_S |Y|G|-|-|-|
///      +-+-+-+-+-+-+-+-+              -\
/// Y:   |     WIDTH     | (OPTIONAL)    .
///      +               +               .
///      |               | (OPTIONAL)    .
///      +-+-+-+-+-+-+-+-+               . - N_S + 1 times
///      |     HEIGHT    | (OPTIONAL)    .
///      +               +               .
///      |               | (OPTIONAL)    .
///      +-+-+-+-+-+-+-+-+              -/
/// G:   |      N_G      | (OPTIONAL)
///      +-+-+-+-+-+-+-+-+                            -\
/// N_G: | TID |U| R |-|-| (OPTIONAL)                 .
///      +-+-+-+-+-+-+-+-+              -\            . - N_G times
///      |    P_DIFF     | (OPTIONAL)    . - R times  .
///      +-+-+-+-+-+-+-+-+              -/            -/
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Vp9ScalabilityStructure<'a> {
    header: u8,
    resolutions: &'a [u8],
    group_len: u8,
    group: &'a [u8],
}

impl<'a> Vp9ScalabilityStructure<'a> {
    /// Reads the SS at the reader's position (RFC 9628 §4.2.1).
    fn read(reader: &mut Reader<'a>) -> Result<Self, DepacketizeError> {
        let header = reader.u8()?;
        let layers = usize::from(header >> 5) + 1;
        let resolutions = if header & 0x10 != 0 {
            reader.take(4 * layers)?
        } else {
            &[]
        };
        let (group_len, group) = if header & 0x08 != 0 {
            let count = reader.u8()?;
            let start = reader.position();
            for _ in 0..count {
                let entry = reader.u8()?;
                reader.take(usize::from((entry >> 2) & 0x03))?;
            }
            (count, reader.read_since(start))
        } else {
            (0, &[][..])
        };
        Ok(Self {
            header,
            resolutions,
            group_len,
            group,
        })
    }

    /// N_S + 1: how many spatial layers the stream has (RFC 9628 §4.2.1).
    #[must_use]
    pub const fn spatial_layers(&self) -> u8 {
        (self.header >> 5) + 1
    }

    /// Y: whether each spatial layer's resolution is given (RFC 9628 §4.2.1).
    #[must_use]
    pub const fn has_resolutions(&self) -> bool {
        self.header & 0x10 != 0
    }

    /// Each spatial layer's `(width, height)`, lowest layer first; empty when Y=0
    /// (RFC 9628 §4.2.1).
    #[must_use]
    pub fn resolutions(&self) -> Vp9Resolutions<'a> {
        Vp9Resolutions {
            bytes: self.resolutions,
        }
    }

    /// G: the picture group description, `None` when G=0 (RFC 9628 §4.2.1).
    #[must_use]
    pub const fn picture_group(&self) -> Option<Vp9PictureGroup<'a>> {
        if self.header & 0x08 == 0 {
            return None;
        }
        Some(Vp9PictureGroup {
            bytes: self.group,
            remaining: self.group_len,
        })
    }
}

/// The spatial layer resolutions of a [`Vp9ScalabilityStructure`] (RFC 9628 §4.2.1), as
/// `(width, height)` pairs.
#[derive(Debug, Clone)]
pub struct Vp9Resolutions<'a> {
    bytes: &'a [u8],
}

impl Iterator for Vp9Resolutions<'_> {
    type Item = (u16, u16);

    fn next(&mut self) -> Option<Self::Item> {
        let (&[w0, w1, h0, h1], rest) = self.bytes.split_first_chunk::<4>()?;
        self.bytes = rest;
        Some((u16::from_be_bytes([w0, w1]), u16::from_be_bytes([h0, h1])))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.bytes.len() / 4;
        (n, Some(n))
    }
}

impl ExactSizeIterator for Vp9Resolutions<'_> {}

/// The pictures of a [`Vp9ScalabilityStructure`]'s picture group (RFC 9628 §4.2.1): N_G
/// entries, in order.
#[derive(Debug, Clone)]
pub struct Vp9PictureGroup<'a> {
    bytes: &'a [u8],
    remaining: u8,
}

/// One picture of a VP9 picture group (RFC 9628 §4.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Vp9PictureGroupEntry<'a> {
    /// TID: the picture's temporal layer index.
    pub temporal_id: u8,
    /// U: the picture is a switching up point.
    pub switching_up: bool,
    /// The R (0..=3) reference indices: each P_DIFF is the picture ID distance to a picture
    /// this one references.
    pub p_diffs: &'a [u8],
}

impl<'a> Iterator for Vp9PictureGroup<'a> {
    type Item = Vp9PictureGroupEntry<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.remaining == 0 {
            return None;
        }
        let (&entry, rest) = self.bytes.split_first()?;
        let (p_diffs, rest) = rest.split_at_checked(usize::from((entry >> 2) & 0x03))?;
        self.bytes = rest;
        self.remaining -= 1;
        Some(Vp9PictureGroupEntry {
            temporal_id: entry >> 5,
            switching_up: entry & 0x10 != 0,
            p_diffs,
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = usize::from(self.remaining);
        (n, Some(n))
    }
}

impl ExactSizeIterator for Vp9PictureGroup<'_> {}

/// The VP9 payload descriptor at the start of every VP9 RTP payload (RFC 9628 §4.2), in
/// flexible (F=1) or non-flexible (F=0) mode.
///
/// ```text
///       0 1 2 3 4 5 6 7
///      +-+-+-+-+-+-+-+-+
///      |I|P|L|F|B|E|V|Z| (REQUIRED)
///      +-+-+-+-+-+-+-+-+
/// I:   |M| PICTURE ID  | (1 or 2 octets)
///      +-+-+-+-+-+-+-+-+
/// L:   | TID |U| SID |D| (+ TL0PICIDX when F=0)
///      +-+-+-+-+-+-+-+-+                             -\
/// P,F: | P_DIFF      |N| (CONDITIONALLY REQUIRED)    - up to 3 times
///      +-+-+-+-+-+-+-+-+                             -/
/// V:   | SS            |
///      | ..            |
///      +-+-+-+-+-+-+-+-+
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Vp9Descriptor<'a> {
    /// P: the layer frame uses inter-picture prediction (P=0 on key pictures).
    pub inter_picture_predicted: bool,
    /// F: flexible mode, where the descriptor lists reference indices. Always `false` when
    /// no picture ID is present: RFC 9628 §4.2 has receivers ignore F when I=0.
    pub flexible_mode: bool,
    /// B: the payload starts a layer frame.
    pub begins_frame: bool,
    /// E: the payload ends a layer frame.
    pub ends_frame: bool,
    /// Z: the layer frame is not used to predict higher spatial layers.
    pub not_reference_for_upper_layers: bool,
    /// I: the picture ID, 7 or 15 bits.
    pub picture_id: Option<PictureId>,
    /// L: the layer indices.
    pub layer: Option<Vp9Layer>,
    /// V: the scalability structure.
    pub scalability_structure: Option<Vp9ScalabilityStructure<'a>>,
    /// Length of the descriptor in bytes; the VP9 data follows.
    pub len: usize,
    p_diffs: [u8; MAX_P_DIFFS],
    p_diff_count: u8,
}

impl<'a> Vp9Descriptor<'a> {
    /// Reads the descriptor at the start of `payload` (RFC 9628 §4.2).
    ///
    /// # Errors
    /// [`DepacketizeError::Truncated`] when the payload ends inside the descriptor (the
    /// scalability structure included) or no VP9 data follows it;
    /// [`DepacketizeError::Malformed`] for a fourth P_DIFF (N=1 on the third) or D=1 on
    /// spatial layer 0 (RFC 9628 §4.2: "For the base layer frame with S equal to 0, this D
    /// bit MUST be set to zero").
    pub fn parse(payload: &'a [u8]) -> Result<Self, DepacketizeError> {
        let mut reader = Reader::new(payload);
        let first = reader.u8()?;
        let has_picture_id = first & 0x80 != 0;
        let mut descriptor = Self {
            inter_picture_predicted: first & 0x40 != 0,
            flexible_mode: has_picture_id && first & 0x10 != 0,
            begins_frame: first & 0x08 != 0,
            ends_frame: first & 0x04 != 0,
            not_reference_for_upper_layers: first & 0x01 != 0,
            picture_id: None,
            layer: None,
            scalability_structure: None,
            len: 1,
            p_diffs: [0; MAX_P_DIFFS],
            p_diff_count: 0,
        };
        if has_picture_id {
            descriptor.picture_id = Some(PictureId::read(&mut reader)?);
        }
        if first & 0x20 != 0 {
            let byte = reader.u8()?;
            let spatial_id = (byte >> 1) & 0x07;
            let inter_layer_dependency = byte & 0x01 != 0;
            if inter_layer_dependency && spatial_id == 0 {
                return Err(DepacketizeError::Malformed);
            }
            descriptor.layer = Some(Vp9Layer {
                temporal_id: byte >> 5,
                switching_up: byte & 0x10 != 0,
                spatial_id,
                inter_layer_dependency,
                tl0_pic_idx: if descriptor.flexible_mode {
                    None
                } else {
                    Some(reader.u8()?)
                },
            });
        }
        if descriptor.flexible_mode && descriptor.inter_picture_predicted {
            loop {
                let index = usize::from(descriptor.p_diff_count);
                let slot = descriptor
                    .p_diffs
                    .get_mut(index)
                    .ok_or(DepacketizeError::Malformed)?;
                let byte = reader.u8()?;
                *slot = byte >> 1;
                descriptor.p_diff_count += 1;
                if byte & 0x01 == 0 {
                    break;
                }
            }
        }
        if first & 0x02 != 0 {
            descriptor.scalability_structure = Some(Vp9ScalabilityStructure::read(&mut reader)?);
        }
        if !reader.has_remaining() {
            return Err(DepacketizeError::Truncated);
        }
        descriptor.len = reader.position();
        Ok(descriptor)
    }

    /// The reference indices (P_DIFF, 1 to 3 of them) of a flexible-mode, inter-predicted
    /// layer frame; empty otherwise (RFC 9628 §4.2).
    #[must_use]
    pub fn p_diffs(&self) -> &[u8] {
        self.p_diffs
            .get(..usize::from(self.p_diff_count))
            .unwrap_or_default()
    }

    /// The spatial layer index: SID, or 0 without layer indices (RFC 9628 §4.2).
    #[must_use]
    pub fn spatial_id(&self) -> u8 {
        self.layer.map_or(0, |layer| layer.spatial_id)
    }

    /// Whether this payload starts a key picture's base layer frame: P=0 and B=1 on spatial
    /// layer 0 (RFC 9628 §4.2).
    #[must_use]
    pub fn is_keyframe_start(&self) -> bool {
        !self.inter_picture_predicted && self.begins_frame && self.spatial_id() == 0
    }
}
