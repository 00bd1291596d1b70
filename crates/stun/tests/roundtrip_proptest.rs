//! Property tests: any message built from arbitrary attributes parses back to the same
//! attributes and verifies; arbitrary or corrupted bytes never panic the decoders, and any
//! corruption of a protected message is detected.

use proptest::prelude::*;
use sansrtc_stun::IntegrityKey;
use sansrtc_stun::wire::{
    AddressErrorCode, AddressFamily, Attribute, ChannelData, ChannelNumber, Class, ErrorCode, Icmp,
    Message, MessageBuilder, Method, PasswordAlgorithm, PasswordAlgorithms, StreamDecoder,
    TransactionId, UnknownAttributes, attr, write_channel_data,
};
use std::net::{IpAddr, SocketAddr};

/// Every type code this crate parses into a typed variant.
const KNOWN: [u16; 33] = [
    attr::MAPPED_ADDRESS,
    attr::USERNAME,
    attr::MESSAGE_INTEGRITY,
    attr::ERROR_CODE,
    attr::UNKNOWN_ATTRIBUTES,
    attr::CHANNEL_NUMBER,
    attr::LIFETIME,
    attr::XOR_PEER_ADDRESS,
    attr::DATA,
    attr::REALM,
    attr::NONCE,
    attr::XOR_RELAYED_ADDRESS,
    attr::REQUESTED_ADDRESS_FAMILY,
    attr::EVEN_PORT,
    attr::REQUESTED_TRANSPORT,
    attr::DONT_FRAGMENT,
    attr::MESSAGE_INTEGRITY_SHA256,
    attr::PASSWORD_ALGORITHM,
    attr::USERHASH,
    attr::XOR_MAPPED_ADDRESS,
    attr::RESERVATION_TOKEN,
    attr::PRIORITY,
    attr::USE_CANDIDATE,
    attr::ADDITIONAL_ADDRESS_FAMILY,
    attr::ADDRESS_ERROR_CODE,
    attr::PASSWORD_ALGORITHMS,
    attr::ALTERNATE_DOMAIN,
    attr::ICMP,
    attr::SOFTWARE,
    attr::ALTERNATE_SERVER,
    attr::FINGERPRINT,
    attr::ICE_CONTROLLED,
    attr::ICE_CONTROLLING,
];

/// An attribute value that owns its data, so a strategy can produce it.
#[derive(Debug, Clone)]
enum Owned {
    Mapped(SocketAddr),
    XorMapped(SocketAddr),
    Username(String),
    UserHash([u8; 32]),
    ErrorCode(u16, String),
    Realm(String),
    Nonce(String),
    PasswordAlgorithms(Vec<u8>),
    PasswordAlgorithm(u16, Vec<u8>),
    UnknownAttributes(Vec<u16>),
    Software(String),
    AlternateServer(SocketAddr),
    AlternateDomain(String),
    ChannelNumber(u16),
    Lifetime(u32),
    XorPeer(SocketAddr),
    Data(Vec<u8>),
    XorRelayed(SocketAddr),
    RequestedFamily(AddressFamily),
    EvenPort(bool),
    RequestedTransport(u8),
    DontFragment,
    ReservationToken([u8; 8]),
    AdditionalFamily(AddressFamily),
    AddressError(AddressFamily, u16, String),
    Icmp(u8, u16, u32),
    Priority(u32),
    UseCandidate,
    IceControlled(u64),
    IceControlling(u64),
    Unknown(u16, Vec<u8>),
}

impl Owned {
    fn view(&self) -> Attribute<'_> {
        match self {
            Self::Mapped(a) => Attribute::MappedAddress(*a),
            Self::XorMapped(a) => Attribute::XorMappedAddress(*a),
            Self::Username(s) => Attribute::Username(s),
            Self::UserHash(h) => Attribute::UserHash(h),
            Self::ErrorCode(code, reason) => Attribute::ErrorCode(ErrorCode {
                code: *code,
                reason,
            }),
            Self::Realm(s) => Attribute::Realm(s),
            Self::Nonce(s) => Attribute::Nonce(s),
            Self::PasswordAlgorithms(wire) => {
                Attribute::PasswordAlgorithms(PasswordAlgorithms::Wire(wire))
            }
            Self::PasswordAlgorithm(algorithm, params) => {
                Attribute::PasswordAlgorithm(PasswordAlgorithm {
                    algorithm: *algorithm,
                    params,
                })
            }
            Self::UnknownAttributes(list) => {
                Attribute::UnknownAttributes(UnknownAttributes::List(list))
            }
            Self::Software(s) => Attribute::Software(s),
            Self::AlternateServer(a) => Attribute::AlternateServer(*a),
            Self::AlternateDomain(s) => Attribute::AlternateDomain(s),
            Self::ChannelNumber(n) => Attribute::ChannelNumber(*n),
            Self::Lifetime(n) => Attribute::Lifetime(*n),
            Self::XorPeer(a) => Attribute::XorPeerAddress(*a),
            Self::Data(d) => Attribute::Data(d),
            Self::XorRelayed(a) => Attribute::XorRelayedAddress(*a),
            Self::RequestedFamily(f) => Attribute::RequestedAddressFamily(*f),
            Self::EvenPort(b) => Attribute::EvenPort(*b),
            Self::RequestedTransport(p) => Attribute::RequestedTransport(*p),
            Self::DontFragment => Attribute::DontFragment,
            Self::ReservationToken(t) => Attribute::ReservationToken(t),
            Self::AdditionalFamily(f) => Attribute::AdditionalAddressFamily(*f),
            Self::AddressError(family, code, reason) => {
                Attribute::AddressErrorCode(AddressErrorCode {
                    family: *family,
                    code: *code,
                    reason,
                })
            }
            Self::Icmp(t, c, d) => Attribute::Icmp(Icmp {
                icmp_type: *t,
                code: *c,
                data: *d,
            }),
            Self::Priority(p) => Attribute::Priority(*p),
            Self::UseCandidate => Attribute::UseCandidate,
            Self::IceControlled(t) => Attribute::IceControlled(*t),
            Self::IceControlling(t) => Attribute::IceControlling(*t),
            Self::Unknown(t, v) => Attribute::Unknown {
                attribute_type: *t,
                value: v,
            },
        }
    }
}

