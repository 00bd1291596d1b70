//! Frame assembly: received RTP packets go in, in any order; whole frames come out, in order,
//! rebuilt by the format's [`Depacketizer`].
//!
//! Packets wait in a window of [`AssemblerConfig::max_packets`] sequence numbers (extended to
//! 64 bits across wraps, RFC 3550 §A.1). A frame is whole when its first packet is a frame
//! start ([`Depacketizer::is_frame_start`]), its last ends it
//! ([`Depacketizer::is_frame_end`]: the RTP marker for video), all share one timestamp, and no
//! sequence number between them is missing. A gap is waited for (a retransmission can fill
//! it) until a packet after it has waited [`AssemblerConfig::max_delay`], or until the window
//! is full; then the frames it broke are dropped and counted, and the next frame that begins
//! after the gap carries [`AssembledFrame::after_loss`] so the application can ask for a key
//! frame. A damaged frame is never delivered.
//!
//! Memory is bounded by the window: each slot keeps its payload buffer for the next packet, so
//! nothing is allocated per packet once the slots have grown.

use std::time::{Duration, Instant};

use crate::codec::{DepacketizeError, Depacketizer};

/// Limits of a [`FrameAssembler`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AssemblerConfig {
    /// Sequence numbers held at most (rounded up to a power of two): the reorder window.
    pub max_packets: usize,
    /// How long a packet after a gap waits for the gap to be filled before the frames the gap
    /// broke are dropped.
    pub max_delay: Duration,
    /// The largest frame rebuilt; larger ones are dropped.
    pub max_frame_size: usize,
    /// The largest payload kept; larger packets are refused.
    pub max_payload: usize,
    /// How long the first frame waits after the first packet, so that packets sent before it
    /// but overtaken by it still count (nothing delivered yet, the window can move back).
    pub startup_delay: Duration,
}

impl Default for AssemblerConfig {
    /// 1024 packets (about 1.2 MB of video), 200 ms, 8 MiB frames, 1500-byte payloads, a
    /// 20 ms start.
    fn default() -> Self {
        Self {
            max_packets: 1024,
            max_delay: Duration::from_millis(200),
            max_frame_size: 8 << 20,
            max_payload: 1500,
            startup_delay: Duration::from_millis(20),
        }
    }
}

/// A frame [`FrameAssembler::pop_frame`] wrote into the caller's buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AssembledFrame {
    /// The RTP timestamp of its packets.
    pub timestamp: u32,
    /// The extended sequence number of its first and last packets.
    pub sequence: (u64, u64),
    /// It can be decoded on its own ([`Depacketizer::is_keyframe`]).
    pub keyframe: bool,
    /// Frames were dropped before this one (since the previous frame delivered): a decoder
    /// needs a key frame unless this is one.
    pub after_loss: bool,
}

/// What a [`FrameAssembler`] counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct AssemblerStats {
    /// Frames delivered.
    pub frames_delivered: u64,
    /// Frames dropped (of which at least one packet arrived): a gap, a missing start or end,
    /// a depacketizer error, or too large.
    pub frames_dropped: u64,
    /// Packets that came after their place had been passed (delivered or given up).
    pub packets_late: u64,
    /// Packets whose sequence number was already held.
    pub packets_duplicate: u64,
    /// Packets refused for their size.
    pub packets_refused: u64,
}

/// Why [`FrameAssembler::push`] refused a packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum PushError {
    /// Its place has been passed already (or it is a duplicate).
    #[error("late or duplicate packet")]
    Late,
    /// The payload is larger than [`AssemblerConfig::max_payload`].
    #[error("payload too large")]
    TooLarge,
}

#[derive(Debug, Default)]
struct Slot {
    /// The extended sequence number held, if any.
    sequence: Option<u64>,
    timestamp: u32,
    start: bool,
    end: bool,
    arrived: Option<Instant>,
    payload: Vec<u8>,
}

/// Orders packets and rebuilds whole frames (see the module documentation).
#[derive(Debug)]
pub struct FrameAssembler<D> {
    depacketizer: D,
    config: AssemblerConfig,
    slots: Vec<Slot>,
    /// The first sequence number not yet delivered or given up.
    next: Option<u64>,
    /// The highest sequence number seen.
    highest: Option<u64>,
    /// Nothing delivered yet: the window may still move back for a packet that came early.
    started: bool,
    lost_since_delivery: bool,
    /// The timestamp of the frame dropped last, so that a frame given up in two steps (up to
    /// a gap, then after it) counts once.
    last_dropped: Option<u32>,
    /// When the first packet came.
    first_arrival: Option<Instant>,
    stats: AssemblerStats,
}

