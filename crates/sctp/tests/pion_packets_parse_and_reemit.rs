//! Every packet of `vectors/pion-sctp-packets.json` (pion/sctp's test packets, Chrome's INIT
//! and INIT ACK among them) parses with the fields the file decodes, passes its CRC32c, and
//! re-emits byte for byte from its Reprs through `PacketBuilder`.
//!
//! The file names parameter 0x8004 "Chunk List" and 0x8003 "Requested HMAC Algorithm"; RFC
//! 4895 §3.2–3.3 assigns them the other way round, and the bytes agree with the RFC (0x8003
//! carries chunk types 0x80 0xc1, 0x8004 carries HMAC identifier 1). Types are compared here,
//! not names.

use sansrtc_sctp::wire::{
    ChecksumMode, ChunkRepr, InitParam, Packet, PacketBuilder, ReconfigParam, TlvEntry,
};
use serde_json::Value;

const VECTORS: &str = include_str!("vectors/pion-sctp-packets.json");

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn int(v: &Value) -> u64 {
    match v {
        Value::Number(n) => n.as_u64().unwrap(),
        Value::String(s) => u64::from_str_radix(s.trim_start_matches("0x"), 16).unwrap(),
        other => panic!("not a number: {other}"),
    }
}

fn packets() -> Vec<(String, Vec<u8>, Value)> {
    let doc: Value = serde_json::from_str(VECTORS).unwrap();
    doc["packets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_owned(),
                hex(p["hex"].as_str().unwrap()),
                p["decoded"].clone(),
            )
        })
        .collect()
}

fn check_init_params(
    name: &str,
    params: &sansrtc_sctp::wire::TlvList<'_, InitParam<'_>>,
    want: &Value,
) {
    let got: Vec<InitParam<'_>> = params.iter().collect();
    let want = want.as_array().unwrap();
    assert_eq!(got.len(), want.len(), "{name}: parameter count");
    for (p, w) in got.iter().zip(want) {
        assert_eq!(
            u64::from(p.tlv_type()),
            int(&w["type"]),
            "{name}: parameter type"
        );
        assert_eq!(
            p.value_len() as u64 + 4,
            int(&w["length"]),
            "{name}: parameter length"
        );
        match p {
            InitParam::SupportedExtensions(types) => {
                let want: Vec<u8> = w["chunk_types"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|t| int(t) as u8)
                    .collect();
                assert_eq!(*types, &want[..], "{name}: supported extensions");
            }
            InitParam::StateCookie(cookie) => {
                assert_eq!(*cookie, &hex(w["cookie_hex"].as_str().unwrap())[..]);
            }
            InitParam::ForwardTsnSupported
            | InitParam::Random(_)
            | InitParam::ChunkList(_)
            | InitParam::RequestedHmacAlgorithm(_) => {}
            other => panic!("{name}: unexpected parameter {other:?}"),
        }
    }
}

