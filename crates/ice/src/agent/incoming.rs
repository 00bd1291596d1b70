//! STUN in: the peer's checks (RFC 8445 §7.3) and responses to ours, server answers to
//! gathering; and the writer of every STUN message the agent sends.
//!
//! A check that does not authenticate (USERNAME not `our ufrag:...`, MESSAGE-INTEGRITY not
//! made with our password, FINGERPRINT wrong or missing) is dropped and counted: it gets no
//! answer and changes nothing (no peer-reflexive candidate, no triggered check, no role
//! change), so forged checks can neither steer the agent nor use it as a reflector.

use std::net::SocketAddr;
use std::time::Instant;

use sansrtc_proto::{Protocol, Receive, Transmit};
use sansrtc_stun::wire::{Attribute, Class, Message, MessageBuilder, Method, TransactionId, attr};

use super::checklist::PairState;
use super::{Full, Outgoing, SelectedPath};
use crate::Error;
use crate::candidate::{Candidate, CandidateKind, Foundation, Transport};
use crate::event::Role;

/// What a check says about its sender, read once.
struct CheckAttributes {
    priority: u32,
    use_candidate: bool,
    /// NOMINATION (renomination), 0 when absent.
    nomination: u32,
    controlling: Option<u64>,
    controlled: Option<u64>,
}

impl Full {
    /// One STUN message that arrived at a local base.
    pub(super) fn handle_stun(&mut self, now: Instant, receive: Receive<'_>) -> Result<(), Error> {
        let message = Message::parse(receive.contents).map_err(Error::Malformed)?;
        if !self.locals.iter().any(|c| c.base == receive.destination) {
            return Err(Error::UnknownLocal);
        }
        if message.has_fingerprint() && message.verify_fingerprint().is_err() {
            self.stats.unauthenticated += 1;
            return Err(Error::Unauthenticated);
        }
        match (message.class(), message.method()) {
            (Class::Request, Method::BINDING) => {
                self.incoming_check(now, &message, receive.source, receive.destination)
            }
            (Class::Success | Class::Error, _) => {
                if self.checks.by_tid(&message.transaction_id()).is_some() {
                    self.check_response(now, &message, receive.source, receive.destination)
                } else {
                    self.gathering_response(&message, receive.source)
                }
            }
            // Binding indications are keep-alives (RFC 8445 §11): nothing to do.
            (Class::Indication, Method::BINDING) => Ok(()),
            _ => Err(Error::NotHandled),
        }
    }

    /// Checks the USERNAME and MESSAGE-INTEGRITY of a check (RFC 8445 §7.3, RFC 8489
    /// §9.1.3), and FINGERPRINT (§7.2.2 requires it).
    fn authenticate_check(&self, message: &Message<'_>) -> Result<(), Error> {
        let remote = self.remote_credentials.as_ref().map(|c| c.ufrag.as_str());
        if super::message::authenticate_check(
            message,
            &self.local_credentials.ufrag,
            remote,
            &self.local_key,
        ) {
            Ok(())
        } else {
            Err(Error::Unauthenticated)
        }
    }

    fn read_check(message: &Message<'_>) -> Result<CheckAttributes, Error> {
        let mut attributes = CheckAttributes {
            priority: 0,
            use_candidate: false,
            nomination: 0,
            controlling: None,
            controlled: None,
        };
        for attribute in message.typed_attributes() {
            match attribute.map_err(Error::Malformed)? {
                Attribute::Priority(p) => attributes.priority = p,
                Attribute::UseCandidate => attributes.use_candidate = true,
                Attribute::IceControlling(t) => attributes.controlling = Some(t),
                Attribute::IceControlled(t) => attributes.controlled = Some(t),
                _ => {}
            }
        }
        if let Some(raw) = message.raw(super::message::NOMINATION)
            && let Ok(value) = <[u8; 4]>::try_from(raw.value)
        {
            attributes.nomination = u32::from_be_bytes(value);
        }
        if message.raw(attr::PRIORITY).is_none() {
            return Err(Error::Unauthenticated);
        }
        Ok(attributes)
    }

