//! Media of a PeerConnection: transceivers, SRTP keyed from the DTLS exporter (RFC 5764
//! §4.2), RTP out (the application's packets, or its frames packetized) and in (routed to a
//! transceiver by SSRC, by the mid header extension, or by payload type, RFC 8843 §9.2), and
//! RTCP (reports, NACK with RTX, PLI and FIR; `rtcp.rs`).
//!
//! Nothing here is allocated per packet once the buffers have grown: a datagram is decrypted
//! in a pooled buffer that the event carries to the application (which gives it back with
//! `PeerConnection::recycle_media`), and what we send waits, protected, in pooled buffers that
//! `poll_transmit` swaps with the caller's.

mod codecs;
mod receive;
mod route;
mod rtcp;
mod send;
mod stats;
pub(crate) mod transceiver;
mod twcc;

use std::collections::{HashMap, VecDeque};
use std::ops::Range;
use std::time::{Duration, Instant};

use rand::Rng;
use rand::rngs::StdRng;
use sansrtc_rtp::rtp::RtpPacket;
use sansrtc_sdp::attributes::Direction;
use sansrtc_srtp::Session;

use codecs::{Assembler, FramePacketizer};
use receive::ReceiveStream;
use route::Route;
use send::{ExtensionValues, Outgoing, SendStream};
use transceiver::{ExtensionIds, MediaKind, ReceiveMode, Transceiver, TransceiverId};

/// Protected datagrams waiting for `poll_transmit`, at most.
const MAX_QUEUED: usize = 4096;
/// Receive streams (SSRCs) one connection keeps at most.
const MAX_RECEIVE_STREAMS: usize = 64;
/// Packets each send stream keeps for retransmission (video; audio keeps none).
const VIDEO_HISTORY: usize = 1024;

/// A decrypted RTP packet for the application ([`Event::Rtp`](crate::Event::Rtp)).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RtpReceived {
    /// The transceiver it belongs to.
    pub transceiver: TransceiverId,
    /// Its SSRC (the media SSRC for a packet recovered from RTX).
    pub ssrc: u32,
    /// Its payload type.
    pub payload_type: u8,
    /// Its sequence number, extended to 64 bits (RFC 3550 §A.1).
    pub sequence: u64,
    /// Its RTP timestamp.
    pub timestamp: u32,
    /// The marker bit.
    pub marker: bool,
    /// Its simulcast layer (rtp-stream-id), if it has one.
    pub rid: Option<transceiver::Rid>,
    /// The whole RTP packet, header and payload, decrypted (give it back with
    /// `PeerConnection::recycle_media`).
    pub packet: Vec<u8>,
    /// Where the payload is in `packet`.
    pub payload: Range<usize>,
}

/// A whole frame for the application ([`Event::Frame`](crate::Event::Frame)).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FrameReceived {
    /// The transceiver it belongs to.
    pub transceiver: TransceiverId,
    /// The SSRC it came on.
    pub ssrc: u32,
    /// The payload type of its packets.
    pub payload_type: u8,
    /// Its RTP timestamp.
    pub timestamp: u32,
    /// A key frame.
    pub keyframe: bool,
    /// Frames were lost before this one: a decoder needs a key frame unless this is one.
    pub after_loss: bool,
    /// Its simulcast layer (rtp-stream-id), if it has one.
    pub rid: Option<transceiver::Rid>,
    /// The frame (give it back with `PeerConnection::recycle_media`).
    pub data: Vec<u8>,
}

/// What the application asks of the peer's sender ([`PeerConnection::request_keyframe`]).
///
/// [`PeerConnection::request_keyframe`]: crate::PeerConnection::request_keyframe
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyframeRequest {
    /// Picture loss indication (RFC 4585 §6.3.1).
    Pli,
    /// Full intra request (RFC 5104 §4.3.1).
    Fir,
}

