//! Our TURN client against coturn on 127.0.0.1, over UDP, TCP and TLS: Binding returns our
//! address; Allocate goes through the 401 challenge; a permission lets datagrams through to a
//! UDP echo peer and back via Send/Data indications, then via ChannelData after ChannelBind;
//! Refresh and Deallocate work, a deleted allocation answers 437, stale nonces (438) are
//! retried, and a wrong password is refused.
#![expect(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "interop tests use real loopback sockets and the real clock"
)]

mod common;

use common::{tls_material, tls_transport};
use sansrtc_interop::coturn::{Coturn, CoturnOptions, PASSWORD, REALM, USER};
use sansrtc_interop::driver::{Driver, Io};
use sansrtc_stun::binding::{BindingClient, BindingConfig, BindingEvent};
use sansrtc_stun::credentials::{PasswordPrep, long_term_key};
use sansrtc_stun::turn::{Failure, TurnClient, TurnConfig, TurnEvent, TurnTransport};
use sansrtc_stun::wire::{
    Attribute, Class, Message, MessageBuilder, Method, StreamDecoder, TransactionId,
    password_algorithm,
};
use std::net::{IpAddr, SocketAddr, TcpStream, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const STEP: Duration = Duration::from_secs(5);

/// A UDP echo peer on loopback, running until dropped.
struct EchoPeer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl EchoPeer {
    fn start() -> Self {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket
            .set_read_timeout(Some(Duration::from_millis(20)))
            .unwrap();
        let addr = socket.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut buf = [0u8; 2048];
            while !flag.load(Ordering::Relaxed) {
                if let Ok((n, from)) = socket.recv_from(&mut buf) {
                    let _ = socket.send_to(&buf[..n], from);
                }
            }
        });
        Self {
            addr,
            stop,
            thread: Some(thread),
        }
    }

    /// Sends one datagram from the peer's own socket (a fresh one on the same port is not
    /// possible, so use a second socket bound to an ephemeral port).
    fn send_from_elsewhere(to: SocketAddr, data: &[u8]) {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket.send_to(data, to).unwrap();
    }
}

impl Drop for EchoPeer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A TURN client driven over a real socket to `server` with `transport`.
fn client(server: SocketAddr, transport: TurnTransport, password: &str) -> Driver<TurnClient> {
    let io = if transport.is_stream() {
        let stream = TcpStream::connect(server).unwrap();
        stream.set_nodelay(true).unwrap();
        Io::Tcp(stream)
    } else {
        Io::Udp(UdpSocket::bind("127.0.0.1:0").unwrap())
    };
    let local = match &io {
        Io::Udp(s) => s.local_addr().unwrap(),
        Io::Tcp(s) => s.local_addr().unwrap(),
    };
    let mut config = TurnConfig::new(server, local, transport, USER, password);
    config.software = Some("sansrtc interop".to_owned());
    let machine = TurnClient::new(config, Instant::now()).unwrap();
    Driver::new(machine, io).unwrap()
}

fn allocate(
    driver: &mut Driver<TurnClient>,
) -> Result<(SocketAddr, Option<SocketAddr>, Duration), Failure> {
    driver.machine.allocate(Instant::now()).unwrap();
    let events = driver
        .run_until(STEP, |e| {
            e.iter().any(|e| {
                matches!(
                    e,
                    TurnEvent::Allocated { .. } | TurnEvent::AllocationFailed(_)
                )
            })
        })
        .unwrap();
    match events.last() {
        Some(TurnEvent::Allocated {
            relayed,
            mapped,
            lifetime,
        }) => Ok((*relayed, *mapped, *lifetime)),
        Some(TurnEvent::AllocationFailed(f)) => Err(f.clone()),
        other => panic!("unexpected {other:?}"),
    }
}

/// Sends `data` to the echo peer through the relay and returns the echo's Data event.
fn echo(driver: &mut Driver<TurnClient>, peer: SocketAddr, data: &[u8]) -> TurnEvent {
    driver.machine.send_to(Instant::now(), peer, data).unwrap();
    let events = driver
        .run_until(STEP, |e| {
            e.iter().any(|e| matches!(e, TurnEvent::Data { .. }))
        })
        .unwrap();
    events
        .into_iter()
        .find(|e| matches!(e, TurnEvent::Data { .. }))
        .unwrap()
}

