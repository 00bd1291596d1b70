//! Generic NACK (RTPFB FMT 1; RFC 4585 §6.2.1): lost RTP sequence numbers as PID + BLP pairs.

use super::{RawFeedback, emit_feedback, feedback_len};
use crate::error::{BuildError, ParseError, ParseErrorKind};
use crate::rtcp::header::RawPacket;
use crate::rtcp::wire::{impl_write_to, u16_at};
use crate::rtcp::{fmt, packet_type};

/// One generic NACK FCI entry (RFC 4585 §6.2.1): a lost packet id and a bitmask of the 16
/// packets after it that are lost too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct NackPair {
    /// Packet ID (PID): the RTP sequence number of a lost packet.
    pub pid: u16,
    /// Bitmask of following lost packets (BLP): bit i (least significant first) set means
    /// `pid + i + 1` is lost too.
    pub blp: u16,
}

impl NackPair {
    /// The sequence numbers this entry reports lost: `pid`, then one per set BLP bit, in
    /// increasing order (wrapping at 65535).
    pub fn lost_sequence_numbers(self) -> LostSequenceNumbers<'static> {
        LostSequenceNumbers {
            pairs: NackPairs { fci: &[] },
            current: Some((self, 0)),
        }
    }
}

/// A checked view of a generic NACK (RFC 4585 §6.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Nack<'a> {
    feedback: RawFeedback<'a>,
}

impl<'a> Nack<'a> {
    /// Checks `bytes` as exactly one generic NACK packet (RFC 4585 §6.2.1).
    ///
    /// # Errors
    /// As [`RawPacket::new_checked`] and [`from_raw`](Self::from_raw).
    pub fn new_checked(bytes: &'a [u8]) -> Result<Self, ParseError> {
        Self::from_raw(RawPacket::new_checked(bytes)?)
    }

    /// Checks a framed packet as a generic NACK: PT 205, FMT 1 and an FCI of whole 32-bit
    /// entries (RFC 4585 §6.2.1). An FCI without entries is accepted: it reports nothing.
    ///
    /// # Errors
    /// [`WrongType`](ParseErrorKind::WrongType), or [`BadLength`](ParseErrorKind::BadLength)
    /// for an FCI that is not a multiple of four bytes or a body under eight bytes.
    pub fn from_raw(raw: RawPacket<'a>) -> Result<Self, ParseError> {
        let feedback = RawFeedback::typed(raw, packet_type::TRANSPORT_FEEDBACK, fmt::NACK)?;
        let fci = feedback.fci();
        if fci.len() % 4 != 0 {
            return Err(feedback.fci_error(ParseErrorKind::BadLength, fci.len() - fci.len() % 4));
        }
        Ok(Self { feedback })
    }

    /// The common feedback part.
    pub fn feedback(&self) -> RawFeedback<'a> {
        self.feedback
    }

    /// SSRC of the packet sender.
    pub fn sender_ssrc(&self) -> u32 {
        self.feedback.sender_ssrc()
    }

    /// SSRC of the media source whose packets are lost.
    pub fn media_ssrc(&self) -> u32 {
        self.feedback.media_ssrc()
    }

    /// The PID + BLP entries, in order.
    pub fn pairs(&self) -> NackPairs<'a> {
        NackPairs {
            fci: self.feedback.fci(),
        }
    }

    /// Every sequence number the packet reports lost, entry by entry: each PID, then the
    /// sequence numbers its BLP marks. Duplicates across entries are not removed.
    pub fn lost_sequence_numbers(&self) -> LostSequenceNumbers<'a> {
        LostSequenceNumbers {
            pairs: self.pairs(),
            current: None,
        }
    }
}

/// Iterator over the entries of a [`Nack`] (RFC 4585 §6.2.1). Allocation-free.
#[derive(Debug, Clone)]
pub struct NackPairs<'a> {
    fci: &'a [u8],
}

impl Iterator for NackPairs<'_> {
    type Item = NackPair;

    fn next(&mut self) -> Option<NackPair> {
        let entry = self.fci.get(..4)?;
        self.fci = self.fci.get(4..).unwrap_or(&[]);
        Some(NackPair {
            pid: u16_at(entry, 0),
            blp: u16_at(entry, 2),
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.fci.len() / 4, Some(self.fci.len() / 4))
    }
}

impl ExactSizeIterator for NackPairs<'_> {}

/// Iterator over the lost sequence numbers of a [`Nack`] or one [`NackPair`]
/// (RFC 4585 §6.2.1). Allocation-free.
#[derive(Debug, Clone)]
pub struct LostSequenceNumbers<'a> {
    pairs: NackPairs<'a>,
    /// The entry being expanded and the next position in it: 0 is the PID, 1..=16 the BLP
    /// bits.
    current: Option<(NackPair, u8)>,
}

impl Iterator for LostSequenceNumbers<'_> {
    type Item = u16;

    fn next(&mut self) -> Option<u16> {
        loop {
            let (pair, pos) = match self.current {
                Some(current) => current,
                None => (self.pairs.next()?, 0),
            };
            if pos == 0 {
                self.current = Some((pair, 1));
                return Some(pair.pid);
            }
            // The next set BLP bit at or after bit `pos - 1`.
            let rest = u32::from(pair.blp) >> (pos - 1);
            if rest == 0 {
                self.current = None;
                continue;
            }
            let bit = pos - 1 + rest.trailing_zeros() as u8;
            self.current = Some((pair, bit + 2));
            return Some(pair.pid.wrapping_add(u16::from(bit) + 1));
        }
    }
}

