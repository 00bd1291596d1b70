//! Handshake messages of a real Chrome 156 DTLS 1.2 handshake decode as captured and re-emit
//! byte for byte: the fragmented ClientHello, the coalesced server flight, and Chrome's
//! Certificate/ClientKeyExchange/CertificateVerify. Truncated and over-long inputs are
//! refused with an offset, never a panic.

use sansrtc_dtls::Error;
use sansrtc_dtls::reassembly::Reassembler;
use sansrtc_dtls::wire::handshake::{
    Certificate, CertificateRepr, CertificateRequest, ClientHello, ClientHelloRepr, ExtensionRepr,
    ExtensionValue, Fragmenter, Handshake, HandshakeFragment, HandshakeHeader, HandshakeRepr,
    ServerHello, ServerHelloRepr, ServerKeyExchange, client_certificate_type, ecdhe_signed_content,
};
use sansrtc_dtls::wire::{
    AlertDescription, CipherSuite, ContentType, ExtensionType, HandshakeType, NamedGroup,
    ProtocolVersion, Record, SignatureScheme, SrtpProfileId,
};
use serde_json::Value;

fn hex(s: &str) -> Vec<u8> {
    assert!(s.len().is_multiple_of(2), "odd hex");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn hex_u16(s: &str) -> u16 {
    let s = s
        .split_whitespace()
        .next()
        .unwrap()
        .trim_start_matches("0x");
    u16::from_str_radix(s, 16).unwrap()
}

fn json(name: &str) -> Value {
    let path = format!("{}/tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn client_hello_session() -> Value {
    json("chrome-156-clienthello-dtls12-session.json")
}

/// Every handshake fragment of the epoch-0 handshake records of datagram `index`.
fn epoch0_fragments(datagram: &[u8]) -> Vec<HandshakeFragment<'_>> {
    Record::iter(datagram)
        .map(Result::unwrap)
        .filter(|r| r.header.content_type == ContentType::HANDSHAKE && r.header.epoch == 0)
        .flat_map(|r| HandshakeFragment::iter(r.fragment).map(Result::unwrap))
        .collect()
}

fn handshake_datagram(index: usize) -> Vec<u8> {
    let v = json("chrome-156-dtls12-handshake-datagrams.json");
    hex(v["datagrams"][index]["datagram_hex"].as_str().unwrap())
}

/// Parses a complete message, checks its Repr re-emits the body and the unfragmented
/// message byte for byte, and returns the view.
fn reemits<'a>(fragment: &HandshakeFragment<'a>) -> Handshake<'a> {
    assert!(fragment.is_unfragmented());
    let view = Handshake::parse(fragment.header.msg_type, fragment.body).unwrap();
    let repr = HandshakeRepr::parse(&view).unwrap();
    assert_eq!(repr.msg_type(), fragment.header.msg_type);
    let mut body = vec![0; repr.body_len()];
    assert_eq!(repr.emit_body(&mut body), Ok(fragment.body.len()));
    assert_eq!(body, fragment.body);
    let mut message = vec![0; repr.buffer_len()];
    repr.emit(fragment.header.message_seq, &mut message)
        .unwrap();
    let mut expected = vec![0; fragment.len()];
    fragment.emit(&mut expected).unwrap();
    assert_eq!(message, expected);
    view
}

#[test]
fn chrome_client_hello_fragments_carry_the_captured_headers() {
    let v = client_hello_session();
    for datagram in v["datagrams"].as_array().unwrap() {
        let bytes = hex(datagram["datagram_hex"].as_str().unwrap());
        let expected = &datagram["records"][0];
        let records: Vec<_> = Record::iter(&bytes).map(Result::unwrap).collect();
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].header.version, ProtocolVersion::DTLS_1_0);
        let fragments: Vec<_> = HandshakeFragment::iter(records[0].fragment)
            .map(Result::unwrap)
            .collect();
        assert_eq!(fragments.len(), 1);
        let h = fragments[0].header;
        assert_eq!(
            u64::from(h.msg_type.0),
            expected["handshake_type"].as_u64().unwrap()
        );
        assert_eq!(
            u64::from(h.length),
            expected["message_length"].as_u64().unwrap()
        );
        assert_eq!(
            u64::from(h.message_seq),
            expected["message_seq"].as_u64().unwrap()
        );
        assert_eq!(
            u64::from(h.fragment_offset),
            expected["fragment_offset"].as_u64().unwrap()
        );
        assert_eq!(
            u64::from(h.fragment_length),
            expected["fragment_length"].as_u64().unwrap()
        );
    }
}

