//! Building offers with the attributes Chrome and Firefox expect (RFC 8829 §5.2).

use crate::attributes::{
    Attribute, Candidate, Direction, Extmap, Fingerprint, FmtpParam, Group, Msid, MsidSemantic,
    Rid, Rtcp, RtcpFb, Rtpmap, Setup, Simulcast, SimulcastId, SimulcastStreams, Ssrc, SsrcGroup,
    StreamDirection,
};
use crate::codec::Codec;
use crate::media::{MediaDescription, MediaKind, TransportProtocol};
use crate::session::{Address, Connection, Origin, SessionDescription};
use std::borrow::Cow;
use std::net::{IpAddr, Ipv4Addr};

/// Our ICE and DTLS parameters, written into every section we offer or accept.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LocalTransport {
    /// `a=ice-ufrag` (RFC 8839 §5.4: 4 to 256 characters).
    pub ice_ufrag: String,
    /// `a=ice-pwd` (22 to 256 characters).
    pub ice_pwd: String,
    /// Our certificate fingerprints.
    pub fingerprints: Vec<Fingerprint>,
    /// Candidates gathered so far (trickle sends the rest later).
    pub candidates: Vec<Candidate>,
    /// Whether gathering is complete (`a=end-of-candidates`).
    pub end_of_candidates: bool,
    /// Whether we are an ICE-lite agent (`a=ice-lite`).
    pub ice_lite: bool,
}

impl LocalTransport {
    /// A transport with ICE credentials and one fingerprint, no candidates yet.
    pub fn new(
        ice_ufrag: impl Into<String>,
        ice_pwd: impl Into<String>,
        fingerprint: Fingerprint,
    ) -> Self {
        Self {
            ice_ufrag: ice_ufrag.into(),
            ice_pwd: ice_pwd.into(),
            fingerprints: vec![fingerprint],
            candidates: Vec::new(),
            end_of_candidates: false,
            ice_lite: false,
        }
    }
}

/// A codec to offer (or to accept in an answer).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CodecSpec {
    /// Payload type (offers; answers use the offer's).
    pub payload_type: u8,
    /// Encoding name.
    pub name: String,
    /// Clock rate.
    pub clock_rate: u32,
    /// Channels (audio).
    pub channels: Option<u16>,
    /// `fmtp` parameters.
    pub params: Vec<FmtpParam>,
    /// `rtcp-fb` types and parameters: (`nack`, `Some("pli")`).
    pub feedback: Vec<(String, Option<String>)>,
    /// RTX payload type, when retransmission is offered (RFC 4588).
    pub rtx: Option<u8>,
}

