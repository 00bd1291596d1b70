//! `a=` lines: every WebRTC attribute typed, anything else kept verbatim.

mod candidate;
mod rtp;
mod sctp;
mod simulcast;
mod ssrc;
mod transport;

pub use candidate::{Candidate, CandidateType, TcpType};
pub use rtp::{Direction, Extmap, Fmtp, FmtpParam, Rtcp, RtcpFb, Rtpmap};
pub use sctp::{Sctpmap, base64_decode, base64_encode};
pub use simulcast::{Rid, Simulcast, SimulcastId, SimulcastStreams, StreamDirection};
pub use ssrc::{Ssrc, SsrcGroup};
pub use transport::{Fingerprint, Group, Msid, MsidSemantic, Setup};

use crate::emit::{Emit, num};
use std::fmt;

/// One `a=` line (RFC 8866 §5.13, §6), typed where WebRTC gives it meaning.
///
/// Unknown attributes, and known property attributes written with a value, are kept as
/// [`Attribute::Other`] so that nothing is lost and order is preserved.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Attribute {
    /// `a=group` (RFC 5888, RFC 9143 BUNDLE).
    Group(Group),
    /// `a=msid-semantic` (browsers' WMS line).
    MsidSemantic(MsidSemantic),
    /// `a=msid` (RFC 8830).
    Msid(Msid),
    /// `a=mid` (RFC 5888 §4).
    Mid(String),
    /// `a=bundle-only` (RFC 9143 §6).
    BundleOnly,
    /// `a=ice-ufrag` (RFC 8839 §5.4).
    IceUfrag(String),
    /// `a=ice-pwd` (RFC 8839 §5.4).
    IcePwd(String),
    /// `a=ice-options` (RFC 8839 §5.6): `trickle`, `ice2`, ...
    IceOptions(Vec<String>),
    /// `a=ice-lite` (RFC 8839 §5.3).
    IceLite,
    /// `a=candidate` (RFC 8839 §5.1).
    Candidate(Candidate),
    /// `a=end-of-candidates` (RFC 8840 §8.2).
    EndOfCandidates,
    /// `a=fingerprint` (RFC 8122 §5).
    Fingerprint(Fingerprint),
    /// `a=setup` (RFC 4145 §4).
    Setup(Setup),
    /// `a=tls-id` (RFC 8842 §5).
    TlsId(String),
    /// `a=rtcp-mux` (RFC 5761 §5.1.1).
    RtcpMux,
    /// `a=rtcp-mux-only` (RFC 8858).
    RtcpMuxOnly,
    /// `a=rtcp-rsize` (RFC 5506 §5).
    RtcpRsize,
    /// `a=rtcp` (RFC 3605).
    Rtcp(Rtcp),
    /// `a=sendrecv`, `a=sendonly`, `a=recvonly`, `a=inactive` (RFC 8866 §6.7).
    Direction(Direction),
    /// `a=rtpmap` (RFC 8866 §6.6).
    Rtpmap(Rtpmap),
    /// `a=fmtp` (RFC 8866 §6.15).
    Fmtp(Fmtp),
    /// `a=rtcp-fb` (RFC 4585 §4.2).
    RtcpFb(RtcpFb),
    /// `a=extmap` (RFC 8285 §8).
    Extmap(Extmap),
    /// `a=extmap-allow-mixed` (RFC 8285 §6).
    ExtmapAllowMixed,
    /// `a=ssrc` (RFC 5576 §4.1).
    Ssrc(Ssrc),
    /// `a=ssrc-group` (RFC 5576 §4.2).
    SsrcGroup(SsrcGroup),
    /// `a=rid` (RFC 8851).
    Rid(Rid),
    /// `a=simulcast` (RFC 8853).
    Simulcast(Simulcast),
    /// `a=ptime` in milliseconds, as written (may be fractional; RFC 8866 §6.4).
    Ptime(String),
    /// `a=maxptime` in milliseconds, as written (RFC 8866 §6.5).
    MaxPtime(String),
    /// `a=framerate`, as written (RFC 8866 §6.8).
    Framerate(String),
    /// `a=sctp-port` (RFC 8841 §5.2).
    SctpPort(u16),
    /// `a=max-message-size` (RFC 8841 §6).
    MaxMessageSize(u64),
    /// `a=sctpmap` (pre-RFC 8841 data channels).
    Sctpmap(Sctpmap),
    /// `a=sctp-init`: an SCTP INIT chunk, base64 (SNAP, draft-hancke-tsvwg-snap).
    SctpInit(String),
    /// Any other attribute, verbatim.
    Other {
        /// Name (before `:`).
        name: String,
        /// Value (after `:`), if any.
        value: Option<String>,
    },
}

