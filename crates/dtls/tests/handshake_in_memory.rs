//! A client and a server complete the DTLS 1.2 handshake in memory for every ECDSA suite and
//! every group, agree on exported keying material and the SRTP profile, and exchange
//! application data; wrong fingerprints fail with the right alert.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sansrtc_dtls::endpoint::{Config, Endpoint, Event, FailReason, Role};
use sansrtc_dtls::identity::{Fingerprint, FingerprintHash, Identity};
use sansrtc_dtls::suite::{Authentication, SUITES};
use sansrtc_dtls::wire::{AlertDescription, ContentType, NamedGroup, Record, SrtpProfileId};
use sansrtc_proto::{Protocol, Receive, SansIo};

fn addr(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

#[expect(
    clippy::disallowed_methods,
    reason = "an arbitrary starting instant for virtual time"
)]
fn start() -> Instant {
    Instant::now()
}

/// Moves every datagram between the two until both are quiet; returns the events of each.
fn pump(now: Instant, client: &mut Endpoint, server: &mut Endpoint) -> (Vec<Event>, Vec<Event>) {
    pump_with(now, client, server, |_| {})
}

/// As [`pump`], letting `tamper` change each server datagram before the client gets it.
fn pump_with(
    now: Instant,
    client: &mut Endpoint,
    server: &mut Endpoint,
    mut tamper: impl FnMut(&mut Vec<u8>),
) -> (Vec<Event>, Vec<Event>) {
    let (mut client_events, mut server_events) = (Vec::new(), Vec::new());
    let (mut buf, mut datagram) = (Vec::new(), Vec::new());
    for _ in 0..100 {
        let mut moved = false;
        while let Some(t) = client.poll_transmit(now, &mut buf) {
            moved = true;
            let _ = server.handle_receive(now, receive(t.source, t.destination, &buf[..t.size]));
        }
        while let Some(t) = server.poll_transmit(now, &mut buf) {
            moved = true;
            datagram.clear();
            datagram.extend_from_slice(&buf[..t.size]);
            tamper(&mut datagram);
            let _ = client.handle_receive(now, receive(t.source, t.destination, &datagram));
        }
        client_events.extend(std::iter::from_fn(|| client.poll_event()));
        server_events.extend(std::iter::from_fn(|| server.poll_event()));
        if !moved {
            break;
        }
    }
    (client_events, server_events)
}

fn receive(source: SocketAddr, destination: SocketAddr, contents: &[u8]) -> Receive<'_> {
    Receive {
        proto: Protocol::Udp,
        source,
        destination,
        contents,
    }
}

fn rsa_identity() -> Arc<Identity> {
    // An RSA-2048 certificate and key made with openssl (tests/vectors/README.md).
    let der = include_bytes!("vectors/rsa-2048-self-signed.der");
    let key = include_bytes!("vectors/rsa-2048-key.pk8.der");
    Arc::new(Identity::from_der(der, key).unwrap())
}

fn pair(configure: impl Fn(&mut Config)) -> (Endpoint, Endpoint, Instant) {
    pair_with(
        Arc::new(Identity::generate().unwrap()),
        Arc::new(Identity::generate().unwrap()),
        configure,
    )
}

fn pair_with(
    client_id: Arc<Identity>,
    server_id: Arc<Identity>,
    configure: impl Fn(&mut Config),
) -> (Endpoint, Endpoint, Instant) {
    let mut client_config = Config::new(
        Role::Client,
        client_id.clone(),
        vec![server_id.fingerprint()],
    );
    let mut server_config = Config::new(Role::Server, server_id, vec![client_id.fingerprint()]);
    configure(&mut client_config);
    configure(&mut server_config);
    let now = start();
    let client = Endpoint::new(client_config, now, addr(1000), addr(2000)).unwrap();
    let server = Endpoint::new(server_config, now, addr(2000), addr(1000)).unwrap();
    (client, server, now)
}