fn params(list: &[(&'static str, &str)]) -> Vec<FmtpParam> {
    list.iter()
        .map(|(n, v)| FmtpParam {
            name: Cow::Borrowed(*n),
            value: Some(Cow::Owned((*v).to_owned())),
        })
        .collect()
}

fn video_feedback() -> Vec<(String, Option<String>)> {
    [
        ("goog-remb", None),
        ("transport-cc", None),
        ("ccm", Some("fir")),
        ("nack", None),
        ("nack", Some("pli")),
    ]
    .into_iter()
    .map(|(k, p)| (k.to_owned(), p.map(str::to_owned)))
    .collect()
}

impl CodecSpec {
    fn new(payload_type: u8, name: &str, clock_rate: u32, channels: Option<u16>) -> Self {
        Self {
            payload_type,
            name: name.to_owned(),
            clock_rate,
            channels,
            params: Vec::new(),
            feedback: Vec::new(),
            rtx: None,
        }
    }

    /// Opus as browsers offer it: `opus/48000/2`, `minptime=10;useinbandfec=1`, transport-cc.
    pub fn opus(payload_type: u8) -> Self {
        Self {
            params: params(&[("minptime", "10"), ("useinbandfec", "1")]),
            feedback: vec![("transport-cc".to_owned(), None)],
            ..Self::new(payload_type, "opus", 48000, Some(2))
        }
    }

    /// PCMU (payload type 0).
    pub fn pcmu() -> Self {
        Self::new(0, "PCMU", 8000, None)
    }

    /// PCMA (payload type 8).
    pub fn pcma() -> Self {
        Self::new(8, "PCMA", 8000, None)
    }

    /// VP8 with the browsers' feedback set, and RTX on `rtx` if given.
    pub fn vp8(payload_type: u8, rtx: Option<u8>) -> Self {
        Self {
            feedback: video_feedback(),
            rtx,
            ..Self::new(payload_type, "VP8", 90000, None)
        }
    }

    /// VP9 with `profile-id`.
    pub fn vp9(payload_type: u8, profile_id: u8, rtx: Option<u8>) -> Self {
        Self {
            params: vec![FmtpParam {
                name: "profile-id".into(),
                value: Some(profile_id.to_string().into()),
            }],
            feedback: video_feedback(),
            rtx,
            ..Self::new(payload_type, "VP9", 90000, None)
        }
    }

    /// H.264 with `profile-level-id` (6 hex digits) and `packetization-mode`.
    pub fn h264(
        payload_type: u8,
        profile_level_id: &str,
        packetization_mode: u8,
        rtx: Option<u8>,
    ) -> Self {
        Self {
            params: vec![
                FmtpParam {
                    name: "level-asymmetry-allowed".into(),
                    value: Some("1".into()),
                },
                FmtpParam {
                    name: "packetization-mode".into(),
                    value: Some(packetization_mode.to_string().into()),
                },
                FmtpParam {
                    name: "profile-level-id".into(),
                    value: Some(profile_level_id.to_owned().into()),
                },
            ],
            feedback: video_feedback(),
            rtx,
            ..Self::new(payload_type, "H264", 90000, None)
        }
    }

    /// AV1 (profile 0, level 5, main tier).
    pub fn av1(payload_type: u8, rtx: Option<u8>) -> Self {
        Self {
            params: params(&[("level-idx", "5"), ("profile", "0"), ("tier", "0")]),
            feedback: video_feedback(),
            rtx,
            ..Self::new(payload_type, "AV1", 90000, None)
        }
    }

    /// A spec that accepts an offered codec as it is (for answers).
    pub fn from_codec(codec: &Codec) -> Self {
        Self {
            payload_type: codec.payload_type,
            name: codec.name.to_string(),
            clock_rate: codec.clock_rate,
            channels: codec.channels,
            params: codec.params.clone(),
            feedback: codec
                .feedback
                .iter()
                .map(|f| {
                    (
                        f.kind.to_string(),
                        f.params.as_ref().map(ToString::to_string),
                    )
                })
                .collect(),
            rtx: codec.rtx,
        }
    }

    /// The `rtpmap`, `rtcp-fb` and `fmtp` lines of this codec (and of its RTX), in the order
    /// Chrome writes them.
    pub(crate) fn attributes(&self, out: &mut Vec<Attribute>) {
        let pt = self.payload_type;
        out.push(Attribute::Rtpmap(Rtpmap {
            payload_type: pt,
            encoding: self.name.clone().into(),
            clock_rate: self.clock_rate,
            channels: self.channels.filter(|&c| c > 1),
        }));
        for (kind, params) in &self.feedback {
            out.push(Attribute::RtcpFb(RtcpFb {
                payload_type: Some(pt),
                kind: kind.clone().into(),
                params: params.clone().map(Into::into),
            }));
        }
        if !self.params.is_empty() {
            out.push(Attribute::Fmtp(crate::attributes::Fmtp {
                format: pt.to_string(),
                params: self.params.clone(),
            }));
        }
        if let Some(rtx) = self.rtx {
            out.push(Attribute::Rtpmap(Rtpmap {
                payload_type: rtx,
                encoding: "rtx".into(),
                clock_rate: self.clock_rate,
                channels: None,
            }));
            out.push(Attribute::Fmtp(crate::attributes::Fmtp {
                format: rtx.to_string(),
                params: params(&[("apt", &pt.to_string())]),
            }));
        }
    }

    /// Payload types this spec puts on the `m=` line (the codec, then its RTX).
    pub(crate) fn formats(&self) -> impl Iterator<Item = String> {
        std::iter::once(self.payload_type)
            .chain(self.rtx)
            .map(|p| p.to_string())
    }
}

/// An RTP stream we send in a section: its SSRC (and RTX SSRC) with `cname` and `msid`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SendStream {
    /// SSRC.
    pub ssrc: u32,
    /// RTX SSRC, paired with `a=ssrc-group:FID`.
    pub rtx_ssrc: Option<u32>,
    /// RTCP CNAME.
    pub cname: String,
}

impl SendStream {
    /// A stream with its SSRC, RTX SSRC and RTCP CNAME.
    pub fn new(ssrc: u32, rtx_ssrc: Option<u32>, cname: impl Into<String>) -> Self {
        Self {
            ssrc,
            rtx_ssrc,
            cname: cname.into(),
        }
    }
}

/// One audio or video section to offer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MediaOptions {
    /// Audio or video.
    pub kind: MediaKind,
    /// `a=mid`.
    pub mid: String,
    /// Direction.
    pub direction: Direction,
    /// Codecs in preference order.
    pub codecs: Vec<CodecSpec>,
    /// Header extensions.
    pub extmaps: Vec<Extmap>,
    /// `a=msid` of the track we send.
    pub msid: Option<Msid>,
    /// The stream we send (SSRC lines), if any.
    pub stream: Option<SendStream>,
    /// Rids to send as simulcast (RFC 8853), in order.
    pub simulcast: Vec<String>,
    /// Rids the peer sends us as simulcast, kept in a later offer (`a=rid:<id> recv`,
    /// `a=simulcast:recv`), in order.
    pub receive_simulcast: Vec<String>,
}

