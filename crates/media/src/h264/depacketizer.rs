//! The receiving half: single NAL unit packets, STAP-A and FU-A into Annex B (RFC 6184
//! §5.6–§5.8, §6.3).

use super::{
    F_BIT, FU_A, FU_B, FU_E_BIT, FU_S_BIT, MTAP16, MTAP24, NRI_MASK, STAP_A, STAP_A_HEADER_LEN,
    STAP_A_SIZE_LEN, STAP_B, START_CODE, TYPE_MASK, is_key_nal_type, is_nal_unit_type,
};
use crate::codec::{DepacketizeError, Depacketizer};

/// Rebuilds H.264 access units from RTP payloads of packetization modes 0 and 1 (RFC 6184
/// §6.2, §6.3), writing each NAL unit after a `00 00 00 01` start code (Annex B).
///
/// Takes single NAL unit packets (types 1–23, §5.6), STAP-A (24, §5.7.1) and FU-A (28, §5.8).
/// The interleaved mode's STAP-B, MTAP16, MTAP24 and FU-B are
/// [`DepacketizeError::Unsupported`]. Reserved types (0, 30, 31) are ignored, as §5.4
/// requires, in every position, so a frame made only of them depacketizes to nothing.
/// Errors:
/// - [`DepacketizeError::Incomplete`]: an FU-A continuation without its start, a start while
///   another fragmented NAL unit is open, a NAL unit type that changes mid-way, another
///   payload before the end fragment, or a frame that ends inside a fragmented NAL unit;
/// - [`DepacketizeError::Malformed`]: forbidden_zero_bit set (in a payload header or an
///   aggregation unit), a STAP-A without units or with an empty unit, a STAP-A unit or an FU
///   of an aggregation or fragmentation type, an FU header with both S and E (§5.8);
/// - [`DepacketizeError::Truncated`]: an empty payload, an FU-A without its FU header, a
///   STAP-A size field cut short or a unit size past the end of the payload.
///
/// It keeps no state between frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct H264Depacketizer;

impl H264Depacketizer {
    /// A depacketizer for packetization modes 0 and 1 (RFC 6184 §6.2, §6.3).
    #[must_use]
    pub const fn new() -> Self {
        Self
    }
}

/// A fragmented NAL unit being rebuilt from FU-As.
#[derive(Debug, Clone, Copy)]
struct OpenFragment {
    /// The type every FU header of this NAL unit must carry.
    nal_type: u8,
    /// Whether the NAL unit is written (a reserved type is ignored, §5.4).
    keep: bool,
}

impl Depacketizer for H264Depacketizer {
    /// A single NAL unit packet, a STAP-A, or an FU-A with S=1 (RFC 6184 §5.6–§5.8).
    fn is_frame_start(&self, payload: &[u8]) -> bool {
        let Some(&header) = payload.first() else {
            return false;
        };
        if header & F_BIT != 0 {
            return false;
        }
        match header & TYPE_MASK {
            STAP_A => true,
            FU_A => payload.get(1).is_some_and(|fu| fu & FU_S_BIT != 0),
            nal_type => is_nal_unit_type(nal_type),
        }
    }

    /// An IDR slice (type 5) or an SPS (type 7): as a single NAL unit, inside a STAP-A, or
    /// as the first FU-A of a fragmented one.
    fn is_keyframe(&self, payload: &[u8]) -> bool {
        let Some(&header) = payload.first() else {
            return false;
        };
        match header & TYPE_MASK {
            STAP_A => {
                let mut units = &payload[STAP_A_HEADER_LEN..];
                while let [hi, lo, rest @ ..] = units {
                    let size = usize::from(u16::from_be_bytes([*hi, *lo]));
                    let Some((unit, tail)) = rest.split_at_checked(size) else {
                        return false;
                    };
                    if unit.first().is_some_and(|h| is_key_nal_type(h & TYPE_MASK)) {
                        return true;
                    }
                    units = tail;
                }
                false
            }
            FU_A => payload
                .get(1)
                .is_some_and(|&fu| fu & FU_S_BIT != 0 && is_key_nal_type(fu & TYPE_MASK)),
            nal_type => is_key_nal_type(nal_type),
        }
    }

