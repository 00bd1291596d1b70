//! Forged but well-formed records, as an attacker who knows the addresses and ports would send
//! them. After the handshake an unauthenticated record never changes the connection's state
//! (RFC 5246 §6.1, §7.2; RFC 6347 §4.1): it is dropped and counted. Repeated handshake
//! messages make a flight go again at most once per datagram and not faster than half the
//! retransmission timer (RFC 6347 §4.2.4), and a server that has not verified a cookie never
//! sends more bytes than it received (RFC 6347 §4.2.1).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sansrtc_dtls::endpoint::{Config, Endpoint, Event, Role};
use sansrtc_dtls::identity::Identity;
use sansrtc_dtls::wire::{ContentType, Record};
use sansrtc_proto::{Protocol, Receive, SansIo};

const CLIENT: u16 = 1000;
const SERVER: u16 = 2000;

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

fn receive(source: SocketAddr, destination: SocketAddr, contents: &[u8]) -> Receive<'_> {
    Receive {
        proto: Protocol::Udp,
        source,
        destination,
        contents,
    }
}

fn pair(configure: impl Fn(&mut Config)) -> (Endpoint, Endpoint, Instant) {
    let (a, b) = (
        Arc::new(Identity::generate().unwrap()),
        Arc::new(Identity::generate().unwrap()),
    );
    let mut client_config = Config::new(Role::Client, a.clone(), vec![b.fingerprint()]);
    let mut server_config = Config::new(Role::Server, b, vec![a.fingerprint()]);
    configure(&mut client_config);
    configure(&mut server_config);
    let now = start();
    let client = Endpoint::new(client_config, now, addr(CLIENT), addr(SERVER)).unwrap();
    let server = Endpoint::new(server_config, now, addr(SERVER), addr(CLIENT)).unwrap();
    (client, server, now)
}

/// Every datagram `endpoint` has queued.
fn drain(now: Instant, endpoint: &mut Endpoint) -> Vec<Vec<u8>> {
    let mut buf = Vec::new();
    std::iter::from_fn(|| {
        endpoint
            .poll_transmit(now, &mut buf)
            .map(|t| buf[..t.size].to_vec())
    })
    .collect()
}

/// Moves datagrams both ways until both are quiet.
fn pump(now: Instant, client: &mut Endpoint, server: &mut Endpoint) {
    for _ in 0..100 {
        let to_server = drain(now, client);
        let to_client = drain(now, server);
        if to_server.is_empty() && to_client.is_empty() {
            return;
        }
        for d in &to_server {
            let _ = server.handle_receive(now, receive(addr(CLIENT), addr(SERVER), d));
        }
        for d in &to_client {
            let _ = client.handle_receive(now, receive(addr(SERVER), addr(CLIENT), d));
        }
    }
}

fn connected_pair() -> (Endpoint, Endpoint, Instant) {
    let (mut client, mut server, now) = pair(|_| {});
    pump(now, &mut client, &mut server);
    assert!(client.is_connected() && server.is_connected());
    let events: Vec<_> = std::iter::from_fn(|| client.poll_event())
        .chain(std::iter::from_fn(|| server.poll_event()))
        .collect();
    assert_eq!(events.len(), 2, "{events:?}");
    (client, server, now)
}

/// One plaintext record in `epoch` with `sequence`.
fn record(content_type: ContentType, epoch: u16, sequence: u64, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![content_type.0, 0xfe, 0xfd];
    out.extend_from_slice(&epoch.to_be_bytes());
    out.extend_from_slice(&sequence.to_be_bytes()[2..]);
    out.extend_from_slice(&(payload.len() as u16).to_be_bytes());
    out.extend_from_slice(payload);
    out
}

/// A handshake fragment header and body: `msg_type`, total `length`, `message_seq`, a piece
/// at `offset`.
fn fragment(msg_type: u8, length: u32, message_seq: u16, offset: u32, body: &[u8]) -> Vec<u8> {
    let mut out = vec![msg_type];
    out.extend_from_slice(&length.to_be_bytes()[1..]);
    out.extend_from_slice(&message_seq.to_be_bytes());
    out.extend_from_slice(&offset.to_be_bytes()[1..]);
    out.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    out.extend_from_slice(body);
    out
}

/// Sends application data one way and checks it arrives.
fn data_flows(now: Instant, from: &mut Endpoint, to: &mut Endpoint, from_port: u16, to_port: u16) {
    from.send_application_data(b"still here").unwrap();
    for d in drain(now, from) {
        to.handle_receive(now, receive(addr(from_port), addr(to_port), &d))
            .unwrap();
    }
    assert_eq!(
        to.poll_event(),
        Some(Event::ApplicationData(b"still here".to_vec()))
    );
}

