//! What a [`PeerConnection`](crate::PeerConnection) tells the application, shaped after the
//! browser's `RTCPeerConnection` events (W3C WebRTC §4.4).

use sansrtc_datachannel::MessageKind;
use sansrtc_ice::Candidate;

use crate::ChannelId;

/// The overall connection state (the browser's `connectionState`, W3C WebRTC §4.4.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ConnectionState {
    /// Nothing started.
    New,
    /// ICE checks or the DTLS handshake in progress.
    Connecting,
    /// ICE and DTLS are up.
    Connected,
    /// ICE lost the path (consent not refreshed for a while); it may come back.
    Disconnected,
    /// ICE or DTLS failed.
    Failed,
    /// Closed.
    Closed,
}

/// Why a connection failed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FailReason {
    /// ICE found no working pair, or consent expired.
    Ice,
    /// The DTLS handshake failed (with the reason as the DTLS crate gave it).
    Dtls(String),
    /// The SCTP association ended abruptly.
    Sctp,
}

/// An event of a [`PeerConnection`](crate::PeerConnection).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// A local candidate to signal to the peer (trickle ICE, RFC 8838).
    IceCandidate(Candidate),
    /// Gathering is complete (signal end-of-candidates).
    IceGatheringComplete,
    /// The ICE connection state (the browser's `iceConnectionState`).
    IceConnectionState(sansrtc_ice::ConnectionState),
    /// The overall connection state changed.
    ConnectionState(ConnectionState),
    /// The connection failed.
    Failed(FailReason),
    /// A data channel the peer opened (the browser's `datachannel` event); it is open.
    DataChannel(ChannelId),
    /// One of our data channels is open: messages sent now are delivered. An announced
    /// channel opens once its DATA_CHANNEL_OPEN is on its way with the SCTP COOKIE ECHO (RFC
    /// 8832 §6 lets the opener send before the peer's ACK); a pre-negotiated one when the
    /// association is up.
    ChannelOpen(ChannelId),
    /// A message on a data channel.
    ChannelMessage {
        /// The channel.
        channel: ChannelId,
        /// Text or binary.
        kind: MessageKind,
        /// Its bytes.
        data: Vec<u8>,
    },
    /// The channel's buffered amount fell to its low threshold.
    ChannelBufferedAmountLow(ChannelId),
    /// The channel is closing.
    ChannelClosing(ChannelId),
    /// The channel is closed.
    ChannelClosed(ChannelId),
    /// A transceiver now receives media from the peer (the browser's `track` event), after
    /// an offer/answer.
    Track {
        /// The transceiver.
        transceiver: crate::TransceiverId,
        /// Audio or video.
        kind: crate::MediaKind,
    },
    /// An RTP packet, decrypted ([`ReceiveMode::Rtp`](crate::ReceiveMode::Rtp)).
    Rtp(crate::RtpReceived),
    /// A whole frame ([`ReceiveMode::Frames`](crate::ReceiveMode::Frames)).
    Frame(crate::FrameReceived),
    /// The peer asks the sender of a transceiver for a key frame (PLI or FIR).
    KeyframeRequested {
        /// The transceiver whose stream it asks about.
        transceiver: crate::TransceiverId,
        /// PLI or FIR.
        kind: crate::KeyframeRequest,
    },
    /// An RTCP compound from the peer, decrypted, as it came (every one that authenticated;
    /// read it with `sansrtc_rtp::rtcp::Compound`, give the buffer back with
    /// `recycle_media`).
    Rtcp(Vec<u8>),
}
