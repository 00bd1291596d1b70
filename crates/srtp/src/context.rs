//! An SRTP/SRTCP cryptographic context for one direction (RFC 3711 §3.2): the session keys of
//! one master key and the per-SSRC state (rollover counter, replay windows, SRTCP index).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::index::estimate;
use crate::replay::ReplayWindow;
use crate::transform::{Kind, Transform};
use crate::{Error, MasterKey, Profile};

/// Settings of a [`Context`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// Replay window in packets, per SSRC, for both SRTP and SRTCP (RFC 3711 §3.3.2: at least
    /// 64). Rounded up to a multiple of 64, at most [`crate::MAX_REPLAY_WINDOW`]. Default 64.
    pub replay_window: usize,
    /// How many SSRCs one context keeps state for. A packet from a new SSRC past this limit
    /// is refused with [`Error::TooManyStreams`] (after it authenticated). Default 1024.
    pub max_streams: usize,
    /// Whether `protect_rtp` may protect a packet index again (a retransmission with the same
    /// sequence number). Off by default: the same index with different bytes reuses keystream
    /// (RFC 3711 §9.1), so a repeat is refused with [`Error::Replay`].
    pub allow_repeat_tx: bool,
    /// Whether `protect_rtcp` encrypts (the E flag of RFC 3711 §3.4). Default on; off leaves
    /// SRTCP authenticated only.
    pub encrypt_rtcp: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            replay_window: 64,
            max_streams: 1024,
            allow_repeat_tx: false,
            encrypt_rtcp: true,
        }
    }
}

/// Per-SSRC state.
#[derive(Debug, Clone)]
pub(crate) struct Stream {
    /// The rollover counter to assume for the first SRTP packet (RFC 3711 §3.3.1).
    pub(crate) initial_roc: u32,
    /// Highest SRTP index and the SRTP replay window.
    pub(crate) rtp: ReplayWindow,
    /// Highest SRTCP index and the SRTCP replay window (receiving side).
    pub(crate) rtcp: ReplayWindow,
    /// The next SRTCP index to send (RFC 3711 §3.4: starts at zero).
    pub(crate) rtcp_next: u32,
}

impl Stream {
    fn new(config: &Config) -> Self {
        Self {
            initial_roc: 0,
            rtp: ReplayWindow::new(config.replay_window),
            rtcp: ReplayWindow::new(config.replay_window),
            rtcp_next: 0,
        }
    }
}

/// Hashes an SSRC with one multiplication. SSRC state is created only for packets that
/// authenticated, so a peer without the keys cannot choose the keys of this map.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct SsrcHasher(u64);

impl Hasher for SsrcHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(byte)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }

    fn write_u32(&mut self, value: u32) {
        self.0 = (u64::from(value) ^ self.0).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

pub(crate) type StreamMap = HashMap<u32, Stream, BuildHasherDefault<SsrcHasher>>;

/// An SRTP and SRTCP context for one direction: protect what you send with your key, unprotect
/// what you receive with the peer's (see [`crate::Session`] for both at once).
///
/// Packets are processed in place in the caller's buffer and nothing is allocated per packet
/// once an SSRC's state exists. State for an SSRC is created by the first packet that
/// authenticates (or by [`set_roc`](Self::set_roc)), never by a forged one.
pub struct Context {
    profile: Profile,
    config: Config,
    rtp: Transform,
    rtcp: Transform,
    pub(crate) streams: StreamMap,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("profile", &self.profile)
            .field("config", &self.config)
            .field("streams", &self.streams.len())
            .finish_non_exhaustive()
    }
}

/// The SSRC and sequence number of an RTP header (RFC 3550 §5.1), and the header length.
fn rtp_header(packet: &[u8]) -> Result<(usize, u32, u16), Error> {
    let header_len = sansrtc_rtp::rtp::header_len(packet).map_err(|e| match e.kind {
        sansrtc_rtp::ParseErrorKind::Truncated => Error::TooShort,
        _ => Error::Malformed,
    })?;
    let seq = u16::from_be_bytes([packet[2], packet[3]]);
    let ssrc = u32::from_be_bytes([packet[8], packet[9], packet[10], packet[11]]);
    Ok((header_len, ssrc, seq))
}

impl Context {
    /// A context with the session keys derived from `master` (RFC 3711 §4.3).
    ///
    /// # Errors
    /// [`Error::BadKeyLength`] if the key cannot key the profile's cipher (not possible for a
    /// [`MasterKey`] built by [`MasterKey::new`]).
    pub fn new(master: &MasterKey, config: Config) -> Result<Self, Error> {
        Ok(Self {
            profile: master.profile(),
            config,
            rtp: Transform::new(master, Kind::Rtp)?,
            rtcp: Transform::new(master, Kind::Rtcp)?,
            streams: StreamMap::default(),
        })
    }

    /// The protection profile.
    pub fn profile(&self) -> Profile {
        self.profile
    }

    /// The settings.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// How many SSRCs the context holds state for.
    pub fn stream_count(&self) -> usize {
        self.streams.len()
    }

    /// Forgets an SSRC's state (its rollover counter, replay windows and SRTCP index). A
    /// later packet from it starts afresh.
    pub fn remove_stream(&mut self, ssrc: u32) {
        self.streams.remove(&ssrc);
    }

    /// The rollover counter of `ssrc`: the upper 32 bits of the highest SRTP index seen or
    /// sent, or the initial one set for it.
    pub fn roc(&self, ssrc: u32) -> Option<u32> {
        let stream = self.streams.get(&ssrc)?;
        Some(
            stream
                .rtp
                .highest()
                .map_or(stream.initial_roc, |index| (index >> 16) as u32),
        )
    }

