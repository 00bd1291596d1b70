//! HelloVerifyRequest (RFC 6347 §4.2.1): the stateless cookie exchange that makes a client
//! prove it can receive at its source address before the server commits any state.
//!
//! ```text
//! struct {
//!     ProtocolVersion server_version;
//!     opaque cookie<0..2^8-1>;
//! } HelloVerifyRequest;
//! ```

use super::client_hello::MAX_COOKIE_LEN;
use super::codec::{Reader, Writer};
use crate::Error;
use crate::wire::ProtocolVersion;

/// A checked HelloVerifyRequest body (RFC 6347 §4.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HelloVerifyRequest<'a> {
    server_version: ProtocolVersion,
    cookie: &'a [u8],
}

impl<'a> HelloVerifyRequest<'a> {
    /// Checks a HelloVerifyRequest body: version, then a cookie of at most 255 bytes that
    /// ends the body.
    ///
    /// # Errors
    /// [`Error::Malformed`] with the offset of the field that does not fit.
    pub fn new_checked(body: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(body);
        let server_version = ProtocolVersion(r.u16("server_version")?);
        let cookie = r.vec8(0, MAX_COOKIE_LEN, "cookie")?;
        r.finish("hello_verify_request")?;
        Ok(Self {
            server_version,
            cookie,
        })
    }

    /// The server version. RFC 6347 §4.2.1: DTLS 1.2 servers SHOULD send DTLS 1.0 here
    /// (`0xfeff`) and a client must not take it as the negotiated version.
    pub fn server_version(&self) -> ProtocolVersion {
        self.server_version
    }

    /// The cookie the client echoes in its second ClientHello.
    pub fn cookie(&self) -> &'a [u8] {
        self.cookie
    }
}

/// A HelloVerifyRequest to build or keep (RFC 6347 §4.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HelloVerifyRequestRepr<'a> {
    /// The server version (DTLS 1.0 per RFC 6347 §4.2.1's recommendation).
    pub server_version: ProtocolVersion,
    /// At most 255 bytes.
    pub cookie: &'a [u8],
}

impl<'a> HelloVerifyRequestRepr<'a> {
    /// Copies a checked view.
    pub fn parse(view: &HelloVerifyRequest<'a>) -> Self {
        Self {
            server_version: view.server_version,
            cookie: view.cookie,
        }
    }

    /// Bytes of the body [`emit`](Self::emit) writes.
    pub fn buffer_len(&self) -> usize {
        3 + self.cookie.len()
    }

    /// Writes the body at the start of `out`; returns [`buffer_len`](Self::buffer_len).
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`]; [`Error::Malformed`] for a cookie over 255 bytes.
    pub fn emit(&self, out: &mut [u8]) -> Result<usize, Error> {
        let mut w = Writer::new(out);
        w.u16(self.server_version.0)?;
        w.vec8(self.cookie, 0, MAX_COOKIE_LEN, "cookie")?;
        Ok(w.len())
    }
}
