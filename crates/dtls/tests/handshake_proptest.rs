//! Property tests: every handshake Repr emits exactly `buffer_len` bytes that parse back to
//! an equal Repr; any set of messages cut at any two fragment sizes and delivered shuffled,
//! duplicated and overlapping reassembles to the same bytes; arbitrary and corrupted bytes
//! never panic a parser, and whatever parses re-emits to bytes that parse to the same Repr.

use proptest::prelude::*;
use sansrtc_dtls::Error;
use sansrtc_dtls::reassembly::Reassembler;
use sansrtc_dtls::wire::handshake::{
    CertificateRepr, CertificateRequestRepr, CertificateVerifyRepr, ClientHelloRepr,
    ClientKeyExchangeRepr, ExtensionRepr, Extensions, FinishedRepr, Fragmenter, Handshake,
    HandshakeFragment, HandshakeRepr, HelloVerifyRequestRepr, ServerHelloRepr,
    ServerKeyExchangeRepr, is_known_extension,
};
use sansrtc_dtls::wire::{
    CipherSuite, ExtensionType, HandshakeType, NamedGroup, ProtocolVersion, SignatureScheme,
    SrtpProfileId,
};

/// Test data lives as long as the test binary: Reprs borrow their opaque fields.
fn leak(bytes: Vec<u8>) -> &'static [u8] {
    Box::leak(bytes.into_boxed_slice())
}

fn bytes(min: usize, max: usize) -> impl Strategy<Value = &'static [u8]> {
    prop::collection::vec(any::<u8>(), min..=max).prop_map(leak)
}

fn u16s<T: From<u16> + std::fmt::Debug>(min: usize, max: usize) -> impl Strategy<Value = Vec<T>> {
    prop::collection::vec(any::<u16>().prop_map(T::from), min..=max)
}

fn extension() -> impl Strategy<Value = ExtensionRepr<'static>> {
    prop_oneof![
        u16s::<NamedGroup>(1, 12).prop_map(ExtensionRepr::SupportedGroups),
        bytes(1, 4).prop_map(ExtensionRepr::EcPointFormats),
        u16s::<SignatureScheme>(1, 12).prop_map(ExtensionRepr::SignatureAlgorithms),
        (u16s::<SrtpProfileId>(1, 5), bytes(0, 8))
            .prop_map(|(profiles, mki)| ExtensionRepr::UseSrtp { profiles, mki }),
        Just(ExtensionRepr::ExtendedMasterSecret),
        bytes(0, 24).prop_map(ExtensionRepr::RenegotiationInfo),
        (
            any::<u16>().prop_filter("unknown", |t| !is_known_extension(ExtensionType(*t))),
            bytes(0, 40)
        )
            .prop_map(|(t, data)| ExtensionRepr::Unknown {
                extension_type: ExtensionType(t),
                data
            }),
    ]
}

fn extensions() -> impl Strategy<Value = Option<Vec<ExtensionRepr<'static>>>> {
    prop::option::of(
        prop::collection::vec(extension(), 0..7).prop_map(|mut list| {
            let mut seen = Vec::new();
            list.retain(|e| {
                let fresh = !seen.contains(&e.extension_type());
                seen.push(e.extension_type());
                fresh
            });
            list
        }),
    )
}

fn compression_methods() -> impl Strategy<Value = &'static [u8]> {
    (
        prop::collection::vec(any::<u8>(), 0..6),
        any::<prop::sample::Index>(),
    )
        .prop_map(|(mut methods, at)| {
            methods.insert(at.index(methods.len() + 1), 0);
            leak(methods)
        })
}

fn client_hello() -> impl Strategy<Value = HandshakeRepr<'static>> {
    (
        (any::<u16>(), any::<[u8; 32]>(), bytes(0, 32), bytes(0, 255)),
        (
            u16s::<CipherSuite>(1, 40),
            compression_methods(),
            extensions(),
        ),
    )
        .prop_map(
            |((version, random, session_id, cookie), (suites, compression, extensions))| {
                HandshakeRepr::ClientHello(ClientHelloRepr {
                    client_version: ProtocolVersion(version),
                    random,
                    session_id,
                    cookie,
                    cipher_suites: suites,
                    compression_methods: compression,
                    extensions,
                })
            },
        )
}

