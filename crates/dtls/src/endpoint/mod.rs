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
mod handshake;
mod receive;
mod server;

pub use config::{Config, Role};

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use sansrtc_proto::{Protocol, Receive, SansIo, Transmit};

use crate::Error;
use crate::prf::{self, MASTER_SECRET_LEN};
use crate::record::{RecordLayer, WriteEpochChoice};
use crate::suite::SuiteParams;
use crate::wire::{
    Alert, AlertDescription, CipherSuite, ContentType, ProtocolVersion, RecordHeader, SrtpProfileId,
};
use flight::SentFlight;
use handshake::Handshake;

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

/// What the connection keeps of its handshake: enough for the exporter (RFC 5705) and the
/// getters, nothing secret beyond the master secret.
#[derive(Default)]
pub(crate) struct Session {
    pub(crate) client_random: [u8; 32],
    pub(crate) server_random: [u8; 32],
    pub(crate) suite: Option<SuiteParams>,
    pub(crate) srtp_profile: Option<SrtpProfileId>,
    pub(crate) master_secret: Option<[u8; MASTER_SECRET_LEN]>,
}

/// Records dropped without effect, by reason (RFC 6347 §4.1.2.7: invalid records are
/// discarded, and may be counted).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Discarded {
    /// Records that failed authentication (bad AEAD tag).
    pub bad_mac: u64,
    /// Records whose sequence number was seen already or is older than the window
    /// (RFC 6347 §4.1.2.6).
    pub replayed: u64,
    /// Records of an epoch this endpoint does not read (RFC 6347 §4.1).
    pub unknown_epoch: u64,
    /// Plaintext records after the peer's ChangeCipherSpec: late copies of its handshake
    /// flight, or forgeries (RFC 5246 §6.1: records are read under the current read state).
    pub unprotected: u64,
    /// Records over the size limits of RFC 5246 §6.2.
    pub oversized: u64,
}

