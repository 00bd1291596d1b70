//! The composed transport of one PeerConnection: the ICE agent carries every datagram; DTLS
//! starts once its role and the peer's fingerprint are known and ICE has a valid pair (the
//! selected one, or before selection the best valid one, RFC 8445 §12.1); the SCTP
//! association and its data channels run over DTLS application data. One Sans-IO loop: a
//! datagram is demultiplexed by its first byte (RFC 7983), what leaves goes out through ICE's
//! data path, and there are no queues between the layers beyond each layer's own.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use sansrtc_datachannel::{ChannelConfig, DataChannels};
use sansrtc_dtls::endpoint::{
    Config as DtlsConfig, Endpoint, Event as DtlsEvent, Role as DtlsRole,
};
use sansrtc_dtls::identity::{Fingerprint, Identity};
use sansrtc_dtls::wire::{CipherSuite, SrtpProfileId};
use sansrtc_ice::{Agent, Incoming};
use sansrtc_proto::demux::{Class, classify};
use sansrtc_proto::pcap::PcapWriter;
use sansrtc_proto::{Protocol, Receive, SansIo, Transmit};
use sansrtc_sctp::association::{Association, Config as SctpConfig};

use crate::channels::{ChannelId, Handles};
use crate::event::{ConnectionState, Event, FailReason};
use crate::media::Media;
use crate::stats::TransportCounters;

/// What the DTLS handshake settled, for stats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Negotiated {
    /// The cipher suite.
    pub cipher_suite: CipherSuite,
    /// The SRTP profile (use_srtp), if any.
    pub srtp_profile: Option<SrtpProfileId>,
    /// Our DTLS role.
    pub dtls_role: DtlsRole,
}

/// ICE, DTLS, SCTP and data channels, composed.
pub(crate) struct Engine {
    pub(crate) ice: Agent,
    identity: Arc<Identity>,
    sctp_config: SctpConfig,
    dtls_mtu: usize,
    srtp_profiles: Vec<SrtpProfileId>,
    seed: Option<sansrtc_proto::rng::Seed>,
    pub(crate) dtls_role: Option<DtlsRole>,
    remote_fingerprints: Vec<Fingerprint>,
    dtls: Option<Endpoint>,
    pub(crate) channels: Option<DataChannels>,
    pub(crate) handles: Handles,
    remote_max_message_size: Option<usize>,
    events: VecDeque<Event>,
    state: ConnectionState,
    /// The selected pair: our base, the peer's address.
    selected: Option<(SocketAddr, SocketAddr)>,
    negotiated: Option<Negotiated>,
    sctp_packet: Vec<u8>,
    application: Vec<u8>,
    /// When a datagram last came or went: the scratch buffers above are given back after
    /// [`IDLE_AFTER`] without one.
    last_activity: Option<Instant>,
    /// When the DTLS client starts SCTP if the server has not.
    sctp_connect_at: Option<Instant>,
    /// Datagrams and bytes, channels opened and closed.
    pub(crate) counters: TransportCounters,
    /// What was sent and received, when asked (`Config::pcap_limit`), time-stamped from
    /// `origin`.
    pub(crate) pcap: Option<(PcapWriter, usize)>,
    origin: Instant,
    /// Transceivers, SRTP and RTCP.
    pub(crate) media: Media,
}

/// How long the DTLS client waits for the server's SCTP INIT before sending its own.
const CLIENT_SCTP_DELAY: std::time::Duration = std::time::Duration::from_millis(200);

/// How long without a datagram before the scratch buffers are given back.
const IDLE_AFTER: std::time::Duration = std::time::Duration::from_secs(5);

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("state", &self.state)
            .field("ice", &self.ice.state())
            .field("dtls_role", &self.dtls_role)
            .field(
                "dtls_connected",
                &self.dtls.as_ref().map(Endpoint::is_connected),
            )
            .field("selected", &self.selected)
            .finish_non_exhaustive()
    }
}

