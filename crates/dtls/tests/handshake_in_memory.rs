//! A client and a server complete the DTLS 1.2 handshake in memory for every ECDSA suite and
//! every group, agree on exported keying material and the SRTP profile, and exchange
//! application data; wrong fingerprints fail with the right alert.

use std::sync::Arc;
use std::time::{Duration, Instant};

use sansrtc_dtls::endpoint::{Config, Endpoint, Event, FailReason, Role};
use sansrtc_dtls::identity::{Fingerprint, FingerprintHash, Identity};
use sansrtc_dtls::suite::{Authentication, SUITES};
use sansrtc_dtls::wire::{AlertDescription, NamedGroup, SrtpProfileId};
use sansrtc_proto::{Protocol, Receive, SansIo};

fn addr(port: u16) -> std::net::SocketAddr {
    std::net::SocketAddr::from(([127, 0, 0, 1], port))
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
    let (mut client_events, mut server_events) = (Vec::new(), Vec::new());
    let mut buf = Vec::new();
    for _ in 0..100 {
        let mut moved = false;
        while let Some(t) = client.poll_transmit(now, &mut buf) {
            moved = true;
            let _ = server.handle_receive(
                now,
                Receive {
                    proto: Protocol::Udp,
                    source: t.source,
                    destination: t.destination,
                    contents: &buf[..t.size],
                },
            );
        }
        while let Some(t) = server.poll_transmit(now, &mut buf) {
            moved = true;
            let _ = client.handle_receive(
                now,
                Receive {
                    proto: Protocol::Udp,
                    source: t.source,
                    destination: t.destination,
                    contents: &buf[..t.size],
                },
            );
        }
        client_events.extend(std::iter::from_fn(|| client.poll_event()));
        server_events.extend(std::iter::from_fn(|| server.poll_event()));
        if !moved {
            break;
        }
    }
    (client_events, server_events)
}

fn pair(configure: impl Fn(&mut Config)) -> (Endpoint, Endpoint, Instant) {
    let (client_id, server_id) = (
        Arc::new(Identity::generate().unwrap()),
        Arc::new(Identity::generate().unwrap()),
    );
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
fn every_ecdsa_suite_and_group_completes_and_exports_the_same_keys() {
    let mut combinations = 0;
    for suite in SUITES
        .iter()
        .filter(|s| s.authentication == Authentication::Ecdsa)
    {
        for group in [
            NamedGroup::X25519,
            NamedGroup::SECP256R1,
            NamedGroup::SECP384R1,
        ] {
            let (mut client, mut server, now) = pair(|c| {
                c.cipher_suites = vec![suite.suite];
                c.groups = vec![group];
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
    assert_eq!(combinations, 9);
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