#[test]
fn every_suite_and_group_completes_and_exports_the_same_keys() {
    let mut combinations = 0;
    for suite in SUITES {
        for group in [
            NamedGroup::X25519,
            NamedGroup::SECP256R1,
            NamedGroup::SECP384R1,
        ] {
            // RSA suites need an RSA server certificate; the client signs its
            // CertificateVerify with RSA too, or with ECDSA, alternately.
            let (client_id, server_id) = match suite.authentication {
                Authentication::Ecdsa => (
                    Arc::new(Identity::generate().unwrap()),
                    Arc::new(Identity::generate().unwrap()),
                ),
                Authentication::Rsa if group == NamedGroup::X25519 => {
                    (rsa_identity(), rsa_identity())
                }
                Authentication::Rsa => (Arc::new(Identity::generate().unwrap()), rsa_identity()),
            };
            let (mut client, mut server, now) = pair_with(client_id, server_id, |c| {
                c.cipher_suites = vec![suite.suite];
                // The ECDHE group first; P-256 after it, for the server's ECDSA certificate
                // (RFC 8422 §5.1.1).
                c.groups = vec![group, NamedGroup::SECP256R1];
            });
            let (client_events, server_events) = pump(now, &mut client, &mut server);
            let expected = Event::Connected {
                suite: suite.suite,
                srtp_profile: Some(SrtpProfileId::AEAD_AES_128_GCM),
            };
            assert_eq!(
                client_events,
                std::slice::from_ref(&expected),
                "{:?} {group:?}",
                suite.suite
            );
            assert_eq!(server_events, [expected]);
            let (mut a, mut b) = ([0u8; 60], [0u8; 60]);
            client
                .export_keying_material(b"EXTRACTOR-dtls_srtp", None, &mut a)
                .unwrap();
            server
                .export_keying_material(b"EXTRACTOR-dtls_srtp", None, &mut b)
                .unwrap();
            assert_eq!(a, b);
            assert_ne!(a, [0u8; 60]);
            assert!(client.peer_certificate().is_some() && server.peer_certificate().is_some());

            client.send_application_data(b"ping").unwrap();
            server.send_application_data(b"pong").unwrap();
            let (client_events, server_events) = pump(now, &mut client, &mut server);
            assert_eq!(client_events, [Event::ApplicationData(b"pong".to_vec())]);
            assert_eq!(server_events, [Event::ApplicationData(b"ping".to_vec())]);

            client.close();
            let (_, server_events) = pump(now, &mut client, &mut server);
            assert_eq!(server_events, [Event::Closed]);
            combinations += 1;
        }
    }
    assert_eq!(combinations, 18);
}

#[test]
fn a_wrong_fingerprint_fails_with_bad_certificate() {
    let (mut client, mut server, now) = pair(|c| {
        if c.role == Role::Client {
            c.remote_fingerprints = vec![Fingerprint::of(FingerprintHash::Sha256, b"someone else")];
        }
    });
    let (client_events, server_events) = pump(now, &mut client, &mut server);
    assert_eq!(
        client_events,
        [Event::Failed(FailReason::LocalAlert(
            AlertDescription::BAD_CERTIFICATE
        ))]
    );
    assert_eq!(
        server_events,
        [Event::Failed(FailReason::PeerAlert(
            AlertDescription::BAD_CERTIFICATE
        ))]
    );
    assert!(
        client
            .export_keying_material(b"EXTRACTOR-dtls_srtp", None, &mut [0; 60])
            .is_err()
    );
}

#[test]
fn lost_flights_are_retransmitted_on_the_timer() {
    let (mut client, mut server, now) = pair(|_| {});
    let mut buf = Vec::new();
    // The ClientHello is lost.
    while client.poll_transmit(now, &mut buf).is_some() {}
    let deadline = client.poll_timeout().unwrap();
    assert_eq!(deadline - now, Duration::from_secs(1));
    client.handle_timeout(deadline);
    let (client_events, server_events) = pump(deadline, &mut client, &mut server);
    assert!(matches!(client_events[..], [Event::Connected { .. }]));
    assert!(matches!(server_events[..], [Event::Connected { .. }]));
}

