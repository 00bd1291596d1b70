//! Congestion control and the retransmission timeout (RFC 9260 §6.3.1, §7.2): slow start,
//! congestion avoidance with partial_bytes_acked, fast recovery, the reaction to a T3-rtx
//! expiry, cwnd after idle, and SRTT/RTTVAR/RTO from RTT measurements.

use std::time::Duration;

/// RTO bounds and gains (RFC 9260 §15: RTO.Initial 1 s, RTO.Min 1 s, RTO.Max 60 s; WebRTC
/// stacks use lower minimums on their fast paths, so they are settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RtoConfig {
    /// RTO before any measurement.
    pub initial: Duration,
    /// Floor.
    pub min: Duration,
    /// Ceiling (also for back-off).
    pub max: Duration,
}

impl Default for RtoConfig {
    fn default() -> Self {
        Self {
            initial: Duration::from_secs(1),
            min: Duration::from_secs(1),
            max: Duration::from_secs(60),
        }
    }
}

/// The RTO estimator of RFC 9260 §6.3.1 (Karn's algorithm is the caller's: measure only
/// chunks sent once).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rto {
    config: RtoConfig,
    srtt: Option<Duration>,
    rttvar: Duration,
    rto: Duration,
}

impl Rto {
    /// Before any measurement: RTO.Initial.
    pub fn new(config: RtoConfig) -> Self {
        Self {
            config,
            srtt: None,
            rttvar: Duration::ZERO,
            rto: config.initial,
        }
    }

    /// The current RTO.
    pub fn rto(&self) -> Duration {
        self.rto
    }

    /// The smoothed round trip, once measured.
    pub fn srtt(&self) -> Option<Duration> {
        self.srtt
    }

    /// A new RTT measurement (RFC 9260 §6.3.1 C2/C3, alpha 1/8, beta 1/4).
    pub fn measure(&mut self, rtt: Duration) {
        match self.srtt {
            None => {
                self.srtt = Some(rtt);
                self.rttvar = rtt / 2;
            }
            Some(srtt) => {
                let delta = srtt.abs_diff(rtt);
                self.rttvar = self.rttvar * 3 / 4 + delta / 4;
                self.srtt = Some(srtt * 7 / 8 + rtt / 8);
            }
        }
        let srtt = self.srtt.unwrap_or(rtt);
        // G, the clock granularity, is taken as zero: time is exact here.
        self.rto = (srtt + 4 * self.rttvar).clamp(self.config.min, self.config.max);
    }

    /// The T3-rtx timer expired: RTO doubles (§6.3.3 E2), up to RTO.Max.
    pub fn back_off(&mut self) {
        self.rto = (self.rto * 2).min(self.config.max);
    }
}

/// The congestion window of one path (RFC 9260 §7.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Congestion {
    mtu: usize,
    cwnd: usize,
    ssthresh: usize,
    partial_bytes_acked: usize,
    /// Fast recovery until this TSN is acknowledged (§7.2.4).
    recovery_exit: Option<u64>,
}

impl Congestion {
    /// Initial window: min(4 MTU, max(2 MTU, 4380 bytes)) (§7.2.1); ssthresh starts at the
    /// peer's receiver window.
    pub fn new(mtu: usize, peer_rwnd: usize) -> Self {
        Self {
            mtu,
            cwnd: (4 * mtu).min((2 * mtu).max(4380)),
            ssthresh: peer_rwnd,
            partial_bytes_acked: 0,
            recovery_exit: None,
        }
    }

    /// The congestion window.
    pub fn cwnd(&self) -> usize {
        self.cwnd
    }

    /// The slow-start threshold.
    pub fn ssthresh(&self) -> usize {
        self.ssthresh
    }

    /// Whether fast recovery is on.
    pub fn in_fast_recovery(&self) -> bool {
        self.recovery_exit.is_some()
    }

    /// A SACK acknowledged `bytes` new bytes; `cumulative_advanced` says whether it moved the
    /// cumulative TSN (to `cumulative`); `flight_before` is the flight size before it;
    /// `limited` is true when the sender had less to send than cwnd allowed (cwnd then does
    /// not grow, §7.2.1).
    pub fn on_ack(
        &mut self,
        bytes: usize,
        cumulative_advanced: bool,
        cumulative: u64,
        flight_before: usize,
        limited: bool,
    ) {
        if let Some(exit) = self.recovery_exit
            && cumulative >= exit
        {
            self.recovery_exit = None;
        }
        if !cumulative_advanced || self.recovery_exit.is_some() {
            return;
        }
        if self.cwnd <= self.ssthresh {
            // Slow start (§7.2.1): grow by at most one MTU per SACK, only when the window was
            // used.
            if !limited && flight_before >= self.cwnd.saturating_sub(self.mtu) {
                self.cwnd += bytes.min(self.mtu);
            }
        } else {
            // Congestion avoidance (§7.2.2): one MTU per window's worth of acknowledged bytes.
            self.partial_bytes_acked += bytes;
            if self.partial_bytes_acked >= self.cwnd && flight_before >= self.cwnd && !limited {
                self.partial_bytes_acked -= self.cwnd;
                self.cwnd += self.mtu;
            }
        }
    }