/// Why a media call was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum MediaError {
    /// No such transceiver.
    #[error("unknown transceiver")]
    UnknownTransceiver,
    /// The negotiated direction does not let this transceiver send (or nothing is negotiated).
    #[error("the transceiver does not send")]
    NotSending,
    /// The payload type is not one negotiated for this transceiver.
    #[error("payload type not negotiated")]
    UnknownPayloadType,
    /// SRTP is not keyed yet (DTLS has not connected), or the peer offered no SRTP profile.
    #[error("SRTP not ready")]
    NotReady,
    /// Too many datagrams wait for `poll_transmit`.
    #[error("send queue full")]
    QueueFull,
    /// No packetizer for this codec, or the frame could not be packetized.
    #[error("cannot packetize this frame")]
    Packetize,
    /// The transceiver is stopped.
    #[error("the transceiver is stopped")]
    Stopped,
    /// The transceiver sends no simulcast layer with this rid.
    #[error("no such simulcast layer")]
    UnknownLayer,
}

/// DTLS-SRTP keying material waiting to key a session.
#[derive(Debug)]
struct SrtpKeys {
    profile: sansrtc_srtp::Profile,
    material: Vec<u8>,
    role: sansrtc_srtp::Role,
}

/// The media half of a PeerConnection.
#[derive(Debug)]
pub(crate) struct Media {
    pub(crate) transceivers: Vec<Transceiver>,
    /// The SRTP session, made from `srtp_keys` when media first needs it (a connection with
    /// data channels only never pays for its key schedules).
    srtp: Option<Box<Session>>,
    srtp_keys: Option<Box<SrtpKeys>>,
    routes: HashMap<u32, Route>,
    streams: HashMap<u32, ReceiveStream>,
    assemblers: HashMap<u32, Assembler>,
    packetizers: HashMap<(usize, usize, u8), FramePacketizer>,
    queue: VecDeque<Vec<u8>>,
    pool: Vec<Vec<u8>>,
    /// Buffers that held frames (larger than a datagram), for the next frames.
    frame_pool: Vec<Vec<u8>>,
    pub(crate) events: VecDeque<crate::Event>,
    rng: StdRng,
    origin: Instant,
    transport_sequence: u16,
    /// Our wall clock: an instant and its NTP time (RFC 3550 §4), from the application.
    wall_clock: Option<(Instant, u64)>,
    /// The round trip time from the last report block about us (RFC 3550 §6.4.1).
    pub(crate) rtt: Option<Duration>,
    next_report: Option<Instant>,
    scratch: Vec<u8>,
    frame_ends: Vec<usize>,
    lost: Vec<u16>,
    cname: String,
    /// Packets dropped: not authenticated, unroutable, or over a limit.
    pub(crate) dropped: u64,
    /// Arrivals to report in transport-wide feedback.
    twcc: twcc::TwccReceiver,
    /// The peer's last receiver reference times (RFC 3611 §4.4): its SSRC, the middle 32 bits
    /// of the NTP time, when it came; answered with DLRR.
    rrtr: Vec<(u32, u32, Instant)>,
}

impl Media {
    pub(crate) fn new(seed: Option<sansrtc_proto::rng::Seed>, origin: Instant) -> Self {
        let mut rng = sansrtc_proto::rng::from_seed(seed);
        let cname = format!("{:016x}", rng.next_u64());
        Self {
            transceivers: Vec::new(),
            srtp: None,
            srtp_keys: None,
            routes: HashMap::new(),
            streams: HashMap::new(),
            assemblers: HashMap::new(),
            packetizers: HashMap::new(),
            queue: VecDeque::new(),
            pool: Vec::new(),
            frame_pool: Vec::new(),
            events: VecDeque::new(),
            rng,
            origin,
            transport_sequence: 0,
            wall_clock: None,
            rtt: None,
            next_report: None,
            scratch: Vec::new(),
            frame_ends: Vec::new(),
            lost: Vec::new(),
            cname,
            dropped: 0,
            twcc: twcc::TwccReceiver::default(),
            rrtr: Vec::new(),
        }
    }