impl Engine {
    pub(crate) fn new(
        ice: Agent,
        identity: Arc<Identity>,
        sctp_config: SctpConfig,
        dtls_mtu: usize,
        seed: Option<sansrtc_proto::rng::Seed>,
        origin: Instant,
    ) -> Self {
        Self {
            ice,
            identity,
            sctp_config,
            dtls_mtu,
            srtp_profiles: Vec::new(),
            seed,
            dtls_role: None,
            remote_fingerprints: Vec::new(),
            dtls: None,
            channels: None,
            handles: Handles::default(),
            remote_max_message_size: None,
            events: VecDeque::new(),
            state: ConnectionState::New,
            selected: None,
            negotiated: None,
            sctp_packet: Vec::new(),
            application: Vec::new(),
            last_activity: None,
            sctp_connect_at: None,
            counters: TransportCounters::default(),
            pcap: None,
            origin,
            media: Media::new(seed.map(|s| derive(s, 3)), origin),
        }
    }

    pub(crate) fn state(&self) -> ConnectionState {
        self.state
    }

    pub(crate) fn negotiated(&self) -> Option<Negotiated> {
        self.negotiated
    }

    /// The DTLS connection's NSS key log line, once connected.
    pub(crate) fn key_log_line(&self) -> Option<String> {
        self.dtls.as_ref()?.key_log_line()
    }

    pub(crate) fn identity(&self) -> &Identity {
        &self.identity
    }

    /// The peer's certificate fingerprints (from its SDP or the direct API).
    pub(crate) fn set_remote_fingerprints(&mut self, fingerprints: Vec<Fingerprint>) {
        self.remote_fingerprints = fingerprints;
    }

    /// The peer's certificate fingerprints so far.
    pub(crate) fn remote_fingerprints(&self) -> &[Fingerprint] {
        &self.remote_fingerprints
    }

    /// The peer's `a=max-message-size` so far.
    pub(crate) fn remote_max_message_size(&self) -> Option<usize> {
        self.remote_max_message_size
    }

    /// Drops the transport a first remote offer started (its JSEP rollback): DTLS, the
    /// association and the DTLS role go, as if the offer never came. Channels that had
    /// opened close; the application's channels that had not wait, unbound, for the next
    /// negotiation.
    pub(crate) fn reset_transport(&mut self) {
        if let Some(channels) = self.channels.take() {
            let bound: Vec<(ChannelId, u16)> = self
                .handles
                .iter()
                .filter_map(|(id, h)| Some((id, h.stream?)))
                .collect();
            for (id, stream) in bound {
                let opened = channels
                    .channel(sansrtc_datachannel::ChannelId(stream))
                    .is_some_and(|c| c.state == sansrtc_datachannel::ChannelState::Open);
                if opened {
                    self.handles.remove(id);
                    self.events.push_back(Event::ChannelClosed(id));
                } else {
                    self.handles.unbind(id);
                }
            }
        }
        self.dtls = None;
        self.dtls_role = None;
        self.remote_fingerprints.clear();
        self.remote_max_message_size = None;
        self.selected = None;
        self.negotiated = None;
        self.sctp_connect_at = None;
        self.set_state(ConnectionState::New);
    }

    /// The SRTP profiles DTLS offers, in preference order.
    pub(crate) fn set_srtp_profiles(&mut self, profiles: Vec<SrtpProfileId>) {
        self.srtp_profiles = profiles;
    }

    /// The peer's `a=max-message-size`.
    pub(crate) fn set_remote_max_message_size(&mut self, size: usize) {
        self.remote_max_message_size = Some(size);
        if let Some(c) = self.channels.as_mut() {
            c.set_remote_max_message_size(size);
        }
    }

    /// Our DTLS role, once the signaling settled it: the data channel layer can then pick
    /// stream ids (RFC 8832 §6), and DTLS starts as soon as ICE has a pair.
    pub(crate) fn set_dtls_role(&mut self, now: Instant, role: DtlsRole) {
        if self.dtls_role.is_some() {
            return;
        }
        self.dtls_role = Some(role);
        let association = Association::new(
            SctpConfig {
                rng_seed: self.seed.map(|s| derive(s, 1)),
                ..self.sctp_config.clone()
            },
            now,
        );
        let parity = match role {
            DtlsRole::Client => sansrtc_datachannel::DtlsRole::Client,
            DtlsRole::Server => sansrtc_datachannel::DtlsRole::Server,
        };
        let mut channels = DataChannels::new(association, parity, now);
        if let Some(size) = self.remote_max_message_size {
            channels.set_remote_max_message_size(size);
        }
        self.channels = Some(channels);
        for id in self.handles.unbound() {
            self.bind(now, id);
        }
        self.start_dtls(now, None);
    }

