//! Two ICE agents on `sansrtc-netsim`, each behind its own NAT (or none), with our TURN
//! server (which also answers STUN Binding requests) on the simulated Internet.

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use sansrtc_ice::{
    Agent, CandidateKind, Config, ConnectionState, Event, LocalAddress, Role, TurnServer,
};
use sansrtc_netsim::{EndpointId, LinkConfig, NatConfig, NatKind, Sim};
use sansrtc_stun::turn_server::{TurnServer as Server, TurnServerConfig};

/// The server: STUN and TURN on 3478, relays from a pool on the same host.
pub(crate) const SERVER: &str = "198.51.100.7:3478";
pub(crate) const USER: &str = "user";
pub(crate) const PASS: &str = "secret";

/// Where a peer sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    /// On the Internet, no NAT.
    Public,
    /// Behind a NAT of this kind.
    Nat(NatKind),
}

impl Place {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Public => "no NAT",
            Self::Nat(NatKind::FullCone) => "full cone",
            Self::Nat(NatKind::RestrictedCone) => "restricted",
            Self::Nat(NatKind::PortRestrictedCone) => "port-restricted",
            Self::Nat(NatKind::Symmetric) => "symmetric",
            Self::Nat(_) => "other",
        }
    }
}

pub(crate) const PLACES: [Place; 5] = [
    Place::Public,
    Place::Nat(NatKind::FullCone),
    Place::Nat(NatKind::RestrictedCone),
    Place::Nat(NatKind::PortRestrictedCone),
    Place::Nat(NatKind::Symmetric),
];

/// What one run gave.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Outcome {
    pub(crate) connected: bool,
    /// Virtual time from signaling to both agents having a selected pair.
    pub(crate) time: Duration,
    /// Checks both agents sent, retransmissions included.
    pub(crate) checks: u64,
    /// The kinds of the controlling agent's selected pair (local, remote).
    pub(crate) kinds: Option<(CandidateKind, CandidateKind)>,
    /// Either side's selected local candidate is relayed.
    pub(crate) relayed: bool,
}

/// Link impairments of each access link.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Impairment {
    pub(crate) one_way: Duration,
    pub(crate) loss: f64,
}

pub(crate) const CLEAN: Impairment = Impairment {
    one_way: Duration::from_millis(10),
    loss: 0.0,
};

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn agent_config(role: Role, seed: u64, server: SocketAddr) -> Config {
    let mut config = Config::new(role);
    config.stun_servers = vec![server];
    config.turn_servers = vec![TurnServer::udp(server, USER, PASS)];
    config.rng_seed = Some(sansrtc_proto::rng::seed_from_u64(seed));
    config
}

/// Runs one scenario: peers at `a` and `b`, the same NAT for both when `shared_nat` is set
/// (with `hairpinning`), addresses from `families`.
pub(crate) struct Scenario {
    pub(crate) a: Place,
    pub(crate) b: Place,
    pub(crate) impairment: Impairment,
    pub(crate) seed: u64,
    pub(crate) shared_nat: Option<bool>,
    pub(crate) ipv6: bool,
    pub(crate) ipv4: bool,
    pub(crate) relay_only: bool,
}

impl Scenario {
    pub(crate) fn new(a: Place, b: Place) -> Self {
        Self {
            a,
            b,
            impairment: CLEAN,
            seed: 1,
            shared_nat: None,
            ipv6: false,
            ipv4: true,
            relay_only: false,
        }
    }

