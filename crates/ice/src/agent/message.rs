//! The STUN messages ICE sends (RFC 8445 §7.2.2, §7.3.1.2), written straight into the
//! caller's buffer; shared by the full and the compact agent.

use sansrtc_stun::IntegrityKey;
use sansrtc_stun::wire::{
    Attribute, Class, ErrorCode, MessageBuilder, Method, TransactionId, error_code,
};
use std::net::SocketAddr;

use crate::event::Role;

/// The NOMINATION attribute of ICE renomination (draft-thatcher-ice-renomination §4, the
/// code point libwebrtc uses): a counter that orders the controlling agent's nominations.
pub(crate) const NOMINATION: u16 = 0xc001;

/// A connectivity or consent check.
pub(crate) struct Check<'a> {
    pub(crate) tid: TransactionId,
    /// `remote ufrag:local ufrag`.
    pub(crate) username: &'a str,
    /// The priority of a peer-reflexive candidate of ours (§7.2.2).
    pub(crate) priority: u32,
    pub(crate) role: Role,
    pub(crate) tie_breaker: u64,
    /// `Some(n)`: USE-CANDIDATE with NOMINATION `n`.
    pub(crate) nomination: Option<u32>,
    /// The peer's password.
    pub(crate) key: &'a IntegrityKey,
}

/// Writes a check into `buf` (cleared first); returns its length.
pub(crate) fn write_check(check: &Check<'_>, buf: &mut Vec<u8>) -> Option<usize> {
    buf.clear();
    let mut b = MessageBuilder::new(buf, Class::Request, Method::BINDING, check.tid);
    b.add(&Attribute::Username(check.username)).ok()?;
    b.add(&Attribute::Priority(check.priority)).ok()?;
    b.add(&match check.role {
        Role::Controlling => Attribute::IceControlling(check.tie_breaker),
        Role::Controlled => Attribute::IceControlled(check.tie_breaker),
    })
    .ok()?;
    if let Some(nomination) = check.nomination {
        b.add(&Attribute::UseCandidate).ok()?;
        // Which of our nominations this is, so a later one wins over an earlier one that
        // arrives late (comprehension-optional).
        b.add_raw(NOMINATION, &nomination.to_be_bytes()).ok()?;
    }
    b.add_message_integrity(check.key).ok()?;
    b.add_fingerprint().ok()?;
    Some(b.finish())
}

/// Writes the answer to a check into `buf`: success with XOR-MAPPED-ADDRESS `to`
/// (§7.3.1.2), or 487 Role Conflict (§7.3.1.1); signed with our password.
pub(crate) fn write_response(
    tid: TransactionId,
    to: SocketAddr,
    role_conflict: bool,
    key: &IntegrityKey,
    buf: &mut Vec<u8>,
) -> Option<usize> {
    buf.clear();
    let class = if role_conflict {
        Class::Error
    } else {
        Class::Success
    };
    let mut b = MessageBuilder::new(buf, class, Method::BINDING, tid);
    if role_conflict {
        b.add(&Attribute::ErrorCode(ErrorCode::new(
            error_code::ROLE_CONFLICT,
        )))
        .ok()?;
    } else {
        b.add(&Attribute::XorMappedAddress(to)).ok()?;
    }
    b.add_message_integrity(key).ok()?;
    b.add_fingerprint().ok()?;
    Some(b.finish())
}

/// Whether a check's USERNAME names us (`our ufrag:their ufrag`, §7.3) and its
/// MESSAGE-INTEGRITY and FINGERPRINT hold.
pub(crate) fn authenticate_check(
    message: &sansrtc_stun::wire::Message<'_>,
    local_ufrag: &str,
    remote_ufrag: Option<&str>,
    local_key: &IntegrityKey,
) -> bool {
    let Some((ours, theirs)) = message.username().and_then(|u| u.split_once(':')) else {
        return false;
    };
    ours == local_ufrag
        && remote_ufrag.is_none_or(|r| r == theirs)
        && message.has_fingerprint()
        && message.verify_integrity(local_key).is_ok()
}
