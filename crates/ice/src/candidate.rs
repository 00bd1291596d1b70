//! ICE candidates (RFC 8445 §5.1): kinds, transports, priorities (§5.1.2), foundations
//! (§5.1.1.3) and the local preference of RFC 8421 for multihomed and dual-stack hosts.
//!
//! Candidates are small `Copy` values: the foundation is stored inline, so a candidate never
//! allocates and a list of them is one contiguous block.

use std::fmt;
use std::net::SocketAddr;

/// What kind of address a candidate is (RFC 8445 §5.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CandidateKind {
    /// An address of a local interface.
    Host,
    /// The address a NAT gave us, as a STUN server saw it.
    ServerReflexive,
    /// An address learned from a connectivity check (RFC 8445 §7.2.5.3.1, §7.3.1.3).
    PeerReflexive,
    /// An address on a TURN server that relays for us.
    Relayed,
}

impl CandidateKind {
    /// The type preference of RFC 8445 §5.1.2.2's recommended values: host 126, peer
    /// reflexive 110, server reflexive 100, relayed 0.
    pub const fn type_preference(self) -> u32 {
        match self {
            Self::Host => 126,
            Self::PeerReflexive => 110,
            Self::ServerReflexive => 100,
            Self::Relayed => 0,
        }
    }

    /// The SDP token (RFC 8839 §5.1: `host`, `srflx`, `prflx`, `relay`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Host => "host",
            Self::ServerReflexive => "srflx",
            Self::PeerReflexive => "prflx",
            Self::Relayed => "relay",
        }
    }
}

/// The role of a TCP candidate (RFC 6544 §4.5). ICE-TCP is not carried by the agent yet; the
/// type exists so that it fits without changing [`Transport`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TcpType {
    /// Opens connections.
    Active,
    /// Accepts connections.
    Passive,
    /// Simultaneous open.
    SimultaneousOpen,
}

/// The transport a candidate uses (RFC 8445 §5.1.1, RFC 6544).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transport {
    /// UDP.
    Udp,
    /// TCP with its role (RFC 6544; the agent pairs no TCP candidates yet).
    Tcp(TcpType),
}

/// The most bytes of a foundation kept (RFC 8839 §5.1: 1 to 32 ice-chars).
pub const MAX_FOUNDATION_LEN: usize = 32;

/// A candidate foundation (RFC 8445 §5.1.1.3): candidates with the same foundation share
/// type, base address, server and transport, so one of their pairs working suggests the
/// others will. Stored inline.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Foundation {
    bytes: [u8; MAX_FOUNDATION_LEN],
    len: u8,
}

impl Foundation {
    /// A foundation from its SDP text: 1 to 32 ice-chars (`ALPHA / DIGIT / "+" / "/"`,
    /// RFC 8839 §5.1); `None` otherwise.
    pub fn new(text: &str) -> Option<Self> {
        let raw = text.as_bytes();
        if raw.is_empty()
            || raw.len() > MAX_FOUNDATION_LEN
            || !raw
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/')
        {
            return None;
        }
        let mut bytes = [0u8; MAX_FOUNDATION_LEN];
        bytes[..raw.len()].copy_from_slice(raw);
        Some(Self {
            bytes,
            len: raw.len() as u8,
        })
    }

    /// A foundation for a local candidate: the decimal form of a hash of what makes two
    /// candidates alike (RFC 8445 §5.1.1.3: type, base IP, server IP, transport).
    pub(crate) fn derive(
        kind: CandidateKind,
        base: std::net::IpAddr,
        server: Option<std::net::IpAddr>,
        transport: Transport,
    ) -> Self {
        use std::hash::{Hash, Hasher};
        // FNV-1a: stable across runs and platforms (unlike the std hasher's seed).
        struct Fnv(u64);
        impl Hasher for Fnv {
            fn finish(&self) -> u64 {
                self.0
            }
            fn write(&mut self, bytes: &[u8]) {
                for b in bytes {
                    self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
                }
            }
        }
        let mut hasher = Fnv(0xcbf2_9ce4_8422_2325);
        kind.hash(&mut hasher);
        base.hash(&mut hasher);
        server.hash(&mut hasher);
        transport.hash(&mut hasher);
        // At most 10 digits.
        let value = hasher.finish() % 10_000_000_000;
        let text = value.to_string();
        Self::new(&text).unwrap_or(Self {
            bytes: [b'0'; MAX_FOUNDATION_LEN],
            len: 1,
        })
    }

    /// The foundation's text.
    pub fn as_str(&self) -> &str {
        // Only ASCII is ever stored.
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or("0")
    }
}

impl fmt::Debug for Foundation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Foundation({})", self.as_str())
    }
}

