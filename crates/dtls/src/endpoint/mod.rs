//! The DTLS 1.2 endpoint (RFC 6347): a client or a server, driven through the Sans-IO
//! contract of `sansrtc-proto`. Feed datagrams with `handle_receive`, drain `poll_transmit`
//! and `poll_event`, and call `handle_timeout` at `poll_timeout`.
//!
//! WebRTC profile (RFC 8827 §6.5, RFC 5763): both sides present certificates, the peer's is
//! accepted only if its fingerprint is one the application supplied, the extended master
//! secret is required, and use_srtp negotiates the SRTP profile whose keys come from the
//! exporter.

mod client;
mod config;
mod flight;
mod server;

pub use config::{Config, Role};

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::Instant;

use rand::rngs::StdRng;
use sansrtc_proto::{Protocol, Receive, SansIo, Transmit};

use crate::Error;
use crate::crypto::kx::KeyShare;
use crate::crypto::peer_key::PeerKey;
use crate::prf::{self, MASTER_SECRET_LEN, PrfHash};
use crate::reassembly::{FragmentStatus, Reassembler};
use crate::record::{RecordKey, RecordLayer, WriteEpochChoice};
use crate::suite::SuiteParams;
use crate::timer::RetransmitTimer;
use crate::transcript::Transcript;
use crate::wire::handshake::HandshakeFragment;
use crate::wire::{
    Alert, AlertDescription, AlertLevel, CipherSuite, ContentType, HandshakeType, ProtocolVersion,
    RECORD_HEADER_LEN, Record, RecordHeader, SrtpProfileId,
};
use flight::{Flight, FlightItem};

/// What the application learns from the endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// The handshake completed: keys can be exported and application data flows.
    Connected {
        /// The negotiated cipher suite.
        suite: CipherSuite,
        /// The SRTP profile negotiated with use_srtp, if any (RFC 5764 §4.1.1).
        srtp_profile: Option<SrtpProfileId>,
    },
    /// Application data from the peer.
    ApplicationData(Vec<u8>),
    /// The peer sent a warning-level alert other than close_notify.
    Warning(AlertDescription),
    /// The peer closed the connection with close_notify (RFC 5246 §7.2.1); a close_notify
    /// went back.
    Closed,
    /// The connection failed: a fatal alert from the peer, a fatal error here (an alert was
    /// sent), or the handshake timed out. Nothing more happens after this.
    Failed(FailReason),
}

/// Why a connection failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FailReason {
    /// The peer sent this fatal alert.
    PeerAlert(AlertDescription),
    /// This endpoint found a fatal error and sent this alert.
    LocalAlert(AlertDescription),
    /// The handshake did not finish within its total timeout.
    HandshakeTimeout,
}

/// The negotiated parameters and secrets of a handshake in progress or done.
#[derive(Default)]
pub(crate) struct Negotiated {
    pub(crate) client_random: [u8; 32],
    pub(crate) server_random: [u8; 32],
    pub(crate) suite: Option<SuiteParams>,
    pub(crate) srtp_profile: Option<SrtpProfileId>,
    pub(crate) key_share: Option<KeyShare>,
    /// The peer's ECDHE public value (client: from ServerKeyExchange).
    pub(crate) server_public: Vec<u8>,
    pub(crate) peer_key: Option<PeerKey>,
    pub(crate) master_secret: Option<[u8; MASTER_SECRET_LEN]>,
    /// Keys for the peer's next epoch, installed when its ChangeCipherSpec arrives.
    pub(crate) pending_read_key: Option<RecordKey>,
    /// Server: keys for its next write epoch, installed when it sends ChangeCipherSpec.
    pub(crate) pending_write_key: Option<RecordKey>,
}

impl Negotiated {
    pub(crate) fn prf(&self) -> PrfHash {
        self.suite.map_or(PrfHash::Sha256, |s| s.prf)
    }
}

