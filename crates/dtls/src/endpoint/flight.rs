//! Outgoing flights (RFC 6347 §4.2.4): the messages one side sends before waiting, kept until
//! the peer's answer arrives so the whole flight can be sent again when the timer fires.

use std::time::{Duration, Instant};

use crate::Error;
use crate::record::{RecordLayer, WriteEpochChoice};
use crate::wire::handshake::{Fragmenter, HANDSHAKE_HEADER_LEN, HandshakeFragment};
use crate::wire::{ContentType, HandshakeType, RECORD_HEADER_LEN};

/// One piece of a flight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FlightItem {
    /// A handshake message body, sent in `epoch`.
    Handshake {
        msg_type: HandshakeType,
        message_seq: u16,
        body: Vec<u8>,
        epoch: u16,
    },
    /// A ChangeCipherSpec record, sent in `epoch` (the epoch before the change).
    ChangeCipherSpec { epoch: u16 },
}

/// A flight: its items in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Flight {
    pub(crate) items: Vec<FlightItem>,
}

impl Flight {
    /// Writes the flight as datagrams of at most `mtu` bytes into `out`, packing several
    /// records per datagram and fragmenting messages that do not fit (RFC 6347 §4.1.1,
    /// §4.2.3). Each item goes out in the epoch it was first sent in.
    pub(crate) fn pack(
        &self,
        record: &mut RecordLayer,
        mtu: usize,
        out: &mut Vec<Vec<u8>>,
    ) -> Result<(), Error> {
        let mut datagram = Vec::with_capacity(mtu);
        let mut scratch = Vec::new();
        for item in &self.items {
            let epoch = match item {
                FlightItem::Handshake { epoch, .. } | FlightItem::ChangeCipherSpec { epoch } => {
                    *epoch
                }
            };
            let choice = if epoch == record.write_epoch() {
                WriteEpochChoice::Current
            } else {
                WriteEpochChoice::Previous
            };
            let overhead = RECORD_HEADER_LEN + record.overhead(choice);
            match item {
                FlightItem::ChangeCipherSpec { .. } => {
                    if !datagram.is_empty() && datagram.len() + overhead + 1 > mtu {
                        out.push(std::mem::take(&mut datagram));
                    }
                    record.seal(choice, ContentType::CHANGE_CIPHER_SPEC, &[1], &mut datagram)?;
                }
                FlightItem::Handshake {
                    msg_type,
                    message_seq,
                    body,
                    ..
                } => {
                    let whole = HANDSHAKE_HEADER_LEN + body.len();
                    if !datagram.is_empty() && datagram.len() + overhead + whole > mtu {
                        out.push(std::mem::take(&mut datagram));
                    }
                    let room = mtu
                        .saturating_sub(datagram.len() + overhead)
                        .max(HANDSHAKE_HEADER_LEN + 1);
                    let first_max = room - HANDSHAKE_HEADER_LEN;
                    let max_body = if whole <= room {
                        body.len().max(1)
                    } else {
                        first_max
                    };
                    for fragment in Fragmenter::new(*msg_type, *message_seq, body, max_body)? {
                        if !datagram.is_empty() && datagram.len() + overhead + fragment.len() > mtu
                        {
                            out.push(std::mem::take(&mut datagram));
                        }
                        write_fragment(&fragment, &mut scratch)?;
                        record.seal(choice, ContentType::HANDSHAKE, &scratch, &mut datagram)?;
                    }
                }
            }
        }
        if !datagram.is_empty() {
            out.push(datagram);
        }
        Ok(())
    }
}

fn write_fragment(fragment: &HandshakeFragment<'_>, scratch: &mut Vec<u8>) -> Result<(), Error> {
    scratch.clear();
    scratch.resize(fragment.len(), 0);
    fragment.emit(scratch)?;
    Ok(())
}

/// The flight this side may have to send again, and when (RFC 6347 §4.2.4).
#[derive(Debug)]
pub(crate) struct SentFlight {
    pub(crate) flight: Flight,
    /// The peer's message_seq that this flight answers up to: a retransmitted message below
    /// it means the peer lost this flight; one at or above it is a repeat of a flight we
    /// already have, which must not trigger ours (or the two sides ping-pong).
    pub(crate) answers_below: u32,
    /// Half the retransmission timeout the flight was last sent with: the shortest gap
    /// between two sends of it on request.
    pub(crate) resend_gap: Duration,
    /// Not sent again on request before this instant.
    pub(crate) resend_after: Instant,
    /// After the handshake: kept until this instant, then dropped.
    pub(crate) hold_until: Option<Instant>,
}

impl SentFlight {
    /// Whether a handshake record's payload carries a message of the peer flight this one
    /// answers.
    pub(crate) fn is_answered_by(&self, payload: &[u8]) -> bool {
        HandshakeFragment::iter(payload).any(|fragment| {
            fragment.is_ok_and(|f| u32::from(f.header.message_seq) < self.answers_below)
        })
    }

    /// Whether a request to send it again at `now` is honoured; if so the next one waits
    /// another gap.
    pub(crate) fn take_resend(&mut self, now: Instant) -> bool {
        if now < self.resend_after {
            return false;
        }
        self.resend_after = now + self.resend_gap;
        true
    }
}
