//! DATA chunks sent and not yet cumulatively acknowledged (RFC 9260 §6.2.1, §6.3, §7.2.4;
//! RFC 3758 §3.5): what a SACK acknowledges, what it reports missing (fast retransmit after
//! three miss indications, counted the HTNA way: only below the highest TSN newly
//! acknowledged), what a T3-rtx expiry sends again, and what partial reliability abandons.
//!
//! Chunks live in a deque indexed by their distance from the cumulative TSN, so a SACK costs
//! the chunks it newly acknowledges plus its gap blocks plus the current holes (TSNs missing
//! below the highest acknowledged one): never a walk over every chunk in flight. Holes are few
//! (they are losses); a 1 MiB window costs no more per SACK than a 64 KiB one.

use std::collections::{BTreeSet, VecDeque};

/// What the association keeps of one DATA chunk in flight. `payload` is opaque here (the
/// association's handle on the bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent<P> {
    /// Its length on the wire (header and padding included), for flight size and cwnd.
    pub size: usize,
    /// Transmissions so far (1 after the first send).
    pub transmissions: u32,
    /// Counted against the flight size (not acknowledged, not abandoned, not marked for
    /// retransmission).
    pub in_flight: bool,
    /// Acknowledged by a gap block (may be reneged, RFC 9260 §6.2.1).
    pub gap_acked: bool,
    /// Marked to be sent again (fast retransmit or T3-rtx).
    pub retransmit: bool,
    /// Abandoned by partial reliability: covered by the next FORWARD-TSN.
    pub abandoned: bool,
    /// Miss indications (§7.2.4).
    pub misses: u8,
    /// The association's data for the chunk (stream, sequence numbers, flags, bytes).
    pub payload: P,
}

/// What one SACK did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Acked {
    /// Bytes newly acknowledged (cumulatively or by gap blocks) that were in flight.
    pub bytes: usize,
    /// The cumulative TSN moved forward.
    pub cumulative_advanced: bool,
    /// Chunks that reached three miss indications and are now marked for fast retransmit.
    pub fast_retransmits: usize,
}

/// The chunks in flight, by TSN (unwrapped 64-bit TSNs).
#[derive(Debug)]
pub struct Outstanding<P> {
    /// TSN of `chunks[0]`: one above the cumulative TSN acknowledged.
    base: u64,
    chunks: VecDeque<Sent<P>>,
    /// Missing TSNs below the highest one acknowledged (candidates for fast retransmit).
    holes: BTreeSet<u64>,
    /// The highest TSN acknowledged by any SACK so far.
    highest_acked: u64,
    /// TSNs marked for retransmission, in order.
    marked: BTreeSet<u64>,
    /// Bytes in flight.
    flight: usize,
}

impl<P> Outstanding<P> {
    /// An empty queue whose first TSN will be `first_tsn`.
    pub fn new(first_tsn: u64) -> Self {
        Self {
            base: first_tsn,
            chunks: VecDeque::new(),
            holes: BTreeSet::new(),
            highest_acked: first_tsn.saturating_sub(1),
            marked: BTreeSet::new(),
            flight: 0,
        }
    }

    /// The next TSN to assign.
    pub fn next_tsn(&self) -> u64 {
        self.base + self.chunks.len() as u64
    }

    /// The cumulative TSN acknowledged.
    pub fn cumulative(&self) -> u64 {
        self.base - 1
    }

    /// Bytes in flight (RFC 9260 §6.1 flightsize).
    pub fn flight_size(&self) -> usize {
        self.flight
    }

    /// Chunks held (in flight, gap-acknowledged, or waiting for retransmission).
    pub fn len(&self) -> usize {
        self.chunks.len()
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.chunks.is_empty()
    }

    /// A chunk by TSN.
    pub fn get(&self, tsn: u64) -> Option<&Sent<P>> {
        let at = usize::try_from(tsn.checked_sub(self.base)?).ok()?;
        self.chunks.get(at)
    }

    fn get_mut(&mut self, tsn: u64) -> Option<&mut Sent<P>> {
        let at = usize::try_from(tsn.checked_sub(self.base)?).ok()?;
        self.chunks.get_mut(at)
    }