    /// Sets the rollover counter for an SSRC before its first SRTP packet, for joining a
    /// stream already under way (RFC 3711 §3.3.1; RFC 4568 §6.4). Resets the SSRC's SRTP
    /// state.
    ///
    /// # Errors
    /// [`Error::TooManyStreams`] if the SSRC is new and the context is full.
    pub fn set_roc(&mut self, ssrc: u32, roc: u32) -> Result<(), Error> {
        let window = self.config.replay_window;
        let stream = self.stream_mut(ssrc)?;
        stream.rtp = ReplayWindow::new(window);
        stream.initial_roc = roc;
        Ok(())
    }

    pub(crate) fn stream_mut(&mut self, ssrc: u32) -> Result<&mut Stream, Error> {
        let full = self.streams.len() >= self.config.max_streams;
        if full && !self.streams.contains_key(&ssrc) {
            return Err(Error::TooManyStreams);
        }
        let config = self.config;
        Ok(self
            .streams
            .entry(ssrc)
            .or_insert_with(|| Stream::new(&config)))
    }

    /// Protects the RTP packet in `packet` in place (RFC 3711 §3.3; RFC 7714 §8): encrypts the
    /// payload and appends the tag. The tag goes into the vector's spare capacity, so keep
    /// [`Profile::rtp_overhead`] bytes spare and nothing is allocated.
    ///
    /// # Errors
    /// [`Error::TooShort`] or [`Error::Malformed`] for a bad RTP header, [`Error::Replay`]
    /// when the index was already protected (unless [`Config::allow_repeat_tx`]),
    /// [`Error::TooManyStreams`] and [`Error::KeyExhausted`]. On error `packet` is unchanged.
    pub fn protect_rtp(&mut self, packet: &mut Vec<u8>) -> Result<(), Error> {
        let len = packet.len();
        packet.resize(len + self.rtp.tag_len(), 0);
        match self.protect_rtp_in_place(packet, len) {
            Ok(_) => Ok(()),
            Err(error) => {
                packet.truncate(len);
                Err(error)
            }
        }
    }

    /// Protects the RTP packet in `buffer[..len]` in place, writing the tag after it, and
    /// returns the protected length. `buffer` needs [`Profile::rtp_overhead`] bytes after
    /// `len`.
    ///
    /// # Errors
    /// As [`protect_rtp`](Self::protect_rtp), and [`Error::BufferTooSmall`].
    pub fn protect_rtp_in_place(&mut self, buffer: &mut [u8], len: usize) -> Result<usize, Error> {
        let protected_len = len + self.rtp.tag_len();
        let Some(packet) = buffer.get_mut(..protected_len) else {
            return Err(Error::BufferTooSmall);
        };
        let (header_len, ssrc, seq) = rtp_header(&packet[..len])?;
        let allow_repeat = self.config.allow_repeat_tx;
        let stream = self.stream_mut(ssrc)?;
        let index = estimate(stream.rtp.highest(), stream.initial_roc, seq)?;
        match stream.rtp.check(index) {
            Ok(()) => {}
            Err(Error::Replay) if allow_repeat => {}
            Err(error) => return Err(error),
        }
        stream.rtp.accept(index);
        self.rtp.protect_rtp(packet, header_len, ssrc, index);
        Ok(protected_len)
    }

    /// Authenticates, replay-checks and decrypts the SRTP packet in `packet` in place
    /// (RFC 3711 §3.3; RFC 7714 §8) and returns the length of the RTP packet, which is the
    /// start of `packet`.
    ///
    /// # Errors
    /// [`Error::TooShort`], [`Error::Malformed`], [`Error::AuthFailed`], [`Error::Replay`],
    /// [`Error::TooOld`], [`Error::TooManyStreams`] (a new SSRC in a full context) and
    /// [`Error::KeyExhausted`]. On error no state changes; the buffer is
    /// unchanged except after a failed GCM tag check, when the payload is unspecified.
    pub fn unprotect_rtp(&mut self, packet: &mut [u8]) -> Result<usize, Error> {
        let (header_len, ssrc, seq) = rtp_header(packet)?;
        let tag_len = self.rtp.tag_len();
        if packet.len() < header_len + tag_len {
            return Err(Error::TooShort);
        }
        if let Some(stream) = self.streams.get_mut(&ssrc) {
            // Known SSRC: one map lookup for estimate, replay check, and update.
            let index = estimate(stream.rtp.highest(), stream.initial_roc, seq)?;
            stream.rtp.check(index)?;
            if !self.rtp.unprotect_rtp(packet, header_len, ssrc, index) {
                return Err(Error::AuthFailed);
            }
            stream.rtp.accept(index);
            return Ok(packet.len() - tag_len);
        }
        if self.streams.len() >= self.config.max_streams {
            return Err(Error::TooManyStreams);
        }
        let index = u64::from(seq);
        if !self.rtp.unprotect_rtp(packet, header_len, ssrc, index) {
            return Err(Error::AuthFailed);
        }
        self.stream_mut(ssrc)?.rtp.accept(index);
        Ok(packet.len() - tag_len)
    }

    /// [`unprotect_rtp`](Self::unprotect_rtp) on a vector, truncated to the RTP packet on
    /// success.
    ///
    /// # Errors
    /// As [`unprotect_rtp`](Self::unprotect_rtp).
    pub fn unprotect_rtp_vec(&mut self, packet: &mut Vec<u8>) -> Result<(), Error> {
        let len = self.unprotect_rtp(packet)?;
        packet.truncate(len);
        Ok(())
    }

    pub(crate) fn rtcp_transform(&self) -> &Transform {
        &self.rtcp
    }
}