    /// A new transceiver with fresh SSRCs (an RTX one for video) and msid.
    pub(crate) fn add_transceiver(
        &mut self,
        kind: MediaKind,
        direction: Direction,
    ) -> TransceiverId {
        self.add_transceiver_with_layers(kind, direction, &[])
    }

    /// A new transceiver that sends one stream per simulcast layer in `rids` (RFC 8853),
    /// each with its own SSRC (and RTX SSRC for video); none for a single stream.
    pub(crate) fn add_transceiver_with_layers(
        &mut self,
        kind: MediaKind,
        direction: Direction,
        rids: &[transceiver::Rid],
    ) -> TransceiverId {
        let id = TransceiverId(self.transceivers.len() as u32);
        let layers: Vec<Option<transceiver::Rid>> = if rids.is_empty() {
            vec![None]
        } else {
            rids.iter().copied().map(Some).collect()
        };
        let sends = layers
            .into_iter()
            .map(|rid| {
                let ssrc = self.rng.next_u32();
                let (rtx, history) = match kind {
                    MediaKind::Video => (Some(self.rng.next_u32()), VIDEO_HISTORY),
                    MediaKind::Audio => (None, 0),
                };
                let first_sequence = (self.rng.next_u32() & 0x7fff) as u16;
                let mut send = SendStream::new(ssrc, rtx, first_sequence, history);
                send.rid = rid;
                send
            })
            .collect();
        let msid = (
            format!("sansrtc-{:08x}", self.rng.next_u32()),
            format!("track-{:08x}", self.rng.next_u32()),
        );
        self.transceivers
            .push(Transceiver::new(kind, direction, sends, msid));
        id
    }

    /// The RTCP CNAME (RFC 3550 §6.5.1) of our streams.
    pub(crate) fn cname(&self) -> &str {
        &self.cname
    }

    /// Keys SRTP from the DTLS exporter output for `profile`, as the DTLS `role` we played.
    pub(crate) fn start_srtp(
        &mut self,
        now: Instant,
        profile: sansrtc_srtp::Profile,
        material: &[u8],
        role: sansrtc_srtp::Role,
    ) -> Result<(), sansrtc_srtp::Error> {
        if material.len() != sansrtc_srtp::keying_material_len(profile) {
            return Err(sansrtc_srtp::Error::BadKeyLength);
        }
        self.srtp = None;
        self.srtp_keys = Some(Box::new(SrtpKeys {
            profile,
            material: material.to_vec(),
            role,
        }));
        self.next_report = Some(now + Duration::from_millis(500));
        Ok(())
    }

    /// Whether DTLS has keyed SRTP.
    fn keyed(&self) -> bool {
        self.srtp.is_some() || self.srtp_keys.is_some()
    }

    /// The SRTP session, keyed now if it was not yet.
    fn session(&mut self) -> Option<&mut Session> {
        if self.srtp.is_none() {
            let keys = self.srtp_keys.take()?;
            let config = sansrtc_srtp::Config {
                // A plain retransmission (no RTX) sends a kept packet again under its own
                // index: the same bytes, so the same keystream on the same plaintext.
                allow_repeat_tx: true,
                replay_window: 1024,
                ..sansrtc_srtp::Config::default()
            };
            let session =
                Session::from_dtls(keys.profile, &keys.material, keys.role, config).ok()?;
            self.srtp = Some(Box::new(session));
        }
        self.srtp.as_deref_mut()
    }

    /// Sets the wall clock: `ntp` (RFC 3550 §4 format) is the time at `now`.
    pub(crate) fn set_wall_clock(&mut self, now: Instant, ntp: u64) {
        self.wall_clock = Some((now, ntp));
    }

    /// Our NTP time at `now`: from the wall clock, or since `origin` when none was given.
    pub(crate) fn ntp(&self, now: Instant) -> u64 {
        let (at, ntp) = self.wall_clock.unwrap_or((self.origin, 0));
        let since = now.saturating_duration_since(at);
        ntp.wrapping_add(
            (since.as_secs() << 32) + ((u64::from(since.subsec_nanos()) << 32) / 1_000_000_000),
        )
    }

