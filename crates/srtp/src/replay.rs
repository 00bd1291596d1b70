//! The sliding replay window of RFC 3711 §3.3.2 over 48-bit SRTP or 31-bit SRTCP indices,
//! sized at creation (64 to 32768 packets), with a floor below which every index counts as
//! used: what a stream keeps across `remove_stream` and `set_roc` so that no index is
//! protected or accepted twice under one key (RFC 3711 §3.3.1, §3.4, §9.1).

use crate::Error;

/// The largest replay window a context accepts, in packets.
pub const MAX_REPLAY_WINDOW: usize = 32_768;

/// Which of the last `size` indices below the highest one have been seen. A ring of bits:
/// index `i` lives at bit `i % size`, so advancing costs only the bits that leave the window.
#[derive(Debug, Clone)]
pub(crate) struct ReplayWindow {
    bits: Box<[u64]>,
    /// The highest index accepted so far; `None` before the first.
    highest: Option<u64>,
    /// Every index below this one counts as used, whatever the bits say: the high-water mark
    /// of an earlier life of the stream. 0 for a new stream; never goes down.
    floor: u64,
}

impl ReplayWindow {
    /// A window of `size` packets, rounded up to a multiple of 64 and clamped to
    /// 64..=[`MAX_REPLAY_WINDOW`].
    pub(crate) fn new(size: usize) -> Self {
        let words = size.clamp(64, MAX_REPLAY_WINDOW).div_ceil(64);
        Self {
            bits: vec![0; words].into_boxed_slice(),
            highest: None,
            floor: 0,
        }
    }

    /// A window of `size` packets that continues an earlier one whose
    /// [`unused_from`](Self::unused_from) was `floor`: index estimation carries on from
    /// `floor - 1`, and nothing below `floor` is accepted.
    pub(crate) fn resume(size: usize, floor: u64) -> Self {
        let mut window = Self::new(size);
        window.highest = floor.checked_sub(1);
        window.floor = floor;
        window
    }

    /// The first index not known to be used: one above the highest accepted, or the floor
    /// before the first. Nothing below it may be accepted in a later life of the stream.
    pub(crate) fn unused_from(&self) -> u64 {
        self.highest.map_or(self.floor, |highest| highest + 1)
    }

    /// Forgets the indices accepted so far except as a floor: the next index is estimated
    /// afresh (from the initial rollover counter), but none below
    /// [`unused_from`](Self::unused_from) is accepted. Allocates nothing.
    pub(crate) fn restart(&mut self) {
        self.floor = self.unused_from();
        self.highest = None;
    }

    fn size(&self) -> u64 {
        64 * self.bits.len() as u64
    }

    /// The highest accepted index.
    pub(crate) fn highest(&self) -> Option<u64> {
        self.highest
    }

    /// Whether `index` may be accepted: newer than the highest, or inside the window, not
    /// seen yet and not below the floor.
    pub(crate) fn check(&self, index: u64) -> Result<(), Error> {
        let Some(highest) = self.highest else {
            return if index < self.floor {
                Err(Error::TooOld)
            } else {
                Ok(())
            };
        };
        if index > highest {
            return Ok(());
        }
        if highest - index >= self.size() || index < self.floor {
            return Err(Error::TooOld);
        }
        if self.bit(index) {
            Err(Error::Replay)
        } else {
            Ok(())
        }
    }

    /// Marks `index` seen, sliding the window forward when it is the new highest. Call only
    /// after [`check`](Self::check) passed and the packet authenticated.
    pub(crate) fn accept(&mut self, index: u64) {
        match self.highest {
            None => {
                self.bits.fill(0);
                self.highest = Some(index);
            }
            Some(highest) if index > highest => {
                self.clear_range(highest + 1, index - highest);
                self.highest = Some(index);
            }
            Some(_) => {}
        }
        let (word, mask) = self.locate(index);
        self.bits[word] |= mask;
    }

    fn locate(&self, index: u64) -> (usize, u64) {
        let position = index % self.size();
        ((position / 64) as usize, 1 << (position % 64))
    }

    fn bit(&self, index: u64) -> bool {
        let (word, mask) = self.locate(index);
        self.bits[word] & mask != 0
    }

    /// Clears the bits of `count` indices from `from` on, a word at a time.
    fn clear_range(&mut self, from: u64, count: u64) {
        let size = self.size();
        if count >= size {
            self.bits.fill(0);
            return;
        }
        let mut position = from % size;
        let mut left = count;
        while left > 0 {
            let word = (position / 64) as usize;
            let bit = position % 64;
            let take = left.min(64 - bit);
            let mask = if take == 64 {
                u64::MAX
            } else {
                ((1u64 << take) - 1) << bit
            };
            self.bits[word] &= !mask;
            left -= take;
            position = (position + take) % size;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_inside_the_window_are_replays_and_older_ones_too_old() {
        let mut window = ReplayWindow::new(64);
        for index in [100, 90, 101] {
            window.check(index).unwrap();
            window.accept(index);
        }
        assert_eq!(window.check(90), Err(Error::Replay));
        assert_eq!(window.check(101), Err(Error::Replay));
        assert_eq!(window.check(91), Ok(()));
        assert_eq!(window.check(101 - 63), Ok(()));
        assert_eq!(window.check(101 - 64), Err(Error::TooOld));
    }

    #[test]
    fn a_big_jump_forgets_everything_behind_the_window() {
        let mut window = ReplayWindow::new(128);
        for index in 0..128 {
            window.accept(index);
        }
        window.accept(127 + 100);
        for index in 128..227 {
            assert_eq!(window.check(index), Ok(()), "{index}");
        }
        assert_eq!(window.check(227), Err(Error::Replay));
        assert_eq!(window.check(99), Err(Error::TooOld));
    }

    #[test]
    fn a_resumed_window_refuses_everything_below_its_floor() {
        let mut window = ReplayWindow::new(64);
        for index in [10, 12] {
            window.accept(index);
        }
        let mut resumed = ReplayWindow::resume(64, window.unused_from());
        assert_eq!(resumed.highest(), Some(12));
        for index in [10, 11, 12] {
            assert_eq!(resumed.check(index), Err(Error::TooOld), "{index}");
        }
        assert_eq!(resumed.check(13), Ok(()));
        resumed.accept(14);
        assert_eq!(resumed.check(13), Ok(()));
        assert_eq!(resumed.check(12), Err(Error::TooOld));
        assert_eq!(ReplayWindow::resume(64, 0).highest(), None);
    }

    #[test]
    fn a_restart_keeps_the_floor_and_estimates_afresh() {
        let mut window = ReplayWindow::new(1024);
        window.accept(100);
        window.restart();
        assert_eq!(window.highest(), None);
        assert_eq!(window.check(100), Err(Error::TooOld));
        assert_eq!(window.check(101), Ok(()));
        window.accept(1000);
        // Inside the window, yet below the floor: refused.
        assert_eq!(window.check(100), Err(Error::TooOld));
        assert_eq!(window.check(101), Ok(()));
        window.restart();
        assert_eq!(window.unused_from(), 1001);
        window.restart();
        assert_eq!(window.unused_from(), 1001, "the floor never goes down");
    }

    #[test]
    fn sizes_round_up_to_whole_words_and_clamp() {
        assert_eq!(ReplayWindow::new(0).size(), 64);
        assert_eq!(ReplayWindow::new(100).size(), 128);
        assert_eq!(ReplayWindow::new(1 << 20).size(), MAX_REPLAY_WINDOW as u64);
    }
}
