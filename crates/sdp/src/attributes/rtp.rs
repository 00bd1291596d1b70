//! RTP attributes: `rtpmap`, `fmtp` (RFC 8866 §6.6, §6.15), `rtcp-fb` (RFC 4585 §4.2),
//! `extmap` (RFC 8285 §8), `rtcp` (RFC 3605) and the direction attributes (RFC 8866 §6.7).

use crate::emit::{Emit, num};
use crate::intern::{ENCODINGS, EXTMAP_URIS, FEEDBACK_KINDS, FEEDBACK_PARAMS, FMTP_NAMES, intern};
use crate::session::Address;
use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

/// A media direction (RFC 8866 §6.7; also `extmap` direction, RFC 8285 §8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// `sendrecv`.
    SendRecv,
    /// `sendonly`.
    SendOnly,
    /// `recvonly`.
    RecvOnly,
    /// `inactive`.
    Inactive,
}

impl Direction {
    /// Parses the token.
    pub fn parse(token: &str) -> Option<Self> {
        match token {
            "sendrecv" => Some(Self::SendRecv),
            "sendonly" => Some(Self::SendOnly),
            "recvonly" => Some(Self::RecvOnly),
            "inactive" => Some(Self::Inactive),
            _ => None,
        }
    }

    /// The token.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::SendRecv => "sendrecv",
            Self::SendOnly => "sendonly",
            Self::RecvOnly => "recvonly",
            Self::Inactive => "inactive",
        }
    }

    /// The direction the other side uses in an answer (RFC 8829 §5.3.1: sendonly answers
    /// recvonly and the reverse).
    pub const fn reversed(self) -> Self {
        match self {
            Self::SendOnly => Self::RecvOnly,
            Self::RecvOnly => Self::SendOnly,
            other => other,
        }
    }
}

/// `a=rtpmap:<payload type> <encoding name>/<clock rate>[/<channels>]` (RFC 8866 §6.6).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Rtpmap {
    /// Payload type.
    pub payload_type: u8,
    /// Encoding name as written (`opus`, `VP8`, `H264`).
    pub encoding: Cow<'static, str>,
    /// Clock rate in Hz.
    pub clock_rate: u32,
    /// Channels (audio), or encoding parameters.
    pub channels: Option<u16>,
}

impl FromStr for Rtpmap {
    type Err = &'static str;
    fn from_str(value: &str) -> Result<Self, &'static str> {
        let (pt, rest) = value.split_once(' ').ok_or("rtpmap")?;
        let mut parts = rest.trim().split('/');
        let encoding = intern(
            parts.next().filter(|e| !e.is_empty()).ok_or("rtpmap")?,
            ENCODINGS,
        );
        let clock_rate = parts
            .next()
            .ok_or("rtpmap")?
            .parse()
            .map_err(|_| "rtpmap")?;
        let channels = parts
            .next()
            .map(str::parse)
            .transpose()
            .map_err(|_| "rtpmap")?;
        if parts.next().is_some() {
            return Err("rtpmap");
        }
        Ok(Self {
            payload_type: pt.parse().map_err(|_| "rtpmap")?,
            encoding,
            clock_rate,
            channels,
        })
    }
}

impl Emit for Rtpmap {
    fn emit<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result {
        num(f, self.payload_type)?;
        f.write_str(" ")?;
        f.write_str(&self.encoding)?;
        f.write_str("/")?;
        num(f, self.clock_rate)?;
        if let Some(c) = self.channels {
            f.write_str("/")?;
            num(f, c)?;
        }
        Ok(())
    }
}

/// One `fmtp` parameter: `name=value`, or a bare token such as RED's `111/111` or
/// telephone-event's `0-16`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FmtpParam {
    /// Name (or the whole token when there is no `=`).
    pub name: Cow<'static, str>,
    /// Value after `=`.
    pub value: Option<Cow<'static, str>>,
}

/// `a=fmtp:<format> <parameters>` (RFC 8866 §6.15), the parameters as ordered pairs split at
/// `;`. Typed readers for common codecs are in [`crate::codec`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fmtp {
    /// The format (payload type) the parameters apply to.
    pub format: String,
    /// Parameters in order.
    pub params: Vec<FmtpParam>,
}

