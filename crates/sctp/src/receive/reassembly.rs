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
//! acknowledge its TSN (so the peer sends it again once room is made, RFC 9260 §6.2).

use std::collections::{BTreeMap, HashMap, VecDeque};

use super::pieces::Pieces;
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
    bytes: usize,
}

impl Partial {
    fn complete(&self) -> bool {
        matches!((self.first, self.last), (Some(f), Some(l))
            if l >= f && self.pieces.len() as u64 == l - f + 1)
    }

    /// The message's bytes in one buffer from `pool`; the fragments' buffers go back to it.
    fn into_data(self, pool: &mut BufferPool) -> Vec<u8> {
        let mut data = pool.take(self.bytes);
        let shell = self.pieces.drain_into(&mut data, |piece| pool.give(piece));
        pool.give_shell(shell);
        data
    }
}

/// Spare buffers for messages and fragments: the fragments' buffers once their message is
/// whole, and the messages' buffers the application gives back. Small and large buffers are
/// kept apart, so a fragment does not take a message's buffer nor a message a fragment's.
/// Bounded in count and bytes.
#[derive(Debug, Default)]
struct BufferPool {
    small: Vec<Vec<u8>>,
    large: Vec<Vec<u8>>,
    bytes: usize,
    /// Emptied fragment lists.
    shells: Vec<Vec<(u64, Vec<u8>)>>,
}

impl BufferPool {
    /// At most this many buffers are kept.
    const MAX_BUFFERS: usize = 256;
    /// At most this many bytes of capacity are kept.
    const MAX_BYTES: usize = 1 << 20;
    /// Buffers up to this capacity hold fragments (a packet's worth) and small messages.
    const SMALL: usize = 2048;

    /// An empty buffer with room for `len` bytes.
    fn take(&mut self, len: usize) -> Vec<u8> {
        let shelf = if len <= Self::SMALL {
            &mut self.small
        } else {
            &mut self.large
        };
        match shelf.pop() {
            Some(mut buffer) => {
                self.bytes -= buffer.capacity();
                buffer.clear();
                buffer.reserve(len);
                buffer
            }
            None => Vec::with_capacity(len),
        }
    }

    /// Fragment storage for a new message.
    fn take_shell(&mut self) -> Pieces {
        Pieces::in_shell(self.shells.pop().unwrap_or_default())
    }

    /// Keeps an emptied fragment list for a later message.
    fn give_shell(&mut self, shell: Vec<(u64, Vec<u8>)>) {
        if shell.capacity() > 0 && self.shells.len() < 16 && shell.capacity() <= 1024 {
            self.shells.push(shell);
        }
    }

    /// Keeps `buffer` for later, if there is room.
    fn give(&mut self, buffer: Vec<u8>) {
        let capacity = buffer.capacity();
        if capacity > 0
            && self.small.len() + self.large.len() < Self::MAX_BUFFERS
            && self.bytes + capacity <= Self::MAX_BYTES
        {
            self.bytes += capacity;
            if capacity <= Self::SMALL {
                self.small.push(buffer);
            } else {
                self.large.push(buffer);
            }
        }
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
            ready: VecDeque::new(),
            held: 0,
            limit,
            pool: BufferPool::default(),
        }
    }

    /// Bytes held: fragments and whole messages not yet taken.
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
        self.held -= message.data.len();
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
            self.held += fragment.payload.len();
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
                stream.waiting.insert(sequence, (fragment.ppid, data));
                if interleaved {
                    stream.unwrapper.unwrap(fragment.sequence);
                } else {
                    stream.unwrapper.unwrap(fragment.sequence as u16);
                }
                Self::deliver_ordered(fragment.stream, stream, &mut self.ready);
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
        let partial = partials.entry(key).or_insert_with(|| Partial {
            pieces: pool.take_shell(),
            ..Partial::default()
        });
        if partial.pieces.contains(position) {
            // The same fragment again (the TSN tracker normally stops this).
            return Ok(());
        }
        let mut piece = self.pool.take(fragment.payload.len());
        piece.extend_from_slice(fragment.payload);
        partial.pieces.insert(position, piece);
        partial.bytes += fragment.payload.len();
        self.held += fragment.payload.len();
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
            stream
                .waiting
                .insert(key, (ppid, p.into_data(&mut self.pool)));
            Self::deliver_ordered(fragment.stream, stream, &mut self.ready);
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

    /// Moves ordered messages whose turn has come to the ready queue.
    fn deliver_ordered(id: u16, stream: &mut Stream, ready: &mut VecDeque<Message>) {
        loop {
            let Some((&first, _)) = stream.waiting.first_key_value() else {
                return;
            };
            let next = stream.next;
            if first != next {
                return;
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
                + stream.waiting.values().map(|(_, d)| d.len()).sum::<usize>();
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
        Self::deliver_ordered(id, stream, &mut self.ready);
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
        }
        self.held -= dropped;
    }
}

