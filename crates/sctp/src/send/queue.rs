//! User messages waiting to be sent (RFC 9260 §6.1, §6.9; RFC 8260 §2.1): per-stream queues,
//! fragmentation to the path's room on demand, stream sequence numbers (SSN for DATA, MID for
//! I-DATA), round-robin between streams, the buffered amount per stream with its
//! low-threshold crossing, and messages whose lifetime ran out before they were sent (partial
//! reliability, RFC 3758 §3.5 A1).
//!
//! With DATA, a message's fragments take consecutive TSNs (§6.9), so once a message has begun
//! the scheduler stays on it; with I-DATA it moves to the next stream after every fragment,
//! so one large message does not hold the others back (RFC 8260 §1). Fragment buffers come
//! from a pool the caller refills with the buffers of acknowledged chunks: once warm, sending
//! allocates nothing.

use std::collections::{HashMap, VecDeque};
use std::time::Instant;

/// A user message handed to the association.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// Stream.
    pub stream: u16,
    /// Payload protocol identifier.
    pub ppid: u32,
    /// U flag.
    pub unordered: bool,
    /// Bytes.
    pub data: Vec<u8>,
    /// Abandon it if not sent (fully) by then (partial reliability by lifetime).
    pub expires: Option<Instant>,
    /// Retransmissions allowed per fragment (partial reliability by count); `None`: reliable.
    pub max_retransmits: Option<u32>,
}

/// One fragment taken from the queue, ready for a TSN.
#[derive(Debug, PartialEq, Eq)]
pub struct Fragment {
    /// Stream.
    pub stream: u16,
    /// SSN (DATA) or MID (I-DATA).
    pub sequence: u32,
    /// Fragment sequence number (I-DATA; 0 for the first).
    pub fsn: u32,
    /// Payload protocol identifier.
    pub ppid: u32,
    /// U flag.
    pub unordered: bool,
    /// B flag.
    pub beginning: bool,
    /// E flag.
    pub end: bool,
    /// The fragment's bytes (a pooled buffer).
    pub payload: Vec<u8>,
    /// From the message, for partial reliability.
    pub expires: Option<Instant>,
    /// From the message, for partial reliability.
    pub max_retransmits: Option<u32>,
}

/// Buffers larger than this are not kept for fragments (a chunk is at most an MTU).
pub const MAX_POOLED_CAPACITY: usize = 4096;

/// At most this many spare buffers are kept (they come back from acknowledged chunks, so the
/// pool never holds more than was in flight; an idle association gives them all back).
pub const MAX_POOLED: usize = 1024;

#[derive(Debug)]
struct Queued {
    message: Outgoing,
    /// Bytes already cut off.
    offset: usize,
    /// Assigned when its first fragment goes.
    sequence: Option<u32>,
    fsn: u32,
}

#[derive(Debug, Default)]
struct Stream {
    queue: VecDeque<Queued>,
    next_ordered: u32,
    next_unordered: u32,
    /// Bytes queued and not yet cut into fragments.
    buffered: usize,
    low_threshold: usize,
    /// Reported crossing below the threshold once per crossing.
    above_threshold: bool,
}

/// The send queue of an association.
#[derive(Debug)]
pub struct SendQueue {
    interleaved: bool,
    streams: HashMap<u16, Stream>,
    /// Streams with something queued, in round-robin order.
    active: VecDeque<u16>,
    /// With DATA: the stream whose message has begun and must finish first.
    current: Option<u16>,
    buffered: usize,
    /// Streams whose buffered amount just went to or below its low threshold.
    low: VecDeque<u16>,
}

impl SendQueue {
    /// A queue for DATA (`interleaved` false) or I-DATA.
    pub fn new(interleaved: bool) -> Self {
        Self {
            interleaved,
            streams: HashMap::new(),
            active: VecDeque::new(),
            current: None,
            buffered: 0,
            low: VecDeque::new(),
        }
    }

    /// Bytes queued on every stream.
    pub fn buffered(&self) -> usize {
        self.buffered
    }

