//! The public [`Agent`]: a full agent while ICE runs, a compact one once it has completed and
//! gone quiet ([`Config::compact_after`](crate::Config::compact_after)), and a full one again
//! whenever something needs more than consent and data. The switch is invisible to the caller:
//! every method means the same in both forms.

use std::net::SocketAddr;
use std::time::Instant;

use sansrtc_proto::{Protocol, Receive, SansIo, Transmit};

use super::compact::{Compact, Handled};
use super::{Full, Incoming, PairInfo, PairState, SelectedPath, Stats};
use crate::Error;
use crate::candidate::{Candidate, CandidateKind, Foundation, LocalAddress};
use crate::config::{Config, Credentials};
use crate::event::{ConnectionState, Event, Role};

/// Credentials of an agent caught between forms (never observed: one form is always there).
static NO_CREDENTIALS: Credentials = Credentials {
    ufrag: String::new(),
    pwd: String::new(),
};

/// An ICE agent for one component (one data stream: WebRTC bundles everything on one).
///
/// See the crate docs for the calling contract. Once the session has completed and been
/// quiet for [`Config::compact_after`](crate::Config::compact_after), the agent frees every
/// candidate and pair but the selected one (RFC 8445 §8.3) and keeps only what consent
/// freshness and data need; anything more (a new candidate, a restart, a check from another
/// address) brings the full state back first.
pub struct Agent {
    /// Exactly one of the two forms is present.
    full: Option<Box<Full>>,
    compact: Option<Box<Compact>>,
}

/// The form an agent is in, borrowed.
enum Form<'a> {
    Full(&'a Full),
    Compact(&'a Compact),
    None,
}

/// The form an agent is in, borrowed mutably.
enum FormMut<'a> {
    Full(&'a mut Full),
    Compact(&'a mut Compact),
    None,
}

impl std::fmt::Debug for Agent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.form() {
            Form::Full(full) => full.fmt(f),
            Form::Compact(compact) => compact.fmt(f),
            Form::None => f.write_str("Agent"),
        }
    }
}

impl Agent {
    /// A new agent. Declare local addresses next; a full agent starts gathering
    /// server-reflexive and relayed candidates for them at once.
    pub fn new(config: Config, now: Instant) -> Self {
        Self {
            full: Some(Box::new(Full::new(config, now))),
            compact: None,
        }
    }