impl Discarded {
    pub(crate) fn count(&mut self, error: Error) {
        match error {
            Error::BadRecordMac => self.bad_mac += 1,
            Error::Replay => self.replayed += 1,
            Error::UnknownEpoch(_) => self.unknown_epoch += 1,
            _ => self.oversized += 1,
        }
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
///
/// # Memory
/// The handshake's state (configuration, transcript, reassembly, key shares, the
/// retransmission timer) lives in a box dropped when the handshake completes. The side that
/// sent the last flight keeps that flight, a few dozen bytes, for [`LAST_FLIGHT_HOLD`]
/// (RFC 6347 §4.2.4). Buffers the data path recycles (so that steady-state traffic allocates
/// nothing) are released after [`BUFFER_RELEASE_AFTER`] without traffic. A connected, idle
/// endpoint then holds its record keys, sequence numbers and replay windows, a session
/// summary for the exporter and the peer's certificate: under 2 KiB in all
/// (`tests/connected_endpoint_memory.rs`).
pub struct Endpoint {
    pub(crate) role: Role,
    application_data_events: bool,
    mtu: usize,
    pub(crate) local: SocketAddr,
    pub(crate) remote: SocketAddr,
    pub(crate) record: RecordLayer,
    pub(crate) state: State,
    pub(crate) session: Session,
    /// The handshake's own state; `None` once it is done or the connection ended.
    pub(crate) hs: Option<Box<Handshake>>,
    /// Our current flight, kept to be sent again.
    pub(crate) sent: Option<Box<SentFlight>>,
    /// A record of the datagram being read asked for our flight again.
    resend_requested: bool,
    peer_certificate: Option<Box<[u8]>>,
    pub(crate) outgoing: VecDeque<Vec<u8>>,
    pub(crate) events: VecDeque<Event>,
    /// Allocated on first use, released when idle.
    buffers: Option<Box<Buffers>>,
    /// When the recycled buffers are released if no traffic comes first.
    release_buffers_at: Option<Instant>,
    discarded: Discarded,
}

/// Buffers the data path reuses so steady-state traffic allocates nothing.
#[derive(Default)]
struct Buffers {
    /// The buffer received datagrams are decrypted in.
    scratch: Vec<u8>,
    /// Where the records of the datagram being read lie.
    framing: Vec<(RecordHeader, std::ops::Range<usize>)>,
    /// Datagram buffers already sent, reused for the next records (at most a few).
    spare: Vec<Vec<u8>>,
    /// Received application data waiting for [`Endpoint::recv_application_data`] (when
    /// `Config::application_data_events` is off).
    received: VecDeque<Vec<u8>>,
    /// Emptied receive buffers to reuse.
    spare_received: Vec<Vec<u8>>,
}

impl Buffers {
    /// Lets every buffer go that holds nothing waiting to be read.
    fn release(&mut self) {
        self.scratch = Vec::new();
        self.framing = Vec::new();
        self.spare = Vec::new();
        self.spare_received = Vec::new();
        if self.received.is_empty() {
            self.received = VecDeque::new();
        }
    }
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("role", &self.role)
            .field("state", &self.state)
            .field("local", &self.local)
            .field("remote", &self.remote)
            .finish_non_exhaustive()
    }
}

/// Received records kept for `recv_application_data` before newer ones are dropped (the
/// application is not reading; the peer's transport retransmits what it needs).
pub(crate) const MAX_QUEUED_RECORDS: usize = 256;

/// Sent datagram buffers kept for reuse.
const MAX_SPARE_BUFFERS: usize = 8;

/// The most records of the next epoch kept while its ChangeCipherSpec is missing.
pub(crate) const MAX_EARLY_RECORDS: usize = 16;

/// How long the side that sent the last flight of a handshake keeps it, to send it again if
/// the peer repeats its own: twice TCP's default MSL of two minutes (RFC 6347 §4.2.4).
pub const LAST_FLIGHT_HOLD: Duration = Duration::from_secs(240);

/// How long the data path's recycled buffers are kept without traffic before they are
/// released (the next record then allocates them again).
pub const BUFFER_RELEASE_AFTER: Duration = Duration::from_secs(5);

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
        let (role, state) = match config.role {
            Role::Client => (Role::Client, State::ClientWaitServerHello),
            Role::Server => (Role::Server, State::ServerWaitClientHello),
        };
        let mut endpoint = Self {
            role,
            application_data_events: config.application_data_events,
            mtu: config.mtu,
            local,
            remote,
            record: RecordLayer::new(ProtocolVersion::DTLS_1_2),
            state,
            session: Session::default(),
            hs: None,
            sent: None,
            resend_requested: false,
            peer_certificate: None,
            outgoing: VecDeque::new(),
            events: VecDeque::new(),
            buffers: None,
            release_buffers_at: None,
            discarded: Discarded::default(),
        };
        let mut hs = Box::new(Handshake::new(config, now, remote));
        if role == Role::Client {
            endpoint.record.set_version(ProtocolVersion::DTLS_1_0);
            endpoint.client_start(&mut hs, now, &[])?;
        }
        endpoint.hs = Some(hs);
        Ok(endpoint)
    }

    /// The role.
    pub fn role(&self) -> Role {
        self.role
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
        self.session.srtp_profile
    }

    /// The negotiated cipher suite, once the ServerHello is known.
    pub fn cipher_suite(&self) -> Option<CipherSuite> {
        self.session.suite.map(|s| s.suite)
    }

    /// The peer now talks from `remote` (ICE chose another path).
    pub fn set_remote(&mut self, remote: SocketAddr) {
        self.remote = remote;
    }

    /// Records dropped because they failed authentication (RFC 6347 §4.1.2.7).
    pub fn bad_records(&self) -> u64 {
        self.discarded.bad_mac
    }

    /// Every record dropped without effect so far, by reason.
    pub fn discarded(&self) -> Discarded {
        self.discarded
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
        let s = &self.session;
        let Some(master) = s
            .master_secret
            .as_ref()
            .filter(|_| self.state == State::Connected)
        else {
            return Err(Error::Protocol(AlertDescription::INTERNAL_ERROR));
        };
        if prf::export_keying_material(
            s.prf(),
            master,
            &s.client_random,
            &s.server_random,
            label,
            context,
            out,
        ) {
            Ok(())
        } else {
            Err(Error::Protocol(AlertDescription::INTERNAL_ERROR))
        }
    }

    /// The connection's secret as a line of the NSS key log format (`CLIENT_RANDOM <client
    /// random> <master secret>`, hex), which Wireshark reads to decrypt a capture of it. Only
    /// once connected. Whoever holds it can decrypt the connection: write it only when asked
    /// to (the `SSLKEYLOGFILE` convention).
    pub fn key_log_line(&self) -> Option<String> {
        let master = self
            .session
            .master_secret
            .as_ref()
            .filter(|_| self.state == State::Connected)?;
        let hex = |bytes: &[u8]| -> String { bytes.iter().map(|b| format!("{b:02x}")).collect() };
        Some(format!(
            "CLIENT_RANDOM {} {}",
            hex(&self.session.client_random),
            hex(master)
        ))
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
        let buffers = self.buffers.get_or_insert_default();
        let mut datagram = buffers.spare.pop().unwrap_or_default();
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
                buffers.spare.push(datagram);
                Err(error)
            }
        }
    }

    /// Moves the oldest received application data record into `out` (replacing its contents)
    /// and returns whether there was one. Used when [`Config::application_data_events`] is off:
    /// the record's buffer is swapped with `out`'s, not copied, and `out`'s old buffer is kept
    /// for a later record, so reading allocates and copies nothing once warm.
    pub fn recv_application_data(&mut self, out: &mut Vec<u8>) -> bool {
        let Some(buffers) = self.buffers.as_deref_mut() else {
            return false;
        };
        let Some(mut buffer) = buffers.received.pop_front() else {
            return false;
        };
        // The record's buffer becomes the caller's, and the caller's old one is kept for the
        // next record: no copy.
        std::mem::swap(out, &mut buffer);
        if buffers.spare_received.len() < MAX_SPARE_BUFFERS && buffer.capacity() > 0 {
            buffer.clear();
            buffers.spare_received.push(buffer);
        }
        true
    }

    /// Closes the connection with close_notify (RFC 5246 §7.2.1).
    pub fn close(&mut self) {
        if self.state == State::Ended {
            return;
        }
        self.send_alert(Alert::CLOSE_NOTIFY);
        self.end();
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

    /// Nothing more in or out: the handshake state, the flight and idle buffers go.
    pub(crate) fn end(&mut self) {
        self.state = State::Ended;
        self.hs = None;
        self.release_last_flight();
        self.release_buffers();
    }

    /// Ends the connection on a fatal error found here: sends the alert, reports it once.
    pub(crate) fn fail(&mut self, description: AlertDescription) {
        if self.state == State::Ended {
            return;
        }
        self.send_alert(Alert::fatal(description));
        self.end();
        self.events
            .push_back(Event::Failed(FailReason::LocalAlert(description)));
    }

    /// Queues the current flight's datagrams. A server that has not verified a cookie sends
    /// nothing beyond the bytes it received from that address (RFC 6347 §4.2.1: the
    /// HelloVerifyRequest exists so that a server cannot amplify).
    pub(crate) fn transmit_flight(&mut self, hs: &mut Handshake) -> Result<(), Error> {
        let Some(sent) = self.sent.as_deref() else {
            return Ok(());
        };
        let mut datagrams = Vec::new();
        sent.flight
            .pack(&mut self.record, self.mtu, &mut datagrams)?;
        if self.state == State::ServerWaitClientHello
            && let Some((_, budget)) = hs.unverified.as_mut()
        {
            let size: usize = datagrams.iter().map(Vec::len).sum();
            if size > *budget {
                return Ok(());
            }
            *budget -= size;
        }
        self.outgoing.extend(datagrams);
        Ok(())
    }

    /// Sends the last flight again after the handshake (no amplification budget applies:
    /// the handshake verified the peer's address).
    pub(crate) fn transmit_last_flight(&mut self) -> Result<(), Error> {
        let Some(sent) = self.sent.as_deref() else {
            return Ok(());
        };
        let mut datagrams = Vec::new();
        sent.flight
            .pack(&mut self.record, self.mtu, &mut datagrams)?;
        self.outgoing.extend(datagrams);
        Ok(())
    }

    /// The last flight can no longer be needed: it goes, with the epochs it began in.
    pub(crate) fn release_last_flight(&mut self) {
        self.sent = None;
        self.record.retire_previous_write();
        self.record.retire_previous_read();
    }

    fn release_buffers(&mut self) {
        self.release_buffers_at = None;
        if let Some(buffers) = self.buffers.as_deref_mut() {
            buffers.release();
            if buffers.received.is_empty() {
                self.buffers = None;
            }
        }
        if self.outgoing.is_empty() {
            self.outgoing = VecDeque::new();
        }
        if self.events.is_empty() {
            self.events = VecDeque::new();
        }
    }

    /// The handshake is complete.
    pub(crate) fn connected(&mut self) {
        self.state = State::Connected;
        self.record.set_version(ProtocolVersion::DTLS_1_2);
        if let Some(suite) = self.session.suite {
            self.events.push_back(Event::Connected {
                suite: suite.suite,
                srtp_profile: self.session.srtp_profile,
            });
        }
    }

    /// Traffic: the recycled buffers stay for another [`BUFFER_RELEASE_AFTER`].
    fn touch(&mut self, now: Instant) {
        if self.state == State::Connected {
            self.release_buffers_at = Some(now + BUFFER_RELEASE_AFTER);
        }
    }
}