#[test]
fn a_forged_plaintext_fatal_alert_after_the_handshake_changes_nothing_and_is_counted() {
    let (mut client, mut server, now) = connected_pair();
    // 15 bytes: epoch 0, a fresh sequence number, fatal handshake_failure.
    let forged = record(ContentType::ALERT, 0, 1000, &[2, 40]);
    assert_eq!(forged.len(), 15);
    let _ = client.handle_receive(now, receive(addr(SERVER), addr(CLIENT), &forged));
    assert!(client.is_connected());
    assert_eq!(client.poll_event(), None);
    assert!(drain(now, &mut client).is_empty());
    assert_eq!(client.discarded().unprotected, 1);
    data_flows(now, &mut server, &mut client, SERVER, CLIENT);
    data_flows(now, &mut client, &mut server, CLIENT, SERVER);
}

#[test]
fn a_forged_plaintext_close_notify_after_the_handshake_closes_neither_side() {
    let (mut client, mut server, now) = connected_pair();
    for sequence in [50, 51] {
        let forged = record(ContentType::ALERT, 0, sequence, &[1, 0]);
        let _ = server.handle_receive(now, receive(addr(CLIENT), addr(SERVER), &forged));
    }
    assert!(server.is_connected());
    assert_eq!(server.poll_event(), None);
    // No close_notify of ours that would close the real peer.
    assert!(drain(now, &mut server).is_empty());
    assert_eq!(server.discarded().unprotected, 2);
    data_flows(now, &mut client, &mut server, CLIENT, SERVER);
    data_flows(now, &mut server, &mut client, SERVER, CLIENT);
}

#[test]
fn a_forged_record_in_the_next_epoch_after_the_handshake_is_dropped_and_counted() {
    let (mut client, _server, now) = connected_pair();
    // Epoch 2 has no keys: not held as an early record, not acted on.
    let forged = record(ContentType::ALERT, 2, 0, &[2, 40]);
    let _ = client.handle_receive(now, receive(addr(SERVER), addr(CLIENT), &forged));
    // A tampered epoch-1 alert fails authentication.
    let mut tampered = record(ContentType::ALERT, 1, 9, &[0; 8 + 2 + 16]);
    tampered[20] ^= 1;
    let _ = client.handle_receive(now, receive(addr(SERVER), addr(CLIENT), &tampered));
    assert!(client.is_connected());
    assert_eq!(client.poll_event(), None);
    let discarded = client.discarded();
    assert_eq!(discarded.unknown_epoch, 1);
    assert_eq!(discarded.bad_mac, 1);
}

/// Old message_seq values in epoch 0: before the fix each made the client send its whole
/// certificate flight again. The client has no flight left to send after the handshake; the
/// server keeps its last flight (RFC 6347 §4.2.4) and sends it at most once per half timer.
#[test]
fn forged_handshake_records_after_the_handshake_resend_at_most_once() {
    let (mut client, mut server, now) = connected_pair();
    let (mut client_sent, mut server_sent) = (0, 0);
    for (i, message_seq) in (0u16..40).map(|s| s % 4).enumerate() {
        let body = fragment(16, 4, message_seq, 0, &[0; 4]);
        let forged = record(ContentType::HANDSHAKE, 0, 500 + i as u64, &body);
        let _ = client.handle_receive(now, receive(addr(SERVER), addr(CLIENT), &forged));
        let _ = server.handle_receive(now, receive(addr(CLIENT), addr(SERVER), &forged));
        client_sent += drain(now, &mut client).len();
        server_sent += drain(now, &mut server).len();
    }
    assert_eq!(client_sent, 0);
    assert!(server_sent <= 1, "{server_sent} datagrams");
    assert!(client.is_connected() && server.is_connected());
    assert_eq!(client.discarded().unprotected, 40);
    assert_eq!(server.discarded().unprotected, 40);
    assert_eq!(client.poll_event(), None);
    assert_eq!(server.poll_event(), None);
}

