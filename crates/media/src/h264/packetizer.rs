//! The sending half: single NAL unit packets, STAP-A and FU-A (RFC 6184 §5.6–§5.8, §6.2–§6.3).

use super::annexb::NalUnits;
use super::{
    F_BIT, FU_A, FU_A_HEADER_LEN, FU_E_BIT, FU_S_BIT, NRI_MASK, STAP_A, STAP_A_HEADER_LEN,
    STAP_A_SIZE_LEN, TYPE_MASK, is_nal_unit_type,
};
use crate::codec::{PacketizeError, Packetizer};

/// The `packetization-mode` media type parameter (RFC 6184 §5.4, §8.1): which payload
/// structures the sender may use. The interleaved mode (2) is not offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum PacketizationMode {
    /// Mode 0, single NAL unit mode (RFC 6184 §6.2): one NAL unit per payload, so a NAL unit
    /// larger than the payload size cannot be sent.
    SingleNalUnit,
    /// Mode 1, non-interleaved mode (RFC 6184 §6.3): single NAL unit packets, STAP-A and
    /// FU-A, in NAL unit decoding order. What browsers offer and the default.
    #[default]
    NonInterleaved,
}

impl PacketizationMode {
    /// The mode for a `packetization-mode` fmtp value (RFC 6184 §8.1): `Some` for 0 and 1,
    /// `None` for the interleaved mode 2 and for values the RFC does not define.
    #[must_use]
    pub const fn from_fmtp(value: u8) -> Option<Self> {
        match value {
            0 => Some(Self::SingleNalUnit),
            1 => Some(Self::NonInterleaved),
            _ => None,
        }
    }

    /// The `packetization-mode` fmtp value of this mode (RFC 6184 §8.1).
    #[must_use]
    pub const fn fmtp_value(self) -> u8 {
        match self {
            Self::SingleNalUnit => 0,
            Self::NonInterleaved => 1,
        }
    }
}

/// Splits H.264 access units (Annex B) into RTP payloads (RFC 6184).
///
/// In [`PacketizationMode::NonInterleaved`] it sends runs of consecutive NAL units that fit
/// together as one STAP-A (§5.7.1: parameter sets with the slice behind them, small slices),
/// a NAL unit that fits alone as a single NAL unit packet (§5.6), and a NAL unit larger than
/// `max_payload` as FU-As (§5.8) of sizes as even as possible. In
/// [`PacketizationMode::SingleNalUnit`] every NAL unit is its own payload.
///
/// A frame is refused as [`PacketizeError::MalformedFrame`] when it has no start code, has
/// bytes other than zeros before the first start code, holds no NAL unit, or holds a NAL unit
/// with forbidden_zero_bit set or of a type RTP cannot carry (0, 24 to 31: RFC 6184 §5.4).
/// `max_payload` is too small ([`PacketizeError::PayloadSizeTooSmall`]) when a NAL unit is
/// larger than it in mode 0, or, in mode 1, when it leaves an FU-A no byte of NAL unit.
#[derive(Debug, Clone, Default)]
pub struct H264Packetizer {
    mode: PacketizationMode,
    /// The STAP-A or FU-A being built; its capacity grows to `max_payload` and stays.
    pub(super) scratch: Vec<u8>,
}

impl H264Packetizer {
    /// A packetizer for the negotiated `packetization-mode` (RFC 6184 §8.1).
    #[must_use]
    pub const fn new(mode: PacketizationMode) -> Self {
        Self {
            mode,
            scratch: Vec::new(),
        }
    }

    /// The packetization mode this packetizer follows (RFC 6184 §5.4).
    #[must_use]
    pub const fn mode(&self) -> PacketizationMode {
        self.mode
    }

    /// Checks every NAL unit of `frame` before anything is emitted.
    fn validate(&self, frame: &[u8], max_payload: usize) -> Result<(), PacketizeError> {
        let mut any = false;
        for nal in NalUnits::new(frame)? {
            let header = nal[0];
            if header & F_BIT != 0 || !is_nal_unit_type(header & TYPE_MASK) {
                return Err(PacketizeError::MalformedFrame);
            }
            if nal.len() > max_payload {
                let fits_fragmented = max_payload > FU_A_HEADER_LEN;
                if self.mode == PacketizationMode::SingleNalUnit || !fits_fragmented {
                    return Err(PacketizeError::PayloadSizeTooSmall);
                }
            }
            any = true;
        }
        if any {
            Ok(())
        } else {
            Err(PacketizeError::MalformedFrame)
        }
    }
}

