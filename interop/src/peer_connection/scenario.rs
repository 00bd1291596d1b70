//! What a browser scenario is (who offers, the channels, the messages) and what it produced
//! (both sides' counters and the page's verdict).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::time::Duration;

use sansrtc::{ChannelConfig, ChannelInfo, Config, MessageKind, Negotiated, Reliability};
use serde_json::{Value, json};

/// Who sends the offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offerer {
    /// The page offers; we answer.
    Browser,
    /// We offer; the page answers.
    Us,
}

/// Who creates a data channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Creator {
    /// The page (`createDataChannel`); it reaches us as [`sansrtc::Event::DataChannel`].
    Browser,
    /// We do; it reaches the page as a `datachannel` event.
    Us,
    /// Both, pre-negotiated on one stream id (`negotiated: true, id`; no DCEP).
    Both,
}

/// One message a side sends: its kind and length in bytes (text: about that many UTF-8
/// bytes on our side, UTF-16 units on the page's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Message {
    /// Text or binary.
    pub kind: MessageKind,
    /// Length, header included.
    pub len: usize,
}

impl Message {
    /// A text message of about `len` bytes.
    pub const fn text(len: usize) -> Self {
        Self {
            kind: MessageKind::Text,
            len,
        }
    }

    /// A binary message of `len` bytes.
    pub const fn binary(len: usize) -> Self {
        Self {
            kind: MessageKind::Binary,
            len,
        }
    }
}

/// A data channel of a scenario and the messages each side sends on it.
#[derive(Debug, Clone)]
pub struct ChannelPlan {
    /// The label (unique in a scenario: both sides find the channel by it).
    pub label: String,
    /// The subprotocol.
    pub protocol: String,
    /// Who creates it.
    pub creator: Creator,
    /// Ordered delivery.
    pub ordered: bool,
    /// Partial reliability by retransmissions (`maxRetransmits`).
    pub max_retransmits: Option<u16>,
    /// The stream id of a pre-negotiated channel ([`Creator::Both`]).
    pub negotiated_id: Option<u16>,
    /// What the page sends (we echo it).
    pub browser_sends: Vec<Message>,
    /// What we send (the page echoes it).
    pub we_send: Vec<Message>,
}

impl ChannelPlan {
    /// A reliable, ordered channel created by `creator`, with the same messages both ways.
    pub fn new(label: &str, creator: Creator, messages: &[Message]) -> Self {
        Self {
            label: label.to_owned(),
            protocol: String::new(),
            creator,
            ordered: true,
            max_retransmits: None,
            negotiated_id: None,
            browser_sends: messages.to_vec(),
            we_send: messages.to_vec(),
        }
    }

    pub(crate) fn our_config(&self) -> ChannelConfig {
        ChannelConfig {
            label: self.label.clone(),
            protocol: self.protocol.clone(),
            ordered: self.ordered,
            reliability: self.max_retransmits.map_or(Reliability::Reliable, |n| {
                Reliability::MaxRetransmits(n.into())
            }),
            priority: 256,
            negotiated: self.negotiated_id,
        }
    }

    pub(crate) fn page_json(&self) -> Value {
        let mut init = serde_json::Map::new();
        init.insert("ordered".into(), self.ordered.into());
        init.insert("protocol".into(), self.protocol.clone().into());
        if let Some(n) = self.max_retransmits {
            init.insert("maxRetransmits".into(), n.into());
        }
        if let Some(id) = self.negotiated_id {
            init.insert("negotiated".into(), true.into());
            init.insert("id".into(), id.into());
        }
        let creator = match self.creator {
            Creator::Browser => "page",
            Creator::Us => "us",
            Creator::Both => "both",
        };
        let page: Vec<Value> = self
            .browser_sends
            .iter()
            .map(|m| {
                let kind = match m.kind {
                    MessageKind::Text => "text",
                    _ => "binary",
                };
                json!({"kind": kind, "len": m.len})
            })
            .collect();
        json!({
            "label": self.label,
            "creator": creator,
            "init": init,
            "page": page,
            "ours": self.we_send.len(),
        })
    }
}

