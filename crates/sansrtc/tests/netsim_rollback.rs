//! JSEP rollback on the simulated network (RFC 8829 §4.1.10.2): glare on the first offer
//! resolved the way perfect negotiation does it (the polite peer's own offer rolled back,
//! explicitly or by the crossing offer), rolled-back ICE restarts on either side (the old
//! credentials come back and the connection outlives the consent timeout), a first remote
//! offer rolled back before the roles swap, and rollbacks out of turn refused.

mod netsim;

use std::time::Duration;

use netsim::{Net, exchange, net};
use sansrtc::{
    ChannelConfig, ConnectionState, Error, Event, OfferOptions, SdpType, SignalingState,
};

/// `pc` creates an offer (restarting ICE when asked) and sets it.
fn offer(net: &mut Net, a: bool, options: OfferOptions) -> String {
    let id = if a { net.a } else { net.b };
    net.sim.with_endpoint(id, |pc, now| {
        let offer = pc.create_offer_with(now, options).unwrap();
        pc.set_local_description(now, SdpType::Offer, &offer)
            .unwrap();
        offer
    })
}

/// The other side takes `offer`, answers and sets its answer; the offerer takes the answer.
fn answer(net: &mut Net, a_offered: bool, offer: &str) {
    let (offerer, answerer) = if a_offered {
        (net.a, net.b)
    } else {
        (net.b, net.a)
    };
    let answer = net.sim.with_endpoint(answerer, |pc, now| {
        pc.set_remote_description(now, SdpType::Offer, offer)
            .unwrap();
        let answer = pc.create_answer().unwrap();
        pc.set_local_description(now, SdpType::Answer, &answer)
            .unwrap();
        answer
    });
    net.sim.with_endpoint(offerer, |pc, now| {
        pc.set_remote_description(now, SdpType::Answer, &answer)
            .unwrap();
    });
}

fn states(net: &Net) -> [(SignalingState, ConnectionState); 2] {
    [net.a, net.b].map(|id| {
        let pc = net.sim.endpoint(id);
        (pc.signaling_state(), pc.connection_state())
    })
}

#[test]
fn glare_on_the_first_offer_resolves_by_the_polite_peer_rolling_back() {
    for explicit in [false, true] {
        let mut net = net(60 + u64::from(explicit), 0.0);
        // b made a channel before negotiating; it must survive the rollback.
        let polite = net.sim.with_endpoint(net.b, |pc, now| {
            pc.create_data_channel(
                now,
                ChannelConfig {
                    label: "polite".to_owned(),
                    ..ChannelConfig::default()
                },
            )
        });
        let a_offer = offer(&mut net, true, OfferOptions::default());
        let _b_offer = offer(&mut net, false, OfferOptions::default());
        assert_eq!(
            states(&net).map(|s| s.0),
            [SignalingState::HaveLocalOffer; 2]
        );
        // The impolite a ignores b's offer; the polite b rolls its own back.
        if explicit {
            net.sim.with_endpoint(net.b, |pc, now| {
                pc.set_local_description(now, SdpType::Rollback, "")
                    .unwrap();
                assert_eq!(pc.signaling_state(), SignalingState::Stable);
            });
        }
        answer(&mut net, true, &a_offer);
        exchange(&mut net, "after glare");
        let (a, b) = (net.sim.endpoint(net.a), net.sim.endpoint(net.b));
        assert_eq!(a.stats().transport.ice_role, "controlling");
        assert_eq!(b.stats().transport.ice_role, "controlled");
        assert!(net.sim.events(net.b).contains(&Event::ChannelOpen(polite)));
        let labels: Vec<String> = a
            .stats()
            .data_channels
            .iter()
            .map(|c| c.label.clone())
            .collect();
        assert!(labels.contains(&"polite".to_owned()), "{labels:?}");
    }
}

#[test]
fn a_rolled_back_ice_restart_of_ours_keeps_the_old_credentials_and_the_connection() {
    let mut net = net(62, 0.0);
    net.offer_answer();
    exchange(&mut net, "before");
    let before = net.sim.endpoint(net.a).local_parameters().ice;
    offer(&mut net, true, OfferOptions::ice_restart());
    assert_ne!(
        net.sim.endpoint(net.a).local_parameters().ice,
        before,
        "setting the offer restarted ICE"
    );
    net.sim.with_endpoint(net.a, |pc, now| {
        pc.set_local_description(now, SdpType::Rollback, "")
            .unwrap();
    });
    assert_eq!(net.sim.endpoint(net.a).local_parameters().ice, before);
    // Past the 30 s consent timeout: each side's checks still authenticate at the other.
    net.run(Duration::from_secs(40), |_, _, _| false);
    assert_eq!(
        states(&net),
        [(SignalingState::Stable, ConnectionState::Connected); 2]
    );
    exchange(&mut net, "after rollback");
}

