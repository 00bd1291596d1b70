//! `a=candidate` (RFC 8839 §5.1), with RFC 6544 `tcptype` and the extension pairs browsers add
//! (`generation`, `ufrag`, `network-id`, `network-cost`).

use crate::emit::Emit;
use crate::intern::{CANDIDATE_EXTENSIONS, CANDIDATE_VALUES, TRANSPORTS, intern};
use crate::session::Address;
use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

/// The candidate type (RFC 8839 §5.1, RFC 8445 §5.1.1).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CandidateType {
    /// `host`.
    Host,
    /// `srflx`: server reflexive.
    ServerReflexive,
    /// `prflx`: peer reflexive.
    PeerReflexive,
    /// `relay`.
    Relay,
    /// Any other token.
    Other(String),
}

impl CandidateType {
    fn parse(token: &str) -> Self {
        match token {
            "host" => Self::Host,
            "srflx" => Self::ServerReflexive,
            "prflx" => Self::PeerReflexive,
            "relay" => Self::Relay,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The token.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Host => "host",
            Self::ServerReflexive => "srflx",
            Self::PeerReflexive => "prflx",
            Self::Relay => "relay",
            Self::Other(s) => s,
        }
    }
}

/// The role of an ICE-TCP candidate (RFC 6544 §4.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TcpType {
    /// `active`: opens connections.
    Active,
    /// `passive`: accepts connections.
    Passive,
    /// `so`: simultaneous open.
    SimultaneousOpen,
}

/// One ICE candidate (RFC 8839 §5.1):
/// `<foundation> <component> <transport> <priority> <address> <port> typ <type>
/// [raddr <addr>] [rport <port>] *(<name> <value>)`.
///
/// The transport token keeps its case (`udp` from Chrome, `UDP` from Firefox) so the line is
/// written back as it came; [`Candidate::is_udp`] and [`Candidate::is_tcp`] compare without case.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Candidate {
    /// Foundation.
    pub foundation: String,
    /// Component id: 1 for RTP, 2 for RTCP.
    pub component: u32,
    /// Transport token (`udp`, `tcp`, any case).
    pub transport: Cow<'static, str>,
    /// Priority.
    pub priority: u32,
    /// Address: IP, FQDN, or mDNS `.local` name.
    pub address: Address,
    /// Port.
    pub port: u16,
    /// Candidate type.
    pub kind: CandidateType,
    /// `raddr`.
    pub related_address: Option<Address>,
    /// `rport`.
    pub related_port: Option<u16>,
    /// Extension pairs in order (`tcptype`, `generation`, `ufrag`, `network-id`, ...).
    pub extensions: Vec<(Cow<'static, str>, Cow<'static, str>)>,
}

impl Candidate {
    /// Whether the transport is UDP.
    pub fn is_udp(&self) -> bool {
        self.transport.eq_ignore_ascii_case("udp")
    }

    /// Whether the transport is TCP.
    pub fn is_tcp(&self) -> bool {
        self.transport.eq_ignore_ascii_case("tcp")
    }

    /// The value of an extension.
    pub fn extension(&self, name: &str) -> Option<&str> {
        self.extensions
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_ref())
    }

    /// RFC 6544 `tcptype`.
    pub fn tcp_type(&self) -> Option<TcpType> {
        match self.extension("tcptype")? {
            "active" => Some(TcpType::Active),
            "passive" => Some(TcpType::Passive),
            "so" => Some(TcpType::SimultaneousOpen),
            _ => None,
        }
    }

    /// The `generation` extension (libwebrtc).
    pub fn generation(&self) -> Option<u32> {
        self.extension("generation")?.parse().ok()
    }

    /// The `ufrag` extension (libwebrtc, trickle).
    pub fn ufrag(&self) -> Option<&str> {
        self.extension("ufrag")
    }

    /// The `network-id` extension (libwebrtc).
    pub fn network_id(&self) -> Option<u32> {
        self.extension("network-id")?.parse().ok()
    }

    /// The `network-cost` extension (libwebrtc).
    pub fn network_cost(&self) -> Option<u32> {
        self.extension("network-cost")?.parse().ok()
    }
}

impl FromStr for Candidate {
    type Err = &'static str;

