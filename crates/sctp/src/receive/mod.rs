//! The receive side of an association, as building blocks the association composes
//! (RFC 9260 §6.2, §6.5–6.9; RFC 8260 §2): which TSNs arrived and what the next SACK says
//! ([`tracker`]), and user messages put back together and delivered in order
//! ([`reassembly`]).

mod pieces;
mod pool;
pub mod reassembly;
pub mod tracker;

pub use reassembly::{Fragment, Message, Reassembly, Refused};
pub use tracker::{DataTracker, Observation};
