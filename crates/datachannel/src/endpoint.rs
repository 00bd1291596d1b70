//! Data channels over an SCTP association (RFC 8831, RFC 8832): a Sans-IO machine that owns
//! the association, opens channels with DCEP or pre-negotiated, carries text, binary and empty
//! messages with each channel's ordering and reliability, and closes channels by resetting
//! their streams.
//!
//! The contract is the association's: feed every SCTP packet (the DTLS application data) to
//! `handle_receive`, drain `poll_transmit`, then `poll_event`; call `handle_timeout` at
//! `poll_timeout`. Received messages are the association's reassembled buffers, moved, never
//! copied again here; give them back with [`DataChannels::recycle`] and the receive path
//! allocates nothing per message once warm.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use sansrtc_proto::{Receive, SansIo, Transmit};
use sansrtc_sctp::association::{self, Association, PartialReliability};

use crate::channel::{ChannelConfig, ChannelId, ChannelInfo, ChannelState, DtlsRole, MessageKind};
use crate::wire::{Message as Dcep, OpenRepr, Ppid, Reliability};

/// The largest message WebRTC peers accept when they say nothing else (RFC 8841 §6: a missing
/// `a=max-message-size` means 64 KiB).
pub const DEFAULT_REMOTE_MAX_MESSAGE_SIZE: usize = 65_536;

/// What the application learns.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// The SCTP association is up.
    Connected,
    /// A channel is open: one we created (pre-negotiated, or announced with
    /// DATA_CHANNEL_OPEN), or one the peer opened (see [`DataChannels::channel`]).
    ChannelOpen(ChannelId),
    /// A whole message.
    Message {
        /// The channel.
        channel: ChannelId,
        /// Text or binary.
        kind: MessageKind,
        /// Its bytes (empty for an empty message).
        data: Vec<u8>,
    },
    /// The channel's buffered amount fell to its low threshold (the browser's
    /// `bufferedamountlow`).
    BufferedAmountLow(ChannelId),
    /// The peer closed the channel, or `close` was called: no more messages can be sent.
    ChannelClosing(ChannelId),
    /// The channel is closed both ways and its id free again.
    ChannelClosed(ChannelId),
    /// The association ended (shut down, aborted, or failed): every channel is closed.
    Disconnected,
}

/// Why a call was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No stream id of ours is free, or the id asked for is in use.
    #[error("no stream id available")]
    NoStreamAvailable,
    /// The channel does not exist (or is closed).
    #[error("unknown channel")]
    UnknownChannel,
    /// The channel is closing or closed.
    #[error("channel not open")]
    ChannelNotOpen,
    /// Larger than the peer's `a=max-message-size` (or ours).
    #[error("message too large")]
    MessageTooLarge,
    /// The association refused it.
    #[error("association: {0}")]
    Association(#[from] association::Error),
}

#[derive(Debug)]
struct Channel {
    info: ChannelInfo,
    /// The peer acknowledged our DATA_CHANNEL_OPEN (or no DCEP was needed): unordered
    /// channels may send unordered (RFC 8832 §6).
    acknowledged: bool,
    /// Our outgoing stream is reset, or being reset.
    outgoing_reset: bool,
    /// The peer confirmed our reset.
    outgoing_done: bool,
    /// The peer's outgoing stream (our incoming) is reset.
    incoming_reset: bool,
    /// A message in the deprecated partial PPIDs (52, 54) being put together.
    partial: Vec<u8>,
}

/// Data channels on one SCTP association.
#[derive(Debug)]
pub struct DataChannels {
    association: Association,
    role: DtlsRole,
    channels: HashMap<u16, Channel>,
    /// Our next stream id to try.
    next_id: u16,
    events: VecDeque<Event>,
    remote_max_message_size: usize,
    now: Instant,
    connected: bool,
    /// DCEP messages and user messages on unknown streams, dropped.
    dropped: u64,
}

impl DataChannels {
    /// Data channels over `association`, on the side of `role` in the DTLS handshake beneath.
    pub fn new(association: Association, role: DtlsRole, now: Instant) -> Self {
        Self {
            association,
            role,
            channels: HashMap::new(),
            next_id: match role {
                DtlsRole::Client => 0,
                DtlsRole::Server => 1,
            },
            events: VecDeque::new(),
            remote_max_message_size: DEFAULT_REMOTE_MAX_MESSAGE_SIZE,
            now,
            connected: false,
            dropped: 0,
        }
    }

