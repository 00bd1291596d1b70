//! DTLS 1.2 handshake messages (RFC 5246 §7.4 with the DTLS changes of RFC 6347 §4.2–4.3):
//! the 12-byte handshake header, fragments within records, and one view + Repr pair per
//! message.
//!
//! # Contract
//! - Views (`ClientHello<'a>`, `Certificate<'a>`, ...) are built with `new_checked(body)`,
//!   which checks every length field of the message body once, exactly: each vector within
//!   its RFC bounds, and no bytes left over where the structure is fully specified. After
//!   that, no accessor panics or fails; lists are lazy iterators that never allocate.
//!   Error offsets count from the start of the body handed to `new_checked`.
//! - Reprs (`ClientHelloRepr<'a>`, ...) borrow opaque fields and own lists of code points.
//!   `parse(&view)` copies a view; `buffer_len()` is the body length; `emit(out)` writes the
//!   body and refuses anything the matching `new_checked` would refuse, so what it writes
//!   always parses back to an equal Repr.
//! - Unknown code points (cipher suites, groups, extension types, message types) are kept.
//! - ServerKeyExchange and ClientKeyExchange depend on the negotiated key exchange; only the
//!   ECDHE forms (RFC 8422) are parsed, which covers every WebRTC suite.
//!
//! [`HandshakeFragment::iter`] splits a record fragment into handshake fragments;
//! [`Reassembler`](crate::reassembly::Reassembler) puts messages back together;
//! [`Fragmenter`] cuts one up for sending; [`Handshake::parse`] picks the view by type.

mod certificate;
mod certificate_request;
mod certificate_verify;
mod client_hello;
mod client_key_exchange;
mod codec;
mod extensions;
mod finished;
mod fragment;
mod header;
mod hello_verify_request;
mod server_hello;
mod server_hello_done;
mod server_key_exchange;

pub use certificate::{Certificate, CertificateRepr};
pub use certificate_request::{
    CertificateRequest, CertificateRequestRepr, client_certificate_type,
};
pub use certificate_verify::{CertificateVerify, CertificateVerifyRepr};
pub use client_hello::{
    ClientHello, ClientHelloRepr, MAX_COOKIE_LEN, MAX_SESSION_ID_LEN, RANDOM_LEN,
};
pub use client_key_exchange::{ClientKeyExchange, ClientKeyExchangeRepr};
pub use codec::{CodePoints, MAX_U24, OpaqueList};
pub use extensions::{
    EXTENSION_HEADER_LEN, Extension, ExtensionRepr, ExtensionValue, Extensions, UseSrtp,
    is_known_extension,
};
pub use finished::{Finished, FinishedRepr, VERIFY_DATA_LEN};
pub use fragment::{Fragmenter, HandshakeFragment, HandshakeFragments};
pub use header::{HANDSHAKE_HEADER_LEN, HandshakeHeader, MAX_HANDSHAKE_LEN};
pub use hello_verify_request::{HelloVerifyRequest, HelloVerifyRequestRepr};
pub use server_hello::{ServerHello, ServerHelloRepr};
pub use server_hello_done::ServerHelloDone;
pub use server_key_exchange::{
    EC_CURVE_TYPE_NAMED_CURVE, ServerKeyExchange, ServerKeyExchangeRepr, ecdhe_signed_content,
};

use crate::Error;
use crate::wire::HandshakeType;

