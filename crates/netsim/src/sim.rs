//! The simulator: topology, virtual clock, event queue and endpoint driver.

use crate::config::{LinkConfig, NatConfig};
use crate::link::{Link, LinkStats};
use crate::nat::{Nat, NatNote};
use crate::node::{EndpointId, Machine, Node};
use crate::pcap::PcapWriter;
use crate::trace::{DropReason, Packet, TraceDigest, TraceEntry, TraceEvent};
use rand::SeedableRng;
use rand::rngs::StdRng;
use sansrtc_proto::SansIo;
use sansrtc_proto::rng::{child_seed, seed_from_u64};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};
use std::fmt::Debug;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::time::{Duration, Instant};

/// An address realm: the public Internet, or the inside of a NAT box.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RealmId(pub(crate) usize);

/// A host: a machine with one or more IP addresses and one access link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HostId(pub(crate) usize);

/// A NAT box joining an inside realm to its parent realm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NatId(pub(crate) usize);

impl NatId {
    /// The index used for this box in [`TraceEvent`]s.
    pub const fn index(self) -> usize {
        self.0
    }
}

/// Something attached to a realm through a link: a host, or a NAT's outside interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Interface {
    /// A host's access link.
    Host(HostId),
    /// A NAT box's outside (WAN) link.
    Nat(NatId),
}

/// Which direction of a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Direction {
    /// From the interface into its realm.
    Up,
    /// From the realm to the interface.
    Down,
}

/// What a packet hook decides for a datagram an endpoint just sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Verdict {
    /// Send it on (possibly after the hook changed its bytes).
    Deliver,
    /// Drop it.
    Drop,
    /// Hold it for this long before it enters its link.
    Delay(Duration),
    /// Send it twice.
    Duplicate,
}

/// What a packet hook sees: the sending endpoint, the time, and the datagram (mutable).
#[derive(Debug)]
#[non_exhaustive]
pub struct HookContext<'a> {
    /// Virtual time since the epoch.
    pub at: Duration,
    /// Name of the endpoint that sent it.
    pub endpoint: &'a str,
    /// The datagram; the hook may rewrite it.
    pub packet: &'a mut Packet,
}

/// Why a run stopped before its condition held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Stalled {
    /// Nothing is scheduled: no datagram in flight and no timer armed.
    Idle,
    /// The time budget ran out.
    Deadline,
    /// Too many steps at one instant: some endpoint keeps asking for an immediate timeout.
    Livelock,
}

impl std::fmt::Display for Stalled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Idle => "the simulation went idle before the condition held",
            Self::Deadline => "the time budget ran out before the condition held",
            Self::Livelock => "livelock: too many steps at one instant",
        })
    }
}

impl std::error::Error for Stalled {}

/// Steps allowed at a single instant before a run reports [`Stalled::Livelock`].
const MAX_STEPS_AT_ONE_INSTANT: u64 = 1_000_000;

type Hook = Box<dyn FnMut(&mut HookContext<'_>) -> Verdict>;

#[derive(Debug)]
pub(crate) enum Member {
    Host(HostId),
    Nat(NatId),
}

#[derive(Debug)]
pub(crate) struct Realm {
    /// The NAT whose inside this realm is (`None` for the Internet).
    pub(crate) gateway: Option<NatId>,
    pub(crate) members: BTreeMap<IpAddr, Member>,
}

#[derive(Debug)]
pub(crate) struct Host {
    pub(crate) realm: RealmId,
    pub(crate) addrs: Vec<IpAddr>,
    pub(crate) up: usize,
    pub(crate) down: usize,
    pub(crate) endpoints: Vec<usize>,
}

#[derive(Debug)]
pub(crate) struct NatBox {
    pub(crate) nat: Nat,
    pub(crate) parent: RealmId,
    pub(crate) inside: RealmId,
    pub(crate) up: usize,
    pub(crate) down: usize,
}

pub(crate) struct Slot {
    pub(crate) name: String,
    pub(crate) host: HostId,
    pub(crate) bindings: Vec<SocketAddr>,
    pub(crate) node: Box<dyn Node>,
    pub(crate) deadline: Option<Instant>,
}

/// Where a scheduled datagram goes next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hop {
    /// Arrives at a realm's router.
    Realm(RealmId),
    /// Arrives at a NAT's outside interface.
    NatInbound(NatId),
    /// Arrives at a host.
    Host(HostId),
    /// Leaves a sender after a hook's delay: enters the host's uplink.
    Uplink(HostId),
}