    /// The peer's check (§7.3.1).
    fn incoming_check(
        &mut self,
        now: Instant,
        message: &Message<'_>,
        source: SocketAddr,
        base: SocketAddr,
    ) -> Result<(), Error> {
        if self.config.relay_only && self.relay_of(base).is_none() {
            // Not answered on a host address: the peer must not learn it.
            return Err(Error::NotIce);
        }
        if let Err(error) = self.authenticate_check(message) {
            self.stats.unauthenticated += 1;
            return Err(error);
        }
        let check = Self::read_check(message)?;
        let tid = message.transaction_id();
        // §7.3.1.1: role conflicts, decided by the tie-breakers.
        if !self.config.lite {
            match (self.role, check.controlling, check.controlled) {
                (Role::Controlling, Some(theirs), _) => {
                    if self.tie_breaker >= theirs {
                        self.respond(base, source, tid, true);
                        return Ok(());
                    }
                    self.switch_role(Role::Controlled);
                }
                (Role::Controlled, _, Some(theirs)) => {
                    if self.tie_breaker >= theirs {
                        self.switch_role(Role::Controlling);
                    } else {
                        self.respond(base, source, tid, true);
                        return Ok(());
                    }
                }
                _ => {}
            }
        }
        self.stats.checks_received += 1;
        self.respond(base, source, tid, false);
        // §7.3.1.3: an unknown source is a peer-reflexive candidate of the peer.
        let remote = match self.remote_index.get(&source).copied() {
            Some(i) => Some(i),
            None if self.remotes.len() < self.config.max_remote_candidates => {
                let foundation = Foundation::derive(
                    CandidateKind::PeerReflexive,
                    source.ip(),
                    None,
                    Transport::Udp,
                );
                let remote = self.push_remote(Candidate::remote(
                    CandidateKind::PeerReflexive,
                    source,
                    check.priority,
                    foundation,
                    1,
                ));
                for local in 0..self.locals.len() {
                    if self.locals[local].base == base {
                        self.pair(local, remote);
                    }
                }
                Some(remote)
            }
            None => None,
        };
        if self.config.lite {
            // A lite agent checks nothing: USE-CANDIDATE selects the pair (§2.5, §8.2.1 as
            // the controlled side of a full agent's regular nomination).
            if check.use_candidate
                && let (Some(remote), Some(local)) = (
                    remote.map(|r| self.remotes[r]),
                    self.locals.iter().find(|c| c.base == base).copied(),
                )
            {
                self.select_path(now, SelectedPath { local, remote }, None);
            }
            if self
                .selected
                .is_some_and(|p| p.local.base == base && p.remote.address == source)
            {
                self.consent_granted(now);
            }
            return Ok(());
        }
        // §7.3.1.4: the triggered check.
        let pair = self.checks.by_path(base, source);
        if let Some(id) = pair {
            if check.use_candidate
                && let Some(p) = self.checks.get_mut(id)
            {
                p.nomination = p.nomination.max(check.nomination);
            }
            let state = self.checks.get(id).map(|p| p.state);
            match state {
                Some(PairState::Succeeded) => {}
                Some(PairState::InProgress) => {}
                Some(_) => {
                    self.checks.set_state(id, PairState::Waiting);
                    self.checks.trigger(id);
                }
                None => {}
            }
            // §7.3.1.5: USE-CANDIDATE from the controlling peer.
            if check.use_candidate && self.role == Role::Controlled {
                let succeeded = self
                    .checks
                    .get(id)
                    .is_some_and(|p| p.state == PairState::Succeeded);
                if let Some(p) = self.checks.get_mut(id) {
                    p.nominated_by_peer = true;
                    if succeeded {
                        p.nominated = true;
                    }
                }
                if succeeded {
                    self.select(now, id);
                }
            }
        }
        self.schedule_checks(now);
        Ok(())
    }

    /// Queues a response: success with XOR-MAPPED-ADDRESS (§7.3.1.2), or 487 (§7.3.1.1).
    fn respond(
        &mut self,
        base: SocketAddr,
        to: SocketAddr,
        tid: TransactionId,
        role_conflict: bool,
    ) {
        self.push_outgoing(Outgoing::Response {
            base,
            to,
            tid,
            role_conflict,
        });
    }

    /// Writes one queued datagram into `buf`.
    pub(super) fn write_outgoing(
        &mut self,
        outgoing: Outgoing,
        buf: &mut Vec<u8>,
    ) -> Option<Transmit> {
        match outgoing {
            Outgoing::Check { pair, tid } => self.write_check(pair, tid, buf),
            Outgoing::Response {
                base,
                to,
                tid,
                role_conflict,
            } => {
                let size =
                    super::message::write_response(tid, to, role_conflict, &self.local_key, buf)?;
                Some(Transmit {
                    proto: Protocol::Udp,
                    source: base,
                    destination: to,
                    size,
                })
            }
            Outgoing::Gather { base, server, tid } => {
                buf.clear();
                let mut b = MessageBuilder::new(buf, Class::Request, Method::BINDING, tid);
                b.add_fingerprint().ok()?;
                let size = b.finish();
                Some(Transmit {
                    proto: Protocol::Udp,
                    source: base,
                    destination: server,
                    size,
                })
            }
        }
    }
}
