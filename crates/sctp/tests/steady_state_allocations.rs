//! Heap allocations per message in steady state, counted with dhat: a connected pair moves
//! messages one way in memory; after a warm-up, the blocks allocated while N more messages go
//! are divided by N. The messages are built before counting, so the sender's buffers (the
//! application's own) are not counted; the receiver's delivered `Vec` per message is, unless
//! the receiver gives it back with `Association::recycle` (the second set of figures: then
//! nothing is allocated per message).
//!
//! `cargo test -p sansrtc-sctp --test steady_state_allocations` prints the figures recorded in
//! `docs/benchmarks.md`.

use std::time::Instant;

use sansrtc_proto::{Protocol, Receive, SansIo};
use sansrtc_sctp::association::{Association, Config, Event};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

#[expect(
    clippy::disallowed_methods,
    reason = "an arbitrary starting instant for virtual time"
)]
fn start() -> Instant {
    Instant::now()
}

struct Pair {
    a: Association,
    b: Association,
    now: Instant,
    buf: Vec<u8>,
}

impl Pair {
    fn pass(&mut self, from_a: bool) -> bool {
        let addr = "127.0.0.1:5000".parse().unwrap();
        let (from, to) = if from_a {
            (&mut self.a, &mut self.b)
        } else {
            (&mut self.b, &mut self.a)
        };
        let mut moved = false;
        while let Some(t) = from.poll_transmit(self.now, &mut self.buf) {
            moved = true;
            let receive = Receive {
                proto: Protocol::Udp,
                source: addr,
                destination: addr,
                contents: &self.buf[..t.size],
            };
            let _ = to.handle_receive(self.now, receive);
        }
        moved
    }

    fn step(&mut self) {
        let a = self.pass(true);
        if !self.pass(false) && !a {
            let next = [self.a.poll_timeout(), self.b.poll_timeout()]
                .into_iter()
                .flatten()
                .min()
                .expect("a timer runs while data moves");
            self.now = self.now.max(next);
            self.a.handle_timeout(self.now);
            self.b.handle_timeout(self.now);
        }
    }

    /// Sends the messages a → b and returns how many b delivered whole and intact.
    fn transfer(&mut self, messages: Vec<Vec<u8>>, recycle: bool) -> usize {
        let count = messages.len();
        let len = messages.first().map_or(0, Vec::len);
        for m in messages {
            self.a.send(1, 53, false, m).unwrap();
        }
        let mut got = 0;
        while got < count {
            self.step();
            while let Some(event) = self.b.poll_event() {
                if let Event::Message(m) = event {
                    assert_eq!(m.data.len(), len);
                    got += 1;
                    if recycle {
                        self.b.recycle(m.data);
                    }
                }
            }
        }
        got
    }
}

fn blocks_per_message(len: usize, count: usize, recycle: bool) -> f64 {
    let now = start();
    let config = |seed: u64| Config {
        rng_seed: Some(sansrtc_proto::rng::seed_from_u64(seed)),
        ..Config::default()
    };
    let mut pair = Pair {
        a: Association::new(config(1), now),
        b: Association::new(config(2), now),
        now,
        buf: Vec::with_capacity(2048),
    };
    pair.a.connect(now);
    while !(pair.a.is_established() && pair.b.is_established()) {
        pair.step();
    }
    while pair.a.poll_event().is_some() {}
    while pair.b.poll_event().is_some() {}
    // Warm up: buffers, maps and queues reach their working size.
    let warm: Vec<Vec<u8>> = (0..count).map(|n| vec![n as u8; len]).collect();
    assert_eq!(pair.transfer(warm, recycle), count);
    let messages: Vec<Vec<u8>> = (0..count).map(|n| vec![n as u8; len]).collect();
    let before = dhat::HeapStats::get().total_blocks;
    assert_eq!(pair.transfer(messages, recycle), count);
    let blocks = dhat::HeapStats::get().total_blocks - before;
    blocks as f64 / count as f64
}

fn allocations_per_message_stay_within_budget() {
    let _profiler = dhat::Profiler::builder()
        .file_name("/tmp/sctp-alloc.json")
        .build();
    // Budgets: the delivered message's own `Vec` (1); fragments are assembled in pooled
    // buffers.
    for (len, budget) in [(100, 1.1), (1000, 1.1), (16 * 1024, 1.5)] {
        let per = blocks_per_message(len, 1000, false);
        println!("{len}-byte messages: {per:.2} heap blocks per message");
        assert!(
            per <= budget,
            "{len}-byte messages: {per} blocks each, budget {budget}"
        );
    }
    // With the delivered buffers given back: about one block per ten messages or fewer.
    for len in [100, 1000, 16 * 1024] {
        let per = blocks_per_message(len, 1000, true);
        println!("{len}-byte messages, buffers recycled: {per:.3} heap blocks per message");
        assert!(
            per <= 0.2,
            "{len}-byte messages recycled: {per} blocks each"
        );
    }
}

/// One thread only (`harness = false` in Cargo.toml): dhat counts every thread's
/// allocations, and libtest's main thread allocates while a test runs.
fn main() {
    allocations_per_message_stay_within_budget();
    println!("test allocations_per_message_stay_within_budget ... ok");
}