fn decimal(value: &str) -> Result<String, &'static str> {
    let ok = !value.is_empty()
        && value.bytes().filter(|&b| b == b'.').count() <= 1
        && value.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && value.bytes().any(|b| b.is_ascii_digit());
    if ok {
        Ok(value.to_owned())
    } else {
        Err("a decimal number")
    }
}

fn token(value: &str, what: &'static str) -> Result<String, &'static str> {
    if value.is_empty() {
        Err(what)
    } else {
        Ok(value.to_owned())
    }
}

impl Attribute {
    /// Parses an attribute from its name and optional value (the text after `a=`, split at the
    /// first `:`). Errors name the attribute whose value broke its grammar.
    pub fn parse(name: &str, value: Option<&str>) -> Result<Self, &'static str> {
        let Some(v) = value else {
            return Ok(match name {
                "bundle-only" => Self::BundleOnly,
                "ice-lite" => Self::IceLite,
                "end-of-candidates" => Self::EndOfCandidates,
                "rtcp-mux" => Self::RtcpMux,
                "rtcp-mux-only" => Self::RtcpMuxOnly,
                "rtcp-rsize" => Self::RtcpRsize,
                "extmap-allow-mixed" => Self::ExtmapAllowMixed,
                other => match Direction::parse(other) {
                    Some(d) => Self::Direction(d),
                    None if needs_value(other) => return Err(static_name(other)),
                    None => Self::Other {
                        name: other.to_owned(),
                        value: None,
                    },
                },
            });
        };
        Ok(match name {
            "group" => Self::Group(v.parse()?),
            "msid-semantic" => Self::MsidSemantic(v.parse()?),
            "msid" => Self::Msid(v.parse()?),
            "mid" => Self::Mid(token(v, "mid")?),
            "ice-ufrag" => Self::IceUfrag(token(v, "ice-ufrag")?),
            "ice-pwd" => Self::IcePwd(token(v, "ice-pwd")?),
            "ice-options" => {
                Self::IceOptions(v.split_ascii_whitespace().map(str::to_owned).collect())
            }
            "candidate" => Self::Candidate(v.parse()?),
            "fingerprint" => Self::Fingerprint(v.parse()?),
            "setup" => Self::Setup(Setup::parse(v).ok_or("setup")?),
            "tls-id" => Self::TlsId(token(v, "tls-id")?),
            "rtcp" => Self::Rtcp(v.parse()?),
            "rtpmap" => Self::Rtpmap(v.parse()?),
            "fmtp" => Self::Fmtp(v.parse()?),
            "rtcp-fb" => Self::RtcpFb(v.parse()?),
            "extmap" => Self::Extmap(v.parse()?),
            "ssrc" => Self::Ssrc(v.parse()?),
            "ssrc-group" => Self::SsrcGroup(v.parse()?),
            "rid" => Self::Rid(v.parse()?),
            "simulcast" => Self::Simulcast(v.parse()?),
            "ptime" => Self::Ptime(decimal(v).map_err(|_| "ptime")?),
            "maxptime" => Self::MaxPtime(decimal(v).map_err(|_| "maxptime")?),
            "framerate" => Self::Framerate(decimal(v).map_err(|_| "framerate")?),
            "sctp-port" => Self::SctpPort(v.parse().map_err(|_| "sctp-port")?),
            "max-message-size" => Self::MaxMessageSize(v.parse().map_err(|_| "max-message-size")?),
            "sctpmap" => Self::Sctpmap(v.parse()?),
            "sctp-init" => Self::SctpInit(token(v, "sctp-init")?),
            _ => Self::Other {
                name: name.to_owned(),
                value: Some(v.to_owned()),
            },
        })
    }

    /// The attribute name.
    pub fn name(&self) -> &str {
        match self {
            Self::Group(_) => "group",
            Self::MsidSemantic(_) => "msid-semantic",
            Self::Msid(_) => "msid",
            Self::Mid(_) => "mid",
            Self::BundleOnly => "bundle-only",
            Self::IceUfrag(_) => "ice-ufrag",
            Self::IcePwd(_) => "ice-pwd",
            Self::IceOptions(_) => "ice-options",
            Self::IceLite => "ice-lite",
            Self::Candidate(_) => "candidate",
            Self::EndOfCandidates => "end-of-candidates",
            Self::Fingerprint(_) => "fingerprint",
            Self::Setup(_) => "setup",
            Self::TlsId(_) => "tls-id",
            Self::RtcpMux => "rtcp-mux",
            Self::RtcpMuxOnly => "rtcp-mux-only",
            Self::RtcpRsize => "rtcp-rsize",
            Self::Rtcp(_) => "rtcp",
            Self::Direction(d) => d.as_str(),
            Self::Rtpmap(_) => "rtpmap",
            Self::Fmtp(_) => "fmtp",
            Self::RtcpFb(_) => "rtcp-fb",
            Self::Extmap(_) => "extmap",
            Self::ExtmapAllowMixed => "extmap-allow-mixed",
            Self::Ssrc(_) => "ssrc",
            Self::SsrcGroup(_) => "ssrc-group",
            Self::Rid(_) => "rid",
            Self::Simulcast(_) => "simulcast",
            Self::Ptime(_) => "ptime",
            Self::MaxPtime(_) => "maxptime",
            Self::Framerate(_) => "framerate",
            Self::SctpPort(_) => "sctp-port",
            Self::MaxMessageSize(_) => "max-message-size",
            Self::Sctpmap(_) => "sctpmap",
            Self::SctpInit(_) => "sctp-init",
            Self::Other { name, .. } => name,
        }
    }
}