    /// Records a chunk sent for the first time under the next TSN; returns that TSN.
    pub fn push(&mut self, size: usize, payload: P) -> u64 {
        let tsn = self.next_tsn();
        self.chunks.push_back(Sent {
            size,
            transmissions: 1,
            in_flight: true,
            gap_acked: false,
            retransmit: false,
            abandoned: false,
            misses: 0,
            payload,
        });
        self.flight += size;
        tsn
    }

    /// Takes out of flight a chunk that leaves it (acknowledged, abandoned, or marked for
    /// retransmission).
    fn leave_flight(flight: &mut usize, chunk: &mut Sent<P>) -> usize {
        if chunk.in_flight {
            chunk.in_flight = false;
            *flight -= chunk.size;
            chunk.size
        } else {
            0
        }
    }

    /// Applies a SACK (RFC 9260 §6.2.1): the cumulative TSN ack and the gap blocks, given as
    /// inclusive absolute TSN ranges. Chunks up to the cumulative TSN are dropped and given
    /// back through `released` (their payload may be freed); gap-acknowledged ones are marked;
    /// holes below the highest TSN newly acknowledged get a miss indication, and at three
    /// they are marked for fast retransmit (§7.2.4).
    pub fn on_sack(
        &mut self,
        cumulative: u64,
        gaps: impl Iterator<Item = (u64, u64)>,
        mut released: impl FnMut(u64, Sent<P>),
    ) -> Acked {
        let mut acked = Acked::default();
        // A cumulative ack of a TSN never sent is a lie (RFC 9260 §6.2.1): taking it would drop
        // chunks the peer never had and move the next TSN past the peer's window. The whole
        // SACK is ignored.
        if cumulative >= self.next_tsn() {
            return acked;
        }
        let mut highest_newly_acked = None;
        // The cumulative ack: everything up to it leaves.
        while self.base <= cumulative {
            let Some(mut chunk) = self.chunks.pop_front() else {
                break;
            };
            let tsn = self.base;
            if !chunk.gap_acked && !chunk.abandoned {
                highest_newly_acked = Some(tsn);
            }
            acked.bytes += Self::leave_flight(&mut self.flight, &mut chunk);
            self.holes.remove(&tsn);
            self.marked.remove(&tsn);
            acked.cumulative_advanced = true;
            self.base += 1;
            released(tsn, chunk);
        }
        // Gap blocks: chunks inside are acknowledged (for now). Below the highest TSN
        // acknowledged before, only holes can change; above it, each TSN is seen once ever.
        for (start, end) in gaps {
            let start = start.max(self.base);
            let end = end.min(self.next_tsn().saturating_sub(1));
            if start > end {
                continue;
            }
            let old_high = self.highest_acked;
            let below: Vec<u64> = if start <= end.min(old_high) {
                self.holes
                    .range(start..=end.min(old_high))
                    .copied()
                    .collect()
            } else {
                Vec::new()
            };
            let above = start.max(old_high + 1)..=end;
            for tsn in below.into_iter().chain(above) {
                let Some(chunk) = self.get_mut(tsn) else {
                    continue;
                };
                if chunk.gap_acked {
                    continue;
                }
                chunk.gap_acked = true;
                chunk.retransmit = false;
                let newly = !chunk.abandoned;
                let bytes = if chunk.in_flight {
                    chunk.in_flight = false;
                    chunk.size
                } else {
                    0
                };
                self.flight -= bytes;
                acked.bytes += bytes;
                self.holes.remove(&tsn);
                self.marked.remove(&tsn);
                if newly {
                    highest_newly_acked =
                        Some(highest_newly_acked.map_or(tsn, |h: u64| h.max(tsn)));
                }
            }
        }
        // Newly visible holes: unacknowledged TSNs below the new highest acknowledged one.
        if let Some(high) = highest_newly_acked
            && high > self.highest_acked
        {
            let from = self.highest_acked.max(self.base.saturating_sub(1)) + 1;
            for tsn in from..high {
                if self.get(tsn).is_some_and(|c| !c.gap_acked && !c.abandoned) {
                    self.holes.insert(tsn);
                }
            }
            self.highest_acked = high;
        }
        // Miss indications (HTNA): holes below the highest TSN newly acknowledged.
        if let Some(high) = highest_newly_acked {
            let mut fast = Vec::new();
            let base = self.base;
            for &tsn in self.holes.range(..high) {
                let at = usize::try_from(tsn.saturating_sub(base)).unwrap_or(usize::MAX);
                if let Some(chunk) = self.chunks.get_mut(at)
                    && !chunk.retransmit
                    && chunk.transmissions == 1
                {
                    // A chunk is fast-retransmitted once (RFC 9260 §7.2.4); later losses of
                    // it are the T3 timer's.
                    chunk.misses = chunk.misses.saturating_add(1);
                    if chunk.misses == 3 {
                        fast.push(tsn);
                    }
                }
            }
            for tsn in fast {
                self.mark_for_retransmit(tsn);
                acked.fast_retransmits += 1;
            }
        }
        acked
    }

