//! DTLS 1.2: ours against the `dimpl` 0.9 crate (Sans-IO DTLS in Rust) in the same run, with
//! TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 and ECDSA P-256 certificates on both sides. dimpl
//! runs twice: with its default provider (aws-lc-rs: AWS-LC's C and assembly) and with its
//! pure-Rust RustCrypto provider. Ours uses ring.
//!
//! `dtls/handshake/{X25519,P-256}`: one full mutual-authentication handshake per iteration,
//! client and server CPU together, ECDHE over the named group. The suite is the only one
//! configured on both sides; the group is listed first on both, with P-256 after X25519
//! because a TLS 1.2 server's ECDSA certificate curve must be in the client's supported_groups
//! (RFC 8422 §5.1.1), which our server enforces. One untimed handshake per configuration reads
//! the suite and group back from the server's ServerHello and ServerKeyExchange. Each
//! iteration constructs both endpoints (ours: a `Config` clone and `Endpoint::new`; dimpl:
//! `Dtls::new_12` with a clone of its certificate and key, which it parses there), moves the
//! datagrams between them in memory until both report connected, checks the peer certificate
//! against its SHA-256 fingerprint (ours inside the endpoint; dimpl hands the certificate out
//! and the bench checks it with the same function), and exports the DTLS-SRTP keying material
//! on both sides (dimpl does it unasked on connect; ours is asked for it). Both negotiate
//! use_srtp with their default profile lists (ours picks AEAD_AES_128_GCM, 56 bytes of keying
//! material; dimpl AEAD_AES_256_GCM, 88 bytes). Certificates and keys are made once, outside
//! the timing. "cookie" is the default of both (a HelloVerifyRequest round trip first);
//! "no cookie" turns it off on both servers.
//!
//! `dtls/record_1200B/{seal,open}`: protection of one 1200-byte application_data record per
//! iteration, AES-128-GCM, after a handshake.
//! - `sansrtc RecordLayer`: our record layer alone (`RecordLayer::seal` into a reused
//!   datagram buffer; `RecordHeader::parse` and `RecordLayer::open` with the replay window).
//!   Open copies a pre-sealed record into a working buffer each iteration (it decrypts in
//!   place), from a ring of 1024 with distinct sequence numbers; the layer starts afresh when
//!   the ring wraps.
//! - `sansrtc Endpoint` and `dimpl`: the public API an application uses.
//!   Seal: `send_application_data`, then poll the endpoint until it is empty (ours:
//!   `poll_transmit` into a reused buffer; dimpl: `poll_output` until `Timeout`).
//!   Open: `handle_receive` + `poll_event` (ours) or `handle_packet` + `poll_output` until
//!   `Timeout` (dimpl) on a fresh record: records are sealed by the peer in batches of 256
//!   outside the timing, so every sequence number is new.
//!
//! `dtls/primitives`: ring's AES-128-GCM, ECDHE and ECDSA P-256 alone, the floor under ours.
//! A handshake costs at least two ECDHE key pairs and agreements, two signatures and two
//! verifications.
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use dimpl::crypto::{CryptoProvider, Dtls12CipherSuite};
use sansrtc_dtls::endpoint::{Config, Endpoint, Event, Role};
use sansrtc_dtls::identity::{Fingerprint, FingerprintHash, Identity};
use sansrtc_dtls::record::{AeadAlgorithm, RecordKey, RecordLayer, WriteEpochChoice};
use sansrtc_dtls::wire::{
    CipherSuite, ContentType, NamedGroup, RECORD_HEADER_LEN, RecordHeader, SrtpProfileId,
};
use sansrtc_proto::{Protocol, Receive, SansIo};
use std::hint::black_box;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

const PAYLOAD: usize = 1200;
/// Pre-sealed records kept for our record layer's open: fits in L2 at 1200 bytes.
const RING: usize = 1024;
/// Records sealed (untimed) per batch for the endpoints' open.
const BATCH: u64 = 256;
const LABEL: &[u8] = b"EXTRACTOR-dtls_srtp";

#[expect(
    clippy::disallowed_methods,
    reason = "benches pick a real epoch for virtual time"
)]
fn epoch() -> Instant {
    Instant::now()
}

