//! Fuzzes the Binding client and the tiny Binding server (`sansrtc_stun::binding`): arbitrary
//! datagrams into `handle_receive`, then a drain of `poll_transmit` and `poll_event`.
//!
//! Oracles: the server answers at most one datagram per accepted request, and what it sends
//! parses as a Binding response with the request's transaction id; the client never emits an
//! event for a rejected datagram.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use sansrtc_proto::{Protocol, Receive, SansIo};
use sansrtc_stun::binding::{BindingClient, BindingConfig, BindingServer};
use sansrtc_stun::wire::{Class, Message, Method};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

fuzz_target!(|data: &[u8]| {
    let t0 = Instant::now();
    let server_addr: SocketAddr = "127.0.0.1:3478".parse().unwrap();
    let client_addr: SocketAddr = "127.0.0.1:50000".parse().unwrap();
    let rx = |source, destination, contents| Receive {
        proto: Protocol::Udp,
        source,
        destination,
        contents,
    };

    // The server, with every input as a request from the client.
    let mut server = BindingServer::new(Some("fuzz".to_owned()));
    let accepted = server
        .handle_receive(t0, rx(client_addr, server_addr, data))
        .is_ok();
    let mut buf = Vec::new();
    let mut answers = 0;
    while let Some(t) = server.poll_transmit(t0, &mut buf) {
        answers += 1;
        let response = Message::parse(t.contents(&buf)).expect("the server sends valid STUN");
        let request = Message::parse(data).expect("an answered request parsed");
        assert_eq!(response.transaction_id(), request.transaction_id());
        assert_eq!(response.method(), Method::BINDING);
        assert!(matches!(response.class(), Class::Success | Class::Error));
        assert_eq!(t.destination, client_addr);
    }
    assert_eq!(answers, usize::from(accepted));

    // The client, with a request outstanding, given the input as the server's answer.
    let mut config = BindingConfig::new(server_addr, client_addr);
    config.rng_seed = Some([5; 32]);
    let mut client = BindingClient::new(config, t0);
    client.start(t0);
    while client.poll_transmit(t0, &mut buf).is_some() {}
    let result = client.handle_receive(
        t0 + Duration::from_millis(10),
        rx(server_addr, client_addr, data),
    );
    let events = std::iter::from_fn(|| client.poll_event()).count();
    if result.is_err() {
        assert_eq!(events, 0, "a rejected datagram produced an event");
    }
    client.handle_timeout(t0 + Duration::from_secs(60));
    while client
        .poll_transmit(t0 + Duration::from_secs(60), &mut buf)
        .is_some()
    {}
});
