//! Handshake message reassembly (RFC 6347 §4.2.2–4.2.3): fragments in, whole messages out,
//! in `message_seq` order.
//!
//! Fragments may arrive in any order, overlap, repeat, or repeat cut at other sizes (a
//! retransmitted flight may be re-fragmented for a smaller PMTU, RFC 6347 §4.1.1.1). Each
//! message gets one buffer, allocated when its first useful fragment arrives, holding the
//! 12-byte unfragmented header, the body and a one-bit-per-byte coverage map; the map is cut
//! off before delivery, so a delivered [`HandshakeMessage`] is exactly the transcript form
//! (RFC 6347 §4.2.6) with no further copy.
//!
//! # Policy
//! - `message_seq < next`: the message was delivered already. The fragment is dropped and
//!   reported as [`FragmentStatus::Retransmission`] so the state machine can tell that the
//!   peer is retransmitting its previous flight and answer with its own (RFC 6347 §4.2.4).
//! - `next <= message_seq <= next + max_future_messages`: buffered (RFC 6347 §4.2.2: an
//!   implementation "SHOULD queue" future messages, and MAY drop them "if it is running out
//!   of memory").
//! - beyond that: dropped, [`FragmentStatus::TooFarAhead`]. The peer retransmits.
//! - A message longer than `max_message_len`: refused with
//!   `Error::Protocol(ILLEGAL_PARAMETER)`, as OpenSSL does for an excessive message size.
//! - A fragment whose type or length disagrees with what was already buffered for its
//!   `message_seq`: refused with `Error::Protocol(ILLEGAL_PARAMETER)` and **the buffered
//!   message is kept**. RFC 6347 §4.2.3 requires every fragment of a message to carry the
//!   same length and type but names no alert; since epoch-0 handshake records are not
//!   authenticated, anyone on path could inject such a fragment, so the caller should treat
//!   this as a rejected datagram (RFC 6347 §4.1.2.7: invalid records "SHOULD be silently
//!   discarded") rather than abort the handshake. The error carries the alert to send if it
//!   decides otherwise.
//! - Overlapping bytes: the later fragment's bytes are written over the earlier ones until
//!   the message is complete (the transcript check of Finished catches any tampering).
//!
//! Every error leaves the reassembler unchanged.
//!
//! # Memory
//! At most `max_future_messages + 1` messages are buffered, each at most
//! `12 + max_message_len + ceil(max_message_len / 8)` bytes: see
//! [`Reassembler::max_buffered_bytes`]. With the defaults that is 9 × 73,740 bytes (about
//! 648 KiB).

use crate::Error;
use crate::wire::handshake::{HANDSHAKE_HEADER_LEN, Handshake, HandshakeFragment, HandshakeHeader};
use crate::wire::{AlertDescription, HandshakeType};

/// Default largest message body: 64 KiB, room for WebRTC's certificate chains (usually a
/// single self-signed certificate of under 1 KiB).
pub const DEFAULT_MAX_MESSAGE_LEN: usize = 64 * 1024;

/// Default number of messages buffered beyond the next expected one: a whole server flight
/// (ServerHello … ServerHelloDone) fits even when its first message is lost.
pub const DEFAULT_MAX_FUTURE_MESSAGES: u16 = 8;

/// What [`Reassembler::insert`] did with a fragment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FragmentStatus {
    /// New body bytes were stored (or a zero-length message was recorded).
    Stored,
    /// The fragment brought nothing new: its bytes were held already, the message is complete
    /// and waiting for [`Reassembler::pop`], or it is an empty fragment of a non-empty
    /// message.
    NothingNew,
    /// The message was delivered already: the peer is retransmitting (RFC 6347 §4.2.4).
    Retransmission,
    /// The message is too far ahead of the next expected one; dropped (RFC 6347 §4.2.2).
    TooFarAhead,
}

/// A whole handshake message, in the unfragmented transcript form (RFC 6347 §4.2.6).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HandshakeMessage {
    header: HandshakeHeader,
    bytes: Vec<u8>,
}

impl HandshakeMessage {
    /// The unfragmented header (offset 0, fragment length = length).
    pub fn header(&self) -> HandshakeHeader {
        self.header
    }

    /// The message type.
    pub fn msg_type(&self) -> HandshakeType {
        self.header.msg_type
    }

    /// The message's sequence number.
    pub fn message_seq(&self) -> u16 {
        self.header.message_seq
    }

    /// The body.
    pub fn body(&self) -> &[u8] {
        self.bytes.get(HANDSHAKE_HEADER_LEN..).unwrap_or_default()
    }

