//! Our connectivity checks (RFC 8445 §7.2): forming pairs, pacing checks by Ta, writing
//! the Binding request, retransmitting it (§14.3), and acting on its response (§7.2.5).

use std::net::SocketAddr;
use std::time::Instant;

use sansrtc_proto::{Protocol, Transmit};
use sansrtc_stun::wire::{Class, Message, TransactionId, error_code};

use super::checklist::{Added, Check, NewPair, PairId, PairState};
use super::{Full, Outgoing};
use crate::Error;
use crate::candidate::{Candidate, CandidateKind, Foundation, Transport, priority};
use crate::event::{ConnectionState, Event, Role};

impl Full {
    /// Pairs local candidate `local` with remote candidate `remote` if they can talk (same
    /// component and address family), replacing a reflexive local candidate by its base
    /// (RFC 8445 §6.1.2.2, §6.1.2.4).
    pub(super) fn pair(&mut self, local: usize, remote: usize) -> Option<PairId> {
        if self.config.lite {
            return None;
        }
        let (l, r) = (self.locals[local], self.remotes[remote]);
        if l.component != r.component
            || l.base.is_ipv4() != r.address.is_ipv4()
            || (self.config.relay_only && l.kind != CandidateKind::Relayed)
        {
            return None;
        }
        let new = NewPair {
            local,
            remote,
            base: l.base,
            remote_address: r.address,
            foundation: (l.foundation, r.foundation),
            local_priority: l.priority,
            remote_priority: r.priority,
        };
        match self.checks.add(self.role, new, self.config.max_pairs) {
            Added::New(id) => {
                if l.kind == CandidateKind::Relayed {
                    let now = self.last_now;
                    self.permit(now, l.base, r.address);
                }
                Some(id)
            }
            Added::Redundant(id) => Some(id),
            Added::Full => None,
        }
    }

    /// Arms the Ta timer if there is something to check.
    pub(super) fn schedule_checks(&mut self, now: Instant) {
        if self.config.lite
            || self.remote_credentials.is_none()
            || self.checks.len() == 0
            || self.next_check.is_some()
        {
            return;
        }
        self.next_check = Some(now);
    }

    /// Sends the next check (RFC 8445 §6.1.4.2) and re-arms Ta while any pair waits.
    pub(super) fn send_next_check(&mut self, now: Instant) {
        if self.remote_credentials.is_none() {
            return;
        }
        if let Some(id) = self.checks.next_to_check() {
            let nominate = self.role == Role::Controlling
                && self
                    .checks
                    .get(id)
                    .is_some_and(|p| p.state == PairState::Succeeded);
            self.start_check(now, id, nominate, false);
            self.next_check = Some(now + self.config.ta);
        }
    }

    /// Starts a check on a pair: a new transaction, sent now.
    pub(super) fn start_check(&mut self, now: Instant, id: PairId, nominate: bool, consent: bool) {
        let active = self.checks.in_flight().len() as u32 + 1;
        let rto = self.config.check_rto.max(self.config.ta * active);
        let tid = TransactionId::random(&mut self.rng);
        self.checks.start_check(
            id,
            Check {
                tid,
                transmissions: 1,
                rto,
                deadline: now + rto,
                nominate,
                consent,
                role: self.role,
                started: now,
            },
        );
        if let Some(p) = self.checks.get(id)
            && !consent
            && p.state != PairState::Succeeded
        {
            self.checks.set_state(id, PairState::InProgress);
        }
        self.push_outgoing(Outgoing::Check { pair: id, tid });
    }

    /// Retransmits checks whose timer fired; a check out of transmissions fails its pair
    /// (§7.2.5.2.4 by timeout), unless it was a consent or nomination check on a valid pair.
    pub(super) fn check_timeouts(&mut self, now: Instant) {
        let due: Vec<PairId> = self
            .checks
            .in_flight()
            .iter()
            .copied()
            .filter(|&id| {
                self.checks
                    .get(id)
                    .and_then(|p| p.check)
                    .is_some_and(|c| now >= c.deadline)
            })
            .collect();
        for id in due {
            let Some(mut check) = self.checks.get(id).and_then(|p| p.check) else {
                continue;
            };
            if check.transmissions >= self.config.max_check_transmissions {
                self.checks.finish_check(id);
                let valid = self
                    .checks
                    .get(id)
                    .is_some_and(|p| p.state == PairState::Succeeded);
                if !valid {
                    self.checks.set_state(id, PairState::Failed);
                }
                continue;
            }
            check.transmissions += 1;
            check.rto = (check.rto * 2).min(self.config.max_check_rto);
            check.deadline = now + check.rto;
            self.checks.start_check(id, check);
            self.push_outgoing(Outgoing::Check {
                pair: id,
                tid: check.tid,
            });
        }
    }

    /// Writes a check (§7.2.2): USERNAME, PRIORITY of a peer-reflexive candidate of ours,
    /// the role with our tie-breaker, USE-CANDIDATE when nominating, MESSAGE-INTEGRITY with
    /// the peer's password, FINGERPRINT.
    pub(super) fn write_check(
        &mut self,
        id: PairId,
        tid: TransactionId,
        buf: &mut Vec<u8>,
    ) -> Option<Transmit> {
        let pair = self.checks.get(id)?;
        let check = pair.check.filter(|c| c.tid == tid)?;
        let (base, to) = (pair.base, pair.remote_address);
        let prflx_priority = priority(
            CandidateKind::PeerReflexive,
            super::local_preference(pair.local_priority),
            1,
        );
        let (username, key) = self.remote_username_and_key()?;
        let size = super::message::write_check(
            &super::message::Check {
                tid,
                username: &username,
                priority: prflx_priority,
                role: self.role,
                tie_breaker: self.tie_breaker,
                nomination: check.nominate.then_some(self.consent.nominations),
                key,
            },
            buf,
        )?;
        self.stats.checks_sent += 1;
        Some(Transmit {
            proto: Protocol::Udp,
            source: base,
            destination: to,
            size,
        })
    }

