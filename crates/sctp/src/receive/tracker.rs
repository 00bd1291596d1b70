//! Which DATA chunks have arrived (RFC 9260 §6.2, §6.7): the cumulative TSN ack point, the
//! TSNs received above it (a ring bitmap of a fixed window), the duplicates since the last
//! SACK, and the gap ack blocks and duplicate TSNs of the next SACK.
//!
//! Every operation is O(1) amortized per TSN (advancing the cumulative point walks each TSN
//! once) and gap blocks are found by scanning 64 TSNs per machine word, so a receive window of
//! thousands of outstanding TSNs costs nothing per packet. TSNs beyond the window are refused
//! (the peer may not send past our advertised window, §6.1), so memory is fixed.

/// Duplicate TSNs remembered for the next SACK (RFC 9260 §3.3.4 lets a SACK carry any number;
/// a bound keeps it small and the packet within the MTU).
pub const MAX_DUPLICATES: usize = 32;

/// What one DATA chunk's TSN was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Observation {
    /// New: deliver its payload.
    New,
    /// Seen before (at or below the cumulative point, or already above it): drop the
    /// payload, report the TSN in the next SACK (§6.2).
    Duplicate,
    /// Too far ahead of the cumulative point for the window: drop it (§6.2: the receiver
    /// drops what it has no room for).
    OutOfWindow,
}

/// The receive-side TSN bookkeeping of one association.
#[derive(Debug, Clone)]
pub struct DataTracker {
    /// The cumulative TSN ack point, unwrapped (every TSN up to it has arrived).
    cum_ack: u64,
    /// The highest TSN received, unwrapped (`cum_ack` when nothing is above it).
    highest: u64,
    /// Bit `t % window` is set when TSN `t` (above `cum_ack`) has arrived. Empty until a
    /// TSN arrives out of order, and given back by [`DataTracker::compact`] once no gap is
    /// left, so an idle association holds none of it.
    bits: Vec<u64>,
    /// The window in 64-bit words.
    words: usize,
    duplicates: Vec<u32>,
}

/// The unwrapped value of the 32-bit `tsn` nearest to `reference`.
fn near(reference: u64, tsn: u32) -> u64 {
    let low = reference % (1 << 32);
    let forward = (u64::from(tsn) + (1 << 32) - low) % (1 << 32);
    if forward < 1 << 31 {
        reference + forward
    } else {
        reference.saturating_sub((1 << 32) - forward)
    }
}

impl DataTracker {
    /// A tracker for a peer whose initial TSN is `initial_tsn` (RFC 9260 §5.1: its first DATA
    /// carries it), tracking up to `window` TSNs beyond the cumulative point (rounded up to a
    /// multiple of 64, at most 65,536 as gap offsets are 16 bits).
    pub fn new(initial_tsn: u32, window: usize) -> Self {
        let words = window.clamp(64, 1 << 16).div_ceil(64);
        // The unwrapped space starts one modulus up, so the point before the first TSN exists.
        let cum_ack = (1u64 << 32) + u64::from(initial_tsn) - 1;
        Self {
            cum_ack,
            highest: cum_ack,
            bits: Vec::new(),
            words,
            duplicates: Vec::new(),
        }
    }

    fn window(&self) -> u64 {
        self.words as u64 * 64
    }

    fn bit(&self, tsn: u64) -> bool {
        let at = tsn % self.window();
        self.bits
            .get((at / 64) as usize)
            .is_some_and(|w| w & (1 << (at % 64)) != 0)
    }

    fn set(&mut self, tsn: u64, on: bool) {
        if self.bits.is_empty() {
            if !on {
                return;
            }
            self.bits = vec![0; self.words];
        }
        let at = tsn % self.window();
        if let Some(word) = self.bits.get_mut((at / 64) as usize) {
            if on {
                *word |= 1 << (at % 64);
            } else {
                *word &= !(1 << (at % 64));
            }
        }
    }

    /// The cumulative TSN ack point, as the wire carries it.
    pub fn cumulative_tsn(&self) -> u32 {
        (self.cum_ack % (1 << 32)) as u32
    }

    /// The 64-bit value of a wire TSN near the cumulative point (the reassembly keys
    /// fragments by it).
    pub fn unwrapped(&self, tsn: u32) -> u64 {
        near(self.cum_ack, tsn)
    }