/// Where the handshake stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    /// Client: waiting for HelloVerifyRequest or ServerHello.
    ClientWaitServerHello,
    /// Client: after ServerHello, the rest of the server's flight.
    ClientWaitCertificate,
    ClientWaitServerKeyExchange,
    ClientWaitCertificateRequest,
    ClientWaitServerHelloDone,
    /// Client: its last flight is out; waiting for the server's ChangeCipherSpec.
    ClientWaitChangeCipherSpec,
    ClientWaitFinished,
    /// Server: waiting for a ClientHello with a valid cookie.
    ServerWaitClientHello,
    ServerWaitCertificate,
    ServerWaitClientKeyExchange,
    ServerWaitCertificateVerify,
    ServerWaitChangeCipherSpec,
    ServerWaitFinished,
    /// Handshake done.
    Connected,
    /// Closed or failed: nothing more in or out.
    Ended,
}

/// A DTLS 1.2 endpoint over one path (`local` to `remote`).
pub struct Endpoint {
    pub(crate) config: Config,
    pub(crate) local: SocketAddr,
    pub(crate) remote: SocketAddr,
    pub(crate) rng: StdRng,
    pub(crate) record: RecordLayer,
    pub(crate) reassembler: Reassembler,
    pub(crate) transcript: Transcript,
    pub(crate) state: State,
    pub(crate) negotiated: Negotiated,
    /// message_seq of the next handshake message this side sends.
    pub(crate) send_seq: u16,
    pub(crate) flight: Flight,
    /// The peer's message_seq that our current flight answers up to: a retransmitted message
    /// below it means the peer lost our flight; one at or above it is a repeat of a flight we
    /// already have, which must not trigger ours (or the two sides ping-pong).
    pub(crate) answers_below: u32,
    pub(crate) timer: RetransmitTimer,
    pub(crate) started: Instant,
    pub(crate) outgoing: VecDeque<Vec<u8>>,
    pub(crate) events: VecDeque<Event>,
    /// Records of the next read epoch that arrived before the ChangeCipherSpec (reordered).
    pub(crate) early_records: Vec<(RecordHeader, Vec<u8>)>,
    pub(crate) peer_certificate: Option<Vec<u8>>,
    /// The buffer received datagrams are decrypted in, reused.
    scratch: Vec<u8>,
    /// Where the records of the datagram being read lie, reused.
    framing: Vec<(RecordHeader, std::ops::Range<usize>)>,
    /// Datagram buffers already sent, reused for the next records (at most a few).
    spare: Vec<Vec<u8>>,
    /// Received application data waiting for [`Endpoint::recv_application_data`] (when
    /// `Config::application_data_events` is off), and emptied buffers to reuse.
    received: VecDeque<Vec<u8>>,
    spare_received: Vec<Vec<u8>>,
    pub(crate) cookie_secret: Option<crate::cookie::CookieSecret>,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("role", &self.config.role)
            .field("state", &self.state)
            .field("local", &self.local)
            .field("remote", &self.remote)
            .finish_non_exhaustive()
    }
}

/// Received records kept for `recv_application_data` before newer ones are dropped (the
/// application is not reading; the peer's transport retransmits what it needs).
const MAX_QUEUED_RECORDS: usize = 256;

/// Sent datagram buffers kept for reuse.
const MAX_SPARE_BUFFERS: usize = 8;

/// The most records of the next epoch kept while its ChangeCipherSpec is missing.
const MAX_EARLY_RECORDS: usize = 16;

