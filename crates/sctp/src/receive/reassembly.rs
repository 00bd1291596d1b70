//! Reassembly and ordered delivery of user messages (RFC 9260 §6.5, §6.6, §6.9; RFC 8260 §2.1
//! for I-DATA).
//!
//! Fragments arrive as [`Fragment`]s (from DATA or I-DATA chunks whose TSN was new). A message
//! is complete when its first (B) and last (E) fragment and everything between are in:
//! consecutive TSNs for DATA (§6.9), fragment sequence numbers 0..=last for I-DATA. Ordered
//! messages leave in stream sequence order per stream, never blocking another stream;
//! unordered ones leave as soon as they are whole. A single-fragment message is copied once,
//! into its delivery buffer; fragments are copied once into their message's buffer.
//!
//! Memory: the bytes held (fragments and complete messages not yet delivered) are counted and
//! bounded; a fragment that would go past the bound is refused, and the caller does not
//! acknowledge its TSN (so the peer sends it again once room is made, RFC 9260 §6.2). What is
//! counted includes each fragment's and message's bookkeeping, charged as fixed overheads:
//! otherwise a peer sending 1-byte fragments makes the receiver hold a hundred times its
//! window.

use std::collections::{BTreeMap, HashMap, VecDeque};

use super::pieces::Pieces;
use super::pool::BufferPool;
use crate::serial::Unwrapper;

/// One fragment of a user message, from a DATA or I-DATA chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fragment<'a> {
    /// The chunk's TSN (unwrapped by the caller's TSN tracking).
    pub tsn: u64,
    /// The stream.
    pub stream: u16,
    /// DATA: the stream sequence number. I-DATA: the message identifier.
    pub sequence: u32,
    /// I-DATA: the fragment sequence number (0 for the first). DATA: unused.
    pub fsn: u32,
    /// The payload protocol identifier (DATA: every fragment; I-DATA: the first).
    pub ppid: u32,
    /// The U flag.
    pub unordered: bool,
    /// The B flag.
    pub beginning: bool,
    /// The E flag.
    pub end: bool,
    /// User data.
    pub payload: &'a [u8],
}

/// A whole user message, ready for the application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The stream it came on.
    pub stream: u16,
    /// Its payload protocol identifier.
    pub ppid: u32,
    /// Whether it was sent unordered.
    pub unordered: bool,
    /// Its bytes.
    pub data: Vec<u8>,
}

/// Why a fragment was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Refused {
    /// Taking it would hold more than the limit: do not acknowledge its TSN.
    Full,
    /// Its ordered sequence number was delivered already (a stale retransmission).
    Stale,
}

/// Bytes charged for each fragment of a message being assembled, beyond its payload: its
/// buffer's header and its slot in the fragment list (measured: under 64).
pub const FRAGMENT_OVERHEAD: usize = 64;
/// Bytes charged for each message being assembled: its record and, when it is alone, the map
/// node holding it (measured: up to about 1,100 bytes).
pub const PARTIAL_OVERHEAD: usize = 1280;
/// Bytes charged for each whole message waiting for delivery: its record and, when it is
/// alone, the map node holding it (measured: up to about 460 bytes).
pub const MESSAGE_OVERHEAD: usize = 512;

/// A message being put together.
#[derive(Debug, Default)]
struct Partial {
    /// Fragments by position: TSN (DATA) or FSN (I-DATA).
    pieces: Pieces,
    /// Position of the first fragment, once seen.
    first: Option<u64>,
    /// Position of the last fragment, once seen.
    last: Option<u64>,
    ppid: u32,
    /// Bytes of payload.
    payload: usize,
    /// Bytes charged to the receive buffer: the payload, [`FRAGMENT_OVERHEAD`] per fragment
    /// and [`PARTIAL_OVERHEAD`] (once per message it was merged from).
    bytes: usize,
}

impl Partial {
    fn complete(&self) -> bool {
        matches!((self.first, self.last), (Some(f), Some(l))
            if l >= f && self.pieces.len() as u64 == l - f + 1)
    }

    /// The message's bytes in one buffer from `pool`; the fragments' buffers go back to it.
    fn into_data(self, pool: &mut BufferPool) -> Vec<u8> {
        let mut data = pool.take(self.payload);
        let shell = self.pieces.drain_into(&mut data, |piece| pool.give(piece));
        pool.give_shell(shell);
        data
    }
}

