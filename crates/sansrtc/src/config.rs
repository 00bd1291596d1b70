//! How a [`PeerConnection`](crate::PeerConnection) is set up (the browser's
//! `RTCConfiguration`, W3C WebRTC §4.2.1, plus what an embedded stack needs).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use sansrtc_dtls::identity::Identity;
use sansrtc_dtls::wire::SrtpProfileId;
use sansrtc_ice::TurnServer;
use sansrtc_sctp::association::Config as SctpConfig;

/// Which DTLS role this side takes when the offer leaves the choice (`a=setup:actpass`) to
/// it (RFC 8842 §5.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum AnswerSetup {
    /// `a=setup:active`: we are the DTLS client (what browsers answer).
    #[default]
    Active,
    /// `a=setup:passive`: we are the DTLS server.
    Passive,
}

/// Settings of a PeerConnection.
#[derive(Debug, Clone)]
pub struct Config {
    /// STUN servers for server-reflexive candidates.
    pub stun_servers: Vec<SocketAddr>,
    /// TURN servers for relayed candidates.
    pub turn_servers: Vec<TurnServer>,
    /// Only relayed candidates (`iceTransportPolicy: "relay"`).
    pub relay_only: bool,
    /// Our certificate; `None` generates a fresh ECDSA P-256 one.
    pub identity: Option<Arc<Identity>>,
    /// The SCTP association's settings (its `max_message_size` is our
    /// `a=max-message-size`).
    pub sctp: SctpConfig,
    /// The largest DTLS record, and so SCTP packet plus DTLS overhead.
    pub dtls_mtu: usize,
    /// The SRTP protection profiles offered in DTLS use_srtp (RFC 5764 §4.1.2), in our order
    /// of preference: as the DTLS server we pick the first the client also offers. Default:
    /// AEAD_AES_128_GCM, AEAD_AES_256_GCM, AES_CM_128_HMAC_SHA1_80.
    pub srtp_profiles: Vec<SrtpProfileId>,
    /// The DTLS role we take when answering an `actpass` offer.
    pub answer_setup: AnswerSetup,
    /// How often ICE checks go out (RFC 8445 §14.2: Ta).
    pub ice_pacing: Duration,
    /// Allow [`PeerConnection::dtls_key_log`](crate::PeerConnection::dtls_key_log) (off by
    /// default: the key log decrypts the connection).
    pub key_log: bool,
    /// Record every datagram sent and received into an in-memory pcap
    /// ([`PeerConnection::pcap`](crate::PeerConnection::pcap)), up to this many bytes; 0 (the
    /// default) records nothing.
    pub pcap_limit: usize,
    /// Seed for ICE credentials, tags and everything random; `None` draws from the operating
    /// system (the certificate's key always does).
    pub rng_seed: Option<sansrtc_proto::rng::Seed>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            stun_servers: Vec::new(),
            turn_servers: Vec::new(),
            relay_only: false,
            identity: None,
            sctp: SctpConfig {
                max_message_size: 262_144,
                mtu: 1200 - 37,
                ..SctpConfig::default()
            },
            dtls_mtu: 1200,
            srtp_profiles: vec![
                SrtpProfileId::AEAD_AES_128_GCM,
                SrtpProfileId::AEAD_AES_256_GCM,
                SrtpProfileId::AES128_CM_HMAC_SHA1_80,
            ],
            answer_setup: AnswerSetup::Active,
            ice_pacing: Duration::from_millis(50),
            key_log: false,
            pcap_limit: 0,
            rng_seed: None,
        }
    }
}
