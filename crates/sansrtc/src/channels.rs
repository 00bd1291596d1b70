//! The application's data channel handles: a [`ChannelId`] exists from `create_data_channel`
//! on, before the DTLS role (which decides the SCTP stream id's parity, RFC 8832 §6) is known;
//! it is bound to a stream once the data channel layer exists.

use std::collections::HashMap;

use sansrtc_datachannel::ChannelConfig;

use crate::stats::ChannelCounters;

/// A data channel of a [`PeerConnection`](crate::PeerConnection).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChannelId(pub u32);

/// One channel as the application knows it.
#[derive(Debug, Clone)]
pub(crate) struct Handle {
    pub(crate) config: ChannelConfig,
    /// The SCTP stream, once bound.
    pub(crate) stream: Option<u16>,
    /// Messages and bytes both ways.
    pub(crate) counters: ChannelCounters,
}

/// Handles and their streams, both ways.
#[derive(Debug, Default)]
pub(crate) struct Handles {
    next: u32,
    handles: HashMap<u32, Handle>,
    by_stream: HashMap<u16, u32>,
}

impl Handles {
    /// A new handle for a channel not yet bound to a stream (or bound to `stream`).
    pub(crate) fn add(&mut self, config: ChannelConfig, stream: Option<u16>) -> ChannelId {
        let id = self.next;
        self.next = self.next.wrapping_add(1);
        self.handles.insert(
            id,
            Handle {
                config,
                stream,
                counters: ChannelCounters::default(),
            },
        );
        if let Some(stream) = stream {
            self.by_stream.insert(stream, id);
        }
        ChannelId(id)
    }

    /// Binds a handle to its stream.
    pub(crate) fn bind(&mut self, id: ChannelId, stream: u16) {
        if let Some(h) = self.handles.get_mut(&id.0) {
            h.stream = Some(stream);
            self.by_stream.insert(stream, id.0);
        }
    }

    /// Unbinds a handle from its stream (the transport under it is gone; it binds again
    /// with the next one).
    pub(crate) fn unbind(&mut self, id: ChannelId) {
        if let Some(stream) = self.handles.get_mut(&id.0).and_then(|h| h.stream.take()) {
            self.by_stream.remove(&stream);
        }
    }

    /// The handle of a stream.
    pub(crate) fn of_stream(&self, stream: u16) -> Option<ChannelId> {
        self.by_stream.get(&stream).map(|&id| ChannelId(id))
    }

    /// The stream of a handle.
    pub(crate) fn stream(&self, id: ChannelId) -> Option<u16> {
        self.handles.get(&id.0).and_then(|h| h.stream)
    }

    /// A handle's description.
    pub(crate) fn get(&self, id: ChannelId) -> Option<&Handle> {
        self.handles.get(&id.0)
    }

    /// A handle's counters.
    pub(crate) fn counters_mut(&mut self, id: ChannelId) -> Option<&mut ChannelCounters> {
        self.handles.get_mut(&id.0).map(|h| &mut h.counters)
    }

    /// Every handle, in creation order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (ChannelId, &Handle)> + '_ {
        let mut ids: Vec<u32> = self.handles.keys().copied().collect();
        ids.sort_unstable();
        ids.into_iter()
            .filter_map(|id| self.handles.get(&id).map(|h| (ChannelId(id), h)))
    }

    /// Handles not yet bound to a stream, oldest first.
    pub(crate) fn unbound(&self) -> Vec<ChannelId> {
        let mut ids: Vec<u32> = self
            .handles
            .iter()
            .filter(|(_, h)| h.stream.is_none())
            .map(|(&id, _)| id)
            .collect();
        ids.sort_unstable();
        ids.into_iter().map(ChannelId).collect()
    }

    /// Forgets a handle (its channel closed).
    pub(crate) fn remove(&mut self, id: ChannelId) {
        if let Some(h) = self.handles.remove(&id.0)
            && let Some(stream) = h.stream
        {
            self.by_stream.remove(&stream);
        }
    }
}