    /// Marks a chunk to be sent again; it leaves the flight.
    pub fn mark_for_retransmit(&mut self, tsn: u64) {
        let Some(at) = tsn
            .checked_sub(self.base)
            .and_then(|d| usize::try_from(d).ok())
        else {
            return;
        };
        if let Some(chunk) = self.chunks.get_mut(at)
            && !chunk.gap_acked
            && !chunk.abandoned
        {
            Self::leave_flight(&mut self.flight, chunk);
            chunk.retransmit = true;
            chunk.misses = 0;
            self.marked.insert(tsn);
        }
    }

    /// T3-rtx expired (RFC 9260 §6.3.3): every chunk in flight is marked for retransmission.
    /// Returns how many.
    pub fn on_t3_expiry(&mut self) -> usize {
        let mut marked = 0;
        for (i, chunk) in self.chunks.iter_mut().enumerate() {
            if chunk.in_flight {
                chunk.in_flight = false;
                self.flight -= chunk.size;
                chunk.retransmit = true;
                self.marked.insert(self.base + i as u64);
                marked += 1;
            }
        }
        marked
    }

    /// The next chunk marked for retransmission, in TSN order, with its TSN; the caller sends
    /// it and calls [`Outstanding::retransmitted`].
    pub fn next_retransmission(&self) -> Option<(u64, &Sent<P>)> {
        let tsn = *self.marked.first()?;
        self.get(tsn).map(|c| (tsn, c))
    }

    /// A marked chunk went out again.
    pub fn retransmitted(&mut self, tsn: u64) {
        let mut size = 0;
        if let Some(chunk) = self.get_mut(tsn)
            && chunk.retransmit
        {
            chunk.retransmit = false;
            chunk.in_flight = true;
            chunk.transmissions += 1;
            size = chunk.size;
        }
        self.marked.remove(&tsn);
        self.flight += size;
    }

    /// Abandons chunks (RFC 3758 §3.5) for which `abandon` returns true, whatever their
    /// state; they leave the flight. Returns the new cumulative TSN the next FORWARD-TSN
    /// may announce: the highest TSN such that every chunk up to it is acknowledged or
    /// abandoned.
    pub fn abandon(&mut self, mut abandon: impl FnMut(u64, &Sent<P>) -> bool) -> u64 {
        for (i, chunk) in self.chunks.iter_mut().enumerate() {
            if !chunk.abandoned && !chunk.gap_acked && abandon(self.base + i as u64, chunk) {
                chunk.abandoned = true;
                chunk.retransmit = false;
                self.marked.remove(&(self.base + i as u64));
                if chunk.in_flight {
                    chunk.in_flight = false;
                    self.flight -= chunk.size;
                }
                self.holes.remove(&(self.base + i as u64));
            }
        }
        self.advanced_point()
    }

    /// Abandons chunks marked for retransmission (RFC 3758 §3.5 A2) for which `give_up`
    /// returns true. Costs the marked chunks only.
    pub fn abandon_marked(&mut self, mut give_up: impl FnMut(&Sent<P>) -> bool) {
        let (base, chunks, holes) = (self.base, &mut self.chunks, &mut self.holes);
        self.marked.retain(|&tsn| {
            let at = usize::try_from(tsn - base).unwrap_or(usize::MAX);
            match chunks.get_mut(at) {
                Some(chunk) if give_up(chunk) => {
                    // A marked chunk is out of the flight already.
                    chunk.abandoned = true;
                    chunk.retransmit = false;
                    holes.remove(&tsn);
                    false
                }
                _ => true,
            }
        });
    }