impl<D: Depacketizer> FrameAssembler<D> {
    /// An assembler for one RTP stream of the format `depacketizer` reads.
    pub fn new(depacketizer: D, config: AssemblerConfig) -> Self {
        let size = config.max_packets.clamp(2, 1 << 15).next_power_of_two();
        Self {
            depacketizer,
            config,
            slots: (0..size).map(|_| Slot::default()).collect(),
            next: None,
            highest: None,
            started: false,
            lost_since_delivery: false,
            last_dropped: None,
            first_arrival: None,
            stats: AssemblerStats::default(),
        }
    }

    /// The counters so far.
    pub fn stats(&self) -> AssemblerStats {
        self.stats
    }

    /// The depacketizer.
    pub fn depacketizer(&self) -> &D {
        &self.depacketizer
    }

    /// The sequence number `sequence` extended to 64 bits, nearest the highest seen.
    fn extend(&self, sequence: u16) -> u64 {
        sansrtc_rtp::rtp::extend_sequence(self.highest, sequence)
    }

    fn index(&self, sequence: u64) -> usize {
        (sequence as usize) & (self.slots.len() - 1)
    }

    fn held(&self, sequence: u64) -> Option<&Slot> {
        let slot = &self.slots[self.index(sequence)];
        (slot.sequence == Some(sequence)).then_some(slot)
    }

    /// Takes one packet's fields and payload (copied into the window).
    ///
    /// # Errors
    /// [`PushError`]; the packet changed nothing but a counter.
    pub fn push(
        &mut self,
        now: Instant,
        sequence: u16,
        timestamp: u32,
        marker: bool,
        payload: &[u8],
    ) -> Result<(), PushError> {
        if payload.len() > self.config.max_payload {
            self.stats.packets_refused += 1;
            return Err(PushError::TooLarge);
        }
        let sequence = self.extend(sequence);
        let window = self.slots.len() as u64;
        self.first_arrival.get_or_insert(now);
        match self.next {
            None => self.next = Some(sequence),
            Some(next) if sequence < next => {
                // Before anything was delivered, a packet that overtook the first one moves
                // the window back, as long as nothing held falls out of it.
                let fits = self.highest.is_some_and(|h| h - sequence < window);
                if self.started || !fits {
                    self.stats.packets_late += 1;
                    return Err(PushError::Late);
                }
                self.next = Some(sequence);
            }
            Some(_) => {}
        }
        if self.held(sequence).is_some() {
            self.stats.packets_duplicate += 1;
            return Err(PushError::Late);
        }
        // The window slides forward: what falls out of it is given up.
        if let Some(next) = self.next
            && sequence >= next + window
        {
            self.give_up(sequence + 1 - window);
        }
        let start = self.depacketizer.is_frame_start(payload);
        let end = self.depacketizer.is_frame_end(payload, marker);
        let index = self.index(sequence);
        let slot = &mut self.slots[index];
        slot.sequence = Some(sequence);
        slot.timestamp = timestamp;
        slot.start = start;
        slot.end = end;
        slot.arrived = Some(now);
        slot.payload.clear();
        slot.payload.extend_from_slice(payload);
        self.highest = Some(self.highest.map_or(sequence, |h| h.max(sequence)));
        Ok(())
    }

    /// Drops everything before `until`, and then the rest of a frame cut by it: the window
    /// resumes at the first frame start at or after `until`.
    fn give_up(&mut self, until: u64) {
        let Some(next) = self.next else {
            return;
        };
        let mut last_timestamp = self.last_dropped;
        let mut dropped = 0;
        let mut forget = |assembler: &mut Self, sequence: u64| {
            if let Some(slot) = assembler.held(sequence) {
                if last_timestamp != Some(slot.timestamp) {
                    dropped += 1;
                    last_timestamp = Some(slot.timestamp);
                }
                let index = assembler.index(sequence);
                assembler.slots[index].sequence = None;
            }
        };
        // Nothing is held past a window from `next`. A sequence number given up that never
        // came is a loss too, even when nothing of its frame arrived.
        let window = self.slots.len() as u64;
        let mut missing = until > next + window;
        for sequence in next..until.min(next + window) {
            missing |= self.held(sequence).is_none();
            forget(self, sequence);
        }
        if missing {
            self.lost_since_delivery = true;
        }
        let mut next = until.max(next);
        while self.held(next).is_some_and(|s| !s.start) {
            forget(self, next);
            next += 1;
        }
        self.drop_frames(dropped);
        self.last_dropped = last_timestamp;
        self.next = Some(next);
    }

