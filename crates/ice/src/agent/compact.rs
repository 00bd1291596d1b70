//! The compact agent: what a completed ICE session keeps while idle (RFC 8445 §8.3 lets an
//! agent free every candidate and pair but the selected one once it has completed).
//!
//! It holds the selected path, both sides' credentials and keys, the role and tie-breaker,
//! and the consent freshness timers (RFC 7675): it answers the peer's checks on the selected
//! path, sends its own consent checks and tracks their answers, and carries data. Anything
//! else (a check from elsewhere that authenticates, a new candidate, new credentials, a
//! restart) expands it back into the full agent first. About 1.5 KiB instead of 6 to 8.
//!
//! Randomness while compact (consent transaction ids, the consent jitter) comes from
//! HMAC-SHA1 under our password over a counter: unpredictable to anyone who does not know the
//! credentials, and no 320-byte generator state to keep.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use sansrtc_proto::{Protocol, Receive, Transmit};
use sansrtc_stun::IntegrityKey;
use sansrtc_stun::wire::{Class, Message, MessageBuilder, Method, TransactionId, is_stun};

use super::message::{Check, authenticate_check, write_check, write_response};
use super::{Incoming, SelectedPath, Stats, local_preference};
use crate::Error;
use crate::candidate::{CandidateKind, priority};
use crate::config::{Config, Credentials};
use crate::event::{ConnectionState, Event, Role};

/// A consent check in flight.
#[derive(Debug, Clone, Copy)]
struct ConsentCheck {
    tid: TransactionId,
    transmissions: u8,
    rto: Duration,
    deadline: Instant,
}

/// The idle state of a completed agent.
pub(super) struct Compact {
    pub(super) config: Box<Config>,
    pub(super) role: Role,
    pub(super) state: ConnectionState,
    pub(super) tie_breaker: u64,
    pub(super) local_credentials: Credentials,
    pub(super) remote_credentials: Credentials,
    pub(super) local_key: IntegrityKey,
    pub(super) remote_key: IntegrityKey,
    pub(super) selected: SelectedPath,
    /// The host addresses, for a restart.
    pub(super) hosts: Vec<SocketAddr>,
    pub(super) granted: Instant,
    pub(super) next_check: Option<Instant>,
    check: Option<ConsentCheck>,
    /// Counter of the HMAC-based randomness.
    counter: u64,
    /// An answer to the peer's check, waiting to be written.
    pending_response: Option<(SocketAddr, TransactionId)>,
    /// Our consent check, waiting to be written.
    pending_check: Option<TransactionId>,
    pub(super) events: VecDeque<Event>,
    pub(super) last_now: Instant,
    pub(super) stats: Stats,
}

/// What the compact agent made of a datagram.
pub(super) enum Handled<'a> {
    /// Done: the result for the caller.
    Done(Result<Incoming<'a>, Error>),
    /// An authenticated check it cannot handle alone: expand and hand it to the full agent.
    Expand,
}

impl std::fmt::Debug for Compact {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Agent")
            .field("role", &self.role)
            .field("state", &self.state)
            .field("compact", &true)
            .field("selected", &self.selected)
            .finish_non_exhaustive()
    }
}

