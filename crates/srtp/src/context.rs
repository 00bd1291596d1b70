//! An SRTP/SRTCP cryptographic context for one direction (RFC 3711 §3.2): the session keys of
//! one master key, the per-SSRC state (rollover counter, replay windows, SRTCP index), and the
//! high-water marks of removed SSRCs, kept for the life of the key (RFC 3711 §3.3.1, §3.4,
//! §9.1).

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
    /// How many SSRCs one context remembers: the live streams plus the removed ones whose
    /// high-water marks it keeps for the life of the key (see [`Context::remove_stream`];
    /// RFC 3711 §3.3.1, §3.4). A new SSRC past this limit is refused with
    /// [`Error::TooManyStreams`] (on unprotect, after it authenticated); a removed SSRC can
    /// always come back. Default 1024.
    pub max_streams: usize,
    /// Whether `protect_rtp` may protect a packet index again (a retransmission with the same
    /// sequence number). Off by default: the same index with different bytes reuses keystream
    /// (RFC 3711 §9.1) and, for AES-GCM, whose IV is made of the SSRC and index (RFC 7714
    /// §8.1), also gives away the authentication subkey, so packets can be forged. A repeat
    /// is refused with [`Error::Replay`].
    ///
    /// Turning it on is an explicit promise that a repeated index carries the very same
    /// packet. Even then only an index this context protected for the stream as it lives now,
    /// still inside its replay window, can be repeated: never one from before a
    /// [`Context::remove_stream`] or [`Context::set_roc`] of the SSRC, and never an SRTCP
    /// index.
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
    /// Highest SRTP index and the SRTP replay window: the indices received, or on a sending
    /// context the indices protected.
    pub(crate) rtp: ReplayWindow,
    /// Highest SRTCP index and the SRTCP replay window (receiving side).
    pub(crate) rtcp: ReplayWindow,
    /// The next SRTCP index to send (RFC 3711 §3.4: starts at zero, never reset).
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

    /// A stream for an SSRC that was removed: it carries on above the marks it left.
    fn resume(config: &Config, retired: Retired) -> Self {
        Self {
            initial_roc: 0,
            rtp: ReplayWindow::resume(config.replay_window, retired.rtp),
            rtcp: ReplayWindow::resume(config.replay_window, u64::from(retired.rtcp)),
            rtcp_next: retired.rtcp,
        }
    }

    /// What must outlive the stream: the first SRTP and SRTCP indices not yet used, sent or
    /// received.
    fn retire(&self) -> Retired {
        let rtcp = u32::try_from(self.rtcp.unused_from()).unwrap_or(u32::MAX);
        Retired {
            rtp: self.rtp.unused_from(),
            rtcp: rtcp.max(self.rtcp_next),
        }
    }
}

/// The high-water marks of a removed SSRC, kept for the life of the key so that a later
/// stream with that SSRC carries on above them (RFC 3711 §3.3.1: the rollover counter never
/// goes back; §3.4: the SRTCP index is never reset; §3.3.2: replay protection).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Retired {
    /// The first SRTP index not used (sent or received).
    pub(crate) rtp: u64,
    /// The first SRTCP index not used (sent or received); at most 2^31.
    pub(crate) rtcp: u32,
}