#[derive(Debug)]
pub(crate) struct Scheduled {
    pub(crate) at: Instant,
    pub(crate) seq: u64,
    pub(crate) packet: Packet,
    pub(crate) hop: Hop,
}

impl PartialEq for Scheduled {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}
impl Eq for Scheduled {}
impl PartialOrd for Scheduled {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Scheduled {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.at, self.seq).cmp(&(other.at, other.seq))
    }
}

/// A deterministic simulated network.
///
/// Build a topology (realms, hosts, NATs, links), add Sans-IO endpoints to hosts, then advance
/// virtual time with [`Sim::step`], [`Sim::run_for`] or [`Sim::run_until`]. The same seed and the
/// same scenario give the same [trace](Sim::trace), byte for byte.
pub struct Sim {
    pub(crate) epoch: Instant,
    pub(crate) now: Instant,
    master: StdRng,
    pub(crate) realms: Vec<Realm>,
    pub(crate) hosts: Vec<Host>,
    pub(crate) nats: Vec<NatBox>,
    pub(crate) links: Vec<Link>,
    pub(crate) endpoints: Vec<Slot>,
    v6_owners: BTreeMap<Ipv6Addr, RealmId>,
    timers: BTreeSet<(Instant, usize)>,
    pub(crate) queue: BinaryHeap<Reverse<Scheduled>>,
    pub(crate) seq: u64,
    keep_trace: bool,
    trace: Vec<TraceEntry>,
    digest: TraceDigest,
    drops: BTreeMap<DropReason, u64>,
    delivered: u64,
    pub(crate) hook: Option<Hook>,
    capture: Option<PcapWriter>,
    buf: Vec<u8>,
    last_step_at: Option<Instant>,
    steps_at_instant: u64,
}

impl Debug for Sim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sim")
            .field("now", &self.elapsed())
            .field("realms", &self.realms.len())
            .field("hosts", &self.hosts.len())
            .field("nats", &self.nats.len())
            .field("endpoints", &self.endpoints.len())
            .field("in_flight", &self.queue.len())
            .finish_non_exhaustive()
    }
}

impl Sim {
    /// Creates an empty network whose virtual clock starts at `epoch`, with all randomness
    /// (loss, jitter, NAT ports) derived from `seed`. Realm 0, [`Sim::internet`], exists from the
    /// start.
    ///
    /// The simulator never reads the clock: `epoch` is any instant the caller picked, and every
    /// trace time is an offset from it.
    pub fn new(epoch: Instant, seed: u64) -> Self {
        Self {
            epoch,
            now: epoch,
            master: StdRng::from_seed(seed_from_u64(seed)),
            realms: vec![Realm {
                gateway: None,
                members: BTreeMap::new(),
            }],
            hosts: Vec::new(),
            nats: Vec::new(),
            links: Vec::new(),
            endpoints: Vec::new(),
            v6_owners: BTreeMap::new(),
            timers: BTreeSet::new(),
            queue: BinaryHeap::new(),
            seq: 0,
            keep_trace: true,
            trace: Vec::new(),
            digest: TraceDigest::default(),
            drops: BTreeMap::new(),
            delivered: 0,
            hook: None,
            capture: None,
            buf: Vec::with_capacity(2048),
            last_step_at: None,
            steps_at_instant: 0,
        }
    }

    /// Stops keeping trace entries (the [digest](Sim::trace_digest) is still computed). Use it
    /// for long or bulk runs.
    pub fn keep_trace(&mut self, keep: bool) {
        self.keep_trace = keep;
    }

