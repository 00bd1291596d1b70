//! Stream reconfiguration (RFC 6525): outgoing SSN resets we ask for (how a data channel is
//! closed, RFC 8831 §6.7), and the peer's outgoing and incoming SSN reset requests, with
//! deferred reset processing while data sent before the request is still missing.
//!
//! One request of ours is outstanding at a time (§5.1.1); streams asked for meanwhile wait, and
//! a stream is not put in a request while it still has queued data, so that everything sent
//! on it before the reset gets a TSN at or below the request's Sender's Last Assigned TSN.
//! Sending on a stream being reset is refused until the peer has answered.

use std::collections::BTreeSet;
use std::time::Instant;

use super::{AbortReason, Association, Error, Event, State};
use crate::wire::{ReconfigParam, ReconfigRepr, ReconfigResult};

/// Responses waiting to go, at most (a flood of requests gets no more).
const MAX_PENDING_RESPONSES: usize = 4;

/// Our request in flight.
#[derive(Debug, Clone)]
struct Request {
    seq: u32,
    /// Sorted.
    streams: Vec<u16>,
    last_tsn: u32,
    /// The request number of the peer's Incoming SSN Reset Request this answers, if any.
    response_seq: u32,
    /// The peer answered "In progress": sent again on the timer without counting an error.
    in_progress: bool,
}

/// A peer request whose Sender's Last Assigned TSN we have not reached yet (§5.2.2 E2).
#[derive(Debug, Clone)]
struct Deferred {
    last_tsn: u64,
    /// Empty: every stream.
    streams: Vec<u16>,
}

/// The reconfiguration state of an association.
#[derive(Debug)]
pub(super) struct Reconfig {
    /// Our next Re-configuration Request Sequence Number (§5.1.1: starts at our initial TSN).
    next_seq: u32,
    /// Streams asked to be reset and not yet in a request.
    waiting: BTreeSet<u16>,
    request: Option<Request>,
    /// The request is due to be (re)sent.
    send_request: bool,
    /// The peer's Incoming SSN Reset Request our next request answers.
    answer_incoming: Option<u32>,
    /// The last peer request processed, and its result (§5.2.1: a retransmission gets it
    /// again).
    peer_last: u32,
    peer_last_result: ReconfigResult,
    deferred: Option<Deferred>,
    /// Responses to send: sequence number and result.
    responses: Vec<(u32, ReconfigResult)>,
    /// Re-send our request then.
    pub(super) timer: Option<Instant>,
}

impl Reconfig {
    /// The state for an association whose initial TSNs are `ours` and the peer's.
    pub(super) fn new(ours: u32, peers: u32) -> Self {
        Self {
            next_seq: ours,
            waiting: BTreeSet::new(),
            request: None,
            send_request: false,
            answer_incoming: None,
            peer_last: peers.wrapping_sub(1),
            peer_last_result: ReconfigResult::SuccessNothingToDo,
            deferred: None,
            responses: Vec::new(),
            timer: None,
        }
    }

    /// Whether `stream` is being reset (sending on it is refused).
    pub(super) fn resetting(&self, stream: u16) -> bool {
        self.waiting.contains(&stream)
            || self
                .request
                .as_ref()
                .is_some_and(|r| r.streams.binary_search(&stream).is_ok())
    }

    /// Whether a DATA chunk on `stream` with the unwrapped `tsn` must wait for a deferred
    /// reset (§5.2.2 E2: it was sent after the reset, so it belongs to the stream's new
    /// sequence numbers).
    pub(super) fn holds(&self, stream: u16, tsn: u64) -> bool {
        self.deferred.as_ref().is_some_and(|d| {
            tsn > d.last_tsn && (d.streams.is_empty() || d.streams.binary_search(&stream).is_ok())
        })
    }

    /// Whether anything is due to go in a RE-CONFIG chunk.
    pub(super) fn has_output(&self) -> bool {
        self.send_request || !self.responses.is_empty()
    }

    fn respond(&mut self, seq: u32, result: ReconfigResult) {
        if self.responses.len() < MAX_PENDING_RESPONSES {
            self.responses.push((seq, result));
        }
    }
}

impl Association {
    /// Resets the outgoing side of `streams` (RFC 6525 §5.1.2, how a data channel is closed,
    /// RFC 8831 §6.7): what is already queued on them is sent first, then the peer is asked
    /// to reset them, and [`Event::OutgoingStreamsReset`] reports when it has; their sequence
    /// numbers then start again at 0. Until then, sending on them fails with
    /// [`Error::StreamResetting`].
    ///
    /// # Errors
    /// [`Error::NotOpen`] unless established; [`Error::Unsupported`] when the peer did not
    /// announce RE-CONFIG.
    pub fn reset_streams(&mut self, now: Instant, streams: &[u16]) -> Result<(), Error> {
        let now = self.clock(now);
        if self.state != State::Established {
            return Err(Error::NotOpen);
        }
        if !self.peer.is_some_and(|p| p.features.reconfig) {
            return Err(Error::Unsupported);
        }
        for &stream in streams {
            if !self.reconfig.resetting(stream) {
                self.reconfig.waiting.insert(stream);
            }
        }
        self.start_reset_request(now);
        Ok(())
    }

