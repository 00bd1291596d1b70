//! The connection to the TURN server: UDP datagrams, or a TCP/TLS byte stream with
//! RFC 8656 §12.5 framing.

use super::config::TurnTransport;
use crate::error::Error;
use crate::wire::{Frame, HEADER_LEN, MAX_BUFFERED, StreamDecoder};
use std::collections::VecDeque;
use std::io::{Read, Write};

/// Datagrams queued for the server before the caller drains them.
const MAX_QUEUED_DATAGRAMS: usize = 1024;
/// Stream bytes queued for the server before the caller drains them.
const MAX_STREAM_OUT: usize = 4 << 20;
/// Spare datagram buffers kept for reuse.
const MAX_SPARE: usize = 64;
/// Largest piece of a TCP read pushed into the decoder at once. After draining, the decoder
/// holds less than one frame (at most `HEADER_LEN + 65_535` bytes, the largest STUN message
/// the 16-bit length can declare; ChannelData frames are smaller), so a piece always fits
/// under [`MAX_BUFFERED`]: its limit bounds what waits unconsumed, not what one read holds.
const MAX_PUSH: usize = MAX_BUFFERED - (HEADER_LEN + 65_535);
const _: () = assert!(MAX_PUSH > 0 && MAX_PUSH + HEADER_LEN + 65_535 <= MAX_BUFFERED);

#[derive(Debug)]
pub(crate) enum Connection {
    Udp {
        datagrams: VecDeque<Vec<u8>>,
        spare: Vec<Vec<u8>>,
    },
    Tcp {
        decoder: StreamDecoder,
        out: Vec<u8>,
    },
    Tls {
        tls: Box<rustls::ClientConnection>,
        decoder: StreamDecoder,
        scratch: Vec<u8>,
        /// Plaintext bytes queued since the caller last drained the connection.
        pending_out: usize,
    },
}

fn tls_error(e: impl std::fmt::Display) -> Error {
    Error::Tls(e.to_string())
}

impl Connection {
    pub(crate) fn new(transport: &TurnTransport) -> Result<Self, Error> {
        Ok(match transport {
            TurnTransport::Udp => Self::Udp {
                datagrams: VecDeque::new(),
                spare: Vec::new(),
            },
            TurnTransport::Tcp => Self::Tcp {
                decoder: StreamDecoder::new(),
                out: Vec::new(),
            },
            TurnTransport::Tls {
                config,
                server_name,
            } => {
                let mut tls = rustls::ClientConnection::new(config.clone(), server_name.clone())
                    .map_err(tls_error)?;
                // Our own bound (MAX_STREAM_OUT) applies instead, checked before each frame, so a
                // frame is never half-written into the TLS stream.
                tls.set_buffer_limit(None);
                Self::Tls {
                    tls: Box::new(tls),
                    decoder: StreamDecoder::new(),
                    scratch: Vec::new(),
                    pending_out: 0,
                }
            }
        })
    }

    pub(crate) const fn is_stream(&self) -> bool {
        !matches!(self, Self::Udp { .. })
    }

    /// Queues one STUN message or ChannelData frame, which `write` appends to the buffer it is
    /// given. Over UDP it becomes one datagram; over TCP/TLS it joins the stream.
    pub(crate) fn queue(
        &mut self,
        write: impl FnOnce(&mut Vec<u8>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        match self {
            Self::Udp { datagrams, spare } => {
                if datagrams.len() >= MAX_QUEUED_DATAGRAMS {
                    return Err(Error::Limit("datagrams queued for the TURN server"));
                }
                let mut buf = spare.pop().unwrap_or_default();
                buf.clear();
                match write(&mut buf) {
                    Ok(()) => {
                        datagrams.push_back(buf);
                        Ok(())
                    }
                    Err(e) => {
                        spare.push(buf);
                        Err(e)
                    }
                }
            }
            Self::Tcp { out, .. } => {
                if out.len() > MAX_STREAM_OUT {
                    return Err(Error::Limit("stream bytes queued for the TURN server"));
                }
                let mark = out.len();
                write(out).inspect_err(|_| out.truncate(mark))
            }
            Self::Tls {
                tls,
                scratch,
                pending_out,
                ..
            } => {
                if *pending_out > MAX_STREAM_OUT {
                    return Err(Error::Limit("stream bytes queued for the TURN server"));
                }
                scratch.clear();
                write(scratch)?;
                *pending_out += scratch.len();
                tls.writer().write_all(scratch).map_err(tls_error)
            }
        }
    }

    /// Moves the next datagram or stream chunk into `buf`; returns its length.
    pub(crate) fn poll_transmit(&mut self, buf: &mut Vec<u8>) -> Option<usize> {
        match self {
            Self::Udp { datagrams, spare } => {
                let mut next = datagrams.pop_front()?;
                std::mem::swap(buf, &mut next);
                if spare.len() < MAX_SPARE {
                    spare.push(next);
                }
                Some(buf.len())
            }
            Self::Tcp { out, .. } => {
                if out.is_empty() {
                    return None;
                }
                buf.clear();
                std::mem::swap(buf, out);
                Some(buf.len())
            }
            Self::Tls {
                tls, pending_out, ..
            } => {
                *pending_out = 0;
                buf.clear();
                while tls.wants_write() {
                    match tls.write_tls(buf) {
                        Ok(0) | Err(_) => break,
                        Ok(_) => {}
                    }
                }
                (!buf.is_empty()).then_some(buf.len())
            }
        }
    }

    /// Feeds received stream bytes, of any length, and calls `on_frame` for every complete
    /// frame. The bytes reach the decoder in pieces with frames drained between them, so at
    /// most one incomplete frame stays buffered.
    ///
    /// # Errors
    ///
    /// A fatal stream error (TLS failure, lost framing). Errors of single frames go to
    /// `on_frame`.
    pub(crate) fn receive(
        &mut self,
        contents: &[u8],
        on_frame: &mut dyn FnMut(Result<Frame<'_>, crate::ParseError>),
    ) -> Result<(), Error> {
        match self {
            Self::Udp { .. } => Ok(()),
            Self::Tcp { decoder, .. } => {
                // In bounded pieces, draining complete frames after each (RFC 8656 §12.5
                // framing): one read may hold any number of frames.
                for piece in contents.chunks(MAX_PUSH) {
                    decoder.push(piece)?;
                    drain(decoder, on_frame)?;
                }
                Ok(())
            }
            Self::Tls { tls, decoder, .. } => {
                let mut input = contents;
                while !input.is_empty() {
                    let n = tls.read_tls(&mut input).map_err(tls_error)?;
                    tls.process_new_packets().map_err(tls_error)?;
                    let mut chunk = [0u8; 4096];
                    loop {
                        match tls.reader().read(&mut chunk) {
                            Ok(0) => break,
                            Ok(k) => {
                                decoder.push(&chunk[..k])?;
                                drain(decoder, on_frame)?;
                            }
                            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                            Err(e) => return Err(tls_error(e)),
                        }
                    }
                    if n == 0 {
                        break;
                    }
                }
                Ok(())
            }
        }
    }
}

fn drain(
    decoder: &mut StreamDecoder,
    on_frame: &mut dyn FnMut(Result<Frame<'_>, crate::ParseError>),
) -> Result<(), Error> {
    while let Some(frame) = decoder.next_frame() {
        match frame {
            Ok(frame) => on_frame(Ok(frame)),
            Err(e) => {
                if decoder.is_failed() {
                    return Err(e.into());
                }
                on_frame(Err(e));
            }
        }
    }
    Ok(())
}