    /// Header and body: exactly the bytes the handshake transcript hashes (RFC 6347 §4.2.6).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The transcript bytes, without copying.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// Checks the body as its type.
    ///
    /// # Errors
    /// As [`Handshake::parse`].
    pub fn parse(&self) -> Result<Handshake<'_>, Error> {
        Handshake::parse(self.header.msg_type, self.body())
    }
}

/// A message being put together.
#[derive(Debug)]
struct Pending {
    /// Unfragmented header.
    header: HandshakeHeader,
    /// Header bytes, then `length` body bytes, then the coverage bitmap.
    buf: Vec<u8>,
    /// Body bytes received so far.
    covered: usize,
}

impl Pending {
    fn new(header: HandshakeHeader) -> Self {
        let header = header.to_unfragmented();
        let len = header.length as usize;
        let mut buf = vec![0; HANDSHAKE_HEADER_LEN + len + len.div_ceil(8)];
        if let Some(head) = buf.get_mut(..HANDSHAKE_HEADER_LEN) {
            head.copy_from_slice(&header.to_bytes_unchecked());
        }
        Self {
            header,
            buf,
            covered: 0,
        }
    }

    fn len(&self) -> usize {
        self.header.length as usize
    }

    fn is_complete(&self) -> bool {
        self.covered == self.len()
    }

    /// Copies a fragment checked to lie within the message; returns how many bytes were new.
    fn store(&mut self, fragment: &HandshakeFragment<'_>) -> usize {
        let range = fragment.header.fragment_range();
        let len = self.len();
        let (message, bitmap) = self.buf.split_at_mut(HANDSHAKE_HEADER_LEN + len);
        let body = message.get_mut(HANDSHAKE_HEADER_LEN..).unwrap_or_default();
        if let Some(dst) = body.get_mut(range.clone()) {
            dst.copy_from_slice(fragment.body);
        }
        let fresh = mark(bitmap, range.start, range.end);
        self.covered += fresh;
        fresh
    }
}

/// Sets bits `start..end` of `bitmap` (bit `i` is bit `i % 8` of byte `i / 8`); returns how
/// many were clear.
fn mark(bitmap: &mut [u8], start: usize, end: usize) -> usize {
    if start >= end {
        return 0;
    }
    let mut fresh = 0;
    let (first, last) = (start / 8, (end - 1) / 8);
    for (k, byte) in bitmap.iter_mut().enumerate().take(last + 1).skip(first) {
        let lo = start.max(8 * k) - 8 * k;
        let hi = end.min(8 * k + 8) - 8 * k;
        let mask = ((1u16 << hi) - (1u16 << lo)) as u8;
        fresh += (mask & !*byte).count_ones() as usize;
        *byte |= mask;
    }
    fresh
}

/// Puts handshake messages back together from their fragments and hands them out in
/// `message_seq` order (RFC 6347 §4.2.2–4.2.3). See the [module docs](self) for the policy
/// and the memory bound.
#[derive(Debug)]
pub struct Reassembler {
    next: u32,
    pending: Vec<Pending>,
    max_message_len: usize,
    max_future_messages: u16,
}

impl Default for Reassembler {
    fn default() -> Self {
        Self::new()
    }
}

impl Reassembler {
    /// Expects message_seq 0 first, with the default limits.
    pub fn new() -> Self {
        Self {
            next: 0,
            pending: Vec::new(),
            max_message_len: DEFAULT_MAX_MESSAGE_LEN,
            max_future_messages: DEFAULT_MAX_FUTURE_MESSAGES,
        }
    }

    /// Sets the largest body accepted (at most 2^24 - 1 is meaningful).
    #[must_use]
    pub fn with_max_message_len(mut self, max_message_len: usize) -> Self {
        self.max_message_len = max_message_len;
        self
    }

    /// Sets how many messages beyond the next expected one are buffered.
    #[must_use]
    pub fn with_max_future_messages(mut self, max_future_messages: u16) -> Self {
        self.max_future_messages = max_future_messages;
        self
    }

    /// The largest body accepted.
    pub fn max_message_len(&self) -> usize {
        self.max_message_len
    }

    /// How many messages beyond the next expected one are buffered.
    pub fn max_future_messages(&self) -> u16 {
        self.max_future_messages
    }

    /// The message_seq expected next; 65536 once message 65535 was delivered, after which
    /// every fragment is a retransmission.
    pub fn next_message_seq(&self) -> u32 {
        self.next
    }

    /// Expects `message_seq` next: for a server that answered a ClientHello statelessly
    /// (HelloVerifyRequest, RFC 6347 §4.2.1) and so starts from the second ClientHello's
    /// sequence number, or for a new handshake. Buffered messages outside the new window are
    /// dropped.
    pub fn set_next_message_seq(&mut self, message_seq: u16) {
        self.next = u32::from(message_seq);
        let (low, high) = (self.next, self.window_end());
        self.pending
            .retain(|p| (low..=high).contains(&u32::from(p.header.message_seq)));
    }

