//! A DTLS server whose ICE agent has no valid pair yet when the client's ClientHello arrives
//! keeps its answering flight until ICE can carry it (on a valid pair, RFC 8445 §12.1).
//! Chromium does this to us: as the controlling agent it nominates and sends its ClientHello
//! at once, while our triggered check is still out. The flight used to be taken from the DTLS endpoint and dropped, and
//! the handshake then waited for the client's retransmissions to be answered (0.8 s against
//! Chromium 156; see `interop/tests/chrome_data_channels.rs`).

use std::cell::Cell;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::{Duration, Instant};

use sansrtc::{
    Config, ConnectionState, DtlsRole, Event, IceRole, PeerConnection, RemoteParameters,
};
use sansrtc_netsim::{LinkConfig, Sim, Verdict};

#[expect(
    clippy::disallowed_methods,
    reason = "tests pick one real Instant as the epoch of virtual time"
)]
fn epoch() -> Instant {
    Instant::now()
}

fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

fn config(seed: u64) -> Config {
    Config {
        rng_seed: Some(sansrtc_proto::rng::seed_from_u64(seed)),
        ..Config::default()
    }
}

fn candidates(events: &[Event]) -> Vec<sansrtc::Candidate> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::IceCandidate(c) => Some(*c),
            _ => None,
        })
        .collect()
}

#[test]
fn the_server_flight_waits_for_ice_instead_of_being_lost() {
    let (a_addr, b_addr) = (sa("10.0.0.1:5000"), sa("10.0.0.2:5000"));
    let t0 = epoch();
    let mut sim = Sim::new(t0, 7);
    let internet = sim.internet();
    let mut link = LinkConfig::ideal();
    link.delay = Duration::from_millis(10);
    let a_host = sim.add_host_with_link(internet, &[a_addr.ip()], link.clone());
    let b_host = sim.add_host_with_link(internet, &[b_addr.ip()], link);
    let a = sim.add_endpoint(
        "a",
        a_host,
        &[a_addr],
        PeerConnection::new(config(1), t0).unwrap(),
    );
    let b = sim.add_endpoint(
        "b",
        b_host,
        &[b_addr],
        PeerConnection::new(config(2), t0).unwrap(),
    );
    // b's own checks are lost for a while, so b has no valid pair before a's ClientHello
    // comes; a's checks (and b's answers to them) go through. Every ClientHello of a is
    // counted.
    let client_hellos = Rc::new(Cell::new(0));
    let counted = client_hellos.clone();
    sim.set_hook(move |ctx| {
        let bytes = &ctx.packet.contents;
        let stun_request = bytes.len() >= 20 && bytes[0] == 0x00 && bytes[1] == 0x01;
        if ctx.endpoint == "b" && stun_request && ctx.at < Duration::from_millis(300) {
            return Verdict::Drop;
        }
        if ctx.endpoint == "a" && bytes.len() > 13 && bytes[0] == 22 && bytes[13] == 1 {
            counted.set(counted.get() + 1);
        }
        Verdict::Deliver
    });
    sim.with_endpoint(a, |pc, now| pc.add_local_addresses(now, &[a_addr]));
    sim.with_endpoint(b, |pc, now| pc.add_local_addresses(now, &[b_addr]));
    let a_params = sim.endpoint(a).local_parameters();
    let b_params = sim.endpoint(b).local_parameters();
    let remote = |p: sansrtc::LocalParameters| RemoteParameters {
        ice: p.ice,
        fingerprints: vec![p.fingerprint],
        max_message_size: 262_144,
    };
    let (a_candidates, b_candidates) = (candidates(sim.events(a)), candidates(sim.events(b)));
    sim.with_endpoint(a, |pc, now| {
        pc.set_remote_parameters(
            now,
            remote(b_params),
            IceRole::Controlling,
            DtlsRole::Client,
        );
        for c in b_candidates {
            pc.add_remote_candidate(now, c).unwrap();
        }
    });
    sim.with_endpoint(b, |pc, now| {
        pc.set_remote_parameters(now, remote(a_params), IceRole::Controlled, DtlsRole::Server);
        for c in a_candidates {
            pc.add_remote_candidate(now, c).unwrap();
        }
    });
    let connected = |pc: &PeerConnection| pc.connection_state() == ConnectionState::Connected;
    sim.run_until(Duration::from_secs(5), |sim| {
        connected(sim.endpoint(a)) && connected(sim.endpoint(b))
    })
    .unwrap();
    // The server answered the first ClientHello once ICE could carry the answer: a never
    // had to send it again (its retransmission timer starts at 1 s).
    assert_eq!(client_hellos.get(), 1);
    assert!(
        sim.elapsed() < Duration::from_secs(1),
        "{:?}",
        sim.elapsed()
    );
}
