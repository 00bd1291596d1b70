//! Binding: server-reflexive address discovery (RFC 8489 §3, §6) as a Sans-IO client, and a
//! tiny Sans-IO Binding server for tests and simple deployments.

use crate::error::{Error, ProtocolViolation};
use crate::transaction::{TransactionConfig, Transactions};
use crate::wire::{
    Attribute, Class, ErrorCode, Message, MessageBuilder, Method, TransactionId, UnknownAttributes,
    error_code,
};
use sansrtc_proto::rng::{Seed, StdRng, from_seed};
use sansrtc_proto::time::MonotonicClock;
use sansrtc_proto::{Protocol, Receive, SansIo, Transmit};
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::Instant;

/// Configuration of a [`BindingClient`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct BindingConfig {
    /// The STUN server.
    pub server: SocketAddr,
    /// Our local address (the socket the requests leave from).
    pub local: SocketAddr,
    /// Transport to the server. Over TCP the caller connects; requests are not retransmitted.
    pub proto: Protocol,
    /// Retransmission parameters.
    pub transactions: TransactionConfig,
    /// Seed of the transaction-id generator (`None`: operating-system entropy).
    pub rng_seed: Option<Seed>,
    /// SOFTWARE to include in requests.
    pub software: Option<String>,
}

impl BindingConfig {
    /// UDP discovery from `local` against `server`, with the RFC defaults.
    pub fn new(server: SocketAddr, local: SocketAddr) -> Self {
        Self {
            server,
            local,
            proto: Protocol::Udp,
            transactions: TransactionConfig::default(),
            rng_seed: None,
            software: None,
        }
    }
}

/// What a [`BindingClient`] reports.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BindingEvent {
    /// The server saw us at this (server-reflexive) address.
    Mapped {
        /// XOR-MAPPED-ADDRESS (or MAPPED-ADDRESS from an RFC 3489-era server).
        address: SocketAddr,
    },
    /// The server answered with an error.
    Error {
        /// The ERROR-CODE.
        code: u16,
    },
    /// No answer within the transaction timeout.
    TimedOut,
}

/// A Sans-IO Binding client: each [`BindingClient::start`] sends one Binding request
/// (retransmitted per RFC 8489 §6.2.1) and reports the mapped address.
#[derive(Debug)]
pub struct BindingClient {
    config: BindingConfig,
    clock: MonotonicClock,
    rng: StdRng,
    transactions: Transactions<()>,
    events: VecDeque<BindingEvent>,
    scratch: Vec<u8>,
}

impl BindingClient {
    /// A client that has not sent anything yet.
    pub fn new(config: BindingConfig, now: Instant) -> Self {
        let transactions = Transactions::new(config.transactions);
        Self {
            rng: from_seed(config.rng_seed),
            config,
            clock: MonotonicClock::new(now),
            transactions,
            events: VecDeque::new(),
            scratch: Vec::new(),
        }
    }

    /// Sends a new Binding request; returns its transaction id.
    pub fn start(&mut self, now: Instant) -> TransactionId {
        self.clock.advance(now);
        let id = TransactionId::random(&mut self.rng);
        self.scratch.clear();
        let mut b = MessageBuilder::new(&mut self.scratch, Class::Request, Method::BINDING, id);
        if let Some(software) = &self.config.software {
            // A SOFTWARE value too long for the RFC limit is left out rather than failing.
            let _ = b.add(&Attribute::Software(software));
        }
        // FINGERPRINT always fits a message this small.
        let _ = b.add_fingerprint();
        let reliable = self.config.proto != Protocol::Udp;
        self.transactions.start(id, (), &self.scratch, reliable);
        id
    }

    /// Whether a request is outstanding.
    pub fn is_pending(&self) -> bool {
        !self.transactions.is_empty()
    }
}

impl SansIo for BindingClient {
    type Event = BindingEvent;
    type Error = Error;

    fn handle_receive(&mut self, now: Instant, rx: Receive<'_>) -> Result<(), Error> {
        self.clock.advance(now);
        if rx.source != self.config.server {
            return Err(ProtocolViolation::WrongSource.into());
        }
        let message = Message::parse(rx.contents)?;
        if message.method() != Method::BINDING || !message.class().is_response() {
            return Err(ProtocolViolation::Unexpected.into());
        }
        if message.has_fingerprint() {
            message.verify_fingerprint()?;
        }
        let id = message.transaction_id();
        if !self.transactions.contains(&id) {
            return Err(ProtocolViolation::UnmatchedResponse.into());
        }
        if let Some(unknown) = message.unknown_comprehension_required().next() {
            // RFC 8489 §6.3.4: discard; the transaction keeps retransmitting.
            return Err(ProtocolViolation::UnknownRequiredAttribute(unknown).into());
        }
        let event = match message.class() {
            Class::Success => {
                let address = message
                    .xor_mapped_address()
                    .or_else(|| message.mapped_address())
                    .ok_or(ProtocolViolation::MissingAttribute(
                        crate::wire::attr::XOR_MAPPED_ADDRESS,
                    ))?;
                BindingEvent::Mapped { address }
            }
            _ => BindingEvent::Error {
                code: message
                    .error_code()
                    .map_or(error_code::SERVER_ERROR, |e| e.code),
            },
        };
        self.transactions.finish(&id);
        self.events.push_back(event);
        Ok(())
    }

