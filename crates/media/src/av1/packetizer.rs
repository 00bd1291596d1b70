//! The sending half: OBUs into aggregated and fragmented OBU elements (AV1 RTP §4.4, §4.5,
//! §5).

use super::obu::{Obu, Obus, is_dropped};
use super::{AGGREGATION_HEADER_LEN, N_BIT, W_MAX, W_SHIFT, Y_BIT, Z_BIT, leb128};
use crate::codec::{PacketizeError, Packetizer};

/// Splits AV1 temporal units (low-overhead bitstream format) into RTP payloads (AV1 RTP §4,
/// §5).
///
/// Temporal delimiter and tile list OBUs are dropped (§5); every other OBU is sent with
/// `obu_has_size_field` cleared (§4.5). OBU elements fill each payload up to `max_payload`
/// in order: an OBU that does not fit the rest of a payload is fragmented across payloads
/// (Z and Y, §4.4), and W is the element count whenever it is 3 or less, saving the last
/// element's length field. A new payload is started for a sequence header OBU (it SHOULD be
/// the first of its packet, §5), for an OBU whose temporal_id and spatial_id differ from
/// those of an OBU with an extension header already in the payload (a MUST, §5), and for an
/// OBU without extension header after one with (those SHOULD come first, §5). N is set on
/// the first payload when the temporal unit's first OBU is a sequence header (a new coded
/// video sequence, §4.4).
///
/// Refuses an empty frame or one with only temporal delimiters and tile lists
/// ([`PacketizeError::EmptyFrame`]), OBUs that do not parse (forbidden bit set, truncated
/// header, a leb128 size over 8 bytes or 2^32 − 1, a size past the end:
/// [`PacketizeError::MalformedFrame`]), and a `max_payload` below 2
/// ([`PacketizeError::PayloadSizeTooSmall`]).
#[derive(Debug, Clone, Default)]
pub struct Av1Packetizer {
    /// The payload being built; its capacity grows to `max_payload` and stays.
    pub(super) scratch: Vec<u8>,
}

impl Av1Packetizer {
    /// A packetizer (AV1 RTP §4, §5).
    #[must_use]
    pub const fn new() -> Self {
        Self {
            scratch: Vec::new(),
        }
    }
}

impl Packetizer for Av1Packetizer {
    fn packetize(
        &mut self,
        frame: &[u8],
        max_payload: usize,
        emit: &mut dyn FnMut(&[u8]),
    ) -> Result<usize, PacketizeError> {
        if frame.is_empty() {
            return Err(PacketizeError::EmptyFrame);
        }
        let mut first_sent = None;
        for obu in Obus::new(frame) {
            let obu = obu.map_err(|_| PacketizeError::MalformedFrame)?;
            if first_sent.is_none() && !is_dropped(obu.header()) {
                first_sent = Some(obu);
            }
        }
        let first_sent = first_sent.ok_or(PacketizeError::EmptyFrame)?;
        if max_payload < AGGREGATION_HEADER_LEN + 1 {
            return Err(PacketizeError::PayloadSizeTooSmall);
        }
        self.scratch.clear();
        self.scratch.push(0);
        let mut packer = Packer {
            max_payload,
            scratch: &mut self.scratch,
            emit,
            new_sequence: first_sent.is_sequence_header(),
            count: 0,
            starts_with_fragment: false,
            layer: None,
            last: None,
            emitted: 0,
        };
        for obu in Obus::new(frame).flatten() {
            if !is_dropped(obu.header()) {
                packer.push(&obu);
            }
        }
        if packer.count > 0 {
            packer.flush();
        }
        Ok(packer.emitted)
    }
}

/// The last OBU element of the payload being built: bytes `from..to` of `obu`. It is written
/// only when the payload is closed or another element follows, because whether it gets a
/// length field depends on that.
#[derive(Debug, Clone, Copy)]
struct Element<'f> {
    obu: Obu<'f>,
    from: usize,
    to: usize,
}

impl Element<'_> {
    const fn len(&self) -> usize {
        self.to - self.from
    }
}