    /// Bytes queued on one stream (the data channel's `bufferedAmount`).
    pub fn buffered_on(&self, stream: u16) -> usize {
        self.streams.get(&stream).map_or(0, |s| s.buffered)
    }

    /// Sets a stream's low threshold (`bufferedAmountLowThreshold`).
    pub fn set_low_threshold(&mut self, stream: u16, threshold: usize) {
        self.streams.entry(stream).or_default().low_threshold = threshold;
    }

    /// The next stream whose buffered amount fell to its low threshold or below.
    pub fn poll_low(&mut self) -> Option<u16> {
        self.low.pop_front()
    }

    /// Whether nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.active.is_empty()
    }

    /// Queues a message.
    pub fn push(&mut self, message: Outgoing) {
        let id = message.stream;
        let stream = self.streams.entry(id).or_default();
        let len = message.data.len();
        if stream.queue.is_empty() {
            self.active.push_back(id);
        }
        stream.buffered += len;
        stream.above_threshold |= stream.buffered > stream.low_threshold;
        self.buffered += len;
        stream.queue.push_back(Queued {
            message,
            offset: 0,
            sequence: None,
            fsn: 0,
        });
    }

    /// The unsent bytes of the message `next_fragment` would cut from next (ignoring expiry):
    /// the sender uses it to start a message in a new packet rather than split one that fits
    /// a packet whole.
    pub fn peek_remaining(&self) -> Option<usize> {
        let id = self.current.or_else(|| self.active.front().copied())?;
        let queued = self.streams.get(&id)?.queue.front()?;
        Some(queued.message.data.len() - queued.offset)
    }

    /// Gives back spare capacity once nothing is queued (an idle association): the
    /// per-stream queues, the round-robin list and the stream table. Per-stream sequence
    /// numbers and thresholds stay.
    pub fn compact(&mut self) {
        for stream in self.streams.values_mut() {
            if stream.queue.is_empty() {
                stream.queue = VecDeque::new();
            }
        }
        if self.active.is_empty() {
            self.active = VecDeque::new();
        }
        if self.low.is_empty() {
            self.low = VecDeque::new();
        }
        self.streams.shrink_to_fit();
    }

    /// Drops the unsent rest of a message whose first fragments went and were abandoned
    /// (RFC 3758 §3.5 A3: all of a message is abandoned together).
    pub fn discard_started(&mut self, id: u16, sequence: u32, unordered: bool) {
        let Some(stream) = self.streams.get_mut(&id) else {
            return;
        };
        let matches = stream.queue.front().is_some_and(|q| {
            q.message.unordered == unordered
                && q.sequence.is_some_and(|s| {
                    if self.interleaved {
                        s == sequence
                    } else {
                        s & 0xffff == sequence & 0xffff
                    }
                })
        });
        if !matches {
            return;
        }
        if let Some(dropped) = stream.queue.pop_front() {
            let rest = dropped.message.data.len() - dropped.offset;
            stream.buffered -= rest;
            self.buffered -= rest;
        }
        if self.current == Some(id) {
            self.current = None;
        }
        if stream.queue.is_empty() {
            self.active.retain(|&s| s != id);
        }
        Self::check_low(&mut self.low, id, stream);
    }

    /// Whether `id` has a message queued, or the unsent rest of one.
    pub fn has_queued(&self, id: u16) -> bool {
        self.streams.get(&id).is_some_and(|s| !s.queue.is_empty())
    }

    /// Switches between DATA and I-DATA sequence numbers (once the handshake has said which);
    /// only before the first fragment is taken.
    pub fn set_interleaved(&mut self, interleaved: bool) {
        self.interleaved = interleaved;
    }

    /// The stream's outgoing sequence numbers start again at 0 (after an outgoing SSN reset,
    /// RFC 6525 §5.1.2); call once its queue is empty.
    pub fn reset_stream(&mut self, id: u16) {
        if let Some(stream) = self.streams.get_mut(&id) {
            stream.next_ordered = 0;
            stream.next_unordered = 0;
        }
    }

    /// Cuts the next fragment of at most `room` payload bytes (at least one byte of room
    /// assumed); messages whose lifetime ran out before their first fragment are dropped
    /// (returned through `expired`). `pool` supplies the fragment buffer.
    pub fn next_fragment(
        &mut self,
        now: Instant,
        room: usize,
        pool: &mut Vec<Vec<u8>>,
        mut expired: impl FnMut(Outgoing),
    ) -> Option<Fragment> {
        let room = room.max(1);
        loop {
            let id = match self.current {
                Some(id) => id,
                None => *self.active.front()?,
            };
            let Some(stream) = self.streams.get_mut(&id) else {
                self.active.retain(|&s| s != id);
                self.current = None;
                continue;
            };
            let Some(queued) = stream.queue.front_mut() else {
                self.active.retain(|&s| s != id);
                self.current = None;
                continue;
            };
            if queued.sequence.is_none() && queued.message.expires.is_some_and(|t| now >= t) {
                let len = queued.message.data.len();
                let dropped = stream.queue.pop_front();
                stream.buffered -= len;
                self.buffered -= len;
                Self::check_low(&mut self.low, id, stream);
                if stream.queue.is_empty() {
                    self.active.retain(|&s| s != id);
                }
                if let Some(dropped) = dropped {
                    expired(dropped.message);
                }
                continue;
            }
            let sequence = *queued.sequence.get_or_insert_with(|| {
                let counter = if queued.message.unordered {
                    &mut stream.next_unordered
                } else {
                    &mut stream.next_ordered
                };
                let s = *counter;
                *counter = counter.wrapping_add(1);
                s
            });
            let total = queued.message.data.len();
            let take = (total - queued.offset).min(room);
            // A message that fits one chunk goes in its own buffer, without a copy; the
            // fragments of a larger one are copied into pooled buffers.
            let payload = if queued.offset == 0 && take == total {
                std::mem::take(&mut queued.message.data)
            } else {
                let mut payload = pool.pop().unwrap_or_default();
                payload.clear();
                payload
                    .extend_from_slice(&queued.message.data[queued.offset..queued.offset + take]);
                payload
            };
            let beginning = queued.offset == 0;
            queued.offset += take;
            let end = queued.offset == total;
            let fragment = Fragment {
                stream: id,
                sequence: if self.interleaved {
                    sequence
                } else {
                    sequence & 0xffff
                },
                fsn: queued.fsn,
                ppid: queued.message.ppid,
                unordered: queued.message.unordered,
                beginning,
                end,
                payload,
                expires: queued.message.expires,
                max_retransmits: queued.message.max_retransmits,
            };
            queued.fsn += 1;
            stream.buffered -= take;
            self.buffered -= take;
            if end {
                if let Some(done) = stream.queue.pop_front() {
                    // The message's own buffer joins the pool, unless it went as the chunk or
                    // is so large it would pin memory while its fragments are in flight.
                    let capacity = done.message.data.capacity();
                    if capacity > 0 && capacity <= MAX_POOLED_CAPACITY && pool.len() < MAX_POOLED {
                        pool.push(done.message.data);
                    }
                }
                self.current = None;
            } else if !self.interleaved {
                self.current = Some(id);
            }
            Self::check_low(&mut self.low, id, stream);
            // Round robin: the stream goes to the back after a whole message (DATA) or any
            // fragment (I-DATA), if it has more.
            if self.current.is_none() {
                // The stream served is the front one: O(1).
                if self.active.front() == Some(&id) {
                    self.active.pop_front();
                } else {
                    self.active.retain(|&s| s != id);
                }
                if !stream.queue.is_empty() {
                    self.active.push_back(id);
                }
            }
            return Some(fragment);
        }
    }

    fn check_low(low: &mut VecDeque<u16>, id: u16, stream: &mut Stream) {
        if stream.above_threshold && stream.buffered <= stream.low_threshold {
            stream.above_threshold = false;
            low.push_back(id);
        }
    }
}
