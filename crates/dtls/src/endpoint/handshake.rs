//! The state only the handshake needs: configuration, randomness, reassembly, the transcript,
//! key shares and pending keys, the retransmission timer. It lives in a box that the endpoint
//! drops as soon as the handshake is done, so a connected endpoint holds only its record layer
//! and a session summary (RFC 6347 §4.2.4: after the handshake only the last flight may still
//! be needed, and only by the side that sent it).

use std::net::SocketAddr;
use std::time::Instant;

use rand::rngs::StdRng;

use super::config::{Config, Role};
use super::flight::{Flight, FlightItem, SentFlight};
use super::{Endpoint, Session};
use crate::Error;
use crate::cookie::CookieSecret;
use crate::crypto::kx::KeyShare;
use crate::crypto::peer_key::PeerKey;
use crate::prf;
use crate::reassembly::Reassembler;
use crate::record::RecordKey;
use crate::timer::RetransmitTimer;
use crate::transcript::Transcript;
use crate::wire::handshake::HandshakeFragment;
use crate::wire::{AlertDescription, HandshakeType, RecordHeader};

/// Secrets and peer values of a handshake in progress, dropped with it.
#[derive(Default)]
pub(crate) struct Negotiated {
    pub(crate) key_share: Option<KeyShare>,
    /// The peer's ECDHE public value (client: from ServerKeyExchange).
    pub(crate) server_public: Vec<u8>,
    pub(crate) peer_key: Option<PeerKey>,
    /// Keys for the peer's next epoch, installed when its ChangeCipherSpec arrives.
    pub(crate) pending_read_key: Option<RecordKey>,
    /// Server: keys for its next write epoch, installed when it sends ChangeCipherSpec.
    pub(crate) pending_write_key: Option<RecordKey>,
}

/// Everything the handshake needs and the connection does not.
pub(crate) struct Handshake {
    pub(crate) config: Config,
    pub(crate) rng: StdRng,
    pub(crate) reassembler: Reassembler,
    pub(crate) transcript: Transcript,
    pub(crate) negotiated: Negotiated,
    /// message_seq of the next handshake message this side sends.
    pub(crate) send_seq: u16,
    pub(crate) timer: RetransmitTimer,
    pub(crate) started: Instant,
    /// Records of the next read epoch that arrived before the ChangeCipherSpec (reordered).
    pub(crate) early_records: Vec<(RecordHeader, Vec<u8>)>,
    pub(crate) cookie_secret: Option<CookieSecret>,
    /// Server before a cookie is verified: where the ClientHellos come from and how many
    /// bytes came from there that have not been answered yet (RFC 6347 §4.2.1).
    pub(crate) unverified: Option<(SocketAddr, usize)>,
}

impl Handshake {
    pub(crate) fn new(config: Config, now: Instant, remote: SocketAddr) -> Self {
        let mut rng = sansrtc_proto::rng::from_seed(config.rng_seed);
        let cookie_secret = match config.role {
            Role::Server if config.require_cookie => {
                let mut secret = [0u8; 32];
                rand::Rng::fill_bytes(&mut rng, &mut secret);
                Some(CookieSecret::new(secret))
            }
            _ => None,
        };
        let unverified = cookie_secret.as_ref().map(|_| (remote, 0));
        Self {
            unverified,
            timer: RetransmitTimer::new(config.timer),
            reassembler: Reassembler::new().with_max_message_len(config.max_handshake_message_len),
            config,
            rng,
            transcript: Transcript::new(),
            negotiated: Negotiated::default(),
            send_seq: 0,
            started: now,
            early_records: Vec::new(),
            cookie_secret,
        }
    }

    /// Adds a received message to the transcript in its unfragmented form.
    pub(crate) fn record_received(
        &mut self,
        msg_type: HandshakeType,
        message_seq: u16,
        body: &[u8],
    ) {
        if let Ok(whole) = HandshakeFragment::unfragmented(msg_type, message_seq, body) {
            let mut bytes = vec![0u8; whole.len()];
            if whole.emit(&mut bytes).is_ok() {
                self.transcript.push(&bytes);
            }
        }
    }

