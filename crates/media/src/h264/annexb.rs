//! NAL units of an access unit in the Annex B byte stream format (H.264 Annex B.1), found
//! without allocating.

use crate::codec::PacketizeError;

/// Bytes of the short start code prefix `00 00 01`.
const PREFIX_LEN: usize = 3;

/// The index of the first byte of the next `00 00 01` at or after `from`, if any.
pub(super) fn find_start_code(data: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i + 2 < data.len() {
        match data[i + 2] {
            // No start code begins at i, i + 1 or i + 2: each needs data[i + 2] <= 1.
            2.. => i += 3,
            1 if data[i] == 0 && data[i + 1] == 0 => return Some(i),
            // A start code at i + 1 or i + 2 would need data[i + 2] == 0.
            1 => i += 3,
            0 => i += 1,
        }
    }
    None
}

/// The NAL units of an Annex B access unit, in order, each without its start code and
/// without the zero bytes that precede the next start code. Empty NAL units are skipped.
#[derive(Debug, Clone)]
pub(super) struct NalUnits<'a> {
    data: &'a [u8],
    /// Where the next NAL unit's bytes begin (just after a start code).
    pos: usize,
}

impl<'a> NalUnits<'a> {
    /// Iterates over the NAL units of `frame`, which must begin with a start code (zero
    /// bytes before it, `leading_zero_8bits`, are allowed).
    ///
    /// # Errors
    /// [`PacketizeError::EmptyFrame`] for an empty frame, [`PacketizeError::MalformedFrame`]
    /// without a start code or with non-zero bytes before the first one.
    pub(super) fn new(frame: &'a [u8]) -> Result<Self, PacketizeError> {
        if frame.is_empty() {
            return Err(PacketizeError::EmptyFrame);
        }
        let first = find_start_code(frame, 0).ok_or(PacketizeError::MalformedFrame)?;
        if frame[..first].iter().any(|&b| b != 0) {
            return Err(PacketizeError::MalformedFrame);
        }
        Ok(Self {
            data: frame,
            pos: first + PREFIX_LEN,
        })
    }
}

impl<'a> Iterator for NalUnits<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        while self.pos < self.data.len() {
            let start = self.pos;
            let end = match find_start_code(self.data, start) {
                Some(next) => {
                    self.pos = next + PREFIX_LEN;
                    next
                }
                None => {
                    self.pos = self.data.len();
                    self.data.len()
                }
            };
            let mut nal = &self.data[start..end];
            // A NAL unit never ends in a zero byte (rbsp_trailing_bits, and emulation
            // prevention after cabac_zero_words): trailing zeros are trailing_zero_8bits.
            while let [rest @ .., 0] = nal {
                nal = rest;
            }
            if !nal.is_empty() {
                return Some(nal);
            }
        }
        None
    }
}