    /// Opens the channel of handle `id` on the data channel layer.
    fn bind(&mut self, now: Instant, id: ChannelId) {
        let Some(config) = self.handles.get(id).map(|h| h.config.clone()) else {
            return;
        };
        let Some(channels) = self.channels.as_mut() else {
            return;
        };
        match channels.open(now, config) {
            Ok(stream) => self.handles.bind(id, stream.0),
            Err(_) => {
                self.handles.remove(id);
                self.events.push_back(Event::ChannelClosed(id));
            }
        }
    }

    /// A new data channel (bound to a stream now if the DTLS role is known).
    pub(crate) fn create_channel(&mut self, now: Instant, config: ChannelConfig) -> ChannelId {
        let id = self.handles.add(config, None);
        if self.channels.is_some() {
            self.bind(now, id);
        }
        id
    }

    /// Starts the DTLS endpoint once role, fingerprints and a path are all known; `path`
    /// names one learned from the first DTLS datagram (a server hears the client before its
    /// own agent may have picked the pair).
    fn start_dtls(&mut self, now: Instant, path: Option<(SocketAddr, SocketAddr)>) {
        if self.dtls.is_some() || self.remote_fingerprints.is_empty() {
            return;
        }
        let Some(role) = self.dtls_role else {
            return;
        };
        // Before ICE selects a pair, a valid one will do (RFC 8445 §12.1): the DTLS client
        // starts as soon as its own check succeeded instead of waiting for the nomination.
        let valid = || {
            self.ice
                .data_path()
                .map(|p| (p.local.base, p.remote.address))
        };
        let Some((local, remote)) = self.selected.or(path).or_else(valid) else {
            return;
        };
        let mut config = DtlsConfig::new(
            role,
            Arc::clone(&self.identity),
            self.remote_fingerprints.clone(),
        );
        // ICE has already shown the peer receives at this address (RFC 6347 §4.2.1): no
        // HelloVerifyRequest round trip.
        config.require_cookie = false;
        config.application_data_events = false;
        config.srtp_profiles = self.srtp_profiles.clone();
        config.mtu = self.dtls_mtu;
        config.rng_seed = self.seed.map(|s| derive(s, 2));
        match Endpoint::new(config, now, local, remote) {
            Ok(endpoint) => {
                self.dtls = Some(endpoint);
                self.set_state(ConnectionState::Connecting);
            }
            Err(e) => self.fail(FailReason::Dtls(e.to_string())),
        }
    }

    fn set_state(&mut self, state: ConnectionState) {
        if self.state != state && self.state != ConnectionState::Closed {
            tracing::debug!(from = ?self.state, to = ?state, "connection state");
            self.state = state;
            self.events.push_back(Event::ConnectionState(state));
        }
    }

    fn fail(&mut self, reason: FailReason) {
        if !matches!(
            self.state,
            ConnectionState::Failed | ConnectionState::Closed
        ) {
            tracing::warn!(?reason, "connection failed");
            self.events.push_back(Event::Failed(reason));
            self.set_state(ConnectionState::Failed);
        }
    }