/// Known attributes that are meaningless without a value.
fn needs_value(name: &str) -> bool {
    static_name(name) != "attribute"
}

fn static_name(name: &str) -> &'static str {
    match name {
        "group" => "group",
        "msid-semantic" => "msid-semantic",
        "msid" => "msid",
        "mid" => "mid",
        "ice-ufrag" => "ice-ufrag",
        "ice-pwd" => "ice-pwd",
        "candidate" => "candidate",
        "fingerprint" => "fingerprint",
        "setup" => "setup",
        "rtcp" => "rtcp",
        "rtpmap" => "rtpmap",
        "fmtp" => "fmtp",
        "rtcp-fb" => "rtcp-fb",
        "extmap" => "extmap",
        "ssrc" => "ssrc",
        "ssrc-group" => "ssrc-group",
        "rid" => "rid",
        "simulcast" => "simulcast",
        "sctp-port" => "sctp-port",
        "max-message-size" => "max-message-size",
        "sctpmap" => "sctpmap",
        _ => "attribute",
    }
}

impl Emit for Attribute {
    /// Writes the line's content after `a=`: `name` or `name:value`.
    fn emit<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result {
        f.write_str(self.name())?;
        if !matches!(
            self,
            Self::BundleOnly
                | Self::IceLite
                | Self::EndOfCandidates
                | Self::RtcpMux
                | Self::RtcpMuxOnly
                | Self::RtcpRsize
                | Self::Direction(_)
                | Self::ExtmapAllowMixed
                | Self::Other { value: None, .. }
        ) {
            f.write_str(":")?;
        }
        match self {
            Self::Group(v) => v.emit(f),
            Self::MsidSemantic(v) => v.emit(f),
            Self::Msid(v) => v.emit(f),
            Self::Candidate(v) => v.emit(f),
            Self::Fingerprint(v) => v.emit(f),
            Self::Rtcp(v) => v.emit(f),
            Self::Rtpmap(v) => v.emit(f),
            Self::Fmtp(v) => v.emit(f),
            Self::RtcpFb(v) => v.emit(f),
            Self::Extmap(v) => v.emit(f),
            Self::Ssrc(v) => v.emit(f),
            Self::SsrcGroup(v) => v.emit(f),
            Self::Rid(v) => v.emit(f),
            Self::Simulcast(v) => v.emit(f),
            Self::Sctpmap(v) => v.emit(f),
            Self::Mid(v)
            | Self::IceUfrag(v)
            | Self::IcePwd(v)
            | Self::TlsId(v)
            | Self::SctpInit(v)
            | Self::Ptime(v)
            | Self::MaxPtime(v)
            | Self::Framerate(v)
            | Self::Other { value: Some(v), .. } => f.write_str(v),
            Self::IceOptions(v) => {
                for (i, o) in v.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    f.write_str(o)?;
                }
                Ok(())
            }
            Self::Setup(v) => f.write_str(v.as_str()),
            Self::SctpPort(v) => num(f, *v),
            Self::MaxMessageSize(v) => num(f, *v),
            Self::BundleOnly
            | Self::IceLite
            | Self::EndOfCandidates
            | Self::RtcpMux
            | Self::RtcpMuxOnly
            | Self::RtcpRsize
            | Self::Direction(_)
            | Self::ExtmapAllowMixed
            | Self::Other { value: None, .. } => Ok(()),
        }
    }
}

crate::emit::display_via_emit!(Attribute);