fn server_hello() -> impl Strategy<Value = HandshakeRepr<'static>> {
    (
        any::<u16>(),
        any::<[u8; 32]>(),
        bytes(0, 32),
        any::<u16>(),
        any::<u8>(),
        extensions(),
    )
        .prop_map(
            |(version, random, session_id, suite, compression, extensions)| {
                HandshakeRepr::ServerHello(ServerHelloRepr {
                    server_version: ProtocolVersion(version),
                    random,
                    session_id,
                    cipher_suite: CipherSuite(suite),
                    compression_method: compression,
                    extensions,
                })
            },
        )
}

fn handshake() -> impl Strategy<Value = HandshakeRepr<'static>> {
    prop_oneof![
        client_hello(),
        server_hello(),
        Just(HandshakeRepr::HelloRequest),
        Just(HandshakeRepr::ServerHelloDone),
        (any::<u16>(), bytes(0, 255)).prop_map(|(v, cookie)| {
            HandshakeRepr::HelloVerifyRequest(HelloVerifyRequestRepr {
                server_version: ProtocolVersion(v),
                cookie,
            })
        }),
        prop::collection::vec(bytes(1, 400), 0..4)
            .prop_map(|certificates| HandshakeRepr::Certificate(CertificateRepr { certificates })),
        (any::<u16>(), bytes(1, 255), any::<u16>(), bytes(0, 300)).prop_map(|(g, key, s, sig)| {
            HandshakeRepr::ServerKeyExchange(ServerKeyExchangeRepr {
                named_group: NamedGroup(g),
                public_key: key,
                signature_scheme: SignatureScheme(s),
                signature: sig,
            })
        }),
        (
            bytes(1, 8),
            u16s::<SignatureScheme>(1, 16),
            prop::collection::vec(bytes(1, 60), 0..4)
        )
            .prop_map(|(types, schemes, cas)| {
                HandshakeRepr::CertificateRequest(CertificateRequestRepr {
                    certificate_types: types,
                    signature_algorithms: schemes,
                    certificate_authorities: cas,
                })
            }),
        bytes(1, 255).prop_map(|public_key| {
            HandshakeRepr::ClientKeyExchange(ClientKeyExchangeRepr { public_key })
        }),
        (any::<u16>(), bytes(0, 300)).prop_map(|(s, signature)| {
            HandshakeRepr::CertificateVerify(CertificateVerifyRepr {
                signature_scheme: SignatureScheme(s),
                signature,
            })
        }),
        bytes(0, 48).prop_map(|verify_data| HandshakeRepr::Finished(FinishedRepr { verify_data })),
        (
            any::<u8>().prop_filter("unknown", |t| Handshake::parse(HandshakeType(*t), &[0xff])
                .is_ok_and(|h| matches!(h, Handshake::Unknown { .. }))),
            bytes(0, 100)
        )
            .prop_map(|(t, body)| HandshakeRepr::Unknown {
                msg_type: HandshakeType(t),
                body
            }),
    ]
}

/// Emits, re-parses and compares; returns the unfragmented message.
fn round_trip(repr: &HandshakeRepr<'_>, message_seq: u16) -> Vec<u8> {
    let mut out = vec![0; repr.buffer_len()];
    assert_eq!(repr.emit(message_seq, &mut out), Ok(out.len()));
    let (header, view) = Handshake::parse_message(&out).unwrap();
    assert_eq!(header.message_seq, message_seq);
    assert_eq!(view.msg_type(), repr.msg_type());
    assert_eq!(&HandshakeRepr::parse(&view).unwrap(), repr);
    if repr.body_len() > 0 {
        let mut short = vec![0; repr.body_len() - 1];
        assert_eq!(repr.emit_body(&mut short), Err(Error::BufferTooSmall));
    }
    out
}