    /// Starts recording every datagram sent and delivered into an in-memory pcap.
    pub fn capture_pcap(&mut self) {
        self.capture.get_or_insert_with(PcapWriter::new);
    }

    /// The pcap recorded since [`Sim::capture_pcap`].
    pub fn pcap(&self) -> Option<&PcapWriter> {
        self.capture.as_ref()
    }

    /// The public Internet realm.
    pub const fn internet(&self) -> RealmId {
        RealmId(0)
    }

    /// Current virtual time.
    pub const fn now(&self) -> Instant {
        self.now
    }

    /// Virtual time elapsed since the epoch.
    pub fn elapsed(&self) -> Duration {
        self.now - self.epoch
    }

    fn new_link(&mut self, config: LinkConfig) -> usize {
        let rng = StdRng::from_seed(child_seed(&mut self.master));
        self.links.push(Link::new(config, rng));
        self.links.len() - 1
    }

    /// Adds a host with addresses `addrs` to `realm`, on an ideal access link.
    ///
    /// # Panics
    ///
    /// If an address is already used in that realm, or an IPv6 address anywhere (IPv6 is
    /// global), or `addrs` is empty.
    pub fn add_host(&mut self, realm: RealmId, addrs: &[IpAddr]) -> HostId {
        self.add_host_with_link(realm, addrs, LinkConfig::ideal())
    }

    /// Adds a host whose access link has `link` impairments in both directions.
    ///
    /// # Panics
    ///
    /// As [`Sim::add_host`].
    pub fn add_host_with_link(
        &mut self,
        realm: RealmId,
        addrs: &[IpAddr],
        link: LinkConfig,
    ) -> HostId {
        assert!(!addrs.is_empty(), "a host needs at least one address");
        let id = HostId(self.hosts.len());
        for &addr in addrs {
            let clash = self.realms[realm.0].members.insert(addr, Member::Host(id));
            assert!(
                clash.is_none(),
                "{addr} is already in use in realm {}",
                realm.0
            );
            if let IpAddr::V6(v6) = addr {
                let clash = self.v6_owners.insert(v6, realm);
                assert!(clash.is_none(), "IPv6 address {v6} is already in use");
            }
        }
        let up = self.new_link(link.clone());
        let down = self.new_link(link);
        self.hosts.push(Host {
            realm,
            addrs: addrs.to_vec(),
            up,
            down,
            endpoints: Vec::new(),
        });
        id
    }

    /// Adds a NAT box to `parent`, with its external address there, and returns it with the
    /// new realm on its inside. Its outside link is ideal until [`Sim::set_link`] changes it.
    ///
    /// # Panics
    ///
    /// If the external address is already used in `parent`.
    pub fn add_nat(&mut self, parent: RealmId, config: NatConfig) -> (NatId, RealmId) {
        let id = NatId(self.nats.len());
        let inside = RealmId(self.realms.len());
        let external = IpAddr::V4(config.external_ip);
        let clash = self.realms[parent.0]
            .members
            .insert(external, Member::Nat(id));
        assert!(
            clash.is_none(),
            "{external} is already in use in realm {}",
            parent.0
        );
        self.realms.push(Realm {
            gateway: Some(id),
            members: BTreeMap::new(),
        });
        let rng = StdRng::from_seed(child_seed(&mut self.master));
        let up = self.new_link(LinkConfig::ideal());
        let down = self.new_link(LinkConfig::ideal());
        self.nats.push(NatBox {
            nat: Nat::new(config, rng),
            parent,
            inside,
            up,
            down,
        });
        (id, inside)
    }

    fn link_index(&self, iface: Interface, direction: Direction) -> usize {
        let (up, down) = match iface {
            Interface::Host(h) => (self.hosts[h.0].up, self.hosts[h.0].down),
            Interface::Nat(n) => (self.nats[n.0].up, self.nats[n.0].down),
        };
        match direction {
            Direction::Up => up,
            Direction::Down => down,
        }
    }