    pub(crate) fn run(&self, epoch: Instant) -> Outcome {
        let mut sim = Sim::new(epoch, self.seed);
        let internet = sim.internet();
        let server_addr: SocketAddr = SERVER.parse().unwrap();
        let server_host = sim.add_host(internet, &[server_addr.ip()]);
        let pool: Vec<SocketAddr> = (0..8)
            .map(|i| SocketAddr::new(server_addr.ip(), 49152 + i))
            .collect();
        let mut server_config = TurnServerConfig::new("sansrtc.test")
            .user(USER, PASS)
            .relay_pool(pool.clone());
        server_config.rng_seed = Some(sansrtc_proto::rng::seed_from_u64(self.seed ^ 0x5eed));
        let mut bindings = vec![server_addr];
        bindings.extend(&pool);
        sim.add_endpoint(
            "turn",
            server_host,
            &bindings,
            Server::new(server_config, epoch),
        );

        let link = LinkConfig::ideal()
            .delay(self.impairment.one_way)
            .loss(self.impairment.loss);
        let shared = self.shared_nat.map(|hairpin| {
            let (_, realm) = sim.add_nat(
                internet,
                NatConfig::new(NatKind::PortRestrictedCone, "203.0.113.1".parse().unwrap())
                    .hairpinning(hairpin),
            );
            realm
        });
        let mut agents: Vec<EndpointId<Agent>> = Vec::new();
        for (index, (place, role)) in [(self.a, Role::Controlling), (self.b, Role::Controlled)]
            .into_iter()
            .enumerate()
        {
            let n = index as u8 + 1;
            let mut addrs = Vec::new();
            let realm = match (shared, place) {
                (Some(realm), _) => {
                    addrs.push(ip(&format!("192.168.1.{}", 10 + n)));
                    realm
                }
                (None, Place::Public) => {
                    if self.ipv4 {
                        addrs.push(ip(&format!("203.0.113.{}", 100 + n)));
                    }
                    internet
                }
                (None, Place::Nat(kind)) => {
                    let (_, realm) = sim.add_nat(
                        internet,
                        NatConfig::new(kind, format!("203.0.113.{n}").parse().unwrap()),
                    );
                    if self.ipv4 {
                        addrs.push(ip("192.168.1.10"));
                    }
                    realm
                }
            };
            if self.ipv6 {
                addrs.push(ip(&format!("2001:db8:{n}::10")));
            }
            let host = sim.add_host_with_link(realm, &addrs, link.clone());
            let locals: Vec<LocalAddress> = addrs
                .iter()
                .map(|&a| LocalAddress {
                    address: SocketAddr::new(a, 5000),
                    interface_rank: 0,
                })
                .collect();
            let bound: Vec<SocketAddr> = locals.iter().map(|l| l.address).collect();
            let mut config = agent_config(role, self.seed * 10 + u64::from(n), server_addr);
            config.relay_only = self.relay_only;
            let mut agent = Agent::new(config, epoch);
            agent.add_local_addresses(epoch, &locals);
            agents.push(sim.add_endpoint(if n == 1 { "a" } else { "b" }, host, &bound, agent));
        }
        let (a, b) = (agents[0], agents[1]);
        let gathered = |sim: &mut Sim| {
            [a, b]
                .iter()
                .all(|&x| sim.events(x).contains(&Event::GatheringComplete))
        };
        sim.run_until(Duration::from_secs(30), gathered)
            .expect("gathering finishes");
        // Signaling: credentials, every candidate, end-of-candidates.
        for (from, to) in [(a, b), (b, a)] {
            let credentials = sim.endpoint(from).local_credentials().clone();
            let candidates: Vec<_> = sim.endpoint(from).signaled_candidates().collect();
            sim.with_endpoint(to, |agent, now| {
                agent.set_remote_credentials(now, credentials);
                for c in candidates {
                    let _ = agent.add_remote_candidate(now, c);
                }
                agent.end_of_remote_candidates(now);
            });
        }
        let signaled = sim.now();
        // Until both have completed (nominated, no better pair pending): the first selection
        // may be a worse pair when loss delays a better one, which is then nominated.
        let mut first_selected = None;
        let done = |sim: &mut Sim| {
            let both = [a, b]
                .iter()
                .all(|&x| sim.endpoint(x).selected_path().is_some());
            if both && first_selected.is_none() {
                first_selected = Some(sim.now());
            }
            [a, b]
                .iter()
                .all(|&x| sim.endpoint(x).state() == ConnectionState::Completed)
                || [a, b]
                    .iter()
                    .any(|&x| sim.endpoint(x).state() == ConnectionState::Failed)
        };
        let _ = sim.run_until(Duration::from_secs(30), done);
        let connected = [a, b]
            .iter()
            .all(|&x| sim.endpoint(x).selected_path().is_some());
        let time = first_selected.unwrap_or_else(|| sim.now()) - signaled;
        let pa = sim.endpoint(a).selected_path();
        let pb = sim.endpoint(b).selected_path();
        if let (Some(pa), Some(pb)) = (pa, pb) {
            // Both ends use the same path: what is relayed on one side is relayed on the other.
            let relayed = |c: sansrtc_ice::Candidate| c.kind == CandidateKind::Relayed;
            assert_eq!(relayed(pa.local), relayed(pb.remote), "a {pa:?} b {pb:?}");
            assert_eq!(relayed(pa.remote), relayed(pb.local), "a {pa:?} b {pb:?}");
        }
        Outcome {
            connected,
            time,
            checks: sim.endpoint(a).stats().checks_sent + sim.endpoint(b).stats().checks_sent,
            kinds: pa.map(|p| (p.local.kind, p.remote.kind)),
            relayed: pa.is_some_and(|p| p.local.kind == CandidateKind::Relayed)
                || pb.is_some_and(|p| p.local.kind == CandidateKind::Relayed),
        }
    }
}

/// Where the textbook says a direct path cannot be punched (RFC 4787 behaviours).
pub(crate) fn needs_relay(a: Place, b: Place) -> bool {
    use NatKind::{PortRestrictedCone, Symmetric};
    matches!(
        (a, b),
        (Place::Nat(Symmetric), Place::Nat(Symmetric))
            | (Place::Nat(Symmetric), Place::Nat(PortRestrictedCone))
            | (Place::Nat(PortRestrictedCone), Place::Nat(Symmetric))
    )
}
