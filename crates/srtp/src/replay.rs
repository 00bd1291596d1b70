//! The sliding replay window of RFC 3711 §3.3.2 over 48-bit SRTP or 31-bit SRTCP indices,
//! sized at creation (64 to 32768 packets).

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
}

impl ReplayWindow {
    /// A window of `size` packets, rounded up to a multiple of 64 and clamped to
    /// 64..=[`MAX_REPLAY_WINDOW`].
    pub(crate) fn new(size: usize) -> Self {
        let words = size.clamp(64, MAX_REPLAY_WINDOW).div_ceil(64);
        Self {
            bits: vec![0; words].into_boxed_slice(),
            highest: None,
        }
    }

    fn size(&self) -> u64 {
        64 * self.bits.len() as u64
    }

    /// The highest accepted index.
    pub(crate) fn highest(&self) -> Option<u64> {
        self.highest
    }

    /// Whether `index` may be accepted: newer than the highest, or inside the window and not
    /// seen yet.
    pub(crate) fn check(&self, index: u64) -> Result<(), Error> {
        let Some(highest) = self.highest else {
            return Ok(());
        };
        if index > highest {
            return Ok(());
        }
        if highest - index >= self.size() {
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
    fn sizes_round_up_to_whole_words_and_clamp() {
        assert_eq!(ReplayWindow::new(0).size(), 64);
        assert_eq!(ReplayWindow::new(100).size(), 128);
        assert_eq!(ReplayWindow::new(1 << 20).size(), MAX_REPLAY_WINDOW as u64);
    }
}