/// One stream's receive state.
#[derive(Debug)]
struct Stream {
    /// Unwraps SSNs (16 bits) or MIDs (32 bits) of ordered messages.
    unwrapper: Unwrapper,
    /// The next ordered sequence number to deliver, unwrapped (SSNs and MIDs start at 0,
    /// RFC 9260 §6.5, RFC 8260 §2.1).
    next: u64,
    /// Ordered messages being assembled, by sequence number.
    ordered: BTreeMap<u64, Partial>,
    /// Whole ordered messages waiting for an earlier one.
    waiting: BTreeMap<u64, (u32, Vec<u8>)>,
    /// Unordered messages being assembled: I-DATA by MID; DATA by the TSN of their first
    /// fragment once known (loose fragments wait under their own TSN).
    unordered: BTreeMap<u64, Partial>,
}

impl Stream {
    /// Gives back the node an emptied map keeps (an emptied B-tree keeps its root).
    fn shed(&mut self) {
        if self.waiting.is_empty() {
            self.waiting = BTreeMap::new();
        }
        if self.ordered.is_empty() {
            self.ordered = BTreeMap::new();
        }
        if self.unordered.is_empty() {
            self.unordered = BTreeMap::new();
        }
    }

    fn new(interleaved: bool) -> Self {
        let unwrapper = if interleaved {
            Unwrapper::starting_at(0u32)
        } else {
            Unwrapper::starting_at(0u16)
        };
        let next = if interleaved {
            unwrapper.peek(0u32)
        } else {
            unwrapper.peek(0u16)
        };
        Self {
            unwrapper,
            next,
            ordered: BTreeMap::new(),
            waiting: BTreeMap::new(),
            unordered: BTreeMap::new(),
        }
    }
}

/// The receive queue of an association.
#[derive(Debug)]
pub struct Reassembly {
    interleaved: bool,
    streams: HashMap<u16, Stream>,
    /// The stream of the last fragment taken: the only one whose emptied maps keep their
    /// nodes, for its next message. Without this a peer could leave up to three nodes, about
    /// 2.5 KB, on each of 65,535 streams (one message of each kind on each) until the
    /// association next idles.
    active: Option<u16>,
    ready: VecDeque<Message>,
    held: usize,
    limit: usize,
    pool: BufferPool,
}

impl Reassembly {
    /// A queue for DATA (`interleaved` false) or I-DATA chunks, holding at most `limit` bytes.
    pub fn new(interleaved: bool, limit: usize) -> Self {
        Self {
            interleaved,
            streams: HashMap::new(),
            active: None,
            ready: VecDeque::new(),
            held: 0,
            limit,
            pool: BufferPool::default(),
        }
    }

    /// Bytes held: fragments and whole messages not yet taken, each with its bookkeeping
    /// overhead ([`FRAGMENT_OVERHEAD`], [`PARTIAL_OVERHEAD`], [`MESSAGE_OVERHEAD`]).
    pub fn held(&self) -> usize {
        self.held
    }

    /// Takes back a delivered message's buffer for a later message (bounded: the rest are
    /// freed).
    pub fn recycle(&mut self, buffer: Vec<u8>) {
        self.pool.give(buffer);
    }

    /// The next whole message, in delivery order.
    pub fn pop(&mut self) -> Option<Message> {
        let message = self.ready.pop_front()?;
        self.held -= message.data.len() + MESSAGE_OVERHEAD;
        Some(message)
    }

