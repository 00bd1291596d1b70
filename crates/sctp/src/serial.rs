//! Serial number arithmetic (RFC 1982) for SCTP's 32-bit TSNs and message ids and 16-bit
//! stream sequence numbers (RFC 9260 §1.6, §3.3.1), and unwrapping them into 64-bit counters
//! that never wrap, so the association keys its queues by plain integers.

/// A number that wraps and compares by serial arithmetic.
pub trait Serial: Copy + Eq {
    /// The number as an unsigned value.
    fn value(self) -> u64;
    /// How many distinct values the type has (2^32 or 2^16).
    const MODULUS: u64;
}

impl Serial for u32 {
    fn value(self) -> u64 {
        u64::from(self)
    }
    const MODULUS: u64 = 1 << 32;
}

impl Serial for u16 {
    fn value(self) -> u64 {
        u64::from(self)
    }
    const MODULUS: u64 = 1 << 16;
}

/// Whether `a` comes before `b` in serial order (RFC 1982 §3.2): less than half the space
/// ahead.
pub fn before<S: Serial>(a: S, b: S) -> bool {
    let forward = (b.value() + S::MODULUS - a.value()) % S::MODULUS;
    forward != 0 && forward < S::MODULUS / 2
}

/// Unwraps a wrapping sequence into a 64-bit one: each value is placed as close as possible
/// to the last one returned (within half the space either way). Starts at the first value
/// seen, so unwrapped values begin at `MODULUS` (room to go back below the first).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Unwrapper {
    last: Option<u64>,
}

impl Unwrapper {
    /// An unwrapper that has seen nothing.
    pub const fn new() -> Self {
        Self { last: None }
    }

    /// An unwrapper whose reference point is `value` (for example the peer's initial TSN
    /// minus one).
    pub fn starting_at<S: Serial>(value: S) -> Self {
        Self {
            last: Some(S::MODULUS + value.value()),
        }
    }

    /// The 64-bit value of `value` nearest to the last one, without moving the reference
    /// (for a value that may be dropped).
    pub fn peek<S: Serial>(&self, value: S) -> u64 {
        let Some(last) = self.last else {
            return S::MODULUS + value.value();
        };
        let m = S::MODULUS;
        let last_low = last % m;
        let forward = (value.value() + m - last_low) % m;
        if forward < m / 2 {
            last + forward
        } else {
            // Behind: never below zero (values before the origin clamp to it).
            last.saturating_sub(m - forward)
        }
    }

    /// As [`Unwrapper::peek`], and moves the reference forward when `value` is newer.
    pub fn unwrap<S: Serial>(&mut self, value: S) -> u64 {
        let unwrapped = self.peek(value);
        if self.last.is_none_or(|last| unwrapped > last) {
            self.last = Some(unwrapped);
        }
        unwrapped
    }
}

/// The wire form of an unwrapped value.
pub fn wrap32(value: u64) -> u32 {
    // The low 32 bits, by definition of the unwrapping.
    (value % (1 << 32)) as u32
}

/// The wire form of an unwrapped 16-bit value.
pub fn wrap16(value: u64) -> u16 {
    (value % (1 << 16)) as u16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_order_follows_rfc1982_across_the_wrap() {
        assert!(before(1u32, 2u32));
        assert!(!before(2u32, 1u32));
        assert!(!before(5u32, 5u32));
        assert!(before(u32::MAX, 0u32));
        assert!(before(u32::MAX - 10, 5u32));
        assert!(!before(5u32, u32::MAX - 10));
        assert!(before(65535u16, 0u16));
        assert!(before(0u16, 32767u16));
        assert!(
            !before(0u16, 32768u16),
            "exactly half way is undefined: not before"
        );
    }

    #[test]
    fn unwrapping_follows_the_sequence_across_wraps_and_back() {
        let mut u = Unwrapper::starting_at(u32::MAX - 1);
        let base = u.peek(u32::MAX - 1);
        assert_eq!(u.unwrap(u32::MAX), base + 1);
        assert_eq!(u.unwrap(0u32), base + 2);
        assert_eq!(u.unwrap(5u32), base + 7);
        // A late one from before the wrap.
        assert_eq!(u.unwrap(u32::MAX), base + 1);
        assert_eq!(u.peek(6u32), base + 8, "the reference stayed at the newest");
        assert_eq!(wrap32(u.peek(6u32)), 6);
        let mut s = Unwrapper::new();
        let first = s.unwrap(65530u16);
        assert_eq!(s.unwrap(3u16), first + 9);
        assert_eq!(wrap16(first + 9), 3);
    }

    #[test]
    fn unwrapped_values_never_go_below_zero() {
        let u = Unwrapper::starting_at(0u16);
        assert_eq!(u.peek(40000u16), 65536 - 25536);
        let u = Unwrapper { last: Some(3) };
        assert_eq!(u.peek(65534u16), 0);
    }
}
