//! Client TCP and TLS connections (RFC 8656 §3.1, §12.5): the caller terminates TLS and feeds
//! the plaintext byte stream, which is split into STUN messages and ChannelData frames.
//!
//! A connection holds decoder state only while a frame is incomplete or an allocation lives on
//! it, and never more than [`Limits::max_tcp_buffered`](super::Limits::max_tcp_buffered) bytes:
//! whole frames are handled straight from the caller's bytes, and only the incomplete tail is
//! copied. The framing knows the RFC 5766 channel numbers too (first byte 0x40–0x7F), for
//! [`legacy_channel_numbers`](super::TurnServerConfig::legacy_channel_numbers).

use super::TurnServer;
use super::event::{DeleteReason, FiveTuple, TurnServerEvent};
use crate::error::Error;
use crate::wire::{HEADER_LEN, Message};
use crate::{ParseError, ParseErrorKind};
use std::time::Instant;

/// The incomplete tail of a connection's byte stream.
#[derive(Debug, Default)]
pub(crate) struct Framer {
    buf: Vec<u8>,
}

/// What one complete frame is.
enum Kind {
    Stun,
    ChannelData,
}

/// The length of the frame at the start of `bytes`, once its header is there.
fn frame_len(bytes: &[u8]) -> Result<Option<(Kind, usize)>, ParseError> {
    let Some(&first) = bytes.first() else {
        return Ok(None);
    };
    let Some(header) = bytes.get(..4) else {
        return Ok(None);
    };
    let len = usize::from(u16::from_be_bytes([header[2], header[3]]));
    match first {
        0x00..=0x3f => Ok(Some((Kind::Stun, HEADER_LEN + len))),
        0x40..=0x7f => Ok(Some((Kind::ChannelData, 4 + ((len + 3) & !3)))),
        _ => Err(ParseError::new(ParseErrorKind::NotStun, 0)),
    }
}

impl TurnServer {
    /// Forgets a connection, deletes its allocation and asks the caller to close it.
    fn close_connection(&mut self, tuple: FiveTuple) {
        self.tcp.remove(&(tuple.client, tuple.server));
        if let Some(id) = self.allocations.by_tuple(&tuple) {
            self.delete(id, DeleteReason::ConnectionClosed);
        }
        self.events.push(TurnServerEvent::CloseConnection {
            client: tuple.client,
            server: tuple.server,
        });
    }

    /// One complete frame from a stream.
    fn stream_frame(
        &mut self,
        now: Instant,
        tuple: FiveTuple,
        kind: &Kind,
        frame: &[u8],
    ) -> Result<(), Error> {
        match kind {
            Kind::Stun => {
                let message = Message::parse(frame)?;
                self.handle_message(now, tuple, &message)
            }
            Kind::ChannelData => {
                let len = usize::from(u16::from_be_bytes([frame[2], frame[3]]));
                let channel = u16::from_be_bytes([frame[0], frame[1]]);
                self.channel_data_from_client(now, tuple, channel, &frame[4..4 + len])
            }
        }
    }

    /// Bytes from a client's TCP connection.
    pub(super) fn handle_stream(
        &mut self,
        now: Instant,
        tuple: FiveTuple,
        bytes: &[u8],
    ) -> Result<(), Error> {
        let key = (tuple.client, tuple.server);
        let full = self.tcp.len() >= self.config.limits.max_tcp_connections;
        let (mut framer, known) = match self.tcp.get_mut(&key) {
            Some(framer) => (std::mem::take(framer), true),
            None => (Framer::default(), false),
        };
        let cap = self.config.limits.max_tcp_buffered.max(HEADER_LEN);
        let mut first_error = None;
        let mut rest = bytes;
        let mut fatal = None;
        // First complete the tail kept from earlier reads.
        while !framer.buf.is_empty() && !rest.is_empty() {
            let need = match frame_len(&framer.buf) {
                Ok(Some((_, total))) => total,
                Ok(None) => 4,
                Err(e) => {
                    fatal = Some(e.into());
                    break;
                }
            };
            if need > cap {
                fatal = Some(Error::Limit("TCP frame larger than the buffer limit"));
                break;
            }
            let take = need.saturating_sub(framer.buf.len()).min(rest.len());
            framer.buf.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
            if let Ok(Some((kind, total))) = frame_len(&framer.buf)
                && framer.buf.len() == total
            {
                let frame = std::mem::take(&mut framer.buf);
                if let Err(e) = self.stream_frame(now, tuple, &kind, &frame) {
                    first_error.get_or_insert(e);
                }
                framer.buf = frame;
                framer.buf.clear();
            }
        }
        // Then whole frames straight from the caller's bytes.
        while fatal.is_none() && framer.buf.is_empty() && !rest.is_empty() {
            match frame_len(rest) {
                Ok(Some((kind, total))) if total <= rest.len() => {
                    if let Err(e) = self.stream_frame(now, tuple, &kind, &rest[..total]) {
                        first_error.get_or_insert(e);
                    }
                    rest = &rest[total..];
                }
                Ok(Some((_, total))) if total > cap => {
                    fatal = Some(Error::Limit("TCP frame larger than the buffer limit"));
                }
                Ok(_) => {
                    framer.buf.extend_from_slice(rest);
                    rest = &[];
                }
                Err(e) => fatal = Some(e.into()),
            }
        }
        if let Some(fatal) = fatal {
            self.close_connection(tuple);
            return Err(fatal);
        }
        if !framer.buf.is_empty() && !known && full {
            // No room to keep a partial frame for one more connection.
            self.close_connection(tuple);
            return Err(Error::Limit("too many TCP connections"));
        }
        let keep = !framer.buf.is_empty() || self.allocations.by_tuple(&tuple).is_some();
        if keep && (known || !full) {
            self.tcp.insert(key, framer);
        } else {
            self.tcp.remove(&key);
        }
        first_error.map_or(Ok(()), Err)
    }
}