#[test]
fn retransmissions_double_from_one_second_up_to_sixty_then_the_handshake_times_out() {
    let (mut client, _server, now) = pair(|c| c.timer.handshake_timeout = Duration::from_secs(300));
    let mut buf = Vec::new();
    let mut sent_at = vec![now];
    while client.poll_transmit(now, &mut buf).is_some() {}
    let mut events = Vec::new();
    while let Some(deadline) = client.poll_timeout() {
        client.handle_timeout(deadline);
        if client.poll_transmit(deadline, &mut buf).is_some() {
            sent_at.push(deadline);
            while client.poll_transmit(deadline, &mut buf).is_some() {}
        }
        events.extend(std::iter::from_fn(|| client.poll_event()));
    }
    let gaps: Vec<u64> = sent_at
        .windows(2)
        .map(|w| (w[1] - w[0]).as_secs())
        .collect();
    // RFC 6347 §4.2.4.1: 1 s, doubling, at most 60 s; 1+2+4+8+16+32+60+60+60 = 243 < 300.
    assert_eq!(gaps, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
    assert_eq!(events, [Event::Failed(FailReason::HandshakeTimeout)]);
    assert_eq!(client.poll_timeout(), None, "nothing more after the end");
}

#[test]
fn a_tampered_finished_fails_with_decrypt_error_and_bad_records_are_dropped() {
    let (mut client, mut server, now) = pair(|_| {});
    let mut buf = Vec::new();
    // Run to the client's last flight, then corrupt its final record (the encrypted Finished).
    for _ in 0..3 {
        while let Some(t) = client.poll_transmit(now, &mut buf) {
            let mut datagram = buf[..t.size].to_vec();
            // The Finished is the only handshake record in epoch 1: flip its last byte.
            let finished = Record::iter(&buf[..t.size])
                .filter_map(Result::ok)
                .find(|r| r.header.epoch == 1 && r.header.content_type == ContentType::HANDSHAKE);
            if let Some(record) = finished {
                datagram[record.offset + record.len() - 1] ^= 0x01;
            }
            let _ = server.handle_receive(now, receive(t.source, t.destination, &datagram));
        }
        while let Some(t) = server.poll_transmit(now, &mut buf) {
            let _ = client.handle_receive(now, receive(t.source, t.destination, &buf[..t.size]));
        }
    }
    // A record that fails authentication is dropped and counted, not fatal (§4.1.2.7).
    assert_eq!(server.bad_records(), 1);
    assert!(!server.is_connected());
    assert_eq!(server.poll_event(), None);
    // The client's retransmission (intact) completes the handshake.
    let deadline = client.poll_timeout().unwrap();
    client.handle_timeout(deadline);
    let (client_events, server_events) = pump(deadline, &mut client, &mut server);
    assert!(
        matches!(client_events[..], [Event::Connected { .. }]),
        "{client_events:?}"
    );
    assert!(matches!(server_events[..], [Event::Connected { .. }]));
}

#[test]
fn an_unsupported_suite_fails_with_handshake_failure() {
    let (mut client, mut server, now) = pair(|c| {
        if c.role == Role::Client {
            // Only RSA suites: the server's certificate is ECDSA.
            c.cipher_suites = SUITES
                .iter()
                .filter(|s| s.authentication == Authentication::Rsa)
                .map(|s| s.suite)
                .collect();
        }
    });
    let (client_events, server_events) = pump(now, &mut client, &mut server);
    assert_eq!(
        server_events,
        [Event::Failed(FailReason::LocalAlert(
            AlertDescription::HANDSHAKE_FAILURE
        ))]
    );
    assert_eq!(
        client_events,
        [Event::Failed(FailReason::PeerAlert(
            AlertDescription::HANDSHAKE_FAILURE
        ))]
    );
}

#[test]
fn a_bad_server_key_exchange_signature_fails_with_decrypt_error() {
    use sansrtc_dtls::wire::HandshakeType;
    use sansrtc_dtls::wire::handshake::{HANDSHAKE_HEADER_LEN, HandshakeFragment};
    let (mut client, mut server, now) = pair(|_| {});
    let mut flipped = 0;
    let (client_events, server_events) = pump_with(now, &mut client, &mut server, |datagram| {
        let mut target = None;
        for record in Record::iter(datagram).filter_map(Result::ok) {
            let mut at = record.offset + 13;
            for fragment in HandshakeFragment::iter(record.fragment).filter_map(Result::ok) {
                if fragment.header.msg_type == HandshakeType::SERVER_KEY_EXCHANGE {
                    // The last body byte lies in the signature.
                    target = Some(at + HANDSHAKE_HEADER_LEN + fragment.body.len() - 1);
                }
                at += fragment.len();
            }
        }
        if let Some(at) = target {
            datagram[at] ^= 0x01;
            flipped += 1;
        }
    });
    assert!(flipped >= 1);
    assert_eq!(
        client_events,
        [Event::Failed(FailReason::LocalAlert(
            AlertDescription::DECRYPT_ERROR
        ))]
    );
    assert_eq!(
        server_events,
        [Event::Failed(FailReason::PeerAlert(
            AlertDescription::DECRYPT_ERROR
        ))]
    );
}

#[test]
fn truncated_records_and_records_from_unknown_epochs_are_dropped_without_harm() {
    let (mut client, mut server, now) = pair(|_| {});
    let mut buf = Vec::new();
    let t = client.poll_transmit(now, &mut buf).unwrap();
    let hello = buf[..t.size].to_vec();
    let (source, destination) = (t.source, t.destination);
    // Every truncation of the ClientHello datagram: a framing error (Err) or a record too
    // short to hold its handshake message, never a panic, never an event.
    for len in 0..hello.len() {
        let result = server.handle_receive(now, receive(source, destination, &hello[..len]));
        if len < 13 {
            assert!(result.is_err(), "len {len}");
        }
        assert_eq!(server.poll_event(), None);
    }
    // A record from epoch 7, which has no keys: dropped silently (RFC 6347 §4.1).
    let mut wrong_epoch = hello.clone();
    wrong_epoch[3..5].copy_from_slice(&7u16.to_be_bytes());
    assert!(
        server
            .handle_receive(now, receive(source, destination, &wrong_epoch))
            .is_ok()
    );
    while server.poll_transmit(now, &mut buf).is_some() {}
    assert_eq!(server.poll_event(), None);
    // The intact ClientHello still works afterwards and the handshake completes.
    server
        .handle_receive(now, receive(source, destination, &hello))
        .unwrap();
    let (client_events, server_events) = pump(now, &mut client, &mut server);
    assert!(
        matches!(client_events[..], [Event::Connected { .. }]),
        "{client_events:?}"
    );
    assert!(matches!(server_events[..], [Event::Connected { .. }]));
}

#[test]
fn a_server_with_a_p256_key_refuses_a_client_that_does_not_accept_p256() {
    use sansrtc_dtls::record::{RecordLayer, WriteEpochChoice};
    use sansrtc_dtls::wire::handshake::{ClientHelloRepr, ExtensionRepr, HandshakeFragment};
    use sansrtc_dtls::wire::{CipherSuite, HandshakeType, ProtocolVersion};
    // A ClientHello (like `openssl s_client -groups P-384`) whose supported_groups leaves out
    // the server certificate's curve (RFC 8422 §5.1.1).
    let hello = ClientHelloRepr {
        client_version: ProtocolVersion::DTLS_1_2,
        random: [7; 32],
        session_id: &[],
        cookie: &[],
        cipher_suites: vec![CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256],
        compression_methods: &[0],
        extensions: Some(vec![
            ExtensionRepr::SupportedGroups(vec![NamedGroup::SECP384R1]),
            ExtensionRepr::ExtendedMasterSecret,
        ]),
    };
    let mut body = vec![0u8; hello.buffer_len()];
    hello.emit(&mut body).unwrap();
    let fragment = HandshakeFragment::unfragmented(HandshakeType::CLIENT_HELLO, 0, &body).unwrap();
    let mut message = vec![0u8; fragment.len()];
    fragment.emit(&mut message).unwrap();
    let mut datagram = Vec::new();
    RecordLayer::default()
        .seal(
            WriteEpochChoice::Current,
            ContentType::HANDSHAKE,
            &message,
            &mut datagram,
        )
        .unwrap();
    let (_, mut server, now) = pair(|c| c.require_cookie = false);
    let receive = receive(addr(1000), addr(2000), &datagram);
    server.handle_receive(now, receive).unwrap();
    assert_eq!(
        server.poll_event(),
        Some(Event::Failed(FailReason::LocalAlert(
            AlertDescription::HANDSHAKE_FAILURE
        )))
    );
}

#[test]
fn a_client_configured_for_x25519_only_still_accepts_a_p256_certificate() {
    let (mut client, mut server, now) = pair(|c| c.groups = vec![NamedGroup::X25519]);
    let (client_events, server_events) = pump(now, &mut client, &mut server);
    assert!(
        matches!(client_events[..], [Event::Connected { .. }]),
        "{client_events:?}"
    );
    assert!(matches!(server_events[..], [Event::Connected { .. }]));
}

/// Moves every queued datagram from `from` to `to` at `now` (or drops them all); returns how
/// many there were.
fn deliver(now: Instant, from: &mut Endpoint, to: &mut Endpoint, drop_all: bool) -> usize {
    let mut buf = Vec::new();
    let mut count = 0;
    while let Some(t) = from.poll_transmit(now, &mut buf) {
        count += 1;
        if !drop_all {
            let _ = to.handle_receive(now, receive(t.source, t.destination, &buf[..t.size]));
        }
    }
    count
}

#[test]
fn a_lost_last_flight_is_sent_again_when_the_client_repeats_its_finished() {
    let (mut client, mut server, now) = pair(|_| {});
    // Flights 1-5 go through; the server's last flight (ChangeCipherSpec + Finished) is lost.
    for _ in 0..2 {
        deliver(now, &mut client, &mut server, false);
        deliver(now, &mut server, &mut client, false);
    }
    deliver(now, &mut client, &mut server, false);
    assert!(server.is_connected());
    assert!(
        deliver(now, &mut server, &mut client, true) > 0,
        "the last flight was sent"
    );
    assert!(!client.is_connected());
    // The client's timer repeats flight 5; the server answers with its last flight again,
    // but never on a timer of its own.
    let deadline = client.poll_timeout().unwrap();
    server.handle_timeout(deadline);
    assert_eq!(
        deliver(deadline, &mut server, &mut client, false),
        0,
        "the server does not retransmit its last flight on a timer"
    );
    client.handle_timeout(deadline);
    deliver(deadline, &mut client, &mut server, false);
    assert!(
        deliver(deadline, &mut server, &mut client, false) > 0,
        "retransmitted last flight"
    );
    assert!(client.is_connected());
}
