//! Memory of a connected, idle `Endpoint`: its inline size plus the heap it holds, over 200
//! connected pairs, measured with dhat's heap counter after 300 s of idle virtual time. Once
//! the last flight can no longer be needed (RFC 6347 §4.2.4) an endpoint keeps only its
//! record layer and session summary, and idle buffers go back to zero capacity.
//!
//! `cargo test -p sansrtc-dtls --test connected_endpoint_memory -- --nocapture` prints the
//! figure recorded in `docs/benchmarks.md`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sansrtc_dtls::endpoint::{Config, Endpoint, Event, Role};
use sansrtc_dtls::identity::Identity;
use sansrtc_proto::{Protocol, Receive, SansIo};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

/// The budget of the PeerConnection plan: 2 KiB for a connected, idle DTLS endpoint.
const BUDGET: usize = 2048;

const PAIRS: usize = 200;

#[expect(
    clippy::disallowed_methods,
    reason = "an arbitrary starting instant for virtual time"
)]
fn start() -> Instant {
    Instant::now()
}

fn pass(now: Instant, from: &mut Endpoint, to: &mut Endpoint, buf: &mut Vec<u8>) -> bool {
    let mut moved = false;
    while let Some(t) = from.poll_transmit(now, buf) {
        moved = true;
        let receive = Receive {
            proto: Protocol::Udp,
            source: t.source,
            destination: t.destination,
            contents: &buf[..t.size],
        };
        let _ = to.handle_receive(now, receive);
    }
    moved
}

fn fire_timers(now: Instant, endpoint: &mut Endpoint) {
    if endpoint.poll_timeout().is_some_and(|t| t <= now) {
        endpoint.handle_timeout(now);
    }
}

fn a_connected_idle_endpoint_holds_at_most_two_kib() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let (a, b) = (
        Arc::new(Identity::generate().unwrap()),
        Arc::new(Identity::generate().unwrap()),
    );
    let (ca, sa): (SocketAddr, SocketAddr) = (
        "127.0.0.1:1".parse().unwrap(),
        "127.0.0.1:2".parse().unwrap(),
    );
    let now = start();
    let mut buf = Vec::with_capacity(2048);
    let mut out = Vec::with_capacity(2048);
    let before = dhat::HeapStats::get().curr_bytes;

    let mut endpoints: Vec<Endpoint> = Vec::with_capacity(2 * PAIRS);
    for _ in 0..PAIRS {
        let mut client_config = Config::new(Role::Client, a.clone(), vec![b.fingerprint()]);
        let mut server_config = Config::new(Role::Server, b.clone(), vec![a.fingerprint()]);
        client_config.application_data_events = false;
        server_config.application_data_events = false;
        let mut client = Endpoint::new(client_config, now, ca, sa).unwrap();
        let mut server = Endpoint::new(server_config, now, sa, ca).unwrap();
        for _ in 0..8 {
            let moved = pass(now, &mut client, &mut server, &mut buf);
            if !pass(now, &mut server, &mut client, &mut buf) && !moved {
                break;
            }
        }
        assert!(matches!(client.poll_event(), Some(Event::Connected { .. })));
        assert!(matches!(server.poll_event(), Some(Event::Connected { .. })));
        // Some traffic, so the data path's buffers have been used.
        for _ in 0..4 {
            client.send_application_data(&[7; 1200]).unwrap();
            server.send_application_data(&[9; 1200]).unwrap();
            pass(now, &mut client, &mut server, &mut buf);
            pass(now, &mut server, &mut client, &mut buf);
            assert!(client.recv_application_data(&mut out));
            assert!(server.recv_application_data(&mut out));
        }
        endpoints.push(client);
        endpoints.push(server);
    }

    // Idle for 300 s of virtual time, firing every timer that comes due.
    let mut t = now;
    while t < now + Duration::from_secs(300) {
        t += Duration::from_secs(1);
        for endpoint in &mut endpoints {
            fire_timers(t, endpoint);
            assert!(endpoint.poll_transmit(t, &mut buf).is_none());
        }
    }
    assert!(endpoints.iter().all(|e| e.is_connected()));
    assert!(
        endpoints.iter().all(|e| e.poll_timeout().is_none()),
        "an idle connected endpoint has no timer left"
    );

    let held = dhat::HeapStats::get().curr_bytes - before;
    let per_endpoint = held / endpoints.len();
    let inline = size_of::<Endpoint>();
    println!(
        "connected idle endpoint: {per_endpoint} bytes ({inline} inline, {} heap), {} endpoints",
        per_endpoint - inline,
        endpoints.len()
    );
    assert!(
        per_endpoint <= BUDGET,
        "{per_endpoint} bytes per endpoint, budget {BUDGET}"
    );

    // And it still works.
    let (first, rest) = endpoints.split_at_mut(1);
    first[0].send_application_data(b"after idle").unwrap();
    pass(t, &mut first[0], &mut rest[0], &mut buf);
    assert!(rest[0].recv_application_data(&mut out));
    assert_eq!(out, b"after idle");
}

/// One thread only (`harness = false` in Cargo.toml): dhat counts every thread's
/// allocations, and libtest's main thread allocates while a test runs.
fn main() {
    a_connected_idle_endpoint_holds_at_most_two_kib();
    println!("test a_connected_idle_endpoint_holds_at_most_two_kib ... ok");
}