    /// Takes a fragment whose TSN was new.
    ///
    /// # Errors
    /// [`Refused::Full`] beyond the byte limit, [`Refused::Stale`] for an ordered sequence
    /// number already delivered; nothing is kept then.
    pub fn insert(&mut self, fragment: &Fragment<'_>) -> Result<(), Refused> {
        if self.held + fragment.payload.len() > self.limit {
            return Err(Refused::Full);
        }
        let interleaved = self.interleaved;
        if self.active != Some(fragment.stream) {
            if let Some(previous) = self.active.and_then(|id| self.streams.get_mut(&id)) {
                previous.shed();
            }
            self.active = Some(fragment.stream);
        }
        let stream = self
            .streams
            .entry(fragment.stream)
            .or_insert_with(|| Stream::new(interleaved));
        let sequence = if interleaved {
            stream.unwrapper.peek(fragment.sequence)
        } else {
            stream.unwrapper.peek(fragment.sequence as u16)
        };
        if !fragment.unordered && sequence < stream.next {
            return Err(Refused::Stale);
        }
        // Single-fragment messages skip assembly.
        if fragment.beginning && fragment.end {
            self.held += fragment.payload.len() + MESSAGE_OVERHEAD;
            let mut data = self.pool.take(fragment.payload.len());
            data.extend_from_slice(fragment.payload);
            if fragment.unordered {
                self.ready.push_back(Message {
                    stream: fragment.stream,
                    ppid: fragment.ppid,
                    unordered: true,
                    data,
                });
            } else {
                if sequence == stream.next {
                    // Next in order: delivered at once, without a detour through the waiting
                    // map (whose node would stay behind).
                    self.ready.push_back(Message {
                        stream: fragment.stream,
                        ppid: fragment.ppid,
                        unordered: false,
                        data,
                    });
                    stream.next += 1;
                    // A message being assembled under the same number (only a broken or
                    // hostile peer sends both) can never be delivered now.
                    if let Some(stale) = stream.ordered.remove(&sequence) {
                        self.held -= stale.bytes;
                    }
                } else if let Some((_, old)) =
                    stream.waiting.insert(sequence, (fragment.ppid, data))
                {
                    // A second whole message under one sequence number (a broken or hostile
                    // peer) replaces the first, whose bytes are held no longer.
                    self.held -= old.len() + MESSAGE_OVERHEAD;
                }
                if interleaved {
                    stream.unwrapper.unwrap(fragment.sequence);
                } else {
                    stream.unwrapper.unwrap(fragment.sequence as u16);
                }
                self.held -= Self::deliver_ordered(fragment.stream, stream, &mut self.ready);
            }
            return Ok(());
        }
        let position = if interleaved {
            u64::from(fragment.fsn)
        } else {
            fragment.tsn
        };
        let key = if fragment.unordered {
            if interleaved { sequence } else { fragment.tsn }
        } else {
            sequence
        };
        let partials = if fragment.unordered {
            &mut stream.unordered
        } else {
            &mut stream.ordered
        };
        let pool = &mut self.pool;
        let held = &mut self.held;
        let partial = partials.entry(key).or_insert_with(|| {
            *held += PARTIAL_OVERHEAD;
            Partial {
                pieces: pool.take_shell(),
                bytes: PARTIAL_OVERHEAD,
                ..Partial::default()
            }
        });
        if partial.pieces.contains(position) {
            // The same fragment again (the TSN tracker normally stops this).
            return Ok(());
        }
        let mut piece = self.pool.take(fragment.payload.len());
        piece.extend_from_slice(fragment.payload);
        partial.pieces.insert(position, piece);
        partial.payload += fragment.payload.len();
        partial.bytes += fragment.payload.len() + FRAGMENT_OVERHEAD;
        self.held += fragment.payload.len() + FRAGMENT_OVERHEAD;
        if fragment.beginning {
            partial.first = Some(position);
            partial.ppid = fragment.ppid;
        }
        if fragment.end {
            partial.last = Some(position);
        }
        if !fragment.unordered {
            if interleaved {
                stream.unwrapper.unwrap(fragment.sequence);
            } else {
                stream.unwrapper.unwrap(fragment.sequence as u16);
            }
        }
        if fragment.unordered {
            // Only the message this fragment joined can have become whole: O(log n).
            let key = if interleaved {
                key
            } else {
                Self::join_unordered_data(stream, key)
            };
            if stream.unordered.get(&key).is_some_and(Partial::complete)
                && let Some(p) = stream.unordered.remove(&key)
            {
                self.held = self.held - p.bytes + p.payload + MESSAGE_OVERHEAD;
                self.ready.push_back(Message {
                    stream: fragment.stream,
                    ppid: p.ppid,
                    unordered: true,
                    data: p.into_data(&mut self.pool),
                });
            }
        } else if stream.ordered.get(&key).is_some_and(Partial::complete)
            && let Some(p) = stream.ordered.remove(&key)
        {
            let ppid = p.ppid;
            self.held = self.held - p.bytes + p.payload + MESSAGE_OVERHEAD;
            let data = p.into_data(&mut self.pool);
            if let Some((_, old)) = stream.waiting.insert(key, (ppid, data)) {
                // As above: a second message under one sequence number replaces the first.
                self.held -= old.len() + MESSAGE_OVERHEAD;
            }
            self.held -= Self::deliver_ordered(fragment.stream, stream, &mut self.ready);
        }
        Ok(())
    }