fn extmap(id: u16, uri: &str) -> Extmap {
    Extmap {
        id,
        direction: None,
        uri: uri.to_owned().into(),
        attributes: None,
    }
}

impl MediaOptions {
    /// Audio with Opus (111), PCMU and PCMA, and the header extensions Chrome offers.
    pub fn audio(mid: impl Into<String>) -> Self {
        Self {
            kind: MediaKind::Audio,
            mid: mid.into(),
            direction: Direction::SendRecv,
            codecs: vec![CodecSpec::opus(111), CodecSpec::pcmu(), CodecSpec::pcma()],
            extmaps: vec![
                extmap(1, "urn:ietf:params:rtp-hdrext:ssrc-audio-level"),
                extmap(
                    2,
                    "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
                ),
                extmap(
                    3,
                    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
                ),
                extmap(4, "urn:ietf:params:rtp-hdrext:sdes:mid"),
            ],
            msid: None,
            stream: None,
            simulcast: Vec::new(),
            receive_simulcast: Vec::new(),
        }
    }

    /// Video with VP8 (96, RTX 97), H.264 constrained baseline (102, RTX 103), VP9 (98, RTX
    /// 99) and AV1 (45, RTX 46), and the header extensions Chrome offers.
    pub fn video(mid: impl Into<String>) -> Self {
        Self {
            kind: MediaKind::Video,
            mid: mid.into(),
            direction: Direction::SendRecv,
            codecs: vec![
                CodecSpec::vp8(96, Some(97)),
                CodecSpec::h264(102, "42e01f", 1, Some(103)),
                CodecSpec::vp9(98, 0, Some(99)),
                CodecSpec::av1(45, Some(46)),
            ],
            extmaps: vec![
                extmap(
                    2,
                    "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
                ),
                extmap(13, "urn:3gpp:video-orientation"),
                extmap(
                    3,
                    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
                ),
                extmap(4, "urn:ietf:params:rtp-hdrext:sdes:mid"),
                extmap(10, "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"),
                extmap(11, "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id"),
            ],
            msid: None,
            stream: None,
            simulcast: Vec::new(),
            receive_simulcast: Vec::new(),
        }
    }
}

/// The data channel section to offer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DataChannelOptions {
    /// `a=mid`.
    pub mid: String,
    /// `a=sctp-port` (5000 by convention).
    pub sctp_port: u16,
    /// `a=max-message-size` (Chrome offers 262144).
    pub max_message_size: u64,
}

impl DataChannelOptions {
    /// Port 5000, 256 KiB messages.
    pub fn new(mid: impl Into<String>) -> Self {
        Self {
            mid: mid.into(),
            sctp_port: 5000,
            max_message_size: 262_144,
        }
    }
}

#[derive(Debug, Clone)]
enum Section {
    Media(MediaOptions),
    Data(DataChannelOptions),
}

/// Builds an offer (RFC 8829 §5.2.1): one BUNDLE group over all sections, `setup:actpass`,
/// `rtcp-mux`, `rtcp-rsize`, `extmap-allow-mixed`, trickle ICE.
#[derive(Debug, Clone)]
pub struct OfferBuilder {
    session_id: u64,
    session_version: u64,
    transport: LocalTransport,
    sections: Vec<Section>,
}

