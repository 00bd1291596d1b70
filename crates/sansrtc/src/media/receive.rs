//! One RTP stream we receive: the sequence and loss statistics of RFC 3550 §A.1 and §A.3,
//! interarrival jitter (§6.4.1, §A.8), what the peer's last SR said (for LSR and DLSR), and
//! the packets missing that a generic NACK (RFC 4585 §6.2.1) asks for again.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use sansrtc_rtp::rtcp::ReportBlock;

/// How many missing packets one stream remembers; a larger gap is a jump, not a loss.
const MAX_MISSING: usize = 500;
/// How often one missing packet is asked for at most.
const NACK_RETRIES: u8 = 10;
/// After this a missing packet is no longer asked for.
const NACK_GIVE_UP: Duration = Duration::from_secs(1);
/// The shortest time between two NACKs for one packet.
const NACK_MIN_INTERVAL: Duration = Duration::from_millis(20);

#[derive(Debug, Clone, Copy)]
struct Missing {
    sequence: u64,
    since: Instant,
    retries: u8,
    next: Instant,
}

/// Reception statistics and NACK state of one SSRC.
#[derive(Debug)]
pub(crate) struct ReceiveStream {
    pub(crate) ssrc: u32,
    pub(crate) clock_rate: u32,
    base: Option<u64>,
    pub(crate) highest: u64,
    pub(crate) received: u64,
    pub(crate) bytes: u64,
    expected_prior: u64,
    received_prior: u64,
    last_transit: Option<i64>,
    /// Interarrival jitter in RTP timestamp units, times 16 (RFC 3550 §A.8).
    jitter_q4: u64,
    /// The middle 32 bits of the NTP timestamp of the peer's last SR, and when it came.
    last_sr: Option<(u32, Instant)>,
    missing: VecDeque<Missing>,
    pub(crate) nacks_sent: u64,
    pub(crate) plis_sent: u64,
    pub(crate) firs_sent: u64,
    pub(crate) fir_sequence: u8,
    /// Packets that came as retransmissions (RTX).
    pub(crate) repaired: u64,
    /// Its simulcast layer, from the rtp-stream-id extension of its first packet.
    pub(crate) rid: Option<super::transceiver::Rid>,
}

impl ReceiveStream {
    pub(crate) fn new(ssrc: u32, clock_rate: u32) -> Self {
        Self {
            ssrc,
            clock_rate,
            base: None,
            highest: 0,
            received: 0,
            bytes: 0,
            expected_prior: 0,
            received_prior: 0,
            last_transit: None,
            jitter_q4: 0,
            last_sr: None,
            missing: VecDeque::new(),
            nacks_sent: 0,
            plis_sent: 0,
            firs_sent: 0,
            fir_sequence: 0,
            repaired: 0,
            rid: None,
        }
    }

    /// `sequence` extended to 64 bits, nearest the highest seen (RFC 3550 §A.1).
    pub(crate) fn extend(&self, sequence: u16) -> u64 {
        sansrtc_rtp::rtp::extend_sequence(self.base.map(|_| self.highest), sequence)
    }

