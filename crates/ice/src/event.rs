//! What the agent tells the application (RFC 8445 states, RFC 8838 trickle events).

use crate::candidate::Candidate;

/// The agent's connection state, as `RTCIceConnectionState` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnectionState {
    /// No checks yet.
    New,
    /// Checks are running and no pair is selected.
    Checking,
    /// A pair is selected and consent holds.
    Connected,
    /// A pair is selected, nomination is done and no more checks run.
    Completed,
    /// Consent responses have stopped for a while (RFC 7675 §5.1); it may come back.
    Disconnected,
    /// No pair works (every check failed after the end of candidates), or consent expired
    /// (RFC 7675 §5.1: 30 s without a response).
    Failed,
    /// Closed by the application.
    Closed,
}

/// The agent's role (RFC 8445 §6.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Nominates the pair.
    Controlling,
    /// Follows the controlling agent's nomination.
    Controlled,
}

/// An event for the application.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// A local candidate to signal to the peer (trickle ICE, RFC 8838 §4).
    CandidateGathered(Candidate),
    /// Every local candidate has been gathered: signal end-of-candidates (RFC 8838 §4.1).
    GatheringComplete,
    /// The connection state changed.
    ConnectionState(ConnectionState),
    /// A (new) pair carries the data: send from `local.base` to `remote.address`.
    SelectedPair {
        /// Our candidate.
        local: Candidate,
        /// The peer's candidate.
        remote: Candidate,
    },
    /// A role conflict made the agent change role (RFC 8445 §7.3.1.1, §7.2.5.1).
    RoleChanged(Role),
    /// Application data from a valid pair, copied (only through the `SansIo` trait's
    /// `handle_receive`; [`crate::Agent::handle_datagram`] borrows it instead).
    Data(Vec<u8>),
    /// A remote candidate named by an mDNS `.local` hostname: resolve it and call
    /// [`crate::Agent::resolved_mdns`] (RFC 8445 §5.1.1 via draft-ietf-mmusic-mdns-ice).
    ResolveMdns(String),
}
