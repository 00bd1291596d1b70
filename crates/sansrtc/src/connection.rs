//! [`PeerConnection`]: the Sans-IO facade, with the direct API (no SDP) and the
//! data channel calls; JSEP lives in `jsep.rs`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use sansrtc_datachannel::{ChannelConfig, ChannelInfo, MessageKind};
use sansrtc_dtls::endpoint::Role as DtlsRole;
use sansrtc_dtls::identity::{Fingerprint, FingerprintHash, Identity};
use sansrtc_ice::{Agent, Candidate, Credentials, LocalAddress, Role as IceRole};
use sansrtc_proto::{Receive, SansIo, Transmit};

use crate::channels::ChannelId;
use crate::config::Config;
use crate::engine::{Engine, Negotiated};
use crate::event::{ConnectionState, Event};
use crate::jsep::Signaling;

/// Why a call was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The certificate could not be generated.
    #[error("identity: {0}")]
    Identity(String),
    /// The call does not fit the signaling state (JSEP, RFC 8829 §3.2).
    #[error("wrong signaling state for this call")]
    InvalidState,
    /// The session description is malformed or lacks what it needs.
    #[error("bad session description: {0}")]
    BadDescription(String),
    /// No such data channel.
    #[error("unknown data channel")]
    UnknownChannel,
    /// The data channel layer refused the call.
    #[error("data channel: {0}")]
    DataChannel(#[from] sansrtc_datachannel::Error),
    /// ICE refused the call.
    #[error("ice: {0}")]
    Ice(String),
}

/// Our transport parameters, to give the peer out of band (the direct API).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalParameters {
    /// ICE username fragment and password.
    pub ice: Credentials,
    /// Our certificate's SHA-256 fingerprint.
    pub fingerprint: Fingerprint,
}

/// The peer's transport parameters, from a custom signaling channel (the direct API).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteParameters {
    /// Its ICE username fragment and password.
    pub ice: Credentials,
    /// Its certificate fingerprints.
    pub fingerprints: Vec<Fingerprint>,
    /// Its largest message (its `a=max-message-size`); 0: any.
    pub max_message_size: usize,
}

/// A WebRTC peer connection, Sans-IO: the caller owns the sockets and the clock.
///
/// Feed every datagram received on a declared local address to `handle_receive`; send what
/// `poll_transmit` gives (from `Transmit::source` to `Transmit::destination`); read
/// `poll_event`; call `handle_timeout` at `poll_timeout`.
#[derive(Debug)]
pub struct PeerConnection {
    pub(crate) engine: Engine,
    /// The connection's `tracing` span: every call runs inside it, so a subscriber sees which
    /// connection a line is about (its local ICE ufrag).
    pub(crate) span: tracing::Span,
    pub(crate) config: Config,
    pub(crate) signaling: Signaling,
    pub(crate) now: Instant,
}

impl PeerConnection {
    /// A new connection. ICE starts controlling (JSEP makes the offerer control; answering
    /// an offer switches it).
    ///
    /// # Errors
    /// [`Error::Identity`] when no identity is configured and one cannot be generated.
    pub fn new(config: Config, now: Instant) -> Result<Self, Error> {
        let identity = match &config.identity {
            Some(identity) => Arc::clone(identity),
            None => Arc::new(Identity::generate().map_err(|e| Error::Identity(e.to_string()))?),
        };
        let ice = Agent::new(
            sansrtc_ice::Config {
                role: IceRole::Controlling,
                stun_servers: config.stun_servers.clone(),
                turn_servers: config.turn_servers.clone(),
                relay_only: config.relay_only,
                ta: config.ice_pacing,
                rng_seed: config.rng_seed,
                ..sansrtc_ice::Config::new(IceRole::Controlling)
            },
            now,
        );
        let mut engine = Engine::new(
            ice,
            identity,
            config.sctp.clone(),
            config.dtls_mtu,
            config.rng_seed,
            now,
        );
        engine.set_srtp_profiles(config.srtp_profiles.clone());
        if config.pcap_limit > 0 {
            engine.pcap = Some((sansrtc_proto::pcap::PcapWriter::new(), config.pcap_limit));
        }
        let span = tracing::debug_span!(
            "peer_connection",
            ufrag = %engine.ice.local_credentials().ufrag
        );
        Ok(Self {
            engine,
            span,
            signaling: Signaling::new(config.rng_seed),
            config,
            now,
        })
    }

