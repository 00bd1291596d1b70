//! A tiny rendezvous and UDP hole-punching protocol, used by the README demo and by tests to
//! show which pairs of NAT kinds let two peers talk directly.
//!
//! This is a demonstration protocol, not ICE: a [`Rendezvous`] server on the Internet tells two
//! registered [`Puncher`]s each other's server-observed (public) address; each then sends
//! `PUNCH` datagrams to the other every [`PUNCH_INTERVAL`], answers any `PUNCH` with `ACK` to
//! the address it came from (which may differ from the announced one, as a peer-reflexive
//! address does in ICE), and reports [`PunchEvent::Connected`] when an `ACK` arrives.

use sansrtc_proto::{Protocol, Receive, SansIo, Transmit};
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// Time between two punches.
pub const PUNCH_INTERVAL: Duration = Duration::from_millis(100);
/// Punches sent before giving up.
pub const PUNCH_ATTEMPTS: u32 = 20;

/// Why a datagram was not understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PunchError {
    /// Not one of the protocol's messages.
    UnknownMessage,
}

/// What a [`Puncher`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PunchEvent {
    /// The rendezvous server announced the peer's public address.
    PeerAnnounced {
        /// The peer's address as the server saw it.
        peer: SocketAddr,
    },
    /// The peer acknowledged a punch: the direct path works.
    Connected {
        /// The address the acknowledgement came from.
        peer: SocketAddr,
    },
    /// Every punch went unanswered.
    GaveUp,
}

fn transmit(
    buf: &mut Vec<u8>,
    source: SocketAddr,
    destination: SocketAddr,
    bytes: &[u8],
) -> Transmit {
    buf.clear();
    buf.extend_from_slice(bytes);
    Transmit {
        proto: Protocol::Udp,
        source,
        destination,
        size: bytes.len(),
    }
}

/// The rendezvous server: pairs the first two peers that register.
#[derive(Debug, Clone)]
pub struct Rendezvous {
    local: SocketAddr,
    registered: Vec<SocketAddr>,
    outbox: VecDeque<(SocketAddr, Vec<u8>)>,
}

impl Rendezvous {
    /// A server listening on `local`.
    pub fn new(local: SocketAddr) -> Self {
        Self {
            local,
            registered: Vec::new(),
            outbox: VecDeque::new(),
        }
    }
}

impl SansIo for Rendezvous {
    type Event = ();
    type Error = PunchError;

    fn handle_receive(&mut self, _now: Instant, rx: Receive<'_>) -> Result<(), PunchError> {
        if rx.contents != b"REGISTER" {
            return Err(PunchError::UnknownMessage);
        }
        if !self.registered.contains(&rx.source) {
            self.registered.push(rx.source);
        }
        if let [a, b] = self.registered[..] {
            self.outbox.push_back((a, format!("PEER {b}").into_bytes()));
            self.outbox.push_back((b, format!("PEER {a}").into_bytes()));
        }
        Ok(())
    }

    fn poll_transmit(&mut self, _now: Instant, buf: &mut Vec<u8>) -> Option<Transmit> {
        let (to, bytes) = self.outbox.pop_front()?;
        Some(transmit(buf, self.local, to, &bytes))
    }

    fn poll_event(&mut self) -> Option<()> {
        None
    }

    fn poll_timeout(&self) -> Option<Instant> {
        None
    }

    fn handle_timeout(&mut self, _now: Instant) {}
}

/// A peer that registers with a [`Rendezvous`] server and punches a hole to its partner.
#[derive(Debug, Clone)]
pub struct Puncher {
    local: SocketAddr,
    server: SocketAddr,
    targets: Vec<SocketAddr>,
    outbox: VecDeque<(SocketAddr, Vec<u8>)>,
    events: VecDeque<PunchEvent>,
    next_punch: Option<Instant>,
    punches_left: u32,
    connected: Option<SocketAddr>,
}

impl Puncher {
    /// A peer on `local` that registers with `server` right away.
    pub fn new(local: SocketAddr, server: SocketAddr) -> Self {
        Self {
            local,
            server,
            targets: Vec::new(),
            outbox: VecDeque::from([(server, b"REGISTER".to_vec())]),
            events: VecDeque::new(),
            next_punch: None,
            punches_left: PUNCH_ATTEMPTS,
            connected: None,
        }
    }

    /// The peer address a punch was acknowledged from, once connected.
    pub fn connected(&self) -> Option<SocketAddr> {
        self.connected
    }
}

impl SansIo for Puncher {
    type Event = PunchEvent;
    type Error = PunchError;

