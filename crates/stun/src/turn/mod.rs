//! A Sans-IO TURN client (RFC 8656).
//!
//! [`TurnClient`] allocates a relayed transport address on a TURN server and relays datagrams
//! to and from peers through it:
//!
//! - **Allocate** with the long-term credential mechanism: the first request goes without
//!   credentials, the server's 401 supplies REALM and NONCE, and the request is retried with
//!   USERNAME (or USERHASH), REALM, NONCE and MESSAGE-INTEGRITY (or MESSAGE-INTEGRITY-SHA256 when
//!   the server offers SHA-256 through PASSWORD-ALGORITHMS, RFC 8489 §9.2.4). A 438 Stale Nonce
//!   on any request retries it with the new nonce. A 300 Try Alternate moves a UDP client to
//!   the alternate server.
//! - **Response integrity** (RFC 8489 §9.2.5): a response, success or error, to an
//!   authenticated request counts only with a MESSAGE-INTEGRITY(-SHA256) that verifies with the
//!   key the request was sent with. Without one, or with a wrong one, it is discarded as if
//!   never received: `handle_receive` returns [`Error::Auth`](crate::Error::Auth), nothing
//!   changes, and the request's retransmissions go on. The exceptions are 401 and 438, which
//!   carry the new NONCE, and an unsigned 300 Try Alternate (RFC 8489 §10).
//! - **Refresh** before the lifetime ends (one minute early, or at half the lifetime for short
//!   ones), **CreatePermission** refreshed before its 300 s expiry, **ChannelBind** refreshed
//!   before 10 minutes, and **Deallocate** (Refresh with LIFETIME 0).
//! - **Data**: Send and Data indications, and the ChannelData fast path once a channel is bound.
//! - **Keep-alive**: a Binding indication when nothing was sent for 15 s (UDP), so NAT mappings
//!   stay open between refreshes.
//! - **Transports**: UDP datagrams; TCP with RFC 8656 §12.5 stream framing (ChannelData padded
//!   to 4 bytes); TLS over TCP with rustls. The caller opens the socket or TCP connection and
//!   moves bytes; the client never does I/O. A stream read may be any size: it is decoded in
//!   bounded pieces, so at most one incomplete frame is ever buffered.
//!
//! Drive it like every sansrtc machine: after each `handle_*` call or command, drain
//! `poll_transmit`, then `poll_event`, then read `poll_timeout`.

mod client;
mod config;
mod connection;
mod event;
mod peers;
mod request;
mod response;

pub use client::TurnClient;
pub use config::{TurnConfig, TurnTransport};
pub use event::{Failure, TurnEvent};