#[test]
fn an_ice_restart_offer_rolled_back_on_both_sides_keeps_the_connection() {
    let mut net = net(63, 0.0);
    net.offer_answer();
    exchange(&mut net, "before");
    let before = [net.a, net.b].map(|id| net.sim.endpoint(id).local_parameters().ice);
    let restart = offer(&mut net, true, OfferOptions::ice_restart());
    net.sim.with_endpoint(net.b, |pc, now| {
        pc.set_remote_description(now, SdpType::Offer, &restart)
            .unwrap();
    });
    // The new generation checks for a while before both sides drop the offer.
    net.run(Duration::from_millis(300), |_, _, _| false);
    assert_ne!(net.sim.endpoint(net.b).local_parameters().ice, before[1]);
    net.sim.with_endpoint(net.b, |pc, now| {
        pc.set_remote_description(now, SdpType::Rollback, "")
            .unwrap();
    });
    net.sim.with_endpoint(net.a, |pc, now| {
        pc.set_local_description(now, SdpType::Rollback, "")
            .unwrap();
    });
    assert_eq!(
        [net.a, net.b].map(|id| net.sim.endpoint(id).local_parameters().ice),
        before
    );
    net.run(Duration::from_secs(40), |_, _, _| false);
    assert_eq!(
        states(&net),
        [(SignalingState::Stable, ConnectionState::Connected); 2]
    );
    exchange(&mut net, "after rollback");
    // A later restart still works.
    let restart = offer(&mut net, false, OfferOptions::ice_restart());
    answer(&mut net, false, &restart);
    exchange(&mut net, "after a real restart");
}

#[test]
fn a_first_remote_offer_rolled_back_leaves_nothing_behind() {
    let mut net = net(64, 0.0);
    let a_offer = offer(&mut net, true, OfferOptions::default());
    net.sim.with_endpoint(net.b, |pc, now| {
        pc.set_remote_description(now, SdpType::Offer, &a_offer)
            .unwrap();
    });
    // b checks a's candidates and starts DTLS as the client; a cannot answer yet.
    net.run(Duration::from_millis(500), |_, _, _| false);
    net.sim.with_endpoint(net.b, |pc, now| {
        pc.set_remote_description(now, SdpType::Rollback, "")
            .unwrap();
        assert_eq!(pc.signaling_state(), SignalingState::Stable);
        assert_eq!(pc.connection_state(), ConnectionState::New);
        assert_eq!(pc.ice_connection_state(), sansrtc_ice::ConnectionState::New);
        assert!(pc.negotiated().is_none());
    });
    // Now b offers instead; its offer crosses a's, which a rolls back by taking it.
    let b_offer = offer(&mut net, false, OfferOptions::default());
    answer(&mut net, false, &b_offer);
    exchange(&mut net, "b offered");
    let (a, b) = (net.sim.endpoint(net.a), net.sim.endpoint(net.b));
    assert_eq!(b.stats().transport.ice_role, "controlling");
    assert_eq!(a.stats().transport.ice_role, "controlled");
    assert_eq!(
        states(&net),
        [(SignalingState::Stable, ConnectionState::Connected); 2]
    );
}

#[test]
fn rollbacks_out_of_turn_are_refused_and_change_nothing() {
    let mut net = net(65, 0.0);
    net.sim.with_endpoint(net.a, |pc, now| {
        for rollback_remote in [false, true] {
            let result = if rollback_remote {
                pc.set_remote_description(now, SdpType::Rollback, "")
            } else {
                pc.set_local_description(now, SdpType::Rollback, "")
            };
            assert_eq!(result, Err(Error::InvalidState), "nothing to roll back");
        }
    });
    let a_offer = offer(&mut net, true, OfferOptions::default());
    net.sim.with_endpoint(net.a, |pc, now| {
        assert_eq!(
            pc.set_remote_description(now, SdpType::Rollback, ""),
            Err(Error::InvalidState),
            "our offer is pending, not the peer's"
        );
        assert_eq!(pc.signaling_state(), SignalingState::HaveLocalOffer);
    });
    net.sim.with_endpoint(net.b, |pc, now| {
        pc.set_remote_description(now, SdpType::Offer, &a_offer)
            .unwrap();
        assert_eq!(
            pc.set_local_description(now, SdpType::Rollback, ""),
            Err(Error::InvalidState),
            "the peer's offer is pending, not ours"
        );
        assert_eq!(pc.signaling_state(), SignalingState::HaveRemoteOffer);
    });
    let answer = net.sim.with_endpoint(net.b, |pc, now| {
        let answer = pc.create_answer().unwrap();
        pc.set_local_description(now, SdpType::Answer, &answer)
            .unwrap();
        answer
    });
    net.sim.with_endpoint(net.a, |pc, now| {
        pc.set_remote_description(now, SdpType::Answer, &answer)
            .unwrap();
    });
    exchange(&mut net, "after refusals");
}
