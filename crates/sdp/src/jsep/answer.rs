//! Building answers (RFC 8829 §5.3): accept what we support from an offer, reject the rest,
//! keep the offer's mids, payload types and BUNDLE group.

use super::offer::{
    CodecSpec, DataChannelOptions, LocalTransport, MediaOptions, SendStream, data_section,
    null_connection, session, stream_attributes, transport_attributes,
};
use crate::attributes::{
    Attribute, Direction, Group, Msid, MsidSemantic, Rid, Sctpmap, Setup, Simulcast,
    SimulcastStreams, StreamDirection,
};
use crate::codec::Codec;
use crate::media::{MediaDescription, MediaKind, TransportProtocol};
use crate::session::SessionDescription;

/// What we support when answering.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AnswerOptions {
    /// Audio codecs we accept, in preference order (payload types are taken from the offer).
    pub audio: Vec<CodecSpec>,
    /// Video codecs we accept, in preference order.
    pub video: Vec<CodecSpec>,
    /// Header extension URIs we accept.
    pub header_extensions: Vec<String>,
    /// Whether we accept a data channel section, and with which SCTP port and message size.
    pub data_channel: Option<DataChannelOptions>,
    /// Our DTLS role when the offer says `actpass` (JSEP §5.3.1 recommends `active`).
    pub setup: Setup,
    /// Whether we want to send and receive audio/video (intersected with the offer).
    pub direction: Direction,
    /// Accept simulcast the offerer sends (answer `a=simulcast:recv` with its rids).
    pub receive_simulcast: bool,
    /// Per-section answers (a transceiver's direction and the stream it sends), by mid;
    /// sections not listed take `direction` and send nothing.
    pub sections: Vec<SectionAnswer>,
}

/// How to answer one audio or video section (JSEP §5.3.1: the transceiver's direction, and
/// its `a=msid` and SSRC lines when it sends).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SectionAnswer {
    /// The offered section's `a=mid`.
    pub mid: String,
    /// What we want (intersected with the offer's direction reversed).
    pub direction: Direction,
    /// `a=msid` of the track we send.
    pub msid: Option<Msid>,
    /// The stream we send.
    pub stream: Option<SendStream>,
}

impl SectionAnswer {
    /// An answer for section `mid` in `direction`, sending nothing yet.
    pub fn new(mid: impl Into<String>, direction: Direction) -> Self {
        Self {
            mid: mid.into(),
            direction,
            msid: None,
            stream: None,
        }
    }
}

impl Default for AnswerOptions {
    /// The codecs and extensions of [`MediaOptions::audio`] and [`MediaOptions::video`], a data
    /// channel on port 5000, `setup:active`, `sendrecv`, simulcast accepted.
    fn default() -> Self {
        let audio = MediaOptions::audio("");
        let video = MediaOptions::video("");
        let mut header_extensions: Vec<String> = Vec::new();
        for e in audio.extmaps.iter().chain(&video.extmaps) {
            if !header_extensions.iter().any(|u| *u == *e.uri) {
                header_extensions.push(e.uri.to_string());
            }
        }
        Self {
            audio: audio.codecs,
            video: video.codecs,
            header_extensions,
            data_channel: Some(DataChannelOptions::new("")),
            setup: Setup::Active,
            direction: Direction::SendRecv,
            receive_simulcast: true,
            sections: Vec::new(),
        }
    }
}

/// Whether an offered codec matches one we support: same name (any case), clock rate and
/// channels; for H.264 also the same packetization mode and profile (RFC 6184 §8.2.2); for VP9
/// the same profile.
fn matches(spec: &CodecSpec, offered: &Codec) -> bool {
    if !spec.name.eq_ignore_ascii_case(&offered.name) || spec.clock_rate != offered.clock_rate {
        return false;
    }
    if spec.channels.unwrap_or(1) != offered.channels.unwrap_or(1) {
        return false;
    }
    let ours = Codec {
        payload_type: spec.payload_type,
        name: spec.name.clone(),
        clock_rate: spec.clock_rate,
        channels: spec.channels,
        params: spec.params.clone(),
        feedback: Vec::new(),
        rtx: None,
    };
    if let (Some(a), Some(b)) = (ours.h264(), offered.h264()) {
        let profile = |p: Option<crate::codec::ProfileLevelId>| {
            p.map(|p| (p.profile_idc, p.is_constrained_baseline()))
        };
        return a.packetization_mode == b.packetization_mode
            && profile(a.profile_level_id) == profile(b.profile_level_id);
    }
    if let (Some(a), Some(b)) = (ours.vp9(), offered.vp9()) {
        return a.profile_id == b.profile_id;
    }
    true
}