    /// Unordered DATA fragments carry no message id: a message is the run of consecutive
    /// TSNs from a B fragment to an E fragment (RFC 9260 §6.9). Loose fragments are kept under
    /// their own TSN and merged into their neighbours' runs. Returns the key of the run the
    /// fragment at `key` now belongs to.
    fn join_unordered_data(stream: &mut Stream, key: u64) -> u64 {
        // Merge the run that ends right before `key` with the one that starts at it, and the
        // one that starts right after the merged run's end.
        let mut key = key;
        // A run that starts with a B fragment begins a message of its own: the run before it
        // (an abandoned message's orphans, say) never joins it.
        let starts_message = stream
            .unordered
            .get(&key)
            .is_some_and(|current| current.first == Some(key));
        if !starts_message
            && let Some((&prev_key, prev)) = stream.unordered.range(..key).next_back()
            && prev.pieces.last_position() == Some(key - 1)
            && prev.last.is_none()
            && let Some(current) = stream.unordered.remove(&key)
            && let Some(prev) = stream.unordered.get_mut(&prev_key)
        {
            merge(prev, current);
            key = prev_key;
        }
        let end = stream
            .unordered
            .get(&key)
            .and_then(|p| p.pieces.last_position());
        if let Some(end) = end
            && stream.unordered.get(&key).is_some_and(|p| p.last.is_none())
            && stream
                .unordered
                .get(&(end + 1))
                .is_some_and(|next| next.first.is_none())
            && let Some(next) = stream.unordered.remove(&(end + 1))
            && let Some(current) = stream.unordered.get_mut(&key)
        {
            merge(current, next);
        }
        key
    }

    /// Moves ordered messages whose turn has come to the ready queue. A message still being
    /// assembled under a sequence number just delivered (a whole message came under the same
    /// number, which only a broken or hostile peer sends) can never be delivered: it is
    /// dropped, and the bytes it held are returned for the caller to take off `held`.
    fn deliver_ordered(id: u16, stream: &mut Stream, ready: &mut VecDeque<Message>) -> usize {
        let mut dropped = 0;
        loop {
            let Some((&first, _)) = stream.waiting.first_key_value() else {
                return dropped;
            };
            let next = stream.next;
            if first != next {
                return dropped;
            }
            if let Some(stale) = stream.ordered.remove(&first) {
                dropped += stale.bytes;
            }
            if let Some((ppid, data)) = stream.waiting.remove(&first) {
                ready.push_back(Message {
                    stream: id,
                    ppid,
                    unordered: false,
                    data,
                });
            }
            stream.next = next + 1;
        }
    }

    /// The stream's incoming sequence numbers start again at 0 (an SSN reset, RFC 6525
    /// §5.2.2): whatever was pending for it is dropped.
    pub fn reset_stream(&mut self, id: u16) {
        if let Some(stream) = self.streams.remove(&id) {
            let dropped: usize = stream
                .ordered
                .values()
                .chain(stream.unordered.values())
                .map(|p| p.bytes)
                .sum::<usize>()
                + stream
                    .waiting
                    .values()
                    .map(|(_, d)| d.len() + MESSAGE_OVERHEAD)
                    .sum::<usize>();
            self.held -= dropped;
        }
    }

    /// Every incoming stream starts again at 0 (an SSN reset naming no stream, RFC 6525
    /// §5.2.2 E3).
    pub fn reset_all_streams(&mut self) {
        let ids: Vec<u16> = self.streams.keys().copied().collect();
        for id in ids {
            self.reset_stream(id);
        }
    }

