//! JSEP (RFC 8829) for a [`PeerConnection`]: offers and answers with a data channel section,
//! answers to offers with audio and video (codecs intersected, media inactive until media
//! exists), the signaling states, and trickled candidates both ways.
//!
//! Later offers renegotiate the same transport (roles kept), an offer may restart ICE (either
//! side), and an offer may be rolled back ([`SdpType::Rollback`], see `rollback.rs`). Not done
//! yet: adding media sections.

use std::time::Instant;

use sansrtc_dtls::endpoint::Role as DtlsRole;
use sansrtc_ice::{Credentials, Role as IceRole};
use sansrtc_sdp::ParseOptions;
use sansrtc_sdp::SessionDescription;
use sansrtc_sdp::attributes::{Candidate as SdpCandidate, Direction, Setup};
use sansrtc_sdp::jsep::{
    AnswerBuilder, AnswerOptions, DataChannelOptions, LocalTransport, OfferBuilder,
};

use crate::config::AnswerSetup;
use crate::connection::{Error, PeerConnection};
use crate::convert::{
    candidate_from_sdp, candidate_to_sdp, fingerprint_from_sdp, fingerprint_to_sdp,
};
use crate::negotiate::OfferSection;

/// The browser's `signalingState` (RFC 8829 §3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignalingState {
    /// No offer pending.
    Stable,
    /// Our offer is set; waiting for the answer.
    HaveLocalOffer,
    /// The peer's offer is set; our answer is due.
    HaveRemoteOffer,
    /// Closed.
    Closed,
}

/// An offer, an answer, or a rollback (RFC 8829 §4.1.10.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SdpType {
    /// An offer.
    Offer,
    /// An answer.
    Answer,
    /// Discards the offer set last (ours with `set_local_description`, the peer's with
    /// `set_remote_description`) and returns to stable, as before it (the SDP text is
    /// ignored; the browser's passes an empty one).
    Rollback,
}

/// Options of [`PeerConnection::create_offer_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub struct OfferOptions {
    /// Restart ICE (RFC 8445 §9, RFC 8829 §5.2.1 `iceRestart`): new credentials, gathering
    /// again; the current pair carries data until a new one is selected.
    pub ice_restart: bool,
}

impl OfferOptions {
    /// An offer that restarts ICE.
    pub const fn ice_restart() -> Self {
        Self { ice_restart: true }
    }
}

/// Signaling state and the descriptions exchanged.
#[derive(Debug)]
pub(crate) struct Signaling {
    pub(crate) state: SignalingState,
    session_id: u64,
    version: u64,
    pub(crate) remote_offer: Option<SessionDescription>,
    /// The mid of the data channel section (ours when offering, the peer's when answering).
    pub(crate) data_mid: String,
    /// The peer's ICE username fragment so far: a new one is an ICE restart.
    pub(crate) remote_ufrag: Option<String>,
    /// An offer/answer exchange has completed: later ones renegotiate.
    pub(crate) negotiated: bool,
    /// The mids of the last completed exchange, in order (later offers keep it).
    pub(crate) section_order: Vec<String>,
    /// What a rollback restores while an offer is pending.
    pub(crate) checkpoint: Option<Box<crate::rollback::Checkpoint>>,
    /// The seed restart credentials are derived from (with `restarts`), if deterministic.
    seed: Option<sansrtc_proto::rng::Seed>,
    restarts: u32,
}

impl Signaling {
    pub(crate) fn new(seed: Option<sansrtc_proto::rng::Seed>) -> Self {
        let mut rng = sansrtc_proto::rng::from_seed(seed);
        Self {
            state: SignalingState::Stable,
            // RFC 8866 §5.2: a 63-bit number.
            session_id: rand::Rng::next_u64(&mut rng) >> 1,
            version: 1,
            remote_offer: None,
            data_mid: "0".to_owned(),
            remote_ufrag: None,
            negotiated: false,
            section_order: Vec::new(),
            checkpoint: None,
            seed,
            restarts: 0,
        }
    }
}

/// The ICE credentials an offer carries (its bundle transport's).
fn offered_credentials(description: &SessionDescription) -> Result<Credentials, Error> {
    let transport = description
        .bundle_transport()
        .ok_or_else(|| Error::BadDescription("no transport".to_owned()))?;
    match (transport.ice_ufrag, transport.ice_pwd) {
        (Some(ufrag), Some(pwd)) => Ok(Credentials {
            ufrag: ufrag.to_owned(),
            pwd: pwd.to_owned(),
        }),
        _ => Err(Error::BadDescription("no ICE credentials".to_owned())),
    }
}

