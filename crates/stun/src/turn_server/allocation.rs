//! Allocations, their permissions and channel bindings, and one timer heap for all of them
//! (RFC 8656 §2.2, §7–§11).
//!
//! Each allocation has at most one live entry in the heap, at its earliest deadline (its own
//! expiry, a permission's, a channel's, or the relay-request timeout). Entries made stale by a
//! refresh are skipped when popped; the heap is rebuilt when stale entries outnumber live ones,
//! so it stays within a constant factor of the number of allocations.

use super::auth::Signer;
use super::event::{AllocationId, FiveTuple};
use crate::wire::{AddressFamily, TransactionId};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

/// A permission for a peer IP address (RFC 8656 §9).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Permission {
    pub(crate) ip: IpAddr,
    pub(crate) expires: Instant,
}

/// A channel binding (RFC 8656 §11). After `expires` it carries no data, and until `reserved`
/// the number and the peer cannot be bound to anything else.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Channel {
    pub(crate) number: u16,
    pub(crate) peer: SocketAddr,
    pub(crate) expires: Instant,
    pub(crate) reserved: Instant,
}

/// One allocation (RFC 8656 §2.2).
#[derive(Debug)]
pub(crate) struct Allocation {
    pub(crate) five_tuple: FiveTuple,
    /// `None` while the caller is asked for a relay address.
    pub(crate) relay: Option<SocketAddr>,
    /// The relay's address family (REQUESTED-ADDRESS-FAMILY, RFC 8656 §7.2).
    pub(crate) family: AddressFamily,
    pub(crate) signer: Signer,
    /// The Allocate's transaction id and requested lifetime (answered when the relay arrives).
    pub(crate) request: TransactionId,
    pub(crate) lifetime: std::time::Duration,
    pub(crate) expires: Instant,
    pub(crate) permissions: Vec<Permission>,
    pub(crate) channels: Vec<Channel>,
    /// The deadline this allocation's heap entry carries.
    scheduled: Option<Instant>,
}

impl Allocation {
    pub(crate) fn new(
        five_tuple: FiveTuple,
        family: AddressFamily,
        signer: Signer,
        request: TransactionId,
        lifetime: std::time::Duration,
        expires: Instant,
    ) -> Self {
        Self {
            five_tuple,
            relay: None,
            family,
            signer,
            request,
            lifetime,
            expires,
            permissions: Vec::new(),
            channels: Vec::new(),
            scheduled: None,
        }
    }

    /// Whether a live permission covers `ip` (RFC 8656 §9).
    pub(crate) fn permits(&self, ip: IpAddr, now: Instant) -> bool {
        self.permissions
            .iter()
            .any(|p| p.ip == ip && p.expires > now)
    }

    /// The live channel bound to `peer`.
    pub(crate) fn channel_to(&self, peer: SocketAddr, now: Instant) -> Option<u16> {
        self.channels
            .iter()
            .find(|c| c.peer == peer && c.expires > now)
            .map(|c| c.number)
    }

    /// The peer of a live channel.
    pub(crate) fn channel_peer(&self, number: u16, now: Instant) -> Option<SocketAddr> {
        self.channels
            .iter()
            .find(|c| c.number == number && c.expires > now)
            .map(|c| c.peer)
    }

    /// Installs or refreshes a permission; `false` if a new one would exceed `max`.
    pub(crate) fn permit(&mut self, ip: IpAddr, expires: Instant, max: usize) -> bool {
        if let Some(p) = self.permissions.iter_mut().find(|p| p.ip == ip) {
            p.expires = p.expires.max(expires);
            return true;
        }
        if self.permissions.len() >= max {
            return false;
        }
        self.permissions.push(Permission { ip, expires });
        true
    }

    fn deadline(&self) -> Instant {
        let permissions = self.permissions.iter().map(|p| p.expires);
        let channels = self.channels.iter().map(|c| c.reserved);
        permissions
            .chain(channels)
            .chain(std::iter::once(self.expires))
            .min()
            .unwrap_or(self.expires)
    }

    /// Drops permissions and channel reservations that ended at or before `now`.
    fn prune(&mut self, now: Instant) {
        self.permissions.retain(|p| p.expires > now);
        self.channels.retain(|c| c.reserved > now);
    }
}

/// Every allocation, indexed by id, by 5-tuple and by relay address, with the timer heap.
#[derive(Debug, Default)]
pub(crate) struct Allocations {
    by_id: BTreeMap<AllocationId, Allocation>,
    by_tuple: BTreeMap<FiveTuple, AllocationId>,
    by_relay: BTreeMap<SocketAddr, AllocationId>,
    per_user: BTreeMap<usize, usize>,
    heap: BinaryHeap<Reverse<(Instant, AllocationId)>>,
    next_id: u64,
    permissions: usize,
    channels: usize,
}

impl Allocations {
    pub(crate) fn len(&self) -> usize {
        self.by_id.len()
    }

    pub(crate) fn user_count(&self, user: usize) -> usize {
        self.per_user.get(&user).copied().unwrap_or(0)
    }

