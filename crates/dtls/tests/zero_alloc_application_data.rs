//! Once connected, sending and receiving application data through the `Endpoint` allocates
//! nothing when data is read with `recv_application_data` (buffers are recycled). Counted with
//! dhat's testing mode (one test per binary: dhat's profiler is global).

use std::sync::Arc;
use std::time::Instant;

use sansrtc_dtls::endpoint::{Config, Endpoint, Event, Role};
use sansrtc_dtls::identity::Identity;
use sansrtc_proto::{Protocol, Receive, SansIo};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

#[expect(
    clippy::disallowed_methods,
    reason = "an arbitrary starting instant for virtual time"
)]
fn start() -> Instant {
    Instant::now()
}

fn pass(now: Instant, from: &mut Endpoint, to: &mut Endpoint, buf: &mut Vec<u8>) {
    while let Some(t) = from.poll_transmit(now, buf) {
        let receive = Receive {
            proto: Protocol::Udp,
            source: t.source,
            destination: t.destination,
            contents: &buf[..t.size],
        };
        to.handle_receive(now, receive).unwrap();
    }
}

fn steady_state_application_data_allocates_nothing() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let (a, b) = (
        Arc::new(Identity::generate().unwrap()),
        Arc::new(Identity::generate().unwrap()),
    );
    let mut client_config = Config::new(Role::Client, a.clone(), vec![b.fingerprint()]);
    let mut server_config = Config::new(Role::Server, b, vec![a.fingerprint()]);
    client_config.application_data_events = false;
    server_config.application_data_events = false;
    let now = start();
    let (ca, sa) = (
        "127.0.0.1:1".parse().unwrap(),
        "127.0.0.1:2".parse().unwrap(),
    );
    let mut client = Endpoint::new(client_config, now, ca, sa).unwrap();
    let mut server = Endpoint::new(server_config, now, sa, ca).unwrap();
    let mut buf = Vec::with_capacity(2048);
    for _ in 0..4 {
        pass(now, &mut client, &mut server, &mut buf);
        pass(now, &mut server, &mut client, &mut buf);
    }
    assert!(matches!(client.poll_event(), Some(Event::Connected { .. })));
    assert!(matches!(server.poll_event(), Some(Event::Connected { .. })));
    let payload = vec![0x5a; 1200];
    let mut out = Vec::with_capacity(2048);
    let round =
        |client: &mut Endpoint, server: &mut Endpoint, buf: &mut Vec<u8>, out: &mut Vec<u8>| {
            client.send_application_data(&payload).unwrap();
            pass(now, client, server, buf);
            assert!(server.recv_application_data(out));
            assert_eq!(out.len(), 1200);
            server.send_application_data(out).unwrap();
            pass(now, server, client, buf);
            assert!(client.recv_application_data(out));
        };
    // Warm up the recycled buffers.
    for _ in 0..4 {
        round(&mut client, &mut server, &mut buf, &mut out);
    }
    let before = dhat::HeapStats::get().total_blocks;
    for _ in 0..1000 {
        round(&mut client, &mut server, &mut buf, &mut out);
    }
    let allocated = dhat::HeapStats::get().total_blocks - before;
    dhat::assert_eq!(allocated, 0);
    assert_eq!(
        server.poll_event(),
        None,
        "no events when data is read with recv"
    );
}

/// One thread only (`harness = false` in Cargo.toml): dhat counts every thread's
/// allocations, and libtest's main thread allocates while a test runs.
fn main() {
    steady_state_application_data_allocates_nothing();
    println!("test steady_state_application_data_allocates_nothing ... ok");
}
