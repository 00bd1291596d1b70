//! Configuration of links and NAT boxes.

use std::net::Ipv4Addr;
use std::time::Duration;

/// Impairments of one direction of a link (the path between a host or NAT and its realm).
///
/// Impairments apply in this order, like Linux `netem` plus a token-bucket shaper:
/// MTU check, random loss, bandwidth queue (tail drop when `queue_bytes` would be exceeded),
/// propagation `delay` plus uniform `jitter`, then reordering and duplication. Probabilities are
/// clamped to `0.0..=1.0` (NaN counts as 0).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct LinkConfig {
    /// One-way propagation delay.
    pub delay: Duration,
    /// Extra delay drawn uniformly from `0..=jitter` for every datagram.
    pub jitter: Duration,
    /// When `false` (the default), jitter never reorders: a datagram never arrives before one
    /// sent earlier on the same link, unless `reorder` picked it. When `true`, jitter alone can
    /// reorder, as in `netem`.
    pub jitter_reorders: bool,
    /// Probability that a datagram is lost.
    pub loss: f64,
    /// Probability that a datagram is delivered twice.
    pub duplicate: f64,
    /// Probability that a datagram is held back by `reorder_delay`, letting later ones overtake.
    pub reorder: f64,
    /// How long a reordered datagram is held back.
    pub reorder_delay: Duration,
    /// Bottleneck rate in bits per second; `None` means infinitely fast.
    pub bandwidth_bps: Option<u64>,
    /// Bytes the bottleneck queue holds (datagrams waiting to be serialized, the one being sent
    /// included). A datagram that would overflow it is dropped. Only used with `bandwidth_bps`.
    pub queue_bytes: usize,
    /// Largest IP packet (payload plus IP and transport headers) the link carries; larger
    /// datagrams are dropped, as with the DF bit set.
    pub mtu: usize,
}

impl Default for LinkConfig {
    fn default() -> Self {
        Self::ideal()
    }
}

impl LinkConfig {
    /// A perfect link: no delay, no loss, no rate limit, MTU 65535.
    pub const fn ideal() -> Self {
        Self {
            delay: Duration::ZERO,
            jitter: Duration::ZERO,
            jitter_reorders: false,
            loss: 0.0,
            duplicate: 0.0,
            reorder: 0.0,
            reorder_delay: Duration::ZERO,
            bandwidth_bps: None,
            queue_bytes: 64 * 1024,
            mtu: 65535,
        }
    }

    /// Sets the one-way delay.
    pub const fn delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    /// Sets the jitter (uniform extra delay in `0..=jitter`).
    pub const fn jitter(mut self, jitter: Duration) -> Self {
        self.jitter = jitter;
        self
    }

    /// Lets jitter reorder datagrams, as `netem` does.
    pub const fn jitter_reorders(mut self, yes: bool) -> Self {
        self.jitter_reorders = yes;
        self
    }

    /// Sets the loss probability.
    pub const fn loss(mut self, p: f64) -> Self {
        self.loss = p;
        self
    }

    /// Sets the duplication probability.
    pub const fn duplicate(mut self, p: f64) -> Self {
        self.duplicate = p;
        self
    }

    /// Holds back a fraction `p` of datagrams by `by`.
    pub const fn reorder(mut self, p: f64, by: Duration) -> Self {
        self.reorder = p;
        self.reorder_delay = by;
        self
    }

    /// Limits the link to `bps` bits per second with a queue of `queue_bytes`.
    pub const fn bandwidth(mut self, bps: u64, queue_bytes: usize) -> Self {
        self.bandwidth_bps = Some(bps);
        self.queue_bytes = queue_bytes;
        self
    }

    /// Sets the MTU (largest IP packet, headers included).
    pub const fn mtu(mut self, mtu: usize) -> Self {
        self.mtu = mtu;
        self
    }
}

/// How a NAT chooses the external address and port for an outbound flow (RFC 4787 §4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MappingBehavior {
    /// Endpoint-Independent Mapping: one external port per internal address and port, whatever
    /// the destination (REQ-1).
    EndpointIndependent,
    /// Address-Dependent Mapping: a new external port per destination IP address.
    AddressDependent,
    /// Address and Port-Dependent Mapping: a new external port per destination address and
    /// port ("symmetric NAT").
    AddressAndPortDependent,
}

/// Which inbound datagrams a NAT lets through an existing mapping (RFC 4787 §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FilteringBehavior {
    /// Endpoint-Independent Filtering: anyone may send to the mapping.
    EndpointIndependent,
    /// Address-Dependent Filtering: only IP addresses the internal endpoint has sent to.
    AddressDependent,
    /// Address and Port-Dependent Filtering: only address-and-port pairs the internal endpoint
    /// has sent to.
    AddressAndPortDependent,
}