fn socket_addr() -> impl Strategy<Value = SocketAddr> {
    prop_oneof![
        (any::<[u8; 4]>(), any::<u16>())
            .prop_map(|(ip, port)| SocketAddr::new(IpAddr::from(ip), port)),
        (any::<[u8; 16]>(), any::<u16>())
            .prop_map(|(ip, port)| SocketAddr::new(IpAddr::from(ip), port)),
    ]
}

fn family() -> impl Strategy<Value = AddressFamily> {
    prop_oneof![Just(AddressFamily::V4), Just(AddressFamily::V6)]
}

/// Text within the RFC limits (under 128 characters, at most 763 bytes).
fn text() -> impl Strategy<Value = String> {
    "\\PC{0,60}"
}

fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..max)
}

fn password_algorithms_wire() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec((any::<u16>(), bytes(9)), 0..4).prop_map(|list| {
        let mut out = Vec::new();
        for (alg, params) in list {
            out.extend_from_slice(&alg.to_be_bytes());
            out.extend_from_slice(&u16::try_from(params.len()).unwrap().to_be_bytes());
            out.extend_from_slice(&params);
            out.resize(out.len() + (4 - params.len() % 4) % 4, 0);
        }
        out
    })
}

fn attribute() -> impl Strategy<Value = Owned> {
    let code = 300u16..700;
    prop_oneof![
        socket_addr().prop_map(Owned::Mapped),
        socket_addr().prop_map(Owned::XorMapped),
        "\\PC{0,100}".prop_map(Owned::Username),
        any::<[u8; 32]>().prop_map(Owned::UserHash),
        (code.clone(), text()).prop_map(|(c, r)| Owned::ErrorCode(c, r)),
        text().prop_map(Owned::Realm),
        text().prop_map(Owned::Nonce),
        password_algorithms_wire().prop_map(Owned::PasswordAlgorithms),
        (any::<u16>(), bytes(9)).prop_map(|(a, p)| Owned::PasswordAlgorithm(a, p)),
        proptest::collection::vec(any::<u16>(), 0..6).prop_map(Owned::UnknownAttributes),
        text().prop_map(Owned::Software),
        socket_addr().prop_map(Owned::AlternateServer),
        "[a-z0-9.-]{1,40}".prop_map(Owned::AlternateDomain),
        (0x4000u16..=0x4fff).prop_map(Owned::ChannelNumber),
        any::<u32>().prop_map(Owned::Lifetime),
        socket_addr().prop_map(Owned::XorPeer),
        bytes(200).prop_map(Owned::Data),
        socket_addr().prop_map(Owned::XorRelayed),
        family().prop_map(Owned::RequestedFamily),
        any::<bool>().prop_map(Owned::EvenPort),
        any::<u8>().prop_map(Owned::RequestedTransport),
        Just(Owned::DontFragment),
        any::<[u8; 8]>().prop_map(Owned::ReservationToken),
        family().prop_map(Owned::AdditionalFamily),
        (family(), code, text()).prop_map(|(f, c, r)| Owned::AddressError(f, c, r)),
        (0u8..128, 0u16..512, any::<u32>()).prop_map(|(t, c, d)| Owned::Icmp(t, c, d)),
        any::<u32>().prop_map(Owned::Priority),
        Just(Owned::UseCandidate),
        any::<u64>().prop_map(Owned::IceControlled),
        any::<u64>().prop_map(Owned::IceControlling),
        (
            any::<u16>().prop_filter("not a known type", |t| !KNOWN.contains(t)),
            bytes(40)
        )
            .prop_map(|(t, v)| Owned::Unknown(t, v)),
    ]
}