fn addr(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

/// The ECDHE groups measured, as (name, ours, dimpl's). Both sides list the group first and
/// P-256 after it: in TLS 1.2 supported_groups also names the curves a client accepts for
/// ECDSA certificates (RFC 8422 §5.1.1), and our server refuses a client that leaves out its
/// certificate's P-256. `check_negotiated` confirms the ServerKeyExchange uses the group.
const GROUPS: [(&str, &[NamedGroup], &[dimpl::NamedGroup]); 2] = [
    (
        "X25519",
        &[NamedGroup::X25519, NamedGroup::SECP256R1],
        &[dimpl::NamedGroup::X25519, dimpl::NamedGroup::Secp256r1],
    ),
    (
        "P-256",
        &[NamedGroup::SECP256R1],
        &[dimpl::NamedGroup::Secp256r1],
    ),
];

/// Walks the handshake messages of a server datagram (record type 22, epoch 0) and, at the
/// start of a ServerHello or ServerKeyExchange, records its cipher suite or named curve.
fn note_server_flight(datagram: &[u8], suite: &mut Option<u16>, group: &mut Option<u16>) {
    let mut at = 0;
    while at + RECORD_HEADER_LEN <= datagram.len() {
        let header = RecordHeader::parse(&datagram[at..]).unwrap();
        let end = at + RECORD_HEADER_LEN + usize::from(header.length);
        let mut fragment = &datagram[at + RECORD_HEADER_LEN..end];
        at = end;
        if header.content_type != ContentType::HANDSHAKE || header.epoch != 0 {
            continue;
        }
        while fragment.len() >= 12 {
            let offset = u32::from_be_bytes([0, fragment[6], fragment[7], fragment[8]]);
            let len = u32::from_be_bytes([0, fragment[9], fragment[10], fragment[11]]) as usize;
            let body = &fragment[12..12 + len];
            match fragment[0] {
                // ServerHello: version, random, session_id, then the suite.
                2 if offset == 0 => {
                    let at = 2 + 32 + 1 + usize::from(body[34]);
                    *suite = Some(u16::from_be_bytes([body[at], body[at + 1]]));
                }
                // ServerKeyExchange: curve_type named_curve (3), then the group.
                12 if offset == 0 && body[0] == 3 => {
                    *group = Some(u16::from_be_bytes([body[1], body[2]]));
                }
                _ => {}
            }
            fragment = &fragment[12 + len..];
        }
    }
}

/// Panics unless the server's flight chose TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 and
/// `group`.
fn check_negotiated(what: &str, suite: Option<u16>, group: Option<u16>, expected: NamedGroup) {
    assert_eq!(
        (suite, group),
        (
            Some(CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256.0),
            Some(expected.0)
        ),
        "{what}: negotiated suite and group"
    );
}

// ---- ours ----

struct OursPair {
    client: Config,
    server: Config,
}

impl OursPair {
    fn new(groups: &[NamedGroup], cookie: bool) -> Self {
        let client_id = Arc::new(Identity::generate().unwrap());
        let server_id = Arc::new(Identity::generate().unwrap());
        let config = |role, id: &Arc<Identity>, peer: &Arc<Identity>| {
            let mut c = Config::new(role, id.clone(), vec![peer.fingerprint()]);
            c.cipher_suites = vec![CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256];
            c.groups = groups.to_vec();
            c.require_cookie = cookie;
            c
        };
        Self {
            client: config(Role::Client, &client_id, &server_id),
            server: config(Role::Server, &server_id, &client_id),
        }
    }

    /// Constructs both endpoints and runs the handshake to the end, exporting the SRTP keying
    /// material on both sides. `inspect` sees every datagram from the server.
    fn handshake(
        &self,
        now: Instant,
        buf: &mut Vec<u8>,
        mut inspect: impl FnMut(&[u8]),
    ) -> (Endpoint, Endpoint) {
        let mut client = Endpoint::new(self.client.clone(), now, addr(1000), addr(2000)).unwrap();
        let mut server = Endpoint::new(self.server.clone(), now, addr(2000), addr(1000)).unwrap();
        let (mut client_done, mut server_done) = (false, false);
        let mut keys = [0u8; 88];
        for _ in 0..16 {
            deliver_all(now, &mut client, &mut server, buf, |_| {});
            deliver_all(now, &mut server, &mut client, buf, &mut inspect);
            client_done |= connected(&mut client, &mut keys);
            server_done |= connected(&mut server, &mut keys);
            if client_done && server_done {
                return (client, server);
            }
        }
        panic!("sansrtc handshake did not complete");
    }
}

/// Moves every pending datagram of `from` into `to`, showing each to `inspect`.
fn deliver_all(
    now: Instant,
    from: &mut Endpoint,
    to: &mut Endpoint,
    buf: &mut Vec<u8>,
    mut inspect: impl FnMut(&[u8]),
) {
    while let Some(t) = from.poll_transmit(now, buf) {
        inspect(&buf[..t.size]);
        to.handle_receive(
            now,
            Receive {
                proto: Protocol::Udp,
                source: t.source,
                destination: t.destination,
                contents: &buf[..t.size],
            },
        )
        .unwrap();
    }
}

/// Drains the events; on `Connected`, exports the keying material as an application would.
fn connected(endpoint: &mut Endpoint, keys: &mut [u8; 88]) -> bool {
    let mut done = false;
    while let Some(event) = endpoint.poll_event() {
        match event {
            Event::Connected { srtp_profile, .. } => {
                let len = match srtp_profile {
                    Some(SrtpProfileId::AEAD_AES_128_GCM) => 56,
                    Some(SrtpProfileId::AEAD_AES_256_GCM) => 88,
                    _ => 60,
                };
                endpoint
                    .export_keying_material(LABEL, None, &mut keys[..len])
                    .unwrap();
                black_box(&keys);
                done = true;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    done
}

// ---- dimpl ----

struct DimplPair {
    config: Arc<dimpl::Config>,
    client_cert: dimpl::DtlsCertificate,
    server_cert: dimpl::DtlsCertificate,
    client_fingerprint: Fingerprint,
    server_fingerprint: Fingerprint,
}

impl DimplPair {
    fn new(provider: CryptoProvider, groups: &[dimpl::NamedGroup], cookie: bool) -> Self {
        let config = dimpl::Config::builder()
            .with_crypto_provider(provider)
            .dtls12_cipher_suites(&[Dtls12CipherSuite::ECDHE_ECDSA_AES128_GCM_SHA256])
            .dtls13_cipher_suites(&[])
            .kx_groups(groups)
            .use_server_cookie(cookie)
            .build()
            .unwrap();
        let config = Arc::new(config);
        let client_cert = dimpl::certificate::generate_self_signed_certificate().unwrap();
        let server_cert = dimpl::certificate::generate_self_signed_certificate().unwrap();
        Self {
            config,
            client_fingerprint: Fingerprint::of(FingerprintHash::Sha256, &client_cert.certificate),
            server_fingerprint: Fingerprint::of(FingerprintHash::Sha256, &server_cert.certificate),
            client_cert,
            server_cert,
        }
    }

    /// Constructs both endpoints and runs the handshake to the end. `inspect` sees every
    /// datagram from the server.
    fn handshake(
        &self,
        now: Instant,
        buf: &mut [u8],
        mut inspect: impl FnMut(&[u8]),
    ) -> (dimpl::Dtls, dimpl::Dtls) {
        let mut client = dimpl::Dtls::new_12(self.config.clone(), self.client_cert.clone(), now);
        client.set_active(true);
        let mut server = dimpl::Dtls::new_12(self.config.clone(), self.server_cert.clone(), now);
        client.handle_timeout(now).unwrap();
        server.handle_timeout(now).unwrap();
        let (mut client_done, mut server_done) = (false, false);
        for _ in 0..16 {
            client_done |= dimpl_drain(
                &mut client,
                &mut server,
                &self.server_fingerprint,
                buf,
                |_| {},
            );
            server_done |= dimpl_drain(
                &mut server,
                &mut client,
                &self.client_fingerprint,
                buf,
                &mut inspect,
            );
            if client_done && server_done {
                return (client, server);
            }
        }
        panic!("dimpl handshake did not complete");
    }
}

/// Polls `from` until `Timeout`, feeding its packets to `to` (showing each to `inspect`) and
/// checking the peer certificate `from` reports against `peer`; whether `from` reported
/// `Connected`.
fn dimpl_drain(
    from: &mut dimpl::Dtls,
    to: &mut dimpl::Dtls,
    peer: &Fingerprint,
    buf: &mut [u8],
    mut inspect: impl FnMut(&[u8]),
) -> bool {
    let mut done = false;
    loop {
        match from.poll_output(buf) {
            dimpl::Output::Packet(p) => {
                inspect(p);
                to.handle_packet(p).unwrap();
            }
            dimpl::Output::Timeout(_) => return done,
            dimpl::Output::Connected => done = true,
            dimpl::Output::PeerCert(der) => assert!(peer.matches(der)),
            dimpl::Output::KeyingMaterial(keys, _) => {
                black_box(&*keys);
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}

/// How dimpl's crypto provider is made.
type MakeProvider = fn() -> CryptoProvider;

/// dimpl's two providers, as (name, constructor).
const DIMPL_PROVIDERS: [(&str, MakeProvider); 2] = [
    (
        "dimpl 0.9 aws-lc-rs",
        dimpl::crypto::aws_lc_rs::default_provider,
    ),
    (
        "dimpl 0.9 RustCrypto",
        dimpl::crypto::rust_crypto::default_provider,
    ),
];

fn handshake(c: &mut Criterion) {
    let now = epoch();
    for (name, ours_groups, their_groups) in GROUPS {
        let mut group = c.benchmark_group(format!("dtls/handshake/{name}"));
        group.throughput(Throughput::Elements(1));
        for cookie in [true, false] {
            let variant = if cookie { "cookie" } else { "no cookie" };
            let pair = OursPair::new(ours_groups, cookie);
            let mut buf = Vec::with_capacity(1500);
            let (mut suite, mut negotiated) = (None, None);
            pair.handshake(now, &mut buf, |d| {
                note_server_flight(d, &mut suite, &mut negotiated);
            });
            check_negotiated("sansrtc", suite, negotiated, ours_groups[0]);
            group.bench_function(format!("sansrtc, {variant}"), |b| {
                b.iter(|| pair.handshake(now, &mut buf, |_| {}));
            });
            for (provider_name, provider) in DIMPL_PROVIDERS {
                let pair = DimplPair::new(provider(), their_groups, cookie);
                let mut buf = vec![0u8; 2048];
                let (mut suite, mut negotiated) = (None, None);
                pair.handshake(now, &mut buf, |d| {
                    note_server_flight(d, &mut suite, &mut negotiated);
                });
                check_negotiated(provider_name, suite, negotiated, ours_groups[0]);
                group.bench_function(format!("{provider_name}, {variant}"), |b| {
                    b.iter(|| pair.handshake(now, &mut buf, |_| {}));
                });
            }
        }
        group.finish();
    }
}

// ---- records ----

fn record_key() -> RecordKey {
    RecordKey::new(AeadAlgorithm::Aes128Gcm, &[0x42; 16], &[0x24; 4]).unwrap()
}

fn seal(c: &mut Criterion) {
    let now = epoch();
    let payload = vec![0xab_u8; PAYLOAD];
    let mut group = c.benchmark_group("dtls/record_1200B/seal");
    group.throughput(Throughput::Elements(1));

    let mut layer = RecordLayer::default();
    layer.advance_write(record_key());
    let mut datagram = Vec::with_capacity(RECORD_HEADER_LEN + PAYLOAD + 64);
    group.bench_function("sansrtc RecordLayer", |b| {
        b.iter(|| {
            datagram.clear();
            layer
                .seal(
                    WriteEpochChoice::Current,
                    ContentType::APPLICATION_DATA,
                    black_box(&payload),
                    &mut datagram,
                )
                .unwrap();
            black_box(datagram.len())
        });
    });

    let mut buf = Vec::with_capacity(1500);
    let (mut client, _server) = OursPair::new(GROUPS[0].1, true).handshake(now, &mut buf, |_| {});
    group.bench_function("sansrtc Endpoint", |b| {
        b.iter(|| {
            client.send_application_data(black_box(&payload)).unwrap();
            let mut size = 0;
            while let Some(t) = client.poll_transmit(now, &mut buf) {
                size += t.size;
            }
            black_box(size)
        });
    });

    for (name, provider) in DIMPL_PROVIDERS {
        let mut buf = vec![0u8; 2048];
        let (mut client, _server) =
            DimplPair::new(provider(), GROUPS[0].2, true).handshake(now, &mut buf, |_| {});
        group.bench_function(name, |b| {
            b.iter(|| {
                client.send_application_data(black_box(&payload)).unwrap();
                let mut size = 0;
                loop {
                    match client.poll_output(&mut buf) {
                        dimpl::Output::Packet(p) => size += p.len(),
                        dimpl::Output::Timeout(_) => break,
                        other => panic!("unexpected {other:?}"),
                    }
                }
                black_box(size)
            });
        });
    }
    group.finish();
}

fn open(c: &mut Criterion) {
    let now = epoch();
    let payload = vec![0xab_u8; PAYLOAD];
    let mut group = c.benchmark_group("dtls/record_1200B/open");
    group.throughput(Throughput::Elements(1));

    let mut sender = RecordLayer::default();
    sender.advance_write(record_key());
    let sealed: Vec<Vec<u8>> = (0..RING)
        .map(|_| {
            let mut d = Vec::new();
            sender
                .seal(
                    WriteEpochChoice::Current,
                    ContentType::APPLICATION_DATA,
                    &payload,
                    &mut d,
                )
                .unwrap();
            d
        })
        .collect();
    let fresh_receiver = || {
        let mut layer = RecordLayer::default();
        layer.advance_read(record_key());
        layer
    };
    let mut receiver = fresh_receiver();
    let mut work = Vec::with_capacity(RECORD_HEADER_LEN + PAYLOAD + 64);
    let mut next = 0;
    group.bench_function("sansrtc RecordLayer", |b| {
        b.iter(|| {
            if next == RING {
                // A new layer so the ring's sequence numbers are new again.
                receiver = fresh_receiver();
                next = 0;
            }
            work.clear();
            work.extend_from_slice(&sealed[next]);
            next += 1;
            let header = RecordHeader::parse(black_box(&work)).unwrap();
            let fragment = &mut work[RECORD_HEADER_LEN..];
            let plain = receiver.open(&header, fragment).unwrap();
            black_box(fragment[plain].len())
        });
    });
    {
        let mut check = fresh_receiver();
        let mut record = sealed[3].clone();
        let header = RecordHeader::parse(&record).unwrap();
        let fragment = &mut record[RECORD_HEADER_LEN..];
        let plain = check.open(&header, fragment).unwrap();
        assert_eq!(fragment[plain], payload[..]);
    }

    let mut buf = Vec::with_capacity(1500);
    let (mut client, mut server) =
        OursPair::new(GROUPS[0].1, true).handshake(now, &mut buf, |_| {});
    let mut seal_one = || {
        client.send_application_data(&payload).unwrap();
        let t = client.poll_transmit(now, &mut buf).unwrap();
        buf[..t.size].to_vec()
    };
    let mut open_one = |record: &mut Vec<u8>| {
        server
            .handle_receive(
                now,
                Receive {
                    proto: Protocol::Udp,
                    source: addr(1000),
                    destination: addr(2000),
                    contents: black_box(record),
                },
            )
            .unwrap();
        let mut len = 0;
        while let Some(event) = server.poll_event() {
            match event {
                Event::ApplicationData(data) => len += data.len(),
                other => panic!("unexpected {other:?}"),
            }
        }
        len
    };
    assert_eq!(open_one(&mut seal_one()), PAYLOAD);
    group.bench_function("sansrtc Endpoint", |b| {
        b.iter_batched_ref(
            &mut seal_one,
            &mut open_one,
            BatchSize::NumIterations(BATCH),
        );
    });

    for (name, provider) in DIMPL_PROVIDERS {
        let mut buf = vec![0u8; 2048];
        let (mut client, mut server) =
            DimplPair::new(provider(), GROUPS[0].2, true).handshake(now, &mut buf, |_| {});
        let mut seal_buf = vec![0u8; 2048];
        let mut seal_one = || {
            client.send_application_data(&payload).unwrap();
            let mut record = Vec::new();
            loop {
                match client.poll_output(&mut seal_buf) {
                    dimpl::Output::Packet(p) => record.extend_from_slice(p),
                    dimpl::Output::Timeout(_) => return record,
                    other => panic!("unexpected {other:?}"),
                }
            }
        };
        let mut open_one = |record: &mut Vec<u8>| {
            server.handle_packet(black_box(record)).unwrap();
            let mut len = 0;
            loop {
                match server.poll_output(&mut buf) {
                    dimpl::Output::ApplicationData(data) => len += data.len(),
                    dimpl::Output::Timeout(_) => return len,
                    other => panic!("unexpected {other:?}"),
                }
            }
        };
        assert_eq!(open_one(&mut seal_one()), PAYLOAD);
        group.bench_function(name, |b| {
            b.iter_batched_ref(
                &mut seal_one,
                &mut open_one,
                BatchSize::NumIterations(BATCH),
            );
        });
    }
    group.finish();
}

/// ring's primitives alone, as the handshake and the record layer use them: the floor under
/// both on this CPU. A handshake does, per side, one ECDHE key pair and agreement, one ECDSA
/// P-256 signature and one verification.
fn primitives(c: &mut Criterion) {
    use ring::{aead, agreement, rand::SystemRandom, signature};
    use signature::KeyPair;

    let mut group = c.benchmark_group("dtls/primitives");
    group.throughput(Throughput::Elements(1));
    let rng = SystemRandom::new();

    let key = aead::LessSafeKey::new(aead::UnboundKey::new(&aead::AES_128_GCM, &[7; 16]).unwrap());
    let mut data = vec![0u8; PAYLOAD];
    group.bench_function("ring AES-128-GCM seal 1200 B, 13 B AAD", |b| {
        b.iter(|| {
            let nonce = aead::Nonce::assume_unique_for_key([1; 12]);
            black_box(
                key.seal_in_place_separate_tag(nonce, aead::Aad::from([0u8; 13]), &mut data)
                    .unwrap(),
            )
        });
    });

    for (name, algorithm) in [
        ("X25519", &agreement::X25519),
        ("P-256", &agreement::ECDH_P256),
    ] {
        let peer = agreement::EphemeralPrivateKey::generate(algorithm, &rng).unwrap();
        let peer_public = peer.compute_public_key().unwrap();
        group.bench_function(format!("ring {name} key pair + agreement"), |b| {
            b.iter(|| {
                let private = agreement::EphemeralPrivateKey::generate(algorithm, &rng).unwrap();
                black_box(private.compute_public_key().unwrap());
                let peer = agreement::UnparsedPublicKey::new(algorithm, peer_public.as_ref());
                agreement::agree_ephemeral(private, &peer, |secret| black_box(secret[0])).unwrap()
            });
        });
    }

    let alg = &signature::ECDSA_P256_SHA256_ASN1_SIGNING;
    let pkcs8 = signature::EcdsaKeyPair::generate_pkcs8(alg, &rng).unwrap();
    let pair = signature::EcdsaKeyPair::from_pkcs8(alg, pkcs8.as_ref(), &rng).unwrap();
    let message = [0x5a_u8; 200];
    group.bench_function("ring ECDSA P-256 sign", |b| {
        b.iter(|| black_box(pair.sign(&rng, black_box(&message)).unwrap()));
    });
    let sig = pair.sign(&rng, &message).unwrap();
    let public = signature::UnparsedPublicKey::new(
        &signature::ECDSA_P256_SHA256_ASN1,
        pair.public_key().as_ref().to_vec(),
    );
    group.bench_function("ring ECDSA P-256 verify", |b| {
        b.iter(|| public.verify(black_box(&message), sig.as_ref()).unwrap());
    });
    group.finish();
}

criterion_group!(benches, handshake, seal, open, primitives);
criterion_main!(benches);