/// A scenario: one fresh Chromium, one PeerConnection, one offer/answer exchange.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// A short name, for messages.
    pub name: String,
    /// Who offers.
    pub offerer: Offerer,
    /// The page adds a camera and a microphone track (fake devices, `getUserMedia`).
    pub media: bool,
    /// Our PeerConnection's settings.
    pub config: Config,
    /// The data channels.
    pub channels: Vec<ChannelPlan>,
    /// The page gives up (and posts a failed verdict) after this long.
    pub page_deadline: Duration,
    /// We give up after this long.
    pub timeout: Duration,
    /// The page's `RTCConfiguration` (`iceServers`, `iceTransportPolicy`, ...); `None` for
    /// the default.
    pub page_rtc_config: Option<Value>,
    /// Once every message went both ways, the page restarts ICE (`createOffer({iceRestart:
    /// true})`, sent to us over `POST /offer`; we answer), waits until its selected pair uses
    /// the new credentials, and both sides send their messages a second time.
    pub page_restarts_ice: bool,
    /// With `media`: we receive the page's audio as RTP and its video as frames, and the
    /// scenario is complete once this many audio packets and video frames came.
    pub receive_media_until: Option<(usize, usize)>,
    /// With `media`: we answer audio and video sendrecv and send back what the page sends
    /// (frames re-packetized on our SSRC, audio packets as they came), forwarding its key
    /// frame requests to its sender; the page is done once its inbound `getStats` reach
    /// these audio packets and decoded video frames.
    pub echo_media_until: Option<(usize, usize)>,
    /// Drop every n-th video RTP packet we send (not the retransmissions), as a lossy path
    /// would: the page's NACKs and our RTX must repair them.
    pub drop_our_video_every: Option<usize>,
}

impl Scenario {
    /// A scenario with default settings: the browser offers, no media, a 15 s page deadline
    /// and a 20 s timeout.
    pub fn new(name: &str, channels: Vec<ChannelPlan>) -> Self {
        Self {
            name: name.to_owned(),
            offerer: Offerer::Browser,
            media: false,
            config: Config::default(),
            channels,
            page_deadline: Duration::from_secs(15),
            timeout: Duration::from_secs(20),
            page_rtc_config: None,
            page_restarts_ice: false,
            receive_media_until: None,
            echo_media_until: None,
            drop_our_video_every: None,
        }
    }

    /// How many times each side sends its messages: twice when the page restarts ICE
    /// (before and after), else once.
    pub fn rounds(&self) -> usize {
        if self.page_restarts_ice { 2 } else { 1 }
    }
}

/// What we received of the page's media.
#[derive(Debug, Clone, Default)]
pub struct MediaTally {
    /// `Track` events: the kinds of the transceivers that receive.
    pub tracks: Vec<String>,
    /// The codecs the offer/answer settled, per kind: payload type and name.
    pub negotiated: BTreeMap<String, Vec<(u8, String)>>,
    /// RTP packets per kind.
    pub rtp: BTreeMap<String, usize>,
    /// Payload types seen per kind.
    pub payload_types: BTreeMap<String, BTreeSet<u8>>,
    /// Whole frames per kind.
    pub frames: BTreeMap<String, usize>,
    /// Key frames among them.
    pub keyframes: usize,
    /// VP8 frames whose frame header (RFC 6386 §9.1) agrees with their length.
    pub valid_vp8_frames: usize,
    /// Frames that did not, described.
    pub invalid_frames: Vec<String>,
    /// RTCP compounds from the page.
    pub rtcp: usize,
    /// Frames and audio packets we sent back (echo), and why any could not go.
    pub echoed_frames: usize,
    /// Audio packets we sent back.
    pub echoed_audio: usize,
    /// Key frame requests from the page forwarded to its sender.
    pub keyframe_requests: usize,
    /// Errors writing the echo.
    pub echo_errors: Vec<String>,
    /// Video RTP packets of ours dropped on purpose, and retransmissions (RTX) sent.
    pub dropped_video: usize,
    /// RTX packets we sent (answers to the page's NACKs).
    pub rtx_sent: usize,
}

