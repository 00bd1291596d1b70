//! Media sections (RFC 8866 §5.14): the `m=` line and its `i c b k a` lines.

use crate::attributes::Attribute;
use crate::session::{Bandwidth, Connection};
use std::fmt;

/// The media type of an `m=` line (§5.14, §8.2.1).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MediaKind {
    /// `audio`.
    Audio,
    /// `video`.
    Video,
    /// `text`.
    Text,
    /// `application` (data channels).
    Application,
    /// `message`.
    Message,
    /// `image`.
    Image,
    /// Any other token.
    Other(String),
}

impl MediaKind {
    pub(crate) fn parse(token: &str) -> Self {
        match token {
            "audio" => Self::Audio,
            "video" => Self::Video,
            "text" => Self::Text,
            "application" => Self::Application,
            "message" => Self::Message,
            "image" => Self::Image,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The token.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Audio => "audio",
            Self::Video => "video",
            Self::Text => "text",
            Self::Application => "application",
            Self::Message => "message",
            Self::Image => "image",
            Self::Other(s) => s,
        }
    }
}

impl fmt::Display for MediaKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The transport protocol of an `m=` line (RFC 8866 §5.14, RFC 5764, RFC 8841, RFC 7850).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TransportProtocol {
    /// `UDP/TLS/RTP/SAVPF`: WebRTC media (RFC 5764).
    UdpTlsRtpSavpf,
    /// `TCP/TLS/RTP/SAVPF` (RFC 7850).
    TcpTlsRtpSavpf,
    /// `RTP/SAVPF` (RFC 5124).
    RtpSavpf,
    /// `RTP/SAVP` (RFC 3711).
    RtpSavp,
    /// `RTP/AVPF` (RFC 4585).
    RtpAvpf,
    /// `RTP/AVP` (RFC 3551).
    RtpAvp,
    /// `UDP/DTLS/SCTP`: WebRTC data channels (RFC 8841).
    UdpDtlsSctp,
    /// `TCP/DTLS/SCTP` (RFC 8841).
    TcpDtlsSctp,
    /// `DTLS/SCTP`: the pre-RFC 8841 data channel form (with `a=sctpmap`).
    DtlsSctp,
    /// Any other protocol, as written.
    Other(String),
}

impl TransportProtocol {
    pub(crate) fn parse(token: &str) -> Self {
        match token {
            "UDP/TLS/RTP/SAVPF" => Self::UdpTlsRtpSavpf,
            "TCP/TLS/RTP/SAVPF" => Self::TcpTlsRtpSavpf,
            "RTP/SAVPF" => Self::RtpSavpf,
            "RTP/SAVP" => Self::RtpSavp,
            "RTP/AVPF" => Self::RtpAvpf,
            "RTP/AVP" => Self::RtpAvp,
            "UDP/DTLS/SCTP" => Self::UdpDtlsSctp,
            "TCP/DTLS/SCTP" => Self::TcpDtlsSctp,
            "DTLS/SCTP" => Self::DtlsSctp,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The protocol token.
    pub fn as_str(&self) -> &str {
        match self {
            Self::UdpTlsRtpSavpf => "UDP/TLS/RTP/SAVPF",
            Self::TcpTlsRtpSavpf => "TCP/TLS/RTP/SAVPF",
            Self::RtpSavpf => "RTP/SAVPF",
            Self::RtpSavp => "RTP/SAVP",
            Self::RtpAvpf => "RTP/AVPF",
            Self::RtpAvp => "RTP/AVP",
            Self::UdpDtlsSctp => "UDP/DTLS/SCTP",
            Self::TcpDtlsSctp => "TCP/DTLS/SCTP",
            Self::DtlsSctp => "DTLS/SCTP",
            Self::Other(s) => s,
        }
    }

    /// Whether this carries RTP (its formats are payload types).
    pub fn is_rtp(&self) -> bool {
        self.as_str().contains("RTP/")
    }

    /// Whether this carries SCTP (data channels).
    pub fn is_sctp(&self) -> bool {
        self.as_str().ends_with("SCTP")
    }
}

impl fmt::Display for TransportProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A media section: `m=<media> <port>[/<count>] <proto> <fmt> ...` and its lines (§5.14).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaDescription {
    /// Media type.
    pub kind: MediaKind,
    /// Port; 0 rejects or disables the section (RFC 8829 §5.3.1).
    pub port: u16,
    /// Number of ports (`/2`), rarely used.
    pub port_count: Option<u16>,
    /// Transport protocol.
    pub protocol: TransportProtocol,
    /// Formats: RTP payload types, or `webrtc-datachannel`, or the SCTP port in the legacy form.
    pub formats: Vec<String>,
    /// `i=` (§5.4).
    pub information: Option<String>,
    /// `c=` lines (§5.7).
    pub connections: Vec<Connection>,
    /// `b=` lines (§5.8).
    pub bandwidths: Vec<Bandwidth>,
    /// `k=` (§5.12, obsolete), verbatim.
    pub encryption_key: Option<String>,
    /// `a=` lines in order.
    pub attributes: Vec<Attribute>,
    /// Lines of a type RFC 8866 does not define, verbatim (type letter, value), kept by
    /// lenient parsing; written after the attributes.
    pub unknown_lines: Vec<(char, String)>,
}

impl MediaDescription {
    /// A section with no lines but the `m=` line.
    pub fn new(
        kind: MediaKind,
        port: u16,
        protocol: TransportProtocol,
        formats: Vec<String>,
    ) -> Self {
        Self {
            kind,
            port,
            port_count: None,
            protocol,
            formats,
            information: None,
            connections: Vec::new(),
            bandwidths: Vec::new(),
            encryption_key: None,
            attributes: Vec::new(),
            unknown_lines: Vec::new(),
        }
    }
}
