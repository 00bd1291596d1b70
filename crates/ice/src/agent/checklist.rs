//! The check list (RFC 8445 §6.1.2): candidate pairs, their priorities and states, and the
//! order checks run in.
//!
//! Pairs live in a bounded slab (slots are reused), indexed by path (local base, remote
//! address) for incoming checks and by transaction id for responses. The next check comes
//! from the triggered queue first, then from a max-heap of waiting pairs, then a frozen pair
//! is unfrozen (§6.1.4.2); heap entries carry a stamp so stale ones are skipped. Every
//! operation is O(log n) or O(1) in the number of pairs, so a peer that sends thousands of
//! candidates costs linear work, never quadratic.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use sansrtc_stun::wire::TransactionId;

use crate::candidate::Foundation;
use crate::event::Role;

/// Index of a pair in the check list.
pub(crate) type PairId = usize;

/// A pair's state (RFC 8445 §6.1.2.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PairState {
    /// Not checked until a pair of the same foundation succeeds or nothing else waits.
    Frozen,
    /// Ready to be checked.
    Waiting,
    /// A check is in flight.
    InProgress,
    /// A check succeeded: the pair is valid.
    Succeeded,
    /// Every transmission of a check went unanswered, or it was refused.
    Failed,
}

/// A check in flight on a pair (RFC 8445 §7.2.4, retransmitted per §14.3).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Check {
    pub(crate) tid: TransactionId,
    pub(crate) transmissions: u8,
    pub(crate) rto: Duration,
    /// The next retransmission (or, after the last one, when the check fails).
    pub(crate) deadline: Instant,
    /// Carries USE-CANDIDATE.
    pub(crate) nominate: bool,
    /// A consent freshness check (RFC 7675) rather than a connectivity check.
    pub(crate) consent: bool,
    /// The role the check was sent in (a 487 answers that role, §7.2.5.1).
    pub(crate) role: Role,
    /// When its first transmission went.
    pub(crate) started: Instant,
}

/// A candidate pair (RFC 8445 §6.1.2).
#[derive(Debug, Clone)]
pub(crate) struct Pair {
    pub(crate) local: usize,
    pub(crate) remote: usize,
    /// The local candidate's base and the remote address: where checks and data go.
    pub(crate) base: SocketAddr,
    pub(crate) remote_address: SocketAddr,
    pub(crate) foundation: (Foundation, Foundation),
    pub(crate) local_priority: u32,
    pub(crate) remote_priority: u32,
    pub(crate) priority: u64,
    pub(crate) state: PairState,
    pub(crate) check: Option<Check>,
    /// The controlled side received USE-CANDIDATE on this pair (§7.3.1.5).
    pub(crate) nominated_by_peer: bool,
    /// The NOMINATION value the peer's USE-CANDIDATE came with (renomination,
    /// draft-thatcher-ice-renomination §4): a higher value is a later choice. 0 without it.
    pub(crate) nomination: u32,
    /// A check of ours with USE-CANDIDATE succeeded on it (§8.1.1).
    pub(crate) nominated: bool,
    /// In the triggered-check queue.
    pub(crate) triggered: bool,
    /// Changes whenever the slot's pair changes or leaves a heap, to spot stale entries.
    stamp: u32,
    live: bool,
}

/// The pair priority of RFC 8445 §6.1.2.3: `2^32 * MIN(G,D) + 2 * MAX(G,D) + (G > D)`, with
/// G the controlling agent's candidate priority.
pub(crate) fn pair_priority(role: Role, local: u32, remote: u32) -> u64 {
    let (g, d) = match role {
        Role::Controlling => (u64::from(local), u64::from(remote)),
        Role::Controlled => (u64::from(remote), u64::from(local)),
    };
    (g.min(d) << 32) + 2 * g.max(d) + u64::from(g > d)
}

type HeapEntry = (u64, Reverse<PairId>, u32);

