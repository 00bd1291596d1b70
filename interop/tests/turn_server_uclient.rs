//! Our TURN server against coturn's own test client, `turnutils_uclient`, on 127.0.0.1: the
//! client allocates (through the 401 challenge), creates permissions, binds channels (or uses
//! Send/Data indications with `-s`) and relays data between two of its own allocations
//! (`-y`), over UDP, TCP and TLS (rustls terminates TLS in the test's socket loop and feeds the
//! plaintext); it must lose nothing. A wrong password gets 401 and no allocation.
//!
//! The test owns every socket: the listening UDP socket, the TCP and TLS listeners, their
//! connections, and one UDP relay socket per allocation, bound on the server's request
//! (`RelayMode::Ask`) and closed when the allocation ends.
#![expect(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "interop tests use real loopback sockets, a thread and the real clock"
)]

use sansrtc_interop::require_peer;
use sansrtc_interop::uclient::{UclientRun, run_uclient};
use sansrtc_proto::{Protocol, Receive, SansIo};
use sansrtc_stun::turn_server::{TurnServer, TurnServerConfig, TurnServerEvent, TurnServerStats};
use std::collections::BTreeMap;
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const USER: &str = "ninefingers";
const PASSWORD: &str = "youhavetoberealistic";
const REALM: &str = "sansrtc.test";

/// A client's TCP connection, plaintext or TLS.
struct Conn {
    stream: TcpStream,
    tls: Option<rustls::ServerConnection>,
    /// The listening address it reached (the server side of its 5-tuple).
    server: SocketAddr,
}

impl Conn {
    /// Reads what arrived into `plain`: `Ok(true)` with plaintext, `Ok(false)` when nothing
    /// came, `Err` when the connection is gone.
    fn read(&mut self, inp: &mut [u8], plain: &mut Vec<u8>) -> Result<bool, ()> {
        plain.clear();
        let Some(tls) = &mut self.tls else {
            return match self.stream.read(inp) {
                Ok(0) => Err(()),
                Ok(n) => {
                    plain.extend_from_slice(&inp[..n]);
                    Ok(true)
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => Ok(false),
                Err(_) => Err(()),
            };
        };
        match tls.read_tls(&mut self.stream) {
            Ok(0) => return Err(()),
            Ok(_) => {}
            Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(false),
            Err(_) => return Err(()),
        }
        tls.process_new_packets().map_err(|_| ())?;
        loop {
            match tls.reader().read(inp) {
                Ok(0) => break,
                Ok(n) => plain.extend_from_slice(&inp[..n]),
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(_) => return Err(()),
            }
        }
        self.flush();
        Ok(!plain.is_empty())
    }

    /// Writes bytes the server sent on this connection.
    fn write(&mut self, bytes: &[u8]) {
        match &mut self.tls {
            Some(tls) => {
                let _ = tls.writer().write_all(bytes);
            }
            None => {
                let _ = self.stream.set_nonblocking(false);
                let _ = self.stream.write_all(bytes);
                let _ = self.stream.set_nonblocking(true);
            }
        }
        self.flush();
    }

    /// Sends what TLS has pending (handshake flights, records).
    fn flush(&mut self) {
        if let Some(tls) = &mut self.tls {
            let _ = self.stream.set_nonblocking(false);
            while tls.wants_write() {
                if tls.write_tls(&mut self.stream).is_err() {
                    break;
                }
            }
            let _ = self.stream.set_nonblocking(true);
        }
    }
}

/// A rustls server configuration with a fresh self-signed certificate for 127.0.0.1
/// (uclient does not verify it without `-E`).
fn tls_config() -> Arc<rustls::ServerConfig> {
    let cert = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    let key = rustls::pki_types::PrivatePkcs8KeyDer::from(cert.signing_key.serialize_der());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![cert.cert.der().clone()], key.into())
    .unwrap();
    Arc::new(config)
}

/// Our server on real loopback sockets, in a thread, until dropped.
struct Server {
    udp: SocketAddr,
    tcp: SocketAddr,
    tls: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<(TurnServerStats, Vec<TurnServerEvent>)>>,
}

