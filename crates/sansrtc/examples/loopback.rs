//! Two PeerConnections on real UDP sockets on 127.0.0.1, in one thread: they connect by offer
//! and answer (ICE, DTLS, SCTP), open a data channel, and move 64 MiB through it. Prints the
//! time to connect and the throughput.
//!
//! ```sh
//! cargo run --release -p sansrtc --example loopback
//! ```
//!
//! `LOOPBACK_MIB=256` moves more. Nothing leaves 127.0.0.1.
#![expect(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "an example application owns the sockets and reads the real clock"
)]

use std::io::ErrorKind;
use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use sansrtc::{
    ChannelConfig, ChannelId, Config, ConnectionState, Event, MessageKind, PeerConnection, SdpType,
};
use sansrtc_proto::{Protocol, Receive, SansIo};

/// One peer: its connection, its socket, and what it has seen.
struct Peer {
    pc: PeerConnection,
    socket: UdpSocket,
    local: SocketAddr,
    out: Vec<u8>,
    input: Vec<u8>,
    events: Vec<Event>,
}

impl Peer {
    fn new(now: Instant) -> Result<Self, Box<dyn std::error::Error>> {
        let socket = UdpSocket::bind("127.0.0.1:0")?;
        socket.set_nonblocking(true)?;
        let local = socket.local_addr()?;
        let mut pc = PeerConnection::new(Config::default(), now)?;
        pc.add_local_addresses(now, &[local]);
        Ok(Self {
            pc,
            socket,
            local,
            out: Vec::with_capacity(2048),
            input: vec![0; 65536],
            events: Vec::new(),
        })
    }

    /// Reads what arrived, sends up to `budget` datagrams, fires timers, collects events.
    /// Returns whether anything moved.
    fn turn(&mut self, now: Instant, budget: usize) -> std::io::Result<bool> {
        let mut moved = false;
        loop {
            match self.socket.recv_from(&mut self.input) {
                Ok((n, source)) => {
                    moved = true;
                    let receive = Receive {
                        proto: Protocol::Udp,
                        source,
                        destination: self.local,
                        contents: &self.input[..n],
                    };
                    let _ = self.pc.handle_receive(now, receive);
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) => return Err(e),
            }
        }
        if self.pc.poll_timeout().is_some_and(|t| t <= now) {
            self.pc.handle_timeout(now);
        }
        for _ in 0..budget {
            let Some(t) = self.pc.poll_transmit(now, &mut self.out) else {
                break;
            };
            moved = true;
            match self.socket.send_to(&self.out[..t.size], t.destination) {
                Ok(_) => {}
                // A full send buffer drops the datagram; SCTP sends it again.
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                Err(e) => return Err(e),
            }
        }
        self.events
            .extend(std::iter::from_fn(|| self.pc.poll_event()));
        Ok(moved)
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mib: usize = std::env::var("LOOPBACK_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);
    let total = mib << 20;
    let start = Instant::now();
    let mut a = Peer::new(start)?;
    let mut b = Peer::new(start)?;

    // Signaling, in memory: a offers, b answers; candidates are in the descriptions.
    let channel = a.pc.create_data_channel(
        start,
        ChannelConfig {
            label: "bulk".to_owned(),
            ..ChannelConfig::default()
        },
    );
    let offer = a.pc.create_offer()?;
    a.pc.set_local_description(start, SdpType::Offer, &offer)?;
    b.pc.set_remote_description(start, SdpType::Offer, &offer)?;
    let answer = b.pc.create_answer()?;
    b.pc.set_local_description(start, SdpType::Answer, &answer)?;
    a.pc.set_remote_description(start, SdpType::Answer, &answer)?;

    // Until the channel is open on both sides.
    let mut incoming: Option<ChannelId> = None;
    while !(a.events.contains(&Event::ChannelOpen(channel)) && incoming.is_some()) {
        let now = Instant::now();
        let moved = a.turn(now, 64)? | b.turn(now, 64)?;
        incoming = b.events.iter().find_map(|e| match e {
            Event::DataChannel(id) => Some(*id),
            _ => None,
        });
        if [&a, &b]
            .iter()
            .any(|p| p.pc.connection_state() == ConnectionState::Failed)
        {
            return Err("the connection failed".into());
        }
        if !moved {
            std::thread::sleep(Duration::from_micros(200));
        }
        if now - start > Duration::from_secs(10) {
            return Err("no data channel after 10 s".into());
        }
    }
    let connected = start.elapsed();
    let negotiated = a.pc.negotiated();
    b.events.clear();

    // Bulk: 64 KiB messages, at most 4 MiB queued at a time.
    let message = vec![0x5a; 64 * 1024];
    let (mut sent, mut received) = (0usize, 0usize);
    let bulk_start = Instant::now();
    while received < total {
        let now = Instant::now();
        while sent < total && a.pc.buffered_amount(channel) < 4 << 20 {
            a.pc.send(now, channel, MessageKind::Binary, message.clone())?;
            sent += message.len();
        }
        let moved = a.turn(now, 64)? | b.turn(now, 64)?;
        for event in b.events.drain(..) {
            if let Event::ChannelMessage { data, .. } = event {
                received += data.len();
                b.pc.recycle(data);
            }
        }
        if !moved {
            std::thread::sleep(Duration::from_micros(100));
        }
        if bulk_start.elapsed() > Duration::from_secs(120) {
            return Err(format!("only {received} of {total} bytes after 120 s").into());
        }
    }
    let took = bulk_start.elapsed();
    let mbit = (total as f64 * 8.0) / took.as_secs_f64() / 1e6;
    println!("sansrtc loopback: two PeerConnections on 127.0.0.1, one thread");
    if let Some(n) = negotiated {
        println!(
            "  negotiated: {:?}, SRTP {:?}, offerer DTLS {:?}",
            n.cipher_suite, n.srtp_profile, n.dtls_role
        );
    }
    println!(
        "  connected (offer to open data channel): {:.1} ms",
        connected.as_secs_f64() * 1e3
    );
    println!(
        "  moved {mib} MiB in {:.2} s: {mbit:.0} Mbit/s ({:.2} Gbit/s)",
        took.as_secs_f64(),
        mbit / 1000.0
    );
    Ok(())
}
