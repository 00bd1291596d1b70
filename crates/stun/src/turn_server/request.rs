//! Requests: authentication, then Allocate, Refresh, CreatePermission and ChannelBind
//! (RFC 8656 §7–§11), and Binding (RFC 8489 §6.3).

use super::allocation::{Allocation, Channel};
use super::auth::{OFFERED, Refusal, Signer};
use super::event::{AllocationId, FiveTuple, TurnServerEvent};
use super::{RelayMode, TurnServer};
use crate::binding::binding_response;
use crate::error::{EncodeError, Error, ProtocolViolation};
use crate::wire::{
    AddressFamily, Attribute, Class, ErrorCode, Message, MessageBuilder, Method,
    PasswordAlgorithms, TransactionId, UnknownAttributes, attr, error_code,
};
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

/// UDP's IP protocol number (RFC 8656 §18.8).
const UDP: u8 = 17;

/// What a request is answered with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Answer {
    /// An error response, signed when the request authenticated.
    Error(u16),
    /// 420 listing the attributes not understood (RFC 8489 §6.3.1).
    UnknownAttributes(Vec<u16>),
    /// Allocate success (RFC 8656 §7.2).
    Allocated { relay: SocketAddr, lifetime: u32 },
    /// Refresh success (RFC 8656 §8).
    Lifetime(u32),
    /// CreatePermission or ChannelBind success.
    Empty,
    /// No response yet (the relay address is being asked for).
    Deferred,
}

fn seconds(d: Duration) -> u32 {
    u32::try_from(d.as_secs()).unwrap_or(u32::MAX)
}

impl TurnServer {
    /// One STUN message from a client 5-tuple.
    pub(super) fn handle_message(
        &mut self,
        now: Instant,
        tuple: FiveTuple,
        message: &Message<'_>,
    ) -> Result<(), Error> {
        if message.has_fingerprint() {
            message.verify_fingerprint()?;
        }
        match (message.class(), message.method()) {
            (Class::Request, Method::BINDING) => self.binding(tuple, message),
            (Class::Request, _) => self.request(now, tuple, message),
            (Class::Indication, Method::SEND) => self.send_indication(now, tuple, message),
            // A keep-alive (RFC 8489 §3): nothing to do.
            (Class::Indication, Method::BINDING) => Ok(()),
            _ => Err(ProtocolViolation::Unexpected.into()),
        }
    }

    fn binding(&mut self, tuple: FiveTuple, message: &Message<'_>) -> Result<(), Error> {
        let software = self.config.software.as_deref();
        let queued = self
            .outbox
            .push(tuple.proto, tuple.server, tuple.client, |buf| {
                binding_response(message, tuple.client, software, buf)
                    .map(|_| ())
                    .ok_or(())
            });
        if !queued {
            self.stats.dropped_queue_full += 1;
            return Err(Error::Limit("transmit queue full"));
        }
        self.stats.binding_requests += 1;
        Ok(())
    }

    fn request(
        &mut self,
        now: Instant,
        tuple: FiveTuple,
        message: &Message<'_>,
    ) -> Result<(), Error> {
        if self.outbox.is_full() {
            self.stats.dropped_queue_full += 1;
            return Err(Error::Limit("transmit queue full"));
        }
        let id = message.transaction_id();
        let method = message.method();
        if let Some(cached) = self.cache.get(tuple, id, now) {
            let _ = self
                .outbox
                .push(tuple.proto, tuple.server, tuple.client, |buf| {
                    buf.extend_from_slice(cached);
                    Ok::<(), ()>(())
                });
            self.stats.cached_answers += 1;
            self.stats.requests += 1;
            return Ok(());
        }
        if !matches!(
            method,
            Method::ALLOCATE | Method::REFRESH | Method::CREATE_PERMISSION | Method::CHANNEL_BIND
        ) {
            self.answer(
                now,
                tuple,
                method,
                id,
                None,
                &Answer::Error(error_code::BAD_REQUEST),
            );
            return Ok(());
        }
        let signer = match self.auth.check(message, now, tuple.client) {
            Ok(signer) => signer,
            Err(refusal) => {
                self.refuse(now, tuple, message, refusal);
                return Ok(());
            }
        };
        let unknown: Vec<u16> = message.unknown_comprehension_required().collect();
        let answer = if unknown.is_empty() {
            match method {
                Method::ALLOCATE => self.allocate(now, tuple, message, signer),
                _ => match self.allocation_of(tuple, signer) {
                    Err(code) => Answer::Error(code),
                    Ok(allocation) => match method {
                        Method::REFRESH => self.refresh(now, allocation, message),
                        Method::CREATE_PERMISSION => self.permission(now, allocation, message),
                        _ => self.channel_bind(now, allocation, message),
                    },
                },
            }
        } else {
            Answer::UnknownAttributes(unknown)
        };
        self.answer(now, tuple, method, id, Some(signer), &answer);
        Ok(())
    }