    /// A response to one of our checks (§7.2.5): authenticated with the peer's password,
    /// from the address the check went to, to the base it left from.
    pub(super) fn check_response(
        &mut self,
        now: Instant,
        message: &Message<'_>,
        source: SocketAddr,
        destination: SocketAddr,
    ) -> Result<(), Error> {
        let tid = message.transaction_id();
        let id = self.checks.by_tid(&tid).ok_or(Error::UnknownTransaction)?;
        let key = self.remote_key.as_ref().ok_or(Error::Unauthenticated)?;
        if message.verify_integrity(key).is_err() {
            self.stats.unauthenticated += 1;
            return Err(Error::Unauthenticated);
        }
        let pair = self.checks.get(id).ok_or(Error::UnknownTransaction)?;
        let check = pair.check.ok_or(Error::UnknownTransaction)?;
        let (path, state) = ((pair.remote_address, pair.base), pair.state);
        // §7.2.5.2.1: a non-symmetric response fails the pair.
        if path != (source, destination) {
            self.checks.finish_check(id);
            if state != PairState::Succeeded {
                self.checks.set_state(id, PairState::Failed);
            }
            return Ok(());
        }
        self.stats.responses_received += 1;
        match message.class() {
            Class::Success => {}
            Class::Error => {
                self.checks.finish_check(id);
                let code = message.error_code().map(|e| e.code);
                if code == Some(error_code::ROLE_CONFLICT) && !check.consent {
                    // §7.2.5.1: take the other role than the one the check was sent in
                    // (unless a check of the peer's made us switch already), and check again.
                    let role = match check.role {
                        Role::Controlling => Role::Controlled,
                        Role::Controlled => Role::Controlling,
                    };
                    self.switch_role(role);
                    self.checks.set_state(id, PairState::Waiting);
                    self.checks.trigger(id);
                    self.schedule_checks(now);
                } else if !check.consent {
                    self.checks.set_state(id, PairState::Failed);
                }
                return Ok(());
            }
            _ => return Err(Error::NotHandled),
        }
        self.checks.finish_check(id);
        if self.selected_pair == Some(id) {
            self.consent_granted(now);
        }
        if check.consent {
            return Ok(());
        }
        // §7.2.5.3.1: a mapped address we do not know is a peer-reflexive candidate of ours.
        if let Some(mapped) = message.xor_mapped_address()
            && !self.locals.iter().any(|c| c.address == mapped)
            && self.locals.len() < 64
        {
            let local = self.checks.get(id).map(|p| p.local).unwrap_or_default();
            let base = self.locals.get(local).copied();
            if let Some(base) = base {
                let candidate = Candidate {
                    kind: CandidateKind::PeerReflexive,
                    transport: Transport::Udp,
                    address: mapped,
                    base: base.base,
                    related: Some(base.base),
                    // The PRIORITY our check carried (§7.2.5.3.1).
                    priority: priority(
                        CandidateKind::PeerReflexive,
                        super::local_preference(base.priority),
                        1,
                    ),
                    foundation: Foundation::derive(
                        CandidateKind::PeerReflexive,
                        base.base.ip(),
                        None,
                        Transport::Udp,
                    ),
                    component: 1,
                };
                self.locals.push(candidate);
            }
        }
        let (foundation, was_valid) = match self.checks.get(id) {
            Some(p) => (p.foundation, p.state == PairState::Succeeded),
            None => return Ok(()),
        };
        if check.transmissions == 1 {
            let rtt = now.saturating_duration_since(check.started);
            self.best_rtt = Some(self.best_rtt.map_or(rtt, |r| r.min(rtt)));
        }
        self.checks.set_state(id, PairState::Succeeded);
        // §7.2.5.3.3: pairs of the same foundation may now work too.
        self.checks.unfreeze_foundation(foundation);
        if !was_valid && self.first_valid.is_none() {
            self.first_valid = Some(now);
        }
        let nominated_by_peer = self.checks.get(id).is_some_and(|p| p.nominated_by_peer);
        if check.nominate || (self.role == Role::Controlled && nominated_by_peer) {
            if let Some(p) = self.checks.get_mut(id) {
                p.nominated = true;
            }
            self.select(now, id);
        }
        self.schedule_checks(now);
        self.nominate_if_ready(now);
        if self.state == ConnectionState::Connected {
            self.update_connected_state();
        }
        Ok(())
    }

    /// Changes role and reorders the check list (§7.2.5.1, §7.3.1.1).
    pub(super) fn switch_role(&mut self, role: Role) {
        if self.role == role || self.config.lite {
            return;
        }
        self.role = role;
        self.checks.set_role(role);
        self.events.push_back(Event::RoleChanged(role));
    }

    /// Fails the agent when nothing can work any more (RFC 8838 §8: only after the peer's
    /// end-of-candidates and our own gathering are complete).
    pub(super) fn check_failed(&mut self, _now: Instant) {
        if self.selected.is_none()
            && self.remote_complete
            && self.gathering_is_complete()
            && self.checks.all_failed()
            && matches!(self.state, ConnectionState::Checking | ConnectionState::New)
        {
            self.set_state(ConnectionState::Failed);
        }
    }

    fn gathering_is_complete(&self) -> bool {
        self.gathering.earliest_deadline().is_none() && self.relays_settled()
    }
}
