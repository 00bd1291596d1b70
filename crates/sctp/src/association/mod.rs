//! The SCTP association (RFC 9260) as WebRTC uses it over DTLS (RFC 8261): a Sans-IO state
//! machine that takes and gives whole SCTP packets.
//!
//! What it does: the four-way handshake with a stateless, HMAC-signed state cookie (§5.1),
//! initialization collisions, duplicate COOKIE ECHOs and peer restarts (§5.2), verification
//! tags (§8.5), reliable ordered and unordered user messages of any size (fragmented to the
//! MTU, §6.9) on any stream without head-of-line blocking across streams, SACKs with gap
//! blocks and duplicates sent at once on a gap and otherwise every second packet or after
//! 200 ms (§6.2, §6.7), retransmission on the T3-rtx timer and fast retransmit (§6.3,
//! §7.2.4), congestion control (§7.2), flow control by the peer's window and ours (§6.1),
//! HEARTBEAT both ways (§8.3), graceful SHUTDOWN (§9.2) and ABORT (§9.1); partial reliability
//! (RFC 3758), stream reconfiguration (RFC 6525), I-DATA interleaving (RFC 8260) and zero
//! checksums (RFC 9653), each when the peer announces it.
//!
//! # The Sans-IO contract
//! Feed every SCTP packet (the DTLS application data) to `handle_receive`, then drain
//! `poll_transmit` (each packet goes out as one DTLS record), then `poll_event`, then read
//! `poll_timeout` and call `handle_timeout` then. Time comes in as a parameter only.

mod cookie;
mod features;
mod heartbeat;
mod receive;
mod reconfig;
mod reliability;
mod restart;
mod transmit;

pub use features::Features;
pub use reliability::PartialReliability;

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use ring::hmac;
use sansrtc_proto::{Protocol, Receive, SansIo, Transmit};

use crate::receive::{DataTracker, Reassembly};
use crate::send::queue::Fragment as QueuedFragment;
use crate::send::{Congestion, Outgoing, Outstanding, Rto, RtoConfig, SendQueue};
use crate::wire::Packet;

pub use crate::receive::Message;

/// Settings of an [`Association`].
#[derive(Debug, Clone)]
pub struct Config {
    /// Our SCTP port (RFC 8841: our `a=sctp-port`, 5000 by default).
    pub port: u16,
    /// The peer's SCTP port (its `a=sctp-port`) for the INIT we send; `None`: the same as
    /// `port`. Once the peer's INIT, INIT ACK or COOKIE ECHO arrives, its source port is used.
    pub remote_port: Option<u16>,
    /// The largest SCTP packet (the DTLS record's payload). Default 1200.
    pub mtu: usize,
    /// Our receive window (a_rwnd): bytes of user data held before delivery. Large enough
    /// that a 50 ms path is not capped at 100 Mbit/s. Default 4 MiB.
    pub receive_window: usize,
    /// Largest user message accepted for sending (`a=max-message-size`). Default 256 KiB.
    pub max_message_size: usize,
    /// Streams announced both ways (RFC 8831 §6.2: 65535 in WebRTC).
    pub streams: u16,
    /// Retransmission timeout bounds.
    pub rto: RtoConfig,
    /// INIT and COOKIE ECHO transmissions before giving up (§15: Max.Init.Retransmits 8).
    pub max_init_transmissions: u32,
    /// Consecutive T3-rtx expiries before the association is declared dead
    /// (§15: Association.Max.Retrans 10).
    pub max_retransmissions: u32,
    /// How long a state cookie is valid (§15: Valid.Cookie.Life 60 s).
    pub cookie_lifetime: Duration,
    /// The delayed SACK timer (§6.2: at most 500 ms; 200 ms usual).
    pub delayed_ack: Duration,
    /// After this long without a packet or a message to send, an association with nothing
    /// queued or in flight gives back its spare buffers (default 5 s; see `docs/benchmarks.md`
    /// for the memory of an idle association).
    pub compact_after: Duration,
    /// Offer I-DATA (RFC 8260): used when the peer offers it too, so that one large message
    /// does not hold back the others. Default true.
    pub interleaving: bool,
    /// Accept packets with a zero checksum (RFC 9653), announced in INIT and INIT ACK. Right
    /// when the packets come inside DTLS (the default, true); set false when SCTP runs over
    /// plain UDP. Whether we send zero checksums depends only on what the peer announced.
    pub zero_checksum: bool,
    /// How long the peer may stay silent before a HEARTBEAT probes it (§8.3: HB.interval
    /// 30 s); `None` sends none.
    pub heartbeat_interval: Option<Duration>,
    /// Seed for tags, initial TSN and the cookie secret; `None` draws from the operating
    /// system.
    pub rng_seed: Option<sansrtc_proto::rng::Seed>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            port: 5000,
            remote_port: None,
            mtu: 1200,
            receive_window: 4 << 20,
            max_message_size: 256 * 1024,
            streams: 65535,
            rto: RtoConfig {
                initial: Duration::from_secs(1),
                // Above the peer's delayed-ack time (200 ms here and in usrsctp), so a lone
                // packet's SACK is not taken for a loss; dcSCTP also uses 400 ms.
                min: Duration::from_millis(400),
                max: Duration::from_secs(60),
            },
            max_init_transmissions: 8,
            max_retransmissions: 10,
            cookie_lifetime: Duration::from_secs(60),
            delayed_ack: Duration::from_millis(200),
            compact_after: Duration::from_secs(5),
            interleaving: true,
            zero_checksum: true,
            heartbeat_interval: Some(Duration::from_secs(30)),
            rng_seed: None,
        }
    }
}

