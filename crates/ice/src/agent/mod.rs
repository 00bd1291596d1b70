//! The ICE agent (RFC 8445): candidates, the check list, nomination, consent, and the
//! Sans-IO loop that drives them.
//!
//! The caller owns every socket. It declares its local addresses
//! ([`Agent::add_local_addresses`]), hands in every datagram that arrives on them
//! ([`Agent::handle_datagram`] or `SansIo::handle_receive`), sends what
//! [`poll_transmit`](sansrtc_proto::SansIo::poll_transmit) gives it from the address in
//! `Transmit::source`, and fires timers at [`poll_timeout`](sansrtc_proto::SansIo::poll_timeout).
//! Application data goes out on the selected pair ([`Agent::selected_path`]).

mod api;
mod checklist;
mod checks;
mod compact;
mod gather;
mod idle;
mod incoming;
mod message;
mod relay;
mod restart;
mod selection;

pub use api::Agent;
pub use checklist::PairState;

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use sansrtc_proto::{Protocol, Receive, SansIo, Transmit};
use sansrtc_stun::IntegrityKey;
use sansrtc_stun::wire::{TransactionId, is_stun};

use crate::Error;
use crate::candidate::{
    Candidate, CandidateKind, Foundation, LocalAddress, Transport, local_preferences, priority,
};
use crate::config::{Config, Credentials};
use crate::event::{ConnectionState, Event, Role};
use checklist::{CheckList, PairId};
use gather::Gathering;
use relay::Relay;

/// Datagrams queued for sending before new ones are refused (a bound, not a target).
const MAX_OUTGOING: usize = 256;

/// mDNS names waiting for the caller's answer.
const MAX_PENDING_MDNS: usize = 32;

/// What is waiting to be written by `poll_transmit`: descriptors, so that the bytes are
/// built straight into the caller's buffer.
#[derive(Debug, Clone, Copy)]
enum Outgoing {
    /// A connectivity or consent check on a pair (RFC 8445 §7.2.4).
    Check { pair: PairId, tid: TransactionId },
    /// A success response to a check (§7.3.1.2), or a 487 role conflict (§7.3.1.1).
    Response {
        base: SocketAddr,
        to: SocketAddr,
        tid: TransactionId,
        role_conflict: bool,
    },
    /// A Binding request to a STUN server (§5.1.1.2).
    Gather {
        base: SocketAddr,
        server: SocketAddr,
        tid: TransactionId,
    },
}

/// What a received datagram was, for the caller of [`Agent::handle_datagram`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Incoming<'a> {
    /// A STUN message ICE handled (check, response, gathering).
    Stun,
    /// Application data from the remote address of a known pair: the bytes as received.
    Data(&'a [u8]),
}

/// The selected pair as the caller sends on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SelectedPath {
    /// Our candidate (send from its `base`).
    pub local: Candidate,
    /// The peer's candidate (send to its `address`).
    pub remote: Candidate,
}

/// One candidate pair as the check list holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PairInfo {
    /// Our candidate.
    pub local: Candidate,
    /// The peer's candidate.
    pub remote: Candidate,
    /// Its state.
    pub state: PairState,
    /// Its priority (RFC 8445 §6.1.2.3).
    pub priority: u64,
    /// Nominated (RFC 8445 §8.1).
    pub nominated: bool,
}

/// Counters of what the agent received and refused.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Stats {
    /// Connectivity and consent checks sent, retransmissions included.
    pub checks_sent: u64,
    /// Authenticated checks received and answered.
    pub checks_received: u64,
    /// Authenticated success responses to our checks.
    pub responses_received: u64,
    /// STUN messages dropped for failed authentication.
    pub unauthenticated: u64,
    /// Remote candidates refused for the limit.
    pub candidates_refused: u64,
}

