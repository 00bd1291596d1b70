//! Transport-wide congestion control feedback, receiving side
//! (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1): the arrival time of every packet
//! that carried a transport-wide sequence number, reported to the sender every 100 ms, each
//! sequence number from the first not yet reported to the highest seen, as received (with its
//! receive delta) or not. The sender's congestion controller reads them; sansrtc surfaces them
//! as RTCP events (`Event::Rtcp`) on that side.

use std::time::{Duration, Instant};

use sansrtc_rtp::rtcp::{Reception, TransportCcRepr};

/// How often feedback goes while packets arrive.
pub(super) const FEEDBACK_INTERVAL: Duration = Duration::from_millis(100);
/// Sequence numbers one message reports at most (the rest go in the next).
const MAX_PER_MESSAGE: u64 = 1000;
/// Arrivals kept between two messages at most.
const MAX_PENDING: usize = 4096;
/// The reference time unit, microseconds.
const REFERENCE_UNIT_US: i64 = 64_000;

/// Arrivals not yet reported.
#[derive(Debug, Default)]
pub(super) struct TwccReceiver {
    /// (extended sequence number, arrival in µs since the media origin).
    pending: Vec<(u64, i64)>,
    highest: Option<u64>,
    /// The first sequence number not yet reported.
    next: Option<u64>,
    feedback_count: u8,
    media_ssrc: u32,
    /// When the next message is due, while arrivals wait.
    pub(super) due: Option<Instant>,
}

impl TwccReceiver {
    /// A packet of `media_ssrc` with transport-wide sequence number `sequence` arrived at
    /// `arrival_us`.
    pub(super) fn record(&mut self, now: Instant, sequence: u16, arrival_us: i64, media_ssrc: u32) {
        let extended = sansrtc_rtp::rtp::extend_sequence(self.highest, sequence);
        // Already reported (a late duplicate): nothing more to say.
        if self.next.is_some_and(|n| extended < n) || self.pending.len() >= MAX_PENDING {
            return;
        }
        self.highest = Some(self.highest.map_or(extended, |h| h.max(extended)));
        self.media_ssrc = media_ssrc;
        self.pending.push((extended, arrival_us));
        self.due.get_or_insert(now + FEEDBACK_INTERVAL);
    }

    /// The next feedback message, if arrivals wait: from the first unreported sequence number
    /// to the highest seen (at most [`MAX_PER_MESSAGE`]), each received or not.
    pub(super) fn build(&mut self, now: Instant, sender_ssrc: u32) -> Option<TransportCcRepr> {
        if self.pending.is_empty() {
            self.due = None;
            return None;
        }
        self.pending.sort_unstable_by_key(|p| p.0);
        self.pending.dedup_by_key(|p| p.0);
        let base = self.next.unwrap_or(self.pending[0].0);
        let last = self.highest.unwrap_or(base).min(base + MAX_PER_MESSAGE - 1);
        let first_arrival = self.pending.iter().find(|p| p.0 >= base)?.1;
        let reference_time = first_arrival.div_euclid(REFERENCE_UNIT_US);
        let mut previous = reference_time * REFERENCE_UNIT_US;
        let mut packets = Vec::with_capacity((last - base + 1) as usize);
        let mut arrivals = self.pending.iter().filter(|p| p.0 >= base).peekable();
        let mut end = base;
        for sequence in base..=last {
            let arrival = arrivals.next_if(|p| p.0 == sequence).map(|p| p.1);
            let reception = match arrival {
                None => Reception::NotReceived,
                Some(at) => match Reception::received_us(at - previous) {
                    Some(r) => {
                        previous = at;
                        r
                    }
                    // Too far from the previous one for a delta: the next message starts here.
                    None => break,
                },
            };
            packets.push(reception);
            end = sequence + 1;
        }
        if packets.is_empty() {
            return None;
        }
        self.pending.retain(|p| p.0 >= end);
        self.next = Some(end);
        self.due = (!self.pending.is_empty()).then_some(now + FEEDBACK_INTERVAL);
        let count = self.feedback_count;
        self.feedback_count = count.wrapping_add(1);
        Some(TransportCcRepr {
            sender_ssrc,
            media_ssrc: self.media_ssrc,
            base_sequence_number: (base & 0xffff) as u16,
            reference_time: (reference_time & 0x00ff_ffff) as i32,
            feedback_packet_count: count,
            packets,
            omit_receive_deltas: false,
        })
    }
}