impl Fmtp {
    /// The value of a named parameter.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
            .and_then(|p| p.value.as_deref())
    }

    /// The payload type, if the format is numeric.
    pub fn payload_type(&self) -> Option<u8> {
        self.format.parse().ok()
    }
}

impl FromStr for Fmtp {
    type Err = &'static str;
    fn from_str(value: &str) -> Result<Self, &'static str> {
        let (format, params) = value.split_once(' ').unwrap_or((value, ""));
        if format.is_empty() {
            return Err("fmtp");
        }
        let params = params
            .split(';')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| match p.split_once('=') {
                Some((n, v)) => FmtpParam {
                    name: intern(n.trim(), FMTP_NAMES),
                    value: Some(intern(v.trim(), &[])),
                },
                None => FmtpParam {
                    name: intern(p, &[]),
                    value: None,
                },
            })
            .collect();
        Ok(Self {
            format: format.to_owned(),
            params,
        })
    }
}

impl Emit for Fmtp {
    fn emit<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result {
        f.write_str(&self.format)?;
        for (i, p) in self.params.iter().enumerate() {
            f.write_str(if i == 0 { " " } else { ";" })?;
            f.write_str(&p.name)?;
            if let Some(v) = &p.value {
                f.write_str("=")?;
                f.write_str(v)?;
            }
        }
        Ok(())
    }
}

/// `a=rtcp-fb:<pt|*> <type> [<parameters>]` (RFC 4585 §4.2): `nack`, `nack pli`, `ccm fir`,
/// `goog-remb`, `transport-cc`, `trr-int 100`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RtcpFb {
    /// The payload type, or `None` for `*` (all).
    pub payload_type: Option<u8>,
    /// Feedback type (`nack`, `ccm`, `transport-cc`, ...).
    pub kind: Cow<'static, str>,
    /// Parameters after the type (`pli`, `fir`, `100`), as written.
    pub params: Option<Cow<'static, str>>,
}

impl FromStr for RtcpFb {
    type Err = &'static str;
    fn from_str(value: &str) -> Result<Self, &'static str> {
        let (pt, rest) = value.split_once(' ').ok_or("rtcp-fb")?;
        let payload_type = if pt == "*" {
            None
        } else {
            Some(pt.parse().map_err(|_| "rtcp-fb")?)
        };
        let rest = rest.trim();
        let (kind, params) = match rest.split_once(' ') {
            Some((k, p)) => (k, Some(intern(p.trim(), FEEDBACK_PARAMS))),
            None => (rest, None),
        };
        if kind.is_empty() {
            return Err("rtcp-fb");
        }
        Ok(Self {
            payload_type,
            kind: intern(kind, FEEDBACK_KINDS),
            params,
        })
    }
}

impl Emit for RtcpFb {
    fn emit<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result {
        match self.payload_type {
            Some(pt) => num(f, pt)?,
            None => f.write_str("*")?,
        }
        f.write_str(" ")?;
        f.write_str(&self.kind)?;
        if let Some(p) = &self.params {
            f.write_str(" ")?;
            f.write_str(p)?;
        }
        Ok(())
    }
}

/// `a=extmap:<id>[/<direction>] <uri> [<attributes>]` (RFC 8285 §8).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Extmap {
    /// Extension id (1–14 one-byte, 1–255 two-byte; 4096–4351 negotiation range).
    pub id: u16,
    /// Direction, when given.
    pub direction: Option<Direction>,
    /// Extension URI.
    pub uri: Cow<'static, str>,
    /// Extension attributes, as written.
    pub attributes: Option<String>,
}

impl FromStr for Extmap {
    type Err = &'static str;
    fn from_str(value: &str) -> Result<Self, &'static str> {
        let (id_dir, rest) = value.split_once(' ').ok_or("extmap")?;
        let (id, direction) = match id_dir.split_once('/') {
            Some((id, dir)) => (id, Some(Direction::parse(dir).ok_or("extmap")?)),
            None => (id_dir, None),
        };
        let rest = rest.trim();
        let (uri, attributes) = match rest.split_once(' ') {
            Some((u, a)) => (u, Some(a.trim().to_owned())),
            None => (rest, None),
        };
        if uri.is_empty() {
            return Err("extmap");
        }
        Ok(Self {
            id: id.parse().map_err(|_| "extmap")?,
            direction,
            uri: intern(uri, EXTMAP_URIS),
            attributes,
        })
    }
}

