//! [`PeerConnection::stats`](crate::PeerConnection::stats): counters shaped like the
//! browser's `getStats()` (W3C webrtc-stats: `RTCTransportStats`, `RTCIceCandidatePairStats`,
//! `RTCDataChannelStats`, `RTCPeerConnectionStats`), with the same names in snake case.

use sansrtc_datachannel::ChannelState;
use sansrtc_ice::{Candidate, PairState};

use crate::DtlsRole;
use crate::channels::ChannelId;

/// A snapshot of a connection's statistics.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Stats {
    /// `RTCPeerConnectionStats`.
    pub peer_connection: PeerConnectionStats,
    /// `RTCTransportStats` of the one (BUNDLE) transport.
    pub transport: TransportStats,
    /// `RTCIceCandidatePairStats`, one per pair ICE formed.
    pub candidate_pairs: Vec<CandidatePairStats>,
    /// `RTCDataChannelStats`, one per channel that exists.
    pub data_channels: Vec<DataChannelStats>,
    /// `RTCInboundRtpStreamStats`, one per SSRC we receive.
    pub inbound_rtp: Vec<InboundRtpStats>,
    /// `RTCOutboundRtpStreamStats`, one per transceiver that sent.
    pub outbound_rtp: Vec<OutboundRtpStats>,
    /// `RTCRemoteInboundRtpStreamStats`: what the peer's last report block says of each of
    /// our streams.
    pub remote_inbound_rtp: Vec<RemoteInboundRtpStats>,
}

/// `RTCPeerConnectionStats`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct PeerConnectionStats {
    /// `dataChannelsOpened`.
    pub data_channels_opened: u32,
    /// `dataChannelsClosed`.
    pub data_channels_closed: u32,
}

/// `RTCTransportStats`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct TransportStats {
    /// `packetsSent`: datagrams sent on the ICE transport.
    pub packets_sent: u64,
    /// `packetsReceived`.
    pub packets_received: u64,
    /// `bytesSent`.
    pub bytes_sent: u64,
    /// `bytesReceived`.
    pub bytes_received: u64,
    /// `dtlsState`: `new`, `connecting`, `connected`, `closed` or `failed`.
    pub dtls_state: &'static str,
    /// `tlsVersion` as the browser writes it (`FEFD` for DTLS 1.2), once connected.
    pub tls_version: Option<&'static str>,
    /// `dtlsCipher`: the IANA name of the cipher suite.
    pub dtls_cipher: Option<String>,
    /// `srtpCipher`: the IANA name of the SRTP profile.
    pub srtp_cipher: Option<&'static str>,
    /// `dtlsRole`: `client` or `server`.
    pub dtls_role: Option<&'static str>,
    /// `iceRole`: `controlling` or `controlled`.
    pub ice_role: &'static str,
    /// `selectedCandidatePairId`, as an index into [`Stats::candidate_pairs`].
    pub selected_candidate_pair: Option<usize>,
}

/// `RTCIceCandidatePairStats`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CandidatePairStats {
    /// `localCandidateId`: the candidate itself.
    pub local: Candidate,
    /// `remoteCandidateId`.
    pub remote: Candidate,
    /// `state`.
    pub state: PairState,
    /// `nominated`.
    pub nominated: bool,
    /// `priority`.
    pub priority: u64,
}

/// `RTCDataChannelStats`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DataChannelStats {
    /// Our handle.
    pub channel: ChannelId,
    /// `label`.
    pub label: String,
    /// `protocol`.
    pub protocol: String,
    /// `dataChannelIdentifier`: the SCTP stream id, once known.
    pub data_channel_identifier: Option<u16>,
    /// `state`: `connecting`, `open` or `closing`.
    pub state: &'static str,
    /// `messagesSent`.
    pub messages_sent: u64,
    /// `bytesSent`.
    pub bytes_sent: u64,
    /// `messagesReceived`.
    pub messages_received: u64,
    /// `bytesReceived`.
    pub bytes_received: u64,
}

/// Counters a channel handle keeps.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ChannelCounters {
    pub(crate) messages_sent: u64,
    pub(crate) bytes_sent: u64,
    pub(crate) messages_received: u64,
    pub(crate) bytes_received: u64,
}

/// Counters of the transport.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct TransportCounters {
    pub(crate) packets_sent: u64,
    pub(crate) packets_received: u64,
    pub(crate) bytes_sent: u64,
    pub(crate) bytes_received: u64,
    pub(crate) channels_opened: u32,
    pub(crate) channels_closed: u32,
}