    /// Whether a TSN above the cumulative point is missing (a SACK should go at once,
    /// RFC 9260 §6.7).
    pub fn has_gaps(&self) -> bool {
        self.highest > self.cum_ack
    }

    /// Records a DATA chunk's TSN.
    pub fn observe(&mut self, tsn: u32) -> Observation {
        let t = near(self.cum_ack, tsn);
        if t > self.cum_ack && t - self.cum_ack > self.window() {
            return Observation::OutOfWindow;
        }
        // In order with nothing above: no bitmap needed.
        if t == self.cum_ack + 1 && self.highest == self.cum_ack {
            self.cum_ack = t;
            self.highest = t;
            return Observation::New;
        }
        if t <= self.cum_ack || self.bit(t) {
            if self.duplicates.len() < MAX_DUPLICATES {
                self.duplicates.push(tsn);
            }
            return Observation::Duplicate;
        }
        self.set(t, true);
        self.highest = self.highest.max(t);
        self.advance();
        Observation::New
    }

    /// Moves the cumulative point over every consecutive TSN that has arrived.
    fn advance(&mut self) {
        while self.cum_ack < self.highest && self.bit(self.cum_ack + 1) {
            self.cum_ack += 1;
            self.set(self.cum_ack, false);
        }
    }

    /// The peer abandoned everything up to `new_cumulative_tsn` (FORWARD-TSN, RFC 3758
    /// §3.6): the point moves there, and on over what arrived beyond it. Older values are
    /// ignored; one beyond the window is refused (returns false).
    pub fn forward(&mut self, new_cumulative_tsn: u32) -> bool {
        let t = near(self.cum_ack, new_cumulative_tsn);
        if t <= self.cum_ack {
            return true;
        }
        if t - self.cum_ack > self.window() {
            return false;
        }
        while self.cum_ack < t {
            self.cum_ack += 1;
            self.set(self.cum_ack, false);
        }
        self.highest = self.highest.max(self.cum_ack);
        self.advance();
        true
    }

