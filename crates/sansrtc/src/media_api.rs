//! The media calls of a [`PeerConnection`]: transceivers (W3C `addTransceiver`,
//! `RTCRtpTransceiver.direction`), the RTP API (write packets, read them as events), the
//! frame API (write frames, read them as events), key frame requests, and the wall clock
//! sender reports carry.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use sansrtc_sdp::attributes::Direction;

use crate::connection::PeerConnection;
use crate::media::transceiver::{MediaKind, ReceiveMode, Rid, TransceiverId, TransceiverInfo};
use crate::media::{KeyframeRequest, MediaError};

/// Seconds from the NTP epoch (1900) to the Unix epoch (1970).
const NTP_UNIX_OFFSET: u64 = 2_208_988_800;

impl PeerConnection {
    /// Adds a transceiver (the browser's `addTransceiver`): it takes part in the next offer
    /// (or is matched to a section of the peer's next offer of the same kind), with fresh
    /// SSRCs. `direction` is what we want; the offer/answer settles what we get.
    pub fn add_transceiver(&mut self, kind: MediaKind, direction: Direction) -> TransceiverId {
        self.engine.media.add_transceiver(kind, direction)
    }

    /// Adds a transceiver that sends simulcast (RFC 8853): one stream per layer in `rids`
    /// (each with its own SSRC, and RTX SSRC for video), offered as `a=rid:<id> send` and
    /// `a=simulcast:send`; write each layer with [`PeerConnection::write_rtp_layer`] or
    /// [`PeerConnection::write_frame_layer`].
    ///
    /// # Errors
    /// [`MediaError::UnknownLayer`] when a rid is not 1 to 16 letters, digits, `-` or `_`, or
    /// repeats.
    pub fn add_simulcast_transceiver(
        &mut self,
        kind: MediaKind,
        direction: Direction,
        rids: &[&str],
    ) -> Result<TransceiverId, MediaError> {
        let parsed: Option<Vec<Rid>> = rids.iter().map(|r| Rid::new(r.as_bytes())).collect();
        let parsed = parsed.ok_or(MediaError::UnknownLayer)?;
        let distinct = parsed
            .iter()
            .enumerate()
            .all(|(i, r)| !parsed[..i].contains(r));
        if parsed.is_empty() || !distinct {
            return Err(MediaError::UnknownLayer);
        }
        Ok(self
            .engine
            .media
            .add_transceiver_with_layers(kind, direction, &parsed))
    }

    /// Changes the direction a transceiver asks for; it takes effect with the next
    /// offer/answer.
    ///
    /// # Errors
    /// [`MediaError::UnknownTransceiver`].
    pub fn set_direction(
        &mut self,
        id: TransceiverId,
        direction: Direction,
    ) -> Result<(), MediaError> {
        let t = self.engine.media.transceiver_mut(id)?;
        if t.stopped {
            return Err(MediaError::Stopped);
        }
        t.direction = direction;
        Ok(())
    }

    /// Stops a transceiver (W3C `RTCRtpTransceiver.stop()`): at once it neither sends nor
    /// receives; the next offer or answer rejects its section (port 0), for good.
    ///
    /// # Errors
    /// [`MediaError::UnknownTransceiver`].
    pub fn stop_transceiver(&mut self, id: TransceiverId) -> Result<(), MediaError> {
        let t = self.engine.media.transceiver_mut(id)?;
        t.stopped = true;
        t.direction = Direction::Inactive;
        t.current_direction = Some(Direction::Inactive);
        self.engine.media.renegotiated();
        Ok(())
    }

    /// How received media of a transceiver reaches the application: packets or frames.
    ///
    /// # Errors
    /// [`MediaError::UnknownTransceiver`].
    pub fn set_receive_mode(
        &mut self,
        id: TransceiverId,
        mode: ReceiveMode,
    ) -> Result<(), MediaError> {
        let t = self.engine.media.transceiver_mut(id)?;
        t.receive_mode = mode;
        Ok(())
    }

    /// A transceiver's state: mid, directions, negotiated codecs and extensions, SSRCs.
    pub fn transceiver(&self, id: TransceiverId) -> Option<TransceiverInfo> {
        self.engine.media.transceiver(id).map(|t| t.info())
    }

    /// A transceiver's kind, without copying its state (for per-packet use).
    pub fn transceiver_kind(&self, id: TransceiverId) -> Option<MediaKind> {
        self.engine.media.transceiver(id).map(|t| t.kind)
    }

    /// The payload type negotiated on a transceiver for the codec `name` (any case), the
    /// first when several are (for per-packet use: nothing is copied).
    pub fn payload_type_of(&self, id: TransceiverId, name: &str) -> Option<u8> {
        let t = self.engine.media.transceiver(id)?;
        t.codecs
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
            .map(|c| c.payload_type)
    }

