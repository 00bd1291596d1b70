//! Compound RTCP datagrams (RFC 3550 §6.1) and reduced-size RTCP (RFC 5506): lazy iteration
//! over the packets of one datagram and the validity checks of RFC 3550 §6.4.1 and A.2.

use crate::error::{ParseError, ParseErrorKind};
use crate::rtcp::header::RawPacket;
use crate::rtcp::packet::RtcpPacket;
use crate::rtcp::packet_type;
use crate::rtcp::wire::err;

/// Which compound rules [`validate_compound`] applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum CompoundMode {
    /// RFC 3550 §6.1 and A.2: the first packet is an SR or RR with the P bit clear.
    #[default]
    Full,
    /// Reduced-size RTCP (RFC 5506 §3.1): any packet type may come first, for example a lone
    /// feedback message.
    ReducedSize,
}

/// One RTCP datagram: a compound packet (RFC 3550 §6.1) or a reduced-size one (RFC 5506),
/// read lazily.
///
/// ```
/// use sansrtc_rtp::rtcp::{Compound, RtcpPacket};
///
/// let datagram = [
///     0x80, 0xc9, 0, 1, 0, 0, 0, 1, // empty RR from SSRC 1
///     0x81, 0xce, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2, // PLI for SSRC 2
/// ];
/// let mut types = Vec::new();
/// for packet in Compound::new(&datagram).packets() {
///     types.push(packet.unwrap().raw().packet_type());
/// }
/// assert_eq!(types, [201, 206]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Compound<'a> {
    bytes: &'a [u8],
}

impl<'a> Compound<'a> {
    /// A datagram to read. Nothing is checked until iteration.
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { bytes }
    }

    /// The whole datagram.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The packets, framed but untyped: an error only when a header, length or padding is
    /// broken, after which the rest of the datagram cannot be framed. Use this to skip one
    /// malformed packet and keep the others, as libwebrtc does.
    pub fn raw_packets(&self) -> RawPackets<'a> {
        RawPackets {
            bytes: self.bytes,
            pos: 0,
            done: false,
        }
    }

    /// The packets, typed and checked. After the first error (framing or contents) the
    /// iterator yields that error once and ends. Errors carry offsets into the datagram.
    pub fn packets(&self) -> Packets<'a> {
        Packets {
            raw: self.raw_packets(),
        }
    }

    /// Checks the datagram; see [`validate_compound`].
    ///
    /// # Errors
    /// As [`validate_compound`].
    pub fn validate(&self, mode: CompoundMode) -> Result<usize, ParseError> {
        validate_compound(self.bytes, mode)
    }
}

/// Iterator over the framed packets of a [`Compound`]. Allocation-free.
#[derive(Debug, Clone)]
pub struct RawPackets<'a> {
    bytes: &'a [u8],
    pos: usize,
    done: bool,
}

impl<'a> Iterator for RawPackets<'a> {
    type Item = Result<RawPacket<'a>, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done || self.pos >= self.bytes.len() {
            return None;
        }
        match RawPacket::parse_at(self.bytes, self.pos) {
            Ok(packet) => {
                self.pos += packet.len();
                Some(Ok(packet))
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

/// Iterator over the typed packets of a [`Compound`]. Allocation-free.
#[derive(Debug, Clone)]
pub struct Packets<'a> {
    raw: RawPackets<'a>,
}

impl<'a> Iterator for Packets<'a> {
    type Item = Result<RtcpPacket<'a>, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        let item = self.raw.next()?.and_then(RtcpPacket::parse);
        if item.is_err() {
            self.raw.done = true;
        }
        Some(item)
    }
}