/// The agent while it gathers, checks and nominates (and until it is compacted, see
/// [`api`]): every candidate, the check list, relays and timers.
pub(crate) struct Full {
    config: Config,
    rng: StdRng,
    role: Role,
    tie_breaker: u64,
    local_credentials: Credentials,
    local_key: IntegrityKey,
    remote_credentials: Option<Credentials>,
    remote_key: Option<IntegrityKey>,
    locals: Vec<Candidate>,
    remotes: Vec<Candidate>,
    /// Index of `remotes` by address: adding candidates and matching checks cost O(1), so
    /// thousands of remote candidates cost linear work.
    remote_index: HashMap<SocketAddr, usize>,
    /// The peer said end-of-candidates (RFC 8838 §4.1).
    remote_complete: bool,
    gathering: Gathering,
    relays: Vec<Relay>,
    /// Where a message that goes out through a relay waits while its frame is written into
    /// the caller's buffer (swapped in and out, kept for the next one).
    relay_scratch: Vec<u8>,
    checks: CheckList,
    /// When the next paced check may go (Ta, RFC 8445 §6.1.4.2).
    next_check: Option<Instant>,
    selected: Option<SelectedPath>,
    selected_pair: Option<PairId>,
    state: ConnectionState,
    first_valid: Option<Instant>,
    /// The shortest round trip a check measured (first transmissions only).
    best_rtt: Option<Duration>,
    consent: selection::Consent,
    outgoing: VecDeque<Outgoing>,
    events: VecDeque<Event>,
    pending_mdns: Vec<(String, Candidate)>,
    last_now: Instant,
    stats: Stats,
    /// When the state became Completed (compaction waits a quiet period after it).
    completed_at: Option<Instant>,
    /// What the latest ICE restart replaced, until it is committed or rolled back.
    before_restart: Option<Box<restart::BeforeRestart>>,
}

impl std::fmt::Debug for Full {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Agent")
            .field("role", &self.role)
            .field("state", &self.state)
            .field("locals", &self.locals.len())
            .field("remotes", &self.remotes.len())
            .field("pairs", &self.checks.len())
            .field("selected", &self.selected)
            .finish_non_exhaustive()
    }
}

impl Full {
    /// A new agent. Declare local addresses next; a full agent starts gathering
    /// server-reflexive candidates for them at once.
    pub(crate) fn new(config: Config, now: Instant) -> Self {
        let mut rng = sansrtc_proto::rng::from_seed(config.rng_seed);
        let local_credentials = config
            .credentials
            .clone()
            .unwrap_or_else(|| Credentials::random(&mut rng));
        let tie_breaker = rand::Rng::next_u64(&mut rng);
        let role = if config.lite {
            Role::Controlled
        } else {
            config.role
        };
        Self {
            local_key: IntegrityKey::new(local_credentials.pwd.as_bytes()),
            local_credentials,
            rng,
            role,
            tie_breaker,
            remote_credentials: None,
            remote_key: None,
            locals: Vec::new(),
            remotes: Vec::new(),
            remote_index: HashMap::new(),
            remote_complete: false,
            gathering: Gathering::default(),
            relays: Vec::new(),
            relay_scratch: Vec::new(),
            checks: CheckList::default(),
            next_check: None,
            selected: None,
            selected_pair: None,
            state: ConnectionState::New,
            first_valid: None,
            best_rtt: None,
            consent: selection::Consent::default(),
            outgoing: VecDeque::new(),
            events: VecDeque::new(),
            pending_mdns: Vec::new(),
            last_now: now,
            stats: Stats::default(),
            completed_at: None,
            before_restart: None,
            config,
        }
    }

    /// Our role.
    pub(crate) fn role(&self) -> Role {
        self.role
    }

    /// Our credentials, to signal (`a=ice-ufrag`, `a=ice-pwd`).
    pub(crate) fn local_credentials(&self) -> &Credentials {
        &self.local_credentials
    }

    /// The connection state.
    pub(crate) fn state(&self) -> ConnectionState {
        self.state
    }

