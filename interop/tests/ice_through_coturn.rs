//! Two ICE agents on real UDP sockets on 127.0.0.1 whose only candidates are relayed through
//! coturn (`relay_only`, as `iceTransportPolicy: "relay"`): they gather relayed candidates,
//! check and nominate a relay-to-relay pair, and exchange data both ways. Once with both TURN
//! clients over UDP, once with one over TLS (a TCP connection the test opens, as an
//! application would) and the other over UDP.
#![expect(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "interop tests use real loopback sockets and the real clock"
)]

mod common;

use common::{tls_material, tls_transport};
use sansrtc_ice::{Agent, CandidateKind, Config, Event, Incoming, LocalAddress, Role, TurnServer};
use sansrtc_interop::coturn::{Coturn, CoturnOptions, PASSWORD, USER};
use sansrtc_proto::{Protocol, Receive, SansIo};
use sansrtc_stun::turn::TurnTransport;
use std::io::{ErrorKind, Read, Write};
use std::net::{TcpStream, UdpSocket};
use std::time::{Duration, Instant};

/// One agent with its sockets.
struct Peer {
    agent: Agent,
    udp: UdpSocket,
    /// The TCP connection to the TURN server, for TURN over TLS.
    tcp: Option<TcpStream>,
    events: Vec<Event>,
    received: Vec<Vec<u8>>,
}

impl Peer {
    fn new(role: Role, turn: TurnServer, tcp: Option<TcpStream>) -> Self {
        let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
        udp.set_nonblocking(true).unwrap();
        if let Some(tcp) = &tcp {
            tcp.set_nonblocking(true).unwrap();
            tcp.set_nodelay(true).unwrap();
        }
        let mut config = Config::new(role);
        config.relay_only = true;
        config.turn_servers = vec![turn];
        let now = Instant::now();
        let mut agent = Agent::new(config, now);
        agent.add_local_addresses(
            now,
            &[LocalAddress {
                address: udp.local_addr().unwrap(),
                interface_rank: 0,
            }],
        );
        Self {
            agent,
            udp,
            tcp,
            events: Vec::new(),
            received: Vec::new(),
        }
    }