impl SansIo for Endpoint {
    type Event = Event;
    type Error = Error;

    /// Feeds one datagram. `Err` only when no record in it could be framed; records that fail
    /// authentication, replays, wrong epochs and plaintext records after the peer's
    /// ChangeCipherSpec are dropped and counted ([`Endpoint::discarded`], RFC 6347 §4.1.2.7),
    /// and protocol failures arrive as [`Event::Failed`].
    fn handle_receive(&mut self, now: Instant, receive: Receive<'_>) -> Result<(), Error> {
        if self.state == State::Ended {
            return Ok(());
        }
        if self.state == State::ServerWaitClientHello {
            self.remote = receive.source;
            if let Some((source, budget)) =
                self.hs.as_deref_mut().and_then(|hs| hs.unverified.as_mut())
            {
                if *source != receive.source {
                    *source = receive.source;
                    *budget = 0;
                }
                *budget = budget.saturating_add(receive.contents.len());
            }
        }
        // Records are decrypted in place in a buffer of our own, reused from one datagram
        // to the next.
        let mut datagram = std::mem::take(&mut self.buffers.get_or_insert_default().scratch);
        datagram.clear();
        datagram.extend_from_slice(receive.contents);
        let result = self.receive_datagram(now, &mut datagram);
        if let Some(buffers) = self.buffers.as_deref_mut() {
            buffers.scratch = datagram;
        }
        self.touch(now);
        result
    }

