//! The flight retransmission timer of RFC 6347 §4.2.4: an initial timeout, doubled on every
//! expiry up to a ceiling, and a total handshake deadline.

use std::time::{Duration, Instant};

/// Timer settings (RFC 6347 §4.2.4.1: 1 s initial, doubling, at most 60 s).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimerConfig {
    /// The first retransmission timeout.
    pub initial: Duration,
    /// The largest retransmission timeout.
    pub maximum: Duration,
    /// Give up on a handshake that has not finished this long after it started.
    pub handshake_timeout: Duration,
}

impl Default for TimerConfig {
    fn default() -> Self {
        Self {
            initial: Duration::from_secs(1),
            maximum: Duration::from_secs(60),
            handshake_timeout: Duration::from_secs(60),
        }
    }
}

/// The retransmission timer of the flight in flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetransmitTimer {
    config: TimerConfig,
    current: Duration,
    deadline: Option<Instant>,
    retransmissions: u32,
}

impl RetransmitTimer {
    /// A stopped timer.
    pub fn new(config: TimerConfig) -> Self {
        Self {
            config,
            current: config.initial,
            deadline: None,
            retransmissions: 0,
        }
    }

    /// Arms the timer for a flight just sent: fires after the current timeout.
    pub fn start(&mut self, now: Instant) {
        self.deadline = Some(now + self.current);
    }

    /// Stops the timer (the peer's next flight arrived), and returns the timeout to its
    /// initial value for the next flight (RFC 6347 §4.2.4.1 allows keeping it; a fresh flight
    /// after a reply is evidence the path works).
    pub fn stop(&mut self) {
        self.deadline = None;
        self.current = self.config.initial;
    }

    /// When the timer fires.
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// Whether the timer has fired at `now`. If so, the timeout doubles (up to the maximum)
    /// and the timer re-arms from `now`: the caller retransmits the flight.
    pub fn expire(&mut self, now: Instant) -> bool {
        match self.deadline {
            Some(deadline) if now >= deadline => {
                self.current = (self.current * 2).min(self.config.maximum);
                self.deadline = Some(now + self.current);
                self.retransmissions += 1;
                true
            }
            _ => false,
        }
    }

    /// How many times the timer has fired.
    pub fn retransmissions(&self) -> u32 {
        self.retransmissions
    }

    /// The timeout the timer runs with now.
    pub fn current(&self) -> Duration {
        self.current
    }
}