impl MediaTally {
    /// Whether `frame` is a consistent VP8 frame (RFC 6386 §9.1): a frame tag whose version is
    /// at most 3 and whose first partition fits, and for a key frame the start code and a
    /// non-zero size.
    pub fn is_valid_vp8(frame: &[u8]) -> bool {
        if frame.len() < 3 {
            return false;
        }
        let tag = u32::from(frame[0]) | u32::from(frame[1]) << 8 | u32::from(frame[2]) << 16;
        let key = tag & 1 == 0;
        let version = (tag >> 1) & 7;
        let first_partition = (tag >> 5) as usize;
        let header = if key { 10 } else { 3 };
        if version > 3 || header + first_partition > frame.len() {
            return false;
        }
        if key {
            let width = u16::from_le_bytes([frame[6], frame[7]]) & 0x3fff;
            let height = u16::from_le_bytes([frame[8], frame[9]]) & 0x3fff;
            return frame[3..6] == [0x9d, 0x01, 0x2a] && width > 0 && height > 0;
        }
        true
    }
}

/// Our side's counters for one channel.
#[derive(Debug, Clone, Default)]
pub struct ChannelTally {
    /// The channel opened on our side.
    pub opened: bool,
    /// Its SCTP stream id.
    pub stream_id: Option<u16>,
    /// How it looked when it opened (for a channel the page created: what its
    /// DATA_CHANNEL_OPEN said).
    pub info: Option<ChannelInfo>,
    /// Messages of the page we echoed.
    pub echoed: usize,
    /// Their bytes.
    pub echoed_bytes: usize,
    /// Our messages whose echo came back equal, kind and bytes.
    pub verified: usize,
    /// Their bytes.
    pub verified_bytes: usize,
    /// The largest message received.
    pub largest: usize,
    /// Echoes that differed, or messages we could not place.
    pub mismatches: Vec<String>,
    /// Ordered channel: echoes of ours that came back out of order.
    pub out_of_order: usize,
    /// Our sends the PeerConnection refused.
    pub send_errors: Vec<String>,
}

/// What a scenario ended with, on both sides.
#[derive(Debug)]
pub struct Outcome {
    /// The scenario's name.
    pub name: String,
    /// The browser's version.
    pub browser_version: String,
    /// From start (before the browser launched) to the end of the loop.
    pub elapsed: Duration,
    /// From start to our connection state `Connected`.
    pub connected_after: Option<Duration>,
    /// Our side finished: every channel opened, every message echoed and verified.
    pub ours_complete: bool,
    /// The page's verdict (`/result`), if it posted one.
    pub page: Option<Value>,
    /// Our counters by channel label.
    pub channels: BTreeMap<String, ChannelTally>,
    /// What our DTLS negotiated.
    pub negotiated: Option<Negotiated>,
    /// The SCTP extensions both sides announced.
    pub sctp: Option<sansrtc::SctpFeatures>,
    /// The offer (as sent, before we dropped non-loopback candidates).
    pub offer: String,
    /// The answer.
    pub answer: String,
    /// Later offer/answer exchanges (an ICE restart), in order.
    pub renegotiations: Vec<(String, String)>,
    /// Our selected pair at the end (`stats()`): local and remote candidate.
    pub selected_pair: Option<(sansrtc::Candidate, sansrtc::Candidate)>,
    /// Signaling errors on our side.
    pub signaling_errors: Vec<String>,
    /// The page's progress lines.
    pub page_log: Vec<String>,
    /// Notable events of our side (not the messages).
    pub events: Vec<String>,
    /// Datagrams our side rejected.
    pub rejected: Vec<String>,
    /// The browser's candidates we did not use (not UDP on 127.0.0.1).
    pub skipped_candidates: Vec<String>,
    /// The browser's trickled candidates we used, in order (an empty one ends a generation).
    pub remote_candidates: Vec<String>,
    /// Where our side wanted to send datagrams other than to 127.0.0.1 (dropped), and how
    /// many.
    pub not_loopback: BTreeMap<SocketAddr, usize>,
    /// The end of Chromium's own log.
    pub browser_log: String,
    /// What we received of the page's media.
    pub media: MediaTally,
}

impl Outcome {
    /// The page reported success.
    pub fn page_ok(&self) -> bool {
        self.page.as_ref().is_some_and(|p| p["ok"] == true)
    }