    fn drop_frames(&mut self, count: u64) {
        if count > 0 {
            self.stats.frames_dropped += count;
            self.lost_since_delivery = true;
        }
    }

    /// The first packet held after `from` (exclusive), up to the highest.
    fn first_held_after(&self, from: u64) -> Option<&Slot> {
        let highest = self.highest?;
        (from + 1..=highest).find_map(|s| self.held(s))
    }

    /// The next whole frame, in order, written into `frame` (cleared first); `None` while the
    /// next frame is incomplete and may still be completed. Gaps that have waited
    /// [`AssemblerConfig::max_delay`] are given up here.
    pub fn pop_frame(&mut self, now: Instant, frame: &mut Vec<u8>) -> Option<AssembledFrame> {
        let starting = self
            .first_arrival
            .is_some_and(|t| now.saturating_duration_since(t) < self.config.startup_delay);
        if !self.started && starting {
            return None;
        }
        loop {
            let (next, highest) = (self.next?, self.highest?);
            if next > highest {
                return None;
            }
            let Some(head) = self.held(next) else {
                // A gap: wait for it, unless what came after it has waited long enough.
                let waited = self
                    .first_held_after(next)
                    .and_then(|s| s.arrived)
                    .is_some_and(|t| now.saturating_duration_since(t) >= self.config.max_delay);
                if !waited {
                    return None;
                }
                self.give_up(next + 1);
                continue;
            };
            if !head.start {
                // Its start was lost or given up: the frame cannot be rebuilt. Unless nothing
                // was delivered yet: then the start may still come, out of order.
                let young = head
                    .arrived
                    .is_some_and(|t| now.saturating_duration_since(t) < self.config.max_delay);
                if !self.started && young {
                    return None;
                }
                self.give_up(next);
                continue;
            }
            let timestamp = head.timestamp;
            let mut last = next;
            let complete = loop {
                let Some(slot) = self.held(last) else {
                    break None; // a gap inside the frame
                };
                if slot.timestamp != timestamp {
                    break Some(false); // the next frame began before this one ended
                }
                if slot.end {
                    break Some(true);
                }
                if last == highest {
                    return None; // the rest has not come yet
                }
                last += 1;
            };
            match complete {
                Some(true) => {
                    if let Some(delivered) = self.deliver(next, last, frame) {
                        return Some(delivered);
                    }
                }
                Some(false) => self.give_up(last),
                None => {
                    let waited = self
                        .first_held_after(last)
                        .and_then(|s| s.arrived)
                        .is_some_and(|t| now.saturating_duration_since(t) >= self.config.max_delay);
                    if !waited {
                        return None;
                    }
                    self.give_up(last + 1);
                }
            }
        }
    }

    /// Rebuilds the frame of packets `first..=last` into `frame`, and frees their slots.
    fn deliver(&mut self, first: u64, last: u64, frame: &mut Vec<u8>) -> Option<AssembledFrame> {
        frame.clear();
        let size: usize = (first..=last)
            .filter_map(|s| self.held(s))
            .map(|s| s.payload.len())
            .sum();
        let keyframe = self
            .held(first)
            .is_some_and(|s| self.depacketizer.is_keyframe(&s.payload));
        let timestamp = self.held(first).map_or(0, |s| s.timestamp);
        let result = if size > self.config.max_frame_size {
            Err(DepacketizeError::FrameTooLarge)
        } else {
            let mask = self.slots.len() - 1;
            let slots = &self.slots;
            let mut payloads =
                (first..=last).map(|s| slots[(s as usize) & mask].payload.as_slice());
            self.depacketizer.depacketize(&mut payloads, frame)
        };
        for s in first..=last {
            let index = self.index(s);
            self.slots[index].sequence = None;
        }
        self.next = Some(last + 1);
        self.started = true;
        if result.is_err() {
            frame.clear();
            self.drop_frames(1);
            return None;
        }
        self.stats.frames_delivered += 1;
        let after_loss = std::mem::take(&mut self.lost_since_delivery);
        self.last_dropped = None;
        Some(AssembledFrame {
            timestamp,
            sequence: (first, last),
            keyframe,
            after_loss,
        })
    }
}