fn parse(text: &str) -> Result<SessionDescription, Error> {
    SessionDescription::parse_with(text, &ParseOptions::default())
        .map_err(|e| Error::BadDescription(e.to_string()))
}

impl PeerConnection {
    /// The signaling state.
    pub fn signaling_state(&self) -> SignalingState {
        self.signaling.state
    }

    fn local_transport(&self) -> LocalTransport {
        let local = self.local_parameters();
        let mut transport = LocalTransport::new(
            local.ice.ufrag,
            local.ice.pwd,
            fingerprint_to_sdp(&local.fingerprint),
        );
        transport.candidates = self
            .engine
            .ice
            .signaled_candidates()
            .map(|c| candidate_to_sdp(&c))
            .collect();
        transport
    }

    fn data_channel_options(&self) -> DataChannelOptions {
        let mut options = DataChannelOptions::new(self.signaling.data_mid.clone());
        options.max_message_size = self.config.sctp.max_message_size as u64;
        options
    }

    /// An offer with a data channel section (RFC 8829 §5.2): BUNDLE, `a=setup:actpass`, our
    /// candidates so far (trickle the rest as [`Event::IceCandidate`](crate::Event) comes).
    ///
    /// # Errors
    /// [`Error::InvalidState`] unless stable.
    pub fn create_offer(&mut self) -> Result<String, Error> {
        let now = self.now;
        self.create_offer_with(now, OfferOptions::default())
    }

    /// An offer with options: [`OfferOptions::ice_restart`] restarts ICE. Later offers (after
    /// the first exchange) renegotiate the same transport.
    ///
    /// # Errors
    /// [`Error::InvalidState`] unless stable.
    pub fn create_offer_with(
        &mut self,
        now: Instant,
        options: OfferOptions,
    ) -> Result<String, Error> {
        let now = self.clock(now);
        if self.signaling.state != SignalingState::Stable {
            return Err(Error::InvalidState);
        }
        let _ = now;
        let mut transport = self.local_transport();
        // The restart happens when the offer is set (so an offer never set, or rolled back,
        // changes nothing); the offer carries the credentials it will use.
        if options.ice_restart {
            let signaling = &mut self.signaling;
            signaling.restarts = signaling.restarts.wrapping_add(1);
            let seed = signaling.seed.map(|mut seed| {
                for (byte, n) in seed.iter_mut().zip(signaling.restarts.to_le_bytes()) {
                    *byte ^= n;
                }
                seed[31] ^= 0x5a;
                seed
            });
            let credentials = Credentials::random(&mut sansrtc_proto::rng::from_seed(seed));
            transport.ice_ufrag = credentials.ufrag;
            transport.ice_pwd = credentials.pwd;
        }
        let mut builder = OfferBuilder::new(self.signaling.session_id, transport)
            .session_version(self.signaling.version);
        for section in self.offer_sections() {
            builder = match section {
                OfferSection::Data => builder.data_channel(self.data_channel_options()),
                OfferSection::Media(options) => builder.media(*options),
            };
        }
        let mut offer = builder.build();
        self.reject_stopped(&mut offer);
        Ok(offer.to_string())
    }

    /// An answer to the peer's offer (RFC 8829 §5.3): its data channel section accepted,
    /// audio and video sections answered with the codecs both support but inactive (media
    /// comes later), our DTLS role per `Config::answer_setup` when the offer leaves it to us.
    ///
    /// # Errors
    /// [`Error::InvalidState`] without a remote offer.
    pub fn create_answer(&mut self) -> Result<String, Error> {
        let offer = self
            .signaling
            .remote_offer
            .as_ref()
            .ok_or(Error::InvalidState)?;
        let mut options = AnswerOptions::default();
        options.data_channel = Some(self.data_channel_options());
        options.setup = match self.config.answer_setup {
            AnswerSetup::Active => Setup::Active,
            AnswerSetup::Passive => Setup::Passive,
        };
        // Each audio/video section is answered by its transceiver (associated when the offer
        // was set); anything else inactive.
        options.direction = Direction::Inactive;
        options.sections = self.section_answers();
        let answer = AnswerBuilder::new(
            offer,
            self.signaling.session_id,
            self.local_transport(),
            options,
        )
        .session_version(self.signaling.version + 1)
        .build();
        let mut answer = answer;
        self.reject_stopped(&mut answer);
        Ok(answer.to_string())
    }