#[test]
fn chrome_client_hello_reassembles_to_the_captured_message() {
    let v = client_hello_session();
    let datagrams: Vec<Vec<u8>> = v["datagrams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| hex(d["datagram_hex"].as_str().unwrap()))
        .collect();
    // Deliver the second datagram first: order must not matter.
    let mut reassembler = Reassembler::new();
    for datagram in datagrams.iter().rev() {
        for fragment in epoch0_fragments(datagram) {
            reassembler.insert(&fragment).unwrap();
        }
    }
    let message = reassembler.pop().unwrap();
    assert!(reassembler.pop().is_none());
    assert_eq!(message.msg_type(), HandshakeType::CLIENT_HELLO);
    assert_eq!(
        message.body(),
        hex(v["reassembled_clienthello_body_hex"].as_str().unwrap())
    );
    assert_eq!(
        message.body().len() as u64,
        v["reassembled_body_len"].as_u64().unwrap()
    );
    assert_eq!(
        message.as_bytes(),
        hex(v["unfragmented_handshake_message_hex"].as_str().unwrap())
    );
    assert_eq!(reassembler.next_message_seq(), 1);
}

#[test]
fn chrome_client_hello_decodes_as_captured() {
    let v = client_hello_session();
    let decoded = &v["decoded"];
    let body = hex(v["reassembled_clienthello_body_hex"].as_str().unwrap());
    let hello = ClientHello::new_checked(&body).unwrap();
    assert_eq!(hello.client_version(), ProtocolVersion::DTLS_1_2);
    assert_eq!(hello.random()[..], hex(decoded["random"].as_str().unwrap()));
    assert!(hello.session_id().is_empty());
    assert!(hello.cookie().is_empty());
    assert_eq!(hello.compression_methods(), [0]);

    let suites: Vec<CipherSuite> = hello.cipher_suites().collect();
    let expected: Vec<CipherSuite> = decoded["cipher_suites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| CipherSuite(hex_u16(s.as_str().unwrap())))
        .collect();
    assert_eq!(suites.len(), 14);
    assert_eq!(suites, expected);
    assert!(suites.contains(&CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256));

    let types: Vec<u64> = hello
        .extensions()
        .map(|e| u64::from(e.extension_type.0))
        .collect();
    let expected: Vec<u64> = decoded["extensions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_u64().unwrap())
        .collect();
    assert_eq!(types, expected);
    for (ext, want) in hello
        .extensions()
        .zip(decoded["extensions"].as_array().unwrap())
    {
        assert_eq!(ext.data.len() as u64, want["length"].as_u64().unwrap());
    }

    let extensions = hello.extensions();
    let srtp = extensions.use_srtp().unwrap().unwrap();
    assert_eq!(
        srtp.profiles.collect::<Vec<_>>(),
        [
            SrtpProfileId::AES128_CM_HMAC_SHA1_80,
            SrtpProfileId::AEAD_AES_256_GCM,
            SrtpProfileId::AEAD_AES_128_GCM
        ]
    );
    assert!(srtp.mki.is_empty());
    assert!(extensions.extended_master_secret().unwrap());
    assert_eq!(extensions.renegotiation_info().unwrap(), Some(&[][..]));
    let groups: Vec<NamedGroup> = extensions.supported_groups().unwrap().unwrap().collect();
    let expected: Vec<NamedGroup> = decoded["extensions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "supported_groups")
        .unwrap()["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| NamedGroup(hex_u16(g.as_str().unwrap())))
        .collect();
    assert_eq!(groups, expected);
    assert_eq!(groups[1], NamedGroup::X25519);
    let schemes: Vec<_> = extensions
        .signature_algorithms()
        .unwrap()
        .unwrap()
        .collect();
    assert_eq!(schemes.len(), 9);
    assert_eq!(schemes[0], SignatureScheme::ECDSA_SECP256R1_SHA256);
    // supported_versions and key_share are DTLS 1.3 extensions: kept, not interpreted.
    let key_share = extensions.get(ExtensionType::KEY_SHARE).unwrap();
    assert_eq!(key_share.data.len(), 1258);
    assert!(matches!(key_share.parse(), Ok(ExtensionValue::Unknown(_))));
    assert!(hello.has_extension(ExtensionType::SUPPORTED_VERSIONS));
}

#[test]
fn chrome_client_hello_re_emits_byte_for_byte() {
    let v = client_hello_session();
    let body = hex(v["reassembled_clienthello_body_hex"].as_str().unwrap());
    let repr = ClientHelloRepr::parse(&ClientHello::new_checked(&body).unwrap()).unwrap();
    let extensions = repr.extensions.as_ref().unwrap();
    assert!(extensions.contains(&ExtensionRepr::ExtendedMasterSecret));
    assert!(extensions.iter().any(|e| matches!(
        e,
        ExtensionRepr::Unknown {
            extension_type: ExtensionType::SUPPORTED_VERSIONS,
            ..
        }
    )));
    let mut out = vec![0; repr.buffer_len()];
    assert_eq!(repr.emit(&mut out), Ok(body.len()));
    assert_eq!(out, body);

    let message = HandshakeRepr::ClientHello(repr);
    let mut out = vec![0; message.buffer_len()];
    message.emit(0, &mut out).unwrap();
    assert_eq!(
        out,
        hex(v["unfragmented_handshake_message_hex"].as_str().unwrap())
    );
    let (header, view) = Handshake::parse_message(&out).unwrap();
    assert_eq!(
        header,
        HandshakeHeader::unfragmented(HandshakeType::CLIENT_HELLO, 0, 1413)
    );
    assert_eq!(view.msg_type(), HandshakeType::CLIENT_HELLO);
}

#[test]
fn fragmenter_cuts_the_client_hello_as_chrome_did() {
    let v = client_hello_session();
    let body = hex(v["reassembled_clienthello_body_hex"].as_str().unwrap());
    let pieces: Vec<_> = Fragmenter::new(HandshakeType::CLIENT_HELLO, 0, &body, 1175)
        .unwrap()
        .collect();
    assert_eq!(pieces.len(), 2);
    for (piece, datagram) in pieces.iter().zip(v["datagrams"].as_array().unwrap()) {
        let bytes = hex(datagram["datagram_hex"].as_str().unwrap());
        let record = Record::iter(&bytes).next().unwrap().unwrap();
        let mut out = vec![0; piece.len()];
        piece.emit(&mut out).unwrap();
        assert_eq!(out, record.fragment);
    }
}

#[test]
fn server_flight_decodes_and_re_emits() {
    let datagram = handshake_datagram(2);
    let fragments = epoch0_fragments(&datagram);
    let types: Vec<_> = fragments.iter().map(|f| f.header.msg_type).collect();
    assert_eq!(
        types,
        [
            HandshakeType::SERVER_HELLO,
            HandshakeType::CERTIFICATE,
            HandshakeType::SERVER_KEY_EXCHANGE,
            HandshakeType::CERTIFICATE_REQUEST,
            HandshakeType::SERVER_HELLO_DONE
        ]
    );
    let seqs: Vec<u16> = fragments.iter().map(|f| f.header.message_seq).collect();
    // Each side counts its own messages: the server's first is 0 (no HelloVerifyRequest).
    assert_eq!(seqs, [0, 1, 2, 3, 4]);

    let Handshake::ServerHello(hello) = reemits(&fragments[0]) else {
        panic!("ServerHello")
    };
    assert_eq!(hello.server_version(), ProtocolVersion::DTLS_1_2);
    assert_eq!(
        hello.cipher_suite(),
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
    );
    assert_eq!(hello.compression_method(), 0);
    assert!(hello.session_id().is_empty());
    let srtp = hello.extensions().use_srtp().unwrap().unwrap();
    assert_eq!(
        srtp.profiles.collect::<Vec<_>>(),
        [SrtpProfileId::AEAD_AES_256_GCM]
    );
    assert!(srtp.mki.is_empty());
    assert!(hello.extensions().extended_master_secret().unwrap());
    assert_eq!(
        hello.extensions().renegotiation_info().unwrap(),
        Some(&[][..])
    );
    assert_eq!(hello.extensions().count(), 3);

    let Handshake::Certificate(certificate) = reemits(&fragments[1]) else {
        panic!("Cert")
    };
    let certs: Vec<&[u8]> = certificate.certificates().collect();
    assert_eq!(certs.len(), 1);
    assert_eq!(certs[0][..2], [0x30, 0x82]);
    assert_eq!(
        certs[0].len(),
        4 + usize::from(u16::from_be_bytes([certs[0][2], certs[0][3]]))
    );

    let Handshake::ServerKeyExchange(ske) = reemits(&fragments[2]) else {
        panic!("SKE")
    };
    assert_eq!(ske.named_group(), NamedGroup::X25519);
    assert_eq!(ske.public_key().len(), 32);
    assert_eq!(
        ske.signature_scheme(),
        SignatureScheme::ECDSA_SECP256R1_SHA256
    );
    assert_eq!(ske.signature()[0], 0x30, "a DER ECDSA signature");
    assert_eq!(ske.params(), &fragments[2].body[..36]);
    let (client_random, server_random) = ([1; 32], [2; 32]);
    let mut signed = [0u8; 100];
    assert_eq!(
        ecdhe_signed_content(&client_random, &server_random, ske.params(), &mut signed),
        Ok(100)
    );
    assert_eq!(&signed[64..], ske.params());

    let Handshake::CertificateRequest(request) = reemits(&fragments[3]) else {
        panic!("CR")
    };
    assert_eq!(
        request.certificate_types(),
        [client_certificate_type::ECDSA_SIGN]
    );
    assert_eq!(
        request.signature_algorithms().collect::<Vec<_>>(),
        [
            SignatureScheme::ECDSA_SECP256R1_SHA256,
            SignatureScheme::ECDSA_SECP384R1_SHA384
        ]
    );
    assert_eq!(request.certificate_authorities().count(), 0);

    assert!(matches!(
        reemits(&fragments[4]),
        Handshake::ServerHelloDone(_)
    ));
}

#[test]
fn chrome_client_flight_decodes_and_re_emits() {
    let datagram = handshake_datagram(3);
    let fragments = epoch0_fragments(&datagram);
    assert_eq!(fragments.len(), 3);
    let Handshake::Certificate(certificate) = reemits(&fragments[0]) else {
        panic!("Cert")
    };
    let certs: Vec<&[u8]> = certificate.certificates().collect();
    assert_eq!(certs.len(), 1);
    assert_eq!(certs[0][..2], [0x30, 0x82]);
    let Handshake::ClientKeyExchange(cke) = reemits(&fragments[1]) else {
        panic!("CKE")
    };
    assert_eq!(cke.public_key().len(), 32, "X25519, as the server chose");
    let Handshake::CertificateVerify(verify) = reemits(&fragments[2]) else {
        panic!("CV")
    };
    assert_eq!(
        verify.signature_scheme(),
        SignatureScheme::ECDSA_SECP256R1_SHA256
    );
    assert_eq!(verify.signature().len(), 71);
    assert_eq!(
        fragments
            .iter()
            .map(|f| f.header.message_seq)
            .collect::<Vec<_>>(),
        [1, 2, 3]
    );
}

/// Every real message, as `(type, body)`.
fn real_messages() -> Vec<(HandshakeType, Vec<u8>)> {
    let v = client_hello_session();
    let mut messages = vec![(
        HandshakeType::CLIENT_HELLO,
        hex(v["reassembled_clienthello_body_hex"].as_str().unwrap()),
    )];
    for index in [2, 3] {
        let datagram = handshake_datagram(index);
        for f in epoch0_fragments(&datagram) {
            messages.push((f.header.msg_type, f.body.to_vec()));
        }
    }
    messages
}

#[test]
fn truncated_real_messages_are_refused_at_every_offset() {
    for (msg_type, body) in real_messages() {
        // The hello messages are complete without their optional extension block.
        let extensions_start = match Handshake::parse(msg_type, &body).unwrap() {
            Handshake::ClientHello(h) => Some(body.len() - h.extensions().as_bytes().len() - 2),
            Handshake::ServerHello(h) => Some(body.len() - h.extensions().as_bytes().len() - 2),
            _ => None,
        };
        for cut in 0..body.len() {
            let result = Handshake::parse(msg_type, &body[..cut]);
            if Some(cut) == extensions_start {
                assert!(result.is_ok(), "{msg_type:?} without extensions");
            } else {
                match result {
                    Err(Error::Malformed { offset, .. }) => assert!(offset <= cut),
                    other => panic!("{msg_type:?} cut at {cut}: {other:?}"),
                }
            }
            // As a whole message, the header's length no longer matches.
            let mut message = vec![0; 12 + cut];
            HandshakeHeader::unfragmented(msg_type, 0, body.len() as u32)
                .emit(&mut message)
                .unwrap();
            message[12..].copy_from_slice(&body[..cut]);
            assert!(Handshake::parse_message(&message).is_err());
        }
        // One byte too many is trailing garbage for every fully specified message.
        let mut long = body.clone();
        long.push(0);
        if msg_type != HandshakeType::CLIENT_HELLO && msg_type != HandshakeType::SERVER_HELLO {
            assert_eq!(
                Handshake::parse(msg_type, &long).unwrap_err(),
                Error::Malformed {
                    what: error_what(msg_type),
                    offset: body.len()
                }
            );
        } else {
            assert!(matches!(
                Handshake::parse(msg_type, &long),
                Err(Error::Malformed { .. })
            ));
        }
    }
}

fn error_what(msg_type: HandshakeType) -> &'static str {
    match msg_type {
        HandshakeType::CERTIFICATE => "certificate_list",
        HandshakeType::SERVER_KEY_EXCHANGE => "server_key_exchange",
        HandshakeType::CERTIFICATE_REQUEST => "certificate_request",
        HandshakeType::SERVER_HELLO_DONE => "server_hello_done",
        HandshakeType::CLIENT_KEY_EXCHANGE => "client_key_exchange",
        HandshakeType::CERTIFICATE_VERIFY => "certificate_verify",
        other => panic!("{other:?}"),
    }
}

/// A minimal ClientHello body with the given session id, cookie and suite list bytes.
fn client_hello_body(session_id: &[u8], cookie: &[u8], suites: &[u8]) -> Vec<u8> {
    let mut body = vec![0xfe, 0xfd];
    body.extend_from_slice(&[0; 32]);
    body.push(session_id.len() as u8);
    body.extend_from_slice(session_id);
    body.push(cookie.len() as u8);
    body.extend_from_slice(cookie);
    body.extend_from_slice(&(suites.len() as u16).to_be_bytes());
    body.extend_from_slice(suites);
    body.extend_from_slice(&[1, 0]);
    body
}

#[test]
fn over_long_session_id_is_malformed() {
    assert!(ClientHello::new_checked(&client_hello_body(&[7; 32], &[], &[0xc0, 0x2b])).is_ok());
    assert_eq!(
        ClientHello::new_checked(&client_hello_body(&[7; 33], &[], &[0xc0, 0x2b])),
        Err(Error::Malformed {
            what: "session_id",
            offset: 34
        })
    );
    let mut server_hello = vec![0xfe, 0xfd];
    server_hello.extend_from_slice(&[0; 32]);
    server_hello.push(33);
    server_hello.extend_from_slice(&[0; 36]);
    assert_eq!(
        ServerHello::new_checked(&server_hello),
        Err(Error::Malformed {
            what: "session_id",
            offset: 34
        })
    );
    let repr = ServerHelloRepr {
        server_version: ProtocolVersion::DTLS_1_2,
        random: [0; 32],
        session_id: &[0; 33],
        cipher_suite: CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        compression_method: 0,
        extensions: None,
    };
    assert!(matches!(
        repr.emit(&mut [0; 100]),
        Err(Error::Malformed {
            what: "session_id",
            ..
        })
    ));
}

#[test]
fn cookie_longer_than_its_length_byte_allows_is_refused_on_emit() {
    let cookie = [9u8; 256];
    let repr = ClientHelloRepr {
        client_version: ProtocolVersion::DTLS_1_2,
        random: [0; 32],
        session_id: &[],
        cookie: &cookie,
        cipher_suites: vec![CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256],
        compression_methods: &[0],
        extensions: None,
    };
    let mut out = vec![0; repr.buffer_len()];
    assert_eq!(
        repr.emit(&mut out),
        Err(Error::Malformed {
            what: "cookie",
            offset: 35
        })
    );
    let repr = ClientHelloRepr {
        cookie: &cookie[..255],
        ..repr
    };
    let n = repr.emit(&mut out).unwrap();
    assert_eq!(
        ClientHello::new_checked(&out[..n]).unwrap().cookie().len(),
        255
    );
    // A cookie length byte that runs past the body.
    let mut body = client_hello_body(&[], &[1, 2], &[0xc0, 0x2b]);
    body[35] = 200;
    assert_eq!(
        ClientHello::new_checked(&body),
        Err(Error::Malformed {
            what: "cookie",
            offset: 35
        })
    );
}

#[test]
fn empty_or_odd_cipher_suite_lists_are_malformed() {
    for suites in [&[][..], &[0xc0][..]] {
        assert_eq!(
            ClientHello::new_checked(&client_hello_body(&[], &[], suites)),
            Err(Error::Malformed {
                what: "cipher_suites",
                offset: 36
            })
        );
    }
    let repr = ClientHelloRepr {
        client_version: ProtocolVersion::DTLS_1_2,
        random: [0; 32],
        session_id: &[],
        cookie: &[],
        cipher_suites: vec![],
        compression_methods: &[0],
        extensions: None,
    };
    assert!(matches!(
        repr.emit(&mut [0; 64]),
        Err(Error::Malformed {
            what: "cipher_suites",
            ..
        })
    ));
}

#[test]
fn length_fields_past_the_body_are_malformed() {
    // A list length past the body, a certificate length past the list, trailing bytes.
    let body = [0, 0, 9, 0, 0, 5, 0x30, 0x82];
    assert_eq!(
        Certificate::new_checked(&body),
        Err(Error::Malformed {
            what: "certificate_list",
            offset: 0
        })
    );
    let body = [0, 0, 5, 0, 0, 9, 0x30, 0x82];
    assert_eq!(
        Certificate::new_checked(&body),
        Err(Error::Malformed {
            what: "ASN.1Cert",
            offset: 3
        })
    );
    let body = [0, 0, 5, 0, 0, 2, 0x30, 0x82, 0];
    assert_eq!(
        Certificate::new_checked(&body),
        Err(Error::Malformed {
            what: "certificate_list",
            offset: 8
        })
    );
    // An empty certificate is below ASN.1Cert<1..2^24-1>.
    assert_eq!(
        Certificate::new_checked(&[0, 0, 3, 0, 0, 0]),
        Err(Error::Malformed {
            what: "ASN.1Cert",
            offset: 3
        })
    );
    assert!(matches!(
        CertificateRepr {
            certificates: vec![&[]]
        }
        .emit(&mut [0; 6]),
        Err(Error::Malformed { .. })
    ));
    // A DistinguishedName running past certificate_authorities.
    let body = [1, 64, 0, 2, 4, 3, 0, 3, 0, 5, 1];
    assert_eq!(
        CertificateRequest::new_checked(&body),
        Err(Error::Malformed {
            what: "DistinguishedName",
            offset: 8
        })
    );
    // An extension whose length runs past its block.
    let mut hello = client_hello_body(&[], &[], &[0xc0, 0x2b]);
    hello.extend_from_slice(&[0, 4, 0, 23, 0, 1]);
    assert_eq!(
        ClientHello::new_checked(&hello),
        Err(Error::Malformed {
            what: "extension length",
            offset: hello.len() - 2
        })
    );
    // Explicit curves are not ECDHE as RFC 8422 allows it.
    assert_eq!(
        ServerKeyExchange::new_checked(&[1, 0, 23]),
        Err(Error::Protocol(AlertDescription::ILLEGAL_PARAMETER))
    );
}

#[test]
fn fragment_range_past_the_message_is_malformed() {
    // length 10, offset 6, fragment length 5.
    let record = [1, 0, 0, 10, 0, 0, 0, 0, 6, 0, 0, 5, 1, 2, 3, 4, 5];
    let items: Vec<_> = HandshakeFragment::iter(&record).collect();
    assert_eq!(
        items,
        [Err(Error::Malformed {
            what: "handshake fragment range",
            offset: 9
        })]
    );
    // A fragment claiming more bytes than the record holds.
    let record = [1, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0, 5, 1, 2, 3];
    let items: Vec<_> = HandshakeFragment::iter(&record).collect();
    assert_eq!(
        items,
        [Err(Error::Malformed {
            what: "handshake fragment length",
            offset: 9
        })]
    );
}