    /// Sends what the agent has, reads what arrived, fires due timers.
    fn step(&mut self, buf: &mut Vec<u8>, input: &mut [u8]) {
        let now = Instant::now();
        while let Some(t) = self.agent.poll_transmit(now, buf) {
            match (t.proto, &mut self.tcp) {
                (Protocol::Tcp, Some(tcp)) => tcp.write_all(&buf[..t.size]).unwrap(),
                _ => {
                    let _ = self.udp.send_to(&buf[..t.size], t.destination);
                }
            }
        }
        let local = self.udp.local_addr().unwrap();
        loop {
            match self.udp.recv_from(input) {
                Ok((n, source)) => {
                    let rx = Receive {
                        proto: Protocol::Udp,
                        source,
                        destination: local,
                        contents: &input[..n],
                    };
                    if let Ok(Incoming::Data(data)) = self.agent.handle_datagram(Instant::now(), rx)
                    {
                        self.received.push(data.to_vec());
                    }
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) => panic!("udp: {e}"),
            }
        }
        if let Some(tcp) = &mut self.tcp {
            let (tcp_local, server) = (tcp.local_addr().unwrap(), tcp.peer_addr().unwrap());
            loop {
                match tcp.read(input) {
                    Ok(0) => panic!("the TURN server closed the TCP connection"),
                    Ok(n) => {
                        let rx = Receive {
                            proto: Protocol::Tcp,
                            source: server,
                            destination: tcp_local,
                            contents: &input[..n],
                        };
                        let _ = self.agent.handle_datagram(Instant::now(), rx);
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(e) => panic!("tcp: {e}"),
                }
            }
        }
        let now = Instant::now();
        if self.agent.poll_timeout().is_some_and(|t| t <= now) {
            self.agent.handle_timeout(now);
        }
        for event in std::iter::from_fn(|| self.agent.poll_event()) {
            // Relayed data that came over a TURN stream (TCP/TLS) is an event, copied.
            if let Event::Data(data) = &event {
                self.received.push(data.clone());
            }
            self.events.push(event);
        }
    }
}

/// Steps both peers until `done` or `timeout`, waiting on A's socket between rounds.
fn run(a: &mut Peer, b: &mut Peer, timeout: Duration, done: impl Fn(&Peer, &Peer) -> bool) {
    let (mut buf, mut input) = (Vec::new(), vec![0u8; 65536]);
    let end = Instant::now() + timeout;
    while !done(a, b) {
        assert!(
            Instant::now() < end,
            "timed out: a {:?} {:?}, b {:?} {:?}",
            a.agent,
            a.events,
            b.agent,
            b.events
        );
        a.step(&mut buf, &mut input);
        b.step(&mut buf, &mut input);
        // Wait for traffic: a short blocking peek on A's socket stands in for poll(2).
        a.udp.set_nonblocking(false).unwrap();
        a.udp
            .set_read_timeout(Some(Duration::from_millis(2)))
            .unwrap();
        let _ = a.udp.peek_from(&mut input);
        a.udp.set_nonblocking(true).unwrap();
    }
}

/// Signals `from`'s credentials and relayed candidates to `to`, then end-of-candidates.
fn signal(now: Instant, from: &Peer, to: &mut Peer) {
    let candidates: Vec<_> = from.agent.signaled_candidates().collect();
    assert!(!candidates.is_empty(), "a relayed candidate was gathered");
    assert!(candidates.iter().all(|c| c.kind == CandidateKind::Relayed));
    to.agent
        .set_remote_credentials(now, from.agent.local_credentials().clone());
    for c in candidates {
        to.agent.add_remote_candidate(now, c).unwrap();
    }
    to.agent.end_of_remote_candidates(now);
}

/// Sends `message` on the peer's selected pair.
fn send(from: &mut Peer, message: &[u8]) {
    let mut buf = Vec::new();
    let t = from.agent.write_data(message, &mut buf).unwrap();
    match (t.proto, &mut from.tcp) {
        (Protocol::Tcp, Some(tcp)) => tcp.write_all(&buf[..t.size]).unwrap(),
        _ => {
            from.udp.send_to(&buf[..t.size], t.destination).unwrap();
        }
    }
}

fn connect_through(coturn: &Coturn, a_turn: TurnServer, a_tcp: Option<TcpStream>) {
    let b_turn = TurnServer::udp(coturn.listen, USER, PASSWORD);
    let mut a = Peer::new(Role::Controlling, a_turn, a_tcp);
    let mut b = Peer::new(Role::Controlled, b_turn, None);
    run(&mut a, &mut b, Duration::from_secs(10), |a, b| {
        a.events.contains(&Event::GatheringComplete) && b.events.contains(&Event::GatheringComplete)
    });
    let now = Instant::now();
    signal(now, &a, &mut b);
    signal(now, &b, &mut a);
    run(&mut a, &mut b, Duration::from_secs(10), |a, b| {
        a.agent.selected_path().is_some() && b.agent.selected_path().is_some()
    });
    for peer in [&a, &b] {
        let path = peer.agent.selected_path().unwrap();
        assert_eq!(path.local.kind, CandidateKind::Relayed);
        assert_eq!(path.remote.kind, CandidateKind::Relayed);
    }
    // Data both ways through coturn, on the selected pair.
    send(&mut a, b"hello through coturn 0");
    send(&mut b, b"hello through coturn 1");
    run(&mut a, &mut b, Duration::from_secs(5), |a, b| {
        a.received.iter().any(|d| d == b"hello through coturn 1")
            && b.received.iter().any(|d| d == b"hello through coturn 0")
    });
}

#[test]
fn two_relay_only_agents_exchange_data_through_coturn_over_udp() {
    let Some(coturn) = Coturn::start(&CoturnOptions::default()) else {
        return;
    };
    let turn = TurnServer::udp(coturn.listen, USER, PASSWORD);
    connect_through(&coturn, turn, None);
}

#[test]
fn a_relay_only_agent_reaches_coturn_over_tls() {
    let (cert_pem, key_pem, der) = tls_material();
    let Some(coturn) = Coturn::start(&CoturnOptions {
        tls: Some((cert_pem, key_pem)),
        ..CoturnOptions::default()
    }) else {
        return;
    };
    let tls = coturn.tls.expect("TLS listener");
    let tcp = TcpStream::connect(tls).unwrap();
    let turn = TurnServer {
        server: tls,
        transport: tls_transport(der),
        username: USER.to_owned(),
        password: PASSWORD.to_owned(),
        local: Some(tcp.local_addr().unwrap()),
    };
    assert!(matches!(turn.transport, TurnTransport::Tls { .. }));
    connect_through(&coturn, turn, Some(tcp));
}
