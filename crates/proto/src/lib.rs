//! The shared Sans-IO vocabulary of sansrtc.
//!
//! Every protocol crate in sansrtc (STUN/TURN, ICE, DTLS, SCTP, ...) is a state machine that never
//! performs I/O, never reads the clock and never draws from a global random number generator.
//! This crate holds the few types they all share, so that a simulated network
//! (`sansrtc-netsim`), the `PeerConnection` facade, and your own event loop can drive any of them
//! the same way:
//!
//! - [`Receive`] is one datagram (or TCP segment) handed *to* a machine, and [`Transmit`] is one
//!   that a machine asks you to send, written into a buffer you own.
//! - [`SansIo`] is the calling contract: feed input with `handle_receive` and `handle_timeout`,
//!   then drain `poll_transmit`, `poll_event`, and finally read `poll_timeout`.
//! - [`time`] states the time rules (the caller passes `now`; it never goes backwards) and
//!   provides [`time::MonotonicClock`] to enforce them.
//! - [`rng`] states the randomness rules (`config.rng_seed: Option<Seed>`) and builds the
//!   generator every machine owns.
//! - [`demux`] classifies a datagram on a shared port by its first byte (RFC 7983).
//!
//! # Determinism
//!
//! Given the same seed, the same inputs at the same instants, a machine produces the same
//! outputs. The one documented exception is key material made by `ring`, whose random source is
//! sealed: see [`rng`].
//!
//! # The event loop
//!
//! ```no_run
//! # use std::time::Instant;
//! # use sansrtc_proto::{Receive, SansIo, Protocol};
//! # fn demo<M: SansIo>(machine: &mut M, socket: &std::net::UdpSocket) -> std::io::Result<()>
//! # where M::Event: std::fmt::Debug {
//! let local = socket.local_addr()?;
//! let mut out = Vec::with_capacity(2048);
//! let mut inp = vec![0u8; 65536];
//! loop {
//!     // 1. Drain everything the machine wants to send.
//!     while let Some(t) = machine.poll_transmit(Instant::now(), &mut out) {
//!         socket.send_to(&out[..t.size], t.destination)?;
//!     }
//!     // 2. Drain events.
//!     while let Some(event) = machine.poll_event() {
//!         println!("{event:?}");
//!     }
//!     // 3. Sleep until the next timer or the next datagram.
//!     let deadline = machine.poll_timeout();
//!     let wait = deadline.map(|d| d.saturating_duration_since(Instant::now()));
//!     socket.set_read_timeout(wait.map(|w| w.max(std::time::Duration::from_millis(1))))?;
//!     match socket.recv_from(&mut inp) {
//!         Ok((n, source)) => {
//!             let rx = Receive { proto: Protocol::Udp, source, destination: local, contents: &inp[..n] };
//!             // A rejected datagram leaves the machine unchanged; count it if you like.
//!             let _ = machine.handle_receive(Instant::now(), rx);
//!         }
//!         Err(e) if e.kind() == std::io::ErrorKind::WouldBlock
//!             || e.kind() == std::io::ErrorKind::TimedOut => machine.handle_timeout(Instant::now()),
//!         Err(e) => return Err(e),
//!     }
//! }
//! # }
//! ```
#![forbid(unsafe_code)]

pub mod constant_time;
pub mod demux;
mod net;
pub mod pcap;
pub mod rng;
mod sans_io;
pub mod time;

pub use net::{Protocol, Receive, Transmit};
pub use sans_io::SansIo;
pub use std::time::{Duration, Instant};
