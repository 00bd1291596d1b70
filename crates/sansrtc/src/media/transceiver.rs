//! Transceivers (RFC 8829 §3.4.1, W3C `RTCRtpTransceiver`): one audio or video section of
//! the session, what it sends (an SSRC, and an RTX SSRC for video) and what it receives, and
//! what the offer/answer settled for it: its mid, direction, codecs with their payload types,
//! RTX pairing and feedback, and the header extension ids.

use sansrtc_sdp::attributes::Direction;

/// A transceiver of a [`PeerConnection`](crate::PeerConnection).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct TransceiverId(pub u32);

/// A simulcast layer's RTP stream id (RFC 8851 `rid-id`, RFC 8852 rtp-stream-id): 1 to 16
/// letters, digits, `-` or `_`, kept inline (a packet's events carry it without allocating).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rid {
    bytes: [u8; 16],
    len: u8,
}

impl Rid {
    /// A rid from its bytes, if they are one.
    pub fn new(bytes: &[u8]) -> Option<Self> {
        let valid = (1..=16).contains(&bytes.len())
            && bytes
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_');
        if !valid {
            return None;
        }
        let mut out = [0; 16];
        out[..bytes.len()].copy_from_slice(bytes);
        Some(Self {
            bytes: out,
            len: bytes.len() as u8,
        })
    }

    /// The rid as text.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or_default()
    }
}

impl std::fmt::Debug for Rid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Rid({})", self.as_str())
    }
}

impl std::fmt::Display for Rid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Audio or video.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaKind {
    /// An audio section (`m=audio`).
    Audio,
    /// A video section (`m=video`).
    Video,
}

/// How received media reaches the application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ReceiveMode {
    /// Every RTP packet, decrypted ([`Event::Rtp`](crate::Event::Rtp)): for forwarding.
    #[default]
    Rtp,
    /// Whole frames, depacketized and in order ([`Event::Frame`](crate::Event::Frame)): for
    /// decoding. Needs a codec sansrtc-media reads (Opus, VP8, VP9, H.264, AV1).
    Frames,
}

/// A codec the offer/answer settled on for a transceiver (RFC 8829 §5.3.1: the answer keeps
/// the offer's payload types, so both directions use the same ones).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct NegotiatedCodec {
    /// The payload type.
    pub payload_type: u8,
    /// The encoding name (`opus`, `VP8`, `H264`, ...).
    pub name: String,
    /// The RTP clock rate.
    pub clock_rate: u32,
    /// Audio channels.
    pub channels: Option<u16>,
    /// The payload type of its RTX stream (RFC 4588 `apt`), if negotiated.
    pub rtx_payload_type: Option<u8>,
    /// Generic NACK (`a=rtcp-fb:<pt> nack`, RFC 4585).
    pub nack: bool,
    /// Picture loss indication (`nack pli`).
    pub pli: bool,
    /// Full intra request (`ccm fir`, RFC 5104).
    pub fir: bool,
    /// H.264 packetization mode (RFC 6184 §8.1), 0 when absent.
    pub packetization_mode: u8,
}

/// Header extension ids the session negotiated (RFC 8285; the answer echoes the offer's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub struct ExtensionIds {
    /// `urn:ietf:params:rtp-hdrext:sdes:mid` (RFC 8843 §15.1).
    pub mid: Option<u8>,
    /// `urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id` (RFC 8852).
    pub rid: Option<u8>,
    /// `urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id` (RFC 8852).
    pub repaired_rid: Option<u8>,
    /// Transport-wide sequence numbers (draft-holmer-rmcat-transport-wide-cc-extensions-01).
    pub transport_cc: Option<u8>,
    /// `http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time`.
    pub abs_send_time: Option<u8>,
    /// `urn:ietf:params:rtp-hdrext:ssrc-audio-level` (RFC 6464).
    pub audio_level: Option<u8>,
}

impl ExtensionIds {
    /// Records the id of `uri`, if it is one of ours.
    pub(crate) fn learn(&mut self, id: u16, uri: &str) {
        let Ok(id) = u8::try_from(id) else {
            return;
        };
        let slot = match uri {
            "urn:ietf:params:rtp-hdrext:sdes:mid" => &mut self.mid,
            "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id" => &mut self.rid,
            "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id" => &mut self.repaired_rid,
            "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01" => {
                &mut self.transport_cc
            }
            "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time" => &mut self.abs_send_time,
            "urn:ietf:params:rtp-hdrext:ssrc-audio-level" => &mut self.audio_level,
            _ => return,
        };
        *slot = Some(id);
    }
}

