//! Driving a Sans-IO machine over a real socket (UDP or TCP) with the wall clock, as an
//! application would, for interop tests.
#![expect(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "interop tests drive machines over real loopback sockets with the real clock"
)]

use sansrtc_proto::{Protocol, Receive, SansIo};
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::time::{Duration, Instant};

/// The socket a machine talks through.
#[derive(Debug)]
pub enum Io {
    /// A UDP socket; each transmit goes to its destination.
    Udp(UdpSocket),
    /// A connected TCP stream; transmits are written in order.
    Tcp(TcpStream),
}

/// A datagram or stream chunk that crossed the socket, for assertions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Captured {
    /// `true` when we sent it.
    pub outbound: bool,
    /// The remote address.
    pub remote: SocketAddr,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// A machine plus its socket, stepped by the wall clock.
#[derive(Debug)]
pub struct Driver<M: SansIo> {
    /// The machine; call its commands directly, then [`Driver::run_until`].
    pub machine: M,
    io: Io,
    local: SocketAddr,
    out: Vec<u8>,
    input: Vec<u8>,
    /// Everything sent and received, in order.
    pub captured: Vec<Captured>,
    /// Datagrams the machine rejected, with the error rendered.
    pub rejected: Vec<String>,
}

impl<M: SansIo> Driver<M>
where
    M::Event: std::fmt::Debug,
    M::Error: std::fmt::Debug,
{
    /// Wraps a machine and its socket.
    ///
    /// # Errors
    ///
    /// When the socket's local address cannot be read.
    pub fn new(machine: M, io: Io) -> std::io::Result<Self> {
        let local = match &io {
            Io::Udp(s) => s.local_addr()?,
            Io::Tcp(s) => s.local_addr()?,
        };
        Ok(Self {
            machine,
            io,
            local,
            out: Vec::with_capacity(2048),
            input: vec![0; 65536],
            captured: Vec::new(),
            rejected: Vec::new(),
        })
    }

    /// The socket's local address.
    pub const fn local(&self) -> SocketAddr {
        self.local
    }

    fn flush(&mut self) -> std::io::Result<()> {
        while let Some(t) = self.machine.poll_transmit(Instant::now(), &mut self.out) {
            let bytes = &self.out[..t.size];
            match &mut self.io {
                Io::Udp(s) => {
                    s.send_to(bytes, t.destination)?;
                }
                Io::Tcp(s) => s.write_all(bytes)?,
            }
            self.captured.push(Captured {
                outbound: true,
                remote: t.destination,
                bytes: bytes.to_vec(),
            });
        }
        Ok(())
    }

    /// Runs the event loop until `done` returns true for the events seen so far (in this
    /// call), or `timeout` passes. Returns those events.
    ///
    /// # Errors
    ///
    /// A description of the timeout (with the events seen) or of a socket error.
    pub fn run_until(
        &mut self,
        timeout: Duration,
        mut done: impl FnMut(&[M::Event]) -> bool,
    ) -> Result<Vec<M::Event>, String> {
        let start = Instant::now();
        let mut events = Vec::new();
        loop {
            self.flush().map_err(|e| format!("send: {e}"))?;
            while let Some(event) = self.machine.poll_event() {
                events.push(event);
            }
            if done(&events) {
                return Ok(events);
            }
            let now = Instant::now();
            if now - start > timeout {
                return Err(format!(
                    "timed out after {timeout:?}; events: {events:?}; rejected: {:?}",
                    self.rejected
                ));
            }
            let until_timer = self
                .machine
                .poll_timeout()
                .map_or(Duration::from_millis(20), |t| {
                    t.saturating_duration_since(now)
                });
            let wait = until_timer.clamp(Duration::from_millis(1), Duration::from_millis(20));
            let (received, proto) = match &mut self.io {
                Io::Udp(s) => {
                    s.set_read_timeout(Some(wait)).map_err(|e| e.to_string())?;
                    (s.recv_from(&mut self.input), Protocol::Udp)
                }
                Io::Tcp(s) => {
                    s.set_read_timeout(Some(wait)).map_err(|e| e.to_string())?;
                    let peer = s.peer_addr().map_err(|e| e.to_string())?;
                    (s.read(&mut self.input).map(|n| (n, peer)), Protocol::Tcp)
                }
            };
            match received {
                Ok((0, _)) if proto == Protocol::Tcp => {
                    return Err(format!("connection closed; events: {events:?}"));
                }
                Ok((n, source)) => {
                    self.captured.push(Captured {
                        outbound: false,
                        remote: source,
                        bytes: self.input[..n].to_vec(),
                    });
                    let rx = Receive {
                        proto,
                        source,
                        destination: self.local,
                        contents: &self.input[..n],
                    };
                    if let Err(e) = self.machine.handle_receive(Instant::now(), rx) {
                        self.rejected.push(format!("{e:?}"));
                    }
                }
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    self.machine.handle_timeout(Instant::now());
                }
                Err(e) => return Err(format!("receive: {e}")),
            }
        }
    }

    /// Runs the loop for `duration`, returning the events seen.
    ///
    /// # Errors
    ///
    /// A socket error.
    pub fn run_for(&mut self, duration: Duration) -> Result<Vec<M::Event>, String> {
        let end = Instant::now() + duration;
        self.run_until(duration + Duration::from_secs(1), |_| Instant::now() >= end)
    }
}