    /// Sets our own offer or answer (RFC 8829 §5.4).
    ///
    /// # Errors
    /// [`Error::InvalidState`] for an offer when not stable or an answer without a remote
    /// offer; [`Error::BadDescription`] when it does not parse.
    pub fn set_local_description(
        &mut self,
        now: Instant,
        kind: SdpType,
        sdp: &str,
    ) -> Result<(), Error> {
        let _entered = self.span.clone().entered();
        let now = self.clock(now);
        if kind == SdpType::Rollback {
            return self.rollback(now, false);
        }
        let description = parse(sdp)?;
        match (kind, self.signaling.state) {
            (SdpType::Offer, SignalingState::Stable) => {
                let credentials = offered_credentials(&description)?;
                self.take_checkpoint();
                // The offerer controls (RFC 8829 §5.2.1); a renegotiation keeps the roles.
                if !self.signaling.negotiated {
                    self.engine.ice.set_role(now, IceRole::Controlling);
                }
                // New credentials in our offer: it restarts ICE (from create_offer_with).
                if credentials != *self.engine.ice.local_credentials() {
                    self.engine
                        .ice
                        .restart_with(now, credentials)
                        .map_err(|_| Error::BadDescription("ICE credentials".to_owned()))?;
                }
                self.signaling.state = SignalingState::HaveLocalOffer;
            }
            (SdpType::Answer, SignalingState::HaveRemoteOffer) => {
                self.signaling.state = SignalingState::Stable;
                self.signaling.version += 1;
                self.signaling.negotiated = true;
                self.commit_offer();
                if let Some(offer) = self.signaling.remote_offer.take() {
                    self.apply_media(&description, &offer, true);
                    self.signaling.remote_offer = Some(offer);
                }
            }
            _ => return Err(Error::InvalidState),
        }
        self.engine.pump(now);
        Ok(())
    }

    /// Sets the peer's offer or answer (RFC 8829 §5.5): its ICE credentials, candidates and
    /// fingerprints go to ICE and DTLS; the DTLS role follows `a=setup`.
    ///
    /// # Errors
    /// [`Error::InvalidState`] out of turn, [`Error::BadDescription`] when it does not parse
    /// or lacks ICE credentials, a fingerprint, or a valid `a=setup`.
    pub fn set_remote_description(
        &mut self,
        now: Instant,
        kind: SdpType,
        sdp: &str,
    ) -> Result<(), Error> {
        let _entered = self.span.clone().entered();
        let now = self.clock(now);
        if kind == SdpType::Rollback {
            return self.rollback(now, true);
        }
        let description = parse(sdp)?;
        // An offer that crosses ours rolls ours back first (glare; the browser does the same,
        // and perfect negotiation's polite peer relies on it).
        if kind == SdpType::Offer && self.signaling.state == SignalingState::HaveLocalOffer {
            offered_credentials(&description)?;
            self.rollback(now, false)?;
        }
        let our_role = {
            let transport = description
                .bundle_transport()
                .ok_or_else(|| Error::BadDescription("no transport".to_owned()))?;
            let setup = transport.setup;
            match (kind, self.signaling.state, setup) {
                (SdpType::Answer, SignalingState::HaveLocalOffer, Some(Setup::Active)) => {
                    DtlsRole::Server
                }
                (SdpType::Answer, SignalingState::HaveLocalOffer, Some(Setup::Passive)) => {
                    DtlsRole::Client
                }
                (SdpType::Answer, SignalingState::HaveLocalOffer, _) => {
                    return Err(Error::BadDescription(
                        "an answer must say a=setup:active or passive".to_owned(),
                    ));
                }
                (SdpType::Offer, SignalingState::Stable, Some(Setup::Active)) => DtlsRole::Server,
                (SdpType::Offer, SignalingState::Stable, Some(Setup::Passive)) => DtlsRole::Client,
                (SdpType::Offer, SignalingState::Stable, _) => match self.config.answer_setup {
                    AnswerSetup::Active => DtlsRole::Client,
                    AnswerSetup::Passive => DtlsRole::Server,
                },
                _ => return Err(Error::InvalidState),
            }
        };
        if kind == SdpType::Offer {
            self.take_checkpoint();
        }
        // A new remote ufrag in an offer is an ICE restart (RFC 8445 §9): we restart too, so
        // the answer carries new credentials.
        let remote_ufrag = description
            .bundle_transport()
            .and_then(|t| t.ice_ufrag.map(str::to_owned));
        if kind == SdpType::Offer
            && self.signaling.negotiated
            && remote_ufrag != self.signaling.remote_ufrag
        {
            self.engine.ice.restart(now);
        }
        self.signaling.remote_ufrag = remote_ufrag;
        self.apply_remote_transport(now, &description)?;
        if let Some(data) = description.data_channel() {
            let size = data.max_message_size.unwrap_or(65_536);
            self.engine
                .set_remote_max_message_size(usize::try_from(size).unwrap_or(usize::MAX));
            if kind == SdpType::Offer
                && let Some(mid) = data.mid
            {
                self.signaling.data_mid = mid;
            }
        }
        match kind {
            SdpType::Offer => {
                if !self.signaling.negotiated {
                    self.engine.ice.set_role(now, IceRole::Controlled);
                }
                self.associate_offer(&description);
                // An offer without a data section may use our data mid for media: ours moves
                // to a free one (a later offer of ours adds the section there).
                if description.data_channel().is_none()
                    && description
                        .media
                        .iter()
                        .any(|m| m.mid() == Some(self.signaling.data_mid.as_str()))
                {
                    self.signaling.data_mid = self.free_mid();
                }
                self.signaling.remote_offer = Some(description);
                self.signaling.state = SignalingState::HaveRemoteOffer;
            }
            SdpType::Answer | SdpType::Rollback => {
                self.signaling.state = SignalingState::Stable;
                self.signaling.version += 1;
                self.signaling.negotiated = true;
                self.commit_offer();
                self.apply_media(&description, &description, false);
            }
        }
        self.engine.set_dtls_role(now, our_role);
        self.engine.pump(now);
        Ok(())
    }