/// A spoofed ClientHello, then one datagram of 56 tiny repeated fragments of it: before the
/// fix, 56 HelloVerifyRequests went to the spoofed victim.
#[test]
fn a_server_without_a_verified_cookie_never_sends_more_than_it_received() {
    let (mut client, mut server, now) = pair(|_| {});
    let hello = drain(now, &mut client).remove(0);
    let victim = addr(4444);
    let mut received = hello.len();
    server
        .handle_receive(now, receive(victim, addr(SERVER), &hello))
        .unwrap();
    let first = drain(now, &mut server);
    assert_eq!(first.len(), 1, "one HelloVerifyRequest");
    let mut sent: usize = first.iter().map(Vec::len).sum();
    assert!(sent <= received);

    // The ClientHello's message_seq is 0: tiny fragments of it are retransmissions.
    let record_of_hello = Record::iter(&hello).next().unwrap().unwrap();
    let total_len = u32::from_be_bytes([0, hello[14], hello[15], hello[16]]);
    assert_eq!(record_of_hello.header.content_type, ContentType::HANDSHAKE);
    let mut flood = Vec::new();
    for i in 0..56u64 {
        let piece = fragment(1, total_len, 0, i as u32, &[hello[25 + i as usize]]);
        flood.extend(record(ContentType::HANDSHAKE, 0, 100 + i, &piece));
    }
    received += flood.len();
    let _ = server.handle_receive(now, receive(victim, addr(SERVER), &flood));
    let answers = drain(now, &mut server);
    assert!(answers.len() <= 1, "{} datagrams", answers.len());
    sent += answers.iter().map(Vec::len).sum::<usize>();
    assert!(sent <= received, "sent {sent} for {received}");

    // Tiny datagrams, one after another, never buy more than they bring.
    for i in 0..50u64 {
        let piece = fragment(1, total_len, 0, 0, &hello[25..26]);
        let tiny = record(ContentType::HANDSHAKE, 0, 300 + i, &piece);
        received += tiny.len();
        let _ = server.handle_receive(
            now + Duration::from_secs(i),
            receive(victim, addr(SERVER), &tiny),
        );
        sent += drain(now, &mut server).iter().map(Vec::len).sum::<usize>();
        assert!(sent <= received, "sent {sent} for {received}");
    }
}

/// During the handshake a repeated peer flight makes ours go again once per datagram, and
/// not again until half the retransmission timeout has passed.
#[test]
fn repeated_peer_flights_resend_ours_at_most_once_per_datagram_and_half_timer() {
    let (mut client, mut server, now) = pair(|c| c.require_cookie = false);
    let hello = drain(now, &mut client);
    assert_eq!(hello.len(), 1);
    server
        .handle_receive(now, receive(addr(CLIENT), addr(SERVER), &hello[0]))
        .unwrap();
    let flight = drain(now, &mut server);
    assert!(!flight.is_empty());

    // The same ClientHello record 20 times in one datagram, each with a fresh sequence number.
    let original = Record::iter(&hello[0]).next().unwrap().unwrap();
    let payload = &hello[0][13..original.len()];
    let mut repeated = Vec::new();
    for i in 0..20 {
        repeated.extend(record(ContentType::HANDSHAKE, 0, 10 + i, payload));
    }
    let mut t = now + Duration::from_millis(600);
    let _ = server.handle_receive(t, receive(addr(CLIENT), addr(SERVER), &repeated));
    assert_eq!(drain(t, &mut server).len(), flight.len(), "one resend");

    // Again at once: too soon (the timer runs at 1 s; half of it has not passed).
    t += Duration::from_millis(100);
    let once_more = record(ContentType::HANDSHAKE, 0, 40, payload);
    let _ = server.handle_receive(t, receive(addr(CLIENT), addr(SERVER), &once_more));
    assert!(drain(t, &mut server).is_empty());

    t += Duration::from_millis(500);
    let later = record(ContentType::HANDSHAKE, 0, 41, payload);
    let _ = server.handle_receive(t, receive(addr(CLIENT), addr(SERVER), &later));
    assert_eq!(drain(t, &mut server).len(), flight.len());
}

/// The NSS key log line (for Wireshark) exists only once connected, is the same on both ends,
/// and is `CLIENT_RANDOM`, 32 bytes and 48 bytes in hex. Forged records around it change
/// nothing of it.
#[test]
fn the_key_log_line_appears_once_connected_and_both_ends_agree() {
    let (mut client, mut server, now) = pair(|_| {});
    assert_eq!(client.key_log_line(), None);
    assert_eq!(server.key_log_line(), None);
    pump(now, &mut client, &mut server);
    let line = client.key_log_line().unwrap();
    assert_eq!(server.key_log_line().as_deref(), Some(line.as_str()));
    let fields: Vec<&str> = line.split(' ').collect();
    assert_eq!(fields[0], "CLIENT_RANDOM");
    assert_eq!((fields[1].len(), fields[2].len()), (64, 96));
    assert!(
        fields[1..]
            .iter()
            .all(|f| f.bytes().all(|b| b.is_ascii_hexdigit()))
    );
    let forged = record(ContentType::ALERT, 1, 99, &[2, 20]);
    let _ = server.handle_receive(now, receive(addr(CLIENT), addr(SERVER), &forged));
    assert_eq!(server.key_log_line().as_deref(), Some(line.as_str()));
}