impl Compact {
    /// The compact form of a completed session.
    #[expect(
        clippy::too_many_arguments,
        reason = "the fields of the full agent it replaces"
    )]
    pub(super) fn new(
        config: Box<Config>,
        role: Role,
        state: ConnectionState,
        tie_breaker: u64,
        credentials: (Credentials, Credentials),
        keys: (IntegrityKey, IntegrityKey),
        selected: SelectedPath,
        hosts: Vec<SocketAddr>,
        consent: (Instant, Option<Instant>),
        events: VecDeque<Event>,
        last_now: Instant,
        stats: Stats,
    ) -> Self {
        Self {
            config,
            role,
            state,
            tie_breaker,
            local_credentials: credentials.0,
            remote_credentials: credentials.1,
            local_key: keys.0,
            remote_key: keys.1,
            selected,
            hosts,
            granted: consent.0,
            next_check: consent.1,
            check: None,
            counter: 0,
            pending_response: None,
            pending_check: None,
            events,
            last_now,
            stats,
        }
    }

    /// 20 bytes of HMAC-SHA1 under our password over a fresh counter value.
    pub(super) fn random(&mut self) -> [u8; 20] {
        self.counter += 1;
        let mut id = [0u8; 12];
        id[4..].copy_from_slice(&self.counter.to_be_bytes());
        let mut buf = Vec::with_capacity(44);
        let mut b = MessageBuilder::new(
            &mut buf,
            Class::Indication,
            Method::BINDING,
            TransactionId(id),
        );
        let _ = b.add_message_integrity(&self.local_key);
        let size = b.finish();
        let mut out = [0u8; 20];
        if let Some(mac) = buf.get(size.saturating_sub(20)..size) {
            out.copy_from_slice(mac);
        }
        out
    }

    fn jittered_interval(&mut self) -> Duration {
        let r = self.random();
        let factor = 800 + u32::from_be_bytes([r[0], r[1], r[2], r[3]]) % 401;
        self.config.consent_interval * factor / 1000
    }

    fn is_selected(&self, base: SocketAddr, remote: SocketAddr) -> bool {
        self.selected.local.base == base && self.selected.remote.address == remote
    }

    /// One datagram on a local address.
    pub(super) fn handle_datagram<'a>(&mut self, now: Instant, rx: Receive<'a>) -> Handled<'a> {
        self.last_now = self.last_now.max(now);
        let now = self.last_now;
        if rx.proto != Protocol::Udp {
            return Handled::Done(Err(Error::NotIce));
        }
        let on_path = self.is_selected(rx.destination, rx.source);
        if !is_stun(rx.contents) {
            return Handled::Done(if on_path {
                Ok(Incoming::Data(rx.contents))
            } else {
                Err(Error::NotIce)
            });
        }
        let message = match Message::parse(rx.contents) {
            Ok(message) => message,
            Err(e) => return Handled::Done(Err(Error::Malformed(e))),
        };
        match message.class() {
            Class::Request if message.method() == Method::BINDING => {
                let authentic = authenticate_check(
                    &message,
                    &self.local_credentials.ufrag,
                    Some(&self.remote_credentials.ufrag),
                    &self.local_key,
                );
                if !authentic {
                    self.stats.unauthenticated += 1;
                    return Handled::Done(Err(Error::Unauthenticated));
                }
                let renominates = message
                    .raw(sansrtc_stun::wire::attr::USE_CANDIDATE)
                    .is_some()
                    && !on_path;
                let conflicts = match self.role {
                    Role::Controlling => message
                        .raw(sansrtc_stun::wire::attr::ICE_CONTROLLING)
                        .is_some(),
                    Role::Controlled => message
                        .raw(sansrtc_stun::wire::attr::ICE_CONTROLLED)
                        .is_some(),
                };
                if !on_path || renominates || conflicts {
                    return Handled::Expand;
                }
                self.stats.checks_received += 1;
                self.pending_response = Some((rx.source, message.transaction_id()));
                Handled::Done(Ok(Incoming::Stun))
            }
            Class::Success | Class::Error => {
                let tid = message.transaction_id();
                if self.check.is_none_or(|c| c.tid != tid) {
                    return Handled::Done(Err(Error::UnknownTransaction));
                }
                if message.verify_integrity(&self.remote_key).is_err() {
                    self.stats.unauthenticated += 1;
                    return Handled::Done(Err(Error::Unauthenticated));
                }
                self.check = None;
                self.stats.responses_received += 1;
                if message.class() == Class::Success && on_path {
                    self.granted = now;
                    if self.state == ConnectionState::Disconnected {
                        self.set_state(ConnectionState::Completed);
                    }
                }
                Handled::Done(Ok(Incoming::Stun))
            }
            _ => Handled::Done(Ok(Incoming::Stun)),
        }
    }

    fn set_state(&mut self, state: ConnectionState) {
        if self.state != state && self.state != ConnectionState::Closed {
            self.state = state;
            self.events.push_back(Event::ConnectionState(state));
        }
    }

    /// The next datagram: an answer to the peer's check, or our consent check.
    pub(super) fn poll_transmit(&mut self, buf: &mut Vec<u8>) -> Option<Transmit> {
        let (base, remote) = (self.selected.local.base, self.selected.remote.address);
        let size = if let Some((to, tid)) = self.pending_response.take() {
            write_response(tid, to, false, &self.local_key, buf)?
        } else {
            let tid = self.pending_check.take()?;
            let username = format!(
                "{}:{}",
                self.remote_credentials.ufrag, self.local_credentials.ufrag
            );
            let prflx = priority(
                CandidateKind::PeerReflexive,
                local_preference(self.selected.local.priority),
                1,
            );
            self.stats.checks_sent += 1;
            write_check(
                &Check {
                    tid,
                    username: &username,
                    priority: prflx,
                    role: self.role,
                    tie_breaker: self.tie_breaker,
                    nomination: None,
                    key: &self.remote_key,
                },
                buf,
            )?
        };
        Some(Transmit {
            proto: Protocol::Udp,
            source: base,
            destination: remote,
            size,
        })
    }

    pub(super) fn poll_timeout(&self) -> Option<Instant> {
        if matches!(
            self.state,
            ConnectionState::Failed | ConnectionState::Closed
        ) {
            return None;
        }
        let liveness = if self.state == ConnectionState::Disconnected {
            self.granted + self.config.consent_timeout
        } else {
            self.granted + self.config.disconnected_after
        };
        [
            self.next_check,
            self.check.map(|c| c.deadline),
            Some(liveness),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Consent: the next check, retransmissions, and the state as consent ages (RFC 7675
    /// §5.1).
    pub(super) fn handle_timeout(&mut self, now: Instant) {
        self.last_now = self.last_now.max(now);
        let now = self.last_now;
        if matches!(
            self.state,
            ConnectionState::Failed | ConnectionState::Closed
        ) {
            return;
        }
        if let Some(mut check) = self.check
            && now >= check.deadline
        {
            if check.transmissions >= self.config.max_check_transmissions {
                self.check = None;
            } else {
                check.transmissions += 1;
                check.rto = (check.rto * 2).min(self.config.max_check_rto);
                check.deadline = now + check.rto;
                self.check = Some(check);
                self.pending_check = Some(check.tid);
            }
        }
        if self.next_check.is_some_and(|t| now >= t) {
            self.next_check = Some(now + self.jittered_interval());
            if self.check.is_none() {
                let r = self.random();
                let mut id = [0u8; 12];
                id.copy_from_slice(&r[..12]);
                let rto = self.config.check_rto;
                self.check = Some(ConsentCheck {
                    tid: TransactionId(id),
                    transmissions: 1,
                    rto,
                    deadline: now + rto,
                });
                self.pending_check = Some(TransactionId(id));
            }
        }
        if now >= self.granted + self.config.consent_timeout {
            self.next_check = None;
            self.check = None;
            self.set_state(ConnectionState::Failed);
        } else if now >= self.granted + self.config.disconnected_after {
            self.set_state(ConnectionState::Disconnected);
        }
    }
}