impl Endpoint {
    /// A new endpoint. A client sends its ClientHello at once (drain `poll_transmit`); a
    /// server waits for one.
    ///
    /// # Errors
    /// [`Error::Protocol`] with `internal_error` when the configuration offers no cipher
    /// suite or group this crate implements.
    pub fn new(
        config: Config,
        now: Instant,
        local: SocketAddr,
        remote: SocketAddr,
    ) -> Result<Self, Error> {
        config.check()?;
        let mut rng = sansrtc_proto::rng::from_seed(config.rng_seed);
        let cookie_secret = match config.role {
            Role::Server if config.require_cookie => {
                let mut secret = [0u8; 32];
                rand::Rng::fill_bytes(&mut rng, &mut secret);
                Some(crate::cookie::CookieSecret::new(secret))
            }
            _ => None,
        };
        let state = match config.role {
            Role::Client => State::ClientWaitServerHello,
            Role::Server => State::ServerWaitClientHello,
        };
        let mut endpoint = Self {
            timer: RetransmitTimer::new(config.timer),
            reassembler: Reassembler::new().with_max_message_len(config.max_handshake_message_len),
            config,
            local,
            remote,
            rng,
            record: RecordLayer::new(ProtocolVersion::DTLS_1_2),
            transcript: Transcript::new(),
            state,
            negotiated: Negotiated::default(),
            send_seq: 0,
            flight: Flight::default(),
            answers_below: 0,
            started: now,
            outgoing: VecDeque::new(),
            events: VecDeque::new(),
            early_records: Vec::new(),
            peer_certificate: None,
            scratch: Vec::new(),
            framing: Vec::new(),
            spare: Vec::new(),
            received: VecDeque::new(),
            spare_received: Vec::new(),
            cookie_secret,
        };
        if endpoint.config.role == Role::Client {
            endpoint.record.set_version(ProtocolVersion::DTLS_1_0);
            endpoint.client_start(now, &[])?;
        }
        Ok(endpoint)
    }

    /// The role.
    pub fn role(&self) -> Role {
        self.config.role
    }

    /// Whether the handshake is done and the connection open.
    pub fn is_connected(&self) -> bool {
        self.state == State::Connected
    }

    /// The peer's end-entity certificate (DER), once it has been received and its fingerprint
    /// matched.
    pub fn peer_certificate(&self) -> Option<&[u8]> {
        self.peer_certificate.as_deref()
    }

    /// The SRTP profile use_srtp negotiated.
    pub fn srtp_profile(&self) -> Option<SrtpProfileId> {
        self.negotiated.srtp_profile
    }

    /// The peer now talks from `remote` (ICE chose another path).
    pub fn set_remote(&mut self, remote: SocketAddr) {
        self.remote = remote;
    }

    /// Records dropped because they failed authentication (RFC 6347 §4.1.2.7).
    pub fn bad_records(&self) -> u64 {
        self.record.bad_records()
    }

    /// Exported keying material (RFC 5705 §4) of `out.len()` bytes; for DTLS-SRTP call it with
    /// label `EXTRACTOR-dtls_srtp`, no context, and the length of RFC 5764 §4.2.
    ///
    /// # Errors
    /// [`Error::Protocol`] with `internal_error` before the handshake is done, or for a
    /// context over 65535 bytes.
    pub fn export_keying_material(
        &self,
        label: &[u8],
        context: Option<&[u8]>,
        out: &mut [u8],
    ) -> Result<(), Error> {
        let Some(master) = self
            .negotiated
            .master_secret
            .as_ref()
            .filter(|_| self.state == State::Connected)
        else {
            return Err(Error::Protocol(AlertDescription::INTERNAL_ERROR));
        };
        let n = &self.negotiated;
        if prf::export_keying_material(
            n.prf(),
            master,
            &n.client_random,
            &n.server_random,
            label,
            context,
            out,
        ) {
            Ok(())
        } else {
            Err(Error::Protocol(AlertDescription::INTERNAL_ERROR))
        }
    }

    /// Sends `data` as one application_data record.
    ///
    /// # Errors
    /// [`Error::Protocol`] with `unexpected_message` before the handshake is done or after
    /// the end; [`Error::RecordOverflow`] over 2^14 bytes.
    pub fn send_application_data(&mut self, data: &[u8]) -> Result<(), Error> {
        if self.state != State::Connected {
            return Err(Error::Protocol(AlertDescription::UNEXPECTED_MESSAGE));
        }
        // Reuse a buffer already sent: no allocation per record once warm.
        let mut datagram = self.spare.pop().unwrap_or_default();
        datagram.clear();
        let sealed = self.record.seal(
            WriteEpochChoice::Current,
            ContentType::APPLICATION_DATA,
            data,
            &mut datagram,
        );
        match sealed {
            Ok(_) => {
                self.outgoing.push_back(datagram);
                Ok(())
            }
            Err(error) => {
                self.spare.push(datagram);
                Err(error)
            }
        }
    }