    /// Puts the waiting streams whose queues have drained into a request, if none is
    /// outstanding (§5.1.1).
    pub(super) fn start_reset_request(&mut self, now: Instant) {
        let reconfig = &mut self.reconfig;
        if reconfig.request.is_some() || reconfig.waiting.is_empty() {
            return;
        }
        let ready: Vec<u16> = reconfig
            .waiting
            .iter()
            .copied()
            .filter(|&s| !self.queue.has_queued(s))
            .collect();
        if ready.is_empty() {
            return;
        }
        for s in &ready {
            reconfig.waiting.remove(s);
        }
        let last_tsn = self.outstanding.next_tsn().wrapping_sub(1) % (1 << 32);
        let seq = reconfig.next_seq;
        reconfig.next_seq = seq.wrapping_add(1);
        reconfig.request = Some(Request {
            seq,
            streams: ready,
            last_tsn: last_tsn as u32,
            response_seq: reconfig
                .answer_incoming
                .take()
                .unwrap_or(reconfig.peer_last),
            in_progress: false,
        });
        reconfig.send_request = true;
        reconfig.timer = Some(now + self.rto.rto());
    }

    /// A RE-CONFIG chunk from the peer (§5.2).
    pub(super) fn receive_reconfig(&mut self, now: Instant, chunk: &ReconfigRepr<'_>) {
        if !matches!(
            self.state,
            State::Established | State::ShutdownPending | State::ShutdownReceived
        ) {
            return;
        }
        for param in chunk.params.iter() {
            match param {
                ReconfigParam::OutgoingSsnResetRequest {
                    request_seq,
                    senders_last_tsn,
                    stream_ids,
                    ..
                } => {
                    let mut streams: Vec<u16> = stream_ids.iter().collect();
                    streams.sort_unstable();
                    streams.dedup();
                    self.receive_outgoing_reset(request_seq, senders_last_tsn, streams);
                }
                ReconfigParam::IncomingSsnResetRequest {
                    request_seq,
                    stream_ids,
                } => self.receive_incoming_reset(now, request_seq, stream_ids.iter()),
                ReconfigParam::SsnTsnResetRequest { request_seq }
                | ReconfigParam::AddOutgoingStreams { request_seq, .. }
                | ReconfigParam::AddIncomingStreams { request_seq, .. } => {
                    // Not offered: we announce every stream at once (RFC 8831 §6.2).
                    if self.check_request_seq(request_seq) == Some(true) {
                        self.reconfig.peer_last = request_seq;
                        self.reconfig.peer_last_result = ReconfigResult::Denied;
                    }
                    self.reconfig.respond(request_seq, ReconfigResult::Denied);
                }
                ReconfigParam::Response {
                    response_seq,
                    result,
                    ..
                } => self.receive_reconfig_response(now, response_seq, result),
                _ => {}
            }
        }
    }

    /// `Some(true)` for the next request, `Some(false)` for a retransmission of the last,
    /// `None` for any other number (§5.2.1).
    fn check_request_seq(&self, seq: u32) -> Option<bool> {
        if seq == self.reconfig.peer_last.wrapping_add(1) {
            Some(true)
        } else if seq == self.reconfig.peer_last {
            Some(false)
        } else {
            None
        }
    }

    /// The peer resets its outgoing streams, our incoming ones (§5.2.2).
    fn receive_outgoing_reset(&mut self, seq: u32, last_tsn: u32, streams: Vec<u16>) {
        let Some(fresh) = self.check_request_seq(seq) else {
            self.reconfig
                .respond(seq, ReconfigResult::ErrorBadSequenceNumber);
            return;
        };
        if !fresh && self.reconfig.peer_last_result != ReconfigResult::InProgress {
            let last = self.reconfig.peer_last_result;
            self.reconfig.respond(seq, last);
            return;
        }
        let Some(tracker) = self.tracker.as_ref() else {
            return;
        };
        let last = tracker.unwrapped(last_tsn);
        let cumulative = tracker.unwrapped(tracker.cumulative_tsn());
        self.reconfig.peer_last = seq;
        self.reconfig.deferred = Some(Deferred {
            last_tsn: last,
            streams,
        });
        self.reconfig.peer_last_result = ReconfigResult::InProgress;
        if last <= cumulative {
            self.perform_deferred_reset();
        }
        let result = self.reconfig.peer_last_result;
        self.reconfig.respond(seq, result);
    }