    /// Whether this is an ICE-lite agent.
    pub(crate) fn is_lite(&self) -> bool {
        self.config.lite
    }

    /// Our candidates so far (with [`Config::relay_only`], the host and server-reflexive
    /// ones too, though they are neither signaled nor paired: use the gathered events, or
    /// [`Agent::signaled_candidates`]).
    pub(crate) fn local_candidates(&self) -> &[Candidate] {
        &self.locals
    }

    /// The local candidates to signal to the peer: every gathered one, or the relayed ones
    /// with [`Config::relay_only`]; never peer-reflexive ones.
    pub(crate) fn signaled_candidates(&self) -> impl Iterator<Item = Candidate> + '_ {
        self.locals.iter().copied().filter(|c| {
            c.kind != CandidateKind::PeerReflexive
                && (!self.config.relay_only || c.kind == CandidateKind::Relayed)
        })
    }

    /// The peer's candidates so far.
    pub(crate) fn remote_candidates(&self) -> &[Candidate] {
        &self.remotes
    }

    /// The pair data goes on, once one is selected.
    pub(crate) fn selected_path(&self) -> Option<SelectedPath> {
        self.selected
    }

    /// Where data goes now: the selected pair, or before there is one the valid pair of
    /// highest priority (RFC 8445 §12.1).
    pub(crate) fn data_path(&self) -> Option<SelectedPath> {
        if self.selected.is_some() {
            return self.selected;
        }
        let (_, pair) = self
            .checks
            .iter()
            .filter(|(_, p)| p.state == PairState::Succeeded)
            .max_by_key(|(_, p)| p.priority)?;
        Some(SelectedPath {
            local: *self.locals.get(pair.local)?,
            remote: *self.remotes.get(pair.remote)?,
        })
    }

    /// Counters.
    pub(crate) fn stats(&self) -> Stats {
        self.stats
    }

    /// The state of the pair between `base` and `remote`, if the check list has it.
    pub(crate) fn pair_state(&self, base: SocketAddr, remote: SocketAddr) -> Option<PairState> {
        let id = self.checks.by_path(base, remote)?;
        self.checks.get(id).map(|p| p.state)
    }

    /// How many candidate pairs the check list holds.
    pub(crate) fn pair_count(&self) -> usize {
        self.checks.len()
    }

    /// Every candidate pair of the check list (for statistics, W3C `RTCIceCandidatePairStats`).
    pub(crate) fn pairs(&self) -> impl Iterator<Item = PairInfo> + '_ {
        self.checks.iter().filter_map(|(_, p)| {
            Some(PairInfo {
                local: *self.locals.get(p.local)?,
                remote: *self.remotes.get(p.remote)?,
                state: p.state,
                priority: p.priority,
                nominated: p.nominated,
            })
        })
    }

    /// Declares local addresses (the caller has sockets bound to them): each becomes a host
    /// candidate (emitted as [`Event::CandidateGathered`]), and a full agent asks every
    /// STUN server of the same family for a server-reflexive one (RFC 8445 §5.1.1).
    pub(crate) fn add_local_addresses(&mut self, now: Instant, addresses: &[LocalAddress]) {
        let now = self.clock(now);
        let existing = self
            .locals
            .iter()
            .filter(|c| c.kind == CandidateKind::Host)
            .count();
        let preferences = local_preferences(addresses);
        for (address, preference) in addresses.iter().zip(preferences) {
            if self.locals.iter().any(|c| c.base == address.address) {
                continue;
            }
            let candidate = host_candidate(address.address, preference, existing);
            self.add_local_candidate(candidate);
            if !self.config.lite {
                let servers: Vec<SocketAddr> = self
                    .config
                    .stun_servers
                    .iter()
                    .copied()
                    .filter(|s| s.is_ipv4() == address.address.is_ipv4())
                    .collect();
                let turn: Vec<_> = self
                    .config
                    .turn_servers
                    .iter()
                    .filter(|s| {
                        s.local.is_none() && s.server.is_ipv4() == address.address.is_ipv4()
                    })
                    .cloned()
                    .collect();
                for server in turn {
                    if !self
                        .relays
                        .iter()
                        .any(|r| r.local == address.address && r.server == server.server)
                    {
                        self.start_relay(now, &server, address.address);
                    }
                }
                for server in servers {
                    let tid = TransactionId::random(&mut self.rng);
                    self.gathering
                        .start(address.address, server, tid, now, self.config.check_rto);
                    self.push_outgoing(Outgoing::Gather {
                        base: address.address,
                        server,
                        tid,
                    });
                }
            }
        }
        if !self.config.lite {
            let connected: Vec<_> = self
                .config
                .turn_servers
                .iter()
                .filter_map(|s| s.local.map(|local| (s.clone(), local)))
                .collect();
            for (server, local) in connected {
                if !self
                    .relays
                    .iter()
                    .any(|r| r.local == local && r.server == server.server)
                {
                    self.start_relay(now, &server, local);
                }
            }
        }
        self.check_gathering_complete();
        self.schedule_checks(now);
    }

    /// Host candidates known again without being signaled or paired (a compact agent
    /// resumed: they matter for a restart).
    pub(crate) fn add_quiet_hosts(&mut self, addresses: &[LocalAddress]) {
        for (address, preference) in addresses.iter().zip(local_preferences(addresses)) {
            if !self.locals.iter().any(|c| c.base == address.address) {
                self.locals
                    .push(host_candidate(address.address, preference, 0));
            }
        }
    }

    /// Adds a local candidate, pairs it with every remote one, and tells the application.
    fn add_local_candidate(&mut self, candidate: Candidate) {
        if self
            .locals
            .iter()
            .any(|c| c.address == candidate.address && c.base == candidate.base)
        {
            return;
        }
        self.locals.push(candidate);
        let local = self.locals.len() - 1;
        if self.config.relay_only && candidate.kind != CandidateKind::Relayed {
            return;
        }
        if candidate.kind != CandidateKind::PeerReflexive {
            self.events.push_back(Event::CandidateGathered(candidate));
        }
        for remote in 0..self.remotes.len() {
            self.pair(local, remote);
        }
    }

    /// The peer's credentials (RFC 8445 §5.3), from its `a=ice-ufrag` and `a=ice-pwd`.
    /// Checks start once they are known. New credentials mean the peer restarted ICE
    /// (RFC 8445 §9): its candidates are forgotten and new ones expected.
    pub(crate) fn set_remote_credentials(&mut self, now: Instant, credentials: Credentials) {
        let now = self.clock(now);
        if self
            .remote_credentials
            .as_ref()
            .is_some_and(|c| *c != credentials)
        {
            self.forget_remote_session();
        }
        self.remote_key = Some(IntegrityKey::new(credentials.pwd.as_bytes()));
        self.remote_credentials = Some(credentials);
        if self.state == ConnectionState::New && !self.config.lite {
            self.set_state(ConnectionState::Checking);
        }
        self.schedule_checks(now);
    }

    /// The peer is an ICE-lite agent (`a=ice-lite`): a full agent then takes the controlling
    /// role (RFC 8445 §6.1.1), since a lite agent never nominates.
    pub(crate) fn set_remote_lite(&mut self, lite: bool) {
        if lite && !self.config.lite {
            self.switch_role(Role::Controlling);
        }
    }

    /// Adds a remote candidate (signaled, or trickled at any time, RFC 8838 §5). UDP only;
    /// candidates of other transports are ignored.
    ///
    /// # Errors
    /// [`Error::Limit`] beyond [`Config::max_remote_candidates`].
    pub(crate) fn add_remote_candidate(
        &mut self,
        now: Instant,
        candidate: Candidate,
    ) -> Result<(), Error> {
        let now = self.clock(now);
        if candidate.transport != Transport::Udp {
            return Ok(());
        }
        if let Some(known) = self
            .remote_index
            .get(&candidate.address)
            .and_then(|&i| self.remotes.get_mut(i))
        {
            // A signaled candidate replaces a peer-reflexive one learned from a check.
            if known.kind == CandidateKind::PeerReflexive {
                known.kind = candidate.kind;
                known.foundation = candidate.foundation;
            }
            return Ok(());
        }
        if self.remotes.len() >= self.config.max_remote_candidates {
            self.stats.candidates_refused += 1;
            return Err(Error::Limit("remote candidates"));
        }
        let candidate = Candidate {
            base: candidate.address,
            ..candidate
        };
        let remote = self.push_remote(candidate);
        for local in 0..self.locals.len() {
            self.pair(local, remote);
        }
        if self.state == ConnectionState::Failed && self.selected.is_none() {
            self.set_state(ConnectionState::Checking);
        }
        self.schedule_checks(now);
        Ok(())
    }

    /// A remote candidate named by an mDNS `.local` hostname: the agent asks the caller to
    /// resolve it ([`Event::ResolveMdns`]) and pairs it once [`Agent::resolved_mdns`] gives
    /// the address.
    ///
    /// # Errors
    /// [`Error::Limit`] when too many names wait.
    pub(crate) fn add_remote_mdns_candidate(
        &mut self,
        name: &str,
        port: u16,
        kind: CandidateKind,
        priority: u32,
        foundation: Foundation,
    ) -> Result<(), Error> {
        if self.pending_mdns.len() >= MAX_PENDING_MDNS {
            return Err(Error::Limit("pending mDNS names"));
        }
        let placeholder = Candidate::remote(
            kind,
            SocketAddr::from(([0, 0, 0, 0], port)),
            priority,
            foundation,
            1,
        );
        self.pending_mdns.push((name.to_owned(), placeholder));
        self.events.push_back(Event::ResolveMdns(name.to_owned()));
        Ok(())
    }

    /// The address an mDNS name resolved to: its candidates are added.
    ///
    /// # Errors
    /// As [`Agent::add_remote_candidate`].
    pub(crate) fn resolved_mdns(
        &mut self,
        now: Instant,
        name: &str,
        ip: std::net::IpAddr,
    ) -> Result<(), Error> {
        let (matching, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut self.pending_mdns)
            .into_iter()
            .partition(|(n, _)| n == name);
        self.pending_mdns = rest;
        for (_, candidate) in matching {
            let address = SocketAddr::new(ip, candidate.address.port());
            self.add_remote_candidate(
                now,
                Candidate {
                    address,
                    ..candidate
                },
            )?;
        }
        Ok(())
    }

    /// The peer sent end-of-candidates (RFC 8838 §4.1): once every pair has failed, the
    /// agent fails instead of waiting for more.
    pub(crate) fn end_of_remote_candidates(&mut self, now: Instant) {
        let now = self.clock(now);
        self.remote_complete = true;
        self.check_failed(now);
    }

    /// Stops the agent: nothing more is sent.
    pub(crate) fn close(&mut self) {
        self.outgoing.clear();
        self.checks.clear();
        self.selected = None;
        self.selected_pair = None;
        self.set_state(ConnectionState::Closed);
    }

    /// Frames what `buf` holds for the TURN relay `index`, toward `to`: the message moves to
    /// the scratch buffer (swapped, not copied) and its frame is written into `buf`.
    fn relay_in_place(
        &mut self,
        now: Instant,
        index: usize,
        to: SocketAddr,
        buf: &mut Vec<u8>,
    ) -> Option<Transmit> {
        let mut message = std::mem::take(&mut self.relay_scratch);
        std::mem::swap(&mut message, buf);
        let sent = self.send_via_relay(now, index, to, &message, buf);
        message.clear();
        self.relay_scratch = message;
        sent
    }

    /// Sends the data already in `buf` (all of it) on the selected pair and says where to
    /// (from `Transmit::source`, a local base, to the remote address): as it is, without a
    /// copy, or framed for the TURN relay of a relayed local candidate (the data moves to a
    /// scratch buffer kept for the next time, and the frame is written into `buf`).
    ///
    /// # Errors
    /// [`Error::ApiMisuse`] with no valid pair yet; [`Error::Closed`] after `close`.
    pub(crate) fn send_in_place(&mut self, buf: &mut Vec<u8>) -> Result<Transmit, Error> {
        if matches!(
            self.state,
            ConnectionState::Closed | ConnectionState::Failed
        ) {
            // RFC 7675 §5.1: without consent nothing more is sent.
            return Err(Error::Closed);
        }
        let path = self.data_path().ok_or(Error::ApiMisuse("no valid pair"))?;
        if let Some(index) = self.relay_of(path.local.base) {
            let now = self.last_now;
            return self
                .relay_in_place(now, index, path.remote.address, buf)
                .ok_or(Error::Limit("relay queue"));
        }
        Ok(Transmit {
            proto: Protocol::Udp,
            source: path.local.base,
            destination: path.remote.address,
            size: buf.len(),
        })
    }

    /// Feeds one datagram that arrived on a local address. STUN goes to ICE; anything else
    /// from the remote address of a known pair is returned as [`Incoming::Data`], borrowed.
    ///
    /// # Errors
    /// The datagram was refused and changed nothing: [`Error::NotIce`] for data from an
    /// unknown source (demultiplex it elsewhere), [`Error::Unauthenticated`] and the other
    /// STUN errors for checks and responses that are not genuine.
    pub(crate) fn handle_datagram<'a>(
        &mut self,
        now: Instant,
        receive: Receive<'a>,
    ) -> Result<Incoming<'a>, Error> {
        let now = self.clock(now);
        if self.state == ConnectionState::Closed {
            return Err(Error::Closed);
        }
        if let Some(index) = self
            .relays
            .iter()
            .position(|r| r.local == receive.destination && r.server == receive.source)
            .filter(|_| !self.gathering.owns(receive.contents, receive.source))
        {
            return self.relay_receive(now, index, receive);
        }
        if receive.proto != Protocol::Udp {
            return Err(Error::NotIce);
        }
        if is_stun(receive.contents) {
            self.handle_stun(now, receive)?;
            return Ok(Incoming::Stun);
        }
        if self.is_known_path(receive.destination, receive.source) {
            Ok(Incoming::Data(receive.contents))
        } else {
            Err(Error::NotIce)
        }
    }

    /// Adds a remote candidate to the list and its index; returns its position.
    pub(crate) fn push_remote(&mut self, candidate: Candidate) -> usize {
        self.remotes.push(candidate);
        let at = self.remotes.len() - 1;
        self.remote_index.insert(candidate.address, at);
        at
    }

    /// Queues an event for the application.
    pub(crate) fn push_event(&mut self, event: Event) {
        self.events.push_back(event);
    }

    /// Whether data between `base` and `remote` belongs to a pair of ours.
    fn is_known_path(&self, base: SocketAddr, remote: SocketAddr) -> bool {
        self.selected
            .is_some_and(|p| p.remote.address == remote && p.local.base == base)
            || self.checks.by_path(base, remote).is_some()
    }

    fn clock(&mut self, now: Instant) -> Instant {
        self.last_now = self.last_now.max(now);
        self.last_now
    }

    fn push_outgoing(&mut self, outgoing: Outgoing) {
        if self.outgoing.len() < MAX_OUTGOING {
            self.outgoing.push_back(outgoing);
        }
    }

    fn set_state(&mut self, state: ConnectionState) {
        if self.state != state && self.state != ConnectionState::Closed {
            tracing::debug!(from = ?self.state, to = ?state, "ice connection state");
            self.state = state;
            self.completed_at = (state == ConnectionState::Completed).then_some(self.last_now);
            self.events.push_back(Event::ConnectionState(state));
        }
    }

    /// The key a check we send is signed with, and the USERNAME it carries (RFC 8445
    /// §7.2.2: `remote ufrag:local ufrag`).
    fn remote_username_and_key(&self) -> Option<(String, &IntegrityKey)> {
        let remote = self.remote_credentials.as_ref()?;
        let key = self.remote_key.as_ref()?;
        Some((
            format!("{}:{}", remote.ufrag, self.local_credentials.ufrag),
            key,
        ))
    }
}

