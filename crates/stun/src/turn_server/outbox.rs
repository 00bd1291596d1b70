//! The transmit queue with recycled buffers, and the cache of responses for retransmitted
//! requests (RFC 8489 §6.3.1, RFC 8656 §7.3).

use super::event::FiveTuple;
use crate::wire::TransactionId;
use sansrtc_proto::{Protocol, Transmit};
use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::time::Instant;

/// Capacity of a new queue buffer: a full-size Ethernet datagram with room to spare, so
/// typical datagrams never grow one.
const BUFFER_CAPACITY: usize = 2048;

/// One queued datagram.
#[derive(Debug)]
struct Queued {
    proto: Protocol,
    source: SocketAddr,
    destination: SocketAddr,
    bytes: Vec<u8>,
}

/// Datagrams waiting for `poll_transmit`, bounded, with a pool of buffers so that steady
/// state allocates nothing.
#[derive(Debug)]
pub(crate) struct Outbox {
    queue: VecDeque<Queued>,
    pool: Vec<Vec<u8>>,
    max: usize,
}

impl Outbox {
    pub(crate) fn new(max: usize) -> Self {
        Self {
            queue: VecDeque::new(),
            pool: Vec::new(),
            max: max.max(1),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.queue.len()
    }

    pub(crate) fn is_full(&self) -> bool {
        self.queue.len() >= self.max
    }

    /// Queues a datagram written by `write` into a recycled buffer (cleared first). Returns
    /// `false`, queuing nothing, when the queue is full or `write` fails.
    pub(crate) fn push<E>(
        &mut self,
        proto: Protocol,
        source: SocketAddr,
        destination: SocketAddr,
        write: impl FnOnce(&mut Vec<u8>) -> Result<(), E>,
    ) -> bool {
        if self.is_full() {
            return false;
        }
        let mut bytes = self
            .pool
            .pop()
            .unwrap_or_else(|| Vec::with_capacity(BUFFER_CAPACITY));
        bytes.clear();
        if write(&mut bytes).is_err() {
            self.recycle(bytes);
            return false;
        }
        self.queue.push_back(Queued {
            proto,
            source,
            destination,
            bytes,
        });
        true
    }

    fn recycle(&mut self, bytes: Vec<u8>) {
        if self.pool.len() < self.max {
            self.pool.push(bytes);
        }
    }

    /// Copies the next datagram into `buf` (cleared first).
    pub(crate) fn pop(&mut self, buf: &mut Vec<u8>) -> Option<Transmit> {
        let q = self.queue.pop_front()?;
        buf.clear();
        buf.extend_from_slice(&q.bytes);
        let transmit = Transmit {
            proto: q.proto,
            source: q.source,
            destination: q.destination,
            size: buf.len(),
        };
        self.recycle(q.bytes);
        Some(transmit)
    }
}

type Key = (FiveTuple, TransactionId);

/// Responses to requests that changed state, kept for a while so a retransmission gets the
/// same answer (RFC 8489 §6.3.1; RFC 8656 §7.3 for the non-idempotent Allocate). Bounded:
/// the oldest entry goes first.
#[derive(Debug)]
pub(crate) struct ResponseCache {
    entries: BTreeMap<Key, (Instant, Vec<u8>)>,
    order: VecDeque<(Instant, Key)>,
    max: usize,
}

impl ResponseCache {
    pub(crate) fn new(max: usize) -> Self {
        Self {
            entries: BTreeMap::new(),
            order: VecDeque::new(),
            max,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// The cached response, if still fresh.
    pub(crate) fn get(&self, tuple: FiveTuple, id: TransactionId, now: Instant) -> Option<&[u8]> {
        self.entries
            .get(&(tuple, id))
            .filter(|(expires, _)| *expires > now)
            .map(|(_, bytes)| bytes.as_slice())
    }

    /// Caches a response until `expires`, evicting expired and oldest entries.
    pub(crate) fn insert(
        &mut self,
        tuple: FiveTuple,
        id: TransactionId,
        response: &[u8],
        now: Instant,
        expires: Instant,
    ) {
        if self.max == 0 {
            return;
        }
        while let Some(&(at, key)) = self.order.front() {
            if at > now && self.order.len() < self.max {
                break;
            }
            self.order.pop_front();
            if self.entries.get(&key).is_some_and(|(e, _)| *e == at) {
                self.entries.remove(&key);
            }
        }
        let key = (tuple, id);
        self.order.push_back((expires, key));
        self.entries.insert(key, (expires, response.to_vec()));
    }
}