/// Checks a whole RTCP datagram (RFC 3550 §6.4.1 and A.2, RFC 5506 §3.1) and returns how many
/// packets it holds:
///
/// - it is not empty, and every packet has version 2 and parses ([`Compound::packets`]);
/// - the packet lengths add up to the datagram length exactly;
/// - only the last packet has the P bit set (RFC 3550 §6.4.1: padding is for the compound as
///   a whole);
/// - in [`CompoundMode::Full`] the first packet is an SR or RR (RFC 3550 §6.1) and, as A.2
///   checks, has the P bit clear.
///
/// # Errors
/// [`Truncated`](ParseErrorKind::Truncated) for an empty datagram or a partial header at the
/// end; the first packet's parse error; [`WrongType`](ParseErrorKind::WrongType) at offset 1
/// for a first packet that is not an SR or RR; [`BadPadding`](ParseErrorKind::BadPadding) at
/// the offending packet for padding before the last packet.
pub fn validate_compound(bytes: &[u8], mode: CompoundMode) -> Result<usize, ParseError> {
    if bytes.is_empty() {
        return Err(err(ParseErrorKind::Truncated, 0));
    }
    let mut count = 0;
    for packet in Compound::new(bytes).packets() {
        let raw = packet?.raw();
        if count == 0 && mode == CompoundMode::Full {
            let pt = raw.packet_type();
            if pt != packet_type::SENDER_REPORT && pt != packet_type::RECEIVER_REPORT {
                return Err(err(ParseErrorKind::WrongType, 1));
            }
            if raw.has_padding() {
                return Err(err(ParseErrorKind::BadPadding, 0));
            }
        }
        if raw.has_padding() && raw.offset() + raw.len() != bytes.len() {
            return Err(err(ParseErrorKind::BadPadding, raw.offset()));
        }
        count += 1;
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RR: [u8; 8] = [0x80, 0xc9, 0, 1, 0, 0, 0, 1];
    const PLI: [u8; 12] = [0x81, 0xce, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2];

    #[test]
    fn full_compound_must_start_with_a_report() {
        let datagram = [&PLI[..], &RR[..]].concat();
        assert_eq!(
            validate_compound(&datagram, CompoundMode::Full),
            Err(err(ParseErrorKind::WrongType, 1))
        );
        assert_eq!(
            validate_compound(&datagram, CompoundMode::ReducedSize),
            Ok(2)
        );
        let datagram = [&RR[..], &PLI[..]].concat();
        assert_eq!(validate_compound(&datagram, CompoundMode::Full), Ok(2));
    }

    #[test]
    fn padding_only_on_the_last_packet() {
        let padded_rr = [0xa0, 0xc9, 0, 2, 0, 0, 0, 1, 0, 0, 0, 4];
        let datagram = [&RR[..], &padded_rr[..], &PLI[..]].concat();
        assert!(Compound::new(&datagram).packets().all(|p| p.is_ok()));
        assert_eq!(
            validate_compound(&datagram, CompoundMode::ReducedSize),
            Err(err(ParseErrorKind::BadPadding, 8))
        );
        let datagram = [&RR[..], &padded_rr[..]].concat();
        assert_eq!(validate_compound(&datagram, CompoundMode::Full), Ok(2));
        assert_eq!(
            validate_compound(&padded_rr, CompoundMode::Full),
            Err(err(ParseErrorKind::BadPadding, 0))
        );
    }

    #[test]
    fn trailing_bytes_stop_iteration_with_one_error() {
        let datagram = [&RR[..], &[0x80, 0xc9][..]].concat();
        let items: Vec<_> = Compound::new(&datagram).packets().collect();
        assert_eq!(items.len(), 2);
        assert_eq!(items[1], Err(err(ParseErrorKind::Truncated, 10)));
        assert_eq!(
            validate_compound(&[], CompoundMode::Full),
            Err(err(ParseErrorKind::Truncated, 0))
        );
    }

    #[test]
    fn contents_error_stops_typed_iteration_but_not_raw() {
        // An SR whose count needs more body than there is, then an RR.
        let bad_sr = [0x81, 0xc8, 0, 1, 0, 0, 0, 1];
        let datagram = [&bad_sr[..], &RR[..]].concat();
        let typed: Vec<_> = Compound::new(&datagram).packets().collect();
        assert_eq!(typed, [Err(err(ParseErrorKind::BadLength, 2))]);
        assert_eq!(
            Compound::new(&datagram)
                .raw_packets()
                .filter(Result::is_ok)
                .count(),
            2
        );
    }
}