/// Builds the answer to an offer (RFC 8829 §5.3.1).
#[derive(Debug, Clone)]
pub struct AnswerBuilder<'a> {
    offer: &'a SessionDescription,
    session_id: u64,
    session_version: u64,
    transport: LocalTransport,
    options: AnswerOptions,
}

impl<'a> AnswerBuilder<'a> {
    /// Starts an answer to `offer` with our session id and transport.
    pub fn new(
        offer: &'a SessionDescription,
        session_id: u64,
        transport: LocalTransport,
        options: AnswerOptions,
    ) -> Self {
        Self {
            offer,
            session_id,
            session_version: 2,
            transport,
            options,
        }
    }

    fn setup(&self, offered: Option<Setup>) -> Setup {
        match offered {
            Some(Setup::Active) => Setup::Passive,
            Some(Setup::Passive) => Setup::Active,
            _ => self.options.setup,
        }
    }

    /// The `o=` session version (RFC 8829 §5.3.1: incremented whenever the answer changes;
    /// 2 when not set).
    pub fn session_version(mut self, version: u64) -> Self {
        self.session_version = version;
        self
    }

    /// Builds the answer: one section per offered section, in order.
    pub fn build(&self) -> SessionDescription {
        let mut sdp = session(self.session_id, self.session_version, &self.transport);
        let sections: Vec<MediaDescription> = (0..self.offer.media.len())
            .map(|i| self.answer_section(i))
            .collect();
        if let Some(group) = self.offer.bundle_groups().next() {
            let accepted: Vec<String> = group
                .mids
                .iter()
                .filter(|mid| {
                    sections
                        .iter()
                        .any(|m| m.mid() == Some(mid.as_str()) && m.port != 0)
                })
                .cloned()
                .collect();
            if !accepted.is_empty() {
                sdp.attributes.push(Attribute::Group(Group {
                    semantics: "BUNDLE".to_owned(),
                    mids: accepted,
                }));
            }
        }
        if sections.iter().any(|m| m.protocol.is_rtp() && m.port != 0) {
            if self.offer.attributes.contains(&Attribute::ExtmapAllowMixed) {
                sdp.attributes.push(Attribute::ExtmapAllowMixed);
            }
            sdp.attributes.push(Attribute::MsidSemantic(MsidSemantic {
                semantic: "WMS".to_owned(),
                ids: Vec::new(),
                space_after_colon: true,
            }));
        }
        sdp.media = sections;
        sdp
    }

    fn rejected(offered: &MediaDescription) -> MediaDescription {
        let mut m = MediaDescription::new(
            offered.kind.clone(),
            0,
            offered.protocol.clone(),
            offered.formats.iter().take(1).cloned().collect(),
        );
        if let Some(mid) = offered.mid() {
            m.attributes.push(Attribute::Mid(mid.to_owned()));
        }
        m
    }

    fn answer_section(&self, index: usize) -> MediaDescription {
        let offered = &self.offer.media[index];
        if offered.is_rejected() {
            return Self::rejected(offered);
        }
        let setup = self.setup(self.offer.transport_of(index).and_then(|t| t.setup));
        match offered.kind {
            MediaKind::Application if offered.protocol.is_sctp() => {
                self.answer_data(offered, setup)
            }
            MediaKind::Audio | MediaKind::Video if offered.protocol.is_rtp() => {
                self.answer_rtp(offered, setup)
            }
            _ => Self::rejected(offered),
        }
    }