/// Packs lost sequence numbers, in any order, with duplicates, across a wrap of the 16-bit
/// sequence space, into the fewest PID + BLP entries (RFC 4585 §6.2.1). The numbers are taken
/// in sequence order starting after the largest gap between them, so a set that straddles
/// 65535 → 0 is packed as one run.
pub fn pack_lost_sequence_numbers(lost: &[u16]) -> Vec<NackPair> {
    let mut sorted = lost.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let n = sorted.len();
    // The arc that contains every number is the circle minus its largest gap.
    let mut start = 0;
    let mut largest_gap = 0u32;
    for (i, &seq) in sorted.iter().enumerate() {
        let next = sorted[(i + 1) % n];
        let gap = match u32::from(next.wrapping_sub(seq)) {
            0 => 1 << 16,
            gap => gap,
        };
        if gap > largest_gap {
            largest_gap = gap;
            start = (i + 1) % n;
        }
    }
    let mut pairs: Vec<NackPair> = Vec::new();
    for k in 0..n {
        let seq = sorted[(start + k) % n];
        if let Some(last) = pairs.last_mut() {
            let distance = seq.wrapping_sub(last.pid);
            if (1..=16).contains(&distance) {
                last.blp |= 1 << (distance - 1);
                continue;
            }
        }
        pairs.push(NackPair { pid: seq, blp: 0 });
    }
    pairs
}

/// An owned generic NACK (RFC 4585 §6.2.1), to build or to keep.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct NackRepr {
    /// SSRC of the packet sender.
    pub sender_ssrc: u32,
    /// SSRC of the media source.
    pub media_ssrc: u32,
    /// The PID + BLP entries, written in order.
    pub pairs: Vec<NackPair>,
}

impl NackRepr {
    /// A NACK for the given lost sequence numbers, packed by
    /// [`pack_lost_sequence_numbers`].
    pub fn from_lost(sender_ssrc: u32, media_ssrc: u32, lost: &[u16]) -> Self {
        Self {
            sender_ssrc,
            media_ssrc,
            pairs: pack_lost_sequence_numbers(lost),
        }
    }

    /// Copies a checked view.
    pub fn parse(view: &Nack<'_>) -> Self {
        Self {
            sender_ssrc: view.sender_ssrc(),
            media_ssrc: view.media_ssrc(),
            pairs: view.pairs().collect(),
        }
    }

    /// Length of the packet [`emit`](Self::emit) writes.
    pub fn buffer_len(&self) -> usize {
        feedback_len(4 * self.pairs.len())
    }

    /// Writes the packet at the start of `buf` and returns its length (RFC 4585 §6.2.1).
    ///
    /// # Errors
    /// [`BuildError::TooLarge`] for a packet over the length field's range or a short `buf`.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, BuildError> {
        let ssrcs = (self.sender_ssrc, self.media_ssrc);
        let fci_len = 4 * self.pairs.len();
        emit_feedback(
            buf,
            packet_type::TRANSPORT_FEEDBACK,
            fmt::NACK,
            ssrcs,
            fci_len,
            |w| {
                for pair in &self.pairs {
                    w.u16(pair.pid);
                    w.u16(pair.blp);
                }
            },
        )
    }
}

impl_write_to!(NackRepr);

impl From<&Nack<'_>> for NackRepr {
    fn from(view: &Nack<'_>) -> Self {
        Self::parse(view)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pair_expands_pid_then_blp_bits() {
        let pair = NackPair {
            pid: 43690,
            blp: 0x5555,
        };
        let lost: Vec<u16> = pair.lost_sequence_numbers().collect();
        assert_eq!(
            lost,
            [
                43690, 43691, 43693, 43695, 43697, 43699, 43701, 43703, 43705
            ]
        );
        let top = NackPair {
            pid: 65535,
            blp: 0x8001,
        };
        assert_eq!(
            top.lost_sequence_numbers().collect::<Vec<_>>(),
            [65535, 0, 15]
        );
    }

    #[test]
    fn packing_handles_wrap_order_and_duplicates() {
        let pairs = pack_lost_sequence_numbers(&[3, 65534, 1, 65535, 0, 1, 40]);
        assert_eq!(
            pairs,
            [
                NackPair {
                    pid: 65534,
                    blp: 0b10111
                },
                NackPair { pid: 40, blp: 0 }
            ]
        );
        assert_eq!(pack_lost_sequence_numbers(&[]), []);
        assert_eq!(
            pack_lost_sequence_numbers(&[7]),
            [NackPair { pid: 7, blp: 0 }]
        );
        // 17 apart needs a second entry.
        assert_eq!(pack_lost_sequence_numbers(&[10, 27]).len(), 2);
        assert_eq!(
            pack_lost_sequence_numbers(&[10, 26]),
            [NackPair {
                pid: 10,
                blp: 0x8000
            }]
        );
    }

    #[test]
    fn packed_nack_lists_exactly_the_lost_numbers() {
        let lost = [100u16, 101, 117, 118, 200, 65535, 5];
        let repr = NackRepr::from_lost(1, 2, &lost);
        let mut out = Vec::new();
        repr.write_to(&mut out).unwrap();
        let view = Nack::new_checked(&out).unwrap();
        let mut got: Vec<u16> = view.lost_sequence_numbers().collect();
        got.sort_unstable();
        let mut want = lost.to_vec();
        want.sort_unstable();
        assert_eq!(got, want);
        assert_eq!(NackRepr::parse(&view), repr);
    }

    #[test]
    fn odd_fci_length_is_bad_length() {
        // Padding leaves a 2-byte FCI.
        let bytes = [0xa1, 205, 0, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 7, 0, 2];
        assert_eq!(
            Nack::new_checked(&bytes).unwrap_err().kind,
            ParseErrorKind::BadLength
        );
    }
}
