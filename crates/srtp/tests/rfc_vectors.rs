//! The reference packets: libsrtp's `srtp_validate*()` SRTP and SRTCP packets, protected from
//! master keys through the whole stack (key derivation, cipher, tag), match byte for byte and
//! unprotect back to the plaintext.

use sansrtc_srtp::{Config, Context, Error, MasterKey, Profile};
use serde_json::Value;

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn profile(name: &str) -> Profile {
    if name.starts_with("SRTP_AES128_CM_HMAC_SHA1_80") {
        Profile::Aes128CmHmacSha1_80
    } else if name.starts_with("SRTP_AES256_CM_HMAC_SHA1_80") {
        Profile::Aes256CmHmacSha1_80
    } else if name.starts_with("SRTP_AEAD_AES_128_GCM") {
        Profile::AeadAes128Gcm
    } else {
        panic!("unexpected profile {name}")
    }
}

#[test]
fn libsrtp_reference_packets_match_byte_for_byte() {
    let file: Value =
        serde_json::from_str(include_str!("vectors/libsrtp-full-packets.json")).unwrap();
    let mut checked = 0;
    for item in file["packets"].as_array().unwrap() {
        let name = item["name"].as_str().unwrap();
        let profile = profile(item["profile"].as_str().unwrap());
        let key = MasterKey::new(
            profile,
            &hex(item["master_key"].as_str().unwrap()),
            &hex(item["master_salt"].as_str().unwrap()),
        )
        .unwrap();
        let plaintext = hex(item["plaintext"].as_str().unwrap());
        let protected = hex(item["protected"].as_str().unwrap());
        let mut sender = Context::new(&key, Config::default()).unwrap();
        let mut receiver = Context::new(&key, Config::default()).unwrap();
        let mut packet = plaintext.clone();
        if name.ends_with("-rtcp") {
            assert_eq!(item["srtcp_index"], 1);
            // RFC 3711 §3.4 starts the SRTCP index at 0; libsrtp's packet is the second one.
            sender.protect_rtcp(&mut plaintext.clone()).unwrap();
            sender.protect_rtcp(&mut packet).unwrap();
            assert_eq!(packet, protected, "{name}");
            let len = receiver.unprotect_rtcp(&mut packet).unwrap();
            assert_eq!(packet[..len], plaintext[..], "{name}");
            assert_eq!(
                receiver.unprotect_rtcp(&mut protected.clone()),
                Err(Error::Replay)
            );
        } else {
            sender.protect_rtp(&mut packet).unwrap();
            assert_eq!(packet, protected, "{name}");
            let len = receiver.unprotect_rtp(&mut packet).unwrap();
            assert_eq!(packet[..len], plaintext[..], "{name}");
            assert_eq!(
                receiver.unprotect_rtp(&mut protected.clone()),
                Err(Error::Replay)
            );
        }
        checked += 1;
    }
    assert_eq!(checked, 6);
}

#[test]
fn rfc_3711_b3_master_key_protects_like_its_session_keys() {
    // The RFC's master key and salt; the packet itself is libsrtp's. Tampering with any byte
    // of header, payload or tag fails authentication.
    let file: Value =
        serde_json::from_str(include_str!("vectors/libsrtp-full-packets.json")).unwrap();
    let item = &file["packets"][0];
    let key = MasterKey::new(
        Profile::Aes128CmHmacSha1_80,
        &hex(item["master_key"].as_str().unwrap()),
        &hex(item["master_salt"].as_str().unwrap()),
    )
    .unwrap();
    let protected = hex(item["protected"].as_str().unwrap());
    for at in 0..protected.len() {
        let mut receiver = Context::new(&key, Config::default()).unwrap();
        let mut tampered = protected.clone();
        tampered[at] ^= 0x01;
        let result = receiver.unprotect_rtp(&mut tampered);
        if at == 0 {
            // Flipping the version-adjacent CSRC bit makes the header claim a CSRC.
            assert!(result.is_err(), "byte {at}");
        } else {
            assert_eq!(result, Err(Error::AuthFailed), "byte {at}");
        }
        assert_eq!(
            receiver.stream_count(),
            0,
            "a forged packet creates no state"
        );
    }
}
