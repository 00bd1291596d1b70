//! Inputs the fuzzers found (fuzz/README.md), kept as regression tests: each must be refused
//! with an error, never a panic, by the codec and by every machine that reads STUN.

use sansrtc_proto::{Protocol, Receive, SansIo};
use sansrtc_stun::binding::{BindingClient, BindingConfig, BindingServer};
use sansrtc_stun::turn::{TurnClient, TurnConfig, TurnTransport};
use sansrtc_stun::wire::Message;
use sansrtc_stun::{Error, ParseErrorKind};
use std::net::SocketAddr;
use std::time::Instant;

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[expect(
    clippy::disallowed_methods,
    reason = "a test needs one real Instant as its epoch"
)]
fn now() -> Instant {
    Instant::now()
}

/// A MESSAGE-INTEGRITY of length 0 at the end of a message (stun_message crash).
const SHORT_INTEGRITY: &str = "000100042112a44200000000000000000000000000080000";
/// A FINGERPRINT of length 0 at the end of a message (turn_client_receive crash).
const SHORT_FINGERPRINT: &str = "000100042112a44200000000000000000000000080280000";

#[test]
fn wrong_length_integrity_attributes_are_malformed() {
    for (input, at) in [(SHORT_INTEGRITY, 22), (SHORT_FINGERPRINT, 22)] {
        let err = Message::parse(&hex(input)).unwrap_err();
        assert_eq!(
            (err.kind, err.offset),
            (ParseErrorKind::BadAttributeLength, at),
            "{input}"
        );
    }
    // A MESSAGE-INTEGRITY-SHA256 of 12 bytes, and one of 18 (not a multiple of 4).
    for len in [12u8, 18] {
        let padded = (usize::from(len) + 3) & !3;
        let mut m = hex("000100002112a442000000000000000000000000");
        m[3] = u8::try_from(4 + padded).unwrap();
        m.extend_from_slice(&[0x00, 0x1c, 0x00, len]);
        m.resize(m.len() + padded, 0);
        assert_eq!(
            Message::parse(&m).unwrap_err().kind,
            ParseErrorKind::BadAttributeLength,
            "length {len}"
        );
    }
}

fn rx<'a>(source: SocketAddr, contents: &'a [u8]) -> Receive<'a> {
    Receive {
        proto: Protocol::Udp,
        source,
        destination: "10.0.0.2:5000".parse().unwrap(),
        contents,
    }
}

#[test]
fn machines_refuse_them_without_panicking() {
    let server: SocketAddr = "198.51.100.1:3478".parse().unwrap();
    let t = now();
    for input in [SHORT_INTEGRITY, SHORT_FINGERPRINT] {
        let bytes = hex(input);
        let mut config = TurnConfig::new(
            server,
            "10.0.0.2:5000".parse().unwrap(),
            TurnTransport::Udp,
            "u",
            "p",
        );
        config.rng_seed = Some([3; 32]);
        let mut turn = TurnClient::new(config, t).unwrap();
        turn.allocate(t).unwrap();
        assert!(matches!(
            turn.handle_receive(t, rx(server, &bytes)),
            Err(Error::Malformed(_))
        ));

        let mut binding = BindingClient::new(
            BindingConfig::new(server, "10.0.0.2:5000".parse().unwrap()),
            t,
        );
        binding.start(t);
        assert!(matches!(
            binding.handle_receive(t, rx(server, &bytes)),
            Err(Error::Malformed(_))
        ));

        let mut stun_server = BindingServer::new(None);
        assert!(matches!(
            stun_server.handle_receive(t, rx(server, &bytes)),
            Err(Error::Malformed(_))
        ));
    }
}

#[test]
fn bytes_on_the_wrong_transport_are_refused() {
    let server: SocketAddr = "198.51.100.1:3478".parse().unwrap();
    let t = now();
    let mut turn = TurnClient::new(
        TurnConfig::new(
            server,
            "10.0.0.2:5000".parse().unwrap(),
            TurnTransport::Udp,
            "u",
            "p",
        ),
        t,
    )
    .unwrap();
    let segment = Receive {
        proto: Protocol::Tcp,
        ..rx(server, &[0; 20])
    };
    assert_eq!(
        turn.handle_receive(t, segment),
        Err(Error::Protocol(
            sansrtc_stun::ProtocolViolation::WrongTransport
        ))
    );
}
