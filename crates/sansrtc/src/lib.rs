//! sansrtc: a Sans-IO WebRTC stack. [`PeerConnection`] composes ICE (`sansrtc-ice`), DTLS
//! (`sansrtc-dtls`), SRTP (`sansrtc-srtp`), RTP and RTCP (`sansrtc-rtp`, payload formats in
//! `sansrtc-media`), SCTP (`sansrtc-sctp`) and data channels (`sansrtc-datachannel`) behind
//! one state machine as easy to use as the browser's `RTCPeerConnection`, with JSEP offers and
//! answers (`sansrtc-sdp`) or a direct API for two Rust peers.
//!
//! # The Sans-IO loop
//! The caller owns the sockets and the clock:
//!
//! ```no_run
//! # use std::time::Instant;
//! # use sansrtc::{Config, PeerConnection};
//! # use sansrtc_proto::{Protocol, Receive, SansIo};
//! # fn socket_recv(_: &mut [u8]) -> Option<(usize, std::net::SocketAddr)> { None }
//! # fn socket_send(_: &[u8], _: std::net::SocketAddr) {}
//! # let now = Instant::now();
//! let local = "127.0.0.1:50000".parse().unwrap();
//! let mut pc = PeerConnection::new(Config::default(), now)?;
//! pc.add_local_addresses(now, &[local]);
//! let (mut out, mut input) = (Vec::new(), vec![0; 2048]);
//! loop {
//!     let now = Instant::now();
//!     while let Some((n, source)) = socket_recv(&mut input) {
//!         let receive = Receive { proto: Protocol::Udp, source, destination: local, contents: &input[..n] };
//!         let _ = pc.handle_receive(now, receive);
//!     }
//!     while let Some(t) = pc.poll_transmit(now, &mut out) {
//!         socket_send(&out[..t.size], t.destination);
//!     }
//!     while let Some(event) = pc.poll_event() {
//!         println!("{event:?}");
//!     }
//!     if pc.poll_timeout().is_some_and(|t| t <= now) {
//!         pc.handle_timeout(now);
//!     }
//! #   break;
//! }
//! # Ok::<(), sansrtc::Error>(())
//! ```
//!
//! Media (issue 19) is being built: transceivers, the RTP and frame APIs, reports, NACK with
//! RTX, PLI and FIR work; transport-wide congestion control feedback, simulcast and media
//! statistics do not yet.
#![forbid(unsafe_code)]

mod channels;
mod config;
mod connection;
mod convert;
mod engine;
mod event;
mod jsep;
mod media;
mod media_api;
mod negotiate;
mod rollback;
mod stats;

pub use channels::ChannelId;
pub use config::{AnswerSetup, Config};
pub use connection::{Error, LocalParameters, PeerConnection, RemoteParameters};
pub use engine::Negotiated;
pub use event::{ConnectionState, Event, FailReason};
pub use jsep::{OfferOptions, SdpType, SignalingState};
pub use media::transceiver::{
    ExtensionIds, MediaKind, NegotiatedCodec, ReceiveMode, Rid, TransceiverId, TransceiverInfo,
};
pub use media::{FrameReceived, KeyframeRequest, MediaError, RtpReceived};
pub use sansrtc_datachannel::wire::Reliability;
pub use sansrtc_datachannel::{ChannelConfig, ChannelInfo, MessageKind};
pub use sansrtc_dtls::endpoint::Role as DtlsRole;
pub use sansrtc_dtls::wire::SrtpProfileId;
pub use sansrtc_ice::{Candidate, CandidateKind, Credentials, Role as IceRole};
pub use sansrtc_sctp::association::Features as SctpFeatures;
pub use sansrtc_sdp::attributes::Direction;
pub use stats::{
    CandidatePairStats, DataChannelStats, InboundRtpStats, OutboundRtpStats, PeerConnectionStats,
    RemoteInboundRtpStats, Stats, TransportStats, srtp_profile_name,
};