/// The whole TURN flow over one transport.
fn turn_flow(coturn: &Coturn, server: SocketAddr, transport: TurnTransport) {
    let peer = EchoPeer::start();
    let mut driver = client(server, transport, PASSWORD);
    let (relayed, mapped, lifetime) = allocate(&mut driver).unwrap();
    assert_eq!(
        driver.machine.realm(),
        Some(REALM),
        "the 401 challenge supplied the realm"
    );
    assert_eq!(relayed.ip(), IpAddr::from([127, 0, 0, 1]));
    assert!(
        (coturn.relay_ports.0..=coturn.relay_ports.1).contains(&relayed.port()),
        "relayed port {relayed}"
    );
    assert_eq!(
        mapped,
        Some(driver.local()),
        "XOR-MAPPED-ADDRESS is our own address"
    );
    assert!(lifetime > Duration::ZERO);

    // Without a permission nothing is relayed, in either direction.
    assert!(
        driver
            .machine
            .send_to(Instant::now(), peer.addr, b"too early")
            .is_err()
    );
    EchoPeer::send_from_elsewhere(relayed, b"unsolicited");
    let events = driver.run_for(Duration::from_millis(300)).unwrap();
    assert!(
        !events.iter().any(|e| matches!(e, TurnEvent::Data { .. })),
        "data without permission: {events:?}"
    );

    driver
        .machine
        .create_permission(Instant::now(), peer.addr.ip())
        .unwrap();
    let events = driver
        .run_until(STEP, |e| {
            e.iter()
                .any(|e| matches!(e, TurnEvent::PermissionCreated { .. }))
        })
        .unwrap();
    assert!(events.contains(&TurnEvent::PermissionCreated {
        peer: peer.addr.ip()
    }));

    // Send indication out, Data indication back.
    let back = echo(&mut driver, peer.addr, b"hello via Send");
    assert_eq!(
        back,
        TurnEvent::Data {
            peer: peer.addr,
            data: b"hello via Send".to_vec(),
            channel: None
        }
    );

    // ChannelBind, then ChannelData both ways.
    let channel = driver
        .machine
        .bind_channel(Instant::now(), peer.addr)
        .unwrap();
    let events = driver
        .run_until(STEP, |e| {
            e.iter()
                .any(|e| matches!(e, TurnEvent::ChannelBound { .. }))
        })
        .unwrap();
    assert!(events.contains(&TurnEvent::ChannelBound {
        peer: peer.addr,
        channel
    }));
    for payload in [&b"hello"[..], b"via ChannelData, odd length!", &[7u8; 1000]] {
        let back = echo(&mut driver, peer.addr, payload);
        assert_eq!(
            back,
            TurnEvent::Data {
                peer: peer.addr,
                data: payload.to_vec(),
                channel: Some(channel)
            }
        );
    }

    // Refresh, then Deallocate.
    driver
        .machine
        .refresh(Instant::now(), Some(Duration::from_secs(900)))
        .unwrap();
    let events = driver
        .run_until(STEP, |e| {
            e.iter()
                .any(|e| matches!(e, TurnEvent::Refreshed { .. } | TurnEvent::RefreshFailed(_)))
        })
        .unwrap();
    assert!(
        events.contains(&TurnEvent::Refreshed {
            lifetime: Duration::from_secs(900)
        }),
        "{events:?}"
    );
    driver.machine.deallocate(Instant::now()).unwrap();
    let events = driver
        .run_until(STEP, |e| {
            e.iter().any(|e| matches!(e, TurnEvent::Deallocated))
        })
        .unwrap();
    assert_eq!(events.last(), Some(&TurnEvent::Deallocated));
    assert!(driver.machine.is_closed());
    assert!(
        driver.rejected.is_empty(),
        "rejected datagrams: {:?}",
        driver.rejected
    );
}

#[test]
fn turn_over_udp() {
    let Some(coturn) = Coturn::start(&CoturnOptions::default()) else {
        return;
    };
    turn_flow(&coturn, coturn.listen, TurnTransport::Udp);
}

#[test]
fn turn_over_tcp() {
    let Some(coturn) = Coturn::start(&CoturnOptions::default()) else {
        return;
    };
    turn_flow(&coturn, coturn.listen, TurnTransport::Tcp);
}

