//! Data channel wire formats: DCEP messages (RFC 8832 §5) and the payload protocol
//! identifiers of data channel messages (RFC 8831 §8).

pub mod dcep;

pub use dcep::{ChannelType, Message, OpenRepr, Ppid, Reliability};
