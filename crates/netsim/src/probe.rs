//! [`Probe`]: a minimal Sans-IO "UDP socket" endpoint for tests and demos.

use sansrtc_proto::{Protocol, Receive, SansIo, Transmit};
use std::collections::{BTreeMap, VecDeque};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Instant;

/// A datagram a [`Probe`] received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Datagram {
    /// When it arrived.
    pub at: Instant,
    /// Sender, as seen after NATs.
    pub source: SocketAddr,
    /// Local address it arrived at.
    pub destination: SocketAddr,
    /// Payload.
    pub contents: Vec<u8>,
}

/// What a [`Probe`] reports.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProbeEvent {
    /// A datagram of `len` bytes arrived from `source`.
    Received {
        /// Sender.
        source: SocketAddr,
        /// Payload length.
        len: usize,
    },
}

/// A scripted endpoint: sends what it is told (now or at a given instant), records what it
/// receives, and optionally echoes every datagram back to its sender.
#[derive(Debug, Clone)]
pub struct Probe {
    local: SocketAddr,
    proto: Protocol,
    echo: bool,
    outbox: VecDeque<(SocketAddr, SocketAddr, Vec<u8>)>,
    scheduled: BTreeMap<(Instant, u64), (SocketAddr, SocketAddr, Vec<u8>)>,
    next_seq: u64,
    received: Vec<Datagram>,
    events: VecDeque<ProbeEvent>,
}

impl Probe {
    /// A probe that sends UDP from `local`.
    pub fn new(local: SocketAddr) -> Self {
        Self {
            local,
            proto: Protocol::Udp,
            echo: false,
            outbox: VecDeque::new(),
            scheduled: BTreeMap::new(),
            next_seq: 0,
            received: Vec::new(),
            events: VecDeque::new(),
        }
    }

    /// A probe that sends every datagram it receives straight back to its sender.
    pub fn echo(local: SocketAddr) -> Self {
        Self {
            echo: true,
            ..Self::new(local)
        }
    }

    /// Uses `proto` for everything this probe sends.
    pub fn with_protocol(mut self, proto: Protocol) -> Self {
        self.proto = proto;
        self
    }

    /// The address this probe sends from by default.
    pub fn local(&self) -> SocketAddr {
        self.local
    }

    /// Queues a datagram to `destination`, sent at the next drain.
    pub fn send_to(&mut self, destination: SocketAddr, contents: &[u8]) {
        self.outbox
            .push_back((self.local, destination, contents.to_vec()));
    }

    /// Queues a datagram from another local address of the same host (multi-homed hosts).
    pub fn send_from(&mut self, source: SocketAddr, destination: SocketAddr, contents: &[u8]) {
        self.outbox
            .push_back((source, destination, contents.to_vec()));
    }

    /// Schedules a datagram to `destination` at instant `at` (a timer drives it).
    pub fn send_at(&mut self, at: Instant, destination: SocketAddr, contents: &[u8]) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.scheduled
            .insert((at, seq), (self.local, destination, contents.to_vec()));
    }

    /// Everything received so far, in arrival order.
    pub fn received(&self) -> &[Datagram] {
        &self.received
    }
}

impl SansIo for Probe {
    type Event = ProbeEvent;
    type Error = Infallible;

    fn handle_receive(&mut self, now: Instant, receive: Receive<'_>) -> Result<(), Infallible> {
        self.received.push(Datagram {
            at: now,
            source: receive.source,
            destination: receive.destination,
            contents: receive.contents.to_vec(),
        });
        self.events.push_back(ProbeEvent::Received {
            source: receive.source,
            len: receive.contents.len(),
        });
        if self.echo {
            self.outbox.push_back((
                receive.destination,
                receive.source,
                receive.contents.to_vec(),
            ));
        }
        Ok(())
    }

    fn poll_transmit(&mut self, _now: Instant, buf: &mut Vec<u8>) -> Option<Transmit> {
        let (source, destination, contents) = self.outbox.pop_front()?;
        buf.clear();
        buf.extend_from_slice(&contents);
        Some(Transmit {
            proto: self.proto,
            source,
            destination,
            size: contents.len(),
        })
    }

    fn poll_event(&mut self) -> Option<ProbeEvent> {
        self.events.pop_front()
    }

    fn poll_timeout(&self) -> Option<Instant> {
        self.scheduled.keys().next().map(|&(at, _)| at)
    }

    fn handle_timeout(&mut self, now: Instant) {
        while let Some(entry) = self.scheduled.first_entry() {
            if entry.key().0 > now {
                break;
            }
            self.outbox.push_back(entry.remove());
        }
    }
}
