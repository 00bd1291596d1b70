//! Datagrams in and out of a state machine.

use std::net::SocketAddr;

/// The transport a datagram travels on.
///
/// Over [`Protocol::Tcp`] the `contents` of a [`Receive`] are a run of bytes from the stream,
/// not necessarily one whole message: stream framing (for example RFC 4571, or the STUN/TURN
/// framing of RFC 8656 §12) is the receiving machine's job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Protocol {
    /// UDP datagrams.
    Udp,
    /// A TCP byte stream (TLS-over-TCP counts as TCP: the TLS layer sits above the machine).
    Tcp,
}

impl Protocol {
    /// Bytes of transport header this protocol adds on the wire (UDP 8, TCP 20 without options),
    /// for MTU arithmetic.
    pub const fn header_len(self) -> usize {
        match self {
            Self::Udp => 8,
            Self::Tcp => 20,
        }
    }
}

/// One datagram handed to a state machine by its caller.
///
/// `contents` borrows the caller's buffer: the machine copies only what it must keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Receive<'a> {
    /// Transport the bytes arrived on.
    pub proto: Protocol,
    /// Address of the sender, as seen by the local socket (after any NAT).
    pub source: SocketAddr,
    /// Local address the bytes arrived at.
    pub destination: SocketAddr,
    /// The payload of the datagram.
    pub contents: &'a [u8],
}

/// One datagram a state machine asks its caller to send.
///
/// The payload is not inside the `Transmit`: `poll_transmit(now, buf)` writes it at
/// `buf[..size]`, reusing the capacity of the caller's buffer, so that steady state allocates
/// nothing. Use [`Transmit::contents`] to borrow it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use = "a Transmit describes a datagram that must be sent"]
pub struct Transmit {
    /// Transport to send on.
    pub proto: Protocol,
    /// Local address to send from (which socket, or which interface for ICE candidates).
    pub source: SocketAddr,
    /// Address to send to.
    pub destination: SocketAddr,
    /// Number of payload bytes written at the start of the caller's buffer.
    pub size: usize,
}

impl Transmit {
    /// The payload this `Transmit` describes, borrowed from the buffer `poll_transmit` wrote to.
    ///
    /// Returns an empty slice if `buf` is shorter than `size` (a buffer other than the one passed
    /// to `poll_transmit`).
    pub fn contents<'b>(&self, buf: &'b [u8]) -> &'b [u8] {
        buf.get(..self.size).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contents_borrows_written_prefix() {
        let t = Transmit {
            proto: Protocol::Udp,
            source: "127.0.0.1:1".parse().unwrap(),
            destination: "127.0.0.1:2".parse().unwrap(),
            size: 3,
        };
        assert_eq!(t.contents(b"abcdef"), b"abc");
        assert_eq!(t.contents(b"ab"), b"");
    }

    #[test]
    fn header_lengths() {
        assert_eq!(Protocol::Udp.header_len(), 8);
        assert_eq!(Protocol::Tcp.header_len(), 20);
    }
}
