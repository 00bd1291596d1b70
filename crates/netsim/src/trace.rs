//! The event trace of a simulation: every send, drop, delivery, NAT mapping, timer and
//! application event, stamped with virtual time.
//!
//! Two runs of the same seeded scenario produce equal traces, entry for entry and byte for byte.
//! [`TraceDigest`] folds every entry into a 64-bit FNV-1a-style hash even when entries are not kept,
//! so long sweeps can compare runs cheaply.

use sansrtc_proto::Protocol;
use std::hash::{Hash, Hasher};
use std::net::SocketAddr;
use std::time::Duration;

/// A datagram in flight through the simulated network.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Packet {
    /// Transport protocol.
    pub proto: Protocol,
    /// Source address, as rewritten by any NAT so far.
    pub source: SocketAddr,
    /// Destination address, as rewritten by any NAT so far.
    pub destination: SocketAddr,
    /// Payload.
    pub contents: Vec<u8>,
}

impl Packet {
    /// Size of the IP packet on the wire: payload plus transport and IP headers.
    pub fn wire_len(&self) -> usize {
        let ip = if self.destination.is_ipv4() { 20 } else { 40 };
        self.contents.len() + self.proto.header_len() + ip
    }
}

/// Why the network dropped a datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum DropReason {
    /// Larger than a link's MTU.
    Mtu,
    /// Random loss on a link.
    Loss,
    /// A link's bandwidth queue was full.
    QueueFull,
    /// No route to the destination address.
    NoRoute,
    /// Arrived at a NAT's external address with no (live) mapping for its port.
    NoMapping,
    /// A NAT mapping exists but its filtering rejected the sender (RFC 4787 §5).
    Filtered,
    /// Sent from inside a NAT to the NAT's own external address, with hairpinning off.
    HairpinDisabled,
    /// The NAT has no free external port.
    PortsExhausted,
    /// Reached its host, but no endpoint is bound to the destination address and port.
    NoSocket,
    /// An endpoint sent from an address its host does not own.
    BadSource,
    /// A test's packet hook decided to drop it.
    Hook,
}

/// What happened, in a [`TraceEntry`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TraceEvent {
    /// An endpoint handed a datagram to the network.
    Sent {
        /// Endpoint name.
        endpoint: String,
        /// The datagram as sent.
        packet: Packet,
    },
    /// A datagram reached an endpoint, which accepted it.
    Delivered {
        /// Endpoint name.
        endpoint: String,
        /// The datagram as received (after NATs).
        packet: Packet,
    },
    /// A datagram reached an endpoint, whose `handle_receive` rejected it.
    Rejected {
        /// Endpoint name.
        endpoint: String,
        /// The datagram as received.
        packet: Packet,
        /// `Debug` rendering of the endpoint's error.
        error: String,
    },
    /// The network dropped a datagram.
    Dropped {
        /// Why.
        reason: DropReason,
        /// The datagram, with the addresses it had where it was dropped.
        packet: Packet,
    },
    /// A NAT created a mapping.
    NatMapped {
        /// Index of the NAT box.
        nat: usize,
        /// Transport of the mapping.
        proto: Protocol,
        /// Inside address.
        internal: SocketAddr,
        /// Outside address.
        external: SocketAddr,
    },
    /// A NAT mapping expired after idling longer than its lifetime.
    NatExpired {
        /// Index of the NAT box.
        nat: usize,
        /// Transport of the mapping.
        proto: Protocol,
        /// Inside address.
        internal: SocketAddr,
        /// Outside address.
        external: SocketAddr,
    },
    /// An endpoint's timer fired (`handle_timeout` was called).
    Timer {
        /// Endpoint name.
        endpoint: String,
    },
    /// An endpoint emitted an application event.
    Event {
        /// Endpoint name.
        endpoint: String,
        /// `Debug` rendering of the event.
        event: String,
    },
}

/// One line of the trace.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TraceEntry {
    /// Virtual time since the simulation's epoch.
    pub at: Duration,
    /// What happened.
    pub event: TraceEvent,
}

/// A running 64-bit FNV-1a-style hash over every trace entry (word-at-a-time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceDigest(u64);

impl Default for TraceDigest {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for TraceDigest {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // FNV-1a over 64-bit words (then the tail bytes): the same avalanche per step, eight
        // times fewer steps on payloads.
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            let mut w = [0u8; 8];
            w.copy_from_slice(word);
            self.0 ^= u64::from_le_bytes(w);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
        for &b in words.remainder() {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

impl TraceDigest {
    /// Folds one entry into the digest.
    pub fn add(&mut self, entry: &TraceEntry) {
        entry.hash(self);
    }

    /// The digest value.
    pub fn value(&self) -> u64 {
        self.0
    }
}
