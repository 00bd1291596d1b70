//! The TURN server's relay paths allocate nothing in steady state: ChannelData client to
//! peer and peer to client, Send indication to a peer and Data indication back. Counted with
//! dhat's testing mode (one test per binary: dhat's profiler is global).

mod turn_server_common;

use sansrtc_proto::{Protocol, Receive, SansIo};
use sansrtc_stun::wire::{
    Attribute, ChannelNumber, Class, MessageBuilder, Method, TransactionId, write_channel_data,
};
use turn_server_common::*;

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

fn blocks() -> u64 {
    dhat::HeapStats::get().total_blocks
}

fn relay_paths_allocate_nothing() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let mut w = World::new(server_config());
    let mut raw = RawClient::new(&mut w, sa(CLIENT), PASSWORD);
    let peer2 = sa("198.51.100.10:7000");
    assert_eq!(
        raw.request(
            &mut w,
            Method::ALLOCATE,
            &[Attribute::RequestedTransport(17)]
        ),
        None
    );
    assert_eq!(
        raw.request(
            &mut w,
            Method::CREATE_PERMISSION,
            &[Attribute::XorPeerAddress(peer2)]
        ),
        None
    );
    assert_eq!(
        raw.request(
            &mut w,
            Method::CHANNEL_BIND,
            &[
                Attribute::ChannelNumber(0x4000),
                Attribute::XorPeerAddress(sa(PEER)),
            ]
        ),
        None
    );
    let relay = sa(RELAY);
    let payload = [0xabu8; 1000];
    let mut channel_data = Vec::new();
    write_channel_data(&mut channel_data, ChannelNumber::MIN, &payload, false).unwrap();
    let mut send = Vec::new();
    let mut b = MessageBuilder::new(
        &mut send,
        Class::Indication,
        Method::SEND,
        TransactionId([3; 12]),
    );
    b.add(&Attribute::XorPeerAddress(peer2)).unwrap();
    b.add(&Attribute::Data(&payload)).unwrap();
    b.finish();

    let now = w.now;
    let server = &mut w.server;
    let mut buf = Vec::with_capacity(2048);
    let round = |server: &mut sansrtc_stun::turn_server::TurnServer,
                 buf: &mut Vec<u8>,
                 source,
                 destination,
                 contents: &[u8],
                 expect: usize| {
        server
            .handle_receive(
                now,
                Receive {
                    proto: Protocol::Udp,
                    source,
                    destination,
                    contents,
                },
            )
            .unwrap();
        let t = server.poll_transmit(now, buf).unwrap();
        assert_eq!(t.size, expect);
    };
    let paths: [(
        &str,
        std::net::SocketAddr,
        std::net::SocketAddr,
        &[u8],
        usize,
    ); 4] = [
        (
            "ChannelData client to peer",
            sa(CLIENT),
            sa(LISTEN),
            &channel_data,
            1000,
        ),
        (
            "ChannelData peer to client",
            sa(PEER),
            relay,
            &payload,
            1004,
        ),
        (
            "Send indication to peer",
            sa(CLIENT),
            sa(LISTEN),
            &send,
            1000,
        ),
        (
            "Data indication to client",
            peer2,
            relay,
            &payload,
            20 + 12 + 4 + 1000,
        ),
    ];
    for (_, source, destination, contents, expect) in paths {
        for _ in 0..8 {
            round(server, &mut buf, source, destination, contents, expect);
        }
    }
    for (name, source, destination, contents, expect) in paths {
        let before = blocks();
        for _ in 0..1000 {
            round(server, &mut buf, source, destination, contents, expect);
        }
        let allocated = blocks() - before;
        assert_eq!(allocated, 0, "{name}");
    }
    assert_eq!(server.stats().relayed_to_peers, 2 * 1008);
}

/// One thread only (`harness = false` in Cargo.toml): dhat counts every thread's
/// allocations, and libtest's main thread allocates while a test runs.
fn main() {
    relay_paths_allocate_nothing();
    println!("test relay_paths_allocate_nothing ... ok");
}