    /// The page's verdict for one channel.
    pub fn page_channel(&self, label: &str) -> &Value {
        self.page
            .as_ref()
            .map_or(&Value::Null, |p| &p["channels"][label])
    }

    /// The page's `getStats()` facts of the DTLS transport.
    pub fn page_transport(&self) -> &Value {
        self.page
            .as_ref()
            .map_or(&Value::Null, |p| &p["stats"]["transport"])
    }

    /// Our tally of one channel.
    ///
    /// # Panics
    /// When the scenario has no such channel.
    pub fn ours(&self, label: &str) -> &ChannelTally {
        &self.channels[label]
    }

    /// Everything useful for a failure message.
    pub fn diagnostics(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "scenario {} ({}), {:?} elapsed, connected after {:?}, ours complete: {}",
            self.name, self.browser_version, self.elapsed, self.connected_after, self.ours_complete
        );
        let _ = writeln!(s, "negotiated: {:?}", self.negotiated);
        let _ = writeln!(s, "our channels: {:#?}", self.channels);
        let _ = writeln!(
            s,
            "page: {}",
            self.page
                .as_ref()
                .map_or_else(|| "no verdict".to_owned(), |p| format!("{p:#}"))
        );
        let _ = writeln!(s, "page log:\n  {}", self.page_log.join("\n  "));
        let _ = writeln!(s, "our events:\n  {}", self.events.join("\n  "));
        let _ = writeln!(s, "signaling errors: {:?}", self.signaling_errors);
        let _ = writeln!(s, "rejected datagrams: {:?}", self.rejected);
        let _ = writeln!(s, "their trickled candidates: {:?}", self.remote_candidates);
        let _ = writeln!(
            s,
            "skipped candidates: {:?}; sends not to 127.0.0.1 (dropped): {:?}",
            self.skipped_candidates, self.not_loopback
        );
        let _ = writeln!(s, "offer:\n{}", self.offer);
        let _ = writeln!(s, "answer:\n{}", self.answer);
        for (i, (offer, answer)) in self.renegotiations.iter().enumerate() {
            let _ = writeln!(s, "offer {}:\n{offer}\nanswer {}:\n{answer}", i + 2, i + 2);
        }
        let _ = writeln!(s, "our selected pair: {:?}", self.selected_pair);
        let _ = writeln!(s, "browser log (end):\n{}", self.browser_log);
        s
    }

    /// A one-paragraph summary of what was negotiated, as both sides saw it.
    pub fn summary(&self) -> String {
        let t = self.page_transport();
        let n = self.negotiated;
        let page = self.page.as_ref().unwrap_or(&Value::Null);
        let channels: Vec<String> = page["stats"]["dataChannels"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| {
                format!(
                    "{} (id {}, {} msgs / {} B out, {} msgs / {} B in)",
                    c["label"],
                    c["id"],
                    c["messagesSent"],
                    c["bytesSent"],
                    c["messagesReceived"],
                    c["bytesReceived"]
                )
            })
            .collect();
        format!(
            "{}: {} in {:?} (connected after {:?}); ours: {:?} {:?} as DTLS {:?}; page: tlsVersion {} dtlsCipher {} srtpCipher {} dtlsRole {}, {} data channels opened: {}",
            self.name,
            self.browser_version,
            self.elapsed,
            self.connected_after,
            n.map(|n| n.cipher_suite),
            n.and_then(|n| n.srtp_profile),
            n.map(|n| n.dtls_role),
            t["tlsVersion"],
            t["dtlsCipher"],
            t["srtpCipher"],
            t["dtlsRole"],
            page["stats"]["peerConnection"]["dataChannelsOpened"],
            channels.join(", "),
        )
    }
}

/// The name `getStats()` gives a cipher suite (the IANA name), from ours.
pub fn iana_suite_name(n: &Negotiated) -> String {
    n.cipher_suite
        .name()
        .map_or_else(|| format!("{:?}", n.cipher_suite), str::to_owned)
}

/// The name `getStats()` gives an SRTP profile (`srtpCipher`, the RFC 5764 §4.1.2 name), from
/// ours.
pub fn stats_srtp_name(n: &Negotiated) -> Option<&'static str> {
    n.srtp_profile.and_then(sansrtc::srtp_profile_name)
}
