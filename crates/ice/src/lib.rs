//! ICE (RFC 8445) for sansrtc, as a Sans-IO agent: NAT traversal for WebRTC, and for anything
//! else that needs a path between two peers (games, IoT, QUIC or custom protocols over UDP).
//!
//! - [`candidate`]: host, server-reflexive, peer-reflexive and relayed candidates, their
//!   priorities (§5.1.2, with RFC 8421's local preference for multihomed and dual-stack
//!   hosts) and foundations (§5.1.1.3).
//! - [`Agent`]: gathering (§5.1.1), the check list (§6.1.2) with frozen, waiting,
//!   in-progress, succeeded and failed pairs, Ta pacing and triggered checks (§6.1.4),
//!   connectivity checks with PRIORITY, USE-CANDIDATE, ICE-CONTROLLING/ICE-CONTROLLED and the
//!   tie-breaker (§7), role conflicts (§7.3.1.1), regular nomination and re-selection of a
//!   better pair (§8.1), aggressive nomination accepted from legacy peers, trickle ICE
//!   (RFC 8838: candidates at any time, end-of-candidates, failure only after it), consent
//!   freshness (RFC 7675), ICE restart (§9), and ICE-lite (§2.5).
//! - Bounded against a hostile peer: remote candidates, pairs and queued datagrams have
//!   limits ([`Config`]), and a check that does not authenticate changes nothing.
//!
//! # The Sans-IO contract
//! The caller owns every socket and declares their addresses
//! ([`Agent::add_local_addresses`]). After any call, drain
//! [`poll_transmit`](sansrtc_proto::SansIo::poll_transmit) (send each datagram from its
//! `source` address to its `destination`), then
//! [`poll_event`](sansrtc_proto::SansIo::poll_event), then read
//! [`poll_timeout`](sansrtc_proto::SansIo::poll_timeout) and call
//! [`handle_timeout`](sansrtc_proto::SansIo::handle_timeout) then (early or twice is
//! harmless). Time only comes in as a parameter; a smaller `now` than before is clamped.
//! Every datagram that arrives on a declared address goes to [`Agent::handle_datagram`]: STUN
//! is handled, application data from a known pair comes back borrowed as
//! [`Incoming::Data`], and anything else is refused with [`Error::NotIce`] for the caller to
//! demultiplex (RFC 7983).
//!
//! ```
//! use sansrtc_ice::{Agent, Config, Event, LocalAddress, Role};
//! use sansrtc_proto::{Protocol, Receive, SansIo};
//! # #[expect(clippy::disallowed_methods, reason = "a doc example needs one instant")]
//! # fn now() -> std::time::Instant { std::time::Instant::now() }
//!
//! let t = now();
//! let (a_addr, b_addr) = ("127.0.0.1:5000".parse().unwrap(), "127.0.0.1:6000".parse().unwrap());
//! let mut a = Agent::new(Config::new(Role::Controlling), t);
//! let mut b = Agent::new(Config::new(Role::Controlled), t);
//! a.add_local_addresses(t, &[LocalAddress { address: a_addr, interface_rank: 0 }]);
//! b.add_local_addresses(t, &[LocalAddress { address: b_addr, interface_rank: 0 }]);
//! // Signaling: credentials and candidates both ways.
//! a.set_remote_credentials(t, b.local_credentials().clone());
//! b.set_remote_credentials(t, a.local_credentials().clone());
//! for c in a.local_candidates().to_vec() { b.add_remote_candidate(t, c).unwrap(); }
//! for c in b.local_candidates().to_vec() { a.add_remote_candidate(t, c).unwrap(); }
//! // The event loop, here in memory and virtual time.
//! fn pass(now: std::time::Instant, from: &mut Agent, to: &mut Agent, buf: &mut Vec<u8>) {
//!     while let Some(tx) = from.poll_transmit(now, buf) {
//!         let rx = Receive { proto: Protocol::Udp, source: tx.source, destination: tx.destination, contents: &buf[..tx.size] };
//!         let _ = to.handle_receive(now, rx);
//!     }
//! }
//! let (mut clock, mut buf) = (t, Vec::new());
//! for _ in 0..200 {
//!     pass(clock, &mut a, &mut b, &mut buf);
//!     pass(clock, &mut b, &mut a, &mut buf);
//!     let next = [a.poll_timeout(), b.poll_timeout()].into_iter().flatten().min();
//!     let Some(next) = next else { break };
//!     clock = clock.max(next);
//!     a.handle_timeout(clock);
//!     b.handle_timeout(clock);
//!     if a.selected_path().is_some() && b.selected_path().is_some() { break; }
//! }
//! assert_eq!(a.selected_path().unwrap().remote.address, b_addr);
//! assert_eq!(b.selected_path().unwrap().remote.address, a_addr);
//! ```
#![forbid(unsafe_code)]

mod agent;
pub mod candidate;
mod config;
mod error;
mod event;

pub use agent::{Agent, Incoming, PairInfo, PairState, SelectedPath, Stats};
pub use candidate::{Candidate, CandidateKind, Foundation, LocalAddress, TcpType, Transport};
pub use config::{Config, Credentials, TurnServer};
pub use error::Error;
pub use event::{ConnectionState, Event, Role};