#[test]
fn turn_over_tls() {
    let (cert, key, der) = tls_material();
    let Some(coturn) = Coturn::start(&CoturnOptions {
        tls: Some((cert, key)),
        ..CoturnOptions::default()
    }) else {
        return;
    };
    turn_flow(&coturn, coturn.tls.unwrap(), tls_transport(der));
}

#[test]
fn channel_data_over_tcp_is_padded_both_ways() {
    let Some(coturn) = Coturn::start(&CoturnOptions::default()) else {
        return;
    };
    let peer = EchoPeer::start();
    let mut driver = client(coturn.listen, TurnTransport::Tcp, PASSWORD);
    allocate(&mut driver).unwrap();
    let channel = driver
        .machine
        .bind_channel(Instant::now(), peer.addr)
        .unwrap();
    driver
        .run_until(STEP, |e| {
            e.iter()
                .any(|e| matches!(e, TurnEvent::ChannelBound { .. }))
        })
        .unwrap();
    let before = driver.captured.len();
    echo(&mut driver, peer.addr, b"abcde");
    // Re-frame both directions from the captured stream bytes: each ChannelData frame of a
    // 5-byte payload occupies 12 bytes (4 header + 5 data + 3 padding).
    for outbound in [true, false] {
        let mut decoder = StreamDecoder::new();
        let mut frames = Vec::new();
        for c in driver.captured[before..]
            .iter()
            .filter(|c| c.outbound == outbound)
        {
            decoder.push(&c.bytes).unwrap();
            while let Some(frame) = decoder.next_frame() {
                if let Ok(sansrtc_stun::wire::Frame::ChannelData(f)) = frame {
                    frames.push((f.channel, f.data.to_vec()));
                }
            }
        }
        assert_eq!(
            frames,
            [(channel, b"abcde".to_vec())],
            "outbound {outbound}"
        );
        assert_eq!(decoder.buffered(), 0, "padding consumed exactly");
    }
}

#[test]
fn binding_returns_our_address_with_a_valid_fingerprint() {
    let Some(coturn) = Coturn::start(&CoturnOptions::default()) else {
        return;
    };
    // Through our Binding client...
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let local = socket.local_addr().unwrap();
    let mut driver = Driver::new(
        BindingClient::new(BindingConfig::new(coturn.listen, local), Instant::now()),
        Io::Udp(socket),
    )
    .unwrap();
    driver.machine.start(Instant::now());
    let events = driver.run_until(STEP, |e| !e.is_empty()).unwrap();
    assert_eq!(events, [BindingEvent::Mapped { address: local }]);
    // ...and by hand, checking the response's FINGERPRINT explicitly.
    let response = driver.captured.iter().find(|c| !c.outbound).unwrap();
    let m = Message::parse(&response.bytes).unwrap();
    assert_eq!((m.class(), m.method()), (Class::Success, Method::BINDING));
    assert!(m.has_fingerprint());
    m.verify_fingerprint().unwrap();
    assert_eq!(m.xor_mapped_address(), Some(local));
}

#[test]
fn wrong_password_is_refused() {
    let Some(coturn) = Coturn::start(&CoturnOptions::default()) else {
        return;
    };
    let mut driver = client(coturn.listen, TurnTransport::Udp, "not the password");
    assert_eq!(allocate(&mut driver), Err(Failure::Unauthenticated));
    // Two 401s: the challenge, then the refusal of the wrong key.
    let challenges = driver
        .captured
        .iter()
        .filter(|c| !c.outbound)
        .filter_map(|c| {
            Message::parse(&c.bytes)
                .ok()
                .and_then(|m| m.error_code().map(|e| e.code))
        })
        .filter(|&code| code == 401)
        .count();
    assert_eq!(challenges, 2);
}

/// Sends one request by hand over `socket` and returns the response.
fn exchange(socket: &UdpSocket, server: SocketAddr, request: &[u8]) -> Vec<u8> {
    socket
        .set_read_timeout(Some(Duration::from_secs(2)))
        .unwrap();
    socket.send_to(request, server).unwrap();
    let mut buf = [0u8; 2048];
    let (n, _) = socket.recv_from(&mut buf).unwrap();
    buf[..n].to_vec()
}

