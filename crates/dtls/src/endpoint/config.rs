//! Configuration of a DTLS endpoint.

use std::sync::Arc;

use crate::Error;
use crate::identity::{Fingerprint, Identity};
use crate::timer::TimerConfig;
use crate::wire::{AlertDescription, CipherSuite, NamedGroup, SrtpProfileId};

/// Which side of the handshake this endpoint plays (in WebRTC, from the SDP `a=setup`
/// attribute, RFC 5763 §5: `active` is the client).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Sends the ClientHello.
    Client,
    /// Answers it.
    Server,
}

/// Settings of an [`Endpoint`](super::Endpoint).
#[derive(Debug, Clone)]
pub struct Config {
    /// Client or server.
    pub role: Role,
    /// This endpoint's certificate and key (shared by every connection that uses it).
    pub identity: Arc<Identity>,
    /// The peer's certificate fingerprints from its SDP (`a=fingerprint`, RFC 8122): its
    /// certificate must match one of them.
    pub remote_fingerprints: Vec<Fingerprint>,
    /// Cipher suites to offer or accept, in order of preference. Default: every suite of
    /// [`crate::suite::SUITES`].
    pub cipher_suites: Vec<CipherSuite>,
    /// ECDHE groups, in order of preference. Default: X25519, P-256, P-384. A client always
    /// lists P-256 too (after these), since supported_groups also names the curves it accepts
    /// for the server's ECDSA certificate (RFC 8422 §5.1.1).
    pub groups: Vec<NamedGroup>,
    /// SRTP profiles for use_srtp (RFC 5764 §4.1.1), in order of preference; empty sends no
    /// use_srtp. Default: AEAD_AES_128_GCM, AEAD_AES_256_GCM, AES128_CM_HMAC_SHA1_80,
    /// AES128_CM_HMAC_SHA1_32.
    pub srtp_profiles: Vec<SrtpProfileId>,
    /// Largest datagram to send (handshake flights are fragmented to fit). Default 1200.
    pub mtu: usize,
    /// Retransmission and total handshake timers (RFC 6347 §4.2.4).
    pub timer: TimerConfig,
    /// Server: answer a ClientHello without a valid cookie with a HelloVerifyRequest
    /// (RFC 6347 §4.2.1). Default on.
    pub require_cookie: bool,
    /// Largest handshake message accepted (certificate chains included). Default 64 KiB.
    pub max_handshake_message_len: usize,
    /// Deliver received application data as [`Event::ApplicationData`](super::Event) (one
    /// `Vec` per record; the default), or, when off, queue it for
    /// [`Endpoint::recv_application_data`](super::Endpoint::recv_application_data), which
    /// recycles buffers and allocates nothing in steady state.
    pub application_data_events: bool,
    /// Seed for the endpoint's randomness (hello randoms, cookie secret); `None` draws from
    /// the operating system. ECDHE and ECDSA keys always come from the operating system.
    pub rng_seed: Option<sansrtc_proto::rng::Seed>,
}

impl Config {
    /// Defaults for `role` with `identity`, expecting a peer certificate with one of
    /// `remote_fingerprints`.
    pub fn new(role: Role, identity: Arc<Identity>, remote_fingerprints: Vec<Fingerprint>) -> Self {
        Self {
            role,
            identity,
            remote_fingerprints,
            cipher_suites: crate::suite::SUITES.iter().map(|s| s.suite).collect(),
            groups: crate::crypto::kx::SUPPORTED_GROUPS.to_vec(),
            srtp_profiles: vec![
                SrtpProfileId::AEAD_AES_128_GCM,
                SrtpProfileId::AEAD_AES_256_GCM,
                SrtpProfileId::AES128_CM_HMAC_SHA1_80,
                SrtpProfileId::AES128_CM_HMAC_SHA1_32,
            ],
            mtu: 1200,
            timer: TimerConfig::default(),
            require_cookie: true,
            max_handshake_message_len: 64 * 1024,
            application_data_events: true,
            rng_seed: None,
        }
    }

    pub(crate) fn check(&self) -> Result<(), Error> {
        let any_suite = self
            .cipher_suites
            .iter()
            .any(|s| crate::suite::params(*s).is_some());
        let any_group = self
            .groups
            .iter()
            .any(|g| crate::crypto::kx::SUPPORTED_GROUPS.contains(g));
        if !any_suite || !any_group || self.mtu < 256 {
            return Err(Error::Protocol(AlertDescription::INTERNAL_ERROR));
        }
        Ok(())
    }
}
