//! One direction of a simulated link: a Sans-IO impairment pipeline.
//!
//! A link never holds packets itself. [`Link::admit`] decides, at the instant a datagram enters,
//! whether it is dropped and at which instants its copies arrive; the simulator schedules the
//! arrivals. The bandwidth queue is tracked as the departure times of the datagrams still
//! waiting, so its occupancy is exact at every instant.

use crate::config::LinkConfig;
use crate::trace::DropReason;
use rand::RngExt;
use rand::rngs::StdRng;
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// Counters of one link direction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct LinkStats {
    /// Datagrams offered to the link.
    pub offered: u64,
    /// Datagrams that left the link (duplicates counted once).
    pub passed: u64,
    /// Extra copies made by duplication.
    pub duplicated: u64,
    /// Datagrams held back to be overtaken.
    pub reordered: u64,
    /// Datagrams dropped because they exceeded the MTU.
    pub dropped_mtu: u64,
    /// Datagrams dropped by random loss.
    pub dropped_loss: u64,
    /// Datagrams dropped because the bandwidth queue was full.
    pub dropped_queue: u64,
    /// Payload-plus-header bytes that passed.
    pub bytes_passed: u64,
}

/// Where the copies of an admitted datagram arrive: one instant, or two with duplication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Arrivals {
    pub(crate) first: Instant,
    pub(crate) duplicate: Option<Instant>,
}

/// One direction of a link.
#[derive(Debug)]
pub(crate) struct Link {
    config: LinkConfig,
    rng: StdRng,
    /// When the serializer finishes the last queued datagram.
    busy_until: Option<Instant>,
    /// Departure instant and size of each datagram still in the bandwidth queue.
    queue: VecDeque<(Instant, usize)>,
    queued_bytes: usize,
    /// Latest arrival handed out to an in-order datagram (for jitter without reordering).
    last_in_order: Option<Instant>,
    stats: LinkStats,
}

fn probability(p: f64) -> f64 {
    if p.is_nan() { 0.0 } else { p.clamp(0.0, 1.0) }
}

impl Link {
    pub(crate) fn new(config: LinkConfig, rng: StdRng) -> Self {
        Self {
            config,
            rng,
            busy_until: None,
            queue: VecDeque::new(),
            queued_bytes: 0,
            last_in_order: None,
            stats: LinkStats::default(),
        }
    }

    pub(crate) fn config(&self) -> &LinkConfig {
        &self.config
    }

    pub(crate) fn set_config(&mut self, config: LinkConfig) {
        self.config = config;
    }

    pub(crate) fn stats(&self) -> LinkStats {
        self.stats
    }

    fn chance(&mut self, p: f64) -> bool {
        let p = probability(p);
        p > 0.0 && self.rng.random_bool(p)
    }

    fn jitter(&mut self) -> Duration {
        let max = self.config.jitter.as_nanos();
        if max == 0 {
            return Duration::ZERO;
        }
        let max = u64::try_from(max).unwrap_or(u64::MAX);
        Duration::from_nanos(self.rng.random_range(0..=max))
    }

    /// Serialization time of `wire_len` bytes at the configured rate.
    fn transmission_time(&self, wire_len: usize) -> Duration {
        match self.config.bandwidth_bps {
            Some(bps) if bps > 0 => {
                let bits = u128::try_from(wire_len).unwrap_or(u128::MAX) * 8;
                let nanos = bits * 1_000_000_000 / u128::from(bps);
                Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
            }
            _ => Duration::ZERO,
        }
    }

    /// Offers a datagram of `wire_len` bytes (IP packet size) to the link at `now`.
    pub(crate) fn admit(&mut self, now: Instant, wire_len: usize) -> Result<Arrivals, DropReason> {
        self.stats.offered += 1;
        if wire_len > self.config.mtu {
            self.stats.dropped_mtu += 1;
            return Err(DropReason::Mtu);
        }
        if self.chance(self.config.loss) {
            self.stats.dropped_loss += 1;
            return Err(DropReason::Loss);
        }
        let departure = if self.config.bandwidth_bps.is_some() {
            while let Some(&(leaves, size)) = self.queue.front() {
                if leaves > now {
                    break;
                }
                self.queue.pop_front();
                self.queued_bytes -= size;
            }
            if self.queued_bytes + wire_len > self.config.queue_bytes {
                self.stats.dropped_queue += 1;
                return Err(DropReason::QueueFull);
            }
            let start = self.busy_until.map_or(now, |busy| busy.max(now));
            let departure = start + self.transmission_time(wire_len);
            self.busy_until = Some(departure);
            self.queue.push_back((departure, wire_len));
            self.queued_bytes += wire_len;
            departure
        } else {
            now
        };
        let first = self.arrival(departure);
        let duplicate = if self.chance(self.config.duplicate) {
            self.stats.duplicated += 1;
            Some(self.arrival(departure))
        } else {
            None
        };
        self.stats.passed += 1;
        self.stats.bytes_passed += u64::try_from(wire_len).unwrap_or(u64::MAX);
        Ok(Arrivals { first, duplicate })
    }

    fn arrival(&mut self, departure: Instant) -> Instant {
        let base = departure + self.config.delay + self.jitter();
        if self.chance(self.config.reorder) {
            self.stats.reordered += 1;
            return base + self.config.reorder_delay;
        }
        if self.config.jitter_reorders {
            return base;
        }
        let arrival = self.last_in_order.map_or(base, |last| last.max(base));
        self.last_in_order = Some(arrival);
        arrival
    }
}

#[cfg(test)]
mod tests;