impl Packetizer for H264Packetizer {
    fn packetize(
        &mut self,
        frame: &[u8],
        max_payload: usize,
        emit: &mut dyn FnMut(&[u8]),
    ) -> Result<usize, PacketizeError> {
        self.validate(frame, max_payload)?;
        let nal_units = NalUnits::new(frame)?;
        if self.mode == PacketizationMode::SingleNalUnit {
            let mut count = 0;
            for nal in nal_units {
                emit(nal);
                count += 1;
            }
            return Ok(count);
        }
        let mut out = NonInterleaved {
            max_payload,
            scratch: &mut self.scratch,
            emit,
            first: None,
            aggregated: 0,
            nri: 0,
            count: 0,
        };
        for nal in nal_units {
            out.push(nal);
        }
        out.flush();
        Ok(out.count)
    }
}

/// Mode 1 packetization of one access unit, NAL unit by NAL unit.
struct NonInterleaved<'a, 'f> {
    max_payload: usize,
    scratch: &'a mut Vec<u8>,
    emit: &'a mut dyn FnMut(&[u8]),
    /// The first NAL unit of the run being aggregated, not yet written anywhere.
    first: Option<&'f [u8]>,
    /// NAL units written to the STAP-A in `scratch` (0 while the run has one NAL unit).
    aggregated: usize,
    /// The largest NRI among them.
    nri: u8,
    /// Payloads emitted.
    count: usize,
}

impl<'f> NonInterleaved<'_, 'f> {
    /// Sends `nal` or keeps it to aggregate with the next ones.
    fn push(&mut self, nal: &'f [u8]) {
        if nal.len() > self.max_payload {
            self.flush();
            self.fragment(nal);
            return;
        }
        // An aggregation unit's size field has 16 bits (RFC 6184 §5.7.1).
        if u16::try_from(nal.len()).is_err() {
            self.flush();
            self.send(nal);
            return;
        }
        let Some(first) = self.first else {
            self.first = Some(nal);
            return;
        };
        let stap_len = if self.aggregated == 0 {
            STAP_A_HEADER_LEN + STAP_A_SIZE_LEN + first.len()
        } else {
            self.scratch.len()
        };
        if stap_len + STAP_A_SIZE_LEN + nal.len() > self.max_payload {
            self.flush();
            self.first = Some(nal);
            return;
        }
        if self.aggregated == 0 {
            self.scratch.clear();
            self.scratch.push(STAP_A);
            append_unit(self.scratch, first);
            self.aggregated = 1;
            self.nri = first[0] & NRI_MASK;
        }
        append_unit(self.scratch, nal);
        self.aggregated += 1;
        self.nri = self.nri.max(nal[0] & NRI_MASK);
    }

    /// Sends the run being aggregated: a STAP-A, or the lone NAL unit as it is.
    fn flush(&mut self) {
        let Some(first) = self.first.take() else {
            return;
        };
        if self.aggregated == 0 {
            self.send(first);
            return;
        }
        self.aggregated = 0;
        // F is the OR of the units' F bits (all 0 here), NRI their maximum (§5.7).
        self.scratch[0] = self.nri | STAP_A;
        (self.emit)(self.scratch);
        self.count += 1;
    }

    /// Sends a NAL unit larger than `max_payload` as FU-As (RFC 6184 §5.8), the fragments
    /// as even as possible. The caller checked `max_payload > FU_A_HEADER_LEN`.
    fn fragment(&mut self, nal: &[u8]) {
        let (&header, body) = nal.split_first().unwrap_or((&0, &[]));
        let max_fragment = self.max_payload - FU_A_HEADER_LEN;
        // body.len() >= max_payload > max_fragment, so there are at least two fragments,
        // and never one FU with both S and E set (§5.8).
        let fragments = body.len().div_ceil(max_fragment);
        let (base, longer) = (body.len() / fragments, body.len() % fragments);
        let indicator = (header & (F_BIT | NRI_MASK)) | FU_A;
        let mut at = 0;
        for i in 0..fragments {
            let size = base + usize::from(i < longer);
            let mut fu_header = header & TYPE_MASK;
            if i == 0 {
                fu_header |= FU_S_BIT;
            }
            if i + 1 == fragments {
                fu_header |= FU_E_BIT;
            }
            self.scratch.clear();
            self.scratch.extend_from_slice(&[indicator, fu_header]);
            self.scratch.extend_from_slice(&body[at..at + size]);
            at += size;
            (self.emit)(self.scratch);
            self.count += 1;
        }
    }

    /// Sends one NAL unit as a single NAL unit packet (RFC 6184 §5.6).
    fn send(&mut self, nal: &[u8]) {
        (self.emit)(nal);
        self.count += 1;
    }
}

/// Appends an aggregation unit (16-bit size, then the NAL unit) to a STAP-A (§5.7.1). The
/// caller checked that the size fits 16 bits.
fn append_unit(stap: &mut Vec<u8>, nal: &[u8]) {
    let size = u16::try_from(nal.len()).unwrap_or(u16::MAX);
    stap.extend_from_slice(&size.to_be_bytes());
    stap.extend_from_slice(nal);
}
