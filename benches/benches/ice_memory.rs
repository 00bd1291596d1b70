//! Memory of a connected, idle ICE agent: our `sansrtc_ice::Agent` and str0m's `IceAgent`
//! (crate `is` 0.12) measured the same way in the same run. `PAIRS` pairs of each are
//! connected in memory (one host candidate each on 127.0.0.1, seeded credentials for ours,
//! `is`'s own random ones), then idle for 60 s of virtual time with every timer fired and every
//! consent or keep-alive check answered, every event drained. The figure is inline size plus
//! live heap per agent: dhat's count of live bytes across all agents (their `Vec` included)
//! divided by the number of agents. Sockets and their buffers belong to the caller in both
//! stacks and are not counted.
//!
//! Its own bench binary (`harness = false`, no criterion): dhat's allocator would slow the timed
//! benches of `ice.rs`.
//!
//! ```sh
//! cargo bench -p sansrtc-benches --bench ice_memory
//! # where our bytes are: a dhat profile of our agents alone, at the end of the idle minute
//! ICE_MEMORY_PROFILE=/tmp/dhat-ice.json cargo bench -p sansrtc-benches --bench ice_memory
//! ```
use is::stun::{StunMessage, StunPacket};
use is::{IceAgent, IceAgentEvent, IceCreds};
use sansrtc_ice::{Agent, Config, LocalAddress, Role};
use sansrtc_proto::{Receive, SansIo};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

/// The target of issue 16: a connected idle agent holds at most 2 KiB beyond its sockets'
/// buffers.
const TARGET: usize = 2048;
const PAIRS: usize = 200;
const IDLE: Duration = Duration::from_secs(60);

#[expect(
    clippy::disallowed_methods,
    reason = "an arbitrary starting instant for virtual time"
)]
fn epoch() -> Instant {
    Instant::now()
}

fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

/// One agent of either stack, as `run` drives it.
trait Driven {
    fn timeout(&mut self) -> Option<Instant>;
    fn fire(&mut self, now: Instant);
    /// Moves what this agent sends into `to`; whether anything moved.
    fn send_to(&mut self, now: Instant, to: &mut Self, buf: &mut Vec<u8>) -> bool;
    /// Drains events; whether a pair was selected or nominated.
    fn drain(&mut self) -> bool;
}

impl Driven for Agent {
    fn timeout(&mut self) -> Option<Instant> {
        self.poll_timeout()
    }
    fn fire(&mut self, now: Instant) {
        self.handle_timeout(now);
    }
    fn send_to(&mut self, now: Instant, to: &mut Self, buf: &mut Vec<u8>) -> bool {
        let mut moved = false;
        while let Some(t) = self.poll_transmit(now, buf) {
            moved = true;
            let rx = Receive {
                proto: t.proto,
                source: t.source,
                destination: t.destination,
                contents: &buf[..t.size],
            };
            let _ = to.handle_receive(now, rx);
        }
        moved
    }
    fn drain(&mut self) -> bool {
        while self.poll_event().is_some() {}
        self.selected_path().is_some()
    }
}

/// `is` reports its nominated pair as an event only; `nominated` remembers it.
struct Str0m {
    agent: IceAgent,
    nominated: bool,
}

impl Driven for Str0m {
    fn timeout(&mut self) -> Option<Instant> {
        self.agent.poll_timeout()
    }
    fn fire(&mut self, now: Instant) {
        self.agent.handle_timeout(now);
    }
    fn send_to(&mut self, now: Instant, to: &mut Self, _: &mut Vec<u8>) -> bool {
        let mut moved = false;
        while let Some(t) = self.agent.poll_transmit() {
            moved = true;
            let Ok(message) = StunMessage::parse(&t.contents) else {
                continue;
            };
            let packet = StunPacket {
                proto: t.proto,
                source: t.source,
                destination: t.destination,
                message,
            };
            to.agent.handle_packet(now, packet);
        }
        moved
    }
    fn drain(&mut self) -> bool {
        while let Some(event) = self.agent.poll_event() {
            if matches!(event, IceAgentEvent::NominatedSend { .. }) {
                self.nominated = true;
            }
        }
        self.nominated
    }
}

/// Runs the pair from `now` until `done` says so or `until` passes; the clock reached.
fn run<T: Driven>(
    a: &mut T,
    b: &mut T,
    mut now: Instant,
    until: Instant,
    buf: &mut Vec<u8>,
    mut done: impl FnMut(bool, bool) -> bool,
) -> Instant {
    loop {
        loop {
            let ab = a.send_to(now, b, buf);
            let ba = b.send_to(now, a, buf);
            if !ab && !ba {
                break;
            }
        }
        let (sa, sb) = (a.drain(), b.drain());
        if done(sa, sb) {
            return now;
        }
        let next = [a.timeout(), b.timeout()].into_iter().flatten().min();
        match next {
            Some(t) if t <= until => {
                now = now.max(t);
                if a.timeout().is_some_and(|t| t <= now) {
                    a.fire(now);
                }
                if b.timeout().is_some_and(|t| t <= now) {
                    b.fire(now);
                }
            }
            _ => return until,
        }
    }
}