/// Where the association stands (RFC 9260 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum State {
    /// Nothing yet: waiting for an INIT, or for `connect`.
    Closed,
    /// INIT sent.
    CookieWait,
    /// COOKIE ECHO sent.
    CookieEchoed,
    /// Established: data flows.
    Established,
    /// `shutdown` called: waiting for what is in flight to be acknowledged.
    ShutdownPending,
    /// SHUTDOWN sent.
    ShutdownSent,
    /// SHUTDOWN received: finishing what is in flight.
    ShutdownReceived,
    /// SHUTDOWN ACK sent.
    ShutdownAckSent,
    /// Closed for good (shut down, aborted, or failed).
    Ended,
}

/// What the application learns.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// The association is established.
    Connected,
    /// A whole user message.
    Message(Message),
    /// A stream's buffered amount fell to its low threshold or below.
    BufferedAmountLow(u16),
    /// The peer reset these incoming streams (RFC 6525 §5.2.2): their sequence numbers start
    /// again; empty means every stream. A data channel's peer closed it (RFC 8831 §6.7).
    IncomingStreamsReset(Vec<u16>),
    /// Our reset of these outgoing streams is done (`Association::reset_streams`).
    OutgoingStreamsReset(Vec<u16>),
    /// The peer refused to reset these outgoing streams; they can be used again.
    StreamResetFailed(Vec<u16>),
    /// The peer restarted the association (§5.2.4 A): whatever was queued, in flight or
    /// being reassembled is gone, and both sides start afresh.
    Restarted,
    /// The association shut down gracefully.
    Closed,
    /// The peer aborted, or this side gave up (too many retransmissions, handshake timeout).
    Aborted(AbortReason),
}

/// Why an association ended abruptly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AbortReason {
    /// The peer sent ABORT.
    ByPeer,
    /// INIT or COOKIE ECHO went unanswered too often (§5.1).
    HandshakeTimeout,
    /// Too many consecutive retransmission timeouts (§8.1).
    PeerUnreachable,
    /// `abort` was called.
    ByUser,
}

