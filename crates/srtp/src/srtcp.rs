//! SRTCP (RFC 3711 §3.4; RFC 7714 §9): the E flag and 31-bit SRTCP index, protect and
//! unprotect in place.

use crate::context::Context;
use crate::{Error, Profile};

/// The largest SRTCP index (RFC 3711 §3.4: 31 bits).
const MAX_SRTCP_INDEX: u32 = 0x7fff_ffff;

/// The SSRC of the first packet of a compound RTCP packet, after checking the version.
fn rtcp_sender_ssrc(packet: &[u8]) -> Result<u32, Error> {
    let Some(header) = packet.get(..8) else {
        return Err(Error::TooShort);
    };
    if header[0] >> 6 != 2 {
        return Err(Error::Malformed);
    }
    Ok(u32::from_be_bytes([
        header[4], header[5], header[6], header[7],
    ]))
}

impl Context {
    /// Protects the compound RTCP packet in `packet` in place: encrypts it after the first 8
    /// bytes (unless [`crate::Config::encrypt_rtcp`] is off), then appends the E flag and
    /// SRTCP index word and the tag (RFC 3711 §3.4; RFC 7714 §9 puts the tag before the
    /// index word). Keep [`Profile::rtcp_overhead`] bytes spare and nothing is allocated.
    ///
    /// # Errors
    /// [`Error::TooShort`] or [`Error::Malformed`] for a bad RTCP header,
    /// [`Error::TooManyStreams`], and [`Error::KeyExhausted`] after 2^31 packets of one SSRC
    /// (counted across [`Context::remove_stream`]: the index is never reset, §3.4). On error
    /// `packet` is unchanged.
    pub fn protect_rtcp(&mut self, packet: &mut Vec<u8>) -> Result<(), Error> {
        let len = packet.len();
        packet.resize(len + self.profile().rtcp_overhead(), 0);
        match self.protect_rtcp_in_place(packet, len) {
            Ok(_) => Ok(()),
            Err(error) => {
                packet.truncate(len);
                Err(error)
            }
        }
    }

    /// Protects the RTCP packet in `buffer[..len]` in place and returns the protected length.
    /// `buffer` needs [`Profile::rtcp_overhead`] bytes after `len`.
    ///
    /// # Errors
    /// As [`protect_rtcp`](Self::protect_rtcp), and [`Error::BufferTooSmall`].
    pub fn protect_rtcp_in_place(&mut self, buffer: &mut [u8], len: usize) -> Result<usize, Error> {
        let overhead = self.profile().rtcp_overhead();
        let Some(packet) = buffer.get_mut(..len + overhead) else {
            return Err(Error::BufferTooSmall);
        };
        let ssrc = rtcp_sender_ssrc(&packet[..len])?;
        let encrypt = self.config().encrypt_rtcp;
        let stream = self.stream_mut(ssrc)?;
        let index = stream.rtcp_next;
        if index > MAX_SRTCP_INDEX {
            return Err(Error::KeyExhausted);
        }
        stream.rtcp_next = index + 1;
        Ok(self
            .rtcp_transform()
            .protect_rtcp(packet, len, ssrc, index, encrypt))
    }

    /// Authenticates, replay-checks and (when its E flag is set) decrypts the SRTCP packet in
    /// `packet` in place, and returns the length of the RTCP packet at its start.
    ///
    /// # Errors
    /// [`Error::TooShort`], [`Error::Malformed`], [`Error::AuthFailed`], [`Error::Replay`],
    /// [`Error::TooOld`] and [`Error::TooManyStreams`]. On error no state changes.
    pub fn unprotect_rtcp(&mut self, packet: &mut [u8]) -> Result<usize, Error> {
        let profile: Profile = self.profile();
        if packet.len() < 8 + profile.rtcp_overhead() {
            return Err(Error::TooShort);
        }
        let ssrc = rtcp_sender_ssrc(packet)?;
        let trailer_at = self.rtcp_transform().rtcp_trailer_at(packet.len());
        let trailer = u32::from_be_bytes([
            packet[trailer_at],
            packet[trailer_at + 1],
            packet[trailer_at + 2],
            packet[trailer_at + 3],
        ]);
        let (encrypted, index) = (trailer >> 31 == 1, trailer & MAX_SRTCP_INDEX);
        if let Some(stream) = self.streams.get(&ssrc) {
            stream.rtcp.check(u64::from(index))?;
        } else {
            match self.retired.get(&ssrc) {
                // A removed SSRC: its old SRTCP indices stay used (RFC 3711 §3.3.2, §3.4).
                Some(retired) if index < retired.rtcp => return Err(Error::TooOld),
                Some(_) => {}
                None if self.is_full() => return Err(Error::TooManyStreams),
                None => {}
            }
        }
        let Some(len) = self
            .rtcp_transform()
            .unprotect_rtcp(packet, ssrc, index, encrypted)
        else {
            return Err(Error::AuthFailed);
        };
        self.stream_mut(ssrc)?.rtcp.accept(u64::from(index));
        Ok(len)
    }

    /// [`unprotect_rtcp`](Self::unprotect_rtcp) on a vector, truncated to the RTCP packet on
    /// success.
    ///
    /// # Errors
    /// As [`unprotect_rtcp`](Self::unprotect_rtcp).
    pub fn unprotect_rtcp_vec(&mut self, packet: &mut Vec<u8>) -> Result<(), Error> {
        let len = self.unprotect_rtcp(packet)?;
        packet.truncate(len);
        Ok(())
    }
}
