//! Running usrsctp's example programs (Debian `libusrsctp-examples`, in `/usr/lib/usrsctp`) on
//! 127.0.0.1 for SCTP interop tests, and driving a Sans-IO SCTP association against them over
//! a real UDP socket.
//!
//! The examples carry each SCTP packet as the whole payload of one UDP datagram, as WebRTC does
//! inside DTLS (RFC 8261) minus the DTLS. What each one does (usrsctp 0.9.5.0):
//!
//! - `ekr_server LOCAL_IP LOCAL_UDP REMOTE_IP REMOTE_UDP`: listens on SCTP port 5001 and
//!   accepts associations forever. It prints each message it receives
//!   (`Msg of length N received via ...:PORT on stream S with SSN n and TSN t, PPID p, ...`)
//!   and never sends user data. When an association ends it closes that socket and keeps
//!   listening.
//! - `ekr_client LOCAL_IP LOCAL_UDP REMOTE_IP REMOTE_UDP`: connects from an *ephemeral* SCTP
//!   port to SCTP port 5001, sends one 80-byte message of `A`s on stream 1 with PPID 39, shuts
//!   the association down gracefully and exits.
//! - `ekr_peer LOCAL_IP LOCAL_UDP REMOTE_IP REMOTE_UDP LOCAL_SCTP REMOTE_SCTP`: connects (non
//!   blocking) from `LOCAL_SCTP` to `REMOTE_SCTP`, sends every line read from stdin (newline
//!   included) on stream 1 with PPID 39, and on end of stdin shuts down gracefully and exits.
//!   It prints received messages like `ekr_server`, and association notifications
//!   (`Association change SCTP_COMM_UP, streams (in/out) = (10/2048), supports PR ...`).
//!
//! `ekr_server` and `ekr_client` also dump every packet they send (`O`) and receive (`I`) on
//! stderr, in `text2pcap` form. stdout is a pipe, so the programs are started under
//! `stdbuf -oL` to make their `printf`s visible at once rather than at exit.
//!
//! The processes are killed with their group when the [`UsrsctpProcess`] drops, panics
//! included.
#![expect(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "interop tests run usrsctp on loopback over a real UDP socket, read its pipes from threads and wait with the real clock"
)]

use crate::driver::Captured;
use crate::piped::PipedProcess;
use sansrtc_proto::{Protocol, Receive, SansIo};
use std::io::ErrorKind;
use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Where Debian installs the example programs.
pub const EXAMPLES_DIR: &str = "/usr/lib/usrsctp";

/// The SCTP port `ekr_server` listens on and `ekr_client` connects to.
pub const EKR_SCTP_PORT: u16 = 5001;

/// The PPID the examples send with (`DISCARD_PPID`).
pub const EKR_PPID: u32 = 39;

/// The path of example `name` (`ekr_server`, ...) under [`EXAMPLES_DIR`], or `None` (after
/// printing why) when the test should skip; see [`crate::require_peer`].
///
/// # Panics
///
/// When the program (or `stdbuf`, which runs it) is missing and [`crate::running_in_ci`] is
/// true.
pub fn require_example(name: &str) -> Option<PathBuf> {
    crate::require_peer("stdbuf")?;
    crate::require_peer(&format!("{EXAMPLES_DIR}/{name}"))
}

/// A running usrsctp example with piped stdin (`ekr_peer` sends each line as one message and
/// shuts down when it closes), and stdout/stderr (the packet dump of `ekr_server` /
/// `ekr_client`) collected in the background.
#[derive(Debug)]
pub struct UsrsctpProcess(PipedProcess);

impl UsrsctpProcess {
    /// Starts `stdbuf -oL <program> <args>` in its own process group.
    ///
    /// # Errors
    ///
    /// When the process cannot be started.
    pub fn spawn<S: AsRef<std::ffi::OsStr>>(program: &Path, args: &[S]) -> std::io::Result<Self> {
        let mut command = Command::new("stdbuf");
        command.arg("-oL").arg(program).args(args);
        PipedProcess::spawn("usrsctp", command).map(Self)
    }
}

impl std::ops::Deref for UsrsctpProcess {
    type Target = PipedProcess;
    fn deref(&self) -> &PipedProcess {
        &self.0
    }
}

impl std::ops::DerefMut for UsrsctpProcess {
    fn deref_mut(&mut self) -> &mut PipedProcess {
        &mut self.0
    }
}