/// Why a packet or a call was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The packet did not parse.
    #[error("malformed SCTP packet: {0}")]
    Malformed(crate::ParseError),
    /// The checksum is wrong (§6.8): discarded.
    #[error("bad checksum")]
    BadChecksum,
    /// The verification tag is not ours (§8.5): discarded.
    #[error("wrong verification tag")]
    WrongTag,
    /// A message larger than `Config::max_message_size`.
    #[error("message too large")]
    MessageTooLarge,
    /// The association is not established, or ended.
    #[error("association not open")]
    NotOpen,
    /// The peer did not announce the extension this needs.
    #[error("not supported by the peer")]
    Unsupported,
    /// The stream is being reset: nothing can be sent on it until that is done.
    #[error("stream being reset")]
    StreamResetting,
}

/// Our handshake parameters, fixed for the association's life.
#[derive(Debug, Clone, Copy)]
struct Local {
    tag: u32,
    initial_tsn: u32,
}

/// What we learned of the peer.
#[derive(Debug, Clone, Copy)]
struct Peer {
    tag: u32,
    rwnd: usize,
    /// What it announced.
    features: Features,
}

/// One DATA chunk in flight: the queued fragment.
#[derive(Debug)]
pub(crate) struct InFlight {
    fragment: QueuedFragment,
}

/// Timers (RFC 9260 §6.3, §5.1, §9.2).
#[derive(Debug, Default, Clone, Copy)]
struct Timers {
    /// T1-init / T1-cookie, and T2-shutdown: a control chunk to send again.
    control: Option<Instant>,
    control_transmissions: u32,
    /// T3-rtx.
    t3: Option<Instant>,
    /// The delayed SACK.
    ack: Option<Instant>,
    /// When to give back what only moving data needs, if idle by then.
    compact: Option<Instant>,
    /// When to send a HEARTBEAT if the peer stays silent.
    heartbeat: Option<Instant>,
}

/// An SCTP association.
pub struct Association {
    config: Config,
    state: State,
    epoch: Instant,
    last_now: Instant,
    cookie_key: hmac::Key,
    local: Local,
    peer: Option<Peer>,
    /// The cookie to echo (CookieEchoed).
    cookie: Option<Vec<u8>>,
    queue: SendQueue,
    outstanding: Outstanding<InFlight>,
    congestion: Congestion,
    rto: Rto,
    tracker: Option<DataTracker>,
    reassembly: Reassembly,
    timers: Timers,
    /// Consecutive T3 expiries (§8.1).
    errors: u32,
    /// Control chunks waiting to go (see `transmit.rs`).
    pending: transmit::Pending,
    /// DATA packets received since the last SACK.
    unacked_packets: u32,
    /// Fragment buffers to reuse.
    pool: Vec<Vec<u8>>,
    events: VecDeque<Event>,
    /// Packets refused (checksum, tag, parse).
    refused: u64,
    /// The chunk timed for an RTT sample and when it went (RFC 9260 §6.3.1 C4).
    rtt_probe: Option<(u64, Instant)>,
    /// Stream reconfiguration (RFC 6525).
    reconfig: reconfig::Reconfig,
    /// Our HEARTBEAT in flight: its nonce and when it went.
    heartbeat: Option<([u8; 8], Instant)>,
    /// When the peer last proved it is there: new DATA, an acknowledgement of new data, or
    /// the answer to our HEARTBEAT (a forged packet with the right tag proves nothing).
    last_heard: Instant,
    /// Counter behind the nonces and restart tags derived from the cookie secret.
    derivations: u64,
    /// The peer's SCTP port.
    peer_port: u16,
    /// The source port of the packet being handled.
    incoming_port: u16,
}

impl std::fmt::Debug for Association {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Association")
            .field("state", &self.state)
            .field("in_flight", &self.outstanding.len())
            .field("queued", &self.queue.buffered())
            .field("cwnd", &self.congestion.cwnd())
            .field("peer_rwnd", &self.peer.map(|p| p.rwnd))
            .field(
                "cumulative_tsn_ack",
                &self.tracker.as_ref().map(DataTracker::cumulative_tsn),
            )
            .field("reassembly_held", &self.reassembly.held())
            .finish_non_exhaustive()
    }
}

