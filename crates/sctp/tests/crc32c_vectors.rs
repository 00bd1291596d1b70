//! CRC-32C examples of RFC 3720 Appendix B.4 (and the standard check value), from
//! `vectors/crc32c-rfc3720-b4.json`: the value, and the wire order SCTP's checksum field uses
//! (RFC 9260 Appendix A: the value little-endian, as RFC 3720 prints it).

use sansrtc_sctp::checksum;
use serde_json::Value;

const VECTORS: &str = include_str!("vectors/crc32c-rfc3720-b4.json");

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn rfc3720_crc32c_examples_and_their_wire_order() {
    let doc: Value = serde_json::from_str(VECTORS).unwrap();
    let vectors = doc["vectors"].as_array().unwrap();
    assert_eq!(vectors.len(), 6);
    for v in vectors {
        let data = hex(v["data_hex"].as_str().unwrap());
        let want = u32::from_str_radix(v["crc32c"].as_str().unwrap().trim_start_matches("0x"), 16)
            .unwrap();
        assert_eq!(crc32c::crc32c(&data), want, "{}", v["name"]);
        let wire = hex(v["crc_bytes_as_rfc3720_lists_them"].as_str().unwrap());
        assert_eq!(want.to_le_bytes()[..], wire[..], "{}", v["name"]);

        // As an SCTP packet: the data with a zeroed checksum field spliced in at 8..12 is
        // checksummed as if the field were zero, and written in the RFC 3720 order.
        if data.len() >= 12 {
            let mut packet = data.clone();
            packet[8..12].fill(0);
            let crc = crc32c::crc32c(&packet);
            packet[8..12].copy_from_slice(&[0xde, 0xad, 0xbe, 0xef]);
            assert_eq!(checksum::compute(&packet), crc);
            assert_eq!(checksum::write(&mut packet), Some(crc));
            assert_eq!(packet[8..12], crc.to_le_bytes());
            assert_eq!(checksum::verify(&packet, false), Ok(()));
        }
    }
}