pub(crate) fn dtls_role_name(role: DtlsRole) -> &'static str {
    match role {
        DtlsRole::Client => "client",
        DtlsRole::Server => "server",
    }
}

pub(crate) fn channel_state_name(state: ChannelState) -> &'static str {
    match state {
        ChannelState::Connecting => "connecting",
        ChannelState::Open => "open",
        ChannelState::Closing => "closing",
    }
}

/// The name `getStats()` gives an SRTP profile (`srtpCipher`, the RFC 5764 §4.1.2 name).
pub fn srtp_profile_name(profile: sansrtc_dtls::wire::SrtpProfileId) -> Option<&'static str> {
    Some(match profile.0 {
        0x0001 => "SRTP_AES128_CM_HMAC_SHA1_80",
        0x0002 => "SRTP_AES128_CM_HMAC_SHA1_32",
        0x0007 => "SRTP_AEAD_AES_128_GCM",
        0x0008 => "SRTP_AEAD_AES_256_GCM",
        _ => return None,
    })
}

/// W3C `RTCInboundRtpStreamStats`: one SSRC we receive.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct InboundRtpStats {
    /// The transceiver.
    pub transceiver: crate::TransceiverId,
    /// `kind`: "audio" or "video".
    pub kind: &'static str,
    /// `mid`.
    pub mid: Option<String>,
    /// `rid`: its simulcast layer.
    pub rid: Option<crate::Rid>,
    /// `ssrc`.
    pub ssrc: u32,
    /// `packetsReceived` (retransmissions that repaired a loss included).
    pub packets_received: u64,
    /// `bytesReceived` (payload bytes).
    pub bytes_received: u64,
    /// `packetsLost` (RFC 3550 §A.3: expected minus received).
    pub packets_lost: i64,
    /// `jitter`, seconds (RFC 3550 §A.8).
    pub jitter: f64,
    /// `nackCount`: NACK packets we sent.
    pub nack_count: u64,
    /// `pliCount`: PLIs we sent.
    pub pli_count: u64,
    /// `firCount`: FIRs we sent.
    pub fir_count: u64,
    /// `framesReceived`: whole frames delivered (frame mode).
    pub frames_received: u64,
    /// `framesDropped`: frames given up (frame mode).
    pub frames_dropped: u64,
    /// Packets that repaired a loss (RTX or retransmitted).
    pub retransmitted_packets_received: u64,
}

/// W3C `RTCOutboundRtpStreamStats`: the stream a transceiver sends.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct OutboundRtpStats {
    /// The transceiver.
    pub transceiver: crate::TransceiverId,
    /// `kind`.
    pub kind: &'static str,
    /// `mid`.
    pub mid: Option<String>,
    /// `rid`: its simulcast layer.
    pub rid: Option<crate::Rid>,
    /// `ssrc`.
    pub ssrc: u32,
    /// `rtxSsrc`.
    pub rtx_ssrc: Option<u32>,
    /// `packetsSent` (not counting retransmissions).
    pub packets_sent: u64,
    /// `bytesSent` (payload bytes).
    pub bytes_sent: u64,
    /// `retransmittedPacketsSent`.
    pub retransmitted_packets_sent: u64,
    /// `retransmittedBytesSent`.
    pub retransmitted_bytes_sent: u64,
    /// `nackCount`: NACK packets received about this stream.
    pub nack_count: u64,
    /// `pliCount`: PLIs received.
    pub pli_count: u64,
    /// `firCount`: FIRs received.
    pub fir_count: u64,
    /// `framesSent`: frames sent by the frame API.
    pub frames_sent: u64,
}

/// W3C `RTCRemoteInboundRtpStreamStats`: the peer's view of one of our streams, from its
/// last report block (RFC 3550 §6.4.1).
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct RemoteInboundRtpStats {
    /// `ssrc`: our stream.
    pub ssrc: u32,
    /// `kind`.
    pub kind: &'static str,
    /// `packetsLost`: cumulative, as the peer counts it.
    pub packets_lost: i64,
    /// `fractionLost`: of the last report interval, 0 to 1.
    pub fraction_lost: f64,
    /// `jitter`, seconds.
    pub jitter: f64,
    /// `roundTripTime`, seconds, when the block carried an LSR.
    pub round_trip_time: Option<f64>,
}
