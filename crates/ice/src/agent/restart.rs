//! ICE restart (RFC 8445 §9) and its undoing: JSEP can roll an offer back (RFC 8829 §4.1.10.2,
//! §5.7), and an offer that restarted ICE then leaves the agent as it was, with the
//! credentials the peer still uses. The first negotiation can be rolled back too: the
//! peer's credentials and candidates are forgotten, as if they never came.

use std::time::Instant;

use sansrtc_stun::IntegrityKey;

use super::gather::Gathering;
use super::{Full, Outgoing, selection};
use crate::candidate::{Candidate, CandidateKind, LocalAddress};
use crate::config::Credentials;
use crate::event::ConnectionState;

/// What an ICE restart replaced: kept until the restart is committed
/// ([`Full::commit_restart`]) or undone ([`Full::rollback_restart`]).
#[derive(Debug)]
pub(crate) struct BeforeRestart {
    local_credentials: Credentials,
    remote_credentials: Option<Credentials>,
    remotes: Vec<Candidate>,
    remote_complete: bool,
}

impl Full {
    /// ICE restart with fresh random local credentials.
    pub(crate) fn restart(&mut self, now: Instant) {
        let credentials = Credentials::random(&mut self.rng);
        self.restart_with(now, credentials);
    }

    /// ICE restart (RFC 8445 §9) with these local credentials (to signal): the check list and
    /// remote candidates forgotten, gathering again. The selected pair keeps carrying data
    /// until a new one is selected. What it replaced is kept for
    /// [`Full::rollback_restart`] until [`Full::commit_restart`] (a second restart before
    /// then keeps the first one's: rolling back returns to the last committed session).
    pub(crate) fn restart_with(&mut self, now: Instant, credentials: Credentials) {
        let now = self.clock(now);
        if self.before_restart.is_none() {
            self.before_restart = Some(Box::new(BeforeRestart {
                local_credentials: self.local_credentials.clone(),
                remote_credentials: self.remote_credentials.clone(),
                remotes: self.remotes.clone(),
                remote_complete: self.remote_complete,
            }));
        }
        self.local_key = IntegrityKey::new(credentials.pwd.as_bytes());
        self.local_credentials = credentials;
        self.remote_credentials = None;
        self.remote_key = None;
        self.forget_remote_session();
        let hosts: Vec<LocalAddress> = self
            .locals
            .iter()
            .filter(|c| c.kind == CandidateKind::Host)
            .map(|c| LocalAddress {
                address: c.address,
                interface_rank: 0,
            })
            .collect();
        let relayed: Vec<Candidate> = self
            .locals
            .iter()
            .copied()
            .filter(|c| c.kind == CandidateKind::Relayed)
            .collect();
        self.locals.clear();
        self.gathering = Gathering::default();
        self.add_local_addresses(now, &hosts);
        for candidate in relayed {
            self.add_local_candidate(candidate);
        }
    }

    /// The restart stands (its offer/answer exchange completed): what it replaced is dropped.
    pub(crate) fn commit_restart(&mut self) {
        self.before_restart = None;
    }

    /// Undoes the restart not yet committed: our previous credentials, the peer's, and its
    /// candidates come back, and their pairs are checked again (the selected pair, which
    /// kept carrying data, stays). False when there is nothing to undo.
    pub(crate) fn rollback_restart(&mut self, now: Instant) -> bool {
        let Some(before) = self.before_restart.take() else {
            return false;
        };
        let now = self.clock(now);
        self.forget_remote_session();
        self.local_key = IntegrityKey::new(before.local_credentials.pwd.as_bytes());
        self.local_credentials = before.local_credentials;
        self.remote_key = before
            .remote_credentials
            .as_ref()
            .map(|c| IntegrityKey::new(c.pwd.as_bytes()));
        self.remote_credentials = before.remote_credentials;
        for candidate in before.remotes {
            // Peer-reflexive ones come back by themselves, with the peer's next check.
            if candidate.kind != CandidateKind::PeerReflexive {
                let _ = self.add_remote_candidate(now, candidate);
            }
        }
        self.remote_complete = before.remote_complete;
        self.schedule_checks(now);
        true
    }

    /// Forgets the peer entirely (its credentials, candidates, pairs and the selected pair):
    /// the state is New again, as before the peer's first description. For the rollback of
    /// a first remote offer. Our credentials and candidates stay.
    pub(crate) fn forget_remote(&mut self, now: Instant) {
        self.clock(now);
        self.before_restart = None;
        self.remote_credentials = None;
        self.remote_key = None;
        self.forget_remote_session();
        self.selected = None;
        self.consent = selection::Consent::default();
        self.best_rtt = None;
        self.next_check = None;
        if self.state != ConnectionState::Closed {
            self.state = ConnectionState::New;
            self.completed_at = None;
            self.events
                .push_back(crate::event::Event::ConnectionState(ConnectionState::New));
        }
    }

    /// The peer's session ends: its candidates, the check list, and checks queued to it.
    /// The selected path stays: data keeps flowing until a new pair is selected.
    pub(super) fn forget_remote_session(&mut self) {
        self.remotes.clear();
        self.remote_index.clear();
        self.checks.clear();
        self.selected_pair = None;
        self.remote_complete = false;
        self.first_valid = None;
        self.outgoing
            .retain(|o| !matches!(o, Outgoing::Check { .. }));
    }
}