impl SansIo for Full {
    type Event = Event;
    type Error = Error;

    /// As [`Agent::handle_datagram`], with application data copied into [`Event::Data`].
    fn handle_receive(&mut self, now: Instant, receive: Receive<'_>) -> Result<(), Error> {
        if let Incoming::Data(data) = self.handle_datagram(now, receive)? {
            self.events.push_back(Event::Data(data.to_vec()));
        }
        Ok(())
    }

    fn poll_transmit(&mut self, now: Instant, buf: &mut Vec<u8>) -> Option<Transmit> {
        let now = self.clock(now);
        if let Some(transmit) = self.poll_relays(now, buf) {
            return Some(transmit);
        }
        while let Some(outgoing) = self.outgoing.pop_front() {
            let Some(transmit) = self.write_outgoing(outgoing, buf) else {
                continue;
            };
            let Some(index) = self.relay_of(transmit.source) else {
                return Some(transmit);
            };
            // From a relayed base: through the TURN client.
            buf.truncate(transmit.size);
            let relayed = self.relay_in_place(now, index, transmit.destination, buf);
            if relayed.is_some() {
                return relayed;
            }
        }
        None
    }

    fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    fn poll_timeout(&self) -> Option<Instant> {
        if self.state == ConnectionState::Closed {
            return None;
        }
        [
            self.next_check,
            self.checks.earliest_deadline(),
            self.gathering.earliest_deadline(),
            self.consent_deadline(),
            self.relays_deadline(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    fn handle_timeout(&mut self, now: Instant) {
        let now = self.clock(now);
        if self.state == ConnectionState::Closed {
            return;
        }
        self.relay_timeouts(now);
        self.gathering_timeouts(now);
        self.check_timeouts(now);
        if self.next_check.is_some_and(|t| now >= t) {
            self.next_check = None;
            self.send_next_check(now);
        }
        self.nominate_if_ready(now);
        self.consent_timeouts(now);
        if self.state == ConnectionState::Connected {
            self.update_connected_state();
        }
        self.check_failed(now);
    }
}

/// A host candidate for `address` with the local preference RFC 8421 gave it, shifted below
/// the `existing` host candidates.
fn host_candidate(address: SocketAddr, preference: u16, existing: usize) -> Candidate {
    let preference = preference.saturating_sub(2 * existing as u16);
    Candidate {
        kind: CandidateKind::Host,
        transport: Transport::Udp,
        address,
        base: address,
        related: None,
        priority: priority(CandidateKind::Host, preference, 1),
        foundation: Foundation::derive(CandidateKind::Host, address.ip(), None, Transport::Udp),
        component: 1,
    }
}

/// The local preference of a candidate's priority (RFC 8445 §5.1.2.1).
fn local_preference(priority: u32) -> u16 {
    ((priority >> 8) & 0xffff) as u16
}

/// How long before the next consent check: the interval times a random factor in
/// [0.8, 1.2] (RFC 7675 §5.1).
fn jittered(interval: Duration, rng: &mut StdRng) -> Duration {
    let factor = 800 + rand::Rng::next_u32(rng) % 401;
    interval * factor / 1000
}