    /// The peer abandoned unordered I-DATA messages (I-FORWARD-TSN, RFC 8260 §2.3.1): on
    /// `stream`, partial unordered messages with a MID up to `mid` are dropped.
    pub fn skip_unordered(&mut self, id: u16, mid: u32) {
        if !self.interleaved {
            return;
        }
        let Some(stream) = self.streams.get_mut(&id) else {
            return;
        };
        let mut dropped = 0;
        stream.unordered.retain(|&key, p| {
            // Keys are MIDs here; serial comparison over 32 bits.
            let keep = crate::serial::before(mid, key as u32);
            if !keep {
                dropped += p.bytes;
            }
            keep
        });
        stream.shed();
        self.held -= dropped;
    }

    /// The peer abandoned messages (FORWARD-TSN, RFC 3758 §3.6; I-FORWARD-TSN, RFC 8260
    /// §2.3.1): on `stream`, ordered messages up to `sequence` are skipped, partial ones
    /// dropped, and delivery goes on from the next one.
    pub fn skip(&mut self, id: u16, sequence: u32) {
        let interleaved = self.interleaved;
        let Some(stream) = self.streams.get_mut(&id) else {
            return;
        };
        let upto = if interleaved {
            stream.unwrapper.unwrap(sequence)
        } else {
            stream.unwrapper.unwrap(sequence as u16)
        };
        let keep = stream.ordered.split_off(&(upto + 1));
        let dropped: usize = std::mem::replace(&mut stream.ordered, keep)
            .values()
            .map(|p| p.bytes)
            .sum();
        self.held -= dropped;
        // Whole messages at or below the skipped point are delivered as they are.
        if stream.next <= upto {
            let waiting_below: Vec<u64> = stream.waiting.range(..=upto).map(|(k, _)| *k).collect();
            for k in waiting_below {
                if let Some((ppid, data)) = stream.waiting.remove(&k) {
                    self.ready.push_back(Message {
                        stream: id,
                        ppid,
                        unordered: false,
                        data,
                    });
                }
            }
            stream.next = upto + 1;
        }
        self.held -= Self::deliver_ordered(id, stream, &mut self.ready);
        stream.shed();
    }
}

impl Reassembly {
    /// Gives back spare capacity (an idle association): the delivery queue once drained,
    /// and the per-stream maps once empty. Per-stream sequence numbers stay.
    pub fn compact(&mut self) {
        self.pool = BufferPool::default();
        if self.ready.is_empty() {
            self.ready = VecDeque::new();
        }
        for stream in self.streams.values_mut() {
            // An emptied B-tree keeps its root node; a new one holds nothing.
            if stream.ordered.is_empty() {
                stream.ordered = BTreeMap::new();
            }
            if stream.waiting.is_empty() {
                stream.waiting = BTreeMap::new();
            }
            if stream.unordered.is_empty() {
                stream.unordered = BTreeMap::new();
            }
        }
        self.streams.shrink_to_fit();
    }

    /// Drops the unordered DATA fragments that can no longer complete once the cumulative
    /// TSN is `tsn` (FORWARD TSN, RFC 3758 §3.6): a run of fragments entirely above `tsn` is
    /// kept; one reaching down to `tsn` is kept only if it has its first fragment, no hole, and
    /// the fragment it still needs is above `tsn` (it may be a reliable message whose rest is
    /// on its way); anything missing at or below `tsn` was abandoned and never comes.
    pub fn drop_unordered_up_to(&mut self, tsn: u64) {
        if self.interleaved {
            return;
        }
        let mut dropped = 0;
        for stream in self.streams.values_mut() {
            stream.unordered.retain(|_, p| {
                let (Some(low), Some(high)) = (p.pieces.first_position(), p.pieces.last_position())
                else {
                    return false;
                };
                let whole_so_far = p.first == Some(low) && p.pieces.len() as u64 == high - low + 1;
                // Entirely above: untouched. Reaching down to `tsn`: only a message that
                // began and has no hole can still be completed by what comes after `tsn`.
                let keep = low > tsn || (whole_so_far && high + 1 > tsn);
                if !keep {
                    dropped += p.bytes;
                }
                keep
            });
            stream.shed();
        }
        self.held -= dropped;
    }
}

fn merge(into: &mut Partial, from: Partial) {
    into.bytes += from.bytes;
    into.payload += from.payload;
    if from.last.is_some() {
        into.last = from.last;
    }
    into.pieces.merge(from.pieces);
}

#[cfg(test)]
#[path = "reassembly_tests.rs"]
mod tests;
