//! Errors of the ICE agent, classified by who is at fault (`Copy`, allocation-free).

/// Why a datagram or a command was refused. A refused datagram changed nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A STUN message that did not parse, or failed its FINGERPRINT.
    #[error("malformed STUN message: {0}")]
    Malformed(sansrtc_stun::ParseError),
    /// A check or response that failed authentication (RFC 8445 §7.3, RFC 8489 §9.1.3):
    /// missing or wrong MESSAGE-INTEGRITY, a USERNAME that is not ours, no FINGERPRINT.
    #[error("unauthenticated STUN message")]
    Unauthenticated,
    /// A STUN response matching no transaction of ours (late, duplicated or forged).
    #[error("response to no transaction of ours")]
    UnknownTransaction,
    /// A STUN message the agent does not handle here (an indication, another method).
    #[error("STUN message not handled by ICE")]
    NotHandled,
    /// Not STUN and not from the remote address of any valid pair: the caller demultiplexes
    /// it (RFC 7983) or drops it.
    #[error("not ICE traffic")]
    NotIce,
    /// Arrived on an address the agent has no candidate for.
    #[error("datagram for an unknown local address")]
    UnknownLocal,
    /// A bound was hit: too many remote candidates, pairs, or queued datagrams.
    #[error("limit reached: {0}")]
    Limit(&'static str),
    /// A call at the wrong time: sending before a pair is selected, a candidate without
    /// remote credentials, an address family with no local candidate.
    #[error("API misuse: {0}")]
    ApiMisuse(&'static str),
    /// The agent is closed or failed.
    #[error("agent closed")]
    Closed,
}
