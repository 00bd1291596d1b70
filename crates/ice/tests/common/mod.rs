//! In-memory harness: two agents, datagrams moved directly, virtual time; `world` puts them
//! on `sansrtc-netsim` behind NATs.
#![allow(dead_code, reason = "each test file uses part of the harness")]

pub(crate) mod world;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use sansrtc_ice::{Agent, Candidate, Config, Event, LocalAddress, Role};
use sansrtc_proto::{Protocol, Receive, SansIo};

#[expect(
    clippy::disallowed_methods,
    reason = "an arbitrary origin for virtual time"
)]
pub(crate) fn start() -> Instant {
    Instant::now()
}

pub(crate) fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

pub(crate) fn agent(
    role: Role,
    address: &str,
    now: Instant,
    configure: impl Fn(&mut Config),
) -> Agent {
    let mut config = Config::new(role);
    config.rng_seed = Some(sansrtc_proto::rng::seed_from_u64(
        address.len() as u64 + role as u64,
    ));
    configure(&mut config);
    let mut agent = Agent::new(config, now);
    agent.add_local_addresses(
        now,
        &[LocalAddress {
            address: addr(address),
            interface_rank: 0,
        }],
    );
    agent
}

/// Exchanges credentials and every local candidate so far.
pub(crate) fn signal(now: Instant, a: &mut Agent, b: &mut Agent) {
    a.set_remote_credentials(now, b.local_credentials().clone());
    b.set_remote_credentials(now, a.local_credentials().clone());
    let (ca, cb): (Vec<Candidate>, Vec<Candidate>) = (
        a.signaled_candidates().collect(),
        b.signaled_candidates().collect(),
    );
    for c in ca {
        b.add_remote_candidate(now, c).unwrap();
    }
    for c in cb {
        a.add_remote_candidate(now, c).unwrap();
    }
}

/// Two agents on 127.0.0.1 (A controlling on 5000, B controlled on 6000), signaled and run
/// until both have selected a pair.
pub(crate) fn connected_pair() -> Pair {
    let now = start();
    let mut a = agent(Role::Controlling, "127.0.0.1:5000", now, |_| {});
    let mut b = agent(Role::Controlled, "127.0.0.1:6000", now, |_| {});
    signal(now, &mut a, &mut b);
    let mut p = Pair::new(a, b, now);
    assert!(p.run_until(Duration::from_secs(5), Pair::both_selected));
    p
}

/// Which datagrams to drop: (sent by a?, bytes) -> drop?
pub(crate) type DropRule = Box<dyn FnMut(bool, &[u8]) -> bool>;

/// A pair of agents in memory.
pub(crate) struct Pair {
    pub(crate) a: Agent,
    pub(crate) b: Agent,
    pub(crate) now: Instant,
    pub(crate) events_a: Vec<Event>,
    pub(crate) events_b: Vec<Event>,
    /// Datagrams moved a → b and b → a.
    pub(crate) sent: (usize, usize),
    /// Drop datagrams for which this returns true (from a?, bytes).
    pub(crate) drop: DropRule,
}

impl Pair {
    pub(crate) fn new(a: Agent, b: Agent, now: Instant) -> Self {
        Self {
            a,
            b,
            now,
            events_a: Vec::new(),
            events_b: Vec::new(),
            sent: (0, 0),
            drop: Box::new(|_, _| false),
        }
    }

    fn pass(&mut self, from_a: bool) {
        let mut buf = Vec::new();
        loop {
            let (from, to) = if from_a {
                (&mut self.a, &mut self.b)
            } else {
                (&mut self.b, &mut self.a)
            };
            let Some(t) = from.poll_transmit(self.now, &mut buf) else {
                break;
            };
            if from_a {
                self.sent.0 += 1
            } else {
                self.sent.1 += 1
            }
            if (self.drop)(from_a, &buf[..t.size]) {
                continue;
            }
            let rx = Receive {
                proto: Protocol::Udp,
                source: t.source,
                destination: t.destination,
                contents: &buf[..t.size],
            };
            let _ = to.handle_receive(self.now, rx);
        }
    }

    /// Runs until `done` or `limit` of virtual time passes.
    pub(crate) fn run_until(
        &mut self,
        limit: Duration,
        mut done: impl FnMut(&Self) -> bool,
    ) -> bool {
        let end = self.now + limit;
        loop {
            for _ in 0..4 {
                self.pass(true);
                self.pass(false);
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
                self.now = end;
                return false;
            }
            self.now = self.now.max(next);
            self.a.handle_timeout(self.now);
            self.b.handle_timeout(self.now);
        }
    }

    pub(crate) fn both_selected(&self) -> bool {
        self.a.selected_path().is_some() && self.b.selected_path().is_some()
    }
}