    fn poll_transmit(&mut self, now: Instant, buf: &mut Vec<u8>) -> Option<Transmit> {
        let datagram = self.outgoing.pop_front()?;
        buf.clear();
        buf.extend_from_slice(&datagram);
        let size = datagram.len();
        if self.state == State::Connected {
            let buffers = self.buffers.get_or_insert_default();
            if buffers.spare.len() < MAX_SPARE_BUFFERS {
                buffers.spare.push(datagram);
            }
        }
        self.touch(now);
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
        match (self.state, self.hs.as_deref()) {
            (State::Ended, _) => None,
            (State::Connected, _) => match (
                self.sent.as_deref().and_then(|s| s.hold_until),
                self.release_buffers_at,
            ) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            },
            (_, Some(hs)) => {
                let deadline = hs.deadline();
                Some(hs.timer.deadline().map_or(deadline, |t| t.min(deadline)))
            }
            (_, None) => None,
        }
    }

    fn handle_timeout(&mut self, now: Instant) {
        match self.state {
            State::Ended => {}
            State::Connected => {
                let hold = self.sent.as_deref().and_then(|s| s.hold_until);
                if hold.is_some_and(|t| now >= t) {
                    self.release_last_flight();
                }
                if self.release_buffers_at.is_some_and(|t| now >= t) {
                    self.release_buffers();
                }
            }
            _ => {
                let Some(mut hs) = self.hs.take() else {
                    return;
                };
                if now >= hs.deadline() {
                    self.end();
                    self.events
                        .push_back(Event::Failed(FailReason::HandshakeTimeout));
                    return;
                }
                if hs.timer.expire(now) {
                    if let Some(sent) = self.sent.as_deref_mut() {
                        sent.resend_gap = hs.timer.current() / 2;
                        sent.resend_after = now + sent.resend_gap;
                    }
                    let _ = self.transmit_flight(&mut hs);
                }
                self.hs = Some(hs);
            }
        }
    }
}
