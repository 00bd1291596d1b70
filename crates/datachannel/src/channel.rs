//! What a data channel is (RFC 8831 §6.4, RFC 8832 §5.1): its stream, label, protocol, priority,
//! ordering and reliability, and where it stands in its life.

use crate::wire::{ChannelType, Reliability};

/// A data channel, named by its SCTP stream (RFC 8831 §6.5: one stream each way, same id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChannelId(pub u16);

/// Which stream ids this side picks (RFC 8832 §6): the DTLS client even ones, the DTLS server
/// odd ones, so that both can open channels at once without a clash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DtlsRole {
    /// The DTLS client: even stream ids.
    Client,
    /// The DTLS server: odd stream ids.
    Server,
}

impl DtlsRole {
    /// Whether `id` is one this side picks.
    pub const fn owns(self, id: u16) -> bool {
        id.is_multiple_of(2) == matches!(self, Self::Client)
    }
}

/// How to open a channel: the options of the browser's `createDataChannel` (RFC 8831 §6.4).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ChannelConfig {
    /// The label (any UTF-8, may be empty).
    pub label: String,
    /// The subprotocol (any UTF-8, may be empty).
    pub protocol: String,
    /// Messages are delivered in the order sent (the default) or as they arrive.
    pub ordered: bool,
    /// Reliable (the default), or abandoned after a number of retransmissions or a lifetime.
    pub reliability: Reliability,
    /// RFC 8831 §6.4 priority: 128 below normal, 256 normal (the default), 512 high, 1024 extra
    /// high.
    pub priority: u16,
    /// Pre-negotiated out of band on this stream id (`negotiated: true, id`): no DCEP, open as
    /// soon as the association is (RFC 8832 §6: both sides must create it).
    pub negotiated: Option<u16>,
}

impl Default for ChannelConfig {
    fn default() -> Self {
        Self {
            label: String::new(),
            protocol: String::new(),
            ordered: true,
            reliability: Reliability::Reliable,
            priority: 256,
            negotiated: None,
        }
    }
}

impl ChannelConfig {
    /// The DCEP channel type of this configuration (RFC 8832 §5.1).
    pub const fn channel_type(&self) -> ChannelType {
        ChannelType {
            unordered: !self.ordered,
            reliability: self.reliability,
        }
    }
}

/// Where a channel stands (the browser's `readyState`, RFC 8831 §6.5–6.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChannelState {
    /// Created; the association is not up yet, or (for a channel the peer opened) not yet
    /// acknowledged.
    Connecting,
    /// Messages flow.
    Open,
    /// Being closed: its outgoing stream is being reset, or the peer reset its own.
    Closing,
}

/// A channel's description and state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelInfo {
    /// How it was opened.
    pub config: ChannelConfig,
    /// Where it stands.
    pub state: ChannelState,
    /// The peer opened it (with DATA_CHANNEL_OPEN).
    pub opened_by_peer: bool,
}

/// What kind of message (RFC 8831 §6.6, the PPIDs of §8): text is UTF-8 as the peer sent it
/// (not checked here, as browsers pass it through).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageKind {
    /// A string (PPID 51, or 56 when empty).
    Text,
    /// Binary (PPID 53, or 57 when empty).
    Binary,
}