    fn answer_data(&self, offered: &MediaDescription, setup: Setup) -> MediaDescription {
        let Some(ours) = &self.options.data_channel else {
            return Self::rejected(offered);
        };
        let mid = offered.mid().unwrap_or_default().to_owned();
        let legacy = self.offer.data_channel().is_some_and(|d| d.legacy);
        if !legacy {
            return data_section(
                &DataChannelOptions {
                    mid,
                    ..ours.clone()
                },
                &self.transport,
                setup,
            );
        }
        // Answer the pre-RFC 8841 form in kind: DTLS/SCTP with the port as the format.
        let port = ours.sctp_port.to_string();
        let mut m = MediaDescription::new(
            MediaKind::Application,
            9,
            TransportProtocol::DtlsSctp,
            vec![port],
        );
        m.connections.push(null_connection());
        transport_attributes(&self.transport, setup, false, &mut m.attributes);
        if !mid.is_empty() {
            m.attributes.push(Attribute::Mid(mid));
        }
        m.attributes.push(Attribute::Sctpmap(Sctpmap {
            port: ours.sctp_port,
            protocol: "webrtc-datachannel".to_owned(),
            streams: Some(1024),
        }));
        m
    }

    fn answer_rtp(&self, offered: &MediaDescription, setup: Setup) -> MediaDescription {
        let supported = if offered.kind == MediaKind::Audio {
            &self.options.audio
        } else {
            &self.options.video
        };
        let offered_codecs = offered.codecs();
        let mut accepted: Vec<CodecSpec> = Vec::new();
        for spec in supported {
            for codec in offered_codecs
                .iter()
                .filter(|c| !c.is_rtx() && matches(spec, c))
            {
                if accepted
                    .iter()
                    .any(|a| a.payload_type == codec.payload_type)
                {
                    continue;
                }
                let mut answer = CodecSpec::from_codec(codec);
                answer.feedback.retain(|fb| spec.feedback.contains(fb));
                answer.params.clone_from(&codec.params);
                answer.rtx = codec.rtx.filter(|_| spec.rtx.is_some());
                accepted.push(answer);
            }
        }
        if accepted.is_empty() {
            return Self::rejected(offered);
        }
        let section = offered
            .mid()
            .and_then(|mid| self.options.sections.iter().find(|s| s.mid == mid));
        let wanted = section.map_or(self.options.direction, |s| s.direction);
        let direction = match (offered.direction().reversed(), wanted) {
            (Direction::Inactive, _) | (_, Direction::Inactive) => Direction::Inactive,
            (Direction::SendRecv, ours) => ours,
            (theirs, Direction::SendRecv) => theirs,
            (theirs, ours) if theirs == ours => ours,
            _ => Direction::Inactive,
        };
        let formats = accepted.iter().flat_map(CodecSpec::formats).collect();
        let mut m =
            MediaDescription::new(offered.kind.clone(), 9, offered.protocol.clone(), formats);
        m.connections.push(null_connection());
        let a = &mut m.attributes;
        transport_attributes(&self.transport, setup, true, a);
        if let Some(mid) = offered.mid() {
            a.push(Attribute::Mid(mid.to_owned()));
        }
        a.extend(
            offered
                .extmaps()
                .filter(|e| self.options.header_extensions.iter().any(|u| *u == *e.uri))
                .cloned()
                .map(Attribute::Extmap),
        );
        a.push(Attribute::Direction(direction));
        let sending = matches!(direction, Direction::SendRecv | Direction::SendOnly);
        let msid = section.and_then(|s| s.msid.as_ref()).filter(|_| sending);
        if let Some(msid) = msid {
            a.push(Attribute::Msid(msid.clone()));
        }
        if offered.has(&Attribute::RtcpMux) {
            a.push(Attribute::RtcpMux);
        }
        if offered.has(&Attribute::RtcpRsize) {
            a.push(Attribute::RtcpRsize);
        }
        for codec in &accepted {
            codec.attributes(a);
        }
        if sending {
            stream_attributes(&[], section.and_then(|s| s.stream.as_ref()), msid, a);
        }
        if self.options.receive_simulcast
            && let Some(send) = offered
                .simulcast()
                .and_then(|s| s.streams(StreamDirection::Send))
        {
            for rid in send.iter().flatten() {
                a.push(Attribute::Rid(Rid {
                    id: rid.rid.clone(),
                    direction: StreamDirection::Recv,
                    params: Vec::new(),
                }));
            }
            a.push(Attribute::Simulcast(Simulcast {
                directions: vec![SimulcastStreams {
                    direction: StreamDirection::Recv,
                    streams: send.to_vec(),
                }],
            }));
        }
        m
    }
}