fn ours_pair(start: Instant, i: u64, buf: &mut Vec<u8>) -> (Agent, Agent) {
    let make = |role, address, seed| {
        let mut config = Config::new(role);
        config.rng_seed = Some(sansrtc_proto::rng::seed_from_u64(seed));
        let mut agent = Agent::new(config, start);
        agent.add_local_addresses(
            start,
            &[LocalAddress {
                address: sa(address),
                interface_rank: 0,
            }],
        );
        agent
    };
    let mut a = make(Role::Controlling, "127.0.0.1:5000", 2 * i);
    let mut b = make(Role::Controlled, "127.0.0.1:6000", 2 * i + 1);
    a.set_remote_credentials(start, b.local_credentials().clone());
    b.set_remote_credentials(start, a.local_credentials().clone());
    for c in a.signaled_candidates() {
        b.add_remote_candidate(start, c).unwrap();
    }
    for c in b.signaled_candidates() {
        a.add_remote_candidate(start, c).unwrap();
    }
    let limit = start + Duration::from_secs(30);
    run(&mut a, &mut b, start, limit, buf, |x, y| x && y);
    assert!(a.selected_path().is_some() && b.selected_path().is_some());
    (a, b)
}

fn is_pair(start: Instant, buf: &mut Vec<u8>) -> (Str0m, Str0m) {
    let make = |controlling, address| {
        let mut agent = IceAgent::new(IceCreds::new());
        agent.set_controlling(controlling);
        agent
            .add_local_candidate(is::Candidate::host(sa(address), "udp").unwrap())
            .unwrap();
        agent
    };
    let mut a = make(true, "127.0.0.1:5000");
    let mut b = make(false, "127.0.0.1:6000");
    a.set_remote_credentials(b.local_credentials().clone());
    b.set_remote_credentials(a.local_credentials().clone());
    for c in a.local_candidates().collect::<Vec<_>>() {
        b.add_remote_candidate(c);
    }
    for c in b.local_candidates().collect::<Vec<_>>() {
        a.add_remote_candidate(c);
    }
    a.handle_timeout(start);
    b.handle_timeout(start);
    let (mut a, mut b) = (
        Str0m {
            agent: a,
            nominated: false,
        },
        Str0m {
            agent: b,
            nominated: false,
        },
    );
    let limit = start + Duration::from_secs(30);
    run(&mut a, &mut b, start, limit, buf, |x, y| x && y);
    assert!(a.nominated && b.nominated);
    (a, b)
}

/// Connects `PAIRS` pairs, idles them, and returns the heap bytes per agent (the agents' own
/// `Vec` is allocated before counting starts) with the agents.
fn measure<T: Driven>(
    start: Instant,
    mut connect: impl FnMut(u64, &mut Vec<u8>) -> (T, T),
) -> (usize, Vec<T>) {
    let mut buf = Vec::with_capacity(1500);
    let mut agents: Vec<T> = Vec::with_capacity(2 * PAIRS);
    let before = dhat::HeapStats::get().curr_bytes;
    for i in 0..PAIRS {
        let (a, b) = connect(i as u64 + 1, &mut buf);
        agents.push(a);
        agents.push(b);
    }
    let idle_until = start + IDLE;
    for pair in agents.chunks_exact_mut(2) {
        let [a, b] = pair else { unreachable!() };
        run(a, b, start, idle_until, &mut buf, |_, _| false);
    }
    let held = dhat::HeapStats::get().curr_bytes - before;
    (held / agents.len(), agents)
}

fn main() {
    let profile = std::env::var_os("ICE_MEMORY_PROFILE");
    let profiler = match &profile {
        Some(path) => dhat::Profiler::builder().file_name(path).build(),
        None => dhat::Profiler::builder().testing().build(),
    };
    let start = epoch();

    let (ours, ours_agents) = measure(start, |i, buf| ours_pair(start, i, buf));
    assert!(ours_agents.iter().all(|a| a.selected_path().is_some()));
    let compacted = ours_agents.iter().filter(|a| a.is_compact()).count();
    if profile.is_some() {
        // The profile's end is now: our idle agents are what is live.
        drop(profiler);
        eprintln!(
            "dhat profile written with {} idle sansrtc agents live",
            ours_agents.len()
        );
        return;
    }
    drop(ours_agents);

    let (theirs, theirs_agents) = measure(start, |_, buf| is_pair(start, buf));
    assert!(theirs_agents.iter().all(|a| a.agent.state().is_connected()));
    drop(theirs_agents);

    let (ours_inline, theirs_inline) = (size_of::<Agent>(), size_of::<IceAgent>());
    let (ours, theirs) = (ours + ours_inline, theirs + theirs_inline);
    println!(
        "ice/idle_agent_memory, {} agents each, after {} s idle (inline + heap = bytes per agent):",
        2 * PAIRS,
        IDLE.as_secs()
    );
    println!(
        "  sansrtc:         {ours_inline} + {} = {ours} B ({compacted} of {} agents compacted)",
        ours - ours_inline,
        2 * PAIRS
    );
    println!(
        "  is 0.12 (str0m): {theirs_inline} + {} = {theirs} B",
        theirs - theirs_inline
    );
    println!(
        "  is / sansrtc: {:.2}; target {TARGET} B: {}",
        theirs as f64 / ours as f64,
        if ours <= TARGET { "met" } else { "NOT met" }
    );
    // Public types inside our idle agent, for the breakdown in docs/benchmarks.md.
    println!(
        "  sansrtc parts: Config {} B, IntegrityKey {} B, SelectedPath {} B, Credentials {} B, \
         Event {} B",
        size_of::<Config>(),
        size_of::<sansrtc_stun::IntegrityKey>(),
        size_of::<sansrtc_ice::SelectedPath>(),
        size_of::<sansrtc_ice::Credentials>(),
        size_of::<sansrtc_ice::Event>()
    );
}