    fn buffer(&mut self) -> Vec<u8> {
        self.pool.pop().unwrap_or_else(|| Vec::with_capacity(2048))
    }

    /// Gives a buffer back for the next packet.
    pub(crate) fn recycle(&mut self, mut buffer: Vec<u8>) {
        if buffer.capacity() > 4096 {
            if self.frame_pool.len() < 16 {
                buffer.clear();
                self.frame_pool.push(buffer);
            }
            return;
        }
        if self.pool.len() < 64 && buffer.capacity() >= 1500 {
            buffer.clear();
            self.pool.push(buffer);
        }
    }

    fn extension_values<'a>(
        &mut self,
        ids: ExtensionIds,
        mid: &'a [u8],
        rid: &'a [u8],
        now: Instant,
    ) -> ExtensionValues<'a> {
        let transport_sequence = self.transport_sequence;
        if ids.transport_cc.is_some() {
            self.transport_sequence = transport_sequence.wrapping_add(1);
        }
        let since = now.saturating_duration_since(self.origin);
        let abs_send_time = ((since.as_secs() << 18)
            + ((u64::from(since.subsec_nanos()) << 18) / 1_000_000_000))
            as u32
            & 0x00ff_ffff;
        ExtensionValues {
            ids,
            mid,
            rid,
            transport_sequence,
            abs_send_time,
        }
    }

    /// Protects `packet` and queues it for `poll_transmit`.
    fn queue_rtp(&mut self, mut packet: Vec<u8>) -> Result<(), MediaError> {
        if self.queue.len() >= MAX_QUEUED {
            self.recycle(packet);
            return Err(MediaError::QueueFull);
        }
        let Some(srtp) = self.session() else {
            self.recycle(packet);
            return Err(MediaError::NotReady);
        };
        if srtp.outbound.protect_rtp(&mut packet).is_err() {
            self.recycle(packet);
            return Err(MediaError::NotReady);
        }
        self.queue.push_back(packet);
        Ok(())
    }

    /// Sends one RTP packet on transceiver `id` (RTP API): our SSRC and sequence number, the
    /// application's payload type, timestamp, marker and payload; the mid, transport-wide
    /// sequence number and abs-send-time extensions as negotiated.
    #[expect(clippy::too_many_arguments, reason = "the fields of one packet")]
    pub(crate) fn write_rtp(
        &mut self,
        now: Instant,
        id: TransceiverId,
        rid: Option<transceiver::Rid>,
        payload_type: u8,
        timestamp: u32,
        marker: bool,
        payload: &[u8],
    ) -> Result<(), MediaError> {
        let index = id.0 as usize;
        let t = self
            .transceivers
            .get(index)
            .ok_or(MediaError::UnknownTransceiver)?;
        if !t.sends() {
            return Err(MediaError::NotSending);
        }
        let clock_rate = t
            .codec(payload_type)
            .ok_or(MediaError::UnknownPayloadType)?
            .clock_rate;
        if !self.keyed() {
            return Err(MediaError::NotReady);
        }
        let layer = t.layer(rid).ok_or(MediaError::UnknownLayer)?;
        let ids = t.extensions;
        let (mid, mid_len) = transceiver::mid_bytes(t);
        let layer_rid = t.sends[layer].rid;
        let rid_bytes: &[u8] = layer_rid.as_ref().map_or(&[], |r| r.as_str().as_bytes());
        let values = self.extension_values(ids, &mid[..mid_len], rid_bytes, now);
        let mut out = self.buffer();
        self.transceivers[index].sends[layer].write_packet(
            now,
            Outgoing {
                payload_type,
                timestamp,
                marker,
                payload,
                clock_rate,
            },
            &values,
            &mut out,
        );
        self.queue_rtp(out)
    }

    /// Packetizes `frame` with the codec of `payload_type` and sends each packet (frame API);
    /// the marker is set on the last. Returns how many packets went.
    pub(crate) fn write_frame(
        &mut self,
        now: Instant,
        id: TransceiverId,
        rid: Option<transceiver::Rid>,
        payload_type: u8,
        timestamp: u32,
        frame: &[u8],
    ) -> Result<usize, MediaError> {
        let index = id.0 as usize;
        let t = self
            .transceivers
            .get(index)
            .ok_or(MediaError::UnknownTransceiver)?;
        if t.codec(payload_type).is_none() {
            return Err(MediaError::UnknownPayloadType);
        }
        if !t.sends() {
            return Err(MediaError::NotSending);
        }
        let layer = t.layer(rid).ok_or(MediaError::UnknownLayer)?;
        if !self.keyed() {
            return Err(MediaError::NotReady);
        }
        // One packetizer per layer and codec: each layer is its own stream (its own VP8 and
        // VP9 picture ids).
        let key = (index, layer, payload_type);
        let mut packetizer = match self.packetizers.remove(&key) {
            Some(p) => p,
            None => {
                let seed = self.rng.next_u32();
                self.transceivers[index]
                    .codec(payload_type)
                    .and_then(|codec| FramePacketizer::for_codec(codec, seed))
                    .ok_or(MediaError::Packetize)?
            }
        };
        // Room for the header and extensions, and the SRTP tag, in a 1200-byte datagram.
        let max_payload = 1200 - 12 - 24 - 16;
        let mut payloads = std::mem::take(&mut self.scratch);
        let mut ends = std::mem::take(&mut self.frame_ends);
        payloads.clear();
        ends.clear();
        let result = packetizer.packetize(frame, max_payload, &mut |p| {
            payloads.extend_from_slice(p);
            ends.push(payloads.len());
        });
        self.packetizers.insert(key, packetizer);
        let count = match result {
            Ok(count) if self.queue.len() + count <= MAX_QUEUED => count,
            failed => {
                self.scratch = payloads;
                self.frame_ends = ends;
                return Err(if failed.is_ok() {
                    MediaError::QueueFull
                } else {
                    MediaError::Packetize
                });
            }
        };
        let mut start = 0;
        let mut outcome = Ok(count);
        for (n, &end) in ends.iter().enumerate() {
            let marker = n + 1 == ends.len();
            if let Err(e) = self.write_rtp(
                now,
                id,
                rid,
                payload_type,
                timestamp,
                marker,
                &payloads[start..end],
            ) {
                outcome = Err(e);
                break;
            }
            start = end;
        }
        self.scratch = payloads;
        self.frame_ends = ends;
        if outcome.is_ok() {
            self.transceivers[index].sends[layer].frames_sent += 1;
        }
        outcome
    }

    /// The next protected datagram, swapped into `buf`.
    pub(crate) fn poll_transmit(&mut self, buf: &mut Vec<u8>) -> bool {
        let Some(mut packet) = self.queue.pop_front() else {
            return false;
        };
        std::mem::swap(buf, &mut packet);
        self.recycle(packet);
        true
    }

    /// A datagram the demultiplexer classed as RTP or RTCP (RFC 7983, RFC 5761 §4).
    pub(crate) fn handle_datagram(&mut self, now: Instant, data: &[u8]) {
        if !self.keyed() || data.len() < 12 {
            self.dropped += 1;
            return;
        }
        let mut buffer = self.buffer();
        buffer.clear();
        buffer.extend_from_slice(data);
        // RFC 5761 §4: payload types 64–95 (with the marker bit) are RTCP.
        if (64..=95).contains(&(data[1] & 0x7f)) {
            self.handle_rtcp(now, buffer);
        } else {
            self.handle_rtp(now, buffer);
        }
    }

    fn handle_rtp(&mut self, now: Instant, mut buffer: Vec<u8>) {
        let Some(srtp) = self.session() else {
            return;
        };
        // Nothing changes before the packet authenticates.
        let Ok(len) = srtp.inbound.unprotect_rtp(&mut buffer) else {
            self.dropped += 1;
            self.recycle(buffer);
            return;
        };
        buffer.truncate(len);
        let Ok(view) = RtpPacket::new_checked(buffer.as_slice()) else {
            self.dropped += 1;
            self.recycle(buffer);
            return;
        };
        let (ssrc, payload_type) = (view.ssrc(), view.payload_type());
        let Some(route) = self.route(ssrc, payload_type, &view) else {
            self.dropped += 1;
            self.recycle(buffer);
            return;
        };
        let (sequence, timestamp, marker) =
            (view.sequence_number(), view.timestamp(), view.marker());
        // Its transport-wide sequence number, for feedback (one numbering for the BUNDLE).
        let twcc = self.transceivers[route.transceiver]
            .extensions
            .transport_cc
            .and_then(|id| view.extension_data(id))
            .and_then(|d| <[u8; 2]>::try_from(d).ok())
            .map(u16::from_be_bytes);
        if let Some(twcc) = twcc {
            let arrival = now.saturating_duration_since(self.origin).as_micros() as i64;
            self.twcc
                .record(now, twcc, arrival, route.repairs.unwrap_or(ssrc));
        }
        let payload = view.header_len()..buffer.len() - view.padding_len();
        let index = route.transceiver;
        if let Some(media_ssrc) = route.repairs {
            // RTX (RFC 4588 §4): the original sequence number, then the original payload.
            self.handle_rtx(now, index, media_ssrc, buffer, payload);
            return;
        }
        self.deliver(
            now,
            index,
            ssrc,
            payload_type,
            sequence,
            timestamp,
            marker,
            buffer,
            payload,
        );
    }

    /// Counts, and hands the packet to the application (or to its frame assembler).
    #[expect(clippy::too_many_arguments, reason = "the fields of one packet")]
    fn deliver(
        &mut self,
        now: Instant,
        index: usize,
        ssrc: u32,
        payload_type: u8,
        sequence: u16,
        timestamp: u32,
        marker: bool,
        buffer: Vec<u8>,
        payload: Range<usize>,
    ) {
        let t = &self.transceivers[index];
        let codec = t.codec(payload_type);
        let clock_rate = codec.map_or(90_000, |c| c.clock_rate);
        let track_missing = codec.is_some_and(|c| c.nack);
        let frames = t.receive_mode == ReceiveMode::Frames;
        let Some(stream) = self.streams.get_mut(&ssrc) else {
            self.recycle(buffer);
            return;
        };
        stream.clock_rate = clock_rate;
        let size = payload.len();
        let extended = stream.on_packet(now, self.origin, sequence, timestamp, size, track_missing);
        let rid = stream.rid;
        let transceiver = TransceiverId(index as u32);
        if frames {
            if !self.assemblers.contains_key(&ssrc)
                && let Some(a) = self.transceivers[index]
                    .codec(payload_type)
                    .and_then(Assembler::for_codec)
            {
                self.assemblers.insert(ssrc, a);
            }
            let Some(assembler) = self.assemblers.get_mut(&ssrc) else {
                self.recycle(buffer);
                return;
            };
            let _ = assembler.push(now, sequence, timestamp, marker, &buffer[payload]);
            self.recycle(buffer);
            self.pop_frames(now, ssrc, transceiver, payload_type);
            return;
        }
        self.events.push_back(crate::Event::Rtp(RtpReceived {
            transceiver,
            ssrc,
            payload_type,
            sequence: extended,
            timestamp,
            marker,
            rid,
            packet: buffer,
            payload,
        }));
    }

    fn pop_frames(
        &mut self,
        now: Instant,
        ssrc: u32,
        transceiver: TransceiverId,
        payload_type: u8,
    ) {
        loop {
            let mut data = self.frame_pool.pop().unwrap_or_else(|| self.buffer());
            let Some(assembler) = self.assemblers.get_mut(&ssrc) else {
                return;
            };
            let Some(frame) = assembler.pop_frame(now, &mut data) else {
                self.recycle(data);
                return;
            };
            self.events.push_back(crate::Event::Frame(FrameReceived {
                transceiver,
                ssrc,
                payload_type,
                timestamp: frame.timestamp,
                keyframe: frame.keyframe,
                after_loss: frame.after_loss,
                rid: self.streams.get(&ssrc).and_then(|s| s.rid),
                data,
            }));
        }
    }

    fn handle_rtx(
        &mut self,
        now: Instant,
        index: usize,
        media_ssrc: u32,
        mut buffer: Vec<u8>,
        payload: Range<usize>,
    ) {
        if payload.len() < 2 {
            self.recycle(buffer);
            return;
        }
        let original = u16::from_be_bytes([buffer[payload.start], buffer[payload.start + 1]]);
        let rtx_type = buffer[1] & 0x7f;
        let Some(payload_type) = self.transceivers[index]
            .codec_of_rtx(rtx_type)
            .map(|c| c.payload_type)
        else {
            self.recycle(buffer);
            return;
        };
        // Rewrite it as the packet it repairs: media SSRC, payload type and sequence number;
        // the two bytes of the original sequence number leave the payload.
        buffer[1] = (buffer[1] & 0x80) | payload_type;
        buffer[2..4].copy_from_slice(&original.to_be_bytes());
        buffer[8..12].copy_from_slice(&media_ssrc.to_be_bytes());
        buffer.drain(payload.start..payload.start + 2);
        let payload = payload.start..payload.end - 2;
        let Some(stream) = self.streams.get_mut(&media_ssrc) else {
            self.recycle(buffer);
            return;
        };
        stream.repaired += 1;
        let timestamp = u32::from_be_bytes([buffer[4], buffer[5], buffer[6], buffer[7]]);
        let marker = buffer[1] & 0x80 != 0;
        self.deliver(
            now,
            index,
            media_ssrc,
            payload_type,
            original,
            timestamp,
            marker,
            buffer,
            payload,
        );
    }

    /// When a report, a NACK or a keyframe request is next due.
    pub(crate) fn poll_timeout(&self) -> Option<Instant> {
        if !self.keyed() || self.transceivers.is_empty() {
            return None;
        }
        let nack = self
            .streams
            .values()
            .filter_map(ReceiveStream::next_nack)
            .min();
        [self.next_report, nack, self.twcc.due]
            .into_iter()
            .flatten()
            .min()
    }

    /// Sends what is due: reports (RFC 3550 §6.2) and NACKs.
    pub(crate) fn handle_timeout(&mut self, now: Instant) {
        if !self.keyed() || self.transceivers.is_empty() {
            return;
        }
        self.send_nacks(now);
        if self.twcc.due.is_some_and(|t| now >= t) {
            self.send_transport_feedback(now);
        }
        if self.next_report.is_some_and(|t| now >= t) {
            self.send_report(now);
            let interval = self.report_interval();
            self.next_report = Some(now + interval);
        }
    }

    /// Which transceivers are stopped or negotiated, for the SDP side.
    pub(crate) fn transceiver(&self, id: TransceiverId) -> Option<&Transceiver> {
        self.transceivers.get(id.0 as usize)
    }

    /// A transceiver to change, or [`MediaError::UnknownTransceiver`].
    pub(crate) fn transceiver_mut(
        &mut self,
        id: TransceiverId,
    ) -> Result<&mut Transceiver, MediaError> {
        self.transceivers
            .get_mut(id.0 as usize)
            .ok_or(MediaError::UnknownTransceiver)
    }

    /// Forgets receive state of SSRCs no transceiver receives any more.
    pub(crate) fn renegotiated(&mut self) {
        let transceivers = &self.transceivers;
        self.routes.retain(|_, r| {
            transceivers
                .get(r.transceiver)
                .is_some_and(Transceiver::receives)
        });
        let routes = &self.routes;
        self.streams.retain(|ssrc, _| routes.contains_key(ssrc));
        self.assemblers.retain(|ssrc, _| routes.contains_key(ssrc));
    }
}