    /// Replaces the impairments of one direction of an interface's link. Datagrams already in
    /// flight keep the timing they were given.
    pub fn set_link(&mut self, iface: Interface, direction: Direction, config: LinkConfig) {
        let i = self.link_index(iface, direction);
        self.links[i].set_config(config);
    }

    /// The impairments of one direction of an interface's link.
    pub fn link(&self, iface: Interface, direction: Direction) -> &LinkConfig {
        self.links[self.link_index(iface, direction)].config()
    }

    /// Counters of one direction of an interface's link.
    pub fn link_stats(&self, iface: Interface, direction: Direction) -> LinkStats {
        self.links[self.link_index(iface, direction)].stats()
    }

    /// The addresses of a host.
    pub fn host_addrs(&self, host: HostId) -> &[IpAddr] {
        &self.hosts[host.0].addrs
    }

    /// The external address of a NAT box.
    pub fn nat_external_ip(&self, nat: NatId) -> IpAddr {
        self.nats[nat.0].nat.external_ip()
    }

    /// The configuration of a NAT box.
    pub fn nat_config(&self, nat: NatId) -> &NatConfig {
        self.nats[nat.0].nat.config()
    }

    /// Live mappings in a NAT box at the current time.
    pub fn nat_mappings(&self, nat: NatId) -> usize {
        self.nats[nat.0].nat.live_mappings(self.now)
    }

    /// Adds a Sans-IO endpoint on `host`, receiving datagrams sent to any of `bindings`
    /// (a binding with port 0 takes every port of its address; an unspecified address takes
    /// every address of the host). `name` labels it in the trace.
    ///
    /// The endpoint is drained right away, so anything it queued at construction goes out.
    ///
    /// # Panics
    ///
    /// If a bound address does not belong to `host`.
    pub fn add_endpoint<T>(
        &mut self,
        name: &str,
        host: HostId,
        bindings: &[SocketAddr],
        machine: T,
    ) -> EndpointId<T>
    where
        T: SansIo + 'static,
        T::Event: Debug + 'static,
        T::Error: Debug,
    {
        for b in bindings {
            assert!(
                b.ip().is_unspecified() || self.hosts[host.0].addrs.contains(&b.ip()),
                "{b} is not an address of host {}",
                host.0
            );
        }
        let index = self.endpoints.len();
        self.endpoints.push(Slot {
            name: name.to_owned(),
            host,
            bindings: bindings.to_vec(),
            node: Box::new(Machine {
                inner: machine,
                events: Vec::new(),
            }),
            deadline: None,
        });
        self.hosts[host.0].endpoints.push(index);
        self.drain(index);
        EndpointId::new(index)
    }

    fn machine<T>(&self, id: EndpointId<T>) -> &Machine<T>
    where
        T: SansIo + 'static,
    {
        self.endpoints[id.index]
            .node
            .as_any()
            .downcast_ref::<Machine<T>>()
            .unwrap_or_else(|| panic!("endpoint {} has another type", id.index))
    }

    fn machine_mut<T>(&mut self, id: EndpointId<T>) -> &mut Machine<T>
    where
        T: SansIo + 'static,
    {
        self.endpoints[id.index]
            .node
            .as_any_mut()
            .downcast_mut::<Machine<T>>()
            .unwrap_or_else(|| panic!("endpoint {} has another type", id.index))
    }