    /// The highest TSN such that every chunk up to it is abandoned (RFC 3758 §3.5 C2). A
    /// gap-acknowledged chunk stops it: a gap ack is not final (the peer may renege, RFC 9260
    /// §6.2.1, or the SACK lied), and skipping it would lose a reliable message. When the
    /// peer holds it, its cumulative point moves over it anyway once the FORWARD TSN arrives.
    pub fn advanced_point(&self) -> u64 {
        let skippable = self.chunks.iter().take_while(|c| c.abandoned).count();
        self.base - 1 + skippable as u64
    }

    /// Gives back the memory of an empty queue (an idle association).
    pub fn compact(&mut self) {
        if self.chunks.is_empty() {
            self.chunks = VecDeque::new();
            self.holes = BTreeSet::new();
            self.marked = BTreeSet::new();
        }
    }

    /// The abandoned chunks up to the advanced point: what the next FORWARD-TSN covers.
    pub fn skipped(&self) -> impl Iterator<Item = &Sent<P>> {
        self.chunks.iter().take_while(|c| c.abandoned)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queue(n: u64) -> Outstanding<u64> {
        let mut q = Outstanding::new(1000);
        for i in 0..n {
            q.push(100, i);
        }
        q
    }

    #[test]
    fn a_cumulative_ack_releases_chunks_and_their_bytes() {
        let mut q = queue(5);
        assert_eq!(q.flight_size(), 500);
        let mut released = Vec::new();
        let acked = q.on_sack(1002, std::iter::empty(), |tsn, c| {
            released.push((tsn, c.payload))
        });
        assert_eq!(released, [(1000, 0), (1001, 1), (1002, 2)]);
        assert_eq!(acked.bytes, 300);
        assert!(acked.cumulative_advanced);
        assert_eq!(q.flight_size(), 200);
        assert_eq!(q.cumulative(), 1002);
        assert_eq!(q.next_tsn(), 1005);
    }

    #[test]
    fn three_miss_indications_mark_a_fast_retransmit() {
        let mut q = queue(6);
        // 1000 lost; 1001.. acknowledged one SACK at a time by gap blocks.
        for (i, end) in [1001u64, 1002, 1003].into_iter().enumerate() {
            let acked = q.on_sack(999, [(1001, end)].into_iter(), |_, _| {});
            assert_eq!(acked.fast_retransmits, usize::from(i == 2), "sack {i}");
        }
        let (tsn, chunk) = q.next_retransmission().unwrap();
        assert_eq!(tsn, 1000);
        assert!(!chunk.in_flight);
        assert_eq!(q.flight_size(), 200, "1004 and 1005 still fly");
        q.retransmitted(1000);
        assert_eq!(q.flight_size(), 300);
        assert_eq!(q.get(1000).unwrap().transmissions, 2);
        // A repeated SACK does not count misses beyond the highest newly acknowledged TSN.
        let acked = q.on_sack(999, [(1001, 1003)].into_iter(), |_, _| {});
        assert_eq!(acked.fast_retransmits, 0);
        assert_eq!(q.get(1000).unwrap().misses, 0);
    }

    /// A gap block above the highest TSN acknowledged so far, after one below it: the part
    /// below the old high mark is empty (this built an inverted range and panicked).
    #[test]
    fn a_gap_block_wholly_above_the_old_high_mark_is_taken() {
        let mut q = queue(6);
        q.on_sack(999, [(1002, 1002)].into_iter(), |_, _| {});
        let acked = q.on_sack(999, [(1004, 1004)].into_iter(), |_, _| {});
        assert_eq!(acked.bytes, 100);
        assert!(q.get(1004).unwrap().gap_acked);
        // Blocks outside what is held are ignored.
        let acked = q.on_sack(999, [(5000, 6000), (10, 20)].into_iter(), |_, _| {});
        assert_eq!(acked.bytes, 0);
    }

    #[test]
    fn t3_expiry_marks_everything_in_flight() {
        let mut q = queue(4);
        q.on_sack(999, [(1001, 1001)].into_iter(), |_, _| {});
        assert_eq!(q.on_t3_expiry(), 3);
        assert_eq!(q.flight_size(), 0);
        let mut order = Vec::new();
        while let Some((tsn, _)) = q.next_retransmission() {
            order.push(tsn);
            q.retransmitted(tsn);
        }
        assert_eq!(order, [1000, 1002, 1003]);
    }

    #[test]
    fn abandoned_chunks_move_the_forward_point() {
        let mut q = queue(5);
        q.on_sack(999, [(1002, 1002)].into_iter(), |_, _| {});
        let point = q.abandon(|tsn, _| tsn <= 1001);
        assert_eq!(
            point, 1001,
            "1000, 1001 abandoned; 1002 only gap-acknowledged, which is not final"
        );
        assert_eq!(q.flight_size(), 200);
        let mut released = Vec::new();
        q.on_sack(1002, std::iter::empty(), |tsn, _| released.push(tsn));
        assert_eq!(released, [1000, 1001, 1002]);
    }

    #[test]
    fn only_marked_chunks_are_abandoned_by_their_policy() {
        let mut q = queue(4);
        q.mark_for_retransmit(1001);
        q.abandon_marked(|_| true);
        assert!(q.get(1001).is_some_and(|c| c.abandoned && !c.retransmit));
        assert!(
            q.get(1000).is_some_and(|c| !c.abandoned),
            "in flight, not lost: left alone"
        );
        assert_eq!(q.next_retransmission().map(|(t, _)| t), None);
        assert_eq!(q.flight_size(), 300);
    }

    #[test]
    fn only_abandoned_chunks_below_the_forward_point_are_named() {
        // 1001 is still in flight: 1003 is abandoned but the FORWARD-TSN must not name it,
        // or the peer would skip a message whose chunks may still arrive.
        let mut q = queue(5);
        q.abandon(|tsn, _| tsn == 1000 || tsn == 1003);
        assert_eq!(q.advanced_point(), 1000);
        let named: Vec<u64> = q.skipped().map(|s| s.payload).collect();
        assert_eq!(named, [0]);
    }

    /// A SACK acknowledging TSNs never sent is ignored whole: nothing leaves the flight and
    /// the next TSN does not move (this used to drop every chunk and jump the next TSN to one
    /// past the forged ack, beyond the peer's window).
    #[test]
    fn a_cumulative_ack_of_tsns_never_sent_is_ignored() {
        let mut q = queue(3);
        for forged in [1003, 1004, 1_000_000, 1000 + (1 << 31)] {
            let acked = q.on_sack(forged, [(1000, 1002)].into_iter(), |_, _| {});
            assert_eq!(acked, Acked::default(), "{forged}");
            assert_eq!((q.len(), q.flight_size(), q.next_tsn()), (3, 300, 1003));
        }
        assert!(
            q.on_sack(1002, std::iter::empty(), |_, _| {})
                .cumulative_advanced
        );
        let mut empty: Outstanding<u64> = Outstanding::new(50);
        empty.on_sack(1000, std::iter::empty(), |_, _| {});
        assert_eq!(empty.next_tsn(), 50, "an empty queue's next TSN stays too");
    }

    /// Chunks gap-acknowledged from the first one on (a SACK no correct peer sends) never make
    /// a FORWARD TSN: nothing was abandoned.
    #[test]
    fn gap_acknowledged_chunks_alone_do_not_move_the_forward_point() {
        let mut q = queue(3);
        q.on_sack(999, [(1000, 1002)].into_iter(), |_, _| {});
        assert_eq!(q.advanced_point(), q.cumulative());
        assert_eq!(q.skipped().count(), 0);
    }

    #[test]
    fn a_sack_costs_its_new_acks_and_holes_not_the_whole_window() {
        // 100,000 chunks in flight, one early loss: each SACK touches the hole and the
        // newly acknowledged chunk only (this would be a quadratic walk otherwise).
        let mut q: Outstanding<u64> = Outstanding::new(1);
        for i in 0..100_000 {
            q.push(1200, i);
        }
        for high in 2..100_001u64 {
            q.on_sack(0, [(2, high)].into_iter(), |_, _| {});
        }
        assert!(q.get(1).unwrap().retransmit);
        assert_eq!(q.flight_size(), 0);
    }
}