    fn depacketize(
        &mut self,
        payloads: &mut dyn Iterator<Item = &[u8]>,
        frame: &mut Vec<u8>,
    ) -> Result<(), DepacketizeError> {
        crate::codec::append_or_restore(frame, |frame| depacketize_into(payloads, frame))
    }
}

/// Appends the NAL units of `payloads` to `frame`; the caller undoes a partial write.
fn depacketize_into(
    payloads: &mut dyn Iterator<Item = &[u8]>,
    frame: &mut Vec<u8>,
) -> Result<(), DepacketizeError> {
    let mut open: Option<OpenFragment> = None;
    for payload in payloads {
        let (&header, body) = payload.split_first().ok_or(DepacketizeError::Truncated)?;
        if header & F_BIT != 0 {
            return Err(DepacketizeError::Malformed);
        }
        let payload_type = header & TYPE_MASK;
        if payload_type == FU_A {
            open = fragment(header, body, open, frame)?;
            continue;
        }
        if open.is_some() {
            // The fragmented NAL unit lost its end.
            return Err(DepacketizeError::Incomplete);
        }
        match payload_type {
            STAP_A => aggregate(body, frame)?,
            STAP_B | MTAP16 | MTAP24 | FU_B => return Err(DepacketizeError::Unsupported),
            nal_type if is_nal_unit_type(nal_type) => {
                frame.extend_from_slice(&START_CODE);
                frame.extend_from_slice(payload);
            }
            // Reserved: 0, 30, 31 (§5.4).
            _ => {}
        }
    }
    if open.is_some() {
        return Err(DepacketizeError::Incomplete);
    }
    Ok(())
}

/// Writes the aggregation units of a STAP-A (RFC 6184 §5.7.1), `body` following its header.
fn aggregate(body: &[u8], frame: &mut Vec<u8>) -> Result<(), DepacketizeError> {
    if body.is_empty() {
        return Err(DepacketizeError::Malformed);
    }
    let mut units = body;
    while !units.is_empty() {
        let Some((size, rest)) = units.split_first_chunk::<STAP_A_SIZE_LEN>() else {
            return Err(DepacketizeError::Truncated);
        };
        let size = usize::from(u16::from_be_bytes(*size));
        let (unit, tail) = rest
            .split_at_checked(size)
            .ok_or(DepacketizeError::Truncated)?;
        let Some(&unit_header) = unit.first() else {
            return Err(DepacketizeError::Malformed);
        };
        let nal_type = unit_header & TYPE_MASK;
        if unit_header & F_BIT != 0 || (STAP_A..=FU_B).contains(&nal_type) {
            return Err(DepacketizeError::Malformed);
        }
        if is_nal_unit_type(nal_type) {
            frame.extend_from_slice(&START_CODE);
            frame.extend_from_slice(unit);
        }
        units = tail;
    }
    Ok(())
}

/// Takes one FU-A (RFC 6184 §5.8), `indicator` its FU indicator and `body` what follows;
/// returns the fragmented NAL unit still open after it.
fn fragment(
    indicator: u8,
    body: &[u8],
    open: Option<OpenFragment>,
    frame: &mut Vec<u8>,
) -> Result<Option<OpenFragment>, DepacketizeError> {
    let (&fu_header, data) = body.split_first().ok_or(DepacketizeError::Truncated)?;
    let (start, end) = (fu_header & FU_S_BIT != 0, fu_header & FU_E_BIT != 0);
    // The R bit (0x20) MUST be ignored by the receiver.
    let nal_type = fu_header & TYPE_MASK;
    if (start && end) || (STAP_A..=FU_B).contains(&nal_type) {
        return Err(DepacketizeError::Malformed);
    }
    let current = match (start, open) {
        (true, None) => {
            let keep = is_nal_unit_type(nal_type);
            if keep {
                frame.extend_from_slice(&START_CODE);
                frame.push((indicator & (F_BIT | NRI_MASK)) | nal_type);
            }
            OpenFragment { nal_type, keep }
        }
        (false, Some(open)) if open.nal_type == nal_type => open,
        // A start inside another fragmented NAL unit, a continuation without its start, or
        // a type change mid-way: fragments were lost.
        _ => return Err(DepacketizeError::Incomplete),
    };
    if current.keep {
        frame.extend_from_slice(data);
    }
    Ok(if end { None } else { Some(current) })
}