    fn apply_remote_transport(
        &mut self,
        now: Instant,
        description: &SessionDescription,
    ) -> Result<(), Error> {
        let transport = description
            .bundle_transport()
            .ok_or_else(|| Error::BadDescription("no transport".to_owned()))?;
        let (Some(ufrag), Some(pwd)) = (transport.ice_ufrag, transport.ice_pwd) else {
            return Err(Error::BadDescription("no ICE credentials".to_owned()));
        };
        let fingerprints: Vec<_> = transport
            .fingerprints
            .iter()
            .filter_map(|f| fingerprint_from_sdp(f))
            .collect();
        if fingerprints.is_empty() {
            return Err(Error::BadDescription("no usable fingerprint".to_owned()));
        }
        let candidates: Vec<_> = transport
            .candidates
            .iter()
            .filter_map(|c| candidate_from_sdp(c))
            .collect();
        let end = transport.end_of_candidates;
        self.engine.ice.set_remote_lite(now, transport.ice_lite);
        self.engine.ice.set_remote_credentials(
            now,
            Credentials {
                ufrag: ufrag.to_owned(),
                pwd: pwd.to_owned(),
            },
        );
        self.engine.set_remote_fingerprints(fingerprints);
        for c in candidates {
            let _ = self.engine.ice.add_remote_candidate(now, c);
        }
        if end {
            self.engine.ice.end_of_remote_candidates(now);
        }
        Ok(())
    }

    /// A trickled candidate from the peer: the value of an `a=candidate` line (with or
    /// without the `candidate:` prefix); an empty string is end-of-candidates (RFC 8838 §4.4).
    /// TCP candidates and names (mDNS, FQDN) are ignored for now.
    ///
    /// # Errors
    /// [`Error::BadDescription`] when it does not parse.
    pub fn add_ice_candidate(&mut self, now: Instant, candidate: &str) -> Result<(), Error> {
        let now = self.clock(now);
        let candidate = candidate.trim().trim_start_matches("a=");
        if candidate.is_empty() {
            self.end_of_remote_candidates(now);
            return Ok(());
        }
        let parsed: SdpCandidate = candidate
            .parse()
            .map_err(|e: &str| Error::BadDescription(e.to_owned()))?;
        if let Some(c) = candidate_from_sdp(&parsed) {
            self.add_remote_candidate(now, c)?;
        }
        Ok(())
    }

    /// Our candidate as the value of an `a=candidate` line, to trickle (with the
    /// `candidate:` prefix the browser's `RTCIceCandidate.candidate` has).
    pub fn candidate_line(candidate: &sansrtc_ice::Candidate) -> String {
        format!("candidate:{}", candidate_to_sdp(candidate))
    }

    /// The mid of the data channel section, for trickled candidates' `sdpMid`.
    pub fn data_mid(&self) -> &str {
        &self.signaling.data_mid
    }
}
