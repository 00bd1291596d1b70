//! Known-answer tests of the internals against the RFC vectors: the AES-CM keystream (RFC 3711
//! B.2, RFC 6188 §7.1), the key derivation (RFC 3711 B.3, RFC 6188 §7.2) and AES-GCM SRTP and
//! SRTCP from session keys (RFC 7714 §16, §17).

use serde_json::Value;

use crate::crypto::aes_ctr::AesCtr;
use crate::kdf::{Label, derive};
use crate::transform::Transform;
use crate::{MasterKey, Profile};

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn field(v: &Value, name: &str) -> Vec<u8> {
    hex(v[name].as_str().unwrap_or_else(|| panic!("{name}")))
}

/// Checks every keystream block: the counter of block n is the IV plus n.
fn check_keystream(key: &[u8], blocks: &Value) -> usize {
    let ctr = AesCtr::new(key).unwrap();
    let mut checked = 0;
    for block in blocks.as_array().unwrap() {
        let counter: [u8; 16] = field(block, "counter").try_into().unwrap();
        let mut out = [0u8; 16];
        ctr.apply(&counter, &mut out);
        assert_eq!(out.to_vec(), field(block, "keystream"));
        checked += 1;
    }
    // A run of blocks from the IV is one keystream: the 32-bit counter carries as 128-bit
    // addition does for SRTP's counter blocks.
    let first: [u8; 16] = field(&blocks[0], "counter").try_into().unwrap();
    let mut run = [0u8; 48];
    ctr.apply(&first, &mut run);
    for (n, chunk) in run.chunks(16).enumerate() {
        assert_eq!(chunk.to_vec(), field(&blocks[n], "keystream"));
    }
    checked
}

#[test]
fn rfc3711_b2_aes_cm_keystream() {
    let v: Value = serde_json::from_str(include_str!(
        "../tests/vectors/rfc3711-b2-aes-cm-keystream.json"
    ))
    .unwrap();
    assert_eq!(
        check_keystream(&field(&v, "session_key"), &v["keystream_blocks"]),
        6
    );
}

#[test]
fn rfc6188_aes256_cm_keystream() {
    let v: Value =
        serde_json::from_str(include_str!("../tests/vectors/rfc6188-aes256-cm.json")).unwrap();
    let keystream = &v["keystream"];
    assert_eq!(
        check_keystream(&field(keystream, "session_key"), &keystream["blocks"]),
        6
    );
}

fn check_derivation(profile: Profile, master: &MasterKey, expected: [(Label, Vec<u8>); 6]) {
    for (label, want) in expected {
        let mut out = vec![0u8; want.len()];
        derive(master, label, &mut out);
        assert_eq!(out, want, "{profile} label {label:?}");
    }
}

#[test]
fn rfc3711_b3_key_derivation() {
    let v: Value = serde_json::from_str(include_str!(
        "../tests/vectors/rfc3711-b3-key-derivation.json"
    ))
    .unwrap();
    let profile = Profile::Aes128CmHmacSha1_80;
    let master =
        MasterKey::new(profile, &field(&v, "master_key"), &field(&v, "master_salt")).unwrap();
    let (srtp, srtcp) = (&v["srtp"], &v["srtcp"]);
    check_derivation(
        profile,
        &master,
        [
            (Label::RtpEncryption, field(srtp, "cipher_key_label_0x00")),
            (Label::RtpAuthentication, field(srtp, "auth_key_label_0x01")),
            (Label::RtpSalt, field(srtp, "salt_label_0x02")),
            (Label::RtcpEncryption, field(srtcp, "cipher_key_label_0x03")),
            (
                Label::RtcpAuthentication,
                field(srtcp, "auth_key_label_0x04"),
            ),
            (Label::RtcpSalt, field(srtcp, "salt_label_0x05")),
        ],
    );
    // The RFC prints 94 bytes of the label-1 keystream; the PRF gives them all.
    let long = field(&v, "auth_keystream_94_bytes");
    let mut out = vec![0u8; long.len()];
    derive(&master, Label::RtpAuthentication, &mut out);
    assert_eq!(out, long);
}