    /// Counts one authenticated packet: statistics, jitter and the missing list. Returns its
    /// extended sequence number.
    pub(crate) fn on_packet(
        &mut self,
        now: Instant,
        origin: Instant,
        sequence: u16,
        timestamp: u32,
        size: usize,
        track_missing: bool,
    ) -> u64 {
        let extended = self.extend(sequence);
        self.received += 1;
        self.bytes += size as u64;
        match self.base {
            None => {
                self.base = Some(extended);
                self.highest = extended;
            }
            Some(_) if extended > self.highest => {
                if track_missing {
                    let gap = extended - self.highest - 1;
                    if gap as usize > MAX_MISSING {
                        self.missing.clear();
                    } else {
                        for s in self.highest + 1..extended {
                            if self.missing.len() == MAX_MISSING {
                                self.missing.pop_front();
                            }
                            self.missing.push_back(Missing {
                                sequence: s,
                                since: now,
                                retries: 0,
                                next: now,
                            });
                        }
                    }
                }
                self.highest = extended;
            }
            Some(_) => {
                if let Some(i) = self.missing.iter().position(|m| m.sequence == extended) {
                    self.missing.remove(i);
                }
            }
        }
        // Interarrival jitter (§A.8), with arrival in timestamp units since `origin`.
        let arrival = (now.saturating_duration_since(origin).as_secs_f64()
            * f64::from(self.clock_rate)) as i64;
        let transit = arrival - i64::from(timestamp);
        if let Some(last) = self.last_transit {
            let d = (transit - last).unsigned_abs() & 0xffff_ffff;
            let j = self.jitter_q4 as i64;
            self.jitter_q4 = (j + d as i64 - ((j + 8) >> 4)).max(0) as u64;
        }
        self.last_transit = Some(transit);
        extended
    }

    /// The jitter in timestamp units.
    pub(crate) fn jitter(&self) -> u32 {
        u32::try_from(self.jitter_q4 >> 4).unwrap_or(u32::MAX)
    }

    /// Packets lost so far (expected minus received, RFC 3550 §A.3).
    pub(crate) fn lost(&self) -> i64 {
        let Some(base) = self.base else {
            return 0;
        };
        (self.highest + 1 - base) as i64 - self.received as i64
    }

    /// The peer's SR for this SSRC: its NTP time, for LSR.
    pub(crate) fn on_sender_report(&mut self, now: Instant, ntp: u64) {
        self.last_sr = Some(((ntp >> 16) as u32, now));
    }

    /// A report block for this stream (RFC 3550 §6.4.1), closing the interval.
    pub(crate) fn report_block(&mut self, now: Instant) -> Option<ReportBlock> {
        let base = self.base?;
        let expected = self.highest + 1 - base;
        let expected_interval = expected - self.expected_prior;
        let received_interval = self.received - self.received_prior;
        self.expected_prior = expected;
        self.received_prior = self.received;
        let lost_interval = expected_interval.saturating_sub(received_interval);
        let fraction_lost = (lost_interval << 8)
            .checked_div(expected_interval)
            .map_or(0, |f| f.min(255) as u8);
        let (lsr, dlsr) = self.last_sr.map_or((0, 0), |(lsr, at)| {
            let delay = now.saturating_duration_since(at).as_secs_f64() * 65536.0;
            (lsr, delay as u32)
        });
        Some(ReportBlock {
            ssrc: self.ssrc,
            fraction_lost,
            cumulative_lost: ReportBlock::saturating_cumulative_lost(self.lost()),
            // Our extension starts in cycle 1 (room for early packets); the report counts
            // cycles from 0.
            extended_highest_sequence: (self.highest.saturating_sub(1 << 16) & 0xffff_ffff) as u32,
            jitter: self.jitter(),
            last_sender_report: lsr,
            delay_since_last_sender_report: dlsr,
        })
    }

    /// The missing sequence numbers to ask for now (each at most every `max(rtt,
    /// 20 ms)`, ten times, for a second), written into `out`.
    pub(crate) fn due_nacks(&mut self, now: Instant, rtt: Duration, out: &mut Vec<u16>) {
        out.clear();
        let interval = rtt.max(NACK_MIN_INTERVAL);
        self.missing.retain(|m| {
            m.retries < NACK_RETRIES && now.saturating_duration_since(m.since) < NACK_GIVE_UP
        });
        for m in &mut self.missing {
            if m.next <= now {
                out.push(m.sequence as u16);
                m.retries += 1;
                m.next = now + interval;
            }
        }
        if !out.is_empty() {
            self.nacks_sent += 1;
        }
    }

    /// When a missing packet is next due to be asked for.
    pub(crate) fn next_nack(&self) -> Option<Instant> {
        self.missing.iter().map(|m| m.next).min()
    }
}
