//! The client transaction layer (RFC 8489 §6.2): retransmission of requests and matching of
//! responses by transaction id.
//!
//! Over UDP a request is sent, then retransmitted after RTO, 2·RTO, 4·RTO, ... until `Rc`
//! requests have gone out; the transaction fails `Rm`·RTO after the last one (RFC 8489
//! §6.2.1). With the defaults (RTO 500 ms, Rc 7, Rm 16) requests leave at 0, 500, 1500, 3500,
//! 7500, 15500 and 31500 ms, and the transaction times out at 39500 ms. Over TCP or TLS
//! nothing is retransmitted and one timer, Ti = 39.5 s, bounds the wait (§6.2.2).

use crate::wire::TransactionId;
use std::time::{Duration, Instant};

/// Retransmission parameters (RFC 8489 §6.2.1, §6.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct TransactionConfig {
    /// Initial retransmission timeout (RTO), 500 ms by default.
    pub rto: Duration,
    /// Requests sent in all over UDP (Rc), 7 by default.
    pub max_requests: u32,
    /// Multiple of RTO to wait after the last request (Rm), 16 by default.
    pub last_wait_multiplier: u32,
    /// Timeout of a transaction over a reliable transport (Ti), 39.5 s by default.
    pub reliable_timeout: Duration,
}

impl Default for TransactionConfig {
    fn default() -> Self {
        Self {
            rto: Duration::from_millis(500),
            max_requests: 7,
            last_wait_multiplier: 16,
            reliable_timeout: Duration::from_millis(39_500),
        }
    }
}

impl TransactionConfig {
    /// Sets the initial RTO.
    pub const fn rto(mut self, rto: Duration) -> Self {
        self.rto = rto;
        self
    }

    /// Sets Rc, the number of requests sent over UDP.
    pub const fn max_requests(mut self, rc: u32) -> Self {
        self.max_requests = rc;
        self
    }
}

#[derive(Debug)]
struct Pending<K> {
    id: TransactionId,
    tag: K,
    request: Vec<u8>,
    reliable: bool,
    sent: u32,
    /// When to retransmit or, after the last send, when to give up.
    deadline: Option<Instant>,
    due: bool,
}

/// Outstanding client transactions, each carrying a caller-chosen tag `K` (what the request
/// was for).
#[derive(Debug)]
pub struct Transactions<K> {
    config: TransactionConfig,
    pending: Vec<Pending<K>>,
    timed_out: Vec<(TransactionId, K)>,
}

impl<K> Transactions<K> {
    /// An empty table.
    pub fn new(config: TransactionConfig) -> Self {
        Self {
            config,
            pending: Vec::new(),
            timed_out: Vec::new(),
        }
    }

    /// Starts a transaction for an encoded request; its first transmission is due at once.
    /// `reliable` selects TCP/TLS behaviour (no retransmissions, timeout Ti).
    pub fn start(&mut self, id: TransactionId, tag: K, request: &[u8], reliable: bool) {
        self.pending.push(Pending {
            id,
            tag,
            request: request.to_vec(),
            reliable,
            sent: 0,
            deadline: None,
            due: true,
        });
    }

    /// Number of outstanding transactions.
    pub fn len(&self) -> usize {
        self.pending.len()
    }

    /// Whether no transaction is outstanding.
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// Whether a transaction with this id is outstanding.
    pub fn contains(&self, id: &TransactionId) -> bool {
        self.pending.iter().any(|p| p.id == *id)
    }

    /// The tag of an outstanding transaction.
    pub fn tag(&self, id: &TransactionId) -> Option<&K> {
        self.pending.iter().find(|p| p.id == *id).map(|p| &p.tag)
    }

    /// Ends a transaction because its response arrived (or the caller gives up on it);
    /// returns its tag. A response to an unknown id returns `None` (RFC 8489 §6.3.3 says to
    /// discard it).
    pub fn finish(&mut self, id: &TransactionId) -> Option<K> {
        let i = self.pending.iter().position(|p| p.id == *id)?;
        Some(self.pending.swap_remove(i).tag)
    }

    /// The next request (re)transmission that is due: its id and bytes. The retransmission
    /// schedule advances as if it was sent at `now`.
    pub fn poll_send(&mut self, now: Instant) -> Option<(TransactionId, &[u8])> {
        let config = self.config;
        let p = self.pending.iter_mut().find(|p| p.due)?;
        p.due = false;
        p.sent += 1;
        p.deadline = Some(if p.reliable {
            now + config.reliable_timeout
        } else if p.sent < config.max_requests.max(1) {
            now + config.rto * (1u32 << (p.sent - 1).min(20))
        } else {
            now + config.rto * config.last_wait_multiplier
        });
        Some((p.id, &p.request))
    }

    /// The next transaction that timed out, with its tag.
    pub fn poll_timed_out(&mut self) -> Option<(TransactionId, K)> {
        self.timed_out.pop()
    }

    /// When [`Transactions::handle_timeout`] must next run.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.pending.iter().filter_map(|p| p.deadline).min()
    }

    /// Marks due retransmissions and moves expired transactions to the timed-out list.
    pub fn handle_timeout(&mut self, now: Instant) {
        let config = self.config;
        let mut i = 0;
        while i < self.pending.len() {
            let p = &mut self.pending[i];
            if p.deadline.is_some_and(|d| d <= now) {
                p.deadline = None;
                if p.reliable || p.sent >= config.max_requests.max(1) {
                    let p = self.pending.swap_remove(i);
                    self.timed_out.push((p.id, p.tag));
                    continue;
                }
                p.due = true;
            }
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests;