    pub(crate) fn clock(&mut self, now: Instant) -> Instant {
        self.now = self.now.max(now);
        self.now
    }

    /// Declares the local addresses the caller's sockets are bound to (host candidates, RFC
    /// 8445 §5.1.1.1); gathering of reflexive and relayed candidates starts from them.
    pub fn add_local_addresses(&mut self, now: Instant, addresses: &[SocketAddr]) {
        let now = self.clock(now);
        let addresses: Vec<LocalAddress> = addresses
            .iter()
            .map(|&address| LocalAddress {
                address,
                interface_rank: 0,
            })
            .collect();
        self.engine.ice.add_local_addresses(now, &addresses);
        self.engine.pump(now);
    }

    /// Our ICE credentials and certificate fingerprint.
    pub fn local_parameters(&self) -> LocalParameters {
        LocalParameters {
            ice: self.engine.ice.local_credentials().clone(),
            fingerprint: Fingerprint::of(
                FingerprintHash::Sha256,
                self.engine.identity().certificate_der(),
            ),
        }
    }

    /// The direct API (no SDP): the peer's parameters and the roles. One side is ICE
    /// controlling and the other controlled; one is the DTLS client and the other the server.
    pub fn set_remote_parameters(
        &mut self,
        now: Instant,
        remote: RemoteParameters,
        ice_role: IceRole,
        dtls_role: DtlsRole,
    ) {
        let now = self.clock(now);
        self.engine.ice.set_role(now, ice_role);
        self.engine.ice.set_remote_credentials(now, remote.ice);
        self.engine.set_remote_fingerprints(remote.fingerprints);
        self.engine
            .set_remote_max_message_size(remote.max_message_size);
        self.engine.set_dtls_role(now, dtls_role);
        self.engine.pump(now);
    }

    /// A candidate of the peer (trickled or from its parameters).
    ///
    /// # Errors
    /// [`Error::Ice`] when ICE refuses it (too many candidates).
    pub fn add_remote_candidate(
        &mut self,
        now: Instant,
        candidate: Candidate,
    ) -> Result<(), Error> {
        let now = self.clock(now);
        self.engine
            .ice
            .add_remote_candidate(now, candidate)
            .map_err(|e| Error::Ice(e.to_string()))?;
        self.engine.pump(now);
        Ok(())
    }

    /// The peer has no more candidates (RFC 8838 §4.3).
    pub fn end_of_remote_candidates(&mut self, now: Instant) {
        let now = self.clock(now);
        self.engine.ice.end_of_remote_candidates(now);
        self.engine.pump(now);
    }

    /// The overall connection state.
    pub fn connection_state(&self) -> ConnectionState {
        self.engine.state()
    }

    /// The ICE agent's state (the browser's `iceConnectionState`, RFC 8445 §6.1.3 and
    /// RFC 7675 consent).
    pub fn ice_connection_state(&self) -> sansrtc_ice::ConnectionState {
        self.engine.ice.state()
    }

    /// The SCTP extensions negotiated with the peer in INIT and INIT ACK (partial
    /// reliability, stream reconfiguration, I-DATA, zero checksum), once the association has
    /// heard the peer's.
    pub fn sctp_features(&self) -> Option<sansrtc_sctp::association::Features> {
        self.engine.channels.as_ref()?.association().features()
    }

    /// What DTLS negotiated, once connected.
    pub fn negotiated(&self) -> Option<Negotiated> {
        self.engine.negotiated()
    }

    /// Creates a data channel (the browser's `createDataChannel`): it opens once the
    /// connection is up ([`Event::ChannelOpen`]). Messages sent before then wait.
    pub fn create_data_channel(&mut self, now: Instant, config: ChannelConfig) -> ChannelId {
        let now = self.clock(now);
        let id = self.engine.create_channel(now, config);
        self.engine.pump(now);
        id
    }