impl Emit for Extmap {
    fn emit<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result {
        num(f, self.id)?;
        if let Some(d) = self.direction {
            f.write_str("/")?;
            f.write_str(d.as_str())?;
        }
        f.write_str(" ")?;
        f.write_str(&self.uri)?;
        if let Some(a) = &self.attributes {
            f.write_str(" ")?;
            f.write_str(a)?;
        }
        Ok(())
    }
}

/// `a=rtcp:<port> [<nettype> <addrtype> <address>]` (RFC 3605).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Rtcp {
    /// RTCP port.
    pub port: u16,
    /// Network type, address type and address, when given.
    pub address: Option<(String, String, Address)>,
}

impl FromStr for Rtcp {
    type Err = &'static str;
    fn from_str(value: &str) -> Result<Self, &'static str> {
        let mut fields = value.split_ascii_whitespace();
        let port = fields.next().ok_or("rtcp")?.parse().map_err(|_| "rtcp")?;
        let address = match (fields.next(), fields.next(), fields.next()) {
            (None, _, _) => None,
            (Some(n), Some(a), Some(addr)) => {
                Some((n.to_owned(), a.to_owned(), Address::parse(addr)))
            }
            _ => return Err("rtcp"),
        };
        if fields.next().is_some() {
            return Err("rtcp");
        }
        Ok(Self { port, address })
    }
}

impl Emit for Rtcp {
    fn emit<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result {
        num(f, self.port)?;
        if let Some((n, a, addr)) = &self.address {
            f.write_str(" ")?;
            f.write_str(n)?;
            f.write_str(" ")?;
            f.write_str(a)?;
            f.write_str(" ")?;
            addr.emit(f)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip<T: FromStr + fmt::Display>(s: &str)
    where
        T::Err: fmt::Debug,
    {
        assert_eq!(s.parse::<T>().unwrap().to_string(), s);
    }

    #[test]
    fn values_round_trip() {
        round_trip::<Rtpmap>("111 opus/48000/2");
        round_trip::<Rtpmap>("96 VP8/90000");
        round_trip::<Fmtp>("111 minptime=10;useinbandfec=1");
        round_trip::<Fmtp>("63 111/111");
        round_trip::<Fmtp>("101 0-15");
        round_trip::<RtcpFb>("96 nack pli");
        round_trip::<RtcpFb>("* transport-cc");
        round_trip::<RtcpFb>("96 trr-int 100");
        round_trip::<Extmap>(
            "3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
        );
        round_trip::<Extmap>("2/recvonly urn:ietf:params:rtp-hdrext:csrc-audio-level");
        round_trip::<Extmap>("1 urn:ietf:params:rtp-hdrext:ssrc-audio-level vad=on");
        round_trip::<Rtcp>("9 IN IP4 0.0.0.0");
        round_trip::<Rtcp>("53020");
    }

    #[test]
    fn fmtp_lookup_is_case_insensitive() {
        let f: Fmtp = "96 profile-level-id=42e01f;packetization-mode=1"
            .parse()
            .unwrap();
        assert_eq!(f.get("Profile-Level-Id"), Some("42e01f"));
        assert_eq!(f.payload_type(), Some(96));
    }

    #[test]
    fn malformed_values() {
        assert!("x opus/48000".parse::<Rtpmap>().is_err());
        assert!("111 opus".parse::<Rtpmap>().is_err());
        assert!("111 opus/48000/2/9".parse::<Rtpmap>().is_err());
        assert!("1/sideways urn:x".parse::<Extmap>().is_err());
        assert!("x nack".parse::<RtcpFb>().is_err());
        assert!("9 IN IP4".parse::<Rtcp>().is_err());
    }
}

crate::emit::display_via_emit!(Rtpmap, Fmtp, RtcpFb, Extmap, Rtcp);