impl Retired {
    /// Whether anything was ever used: if not, there is nothing to keep.
    fn is_unused(self) -> bool {
        self.rtp == 0 && self.rtcp == 0
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
pub(crate) type RetiredMap = HashMap<u32, Retired, BuildHasherDefault<SsrcHasher>>;

/// An SRTP and SRTCP context for one direction: protect what you send with your key, unprotect
/// what you receive with the peer's (see [`crate::Session`] for both at once).
///
/// Packets are processed in place in the caller's buffer and nothing is allocated per packet
/// once an SSRC's state exists. State for an SSRC is created by the first packet that
/// authenticates (or by [`set_roc`](Self::set_roc)), never by a forged one.
///
/// A context never protects the same packet index twice for one SSRC, nor accepts one twice
/// (RFC 3711 §3.3.1, §3.4, §9.1; RFC 7714 §8.1, §9.1): [`remove_stream`](Self::remove_stream)
/// keeps the SSRC's high-water marks for the life of the context, and
/// [`set_roc`](Self::set_roc) cannot move an SSRC back. This holds per context: use one
/// sending context per key.
pub struct Context {
    profile: Profile,
    config: Config,
    rtp: Transform,
    rtcp: Transform,
    pub(crate) streams: StreamMap,
    /// Removed SSRCs: what they used, until the key goes. `streams.len() + retired.len()` is
    /// at most `config.max_streams`.
    pub(crate) retired: RetiredMap,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("profile", &self.profile)
            .field("config", &self.config)
            .field("streams", &self.streams.len())
            .field("retired", &self.retired.len())
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
            retired: RetiredMap::default(),
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

    /// How many SSRCs the context holds live state for (RFC 3711 §3.2.3), not counting the
    /// removed ones of [`retired_stream_count`](Self::retired_stream_count).
    pub fn stream_count(&self) -> usize {
        self.streams.len()
    }

    /// How many removed SSRCs the context still remembers the high-water marks of (see
    /// [`remove_stream`](Self::remove_stream)). With
    /// [`stream_count`](Self::stream_count), at most [`Config::max_streams`].
    pub fn retired_stream_count(&self) -> usize {
        self.retired.len()
    }

    /// Frees an SSRC's state (its replay windows and rollover counter) but keeps, for the
    /// life of the context, the first SRTP and SRTCP indices it has not used. The rollover
    /// counter never goes back and the SRTCP index is never reset (RFC 3711 §3.3.1, §3.4), so
    /// a later stream with this SSRC carries on above them, on either side:
    ///
    /// - sending, its index is estimated from the old highest one, as a receiver that kept
    ///   the stream would (§3.3.1), and anything at or below that is refused with
    ///   [`Error::TooOld`] rather than protected with a (key, index) pair already used (§9.1;
    ///   RFC 7714 §8.1, §9.1), even with [`Config::allow_repeat_tx`]. A stream that continues
    ///   its sequence numbers goes on where it was; its SRTCP index continues too.
    /// - receiving, an old packet of the SSRC, replayed, is refused (§3.3.2).
    ///
    /// The remembered SSRC (a 24-byte entry) keeps its place under [`Config::max_streams`]:
    /// removing a stream does not make room for a different SSRC, and a new key (a new
    /// context) starts clean. An SSRC that never had a packet leaves nothing behind.
    ///
    /// ```
    /// use sansrtc_srtp::{Config, Context, Error, MasterKey, Profile};
    ///
    /// let key = MasterKey::new(Profile::AeadAes128Gcm, &[7; 16], &[9; 12]).unwrap();
    /// let mut sender = Context::new(&key, Config::default()).unwrap();
    /// let rtp = |seq: u16| {
    ///     let [hi, lo] = seq.to_be_bytes();
    ///     vec![0x80, 96, hi, lo, 0, 0, 0, 0, 0, 0, 0, 1, b'x']
    /// };
    /// sender.protect_rtp(&mut rtp(5)).unwrap();
    /// sender.remove_stream(1);
    /// assert_eq!((sender.stream_count(), sender.retired_stream_count()), (0, 1));
    /// // The same index again would reuse the nonce: refused.
    /// assert_eq!(sender.protect_rtp(&mut rtp(5)), Err(Error::TooOld));
    /// // The stream carries on where it was.
    /// sender.protect_rtp(&mut rtp(6)).unwrap();
    /// assert_eq!((sender.stream_count(), sender.retired_stream_count()), (1, 0));
    /// ```
    pub fn remove_stream(&mut self, ssrc: u32) {
        if let Some(stream) = self.streams.remove(&ssrc) {
            let retired = stream.retire();
            if !retired.is_unused() {
                self.retired.insert(ssrc, retired);
            }
        }
    }

    /// The rollover counter of a live `ssrc`: the upper 32 bits of the highest SRTP index
    /// seen or sent, or the initial one set for it (RFC 3711 §3.3.1).
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
    /// stream already under way (RFC 3711 §3.3.1; RFC 4568 §6.4): the next SRTP packet's
    /// index is `roc` and its sequence number, and later ones are estimated from it.
    ///
    /// On an SSRC that already had packets (or was removed after having them), the rollover
    /// counter can only stay or move forward, and no index at or below the highest one used
    /// so far is ever protected or accepted again (RFC 3711 §3.3.1, §9.1): a packet that
    /// would reuse one is refused with [`Error::TooOld`].
    ///
    /// # Errors
    /// [`Error::TooOld`] if `roc` is behind the rollover counter of the highest SRTP index
    /// the SSRC already used; [`Error::TooManyStreams`] if the SSRC is new and the context is
    /// full. On error nothing changes.
    pub fn set_roc(&mut self, ssrc: u32, roc: u32) -> Result<(), Error> {
        let used = match self.streams.get(&ssrc) {
            Some(stream) => stream.rtp.unused_from(),
            None => self.retired.get(&ssrc).map_or(0, |retired| retired.rtp),
        };
        if let Some(highest) = used.checked_sub(1)
            && u64::from(roc) < highest >> 16
        {
            return Err(Error::TooOld);
        }
        let stream = self.stream_mut(ssrc)?;
        stream.rtp.restart();
        stream.initial_roc = roc;
        Ok(())
    }

    /// The state of `ssrc`, created (or resumed from its retired marks) if need be.
    pub(crate) fn stream_mut(&mut self, ssrc: u32) -> Result<&mut Stream, Error> {
        let Self {
            streams,
            retired,
            config,
            ..
        } = self;
        let full = streams.len() + retired.len() >= config.max_streams;
        if full && !streams.contains_key(&ssrc) && !retired.contains_key(&ssrc) {
            return Err(Error::TooManyStreams);
        }
        Ok(streams
            .entry(ssrc)
            .or_insert_with(|| match retired.remove(&ssrc) {
                Some(marks) => Stream::resume(config, marks),
                None => Stream::new(config),
            }))
    }

    /// Whether a new SSRC (neither live nor retired) would overflow [`Config::max_streams`].
    pub(crate) fn is_full(&self) -> bool {
        self.streams.len() + self.retired.len() >= self.config.max_streams
    }

    /// Protects the RTP packet in `packet` in place (RFC 3711 §3.3; RFC 7714 §8): encrypts the
    /// payload and appends the tag. The tag goes into the vector's spare capacity, so keep
    /// [`Profile::rtp_overhead`] bytes spare and nothing is allocated.
    ///
    /// # Errors
    /// [`Error::TooShort`] or [`Error::Malformed`] for a bad RTP header, [`Error::Replay`]
    /// when the index was already protected (unless [`Config::allow_repeat_tx`]),
    /// [`Error::TooOld`] when it is older than the replay window or not above the highest
    /// index the SSRC used before a [`remove_stream`](Self::remove_stream) or
    /// [`set_roc`](Self::set_roc) (never overridden: RFC 3711 §9.1),
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
        let index = match self.retired.get(&ssrc) {
            // A removed SSRC comes back: its index carries on from the old highest one, and
            // nothing at or below that is accepted again (RFC 3711 §3.3.1, §3.3.2).
            Some(retired) => {
                let index = estimate(retired.rtp.checked_sub(1), 0, seq)?;
                if index < retired.rtp {
                    return Err(Error::TooOld);
                }
                index
            }
            None if self.is_full() => return Err(Error::TooManyStreams),
            None => u64::from(seq),
        };
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