    /// Sends a message on a channel.
    ///
    /// # Errors
    /// [`Error::UnknownChannel`], or the data channel layer's refusal (closing, too large).
    pub fn send(
        &mut self,
        now: Instant,
        channel: ChannelId,
        kind: MessageKind,
        data: Vec<u8>,
    ) -> Result<(), Error> {
        let now = self.clock(now);
        let stream = self.stream(channel)?;
        let channels = self.engine.channels.as_mut().ok_or(Error::UnknownChannel)?;
        let len = data.len() as u64;
        channels.send(now, sansrtc_datachannel::ChannelId(stream), kind, data)?;
        if let Some(c) = self.engine.handles.counters_mut(channel) {
            c.messages_sent += 1;
            c.bytes_sent += len;
        }
        Ok(())
    }

    /// Closes a channel (RFC 8831 §6.7): queued messages go first.
    ///
    /// # Errors
    /// [`Error::UnknownChannel`].
    pub fn close_channel(&mut self, now: Instant, channel: ChannelId) -> Result<(), Error> {
        let now = self.clock(now);
        let stream = self.stream(channel)?;
        let channels = self.engine.channels.as_mut().ok_or(Error::UnknownChannel)?;
        channels.close(now, sansrtc_datachannel::ChannelId(stream))?;
        self.engine.pump(now);
        Ok(())
    }

    /// A channel's description and state.
    pub fn channel(&self, channel: ChannelId) -> Option<&ChannelInfo> {
        let stream = self.engine.handles.stream(channel)?;
        self.engine
            .channels
            .as_ref()?
            .channel(sansrtc_datachannel::ChannelId(stream))
    }

    /// The SCTP stream id of a channel, once its DTLS role is known (the browser's `id`).
    pub fn channel_stream_id(&self, channel: ChannelId) -> Option<u16> {
        self.engine.handles.stream(channel)
    }

    /// Bytes queued on a channel and not yet sent (`bufferedAmount`).
    pub fn buffered_amount(&self, channel: ChannelId) -> usize {
        match (self.engine.handles.stream(channel), &self.engine.channels) {
            (Some(stream), Some(c)) => c.buffered_amount(sansrtc_datachannel::ChannelId(stream)),
            _ => 0,
        }
    }

    /// Sets a channel's `bufferedAmountLowThreshold`.
    pub fn set_buffered_amount_low_threshold(&mut self, channel: ChannelId, threshold: usize) {
        if let (Some(stream), Some(c)) = (
            self.engine.handles.stream(channel),
            self.engine.channels.as_mut(),
        ) {
            c.set_buffered_amount_low_threshold(sansrtc_datachannel::ChannelId(stream), threshold);
        }
    }

    /// Gives a received message's buffer back for reuse.
    pub fn recycle(&mut self, buffer: Vec<u8>) {
        if let Some(c) = self.engine.channels.as_mut() {
            c.recycle(buffer);
        }
    }

    /// Gives the buffer of an [`Event::Rtp`], [`Event::Frame`] or [`Event::Rtcp`] back, for
    /// the next packet (no allocation per
    /// packet once a few are in use).
    pub fn recycle_media(&mut self, buffer: Vec<u8>) {
        self.engine.media.recycle(buffer);
    }

