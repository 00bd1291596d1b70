//! Handling what the server sends: responses, Data indications and ChannelData.

use super::client::{Core, State};
use super::event::{Failure, TurnEvent};
use super::request::{Request, Tag};
use crate::error::{Error, ProtocolViolation};
use crate::wire::{Class, Frame, Message, Method, attr, error_code};
use std::time::{Duration, Instant};

/// Retries of a request after 438 Stale Nonce before giving up.
const MAX_STALE_RETRIES: u8 = 3;
/// Lifetime assumed when a success response omits LIFETIME (RFC 8656 §7: default 10 minutes).
const DEFAULT_LIFETIME: Duration = Duration::from_secs(600);

impl Core {
    /// A UDP datagram from the server.
    pub(crate) fn handle_datagram(&mut self, now: Instant, datagram: &[u8]) -> Result<(), Error> {
        let frame = match datagram.first() {
            Some(0x40..=0x4f) => Frame::ChannelData(crate::wire::ChannelData::parse(datagram)?),
            _ => Frame::Stun(Message::parse(datagram)?),
        };
        self.handle_frame(now, frame)
    }

    /// One STUN message or ChannelData frame from the server.
    pub(crate) fn handle_frame(&mut self, now: Instant, frame: Frame<'_>) -> Result<(), Error> {
        match frame {
            Frame::ChannelData(frame) => {
                let peer = self
                    .channels
                    .peer(frame.channel)
                    .ok_or(ProtocolViolation::UnboundChannel)?;
                self.events.push_back(TurnEvent::Data {
                    peer,
                    data: frame.data.to_vec(),
                    channel: Some(frame.channel),
                });
                Ok(())
            }
            Frame::Stun(message) => self.handle_message(now, &message),
        }
    }

    fn handle_message(&mut self, now: Instant, message: &Message<'_>) -> Result<(), Error> {
        if message.has_fingerprint() {
            message.verify_fingerprint()?;
        }
        match message.class() {
            Class::Indication if message.method() == Method::DATA => {
                let peer = message
                    .xor_peer_address()
                    .ok_or(ProtocolViolation::MissingAttribute(attr::XOR_PEER_ADDRESS))?;
                let data = message
                    .data()
                    .ok_or(ProtocolViolation::MissingAttribute(attr::DATA))?;
                if !self.permissions.installed(peer.ip()) {
                    return Err(ProtocolViolation::NoPermission.into());
                }
                self.events.push_back(TurnEvent::Data {
                    peer,
                    data: data.to_vec(),
                    channel: None,
                });
                Ok(())
            }
            Class::Success | Class::Error => self.handle_response(now, message),
            _ => Err(ProtocolViolation::Unexpected.into()),
        }
    }

    fn handle_response(&mut self, now: Instant, message: &Message<'_>) -> Result<(), Error> {
        let id = message.transaction_id();
        let tag = self
            .transactions
            .tag(&id)
            .cloned()
            .ok_or(ProtocolViolation::UnmatchedResponse)?;
        if message.method() != tag.request.method() {
            return Err(ProtocolViolation::Unexpected.into());
        }
        if let Some(unknown) = message.unknown_comprehension_required().next() {
            // RFC 8489 §6.3.4: discard; the transaction goes on.
            return Err(ProtocolViolation::UnknownRequiredAttribute(unknown).into());
        }
        if tag.authenticated {
            // Before anything changes: a forged response is discarded as if never received.
            self.authenticate_response(message)?;
        }
        if message.class() == Class::Error {
            return self.handle_error(message, tag);
        }
        self.transactions.finish(&id);
        self.on_success(now, message, &tag.request);
        Ok(())
    }

