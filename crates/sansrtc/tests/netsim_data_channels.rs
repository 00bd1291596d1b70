//! Two PeerConnections on the simulated network (`sansrtc-netsim`): offer and answer with
//! trickled candidates, or the direct API; ICE, DTLS and SCTP come up, and data channels
//! carry messages both ways, also at 5% loss.

mod netsim;

use std::time::Duration;

use netsim::{config, direct, exchange, net, net_with};
use sansrtc::{
    Config, ConnectionState, DtlsRole, Event, OfferOptions, SignalingState, SrtpProfileId,
};

#[test]
fn offer_and_answer_with_trickle_connect_and_carry_data_both_ways() {
    let mut net = net(1, 0.0);
    net.offer_answer();
    exchange(&mut net, "chat");
    for id in [net.a, net.b] {
        assert_eq!(
            net.sim.endpoint(id).connection_state(),
            ConnectionState::Connected
        );
    }
    // Statistics as getStats() would give them.
    let stats = net.sim.endpoint(net.a).stats();
    assert_eq!(stats.transport.dtls_state, "connected");
    assert_eq!(stats.transport.tls_version, Some("FEFD"));
    assert_eq!(stats.transport.dtls_role, Some("server"));
    assert_eq!(stats.transport.ice_role, "controlling");
    assert!(stats.transport.packets_sent > 20 && stats.transport.bytes_received > 100_000);
    let selected = stats.transport.selected_candidate_pair.unwrap();
    assert!(stats.candidate_pairs[selected].nominated);
    assert_eq!(stats.peer_connection.data_channels_opened, 1);
    let chat = &stats.data_channels[0];
    assert_eq!((chat.label.as_str(), chat.state), ("chat", "open"));
    assert_eq!((chat.messages_sent, chat.messages_received), (20, 20));
    assert_eq!(chat.bytes_sent, chat.bytes_received);
    // The answerer took the DTLS client role (a=setup:active), the offerer the server role.
    assert_eq!(
        net.sim.endpoint(net.a).negotiated().unwrap().dtls_role,
        DtlsRole::Server
    );
    assert_eq!(
        net.sim.endpoint(net.b).negotiated().unwrap().dtls_role,
        DtlsRole::Client
    );
}

#[test]
fn the_direct_api_connects_without_sdp() {
    let mut net = net(2, 0.0);
    direct(&mut net, DtlsRole::Client);
    exchange(&mut net, "direct");
}

#[test]
fn a_connection_survives_five_percent_loss() {
    for seed in 10..13 {
        let mut net = net(seed, 0.05);
        net.offer_answer();
        exchange(&mut net, "lossy");
    }
}

#[test]
fn renegotiation_and_ice_restarts_from_either_side_keep_channels_working() {
    let mut net = net(20, 0.0);
    net.offer_answer();
    exchange(&mut net, "first");
    // A second offer/answer on the same transport, then a channel opened after it.
    net.exchange_descriptions(true, OfferOptions::default());
    exchange(&mut net, "after renegotiation");
    // ICE restarts, offered by b and then by a: new credentials, and data still flows.
    for a_offers in [false, true] {
        let before = (
            net.sim.endpoint(net.a).local_parameters().ice,
            net.sim.endpoint(net.b).local_parameters().ice,
        );
        net.exchange_descriptions(a_offers, OfferOptions::ice_restart());
        let after = (
            net.sim.endpoint(net.a).local_parameters().ice,
            net.sim.endpoint(net.b).local_parameters().ice,
        );
        assert_ne!(before.0, after.0, "a has new ICE credentials");
        assert_ne!(before.1, after.1, "b has new ICE credentials");
        for id in [net.a, net.b] {
            assert_eq!(
                net.sim.endpoint(id).signaling_state(),
                SignalingState::Stable
            );
        }
        exchange(&mut net, "after restart");
        let connected = net.run(Duration::from_secs(10), |sim, a, b| {
            [a, b].iter().all(|&id| {
                sim.events(id)
                    .iter()
                    .rev()
                    .find_map(|e| match e {
                        Event::IceConnectionState(s) => Some(*s),
                        _ => None,
                    })
                    .is_some_and(|s| {
                        matches!(
                            s,
                            sansrtc_ice::ConnectionState::Connected
                                | sansrtc_ice::ConnectionState::Completed
                        )
                    })
            })
        });
        assert!(connected, "ICE connected again after the restart");
    }
}

#[test]
fn each_srtp_profile_is_negotiated_in_each_dtls_role() {
    let profiles = [
        SrtpProfileId::AEAD_AES_128_GCM,
        SrtpProfileId::AEAD_AES_256_GCM,
        SrtpProfileId::AES128_CM_HMAC_SHA1_80,
    ];
    for (n, profile) in profiles.into_iter().enumerate() {
        for a_role in [DtlsRole::Client, DtlsRole::Server] {
            let seed = 40 + n as u64 * 2 + u64::from(a_role == DtlsRole::Server);
            // `a` offers only this profile; `b` has the default list.
            let a_config = Config {
                srtp_profiles: vec![profile],
                ..config(seed)
            };
            let mut net = net_with(seed, 0.0, a_config, config(seed + 100));
            direct(&mut net, a_role);
            exchange(&mut net, "srtp");
            for (id, role) in [
                (net.a, a_role),
                (
                    net.b,
                    if a_role == DtlsRole::Client {
                        DtlsRole::Server
                    } else {
                        DtlsRole::Client
                    },
                ),
            ] {
                let negotiated = net.sim.endpoint(id).negotiated().unwrap();
                assert_eq!(
                    negotiated.srtp_profile,
                    Some(profile),
                    "{profile:?} {a_role:?}"
                );
                assert_eq!(negotiated.dtls_role, role);
            }
        }
    }
    // Two defaults: our first preference.
    let mut net = net(50, 0.0);
    net.offer_answer();
    exchange(&mut net, "default");
    assert_eq!(
        net.sim.endpoint(net.a).negotiated().unwrap().srtp_profile,
        Some(SrtpProfileId::AEAD_AES_128_GCM)
    );
}