    /// Parses the value of `a=candidate:` (also accepts a leading `candidate:`, as trickled
    /// candidates carry it).
    fn from_str(value: &str) -> Result<Self, &'static str> {
        let value = value.strip_prefix("candidate:").unwrap_or(value);
        let mut fields = value.split_ascii_whitespace();
        let mut next = |what| fields.next().ok_or(what);
        let foundation = next("foundation")?.to_owned();
        let component = next("component")?.parse().map_err(|_| "component")?;
        let transport = intern(next("transport")?, TRANSPORTS);
        let priority = next("priority")?.parse().map_err(|_| "priority")?;
        let address = Address::parse(next("address")?);
        let port = next("port")?.parse().map_err(|_| "port")?;
        if next("typ")? != "typ" {
            return Err("typ");
        }
        let kind = CandidateType::parse(next("candidate type")?);
        let mut related_address = None;
        let mut related_port = None;
        let mut extensions = Vec::new();
        while let Some(name) = fields.next() {
            let value = fields.next().ok_or("extension value")?;
            match name {
                "raddr" if related_address.is_none() && extensions.is_empty() => {
                    related_address = Some(Address::parse(value));
                }
                "rport" if related_port.is_none() && extensions.is_empty() => {
                    related_port = Some(value.parse().map_err(|_| "rport")?);
                }
                _ => extensions.push((
                    intern(name, CANDIDATE_EXTENSIONS),
                    intern(value, CANDIDATE_VALUES),
                )),
            }
        }
        Ok(Self {
            foundation,
            component,
            transport,
            priority,
            address,
            port,
            kind,
            related_address,
            related_port,
            extensions,
        })
    }
}

impl Emit for Candidate {
    /// Writes the value of `a=candidate:` (without the `candidate:` prefix).
    fn emit<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result {
        use crate::emit::num;
        f.write_str(&self.foundation)?;
        f.write_str(" ")?;
        num(f, self.component)?;
        f.write_str(" ")?;
        f.write_str(&self.transport)?;
        f.write_str(" ")?;
        num(f, self.priority)?;
        f.write_str(" ")?;
        self.address.emit(f)?;
        f.write_str(" ")?;
        num(f, self.port)?;
        f.write_str(" typ ")?;
        f.write_str(self.kind.as_str())?;
        if let Some(a) = &self.related_address {
            f.write_str(" raddr ")?;
            a.emit(f)?;
        }
        if let Some(p) = self.related_port {
            f.write_str(" rport ")?;
            num(f, p)?;
        }
        for (name, value) in &self.extensions {
            f.write_str(" ")?;
            f.write_str(name)?;
            f.write_str(" ")?;
            f.write_str(value)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chrome_tcp_candidate() {
        let line = "2775739857 1 tcp 1518214911 127.0.0.1 9 typ host tcptype active generation 0 network-id 3 network-cost 50";
        let c: Candidate = line.parse().unwrap();
        assert!(c.is_tcp());
        assert_eq!(c.tcp_type(), Some(TcpType::Active));
        assert_eq!(
            (c.generation(), c.network_id(), c.network_cost()),
            (Some(0), Some(3), Some(50))
        );
        assert_eq!(c.to_string(), line);
    }

    #[test]
    fn relay_candidate_with_related_address() {
        let line = "3 1 UDP 92217087 198.51.100.7 49152 typ relay raddr 203.0.113.9 rport 61000";
        let c: Candidate = line.parse().unwrap();
        assert_eq!(c.kind, CandidateType::Relay);
        assert_eq!(
            c.related_address,
            Some(Address::Ip("203.0.113.9".parse().unwrap()))
        );
        assert_eq!(c.related_port, Some(61000));
        assert!(c.is_udp());
        assert_eq!(c.to_string(), line);
    }

    #[test]
    fn mdns_and_ipv6_addresses() {
        let c: Candidate =
            "1 1 udp 2122260223 f5c4d2a1-1f3c-4bfc-a3cf-2d4ad4c7d3e1.local 54321 typ host"
                .parse()
                .unwrap();
        assert!(c.address.is_mdns());
        let c: Candidate = "candidate:1 1 udp 2122262783 2001:db8::1 54321 typ host"
            .parse()
            .unwrap();
        assert_eq!(c.address.ip(), Some("2001:db8::1".parse().unwrap()));
    }

    #[test]
    fn malformed_candidates_are_errors() {
        assert_eq!("1 1 udp".parse::<Candidate>().unwrap_err(), "priority");
        assert_eq!(
            "1 x udp 1 1.2.3.4 5 typ host"
                .parse::<Candidate>()
                .unwrap_err(),
            "component"
        );
        assert_eq!(
            "1 1 udp 1 1.2.3.4 5 type host"
                .parse::<Candidate>()
                .unwrap_err(),
            "typ"
        );
        assert_eq!(
            "1 1 udp 1 1.2.3.4 5 typ host generation"
                .parse::<Candidate>()
                .unwrap_err(),
            "extension value"
        );
    }
}

crate::emit::display_via_emit!(Candidate);
