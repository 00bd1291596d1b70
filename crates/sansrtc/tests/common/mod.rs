//! What the in-memory PeerConnection tests share: moving datagrams between two connections,
//! and an offer/answer exchange.

#![allow(
    dead_code,
    reason = "each test crate that includes this module uses a part of it"
)]

use std::time::Instant;

use sansrtc::{PeerConnection, SdpType};
use sansrtc_proto::{Protocol, Receive, SansIo};

/// Moves datagrams both ways until neither connection has one.
pub(crate) fn settle(
    now: Instant,
    a: &mut PeerConnection,
    b: &mut PeerConnection,
    buf: &mut Vec<u8>,
) {
    while pass(now, a, b, buf) | pass(now, b, a, buf) {}
}

/// Moves what `from` has to send to `to`; returns whether anything moved.
fn pass(
    now: Instant,
    from: &mut PeerConnection,
    to: &mut PeerConnection,
    buf: &mut Vec<u8>,
) -> bool {
    let mut moved = false;
    while let Some(t) = from.poll_transmit(now, buf) {
        moved = true;
        let r = Receive {
            proto: Protocol::Udp,
            source: t.source,
            destination: t.destination,
            contents: &buf[..t.size],
        };
        let _ = to.handle_receive(now, r);
    }
    moved
}

/// `a` offers, `b` answers, both descriptions set on both sides.
pub(crate) fn offer_answer(now: Instant, a: &mut PeerConnection, b: &mut PeerConnection) {
    let offer = a.create_offer().unwrap();
    a.set_local_description(now, SdpType::Offer, &offer)
        .unwrap();
    b.set_remote_description(now, SdpType::Offer, &offer)
        .unwrap();
    let answer = b.create_answer().unwrap();
    b.set_local_description(now, SdpType::Answer, &answer)
        .unwrap();
    a.set_remote_description(now, SdpType::Answer, &answer)
        .unwrap();
}
