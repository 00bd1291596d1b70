//! DTLS-SRTP keying (RFC 5764 §4.2): the exporter output splits into client key, server key,
//! client salt, server salt, and the two ends of a session talk to each other.

use sansrtc_srtp::{Config, DtlsSrtpKeys, Error, Profile, Role, Session, keying_material_len};

#[test]
fn exporter_output_splits_in_rfc_5764_order() {
    for profile in Profile::ALL {
        let material: Vec<u8> = (0..keying_material_len(profile) as u8).collect();
        let keys = DtlsSrtpKeys::split(profile, &material).unwrap();
        let (k, s) = (profile.key_len(), profile.salt_len());
        assert_eq!(keys.client.key(), &material[..k]);
        assert_eq!(keys.server.key(), &material[k..2 * k]);
        assert_eq!(keys.client.salt(), &material[2 * k..2 * k + s]);
        assert_eq!(keys.server.salt(), &material[2 * k + s..]);
        assert_eq!(keys.local(Role::Client), &keys.client);
        assert_eq!(keys.remote(Role::Client), &keys.server);
        assert_eq!(keys.local(Role::Server), &keys.server);
        assert_eq!(
            DtlsSrtpKeys::split(profile, &material[1..]),
            Err(Error::BadKeyLength)
        );
    }
}

#[test]
fn client_and_server_sessions_understand_each_other() {
    for profile in Profile::ALL {
        let material: Vec<u8> = (0..keying_material_len(profile))
            .map(|i| (i * 7) as u8)
            .collect();
        let mut client =
            Session::from_dtls(profile, &material, Role::Client, Config::default()).unwrap();
        let mut server =
            Session::from_dtls(profile, &material, Role::Server, Config::default()).unwrap();
        let rtp = [0x80, 111, 0, 9, 0, 0, 1, 0, 0, 0, 0, 5, 1, 2, 3, 4];
        let mut packet = rtp.to_vec();
        client.outbound.protect_rtp(&mut packet).unwrap();
        // The client's own inbound context has the server's key: it cannot read its own packet.
        assert_eq!(
            client.inbound.unprotect_rtp(&mut packet.clone()),
            Err(Error::AuthFailed)
        );
        server.inbound.unprotect_rtp_vec(&mut packet).unwrap();
        assert_eq!(packet, rtp);
        let rtcp = [0x81, 201, 0, 1, 0, 0, 0, 5];
        let mut packet = rtcp.to_vec();
        server.outbound.protect_rtcp(&mut packet).unwrap();
        client.inbound.unprotect_rtcp_vec(&mut packet).unwrap();
        assert_eq!(packet, rtcp);
    }
}

#[test]
fn dtls_profile_identifiers_round_trip() {
    for profile in Profile::ALL {
        if let Some(id) = profile.dtls_id() {
            assert_eq!(Profile::from_dtls_id(id), Ok(profile));
        }
        assert!(!profile.sdes_name().is_empty());
    }
    assert_eq!(Profile::from_dtls_id(0x0007), Ok(Profile::AeadAes128Gcm));
    assert_eq!(
        Profile::from_dtls_id(0x0005),
        Err(Error::UnknownProfile(0x0005))
    );
    assert_eq!(Profile::Aes128CmHmacSha1_32.rtp_tag_len(), 4);
    assert_eq!(
        Profile::Aes128CmHmacSha1_32.rtcp_tag_len(),
        10,
        "RFC 5764 §4.1.2"
    );
}