/// A message an example reported receiving (`Msg of length N received via ADDR:PORT on stream
/// S with SSN n and TSN t, PPID p, context c.`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ReceivedMessage {
    /// The message length.
    pub length: usize,
    /// The peer's SCTP port.
    pub port: u16,
    /// The stream.
    pub stream: u16,
    /// The stream sequence number (meaningless for unordered messages).
    pub ssn: u16,
    /// The TSN of the message's first chunk.
    pub tsn: u32,
    /// The payload protocol identifier.
    pub ppid: u32,
}

/// Every `Msg of length ...` line in `stdout`, in order.
pub fn parse_received(stdout: &str) -> Vec<ReceivedMessage> {
    stdout.lines().filter_map(parse_received_line).collect()
}

fn parse_received_line(line: &str) -> Option<ReceivedMessage> {
    let rest = line.trim().strip_prefix("Msg of length ")?;
    let (length, rest) = rest.split_once(" received via ")?;
    let (via, rest) = rest.split_once(" on stream ")?;
    let (_, port) = via.rsplit_once(':')?;
    let (stream, rest) = rest.split_once(" with SSN ")?;
    let (ssn, rest) = rest.split_once(" and TSN ")?;
    let (tsn, rest) = rest.split_once(", PPID ")?;
    let (ppid, _) = rest.split_once(',')?;
    Some(ReceivedMessage {
        length: length.parse().ok()?,
        port: port.parse().ok()?,
        stream: stream.parse().ok()?,
        ssn: ssn.parse().ok()?,
        tsn: tsn.parse().ok()?,
        ppid: ppid.parse().ok()?,
    })
}

/// The receive queue (bytes, as the kernel counts them) of the socket bound to UDP
/// `127.0.0.1:port`, read from `/proc/net/udp`; `None` when no socket is bound there.
pub fn udp_receive_queue(port: u16) -> Option<u64> {
    let wanted = format!("0100007F:{port:04X}");
    let table = std::fs::read_to_string("/proc/net/udp").ok()?;
    table.lines().skip(1).find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.get(1) != Some(&wanted.as_str()) {
            return None;
        }
        let (_, rx) = fields.get(4)?.split_once(':')?;
        u64::from_str_radix(rx, 16).ok()
    })
}

/// Whether some socket is bound to UDP `127.0.0.1:port`, so a test can wait for a peer to be
/// listening instead of losing its first packet.
pub fn udp_port_bound(port: u16) -> bool {
    udp_receive_queue(port).is_some()
}

