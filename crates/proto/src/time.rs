//! Time conventions.
//!
//! No sansrtc crate reads the clock. Every input that depends on time takes `now: Instant` from
//! the caller, and every timer comes out through `poll_timeout() -> Option<Instant>` (`None`
//! means nothing is armed; there is no far-future sentinel).
//!
//! Callers must pass non-decreasing instants. Because a buggy caller or a clock with coarse
//! resolution can still hand over an earlier instant, every machine runs its inputs through a
//! [`MonotonicClock`], which clamps such an instant to the latest one seen.
//!
//! Wall-clock needs (certificate validity, RTCP sender-report NTP time, the SDP `o=` session
//! version) come in through configuration or a parameter, never from `SystemTime::now()`.

use std::time::Instant;

/// The latest instant a machine has been given, with backwards steps clamped away.
///
/// ```
/// # use std::time::{Duration, Instant};
/// # use sansrtc_proto::time::MonotonicClock;
/// # let t0 = Instant::now();
/// let mut clock = MonotonicClock::new(t0);
/// assert_eq!(clock.advance(t0 + Duration::from_secs(2)), t0 + Duration::from_secs(2));
/// // An earlier instant is not trusted: the clock stays where it was.
/// assert_eq!(clock.advance(t0 + Duration::from_secs(1)), t0 + Duration::from_secs(2));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonotonicClock {
    now: Instant,
}

impl MonotonicClock {
    /// Starts the clock at the instant the machine was created.
    pub const fn new(start: Instant) -> Self {
        Self { now: start }
    }

    /// Takes the caller's `now`, clamps it so time never runs backwards, and returns the instant
    /// the machine should act on.
    pub fn advance(&mut self, now: Instant) -> Instant {
        if now > self.now {
            self.now = now;
        }
        self.now
    }

    /// The latest instant seen.
    pub const fn now(&self) -> Instant {
        self.now
    }
}

#[cfg(test)]
mod tests;