/// The `c=` and `a=rtcp` address of a section whose candidates come by ICE (RFC 8829 §5.2.1).
pub(crate) fn null_connection() -> Connection {
    Connection::ip(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

/// The transport attributes of a section: candidates, ICE credentials and options,
/// fingerprints, setup (RFC 8829 §5.2.1 order, as Chrome writes it).
pub(crate) fn transport_attributes(
    transport: &LocalTransport,
    setup: Setup,
    rtp: bool,
    out: &mut Vec<Attribute>,
) {
    if rtp {
        out.push(Attribute::Rtcp(Rtcp {
            port: 9,
            address: Some((
                "IN".to_owned(),
                "IP4".to_owned(),
                Address::Ip(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
            )),
        }));
    }
    out.extend(
        transport
            .candidates
            .iter()
            .cloned()
            .map(Attribute::Candidate),
    );
    if transport.end_of_candidates {
        out.push(Attribute::EndOfCandidates);
    }
    out.push(Attribute::IceUfrag(transport.ice_ufrag.clone()));
    out.push(Attribute::IcePwd(transport.ice_pwd.clone()));
    out.push(Attribute::IceOptions(vec!["trickle".to_owned()]));
    out.extend(
        transport
            .fingerprints
            .iter()
            .cloned()
            .map(Attribute::Fingerprint),
    );
    out.push(Attribute::Setup(setup));
}

/// The session-level skeleton: `o=- <id> <version> IN IP4 127.0.0.1`, `s=-`, `t=0 0`.
pub(crate) fn session(
    session_id: u64,
    session_version: u64,
    transport: &LocalTransport,
) -> SessionDescription {
    let mut sdp = SessionDescription::new(Origin {
        username: "-".to_owned(),
        session_id,
        session_version,
        network_type: "IN".to_owned(),
        address_type: "IP4".to_owned(),
        address: Address::Ip(IpAddr::V4(Ipv4Addr::LOCALHOST)),
    });
    if transport.ice_lite {
        sdp.attributes.push(Attribute::IceLite);
    }
    sdp
}

/// Appends the SSRC and simulcast lines of a stream we send.
pub(crate) fn send_attributes(options: &MediaOptions, out: &mut Vec<Attribute>) {
    stream_attributes(
        &options.simulcast,
        options.stream.as_ref(),
        options.msid.as_ref(),
        out,
    );
}

/// The SSRC lines (cname, msid, FID group) of `stream` and the simulcast lines of `rids`.
pub(crate) fn stream_attributes(
    rids: &[String],
    stream: Option<&SendStream>,
    msid: Option<&Msid>,
    out: &mut Vec<Attribute>,
) {
    if !rids.is_empty() {
        for rid in rids {
            out.push(Attribute::Rid(Rid {
                id: rid.clone(),
                direction: StreamDirection::Send,
                params: Vec::new(),
            }));
        }
        out.push(Attribute::Simulcast(Simulcast {
            directions: vec![SimulcastStreams {
                direction: StreamDirection::Send,
                streams: rids
                    .iter()
                    .map(|rid| {
                        vec![SimulcastId {
                            rid: rid.clone(),
                            paused: false,
                        }]
                    })
                    .collect(),
            }],
        }));
    }
    if let Some(stream) = stream {
        if let Some(rtx) = stream.rtx_ssrc {
            out.push(Attribute::SsrcGroup(SsrcGroup {
                semantics: "FID".to_owned(),
                ssrcs: vec![stream.ssrc, rtx],
            }));
        }
        for ssrc in std::iter::once(stream.ssrc).chain(stream.rtx_ssrc) {
            out.push(Attribute::Ssrc(Ssrc {
                ssrc,
                attribute: "cname".into(),
                value: Some(stream.cname.clone()),
            }));
            if let Some(msid) = msid {
                out.push(Attribute::Ssrc(Ssrc {
                    ssrc,
                    attribute: "msid".into(),
                    value: Some(msid.to_string()),
                }));
            }
        }
    }
}

impl OfferBuilder {
    /// An offer with this session id (JSEP §5.2.1: a random 62-bit number) and transport.
    pub fn new(session_id: u64, transport: LocalTransport) -> Self {
        Self {
            session_id,
            session_version: 2,
            transport,
            sections: Vec::new(),
        }
    }

    /// Sets the session version (increment it on every new offer, JSEP §5.2.2).
    pub fn session_version(mut self, version: u64) -> Self {
        self.session_version = version;
        self
    }

    /// Adds an audio or video section.
    pub fn media(mut self, options: MediaOptions) -> Self {
        self.sections.push(Section::Media(options));
        self
    }

    /// Adds the data channel section.
    pub fn data_channel(mut self, options: DataChannelOptions) -> Self {
        self.sections.push(Section::Data(options));
        self
    }

    /// Builds the offer.
    pub fn build(&self) -> SessionDescription {
        let mut sdp = session(self.session_id, self.session_version, &self.transport);
        let mids: Vec<String> = self
            .sections
            .iter()
            .map(|s| match s {
                Section::Media(m) => m.mid.clone(),
                Section::Data(d) => d.mid.clone(),
            })
            .collect();
        sdp.attributes.push(Attribute::Group(Group {
            semantics: "BUNDLE".to_owned(),
            mids,
        }));
        let has_rtp = self.sections.iter().any(|s| matches!(s, Section::Media(_)));
        if has_rtp {
            sdp.attributes.push(Attribute::ExtmapAllowMixed);
        }
        let streams: Vec<String> = self
            .sections
            .iter()
            .filter_map(|s| match s {
                Section::Media(m) => m.msid.as_ref().map(|id| id.stream.clone()),
                Section::Data(_) => None,
            })
            .fold(Vec::new(), |mut acc, id| {
                if !acc.contains(&id) {
                    acc.push(id);
                }
                acc
            });
        sdp.attributes.push(Attribute::MsidSemantic(MsidSemantic {
            semantic: "WMS".to_owned(),
            ids: streams,
            space_after_colon: true,
        }));
        for section in &self.sections {
            sdp.media.push(match section {
                Section::Media(m) => self.media_section(m),
                Section::Data(d) => data_section(d, &self.transport, Setup::ActPass),
            });
        }
        sdp
    }

    fn media_section(&self, options: &MediaOptions) -> MediaDescription {
        let formats = options.codecs.iter().flat_map(CodecSpec::formats).collect();
        let mut m = MediaDescription::new(
            options.kind.clone(),
            9,
            TransportProtocol::UdpTlsRtpSavpf,
            formats,
        );
        m.connections.push(null_connection());
        let a = &mut m.attributes;
        transport_attributes(&self.transport, Setup::ActPass, true, a);
        a.push(Attribute::Mid(options.mid.clone()));
        a.extend(options.extmaps.iter().cloned().map(Attribute::Extmap));
        a.push(Attribute::Direction(options.direction));
        if let Some(msid) = &options.msid {
            a.push(Attribute::Msid(msid.clone()));
        }
        a.push(Attribute::RtcpMux);
        a.push(Attribute::RtcpRsize);
        for codec in &options.codecs {
            codec.attributes(a);
        }
        send_attributes(options, a);
        if !options.receive_simulcast.is_empty() {
            for rid in &options.receive_simulcast {
                a.push(Attribute::Rid(Rid {
                    id: rid.clone(),
                    direction: StreamDirection::Recv,
                    params: Vec::new(),
                }));
            }
            a.push(Attribute::Simulcast(Simulcast {
                directions: vec![SimulcastStreams {
                    direction: StreamDirection::Recv,
                    streams: options
                        .receive_simulcast
                        .iter()
                        .map(|rid| {
                            vec![SimulcastId {
                                rid: rid.clone(),
                                paused: false,
                            }]
                        })
                        .collect(),
                }],
            }));
        }
        m
    }
}

/// A data channel section in the RFC 8841 form.
pub(crate) fn data_section(
    options: &DataChannelOptions,
    transport: &LocalTransport,
    setup: Setup,
) -> MediaDescription {
    let mut m = MediaDescription::new(
        MediaKind::Application,
        9,
        TransportProtocol::UdpDtlsSctp,
        vec!["webrtc-datachannel".to_owned()],
    );
    m.connections.push(null_connection());
    transport_attributes(transport, setup, false, &mut m.attributes);
    if !options.mid.is_empty() {
        m.attributes.push(Attribute::Mid(options.mid.clone()));
    }
    m.attributes.push(Attribute::SctpPort(options.sctp_port));
    m.attributes
        .push(Attribute::MaxMessageSize(options.max_message_size));
    m
}
