//! Memory of an idle, connected PeerConnection with one open data channel, counted with dhat:
//! 100 pairs connected in memory by offer and answer, a message each way, then two minutes
//! of virtual idle time with every timer fired (consent checks, heartbeats, compaction).
//! Certificates are shared (they are per application, not per connection).
//!
//! `cargo test -p sansrtc --test idle_peer_connection_memory` prints the figure recorded in
//! `docs/benchmarks.md`; the budget is issue 18's 16 KiB.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sansrtc::{ChannelConfig, Config, Event, MessageKind, PeerConnection};
use sansrtc_dtls::identity::Identity;
use sansrtc_proto::SansIo;

mod common;

use common::{offer_answer, settle};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

const PAIRS: usize = 100;
const BUDGET: usize = 16 * 1024;

#[expect(
    clippy::disallowed_methods,
    reason = "an arbitrary origin for virtual time"
)]
fn start() -> Instant {
    Instant::now()
}

fn fire(now: Instant, pc: &mut PeerConnection) -> Vec<Event> {
    if pc.poll_timeout().is_some_and(|t| t <= now) {
        pc.handle_timeout(now);
    }
    std::iter::from_fn(|| pc.poll_event()).collect()
}

fn an_idle_peer_connection_holds_at_most_sixteen_kib() {
    let ids = (
        Arc::new(Identity::generate().unwrap()),
        Arc::new(Identity::generate().unwrap()),
    );
    let _profiler = dhat::Profiler::builder().testing().build();
    let t0 = start();
    let mut buf = Vec::with_capacity(2048);
    let before = dhat::HeapStats::get().curr_bytes;
    let mut pcs: Vec<PeerConnection> = Vec::with_capacity(2 * PAIRS);
    for pair in 0..PAIRS as u64 {
        let address = |host: u64| -> SocketAddr {
            SocketAddr::from(([10, 0, (host >> 8) as u8, host as u8], 5000))
        };
        let config = |seed: u64, id: &Arc<Identity>| Config {
            identity: Some(Arc::clone(id)),
            rng_seed: Some(sansrtc_proto::rng::seed_from_u64(seed)),
            ..Config::default()
        };
        let mut a = PeerConnection::new(config(2 * pair, &ids.0), t0).unwrap();
        let mut b = PeerConnection::new(config(2 * pair + 1, &ids.1), t0).unwrap();
        a.add_local_addresses(t0, &[address(2 * pair + 1)]);
        b.add_local_addresses(t0, &[address(2 * pair + 2)]);
        let channel = a.create_data_channel(t0, ChannelConfig::default());
        offer_answer(t0, &mut a, &mut b);
        let mut now = t0;
        let mut theirs = None;
        let mut open = false;
        while !(open && theirs.is_some()) {
            settle(now, &mut a, &mut b, &mut buf);
            open |= fire(now, &mut a).contains(&Event::ChannelOpen(channel));
            for e in fire(now, &mut b) {
                if let Event::DataChannel(id) = e {
                    theirs = Some(id);
                }
            }
            now += Duration::from_millis(1);
            assert!(now < t0 + Duration::from_secs(10), "pair {pair} connects");
        }
        a.send(now, channel, MessageKind::Text, b"hello".to_vec())
            .unwrap();
        b.send(now, theirs.unwrap(), MessageKind::Text, b"hi".to_vec())
            .unwrap();
        settle(now, &mut a, &mut b, &mut buf);
        let _ = (fire(now, &mut a), fire(now, &mut b));
        pcs.push(a);
        pcs.push(b);
    }
    // Two minutes idle, every timer fired as it comes due.
    let mut t = t0 + Duration::from_secs(10);
    let end = t + Duration::from_secs(120);
    while t < end {
        t += Duration::from_millis(250);
        for pair in pcs.chunks_mut(2) {
            let [a, b] = pair else { unreachable!("pairs") };
            let _ = (fire(t, a), fire(t, b));
            settle(t, a, b, &mut buf);
        }
    }
    assert!(
        pcs.iter()
            .all(|pc| pc.connection_state() == sansrtc::ConnectionState::Connected)
    );
    let held = dhat::HeapStats::get().curr_bytes - before;
    let per = held / pcs.len();
    let inline = size_of::<PeerConnection>();
    println!(
        "idle connected PeerConnection with one data channel: {per} bytes ({inline} inline, {} heap), {} connections",
        per - inline,
        pcs.len()
    );
    assert!(per <= BUDGET, "{per} bytes per connection, budget {BUDGET}");
}

fn main() {
    an_idle_peer_connection_holds_at_most_sixteen_kib();
    println!("test an_idle_peer_connection_holds_at_most_sixteen_kib ... ok");
}