/// Fills payloads with OBU elements, one temporal unit at a time.
struct Packer<'a, 'f> {
    max_payload: usize,
    /// The aggregation header placeholder and every element but the last, with lengths.
    scratch: &'a mut Vec<u8>,
    emit: &'a mut dyn FnMut(&[u8]),
    /// The temporal unit starts a coded video sequence: N on the first payload.
    new_sequence: bool,
    /// OBU elements in the payload being built, the last one included.
    count: usize,
    /// Its first element continues an OBU of the previous payload (Z).
    starts_with_fragment: bool,
    /// temporal_id and spatial_id of its OBUs with an extension header.
    layer: Option<u8>,
    /// Its last element.
    last: Option<Element<'f>>,
    /// Payloads emitted.
    emitted: usize,
}

impl<'f> Packer<'_, 'f> {
    /// Adds one OBU, fragmenting it across payloads as needed.
    fn push(&mut self, obu: &Obu<'f>) {
        // After an OBU of one layer, only OBUs of that layer: others MUST NOT share the
        // packet, OBUs without extension SHOULD lead one (§5).
        let other_layer = self.layer.is_some() && obu.layer() != self.layer;
        if self.count > 0 && (obu.is_sequence_header() || other_layer) {
            self.flush();
        }
        let len = obu.len();
        let mut from = 0;
        while from < len {
            let left = len - from;
            if self.count == 0 {
                // A fresh payload: one element, no length field (W=1).
                let room = self.max_payload - AGGREGATION_HEADER_LEN;
                let to = from + left.min(room);
                self.starts_with_fragment = from > 0;
                self.add(obu, from, to);
                if to < len {
                    self.flush();
                }
                from = to;
                continue;
            }
            // Writing the current last element with its length field, then this one.
            let used = self.scratch.len() + self.last.map_or(0, |e| leb128::len(e.len()) + e.len());
            let room = self.max_payload.saturating_sub(used);
            let needs_length = self.count + 1 > W_MAX;
            let cost = |size: usize| size + if needs_length { leb128::len(size) } else { 0 };
            if cost(left) <= room {
                self.add(obu, from, len);
                return;
            }
            let fragment = largest_fragment(room, needs_length);
            if fragment == 0 {
                self.flush();
                continue;
            }
            self.add(obu, from, from + fragment);
            self.flush();
            from += fragment;
        }
    }

    /// Makes bytes `from..to` of `obu` the payload's last element.
    fn add(&mut self, obu: &Obu<'f>, from: usize, to: usize) {
        if let Some(previous) = self.last.take() {
            leb128::write(previous.len(), self.scratch);
            previous
                .obu
                .write_range(previous.from, previous.to, self.scratch);
        }
        self.last = Some(Element {
            obu: *obu,
            from,
            to,
        });
        self.count += 1;
        if let Some(layer) = obu.layer() {
            self.layer = Some(layer);
        }
    }

    /// Writes the last element and the aggregation header, emits the payload and starts the
    /// next one.
    fn flush(&mut self) {
        let Some(last) = self.last.take() else {
            return;
        };
        let w = if self.count <= W_MAX { self.count } else { 0 };
        if w == 0 {
            leb128::write(last.len(), self.scratch);
        }
        last.obu.write_range(last.from, last.to, self.scratch);
        let mut header = u8::try_from(w).unwrap_or(0) << W_SHIFT;
        if self.starts_with_fragment {
            header |= Z_BIT;
        }
        if last.to < last.obu.len() {
            header |= Y_BIT;
        }
        if self.new_sequence && self.emitted == 0 {
            header |= N_BIT;
        }
        self.scratch[0] = header;
        (self.emit)(self.scratch);
        self.emitted += 1;
        self.scratch.truncate(AGGREGATION_HEADER_LEN);
        self.count = 0;
        self.starts_with_fragment = false;
        self.layer = None;
    }
}

/// The largest fragment that fits `room` bytes, with its length field when `needs_length`.
fn largest_fragment(room: usize, needs_length: bool) -> usize {
    if !needs_length {
        return room;
    }
    (1..=room.min(8))
        .map(|length_len| room - length_len)
        .find(|&size| size > 0 && leb128::len(size) <= room - size)
        .unwrap_or(0)
}
