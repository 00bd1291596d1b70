//! What the TURN client reports.

use crate::error::Error;
use crate::wire::ChannelNumber;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

/// Why a TURN request failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Failure {
    /// The server answered with an error response (RFC 8656 §19 codes).
    Server {
        /// ERROR-CODE.
        code: u16,
        /// Its reason phrase.
        reason: String,
    },
    /// 401 again after sending credentials: wrong username or password.
    Unauthenticated,
    /// No response within the transaction timeout.
    TimedOut,
    /// 300 Try Alternate over a stream transport: open a connection to this server instead.
    TryAlternate(SocketAddr),
}

/// Events of a [`TurnClient`](super::TurnClient).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TurnEvent {
    /// The allocation exists.
    Allocated {
        /// XOR-RELAYED-ADDRESS: where peers send to reach us.
        relayed: SocketAddr,
        /// XOR-MAPPED-ADDRESS: our server-reflexive address, if the server said.
        mapped: Option<SocketAddr>,
        /// Granted lifetime.
        lifetime: Duration,
    },
    /// Allocate failed; the client is closed.
    AllocationFailed(Failure),
    /// A Refresh succeeded.
    Refreshed {
        /// Granted lifetime.
        lifetime: Duration,
    },
    /// A Refresh failed; the allocation lives until its last granted lifetime ends.
    RefreshFailed(Failure),
    /// A permission for this peer IP is installed (or refreshed for the first time).
    PermissionCreated {
        /// The peer's IP address.
        peer: IpAddr,
    },
    /// CreatePermission failed for these peers.
    PermissionFailed {
        /// The peer's IP address.
        peer: IpAddr,
        /// Why.
        failure: Failure,
    },
    /// A channel is bound to a peer: data to and from it now uses ChannelData.
    ChannelBound {
        /// The peer.
        peer: SocketAddr,
        /// Its channel.
        channel: ChannelNumber,
    },
    /// ChannelBind failed.
    ChannelBindFailed {
        /// The peer.
        peer: SocketAddr,
        /// Why.
        failure: Failure,
    },
    /// A peer sent us data through the relay.
    Data {
        /// The peer.
        peer: SocketAddr,
        /// The payload.
        data: Vec<u8>,
        /// The channel it came on (ChannelData), or `None` for a Data indication.
        channel: Option<ChannelNumber>,
    },
    /// The allocation is gone: deleted by Deallocate, or expired.
    Deallocated,
    /// A fatal failure (TLS error, lost stream framing); the client is closed.
    Closed(Error),
}
