//! Building RTP headers (RFC 3550 §5.1) with CSRCs, header extensions (RFC 8285) and padding.

use crate::error::BuildError;
use crate::rtp::extension::{Element, ONE_BYTE_PROFILE, TWO_BYTE_PROFILE};
use crate::rtp::packet::{FIXED_HEADER_LEN, VERSION};

/// Which RFC 8285 element form a builder writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ElementForm {
    /// The one-byte form when every element fits it (ids 1..=14, 1..=16 bytes), else the
    /// two-byte form (RFC 8285 §4.1.1: a sender uses the one-byte form when it can).
    #[default]
    Auto,
    /// The one-byte form (RFC 8285 §4.2).
    OneByte,
    /// The two-byte form (RFC 8285 §4.3), application bits zero.
    TwoByte,
}

/// The header extension block a builder writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Extensions<'a> {
    /// No extension block (X = 0).
    #[default]
    None,
    /// RFC 8285 elements in the given form, zero-padded to a 32-bit boundary.
    Elements {
        /// The element form.
        form: ElementForm,
        /// The elements, written in order.
        elements: &'a [Element<'a>],
    },
    /// A raw RFC 3550 §5.3.1 block: profile value and data (a multiple of 4 bytes).
    Raw {
        /// The "defined by profile" field.
        profile: u16,
        /// The data words.
        data: &'a [u8],
    },
}

/// The fields of an RTP header (RFC 3550 §5.1), ready to write.
///
/// ```
/// use sansrtc_rtp::rtp::{Element, ElementForm, Extensions, RtpHeader, RtpPacket};
///
/// let header = RtpHeader {
///     payload_type: 111,
///     sequence_number: 7,
///     timestamp: 960,
///     ssrc: 0x1234_5678,
///     extensions: Extensions::Elements {
///         form: ElementForm::Auto,
///         elements: &[Element { id: 1, data: &[0x80 | 30] }],
///     },
///     ..RtpHeader::default()
/// };
/// let mut packet = Vec::new();
/// header.write_packet(b"opus", 0, &mut packet).unwrap();
/// let view = RtpPacket::new_checked(&packet[..]).unwrap();
/// assert_eq!(view.payload(), b"opus");
/// assert_eq!(view.extension_data(1), Some(&[0x80 | 30][..]));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RtpHeader<'a> {
    /// The marker bit (M).
    pub marker: bool,
    /// The payload type, 0..=127.
    pub payload_type: u8,
    /// The sequence number.
    pub sequence_number: u16,
    /// The RTP timestamp.
    pub timestamp: u32,
    /// The synchronization source.
    pub ssrc: u32,
    /// Up to 15 contributing sources.
    pub csrcs: &'a [u32],
    /// The header extension block.
    pub extensions: Extensions<'a>,
}

