//! Our server is ready for Chrome's ClientHello (shared/interop/chrome.md): the real,
//! fragmented Chromium 156 ClientHello, with DTLS 1.3 in supported_versions and an
//! X25519MLKEM768 key share, gets a HelloVerifyRequest, and with the cookie (or without
//! cookies) a DTLS 1.2 ServerHello choosing ECDHE-ECDSA-AES128-GCM, X25519 and an SRTP profile
//! Chrome offered.

use std::sync::Arc;
use std::time::Instant;

use sansrtc_dtls::endpoint::{Config, Endpoint, Role};
use sansrtc_dtls::identity::{Fingerprint, FingerprintHash, Identity};
use sansrtc_dtls::wire::handshake::{HandshakeFragment, ServerHello, ServerKeyExchange};
use sansrtc_dtls::wire::{
    CipherSuite, ContentType, HandshakeType, NamedGroup, ProtocolVersion, Record, SrtpProfileId,
};
use sansrtc_proto::{Protocol, Receive, SansIo};
use serde_json::Value;

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[expect(
    clippy::disallowed_methods,
    reason = "an arbitrary starting instant for virtual time"
)]
fn start() -> Instant {
    Instant::now()
}

fn chrome_datagrams() -> Vec<Vec<u8>> {
    let v: Value = serde_json::from_str(include_str!(
        "vectors/chrome-156-clienthello-dtls12-session.json"
    ))
    .unwrap();
    v["datagrams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| hex(d["datagram_hex"].as_str().unwrap()))
        .collect()
}

fn server(require_cookie: bool) -> Endpoint {
    let identity = Arc::new(Identity::generate().unwrap());
    let chrome = Fingerprint::of(FingerprintHash::Sha256, b"chrome's certificate");
    let mut config = Config::new(Role::Server, identity, vec![chrome]);
    config.require_cookie = require_cookie;
    let local = "127.0.0.1:39084".parse().unwrap();
    let remote = "127.0.0.1:34165".parse().unwrap();
    Endpoint::new(config, start(), local, remote).unwrap()
}

/// Every handshake message the server sent, in order, with its body.
fn answer(server: &mut Endpoint, datagrams: &[Vec<u8>]) -> Vec<(HandshakeType, Vec<u8>)> {
    let now = start();
    for datagram in datagrams {
        let receive = Receive {
            proto: Protocol::Udp,
            source: "127.0.0.1:34165".parse().unwrap(),
            destination: "127.0.0.1:39084".parse().unwrap(),
            contents: datagram,
        };
        server.handle_receive(now, receive).unwrap();
    }
    let mut messages = Vec::new();
    let mut buf = Vec::new();
    while let Some(t) = server.poll_transmit(now, &mut buf) {
        for record in Record::iter(&buf[..t.size]).map(Result::unwrap) {
            assert_eq!(record.header.content_type, ContentType::HANDSHAKE);
            for fragment in HandshakeFragment::iter(record.fragment).map(Result::unwrap) {
                assert!(
                    fragment.is_unfragmented(),
                    "a 1200-byte MTU fits every message"
                );
                messages.push((fragment.header.msg_type, fragment.body.to_vec()));
            }
        }
    }
    messages
}

#[test]
fn chrome_hello_without_cookie_gets_a_hello_verify_request() {
    let mut server = server(true);
    let messages = answer(&mut server, &chrome_datagrams());
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].0, HandshakeType::HELLO_VERIFY_REQUEST);
}

#[test]
fn chrome_hello_gets_a_dtls12_server_flight_with_what_chrome_offered() {
    let mut server = server(false);
    let messages = answer(&mut server, &chrome_datagrams());
    let types: Vec<_> = messages.iter().map(|(t, _)| *t).collect();
    assert_eq!(
        types,
        [
            HandshakeType::SERVER_HELLO,
            HandshakeType::CERTIFICATE,
            HandshakeType::SERVER_KEY_EXCHANGE,
            HandshakeType::CERTIFICATE_REQUEST,
            HandshakeType::SERVER_HELLO_DONE
        ]
    );
    let hello = ServerHello::new_checked(&messages[0].1).unwrap();
    assert_eq!(hello.server_version(), ProtocolVersion::DTLS_1_2);
    assert_eq!(
        hello.cipher_suite(),
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
    );
    let extensions = hello.extensions();
    assert!(extensions.extended_master_secret().unwrap());
    let srtp: Vec<_> = extensions.use_srtp().unwrap().unwrap().profiles.collect();
    // Chrome offers 0x0001, 0x0008, 0x0007; our first preference among them.
    assert_eq!(srtp, [SrtpProfileId::AEAD_AES_128_GCM]);
    let exchange = ServerKeyExchange::new_checked(&messages[2].1).unwrap();
    assert_eq!(exchange.named_group(), NamedGroup::X25519);
    assert_eq!(exchange.public_key().len(), 32);
}
