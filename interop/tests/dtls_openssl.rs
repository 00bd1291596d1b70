//! Our DTLS 1.2 endpoint against the real OpenSSL binary (`openssl s_server` / `s_client`,
//! OpenSSL 3.0) on 127.0.0.1, in both roles, over a real UDP socket with the wall clock.
//!
//! Each run checks that the handshake completes with the cipher suite and the use_srtp profile
//! OpenSSL printed and the ECDHE group we expect (read from the ServerKeyExchange on the wire),
//! that our RFC 5705 exporter (`EXTRACTOR-dtls_srtp`, 60 bytes, and the profile's own length)
//! equals OpenSSL's `Keying material:` byte for byte (which also checks the extended master
//! secret, RFC 7627), that each side got the other's certificate (we compare DER; OpenSSL's
//! printed PEM is fingerprinted by `openssl x509`), that application data passes both ways, and
//! that close_notify is handled from either side.
//!
//! Fragmentation: s_server without `-mtu` splits its flight into ~230-byte handshake
//! fragments, and s_client with `-mtu 300` fragments its Certificate, which we reassemble; our
//! flights at `mtu = 576` span datagrams within 576 bytes, and at `mtu = 256` we fragment our
//! Certificate, which OpenSSL reassembles.
//!
//! Negative cases: a wrong pinned fingerprint fails with bad_certificate (and OpenSSL reports
//! that alert), and no common SRTP profile completes DTLS with no profile on both sides.
//!
//! OpenSSL missing: the test prints why and passes, unless `CI` is set (then it fails).

#[path = "dtls_openssl/harness.rs"]
mod harness;

use harness::{Case, Closer, Run};
use sansrtc_dtls::identity::Identity;
use sansrtc_dtls::wire::{AlertDescription, NamedGroup, SrtpProfileId};

// ---- our client, OpenSSL s_server ----

#[test]
fn our_client_with_s_server_aes128gcm_srtp_aead_aes_128_gcm() {
    let case = Case::new("ECDHE-ECDSA-AES128-GCM-SHA256", "SRTP_AEAD_AES_128_GCM");
    if let Some(run) = Run::client_with_s_server(case, None) {
        run.check_full_session();
    }
}

#[test]
fn our_client_reassembles_fragmented_s_server_flight_srtp_aes128_cm_sha1_80() {
    let mut case = Case::new("ECDHE-ECDSA-AES128-GCM-SHA256", "SRTP_AES128_CM_SHA1_80");
    case.openssl_mtu = None;
    case.expect_fragmented_peer_flight = true;
    if let Some(run) = Run::client_with_s_server(case, None) {
        run.check_full_session();
    }
}

#[test]
fn our_client_mtu_256_with_s_server_aes256gcm_p384_server_profile_order() {
    // Our client prefers AEAD_AES_128_GCM; the server's order picks (RFC 5764 §4.1.1).
    let mut case = Case::new(
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "SRTP_AES128_CM_SHA1_80:SRTP_AEAD_AES_128_GCM",
    );
    case.groups = "P-384:P-256";
    case.our_groups = Some(vec![NamedGroup::SECP384R1, NamedGroup::SECP256R1]);
    case.group = NamedGroup::SECP384R1;
    // Below our ~300-byte certificate message: OpenSSL must reassemble our fragments.
    case.our_mtu = Some(256);
    case.expect_our_fragments = true;
    if let Some(run) = Run::client_with_s_server(case, None) {
        run.check_full_session();
    }
}

#[test]
fn our_client_with_s_server_chacha20_x25519() {
    let mut case = Case::new("ECDHE-ECDSA-CHACHA20-POLY1305", "SRTP_AES128_CM_SHA1_80");
    case.groups = "X25519:P-256";
    if let Some(run) = Run::client_with_s_server(case, None) {
        run.check_full_session();
    }
}

// ---- our server, OpenSSL s_client ----

#[test]
fn our_server_with_s_client_aes128gcm_srtp_aes128_cm_sha1_80() {
    let mut case = Case::new("ECDHE-ECDSA-AES128-GCM-SHA256", "SRTP_AES128_CM_SHA1_80");
    case.closer = Closer::Openssl;
    if let Some(run) = Run::server_with_s_client(case, None) {
        run.check_full_session();
    }
}

#[test]
fn our_server_mtu_576_reassembles_s_client_flight_at_mtu_300_srtp_aead_aes_128_gcm() {
    // s_client's socket is connected, so without -mtu it uses the loopback MTU and sends
    // whole messages; -mtu 300 makes it fragment its Certificate.
    let mut case = Case::new("ECDHE-ECDSA-AES128-GCM-SHA256", "SRTP_AEAD_AES_128_GCM");
    case.openssl_mtu = Some(300);
    case.expect_fragmented_peer_flight = true;
    case.our_mtu = Some(576);
    if let Some(run) = Run::server_with_s_client(case, None) {
        run.check_full_session();
    }
}

#[test]
fn our_server_with_s_client_aes256gcm_p384_client_profile_list() {
    // Our server's order picks: AEAD_AES_128_GCM before AES128_CM_SHA1_80 in our default list.
    let mut case = Case::new(
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "SRTP_AES128_CM_SHA1_80:SRTP_AEAD_AES_128_GCM",
    );
    case.groups = "P-384:P-256";
    case.our_groups = Some(vec![NamedGroup::SECP384R1]);
    case.group = NamedGroup::SECP384R1;
    case.profile = Some(SrtpProfileId::AEAD_AES_128_GCM);
    case.closer = Closer::Openssl;
    if let Some(run) = Run::server_with_s_client(case, None) {
        run.check_full_session();
    }
}

// ---- negative cases ----

#[test]
fn our_client_rejects_s_server_certificate_with_wrong_fingerprint() {
    let other = Identity::generate().expect("identity").fingerprint();
    let case = Case::new("ECDHE-ECDSA-AES128-GCM-SHA256", "SRTP_AEAD_AES_128_GCM");
    if let Some(run) = Run::client_with_s_server(case, Some(other)) {
        run.check_we_fail(AlertDescription::BAD_CERTIFICATE, "alert bad certificate");
    }
}

#[test]
fn our_server_rejects_s_client_certificate_with_wrong_fingerprint() {
    let other = Identity::generate().expect("identity").fingerprint();
    let case = Case::new("ECDHE-ECDSA-AES128-GCM-SHA256", "SRTP_AEAD_AES_128_GCM");
    if let Some(run) = Run::server_with_s_client(case, Some(other)) {
        run.check_we_fail(AlertDescription::BAD_CERTIFICATE, "alert bad certificate");
    }
}

#[test]
fn no_common_srtp_profile_connects_without_a_profile_on_both_sides() {
    // RFC 5764 §4.1.1: a server with no profile in common leaves use_srtp out of its
    // ServerHello. DTLS completes; WebRTC set-up must then fail above DTLS (the facade).
    let mut case = Case::new("ECDHE-ECDSA-AES128-GCM-SHA256", "SRTP_AEAD_AES_128_GCM");
    case.our_srtp = Some(vec![SrtpProfileId::AES128_CM_HMAC_SHA1_80]);
    case.profile = None;
    if let Some(run) = Run::client_with_s_server(case, None) {
        run.check_full_session();
    }
}
