//! The data paths (RFC 8656 §10, §12): Send indications and ChannelData from clients to
//! peers, and datagrams from peers to clients as Data indications or ChannelData. Nothing here
//! allocates once the transmit queue's buffers are warm.

use super::TurnServer;
use super::event::{AllocationId, FiveTuple};
use crate::error::{EncodeError, Error, ProtocolViolation};
use crate::wire::{
    AddressFamily, Attribute, CHANNEL_DATA_HEADER_LEN, Class, Message, MessageBuilder, Method,
    TransactionId, attr,
};
use crate::{ParseError, ParseErrorKind};
use sansrtc_proto::Protocol;
use std::net::SocketAddr;
use std::time::Instant;

impl TurnServer {
    /// Queues `data` from the relay address to a peer.
    fn relay_to_peer(
        &mut self,
        relay: SocketAddr,
        peer: SocketAddr,
        data: &[u8],
    ) -> Result<(), Error> {
        let queued = self.outbox.push(Protocol::Udp, relay, peer, |buf| {
            buf.extend_from_slice(data);
            Ok::<(), ()>(())
        });
        if !queued {
            self.stats.dropped_queue_full += 1;
            return Err(Error::Limit("transmit queue full"));
        }
        self.stats.relayed_to_peers += 1;
        Ok(())
    }

    /// The relay address of the allocation on a client 5-tuple.
    fn relay_of(&self, tuple: &FiveTuple) -> Result<(AllocationId, SocketAddr), Error> {
        let id = self
            .allocations
            .by_tuple(tuple)
            .ok_or(ProtocolViolation::Unexpected)?;
        let relay = self
            .allocations
            .get(id)
            .and_then(|a| a.relay)
            .ok_or(ProtocolViolation::Unexpected)?;
        Ok((id, relay))
    }

    /// A Send indication (RFC 8656 §10.2): relayed to a permitted peer, otherwise dropped.
    pub(super) fn send_indication(
        &mut self,
        now: Instant,
        tuple: FiveTuple,
        message: &Message<'_>,
    ) -> Result<(), Error> {
        let (id, relay) = self.relay_of(&tuple)?;
        let peer = message
            .xor_peer_address()
            .ok_or(ProtocolViolation::MissingAttribute(attr::XOR_PEER_ADDRESS))?;
        let data = message
            .data()
            .ok_or(ProtocolViolation::MissingAttribute(attr::DATA))?;
        let permitted = AddressFamily::of(&peer) == AddressFamily::of(&relay)
            && self
                .allocations
                .get(id)
                .is_some_and(|a| a.permits(peer.ip(), now));
        if !permitted {
            self.stats.dropped_no_permission += 1;
            return Err(ProtocolViolation::NoPermission.into());
        }
        self.relay_to_peer(relay, peer, data)
    }

    /// ChannelData from a client (RFC 8656 §12.6): relayed on a bound channel whose peer has a
    /// permission, otherwise dropped.
    pub(super) fn channel_data_from_client(
        &mut self,
        now: Instant,
        tuple: FiveTuple,
        channel: u16,
        data: &[u8],
    ) -> Result<(), Error> {
        let (id, relay) = self.relay_of(&tuple)?;
        let Some(a) = self.allocations.get(id) else {
            return Err(ProtocolViolation::UnboundChannel.into());
        };
        let Some(peer) = a.channel_peer(channel, now) else {
            self.stats.dropped_unbound_channel += 1;
            return Err(ProtocolViolation::UnboundChannel.into());
        };
        if !a.permits(peer.ip(), now) {
            self.stats.dropped_no_permission += 1;
            return Err(ProtocolViolation::NoPermission.into());
        }
        self.relay_to_peer(relay, peer, data)
    }

    /// A datagram from a peer to a relay address (RFC 8656 §10.3, §12.7): to the client as
    /// ChannelData when a channel is bound to the peer, else as a Data indication; dropped
    /// without a permission for the peer's IP.
    pub(super) fn peer_datagram(
        &mut self,
        now: Instant,
        id: AllocationId,
        peer: SocketAddr,
        data: &[u8],
    ) -> Result<(), Error> {
        let Some(a) = self.allocations.get(id) else {
            return Err(ProtocolViolation::WrongSource.into());
        };
        if !a.permits(peer.ip(), now) {
            self.stats.dropped_no_permission += 1;
            return Err(ProtocolViolation::NoPermission.into());
        }
        let tuple = a.five_tuple;
        let stream = tuple.proto != Protocol::Udp;
        let channel = a.channel_to(peer, now);
        let tid = match channel {
            Some(_) => TransactionId([0; 12]),
            None => TransactionId::random(&mut self.rng),
        };
        let queued = self
            .outbox
            .push(tuple.proto, tuple.server, tuple.client, |buf| {
                if let Some(channel) = channel {
                    write_frame(buf, channel, data, stream)?;
                } else {
                    let mut b = MessageBuilder::new(buf, Class::Indication, Method::DATA, tid);
                    b.add(&Attribute::XorPeerAddress(peer))?;
                    b.add(&Attribute::Data(data))?;
                }
                Ok::<(), EncodeError>(())
            });
        if !queued {
            self.stats.dropped_queue_full += 1;
            return Err(Error::Limit("transmit queue full or datagram too large"));
        }
        self.stats.relayed_to_clients += 1;
        Ok(())
    }
}

/// Appends a ChannelData frame (RFC 8656 §12.4), padded to 4 bytes over streams (§12.5).
/// Written here rather than with [`crate::wire::write_channel_data`] so that the RFC 5766
/// channel numbers of [`legacy_channel_numbers`](super::TurnServerConfig::legacy_channel_numbers)
/// can be sent too.
fn write_frame(buf: &mut Vec<u8>, channel: u16, data: &[u8], pad: bool) -> Result<(), EncodeError> {
    let len = u16::try_from(data.len()).map_err(|_| EncodeError::ValueTooLong)?;
    buf.extend_from_slice(&channel.to_be_bytes());
    buf.extend_from_slice(&len.to_be_bytes());
    buf.extend_from_slice(data);
    if pad {
        buf.resize(buf.len() + (4 - data.len() % 4) % 4, 0);
    }
    Ok(())
}

/// Parses a ChannelData datagram (RFC 8656 §12.4, §12.5: up to 3 bytes of padding over UDP)
/// with any channel number in 0x4000–0x7FFF; the caller checks the range it accepts.
pub(super) fn parse_frame(datagram: &[u8]) -> Result<(u16, &[u8]), ParseError> {
    let header = datagram
        .get(..CHANNEL_DATA_HEADER_LEN)
        .ok_or_else(|| ParseError::new(ParseErrorKind::Truncated, datagram.len()))?;
    let channel = u16::from_be_bytes([header[0], header[1]]);
    if !(0x4000..=0x7fff).contains(&channel) {
        return Err(ParseError::new(ParseErrorKind::BadChannelNumber, 0));
    }
    let len = usize::from(u16::from_be_bytes([header[2], header[3]]));
    let end = CHANNEL_DATA_HEADER_LEN + len;
    let data = datagram
        .get(CHANNEL_DATA_HEADER_LEN..end)
        .ok_or_else(|| ParseError::new(ParseErrorKind::Truncated, datagram.len()))?;
    if datagram.len() > end + 3 {
        return Err(ParseError::new(ParseErrorKind::BadMessageLength, 2));
    }
    Ok((channel, data))
}