#[test]
fn rfc6188_aes256_key_derivation() {
    let v: Value =
        serde_json::from_str(include_str!("../tests/vectors/rfc6188-aes256-cm.json")).unwrap();
    let kd = &v["key_derivation"];
    let profile = Profile::Aes256CmHmacSha1_80;
    let master =
        MasterKey::new(profile, &field(kd, "master_key"), &field(kd, "master_salt")).unwrap();
    let (srtp, srtcp) = (&kd["srtp"], &kd["srtcp"]);
    check_derivation(
        profile,
        &master,
        [
            (Label::RtpEncryption, field(srtp, "cipher_key")),
            (Label::RtpAuthentication, field(srtp, "auth_key")),
            (Label::RtpSalt, field(srtp, "salt")),
            (Label::RtcpEncryption, field(srtcp, "cipher_key")),
            (Label::RtcpAuthentication, field(srtcp, "auth_key")),
            (Label::RtcpSalt, field(srtcp, "salt")),
        ],
    );
}

#[test]
fn rfc7714_gcm_srtp_and_srtcp() {
    let v: Value =
        serde_json::from_str(include_str!("../tests/vectors/rfc7714-aes-gcm.json")).unwrap();
    let mut checked = 0;
    for vector in v["vectors"].as_array().unwrap() {
        let transform = Transform::from_session_keys(
            &field(vector, "session_key"),
            &field(vector, "session_salt"),
            None,
            16,
        );
        // SRTP (RFC 7714 §16.1, §16.2).
        let rtp = &vector["rtp"];
        let plaintext = field(rtp, "plaintext");
        // The JSON's "ssrc" field repeats the RTCP sender's; the RTP packet's is 0x5501a0b2,
        // which is what the vector's IV was computed with.
        let ssrc = u32::from_be_bytes(plaintext[8..12].try_into().unwrap());
        let index = rtp["roc"].as_u64().unwrap() << 16 | rtp["seq"].as_u64().unwrap();
        let mut packet = plaintext.clone();
        packet.resize(plaintext.len() + 16, 0);
        transform.protect_rtp(&mut packet, 12, ssrc, index);
        assert_eq!(packet, field(rtp, "protected"));
        assert!(transform.unprotect_rtp(&mut packet, 12, ssrc, index));
        assert_eq!(packet[..plaintext.len()], plaintext[..]);
        // SRTCP, encrypted and authenticated only (RFC 7714 §17).
        for (case, encrypt) in [("rtcp_encrypted", true), ("rtcp_authenticated_only", false)] {
            let rtcp = &vector[case];
            let plaintext = field(rtcp, "plaintext");
            let index = rtcp["srtcp_index"].as_u64().unwrap() as u32;
            let ssrc = u32::from_be_bytes(plaintext[4..8].try_into().unwrap());
            let mut packet = plaintext.clone();
            packet.resize(plaintext.len() + 20, 0);
            let len = transform.protect_rtcp(&mut packet, plaintext.len(), ssrc, index, encrypt);
            assert_eq!(packet[..len], field(rtcp, "protected")[..], "{case}");
            let mut tampered = packet.clone();
            tampered[len - 5] ^= 1;
            assert_eq!(
                transform.unprotect_rtcp(&mut tampered, ssrc, index, encrypt),
                None
            );
            if !encrypt {
                assert_eq!(
                    tampered[..len - 5],
                    packet[..len - 5],
                    "restored after a bad tag"
                );
            }
            assert_eq!(
                transform.unprotect_rtcp(&mut packet, ssrc, index, encrypt),
                Some(plaintext.len())
            );
            assert_eq!(packet[..plaintext.len()], plaintext[..], "{case}");
            checked += 1;
        }
    }
    assert_eq!(checked, 4);
}
