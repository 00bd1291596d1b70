//! What the browser examples share: a tiny HTTP front (`GET /` serves the page, `GET /ws`
//! upgrades to the signaling WebSocket) on a `std` listener, and one `PeerConnection` on a UDP
//! socket bound to 127.0.0.1, driven the way `custom_event_loop.rs` drives one: block on the
//! socket until the next timer, feed datagrams, fire timers, send what `poll_transmit` gives.

#![allow(
    dead_code,
    reason = "each example that includes this module uses a part of it"
)]

use std::io::{BufRead, BufReader, ErrorKind, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream, UdpSocket};
use std::time::{Duration, Instant};

use sansrtc::{Config, PeerConnection};
use sansrtc_proto::{Protocol, Receive, SansIo};
use tungstenite::WebSocket;
use tungstenite::protocol::Role;

/// An error of an example.
pub(crate) type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// A request the examples answer.
pub(crate) enum Request {
    /// `GET /` (any query): the page.
    Page,
    /// `GET /ws` with a WebSocket key: the signaling channel.
    WebSocket {
        /// `Sec-WebSocket-Key`.
        key: String,
    },
}

/// Reads one request's head. The browser sends nothing more before our answer, so the
/// buffered reader consumes nothing of what follows.
pub(crate) fn read_request(stream: &TcpStream) -> Option<Request> {
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next()?, parts.next()?);
    let path = target.split('?').next().unwrap_or(target);
    let mut key = None;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).ok()? == 0 {
            return None;
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("sec-websocket-key")
        {
            key = Some(value.trim().to_owned());
        }
    }
    stream.set_read_timeout(None).ok()?;
    match (method, path, key) {
        ("GET", "/", _) => Some(Request::Page),
        ("GET", "/ws", Some(key)) => Some(Request::WebSocket { key }),
        _ => None,
    }
}

/// Serves `page`, and runs `session` on each signaling WebSocket, one page at a time. With
/// `once`, the first session that returns `Ok(true)` ends it (`done` is printed), and an error
/// ends it too; otherwise errors are printed and the next page is served.
pub(crate) fn serve(
    listener: &std::net::TcpListener,
    name: &str,
    page: &str,
    once: bool,
    done: &str,
    mut session: impl FnMut(WebSocket<TcpStream>) -> Result<bool>,
) -> Result<()> {
    for stream in listener.incoming() {
        let mut stream = stream?;
        match read_request(&stream) {
            Some(Request::Page) => serve_page(&mut stream, page)?,
            Some(Request::WebSocket { key }) => {
                match accept_websocket(stream, &key).and_then(&mut session) {
                    Ok(true) if once => {
                        println!("{name}: {done}, exiting");
                        return Ok(());
                    }
                    Ok(_) => println!("{name}: the page left"),
                    Err(e) if once => return Err(e),
                    Err(e) => eprintln!("{name}: {e}"),
                }
            }
            None => not_found(&mut stream),
        }
    }
    Ok(())
}

/// Answers `GET /` with `page`.
pub(crate) fn serve_page(stream: &mut TcpStream, page: &str) -> Result<()> {
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        page.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(page.as_bytes())?;
    Ok(())
}

/// Answers anything else with 404.
pub(crate) fn not_found(stream: &mut TcpStream) {
    let _ = stream
        .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
}

/// Completes the WebSocket handshake; the socket is non-blocking afterwards.
pub(crate) fn accept_websocket(mut stream: TcpStream, key: &str) -> Result<WebSocket<TcpStream>> {
    let accept = tungstenite::handshake::derive_accept_key(key.as_bytes());
    let head = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"
    );
    stream.write_all(head.as_bytes())?;
    stream.set_nonblocking(true)?;
    Ok(WebSocket::from_raw_socket(stream, Role::Server, None))
}

/// The connection address of a candidate line (`candidate:<foundation> <component>
/// <transport> <priority> <address> <port> typ ...`), when it is an IP address.
pub(crate) fn candidate_ip(line: &str) -> Option<IpAddr> {
    line.trim_start_matches("candidate:")
        .split_whitespace()
        .nth(4)?
        .parse()
        .ok()
}