    pub(crate) const fn permission_count(&self) -> usize {
        self.permissions
    }

    pub(crate) const fn channel_count(&self) -> usize {
        self.channels
    }

    pub(crate) fn timer_count(&self) -> usize {
        self.heap.len()
    }

    pub(crate) fn by_tuple(&self, tuple: &FiveTuple) -> Option<AllocationId> {
        self.by_tuple.get(tuple).copied()
    }

    pub(crate) fn by_relay(&self, relay: &SocketAddr) -> Option<AllocationId> {
        self.by_relay.get(relay).copied()
    }

    pub(crate) fn get(&self, id: AllocationId) -> Option<&Allocation> {
        self.by_id.get(&id)
    }

    /// Changes an allocation through `f`, keeping the counters and the timer right.
    pub(crate) fn update<R>(
        &mut self,
        id: AllocationId,
        f: impl FnOnce(&mut Allocation) -> R,
    ) -> Option<R> {
        let a = self.by_id.get_mut(&id)?;
        let (p, c) = (a.permissions.len(), a.channels.len());
        let result = f(a);
        self.permissions = self.permissions + a.permissions.len() - p;
        self.channels = self.channels + a.channels.len() - c;
        Self::schedule(&mut self.heap, id, a);
        self.compact();
        self.clean_top();
        Some(result)
    }

    fn schedule(
        heap: &mut BinaryHeap<Reverse<(Instant, AllocationId)>>,
        id: AllocationId,
        a: &mut Allocation,
    ) {
        let deadline = a.deadline();
        if a.scheduled.is_none_or(|s| deadline < s) {
            a.scheduled = Some(deadline);
            heap.push(Reverse((deadline, id)));
        }
    }

    /// Adds an allocation; the caller checked the quotas.
    pub(crate) fn insert(&mut self, mut allocation: Allocation) -> AllocationId {
        self.next_id += 1;
        let id = AllocationId(self.next_id);
        self.by_tuple.insert(allocation.five_tuple, id);
        if let Some(relay) = allocation.relay {
            self.by_relay.insert(relay, id);
        }
        *self.per_user.entry(allocation.signer.user).or_default() += 1;
        Self::schedule(&mut self.heap, id, &mut allocation);
        self.by_id.insert(id, allocation);
        self.compact();
        id
    }

    /// Gives a pending allocation its relay address.
    pub(crate) fn set_relay(&mut self, id: AllocationId, relay: SocketAddr) -> bool {
        if self.by_relay.contains_key(&relay) {
            return false;
        }
        let Some(a) = self.by_id.get_mut(&id) else {
            return false;
        };
        if a.relay.is_some() {
            return false;
        }
        a.relay = Some(relay);
        self.by_relay.insert(relay, id);
        true
    }

    /// Removes an allocation and everything it holds.
    pub(crate) fn remove(&mut self, id: AllocationId) -> Option<Allocation> {
        let a = self.by_id.remove(&id)?;
        self.by_tuple.remove(&a.five_tuple);
        if let Some(relay) = a.relay {
            self.by_relay.remove(&relay);
        }
        if let Some(n) = self.per_user.get_mut(&a.signer.user) {
            *n -= 1;
            if *n == 0 {
                self.per_user.remove(&a.signer.user);
            }
        }
        self.permissions -= a.permissions.len();
        self.channels -= a.channels.len();
        self.clean_top();
        Some(a)
    }

    /// The earliest deadline in the heap (possibly a stale one: then `expire` does nothing).
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.heap.peek().map(|Reverse((at, _))| *at)
    }

    /// Handles every deadline at or before `now`: prunes permissions and channels, and
    /// returns (through `expired`) the allocations whose lifetime ended, already removed.
    pub(crate) fn expire(
        &mut self,
        now: Instant,
        expired: &mut impl FnMut(AllocationId, Allocation),
    ) {
        while let Some(&Reverse((at, id))) = self.heap.peek() {
            if at > now {
                break;
            }
            self.heap.pop();
            let Some(a) = self.by_id.get_mut(&id) else {
                continue;
            };
            if a.scheduled != Some(at) {
                continue;
            }
            a.scheduled = None;
            if a.expires <= now {
                if let Some(a) = self.remove(id) {
                    expired(id, a);
                }
                continue;
            }
            self.update(id, |a| a.prune(now));
        }
    }

    /// Pops stale entries off the top, so the next deadline is a live one.
    fn clean_top(&mut self) {
        while let Some(&Reverse((at, id))) = self.heap.peek() {
            if self.by_id.get(&id).is_some_and(|a| a.scheduled == Some(at)) {
                break;
            }
            self.heap.pop();
        }
    }

    /// Rebuilds the heap from the live deadlines when stale entries dominate.
    fn compact(&mut self) {
        if self.heap.len() <= 2 * self.by_id.len() + 64 {
            return;
        }
        self.heap = self
            .by_id
            .iter()
            .filter_map(|(id, a)| a.scheduled.map(|s| Reverse((s, *id))))
            .collect();
    }
}