impl Association {
    /// A new association, closed: call [`Association::connect`] on the side that starts
    /// (either, or both: collisions are handled), or wait for the peer's INIT.
    pub fn new(config: Config, now: Instant) -> Self {
        let mut rng = sansrtc_proto::rng::from_seed(config.rng_seed);
        let mut secret = [0u8; 32];
        rand::Rng::fill_bytes(&mut rng, &mut secret);
        // A verification tag is never 0 (§5.3.1).
        let tag = rand::Rng::next_u32(&mut rng).max(1);
        let initial_tsn = rand::Rng::next_u32(&mut rng);
        let first = (1u64 << 32) + u64::from(initial_tsn);
        let peer_port = config.remote_port.unwrap_or(config.port);
        Self {
            congestion: Congestion::new(config.mtu, config.receive_window),
            rto: Rto::new(config.rto),
            reassembly: Reassembly::new(false, receive::reassembly_limit(config.receive_window)),
            cookie_key: hmac::Key::new(hmac::HMAC_SHA256, &secret),
            config,
            state: State::Closed,
            epoch: now,
            last_now: now,
            local: Local { tag, initial_tsn },
            peer: None,
            cookie: None,
            queue: SendQueue::new(false),
            outstanding: Outstanding::new(first),
            tracker: None,
            timers: Timers::default(),
            errors: 0,
            pending: transmit::Pending::default(),
            unacked_packets: 0,
            pool: Vec::new(),
            events: VecDeque::new(),
            refused: 0,
            rtt_probe: None,
            reconfig: reconfig::Reconfig::new(initial_tsn, 0),
            heartbeat: None,
            last_heard: now,
            derivations: 0,
            peer_port,
            incoming_port: 0,
        }
    }

    /// The state.
    pub fn state(&self) -> State {
        self.state
    }

    /// Whether data can be sent and received.
    pub fn is_established(&self) -> bool {
        self.state == State::Established
    }

    /// The extensions negotiated with the peer in INIT and INIT ACK, once its own is known.
    pub fn features(&self) -> Option<Features> {
        self.peer.map(|p| p.features)
    }

    /// Packets refused so far (bad checksum, foreign tag, malformed).
    pub fn refused_packets(&self) -> u64 {
        self.refused
    }

    /// DATA chunks sent and not yet acknowledged, nor abandoned and covered by an
    /// acknowledged FORWARD TSN (RFC 9260 §6.2.1, RFC 3758 §3.5).
    pub fn unacknowledged_chunks(&self) -> usize {
        self.outstanding.len()
    }

    /// Bytes queued on `stream` and not yet sent (the data channel `bufferedAmount`).
    pub fn buffered_amount(&self, stream: u16) -> usize {
        self.queue.buffered_on(stream)
    }

    /// The largest message `send` accepts (`Config::max_message_size`).
    pub fn max_message_size(&self) -> usize {
        self.config.max_message_size
    }

    /// Gives a delivered message's buffer back, so that a later message is assembled in it
    /// instead of a new allocation (a bounded pool keeps it).
    pub fn recycle(&mut self, buffer: Vec<u8>) {
        self.reassembly.recycle(buffer);
    }

    /// Sets the threshold under which [`Event::BufferedAmountLow`] is reported for `stream`.
    pub fn set_buffered_amount_low_threshold(&mut self, stream: u16, threshold: usize) {
        self.queue.set_low_threshold(stream, threshold);
    }

    /// Starts the handshake: INIT goes out (RFC 9260 §5.1 A).
    pub fn connect(&mut self, now: Instant) {
        let now = self.clock(now);
        if self.state != State::Closed {
            return;
        }
        self.state = State::CookieWait;
        self.pending.init = true;
        self.timers.control = Some(now + self.rto.rto());
        self.timers.control_transmissions = 1;
    }

    /// Queues a reliable user message on `stream` (RFC 9260 §10.1 SEND), ordered or not.
    ///
    /// # Errors
    /// [`Error::MessageTooLarge`] beyond `Config::max_message_size`; [`Error::NotOpen`]
    /// once shutting down or ended.
    pub fn send(
        &mut self,
        stream: u16,
        ppid: u32,
        unordered: bool,
        data: Vec<u8>,
    ) -> Result<(), Error> {
        let now = self.last_now;
        self.send_with(
            now,
            stream,
            ppid,
            unordered,
            data,
            PartialReliability::Reliable,
        )
    }