/// Whether a trickled candidate can reach our socket on 127.0.0.1 (the empty one, the end of
/// candidates, always passes).
pub(crate) fn usable_candidate(line: &str) -> bool {
    line.is_empty() || candidate_ip(line) == Some(IpAddr::V4(Ipv4Addr::LOCALHOST))
}

/// One `PeerConnection` on a UDP socket bound to 127.0.0.1.
pub(crate) struct Peer {
    pub(crate) pc: PeerConnection,
    socket: UdpSocket,
    local: SocketAddr,
    input: Vec<u8>,
    out: Vec<u8>,
}

impl Peer {
    /// A peer with `config` on a fresh socket.
    pub(crate) fn new(config: Config) -> Result<Self> {
        let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))?;
        let local = socket.local_addr()?;
        let now = Instant::now();
        let mut pc = PeerConnection::new(config, now)?;
        pc.add_local_addresses(now, &[local]);
        Ok(Self {
            pc,
            socket,
            local,
            input: vec![0; 65536],
            out: Vec::with_capacity(2048),
        })
    }

    /// Our socket's address.
    pub(crate) fn local(&self) -> SocketAddr {
        self.local
    }

    /// Waits for a datagram until the next timer (at most `max_wait`), feeds it and any that
    /// came with it, fires due timers, and sends what is ready.
    pub(crate) fn step(&mut self, max_wait: Duration) -> Result<()> {
        let now = Instant::now();
        let wait = self
            .pc
            .poll_timeout()
            .map_or(max_wait, |t| t.saturating_duration_since(now))
            .clamp(Duration::from_micros(100), max_wait);
        self.socket.set_read_timeout(Some(wait))?;
        for n in 0..64 {
            match self.socket.recv_from(&mut self.input) {
                Ok((len, source)) => {
                    let receive = Receive {
                        proto: Protocol::Udp,
                        source,
                        destination: self.local,
                        contents: &self.input[..len],
                    };
                    // A rejected datagram (not for us) changes nothing.
                    let _ = self.pc.handle_receive(Instant::now(), receive);
                }
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    break;
                }
                Err(e) => return Err(e.into()),
            }
            if n == 0 {
                self.socket.set_nonblocking(true)?;
            }
        }
        self.socket.set_nonblocking(false)?;
        let now = Instant::now();
        if self.pc.poll_timeout().is_some_and(|t| t <= now) {
            self.pc.handle_timeout(now);
        }
        self.transmit()
    }

    /// Sends every datagram that is ready.
    pub(crate) fn transmit(&mut self) -> Result<()> {
        while let Some(t) = self.pc.poll_transmit(Instant::now(), &mut self.out) {
            self.socket.send_to(&self.out[..t.size], t.destination)?;
        }
        Ok(())
    }
}

/// Reads every message the page has sent, handing each to `each`; `Ok(false)` once the page
/// closed the WebSocket.
pub(crate) fn read_messages(
    ws: &mut WebSocket<TcpStream>,
    mut each: impl FnMut(tungstenite::Message) -> Result<()>,
) -> Result<bool> {
    loop {
        match ws.read() {
            Ok(tungstenite::Message::Close(_)) => return Ok(false),
            Ok(message) => each(message)?,
            Err(tungstenite::Error::Io(e)) if e.kind() == ErrorKind::WouldBlock => return Ok(true),
            Err(tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed) => {
                return Ok(false);
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// Queues a JSON message to the page (sent by [`flush`]).
pub(crate) fn tell(ws: &mut WebSocket<TcpStream>, message: &serde_json::Value) -> Result<()> {
    match ws.write(tungstenite::Message::text(message.to_string())) {
        Err(tungstenite::Error::Io(e)) if e.kind() == ErrorKind::WouldBlock => Ok(()),
        other => Ok(other?),
    }
}

/// Sends what [`tell`] queued, as far as the socket takes it now.
pub(crate) fn flush(ws: &mut WebSocket<TcpStream>) -> Result<()> {
    match ws.flush() {
        Err(tungstenite::Error::Io(e)) if e.kind() == ErrorKind::WouldBlock => Ok(()),
        other => Ok(other?),
    }
}