fn check_chunk(name: &str, repr: &ChunkRepr<'_>, w: &Value) {
    match repr {
        ChunkRepr::Init(init) | ChunkRepr::InitAck(init) => {
            assert_eq!(u64::from(init.initiate_tag), int(&w["initiate_tag"]));
            assert_eq!(u64::from(init.a_rwnd), int(&w["a_rwnd"]));
            assert_eq!(
                u64::from(init.outbound_streams),
                int(&w["num_outbound_streams"])
            );
            assert_eq!(
                u64::from(init.inbound_streams),
                int(&w["num_inbound_streams"])
            );
            assert_eq!(u64::from(init.initial_tsn), int(&w["initial_tsn"]));
            check_init_params(name, &init.params, &w["params"]);
        }
        ChunkRepr::CookieEcho(c) => {
            assert_eq!(c.cookie, &hex(w["cookie_hex"].as_str().unwrap())[..]);
        }
        ChunkRepr::Data(d) => {
            let bits = &w["flags_bits"];
            assert_eq!(d.unordered, bits["U"].as_bool().unwrap());
            assert_eq!(d.beginning, bits["B"].as_bool().unwrap());
            assert_eq!(d.ending, bits["E"].as_bool().unwrap());
            assert_eq!(u64::from(d.tsn), int(&w["tsn"]));
            assert_eq!(u64::from(d.stream_id), int(&w["stream_id"]));
            assert_eq!(u64::from(d.ssn), int(&w["ssn"]));
            assert_eq!(u64::from(d.ppid), int(&w["ppid"]));
            assert_eq!(d.user_data, &hex(w["user_data_hex"].as_str().unwrap())[..]);
        }
        ChunkRepr::Reconfig(r) => {
            let got: Vec<_> = r.params.iter().collect();
            let want = w["params"].as_array().unwrap();
            assert_eq!(got.len(), want.len());
            for (p, w) in got.iter().zip(want) {
                assert_eq!(u64::from(p.tlv_type()), int(&w["type"]));
                assert_eq!(p.value_len() as u64 + 4, int(&w["length"]));
                let ReconfigParam::OutgoingSsnResetRequest {
                    request_seq,
                    response_seq,
                    senders_last_tsn,
                    stream_ids,
                } = p
                else {
                    panic!("{name}: unexpected parameter {p:?}");
                };
                assert_eq!(u64::from(*request_seq), int(&w["request_seq"]));
                assert_eq!(u64::from(*response_seq), int(&w["response_seq"]));
                assert_eq!(u64::from(*senders_last_tsn), int(&w["senders_last_tsn"]));
                let want: Vec<u64> = w["stream_ids"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(int)
                    .collect();
                let got: Vec<u64> = stream_ids.iter().map(u64::from).collect();
                assert_eq!(got, want);
            }
        }
        ChunkRepr::ForwardTsn(f) => {
            assert_eq!(
                u64::from(f.new_cumulative_tsn),
                int(&w["new_cumulative_tsn"])
            );
            assert_eq!(f.streams.len(), w["streams"].as_array().unwrap().len());
        }
        other => panic!("{name}: unexpected chunk {other:?}"),
    }
}

#[test]
fn every_pion_packet_parses_with_the_decoded_fields() {
    let all = packets();
    assert_eq!(all.len(), 6);
    for (name, bytes, decoded) in &all {
        let packet = Packet::new_checked(&bytes[..]).unwrap();
        assert!(decoded["crc32c_ok"].as_bool().unwrap());
        packet.verify_checksum(false).unwrap();
        assert_eq!(
            u64::from(packet.source_port()),
            int(&decoded["src_port"]),
            "{name}"
        );
        assert_eq!(
            u64::from(packet.destination_port()),
            int(&decoded["dst_port"])
        );
        assert_eq!(
            u64::from(packet.verification_tag()),
            int(&decoded["verification_tag"])
        );
        assert_eq!(
            bytes[8..12],
            hex(decoded["checksum_field"].as_str().unwrap())[..]
        );

        let want = decoded["chunks"].as_array().unwrap();
        let chunks: Vec<_> = packet.chunks().collect::<Result<_, _>>().unwrap();
        assert_eq!(chunks.len(), want.len(), "{name}: chunk count");
        for (chunk, w) in chunks.iter().zip(want) {
            assert_eq!(u64::from(chunk.chunk_type()), int(&w["type"]), "{name}");
            assert_eq!(u64::from(chunk.flags()), int(&w["flags"]), "{name}");
            assert_eq!(chunk.length() as u64, int(&w["length"]), "{name}");
            let repr = ChunkRepr::parse(chunk).unwrap();
            check_chunk(name, &repr, w);
        }
    }
}

#[test]
fn every_pion_packet_reemits_byte_for_byte() {
    let mut out = Vec::new();
    for (name, bytes, _) in packets() {
        let packet = Packet::new_checked(&bytes[..]).unwrap();
        out.clear();
        let mut builder = PacketBuilder::new(&mut out, packet.header(), 1500).unwrap();
        for chunk in packet.chunks() {
            builder
                .push(&ChunkRepr::parse(&chunk.unwrap()).unwrap())
                .unwrap();
        }
        builder.finish(ChecksumMode::Crc32c);
        assert_eq!(out, bytes, "{name}");
    }
}

#[test]
fn a_flipped_bit_fails_the_checksum() {
    for (name, mut bytes, _) in packets() {
        let last = bytes.len() - 1;
        bytes[last] ^= 0x10;
        let packet = Packet::new_checked(&bytes[..]).unwrap();
        assert!(packet.verify_checksum(false).is_err(), "{name}");
        assert!(packet.verify_checksum(true).is_err(), "{name}");
    }
}
