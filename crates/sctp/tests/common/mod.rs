//! Two associations back to back in memory, in virtual time, with a hook that drops or
//! inspects each datagram: the harness of the association tests.

use std::time::{Duration, Instant};

use sansrtc_proto::{Protocol, Receive, SansIo};
use sansrtc_sctp::association::{Association, Config, Event};

#[expect(
    clippy::disallowed_methods,
    reason = "an arbitrary origin for virtual time"
)]
pub(crate) fn start() -> Instant {
    Instant::now()
}

pub(crate) struct Pair {
    pub(crate) a: Association,
    pub(crate) b: Association,
    pub(crate) now: Instant,
    pub(crate) events_a: Vec<Event>,
    pub(crate) events_b: Vec<Event>,
    /// Drop the n-th datagram (counting both ways) when this returns true.
    pub(crate) drop: Box<dyn FnMut(u64) -> bool>,
    pub(crate) sent: u64,
    /// When set, every datagram is kept here with its direction (true: from a).
    pub(crate) record: bool,
    /// The datagrams kept while `record` was set.
    pub(crate) packets: Vec<(bool, Vec<u8>)>,
}

pub(crate) fn rx(contents: &[u8]) -> Receive<'_> {
    let addr = "0.0.0.0:5000".parse().unwrap();
    Receive {
        proto: Protocol::Udp,
        source: addr,
        destination: addr,
        contents,
    }
}

impl Pair {
    pub(crate) fn new(seed: u64) -> Self {
        Self::with(seed, Config::default(), Config::default())
    }

    /// A pair with these settings (their seeds are set from `seed`).
    pub(crate) fn with(seed: u64, a: Config, b: Config) -> Self {
        let now = start();
        let seeded = |s: u64, config: Config| Config {
            rng_seed: Some(sansrtc_proto::rng::seed_from_u64(s)),
            ..config
        };
        Self {
            a: Association::new(seeded(seed, a), now),
            b: Association::new(seeded(seed + 1000, b), now),
            now,
            events_a: Vec::new(),
            events_b: Vec::new(),
            drop: Box::new(|_| false),
            sent: 0,
            record: false,
            packets: Vec::new(),
        }
    }

    pub(crate) fn pass(&mut self, from_a: bool) -> bool {
        let mut buf = Vec::new();
        let mut moved = false;
        loop {
            let (from, to) = if from_a {
                (&mut self.a, &mut self.b)
            } else {
                (&mut self.b, &mut self.a)
            };
            let Some(t) = from.poll_transmit(self.now, &mut buf) else {
                break;
            };
            moved = true;
            self.sent += 1;
            if self.record {
                self.packets.push((from_a, buf[..t.size].to_vec()));
            }
            if (self.drop)(self.sent) {
                continue;
            }
            let _ = to.handle_receive(self.now, rx(&buf[..t.size]));
        }
        moved
    }

    pub(crate) fn run(&mut self, limit: Duration, mut done: impl FnMut(&Self) -> bool) -> bool {
        let end = self.now + limit;
        loop {
            for _ in 0..1000 {
                let a = self.pass(true);
                let b = self.pass(false);
                if !a && !b {
                    break;
                }
            }
            self.events_a
                .extend(std::iter::from_fn(|| self.a.poll_event()));
            self.events_b
                .extend(std::iter::from_fn(|| self.b.poll_event()));
            if done(self) {
                return true;
            }
            let next = [self.a.poll_timeout(), self.b.poll_timeout()]
                .into_iter()
                .flatten()
                .min();
            let Some(next) = next else { return false };
            if next > end {
                return false;
            }
            self.now = self.now.max(next);
            self.a.handle_timeout(self.now);
            self.b.handle_timeout(self.now);
        }
    }

    pub(crate) fn connect(&mut self) {
        self.a.connect(self.now);
        assert!(self.run(Duration::from_secs(10), |p| p.a.is_established()
            && p.b.is_established()));
        assert_eq!(self.events_a.first(), Some(&Event::Connected));
        assert_eq!(self.events_b.first(), Some(&Event::Connected));
    }
}
