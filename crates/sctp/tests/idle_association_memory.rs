//! Memory of an established, idle association end: its inline size plus the heap it holds,
//! over 200 pairs that each moved messages both ways and then idled for 60 s of virtual time,
//! measured with dhat's heap counter. After `Config::compact_after` (5 s) of idleness an
//! association gives back its spare buffers. The budget of issue 17 is 4 KiB per end.
//!
//! `cargo test -p sansrtc-sctp --test idle_association_memory` prints the figure recorded in
//! `docs/benchmarks.md`.

use std::time::{Duration, Instant};

use sansrtc_proto::{Protocol, Receive, SansIo};
use sansrtc_sctp::association::{Association, Config, Event};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

const BUDGET: usize = 4096;
const PAIRS: usize = 200;

#[expect(
    clippy::disallowed_methods,
    reason = "an arbitrary starting instant for virtual time"
)]
fn start() -> Instant {
    Instant::now()
}

fn pass(now: Instant, from: &mut Association, to: &mut Association, buf: &mut Vec<u8>) -> bool {
    let addr = "127.0.0.1:5000".parse().unwrap();
    let mut moved = false;
    while let Some(t) = from.poll_transmit(now, buf) {
        moved = true;
        let receive = Receive {
            proto: Protocol::Udp,
            source: addr,
            destination: addr,
            contents: &buf[..t.size],
        };
        let _ = to.handle_receive(now, receive);
    }
    moved
}

fn settle(now: Instant, a: &mut Association, b: &mut Association, buf: &mut Vec<u8>) {
    loop {
        let moved = pass(now, a, b, buf);
        if !pass(now, b, a, buf) && !moved {
            break;
        }
    }
}

fn fire(now: Instant, association: &mut Association) {
    if association.poll_timeout().is_some_and(|t| t <= now) {
        association.handle_timeout(now);
    }
}

fn messages(association: &mut Association) -> usize {
    std::iter::from_fn(|| association.poll_event())
        .filter(|e| matches!(e, Event::Message(_)))
        .count()
}

fn an_idle_association_end_holds_at_most_four_kib() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let now = start();
    let mut buf = Vec::with_capacity(2048);
    let before = dhat::HeapStats::get().curr_bytes;
    let mut ends: Vec<Association> = Vec::with_capacity(2 * PAIRS);
    for pair in 0..PAIRS as u64 {
        let config = |seed: u64| Config {
            rng_seed: Some(sansrtc_proto::rng::seed_from_u64(seed)),
            ..Config::default()
        };
        let mut a = Association::new(config(2 * pair), now);
        let mut b = Association::new(config(2 * pair + 1), now);
        a.connect(now);
        settle(now, &mut a, &mut b, &mut buf);
        assert!(a.is_established() && b.is_established());
        // Some traffic both ways, fragmented and not, so the data path has been used.
        for n in 0..4 {
            a.send(1, 53, false, vec![7; 300 + 1000 * n]).unwrap();
            b.send(1, 53, n % 2 == 0, vec![9; 300 + 1000 * n]).unwrap();
            settle(now, &mut a, &mut b, &mut buf);
        }
        assert_eq!(messages(&mut a), 4, "four messages each way");
        assert_eq!(messages(&mut b), 4);
        ends.push(a);
        ends.push(b);
    }
    // Idle for 70 s of virtual time, firing every timer (delayed acks, heartbeats, compaction)
    // that comes due.
    let mut t = now;
    while t < now + Duration::from_secs(70) {
        t += Duration::from_millis(100);
        for pair in ends.chunks_mut(2) {
            let [a, b] = pair else {
                unreachable!("ends come in pairs")
            };
            fire(t, a);
            fire(t, b);
            settle(t, a, b, &mut buf);
        }
    }
    assert!(ends.iter().all(Association::is_established));
    assert!(ends.iter().all(|e| e.unacknowledged_chunks() == 0));
    // Heartbeats went both ways meanwhile (every 30 s of silence): the next is the only timer
    // left, and it is ahead.
    assert!(
        ends.iter()
            .all(|e| e.poll_timeout().is_some_and(|at| at > t)),
        "an idle association keeps its heartbeat timer"
    );

    let held = dhat::HeapStats::get().curr_bytes - before;
    let per_end = held / ends.len();
    let inline = size_of::<Association>();
    println!(
        "idle association end: {per_end} bytes ({inline} inline, {} heap), {} ends",
        per_end - inline,
        ends.len()
    );
    assert!(
        per_end <= BUDGET,
        "{per_end} bytes per end, budget {BUDGET}"
    );

    // And it still works.
    let (first, rest) = ends.split_at_mut(1);
    first[0].send(2, 51, false, b"after idle".to_vec()).unwrap();
    settle(t, &mut first[0], &mut rest[0], &mut buf);
    assert_eq!(messages(&mut rest[0]), 1);
}

/// One thread only (`harness = false` in Cargo.toml): dhat counts every thread's
/// allocations, and libtest's main thread allocates while a test runs.
fn main() {
    an_idle_association_end_holds_at_most_four_kib();
    println!("test an_idle_association_end_holds_at_most_four_kib ... ok");
}