    /// Moves the oldest received application data record into `out` (replacing its contents)
    /// and returns whether there was one. Used when [`Config::application_data_events`] is off:
    /// the record buffers are recycled, so reading allocates nothing once warm.
    pub fn recv_application_data(&mut self, out: &mut Vec<u8>) -> bool {
        let Some(buffer) = self.received.pop_front() else {
            return false;
        };
        out.clear();
        out.extend_from_slice(&buffer);
        if self.spare_received.len() < MAX_SPARE_BUFFERS {
            self.spare_received.push(buffer);
        }
        true
    }

    /// Closes the connection with close_notify (RFC 5246 §7.2.1).
    pub fn close(&mut self) {
        if self.state == State::Ended {
            return;
        }
        self.send_alert(Alert::CLOSE_NOTIFY);
        self.state = State::Ended;
        self.timer.stop();
    }

    pub(crate) fn send_alert(&mut self, alert: Alert) {
        let mut datagram = Vec::new();
        if self
            .record
            .seal(
                WriteEpochChoice::Current,
                ContentType::ALERT,
                &alert.to_bytes(),
                &mut datagram,
            )
            .is_ok()
        {
            self.outgoing.push_back(datagram);
        }
    }

    /// Ends the connection on a fatal error found here: sends the alert, reports it once.
    pub(crate) fn fail(&mut self, description: AlertDescription) {
        if self.state == State::Ended {
            return;
        }
        self.send_alert(Alert::fatal(description));
        self.state = State::Ended;
        self.timer.stop();
        self.events
            .push_back(Event::Failed(FailReason::LocalAlert(description)));
    }

    /// Sends `flight` now and keeps it for retransmission.
    pub(crate) fn send_flight(
        &mut self,
        now: Instant,
        flight: Flight,
        expect_answer: bool,
    ) -> Result<(), Error> {
        self.flight = flight;
        self.answers_below = self.reassembler.next_message_seq();
        self.transmit_flight()?;
        if expect_answer {
            self.timer.start(now);
        } else {
            self.timer.stop();
        }
        Ok(())
    }

    pub(crate) fn transmit_flight(&mut self) -> Result<(), Error> {
        let mut datagrams = Vec::new();
        self.flight
            .pack(&mut self.record, self.config.mtu, &mut datagrams)?;
        self.outgoing.extend(datagrams);
        Ok(())
    }

    /// Adds a handshake message to `flight` and to the transcript, with the next message_seq.
    pub(crate) fn push_message(
        &mut self,
        flight: &mut Flight,
        msg_type: HandshakeType,
        body: Vec<u8>,
    ) -> Result<(), Error> {
        let message_seq = self.send_seq;
        self.send_seq = self.send_seq.wrapping_add(1);
        let whole = HandshakeFragment::unfragmented(msg_type, message_seq, &body)?;
        let mut bytes = vec![0u8; whole.len()];
        whole.emit(&mut bytes)?;
        self.transcript.push(&bytes);
        flight.items.push(FlightItem::Handshake {
            msg_type,
            message_seq,
            body,
            epoch: self.record.write_epoch(),
        });
        Ok(())
    }

    /// Derives the record keys from the master secret (RFC 5246 §6.3) and returns (write,
    /// read) keys for this side.
    pub(crate) fn derive_record_keys(&self) -> Result<(RecordKey, RecordKey), Error> {
        let n = &self.negotiated;
        let (Some(suite), Some(master)) = (n.suite, n.master_secret.as_ref()) else {
            return Err(Error::Protocol(AlertDescription::INTERNAL_ERROR));
        };
        let block = prf::KeyBlock::derive(
            suite.prf,
            master,
            &n.client_random,
            &n.server_random,
            suite.aead.key_len(),
            suite.aead.fixed_iv_len(),
        );
        let client = RecordKey::new(suite.aead, &block.client_key, &block.client_iv)?;
        let server = RecordKey::new(suite.aead, &block.server_key, &block.server_iv)?;
        Ok(match self.config.role {
            Role::Client => (client, server),
            Role::Server => (server, client),
        })
    }