    fn form(&self) -> Form<'_> {
        match (&self.full, &self.compact) {
            (Some(full), _) => Form::Full(full),
            (None, Some(compact)) => Form::Compact(compact),
            (None, None) => Form::None,
        }
    }

    fn form_mut(&mut self) -> FormMut<'_> {
        match (&mut self.full, &mut self.compact) {
            (Some(full), _) => FormMut::Full(full),
            (None, Some(compact)) => FormMut::Compact(compact),
            (None, None) => FormMut::None,
        }
    }

    /// The full agent, resumed from the compact form if need be.
    fn full(&mut self, now: Instant) -> &mut Full {
        if let Some(compact) = self.compact.take() {
            self.full = Some(Box::new(Full::resume(*compact, now)));
        }
        self.full
            .get_or_insert_with(|| Box::new(Full::new(Config::new(Role::Controlled), now)))
    }

    /// Compacts a completed, quiet agent whose time has come.
    fn compact_if_due(&mut self, now: Instant) {
        let due = self
            .full
            .as_ref()
            .and_then(|f| f.compact_deadline())
            .is_some_and(|t| t <= now);
        if !due {
            return;
        }
        if let Some(full) = self.full.take() {
            // into_compact refuses only what compact_deadline excluded already.
            self.compact = (*full).into_compact().map(Box::new);
        }
    }

    /// Whether the agent is in its compact idle form.
    pub fn is_compact(&self) -> bool {
        self.full.is_none() && self.compact.is_some()
    }

    /// Our role (RFC 8445 §6.1.1; changed by role conflicts, §7.3.1.1).
    pub fn role(&self) -> Role {
        match self.form() {
            Form::Full(f) => f.role(),
            Form::Compact(c) => c.role,
            Form::None => Role::Controlled,
        }
    }

    /// Our credentials, to signal (`a=ice-ufrag`, `a=ice-pwd`, RFC 8445 §5.3).
    pub fn local_credentials(&self) -> &Credentials {
        match self.form() {
            Form::Full(f) => f.local_credentials(),
            Form::Compact(c) => &c.local_credentials,
            Form::None => &NO_CREDENTIALS,
        }
    }

    /// The connection state.
    pub fn state(&self) -> ConnectionState {
        match self.form() {
            Form::Full(f) => f.state(),
            Form::Compact(c) => c.state,
            Form::None => ConnectionState::Closed,
        }
    }

    /// Whether this is an ICE-lite agent (RFC 8445 §2.5).
    pub fn is_lite(&self) -> bool {
        match self.form() {
            Form::Full(f) => f.is_lite(),
            Form::Compact(c) => c.config.lite,
            Form::None => false,
        }
    }

    /// Our candidates so far (with [`Config::relay_only`](crate::Config::relay_only), the
    /// host and server-reflexive ones too, though they are neither signaled nor paired; use
    /// [`Agent::signaled_candidates`] for what to signal). Compact: the selected one.
    pub fn local_candidates(&self) -> &[Candidate] {
        match self.form() {
            Form::Full(f) => f.local_candidates(),
            Form::Compact(c) => std::slice::from_ref(&c.selected.local),
            Form::None => &[],
        }
    }

    /// The local candidates to signal to the peer (RFC 8838 §4): every gathered one, or the
    /// relayed ones with [`Config::relay_only`](crate::Config::relay_only); never
    /// peer-reflexive ones.
    pub fn signaled_candidates(&self) -> impl Iterator<Item = Candidate> + '_ {
        let (full, compact) = match self.form() {
            Form::Full(f) => (Some(f.signaled_candidates()), None),
            Form::Compact(c) => (
                None,
                Some(c.selected.local).filter(|l| l.kind != CandidateKind::PeerReflexive),
            ),
            Form::None => (None, None),
        };
        full.into_iter().flatten().chain(compact)
    }

    /// The peer's candidates so far. Compact: the selected one.
    pub fn remote_candidates(&self) -> &[Candidate] {
        match self.form() {
            Form::Full(f) => f.remote_candidates(),
            Form::Compact(c) => std::slice::from_ref(&c.selected.remote),
            Form::None => &[],
        }
    }

    /// The pair data goes on, once one is selected.
    pub fn selected_path(&self) -> Option<SelectedPath> {
        match self.form() {
            Form::Full(f) => f.selected_path(),
            Form::Compact(c) => Some(c.selected),
            Form::None => None,
        }
    }

    /// Where [`Agent::write_data`] sends now: the selected pair, or before one is selected the
    /// valid pair of highest priority, since an agent may send data on any valid pair until
    /// then (RFC 8445 §12.1). `None` while no check has succeeded.
    pub fn data_path(&self) -> Option<SelectedPath> {
        match self.form() {
            Form::Full(f) => f.data_path(),
            Form::Compact(c) => Some(c.selected),
            Form::None => None,
        }
    }

    /// Counters.
    pub fn stats(&self) -> Stats {
        match self.form() {
            Form::Full(f) => f.stats(),
            Form::Compact(c) => c.stats,
            Form::None => Stats::default(),
        }
    }

    /// The state of the pair between `base` and `remote`, if the check list has it.
    pub fn pair_state(&self, base: SocketAddr, remote: SocketAddr) -> Option<PairState> {
        match self.form() {
            Form::Full(f) => f.pair_state(base, remote),
            Form::Compact(c) => (c.selected.local.base == base
                && c.selected.remote.address == remote)
                .then_some(PairState::Succeeded),
            Form::None => None,
        }
    }

    /// How many candidate pairs the check list holds.
    pub fn pair_count(&self) -> usize {
        match self.form() {
            Form::Full(f) => f.pair_count(),
            Form::Compact(_) => 1,
            Form::None => 0,
        }
    }

    /// Every candidate pair of the check list (for statistics, W3C
    /// `RTCIceCandidatePairStats`).
    pub fn pairs(&self) -> impl Iterator<Item = PairInfo> + '_ {
        let (full, compact) = match self.form() {
            Form::Full(f) => (Some(f.pairs()), None),
            Form::Compact(c) => (
                None,
                Some(PairInfo {
                    local: c.selected.local,
                    remote: c.selected.remote,
                    state: PairState::Succeeded,
                    priority: 0,
                    nominated: true,
                }),
            ),
            Form::None => (None, None),
        };
        full.into_iter().flatten().chain(compact)
    }

    /// Declares local addresses (the caller has sockets bound to them): each becomes a host
    /// candidate (emitted as [`Event::CandidateGathered`]), and a full agent asks every STUN
    /// and TURN server of the same family for server-reflexive and relayed ones
    /// (RFC 8445 §5.1.1).
    pub fn add_local_addresses(&mut self, now: Instant, addresses: &[LocalAddress]) {
        self.full(now).add_local_addresses(now, addresses);
    }

    /// The peer's credentials (RFC 8445 §5.3), from its `a=ice-ufrag` and `a=ice-pwd`.
    /// Checks start once they are known. New credentials mean the peer restarted ICE
    /// (RFC 8445 §9): its candidates are forgotten and new ones expected.
    pub fn set_remote_credentials(&mut self, now: Instant, credentials: Credentials) {
        if let Form::Compact(c) = self.form()
            && c.remote_credentials == credentials
        {
            return;
        }
        self.full(now).set_remote_credentials(now, credentials);
    }

    /// The peer is an ICE-lite agent (`a=ice-lite`): a full agent then takes the controlling
    /// role (RFC 8445 §6.1.1), since a lite agent never nominates.
    pub fn set_remote_lite(&mut self, now: Instant, lite: bool) {
        if lite && self.role() == Role::Controlling {
            return;
        }
        self.full(now).set_remote_lite(lite);
    }

    /// Adds a remote candidate (signaled, or trickled at any time, RFC 8838 §5). UDP only;
    /// candidates of other transports are ignored.
    ///
    /// # Errors
    /// [`Error::Limit`] beyond [`Config::max_remote_candidates`](crate::Config).
    pub fn add_remote_candidate(
        &mut self,
        now: Instant,
        candidate: Candidate,
    ) -> Result<(), Error> {
        if let Form::Compact(c) = self.form()
            && c.selected.remote.address == candidate.address
        {
            return Ok(());
        }
        self.full(now).add_remote_candidate(now, candidate)
    }

    /// A remote candidate named by an mDNS `.local` hostname: the agent asks the caller to
    /// resolve it ([`Event::ResolveMdns`]) and pairs it once [`Agent::resolved_mdns`] gives
    /// the address.
    ///
    /// # Errors
    /// [`Error::Limit`] when too many names wait.
    pub fn add_remote_mdns_candidate(
        &mut self,
        now: Instant,
        name: &str,
        port: u16,
        kind: CandidateKind,
        priority: u32,
        foundation: Foundation,
    ) -> Result<(), Error> {
        self.full(now)
            .add_remote_mdns_candidate(name, port, kind, priority, foundation)
    }

    /// The address an mDNS name resolved to: its candidates are added.
    ///
    /// # Errors
    /// As [`Agent::add_remote_candidate`].
    pub fn resolved_mdns(
        &mut self,
        now: Instant,
        name: &str,
        ip: std::net::IpAddr,
    ) -> Result<(), Error> {
        self.full(now).resolved_mdns(now, name, ip)
    }

    /// The peer sent end-of-candidates (RFC 8838 §4.1): once every pair has failed, the
    /// agent fails instead of waiting for more.
    pub fn end_of_remote_candidates(&mut self, now: Instant) {
        if let FormMut::Full(f) = self.form_mut() {
            f.end_of_remote_candidates(now);
        }
    }

    /// Sets the role (RFC 8445 §6.1.1), as the signaling decides it (JSEP: the offerer
    /// controls, RFC 8829 §5.2.1); pair priorities are recomputed. Later conflicts are still
    /// resolved by the tie-breaker (§7.3.1.1).
    pub fn set_role(&mut self, now: Instant, role: Role) {
        if self.role() != role {
            self.full(now).switch_role(role);
        }
    }

    /// ICE restart (RFC 8445 §9): new local credentials (to signal), the check list and
    /// remote candidates forgotten, gathering again. The selected pair keeps carrying data
    /// until a new one is selected. What it replaced is kept for
    /// [`Agent::rollback_restart`] until [`Agent::commit_restart`].
    pub fn restart(&mut self, now: Instant) {
        self.full(now).restart(now);
    }

    /// As [`Agent::restart`], with local credentials the caller chose (JSEP puts them in an
    /// offer before the offer is applied).
    ///
    /// # Errors
    /// [`Error::ApiMisuse`] unless the ufrag has 4 to 256 and the password 22 to 256
    /// ice-chars (RFC 8839 §5.4).
    pub fn restart_with(&mut self, now: Instant, credentials: Credentials) -> Result<(), Error> {
        if !credentials.is_valid() {
            return Err(Error::ApiMisuse("ICE credentials"));
        }
        self.full(now).restart_with(now, credentials);
        Ok(())
    }

    /// The latest restart stands (its offer/answer exchange completed): what it replaced is
    /// forgotten, and [`Agent::rollback_restart`] has nothing more to undo.
    pub fn commit_restart(&mut self) {
        if let FormMut::Full(f) = self.form_mut() {
            f.commit_restart();
        }
    }

    /// Undoes a restart not yet committed (a JSEP rollback of the offer that restarted,
    /// RFC 8829 §4.1.10.2): our previous credentials, the peer's and its candidates come
    /// back, and their pairs are checked again; the selected pair, which kept carrying
    /// data, stays. False when there was nothing to undo.
    pub fn rollback_restart(&mut self, now: Instant) -> bool {
        match self.form_mut() {
            FormMut::Full(f) => f.rollback_restart(now),
            FormMut::Compact(_) | FormMut::None => false,
        }
    }

    /// Forgets the peer entirely: its credentials, candidates, pairs and the selected pair;
    /// the state is New again (a JSEP rollback of the first remote offer). Our own
    /// credentials and candidates stay.
    pub fn forget_remote(&mut self, now: Instant) {
        self.full(now).forget_remote(now);
    }

    /// Stops the agent: nothing more is sent.
    pub fn close(&mut self) {
        match self.form_mut() {
            FormMut::Full(f) => f.close(),
            FormMut::Compact(c) => {
                if c.state != ConnectionState::Closed {
                    c.state = ConnectionState::Closed;
                    c.events
                        .push_back(Event::ConnectionState(ConnectionState::Closed));
                }
            }
            FormMut::None => {}
        }
    }

    /// Writes `data` for the selected pair (or, before one is selected, the best valid pair:
    /// [`Agent::data_path`]) into `buf` and says where to send it (from
    /// `Transmit::source`, a local base, to the remote address; through the TURN client when
    /// the local candidate is relayed).
    ///
    /// # Errors
    /// [`Error::ApiMisuse`] with no valid pair yet; [`Error::Closed`] after `close`, or once
    /// consent has expired (RFC 7675 §5.1).
    pub fn write_data(&mut self, data: &[u8], buf: &mut Vec<u8>) -> Result<Transmit, Error> {
        buf.clear();
        buf.extend_from_slice(data);
        self.send_in_place(buf)
    }

    /// As [`Agent::write_data`] for data the caller already wrote into `buf` (all of it, a
    /// DTLS record say): sent as it is, without a copy, unless the selected local candidate
    /// is relayed (then framed for the TURN server).
    ///
    /// # Errors
    /// As [`Agent::write_data`].
    pub fn send_in_place(&mut self, buf: &mut Vec<u8>) -> Result<Transmit, Error> {
        match self.form_mut() {
            FormMut::Full(f) => f.send_in_place(buf),
            FormMut::Compact(c) => {
                if matches!(c.state, ConnectionState::Closed | ConnectionState::Failed) {
                    return Err(Error::Closed);
                }
                Ok(Transmit {
                    proto: Protocol::Udp,
                    source: c.selected.local.base,
                    destination: c.selected.remote.address,
                    size: buf.len(),
                })
            }
            FormMut::None => Err(Error::Closed),
        }
    }

    /// Feeds one datagram that arrived on a local address. STUN goes to ICE; anything else
    /// from the remote address of a known pair is returned as [`Incoming::Data`], borrowed.
    ///
    /// # Errors
    /// The datagram was refused and changed nothing: [`Error::NotIce`] for data from an
    /// unknown source (demultiplex it elsewhere), [`Error::Unauthenticated`] and the other
    /// STUN errors for checks and responses that are not genuine.
    pub fn handle_datagram<'a>(
        &mut self,
        now: Instant,
        receive: Receive<'a>,
    ) -> Result<Incoming<'a>, Error> {
        if let FormMut::Compact(c) = self.form_mut() {
            match c.handle_datagram(now, receive) {
                Handled::Done(result) => return result,
                Handled::Expand => {}
            }
        }
        self.full(now).handle_datagram(now, receive)
    }
}