fn merge(into: &mut Partial, from: Partial) {
    into.bytes += from.bytes;
    if from.last.is_some() {
        into.last = from.last;
    }
    into.pieces.merge(from.pieces);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn frag(
        tsn: u64,
        stream: u16,
        sequence: u32,
        b: bool,
        e: bool,
        payload: &[u8],
    ) -> Fragment<'_> {
        Fragment {
            tsn,
            stream,
            sequence,
            fsn: 0,
            ppid: 51,
            unordered: false,
            beginning: b,
            end: e,
            payload,
        }
    }

    fn drain(r: &mut Reassembly) -> Vec<(u16, Vec<u8>)> {
        std::iter::from_fn(|| r.pop())
            .map(|m| (m.stream, m.data))
            .collect()
    }

    #[test]
    fn ordered_messages_wait_for_earlier_ones_of_their_stream_only() {
        let mut r = Reassembly::new(false, 1 << 20);
        r.insert(&frag(11, 1, 1, true, true, b"s1 second")).unwrap();
        r.insert(&frag(12, 2, 0, true, true, b"s2 first")).unwrap();
        assert_eq!(
            drain(&mut r),
            [(2, b"s2 first".to_vec())],
            "stream 2 is not blocked by stream 1"
        );
        r.insert(&frag(10, 1, 0, true, true, b"s1 first")).unwrap();
        assert_eq!(
            drain(&mut r),
            [(1, b"s1 first".to_vec()), (1, b"s1 second".to_vec())]
        );
        assert_eq!(r.held(), 0);
    }

    #[test]
    fn fragments_in_any_order_make_one_message() {
        let mut r = Reassembly::new(false, 1 << 20);
        r.insert(&frag(22, 0, 0, false, true, b"!")).unwrap();
        r.insert(&frag(20, 0, 0, true, false, b"hel")).unwrap();
        assert!(r.pop().is_none());
        r.insert(&frag(21, 0, 0, false, false, b"lo")).unwrap();
        assert_eq!(drain(&mut r), [(0, b"hello!".to_vec())]);
    }

    #[test]
    fn unordered_data_fragments_are_joined_by_consecutive_tsns() {
        let mut r = Reassembly::new(false, 1 << 20);
        let u = |tsn, b, e, p: &'static [u8]| Fragment {
            unordered: true,
            ..frag(tsn, 3, 0, b, e, p)
        };
        r.insert(&u(32, false, true, b"c")).unwrap();
        r.insert(&u(40, true, true, b"solo")).unwrap();
        r.insert(&u(31, false, false, b"b")).unwrap();
        assert_eq!(drain(&mut r), [(3, b"solo".to_vec())]);
        r.insert(&u(30, true, false, b"a")).unwrap();
        assert_eq!(drain(&mut r), [(3, b"abc".to_vec())]);
        assert_eq!(r.held(), 0);
    }

    #[test]
    fn interleaved_messages_on_one_stream_assemble_by_fsn() {
        let mut r = Reassembly::new(true, 1 << 20);
        let i = |tsn, mid, fsn, b, e, p: &'static [u8]| Fragment {
            fsn,
            ..frag(tsn, 0, mid, b, e, p)
        };
        r.insert(&i(1, 0, 0, true, false, b"big-")).unwrap();
        r.insert(&i(2, 1, 0, true, true, b"small")).unwrap();
        assert!(r.pop().is_none(), "MID 1 waits for MID 0");
        r.insert(&i(3, 0, 1, false, true, b"end")).unwrap();
        assert_eq!(
            drain(&mut r),
            [(0, b"big-end".to_vec()), (0, b"small".to_vec())]
        );
    }

    #[test]
    fn the_byte_limit_refuses_what_would_go_past_it() {
        let mut r = Reassembly::new(false, 10);
        r.insert(&frag(1, 0, 0, true, false, b"12345678")).unwrap();
        assert_eq!(
            r.insert(&frag(2, 0, 0, false, true, b"abc")),
            Err(Refused::Full)
        );
        assert_eq!(r.held(), 8);
    }

    #[test]
    fn stale_ordered_messages_are_refused() {
        let mut r = Reassembly::new(false, 1 << 20);
        r.insert(&frag(1, 0, 0, true, true, b"x")).unwrap();
        assert_eq!(
            r.insert(&frag(2, 0, 0, true, true, b"x")),
            Err(Refused::Stale)
        );
    }

    #[test]
    fn a_stream_reset_drops_what_was_pending_and_starts_again() {
        let mut r = Reassembly::new(false, 1 << 20);
        r.insert(&frag(1, 4, 5, true, false, b"part")).unwrap();
        r.reset_stream(4);
        assert_eq!(r.held(), 0);
        r.insert(&frag(9, 4, 0, true, true, b"fresh")).unwrap();
        assert_eq!(drain(&mut r), [(4, b"fresh".to_vec())]);
    }

    #[test]
    fn a_forward_tsn_drops_abandoned_unordered_fragments_but_not_a_message_still_arriving() {
        let unordered = |f: Fragment<'static>| Fragment {
            unordered: true,
            ..f
        };
        let mut r = Reassembly::new(false, 1 << 20);
        // TSN 10: the middle of an abandoned message (its B at 9 never came).
        r.insert(&unordered(frag(10, 2, 0, false, false, b"orphan")))
            .unwrap();
        // TSNs 11-12: the start of a reliable message whose end (13) is still on its way.
        r.insert(&unordered(frag(11, 2, 0, true, false, b"rel")))
            .unwrap();
        r.insert(&unordered(frag(12, 2, 0, false, false, b"iab")))
            .unwrap();
        // TSN 15: the end of another reliable message whose start (14) was lost and is being
        // sent again: above the cumulative point, it stays.
        r.insert(&unordered(frag(15, 2, 0, false, true, b"!")))
            .unwrap();
        // The cumulative TSN moves to 12 (9 and 10 abandoned, 11-12 arrived).
        r.drop_unordered_up_to(12);
        assert_eq!(r.held(), 7, "the orphan went, the reliable pieces stayed");
        r.insert(&unordered(frag(13, 2, 0, false, true, b"le")))
            .unwrap();
        r.insert(&unordered(frag(14, 2, 0, true, false, b"ok")))
            .unwrap();
        assert_eq!(
            drain(&mut r),
            [(2, b"reliable".to_vec()), (2, b"ok!".to_vec())]
        );
        assert_eq!(r.held(), 0);
    }

    #[test]
    fn skipping_abandoned_messages_resumes_delivery() {
        let mut r = Reassembly::new(false, 1 << 20);
        r.insert(&frag(1, 0, 0, true, true, b"zero")).unwrap();
        r.insert(&frag(2, 0, 1, true, false, b"lost-half")).unwrap();
        r.insert(&frag(5, 0, 2, true, true, b"two")).unwrap();
        assert_eq!(drain(&mut r), [(0, b"zero".to_vec())]);
        r.skip(0, 1);
        assert_eq!(drain(&mut r), [(0, b"two".to_vec())]);
        assert_eq!(r.held(), 0);
    }

    proptest! {
        /// Messages of several streams, fragmented, delivered in any order: every message
        /// comes out whole exactly once, ordered ones in order per stream.
        #[test]
        fn shuffled_fragments_reassemble_in_order(
            messages in proptest::collection::vec((0u16..3, any::<bool>(), 1usize..40), 1..30),
            interleaved in any::<bool>(),
            seed in any::<u64>(),
        ) {
            let max_fragment = 7;
            let mut fragments = Vec::new();
            let mut payloads = Vec::new();
            let mut next_ssn = [0u32; 3];
            let mut tsn = 100u64;
            for (n, &(stream, unordered, len)) in messages.iter().enumerate() {
                let data: Vec<u8> = (0..len).map(|i| (n * 31 + i) as u8).collect();
                let sequence = if unordered { 0 } else {
                    let s = next_ssn[usize::from(stream)];
                    next_ssn[usize::from(stream)] += 1;
                    s
                };
                let pieces: Vec<&[u8]> = data.chunks(max_fragment).collect();
                payloads.push((stream, unordered, data.clone()));
                for (fsn, piece) in pieces.iter().enumerate() {
                    fragments.push((tsn, stream, sequence, fsn as u32, unordered, fsn == 0, fsn + 1 == pieces.len(), piece.to_vec()));
                    tsn += 1;
                }
            }
            // Unordered I-DATA messages need their own MID too.
            if interleaved {
                let mut mids = [1000u32; 3];
                let mut current = None;
                for f in &mut fragments {
                    if f.4 {
                        if f.5 { mids[usize::from(f.1)] += 1; current = Some(mids[usize::from(f.1)]); }
                        f.2 = current.unwrap_or(0);
                    }
                }
            }
            // A deterministic shuffle.
            let mut state = seed | 1;
            for i in (1..fragments.len()).rev() {
                state ^= state << 13; state ^= state >> 7; state ^= state << 17;
                fragments.swap(i, (state % (i as u64 + 1)) as usize);
            }
            let mut r = Reassembly::new(interleaved, 1 << 20);
            let mut out = Vec::new();
            for f in &fragments {
                let fragment = Fragment { tsn: f.0, stream: f.1, sequence: f.2, fsn: f.3, ppid: 51, unordered: f.4, beginning: f.5, end: f.6, payload: &f.7 };
                prop_assert_eq!(r.insert(&fragment), Ok(()));
                out.extend(std::iter::from_fn(|| r.pop()));
            }
            prop_assert_eq!(r.held(), 0);
            prop_assert_eq!(out.len(), payloads.len());
            for stream in 0..3u16 {
                let sent: Vec<&Vec<u8>> = payloads.iter().filter(|p| p.0 == stream && !p.1).map(|p| &p.2).collect();
                let got: Vec<&Vec<u8>> = out.iter().filter(|m| m.stream == stream && !m.unordered).map(|m| &m.data).collect();
                prop_assert_eq!(got, sent);
                let mut sent_u: Vec<&Vec<u8>> = payloads.iter().filter(|p| p.0 == stream && p.1).map(|p| &p.2).collect();
                let mut got_u: Vec<&Vec<u8>> = out.iter().filter(|m| m.stream == stream && m.unordered).map(|m| &m.data).collect();
                sent_u.sort(); got_u.sort();
                prop_assert_eq!(got_u, sent_u);
            }
        }
    }
}
