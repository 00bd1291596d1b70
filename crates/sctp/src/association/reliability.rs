//! Partial reliability (RFC 3758): messages abandoned after a number of retransmissions or
//! once their lifetime is over, and FORWARD TSN both ways.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use super::Association;
use crate::wire::{ForwardTsnRepr, ForwardTsnStream, IForwardTsnRepr, IForwardTsnStream};

/// How hard the association tries to deliver a message (RFC 3758 §1, the policies data
/// channels use: RFC 8831 §6.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PartialReliability {
    /// Retransmitted until acknowledged.
    Reliable,
    /// Abandoned when it would be sent a retransmission more than this many times.
    MaxRetransmits(u32),
    /// Abandoned once this long has passed since it was queued.
    Lifetime(Duration),
}

impl Association {
    /// Abandons what its policy gives up on (RFC 3758 §3.5 A1–A3) when it is due to be sent
    /// again: a chunk marked for retransmission past its retransmission limit or its lifetime;
    /// then every other chunk of the same messages, and their unsent rest. A chunk in flight is
    /// left alone until it is found lost, so this costs the marked chunks only, not the whole
    /// flight, on every packet. When the peer supports FORWARD TSN it is told; otherwise
    /// nothing is abandoned.
    pub(super) fn abandon(&mut self, now: Instant) {
        if !self.peer.is_some_and(|p| p.features.forward_tsn) {
            return;
        }
        let mut messages: HashSet<(u16, u32, bool)> = HashSet::new();
        self.outstanding.abandon_marked(|sent| {
            let f = &sent.payload.fragment;
            let give_up = f.max_retransmits.is_some_and(|n| sent.transmissions > n)
                || f.expires.is_some_and(|t| now >= t);
            if give_up {
                messages.insert((f.stream, f.sequence, f.unordered));
            }
            give_up
        });
        if messages.is_empty() {
            return;
        }
        self.outstanding.abandon(|_, sent| {
            let f = &sent.payload.fragment;
            messages.contains(&(f.stream, f.sequence, f.unordered))
        });
        for &(stream, sequence, unordered) in &messages {
            self.queue.discard_started(stream, sequence, unordered);
        }
        if self.outstanding.advanced_point() > self.outstanding.cumulative() {
            self.pending.forward_tsn = true;
        }
    }

    /// The peer abandoned messages (RFC 3758 §3.6): the cumulative point moves past them and
    /// delivery on their streams goes on; a SACK tells the peer at once.
    pub(super) fn receive_forward_tsn(&mut self, forward: &ForwardTsnRepr<'_>) {
        let Some(tracker) = self.tracker.as_mut() else {
            return;
        };
        let before = tracker.cumulative_tsn();
        if !tracker.forward(forward.new_cumulative_tsn) {
            return;
        }
        if tracker.cumulative_tsn() == before {
            // Out of date: at or behind our cumulative point (RFC 3758 §3.6). Its stream
            // entries were applied when it was new; applying them again would skip messages
            // still to come. A SACK tells the peer where we are.
            self.pending.sack = true;
            return;
        }
        let up_to = tracker.unwrapped(tracker.cumulative_tsn());
        for entry in forward.streams.iter() {
            self.reassembly.skip(entry.stream_id, u32::from(entry.ssn));
        }
        self.reassembly.drop_unordered_up_to(up_to);
        self.pending.sack = true;
    }

    /// The peer abandoned I-DATA messages (I-FORWARD-TSN, RFC 8260 §2.3.1): as FORWARD TSN,
    /// with ordered and unordered messages named by MID.
    pub(super) fn receive_iforward_tsn(&mut self, forward: &IForwardTsnRepr<'_>) {
        let Some(tracker) = self.tracker.as_mut() else {
            return;
        };
        let before = tracker.cumulative_tsn();
        if !tracker.forward(forward.new_cumulative_tsn) {
            return;
        }
        if tracker.cumulative_tsn() == before {
            // Out of date, as for FORWARD TSN above.
            self.pending.sack = true;
            return;
        }
        for entry in forward.streams.iter() {
            if entry.unordered {
                self.reassembly.skip_unordered(entry.stream_id, entry.mid);
            } else {
                self.reassembly.skip(entry.stream_id, entry.mid);
            }
        }
        self.pending.sack = true;
    }

    /// The I-FORWARD-TSN to send, if one is due (RFC 8260 §2.3): the advanced point, and for
    /// each stream and U bit the highest MID abandoned at or below it.
    pub(super) fn iforward_tsn_fields(&self) -> Option<(u32, Vec<IForwardTsnStream>)> {
        let point = self.outstanding.advanced_point();
        if point <= self.outstanding.cumulative() {
            return None;
        }
        let mut streams: Vec<IForwardTsnStream> = Vec::new();
        for sent in self.outstanding.skipped() {
            let f = &sent.payload.fragment;
            let found = streams
                .iter_mut()
                .find(|s| s.stream_id == f.stream && s.unordered == f.unordered);
            match found {
                Some(entry) if crate::serial::before(entry.mid, f.sequence) => {
                    entry.mid = f.sequence;
                }
                Some(_) => {}
                None => streams.push(IForwardTsnStream {
                    stream_id: f.stream,
                    unordered: f.unordered,
                    mid: f.sequence,
                }),
            }
        }
        Some(((point % (1 << 32)) as u32, streams))
    }

    /// The FORWARD TSN to send, if one is due: the advanced point, and for each stream the
    /// highest SSN of an ordered message abandoned at or below it (RFC 3758 §3.5 C4). Only
    /// messages below the new cumulative TSN are named, so the peer never skips a message
    /// whose chunks may still arrive.
    pub(super) fn forward_tsn_fields(&self) -> Option<(u32, Vec<ForwardTsnStream>)> {
        let point = self.outstanding.advanced_point();
        if point <= self.outstanding.cumulative() {
            return None;
        }
        let mut streams: Vec<ForwardTsnStream> = Vec::new();
        for sent in self.outstanding.skipped() {
            let f = &sent.payload.fragment;
            if f.unordered {
                continue;
            }
            let ssn = (f.sequence & 0xffff) as u16;
            match streams.iter_mut().find(|s| s.stream_id == f.stream) {
                Some(entry) if crate::serial::before(entry.ssn, ssn) => entry.ssn = ssn,
                Some(_) => {}
                None => streams.push(ForwardTsnStream {
                    stream_id: f.stream,
                    ssn,
                }),
            }
        }
        Some(((point % (1 << 32)) as u32, streams))
    }
}
