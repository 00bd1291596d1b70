//! Goodput of a data channel between two PeerConnections on a simulated 50 ms round-trip path
//! (25 ms each way, a 1 Gbit/s link whose queue never overflows), default settings: ICE, DTLS
//! and SCTP all in the way, 32 MiB of 64 KiB messages on one ordered reliable channel, timed
//! in virtual time from the first message queued to the last delivered. Issue 18's target is
//! 100 Mbit/s.
//!
//! `cargo test --release -p sansrtc --test long_path_goodput -- --nocapture` prints the
//! figure recorded in `docs/benchmarks.md`.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use sansrtc::{ChannelConfig, Config, Event, MessageKind, PeerConnection, SdpType};
use sansrtc_netsim::{LinkConfig, Sim};

#[expect(
    clippy::disallowed_methods,
    reason = "tests pick one real Instant as the epoch of virtual time"
)]
fn epoch() -> Instant {
    Instant::now()
}

#[test]
fn a_data_channel_on_a_50_ms_path_reaches_100_mbit_per_second() {
    let t0 = epoch();
    let (a_addr, b_addr): (SocketAddr, SocketAddr) = (
        "10.0.0.1:5000".parse().unwrap(),
        "10.0.0.2:5000".parse().unwrap(),
    );
    let mut sim = Sim::new(t0, 3);
    sim.keep_trace(false);
    let internet = sim.internet();
    let link = LinkConfig::ideal()
        .delay(Duration::from_millis(25))
        .bandwidth(1_000_000_000, 64 << 20);
    let a_host = sim.add_host_with_link(internet, &[a_addr.ip()], link);
    let b_host = sim.add_host(internet, &[b_addr.ip()]);
    let config = |seed: u64| Config {
        rng_seed: Some(sansrtc_proto::rng::seed_from_u64(seed)),
        ..Config::default()
    };
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
    sim.with_endpoint(a, |pc, now| pc.add_local_addresses(now, &[a_addr]));
    sim.with_endpoint(b, |pc, now| pc.add_local_addresses(now, &[b_addr]));
    let channel = sim.with_endpoint(a, |pc, now| {
        pc.create_data_channel(now, ChannelConfig::default())
    });
    let offer = sim.with_endpoint(a, |pc, now| {
        let offer = pc.create_offer().unwrap();
        pc.set_local_description(now, SdpType::Offer, &offer)
            .unwrap();
        offer
    });
    let answer = sim.with_endpoint(b, |pc, now| {
        pc.set_remote_description(now, SdpType::Offer, &offer)
            .unwrap();
        let answer = pc.create_answer().unwrap();
        pc.set_local_description(now, SdpType::Answer, &answer)
            .unwrap();
        answer
    });
    sim.with_endpoint(a, |pc, now| {
        pc.set_remote_description(now, SdpType::Answer, &answer)
            .unwrap()
    });
    sim.run_until(Duration::from_secs(10), |sim| {
        sim.events(a).contains(&Event::ChannelOpen(channel))
    })
    .expect("channel open");
    let connected = sim.elapsed();

    let total = 32usize << 20;
    let message = vec![0x42u8; 64 * 1024];
    let start = sim.elapsed();
    let mut sent = 0;
    let delivered = |sim: &Sim| -> usize {
        sim.events(b)
            .iter()
            .map(|e| match e {
                Event::ChannelMessage { data, .. } => data.len(),
                _ => 0,
            })
            .sum()
    };
    while delivered(&sim) < total {
        // Keep up to 8 MiB queued, as an application watching bufferedAmount would.
        sim.with_endpoint(a, |pc, now| {
            while sent < total && pc.buffered_amount(channel) < 8 << 20 {
                pc.send(now, channel, MessageKind::Binary, message.clone())
                    .unwrap();
                sent += message.len();
            }
        });
        sim.run_for(Duration::from_millis(20)).unwrap();
        assert!(
            sim.elapsed() - start < Duration::from_secs(120),
            "stalled at {}",
            delivered(&sim)
        );
    }
    let took = sim.elapsed() - start;
    let mbit = total as f64 * 8.0 / took.as_secs_f64() / 1e6;
    println!(
        "50 ms RTT: connected in {} ms of virtual time; 32 MiB in {:.2} s = {mbit:.1} Mbit/s",
        connected.as_millis(),
        took.as_secs_f64()
    );
    assert!(mbit >= 100.0, "{mbit:.1} Mbit/s");
}
