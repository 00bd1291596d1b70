//! The receiving half: OBU elements back into a low-overhead temporal unit (AV1 RTP §4.4,
//! §4.5, §5).

use super::leb128::{self, Leb128Error};
use super::obu::{FORBIDDEN_BIT, HAS_SIZE_FIELD, header_len, is_dropped};
use super::{N_BIT, W_SHIFT, Y_BIT, Z_BIT};
use crate::codec::{DepacketizeError, Depacketizer};

/// Rebuilds AV1 temporal units from RTP payloads (AV1 RTP §4.4, §4.5), in the low-overhead
/// bitstream format: every OBU with `obu_has_size_field` set and its leb128 size.
///
/// OBU fragments are joined across payloads following Z and Y. An OBU that already carries
/// a size field is kept as it is once its size is checked against the element. Temporal
/// delimiters and tile lists are ignored, as §5 requires. Errors:
/// - [`DepacketizeError::Incomplete`]: the first payload has Z=1, Z disagrees with the
///   previous payload's Y (a fragment lost its start or its end), or the last payload has
///   Y=1;
/// - [`DepacketizeError::Truncated`]: an empty payload, a length field or an element past
///   the end of the payload (also when W counts more elements than there are), an OBU
///   shorter than its header;
/// - [`DepacketizeError::Malformed`]: a leb128 over 8 bytes or above 2^32 − 1, W=0 without
///   elements, an empty OBU, obu_forbidden_bit set, an OBU whose own size field disagrees
///   with its element.
///
/// It keeps no state between frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Av1Depacketizer;

impl Av1Depacketizer {
    /// A depacketizer (AV1 RTP §4.4, §4.5).
    #[must_use]
    pub const fn new() -> Self {
        Self
    }
}

impl Depacketizer for Av1Depacketizer {
    /// Z=0: the payload's first element is not the continuation of an OBU (§4.4).
    fn is_frame_start(&self, payload: &[u8]) -> bool {
        payload.first().is_some_and(|h| h & Z_BIT == 0)
    }

    /// N=1: the first packet of a coded video sequence (§4.4).
    fn is_keyframe(&self, payload: &[u8]) -> bool {
        payload.first().is_some_and(|h| h & N_BIT != 0)
    }

    fn depacketize(
        &mut self,
        payloads: &mut dyn Iterator<Item = &[u8]>,
        frame: &mut Vec<u8>,
    ) -> Result<(), DepacketizeError> {
        crate::codec::append_or_restore(frame, |frame| depacketize_into(payloads, frame))
    }
}

const fn leb128_error(e: Leb128Error) -> DepacketizeError {
    match e {
        Leb128Error::Truncated => DepacketizeError::Truncated,
        Leb128Error::Overflow => DepacketizeError::Malformed,
    }
}

/// Appends the OBUs of `payloads` to `frame`; the caller undoes a partial write.
fn depacketize_into(
    payloads: &mut dyn Iterator<Item = &[u8]>,
    frame: &mut Vec<u8>,
) -> Result<(), DepacketizeError> {
    // Where the OBU being joined from fragments starts in `frame`.
    let mut open: Option<usize> = None;
    for payload in payloads {
        let (&header, mut rest) = payload.split_first().ok_or(DepacketizeError::Truncated)?;
        let (z, y) = (header & Z_BIT != 0, header & Y_BIT != 0);
        if z != open.is_some() {
            return Err(DepacketizeError::Incomplete);
        }
        let w = usize::from((header >> W_SHIFT) & 0b11);
        if w == 0 && rest.is_empty() {
            return Err(DepacketizeError::Malformed);
        }
        let mut index = 0;
        while if w == 0 { !rest.is_empty() } else { index < w } {
            let element = if index + 1 == w {
                std::mem::take(&mut rest)
            } else {
                let (size, size_len) = leb128::read(rest).map_err(leb128_error)?;
                let (element, tail) = rest[size_len..]
                    .split_at_checked(size)
                    .ok_or(DepacketizeError::Truncated)?;
                rest = tail;
                element
            };
            let continues = index == 0 && z;
            let is_last = if w == 0 {
                rest.is_empty()
            } else {
                index + 1 == w
            };
            let continued = is_last && y;
            match (continues, continued) {
                (false, false) => write_obu(element, frame)?,
                (false, true) => {
                    open = Some(frame.len());
                    frame.extend_from_slice(element);
                }
                (true, true) => frame.extend_from_slice(element),
                (true, false) => {
                    let Some(start) = open.take() else {
                        return Err(DepacketizeError::Incomplete);
                    };
                    frame.extend_from_slice(element);
                    finish_obu(frame, start)?;
                }
            }
            index += 1;
        }
    }
    if open.is_some() {
        return Err(DepacketizeError::Incomplete);
    }
    Ok(())
}

/// How an OBU as received becomes an OBU of the low-overhead format.
enum Layout {
    /// A temporal delimiter or a tile list: left out.
    Dropped,
    /// It has its size field already, consistent with its length: kept as it is.
    Sized,
    /// Its header takes this many bytes; a size field goes after them.
    Unsized { header_len: usize },
}

/// Reads the header of a whole OBU as received.
fn layout(obu: &[u8]) -> Result<Layout, DepacketizeError> {
    let &header = obu.first().ok_or(DepacketizeError::Malformed)?;
    if header & FORBIDDEN_BIT != 0 {
        return Err(DepacketizeError::Malformed);
    }
    let header_len = header_len(header);
    if obu.len() < header_len {
        return Err(DepacketizeError::Truncated);
    }
    if is_dropped(header) {
        return Ok(Layout::Dropped);
    }
    if header & HAS_SIZE_FIELD == 0 {
        return Ok(Layout::Unsized { header_len });
    }
    let (size, size_len) = leb128::read(&obu[header_len..]).map_err(leb128_error)?;
    if header_len + size_len + size != obu.len() {
        return Err(DepacketizeError::Malformed);
    }
    Ok(Layout::Sized)
}

/// Appends a whole OBU received in one element, with its size field.
fn write_obu(obu: &[u8], frame: &mut Vec<u8>) -> Result<(), DepacketizeError> {
    match layout(obu)? {
        Layout::Dropped => {}
        Layout::Sized => frame.extend_from_slice(obu),
        Layout::Unsized { header_len } => {
            frame.push(obu[0] | HAS_SIZE_FIELD);
            frame.extend_from_slice(&obu[1..header_len]);
            leb128::write(obu.len() - header_len, frame);
            frame.extend_from_slice(&obu[header_len..]);
        }
    }
    Ok(())
}

/// Turns the OBU joined from fragments at `frame[start..]` into one with its size field, in
/// place.
fn finish_obu(frame: &mut Vec<u8>, start: usize) -> Result<(), DepacketizeError> {
    match layout(&frame[start..])? {
        Layout::Dropped => frame.truncate(start),
        Layout::Sized => {}
        Layout::Unsized { header_len } => {
            let payload_at = start + header_len;
            let end = frame.len();
            let size = end - payload_at;
            let size_len = leb128::len(size);
            frame.resize(end + size_len, 0);
            frame.copy_within(payload_at..end, payload_at + size_len);
            leb128::write_into(size, &mut frame[payload_at..payload_at + size_len]);
            frame[start] |= HAS_SIZE_FIELD;
        }
    }
    Ok(())
}
