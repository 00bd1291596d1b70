//! The TURN client state machine: commands, timers and the Sans-IO surface.

use super::config::TurnConfig;
use super::connection::Connection;
use super::event::{Failure, TurnEvent};
use super::peers::{Channels, Permissions, RETRY_AFTER_FAILURE, refresh_time};
use super::request::{Auth, Request, Tag};
use crate::error::{ApiMisuse, Error};
use crate::transaction::Transactions;
use crate::wire::{
    AddressFamily, Attribute, ChannelData, ChannelNumber, Class, Message, MessageBuilder, Method,
    TransactionId, write_channel_data,
};
use sansrtc_proto::rng::{StdRng, from_seed};
use sansrtc_proto::time::MonotonicClock;
use sansrtc_proto::{Protocol, Receive, SansIo, Transmit};
use std::collections::VecDeque;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

/// Where the allocation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    Idle,
    Allocating,
    Allocated {
        relayed: SocketAddr,
        expires: Instant,
        refresh_at: Instant,
        refreshing: bool,
    },
    Deallocating,
    Closed,
}

/// Everything but the server connection, so frames borrowed from the connection's decoder can
/// be handled with `&mut Core`.
#[derive(Debug)]
pub(crate) struct Core {
    pub(crate) config: TurnConfig,
    pub(crate) clock: MonotonicClock,
    rng: StdRng,
    pub(crate) transactions: Transactions<Tag>,
    pub(crate) state: State,
    pub(crate) auth: Auth,
    pub(crate) permissions: Permissions,
    pub(crate) channels: Channels,
    pub(crate) events: VecDeque<TurnEvent>,
    pub(crate) redirected: bool,
    /// When we last sent anything to the server (for keep-alives).
    last_sent: Instant,
    scratch: Vec<u8>,
}

/// A Sans-IO TURN client for one allocation on one server (RFC 8656). See the
/// [module docs](super).
#[derive(Debug)]
pub struct TurnClient {
    conn: Connection,
    core: Core,
}

impl Core {
    /// Starts a transaction for `request`.
    pub(crate) fn start(
        &mut self,
        request: Request,
        authenticated: bool,
        unauthorized_retries: u8,
        stale_retries: u8,
    ) -> Result<(), Error> {
        let id = TransactionId::random(&mut self.rng);
        let mut buf = std::mem::take(&mut self.scratch);
        let encoded = self.encode(&request, id, authenticated, &mut buf);
        if encoded.is_ok() {
            let reliable = self.config.transport.is_stream();
            let tag = Tag {
                request,
                authenticated,
                unauthorized_retries,
                stale_retries,
            };
            self.transactions.start(id, tag, &buf, reliable);
        }
        self.scratch = buf;
        encoded
    }

    pub(crate) fn close_with(&mut self, event: TurnEvent) {
        if self.state != State::Closed {
            self.state = State::Closed;
            self.events.push_back(event);
        }
    }

    pub(crate) fn allocated(
        &mut self,
        relayed: SocketAddr,
        mapped: Option<SocketAddr>,
        lifetime: Duration,
        now: Instant,
    ) {
        self.state = State::Allocated {
            relayed,
            expires: now + lifetime,
            refresh_at: refresh_time(now, lifetime),
            refreshing: false,
        };
        self.events.push_back(TurnEvent::Allocated {
            relayed,
            mapped,
            lifetime,
        });
    }

    fn relayed(&self) -> Result<SocketAddr, Error> {
        match self.state {
            State::Allocated { relayed, .. } => Ok(relayed),
            State::Closed => Err(Error::Closed),
            _ => Err(ApiMisuse::NoAllocation.into()),
        }
    }

    /// When a keep-alive is due, if the allocation exists and keep-alives are on.
    fn keepalive_at(&self) -> Option<Instant> {
        match self.state {
            State::Allocated { .. } => self.config.keepalive.map(|k| self.last_sent + k),
            _ => None,
        }
    }