fn class() -> impl Strategy<Value = Class> {
    prop_oneof![
        Just(Class::Request),
        Just(Class::Indication),
        Just(Class::Success),
        Just(Class::Error)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn built_messages_parse_back(
        class in class(),
        method in 0u16..0x1000,
        tid in any::<[u8; 12]>(),
        attributes in proptest::collection::vec(attribute(), 0..12),
        key in bytes(40),
        integrity in any::<bool>(),
        integrity_sha256 in any::<bool>(),
        fingerprint in any::<bool>(),
    ) {
        let key = IntegrityKey::new(&key);
        let mut buf = vec![0xaa; 3]; // the builder appends after existing bytes
        let mut b = MessageBuilder::new(&mut buf, class, Method::new(method), TransactionId(tid));
        for a in &attributes {
            b.add(&a.view()).unwrap();
        }
        if integrity { b.add_message_integrity(&key).unwrap(); }
        if integrity_sha256 { b.add_message_integrity_sha256(&key).unwrap(); }
        if fingerprint { b.add_fingerprint().unwrap(); }
        let len = b.finish();
        prop_assert_eq!(buf.len(), 3 + len);

        let m = Message::parse(&buf[3..]).unwrap();
        prop_assert_eq!(m.class(), class);
        prop_assert_eq!(m.method(), Method::new(method));
        prop_assert_eq!(m.transaction_id(), TransactionId(tid));
        let parsed: Vec<Attribute<'_>> = m
            .typed_attributes()
            .map(Result::unwrap)
            .filter(|a| !matches!(a, Attribute::MessageIntegrity(_) | Attribute::MessageIntegritySha256(_) | Attribute::Fingerprint(_)))
            .collect();
        let expected: Vec<Attribute<'_>> = attributes.iter().map(Owned::view).collect();
        prop_assert_eq!(parsed, expected);
        prop_assert_eq!(m.has_integrity(), integrity);
        if integrity { m.verify_integrity(&key).unwrap(); }
        if integrity_sha256 { m.verify_integrity_sha256(&key).unwrap(); }
        if fingerprint { m.verify_fingerprint().unwrap(); }
    }

    #[test]
    fn any_corruption_of_a_protected_message_is_detected(
        attributes in proptest::collection::vec(attribute(), 0..6),
        at in any::<proptest::sample::Index>(),
        flip in 1u8..=255,
    ) {
        let key = IntegrityKey::new(b"secret");
        let mut buf = Vec::new();
        let mut b = MessageBuilder::new(&mut buf, Class::Request, Method::BINDING, TransactionId([9; 12]));
        for a in &attributes {
            b.add(&a.view()).unwrap();
        }
        b.add_message_integrity(&key).unwrap();
        b.add_fingerprint().unwrap();
        b.finish();
        let i = at.index(buf.len());
        buf[i] ^= flip;
        if let Ok(m) = Message::parse(&buf) {
            let detected = m.verify_integrity(&key).is_err() || m.verify_fingerprint().is_err();
            prop_assert!(detected, "flipping byte {} went unnoticed", i);
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(data in bytes(600), key in bytes(20)) {
        let key = IntegrityKey::new(&key);
        if let Ok(m) = Message::parse(&data) {
            for a in m.typed_attributes() {
                let _ = a;
            }
            let _ = (m.verify_integrity(&key), m.verify_integrity_sha256(&key), m.verify_fingerprint());
            let _ = (m.xor_mapped_address(), m.error_code(), m.username(), m.unknown_comprehension_required().count());
        }
        let _ = Message::parse_prefix(&data);
        let _ = ChannelData::parse(&data);
        let _ = ChannelData::parse_prefix(&data);
    }

    #[test]
    fn arbitrary_stream_chunks_never_panic(chunks in proptest::collection::vec(bytes(300), 0..8)) {
        let mut decoder = StreamDecoder::new();
        for chunk in &chunks {
            if decoder.push(chunk).is_err() {
                break;
            }
            while let Some(frame) = decoder.next_frame() {
                let _ = frame;
            }
        }
    }

    #[test]
    fn channel_data_round_trips(channel in 0x4000u16..=0x4fff, data in bytes(300), pad in any::<bool>()) {
        let channel = ChannelNumber::new(channel).unwrap();
        let mut out = Vec::new();
        write_channel_data(&mut out, channel, &data, pad).unwrap();
        let frame = ChannelData::parse(&out).unwrap();
        prop_assert_eq!(frame.channel, channel);
        prop_assert_eq!(frame.data, &data[..]);
        if pad {
            let mut decoder = StreamDecoder::new();
            decoder.push(&out).unwrap();
            decoder.push(&out).unwrap();
            for _ in 0..2 {
                match decoder.next_frame() {
                    Some(Ok(sansrtc_stun::wire::Frame::ChannelData(f))) => prop_assert_eq!(f.data, &data[..]),
                    other => prop_assert!(false, "unexpected {:?}", other),
                }
            }
        }
    }
}