    /// A 401, 438 or 400 for a request that did not authenticate: REALM and a fresh NONCE
    /// (with PASSWORD-ALGORITHMS when offered), unsigned, and no state (RFC 8489 §9.2.4).
    fn refuse(&mut self, now: Instant, tuple: FiveTuple, message: &Message<'_>, refusal: Refusal) {
        match refusal {
            Refusal::Unauthenticated => self.stats.unauthenticated += 1,
            Refusal::StaleNonce => self.stats.stale_nonces += 1,
            Refusal::BadRequest => {}
        }
        self.stats.requests += 1;
        let nonce = self.auth.nonce(now, tuple.client);
        let nonce = std::str::from_utf8(&nonce).unwrap_or_default();
        let realm = self.auth.realm.as_str();
        let offer = self.auth.offers_sha256();
        let software = self.config.software.as_deref();
        let id = message.transaction_id();
        let method = message.method();
        let queued = self
            .outbox
            .push(tuple.proto, tuple.server, tuple.client, |buf| {
                let mut b = MessageBuilder::new(buf, Class::Error, method, id);
                b.add(&Attribute::ErrorCode(ErrorCode::new(refusal.code())))?;
                if refusal != Refusal::BadRequest {
                    b.add(&Attribute::Realm(realm))?;
                    b.add(&Attribute::Nonce(nonce))?;
                    if offer {
                        b.add(&Attribute::PasswordAlgorithms(PasswordAlgorithms::List(
                            &OFFERED,
                        )))?;
                    }
                }
                if let Some(software) = software {
                    b.add(&Attribute::Software(software))?;
                }
                b.add_fingerprint()?;
                Ok::<(), EncodeError>(())
            });
        if !queued {
            self.stats.dropped_queue_full += 1;
        }
    }

    /// Writes and queues a response; responses to authenticated requests are signed with the
    /// request's key and algorithm and cached for retransmissions.
    pub(super) fn answer(
        &mut self,
        now: Instant,
        tuple: FiveTuple,
        method: Method,
        id: TransactionId,
        signer: Option<Signer>,
        answer: &Answer,
    ) {
        if *answer == Answer::Deferred {
            return;
        }
        self.stats.requests += 1;
        let mut buf = std::mem::take(&mut self.scratch);
        buf.clear();
        let written = self.write_answer(&mut buf, tuple, method, id, signer, answer);
        if written.is_ok() {
            if signer.is_some() {
                let expires = now + self.config.response_cache_lifetime;
                self.cache.insert(tuple, id, &buf, now, expires);
            }
            let queued = self
                .outbox
                .push(tuple.proto, tuple.server, tuple.client, |out| {
                    out.extend_from_slice(&buf);
                    Ok::<(), ()>(())
                });
            if !queued {
                self.stats.dropped_queue_full += 1;
            }
        }
        self.scratch = buf;
    }