    fn next_timer(&self) -> Option<Instant> {
        let allocation = match self.state {
            State::Allocated {
                expires,
                refresh_at,
                refreshing,
                ..
            } => Some(if refreshing {
                expires
            } else {
                refresh_at.min(expires)
            }),
            _ => None,
        };
        [
            self.transactions.poll_timeout(),
            allocation,
            self.permissions.next_timer(),
            self.channels.next_timer(),
            self.keepalive_at(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    fn on_timeout(&mut self, now: Instant) {
        self.transactions.handle_timeout(now);
        while let Some((_, tag)) = self.transactions.poll_timed_out() {
            self.request_failed(&tag.request, Failure::TimedOut);
        }
        if let State::Allocated {
            expires,
            refresh_at,
            refreshing,
            relayed,
        } = self.state
        {
            if now >= expires {
                self.close_with(TurnEvent::Deallocated);
                return;
            }
            if now >= refresh_at && !refreshing {
                self.state = State::Allocated {
                    relayed,
                    expires,
                    refresh_at,
                    refreshing: true,
                };
                let lifetime = self
                    .config
                    .lifetime
                    .map(|l| u32::try_from(l.as_secs()).unwrap_or(u32::MAX));
                self.start_authenticated(Request::Refresh { lifetime });
            }
        }
        if self.state == State::Closed {
            return;
        }
        for ip in self.permissions.expire(now) {
            self.events.push_back(TurnEvent::PermissionFailed {
                peer: ip,
                failure: Failure::TimedOut,
            });
        }
        self.channels.expire(now);
        let due = self.permissions.take_due(now);
        if !due.is_empty() {
            self.start_authenticated(Request::CreatePermission { peers: due });
        }
        for (peer, channel) in self.channels.take_due(now) {
            self.start_authenticated(Request::ChannelBind { channel, peer });
        }
    }

    /// Starts an authenticated request; an encoding failure is reported as a failed request.
    pub(crate) fn start_authenticated(&mut self, request: Request) {
        if let Err(e) = self.start(request.clone(), true, 0, 0) {
            self.request_failed(
                &request,
                Failure::Server {
                    code: 0,
                    reason: e.to_string(),
                },
            );
        }
    }

    /// Reports a request that ended without success. Failed refreshes are retried after
    /// [`RETRY_AFTER_FAILURE`] while the thing they refresh lives.
    pub(crate) fn request_failed(&mut self, request: &Request, failure: Failure) {
        let now = self.clock.now();
        match request {
            Request::Allocate => self.close_with(TurnEvent::AllocationFailed(failure)),
            Request::Refresh { lifetime: Some(0) } => self.close_with(TurnEvent::Deallocated),
            Request::Refresh { .. } => {
                if let State::Allocated {
                    relayed, expires, ..
                } = self.state
                {
                    self.state = State::Allocated {
                        relayed,
                        expires,
                        refresh_at: now + RETRY_AFTER_FAILURE,
                        refreshing: false,
                    };
                }
                self.events.push_back(TurnEvent::RefreshFailed(failure));
            }
            Request::CreatePermission { peers } => {
                for &peer in peers {
                    self.permissions.failed(peer, now);
                    self.events.push_back(TurnEvent::PermissionFailed {
                        peer,
                        failure: failure.clone(),
                    });
                }
            }
            Request::ChannelBind { peer, .. } => {
                self.channels.failed(*peer, now);
                self.events.push_back(TurnEvent::ChannelBindFailed {
                    peer: *peer,
                    failure,
                });
            }
        }
    }
}

impl TurnClient {
    /// A client that has not contacted the server yet; call [`TurnClient::allocate`].
    ///
    /// # Errors
    ///
    /// [`Error::Tls`] if the TLS configuration cannot start a connection.
    pub fn new(config: TurnConfig, now: Instant) -> Result<Self, Error> {
        let conn = Connection::new(&config.transport)?;
        let transactions = Transactions::new(config.transactions);
        Ok(Self {
            conn,
            core: Core {
                rng: from_seed(config.rng_seed),
                config,
                clock: MonotonicClock::new(now),
                transactions,
                state: State::Idle,
                auth: Auth::default(),
                permissions: Permissions::default(),
                channels: Channels::default(),
                events: VecDeque::new(),
                redirected: false,
                last_sent: now,
                scratch: Vec::new(),
            },
        })
    }

    /// Sends the Allocate request (first without credentials; RFC 8656 §7.1).
    ///
    /// # Errors
    ///
    /// [`Error::Closed`] after the client closed; [`ApiMisuse::NoAllocation`] is never returned.
    pub fn allocate(&mut self, now: Instant) -> Result<(), Error> {
        self.core.clock.advance(now);
        match self.core.state {
            State::Idle => {
                self.core.state = State::Allocating;
                self.core.start(Request::Allocate, false, 0, 0)
            }
            State::Closed => Err(Error::Closed),
            _ => Ok(()),
        }
    }

    /// The relayed transport address, once allocated.
    pub fn relayed_address(&self) -> Option<SocketAddr> {
        self.core.relayed().ok()
    }

    /// The realm the server announced in its 401 challenge, once known.
    pub fn realm(&self) -> Option<&str> {
        self.core.auth.realm.as_deref()
    }

    /// The server this client talks to (it changes after a 300 Try Alternate over UDP).
    pub fn server(&self) -> SocketAddr {
        self.core.config.server
    }

    /// Whether the client is closed (allocation failed, deleted, expired, or the connection
    /// failed).
    pub fn is_closed(&self) -> bool {
        self.core.state == State::Closed
    }

    /// Installs a permission for a peer IP address, refreshed before every 300 s expiry until
    /// [`TurnClient::remove_permission`] (RFC 8656 §9).
    ///
    /// # Errors
    ///
    /// [`ApiMisuse::NoAllocation`], [`ApiMisuse::FamilyMismatch`], or [`Error::Closed`].
    pub fn create_permission(&mut self, now: Instant, peer: IpAddr) -> Result<(), Error> {
        let now = self.core.clock.advance(now);
        let relayed = self.core.relayed()?;
        if relayed.is_ipv4() != peer.is_ipv4() {
            return Err(ApiMisuse::FamilyMismatch.into());
        }
        if self.core.permissions.want(peer) {
            self.core
                .start(Request::CreatePermission { peers: vec![peer] }, true, 0, 0)
                .inspect_err(|_| self.core.permissions.failed(peer, now))?;
        }
        Ok(())
    }

    /// Stops refreshing a permission; the server drops it within 300 s.
    pub fn remove_permission(&mut self, peer: IpAddr) {
        self.core.permissions.forget(peer);
    }

    /// Binds a channel to a peer (RFC 8656 §11), refreshed before every 10-minute expiry.
    /// Returns the channel number; data uses it once [`TurnEvent::ChannelBound`] arrives.
    ///
    /// # Errors
    ///
    /// [`ApiMisuse::NoAllocation`], [`ApiMisuse::FamilyMismatch`],
    /// [`ApiMisuse::ChannelsExhausted`], or [`Error::Closed`].
    pub fn bind_channel(&mut self, now: Instant, peer: SocketAddr) -> Result<ChannelNumber, Error> {
        let now = self.core.clock.advance(now);
        let relayed = self.core.relayed()?;
        if relayed.is_ipv4() != peer.is_ipv4() {
            return Err(ApiMisuse::FamilyMismatch.into());
        }
        let (channel, send) = self
            .core
            .channels
            .want(peer)
            .ok_or(ApiMisuse::ChannelsExhausted)?;
        if send {
            self.core
                .start(Request::ChannelBind { channel, peer }, true, 0, 0)
                .inspect_err(|_| self.core.channels.failed(peer, now))?;
        }
        Ok(channel)
    }

    /// Refreshes the allocation now, asking for `lifetime` (`None`: the configured one).
    ///
    /// # Errors
    ///
    /// [`ApiMisuse::NoAllocation`] or [`Error::Closed`].
    pub fn refresh(&mut self, now: Instant, lifetime: Option<Duration>) -> Result<(), Error> {
        self.core.clock.advance(now);
        self.core.relayed()?;
        let lifetime = lifetime
            .or(self.core.config.lifetime)
            .map(|l| u32::try_from(l.as_secs()).unwrap_or(u32::MAX));
        self.core.start(Request::Refresh { lifetime }, true, 0, 0)
    }

    /// Deletes the allocation: a Refresh with LIFETIME 0 (RFC 8656 §8). Reports
    /// [`TurnEvent::Deallocated`].
    ///
    /// # Errors
    ///
    /// [`ApiMisuse::NoAllocation`] or [`Error::Closed`].
    pub fn deallocate(&mut self, now: Instant) -> Result<(), Error> {
        self.core.clock.advance(now);
        self.core.relayed()?;
        self.core.state = State::Deallocating;
        self.core
            .start(Request::Refresh { lifetime: Some(0) }, true, 0, 0)
    }

    /// Relays `data` to `peer`: as ChannelData when a channel is bound, otherwise in a Send
    /// indication (RFC 8656 §10, §12).
    ///
    /// # Errors
    ///
    /// [`ApiMisuse::NoPermission`] without a permission for the peer's IP,
    /// [`ApiMisuse::NoAllocation`], [`ApiMisuse::FamilyMismatch`], [`Error::Limit`] when too
    /// much is queued, or [`Error::Closed`].
    pub fn send_to(&mut self, now: Instant, peer: SocketAddr, data: &[u8]) -> Result<(), Error> {
        self.core.clock.advance(now);
        let relayed = self.core.relayed()?;
        if relayed.is_ipv4() != peer.is_ipv4() {
            return Err(ApiMisuse::FamilyMismatch.into());
        }
        let stream = self.conn.is_stream();
        if let Some(channel) = self.core.channels.bound(&peer) {
            return self.conn.queue(|out| {
                write_channel_data(out, channel, data, stream)?;
                Ok(())
            });
        }
        if !self.core.permissions.installed(peer.ip()) {
            return Err(ApiMisuse::NoPermission.into());
        }
        let id = TransactionId::random(&mut self.core.rng);
        let dont_fragment = self.core.config.dont_fragment;
        self.conn.queue(|out| {
            let mut b = MessageBuilder::new(out, Class::Indication, Method::SEND, id);
            b.add(&Attribute::XorPeerAddress(peer))?;
            b.add(&Attribute::Data(data))?;
            if dont_fragment {
                b.add(&Attribute::DontFragment)?;
            }
            Ok(())
        })
    }

    /// Unwraps relayed data from a UDP datagram without copying: a ChannelData message on a
    /// bound channel, or a Data indication from a permitted peer. `None` for anything else
    /// (feed those to `handle_receive`). No state changes and no event is emitted.
    pub fn peek_relayed<'a>(&self, datagram: &'a [u8]) -> Option<(SocketAddr, &'a [u8])> {
        if let Ok(frame) = ChannelData::parse(datagram) {
            return self
                .core
                .channels
                .peer(frame.channel)
                .map(|peer| (peer, frame.data));
        }
        let message = Message::parse(datagram).ok()?;
        if message.class() != Class::Indication || message.method() != Method::DATA {
            return None;
        }
        let peer = message.xor_peer_address()?;
        self.core
            .permissions
            .installed(peer.ip())
            .then_some((peer, message.data()?))
    }

    /// The address family of the relayed address, once allocated.
    pub fn relayed_family(&self) -> Option<AddressFamily> {
        self.relayed_address().map(|a| AddressFamily::of(&a))
    }
}

impl SansIo for TurnClient {
    type Event = TurnEvent;
    type Error = Error;

    fn handle_receive(&mut self, now: Instant, rx: Receive<'_>) -> Result<(), Error> {
        let now = self.core.clock.advance(now);
        if self.core.state == State::Closed {
            return Err(Error::Closed);
        }
        if rx.source != self.core.config.server {
            return Err(crate::ProtocolViolation::WrongSource.into());
        }
        if (rx.proto == Protocol::Udp) == self.conn.is_stream() {
            return Err(crate::ProtocolViolation::WrongTransport.into());
        }
        if !self.conn.is_stream() {
            return self.core.handle_datagram(now, rx.contents);
        }
        let core = &mut self.core;
        let mut first_error = None;
        let result = self.conn.receive(rx.contents, &mut |frame| {
            let handled = match frame {
                Ok(frame) => core.handle_frame(now, frame),
                Err(e) => Err(e.into()),
            };
            if let Err(e) = handled {
                first_error.get_or_insert(e);
            }
        });
        if let Err(fatal) = result {
            self.core.close_with(TurnEvent::Closed(fatal.clone()));
            return Err(fatal);
        }
        first_error.map_or(Ok(()), Err)
    }

    fn poll_transmit(&mut self, now: Instant, buf: &mut Vec<u8>) -> Option<Transmit> {
        let now = self.core.clock.advance(now);
        let proto = if self.conn.is_stream() {
            Protocol::Tcp
        } else {
            Protocol::Udp
        };
        let (source, destination) = (self.core.config.local, self.core.config.server);
        let transmit = |size| Transmit {
            proto,
            source,
            destination,
            size,
        };
        while let Some((_, request)) = self.core.transactions.poll_send(now) {
            if !self.conn.is_stream() {
                buf.clear();
                buf.extend_from_slice(request);
                self.core.last_sent = now;
                return Some(transmit(buf.len()));
            }
            if let Err(e) = self.conn.queue(|out| {
                out.extend_from_slice(request);
                Ok(())
            }) {
                self.core.close_with(TurnEvent::Closed(e));
            }
        }
        let sent = self.conn.poll_transmit(buf).map(transmit);
        if sent.is_some() {
            self.core.last_sent = now;
        }
        sent
    }

    fn poll_event(&mut self) -> Option<TurnEvent> {
        self.core.events.pop_front()
    }

    fn poll_timeout(&self) -> Option<Instant> {
        if self.core.state == State::Closed {
            return None;
        }
        self.core.next_timer()
    }

    fn handle_timeout(&mut self, now: Instant) {
        let now = self.core.clock.advance(now);
        if self.core.state == State::Closed {
            return;
        }
        self.core.on_timeout(now);
        if self.core.keepalive_at().is_some_and(|at| at <= now) {
            // A Binding indication: no response, no retransmission (RFC 8489 §3).
            let id = TransactionId::random(&mut self.core.rng);
            let queued = self.conn.queue(|out| {
                let mut b = MessageBuilder::new(out, Class::Indication, Method::BINDING, id);
                b.add_fingerprint()?;
                Ok(())
            });
            if let Err(e) = queued {
                self.core.close_with(TurnEvent::Closed(e));
            }
            self.core.last_sent = now;
        }
    }
}