/// A complete handshake message body, checked by its type (RFC 5246 §7.4, RFC 6347 §4.3.2).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Handshake<'a> {
    /// HelloRequest (RFC 5246 §7.4.1.1): empty.
    HelloRequest,
    /// ClientHello (RFC 5246 §7.4.1.2, RFC 6347 §4.2.1).
    ClientHello(ClientHello<'a>),
    /// ServerHello (RFC 5246 §7.4.1.3).
    ServerHello(ServerHello<'a>),
    /// HelloVerifyRequest (RFC 6347 §4.2.1).
    HelloVerifyRequest(HelloVerifyRequest<'a>),
    /// Certificate (RFC 5246 §7.4.2, §7.4.6).
    Certificate(Certificate<'a>),
    /// ServerKeyExchange, ECDHE (RFC 8422 §5.4).
    ServerKeyExchange(ServerKeyExchange<'a>),
    /// CertificateRequest (RFC 5246 §7.4.4).
    CertificateRequest(CertificateRequest<'a>),
    /// ServerHelloDone (RFC 5246 §7.4.5).
    ServerHelloDone(ServerHelloDone),
    /// CertificateVerify (RFC 5246 §7.4.8).
    CertificateVerify(CertificateVerify<'a>),
    /// ClientKeyExchange, ECDHE (RFC 8422 §5.7).
    ClientKeyExchange(ClientKeyExchange<'a>),
    /// Finished (RFC 5246 §7.4.9).
    Finished(Finished<'a>),
    /// Any other type, body unchecked.
    Unknown {
        /// The message type.
        msg_type: HandshakeType,
        /// The body.
        body: &'a [u8],
    },
}

impl<'a> Handshake<'a> {
    /// Checks a complete (reassembled) body as the message `msg_type` names.
    ///
    /// # Errors
    /// As the message's `new_checked`; [`Error::Malformed`] for a non-empty HelloRequest.
    pub fn parse(msg_type: HandshakeType, body: &'a [u8]) -> Result<Self, Error> {
        Ok(match msg_type {
            HandshakeType::HELLO_REQUEST => {
                if !body.is_empty() {
                    return Err(Error::Malformed {
                        what: "hello_request",
                        offset: 0,
                    });
                }
                Self::HelloRequest
            }
            HandshakeType::CLIENT_HELLO => Self::ClientHello(ClientHello::new_checked(body)?),
            HandshakeType::SERVER_HELLO => Self::ServerHello(ServerHello::new_checked(body)?),
            HandshakeType::HELLO_VERIFY_REQUEST => {
                Self::HelloVerifyRequest(HelloVerifyRequest::new_checked(body)?)
            }
            HandshakeType::CERTIFICATE => Self::Certificate(Certificate::new_checked(body)?),
            HandshakeType::SERVER_KEY_EXCHANGE => {
                Self::ServerKeyExchange(ServerKeyExchange::new_checked(body)?)
            }
            HandshakeType::CERTIFICATE_REQUEST => {
                Self::CertificateRequest(CertificateRequest::new_checked(body)?)
            }
            HandshakeType::SERVER_HELLO_DONE => {
                Self::ServerHelloDone(ServerHelloDone::new_checked(body)?)
            }
            HandshakeType::CERTIFICATE_VERIFY => {
                Self::CertificateVerify(CertificateVerify::new_checked(body)?)
            }
            HandshakeType::CLIENT_KEY_EXCHANGE => {
                Self::ClientKeyExchange(ClientKeyExchange::new_checked(body)?)
            }
            HandshakeType::FINISHED => Self::Finished(Finished::new_checked(body)?),
            msg_type => Self::Unknown { msg_type, body },
        })
    }

    /// Checks a whole unfragmented message, header included (the transcript form of
    /// RFC 6347 §4.2.6): the header must describe exactly one unfragmented message filling
    /// `message`. Body error offsets are shifted by the header length.
    ///
    /// # Errors
    /// As [`HandshakeHeader::parse`] and [`parse`](Self::parse); [`Error::Malformed`] when
    /// the header is a fragment or the length does not match.
    pub fn parse_message(message: &'a [u8]) -> Result<(HandshakeHeader, Self), Error> {
        let header = HandshakeHeader::parse(message)?;
        let body = message.get(HANDSHAKE_HEADER_LEN..).unwrap_or_default();
        if !header.is_unfragmented() || body.len() != header.length as usize {
            return Err(Error::Malformed {
                what: "handshake message length",
                offset: 1,
            });
        }
        let view = Self::parse(header.msg_type, body).map_err(|error| match error {
            Error::Malformed { what, offset } => Error::Malformed {
                what,
                offset: offset + HANDSHAKE_HEADER_LEN,
            },
            other => other,
        })?;
        Ok((header, view))
    }

    /// The message type.
    pub fn msg_type(&self) -> HandshakeType {
        match self {
            Self::HelloRequest => HandshakeType::HELLO_REQUEST,
            Self::ClientHello(_) => HandshakeType::CLIENT_HELLO,
            Self::ServerHello(_) => HandshakeType::SERVER_HELLO,
            Self::HelloVerifyRequest(_) => HandshakeType::HELLO_VERIFY_REQUEST,
            Self::Certificate(_) => HandshakeType::CERTIFICATE,
            Self::ServerKeyExchange(_) => HandshakeType::SERVER_KEY_EXCHANGE,
            Self::CertificateRequest(_) => HandshakeType::CERTIFICATE_REQUEST,
            Self::ServerHelloDone(_) => HandshakeType::SERVER_HELLO_DONE,
            Self::CertificateVerify(_) => HandshakeType::CERTIFICATE_VERIFY,
            Self::ClientKeyExchange(_) => HandshakeType::CLIENT_KEY_EXCHANGE,
            Self::Finished(_) => HandshakeType::FINISHED,
            Self::Unknown { msg_type, .. } => *msg_type,
        }
    }
}

/// A handshake message to build or keep (RFC 5246 §7.4): one Repr per type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HandshakeRepr<'a> {
    /// HelloRequest (RFC 5246 §7.4.1.1).
    HelloRequest,
    /// ClientHello (RFC 5246 §7.4.1.2, RFC 6347 §4.2.1).
    ClientHello(ClientHelloRepr<'a>),
    /// ServerHello (RFC 5246 §7.4.1.3).
    ServerHello(ServerHelloRepr<'a>),
    /// HelloVerifyRequest (RFC 6347 §4.2.1).
    HelloVerifyRequest(HelloVerifyRequestRepr<'a>),
    /// Certificate (RFC 5246 §7.4.2).
    Certificate(CertificateRepr<'a>),
    /// ServerKeyExchange, ECDHE (RFC 8422 §5.4).
    ServerKeyExchange(ServerKeyExchangeRepr<'a>),
    /// CertificateRequest (RFC 5246 §7.4.4).
    CertificateRequest(CertificateRequestRepr<'a>),
    /// ServerHelloDone (RFC 5246 §7.4.5).
    ServerHelloDone,
    /// CertificateVerify (RFC 5246 §7.4.8).
    CertificateVerify(CertificateVerifyRepr<'a>),
    /// ClientKeyExchange, ECDHE (RFC 8422 §5.7).
    ClientKeyExchange(ClientKeyExchangeRepr<'a>),
    /// Finished (RFC 5246 §7.4.9).
    Finished(FinishedRepr<'a>),
    /// Any other type, body as is. A known type is written as given after its body is
    /// checked to parse.
    Unknown {
        /// The message type.
        msg_type: HandshakeType,
        /// The body, at most 2^24 - 1 bytes.
        body: &'a [u8],
    },
}

impl<'a> HandshakeRepr<'a> {
    /// Copies a checked view.
    ///
    /// # Errors
    /// As [`ClientHelloRepr::parse`] and [`ServerHelloRepr::parse`] (extension bodies).
    pub fn parse(view: &Handshake<'a>) -> Result<Self, Error> {
        Ok(match view {
            Handshake::HelloRequest => Self::HelloRequest,
            Handshake::ClientHello(v) => Self::ClientHello(ClientHelloRepr::parse(v)?),
            Handshake::ServerHello(v) => Self::ServerHello(ServerHelloRepr::parse(v)?),
            Handshake::HelloVerifyRequest(v) => {
                Self::HelloVerifyRequest(HelloVerifyRequestRepr::parse(v))
            }
            Handshake::Certificate(v) => Self::Certificate(CertificateRepr::parse(v)),
            Handshake::ServerKeyExchange(v) => {
                Self::ServerKeyExchange(ServerKeyExchangeRepr::parse(v))
            }
            Handshake::CertificateRequest(v) => {
                Self::CertificateRequest(CertificateRequestRepr::parse(v))
            }
            Handshake::ServerHelloDone(_) => Self::ServerHelloDone,
            Handshake::CertificateVerify(v) => {
                Self::CertificateVerify(CertificateVerifyRepr::parse(v))
            }
            Handshake::ClientKeyExchange(v) => {
                Self::ClientKeyExchange(ClientKeyExchangeRepr::parse(v))
            }
            Handshake::Finished(v) => Self::Finished(FinishedRepr::parse(v)),
            Handshake::Unknown { msg_type, body } => Self::Unknown {
                msg_type: *msg_type,
                body,
            },
        })
    }

    /// The message type.
    pub fn msg_type(&self) -> HandshakeType {
        match self {
            Self::HelloRequest => HandshakeType::HELLO_REQUEST,
            Self::ClientHello(_) => HandshakeType::CLIENT_HELLO,
            Self::ServerHello(_) => HandshakeType::SERVER_HELLO,
            Self::HelloVerifyRequest(_) => HandshakeType::HELLO_VERIFY_REQUEST,
            Self::Certificate(_) => HandshakeType::CERTIFICATE,
            Self::ServerKeyExchange(_) => HandshakeType::SERVER_KEY_EXCHANGE,
            Self::CertificateRequest(_) => HandshakeType::CERTIFICATE_REQUEST,
            Self::ServerHelloDone => HandshakeType::SERVER_HELLO_DONE,
            Self::CertificateVerify(_) => HandshakeType::CERTIFICATE_VERIFY,
            Self::ClientKeyExchange(_) => HandshakeType::CLIENT_KEY_EXCHANGE,
            Self::Finished(_) => HandshakeType::FINISHED,
            Self::Unknown { msg_type, .. } => *msg_type,
        }
    }

    /// Bytes of the body [`emit_body`](Self::emit_body) writes.
    pub fn body_len(&self) -> usize {
        match self {
            Self::HelloRequest | Self::ServerHelloDone => 0,
            Self::ClientHello(r) => r.buffer_len(),
            Self::ServerHello(r) => r.buffer_len(),
            Self::HelloVerifyRequest(r) => r.buffer_len(),
            Self::Certificate(r) => r.buffer_len(),
            Self::ServerKeyExchange(r) => r.buffer_len(),
            Self::CertificateRequest(r) => r.buffer_len(),
            Self::CertificateVerify(r) => r.buffer_len(),
            Self::ClientKeyExchange(r) => r.buffer_len(),
            Self::Finished(r) => r.buffer_len(),
            Self::Unknown { body, .. } => body.len(),
        }
    }

    /// Writes the body at the start of `out`; returns [`body_len`](Self::body_len).
    ///
    /// # Errors
    /// As the message's `emit`.
    pub fn emit_body(&self, out: &mut [u8]) -> Result<usize, Error> {
        match self {
            Self::HelloRequest | Self::ServerHelloDone => Ok(0),
            Self::ClientHello(r) => r.emit(out),
            Self::ServerHello(r) => r.emit(out),
            Self::HelloVerifyRequest(r) => r.emit(out),
            Self::Certificate(r) => r.emit(out),
            Self::ServerKeyExchange(r) => r.emit(out),
            Self::CertificateRequest(r) => r.emit(out),
            Self::CertificateVerify(r) => r.emit(out),
            Self::ClientKeyExchange(r) => r.emit(out),
            Self::Finished(r) => r.emit(out),
            Self::Unknown { msg_type, body } => {
                HandshakeRepr::parse(&Handshake::parse(*msg_type, body)?)?;
                let out = out.get_mut(..body.len()).ok_or(Error::BufferTooSmall)?;
                out.copy_from_slice(body);
                Ok(body.len())
            }
        }
    }

    /// Bytes of the unfragmented message [`emit`](Self::emit) writes: header and body.
    pub fn buffer_len(&self) -> usize {
        HANDSHAKE_HEADER_LEN + self.body_len()
    }

    /// Writes the whole message with an unfragmented header (offset 0, fragment length =
    /// length) at the start of `out`: the bytes that enter the transcript (RFC 6347 §4.2.6),
    /// and that [`Fragmenter`] can cut up for sending. Returns
    /// [`buffer_len`](Self::buffer_len).
    ///
    /// # Errors
    /// As [`emit_body`](Self::emit_body); [`Error::Malformed`] for a body over 2^24 - 1
    /// bytes.
    pub fn emit(&self, message_seq: u16, out: &mut [u8]) -> Result<usize, Error> {
        let body_len = self.body_len();
        if body_len > MAX_HANDSHAKE_LEN {
            return Err(Error::Malformed {
                what: "handshake length",
                offset: 1,
            });
        }
        let out = out
            .get_mut(..HANDSHAKE_HEADER_LEN + body_len)
            .ok_or(Error::BufferTooSmall)?;
        let (head, body) = out.split_at_mut(HANDSHAKE_HEADER_LEN);
        let written = self.emit_body(body).map_err(|error| match error {
            Error::Malformed { what, offset } => Error::Malformed {
                what,
                offset: offset + HANDSHAKE_HEADER_LEN,
            },
            other => other,
        })?;
        HandshakeHeader::unfragmented(self.msg_type(), message_seq, written as u32).emit(head)?;
        Ok(HANDSHAKE_HEADER_LEN + written)
    }
}