    fn write_answer(
        &self,
        buf: &mut Vec<u8>,
        tuple: FiveTuple,
        method: Method,
        id: TransactionId,
        signer: Option<Signer>,
        answer: &Answer,
    ) -> Result<(), EncodeError> {
        let class = match answer {
            Answer::Error(_) | Answer::UnknownAttributes(_) => Class::Error,
            _ => Class::Success,
        };
        let mut b = MessageBuilder::new(buf, class, method, id);
        match answer {
            Answer::Error(code) => {
                b.add(&Attribute::ErrorCode(ErrorCode::new(*code)))?;
            }
            Answer::UnknownAttributes(list) => {
                b.add(&Attribute::ErrorCode(ErrorCode::new(
                    error_code::UNKNOWN_ATTRIBUTE,
                )))?;
                b.add(&Attribute::UnknownAttributes(UnknownAttributes::List(list)))?;
            }
            Answer::Allocated { relay, lifetime } => {
                b.add(&Attribute::XorRelayedAddress(*relay))?;
                b.add(&Attribute::Lifetime(*lifetime))?;
                b.add(&Attribute::XorMappedAddress(tuple.client))?;
            }
            Answer::Lifetime(lifetime) => {
                b.add(&Attribute::Lifetime(*lifetime))?;
            }
            Answer::Empty | Answer::Deferred => {}
        }
        if let Some(software) = &self.config.software {
            b.add(&Attribute::Software(software))?;
        }
        if let Some(signer) = signer
            && let Some(key) = self.auth.key(signer)
        {
            if signer.sha256_mac {
                b.add_message_integrity_sha256(key)?;
            } else {
                b.add_message_integrity(key)?;
            }
        }
        b.add_fingerprint()?;
        Ok(())
    }

    /// The allocation a non-Allocate request works on: 437 without one, 441 when another user
    /// made it (RFC 8656 §5, §7).
    fn allocation_of(&self, tuple: FiveTuple, signer: Signer) -> Result<AllocationId, u16> {
        let id = self
            .allocations
            .by_tuple(&tuple)
            .ok_or(error_code::ALLOCATION_MISMATCH)?;
        let a = self
            .allocations
            .get(id)
            .filter(|a| a.relay.is_some())
            .ok_or(error_code::ALLOCATION_MISMATCH)?;
        if a.signer.user != signer.user {
            return Err(error_code::WRONG_CREDENTIALS);
        }
        Ok(id)
    }

    /// The "desired lifetime" of RFC 8656 §7.2 and §8: the request's LIFETIME capped at the
    /// maximum, and never below the default.
    fn desired_lifetime(&self, requested: Option<u32>) -> Duration {
        let default = self.config.default_lifetime;
        let max = self.config.max_lifetime.max(default);
        requested
            .map_or(default, |s| Duration::from_secs(u64::from(s)))
            .clamp(default, max)
    }

    /// Allocate (RFC 8656 §7.2).
    fn allocate(
        &mut self,
        now: Instant,
        tuple: FiveTuple,
        message: &Message<'_>,
        signer: Signer,
    ) -> Answer {
        if let Some(id) = self.allocations.by_tuple(&tuple) {
            let pending_same = self
                .allocations
                .get(id)
                .is_some_and(|a| a.relay.is_none() && a.request == message.transaction_id());
            return if pending_same {
                Answer::Deferred
            } else {
                Answer::Error(error_code::ALLOCATION_MISMATCH)
            };
        }
        match message.get(attr::REQUESTED_TRANSPORT) {
            Some(Ok(Attribute::RequestedTransport(UDP))) => {}
            Some(Ok(_)) => return Answer::Error(error_code::UNSUPPORTED_TRANSPORT_PROTOCOL),
            _ => return Answer::Error(error_code::BAD_REQUEST),
        }
        if message.raw(attr::DONT_FRAGMENT).is_some() {
            // RFC 8656 §7.2: a server that cannot set DF treats DONT-FRAGMENT as unknown.
            return Answer::UnknownAttributes(vec![attr::DONT_FRAGMENT]);
        }
        if message.raw(attr::RESERVATION_TOKEN).is_some() {
            // No reservations are ever made, so no token is valid (RFC 8656 §7.2 step 5).
            return Answer::Error(error_code::INSUFFICIENT_CAPACITY);
        }
        if message.raw(attr::ADDITIONAL_ADDRESS_FAMILY).is_some() {
            return Answer::Error(error_code::ADDRESS_FAMILY_NOT_SUPPORTED);
        }
        let family = match message.get(attr::REQUESTED_ADDRESS_FAMILY) {
            None => AddressFamily::V4,
            Some(Ok(Attribute::RequestedAddressFamily(f))) => f,
            Some(_) => return Answer::Error(error_code::BAD_REQUEST),
        };
        let limits = self.config.limits;
        if self.allocations.len() >= limits.max_allocations {
            self.stats.quota_refusals += 1;
            return Answer::Error(error_code::INSUFFICIENT_CAPACITY);
        }
        if self.allocations.user_count(signer.user) >= limits.max_allocations_per_user {
            self.stats.quota_refusals += 1;
            return Answer::Error(error_code::ALLOCATION_QUOTA_REACHED);
        }
        let lifetime = self.desired_lifetime(message.lifetime());
        let id = message.transaction_id();
        match &self.config.relay {
            RelayMode::Pool(pool) => {
                let Some(i) = self
                    .free_relays
                    .iter()
                    .rposition(|r| AddressFamily::of(r) == family)
                else {
                    let served = pool.iter().any(|r| AddressFamily::of(r) == family);
                    self.stats.quota_refusals += u64::from(served);
                    return Answer::Error(if served {
                        error_code::INSUFFICIENT_CAPACITY
                    } else {
                        error_code::ADDRESS_FAMILY_NOT_SUPPORTED
                    });
                };
                let relay = self.free_relays.swap_remove(i);
                let allocation =
                    Allocation::new(tuple, family, signer, id, lifetime, now + lifetime);
                let allocation_id = self.allocations.insert(allocation);
                self.allocations.set_relay(allocation_id, relay);
                self.created(allocation_id);
                Answer::Allocated {
                    relay,
                    lifetime: seconds(lifetime),
                }
            }
            RelayMode::Ask => {
                let deadline = now + self.config.relay_request_timeout;
                let allocation = Allocation::new(tuple, family, signer, id, lifetime, deadline);
                let allocation_id = self.allocations.insert(allocation);
                self.events
                    .push(TurnServerEvent::RelayRequested(super::RelayRequest {
                        allocation: allocation_id,
                        family,
                        five_tuple: tuple,
                    }));
                Answer::Deferred
            }
        }
    }