    /// Checks the peer's certificate chain: its first certificate must match one of the
    /// configured fingerprints (RFC 8122 §5, RFC 5763 §6.1), and its key is kept for the
    /// signature checks.
    pub(crate) fn accept_peer_certificate(
        &mut self,
        certificates: &[&[u8]],
    ) -> Result<(), AlertDescription> {
        let Some(first) = certificates.first() else {
            return Err(AlertDescription::HANDSHAKE_FAILURE);
        };
        if !self
            .config
            .remote_fingerprints
            .iter()
            .any(|f| f.matches(first))
        {
            return Err(AlertDescription::BAD_CERTIFICATE);
        }
        let key = PeerKey::from_certificate(first).map_err(|e| match e {
            Error::Protocol(alert) => alert,
            _ => AlertDescription::BAD_CERTIFICATE,
        })?;
        self.negotiated.peer_key = Some(key);
        self.peer_certificate = Some(first.to_vec());
        Ok(())
    }

    fn receive_datagram(&mut self, now: Instant, datagram: &mut [u8]) -> Result<(), Error> {
        let mut framing = std::mem::take(&mut self.framing);
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
            self.framing = framing;
            return Err(first_error.unwrap_or(Error::Malformed {
                what: "datagram",
                offset: 0,
            }));
        }
        for (header, range) in framing.drain(..) {
            if self.state == State::Ended {
                break;
            }
            self.receive_record(now, header, &mut datagram[range]);
        }
        self.framing = framing;
        Ok(())
    }

    /// One record: undecryptable, replayed, or wrong-epoch records are dropped silently
    /// (RFC 6347 §4.1.2.7); the rest drive the handshake.
    fn receive_record(&mut self, now: Instant, header: RecordHeader, fragment: &mut [u8]) {
        if header.epoch == self.record.read_epoch().wrapping_add(1)
            && self.negotiated.pending_read_key.is_some()
        {
            if self.early_records.len() < MAX_EARLY_RECORDS {
                self.early_records.push((header, fragment.to_vec()));
            }
            return;
        }
        let Ok(plain) = self.record.open(&header, fragment) else {
            return;
        };
        let payload = &fragment[plain];
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
                if self.config.application_data_events {
                    self.events
                        .push_back(Event::ApplicationData(payload.to_vec()));
                } else if self.received.len() < MAX_QUEUED_RECORDS {
                    let mut buffer = self.spare_received.pop().unwrap_or_default();
                    buffer.clear();
                    buffer.extend_from_slice(payload);
                    self.received.push_back(buffer);
                }
            }
            _ => {}
        }
    }

    fn receive_alert(&mut self, alert: Alert) {
        if alert.description == AlertDescription::CLOSE_NOTIFY {
            if self.state != State::Ended {
                self.send_alert(Alert::CLOSE_NOTIFY);
                self.state = State::Ended;
                self.timer.stop();
                self.events.push_back(Event::Closed);
            }
            return;
        }
        match alert.level {
            AlertLevel::Warning => self.events.push_back(Event::Warning(alert.description)),
            _ => {
                if self.state != State::Ended {
                    self.state = State::Ended;
                    self.timer.stop();
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
        let Some(key) = self.negotiated.pending_read_key.take().filter(|_| expected) else {
            return;
        };
        self.record.advance_read(key);
        self.state = match self.state {
            State::ClientWaitChangeCipherSpec => State::ClientWaitFinished,
            _ => State::ServerWaitFinished,
        };
        for (header, mut fragment) in std::mem::take(&mut self.early_records) {
            self.receive_record(now, header, &mut fragment);
        }
    }

    fn receive_handshake(&mut self, now: Instant, epoch: u16, payload: &[u8]) {
        let mut retransmission = false;
        for fragment in HandshakeFragment::iter(payload) {
            let Ok(fragment) = fragment else { return };
            match self.reassembler.insert(&fragment) {
                Ok(FragmentStatus::Retransmission) => {
                    retransmission |= u32::from(fragment.header.message_seq) < self.answers_below;
                }
                Ok(_) => {}
                Err(_) => return,
            }
        }
        while let Some(message) = self.reassembler.pop() {
            if let Err(alert) = self.handle_message(
                now,
                epoch,
                message.msg_type(),
                message.message_seq(),
                message.body(),
            ) {
                self.fail(alert);
                return;
            }
            if self.state == State::Ended {
                return;
            }
        }
        if retransmission {
            self.peer_retransmitted();
        }
    }

    /// The peer sent an old flight again: it lost ours, so ours goes again now
    /// (RFC 6347 §4.2.4), including our last flight after the handshake (§4.2.4: the
    /// retransmitted Finished case).
    fn peer_retransmitted(&mut self) {
        // A server waiting for a ClientHello answers a repeated first ClientHello with its
        // HelloVerifyRequest again (that is its only flight).
        if self.state != State::Ended && !self.flight.items.is_empty() {
            let _ = self.transmit_flight();
        }
    }

    fn handle_message(
        &mut self,
        now: Instant,
        epoch: u16,
        msg_type: HandshakeType,
        message_seq: u16,
        body: &[u8],
    ) -> Result<(), AlertDescription> {
        match self.config.role {
            Role::Client => self.client_message(now, epoch, msg_type, message_seq, body),
            Role::Server => self.server_message(now, epoch, msg_type, message_seq, body),
        }
    }

    /// Adds a received message to the transcript in its unfragmented form.
    pub(crate) fn record_received(
        &mut self,
        msg_type: HandshakeType,
        message_seq: u16,
        body: &[u8],
    ) {
        if let Ok(whole) = HandshakeFragment::unfragmented(msg_type, message_seq, body) {
            let mut bytes = vec![0u8; whole.len()];
            if whole.emit(&mut bytes).is_ok() {
                self.transcript.push(&bytes);
            }
        }
    }

    /// The handshake is complete.
    pub(crate) fn connected(&mut self) {
        self.state = State::Connected;
        self.record.set_version(ProtocolVersion::DTLS_1_2);
        if let Some(suite) = self.negotiated.suite {
            self.events.push_back(Event::Connected {
                suite: suite.suite,
                srtp_profile: self.negotiated.srtp_profile,
            });
        }
    }
}

impl SansIo for Endpoint {
    type Event = Event;
    type Error = Error;

    /// Feeds one datagram. `Err` only when no record in it could be framed; records that fail
    /// authentication, replays and wrong epochs are dropped silently (RFC 6347 §4.1.2.7) and
    /// protocol failures arrive as [`Event::Failed`].
    fn handle_receive(&mut self, now: Instant, receive: Receive<'_>) -> Result<(), Error> {
        if self.state == State::Ended {
            return Ok(());
        }
        if self.config.role == Role::Server && self.state == State::ServerWaitClientHello {
            self.remote = receive.source;
        }
        // Records are decrypted in place in a buffer of our own, reused from one datagram
        // to the next.
        let mut datagram = std::mem::take(&mut self.scratch);
        datagram.clear();
        datagram.extend_from_slice(receive.contents);
        let result = self.receive_datagram(now, &mut datagram);
        self.scratch = datagram;
        result
    }

    fn poll_transmit(&mut self, _now: Instant, buf: &mut Vec<u8>) -> Option<Transmit> {
        let datagram = self.outgoing.pop_front()?;
        buf.clear();
        buf.extend_from_slice(&datagram);
        let size = datagram.len();
        if self.spare.len() < MAX_SPARE_BUFFERS {
            self.spare.push(datagram);
        }
        Some(Transmit {
            proto: Protocol::Udp,
            source: self.local,
            destination: self.remote,
            size,
        })
    }

    fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    fn poll_timeout(&self) -> Option<Instant> {
        if matches!(self.state, State::Connected | State::Ended) {
            return None;
        }
        let deadline = self.started + self.config.timer.handshake_timeout;
        Some(self.timer.deadline().map_or(deadline, |t| t.min(deadline)))
    }

    fn handle_timeout(&mut self, now: Instant) {
        if matches!(self.state, State::Connected | State::Ended) {
            return;
        }
        if now >= self.started + self.config.timer.handshake_timeout {
            self.state = State::Ended;
            self.timer.stop();
            self.events
                .push_back(Event::Failed(FailReason::HandshakeTimeout));
            return;
        }
        if self.timer.expire(now) {
            let _ = self.transmit_flight();
        }
    }
}