/// Whether every element fits the one-byte form.
fn fits_one_byte(elements: &[Element<'_>]) -> bool {
    elements
        .iter()
        .all(|e| (1..=14).contains(&e.id) && (1..=16).contains(&e.data.len()))
}

impl RtpHeader<'_> {
    /// The form, profile value and unpadded data length of the extension block.
    fn extension_layout(&self) -> Result<Option<(bool, u16, usize)>, BuildError> {
        match self.extensions {
            Extensions::None => Ok(None),
            Extensions::Raw { profile, data } => {
                if data.len() % 4 != 0 {
                    return Err(BuildError::TooLarge);
                }
                Ok(Some((false, profile, data.len())))
            }
            Extensions::Elements { form, elements } => {
                let one_byte = match form {
                    ElementForm::OneByte => true,
                    ElementForm::TwoByte => false,
                    ElementForm::Auto => fits_one_byte(elements),
                };
                let mut len = 0;
                for element in elements {
                    if element.id == 0 || (one_byte && element.id == 15) {
                        return Err(BuildError::Reserved);
                    }
                    let too_large = if one_byte {
                        element.id > 15 || !(1..=16).contains(&element.data.len())
                    } else {
                        element.data.len() > 255
                    };
                    if too_large {
                        return Err(BuildError::TooLarge);
                    }
                    len += if one_byte { 1 } else { 2 } + element.data.len();
                }
                let profile = if one_byte {
                    ONE_BYTE_PROFILE
                } else {
                    TWO_BYTE_PROFILE
                };
                Ok(Some((one_byte, profile, len)))
            }
        }
    }

    /// Length of the header these fields produce: fixed part, CSRCs and extension block.
    ///
    /// # Errors
    /// As [`emit`](Self::emit).
    pub fn header_len(&self) -> Result<usize, BuildError> {
        if self.csrcs.len() > 15 || self.payload_type > 127 {
            return Err(BuildError::TooLarge);
        }
        let mut len = FIXED_HEADER_LEN + 4 * self.csrcs.len();
        if let Some((_, _, data_len)) = self.extension_layout()? {
            let words = data_len.div_ceil(4);
            if words > usize::from(u16::MAX) {
                return Err(BuildError::TooLarge);
            }
            len += 4 + 4 * words;
        }
        Ok(len)
    }

    /// Writes the header at the start of `buffer` with the P bit clear and returns its length.
    ///
    /// # Errors
    /// [`BuildError::TooLarge`] for more than 15 CSRCs, a payload type above 127, an element
    /// that does not fit the chosen form, raw extension data that is not a multiple of four
    /// bytes, an extension block over 65535 words, or a `buffer` shorter than the header;
    /// [`BuildError::Reserved`] for element id 0, or 15 in the one-byte form.
    pub fn emit(&self, buffer: &mut [u8]) -> Result<usize, BuildError> {
        let len = self.header_len()?;
        let Some(out) = buffer.get_mut(..len) else {
            return Err(BuildError::TooLarge);
        };
        let layout = self.extension_layout()?;
        // CSRC count fits four bits: checked by header_len.
        let csrc_count = self.csrcs.len() as u8;
        out[0] = VERSION << 6 | u8::from(layout.is_some()) << 4 | csrc_count;
        out[1] = u8::from(self.marker) << 7 | self.payload_type;
        out[2..4].copy_from_slice(&self.sequence_number.to_be_bytes());
        out[4..8].copy_from_slice(&self.timestamp.to_be_bytes());
        out[8..12].copy_from_slice(&self.ssrc.to_be_bytes());
        let mut at = FIXED_HEADER_LEN;
        for csrc in self.csrcs {
            out[at..at + 4].copy_from_slice(&csrc.to_be_bytes());
            at += 4;
        }
        let Some((one_byte, profile, _)) = layout else {
            return Ok(len);
        };
        out[at..at + 2].copy_from_slice(&profile.to_be_bytes());
        let words = (len - at - 4) / 4;
        // At most 65535 words: checked by header_len.
        out[at + 2..at + 4].copy_from_slice(&(words as u16).to_be_bytes());
        at += 4;
        match self.extensions {
            Extensions::None => {}
            Extensions::Raw { data, .. } => out[at..at + data.len()].copy_from_slice(data),
            Extensions::Elements { elements, .. } => {
                for element in elements {
                    // Lengths fit their fields: checked by extension_layout.
                    let data_len = element.data.len() as u8;
                    if one_byte {
                        out[at] = element.id << 4 | (data_len - 1);
                        at += 1;
                    } else {
                        out[at] = element.id;
                        out[at + 1] = data_len;
                        at += 2;
                    }
                    out[at..at + element.data.len()].copy_from_slice(element.data);
                    at += element.data.len();
                }
                out[at..].fill(0);
            }
        }
        Ok(len)
    }

    /// Replaces the contents of `out` with a whole packet: this header, `payload`, and
    /// `padding` bytes of RTP padding (RFC 3550 §5.1; 0 for none, else the last byte holds the
    /// count and the P bit is set). Reuses `out`'s capacity.
    ///
    /// # Errors
    /// As [`emit`](Self::emit).
    pub fn write_packet(
        &self,
        payload: &[u8],
        padding: u8,
        out: &mut Vec<u8>,
    ) -> Result<(), BuildError> {
        let header_len = self.header_len()?;
        out.clear();
        out.resize(header_len, 0);
        self.emit(out)?;
        out.extend_from_slice(payload);
        if padding > 0 {
            out[0] |= 0x20;
            out.resize(out.len() + usize::from(padding) - 1, 0);
            out.push(padding);
        }
        Ok(())
    }
}
