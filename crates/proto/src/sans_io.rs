//! The calling contract every sansrtc state machine follows.

use crate::{Receive, Transmit};
use std::time::Instant;

/// The Sans-IO calling contract shared by every sansrtc state machine.
///
/// Each machine (ICE agent, DTLS endpoint, SCTP association, TURN client, `PeerConnection`) has
/// these methods as inherent methods too; this trait lets generic drivers such as
/// `sansrtc-netsim` step any of them.
///
/// # Rules
///
/// 1. **Time is a parameter.** Instants passed in must be non-decreasing; a machine clamps a
///    smaller `now` to the last one it saw (see [`crate::time::MonotonicClock`]) and never trusts
///    it.
/// 2. **Drain after every input.** After any `handle_*` call or command, call
///    [`poll_transmit`](Self::poll_transmit) until `None`, then [`poll_event`](Self::poll_event)
///    until `None`, and read [`poll_timeout`](Self::poll_timeout) last, because sending can move
///    timers.
/// 3. **Rejections are returned, failures are events.** [`handle_receive`](Self::handle_receive)
///    returns `Err` when *this datagram* was rejected (malformed, failed authentication, not for
///    this machine); the machine's state is unchanged and the caller may count it. A fatal
///    failure of the machine itself is reported once through `poll_event` and is sticky.
/// 4. **Timers are idempotent.** Calling [`handle_timeout`](Self::handle_timeout) early, or twice
///    for the same instant, is harmless.
pub trait SansIo {
    /// What the application learns from this machine (connected, data, closed, ...).
    type Event;
    /// Why a single datagram was rejected.
    type Error;

    /// Feeds one received datagram. `Err` means this datagram was rejected and nothing changed.
    fn handle_receive(&mut self, now: Instant, receive: Receive<'_>) -> Result<(), Self::Error>;

    /// Writes the next datagram to send into `buf` (cleared first, capacity reused) and describes
    /// it, or returns `None` when there is nothing to send.
    fn poll_transmit(&mut self, now: Instant, buf: &mut Vec<u8>) -> Option<Transmit>;

    /// Returns the next application-facing event, if any.
    fn poll_event(&mut self) -> Option<Self::Event>;

    /// The earliest instant at which [`handle_timeout`](Self::handle_timeout) must be called, or
    /// `None` when no timer is armed.
    fn poll_timeout(&self) -> Option<Instant>;

    /// Fires every timer that expired at or before `now`.
    fn handle_timeout(&mut self, now: Instant);
}
