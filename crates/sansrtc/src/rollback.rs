//! JSEP rollback (RFC 8829 §4.1.10.2, §5.7; the browser's `{type: "rollback"}`): an offer
//! that is pending (ours in have-local-offer, the peer's in have-remote-offer) is discarded,
//! and everything it changed goes back to how it was in the stable state before it: the
//! signaling state, the ICE role, an ICE restart (our credentials and the peer's, and its
//! candidates), the peer's fingerprints, its maximum message size and the data section's
//! mid. A first remote offer that is rolled back takes the transport it started with it
//! (ICE forgets the peer; DTLS and SCTP go), as if it never came. Perfect negotiation relies
//! on this: the polite peer rolls its own offer back when the other's crosses it (and
//! `set_remote_description` with an offer does that by itself in have-local-offer).

use std::time::Instant;

use sansrtc_dtls::identity::Fingerprint;
use sansrtc_ice::Role as IceRole;

use crate::connection::{Error, PeerConnection};
use crate::jsep::SignalingState;

/// The stable state an offer left, to go back to.
#[derive(Debug)]
pub(crate) struct Checkpoint {
    ice_role: IceRole,
    remote_ufrag: Option<String>,
    data_mid: String,
    remote_fingerprints: Vec<Fingerprint>,
    remote_max_message_size: Option<usize>,
    /// No exchange had completed before this offer.
    first: bool,
}

impl PeerConnection {
    /// Remembers the stable state as an offer is about to change it.
    pub(crate) fn take_checkpoint(&mut self) {
        self.signaling.checkpoint = Some(Box::new(Checkpoint {
            ice_role: self.engine.ice.role(),
            remote_ufrag: self.signaling.remote_ufrag.clone(),
            data_mid: self.signaling.data_mid.clone(),
            remote_fingerprints: self.engine.remote_fingerprints().to_vec(),
            remote_max_message_size: self.engine.remote_max_message_size(),
            first: !self.signaling.negotiated,
        }));
    }

    /// The offer/answer exchange completed: an ICE restart it made stands.
    pub(crate) fn commit_offer(&mut self) {
        self.signaling.checkpoint = None;
        self.engine.ice.commit_restart();
    }

    /// Rolls back the pending offer: ours when `remote` is false (have-local-offer), the
    /// peer's otherwise (have-remote-offer).
    ///
    /// # Errors
    /// [`Error::InvalidState`] when no such offer is pending.
    pub(crate) fn rollback(&mut self, now: Instant, remote: bool) -> Result<(), Error> {
        let pending = if remote {
            SignalingState::HaveRemoteOffer
        } else {
            SignalingState::HaveLocalOffer
        };
        if self.signaling.state != pending {
            return Err(Error::InvalidState);
        }
        let checkpoint = self
            .signaling
            .checkpoint
            .take()
            .ok_or(Error::InvalidState)?;
        self.engine.ice.rollback_restart(now);
        if remote && checkpoint.first {
            // The transport this offer started goes with it.
            self.engine.ice.forget_remote(now);
            self.engine.reset_transport();
        } else {
            self.engine
                .set_remote_fingerprints(checkpoint.remote_fingerprints);
            if let Some(size) = checkpoint.remote_max_message_size {
                self.engine.set_remote_max_message_size(size);
            }
        }
        if self.engine.ice.role() != checkpoint.ice_role {
            self.engine.ice.set_role(now, checkpoint.ice_role);
        }
        self.signaling.remote_ufrag = checkpoint.remote_ufrag;
        self.signaling.data_mid = checkpoint.data_mid;
        self.signaling.remote_offer = None;
        self.signaling.state = SignalingState::Stable;
        self.engine.pump(now);
        Ok(())
    }
}