    /// Drops every buffered message; the next expected message_seq stays.
    pub fn clear(&mut self) {
        self.pending.clear();
    }

    fn window_end(&self) -> u32 {
        self.next + u32::from(self.max_future_messages)
    }

    /// Whether a fragment belongs to a message delivered already (RFC 6347 §4.2.4: the peer
    /// retransmits its last flight because it did not see ours).
    pub fn is_retransmission(&self, header: &HandshakeHeader) -> bool {
        u32::from(header.message_seq) < self.next
    }

    /// Takes one fragment. Call [`pop`](Self::pop) afterwards until it returns `None`.
    ///
    /// # Errors
    /// The reassembler is unchanged on error.
    /// - [`Error::Malformed`] when the fragment is inconsistent in itself (body length other
    ///   than `fragment_length`, range past `length`, 24-bit overflow).
    /// - `Error::Protocol(ILLEGAL_PARAMETER)` when the message is longer than
    ///   [`max_message_len`](Self::max_message_len), or when type or length disagree with
    ///   the fragments already buffered for the same message_seq (see the module docs: drop
    ///   the datagram rather than fail the handshake).
    pub fn insert(&mut self, fragment: &HandshakeFragment<'_>) -> Result<FragmentStatus, Error> {
        fragment.check()?;
        let header = &fragment.header;
        let seq = u32::from(header.message_seq);
        if seq < self.next {
            return Ok(FragmentStatus::Retransmission);
        }
        if seq > self.window_end() {
            return Ok(FragmentStatus::TooFarAhead);
        }
        if header.length as usize > self.max_message_len {
            return Err(Error::Protocol(AlertDescription::ILLEGAL_PARAMETER));
        }
        let at = self
            .pending
            .partition_point(|p| u32::from(p.header.message_seq) < seq);
        let known = self
            .pending
            .get(at)
            .filter(|p| p.header.message_seq == header.message_seq);
        if let Some(p) = known {
            if p.header.msg_type != header.msg_type || p.header.length != header.length {
                return Err(Error::Protocol(AlertDescription::ILLEGAL_PARAMETER));
            }
        } else {
            if fragment.body.is_empty() && header.length > 0 {
                return Ok(FragmentStatus::NothingNew);
            }
            self.pending.insert(at, Pending::new(*header));
            if header.length == 0 {
                return Ok(FragmentStatus::Stored);
            }
        }
        let Some(pending) = self.pending.get_mut(at) else {
            return Ok(FragmentStatus::NothingNew);
        };
        if pending.is_complete() {
            return Ok(FragmentStatus::NothingNew);
        }
        Ok(if pending.store(fragment) > 0 {
            FragmentStatus::Stored
        } else {
            FragmentStatus::NothingNew
        })
    }

    /// Whether [`pop`](Self::pop) has a message to hand out.
    pub fn has_message(&self) -> bool {
        self.pending
            .first()
            .is_some_and(|p| u32::from(p.header.message_seq) == self.next && p.is_complete())
    }

    /// The next message in message_seq order, once all its bytes are in.
    pub fn pop(&mut self) -> Option<HandshakeMessage> {
        if !self.has_message() {
            return None;
        }
        let mut pending = self.pending.remove(0);
        pending.buf.truncate(HANDSHAKE_HEADER_LEN + pending.len());
        self.next += 1;
        Some(HandshakeMessage {
            header: pending.header,
            bytes: pending.buf,
        })
    }

    /// How many messages are buffered (complete or not).
    pub fn buffered_messages(&self) -> usize {
        self.pending.len()
    }

    /// Bytes held in message buffers, bitmaps included.
    pub fn buffered_bytes(&self) -> usize {
        self.pending.iter().map(|p| p.buf.len()).sum()
    }

    /// The most [`buffered_bytes`](Self::buffered_bytes) can reach with these limits.
    pub fn max_buffered_bytes(&self) -> usize {
        let per_message =
            HANDSHAKE_HEADER_LEN + self.max_message_len + self.max_message_len.div_ceil(8);
        (usize::from(self.max_future_messages) + 1).saturating_mul(per_message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mark_counts_only_new_bits() {
        let mut bitmap = [0u8; 3];
        assert_eq!(mark(&mut bitmap, 3, 13), 10);
        assert_eq!(bitmap, [0b1111_1000, 0b0001_1111, 0]);
        assert_eq!(mark(&mut bitmap, 0, 24), 14);
        assert_eq!(bitmap, [0xff; 3]);
        assert_eq!(mark(&mut bitmap, 5, 5), 0);
    }
}