impl fmt::Display for Foundation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A candidate, local or remote (RFC 8445 §5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Candidate {
    /// Host, server reflexive, peer reflexive or relayed.
    pub kind: CandidateKind,
    /// UDP or TCP.
    pub transport: Transport,
    /// The transport address.
    pub address: SocketAddr,
    /// Local candidates: the address checks are sent from (§5.1.1.3): the host address for
    /// host and server-reflexive candidates, the relayed address for relayed ones. Remote
    /// candidates: the address itself.
    pub base: SocketAddr,
    /// `raddr`/`rport` (RFC 8839 §5.1): the base of a reflexive candidate, the mapped
    /// address of a relayed one.
    pub related: Option<SocketAddr>,
    /// The priority (§5.1.2).
    pub priority: u32,
    /// The foundation (§5.1.1.3).
    pub foundation: Foundation,
    /// The component (1 for RTP or anything multiplexed, 2 for RTCP without rtcp-mux).
    pub component: u16,
}

impl Candidate {
    /// A remote candidate as the peer signaled it (its priority and foundation as given).
    pub fn remote(
        kind: CandidateKind,
        address: SocketAddr,
        priority: u32,
        foundation: Foundation,
        component: u16,
    ) -> Self {
        Self {
            kind,
            transport: Transport::Udp,
            address,
            base: address,
            related: None,
            priority,
            foundation,
            component,
        }
    }
}

/// The priority formula of RFC 8445 §5.1.2.1: `2^24 * type preference + 2^8 * local
/// preference + (256 - component)`.
pub fn priority(kind: CandidateKind, local_preference: u16, component: u16) -> u32 {
    (kind.type_preference() << 24)
        + (u32::from(local_preference) << 8)
        + (256 - u32::from(component.clamp(1, 256)))
}

/// A local address the caller declares (it owns the socket): where host candidates come
/// from. Interfaces the caller ranks first get the highest local preference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LocalAddress {
    /// The socket's address (IPv4 or IPv6, a concrete interface address, not a wildcard).
    pub address: SocketAddr,
    /// The interface's rank: 0 for the preferred interface (for example wired before Wi-Fi
    /// before cellular), higher for the others.
    pub interface_rank: u8,
}

/// Local preferences for the declared addresses, following RFC 8421 §4: interfaces in rank
/// order, and within that IPv6 and IPv4 addresses interleaved (IPv6 first), so that a broken
/// family delays the other by one check at most. Returns one preference per address, in the
/// order given.
pub fn local_preferences(addresses: &[LocalAddress]) -> Vec<u16> {
    let mut order: Vec<usize> = (0..addresses.len()).collect();
    // Position within its family among addresses of the same rank.
    let family_index = |i: usize| {
        let a = &addresses[i];
        addresses[..i]
            .iter()
            .filter(|b| {
                b.interface_rank == a.interface_rank && b.address.is_ipv6() == a.address.is_ipv6()
            })
            .count()
    };
    order.sort_by_key(|&i| {
        let a = &addresses[i];
        (a.interface_rank, family_index(i), a.address.is_ipv4(), i)
    });
    let mut preferences = vec![0u16; addresses.len()];
    for (position, &i) in order.iter().enumerate() {
        // 65535 for the first, then down by 2 (room for an RFC 8421 §4 tie-break).
        preferences[i] = 65535u16.saturating_sub(2 * position as u16);
    }
    preferences
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn priority_follows_the_formula_of_rfc8445_5_1_2_1() {
        // host, local preference 65535, component 1: 126 << 24 | 65535 << 8 | 255.
        assert_eq!(priority(CandidateKind::Host, 65535, 1), 2_130_706_431);
        assert_eq!(
            priority(CandidateKind::ServerReflexive, 65535, 1),
            1_694_498_815
        );
        assert_eq!(priority(CandidateKind::Relayed, 65535, 1), 16_777_215);
        assert_eq!(
            priority(CandidateKind::PeerReflexive, 0, 2),
            (110 << 24) + 254
        );
        // Kinds order by type preference whatever the local preference.
        assert!(
            priority(CandidateKind::Host, 0, 1) > priority(CandidateKind::PeerReflexive, 65535, 1)
        );
    }

    #[test]
    fn foundations_keep_ice_chars_only() {
        assert_eq!(
            Foundation::new("1467250027").unwrap().as_str(),
            "1467250027"
        );
        assert_eq!(Foundation::new("a+/Z").unwrap().to_string(), "a+/Z");
        assert!(Foundation::new("").is_none());
        assert!(Foundation::new("no space").is_none());
        assert!(Foundation::new(&"x".repeat(33)).is_none());
        assert!(Foundation::new(&"x".repeat(32)).is_some());
    }

    #[test]
    fn derived_foundations_are_equal_exactly_when_type_base_server_and_transport_are() {
        let ip = "192.0.2.1".parse().unwrap();
        let other = "192.0.2.2".parse().unwrap();
        let f = |kind, base, server| Foundation::derive(kind, base, server, Transport::Udp);
        assert_eq!(
            f(CandidateKind::Host, ip, None),
            f(CandidateKind::Host, ip, None)
        );
        assert_ne!(
            f(CandidateKind::Host, ip, None),
            f(CandidateKind::Host, other, None)
        );
        assert_ne!(
            f(CandidateKind::Host, ip, None),
            f(CandidateKind::ServerReflexive, ip, None)
        );
        assert_ne!(
            f(CandidateKind::ServerReflexive, ip, Some(ip)),
            f(CandidateKind::ServerReflexive, ip, Some(other))
        );
        assert!(f(CandidateKind::Host, ip, None).as_str().len() <= 10);
    }

    #[test]
    fn local_preferences_rank_interfaces_then_interleave_families() {
        let addresses = [
            LocalAddress {
                address: addr("10.0.0.1:1"),
                interface_rank: 0,
            },
            LocalAddress {
                address: addr("10.0.0.2:1"),
                interface_rank: 0,
            },
            LocalAddress {
                address: addr("[2001:db8::1]:1"),
                interface_rank: 0,
            },
            LocalAddress {
                address: addr("[2001:db8::2]:1"),
                interface_rank: 0,
            },
            LocalAddress {
                address: addr("172.16.0.1:1"),
                interface_rank: 1,
            },
        ];
        let p = local_preferences(&addresses);
        // v6 #1, v4 #1, v6 #2, v4 #2, then the second interface.
        assert!(
            p[2] > p[0] && p[0] > p[3] && p[3] > p[1] && p[1] > p[4],
            "{p:?}"
        );
        assert_eq!(p[2], 65535);
    }
}