/// What [`CheckList::add`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Added {
    /// A new pair.
    New(PairId),
    /// The path had a pair already; the one of higher priority was kept (§6.1.2.4).
    Redundant(PairId),
    /// The list is full of pairs of higher priority.
    Full,
}

/// The pairs of one ICE session.
#[derive(Debug, Default)]
pub(crate) struct CheckList {
    pairs: Vec<Pair>,
    free: Vec<PairId>,
    by_path: HashMap<(SocketAddr, SocketAddr), PairId>,
    by_tid: HashMap<TransactionId, PairId>,
    waiting: BinaryHeap<HeapEntry>,
    frozen: BinaryHeap<HeapEntry>,
    triggered: VecDeque<PairId>,
    /// Pairs with a check in flight (few: checks are paced by Ta).
    in_flight: Vec<PairId>,
    /// Live pairs per foundation pair, to freeze all but the first (§6.1.2.6).
    foundations: HashMap<(Foundation, Foundation), u32>,
    live: usize,
}

/// A new pair's description.
pub(crate) struct NewPair {
    pub(crate) local: usize,
    pub(crate) remote: usize,
    pub(crate) base: SocketAddr,
    pub(crate) remote_address: SocketAddr,
    pub(crate) foundation: (Foundation, Foundation),
    pub(crate) local_priority: u32,
    pub(crate) remote_priority: u32,
}

impl CheckList {
    pub(crate) fn len(&self) -> usize {
        self.live
    }

    pub(crate) fn get(&self, id: PairId) -> Option<&Pair> {
        self.pairs.get(id).filter(|p| p.live)
    }

    pub(crate) fn get_mut(&mut self, id: PairId) -> Option<&mut Pair> {
        self.pairs.get_mut(id).filter(|p| p.live)
    }