    /// Borrows an endpoint to read its state.
    pub fn endpoint<T: SansIo + 'static>(&self, id: EndpointId<T>) -> &T {
        &self.machine(id).inner
    }

    /// Runs a command on an endpoint at the current virtual time, then drains it (its
    /// transmits enter the network, its events are recorded, its timer is re-read).
    pub fn with_endpoint<T, R>(
        &mut self,
        id: EndpointId<T>,
        command: impl FnOnce(&mut T, Instant) -> R,
    ) -> R
    where
        T: SansIo + 'static,
    {
        let now = self.now;
        let result = command(&mut self.machine_mut(id).inner, now);
        self.drain(id.index);
        result
    }

    /// Takes the events an endpoint emitted since the last call.
    pub fn take_events<T: SansIo + 'static>(&mut self, id: EndpointId<T>) -> Vec<T::Event> {
        std::mem::take(&mut self.machine_mut(id).events)
    }

    /// Events an endpoint emitted and that were not taken yet.
    pub fn events<T: SansIo + 'static>(&self, id: EndpointId<T>) -> &[T::Event] {
        &self.machine(id).events
    }

    /// Installs a hook that sees every datagram an endpoint sends, before it enters the
    /// network, and decides its fate.
    pub fn set_hook(&mut self, hook: impl FnMut(&mut HookContext<'_>) -> Verdict + 'static) {
        self.hook = Some(Box::new(hook));
    }

    /// Removes the packet hook.
    pub fn clear_hook(&mut self) {
        self.hook = None;
    }

    /// The trace so far (empty if [`Sim::keep_trace`] turned it off).
    pub fn trace(&self) -> &[TraceEntry] {
        &self.trace
    }

    /// A 64-bit digest of every trace entry so far, kept even when entries are not.
    pub fn trace_digest(&self) -> u64 {
        self.digest.value()
    }

    /// How many datagrams were dropped for `reason`.
    pub fn drop_count(&self, reason: DropReason) -> u64 {
        self.drops.get(&reason).copied().unwrap_or(0)
    }

    /// How many datagrams endpoints accepted.
    pub fn delivered_count(&self) -> u64 {
        self.delivered
    }

    pub(crate) fn v6_owners(&self) -> &BTreeMap<Ipv6Addr, RealmId> {
        &self.v6_owners
    }

    pub(crate) fn delivered_inc(&mut self) {
        self.delivered += 1;
    }

    pub(crate) fn record(&mut self, event: TraceEvent) {
        let entry = TraceEntry {
            at: self.now - self.epoch,
            event,
        };
        self.digest.add(&entry);
        if self.keep_trace {
            self.trace.push(entry);
        }
    }

    pub(crate) fn record_drop(&mut self, reason: DropReason, packet: Packet) {
        *self.drops.entry(reason).or_default() += 1;
        self.record(TraceEvent::Dropped { reason, packet });
    }

    pub(crate) fn record_nat_notes(&mut self, nat: NatId) {
        let notes: Vec<NatNote> = self.nats[nat.0].nat.take_notes().collect();
        for note in notes {
            let event = match note {
                NatNote::Mapped {
                    proto,
                    internal,
                    external,
                } => TraceEvent::NatMapped {
                    nat: nat.0,
                    proto,
                    internal,
                    external,
                },
                NatNote::Expired {
                    proto,
                    internal,
                    external,
                } => TraceEvent::NatExpired {
                    nat: nat.0,
                    proto,
                    internal,
                    external,
                },
            };
            self.record(event);
        }
    }

    pub(crate) fn capture(&mut self, packet: &Packet) {
        let at = self.now - self.epoch;
        if let Some(pcap) = &mut self.capture {
            pcap.add(
                at,
                packet.proto,
                packet.source,
                packet.destination,
                &packet.contents,
            );
        }
    }

    pub(crate) fn schedule(&mut self, at: Instant, packet: Packet, hop: Hop) {
        let seq = self.seq;
        self.seq += 1;
        self.queue.push(Reverse(Scheduled {
            at,
            seq,
            packet,
            hop,
        }));
    }

    /// Drains an endpoint after any input: transmits, then events, then its timer.
    pub(crate) fn drain(&mut self, index: usize) {
        let now = self.now;
        while let Some(t) = self.endpoints[index].node.poll_transmit(now, &mut self.buf) {
            let packet = Packet {
                proto: t.proto,
                source: t.source,
                destination: t.destination,
                contents: t.contents(&self.buf).to_vec(),
            };
            self.send_from(index, packet);
        }
        let mut rendered = Vec::new();
        self.endpoints[index].node.drain_events(&mut rendered);
        for event in rendered {
            let endpoint = self.endpoints[index].name.clone();
            self.record(TraceEvent::Event { endpoint, event });
        }
        let slot = &mut self.endpoints[index];
        if let Some(old) = slot.deadline.take() {
            self.timers.remove(&(old, index));
        }
        if let Some(deadline) = slot.node.poll_timeout() {
            let deadline = deadline.max(now);
            slot.deadline = Some(deadline);
            self.timers.insert((deadline, index));
        }
    }

    /// The instant of the next scheduled thing: a datagram arrival or an endpoint timer.
    pub fn next_event_at(&self) -> Option<Instant> {
        let packet = self.queue.peek().map(|Reverse(s)| s.at);
        let timer = self.timers.first().map(|&(at, _)| at);
        match (packet, timer) {
            (Some(p), Some(t)) => Some(p.min(t)),
            (p, t) => p.or(t),
        }
    }

    /// Advances virtual time to the next scheduled thing and processes it (one datagram hop or
    /// one endpoint timer). Returns `false` when nothing is scheduled.
    pub fn step(&mut self) -> bool {
        let packet_at = self.queue.peek().map(|Reverse(s)| s.at);
        let timer = self.timers.first().copied();
        let packet_first = match (packet_at, timer) {
            (None, None) => return false,
            (Some(p), Some((t, _))) => p <= t,
            (p, _) => p.is_some(),
        };
        if packet_first {
            let Some(Reverse(item)) = self.queue.pop() else {
                return false;
            };
            self.advance_to(item.at);
            self.process(item);
        } else if let Some((at, index)) = timer {
            self.timers.remove(&(at, index));
            self.endpoints[index].deadline = None;
            self.advance_to(at);
            let now = self.now;
            self.endpoints[index].node.handle_timeout(now);
            let endpoint = self.endpoints[index].name.clone();
            self.record(TraceEvent::Timer { endpoint });
            self.drain(index);
        }
        true
    }

    fn advance_to(&mut self, at: Instant) {
        let at = at.max(self.now);
        if self.last_step_at == Some(at) {
            self.steps_at_instant += 1;
        } else {
            self.last_step_at = Some(at);
            self.steps_at_instant = 1;
        }
        self.now = at;
    }

    fn livelocked(&self) -> bool {
        self.steps_at_instant > MAX_STEPS_AT_ONE_INSTANT
    }

    /// Processes everything scheduled within the next `duration`, then sets the clock to the
    /// end of it.
    ///
    /// # Errors
    ///
    /// [`Stalled::Livelock`] if an endpoint keeps the clock stuck at one instant.
    pub fn run_for(&mut self, duration: Duration) -> Result<(), Stalled> {
        let end = self.now + duration;
        while self.next_event_at().is_some_and(|at| at <= end) {
            self.step();
            if self.livelocked() {
                return Err(Stalled::Livelock);
            }
        }
        self.now = end;
        Ok(())
    }

    /// Steps until `done` holds, for at most `budget` of virtual time.
    ///
    /// # Errors
    ///
    /// [`Stalled::Idle`] if nothing is left to do, [`Stalled::Deadline`] when the budget runs
    /// out (the clock is then at the end of the budget), [`Stalled::Livelock`] if time stops
    /// advancing.
    pub fn run_until(
        &mut self,
        budget: Duration,
        mut done: impl FnMut(&mut Self) -> bool,
    ) -> Result<(), Stalled> {
        let end = self.now + budget;
        loop {
            if done(self) {
                return Ok(());
            }
            match self.next_event_at() {
                None => return Err(Stalled::Idle),
                Some(at) if at > end => {
                    self.now = end;
                    return Err(Stalled::Deadline);
                }
                Some(_) => {
                    self.step();
                }
            }
            if self.livelocked() {
                return Err(Stalled::Livelock);
            }
        }
    }

    /// Steps until nothing is scheduled, for at most `budget` of virtual time.
    ///
    /// # Errors
    ///
    /// As [`Sim::run_until`], except that going idle is success.
    pub fn run_until_idle(&mut self, budget: Duration) -> Result<(), Stalled> {
        match self.run_until(budget, |sim| sim.next_event_at().is_none()) {
            Err(Stalled::Idle) | Ok(()) => Ok(()),
            Err(e) => Err(e),
        }
    }
}