    /// When the handshake gives up (RFC 6347 §4.2.4: a total deadline).
    pub(crate) fn deadline(&self) -> Instant {
        self.started + self.config.timer.handshake_timeout
    }
}

impl Endpoint {
    /// Adds a handshake message to `flight` and to the transcript, with the next message_seq.
    pub(crate) fn push_message(
        &self,
        hs: &mut Handshake,
        flight: &mut Flight,
        msg_type: HandshakeType,
        body: Vec<u8>,
    ) -> Result<(), Error> {
        let message_seq = hs.send_seq;
        hs.send_seq = hs.send_seq.wrapping_add(1);
        let whole = HandshakeFragment::unfragmented(msg_type, message_seq, &body)?;
        let mut bytes = vec![0u8; whole.len()];
        whole.emit(&mut bytes)?;
        hs.transcript.push(&bytes);
        flight.items.push(FlightItem::Handshake {
            msg_type,
            message_seq,
            body,
            epoch: self.record.write_epoch(),
        });
        Ok(())
    }

    /// Sends `flight` now and keeps it for retransmission: on the timer when an answer is
    /// expected, and on a repeated peer flight in any case (RFC 6347 §4.2.4).
    pub(crate) fn send_flight(
        &mut self,
        hs: &mut Handshake,
        now: Instant,
        flight: Flight,
        expect_answer: bool,
    ) -> Result<(), Error> {
        if expect_answer {
            hs.timer.start(now);
        } else {
            hs.timer.stop();
        }
        let resend_gap = hs.timer.current() / 2;
        self.sent = Some(Box::new(SentFlight {
            flight,
            answers_below: hs.reassembler.next_message_seq(),
            resend_gap,
            resend_after: now + resend_gap,
            hold_until: None,
        }));
        self.transmit_flight(hs)
    }

    /// Derives the record keys from the master secret (RFC 5246 §6.3) and returns (write,
    /// read) keys for this side.
    pub(crate) fn derive_record_keys(&self) -> Result<(RecordKey, RecordKey), Error> {
        let s = &self.session;
        let (Some(suite), Some(master)) = (s.suite, s.master_secret.as_ref()) else {
            return Err(Error::Protocol(AlertDescription::INTERNAL_ERROR));
        };
        let block = prf::KeyBlock::derive(
            suite.prf,
            master,
            &s.client_random,
            &s.server_random,
            suite.aead.key_len(),
            suite.aead.fixed_iv_len(),
        );
        let client = RecordKey::new(suite.aead, &block.client_key, &block.client_iv)?;
        let server = RecordKey::new(suite.aead, &block.server_key, &block.server_iv)?;
        Ok(match self.role {
            Role::Client => (client, server),
            Role::Server => (server, client),
        })
    }

    /// Checks the peer's certificate chain: its first certificate must match one of the
    /// configured fingerprints (RFC 8122 §5, RFC 5763 §6.1), and its key is kept for the
    /// signature checks.
    pub(crate) fn accept_peer_certificate(
        &mut self,
        hs: &mut Handshake,
        certificates: &[&[u8]],
    ) -> Result<(), AlertDescription> {
        let Some(first) = certificates.first() else {
            return Err(AlertDescription::HANDSHAKE_FAILURE);
        };
        if !hs
            .config
            .remote_fingerprints
            .iter()
            .any(|f| f.matches(first))
        {
            return Err(AlertDescription::BAD_CERTIFICATE);
        }
        let key = PeerKey::from_certificate(first).map_err(|e| match e {
            Error::Protocol(alert) => alert,
            _ => AlertDescription::BAD_CERTIFICATE,
        })?;
        hs.negotiated.peer_key = Some(key);
        self.peer_certificate = Some(Box::from(*first));
        Ok(())
    }
}

impl Session {
    /// The PRF hash of the negotiated suite (SHA-256 before one is chosen).
    pub(crate) fn prf(&self) -> prf::PrfHash {
        self.suite.map_or(prf::PrfHash::Sha256, |s| s.prf)
    }
}