    /// A fast retransmit (§7.2.4): unless already recovering, halve the window and remember
    /// the highest TSN outstanding, `highest_outstanding`, as the end of recovery.
    pub fn on_fast_retransmit(&mut self, highest_outstanding: u64) {
        if self.recovery_exit.is_some() {
            return;
        }
        self.ssthresh = (self.cwnd / 2).max(4 * self.mtu);
        self.cwnd = self.ssthresh;
        self.partial_bytes_acked = 0;
        self.recovery_exit = Some(highest_outstanding);
    }

    /// T3-rtx expired (§7.2.3): back to one MTU, slow start again.
    pub fn on_t3_expiry(&mut self) {
        self.ssthresh = (self.cwnd / 2).max(4 * self.mtu);
        self.cwnd = self.mtu;
        self.partial_bytes_acked = 0;
        self.recovery_exit = None;
    }

    /// Nothing was sent for more than an RTO (§7.2.1): cwnd falls back to the initial one
    /// (at most).
    pub fn on_idle(&mut self) {
        self.cwnd = self.cwnd.min((4 * self.mtu).min((2 * self.mtu).max(4380)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_initial_window_follows_rfc9260_7_2_1() {
        assert_eq!(Congestion::new(1200, 1 << 20).cwnd(), 4380);
        assert_eq!(Congestion::new(1500, 1 << 20).cwnd(), 4380);
        assert_eq!(Congestion::new(9000, 1 << 20).cwnd(), 18000);
    }

    #[test]
    fn slow_start_grows_by_at_most_an_mtu_per_sack_then_avoidance_per_window() {
        let mut c = Congestion::new(1000, 8000);
        let start = c.cwnd();
        c.on_ack(3000, true, 1, start, false);
        assert_eq!(c.cwnd(), start + 1000);
        c.on_ack(3000, true, 2, 100, false);
        assert_eq!(c.cwnd(), start + 1000, "the window was not used: no growth");
        while c.cwnd() <= c.ssthresh() {
            let w = c.cwnd();
            c.on_ack(1000, true, 3, w, false);
        }
        let w = c.cwnd();
        c.on_ack(w - 1, true, 4, w, false);
        assert_eq!(c.cwnd(), w);
        c.on_ack(1, true, 5, w, false);
        assert_eq!(c.cwnd(), w + 1000);
    }

    #[test]
    fn fast_retransmit_halves_once_per_recovery_and_t3_resets() {
        let mut c = Congestion::new(1000, 1 << 20);
        for n in 0..40 {
            let w = c.cwnd();
            c.on_ack(1000, true, n, w, false);
        }
        let before = c.cwnd();
        c.on_fast_retransmit(100);
        assert_eq!(c.cwnd(), (before / 2).max(4000));
        c.on_fast_retransmit(120);
        assert_eq!(c.cwnd(), (before / 2).max(4000), "once per recovery");
        let w = c.cwnd();
        c.on_ack(1000, true, 50, w, false);
        assert_eq!(c.cwnd(), w, "no growth during recovery");
        c.on_ack(1000, true, 100, w, false);
        assert!(!c.in_fast_recovery());
        c.on_t3_expiry();
        assert_eq!(c.cwnd(), 1000);
    }

    #[test]
    fn rto_follows_srtt_and_rttvar_and_backs_off() {
        let mut r = Rto::new(RtoConfig {
            initial: Duration::from_secs(1),
            min: Duration::from_millis(10),
            max: Duration::from_secs(60),
        });
        assert_eq!(r.rto(), Duration::from_secs(1));
        r.measure(Duration::from_millis(100));
        // SRTT 100, RTTVAR 50: RTO 300 ms.
        assert_eq!(r.rto(), Duration::from_millis(300));
        r.measure(Duration::from_millis(100));
        // RTTVAR 37.5, SRTT 100: 250 ms.
        assert_eq!(r.rto(), Duration::from_micros(250_000));
        r.back_off();
        assert_eq!(r.rto(), Duration::from_millis(500));
        for _ in 0..20 {
            r.back_off();
        }
        assert_eq!(r.rto(), Duration::from_secs(60));
        let mut floor = Rto::new(RtoConfig::default());
        floor.measure(Duration::from_millis(5));
        assert_eq!(floor.rto(), Duration::from_secs(1), "RTO.Min");
    }
}
