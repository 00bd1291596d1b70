//! The send side of an association, as building blocks the association composes
//! (RFC 9260 §6.1–6.3, §6.9, §7; RFC 3758; RFC 8260): messages queued per stream and cut into
//! fragments ([`queue`]), chunks in flight and what SACKs and timers do to them
//! ([`outstanding`]), and the congestion window and retransmission timeout ([`congestion`]).

pub mod congestion;
pub mod outstanding;
pub mod queue;

pub use congestion::{Congestion, Rto, RtoConfig};
pub use outstanding::{Acked, Outstanding, Sent};
pub use queue::{Outgoing, SendQueue};
