//! A deterministic simulated network for testing Sans-IO state machines.
//!
//! `sansrtc-netsim` connects any number of [`SansIo`](sansrtc_proto::SansIo) endpoints through
//! a simulated Internet: hosts with IPv4 and IPv6 addresses, links with delay, jitter, loss,
//! reordering, duplication, a bandwidth limit with a queue and an MTU, and NAT boxes with the
//! mapping, filtering, expiry and hairpinning behaviours of RFC 4787. Virtual time jumps from
//! one event to the next, so a minute of traffic takes milliseconds and no test sleeps.
//!
//! Everything random (loss, jitter, NAT ports) is drawn from generators derived from one seed,
//! and every collection the simulator iterates is ordered, so **the same seed and scenario give
//! the same [trace](Sim::trace), byte for byte**.
//!
//! # Topology
//!
//! - A **realm** is an address space: [`Sim::internet`], or the inside of a NAT box. Private
//!   IPv4 addresses may repeat across realms, as they do in real networks.
//! - A **host** lives in one realm and reaches it through its access link (one [`LinkConfig`]
//!   per direction).
//! - A **NAT box** has an external IPv4 address in its parent realm, an outside link, and a
//!   new realm inside. IPv4 is translated; IPv6 crosses untranslated through the same
//!   filtering.
//! - An **endpoint** is a Sans-IO machine bound to addresses of a host.
//!
//! # Driving
//!
//! After every input the simulator drains the endpoint: `poll_transmit` until `None` (each
//! datagram enters the network), `poll_event` until `None` (events are recorded and kept for
//! [`Sim::take_events`]), then `poll_timeout`. [`Sim::step`] advances to the earliest datagram
//! arrival or timer and processes it.
//!
//! ```
//! use sansrtc_netsim::{LinkConfig, NatConfig, NatKind, Probe, Sim};
//! use std::time::{Duration, Instant};
//!
//! # #[expect(clippy::disallowed_methods, reason = "doc example picks an epoch")]
//! # fn epoch() -> Instant { Instant::now() }
//! let mut sim = Sim::new(epoch(), 42);
//! let internet = sim.internet();
//! let server = sim.add_host(internet, &["198.51.100.7".parse().unwrap()]);
//! let (_nat, home) = sim.add_nat(internet, NatConfig::new(NatKind::PortRestrictedCone, "203.0.113.1".parse().unwrap()));
//! let laptop = sim.add_host_with_link(home, &["192.168.1.10".parse().unwrap()],
//!     LinkConfig::ideal().delay(Duration::from_millis(20)));
//!
//! let echo = sim.add_endpoint("echo", server, &["198.51.100.7:7".parse().unwrap()],
//!     Probe::echo("198.51.100.7:7".parse().unwrap()));
//! let client = sim.add_endpoint("client", laptop, &["192.168.1.10:5000".parse().unwrap()],
//!     Probe::new("192.168.1.10:5000".parse().unwrap()));
//! sim.with_endpoint(client, |p, _now| p.send_to("198.51.100.7:7".parse().unwrap(), b"ping"));
//!
//! sim.run_until(Duration::from_secs(1), |sim| !sim.endpoint(client).received().is_empty()).unwrap();
//! // 20 ms up, 20 ms back down the laptop's access link.
//! assert_eq!(sim.elapsed(), Duration::from_millis(40));
//! // The echo server saw the NAT's address, not the laptop's.
//! assert_eq!(sim.endpoint(echo).received()[0].source.ip().to_string(), "203.0.113.1");
//! ```
#![forbid(unsafe_code)]

mod config;
mod link;
mod nat;
mod node;
/// The pcap writer, shared with the stack (`sansrtc_proto::pcap`).
pub use sansrtc_proto::pcap;
mod probe;
pub mod punch;
mod route;
mod sim;
mod trace;

pub use config::{
    FilteringBehavior, LinkConfig, MappingBehavior, NatConfig, NatKind, PortAllocation,
};
pub use link::LinkStats;
pub use node::EndpointId;
pub use probe::{Datagram, Probe, ProbeEvent};
pub use sim::{Direction, HookContext, HostId, Interface, NatId, RealmId, Sim, Stalled, Verdict};
pub use trace::{DropReason, Packet, TraceDigest, TraceEntry, TraceEvent};
