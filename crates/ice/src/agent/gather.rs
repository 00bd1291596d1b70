//! Gathering server-reflexive candidates (RFC 8445 §5.1.1.2): a Binding request from each
//! host base to each STUN server of its family, retransmitted like a check; the
//! XOR-MAPPED-ADDRESS of the answer is the candidate. Gathering completes when every
//! transaction has answered or given up (RFC 8838 §4.1).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use sansrtc_stun::wire::{Class, Message, Method, TransactionId};

use super::{Full, Outgoing};
use crate::Error;
use crate::candidate::{Candidate, CandidateKind, Foundation, Transport, priority};
use crate::event::Event;

/// One Binding transaction to a STUN server.
#[derive(Debug, Clone, Copy)]
struct Transaction {
    base: SocketAddr,
    server: SocketAddr,
    tid: TransactionId,
    transmissions: u8,
    rto: Duration,
    deadline: Instant,
}

/// The gathering transactions in flight.
#[derive(Debug, Default)]
pub(super) struct Gathering {
    transactions: Vec<Transaction>,
    /// GatheringComplete was reported for this round.
    complete: bool,
}

impl Gathering {
    /// Gathering that is over and reported.
    pub(super) fn completed() -> Self {
        Self {
            transactions: Vec::new(),
            complete: true,
        }
    }

    pub(super) fn start(
        &mut self,
        base: SocketAddr,
        server: SocketAddr,
        tid: TransactionId,
        now: Instant,
        rto: Duration,
    ) {
        self.complete = false;
        self.transactions.push(Transaction {
            base,
            server,
            tid,
            transmissions: 1,
            rto,
            deadline: now + rto,
        });
    }

    pub(super) fn earliest_deadline(&self) -> Option<Instant> {
        self.transactions.iter().map(|t| t.deadline).min()
    }

    /// Whether a datagram from `server` answers one of our gathering transactions (STUN
    /// and TURN may share a server and a 5-tuple).
    pub(super) fn owns(&self, datagram: &[u8], server: SocketAddr) -> bool {
        datagram.len() >= 20
            && self
                .transactions
                .iter()
                .any(|t| t.server == server && datagram[8..20] == t.tid.0)
    }

    fn take(&mut self, tid: &TransactionId, server: SocketAddr) -> Option<Transaction> {
        let at = self
            .transactions
            .iter()
            .position(|t| t.tid == *tid && t.server == server)?;
        Some(self.transactions.swap_remove(at))
    }
}

impl Full {
    /// Retransmits or abandons gathering transactions whose timer fired.
    pub(super) fn gathering_timeouts(&mut self, now: Instant) {
        let max = self.config.max_check_transmissions;
        let cap = self.config.max_check_rto;
        let mut resend = Vec::new();
        self.gathering.transactions.retain_mut(|t| {
            if now < t.deadline {
                return true;
            }
            if t.transmissions >= max {
                return false;
            }
            t.transmissions += 1;
            t.rto = (t.rto * 2).min(cap);
            t.deadline = now + t.rto;
            resend.push(Outgoing::Gather {
                base: t.base,
                server: t.server,
                tid: t.tid,
            });
            true
        });
        for outgoing in resend {
            self.push_outgoing(outgoing);
        }
        self.check_gathering_complete();
    }

    /// Reports GatheringComplete once nothing is in flight.
    pub(super) fn check_gathering_complete(&mut self) {
        if self.gathering.transactions.is_empty()
            && self.relays_settled()
            && !self.gathering.complete
            && !self.locals.is_empty()
        {
            self.gathering.complete = true;
            self.events.push_back(Event::GatheringComplete);
        }
    }

    /// A response from a STUN server to a gathering transaction.
    pub(super) fn gathering_response(
        &mut self,
        message: &Message<'_>,
        source: SocketAddr,
    ) -> Result<(), Error> {
        let tid = message.transaction_id();
        let Some(transaction) = self.gathering.take(&tid, source) else {
            return Err(Error::UnknownTransaction);
        };
        if message.method() == Method::BINDING
            && message.class() == Class::Success
            && let Some(mapped) = message.xor_mapped_address()
            && mapped != transaction.base
            && mapped.is_ipv4() == transaction.base.is_ipv4()
        {
            let base_priority = self
                .locals
                .iter()
                .find(|c| c.kind == CandidateKind::Host && c.base == transaction.base)
                .map_or(0, |c| c.priority);
            let candidate = Candidate {
                kind: CandidateKind::ServerReflexive,
                transport: Transport::Udp,
                address: mapped,
                base: transaction.base,
                related: Some(transaction.base),
                priority: priority(
                    CandidateKind::ServerReflexive,
                    super::local_preference(base_priority),
                    1,
                ),
                foundation: Foundation::derive(
                    CandidateKind::ServerReflexive,
                    transaction.base.ip(),
                    Some(source.ip()),
                    Transport::Udp,
                ),
                component: 1,
            };
            self.add_local_candidate(candidate);
        }
        self.check_gathering_complete();
        Ok(())
    }
}