    fn handle_receive(&mut self, now: Instant, rx: Receive<'_>) -> Result<(), PunchError> {
        let text = std::str::from_utf8(rx.contents).map_err(|_| PunchError::UnknownMessage)?;
        if rx.source == self.server {
            let peer = text
                .strip_prefix("PEER ")
                .and_then(|a| a.parse().ok())
                .ok_or(PunchError::UnknownMessage)?;
            if !self.targets.contains(&peer) {
                self.targets.push(peer);
                self.events.push_back(PunchEvent::PeerAnnounced { peer });
                self.next_punch = Some(now);
            }
            return Ok(());
        }
        match text {
            "PUNCH" => {
                self.outbox.push_back((rx.source, b"ACK".to_vec()));
                if !self.targets.contains(&rx.source) {
                    self.targets.push(rx.source);
                }
                Ok(())
            }
            "ACK" => {
                if self.connected.is_none() {
                    self.connected = Some(rx.source);
                    self.next_punch = None;
                    self.events
                        .push_back(PunchEvent::Connected { peer: rx.source });
                }
                Ok(())
            }
            _ => Err(PunchError::UnknownMessage),
        }
    }

    fn poll_transmit(&mut self, _now: Instant, buf: &mut Vec<u8>) -> Option<Transmit> {
        let (to, bytes) = self.outbox.pop_front()?;
        Some(transmit(buf, self.local, to, &bytes))
    }

    fn poll_event(&mut self) -> Option<PunchEvent> {
        self.events.pop_front()
    }

    fn poll_timeout(&self) -> Option<Instant> {
        self.next_punch
    }

    fn handle_timeout(&mut self, now: Instant) {
        let Some(due) = self.next_punch else { return };
        if now < due {
            return;
        }
        if self.punches_left == 0 {
            self.next_punch = None;
            self.events.push_back(PunchEvent::GaveUp);
            return;
        }
        self.punches_left -= 1;
        for &target in &self.targets {
            self.outbox.push_back((target, b"PUNCH".to_vec()));
        }
        self.next_punch = Some(now + PUNCH_INTERVAL);
    }
}

/// The result of [`punch_through`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct PunchOutcome {
    /// Whether both peers got an acknowledged punch through.
    pub connected: bool,
    /// Virtual time from start until both connected, or until both gave up.
    pub elapsed: Duration,
    /// Datagrams the NATs filtered on the way.
    pub filtered: u64,
}

/// Two peers, each behind its own NAT of the given kind (both using inside address
/// 192.168.1.10:5000, in separate realms), meet through a rendezvous server on the Internet
/// and try to punch a direct path. Every access link has 20 ms of one-way delay.
///
/// # Panics
///
/// If the scenario stalls (it cannot: every puncher gives up after [`PUNCH_ATTEMPTS`]).
pub fn punch_through(
    epoch: Instant,
    seed: u64,
    a: crate::NatKind,
    b: crate::NatKind,
) -> PunchOutcome {
    use crate::{DropReason, LinkConfig, NatConfig, Sim};
    let mut sim = Sim::new(epoch, seed);
    let internet = sim.internet();
    let server_addr = SocketAddr::from(([198, 51, 100, 7], 3478));
    let server = sim.add_host(internet, &[server_addr.ip()]);
    sim.add_endpoint(
        "rendezvous",
        server,
        &[server_addr],
        Rendezvous::new(server_addr),
    );
    let link = LinkConfig::ideal().delay(Duration::from_millis(20));
    let local = SocketAddr::from(([192, 168, 1, 10], 5000));
    let mut peers = Vec::new();
    for (name, kind, external) in [("a", a, [203, 0, 113, 1]), ("b", b, [203, 0, 113, 2])] {
        let (_, realm) = sim.add_nat(internet, NatConfig::new(kind, external.into()));
        let host = sim.add_host_with_link(realm, &[local.ip()], link.clone());
        peers.push(sim.add_endpoint(name, host, &[local], Puncher::new(local, server_addr)));
    }
    let start = sim.now();
    let finished = |sim: &mut Sim| {
        peers.iter().all(|&p| {
            sim.events(p)
                .iter()
                .any(|e| matches!(e, PunchEvent::Connected { .. } | PunchEvent::GaveUp))
        })
    };
    let budget = PUNCH_INTERVAL * (PUNCH_ATTEMPTS + 5);
    if let Err(stalled) = sim.run_until(budget, finished) {
        panic!("hole punching scenario stalled: {stalled}");
    }
    PunchOutcome {
        connected: peers.iter().all(|&p| sim.endpoint(p).connected().is_some()),
        elapsed: sim.now() - start,
        filtered: sim.drop_count(DropReason::Filtered),
    }
}