    fn handle_error(&mut self, message: &Message<'_>, tag: Tag) -> Result<(), Error> {
        let id = message.transaction_id();
        let code = message
            .error_code()
            .map_or(error_code::SERVER_ERROR, |e| e.code);
        let reason = message
            .error_code()
            .map(|e| e.reason.to_owned())
            .unwrap_or_default();
        let retry = match code {
            error_code::UNAUTHENTICATED
                if !tag.authenticated
                    || tag.unauthorized_retries == 0 && self.nonce_changed(message) =>
            {
                Some((
                    tag.unauthorized_retries + u8::from(tag.authenticated),
                    tag.stale_retries,
                ))
            }
            error_code::STALE_NONCE if tag.stale_retries < MAX_STALE_RETRIES => {
                Some((tag.unauthorized_retries, tag.stale_retries + 1))
            }
            _ => None,
        };
        if let Some((unauthorized, stale)) = retry {
            self.learn_auth(message)?;
            self.transactions.finish(&id);
            if let Err(e) = self.start(tag.request.clone(), true, unauthorized, stale) {
                self.request_failed(
                    &tag.request,
                    Failure::Server {
                        code: 0,
                        reason: e.to_string(),
                    },
                );
            }
            return Ok(());
        }
        self.transactions.finish(&id);
        let alternate = message.typed_attributes().find_map(|a| match a {
            Ok(crate::wire::Attribute::AlternateServer(addr)) => Some(addr),
            _ => None,
        });
        if tag.request == Request::Allocate
            && code == error_code::TRY_ALTERNATE
            && let Some(alternate) = alternate
        {
            if !self.config.transport.is_stream() && !self.redirected {
                // RFC 8656 §7.3 / RFC 8489 §10: retry the Allocate at the alternate server.
                self.redirected = true;
                self.config.server = alternate;
                self.auth = super::request::Auth::default();
                if let Err(e) = self.start(Request::Allocate, false, 0, 0) {
                    self.request_failed(
                        &tag.request,
                        Failure::Server {
                            code: 0,
                            reason: e.to_string(),
                        },
                    );
                }
                return Ok(());
            }
            self.request_failed(&tag.request, Failure::TryAlternate(alternate));
            return Ok(());
        }
        let failure = if code == error_code::UNAUTHENTICATED && tag.authenticated {
            Failure::Unauthenticated
        } else {
            Failure::Server { code, reason }
        };
        if tag.request == (Request::Refresh { lifetime: Some(0) })
            && code == error_code::ALLOCATION_MISMATCH
        {
            // The allocation is already gone: deallocation achieved.
            self.close_with(TurnEvent::Deallocated);
            return Ok(());
        }
        self.request_failed(&tag.request, failure);
        Ok(())
    }

    /// RFC 8489 §9.2.5: a response to an authenticated request, success or error, is acted on
    /// only if its MESSAGE-INTEGRITY (or MESSAGE-INTEGRITY-SHA256) verifies with the key the
    /// request was sent with. Otherwise it is discarded as if never received: the transaction
    /// stays outstanding and its retransmissions continue. The exceptions: a 401 or 438 carries
    /// the new NONCE (and may be signed with a key we no longer or do not yet know), so it is
    /// not checked; a 300 Try Alternate may come unsigned (RFC 8489 §10), but when it is signed
    /// the signature must hold.
    ///
    /// # Errors
    ///
    /// [`IntegrityError::Missing`](crate::IntegrityError::Missing) or
    /// [`IntegrityError::Mismatch`](crate::IntegrityError::Mismatch) for a response to discard.
    fn authenticate_response(&self, message: &Message<'_>) -> Result<(), Error> {
        let signed = message.has_integrity() || message.has_integrity_sha256();
        if message.class() == Class::Error {
            match message.error_code().map(|e| e.code) {
                Some(error_code::UNAUTHENTICATED | error_code::STALE_NONCE) => return Ok(()),
                Some(error_code::TRY_ALTERNATE) if !signed => return Ok(()),
                _ => {}
            }
        }
        self.verify_response(message)
    }

    /// Whether a 401 carries a nonce different from the one we used (the server rotated it
    /// instead of answering 438), which justifies one more try.
    fn nonce_changed(&self, message: &Message<'_>) -> bool {
        message
            .nonce()
            .is_some_and(|n| self.auth.nonce.as_deref() != Some(n))
    }

    fn on_success(&mut self, now: Instant, message: &Message<'_>, request: &Request) {
        let lifetime = message
            .lifetime()
            .map_or(DEFAULT_LIFETIME, |s| Duration::from_secs(u64::from(s)));
        match request {
            Request::Allocate => match message.xor_relayed_address() {
                Some(relayed) => {
                    self.allocated(relayed, message.xor_mapped_address(), lifetime, now)
                }
                None => self.close_with(TurnEvent::AllocationFailed(Failure::Server {
                    code: error_code::SERVER_ERROR,
                    reason: "success response without XOR-RELAYED-ADDRESS".to_owned(),
                })),
            },
            Request::Refresh { lifetime: Some(0) } => self.close_with(TurnEvent::Deallocated),
            Request::Refresh { .. } => {
                if let State::Allocated { relayed, .. } = self.state {
                    if lifetime.is_zero() {
                        self.close_with(TurnEvent::Deallocated);
                        return;
                    }
                    self.state = State::Allocated {
                        relayed,
                        expires: now + lifetime,
                        refresh_at: super::peers::refresh_time(now, lifetime),
                        refreshing: false,
                    };
                    self.events.push_back(TurnEvent::Refreshed { lifetime });
                }
            }
            Request::CreatePermission { peers } => {
                for &peer in peers {
                    if self.permissions.granted(peer, now) {
                        self.events.push_back(TurnEvent::PermissionCreated { peer });
                    }
                }
            }
            Request::ChannelBind { channel, peer } => {
                // ChannelBind also installs or refreshes the permission (RFC 8656 §11).
                self.permissions.granted(peer.ip(), now);
                if self.channels.bound_now(*peer, now) {
                    self.events.push_back(TurnEvent::ChannelBound {
                        peer: *peer,
                        channel: *channel,
                    });
                }
            }
        }
    }
}