/// Waits until a datagram is waiting, unread, in the socket bound to UDP `127.0.0.1:port`
/// (a peer's first packet), or `deadline` passes; returns whether one is.
pub fn wait_udp_queued(port: u16, deadline: Instant) -> bool {
    loop {
        if udp_receive_queue(port).is_some_and(|n| n > 0) {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Waits until [`udp_port_bound`] holds or `deadline` passes; returns whether it holds.
pub fn wait_udp_bound(port: u16, deadline: Instant) -> bool {
    loop {
        if udp_port_bound(port) {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// A Sans-IO machine whose every datagram goes to one fixed remote address over a UDP socket,
/// stepped by the wall clock.
///
/// [`crate::driver::Driver`] sends each transmit to its `destination`; an SCTP association
/// does not know the UDP address (it rides DTLS in WebRTC) and writes a placeholder there, so
/// this link sends everything to `remote` instead.
#[derive(Debug)]
pub struct UdpLink<M: SansIo> {
    /// The machine; call its commands directly, then [`UdpLink::run_until`].
    pub machine: M,
    socket: UdpSocket,
    local: SocketAddr,
    remote: SocketAddr,
    out: Vec<u8>,
    input: Vec<u8>,
    /// Everything sent and received, in order.
    pub captured: Vec<Captured>,
    /// Every event the machine has reported, in order.
    pub events: Vec<M::Event>,
    /// Datagrams the machine rejected, with the error rendered.
    pub rejected: Vec<String>,
}

impl<M: SansIo> UdpLink<M>
where
    M::Error: std::fmt::Debug,
{
    /// Wraps a machine, its socket, and the peer's address.
    ///
    /// # Errors
    ///
    /// When the socket's local address cannot be read.
    pub fn new(machine: M, socket: UdpSocket, remote: SocketAddr) -> std::io::Result<Self> {
        Ok(Self {
            machine,
            local: socket.local_addr()?,
            socket,
            remote,
            out: Vec::with_capacity(2048),
            input: vec![0; 65536],
            captured: Vec::new(),
            events: Vec::new(),
            rejected: Vec::new(),
        })
    }

    /// The socket's local address.
    pub const fn local(&self) -> SocketAddr {
        self.local
    }

    /// The peer's address.
    pub const fn remote(&self) -> SocketAddr {
        self.remote
    }

    /// Sends every pending transmit, then collects every pending event.
    fn flush(&mut self) -> std::io::Result<()> {
        while let Some(t) = self.machine.poll_transmit(Instant::now(), &mut self.out) {
            let bytes = &self.out[..t.size];
            self.socket.send_to(bytes, self.remote)?;
            self.captured.push(Captured {
                outbound: true,
                remote: self.remote,
                bytes: bytes.to_vec(),
            });
        }
        while let Some(event) = self.machine.poll_event() {
            self.events.push(event);
        }
        Ok(())
    }

    /// Runs the event loop until `done` holds or `deadline` passes; returns whether `done`
    /// held. Datagrams from anyone but the remote are ignored; timers fire when due, even
    /// while datagrams keep arriving.
    ///
    /// # Errors
    ///
    /// A socket error.
    pub fn run_until(
        &mut self,
        deadline: Instant,
        mut done: impl FnMut(&Self) -> bool,
    ) -> Result<bool, String> {
        loop {
            self.flush().map_err(|e| format!("send: {e}"))?;
            if done(self) {
                return Ok(true);
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(false);
            }
            let until_timer = self
                .machine
                .poll_timeout()
                .map_or(Duration::from_millis(20), |t| {
                    t.saturating_duration_since(now)
                });
            let wait = until_timer
                .min(deadline - now)
                .clamp(Duration::from_millis(1), Duration::from_millis(20));
            self.socket
                .set_read_timeout(Some(wait))
                .map_err(|e| e.to_string())?;
            match self.socket.recv_from(&mut self.input) {
                Ok((n, source)) if source == self.remote => {
                    self.captured.push(Captured {
                        outbound: false,
                        remote: source,
                        bytes: self.input[..n].to_vec(),
                    });
                    let rx = Receive {
                        proto: Protocol::Udp,
                        source,
                        destination: self.local,
                        contents: &self.input[..n],
                    };
                    if let Err(e) = self.machine.handle_receive(Instant::now(), rx) {
                        self.rejected.push(format!("{e:?}"));
                    }
                }
                Ok(_) => {}
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                // An ICMP port unreachable from an earlier datagram (the peer not bound yet,
                // or gone): not fatal, the machine retransmits.
                Err(e) if e.kind() == ErrorKind::ConnectionRefused => {}
                Err(e) => return Err(format!("receive: {e}")),
            }
            let now = Instant::now();
            if self.machine.poll_timeout().is_some_and(|t| t <= now) {
                self.machine.handle_timeout(now);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_received_message_lines() {
        let out = "Association change SCTP_COMM_UP, streams (in/out) = (10/2048).\n\
            Msg of length 80 received via 0x7ffe3f298e08:61172 on stream 1 with SSN 0 and TSN 2191299183, PPID 39, context 0.\n\
            Notification of length 20 received.\n\
            Msg of length 5000 received via 0x55d0:5001 on stream 3 with SSN 7 and TSN 4294967295, PPID 53, context 0.\n";
        assert_eq!(
            parse_received(out),
            [
                ReceivedMessage {
                    length: 80,
                    port: 61172,
                    stream: 1,
                    ssn: 0,
                    tsn: 2_191_299_183,
                    ppid: 39,
                },
                ReceivedMessage {
                    length: 5000,
                    port: 5001,
                    stream: 3,
                    ssn: 7,
                    tsn: u32::MAX,
                    ppid: 53,
                },
            ]
        );
        assert_eq!(parse_received("Msg of length x received"), []);
    }

    #[test]
    fn sees_a_bound_udp_port() {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        let port = socket.local_addr().unwrap().port();
        assert!(udp_port_bound(port));
        assert_eq!(udp_receive_queue(port), Some(0));
        let sender = UdpSocket::bind("127.0.0.1:0").unwrap();
        sender.send_to(b"x", ("127.0.0.1", port)).unwrap();
        assert!(wait_udp_queued(
            port,
            Instant::now() + Duration::from_secs(5)
        ));
        drop(socket);
        assert!(!udp_port_bound(port));
    }
}