    /// Everything the layers have to say, as PeerConnection events.
    pub(crate) fn pump(&mut self, now: Instant) {
        while let Some(event) = self.ice.poll_event() {
            self.ice_event(now, event);
        }
        if self.dtls.is_none() {
            self.start_dtls(now, None);
        }
        if let Some(dtls) = self.dtls.as_mut() {
            let mut connected = None;
            let mut failed = None;
            while let Some(event) = dtls.poll_event() {
                match event {
                    DtlsEvent::Connected {
                        suite,
                        srtp_profile,
                    } => connected = Some((suite, srtp_profile)),
                    DtlsEvent::Failed(reason) => failed = Some(format!("{reason:?}")),
                    DtlsEvent::Closed => failed = Some("closed by the peer".to_owned()),
                    _ => {}
                }
            }
            if let (Some((suite, srtp_profile)), Some(role)) = (connected, self.dtls_role) {
                if let Some(profile) = srtp_profile {
                    self.start_srtp(now, profile, role);
                }
                self.negotiated = Some(Negotiated {
                    cipher_suite: suite,
                    srtp_profile,
                    dtls_role: role,
                });
                tracing::debug!(?suite, ?srtp_profile, ?role, "dtls connected");
                self.set_state(ConnectionState::Connected);
                // The DTLS server sends its INIT with its Finished flight; the client waits a
                // little for it, then starts the association itself (some peers only answer).
                // Both starting is also fine: SCTP settles the collision (RFC 9260 §5.2.1).
                if role == DtlsRole::Server {
                    if let Some(channels) = self.channels.as_mut() {
                        channels.association_mut().connect(now);
                    }
                } else {
                    self.sctp_connect_at = Some(now + CLIENT_SCTP_DELAY);
                }
            }
            if let Some(reason) = failed {
                self.fail(FailReason::Dtls(reason));
            }
        }
        self.deliver_application_data(now);
        self.channel_events();
    }

    /// Keys SRTP from the DTLS exporter (RFC 5764 §4.2) for the negotiated profile.
    fn start_srtp(&mut self, now: Instant, profile: SrtpProfileId, role: DtlsRole) {
        let Some(dtls) = self.dtls.as_ref() else {
            return;
        };
        let Ok(profile) = sansrtc_srtp::Profile::from_dtls_id(profile.0) else {
            return;
        };
        let mut material = vec![0; sansrtc_srtp::keying_material_len(profile)];
        if dtls
            .export_keying_material(b"EXTRACTOR-dtls_srtp", None, &mut material)
            .is_err()
        {
            return;
        }
        let role = match role {
            DtlsRole::Client => sansrtc_srtp::Role::Client,
            DtlsRole::Server => sansrtc_srtp::Role::Server,
        };
        if self
            .media
            .start_srtp(now, profile, &material, role)
            .is_err()
        {
            self.fail(FailReason::Dtls("SRTP keying".to_owned()));
        }
    }

    fn ice_event(&mut self, now: Instant, event: sansrtc_ice::Event) {
        use sansrtc_ice::ConnectionState as Ice;
        match event {
            sansrtc_ice::Event::CandidateGathered(c) => {
                self.events.push_back(Event::IceCandidate(c));
            }
            sansrtc_ice::Event::GatheringComplete => {
                self.events.push_back(Event::IceGatheringComplete);
            }
            sansrtc_ice::Event::ConnectionState(state) => {
                self.events.push_back(Event::IceConnectionState(state));
                match state {
                    Ice::Checking if self.state == ConnectionState::New => {
                        self.set_state(ConnectionState::Connecting);
                    }
                    Ice::Disconnected => self.set_state(ConnectionState::Disconnected),
                    Ice::Connected | Ice::Completed
                        if self.state == ConnectionState::Disconnected =>
                    {
                        self.set_state(ConnectionState::Connected);
                    }
                    Ice::Failed => self.fail(FailReason::Ice),
                    _ => {}
                }
            }
            sansrtc_ice::Event::SelectedPair { local, remote } => {
                tracing::debug!(local = %local.base, remote = %remote.address, "selected pair");
                self.selected = Some((local.base, remote.address));
                if let Some(dtls) = self.dtls.as_mut() {
                    dtls.set_remote(remote.address);
                } else {
                    self.start_dtls(now, None);
                }
            }
            _ => {}
        }
    }

