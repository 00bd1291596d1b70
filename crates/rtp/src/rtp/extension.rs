//! RTP header extensions: the block of RFC 3550 §5.3.1 and its one-byte and two-byte element
//! forms (RFC 8285 §4.2, §4.3).

use crate::error::{ParseError, ParseErrorKind};

/// The "defined by profile" value of the one-byte form (RFC 8285 §4.2).
pub const ONE_BYTE_PROFILE: u16 = 0xBEDE;

/// The "defined by profile" value of the two-byte form, without the four `appbits`
/// (RFC 8285 §4.3): `0x100` followed by four bits.
pub const TWO_BYTE_PROFILE: u16 = 0x1000;

/// Which layout the extension block uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExtensionForm {
    /// One-byte headers, ids 1..=14, 1..=16 bytes of data each (RFC 8285 §4.2).
    OneByte,
    /// Two-byte headers, ids 1..=255, 0..=255 bytes of data each (RFC 8285 §4.3), with the
    /// four application bits of the profile field.
    TwoByte {
        /// The low four bits of the profile field (`appbits`).
        app_bits: u8,
    },
    /// A profile-specific block that is not RFC 8285 (RFC 3550 §5.3.1): the data is opaque.
    Other,
}

impl ExtensionForm {
    /// The form a "defined by profile" value selects.
    pub fn from_profile(profile: u16) -> Self {
        if profile == ONE_BYTE_PROFILE {
            Self::OneByte
        } else if profile & 0xfff0 == TWO_BYTE_PROFILE {
            Self::TwoByte {
                app_bits: (profile & 0x0f) as u8,
            }
        } else {
            Self::Other
        }
    }
}

/// One extension element: a local identifier (negotiated with `a=extmap`) and its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Element<'a> {
    /// The local identifier: 1..=14 in the one-byte form, 1..=255 in the two-byte form.
    pub id: u8,
    /// The element's data.
    pub data: &'a [u8],
}

/// A header extension block (RFC 3550 §5.3.1): the 16-bit profile value and the data words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeaderExtension<'a> {
    profile: u16,
    data: &'a [u8],
    offset: usize,
}

impl<'a> HeaderExtension<'a> {
    pub(crate) fn new(profile: u16, data: &'a [u8], offset: usize) -> Self {
        Self {
            profile,
            data,
            offset,
        }
    }

    /// The 16-bit "defined by profile" field.
    pub fn profile(&self) -> u16 {
        self.profile
    }

    /// The layout the profile field selects.
    pub fn form(&self) -> ExtensionForm {
        ExtensionForm::from_profile(self.profile)
    }

    /// The raw data words after the 4-byte block header (a multiple of 4 bytes).
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// Offset of [`data`](Self::data) from the start of the packet.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The RFC 8285 elements in order; padding bytes are skipped. After a malformed element
    /// the iterator yields one error and ends. A block of [`ExtensionForm::Other`] yields no
    /// elements.
    pub fn elements(&self) -> Elements<'a> {
        Elements {
            data: self.data,
            form: self.form(),
            pos: 0,
            offset: self.offset,
            done: false,
        }
    }

    /// Checks every element of the block.
    ///
    /// # Errors
    /// [`ParseErrorKind::BadExtension`] at the offending element.
    pub fn validate(&self) -> Result<(), ParseError> {
        self.elements().try_for_each(|e| e.map(drop))
    }

    /// The data of the first element with local identifier `id`.
    pub fn find(&self, id: u8) -> Option<&'a [u8]> {
        let (start, len) = self.locate(id)?;
        Some(&self.data[start..start + len])
    }

    /// Where the data of element `id` sits in [`data`](Self::data): start and length.
    pub(crate) fn locate(&self, id: u8) -> Option<(usize, usize)> {
        let mut elements = self.elements();
        loop {
            let element = elements.next()?.ok()?;
            if element.id == id {
                // The iterator stands just past the element's data.
                return Some((elements.pos - element.data.len(), element.data.len()));
            }
        }
    }
}

/// Iterator over the elements of a [`HeaderExtension`], from
/// [`HeaderExtension::elements`]. Allocation-free.
#[derive(Debug, Clone)]
pub struct Elements<'a> {
    data: &'a [u8],
    form: ExtensionForm,
    pos: usize,
    offset: usize,
    done: bool,
}

impl<'a> Elements<'a> {
    fn fail(&mut self, at: usize) -> Option<Result<Element<'a>, ParseError>> {
        self.done = true;
        Some(Err(ParseError::new(
            ParseErrorKind::BadExtension,
            self.offset + at,
        )))
    }
}

impl<'a> Iterator for Elements<'a> {
    type Item = Result<Element<'a>, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let two_byte = match self.form {
            ExtensionForm::OneByte => false,
            ExtensionForm::TwoByte { .. } => true,
            ExtensionForm::Other => return None,
        };
        // Padding bytes may sit between and after elements (RFC 8285 §4.1). In the one-byte
        // form any byte with id 0 is skipped alone, whatever its length bits say, as libwebrtc
        // does.
        let padding_mask = if two_byte { 0xff } else { 0xf0 };
        while self
            .data
            .get(self.pos)
            .is_some_and(|b| b & padding_mask == 0)
        {
            self.pos += 1;
        }
        let at = self.pos;
        let &first = self.data.get(at)?;
        let (id, len, header) = if two_byte {
            let Some(&len) = self.data.get(at + 1) else {
                return self.fail(at);
            };
            (first, usize::from(len), 2)
        } else {
            let id = first >> 4;
            if id == 15 {
                // Reserved: processing of the block stops here (RFC 8285 §4.2).
                self.done = true;
                return None;
            }
            (id, usize::from(first & 0x0f) + 1, 1)
        };
        let start = at + header;
        let Some(data) = self.data.get(start..start + len) else {
            return self.fail(at);
        };
        self.pos = start + len;
        Some(Ok(Element { id, data }))
    }
}
