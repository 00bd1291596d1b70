//! The session-level lines of RFC 8866 §5: `v o s i u e p c b t r z k`, and the whole
//! [`SessionDescription`].

use crate::attributes::Attribute;
use crate::media::MediaDescription;
use std::fmt;
use std::net::IpAddr;

/// A session description (RFC 8866 §5): session-level lines, attributes, and media sections.
///
/// `FromStr` parses (CRLF or bare LF) with the default [`Limits`](crate::Limits); `Display`
/// writes canonical CRLF SDP. Parsing then writing a canonical input gives the same bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionDescription {
    /// `o=` (§5.2).
    pub origin: Origin,
    /// `s=` (§5.3); `-` when there is no name.
    pub session_name: String,
    /// `i=` (§5.4).
    pub information: Option<String>,
    /// `u=` (§5.5).
    pub uri: Option<String>,
    /// `e=` lines (§5.6).
    pub emails: Vec<String>,
    /// `p=` lines (§5.6).
    pub phones: Vec<String>,
    /// Session-level `c=` (§5.7).
    pub connection: Option<Connection>,
    /// Session-level `b=` lines (§5.8).
    pub bandwidths: Vec<Bandwidth>,
    /// `t=` lines, each with its `r=` lines (§5.9, §5.10); at least one.
    pub timings: Vec<Timing>,
    /// `z=` adjustments (§5.11).
    pub time_zones: Vec<TimeZoneAdjustment>,
    /// `k=` (§5.12, obsolete), kept verbatim.
    pub encryption_key: Option<String>,
    /// Session-level `a=` lines in order (§5.13).
    pub attributes: Vec<Attribute>,
    /// `m=` sections in order (§5.14).
    pub media: Vec<MediaDescription>,
    /// Session-level lines of a type RFC 8866 does not define, verbatim (type letter, value),
    /// kept by lenient parsing; written after the session attributes.
    pub unknown_lines: Vec<(char, String)>,
}

/// `o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>` (§5.2).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Origin {
    /// Username, `-` when none.
    pub username: String,
    /// Session id, a number (§5.2).
    pub session_id: u64,
    /// Session version, incremented on every change (§5.2; JSEP §5.2.2).
    pub session_version: u64,
    /// Network type, `IN`.
    pub network_type: String,
    /// Address type, `IP4` or `IP6`.
    pub address_type: String,
    /// The address of the machine that made the description.
    pub address: Address,
}

/// An address in `o=`, `c=`, `a=rtcp` or a candidate: an IP literal, or a name (FQDN, or an
/// mDNS `.local` name in candidates).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Address {
    /// IPv4 or IPv6 literal.
    Ip(IpAddr),
    /// A host name.
    Fqdn(String),
}

impl Address {
    /// Parses an IP literal, or takes the token as a name.
    pub fn parse(token: &str) -> Self {
        token
            .parse()
            .map_or_else(|_| Self::Fqdn(token.to_owned()), Self::Ip)
    }

    /// The IP literal, if this is one.
    pub const fn ip(&self) -> Option<IpAddr> {
        match self {
            Self::Ip(ip) => Some(*ip),
            Self::Fqdn(_) => None,
        }
    }

    /// Whether this is an mDNS name (ends in `.local`, RFC 8839 §5.1 with
    /// draft-ietf-mmusic-mdns-ice-candidates).
    pub fn is_mdns(&self) -> bool {
        matches!(self, Self::Fqdn(name) if name.to_ascii_lowercase().ends_with(".local"))
    }
}

impl crate::emit::Emit for Address {
    fn emit<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result {
        match self {
            Self::Ip(ip) => write!(f, "{ip}"),
            Self::Fqdn(name) => f.write_str(name),
        }
    }
}

/// `c=<nettype> <addrtype> <connection-address>` (§5.7), with the multicast TTL and address
/// count suffixes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Connection {
    /// Network type, `IN`.
    pub network_type: String,
    /// Address type, `IP4` or `IP6`.
    pub address_type: String,
    /// The address.
    pub address: Address,
    /// IPv4 multicast TTL (`/127`).
    pub ttl: Option<u8>,
    /// Number of multicast addresses (`/3`).
    pub count: Option<u32>,
}

impl Connection {
    /// `IN IP4 <ip>` or `IN IP6 <ip>` for an IP address.
    pub fn ip(ip: IpAddr) -> Self {
        Self {
            network_type: "IN".to_owned(),
            address_type: if ip.is_ipv4() { "IP4" } else { "IP6" }.to_owned(),
            address: Address::Ip(ip),
            ttl: None,
            count: None,
        }
    }
}

/// `b=<bwtype>:<bandwidth>` (§5.8): `AS` and `CT` in kbit/s, `TIAS` (RFC 3890) in bit/s, `RR`
/// and `RS` (RFC 3556) in bit/s.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Bandwidth {
    /// Bandwidth type.
    pub kind: String,
    /// Value, in the unit the type defines.
    pub value: u64,
}

/// `t=<start-time> <stop-time>` and its `r=` lines (§5.9, §5.10).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Timing {
    /// NTP start time, 0 for unbounded.
    pub start: u64,
    /// NTP stop time, 0 for unbounded.
    pub stop: u64,
    /// `r=` lines, each a list of its fields as written (times may carry `d h m s` units).
    pub repeats: Vec<Vec<String>>,
}

/// One `z=` adjustment: at `time`, apply `offset` (a signed typed time, e.g. `-1h`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TimeZoneAdjustment {
    /// NTP time of the adjustment.
    pub time: u64,
    /// The offset as written.
    pub offset: String,
}

impl SessionDescription {
    /// A minimal description: `v=0`, the origin, `s=-`, `t=0 0`.
    pub fn new(origin: Origin) -> Self {
        Self {
            origin,
            session_name: "-".to_owned(),
            information: None,
            uri: None,
            emails: Vec::new(),
            phones: Vec::new(),
            connection: None,
            bandwidths: Vec::new(),
            timings: vec![Timing::default()],
            time_zones: Vec::new(),
            encryption_key: None,
            attributes: Vec::new(),
            media: Vec::new(),
            unknown_lines: Vec::new(),
        }
    }
}

crate::emit::display_via_emit!(Address);