    /// Hands decrypted DTLS records to SCTP.
    fn deliver_application_data(&mut self, now: Instant) {
        let (Some(dtls), Some(channels)) = (self.dtls.as_mut(), self.channels.as_mut()) else {
            return;
        };
        let address = SocketAddr::from(([0, 0, 0, 0], 0));
        while dtls.recv_application_data(&mut self.application) {
            let _ = channels.handle_receive(
                now,
                Receive {
                    proto: Protocol::Udp,
                    source: address,
                    destination: address,
                    contents: &self.application,
                },
            );
        }
    }

    fn channel_events(&mut self) {
        use sansrtc_datachannel::Event as Dc;
        let Some(channels) = self.channels.as_mut() else {
            return;
        };
        let mut sctp_ended = false;
        while let Some(event) = channels.poll_event() {
            match event {
                Dc::ChannelOpen(stream) => match self.handles.of_stream(stream.0) {
                    Some(id) => {
                        self.counters.channels_opened += 1;
                        self.events.push_back(Event::ChannelOpen(id));
                    }
                    None => {
                        let config = channels
                            .channel(stream)
                            .map(|c| c.config.clone())
                            .unwrap_or_default();
                        let id = self.handles.add(config, Some(stream.0));
                        self.counters.channels_opened += 1;
                        self.events.push_back(Event::DataChannel(id));
                    }
                },
                Dc::Message {
                    channel,
                    kind,
                    data,
                } => {
                    if let Some(id) = self.handles.of_stream(channel.0) {
                        if let Some(c) = self.handles.counters_mut(id) {
                            c.messages_received += 1;
                            c.bytes_received += data.len() as u64;
                        }
                        self.events.push_back(Event::ChannelMessage {
                            channel: id,
                            kind,
                            data,
                        });
                    }
                }
                Dc::BufferedAmountLow(stream) => {
                    if let Some(id) = self.handles.of_stream(stream.0) {
                        self.events.push_back(Event::ChannelBufferedAmountLow(id));
                    }
                }
                Dc::ChannelClosing(stream) => {
                    if let Some(id) = self.handles.of_stream(stream.0) {
                        self.events.push_back(Event::ChannelClosing(id));
                    }
                }
                Dc::ChannelClosed(stream) => {
                    if let Some(id) = self.handles.of_stream(stream.0) {
                        self.handles.remove(id);
                        self.counters.channels_closed += 1;
                        self.events.push_back(Event::ChannelClosed(id));
                    }
                }
                Dc::Disconnected => sctp_ended = true,
                _ => {}
            }
        }
        if sctp_ended && self.state != ConnectionState::Closed {
            self.fail(FailReason::Sctp);
        }
    }

    /// The event queue, for the signaling side.
    pub(crate) fn events_mut(&mut self) -> &mut VecDeque<Event> {
        &mut self.events
    }

    pub(crate) fn poll_event(&mut self) -> Option<Event> {
        self.events
            .pop_front()
            .or_else(|| self.media.events.pop_front())
    }

    pub(crate) fn handle_receive(
        &mut self,
        now: Instant,
        receive: Receive<'_>,
    ) -> Result<(), sansrtc_ice::Error> {
        self.last_activity = Some(now);
        self.counters.packets_received += 1;
        self.counters.bytes_received += receive.contents.len() as u64;
        self.capture(
            now,
            receive.proto,
            receive.source,
            receive.destination,
            receive.contents,
        );
        let incoming = self.ice.handle_datagram(now, receive);
        match incoming {
            Ok(Incoming::Stun) => {}
            Ok(Incoming::Data(data)) if matches!(classify(data), Class::Rtp) => {
                self.media.handle_datagram(now, data);
            }
            // DTLS goes to DTLS.
            Ok(Incoming::Data(data)) if matches!(classify(data), Class::Dtls) => {
                if self.dtls.is_none() && self.dtls_role == Some(DtlsRole::Server) {
                    self.start_dtls(now, Some((receive.destination, receive.source)));
                }
                if let Some(dtls) = self.dtls.as_mut() {
                    let _ = dtls.handle_receive(
                        now,
                        Receive {
                            contents: data,
                            ..receive
                        },
                    );
                }
            }
            Ok(_) => {}
            Err(e) => {
                self.pump(now);
                return Err(e);
            }
        }
        self.pump(now);
        Ok(())
    }