impl SansIo for Agent {
    type Event = Event;
    type Error = Error;

    /// As [`Agent::handle_datagram`], with application data copied into [`Event::Data`].
    fn handle_receive(&mut self, now: Instant, receive: Receive<'_>) -> Result<(), Error> {
        if let Incoming::Data(data) = self.handle_datagram(now, receive)? {
            let event = Event::Data(data.to_vec());
            match self.form_mut() {
                FormMut::Full(f) => f.push_event(event),
                FormMut::Compact(c) => c.events.push_back(event),
                FormMut::None => {}
            }
        }
        Ok(())
    }

    fn poll_transmit(&mut self, now: Instant, buf: &mut Vec<u8>) -> Option<Transmit> {
        match self.form_mut() {
            FormMut::Full(f) => f.poll_transmit(now, buf),
            FormMut::Compact(c) => c.poll_transmit(buf),
            FormMut::None => None,
        }
    }

    fn poll_event(&mut self) -> Option<Event> {
        match self.form_mut() {
            FormMut::Full(f) => f.poll_event(),
            FormMut::Compact(c) => c.events.pop_front(),
            FormMut::None => None,
        }
    }

    fn poll_timeout(&self) -> Option<Instant> {
        match self.form() {
            Form::Full(f) => [f.poll_timeout(), f.compact_deadline()]
                .into_iter()
                .flatten()
                .min(),
            Form::Compact(c) => c.poll_timeout(),
            Form::None => None,
        }
    }

    fn handle_timeout(&mut self, now: Instant) {
        match self.form_mut() {
            FormMut::Full(f) => f.handle_timeout(now),
            FormMut::Compact(c) => c.handle_timeout(now),
            FormMut::None => {}
        }
        self.compact_if_due(now);
    }
}
