//! TURN server relay throughput: packets per second per core through `handle_receive` and
//! `poll_transmit` of one allocation with a permission and a bound channel, for ChannelData
//! client to peer and peer to client, a Send indication to a peer and a Data indication back,
//! at 160-byte (audio) and 1200-byte (video) payloads. The server is warm: buffers recycled,
//! nothing allocated per packet.
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sansrtc_proto::{Protocol, Receive, SansIo};
use sansrtc_stun::credentials::{PasswordPrep, long_term_key};
use sansrtc_stun::turn_server::{TurnServer, TurnServerConfig};
use sansrtc_stun::wire::{
    Attribute, ChannelNumber, Class, Message, MessageBuilder, Method, TransactionId,
    password_algorithm, write_channel_data,
};
use std::hint::black_box;
use std::net::SocketAddr;
use std::time::Instant;

fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

const CLIENT: &str = "203.0.113.5:5000";
const LISTEN: &str = "198.51.100.1:3478";
const RELAY: &str = "198.51.100.1:49152";
const PEER: &str = "198.51.100.9:7000";
const PEER2: &str = "198.51.100.10:7000";

fn feed(server: &mut TurnServer, now: Instant, from: &str, to: &str, bytes: &[u8]) -> Vec<u8> {
    server
        .handle_receive(
            now,
            Receive {
                proto: Protocol::Udp,
                source: sa(from),
                destination: sa(to),
                contents: bytes,
            },
        )
        .unwrap();
    let mut buf = Vec::new();
    let t = server.poll_transmit(now, &mut buf).unwrap();
    buf.truncate(t.size);
    buf
}

/// A server with one allocation, a permission for PEER2 and channel 0x4000 bound to PEER.
fn server(now: Instant) -> TurnServer {
    let mut config = TurnServerConfig::new("bench.example")
        .user("alice", "secret")
        .relay_pool([sa(RELAY)]);
    config.rng_seed = Some([1; 32]);
    let mut server = TurnServer::new(config, now);
    let key = long_term_key(
        "alice",
        "bench.example",
        "secret",
        password_algorithm::MD5,
        PasswordPrep::OpaqueString,
    )
    .unwrap();
    let request = |id: u8, method: Method, attrs: &[Attribute<'_>], nonce: Option<&str>| {
        let mut out = Vec::new();
        let mut b = MessageBuilder::new(&mut out, Class::Request, method, TransactionId([id; 12]));
        for a in attrs {
            b.add(a).unwrap();
        }
        if let Some(nonce) = nonce {
            b.add(&Attribute::Username("alice")).unwrap();
            b.add(&Attribute::Realm("bench.example")).unwrap();
            b.add(&Attribute::Nonce(nonce)).unwrap();
            b.add_message_integrity(&key).unwrap();
        }
        b.add_fingerprint().unwrap();
        out
    };
    let challenge = feed(
        &mut server,
        now,
        CLIENT,
        LISTEN,
        &request(
            1,
            Method::ALLOCATE,
            &[Attribute::RequestedTransport(17)],
            None,
        ),
    );
    let nonce = Message::parse(&challenge)
        .unwrap()
        .nonce()
        .unwrap()
        .to_owned();
    let steps: [(Method, Vec<Attribute<'_>>); 3] = [
        (Method::ALLOCATE, vec![Attribute::RequestedTransport(17)]),
        (
            Method::CREATE_PERMISSION,
            vec![Attribute::XorPeerAddress(sa(PEER2))],
        ),
        (
            Method::CHANNEL_BIND,
            vec![
                Attribute::ChannelNumber(0x4000),
                Attribute::XorPeerAddress(sa(PEER)),
            ],
        ),
    ];
    for (i, (method, attrs)) in steps.iter().enumerate() {
        let id = u8::try_from(i).unwrap() + 2;
        let response = feed(
            &mut server,
            now,
            CLIENT,
            LISTEN,
            &request(id, *method, attrs, Some(&nonce)),
        );
        assert!(Message::parse(&response).unwrap().error_code().is_none());
    }
    server
}

fn relay(c: &mut Criterion) {
    #[expect(
        clippy::disallowed_methods,
        reason = "a bench needs one real Instant as its epoch"
    )]
    let now = Instant::now();
    for size in [160usize, 1200] {
        let payload = vec![0x5a; size];
        let mut channel_data = Vec::new();
        write_channel_data(&mut channel_data, ChannelNumber::MIN, &payload, false).unwrap();
        let mut send = Vec::new();
        let mut b = MessageBuilder::new(
            &mut send,
            Class::Indication,
            Method::SEND,
            TransactionId([9; 12]),
        );
        b.add(&Attribute::XorPeerAddress(sa(PEER2))).unwrap();
        b.add(&Attribute::Data(&payload)).unwrap();
        b.finish();
        let paths: [(&str, &str, &str, &[u8]); 4] = [
            ("channel_data_client_to_peer", CLIENT, LISTEN, &channel_data),
            ("channel_data_peer_to_client", PEER, RELAY, &payload),
            ("send_indication_to_peer", CLIENT, LISTEN, &send),
            ("data_indication_to_client", PEER2, RELAY, &payload),
        ];
        let mut group = c.benchmark_group(format!("turn_server/relay_{size}B"));
        group.throughput(Throughput::Elements(1));
        for (name, from, to, bytes) in paths {
            let mut server = server(now);
            let (source, destination) = (sa(from), sa(to));
            let mut buf = Vec::with_capacity(2048);
            group.bench_function(name, |b| {
                b.iter(|| {
                    server
                        .handle_receive(
                            now,
                            Receive {
                                proto: Protocol::Udp,
                                source,
                                destination,
                                contents: black_box(bytes),
                            },
                        )
                        .unwrap();
                    black_box(server.poll_transmit(now, &mut buf).unwrap().size)
                });
            });
        }
        group.finish();
    }
}

criterion_group!(benches, relay);
criterion_main!(benches);
