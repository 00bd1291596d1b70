//! The receive path: a datagram's records are framed, opened under the current read state,
//! and dispatched by content type (RFC 5246 §6.1, RFC 6347 §4.1).
//!
//! The rules that keep forged records harmless:
//! - A record that does not open (unknown epoch, replay, bad MAC, oversized) is dropped and
//!   counted (RFC 6347 §4.1.2.7).
//! - Once the peer's ChangeCipherSpec has been read, everything it sends is protected. A
//!   plaintext record after that is at best a late copy of its handshake flight: it may ask
//!   for our flight again, and nothing else; alerts, application data and new handshake
//!   messages in the clear are dropped and counted as unprotected.
//! - After the handshake only protected records of the current epoch act; a repeated
//!   Finished makes the side that sent the last flight send it again (§4.2.4).
//! - Whatever the number of records asking for it, a flight goes again at most once per
//!   datagram, and not before half the retransmission timeout has passed since it was last
//!   sent; a server that has not verified a cookie never sends more bytes than it received
//!   (§4.2.1).

use std::time::Instant;

use super::handshake::Handshake;
use super::{Endpoint, Event, FailReason, MAX_EARLY_RECORDS, MAX_QUEUED_RECORDS, Role, State};
use crate::Error;
use crate::reassembly::FragmentStatus;
use crate::wire::handshake::HandshakeFragment;
use crate::wire::{
    Alert, AlertDescription, AlertLevel, ContentType, RECORD_HEADER_LEN, Record, RecordHeader,
};

impl Endpoint {
    pub(super) fn receive_datagram(
        &mut self,
        now: Instant,
        datagram: &mut [u8],
    ) -> Result<(), Error> {
        let mut framing = std::mem::take(&mut self.buffers.get_or_insert_default().framing);
        framing.clear();
        let mut first_error = None;
        for record in Record::iter(datagram) {
            match record {
                Ok(record) => framing.push((
                    record.header,
                    record.offset + RECORD_HEADER_LEN..record.offset + record.len(),
                )),
                Err(error) => first_error = Some(error),
            }
        }
        if framing.is_empty() {
            self.keep_framing(framing);
            return Err(first_error.unwrap_or(Error::Malformed {
                what: "datagram",
                offset: 0,
            }));
        }
        self.resend_requested = false;
        for (header, range) in framing.drain(..) {
            if self.state == State::Ended {
                break;
            }
            self.receive_record(now, header, &mut datagram[range]);
        }
        self.keep_framing(framing);
        // Once per datagram, however many of its records asked (RFC 6347 §4.2.4).
        if std::mem::take(&mut self.resend_requested) {
            self.resend_flight(now);
        }
        Ok(())
    }

    /// One record: undecryptable, replayed, wrong-epoch and unprotected-when-it-must-not-be
    /// records are dropped and counted; the rest drive the handshake or carry data.
    pub(super) fn receive_record(
        &mut self,
        now: Instant,
        header: RecordHeader,
        fragment: &mut [u8],
    ) {
        if let Some(hs) = self.hs.as_deref_mut()
            && header.epoch == self.record.read_epoch().wrapping_add(1)
            && hs.negotiated.pending_read_key.is_some()
        {
            if hs.early_records.len() < MAX_EARLY_RECORDS {
                hs.early_records.push((header, fragment.to_vec()));
            }
            return;
        }
        let plain = match self.record.open(&header, fragment) {
            Ok(plain) => plain,
            // Epoch 0 is the plaintext epoch: once retired, its records are unprotected ones.
            Err(Error::UnknownEpoch(0)) => {
                self.discarded.unprotected += 1;
                return;
            }
            Err(error) => {
                self.discarded.count(error);
                return;
            }
        };
        let payload = &fragment[plain];
        let current = self.record.read_epoch();
        if header.epoch != current && self.record.is_read_protected(current) {
            // The peer has changed cipher spec: this plaintext record is a late copy of its
            // handshake flight at best.
            self.discarded.unprotected += 1;
            if header.content_type == ContentType::HANDSHAKE && self.is_repeat(payload) {
                self.resend_requested = true;
            }
            return;
        }
        match header.content_type {
            ContentType::HANDSHAKE => self.receive_handshake(now, header.epoch, payload),
            ContentType::CHANGE_CIPHER_SPEC if payload == [1] => {
                self.receive_change_cipher_spec(now)
            }
            ContentType::ALERT => {
                if let Ok(alert) = Alert::parse(payload) {
                    self.receive_alert(alert);
                }
            }
            // Only in an epoch with keys (RFC 6347 §4.1: no application data in epoch 0) and
            // once the handshake is done.
            ContentType::APPLICATION_DATA if header.epoch > 0 && self.state == State::Connected => {
                if self.application_data_events {
                    self.events
                        .push_back(Event::ApplicationData(payload.to_vec()));
                } else {
                    let buffers = self.buffers.get_or_insert_default();
                    if buffers.received.len() < MAX_QUEUED_RECORDS {
                        let mut buffer = buffers.spare_received.pop().unwrap_or_default();
                        buffer.clear();
                        buffer.extend_from_slice(payload);
                        buffers.received.push_back(buffer);
                    }
                }
            }
            _ => {}
        }
    }