    /// Reports a new allocation.
    fn created(&mut self, id: AllocationId) {
        let Some(a) = self.allocations.get(id) else {
            return;
        };
        let Some(relay) = a.relay else {
            return;
        };
        let username = self
            .auth
            .user(a.signer.user)
            .map(|u| u.name.clone())
            .unwrap_or_default();
        self.stats.allocations_created += 1;
        self.events.push(TurnServerEvent::AllocationCreated {
            allocation: id,
            five_tuple: a.five_tuple,
            relay,
            username,
            lifetime: a.lifetime,
        });
    }

    /// A pending allocation got its relay address: start its lifetime and answer the client.
    pub(super) fn activate(&mut self, now: Instant, id: AllocationId) {
        let Some((tuple, tid, signer, relay, lifetime)) = self.allocations.update(id, |a| {
            a.expires = now + a.lifetime;
            (a.five_tuple, a.request, a.signer, a.relay, a.lifetime)
        }) else {
            return;
        };
        let Some(relay) = relay else {
            return;
        };
        self.created(id);
        let answer = Answer::Allocated {
            relay,
            lifetime: seconds(lifetime),
        };
        self.answer(now, tuple, Method::ALLOCATE, tid, Some(signer), &answer);
    }

    /// Refresh (RFC 8656 §8).
    fn refresh(&mut self, now: Instant, id: AllocationId, message: &Message<'_>) -> Answer {
        if message.lifetime() == Some(0) {
            self.delete(id, super::DeleteReason::Deleted);
            return Answer::Lifetime(0);
        }
        let lifetime = self.desired_lifetime(message.lifetime());
        self.allocations.update(id, |a| {
            a.expires = now + lifetime;
            a.lifetime = lifetime;
        });
        self.events.push(TurnServerEvent::AllocationRefreshed {
            allocation: id,
            lifetime,
        });
        Answer::Lifetime(seconds(lifetime))
    }

    /// The relay's family, for the peer-family check (443, RFC 8656 §9.1, §11.2).
    fn relay_family(&self, id: AllocationId) -> AddressFamily {
        self.allocations
            .get(id)
            .map_or(AddressFamily::V4, |a| a.family)
    }

