//! Application-defined packet (APP, PT 204; RFC 3550 §6.7).

use crate::error::{BuildError, ParseError};
use crate::rtcp::header::RawPacket;
use crate::rtcp::packet_type;
use crate::rtcp::wire::{emit_packet, impl_write_to, packet_len, u32_at};

/// A checked view of an APP packet (RFC 3550 §6.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct App<'a> {
    raw: RawPacket<'a>,
}

impl<'a> App<'a> {
    /// Checks `bytes` as exactly one APP packet (RFC 3550 §6.7).
    ///
    /// # Errors
    /// As [`RawPacket::new_checked`] and [`from_raw`](Self::from_raw).
    pub fn new_checked(bytes: &'a [u8]) -> Result<Self, ParseError> {
        Self::from_raw(RawPacket::new_checked(bytes)?)
    }

    /// Checks a framed packet as APP: packet type 204, an SSRC, a four-byte name and data
    /// that is a multiple of 32 bits (RFC 3550 §6.7), padding removed.
    ///
    /// # Errors
    /// [`WrongType`](crate::ParseErrorKind::WrongType), or
    /// [`BadLength`](crate::ParseErrorKind::BadLength) for a body under eight bytes or data
    /// that is not a whole number of words.
    pub fn from_raw(raw: RawPacket<'a>) -> Result<Self, ParseError> {
        raw.expect_type(packet_type::APP)?;
        if raw.body().len() < 8 || !(raw.body().len() - 8).is_multiple_of(4) {
            return Err(raw.length_error());
        }
        Ok(Self { raw })
    }

    /// The framed packet.
    pub fn raw(&self) -> RawPacket<'a> {
        self.raw
    }

    /// The five-bit subtype.
    pub fn subtype(&self) -> u8 {
        self.raw.count()
    }

    /// SSRC or CSRC of the sender.
    pub fn ssrc(&self) -> u32 {
        u32_at(self.raw.body(), 0)
    }

    /// The four ASCII characters naming the application.
    pub fn name(&self) -> [u8; 4] {
        u32_at(self.raw.body(), 4).to_be_bytes()
    }

    /// The application-dependent data, a multiple of four bytes.
    pub fn data(&self) -> &'a [u8] {
        self.raw.body().get(8..).unwrap_or(&[])
    }
}

/// An owned APP packet (RFC 3550 §6.7), to build or to keep.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct AppRepr {
    /// The subtype, 0..=31.
    pub subtype: u8,
    /// SSRC or CSRC of the sender.
    pub ssrc: u32,
    /// Four ASCII characters naming the application.
    pub name: [u8; 4],
    /// Application-dependent data: a multiple of four bytes (RFC 3550 §6.7).
    pub data: Vec<u8>,
}

impl AppRepr {
    /// Copies a checked view.
    pub fn parse(view: &App<'_>) -> Self {
        Self {
            subtype: view.subtype(),
            ssrc: view.ssrc(),
            name: view.name(),
            data: view.data().to_vec(),
        }
    }

    /// Length of the packet [`emit`](Self::emit) writes.
    pub fn buffer_len(&self) -> usize {
        packet_len(8 + self.data.len())
    }

    /// Writes the packet at the start of `buf` and returns its length (RFC 3550 §6.7).
    ///
    /// # Errors
    /// [`BuildError::TooLarge`] for a subtype above 31, data that is not a multiple of four
    /// bytes (RFC 3550 §6.7 allows no other length; padding it would be read back as data by
    /// some decoders, as tshark 4.0 does), a packet over the length field's range or a short
    /// `buf`.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, BuildError> {
        if !self.data.len().is_multiple_of(4) {
            return Err(BuildError::TooLarge);
        }
        emit_packet(
            buf,
            self.subtype,
            packet_type::APP,
            8 + self.data.len(),
            |w| {
                w.u32(self.ssrc);
                w.bytes(&self.name);
                w.bytes(&self.data);
            },
        )
    }
}

impl_write_to!(AppRepr);

impl From<&App<'_>> for AppRepr {
    fn from(view: &App<'_>) -> Self {
        Self::parse(view)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_matches_pion_bytes() {
        let repr = AppRepr {
            subtype: 0,
            ssrc: 0x4baa_e1ab,
            name: *b"NAME",
            data: b"ABCD".to_vec(),
        };
        let mut out = Vec::new();
        repr.write_to(&mut out).unwrap();
        assert_eq!(
            out,
            [
                0x80, 0xcc, 0, 3, 0x4b, 0xaa, 0xe1, 0xab, b'N', b'A', b'M', b'E', b'A', b'B', b'C',
                b'D'
            ]
        );
        assert_eq!(AppRepr::parse(&App::new_checked(&out).unwrap()), repr);
    }

    #[test]
    fn unaligned_app_data_is_refused_both_ways() {
        let repr = AppRepr {
            subtype: 31,
            ssrc: 1,
            name: *b"test",
            data: vec![1, 2, 3, 4, 5],
        };
        let mut out = Vec::new();
        assert_eq!(repr.write_to(&mut out), Err(BuildError::TooLarge));
        assert!(out.is_empty());
        // Five data bytes padded to a word: well-framed RTCP, but not an APP packet.
        let padded = [
            0xbf, 0xcc, 0, 4, 0, 0, 0, 1, b't', b'e', b's', b't', 1, 2, 3, 4, 5, 0, 0, 3,
        ];
        assert!(App::new_checked(&padded).is_err());
        let aligned = AppRepr {
            data: vec![1, 2, 3, 4],
            ..repr
        };
        aligned.write_to(&mut out).unwrap();
        assert_eq!(AppRepr::parse(&App::new_checked(&out).unwrap()), aligned);
        let bad = AppRepr {
            subtype: 32,
            ..aligned
        };
        assert_eq!(bad.write_to(&mut out), Err(BuildError::TooLarge));
    }
}