    /// Whether a handshake record carries a message of the peer flight our current flight
    /// answers (RFC 6347 §4.2.4: the peer lost ours).
    fn is_repeat(&self, payload: &[u8]) -> bool {
        self.sent
            .as_deref()
            .is_some_and(|sent| sent.is_answered_by(payload))
    }

    fn receive_alert(&mut self, alert: Alert) {
        if alert.description == AlertDescription::CLOSE_NOTIFY {
            if self.state != State::Ended {
                self.send_alert(Alert::CLOSE_NOTIFY);
                self.end();
                self.events.push_back(Event::Closed);
            }
            return;
        }
        match alert.level {
            AlertLevel::Warning => self.events.push_back(Event::Warning(alert.description)),
            _ => {
                if self.state != State::Ended {
                    self.end();
                    self.events
                        .push_back(Event::Failed(FailReason::PeerAlert(alert.description)));
                }
            }
        }
    }

    fn receive_change_cipher_spec(&mut self, now: Instant) {
        let expected = matches!(
            self.state,
            State::ClientWaitChangeCipherSpec | State::ServerWaitChangeCipherSpec
        );
        let Some(hs) = self.hs.as_deref_mut().filter(|_| expected) else {
            return;
        };
        let Some(key) = hs.negotiated.pending_read_key.take() else {
            return;
        };
        let early = std::mem::take(&mut hs.early_records);
        self.record.advance_read(key);
        self.state = match self.state {
            State::ClientWaitChangeCipherSpec => State::ClientWaitFinished,
            _ => State::ServerWaitFinished,
        };
        for (header, mut fragment) in early {
            self.receive_record(now, header, &mut fragment);
        }
    }

    fn receive_handshake(&mut self, now: Instant, epoch: u16, payload: &[u8]) {
        let Some(mut hs) = self.hs.take() else {
            // After the handshake: a repeated Finished asks for the last flight again; a
            // new handshake (renegotiation) is not supported and ignored.
            if self.is_repeat(payload) {
                self.resend_requested = true;
            }
            return;
        };
        for fragment in HandshakeFragment::iter(payload) {
            let Ok(fragment) = fragment else { break };
            match hs.reassembler.insert(&fragment) {
                Ok(FragmentStatus::Retransmission) => {
                    let answered = self.sent.as_deref().map_or(0, |s| s.answers_below);
                    if u32::from(fragment.header.message_seq) < answered {
                        self.resend_requested = true;
                    }
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
        while let Some(message) = hs.reassembler.pop() {
            let result = match self.role {
                Role::Client => self.client_message(
                    &mut hs,
                    now,
                    epoch,
                    message.msg_type(),
                    message.message_seq(),
                    message.body(),
                ),
                Role::Server => self.server_message(
                    &mut hs,
                    now,
                    epoch,
                    message.msg_type(),
                    message.message_seq(),
                    message.body(),
                ),
            };
            if let Err(alert) = result {
                self.fail(alert);
                return;
            }
            match self.state {
                State::Ended => return,
                State::Connected => {
                    self.finish_handshake(now, hs);
                    return;
                }
                _ => {}
            }
        }
        self.hs = Some(hs);
    }

    /// Sends the current flight again because the peer repeated the flight it answers, unless
    /// it went less than half a retransmission timeout ago (RFC 6347 §4.2.4).
    fn resend_flight(&mut self, now: Instant) {
        let Some(sent) = self.sent.as_deref_mut() else {
            return;
        };
        if self.state == State::Ended || !sent.take_resend(now) {
            return;
        }
        match self.hs.take() {
            Some(mut hs) => {
                let _ = self.transmit_flight(&mut hs);
                self.hs = Some(hs);
            }
            None => {
                let _ = self.transmit_last_flight();
            }
        }
    }

    fn keep_framing(&mut self, framing: Vec<(RecordHeader, std::ops::Range<usize>)>) {
        if let Some(buffers) = self.buffers.as_deref_mut() {
            buffers.framing = framing;
        }
    }

    /// The handshake is done: keep what the connection needs and drop the rest. The side that
    /// sent the last flight keeps it (and the epoch it began in) until
    /// [`super::LAST_FLIGHT_HOLD`] has passed; the other side needs nothing.
    fn finish_handshake(&mut self, now: Instant, hs: Box<Handshake>) {
        drop(hs);
        match self.sent.as_deref_mut() {
            // The previous read epoch stays too: the peer's copies of its flight begin there.
            Some(sent) if self.role == Role::Server => {
                sent.hold_until = Some(now + super::LAST_FLIGHT_HOLD);
            }
            _ => self.release_last_flight(),
        }
        self.touch(now);
    }
}