    /// Every live pair.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (PairId, &Pair)> {
        self.pairs.iter().enumerate().filter(|(_, p)| p.live)
    }

    pub(crate) fn by_path(&self, base: SocketAddr, remote: SocketAddr) -> Option<PairId> {
        self.by_path.get(&(base, remote)).copied()
    }

    pub(crate) fn by_tid(&self, tid: &TransactionId) -> Option<PairId> {
        self.by_tid.get(tid).copied()
    }

    /// Adds a pair, Waiting if no other pair shares its foundation, Frozen otherwise
    /// (§6.1.2.6), unless the path has one already (redundant, §6.1.2.4) or the list holds
    /// `max` pairs of higher priority (§6.1.2.5).
    pub(crate) fn add(&mut self, role: Role, new: NewPair, max: usize) -> Added {
        let priority = pair_priority(role, new.local_priority, new.remote_priority);
        if let Some(&id) = self.by_path.get(&(new.base, new.remote_address)) {
            let existing = &mut self.pairs[id];
            if priority > existing.priority && existing.state != PairState::Succeeded {
                let old = std::mem::replace(&mut existing.foundation, new.foundation);
                existing.local = new.local;
                existing.local_priority = new.local_priority;
                existing.priority = priority;
                existing.stamp = existing.stamp.wrapping_add(1);
                if let Some(count) = self.foundations.get_mut(&old) {
                    *count = count.saturating_sub(1);
                }
                *self.foundations.entry(new.foundation).or_insert(0) += 1;
                self.push_heap(id);
            }
            return Added::Redundant(id);
        }
        if self.live >= max {
            // Replace the lowest-priority pair that is not valid, if the new one beats it.
            let victim = self
                .iter()
                .filter(|(_, p)| p.state != PairState::Succeeded && p.check.is_none())
                .min_by_key(|(_, p)| p.priority)
                .map(|(id, p)| (id, p.priority));
            match victim {
                Some((id, lowest)) if lowest < priority => self.remove(id),
                _ => return Added::Full,
            }
        }
        let count = self.foundations.entry(new.foundation).or_insert(0);
        *count += 1;
        let state = if *count > 1 {
            PairState::Frozen
        } else {
            PairState::Waiting
        };
        let pair = Pair {
            local: new.local,
            remote: new.remote,
            base: new.base,
            remote_address: new.remote_address,
            foundation: new.foundation,
            local_priority: new.local_priority,
            remote_priority: new.remote_priority,
            priority,
            state,
            check: None,
            nominated_by_peer: false,
            nomination: 0,
            nominated: false,
            triggered: false,
            stamp: 0,
            live: true,
        };
        let id = match self.free.pop() {
            Some(id) => {
                let stamp = self.pairs[id].stamp.wrapping_add(1);
                self.pairs[id] = Pair { stamp, ..pair };
                id
            }
            None => {
                self.pairs.push(pair);
                self.pairs.len() - 1
            }
        };
        self.live += 1;
        self.by_path.insert((new.base, new.remote_address), id);
        self.push_heap(id);
        Added::New(id)
    }

    fn push_heap(&mut self, id: PairId) {
        let p = &self.pairs[id];
        let entry = (p.priority, Reverse(id), p.stamp);
        match p.state {
            PairState::Waiting => self.waiting.push(entry),
            PairState::Frozen => self.frozen.push(entry),
            _ => {}
        }
    }

    /// Removes a pair (pruned or replaced).
    pub(crate) fn remove(&mut self, id: PairId) {
        let Some(p) = self.pairs.get_mut(id).filter(|p| p.live) else {
            return;
        };
        p.live = false;
        p.stamp = p.stamp.wrapping_add(1);
        let (path, check, foundation) = ((p.base, p.remote_address), p.check.take(), p.foundation);
        if let Some(count) = self.foundations.get_mut(&foundation) {
            *count -= 1;
            if *count == 0 {
                self.foundations.remove(&foundation);
            }
        }
        if let Some(check) = check {
            self.by_tid.remove(&check.tid);
            self.in_flight.retain(|&i| i != id);
        }
        self.by_path.remove(&path);
        self.free.push(id);
        self.live -= 1;
    }

    /// Sets a pair's state, keeping the heaps right.
    pub(crate) fn set_state(&mut self, id: PairId, state: PairState) {
        let Some(p) = self.pairs.get_mut(id).filter(|p| p.live) else {
            return;
        };
        if p.state == state {
            return;
        }
        p.state = state;
        p.stamp = p.stamp.wrapping_add(1);
        self.push_heap(id);
    }

    /// Recomputes every pair priority after a role change (§7.2.5.1).
    pub(crate) fn set_role(&mut self, role: Role) {
        for id in 0..self.pairs.len() {
            let p = &mut self.pairs[id];
            if !p.live {
                continue;
            }
            p.priority = pair_priority(role, p.local_priority, p.remote_priority);
            p.stamp = p.stamp.wrapping_add(1);
            self.push_heap(id);
        }
    }

    /// Unfreezes every frozen pair with `foundation` (§7.2.5.3.3).
    pub(crate) fn unfreeze_foundation(&mut self, foundation: (Foundation, Foundation)) {
        let ids: Vec<PairId> = self
            .iter()
            .filter(|(_, p)| p.state == PairState::Frozen && p.foundation == foundation)
            .map(|(id, _)| id)
            .collect();
        for id in ids {
            self.set_state(id, PairState::Waiting);
        }
    }

    /// Queues a triggered check on the pair (§7.3.1.4), once.
    pub(crate) fn trigger(&mut self, id: PairId) {
        if let Some(p) = self.get_mut(id)
            && !p.triggered
        {
            p.triggered = true;
            self.triggered.push_back(id);
        }
    }

    /// The next pair to check (§6.1.4.2): a triggered one, else the highest-priority
    /// waiting one, else the highest-priority frozen one (unfrozen).
    pub(crate) fn next_to_check(&mut self) -> Option<PairId> {
        while let Some(id) = self.triggered.pop_front() {
            if let Some(p) = self.get_mut(id) {
                p.triggered = false;
                if p.check.is_none() {
                    return Some(id);
                }
            }
        }
        while let Some((_, Reverse(id), stamp)) = self.waiting.pop() {
            if let Some(p) = self.get(id)
                && p.stamp == stamp
                && p.state == PairState::Waiting
                && p.check.is_none()
            {
                return Some(id);
            }
        }
        while let Some((_, Reverse(id), stamp)) = self.frozen.pop() {
            if let Some(p) = self.get(id)
                && p.stamp == stamp
                && p.state == PairState::Frozen
            {
                self.set_state(id, PairState::Waiting);
                return Some(id);
            }
        }
        None
    }

    /// Records the check in flight on a pair.
    pub(crate) fn start_check(&mut self, id: PairId, check: Check) {
        let Some(p) = self.get_mut(id) else { return };
        match p.check.replace(check) {
            Some(old) => {
                self.by_tid.remove(&old.tid);
            }
            None => self.in_flight.push(id),
        }
        self.by_tid.insert(check.tid, id);
    }

    /// Ends the check in flight on a pair, returning it.
    pub(crate) fn finish_check(&mut self, id: PairId) -> Option<Check> {
        let check = self.get_mut(id)?.check.take()?;
        self.by_tid.remove(&check.tid);
        self.in_flight.retain(|&i| i != id);
        Some(check)
    }

    /// Pairs with a check in flight.
    pub(crate) fn in_flight(&self) -> &[PairId] {
        &self.in_flight
    }

    /// Whether a pair of priority above `priority` could still succeed soon: waiting or
    /// frozen, or with a check out for less than `patience`. Returns the earliest instant
    /// this may change (when an in-progress check runs out of patience), if one blocks.
    pub(crate) fn better_pending(
        &self,
        priority: u64,
        now: Instant,
        patience: Duration,
    ) -> Option<Option<Instant>> {
        let mut blocked = false;
        let mut until: Option<Instant> = None;
        for (_, p) in self.iter().filter(|(_, p)| p.priority > priority) {
            match (p.state, p.check) {
                (PairState::Waiting | PairState::Frozen, _) => blocked = true,
                (PairState::InProgress, Some(check)) if now < check.started + patience => {
                    blocked = true;
                    let end = check.started + patience;
                    until = Some(until.map_or(end, |u| u.min(end)));
                }
                _ => {}
            }
        }
        blocked.then_some(until)
    }

    /// Whether a pair of priority above `priority` may still succeed (waiting, frozen or in
    /// progress, however long), or, with `or_valid`, has succeeded already.
    pub(crate) fn better_possible(&self, priority: u64, or_valid: bool) -> bool {
        self.iter().any(|(_, p)| {
            p.priority > priority
                && match p.state {
                    PairState::Waiting | PairState::Frozen | PairState::InProgress => true,
                    PairState::Succeeded => or_valid,
                    PairState::Failed => false,
                }
        })
    }

    /// Whether every pair has failed (or there are none).
    pub(crate) fn all_failed(&self) -> bool {
        self.iter().all(|(_, p)| p.state == PairState::Failed)
    }

    /// Forgets every pair.
    pub(crate) fn clear(&mut self) {
        *self = Self::default();
    }

    /// Checks in flight from `base` to the IP `peer` go again at `now` (a TURN permission
    /// for them just arrived).
    pub(crate) fn expedite(&mut self, base: SocketAddr, peer: std::net::IpAddr, now: Instant) {
        for &id in &self.in_flight {
            if let Some(p) = self.pairs.get_mut(id)
                && p.live
                && p.base == base
                && p.remote_address.ip() == peer
                && let Some(check) = p.check.as_mut()
            {
                check.deadline = check.deadline.min(now);
            }
        }
    }

    /// The earliest retransmission or failure deadline of the checks in flight.
    pub(crate) fn earliest_deadline(&self) -> Option<Instant> {
        self.in_flight
            .iter()
            .filter_map(|&id| self.get(id)?.check.as_ref())
            .map(|c| c.deadline)
            .min()
    }
}