/// A small deterministic shuffle (xorshift64*), so a failing case replays exactly.
fn shuffle<T>(items: &mut [T], mut seed: u64) {
    seed |= 1;
    for i in (1..items.len()).rev() {
        seed ^= seed >> 12;
        seed ^= seed << 25;
        seed ^= seed >> 27;
        let j = (seed.wrapping_mul(0x2545_f491_4f6c_dd1d) % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
}

/// Parses whatever parses and checks it is a fixed point of emit ∘ parse.
fn parse_anything(msg_type: HandshakeType, body: &[u8]) {
    let Ok(view) = Handshake::parse(msg_type, body) else {
        return;
    };
    let Ok(repr) = HandshakeRepr::parse(&view) else {
        return;
    };
    let out = round_trip(&repr, 7);
    let (_, again) = Handshake::parse_message(&out).unwrap();
    assert_eq!(HandshakeRepr::parse(&again).unwrap(), repr);
}

const TYPES: [u8; 12] = [0, 1, 2, 3, 11, 12, 13, 14, 15, 16, 20, 99];

proptest! {
    #[test]
    fn every_repr_round_trips(repr in handshake(), seq in any::<u16>()) {
        round_trip(&repr, seq);
    }

    #[test]
    fn messages_cut_twice_and_delivered_in_any_order_reassemble(
        messages in prop::collection::vec(handshake(), 1..5),
        first_seq in 0u16..1000,
        (a, b) in (1usize..600, 1usize..600),
        dropped in any::<u64>(),
        seed in any::<u64>(),
    ) {
        let wholes: Vec<Vec<u8>> = messages
            .iter()
            .enumerate()
            .map(|(i, m)| round_trip(m, first_seq + i as u16))
            .collect();
        let mut fragments = Vec::new();
        for (i, whole) in wholes.iter().enumerate() {
            let (msg_type, seq, body) = (HandshakeType(whole[0]), first_seq + i as u16, &whole[12..]);
            // The first cut loses some pieces; the re-cut retransmission is complete, and a
            // few pieces arrive twice.
            for (k, f) in Fragmenter::new(msg_type, seq, body, a).unwrap().enumerate() {
                if dropped >> (k % 64) & 1 == 0 {
                    fragments.push(f);
                }
            }
            for (k, f) in Fragmenter::new(msg_type, seq, body, b).unwrap().enumerate() {
                fragments.push(f);
                if k % 3 == 0 {
                    fragments.push(f);
                }
            }
        }
        shuffle(&mut fragments, seed);
        let mut reassembler = Reassembler::new();
        reassembler.set_next_message_seq(first_seq);
        let mut delivered = Vec::new();
        for fragment in &fragments {
            reassembler.insert(fragment).unwrap();
            while let Some(message) = reassembler.pop() {
                delivered.push(message.into_bytes());
            }
            prop_assert!(reassembler.buffered_bytes() <= reassembler.max_buffered_bytes());
        }
        prop_assert_eq!(delivered, wholes);
        prop_assert_eq!(reassembler.buffered_messages(), 0);
    }

    #[test]
    fn arbitrary_bytes_never_panic_a_parser(body in prop::collection::vec(any::<u8>(), 0..400)) {
        for t in TYPES {
            parse_anything(HandshakeType(t), &body);
        }
        if let Ok(block) = Extensions::new_checked(&body) {
            for e in block {
                let _ = ExtensionRepr::parse(&e);
            }
        }
        let mut reassembler = Reassembler::new().with_max_message_len(4096);
        for fragment in HandshakeFragment::iter(&body).flatten() {
            let _ = reassembler.insert(&fragment);
            while let Some(message) = reassembler.pop() {
                parse_anything(message.msg_type(), message.body());
            }
            prop_assert!(reassembler.buffered_bytes() <= reassembler.max_buffered_bytes());
        }
    }

    #[test]
    fn corrupted_messages_never_panic_and_still_round_trip_when_they_parse(
        repr in handshake(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut message = round_trip(&repr, 0);
        for (at, value) in edits {
            let i = at.index(message.len());
            message[i] = value;
        }
        if let Ok((_, view)) = Handshake::parse_message(&message)
            && let Ok(repr) = HandshakeRepr::parse(&view)
        {
            round_trip(&repr, 0);
        }
        let body = &message[12..];
        for t in TYPES {
            parse_anything(HandshakeType(t), body);
            parse_anything(HandshakeType(t), &body[..cut.index(body.len() + 1)]);
        }
    }
}
