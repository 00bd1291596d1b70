//! Our HEARTBEATs (RFC 9260 §8.3): a peer silent for `Config::heartbeat_interval` is probed;
//! the answer is an RTT sample and clears the error count, no answer within an RTO counts
//! toward giving up on the peer (§8.1). The probe carries a nonce derived from our secret, so
//! a forged HEARTBEAT ACK neither clears errors nor feeds the RTT estimate.

use std::time::Instant;

use super::{AbortReason, Association, Event, State};

impl Association {
    /// Starts the heartbeat timer (on establishment).
    pub(super) fn start_heartbeats(&mut self, now: Instant) {
        self.heartbeat = None;
        self.timers.heartbeat = self.config.heartbeat_interval.map(|i| now + i);
    }

    /// The heartbeat timer.
    pub(super) fn heartbeat_timeout(&mut self, now: Instant) {
        if self.timers.heartbeat.is_none_or(|t| now < t) {
            return;
        }
        let Some(interval) = self.config.heartbeat_interval else {
            self.timers.heartbeat = None;
            return;
        };
        if !matches!(
            self.state,
            State::Established | State::ShutdownPending | State::ShutdownReceived
        ) {
            self.timers.heartbeat = None;
            return;
        }
        if let Some((_, sent)) = self.heartbeat.take() {
            if self.last_heard >= sent {
                // Its answer was lost, but the peer is alive.
                self.timers.heartbeat = Some(self.last_heard + interval);
                return;
            }
            self.errors += 1;
            if self.errors > self.config.max_retransmissions {
                self.end(Event::Aborted(AbortReason::PeerUnreachable));
                return;
            }
            self.rto.back_off();
        } else if now < self.last_heard + interval {
            // Not idle: the peer spoke since the timer was set.
            self.timers.heartbeat = Some(self.last_heard + interval);
            return;
        }
        let nonce = self.derive(b"heartbeat");
        self.heartbeat = Some((nonce, now));
        self.pending.heartbeat = Some(nonce);
        self.timers.heartbeat = Some(now + self.rto.rto());
    }

    /// A HEARTBEAT ACK (§8.3): ours if it echoes the nonce in flight.
    pub(super) fn receive_heartbeat_ack(&mut self, now: Instant, info: &[u8]) {
        let Some((nonce, sent)) = self.heartbeat else {
            return;
        };
        if !sansrtc_proto::constant_time::eq(info, &nonce) {
            return;
        }
        self.heartbeat = None;
        self.errors = 0;
        self.last_heard = now;
        self.rto.measure(now.saturating_duration_since(sent));
        self.timers.heartbeat = self.config.heartbeat_interval.map(|i| now + i);
    }
}