    /// CreatePermission (RFC 8656 §9.2): every XOR-PEER-ADDRESS, all or nothing.
    fn permission(&mut self, now: Instant, id: AllocationId, message: &Message<'_>) -> Answer {
        let family = self.relay_family(id);
        let tid = message.transaction_id();
        let mut peers: Vec<IpAddr> = Vec::new();
        let raws = message
            .effective_attributes()
            .filter(|r| r.attribute_type == attr::XOR_PEER_ADDRESS);
        for raw in raws {
            let Ok(Attribute::XorPeerAddress(peer)) = Attribute::parse(raw, &tid) else {
                return Answer::Error(error_code::BAD_REQUEST);
            };
            if AddressFamily::of(&peer) != family {
                return Answer::Error(error_code::PEER_ADDRESS_FAMILY_MISMATCH);
            }
            if !peers.contains(&peer.ip()) {
                peers.push(peer.ip());
            }
        }
        if peers.is_empty() {
            return Answer::Error(error_code::BAD_REQUEST);
        }
        let max = self.config.limits.max_permissions_per_allocation;
        let expires = now + self.config.permission_lifetime;
        let fits = self.allocations.get(id).is_some_and(|a| {
            let new = peers
                .iter()
                .filter(|ip| !a.permissions.iter().any(|p| p.ip == **ip))
                .count();
            a.permissions.len() + new <= max
        });
        if !fits {
            return Answer::Error(error_code::INSUFFICIENT_CAPACITY);
        }
        self.allocations.update(id, |a| {
            for ip in &peers {
                a.permit(*ip, expires, max);
            }
        });
        Answer::Empty
    }

    /// Whether a channel number may be bound: 0x4000–0x4FFF (RFC 8656 §12), or 0x4000–0x7FFF
    /// with [`legacy_channel_numbers`](super::TurnServerConfig::legacy_channel_numbers).
    pub(super) const fn channel_in_range(&self, n: u16) -> bool {
        let max = if self.config.legacy_channel_numbers {
            0x7fff
        } else {
            0x4fff
        };
        n >= 0x4000 && n <= max
    }

    /// ChannelBind (RFC 8656 §11.2).
    fn channel_bind(&mut self, now: Instant, id: AllocationId, message: &Message<'_>) -> Answer {
        let number = match message.get(attr::CHANNEL_NUMBER) {
            Some(Ok(Attribute::ChannelNumber(n))) => Some(n).filter(|n| self.channel_in_range(*n)),
            _ => None,
        };
        let (Some(number), Some(peer)) = (number, message.xor_peer_address()) else {
            return Answer::Error(error_code::BAD_REQUEST);
        };
        if AddressFamily::of(&peer) != self.relay_family(id) {
            return Answer::Error(error_code::PEER_ADDRESS_FAMILY_MISMATCH);
        }
        let limits = self.config.limits;
        let Some(a) = self.allocations.get(id) else {
            return Answer::Error(error_code::ALLOCATION_MISMATCH);
        };
        // §11.2: the number must not be bound to another peer, nor the peer to another number
        // (reservations after expiry included).
        let conflict = a
            .channels
            .iter()
            .any(|c| (c.number == number) != (c.peer == peer));
        if conflict {
            return Answer::Error(error_code::BAD_REQUEST);
        }
        let new_channel = !a.channels.iter().any(|c| c.number == number);
        let new_permission = !a.permissions.iter().any(|p| p.ip == peer.ip());
        if (new_channel && a.channels.len() >= limits.max_channels_per_allocation)
            || (new_permission && a.permissions.len() >= limits.max_permissions_per_allocation)
        {
            return Answer::Error(error_code::INSUFFICIENT_CAPACITY);
        }
        let expires = now + self.config.channel_lifetime;
        let reserved = expires + self.config.channel_cooldown;
        let permission_expires = now + self.config.permission_lifetime;
        self.allocations.update(id, |a| {
            match a.channels.iter_mut().find(|c| c.number == number) {
                Some(c) => {
                    c.expires = expires;
                    c.reserved = reserved;
                }
                None => a.channels.push(Channel {
                    number,
                    peer,
                    expires,
                    reserved,
                }),
            }
            a.permit(peer.ip(), permission_expires, usize::MAX);
        });
        self.events.push(TurnServerEvent::ChannelBound {
            allocation: id,
            channel: number,
            peer,
        });
        Answer::Empty
    }
}