/// The four classic NAT kinds (RFC 3489 §5 names, RFC 4787 behaviours).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NatKind {
    /// Endpoint-independent mapping and filtering.
    FullCone,
    /// Endpoint-independent mapping, address-dependent filtering.
    RestrictedCone,
    /// Endpoint-independent mapping, address-and-port-dependent filtering.
    PortRestrictedCone,
    /// Address-and-port-dependent mapping and filtering.
    Symmetric,
}

impl NatKind {
    /// The RFC 4787 mapping and filtering behaviours of this kind.
    pub const fn behaviors(self) -> (MappingBehavior, FilteringBehavior) {
        match self {
            Self::FullCone => (
                MappingBehavior::EndpointIndependent,
                FilteringBehavior::EndpointIndependent,
            ),
            Self::RestrictedCone => (
                MappingBehavior::EndpointIndependent,
                FilteringBehavior::AddressDependent,
            ),
            Self::PortRestrictedCone => (
                MappingBehavior::EndpointIndependent,
                FilteringBehavior::AddressAndPortDependent,
            ),
            Self::Symmetric => (
                MappingBehavior::AddressAndPortDependent,
                FilteringBehavior::AddressAndPortDependent,
            ),
        }
    }
}

/// How a NAT picks the external port of a new mapping (RFC 4787 §4.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PortAllocation {
    /// Keep the internal port when it is free, otherwise the next free one above it.
    Preserve,
    /// Hand out ports in order, starting at `first`.
    Sequential {
        /// First port handed out.
        first: u16,
    },
    /// Random free ports in 1024–65535 (RFC 6056), drawn from the simulation's seed.
    Random,
}

/// A NAT box: its external IPv4 address and its RFC 4787 behaviour.
///
/// IPv6 is not translated. IPv6 datagrams cross the box unchanged, through the same filtering
/// rules (a stateful firewall in the style of RFC 6092), so an inside IPv6 host is reachable
/// only in the ways its filtering allows.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct NatConfig {
    /// The public address of the box, in its parent realm.
    pub external_ip: Ipv4Addr,
    /// Mapping behaviour (RFC 4787 §4.1).
    pub mapping: MappingBehavior,
    /// Filtering behaviour (RFC 4787 §5).
    pub filtering: FilteringBehavior,
    /// How long an idle mapping lives (RFC 4787 REQ-5 asks for at least 2 minutes).
    pub mapping_lifetime: Duration,
    /// Whether inbound datagrams keep a mapping alive too (RFC 4787 REQ-6 makes this optional).
    pub inbound_refresh: bool,
    /// Whether a datagram from inside to the box's own external address is looped back inside
    /// (RFC 4787 REQ-9), with the sender's external address as its source.
    pub hairpinning: bool,
    /// How external ports are chosen.
    pub port_allocation: PortAllocation,
}

impl NatConfig {
    /// A NAT of the given classic kind at `external_ip`, with a 2-minute mapping lifetime,
    /// hairpinning on, and random port allocation.
    pub const fn new(kind: NatKind, external_ip: Ipv4Addr) -> Self {
        let (mapping, filtering) = kind.behaviors();
        Self {
            external_ip,
            mapping,
            filtering,
            mapping_lifetime: Duration::from_secs(120),
            inbound_refresh: false,
            hairpinning: true,
            port_allocation: PortAllocation::Random,
        }
    }

    /// Sets the idle lifetime of mappings.
    pub const fn mapping_lifetime(mut self, lifetime: Duration) -> Self {
        self.mapping_lifetime = lifetime;
        self
    }

    /// Turns hairpinning on or off.
    pub const fn hairpinning(mut self, on: bool) -> Self {
        self.hairpinning = on;
        self
    }

    /// Lets inbound traffic refresh mappings.
    pub const fn inbound_refresh(mut self, on: bool) -> Self {
        self.inbound_refresh = on;
        self
    }

    /// Sets the port allocation strategy.
    pub const fn port_allocation(mut self, allocation: PortAllocation) -> Self {
        self.port_allocation = allocation;
        self
    }

    /// Overrides the mapping behaviour (for NATs outside the four classic kinds).
    pub const fn mapping(mut self, mapping: MappingBehavior) -> Self {
        self.mapping = mapping;
        self
    }

    /// Overrides the filtering behaviour.
    pub const fn filtering(mut self, filtering: FilteringBehavior) -> Self {
        self.filtering = filtering;
        self
    }
}