/// What the application can read about a transceiver.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TransceiverInfo {
    /// Audio or video.
    pub kind: MediaKind,
    /// Its section's mid, once it has one (our offer, or the peer's).
    pub mid: Option<String>,
    /// The direction the application asked for.
    pub direction: Direction,
    /// The direction the last completed offer/answer settled (from our side), if any.
    pub current_direction: Option<Direction>,
    /// The codecs negotiated, in preference order.
    pub codecs: Vec<NegotiatedCodec>,
    /// The header extension ids negotiated.
    pub extensions: ExtensionIds,
    /// The SSRC we send with (and its RTX SSRC); the first layer's with simulcast.
    pub send_ssrc: (u32, Option<u32>),
    /// The simulcast layers we send, in order (empty without simulcast).
    pub send_rids: Vec<Rid>,
    /// The SSRCs the peer signaled for this section.
    pub remote_ssrcs: Vec<u32>,
    /// How received media is delivered.
    pub receive_mode: ReceiveMode,
    /// Stopped.
    pub stopped: bool,
}

/// A transceiver's mid copied out (at most 16 bytes, what the one-byte extension form
/// carries; a longer one is not written), so a packet can carry it without a borrow or an
/// allocation.
pub(crate) fn mid_bytes(t: &Transceiver) -> ([u8; 16], usize) {
    let mut bytes = [0; 16];
    let mid = t.mid.as_deref().unwrap_or_default().as_bytes();
    if mid.len() > bytes.len() {
        return (bytes, 0);
    }
    bytes[..mid.len()].copy_from_slice(mid);
    (bytes, mid.len())
}

/// One transceiver's state.
#[derive(Debug)]
pub(crate) struct Transceiver {
    pub(crate) kind: MediaKind,
    pub(crate) mid: Option<String>,
    pub(crate) direction: Direction,
    pub(crate) current_direction: Option<Direction>,
    pub(crate) codecs: Vec<NegotiatedCodec>,
    pub(crate) extensions: ExtensionIds,
    /// What we send: one stream, or one per simulcast layer (each with its rid).
    pub(crate) sends: Vec<super::send::SendStream>,
    /// SSRCs the peer signaled (media, then RTX pairs as `(rtx, media)`).
    pub(crate) remote_ssrcs: Vec<u32>,
    pub(crate) remote_rtx: Vec<(u32, u32)>,
    pub(crate) receive_mode: ReceiveMode,
    /// The msid stream and track ids we signal.
    pub(crate) msid: (String, String),
    /// The simulcast layers the peer sends us (its `a=rid:<id> send`), kept in our offers.
    pub(crate) receive_rids: Vec<String>,
    /// Stopped (W3C `RTCRtpTransceiver.stop()`): it neither sends nor receives, and its
    /// section is rejected in the next offer or answer.
    pub(crate) stopped: bool,
}

impl Transceiver {
    pub(crate) fn new(
        kind: MediaKind,
        direction: Direction,
        sends: Vec<super::send::SendStream>,
        msid: (String, String),
    ) -> Self {
        Self {
            kind,
            mid: None,
            direction,
            current_direction: None,
            codecs: Vec::new(),
            extensions: ExtensionIds::default(),
            sends,
            remote_ssrcs: Vec::new(),
            remote_rtx: Vec::new(),
            receive_mode: ReceiveMode::default(),
            msid,
            receive_rids: Vec::new(),
            stopped: false,
        }
    }

    /// The first (or only) stream we send.
    pub(crate) fn send(&self) -> &super::send::SendStream {
        &self.sends[0]
    }

    /// The layer we send `rid` on (none: the first).
    pub(crate) fn layer(&self, rid: Option<Rid>) -> Option<usize> {
        match rid {
            None => Some(0),
            Some(rid) => self.sends.iter().position(|s| s.rid == Some(rid)),
        }
    }

    /// Whether the negotiated direction lets us send.
    pub(crate) fn sends(&self) -> bool {
        matches!(
            self.current_direction,
            Some(Direction::SendRecv | Direction::SendOnly)
        )
    }

    /// Whether the negotiated direction lets us receive.
    pub(crate) fn receives(&self) -> bool {
        matches!(
            self.current_direction,
            Some(Direction::SendRecv | Direction::RecvOnly)
        )
    }

    /// The negotiated codec of `payload_type`.
    pub(crate) fn codec(&self, payload_type: u8) -> Option<&NegotiatedCodec> {
        self.codecs.iter().find(|c| c.payload_type == payload_type)
    }

    /// The media codec an RTX payload type repairs.
    pub(crate) fn codec_of_rtx(&self, rtx_payload_type: u8) -> Option<&NegotiatedCodec> {
        self.codecs
            .iter()
            .find(|c| c.rtx_payload_type == Some(rtx_payload_type))
    }

    pub(crate) fn info(&self) -> TransceiverInfo {
        TransceiverInfo {
            kind: self.kind,
            mid: self.mid.clone(),
            direction: self.direction,
            current_direction: self.current_direction,
            codecs: self.codecs.clone(),
            extensions: self.extensions,
            send_ssrc: (self.send().ssrc, self.send().rtx_ssrc),
            send_rids: self.sends.iter().filter_map(|s| s.rid).collect(),
            remote_ssrcs: self.remote_ssrcs.clone(),
            receive_mode: self.receive_mode,
            stopped: self.stopped,
        }
    }
}