    /// Queues a user message with a partial reliability policy (RFC 3758: abandoned after
    /// that many retransmissions, or once its lifetime is over; the peer is told with
    /// FORWARD TSN when it supports it, otherwise the message stays reliable).
    ///
    /// # Errors
    /// As [`Association::send`].
    pub fn send_with(
        &mut self,
        now: Instant,
        stream: u16,
        ppid: u32,
        unordered: bool,
        data: Vec<u8>,
        reliability: PartialReliability,
    ) -> Result<(), Error> {
        let now = self.clock(now);
        if data.len() > self.config.max_message_size {
            return Err(Error::MessageTooLarge);
        }
        if !matches!(
            self.state,
            State::Closed | State::CookieWait | State::CookieEchoed | State::Established
        ) {
            return Err(Error::NotOpen);
        }
        if self.reconfig.resetting(stream) {
            return Err(Error::StreamResetting);
        }
        let (expires, max_retransmits) = match reliability {
            PartialReliability::Reliable => (None, None),
            PartialReliability::MaxRetransmits(n) => (None, Some(n)),
            PartialReliability::Lifetime(lifetime) => (Some(now + lifetime), None),
        };
        self.queue.push(Outgoing {
            stream,
            ppid,
            unordered,
            data,
            expires,
            max_retransmits,
        });
        self.timers.compact = Some(now + self.config.compact_after);
        Ok(())
    }

    /// Graceful shutdown (RFC 9260 §9.2): what is queued and in flight is delivered first.
    pub fn shutdown(&mut self, now: Instant) {
        let now = self.clock(now);
        if self.state == State::Established {
            self.state = State::ShutdownPending;
            self.progress_shutdown(now);
        }
    }

    /// Abort (RFC 9260 §9.1): ABORT goes out, everything is dropped.
    pub fn abort(&mut self, now: Instant) {
        let _ = self.clock(now);
        if matches!(self.state, State::Ended | State::Closed) {
            self.state = State::Ended;
            return;
        }
        self.pending.abort = true;
        self.end(Event::Aborted(AbortReason::ByUser));
    }

    fn clock(&mut self, now: Instant) -> Instant {
        self.last_now = self.last_now.max(now);
        self.last_now
    }

    fn end(&mut self, event: Event) {
        if self.state != State::Ended {
            self.state = State::Ended;
            self.timers = Timers::default();
            self.push_event_after_messages(event);
        }
    }

    /// Queues `event` behind every message already whole, so the application sees them in
    /// the order they happened (a stream reset or a close after the data sent before it).
    fn push_event_after_messages(&mut self, event: Event) {
        while let Some(message) = self.reassembly.pop() {
            self.events.push_back(Event::Message(message));
        }
        self.events.push_back(event);
    }

    /// `Config::compact_after` after the last packet or message, if nothing is queued or in
    /// flight: gives back what only moving data needs (the spare fragment buffers, the receive
    /// bitmap, the queues' spare capacity, emptied maps). Returns whether it was idle. Done on
    /// a timer rather than whenever the flight empties, so a busy association keeps its warm
    /// buffers and allocates nothing per message.
    fn compact_when_idle(&mut self) -> bool {
        if !(self.outstanding.is_empty() && self.queue.is_empty()) {
            return false;
        }
        if self.pool.capacity() > 0 {
            self.pool = Vec::new();
        }
        self.outstanding.compact();
        if let Some(tracker) = self.tracker.as_mut() {
            tracker.compact();
        }
        if self.reassembly.held() == 0 {
            self.reassembly.compact();
        }
        self.queue.compact();
        if self.events.is_empty() && self.events.capacity() > 0 {
            self.events = VecDeque::new();
        }
        true
    }