    pub(crate) fn poll_transmit(&mut self, now: Instant, buf: &mut Vec<u8>) -> Option<Transmit> {
        let t = self.next_transmit(now, buf)?;
        self.counters.packets_sent += 1;
        self.counters.bytes_sent += t.size as u64;
        self.capture(now, t.proto, t.source, t.destination, &buf[..t.size]);
        Some(t)
    }

    /// Records a datagram in the pcap, if one is kept and has room.
    fn capture(
        &mut self,
        now: Instant,
        proto: Protocol,
        source: SocketAddr,
        destination: SocketAddr,
        datagram: &[u8],
    ) {
        if let Some((pcap, limit)) = self.pcap.as_mut()
            && pcap.as_bytes().len() + datagram.len() + 64 <= *limit
        {
            let at = now.saturating_duration_since(self.origin);
            pcap.add(at, proto, source, destination, datagram);
        }
    }

    fn next_transmit(&mut self, now: Instant, buf: &mut Vec<u8>) -> Option<Transmit> {
        if let Some(t) = self.ice.poll_transmit(now, buf) {
            self.last_activity = Some(now);
            return Some(t);
        }
        // A DTLS server starts on the client's first datagram, which can come before its own
        // agent has a valid pair: its flight waits in the endpoint until ICE can carry it.
        // (Taken out now, it would be lost, and the endpoint answers the client's
        // retransmissions only after half a retransmission timeout: 0.8 s with Chromium.)
        self.ice.data_path()?;
        let dtls = self.dtls.as_mut()?;
        loop {
            // The record is written where the datagram goes, and ICE sends it in place.
            if let Some(t) = dtls.poll_transmit(now, buf) {
                self.last_activity = Some(now);
                buf.truncate(t.size);
                return self.ice.send_in_place(buf).ok();
            }
            if !dtls.is_connected() {
                return None;
            }
            if self.media.poll_transmit(buf) {
                self.last_activity = Some(now);
                return self.ice.send_in_place(buf).ok();
            }
            let channels = self.channels.as_mut()?;
            let t = channels.poll_transmit(now, &mut self.sctp_packet)?;
            if dtls
                .send_application_data(&self.sctp_packet[..t.size])
                .is_err()
            {
                return None;
            }
        }
    }

    pub(crate) fn poll_timeout(&self) -> Option<Instant> {
        [
            self.ice.poll_timeout(),
            self.dtls.as_ref().and_then(Endpoint::poll_timeout),
            self.channels.as_ref().and_then(DataChannels::poll_timeout),
            self.sctp_connect_at,
            self.media.poll_timeout(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    pub(crate) fn handle_timeout(&mut self, now: Instant) {
        self.ice.handle_timeout(now);
        self.media.handle_timeout(now);
        if let Some(dtls) = self.dtls.as_mut() {
            dtls.handle_timeout(now);
        }
        if let Some(channels) = self.channels.as_mut() {
            channels.handle_timeout(now);
            if self.sctp_connect_at.is_some_and(|t| now >= t) {
                self.sctp_connect_at = None;
                // Unless the server's INIT got here first.
                channels.association_mut().connect(now);
            }
        }
        self.pump(now);
        if self.last_activity.is_some_and(|t| now >= t + IDLE_AFTER) {
            self.sctp_packet = Vec::new();
            self.application = Vec::new();
        }
    }

    /// Closes everything: SCTP shuts down, DTLS sends close_notify, ICE stops.
    pub(crate) fn close(&mut self, now: Instant) {
        if let Some(channels) = self.channels.as_mut() {
            channels.association_mut().abort(now);
        }
        if let Some(dtls) = self.dtls.as_mut() {
            dtls.close();
        }
        self.ice.close();
        self.set_state(ConnectionState::Closed);
        self.state = ConnectionState::Closed;
    }
}

/// A seed for a sub-machine, different for each `n`.
fn derive(seed: sansrtc_proto::rng::Seed, n: u8) -> sansrtc_proto::rng::Seed {
    let mut out = seed;
    out[31] ^= n;
    out[0] = out[0].wrapping_add(n);
    out
}
