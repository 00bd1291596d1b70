//! OBU headers (AV1 §5.3.1–§5.3.3) and the OBUs of a temporal unit in the low-overhead
//! bitstream format (AV1 §5.2), read without allocating.

use super::leb128;

/// obu_forbidden_bit (AV1 §5.3.2).
pub(super) const FORBIDDEN_BIT: u8 = 0x80;
/// obu_type (AV1 §5.3.2).
const TYPE_SHIFT: u32 = 3;
/// obu_extension_flag: an extension header byte follows (AV1 §5.3.2).
pub(super) const EXTENSION_FLAG: u8 = 0x04;
/// obu_has_size_field: obu_size follows the header (AV1 §5.3.2).
pub(super) const HAS_SIZE_FIELD: u8 = 0x02;
/// temporal_id and spatial_id in the extension header (AV1 §5.3.3); the rest is reserved.
const LAYER_MASK: u8 = 0xf8;

/// OBU_SEQUENCE_HEADER (AV1 §6.2.2).
const SEQUENCE_HEADER: u8 = 1;
/// OBU_TEMPORAL_DELIMITER (AV1 §6.2.2).
const TEMPORAL_DELIMITER: u8 = 2;
/// OBU_TILE_LIST (AV1 §6.2.2).
const TILE_LIST: u8 = 8;

/// The obu_type of an OBU header byte.
pub(super) const fn obu_type(header: u8) -> u8 {
    (header >> TYPE_SHIFT) & 0x0f
}

/// Whether an OBU of this header is left out of RTP: temporal delimiters and tile lists
/// SHOULD be removed by senders and MUST be ignored by receivers (AV1 RTP §5).
pub(super) const fn is_dropped(header: u8) -> bool {
    matches!(obu_type(header), TEMPORAL_DELIMITER | TILE_LIST)
}

/// Bytes of the OBU header for this header byte: 1, or 2 with an extension header.
pub(super) const fn header_len(header: u8) -> usize {
    if header & EXTENSION_FLAG == 0 { 1 } else { 2 }
}

/// One OBU as an RTP OBU element carries it: header (obu_has_size_field cleared), extension
/// header if any, payload.
#[derive(Debug, Clone, Copy)]
pub(super) struct Obu<'a> {
    /// The header bytes, `head[1]` only with an extension.
    head: [u8; 2],
    /// The OBU payload (without header and size field).
    payload: &'a [u8],
}

impl<'a> Obu<'a> {
    /// The OBU header byte (size field flag cleared).
    pub(super) const fn header(&self) -> u8 {
        self.head[0]
    }

    /// Whether this is a sequence header OBU.
    pub(super) const fn is_sequence_header(&self) -> bool {
        obu_type(self.head[0]) == SEQUENCE_HEADER
    }

    /// temporal_id and spatial_id from the extension header, if there is one.
    pub(super) const fn layer(&self) -> Option<u8> {
        if self.head[0] & EXTENSION_FLAG == 0 {
            None
        } else {
            Some(self.head[1] & LAYER_MASK)
        }
    }

    /// Bytes of the OBU without a size field.
    pub(super) const fn len(&self) -> usize {
        header_len(self.head[0]) + self.payload.len()
    }

    /// Appends bytes `from..to` of the OBU without a size field.
    pub(super) fn write_range(&self, from: usize, to: usize, out: &mut Vec<u8>) {
        let head_len = header_len(self.head[0]);
        if from < head_len {
            out.extend_from_slice(&self.head[from..head_len.min(to)]);
        }
        if to > head_len {
            out.extend_from_slice(&self.payload[from.max(head_len) - head_len..to - head_len]);
        }
    }
}

/// Why a temporal unit could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct MalformedObu;

/// The OBUs of a temporal unit in the low-overhead bitstream format (AV1 §5.2, §5.3.1). An
/// OBU without a size field runs to the end of the temporal unit.
#[derive(Debug, Clone)]
pub(super) struct Obus<'a> {
    rest: &'a [u8],
}

impl<'a> Obus<'a> {
    /// Iterates over the OBUs of `temporal_unit`.
    pub(super) const fn new(temporal_unit: &'a [u8]) -> Self {
        Self {
            rest: temporal_unit,
        }
    }

    fn read(&mut self) -> Result<Obu<'a>, MalformedObu> {
        let (&header, after) = self.rest.split_first().ok_or(MalformedObu)?;
        if header & FORBIDDEN_BIT != 0 {
            return Err(MalformedObu);
        }
        let (extension, after) = if header & EXTENSION_FLAG == 0 {
            (0, after)
        } else {
            let (&extension, after) = after.split_first().ok_or(MalformedObu)?;
            (extension, after)
        };
        let payload;
        (payload, self.rest) = if header & HAS_SIZE_FIELD == 0 {
            (after, &[][..])
        } else {
            let (size, size_len) = leb128::read(after).map_err(|_| MalformedObu)?;
            after[size_len..]
                .split_at_checked(size)
                .ok_or(MalformedObu)?
        };
        Ok(Obu {
            head: [header & !HAS_SIZE_FIELD, extension],
            payload,
        })
    }
}

impl<'a> Iterator for Obus<'a> {
    type Item = Result<Obu<'a>, MalformedObu>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let obu = self.read();
        if obu.is_err() {
            self.rest = &[];
        }
        Some(obu)
    }
}