    /// Moves a shutdown along once nothing is queued or in flight (§9.2).
    fn progress_shutdown(&mut self, now: Instant) {
        let drained = self.queue.is_empty() && self.outstanding.is_empty();
        match self.state {
            State::ShutdownPending if drained => {
                self.state = State::ShutdownSent;
                self.pending.shutdown = true;
                self.timers.control = Some(now + self.rto.rto());
                self.timers.control_transmissions = 1;
            }
            State::ShutdownReceived if drained => {
                self.state = State::ShutdownAckSent;
                self.pending.shutdown_ack = true;
                self.timers.control = Some(now + self.rto.rto());
                self.timers.control_transmissions = 1;
            }
            _ => {}
        }
    }

    /// The peer's packets must carry our tag (§8.5), except INIT (tag 0) and chunks whose T
    /// bit reflects the peer's own tag.
    fn tag_ok(&self, tag: u32) -> bool {
        tag == self.local.tag
    }

    /// Eight bytes no one else can predict (our cookie secret over a counter): heartbeat
    /// nonces, and the tag and initial TSN of a restarted association.
    fn derive(&mut self, label: &[u8]) -> [u8; 8] {
        self.derivations += 1;
        let mut input = [0u8; 24];
        let n = label.len().min(16);
        input[..n].copy_from_slice(&label[..n]);
        input[16..].copy_from_slice(&self.derivations.to_be_bytes());
        let tag = hmac::sign(&self.cookie_key, &input);
        let mut out = [0u8; 8];
        out.copy_from_slice(&tag.as_ref()[..8]);
        out
    }

    /// The checksum our packets carry: zero only toward a peer that announced it accepts that
    /// (RFC 9653 §5.2), never on an INIT.
    fn checksum_mode(&self) -> crate::wire::ChecksumMode {
        if self.peer.is_some_and(|p| p.features.zero_checksum) {
            crate::wire::ChecksumMode::Zero
        } else {
            crate::wire::ChecksumMode::Crc32c
        }
    }
}

impl SansIo for Association {
    type Event = Event;
    type Error = Error;

    fn handle_receive(&mut self, now: Instant, receive: Receive<'_>) -> Result<(), Error> {
        let now = self.clock(now);
        if self.state == State::Ended {
            return Err(Error::NotOpen);
        }
        let packet = Packet::new_checked(receive.contents).map_err(|e| {
            self.refused += 1;
            Error::Malformed(e)
        })?;
        if packet.verify_checksum(self.config.zero_checksum).is_err() {
            self.refused += 1;
            return Err(Error::BadChecksum);
        }
        let result = self.receive_packet(now, &packet);
        if result.is_err() {
            self.refused += 1;
        }
        self.timers.compact = Some(now + self.config.compact_after);
        result
    }

    fn poll_transmit(&mut self, now: Instant, buf: &mut Vec<u8>) -> Option<Transmit> {
        let now = self.clock(now);
        let size = self.write_packet(now, buf)?;
        let address = std::net::SocketAddr::from(([0, 0, 0, 0], self.config.port));
        Some(Transmit {
            proto: Protocol::Udp,
            source: address,
            destination: address,
            size,
        })
    }

    fn poll_event(&mut self) -> Option<Event> {
        if let Some(stream) = self.queue.poll_low() {
            return Some(Event::BufferedAmountLow(stream));
        }
        if let Some(event) = self.events.pop_front() {
            return Some(event);
        }
        self.reassembly.pop().map(Event::Message)
    }

    fn poll_timeout(&self) -> Option<Instant> {
        [
            self.timers.control,
            self.timers.t3,
            self.timers.ack,
            self.timers.compact,
            self.timers.heartbeat,
            self.reconfig.timer,
        ]
        .into_iter()
        .flatten()
        .min()
    }

    fn handle_timeout(&mut self, now: Instant) {
        let now = self.clock(now);
        self.timeouts(now);
        if self.timers.compact.is_some_and(|t| now >= t) {
            self.timers.compact = if self.compact_when_idle() {
                None
            } else {
                Some(now + self.config.compact_after)
            };
        }
    }
}