#[test]
fn refresh_after_deallocation_gets_437() {
    let Some(coturn) = Coturn::start(&CoturnOptions::default()) else {
        return;
    };
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let local = socket.local_addr().unwrap();
    let server = coturn.listen;
    // Allocate and deallocate by hand with our codec, so the same 5-tuple can ask again.
    let key = long_term_key(
        USER,
        REALM,
        PASSWORD,
        password_algorithm::MD5,
        PasswordPrep::OpaqueString,
    )
    .unwrap();
    let request = |method: Method, tid: u8, nonce: Option<&str>, attrs: &[Attribute<'_>]| {
        let mut out = Vec::new();
        let mut b = MessageBuilder::new(&mut out, Class::Request, method, TransactionId([tid; 12]));
        for a in attrs {
            b.add(a).unwrap();
        }
        if let Some(nonce) = nonce {
            b.add(&Attribute::Username(USER)).unwrap();
            b.add(&Attribute::Realm(REALM)).unwrap();
            b.add(&Attribute::Nonce(nonce)).unwrap();
            b.add_message_integrity(&key).unwrap();
        }
        b.add_fingerprint().unwrap();
        b.finish();
        out
    };
    let challenge = exchange(
        &socket,
        server,
        &request(
            Method::ALLOCATE,
            1,
            None,
            &[Attribute::RequestedTransport(17)],
        ),
    );
    let challenge = Message::parse(&challenge).unwrap();
    assert_eq!(challenge.error_code().map(|e| e.code), Some(401));
    assert_eq!(challenge.realm(), Some(REALM));
    let nonce = challenge.nonce().unwrap().to_owned();
    let ok = exchange(
        &socket,
        server,
        &request(
            Method::ALLOCATE,
            2,
            Some(&nonce),
            &[Attribute::RequestedTransport(17)],
        ),
    );
    let ok = Message::parse(&ok).unwrap();
    assert_eq!(ok.class(), Class::Success);
    ok.verify_integrity(&key).unwrap();
    assert_eq!(ok.xor_mapped_address(), Some(local));
    let gone = exchange(
        &socket,
        server,
        &request(Method::REFRESH, 3, Some(&nonce), &[Attribute::Lifetime(0)]),
    );
    assert_eq!(Message::parse(&gone).unwrap().class(), Class::Success);
    // coturn deletes the allocation on its next housekeeping tick (about a second later).
    std::thread::sleep(Duration::from_millis(1500));
    // The old session's nonce is gone with it: follow a 438 (or 401) with the new nonce.
    let mut nonce = nonce;
    let mut code = None;
    for tid in 4..8 {
        let answer = exchange(
            &socket,
            server,
            &request(
                Method::REFRESH,
                tid,
                Some(&nonce),
                &[Attribute::Lifetime(600)],
            ),
        );
        let answer = Message::parse(&answer).unwrap();
        code = answer.error_code().map(|e| e.code);
        match (code, answer.nonce()) {
            (Some(438 | 401), Some(fresh)) => nonce = fresh.to_owned(),
            _ => break,
        }
    }
    assert_eq!(
        code,
        Some(437),
        "a Refresh for a deleted allocation gets 437 Allocation Mismatch"
    );
}

#[test]
fn stale_nonce_is_retried() {
    let Some(coturn) = Coturn::start(&CoturnOptions {
        stale_nonce: Some(1),
        ..CoturnOptions::default()
    }) else {
        return;
    };
    let mut driver = client(coturn.listen, TurnTransport::Udp, PASSWORD);
    allocate(&mut driver).unwrap();
    // Let the nonce go stale, then refresh: coturn answers 438 and the client retries.
    driver.run_for(Duration::from_millis(2200)).unwrap();
    driver.machine.refresh(Instant::now(), None).unwrap();
    let events = driver
        .run_until(STEP, |e| {
            e.iter()
                .any(|e| matches!(e, TurnEvent::Refreshed { .. } | TurnEvent::RefreshFailed(_)))
        })
        .unwrap();
    assert!(
        events
            .iter()
            .any(|e| matches!(e, TurnEvent::Refreshed { .. })),
        "{events:?}"
    );
    let stale = driver
        .captured
        .iter()
        .filter(|c| !c.outbound)
        .filter_map(|c| {
            Message::parse(&c.bytes)
                .ok()
                .and_then(|m| m.error_code().map(|e| e.code))
        })
        .filter(|&code| code == 438)
        .count();
    assert!(stale >= 1, "coturn answered 438 at least once");
}