impl Server {
    fn start() -> Self {
        let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
        udp.set_read_timeout(Some(Duration::from_millis(1)))
            .unwrap();
        let listen = || {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            listener.set_nonblocking(true).unwrap();
            listener
        };
        let (tcp, tls) = (listen(), listen());
        let (udp_addr, tcp_addr, tls_addr) = (
            udp.local_addr().unwrap(),
            tcp.local_addr().unwrap(),
            tls.local_addr().unwrap(),
        );
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || serve(&udp, [&tcp, &tls], &flag));
        Self {
            udp: udp_addr,
            tcp: tcp_addr,
            tls: tls_addr,
            stop,
            thread: Some(thread),
        }
    }

    /// Stops the loop and returns the server's counters and events.
    fn finish(mut self) -> (TurnServerStats, Vec<TurnServerEvent>) {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.take().unwrap().join().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The socket loop: `listeners[0]` takes plaintext TCP, `listeners[1]` TLS.
fn serve(
    udp: &UdpSocket,
    listeners: [&TcpListener; 2],
    stop: &AtomicBool,
) -> (TurnServerStats, Vec<TurnServerEvent>) {
    let mut config = TurnServerConfig::new(REALM).user(USER, PASSWORD);
    config.software = Some("sansrtc interop".into());
    // turnutils_uclient picks channel numbers from RFC 5766's 0x4000-0x7FFF.
    config.legacy_channel_numbers = true;
    let mut server = TurnServer::new(config, Instant::now());
    let tls = tls_config();
    let udp_addr = udp.local_addr().unwrap();
    let mut relays: BTreeMap<SocketAddr, UdpSocket> = BTreeMap::new();
    let mut streams: BTreeMap<SocketAddr, Conn> = BTreeMap::new();
    let mut events = Vec::new();
    let mut inp = vec![0u8; 65_536];
    let mut plain = Vec::new();
    let mut out = Vec::with_capacity(2048);
    while !stop.load(Ordering::Relaxed) {
        if let Ok((n, source)) = udp.recv_from(&mut inp) {
            let rx = Receive {
                proto: Protocol::Udp,
                source,
                destination: udp_addr,
                contents: &inp[..n],
            };
            let _ = server.handle_receive(Instant::now(), rx);
        }
        for (i, listener) in listeners.iter().enumerate() {
            while let Ok((stream, peer)) = listener.accept() {
                stream.set_nonblocking(true).unwrap();
                stream.set_nodelay(true).unwrap();
                let tls = (i == 1).then(|| rustls::ServerConnection::new(tls.clone()).unwrap());
                let server = listener.local_addr().unwrap();
                streams.insert(
                    peer,
                    Conn {
                        stream,
                        tls,
                        server,
                    },
                );
            }
        }
        let mut closed = Vec::new();
        for (peer, conn) in &mut streams {
            match conn.read(&mut inp, &mut plain) {
                Ok(true) => {
                    let rx = Receive {
                        proto: Protocol::Tcp,
                        source: *peer,
                        destination: conn.server,
                        contents: &plain,
                    };
                    let _ = server.handle_receive(Instant::now(), rx);
                }
                Ok(false) => {}
                Err(()) => closed.push((*peer, conn.server)),
            }
        }
        for (peer, listening) in closed {
            streams.remove(&peer);
            server.tcp_closed(Instant::now(), peer, listening);
        }
        for (relay, socket) in &relays {
            while let Ok((n, source)) = socket.recv_from(&mut inp) {
                let rx = Receive {
                    proto: Protocol::Udp,
                    source,
                    destination: *relay,
                    contents: &inp[..n],
                };
                let _ = server.handle_receive(Instant::now(), rx);
            }
        }
        loop {
            while let Some(t) = server.poll_transmit(Instant::now(), &mut out) {
                let bytes = &out[..t.size];
                if t.proto == Protocol::Tcp {
                    if let Some(conn) = streams.get_mut(&t.destination) {
                        conn.write(bytes);
                    }
                } else if t.source == udp_addr {
                    let _ = udp.send_to(bytes, t.destination);
                } else if let Some(relay) = relays.get(&t.source) {
                    let _ = relay.send_to(bytes, t.destination);
                }
            }
            let mut answered = false;
            while let Some(event) = server.poll_event() {
                match &event {
                    TurnServerEvent::RelayRequested(request) => {
                        answered = true;
                        let now = Instant::now();
                        match UdpSocket::bind("127.0.0.1:0") {
                            Ok(socket) => {
                                socket.set_nonblocking(true).unwrap();
                                let addr = socket.local_addr().unwrap();
                                relays.insert(addr, socket);
                                server
                                    .relay_allocated(now, request.allocation, addr)
                                    .unwrap();
                            }
                            Err(_) => server.relay_failed(now, request.allocation).unwrap(),
                        }
                    }
                    TurnServerEvent::AllocationDeleted {
                        relay: Some(relay), ..
                    } => {
                        relays.remove(relay);
                    }
                    TurnServerEvent::CloseConnection { client, .. } => {
                        streams.remove(client);
                    }
                    _ => {}
                }
                events.push(event);
            }
            if !answered {
                break;
            }
        }
        if server.poll_timeout().is_some_and(|t| t <= Instant::now()) {
            server.handle_timeout(Instant::now());
        }
    }
    (server.stats(), events)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Transport {
    Udp,
    Tcp,
    Tls,
}

fn uclient(
    server: &Server,
    extra: &[&str],
    transport: Transport,
    password: &str,
) -> Option<UclientRun> {
    let program = require_peer("turnutils_uclient")?;
    let port = match transport {
        Transport::Udp => server.udp.port(),
        Transport::Tcp => server.tcp.port(),
        Transport::Tls => server.tls.port(),
    }
    .to_string();
    let mut args = vec![
        "-u", USER, "-w", password, "-p", &port, "-n", "10", "-m", "1", "-l", "120", "-z", "5",
        "-y", "-c",
    ];
    match transport {
        Transport::Udp => {}
        Transport::Tcp => args.push("-t"),
        Transport::Tls => args.extend(["-t", "-S"]),
    }
    args.extend_from_slice(extra);
    args.push("127.0.0.1");
    let run = run_uclient(&program, &args, Duration::from_secs(30)).unwrap();
    println!("uclient {args:?}:\n{}", run.output);
    Some(run)
}

fn assert_clean(run: &UclientRun) {
    assert!(!run.timed_out, "uclient hung:\n{}", run.output);
    assert_eq!(run.exit_code, Some(0), "{}", run.output);
    assert_eq!(run.total("Total lost packets"), Some(0), "{}", run.output);
    let sent = run.total("tot_send_msgs").unwrap_or(0);
    let received = run.total("tot_recv_msgs").unwrap_or(0);
    assert!(
        sent >= 20,
        "two clients send 10 each: {sent}\n{}",
        run.output
    );
    assert_eq!(sent, received, "{}", run.output);
}

fn created(events: &[TurnServerEvent]) -> usize {
    events
        .iter()
        .filter(|e| matches!(e, TurnServerEvent::AllocationCreated { .. }))
        .count()
}

/// Runs uclient relaying between two of its allocations and checks both sides.
fn relays_cleanly(transport: Transport, extra: &[&str]) -> Option<Vec<TurnServerEvent>> {
    let server = Server::start();
    let run = uclient(&server, extra, transport, PASSWORD)?;
    assert_clean(&run);
    let (stats, events) = server.finish();
    assert!(created(&events) >= 2, "two allocations for -y: {stats:?}");
    assert!(stats.unauthenticated >= 1, "the 401 challenge: {stats:?}");
    assert!(
        stats.relayed_to_peers >= 20 && stats.relayed_to_clients >= 20,
        "{stats:?}"
    );
    Some(events)
}

#[test]
fn uclient_relays_through_channels_over_udp() {
    let Some(events) = relays_cleanly(Transport::Udp, &[]) else {
        return;
    };
    assert!(
        events
            .iter()
            .any(|e| matches!(e, TurnServerEvent::ChannelBound { .. })),
        "channels bound"
    );
}

#[test]
fn uclient_relays_through_send_and_data_indications_over_udp() {
    let Some(events) = relays_cleanly(Transport::Udp, &["-s"]) else {
        return;
    };
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, TurnServerEvent::ChannelBound { .. })),
        "no channels with -s"
    );
}

#[test]
fn uclient_relays_over_tcp() {
    relays_cleanly(Transport::Tcp, &[]);
}

#[test]
fn uclient_relays_over_tls() {
    relays_cleanly(Transport::Tls, &[]);
}

#[test]
fn uclient_with_a_wrong_password_gets_401_and_no_allocation() {
    let server = Server::start();
    let Some(run) = uclient(&server, &[], Transport::Udp, "wrong") else {
        return;
    };
    assert!(!run.timed_out, "{}", run.output);
    assert!(
        run.output.contains("Cannot complete Allocation"),
        "{}",
        run.output
    );
    let (stats, events) = server.finish();
    assert_eq!(created(&events), 0);
    assert!(
        stats.unauthenticated >= 2,
        "challenge and refusal: {stats:?}"
    );
    assert_eq!(stats.allocations, 0);
    assert_eq!(
        stats.unauthenticated, stats.requests,
        "every answer was a 401: {stats:?}"
    );
}
