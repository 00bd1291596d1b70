//! The DTLS anti-replay window (RFC 6347 §4.1.2.6): a 64-record bitmap below the highest
//! sequence number received in an epoch.

/// The window: the highest sequence number accepted, and which of the 63 below it were seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReplayWindow {
    /// Highest accepted sequence number, plus one (0 before the first record).
    next: u64,
    /// Bit i set: `next - 1 - i` was accepted.
    seen: u64,
}

impl ReplayWindow {
    /// Records in the window (RFC 6347 §4.1.2.6: at least 32; 64 is the suggested size).
    pub const SIZE: u64 = 64;

    /// An empty window.
    pub const fn new() -> Self {
        Self { next: 0, seen: 0 }
    }

    /// Whether `sequence` may be processed: newer than anything seen, or inside the window
    /// and not seen yet. Call before authenticating the record.
    pub fn check(&self, sequence: u64) -> bool {
        if sequence >= self.next {
            return true;
        }
        let behind = self.next - 1 - sequence;
        behind < Self::SIZE && self.seen & (1 << behind) == 0
    }

    /// Marks `sequence` seen. Call only after the record authenticated (RFC 6347 §4.1.2.6:
    /// the window is updated only for records that pass the MAC check).
    pub fn accept(&mut self, sequence: u64) {
        if sequence >= self.next {
            let shift = sequence + 1 - self.next;
            self.seen = if shift >= Self::SIZE {
                0
            } else {
                self.seen << shift
            };
            self.seen |= 1;
            self.next = sequence + 1;
        } else {
            let behind = self.next - 1 - sequence;
            if behind < Self::SIZE {
                self.seen |= 1 << behind;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_and_old_records_are_refused() {
        let mut window = ReplayWindow::new();
        assert!(window.check(0));
        window.accept(0);
        assert!(!window.check(0));
        window.accept(100);
        assert!(window.check(99) && window.check(37));
        assert!(
            !window.check(36),
            "64 behind the highest is outside the window"
        );
        window.accept(99);
        assert!(!window.check(99));
        window.accept(1000);
        assert!(!window.check(100) && !window.check(936));
        assert!(window.check(937) && window.check(999) && window.check(1001));
    }
}