    /// Statistics shaped like the browser's `getStats()`: the transport (datagrams, bytes,
    /// DTLS version, cipher, SRTP profile, roles), the ICE candidate pairs, and each data
    /// channel's messages and bytes.
    pub fn stats(&self) -> crate::stats::Stats {
        use crate::stats::{
            CandidatePairStats, DataChannelStats, PeerConnectionStats, Stats, TransportStats,
            channel_state_name, dtls_role_name, srtp_profile_name,
        };
        let engine = &self.engine;
        let negotiated = engine.negotiated();
        let pairs: Vec<CandidatePairStats> = engine
            .ice
            .pairs()
            .map(|p| CandidatePairStats {
                local: p.local,
                remote: p.remote,
                state: p.state,
                nominated: p.nominated,
                priority: p.priority,
            })
            .collect();
        let selected = engine.ice.selected_path().and_then(|s| {
            pairs
                .iter()
                .position(|p| p.local.base == s.local.base && p.remote.address == s.remote.address)
        });
        let counters = engine.counters;
        let data_channels = engine
            .handles
            .iter()
            .map(|(id, h)| {
                let info = self.channel(id);
                DataChannelStats {
                    channel: id,
                    label: h.config.label.clone(),
                    protocol: h.config.protocol.clone(),
                    data_channel_identifier: h.stream,
                    state: info.map_or("connecting", |i| channel_state_name(i.state)),
                    messages_sent: h.counters.messages_sent,
                    bytes_sent: h.counters.bytes_sent,
                    messages_received: h.counters.messages_received,
                    bytes_received: h.counters.bytes_received,
                }
            })
            .collect();
        Stats {
            peer_connection: PeerConnectionStats {
                data_channels_opened: counters.channels_opened,
                data_channels_closed: counters.channels_closed,
            },
            transport: TransportStats {
                packets_sent: counters.packets_sent,
                packets_received: counters.packets_received,
                bytes_sent: counters.bytes_sent,
                bytes_received: counters.bytes_received,
                dtls_state: match engine.state() {
                    ConnectionState::New => "new",
                    ConnectionState::Connecting => "connecting",
                    ConnectionState::Connected | ConnectionState::Disconnected => "connected",
                    ConnectionState::Failed => "failed",
                    ConnectionState::Closed => "closed",
                },
                tls_version: negotiated.map(|_| "FEFD"),
                dtls_cipher: negotiated.map(|n| {
                    n.cipher_suite
                        .name()
                        .map_or_else(|| format!("{:?}", n.cipher_suite), str::to_owned)
                }),
                srtp_cipher: negotiated.and_then(|n| n.srtp_profile.and_then(srtp_profile_name)),
                dtls_role: negotiated.map(|n| dtls_role_name(n.dtls_role)),
                ice_role: match engine.ice.role() {
                    IceRole::Controlling => "controlling",
                    IceRole::Controlled => "controlled",
                },
                selected_candidate_pair: selected,
            },
            candidate_pairs: pairs,
            data_channels,
            inbound_rtp: engine.media.inbound_stats(),
            outbound_rtp: engine.media.outbound_stats(),
            remote_inbound_rtp: engine.media.remote_inbound_stats(),
        }
    }

    /// The pcap of what this connection sent and received (IPv4/IPv6 and UDP headers made up
    /// from the transmits' addresses; time since the connection was made), when
    /// `Config::pcap_limit` asked for one. With [`PeerConnection::dtls_key_log`], Wireshark
    /// decrypts the DTLS inside and dissects the SCTP and data channels.
    pub fn pcap(&self) -> Option<&[u8]> {
        self.engine.pcap.as_ref().map(|(p, _)| p.as_bytes())
    }

    /// The DTLS secret as a line of the NSS key log format, once connected, for Wireshark
    /// to decrypt a capture (`SSLKEYLOGFILE`). Only when `Config::key_log` is set: whoever
    /// holds it can decrypt the connection.
    pub fn dtls_key_log(&self) -> Option<String> {
        if !self.config.key_log {
            return None;
        }
        self.engine.key_log_line()
    }

    /// Closes the connection.
    pub fn close(&mut self, now: Instant) {
        let now = self.clock(now);
        self.engine.close(now);
    }

    fn stream(&self, channel: ChannelId) -> Result<u16, Error> {
        self.engine
            .handles
            .stream(channel)
            .ok_or(Error::UnknownChannel)
    }
}

impl SansIo for PeerConnection {
    type Event = Event;
    type Error = sansrtc_ice::Error;

    fn handle_receive(&mut self, now: Instant, receive: Receive<'_>) -> Result<(), Self::Error> {
        let _entered = self.span.enter();
        self.now = self.now.max(now);
        let now = self.now;
        self.engine.handle_receive(now, receive)
    }

    fn poll_transmit(&mut self, now: Instant, buf: &mut Vec<u8>) -> Option<Transmit> {
        let _entered = self.span.enter();
        self.now = self.now.max(now);
        let now = self.now;
        self.engine.poll_transmit(now, buf)
    }

    fn poll_event(&mut self) -> Option<Event> {
        self.engine.poll_event()
    }

    fn poll_timeout(&self) -> Option<Instant> {
        self.engine.poll_timeout()
    }

    fn handle_timeout(&mut self, now: Instant) {
        let _entered = self.span.enter();
        self.now = self.now.max(now);
        let now = self.now;
        self.engine.handle_timeout(now);
    }
}