    /// Resets the incoming streams of a deferred request once everything sent before it is in
    /// (§5.2.2 E3, E4). Called after every change of the cumulative TSN.
    pub(super) fn perform_deferred_reset(&mut self) {
        let Some(deferred) = self.reconfig.deferred.as_ref() else {
            return;
        };
        let Some(tracker) = self.tracker.as_ref() else {
            return;
        };
        if deferred.last_tsn > tracker.unwrapped(tracker.cumulative_tsn()) {
            return;
        }
        let Some(deferred) = self.reconfig.deferred.take() else {
            return;
        };
        if deferred.streams.is_empty() {
            self.reassembly.reset_all_streams();
        } else {
            for &stream in &deferred.streams {
                self.reassembly.reset_stream(stream);
            }
        }
        self.reconfig.peer_last_result = ReconfigResult::SuccessPerformed;
        self.push_event_after_messages(Event::IncomingStreamsReset(deferred.streams));
    }

    /// The peer asks us to reset our outgoing streams (§5.2.3): our own Outgoing SSN Reset
    /// Request, naming its request, is the answer.
    fn receive_incoming_reset(
        &mut self,
        now: Instant,
        seq: u32,
        streams: impl Iterator<Item = u16>,
    ) {
        match self.check_request_seq(seq) {
            None => self
                .reconfig
                .respond(seq, ReconfigResult::ErrorBadSequenceNumber),
            // Our request is on its way, or was answered.
            Some(false) => {}
            Some(true) => {
                self.reconfig.peer_last = seq;
                self.reconfig.peer_last_result = ReconfigResult::SuccessPerformed;
                let streams: Vec<u16> = streams.collect();
                if streams.is_empty() {
                    // Every stream: the ones we have used.
                    self.reconfig.respond(seq, ReconfigResult::Denied);
                    self.reconfig.peer_last_result = ReconfigResult::Denied;
                    return;
                }
                self.reconfig.answer_incoming = Some(seq);
                for stream in streams {
                    if !self.reconfig.resetting(stream) {
                        self.reconfig.waiting.insert(stream);
                    }
                }
                self.start_reset_request(now);
            }
        }
    }

    /// The peer's answer to our request (§5.2.7).
    fn receive_reconfig_response(&mut self, now: Instant, seq: u32, result: ReconfigResult) {
        let Some(request) = self.reconfig.request.as_mut() else {
            return;
        };
        if request.seq != seq {
            return;
        }
        match result {
            ReconfigResult::InProgress => {
                request.in_progress = true;
                self.reconfig.timer = Some(now + self.rto.rto());
                return;
            }
            ReconfigResult::SuccessPerformed | ReconfigResult::SuccessNothingToDo => {
                let Some(request) = self.reconfig.request.take() else {
                    return;
                };
                for &stream in &request.streams {
                    self.queue.reset_stream(stream);
                }
                self.events
                    .push_back(Event::OutgoingStreamsReset(request.streams));
            }
            _ => {
                let Some(request) = self.reconfig.request.take() else {
                    return;
                };
                self.events
                    .push_back(Event::StreamResetFailed(request.streams));
            }
        }
        self.reconfig.timer = None;
        self.reconfig.send_request = false;
        self.start_reset_request(now);
    }

    /// The reconfiguration timer (§5.1.1): our request goes again; an unanswered one counts
    /// as an error of the association (§8.1).
    pub(super) fn reconfig_timeout(&mut self, now: Instant) {
        if self.reconfig.timer.is_none_or(|t| now < t) {
            return;
        }
        self.reconfig.timer = None;
        let Some(request) = self.reconfig.request.as_ref() else {
            return;
        };
        if !request.in_progress {
            self.errors += 1;
            if self.errors > self.config.max_retransmissions {
                self.end(Event::Aborted(AbortReason::PeerUnreachable));
                return;
            }
            self.rto.back_off();
        }
        self.reconfig.send_request = true;
        self.reconfig.timer = Some(now + self.rto.rto());
    }

    /// The RE-CONFIG chunk to send: our request and one response (a chunk carries at most
    /// two parameters, §3.1), written through `push`. Returns whether one was pushed.
    pub(super) fn next_reconfig(&mut self, push: impl FnOnce(&ReconfigRepr<'_>) -> bool) -> bool {
        let mut params: [Option<ReconfigParam<'_>>; 2] = [None, None];
        let request = if self.reconfig.send_request {
            self.reconfig.request.clone()
        } else {
            None
        };
        if let Some(r) = &request {
            params[0] = Some(ReconfigParam::OutgoingSsnResetRequest {
                request_seq: r.seq,
                response_seq: r.response_seq,
                senders_last_tsn: r.last_tsn,
                stream_ids: crate::wire::List::from_slice(&r.streams),
            });
        }
        let response = self.reconfig.responses.first().copied();
        if let Some((response_seq, result)) = response {
            params[1] = Some(ReconfigParam::Response {
                response_seq,
                result,
                next_tsns: None,
            });
        }
        let list: Vec<ReconfigParam<'_>> = params.into_iter().flatten().collect();
        if list.is_empty() {
            return false;
        }
        let chunk = ReconfigRepr {
            params: crate::wire::TlvList::from_slice(&list),
        };
        if !push(&chunk) {
            return false;
        }
        if request.is_some() {
            self.reconfig.send_request = false;
        }
        if response.is_some() {
            self.reconfig.responses.remove(0);
        }
        true
    }
}