    /// The association beneath (its state, statistics, `connect`, `shutdown`).
    pub fn association(&self) -> &Association {
        &self.association
    }

    /// The association beneath, to drive its handshake or shut it down.
    pub fn association_mut(&mut self) -> &mut Association {
        &mut self.association
    }

    /// The peer's `a=max-message-size` (RFC 8841 §6); 0 means any size. Messages larger are
    /// refused by [`DataChannels::send`].
    pub fn set_remote_max_message_size(&mut self, size: usize) {
        self.remote_max_message_size = if size == 0 { usize::MAX } else { size };
    }

    /// The largest message `send` takes: the peer's limit and ours.
    pub fn max_message_size(&self) -> usize {
        self.remote_max_message_size
            .min(self.association.max_message_size())
    }

    /// A channel's description and state.
    pub fn channel(&self, id: ChannelId) -> Option<&ChannelInfo> {
        self.channels.get(&id.0).map(|c| &c.info)
    }

    /// The channels that exist (open, opening or closing).
    pub fn channel_ids(&self) -> impl Iterator<Item = ChannelId> + '_ {
        self.channels.keys().map(|&id| ChannelId(id))
    }

    /// DCEP messages that made no sense and user messages on streams with no channel, dropped.
    pub fn dropped_messages(&self) -> u64 {
        self.dropped
    }

    /// Creates a channel (the browser's `createDataChannel`, RFC 8832 §6): a pre-negotiated
    /// one on its given id, otherwise announced with DATA_CHANNEL_OPEN on the next free id of
    /// our parity. It opens ([`Event::ChannelOpen`]) when the association is up, or for an
    /// announced channel already when our COOKIE ECHO carries its DATA_CHANNEL_OPEN.
    ///
    /// # Errors
    /// [`Error::NoStreamAvailable`] when the id asked for is in use or none is free;
    /// association errors for the DATA_CHANNEL_OPEN.
    pub fn open(&mut self, now: Instant, config: ChannelConfig) -> Result<ChannelId, Error> {
        self.now = self.now.max(now);
        let id = match config.negotiated {
            Some(id) if id == u16::MAX || self.channels.contains_key(&id) => {
                return Err(Error::NoStreamAvailable);
            }
            Some(id) => id,
            None => self.free_id().ok_or(Error::NoStreamAvailable)?,
        };
        let negotiated = config.negotiated.is_some();
        if !negotiated {
            let open = OpenRepr {
                channel_type: config.channel_type(),
                priority: config.priority,
                label: &config.label,
                protocol: &config.protocol,
            };
            let mut message = Vec::with_capacity(open.buffer_len());
            if open.emit(&mut message).is_err() {
                return Err(Error::MessageTooLarge);
            }
            // DCEP goes ordered and reliable (RFC 8832 §6).
            self.association.send(id, Ppid::DCEP.0, false, message)?;
        }
        let open_now = self.connected || (!negotiated && self.cookie_echoed());
        self.channels.insert(
            id,
            Channel {
                info: ChannelInfo {
                    config,
                    state: if open_now {
                        ChannelState::Open
                    } else {
                        ChannelState::Connecting
                    },
                    opened_by_peer: false,
                },
                acknowledged: negotiated,
                outgoing_reset: false,
                outgoing_done: false,
                incoming_reset: false,
                partial: Vec::new(),
            },
        );
        if open_now {
            self.events.push_back(Event::ChannelOpen(ChannelId(id)));
        }
        Ok(ChannelId(id))
    }

    /// The next free stream id of our parity, round robin (ids in use or closing are skipped;
    /// 65535 is reserved, RFC 8831 §6.2).
    fn free_id(&mut self) -> Option<u16> {
        let start = self.next_id;
        let mut id = start;
        loop {
            if id != u16::MAX && self.role.owns(id) && !self.channels.contains_key(&id) {
                self.next_id = id.wrapping_add(2);
                return Some(id);
            }
            id = id.wrapping_add(2);
            if id == start {
                return None;
            }
        }
    }

    /// Sends a message (RFC 8831 §6.6): an empty one goes as one byte with the empty PPID.
    ///
    /// # Errors
    /// [`Error::UnknownChannel`], [`Error::ChannelNotOpen`] once closing,
    /// [`Error::MessageTooLarge`] past [`DataChannels::max_message_size`].
    pub fn send(
        &mut self,
        now: Instant,
        channel: ChannelId,
        kind: MessageKind,
        data: Vec<u8>,
    ) -> Result<(), Error> {
        self.now = self.now.max(now);
        let c = self.channels.get(&channel.0).ok_or(Error::UnknownChannel)?;
        if matches!(c.info.state, ChannelState::Closing) || c.outgoing_reset {
            return Err(Error::ChannelNotOpen);
        }
        if data.len() > self.max_message_size() {
            return Err(Error::MessageTooLarge);
        }
        let (ppid, data) = match (kind, data.is_empty()) {
            (MessageKind::Text, false) => (Ppid::STRING, data),
            (MessageKind::Binary, false) => (Ppid::BINARY, data),
            (MessageKind::Text, true) => (Ppid::STRING_EMPTY, vec![0]),
            (MessageKind::Binary, true) => (Ppid::BINARY_EMPTY, vec![0]),
        };
        // Unordered only once the peer has acknowledged the channel (RFC 8832 §6).
        let unordered = !c.info.config.ordered && c.acknowledged;
        let reliability = match c.info.config.reliability {
            Reliability::Reliable => PartialReliability::Reliable,
            Reliability::MaxRetransmits(n) => PartialReliability::MaxRetransmits(n),
            Reliability::MaxLifetimeMs(ms) => {
                PartialReliability::Lifetime(Duration::from_millis(u64::from(ms)))
            }
        };
        self.association
            .send_with(self.now, channel.0, ppid.0, unordered, data, reliability)?;
        Ok(())
    }

    /// Bytes queued on the channel and not yet sent (the browser's `bufferedAmount`).
    pub fn buffered_amount(&self, channel: ChannelId) -> usize {
        self.association.buffered_amount(channel.0)
    }

    /// Sets the threshold of [`Event::BufferedAmountLow`].
    pub fn set_buffered_amount_low_threshold(&mut self, channel: ChannelId, threshold: usize) {
        self.association
            .set_buffered_amount_low_threshold(channel.0, threshold);
    }

    /// Closes a channel (RFC 8831 §6.7): what is queued goes first, then its outgoing stream is
    /// reset; the peer resets its own, and [`Event::ChannelClosed`] follows.
    ///
    /// # Errors
    /// [`Error::UnknownChannel`].
    pub fn close(&mut self, now: Instant, channel: ChannelId) -> Result<(), Error> {
        self.now = self.now.max(now);
        let c = self
            .channels
            .get_mut(&channel.0)
            .ok_or(Error::UnknownChannel)?;
        if c.outgoing_reset {
            return Ok(());
        }
        if c.info.state != ChannelState::Closing {
            c.info.state = ChannelState::Closing;
            self.events.push_back(Event::ChannelClosing(channel));
        }
        self.reset_outgoing(channel.0);
        Ok(())
    }

    /// Gives a received message's buffer back for the next one (no allocation per message
    /// once warm).
    pub fn recycle(&mut self, buffer: Vec<u8>) {
        self.association.recycle(buffer);
    }

    /// Resets our outgoing stream of a channel; when the association cannot (not up, or the
    /// peer has no RE-CONFIG), the channel simply ends here.
    fn reset_outgoing(&mut self, id: u16) {
        let Some(c) = self.channels.get_mut(&id) else {
            return;
        };
        c.outgoing_reset = true;
        if self.association.reset_streams(self.now, &[id]).is_err() {
            self.finish_close(id, true);
        }
    }

    /// The channel is closed both ways (or cannot be closed more): gone, id free.
    fn finish_close(&mut self, id: u16, force: bool) {
        let done = self
            .channels
            .get(&id)
            .is_some_and(|c| force || (c.incoming_reset && c.outgoing_done));
        if done {
            self.channels.remove(&id);
            self.events.push_back(Event::ChannelClosed(ChannelId(id)));
        }
    }

    /// Our COOKIE ECHO is out and the association is one packet from established: a
    /// DATA_CHANNEL_OPEN queued now rides with the COOKIE ECHO or follows the COOKIE ACK.
    fn cookie_echoed(&self) -> bool {
        self.association.state() == association::State::CookieEchoed
    }

    /// The channels we announce open as soon as our COOKIE ECHO carries their
    /// DATA_CHANNEL_OPEN: the opener may send user data without waiting for the peer's
    /// DATA_CHANNEL_ACK (RFC 8832 §6), and what it sends is queued on the same stream behind
    /// the OPEN (ordered until the ACK), so the peer learns of the channel first. Saves the
    /// opener the COOKIE ACK's half round trip; pre-negotiated channels wait for the
    /// association (the peer has no OPEN to learn them from).
    fn open_announced_channels_early(&mut self) {
        if self.connected || !self.cookie_echoed() {
            return;
        }
        let mut ids: Vec<u16> = self
            .channels
            .iter()
            .filter(|(_, c)| {
                c.info.state == ChannelState::Connecting
                    && !c.info.opened_by_peer
                    && !c.acknowledged
            })
            .map(|(&id, _)| id)
            .collect();
        if ids.is_empty() {
            return;
        }
        ids.sort_unstable();
        for id in ids {
            if let Some(c) = self.channels.get_mut(&id) {
                c.info.state = ChannelState::Open;
            }
            self.events.push_back(Event::ChannelOpen(ChannelId(id)));
        }
    }

    /// Takes what the association reports and turns it into channel events.
    fn pump(&mut self) {
        self.open_announced_channels_early();
        while let Some(event) = self.association.poll_event() {
            match event {
                association::Event::Connected => self.connected(),
                association::Event::Message(m) => self.receive(m),
                association::Event::BufferedAmountLow(stream)
                    if self.channels.contains_key(&stream) =>
                {
                    self.events
                        .push_back(Event::BufferedAmountLow(ChannelId(stream)));
                }
                association::Event::IncomingStreamsReset(streams) => {
                    let streams = if streams.is_empty() {
                        self.channels.keys().copied().collect()
                    } else {
                        streams
                    };
                    for id in streams {
                        self.incoming_reset(id);
                    }
                }
                association::Event::OutgoingStreamsReset(streams)
                | association::Event::StreamResetFailed(streams) => {
                    for id in streams {
                        if let Some(c) = self.channels.get_mut(&id) {
                            c.outgoing_reset = true;
                            c.outgoing_done = true;
                            c.info.state = ChannelState::Closing;
                        }
                        self.finish_close(id, false);
                    }
                }
                association::Event::Restarted
                | association::Event::Closed
                | association::Event::Aborted(_) => self.disconnected(),
                _ => {}
            }
        }
    }

    fn connected(&mut self) {
        self.connected = true;
        self.events.push_back(Event::Connected);
        let mut ids: Vec<u16> = self
            .channels
            .iter()
            .filter(|(_, c)| c.info.state == ChannelState::Connecting && !c.info.opened_by_peer)
            .map(|(&id, _)| id)
            .collect();
        ids.sort_unstable();
        for id in ids {
            if let Some(c) = self.channels.get_mut(&id) {
                c.info.state = ChannelState::Open;
            }
            self.events.push_back(Event::ChannelOpen(ChannelId(id)));
        }
    }

    fn disconnected(&mut self) {
        self.connected = false;
        let mut ids: Vec<u16> = self.channels.keys().copied().collect();
        ids.sort_unstable();
        for id in ids {
            self.finish_close(id, true);
        }
        self.events.push_back(Event::Disconnected);
    }

    /// The peer reset its outgoing stream (RFC 8831 §6.7): the channel is closing; we reset
    /// ours in turn, unless we began.
    fn incoming_reset(&mut self, id: u16) {
        let Some(c) = self.channels.get_mut(&id) else {
            return;
        };
        c.incoming_reset = true;
        if c.info.state != ChannelState::Closing {
            c.info.state = ChannelState::Closing;
            self.events.push_back(Event::ChannelClosing(ChannelId(id)));
        }
        if c.outgoing_reset {
            self.finish_close(id, false);
        } else {
            self.reset_outgoing(id);
        }
    }

    fn receive(&mut self, message: association::Message) {
        let id = message.stream;
        let ppid = Ppid(message.ppid);
        if ppid == Ppid::DCEP {
            self.receive_dcep(id, &message.data);
            return;
        }
        let Some(c) = self.channels.get_mut(&id) else {
            self.dropped += 1;
            return;
        };
        // Any user message acknowledges the channel, as the ACK would (RFC 8832 §6).
        c.acknowledged = true;
        if c.info.state == ChannelState::Connecting {
            c.info.state = ChannelState::Open;
            self.events.push_back(Event::ChannelOpen(ChannelId(id)));
        }
        let kind = match ppid {
            Ppid::STRING | Ppid::STRING_EMPTY | Ppid::STRING_PARTIAL => MessageKind::Text,
            Ppid::BINARY | Ppid::BINARY_EMPTY | Ppid::BINARY_PARTIAL => MessageKind::Binary,
            _ => {
                self.dropped += 1;
                return;
            }
        };
        let mut data = message.data;
        match ppid {
            Ppid::STRING_EMPTY | Ppid::BINARY_EMPTY => data.clear(),
            Ppid::STRING_PARTIAL | Ppid::BINARY_PARTIAL => {
                // Deprecated (RFC 8831 §6.6): pieces of one message, ended by a whole PPID.
                if c.partial.len() + data.len() <= self.association.max_message_size() {
                    c.partial.extend_from_slice(&data);
                } else {
                    c.partial.clear();
                    self.dropped += 1;
                }
                return;
            }
            _ if !c.partial.is_empty() => {
                let mut whole = std::mem::take(&mut c.partial);
                whole.extend_from_slice(&data);
                data = whole;
            }
            _ => {}
        }
        self.events.push_back(Event::Message {
            channel: ChannelId(id),
            kind,
            data,
        });
    }

    /// DATA_CHANNEL_OPEN and DATA_CHANNEL_ACK (RFC 8832 §6).
    fn receive_dcep(&mut self, id: u16, bytes: &[u8]) {
        match Dcep::parse(bytes) {
            Ok(Dcep::Open(open)) => {
                // The peer opens on its own parity only, and never over a live channel.
                if self.role.owns(id) || id == u16::MAX || self.channels.contains_key(&id) {
                    self.dropped += 1;
                    return;
                }
                let config = ChannelConfig {
                    label: open.label.to_owned(),
                    protocol: open.protocol.to_owned(),
                    ordered: !open.channel_type.unordered,
                    reliability: open.channel_type.reliability,
                    priority: open.priority,
                    negotiated: None,
                };
                let mut ack = Vec::with_capacity(1);
                if Dcep::Ack.emit(&mut ack).is_err()
                    || self.association.send(id, Ppid::DCEP.0, false, ack).is_err()
                {
                    self.dropped += 1;
                    return;
                }
                self.channels.insert(
                    id,
                    Channel {
                        info: ChannelInfo {
                            config,
                            state: ChannelState::Open,
                            opened_by_peer: true,
                        },
                        acknowledged: true,
                        outgoing_reset: false,
                        outgoing_done: false,
                        incoming_reset: false,
                        partial: Vec::new(),
                    },
                );
                self.events.push_back(Event::ChannelOpen(ChannelId(id)));
            }
            Ok(Dcep::Ack) => match self.channels.get_mut(&id) {
                Some(c) if !c.info.opened_by_peer => {
                    c.acknowledged = true;
                    if c.info.state == ChannelState::Connecting {
                        c.info.state = ChannelState::Open;
                        self.events.push_back(Event::ChannelOpen(ChannelId(id)));
                    }
                }
                _ => self.dropped += 1,
            },
            Err(_) => self.dropped += 1,
        }
    }
}

impl SansIo for DataChannels {
    type Event = Event;
    type Error = association::Error;

    fn handle_receive(&mut self, now: Instant, receive: Receive<'_>) -> Result<(), Self::Error> {
        self.now = self.now.max(now);
        let result = self.association.handle_receive(now, receive);
        self.pump();
        result
    }

    fn poll_transmit(&mut self, now: Instant, buf: &mut Vec<u8>) -> Option<Transmit> {
        self.now = self.now.max(now);
        self.association.poll_transmit(now, buf)
    }

    fn poll_event(&mut self) -> Option<Event> {
        self.pump();
        self.events.pop_front()
    }

    fn poll_timeout(&self) -> Option<Instant> {
        self.association.poll_timeout()
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.now = self.now.max(now);
        self.association.handle_timeout(now);
        self.pump();
    }
}
