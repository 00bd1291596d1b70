//! Steady-state hot paths allocate nothing: decoding and checking an ICE Binding request,
//! encoding one, and relaying ChannelData through the TURN client once its buffers are warm.
//! Counted with dhat's testing mode (one test per binary: dhat's profiler is global).

use sansrtc_proto::SansIo;
use sansrtc_stun::credentials::{PasswordPrep, short_term_key};
use sansrtc_stun::wire::{Attribute, Class, Message, MessageBuilder, Method, TransactionId};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

const REQUEST: &str = "000100582112a442b7e7a701bc34d686fa87dfae802200105354554e207465737420636c69656e74002400046e0001ff80290008932ff9b151263b36000600096576746a3a68367659202020000800149aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a280280004e57a3bcf";

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn blocks() -> u64 {
    dhat::HeapStats::get().total_blocks
}

fn hot_paths_allocate_nothing() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let bytes = hex(REQUEST);
    let key = short_term_key("VOkJxbRl1RmTxUk/WvJxBt", PasswordPrep::OpaqueString).unwrap();
    let mut out = Vec::with_capacity(512);

    let before = blocks();
    for _ in 0..1000 {
        let m = Message::parse(&bytes).unwrap();
        m.verify_integrity(&key).unwrap();
        m.verify_fingerprint().unwrap();
        assert_eq!(m.username(), Some("evtj:h6vY"));
        assert!(m.typed_attributes().all(|a| a.is_ok()));
    }
    let allocated = blocks() - before;
    dhat::assert_eq!(allocated, 0);

    let before = blocks();
    for _ in 0..1000 {
        out.clear();
        let mut b = MessageBuilder::new(
            &mut out,
            Class::Request,
            Method::BINDING,
            TransactionId([7; 12]),
        );
        b.add(&Attribute::Username("evtj:h6vY")).unwrap();
        b.add(&Attribute::Priority(7)).unwrap();
        b.add_message_integrity(&key).unwrap();
        b.add_fingerprint().unwrap();
        b.finish();
    }
    let allocated = blocks() - before;
    dhat::assert_eq!(allocated, 0);

    turn_channel_data_send_path();
}

/// Relaying to a peer over a bound channel, UDP: `send_to` then `poll_transmit`, with the
/// client's datagram pool and the caller's buffer warm.
fn turn_channel_data_send_path() {
    use sansrtc_proto::{Protocol, Receive};
    use sansrtc_stun::credentials::long_term_key;
    use sansrtc_stun::turn::{TurnClient, TurnConfig, TurnEvent, TurnTransport};
    use sansrtc_stun::wire::{ErrorCode, password_algorithm};
    use std::time::{Duration, Instant};

    #[expect(
        clippy::disallowed_methods,
        reason = "a test needs one real Instant as its epoch"
    )]
    let now = Instant::now();
    let server = "198.51.100.1:3478".parse().unwrap();
    let local = "10.0.0.2:5000".parse().unwrap();
    let peer = "198.51.100.9:7000".parse().unwrap();
    let mut config = TurnConfig::new(server, local, TurnTransport::Udp, "u", "p");
    config.rng_seed = Some([1; 32]);
    let mut client = TurnClient::new(config, now).unwrap();
    let key = long_term_key(
        "u",
        "r",
        "p",
        password_algorithm::MD5,
        PasswordPrep::OpaqueString,
    )
    .unwrap();
    let mut buf = Vec::with_capacity(2048);
    // Plays the server for each request the client sends.
    let answer = |client: &mut TurnClient, buf: &mut Vec<u8>, success: &[Attribute<'_>]| {
        let t = client.poll_transmit(now, buf).unwrap();
        let request = Message::parse(t.contents(buf)).unwrap();
        let signed = request.has_integrity();
        let mut reply = Vec::new();
        let class = if signed { Class::Success } else { Class::Error };
        let mut b = MessageBuilder::new(
            &mut reply,
            class,
            request.method(),
            request.transaction_id(),
        );
        if signed {
            for a in success {
                b.add(a).unwrap();
            }
            b.add_message_integrity(&key).unwrap();
        } else {
            b.add(&Attribute::ErrorCode(ErrorCode::new(401))).unwrap();
            b.add(&Attribute::Realm("r")).unwrap();
            b.add(&Attribute::Nonce("n")).unwrap();
        }
        b.finish();
        client
            .handle_receive(
                now,
                Receive {
                    proto: Protocol::Udp,
                    source: server,
                    destination: local,
                    contents: &reply,
                },
            )
            .unwrap();
    };
    client.allocate(now).unwrap();
    let allocated = [
        Attribute::XorRelayedAddress("198.51.100.1:49152".parse().unwrap()),
        Attribute::Lifetime(600),
    ];
    answer(&mut client, &mut buf, &allocated);
    answer(&mut client, &mut buf, &allocated);
    client.bind_channel(now, peer).unwrap();
    answer(&mut client, &mut buf, &[]);
    while let Some(event) = client.poll_event() {
        if let TurnEvent::AllocationFailed(f) = event {
            panic!("{f:?}");
        }
    }
    let payload = [0u8; 1000];
    // Warm up the client's datagram pool and the caller's buffer.
    for _ in 0..4 {
        client.send_to(now, peer, &payload).unwrap();
        let _ = client.poll_transmit(now, &mut buf).unwrap();
    }
    let before = blocks();
    for _ in 0..1000 {
        client
            .send_to(now + Duration::from_millis(1), peer, &payload)
            .unwrap();
        let t = client
            .poll_transmit(now + Duration::from_millis(1), &mut buf)
            .unwrap();
        assert_eq!(
            t.size, 1004,
            "ChannelData: 4-byte header, no padding over UDP"
        );
    }
    let allocated = blocks() - before;
    dhat::assert_eq!(allocated, 0);
}

/// One thread only (`harness = false` in Cargo.toml): dhat counts every thread's
/// allocations, and libtest's main thread allocates while a test runs.
fn main() {
    hot_paths_allocate_nothing();
    println!("test hot_paths_allocate_nothing ... ok");
}