    /// The name of the codec negotiated on a transceiver for `payload_type`.
    pub fn codec_name(&self, id: TransceiverId, payload_type: u8) -> Option<&str> {
        let t = self.engine.media.transceiver(id)?;
        t.codec(payload_type).map(|c| c.name.as_str())
    }

    /// Every transceiver, in creation order.
    pub fn transceivers(&self) -> Vec<TransceiverId> {
        (0..self.engine.media.transceivers.len() as u32)
            .map(TransceiverId)
            .collect()
    }

    /// Sends one RTP packet (the RTP API): our SSRC and sequence numbers, the given payload
    /// type (a negotiated one), timestamp, marker and payload; the mid, transport-wide
    /// sequence number and abs-send-time extensions as negotiated. The packet is protected
    /// and waits for `poll_transmit`; a copy is kept to answer NACKs (video).
    ///
    /// # Errors
    /// [`MediaError`]: unknown transceiver, not sending, payload type not negotiated, SRTP
    /// not ready, or the send queue full (call `poll_transmit`).
    pub fn write_rtp(
        &mut self,
        now: Instant,
        id: TransceiverId,
        payload_type: u8,
        timestamp: u32,
        marker: bool,
        payload: &[u8],
    ) -> Result<(), MediaError> {
        let now = self.clock(now);
        self.engine
            .media
            .write_rtp(now, id, None, payload_type, timestamp, marker, payload)
    }

    /// As [`PeerConnection::write_rtp`], on the simulcast layer `rid` (its stream, with the
    /// rtp-stream-id extension).
    ///
    /// # Errors
    /// As [`PeerConnection::write_rtp`], and [`MediaError::UnknownLayer`].
    #[expect(clippy::too_many_arguments, reason = "the fields of one packet")]
    pub fn write_rtp_layer(
        &mut self,
        now: Instant,
        id: TransceiverId,
        rid: Rid,
        payload_type: u8,
        timestamp: u32,
        marker: bool,
        payload: &[u8],
    ) -> Result<(), MediaError> {
        let now = self.clock(now);
        self.engine
            .media
            .write_rtp(now, id, Some(rid), payload_type, timestamp, marker, payload)
    }

    /// Sends one frame (the frame API): packetized for the codec of `payload_type` (Opus,
    /// VP8, VP9, H.264, AV1), the marker on the last packet. Returns how many packets.
    ///
    /// # Errors
    /// As [`PeerConnection::write_rtp`], and [`MediaError::Packetize`].
    pub fn write_frame(
        &mut self,
        now: Instant,
        id: TransceiverId,
        payload_type: u8,
        timestamp: u32,
        frame: &[u8],
    ) -> Result<usize, MediaError> {
        let now = self.clock(now);
        self.engine
            .media
            .write_frame(now, id, None, payload_type, timestamp, frame)
    }

    /// As [`PeerConnection::write_frame`], on the simulcast layer `rid`.
    ///
    /// # Errors
    /// As [`PeerConnection::write_frame`], and [`MediaError::UnknownLayer`].
    pub fn write_frame_layer(
        &mut self,
        now: Instant,
        id: TransceiverId,
        rid: Rid,
        payload_type: u8,
        timestamp: u32,
        frame: &[u8],
    ) -> Result<usize, MediaError> {
        let now = self.clock(now);
        self.engine
            .media
            .write_frame(now, id, Some(rid), payload_type, timestamp, frame)
    }

    /// Asks the peer's sender of what a transceiver receives for a key frame (PLI, RFC 4585
    /// §6.3.1, or FIR, RFC 5104 §4.3.1); the request goes at once.
    ///
    /// # Errors
    /// [`MediaError::UnknownTransceiver`], [`MediaError::NotReady`].
    pub fn request_keyframe(
        &mut self,
        id: TransceiverId,
        kind: KeyframeRequest,
    ) -> Result<(), MediaError> {
        self.engine.media.request_keyframe(id, kind)
    }

    /// The round trip time the last report block about our streams gave (RFC 3550 §6.4.1:
    /// arrival minus LSR minus DLSR), once there is one.
    pub fn media_rtt(&self) -> Option<std::time::Duration> {
        self.engine.media.rtt
    }

    /// The wall clock at `now` (read by the caller: Sans-IO reads no clock), for the NTP
    /// timestamps of sender reports (RFC 3550 §6.4.1). Without one, NTP time counts from the
    /// connection's creation.
    pub fn set_wall_clock(&mut self, now: Instant, wall: SystemTime) {
        let since_unix = wall.duration_since(UNIX_EPOCH).unwrap_or_default();
        let seconds = since_unix.as_secs() + NTP_UNIX_OFFSET;
        let fraction = (u64::from(since_unix.subsec_nanos()) << 32) / 1_000_000_000;
        self.engine
            .media
            .set_wall_clock(now, (seconds << 32) | fraction);
    }
}