    /// The gap ack blocks of a SACK (RFC 9260 §3.3.4): ranges of received TSNs above the
    /// cumulative point, as (start, end) offsets from it, in order; at most `max` of them.
    pub fn gap_blocks(&self, max: usize) -> impl Iterator<Item = (u16, u16)> + '_ {
        let mut next = self.cum_ack + 1;
        let mut emitted = 0;
        std::iter::from_fn(move || {
            if emitted >= max {
                return None;
            }
            // Skip missing TSNs, a word at a time where the word is empty.
            while next <= self.highest && !self.bit(next) {
                let at = next % self.window();
                if at.is_multiple_of(64) && self.bits.get((at / 64) as usize) == Some(&0) {
                    next += 64;
                } else {
                    next += 1;
                }
            }
            if next > self.highest {
                return None;
            }
            let start = next;
            while next <= self.highest && self.bit(next) {
                next += 1;
            }
            emitted += 1;
            // Offsets fit 16 bits: the window is at most 65,536.
            Some((
                (start - self.cum_ack) as u16,
                (next - 1 - self.cum_ack) as u16,
            ))
        })
    }

    /// Gives the bitmap's memory back when no TSN is held above the cumulative point (an
    /// idle association). The next out-of-order TSN allocates it again.
    pub fn compact(&mut self) {
        if self.highest == self.cum_ack {
            self.bits = Vec::new();
        }
        if self.duplicates.is_empty() {
            self.duplicates = Vec::new();
        }
    }

    /// The duplicates since the last call, for a SACK; cleared.
    pub fn take_duplicates(&mut self) -> impl Iterator<Item = u32> + '_ {
        self.duplicates.drain(..)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    #[test]
    fn in_order_tsns_move_the_cumulative_point() {
        let mut t = DataTracker::new(100, 1024);
        assert_eq!(t.cumulative_tsn(), 99);
        for tsn in 100..110 {
            assert_eq!(t.observe(tsn), Observation::New);
        }
        assert_eq!(t.cumulative_tsn(), 109);
        assert!(!t.has_gaps());
        assert_eq!(t.gap_blocks(16).count(), 0);
    }

    #[test]
    fn gaps_are_reported_as_offsets_and_filled_in() {
        let mut t = DataTracker::new(1, 1024);
        for tsn in [1, 2, 4, 5, 8] {
            t.observe(tsn);
        }
        assert_eq!(t.cumulative_tsn(), 2);
        assert!(t.has_gaps());
        // RFC 9260 §3.3.4's example shape: offsets from the cumulative TSN.
        assert_eq!(t.gap_blocks(16).collect::<Vec<_>>(), [(2, 3), (6, 6)]);
        assert_eq!(t.gap_blocks(1).count(), 1);
        t.observe(3);
        assert_eq!(t.cumulative_tsn(), 5);
        assert_eq!(t.gap_blocks(16).collect::<Vec<_>>(), [(3, 3)]);
    }

    #[test]
    fn duplicates_are_reported_once_per_sack_and_bounded() {
        let mut t = DataTracker::new(10, 1024);
        t.observe(10);
        t.observe(12);
        assert_eq!(t.observe(10), Observation::Duplicate);
        assert_eq!(t.observe(12), Observation::Duplicate);
        assert_eq!(t.take_duplicates().collect::<Vec<_>>(), [10, 12]);
        assert_eq!(t.take_duplicates().count(), 0);
        for _ in 0..100 {
            t.observe(10);
        }
        assert_eq!(t.take_duplicates().count(), MAX_DUPLICATES);
    }

    #[test]
    fn tsns_beyond_the_window_are_refused_and_change_nothing() {
        let mut t = DataTracker::new(0, 128);
        assert_eq!(t.observe(0), Observation::New);
        assert_eq!(t.observe(129), Observation::OutOfWindow);
        assert_eq!(t.observe(u32::MAX / 2), Observation::OutOfWindow);
        assert!(!t.has_gaps());
        assert_eq!(t.observe(128), Observation::New);
        assert_eq!(t.gap_blocks(4).collect::<Vec<_>>(), [(128, 128)]);
    }

    #[test]
    fn the_wrap_of_the_tsn_space_is_seamless() {
        let mut t = DataTracker::new(u32::MAX - 2, 256);
        for tsn in [u32::MAX - 2, u32::MAX - 1, u32::MAX, 0, 1] {
            assert_eq!(t.observe(tsn), Observation::New);
        }
        assert_eq!(t.cumulative_tsn(), 1);
        t.observe(3);
        assert_eq!(t.gap_blocks(4).collect::<Vec<_>>(), [(2, 2)]);
    }

    #[test]
    fn forward_tsn_skips_abandoned_chunks() {
        let mut t = DataTracker::new(1, 1024);
        t.observe(1);
        t.observe(5);
        t.observe(6);
        assert!(t.forward(3));
        assert_eq!(t.cumulative_tsn(), 3);
        assert!(t.forward(4));
        assert_eq!(t.cumulative_tsn(), 6, "moves on over what had arrived");
        assert!(t.forward(2), "an old FORWARD-TSN is ignored");
        assert_eq!(t.cumulative_tsn(), 6);
        assert!(!t.forward(6 + 5000), "beyond the window");
    }

    proptest! {
        /// Against a model: any arrival order, duplicates and out-of-window values give the
        /// cumulative point and gap blocks a sorted set gives.
        #[test]
        fn agrees_with_a_sorted_set(
            initial in any::<u32>(),
            arrivals in proptest::collection::vec(0u32..300, 0..400),
        ) {
            let window = 256u64;
            let mut t = DataTracker::new(initial, window as usize);
            let mut cum: u64 = 0; // offsets from initial - 1
            let mut above = BTreeSet::new();
            for offset in arrivals {
                let tsn = initial.wrapping_add(offset);
                let o = u64::from(offset) + 1;
                let expected = if o <= cum || above.contains(&o) {
                    Observation::Duplicate
                } else if o - cum > window {
                    Observation::OutOfWindow
                } else {
                    above.insert(o);
                    while above.remove(&(cum + 1)) {
                        cum += 1;
                    }
                    Observation::New
                };
                prop_assert_eq!(t.observe(tsn), expected);
                prop_assert_eq!(t.cumulative_tsn(), initial.wrapping_add(cum as u32).wrapping_sub(1));
                let mut blocks = Vec::new();
                let mut iter = above.iter().peekable();
                while let Some(&start) = iter.next() {
                    let mut end = start;
                    while iter.peek() == Some(&&(end + 1)) {
                        end += 1;
                        iter.next();
                    }
                    blocks.push(((start - cum) as u16, (end - cum) as u16));
                }
                prop_assert_eq!(t.gap_blocks(usize::MAX).collect::<Vec<_>>(), blocks);
            }
        }
    }
}