    fn poll_transmit(&mut self, now: Instant, buf: &mut Vec<u8>) -> Option<Transmit> {
        let now = self.clock.advance(now);
        let (_, request) = self.transactions.poll_send(now)?;
        buf.clear();
        buf.extend_from_slice(request);
        Some(Transmit {
            proto: self.config.proto,
            source: self.config.local,
            destination: self.config.server,
            size: buf.len(),
        })
    }

    fn poll_event(&mut self) -> Option<BindingEvent> {
        self.events.pop_front()
    }

    fn poll_timeout(&self) -> Option<Instant> {
        self.transactions.poll_timeout()
    }

    fn handle_timeout(&mut self, now: Instant) {
        let now = self.clock.advance(now);
        self.transactions.handle_timeout(now);
        while self.transactions.poll_timed_out().is_some() {
            self.events.push_back(BindingEvent::TimedOut);
        }
    }
}

/// Writes the response to a Binding request from `source` into `buf` (cleared first) and
/// returns its length (RFC 8489 §6.3.1):
///
/// - a success response with XOR-MAPPED-ADDRESS = `source`;
/// - 420 Unknown Attribute listing comprehension-required attributes we do not understand;
/// - nothing (`None`) for anything that is not a Binding request.
///
/// Responses carry SOFTWARE when given, and FINGERPRINT when the request did.
pub fn binding_response(
    request: &Message<'_>,
    source: SocketAddr,
    software: Option<&str>,
    buf: &mut Vec<u8>,
) -> Option<usize> {
    if request.class() != Class::Request || request.method() != Method::BINDING {
        return None;
    }
    let unknown: Vec<u16> = request.unknown_comprehension_required().collect();
    buf.clear();
    let id = request.transaction_id();
    let class = if unknown.is_empty() {
        Class::Success
    } else {
        Class::Error
    };
    let mut b = MessageBuilder::new(buf, class, Method::BINDING, id);
    let written = if unknown.is_empty() {
        b.add(&Attribute::XorMappedAddress(source)).map(|_| ())
    } else {
        b.add(&Attribute::ErrorCode(ErrorCode::new(
            error_code::UNKNOWN_ATTRIBUTE,
        )))
        .and_then(|b| {
            b.add(&Attribute::UnknownAttributes(UnknownAttributes::List(
                &unknown,
            )))
        })
        .map(|_| ())
    };
    written.ok()?;
    if let Some(software) = software {
        b.add(&Attribute::Software(software)).ok()?;
    }
    if request.has_fingerprint() {
        b.add_fingerprint().ok()?;
    }
    Some(b.finish())
}

/// A tiny Sans-IO STUN server that answers Binding requests on one or more local addresses.
#[derive(Debug, Default)]
pub struct BindingServer {
    software: Option<String>,
    outbox: VecDeque<(Protocol, SocketAddr, SocketAddr, Vec<u8>)>,
    answered: u64,
}

impl BindingServer {
    /// A server; `software` goes into every response.
    pub fn new(software: Option<String>) -> Self {
        Self {
            software,
            outbox: VecDeque::new(),
            answered: 0,
        }
    }

    /// Requests answered so far.
    pub const fn answered(&self) -> u64 {
        self.answered
    }
}

impl SansIo for BindingServer {
    type Event = ();
    type Error = Error;

    fn handle_receive(&mut self, _now: Instant, rx: Receive<'_>) -> Result<(), Error> {
        let request = Message::parse(rx.contents)?;
        if request.has_fingerprint() {
            request.verify_fingerprint()?;
        }
        let mut buf = Vec::new();
        binding_response(&request, rx.source, self.software.as_deref(), &mut buf)
            .ok_or(ProtocolViolation::Unexpected)?;
        self.answered += 1;
        self.outbox
            .push_back((rx.proto, rx.destination, rx.source, buf));
        Ok(())
    }

    fn poll_transmit(&mut self, _now: Instant, buf: &mut Vec<u8>) -> Option<Transmit> {
        let (proto, source, destination, mut bytes) = self.outbox.pop_front()?;
        std::mem::swap(buf, &mut bytes);
        Some(Transmit {
            proto,
            source,
            destination,
            size: buf.len(),
        })
    }

    fn poll_event(&mut self) -> Option<()> {
        None
    }

    fn poll_timeout(&self) -> Option<Instant> {
        None
    }

    fn handle_timeout(&mut self, _now: Instant) {}
}
